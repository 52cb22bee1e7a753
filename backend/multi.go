package backend

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/shardis/shardis/internal/command"
)

// --- Shard locking from command handlers ------------------------------------
//
// EXEC runs a transaction's commands with every shard they can touch locked
// (every shard of every database when it cannot tell), in the lock order,
// so that no other client's command interleaves with them (Redis runs the
// whole transaction without serving anyone else).
// The commands it runs must then not lock again. Handlers therefore lock
// shards only through these helpers, which do nothing while their client is
// inside EXEC (c.inExec), and otherwise lock exactly as the shard mutexes
// and DB helpers would. Outside EXEC the cost is one predictable branch.
//
// Code that runs outside any command (active expiry, the cron) keeps using
// the mutexes directly.

// lockShard locks sh for c's current command.
func (c *Client) lockShard(sh *shard) {
	if !c.inExec {
		sh.mu.Lock()
		if c.prop.sink != nil || sh.db.srv.prop.sink.Load() != nil {
			c.propHold(sh.db, shardBit(sh.idx))
			c.propLocked()
		}
	}
}

// unlockShard undoes lockShard, handing the command's records over first.
func (c *Client) unlockShard(sh *shard) {
	if !c.inExec {
		if c.prop.sink != nil {
			c.propRelease(sh.db, shardBit(sh.idx))
		}
		sh.mu.Unlock()
	}
}

// lockShards locks the shards of db in m, in index order.
func (c *Client) lockShards(db *DB, m shardMask) {
	if !c.inExec {
		db.lockShardMask(m)
		if c.prop.sink != nil || db.srv.prop.sink.Load() != nil {
			c.propHold(db, m)
			c.propLocked()
		}
	}
}

// unlockShards undoes lockShards.
func (c *Client) unlockShards(db *DB, m shardMask) {
	if !c.inExec {
		if c.prop.sink != nil {
			c.propRelease(db, m)
		}
		db.unlockShardMask(m)
	}
}

// lockDB locks every shard of db. Several databases are locked in index
// order (FLUSHALL, SWAPDB).
func (c *Client) lockDB(db *DB) {
	if !c.inExec {
		db.lockAll()
		if c.prop.sink != nil || db.srv.prop.sink.Load() != nil {
			c.propHold(db, allShards)
			c.propLocked()
		}
	}
}

// unlockDB undoes lockDB.
func (c *Client) unlockDB(db *DB) {
	if !c.inExec {
		if c.prop.sink != nil {
			c.propRelease(db, allShards)
		}
		db.unlockAll()
	}
}

// lockShardPair locks shard i of a and shard j of b in the lock order; a
// shard named twice is locked once. a and b may be the same database.
func (c *Client) lockShardPair(a *DB, i int, b *DB, j int) {
	if !c.inExec {
		lockShardPair(a, i, b, j)
		if c.prop.sink != nil || a.srv.prop.sink.Load() != nil {
			c.propHold(a, shardBit(i))
			c.propHold(b, shardBit(j))
			c.propLocked()
		}
	}
}

// unlockShardPair undoes lockShardPair.
func (c *Client) unlockShardPair(a *DB, i int, b *DB, j int) {
	if !c.inExec {
		if c.prop.sink != nil {
			c.propRelease(a, shardBit(i))
			c.propRelease(b, shardBit(j))
		}
		unlockShardPair(a, i, b, j)
	}
}

// allShards is the mask of every shard of a database.
const allShards shardMask = 1<<nShards - 1

// lockMasks locks, in the lock order, the shards masks[i] of database i.
func (s *Server) lockMasks(masks []shardMask) {
	for i, m := range masks {
		if m != 0 {
			s.dbs[i].lockShardMask(m)
		}
	}
}

func (s *Server) unlockMasks(masks []shardMask) {
	for i := len(masks) - 1; i >= 0; i-- {
		if m := masks[i]; m != 0 {
			s.dbs[i].unlockShardMask(m)
		}
	}
}

