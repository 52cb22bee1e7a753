package proxy

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shardis/shardis/internal/resp"
	"github.com/shardis/shardis/topology"
)

func TestParseRedirection(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want redirection
		ok   bool
	}{
		{"-MOVED 3999 127.0.0.1:6381\r\n", redirection{slot: 3999, addr: "127.0.0.1:6381"}, true},
		{"MOVED 0 10.0.0.1:7000", redirection{slot: 0, addr: "10.0.0.1:7000"}, true},
		{"-ASK 16383 127.0.0.1:30002\r\n", redirection{ask: true, slot: 16383, addr: "127.0.0.1:30002"}, true},
		{"-MOVED 12 [::1]:7001\r\n", redirection{slot: 12, addr: "[::1]:7001"}, true},
		{"-MOVED 12 :7001\r\n", redirection{slot: 12, addr: ":7001"}, true},
		{"-MOVED 12 redis-1.example:7001\r\n", redirection{slot: 12, addr: "redis-1.example:7001"}, true},
		{"-MOVED 16384 127.0.0.1:6381\r\n", redirection{}, false},
		{"-MOVED -1 127.0.0.1:6381\r\n", redirection{}, false},
		{"-MOVED +1 127.0.0.1:6381\r\n", redirection{}, false},
		{"-MOVED 1\r\n", redirection{}, false},
		{"-MOVED  127.0.0.1:6381\r\n", redirection{}, false},
		{"-MOVED 1 127.0.0.1\r\n", redirection{}, false},
		{"-MOVED 1 127.0.0.1:0\r\n", redirection{}, false},
		{"-MOVED 1 127.0.0.1:99999\r\n", redirection{}, false},
		{"-MOVED 1 127.0.0.1:80 extra\r\n", redirection{}, false},
		{"-ERR MOVED 1 127.0.0.1:80\r\n", redirection{}, false},
		{"-ASKING\r\n", redirection{}, false},
		{"-moved 1 127.0.0.1:80\r\n", redirection{}, false},
		{"+OK\r\n", redirection{}, false},
	} {
		got, ok := parseRedirection([]byte(tc.in))
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseRedirection(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
		if tc.ok && tc.in[0] == '-' && !isRedirect([]byte(tc.in)) {
			t.Errorf("isRedirect(%q) = false", tc.in)
		}
	}
	for _, s := range []string{"-ERR x\r\n", "+MOVED 1 a:1\r\n", "$5\r\nMOVED\r\n", "-MOV", ""} {
		if isRedirect([]byte(s)) {
			t.Errorf("isRedirect(%q) = true", s)
		}
	}
}

func TestRedirectionTarget(t *testing.T) {
	for _, tc := range []struct{ addr, from, want string }{
		{"127.0.0.1:7001", "127.0.0.1:7000", "127.0.0.1:7001"},
		{":7001", "10.1.2.3:7000", "10.1.2.3:7001"},
		{":7001", "[::1]:7000", "[::1]:7001"},
		{"host:7001", "10.1.2.3:7000", "host:7001"},
	} {
		if got := (redirection{addr: tc.addr}).target(tc.from); got != tc.want {
			t.Errorf("target(%q from %q) = %q, want %q", tc.addr, tc.from, got, tc.want)
		}
	}
}

