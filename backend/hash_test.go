package backend

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc64"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shardis/shardis/internal/resp"
)

// The hash command tests replay sequences whose replies were recorded from
// redis-server 7.0.15 (runStringSteps, strings_test.go, explains the
// pseudo-commands ~wrongtype and ~dirty). Replies that depend on a
// hashtable's order or on chance (HRANDFIELD, HSCAN of big hashes) are
// checked by property further down.

func TestHashCommandsLikeRedis(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []stringStep
	}{
		{"HSET HMSET HSETNX HGET HMGET HEXISTS HLEN HSTRLEN", hashSetGetSteps},
		{"HDEL", hashDelSteps},
		{"HKEYS HVALS HGETALL", hashGetAllSteps},
		{"HINCRBY HINCRBYFLOAT", hashIncrSteps},
		{"encodings", hashEncodingSteps},
		{"HRANDFIELD", hashRandFieldSteps},
		{"HSCAN", hashScanSteps},
	} {
		t.Run(tc.name, func(t *testing.T) { runStringSteps(t, DefaultOptions(), tc.steps) })
	}
}

func TestHashHotPathsDoNotAllocate(t *testing.T) {
	h := newHandlerBench(t)
	h.run(argv("hset", "h", "f1", "value-1", "f2", "value-2", "n", "1000"))
	h.run(argv("hset", "big", strings.Repeat("x", 100), "v"))
	h.run(argv("hset", "big", "f", "v"))
	for _, tc := range []struct {
		name string
		args [][]byte
	}{
		{"HSET existing", argv("hset", "h", "f2", "value-3")},
		{"HSET longer then shorter", argv("hset", "h", "f1", "value-1-longer", "f1", "v")},
		{"HGET", argv("hget", "h", "f2")},
		{"HGET hashtable", argv("hget", "big", "f")},
		{"HMGET", argv("hmget", "h", "f1", "nosuch", "n")},
		{"HEXISTS", argv("hexists", "h", "f1")},
		{"HLEN", argv("hlen", "h")},
		{"HSTRLEN", argv("hstrlen", "h", "f2")},
		{"HINCRBY", argv("hincrby", "h", "n", "1")},
		{"HGETALL", argv("hgetall", "h")},
		{"HRANDFIELD", argv("hrandfield", "h")},
	} {
		if n := testing.AllocsPerRun(200, func() { h.run(tc.args) }); n != 0 {
			t.Errorf("%s: %v allocations per command, want 0", tc.name, n)
		}
	}
}

func BenchmarkHashHandlers(b *testing.B) {
	h := newHandlerBench(b)
	h.run(argv("hset", "myhash", "element:__rand_int__", "xxx", "f", "1000"))
	var big []string
	for i := range 1000 {
		big = append(big, "field:"+strconv.Itoa(i), "value")
	}
	h.run(argv(append([]string{"hset", "big"}, big...)...))
	for _, bc := range []struct {
		name string
		args [][]byte
	}{
		{"HSET", argv("hset", "myhash", "element:__rand_int__", "xxx")},
		{"HGET", argv("hget", "myhash", "element:__rand_int__")},
		{"HINCRBY", argv("hincrby", "myhash", "f", "1")},
		{"HSET hashtable", argv("hset", "big", "field:500", "value")},
		{"HGET hashtable", argv("hget", "big", "field:500")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				h.run(bc.args)
			}
		})
	}
}

// hashPairs parses an HGETALL, HSCAN or HRANDFIELD ... WITHVALUES reply:
// flat or, in RESP3, a map or an array of [field, value] arrays.
func hashPairs(t *testing.T, v resp.Value) [][2]string {
	t.Helper()
	var out [][2]string
	elems := v.Elems
	for i := 0; i < len(elems); {
		if len(elems[i].Elems) == 2 {
			out = append(out, [2]string{string(elems[i].Elems[0].Str), string(elems[i].Elems[1].Str)})
			i++
			continue
		}
		if i+1 >= len(elems) {
			t.Fatalf("odd number of elements in %v", v)
		}
		out = append(out, [2]string{string(elems[i].Str), string(elems[i+1].Str)})
		i += 2
	}
	return out
}

// fillHash gives key n fields "f<i>" with values "v<i>" (a hashtable
// beyond 512) and returns the expected contents.
func fillHash(t *testing.T, c *testConn, key string, n int) map[string]string {
	t.Helper()
	want := map[string]string{}
	args := []string{"HSET", key}
	for i := range n {
		f, v := "f"+strconv.Itoa(i), "v"+strconv.Itoa(i)
		want[f] = v
		args = append(args, f, v)
	}
	c.expect(":"+strconv.Itoa(n)+"\r\n", args...)
	return want
}

func TestHashScanReturnsEveryFieldPresentThroughout(t *testing.T) {
	_, addr := startTestServer(t)
	c := dialTest(t, addr)
	stable := fillHash(t, c, "h", 1000)
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "h")
	for _, count := range []string{"1", "7", "100"} {
		seen := map[string]string{}
		cursor, calls := "0", 0
		extra := 0
		for {
			v := c.do("HSCAN", "h", cursor, "COUNT", count)
			if len(v.Elems) != 2 {
				t.Fatalf("HSCAN reply %v", v)
			}
			for _, p := range hashPairs(t, v.Elems[1]) {
				seen[p[0]] = p[1]
			}
			cursor = string(v.Elems[0].Str)
			if cursor == "0" {
				break
			}
			if calls++; calls > 100000 {
				t.Fatal("HSCAN did not finish")
			}
			// The table grows and shrinks under the scan: fields come and
			// go that are not part of the stable set.
			if calls%3 == 0 {
				for range 20 {
					c.do("HSET", "h", "x"+strconv.Itoa(extra), "tmp")
					extra++
				}
			} else if calls%3 == 1 && extra > 0 {
				for i := max(0, extra-20); i < extra; i++ {
					c.do("HDEL", "h", "x"+strconv.Itoa(i))
				}
			}
		}
		for f, v := range stable {
			if seen[f] != v {
				t.Errorf("COUNT %s: field %s seen as %q, want %q", count, f, seen[f], v)
			}
		}
		for i := range extra {
			c.do("HDEL", "h", "x"+strconv.Itoa(i))
		}
	}
	// MATCH filters after the buckets are gathered.
	seen := 0
	for cursor := "0"; ; {
		v := c.do("HSCAN", "h", cursor, "MATCH", "f9*")
		for _, p := range hashPairs(t, v.Elems[1]) {
			if !strings.HasPrefix(p[0], "f9") {
				t.Errorf("MATCH f9* returned %s", p[0])
			}
			seen++
		}
		if cursor = string(v.Elems[0].Str); cursor == "0" {
			break
		}
	}
	if seen != 111 {
		t.Errorf("MATCH f9* found %d fields, want 111", seen)
	}
}

