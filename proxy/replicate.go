package proxy

import (
	"bytes"
	"cmp"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"github.com/shardis/shardis/internal/command"
	"github.com/shardis/shardis/internal/resp"
	"github.com/shardis/shardis/topology"
)

// Replica fan-out, for this stage of the project: once a shard's primary
// has answered a write without an error, the link hands the request's bytes
// to the replicator (Written), in the order the primary answered; the
// fanout copies them into one queue per replica of the shard, and one
// goroutine per replica sends each queue's contents, pipelined, on a
// connection of its own, and reads (and counts) the replies.
//
// Memory is bounded: a queue holds at most queueBytes bytes and queueCmds
// commands, plus the batch being written. A replica that is down, that
// stops reading, that answers slower than the read timeout, or whose queue
// is full is marked lagging: its queue is dropped and counted, its
// connection closed, and writes for it are dropped (counted) until a new
// connection succeeds. It is then fed again, but it has missed writes: it is
// reported as needing a resync, which is later work (write numbering and
// catch-up from the primary, DESIGN.md promise 4). INFO shows every replica
// (fanout.info).
//
// The replica executes the request as the primary received it, except
// where that would not reproduce the primary's effect and the reply tells
// what the effect was: SPOP is sent as SREM of the members popped, a
// served blocking pop as its non-blocking equivalent (replicateBlocking),
// a transaction as MULTI ... EXEC once EXEC succeeded (replicateTx).
// Known limits, documented in DIFFERENCES.md: scripts using randomness can
// end differently on the replica; a relative expiry (SET ... EX, EXPIRE)
// ends a little later there; and a replica sees writes in the order the
// proxy read the primary's replies on each of its links, which is the
// primary's order per link, not across links.

// Defaults of a fanout's bounds.
const (
	defaultReplicaQueueBytes = 16 << 20
	defaultReplicaQueueCmds  = 128 << 10
	replicaRetryMin          = 100 * time.Millisecond
	replicaRetryMax          = 2 * time.Second
)

// replicaState is what INFO says about a replica.
type replicaState int32

const (
	// replicaConnecting: no connection has succeeded yet; writes queue.
	replicaConnecting replicaState = iota
	// replicaOnline: connected, and it has received every write.
	replicaOnline
	// replicaLagging: down or too slow; writes for it are dropped.
	replicaLagging
	// replicaResync: connected again after lagging; it receives writes but
	// missed some, and needs a resync.
	replicaResync
)

func (s replicaState) String() string {
	switch s {
	case replicaConnecting:
		return "connecting"
	case replicaOnline:
		return "online"
	case replicaLagging:
		return "lagging"
	case replicaResync:
		return "needs_resync"
	}
	return "unknown"
}

// fanoutOptions are the bounds and timeouts of a fanout.
type fanoutOptions struct {
	queueBytes     int // bytes queued per replica at most
	queueCmds      int // commands queued per replica at most
	connectTimeout time.Duration
	writeTimeout   time.Duration
	// readTimeout: a replica that has commands in flight and answers none
	// of them for this long is lagging.
	readTimeout time.Duration
	logger      zerolog.Logger
}

func init() {
	newReplicator = func(s *Server) replicator {
		to := s.timeouts()
		f := newFanout(fanoutOptions{
			connectTimeout: to.connect,
			writeTimeout:   to.write,
			readTimeout:    to.read,
			logger:         s.log,
		})
		f.current = s.slots.Load
		f.setTopology(s.slots.Load())
		return f
	}
}

// replicates reports whether the replicas of a shard get cmd once its
// primary accepted it: writes, and scripts and functions (EVAL, EVALSHA,
// FCALL: "may_replicate"), which may write. PUBLISH and SPUBLISH, also
// "may_replicate", are messages, not data; PFCOUNT only refreshes a cache.
func replicates(cmd *command.Command) bool {
	return cmd.Has(command.Write) ||
		cmd.Has(command.MayReplicate) && !cmd.Has(command.Pubsub) && !cmd.Has(command.Readonly)
}

// replicationInfo returns the lines INFO adds to its Replication section
// about replica fan-out (see fanout.info), none when the server has no
// fanout.
func (s *Server) replicationInfo() []string {
	if f, ok := s.repl.(*fanout); ok {
		f.setTopology(s.slots.Load()) // a reload with no write since
		return f.info()
	}
	return nil
}

