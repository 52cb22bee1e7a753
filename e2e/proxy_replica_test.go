package e2e

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// threeShardsReplicated is threeShards with one replica per shard: shardis
// nodes 3, 4 and 5 follow nodes 0, 1 and 2.
const threeShardsReplicated = `
[[proxy]]
listen = ["127.0.0.1:0"]
connect_timeout = "250ms"
read_timeout = "2s"
write_timeout = "2s"

[[shard]]
slots = ["0-5460"]
[shard.primary]
address = "{{node 0}}"
[[shard.replica]]
address = "{{node 3}}"

[[shard]]
slots = ["5461-10922"]
[shard.primary]
address = "{{node 1}}"
[[shard.replica]]
address = "{{node 4}}"

[[shard]]
slots = ["10923-16383"]
[shard.primary]
address = "{{node 2}}"
[[shard.replica]]
address = "{{node 5}}"
`

// TestProxyReplicaFanout writes every type through the proxy and checks
// that each shard's replica ends with its primary's values, read on the
// nodes themselves; then it stops a replica: writes go on, INFO reports it
// lagging, and once it is back, as needing a resync.
func TestProxyReplicaFanout(t *testing.T) {
	d := startDeployment(t, threeShardsReplicated)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rdb := redis.NewClient(&redis.Options{Addr: d.addr, Protocol: 3, MaxRetries: -1})
	defer rdb.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	keys := keysOnEveryShard("rep:", 6) // shard 1, 2, 3, 1, 2, 3, ...
	for i, k := range keys {
		switch i / 3 % 6 { // every type on every shard
		case 0:
			must(rdb.Set(ctx, k, "v"+k, 0).Err())
			must(rdb.Append(ctx, k, "+").Err())
		case 1:
			must(rdb.HSet(ctx, k, "a", 1, "b", 2).Err())
			must(rdb.HIncrBy(ctx, k, "a", 10).Err())
		case 2:
			must(rdb.RPush(ctx, k, "x", "y", "z").Err())
			must(rdb.LPop(ctx, k).Err())
		case 3:
			must(rdb.SAdd(ctx, k, "m1", "m2", "m3").Err())
			must(rdb.SRem(ctx, k, "m2").Err())
		case 4:
			must(rdb.ZAdd(ctx, k, redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2, Member: "b"}).Err())
			must(rdb.ZIncrBy(ctx, k, 5, "a").Err())
		case 5:
			for range 7 {
				must(rdb.Incr(ctx, k).Err())
			}
			must(rdb.PExpireAt(ctx, k, time.Now().Add(time.Hour)).Err())
		}
	}
	// A split MSET and DEL, a pipeline, and a write that fails on the
	// primary (not replicated: nothing to check but that nothing breaks).
	var kv []any
	for _, k := range keys[:6] {
		kv = append(kv, k+":m", "mv")
	}
	must(rdb.MSet(ctx, kv...).Err())
	must(rdb.Del(ctx, keys[0]+":m", keys[1]+":m").Err())
	pipe := rdb.Pipeline()
	for i := range 50 {
		pipe.RPush(ctx, keys[2]+":pl", strconv.Itoa(i))
	}
	_, err := pipe.Exec(ctx)
	must(err)
	// A transaction: its writes reach the replica too, as MULTI ... EXEC.
	txKeys := []string{"{tx}:a", "{tx}:b"}
	_, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, txKeys[0], "in-tx", 0)
		p.Get(ctx, txKeys[0])
		p.RPush(ctx, txKeys[1], "1", "2")
		return nil
	})
	must(err)
	// SPOP pops at random: replicas get the members the primary popped.
	must(rdb.SAdd(ctx, "{sp}:s", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j").Err())
	must(rdb.SPopN(ctx, "{sp}:s", 3).Err())
	must(rdb.SPop(ctx, "{sp}:s").Err())
	// Blocking pops served at once: replicas get their effects.
	bk := []string{"{blk}:l", "{blk}:d", "{blk}:z"}
	must(rdb.RPush(ctx, bk[0], "1", "2", "3", "4", "5", "6").Err())
	must(rdb.ZAdd(ctx, bk[2], redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2, Member: "b"}, redis.Z{Score: 3, Member: "c"}).Err())
	must(rdb.BLPop(ctx, time.Second, bk[0]).Err())
	must(rdb.BRPop(ctx, time.Second, bk[0]).Err())
	must(rdb.BLMove(ctx, bk[0], bk[1], "LEFT", "RIGHT", time.Second).Err())
	must(rdb.BLMPop(ctx, time.Second, "right", 2, bk[0]).Err())
	must(rdb.BZPopMin(ctx, time.Second, bk[2]).Err())
	must(rdb.BZMPop(ctx, time.Second, "max", 1, bk[2]).Err())
	if err := rdb.BLPop(ctx, 100*time.Millisecond, "{blk}:empty").Err(); err != redis.Nil {
		t.Fatalf("BLPOP of an empty list: %v", err)
	}
	if err := rdb.Incr(ctx, keys[3]).Err(); err == nil { // a hash
		t.Fatal("INCR of a hash: no error")
	}

	all := append([]string(nil), keys...)
	for _, k := range keys[:6] {
		all = append(all, k+":m")
	}
	all = append(all, keys[2]+":pl", txKeys[0], txKeys[1])
	all = append(all, bk...)
	all = append(all, "{sp}:s")
	for shard := range 3 {
		primary, replica := direct(t, d.node(shard)), direct(t, d.node(shard+3))
		var mine []string
		for _, k := range all {
			if ownerOf(k) == shard {
				mine = append(mine, k)
			}
		}
		want := nodeValues(ctx, t, primary, mine)
		if len(mine) < 6 || strings.Contains(want, "error: ") || strings.Count(want, "=none:") > 1 {
			t.Fatalf("shard %d primary: %d keys:\n%s", shard+1, len(mine), want)
		}
		pollUntil(t, fmt.Sprintf("replica of shard %d has the primary's values", shard+1), 15*time.Second, func() bool {
			return nodeValues(ctx, t, replica, mine) == want
		})
	}
	info := proxyInfoSection(ctx, t, rdb)
	if n := infoCount(info, "proxy_replicas"); n != 3 {
		t.Fatalf("INFO proxy_replicas = %d, want 3:\n%s", n, info)
	}
	if n := infoCount(info, "proxy_replicas_lagging"); n != 0 {
		t.Fatalf("INFO proxy_replicas_lagging = %d:\n%s", n, info)
	}

	// Stop shard 1's replica: the primary keeps serving, the replica is
	// reported lagging, and the others are still fed.
	d.stopNode(3)
	k0 := keysOnEveryShard("down:", 1)
	for i := range 20 {
		for _, k := range k0 {
			if err := rdb.Set(ctx, k, strconv.Itoa(i), 0).Err(); err != nil {
				t.Fatalf("SET %s with a replica down: %v", k, err)
			}
		}
	}
	pollUntil(t, "INFO reports the stopped replica lagging", 15*time.Second, func() bool {
		return replicaState(proxyInfoSection(ctx, t, rdb), d.node(3)) == "lagging"
	})
	for _, k := range k0 {
		if got, err := rdb.Get(ctx, k).Result(); err != nil || got != "19" {
			t.Fatalf("GET %s through the proxy with a replica down: %q, %v", k, got, err)
		}
	}
	for shard := 1; shard < 3; shard++ {
		pollUntil(t, "the other replicas are still fed", 15*time.Second, func() bool {
			v, err := direct(t, d.node(shard+3)).Get(ctx, k0[shard]).Result()
			return err == nil && v == "19"
		})
	}
	if info := proxyInfoSection(ctx, t, rdb); infoCount(info, "proxy_replicas_lagging") != 1 {
		t.Fatalf("INFO with one replica down:\n%s", info)
	}

	// Back (empty: the test nodes keep no AOF): it needs a resync, and
	// is fed new writes meanwhile.
	d.restartNode(3)
	pollUntil(t, "INFO reports the returned replica as needing a resync", 15*time.Second, func() bool {
		return replicaState(proxyInfoSection(ctx, t, rdb), d.node(3)) == "needs_resync"
	})
	must(rdb.Set(ctx, k0[0], "after", 0).Err())
	pollUntil(t, "the returned replica gets new writes", 15*time.Second, func() bool {
		v, err := direct(t, d.node(3)).Get(ctx, k0[0]).Result()
		return err == nil && v == "after"
	})
}