func TestHashRandFieldProperties(t *testing.T) {
	_, addr := startTestServer(t)
	c := dialTest(t, addr)
	hashes := map[string]map[string]string{
		"small": fillHash(t, c, "small", 10),
		"big":   fillHash(t, c, "big", 600),
	}
	for _, proto := range []string{"2", "3"} {
		c.raw("HELLO", proto)
		for key, want := range hashes {
			v := c.do("HRANDFIELD", key)
			if _, ok := want[string(v.Str)]; !ok {
				t.Errorf("HRANDFIELD %s: %q is not a field", key, v.Str)
			}
			size := len(want)
			for _, count := range []int{1, 2, 3, size / 3, size/3 + 1, size - 1, size, size + 5, -1, -7, -3 * size} {
				for _, withValues := range []bool{false, true} {
					args := []string{"HRANDFIELD", key, strconv.Itoa(count)}
					if withValues {
						args = append(args, "WITHVALUES")
					}
					v := c.do(args...)
					var fields []string
					if withValues {
						if proto == "3" && len(v.Elems) > 0 && v.Elems[0].Type != '*' {
							t.Fatalf("%v: RESP3 pairs are not arrays: %v", args, v)
						}
						for _, p := range hashPairs(t, v) {
							if want[p[0]] != p[1] {
								t.Errorf("%v: field %q with value %q, want %q", args, p[0], p[1], want[p[0]])
							}
							fields = append(fields, p[0])
						}
					} else {
						for _, e := range v.Elems {
							if _, ok := want[string(e.Str)]; !ok {
								t.Errorf("%v: %q is not a field", args, e.Str)
							}
							fields = append(fields, string(e.Str))
						}
					}
					wantLen := min(count, size)
					if count < 0 {
						wantLen = -count
					}
					if len(fields) != wantLen {
						t.Errorf("%v: %d fields, want %d", args, len(fields), wantLen)
					}
					if count > 0 {
						distinct := map[string]bool{}
						for _, f := range fields {
							distinct[f] = true
						}
						if len(distinct) != len(fields) {
							t.Errorf("%v: repeated fields %v", args, fields)
						}
					}
				}
			}
		}
	}
	// Every field of a small hash comes up in a large negative sample.
	c.raw("HELLO", "2")
	seen := map[string]bool{}
	for _, e := range c.do("HRANDFIELD", "small", "-1000").Elems {
		seen[string(e.Str)] = true
	}
	if len(seen) != 10 {
		t.Errorf("HRANDFIELD small -1000 returned %d distinct fields, want 10", len(seen))
	}
}

func TestHashRandFieldHugeCountClosesConnection(t *testing.T) {
	defer func(old int) { hrandReplyCap = old }(hrandReplyCap)
	hrandReplyCap = 1 << 20
	_, addr := startTestServer(t)
	c := dialTest(t, addr)
	c.expect(":1\r\n", "HSET", "h", "f", "v")
	c.nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.nc.Write(resp.AppendCommand(nil, "HRANDFIELD", "h", "-9223372036854775807")); err != nil {
		t.Fatal(err)
	}
	if b, err := c.rr.ReadRaw(); err == nil {
		t.Fatalf("got a reply of %d bytes, want the connection closed", len(b))
	}
	other := dialTest(t, addr)
	other.expect("$1\r\nf\r\n", "HRANDFIELD", "h")
}

