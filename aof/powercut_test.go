package aof

import (
	"bytes"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// loadKV opens the directory on fsys, loads it with aof-load-truncated and
// returns the SET commands in order.
func loadKV(t *testing.T, fsys FS) []string {
	t.Helper()
	l, err := Open(Options{Dir: "/node", FS: fsys, LoadTruncated: true})
	if err != nil {
		t.Fatalf("Open after the cut: %v", err)
	}
	defer l.Close()
	var got []string
	if _, err := l.Load(func(db int, args [][]byte) error {
		got = append(got, string(bytes.Join(args, []byte(" "))))
		return nil
	}); err != nil {
		t.Fatalf("Load after the cut: %v", err)
	}
	return got
}

// writerRun is one appender's sequence: SET w<id>:<i> <i>.
type writerRun struct {
	acked atomic.Int64 // records whose Wait returned nil
	at    []time.Time  // when each was acknowledged (single writer only)
}

func writerCmd(id, i int) string { return fmt.Sprintf("SET w%d:%d %d", id, i, i) }

// checkPrefixes verifies that each writer's loaded records are, in order, a
// prefix of its sequence at least as long as minAcked(id).
func checkPrefixes(t *testing.T, got []string, writers int, minAcked func(id int) int64) {
	t.Helper()
	next := make([]int, writers)
	for _, c := range got {
		var id, i, v int
		if _, err := fmt.Sscanf(c, "SET w%d:%d %d", &id, &i, &v); err != nil || id >= writers {
			t.Fatalf("unexpected command %q", c)
		}
		if i != next[id] {
			t.Fatalf("writer %d: loaded record %d after %d: a gap or reordering", id, i, next[id]-1)
		}
		next[id]++
	}
	for id := range writers {
		if want := minAcked(id); int64(next[id]) < want {
			t.Errorf("writer %d: %d records survived the cut, %d were acknowledged", id, next[id], want)
		}
	}
}

func TestPowerCutAlwaysLosesNoAcknowledgedWrite(t *testing.T) {
	for round := range 3 {
		fsys := newMemFS()
		l, err := Open(Options{Dir: "/node", FS: fsys, Fsync: Always})
		if err != nil {
			t.Fatal(err)
		}
		const writers = 8
		runs := make([]writerRun, writers)
		var wg sync.WaitGroup
		var total atomic.Int64
		for id := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 5000; i++ {
					off := l.Append([]Record{{Cmd: cmd(split(writerCmd(id, i))...)}})
					if l.Wait(off) != nil {
						return
					}
					runs[id].acked.Store(int64(i + 1))
					total.Add(1)
				}
			}()
		}
		// Cut at a different instant each round, while writers run.
		deadline := time.Now().Add(5 * time.Second)
		for total.Load() < int64(300*(round+1)) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		acked := make([]int64, writers)
		for id := range writers {
			acked[id] = runs[id].acked.Load()
		}
		img := fsys.Cut()
		wg.Wait()
		l.Close()
		got := loadKV(t, img)
		checkPrefixes(t, got, writers, func(id int) int64 { return acked[id] })
	}
}

func split(s string) []string {
	var out []string
	for _, f := range bytes.Fields([]byte(s)) {
		out = append(out, string(f))
	}
	return out
}

