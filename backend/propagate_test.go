package backend

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shardis/shardis/internal/resp"
)

// recSink collects what commands propagate, checking on every call that
// the shards it is told are held are locked and that the records are
// complete RESP arrays.
type recSink struct {
	t   testing.TB
	srv *Server

	mu     sync.Mutex
	calls  [][]string // one entry per Propagate call: "db: cmd args..." per record
	locked []string   // what Locked announced, "db:shard,..." per call
}

// checkHeld fails the test unless every shard of held is locked.
func (k *recSink) checkHeld(what string, held []HeldShards) string {
	var b strings.Builder
	for _, h := range held {
		for i := 0; i < nShards; i++ {
			if h.Shards&(1<<i) == 0 {
				continue
			}
			fmt.Fprintf(&b, "%d:%d,", h.DB, i)
			if k.srv.dbs[h.DB].shards[i].mu.TryLock() {
				k.srv.dbs[h.DB].shards[i].mu.Unlock()
				k.t.Errorf("%s: db %d shard %d said held but not locked", what, h.DB, i)
			}
		}
	}
	return b.String()
}

func (k *recSink) Locked(held []HeldShards) {
	s := k.checkHeld("Locked", held)
	k.mu.Lock()
	k.locked = append(k.locked, s)
	k.mu.Unlock()
}

func (k *recSink) Propagate(recs []Record, held []HeldShards) {
	k.checkHeld("Propagate", held)
	var call []string
	for _, r := range recs {
		args, err := parseRecord(r.Cmd)
		if err != nil {
			k.t.Errorf("record %q: %v", r.Cmd, err)
			continue
		}
		call = append(call, fmt.Sprintf("%d: %s", r.DB, strings.Join(args, " ")))
	}
	k.mu.Lock()
	k.calls = append(k.calls, call)
	k.mu.Unlock()
}

// parseRecord checks that cmd is exactly one RESP array and returns its
// arguments.
func parseRecord(cmd []byte) ([]string, error) {
	if len(cmd) == 0 || cmd[0] != '*' {
		return nil, fmt.Errorf("not a RESP array")
	}
	r := resp.NewReader(bytes.NewReader(cmd))
	args, err := r.ReadCommand()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = string(a)
	}
	if _, err := r.ReadCommand(); err != io.EOF {
		return nil, fmt.Errorf("bytes after the array (%v)", err)
	}
	return out, nil
}

// take returns the calls collected so far and forgets them.
func (k *recSink) take() [][]string {
	k.mu.Lock()
	defer k.mu.Unlock()
	c := k.calls
	k.calls, k.locked = nil, nil
	return c
}

// takeLocked returns what Locked announced so far and forgets it.
func (k *recSink) takeLocked() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	l := k.locked
	k.locked = nil
	return l
}

func TestPropagateLockedAnnounced(t *testing.T) {
	s, k, c := startRecording(t)
	// Two keys in different shards.
	a, b := "a", "b"
	for i := 0; shardIndex([]byte(a)) == shardIndex([]byte(b)); i++ {
		b = "b" + strconv.Itoa(i)
	}
	sa, sb := shardIndex([]byte(a)), shardIndex([]byte(b))
	c.do("SET", a, "1")
	k.take()
	c.do("RENAME", a, b)
	lo, hi := min(sa, sb), max(sa, sb)
	if got, want := fmt.Sprint(k.takeLocked()), fmt.Sprintf("[0:%d,0:%d,]", lo, hi); got != want {
		t.Errorf("RENAME across shards announced %s, want %s", got, want)
	}
	c.do("MULTI")
	c.do("SET", a, "1")
	c.do("EXEC")
	if got, want := fmt.Sprint(k.takeLocked()), fmt.Sprintf("[0:%d,]", sa); got != want {
		t.Errorf("EXEC announced %s, want %s", got, want)
	}
	_ = s
}

// startRecording starts a server whose Sink is a recSink.
func startRecording(t *testing.T) (*Server, *recSink, *testConn) {
	t.Helper()
	s, addr := startTestServer(t)
	k := &recSink{t: t, srv: s}
	s.SetSink(k)
	return s, k, dialTest(t, addr)
}

