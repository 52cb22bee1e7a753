package proxy

import (
	"bytes"
	"context"
	"net"
	"time"

	"github.com/shardis/shardis/internal/command"
	"github.com/shardis/shardis/internal/resp"
	"github.com/shardis/shardis/topology"
)

// Transactions (MULTI, EXEC, DISCARD, WATCH, UNWATCH).
//
// A transaction runs on a node connection of its own, to the primary of the
// one slot its keys hash to, as on a Redis Cluster node. The proxy pins the
// transaction to a slot with its first command that has keys (WATCH
// included): until then, MULTI is answered by the proxy and the keyless
// commands after it are checked and queued in the proxy (+QUEUED), then
// replayed on the dedicated connection once it is known. A transaction
// without any key runs on the primary of slot 0, as routeKeyless does.
// Once pinned, every request of the transaction goes to the node and its
// reply (+QUEUED, an error, EXEC's array) comes back as the node gives it.
//
// A command inside MULTI whose keys span slots, or hash to another slot
// than the transaction's, gets -CROSSSLOT at once and flags the
// transaction, so that EXEC answers -EXECABORT: what a Redis Cluster node
// answers when the other slot is another node's (there with -MOVED).

// Error replies of transactions: Redis 7.0's texts.
const (
	errExecAbort   = "EXECABORT Transaction discarded because of previous errors."
	errExecNoMulti = "ERR EXEC without MULTI"
	errDiscardNo   = "ERR DISCARD without MULTI"
	errMultiNested = "ERR MULTI calls can not be nested"
	errWatchMulti  = "ERR WATCH inside MULTI is not allowed"
	errNoMultiCmd  = "ERR Command not allowed inside a transaction"
)

// stateful is what a session holds beyond routing: a transaction, an idle
// dedicated connection kept for the next transaction or blocking command,
// and subscriptions. Only the session's goroutine touches it, except ps,
// whose own lock guards what its delivery goroutines share.
type stateful struct {
	tx   *txState
	idle *dedicated
	ps   *pubsubState
}

// txState is a transaction in progress: WATCH was sent, or MULTI, or both.
type txState struct {
	d     *dedicated // nil until pinned
	slot  int        // -1 until pinned
	multi bool
	dirty bool // a request was refused: EXEC answers EXECABORT
	// unclean: a queued command changes the connection (SUBSCRIBE, HELLO,
	// CLIENT ...), which is therefore not kept after EXEC.
	unclean bool
	queue   [][]byte // before pinning: requests (RESP) to replay after MULTI
	// writes are the write commands queued inside MULTI, back to back, for
	// the shard's replicas once EXEC succeeded (replicate.go).
	writes  []byte
	nwrites int
}

// dedicated is a node connection used by one session only.
type dedicated struct {
	addr  string
	proto int
	nc    net.Conn
	rr    *resp.ReplyReader
	out   []byte
	// Requests of a transaction sent ahead of their replies (drainTx):
	// skip replayed ones whose replies the client has had, then npend.
	pending []byte
	skip    int
	npend   int
}

func init() {
	registerLocal("multi", cmdMulti)
	registerLocal("exec", cmdExec)
	registerLocal("discard", cmdDiscard)
	registerLocal("watch", cmdWatch)
	registerLocal("unwatch", cmdUnwatch)
}

// state returns the session's stateful part, making it.
func (ss *session) state() *stateful {
	if ss.st == nil {
		ss.st = &stateful{}
		bf := ss.r.BeforeFill
		ss.r.BeforeFill = func() error {
			ss.drainTx()
			return bf()
		}
	}
	return ss.st
}

// updateIntercept takes the session's requests while it is in a
// transaction or subscribed, and gives them back to routing otherwise.
func (ss *session) updateIntercept() {
	st := ss.st
	if st != nil && ((st.tx != nil && st.tx.multi) || st.ps.active()) {
		ss.intercept = stateIntercept
		return
	}
	ss.intercept = nil
}

