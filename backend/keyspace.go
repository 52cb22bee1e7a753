package backend

import (
	"sync"
)

// kind is the data type of a value, as TYPE names it.
type kind uint8

const (
	kindNone kind = iota
	kindString
	kindList
	kindSet
	kindZSet
	kindHash
	kindStream
)

func (k kind) String() string {
	switch k {
	case kindString:
		return "string"
	case kindList:
		return "list"
	case kindSet:
		return "set"
	case kindZSet:
		return "zset"
	case kindHash:
		return "hash"
	case kindStream:
		return "stream"
	}
	return "none"
}

// String encodings, as OBJECT ENCODING reports them.
const (
	encEmbstr uint8 = iota // created by SET and friends, up to 44 bytes
	encRaw                 // longer, or modified in place (APPEND, SETRANGE, SETBIT)
	encInt                 // an integer that fits a long
)

// entry flags.
const (
	flagVolatileListed uint8 = 1 << iota // present in shard.volatile
	flagDead                             // removed from its dict
	flagUnshared                         // a small integer Redis would hold as its own object (COPY's duplicate), not the shared one
)

// entry is one key and its value. Strings keep their bytes in str (mutable
// in place: APPEND, SETRANGE and SETBIT grow it); every other type keeps its
// structure in obj.
type entry struct {
	next   *entry
	key    string
	str    []byte
	obj    any
	expire int64  // absolute unix time in ms; 0 means no expiry
	lru    uint32 // access clock in seconds, for OBJECT IDLETIME
	kind   kind
	enc    uint8
	freq   uint8 // LFU counter, for OBJECT FREQ
	flags  uint8
}

// nShards is the number of independently locked parts of each database, so
// that two cores rarely meet on one lock. A key's shard is the top bits of
// the same hash its table uses for the bucket (the low bits). Assigning
// shards by Redis Cluster slot was measured first: CRC16 alone took ~9% of
// the node's CPU under redis-benchmark -P 16.
const (
	nShards     = 32
	nShardsBits = 5
)

// shard is a lockable part of a database. Everything in it is guarded by mu.
type shard struct {
	mu       sync.Mutex
	dict     dict
	volatile []*entry // entries that had an expiry set; may hold stale ones
	expires  int      // live entries with an expiry

	// Statistics summed by INFO; kept per shard so that counting never
	// makes two cores share a cache line.
	hits, misses, expired, dirty int64

	// db and idx name the shard; owner is the client whose command holds
	// it while that command records its effects (propagate.go).
	db    *DB
	idx   int
	owner *Client

	// snap is the state of the AOF rewrite's dump of this shard while it
	// is under way (persist.go), nil otherwise: the key-level
	// copy-on-write below costs the other commands one nil test.
	snap *shardSnap

	_ [64]byte // keep neighbouring shards' locks off one cache line
}

// DB is one of the numbered databases SELECT chooses.
type DB struct {
	id     int
	srv    *Server
	shards [nShards]shard
}

func newDB(srv *Server, id int) *DB {
	db := &DB{id: id, srv: srv}
	for i := range db.shards {
		db.shards[i].db = db
		db.shards[i].idx = i
	}
	return db
}

func shardIndex(key []byte) int { return int(hashKey(key) >> (64 - nShardsBits)) }

// shard returns the shard that owns key.
func (db *DB) shard(key []byte) *shard { return &db.shards[shardIndex(key)] }

// lockAll locks every shard of db in index order (the lock order).
func (db *DB) lockAll() {
	for i := range db.shards {
		db.shards[i].mu.Lock()
	}
}

func (db *DB) unlockAll() {
	for i := range db.shards {
		db.shards[i].mu.Unlock()
	}
}

// size is the number of keys in db, expired-but-not-yet-removed included, as
// DBSIZE counts them.
func (db *DB) size(c *Client) int {
	n := 0
	for i := range db.shards {
		sh := &db.shards[i]
		c.lockShard(sh)
		n += sh.dict.count
		c.unlockShard(sh)
	}
	return n
}

// keysAndExpires returns the key and volatile-key counts for INFO keyspace.
func (db *DB) keysAndExpires(c *Client) (keys, expires int) {
	for i := range db.shards {
		sh := &db.shards[i]
		c.lockShard(sh)
		keys += sh.dict.count
		expires += sh.expires
		c.unlockShard(sh)
	}
	return keys, expires
}

// lookup returns the live entry for key, deleting it first if it has
// expired (lazy expiry). It counts a hit or a miss, and touches the access
// clock unless touch is false. The shard must be locked.
func (sh *shard) lookup(db *DB, key []byte, now int64, touch bool) *entry {
	e := sh.dict.find(key)
	if e != nil && e.expire != 0 && e.expire <= now {
		sh.expireEntry(db, e)
		e = nil
	}
	if e == nil {
		sh.misses++
		keyspaceEvent(db, notifyKeyMiss, "keymiss", key)
		return nil
	}
	if sh.snap != nil {
		sh.save(e)
	}
	sh.hits++
	if touch {
		e.lru = db.srv.lruClock()
	}
	return e
}

