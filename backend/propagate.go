package backend

import (
	"math/bits"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/shardis/shardis/aof"
)

// Propagation: every write command records its effects, in execution
// order, as commands for the append-only file (and later replication),
// the way redis-server 7.0 propagates them: effects, not requests
// (relative expiries as PEXPIREAT or SET ... PXAT, SPOP as SREM,
// INCRBYFLOAT as SET ... KEEPTTL, HINCRBYFLOAT as HSET, a blocking pop as
// its non-blocking form, an expired key as DEL), and nothing for a write
// that changed nothing.
//
// # How a command records
//
// The shard lock helpers of multi.go (c.lockShard, c.lockShards, c.lockDB,
// c.lockShardPair) start recording when a Sink is set: once the lock is
// taken they note the shard as held by the command (Client.prop.held) and
// make the client the shard's owner, so that a key the command's lookups
// find expired is recorded as a DEL in the command's records, before the
// command's own. A handler that changed something records what to log
// with c.propArgs (the request as it is) or c.propBegin and the c.propArg
// family (a rewritten command), always before it unlocks. The unlock
// helpers hand the records over to the Sink before releasing the shards:
// the log's order is the keyspace's order. EXEC records every command of
// the transaction and hands them over once, before it unlocks. A blocked
// client served by a push records its pop while tryServe holds the shards.
// Active expiry, which runs outside any command, hands over its DEL at once
// with the one shard it holds.
//
// With no Sink (Server.SetSink(nil), the default) the lock helpers make
// one atomic load, c.prop.sink stays nil, and every recording call returns
// at its first test.

// Record is one command as the append-only file logs it: its database and
// one complete RESP array.
type Record = aof.Record

// HeldShards is a set of lock shards of one database.
type HeldShards struct {
	DB     int
	Shards uint32 // bit i: shard i of the database
}

// Sink receives the effects of the node's write commands.
type Sink interface {
	// Propagate receives, in execution order, the records of one command,
	// of one whole EXEC, of one blocked client served, or of one key
	// removed by active expiry. It is called while the shards in held
	// are locked by the caller (the ones the command holds: the records
	// touch no other shard), from any goroutine, never concurrently for
	// two commands that share a shard. recs, their bytes and held are
	// valid only during the call.
	Propagate(recs []Record, held []HeldShards)
}

// LockObserver is an optional interface of a Sink, for a consumer that
// must act on shards before a command reads or changes them (an AOF
// rewrite snapshots a shard not yet written to its new base before the
// first command that also touches written ones changes it).
type LockObserver interface {
	// Locked is called each time a command, an EXEC or the serving of a
	// blocked client has locked shards, before it reads or changes them,
	// with every shard it then holds (locked, and staying locked until
	// the Propagate call of its records, if it has any). held is valid
	// only during the call. Keys removed by active expiry are not
	// announced: their records hold the one shard they touch.
	Locked(held []HeldShards)
}

// sinkBox holds a Sink behind an atomic pointer, and the Sink as a
// LockObserver when it is one.
type sinkBox struct {
	s   Sink
	obs LockObserver
}

// SetSink makes k receive the effects of every write command from the
// next lock a command takes on; nil stops propagation. A command records
// only if a Sink was set when it took its first lock.
func (s *Server) SetSink(k Sink) {
	if k == nil {
		s.prop.sink.Store(nil)
		return
	}
	obs, _ := k.(LockObserver)
	s.prop.sink.Store(&sinkBox{s: k, obs: obs})
}

// propState is a client's recording state: the records of the running
// command and the shards it holds. Only the client's goroutine touches it
// (and tryServe, while the client is blocked and cannot).
type propState struct {
	sink   Sink         // non-nil while the command records
	obs    LockObserver // the Sink as a LockObserver, or nil
	buf    []byte
	starts []int // where each record begins in buf
	dbs    []int // each record's database
	recs   []Record
	held   []HeldShards
}

// propServer is the server's propagation state.
type propServer struct {
	// sink is the Sink, nil when nothing listens.
	sink atomic.Pointer[sinkBox]
	// mu guards scratch: the records of keys expired outside a command.
	mu      sync.Mutex
	scratch propState
}

