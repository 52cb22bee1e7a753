package proxy

import (
	"net"
	"strings"
	"sync"
	"time"

	"github.com/shardis/shardis/internal/command"
	"github.com/shardis/shardis/internal/rawio"
	"github.com/shardis/shardis/internal/resp"
	"github.com/shardis/shardis/topology"
)

// Pub/sub.
//
// A channel lives on the primary of its slot: SUBSCRIBE and PUBLISH of a
// channel go there, and so do SSUBSCRIBE and SPUBLISH of a shard channel.
// A pattern may match channels of every shard, so PSUBSCRIBE goes to every
// shard's primary; a message is published on one shard only, so each
// pattern message still reaches a client once.
//
// A subscribed session holds one subscriber connection (RESP2) per node it
// needs. A goroutine per connection reads what the node pushes and writes
// messages to the client under session.wmu, re-encoded in the client's
// protocol (RESP3 clients get push messages). Confirmations are the
// proxy's own: one per channel or pattern in request order, each with the
// client's count over every node, written once every node involved has
// confirmed, so that a message is never delivered before the confirmation of
// its subscription. To keep that order, a connection's reader holds back the
// messages it reads after a confirmation until the session has written its
// confirmations.
//
// Lock order: session.wmu before pubsubState.mu.

// pubsubState is a session's subscriptions.
type pubsubState struct {
	ss *session

	// Session goroutine only.
	chans, pats, schans subSet
	conns               map[string]*subConn

	mu   sync.Mutex // guards held and every subConn's holding and closed
	held []resp.Value
}

// subSet is a set of names in subscription order, each with the address
// of the node it is subscribed on (patterns: every node).
type subSet struct {
	names []string
	addr  map[string]string
}

func (s *subSet) has(n string) bool { _, ok := s.addr[n]; return ok }

func (s *subSet) add(n, addr string) {
	if s.addr == nil {
		s.addr = map[string]string{}
	}
	s.addr[n] = addr
	s.names = append(s.names, n)
}

func (s *subSet) remove(n string) {
	delete(s.addr, n)
	for i, x := range s.names {
		if x == n {
			s.names = append(s.names[:i], s.names[i+1:]...)
			return
		}
	}
}

// subConn is a subscriber connection to one node.
type subConn struct {
	addr    string
	nc      net.Conn
	acks    chan resp.Value
	quit    chan struct{} // closed by closeConn
	subs    int           // subscriptions on it (session goroutine only)
	holding bool          // under pubsubState.mu: hold messages read from now on
	closed  bool          // under pubsubState.mu: the proxy closed it
}

func init() {
	registerLocal("subscribe", func(ss *session, args [][]byte) { ss.subscribe(kindChannel, args) })
	registerLocal("psubscribe", func(ss *session, args [][]byte) { ss.subscribe(kindPattern, args) })
	registerLocal("ssubscribe", func(ss *session, args [][]byte) { ss.subscribe(kindShard, args) })
	registerLocal("unsubscribe", func(ss *session, args [][]byte) { ss.unsubscribe(kindChannel, args) })
	registerLocal("punsubscribe", func(ss *session, args [][]byte) { ss.unsubscribe(kindPattern, args) })
	registerLocal("sunsubscribe", func(ss *session, args [][]byte) { ss.unsubscribe(kindShard, args) })
	registerLocal("pubsub|channels", cmdPubsubUnion)
	registerLocal("pubsub|shardchannels", cmdPubsubUnion)
	registerLocal("pubsub|numsub", cmdPubsubNumsub)
	registerLocal("pubsub|shardnumsub", cmdPubsubNumsub)
	registerLocal("pubsub|numpat", cmdPubsubNumpat)
}

// Subscription kinds.
const (
	kindChannel = iota
	kindPattern
	kindShard
)

var subNames = [3][2]string{
	{"subscribe", "unsubscribe"},
	{"psubscribe", "punsubscribe"},
	{"ssubscribe", "sunsubscribe"},
}

