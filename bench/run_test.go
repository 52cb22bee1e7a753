package bench

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/shardis/shardis/backend"
)

// startBackend starts a shardis storage node in-process on a loopback port
// chosen by the kernel and stops it when the test ends.
func startBackend(t *testing.T) string {
	t.Helper()
	s, err := backend.New(backend.DefaultOptions())
	if err != nil {
		t.Fatalf("backend.New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.Close()
		t.Fatalf("listen: %v", err)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		s.Serve(ln)
	}()
	t.Cleanup(func() {
		s.Close()
		<-served
	})
	return ln.Addr().String()
}

// do sends one command to addr and returns the reply.
func do(t *testing.T, addr string, args ...string) (typ byte, str string, n int64) {
	t.Helper()
	v, err := command(context.Background(), addr, 10*time.Second, args...)
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	if v.Type == '-' {
		t.Fatalf("%q: %s", args, v.Str)
	}
	return v.Type, string(v.Str), v.Int
}

func runOK(t *testing.T, cfg Config) *Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := Run(ctx, cfg)
	if err != nil {
		t.Fatalf("Run(%+v): %v", cfg, err)
	}
	if res.Errors != 0 {
		t.Fatalf("%d error replies, the first %q", res.Errors, res.FirstError)
	}
	return res
}

// sumKeys adds up, over the keyspace's keys, what cmd returns for each
// (GET's number for counters, LLEN for lists).
func sumKeys(t *testing.T, addr, cmd, prefix string, keyspace int) int64 {
	t.Helper()
	var sum int64
	for i := range keyspace {
		key := string(appendKey(nil, prefix, uint64(i)))
		typ, s, n := do(t, addr, cmd, key)
		switch typ {
		case ':':
			sum += n
		case '$':
			if s == "" {
				continue // a null bulk: key never written
			}
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				t.Fatalf("%s %s = %q", cmd, key, s)
			}
			sum += v
		}
	}
	return sum
}

// TestRunCountsClosedLoop checks that the operations a closed-loop run
// reports are the ones the node executed: the INCRs add up to the count.
func TestRunCountsClosedLoop(t *testing.T) {
	addr := startBackend(t)
	res := runOK(t, Config{Addr: addr, Workload: WorkloadIncr, Connections: 4, Pipeline: 8, Keyspace: 7, Requests: 3001})
	if res.Ops != 3001 {
		t.Fatalf("Ops = %d, want 3001", res.Ops)
	}
	if got := sumKeys(t, addr, "GET", "counter:", 7); got != 3001 {
		t.Fatalf("counters add up to %d, want 3001", got)
	}
	if res.Hist.TotalCount() != 3001 || res.Latency.P50 <= 0 || res.Latency.Max < res.Latency.P999 || res.Latency.P999 < res.Latency.P50 {
		t.Fatalf("histogram %d values, latency %+v", res.Hist.TotalCount(), res.Latency)
	}
	if res.OpsPerSec <= 0 || res.Seconds <= 0 {
		t.Fatalf("OpsPerSec %v over %v s", res.OpsPerSec, res.Seconds)
	}
}

// TestRunWarmupNotCounted runs a warm-up before a counted run: the node
// sees more INCRs than were measured, and exactly the count is measured.
func TestRunWarmupNotCounted(t *testing.T) {
	addr := startBackend(t)
	res := runOK(t, Config{Addr: addr, Workload: WorkloadIncr, Connections: 2, Keyspace: 3, Requests: 500, Warmup: 100 * time.Millisecond})
	if res.Ops != 500 {
		t.Fatalf("Ops = %d, want 500", res.Ops)
	}
	if got := sumKeys(t, addr, "GET", "counter:", 3); got <= 500 {
		t.Fatalf("counters add up to %d, want more than the 500 measured (warm-up)", got)
	}
}

