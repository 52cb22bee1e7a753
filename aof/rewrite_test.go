package aof

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func TestRewriteCommit(t *testing.T) {
	opts := Options{Dir: t.TempDir(), Fsync: Always}
	l := openT(t, opts)
	loadAll(t, l)
	if err := l.Wait(l.Append([]Record{rec(0, "SET", "a", "1"), rec(0, "SET", "b", "1")})); err != nil {
		t.Fatal(err)
	}
	rw, err := l.BeginRewrite()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.BeginRewrite(); err != ErrRewriteInProgress {
		t.Fatalf("second BeginRewrite: %v", err)
	}
	// "a" is dumped first; later writes to it go to the new incr.
	if err := rw.AppendBase([]Record{rec(0, "SET", "a", "1")}); err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(rw.Append([]Record{rec(0, "SET", "a", "2")})); err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(l.Append([]Record{rec(0, "SET", "b", "2")})); err != nil {
		t.Fatal(err)
	}
	if err := rw.AppendBase([]Record{rec(0, "SET", "b", "2")}); err != nil {
		t.Fatal(err)
	}
	if err := rw.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(l.Append([]Record{rec(1, "SET", "c", "3")})); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	adir := filepath.Join(opts.Dir, "appendonlydir")
	want := []string{"appendonly.aof.2.base.aof", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"}
	if got := dirFiles(t, adir); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	l = openT(t, opts)
	defer l.Close()
	got, _ := loadAll(t, l)
	wantCmds := []loaded{{0, "SET a 1"}, {0, "SET b 2"}, {0, "SET a 2"}, {1, "SET c 3"}}
	if fmt.Sprint(got) != fmt.Sprint(wantCmds) {
		t.Fatalf("loaded %v, want %v", got, wantCmds)
	}
}

func TestRewriteAbort(t *testing.T) {
	opts := Options{Dir: t.TempDir(), Fsync: EverySec}
	l := openT(t, opts)
	loadAll(t, l)
	l.Append([]Record{rec(0, "SET", "a", "1")})
	rw, err := l.BeginRewrite()
	if err != nil {
		t.Fatal(err)
	}
	rw.Append([]Record{rec(0, "SET", "a", "2")})
	l.Append([]Record{rec(0, "SET", "b", "1")})
	if err := rw.Abort(); err != nil {
		t.Fatal(err)
	}
	l.Append([]Record{rec(0, "SET", "a", "3")})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = openT(t, opts)
	defer l.Close()
	got, _ := loadAll(t, l)
	wantCmds := []loaded{{0, "SET a 1"}, {0, "SET b 1"}, {0, "SET a 2"}, {0, "SET a 3"}}
	if fmt.Sprint(got) != fmt.Sprint(wantCmds) {
		t.Fatalf("loaded %v, want %v", got, wantCmds)
	}
}

func TestInfoSizes(t *testing.T) {
	fsys := newMemFS()
	l, err := Open(Options{Dir: "/n", FS: fsys, Fsync: Always})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	loadAll(t, l)
	one := int64(len(appendSelect(nil, 0)) + len(cmd("SET", "a", "1")))
	if err := l.Wait(l.Append([]Record{rec(0, "SET", "a", "1")})); err != nil {
		t.Fatal(err)
	}
	if in := l.Info(); in.CurrentSize != one || in.BaseSize != 0 || in.RewriteInProgress {
		t.Fatalf("info %+v, want current size %d", in, one)
	}
	rw, err := l.BeginRewrite()
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(rw.Append([]Record{rec(0, "SET", "a", "1")})); err != nil {
		t.Fatal(err)
	}
	if in := l.Info(); in.CurrentSize != 2*one || !in.RewriteInProgress {
		t.Fatalf("info during the rewrite %+v, want current size %d", in, 2*one)
	}
	rw.AppendBase([]Record{rec(0, "SET", "a", "1")})
	if err := rw.Commit(); err != nil {
		t.Fatal(err)
	}
	if in := l.Info(); in.CurrentSize != 2*one || in.BaseSize != 2*one || in.RewriteInProgress {
		t.Fatalf("info after the rewrite %+v, want sizes %d", in, 2*one)
	}
}

// TestCloseDuringCommit: Close (which aborts a rewrite) and Commit may run
// at once; one of them wins and the directory loads.
func TestCloseDuringCommit(t *testing.T) {
	for range 20 {
		fsys := newMemFS()
		l, err := Open(Options{Dir: "/node", FS: fsys, Fsync: Always})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Wait(l.Append([]Record{rec(0, "SET", "a", "1")})); err != nil {
			t.Fatal(err)
		}
		rw, err := l.BeginRewrite()
		if err != nil {
			t.Fatal(err)
		}
		rw.AppendBase([]Record{rec(0, "SET", "a", "1")})
		done := make(chan error, 1)
		go func() { done <- rw.Commit() }()
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil && err != ErrRewriteDone {
			t.Logf("Commit: %v", err)
		}
		fsys.FlushOS()
		if got := loadKV(t, fsys.Cut()); len(got) == 0 || got[len(got)-1] != "SET a 1" {
			man, _ := fsys.Read("/node/appendonlydir/appendonly.aof.manifest")
			var files []string
			for name, n := range fsys.names {
				files = append(files, fmt.Sprintf("%s=%q", name, n.data))
			}
			t.Fatalf("loaded %q; manifest %q; files %v", got, man, files)
		}
	}
}

// TestCloseDuringBeginRewrite: Close and BeginRewrite at once, and Close
// twice at once: no panic, and the directory loads.
func TestCloseDuringBeginRewrite(t *testing.T) {
	for range 20 {
		fsys := newMemFS()
		l, err := Open(Options{Dir: "/node", FS: fsys, Fsync: Always})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Wait(l.Append([]Record{rec(0, "SET", "a", "1")})); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{}, 2)
		go func() {
			if rw, err := l.BeginRewrite(); err == nil {
				rw.Abort()
			}
			done <- struct{}{}
		}()
		go func() { l.Close(); done <- struct{}{} }()
		l.Close()
		<-done
		<-done
		fsys.FlushOS()
		if got := loadKV(t, fsys.Cut()); fmt.Sprint(got) != "[SET a 1]" {
			t.Fatalf("loaded %q", got)
		}
	}
}
