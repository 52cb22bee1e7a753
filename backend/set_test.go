package backend

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc64"
	"math/rand/v2"
	"net"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
)

// debugOptions are redis-server's defaults with DEBUG allowed, so that
// DEBUG DIGEST-VALUE can be compared.
func debugOptions(t *testing.T) Options {
	t.Helper()
	o := DefaultOptions()
	if err := o.Set("enable-debug-command", "yes"); err != nil {
		t.Fatal(err)
	}
	return o
}

// setSteps were recorded from redis-server 7.0.15 (see strings_test.go for
// the format). Only replies whose order Redis fixes are here: intsets list
// their members in ascending order, in SMEMBERS, SINTER (walking the
// smallest set), SUNION and SDIFF (building an intset), SRANDMEMBER and
// SPOP of the whole set and SSCAN; a hashtable's order is its own.
var setSteps = []stringStep{
	{[]string{"FLUSHALL"}, "+OK\r\n"},
	{[]string{"SADD", "s", "3", "1", "2"}, ":3\r\n"},
	{[]string{"SADD", "s", "2", "4"}, ":1\r\n"},
	{[]string{"SCARD", "s"}, ":4\r\n"},
	{[]string{"SMEMBERS", "s"}, "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"},
	{[]string{"OBJECT", "ENCODING", "s"}, "$6\r\nintset\r\n"},
	{[]string{"SISMEMBER", "s", "2"}, ":1\r\n"},
	{[]string{"SISMEMBER", "s", "5"}, ":0\r\n"},
	{[]string{"SISMEMBER", "s", "02"}, ":0\r\n"},
	{[]string{"SMISMEMBER", "s", "1", "5", "4", "+4"}, "*4\r\n:1\r\n:0\r\n:1\r\n:0\r\n"},
	{[]string{"SMISMEMBER", "missing", "a"}, "*1\r\n:0\r\n"},
	{[]string{"SADD", "s", "-9223372036854775808", "9223372036854775807", "-0", "01"}, ":4\r\n"},
	{[]string{"SREM", "s", "-0", "01"}, ":2\r\n"},
	{[]string{"OBJECT", "ENCODING", "s"}, "$9\r\nhashtable\r\n"},
	{[]string{"DEBUG", "DIGEST-VALUE", "s"}, "*1\r\n+1573c558599a1e14d3f8a7d3d97a3fac9fc1bb92\r\n"},
	{[]string{"SADD", "s", "x"}, ":1\r\n"},
	{[]string{"OBJECT", "ENCODING", "s"}, "$9\r\nhashtable\r\n"},
	{[]string{"DEBUG", "DIGEST-VALUE", "s"}, "*1\r\n+048568d69cb0379078525aafe22b5aafe79d9be0\r\n"},
	{[]string{"SREM", "s", "x", "1", "nothere"}, ":2\r\n"},
	{[]string{"SCARD", "s"}, ":5\r\n"},
	{[]string{"OBJECT", "ENCODING", "s"}, "$9\r\nhashtable\r\n"},
	{[]string{"SADD", "a", "1", "2", "3"}, ":3\r\n"},
	{[]string{"SADD", "b", "4", "3", "2"}, ":3\r\n"},
	{[]string{"SINTER", "a", "b"}, "*2\r\n$1\r\n2\r\n$1\r\n3\r\n"},
	{[]string{"SINTER", "b", "a", "missing"}, "*0\r\n"},
	{[]string{"SUNION", "a", "b"}, "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"},
	{[]string{"SUNION", "b", "missing", "a"}, "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"},
	{[]string{"SDIFF", "a", "b"}, "*1\r\n$1\r\n1\r\n"},
	{[]string{"SDIFF", "b", "a"}, "*1\r\n$1\r\n4\r\n"},
	{[]string{"SDIFF", "missing", "a"}, "*0\r\n"},
	{[]string{"SINTERCARD", "2", "a", "b"}, ":2\r\n"},
	{[]string{"SINTERCARD", "2", "a", "b", "LIMIT", "1"}, ":1\r\n"},
	{[]string{"SINTERSTORE", "d", "a", "b"}, ":2\r\n"},
	{[]string{"SMEMBERS", "d"}, "*2\r\n$1\r\n2\r\n$1\r\n3\r\n"},
	{[]string{"OBJECT", "ENCODING", "d"}, "$6\r\nintset\r\n"},
	{[]string{"SUNIONSTORE", "u", "a", "b"}, ":4\r\n"},
	{[]string{"SMEMBERS", "u"}, "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"},
	{[]string{"SDIFFSTORE", "df", "a", "b"}, ":1\r\n"},
	{[]string{"SMEMBERS", "df"}, "*1\r\n$1\r\n1\r\n"},
	{[]string{"SDIFFSTORE", "df", "a", "a"}, ":0\r\n"},
	{[]string{"EXISTS", "df"}, ":0\r\n"},
	{[]string{"SMOVE", "a", "b", "1"}, ":1\r\n"},
	{[]string{"SMEMBERS", "a"}, "*2\r\n$1\r\n2\r\n$1\r\n3\r\n"},
	{[]string{"SMEMBERS", "b"}, "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"},
	{[]string{"SRANDMEMBER", "a", "10"}, "*2\r\n$1\r\n2\r\n$1\r\n3\r\n"},
	{[]string{"SRANDMEMBER", "a", "0"}, "*0\r\n"},
	{[]string{"SRANDMEMBER", "missing", "3"}, "*0\r\n"},
	{[]string{"SRANDMEMBER", "missing"}, "$-1\r\n"},
	{[]string{"SPOP", "missing"}, "$-1\r\n"},
	{[]string{"SPOP", "a", "10"}, "*2\r\n$1\r\n2\r\n$1\r\n3\r\n"},
	{[]string{"EXISTS", "a"}, ":0\r\n"},
	{[]string{"SSCAN", "b", "0"}, "*2\r\n$1\r\n0\r\n*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"},
	{[]string{"SSCAN", "b", "0", "MATCH", "3*"}, "*2\r\n$1\r\n0\r\n*1\r\n$1\r\n3\r\n"},
	{[]string{"SSCAN", "b", "0", "COUNT", "1"}, "*2\r\n$1\r\n0\r\n*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"},
	{[]string{"SSCAN", "missing", "0", "COUNT", "0"}, "*2\r\n$1\r\n0\r\n*0\r\n"},
	{[]string{"SET", "str", "v"}, "+OK\r\n"},
	{[]string{"SADD", "str", "a"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"SMEMBERS", "str"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"SINTER", "b", "str"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"SINTER", "missing", "str"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"SUNIONSTORE", "str", "b"}, ":4\r\n"},
	{[]string{"TYPE", "str"}, "+set\r\n"},
	{[]string{"SMEMBERS", "str"}, "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"},
	{[]string{"SINTERCARD", "0", "b"}, "-ERR numkeys should be greater than 0\r\n"},
	{[]string{"SINTERCARD", "2", "b"}, "-ERR Number of keys can't be greater than number of args\r\n"},
	{[]string{"SINTERCARD", "1", "b", "LIMIT", "-1"}, "-ERR LIMIT can't be negative\r\n"},
	{[]string{"SINTERCARD", "1", "b", "FOO"}, "-ERR syntax error\r\n"},
	{[]string{"SPOP", "b", "-1"}, "-ERR value is out of range, must be positive\r\n"},
	{[]string{"SPOP", "b", "x"}, "-ERR value is out of range, must be positive\r\n"},
	{[]string{"SPOP", "b", "1", "2"}, "-ERR syntax error\r\n"},
	{[]string{"SRANDMEMBER", "b", "-9223372036854775808"}, "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"},
	{[]string{"SRANDMEMBER", "b", "1", "2"}, "-ERR syntax error\r\n"},
	{[]string{"SSCAN", "b", "x"}, "-ERR invalid cursor\r\n"},
	{[]string{"SSCAN", "b", "0", "COUNT", "0"}, "-ERR syntax error\r\n"},
	{[]string{"SSCAN", "b", "0", "TYPE", "set"}, "-ERR syntax error\r\n"},
	{[]string{"SADD"}, "-ERR wrong number of arguments for 'sadd' command\r\n"},
	{[]string{"SMOVE", "a", "b"}, "-ERR wrong number of arguments for 'smove' command\r\n"},
	{[]string{"SADD", "e", ""}, ":1\r\n"},
	{[]string{"SMEMBERS", "e"}, "*1\r\n$0\r\n\r\n"},
	{[]string{"SADD", "big", "\x00\xff", "a b"}, ":2\r\n"},
	{[]string{"SISMEMBER", "big", "\x00\xff"}, ":1\r\n"},
	{[]string{"SREM", "big", "\x00\xff", "a b"}, ":2\r\n"},
	{[]string{"EXISTS", "big"}, ":0\r\n"},
	{[]string{"hello", "3"}, ""},
	{[]string{"SMEMBERS", "b"}, "~4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"},
	{[]string{"SINTER", "b", "missing"}, "~0\r\n"},
	{[]string{"SUNION", "b", "b"}, "~4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"},
	{[]string{"SPOP", "missing", "2"}, "~0\r\n"},
	{[]string{"SPOP", "b", "0"}, "~0\r\n"},
	{[]string{"SRANDMEMBER", "missing", "2"}, "*0\r\n"},
	{[]string{"SRANDMEMBER", "b", "10"}, "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"},
	{[]string{"SRANDMEMBER", "b", "0"}, "*0\r\n"},
	{[]string{"SMISMEMBER", "b", "2", "9"}, "*2\r\n:1\r\n:0\r\n"},
	{[]string{"SSCAN", "b", "0"}, "*2\r\n$1\r\n0\r\n*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"},
	{[]string{"SPOP", "missing"}, "_\r\n"},
	{[]string{"SRANDMEMBER", "missing"}, "_\r\n"},
	{[]string{"SPOP", "b", "10"}, "~4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"},
}