func TestHashDumpRestoreCopy(t *testing.T) {
	_, addr := startTestServer(t)
	c := dialTest(t, addr)
	c.expect(":3\r\n", "HSET", "small", "z", "1", "a", "2", "m", "3")
	want := fillHash(t, c, "big", 700)
	for _, key := range []string{"small", "big"} {
		p := c.do("DUMP", key)
		c.expect("+OK\r\n", "RESTORE", key+":r", "0", string(p.Str))
		c.expect(":1\r\n", "COPY", key, key+":c")
	}
	// A listpack keeps its order through DUMP, RESTORE and COPY.
	order := "*6\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nm\r\n$1\r\n3\r\n"
	for _, key := range []string{"small", "small:r", "small:c"} {
		c.expect(order, "HGETALL", key)
		c.expect("$8\r\nlistpack\r\n", "OBJECT", "ENCODING", key)
	}
	for _, key := range []string{"big:r", "big:c"} {
		c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", key)
		got := map[string]string{}
		for _, p := range hashPairs(t, c.do("HGETALL", key)) {
			got[p[0]] = p[1]
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: contents differ from the original", key)
		}
	}
	// The copy is independent of its source.
	c.expect(":1\r\n", "HDEL", "small:c", "z")
	c.expect(":3\r\n", "HLEN", "small")
	c.expect(":0\r\n", "HSET", "big:c", "f1", "changed")
	c.expect("$2\r\nv1\r\n", "HGET", "big", "f1")
	// RESTORE gives the encoding redis-server 7.0.15 gives a loaded hash:
	// a listpack payload is converted only for its number of fields, a
	// hashtable's payload also for a field or value too long.
	big := c.do("DUMP", "big")
	small := c.do("DUMP", "small")
	c.expect("+OK\r\n", "CONFIG", "SET", "hash-max-listpack-entries", "1000")
	c.expect("+OK\r\n", "RESTORE", "big:lp", "0", string(big.Str))
	c.expect("$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "big:lp")
	c.expect(":700\r\n", "HLEN", "big:lp")
	c.expect("+OK\r\n", "CONFIG", "SET", "hash-max-listpack-value", "3")
	c.expect("+OK\r\n", "RESTORE", "big:ht", "0", string(big.Str))
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "big:ht")
	c.expect("+OK\r\n", "CONFIG", "SET", "hash-max-listpack-value", "0")
	c.expect("+OK\r\n", "RESTORE", "small:v", "0", string(small.Str))
	c.expect("$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "small:v")
	c.expect("+OK\r\n", "CONFIG", "SET", "hash-max-listpack-value", "64")
	c.expect("+OK\r\n", "CONFIG", "SET", "hash-max-listpack-entries", "2")
	c.expect("+OK\r\n", "RESTORE", "small:ht", "0", string(small.Str))
	c.expect("$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "small:ht")
	c.expect("+OK\r\n", "CONFIG", "SET", "hash-max-listpack-entries", "512")

	// Malformed bodies are refused: a field twice, no fields, an unknown
	// encoding.
	body := func(enc, n uint64, kv ...string) []byte {
		b := dumpAppendUvarint(dumpAppendUvarint(nil, enc), n)
		for _, s := range kv {
			b = dumpAppendBytes(b, []byte(s))
		}
		return b
	}
	for _, bad := range [][]byte{
		body(hashDumpListpack, 2, "a", "1", "a", "2"),
		body(hashDumpTable, 0),
		body(2, 1, "a", "1"),
		body(hashDumpListpack, 2, "a", "1"),
	} {
		c.expect("-ERR Bad data format\r\n", "RESTORE", "bad", "0", string(hashPayload(bad)))
	}
	var many []string
	for i := range 100 {
		many = append(many, "f"+strconv.Itoa(i%99), "v")
	}
	c.expect("-ERR Bad data format\r\n", "RESTORE", "bad", "0", string(hashPayload(body(hashDumpTable, 100, many...))))
	c.expect("+OK\r\n", "RESTORE", "good", "0", string(hashPayload(body(hashDumpTable, 1, "a", "1"))))
	c.expect("*2\r\n$1\r\na\r\n$1\r\n1\r\n", "HGETALL", "good")
	c.expect("$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "good")
}

// hashPayload wraps a hash dump body in DUMP's framing.
func hashPayload(body []byte) []byte {
	b := append([]byte{dumpTagHash}, body...)
	b = binary.LittleEndian.AppendUint16(b, dumpVersion)
	return binary.LittleEndian.AppendUint64(b, crc64.Checksum(b, dumpCRCTable))
}

// hashEvent is one call of a hook.
type hashEvent struct {
	hook, event, key string
	class            byte
}

func TestHashKeyspaceEvents(t *testing.T) {
	var (
		mu  sync.Mutex
		got []hashEvent
	)
	oldM, oldN := signalModifiedKeyHook, notifyKeyspaceEventHook
	t.Cleanup(func() { signalModifiedKeyHook, notifyKeyspaceEventHook = oldM, oldN })
	_, addr := startTestServer(t)
	c := dialTest(t, addr)
	signalModifiedKeyHook = func(db *DB, key []byte) {
		mu.Lock()
		got = append(got, hashEvent{hook: "modified", key: string(key)})
		mu.Unlock()
	}
	notifyKeyspaceEventHook = func(_ *Server, class byte, event string, key []byte, _ int) {
		mu.Lock()
		got = append(got, hashEvent{hook: "notify", event: event, key: string(key), class: class})
		mu.Unlock()
	}
	// The events redis-server 7.0.15 published (notify-keyspace-events KEA)
	// for this sequence: hset hset hset hincrby hincrbyfloat hdel hdel del
	// hset hset; the commands that change nothing publish nothing.
	for _, cmd := range [][]string{
		{"HSET", "h", "a", "1"}, {"HMSET", "h", "b", "2"}, {"HSETNX", "h", "c", "3"}, {"HSETNX", "h", "c", "3"},
		{"HINCRBY", "h", "a", "1"}, {"HINCRBYFLOAT", "h", "a", "1"}, {"HDEL", "h", "x"}, {"HDEL", "h", "a", "b"},
		{"HDEL", "h", "c"}, {"HSET", "h", "a", "1"}, {"HSET", "h", "a", "1"},
		{"HINCRBY", "h", "a", "x"}, {"HSET", "h", "s", "x"}, {"HINCRBY", "h", "s", "1"}, {"HINCRBYFLOAT", "h", "s", "1"},
	} {
		c.raw(cmd...)
	}
	var events []string
	mu.Lock()
	defer mu.Unlock()
	for _, e := range got {
		if e.key != "h" {
			t.Errorf("event for key %q", e.key)
		}
		switch {
		case e.hook == "modified":
			events = append(events, "modified")
		case e.event == "del" && e.class == notifyGeneric, e.event != "del" && e.class == notifyHash:
			events = append(events, e.event)
		default:
			t.Errorf("event %q in class %q", e.event, e.class)
		}
	}
	want := "modified hset modified hset modified hset modified hincrby modified hincrbyfloat " +
		"modified hdel modified hdel del modified hset modified hset modified hset"
	if strings.Join(events, " ") != want {
		t.Errorf("events\n got %s\nwant %s", strings.Join(events, " "), want)
	}
}

func TestHashGoRedis(t *testing.T) {
	_, addr := startTestServer(t)
	ctx := context.Background()
	for _, proto := range []int{3, 2} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, DB: proto})
			defer rdb.Close()
			if n, err := rdb.HSet(ctx, "h", "a", "1", "b", "2", "c", "3").Result(); err != nil || n != 3 {
				t.Fatalf("HSET: %d, %v", n, err)
			}
			if n, err := rdb.HSet(ctx, "h", map[string]any{"a": "10", "d": "4"}).Result(); err != nil || n != 1 {
				t.Fatalf("HSET map: %d, %v", n, err)
			}
			if ok, err := rdb.HMSet(ctx, "h", "e", "5").Result(); err != nil || !ok {
				t.Fatalf("HMSET: %v, %v", ok, err)
			}
			if ok, err := rdb.HSetNX(ctx, "h", "a", "x").Result(); err != nil || ok {
				t.Fatalf("HSETNX existing: %v, %v", ok, err)
			}
			if v, err := rdb.HGet(ctx, "h", "a").Result(); err != nil || v != "10" {
				t.Fatalf("HGET: %q, %v", v, err)
			}
			if _, err := rdb.HGet(ctx, "h", "nosuch").Result(); err != redis.Nil {
				t.Fatalf("HGET missing: %v, want redis.Nil", err)
			}
			if vs, err := rdb.HMGet(ctx, "h", "b", "nosuch", "e").Result(); err != nil || fmt.Sprint(vs) != "[2 <nil> 5]" {
				t.Fatalf("HMGET: %v, %v", vs, err)
			}
			all, err := rdb.HGetAll(ctx, "h").Result()
			if err != nil || fmt.Sprint(all) != "map[a:10 b:2 c:3 d:4 e:5]" {
				t.Fatalf("HGETALL: %v, %v", all, err)
			}
			if ks, err := rdb.HKeys(ctx, "h").Result(); err != nil || strings.Join(ks, ",") != "a,b,c,d,e" {
				t.Fatalf("HKEYS: %v, %v", ks, err)
			}
			if vs, err := rdb.HVals(ctx, "h").Result(); err != nil || strings.Join(vs, ",") != "10,2,3,4,5" {
				t.Fatalf("HVALS: %v, %v", vs, err)
			}
			if n, err := rdb.HIncrBy(ctx, "h", "a", -15).Result(); err != nil || n != -5 {
				t.Fatalf("HINCRBY: %d, %v", n, err)
			}
			if f, err := rdb.HIncrByFloat(ctx, "h", "a", 10.5).Result(); err != nil || f != 5.5 {
				t.Fatalf("HINCRBYFLOAT: %v, %v", f, err)
			}
			if ok, err := rdb.HExists(ctx, "h", "a").Result(); err != nil || !ok {
				t.Fatalf("HEXISTS: %v, %v", ok, err)
			}
			if n, err := rdb.HLen(ctx, "h").Result(); err != nil || n != 5 {
				t.Fatalf("HLEN: %d, %v", n, err)
			}
			if n, err := rdb.HStrLen(ctx, "h", "a").Result(); err != nil || n != 3 {
				t.Fatalf("HSTRLEN: %d, %v", n, err)
			}
			kvs, err := rdb.HRandFieldWithValues(ctx, "h", 3).Result()
			if err != nil || len(kvs) != 3 {
				t.Fatalf("HRANDFIELD WITHVALUES: %v, %v", kvs, err)
			}
			for _, kv := range kvs {
				if all[kv.Key] == "" {
					t.Errorf("HRANDFIELD WITHVALUES: %q is not a field", kv.Key)
				}
			}
			if fs, err := rdb.HRandField(ctx, "h", -8).Result(); err != nil || len(fs) != 8 {
				t.Fatalf("HRANDFIELD -8: %v, %v", fs, err)
			}
			if n, err := rdb.HDel(ctx, "h", "a", "b", "nosuch").Result(); err != nil || n != 2 {
				t.Fatalf("HDEL: %d, %v", n, err)
			}
			var big []any
			for i := range 1000 {
				big = append(big, "f"+strconv.Itoa(i), i)
			}
			if err := rdb.HSet(ctx, "big", big...).Err(); err != nil {
				t.Fatal(err)
			}
			seen := map[string]string{}
			it := rdb.HScan(ctx, "big", 0, "f1*", 50).Iterator()
			for it.Next(ctx) {
				f := it.Val()
				if !it.Next(ctx) {
					t.Fatal("HSCAN: a field without its value")
				}
				seen[f] = it.Val()
			}
			if err := it.Err(); err != nil || len(seen) != 111 || seen["f123"] != "123" {
				t.Fatalf("HSCAN: %d fields, f123=%q, %v", len(seen), seen["f123"], err)
			}
			if err := rdb.Set(ctx, "s", "x", 0).Err(); err != nil {
				t.Fatal(err)
			}
			if err := rdb.HGet(ctx, "s", "a").Err(); err == nil || !strings.HasPrefix(err.Error(), "WRONGTYPE") {
				t.Fatalf("HGET on a string: %v", err)
			}
		})
	}
}

