package e2e

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Multi-connection differential tests for publish/subscribe and keyspace
// notifications: the same steps run on several connections to redis-server
// and to the target, and what each connection receives, replies and pushes
// alike, is compared byte for byte.
//
// A barrier makes the pushes comparable: after a step, PING <token> on a
// subscribed connection is answered after every push that step caused (both
// servers queue a push before the publishing command's reply), so the bytes
// read before PING's reply are exactly that step's pushes.

// Sections of DIFFERENCES.md for the relaxations below.
const diffPubsubOrder = "Order of pushes for several matching patterns, and of mass unsubscriptions"

// fleet drives n connections to each server in lockstep: connection i of
// the oracle and connection i of the target get the same commands.
type fleet struct {
	t        testing.TB
	label    string
	o, g     []*side
	proto    []int
	compared int
	token    int
	history  []string
}

func newFleet(t testing.TB, label, oracle, target string, n int) *fleet {
	t.Helper()
	f := &fleet{t: t, label: label, proto: make([]int, n)}
	for i := 0; i < n; i++ {
		f.o = append(f.o, dialSide(t, "redis-server", oracle))
		f.g = append(f.g, dialSide(t, serverName(target), target))
		f.proto[i] = 2
	}
	return f
}

func (f *fleet) remember(s string) {
	f.history = append(f.history, s)
	if len(f.history) > 12 {
		f.history = f.history[1:]
	}
}

func (f *fleet) fail(format string, args ...any) {
	f.t.Helper()
	f.t.Errorf("[%s] %s\nlast steps:\n  %s", f.label, fmt.Sprintf(format, args...), strings.Join(f.history, "\n  "))
}

// send writes args on connection c of both servers.
func (f *fleet) send(c int, args ...string) {
	f.t.Helper()
	f.remember(fmt.Sprintf("conn %d: %s", c, quoteArgs(args)))
	for _, s := range []*side{f.o[c], f.g[c]} {
		if err := s.send(args); err != nil {
			f.t.Fatalf("[%s] %v", f.label, err)
		}
	}
}

// recv reads one reply (or push) from connection c of both servers and
// compares the bytes.
func (f *fleet) recv(c int) (reply, reply) {
	f.t.Helper()
	oraw, o, err := f.o[c].recv()
	if err != nil {
		f.t.Fatalf("[%s] conn %d: %v", f.label, c, err)
	}
	graw, g, err := f.g[c].recv()
	if err != nil {
		f.t.Fatalf("[%s] conn %d: %v", f.label, c, err)
	}
	f.compared++
	if string(oraw) != string(graw) {
		f.fail("conn %d:\n redis-server: %s\n %s: %s", c, quoteRaw(oraw), f.g[c].name, quoteRaw(graw))
	}
	return o, g
}

// do runs one command on connection c and compares the replies.
func (f *fleet) do(c int, args ...string) reply {
	f.t.Helper()
	f.send(c, args...)
	var o reply
	if strings.EqualFold(args[0], "HELLO") {
		// The client IDs differ (see diffIdentity).
		oraw, or, err1 := f.o[c].recv()
		graw, gr, err2 := f.g[c].recv()
		if err1 != nil || err2 != nil {
			f.t.Fatalf("[%s] HELLO: %v %v", f.label, err1, err2)
		}
		if d := helloEqual(or, gr, oraw, graw); d != "" {
			f.fail("conn %d HELLO: %s", c, d)
		}
		o = or
	} else {
		o, _ = f.recv(c)
	}
	if strings.EqualFold(args[0], "HELLO") && len(args) > 1 && !o.isError() {
		f.proto[c], _ = strconv.Atoi(args[1])
	}
	if strings.EqualFold(args[0], "RESET") {
		f.proto[c] = 2
	}
	return o
}

// doN runs a command that answers with n replies (SUBSCRIBE a b c).
func (f *fleet) doN(c, n int, args ...string) {
	f.t.Helper()
	f.send(c, args...)
	for i := 0; i < n; i++ {
		f.recv(c)
	}
}