// stateIntercept sees every request of a session in MULTI or subscribed.
func stateIntercept(ss *session, cmd *command.Command, args [][]byte) bool {
	st := ss.st
	if ss.proto == 2 && st.ps.active() && !allowedSubscribed(cmd) {
		ss.refuse(cmd, "ERR Can't execute '"+cmd.Name+"': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
		return true
	}
	switch cmd.Name {
	case "exec":
		return false // cmdExec sends EXEC with what is pending
	case "reset", "quit", "discard", "multi", "watch":
		ss.drainTx()
		return false // their local handlers
	}
	if st.tx != nil && st.tx.multi {
		ss.flush() // refusals the session queued come first
		ss.txQueue(cmd, args)
		return true
	}
	if cmd.Name == "ping" && ss.proto == 2 && st.ps.active() {
		ss.flush()
		pingSubscribed(ss, args)
		return true
	}
	return false
}

// rejected flags the transaction in progress when the proxy refuses one of
// its requests before queueing it (unknown command, arity, NOAUTH), as
// Redis flags it.
func (ss *session) rejected() {
	if ss.st != nil && ss.st.tx != nil && ss.st.tx.multi {
		ss.drainTx() // their replies come before the refusal's
		ss.st.tx.dirty = true
	}
}

// closeState ends the session's transaction, blocking connection and
// subscriptions when the session ends.
func (ss *session) closeState() {
	st := ss.st
	if st == nil {
		return
	}
	ss.endTx(false)
	if st.idle != nil {
		st.idle.close()
		st.idle = nil
	}
	ss.closePubsub()
}

func init() {
	resetHooks = append(resetHooks, func(ss *session) {
		if ss.st == nil {
			return
		}
		ss.endTx(false)
		ss.leavePubsub()
		ss.closePubsub()
		ss.updateIntercept()
	})
}

// dialDedicated returns a connection of the session's own to addr,
// speaking the session's protocol: the idle one when it fits.
func (ss *session) dialDedicated(addr string) (*dedicated, error) {
	st := ss.state()
	if d := st.idle; d != nil {
		st.idle = nil
		if d.addr == addr && d.proto == ss.proto && connAlive(d.nc) {
			return d, nil
		}
		d.close()
	}
	to := ss.srv.timeouts()
	ctx, cancel := contextWithTimeout(to.connect + to.read + to.write)
	defer cancel()
	nc, err := ss.srv.dial(ctx, addr, ss.proto)
	if err != nil {
		return nil, err
	}
	return &dedicated{addr: addr, proto: ss.proto, nc: nc, rr: resp.NewReplyReader(nc)}, nil
}

// keep makes d the session's idle dedicated connection.
func (ss *session) keep(d *dedicated) {
	st := ss.state()
	if st.idle != nil {
		st.idle.close()
	}
	st.idle = d
}

func (d *dedicated) close() {
	if d != nil && d.nc != nil {
		d.nc.Close()
	}
}

// send writes requests to the node within the write timeout.
func (d *dedicated) send(to timeouts, reqs ...[]byte) error {
	d.out = d.out[:0]
	for _, r := range reqs {
		d.out = append(d.out, r...)
	}
	d.nc.SetWriteDeadline(time.Now().Add(to.write))
	_, err := d.nc.Write(d.out)
	return err
}

// read reads one reply; deadline zero means no deadline. The reply aliases
// the connection's buffer until the next read.
func (d *dedicated) read(deadline time.Time) ([]byte, error) {
	d.nc.SetReadDeadline(deadline)
	return d.rr.ReadRaw()
}

// do sends one request and returns its reply, within the timeouts.
func (d *dedicated) do(to timeouts, req []byte) ([]byte, error) {
	if err := d.send(to, req); err != nil {
		return nil, err
	}
	return d.read(time.Now().Add(to.read))
}

// nodeErr is the reply for a dedicated connection that failed.
func nodeErr(addr string, err error) string {
	return nodeDownMsg(addr, "failed: "+err.Error())
}

// slotOf returns the one slot of the request's keys: ok is false when it
// has none, cross true when they span slots.
func (ss *session) slotOf(cmd *command.Command, args [][]byte) (slot int, ok, cross bool) {
	keys, err := commandKeys(cmd, args, ss.keys[:0])
	ss.keys = keys
	if err != nil || len(keys) == 0 {
		return 0, false, false
	}
	slot = topology.Slot(args[keys[0]])
	for _, k := range keys[1:] {
		if topology.Slot(args[k]) != slot {
			return slot, true, true
		}
	}
	return slot, true, false
}

// primaryOf returns the address of the primary that owns slot.
func (ss *session) primaryOf(slot int) (string, bool) {
	m := ss.srv.routes().m
	i := m.ShardIndex(slot)
	if i < 0 {
		return "", false
	}
	return m.Shard(i).Primary.Address, true
}

// pin dials the primary of slot for the transaction and replays what was
// queued before. A failure is written as the reply of the request being
// handled.
func (ss *session) pin(tx *txState, slot int) bool {
	addr, ok := ss.primaryOf(slot)
	if !ok {
		ss.w.WriteError(errNoOwner)
		return false
	}
	d, err := ss.dialDedicated(addr)
	if err != nil {
		ss.w.WriteError(nodeDownMsg(addr, "is unreachable ("+err.Error()+")"))
		return false
	}
	tx.d, tx.slot = d, slot
	// The replayed requests go out with the next ones; the client has had
	// their replies, so drainTx reads theirs without writing them.
	for _, req := range tx.queue {
		d.pending = append(d.pending, req...)
	}
	d.skip += len(tx.queue)
	tx.queue = nil
	return true
}

// breakTx drops a transaction's connection after a failure: the
// transaction goes on in the proxy, flagged, so that EXEC answers
// EXECABORT.
func (ss *session) breakTx(tx *txState) {
	tx.d.close()
	tx.d = nil
	tx.dirty = true
	if !tx.multi {
		ss.st.tx = nil // only watching: the watch is gone with the connection
	}
}

// endTx ends the transaction, keeping its connection for later use when
// keep is set (its node state is clean: after EXEC, DISCARD or UNWATCH).
func (ss *session) endTx(keep bool) {
	st := ss.st
	if st == nil || st.tx == nil {
		return
	}
	if d := st.tx.d; d != nil {
		if keep {
			ss.keep(d)
		} else {
			d.close()
		}
	}
	st.tx = nil
	ss.updateIntercept()
}

func cmdMulti(ss *session, args [][]byte) {
	st := ss.state()
	if st.tx != nil && st.tx.multi {
		ss.w.WriteError(errMultiNested)
		return
	}
	if st.tx == nil {
		st.tx = &txState{slot: -1}
	}
	tx := st.tx
	tx.multi = true
	ss.updateIntercept()
	if tx.d == nil {
		tx.queue = append(tx.queue[:0], resp.AppendCommandBytes(nil, args))
		ss.w.WriteOK()
		return
	}
	raw, err := tx.d.do(ss.srv.timeouts(), resp.AppendCommandBytes(nil, args))
	if err != nil {
		ss.w.WriteError(nodeErr(tx.d.addr, err))
		ss.breakTx(tx)
		return
	}
	ss.w.WriteRaw(raw)
}

// txQueue handles a request inside MULTI.
func (ss *session) txQueue(cmd *command.Command, args [][]byte) {
	tx := ss.st.tx
	if tx.d == nil || cmd.Has(command.NoMulti) || cmd.Name == "watch" || cmd.Name == "select" {
		ss.drainTx()
	}
	if cmd.Has(command.NoMulti) {
		ss.w.WriteError(errNoMultiCmd)
		tx.dirty = true
		return
	}
	if cmd.Name == "watch" {
		// Refused by WATCH itself, not before queueing: Redis does not
		// flag the transaction.
		ss.w.WriteError(errWatchMulti)
		return
	}
	if cmd.Name == "select" && string(args[1]) != "0" {
		// Redis Cluster fails it inside EXEC; a node behind the proxy
		// would switch databases.
		ss.w.WriteError(errSelectNotAll)
		tx.dirty = true
		return
	}
	if cmd.Name == "hello" || changesConnection(cmd, args) {
		tx.unclean = true
	}
	slot, ok, cross := ss.slotOf(cmd, args)
	if cross || (ok && tx.slot >= 0 && slot != tx.slot) {
		ss.drainTx()
		ss.w.WriteError(errCrossSlot)
		tx.dirty = true
		return
	}
	req := resp.AppendCommandBytes(nil, args)
	if tx.d == nil && ok && !tx.dirty {
		if !ss.pin(tx, slot) {
			tx.dirty = true
			return
		}
	}
	replicated := replicates(cmd)
	if tx.d == nil {
		if ok {
			tx.slot = slot // dirty and unpinned: later keys must still agree
		}
		if !tx.dirty {
			tx.queue = append(tx.queue, req)
			if replicated {
				tx.writes = append(tx.writes, req...)
				tx.nwrites++
			}
		}
		ss.w.WriteSimple("QUEUED")
		return
	}
	// Pinned: the request goes out with the rest of the batch, and its
	// reply is read when the batch's replies are written (drainTx). If
	// the node refuses it, the transaction is dirty and EXEC aborts, so
	// the write is kept for the replicas now.
	if replicated {
		tx.writes = append(tx.writes, req...)
		tx.nwrites++
	}
	d := tx.d
	d.pending = append(d.pending, req...)
	d.npend++
	if d.npend >= maxTxPending {
		ss.drainTx()
	}
}

// maxTxPending bounds the requests of a transaction sent ahead of reading
// their replies, and so what the node must buffer for the proxy.
const maxTxPending = 256

// drainTx sends the transaction's pending requests with one write and
// writes their replies, in order. Every path that writes a reply while a
// transaction may have pending requests calls it first: the session's
// BeforeFill, stateIntercept, rejected and txQueue's own replies.
//
// It returns the last reply it wrote (valid until the connection's next
// read), and false when the connection failed.
func (ss *session) drainTx() ([]byte, bool) {
	st := ss.st
	if st == nil || st.tx == nil || st.tx.d == nil || st.tx.d.npend+st.tx.d.skip == 0 {
		return nil, true
	}
	tx, d := st.tx, st.tx.d
	skip, n := d.skip, d.npend
	d.skip, d.npend = 0, 0
	to := ss.srv.timeouts()
	d.nc.SetWriteDeadline(time.Now().Add(to.write))
	_, err := d.nc.Write(d.pending)
	d.pending = d.pending[:0]
	var last []byte
	for i := range skip + n {
		var raw []byte
		if err == nil {
			raw, err = d.read(time.Now().Add(to.read))
		}
		if err == nil && (raw[0] == '-' || raw[0] == '!') {
			tx.dirty = true
		}
		if i < skip {
			continue
		}
		if err != nil {
			ss.w.WriteError(nodeErr(d.addr, err))
			continue
		}
		ss.w.WriteRaw(raw)
		last = raw
	}
	if err != nil {
		ss.breakTx(tx)
		return nil, false
	}
	return last, true
}

func cmdExec(ss *session, args [][]byte) {
	st := ss.state()
	tx := st.tx
	if tx == nil || !tx.multi {
		ss.w.WriteError(errExecNoMulti)
		return
	}
	if tx.dirty {
		ss.drainTx()
		ss.w.WriteError(errExecAbort)
		ss.endTx(false) // the node's MULTI (and WATCH) die with the connection
		return
	}
	if tx.d == nil {
		slot := max(tx.slot, 0)
		if !ss.pin(tx, slot) {
			ss.endTx(false)
			return
		}
	}
	// EXEC goes out with the transaction's last requests: one write and
	// one round trip for a transaction the client pipelined.
	d := tx.d
	d.pending = resp.AppendCommandBytes(d.pending, args)
	d.npend++
	raw, ok := ss.drainTx()
	if !ok {
		ss.endTx(false)
		return
	}
	if raw[0] == '*' && !bytes.HasPrefix(raw, []byte("*-1")) && tx.nwrites > 0 {
		ss.srv.replicateTx(ss.srv.routes().m.ShardIndex(tx.slot), tx.writes, tx.nwrites)
	}
	ss.endTx(!tx.unclean)
}

func cmdDiscard(ss *session, args [][]byte) {
	st := ss.state()
	tx := st.tx
	if tx == nil || !tx.multi {
		ss.w.WriteError(errDiscardNo)
		return
	}
	if tx.d == nil {
		ss.w.WriteOK()
		ss.endTx(false)
		return
	}
	raw, err := tx.d.do(ss.srv.timeouts(), resp.AppendCommandBytes(nil, args))
	if err != nil {
		ss.w.WriteError(nodeErr(tx.d.addr, err))
		ss.endTx(false)
		return
	}
	ss.w.WriteRaw(raw)
	ss.endTx(true)
}

// cmdWatch is WATCH outside MULTI (inside, stateIntercept refuses it): it
// pins the transaction to come to the slot of its keys.
func cmdWatch(ss *session, args [][]byte) {
	st := ss.state()
	if st.tx != nil && st.tx.multi {
		ss.w.WriteError(errWatchMulti) // not flagged, as in Redis
		return
	}
	slot, _, cross := ss.slotOf(command.Lookup(args[0]), args)
	if cross || (st.tx != nil && st.tx.slot != slot) {
		ss.w.WriteError(errCrossSlot)
		return
	}
	if st.tx == nil {
		tx := &txState{slot: -1}
		if !ss.pin(tx, slot) {
			return
		}
		st.tx = tx
	}
	tx := st.tx
	raw, err := tx.d.do(ss.srv.timeouts(), resp.AppendCommandBytes(nil, args))
	if err != nil {
		ss.w.WriteError(nodeErr(tx.d.addr, err))
		ss.breakTx(tx)
		return
	}
	ss.w.WriteRaw(raw)
}

// cmdUnwatch is UNWATCH outside MULTI (inside, it is queued).
func cmdUnwatch(ss *session, args [][]byte) {
	st := ss.state()
	if st.tx == nil || st.tx.d == nil {
		ss.w.WriteOK()
		return
	}
	raw, err := st.tx.d.do(ss.srv.timeouts(), resp.AppendCommandBytes(nil, args))
	if err != nil {
		ss.w.WriteError(nodeErr(st.tx.d.addr, err))
		ss.endTx(false)
		return
	}
	ss.w.WriteRaw(raw)
	ss.endTx(bytes.HasPrefix(raw, []byte("+OK")))
}

// contextWithTimeout is a context for a dial made from a session.
func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