// expireNow makes key's time run out without waiting.
func expireNow(t *testing.T, s *Server, db int, key string) {
	t.Helper()
	d := s.db(db)
	sh := d.shard([]byte(key))
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := sh.dict.find([]byte(key))
	if e == nil {
		t.Fatalf("expireNow: no key %q", key)
	}
	sh.setExpire(e, 1)
}

func TestPropagateExpiredKeys(t *testing.T) {
	s, k, c := startRecording(t)
	s.activeExpire.Store(false)
	c.expect("+OK\r\n", "SET", "k", "v")
	c.expect("+OK\r\n", "SET", "k2", "v")
	k.take()
	// Lazy expiry, in a read: DEL alone.
	expireNow(t, s, 0, "k")
	c.expect("$-1\r\n", "GET", "k")
	if got := k.take(); fmt.Sprint(got) != "[[0: DEL k]]" {
		t.Errorf("GET of an expired key propagated %q", got)
	}
	// Active expiry: no client, one DEL per key.
	expireNow(t, s, 0, "k2")
	s.activeExpireCycle(1 << 50)
	if got := k.take(); fmt.Sprint(got) != "[[0: DEL k2]]" {
		t.Errorf("active expiry propagated %q", got)
	}
	// Nothing listens: nothing recorded, and nothing breaks.
	s.SetSink(nil)
	c.expect("+OK\r\n", "SET", "k3", "v")
	expireNow(t, s, 0, "k3")
	c.expect("$-1\r\n", "GET", "k3")
	if got := k.take(); len(got) != 0 {
		t.Errorf("with no sink: %q", got)
	}
}

// msPattern matches the absolute times in records.
var msPattern = regexp.MustCompile(`\b1[0-9]{12}\b`)

