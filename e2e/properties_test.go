package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Properties that a differential comparison cannot show, because they are
// about what happens between commands or across connections.

// TestInteropScanGuarantee checks SCAN's promise: a key present for the
// whole iteration is returned at least once, while other keys come and go
// and the table grows and shrinks under the cursor. It runs against
// redis-server too, which proves the test asks only what Redis promises.
func TestInteropScanGuarantee(t *testing.T) {
	target := startTarget(t, serverConfig{})
	targets := map[string]string{serverName(target): target}
	if _, err := exec.LookPath("redis-server"); err == nil {
		targets["redis-server"] = startRedis(t)
	}
	for name, addr := range targets {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			rdb := redis.NewClient(&redis.Options{Addr: addr, DB: 5})
			defer rdb.Close()
			if err := rdb.FlushDB(ctx).Err(); err != nil {
				t.Fatal(err)
			}
			const stable = 2000
			pipe := rdb.Pipeline()
			for i := 0; i < stable; i++ {
				pipe.Set(ctx, "stable:"+strconv.Itoa(i), i, 0)
			}
			if _, err := pipe.Exec(ctx); err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			var cursor uint64
			churn := 0
			for calls := 0; ; calls++ {
				if calls > 100000 {
					t.Fatalf("SCAN did not finish after %d calls", calls)
				}
				keys, next, err := rdb.Scan(ctx, cursor, "", 25).Result()
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range keys {
					seen[k] = true
				}
				// Between calls: grow the table a lot (forcing resizes), then
				// delete most of what was added (letting it shrink).
				pipe := rdb.Pipeline()
				for i := 0; i < 300; i++ {
					pipe.Set(ctx, fmt.Sprintf("churn:%d", churn+i), i, 0)
				}
				for i := 0; i < 280; i++ {
					pipe.Del(ctx, fmt.Sprintf("churn:%d", churn+i))
				}
				if _, err := pipe.Exec(ctx); err != nil {
					t.Fatal(err)
				}
				churn += 300
				cursor = next
				if cursor == 0 {
					break
				}
			}
			missed := 0
			for i := 0; i < stable; i++ {
				if !seen["stable:"+strconv.Itoa(i)] {
					missed++
				}
			}
			if missed > 0 {
				t.Errorf("SCAN missed %d of %d keys present for the whole iteration", missed, stable)
			}
		})
	}
}

// TestInteropConcurrentClients has many connections change the same keys at
// once: no update may be lost, and MSET must be all-or-nothing as seen by a
// reader (it never sees half of one MSET and half of another).
func TestInteropConcurrentClients(t *testing.T) {
	addr := startTarget(t, serverConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	rdb := redis.NewClient(&redis.Options{Addr: addr, DB: 6, PoolSize: 32})
	defer rdb.Close()
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	const (
		workers = 16
		rounds  = 500
	)
	var wg sync.WaitGroup
	errs := make(chan error, workers*2)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				if err := rdb.Incr(ctx, "counter").Err(); err != nil {
					errs <- err
					return
				}
				if err := rdb.IncrByFloat(ctx, "float", 0.5).Err(); err != nil {
					errs <- err
					return
				}
				if err := rdb.Append(ctx, "log", "x").Err(); err != nil {
					errs <- err
					return
				}
				v := strconv.Itoa(w*rounds + i)
				if err := rdb.MSet(ctx, "pair:a", v, "pair:b", v).Err(); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	// A reader checks MSET's atomicity while the writers run.
	stop := make(chan struct{})
	var rwg sync.WaitGroup
	rwg.Add(1)
	go func() {
		defer rwg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			vals, err := rdb.MGet(ctx, "pair:a", "pair:b").Result()
			if err != nil {
				errs <- err
				return
			}
			if fmt.Sprint(vals[0]) != fmt.Sprint(vals[1]) {
				errs <- fmt.Errorf("MGET saw a half-applied MSET: %v", vals)
				return
			}
		}
	}()
	wg.Wait()
	close(stop)
	rwg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	n, err := rdb.Get(ctx, "counter").Int()
	if err != nil || n != workers*rounds {
		t.Errorf("counter = %d, %v; want %d", n, err, workers*rounds)
	}
	f, err := rdb.Get(ctx, "float").Float64()
	if err != nil || f != workers*rounds*0.5 {
		t.Errorf("float = %v, %v; want %v", f, err, workers*rounds*0.5)
	}
	l, err := rdb.StrLen(ctx, "log").Result()
	if err != nil || l != workers*rounds {
		t.Errorf("STRLEN log = %d, %v; want %d", l, err, workers*rounds)
	}
}