// Recorded from redis-server 7.0.15.

var hashDelSteps = []stringStep{
	{[]string{"HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4"}, ":4\r\n"},
	{[]string{"HDEL", "h", "a"}, ":1\r\n"},
	{[]string{"HDEL", "h", "a"}, ":0\r\n"},
	{[]string{"HDEL", "h", "b", "b", "nosuch"}, ":1\r\n"},
	{[]string{"~dirty"}, "6"},
	{[]string{"HGETALL", "h"}, "*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"},
	{[]string{"HDEL", "h", "c", "d", "e"}, ":2\r\n"},
	{[]string{"~dirty"}, "2"},
	{[]string{"EXISTS", "h"}, ":0\r\n"},
	{[]string{"HDEL", "h", "a"}, ":0\r\n"},
	{[]string{"HDEL", "nokey", "a"}, ":0\r\n"},
	{[]string{"HDEL", "h"}, "-ERR wrong number of arguments for 'hdel' command\r\n"},
	{[]string{"HSET", "h", "x", "1"}, ":1\r\n"},
	{[]string{"HDEL", "h", "x", "x"}, ":1\r\n"},
	{[]string{"EXISTS", "h"}, ":0\r\n"},
	{[]string{"HSET", "h", "x", "1", "y", "2", "z", "3"}, ":3\r\n"},
	{[]string{"HDEL", "h", "y"}, ":1\r\n"},
	{[]string{"HSET", "h", "y", "5"}, ":1\r\n"},
	{[]string{"HGETALL", "h"}, "*6\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\nz\r\n$1\r\n3\r\n$1\r\ny\r\n$1\r\n5\r\n"},
	{[]string{"HKEYS", "h"}, "*3\r\n$1\r\nx\r\n$1\r\nz\r\n$1\r\ny\r\n"},
	{[]string{"HVALS", "h"}, "*3\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n"},
	{[]string{"~wrongtype", "w"}, ""},
	{[]string{"HDEL", "w", "a"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"~dirty"}, "0"},
}