// peek is lookup for writes: it expires lazily but keeps no statistics and
// leaves the access clock alone. The shard must be locked.
func (sh *shard) peek(db *DB, key []byte, now int64) *entry {
	e := sh.dict.find(key)
	if e != nil && e.expire != 0 && e.expire <= now {
		sh.expireEntry(db, e)
		return nil
	}
	if e != nil && sh.snap != nil {
		sh.save(e)
	}
	return e
}

// expireEntry removes an expired entry. The shard must be locked.
func (sh *shard) expireEntry(db *DB, e *entry) {
	if sh.snap != nil {
		// Its time ran out: the rewrite's base leaves it out, as the
		// dump leaves out the keys it finds expired.
		sh.snap.handle(&sh.dict, e.key)
	}
	sh.unlink(e)
	sh.expired++
	sh.propagateExpired(db, e.key)
	db.srv.keyExpired(db, e)
}

// add inserts a new entry for key (which must be absent) and returns it.
func (sh *shard) add(db *DB, key []byte, k kind) *entry {
	e := &entry{key: string(key), kind: k, lru: db.srv.lruClock()}
	sh.dict.insert(e)
	if sh.snap != nil {
		sh.snap.handle(&sh.dict, e.key) // its creation is logged
	}
	keyspaceEvent(db, notifyNew, "new", key)
	signalKeyAsReadyKind(db, key, k)
	return e
}

// insertEntry inserts a copy of e under key (which must be absent) and
// returns the copy: RENAME, MOVE, COPY and RESTORE hand over whole values.
// The value is shared, not copied; callers that keep the old entry alive
// (COPY) must give a duplicated value. The old entry object is never reused,
// since another shard's volatile list may still point at it.
func (sh *shard) insertEntry(key []byte, e *entry) *entry {
	ne := &entry{
		key:    string(key),
		str:    e.str,
		obj:    e.obj,
		expire: e.expire,
		lru:    e.lru,
		kind:   e.kind,
		enc:    e.enc,
		freq:   e.freq,
		flags:  e.flags & flagUnshared,
	}
	sh.dict.insert(ne)
	if sh.snap != nil {
		sh.snap.handle(&sh.dict, ne.key) // its creation is logged
	}
	if ne.expire != 0 {
		sh.expires++
		sh.trackExpire(ne)
	}
	return ne
}

// remove deletes key and returns its entry, or nil when absent. Expiry is
// not checked: callers look the key up first.
func (sh *shard) remove(key []byte) *entry {
	e := sh.dict.remove(key)
	if e != nil {
		if sh.snap != nil {
			sh.save(e)
		}
		sh.forget(e)
	}
	return e
}

// unlink removes the entry e from the dict.
func (sh *shard) unlink(e *entry) {
	if sh.snap != nil {
		sh.save(e)
	}
	sh.dict.remove([]byte(e.key))
	sh.forget(e)
}

func (sh *shard) forget(e *entry) {
	if e.expire != 0 {
		sh.expires--
	}
	e.flags |= flagDead
	e.flags &^= flagVolatileListed
}

// setExpire sets (ms > 0) or clears (ms == 0) the expiry of a live entry.
func (sh *shard) setExpire(e *entry, ms int64) {
	switch {
	case e.expire == 0 && ms != 0:
		sh.expires++
	case e.expire != 0 && ms == 0:
		sh.expires--
	}
	e.expire = ms
	if ms != 0 {
		sh.trackExpire(e)
	}
}

func (sh *shard) trackExpire(e *entry) {
	if e.flags&flagVolatileListed != 0 {
		return
	}
	e.flags |= flagVolatileListed
	sh.volatile = append(sh.volatile, e)
	// Stale entries (deleted, or persisted) are dropped when they outnumber
	// the live ones, so the list stays within twice the volatile keys.
	if len(sh.volatile) > 64 && len(sh.volatile) > 2*sh.expires {
		sh.compactVolatile()
	}
}

func (sh *shard) compactVolatile() {
	live := sh.volatile[:0]
	for _, e := range sh.volatile {
		if e.flags&flagDead == 0 && e.expire != 0 {
			live = append(live, e)
		} else if e.flags&flagDead == 0 {
			e.flags &^= flagVolatileListed
		}
	}
	clear(sh.volatile[len(live):])
	sh.volatile = live
}

// flush drops every key of the shard. The shard must be locked.
func (sh *shard) flush() {
	if sh.snap != nil {
		// FLUSHDB and FLUSHALL finish the rewrite's dump of the shards
		// they hold first (beforeWrite); should another caller come,
		// the keys not dumped yet still reach the base.
		sh.snap.saveRest(sh)
	}
	sh.dict.clear()
	sh.volatile = nil
	sh.expires = 0
}