// pushes returns the raw pushes connection c of side s received before the
// reply to PING token.
func (f *fleet) pushes(s *side, token string) []string {
	f.t.Helper()
	var out []string
	for n := 0; ; n++ {
		if n > 100000 {
			f.t.Fatalf("[%s] %s: no barrier reply", f.label, s.name)
		}
		raw, r, err := s.recv()
		if err != nil {
			f.t.Fatalf("[%s] %s: %v (pushes so far %q)", f.label, s.name, err, out)
		}
		if r.str == token || (len(r.elems) == 2 && r.elems[0].str == "pong" && r.elems[1].str == token) {
			return out
		}
		out = append(out, string(raw))
	}
}

// barrier reads what connection c was pushed since the last barrier and
// compares it; unordered compares the pushes as a multiset (see
// diffPubsubOrder).
func (f *fleet) barrier(c int, unordered bool) []string {
	f.t.Helper()
	f.token++
	token := "barrier-" + strconv.Itoa(f.token)
	for _, s := range []*side{f.o[c], f.g[c]} {
		if err := s.send([]string{"PING", token}); err != nil {
			f.t.Fatalf("[%s] %v", f.label, err)
		}
	}
	o, g := f.pushes(f.o[c], token), f.pushes(f.g[c], token)
	f.compared += len(o) + 1
	if unordered {
		o, g = sortedCopy(o), sortedCopy(g)
	}
	if strings.Join(o, "") != strings.Join(g, "") {
		f.fail("conn %d pushes:\n redis-server: %q\n %s: %q", c, o, f.g[c].name, g)
	}
	return o
}

