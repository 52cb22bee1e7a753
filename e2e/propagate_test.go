package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shardis/shardis/backend"
)

// The proof that what a node propagates reproduces its data: several
// clients run random commands of every type at once against a node whose
// Sink collects what it propagates; the records are then replayed, the way
// the AOF loads them (SELECT when the database changes, MULTI/EXEC around
// what one command or EXEC propagated together), into fresh servers, and
// every key of every database is compared with the node's: type, absolute
// expiry to the millisecond, and DEBUG DIGEST-VALUE.

// collectSink keeps copies of everything a node propagates, one group per
// Propagate call, in call order.
type collectSink struct {
	mu     sync.Mutex
	groups [][]backend.Record
}

func (k *collectSink) Propagate(recs []backend.Record, held []backend.HeldShards) {
	g := make([]backend.Record, len(recs))
	for i, r := range recs {
		g[i] = backend.Record{DB: r.DB, Cmd: append([]byte(nil), r.Cmd...)}
	}
	k.mu.Lock()
	k.groups = append(k.groups, g)
	k.mu.Unlock()
}

// take returns the groups so far and their number.
func (k *collectSink) take() ([][]backend.Record, int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.groups, len(k.groups)
}

// propWorkload is one client's command mix.
type propWorkload struct {
	name  string
	table []weighted
	setup func(*gen)
	zset  bool // draws with zsetNext
	tx    bool // now and then wraps a few commands in MULTI/EXEC
}

func propWorkloads() []propWorkload {
	keys := func(ks []string) func(*gen) { return func(g *gen) { g.keys = ks } }
	return []propWorkload{
		{name: "strings-keys", table: randomCommands},
		{name: "hash", table: hashRandomCommands, setup: keys(hashKeys)},
		// Two list and two zset clients on the same keys: one's pushes
		// serve the other's blocked pops.
		{name: "list-a", table: listRandomCommands, setup: keys(listKeys)},
		{name: "list-b", table: listRandomCommands, setup: keys(listKeys)},
		{name: "set", table: setRandomCommands, setup: setGenSetup},
		{name: "zset-a", table: zsetRandomCommands, setup: keys(zsetScoreKeys), zset: true},
		{name: "zset-b", table: zsetRandomCommands, setup: keys(zsetScoreKeys), zset: true},
		{name: "hll", table: hllRandomCommands, setup: hllGenSetup},
		// Transactions, on the same keys as the clients above.
		{name: "tx-strings", table: randomCommands, tx: true},
		{name: "tx-list", table: listRandomCommands, setup: keys(listKeys), tx: true},
		{name: "tx-zset", table: zsetRandomCommands, setup: keys(zsetScoreKeys), zset: true, tx: true},
	}
}

// propSkipped reports whether a generated command stays out of the run:
// CLIENT REPLY would desynchronise the reader, and configuration changes
// (encodings, HyperLogLog representation) are not part of what an AOF
// replays.
func propSkipped(args []string) bool {
	if len(args) >= 2 && strings.EqualFold(args[0], "CLIENT") && strings.EqualFold(args[1], "REPLY") {
		return true
	}
	if len(args) >= 1 && strings.EqualFold(args[0], "CONFIG") {
		return true
	}
	return false
}

// propRunner is one client running a workload on a connection of its own.
type propRunner struct {
	t     *testing.T
	s     *side
	w     propWorkload
	g     *gen
	total int
	opt   propOptions
	sent  int
}

func newPropRunner(t *testing.T, addr string, w propWorkload, seed int64, opt propOptions) *propRunner {
	r := &propRunner{t: t, s: dialSide(t, w.name, addr), w: w, g: newGen(seed), opt: opt}
	if w.setup != nil {
		w.setup(r.g)
	}
	for _, x := range w.table {
		r.total += x.w
	}
	return r
}

