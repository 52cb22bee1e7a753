package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Multi-connection differential tests of the blocking commands: each
// scenario runs on redis-server and on the target with the same clients,
// and the transcripts of replies must be the same byte for byte.
//
// A scenario is lines of steps; clients are named by one capital letter and
// connect on first use:
//
//	A: CMD ARGS      send, then read the reply
//	A> CMD ARGS      send only (the command blocks, or the client is blocked)
//	A<               read one pending reply
//	A close          close the connection
//	@blocked N       wait until INFO says N clients are blocked
//
// {id:A} in an argument is replaced by that side's CLIENT ID of A.

type blockingScenario struct {
	name  string
	steps []string
}

var blockingScenarios = []blockingScenario{
	{"serve-one", []string{
		`A> BLPOP k 0`, `@blocked 1`, `B: RPUSH k x y`, `A<`, `@blocked 0`, `B: LRANGE k 0 -1`, `B: DEL k`,
		`A> BRPOP k 0`, `@blocked 1`, `B: LPUSH k z`, `A<`, `B: LRANGE k 0 -1`, `B: EXISTS k`,
	}},
	{"fifo", []string{
		`A> BLPOP k 0`, `@blocked 1`, `B> BLPOP k 0`, `@blocked 2`, `C> BRPOP k 0`, `@blocked 3`,
		`D: RPUSH k 1 2`, `A<`, `B<`, `@blocked 1`, `D: EXISTS k`, `D: LPUSH k 3 4`, `C<`, `D: LRANGE k 0 -1`, `D: DEL k`,
		`A> BLPOP k 0`, `@blocked 1`, `B> BLPOP k 0`, `@blocked 2`, `A close`, `@blocked 1`,
		`D: RPUSH k a b`, `B<`, `D: LRANGE k 0 -1`, `D: INFO clients`,
	}},
	{"several-keys", []string{
		`A> BLPOP k1 k2 k3 0`, `@blocked 1`, `B: RPUSH k2 x`, `A<`, `B: RPUSH k1 y`, `B: LRANGE k1 0 -1`,
		`A> BRPOP k1 k2 0`, `A<`,
		`A> BLPOP k3 k4 0`, `@blocked 1`, `B: MULTI`, `B: RPUSH k4 four`, `B: RPUSH k3 three`, `B: EXEC`, `A<`,
		`B: LRANGE k3 0 -1`, `B: LRANGE k4 0 -1`,
		`A> BLPOP dup dup 0`, `@blocked 1`, `B: RPUSH dup 1 2`, `A<`, `B: LRANGE dup 0 -1`,
	}},
	{"multi-exec", []string{
		`A> BLPOP k 0`, `@blocked 1`, `B: MULTI`, `B: RPUSH k a b`, `B: LPOP k`, `B: EXEC`, `A<`, `B: EXISTS k`,
		`A> BLPOP k 0`, `@blocked 1`, `B: MULTI`, `B: RPUSH k a`, `B: DEL k`, `B: EXEC`, `B: INFO clients`,
		`B: RPUSH k z`, `A<`,
		`A> BLPOP k 0`, `@blocked 1`, `B: MULTI`, `B: RPUSH k a`, `B: LPOP k`, `B: RPUSH k b`, `B: EXEC`, `A<`,
		`C: WATCH k`, `A> BLPOP k 0`, `@blocked 1`, `B: RPUSH k w`, `A<`, `C: MULTI`, `C: PING`, `C: EXEC`,
		`A> BLPOP k 0`, `@blocked 1`, `B: MULTI`, `B: RPUSH k 1`, `B: BLPOP k 0`, `B: EXEC`, `A> PING`,
		`B: RPUSH k 2`, `A<`, `A<`,
	}},
	{"timeouts", []string{
		`A: BLPOP k 0.05`, `A: BRPOP k1 k2 0.01`, `A: BLMOVE k d LEFT LEFT 0.01`, `A: BRPOPLPUSH k d 0.01`,
		`A: BLMPOP 0.01 2 k k1 LEFT COUNT 2`, `A: HELLO 3`, `A: BLPOP k 0.01`, `A: BLMOVE k d LEFT LEFT 0.01`,
		`A: BLMPOP 0.01 1 k RIGHT`, `A: HELLO 2`, `B: INFO clients`,
		`A> BLPOP k 0.01`, `A> PING`, `A<`, `A<`, `B: EXISTS k d`,
	}},
	{"pipelined-while-blocked", []string{
		`A> BLPOP k 0`, `@blocked 1`, `A> PING`, `A> RPUSH other 1`, `A> LPOP other`, `B: LLEN other`,
		`B: RPUSH k x`, `A<`, `A<`, `A<`, `A<`, `B: LLEN other`, `A: PING again`,
	}},
	{"blmove-chains", []string{
		`A> BLMOVE a b LEFT RIGHT 0`, `@blocked 1`, `B> BLPOP b 0`, `@blocked 2`, `C: RPUSH a x y`, `A<`, `B<`,
		`C: LRANGE a 0 -1`, `C: EXISTS b`,
		`A> BRPOPLPUSH s1 s2 0`, `@blocked 1`, `B> BRPOPLPUSH s2 s3 0`, `@blocked 2`, `D> BLPOP s3 0`, `@blocked 3`,
		`C: RPUSH s1 v`, `A<`, `B<`, `D<`, `C: EXISTS s1 s2 s3`,
		`A> BLMOVE r r RIGHT LEFT 0`, `@blocked 1`, `C: RPUSH r 1`, `A<`, `C: LRANGE r 0 -1`,
		`A> BLMOVE e1 e2 RIGHT LEFT 0`, `@blocked 1`, `B> BLMOVE e1 e3 LEFT RIGHT 0`, `@blocked 2`,
		`C: RPUSH e1 1 2 3`, `A<`, `B<`, `C: LRANGE e1 0 -1`, `C: LRANGE e2 0 -1`, `C: LRANGE e3 0 -1`,
	}},
	{"wrong-type-destination", []string{
		`A> BRPOPLPUSH src dst 0`, `@blocked 1`, `B: SET dst str`, `B: RPUSH src x`, `A<`, `B: LRANGE src 0 -1`,
		`B: DEL src`, `A> BLMOVE src dst LEFT LEFT 0`, `@blocked 1`, `C> BLPOP src 0`, `@blocked 2`,
		`B: RPUSH src y`, `A<`, `C<`, `B: EXISTS src`,
	}},
	{"wrong-type-key", []string{
		`A> BLPOP k 0`, `@blocked 1`, `B: SET k v`, `B: INFO clients`, `B: DEL k`, `B: HSET k f v`, `B: DEL k`,
		`B: RPUSH k y`, `A<`, `B: SET s v`, `A: BLPOP nokey s 0`, `A: BLMOVE s d LEFT LEFT 0`,
	}},
	{"blmpop", []string{
		`A> BLMPOP 0 2 a b LEFT COUNT 3`, `@blocked 1`, `B: RPUSH b 1 2 3 4`, `A<`, `B: LRANGE b 0 -1`,
		`A> BLMPOP 0 1 a RIGHT`, `@blocked 1`, `B> BLMPOP 0 1 a LEFT COUNT 10`, `@blocked 2`,
		`C: RPUSH a x y z`, `A<`, `B<`, `C: EXISTS a`,
	}},
	{"client-unblock", []string{
		`A> BLPOP k 0`, `@blocked 1`, `B: CLIENT UNBLOCK {id:A}`, `A<`, `@blocked 0`,
		`A> BLPOP k 0`, `@blocked 1`, `B: CLIENT UNBLOCK {id:A} TIMEOUT`, `A<`,
		`A> BRPOPLPUSH k d 0`, `@blocked 1`, `B: CLIENT UNBLOCK {id:A} ERROR`, `A<`,
		`A> BLMPOP 0 1 k LEFT`, `@blocked 1`, `B: CLIENT UNBLOCK {id:A} error`, `A<`, `A: PING`,
		`B: CLIENT UNBLOCK {id:A}`, `B: CLIENT UNBLOCK {id:B}`, `B: CLIENT UNBLOCK 999999`, `B: CLIENT UNBLOCK x`,
		`B: CLIENT UNBLOCK {id:A} FOO`, `B: CLIENT UNBLOCK`, `B: CLIENT UNBLOCK 1 2 3`, `B: RPUSH k v`, `B: LLEN k`,
	}},
	{"disconnect-and-kill", []string{
		`A> BLPOP k 0`, `@blocked 1`, `A close`, `@blocked 0`, `B: RPUSH k x`, `B: LRANGE k 0 -1`,
		`C> BLMOVE k2 d LEFT LEFT 0`, `@blocked 1`, `B: CLIENT KILL ID {id:C}`, `@blocked 0`, `B: RPUSH k2 y`,
		`B: LRANGE k2 0 -1`, `B: EXISTS d`,
	}},
	{"keys-made-ready", []string{
		`A> BLPOP k 0`, `@blocked 1`, `B: RPUSH tmp x`, `B: RENAME tmp k`, `A<`, `B: EXISTS k tmp`,
		`A> BLPOP k 0`, `@blocked 1`, `B: SELECT 1`, `B: RPUSH k y`, `B: MOVE k 0`, `A<`,
		`A> BLPOP k 0`, `@blocked 1`, `B: RPUSH k z`, `B: SWAPDB 0 1`, `A<`, `B: SELECT 0`, `B: DBSIZE`,
		`B: SELECT 1`, `B: DBSIZE`, `B: SELECT 0`,
		`A> BLPOP k 0`, `@blocked 1`, `B: RPUSH src c`, `B: COPY src k`, `A<`, `B: LRANGE src 0 -1`,
		`A> BLPOP k 0`, `@blocked 1`, `B: FLUSHALL`, `B: INFO clients`, `B: RPUSH k last`, `A<`,
		`A> BLPOP k 0`, `@blocked 1`, `B: RPUSHX k nope`, `B: LPUSHX k nope`, `B: INFO clients`, `B: LPUSH k yes`, `A<`,
	}},
	{"select-db", []string{
		`A: SELECT 2`, `A> BLPOP k 0`, `@blocked 1`, `B: RPUSH k db0`, `B: SELECT 2`, `B: LPUSH k db2`, `A<`,
		`B: SELECT 0`, `B: LRANGE k 0 -1`,
	}},
	{"resp3", []string{
		`A: HELLO 3`, `A> BLPOP k 0`, `@blocked 1`, `B: RPUSH k x`, `A<`, `A> BLMPOP 0 1 k LEFT COUNT 2`, `@blocked 1`,
		`B: RPUSH k 1 2 3`, `A<`, `A> BLMOVE k2 d LEFT LEFT 0`, `@blocked 1`, `B: CLIENT UNBLOCK {id:A}`, `A<`,
	}},
	{"resp3-pushes-while-blocked", []string{
		`A: HELLO 3`, `A: SUBSCRIBE ch`, `A> BLPOP k 0`, `@blocked 1`, `B: PUBLISH ch hi`, `A<`, `B: RPUSH k x`, `A<`,
		`B: PUBLISH ch again`, `A<`, `A> BLPOP k 0.01`, `A<`, `A: PING`,
	}},
}

