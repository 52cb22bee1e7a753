package backend

import (
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/shardis/shardis/internal/command"
)

// Publish/subscribe, after Redis 7.0's pubsub.c.
//
// The server's pubsubHub maps channels, patterns and shard channels to their
// subscribers. A client gets a pushQueue on its first subscription; PUBLISH
// (from any goroutine, possibly with a shard locked: keyspace events) only
// appends the encoded message to the subscriber's queue, under the queue's
// own mutex, and never writes to a socket, so a slow subscriber cannot slow
// a publisher down. The messages then reach the subscriber's socket in one
// of two ways:
//
//   - while its goroutine runs commands, it moves them into its reply buffer
//     at command boundaries: before a command, and after it at the place
//     Redis would have written them (a push a command causes, such as a
//     message to itself or a keyspace event of its own write, comes before
//     the command's reply; the (un)subscribe commands place them themselves,
//     so that a message never precedes the confirmation of its subscription
//     nor follows that of its unsubscription);
//   - while it waits for input, a pusher goroutine writes them.
//
// pushQueue.wmu makes the socket writes of the two take turns in order: the
// client goroutine holds it from the moment it declares itself idle until
// its flush is done, and the pusher takes it before it takes a batch.
//
// A subscriber whose queued output passes client-output-buffer-limit's
// pubsub class (hard limit, or soft limit for longer than its seconds) is
// disconnected instead of growing memory, as in Redis.
//
// Lock order: shards, then pubsubHub.mu, then pushQueue.mu. pushQueue.wmu is
// taken before pushQueue.mu and never while holding the others.

// pubsubHub is the server's subscription registry.
type pubsubHub struct {
	mu       sync.RWMutex
	channels map[string]map[*Client]struct{}
	patterns map[string]map[*Client]struct{}
	shard    map[string]map[*Client]struct{}
	// active is len(channels)+len(patterns): zero makes PUBLISH and
	// keyspace events return before building anything.
	active atomic.Int64

	limits atomic.Pointer[pubsubLimits]
	events atomic.Pointer[eventFlags] // notify.go
}

// pubsubLimits is client-output-buffer-limit's pubsub class, parsed once per
// configuration snapshot.
type pubsubLimits struct {
	o          *Options
	hard, soft uint64
	softSecs   int64
}

func (h *pubsubHub) outputLimits(s *Server) *pubsubLimits {
	o := s.cfg.load()
	if l := h.limits.Load(); l != nil && l.o == o {
		return l
	}
	l := &pubsubLimits{o: o}
	v, _ := o.Get("client-output-buffer-limit")
	f := strings.Fields(v)
	for i := 0; i+3 < len(f); i += 4 {
		if f[i] == "pubsub" {
			l.hard, _ = strconv.ParseUint(f[i+1], 10, 64)
			l.soft, _ = strconv.ParseUint(f[i+2], 10, 64)
			l.softSecs, _ = strconv.ParseInt(f[i+3], 10, 64)
		}
	}
	h.limits.Store(l)
	return l
}

// subSet is a client's subscriptions of one kind, in subscription order.
type subSet struct {
	names []string
	set   map[string]struct{}
}

func (s *subSet) add(name string) bool {
	if _, ok := s.set[name]; ok {
		return false
	}
	if s.set == nil {
		s.set = make(map[string]struct{})
	}
	s.set[name] = struct{}{}
	s.names = append(s.names, name)
	return true
}

func (s *subSet) remove(name string) bool {
	if _, ok := s.set[name]; !ok {
		return false
	}
	delete(s.set, name)
	for i, n := range s.names {
		if n == name {
			s.names = append(s.names[:i], s.names[i+1:]...)
			break
		}
	}
	return true
}

