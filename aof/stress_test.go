package aof

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// part is one keyspace part of the stress test: a counter under a lock, as
// a backend lock shard holds keys.
type part struct {
	mu     sync.Mutex
	value  int
	dumped bool // in the base of the running rewrite
	acked  atomic.Int64
}

// TestPowerCutDuringConcurrentRewrites runs writers on their own parts
// while rewrites come and go (dumping one part at a time under its lock and
// routing each write as the backend does), then cuts the power at a random
// instant: every acknowledged value survives, under always.
func TestPowerCutDuringConcurrentRewrites(t *testing.T) {
	for round := range 4 {
		fsys := newMemFS()
		l, err := Open(Options{Dir: "/node", FS: fsys, Fsync: Always})
		if err != nil {
			t.Fatal(err)
		}
		const nparts = 4
		parts := make([]*part, nparts)
		for i := range parts {
			parts[i] = &part{}
		}
		var commits atomic.Int64
		var rwMu sync.Mutex // guards cur, the running rewrite
		var cur *Rewrite
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for i, p := range parts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key := "p" + strconv.Itoa(i)
				for n := 0; n < 100_000; n++ {
					select {
					case <-stop:
						return
					default:
					}
					p.mu.Lock()
					p.value++
					v := p.value
					recs := []Record{{Cmd: cmd("SET", key, strconv.Itoa(v))}}
					rwMu.Lock()
					rw := cur
					rwMu.Unlock()
					var off int64
					if rw != nil && p.dumped {
						off = rw.Append(recs)
					} else {
						off = l.Append(recs)
					}
					p.mu.Unlock()
					if l.Wait(off) != nil {
						return
					}
					p.acked.Store(int64(v))
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				// Routing changes under every part's lock, as the backend
				// starts a rewrite between commands.
				for _, p := range parts {
					p.mu.Lock()
				}
				rw, err := l.BeginRewrite()
				if err == nil {
					for _, p := range parts {
						p.dumped = false
					}
					rwMu.Lock()
					cur = rw
					rwMu.Unlock()
				}
				for _, p := range parts {
					p.mu.Unlock()
				}
				if err != nil {
					return
				}
				for i, p := range parts {
					p.mu.Lock()
					if rw.AppendBase([]Record{{Cmd: cmd("SET", "p"+strconv.Itoa(i), strconv.Itoa(p.value))}}) != nil {
						p.mu.Unlock()
						return
					}
					p.dumped = true
					p.mu.Unlock()
				}
				err = rw.Commit()
				for _, p := range parts {
					p.mu.Lock()
				}
				rwMu.Lock()
				cur = nil
				rwMu.Unlock()
				for _, p := range parts {
					p.mu.Unlock()
				}
				if err != nil {
					rw.Abort()
					return
				}
				commits.Add(1)
			}
		}()
		// Let it run a while (a different length each round), then cut.
		var acked [nparts]int64
		start := time.Now()
		for (time.Since(start) < time.Duration(50*(round+1))*time.Millisecond || commits.Load() == 0) &&
			time.Since(start) < 10*time.Second {
			time.Sleep(5 * time.Millisecond)
		}
		for i, p := range parts {
			acked[i] = p.acked.Load()
		}
		img := fsys.Cut()
		close(stop)
		wg.Wait()
		l.Close()
		got := map[string]int{}
		for _, c := range loadKV(t, img) {
			var k string
			var v int
			if _, err := fmt.Sscanf(c, "SET %s %d", &k, &v); err != nil {
				t.Fatalf("unexpected command %q", c)
			}
			got[k] = v
		}
		for i := range parts {
			if k := "p" + strconv.Itoa(i); int64(got[k]) < acked[i] {
				t.Fatalf("round %d: %s = %d after the cut, %d was acknowledged", round, k, got[k], acked[i])
			}
		}
		if commits.Load() == 0 {
			t.Fatalf("round %d: no rewrite committed before the cut", round)
		}
		t.Logf("round %d: %d rewrites, acked %v", round, commits.Load(), acked)
	}
}