func TestRunLPushAndMSet(t *testing.T) {
	addr := startBackend(t)
	res := runOK(t, Config{Addr: addr, Workload: WorkloadLPush, Connections: 3, Pipeline: 4, Keyspace: 5, Requests: 2000, ValueSize: 100})
	if res.Ops != 2000 {
		t.Fatalf("lpush Ops = %d", res.Ops)
	}
	if got := sumKeys(t, addr, "LLEN", "list:", 5); got != 2000 {
		t.Fatalf("lists hold %d elements, want 2000", got)
	}
	_, v, _ := do(t, addr, "LINDEX", string(appendKey(nil, "list:", 0)), "0")
	if len(v) != 100 {
		t.Fatalf("pushed value is %d bytes, want 100", len(v))
	}

	do(t, addr, "FLUSHALL")
	res = runOK(t, Config{Addr: addr, Workload: WorkloadMSet, Connections: 2, Pipeline: 3, MSetKeys: 4, Keyspace: 1 << 40, Requests: 300})
	if res.Ops != 300 {
		t.Fatalf("mset Ops = %d", res.Ops)
	}
	// 1200 keys drawn from 2^40: a collision is possible but unlikely.
	if _, _, n := do(t, addr, "DBSIZE"); n < 1190 || n > 1200 {
		t.Fatalf("DBSIZE after 300 MSETs of 4 keys = %d", n)
	}
}

// TestPrefillThenGet fills the keyspace, then reads: every GET hits.
func TestPrefillThenGet(t *testing.T) {
	addr := startBackend(t)
	cfg := Config{Addr: addr, Workload: WorkloadGet, Connections: 5, Keyspace: 1003, ValueSize: 33, Requests: 2000}
	if err := Prefill(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if _, _, n := do(t, addr, "DBSIZE"); n != 1003 {
		t.Fatalf("DBSIZE after prefill = %d, want 1003", n)
	}
	_, v, _ := do(t, addr, "GET", string(appendKey(nil, "key:", 1002)))
	if len(v) != 33 {
		t.Fatalf("prefilled value %q, want 33 bytes", v)
	}
	res := runOK(t, cfg)
	if res.Ops != 2000 {
		t.Fatalf("Ops = %d", res.Ops)
	}
	_, info, _ := do(t, addr, "INFO", "stats")
	if !containsLine(info, "keyspace_misses:0") {
		t.Fatalf("GETs missed after prefill:\n%s", info)
	}
}

func containsLine(s, line string) bool {
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		l := s[:i]
		if len(l) > 0 && l[len(l)-1] == '\r' {
			l = l[:len(l)-1]
		}
		if l == line {
			return true
		}
		if i == len(s) {
			break
		}
		s = s[i+1:]
	}
	return false
}

// TestRunOpenLoop checks that an open-loop run sends what was asked, at
// about the rate asked.
func TestRunOpenLoop(t *testing.T) {
	addr := startBackend(t)
	start := time.Now()
	res := runOK(t, Config{Addr: addr, Workload: WorkloadIncr, Connections: 2, Keyspace: 4, Requests: 400, Rate: 2000})
	if res.Ops != 400 {
		t.Fatalf("Ops = %d, want 400", res.Ops)
	}
	if got := sumKeys(t, addr, "GET", "counter:", 4); got != 400 {
		t.Fatalf("counters add up to %d, want 400", got)
	}
	// 400 operations at 2000/s take 200 ms; sending faster would be a bug.
	if el := time.Since(start); el < 150*time.Millisecond {
		t.Fatalf("400 ops at 2000/s took %v", el)
	}

	// Bounded by time: no more operations than were due.
	res = runOK(t, Config{Addr: addr, Workload: WorkloadSet, Connections: 3, Keyspace: 100, Duration: 700 * time.Millisecond, Rate: 1000})
	if res.Ops < 1 || res.Ops > 703 {
		t.Fatalf("Ops = %d in 700 ms at 1000/s", res.Ops)
	}
	// The timeline samples every 250 ms of the measured part.
	if len(res.Timeline) == 0 || res.Timeline[0].Seconds <= 0 || res.Timeline[0].OpsPerSec <= 0 || res.Timeline[0].MaxMs <= 0 {
		t.Fatalf("timeline %+v", res.Timeline)
	}
}

func TestRunBadInput(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	_, err = Run(context.Background(), Config{Addr: dead, Workload: WorkloadSet, Requests: 1})
	var ue *UnreachableError
	if !errors.As(err, &ue) || !IsBadInput(err) {
		t.Fatalf("Run against a closed port: %v", err)
	}

	addr := startBackend(t)
	_, err = Run(context.Background(), Config{Addr: addr, Workload: "sett", Requests: 1})
	var we *UnknownWorkloadError
	if !errors.As(err, &we) || !IsBadInput(err) || err.Error() != `unknown workload "sett" (known: set, get, mixed, incr, lpush, mset, large)` {
		t.Fatalf("unknown workload: %v", err)
	}
	_, err = Run(context.Background(), Config{Addr: addr, Workload: WorkloadSet, Distribution: DistZipf, Zipf: 1, Requests: 1})
	if !IsBadInput(err) {
		t.Fatalf("zipf 1: %v", err)
	}
}