// pushQueue is a client's subscriptions and the pushes waiting for its
// socket.
type pushQueue struct {
	// Subscriptions: changed by the client's goroutine with the hub locked
	// for writing, read by others with the hub locked.
	channels, patterns, shardChannels subSet

	mu        sync.Mutex
	pending   []byte // pushes not yet in the reply buffer nor on the wire
	deferred  []byte // pushes from other clients while this one runs EXEC
	spare     []byte
	inExec    bool
	idle      bool // the client waits for input: the pusher may write
	pushing   bool // a pusher goroutine runs
	inflight  int  // bytes being written to the socket
	softSince int64
	dead      bool

	wmu sync.Mutex // socket writes: the client goroutine's flush or the pusher

	// ordered is set by a handler that placed the pushes itself (the
	// subscribe commands). Client goroutine only.
	ordered bool
}

// count is the number of subscriptions of every kind (client goroutine).
func (q *pushQueue) count() int {
	return len(q.channels.names) + len(q.patterns.names) + len(q.shardChannels.names)
}

// pushQueue returns c's queue, creating it on first use.
func (c *Client) pushQueue() *pushQueue {
	if c.push == nil {
		h := &c.srv.pubsub
		h.mu.Lock() // publishers and CLIENT LIST read c.push with the hub locked
		c.push = &pushQueue{}
		h.mu.Unlock()
		c.mode |= modePush
	}
	return c.push
}

// Commands a RESP2 client with subscriptions may run.
var subscribedModeCmds = commandSet("ping", "subscribe", "ssubscribe", "unsubscribe",
	"sunsubscribe", "psubscribe", "punsubscribe", "quit", "reset")

func init() {
	register("subscribe", cmdSubscribe)
	register("unsubscribe", cmdUnsubscribe)
	register("psubscribe", cmdPSubscribe)
	register("punsubscribe", cmdPUnsubscribe)
	register("ssubscribe", cmdSSubscribe)
	register("sunsubscribe", cmdSUnsubscribe)
	register("publish", cmdPublish)
	register("spublish", cmdSPublish)
	register("pubsub|channels", cmdPubsubChannels)
	register("pubsub|shardchannels", cmdPubsubChannels)
	register("pubsub|numsub", cmdPubsubNumsub)
	register("pubsub|shardnumsub", cmdPubsubNumsub)
	register("pubsub|numpat", cmdPubsubNumpat)
	register("pubsub|help", func(c *Client, args [][]byte) { addReplyHelp(c, args, pubsubHelp) })

	clientPubsubCounts = func(c *Client) (sub, psub, ssub int) {
		h := &c.srv.pubsub
		h.mu.RLock()
		defer h.mu.RUnlock()
		if q := c.push; q != nil {
			return len(q.channels.names), len(q.patterns.names), len(q.shardChannels.names)
		}
		return 0, 0, 0
	}
	clientResetHooks = append(clientResetHooks, func(c *Client) {
		if c.push != nil {
			c.unsubscribeAll()
		}
	})
	infoFieldHooks["pubsub_channels"] = func(s *Server) string { return s.pubsub.size(func(h *pubsubHub) int { return len(h.channels) }) }
	infoFieldHooks["pubsub_patterns"] = func(s *Server) string { return s.pubsub.size(func(h *pubsubHub) int { return len(h.patterns) }) }
	infoFieldHooks["pubsubshard_channels"] = func(s *Server) string { return s.pubsub.size(func(h *pubsubHub) int { return len(h.shard) }) }
}

func (h *pubsubHub) size(f func(*pubsubHub) int) string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return strconv.Itoa(f(h))
}

// pubsubHelp is PUBSUB HELP's text (Redis 7.0's).
var pubsubHelp = []string{
	"CHANNELS [<pattern>]",
	"    Return the currently active channels matching a <pattern> (default: '*').",
	"NUMPAT",
	"    Return number of subscriptions to patterns.",
	"NUMSUB [<channel> ...]",
	"    Return the number of subscribers for the specified channels, excluding",
	"    pattern subscriptions(default: no channels).",
	"SHARDCHANNELS [<pattern>]",
	"    Return the currently active shard level channels matching a <pattern> (default: '*').",
	"SHARDNUMSUB [<shardchannel> ...]",
	"    Return the number of subscribers for the specified shard level channel(s)",
}

// --- Subscribing ----------------------------------------------------------

// Subscription kinds.
const (
	subChannel = iota
	subPattern
	subShard
)