// blockingRun runs one scenario against addr and returns its transcript.
func blockingRun(t *testing.T, addr string, sc blockingScenario) []string {
	t.Helper()
	ctl := dialSide(t, "control", addr)
	defer ctl.conn.Close()
	if _, _, err := ctl.roundTrip("FLUSHALL"); err != nil {
		t.Fatal(err)
	}
	clients := map[string]*side{}
	ids := map[string]string{}
	client := func(name string) *side {
		if s := clients[name]; s != nil {
			return s
		}
		s := dialSide(t, name, addr)
		_, r, err := s.roundTrip("CLIENT", "ID")
		if err != nil {
			t.Fatal(err)
		}
		clients[name], ids[name] = s, r.str
		return s
	}
	defer func() {
		for _, s := range clients {
			s.conn.Close()
		}
	}()
	var transcript []string
	for _, step := range sc.steps {
		if n, ok := strings.CutPrefix(step, "@blocked "); ok {
			want, _ := strconv.Atoi(n)
			if got := waitBlocked(t, ctl, want); got != want {
				t.Fatalf("%s on %s: %d clients blocked, want %d (step %q)", sc.name, addr, got, want, step)
			}
			continue
		}
		name, rest := step[:1], step[1:]
		s := client(name)
		var args []string
		if len(rest) > 2 {
			var err error
			if args, err = splitArgs(rest[2:]); err != nil {
				t.Fatalf("bad step %q: %v", step, err)
			}
			for i, a := range args {
				for n, id := range ids {
					a = strings.ReplaceAll(a, "{id:"+n+"}", id)
				}
				args[i] = a
			}
		}
		switch {
		case rest == " close":
			s.conn.Close()
			delete(clients, name)
			continue
		case strings.HasPrefix(rest, ">"):
			if err := s.send(args); err != nil {
				t.Fatal(err)
			}
			continue
		case strings.HasPrefix(rest, ":"):
			if err := s.send(args); err != nil {
				t.Fatal(err)
			}
		case rest != "<":
			t.Fatalf("bad step %q", step)
		}
		raw, _, err := s.recv()
		if err != nil {
			t.Fatalf("%s on %s, step %q: %v", sc.name, addr, step, err)
		}
		if len(args) > 0 && strings.EqualFold(args[0], "INFO") {
			raw = []byte("blocked_clients:" + infoField(string(raw), "blocked_clients"))
		}
		if len(args) > 0 && strings.EqualFold(args[0], "HELLO") {
			raw = nil // names the server and the client id
		}
		transcript = append(transcript, fmt.Sprintf("%s -> %q", step, raw))
	}
	return transcript
}

