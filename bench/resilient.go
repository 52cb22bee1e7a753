package bench

import (
	"bytes"
	"context"
	"net"
	"time"

	"github.com/shardis/shardis/internal/resp"
)

// reconnectEvery is how often a connection whose node is down is dialled
// again, and the slot map re-read.
const reconnectEvery = 100 * time.Millisecond

// link is a connection to one node in a resilient run; c is nil while the
// node cannot be reached.
type link struct {
	addr     string
	c        net.Conn
	rr       *resp.ReplyReader
	buf      []byte
	owners   []int32
	lastDial time.Time
}

// dial connects l if it is down and its last attempt is old enough.
func (r *run) dial(l *link, now time.Time) {
	if l.c != nil || now.Sub(l.lastDial) < reconnectEvery {
		return
	}
	l.lastDial = now
	c, err := net.DialTimeout("tcp", l.addr, reconnectEvery)
	if err != nil {
		return
	}
	r.mu.Lock()
	r.conns = append(r.conns, c)
	r.mu.Unlock()
	l.c = c
	l.rr = resp.NewReplyReader(c)
}

func (l *link) drop() {
	if l.c != nil {
		_ = l.c.Close()
		l.c = nil
	}
}

// resilientLoop is closedLoop for runs with Reconnect: a lost connection
// fails the operations it held (counted in Errors, not in Ops) and is
// dialled again; in cluster mode a MOVED reply or a lost node makes the
// connection re-read the slot map, as cluster clients do after a
// failover. It allocates when connections are lost, never per operation
// otherwise.
func (r *run) resilientLoop(i int, conns []net.Conn) {
	cfg := r.cfg
	b, _ := r.newBuilder(i)
	hist := newHist()
	routes := r.routes
	links := make([]*link, len(conns))
	for n, c := range conns {
		links[n] = &link{addr: r.nodes[n], c: c, rr: resp.NewReplyReader(c), buf: make([]byte, 0, 64*1024)}
	}
	var nodeOf func([]byte) int
	if routes != nil {
		nodeOf = func(key []byte) int { return routes.nodeOf(key) }
	}
	bufs := make([][]byte, len(links))
	parts := make([]int32, cfg.Pipeline)
	failed := make([]bool, cfg.Pipeline)
	var ops, errs, last int64
	var firstErr string
	var lastRefresh time.Time
	quota := int64(-1)
	if cfg.Requests > 0 {
		quota = r.quota(i)
	}
	defer func() {
		for _, l := range links {
			l.drop()
		}
		r.merge(hist, ops, errs, firstErr, last)
	}()
	noteErr := func(msg string, measuring bool) {
		if !measuring {
			return
		}
		if errs == 0 {
			firstErr = msg
		}
		errs++
	}
	// refresh re-reads the slot map from any node that answers and keeps
	// the links to the nodes that remain.
	refresh := func(now time.Time) {
		if routes == nil || now.Sub(lastRefresh) < reconnectEvery {
			return
		}
		lastRefresh = now
		var nr *slotRoutes
		for _, l := range links {
			if got, err := readSlots(context.Background(), l.addr, reconnectEvery); err == nil {
				nr = got
				break
			}
		}
		if nr == nil {
			return
		}
		old := map[string]*link{}
		for _, l := range links {
			old[l.addr] = l
		}
		nl := make([]*link, len(nr.nodes))
		for n, addr := range nr.nodes {
			if l, ok := old[addr]; ok {
				nl[n] = l
				delete(old, addr)
			} else {
				nl[n] = &link{addr: addr, buf: make([]byte, 0, 64*1024)}
			}
		}
		for _, l := range old {
			l.drop()
		}
		links, routes = nl, nr
		bufs = make([][]byte, len(links))
	}
	var measuring bool
	// fail ends every operation l still owes a reply to.
	fail := func(l *link, why string) {
		for _, op := range l.owners {
			if !failed[op] {
				failed[op] = true
				noteErr(why, measuring)
			}
			parts[op]--
		}
		l.owners = l.owners[:0]
	}
	var attempted int64 // measured operations sent or failed
	for !r.stop.Load() {
		measuring = r.measuring.Load()
		n := cfg.Pipeline
		if measuring && quota >= 0 {
			if left := quota - attempted; left < int64(n) {
				n = int(left)
			}
			if n <= 0 {
				return
			}
		}
		now := time.Now()
		for _, l := range links {
			r.dial(l, now)
		}
		for n, l := range links {
			bufs[n] = l.buf[:0]
		}
		for op := range n {
			b.build(bufs, nodeOf)
			parts[op] = int32(len(b.parts))
			failed[op] = false
			for _, node := range b.parts {
				links[node].owners = append(links[node].owners, int32(op))
			}
		}
		if measuring {
			attempted += int64(n)
		}
		sent := time.Now()
		down := false
		for n, l := range links {
			l.buf = bufs[n]
			if len(l.buf) == 0 {
				continue
			}
			if l.c == nil {
				fail(l, "node "+l.addr+" unreachable")
				down = true
				continue
			}
			if _, err := l.c.Write(l.buf); err != nil {
				l.drop()
				fail(l, "connection to "+l.addr+" lost")
				down = true
			}
		}
		moved := false
		for _, l := range links {
			for k, op := range l.owners {
				raw, err := l.rr.ReadRaw()
				if err != nil {
					l.drop()
					l.owners = l.owners[k:]
					fail(l, "connection to "+l.addr+" lost")
					down = true
					break
				}
				if raw[0] == '-' {
					r.counts[i].errs.Add(1)
					if bytes.HasPrefix(raw, []byte("-MOVED")) {
						moved = true
					}
					if !failed[op] {
						noteErr(string(trimCRLF(raw[1:])), measuring)
					}
				}
				if parts[op]--; parts[op] == 0 && !failed[op] {
					r.counts[i].n.Add(1)
					if measuring {
						now := time.Now()
						us := micros(now.Sub(sent))
						hist.RecordValue(us)
						r.counts[i].noteLatency(us)
						ops++
						last = now.UnixNano()
					}
				}
			}
			l.owners = l.owners[:0]
		}
		if moved || down {
			refresh(time.Now())
		}
		if down {
			// Do not spin on a node that refuses: the next attempt is
			// reconnectEvery away anyway.
			time.Sleep(reconnectEvery / 10)
		}
	}
}