func (s *Server) loadSink() Sink {
	if b := s.prop.sink.Load(); b != nil {
		return b.s
	}
	return nil
}

// --- Recording ---------------------------------------------------------

// recording reports whether the running command records its effects.
func (c *Client) recording() bool { return c.prop.sink != nil }

// propArgs records args as they are, in c's database.
func (c *Client) propArgs(args [][]byte) {
	if c.prop.sink != nil && len(args) > 0 {
		c.prop.appendArgs(c.db.id, args)
	}
}

// propArgsDB records args as they are, in db.
func (c *Client) propArgsDB(db *DB, args [][]byte) {
	if c.prop.sink != nil {
		c.prop.appendArgs(db.id, args)
	}
}

// propBegin starts a record of n arguments in db; the arguments follow
// with propArg, propStr and propInt. Callers test c.recording() first.
func (c *Client) propBegin(db *DB, n int) { c.prop.begin(db.id, n) }

// propArg adds a bulk argument to the record propBegin started.
func (c *Client) propArg(b []byte) { c.prop.bulk(b) }

// propStr is propArg for a string.
func (c *Client) propStr(s string) { c.prop.bulkStr(s) }

// propInt is propArg for an integer in decimal.
func (c *Client) propInt(v int64) {
	var tmp [20]byte
	c.prop.bulk(strconv.AppendInt(tmp[:0], v, 10))
}

// propCmd records a command of string arguments in db.
func (c *Client) propCmd(db *DB, args ...[]byte) {
	if c.prop.sink != nil {
		c.prop.appendArgs(db.id, args)
	}
}

// propDel records DEL key in db (a past expiry, GETDEL).
func (c *Client) propDel(db *DB, key []byte) {
	if c.prop.sink != nil {
		c.prop.begin(db.id, 2)
		c.prop.buf = append(c.prop.buf, "$3\r\nDEL\r\n"...)
		c.prop.bulk(key)
	}
}

// propExpireAt records PEXPIREAT key ms in db.
func (c *Client) propExpireAt(db *DB, key []byte, ms int64) {
	if c.prop.sink != nil {
		c.prop.begin(db.id, 3)
		c.propStr("PEXPIREAT")
		c.prop.bulk(key)
		c.propInt(ms)
	}
}

func (p *propState) begin(db, n int) {
	p.starts = append(p.starts, len(p.buf))
	p.dbs = append(p.dbs, db)
	p.buf = append(p.buf, '*')
	p.buf = strconv.AppendInt(p.buf, int64(n), 10)
	p.buf = append(p.buf, '\r', '\n')
}

func (p *propState) bulk(b []byte) {
	p.buf = append(p.buf, '$')
	p.buf = strconv.AppendInt(p.buf, int64(len(b)), 10)
	p.buf = append(p.buf, '\r', '\n')
	p.buf = append(p.buf, b...)
	p.buf = append(p.buf, '\r', '\n')
}

func (p *propState) appendArgs(db int, args [][]byte) {
	p.begin(db, len(args))
	for _, a := range args {
		p.bulk(a)
	}
}

func (p *propState) appendDel(db int, key string) {
	p.begin(db, 2)
	p.buf = append(p.buf, "$3\r\nDEL\r\n"...)
	p.bulkStr(key)
}

func (p *propState) bulkStr(s string) {
	p.buf = append(p.buf, '$')
	p.buf = strconv.AppendInt(p.buf, int64(len(s)), 10)
	p.buf = append(p.buf, '\r', '\n')
	p.buf = append(p.buf, s...)
	p.buf = append(p.buf, '\r', '\n')
}

// pending reports whether records wait for the Sink.
func (p *propState) pending() bool { return len(p.starts) > 0 }

// flush hands the records over to sink with the shards of held locked,
// and empties the buffer for the next command.
func (p *propState) flush(sink Sink, held []HeldShards) {
	if len(p.starts) == 0 {
		return
	}
	recs := p.recs[:0]
	for i, st := range p.starts {
		end := len(p.buf)
		if i+1 < len(p.starts) {
			end = p.starts[i+1]
		}
		recs = append(recs, Record{DB: p.dbs[i], Cmd: p.buf[st:end:end]})
	}
	sink.Propagate(recs, held)
	clear(recs)
	p.recs = recs[:0]
	p.starts = p.starts[:0]
	p.dbs = p.dbs[:0]
	// A huge value once logged does not keep its buffer forever.
	if cap(p.buf) > 1<<20 {
		p.buf = nil
	} else {
		p.buf = p.buf[:0]
	}
}