func sortedCopy(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

// quiet checks that connection c was pushed nothing more.
func (f *fleet) quiet(c int) {
	f.t.Helper()
	if got := f.barrier(c, false); len(got) > 0 {
		f.fail("conn %d: unexpected pushes %q", c, got)
	}
}

// infoPubsub compares INFO's pub/sub figures on connection c (the rest
// of INFO differs by design, see diffInfo).
func (f *fleet) infoPubsub(c int) {
	f.t.Helper()
	f.send(c, "INFO", "stats")
	var lines [2]string
	for i, s := range []*side{f.o[c], f.g[c]} {
		_, r, err := s.recv()
		if err != nil {
			f.t.Fatalf("[%s] INFO: %v", f.label, err)
		}
		for _, l := range strings.Split(r.str, "\r\n") {
			if strings.HasPrefix(l, "pubsub") {
				lines[i] += l + ";"
			}
		}
	}
	f.compared++
	if lines[0] != lines[1] || lines[0] == "" {
		f.fail("INFO pub/sub fields: redis-server %q, %s %q", lines[0], f.g[c].name, lines[1])
	}
}

// line runs a redis-cli style line on connection c.
func (f *fleet) line(c int, line string) reply {
	f.t.Helper()
	args, err := splitArgs(line)
	if err != nil {
		f.t.Fatalf("[%s] %q: %v", f.label, line, err)
	}
	for i, a := range args {
		args[i] = expand(a)
	}
	return f.do(c, args...)
}

// TestInteropPubsubDifferential: subscriptions, messages, subscribed-mode
// rules, PUBSUB introspection, RESET and QUIT, in both protocols.
func TestInteropPubsubDifferential(t *testing.T) {
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	if lacks := targetLacks(t, target, [][]string{{"PUBLISH", "probe:ch", "x"}}); len(lacks) > 0 {
		t.Skipf("the target does not implement %v yet", lacks)
	}
	total := 0
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			f := newFleet(t, "pubsub RESP"+proto, oracle, target, 3)
			defer func() { total += f.compared }()
			const sub, pub, sub2 = 0, 1, 2
			f.do(pub, "FLUSHALL")
			f.do(sub, "HELLO", proto)
			f.do(sub, "SUBSCRIBE", "news")
			f.quiet(sub)
			f.do(pub, "PUBLISH", "news", "hello")
			f.barrier(sub, false)
			f.do(pub, "PUBLISH", "other", "x")
			f.quiet(sub)
			for _, payload := range []string{"", "\x00\xff\r\n", strings.Repeat("p", 100000), "news"} {
				f.do(pub, "PUBLISH", "news", payload)
			}
			f.barrier(sub, false)
			f.do(sub, "PSUBSCRIBE", "n*")
			f.do(pub, "PUBLISH", "news", "two")
			f.barrier(sub, false)
			f.do(pub, "PUBLISH", "nothing", "three")
			f.barrier(sub, false)
			f.doN(sub, 3, "SUBSCRIBE", "a", "b", "a")
			f.doN(sub, 3, "UNSUBSCRIBE", "a", "zz", "b")
			f.do(sub, "UNSUBSCRIBE", "news")
			f.do(pub, "PUBLISH", "news", "four")
			f.barrier(sub, false)
			f.do(sub, "PUNSUBSCRIBE", "n*")
			f.do(pub, "PUBLISH", "news", "five")
			f.quiet(sub)
			f.do(sub, "UNSUBSCRIBE")
			f.do(sub, "PUNSUBSCRIBE")
			f.do(sub, "SUNSUBSCRIBE")
			f.do(sub, "PUNSUBSCRIBE", "nothing*")

			// Two subscribers, one in each protocol.
			other := "3"
			if proto == "3" {
				other = "2"
			}
			f.do(sub2, "HELLO", other)
			f.do(sub, "SUBSCRIBE", "news")
			f.do(sub2, "SUBSCRIBE", "news")
			f.do(sub2, "PSUBSCRIBE", "*s")
			f.do(pub, "PUBLISH", "news", "both")
			f.barrier(sub, false)
			f.barrier(sub2, false)
			f.do(pub, "PUBSUB", "NUMSUB", "news", "nothing")
			f.do(pub, "PUBSUB", "NUMSUB")
			f.do(pub, "PUBSUB", "NUMPAT")
			f.do(pub, "PUBSUB", "CHANNELS")
			f.do(pub, "PUBSUB", "CHANNELS", "n*")
			f.do(pub, "PUBSUB", "CHANNELS", "x*")
			f.do(pub, "PUBSUB", "CHANNELS", "a", "b")
			f.do(pub, "PUBSUB", "SHARDCHANNELS")
			f.do(pub, "PUBSUB", "SHARDNUMSUB", "news")
			f.do(pub, "PUBSUB", "HELP")
			f.do(pub, "PUBSUB", "NOSUCH")
			f.do(pub, "PUBSUB")
			f.do(pub, "PUBLISH", "news")
			f.do(pub, "PUBLISH", "news", "a", "b")
			f.do(pub, "SUBSCRIBE")
			f.do(pub, "PSUBSCRIBE")
			f.do(pub, "SSUBSCRIBE")
			f.do(pub, "SPUBLISH", "news")

			// Shard channels: their own count, no patterns.
			f.do(sub, "SSUBSCRIBE", "shard1")
			f.do(pub, "SPUBLISH", "shard1", "s-msg")
			f.do(pub, "PUBLISH", "shard1", "not-shard")
			f.do(pub, "SPUBLISH", "news", "not-news")
			f.barrier(sub, false)
			f.do(pub, "PUBSUB", "SHARDCHANNELS")
			f.do(pub, "PUBSUB", "SHARDCHANNELS", "shard*")
			f.do(pub, "PUBSUB", "SHARDNUMSUB", "shard1", "x")
			f.infoPubsub(pub)
			f.do(sub, "SUNSUBSCRIBE", "shard1")
			f.do(sub, "SUNSUBSCRIBE", "shard1")

			// The subscribed-mode rules (RESP2) or their absence (RESP3).
			for _, l := range []string{`GET k`, `SET k v`, `CONFIG GET maxmemory`, `CLIENT GETNAME`, `MULTI`, `DISCARD`, `PING`,
				`PING x`, `PING a b`, `nosuch`, `GET`, `ECHO x`, `SELECT 0`, `SUBSCRIBE news`} {
				f.line(sub, l)
			}
			// A message to itself (RESP3 can publish while subscribed).
			if proto == "3" {
				f.send(sub, "PUBLISH", "news", "self")
				f.recv(sub)
				f.recv(sub)
			}
			f.do(sub, "RESET")
			f.do(pub, "PUBLISH", "news", "after-reset")
			f.quiet(sub)
			f.do(sub, "GET", "k")
			f.do(pub, "PUBSUB", "NUMSUB", "news")

			// QUIT while subscribed.
			f.do(sub2, "QUIT")
		})
	}
	t.Logf("compared %d replies and pushes against %s", total, diffTarget())
}