var (
	subscribeNames   = [...]string{"subscribe", "psubscribe", "ssubscribe"}
	unsubscribeNames = [...]string{"unsubscribe", "punsubscribe", "sunsubscribe"}
)

func (q *pushQueue) set(kind int) *subSet {
	switch kind {
	case subPattern:
		return &q.patterns
	case subShard:
		return &q.shardChannels
	}
	return &q.channels
}

func (h *pubsubHub) registry(kind int) *map[string]map[*Client]struct{} {
	switch kind {
	case subPattern:
		return &h.patterns
	case subShard:
		return &h.shard
	}
	return &h.channels
}

// kindCount is the count a (un)subscribe confirmation shows: channels and
// patterns together, shard channels on their own.
func (q *pushQueue) kindCount(kind int) int {
	if kind == subShard {
		return len(q.shardChannels.names)
	}
	return len(q.channels.names) + len(q.patterns.names)
}

// subscribe adds c to name's subscribers and confirms it.
func (c *Client) subscribe(kind int, name []byte) {
	q := c.push
	h := &c.srv.pubsub
	h.mu.Lock()
	if q.set(kind).add(string(name)) {
		reg := h.registry(kind)
		if *reg == nil {
			*reg = make(map[string]map[*Client]struct{})
		}
		subs := (*reg)[string(name)]
		if subs == nil {
			subs = make(map[*Client]struct{})
			(*reg)[string(name)] = subs
			if kind != subShard {
				h.active.Add(1)
			}
		}
		subs[c] = struct{}{}
	}
	h.mu.Unlock()
	c.pubsubConfirm(subscribeNames[kind], name, q.kindCount(kind))
}

// unsubscribe removes c from name's subscribers; notify writes the
// confirmation.
func (c *Client) unsubscribe(kind int, name []byte, notify bool) {
	q := c.push
	h := &c.srv.pubsub
	h.mu.Lock()
	if q.set(kind).remove(string(name)) {
		reg := *h.registry(kind)
		subs := reg[string(name)]
		delete(subs, c)
		if len(subs) == 0 {
			delete(reg, string(name))
			if kind != subShard {
				h.active.Add(-1)
			}
		}
	}
	h.mu.Unlock()
	if notify {
		c.pubsubConfirm(unsubscribeNames[kind], name, q.kindCount(kind))
	}
}

// unsubscribeAllKind is UNSUBSCRIBE, PUNSUBSCRIBE or SUNSUBSCRIBE without
// arguments.
func (c *Client) unsubscribeAllKind(kind int, notify bool) {
	q := c.push
	if len(q.set(kind).names) == 0 {
		if notify {
			c.pubsubConfirm(unsubscribeNames[kind], nil, q.kindCount(kind))
		}
		return
	}
	for _, name := range append([]string(nil), q.set(kind).names...) {
		c.unsubscribe(kind, []byte(name), notify)
	}
}

// unsubscribeAll drops every subscription silently (RESET, disconnection).
// c has a push queue.
func (c *Client) unsubscribeAll() {
	for kind := subChannel; kind <= subShard; kind++ {
		c.unsubscribeAllKind(kind, false)
	}
}

// pubsubConfirm queues a (un)subscribe confirmation: a push in RESP3, an
// array in RESP2; a nil name is an unsubscription from nothing. It goes
// through the push queue, after the messages already queued and before
// those published from now on (the subscription is already changed), and,
// as a push, it is sent even under CLIENT REPLY OFF.
func (c *Client) pubsubConfirm(kind string, name []byte, count int) {
	q := c.push
	q.mu.Lock()
	b := q.pending
	if c.proto.Load() == 2 {
		b = append(b, "*3\r\n"...)
	} else {
		b = append(b, ">3\r\n"...)
	}
	b = appendBulk(b, []byte(kind))
	switch {
	case name != nil:
		b = appendBulk(b, name)
	case c.proto.Load() == 2:
		b = append(b, "$-1\r\n"...)
	default:
		b = append(b, "_\r\n"...)
	}
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(count), 10)
	q.pending = append(b, '\r', '\n')
	q.mu.Unlock()
}