// TestPropagateEffects checks, command by command, the records a write
// propagates: its effects as redis-server 7.0 logs them. Absolute times
// read "<ms>" and are checked to be within a few seconds of now plus the
// relative time asked (the "+N" after them in want, in ms).
func TestPropagateEffects(t *testing.T) {
	steps := []struct {
		args []string
		want string // the calls, each "[rec rec ...]"; "" for none
	}{
		// Strings.
		{[]string{"SET", "s", "v"}, "[[0: SET s v]]"},
		{[]string{"SET", "s", "v", "EX", "100"}, "[[0: SET s v PXAT <ms>+100000]]"},
		{[]string{"SET", "s", "v", "PX", "5000", "GET"}, "[[0: SET s v PXAT <ms>+5000]]"},
		{[]string{"SET", "s", "v", "NX"}, ""},
		{[]string{"SET", "s", "w", "XX", "KEEPTTL"}, "[[0: SET s w XX KEEPTTL]]"},
		{[]string{"SETEX", "s", "10", "v"}, "[[0: SET s v PXAT <ms>+10000]]"},
		{[]string{"PSETEX", "s", "10000", "v"}, "[[0: SET s v PXAT <ms>+10000]]"},
		{[]string{"SETNX", "s", "v"}, ""},
		{[]string{"GETSET", "s", "x"}, "[[0: SET s x]]"},
		{[]string{"GETEX", "s", "EX", "20"}, "[[0: PEXPIREAT s <ms>+20000]]"},
		{[]string{"GETEX", "s", "PERSIST"}, "[[0: PERSIST s]]"},
		{[]string{"GETEX", "s", "PERSIST"}, ""},
		{[]string{"GETEX", "s"}, ""},
		{[]string{"GETEX", "s", "PXAT", "1"}, "[[0: DEL s]]"},
		{[]string{"GETDEL", "s"}, ""},
		{[]string{"SET", "n", "1.5"}, "[[0: SET n 1.5]]"},
		{[]string{"INCRBYFLOAT", "n", "0.25"}, "[[0: SET n 1.75 KEEPTTL]]"},
		{[]string{"INCRBYFLOAT", "n", "x"}, ""},
		{[]string{"GETDEL", "n"}, "[[0: DEL n]]"},
		{[]string{"INCR", "i"}, "[[0: INCR i]]"},
		{[]string{"APPEND", "i", "x"}, "[[0: APPEND i x]]"},
		{[]string{"SETRANGE", "i", "0", ""}, ""},
		{[]string{"MSET", "a", "1", "b", "2"}, "[[0: MSET a 1 b 2]]"},
		{[]string{"MSETNX", "a", "1", "c", "2"}, ""},
		{[]string{"SETBIT", "bits", "7", "1"}, "[[0: SETBIT bits 7 1]]"},
		{[]string{"SETBIT", "bits", "7", "1"}, ""},
		{[]string{"BITOP", "OR", "bo", "bits", "a"}, "[[0: BITOP OR bo bits a]]"},
		{[]string{"BITFIELD", "bf", "GET", "u8", "0"}, ""},
		{[]string{"BITFIELD", "bf", "INCRBY", "u8", "0", "5"}, "[[0: BITFIELD bf INCRBY u8 0 5]]"},
		// Keys and expiries.
		{[]string{"DEL", "nosuch"}, ""},
		{[]string{"DEL", "a", "nosuch"}, "[[0: DEL a nosuch]]"},
		{[]string{"EXPIRE", "b", "100"}, "[[0: PEXPIREAT b <ms>+100000]]"},
		{[]string{"PEXPIRE", "b", "90000", "GT"}, ""},
		{[]string{"PEXPIRE", "b", "200000", "GT"}, "[[0: PEXPIREAT b <ms>+200000 GT]]"},
		{[]string{"EXPIREAT", "b", "4000000000"}, "[[0: PEXPIREAT b 4000000000000]]"},
		{[]string{"PEXPIREAT", "b", "4000000000000", "XX"}, "[[0: PEXPIREAT b 4000000000000 XX]]"},
		{[]string{"PERSIST", "b"}, "[[0: PERSIST b]]"},
		{[]string{"PERSIST", "b"}, ""},
		{[]string{"EXPIRE", "nosuch", "10"}, ""},
		{[]string{"EXPIRE", "b", "-1"}, "[[0: DEL b]]"},
		{[]string{"RENAME", "i", "j"}, "[[0: RENAME i j]]"},
		{[]string{"RENAMENX", "j", "j"}, ""},
		{[]string{"COPY", "j", "k", "DB", "3"}, "[[0: COPY j k DB 3]]"},
		{[]string{"MOVE", "j", "3"}, "[[0: MOVE j 3]]"},
		{[]string{"MOVE", "nosuch", "3"}, ""},
		{[]string{"SWAPDB", "0", "3"}, "[[0: SWAPDB 0 3]]"},
		{[]string{"SELECT", "3"}, ""},
		{[]string{"FLUSHDB"}, "[[3: FLUSHDB]]"},
		{[]string{"SELECT", "0"}, ""},
		// Lists.
		{[]string{"RPUSH", "l", "a", "b", "c", "d"}, "[[0: RPUSH l a b c d]]"},
		{[]string{"LPUSHX", "nosuch", "a"}, ""},
		{[]string{"LPOP", "l"}, "[[0: LPOP l]]"},
		{[]string{"RPOP", "l", "0"}, ""},
		{[]string{"LMPOP", "2", "nosuch", "l", "RIGHT", "COUNT", "10"}, "[[0: RPOP l 3]]"},
		{[]string{"RPUSH", "l", "a", "b", "c"}, "[[0: RPUSH l a b c]]"},
		{[]string{"RPOPLPUSH", "l", "l2"}, "[[0: LMOVE l l2 RIGHT LEFT]]"},
		{[]string{"BLMOVE", "l", "l2", "LEFT", "RIGHT", "0"}, "[[0: LMOVE l l2 LEFT RIGHT]]"},
		{[]string{"BLPOP", "nosuch", "l", "0"}, "[[0: LPOP l]]"},
		{[]string{"BLMPOP", "0", "1", "l2", "LEFT", "COUNT", "1"}, "[[0: LPOP l2 1]]"},
		{[]string{"LREM", "l2", "0", "zz"}, ""},
		{[]string{"LTRIM", "l2", "0", "-1"}, ""},
		{[]string{"LTRIM", "l2", "1", "-1"}, "[[0: LTRIM l2 1 -1]]"},
		// Hashes.
		{[]string{"HSET", "h", "f", "1"}, "[[0: HSET h f 1]]"},
		{[]string{"HSETNX", "h", "f", "2"}, ""},
		{[]string{"HDEL", "h", "nosuch"}, ""},
		{[]string{"HINCRBYFLOAT", "h", "f", "0.5"}, "[[0: HSET h f 1.5]]"},
		{[]string{"HINCRBY", "h", "g", "2"}, "[[0: HINCRBY h g 2]]"},
		// Sets.
		{[]string{"SADD", "st", "only"}, "[[0: SADD st only]]"},
		{[]string{"SADD", "st", "only"}, ""},
		{[]string{"SPOP", "st"}, "[[0: SREM st only]]"},
		{[]string{"SPOP", "st"}, ""},
		{[]string{"SADD", "st", "1", "2", "3"}, "[[0: SADD st 1 2 3]]"},
		{[]string{"SPOP", "st", "3"}, "[[0: DEL st]]"},
		{[]string{"SINTERSTORE", "dst", "nosuch"}, ""},
		{[]string{"SADD", "st", "1"}, "[[0: SADD st 1]]"},
		{[]string{"SUNIONSTORE", "dst", "st"}, "[[0: SUNIONSTORE dst st]]"},
		{[]string{"SMOVE", "dst", "st", "1"}, "[[0: SMOVE dst st 1]]"},
		// Sorted sets.
		{[]string{"ZADD", "z", "1", "a", "2", "b", "3", "c"}, "[[0: ZADD z 1 a 2 b 3 c]]"},
		{[]string{"ZADD", "z", "1", "a"}, ""},
		{[]string{"ZINCRBY", "z", "1", "a"}, "[[0: ZINCRBY z 1 a]]"},
		{[]string{"ZPOPMIN", "z"}, "[[0: ZPOPMIN z]]"},
		{[]string{"ZMPOP", "1", "z", "MAX", "COUNT", "5"}, "[[0: ZPOPMAX z 2]]"},
		{[]string{"ZADD", "z", "1", "a", "2", "b"}, "[[0: ZADD z 1 a 2 b]]"},
		{[]string{"BZPOPMAX", "z", "0"}, "[[0: ZPOPMAX z]]"},
		{[]string{"BZMPOP", "0", "1", "z", "MIN"}, "[[0: ZPOPMIN z 1]]"},
		{[]string{"ZREMRANGEBYSCORE", "z", "0", "10"}, ""},
		{[]string{"ZADD", "z", "1", "a", "2", "b"}, "[[0: ZADD z 1 a 2 b]]"},
		{[]string{"ZRANGESTORE", "z2", "z", "0", "0"}, "[[0: ZRANGESTORE z2 z 0 0]]"},
		{[]string{"ZUNIONSTORE", "z3", "1", "nosuch"}, ""},
		// HyperLogLog.
		{[]string{"PFADD", "hll", "a"}, "[[0: PFADD hll a]]"},
		{[]string{"PFADD", "hll", "a"}, ""},
		{[]string{"PFCOUNT", "hll"}, "[[0: PFCOUNT hll]]"},
		{[]string{"PFCOUNT", "hll"}, ""},
		// Transactions: one call, the effects in order.
		{[]string{"MULTI"}, ""},
		{[]string{"SET", "t", "1"}, ""},
		{[]string{"DEL", "nosuch"}, ""},
		{[]string{"SELECT", "2"}, ""},
		{[]string{"INCRBYFLOAT", "t", "1"}, ""},
		{[]string{"SET", "t", "1", "PX", "1000"}, ""},
		{[]string{"SELECT", "0"}, ""},
		{[]string{"EXEC"}, "[[0: SET t 1 2: INCRBYFLOAT-SET 2: SET t 1 PXAT <ms>+1000]]"},
		{[]string{"MULTI"}, ""},
		{[]string{"GET", "t"}, ""},
		{[]string{"EXEC"}, ""},
		{[]string{"FLUSHALL"}, "[[0: FLUSHALL]]"},
	}
	_, k, c := startRecording(t)
	for _, st := range steps {
		before := time.Now().UnixMilli()
		c.do(st.args...)
		after := time.Now().UnixMilli()
		got := ""
		if calls := k.take(); len(calls) > 0 {
			got = fmt.Sprint(calls)
		}
		want := strings.ReplaceAll(st.want, "INCRBYFLOAT-SET", "SET t 1 KEEPTTL")
		if !matchTimes(got, want, before, after) {
			t.Errorf("%q propagated %q, want %q", st.args, got, want)
		}
	}
}