// TestInteropPubsubReplyModes: confirmations and messages are pushes that
// CLIENT REPLY OFF and SKIP do not silence; MULTI/EXEC around (un)subscribe
// and PUBLISH.
func TestInteropPubsubReplyModes(t *testing.T) {
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	if lacks := targetLacks(t, target, [][]string{{"PUBLISH", "probe:ch", "x"}}); len(lacks) > 0 {
		t.Skipf("the target does not implement %v yet", lacks)
	}
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			f := newFleet(t, "pubsub reply modes RESP"+proto, oracle, target, 2)
			const sub, pub = 0, 1
			f.do(sub, "HELLO", proto)
			f.do(sub, "SUBSCRIBE", "c1")
			if proto == "3" {
				f.send(sub, "CLIENT", "REPLY", "OFF")
				f.do(pub, "PUBLISH", "c1", "off")
				f.recv(sub)
				f.send(sub, "SUBSCRIBE", "c2")
				f.recv(sub)
				f.send(sub, "GET", "nothing")
				f.do(sub, "CLIENT", "REPLY", "ON")
				f.send(sub, "CLIENT", "REPLY", "SKIP")
				f.send(sub, "SUBSCRIBE", "c3")
				f.recv(sub)
				f.do(pub, "PUBLISH", "c1", "skip")
				f.barrier(sub, false)
			}
			f.do(sub, "RESET")
			f.do(sub, "HELLO", proto)
			f.do(sub, "MULTI")
			f.do(sub, "SUBSCRIBE", "m1")
			f.do(sub, "PUBLISH", "m1", "inside")
			f.do(sub, "PSUBSCRIBE", "m*")
			f.do(sub, "SSUBSCRIBE", "s1")
			f.do(sub, "PUBLISH", "m1", "again")
			f.do(sub, "EXEC")
			// In RESP2 the messages EXEC made sit inside its array as
			// extra elements (as redis-server writes them): the frames
			// after the array's count are read through the barrier.
			f.barrier(sub, false)
			f.do(pub, "PUBLISH", "m1", "outside")
			f.barrier(sub, false)
			f.do(sub, "RESET")
			f.do(sub, "MULTI")
			f.do(sub, "UNSUBSCRIBE", "nothing")
			f.do(sub, "PUNSUBSCRIBE")
			f.do(sub, "EXEC")
			f.do(sub, "PING")
		})
	}
}

// keyspaceEventLines exercise every event the string, bit and generic key
// commands publish, with the types other engineers own when the target
// implements them.
var keyspaceEventLines = []string{
	`SET k v`, `SET k v2 EX 100`, `SET k v2 NX`, `SET k v3 GET`, `SET k v KEEPTTL`, `SET k v XX PX 100000`,
	`GET nokey`, `GET k`, `MGET nokey k`, `INCR n`, `INCRBYFLOAT n 1.5`, `INCRBY n x`, `DECR n2`, `DECRBY n2 2`,
	`APPEND k x`, `APPEND k ""`, `SETRANGE k 0 y`, `SETRANGE k2 0 ""`, `SETRANGE k 0 ""`, `STRLEN nokey`,
	`MSET a 1 b 2`, `MSETNX a 1 c 3`, `MSETNX d 1 e 3`, `GETEX a EX 100`, `GETEX a PERSIST`, `GETEX a PERSIST`,
	`GETEX a EXAT 1`, `GETEX nokey EX 10`, `GETDEL b`, `GETDEL nokey`, `GETSET c 9`, `SETEX c 100 v`,
	`PSETEX c 100000 v`, `SETNX c v`, `SETNX c2 v`, `EXPIRE c 100`, `EXPIRE c 100 NX`, `EXPIRE c 200 GT`,
	`PEXPIRE c 1000000 XX`, `EXPIREAT c {now+1000}`, `PERSIST c`, `PERSIST c`, `EXPIRE c 0`, `PEXPIREAT c2 1`,
	`EXPIRE nokey 10`, `TTL nokey`, `TYPE nokey`, `EXISTS nokey k`, `TOUCH nokey k`, `OBJECT ENCODING nokey`,
	`SET r 1`, `RENAME r r2`, `SET r 1`, `RENAME r r2`, `RENAMENX r2 r2`, `RENAME r2 r2`, `RENAMENX r2 k`,
	`RENAME nokey x`, `MOVE r2 1`, `MOVE k 1`, `COPY k k3`, `COPY k k3`, `COPY k k3 REPLACE`, `COPY k k3 DB 2`,
	`COPY nokey k4`, `DEL k3 nonex k`, `UNLINK r2 e`, `DEL nokey`,
	`SETBIT bb 3 1`, `SETBIT bb 3 1`, `SETBIT bb 3 0`, `SETBIT bb 100 0`, `GETBIT nokey 1`, `BITCOUNT nokey`,
	`BITOP AND dest bb zz`, `BITOP AND dest nokey`, `BITOP NOT dest bb`, `BITOP OR dest nokey nokey2`,
	`BITFIELD bf SET u8 0 1`, `BITFIELD bf GET u8 0`, `BITFIELD bf INCRBY u8 0 0`, `BITFIELD bf INCRBY u8 0 1`,
	`BITFIELD_RO bf GET u8 0`, `BITFIELD nokey GET u8 0`, `LCS nokey bb`,
	`SET x 1`, `@dumprestore x y 0`, `@dumprestore x y 0 REPLACE`, `@dumprestore x y {nowms-1000} ABSTTL REPLACE`,
	`SET x 1 PX 1`, `@wait 10`, `GET x`, `SET x 1 PX 1`, `@wait 10`, `SET x 2`, `SET x 1 PX 1`, `@wait 10`,
	`EXISTS x`, `SET x 1 PX 1`, `@wait 10`, `SCAN 0 TYPE string`, `DBSIZE`,
	`SWAPDB 0 1`, `SELECT 1`, `SET s 1`, `FLUSHDB`, `SELECT 0`, `FLUSHALL`,
}

