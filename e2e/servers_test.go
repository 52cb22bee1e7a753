// Package e2e holds the tests that cross package boundaries: the differential
// harness that holds the storage node to redis-server's replies, real-client
// interop tests (go-redis, redis-cli, redis-benchmark, redis-py) and hostile
// input tests.
//
// Tests that need external tools are named TestInterop*. They skip when a
// tool is missing, unless SHARDIS_INTEROP=1 (set by `make interop`), in
// which case a missing tool fails the test.
package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shardis/shardis/internal/testproc"
)

// interopRequired reports whether missing tools must fail tests instead of
// skipping them.
func interopRequired() bool { return os.Getenv("SHARDIS_INTEROP") == "1" }

// requireBinary returns the path of an external tool, or skips the test when
// it is not installed (fails it under SHARDIS_INTEROP=1).
func requireBinary(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if interopRequired() {
		t.Fatalf("SHARDIS_INTEROP=1 but %s is not installed: %v", name, err)
	}
	t.Skipf("%s not installed (set SHARDIS_INTEROP=1 to make this a failure)", name)
	return ""
}

// lockedBuffer collects a child process's output while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freePort asks the kernel for a free loopback port. The port is free when
// this returns but can be taken before the caller binds it; startRedis
// handles that case. Several ports for one test come from
// testproc.FreePorts, so that they differ.
func freePort(t testing.TB) int {
	t.Helper()
	return testproc.FreePorts(t, 1)[0]
}

// redisAddrs holds the addresses of the redis-servers tests started, so
// failure messages can say which kind of server answered.
var redisAddrs sync.Map

// serverName names the server at addr for failure messages.
func serverName(addr string) string {
	if _, ok := redisAddrs.Load(addr); ok {
		return "redis-server(2)"
	}
	return "backend"
}

// errPortTaken is returned by launchRedis when redis-server could not bind
// the port it was given because something else took it first.
var errPortTaken = errors.New("port taken")

// startRedis starts redis-server on a free loopback port with no persistence,
// waits until it answers PING, and stops it when the test ends. extraArgs are
// passed on the command line (e.g. "--requirepass", "pw").
func startRedis(t testing.TB, extraArgs ...string) string {
	t.Helper()
	bin := requireBinary(t, "redis-server")
	// Each attempt uses a port that was free a moment ago; another attempt is
	// only made when redis-server itself reports that the port was taken in
	// between, never on any other failure.
	for attempt := 0; attempt < 5; attempt++ {
		addr, err := launchRedis(t, bin, freePort(t), extraArgs)
		if errors.Is(err, errPortTaken) {
			t.Logf("redis-server: %v; picking another port", err)
			continue
		}
		if err != nil {
			t.Fatalf("start redis-server: %v", err)
		}
		return addr
	}
	t.Fatalf("start redis-server: the free port was taken 5 times in a row")
	return ""
}

func launchRedis(t testing.TB, bin string, port int, extraArgs []string) (string, error) {
	args := []string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--dir", t.TempDir(),
	}
	for _, s := range commonSettings {
		args = append(args, "--"+s[0], s[1])
	}
	args = append(args, extraArgs...)
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = testproc.Attr()
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if err := waitForPing(addr, exited, 15*time.Second); err != nil {
		_ = cmd.Process.Kill()
		<-exited
		if strings.Contains(out.String(), "Address already in use") {
			return "", fmt.Errorf("%w: %s", errPortTaken, addr)
		}
		return "", fmt.Errorf("%v (exit: %v); output:\n%s", err, waitErr, out.String())
	}
	redisAddrs.Store(addr, true)
	t.Cleanup(func() {
		redisAddrs.Delete(addr)
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() && testing.Verbose() {
			t.Logf("redis-server %s output:\n%s", addr, out.String())
		}
	})
	return addr, nil
}

// waitForPing polls addr until a connection answers PING with +PONG (or
// -NOAUTH, which also proves the server is serving), until exited is closed,
// or until the deadline passes.
func waitForPing(addr string, exited <-chan struct{}, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	poll := time.NewTicker(5 * time.Millisecond)
	defer poll.Stop()
	var lastErr error
	for {
		if lastErr = pingOnce(addr, time.Until(deadline)); lastErr == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer PING within %v: %w", addr, limit, lastErr)
		}
		select {
		case <-exited:
			return fmt.Errorf("server process exited before answering PING: %w", lastErr)
		case <-poll.C:
		}
	}
}

func pingOnce(addr string, limit time.Duration) error {
	if limit <= 0 {
		return errors.New("deadline passed")
	}
	c, err := net.DialTimeout("tcp", addr, limit)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(limit))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	_, r, err := newReplyReader(c).read()
	if err != nil {
		return err
	}
	if r.kind == '+' && r.str == "PONG" || r.isError() && strings.HasPrefix(r.str, "NOAUTH") {
		return nil
	}
	return fmt.Errorf("unexpected PING reply %v", r)
}

// commonSettings configure every server the tests start, redis-server
// (as --name value) and backend (Options.Set) alike.
var commonSettings = [][2]string{
	{"save", ""},
	{"appendonly", "no"},
	// DEBUG is part of the compared command set; "local" allows it on
	// loopback connections only.
	{"enable-debug-command", "local"},
}

// serverConfig describes a server to start on either side of a comparison.
type serverConfig struct {
	requirePass string
}

func (c serverConfig) redisArgs() []string {
	var a []string
	if c.requirePass != "" {
		a = append(a, "--requirepass", c.requirePass)
	}
	return a
}

// diffTarget names what the differential tests compare redis-server with:
// "backend" (default) or "redis" (a second redis-server, which checks that
// the harness's comparison rules produce no false mismatches).
func diffTarget() string {
	if v := os.Getenv("SHARDIS_DIFF_TARGET"); v != "" {
		return v
	}
	return "backend"
}

// startTarget starts the server under test for a differential comparison.
func startTarget(t testing.TB, cfg serverConfig) string {
	t.Helper()
	switch diffTarget() {
	case "redis":
		return startRedis(t, cfg.redisArgs()...)
	case "backend":
		return startBackendConfig(t, cfg)
	}
	t.Fatalf("SHARDIS_DIFF_TARGET=%q: want backend or redis", diffTarget())
	return ""
}