// infoField returns field's value in an INFO reply.
func infoField(info, field string) string {
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	return "?"
}

// waitBlocked polls INFO until want clients are blocked (or 10 s pass) and
// returns the last count seen.
func waitBlocked(t *testing.T, ctl *side, want int) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		raw, _, err := ctl.roundTrip("INFO", "clients")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := strconv.Atoi(infoField(string(raw), "blocked_clients"))
		if got == want || time.Now().After(deadline) {
			return got
		}
	}
}

// TestInteropDifferentialBlocking runs every blocking scenario on
// redis-server and on the target and compares the transcripts.
func TestInteropDifferentialBlocking(t *testing.T) {
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	steps := 0
	for _, sc := range blockingScenarios {
		t.Run(sc.name, func(t *testing.T) {
			o := blockingRun(t, oracle, sc)
			g := blockingRun(t, target, sc)
			steps += len(o)
			for i := range max(len(o), len(g)) {
				var ov, gv string
				if i < len(o) {
					ov = o[i]
				}
				if i < len(g) {
					gv = g[i]
				}
				if ov != gv {
					t.Errorf("reply %d differs:\n  redis-server: %s\n  %s: %s", i, ov, diffTarget(), gv)
				}
			}
		})
	}
	t.Logf("%d blocking scenarios, %d replies compared against %s", len(blockingScenarios), steps, diffTarget())
}

