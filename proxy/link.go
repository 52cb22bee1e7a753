package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/shardis/shardis/internal/rawio"
	"github.com/shardis/shardis/internal/resp"
)

// linksPerNode is how many pipelined connections the proxy keeps to each
// node per protocol version. One, as twemproxy: the node serves a
// connection's requests in order anyway, and every session's requests
// coalesce into one write per node. Against two, with redis-benchmark -c 50
// over three redis-server nodes (bench/proxy_compare.sh), it measured
// 1.1-1.45x the throughput at -P 1 with a lower p99, and more at -P 16.
const linksPerNode = 1

// Reconnection backoff of a link whose node is down.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = time.Second
)

// waiter counts the calls of a batch still waiting for a reply; the last
// one to complete wakes the session. It is reused batch after batch.
type waiter struct {
	n  atomic.Int32
	ch chan struct{} // capacity 1
}

func newWaiter() *waiter { return &waiter{ch: make(chan struct{}, 1)} }

func (w *waiter) doneOne() {
	if w.n.Add(-1) == 0 {
		w.wake()
	}
}

// last counts one call done and reports whether it was the last: the
// caller must then wake the session.
func (w *waiter) last() bool { return w.n.Add(-1) == 0 }

func (w *waiter) wake() { w.ch <- struct{}{} }

// call is one request to a node and, once complete, its reply. A session
// keeps its calls and reuses their buffers, so that routing a request
// allocates nothing in the steady state.
type call struct {
	req   []byte // the request, RESP-encoded
	reply []byte // the raw reply (its own copy)
	shard int    // index of the shard in the slot map the call was routed with
	write bool   // the command has the "write" flag: replicated on success
	link  *link
	wait  *waiter
	pos   []int // split commands: the output positions of this call's keys

	// direct is set by the session when the reader may write the reply
	// to the client itself (session.flushBatch); written says it did, all
	// of it (c.reply is then empty), errRep that it was an error reply,
	// and off how much of c.reply it wrote when the socket took only part.
	direct  *session
	written bool
	errRep  bool
	off     int
}

// complete stores the reply and signals the waiter.
func (c *call) complete(raw []byte) {
	c.reply = append(c.reply[:0], raw...)
	c.wait.doneOne()
}

// Link states.
const (
	linkDialing = iota // connecting: calls queue up and wait for the outcome
	linkUp             // connected
	linkDown           // between attempts: calls fail at once
)

// link is one long-lived pipelined connection to a node, redialled when it
// breaks. Sessions append requests to out under mu, then flush: one
// write sends everything pending, so requests of many sessions coalesce.
// The reader matches replies to queue first in, first out.
//
// Every call handed to send completes exactly once: with its reply, or with
// an error reply when the connection fails, times out or is closed.
type link struct {
	srv   *Server
	addr  string
	pass  string
	proto int

	kick chan struct{} // capacity 1: the writer has work
	done chan struct{} // closed by close

	mu      sync.Mutex
	nc      net.Conn // nil unless up
	nw      *rawio.Writer
	state   int
	closed  bool
	out     []byte // encoded requests not yet written
	spare   []byte // the other buffer; nil while a write uses it
	writing bool   // a write is in progress
	queue   callQueue
	downMsg []byte // error reply for calls while down
}

func newLink(srv *Server, addr, pass string, proto int) *link {
	l := &link{
		srv:   srv,
		addr:  addr,
		pass:  pass,
		proto: proto,
		kick:  make(chan struct{}, 1),
		done:  make(chan struct{}),
	}
	// A link made as the server closes (a RESP3 session's first request
	// racing Close) starts closed: its calls fail at once.
	if !srv.goFunc(l.run) || !srv.goFunc(l.writeLoop) {
		l.close()
	}
	return l
}

// send queues c on the link; the caller kicks the link once it has queued
// its whole batch. c.wait must already count c.
func (l *link) send(c *call) {
	l.mu.Lock()
	l.sendLocked(c)
	l.mu.Unlock()
}