func subscribeCmd(c *Client, args [][]byte, kind int) {
	q := c.pushQueue()
	for _, name := range args[1:] {
		c.subscribe(kind, name)
	}
	q.ordered = true
}

func unsubscribeCmd(c *Client, args [][]byte, kind int) {
	q := c.pushQueue()
	if len(args) == 1 {
		c.unsubscribeAllKind(kind, true)
	} else {
		for _, name := range args[1:] {
			c.unsubscribe(kind, name, true)
		}
	}
	q.ordered = true
}

func cmdSubscribe(c *Client, args [][]byte)    { subscribeCmd(c, args, subChannel) }
func cmdPSubscribe(c *Client, args [][]byte)   { subscribeCmd(c, args, subPattern) }
func cmdUnsubscribe(c *Client, args [][]byte)  { unsubscribeCmd(c, args, subChannel) }
func cmdPUnsubscribe(c *Client, args [][]byte) { unsubscribeCmd(c, args, subPattern) }
func cmdSUnsubscribe(c *Client, args [][]byte) { unsubscribeCmd(c, args, subShard) }

func cmdSSubscribe(c *Client, args [][]byte) {
	// EXEC denies blocking; unlike SUBSCRIBE (kept working inside MULTI for
	// compatibility), SSUBSCRIBE refuses then.
	if c.inExec {
		c.err("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client")
		return
	}
	subscribeCmd(c, args, subShard)
}

// --- Publishing -----------------------------------------------------------

func cmdPublish(c *Client, args [][]byte) {
	c.w.WriteInt(int64(c.srv.publish(c, args[1], args[2], false)))
}

func cmdSPublish(c *Client, args [][]byte) {
	c.w.WriteInt(int64(c.srv.publish(c, args[1], args[2], true)))
}

// publish delivers message on channel to its subscribers (and, unless
// shard, to the clients whose patterns match) and returns how many
// received it. from is the publishing client, nil for keyspace events.
func (s *Server) publish(from *Client, channel, message []byte, shard bool) int {
	h := &s.pubsub
	if !shard && h.active.Load() == 0 {
		return 0
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	var d delivery
	d.init(s, from)
	n := 0
	reg := h.channels
	kind := "message"
	if shard {
		reg, kind = h.shard, "smessage"
	}
	// The encoded message, by protocol (RESP2, RESP3); short ones are
	// built on the stack, as deliver copies them.
	var bufs [2][192]byte
	var msg [2][]byte
	if subs := reg[string(channel)]; len(subs) > 0 {
		for cl := range subs {
			p := cl.proto.Load()
			if p != 2 {
				p = 3
			}
			m := &msg[p-2]
			if *m == nil {
				*m = appendPubsubMessage(bufs[p-2][:0], p, kind, nil, channel, message)
			}
			d.deliver(cl, *m)
			n++
		}
	}
	if shard {
		return n
	}
	for pat, subs := range h.patterns {
		if !globMatch(pat, channel, false) {
			continue
		}
		msg = [2][]byte{}
		for cl := range subs {
			p := cl.proto.Load()
			if p != 2 {
				p = 3
			}
			m := &msg[p-2]
			if *m == nil {
				*m = appendPubsubMessage(bufs[p-2][:0], p, "pmessage", []byte(pat), channel, message)
			}
			d.deliver(cl, *m)
			n++
		}
	}
	return n
}

// appendPubsubMessage encodes a message push: [kind, pattern?, channel,
// payload], an array in RESP2 and a push in RESP3.
func appendPubsubMessage(b []byte, proto int32, kind string, pattern, channel, payload []byte) []byte {
	n := 3
	if pattern != nil {
		n = 4
	}
	if proto == 2 {
		b = append(b, '*')
	} else {
		b = append(b, '>')
	}
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, '\r', '\n')
	b = appendBulkString(b, kind)
	if pattern != nil {
		b = appendBulk(b, pattern)
	}
	b = appendBulk(b, channel)
	return appendBulk(b, payload)
}