func TestSetCommandsLikeRedis(t *testing.T) {
	runStringSteps(t, debugOptions(t), setSteps)
}

// setConversionSteps were recorded from redis-server 7.0.15 with
// set-max-intset-entries 3: sets convert to hashtables and never back, and
// the sets stores and SPOP build get the encoding of their additions (SDIFF
// copying the first set when that is cheaper than probing the others: the
// copy outgrew the intset even when the result is small).
var setConversionSteps = []stringStep{
	{[]string{"FLUSHALL"}, "+OK\r\n"},
	{[]string{"CONFIG", "SET", "set-max-intset-entries", "3"}, "+OK\r\n"},
	{[]string{"SADD", "s", "1", "2", "3"}, ":3\r\n"},
	{[]string{"OBJECT", "ENCODING", "s"}, "$6\r\nintset\r\n"},
	{[]string{"SADD", "s", "4"}, ":1\r\n"},
	{[]string{"OBJECT", "ENCODING", "s"}, "$9\r\nhashtable\r\n"},
	{[]string{"SREM", "s", "4", "3"}, ":2\r\n"},
	{[]string{"OBJECT", "ENCODING", "s"}, "$9\r\nhashtable\r\n"},
	{[]string{"SUNIONSTORE", "u", "s"}, ":2\r\n"},
	{[]string{"OBJECT", "ENCODING", "u"}, "$6\r\nintset\r\n"},
	{[]string{"SADD", "big", "1", "2", "3", "4"}, ":4\r\n"},
	{[]string{"SDIFFSTORE", "d", "big", "big"}, ":0\r\n"},
	{[]string{"SDIFFSTORE", "d", "big", "s", "u", "none"}, ":2\r\n"},
	{[]string{"OBJECT", "ENCODING", "d"}, "$6\r\nintset\r\n"},
	{[]string{"SMEMBERS", "d"}, "*2\r\n$1\r\n3\r\n$1\r\n4\r\n"},
	{[]string{"SADD", "many", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"}, ":12\r\n"},
	{[]string{"SDIFFSTORE", "d2", "big", "many", "many", "many"}, ":0\r\n"},
	{[]string{"EXISTS", "d2"}, ":0\r\n"},
	{[]string{"SADD", "bigger", "1", "2", "3", "4", "5", "6", "7"}, ":7\r\n"},
	{[]string{"SDIFFSTORE", "d3", "bigger", "s"}, ":5\r\n"},
	{[]string{"OBJECT", "ENCODING", "d3"}, "$9\r\nhashtable\r\n"},
	{[]string{"SADD", "few", "1"}, ":1\r\n"},
	{[]string{"SDIFFSTORE", "d4", "bigger", "few"}, ":6\r\n"},
	{[]string{"OBJECT", "ENCODING", "d4"}, "$9\r\nhashtable\r\n"},
	{[]string{"SADD", "p", "1", "2", "3", "4", "5", "6"}, ":6\r\n"},
	{[]string{"OBJECT", "ENCODING", "p"}, "$9\r\nhashtable\r\n"},
}

// setConversionStepsAfterPop follow an SPOP of 5 members of p's 6 (its
// reply is random): the survivor is a new set, an intset.
var setConversionStepsAfterPop = []stringStep{
	{[]string{"OBJECT", "ENCODING", "p"}, "$6\r\nintset\r\n"},
	{[]string{"SADD", "x", "a"}, ":1\r\n"},
	{[]string{"SMOVE", "x", "y", "a"}, ":1\r\n"},
	{[]string{"OBJECT", "ENCODING", "y"}, "$9\r\nhashtable\r\n"},
	{[]string{"CONFIG", "SET", "set-max-intset-entries", "512"}, "+OK\r\n"},
}

func TestSetEncodingConversions(t *testing.T) {
	_, addr := startTestServerOptions(t, debugOptions(t))
	runStepsOn(t, dialTest(t, addr), setConversionSteps)
	c := dialTest(t, addr)
	if r := c.do("SPOP", "p", "5"); len(r.Elems) != 5 {
		t.Fatalf("SPOP p 5: %v", r)
	}
	runStepsOn(t, c, setConversionStepsAfterPop)
}

// runStepsOn replays recorded steps on an open connection.
func runStepsOn(t *testing.T, c *testConn, steps []stringStep) {
	t.Helper()
	for _, st := range steps {
		c.expect(st.want, st.args...)
	}
}

func TestSetDumpRestoreCopy(t *testing.T) {
	o := DefaultOptions()
	o.SetMaxIntsetEntries = 4
	_, addr := startTestServerOptions(t, o)
	c := dialTest(t, addr)
	restore := func(src, dst string) {
		t.Helper()
		p := c.do("DUMP", src)
		c.expect("+OK\r\n", "RESTORE", dst, "0", string(p.Str))
	}
	c.raw("SADD", "h", "1", "2", "a")
	c.raw("SREM", "h", "a")
	restore("h", "h2") // a hashtable of few integers loads as an intset
	c.expect("$6\r\nintset\r\n", "OBJECT", "ENCODING", "h2")
	c.expect("*2\r\n$1\r\n1\r\n$1\r\n2\r\n", "SMEMBERS", "h2")
	c.raw("SADD", "i", "5", "-7", "9223372036854775807")
	restore("i", "i2")
	c.expect("*3\r\n$2\r\n-7\r\n$1\r\n5\r\n$19\r\n9223372036854775807\r\n", "SMEMBERS", "i2")
	c.raw("CONFIG", "SET", "set-max-intset-entries", "2")
	restore("i", "i3") // too many members for an intset now
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "i3")
	c.raw("SADD", "s", "x", "y", "\x00")
	restore("s", "s2")
	if got := sortedMembers(c, "s2"); !slices.Equal(got, []string{"\x00", "x", "y"}) {
		t.Errorf("restored members %q", got)
	}
	c.expect(":1\r\n", "COPY", "s", "s3")
	c.raw("SADD", "s3", "z")
	c.expect(":3\r\n", "SCARD", "s")
	c.expect(":4\r\n", "SCARD", "s3")
	// Forged payloads: duplicates, unsorted intsets, empty sets.
	for _, body := range [][]byte{
		{setDumpIntset, 2, 2, 2},
		{setDumpIntset, 2, 4, 2},
		{setDumpIntset, 0},
		{setDumpHashtable, 2, 1, 'a', 1, 'a'},
		{setDumpHashtable, 2, 1, '1', 1, '1'},
		{setDumpHashtable, 3, 1, 'a'},
		{7, 1, 1, 'a'},
	} {
		c.expect("-ERR Bad data format\r\n", "RESTORE", "bad", "0", string(setPayload(body)))
	}
	c.expect("+OK\r\n", "RESTORE", "good", "0", string(setPayload([]byte{setDumpHashtable, 2, 1, 'a', 1, '1'})))
	c.expect(":2\r\n", "SCARD", "good")
}

// setPayload wraps a set dump body in DUMP's framing.
func setPayload(body []byte) []byte {
	b := append([]byte{dumpTagSet}, body...)
	b = binary.LittleEndian.AppendUint16(b, dumpVersion)
	return binary.LittleEndian.AppendUint64(b, crc64.Checksum(b, dumpCRCTable))
}

// sortedMembers returns key's members, sorted.
func sortedMembers(c *testConn, key string) []string {
	var out []string
	for _, v := range c.do("SMEMBERS", key).Elems {
		out = append(out, string(v.Str))
	}
	sort.Strings(out)
	return out
}

// TestStrSetAgainstMap drives the hashtable encoding through random
// additions and removals (by member and by index, as SPOP does) and checks
// it against a map, including that every member is reachable through its
// bucket chain and that SCAN over the buckets covers everything.
func TestStrSetAgainstMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	tbl := newStrSet(0)
	model := map[string]bool{}
	for step := 0; step < 200000; step++ {
		m := strconv.Itoa(r.IntN(3000))
		switch op := r.IntN(10); {
		case op < 5:
			h := memberHash([]byte(m))
			if (tbl.find([]byte(m), h) >= 0) != model[m] {
				t.Fatalf("step %d: find %q disagrees with the model", step, m)
			}
			if !model[m] {
				tbl.insert(m, h)
				model[m] = true
			}
		case op < 8:
			if i := tbl.find([]byte(m), memberHash([]byte(m))); i >= 0 {
				tbl.removeAt(i)
				delete(model, m)
			} else if model[m] {
				t.Fatalf("step %d: %q lost", step, m)
			}
		default:
			if len(tbl.nodes) > 0 {
				i := r.IntN(len(tbl.nodes))
				delete(model, tbl.nodes[i].s)
				tbl.removeAt(i)
			}
		}
		if len(tbl.nodes) != len(model) {
			t.Fatalf("step %d: %d nodes, model has %d", step, len(tbl.nodes), len(model))
		}
	}
	for m := range model {
		if tbl.find([]byte(m), memberHash([]byte(m))) < 0 {
			t.Fatalf("%q not found", m)
		}
	}
	seen := map[string]bool{}
	for cursor, calls := uint64(0), 0; ; calls++ {
		cursor = tbl.scan(cursor, func(s string) { seen[s] = true })
		if cursor == 0 {
			break
		}
		if calls > 1<<20 {
			t.Fatal("scan does not end")
		}
	}
	if len(seen) != len(model) {
		t.Fatalf("scan saw %d members of %d", len(seen), len(model))
	}
}