// sendPair queues a and then b with no other request between them on the
// connection: ASKING and the command it is for (redirect.go).
func (l *link) sendPair(a, b *call) {
	l.mu.Lock()
	l.sendLocked(a)
	l.sendLocked(b)
	l.mu.Unlock()
}

func (l *link) sendLocked(c *call) {
	c.link = l
	switch {
	case l.closed:
		c.complete(closedReply)
		return
	case l.state == linkDown:
		c.complete(l.downMsg)
		return
	}
	if l.queue.len() == 0 && l.nc != nil {
		l.nc.SetReadDeadline(time.Now().Add(l.srv.timeouts().read))
	}
	l.queue.push(c)
	l.out = append(l.out, c.req...)
}

var closedReply = []byte("-CLUSTERDOWN The cluster is down: the proxy closed its connection to the node\r\n")

// run dials the node, reads replies until the connection breaks, and
// dials again, with backoff while the node is down, until the link closes.
func (l *link) run() {
	backoff := time.Duration(0)
	for {
		select {
		case <-l.done:
			return
		default:
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-l.done:
				cancel()
			case <-ctx.Done():
			}
		}()
		nc, err := l.srv.dialProto(ctx, l.addr, l.pass, l.proto)
		cancel()
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			if nc != nil {
				nc.Close()
			}
			return
		}
		if err != nil {
			l.state = linkDown
			l.downMsg = []byte("-" + nodeDownMsg(l.addr, "is unreachable ("+errText(err)+")") + "\r\n")
			l.failAllLocked(l.downMsg)
			l.mu.Unlock()
			if backoff == 0 {
				l.srv.log.Warn().Str("node", l.addr).Err(err).Msg("node unreachable")
			}
			backoff = min(max(2*backoff, minBackoff), maxBackoff)
			select {
			case <-time.After(backoff):
			case <-l.done:
				return
			}
			l.mu.Lock()
			if l.state == linkDown {
				l.state = linkDialing
			}
			l.mu.Unlock()
			continue
		}
		if backoff != 0 {
			l.srv.log.Info().Str("node", l.addr).Msg("node reachable again")
		}
		backoff = 0
		l.nc = nc
		l.nw = rawio.NewWriter(nc)
		l.state = linkUp
		pending := len(l.out) > 0
		if l.queue.len() > 0 {
			nc.SetReadDeadline(time.Now().Add(l.srv.timeouts().read))
		}
		l.mu.Unlock()
		if pending {
			l.kickWriter()
		}
		l.readLoop(nc)
	}
}

// errText is err's text without the dialer's repetition of the address.
func errText(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	return err.Error()
}

// readLoop matches replies to calls until the connection fails.
func (l *link) readLoop(nc net.Conn) {
	if rc := rawio.Conn(nc); rc != nil {
		l.readLoopRaw(nc, rc)
		return
	}
	rr := resp.NewReplyReader(nc)
	for {
		if rr.Buffered() == 0 {
			l.armDeadline(nc)
		}
		raw, err := rr.ReadRaw()
		if err == nil {
			err = l.deliver(raw, nil)
		}
		if err != nil {
			l.broken(nc, err)
			return
		}
	}
}

// readLoopRaw is readLoop inside one RawConn.Read, so that after a read
// that emptied the socket it waits for the next replies without a read
// that finds nothing (see session.serveRaw).
func (l *link) readLoopRaw(nc net.Conn, rc syscall.RawConn) {
	fr := &fdReader{}
	rr := resp.NewReplyReader(fr)
	var (
		failed error
		held   *waiter // see deliver
	)
	err := rc.Read(func(fd uintptr) bool {
		fr.fd = fd
		for {
			raw, err := rr.ReadRaw()
			if err == resp.ErrWouldBlock {
				if held != nil {
					held.wake()
					held = nil
				}
				l.armDeadline(nc)
				return false
			}
			if err == nil {
				err = l.deliver(raw, &held)
			}
			if err != nil {
				failed = err
				return true
			}
		}
	})
	if held != nil {
		held.wake()
	}
	if failed == nil {
		failed = err
	}
	l.broken(nc, failed)
}

