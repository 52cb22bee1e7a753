package backend

import (
	"context"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shardis/shardis/internal/resp"
)

// Tests of the blocking framework through BLPOP and friends. Multi-client
// scenarios against redis-server itself are in e2e/blocking_test.go.

// TestBlockTimeoutArg checks the timeout parsing against what
// redis-server 7.0.15 did with each argument: an error, a wait forever
// (0), or a timeout in milliseconds.
func TestBlockTimeoutArg(t *testing.T) {
	for _, tc := range []struct {
		arg  string
		err  string
		want time.Duration
	}{
		{"0", "", 0},
		{"-0", "", 0},
		{"0.0001", "", time.Millisecond},
		{"1e-400", "", time.Millisecond},
		{"-1e-400", "", 0},
		{"-0.0001", "", 0},
		{"1.5", "", 1500 * time.Millisecond},
		{".5", "", 500 * time.Millisecond},
		{"1.", "", time.Second},
		{"+1", "", time.Second},
		{"0x10", "", 16 * time.Second},
		{"0x1p-20", "", time.Millisecond},
		{"9223372036.854", "", 9223372036854 * time.Millisecond},
		{"9223372036.855", "", 0}, // beyond a time.Duration: forever
		{"9.2e15", "", 0},
		{"-0.999", errTimeoutNegative, 0},
		{"-1", errTimeoutNegative, 0},
		{"-1.5", errTimeoutNegative, 0},
		{"inf", errTimeoutNegative, 0},
		{"-inf", errTimeoutNegative, 0},
		{"infinity", errTimeoutNegative, 0},
		{"1e400", errTimeoutNegative, 0},
		{"9.3e15", errTimeoutNegative, 0},
		{"9223372036854775807", errTimeoutNegative, 0},
		{"abc", errTimeoutNotFloat, 0},
		{"nan", errTimeoutNotFloat, 0},
		{"", errTimeoutNotFloat, 0},
		{" 1", errTimeoutNotFloat, 0},
		{"1 ", errTimeoutNotFloat, 0},
		{"1e", errTimeoutNotFloat, 0},
		{"0x", errTimeoutNotFloat, 0},
		{"1_0", errTimeoutNotFloat, 0},
		{"1e5000", errTimeoutNotFloat, 0},
	} {
		c := &Client{w: resp.NewWriter(io.Discard)}
		got, ok := blockTimeoutArg(c, []byte(tc.arg))
		reply := string(c.w.Bytes())
		switch {
		case tc.err != "" && (ok || reply != "-"+tc.err+"\r\n"):
			t.Errorf("%q: ok %v, reply %q, want %q", tc.arg, ok, reply, tc.err)
		case tc.err == "" && (!ok || got != tc.want || reply != ""):
			t.Errorf("%q: %v ok %v reply %q, want %v", tc.arg, got, ok, reply, tc.want)
		}
	}
}

