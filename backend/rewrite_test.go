package backend

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shardis/shardis/internal/resp"
)

// snapshotServer writes every shard of every database of s, as a rewrite
// does, with the clock at now.
func snapshotServer(s *Server, now int64) []byte {
	w := newSnapshotWriter()
	for _, db := range s.dbs {
		for i := range db.shards {
			sh := &db.shards[i]
			sh.mu.Lock()
			w.shard(db, sh, now)
			sh.mu.Unlock()
		}
	}
	return w.buf
}

// parseCommands splits an AOF's bytes into its commands.
func parseCommands(t *testing.T, b []byte) [][]string {
	t.Helper()
	r := resp.NewReader(bytes.NewReader(b))
	var cmds [][]string
	for {
		args, err := r.ReadCommand()
		if err == io.EOF {
			return cmds
		}
		if err != nil {
			t.Fatalf("snapshot is not RESP: %v", err)
		}
		cmd := make([]string, len(args))
		for i, a := range args {
			cmd[i] = string(a)
		}
		cmds = append(cmds, cmd)
	}
}

func TestRewriteSnapshotReplays(t *testing.T) {
	o := DefaultOptions()
	o.EnableDebugCommand = "yes"
	s0, addr := startTestServerOptions(t, o)
	c := dialTest(t, addr)
	now := time.Now().UnixMilli()
	must := func(args ...string) {
		t.Helper()
		if r := c.raw(args...); strings.HasPrefix(r, "-") {
			t.Fatalf("%q: %s", args, r)
		}
	}
	// Strings, including binary ones, integers and HyperLogLogs.
	must("SET", "s", "hello")
	must("SET", "bin", "a\r\nb\x00c$*")
	must("SET", "num", "12345")
	must("SET", "empty", "")
	must("APPEND", "s", " world")
	must("PFADD", "hll", "a", "b", "c")
	for i := 0; i < 3000; i++ {
		must("PFADD", "hlldense", fmt.Sprint("e", i))
	}
	// Lists of one chunk and several (64 items per command).
	must("RPUSH", "shortlist", "x", "y")
	for i := 0; i < 200; i++ {
		must("RPUSH", "longlist", fmt.Sprint("item", i))
	}
	must("LPUSH", "longlist", "head")
	// Sets: an intset and a hashtable.
	for i := 0; i < 100; i++ {
		must("SADD", "intset", strconv.Itoa(i*7-300))
	}
	for i := 0; i < 150; i++ {
		must("SADD", "strset", fmt.Sprint("m", i))
	}
	// Sorted sets: listpack and skiplist, with awkward scores.
	must("ZADD", "zsmall", "1.5", "a", "-2", "b", "0.1", "c")
	must("ZADD", "zbig", "inf", "top", "-inf", "bottom", "1e300", "huge", "-0", "zero")
	for i := 0; i < 150; i++ {
		must("ZADD", "zbig", strconv.FormatFloat(float64(i)/3, 'g', -1, 64), fmt.Sprint("z", i))
	}
	// Hashes: listpack and hashtable.
	must("HSET", "hsmall", "f", "v", "g", "")
	for i := 0; i < 200; i++ {
		must("HSET", "hbig", fmt.Sprint("f", i), fmt.Sprint("v", i))
	}
	// Expiries, and a key whose time runs out before the snapshot's clock.
	must("SET", "ttl", "v", "PXAT", strconv.FormatInt(now+100*24*3600*1000, 10))
	must("PEXPIREAT", "hbig", strconv.FormatInt(now+50*24*3600*1000, 10))
	must("SET", "soon", "v", "PXAT", strconv.FormatInt(now+3600*1000, 10))
	// Ran out half a second before the snapshot's clock: within
	// rewriteExpirySlack, so written with its PEXPIREAT (a command that read
	// the clock a moment earlier may still change it).
	must("SET", "justnow", "v", "PXAT", strconv.FormatInt(now+2*3600*1000-500, 10))
	// Another database.
	must("SELECT", "3")
	must("SET", "s", "in db 3")
	must("RPUSH", "l3", "a", "b")
	must("SELECT", "0")

	srcServer := c
	snapAt := now + 2*3600*1000 // "soon" has expired by then
	snap := snapshotServer(s0, snapAt)
	cmds := parseCommands(t, snap)

	// Redis's shape: SELECT before each database's keys, at most 64 items
	// per command, HMSET for hashes, PEXPIREAT after the value.
	names := map[string]int{}
	for _, cmd := range cmds {
		names[cmd[0]]++
		switch cmd[0] {
		case "RPUSH", "SADD":
			if n := len(cmd) - 2; n < 1 || n > aofRewriteItemsPerCmd {
				t.Errorf("%s with %d items", cmd[0], n)
			}
		case "ZADD", "HMSET":
			if n := len(cmd) - 2; n < 2 || n > 2*aofRewriteItemsPerCmd || n%2 != 0 {
				t.Errorf("%s with %d arguments", cmd[0], n)
			}
		case "SET", "PEXPIREAT", "SELECT":
		default:
			t.Errorf("unexpected command %q in a snapshot", cmd[0])
		}
		if len(cmd) > 1 && cmd[1] == "soon" {
			t.Errorf("a key whose time ran out an hour ago is in the snapshot: %q", cmd)
		}
		if len(cmd) > 1 && cmd[1] == "justnow" {
			names["justnow"]++
		}
	}
	if names["justnow"] != 2 {
		t.Errorf("a key whose time ran out within the slack has %d commands in the snapshot, want SET and PEXPIREAT", names["justnow"])
	}
	if names["SELECT"] != 2 || names["PEXPIREAT"] != 3 || names["HMSET"] != 5 || names["RPUSH"] != 6 {
		t.Errorf("command counts %v", names)
	}
	if cmds[0][0] != "SELECT" || cmds[0][1] != "0" {
		t.Errorf("first command %q, want SELECT 0", cmds[0])
	}

	// Replay into a fresh node: same dataset.
	_, addr2 := startTestServerOptions(t, o)
	dst := dialTest(t, addr2)
	dst.nc.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := dst.nc.Write(snap); err != nil {
		t.Fatal(err)
	}
	for range cmds {
		b, err := dst.rr.ReadRaw()
		if err != nil {
			t.Fatal(err)
		}
		if b[0] == '-' {
			t.Fatalf("replaying the snapshot: %s", b)
		}
	}
	dst.raw("SELECT", "0")
	srcServer.expect(":1\r\n", "DEL", "soon")
	want, got := srcServer.raw("DEBUG", "DIGEST"), dst.raw("DEBUG", "DIGEST")
	if !strings.HasPrefix(want, "+") {
		t.Fatalf("DEBUG DIGEST: %q", want)
	}
	if want != got {
		t.Errorf("digest after replay %s, want %s", got, want)
	}
	for _, k := range []string{"ttl", "hbig"} {
		if w, g := srcServer.raw("PEXPIRETIME", k), dst.raw("PEXPIRETIME", k); w != g {
			t.Errorf("PEXPIRETIME %s: %q, want %q", k, g, w)
		}
	}
	for _, k := range []string{"longlist", "zbig", "bin", "hlldense"} {
		cmd := map[string][]string{
			"longlist": {"LRANGE", k, "0", "-1"},
			"zbig":     {"ZRANGE", k, "0", "-1", "WITHSCORES"},
			"bin":      {"GET", k},
			"hlldense": {"PFCOUNT", k},
		}[k]
		if w, g := srcServer.raw(cmd...), dst.raw(cmd...); w != g {
			t.Errorf("%q: %q, want %q", cmd, g, w)
		}
	}
}