// matchTimes compares got with want, where want's "<ms>+N" stands for an
// absolute time within [before+N, after+N].
func matchTimes(got, want string, before, after int64) bool {
	wantParts := strings.Split(want, "<ms>+")
	if len(wantParts) == 1 {
		return got == want
	}
	for i, part := range wantParts {
		if i == 0 {
			if !strings.HasPrefix(got, part) {
				return false
			}
			got = got[len(part):]
			continue
		}
		j := 0
		for j < len(part) && part[j] >= '0' && part[j] <= '9' {
			j++
		}
		delta, _ := strconv.ParseInt(part[:j], 10, 64)
		loc := msPattern.FindStringIndex(got)
		if loc == nil || loc[0] != 0 {
			return false
		}
		ms, _ := strconv.ParseInt(got[:loc[1]], 10, 64)
		if ms < before+delta || ms > after+delta {
			return false
		}
		got = got[loc[1]:]
		if !strings.HasPrefix(got, part[j:]) {
			return false
		}
		got = got[len(part)-j:]
	}
	return got == ""
}

func TestPropagateBlockedAndExpiredInWrite(t *testing.T) {
	s, k, c := startRecording(t)
	s.activeExpire.Store(false)
	addr := c.nc.RemoteAddr().String() // s.Addr() is set by Serve, which may not have run yet

	// A key found expired by a write: its DEL comes first, in the same call.
	c.do("SET", "x", "v")
	expireNow(t, s, 0, "x")
	c.do("SET", "x", "w")
	calls := k.take()
	if got := fmt.Sprint(calls); got != "[[0: SET x v] [0: DEL x 0: SET x w]]" {
		t.Errorf("write over an expired key: %q", got)
	}

	// Blocked clients served by a push: the push, then each pop as its
	// non-blocking form.
	for _, tc := range []struct {
		block []string
		push  []string
		want  string
	}{
		{[]string{"BLPOP", "q", "0"}, []string{"RPUSH", "q", "a", "b"}, "[[0: RPUSH q a b] [0: LPOP q]]"},
		{[]string{"BLMOVE", "q2", "d", "RIGHT", "LEFT", "0"}, []string{"LPUSH", "q2", "a"}, "[[0: LPUSH q2 a] [0: LMOVE q2 d RIGHT LEFT]]"},
		{[]string{"BLMPOP", "0", "1", "q3", "RIGHT", "COUNT", "5"}, []string{"LPUSH", "q3", "a", "b"}, "[[0: LPUSH q3 a b] [0: RPOP q3 2]]"},
		{[]string{"BZPOPMIN", "zq", "0"}, []string{"ZADD", "zq", "1", "a"}, "[[0: ZADD zq 1 a] [0: ZPOPMIN zq]]"},
		{[]string{"BZMPOP", "0", "1", "zq", "MAX", "COUNT", "2"}, []string{"ZADD", "zq", "1", "a", "2", "b", "3", "c"}, "[[0: ZADD zq 1 a 2 b 3 c] [0: ZPOPMAX zq 2]]"},
	} {
		b := dialTest(t, addr)
		b.nc.Write(resp.AppendCommand(nil, tc.block...))
		waitUntil(t, func() bool { return s.blocking.waiting.Load() == 1 })
		c.do(tc.push...)
		b.rr.ReadRaw()
		if got := fmt.Sprint(k.take()); got != tc.want {
			t.Errorf("%q served by %q: %q, want %q", tc.block, tc.push, got, tc.want)
		}
	}
	k.take()
	c.do("FLUSHALL")
	k.take()
}

