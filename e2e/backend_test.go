package e2e

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/shardis/shardis/backend"
)

// startBackend starts a storage node in this process on a free loopback
// port, waits until it answers PING, and closes it when the test ends.
// Each opt adjusts the options before the node is created.
func startBackend(t testing.TB, opts ...func(*backend.Options)) string {
	t.Helper()
	addr, _ := startBackendServer(t, opts...)
	return addr
}

// startBackendServer is startBackend that also returns the server, for
// tests that look inside the process.
func startBackendServer(t testing.TB, opts ...func(*backend.Options)) (string, *backend.Server) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	return serveBackend(t, ln, opts...)
}

// serveBackend runs a storage node on ln (which it takes over).
func serveBackend(t testing.TB, ln net.Listener, opts ...func(*backend.Options)) (string, *backend.Server) {
	t.Helper()
	o := backend.DefaultOptions()
	o.Dir = t.TempDir()
	tcp := ln.Addr().(*net.TCPAddr)
	o.Bind = []string{tcp.IP.String()}
	o.Port = tcp.Port
	for _, kv := range commonSettings {
		if err := o.Set(kv[0], kv[1]); err != nil {
			ln.Close()
			t.Fatalf("backend option %s %q: %v", kv[0], kv[1], err)
		}
	}
	for _, f := range opts {
		f(&o)
	}
	s, err := backend.New(o)
	if err != nil {
		ln.Close()
		t.Fatalf("backend.New: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	addr := tcp.String()
	if err := waitForPing(addr, nil, 15*time.Second); err != nil {
		s.Close()
		t.Fatalf("backend: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("backend Close: %v", err)
		}
		if err := <-served; !errors.Is(err, backend.ErrServerClosed) {
			t.Errorf("backend Serve returned %v, want ErrServerClosed", err)
		}
	})
	return addr, s
}

// startBackendConfig starts a backend configured like the redis-server that
// serverConfig describes.
func startBackendConfig(t testing.TB, cfg serverConfig) string {
	t.Helper()
	return startBackend(t, func(o *backend.Options) {
		o.RequirePass = cfg.requirePass
	})
}
