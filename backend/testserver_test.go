package backend

import (
	"net"
	"testing"
	"time"

	"github.com/shardis/shardis/internal/resp"
)

// startTestServer starts a server with redis-server's defaults on a
// loopback port chosen by the kernel and closes it when the test ends. The
// listener exists before it returns, so clients can dial at once.
func startTestServer(t testing.TB) (*Server, string) {
	t.Helper()
	return startTestServerOptions(t, DefaultOptions())
}

// startTestServerOptions is startTestServer with the given options (Bind
// and Port are ignored).
func startTestServerOptions(t testing.TB, opts Options) (*Server, string) {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.Close()
		t.Fatalf("listen: %v", err)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		s.Serve(ln)
	}()
	t.Cleanup(func() {
		s.Close()
		<-served
	})
	return s, ln.Addr().String()
}

// testConn is a raw RESP connection: tests compare the exact bytes of
// replies, as redis-server sent them.
type testConn struct {
	t  testing.TB
	nc net.Conn
	rr *resp.ReplyReader
}

// dialTest connects to addr; the connection is closed when the test ends.
func dialTest(t testing.TB, addr string) *testConn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	return &testConn{t: t, nc: nc, rr: resp.NewReplyReader(nc)}
}

// raw sends one command and returns its reply's exact bytes.
func (c *testConn) raw(args ...string) string {
	c.t.Helper()
	c.nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.nc.Write(resp.AppendCommand(nil, args...)); err != nil {
		c.t.Fatalf("write %q: %v", args, err)
	}
	b, err := c.rr.ReadRaw()
	if err != nil {
		c.t.Fatalf("reply to %q: %v", args, err)
	}
	return string(b)
}

// do sends one command and returns its decoded reply.
func (c *testConn) do(args ...string) resp.Value {
	c.t.Helper()
	v, _, err := resp.ParseReply([]byte(c.raw(args...)))
	if err != nil {
		c.t.Fatalf("parse reply to %q: %v", args, err)
	}
	return v
}

// expect sends one command and fails the test unless the reply's bytes are
// want.
func (c *testConn) expect(want string, args ...string) {
	c.t.Helper()
	if got := c.raw(args...); got != want {
		c.t.Errorf("%q: got %q, want %q", args, got, want)
	}
}
