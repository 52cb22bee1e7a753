package backend

import (
	"strconv"
	"time"
)

// The AOF rewrite's snapshot: the commands that rebuild a shard's keys, in
// the shape redis-server 7.0's rewriteAppendOnlyFileRio gives them, so that
// a base file we write reads like one redis-server wrote:
//
//	strings (HyperLogLogs included)  SET key value
//	lists                            RPUSH key e1 ... e64, RPUSH key e65 ...
//	sets                             SADD key m1 ... m64, ...
//	sorted sets                      ZADD key s1 m1 ... s64 m64, ...
//	hashes                           HMSET key f1 v1 ... f64 v64, ...
//	an expiry                        PEXPIREAT key ms, after the value
//
// Keys whose time ran out are left out, as Redis leaves them out, once it
// ran out more than a second ago (rewriteExpirySlack).
// Each database's keys follow a SELECT; the snapshot is produced one lock
// shard at a time (persist.go), so the writer remembers which database it
// selected last.

// aofRewriteItemsPerCmd is Redis's AOF_REWRITE_ITEMS_PER_CMD: the most
// elements one variadic command of a rewritten AOF carries.
const aofRewriteItemsPerCmd = 64

// snapshotWriter builds a rewrite's base file in memory, a shard at a time.
type snapshotWriter struct {
	buf []byte
	db  int // the database the last SELECT chose; -1 before the first
}

func newSnapshotWriter() *snapshotWriter { return &snapshotWriter{db: -1} }

// appendArrayHeader appends a RESP array header of n elements.
func appendArrayHeader(b []byte, n int) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, '\r', '\n')
}

// appendBulkInt appends n as a bulk string of its decimal text.
func appendBulkInt(b []byte, n int64) []byte {
	var buf [20]byte
	return appendBulk(b, strconv.AppendInt(buf[:0], n, 10))
}

// appendSelectCommand appends SELECT db.
func appendSelectCommand(b []byte, db int) []byte {
	b = appendArrayHeader(b, 2)
	b = appendBulkString(b, "SELECT")
	return appendBulkInt(b, int64(db))
}

// selectDB appends a SELECT of db unless it is the one selected last.
func (w *snapshotWriter) selectDB(db int) {
	if w.db != db {
		w.buf = appendSelectCommand(w.buf, db)
		w.db = db
	}
}

// shard appends the commands that rebuild the live keys of sh, shard of db,
// preceded by a SELECT when db is not the database selected last. The
// shard must be locked (or otherwise still). now is the rewrite's clock in
// unix ms.
func (w *snapshotWriter) shard(db *DB, sh *shard, now int64) {
	if sh.dict.count == 0 {
		return
	}
	for _, e := range sh.dict.buckets {
		for ; e != nil; e = e.next {
			if expiredForRewrite(e, now) {
				continue
			}
			w.selectDB(db.id)
			w.buf = appendEntryCommands(w.buf, e)
		}
	}
}

// appendEntryCommands appends the commands that recreate e: its value, then
// its expiry.
func appendEntryCommands(b []byte, e *entry) []byte {
	switch e.kind {
	case kindString:
		b = appendArrayHeader(b, 3)
		b = appendBulkString(b, "SET")
		b = appendBulkString(b, e.key)
		b = appendBulk(b, e.str)
	case kindList:
		b = appendListCommands(b, e)
	case kindSet:
		b = appendSetCommands(b, e)
	case kindZSet:
		b = appendZSetCommands(b, e)
	case kindHash:
		b = appendHashCommands(b, e)
	default:
		// No other type is stored (streams are not implemented): a value
		// of one would be a bug, which must not pass silently into a log
		// that then loads without it.
		panic("backend: rewrite: unknown value type " + e.kind.String())
	}
	if e.expire != 0 {
		b = appendArrayHeader(b, 3)
		b = appendBulkString(b, "PEXPIREAT")
		b = appendBulkString(b, e.key)
		b = appendBulkInt(b, e.expire)
	}
	return b
}

// chunkHeader starts a variadic command (name key ...) for the next of the
// remaining items, at most aofRewriteItemsPerCmd of them, each item taking
// per arguments.
func chunkHeader(b []byte, name, key string, remaining, per int) []byte {
	n := min(remaining, aofRewriteItemsPerCmd)
	b = appendArrayHeader(b, 2+n*per)
	b = appendBulkString(b, name)
	return appendBulkString(b, key)
}

func appendListCommands(b []byte, e *entry) []byte {
	l := e.obj.(*listValue)
	for i := 0; i < l.n; i++ {
		if i%aofRewriteItemsPerCmd == 0 {
			b = chunkHeader(b, "RPUSH", e.key, l.n-i, 1)
		}
		b = appendBulkString(b, l.at(i))
	}
	return b
}

func appendSetCommands(b []byte, e *entry) []byte {
	s := e.obj.(*setValue)
	n := s.card()
	if s.ht != nil {
		for i := range s.ht.nodes {
			if i%aofRewriteItemsPerCmd == 0 {
				b = chunkHeader(b, "SADD", e.key, n-i, 1)
			}
			b = appendBulkString(b, s.ht.nodes[i].s)
		}
		return b
	}
	for i, v := range s.ints {
		if i%aofRewriteItemsPerCmd == 0 {
			b = chunkHeader(b, "SADD", e.key, n-i, 1)
		}
		b = appendBulkInt(b, v)
	}
	return b
}

func appendZSetCommands(b []byte, e *entry) []byte {
	z := zsetOf(e)
	n := z.len()
	var num [32]byte
	i := 0
	for it := z.tree.first(); it.valid(); it.next() {
		if i%aofRewriteItemsPerCmd == 0 {
			b = chunkHeader(b, "ZADD", e.key, n-i, 2)
		}
		item := it.item()
		b = appendBulk(b, appendScore(num[:0], item.score))
		b = appendBulkString(b, item.member)
		i++
	}
	return b
}

