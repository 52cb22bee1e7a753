package backend

import (
	"errors"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Blocking commands (redis-server 7.0's blocked.c, for clients blocked on
// keys): BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP here and in list.go,
// BZPOPMIN, BZPOPMAX and BZMPOP in the sorted-set code.
//
// # Writing a blocking command
//
// The handler of a blocking command:
//
//  1. parses its timeout with blockTimeoutArg (Redis's errors; 0 means
//     forever);
//  2. tries its keys in order, as the non-blocking form would, with the
//     shards locked through c.lockShard and friends; if one can serve, it
//     replies and returns;
//  3. if c.inExec (inside EXEC Redis never blocks: CLIENT_DENY_BLOCKING),
//     writes a null array (c.w.WriteNullArray) and returns;
//  4. otherwise calls c.block(keys, timeout, serve) and returns.
//
// block returns once the command's reply is in c.w (written by serve, or
// the null array of a timeout or of CLIENT UNBLOCK TIMEOUT, or CLIENT
// UNBLOCK ERROR's error), or with nothing written when the client went away
// (disconnected, killed, server shutting down). Before waiting it flushes
// the replies of the commands that came before in the client's batch.
//
// serve(c, db, key) is called, in FIFO order of the clients blocked on key,
// each time key may have become ready: a push to it (signalKeyAsReady), the
// waiter's own first check, SWAPDB. It runs with the shard of key locked,
// and the shard of blockOptions.also too when the command gives one (BLMOVE:
// its destination), so serve must not lock them again; c.now is the time of
// the command that made key ready. It may run on another client's goroutine,
// but never concurrently with c's own. serve checks key exactly as the
// command would and either writes the command's whole reply to c.w, makes
// the change and calls the hooks (signalModifiedKey, notifyKeyspaceEvent,
// signalKeyAsReady) and returns true, or changes nothing, writes nothing and
// returns false (key missing, empty or of another type: it is then tried
// for the next client blocked on it). An error reply (BLMOVE's destination
// of the wrong type) is a reply: return true.
//
// A client blocked on several keys is served by the first one that becomes
// ready. Keys made ready by a command are served after that command: after
// EXEC for pushes inside MULTI, before the pusher's reply is sent, so a
// client that saw the push's reply sees the blocked clients served.
//
// # How the connection waits
//
// The blocked client's goroutine stays inside the handler. It keeps reading
// its socket, so that a client that disconnects is noticed and removed at
// once (a value must never be handed to a closed connection); bytes that
// arrive meanwhile (a pipeline) are kept and parsed after the command ends.
// Everything that ends the wait (serving, CLIENT UNBLOCK) first settles the
// waiter's state under waiter.mu and then sets the connection's read
// deadline to now, which interrupts that read; the timeout is the read
// deadline itself.
//
// Lock order: blockRegistry.serving, then shards, then waiter.mu, then
// blockRegistry.mu (signalKeyAsReady takes it with a shard locked; CLIENT
// UNBLOCK inside EXEC ends a wait with every shard locked).

// blockServe serves a client blocked on key; see above.
type blockServe func(c *Client, db *DB, key []byte) bool

// blockOptions are the less common parameters of a blocking command.
type blockOptions struct {
	// also is a key of the same database whose shard serve needs locked
	// as well (BLMOVE's destination), when hasAlso. The flag, not also
	// being nil, says so: "" is a key like any other.
	also    []byte
	hasAlso bool
}

// Reply texts of the blocking commands.
const (
	errTimeoutNotFloat = "ERR timeout is not a float or out of range"
	errTimeoutNegative = "ERR timeout is negative"
	errUnblocked       = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
)

// Waiter states. Only waitBlocked changes, once, under waiter.mu.
const (
	waitBlocked          int32 = iota
	waitServed                 // serve wrote the reply
	waitTimedOut               // the timeout passed: null array
	waitUnblockedTimeout       // CLIENT UNBLOCK id TIMEOUT: null array
	waitUnblockedError         // CLIENT UNBLOCK id ERROR: -UNBLOCKED
	waitGone                   // the client disconnected or is closing
)

// waiter is one blocked client.
type waiter struct {
	c     *Client
	db    *DB
	nodes []waitNode // one per distinct key, in the command's order
	also  []byte
	serve blockServe
	// hasAlso: serve needs the shard of also locked too (blockOptions).
	hasAlso bool
	timed   bool // has a timeout (INFO clients_in_timeout_table)

	mu    sync.Mutex // held while the wait is being ended
	state atomic.Int32
}

// waitNode links a waiter into the queue of one key.
type waitNode struct {
	w          *waiter
	q          *waitQueue
	prev, next *waitNode
}

// waitQueue is the clients blocked on one key of one database, first
// blocked first.
type waitQueue struct {
	db         *DB
	key        string
	head, tail *waitNode
	queued     bool // in blockRegistry.ready
}

// blockRegistry is the server's blocked clients (Redis's
// db->blocking_keys and server.ready_keys).
type blockRegistry struct {
	// waiting counts blocked clients: signalKeyAsReady costs one atomic
	// load while nobody is blocked.
	waiting atomic.Int64
	timed   atomic.Int64
	// pending is set while ready holds keys: the end of every command
	// checks it.
	pending atomic.Bool

	// serving is held by the goroutine that serves ready keys, so that a
	// command that made keys ready does not reply before they are served
	// by whoever picked them up.
	serving sync.Mutex
	batch   []*waiter // serving's scratch

	mu     sync.Mutex
	queues map[*DB]map[string]*waitQueue
	ready  []*waitQueue
}

func init() {
	signalKeyAsReadyHook = func(db *DB, key []byte) { db.srv.blocking.signal(db, key) }
	infoFieldHooks["blocked_clients"] = func(s *Server) string {
		return strconv.FormatInt(s.blocking.waiting.Load(), 10)
	}
	infoFieldHooks["clients_in_timeout_table"] = func(s *Server) string {
		return strconv.FormatInt(s.blocking.timed.Load(), 10)
	}
	register("client|unblock", cmdClientUnblock)
}

// blockTimeoutArg parses a blocking command's timeout in seconds as Redis
// 7.0's getTimeoutFromObjectOrReply does: a long double (decimal, hex, inf),
// times 1000, rounded up to whole milliseconds; what does not fit a long
// long (inf, 1e400) ends up negative there, as here. 0 means forever.
func blockTimeoutArg(c *Client, b []byte) (time.Duration, bool) {
	f, ok := parseLongDouble(b)
	if !ok {
		c.err(errTimeoutNotFloat)
		return 0, false
	}
	if f.IsInf() {
		c.err(errTimeoutNegative)
		return 0, false
	}
	ms := new(big.Float).SetPrec(ldPrec).Mul(f, big.NewFloat(1000))
	if ms.Sign() <= 0 {
		// ceil of a value in (-1, 0] is 0: forever.
		if ms.Cmp(big.NewFloat(-1)) <= 0 {
			c.err(errTimeoutNegative)
			return 0, false
		}
		return 0, true
	}
	// The conversion to long long of anything from 2^63 on gives LLONG_MIN.
	if ms.Cmp(new(big.Float).SetMantExp(big.NewFloat(1), 63)) >= 0 {
		c.err(errTimeoutNegative)
		return 0, false
	}
	n, acc := ms.Int64()
	if acc == big.Below {
		n++
	}
	// Beyond what a time.Duration holds (292 years) is as good as forever.
	if n > int64(1<<63-1)/int64(time.Millisecond) {
		return 0, true
	}
	return time.Duration(n) * time.Millisecond, true
}

// block parks c until one of keys serves it or the wait ends; see the top
// of this file.
func (c *Client) block(keys [][]byte, timeout time.Duration, serve blockServe) {
	c.blockWith(keys, timeout, serve, blockOptions{})
}

// blockWith is block with options.
func (c *Client) blockWith(keys [][]byte, timeout time.Duration, serve blockServe, opt blockOptions) {
	b := &c.srv.blocking
	// Once registered, c.now belongs to whoever serves c (tryServe).
	now := c.now
	w := &waiter{c: c, db: c.db, serve: serve, timed: timeout > 0}
	if opt.hasAlso {
		w.also, w.hasAlso = append([]byte(nil), opt.also...), true
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	// The replies of the commands before this one in the batch go out
	// now: once registered, c.w may be written by whoever serves c. Pub/sub
	// pushes (RESP3) go out as they come while c waits, as if it were idle.
	c.flush(true)
	c.blk.flushed = true
	b.register(w, keys)
	c.blk.waiter.Store(w)
	defer c.blk.waiter.Store(nil)

	// Check the keys once more now that a push will find us: one may have
	// been filled since the handler looked.
	b.serveReady(now)
	start := time.Now()
	state := c.waitUnblocked(w, deadline)
	// The time spent waiting is not the command's (Redis counts only the
	// attempt and the serving in its statistics and slow log).
	waited := time.Since(start)
	c.batchStart = c.batchStart.Add(waited)
	c.batchStartMs += int64(waited / time.Millisecond)

	if q := c.push; q != nil {
		// Pushes not written yet arrived while c waited: before the reply.
		// Later ones follow it (ordered: callPushing's offset predates the
		// flush above).
		q.mu.Lock()
		q.idle = false
		q.takeInto(c, 0)
		q.mu.Unlock()
		q.ordered = true
	}
	switch state {
	case waitTimedOut, waitUnblockedTimeout:
		c.w.WriteNullArray()
	case waitUnblockedError:
		c.err(errUnblocked)
	}
}

// waitUnblocked reads the connection until w's wait ends and returns how
// it ended.
func (c *Client) waitUnblocked(w *waiter, deadline time.Time) int32 {
	b := &c.srv.blocking
	in := &c.blk
	for {
		c.conn.SetReadDeadline(deadline)
		if w.state.Load() != waitBlocked {
			break
		}
		if c.idleOnly.Load() || c.killed.Load() {
			b.end(w, waitGone)
			break
		}
		if int64(len(in.pending)) > c.srv.cfg.load().ClientQueryBufferLimit {
			// Redis closes a client whose query buffer passes the limit.
			in.err = errQueryBufferLimit
			b.end(w, waitGone)
			break
		}
		n, err := c.conn.Read(in.spare())
		in.pending = in.pending[:len(in.pending)+n]
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			if !deadline.IsZero() && !time.Now().Before(deadline) {
				b.end(w, waitTimedOut)
			}
			continue
		}
		in.err = err
		b.end(w, waitGone)
	}
	// Whoever ended the wait did so holding w.mu, and set the read deadline
	// before releasing it: once we hold it, nobody touches c any more.
	w.mu.Lock()
	state := w.state.Load()
	w.mu.Unlock()
	c.conn.SetReadDeadline(time.Time{})
	return state
}

var errQueryBufferLimit = errors.New("query buffer limit reached while blocked")

// clientBlock is a Client's blocking state. It is also what the client's
// resp.Reader reads from: the connection, after whatever arrived while the
// client was blocked.
type clientBlock struct {
	conn    net.Conn
	waiter  atomic.Pointer[waiter] // set while blocked (CLIENT UNBLOCK)
	flushed bool                   // the handler flushed c.w before blocking
	pending []byte                 // read while blocked, not yet parsed
	off     int                    // pending[off:] is still to be parsed
	err     error                  // the read error that ended a wait
}

// blocked reports whether the client waits on keys (CLIENT LIST's flag
// b). A client just served counts as unblocked although its goroutine may
// not have woken yet: the command that served it has not answered yet.
func (in *clientBlock) blocked() bool {
	w := in.waiter.Load()
	return w != nil && w.state.Load() == waitBlocked
}

// Read gives the bytes read while blocked, then the read error that ended
// the wait, if any, then reads the connection.
func (in *clientBlock) Read(p []byte) (int, error) {
	if n, ok, err := in.readPending(p); ok {
		return n, err
	}
	return in.conn.Read(p)
}

// readPending gives the bytes read while blocked, then the read error that
// ended the wait; ok is false when neither is left and the connection is
// to be read.
func (in *clientBlock) readPending(p []byte) (n int, ok bool, err error) {
	if in.off < len(in.pending) {
		n = copy(p, in.pending[in.off:])
		in.off += n
		if in.off == len(in.pending) {
			in.pending, in.off = nil, 0
		}
		return n, true, nil
	}
	if in.err != nil {
		return 0, true, in.err
	}
	return 0, false, nil
}

// spare is free room at the end of pending, grown as needed.
func (in *clientBlock) spare() []byte {
	if cap(in.pending)-len(in.pending) < 512 {
		np := make([]byte, len(in.pending), max(4096, 2*cap(in.pending)))
		copy(np, in.pending)
		in.pending = np
	}
	return in.pending[len(in.pending):cap(in.pending)]
}

// register puts w at the tail of the queue of each of keys (each once) and
// marks those keys ready, so that w's own check runs through the queues.
func (b *blockRegistry) register(w *waiter, keys [][]byte) {
	w.nodes = make([]waitNode, 0, len(keys))
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.queues == nil {
		b.queues = make(map[*DB]map[string]*waitQueue)
	}
	m := b.queues[w.db]
	if m == nil {
		m = make(map[string]*waitQueue)
		b.queues[w.db] = m
	}
	for _, k := range keys {
		q := m[string(k)]
		if q == nil {
			q = &waitQueue{db: w.db, key: string(k)}
			m[q.key] = q
		}
		dup := false
		for i := range w.nodes {
			if w.nodes[i].q == q {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		w.nodes = append(w.nodes, waitNode{w: w, q: q})
	}
	for i := range w.nodes {
		n := &w.nodes[i]
		q := n.q
		n.prev = q.tail
		if q.tail != nil {
			q.tail.next = n
		} else {
			q.head = n
		}
		q.tail = n
		b.queueLocked(q)
	}
	b.waiting.Add(1)
	if w.timed {
		b.timed.Add(1)
	}
}

// unregisterLocked takes w out of every queue. b.mu must be held.
func (b *blockRegistry) unregisterLocked(w *waiter) {
	for i := range w.nodes {
		n := &w.nodes[i]
		q := n.q
		if n.prev != nil {
			n.prev.next = n.next
		} else {
			q.head = n.next
		}
		if n.next != nil {
			n.next.prev = n.prev
		} else {
			q.tail = n.prev
		}
		n.prev, n.next = nil, nil
		if q.head == nil {
			if m := b.queues[q.db]; m[q.key] == q {
				delete(m, q.key)
			}
		}
	}
	b.waiting.Add(-1)
	if w.timed {
		b.timed.Add(-1)
	}
}

// queueLocked adds q to the ready keys. b.mu must be held.
func (b *blockRegistry) queueLocked(q *waitQueue) {
	if !q.queued {
		q.queued = true
		b.ready = append(b.ready, q)
		b.pending.Store(true)
	}
}

// signal marks key ready if a client is blocked on it (Redis's
// signalKeyAsReady). The key's shard is locked.
func (b *blockRegistry) signal(db *DB, key []byte) {
	if b.waiting.Load() == 0 {
		return
	}
	b.mu.Lock()
	if q := b.queues[db][string(key)]; q != nil {
		b.queueLocked(q)
	}
	b.mu.Unlock()
}

// signalDB marks every key of db that a client is blocked on ready
// (Redis's scanDatabaseForReadyKeys, after SWAPDB).
func (b *blockRegistry) signalDB(db *DB) {
	if b.waiting.Load() == 0 {
		return
	}
	b.mu.Lock()
	for _, q := range b.queues[db] {
		b.queueLocked(q)
	}
	b.mu.Unlock()
}

// end ends w's wait with state unless it has ended already, and wakes its
// goroutine. It reports whether it did.
func (b *blockRegistry) end(w *waiter, state int32) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.state.Load() != waitBlocked {
		return false
	}
	b.mu.Lock()
	b.unregisterLocked(w)
	b.mu.Unlock()
	w.state.Store(state)
	w.c.conn.SetReadDeadline(time.Now())
	return true
}

// afterCommand runs at the end of every command: it serves the clients
// blocked on the keys the command made ready. Inside EXEC it waits for the
// end of the transaction (EXEC holds every shard).
func (c *Client) afterCommand() {
	if c.srv.blocking.pending.Load() && !c.inExec {
		c.srv.blocking.serveReady(c.now)
	}
}

// serveReady serves the ready keys, each to its blocked clients in the
// order they blocked, until no key is ready (serving BLMOVE can make its
// destination ready). now is the time of the command that made them ready.
func (b *blockRegistry) serveReady(now int64) {
	b.serving.Lock()
	defer b.serving.Unlock()
	for {
		b.mu.Lock()
		if len(b.ready) == 0 {
			b.ready = b.ready[:0]
			b.pending.Store(false)
			b.mu.Unlock()
			return
		}
		q := b.ready[0]
		b.ready[0] = nil
		b.ready = b.ready[1:]
		q.queued = false
		batch := b.batch[:0]
		for n := q.head; n != nil; n = n.next {
			batch = append(batch, n.w)
		}
		b.mu.Unlock()

		key := []byte(q.key)
		for i, w := range batch {
			b.tryServe(w, q.db, key, now)
			batch[i] = nil
		}
		b.batch = batch[:0]
	}
}

// tryServe offers key to w, if w is still blocked.
func (b *blockRegistry) tryServe(w *waiter, db *DB, key []byte, now int64) {
	if w.state.Load() != waitBlocked {
		return
	}
	i := shardIndex(key)
	j := i
	if w.hasAlso {
		j = shardIndex(w.also)
	}
	// The shards before w.mu: CLIENT UNBLOCK inside EXEC ends a wait
	// holding every shard.
	lockShardPair(db, i, db, j)
	defer unlockShardPair(db, i, db, j)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.state.Load() != waitBlocked {
		return
	}
	c := w.c
	// c records its pop (propagate.go) as if it had locked the shards
	// itself; its goroutine waits and holds nothing meanwhile.
	if db.srv.prop.sink.Load() != nil {
		c.propHold(db, shardBit(i))
		c.propHold(db, shardBit(j))
		c.propLocked()
		defer func() {
			if c.prop.sink != nil {
				c.propRelease(db, shardBit(i))
				c.propRelease(db, shardBit(j))
			}
		}()
	}
	c.now = now
	if !w.serve(c, db, key) {
		return
	}
	b.mu.Lock()
	b.unregisterLocked(w)
	b.mu.Unlock()
	w.state.Store(waitServed)
	c.conn.SetReadDeadline(time.Now())
}

// cmdClientUnblock is CLIENT UNBLOCK id [TIMEOUT|ERROR].
func cmdClientUnblock(c *Client, args [][]byte) {
	if len(args) > 4 {
		replySubcommandSyntaxError(c, args)
		return
	}
	id, ok := parseStrictInt(args[2])
	if !ok {
		c.err(errNotInt)
		return
	}
	state := waitUnblockedTimeout
	if len(args) == 4 {
		switch strings.ToLower(string(args[3])) {
		case "timeout":
		case "error":
			state = waitUnblockedError
		default:
			c.err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
			return
		}
	}
	c.srv.mu.Lock()
	cl := c.srv.clients[id]
	c.srv.mu.Unlock()
	if cl != nil {
		if w := cl.blk.waiter.Load(); w != nil && c.srv.blocking.end(w, state) {
			c.w.WriteInt(1)
			return
		}
	}
	c.w.WriteInt(0)
}
