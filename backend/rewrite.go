package backend

import (
	"strconv"
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
// Keys whose time already ran out are left out, as Redis leaves them out.
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
			if e.expire != 0 && e.expire < now {
				continue
			}
			if w.db != db.id {
				w.buf = appendSelectCommand(w.buf, db.id)
				w.db = db.id
			}
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
