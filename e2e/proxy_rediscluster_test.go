package e2e

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/shardis/shardis/topology"
)

// TestInteropProxyRedisCluster puts the proxy in front of a real Redis
// Cluster of three primaries, named by seeds in a [redis_cluster] section
// (the first seed is down: the proxy must try the next). A plain go-redis
// Client, which would report MOVED and ASK as errors, drives every type
// through the proxy; then slots move from node to node, step by step as
// redis-cli --cluster reshard moves them, while writers run through the
// proxy: no client sees MOVED or ASK, and every acknowledged write is there
// afterwards, exactly once.
func TestInteropProxyRedisCluster(t *testing.T) {
	rc := startRedisCluster(t, 3)
	down := net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
	d := startDeployment(t, fmt.Sprintf(`
[[proxy]]
listen = ["127.0.0.1:0"]
connect_timeout = "250ms"
read_timeout = "5s"
write_timeout = "5s"

[redis_cluster]
seeds = [%q, %q]
`, down, rc.addrs[1]))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: rc.addrs, Protocol: 2})
	defer cluster.Close()

	for _, proto := range []int{3, 2} {
		rdb := redis.NewClient(&redis.Options{Addr: d.addr, Protocol: proto, MaxRetries: -1})
		p := fmt.Sprintf("rc%d:", proto)
		checkProxyTypes(ctx, t, rdb, p)
		keys := keysOnEveryShard(p+"k", 5)
		var kv []any
		for _, k := range keys {
			kv = append(kv, k, "v-"+k)
		}
		if err := rdb.MSet(ctx, kv...).Err(); err != nil {
			t.Fatalf("MSET through the proxy: %v", err)
		}
		vals, err := rdb.MGet(ctx, keys...).Result()
		if err != nil {
			t.Fatalf("MGET through the proxy: %v", err)
		}
		for i, k := range keys {
			if vals[i] != "v-"+k {
				t.Fatalf("MGET[%d] = %v, want v-%s", i, vals[i], k)
			}
			if got, err := cluster.Get(ctx, k).Result(); err != nil || got != "v-"+k {
				t.Fatalf("GET %s from the cluster itself: %q, %v", k, got, err)
			}
		}
		if n, err := rdb.Del(ctx, keys...).Result(); err != nil || n != int64(len(keys)) {
			t.Fatalf("DEL across nodes = %d, %v", n, err)
		}
		rdb.Close()
	}

	t.Run("reshard under load", func(t *testing.T) { reshardUnderLoad(ctx, t, rc, d.addr, cluster) })
}

// hotKey is a key of the resharding test: its value, counter and list
// share the slot of tag ("{tag}:v", "{tag}:n", "{tag}:l").
type hotKey struct {
	tag  string
	slot int
}