// TestSetScanReturnsEveryMemberPresentThroughout checks SSCAN's guarantee
// while the set grows and shrinks between calls: a member present from
// start to end is returned.
func TestSetScanReturnsEveryMemberPresentThroughout(t *testing.T) {
	_, addr := startTestServer(t)
	c := dialTest(t, addr)
	args := []string{"SADD", "s"}
	for i := 0; i < 500; i++ {
		args = append(args, "stay"+strconv.Itoa(i))
	}
	c.raw(args...)
	seen := map[string]bool{}
	cursor := "0"
	for round := 0; ; round++ {
		r := c.do("SSCAN", "s", cursor, "COUNT", "7")
		for _, m := range r.Elems[1].Elems {
			seen[string(m.Str)] = true
		}
		cursor = string(r.Elems[0].Str)
		if cursor == "0" {
			break
		}
		// Churn: grow to force a rehash, then shrink back.
		if round%3 == 0 {
			grow := []string{"SADD", "s"}
			for i := 0; i < 400; i++ {
				grow = append(grow, "tmp"+strconv.Itoa(round)+"-"+strconv.Itoa(i))
			}
			c.raw(grow...)
		} else {
			shrink := []string{"SREM", "s"}
			for i := 0; i < 400; i++ {
				shrink = append(shrink, "tmp"+strconv.Itoa(round-1-(round-1)%3)+"-"+strconv.Itoa(i))
			}
			c.raw(shrink...)
		}
		if round > 10000 {
			t.Fatal("SSCAN does not end")
		}
	}
	for i := 0; i < 500; i++ {
		if !seen["stay"+strconv.Itoa(i)] {
			t.Fatalf("stay%d was never returned", i)
		}
	}
}

