package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Real tools against the target: redis-cli, redis-benchmark and redis-py.

// toolRun is one finished tool invocation.
type toolRun struct {
	stdout, stderr string
	exit           int
}

// runTool runs bin with args and stdin, bounded by limit.
func runTool(t *testing.T, limit time.Duration, stdin []byte, bin string, args ...string) toolRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.WaitDelay = 5 * time.Second
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := toolRun{stdout: out.String(), stderr: errOut.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("%s %s: did not finish within %v (stdout %q, stderr %q)", bin, strings.Join(args, " "), limit, r.stdout, r.stderr)
	case errors.As(err, &ee):
		r.exit = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s %s: %v", bin, strings.Join(args, " "), err)
	}
	return r
}

func hostPort(t *testing.T, addr string) (string, string) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return h, p
}

// cliCase is one redis-cli invocation, run against redis-server and the
// target; stdout and the exit code must be the same.
type cliCase struct {
	args  []string
	stdin string
	// sortLines compares stdout as a set of lines (SCAN order differs:
	// DIFFERENCES.md, "SCAN cursors and batches").
	sortLines bool
	// want, when set, is also required literally (a value known to be
	// right, not learned from the oracle).
	want string
}

var cliCases = []cliCase{
	{args: []string{"flushall"}, want: "OK\n"},
	{args: []string{"set", "a", "1"}, want: "OK\n"},
	{args: []string{"get", "a"}, want: "1\n"},
	{args: []string{"--raw", "get", "a"}, want: "1\n"},
	{args: []string{"--no-raw", "get", "a"}, want: "\"1\"\n"},
	{args: []string{"--no-raw", "get", "missing"}},
	{args: []string{"--no-raw", "incr", "n"}},
	{args: []string{"--no-raw", "incr", "a-string-that-is-missing-then-set"}},
	{args: []string{"set", "s", "hello world"}},
	{args: []string{"--no-raw", "incr", "s"}},
	{args: []string{"-e", "incr", "s"}},
	{args: []string{"--no-raw", "mget", "a", "missing", "s"}},
	{args: []string{"--raw", "mget", "a", "missing", "s"}},
	{args: []string{"--csv", "mget", "a", "missing", "s"}},
	{args: []string{"-3", "get", "a"}, want: "1\n"},
	{args: []string{"-3", "--no-raw", "get", "a"}},
	{args: []string{"-3", "--no-raw", "mget", "a", "missing"}},
	{args: []string{"-3", "--no-raw", "config", "get", "maxmemory"}},
	{args: []string{"-3", "--no-raw", "incrbyfloat", "f", "1.5"}},
	{args: []string{"-3", "--no-raw", "lcs", "a", "s", "idx"}},
	{args: []string{"--no-raw", "lcs", "a", "s", "idx"}},
	{args: []string{"--no-raw", "nosuchcommand"}},
	{args: []string{"--no-raw", "get"}},
	{args: []string{"-n", "1", "set", "x", "in-db-1"}},
	{args: []string{"-n", "1", "get", "x"}, want: "in-db-1\n"},
	{args: []string{"get", "x"}, want: "\n"},
	{args: []string{"-r", "3", "incr", "rep"}, want: "1\n2\n3\n"},
	{args: []string{"-x", "set", "blob"}, stdin: "from stdin\x00\xff"},
	{args: []string{"--no-raw", "get", "blob"}},
	{args: []string{"--no-raw", "ping"}},
	{args: []string{"--no-raw", "echo", "bin\x01ary"}},
	{args: []string{"--no-raw", "dbsize"}},
	{args: []string{"--no-raw", "setrange", "a", "10", "x"}},
	{args: []string{"--no-raw", "get", "a"}},
	{args: []string{"--no-raw", "set", "e", "v", "ex", "0"}},
	{args: []string{"--no-raw", "type", "a"}},
	{args: []string{"--no-raw", "bitfield", "bf", "set", "u8", "0", "200", "get", "u8", "0"}},
	{args: []string{"--scan", "--pattern", "*"}, sortLines: true},
	// Inline commands through stdin, the way people script redis-cli.
	{stdin: "set b 2\nget b\nincr b\nget missing\n", want: "OK\n2\n3\n\n"},
	{args: []string{"--no-raw"}, stdin: "set b 2\nget b\nincr b\nget missing\nnosuch\n"},
	{args: []string{"-3", "--no-raw"}, stdin: "hello 3\n", sortLines: true},
}