// active reports whether the session has any subscription.
func (ps *pubsubState) active() bool {
	return ps != nil && len(ps.chans.names)+len(ps.pats.names)+len(ps.schans.names) > 0
}

func (ps *pubsubState) set(kind int) *subSet {
	switch kind {
	case kindPattern:
		return &ps.pats
	case kindShard:
		return &ps.schans
	}
	return &ps.chans
}

// count is the number a confirmation of kind carries: channels and
// patterns together, shard channels apart, as Redis 7.0 counts them.
func (ps *pubsubState) count(kind int) int64 {
	if kind == kindShard {
		return int64(len(ps.schans.names))
	}
	return int64(len(ps.chans.names) + len(ps.pats.names))
}

// allowedSubscribed reports whether a RESP2 client may run cmd while
// subscribed.
func allowedSubscribed(cmd *command.Command) bool {
	switch cmd.Name {
	case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe",
		"ping", "quit", "reset":
		return true
	}
	return false
}

// pingSubscribed is PING of a subscribed RESP2 client: ["pong", arg].
func pingSubscribed(ss *session, args [][]byte) {
	if len(args) > 2 {
		ss.w.WriteError("ERR wrong number of arguments for 'ping' command")
		return
	}
	ss.w.WriteArrayLen(2)
	ss.w.WriteBulkString("pong")
	if len(args) == 2 {
		ss.w.WriteBulk(args[1])
	} else {
		ss.w.WriteBulkString("")
	}
}

// pubsub returns the session's pub/sub state, making it.
func (ss *session) pubsub() *pubsubState {
	st := ss.state()
	if st.ps == nil {
		st.ps = &pubsubState{ss: ss, conns: map[string]*subConn{}}
	}
	return st.ps
}

// subConnTo returns the subscriber connection to addr, dialing it.
func (ps *pubsubState) subConnTo(addr string) (*subConn, error) {
	if c := ps.conns[addr]; c != nil {
		return c, nil
	}
	srv := ps.ss.srv
	to := srv.timeouts()
	ctx, cancel := contextWithTimeout(to.connect + to.read + to.write)
	defer cancel()
	nc, err := srv.dial(ctx, addr, 2)
	if err != nil {
		return nil, err
	}
	c := &subConn{addr: addr, nc: nc, acks: make(chan resp.Value, 64), quit: make(chan struct{})}
	ps.conns[addr] = c
	srv.goFunc(func() { ps.readLoop(c) })
	return c, nil
}

// readLoop reads what the node pushes on c: confirmations go to the
// session waiting for them, messages to the client.
func (ps *pubsubState) readLoop(c *subConn) {
	defer close(c.acks)
	rr := resp.NewReplyReader(c.nc)
	for {
		v, err := rr.ReadReply()
		if err != nil {
			ps.mu.Lock()
			closed := c.closed
			ps.mu.Unlock()
			if !closed {
				// The node went away with the client's subscriptions:
				// closing the client tells it to subscribe again, as
				// losing its connection to a Redis node would.
				rawio.Abort(ps.ss.nc)
			}
			return
		}
		if (v.Type != '*' && v.Type != '>') || len(v.Elems) < 3 {
			continue
		}
		switch strings.ToLower(string(v.Elems[0].Str)) {
		case "message", "pmessage", "smessage":
			ps.mu.Lock()
			if c.closed {
				ps.mu.Unlock()
				continue
			}
			if c.holding {
				ps.held = append(ps.held, v)
				ps.mu.Unlock()
				continue
			}
			ps.mu.Unlock()
			ps.deliver(c, v)
		default:
			ps.mu.Lock()
			c.holding = true
			ps.mu.Unlock()
			select {
			case c.acks <- v:
			case <-c.quit:
				return
			}
		}
	}
}

// deliver writes one message to the client now.
func (ps *pubsubState) deliver(c *subConn, v resp.Value) {
	ss := ps.ss
	ss.wmu.Lock()
	defer ss.wmu.Unlock()
	ps.mu.Lock()
	closed := c.closed
	ps.mu.Unlock()
	if closed {
		return
	}
	writePush(ss.w, v)
	ss.w.Flush()
}