// --- MULTI, EXEC, DISCARD, WATCH, UNWATCH -----------------------------------
//
// A client in MULTI queues every command but EXEC, DISCARD, MULTI, WATCH,
// QUIT and RESET (+QUEUED). A command refused while queueing (unknown,
// wrong arity, not allowed in a transaction, ...) flags the transaction, and
// EXEC then answers -EXECABORT; errors of commands while EXEC runs them are
// only their own replies. EXEC runs the queue with its shards locked (see
// below), so the transaction is atomic; while it runs, c.inExec makes the lock helpers no-ops and blocking commands act as
// non-blocking ones.
//
// EXEC locks only what the transaction can touch: the shards of the keys
// its commands name (in the database it runs in) and of the watched keys,
// found when the commands are queued. A command that reaches further
// (SELECT, MOVE, FLUSHALL, KEYS, INFO, ...: anything without key arguments
// that is not known to stay out of the keyspace) makes it lock every shard
// of every database.
//
// WATCH: every watched key has a watchedKey in its shard's watch table
// (guarded by that shard's mutex, like the keys) and in the client's list.
// signalModifiedKey, called by every write with the shard locked, marks the
// watchers dirty; with no watched key on the server that costs one atomic
// load. As in Redis 7.0, a key that had already expired (but was still
// stored) when WATCH ran is not counted as changed when it is deleted, and
// EXEC fails when a watched key's time ran out after WATCH.

// Client.mode bits: a non-zero mode sends execute to executeSpecial.
const (
	modeMulti uint8 = 1 << iota // in MULTI: queue commands
	modePush                    // has a push queue (subscriptions, pending messages)
)

// txState is a client's MULTI queue and watched keys. Only the client's
// goroutine touches it (Client.dirtyCAS, which writers set, and
// Client.multiQueued, which CLIENT LIST reads, are on the Client).
type txState struct {
	multi     bool
	dirtyExec bool // a command was refused while queueing
	cmds      []queuedCmd
	watched   []*watchedKey
	// The shards the queued commands touch in the client's database, or
	// lockAll for every shard of every database.
	mask    shardMask
	lockAll bool
	masks   []shardMask // EXEC's lock set, by database (reused)
	keyPos  []int       // scratch for command.Keys
	// Arenas of the queued commands' arguments, reused.
	bytes []byte
	argv  [][]byte
}

// queuedCmd is a command MULTI queued; args are copies (the request's
// arguments alias the read buffer).
type queuedCmd struct {
	cmd  *command.Command
	im   *impl
	args [][]byte
}

// watchedKey is one key a client watches; it is in the client's list and
// in the watch table of the key's shard.
type watchedKey struct {
	c       *Client
	db      *DB
	key     string
	shard   int
	expired bool // the key was stored but its time had run out at WATCH
}

// watchTables holds, per database and shard, the watched keys and their
// watchers. A table is guarded by its shard's mutex.
type watchTables struct {
	n      atomic.Int64 // watched keys on the server
	once   sync.Once
	tables []map[string][]*watchedKey // [db*nShards+shard], allocated on first use
}

func (w *watchTables) init(s *Server) {
	w.once.Do(func() { w.tables = make([]map[string][]*watchedKey, len(s.dbs)*nShards) })
}

// Commands handled by execute's slow path.
var (
	cmdExecEntry  = command.Lookup([]byte("exec"))
	txControlCmds = commandSet("exec", "discard", "multi", "watch", "quit", "reset")
	// txWideCmds reach beyond their key arguments: another database, or
	// keys named by patterns.
	txWideCmds = commandSet("select", "move", "copy", "swapdb", "sort", "sort_ro")
	// txNoKeyspaceCmds have no key arguments and touch no shard.
	txNoKeyspaceCmds = commandSet("ping", "echo", "publish", "spublish", "subscribe", "unsubscribe",
		"psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe", "time", "hello",
		"client|reply", "client|setname", "client|getname", "client|id",
		"pubsub|channels", "pubsub|numsub", "pubsub|numpat", "pubsub|shardchannels", "pubsub|shardnumsub")
)

func commandSetLookup(name string) *command.Command {
	base, sub, found := strings.Cut(name, "|")
	c := command.Lookup([]byte(base))
	if found && c != nil {
		c = c.Subcommand([]byte(sub))
	}
	return c
}

func commandSet(names ...string) map[*command.Command]bool {
	m := make(map[*command.Command]bool, len(names))
	for _, n := range names {
		c := commandSetLookup(n)
		if c == nil {
			panic("backend: no command " + n)
		}
		m[c] = true
	}
	return m
}

// Traits of the implemented commands for execute's slow path, by impl
// index: one slice read instead of a map lookup per set.
const (
	trTxControl    uint8 = 1 << iota // not queued in MULTI
	trSubscribedOK                   // allowed in RESP2 subscribed mode
	trWide                           // EXEC locks everything
	trNoKeyspace                     // EXEC locks nothing for it
)

var (
	traitsOnce sync.Once
	traits     []uint8
)