// TestSetRandomProperties checks SRANDMEMBER and SPOP replies by their
// properties, and that SPOP's draws are not visibly skewed.
func TestSetRandomProperties(t *testing.T) {
	_, addr := startTestServer(t)
	c := dialTest(t, addr)
	for _, members := range [][]string{{"1", "2", "3", "4", "5", "6", "7", "8"}, {"a", "b", "c", "d", "e", "f", "g", "h"}} {
		c.raw("DEL", "s")
		c.raw(append([]string{"SADD", "s"}, members...)...)
		for _, count := range []int{1, 3, 7, 8, 9, -1, -20} {
			r := c.do("SRANDMEMBER", "s", strconv.Itoa(count))
			want := min(count, 8)
			if count < 0 {
				want = -count
			}
			if len(r.Elems) != want {
				t.Fatalf("SRANDMEMBER s %d: %d members", count, len(r.Elems))
			}
			seen := map[string]bool{}
			for _, e := range r.Elems {
				if !slices.Contains(members, string(e.Str)) || (count > 0 && seen[string(e.Str)]) {
					t.Fatalf("SRANDMEMBER s %d: %v", count, r)
				}
				seen[string(e.Str)] = true
			}
		}
	}
	// Each of 8 members should be popped first about 1/8 of the time.
	hits := map[string]int{}
	const rounds = 4000
	for i := 0; i < rounds; i++ {
		c.raw("DEL", "s")
		c.raw("SADD", "s", "a", "b", "c", "d", "e", "f", "g", "h")
		hits[string(c.do("SPOP", "s").Str)]++
	}
	for _, m := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		if n := hits[m]; n < rounds/8/2 || n > rounds/8*2 {
			t.Errorf("SPOP returned %q %d times in %d", m, n, rounds)
		}
	}
	// Popping everything in pieces returns every member once.
	c.raw("DEL", "s")
	args := []string{"SADD", "s"}
	for i := 0; i < 300; i++ {
		args = append(args, "m"+strconv.Itoa(i))
	}
	c.raw(args...)
	got := map[string]bool{}
	for _, n := range []string{"1", "50", "200", "7", "100"} {
		for _, e := range c.do("SPOP", "s", n).Elems {
			if got[string(e.Str)] {
				t.Fatalf("%s popped twice", e.Str)
			}
			got[string(e.Str)] = true
		}
	}
	if len(got) != 300 {
		t.Fatalf("popped %d members of 300", len(got))
	}
	c.expect(":0\r\n", "EXISTS", "s")
}