// writePush writes a message the node sent as a push in the writer's
// protocol.
func writePush(w *resp.Writer, v resp.Value) {
	w.WritePushLen(len(v.Elems))
	for _, e := range v.Elems {
		switch e.Type {
		case ':':
			w.WriteInt(e.Int)
		default:
			if e.Null {
				w.WriteNull()
			} else {
				w.WriteBulk(e.Str)
			}
		}
	}
}

// release lets the connections' readers deliver again, after writing what
// they held back.
func (ps *pubsubState) release() {
	ps.mu.Lock()
	for _, v := range ps.held {
		writePush(ps.ss.w, v)
	}
	ps.held = nil
	for _, c := range ps.conns {
		c.holding = false
	}
	ps.mu.Unlock()
}

// closeConn closes c for good.
func (ps *pubsubState) closeConn(c *subConn) {
	ps.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.quit)
	}
	ps.mu.Unlock()
	c.nc.Close()
	delete(ps.conns, c.addr)
}

// closePubsub drops every subscription of the session.
func (ss *session) closePubsub() {
	if ss.st == nil || ss.st.ps == nil {
		return
	}
	ps := ss.st.ps
	for _, c := range ps.conns {
		ps.closeConn(c)
	}
	ss.st.ps = nil
}

// leavePubsub unsubscribes from everything on the nodes and waits for
// their confirmations (RESET): closing the connections alone would let a
// PUBLISH right after RESET still count this client.
func (ss *session) leavePubsub() {
	if ss.st == nil || !ss.st.ps.active() {
		return
	}
	ps := ss.st.ps
	for kind := range subNames {
		set := ps.set(kind)
		var o op
		for _, n := range set.names {
			if kind == kindPattern {
				for a := range ps.conns {
					o.add(a, []byte(n))
				}
			} else if ps.conns[set.addr[n]] != nil {
				o.add(set.addr[n], []byte(n))
			}
		}
		ss.runOp(ps, subNames[kind][1], &o)
	}
	ps.mu.Lock()
	ps.held = nil // messages for what the client has left
	ps.mu.Unlock()
}

// op is one request's work on the nodes: the names to send to each.
type op struct {
	order []string
	names map[string][][]byte
}

func (o *op) add(addr string, name []byte) {
	if o.names == nil {
		o.names = map[string][][]byte{}
	}
	if _, ok := o.names[addr]; !ok {
		o.order = append(o.order, addr)
	}
	o.names[addr] = append(o.names[addr], name)
}

// run sends verb with each node's names and waits until every node
// confirmed each name; the session's write lock is free meanwhile, so
// that readers can deliver messages read before the confirmations. It
// returns the addresses that failed, with the reason.
func (ss *session) runOp(ps *pubsubState, verb string, o *op) map[string]string {
	failed := map[string]string{}
	type sent struct {
		c *subConn
		n int
	}
	var waits []sent
	to := ss.srv.timeouts()
	for _, addr := range o.order {
		c, err := ps.subConnTo(addr)
		if err != nil {
			failed[addr] = nodeDownMsg(addr, "is unreachable ("+err.Error()+")")
			continue
		}
		args := append([][]byte{[]byte(verb)}, o.names[addr]...)
		c.nc.SetWriteDeadline(time.Now().Add(to.write))
		if _, err := c.nc.Write(resp.AppendCommandBytes(nil, args)); err != nil {
			failed[addr] = nodeErr(addr, err)
			ps.closeConn(c)
			continue
		}
		waits = append(waits, sent{c, len(o.names[addr])})
	}
	ss.w.Flush()
	ss.unlock()
	timer := time.NewTimer(to.read)
	defer timer.Stop()
	expired := false
	for _, wt := range waits {
	acks:
		for i := 0; i < wt.n; i++ {
			if expired {
				failed[wt.c.addr] = nodeDownMsg(wt.c.addr, "did not answer within "+to.read.String())
				break
			}
			select {
			case _, ok := <-wt.c.acks:
				if !ok {
					failed[wt.c.addr] = nodeDownMsg(wt.c.addr, "closed the connection")
					break acks
				}
			case <-timer.C:
				expired = true
				failed[wt.c.addr] = nodeDownMsg(wt.c.addr, "did not answer within "+to.read.String())
				break acks
			}
		}
	}
	ss.lock()
	for addr := range failed {
		if c := ps.conns[addr]; c != nil {
			ps.closeConn(c)
		}
	}
	return failed
}

