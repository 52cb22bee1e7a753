package backend

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/shardis/shardis/internal/resp"
)

// Transcripts recorded from redis-server 7.0.15 (one connection each).
var multiTranscripts = []struct {
	name  string
	steps [][2]string // reply, command (space separated)
}{
	{"queue-and-errors", [][2]string{
		{"+OK\r\n", "MULTI"},
		{"-ERR MULTI calls can not be nested\r\n", "MULTI"},
		{"-ERR WATCH inside MULTI is not allowed\r\n", "WATCH x"},
		{"+QUEUED\r\n", "SET x 1"},
		{"*1\r\n+OK\r\n", "EXEC"},
		{"-ERR EXEC without MULTI\r\n", "EXEC"},
		{"-ERR DISCARD without MULTI\r\n", "DISCARD"},
		{"+OK\r\n", "MULTI"},
		{"-ERR unknown command 'nosuch', with args beginning with: \r\n", "nosuch"},
		{"-ERR wrong number of arguments for 'set' command\r\n", "SET x"},
		{"-EXECABORT Transaction discarded because of previous errors.\r\n", "EXEC"},
		{"+OK\r\n", "MULTI"},
		{"+QUEUED\r\n", "SET x a"},
		{"+QUEUED\r\n", "INCR x"},
		{"+QUEUED\r\n", "GET x"},
		{"*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n$1\r\na\r\n", "EXEC"},
		{"+OK\r\n", "MULTI"},
		{"-ERR MULTI calls can not be nested\r\n", "MULTI"},
		{"*0\r\n", "EXEC"},
		{"+OK\r\n", "MULTI"},
		{"+QUEUED\r\n", "UNWATCH"},
		{"*1\r\n+OK\r\n", "EXEC"},
		{"+OK\r\n", "MULTI"},
		{"+QUEUED\r\n", "SET x 1"},
		{"+OK\r\n", "DISCARD"},
		{"$1\r\na\r\n", "GET x"},
		{"+OK\r\n", "MULTI"},
		{"-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n", "EXEC x"},
		{"-ERR wrong number of arguments for 'discard' command\r\n", "DISCARD x"},
		{"-ERR EXEC without MULTI\r\n", "EXEC"},
		{"-ERR wrong number of arguments for 'multi' command\r\n", "MULTI x"},
		{"-ERR wrong number of arguments for 'watch' command\r\n", "WATCH"},
		{"-ERR wrong number of arguments for 'unwatch' command\r\n", "UNWATCH x"},
		{"+OK\r\n", "MULTI"},
		{"+RESET\r\n", "RESET"},
		{"-ERR EXEC without MULTI\r\n", "EXEC"},
	}},
	{"subscribe-in-multi", [][2]string{
		{"+OK\r\n", "MULTI"},
		{"+QUEUED\r\n", "SUBSCRIBE ch"},
		{"*1\r\n*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n", "EXEC"},
		{"*2\r\n$4\r\npong\r\n$0\r\n\r\n", "PING"},
		{"-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n", "GET x"},
		{"*3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:0\r\n", "UNSUBSCRIBE"},
		{"+OK\r\n", "MULTI"},
		{"+QUEUED\r\n", "SSUBSCRIBE ch"},
		{"*1\r\n-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n", "EXEC"},
	}},
	{"resp3-exec", [][2]string{
		{"+OK\r\n", "MULTI"},
		{"+QUEUED\r\n", "HELLO 3"},
		{"+QUEUED\r\n", "PING"},
		{"*2\r\n%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n+PONG\r\n", "EXEC"},
		{"+OK\r\n", "WATCH k"},
		{"+OK\r\n", "SET k 2"},
		{"+OK\r\n", "MULTI"},
		{"+QUEUED\r\n", "PING"},
		{"_\r\n", "EXEC"},
	}},
}

func TestMultiTranscripts(t *testing.T) {
	for _, tr := range multiTranscripts {
		t.Run(tr.name, func(t *testing.T) {
			_, addr := startTestServer(t)
			c := dialTest(t, addr)
			for _, st := range tr.steps {
				c.expect(st[0], splitWords(st[1])...)
			}
		})
	}
}

func splitWords(s string) []string {
	var out []string
	start := -1
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	return out
}