// TestInteropBlockingDisconnectKeepsValue checks, many times over, that a
// blocked client that disconnects is removed: a value pushed once the
// server has noticed stays in the list instead of going to the departed
// client.
func TestInteropBlockingDisconnectKeepsValue(t *testing.T) {
	addr := startTarget(t, serverConfig{})
	ctl := dialSide(t, "control", addr)
	rounds := 200
	if testing.Short() {
		rounds = 20
	}
	for i := range rounds {
		a := dialSide(t, "A", addr)
		if err := a.send([]string{"BLMOVE", "k", "d", "LEFT", "LEFT", "0"}); err != nil {
			t.Fatal(err)
		}
		if got := waitBlocked(t, ctl, 1); got != 1 {
			t.Fatalf("round %d: %d blocked", i, got)
		}
		a.conn.Close()
		if got := waitBlocked(t, ctl, 0); got != 0 {
			t.Fatalf("round %d: %d still blocked after the close", i, got)
		}
		for _, step := range [][]string{{"RPUSH", "k", "v"}, {"LLEN", "k"}, {"EXISTS", "d"}, {"DEL", "k"}} {
			raw, _, err := ctl.roundTrip(step...)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[string]string{"RPUSH": ":1\r\n", "LLEN": ":1\r\n", "EXISTS": ":0\r\n", "DEL": ":1\r\n"}[step[0]]; string(raw) != want {
				t.Fatalf("round %d: %s replied %q, want %q", i, step[0], raw, want)
			}
		}
	}
}

// --- The randomized multi-client run -------------------------------------------