func cmdTraits(im *impl) uint8 {
	traitsOnce.Do(func() {
		implsOnce.Do(buildImpls)
		traits = make([]uint8, len(implList))
		for i, im := range implList {
			var t uint8
			for _, x := range []struct {
				set map[*command.Command]bool
				bit uint8
			}{{txControlCmds, trTxControl}, {subscribedModeCmds, trSubscribedOK}, {txWideCmds, trWide}, {txNoKeyspaceCmds, trNoKeyspace}} {
				if x.set[im.cmd] {
					t |= x.bit
				}
			}
			traits[i] = t
		}
	})
	return traits[im.index]
}

// noteShards adds the shards a queued command touches to the
// transaction's lock set.
func (tx *txState) noteShards(cmd *command.Command, im *impl, args [][]byte) {
	switch {
	case tx.lockAll || cmdTraits(im)&trNoKeyspace != 0:
		return
	case cmdTraits(im)&trWide != 0:
		tx.lockAll = true
		return
	}
	pos, err := cmd.Keys(args, tx.keyPos[:0])
	tx.keyPos = pos[:0]
	if err != nil || len(pos) == 0 {
		tx.lockAll = true
		return
	}
	for _, p := range pos {
		tx.mask |= 1 << shardIndex(args[p])
	}
}

func init() {
	register("multi", cmdMulti)
	register("exec", cmdExec)
	register("discard", cmdDiscard)
	register("watch", cmdWatch)
	register("unwatch", cmdUnwatch)
	signalModifiedKeyHook = touchWatchedKey
	clientResetHooks = append(clientResetHooks, func(c *Client) {
		if c.tx != nil {
			c.discardTransaction()
		}
	})
}

