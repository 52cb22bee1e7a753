package e2e

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// Differential tests for MULTI/EXEC/DISCARD/WATCH/UNWATCH: single-connection
// sequences through the sequence harness, and multi-connection cases (a
// WATCH broken, or not, by another client) through the fleet of
// pubsub_test.go.

var multiSequences = []sequence{
	{name: "multi-basic", cmds: []string{
		`MULTI`, `SET k 1`, `INCR k`, `GET k`, `EXEC`, `GET k`,
		`MULTI`, `EXEC`, `MULTI`, `DISCARD`, `EXEC`, `DISCARD`,
		`MULTI`, `SET k a`, `INCR k`, `GET k`, `LPUSH k x`, `EXEC`,
		`MULTI`, `MULTI`, `EXEC`, `MULTI`, `WATCH k`, `EXEC`, `MULTI`, `UNWATCH`, `EXEC`,
		`MULTI`, `SET x 1`, `DISCARD`, `GET x`,
		`MULTI x`, `EXEC x`, `DISCARD x`, `WATCH`, `UNWATCH x`,
		`MULTI`, `EXEC x`, `EXEC`, `MULTI`, `DISCARD x`, `EXEC`,
		`MULTI`, `PING`, `ECHO hi`, `SELECT 1`, `SET k db1`, `SELECT 0`, `GET k`, `EXEC`, `SELECT 1`, `GET k`, `SELECT 0`,
	}},
	{name: "multi-queue-errors", cmds: []string{
		`MULTI`, `nosuch`, `SET x 1`, `EXEC`, `GET x`,
		`MULTI`, `SET x`, `EXEC`,
		`MULTI`, `CONFIG nosuchsub`, `EXEC`,
		`MULTI`, `SET x 1`, `GET`, `SET y 2`, `EXEC`, `GET y`,
		`MULTI`, `SET x 1`, `MULTI`, `WATCH x`, `EXEC`,
		`MULTI`, `SET x 1`, `nosuch`, `MULTI`, `EXEC`,
		`MULTI`, `DEBUG nosuch`, `EXEC`,
		`MULTI`, `SUBSCRIBE`, `EXEC`,
		`MULTI`, `SET x 1 EX 0`, `SET x 1 XX NX`, `INCRBY x y`, `GET x`, `EXEC`,
		`MULTI`, `RESET`, `EXEC`, `GET x`,
	}},
	{name: "exec-refused", cmds: []string{
		`EXEC x`, `EXEC`, `MULTI`, `EXEC x`, `EXEC`, `SUBSCRIBE ch`, `EXEC`, `EXEC x`, `DISCARD`, `MULTI`,
	}},
	{name: "exec-refused-noauth", needsPass: true, cmds: []string{
		`EXEC`, `EXEC x`, `MULTI`, `DISCARD`, `AUTH ` + authPassword, `MULTI`, `AUTH wrong`, `EXEC`,
	}},
	// CLIENT REPLY inside MULTI is in backend/multi_test.go: the harness's
	// model of CLIENT REPLY reads the queued ones as effective.
	{name: "multi-reply-modes", cmds: []string{
		`CLIENT REPLY SKIP`, `MULTI`, `PING`, `EXEC`, `DISCARD`,
		`MULTI`, `PING`, `CLIENT REPLY SKIP`, `EXEC`, `PING`,
	}},
	{name: "multi-keys", cmds: []string{
		`SET a 1`, `SET b 2`, `MULTI`, `RENAME a c`, `MOVE b 1`, `COPY c d`, `DEL c`, `EXISTS a b c d`, `DBSIZE`,
		`KEYS c*`, `FLUSHDB`, `DBSIZE`, `EXEC`, `SELECT 1`, `GET b`, `SELECT 0`,
		`MSET a 1 b 2 c 3`, `MULTI`, `SWAPDB 0 1`, `GET a`, `SWAPDB 0 1`, `GET a`, `FLUSHALL`, `DBSIZE`, `EXEC`,
		`MULTI`, `SET big x`, `SETRANGE big 1000000 y`, `STRLEN big`, `BITCOUNT big`, `GETRANGE big 0 1`, `EXEC`,
		`MULTI`, `INFO keyspace`, `DEBUG DIGEST-VALUE big`, `OBJECT ENCODING big`, `DBSIZE`, `EXEC`,
	}},
	{name: "multi-subscribe", cmds: []string{
		`MULTI`, `SUBSCRIBE ch`, `EXEC`, `PING`, `GET x`, `UNSUBSCRIBE ch`, `GET x`,
		`MULTI`, `SSUBSCRIBE ch`, `EXEC`, `PUBLISH ch x`,
	}},
	{name: "watch-self", cmds: []string{
		`WATCH k`, `SET k 1`, `MULTI`, `GET k`, `EXEC`,
		`WATCH k`, `MULTI`, `GET k`, `EXEC`,
		`WATCH k`, `GET k`, `MULTI`, `GET k`, `EXEC`,
		`WATCH k j k`, `UNWATCH`, `SET k 2`, `MULTI`, `GET k`, `EXEC`,
		`WATCH k`, `SET k 3`, `WATCH j`, `MULTI`, `GET k`, `EXEC`,
		`WATCH k`, `SET k 3`, `UNWATCH`, `MULTI`, `GET k`, `EXEC`,
		`WATCH k`, `SET k 3`, `MULTI`, `SET x`, `EXEC`,
		`WATCH k`, `MULTI`, `DISCARD`, `SET k 4`, `MULTI`, `GET k`, `EXEC`,
		`WATCH k`, `SET k 5`, `EXEC`, `MULTI`, `GET k`, `EXEC`,
		`WATCH k`, `SELECT 1`, `SET k x`, `SELECT 0`, `MULTI`, `GET k`, `EXEC`,
		`WATCH nokey`, `SET nokey 1`, `DEL nokey`, `MULTI`, `PING`, `EXEC`,
		`SET k 1`, `WATCH k`, `RESET`, `SET k 2`, `MULTI`, `GET k`, `EXEC`,
	}},
}