var hashEncodingSteps = []stringStep{
	{[]string{"HSET", "h", "a", "1"}, ":1\r\n"},
	{[]string{"OBJECT", "ENCODING", "h"}, "$8\r\nlistpack\r\n"},
	{[]string{"HSET", "h", "b", strings.Repeat("y", 64)}, ":1\r\n"},
	{[]string{"OBJECT", "ENCODING", "h"}, "$8\r\nlistpack\r\n"},
	{[]string{"HSET", "h", "c", strings.Repeat("x", 65)}, ":1\r\n"},
	{[]string{"OBJECT", "ENCODING", "h"}, "$9\r\nhashtable\r\n"},
	{[]string{"HDEL", "h", "c"}, ":1\r\n"},
	{[]string{"OBJECT", "ENCODING", "h"}, "$9\r\nhashtable\r\n"},
	{[]string{"HSET", "k", strings.Repeat("x", 65), "1"}, ":1\r\n"},
	{[]string{"OBJECT", "ENCODING", "k"}, "$9\r\nhashtable\r\n"},
	{[]string{"HSET", "s", "a", "1"}, ":1\r\n"},
	{[]string{"HSETNX", "s", "a", strings.Repeat("x", 65)}, ":0\r\n"},
	{[]string{"OBJECT", "ENCODING", "s"}, "$8\r\nlistpack\r\n"},
	{[]string{"HSETNX", "s", "b", strings.Repeat("x", 65)}, ":1\r\n"},
	{[]string{"OBJECT", "ENCODING", "s"}, "$9\r\nhashtable\r\n"},
	{[]string{"HINCRBY", "i", strings.Repeat("x", 65), "1"}, ":1\r\n"},
	{[]string{"OBJECT", "ENCODING", "i"}, "$9\r\nhashtable\r\n"},
	{[]string{"HSET", "f", "a", "1"}, ":1\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "a", "1e100"}, "$100\r\n9999999999999999999669353532207342619498699019828496079271391541752018669482644324418977840117055488\r\n"},
	{[]string{"OBJECT", "ENCODING", "f"}, "$9\r\nhashtable\r\n"},
	{[]string{"HGET", "f", "a"}, "$100\r\n9999999999999999999669353532207342619498699019828496079271391541752018669482644324418977840117055488\r\n"},
	{[]string{"HSET", "e", "a", "1"}, ":1\r\n"},
	{[]string{"CONFIG", "SET", "hash-max-listpack-entries", "2"}, "+OK\r\n"},
	{[]string{"HSET", "e", "b", "2"}, ":1\r\n"},
	{[]string{"OBJECT", "ENCODING", "e"}, "$8\r\nlistpack\r\n"},
	{[]string{"HSET", "e", "c", "3"}, ":1\r\n"},
	{[]string{"OBJECT", "ENCODING", "e"}, "$9\r\nhashtable\r\n"},
	{[]string{"HDEL", "e", "c", "b"}, ":2\r\n"},
	{[]string{"OBJECT", "ENCODING", "e"}, "$9\r\nhashtable\r\n"},
	{[]string{"HSET", "u", "a", "1", "b", "2"}, ":2\r\n"},
	{[]string{"HSETNX", "u", "a", "2"}, ":0\r\n"},
	{[]string{"OBJECT", "ENCODING", "u"}, "$8\r\nlistpack\r\n"},
	{[]string{"CONFIG", "SET", "hash-max-listpack-entries", "1"}, "+OK\r\n"},
	{[]string{"HSETNX", "u", "a", "2"}, ":0\r\n"},
	{[]string{"OBJECT", "ENCODING", "u"}, "$8\r\nlistpack\r\n"},
	{[]string{"HEXISTS", "u", "b"}, ":1\r\n"},
	{[]string{"OBJECT", "ENCODING", "u"}, "$8\r\nlistpack\r\n"},
	{[]string{"HINCRBY", "u", "a", "1"}, ":2\r\n"},
	{[]string{"OBJECT", "ENCODING", "u"}, "$9\r\nhashtable\r\n"},
	{[]string{"HSET", "v", "a", "1"}, ":1\r\n"},
	{[]string{"OBJECT", "ENCODING", "v"}, "$8\r\nlistpack\r\n"},
	{[]string{"HSET", "v", "a", "2"}, ":0\r\n"},
	{[]string{"OBJECT", "ENCODING", "v"}, "$8\r\nlistpack\r\n"},
	{[]string{"CONFIG", "SET", "hash-max-listpack-entries", "0"}, "+OK\r\n"},
	{[]string{"HSET", "z", "a", "b"}, ":1\r\n"},
	{[]string{"OBJECT", "ENCODING", "z"}, "$9\r\nhashtable\r\n"},
	{[]string{"CONFIG", "SET", "hash-max-listpack-entries", "512"}, "+OK\r\n"},
	{[]string{"CONFIG", "SET", "hash-max-listpack-value", "0"}, "+OK\r\n"},
	{[]string{"HSET", "y", "a", "b"}, ":1\r\n"},
	{[]string{"OBJECT", "ENCODING", "y"}, "$9\r\nhashtable\r\n"},
	{[]string{"HSET", "x", "", ""}, ":1\r\n"},
	{[]string{"OBJECT", "ENCODING", "x"}, "$8\r\nlistpack\r\n"},
	{[]string{"CONFIG", "SET", "hash-max-listpack-value", "64"}, "+OK\r\n"},
	{[]string{"COPY", "h", "hcopy"}, ":1\r\n"},
	{[]string{"OBJECT", "ENCODING", "hcopy"}, "$9\r\nhashtable\r\n"},
	{[]string{"COPY", "x", "xcopy"}, ":1\r\n"},
	{[]string{"OBJECT", "ENCODING", "xcopy"}, "$8\r\nlistpack\r\n"},
	{[]string{"HGETALL", "xcopy"}, "*2\r\n$0\r\n\r\n$0\r\n\r\n"},
}

var hashGetAllSteps = []stringStep{
	{[]string{"HSET", "h", "z", "1", "a", "2", "m", "3"}, ":3\r\n"},
	{[]string{"HKEYS", "h"}, "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nm\r\n"},
	{[]string{"HVALS", "h"}, "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"},
	{[]string{"HGETALL", "h"}, "*6\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nm\r\n$1\r\n3\r\n"},
	{[]string{"HSET", "h", "a", "20", "b", "30"}, ":1\r\n"},
	{[]string{"HGETALL", "h"}, "*8\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\na\r\n$2\r\n20\r\n$1\r\nm\r\n$1\r\n3\r\n$1\r\nb\r\n$2\r\n30\r\n"},
	{[]string{"HKEYS", "nokey"}, "*0\r\n"},
	{[]string{"HVALS", "nokey"}, "*0\r\n"},
	{[]string{"HGETALL", "nokey"}, "*0\r\n"},
	{[]string{"HKEYS", "h", "x"}, "-ERR wrong number of arguments for 'hkeys' command\r\n"},
	{[]string{"HGETALL"}, "-ERR wrong number of arguments for 'hgetall' command\r\n"},
	{[]string{"~wrongtype", "w"}, ""},
	{[]string{"HKEYS", "w"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"HVALS", "w"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"HGETALL", "w"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"HSET", "n", "1", "one", "2", "two", "-3", "minus", "9223372036854775807", "max", "01", "lead"}, ":5\r\n"},
	{[]string{"HGETALL", "n"}, "*10\r\n$1\r\n1\r\n$3\r\none\r\n$1\r\n2\r\n$3\r\ntwo\r\n$2\r\n-3\r\n$5\r\nminus\r\n$19\r\n9223372036854775807\r\n$3\r\nmax\r\n$2\r\n01\r\n$4\r\nlead\r\n"},
	{[]string{"hello", "3"}, ""},
	{[]string{"HGETALL", "h"}, "%4\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\na\r\n$2\r\n20\r\n$1\r\nm\r\n$1\r\n3\r\n$1\r\nb\r\n$2\r\n30\r\n"},
	{[]string{"HGETALL", "nokey"}, "%0\r\n"},
	{[]string{"HKEYS", "h"}, "*4\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nm\r\n$1\r\nb\r\n"},
	{[]string{"HVALS", "nokey"}, "*0\r\n"},
	{[]string{"HGETALL", "n"}, "%5\r\n$1\r\n1\r\n$3\r\none\r\n$1\r\n2\r\n$3\r\ntwo\r\n$2\r\n-3\r\n$5\r\nminus\r\n$19\r\n9223372036854775807\r\n$3\r\nmax\r\n$2\r\n01\r\n$4\r\nlead\r\n"},
	{[]string{"hello", "2"}, ""},
}

var hashIncrSteps = []stringStep{
	{[]string{"HINCRBY", "h", "a", "1"}, ":1\r\n"},
	{[]string{"HINCRBY", "h", "a", "10"}, ":11\r\n"},
	{[]string{"HINCRBY", "h", "a", "-100"}, ":-89\r\n"},
	{[]string{"HINCRBY", "h", "a", "x"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"HINCRBY", "h", "a", "1.5"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"HINCRBY", "h", "a", " 1"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"HINCRBY", "h", "a", "9223372036854775808"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"HINCRBY", "nokey", "a", "x"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"EXISTS", "nokey"}, ":0\r\n"},
	{[]string{"HSET", "h", "s", "abc", "n", "9223372036854775807", "m", "-9223372036854775808", "sp", " 5", "p", "+5", "z", "05"}, ":6\r\n"},
	{[]string{"HINCRBY", "h", "s", "1"}, "-ERR hash value is not an integer\r\n"},
	{[]string{"HINCRBY", "h", "n", "1"}, "-ERR increment or decrement would overflow\r\n"},
	{[]string{"HINCRBY", "h", "n", "0"}, ":9223372036854775807\r\n"},
	{[]string{"HINCRBY", "h", "n", "-1"}, ":9223372036854775806\r\n"},
	{[]string{"HINCRBY", "h", "m", "-1"}, "-ERR increment or decrement would overflow\r\n"},
	{[]string{"HINCRBY", "h", "m", "1"}, ":-9223372036854775807\r\n"},
	{[]string{"HINCRBY", "h", "sp", "1"}, "-ERR hash value is not an integer\r\n"},
	{[]string{"HINCRBY", "h", "p", "1"}, "-ERR hash value is not an integer\r\n"},
	{[]string{"HINCRBY", "h", "z", "1"}, "-ERR hash value is not an integer\r\n"},
	{[]string{"HINCRBY", "h", "new", "-9223372036854775808"}, ":-9223372036854775808\r\n"},
	{[]string{"HINCRBY", "h", "new", "-1"}, "-ERR increment or decrement would overflow\r\n"},
	{[]string{"~dirty"}, "13"},
	{[]string{"HINCRBYFLOAT", "f", "a", "1.5"}, "$3\r\n1.5\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "a", "0.1"}, "$3\r\n1.6\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "a", "-1.6"}, "$1\r\n0\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "b", "10.5"}, "$4\r\n10.5\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "b", "0.1"}, "$4\r\n10.6\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "c", "0.3"}, "$3\r\n0.3\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "c", "1e17"}, "$25\r\n100000000000000000.296875\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "d", "3.0e3"}, "$4\r\n3000\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "d", "1e-5"}, "$22\r\n3000.00001000000000007\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "e", "5.0e3"}, "$4\r\n5000\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "e", "2.0e2"}, "$4\r\n5200\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "g", "0x10"}, "$2\r\n16\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "g", "0x1p-2"}, "$5\r\n16.25\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "h", "1e308"}, "$308\r\n99999999999999999996685879655845645660560099847415567207797047994921734868838061872100126921888539320446747225054013223152134749593960583597420814430196418767959100019603190778663109604507106667939153395788938914560543563061268364901618630217086589253444881623791300855757318142424510452728255046343928578048\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "h", "1e308"}, "$309\r\n199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "i", "17976931348623157e292"}, "$309\r\n179769313486231569995921046774104434048386446944329178485314420765176628523124396354701868608387085564428793419425520689308708363451136055357897278026477617073498977686288394835618163294045594434929537447290627480669417384648879122776218333598953852832103282504751611691208117720159985926376802466863339536384\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "j", "-0"}, "$1\r\n0\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "k", "1e-4950"}, "$1\r\n0\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "l", "1e400"}, "$401\r\n10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "a", "abc"}, "-ERR value is not a valid float\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "a", ""}, "-ERR value is not a valid float\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "a", "inf"}, "-ERR value is NaN or Infinity\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "a", "-infinity"}, "-ERR value is NaN or Infinity\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "a", "nan"}, "-ERR value is not a valid float\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "a", " 1"}, "-ERR value is not a valid float\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "a", "1 "}, "-ERR value is not a valid float\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "a", "1e99999"}, "-ERR value is not a valid float\r\n"},
	{[]string{"HINCRBYFLOAT", "nokey2", "a", "x"}, "-ERR value is not a valid float\r\n"},
	{[]string{"EXISTS", "nokey2"}, ":0\r\n"},
	{[]string{"HSET", "f", "s", "abc", "inf", "inf", "sp", " 2", "int", "12345678901234567890"}, ":4\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "s", "1"}, "-ERR hash value is not a float\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "inf", "1"}, "-ERR increment would produce NaN or Infinity\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "sp", "1"}, "-ERR hash value is not a float\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "int", "1"}, "$20\r\n12345678901234567891\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "n1", "5"}, "$1\r\n5\r\n"},
	{[]string{"HINCRBY", "f", "n1", "1"}, ":6\r\n"},
	{[]string{"HINCRBYFLOAT", "f", "n2", "5.5"}, "$3\r\n5.5\r\n"},
	{[]string{"HINCRBY", "f", "n2", "1"}, "-ERR hash value is not an integer\r\n"},
	{[]string{"~dirty"}, "27"},
	{[]string{"HLEN", "f"}, ":17\r\n"},
	{[]string{"HMGET", "f", "a", "b", "c", "d", "e", "g", "h", "i", "j", "k", "l", "s", "inf", "sp", "int", "n1", "n2"}, "*17\r\n$1\r\n0\r\n$4\r\n10.6\r\n$25\r\n100000000000000000.296875\r\n$22\r\n3000.00001000000000007\r\n$4\r\n5200\r\n$5\r\n16.25\r\n$309\r\n199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096\r\n$309\r\n179769313486231569995921046774104434048386446944329178485314420765176628523124396354701868608387085564428793419425520689308708363451136055357897278026477617073498977686288394835618163294045594434929537447290627480669417384648879122776218333598953852832103282504751611691208117720159985926376802466863339536384\r\n$1\r\n0\r\n$1\r\n0\r\n$401\r\n10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880\r\n$3\r\nabc\r\n$3\r\ninf\r\n$2\r\n 2\r\n$20\r\n12345678901234567891\r\n$1\r\n6\r\n$3\r\n5.5\r\n"},
	{[]string{"OBJECT", "ENCODING", "f"}, "$9\r\nhashtable\r\n"},
	{[]string{"HINCRBY", "h"}, "-ERR wrong number of arguments for 'hincrby' command\r\n"},
	{[]string{"HINCRBY", "h", "a"}, "-ERR wrong number of arguments for 'hincrby' command\r\n"},
	{[]string{"HINCRBYFLOAT", "h", "a"}, "-ERR wrong number of arguments for 'hincrbyfloat' command\r\n"},
	{[]string{"~wrongtype", "w"}, ""},
	{[]string{"HINCRBY", "w", "a", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"HINCRBY", "w", "a", "x"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"HINCRBYFLOAT", "w", "a", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"HINCRBYFLOAT", "w", "a", "x"}, "-ERR value is not a valid float\r\n"},
	{[]string{"HINCRBYFLOAT", "w", "a", "inf"}, "-ERR value is NaN or Infinity\r\n"},
	{[]string{"~dirty"}, "0"},
}

