package aof

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestParsePolicy(t *testing.T) {
	for _, s := range []string{"always", "EverySec", "no"} {
		p, err := ParsePolicy(s)
		if err != nil || !strings.EqualFold(p.String(), s) {
			t.Errorf("ParsePolicy(%q) = %v, %v", s, p, err)
		}
	}
	if _, err := ParsePolicy("sometimes"); err == nil {
		t.Error("ParsePolicy accepted sometimes")
	}
}

// TestWriteErrorKeepsDataAndClears fails a write, a short write and an
// fsync in turn: Wait reports it, Err() says why, nothing is dropped or
// doubled, and Err() clears when the retry succeeds.
func TestWriteErrorKeepsDataAndClears(t *testing.T) {
	const incr = "/n/appendonlydir/appendonly.aof.1.incr.aof"
	diskFull := errors.New("no space left on device")
	cases := []struct {
		name  string
		setup func(fsys *memFS) func()
	}{
		{"write", func(fsys *memFS) func() {
			fsys.fault = func(op, path string) error {
				if op == "write" && path == incr {
					return diskFull
				}
				return nil
			}
			return func() { fsys.fault = nil }
		}},
		{"short write", func(fsys *memFS) func() {
			fsys.shortWrite = func(path string, p []byte) (int, error) { return len(p) / 2, diskFull }
			return func() { fsys.shortWrite = nil }
		}},
		{"fsync", func(fsys *memFS) func() {
			fsys.fault = func(op, path string) error {
				if op == "sync" && path == incr {
					return diskFull
				}
				return nil
			}
			return func() { fsys.fault = nil }
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := newMemFS()
			l, err := Open(Options{Dir: "/n", FS: fsys, Fsync: Always})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if err := l.Wait(l.Append([]Record{rec(0, "SET", "a", "1")})); err != nil {
				t.Fatal(err)
			}
			fsys.mu.Lock()
			heal := tc.setup(fsys)
			fsys.mu.Unlock()
			off := l.Append([]Record{rec(0, "SET", "b", "2"), rec(0, "SET", "c", "3")})
			err = l.Wait(off)
			if err == nil || !errors.Is(err, diskFull) {
				t.Fatalf("Wait: %v, want the disk error", err)
			}
			if e := l.Err(); e == nil || !strings.Contains(e.Error(), "no space left") {
				t.Fatalf("Err() = %v", e)
			}
			if in := l.Info(); in.LastWriteErr == nil && in.LastFsyncErr == nil {
				t.Fatalf("Info has no error: %+v", in)
			}
			fsys.mu.Lock()
			heal()
			fsys.mu.Unlock()
			if err := l.Wait(off); err != nil {
				t.Fatalf("Wait after the disk healed: %v", err)
			}
			if e := l.Err(); e != nil {
				t.Fatalf("Err() after success = %v", e)
			}
			data, _ := fsys.Read(incr)
			want := "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n" + string(cmd("SET", "a", "1")) + string(multiCmd) +
				string(cmd("SET", "b", "2")) + string(cmd("SET", "c", "3")) + string(execCmd)
			if string(data) != want {
				t.Fatalf("file\n%q\nwant\n%q", data, want)
			}
		})
	}
}

// TestFsyncFailureRewritesTheBatch: after a failed fsync the kernel may
// have dropped the pages and a later fsync passes without writing them; the
// log therefore truncates the batch away and writes it again, so a power
// cut after the retry loses nothing acknowledged.
func TestFsyncFailureRewritesTheBatch(t *testing.T) {
	fsys := newMemFS()
	fsys.fsyncgate = true
	l, err := Open(Options{Dir: "/node", FS: fsys, Fsync: Always})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Wait(l.Append([]Record{rec(0, "SET", "a", "1")})); err != nil {
		t.Fatal(err)
	}
	fsys.mu.Lock()
	failed := false
	fsys.fault = func(op, path string) error {
		if op == "sync" && !failed {
			failed = true
			return errors.New("EIO")
		}
		return nil
	}
	fsys.mu.Unlock()
	off := l.Append([]Record{rec(0, "SET", "b", "2")})
	if err := l.Wait(off); err == nil {
		t.Fatal("Wait passed a failed fsync")
	}
	if err := l.Wait(off); err != nil {
		t.Fatalf("Wait after the retry: %v", err)
	}
	if got := loadKV(t, fsys.Cut()); fmt.Sprint(got) != "[SET a 1 SET b 2]" {
		t.Fatalf("after the cut: %q", got)
	}
}

// TestGroupCommit checks that concurrent waiters share writes: far fewer
// fsyncs than records under Always.
func TestGroupCommit(t *testing.T) {
	fsys := newMemFS()
	var syncs int
	fsys.fault = func(op, path string) error {
		if op == "sync" {
			syncs++
			time.Sleep(100 * time.Microsecond) // a disk's fsync latency
		}
		return nil
	}
	l, err := Open(Options{Dir: "/n", FS: fsys, Fsync: Always})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	const writers, each = 16, 200
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if err := l.Wait(l.Append([]Record{rec(w%3, "SET", "k", "v")})); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	fsys.mu.Lock()
	n := syncs
	fsys.mu.Unlock()
	t.Logf("%d records, %d fsyncs", writers*each, n)
	if n >= writers*each/2 {
		t.Fatalf("%d fsyncs for %d records: no group commit", n, writers*each)
	}
	in := l.Info()
	if in.Written != in.Synced || in.BufferLength != 0 {
		t.Fatalf("info %+v", in)
	}
}

// slowSyncFS makes every fsync take delay, outside the memFS lock, as a
// busy disk does.
type slowSyncFS struct {
	*memFS
	delay *atomic.Int64 // nanoseconds
}

func (s slowSyncFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := s.memFS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return slowSyncFile{File: f, delay: s.delay}, nil
}

type slowSyncFile struct {
	File
	delay *atomic.Int64
}

func (f slowSyncFile) Sync() error {
	time.Sleep(time.Duration(f.delay.Load()))
	return f.File.Sync()
}

// TestEverySecPostponesWritesBehindASlowFsync: a write that finds the
// background fsync running waits for it, but at most the postpone limit
// (2 s in Redis; shrunk here), and is counted in aof_delayed_fsync.
func TestEverySecPostponesWritesBehindASlowFsync(t *testing.T) {
	defer func(f, p time.Duration) { fsyncEvery, maxPostponeBy = f, p }(fsyncEvery, maxPostponeBy)
	fsyncEvery, maxPostponeBy = 20*time.Millisecond, 100*time.Millisecond
	const syncDelay = 800 * time.Millisecond
	var delay atomic.Int64
	l, err := Open(Options{Dir: "/n", FS: slowSyncFS{memFS: newMemFS(), delay: &delay}, Fsync: EverySec})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	delay.Store(int64(syncDelay))
	defer delay.Store(0)
	deadline := time.Now().Add(5 * time.Second)
	var slowest time.Duration
	for i := 0; l.Info().DelayedFsync == 0 && time.Now().Before(deadline); i++ {
		start := time.Now()
		if err := l.Wait(l.Append([]Record{rec(0, "SET", "k", strconv.Itoa(i))})); err != nil {
			t.Fatal(err)
		}
		slowest = max(slowest, time.Since(start))
		time.Sleep(5 * time.Millisecond)
	}
	if l.Info().DelayedFsync == 0 {
		t.Fatal("no write was postponed behind the slow fsync")
	}
	if slowest >= syncDelay {
		t.Fatalf("a write waited %v, the whole fsync, not at most the postpone limit", slowest)
	}
}