// run sends n generated commands, or fewer when deadline passes.
// opt.restore runs the DUMP → RESTORE steps (the payload is shardis's own,
// which redis-server does not load); opt.shortExpiry the steps that give a
// key a few milliseconds to live.
func (pr *propRunner) run(n int, deadline time.Time) error {
	s, g := pr.s, pr.g
	show := os.Getenv("SHARDIS_PROP_SHOW")
	inTx := 0 // commands still to queue in the open transaction
	for i := 0; i < n && time.Now().Before(deadline); i++ {
		if pr.w.tx && inTx == 0 && g.chance(0.15) {
			if _, _, err := s.roundTrip("MULTI"); err != nil {
				return err
			}
			pr.sent++
			inTx = 1 + g.intn(6)
		}
		var o op
		if pr.w.zset {
			o = g.zsetNext(pr.w.table, pr.total)
		} else {
			o = g.next(pr.w.table, pr.total)
		}
		if propSkipped(o.args) || o.shortExpiry > 0 && !pr.opt.shortExpiry || inTx > 0 && o.restore {
			continue
		}
		if o.restore {
			if !pr.opt.restore {
				continue
			}
			_, r, err := s.roundTrip("DUMP", o.dumpKey)
			if err != nil {
				return err
			}
			pr.sent++
			if r.kind != '$' || r.null {
				continue
			}
			a := append([]string{"RESTORE", o.args[1], o.args[2], r.str}, o.args[3:]...)
			if _, _, err := s.roundTrip(a...); err != nil {
				return err
			}
			pr.sent++
			continue
		}
		_, r, err := s.roundTrip(o.args...)
		if err != nil {
			return fmt.Errorf("%s: %w", quoteArgs(o.args), err)
		}
		if show != "" && len(o.args) > 1 && (o.args[1] == show || show == "<empty>" && o.args[1] == "") {
			pr.t.Logf("%s -> %s", quoteArgs(o.args), r)
		}
		pr.sent++
		if inTx > 0 {
			if inTx--; inTx == 0 {
				end := "EXEC"
				if g.chance(0.1) {
					end = "DISCARD"
				}
				if _, _, err := s.roundTrip(end); err != nil {
					return err
				}
				pr.sent++
			}
		}
	}
	if inTx > 0 {
		if _, _, err := s.roundTrip("EXEC"); err != nil {
			return err
		}
		pr.sent++
	}
	return nil
}

// propOptions select the steps of a run.
type propOptions struct {
	restore     bool // DUMP → RESTORE round trips
	shortExpiry bool // keys given a few ms to live
}

// replayTarget rebuilds a dataset from what a node propagated.
type replayTarget struct {
	name string
	// start returns a fresh server that replayRecords replays into over
	// a client connection, checkpoint by checkpoint. Commands then run at
	// a later time than on the node, so a run with keys living a few
	// milliseconds cannot be replayed this way: a key alive for a command
	// on the node may be gone at its replay.
	start func(t *testing.T) string
	// load, when set instead, returns a server that loaded all of it at
	// once (only the final state is compared).
	load func(t *testing.T, groups [][]backend.Record) string
}