var hashRandFieldSteps = []stringStep{
	{[]string{"HRANDFIELD", "nokey"}, "$-1\r\n"},
	{[]string{"HRANDFIELD", "nokey", "5"}, "*0\r\n"},
	{[]string{"HRANDFIELD", "nokey", "-5", "WITHVALUES"}, "*0\r\n"},
	{[]string{"HRANDFIELD", "nokey", "0"}, "*0\r\n"},
	{[]string{"HRANDFIELD", "nokey", "x"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"HSET", "h", "a", "1", "b", "2", "c", "3"}, ":3\r\n"},
	{[]string{"HRANDFIELD", "h", "0"}, "*0\r\n"},
	{[]string{"HRANDFIELD", "h", "0", "WITHVALUES"}, "*0\r\n"},
	{[]string{"HRANDFIELD", "h", "3"}, "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"},
	{[]string{"HRANDFIELD", "h", "3", "WITHVALUES"}, "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"},
	{[]string{"HRANDFIELD", "h", "100", "WITHVALUES"}, "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"},
	{[]string{"HRANDFIELD", "h", "9223372036854775807"}, "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"},
	{[]string{"HRANDFIELD", "h", "-9223372036854775808"}, "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"},
	{[]string{"HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"}, "-ERR value is out of range\r\n"},
	{[]string{"HRANDFIELD", "h", "9223372036854775807", "WITHVALUES"}, "-ERR value is out of range\r\n"},
	{[]string{"HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"}, "-ERR value is out of range\r\n"},
	{[]string{"HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"}, "-ERR value is out of range\r\n"},
	{[]string{"HRANDFIELD", "h", "4611686018427387903", "withvalues"}, "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"},
	{[]string{"HRANDFIELD", "h", "1", "WITHVALUE"}, "-ERR syntax error\r\n"},
	{[]string{"HRANDFIELD", "h", "1", "WITHVALUES", "x"}, "-ERR syntax error\r\n"},
	{[]string{"HRANDFIELD", "h", "x"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"HRANDFIELD", "h", "1.5"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"HRANDFIELD", "h", "", "WITHVALUES"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"HRANDFIELD", "h", "x", "WITHVALUE"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"HSET", "one", "f", "v"}, ":1\r\n"},
	{[]string{"HRANDFIELD", "one"}, "$1\r\nf\r\n"},
	{[]string{"HRANDFIELD", "one", "1"}, "*1\r\n$1\r\nf\r\n"},
	{[]string{"HRANDFIELD", "one", "-3"}, "*3\r\n$1\r\nf\r\n$1\r\nf\r\n$1\r\nf\r\n"},
	{[]string{"HRANDFIELD", "one", "-3", "WITHVALUES"}, "*6\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\nf\r\n$1\r\nv\r\n"},
	{[]string{"HRANDFIELD", "one", "1", "WITHVALUES"}, "*2\r\n$1\r\nf\r\n$1\r\nv\r\n"},
	{[]string{"HRANDFIELD", "one", "-1", "withvalues"}, "*2\r\n$1\r\nf\r\n$1\r\nv\r\n"},
	{[]string{"HRANDFIELD"}, "-ERR wrong number of arguments for 'hrandfield' command\r\n"},
	{[]string{"~wrongtype", "w"}, ""},
	{[]string{"HRANDFIELD", "w"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"HRANDFIELD", "w", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"HRANDFIELD", "w", "x"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"HRANDFIELD", "w", "1", "WITHVALUES", "junk"}, "-ERR syntax error\r\n"},
	{[]string{"hello", "3"}, ""},
	{[]string{"HRANDFIELD", "nokey"}, "_\r\n"},
	{[]string{"HRANDFIELD", "nokey", "3", "WITHVALUES"}, "*0\r\n"},
	{[]string{"HRANDFIELD", "h", "5", "WITHVALUES"}, "*3\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"},
	{[]string{"HRANDFIELD", "h", "3"}, "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"},
	{[]string{"HRANDFIELD", "one", "-2", "WITHVALUES"}, "*2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"},
	{[]string{"HRANDFIELD", "one", "1", "WITHVALUES"}, "*1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"},
	{[]string{"HRANDFIELD", "one", "-2"}, "*2\r\n$1\r\nf\r\n$1\r\nf\r\n"},
	{[]string{"hello", "2"}, ""},
}