// blockingRandomRun drives seeded random steps on addr with four clients
// that block and one (P) that runs everything else, and returns the
// transcript: every reply, and for every blocking command whether it
// blocked. A waiter's fate is read from CLIENT LIST (flag b) after each of
// P's commands, so the run only ever waits for something that must happen.
func blockingRandomRun(t *testing.T, addr string, seed int64, n int) []string {
	t.Helper()
	g := newGen(seed)
	p := dialSide(t, "P", addr)
	defer p.conn.Close()
	if _, _, err := p.roundTrip("FLUSHALL"); err != nil {
		t.Fatal(err)
	}
	type waiter struct {
		s       *side
		id      string
		blocked bool
	}
	var ws [4]*waiter
	connect := func(i int) {
		s := dialSide(t, string(rune('A'+i)), addr)
		_, r, err := s.roundTrip("CLIENT", "ID")
		if err != nil {
			t.Fatal(err)
		}
		ws[i] = &waiter{s: s, id: r.str}
	}
	for i := range ws {
		connect(i)
	}
	defer func() {
		for _, w := range ws {
			w.s.conn.Close()
		}
	}()
	var transcript []string
	record := func(who string, args []string, raw []byte) {
		transcript = append(transcript, fmt.Sprintf("%s %s -> %q", who, quoteArgs(args), raw))
	}
	// blockedIDs is the set of clients CLIENT LIST flags as blocked.
	blockedIDs := func() map[string]bool {
		_, r, err := p.roundTrip("CLIENT", "LIST")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, line := range strings.Split(r.str, "\n") {
			var id string
			b := false
			for _, f := range strings.Fields(line) {
				if v, ok := strings.CutPrefix(f, "id="); ok {
					id = v
				}
				if v, ok := strings.CutPrefix(f, "flags="); ok {
					b = strings.Contains(v, "b")
				}
			}
			if b {
				m[id] = true
			}
		}
		return m
	}
	// settle reads the replies of the waiters that are no longer blocked.
	settle := func() {
		now := blockedIDs()
		for i, w := range ws {
			if w.blocked && !now[w.id] {
				raw, _, err := w.s.recv()
				if err != nil {
					t.Fatalf("%s: %v", w.s.name, err)
				}
				record(w.s.name, []string{"(served)"}, raw)
				w.blocked = false
				_ = i
			}
		}
	}
	keys := []string{"k1", "k2", "k3", "s"}
	key := func() string {
		if g.chance(0.05) {
			return "s" // a string: WRONGTYPE
		}
		return keys[g.intn(3)]
	}
	side := func() string { return g.pick("LEFT", "RIGHT") }
	blockingCmd := func() []string {
		switch g.intn(5) {
		case 0:
			a := []string{g.pick("BLPOP", "BRPOP")}
			for range 1 + g.intn(3) {
				a = append(a, key())
			}
			return append(a, "0")
		case 1:
			return []string{"BLMOVE", key(), key(), side(), side(), "0"}
		case 2:
			return []string{"BRPOPLPUSH", key(), key(), "0"}
		case 3:
			nk := 1 + g.intn(2)
			a := []string{"BLMPOP", "0", strconv.Itoa(nk)}
			for range nk {
				a = append(a, key())
			}
			a = append(a, side())
			if g.chance(0.5) {
				a = append(a, "COUNT", strconv.Itoa(1+g.intn(3)))
			}
			return a
		default:
			return []string{g.pick("BLPOP", "BRPOP"), key(), "100"}
		}
	}
	pCmd := func() [][]string {
		switch r := g.intn(100); {
		case r < 45:
			a := []string{g.pick("RPUSH", "LPUSH", "RPUSHX", "LPUSHX"), key()}
			for range 1 + g.intn(3) {
				a = append(a, g.pick("a", "b", "c", "d"))
			}
			return [][]string{a}
		case r < 55:
			return [][]string{{g.pick("LPOP", "RPOP"), key()}}
		case r < 62:
			return [][]string{{"LMOVE", key(), key(), side(), side()}}
		case r < 68:
			return [][]string{{"DEL", key()}}
		case r < 72:
			return [][]string{{"SET", "s", "str"}}
		case r < 82:
			// A transaction: its pushes wake the blocked clients after EXEC.
			tx := [][]string{{"MULTI"}}
			for range 1 + g.intn(3) {
				switch g.intn(4) {
				case 0:
					tx = append(tx, []string{"LPOP", key()})
				case 1:
					tx = append(tx, []string{"DEL", key()})
				default:
					tx = append(tx, []string{"RPUSH", key(), g.pick("x", "y")})
				}
			}
			return append(tx, []string{"EXEC"})
		case r < 86:
			return [][]string{{"RENAME", key(), key()}}
		case r < 90:
			return [][]string{{"COPY", key(), key(), "REPLACE"}}
		default:
			return [][]string{{"LRANGE", key(), "0", "-1"}}
		}
	}
	for step := 0; step < n; step++ {
		var free []int
		for i, w := range ws {
			if !w.blocked {
				free = append(free, i)
			}
		}
		switch r := g.intn(100); {
		case r < 35 && len(free) > 0:
			w := ws[free[g.intn(len(free))]]
			args := blockingCmd()
			if err := w.s.send(args); err != nil {
				t.Fatal(err)
			}
			// Either it is answered at once or CLIENT LIST shows it blocked.
			deadline := time.Now().Add(10 * time.Second)
			for {
				if blockedIDs()[w.id] {
					w.blocked = true
					record(w.s.name, args, []byte("(blocked)"))
					break
				}
				_ = w.s.conn.SetReadDeadline(time.Now().Add(2 * time.Millisecond))
				if _, err := w.s.rr.br.Peek(1); err == nil {
					raw, _, err := w.s.recv()
					if err != nil {
						t.Fatal(err)
					}
					record(w.s.name, args, raw)
					break
				}
				if time.Now().After(deadline) {
					_, list, _ := p.roundTrip("CLIENT", "LIST")
					t.Fatalf("%s on %s (%s): %s: neither answered nor blocked in 10s; CLIENT LIST:\n%s",
						w.s.name, serverName(addr), addr, quoteArgs(args), list.str)
				}
			}
		case r < 40 && len(free) < len(ws):
			// CLIENT UNBLOCK, or a blocked client going away.
			var blocked []int
			for i, w := range ws {
				if w.blocked {
					blocked = append(blocked, i)
				}
			}
			i := blocked[g.intn(len(blocked))]
			if g.chance(0.5) {
				args := []string{"CLIENT", "UNBLOCK", ws[i].id, g.pick("TIMEOUT", "ERROR")}
				raw, _, err := p.roundTrip(args...)
				if err != nil {
					t.Fatal(err)
				}
				record("P", []string{"CLIENT", "UNBLOCK", string(rune('A' + i)), args[3]}, raw)
				settle()
				continue
			}
			ws[i].s.conn.Close()
			record(ws[i].s.name, []string{"(close)"}, nil)
			deadline := time.Now().Add(10 * time.Second)
			for blockedIDs()[ws[i].id] {
				if time.Now().After(deadline) {
					t.Fatalf("%s still blocked after closing", ws[i].s.name)
				}
			}
			connect(i)
		default:
			for _, args := range pCmd() {
				raw, _, err := p.roundTrip(args...)
				if err != nil {
					t.Fatal(err)
				}
				record("P", args, raw)
			}
			settle()
		}
	}
	for _, k := range keys {
		raw, _, err := p.roundTrip("LRANGE", k, "0", "-1")
		if err != nil {
			t.Fatal(err)
		}
		record("P", []string{"LRANGE", k, "0", "-1"}, raw)
	}
	return transcript
}