// TestWatchBrokenBy follows the cases recorded from redis-server 7.0.15:
// which changes by another client make EXEC fail (nil) and which do not.
func TestWatchBrokenBy(t *testing.T) {
	s, addr := startTestServer(t)
	a, b := dialTest(t, addr), dialTest(t, addr)
	cases := []struct {
		name   string
		setup  []string // on b, before WATCH
		change []string // on b, after WATCH
		broken bool
	}{
		{"set", []string{"SET k 1"}, []string{"SET k 2"}, true},
		{"set-nx-fails", []string{"SET k 1"}, []string{"SET k 2 NX"}, false},
		{"incrby-0", []string{"SET k 1"}, []string{"INCRBY k 0"}, true},
		{"setrange-empty", []string{"SET k 1"}, []string{"SETRANGE k 0 \"\""}, false},
		{"append-empty", []string{"SET k 1"}, []string{"APPEND k \"\""}, true},
		{"expire", []string{"SET k 1"}, []string{"EXPIRE k 100"}, true},
		{"expire-xx-fails", []string{"SET k 1"}, []string{"EXPIRE k 100 XX"}, false},
		{"persist-no-ttl", []string{"SET k 1"}, []string{"PERSIST k"}, false},
		{"setbit-same", []string{"SET k 1"}, []string{"SETBIT k 0 0"}, false},
		{"bitfield-incrby-0", []string{"SET k 1"}, []string{"BITFIELD k INCRBY u8 0 0"}, false},
		{"rename-same", []string{"SET k 1"}, []string{"RENAME k k"}, false},
		{"rename-onto", []string{"SET k 1", "SET j 1"}, []string{"RENAME j k"}, true},
		{"set-then-del", nil, []string{"SET k 1", "DEL k"}, true},
		{"other-db", nil, []string{"SELECT 1", "SET k 1", "SELECT 0"}, false},
		{"flushall-missing", nil, []string{"FLUSHALL"}, false},
		{"flushall-existing", []string{"SET k 1"}, []string{"FLUSHALL"}, true},
		{"flushdb-other", []string{"SET k 1"}, []string{"SELECT 1", "FLUSHDB", "SELECT 0"}, false},
		{"swapdb-key-in-other", []string{"SELECT 1", "SET k 1", "SELECT 0"}, []string{"SWAPDB 0 1"}, true},
		{"swapdb-nothing", nil, []string{"SWAPDB 0 1"}, false},
	}
	for _, tc := range cases {
		b.raw("FLUSHALL")
		for _, cmd := range tc.setup {
			b.raw(splitWords(cmd)...)
		}
		a.expect("+OK\r\n", "WATCH", "k")
		for _, cmd := range tc.change {
			args := splitWords(cmd)
			for i, x := range args {
				if x == `""` {
					args[i] = ""
				}
			}
			b.raw(args...)
		}
		a.expect("+OK\r\n", "MULTI")
		a.expect("+QUEUED\r\n", "PING")
		want := "*1\r\n+PONG\r\n"
		if tc.broken {
			want = "*-1\r\n"
		}
		if got := a.raw("EXEC"); got != want {
			t.Errorf("%s: EXEC = %q, want %q", tc.name, got, want)
		}
	}
	if n := s.watches.n.Load(); n != 0 {
		t.Errorf("%d watched keys left after the EXECs", n)
	}
}

// TestWatchExpiry: a key whose time runs out after WATCH breaks it; one
// already expired at WATCH does not, unless it is then written.
func TestWatchExpiry(t *testing.T) {
	o := DefaultOptions()
	o.EnableDebugCommand = "yes"
	_, addr := startTestServerOptions(t, o)
	a, b := dialTest(t, addr), dialTest(t, addr)
	b.expect("+OK\r\n", "DEBUG", "SET-ACTIVE-EXPIRE", "0")
	exec := func() string {
		a.raw("MULTI")
		a.raw("PING")
		return a.raw("EXEC")
	}
	// Runs out between WATCH and EXEC (still stored).
	b.raw("SET", "k", "v", "PX", "30")
	a.raw("WATCH", "k")
	waitExpired(t, b, "k")
	if got := exec(); got != "*-1\r\n" {
		t.Errorf("expired after WATCH: EXEC = %q", got)
	}
	// Deleted by expiry after WATCH.
	b.raw("SET", "k", "v", "PX", "30")
	a.raw("WATCH", "k")
	waitExpired(t, b, "k")
	b.raw("GET", "k")
	if got := exec(); got != "*-1\r\n" {
		t.Errorf("expired and deleted after WATCH: EXEC = %q", got)
	}
	// Already expired at WATCH, then deleted by a read: no change.
	b.raw("SET", "k", "v", "PX", "1")
	waitExpired(t, b, "k")
	a.raw("WATCH", "k")
	b.raw("GET", "k")
	if got := exec(); got != "*1\r\n+PONG\r\n" {
		t.Errorf("stale at WATCH, deleted: EXEC = %q", got)
	}
	// Already expired at WATCH, then written: a change.
	b.raw("SET", "k", "v", "PX", "1")
	waitExpired(t, b, "k")
	a.raw("WATCH", "k")
	b.raw("SET", "k", "v2")
	if got := exec(); got != "*-1\r\n" {
		t.Errorf("stale at WATCH, written: EXEC = %q", got)
	}
	// Already expired at WATCH, then FLUSHALL: no change.
	b.raw("SET", "k", "v", "PX", "1")
	waitExpired(t, b, "k")
	a.raw("WATCH", "k")
	b.raw("FLUSHALL")
	if got := exec(); got != "*1\r\n+PONG\r\n" {
		t.Errorf("stale at WATCH, FLUSHALL: EXEC = %q", got)
	}
}