// TestInteropMultiEdgeCases runs the MULTI/EXEC/WATCH sequences (each in
// RESP2 and RESP3).
func TestInteropMultiEdgeCases(t *testing.T) {
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	var plain, auth []sequence
	for _, s := range multiSequences {
		if s.needsPass {
			auth = append(auth, s)
		} else {
			plain = append(plain, s)
		}
	}
	n := runSequences(t, oracle, target, plain)
	cfg := serverConfig{requirePass: authPassword}
	n += runSequences(t, startRedis(t, cfg.redisArgs()...), startTarget(t, cfg), auth)
	t.Logf("compared %d replies from %d transaction sequences against %s", n, len(multiSequences), diffTarget())
}

// watchCases: steps on the other connection after WATCH k (and setup
// before), then MULTI / PING / EXEC on the watching one.
var watchCases = []struct{ setup, change []string }{
	{[]string{`SET k 1`}, []string{`SET k 2`}},
	{[]string{`SET k 1`}, []string{`SET k 2 NX`}},
	{[]string{`SET k 1`}, []string{`INCRBY k 0`}},
	{[]string{`SET k 1`}, []string{`SETRANGE k 0 ""`}},
	{[]string{`SET k 1`}, []string{`APPEND k ""`}},
	{[]string{`SET k 1`}, []string{`EXPIRE k 100`}},
	{[]string{`SET k 1`}, []string{`EXPIRE k 100 XX`}},
	{[]string{`SET k 1`}, []string{`PERSIST k`}},
	{[]string{`SET k 1 EX 100`}, []string{`PERSIST k`}},
	{[]string{`SET k 1`}, []string{`GETEX k PERSIST`}},
	{[]string{`SET k 1`}, []string{`GETEX k EX 100`}},
	{[]string{`SET k 1`}, []string{`GETDEL k`}},
	{[]string{`SET k 1`}, []string{`SETBIT k 0 0`}},
	{[]string{`SET k 1`}, []string{`SETBIT k 0 1`}},
	{[]string{`SET k 1`}, []string{`BITFIELD k GET u8 0`}},
	{[]string{`SET k 1`}, []string{`BITFIELD k INCRBY u8 0 0`}},
	{[]string{`SET k 1`}, []string{`BITFIELD k INCRBY u8 0 1`}},
	{[]string{`SET j 1`}, []string{`BITOP AND k j`}},
	{[]string{`SET k 1`}, []string{`BITOP AND k nokey`}},
	{[]string{`SET k 1`}, []string{`RENAME k k`}},
	{[]string{`SET k 1`}, []string{`RENAME k j`}},
	{[]string{`SET k 1`, `SET j 1`}, []string{`RENAME j k`}},
	{[]string{`SET j 1`}, []string{`RENAMENX j k`}},
	{[]string{`SET k 1`}, []string{`COPY nokey k`}},
	{[]string{`SET j 1`}, []string{`COPY j k`}},
	{[]string{`SET k 1`}, []string{`MOVE k 1`}},
	{[]string{`SELECT 1`, `SET k 1`, `SELECT 0`}, []string{`SELECT 1`, `MOVE k 0`, `SELECT 0`}},
	{nil, []string{`SET k 1`, `DEL k`}},
	{nil, []string{`DEL k`}},
	{nil, []string{`SELECT 1`, `SET k 1`, `SELECT 0`}},
	{nil, []string{`FLUSHALL`}},
	{[]string{`SET k 1`}, []string{`FLUSHALL`}},
	{[]string{`SET k 1`}, []string{`FLUSHDB`}},
	{[]string{`SET k 1`}, []string{`SELECT 1`, `FLUSHDB`, `SELECT 0`}},
	{[]string{`SELECT 1`, `SET k 1`, `SELECT 0`}, []string{`SWAPDB 0 1`}},
	{nil, []string{`SWAPDB 0 1`}},
	{[]string{`SET k 1`}, []string{`SWAPDB 1 2`}},
	{[]string{`SET k 1`}, []string{`MSET a 1 k 2`}},
	{[]string{`SET k 1`}, []string{`MSETNX a 1 k 2`}},
	{[]string{`SET k 1`}, []string{`GET k`, `EXISTS k`, `TYPE k`, `TTL k`}},
	{[]string{`SET k 1`}, []string{`@dumprestore k k 0 REPLACE`}},
	{[]string{`SET k 1`}, []string{`MULTI`, `SET k 2`, `EXEC`}},
	{[]string{`SET k 1`}, []string{`MULTI`, `SET k 2`, `DISCARD`}},
	// The other types' writes, and their writes that change nothing.
	{nil, []string{`RPUSH k a`}},
	{[]string{`RPUSH k a`}, []string{`LPOP nokey`, `LRANGE k 0 -1`, `LREM k 0 zz`}},
	{[]string{`RPUSH k a b`}, []string{`LMOVE k j LEFT RIGHT`}},
	{[]string{`RPUSH j a b`}, []string{`LMOVE j k LEFT RIGHT`}},
	{nil, []string{`HSET k f v`}},
	{[]string{`HSET k f v`}, []string{`HDEL k nosuch`, `HSETNX k f w`}},
	{nil, []string{`SADD k m`}},
	{[]string{`SADD k m`}, []string{`SADD k m`, `SREM k nosuch`}},
	{[]string{`SADD j m`}, []string{`SUNIONSTORE k j`}},
	{nil, []string{`ZADD k 1 m`}},
	{[]string{`ZADD k 1 m`}, []string{`ZADD k 1 m`, `ZREM k nosuch`, `ZINCRBY k 0 m`}},
	{nil, []string{`PFADD k a`}},
	// Expiry (active expiry is off: lazy, deterministic).
	{[]string{`SET k 1 PX 30`}, []string{`@wait 60`}},
	{[]string{`SET k 1 PX 30`}, []string{`@wait 60`, `GET k`}},
	{[]string{`SET k 1 PX 1`, `@wait 10`}, nil},
	{[]string{`SET k 1 PX 1`, `@wait 10`}, []string{`GET k`}},
	{[]string{`SET k 1 PX 1`, `@wait 10`}, []string{`SET k 2`}},
	{[]string{`SET k 1 PX 1`, `@wait 10`}, []string{`FLUSHALL`}},
	{[]string{`SET k 1 PX 1`, `@wait 10`}, []string{`FLUSHDB`}},
	{[]string{`SET k 1 PX 1`, `@wait 10`}, []string{`SWAPDB 0 1`}},
	{[]string{`SELECT 1`, `SET k 1 PX 1`, `SELECT 0`, `@wait 10`}, []string{`SWAPDB 0 1`}},
	{[]string{`SELECT 1`, `SET k 1 PX 1`, `SELECT 0`, `SET k 1`, `@wait 10`}, []string{`SWAPDB 0 1`}},
	{[]string{`SET k 1 PX 1`, `@wait 10`}, []string{`SET k 2`, `DEL k`}},
	{[]string{`SET k 1 PX 1`, `@wait 10`}, []string{`DEL k`}},
	{[]string{`SET k 1 PX 1`, `@wait 10`}, []string{`SCAN 0`}},
	{[]string{`SET k 1 PX 1`, `@wait 10`}, []string{`KEYS *`}},
	{[]string{`SET k 1 PX 1`, `@wait 10`}, []string{`EXPIRE k 100`}},
}

