package backend

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/shardis/shardis/internal/resp"
)

// The string and bit command tests replay sequences of commands whose
// replies were recorded from redis-server 7.0.15 (each sequence sent to it
// after FLUSHALL, on RESP2 unless it says HELLO 3) and compare the exact
// bytes. A few pseudo-commands check what redis-server showed through
// commands that other files implement:
//
//   - "~wrongtype KEY" makes KEY a list (redis-server: DEL, then LPUSH);
//   - "~enc KEY" expects OBJECT ENCODING's answer for KEY;
//   - "~dirty" expects the number of changes counted (INFO's
//     rdb_changes_since_last_save) since the previous "~dirty" or
//     "~wrongtype".

// stringStep is one command of a recorded sequence and redis-server's reply.
type stringStep struct {
	args []string
	want string
}

// runStringSteps replays steps against a new server with opts.
func runStringSteps(t *testing.T, opts Options, steps []stringStep) {
	t.Helper()
	s, addr := startTestServerOptions(t, opts)
	c := dialTest(t, addr)
	db := s.db(0)
	dirty := func() int64 {
		var n int64
		for _, d := range s.dbs {
			for i := range d.shards {
				sh := &d.shards[i]
				sh.mu.Lock()
				n += sh.dirty
				sh.mu.Unlock()
			}
		}
		return n
	}
	last := dirty()
	for _, st := range steps {
		switch st.args[0] {
		case "~wrongtype":
			key := []byte(st.args[1])
			sh := db.shard(key)
			sh.mu.Lock()
			sh.remove(key)
			sh.add(db, key, kindList)
			sh.mu.Unlock()
			last = dirty()
		case "~enc":
			key := []byte(st.args[1])
			sh := db.shard(key)
			sh.mu.Lock()
			e := sh.peek(db, key, time.Now().UnixMilli())
			got := "(no key)"
			if e != nil {
				got = strEncName(e)
			}
			sh.mu.Unlock()
			if got != st.want {
				t.Errorf("encoding of %q: got %s, want %s", key, got, st.want)
			}
		case "~dirty":
			d := dirty()
			if got := strconv.FormatInt(d-last, 10); got != st.want {
				t.Errorf("changes counted: got %s, want %s", got, st.want)
			}
			last = d
		case "hello":
			c.raw(st.args...)
		default:
			c.expect(st.want, st.args...)
		}
	}
}

// strEncName is OBJECT ENCODING's name for a string entry's encoding.
func strEncName(e *entry) string {
	if e.kind != kindString {
		return e.kind.String()
	}
	switch e.enc {
	case encInt:
		return "int"
	case encEmbstr:
		return "embstr"
	}
	return "raw"
}

// smallBulkOptions are redis-server's defaults with proto-max-bulk-len at
// its minimum, 1mb, so the size limits can be reached cheaply.
func smallBulkOptions() Options {
	opts := DefaultOptions()
	opts.ProtoMaxBulkLen = 1 << 20
	return opts
}

func TestStringCommandsLikeRedis(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  Options
		steps []stringStep
	}{
		{"SET GET SETNX SETEX PSETEX", DefaultOptions(), setGetSteps},
		{"encodings", DefaultOptions(), encodingSteps},
		{"GETEX", DefaultOptions(), getexSteps},
		{"GETDEL GETSET", DefaultOptions(), getdelGetsetSteps},
		{"MSET MGET MSETNX", DefaultOptions(), msetMgetSteps},
		{"APPEND STRLEN", DefaultOptions(), appendStrlenSteps},
		{"GETRANGE SUBSTR", DefaultOptions(), getrangeSteps},
		{"SETRANGE", smallBulkOptions(), setrangeSteps},
		{"APPEND limit", smallBulkOptions(), appendLimitSteps},
		{"INCR DECR INCRBY DECRBY", DefaultOptions(), incrSteps},
		{"INCRBYFLOAT", DefaultOptions(), incrbyfloatSteps},
		{"LCS", DefaultOptions(), lcsSteps},
	} {
		t.Run(tc.name, func(t *testing.T) { runStringSteps(t, tc.opts, tc.steps) })
	}
}

func TestStringRepliesInRESP3(t *testing.T) {
	if _, ok := handlers["hello"]; !ok {
		t.Skip("HELLO is not implemented yet")
	}
	runStringSteps(t, DefaultOptions(), lcsRESP3Steps)
}

// The LCS table may not exceed proto-max-bulk-len: redis-server 7.0.15
// refuses 11586 by 11584 bytes (536,940,380 table bytes) and, one byte
// shorter on each side, 11585 by 11584 is 536,917,204, still too many;
// 11584 by 11584 (536,824,900) fits.
func TestLCSTableLimit(t *testing.T) {
	opts := DefaultOptions()
	_, addr := startTestServerOptions(t, opts)
	c := dialTest(t, addr)
	c.expect("+OK\r\n", "set", "a", string(make([]byte, 11586)))
	c.expect("+OK\r\n", "set", "b", string(make([]byte, 11584)))
	c.expect("-"+errLCSTooBig+"\r\n", "lcs", "a", "b", "len")
	c.expect("-"+errLCSTooBig+"\r\n", "lcs", "b", "a")
	c.expect("+OK\r\n", "set", "a", "x"+string(make([]byte, 11584)))
	c.expect("-"+errLCSTooBig+"\r\n", "lcs", "a", "b", "len")
	if testing.Short() {
		return
	}
	c.expect("+OK\r\n", "set", "a", string(make([]byte, 11584)))
	c.expect(":11584\r\n", "lcs", "a", "b", "len")
}

// The long double arithmetic of INCRBYFLOAT, checked value by value against
// what redis-server 7.0.15 on x86-64 printed.
func TestLongDouble(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"10.5", "0.1", "10.6"},
		{"10.6", "0.4", "11"},
		{"0", "3.0e3", "3000"},
		{"0.3", "1e17", "100000000000000000.296875"},
		{"0", "0.000003814697265625", "0.00000381469726562"}, // a tie: to even
		{"0", "0.000011444091796875", "0.00001144409179688"},
		{"0", "-0.0", "0"},
		{"0", "-1.5e-17", "-0.00000000000000002"},
		{"0", "5.0e-18", "0"},
		{"0", ".5", "0.5"},
		{"9223372036854775807", "1", "9223372036854775808"},
		{"0", "18446744073709551617", "18446744073709551616"},
		{"0", "1e30", "1000000000000000000024696061952"},
		{"0", "0x1.8p1", "3"},
		{"0", "0x1p-16445", "0"},
		{"0", "1e-4940", "0"},
		{"1", "-1", "0"},
	} {
		a, ok1 := parseLongDouble([]byte(tc.a))
		b, ok2 := parseLongDouble([]byte(tc.b))
		if !ok1 || !ok2 {
			t.Errorf("%s + %s: not parsed", tc.a, tc.b)
			continue
		}
		sum, ok := addLongDouble(a, b)
		if !ok {
			t.Errorf("%s + %s: not finite", tc.a, tc.b)
			continue
		}
		if got := string(appendLongDoubleHuman(nil, sum)); got != tc.want {
			t.Errorf("%s + %s = %s, want %s", tc.a, tc.b, got, tc.want)
		}
	}
	for _, bad := range []string{"", " 1", "1 ", "nan", "-nan", "1e", "e1", ".", "0x", "0x1p", "1e5000",
		"1e-5000", "1.8e-4951", "0x1p-16446", "0x1.ffffffffffffffffp16383", "1,5", "1.2.3", "infinit", "1\x00"} {
		if _, ok := parseLongDouble([]byte(bad)); ok {
			t.Errorf("%q parsed as a long double", bad)
		}
	}
}

// MSET and MGET lock every shard involved before touching any key: a reader
// never sees half of a write.
func TestMSetIsAtomic(t *testing.T) {
	_, addr := startTestServer(t)
	keys := keysInDistinctShards(4)
	w, r := dialTest(t, addr), dialTest(t, addr)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 300 {
			v := strconv.Itoa(i)
			args := []string{"mset"}
			for _, k := range keys {
				args = append(args, k, v)
			}
			if got := w.raw(args...); got != "+OK\r\n" {
				t.Errorf("MSET: %q", got)
				return
			}
		}
	}()
	for range 300 {
		v := r.do(append([]string{"mget"}, keys...)...)
		for _, x := range v.Elems[1:] {
			if string(x.Str) != string(v.Elems[0].Str) || x.Null != v.Elems[0].Null {
				t.Fatalf("MGET saw a partial MSET: %q", fmt.Sprint(v.Elems))
			}
		}
	}
	wg.Wait()
}

// keysInDistinctShards returns n keys that live in n different shards.
func keysInDistinctShards(n int) []string {
	var keys []string
	var seen shardMask
	for i := 0; len(keys) < n; i++ {
		k := "key:" + strconv.Itoa(i)
		if si := shardIndex([]byte(k)); seen&(1<<si) == 0 {
			seen |= 1 << si
			keys = append(keys, k)
		}
	}
	return keys
}

// --- Hot paths: no allocation ---------------------------------------------

// handlerBench runs commands through Client.execute, as the connection loop
// does, with replies discarded: what is measured is dispatch plus the
// handler, without the network.
type handlerBench struct {
	s *Server
	c *Client
}

func newHandlerBench(tb testing.TB) *handlerBench {
	tb.Helper()
	s, err := New(DefaultOptions())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	// The client's connection is only named (CLIENT LIST, SLOWLOG): replies
	// are dropped before any flush.
	nc, peer := net.Pipe()
	tb.Cleanup(func() { nc.Close(); peer.Close() })
	c := newClient(s, nc)
	c.w.Reset(io.Discard)
	return &handlerBench{s: s, c: c}
}

