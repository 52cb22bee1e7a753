package resp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shardis/shardis/internal/testproc"
)

// startRedis starts a redis-server on a free port and returns its address.
// Without redis-server on PATH the test is skipped, unless SHARDIS_INTEROP=1
// asks for the interop tests to run (then it fails).
func startRedis(t *testing.T, extra ...string) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("SHARDIS_INTEROP") == "1" {
			t.Fatalf("SHARDIS_INTEROP=1 but redis-server is not on PATH: %v", err)
		}
		t.Skip("redis-server not on PATH (set SHARDIS_INTEROP=1 to require it)")
	}
	if testing.Short() {
		t.Skip("starts redis-server; skipped with -short")
	}
	var lastErr error
	// The port is free when we look; another process may take it before
	// redis-server binds, so try a few.
	for range 3 {
		addr, err := tryStartRedis(t, bin, extra)
		if err == nil {
			return addr
		}
		lastErr = err
	}
	t.Fatalf("starting redis-server: %v", lastErr)
	return ""
}

func tryStartRedis(t *testing.T, bin string, extra []string) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", t.TempDir()}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = testproc.Attr()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	// Readiness: redis-server logs this line once it listens. Reading the
	// log needs no polling; the deadline bounds a server that never gets
	// there.
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		var log []string
		for sc.Scan() {
			log = append(log, sc.Text())
			if strings.Contains(sc.Text(), "Ready to accept connections") {
				ready <- nil
				io.Copy(io.Discard, out)
				return
			}
		}
		ready <- fmt.Errorf("redis-server exited before it was ready:\n%s", strings.Join(log, "\n"))
	}()
	select {
	case err = <-ready:
	case <-time.After(10 * time.Second):
		err = errors.New("redis-server not ready after 10s")
	}
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return "", err
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(AppendCommand(nil, "PING")); err != nil {
		return "", err
	}
	v, err := NewReplyReader(c).ReadReply()
	if err != nil {
		return "", err
	}
	if v.String() != "PONG" && !strings.HasPrefix(v.String(), "(error) NOAUTH") {
		return "", fmt.Errorf("PING answered %s", v)
	}
	return addr, nil
}

// exchange sends in to the server and reads every reply until the server
// closes the connection. closed reports whether it did.
func exchange(t *testing.T, addr string, in []byte, wantReplies int) (replies []Value, closed bool) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The deadline only bounds a server that keeps the connection open.
	c.SetDeadline(time.Now().Add(10 * time.Second))
	go c.Write(in) // the server may close before it read everything
	rr := NewReplyReader(c)
	for {
		v, err := rr.ReadReply()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return replies, false
			}
			return replies, true
		}
		replies = append(replies, v)
		if len(replies) > wantReplies {
			// More than expected: no need to wait for a close.
			return replies, false
		}
	}
}

// pad makes in exactly n bytes long with x's, so the server reads all of it
// before it answers and closes (unread bytes at close would reset the
// connection and could lose the error reply).
func pad(in string, n int) string { return in + strings.Repeat("x", n-len(in)) }

// Every class of malformed request gets the same error text from the Reader
// as from redis-server, after the same number of good requests; the server
// then closes the connection.
func TestInteropProtocolErrors(t *testing.T) {
	plain := startRedis(t)
	secured := startRedis(t, "--requirepass", "secret")
	cases := []struct {
		in   string
		auth bool
	}{
		{in: pad("ECHO ", MaxInlineLen+1)},
		{in: pad("ECHO a\x00b\r\n", MaxInlineLen+1)},
		{in: "ECHO \"ab\r\n"},
		{in: "ECHO 'ab\r\n"},
		{in: "ECHO \"ab\"c\r\n"},
		{in: "ECHO 'ab'c\r\n"},
		{in: "ECHO a\"b c\"d\r\n"},
		{in: "*1" + strings.Repeat("0", MaxInlineLen-1)},
		{in: pad("*1\x00", MaxInlineLen+1)},
		{in: "*2147483648\r\n"},
		{in: "*3000000000\r\n"},
		{in: "*\r\n"},
		{in: "*-0\r\n"},
		{in: "*01\r\n"},
		{in: "*+1\r\n"},
		{in: "*1 \r\n"},
		{in: "*abc\r\n"},
		{in: "*-9223372036854775809\r\n"},
		{in: "*-00000000000000000001\r\n"},
		{in: "*99999999999999999999\r\n"},
		{in: "*1\r\n:4\r\nPING\r\n"},
		{in: "*1\r\n\r\n"},
		{in: "*1\r\n\n\r\n"},
		{in: "*1\r\n\x80\r\n"},
		{in: "*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n"},
		{in: "*1\r\n$1" + strings.Repeat("0", MaxInlineLen-1)},
		{in: "*1\r\n$-1\r\n"},
		{in: "*1\r\n$-0\r\n"},
		{in: "*1\r\n$04\r\n"},
		{in: "*1\r\n$\r\n"},
		{in: "*1\r\n$ 1\r\n"},
		{in: "*1\r\n$536870913\r\n"},
		{in: "*1\r\n$99999999999999999999\r\n"},
		{in: "PING\r\n*1\r\n$4\r\nPING\r\n*x\r\n"},
		{in: "*0\r\n*-1\r\n\r\n\n  \r\n*-5\r\nPING\r\n*x\r\n"},
		{in: "*1\r\n$4\r\nPINGxy*x\r\n"},
		{in: "*1\rX$4\rXPING\r\n*x\r\n"},
		{in: "PING\n*x\r\n"},
		{in: "*11\r\n", auth: true},
		{in: "*3000000000\r\n", auth: true},
		{in: "*1\r\n$16385\r\n", auth: true},
		{in: "*1\r\n$600000000\r\n", auth: true},
		{in: "PING a b c d e f g h i j k\r\n*2\r\n$4\r\nPING\r\n$16384\r\n" + strings.Repeat("x", 16384) + "\r\n*11\r\n", auth: true},
	}
	for _, tc := range cases {
		name := tc.in
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(strconv.Quote(name), func(t *testing.T) {
			r := NewReader(strings.NewReader(tc.in))
			r.SetAuthRequired(tc.auth)
			got, gotErr := readAll(r)
			if !strings.HasPrefix(gotErr, "ERR Protocol error: ") {
				t.Fatalf("Reader: %q then %s; want a protocol error", got, gotErr)
			}
			addr := plain
			if tc.auth {
				addr = secured
			}
			replies, closed := exchange(t, addr, []byte(tc.in), len(got)+1)
			if len(replies) != len(got)+1 {
				t.Fatalf("redis-server answered %d replies %v; Reader read %d requests then %q", len(replies), replies, len(got), gotErr)
			}
			last := replies[len(replies)-1]
			if last.Type != '-' || string(last.Str) != gotErr {
				t.Fatalf("redis-server: %s\nReader:       %s", last, gotErr)
			}
			if !closed {
				t.Fatalf("redis-server did not close the connection after %s", last)
			}
		})
	}
}