// subscribe is SUBSCRIBE, PSUBSCRIBE and SSUBSCRIBE.
func (ss *session) subscribe(kind int, args [][]byte) {
	if kind == kindShard && crossSlot(args[1:]) {
		ss.w.WriteError(errCrossSlot)
		return
	}
	ps := ss.pubsub()
	set := ps.set(kind)
	var o op
	seen := map[string]bool{}
	var addrs []string
	if kind == kindPattern {
		m := ss.srv.routes().m
		have := map[string]bool{}
		for i := range m.NumShards() {
			if a := m.Shard(i).Primary.Address; !have[a] {
				have[a] = true
				addrs = append(addrs, a)
			}
		}
	}
	for _, name := range args[1:] {
		n := string(name)
		if set.has(n) || seen[n] {
			continue
		}
		seen[n] = true
		if kind == kindPattern {
			for _, a := range addrs {
				o.add(a, name)
			}
			continue
		}
		addr, ok := ss.primaryOf(topology.Slot(name))
		if !ok {
			continue
		}
		o.add(addr, name)
	}
	failed := ss.runOp(ps, subNames[kind][0], &o)
	if kind == kindPattern && len(failed) > 0 {
		// A pattern the client is told it did not get must not stay on
		// the shards that took it.
		var undo op
		for _, a := range o.order {
			if failed[a] == "" && ps.conns[a] != nil {
				for _, name := range o.names[a] {
					undo.add(a, name)
				}
			}
		}
		ss.runOp(ps, "punsubscribe", &undo)
	}
	verb := subNames[kind][0]
	refused := false // a node could not take a name
	for _, name := range args[1:] {
		n := string(name)
		if !set.has(n) {
			msg := ""
			var where string
			if kind == kindPattern {
				for _, a := range addrs {
					if failed[a] != "" {
						msg = failed[a]
					}
				}
			} else {
				a, owned := ss.primaryOf(topology.Slot(name))
				switch {
				case !owned:
					msg = errNoOwner
				case failed[a] != "":
					msg = failed[a]
				case ps.conns[a] == nil:
					msg = nodeDownMsg(a, "closed the connection")
				}
				where = a
			}
			if msg != "" {
				ss.w.WriteError(msg)
				if msg != errNoOwner {
					refused = true
				}
				continue
			}
			set.add(n, where)
			if kind == kindPattern {
				for _, a := range addrs {
					ps.conns[a].subs++
				}
			} else {
				ps.conns[where].subs++
			}
		}
		ss.w.WritePushLen(3)
		ss.w.WriteBulkString(verb)
		ss.w.WriteBulk(name)
		ss.w.WriteInt(ps.count(kind))
	}
	ps.release()
	ss.closeIdle(ps)
	if refused {
		// Close the connection after these replies, as when a node goes
		// away (readLoop). Clients subscribe again on a new connection
		// (go-redis at once, which may be while the node is still down),
		// and take an error reply for a live connection: left open, the
		// connection would stay without the subscription for good.
		ss.closing = true
	}
}

