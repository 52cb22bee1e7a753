package proxy

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/shardis/shardis/internal/resp"
)

// TestShutdownClosesIdleClients checks that Shutdown ends idle client
// connections at once, Serve returns ErrServerClosed, and a second
// Shutdown or Close is harmless.
func TestShutdownClosesIdleClients(t *testing.T) {
	s, addr := startTestProxy(t, "", startOKNode(t))
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	rr := resp.NewReplyReader(nc)
	if got := rawDo(t, nc, rr, "SET", "k", "v"); got != "+OK\r\n" {
		t.Fatalf("SET = %q", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("Shutdown took %v", el)
	}
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := rr.ReadRaw(); !errors.Is(err, io.EOF) {
		t.Fatalf("client read after Shutdown: %v, want EOF", err)
	}
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("second Shutdown: %v", err)
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Fatal("the proxy still accepts clients after Shutdown")
	}
}

// TestNewRefusesBadConfig checks that New names what is wrong.
func TestNewRefusesBadConfig(t *testing.T) {
	if _, err := New(Options{}); err == nil {
		t.Fatal("New without a configuration succeeded")
	}
	s, _ := startTestProxy(t, "", startOKNode(t))
	cfg := *s.config()
	o := s.opts
	o.Config = &cfg
	o.Name = "nosuch"
	if _, err := New(o); err == nil || err.Error() != `proxy: the configuration has no [[proxy]] named "nosuch"` {
		t.Fatalf("New with an unknown proxy name: %v", err)
	}
}

// TestRESP3LinksRacingClose checks that RESP3 links made while the server
// closes (a RESP3 client's first request racing Close) neither start
// goroutines Close no longer waits for nor hold up Close, and that a link
// made after Close fails its calls at once.
func TestRESP3LinksRacingClose(t *testing.T) {
	node := startOKNode(t)
	for range 20 {
		s, _ := startTestProxy(t, "", node)
		p := s.routes().pools[0]
		start := make(chan struct{})
		picked := make(chan *link, 1)
		go func() {
			<-start
			picked <- p.pick(3, 1)
		}()
		close(start)
		s.Close()
		l := <-picked
		l.mu.Lock()
		closed := l.closed
		l.mu.Unlock()
		if !closed {
			t.Fatal("a RESP3 link made as the server closed is still open after Close")
		}
	}
	s, _ := startTestProxy(t, "", node)
	p := s.routes().pools[0]
	s.Close()
	w := newWaiter()
	w.n.Store(1)
	c := &call{req: []byte("*1\r\n$4\r\nPING\r\n"), wait: w}
	p.pick(3, 7).send(c)
	select {
	case <-w.ch:
	case <-time.After(10 * time.Second):
		t.Fatal("a call on a link made after Close did not complete")
	}
	if string(c.reply) != string(closedReply) {
		t.Fatalf("reply on a link made after Close = %q, want %q", c.reply, closedReply)
	}
}

// TestServeAfterListenersStopped checks that Serve given a listener once
// Close has stopped the listeners, but before it has marked the server
// closed, closes it and returns ErrServerClosed: a listener registered in
// that window was never closed, and Serve accepted on it for good (seen as
// a hung Close in TestRESP3LinksRacingClose).
func TestServeAfterListenersStopped(t *testing.T) {
	s, err := New(Options{Config: testConfig(t, "", startOKNode(t))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.stopListening() // the first step of Close
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	select {
	case err := <-served:
		if !errors.Is(err, ErrServerClosed) {
			t.Fatalf("Serve = %v, want ErrServerClosed", err)
		}
	case <-time.After(10 * time.Second):
		ln.Close()
		t.Fatal("Serve kept accepting on a listener given after the listeners were stopped")
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Fatal("the listener is still open")
	}
}