// TestSetRandMemberHugeNegativeCount: a count Redis would try to build in
// memory is streamed, with no lock held, and stops when the client goes
// away; other clients are served meanwhile.
func TestSetRandMemberHugeNegativeCount(t *testing.T) {
	_, addr := startTestServer(t)
	c := dialTest(t, addr)
	c.raw("SADD", "s", "a", "b", "c")
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(nc, "*3\r\n$11\r\nSRANDMEMBER\r\n$1\r\ns\r\n$20\r\n-9223372036854775807\r\n")
	buf := make([]byte, 1<<20)
	total := 0
	for total < 8<<20 {
		n, err := nc.Read(buf)
		if err != nil {
			t.Fatalf("after %d bytes: %v", total, err)
		}
		if total == 0 && string(buf[:21]) != "*9223372036854775807\r" {
			t.Fatalf("reply starts %q", buf[:21])
		}
		total += n
	}
	// The set is not locked while the reply streams.
	c.expect(":1\r\n", "SADD", "s", "d")
	nc.Close()
	c.expect(":4\r\n", "SCARD", "s")
}

func TestSetHotPathsDoNotAllocate(t *testing.T) {
	s := &setValue{}
	members := make([][]byte, 100)
	for i := range members {
		members[i] = []byte(strconv.Itoa(i))
	}
	for _, m := range members {
		s.add(m, 512)
	}
	if n := testing.AllocsPerRun(100, func() {
		for _, m := range members {
			s.contains(m)
		}
	}); n != 0 {
		t.Errorf("intset membership allocates %v times", n)
	}
	h := &setValue{ht: newStrSet(0)}
	for _, m := range members {
		h.add(m, 512)
	}
	if n := testing.AllocsPerRun(100, func() {
		for _, m := range members {
			h.contains(m)
			h.add(m, 512) // present: nothing to store
		}
	}); n != 0 {
		t.Errorf("hashtable membership allocates %v times", n)
	}
	x := setElem{v: 42, isInt: true}
	if n := testing.AllocsPerRun(100, func() { h.containsElem(x) }); n != 0 {
		t.Errorf("integer lookup in a hashtable allocates %v times", n)
	}
}

