package backend

import (
	"strings"
	"testing"

	"github.com/shardis/shardis/internal/resp"
)

// eventsAfter runs cmd on c and returns the keyspace events sub (a RESP2
// client subscribed to __key*) received for it, as "channel payload"
// strings. sub's PING reply marks the end: everything the command published
// was queued before.
func eventsAfter(t *testing.T, c, sub *testConn, cmd ...string) []string {
	t.Helper()
	c.raw(cmd...)
	sub.send("PING")
	var out []string
	for {
		v, _, err := resp.ParseReply([]byte(sub.push()))
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Elems) == 2 && string(v.Elems[0].Str) == "pong" {
			return out
		}
		if len(v.Elems) != 4 {
			t.Fatalf("unexpected push %v", v)
		}
		out = append(out, string(v.Elems[2].Str)+" "+string(v.Elems[3].Str))
	}
}

// TestKeyspaceEvents: the events redis-server 7.0.15 published with
// notify-keyspace-events KEAmn for each command (recorded).
func TestKeyspaceEvents(t *testing.T) {
	_, addr := startTestServer(t)
	c, sub := dialTest(t, addr), dialTest(t, addr)
	c.expect("+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", "KEAmn")
	c.expect("*2\r\n$22\r\nnotify-keyspace-events\r\n$4\r\nAKEm\r\n", "CONFIG", "GET", "notify-keyspace-events")
	sub.expect("*3\r\n$10\r\npsubscribe\r\n$6\r\n__key*\r\n:1\r\n", "PSUBSCRIBE", "__key*")
	ev := func(key, event string) []string {
		return []string{"__keyspace@0__:" + key + " " + event, "__keyevent@0__:" + event + " " + key}
	}
	cat := func(lists ...[]string) []string {
		var out []string
		for _, l := range lists {
			out = append(out, l...)
		}
		return out
	}
	cases := []struct {
		cmd  string
		want []string
	}{
		{"SET k v", cat(ev("k", "new"), ev("k", "set"))},
		{"SET k v2 EX 100", cat(ev("k", "set"), ev("k", "expire"))},
		{"SET k v2 NX", nil},
		{"SET k v3 GET", ev("k", "set")},
		{"GET nokey", ev("nokey", "keymiss")},
		{"GET k", nil},
		{"INCR n", cat(ev("n", "new"), ev("n", "incrby"))},
		{"INCRBYFLOAT n 1.5", ev("n", "incrbyfloat")},
		{"APPEND k x", ev("k", "append")},
		{"SETRANGE k 0 y", ev("k", "setrange")},
		{"MSET a 1 b 2", cat(ev("a", "new"), ev("a", "set"), ev("b", "new"), ev("b", "set"))},
		{"MSETNX a 1 c 3", nil},
		{"GETEX a EX 100", ev("a", "expire")},
		{"GETEX a PERSIST", ev("a", "persist")},
		{"GETEX a PERSIST", nil},
		{"GETEX a EXAT 1", ev("a", "del")},
		{"GETDEL b", ev("b", "del")},
		{"GETSET c 9", cat(ev("c", "keymiss"), ev("c", "new"), ev("c", "set"))},
		{"SETNX c v", nil},
		{"EXPIRE c 100", ev("c", "expire")},
		{"EXPIRE c 100 NX", nil},
		{"PERSIST c", ev("c", "persist")},
		{"EXPIRE c 0", ev("c", "del")},
		{"SET r 1", cat(ev("r", "new"), ev("r", "set"))},
		{"RENAME r r2", cat(ev("r2", "new"), ev("r", "rename_from"), ev("r2", "rename_to"))},
		{"RENAME r2 r2", nil},
		{"MOVE r2 1", []string{"__keyspace@1__:r2 new", "__keyevent@1__:new r2",
			"__keyspace@0__:r2 move_from", "__keyevent@0__:move_from r2",
			"__keyspace@1__:r2 move_to", "__keyevent@1__:move_to r2"}},
		{"COPY k k3", cat(ev("k3", "new"), ev("k3", "copy_to"))},
		{"COPY k k3 REPLACE", cat(ev("k3", "new"), ev("k3", "copy_to"))},
		{"DEL k3 nonex k", cat(ev("k3", "del"), ev("k", "del"))},
		{"SETBIT bb 3 1", cat(ev("bb", "new"), ev("bb", "setbit"))},
		{"SETBIT bb 3 1", nil},
		{"BITOP AND dest bb zz", cat(ev("zz", "keymiss"), ev("dest", "new"), ev("dest", "set"))},
		{"BITOP AND dest nokey", cat(ev("nokey", "keymiss"), ev("dest", "del"))},
		{"BITFIELD bf SET u8 0 1", cat(ev("bf", "new"), ev("bf", "setbit"))},
		{"BITFIELD bf INCRBY u8 0 0", nil},
		{"TYPE nokey", ev("nokey", "keymiss")},
		{"EXISTS nokey", ev("nokey", "keymiss")},
		{"OBJECT ENCODING nokey", nil},
		{"FLUSHALL", nil},
	}
	for _, tc := range cases {
		got := eventsAfter(t, c, sub, strings.Fields(tc.cmd)...)
		if strings.Join(got, ", ") != strings.Join(tc.want, ", ") {
			t.Errorf("%s:\n got %q\nwant %q", tc.cmd, got, tc.want)
		}
	}

	// Classes: only what notify-keyspace-events selects.
	c.expect("+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", "Eg")
	if got := eventsAfter(t, c, sub, "SET", "x", "1"); got != nil {
		t.Errorf("SET with Eg: %q", got)
	}
	if got := eventsAfter(t, c, sub, "DEL", "x"); strings.Join(got, ",") != "__keyevent@0__:del x" {
		t.Errorf("DEL with Eg: %q", got)
	}
	c.expect("+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", "")
	if got := eventsAfter(t, c, sub, "SET", "x", "1"); got != nil {
		t.Errorf("SET with notifications off: %q", got)
	}
}

// TestExpiredEvent: a key deleted because its time ran out publishes
// "expired" (lazily here, active expiry being off).
func TestExpiredEvent(t *testing.T) {
	o := DefaultOptions()
	o.EnableDebugCommand = "yes"
	_, addr := startTestServerOptions(t, o)
	c, sub := dialTest(t, addr), dialTest(t, addr)
	c.expect("+OK\r\n", "DEBUG", "SET-ACTIVE-EXPIRE", "0")
	c.expect("+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", "Ex")
	sub.raw("SUBSCRIBE", "__keyevent@0__:expired")
	c.raw("SET", "k", "v", "PX", "1")
	waitExpired(t, c, "k")
	got := eventsAfterMessages(t, c, sub, "GET", "k")
	if strings.Join(got, ",") != "__keyevent@0__:expired k" {
		t.Errorf("lazy expiry: %q", got)
	}
}

// eventsAfterMessages is eventsAfter for a client subscribed to channels
// (message pushes, three elements).
func eventsAfterMessages(t *testing.T, c, sub *testConn, cmd ...string) []string {
	t.Helper()
	c.raw(cmd...)
	sub.send("PING")
	var out []string
	for {
		v, _, err := resp.ParseReply([]byte(sub.push()))
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Elems) == 2 && string(v.Elems[0].Str) == "pong" {
			return out
		}
		out = append(out, string(v.Elems[1].Str)+" "+string(v.Elems[2].Str))
	}
}