// TestInteropWatchDifferential: WATCH on one connection, changes on
// another (or none), then MULTI/EXEC: the transaction runs or fails as on
// redis-server. Every case runs in both protocols.
func TestInteropWatchDifferential(t *testing.T) {
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	total := 0
	for _, proto := range []string{"2", "3"} {
		f := newFleet(t, "watch RESP"+proto, oracle, target, 2)
		const w, o = 0, 1
		p := &pair{t: t, label: f.label, oracle: f.o[o], target: f.g[o], proto: 2, maxMismatches: 30, known: map[string]int{}}
		f.do(w, "HELLO", proto)
		p.do("DEBUG", "SET-ACTIVE-EXPIRE", "0")
		for i, tc := range watchCases {
			p.label = f.label + " case " + strconv.Itoa(i)
			p.do("FLUSHALL")
			for _, l := range tc.setup {
				p.runLine(l)
			}
			f.do(w, "WATCH", "k")
			f.remember("setup " + strings.Join(tc.setup, "; ") + "; WATCH k; change " + strings.Join(tc.change, "; "))
			for _, l := range tc.change {
				p.runLine(l)
			}
			f.do(w, "MULTI")
			f.do(w, "GET", "j")
			f.do(w, "EXEC")
		}
		// WATCH of several keys in several databases.
		p.do("FLUSHALL")
		f.do(w, "WATCH", "a", "b")
		f.do(w, "SELECT", "2")
		f.do(w, "WATCH", "a")
		p.do("SELECT", "2")
		p.do("SET", "b", "1")
		f.do(w, "MULTI")
		f.do(w, "PING")
		f.do(w, "EXEC")
		p.do("SET", "a", "1")
		p.do("SELECT", "0")
		f.do(w, "MULTI")
		f.do(w, "PING")
		f.do(w, "EXEC")
		f.do(w, "SELECT", "0")
		p.do("DEBUG", "SET-ACTIVE-EXPIRE", "1")
		total += f.compared + p.compared
	}
	t.Logf("compared %d replies of %d WATCH cases (each in RESP2 and RESP3) against %s", total, len(watchCases), diffTarget())
}