// TestInteropRedisCLI runs redis-cli against redis-server and the target
// and requires the same output; a few outputs are also checked literally.
func TestInteropRedisCLI(t *testing.T) {
	cli := requireBinary(t, "redis-cli")
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	oh, op := hostPort(t, oracle)
	th, tp := hostPort(t, target)
	for i, c := range cliCases {
		run := func(h, p string) toolRun {
			args := append([]string{"-h", h, "-p", p}, c.args...)
			var stdin []byte
			if c.stdin != "" {
				stdin = []byte(c.stdin)
			}
			return runTool(t, 30*time.Second, stdin, cli, args...)
		}
		want, got := run(oh, op), run(th, tp)
		norm := func(s string) string {
			if c.sortLines {
				l := strings.Split(s, "\n")
				sort.Strings(l)
				s = strings.Join(l, "\n")
			}
			return s
		}
		what := fmt.Sprintf("#%d redis-cli %s (stdin %q)", i, strings.Join(c.args, " "), c.stdin)
		if c.args != nil && c.args[0] == "-3" && c.stdin == "hello 3\n" {
			// HELLO's id is per process (DIFFERENCES.md, "Client identity").
			re := regexp.MustCompile(`(?m)^(\d+# )?"id" => \(integer\) \d+$`)
			want.stdout = re.ReplaceAllString(want.stdout, "id")
			got.stdout = re.ReplaceAllString(got.stdout, "id")
		}
		if norm(got.stdout) != norm(want.stdout) || got.exit != want.exit {
			t.Errorf("%s\n  redis-server: exit %d, %q\n  %s: exit %d, %q (stderr %q)",
				what, want.exit, want.stdout, diffTarget(), got.exit, got.stdout, got.stderr)
		}
		if c.want != "" && got.stdout != c.want {
			t.Errorf("%s: got %q, want %q", what, got.stdout, c.want)
		}
	}
}

// TestInteropRedisCLIPipe mass-inserts 10,000 SETs with redis-cli --pipe.
func TestInteropRedisCLIPipe(t *testing.T) {
	cli := requireBinary(t, "redis-cli")
	target := startTarget(t, serverConfig{})
	h, p := hostPort(t, target)
	if r := runTool(t, 30*time.Second, nil, cli, "-h", h, "-p", p, "flushall"); r.stdout != "OK\n" {
		t.Fatalf("FLUSHALL: %+v", r)
	}
	const n = 10000
	var in []byte
	for i := 0; i < n; i++ {
		in = appendCommand(in, "SET", "key:"+strconv.Itoa(i), "value-"+strconv.Itoa(i))
	}
	r := runTool(t, 60*time.Second, in, cli, "-h", h, "-p", p, "--pipe")
	if r.exit != 0 || !strings.Contains(r.stdout, "errors: 0, replies: 10000") {
		t.Fatalf("redis-cli --pipe: exit %d, stdout %q, stderr %q", r.exit, r.stdout, r.stderr)
	}
	r = runTool(t, 30*time.Second, nil, cli, "-h", h, "-p", p, "dbsize")
	if r.stdout != strconv.Itoa(n)+"\n" {
		t.Errorf("DBSIZE after --pipe: %q, want %d", r.stdout, n)
	}
	r = runTool(t, 30*time.Second, nil, cli, "-h", h, "-p", p, "get", "key:9999")
	if r.stdout != "value-9999\n" {
		t.Errorf("GET key:9999 after --pipe: %q", r.stdout)
	}
}

// TestInteropRedisCLIAuth checks -a against a target with requirepass.
func TestInteropRedisCLIAuth(t *testing.T) {
	cli := requireBinary(t, "redis-cli")
	target := startTarget(t, serverConfig{requirePass: authPassword})
	h, p := hostPort(t, target)
	r := runTool(t, 30*time.Second, nil, cli, "-h", h, "-p", p, "--no-raw", "get", "a")
	if !strings.Contains(r.stdout, "NOAUTH") {
		t.Errorf("GET without a password: %q", r.stdout)
	}
	r = runTool(t, 30*time.Second, nil, cli, "-h", h, "-p", p, "-a", authPassword, "--no-auth-warning", "set", "a", "1")
	if r.stdout != "OK\n" {
		t.Errorf("SET with -a: %q (stderr %q)", r.stdout, r.stderr)
	}
	r = runTool(t, 30*time.Second, nil, cli, "-h", h, "-p", p, "-a", "wrong", "--no-auth-warning", "get", "a")
	if !strings.Contains(r.stdout+r.stderr, "WRONGPASS") {
		t.Errorf("GET with a wrong password: %q %q", r.stdout, r.stderr)
	}
}