// fanout is the replicator that feeds each shard's replicas.
type fanout struct {
	opts fanoutOptions
	// current, when set, returns the slot map in force: Written follows
	// its changes (a reload, a MOVED) without a hook of its own.
	current func() *topology.Map
	seen    atomic.Pointer[topology.Map]

	// shards[i] are the queues of the replicas of shard i of the current
	// map: what Written reads, with one atomic load.
	shards atomic.Pointer[[][]*replicaQueue]

	mu     sync.Mutex // guards byAddr and closed. Lock order: fanout.mu before replicaQueue.mu
	byAddr map[string]*replicaQueue
	closed bool
	wg     sync.WaitGroup
}

// newFanout returns a fanout with no replicas; setTopology gives it some.
func newFanout(opts fanoutOptions) *fanout {
	if opts.queueBytes <= 0 {
		opts.queueBytes = defaultReplicaQueueBytes
	}
	if opts.queueCmds <= 0 {
		opts.queueCmds = defaultReplicaQueueCmds
	}
	if opts.connectTimeout <= 0 {
		opts.connectTimeout = topology.DefaultConnectTimeout
	}
	if opts.writeTimeout <= 0 {
		opts.writeTimeout = topology.DefaultWriteTimeout
	}
	if opts.readTimeout <= 0 {
		opts.readTimeout = topology.DefaultReadTimeout
	}
	return &fanout{opts: opts, byAddr: map[string]*replicaQueue{}}
}

// Written queues cmd, the RESP bytes of a write the primary of shard (an
// index of the current map) acknowledged with reply, for each of the
// shard's replicas. It never blocks and copies cmd. SPOP, which pops
// members at random, is sent as SREM of the members the primary popped.
func (f *fanout) Written(shard int, cmd, reply []byte) {
	if f.current != nil {
		if m := f.current(); m != f.seen.Load() {
			f.setTopology(m)
		}
	}
	if isSPOP(cmd) {
		if cmd = spopEffect(cmd, reply); cmd == nil {
			return // it popped nothing
		}
	}
	f.writtenN(shard, cmd, 1)
}

// isSPOP reports whether the request cmd, as the proxy encodes requests
// (an array of bulk strings), is SPOP: a test of a few bytes, made for
// every replicated write.
func isSPOP(cmd []byte) bool {
	return len(cmd) > 12 && string(cmd[4:8]) == "$4\r\n" && (cmd[8]|0x20) == 's' &&
		(cmd[9]|0x20) == 'p' && (cmd[10]|0x20) == 'o' && (cmd[11]|0x20) == 'p'
}

// spopEffect returns SREM of the members reply says SPOP cmd popped, or
// nil if it popped none.
func spopEffect(cmd, reply []byte) []byte {
	args, err := resp.NewReader(bytes.NewReader(cmd)).ReadCommand()
	if err != nil || len(args) < 2 {
		return nil
	}
	v, _, err := resp.ParseReply(reply)
	if err != nil || v.Null {
		return nil
	}
	srem := [][]byte{[]byte("srem"), args[1]}
	switch v.Type {
	case '$':
		srem = append(srem, v.Str)
	case '*', '~':
		for _, e := range v.Elems {
			srem = append(srem, e.Str)
		}
	}
	if len(srem) == 2 {
		return nil
	}
	return resp.AppendCommandBytes(nil, srem)
}

// writtenN is Written for n commands back to back in cmds (a transaction:
// MULTI, its writes, EXEC), which reach each replica together.
func (f *fanout) writtenN(shard int, cmds []byte, n int) {
	sp := f.shards.Load()
	if sp == nil || shard < 0 || shard >= len(*sp) {
		return
	}
	for _, q := range (*sp)[shard] {
		q.push(cmds, n)
	}
}

var (
	multiReq = []byte("*1\r\n$5\r\nMULTI\r\n")
	execReq  = []byte("*1\r\n$4\r\nEXEC\r\n")
)

// replicateTx sends the writes of a transaction the primary of shard
// executed (EXEC answered an array) to its replicas, as one MULTI ... EXEC
// block: writes holds n requests, back to back.
func (s *Server) replicateTx(shard int, writes []byte, n int) {
	f, ok := s.repl.(*fanout)
	if !ok || n == 0 {
		return
	}
	if f.current != nil {
		if m := f.current(); m != f.seen.Load() {
			f.setTopology(m)
		}
	}
	block := make([]byte, 0, len(multiReq)+len(writes)+len(execReq))
	block = append(append(append(block, multiReq...), writes...), execReq...)
	f.writtenN(shard, block, n+2)
}