// waitExpired waits (bounded) until key's time has run out, without
// touching it: PTTL would delete it, so the wall clock is compared with
// PEXPIRETIME.
func waitExpired(t *testing.T, c *testConn, key string) {
	t.Helper()
	v := c.do("PEXPIRETIME", key)
	at := time.UnixMilli(v.Int)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if time.Now().After(at.Add(2 * time.Millisecond)) {
			return
		}
		time.Sleep(time.Until(at.Add(3 * time.Millisecond)))
	}
	t.Fatalf("%s did not expire", key)
}

// TestExecIsAtomic: while transactions move a counter from one key to
// another, no other client ever sees the sum change.
func TestExecIsAtomic(t *testing.T) {
	_, addr := startTestServer(t)
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 16})
	defer rdb.Close()
	keys := []string{"acct:a", "acct:b", "acct:c", "acct:d"}
	for _, k := range keys {
		if err := rdb.Set(ctx, k, 1000, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	const writers, rounds = 4, 300
	var wg sync.WaitGroup
	errc := make(chan error, writers+1)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				from, to := keys[(w+i)%4], keys[(w+i+1)%4]
				_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
					p.DecrBy(ctx, from, 7)
					p.IncrBy(ctx, to, 7)
					return nil
				})
				if err != nil {
					errc <- err
					return
				}
			}
		}(w)
	}
	done := make(chan struct{})
	go func() {
		defer close(errc)
		for {
			select {
			case <-done:
				return
			default:
			}
			vals, err := rdb.MGet(ctx, keys...).Result()
			if err != nil {
				errc <- err
				return
			}
			sum := 0
			for _, v := range vals {
				n, _ := strconv.Atoi(v.(string))
				sum += n
			}
			if sum != 4000 {
				errc <- errors.New("MGET saw a transaction half done: sum " + strconv.Itoa(sum))
				return
			}
		}
	}()
	wg.Wait()
	close(done)
	for err := range errc {
		t.Fatal(err)
	}
}

// TestWatchGoRedis is the optimistic-locking loop go-redis documents:
// concurrent increments through WATCH/MULTI/EXEC lose nothing.
func TestWatchGoRedis(t *testing.T) {
	_, addr := startTestServer(t)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, PoolSize: 8})
		key := "counter" + strconv.Itoa(proto)
		incr := func() error {
			for i := 0; i < 1000; i++ {
				err := rdb.Watch(ctx, func(tx *redis.Tx) error {
					n, err := tx.Get(ctx, key).Int()
					if err != nil && err != redis.Nil {
						return err
					}
					_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
						p.Set(ctx, key, n+1, 0)
						return nil
					})
					return err
				}, key)
				if err == nil {
					return nil
				}
				if err != redis.TxFailedErr {
					return err
				}
			}
			return errors.New("too many retries")
		}
		var wg sync.WaitGroup
		errc := make(chan error, 8)
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 25; i++ {
					if err := incr(); err != nil {
						errc <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Fatal(err)
		}
		if n, err := rdb.Get(ctx, key).Int(); err != nil || n != 200 {
			t.Errorf("RESP%d: counter = %d, %v; want 200", proto, n, err)
		}
		rdb.Close()
	}
}

// TestExecRuntimeErrorsGoRedis: an error inside EXEC is that command's
// result; the others still run.
func TestExecRuntimeErrorsGoRedis(t *testing.T) {
	_, addr := startTestServer(t)
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	var incr *redis.IntCmd
	var get *redis.StringCmd
	_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "s", "text", 0)
		incr = p.Incr(ctx, "s")
		get = p.Get(ctx, "s")
		return nil
	})
	if err == nil || err.Error() != "ERR value is not an integer or out of range" {
		t.Errorf("TxPipelined error = %v", err)
	}
	if incr.Err() == nil {
		t.Errorf("INCR inside EXEC did not fail")
	}
	if v, err := get.Result(); err != nil || v != "text" {
		t.Errorf("GET after the failed INCR = %q, %v", v, err)
	}
}