// --- Held shards -----------------------------------------------------------

// propHold notes that c's command took the shards m of db, after locking
// them: recording starts if a Sink is set.
func (c *Client) propHold(db *DB, m shardMask) {
	p := &c.prop
	if p.sink == nil {
		b := db.srv.prop.sink.Load()
		if b == nil {
			return
		}
		p.sink, p.obs = b.s, b.obs
	}
	c.propNoteHeld(db, m)
	setOwners(db, m, c)
	if srv := db.srv; srv.aof.job.Load() != nil {
		// An AOF rewrite runs: the shards must be all dumped or none
		// (persist.go), before the command changes them.
		srv.aof.beforeWrite(p.held)
	}
}

func (c *Client) propNoteHeld(db *DB, m shardMask) {
	p := &c.prop
	for i := range p.held {
		if p.held[i].DB == db.id {
			p.held[i].Shards |= uint32(m)
			return
		}
	}
	p.held = append(p.held, HeldShards{DB: db.id, Shards: uint32(m)})
}

// propRelease hands the pending records over, then notes that the shards
// m of db are about to be unlocked. Called before unlocking, only while
// c.prop.sink is set.
func (c *Client) propRelease(db *DB, m shardMask) {
	p := &c.prop
	if p.pending() {
		p.flush(p.sink, p.held)
	}
	setOwners(db, m, nil)
	n := 0
	for _, h := range p.held {
		if h.DB == db.id {
			h.Shards &^= uint32(m)
		}
		if h.Shards != 0 {
			p.held[n] = h
			n++
		}
	}
	p.held = p.held[:n]
	if n == 0 {
		p.sink, p.obs = nil, nil
	}
}

// propLocked tells the LockObserver, if any, which shards c's command
// holds now that it took some.
func (c *Client) propLocked() {
	if p := &c.prop; p.obs != nil {
		p.obs.Locked(p.held)
	}
}

// propHoldMasks is propHold for EXEC's lock set (masks by database).
func (c *Client) propHoldMasks(masks []shardMask) {
	for i, m := range masks {
		if m != 0 {
			c.propHold(c.srv.dbs[i], m)
		}
	}
}

// propReleaseMasks undoes propHoldMasks, handing the records over first.
func (c *Client) propReleaseMasks(masks []shardMask) {
	if c.prop.sink == nil {
		return
	}
	p := &c.prop
	if p.pending() {
		p.flush(p.sink, p.held)
	}
	for i, m := range masks {
		if m != 0 {
			c.propRelease(c.srv.dbs[i], m)
		}
	}
}

func setOwners(db *DB, m shardMask, c *Client) {
	for ; m != 0; m &= m - 1 {
		db.shards[bits.TrailingZeros32(uint32(m))].owner = c
	}
}

func shardBit(i int) shardMask { return 1 << i }

// --- Expired keys ------------------------------------------------------------

// propagateExpired records the removal of an expired key as DEL, as
// Redis's propagateDeletion does (lazyfree-lazy-expire is not honoured:
// values are freed by the garbage collector either way, so DEL it is). In
// a command (the shard's owner), the DEL joins the command's records,
// before the command's own; otherwise (active expiry) it goes to the Sink
// at once. The shard is locked.
func (sh *shard) propagateExpired(db *DB, key string) {
	if c := sh.owner; c != nil {
		if c.prop.sink != nil {
			c.prop.appendDel(db.id, key)
		}
		return
	}
	s := db.srv
	k := s.loadSink()
	if k == nil {
		return
	}
	s.prop.mu.Lock()
	p := &s.prop.scratch
	p.appendDel(db.id, key)
	held := append(p.held[:0], HeldShards{DB: db.id, Shards: uint32(shardBit(sh.idx))})
	p.held = held
	p.flush(k, held)
	s.prop.mu.Unlock()
}