func reshardUnderLoad(ctx context.Context, t *testing.T, rc *redisCluster, proxyAddr string, cluster *redis.ClusterClient) {
	// 24 keys in 24 distinct slots of one node, every one of which moves
	// to the next node, as `redis-cli --cluster reshard --cluster-from
	// --cluster-to` moves them (see migrateSlot).
	owner := rc.owners(ctx)
	src := owner(topology.Slot([]byte("h0")))
	dst := (src + 1) % len(rc.addrs)
	var hot []hotKey
	seen := map[int]bool{}
	for i := 0; len(hot) < 24; i++ {
		tag := "h" + strconv.Itoa(i)
		s := topology.Slot([]byte(tag))
		if !seen[s] && owner(s) == src {
			seen[s] = true
			hot = append(hot, hotKey{tag, s})
		}
	}
	rdb := redis.NewClient(&redis.Options{Addr: proxyAddr, Protocol: 3, MaxRetries: -1, PoolSize: 8})
	defer rdb.Close()
	for _, h := range hot {
		if err := rdb.Set(ctx, "{"+h.tag+"}:v", "init", 0).Err(); err != nil {
			t.Fatalf("SET through the proxy: %v", err)
		}
	}

	// Writers: writer w owns the hot keys i with i%writers == w, so that
	// the last acknowledged value of each key is known.
	const writers = 3
	type result struct {
		last   map[string]string // value key -> last acknowledged value
		incrs  map[string]int64  // counter key -> acknowledged INCRs
		pushes map[string][]string
		ops    int
		errs   []string
	}
	results := make([]result, writers)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := result{last: map[string]string{}, incrs: map[string]int64{}, pushes: map[string][]string{}}
			defer func() { results[w] = r }()
			deadline := time.Now().Add(60 * time.Second)
			for seq := 0; seq < 200000 && time.Now().Before(deadline); seq++ {
				select {
				case <-stop:
					return
				default:
				}
				h := hot[(seq*writers+w)%len(hot)] // len(hot) is a multiple of writers: w's own keys
				vk, nk, lk := "{"+h.tag+"}:v", "{"+h.tag+"}:n", "{"+h.tag+"}:l"
				val := fmt.Sprintf("w%d-%d", w, seq)
				if seq%5 == 0 {
					// A pipeline: its replies must come back in order
					// even when some of its commands were redirected.
					pipe := rdb.Pipeline()
					set := pipe.Set(ctx, vk, val, 0)
					incr := pipe.Incr(ctx, nk)
					push := pipe.RPush(ctx, lk, val)
					get := pipe.Get(ctx, vk)
					_, err := pipe.Exec(ctx)
					if err != nil {
						r.errs = append(r.errs, "pipeline: "+err.Error())
						continue
					}
					r.last[vk] = val
					r.incrs[nk]++
					r.pushes[lk] = append(r.pushes[lk], val)
					if get.Val() != val || set.Val() != "OK" || incr.Val() != r.incrs[nk] || push.Val() != int64(len(r.pushes[lk])) {
						r.errs = append(r.errs, fmt.Sprintf("pipeline replies out of order: SET %q, INCR %d (want %d), RPUSH %d (want %d), GET %q (want %q)",
							set.Val(), incr.Val(), r.incrs[nk], push.Val(), len(r.pushes[lk]), get.Val(), val))
					}
				} else {
					if err := rdb.Set(ctx, vk, val, 0).Err(); err != nil {
						r.errs = append(r.errs, "SET: "+err.Error())
						continue
					}
					r.last[vk] = val
				}
				r.ops++
			}
		}()
	}

	// Move every hot slot to the next node. The first one is checked in the
	// window where its keys have moved and it is still owned by its old
	// node: only ASK reaches them there.
	for i, h := range hot {
		var afterKeys func()
		if i == 0 {
			afterKeys = func() {
				vk := "{" + h.tag + "}:ask"
				if err := rdb.Set(ctx, vk, "asked", 0).Err(); err != nil {
					t.Errorf("SET of a new key in a migrating slot: %v", err)
				}
				if v, err := rdb.Get(ctx, vk).Result(); err != nil || v != "asked" {
					t.Errorf("GET of a moved key in a migrating slot: %q, %v", v, err)
				}
				direct := redis.NewClient(&redis.Options{Addr: rc.addrs[src], Protocol: 2, MaxRetries: -1})
				defer direct.Close()
				if err := direct.Get(ctx, vk).Err(); err == nil || !strings.HasPrefix(err.Error(), "ASK ") {
					t.Errorf("the migrating node itself answers %v, want an ASK redirection", err)
				}
			}
		}
		rc.migrateSlot(ctx, h.slot, src, dst, afterKeys)
	}
	rc.waitConsistent()
	// The old owner of the last slot redirects with MOVED; the proxy
	// follows it.
	last := hot[len(hot)-1]
	if got := rc.owner(ctx, last.slot); got != dst {
		t.Fatalf("slot %d is at node %d after the move, want %d", last.slot, got, dst)
	}
	oldNode := redis.NewClient(&redis.Options{Addr: rc.addrs[src], Protocol: 2, MaxRetries: -1})
	defer oldNode.Close()
	if err := oldNode.Get(ctx, "{"+last.tag+"}:v").Err(); err == nil || !strings.HasPrefix(err.Error(), "MOVED ") {
		t.Fatalf("the old owner answers %v, want a MOVED redirection", err)
	}
	close(stop)
	wg.Wait()

	ops := 0
	for w, r := range results {
		ops += r.ops
		for i, e := range r.errs {
			if i == 5 {
				t.Errorf("writer %d: ... %d errors in all", w, len(r.errs))
				break
			}
			t.Errorf("writer %d: %s", w, e)
		}
	}
	if ops == 0 {
		t.Fatal("no write was acknowledged while slots moved")
	}
	t.Logf("%d operations through the proxy while %d slots moved", ops, len(hot))
	proxyGet := redis.NewClient(&redis.Options{Addr: proxyAddr, Protocol: 2, MaxRetries: -1})
	defer proxyGet.Close()
	for _, r := range results {
		for k, v := range r.last {
			for name, c := range map[string]redis.Cmdable{"cluster": cluster, "proxy": proxyGet} {
				if got, err := c.Get(ctx, k).Result(); err != nil || got != v {
					t.Errorf("%s: GET %s = %q, %v; want the last acknowledged %q", name, k, got, err, v)
				}
			}
		}
		for k, n := range r.incrs {
			if got, err := cluster.Get(ctx, k).Int64(); err != nil || got != n {
				t.Errorf("GET %s = %d, %v; want %d acknowledged INCRs (no write lost or applied twice)", k, got, err, n)
			}
		}
		for k, want := range r.pushes {
			got, err := proxyGet.LRange(ctx, k, 0, -1).Result()
			if err != nil || strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("LRANGE %s: %d elements, %v; want the %d acknowledged RPUSHes in order", k, len(got), err, len(want))
			}
		}
	}
	if v, err := proxyGet.Get(ctx, "{"+hot[0].tag+"}:ask").Result(); err != nil || v != "asked" {
		t.Errorf("key written during the ASK window: %q, %v", v, err)
	}
	// Both kinds of redirection were met and followed, none given up on.
	info, err := proxyGet.Info(ctx, "stats").Result()
	if err != nil {
		t.Fatalf("INFO stats: %v", err)
	}
	for _, f := range []string{"proxy_moved_followed", "proxy_ask_followed"} {
		if n := infoCount(info, f); n <= 0 {
			t.Errorf("INFO %s = %d, want some:\n%s", f, n, info)
		}
	}
	if n := infoCount(info, "proxy_redirects_exhausted"); n != 0 {
		t.Errorf("INFO proxy_redirects_exhausted = %d", n)
	}
}

// infoCount returns the integer field name of an INFO text, -1 if absent.
func infoCount(info, name string) int64 {
	for _, l := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}