// TestFollowRedirect runs a proxy in front of node a only, while node b
// holds some of a's slots: a answers MOVED or ASK for them, and the client
// must only ever see b's answers, in order.
func TestFollowRedirect(t *testing.T) {
	a, b := startTestNode(t, "127.0.0.1:0"), startTestNode(t, "127.0.0.1:0")
	slot := func(k string) int { return topology.Slot([]byte(k)) }
	a.reply = func(_, cmd string) string {
		switch cmd {
		case "SET moved 1", "SET moved 2":
			return fmt.Sprintf("-MOVED %d %s\r\n", slot("moved"), b.addr())
		case "SET ask 1":
			_, port, _ := net.SplitHostPort(b.addr())
			return fmt.Sprintf("-ASK %d :%s\r\n", slot("ask"), port) // no host: a's
		case "GET loop":
			return fmt.Sprintf("-MOVED %d %s\r\n", slot("loop"), b.addr())
		case "GET plain":
			return "$5\r\nplain\r\n"
		}
		return "-ERR unexpected on a: " + cmd + "\r\n"
	}
	b.reply = func(prev, cmd string) string {
		switch {
		case cmd == "ASKING":
			return "+OK\r\n"
		case cmd == "SET ask 1" && prev == "ASKING":
			return "+OK\r\n"
		case cmd == "SET ask 1":
			return fmt.Sprintf("-MOVED %d %s\r\n", slot("ask"), a.addr())
		case cmd == "GET loop":
			return fmt.Sprintf("-MOVED %d %s\r\n", slot("loop"), a.addr())
		case strings.HasPrefix(cmd, "SET moved"):
			return "+OK\r\n"
		}
		return "-ERR unexpected on b: " + cmd + "\r\n"
	}
	s, addr := startTestProxy(t, "", a.addr())
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	rr := resp.NewReplyReader(nc)

	// MOVED in a pipeline: the redirected reply keeps its place.
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := nc.Write(append(resp.AppendCommand(nil, "SET", "moved", "1"), resp.AppendCommand(nil, "GET", "plain")...)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"+OK\r\n", "$5\r\nplain\r\n"} {
		if raw, err := rr.ReadRaw(); err != nil || string(raw) != want {
			t.Fatalf("pipeline reply %q, %v; want %q", raw, err, want)
		}
	}
	if o := s.slots.Load().Owner(slot("moved")); o == nil || o.Primary.Address != b.addr() {
		t.Fatalf("after MOVED the slot's owner is %v, want %s", o, b.addr())
	}
	if o := s.slots.Load().Owner(slot("plain")); o == nil || o.Primary.Address != a.addr() {
		t.Fatalf("a slot not moved changed owner: %v", o)
	}
	before := len(a.commands())
	if got := rawDo(t, nc, rr, "SET", "moved", "2"); got != "+OK\r\n" {
		t.Fatalf("SET after MOVED: %q", got)
	}
	if n := len(a.commands()); n != before {
		t.Fatalf("the map was updated, yet the old owner got %d more commands", n-before)
	}

	// ASK: ASKING and the command back to back at b, the map unchanged.
	if got := rawDo(t, nc, rr, "SET", "ask", "1"); got != "+OK\r\n" {
		t.Fatalf("SET after ASK: %q", got)
	}
	bc := b.commands()
	if i := slices.Index(bc, "SET ask 1"); i < 1 || bc[i-1] != "ASKING" {
		t.Fatalf("b got %q: want ASKING right before SET ask 1", bc)
	}
	if o := s.slots.Load().Owner(slot("ask")); o == nil || o.Primary.Address != a.addr() {
		t.Fatalf("after ASK the slot's owner is %v, want still %s", o, a.addr())
	}

	// A handler's node call is redirected too.
	v, err := s.callAddr(context.Background(), a.addr(), []byte("SET"), []byte("moved"), []byte("1"))
	if err != nil || v.Type != '+' || string(v.Str) != "OK" {
		t.Fatalf("node call redirected by MOVED: %v, %v", v, err)
	}

	// Nodes that keep redirecting each other: bounded, then TRYAGAIN.
	if got := rawDo(t, nc, rr, "GET", "loop"); !strings.HasPrefix(got, "-TRYAGAIN slot "+strconv.Itoa(slot("loop"))+" was redirected 5 times") {
		t.Fatalf("GET with endless redirections: %q", got)
	}
	if n := s.redirects.exhausted.Load(); n != 1 {
		t.Fatalf("exhausted redirections counted %d", n)
	}
	if s.redirects.moved.Load() < 7 || s.redirects.ask.Load() != 1 {
		t.Fatalf("redirections counted: moved %d, ask %d", s.redirects.moved.Load(), s.redirects.ask.Load())
	}
}