var rpsLine = regexp.MustCompile(`(?m)^(SET|GET): [0-9.]+ requests per second`)

// TestInteropRedisBenchmark is a smoke test: redis-benchmark finishes and
// reports a rate for SET and GET. It is not a performance test.
func TestInteropRedisBenchmark(t *testing.T) {
	bench := requireBinary(t, "redis-benchmark")
	target := startTarget(t, serverConfig{})
	// redis-benchmark retries a refused connection forever: make sure the
	// port answers first (startTarget waited for PING; check again).
	if err := pingOnce(target, 5*time.Second); err != nil {
		t.Fatalf("target does not answer PING: %v", err)
	}
	h, p := hostPort(t, target)
	r := runTool(t, 60*time.Second, nil, bench, "-h", h, "-p", p, "-t", "set,get", "-n", "10000", "-q")
	if r.exit != 0 {
		t.Fatalf("redis-benchmark exit %d: stdout %q stderr %q", r.exit, r.stdout, r.stderr)
	}
	// -q rewrites its progress line with \r; the final rates end each line.
	out := strings.ReplaceAll(r.stdout, "\r", "\n")
	found := map[string]bool{}
	for _, m := range rpsLine.FindAllStringSubmatch(out, -1) {
		found[m[1]] = true
	}
	if !found["SET"] || !found["GET"] {
		t.Errorf("redis-benchmark did not report requests per second for SET and GET:\n%s", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if rpsLine.MatchString(l) {
			t.Log(strings.TrimSpace(l))
		}
	}
}

// pythonWithRedis finds a python3 that can import redis (Debian's
// python3-redis lives under /usr/bin/python3, which need not be the first
// python3 on PATH).
func pythonWithRedis(t *testing.T) string {
	t.Helper()
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	for _, py := range candidates {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err := exec.CommandContext(ctx, py, "-c", "import redis").Run()
		cancel()
		if err == nil {
			return py
		}
	}
	if interopRequired() {
		t.Fatalf("SHARDIS_INTEROP=1 but no python3 can import redis (tried %v; install python3-redis)", candidates)
	}
	t.Skipf("no python3 with the redis module (tried %v)", candidates)
	return ""
}

const pythonSmoke = `
import sys, redis
r = redis.Redis(host=sys.argv[1], port=int(sys.argv[2]), db=4)
r.flushdb()
assert r.ping() is True
assert r.set("a", "1") is True
assert r.get("a") == b"1", r.get("a")
assert r.get("missing") is None
assert r.incr("n") == 1
assert r.incr("n", 41) == 42
assert r.incrbyfloat("f", 2.5) == 2.5
assert r.set("b", b"\x00\xff") and r.get("b") == b"\x00\xff"
assert r.mset({"m1": "x", "m2": "y"}) is True
assert r.mget("m1", "missing", "m2") == [b"x", None, b"y"]
assert r.expire("a", 100) is True
assert 98 <= r.ttl("a") <= 100, r.ttl("a")
assert r.exists("a", "m1", "missing") == 2
p = r.pipeline(transaction=False)
for i in range(100):
    p.incr("c")
assert p.execute()[-1] == 100
try:
    r.incr("b")
    raise AssertionError("INCR on a non-number succeeded")
except redis.ResponseError as e:
    assert str(e) == "value is not an integer or out of range", str(e)
assert sorted(r.scan_iter("m*")) == [b"m1", b"m2"]
print("ok")
`

// TestInteropRedisPy is a smoke test with redis-py.
func TestInteropRedisPy(t *testing.T) {
	py := pythonWithRedis(t)
	target := startTarget(t, serverConfig{})
	h, p := hostPort(t, target)
	r := runTool(t, 60*time.Second, nil, py, "-c", pythonSmoke, h, p)
	if r.exit != 0 || r.stdout != "ok\n" {
		t.Errorf("redis-py: exit %d, stdout %q, stderr:\n%s", r.exit, r.stdout, r.stderr)
	}
}