// executeSpecial is execute for a client in MULTI or with a push queue:
// subscribed-mode rules (RESP2), MULTI queueing, then the command.
func (c *Client) executeSpecial(cmd *command.Command, im *impl, args [][]byte) {
	if q := c.push; q != nil {
		q.wake(c)
		if q.count() > 0 && c.proto.Load() == 2 && cmdTraits(im)&trSubscribedOK == 0 {
			c.reject(cmd, "ERR Can't execute '"+cmd.Name+"': only (P|S)SUBSCRIBE / "+
				"(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
			return
		}
	}
	if c.mode&modeMulti != 0 {
		if cmd.Has(command.NoMulti) {
			c.reject(cmd, "ERR Command not allowed inside a transaction")
			return
		}
		if cmdTraits(im)&trTxControl == 0 {
			c.queueCommand(cmd, im, args)
			return
		}
	}
	c.run(cmd, im, args)
}

// run calls an accepted command, ordering pushes around its reply when the
// client has a push queue.
func (c *Client) run(cmd *command.Command, im *impl, args [][]byte) {
	if c.push != nil {
		c.callPushing(cmd, im, args)
		return
	}
	c.call(cmd, im, args)
}

// flagTransaction is Redis's flagTransaction for a command refused while
// the client is in MULTI: EXEC fails with EXECABORT. A refused EXEC itself,
// in MULTI or not, ends any transaction at once and answers EXECABORT with
// the reason (without its ERR prefix).
func (c *Client) flagTransaction(cmd *command.Command, msg string) string {
	if cmd == cmdExecEntry {
		if c.tx != nil {
			c.discardTransaction()
		}
		return "EXECABORT Transaction discarded because of: " + strings.TrimPrefix(msg, "ERR ")
	}
	c.tx.dirtyExec = true
	return msg
}

// queueCommand keeps a copy of the command for EXEC and answers +QUEUED.
func (c *Client) queueCommand(cmd *command.Command, im *impl, args [][]byte) {
	tx := c.tx
	// A transaction that will fail anyway keeps nothing (as Redis).
	if !tx.dirtyExec && !c.dirtyCAS.Load() {
		// The copies go into arenas the transaction reuses; a slice
		// taken before an arena grew keeps pointing at the old array,
		// which nothing writes again.
		na := len(tx.argv)
		for _, a := range args {
			nb := len(tx.bytes)
			tx.bytes = append(tx.bytes, a...)
			tx.argv = append(tx.argv, tx.bytes[nb:len(tx.bytes):len(tx.bytes)])
		}
		cp := tx.argv[na:len(tx.argv):len(tx.argv)]
		tx.cmds = append(tx.cmds, queuedCmd{cmd: cmd, im: im, args: cp})
		tx.noteShards(cmd, im, cp)
		c.multiQueued.Store(int32(len(tx.cmds)) + 1)
	}
	switch c.reply {
	case replyOff:
	case replySkip:
		c.reply = replyOn
	default:
		c.w.WriteSimple("QUEUED")
	}
}

func (c *Client) txState() *txState {
	if c.tx == nil {
		c.tx = &txState{}
	}
	return c.tx
}

func cmdMulti(c *Client, args [][]byte) {
	if c.mode&modeMulti != 0 {
		c.err("ERR MULTI calls can not be nested")
		return
	}
	c.txState().multi = true
	c.mode |= modeMulti
	c.multiQueued.Store(1)
	c.w.WriteOK()
}

func cmdDiscard(c *Client, args [][]byte) {
	if c.mode&modeMulti == 0 {
		c.err("ERR DISCARD without MULTI")
		return
	}
	c.discardTransaction()
	c.w.WriteOK()
}

// discardTransaction leaves MULTI, drops the queue and unwatches every key.
func (c *Client) discardTransaction() {
	tx := c.tx
	clear(tx.cmds)
	tx.cmds = tx.cmds[:0]
	clear(tx.argv)
	tx.argv = tx.argv[:0]
	tx.bytes = tx.bytes[:0]
	if cap(tx.cmds) > 64 || cap(tx.argv) > 1024 || cap(tx.bytes) > 64<<10 {
		tx.cmds, tx.argv, tx.bytes = nil, nil, nil
	}
	tx.multi = false
	tx.dirtyExec = false
	tx.mask, tx.lockAll = 0, false
	c.mode &^= modeMulti
	c.multiQueued.Store(0)
	c.unwatchAll()
	c.dirtyCAS.Store(false)
}

func cmdExec(c *Client, args [][]byte) {
	if c.mode&modeMulti == 0 {
		c.err("ERR EXEC without MULTI")
		return
	}
	tx := c.tx
	s := c.srv
	masks := tx.lockSet(c)
	s.lockMasks(masks)
	if s.prop.sink.Load() != nil {
		c.propHoldMasks(masks)
		c.propLocked()
	}
	c.inExec = true
	defer func() {
		c.inExec = false
		c.propReleaseMasks(masks)
		s.unlockMasks(masks)
	}()
	if !tx.dirtyExec && !c.dirtyCAS.Load() && c.watchedKeyExpired() {
		c.dirtyCAS.Store(true)
	}
	switch {
	case tx.dirtyExec:
		c.err("EXECABORT Transaction discarded because of previous errors.")
		c.discardTransaction()
		return
	case c.dirtyCAS.Load():
		c.w.WriteNullArray()
		c.discardTransaction()
		return
	}
	c.unwatchAll()
	cmds := tx.cmds // kept until discardTransaction below, for reuse
	if q := c.push; q != nil {
		q.setExec(true)
		defer q.setExec(false)
	}
	c.w.WriteArrayLen(len(cmds))
	c.execQueue(cmds)
	c.discardTransaction()
}

// execQueue runs EXEC's commands with Redis's reply flags: CLIENT REPLY
// OFF and ON take effect at once, but a SKIP only applies to the command
// after EXEC (Redis turns it on between top-level commands), and an EXEC
// that is itself skipped writes nothing unless a REPLY ON inside it says so.
func (c *Client) execQueue(cmds []queuedCmd) {
	off := c.reply == replyOff
	skipped := c.reply == replySkip // this EXEC's reply is skipped
	skipNext := false
	for _, qc := range cmds {
		if off || skipped {
			c.reply = replyOff
		} else {
			c.reply = replyOn
		}
		c.run(qc.cmd, qc.im, qc.args)
		if qc.cmd.Name == "client|reply" {
			switch strings.ToLower(string(qc.args[2])) {
			case "on":
				off, skipped = false, false
			case "off":
				off = true
			case "skip":
				skipNext = skipNext || !off && !skipped
			}
		}
	}
	switch {
	case off:
		c.reply = replyOff
	case skipped || skipNext:
		c.reply = replySkip
	default:
		c.reply = replyOn
	}
}

// lockSet is the shards EXEC locks, by database: the queued commands'
// and the watched keys' (their state is checked, and they are unwatched,
// with EXEC's locks held).
func (tx *txState) lockSet(c *Client) []shardMask {
	n := len(c.srv.dbs)
	if cap(tx.masks) < n {
		tx.masks = make([]shardMask, n)
	}
	masks := tx.masks[:n]
	if tx.lockAll {
		for i := range masks {
			masks[i] = 1<<nShards - 1
		}
		return masks
	}
	clear(masks)
	masks[c.db.id] = tx.mask
	for _, wk := range tx.watched {
		masks[wk.db.id] |= 1 << wk.shard
	}
	return masks
}

// watchedKeyExpired is Redis's isWatchedKeyExpired: a watched key whose
// time ran out since WATCH (and is still stored). Every shard is locked.
func (c *Client) watchedKeyExpired() bool {
	for _, wk := range c.tx.watched {
		if wk.expired {
			continue
		}
		k := []byte(wk.key)
		if e := wk.db.shards[wk.shard].dict.find(k); e != nil && e.expire != 0 && e.expire <= c.now {
			return true
		}
	}
	return false
}

func cmdWatch(c *Client, args [][]byte) {
	if c.mode&modeMulti != 0 {
		c.err("ERR WATCH inside MULTI is not allowed")
		return
	}
	tx := c.txState()
	w := &c.srv.watches
	w.init(c.srv)
	db := c.db
next:
	for _, key := range args[1:] {
		for _, wk := range tx.watched {
			if wk.db == db && wk.key == string(key) {
				continue next
			}
		}
		si := shardIndex(key)
		wk := &watchedKey{c: c, db: db, key: string(key), shard: si}
		sh := &db.shards[si]
		c.lockShard(sh)
		if e := sh.dict.find(key); e != nil && e.expire != 0 && e.expire <= c.now {
			wk.expired = true
		}
		t := w.tables[db.id*nShards+si]
		if t == nil {
			t = make(map[string][]*watchedKey)
			w.tables[db.id*nShards+si] = t
		}
		t[wk.key] = append(t[wk.key], wk)
		w.n.Add(1)
		c.unlockShard(sh)
		tx.watched = append(tx.watched, wk)
	}
	c.w.WriteOK()
}

func cmdUnwatch(c *Client, args [][]byte) {
	if c.tx != nil {
		c.unwatchAll()
		c.dirtyCAS.Store(false)
	}
	c.w.WriteOK()
}

// unwatchAll removes every key c watches from the watch tables.
func (c *Client) unwatchAll() {
	tx := c.tx
	if len(tx.watched) == 0 {
		return
	}
	w := &c.srv.watches
	for _, wk := range tx.watched {
		si := wk.shard
		sh := &wk.db.shards[si]
		c.lockShard(sh)
		t := w.tables[wk.db.id*nShards+si]
		list := t[wk.key]
		for i, x := range list {
			if x == wk {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(t, wk.key)
		} else {
			t[wk.key] = list
		}
		w.n.Add(-1)
		c.unlockShard(sh)
	}
	clear(tx.watched)
	tx.watched = tx.watched[:0]
}

// touchWatchedKey is signalModifiedKey: the watchers of key become dirty.
// The key's shard is locked.
func touchWatchedKey(db *DB, key []byte) {
	w := &db.srv.watches
	if w.n.Load() == 0 {
		return
	}
	si := shardIndex(key)
	t := w.tables[db.id*nShards+si]
	if t == nil {
		return
	}
	for _, wk := range t[string(key)] {
		if wk.expired {
			// Deleting a key whose time had already run out at WATCH is
			// no logical change; from then on the key counts as absent.
			if db.shards[si].dict.find(key) == nil {
				wk.expired = false
			}
			continue
		}
		wk.c.dirtyCAS.Store(true)
	}
}

// touchAllWatchedKeysInDB marks dirty the watchers of keys that FLUSHDB,
// FLUSHALL or SWAPDB change in emptied: keys stored in it, or in
// replacedWith (SWAPDB's other database, else nil). Both databases are
// locked; now is the command's time.
func touchAllWatchedKeysInDB(emptied, replacedWith *DB, now int64) {
	w := &emptied.srv.watches
	if w.n.Load() == 0 {
		return
	}
	for si := 0; si < nShards; si++ {
		for key, list := range w.tables[emptied.id*nShards+si] {
			k := []byte(key)
			inEmptied := emptied.shards[si].dict.find(k) != nil
			var repl *entry
			if replacedWith != nil {
				repl = replacedWith.shards[si].dict.find(k)
			}
			if !inEmptied && repl == nil {
				continue
			}
			replExpired := repl != nil && repl.expire != 0 && repl.expire <= now
			for _, wk := range list {
				switch {
				case wk.expired && repl == nil:
					wk.expired = false // an expired key deleted: no change
					continue
				case wk.expired && replExpired:
					continue // still an expired key
				case !wk.expired && !inEmptied && replExpired:
					wk.expired = true // absent, replaced by an expired key
					continue
				}
				wk.c.dirtyCAS.Store(true)
			}
		}
	}
}