// setTopology makes the replicas of m's shards the ones fed: a replica
// whose address stays keeps its queue and connection, a new one gets its
// own, and one no longer named is stopped (its queue dropped).
func (f *fanout) setTopology(m *topology.Map) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed || m == nil || m == f.seen.Load() {
		return
	}
	f.seen.Store(m)
	shards := make([][]*replicaQueue, m.NumShards())
	keep := map[string]bool{}
	for i := range shards {
		sh := m.Shard(i)
		for _, n := range sh.Replicas {
			q := f.byAddr[n.Address]
			if q == nil || q.node.RequirePass != n.RequirePass {
				if q != nil {
					q.stop()
				}
				q = newReplicaQueue(f, sh.Name, n)
				f.byAddr[n.Address] = q
				f.wg.Add(1)
				go func() {
					defer f.wg.Done()
					q.run()
				}()
			}
			q.setShard(sh.Name)
			keep[n.Address] = true
			shards[i] = append(shards[i], q)
		}
	}
	for addr, q := range f.byAddr {
		if !keep[addr] {
			q.stop()
			delete(f.byAddr, addr)
		}
	}
	f.shards.Store(&shards)
}

// close gives the replicas that are online up to drainTimeout to receive
// and answer what is queued for them, then stops every replica's goroutines
// and waits for them; what is left is dropped. It is idempotent. The server
// calls it once its links are closed: no more Written calls come.
func (f *fanout) close() {
	deadline := time.Now().Add(drainTimeout)
	for time.Now().Before(deadline) && !f.drained() {
		time.Sleep(5 * time.Millisecond) // polling the queues, bounded by drainTimeout
	}
	f.mu.Lock()
	if !f.closed {
		f.closed = true
		f.shards.Store(nil)
		for addr, q := range f.byAddr {
			q.stop()
			delete(f.byAddr, addr)
		}
	}
	f.mu.Unlock()
	f.wg.Wait()
}

// drainTimeout bounds how long close waits for queues to drain.
const drainTimeout = time.Second

// drained reports whether every replica that can receive writes has
// received and answered all of its queue.
func (f *fanout) drained() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, q := range f.byAddr {
		st := q.snapshot()
		if st.state != replicaLagging && (st.queued > 0 || st.inflight > 0) {
			return false
		}
	}
	return true
}

// info returns the lines INFO shows about replica fan-out, sorted by shard
// and address:
//
//	proxy_replicas:2
//	proxy_replicas_lagging:1
//	proxy_replicas_need_resync:0
//	proxy_replica0:shard=shard1,addr=127.0.0.1:7004,state=online,queued=0,queued_bytes=0,sent=12,acked=12,errors=0,dropped=0,lag_events=0
//
// errors counts error replies of the replica (it answered differently from
// the primary); dropped, the writes it did not get while lagging.
func (f *fanout) info() []string {
	f.mu.Lock()
	qs := make([]*replicaQueue, 0, len(f.byAddr))
	for _, q := range f.byAddr {
		qs = append(qs, q)
	}
	f.mu.Unlock()
	type row struct {
		addr string
		st   replicaSnapshot
	}
	rows := make([]row, len(qs))
	lagging, resync := 0, 0
	for i, q := range qs {
		st := q.snapshot()
		rows[i] = row{q.node.Address, st}
		switch st.state {
		case replicaLagging:
			lagging++
		case replicaResync:
			resync++
		}
	}
	slices.SortFunc(rows, func(a, b row) int {
		return cmp.Or(cmp.Compare(a.st.shard, b.st.shard), cmp.Compare(a.addr, b.addr))
	})
	lines := []string{
		"proxy_replicas:" + strconv.Itoa(len(rows)),
		"proxy_replicas_lagging:" + strconv.Itoa(lagging),
		"proxy_replicas_need_resync:" + strconv.Itoa(resync),
	}
	for i, r := range rows {
		lines = append(lines, fmt.Sprintf("proxy_replica%d:shard=%s,addr=%s,state=%s,queued=%d,queued_bytes=%d,sent=%d,acked=%d,errors=%d,dropped=%d,lag_events=%d",
			i, r.st.shard, r.addr, r.st.state, r.st.queued, r.st.queuedBytes, r.st.sent, r.st.acked, r.st.errors, r.st.dropped, r.st.lagEvents))
	}
	return lines
}