var hashScanSteps = []stringStep{
	{[]string{"HSCAN", "nokey", "0"}, "*2\r\n$1\r\n0\r\n*0\r\n"},
	{[]string{"HSCAN", "nokey", "0", "COUNT", "0"}, "*2\r\n$1\r\n0\r\n*0\r\n"},
	{[]string{"HSCAN", "nokey", "x"}, "-ERR invalid cursor\r\n"},
	{[]string{"HSCAN", "nokey", "0", "MATCH"}, "*2\r\n$1\r\n0\r\n*0\r\n"},
	{[]string{"HSET", "h", "a", "1", "b", "2", "c", "3", "ab", "4"}, ":4\r\n"},
	{[]string{"HSCAN", "h", "0"}, "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"},
	{[]string{"HSCAN", "h", "0", "COUNT", "1"}, "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"},
	{[]string{"HSCAN", "h", "0", "MATCH", "a*"}, "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nab\r\n$1\r\n4\r\n"},
	{[]string{"HSCAN", "h", "0", "MATCH", "*b", "COUNT", "100"}, "*2\r\n$1\r\n0\r\n*4\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n4\r\n"},
	{[]string{"HSCAN", "h", "0", "match", "[a-b]", "count", "2"}, "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"},
	{[]string{"HSCAN", "h", "0", "MATCH", "nomatch"}, "*2\r\n$1\r\n0\r\n*0\r\n"},
	{[]string{"HSCAN", "h", "5"}, "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"},
	{[]string{"HSCAN", "h", "-1"}, "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"},
	{[]string{"HSCAN", "h", "18446744073709551615"}, "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"},
	{[]string{"HSCAN", "h", "18446744073709551616"}, "-ERR invalid cursor\r\n"},
	{[]string{"HSCAN", "h", "abc"}, "-ERR invalid cursor\r\n"},
	{[]string{"HSCAN", "h", " 1"}, "-ERR invalid cursor\r\n"},
	{[]string{"HSCAN", "h", "+1"}, "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"},
	{[]string{"HSCAN", "h", ""}, "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"},
	{[]string{"HSCAN", "h", "0", "COUNT", "0"}, "-ERR syntax error\r\n"},
	{[]string{"HSCAN", "h", "0", "COUNT", "-1"}, "-ERR syntax error\r\n"},
	{[]string{"HSCAN", "h", "0", "COUNT", "x"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"HSCAN", "h", "0", "COUNT"}, "-ERR syntax error\r\n"},
	{[]string{"HSCAN", "h", "0", "MATCH"}, "-ERR syntax error\r\n"},
	{[]string{"HSCAN", "h", "0", "TYPE", "string"}, "-ERR syntax error\r\n"},
	{[]string{"HSCAN", "h", "0", "FOO", "bar"}, "-ERR syntax error\r\n"},
	{[]string{"HSCAN", "h"}, "-ERR wrong number of arguments for 'hscan' command\r\n"},
	{[]string{"HSET", "n", "10", "x", "20", "y"}, ":2\r\n"},
	{[]string{"HSCAN", "n", "0", "MATCH", "1*"}, "*2\r\n$1\r\n0\r\n*2\r\n$2\r\n10\r\n$1\r\nx\r\n"},
	{[]string{"~wrongtype", "w"}, ""},
	{[]string{"HSCAN", "w", "0"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"HSCAN", "w", "x"}, "-ERR invalid cursor\r\n"},
	{[]string{"HSCAN", "w", "0", "COUNT", "0"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"hello", "3"}, ""},
	{[]string{"HSCAN", "h", "0"}, "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"},
	{[]string{"HSCAN", "nokey", "0"}, "*2\r\n$1\r\n0\r\n*0\r\n"},
	{[]string{"hello", "2"}, ""},
}

