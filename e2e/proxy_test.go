package e2e

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// direct returns a go-redis client of node addr, closed when the test ends.
func direct(t *testing.T, addr string) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2})
	t.Cleanup(func() { c.Close() })
	return c
}

// TestProxyBasics drives a three-shard deployment through the proxy with
// go-redis, in RESP3 and RESP2, and checks values on the owning nodes.
func TestProxyBasics(t *testing.T) {
	d := startDeployment(t, threeShards)
	for _, proto := range []int{3, 2} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			rdb := redis.NewClient(&redis.Options{Addr: d.addr, Protocol: proto})
			defer rdb.Close()
			p := fmt.Sprintf("p%d:", proto)
			checkProxyTypes(ctx, t, rdb, p)
			keys := keysOnEveryShard(p+"k", 4)
			// MSET across shards; each value lands on its owner.
			var kv []any
			for _, k := range keys {
				kv = append(kv, k, "v-"+k)
			}
			if err := rdb.MSet(ctx, kv...).Err(); err != nil {
				t.Fatalf("MSET: %v", err)
			}
			for _, k := range keys {
				got, err := direct(t, d.node(ownerOf(k))).Get(ctx, k).Result()
				if err != nil || got != "v-"+k {
					t.Fatalf("GET %s on its owner: %q, %v", k, got, err)
				}
			}
			// MGET in key order, with a missing key in the middle.
			q := append([]string{keys[0], p + "missing"}, keys[1:]...)
			vals, err := rdb.MGet(ctx, q...).Result()
			if err != nil {
				t.Fatalf("MGET: %v", err)
			}
			for i, k := range q {
				want := any("v-" + k)
				if i == 1 {
					want = nil
				}
				if vals[i] != want {
					t.Fatalf("MGET[%d] (%s) = %v, want %v", i, k, vals[i], want)
				}
			}
			if n, err := rdb.Exists(ctx, q...).Result(); err != nil || n != int64(len(keys)) {
				t.Fatalf("EXISTS = %d, %v; want %d", n, err, len(keys))
			}
			if n, err := rdb.Del(ctx, keys[:6]...).Result(); err != nil || n != 6 {
				t.Fatalf("DEL = %d, %v; want 6", n, err)
			}
			for _, k := range keys[:6] {
				if n, _ := direct(t, d.node(ownerOf(k))).Exists(ctx, k).Result(); n != 0 {
					t.Fatalf("%s still on its owner after DEL", k)
				}
			}
			if n, err := rdb.Unlink(ctx, keys...).Result(); err != nil || n != int64(len(keys)-6) {
				t.Fatalf("UNLINK = %d, %v; want %d", n, err, len(keys)-6)
			}
			// Other multi-key commands must stay in one slot.
			err = rdb.Rename(ctx, keys[0], keys[1]).Err()
			if err == nil || err.Error() != "CROSSSLOT Keys in request don't hash to the same slot" {
				t.Fatalf("RENAME across slots: %v", err)
			}
			if err := rdb.Set(ctx, p+"{t}a", "1", 0).Err(); err != nil {
				t.Fatal(err)
			}
			if err := rdb.Rename(ctx, p+"{t}a", p+"{t}b").Err(); err != nil {
				t.Fatalf("RENAME in one slot: %v", err)
			}
			// A pipeline over every shard, replies in order.
			pipe := rdb.Pipeline()
			var cmds []*redis.IntCmd
			for i, k := range keys {
				cmds = append(cmds, pipe.IncrBy(ctx, k, int64(i)))
			}
			pipe.Ping(ctx)
			if _, err := pipe.Exec(ctx); err != nil {
				t.Fatalf("pipeline: %v", err)
			}
			for i, c := range cmds {
				if c.Val() != int64(i) {
					t.Fatalf("pipeline INCRBY %d = %d", i, c.Val())
				}
			}
			rdb.Del(ctx, keys...)
		})
	}
}

// checkProxyTypes runs each data type through the proxy.
func checkProxyTypes(ctx context.Context, t *testing.T, rdb *redis.Client, p string) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(rdb.Set(ctx, p+"s", "hello", 0).Err())
	if v, err := rdb.Append(ctx, p+"s", " world").Result(); err != nil || v != 11 {
		t.Fatalf("APPEND = %d, %v", v, err)
	}
	must(rdb.HSet(ctx, p+"h", "a", "1", "b", "2").Err())
	if m, err := rdb.HGetAll(ctx, p+"h").Result(); err != nil || m["a"] != "1" || m["b"] != "2" || len(m) != 2 {
		t.Fatalf("HGETALL = %v, %v", m, err)
	}
	must(rdb.RPush(ctx, p+"l", "a", "b", "c").Err())
	if l, err := rdb.LRange(ctx, p+"l", 0, -1).Result(); err != nil || strings.Join(l, ",") != "a,b,c" {
		t.Fatalf("LRANGE = %v, %v", l, err)
	}
	must(rdb.SAdd(ctx, p+"set", "x", "y").Err())
	if m, err := rdb.SMembers(ctx, p+"set").Result(); err != nil || len(m) != 2 {
		t.Fatalf("SMEMBERS = %v, %v", m, err)
	}
	must(rdb.ZAdd(ctx, p+"z", redis.Z{Score: 2, Member: "b"}, redis.Z{Score: 1, Member: "a"}).Err())
	if z, err := rdb.ZRangeWithScores(ctx, p+"z", 0, -1).Result(); err != nil || len(z) != 2 || z[0].Member != "a" || z[1].Score != 2 {
		t.Fatalf("ZRANGE WITHSCORES = %v, %v", z, err)
	}
	must(rdb.Del(ctx, p+"s", p+"h", p+"l", p+"set", p+"z").Err())
}

// TestProxyScanDBSize checks SCAN across shards returns every key exactly
// once, and DBSIZE, KEYS and FLUSHALL cover every shard.
func TestProxyScanDBSize(t *testing.T) {
	d := startDeployment(t, threeShards)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rdb := redis.NewClient(&redis.Options{Addr: d.addr})
	defer rdb.Close()
	keys := keysOnEveryShard("scan:", 100)
	pipe := rdb.Pipeline()
	for _, k := range keys {
		pipe.Set(ctx, k, "v", 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := rdb.DBSize(ctx).Result(); err != nil || n != int64(len(keys)) {
		t.Fatalf("DBSIZE = %d, %v; want %d", n, err, len(keys))
	}
	seen := map[string]int{}
	var cursor uint64
	for i := 0; ; i++ {
		if i > 10000 {
			t.Fatal("SCAN does not end")
		}
		ks, next, err := rdb.Scan(ctx, cursor, "scan:*", 7).Result()
		if err != nil {
			t.Fatalf("SCAN %d: %v", cursor, err)
		}
		for _, k := range ks {
			seen[k]++
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	if len(seen) != len(keys) {
		t.Fatalf("SCAN saw %d keys, want %d", len(seen), len(keys))
	}
	for k, n := range seen {
		if n != 1 {
			t.Fatalf("SCAN returned %s %d times", k, n)
		}
	}
	all, err := rdb.Keys(ctx, "scan:*").Result()
	sort.Strings(all)
	if err != nil || len(all) != len(keys) {
		t.Fatalf("KEYS: %d keys, %v", len(all), err)
	}
	if k, err := rdb.RandomKey(ctx).Result(); err != nil || seen[k] != 1 {
		t.Fatalf("RANDOMKEY = %q, %v", k, err)
	}
	if err := rdb.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := rdb.DBSize(ctx).Result(); err != nil || n != 0 {
		t.Fatalf("DBSIZE after FLUSHALL = %d, %v", n, err)
	}
}