// TestInteropDifferentialMulti runs SHARDIS_DIFF_N (default 6,000; 600
// under -short) random commands over three connections that interleave
// transactions, WATCHes and plain writes on a few keys, with queueing
// errors, runtime errors and database switches. Every reply is compared.
// Replay with SHARDIS_SEED=<the seed it printed>.
func TestInteropDifferentialMulti(t *testing.T) {
	seed := randomSeed(t)
	n := randomCount(t, 6000)
	t.Logf("seed %d, %d commands (replay: SHARDIS_SEED=%d SHARDIS_DIFF_N=%d go test -run TestInteropDifferentialMulti$ ./e2e)",
		seed, n, seed, n)
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	f := newFleet(t, "multi seed "+strconv.FormatInt(seed, 10), oracle, target, 3)
	f.do(0, "FLUSHALL")
	f.do(2, "HELLO", "3")
	inMulti := make([]bool, 3)
	keys := []string{"k1", "k2", "k3", "k4"}
	key := func() string { return keys[rng.IntN(len(keys))] }
	val := func() string {
		if rng.IntN(4) == 0 {
			return "text"
		}
		return strconv.Itoa(rng.IntN(100) - 10)
	}
	for i := 0; i < n; i++ {
		c := rng.IntN(3)
		var args []string
		switch r := rng.IntN(100); {
		case r < 8:
			args = []string{"MULTI"}
		case r < 16:
			args = []string{"EXEC"}
		case r < 18:
			args = []string{"DISCARD"}
		case r < 24:
			args = []string{"WATCH", key()}
			if rng.IntN(3) == 0 {
				args = append(args, key())
			}
		case r < 26:
			args = []string{"UNWATCH"}
		case r < 44:
			args = []string{"SET", key(), val()}
			switch rng.IntN(6) {
			case 0:
				args = append(args, "NX")
			case 1:
				args = append(args, "EX", strconv.Itoa(1000+rng.IntN(5)))
			}
		case r < 52:
			args = []string{"INCR", key()}
		case r < 58:
			args = []string{"GET", key()}
		case r < 62:
			args = []string{"DEL", key(), key()}
		case r < 65:
			args = []string{"APPEND", key(), "x"}
		case r < 68:
			args = []string{"MSET", key(), val(), key(), val()}
		case r < 70:
			// 0 deletes; the others stay far from running out.
			args = []string{"EXPIRE", key(), strconv.Itoa(rng.IntN(2) * 1000)}
		case r < 72:
			args = []string{"RENAME", key(), key()}
		case r < 74:
			args = []string{"SELECT", strconv.Itoa(rng.IntN(2))}
		case r < 75:
			args = []string{"SWAPDB", "0", "1"}
		case r < 76:
			args = []string{"FLUSHDB"}
		case r < 77:
			args = []string{"FLUSHALL"}
		case r < 80:
			args = []string{"NOSUCHCMD", key()}
		case r < 83:
			args = []string{"SET", key()}
		case r < 85:
			args = []string{"INCRBY", key(), "notanumber"}
		case r < 87:
			args = []string{"MULTI", "x"}
		case r < 89:
			args = []string{"EXEC", "x"}
		case r < 91:
			args = []string{"MGET", key(), key(), key()}
		case r < 93:
			args = []string{"DBSIZE"}
		case r < 95:
			args = []string{"PING"}
		case r < 97:
			args = []string{"PERSIST", key()}
		default:
			args = []string{"EXISTS", key(), key()}
		}
		rep := f.do(c, args...)
		switch {
		case args[0] == "MULTI" && len(args) == 1 && !rep.isError():
			inMulti[c] = true
		case args[0] == "EXEC" && (len(args) == 1 || rep.isError()) && inMulti[c]:
			inMulti[c] = false
		case args[0] == "DISCARD" && !rep.isError():
			inMulti[c] = false
		}
		if f.t.Failed() {
			break
		}
	}
	for c := range inMulti {
		if inMulti[c] {
			f.do(c, "DISCARD")
		}
	}
	t.Logf("seed %d: %d commands, %d replies compared against %s", seed, n, f.compared, diffTarget())
}

