// Package backend is shardis's storage node: a keyspace of numbered
// databases served over RESP that answers like redis-server 7.0.
//
// # Basics
//
// A Server owns Options.Databases databases (DB). Each DB is split into
// nShards shards by the top bits of the key's hash; each shard has its own
// mutex and its own chained hash table (dict), whose power-of-two buckets
// give SCAN Redis's reverse-binary cursor. Two clients on two cores only wait for each other
// when their keys fall in the same shard.
//
// Every connection has one goroutine (Client.serve). It reads every request
// the socket has delivered, executes them in order, and writes all replies
// with one write when the input runs dry (resp.Reader.BeforeFill flushes the
// resp.Writer). Execution follows redis-server's processCommand: look the
// command up in internal/command's table (unknown command, unknown
// subcommand), check arity, check authentication, then run its handler.
//
// Handlers are registered by the command table's full name ("get",
// "config|get") in each file's init. A handler locks the shards it touches,
// looks keys up with shard.lookup (reads: counts hits and misses, touches the
// access clock) or shard.peek (writes), changes the entry, unlocks, and
// writes its reply to c.w.
//
// # Invariants
//
//   - Lock order: databases by index, then shards by index. A command that
//     touches several shards (MSET, RENAME, BITOP) locks them all, sorted,
//     before reading anything, so it is atomic as in Redis.
//   - Handlers lock shards only through the Client helpers of multi.go
//     (c.lockShard, c.lockShards, c.lockDB, c.lockShardPair and their
//     unlocks), never sh.mu directly: EXEC holds the shards of the
//     transaction for its whole run, and the helpers do nothing while their
//     client is inside EXEC, so the queued commands run without locking
//     again and no other client's command interleaves. Code outside
//     commands (active expiry) uses the mutexes.
//   - A command with key arguments touches only the shards of those keys
//     (as internal/command finds them) in the selected database: EXEC
//     locks just those. A command that reaches further must be listed in
//     multi.go's txWideCmds; one without key arguments locks everything
//     unless txNoKeyspaceCmds says it touches no shard.
//   - A shard's dict, volatile list and counters are only touched with its
//     mutex held.
//   - Expired keys are never visible: lookup and peek delete an expired key
//     before returning (lazy expiry); the cron goroutine samples keys that
//     have an expiry and deletes expired ones (active expiry).
//   - An entry object removed from a dict is never inserted again: moving a
//     value creates a new entry (shard.insertEntry), because a shard's
//     volatile list may still point at the old one.
//   - Reply bytes of a value are copied into the client's writer while the
//     shard is locked; no handler keeps a value's slice after unlocking.
//   - Every write records its effects (propagate.go) before it unlocks
//     the shards it changed, and the unlock helpers hand them to the Sink
//     before releasing the locks: the log's order is the keyspace's. A
//     write that changed nothing records nothing.
//
// # Caveats
//
// Entries are moved between tables all at once on resize (no incremental
// rehash); shards keep each table small enough for that pause to be short.
package backend