func appendBulkString(b []byte, s string) []byte {
	b = append(b, '$')
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, '\r', '\n')
	b = append(b, s...)
	return append(b, '\r', '\n')
}

func appendBulk(b, s []byte) []byte {
	b = append(b, '$')
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, '\r', '\n')
	b = append(b, s...)
	return append(b, '\r', '\n')
}

// delivery is one publish's context for the subscribers it reaches.
type delivery struct {
	s      *Server
	from   *Client
	limits *pubsubLimits
	now    int64 // unix seconds, for the soft limit
}

func (d *delivery) init(s *Server, from *Client) {
	d.s, d.from = s, from
}

// deliver queues msg for cl (the hub is locked for reading).
func (d *delivery) deliver(cl *Client, msg []byte) {
	if d.limits == nil {
		d.limits = d.s.pubsub.outputLimits(d.s)
		d.now = int64(d.s.lruClock()) // seconds, kept by the cron
	}
	q := cl.push
	l := d.limits
	q.mu.Lock()
	if q.dead {
		q.mu.Unlock()
		return
	}
	if q.inExec && d.from != nil && d.from != cl {
		// Nothing else runs while Redis runs a transaction: another
		// client's message goes after EXEC's reply.
		q.deferred = append(q.deferred, msg...)
	} else {
		q.pending = append(q.pending, msg...)
	}
	used := uint64(len(q.pending) + len(q.deferred) + q.inflight)
	over := l.hard > 0 && used >= l.hard
	if !over && l.soft > 0 && used >= l.soft {
		if q.softSince == 0 {
			q.softSince = d.now
		} else if d.now-q.softSince > l.softSecs {
			over = true
		}
	} else if !over {
		q.softSince = 0
	}
	if over {
		q.dead = true
		q.pending, q.deferred, q.spare = nil, nil, nil
		q.mu.Unlock()
		d.s.log.Warn().Str("client", cl.conn.RemoteAddr().String()).
			Msg("client closed for overcoming of output buffer limits")
		cl.kill()
		return
	}
	start := q.idle && !q.pushing && len(q.pending) > 0
	if start {
		q.pushing = true
	}
	q.mu.Unlock()
	if start {
		d.s.goFunc(func() { q.run(cl) })
	}
}

// run is the pusher: it writes pending pushes while the client waits for
// input.
func (q *pushQueue) run(c *Client) {
	for {
		// Let the publishers that are running add theirs first: one
		// write then carries many messages, as Redis sends a client's
		// whole output once per event-loop turn.
		runtime.Gosched()
		q.wmu.Lock()
		q.mu.Lock()
		if q.dead || !q.idle || len(q.pending) == 0 {
			q.pushing = false
			q.mu.Unlock()
			q.wmu.Unlock()
			return
		}
		buf := q.pending
		q.pending = q.spare[:0]
		q.spare = nil
		q.inflight = len(buf)
		q.mu.Unlock()
		_, err := c.conn.Write(buf)
		q.mu.Lock()
		q.inflight = 0
		if cap(buf) <= 64<<10 {
			q.spare = buf[:0]
		}
		if err != nil {
			q.dead = true
			q.pushing = false
		}
		q.mu.Unlock()
		q.wmu.Unlock()
		if err != nil {
			c.kill()
			return
		}
	}
}

// flush writes c's reply buffer. idle says the goroutine is about to wait
// for input: pending pushes go out with the replies, and the pusher takes
// over for those that arrive meanwhile.
func (c *Client) flush(idle bool) error {
	if c.aofOff > c.aofWaited {
		if err := c.waitDurable(); err != nil {
			// The log does not hold what these replies acknowledge: none
			// goes out, and the client is closed (persist.go).
			c.aofFailed(err)
			return err
		}
	}
	q := c.push
	if q == nil {
		return c.w.Flush()
	}
	q.wmu.Lock()
	defer q.wmu.Unlock()
	q.mu.Lock()
	if idle {
		q.takeInto(c, -1)
		q.idle = true
	}
	q.inflight = c.w.Buffered()
	q.mu.Unlock()
	err := c.w.Flush()
	q.mu.Lock()
	q.inflight = 0
	q.mu.Unlock()
	return err
}