// TestBuildAllocatesNothing holds the generator's per-operation cost: a
// built operation reuses the connection's buffers.
func TestBuildAllocatesNothing(t *testing.T) {
	for _, w := range Workloads {
		cfg := Config{Addr: "x", Workload: w, Distribution: DistZipf}
		cfg.SetDefaults()
		rng := rand.New(rand.NewPCG(1, 2))
		table := newZipfTable(uint64(cfg.Keyspace), cfg.Zipf)
		b := newOpBuilder(&cfg, newKeyGen(&cfg, table, 0, rng), rng, make([]byte, cfg.ValueSize))
		bufs := [][]byte{make([]byte, 0, 1<<20), make([]byte, 0, 1<<20)}
		route := func(key []byte) int { return len(key) & 1 }
		if n := testing.AllocsPerRun(1000, func() {
			b.build(bufs, route)
			bufs[0], bufs[1] = bufs[0][:0], bufs[1][:0]
		}); n != 0 {
			t.Errorf("%s: %v allocations per operation", w, n)
		}
	}
}

// TestZipfSkews checks that zipf concentrates on few keys and uniform
// does not.
func TestZipfSkews(t *testing.T) {
	top := func(dist string, s float64) int {
		cfg := Config{Addr: "x", Workload: WorkloadGet, Keyspace: 1000, Distribution: dist, Zipf: s}
		cfg.SetDefaults()
		var table *zipfTable
		if dist == DistZipf && s < 1 {
			table = newZipfTable(1000, s)
		}
		g := newKeyGen(&cfg, table, 0, rand.New(rand.NewPCG(3, 4)))
		counts := map[uint64]int{}
		best := 0
		for range 20000 {
			k := g.next()
			if k >= 1000 {
				t.Fatalf("%s: key %d out of the keyspace", dist, k)
			}
			counts[k]++
			best = max(best, counts[k])
		}
		return best
	}
	if u := top(DistUniform, 0); u > 60 {
		t.Errorf("uniform: hottest key drawn %d times of 20000", u)
	}
	if z := top(DistZipf, 0.99); z < 1000 {
		t.Errorf("zipf 0.99: hottest key drawn only %d times of 20000", z)
	}
	if z := top(DistZipf, 1.5); z < 5000 {
		t.Errorf("zipf 1.5: hottest key drawn only %d times of 20000", z)
	}
}

// TestRunReconnect stops the node in the middle of a run with Reconnect
// and starts another on the same address: the run goes on, counts the
// operations the lost connections held as errors, and writes to the new
// node once it is there.
func TestRunReconnect(t *testing.T) {
	s1, err := backend.New(backend.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	go s1.Serve(ln)
	var s2 *backend.Server
	restarted := make(chan error, 1)
	time.AfterFunc(300*time.Millisecond, func() {
		s1.Close()
		time.Sleep(200 * time.Millisecond) // the node is down for a while
		s, err := backend.New(backend.DefaultOptions())
		if err == nil {
			var ln2 net.Listener
			if ln2, err = net.Listen("tcp", addr); err == nil {
				s2 = s
				go s.Serve(ln2)
			}
		}
		restarted <- err
	})
	res, err := Run(context.Background(), Config{Addr: addr, Workload: WorkloadSet, Connections: 3, Keyspace: 1000,
		Duration: 1500 * time.Millisecond, Reconnect: true})
	if rerr := <-restarted; rerr != nil {
		t.Fatalf("restart the node: %v", rerr)
	}
	t.Cleanup(func() { s2.Close() })
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Ops == 0 || res.Errors == 0 || res.FirstError == "" {
		t.Fatalf("ops %d, errors %d (%q): want both", res.Ops, res.Errors, res.FirstError)
	}
	if _, _, n := do(t, addr, "DBSIZE"); n == 0 {
		t.Fatal("nothing written to the node that came back")
	}
}
