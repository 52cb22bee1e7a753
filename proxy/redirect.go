package proxy

import (
	"bytes"
	"fmt"
	"net"
	"strconv"
	"sync/atomic"

	"github.com/shardis/shardis/topology"
)

// maxRedirects bounds how many MOVED and ASK replies the proxy follows for
// one command before it gives the last one to the client: a cluster whose
// nodes disagree (a slot in the middle of a failover) must not make the
// proxy loop. Redis Cluster clients use the same kind of bound (go-redis
// MaxRedirects defaults to 3; redis-py's RedisCluster to 5).
const maxRedirects = 5

// redirection is a -MOVED or -ASK error reply of a node, parsed once:
//
//	-MOVED <slot> <host:port>   the slot lives at host:port from now on
//	-ASK <slot> <host:port>     this one command goes to host:port, after
//	                            ASKING, while the slot migrates there
type redirection struct {
	ask  bool
	slot int
	// addr is where to go. Redis 7 leaves the host out (":port") when the
	// node does not know its own endpoint (cluster-preferred-endpoint-type
	// unknown-endpoint); target fills it in.
	addr string
}

// parseRedirection parses an error reply, with or without its leading '-'
// and trailing CRLF, and reports whether it is a well-formed MOVED or ASK.
// Anything else (another error, a malformed slot or address) is not a
// redirection and goes to the client as it came.
func parseRedirection(reply []byte) (redirection, bool) {
	b := bytes.TrimPrefix(reply, []byte{'-'})
	b = bytes.TrimSuffix(b, []byte("\r\n"))
	var r redirection
	switch {
	case bytes.HasPrefix(b, []byte("MOVED ")):
		b = b[len("MOVED "):]
	case bytes.HasPrefix(b, []byte("ASK ")):
		r.ask = true
		b = b[len("ASK "):]
	default:
		return redirection{}, false
	}
	slot, addr, ok := bytes.Cut(b, []byte{' '})
	if !ok || len(slot) == 0 || len(slot) > 5 {
		return redirection{}, false
	}
	n, err := strconv.Atoi(string(slot))
	if err != nil || n < 0 || n >= 16384 || slot[0] == '+' || slot[0] == '-' {
		return redirection{}, false
	}
	_, port, err := net.SplitHostPort(string(addr))
	if err != nil || port == "" || bytes.ContainsAny(addr, " \r\n") {
		return redirection{}, false
	}
	if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
		return redirection{}, false
	}
	r.slot, r.addr = n, string(addr)
	return r, true
}

// target is the address to follow the redirection to, given the address of
// the node that sent it: a redirection without a host means that node's host.
func (r redirection) target(from string) string {
	host, port, err := net.SplitHostPort(r.addr)
	if err != nil || host != "" {
		return r.addr
	}
	fromHost, _, err := net.SplitHostPort(from)
	if err != nil {
		return r.addr
	}
	return net.JoinHostPort(fromHost, port)
}

func init() { redirectHook = followRedirect }

// redirectStats count what the proxy did about redirections, for INFO.
type redirectStats struct {
	moved     atomic.Int64 // -MOVED replies followed
	ask       atomic.Int64 // -ASK replies followed
	exhausted atomic.Int64 // commands still redirected after maxRedirects
}

// redirectInfo returns the lines INFO adds to its Stats section.
func (s *Server) redirectInfo() []string {
	return []string{
		"proxy_moved_followed:" + strconv.FormatInt(s.redirects.moved.Load(), 10),
		"proxy_ask_followed:" + strconv.FormatInt(s.redirects.ask.Load(), 10),
		"proxy_redirects_exhausted:" + strconv.FormatInt(s.redirects.exhausted.Load(), 10),
	}
}

// askingReq is the request that lets the next command of a connection
// reach a slot the node is importing.
var askingReq = []byte("*1\r\n$6\r\nASKING\r\n")

// followRedirect is the session's redirect hook: c's reply is -MOVED or
// -ASK. It sends c.req where the reply says, and again if that node
// redirects too, up to maxRedirects times, then leaves the final reply in
// c.reply. It runs on the session's goroutine after the batch's replies are
// in and before they are written, one call after the other in request
// order, so the client's replies stay in order and a redirected write is
// never overtaken by a later command of the same client.
//
// MOVED updates the slot map (and, in front of a Redis Cluster, has the
// whole map read again, throttled); ASK does not: the slot still belongs to
// the node that answered, ASKING is valid for one command only. Both keep
// the proxy's promise that clients never see either.
func followRedirect(ss *session, c *call) { ss.srv.follow(c, ss.proto, ss.id) }

// follow is followRedirect for a call made with protocol proto by the
// client (or handler) id, which picks the links it uses.
func (s *Server) follow(c *call, proto int, id int64) {
	from := c.link.addr
	for range maxRedirects {
		r, ok := parseRedirection(c.reply)
		if !ok {
			return
		}
		to := r.target(from)
		if r.ask {
			s.redirects.ask.Add(1)
		} else {
			s.redirects.moved.Add(1)
			s.moved(r.slot, to)
		}
		// The write is replicated to the replicas of the shard that
		// answers, if the map knows it; a node it does not know has none.
		rt := s.routes()
		c.shard = shardOf(rt.m, to)
		if c.shard < 0 {
			c.write = false
		}
		l := s.poolAt(to).pick(proto, id)
		if r.ask {
			ask := &call{req: askingReq, wait: c.wait}
			c.wait.n.Store(2)
			l.sendPair(ask, c)
		} else {
			c.wait.n.Store(1)
			l.send(c)
		}
		l.flush()
		<-c.wait.ch
		from = to
	}
	if r, ok := parseRedirection(c.reply); ok {
		s.redirects.exhausted.Add(1)
		s.log.Warn().Int("slot", r.slot).Str("node", from).Int("redirects", maxRedirects).
			Msg("slot still redirected after the most redirections followed: the cluster is changing")
		c.reply = fmt.Appendf(c.reply[:0], "-TRYAGAIN slot %d was redirected %d times in a row (last to %s): the cluster is changing, try again\r\n",
			r.slot, maxRedirects, r.target(from))
	}
}

// shardOf returns the index in m of the shard whose primary is at addr, or -1.
func shardOf(m *topology.Map, addr string) int {
	for i := range m.NumShards() {
		if m.Shard(i).Primary.Address == addr {
			return i
		}
	}
	return -1
}

// moved records that slot is served by the node at addr, as a -MOVED
// reply said: the map in force gets that owner (a new shard if the address
// is new), swapped in with CompareAndSwap so that a reload meanwhile is not
// undone. In front of a Redis Cluster, the whole map is read again soon
// after: a reshard moves many slots at once.
func (s *Server) moved(slot int, addr string) {
	for range 100 { // bounded: only a burst of concurrent updates makes a CAS fail
		old := s.slots.Load()
		next := old.WithOwner(slot, addr)
		if next == old {
			break
		}
		if s.slots.CompareAndSwap(old, next) {
			s.log.Debug().Int("slot", slot).Str("node", addr).Msg("MOVED: slot map updated")
			break
		}
	}
	if cs := s.clusterSource(); cs != nil {
		cs.refresh(s)
	}
}

// poolAt returns the pool of links to the node at addr, making it if need
// be (a node a MOVED or ASK named that the map did not know).
func (s *Server) poolAt(addr string) *pool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.poolLocked(addr)
}
