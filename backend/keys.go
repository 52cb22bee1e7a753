package backend

import (
	"fmt"
	"math"
	"math/bits"
	"strings"
)

// The generic key commands (redis-server's db.c and expire.c): DEL, EXISTS,
// TYPE, TOUCH, the EXPIRE and TTL families, PERSIST, RENAME, COPY, MOVE, and
// the database commands SELECT, SWAPDB, FLUSHDB, FLUSHALL, DBSIZE. KEYS,
// SCAN and RANDOMKEY are in scan.go, DUMP and RESTORE in dump.go.

func init() {
	register("del", cmdDel)
	register("unlink", cmdDel) // values are freed by the garbage collector either way
	register("exists", cmdExists)
	register("type", cmdType)
	register("touch", cmdTouch)
	register("expire", func(c *Client, args [][]byte) { expireGeneric(c, args, "expire", c.now, true) })
	register("pexpire", func(c *Client, args [][]byte) { expireGeneric(c, args, "pexpire", c.now, false) })
	register("expireat", func(c *Client, args [][]byte) { expireGeneric(c, args, "expireat", 0, true) })
	register("pexpireat", func(c *Client, args [][]byte) { expireGeneric(c, args, "pexpireat", 0, false) })
	register("ttl", func(c *Client, args [][]byte) { ttlGeneric(c, args, false, false) })
	register("pttl", func(c *Client, args [][]byte) { ttlGeneric(c, args, true, false) })
	register("expiretime", func(c *Client, args [][]byte) { ttlGeneric(c, args, false, true) })
	register("pexpiretime", func(c *Client, args [][]byte) { ttlGeneric(c, args, true, true) })
	register("persist", cmdPersist)
	register("rename", func(c *Client, args [][]byte) { renameGeneric(c, args, false) })
	register("renamenx", func(c *Client, args [][]byte) { renameGeneric(c, args, true) })
	register("copy", cmdCopy)
	register("move", cmdMove)
	register("select", cmdSelect)
	register("swapdb", cmdSwapDB)
	register("flushdb", cmdFlushDB)
	register("flushall", cmdFlushAll)
	register("dbsize", cmdDBSize)
}

// Error replies of the generic key commands, with redis-server's texts.
const (
	errSameObject      = "ERR source and destination objects are the same"
	errIntRange        = "ERR value is out of range, value must between -2147483648 and 2147483647"
	errExpireNXAndMore = "ERR NX and XX, GT or LT options at the same time are not compatible"
	errExpireGTAndLT   = "ERR GT and LT options at the same time are not compatible"
)

// --- Locking several shards -------------------------------------------------
//
// A command that touches several keys locks every shard involved before it
// reads anything, in the lock order of doc.go: databases by index, then
// shards by index. Within one database the set of shards is a bit mask.

// shardMask is a set of shard indexes of one database: bit i is shard i.
type shardMask uint32

// A shardMask must have a bit for every shard.
const _ shardMask = 1 << (nShards - 1)

// keysShardMask is the set of shards that own keys.
func keysShardMask(keys [][]byte) shardMask {
	var m shardMask
	for _, k := range keys {
		m |= 1 << shardIndex(k)
	}
	return m
}

// lockShardMask locks the shards of db in m, in index order.
func (db *DB) lockShardMask(m shardMask) {
	for ; m != 0; m &= m - 1 {
		db.shards[bits.TrailingZeros32(uint32(m))].mu.Lock()
	}
}

// unlockShardMask unlocks the shards of db in m.
func (db *DB) unlockShardMask(m shardMask) {
	for ; m != 0; m &= m - 1 {
		db.shards[bits.TrailingZeros32(uint32(m))].mu.Unlock()
	}
}

// lockShardPair locks shard i of a and shard j of b in the lock order; a
// shard named twice is locked once. a and b may be the same database.
func lockShardPair(a *DB, i int, b *DB, j int) {
	switch {
	case a == b && i == j:
		a.shards[i].mu.Lock()
	case a.id < b.id || (a.id == b.id && i < j):
		a.shards[i].mu.Lock()
		b.shards[j].mu.Lock()
	default:
		b.shards[j].mu.Lock()
		a.shards[i].mu.Lock()
	}
}

