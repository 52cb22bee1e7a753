package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/shardis/shardis/internal/testproc"
	"github.com/shardis/shardis/topology"
)

// childEnv makes the test binary act as the shardis binary: `shardis up`
// starts its nodes by running its own executable with "backend ...".
const childEnv = "SHARDIS_TEST_AS_BINARY"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// freeAddrs returns n distinct free loopback addresses.
func freeAddrs(t *testing.T, n int) []string {
	t.Helper()
	var addrs []string
	for _, p := range testproc.FreePorts(t, n) {
		addrs = append(addrs, net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	}
	return addrs
}

// TestUpRunsTheDeployment starts two shards of primary + replica and a
// proxy with `shardis up`, writes through the proxy, finds each key on the
// primary that owns its slot, then stops everything as Ctrl-C would.
func TestUpRunsTheDeployment(t *testing.T) {
	t.Setenv(childEnv, "1")
	dir := t.TempDir()
	// Five distinct ports: two asked for one after the other may be equal,
	// and up refuses a file naming an address twice (exit 2, seen in CI).
	addrs := freeAddrs(t, 5)
	proxyAddr, nodes := addrs[0], addrs[1:]
	var b strings.Builder
	fmt.Fprintf(&b, "[[proxy]]\nlisten = %q\n", proxyAddr)
	for i, slots := range []string{"0-8191", "8192-16383"} {
		fmt.Fprintf(&b, "[[shard]]\nslots = [%q]\n", slots)
		for j, role := range []string{"[shard.primary]", "[[shard.replica]]"} {
			addr := nodes[2*i+j]
			fmt.Fprintf(&b, "%s\naddress = %q\nstart = true\ndir = %q\nappendfsync = \"always\"\n",
				role, addr, filepath.Join(dir, "node"+addr[strings.LastIndexByte(addr, ':')+1:]))
		}
	}
	file := filepath.Join(dir, "deploy.toml")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	var stderr lockedWriter
	go func() {
		done <- run(ctx, []string{"up", "-config", file, "-loglevel", "warn"}, &bytes.Buffer{}, &stderr)
	}()

	conn := dialUntilReady(t, proxyAddr, done, stderr.String)
	conn.Close()
	// The proxy is made once every node answers: a clean start warns of
	// nothing (no node unreachable, no replica lagging).
	if log := stderr.String(); log != "" {
		t.Errorf("up logged at warn level while starting cleanly:\n%s", log)
	}
	c := redis.NewClient(&redis.Options{Addr: proxyAddr})
	defer c.Close()
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	for i, k := range keys {
		if err := c.Set(ctx, k, i, 0).Err(); err != nil {
			t.Fatalf("SET %s through the proxy: %v (log: %s)", k, err, stderr.String())
		}
	}
	perNode := map[string]int{}
	for i, k := range keys {
		primary := nodes[0]
		if topology.Slot([]byte(k)) >= 8192 {
			primary = nodes[2]
		}
		direct := redis.NewClient(&redis.Options{Addr: primary})
		got, err := direct.Get(ctx, k).Int()
		direct.Close()
		if err != nil || got != i {
			t.Errorf("GET %s on its primary %s = %d, %v; want %d", k, primary, got, err, i)
		}
		perNode[primary]++
	}
	if len(perNode) != 2 {
		t.Errorf("keys landed on %v, want both primaries", perNode)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("up exited %d; log: %s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("up did not stop within 30s")
	}
	for _, n := range append([]string{proxyAddr}, nodes...) {
		if c, err := net.DialTimeout("tcp", n, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after up stopped", n)
		}
	}
	// Each primary kept an AOF that the stop left in place.
	if _, err := os.Stat(filepath.Join(dir, "node"+nodes[0][strings.LastIndexByte(nodes[0], ':')+1:])); err != nil {
		t.Errorf("node directory: %v", err)
	}
}

func TestUpRefusesABadFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[[proxy]]\nlisten = \"127.0.0.1:1\"\n[[shard]]\nslots = [\"0-100\"]\n[shard.primary]\naddress = \"127.0.0.1:2\"\n"), 0o644)
	for _, cmd := range []string{"up", "proxy"} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{cmd, "-config", bad}, &out, &errOut); code != 2 {
			t.Errorf("%s with a bad file exited %d, want 2 (stderr %q)", cmd, code, errOut.String())
		}
		if !strings.Contains(errOut.String(), "bad.toml:") || !strings.Contains(errOut.String(), "16383") {
			t.Errorf("%s with a bad file printed %q; want the file, line and the unowned slots", cmd, errOut.String())
		}
	}
}

// lockedWriter collects a log written from several goroutines.
type lockedWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func TestNodeLogLine(t *testing.T) {
	for _, tc := range []struct {
		line string
		lvl  zerolog.Level
		msg  string
	}{
		{"Nov 25 21:07:07.123 INF listening addr=127.0.0.1:7001", zerolog.InfoLevel, "listening addr=127.0.0.1:7001"},
		{"Nov  5 01:02:03.000 WRN AOF fsync is slow took=2s", zerolog.WarnLevel, "AOF fsync is slow took=2s"},
		{"Jan 31 23:59:59.999 ERR cannot open dir", zerolog.ErrorLevel, "cannot open dir"},
		{"4242:M 25 Nov 2026 21:07:07.123 * Ready to accept connections tcp", zerolog.InfoLevel, "Ready to accept connections tcp"},
		{"4242:M 5 Nov 2026 21:07:07.123 # Warning: no config file specified", zerolog.WarnLevel, "Warning: no config file specified"},
		{"4242:C 25 Nov 2026 21:07:07.123 . Client closed connection", zerolog.DebugLevel, "Client closed connection"},
		// Anything else is kept whole, at info.
		{"Nov 25 21:07:07.123 XXX not a level", zerolog.InfoLevel, "Nov 25 21:07:07.123 XXX not a level"},
		{"4242:M 25 Nov 2026 21:07:07.123 ? odd mark", zerolog.InfoLevel, "4242:M 25 Nov 2026 21:07:07.123 ? odd mark"},
		{"panic: runtime error", zerolog.InfoLevel, "panic: runtime error"},
		{"", zerolog.InfoLevel, ""},
	} {
		lvl, msg := nodeLogLine(tc.line)
		if lvl != tc.lvl || msg != tc.msg {
			t.Errorf("nodeLogLine(%q) = %v, %q; want %v, %q", tc.line, lvl, msg, tc.lvl, tc.msg)
		}
	}
}