// armDeadline runs when the reader is about to wait: the deadline runs
// from now while replies are owed, and there is none while the link is
// idle.
func (l *link) armDeadline(nc net.Conn) {
	l.mu.Lock()
	if l.queue.len() > 0 {
		nc.SetReadDeadline(time.Now().Add(l.srv.timeouts().read))
	} else {
		nc.SetReadDeadline(time.Time{})
	}
	l.mu.Unlock()
}

// deliver completes the oldest call with its reply raw. With held non-nil
// (a reader that goes through the replies of one read at once), the first
// session it would wake is left in *held, for the reader to wake when it
// has gone through them all. A goroutine woken by another runs next,
// before those already queued, and the one woken before it loses that
// place and goes to the back of the queue: waking the first last makes the
// sessions run, and write their replies, in the order their replies came.
// (redis-benchmark -c 50 -P 1 over three redis-server nodes, 9 alternating
// rounds: median p99 SET 1.023 -> 0.943 ms, GET 0.935 both.)
func (l *link) deliver(raw []byte, held **waiter) error {
	l.mu.Lock()
	c := l.queue.pop()
	l.mu.Unlock()
	if c == nil {
		return errors.New("a reply came with no request")
	}
	if c.write && len(raw) > 0 && raw[0] != '-' {
		l.srv.repl.Written(c.shard, c.req, raw)
	}
	if ss := c.direct; ss != nil && !isRedirect(raw) {
		// Before the session wakes: it then writes only what is left.
		n := ss.writeDirect(raw)
		if n == len(raw) {
			c.written = true
			c.errRep = raw[0] == '-'
			raw = nil
		} else {
			c.off = n
		}
	}
	c.reply = append(c.reply[:0], raw...)
	if c.wait.last() {
		if held != nil && *held == nil {
			*held = c.wait
		} else {
			c.wait.wake()
		}
	}
	return nil
}

// fdReader reads a file descriptor inside RawConn.Read for a ReplyReader:
// instead of blocking it returns resp.ErrWouldBlock, when the socket has
// nothing (EAGAIN) or when the last read left it empty (did not fill the
// buffer), so that the loop returns to RawConn.Read to wait.
type fdReader struct {
	fd      uintptr
	drained bool
}

func (f *fdReader) Read(p []byte) (int, error) {
	if f.drained {
		f.drained = false
		return 0, resp.ErrWouldBlock
	}
	n, err := rawio.Read(f.fd, p)
	switch {
	case err == syscall.EAGAIN:
		return 0, resp.ErrWouldBlock
	case err != nil:
		return 0, err
	case n == 0:
		return 0, io.EOF
	}
	f.drained = n < len(p)
	return n, nil
}

// writeLoop sends what is pending when a session left bytes behind (a
// write was in progress when it flushed) or the link just connected.
func (l *link) writeLoop() {
	for {
		select {
		case <-l.kick:
		case <-l.done:
			return
		}
		// The session that kicked the writer waits for its replies next,
		// and the writer would run at once (the kick made it the next
		// goroutine of that processor) and send that one request: yield
		// first, so that the other sessions the poller woke with the same
		// readiness queue theirs, and one write carries them all.
		runtime.Gosched()
		l.write()
	}
}

// flush gets the link's pending requests written by the writer goroutine,
// with everything other sessions queued meanwhile. (A session writing
// itself saves a hand-off but coalesces less: with many clients at
// pipeline depth 1 it measured about 1.5x slower, the syscalls dominating.)
func (l *link) flush() { l.kickWriter() }

// kickWriter wakes the writer goroutine.
func (l *link) kickWriter() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// write sends everything pending with one write, unless another write is
// in progress; what arrived meanwhile is left to the next round.
func (l *link) write() {
	l.mu.Lock()
	nc, nw := l.nc, l.nw
	if l.writing || nc == nil || len(l.out) == 0 {
		l.mu.Unlock()
		return
	}
	l.writing = true
	buf := l.out
	l.out = l.spare[:0]
	l.spare = nil
	l.mu.Unlock()
	nc.SetWriteDeadline(time.Now().Add(l.srv.timeouts().write))
	_, err := nw.Write(buf)
	if cap(buf) > 1<<20 {
		buf = nil
	}
	l.mu.Lock()
	l.spare = buf[:0]
	l.writing = false
	more := len(l.out) > 0 && l.nc != nil
	l.mu.Unlock()
	if err != nil {
		l.broken(nc, err)
		return
	}
	if more {
		l.kickWriter()
	}
}

