package backend

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// chunkPause is where a paused dumper stands: after a chunk of shard of
// database db, which visited entries under the lock; end when the shard
// is done.
type chunkPause struct {
	db, shard, entries int
	end                bool
}

// pauseDumper makes s's next rewrite dump chunks of limit entries and
// stop after each one until the test lets it go on (resume). The dumper
// goes on by itself once the test ends.
func pauseDumper(t *testing.T, s *Server, limit int) (paused <-chan chunkPause, resume chan<- struct{}) {
	t.Helper()
	pc, rc, quit := make(chan chunkPause), make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(quit) })
	s.aof.mu.Lock()
	s.aof.chunkEntries = limit
	s.aof.chunkHook = func(db, shard, entries int, end bool) {
		select {
		case pc <- chunkPause{db, shard, entries, end}:
		case <-quit:
			return
		}
		select {
		case <-rc:
		case <-quit:
		}
	}
	s.aof.mu.Unlock()
	return pc, rc
}

// nextPause waits (bounded) for the dumper's next stop; ok is false once
// the rewrite has no chunk left.
func nextPause(t *testing.T, paused <-chan chunkPause, c *testConn) (chunkPause, bool) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case p := <-paused:
			return p, true
		case <-time.After(10 * time.Millisecond):
			if infoField(t, c, "aof_rewrite_in_progress") == "0" {
				return chunkPause{}, false
			}
		case <-deadline:
			t.Fatal("the dumper neither stopped after a chunk nor finished in 20s")
		}
	}
}

// keyState is what a key holds, as the comparison of two nodes sees it:
// its value's digest and its absolute expiry.
type keyState struct{ digest, expireAt string }

// datasetState returns every key of databases 0..n-1 of the node behind
// c. A full SCAN first removes the keys whose time ran out.
func datasetState(t *testing.T, c *testConn, n int) map[string]keyState {
	t.Helper()
	st := map[string]keyState{}
	for db := 0; db < n; db++ {
		c.expect("+OK\r\n", "SELECT", strconv.Itoa(db))
		cur := "0"
		var keys []string
		for {
			v := c.do("SCAN", cur, "COUNT", "1000")
			cur = string(v.Elems[0].Str)
			for _, k := range v.Elems[1].Elems {
				keys = append(keys, string(k.Str))
			}
			if cur == "0" {
				break
			}
		}
		for _, k := range keys {
			d := c.do("DEBUG", "DIGEST-VALUE", k)
			st[fmt.Sprint(db, "/", k)] = keyState{string(d.Elems[0].Str), c.raw("PEXPIRETIME", k)}
		}
	}
	c.expect("+OK\r\n", "SELECT", "0")
	return st
}