// unsubscribe is UNSUBSCRIBE, PUNSUBSCRIBE and SUNSUBSCRIBE.
func (ss *session) unsubscribe(kind int, args [][]byte) {
	if kind == kindShard && crossSlot(args[1:]) {
		ss.w.WriteError(errCrossSlot)
		return
	}
	ps := ss.pubsub()
	set := ps.set(kind)
	verb := subNames[kind][1]
	names := args[1:]
	if len(names) == 0 {
		for _, n := range set.names {
			names = append(names, []byte(n))
		}
	}
	if len(names) == 0 {
		ss.w.WritePushLen(3)
		ss.w.WriteBulkString(verb)
		ss.w.WriteNull()
		ss.w.WriteInt(ps.count(kind))
		ss.closeIdle(ps)
		return
	}
	var o op
	seen := map[string]bool{}
	for _, name := range names {
		n := string(name)
		if !set.has(n) || seen[n] {
			continue
		}
		seen[n] = true
		if kind == kindPattern {
			for a := range ps.conns {
				o.add(a, name)
			}
			continue
		}
		if a := set.addr[n]; ps.conns[a] != nil {
			o.add(a, name)
		}
	}
	ss.runOp(ps, verb, &o)
	for _, name := range names {
		n := string(name)
		if set.has(n) {
			if kind == kindPattern {
				for _, c := range ps.conns {
					c.subs--
				}
			} else if c := ps.conns[set.addr[n]]; c != nil {
				c.subs--
			}
			set.remove(n)
		}
		ss.w.WritePushLen(3)
		ss.w.WriteBulkString(verb)
		ss.w.WriteBulk(name)
		ss.w.WriteInt(ps.count(kind))
	}
	ps.release()
	ss.closeIdle(ps)
}

// closeIdle closes the subscriber connections left without subscriptions.
func (ss *session) closeIdle(ps *pubsubState) {
	for _, c := range ps.conns {
		if c.subs <= 0 {
			ps.closeConn(c)
		}
	}
	if !ps.active() {
		ss.st.ps = nil
	}
	ss.updateIntercept()
}

// crossSlot reports whether shard channels span slots: the command table
// does not count channels as keys, Redis Cluster still wants one slot.
func crossSlot(names [][]byte) bool {
	for _, n := range names[min(1, len(names)):] {
		if topology.Slot(n) != topology.Slot(names[0]) {
			return true
		}
	}
	return false
}

// publishes reports whether cmd is PUBLISH or SPUBLISH, which routing
// sends to the primary of the channel's slot, in order with the session's
// other calls (the command table does not count channels as keys).
func publishes(cmd *command.Command) bool {
	return cmd.Name == "publish" || cmd.Name == "spublish"
}

// cmdPubsubUnion is PUBSUB CHANNELS and SHARDCHANNELS: every shard's
// list, without duplicates.
func cmdPubsubUnion(ss *session, args [][]byte) {
	vals, err := ss.srv.callAll(ss.ctx(), args...)
	if err != nil {
		ss.writeErr(err)
		return
	}
	seen := map[string]bool{}
	var out [][]byte
	for _, v := range vals {
		for _, e := range v.Elems {
			if !seen[string(e.Str)] {
				seen[string(e.Str)] = true
				out = append(out, e.Str)
			}
		}
	}
	ss.w.WriteArrayLen(len(out))
	for _, b := range out {
		ss.w.WriteBulk(b)
	}
}

// cmdPubsubNumsub is PUBSUB NUMSUB and SHARDNUMSUB: each channel's count
// summed over the shards (a channel's subscribers are on its slot's
// primary).
func cmdPubsubNumsub(ss *session, args [][]byte) {
	vals, err := ss.srv.callAll(ss.ctx(), args...)
	if err != nil {
		ss.writeErr(err)
		return
	}
	n := len(args) - 2
	sums := make([]int64, n)
	for _, v := range vals {
		for i := 0; i < n && 2*i+1 < len(v.Elems); i++ {
			sums[i] += v.Elems[2*i+1].Int
		}
	}
	ss.w.WriteArrayLen(2 * n)
	for i := range n {
		ss.w.WriteBulk(args[2+i])
		ss.w.WriteInt(sums[i])
	}
}

// cmdPubsubNumpat is PUBSUB NUMPAT: the most any shard has, since every
// pattern subscription is made on every shard.
func cmdPubsubNumpat(ss *session, args [][]byte) {
	vals, err := ss.srv.callAll(ss.ctx(), args...)
	if err != nil {
		ss.writeErr(err)
		return
	}
	var n int64
	for _, v := range vals {
		n = max(n, v.Int)
	}
	ss.w.WriteInt(n)
}
