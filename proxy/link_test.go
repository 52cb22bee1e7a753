package proxy

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/shardis/shardis/internal/resp"
)

// startHungNode starts a listener that accepts connections and never
// answers: a node that hangs.
func startHungNode(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var conns []net.Conn
	accepted := make(chan net.Conn)
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- nc
		}
	}()
	go func() {
		for nc := range accepted {
			conns = append(conns, nc)
		}
		for _, nc := range conns {
			nc.Close()
		}
		close(done)
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}

func rawDo(t *testing.T, nc net.Conn, rr *resp.ReplyReader, args ...string) string {
	t.Helper()
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := nc.Write(resp.AppendCommand(nil, args...)); err != nil {
		t.Fatal(err)
	}
	raw, err := rr.ReadRaw()
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	return string(raw)
}

// TestHungNodeTimesOut checks that a node that does not answer gives
// CLUSTERDOWN for its slots within read_timeout, while another shard
// keeps answering, in the same pipeline.
func TestHungNodeTimesOut(t *testing.T) {
	hung := startHungNode(t)
	_, addr := startTestProxy(t, `read_timeout = "300ms"`, startOKNode(t), hung)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	rr := resp.NewReplyReader(nc)
	// "a" is in slot 15495 (the hung node's half), "b" in 3300.
	start := time.Now()
	got := rawDo(t, nc, rr, "SET", "a", "1")
	if want := "-CLUSTERDOWN The cluster is down: node " + hung + " did not answer within 300ms\r\n"; got != want {
		t.Fatalf("SET on the hung node: %q, want %q", got, want)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("the timeout took %v", el)
	}
	if got := rawDo(t, nc, rr, "SET", "b", "1"); got != "+OK\r\n" {
		t.Fatalf("SET on the other shard: %q", got)
	}
	if got := rawDo(t, nc, rr, "MSET", "a", "1", "b", "2"); !strings.HasPrefix(got, "-CLUSTERDOWN") {
		t.Fatalf("MSET over both: %q", got)
	}
}

// TestNodeDownFailsFast checks that a node nobody listens on gives its
// CLUSTERDOWN error at once.
func TestNodeDownFailsFast(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := ln.Addr().String()
	ln.Close()
	_, addr := startTestProxy(t, "", startOKNode(t), gone)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	rr := resp.NewReplyReader(nc)
	got := rawDo(t, nc, rr, "GET", "a")
	if !strings.HasPrefix(got, "-CLUSTERDOWN The cluster is down: node "+gone+" is unreachable (") {
		t.Fatalf("GET on a node that is down: %q", got)
	}
}

func TestSkipValue(t *testing.T) {
	for _, v := range []string{
		"+OK\r\n", "-ERR x\r\n", ":12\r\n", "$-1\r\n", "$3\r\nabc\r\n", "*-1\r\n",
		"*2\r\n$1\r\na\r\n:1\r\n", "%1\r\n+k\r\n*1\r\n_\r\n", "|1\r\n+a\r\n+b\r\n$1\r\nx\r\n",
		",1.5\r\n", "#t\r\n", "=7\r\ntxt:abc\r\n", ">2\r\n+a\r\n+b\r\n", "~0\r\n",
	} {
		if n := skipValue([]byte(v + "+next\r\n")); n != len(v) {
			t.Errorf("skipValue(%q) = %d, want %d", v, n, len(v))
		}
		if n := skipValue([]byte(v[:len(v)-1])); n != -1 {
			t.Errorf("skipValue of truncated %q = %d, want -1", v, n)
		}
	}
}

func TestCallQueue(t *testing.T) {
	var q callQueue
	calls := make([]*call, 3000)
	for i := range calls {
		calls[i] = &call{}
	}
	next := 0
	for i, c := range calls {
		q.push(c)
		if i%3 == 2 {
			if got := q.pop(); got != calls[next] {
				t.Fatalf("pop %d: wrong call", next)
			}
			next++
		}
	}
	for ; next < len(calls); next++ {
		if got := q.pop(); got != calls[next] {
			t.Fatalf("pop %d: wrong call", next)
		}
	}
	if q.pop() != nil || q.len() != 0 {
		t.Fatal("queue not empty")
	}
}