// TestInteropClientFlagsTxPubsub: CLIENT LIST's flags (x in MULTI, d once
// a WATCHed key changed, P with subscriptions) and multi= (the commands
// queued) as redis-server shows them.
func TestInteropClientFlagsTxPubsub(t *testing.T) {
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	f := newFleet(t, "client flags", oracle, target, 3)
	const a, b, s = 0, 1, 2
	f.do(a, "CLIENT", "SETNAME", "txa")
	f.do(s, "CLIENT", "SETNAME", "subs")
	check := func(step string) {
		t.Helper()
		f.send(b, "CLIENT", "LIST")
		var got [2]string
		for i, sd := range []*side{f.o[b], f.g[b]} {
			_, r, err := sd.recv()
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(r.str, "\n") {
				_, v := clientFields(line)
				if v["name"] == "txa" || v["name"] == "subs" {
					got[i] += v["name"] + ": flags=" + v["flags"] + " multi=" + v["multi"] + " sub=" + v["sub"] + "; "
				}
			}
		}
		f.compared++
		if got[0] != got[1] {
			t.Errorf("%s:\n redis-server: %s\n %s: %s", step, got[0], f.g[b].name, got[1])
		}
	}
	check("idle")
	f.do(a, "WATCH", "k")
	check("watching")
	f.do(a, "MULTI")
	f.do(a, "SET", "x", "1")
	f.do(a, "GET", "x")
	check("two queued")
	f.do(b, "SET", "k", "1")
	check("watched key changed")
	f.do(a, "INCR", "x")
	check("queued after the change")
	f.do(a, "DISCARD")
	f.do(a, "MULTI")
	check("in MULTI again")
	f.do(a, "EXEC")
	f.do(s, "SUBSCRIBE", "ch")
	f.do(s, "PSUBSCRIBE", "p*")
	check("subscribed")
	f.do(s, "UNSUBSCRIBE")
	check("pattern left")
	f.do(s, "PUNSUBSCRIBE")
	check("none left")
}