// hookStep is a command and the hook calls it must make, in order:
// "modified KEY" for signalModifiedKey, "CLASS EVENT KEY" for
// notifyKeyspaceEvent.
type hookStep struct {
	cmd    []string
	events []string
}

// checkHooks runs steps on a new server and checks the hook calls of each.
func checkHooks(t *testing.T, steps []hookStep) {
	t.Helper()
	var (
		mu  sync.Mutex
		got []string
	)
	oldM, oldN := signalModifiedKeyHook, notifyKeyspaceEventHook
	t.Cleanup(func() { signalModifiedKeyHook, notifyKeyspaceEventHook = oldM, oldN })
	_, addr := startTestServer(t)
	c := dialTest(t, addr)
	signalModifiedKeyHook = func(db *DB, key []byte) {
		mu.Lock()
		got = append(got, "modified "+string(key))
		mu.Unlock()
	}
	notifyKeyspaceEventHook = func(_ *Server, class byte, event string, key []byte, _ int) {
		mu.Lock()
		got = append(got, string(class)+" "+event+" "+string(key))
		mu.Unlock()
	}
	for _, st := range steps {
		mu.Lock()
		got = got[:0]
		mu.Unlock()
		c.raw(st.cmd...)
		mu.Lock()
		if !slices.Equal(got, st.events) {
			t.Errorf("%q: hooks %q, want %q", st.cmd, got, st.events)
		}
		mu.Unlock()
	}
}

