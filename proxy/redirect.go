package proxy

import (
	"bytes"
	"net"
	"strconv"
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

// isRedirection is the cheap test the reply path makes on every error reply
// before parsing it: a reply that is not an error starting with MOVED or ASK
// costs two byte comparisons.
func isRedirection(reply []byte) bool {
	return len(reply) > 4 && reply[0] == '-' &&
		(reply[1] == 'M' && bytes.HasPrefix(reply, []byte("-MOVED ")) ||
			reply[1] == 'A' && bytes.HasPrefix(reply, []byte("-ASK ")))
}
