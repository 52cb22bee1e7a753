package e2e

import (
	"io"
	"net"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingListener hands the server connections that count what the
// server has read, so the test knows when the server has taken in
// everything a client sent and is waiting for more.
type countingListener struct {
	net.Listener
	conns chan *countingConn
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	cc := &countingConn{Conn: c}
	select {
	case l.conns <- cc:
	default: // not a connection the test watches (e.g. the readiness probe)
	}
	return cc, nil
}

type countingConn struct {
	net.Conn
	read     atomic.Int64 // bytes returned by Read
	calls    atomic.Int64 // Read calls entered
	lastData atomic.Int64 // the number of the last call that returned data
}

func (c *countingConn) Read(p []byte) (int, error) {
	call := c.calls.Add(1)
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.read.Add(int64(n))
		c.lastData.Store(call)
	}
	return n, err
}

// idleAfter reports whether the server has read want bytes and has since
// called Read again (it has parsed what it got and waits for more).
func (c *countingConn) idleAfter(want int64) bool {
	return c.read.Load() >= want && c.calls.Load() > c.lastData.Load()
}

// TestBackendHugeBulkHeaderMemoryFlat declares 500 MB bulks on several
// connections, sends a few KB of each and nothing more, and checks that the
// backend's heap has not grown by more than what actually arrived (plus
// slack): a length header must not make it allocate.
func TestBackendHugeBulkHeaderMemoryFlat(t *testing.T) {
	const (
		conns   = 8
		payload = 4 << 10
		slack   = 16 << 20
	)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: ln, conns: make(chan *countingConn, 1)}
	addr, _ := serveBackend(t, cl)

	// Take the readiness probe's connection out of the channel, if any.
	select {
	case <-cl.conns:
	default:
	}

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	msg := "*1\r\n$524288000\r\n" + strings.Repeat("x", payload)
	for i := 0; i < conns; i++ {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		server := <-cl.conns
		if _, err := io.WriteString(c, msg); err != nil {
			t.Fatalf("write: %v", err)
		}
		deadline := time.Now().Add(10 * time.Second)
		poll := time.NewTicker(time.Millisecond)
		for !server.idleAfter(int64(len(msg))) {
			if time.Now().After(deadline) {
				poll.Stop()
				t.Fatalf("connection %d: the backend read %d of %d bytes and did not wait for more within 10s",
					i, server.read.Load(), len(msg))
			}
			<-poll.C
		}
		poll.Stop()
	}

	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	grewAlloc := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	grewSys := int64(after.HeapSys) - int64(before.HeapSys)
	t.Logf("%d connections declared 500 MB each and sent %d KB: HeapAlloc %+d KB, HeapSys %+d KB",
		conns, conns*payload>>10, grewAlloc>>10, grewSys>>10)
	if grewAlloc > slack || grewSys > slack {
		t.Errorf("heap grew by HeapAlloc %d MB / HeapSys %d MB, want less than %d MB",
			grewAlloc>>20, grewSys>>20, slack>>20)
	}

	// The connections are still open and waiting; the server still serves.
	if err := pingOnce(addr, 5*time.Second); err != nil {
		t.Errorf("PING after the hostile headers: %v", err)
	}
}