// compareStates fails the test for every key two datasets disagree on.
func compareStates(t *testing.T, live, loaded map[string]keyState) {
	t.Helper()
	bad := 0
	for k, v := range live {
		if w, ok := loaded[k]; !ok || w != v {
			if bad++; bad <= 20 {
				t.Errorf("key %s: live %+v, after restart %+v (present %v)", k, v, w, ok)
			}
		}
	}
	for k, w := range loaded {
		if _, ok := live[k]; !ok {
			if bad++; bad <= 20 {
				t.Errorf("key %s: absent from the live node, after restart %+v", k, w)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d keys differ (live %d keys, restarted %d)", bad, len(live), len(loaded))
	}
}

// TestAOFRewriteChunksDifferential interleaves writes of every kind with
// a rewrite stopped after each chunk of its dump, on keys behind the
// dumper, in the shard it is dumping and ahead of it, in several
// databases; then compares every key of the node with the keys a node
// started from its files holds. A record routed to the wrong incr file,
// a key saved twice or not at all, or a value saved after its change would
// show as a difference.
func TestAOFRewriteChunksDifferential(t *testing.T) {
	dir := t.TempDir()
	s1, addr := startTestServerOptions(t, aofTestOptions(dir, "no"))
	c := dialTest(t, addr)   // runs the writes
	ctl := dialTest(t, addr) // watches the rewrite
	must := func(args ...string) string {
		t.Helper()
		r := c.raw(args...)
		if strings.HasPrefix(r, "-") {
			t.Fatalf("%q: %s", args, r)
		}
		return r
	}
	const nKeys = 200 // of each type, per database
	far := fmt.Sprint(time.Now().Add(24 * time.Hour).UnixMilli())
	fill := func(db int) {
		must("SELECT", strconv.Itoa(db))
		must("DEBUG", "POPULATE", "2000")
		for i := 0; i < nKeys; i++ {
			must("SET", fmt.Sprint("n:", i), fmt.Sprint(i))
			must("RPUSH", fmt.Sprint("l:", i), "a", "b")
			must("SADD", fmt.Sprint("s:", i), "x", fmt.Sprint(i))
			must("ZADD", fmt.Sprint("z:", i), "1", "m", "2", fmt.Sprint(i))
			must("HSET", fmt.Sprint("h:", i), "f", "1", "g", fmt.Sprint(i))
			if i%10 == 0 {
				must("PEXPIREAT", fmt.Sprint("n:", i), far)
			}
		}
	}
	for db := 0; db < 5; db++ {
		fill(db)
	}
	must("SELECT", "0")

	paused, resume := pauseDumper(t, s1, 16)
	ctl.expect("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
	rng := rand.New(rand.NewPCG(1, 2))
	key := func(prefix string) string { return fmt.Sprint(prefix, rng.IntN(nKeys)) }
	lastShort := time.Now()
	// One step: a few writes in database db, on keys spread over every
	// shard, so behind, in and ahead of the dumper.
	step := func(db, round int) {
		must("SELECT", strconv.Itoa(db))
		for k := 0; k < 6; k++ {
			switch rng.IntN(16) {
			case 0:
				must("INCR", key("n:"))
			case 1:
				must("LPUSH", key("l:"), fmt.Sprint("p", round))
			case 2:
				must("APPEND", key("key:"), "+")
			case 3:
				must("SADD", key("s:"), fmt.Sprint("r", round))
			case 4:
				must("ZINCRBY", key("z:"), "1.5", "m")
			case 5:
				must("HINCRBY", key("h:"), "f", "3")
			case 6:
				must("DEL", key("n:"), key("key:"))
			case 7:
				// The key may be gone already (DEL, RENAME, GETDEL).
				if r := c.raw("RENAME", key("key:"), fmt.Sprint("ren:", round, ":", k)); r != "+OK\r\n" && r != "-ERR no such key\r\n" {
					t.Fatalf("RENAME: %q", r)
				}
			case 8:
				must("MSET", key("ms:"), "m1", key("key:"), "m2", fmt.Sprint("new:", round), "m3")
			case 9:
				must("PEXPIRE", key("s:"), "86400000")
				if round < 40 {
					must("SET", fmt.Sprint("short:", round), "x", "PX", "1")
					must("PEXPIRE", key("h:"), "1")
					lastShort = time.Now()
				}
			case 10:
				must("MULTI")
				must("INCR", key("n:"))
				must("LMOVE", key("l:"), key("l:"), "LEFT", "RIGHT")
				must("SMOVE", key("s:"), key("s:"), "x")
				if r := c.raw("EXEC"); !strings.HasPrefix(r, "*3") {
					t.Fatalf("EXEC: %q", r)
				}
			case 11:
				must("COPY", key("z:"), fmt.Sprint("copy:", round, ":", k), "REPLACE")
			case 12:
				must("MOVE", key("h:"), strconv.Itoa((db+1)%5))
			case 13:
				must("PERSIST", key("n:"))
			case 14:
				must("GETDEL", key("key:"))
			case 15:
				must("SET", key("key:"), fmt.Sprint("v", round), "KEEPTTL")
			}
		}
	}
	round, wide := 0, 0
	for {
		p, ok := nextPause(t, paused, ctl)
		if !ok {
			break
		}
		if p.entries > 16 {
			t.Errorf("a chunk of shard %d/%d visited %d entries under its lock, the limit being 16", p.db, p.shard, p.entries)
		}
		if p.db >= 5 {
			// The empty databases: one empty chunk per shard.
			resume <- struct{}{}
			continue
		}
		round++
		step(p.db, round)
		step(rng.IntN(5), round)
		// The commands that hold every shard of a database: in one the
		// dumper is in (it finishes its dump at once), and in one it has
		// not reached (plain, to the old incr).
		switch {
		case p.db == 1 && p.shard == 10 && wide == 0:
			must("SWAPDB", "1", "2")
			wide++
		case p.db == 1 && p.shard == 20 && wide == 1:
			must("SELECT", "3")
			must("FLUSHDB")
			must("SET", "after-flush", "1")
			wide++
		case p.db == 0 && p.shard == 5 && p.end && wide == 0:
			must("SELECT", "4")
			must("FLUSHDB") // not started: nothing in database 4 is
			must("SET", "refilled", "1")
		}
		resume <- struct{}{}
	}
	if round < 100 {
		t.Errorf("the dumper stopped %d times, want many chunks", round)
	}
	if got := infoField(t, ctl, "aof_last_bgrewrite_status"); got != "ok" {
		t.Fatalf("aof_last_bgrewrite_status:%s", got)
	}
	// After the commit: the new incr file only.
	for i := 0; i < 20; i++ {
		step(i%5, 1000+i)
	}
	s1.aof.mu.Lock()
	s1.aof.chunkHook = nil
	s1.aof.mu.Unlock()
	requireNoDumpState(t, s1, "the rewrite")
	// The keys given 1 ms to live have all expired by now, for both
	// nodes' SCANs to remove.
	if d := time.Until(lastShort.Add(5 * time.Millisecond)); d > 0 {
		time.Sleep(d)
	}
	live := datasetState(t, ctl, 5)
	s1.Close()
	_, addr2 := startTestServerOptions(t, aofTestOptions(dir, "no"))
	compareStates(t, live, datasetState(t, dialTest(t, addr2), 5))
}

// TestAOFRewriteAbortReleasesShards ends a rewrite whose base cannot be
// written halfway through its dump, while commands have started shards
// ahead of the dumper: no shard stays frozen or keeps a snapshot state,
// and the node's files still load the whole dataset.
func TestAOFRewriteAbortReleasesShards(t *testing.T) {
	dir := t.TempDir()
	s1, addr := startTestServerOptions(t, aofTestOptions(dir, "no"))
	c, ctl := dialTest(t, addr), dialTest(t, addr)
	c.raw("DEBUG", "POPULATE", "3000")
	paused, resume := pauseDumper(t, s1, 16)
	ctl.expect("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
	for n := 0; ; n++ {
		p, ok := nextPause(t, paused, ctl)
		if !ok {
			break
		}
		// Keys everywhere: shards ahead of the dumper get started.
		c.raw("MSET", fmt.Sprint("key:", n), "a", fmt.Sprint("key:", n+1000), "b", fmt.Sprint("key:", n+2000), "c")
		if p.db == 0 && p.shard == 3 {
			j := s1.aof.job.Load()
			j.baseMu.Lock()
			j.baseErr = fmt.Errorf("injected base write error")
			j.baseMu.Unlock()
		}
		resume <- struct{}{}
	}
	if got := infoField(t, ctl, "aof_last_bgrewrite_status"); got != "err" {
		t.Errorf("aof_last_bgrewrite_status:%s after a failed rewrite", got)
	}
	requireNoDumpState(t, s1, "an aborted rewrite")
	c.raw("SET", "after", "abort")
	live := datasetState(t, ctl, 1)
	s1.Close()
	_, addr2 := startTestServerOptions(t, aofTestOptions(dir, "no"))
	compareStates(t, live, datasetState(t, dialTest(t, addr2), 1))
}

// TestRewriteChunkBound checks, without timing anything, that the dumper
// holds a shard's lock for at most rewriteChunkEntries entries at a time,
// a shard of 31,000 keys included, and that the chunks cover every key.
func TestRewriteChunkBound(t *testing.T) {
	dir := t.TempDir()
	s1, addr := startTestServerOptions(t, aofTestOptions(dir, "no"))
	c := dialTest(t, addr)
	c.raw("DEBUG", "POPULATE", "100000")
	var mu sync.Mutex // the hook runs in the dumper
	var max, total, chunks int
	s1.aof.mu.Lock()
	s1.aof.chunkHook = func(db, shard, entries int, end bool) {
		mu.Lock()
		defer mu.Unlock()
		total += entries
		chunks++
		if entries > max {
			max = entries
		}
	}
	s1.aof.mu.Unlock()
	c.expect("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
	waitRewrite(t, c)
	// waitRewrite's INFO saw the job end after the last hook call.
	mu.Lock()
	defer mu.Unlock()
	if max > rewriteChunkEntries {
		t.Errorf("a chunk visited %d entries under its shard's lock, the limit being %d", max, rewriteChunkEntries)
	}
	if total != 100000 {
		t.Errorf("the chunks visited %d entries, want the 100000 keys", total)
	}
	if chunks < 100000/rewriteChunkEntries {
		t.Errorf("%d chunks for 100000 keys", chunks)
	}
}

// requireNoDumpState checks that no shard of s is still frozen or keeps a
// dump state after what ended the rewrite.
func requireNoDumpState(t *testing.T, s *Server, after string) {
	t.Helper()
	for _, db := range s.dbs {
		for i := range db.shards {
			sh := &db.shards[i]
			sh.mu.Lock()
			if sh.snap != nil || sh.dict.frozen {
				t.Errorf("shard %d/%d kept its dump state after %s", db.id, i, after)
			}
			sh.mu.Unlock()
		}
	}
}