// wake runs when the client goroutine starts a command: pushes that
// arrived while it waited come before the command's reply.
func (q *pushQueue) wake(c *Client) {
	q.mu.Lock()
	q.idle = false
	q.takeInto(c, -1)
	q.mu.Unlock()
}

// drain moves pending pushes to the end of c's reply buffer.
func (q *pushQueue) drain(c *Client) {
	q.mu.Lock()
	q.takeInto(c, -1)
	q.mu.Unlock()
}

// takeInto moves pending pushes into c's reply buffer at offset at (-1:
// the end). q.mu is held.
func (q *pushQueue) takeInto(c *Client, at int) {
	if len(q.pending) == 0 {
		return
	}
	if at < 0 || at >= c.w.Buffered() {
		c.w.WriteRaw(q.pending)
	} else {
		tail := append([]byte(nil), c.w.Bytes()[at:]...)
		c.w.Truncate(at)
		c.w.WriteRaw(q.pending)
		c.w.WriteRaw(tail)
	}
	if cap(q.pending) > 64<<10 {
		q.pending = nil
	} else {
		q.pending = q.pending[:0]
	}
}

// setExec marks the client as running EXEC: other clients' messages wait
// until it ends.
func (q *pushQueue) setExec(on bool) {
	q.mu.Lock()
	q.inExec = on
	if !on && len(q.deferred) > 0 {
		q.pending = append(q.pending, q.deferred...)
		q.deferred = q.deferred[:0]
	}
	q.mu.Unlock()
}

// callPushing is call for a client with a push queue: pushes made while the
// command ran go before its reply, as Redis writes them into the reply
// buffer as they happen, unless the handler placed them itself.
func (c *Client) callPushing(cmd *command.Command, im *impl, args [][]byte) {
	q := c.push
	q.drain(c)
	mark := c.w.Buffered()
	q.ordered = false
	c.call(cmd, im, args)
	at := mark
	if q.ordered {
		at = -1
	}
	q.ordered = false
	q.mu.Lock()
	q.takeInto(c, at)
	q.mu.Unlock()
}

// freeTxPubsub releases a closing client's transaction, watches and
// subscriptions; a second call does nothing.
func (c *Client) freeTxPubsub() {
	if c.tx != nil {
		c.inExec = false
		c.unwatchAll()
	}
	if q := c.push; q != nil {
		c.unsubscribeAll()
		q.mu.Lock()
		q.dead = true
		q.pending, q.deferred, q.spare = nil, nil, nil
		q.mu.Unlock()
	}
}

// --- PUBSUB ---------------------------------------------------------------

func cmdPubsubChannels(c *Client, args [][]byte) {
	if len(args) > 3 {
		replySubcommandSyntaxError(c, args)
		return
	}
	h := &c.srv.pubsub
	h.mu.RLock()
	reg := h.channels
	if strings.EqualFold(string(args[1]), "shardchannels") {
		reg = h.shard
	}
	var names []string
	for name := range reg {
		if len(args) == 2 || globMatch(args[2], name, false) {
			names = append(names, name)
		}
	}
	h.mu.RUnlock()
	c.w.WriteArrayLen(len(names))
	for _, n := range names {
		c.w.WriteBulkString(n)
	}
}

func cmdPubsubNumsub(c *Client, args [][]byte) {
	h := &c.srv.pubsub
	shard := strings.EqualFold(string(args[1]), "shardnumsub")
	c.w.WriteArrayLen(2 * (len(args) - 2))
	h.mu.RLock()
	defer h.mu.RUnlock()
	reg := h.channels
	if shard {
		reg = h.shard
	}
	for _, ch := range args[2:] {
		c.w.WriteBulk(ch)
		c.w.WriteInt(int64(len(reg[string(ch)])))
	}
}

func cmdPubsubNumpat(c *Client, args [][]byte) {
	h := &c.srv.pubsub
	h.mu.RLock()
	n := len(h.patterns)
	h.mu.RUnlock()
	c.w.WriteInt(int64(n))
}