// writeAOFDir writes the records as a Redis 7 appendonlydir (a manifest
// and one incr file, SELECT at its start and when the database changes,
// MULTI/EXEC around each group of more than one) in a new directory, which
// it returns.
func writeAOFDir(t *testing.T, groups [][]backend.Record) string {
	dir := t.TempDir()
	aofDir := filepath.Join(dir, "appendonlydir")
	if err := os.Mkdir(aofDir, 0o755); err != nil {
		t.Fatal(err)
	}
	var b []byte
	db := -1
	for _, g := range groups {
		if len(g) > 1 {
			b = appendCommand(b, "MULTI")
		}
		for _, r := range g {
			if r.DB != db {
				b = appendCommand(b, "SELECT", strconv.Itoa(r.DB))
				db = r.DB
			}
			b = append(b, r.Cmd...)
		}
		if len(g) > 1 {
			b = appendCommand(b, "EXEC")
		}
	}
	if err := os.WriteFile(filepath.Join(aofDir, "appendonly.aof.1.incr.aof"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	manifest := "file appendonly.aof.1.incr.aof seq 1 type i\n"
	if err := os.WriteFile(filepath.Join(aofDir, "appendonly.aof.manifest"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// loadAOFRedis starts a redis-server on the records written as an AOF: it
// loads them as it loads its own AOF, keys not expiring while it loads.
func loadAOFRedis(t *testing.T, groups [][]backend.Record) string {
	dir := writeAOFDir(t, groups)
	return startRedis(t, "--dir", dir, "--appendonly", "yes", "--aof-use-rdb-preamble", "no")
}

// loadAOFShardis starts a shardis node on the records written as an AOF.
func loadAOFShardis(t *testing.T, groups [][]backend.Record) string {
	dir := writeAOFDir(t, groups)
	addr, _ := startBackendServer(t, func(o *backend.Options) {
		o.Dir = dir
		o.AppendOnly = true
	})
	return addr
}

// replayRecords sends groups to the server at addr as the AOF would load
// them and returns the error replies it got (there should be none).
func replayRecords(t *testing.T, addr string, groups [][]backend.Record) []string {
	t.Helper()
	s := dialSide(t, "replay "+addr, addr)
	var out []byte
	expect := 0
	db := 0
	var errs []string
	var sentCmds []string // what each expected reply answers, for the error messages
	flush := func() {
		_ = s.conn.SetWriteDeadline(time.Now().Add(replyTimeout))
		if _, err := s.conn.Write(out); err != nil {
			t.Fatalf("replay to %s: %v", addr, err)
		}
		out = out[:0]
		for i := 0; i < expect; i++ {
			_, r, err := s.recv()
			if err != nil {
				t.Fatalf("replay to %s: %v", addr, err)
			}
			if r.isError() {
				errs = append(errs, r.str+" <- "+sentCmds[i])
			}
			for _, e := range r.elems { // EXEC's replies
				if e.isError() {
					errs = append(errs, e.str+" <- in "+sentCmds[i])
				}
			}
		}
		expect = 0
		sentCmds = sentCmds[:0]
	}
	note := func(cmd string) {
		sentCmds = append(sentCmds, cmd)
		expect++
	}
	for _, g := range groups {
		if len(g) > 1 {
			out = appendCommand(out, "MULTI")
			note("MULTI")
		}
		var group []string
		for _, r := range g {
			if r.DB != db {
				out = appendCommand(out, "SELECT", strconv.Itoa(r.DB))
				note("SELECT")
				db = r.DB
			}
			out = append(out, r.Cmd...)
			group = append(group, fmt.Sprintf("%d:%q", r.DB, r.Cmd))
			note(group[len(group)-1])
		}
		if len(g) > 1 {
			out = appendCommand(out, "EXEC")
			note(strings.Join(group, " "))
		}
		if expect >= 256 {
			flush()
		}
	}
	flush()
	return errs
}

// keyState is what the comparison looks at for one key.
type keyState struct{ typ, expireAt, digest, value string }

// datasetOf returns every live key of databases 0..dbs-1 of the server at
// addr with its state, keyed "db\x00key". Every key is first looked up, so
// that keys whose time ran out are gone everywhere before anything counts.
func datasetOf(t *testing.T, addr string, dbs int) map[string]keyState {
	t.Helper()
	s := dialSide(t, "compare "+addr, addr)
	do := func(args ...string) reply {
		_, r, err := s.roundTrip(args...)
		if err != nil {
			t.Fatalf("%s %s: %v", addr, quoteArgs(args), err)
		}
		return r
	}
	out := map[string]keyState{}
	for db := 0; db < dbs; db++ {
		do("SELECT", strconv.Itoa(db))
		for _, k := range do("KEYS", "*").elems {
			key := k.str
			typ := do("TYPE", key).str
			if typ == "none" {
				continue
			}
			out[strconv.Itoa(db)+"\x00"+key] = keyState{
				typ:      typ,
				expireAt: do("PEXPIRETIME", key).str,
				digest:   do("DEBUG", "DIGEST-VALUE", key).String(),
			}
			if typ == "string" { // shown when it differs
				st := out[strconv.Itoa(db)+"\x00"+key]
				st.value = do("GET", key).String()
				out[strconv.Itoa(db)+"\x00"+key] = st
			}
		}
	}
	return out
}

// compareDatasets reports every key whose state differs between want (the
// original node) and got.
func compareDatasets(t *testing.T, label string, want, got map[string]keyState) int {
	t.Helper()
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	bad := 0
	for _, k := range keys {
		w, wok := want[k]
		g, gok := got[k]
		if wok && gok && w == g {
			continue
		}
		bad++
		if bad <= 20 {
			db, key, _ := strings.Cut(k, "\x00")
			t.Errorf("%s: db %s key %q: original %+v (present %v), replayed %+v (present %v)",
				label, db, key, w, wok, g, gok)
		}
	}
	return bad
}

// propagateReplay runs the workloads against a fresh node, replays what it
// propagated into each of targets, and compares. It returns the commands
// sent, the records replayed and the key comparisons made (every target,
// every checkpoint).
func propagateReplay(t *testing.T, perClient int, opt propOptions, targets []replayTarget) (sent, recs, keys int) {
	t.Helper()
	sink := &collectSink{}
	addr, srv := startBackendServer(t)
	srv.SetSink(sink)
	seed := randomSeed(t)
	t.Logf("seed %d (replay: SHARDIS_SEED=%d)", seed, seed)

	deadline := time.Now().Add(30 * time.Second)
	ws := propWorkloads()
	seeds := make([]int64, len(ws))
	for i := range ws {
		seeds[i] = seed + int64(i)
	}
	if only := os.Getenv("SHARDIS_PROP_ONLY"); only != "" {
		// Debugging: some workloads alone (names separated by commas),
		// each with the seed it had in the mix.
		var keepW []propWorkload
		var keepS []int64
		for i, w := range ws {
			if slices.Contains(strings.Split(only, ","), w.name) {
				keepW, keepS = append(keepW, w), append(keepS, seeds[i])
			}
		}
		ws, seeds = keepW, keepS
	}
	runners := make([]*propRunner, len(ws))
	for i, w := range ws {
		runners[i] = newPropRunner(t, addr, w, seeds[i], opt)
	}
	// The clients run in rounds; between rounds, with every client idle,
	// the node's data is read: a checkpoint the replays must reach after
	// the records propagated so far.
	type checkpoint struct {
		want map[string]keyState
		upto int
	}
	var cps []checkpoint
	const rounds = 5
	for round := 0; round < rounds; round++ {
		var wg sync.WaitGroup
		errs := make([]error, len(runners))
		for i, r := range runners {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = r.run(perClient/rounds, deadline)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("workload %s: %v", ws[i].name, err)
			}
		}
		// Not a readiness wait: the few milliseconds the last short-lived
		// keys had must pass, so that no key expires between the reading
		// of the node's data and the reading of a replayed copy.
		<-time.After(50 * time.Millisecond)
		// Reading expires keys lazily, which propagates DELs: the
		// checkpoint is taken after, so the replays see those too.
		want := datasetOf(t, addr, 16)
		_, n := sink.take()
		cps = append(cps, checkpoint{want: want, upto: n})
	}
	for _, r := range runners {
		sent += r.sent
	}
	groups, _ := sink.take()
	multi := 0
	for _, g := range groups {
		recs += len(g)
		if len(g) > 1 {
			multi++
		}
	}
	t.Logf("%d groups of records, %d of them of several records (an EXEC, or a key expired on the way)", len(groups), multi)
	t.Logf("records by command: %s", recordsByCommand(groups))
	if k := os.Getenv("SHARDIS_PROP_SHOW"); k != "" {
		for _, g := range groups {
			for _, r := range g {
				if k == "<empty>" && strings.Contains(string(r.Cmd), "$0\r\n\r\n") || strings.Contains(string(r.Cmd), "\r\n"+k+"\r\n") {
					t.Logf("db %d: %q", r.DB, r.Cmd)
				}
			}
		}
	}
	for _, tg := range targets {
		if tg.load != nil {
			for i, cp := range cps {
				got := datasetOf(t, tg.load(t, groups[:cp.upto]), 16)
				if bad := compareDatasets(t, fmt.Sprintf("%s checkpoint %d", tg.name, i), cp.want, got); bad > 0 {
					t.Fatalf("%s: checkpoint %d: %d of %d keys differ", tg.name, i, bad, len(cp.want))
				}
				keys += len(cp.want)
			}
			continue
		}
		target := tg.start(t)
		prev := 0
		for i, cp := range cps {
			if errs := replayRecords(t, target, groups[prev:cp.upto]); len(errs) > 0 {
				t.Errorf("%s: replay to checkpoint %d: %d error replies, first: %q", tg.name, i, len(errs), errs[0])
			}
			prev = cp.upto
			keys += len(cp.want)
			got := datasetOf(t, target, 16)
			if bad := compareDatasets(t, fmt.Sprintf("%s checkpoint %d", tg.name, i), cp.want, got); bad > 0 {
				t.Fatalf("%s: checkpoint %d: %d of %d keys differ", tg.name, i, bad, len(cp.want))
			}
		}
	}
	return sent, recs, keys
}

func startShardis(t *testing.T) string {
	addr, _ := startBackendServer(t)
	return addr
}

// TestPropagateReplayShardis replays what a node propagated under a
// concurrent random load (DUMP and RESTORE included) into a fresh shardis
// node and compares the datasets key by key.
func TestPropagateReplayShardis(t *testing.T) {
	n := 400
	if testing.Short() {
		n = 100
	}
	sent, recs, keys := propagateReplay(t, n, propOptions{restore: true}, []replayTarget{
		{name: "shardis", start: startShardis},
		{name: "shardis AOF", load: loadAOFShardis},
	})
	t.Logf("%d commands, %d records replayed, %d key comparisons (5 checkpoints per target)", sent, recs, keys)
}

// TestInteropPropagateReplay replays what a node propagated under a
// concurrent random load into a fresh redis-server 7 and a fresh shardis
// node, and compares both with the node key by key: what shardis logs
// rebuilds the same data in either.
func TestInteropPropagateReplay(t *testing.T) {
	requireBinary(t, "redis-server")
	n := randomCount(t, 3000)
	sent, recs, keys := propagateReplay(t, n, propOptions{}, []replayTarget{
		{name: "redis-server", start: func(t *testing.T) string { return startRedis(t) }},
		{name: "shardis", start: startShardis},
	})
	t.Logf("%d commands from %d clients, %d records replayed, %d key comparisons (5 checkpoints per target)", sent, len(propWorkloads()), recs, keys)
}

// TestInteropPropagateAOF writes what a node propagated under a
// concurrent random load, keys living a few milliseconds included, as a
// Redis 7 appendonlydir, starts redis-server 7 and a shardis node on it,
// and compares their datasets with the node's key by key.
func TestInteropPropagateAOF(t *testing.T) {
	requireBinary(t, "redis-server")
	n := randomCount(t, 3000)
	sent, recs, keys := propagateReplay(t, n, propOptions{shortExpiry: true}, []replayTarget{
		{name: "redis-server AOF", load: loadAOFRedis},
		{name: "shardis AOF", load: loadAOFShardis},
	})
	t.Logf("%d commands from %d clients, %d records in the AOF, %d keys compared", sent, len(propWorkloads()), recs, keys)
}

// recordsByCommand counts the records of groups by command name.
func recordsByCommand(groups [][]backend.Record) string {
	n := map[string]int{}
	for _, g := range groups {
		for _, r := range g {
			// *N\r\n$L\r\nNAME\r\n
			parts := strings.SplitN(string(r.Cmd), "\r\n", 4)
			if len(parts) >= 3 {
				n[strings.ToUpper(parts[2])]++
			}
		}
	}
	names := make([]string, 0, len(n))
	for k := range n {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		fmt.Fprintf(&b, "%s %d, ", k, n[k])
	}
	return strings.TrimSuffix(b.String(), ", ")
}