// keyspaceEventTypeLines are the other types' events (hash, list, set,
// zset), run when the target implements the type.
var keyspaceEventTypeLines = []struct {
	probe []string
	lines []string
}{
	{[]string{"HSET", "probe:h", "f", "v"}, []string{`HSET h a 1`, `HINCRBY h a 1`, `HDEL h a`, `HGET nokey a`}},
	{[]string{"RPUSH", "probe:l", "x"}, []string{`RPUSH l a b c`, `LPUSH l z`, `LPOP l`, `RPOP l 2`, `LSET l 0 q`,
		`LINSERT l BEFORE q p`, `LREM l 0 p`, `LTRIM l 0 0`, `LMOVE l l2 LEFT RIGHT`, `RPOPLPUSH l2 l3`, `LPOP nokey`}},
	{[]string{"SADD", "probe:s", "x"}, []string{`SADD s a b c`, `SREM s a`, `SMOVE s s2 b`, `SPOP s2`,
		`SADD s x y`, `SINTERSTORE d s s`, `SUNIONSTORE d s s`, `SISMEMBER nokey a`}},
	{[]string{"ZADD", "probe:z", "1", "x"}, []string{`ZADD z 1 a 2 b`, `ZINCRBY z 1 a`, `ZREM z a`, `ZPOPMIN z`,
		`ZADD z 1 a 2 b 3 c`, `ZREMRANGEBYRANK z 0 0`, `ZREMRANGEBYSCORE z 2 2`, `ZUNIONSTORE d 1 z`,
		`ZRANGESTORE d2 z 0 -1`, `ZSCORE nokey a`}},
}