// broken retires nc after err: every call waiting on it fails with a
// CLUSTERDOWN reply, and run dials again.
func (l *link) broken(nc net.Conn, err error) {
	l.mu.Lock()
	if l.nc != nc {
		l.mu.Unlock()
		return
	}
	l.nc = nil
	if !l.closed {
		l.state = linkDialing
	}
	why := "closed the connection"
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		why = fmt.Sprintf("did not answer within %v", l.srv.timeouts().read)
	case err != nil && !errors.Is(err, net.ErrClosed):
		why = "failed: " + errText(err)
	}
	msg := []byte("-" + nodeDownMsg(l.addr, why) + "\r\n")
	l.failAllLocked(msg)
	l.mu.Unlock()
	nc.Close()
	if !errors.Is(err, net.ErrClosed) {
		l.srv.log.Warn().Str("node", l.addr).Err(err).Msg("node connection lost")
	}
}

// failAllLocked completes every queued call with the error reply msg.
func (l *link) failAllLocked(msg []byte) {
	for c := l.queue.pop(); c != nil; c = l.queue.pop() {
		c.complete(msg)
	}
	l.out = l.out[:0]
}

// close retires the link: calls queued on it fail, its goroutines end.
func (l *link) close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	nc := l.nc
	l.nc = nil
	l.failAllLocked(closedReply)
	close(l.done)
	l.mu.Unlock()
	if nc != nil {
		nc.Close()
	}
}

// callQueue is a FIFO of calls awaiting replies.
type callQueue struct {
	buf  []*call
	head int
}

func (q *callQueue) len() int { return len(q.buf) - q.head }

func (q *callQueue) push(c *call) {
	if q.head > 0 && q.head == len(q.buf) {
		q.buf = q.buf[:0]
		q.head = 0
	} else if q.head > 1024 && q.head*2 > len(q.buf) {
		n := copy(q.buf, q.buf[q.head:])
		clear(q.buf[n:])
		q.buf = q.buf[:n]
		q.head = 0
	}
	q.buf = append(q.buf, c)
}

func (q *callQueue) pop() *call {
	if q.head == len(q.buf) {
		return nil
	}
	c := q.buf[q.head]
	q.buf[q.head] = nil
	q.head++
	return c
}

// pool is the links to one node: linksPerNode per protocol version, the
// RESP3 ones made the first time a RESP3 session needs them.
type pool struct {
	srv  *Server
	addr string
	pass string

	links2 []*link
	mu     sync.Mutex
	links3 atomic.Pointer[[]*link]
	closed bool
}

func newPool(srv *Server, addr, pass string) *pool {
	p := &pool{srv: srv, addr: addr, pass: pass}
	for range linksPerNode {
		p.links2 = append(p.links2, newLink(srv, addr, pass, 2))
	}
	return p
}

// pick returns the link a session with the given id and protocol uses:
// always the same one, so that its batches stay in order.
func (p *pool) pick(proto int, id int64) *link {
	if proto == 3 {
		ls := p.links3.Load()
		if ls == nil {
			ls = p.make3()
		}
		return (*ls)[uint64(id)%uint64(len(*ls))]
	}
	return p.links2[uint64(id)%uint64(len(p.links2))]
}

func (p *pool) make3() *[]*link {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ls := p.links3.Load(); ls != nil {
		return ls
	}
	ls := make([]*link, linksPerNode)
	for i := range ls {
		ls[i] = newLink(p.srv, p.addr, p.pass, 3)
		if p.closed {
			ls[i].close()
		}
	}
	p.links3.Store(&ls)
	return &ls
}

func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	for _, l := range p.links2 {
		l.close()
	}
	if ls := p.links3.Load(); ls != nil {
		for _, l := range *ls {
			l.close()
		}
	}
}