// unlockShardPair undoes lockShardPair.
func unlockShardPair(a *DB, i int, b *DB, j int) {
	a.shards[i].mu.Unlock()
	if a != b || i != j {
		b.shards[j].mu.Unlock()
	}
}

// peekTouched is lookupKeyWrite: shard.peek, plus the access-clock update
// redis-server's write lookups make (OBJECT IDLETIME is 0 after EXPIRE,
// RENAME, MOVE). The shard must be locked.
func (sh *shard) peekTouched(db *DB, key []byte, now int64) *entry {
	e := sh.peek(db, key, now)
	if e != nil {
		e.lru = db.srv.lruClock()
	}
	return e
}

// --- Integer arguments --------------------------------------------------------

// parseStrictInt parses b as redis-server's string2ll does: optional '-',
// no '+', no spaces, no leading zeros ("0" itself aside), within int64.
func parseStrictInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		d := uint64(ch - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// intArg is getIntFromObjectOrReply: an int within int32, or an error reply
// (notInt replaces both texts when not empty, as SWAPDB's "invalid first DB
// index" does).
func intArg(c *Client, b []byte, notInt string) (int, bool) {
	v, ok := parseStrictInt(b)
	if !ok {
		if notInt == "" {
			notInt = errNotInt
		}
		c.err(notInt)
		return 0, false
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		if notInt == "" {
			notInt = errIntRange
		}
		c.err(notInt)
		return 0, false
	}
	return int(v), true
}

// dbArg parses a database index argument (SELECT, MOVE, COPY ... DB) and
// returns the database, or replies with the error and returns nil.
func dbArg(c *Client, b []byte) *DB {
	id, ok := intArg(c, b, "")
	if !ok {
		return nil
	}
	if id < 0 || id >= len(c.srv.dbs) {
		c.err(errDBIndex)
		return nil
	}
	return c.srv.dbs[id]
}

// --- DEL, UNLINK, EXISTS, TOUCH, TYPE ---------------------------------------

func cmdDel(c *Client, args [][]byte) {
	db := c.db
	keys := args[1:]
	if len(keys) == 1 {
		sh := db.shard(keys[0])
		c.lockShard(sh)
		n := 0
		if sh.peek(db, keys[0], c.now) != nil {
			sh.remove(keys[0])
			sh.dirty++
			c.propArgs(args)
			signalModifiedKey(db, keys[0])
			notifyKeyspaceEvent(c.srv, notifyGeneric, "del", keys[0], db.id)
			n = 1
		}
		c.unlockShard(sh)
		c.w.WriteInt(int64(n))
		return
	}
	m := keysShardMask(keys)
	c.lockShards(db, m)
	n := 0
	for _, k := range keys {
		sh := db.shard(k)
		if sh.peek(db, k, c.now) != nil {
			sh.remove(k)
			sh.dirty++
			signalModifiedKey(db, k)
			notifyKeyspaceEvent(c.srv, notifyGeneric, "del", k, db.id)
			n++
		}
	}
	if n > 0 {
		c.propArgs(args)
	}
	c.unlockShards(db, m)
	c.w.WriteInt(int64(n))
}

// countExisting is EXISTS and TOUCH: the number of keys (repeats counted)
// that exist.
func countExisting(c *Client, keys [][]byte, touch bool) {
	db := c.db
	m := keysShardMask(keys)
	c.lockShards(db, m)
	n := 0
	for _, k := range keys {
		if db.shard(k).lookup(db, k, c.now, touch) != nil {
			n++
		}
	}
	c.unlockShards(db, m)
	c.w.WriteInt(int64(n))
}

func cmdExists(c *Client, args [][]byte) { countExisting(c, args[1:], false) }

func cmdTouch(c *Client, args [][]byte) { countExisting(c, args[1:], true) }

func cmdType(c *Client, args [][]byte) {
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	k := kindNone
	if e := sh.lookup(c.db, args[1], c.now, false); e != nil {
		k = e.kind
	}
	c.unlockShard(sh)
	c.w.WriteSimple(k.String())
}

// --- EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT -----------------------------------

// Conditions of the EXPIRE family (Redis 7.0).
const (
	expireNX = 1 << iota
	expireXX
	expireGT
	expireLT
)

// expireGeneric is EXPIRE and friends: the key expires at basetime + the
// argument (seconds when secs), or at once when that time has passed.
func expireGeneric(c *Client, args [][]byte, name string, basetime int64, secs bool) {
	flags := 0
	for _, a := range args[3:] {
		switch {
		case strings.EqualFold(string(a), "nx"):
			flags |= expireNX
		case strings.EqualFold(string(a), "xx"):
			flags |= expireXX
		case strings.EqualFold(string(a), "gt"):
			flags |= expireGT
		case strings.EqualFold(string(a), "lt"):
			flags |= expireLT
		default:
			c.err("ERR Unsupported option " + string(a))
			return
		}
	}
	if flags&expireNX != 0 && flags&(expireXX|expireGT|expireLT) != 0 {
		c.err(errExpireNXAndMore)
		return
	}
	if flags&expireGT != 0 && flags&expireLT != 0 {
		c.err(errExpireGTAndLT)
		return
	}
	when, ok := parseStrictInt(args[2])
	if !ok {
		c.err(errNotInt)
		return
	}
	// A negative time is allowed (the key is deleted); overflow is not.
	if secs {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.err(fmt.Sprintf(errInvalidExp, name))
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-basetime {
		c.err(fmt.Sprintf(errInvalidExp, name))
		return
	}
	when += basetime

	db := c.db
	key := args[1]
	sh := db.shard(key)
	c.lockShard(sh)
	e := sh.peekTouched(db, key, c.now)
	if e == nil || !expireAllowed(flags, e.expire, when) {
		c.unlockShard(sh)
		c.w.WriteInt(0)
		return
	}
	if when <= c.now {
		sh.remove(key)
		c.propDel(db, key)
		signalModifiedKey(db, key)
		notifyKeyspaceEvent(c.srv, notifyGeneric, "del", key, db.id)
	} else {
		sh.setExpire(e, when)
		if c.recording() {
			// As PEXPIREAT key ms with the request's conditions, as Redis
			// does.
			c.propBegin(db, len(args))
			c.propStr("PEXPIREAT")
			c.propArg(key)
			c.propInt(when)
			for _, a := range args[3:] {
				c.propArg(a)
			}
		}
		signalModifiedKey(db, key)
		notifyKeyspaceEvent(c.srv, notifyGeneric, "expire", key, db.id)
	}
	sh.dirty++
	c.unlockShard(sh)
	c.w.WriteInt(1)
}

// expireAllowed applies NX, XX, GT and LT to a key whose expiry is cur (0:
// none, which GT and LT treat as infinite) and the new time when.
func expireAllowed(flags int, cur, when int64) bool {
	switch {
	case flags&expireNX != 0 && cur != 0:
		return false
	case flags&expireXX != 0 && cur == 0:
		return false
	case flags&expireGT != 0 && (cur == 0 || when <= cur):
		return false
	case flags&expireLT != 0 && cur != 0 && when >= cur:
		return false
	}
	return true
}

// ttlGeneric is TTL, PTTL, EXPIRETIME and PEXPIRETIME: -2 when the key is
// missing, -1 without expiry, else the time left (or the absolute time),
// in seconds rounded to the nearest unless ms.
func ttlGeneric(c *Client, args [][]byte, ms, abs bool) {
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	e := sh.lookup(c.db, args[1], c.now, false)
	var expire int64 = -1
	if e != nil {
		expire = e.expire
	}
	c.unlockShard(sh)
	switch {
	case e == nil:
		c.w.WriteInt(-2)
	case expire == 0:
		c.w.WriteInt(-1)
	default:
		t := expire
		if !abs {
			t = max(expire-c.now, 0)
		}
		if !ms {
			// t >= 0; unsigned, as redis-server's compiled (t+500)/1000
			// behaves at the top of the range (EXPIRETIME of PEXPIREAT
			// 9223372036854775807 is 9223372036854776).
			t = int64((uint64(t) + 500) / 1000)
		}
		c.w.WriteInt(t)
	}
}

func cmdPersist(c *Client, args [][]byte) {
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	n := 0
	if e := sh.peekTouched(c.db, args[1], c.now); e != nil && e.expire != 0 {
		sh.setExpire(e, 0)
		sh.dirty++
		c.propArgs(args)
		signalModifiedKey(c.db, args[1])
		notifyKeyspaceEvent(c.srv, notifyGeneric, "persist", args[1], c.db.id)
		n = 1
	}
	c.unlockShard(sh)
	c.w.WriteInt(int64(n))
}

// --- RENAME, RENAMENX, MOVE, COPY -------------------------------------------

func renameGeneric(c *Client, args [][]byte, nx bool) {
	db := c.db
	src, dst := args[1], args[2]
	si, di := shardIndex(src), shardIndex(dst)
	c.lockShardPair(db, si, db, di)
	found, renamed := renameLocked(c, src, dst, si, di, nx)
	if renamed {
		c.propArgs(args)
	}
	c.unlockShardPair(db, si, db, di)
	switch {
	case !found:
		c.err(errNoSuchKey)
	case !nx:
		c.w.WriteOK()
	case renamed:
		c.w.WriteInt(1)
	default:
		c.w.WriteInt(0)
	}
}

// renameLocked moves src's value to dst, both shards locked. found is
// false when src does not exist; renamed is false when src and dst are the
// same key, or dst exists and nx is set.
func renameLocked(c *Client, src, dst []byte, si, di int, nx bool) (found, renamed bool) {
	db := c.db
	ssh, dsh := &db.shards[si], &db.shards[di]
	e := ssh.peekTouched(db, src, c.now)
	if e == nil {
		return false, false
	}
	if string(src) == string(dst) {
		return true, false
	}
	if dsh.peekTouched(db, dst, c.now) != nil {
		if nx {
			return true, false
		}
		dsh.remove(dst)
	}
	// The value moves with its expiry and access clock; the new entry is a
	// fresh object (see shard.insertEntry).
	dsh.insertEntry(dst, e)
	keyspaceEvent(db, notifyNew, "new", dst)
	signalKeyAsReadyKind(db, dst, e.kind)
	ssh.remove(src)
	dsh.dirty++
	signalModifiedKey(db, src)
	signalModifiedKey(db, dst)
	notifyKeyspaceEvent(c.srv, notifyGeneric, "rename_from", src, db.id)
	notifyKeyspaceEvent(c.srv, notifyGeneric, "rename_to", dst, db.id)
	return true, true
}

func cmdMove(c *Client, args [][]byte) {
	src := c.db
	dst := dbArg(c, args[2])
	if dst == nil {
		return
	}
	if dst == src {
		c.err(errSameObject)
		return
	}
	key := args[1]
	i := shardIndex(key)
	c.lockShardPair(src, i, dst, i)
	n := 0
	if e := src.shards[i].peekTouched(src, key, c.now); e != nil && dst.shards[i].peekTouched(dst, key, c.now) == nil {
		dst.shards[i].insertEntry(key, e)
		keyspaceEvent(dst, notifyNew, "new", key)
		signalKeyAsReadyKind(dst, key, e.kind)
		src.shards[i].remove(key)
		src.shards[i].dirty++
		c.propArgs(args)
		signalModifiedKey(src, key)
		signalModifiedKey(dst, key)
		notifyKeyspaceEvent(c.srv, notifyGeneric, "move_from", key, src.id)
		notifyKeyspaceEvent(c.srv, notifyGeneric, "move_to", key, dst.id)
		n = 1
	}
	c.unlockShardPair(src, i, dst, i)
	c.w.WriteInt(int64(n))
}

func cmdCopy(c *Client, args [][]byte) {
	src, dst := c.db, c.db
	replace := false
	for j := 3; j < len(args); j++ {
		switch {
		case strings.EqualFold(string(args[j]), "replace"):
			replace = true
		case strings.EqualFold(string(args[j]), "db") && j+1 < len(args):
			if dst = dbArg(c, args[j+1]); dst == nil {
				return
			}
			j++
		default:
			c.err(errSyntax)
			return
		}
	}
	key, newkey := args[1], args[2]
	if src == dst && string(key) == string(newkey) {
		c.err(errSameObject)
		return
	}
	si, di := shardIndex(key), shardIndex(newkey)
	c.lockShardPair(src, si, dst, di)
	defer c.unlockShardPair(src, si, dst, di)
	ssh, dsh := &src.shards[si], &dst.shards[di]
	e := ssh.lookup(src, key, c.now, !c.noTouch.Load())
	if e == nil {
		c.w.WriteInt(0)
		return
	}
	codec := valueCodecs[e.kind]
	if codec == nil {
		c.err(errNoCodec)
		return
	}
	if dsh.peekTouched(dst, newkey, c.now) != nil {
		if !replace {
			c.w.WriteInt(0)
			return
		}
		dsh.remove(newkey)
	}
	// A copy is a new object: fresh access clock, its own value.
	ne := dsh.add(dst, newkey, e.kind)
	codec.dup(ne, e)
	if e.expire != 0 {
		dsh.setExpire(ne, e.expire)
	}
	dsh.dirty++
	c.propArgs(args)
	signalModifiedKey(dst, newkey)
	notifyKeyspaceEvent(c.srv, notifyGeneric, "copy_to", newkey, dst.id)
	c.w.WriteInt(1)
}

// --- SELECT, SWAPDB, FLUSHDB, FLUSHALL, DBSIZE ------------------------------

func cmdSelect(c *Client, args [][]byte) {
	db := dbArg(c, args[1])
	if db == nil {
		return
	}
	c.db = db
	c.dbIndex.Store(int32(db.id))
	c.w.WriteOK()
}

// cmdSwapDB exchanges the contents of two databases: clients that selected
// one now see the other's keys, as in Redis, because every client keeps its
// *DB and the keys move between the DB values.
func cmdSwapDB(c *Client, args [][]byte) {
	id1, ok := intArg(c, args[1], "ERR invalid first DB index")
	if !ok {
		return
	}
	id2, ok := intArg(c, args[2], "ERR invalid second DB index")
	if !ok {
		return
	}
	n := len(c.srv.dbs)
	if id1 < 0 || id1 >= n || id2 < 0 || id2 >= n {
		c.err(errDBIndex)
		return
	}
	if id1 != id2 {
		a, b := c.srv.dbs[min(id1, id2)], c.srv.dbs[max(id1, id2)]
		c.lockDB(a)
		c.lockDB(b)
		touchAllWatchedKeysInDB(a, b, c.now)
		touchAllWatchedKeysInDB(b, a, c.now)
		for i := range a.shards {
			sa, sb := &a.shards[i], &b.shards[i]
			sa.dict, sb.dict = sb.dict, sa.dict
			sa.volatile, sb.volatile = sb.volatile, sa.volatile
			sa.expires, sb.expires = sb.expires, sa.expires
		}
		a.shards[0].dirty++
		c.propArgs(args)
		// Clients blocked in either database may find their keys now.
		c.srv.blocking.signalDB(a)
		c.srv.blocking.signalDB(b)
		c.unlockDB(b)
		c.unlockDB(a)
	}
	c.w.WriteOK()
}

// flushArgs parses FLUSHDB's and FLUSHALL's optional SYNC or ASYNC. Both
// free at once: dropping the tables is all either needs, the garbage
// collector frees the values in the background.
func flushArgs(c *Client, args [][]byte) bool {
	if len(args) > 2 || (len(args) == 2 && !strings.EqualFold(string(args[1]), "sync") && !strings.EqualFold(string(args[1]), "async")) {
		c.err(errSyntax)
		return false
	}
	return true
}

// flushLocked empties every shard of db, which must be locked, and returns
// the number of keys removed.
func (db *DB) flushLocked() int64 {
	var n int64
	for i := range db.shards {
		sh := &db.shards[i]
		n += int64(sh.dict.count)
		sh.flush()
	}
	return n
}

func cmdFlushDB(c *Client, args [][]byte) {
	if !flushArgs(c, args) {
		return
	}
	db := c.db
	c.lockDB(db)
	touchAllWatchedKeysInDB(db, nil, c.now)
	db.shards[0].dirty += db.flushLocked()
	c.propArgs(args) // even when it was empty, as Redis does
	c.unlockDB(db)
	c.w.WriteOK()
}

func cmdFlushAll(c *Client, args [][]byte) {
	if !flushArgs(c, args) {
		return
	}
	dbs := c.srv.dbs
	for _, db := range dbs {
		c.lockDB(db)
	}
	var n int64
	for _, db := range dbs {
		touchAllWatchedKeysInDB(db, nil, c.now)
		n += db.flushLocked()
	}
	dbs[0].shards[0].dirty += n + 1
	c.propArgs(args) // even when it was empty, as Redis does
	for i := len(dbs) - 1; i >= 0; i-- {
		c.unlockDB(dbs[i])
	}
	c.w.WriteOK()
}

func cmdDBSize(c *Client, args [][]byte) { c.w.WriteInt(int64(c.db.size(c))) }