// TestInteropKeyspaceEventsDifferential: with notify-keyspace-events KEAmn
// (every class, new-key and key-miss events), a subscriber to every keyspace
// and keyevent channel receives the same notifications in the same order.
// Active expiry is off on both sides, so expiry is lazy and deterministic.
func TestInteropKeyspaceEventsDifferential(t *testing.T) {
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	if lacks := targetLacks(t, target, [][]string{{"PUBLISH", "probe:ch", "x"}}); len(lacks) > 0 {
		t.Skipf("the target does not implement %v yet", lacks)
	}
	lines := append([]string(nil), keyspaceEventLines...)
	for _, tl := range keyspaceEventTypeLines {
		if lacks := targetLacks(t, target, [][]string{tl.probe}); len(lacks) > 0 {
			t.Logf("not checking %s events: the target does not implement it yet", tl.probe[0])
			continue
		}
		lines = append(lines, tl.lines...)
	}
	for _, flags := range []string{"KEAmn", "Kg$", "Ex", "Elm"} {
		for _, proto := range []string{"2", "3"} {
			t.Run(flags+"/RESP"+proto, func(t *testing.T) {
				f := newFleet(t, "keyspace events "+flags+" RESP"+proto, oracle, target, 2)
				const sub, cmd = 0, 1
				p := &pair{t: t, label: f.label, oracle: f.o[cmd], target: f.g[cmd], proto: 2,
					maxMismatches: 30, known: map[string]int{}}
				p.do("FLUSHALL")
				p.do("DEBUG", "SET-ACTIVE-EXPIRE", "0")
				p.do("CONFIG", "SET", "notify-keyspace-events", flags)
				defer func() {
					p.do("DEBUG", "SET-ACTIVE-EXPIRE", "1")
					p.do("CONFIG", "SET", "notify-keyspace-events", "")
				}()
				f.do(sub, "HELLO", proto)
				f.do(sub, "PSUBSCRIBE", "__key*__:*")
				for _, l := range lines {
					p.runLine(l)
					f.remember("conn 1: " + l)
					f.barrier(sub, false)
				}
				f.compared += p.compared
				t.Logf("%d replies and pushes compared", f.compared)
			})
		}
	}
}