// TestNoWatcherCost: with nothing watched, writes never touch the watch
// tables.
func TestNoWatcherCost(t *testing.T) {
	s, addr := startTestServer(t)
	c := dialTest(t, addr)
	c.raw("SET", "k", "v")
	if s.watches.tables != nil {
		t.Errorf("watch tables allocated without a WATCH")
	}
	c.raw("WATCH", "k")
	c.raw("UNWATCH")
	if n := s.watches.n.Load(); n != 0 {
		t.Errorf("watched keys after UNWATCH: %d", n)
	}
	c.raw("WATCH", "k", "k", "j")
	if n := s.watches.n.Load(); n != 2 {
		t.Errorf("watched keys: %d, want 2 (a key watched twice counts once)", n)
	}
	c.nc.Close()
	deadline := time.Now().Add(5 * time.Second)
	for s.watches.n.Load() != 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := s.watches.n.Load(); n != 0 {
		t.Errorf("watched keys after the client left: %d", n)
	}
}

// TestExecReplyModes: CLIENT REPLY inside EXEC, as redis-server 7.0.15
// answers this pipeline: OFF and ON act at once, a SKIP acts on the
// command after EXEC.
func TestExecReplyModes(t *testing.T) {
	_, addr := startTestServer(t)
	c := dialTest(t, addr)
	var req []byte
	for _, cmd := range []string{
		"MULTI", "CLIENT REPLY SKIP", "PING", "PING x", "EXEC", "PING z", "PING w",
		"CLIENT REPLY SKIP", "MULTI", "PING", "EXEC", "PING v",
		"MULTI", "CLIENT REPLY OFF", "PING", "CLIENT REPLY SKIP", "CLIENT REPLY ON", "PING q", "EXEC", "PING after",
		"CLIENT REPLY SKIP", "EXEC", "PING e1",
		"MULTI", "PING m", "CLIENT REPLY SKIP", "EXEC", "PING e2", "PING e3",
	} {
		req = resp.AppendCommand(req, strings.Fields(cmd)...)
	}
	want := "+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n+PONG\r\n$1\r\nx\r\n$1\r\nw\r\n" +
		"+QUEUED\r\n*1\r\n+PONG\r\n$1\r\nv\r\n" +
		"+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*5\r\n+OK\r\n$1\r\nq\r\n$5\r\nafter\r\n" +
		"$2\r\ne1\r\n" +
		"+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n$1\r\nm\r\n$2\r\ne3\r\n"
	c.nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.nc.Write(req); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c.nc, got); err != nil {
		t.Fatalf("read: %v (got %q)", err, got)
	}
	if string(got) != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestExecConcurrentMix runs transactions of every shape (keyed commands,
// commands that lock everything, WATCHes) while other clients write the
// same keys: under -race, a shard touched without its lock shows up.
func TestExecConcurrentMix(t *testing.T) {
	o := DefaultOptions()
	o.EnableDebugCommand = "yes"
	_, addr := startTestServerOptions(t, o)
	txs := [][]string{
		{"SET k1 a", "APPEND k1 b", "GET k1"},
		{"INCR n1", "INCR n2", "MGET n1 n2 k1"},
		{"DEL k1 k2", "SET k2 x EX 100", "TTL k2"},
		{"DBSIZE", "SET k3 1"},
		{"KEYS k*", "RANDOMKEY"},
		{"SELECT 1", "SET k1 other", "SELECT 0"},
		{"RENAME k2 k4", "EXISTS k4"},
		{"INFO keyspace", "DEBUG DIGEST-VALUE k1"},
		{"PUBLISH ch m", "PING"},
		{"SCAN 0", "GETDEL k3"},
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			c := dialTest(t, addr)
			for i := 0; i < 150; i++ {
				tx := txs[(g+i)%len(txs)]
				if i%3 == 0 {
					c.raw("WATCH", "k1", "n1")
				}
				c.raw("MULTI")
				for _, cmd := range tx {
					if got := c.raw(strings.Fields(cmd)...); got != "+QUEUED\r\n" {
						t.Errorf("%s: %q", cmd, got)
						return
					}
				}
				c.raw("EXEC")
			}
		}(g)
	}
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			c := dialTest(t, addr)
			for i := 0; i < 300; i++ {
				c.raw("SET", "k1", strconv.Itoa(i))
				c.raw("INCR", "n1")
				c.raw("DEL", "k4")
				if i%50 == 0 {
					c.raw("FLUSHDB")
				}
			}
		}(g)
	}
	wg.Wait()
}