// TestInteropDifferentialBlockingRandom runs SHARDIS_DIFF_N (default
// 5,000; 500 under -short) random steps of four blocking clients and one
// that pushes, pops, moves and runs transactions, on redis-server and on
// the target, and compares the transcripts. Replay with SHARDIS_SEED.
func TestInteropDifferentialBlockingRandom(t *testing.T) {
	seed := randomSeed(t)
	n := randomCount(t, 5000)
	t.Logf("seed %d, %d steps (replay: SHARDIS_SEED=%d SHARDIS_DIFF_N=%d go test -run TestInteropDifferentialBlockingRandom ./e2e)",
		seed, n, seed, n)
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	o := blockingRandomRun(t, oracle, seed, n)
	g := blockingRandomRun(t, target, seed, n)
	for i := range min(len(o), len(g)) {
		if o[i] != g[i] {
			from := max(0, i-8)
			t.Fatalf("step %d differs:\n  redis-server: %s\n  %s: %s\nbefore it (redis-server):\n  %s",
				i, o[i], diffTarget(), g[i], strings.Join(o[from:i], "\n  "))
		}
	}
	if len(o) != len(g) {
		t.Fatalf("transcripts of %d and %d entries", len(o), len(g))
	}
	blockedN := 0
	for _, e := range o {
		if strings.HasSuffix(e, `"(blocked)"`) {
			blockedN++
		}
	}
	t.Logf("seed %d: %d transcript entries compared (%d commands blocked) against %s", seed, len(o), blockedN, diffTarget())
}