// TestSetKeyspaceEvents checks the hooks the set commands call against
// what redis-server 7.0.15 published with notify-keyspace-events KEA
// (recorded with PSUBSCRIBE __keyevent@0__:*), and against the
// signalModifiedKey calls of its source.
func TestSetKeyspaceEvents(t *testing.T) {
	checkHooks(t, []hookStep{
		{[]string{"SADD", "s", "1", "2", "3"}, []string{"modified s", "s sadd s"}},
		{[]string{"SADD", "s", "1"}, nil},
		{[]string{"SREM", "s", "9"}, nil},
		{[]string{"SREM", "s", "1"}, []string{"modified s", "s srem s"}},
		{[]string{"SREM", "s", "2", "3", "4"}, []string{"modified s", "s srem s", "g del s"}},
		{[]string{"SADD", "s", "a", "b", "c", "d", "e", "f"}, []string{"modified s", "s sadd s"}},
		{[]string{"SPOP", "s"}, []string{"s spop s", "modified s"}},
		{[]string{"SPOP", "s", "0"}, nil},
		{[]string{"SPOP", "s", "2"}, []string{"s spop s", "modified s"}},
		{[]string{"SPOP", "s", "10"}, []string{"s spop s", "g del s", "modified s"}},
		{[]string{"SADD", "a", "1", "2"}, []string{"modified a", "s sadd a"}},
		{[]string{"SADD", "b", "2", "3"}, []string{"modified b", "s sadd b"}},
		{[]string{"SMOVE", "a", "b", "9"}, nil},
		{[]string{"SMOVE", "a", "b", "2"}, []string{"s srem a", "modified a", "modified b"}},
		{[]string{"SMOVE", "a", "b", "1"}, []string{"s srem a", "g del a", "modified a", "modified b", "s sadd b"}},
		{[]string{"SMOVE", "b", "b", "3"}, nil},
		{[]string{"SINTERSTORE", "d", "b", "missing"}, nil},
		{[]string{"SINTERSTORE", "d", "b"}, []string{"modified d", "s sinterstore d"}},
		{[]string{"SINTERSTORE", "d", "b", "missing"}, []string{"modified d", "g del d"}},
		{[]string{"SUNIONSTORE", "u", "b"}, []string{"modified u", "s sunionstore u"}},
		{[]string{"SDIFFSTORE", "df", "b", "b"}, nil},
		{[]string{"SDIFFSTORE", "df", "b"}, []string{"modified df", "s sdiffstore df"}},
		{[]string{"SINTERCARD", "1", "b"}, nil},
		{[]string{"SMEMBERS", "b"}, nil},
		{[]string{"SRANDMEMBER", "b", "2"}, nil},
	})
}