func appendHashCommands(b []byte, e *entry) []byte {
	h := hashRef{e}
	n := h.len()
	i := 0
	h.each(func(f, v []byte) bool {
		if i%aofRewriteItemsPerCmd == 0 {
			b = chunkHeader(b, "HMSET", e.key, n-i, 2)
		}
		b = appendBulk(b, f)
		b = appendBulk(b, v)
		i++
		return true
	})
	return b
}

// --- Dumping a shard in chunks ------------------------------------------------

// rewriteChunkEntries is about how many entries the rewrite's dumper
// visits per hold of a shard's lock: a few hundred microseconds of the
// shard's commands waiting, whatever the shard's size.
const rewriteChunkEntries = 256

// rewriteChunkBuckets bounds the buckets one chunk walks, for tables made
// sparse by deletions while they were frozen.
const rewriteChunkBuckets = 4096

// shardSnap is the state of a lock shard whose keys the running AOF
// rewrite is writing to its new base, chunk by chunk (persist.go). The
// shard's dict is frozen meanwhile, so that no key changes buckets: a key
// is dumped (its value as it was when the shard's dump started is in the
// base, or must never be) when its bucket is below cursor, or when it is
// in handled. Everything in it is guarded by the shard's lock.
type shardSnap struct {
	job    *rewriteJob
	cursor int // the buckets below it are dumped
	// handled holds the keys dealt with out of bucket order: saved to
	// pending before a command read or changed them, created since the
	// dump started (their creation is in the new incr file), or expired.
	handled map[string]struct{}
	// pending holds the commands that rebuild the keys saved out of
	// order, for the base; the dumper takes them with its next chunk.
	pending []byte
}

func newShardSnap(j *rewriteJob) *shardSnap {
	return &shardSnap{job: j, handled: make(map[string]struct{})}
}

// dumped reports whether key, of the shard whose dict is d, is dumped.
func (sn *shardSnap) dumped(d *dict, key string) bool {
	if len(d.buckets) > 0 && d.bucket(key) < sn.cursor {
		return true
	}
	_, ok := sn.handled[key]
	return ok
}

// handle marks key as dealt with, without saving it: the base must not
// hold it (it was just created, or its time ran out).
func (sn *shardSnap) handle(d *dict, key string) {
	if !sn.dumped(d, key) {
		sn.handled[key] = struct{}{}
	}
}

// rewriteExpirySlack is how long ago a key's time must have run out for the
// rewrite to leave it out. A command reads the clock when it starts (and
// may then wait for its shard's lock), so it can still see alive, and
// change, a key that ran out a moment before by the dumper's later clock;
// its records go to the new incr file, so the key must be in the base. A
// key that ran out within the slack is written with its PEXPIREAT, which
// removes it again when the file is loaded.
const rewriteExpirySlack = 1000 // ms

// expiredForRewrite reports whether the rewrite leaves e out: its time ran
// out more than rewriteExpirySlack before now (unix ms).
func expiredForRewrite(e *entry, now int64) bool {
	return e.expire != 0 && e.expire < now-rewriteExpirySlack
}

// save is the key-level copy-on-write of a shard being dumped: called
// before a command reads or changes the live entry e (or right after
// unlinking it, its value untouched), it saves e's value as it is now for
// the base, unless e is dumped already. The shard is locked and has a snap.
func (sh *shard) save(e *entry) {
	sn := sh.snap
	if sn.dumped(&sh.dict, e.key) {
		return
	}
	sn.handled[e.key] = struct{}{}
	sn.pending = appendEntryCommands(sn.pending, e)
}

// saveRest saves every key of sh not dumped yet (all of the rest of the
// dump at once, for a caller about to drop the whole table).
func (sn *shardSnap) saveRest(sh *shard) {
	now := time.Now().UnixMilli()
	b := sh.dict.buckets
	for ; sn.cursor < len(b); sn.cursor++ {
		for e := b[sn.cursor]; e != nil; e = e.next {
			if _, ok := sn.handled[e.key]; ok || expiredForRewrite(e, now) {
				continue
			}
			sn.pending = appendEntryCommands(sn.pending, e)
		}
	}
}

// chunk appends to w the commands of the keys in the buckets from the
// cursor on, stopping before the bucket that would take the entries
// visited past limit (limit <= 0: to the end), then the pending ones, and
// advances the cursor. It returns the entries visited and whether the
// cursor reached the end. Keys handled out of order and keys whose time
// ran out by now are left out. The shard (of db) is locked.
func (sn *shardSnap) chunk(w *snapshotWriter, db *DB, sh *shard, now int64, limit int) (n int, end bool) {
	b := sh.dict.buckets
	for nb := 0; sn.cursor < len(b); nb++ {
		m := 0
		for e := b[sn.cursor]; e != nil; e = e.next {
			m++
		}
		if limit > 0 && nb > 0 && (n+m > limit || nb >= rewriteChunkBuckets) {
			break
		}
		for e := b[sn.cursor]; e != nil; e = e.next {
			if expiredForRewrite(e, now) {
				continue
			}
			if _, ok := sn.handled[e.key]; ok {
				continue
			}
			w.selectDB(db.id)
			w.buf = appendEntryCommands(w.buf, e)
		}
		n += m
		sn.cursor++
	}
	if len(sn.pending) > 0 {
		w.selectDB(db.id)
		w.buf = append(w.buf, sn.pending...)
		if cap(sn.pending) > 1<<20 {
			sn.pending = nil
		} else {
			sn.pending = sn.pending[:0]
		}
	}
	return n, sn.cursor >= len(b)
}