// TestInteropDifferentialPubsubRandom: random subscriptions, publications
// and keyspace events over four connections (two RESP2, two RESP3; two of
// them also run commands), every push compared after every step. Replay
// with SHARDIS_SEED; SHARDIS_DIFF_N sets the number of steps.
func TestInteropDifferentialPubsubRandom(t *testing.T) {
	seed := randomSeed(t)
	n := randomCount(t, 5000)
	t.Logf("seed %d, %d steps (replay: SHARDIS_SEED=%d SHARDIS_DIFF_N=%d go test -run TestInteropDifferentialPubsubRandom ./e2e)",
		seed, n, seed, n)
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	if lacks := targetLacks(t, target, [][]string{{"PUBLISH", "probe:ch", "x"}}); len(lacks) > 0 {
		t.Skipf("the target does not implement %v yet", lacks)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	f := newFleet(t, "pubsub random seed "+strconv.FormatInt(seed, 10), oracle, target, 4)
	f.do(0, "FLUSHALL")
	f.do(0, "CONFIG", "SET", "notify-keyspace-events", "KEA")
	defer f.do(0, "CONFIG", "SET", "notify-keyspace-events", "")
	f.do(2, "HELLO", "3")
	f.do(3, "HELLO", "3")
	channels := []string{"a", "b", "news.1", "news.2", "__keyspace@0__:k1", "__keyevent@0__:set", "s1"}
	patterns := []string{"news.*", "a*", "*", "__key*__:*", "[ab]", "x?z"}
	// Subscriptions per connection, to know when orders may differ.
	subs := make([]map[string]bool, 4)
	pats := make([]map[string]bool, 4)
	ssubs := make([]bool, 4)
	for i := range subs {
		subs[i], pats[i] = map[string]bool{}, map[string]bool{}
	}
	subscribed := func(c int) bool { return len(subs[c])+len(pats[c]) > 0 || ssubs[c] }
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	steps := 0
	for steps < n {
		c := rng.IntN(4)
		// A RESP2 connection with subscriptions may only (un)subscribe
		// and PING; the others also publish and write keys.
		canCmd := f.proto[c] == 3 || !subscribed(c)
		var args []string
		replies := 1
		switch r := rng.IntN(100); {
		case r < 18:
			k := 1 + rng.IntN(2)
			args = []string{"SUBSCRIBE"}
			for i := 0; i < k; i++ {
				ch := pick(channels)
				args = append(args, ch)
				subs[c][ch] = true
			}
			replies = k
		case r < 28:
			p := pick(patterns)
			args = []string{"PSUBSCRIBE", p}
			pats[c][p] = true
		case r < 36:
			if rng.IntN(3) == 0 {
				args = []string{"UNSUBSCRIBE"}
				replies = max(1, len(subs[c]))
				subs[c] = map[string]bool{}
			} else {
				ch := pick(channels)
				args = []string{"UNSUBSCRIBE", ch}
				delete(subs[c], ch)
			}
		case r < 42:
			if rng.IntN(3) == 0 {
				args = []string{"PUNSUBSCRIBE"}
				replies = max(1, len(pats[c]))
				pats[c] = map[string]bool{}
			} else {
				p := pick(patterns)
				args = []string{"PUNSUBSCRIBE", p}
				delete(pats[c], p)
			}
		case r < 45:
			args = []string{"SSUBSCRIBE", "s1"}
			ssubs[c] = true
		case r < 47:
			args = []string{"SUNSUBSCRIBE", "s1"}
			ssubs[c] = false
		case r < 49:
			args = []string{"PING"}
		case !canCmd:
			continue
		case r < 72:
			args = []string{"PUBLISH", pick(channels), "m" + strconv.Itoa(steps)}
		case r < 75:
			args = []string{"SPUBLISH", "s1", "sm" + strconv.Itoa(steps)}
		case r < 88:
			args = []string{"SET", pick([]string{"k1", "k2"}), strconv.Itoa(steps)}
		case r < 92:
			args = []string{"DEL", pick([]string{"k1", "k2"})}
		case r < 95:
			args = []string{"PUBSUB", "NUMSUB", pick(channels), pick(channels)}
		case r < 97:
			args = []string{"PUBSUB", "NUMPAT"}
		case r < 98:
			args = []string{"RESET"}
			subs[c], pats[c], ssubs[c] = map[string]bool{}, map[string]bool{}, false
		default:
			args = []string{"PUBSUB", "CHANNELS", pick(patterns)}
		}
		steps++
		// Mass unsubscriptions answer in each server's own table order:
		// compare the confirmations as a multiset, and the counts they
		// end with (diffPubsubOrder).
		massUnsub := len(args) == 1 && (args[0] == "UNSUBSCRIBE" || args[0] == "PUNSUBSCRIBE") && replies > 1
		if massUnsub || (args[0] == "PUBSUB" && args[1] == "CHANNELS") {
			f.send(c, args...)
			var o, g []string
			for i := 0; i < replies; i++ {
				oraw, or, err := f.o[c].recv()
				if err != nil {
					t.Fatal(err)
				}
				graw, gr, err := f.g[c].recv()
				if err != nil {
					t.Fatal(err)
				}
				if massUnsub {
					o = append(o, or.elems[1].str)
					g = append(g, gr.elems[1].str)
					if i == replies-1 && or.elems[2].str != gr.elems[2].str {
						f.fail("%s: final count %s vs %s", quoteArgs(args), or.elems[2].str, gr.elems[2].str)
					}
				} else {
					o, g = append(o, elemStrings(or)...), append(g, elemStrings(gr)...)
					if len(or.elems) != len(gr.elems) || oraw[0] != graw[0] {
						f.fail("%s: %s vs %s", quoteArgs(args), quoteRaw(oraw), quoteRaw(graw))
					}
				}
			}
			f.compared += replies
			if strings.Join(sortedCopy(o), ",") != strings.Join(sortedCopy(g), ",") {
				f.fail("%s: %q vs %q", quoteArgs(args), o, g)
			}
		} else if f.proto[c] == 3 && subscribed(c) && !strings.Contains(strings.ToLower(args[0]), "subscribe") {
			// Its own messages and keyspace events come before the reply:
			// the barrier reads them all.
			f.send(c, args...)
			if args[0] == "RESET" {
				f.proto[c] = 2
			}
		} else {
			f.doN(c, replies, args...)
			if args[0] == "RESET" {
				f.proto[c] = 2
			}
		}
		// The connection that ran the step first: its barrier also waits
		// for a reply read through it.
		for j := 0; j < 4; j++ {
			i := (c + j) % 4
			if subscribed(i) || args[0] == "RESET" || args[0] == "UNSUBSCRIBE" || args[0] == "PUNSUBSCRIBE" {
				// Several patterns may match one message; their order is
				// each server's table order.
				f.barrier(i, len(pats[i]) > 1)
			}
		}
		if f.t.Failed() {
			break
		}
	}
	t.Logf("seed %d: %d steps, %d replies and pushes compared against %s", seed, steps, f.compared, diffTarget())
}

func elemStrings(r reply) []string {
	var out []string
	for _, e := range r.elems {
		out = append(out, e.str)
	}
	return out
}