var hashSetGetSteps = []stringStep{
	{[]string{"HSET", "h", "a", "1"}, ":1\r\n"},
	{[]string{"HSET", "h", "a", "2", "b", "3", "c", "4"}, ":2\r\n"},
	{[]string{"~dirty"}, "4"},
	{[]string{"HGET", "h", "a"}, "$1\r\n2\r\n"},
	{[]string{"HGET", "h", "b"}, "$1\r\n3\r\n"},
	{[]string{"HGET", "h", "nosuch"}, "$-1\r\n"},
	{[]string{"HGET", "nokey", "a"}, "$-1\r\n"},
	{[]string{"HSET", "h"}, "-ERR wrong number of arguments for 'hset' command\r\n"},
	{[]string{"HSET", "h", "a"}, "-ERR wrong number of arguments for 'hset' command\r\n"},
	{[]string{"HSET", "h", "a", "1", "b"}, "-ERR wrong number of arguments for 'hset' command\r\n"},
	{[]string{"HMSET", "h", "a", "1", "b"}, "-ERR wrong number of arguments for 'hmset' command\r\n"},
	{[]string{"HMSET", "h", "d", "5", "e", "6"}, "+OK\r\n"},
	{[]string{"~dirty"}, "2"},
	{[]string{"HMSET"}, "-ERR wrong number of arguments for 'hmset' command\r\n"},
	{[]string{"HGETALL", "h"}, "*10\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n3\r\n$1\r\nc\r\n$1\r\n4\r\n$1\r\nd\r\n$1\r\n5\r\n$1\r\ne\r\n$1\r\n6\r\n"},
	{[]string{"HSETNX", "h", "a", "9"}, ":0\r\n"},
	{[]string{"HSETNX", "h", "f", "7"}, ":1\r\n"},
	{[]string{"HSETNX", "h2", "x", "y"}, ":1\r\n"},
	{[]string{"~dirty"}, "2"},
	{[]string{"HSETNX", "h"}, "-ERR wrong number of arguments for 'hsetnx' command\r\n"},
	{[]string{"HSETNX", "h", "a"}, "-ERR wrong number of arguments for 'hsetnx' command\r\n"},
	{[]string{"HGET", "h", "f"}, "$1\r\n7\r\n"},
	{[]string{"HMGET", "h", "a", "b", "nosuch", "f"}, "*4\r\n$1\r\n2\r\n$1\r\n3\r\n$-1\r\n$1\r\n7\r\n"},
	{[]string{"HMGET", "nokey", "a", "b"}, "*2\r\n$-1\r\n$-1\r\n"},
	{[]string{"HMGET", "h"}, "-ERR wrong number of arguments for 'hmget' command\r\n"},
	{[]string{"HEXISTS", "h", "a"}, ":1\r\n"},
	{[]string{"HEXISTS", "h", "nosuch"}, ":0\r\n"},
	{[]string{"HEXISTS", "nokey", "a"}, ":0\r\n"},
	{[]string{"HEXISTS", "h"}, "-ERR wrong number of arguments for 'hexists' command\r\n"},
	{[]string{"HLEN", "h"}, ":6\r\n"},
	{[]string{"HLEN", "nokey"}, ":0\r\n"},
	{[]string{"HLEN", "h", "extra"}, "-ERR wrong number of arguments for 'hlen' command\r\n"},
	{[]string{"HSTRLEN", "h", "a"}, ":1\r\n"},
	{[]string{"HSTRLEN", "h", "nosuch"}, ":0\r\n"},
	{[]string{"HSTRLEN", "nokey", "a"}, ":0\r\n"},
	{[]string{"HSET", "h", "big", "123456789012345678901234567890", "neg", "-42", "empty", ""}, ":3\r\n"},
	{[]string{"HSTRLEN", "h", "big"}, ":30\r\n"},
	{[]string{"HSTRLEN", "h", "neg"}, ":3\r\n"},
	{[]string{"HSTRLEN", "h", "empty"}, ":0\r\n"},
	{[]string{"HGET", "h", "empty"}, "$0\r\n\r\n"},
	{[]string{"HSET", "", "", ""}, ":1\r\n"},
	{[]string{"HGET", "", ""}, "$0\r\n\r\n"},
	{[]string{"HGETALL", ""}, "*2\r\n$0\r\n\r\n$0\r\n\r\n"},
	{[]string{"HSET", "bin", "\x00\xff\r\n", "v\x00al"}, ":1\r\n"},
	{[]string{"HGETALL", "bin"}, "*2\r\n$4\r\n\x00\xff\r\n\r\n$4\r\nv\x00al\r\n"},
	{[]string{"HGET", "bin", "\x00\xff\r\n"}, "$4\r\nv\x00al\r\n"},
	{[]string{"~wrongtype", "w"}, ""},
	{[]string{"HSET", "w", "a", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"HMSET", "w", "a", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"HSETNX", "w", "a", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"HGET", "w", "a"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"HMGET", "w", "a"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"HEXISTS", "w", "a"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"HLEN", "w"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"HSTRLEN", "w", "a"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"~dirty"}, "0"},
	{[]string{"TYPE", "h"}, "+hash\r\n"},
	{[]string{"OBJECT", "ENCODING", "h"}, "$8\r\nlistpack\r\n"},
}