// waitUntil polls cond for up to ten seconds.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

// nopSink receives records and keeps nothing.
type nopSink struct{ n int }

func (k *nopSink) Propagate(recs []Record, held []HeldShards) { k.n += len(recs) }

// TestPropagateNoAllocs checks that recording costs no allocation in the
// steady state: the record buffer, the records and the held shards are
// reused from command to command.
func TestPropagateNoAllocs(t *testing.T) {
	s, _ := startTestServer(t)
	k := &nopSink{}
	s.SetSink(k)
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	c := newClient(s, a)
	for _, args := range [][]string{
		{"SET", "k", "value"},
		{"SET", "k", "value", "EX", "100"},
		{"INCR", "n"},
		{"EXPIRE", "n", "100"},
		{"HSET", "h", "f", "v"},
		{"SETRANGE", "k", "1", "x"},
		{"GETEX", "k", "PX", "100000"},
		{"MSET", "a", "1", "b", "2"},
	} {
		argv := make([][]byte, len(args))
		for i, a := range args {
			argv[i] = []byte(a)
		}
		c.execute(argv) // first run: the key and the buffers exist
		before := k.n
		allocs := testing.AllocsPerRun(200, func() {
			c.execute(argv)
			c.w.Truncate(0)
		})
		if allocs != 0 {
			t.Errorf("%q with a sink: %.1f allocations per command", args, allocs)
		}
		if k.n == before {
			t.Errorf("%q: nothing propagated", args)
		}
	}
}