// blockedCount is INFO's blocked_clients.
func blockedCount(t *testing.T, c *testConn) int {
	t.Helper()
	info := c.do("INFO", "clients").Str
	for _, line := range strings.Split(string(info), "\r\n") {
		if v, ok := strings.CutPrefix(line, "blocked_clients:"); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	t.Fatal("no blocked_clients in INFO")
	return 0
}

// awaitBlocked polls INFO until n clients are blocked.
func awaitBlocked(t *testing.T, c *testConn, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for blockedCount(t, c) != n {
		if time.Now().After(deadline) {
			t.Fatalf("never %d blocked clients", n)
		}
	}
}

func TestBlockingFIFOAndInfo(t *testing.T) {
	_, addr := startTestServer(t)
	ctl := dialTest(t, addr)
	a, b, d := dialTest(t, addr), dialTest(t, addr), dialTest(t, addr)
	a.send("BLPOP", "k", "0")
	awaitBlocked(t, ctl, 1)
	b.send("BRPOP", "k", "other", "100")
	awaitBlocked(t, ctl, 2)
	d.send("BLMPOP", "0", "1", "k", "LEFT", "COUNT", "2")
	awaitBlocked(t, ctl, 3)
	if info := string(ctl.do("INFO", "clients").Str); !strings.Contains(info, "clients_in_timeout_table:1\r\n") {
		t.Errorf("INFO clients:\n%s", info)
	}
	if list := string(ctl.do("CLIENT", "LIST").Str); strings.Count(list, " flags=b ") != 3 {
		t.Errorf("CLIENT LIST does not flag the 3 blocked clients:\n%s", list)
	}
	ctl.expect(":4\r\n", "RPUSH", "k", "1", "2", "3", "4")
	if got := a.push(); got != "*2\r\n$1\r\nk\r\n$1\r\n1\r\n" {
		t.Errorf("first blocked got %q", got)
	}
	if got := b.push(); got != "*2\r\n$1\r\nk\r\n$1\r\n4\r\n" {
		t.Errorf("second blocked got %q", got)
	}
	if got := d.push(); got != "*2\r\n$1\r\nk\r\n*2\r\n$1\r\n2\r\n$1\r\n3\r\n" {
		t.Errorf("third blocked got %q", got)
	}
	ctl.expect(":0\r\n", "EXISTS", "k")
	if n := blockedCount(t, ctl); n != 0 {
		t.Errorf("%d clients still blocked", n)
	}
	a.expect("+PONG\r\n", "PING")
}

// TestBlockedClientDisconnects checks that a blocked client that goes
// away is removed before a value could be handed to it.
func TestBlockedClientDisconnects(t *testing.T) {
	_, addr := startTestServer(t)
	ctl := dialTest(t, addr)
	for range 20 {
		a := dialTest(t, addr)
		a.send("BLMOVE", "src", "dst", "LEFT", "LEFT", "0")
		awaitBlocked(t, ctl, 1)
		a.nc.Close()
		awaitBlocked(t, ctl, 0)
		ctl.expect(":1\r\n", "RPUSH", "src", "v")
		ctl.expect("*1\r\n$1\r\nv\r\n", "LRANGE", "src", "0", "-1")
		ctl.expect(":0\r\n", "EXISTS", "dst")
		ctl.expect(":1\r\n", "DEL", "src")
	}
}

// TestBlockedClientKeepsPipelinedInput sends commands (one of them bigger
// than the read buffers) behind a BLPOP: they run, in order, once it is
// served.
func TestBlockedClientKeepsPipelinedInput(t *testing.T) {
	_, addr := startTestServer(t)
	ctl, a := dialTest(t, addr), dialTest(t, addr)
	big := strings.Repeat("v", 100_000)
	a.send("BLPOP", "k", "0")
	awaitBlocked(t, ctl, 1)
	a.send("SET", "big", big)
	a.send("PING")
	a.send("GET", "big")
	ctl.expect(":0\r\n", "EXISTS", "big")
	ctl.expect(":1\r\n", "RPUSH", "k", "x")
	for _, want := range []string{"*2\r\n$1\r\nk\r\n$1\r\nx\r\n", "+OK\r\n", "+PONG\r\n", "$100000\r\n" + big + "\r\n"} {
		if got := a.push(); got != want {
			t.Fatalf("got %.40q, want %.40q", got, want)
		}
	}
}

// TestBlockedTimeIsNotTheCommands checks that the time spent blocked is
// left out of the slow log and the command statistics, as in Redis.
func TestBlockedTimeIsNotTheCommands(t *testing.T) {
	_, addr := startTestServer(t)
	ctl, a := dialTest(t, addr), dialTest(t, addr)
	ctl.expect("+OK\r\n", "CONFIG", "SET", "slowlog-log-slower-than", "20000")
	a.send("BLPOP", "k", "0")
	awaitBlocked(t, ctl, 1)
	<-time.After(50 * time.Millisecond) // the blocked time to leave out
	ctl.expect(":1\r\n", "RPUSH", "k", "x")
	if got := a.push(); got != "*2\r\n$1\r\nk\r\n$1\r\nx\r\n" {
		t.Fatalf("BLPOP got %q", got)
	}
	ctl.expect(":1\r\n", "RPUSH", "k", "y")
	a.expect("*2\r\n$1\r\nk\r\n$1\r\ny\r\n", "BLPOP", "k", "0.1") // nothing to wait for
	ctl.expect(":0\r\n", "SLOWLOG", "LEN")
	a.expect("*-1\r\n", "BLPOP", "k", "0.05")
	ctl.expect(":0\r\n", "SLOWLOG", "LEN")
	stats := string(ctl.do("INFO", "commandstats").Str)
	i := strings.Index(stats, "cmdstat_blpop:calls=3,usec=")
	if i < 0 {
		t.Fatalf("no BLPOP statistics:\n%s", stats)
	}
	usec, _, _ := strings.Cut(stats[i+len("cmdstat_blpop:calls=3,usec="):], ",")
	if n, err := strconv.Atoi(usec); err != nil || n > 20000 {
		t.Errorf("BLPOP took %s µs in all", usec)
	}
}

func TestClientUnblock(t *testing.T) {
	_, addr := startTestServer(t)
	ctl, a := dialTest(t, addr), dialTest(t, addr)
	id := string(a.raw("CLIENT", "ID"))
	id = strings.TrimSuffix(strings.TrimPrefix(id, ":"), "\r\n")
	ctl.expect(":0\r\n", "CLIENT", "UNBLOCK", id)
	for _, tc := range []struct{ how, want string }{
		{"", "*-1\r\n"},
		{"TIMEOUT", "*-1\r\n"},
		{"error", "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"},
	} {
		a.send("BRPOPLPUSH", "k", "d", "0")
		awaitBlocked(t, ctl, 1)
		args := []string{"CLIENT", "UNBLOCK", id}
		if tc.how != "" {
			args = append(args, tc.how)
		}
		ctl.expect(":1\r\n", args...)
		if got := a.push(); got != tc.want {
			t.Errorf("UNBLOCK %s: got %q, want %q", tc.how, got, tc.want)
		}
		awaitBlocked(t, ctl, 0)
	}
	ctl.expect("-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n", "CLIENT", "UNBLOCK", id, "x")
	ctl.expect("-ERR value is not an integer or out of range\r\n", "CLIENT", "UNBLOCK", "x")
	ctl.expect("-ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.\r\n",
		"CLIENT", "UNBLOCK", id, "x", "y")
	a.expect("+PONG\r\n", "PING")
}

// TestShutdownWithBlockedClients: a blocked client does not hold up
// Shutdown or Close.
func TestShutdownWithBlockedClients(t *testing.T) {
	s, addr := startTestServer(t)
	ctl, a, b := dialTest(t, addr), dialTest(t, addr), dialTest(t, addr)
	a.send("BLPOP", "k", "0")
	b.send("BLMOVE", "x", "y", "LEFT", "LEFT", "1000")
	awaitBlocked(t, ctl, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	a.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := a.rr.ReadRaw(); err == nil {
		t.Error("the blocked client's connection is still open")
	}
}

// TestBlockedInMultiDoesNotBlock: inside EXEC the blocking commands answer
// as if they had timed out (BLMOVE and BRPOPLPUSH with a null bulk).
func TestBlockedInMultiDoesNotBlock(t *testing.T) {
	_, addr := startTestServer(t)
	a := dialTest(t, addr)
	a.expect("+OK\r\n", "MULTI")
	for _, cmd := range [][]string{{"BLPOP", "k", "0"}, {"BRPOPLPUSH", "k", "d", "0"}, {"BLMOVE", "k", "d", "LEFT", "LEFT", "0"},
		{"BLMPOP", "0", "1", "k", "LEFT"}, {"RPUSH", "k", "v"}, {"BLPOP", "k", "0"}} {
		a.expect("+QUEUED\r\n", cmd...)
	}
	a.expect("*6\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n:1\r\n*2\r\n$1\r\nk\r\n$1\r\nv\r\n", "EXEC")
}

// TestClientUnblockInExecRacesServing unblocks a client from inside EXEC
// (which holds every shard) while another client's push serves it: no
// deadlock, and the value is either the blocked client's or still in the
// list, never both or neither.
func TestClientUnblockInExecRacesServing(t *testing.T) {
	_, addr := startTestServer(t)
	ctl, a, b, p := dialTest(t, addr), dialTest(t, addr), dialTest(t, addr), dialTest(t, addr)
	id := strings.TrimSuffix(strings.TrimPrefix(a.raw("CLIENT", "ID"), ":"), "\r\n")
	rounds := 200
	if testing.Short() {
		rounds = 20
	}
	for range rounds {
		a.send("BLPOP", "k", "0")
		awaitBlocked(t, ctl, 1)
		b.expect("+OK\r\n", "MULTI")
		b.expect("+QUEUED\r\n", "CLIENT", "UNBLOCK", id)
		done := make(chan string, 1)
		go func() {
			_, err := p.nc.Write(resp.AppendCommand(nil, "RPUSH", "k", "v"))
			if err != nil {
				done <- err.Error()
				return
			}
			b, err := p.rr.ReadRaw()
			if err != nil {
				done <- err.Error()
				return
			}
			done <- string(b)
		}()
		exec := b.raw("EXEC")
		if got := <-done; got != ":1\r\n" {
			t.Fatalf("RPUSH: %q", got)
		}
		served := a.push()
		llen := ctl.raw("LLEN", "k")
		switch {
		case served == "*2\r\n$1\r\nk\r\n$1\r\nv\r\n" && exec == "*1\r\n:0\r\n" && llen == ":0\r\n":
		case served == "*-1\r\n" && exec == "*1\r\n:1\r\n" && llen == ":1\r\n":
		default:
			t.Fatalf("BLPOP got %q, EXEC %q, then LLEN %q", served, exec, llen)
		}
		ctl.raw("DEL", "k")
	}
}

// keyInOtherShard returns a key whose lock shard is not key's.
func keyInOtherShard(t *testing.T, key string) string {
	t.Helper()
	for i := 0; i < 1000; i++ {
		k := "src" + strconv.Itoa(i)
		if shardIndex([]byte(k)) != shardIndex([]byte(key)) {
			return k
		}
	}
	t.Fatal("no key in another shard")
	return ""
}

// TestBlockedMoveLocksEmptyDestination checks that a BLMOVE served by a
// push holds its destination's shard when the destination is the empty
// key: its copy used to be nil, taken for "no destination", so the pop
// wrote the destination with only the source's shard locked.
func TestBlockedMoveLocksEmptyDestination(t *testing.T) {
	s, addr := startTestServer(t)
	src := keyInOtherShard(t, "")
	dsh := s.db(0).shard([]byte(""))

	b := dialTest(t, addr)
	b.nc.Write(resp.AppendCommand(nil, "BLMOVE", src, "", "LEFT", "RIGHT", "0"))
	c := dialTest(t, addr)
	awaitBlocked(t, c, 1)

	// The destination's shard is held (as by a command on it): the push
	// can make src ready but the pop must wait for the shard.
	dsh.mu.Lock()
	p := dialTest(t, addr)
	p.nc.Write(resp.AppendCommand(nil, "LPUSH", src, "x"))
	type reply struct {
		b   []byte
		err error
	}
	served := make(chan reply, 1)
	b.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	go func() {
		got, err := b.rr.ReadRaw()
		served <- reply{append([]byte(nil), got...), err}
	}()
	select {
	case r := <-served:
		t.Errorf("BLMOVE served with its destination's shard held by another: %q, %v", r.b, r.err)
	case <-time.After(300 * time.Millisecond):
	}
	dsh.mu.Unlock()
	if t.Failed() {
		return
	}
	if r := <-served; r.err != nil || string(r.b) != "$1\r\nx\r\n" {
		t.Fatalf("BLMOVE: %q, %v", r.b, r.err)
	}
	p.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if got, err := p.rr.ReadRaw(); err != nil || string(got) != ":1\r\n" {
		t.Fatalf("LPUSH: %q, %v", got, err)
	}
	c.expect("*1\r\n$1\r\nx\r\n", "LRANGE", "", "0", "-1")
}

// TestBlockedMoveRacesDestination runs BLMOVEs served by pushes, their
// destination in another shard, against commands on the destination
// (ZADD, COPY, ZADD inside MULTI), for -race to see any access to the
// destination without its shard's lock.
func TestBlockedMoveRacesDestination(t *testing.T) {
	s, addr := startTestServer(t)
	s.SetSink(&recSink{t: t, srv: s}) // as the reported runs had one
	for _, dst := range []string{"", "dst"} {
		src := keyInOtherShard(t, dst)
		b, p, o := dialTest(t, addr), dialTest(t, addr), dialTest(t, addr)
		deadline := time.Now().Add(10 * time.Second)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; i < 1000 && time.Now().Before(deadline); i++ {
				switch i % 3 {
				case 0:
					o.raw("ZADD", dst, "1", "m")
				case 1:
					o.raw("COPY", dst, "copy", "REPLACE")
				default:
					o.raw("MULTI")
					o.raw("ZADD", dst, "1", "m")
					o.raw("EXEC")
				}
				if i%10 == 9 {
					o.raw("DEL", dst)
				}
			}
		}()
		for i := 0; i < 500 && time.Now().Before(deadline); i++ {
			b.nc.SetDeadline(time.Now().Add(10 * time.Second))
			b.nc.Write(resp.AppendCommand(nil, "BLMOVE", src, dst, "LEFT", "RIGHT", "5"))
			p.raw("LPUSH", src, "v")
			if got, err := b.rr.ReadRaw(); err != nil {
				t.Fatalf("BLMOVE %q: %v", dst, err)
			} else if g := string(got); g != "$1\r\nv\r\n" && !strings.HasPrefix(g, "-WRONGTYPE") && g != "*-1\r\n" {
				t.Fatalf("BLMOVE %q: %q", dst, g)
			}
		}
		<-done
		o.raw("DEL", dst, src, "copy")
	}
}
