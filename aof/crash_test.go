package aof

import (
	"errors"
	"fmt"
	"testing"
)

// kvScenario writes SETs to a log and rewrites it halfway, as the backend
// does (two keyspace parts dumped one after the other), recording every
// value appended and which were acknowledged.
type kvScenario struct {
	hist  map[string][]string // values appended, in order
	acked map[string]int      // how many of them were acknowledged
	// retry makes a failed Wait try again (fault injection); without it
	// the scenario stops at the first failure (power cut).
	retry     bool
	closeErr  error
	committed bool
}

var (
	partA = []string{"a0", "a1", "a2"}
	partB = []string{"b0", "b1", "b2"}
)

// run returns false when the scenario stopped early.
func (s *kvScenario) run(fsys FS) bool {
	s.hist, s.acked = map[string][]string{}, map[string]int{}
	l, err := Open(Options{Dir: "/node", FS: fsys, Fsync: Always, LoadTruncated: true})
	if err != nil {
		return false
	}
	defer func() { s.closeErr = l.Close() }()
	if _, err := l.Load(func(int, [][]byte) error { return nil }); err != nil {
		return false
	}
	set := func(app func([]Record) int64, key string) bool {
		v := fmt.Sprintf("%s-%d", key, len(s.hist[key]))
		s.hist[key] = append(s.hist[key], v)
		off := app([]Record{{Cmd: cmd("SET", key, v)}})
		for range 3 {
			if err := l.Wait(off); err == nil {
				s.acked[key] = len(s.hist[key])
				return true
			}
			if !s.retry {
				return false
			}
		}
		return false
	}
	all := append(append([]string(nil), partA...), partB...)
	for _, k := range all {
		if !set(l.Append, k) {
			return false
		}
	}
	dump := func(rw *Rewrite, keys []string) bool {
		for _, k := range keys {
			h := s.hist[k]
			if err := rw.AppendBase([]Record{{Cmd: cmd("SET", k, h[len(h)-1])}}); err != nil {
				return false
			}
		}
		return true
	}
	rw, err := l.BeginRewrite()
	if err != nil {
		if !s.retry {
			return false
		}
		for _, k := range all {
			set(l.Append, k)
		}
		return true
	}
	if !dump(rw, partA) {
		return false
	}
	for _, k := range partA {
		if !set(rw.Append, k) {
			return false
		}
	}
	for _, k := range partB {
		if !set(l.Append, k) {
			return false
		}
	}
	if !dump(rw, partB) {
		return false
	}
	for _, k := range all {
		if !set(rw.Append, k) {
			return false
		}
	}
	if err := rw.Commit(); err != nil {
		if abortErr := rw.Abort(); abortErr != nil || !s.retry {
			return false
		}
	} else {
		s.committed = true
	}
	for _, k := range all {
		if !set(l.Append, k) {
			return false
		}
	}
	return true
}

// check loads the image and verifies that every key holds its last
// acknowledged value or a later appended one.
func (s *kvScenario) check(t *testing.T, img FS, what string) map[string]string {
	t.Helper()
	l, err := Open(Options{Dir: "/node", FS: img, LoadTruncated: true})
	if err != nil {
		t.Fatalf("%s: Open: %v", what, err)
	}
	defer l.Close()
	got := map[string]string{}
	if _, err := l.Load(func(_ int, args [][]byte) error {
		got[string(args[1])] = string(args[2])
		return nil
	}); err != nil {
		t.Fatalf("%s: Load: %v", what, err)
	}
	for k, n := range s.acked {
		ok := false
		for _, v := range s.hist[k][n-1:] {
			ok = ok || got[k] == v
		}
		if !ok {
			t.Fatalf("%s: %s = %q, want %q (acknowledged) or later", what, k, got[k], s.hist[k][n-1])
		}
	}
	return got
}

// TestRewriteCrashAtEveryStep cuts the power right before each file-system
// operation of a write + rewrite sequence: the directory always loads and
// holds every acknowledged write.
func TestRewriteCrashAtEveryStep(t *testing.T) {
	probe := newMemFS()
	var s kvScenario
	if !s.run(probe) || !s.committed {
		t.Fatal("the scenario fails without faults")
	}
	total := probe.ops
	for k := 1; k <= total+1; k++ {
		fsys := newMemFS()
		fsys.cutAt = k
		var s kvScenario
		s.run(fsys)
		img := fsys.image
		if img == nil {
			img = fsys.Cut()
		}
		s.check(t, img, fmt.Sprintf("cut before op %d/%d", k, total))
	}
}

// TestRewriteFaultAtEveryStep fails each file-system operation once, in
// turn: writes are retried, a failed rewrite is aborted, and in the end the
// directory holds every write.
func TestRewriteFaultAtEveryStep(t *testing.T) {
	probe := newMemFS()
	var s kvScenario
	s.run(probe)
	total := probe.ops
	errInjected := errors.New("injected fault")
	for k := 1; k <= total; k++ {
		fsys := newMemFS()
		var failedOp string
		fsys.fault = func(op, path string) error {
			if fsys.ops == k {
				failedOp = op + " " + path
				return errInjected
			}
			return nil
		}
		s := kvScenario{retry: true}
		s.run(fsys)
		fsys.FlushOS()
		what := fmt.Sprintf("fault at op %d/%d (%s)", k, total, failedOp)
		got := s.check(t, fsys.Cut(), what)
		if s.closeErr != nil {
			continue
		}
		for k, h := range s.hist {
			if got[k] != h[len(h)-1] {
				t.Fatalf("%s: %s = %q, want %q", what, k, got[k], h[len(h)-1])
			}
		}
	}
}

// TestAbortFsyncsTheOldIncr: records still buffered for the old incr file
// when a rewrite ends are written and fsynced there before Wait says so.
func TestAbortFsyncsTheOldIncr(t *testing.T) {
	for _, commit := range []bool{false, true} {
		fsys := newMemFS()
		l, err := Open(Options{Dir: "/node", FS: fsys, Fsync: Always})
		if err != nil {
			t.Fatal(err)
		}
		rw, err := l.BeginRewrite()
		if err != nil {
			t.Fatal(err)
		}
		off := l.Append([]Record{rec(0, "SET", "a", "1")}) // not waited for yet
		if commit {
			rw.AppendBase([]Record{rec(0, "SET", "a", "1")})
			err = rw.Commit()
		} else {
			err = rw.Abort()
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Wait(off); err != nil {
			t.Fatal(err)
		}
		got := loadKV(t, fsys.Cut())
		l.Close()
		if fmt.Sprint(got) != "[SET a 1]" {
			t.Fatalf("commit=%v: after the cut: %q", commit, got)
		}
	}
}