// BenchmarkPropagate measures a command executed without a Sink and with
// one that keeps nothing: the cost of recording.
func BenchmarkPropagate(b *testing.B) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"SET", []string{"SET", "key:000001", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}},
		{"SET-EX", []string{"SET", "key:000001", "xxx", "EX", "1000"}},
		{"INCR", []string{"INCR", "counter"}},
		{"HSET", []string{"HSET", "h", "field", "value"}},
	} {
		argv := make([][]byte, len(tc.args))
		for i, a := range tc.args {
			argv[i] = []byte(a)
		}
		for _, withSink := range []bool{false, true} {
			name := tc.name + "/nosink"
			if withSink {
				name = tc.name + "/sink"
			}
			b.Run(name, func(b *testing.B) {
				s, _ := startTestServer(b)
				if withSink {
					s.SetSink(&nopSink{})
				}
				x, y := net.Pipe()
				b.Cleanup(func() { x.Close(); y.Close() })
				c := newClient(s, x)
				b.ReportAllocs()
				for b.Loop() {
					c.execute(argv)
					c.w.Truncate(0)
				}
			})
		}
	}
}

func TestPropagateRestoreAndPopulate(t *testing.T) {
	opts := DefaultOptions()
	opts.EnableDebugCommand = "yes"
	s, addr := startTestServerOptions(t, opts)
	k := &recSink{t: t, srv: s}
	s.SetSink(k)
	c := dialTest(t, addr)
	c.do("SET", "src", "v")
	payload := string(c.do("DUMP", "src").Str)
	k.take()
	before := time.Now().UnixMilli()
	c.do("RESTORE", "r1", "5000", payload)
	after := time.Now().UnixMilli()
	got := fmt.Sprint(k.take())
	want := "[[0: RESTORE r1 <ms>+5000 " + payload + " ABSTTL]]"
	if !matchTimes(got, want, before, after) {
		t.Errorf("RESTORE with a relative TTL propagated %q, want %q", got, want)
	}
	c.do("RESTORE", "r2", "4000000000000", payload, "ABSTTL")
	if got, want := fmt.Sprint(k.take()), "[[0: RESTORE r2 4000000000000 "+payload+" ABSTTL]]"; got != want {
		t.Errorf("RESTORE ABSTTL propagated %q, want %q", got, want)
	}
	c.do("RESTORE", "r2", "1", payload, "ABSTTL", "REPLACE")
	if got, want := fmt.Sprint(k.take()), "[[0: DEL r2]]"; got != want {
		t.Errorf("RESTORE REPLACE in the past propagated %q, want %q", got, want)
	}
	c.do("RESTORE", "r3", "1", payload, "ABSTTL")
	if got := k.take(); len(got) != 0 {
		t.Errorf("RESTORE of a new key in the past propagated %q", got)
	}
	c.do("DEBUG", "POPULATE", "2", "p")
	if got, want := fmt.Sprint(k.take()), "[[0: SET p:0 value:0] [0: SET p:1 value:1]]"; got != want {
		t.Errorf("DEBUG POPULATE propagated %q, want %q", got, want)
	}
}
