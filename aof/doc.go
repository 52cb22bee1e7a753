// Package aof is a node's append-only file, in Redis 7's multi-part format,
// so that redis-check-aof and redis-server read what it writes and it reads
// what they write.
//
// # Layout
//
// Options.Dir/Options.DirName ("appendonlydir") holds
//
//	appendonly.aof.<seq>.base.aof   the base: a snapshot, as commands
//	appendonly.aof.<seq>.incr.aof   commands since (several during a rewrite)
//	appendonly.aof.manifest         "file <name> seq <n> type b|h|i" lines
//
// The manifest is the truth: a file it does not list is ignored, a file it
// lists must exist. It is only ever replaced whole: a temp file written and
// fsynced, renamed over it, then the directory fsynced. A base in RDB format
// (aof-use-rdb-preamble yes) is refused: the package never knows data types.
// A single-file AOF in Options.Dir (Redis before 7) is moved into the
// directory as the base, as redis-server 7 migrates it.
//
// # Writing
//
// Append copies records into an in-memory buffer under a mutex and returns
// a logical offset: the count of bytes appended since Open, across files.
// The backend calls it while it holds the command's keyspace locks, so the
// log's order is the execution order, and it does no I/O. Wait(off) returns
// once the bytes up to off are written with write(2) and, under Always,
// fsynced: the first waiter that finds no write in progress becomes the
// leader and writes everything buffered (one write(2) per file, one fsync per
// file under Always) for every waiter at once (group commit). Under
// EverySec a background goroutine fsyncs once a second, and a write that
// finds that fsync still running waits for it at most 2 s, as Redis does.
// Under No nothing fsyncs explicitly.
//
// A failed write or fsync never drops bytes: they stay buffered, Err()
// reports the reason and the backend refuses writes until a retry (the next
// Wait, or the background goroutine every 100 ms) succeeds. A short write is
// truncated back to the file's last good size first, so records are never
// written twice or torn in the middle of a file.
//
// Each file starts with SELECT before its first record, and SELECT follows
// whenever the database changes; the records of one Append call (one
// command's effects, or one EXEC) are wrapped in MULTI/EXEC when there are
// several, so a torn tail is recognisable.
//
// # Rewrite
//
// BeginRewrite creates a new incr file and lists it after the old files;
// Log.Append keeps writing to the old incr file and Rewrite.Append to the new
// one, both under the same logical offsets. The caller writes the new base
// (Rewrite.Base or AppendBase) one keyspace part at a time, sending a part's
// records to Rewrite.Append once the part is in the base. Commit fsyncs and
// renames the base, writes what is pending, switches the manifest to new
// base + new incr and removes the old files. At every instant the manifest
// names a loadable set that holds every acknowledged record: old base + old
// incr files (+ new incr) before the switch, new base + new incr after.
// Abort keeps the new incr file as the current one (it holds records newer
// than the old file's).
//
// # Loading
//
// Load streams the files with internal/resp's Reader, so memory stays
// bounded by the largest command (or MULTI block, which is applied only once
// its EXEC is read). Only canonical RESP arrays are commands ('#' lines are
// Redis annotations and skipped). A torn tail of the last file with data
// (the files after it, if any, empty) — an incomplete command, a MULTI
// without EXEC, zero bytes left by a crash — is cut off (the file
// truncated) with a warning when LoadTruncated is set, refused otherwise;
// anything else refuses with the file, the byte offset and what was
// expected. The zero-filled tail is accepted as torn where redis-server
// would call it a format error, because a power cut leaves exactly that.
//
// # Locks
//
// Log.mu guards the buffer, the counters, the current files and the
// manifest. It is never held across I/O: the write leader sets Log.writing,
// drops mu, writes and fsyncs, and takes mu again; Commit, Abort and the
// truncation after Load hold the same writing flag, so one goroutine at a
// time does file I/O on the incr files (the EverySec background fsync
// excepted, which only calls Sync). Rewrite.mu serialises Commit and Abort
// (Close may abort while the backend commits).
//
// Lock order: the backend's keyspace locks, then Rewrite.mu, then Log.mu.
// Nothing here calls back into the backend except Load's apply, which runs
// with no lock of this package held. The base writer (Rewrite.Base) belongs
// to its caller, who serialises its writes.
//
// # Figures
//
// On a 2-core machine shared with other jobs (go test -bench 'AppendWait|Load'
// -benchmem -count 4; medians, runs vary by ±50% there): 50 concurrent
// appenders get 45k acknowledged writes/s under always (one fsync covers
// tens of waiters), 530k/s under everysec and 900k/s under no, with no
// allocation per write. A dedicated writer goroutine instead of the
// leader/follower scheme got 20k, 390k and 450k/s (a goroutine hand-off per
// batch), hence the leader. Load reads 1,000,000 SETs (47 MB) in 0.11 to
// 0.38 s with a counting apply (no allocation per command) and in 1.3 to
// 1.9 s storing them in a map; redis-server 7.0.15 loads the same file in 5
// to 8 s on that machine.
//
// # Caveats
//
// After a failed fsync Linux may drop the dirty pages and mark them clean,
// so a retried fsync passes without writing them ("fsyncgate"). Under
// Always the batch whose fsync failed is truncated off the file and
// written again (it is still in memory); a batch that spans two files
// during a rewrite, and the background fsync of EverySec (whose bytes are
// no longer in memory), only retry the fsync. Redis exits on an fsync
// error under appendfsync always; shardis refuses writes until the retry
// succeeds.
package aof