// nodeValues renders the values of keys on one node, type by type, in a
// form that does not depend on the order a node keeps set members or hash
// fields in.
func nodeValues(ctx context.Context, t *testing.T, c *redis.Client, keys []string) string {
	t.Helper()
	var b strings.Builder
	for _, k := range keys {
		typ, err := c.Type(ctx, k).Result()
		if err != nil {
			return "error: " + err.Error()
		}
		var v any
		switch typ {
		case "string":
			v, err = c.Get(ctx, k).Result()
		case "list":
			v, err = c.LRange(ctx, k, 0, -1).Result()
		case "hash":
			var m map[string]string
			m, err = c.HGetAll(ctx, k).Result()
			v = hashFieldList(m)
		case "set":
			var m []string
			m, err = c.SMembers(ctx, k).Result()
			sort.Strings(m)
			v = m
		case "zset":
			v, err = c.ZRangeWithScores(ctx, k, 0, -1).Result()
		}
		if err != nil {
			return "error: " + err.Error()
		}
		ttl := c.PTTL(ctx, k).Val() > 0
		fmt.Fprintf(&b, "%s=%s:%v ttl=%v\n", k, typ, v, ttl)
	}
	return b.String()
}

func hashFieldList(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// proxyInfo returns the proxy's INFO replication section.
func proxyInfoSection(ctx context.Context, t *testing.T, rdb *redis.Client) string {
	t.Helper()
	info, err := rdb.Info(ctx, "replication").Result()
	if err != nil {
		t.Fatalf("INFO replication: %v", err)
	}
	return info
}

// replicaState returns the state INFO gives the replica at addr, or "".
func replicaState(info, addr string) string {
	for _, l := range strings.Split(info, "\r\n") {
		if !strings.HasPrefix(l, "proxy_replica") || !strings.Contains(l, ",addr="+addr+",") {
			continue
		}
		for _, f := range strings.Split(l, ",") {
			if v, ok := strings.CutPrefix(f, "state="); ok {
				return v
			}
		}
	}
	return ""
}

// waitFor polls cond until it holds, failing the test at the deadline.
func pollUntil(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, not waiting for readiness
	}
}