// replicaQueue is the queue of one replica and the state of its connection.
type replicaQueue struct {
	f    *fanout
	node topology.Node

	wake chan struct{} // cap 1: something to send, or a state change
	done chan struct{} // closed by stop

	mu       sync.Mutex // guards the fields below
	shard    string
	pend     []byte // commands not yet written, back to back
	pendN    int
	state    replicaState
	lastErr  string
	stopped  bool
	gen      uint64 // connection generation, so a late error of an old one is ignored
	missed   bool   // writes were dropped since it was last in step
	progress time.Time

	inflight  atomic.Int64 // written, reply not read yet
	sent      atomic.Uint64
	acked     atomic.Uint64
	errors    atomic.Uint64
	dropped   atomic.Uint64
	lagEvents atomic.Uint64
}

func newReplicaQueue(f *fanout, shard string, n topology.Node) *replicaQueue {
	return &replicaQueue{
		f: f, node: n, shard: shard,
		wake: make(chan struct{}, 1),
		done: make(chan struct{}),
	}
}

func (q *replicaQueue) setShard(name string) {
	q.mu.Lock()
	q.shard = name
	q.mu.Unlock()
}

func (q *replicaQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// push queues cmd, or drops it if the replica is lagging, or marks the
// replica lagging if the queue is full. A command bigger than the whole
// queue is still taken when the queue is empty: it is already in memory.
func (q *replicaQueue) push(cmd []byte, n int) {
	q.mu.Lock()
	switch {
	case q.stopped:
		q.mu.Unlock()
		return
	case q.state == replicaLagging:
		q.missed = true
		q.mu.Unlock()
		q.dropped.Add(uint64(n))
		return
	case q.pendN > 0 && (len(q.pend)+len(cmd) > q.f.opts.queueBytes || q.pendN+n > q.f.opts.queueCmds):
		q.lagLocked(fmt.Sprintf("queue full (%d commands, %d bytes): the replica is too slow", q.pendN, len(q.pend)), n)
		q.mu.Unlock()
		q.signal()
		return
	}
	q.pend = append(q.pend, cmd...)
	q.pendN += n
	q.mu.Unlock()
	q.signal()
}

// lagLocked marks the replica lagging, dropping its queue; extra more
// writes that were not queued are counted as dropped too. q.mu is held.
func (q *replicaQueue) lagLocked(reason string, extra int) {
	if n := q.pendN + extra; n > 0 {
		q.dropped.Add(uint64(n))
		q.missed = true
	}
	q.pend, q.pendN = q.pend[:0], 0
	if cap(q.pend) > 64<<10 {
		q.pend = nil // give a big queue's memory back
	}
	q.lastErr = reason
	if q.state != replicaLagging {
		q.state = replicaLagging
		q.lagEvents.Add(1)
		q.f.opts.logger.Warn().Str("shard", q.shard).Str("replica", q.node.Address).Str("reason", reason).
			Msg("replica lagging: writes for it are dropped until it is reachable again, then it needs a resync")
	}
}

// lost is called when connection gen failed: mark lagging unless it is
// already replaced or the queue stopped.
func (q *replicaQueue) lost(gen uint64, reason string, inflight int) {
	q.mu.Lock()
	if gen == q.gen && !q.stopped {
		q.gen++ // the connection is done with: a second report of it counts nothing twice
		q.lagLocked(reason, inflight)
	}
	q.mu.Unlock()
	q.signal()
}

func (q *replicaQueue) stop() {
	q.mu.Lock()
	if !q.stopped {
		q.stopped = true
		q.pend, q.pendN = nil, 0
		close(q.done)
	}
	q.mu.Unlock()
}

// run is the replica's writer: it connects (again), and writes what is
// queued, one write per batch, until stop.
func (q *replicaQueue) run() {
	var (
		conn    net.Conn
		gen     uint64
		spare   []byte
		backoff = replicaRetryMin
		check   = time.NewTicker(max(q.f.opts.readTimeout/4, 10*time.Millisecond))
		readers sync.WaitGroup
	)
	defer func() {
		check.Stop()
		if conn != nil {
			conn.Close()
		}
		readers.Wait()
	}()
	for {
		if conn == nil {
			c, err := q.dial()
			if err != nil {
				q.mu.Lock()
				if q.stopped {
					q.mu.Unlock()
					return
				}
				q.lagLocked("unreachable: "+err.Error(), 0)
				q.mu.Unlock()
				t := time.NewTimer(backoff)
				select {
				case <-q.done:
					t.Stop()
					return
				case <-t.C:
				}
				backoff = min(backoff*2, replicaRetryMax)
				continue
			}
			backoff = replicaRetryMin
			q.mu.Lock()
			if q.stopped {
				q.mu.Unlock()
				c.Close()
				return
			}
			q.gen++
			gen = q.gen
			switch {
			case q.state == replicaConnecting, q.state == replicaLagging && !q.missed:
				q.state = replicaOnline
			case q.state == replicaLagging:
				q.state = replicaResync
				q.f.opts.logger.Warn().Str("shard", q.shard).Str("replica", q.node.Address).
					Msg("replica reachable again: it is fed new writes, but it missed some and needs a resync")
			}
			q.mu.Unlock()
			q.inflight.Store(0)
			conn = c
			readers.Add(1)
			go func() {
				defer readers.Done()
				q.read(c, gen)
			}()
		}
		select {
		case <-q.done:
			return
		case <-q.wake:
		case <-check.C:
			q.mu.Lock()
			slow := q.inflight.Load() > 0 && time.Since(q.progress) > q.f.opts.readTimeout
			q.mu.Unlock()
			if slow {
				q.lost(gen, fmt.Sprintf("no reply within %v", q.f.opts.readTimeout), int(q.inflight.Load()))
			}
		}
		q.mu.Lock()
		if q.state == replicaLagging {
			// Too slow, or the connection failed: give it a moment
			// before connecting again, so that a replica that cannot keep
			// up does not cycle at full speed.
			q.mu.Unlock()
			conn.Close()
			conn = nil
			t := time.NewTimer(backoff)
			select {
			case <-q.done:
				t.Stop()
				return
			case <-t.C:
			}
			continue
		}
		buf, n := q.pend, q.pendN
		q.pend, q.pendN = spare[:0], 0
		if n > 0 && q.inflight.Load() == 0 {
			q.progress = time.Now()
		}
		q.mu.Unlock()
		if n == 0 {
			spare = buf
			continue
		}
		q.inflight.Add(int64(n))
		_ = conn.SetWriteDeadline(time.Now().Add(q.f.opts.writeTimeout))
		if _, err := conn.Write(buf); err != nil {
			q.lost(gen, "write: "+err.Error(), int(q.inflight.Load()))
			conn.Close()
			conn = nil
			continue
		}
		q.sent.Add(uint64(n))
		spare = buf
		if cap(spare) > 4*q.f.opts.queueBytes {
			spare = nil
		}
	}
}

// read counts the replica's replies on conn until it fails.
func (q *replicaQueue) read(conn net.Conn, gen uint64) {
	rd := resp.NewReplyReader(conn)
	for {
		raw, err := rd.ReadRaw()
		if err != nil {
			conn.Close()
			q.lost(gen, "read: "+err.Error(), int(max(q.inflight.Load(), 0)))
			return
		}
		q.mu.Lock()
		if gen != q.gen {
			q.mu.Unlock()
			return // replaced: its in-flight writes were counted as dropped
		}
		q.acked.Add(1)
		q.inflight.Add(-1)
		q.progress = time.Now()
		if len(raw) > 0 && (raw[0] == '-' || raw[0] == '!') {
			q.errors.Add(1)
			q.lastErr = "reply: " + strings.TrimSpace(string(raw[1:min(len(raw), 200)]))
		}
		q.mu.Unlock()
	}
}

// dial connects to the replica and authenticates.
func (q *replicaQueue) dial() (net.Conn, error) {
	c, err := net.DialTimeout("tcp", q.node.Address, q.f.opts.connectTimeout)
	if err != nil {
		return nil, err
	}
	if q.node.RequirePass == "" {
		return c, nil
	}
	_ = c.SetDeadline(time.Now().Add(q.f.opts.readTimeout))
	if _, err := c.Write(resp.AppendCommand(nil, "AUTH", q.node.RequirePass)); err != nil {
		c.Close()
		return nil, err
	}
	v, err := resp.NewReplyReader(c).ReadReply()
	if err == nil && v.Type == '-' {
		err = fmt.Errorf("AUTH: %s", v.Str)
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	_ = c.SetDeadline(time.Time{})
	return c, nil
}

// replicaSnapshot is a replica's figures at one moment.
type replicaSnapshot struct {
	shard               string
	state               replicaState
	queued, queuedBytes int
	sent, acked, errors uint64
	dropped, lagEvents  uint64
	lastErr             string
	inflight            int64
}

func (q *replicaQueue) snapshot() replicaSnapshot {
	q.mu.Lock()
	defer q.mu.Unlock()
	return replicaSnapshot{
		shard: q.shard, state: q.state, queued: q.pendN, queuedBytes: len(q.pend),
		sent: q.sent.Load(), acked: q.acked.Load(), errors: q.errors.Load(),
		dropped: q.dropped.Load(), lagEvents: q.lagEvents.Load(), lastErr: q.lastErr,
		inflight: q.inflight.Load(),
	}
}

// replicateBlocking sends the replicas of the shard that owns slot what a
// blocking command served by its primary did, as the non-blocking command
// with the same effect, read from the primary's reply raw: replaying the
// blocking command itself on a replica would block, or pop something else.
//
//	BLPOP / BRPOP            [key, elem]          LPOP / RPOP key
//	BLMOVE src dst wf wt t   elem                 LMOVE src dst wf wt
//	BRPOPLPUSH src dst t     elem                 RPOPLPUSH src dst
//	BLMPOP ... LEFT|RIGHT    [key, [elems]]       LPOP / RPOP key count
//	BZPOPMIN / BZPOPMAX      [key, member, score] ZREM key member
//	BZMPOP                   [key, [[m, s]...]]   ZREM key members...
//
// A null reply (the timeout passed) changed nothing. XREADGROUP with BLOCK
// is not replicated (a known limit: its pending-entries list stays on the
// primary).
func (s *Server) replicateBlocking(slot int, cmd *command.Command, args [][]byte, raw []byte) {
	f, ok := s.repl.(*fanout)
	if !ok {
		return
	}
	eff := blockingEffect(cmd, args, raw)
	if eff == nil {
		return
	}
	if f.current != nil {
		if m := f.current(); m != f.seen.Load() {
			f.setTopology(m)
		}
	}
	f.writtenN(s.routes().m.ShardIndex(slot), resp.AppendCommandBytes(nil, eff), 1)
}

// blockingEffect returns the non-blocking command with the effect the
// blocking command args had, given its reply raw, or nil if it had none.
func blockingEffect(cmd *command.Command, args [][]byte, raw []byte) [][]byte {
	if len(raw) == 0 || raw[0] == '-' || raw[0] == '_' {
		return nil
	}
	v, _, err := resp.ParseReply(raw)
	if err != nil || v.Null {
		return nil
	}
	var eff [][]byte
	str := func(x resp.Value) []byte { return x.Str }
	switch cmd.Name {
	case "blpop", "brpop":
		if len(v.Elems) == 2 {
			eff = [][]byte{[]byte(cmd.Name[1:]), str(v.Elems[0])}
		}
	case "blmove":
		if len(args) == 6 {
			eff = [][]byte{[]byte("lmove"), args[1], args[2], args[3], args[4]}
		}
	case "brpoplpush":
		if len(args) == 4 {
			eff = [][]byte{[]byte("rpoplpush"), args[1], args[2]}
		}
	case "blmpop":
		if len(v.Elems) == 2 && len(v.Elems[1].Elems) > 0 {
			pop := "lpop"
			if blmpopRight(args) {
				pop = "rpop"
			}
			eff = [][]byte{[]byte(pop), str(v.Elems[0]), strconv.AppendInt(nil, int64(len(v.Elems[1].Elems)), 10)}
		}
	case "bzpopmin", "bzpopmax":
		if len(v.Elems) == 3 {
			eff = [][]byte{[]byte("zrem"), str(v.Elems[0]), str(v.Elems[1])}
		}
	case "bzmpop":
		if len(v.Elems) == 2 {
			eff = [][]byte{[]byte("zrem"), str(v.Elems[0])}
			for _, e := range v.Elems[1].Elems {
				if len(e.Elems) > 0 {
					eff = append(eff, str(e.Elems[0]))
				}
			}
			if len(eff) == 2 {
				eff = nil
			}
		}
	}
	return eff
}

// blmpopRight reports whether BLMPOP's direction argument (after the
// timeout, numkeys and the keys) is RIGHT.
func blmpopRight(args [][]byte) bool {
	if len(args) < 3 {
		return false
	}
	n, err := strconv.Atoi(string(args[2]))
	if err != nil || n < 0 || 3+n >= len(args) {
		return false
	}
	return strings.EqualFold(string(args[3+n]), "right")
}