func (h *handlerBench) run(args [][]byte) {
	h.c.execute(args)
	h.c.w.Truncate(0)
}

func argv(args ...string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}

// mgetKeys are 8 keys spread over several shards.
var mgetKeys = keysInDistinctShards(8)

func TestStringHotPathsDoNotAllocate(t *testing.T) {
	h := newHandlerBench(t)
	h.run(argv("set", "key:1", "0123456789abcdef"))
	h.run(argv("set", "counter", "1"))
	for _, k := range mgetKeys {
		h.run(argv("set", k, "0123456789abcdef"))
	}
	for _, tc := range []struct {
		name string
		args [][]byte
	}{
		{"GET", argv("get", "key:1")},
		{"GET missing", argv("get", "nokey")},
		{"SET existing", argv("set", "key:1", "fedcba9876543210")},
		{"SET EX existing", argv("set", "key:1", "fedcba9876543210", "EX", "100")},
		{"INCR", argv("incr", "counter")},
		{"INCRBY", argv("incrby", "counter", "-12345")},
		{"MGET", argv(append([]string{"mget"}, mgetKeys...)...)},
		{"MSET existing", argv("mset", mgetKeys[0], "a", mgetKeys[1], "b")},
		{"STRLEN", argv("strlen", "key:1")},
		{"GETRANGE", argv("getrange", "key:1", "2", "-3")},
	} {
		if n := testing.AllocsPerRun(200, func() { h.run(tc.args) }); n != 0 {
			t.Errorf("%s: %v allocations per command, want 0", tc.name, n)
		}
	}
}

func BenchmarkStringHandlers(b *testing.B) {
	h := newHandlerBench(b)
	h.run(argv("set", "key:1", "0123456789abcdef"))
	for _, k := range mgetKeys {
		h.run(argv("set", k, "0123456789abcdef"))
	}
	for _, bc := range []struct {
		name string
		args [][]byte
	}{
		{"GET", argv("get", "key:1")},
		{"SET", argv("set", "key:1", "fedcba9876543210")},
		{"INCR", argv("incr", "counter")},
		{"MGET8", argv(append([]string{"mget"}, mgetKeys...)...)},
		{"MSET2", argv("mset", mgetKeys[0], "a", mgetKeys[1], "b")},
		{"SETBIT", argv("setbit", "bits", "1000", "1")},
		{"BITCOUNT", argv("bitcount", "key:1")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				h.run(bc.args)
			}
		})
	}
}