func TestPowerCutEverySecLosesAtMostTheLastSeconds(t *testing.T) {
	defer func(f time.Duration) { fsyncEvery = f }(fsyncEvery)
	// One tenth of Redis's second, so that the test is short; the bound
	// checked is generous for a loaded machine.
	fsyncEvery = 100 * time.Millisecond
	fsys := newMemFS()
	l, err := Open(Options{Dir: "/node", FS: fsys, Fsync: EverySec})
	if err != nil {
		t.Fatal(err)
	}
	var at []time.Time
	start := time.Now()
	for i := 0; time.Since(start) < time.Second && i < 1_000_000; i++ {
		if err := l.Wait(l.Append([]Record{{Cmd: cmd(split(writerCmd(0, i))...)}})); err != nil {
			t.Fatal(err)
		}
		at = append(at, time.Now())
		if i%64 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	img := fsys.Cut()
	cut := time.Now()
	l.Close()
	got := loadKV(t, img)
	// Everything acknowledged more than 2 fsync periods (plus slack) before
	// the cut must have survived.
	bound := cut.Add(-(2*fsyncEvery + 600*time.Millisecond))
	var must int64
	for i, a := range at {
		if a.Before(bound) {
			must = int64(i + 1)
		}
	}
	if must == 0 {
		t.Fatal("the writer made no progress before the bound")
	}
	checkPrefixes(t, got, 1, func(int) int64 { return must })
	if int64(len(got)) == int64(len(at)) {
		t.Logf("everything survived (%d records): the last fsync came late", len(got))
	}
}

func TestPowerCutNoLosesOnlyUnflushed(t *testing.T) {
	fsys := newMemFS()
	l, err := Open(Options{Dir: "/node", FS: fsys, Fsync: No})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if err := l.Wait(l.Append([]Record{{Cmd: cmd(split(writerCmd(0, i))...)}})); err != nil {
			t.Fatal(err)
		}
	}
	fsys.FlushOS() // the kernel's writeback
	for i := 100; i < 200; i++ {
		if err := l.Wait(l.Append([]Record{{Cmd: cmd(split(writerCmd(0, i))...)}})); err != nil {
			t.Fatal(err)
		}
	}
	img := fsys.Cut()
	l.Close()
	got := loadKV(t, img)
	checkPrefixes(t, got, 1, func(int) int64 { return 100 })
	if len(got) != 100 {
		t.Fatalf("%d records survived, want the 100 the kernel had flushed", len(got))
	}
}

// TestPowerCutTornLastRecord cuts the power while the last record is only
// partly on disk, at every byte offset, and with zeros instead of the data:
// the directory always loads, with every earlier record.
func TestPowerCutTornLastRecord(t *testing.T) {
	lasts := map[string][]Record{
		"single": {{Cmd: cmd("SET", "last", "value")}},
		"multi":  {{Cmd: cmd("LPUSH", "l", "a")}, {DB: 2, Cmd: cmd("INCRBY", "n", "5")}},
	}
	for name, last := range lasts {
		t.Run(name, func(t *testing.T) {
			fsys := newMemFS()
			l, err := Open(Options{Dir: "/node", FS: fsys, Fsync: No})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 5 {
				l.Append([]Record{{Cmd: cmd(split(writerCmd(0, i))...)}})
			}
			if err := l.Wait(l.Append([]Record{{DB: 1, Cmd: cmd("SET", "x", "y")}})); err != nil {
				t.Fatal(err)
			}
			fsys.FlushOS()
			if err := l.Wait(l.Append(last)); err != nil {
				t.Fatal(err)
			}
			full, _ := fsys.Read("/node/appendonlydir/appendonly.aof.1.incr.aof")
			synced := 0
			for _, n := range fsys.durable {
				if len(n.synced) > synced && len(n.data) == len(full) {
					synced = len(n.synced)
				}
			}
			tail := full[synced:]
			wantFull := 6 + len(last)
			for j := 0; j <= len(tail); j++ {
				for _, zeros := range []int{0, 1, len(tail) - j, 4096} {
					img := cutCopy(fsys, func(_ string, unsynced []byte) []byte {
						return append(append([]byte(nil), unsynced[:j]...), make([]byte, zeros)...)
					})
					got := loadKV(t, img)
					want := 6
					// The two bytes after the last argument are not
					// checked, as in Redis: zeros there still end it.
					if j == len(tail) || (j >= len(tail)-2 && zeros >= len(tail)-j) {
						want = wantFull
					}
					if len(got) != want {
						t.Fatalf("torn at %d/%d with %d zeros: loaded %d records, want %d: %q", j, len(tail), zeros, len(got), want, got)
					}
				}
			}
			l.Close()
		})
	}
}

// cutCopy returns the disk image a cut with tail would leave, without
// cutting fsys itself.
func cutCopy(fsys *memFS, tail func(string, []byte) []byte) *memFS {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	c := &memFS{names: fsys.names, durable: fsys.durable, dirs: fsys.dirs}
	c.cutLocked(tail)
	return c.image
}

var _ = strconv.Itoa