func TestSetGoRedis(t *testing.T) {
	_, addr := startTestServer(t)
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			ctx := context.Background()
			rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, DB: proto})
			defer rdb.Close()
			if err := rdb.FlushDB(ctx).Err(); err != nil {
				t.Fatal(err)
			}
			sorted := func(s []string) []string { sort.Strings(s); return s }
			if n, err := rdb.SAdd(ctx, "s", "a", "b", "c", 1, 2).Result(); err != nil || n != 5 {
				t.Fatalf("SADD: %d %v", n, err)
			}
			if m, err := rdb.SMembers(ctx, "s").Result(); err != nil || !slices.Equal(sorted(m), []string{"1", "2", "a", "b", "c"}) {
				t.Fatalf("SMEMBERS: %q %v", m, err)
			}
			if ok, err := rdb.SIsMember(ctx, "s", "a").Result(); err != nil || !ok {
				t.Fatalf("SISMEMBER: %v %v", ok, err)
			}
			if r, err := rdb.SMIsMember(ctx, "s", "a", "z", 1).Result(); err != nil || !slices.Equal(r, []bool{true, false, true}) {
				t.Fatalf("SMISMEMBER: %v %v", r, err)
			}
			if n, err := rdb.SCard(ctx, "s").Result(); err != nil || n != 5 {
				t.Fatalf("SCARD: %d %v", n, err)
			}
			if m, err := rdb.SMembersMap(ctx, "s").Result(); err != nil || len(m) != 5 {
				t.Fatalf("SMEMBERS as a map: %v %v", m, err)
			}
			if r, err := rdb.SRandMemberN(ctx, "s", 3).Result(); err != nil || len(r) != 3 {
				t.Fatalf("SRANDMEMBER 3: %q %v", r, err)
			}
			if r, err := rdb.SRandMemberN(ctx, "s", -7).Result(); err != nil || len(r) != 7 {
				t.Fatalf("SRANDMEMBER -7: %q %v", r, err)
			}
			p, err := rdb.SPopN(ctx, "s", 2).Result()
			if err != nil || len(p) != 2 {
				t.Fatalf("SPOP 2: %q %v", p, err)
			}
			if _, err := rdb.SPop(ctx, "s").Result(); err != nil {
				t.Fatalf("SPOP: %v", err)
			}
			if _, err := rdb.SPop(ctx, "nothing").Result(); err != redis.Nil {
				t.Fatalf("SPOP of a missing key: %v", err)
			}
			rdb.SAdd(ctx, "x", "1", "2", "3", "4")
			rdb.SAdd(ctx, "y", "3", "4", "5")
			if r, err := rdb.SInter(ctx, "x", "y").Result(); err != nil || !slices.Equal(r, []string{"3", "4"}) {
				t.Fatalf("SINTER: %q %v", r, err)
			}
			if n, err := rdb.SInterCard(ctx, 1, "x", "y").Result(); err != nil || n != 1 {
				t.Fatalf("SINTERCARD LIMIT 1: %d %v", n, err)
			}
			if n, err := rdb.SInterStore(ctx, "i", "x", "y").Result(); err != nil || n != 2 {
				t.Fatalf("SINTERSTORE: %d %v", n, err)
			}
			if r, err := rdb.SUnion(ctx, "x", "y").Result(); err != nil || !slices.Equal(r, []string{"1", "2", "3", "4", "5"}) {
				t.Fatalf("SUNION: %q %v", r, err)
			}
			if n, err := rdb.SUnionStore(ctx, "u", "x", "y").Result(); err != nil || n != 5 {
				t.Fatalf("SUNIONSTORE: %d %v", n, err)
			}
			if r, err := rdb.SDiff(ctx, "x", "y").Result(); err != nil || !slices.Equal(r, []string{"1", "2"}) {
				t.Fatalf("SDIFF: %q %v", r, err)
			}
			if n, err := rdb.SDiffStore(ctx, "d", "y", "x").Result(); err != nil || n != 1 {
				t.Fatalf("SDIFFSTORE: %d %v", n, err)
			}
			if ok, err := rdb.SMove(ctx, "x", "y", "1").Result(); err != nil || !ok {
				t.Fatalf("SMOVE: %v %v", ok, err)
			}
			if n, err := rdb.SRem(ctx, "y", "1", "nope").Result(); err != nil || n != 1 {
				t.Fatalf("SREM: %d %v", n, err)
			}
			big := make([]any, 0, 1000)
			for i := 0; i < 1000; i++ {
				big = append(big, "m"+strconv.Itoa(i))
			}
			rdb.SAdd(ctx, "big", big...)
			seen := map[string]bool{}
			iter := rdb.SScan(ctx, "big", 0, "m1*", 50).Iterator()
			for iter.Next(ctx) {
				seen[iter.Val()] = true
			}
			if err := iter.Err(); err != nil || len(seen) != 111 {
				t.Fatalf("SSCAN MATCH m1*: %d members, %v", len(seen), err)
			}
			if err := rdb.Set(ctx, "str", "v", 0).Err(); err != nil {
				t.Fatal(err)
			}
			if err := rdb.SAdd(ctx, "str", "a").Err(); err == nil || err.Error() != "WRONGTYPE Operation against a key holding the wrong kind of value" {
				t.Fatalf("SADD on a string: %v", err)
			}
		})
	}
}