// Inline arguments split as redis-server splits them: EVAL returns ARGV,
// which is every argument after the script and key count.
func TestInteropInlineSplitting(t *testing.T) {
	addr := startRedis(t)
	for _, args := range []string{
		`"a\x41b\n"`, `'a\'b'`, `a"b c"`, `"\x4g" "\xZZ"`, `"\q\\" "\"\a\b\t\r"`,
		"a\vb", "\"a\"\vx", `'' ""`, `x'y'`, `"a\x00b" "\xff\xFe"`, `'c\nd'`,
		"a\rb", "\ta\t\tb ", `"it's" 'say "hi"'`, `\x41 \"`, `\x41 \"a"`, `"a" "b"c`,
	} {
		t.Run(strconv.Quote(args), func(t *testing.T) {
			in := `EVAL "return ARGV" 0 ` + args + "\r\n"
			r := NewReader(strings.NewReader(in))
			cmd, err := r.ReadCommand()
			replies, _ := exchange(t, addr, []byte(in+"QUIT\r\n"), 2)
			if err != nil {
				if len(replies) != 1 || string(replies[0].Str) != "ERR "+err.Error() {
					t.Fatalf("Reader: %v\nredis-server: %v", err, replies)
				}
				return
			}
			if len(replies) != 2 || replies[0].Type != '*' {
				t.Fatalf("redis-server: %v", replies)
			}
			var want []string
			for _, e := range replies[0].Elems {
				want = append(want, fmt.Sprintf("%q", e.Str))
			}
			var got []string
			for _, a := range cmd[3:] {
				got = append(got, fmt.Sprintf("%q", a))
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("Reader:       %s\nredis-server: %s", strings.Join(got, " "), strings.Join(want, " "))
			}
		})
	}
}

// Replies from redis-server in both protocols read back, raw and decoded.
func TestInteropReplies(t *testing.T) {
	addr := startRedis(t)
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	var in []byte
	in = AppendCommand(in, "RPUSH", "l", "a", "b\r\nc")
	in = AppendCommand(in, "HSET", "h", "f", "v")
	in = AppendCommand(in, "LRANGE", "l", "0", "-1")
	in = AppendCommand(in, "GET", "missing")
	in = AppendCommand(in, "HELLO", "3")
	in = AppendCommand(in, "HGETALL", "h")
	in = AppendCommand(in, "ZADD", "z", "1.5", "m")
	in = AppendCommand(in, "ZSCORE", "z", "m")
	in = AppendCommand(in, "GET", "missing")
	in = AppendCommand(in, "NOSUCH")
	if _, err := c.Write(in); err != nil {
		t.Fatal(err)
	}
	r := NewReplyReader(c)
	want := []string{
		"(integer) 2",
		"(integer) 1",
		"1) \"a\"\n2) \"b\\r\\nc\"",
		"(nil)",
		"", // HELLO's map: checked by type only
		"1# \"f\" => \"v\"",
		"(integer) 1",
		"(double) 1.5",
		"(nil)",
		"(error) ERR unknown command 'NOSUCH', with args beginning with: ",
	}
	for i, w := range want {
		v, err := r.ReadReply()
		if err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
		if w == "" {
			if v.Type != '%' {
				t.Fatalf("HELLO 3: %s", v)
			}
			continue
		}
		if v.String() != w {
			t.Fatalf("reply %d:\n%s\nwant\n%s", i, v, w)
		}
	}
}