// BenchmarkStringPipeline drives a real connection: each iteration is one
// command of a pipeline of 100, so the numbers include the reader, the
// dispatch, the writer and the loopback socket (the allocations are the
// server's: the client side reuses its buffers).
func BenchmarkStringPipeline(b *testing.B) {
	_, addr := startTestServer(b)
	c := dialTest(b, addr)
	c.expect("+OK\r\n", "set", "key:1", "0123456789abcdef")
	for _, k := range mgetKeys {
		c.expect("+OK\r\n", "set", k, "0123456789abcdef")
	}
	const depth = 100
	for _, bc := range []struct {
		name  string
		args  []string
		reply string
	}{
		{"GET", []string{"get", "key:1"}, "$16\r\n0123456789abcdef\r\n"},
		{"SET", []string{"set", "key:1", "0123456789abcdef"}, "+OK\r\n"},
		{"INCR", []string{"incr", "counter"}, ""},
		{"MGET8", append([]string{"mget"}, mgetKeys...), ""},
	} {
		one := c.raw(bc.args...)
		if bc.reply != "" && one != bc.reply {
			b.Fatalf("%s: got %q", bc.name, one)
		}
		req := resp.AppendCommand(nil, bc.args...)
		var batch []byte
		for range depth {
			batch = append(batch, req...)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i += depth {
				if _, err := c.nc.Write(batch); err != nil {
					b.Fatal(err)
				}
				for range depth {
					if _, err := c.rr.ReadRaw(); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

var setGetSteps = []stringStep{
	{[]string{"set", "k", "v"}, "+OK\r\n"},
	{[]string{"get", "k"}, "$1\r\nv\r\n"},
	{[]string{"get", "nokey"}, "$-1\r\n"},
	{[]string{"~enc", "k"}, "embstr"},
	{[]string{"set", "k", "v", "ex", "10", "ex", "20"}, "+OK\r\n"},
	{[]string{"ttl", "k"}, ":20\r\n"},
	{[]string{"set", "k", "v", "ex", "10", "px", "20"}, "-ERR syntax error\r\n"},
	{[]string{"set", "k", "v", "nx", "xx"}, "-ERR syntax error\r\n"},
	{[]string{"set", "k", "v", "xx", "nx"}, "-ERR syntax error\r\n"},
	{[]string{"set", "k", "v", "nx", "nx"}, "$-1\r\n"},
	{[]string{"set", "k", "v", "keepttl", "ex", "10"}, "-ERR syntax error\r\n"},
	{[]string{"set", "k", "v", "ex", "10", "keepttl"}, "-ERR syntax error\r\n"},
	{[]string{"set", "k", "v", "keepttl", "keepttl"}, "+OK\r\n"},
	{[]string{"set", "k", "v", "persist"}, "-ERR syntax error\r\n"},
	{[]string{"set", "k", "v", "ex"}, "-ERR syntax error\r\n"},
	{[]string{"set", "k", "v", "ex", "0"}, "-ERR invalid expire time in 'set' command\r\n"},
	{[]string{"set", "k", "v", "ex", "-1"}, "-ERR invalid expire time in 'set' command\r\n"},
	{[]string{"set", "k", "v", "ex", "abc"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"set", "k", "v", "px", "0"}, "-ERR invalid expire time in 'set' command\r\n"},
	{[]string{"set", "k", "v", "exat", "0"}, "-ERR invalid expire time in 'set' command\r\n"},
	{[]string{"set", "k", "v", "pxat", "0"}, "-ERR invalid expire time in 'set' command\r\n"},
	{[]string{"set", "k", "v", "ex", "9223372036854775"}, "-ERR invalid expire time in 'set' command\r\n"},
	{[]string{"set", "k", "v", "ex", "9223372036854776"}, "-ERR invalid expire time in 'set' command\r\n"},
	{[]string{"set", "k", "v", "px", "9223372036854775807"}, "-ERR invalid expire time in 'set' command\r\n"},
	{[]string{"set", "k", "v", "ex", "10", "exat", "100"}, "-ERR syntax error\r\n"},
	{[]string{"set", "k", "v", "bogus"}, "-ERR syntax error\r\n"},
	{[]string{"set", "k", "v", "ex", "5", "bogus"}, "-ERR syntax error\r\n"},
	{[]string{"set", "k", "v", "EX", "1.5"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"set", "k", "v", "ex", " 5"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"set", "k", "v", "ex", "+5"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"set", "k", "v", "ex", "100"}, "+OK\r\n"},
	{[]string{"ttl", "k"}, ":100\r\n"},
	{[]string{"set", "k", "v2", "keepttl"}, "+OK\r\n"},
	{[]string{"ttl", "k"}, ":100\r\n"},
	{[]string{"set", "k", "v3"}, "+OK\r\n"},
	{[]string{"ttl", "k"}, ":-1\r\n"},
	{[]string{"set", "k", "v", "exat", "1"}, "+OK\r\n"},
	{[]string{"exists", "k"}, ":0\r\n"},
	{[]string{"set", "k", "v", "pxat", "1", "get"}, "$-1\r\n"},
	{[]string{"set", "k", "v", "nx", "get"}, "$-1\r\n"},
	{[]string{"set", "k", "v2", "xx", "get"}, "$1\r\nv\r\n"},
	{[]string{"set", "k2", "v2", "xx", "get"}, "$-1\r\n"},
	{[]string{"get", "k2"}, "$-1\r\n"},
	{[]string{"set", "k2", "v2", "nx", "get"}, "$-1\r\n"},
	{[]string{"get", "k2"}, "$2\r\nv2\r\n"},
	{[]string{"set", "k2", "v3", "nx", "get"}, "$2\r\nv2\r\n"},
	{[]string{"set", "k2", "v3", "NX"}, "$-1\r\n"},
	{[]string{"set", "k3", "v3", "XX"}, "$-1\r\n"},
	{[]string{"set", "k3", "v3", "Nx"}, "+OK\r\n"},
	{[]string{"~wrongtype", "l"}, ""},
	{[]string{"set", "l", "v", "get"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"get", "l"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"set", "l", "v"}, "+OK\r\n"},
	{[]string{"type", "l"}, "+string\r\n"},
	{[]string{"get", "l"}, "$1\r\nv\r\n"},
	{[]string{"set", "l", "v", "nx", "get"}, "$1\r\nv\r\n"},
	{[]string{"set", "k", "v", "get", "get"}, "$2\r\nv2\r\n"},
	{[]string{"set", "k", "v", "ex", "10", "get"}, "$1\r\nv\r\n"},
	{[]string{"ttl", "k"}, ":10\r\n"},
	{[]string{"set", "k", "v", "gEt", "kEePtTl"}, "$1\r\nv\r\n"},
	{[]string{"ttl", "k"}, ":10\r\n"},
	{[]string{"set", "k", "v", "nx\x00junk"}, "$-1\r\n"},
	{[]string{"set", "k", "v", "ex\x00", "10"}, "+OK\r\n"},
	{[]string{"set", "k", "v", ""}, "-ERR syntax error\r\n"},
	{[]string{"setex", "k", "0", "v"}, "-ERR invalid expire time in 'setex' command\r\n"},
	{[]string{"setex", "k", "-1", "v"}, "-ERR invalid expire time in 'setex' command\r\n"},
	{[]string{"setex", "k", "abc", "v"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"setex", "k", "9223372036854776", "v"}, "-ERR invalid expire time in 'setex' command\r\n"},
	{[]string{"setex", "k", "100", "v"}, "+OK\r\n"},
	{[]string{"ttl", "k"}, ":100\r\n"},
	{[]string{"psetex", "k", "0", "v"}, "-ERR invalid expire time in 'psetex' command\r\n"},
	{[]string{"psetex", "k", "100000", "v"}, "+OK\r\n"},
	{[]string{"ttl", "k"}, ":100\r\n"},
	{[]string{"setnx", "k", "v"}, ":0\r\n"},
	{[]string{"setnx", "kk", "v"}, ":1\r\n"},
	{[]string{"get", "kk"}, "$1\r\nv\r\n"},
	{[]string{"~wrongtype", "l"}, ""},
	{[]string{"setnx", "l", "v"}, ":0\r\n"},
	{[]string{"setex", "l", "10", "v"}, "+OK\r\n"},
	{[]string{"type", "l"}, "+string\r\n"},
	{[]string{"~dirty"}, "1"},
	{[]string{"set", "a", "1"}, "+OK\r\n"},
	{[]string{"set", "a", "1", "nx"}, "$-1\r\n"},
	{[]string{"set", "a", "2", "xx"}, "+OK\r\n"},
	{[]string{"set", "b", "1", "xx"}, "$-1\r\n"},
	{[]string{"setnx", "a", "3"}, ":0\r\n"},
	{[]string{"~dirty"}, "2"},
}

var encodingSteps = []stringStep{
	{[]string{"set", "s", "123"}, "+OK\r\n"},
	{[]string{"~enc", "s"}, "int"},
	{[]string{"set", "s", "-123"}, "+OK\r\n"},
	{[]string{"~enc", "s"}, "int"},
	{[]string{"set", "s", "0"}, "+OK\r\n"},
	{[]string{"~enc", "s"}, "int"},
	{[]string{"set", "s", "-0"}, "+OK\r\n"},
	{[]string{"~enc", "s"}, "embstr"},
	{[]string{"set", "s", "01"}, "+OK\r\n"},
	{[]string{"~enc", "s"}, "embstr"},
	{[]string{"set", "s", "+1"}, "+OK\r\n"},
	{[]string{"~enc", "s"}, "embstr"},
	{[]string{"set", "s", " 1"}, "+OK\r\n"},
	{[]string{"~enc", "s"}, "embstr"},
	{[]string{"set", "s", "9223372036854775807"}, "+OK\r\n"},
	{[]string{"~enc", "s"}, "int"},
	{[]string{"set", "s", "-9223372036854775808"}, "+OK\r\n"},
	{[]string{"~enc", "s"}, "int"},
	{[]string{"set", "s", "9223372036854775808"}, "+OK\r\n"},
	{[]string{"~enc", "s"}, "embstr"},
	{[]string{"set", "s", "12345678901234567890"}, "+OK\r\n"},
	{[]string{"~enc", "s"}, "embstr"},
	{[]string{"set", "s", "12345678901234567890123456789012345678901234"}, "+OK\r\n"},
	{[]string{"~enc", "s"}, "embstr"},
	{[]string{"set", "s", "123456789012345678901234567890123456789012345"}, "+OK\r\n"},
	{[]string{"~enc", "s"}, "raw"},
	{[]string{"set", "s", ""}, "+OK\r\n"},
	{[]string{"~enc", "s"}, "embstr"},
	{[]string{"append", "n", "abc"}, ":3\r\n"},
	{[]string{"~enc", "n"}, "embstr"},
	{[]string{"append", "m", "123"}, ":3\r\n"},
	{[]string{"~enc", "m"}, "int"},
	{[]string{"append", "m", "4"}, ":4\r\n"},
	{[]string{"~enc", "m"}, "raw"},
	{[]string{"incr", "m"}, ":1235\r\n"},
	{[]string{"~enc", "m"}, "int"},
	{[]string{"setrange", "r", "0", "12"}, ":2\r\n"},
	{[]string{"~enc", "r"}, "raw"},
	{[]string{"incr", "r"}, ":13\r\n"},
	{[]string{"~enc", "r"}, "int"},
	{[]string{"set", "f", "10.5"}, "+OK\r\n"},
	{[]string{"incrbyfloat", "f", "0.1"}, "$4\r\n10.6\r\n"},
	{[]string{"~enc", "f"}, "embstr"},
	{[]string{"incrbyfloat", "f", "0.4"}, "$2\r\n11\r\n"},
	{[]string{"~enc", "f"}, "embstr"},
	{[]string{"getset", "g", "5"}, "$-1\r\n"},
	{[]string{"getset", "g", "6"}, "$1\r\n5\r\n"},
	{[]string{"~enc", "g"}, "int"},
	{[]string{"mset", "m1", "1", "m2", "abc", "m3", "123456789012345678901234567890123456789012345"}, "+OK\r\n"},
	{[]string{"~enc", "m1"}, "int"},
	{[]string{"~enc", "m2"}, "embstr"},
	{[]string{"~enc", "m3"}, "raw"},
	{[]string{"msetnx", "m4", "7"}, ":1\r\n"},
	{[]string{"~enc", "m4"}, "int"},
	{[]string{"setex", "e", "100", "42"}, "+OK\r\n"},
	{[]string{"~enc", "e"}, "int"},
	{[]string{"set", "x", "a"}, "+OK\r\n"},
	{[]string{"setbit", "x", "0", "0"}, ":0\r\n"},
	{[]string{"~enc", "x"}, "raw"},
	{[]string{"set", "y", "5"}, "+OK\r\n"},
	{[]string{"bitfield", "y", "get", "u8", "0"}, "*1\r\n:53\r\n"},
	{[]string{"~enc", "y"}, "int"},
	{[]string{"bitfield", "y", "set", "u8", "0", "53"}, "*1\r\n:53\r\n"},
	{[]string{"~enc", "y"}, "raw"},
	{[]string{"set", "z", "5"}, "+OK\r\n"},
	{[]string{"setrange", "z", "0", ""}, ":1\r\n"},
	{[]string{"~enc", "z"}, "int"},
	{[]string{"append", "z", ""}, ":1\r\n"},
	{[]string{"~enc", "z"}, "raw"},
	{[]string{"set", "w", "abc"}, "+OK\r\n"},
	{[]string{"getex", "w", "persist"}, "$3\r\nabc\r\n"},
	{[]string{"~enc", "w"}, "embstr"},
	{[]string{"bitop", "not", "d", "w"}, ":3\r\n"},
	{[]string{"~enc", "d"}, "raw"},
	{[]string{"setbit", "nb", "3", "1"}, ":0\r\n"},
	{[]string{"~enc", "nb"}, "raw"},
	{[]string{"incrbyfloat", "fl", "1e30"}, "$31\r\n1000000000000000000024696061952\r\n"},
	{[]string{"~enc", "fl"}, "embstr"},
	{[]string{"incrbyfloat", "fl2", "1e50"}, "$51\r\n100000000000000000003583830118858923890798487404544\r\n"},
	{[]string{"~enc", "fl2"}, "raw"},
}

var getexSteps = []stringStep{
	{[]string{"set", "k", "v"}, "+OK\r\n"},
	{[]string{"getex", "k"}, "$1\r\nv\r\n"},
	{[]string{"getex", "k", "ex"}, "-ERR syntax error\r\n"},
	{[]string{"getex", "k", "persist", "ex", "10"}, "-ERR syntax error\r\n"},
	{[]string{"getex", "k", "ex", "10", "persist"}, "-ERR syntax error\r\n"},
	{[]string{"getex", "k", "ex", "10", "ex", "20"}, "$1\r\nv\r\n"},
	{[]string{"ttl", "k"}, ":20\r\n"},
	{[]string{"getex", "nokey", "ex", "-5"}, "$-1\r\n"},
	{[]string{"getex", "k", "ex", "-5"}, "-ERR invalid expire time in 'getex' command\r\n"},
	{[]string{"getex", "k", "ex", "abc"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"getex", "nokey", "ex", "abc"}, "$-1\r\n"},
	{[]string{"getex", "nokey", "bogus"}, "-ERR syntax error\r\n"},
	{[]string{"getex", "k", "nx"}, "-ERR syntax error\r\n"},
	{[]string{"getex", "k", "keepttl"}, "-ERR syntax error\r\n"},
	{[]string{"getex", "k", "get"}, "-ERR syntax error\r\n"},
	{[]string{"getex", "k", "persist", "persist"}, "$1\r\nv\r\n"},
	{[]string{"ttl", "k"}, ":-1\r\n"},
	{[]string{"getex", "k", "px", "5000"}, "$1\r\nv\r\n"},
	{[]string{"ttl", "k"}, ":5\r\n"},
	{[]string{"getex", "k", "exat", "9999999999"}, "$1\r\nv\r\n"},
	{[]string{"expiretime", "k"}, ":9999999999\r\n"},
	{[]string{"getex", "k", "pxat", "1"}, "$1\r\nv\r\n"},
	{[]string{"exists", "k"}, ":0\r\n"},
	{[]string{"set", "k", "123"}, "+OK\r\n"},
	{[]string{"getex", "k", "exat", "9999999999"}, "$3\r\n123\r\n"},
	{[]string{"~wrongtype", "l"}, ""},
	{[]string{"getex", "l"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"getex", "l", "ex", "10"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"getex", "l", "ex", "-10"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"getex", "l", "foo"}, "-ERR syntax error\r\n"},
	{[]string{"~dirty"}, "0"},
	{[]string{"set", "k", "v"}, "+OK\r\n"},
	{[]string{"getex", "k"}, "$1\r\nv\r\n"},
	{[]string{"getex", "k", "persist"}, "$1\r\nv\r\n"},
	{[]string{"getex", "k", "ex", "100"}, "$1\r\nv\r\n"},
	{[]string{"getex", "k", "persist"}, "$1\r\nv\r\n"},
	{[]string{"getex", "k", "pxat", "1"}, "$1\r\nv\r\n"},
	{[]string{"getex", "k"}, "$-1\r\n"},
	{[]string{"~dirty"}, "4"},
}

var getdelGetsetSteps = []stringStep{
	{[]string{"set", "s", "abc"}, "+OK\r\n"},
	{[]string{"getdel", "s"}, "$3\r\nabc\r\n"},
	{[]string{"getdel", "s"}, "$-1\r\n"},
	{[]string{"get", "s"}, "$-1\r\n"},
	{[]string{"~wrongtype", "l"}, ""},
	{[]string{"getdel", "l"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"getset", "l", "v"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"getset", "s", "v"}, "$-1\r\n"},
	{[]string{"getset", "s", "123"}, "$1\r\nv\r\n"},
	{[]string{"get", "s"}, "$3\r\n123\r\n"},
	{[]string{"getset", "nokey", "x"}, "$-1\r\n"},
	{[]string{"get", "nokey"}, "$1\r\nx\r\n"},
	{[]string{"set", "t", "v", "ex", "100"}, "+OK\r\n"},
	{[]string{"getset", "t", "w"}, "$1\r\nv\r\n"},
	{[]string{"ttl", "t"}, ":-1\r\n"},
	{[]string{"~dirty"}, "5"},
	{[]string{"set", "s", "1"}, "+OK\r\n"},
	{[]string{"getdel", "s"}, "$1\r\n1\r\n"},
	{[]string{"getdel", "s"}, "$-1\r\n"},
	{[]string{"getset", "s", "2"}, "$-1\r\n"},
	{[]string{"~dirty"}, "3"},
}

var msetMgetSteps = []stringStep{
	{[]string{"mset", "a", "1", "b"}, "-ERR wrong number of arguments for 'mset' command\r\n"},
	{[]string{"msetnx", "a", "1", "b"}, "-ERR wrong number of arguments for 'msetnx' command\r\n"},
	{[]string{"mset", "a", "1", "b", "2"}, "+OK\r\n"},
	{[]string{"~wrongtype", "l"}, ""},
	{[]string{"mget", "a", "b", "c", "l"}, "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n$-1\r\n"},
	{[]string{"mget", "c"}, "*1\r\n$-1\r\n"},
	{[]string{"msetnx", "a", "1", "c", "2"}, ":0\r\n"},
	{[]string{"mget", "a", "c"}, "*2\r\n$1\r\n1\r\n$-1\r\n"},
	{[]string{"msetnx", "c", "1", "d", "2"}, ":1\r\n"},
	{[]string{"msetnx", "x", "1", "d", "2"}, ":0\r\n"},
	{[]string{"mget", "c", "d", "x"}, "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n"},
	{[]string{"msetnx", "e", "1", "e", "2"}, ":1\r\n"},
	{[]string{"get", "e"}, "$1\r\n2\r\n"},
	{[]string{"mset", "f", "1", "f", "2"}, "+OK\r\n"},
	{[]string{"get", "f"}, "$1\r\n2\r\n"},
	{[]string{"set", "t", "v", "ex", "100"}, "+OK\r\n"},
	{[]string{"mset", "t", "w"}, "+OK\r\n"},
	{[]string{"ttl", "t"}, ":-1\r\n"},
	{[]string{"mset", "l", "v"}, "+OK\r\n"},
	{[]string{"type", "l"}, "+string\r\n"},
	{[]string{"~dirty"}, "9"},
	{[]string{"mset", "a", "1", "b", "2", "a", "3"}, "+OK\r\n"},
	{[]string{"msetnx", "a", "1"}, ":0\r\n"},
	{[]string{"msetnx", "y", "1", "z", "2"}, ":1\r\n"},
	{[]string{"~dirty"}, "5"},
}

var appendStrlenSteps = []stringStep{
	{[]string{"append", "s", "hello"}, ":5\r\n"},
	{[]string{"append", "s", " world"}, ":11\r\n"},
	{[]string{"get", "s"}, "$11\r\nhello world\r\n"},
	{[]string{"strlen", "s"}, ":11\r\n"},
	{[]string{"append", "s", ""}, ":11\r\n"},
	{[]string{"strlen", "nokey"}, ":0\r\n"},
	{[]string{"~wrongtype", "l"}, ""},
	{[]string{"append", "l", "x"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"strlen", "l"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"set", "n", "-12"}, "+OK\r\n"},
	{[]string{"strlen", "n"}, ":3\r\n"},
	{[]string{"append", "n", "3"}, ":4\r\n"},
	{[]string{"get", "n"}, "$4\r\n-123\r\n"},
	{[]string{"set", "t", "v", "ex", "100"}, "+OK\r\n"},
	{[]string{"append", "t", "w"}, ":2\r\n"},
	{[]string{"ttl", "t"}, ":100\r\n"},
	{[]string{"append", "e", ""}, ":0\r\n"},
	{[]string{"exists", "e"}, ":1\r\n"},
	{[]string{"get", "e"}, "$0\r\n\r\n"},
}

var getrangeSteps = []stringStep{
	{[]string{"set", "s", "Hello World"}, "+OK\r\n"},
	{[]string{"getrange", "s", "0", "-1"}, "$11\r\nHello World\r\n"},
	{[]string{"getrange", "s", "-3", "-1"}, "$3\r\nrld\r\n"},
	{[]string{"getrange", "s", "-1", "-3"}, "$0\r\n\r\n"},
	{[]string{"getrange", "s", "5", "3"}, "$0\r\n\r\n"},
	{[]string{"getrange", "s", "-100", "100"}, "$11\r\nHello World\r\n"},
	{[]string{"getrange", "s", "100", "200"}, "$0\r\n\r\n"},
	{[]string{"getrange", "s", "0", "0"}, "$1\r\nH\r\n"},
	{[]string{"getrange", "s", "-1", "-1"}, "$1\r\nd\r\n"},
	{[]string{"getrange", "s", "20", "-1"}, "$0\r\n\r\n"},
	{[]string{"getrange", "s", "0", "9223372036854775807"}, "$11\r\nHello World\r\n"},
	{[]string{"getrange", "s", "-9223372036854775808", "-1"}, "$11\r\nHello World\r\n"},
	{[]string{"getrange", "s", "-9223372036854775808", "9223372036854775807"}, "$11\r\nHello World\r\n"},
	{[]string{"getrange", "s", "-5", "-100"}, "$0\r\n\r\n"},
	{[]string{"getrange", "s", "a", "1"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"getrange", "s", "1", "a"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"getrange", "nokey", "a", "1"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"getrange", "nokey", "0", "-1"}, "$0\r\n\r\n"},
	{[]string{"set", "e", ""}, "+OK\r\n"},
	{[]string{"getrange", "e", "0", "-1"}, "$0\r\n\r\n"},
	{[]string{"getrange", "e", "-1", "0"}, "$0\r\n\r\n"},
	{[]string{"getrange", "e", "0", "0"}, "$0\r\n\r\n"},
	{[]string{"set", "n", "12345"}, "+OK\r\n"},
	{[]string{"getrange", "n", "1", "2"}, "$2\r\n23\r\n"},
	{[]string{"substr", "s", "0", "4"}, "$5\r\nHello\r\n"},
	{[]string{"substr", "s", "0", "x"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"~wrongtype", "l"}, ""},
	{[]string{"getrange", "l", "0", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"getrange", "l", "x", "1"}, "-ERR value is not an integer or out of range\r\n"},
}

var setrangeSteps = []stringStep{
	{[]string{"set", "s", "Hello World"}, "+OK\r\n"},
	{[]string{"setrange", "s", "0", "ab"}, ":11\r\n"},
	{[]string{"get", "s"}, "$11\r\nabllo World\r\n"},
	{[]string{"setrange", "s", "-1", "ab"}, "-ERR offset is out of range\r\n"},
	{[]string{"setrange", "s", "x", "ab"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"setrange", "s", "1.5", "ab"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"setrange", "nokey", "5", ""}, ":0\r\n"},
	{[]string{"exists", "nokey"}, ":0\r\n"},
	{[]string{"setrange", "s", "100", ""}, ":11\r\n"},
	{[]string{"setrange", "s", "1", ""}, ":11\r\n"},
	{[]string{"setrange", "s", "20", "x"}, ":21\r\n"},
	{[]string{"get", "s"}, "$21\r\nabllo World\x00\x00\x00\x00\x00\x00\x00\x00\x00x\r\n"},
	{[]string{"setrange", "nk", "3", "abc"}, ":6\r\n"},
	{[]string{"get", "nk"}, "$6\r\n\x00\x00\x00abc\r\n"},
	{[]string{"setrange", "s", "1048575", ""}, ":21\r\n"},
	{[]string{"setrange", "s", "1048576", "a"}, "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"},
	{[]string{"setrange", "nokey2", "1048576", "a"}, "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"},
	{[]string{"setrange", "nokey2", "1048575", "ab"}, "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"},
	{[]string{"setrange", "nokey2", "9223372036854775807", "ab"}, "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"},
	{[]string{"setrange", "nokey2", "1048575", "a"}, ":1048576\r\n"},
	{[]string{"strlen", "nokey2"}, ":1048576\r\n"},
	{[]string{"~wrongtype", "l"}, ""},
	{[]string{"setrange", "l", "0", "a"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"setrange", "l", "0", ""}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"setrange", "l", "-1", "a"}, "-ERR offset is out of range\r\n"},
	{[]string{"set", "n", "123"}, "+OK\r\n"},
	{[]string{"setrange", "n", "1", "9"}, ":3\r\n"},
	{[]string{"get", "n"}, "$3\r\n193\r\n"},
	{[]string{"set", "t", "v", "ex", "100"}, "+OK\r\n"},
	{[]string{"setrange", "t", "0", "w"}, ":1\r\n"},
	{[]string{"ttl", "t"}, ":100\r\n"},
	{[]string{"~dirty"}, "4"},
	{[]string{"set", "s", "abc"}, "+OK\r\n"},
	{[]string{"setrange", "s", "0", ""}, ":3\r\n"},
	{[]string{"setrange", "s", "0", "x"}, ":3\r\n"},
	{[]string{"setrange", "new", "0", ""}, ":0\r\n"},
	{[]string{"~dirty"}, "2"},
}

var appendLimitSteps = []stringStep{
	{[]string{"setrange", "s", "1048570", "a"}, ":1048571\r\n"},
	{[]string{"append", "s", "abcde"}, ":1048576\r\n"},
	{[]string{"append", "s", "f"}, "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"},
	{[]string{"strlen", "s"}, ":1048576\r\n"},
	{[]string{"append", "s", ""}, ":1048576\r\n"},
}

var incrSteps = []stringStep{
	{[]string{"set", "a", "9223372036854775807"}, "+OK\r\n"},
	{[]string{"incr", "a"}, "-ERR increment or decrement would overflow\r\n"},
	{[]string{"incrby", "a", "0"}, ":9223372036854775807\r\n"},
	{[]string{"decr", "a"}, ":9223372036854775806\r\n"},
	{[]string{"incrby", "a", "1"}, ":9223372036854775807\r\n"},
	{[]string{"set", "b", "-9223372036854775808"}, "+OK\r\n"},
	{[]string{"decr", "b"}, "-ERR increment or decrement would overflow\r\n"},
	{[]string{"decrby", "b", "1"}, "-ERR increment or decrement would overflow\r\n"},
	{[]string{"incrby", "b", "-1"}, "-ERR increment or decrement would overflow\r\n"},
	{[]string{"decrby", "b", "-9223372036854775808"}, "-ERR decrement would overflow\r\n"},
	{[]string{"decrby", "x", "-9223372036854775808"}, "-ERR decrement would overflow\r\n"},
	{[]string{"incrby", "x", "abc"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"incrby", "x", "9223372036854775808"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"incrby", "x", " 1"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"decrby", "x", "1.5"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"exists", "x"}, ":0\r\n"},
	{[]string{"set", "s", " 1"}, "+OK\r\n"},
	{[]string{"incr", "s"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"set", "s", "01"}, "+OK\r\n"},
	{[]string{"incr", "s"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"set", "s", "-0"}, "+OK\r\n"},
	{[]string{"incr", "s"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"set", "s", "+1"}, "+OK\r\n"},
	{[]string{"incr", "s"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"set", "s", "1 "}, "+OK\r\n"},
	{[]string{"incr", "s"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"set", "s", ""}, "+OK\r\n"},
	{[]string{"incr", "s"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"set", "s", "1"}, "+OK\r\n"},
	{[]string{"expire", "s", "100"}, ":1\r\n"},
	{[]string{"incr", "s"}, ":2\r\n"},
	{[]string{"ttl", "s"}, ":100\r\n"},
	{[]string{"incrby", "s", "10"}, ":12\r\n"},
	{[]string{"decrby", "s", "3"}, ":9\r\n"},
	{[]string{"decr", "s"}, ":8\r\n"},
	{[]string{"decrby", "s", "-9"}, ":17\r\n"},
	{[]string{"incr", "nokey"}, ":1\r\n"},
	{[]string{"decr", "nokey2"}, ":-1\r\n"},
	{[]string{"incrby", "nokey3", "-5"}, ":-5\r\n"},
	{[]string{"decrby", "nokey4", "-5"}, ":5\r\n"},
	{[]string{"~wrongtype", "l"}, ""},
	{[]string{"incr", "l"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"incrby", "l", "abc"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"decrby", "l", "abc"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"incrby", "l", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"setrange", "r", "0", "42"}, ":2\r\n"},
	{[]string{"incr", "r"}, ":43\r\n"},
	{[]string{"append", "r", "7"}, ":3\r\n"},
	{[]string{"incr", "r"}, ":438\r\n"},
	{[]string{"~dirty"}, "4"},
	{[]string{"incr", "c"}, ":1\r\n"},
	{[]string{"incrby", "c", "0"}, ":1\r\n"},
	{[]string{"incr", "a"}, "-ERR increment or decrement would overflow\r\n"},
	{[]string{"~dirty"}, "2"},
}

var incrbyfloatSteps = []stringStep{
	{[]string{"set", "f", "10.5"}, "+OK\r\n"},
	{[]string{"incrbyfloat", "f", "0.1"}, "$4\r\n10.6\r\n"},
	{[]string{"incrbyfloat", "f", "0.4"}, "$2\r\n11\r\n"},
	{[]string{"incrbyfloat", "f", "-0.5"}, "$4\r\n10.5\r\n"},
	{[]string{"incrbyfloat", "f", "5.0e3"}, "$6\r\n5010.5\r\n"},
	{[]string{"incrbyfloat", "g", "3.0e3"}, "$4\r\n3000\r\n"},
	{[]string{"incrbyfloat", "g", "3.0E-3"}, "$22\r\n3000.00299999999999989\r\n"},
	{[]string{"incrbyfloat", "g", "inf"}, "-ERR increment would produce NaN or Infinity\r\n"},
	{[]string{"incrbyfloat", "g", "-inf"}, "-ERR increment would produce NaN or Infinity\r\n"},
	{[]string{"incrbyfloat", "g", "+inf"}, "-ERR increment would produce NaN or Infinity\r\n"},
	{[]string{"incrbyfloat", "g", "INFINITY"}, "-ERR increment would produce NaN or Infinity\r\n"},
	{[]string{"incrbyfloat", "g", "infinit"}, "-ERR value is not a valid float\r\n"},
	{[]string{"incrbyfloat", "g", "nan"}, "-ERR value is not a valid float\r\n"},
	{[]string{"incrbyfloat", "g", "-nan"}, "-ERR value is not a valid float\r\n"},
	{[]string{"incrbyfloat", "g", " 1"}, "-ERR value is not a valid float\r\n"},
	{[]string{"incrbyfloat", "g", "1 "}, "-ERR value is not a valid float\r\n"},
	{[]string{"incrbyfloat", "g", "0x10"}, "$22\r\n3016.00299999999999989\r\n"},
	{[]string{"incrbyfloat", "g", "0x1p-2"}, "$22\r\n3016.25299999999999989\r\n"},
	{[]string{"incrbyfloat", "g", "0X.8P1"}, "$22\r\n3017.25299999999999989\r\n"},
	{[]string{"incrbyfloat", "g", "0x"}, "-ERR value is not a valid float\r\n"},
	{[]string{"incrbyfloat", "g", "0x1p"}, "-ERR value is not a valid float\r\n"},
	{[]string{"incrbyfloat", "g", "1e-5000"}, "-ERR value is not a valid float\r\n"},
	{[]string{"incrbyfloat", "g", "1e5000"}, "-ERR value is not a valid float\r\n"},
	{[]string{"incrbyfloat", "g", "1e"}, "-ERR value is not a valid float\r\n"},
	{[]string{"incrbyfloat", "g", "e5"}, "-ERR value is not a valid float\r\n"},
	{[]string{"incrbyfloat", "g", "."}, "-ERR value is not a valid float\r\n"},
	{[]string{"incrbyfloat", "g", ""}, "-ERR value is not a valid float\r\n"},
	{[]string{"incrbyfloat", "g", "1.2.3"}, "-ERR value is not a valid float\r\n"},
	{[]string{"incrbyfloat", "g", "1,5"}, "-ERR value is not a valid float\r\n"},
	{[]string{"get", "g"}, "$22\r\n3017.25299999999999989\r\n"},
	{[]string{"incrbyfloat", "h", "1e308"}, "$308\r\n99999999999999999996685879655845645660560099847415567207797047994921734868838061872100126921888539320446747225054013223152134749593960583597420814430196418767959100019603190778663109604507106667939153395788938914560543563061268364901618630217086589253444881623791300855757318142424510452728255046343928578048\r\n"},
	{[]string{"incrbyfloat", "h", "1e308"}, "$309\r\n199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096\r\n"},
	{[]string{"strlen", "h"}, ":309\r\n"},
	{[]string{"incrbyfloat", "big", "1e400"}, "$401\r\n10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880\r\n"},
	{[]string{"incrbyfloat", "big2", "1e4932"}, "$4933\r\n1000000000000000000006018949387963891323837774254533114773785041352533019486608722407533327779433142773666525563666277682061860906440460336623416164931097542108653623739947237824273607755646282077337746770628281083461244709457643633409272844851420914666765408339856497738306756454137037618440476182982865954054046320908299555942321302503320602080070208203623921079151881460203745014774931620490030394998719312614654064081373493248877120892455186383753439197870978041502797716880193955403107721911638646256939484197293128160329482360996995779489224859264034146949087194820794222433687849284561987230134006305414553626323614864479565079390052761980633463640128979696615362545507608303960553830866145592644372289102918602696741767741297153998359263135897985849697638678310586803720024647593066044070323761747439375151949994191528876172274034561238465689530914002496208547488452249219821049217690359246594326188537200846025476936856707726986425804304053688317572380292690880454677852210458790733177421098965346383845533016192965653377533421097553773202105452559589360227732550843545717469715211293029277100649951579279463212875228768700827274629951331584994203243708412190948315614798641721054158397351395747758548328754270534225721361640356227816080094892433366902417454242382629232277544026609640255325557814321580325340352330660617642326696140257239552549121071985189443846777623334881929189773707008403466595204838733621633273383631944856989484138444978386656058755310848833689791896484998847550364264104800800578245511762594691161545730891319744107953897993101008217601269310629890308357893793344340072837782716410520818640099771094401772024731084835860689936533035726854175396195351768096519310944631445923638053214575993378468775292865871435742249777979822775014324475845899615096380079899099538453121043851821349178371736640702645304284254885437611441690360616466368202194307769462209963387690446576691969551571041941288302648912827345194286271122230347823246073498285153708579500062656222714954113329293953346495615947784091175883554988117167387650681525781361864450364992605079129770604793291076559668041153558254765774288831330658676910296506538343982699076824147706077401185501337053676875440863113630172067902223837838525802181406003942606507609826320015193807633035586661539150425605940691768637845815434184585255915074081317250319572700370579877977177644345205933505850374212779064837146242765034714569464306865784829936445754893825213995710137567750342556762329137973387913047300554841737506800154984198686923965286147079273203561004647365286049876790788288301130050437207489067798842078443360167772245834103629301041345252122743437501935254370757049878526838283810705343010153283985958550741661374001212323172562230037290597675029278865489570268803618001520280748588481858632332145422181524500970533738858652881625738158955840469334830106366243262210429210258173978186522208306814207038831590332622155464159216193005478809313772661406449321989529908990407599717265354887081027622412165764793106246309910984757869627982700885055259900973567128498437782671492610351088858271463387495833021819318548705558606395846070390500323204636339383655528123657438115225035433947543876805317781492691295772410403746456774175666884503175504415270824258750305653788473882671038340481278188648013647450190431469737277008003041204693859153544058059108384516541261521127088116402349679151317227395183628490922161336429757386698401928682323657056924758648793848799822907606679071280964393541325129231682456669123450140879120137931548652537601508656209183486928384515842973760163601756230697826779237275078471824258664382133759876151537532598429521999758431018087001817485300919479583171049967781322202936864648780744025361452947117776701129210049872555316467204668470989130203733391349501708713181244068921199587314823974568234174792429139799088587794666528769986602820375968045445209219875596678877912103336949894142378173648692130854177898020194629670311101994938157038765957014792056173739623614871557317714453597336202068774935086409386414223375141765601758268418764114651053088281009248246110195084364468926837572992870110411414878770616397817334529367403238061699632089293543118185299881280463481800696201966723511922556078483839325067415562633057448408746541808590342228476964416681055875561781810005936328191844815915658719683522845979901018335050006246392027657149580332319739660376707180429166280658258434773362764563277134220525779869893832824866422909928484939374964071386248088592408142723646533801882861736205992781965360090000802821408763787641023437653119263757280212773694655213507075717622521160227187157631635583682130089364682543007292042009976150135189415923413244100006421082817394988300265734422677548100741829682842668334472314928702968616204691717366798642916146473018363370523427203416579250811577900985980957404830019403600361860520985937973506956557739754741783354728589350876379371163141086538418113791886622720\r\n"},
	{[]string{"incrbyfloat", "big3", "1.2e4932"}, "-ERR value is not a valid float\r\n"},
	{[]string{"incrbyfloat", "z", "-0.0"}, "$1\r\n0\r\n"},
	{[]string{"incrbyfloat", "z", "5.0e-18"}, "$1\r\n0\r\n"},
	{[]string{"incrbyfloat", "z", "-1.5e-17"}, "$20\r\n-0.00000000000000002\r\n"},
	{[]string{"incrbyfloat", "z", ".5"}, "$19\r\n0.49999999999999998\r\n"},
	{[]string{"incrbyfloat", "z", "5."}, "$19\r\n5.49999999999999998\r\n"},
	{[]string{"incrbyfloat", "z", "1.23456789012345678901234567890"}, "$19\r\n6.73456789012345677\r\n"},
	{[]string{"incrbyfloat", "y", "0.1"}, "$3\r\n0.1\r\n"},
	{[]string{"incrbyfloat", "y", "0.2"}, "$3\r\n0.3\r\n"},
	{[]string{"incrbyfloat", "y", "1e17"}, "$25\r\n100000000000000000.296875\r\n"},
	{[]string{"incrbyfloat", "y", "1"}, "$25\r\n100000000000000001.296875\r\n"},
	{[]string{"incrbyfloat", "t", "0.000003814697265625"}, "$19\r\n0.00000381469726562\r\n"},
	{[]string{"incrbyfloat", "t2", "0.000003814697265624"}, "$19\r\n0.00000381469726562\r\n"},
	{[]string{"incrbyfloat", "t3", "0.000011444091796875"}, "$19\r\n0.00001144409179688\r\n"},
	{[]string{"incrbyfloat", "u", "1e-18"}, "$1\r\n0\r\n"},
	{[]string{"incrbyfloat", "u", "-1e-18"}, "$1\r\n0\r\n"},
	{[]string{"incrbyfloat", "u", "-1e-18"}, "$1\r\n0\r\n"},
	{[]string{"incrbyfloat", "v", "12345678901234567890"}, "$20\r\n12345678901234567890\r\n"},
	{[]string{"incrbyfloat", "v", "0.5"}, "$20\r\n12345678901234567890\r\n"},
	{[]string{"incrbyfloat", "w", "1.7976931348623157e308"}, "$309\r\n179769313486231569995921046774104434048386446944329178485314420765176628523124396354701868608387085564428793419425520689308708363451136055357897278026477617073498977686288394835618163294045594434929537447290627480669417384648879122776218333598953852832103282504751611691208117720159985926376802466863339536384\r\n"},
	{[]string{"incrbyfloat", "w", "1e4000"}, "$4000\r\n9999999999999999999965463873099623784932492583506957631301508333043261943306342355481821641865509279862764452073123673540217602217367592344172125881950527999961428582434354754501870958214290741301143014670445026260849443456275333742340822559146220440774502699147116818307775566773571206492036312963397368761826079538161612036724681027980418945071857333802019573184376407974737742100582963439581302474746605828071068162266095350249109360981931695942123253872362355720717867859931997116967823535175344886417435948827492668424224514931596965124928426557313007272003654181606637829648718026332623445964659599411688673612401217012598120557489288735334437118479345590827013160426634334036145971611294094499267930097645158316924242084444005046275789316854264698962537519604804648202558831813320199082274810678546966662106272497006996186529202046612197927965030663016053612055682060855170989021069998476304668166868798327849305544516958630545705436267868123963090419840720786295093297923233166989307185493468005963513556052273926524815064535863034951177115665985606171666708242756198962303861871354719181381961379671761938984704505073921618907144272449828915839083978037993280452559586965504199368256134650271468844247174823646278663567437132739306516943311285144568895817811521270234335023202809923439313537168685792314272771667847310402459453149183490692769538329516243242927105447175974956565949859259880257266623432431660986751258600816348320837727852352371818896648343700947852991058969433541705132345122524048434688325138322933085183721655672137865396358471035067214167360617119527605272354771447437560932908789355181041081978971762346557568230767574027302293460544968752081768656824879994376355163920300385095919688678670907760987187661793434717175760350651419537956103182910121364884637262102263204295329279620360536203761315194554053188934218409316246410738656203852138992492444404026342210499619140876855921277988778676947892152806854950785068014727125536739702656962611964401436187934885803420611286745134838665415365691409110464038694668899344879845822942763373039719688602810444439928037135468898274565353630059446256169978689065593420848456038274366567225299549352683650770160551908116011723880315176381390821744087191159014840466408422036463264182928434780181167746977398743042449413105215463884123801578726746967721334558724520471115335862516435283282393832140500259762370795907195418122260308331006030210104962511689458912869480521025430134047382228141350554394390210188326863538753083190329578149617392735325345607293804019789613107204439729055324106921126322671020066709317012835936925695594694910121291991133040352454029415895421330627924576068200470892536792435143079137382774440346196002593999683669353176553680054317921648423581639781664231716459539510456753265337998256664529200852939049468855419289097785303294946449752258791882954794558753338748235175173730073178466259683916437044889075282877916869627991289792183586849679291189074136405526988632104737613205959150473631599616592564842952439858033179702368199753306698362201401506479407699236396521519654661597132309737381973903141889548031713181771968965861360007055846791276712592611475612847974647898601585527666227738929689128212619681144409905588974943980927948431950098268346459649230305689978542029932792436486452896735925004194782587516473457624352639480090109507295735020460456725638145957022317397784209033998721254961060890916634094880983552750508881669349308347772834504388303087113341878104141612215788330206835981183895501665502020020640589210848902416003156361626873160836225566347750269512599746786860171326806831029087653660341164708808802454022881699049392139574016756146192644415820839590797897050551922334947406004738872332042844089285302334417905996381190171610168845316435533461235902086067935935005063001450522174581772443096538389199989128731679326545348278957788061762018807017602515186853205589875909910708079333605047010115738478105476750550150020629864357825543441956972190272729951206648276349901340672\r\n"},
	{[]string{"incrbyfloat", "sub", "1e-4940"}, "$1\r\n0\r\n"},
	{[]string{"incrbyfloat", "sub2", "3.6e-4951"}, "$1\r\n0\r\n"},
	{[]string{"incrbyfloat", "sub3", "1.8e-4951"}, "-ERR value is not a valid float\r\n"},
	{[]string{"incrbyfloat", "sub4", "0x1p-16445"}, "$1\r\n0\r\n"},
	{[]string{"incrbyfloat", "sub5", "0x1p-16446"}, "-ERR value is not a valid float\r\n"},
	{[]string{"incrbyfloat", "sub6", "0x1.8p-16446"}, "$1\r\n0\r\n"},
	{[]string{"incrbyfloat", "m", "1.18973149535723176502e+4932"}, "$4933\r\n1189731495357231765021263853030970205169063322294624200440323733891737005522970722616410290336528882853545697807495577314427443153670288434198125573853743678673593200706973263201915918282961524365529510646791086614311790632169778838896134786560600399148753433211454911160088679845154866512852340149773037600009125479393966223151383622417838542743917838138717805889487540575168226347659235576974805113725649020884855222494791399377585026011773549180099796226026859508558883608159846900235645132346594476384939859276456284579661772930407806609229102715046085388087959327781622986827547830768080040150694942303411728957777100335714010559775242124057347007386251660110828379119623008469277200965153500208474470792443848545912886723000619085126472111951361467527633519562927597957250278002980795904193139603021470997035276467445530922022679656280991498232083329641241038509239184734786121921697210543484287048353408113042573002216421348917347174234800714880751002064390517234247656004721768096486107994943415703476320643558624207443504424380566136017608837478165389027809576975977286860071487028287955567141404632615832623602762896316173978484254486860609948270867968048078702511858930838546584223040908805996294594586201903766048446790926002225410530775901065760671347200125846406957030257138960983757998926954553052368560758683179223113639519468850880771872104705203957587480013143131444254943919940175753169339392366881856189129931729104252921236835159922322050998001677102784035360140829296398115122877768135706045789343535451696539561254048846447169786893211671087229088082778350518228857646062218739702851655083720992349483334435228984751232753726636066213902281264706234075352071724058665079518217303463782631353393706774901950197841690441824738063162828586857741432581165364040218402724913393320949219498422442730427019873044536620350262386957804682003601447291997123095530057206141866974852846856186514832715974481203121946751686379343096189615107330065552421485195201762858595091051839472502863871632494167613804996319791441870254302706758495192008837915169401581740046711477877201459644461175204059453504764721807975761111720846273639279600339670470037613374509553184150073796412605047923251661354841291884211340823015473304754067072818763503617332908005951896325207071673904547777129682265206225651439919376804400292380903112437912614776255964694221981375146967079446870358004392507659451618379811859392049544036114915310782251072691486979809240946772142727012404377187409216756613634938900451232351668146089322400697993176017805338191849981933008410985993938760292601390911414526003720284872132411955424282101831204216104467404621635336900583664606591156298764745525068145003932941404131495400677602951005962253022823003631473824681059648442441324864573137437595096416168048024129351876204668135636877532814675538798871771836512893947195335061885003267607354388673368002074387849657014576090349857571243045102038730494854256702479339322809110526041538528994849203991091946129912491633289917998094380337879522093131466946149705939664152375949285890960489916121944989986384837022486672249148924678410206183364627416969576307632480235587975245253737035433882960862753427740016333434055083537048507374544819754722228975281083020898682633020285259923084168054539687911418297629988964576482765287504562854924265165217750799516259669229114977788962356670956627138482018191348321687995863652637620978285070099337294396784639879024914514222742527006363942327998483976739987154418554201562244154926653014515504685489258620276085761837129763358761215382565129633538141663949516556000264159186554850057052611431952919918807954522394649627635630178580896692226406235382898535867595990647008385687123810329591926494846250768992258419305480763620215089022149220528069842018350840586938493815498909445461977893029113576516775406232278298314033473276603952231603422824717528181818844304880921321933550869873395861276073670866652375555675803171490108477320096424318780070008797346032906278943553743564448851907191616455141155761939399690767415156402826543664026760095087523945507341556135867933066031744720924446513532366647649735400851967040771103640538150073486891798364049570606189535005089840913826869535090066783324472578712196604415284924840041850932811908963634175739897166596000759487800619164094854338758520657116541072260996288150123144377944008749301944744330784388995701842710004808305012177123560622895076269042856800047718893158089358515593863176652948089031267747029662545110861548958395087796755464137944895960527975209874813839762578592105756284401759349324162148339565350189196811389091843795734703269406342890087805846940352453479398080674273236297887100867175802531561302356064878709259865288416350972529537091114317204887747405539054009425375424119317944175137064689643861517718849867010341532542385911089624710885385808688837777258648564145934262121086647588489260031762345960769508849149662444156604419552086811989770240\r\n"},
	{[]string{"incrbyfloat", "m2", "1.18973149535723176508e+4932"}, "-ERR value is not a valid float\r\n"},
	{[]string{"incrbyfloat", "m3", "0x1.fffffffffffffffep16383"}, "$4933\r\n1189731495357231765021263853030970205169063322294624200440323733891737005522970722616410290336528882853545697807495577314427443153670288434198125573853743678673593200706973263201915918282961524365529510646791086614311790632169778838896134786560600399148753433211454911160088679845154866512852340149773037600009125479393966223151383622417838542743917838138717805889487540575168226347659235576974805113725649020884855222494791399377585026011773549180099796226026859508558883608159846900235645132346594476384939859276456284579661772930407806609229102715046085388087959327781622986827547830768080040150694942303411728957777100335714010559775242124057347007386251660110828379119623008469277200965153500208474470792443848545912886723000619085126472111951361467527633519562927597957250278002980795904193139603021470997035276467445530922022679656280991498232083329641241038509239184734786121921697210543484287048353408113042573002216421348917347174234800714880751002064390517234247656004721768096486107994943415703476320643558624207443504424380566136017608837478165389027809576975977286860071487028287955567141404632615832623602762896316173978484254486860609948270867968048078702511858930838546584223040908805996294594586201903766048446790926002225410530775901065760671347200125846406957030257138960983757998926954553052368560758683179223113639519468850880771872104705203957587480013143131444254943919940175753169339392366881856189129931729104252921236835159922322050998001677102784035360140829296398115122877768135706045789343535451696539561254048846447169786893211671087229088082778350518228857646062218739702851655083720992349483334435228984751232753726636066213902281264706234075352071724058665079518217303463782631353393706774901950197841690441824738063162828586857741432581165364040218402724913393320949219498422442730427019873044536620350262386957804682003601447291997123095530057206141866974852846856186514832715974481203121946751686379343096189615107330065552421485195201762858595091051839472502863871632494167613804996319791441870254302706758495192008837915169401581740046711477877201459644461175204059453504764721807975761111720846273639279600339670470037613374509553184150073796412605047923251661354841291884211340823015473304754067072818763503617332908005951896325207071673904547777129682265206225651439919376804400292380903112437912614776255964694221981375146967079446870358004392507659451618379811859392049544036114915310782251072691486979809240946772142727012404377187409216756613634938900451232351668146089322400697993176017805338191849981933008410985993938760292601390911414526003720284872132411955424282101831204216104467404621635336900583664606591156298764745525068145003932941404131495400677602951005962253022823003631473824681059648442441324864573137437595096416168048024129351876204668135636877532814675538798871771836512893947195335061885003267607354388673368002074387849657014576090349857571243045102038730494854256702479339322809110526041538528994849203991091946129912491633289917998094380337879522093131466946149705939664152375949285890960489916121944989986384837022486672249148924678410206183364627416969576307632480235587975245253737035433882960862753427740016333434055083537048507374544819754722228975281083020898682633020285259923084168054539687911418297629988964576482765287504562854924265165217750799516259669229114977788962356670956627138482018191348321687995863652637620978285070099337294396784639879024914514222742527006363942327998483976739987154418554201562244154926653014515504685489258620276085761837129763358761215382565129633538141663949516556000264159186554850057052611431952919918807954522394649627635630178580896692226406235382898535867595990647008385687123810329591926494846250768992258419305480763620215089022149220528069842018350840586938493815498909445461977893029113576516775406232278298314033473276603952231603422824717528181818844304880921321933550869873395861276073670866652375555675803171490108477320096424318780070008797346032906278943553743564448851907191616455141155761939399690767415156402826543664026760095087523945507341556135867933066031744720924446513532366647649735400851967040771103640538150073486891798364049570606189535005089840913826869535090066783324472578712196604415284924840041850932811908963634175739897166596000759487800619164094854338758520657116541072260996288150123144377944008749301944744330784388995701842710004808305012177123560622895076269042856800047718893158089358515593863176652948089031267747029662545110861548958395087796755464137944895960527975209874813839762578592105756284401759349324162148339565350189196811389091843795734703269406342890087805846940352453479398080674273236297887100867175802531561302356064878709259865288416350972529537091114317204887747405539054009425375424119317944175137064689643861517718849867010341532542385911089624710885385808688837777258648564145934262121086647588489260031762345960769508849149662444156604419552086811989770240\r\n"},
	{[]string{"incrbyfloat", "m4", "0x1.ffffffffffffffffp16383"}, "-ERR value is not a valid float\r\n"},
	{[]string{"incrbyfloat", "m3", "1e4913"}, "-ERR increment would produce NaN or Infinity\r\n"},
	{[]string{"set", "q", "abc"}, "+OK\r\n"},
	{[]string{"incrbyfloat", "q", "1"}, "-ERR value is not a valid float\r\n"},
	{[]string{"incrbyfloat", "q", "abc"}, "-ERR value is not a valid float\r\n"},
	{[]string{"set", "n", "123"}, "+OK\r\n"},
	{[]string{"incrbyfloat", "n", "0.5"}, "$5\r\n123.5\r\n"},
	{[]string{"~wrongtype", "l"}, ""},
	{[]string{"incrbyfloat", "l", "abc"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"incrbyfloat", "l", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"set", "t4", "v", "ex", "100"}, "+OK\r\n"},
	{[]string{"set", "t4", "1", "keepttl"}, "+OK\r\n"},
	{[]string{"incrbyfloat", "t4", "1.5"}, "$3\r\n2.5\r\n"},
	{[]string{"ttl", "t4"}, ":100\r\n"},
	{[]string{"set", "i", "9223372036854775807"}, "+OK\r\n"},
	{[]string{"incrbyfloat", "i", "1"}, "$19\r\n9223372036854775808\r\n"},
	{[]string{"incrbyfloat", "i2", "-9223372036854775808"}, "$20\r\n-9223372036854775808\r\n"},
	{[]string{"incrbyfloat", "i3", "18446744073709551617"}, "$20\r\n18446744073709551616\r\n"},
	{[]string{"incrbyfloat", "i4", "0.1e1"}, "$1\r\n1\r\n"},
	{[]string{"incrbyfloat", "i5", "1000000000000000000000000000000000000000000000000"}, "$49\r\n1000000000000000000032669174688018665404243116032\r\n"},
	{[]string{"incrbyfloat", "i6", "000001.5"}, "$3\r\n1.5\r\n"},
	{[]string{"incrbyfloat", "i7", "-000"}, "$1\r\n0\r\n"},
	{[]string{"~dirty"}, "11"},
	{[]string{"incrbyfloat", "d", "1"}, "$1\r\n1\r\n"},
	{[]string{"incrbyfloat", "d", "x"}, "-ERR value is not a valid float\r\n"},
	{[]string{"~dirty"}, "1"},
}

var lcsSteps = []stringStep{
	{[]string{"mset", "key1", "ohmytext", "key2", "mynewtext"}, "+OK\r\n"},
	{[]string{"lcs", "key1", "key2"}, "$6\r\nmytext\r\n"},
	{[]string{"lcs", "key1", "key2", "len"}, ":6\r\n"},
	{[]string{"lcs", "key1", "key2", "idx"}, "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"},
	{[]string{"lcs", "key1", "key2", "idx", "minmatchlen", "4"}, "*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n"},
	{[]string{"lcs", "key1", "key2", "idx", "minmatchlen", "4", "withmatchlen"}, "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"},
	{[]string{"lcs", "key1", "key2", "idx", "withmatchlen"}, "*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"},
	{[]string{"lcs", "key1", "key2", "len", "idx"}, "-ERR If you want both the length and indexes, please just use IDX.\r\n"},
	{[]string{"lcs", "key1", "key2", "idx", "len"}, "-ERR If you want both the length and indexes, please just use IDX.\r\n"},
	{[]string{"lcs", "key1", "key2", "len", "withmatchlen"}, ":6\r\n"},
	{[]string{"lcs", "key1", "key2", "withmatchlen"}, "$6\r\nmytext\r\n"},
	{[]string{"lcs", "key1", "key2", "minmatchlen", "4"}, "$6\r\nmytext\r\n"},
	{[]string{"lcs", "key1", "key2", "minmatchlen"}, "-ERR syntax error\r\n"},
	{[]string{"lcs", "key1", "key2", "minmatchlen", "x"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"lcs", "key1", "key2", "minmatchlen", "-5", "idx"}, "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"},
	{[]string{"lcs", "key1", "key2", "foo"}, "-ERR syntax error\r\n"},
	{[]string{"lcs", "key1", "key2", "LEN", "LEN"}, ":6\r\n"},
	{[]string{"lcs", "key1", "key2", "IDX", "MINMATCHLEN", "2", "WITHMATCHLEN"}, "*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"},
	{[]string{"lcs", "key1", "nokey"}, "$0\r\n\r\n"},
	{[]string{"lcs", "key1", "nokey", "idx"}, "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"},
	{[]string{"lcs", "nokey", "nokey2", "len"}, ":0\r\n"},
	{[]string{"lcs", "key1", "key1", "idx", "withmatchlen"}, "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:0\r\n:7\r\n*2\r\n:0\r\n:7\r\n:8\r\n$3\r\nlen\r\n:8\r\n"},
	{[]string{"~wrongtype", "l"}, ""},
	{[]string{"lcs", "key1", "l"}, "-ERR The specified keys must contain string values\r\n"},
	{[]string{"lcs", "l", "key1", "foo"}, "-ERR The specified keys must contain string values\r\n"},
	{[]string{"lcs", "key1", "l", "len"}, "-ERR The specified keys must contain string values\r\n"},
	{[]string{"set", "n1", "12345"}, "+OK\r\n"},
	{[]string{"set", "n2", "2345"}, "+OK\r\n"},
	{[]string{"lcs", "n1", "n2"}, "$4\r\n2345\r\n"},
	{[]string{"set", "a", ""}, "+OK\r\n"},
	{[]string{"lcs", "a", "key1", "idx", "withmatchlen"}, "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"},
	{[]string{"mset", "x1", "ACCGGTCGAGTGCGCGGAAGCCGGCCGAA", "x2", "GTCGTTCGGAATGCCGTTGCTCTGTAAA"}, "+OK\r\n"},
	{[]string{"lcs", "x1", "x2"}, "$20\r\nGTCGTCGGAAGCCGGCCGAA\r\n"},
	{[]string{"lcs", "x1", "x2", "idx", "withmatchlen"}, "*4\r\n$7\r\nmatches\r\n*8\r\n*3\r\n*2\r\n:27\r\n:28\r\n*2\r\n:26\r\n:27\r\n:2\r\n*3\r\n*2\r\n:26\r\n:26\r\n*2\r\n:23\r\n:23\r\n:1\r\n*3\r\n*2\r\n:25\r\n:25\r\n*2\r\n:21\r\n:21\r\n:1\r\n*3\r\n*2\r\n:23\r\n:24\r\n*2\r\n:18\r\n:19\r\n:2\r\n*3\r\n*2\r\n:19\r\n:22\r\n*2\r\n:12\r\n:15\r\n:4\r\n*3\r\n*2\r\n:14\r\n:18\r\n*2\r\n:6\r\n:10\r\n:5\r\n*3\r\n*2\r\n:9\r\n:10\r\n*2\r\n:3\r\n:4\r\n:2\r\n*3\r\n*2\r\n:4\r\n:6\r\n*2\r\n:0\r\n:2\r\n:3\r\n$3\r\nlen\r\n:20\r\n"},
	{[]string{"lcs", "x2", "x1", "idx"}, "*4\r\n$7\r\nmatches\r\n*8\r\n*2\r\n*2\r\n:26\r\n:27\r\n*2\r\n:27\r\n:28\r\n*2\r\n*2\r\n:23\r\n:23\r\n*2\r\n:26\r\n:26\r\n*2\r\n*2\r\n:21\r\n:21\r\n*2\r\n:25\r\n:25\r\n*2\r\n*2\r\n:18\r\n:19\r\n*2\r\n:23\r\n:24\r\n*2\r\n*2\r\n:12\r\n:15\r\n*2\r\n:19\r\n:22\r\n*2\r\n*2\r\n:6\r\n:10\r\n*2\r\n:14\r\n:18\r\n*2\r\n*2\r\n:5\r\n:5\r\n*2\r\n:10\r\n:10\r\n*2\r\n*2\r\n:0\r\n:3\r\n*2\r\n:4\r\n:7\r\n$3\r\nlen\r\n:20\r\n"},
	{[]string{"mset", "y1", "aaaa", "y2", "aa"}, "+OK\r\n"},
	{[]string{"lcs", "y1", "y2", "idx", "withmatchlen"}, "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:2\r\n"},
	{[]string{"lcs", "y2", "y1", "idx", "withmatchlen"}, "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:0\r\n:1\r\n*2\r\n:2\r\n:3\r\n:2\r\n$3\r\nlen\r\n:2\r\n"},
	{[]string{"mset", "z1", "abcabcabc", "z2", "cbacbacba"}, "+OK\r\n"},
	{[]string{"lcs", "z1", "z2", "idx", "withmatchlen"}, "*4\r\n$7\r\nmatches\r\n*5\r\n*3\r\n*2\r\n:8\r\n:8\r\n*2\r\n:6\r\n:6\r\n:1\r\n*3\r\n*2\r\n:7\r\n:7\r\n*2\r\n:4\r\n:4\r\n:1\r\n*3\r\n*2\r\n:6\r\n:6\r\n*2\r\n:2\r\n:2\r\n:1\r\n*3\r\n*2\r\n:4\r\n:4\r\n*2\r\n:1\r\n:1\r\n:1\r\n*3\r\n*2\r\n:2\r\n:2\r\n*2\r\n:0\r\n:0\r\n:1\r\n$3\r\nlen\r\n:5\r\n"},
}

var lcsRESP3Steps = []stringStep{
	{[]string{"mset", "key1", "ohmytext", "key2", "mynewtext"}, "+OK\r\n"},
	{[]string{"hello", "3"}, ""},
	{[]string{"lcs", "key1", "key2", "idx", "withmatchlen"}, "%2\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"},
	{[]string{"lcs", "key1", "nokey", "idx"}, "%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"},
	{[]string{"set", "k", "v", "nx"}, "+OK\r\n"},
	{[]string{"set", "k", "v", "xx"}, "+OK\r\n"},
	{[]string{"set", "k", "v", "nx", "get"}, "$1\r\nv\r\n"},
	{[]string{"getdel", "nokey"}, "_\r\n"},
	{[]string{"mget", "k", "nokey"}, "*2\r\n$1\r\nv\r\n_\r\n"},
	{[]string{"bitfield", "k", "overflow", "fail", "incrby", "u2", "0", "10"}, "*1\r\n_\r\n"},
}
