package e2e

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestInteropGoRedis drives the target with go-redis v9, the client most Go
// users will point at shardis, in RESP3 (its default) and RESP2, and checks
// real values. (MULTI/EXEC, hence TxPipeline, is out of scope until a later
// issue.)
func TestInteropGoRedis(t *testing.T) {
	addr := startTarget(t, serverConfig{})
	for _, proto := range []int{3, 2} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			rdb := redis.NewClient(&redis.Options{
				Addr:       addr,
				Protocol:   proto,
				DB:         proto, // a database of its own per pass
				ClientName: "e2e-resp" + strconv.Itoa(proto),
			})
			defer rdb.Close()
			goRedisChecks(ctx, t, rdb, proto)
		})
	}
}

func goRedisChecks(ctx context.Context, t *testing.T, rdb *redis.Client, proto int) {
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	eq := func(what string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}

	must(rdb.FlushDB(ctx).Err())
	pong, err := rdb.Ping(ctx).Result()
	must(err)
	eq("PING", pong, "PONG")
	name, err := rdb.ClientGetName(ctx).Result()
	must(err)
	eq("CLIENT GETNAME", name, "e2e-resp"+strconv.Itoa(proto))
	hello, err := rdb.Do(ctx, "HELLO", proto).Result()
	must(err)
	switch h := hello.(type) {
	case map[any]any: // RESP3 map
		eq("HELLO proto", h["proto"], proto)
		eq("HELLO server", h["server"], "redis")
	case []any: // RESP2 flat array
		if len(h) < 6 || h[4] != "proto" || h[5] != int64(proto) {
			t.Errorf("HELLO %d = %v", proto, h)
		}
	default:
		t.Errorf("HELLO reply %T %v", hello, hello)
	}

	// Strings.
	ok, err := rdb.Set(ctx, "a", "1", 0).Result()
	must(err)
	eq("SET", ok, "OK")
	v, err := rdb.Get(ctx, "a").Result()
	must(err)
	eq("GET a", v, "1")
	if _, err := rdb.Get(ctx, "missing").Result(); !errors.Is(err, redis.Nil) {
		t.Errorf("GET missing: err %v, want redis.Nil", err)
	}
	bin := "\x00\xff\r\n$1\r\n"
	must(rdb.Set(ctx, "bin", bin, 0).Err())
	v, err = rdb.Get(ctx, "bin").Result()
	must(err)
	eq("GET bin", strconv.Quote(v), strconv.Quote(bin))
	n, err := rdb.Incr(ctx, "n").Result()
	must(err)
	eq("INCR", n, 1)
	n, err = rdb.IncrBy(ctx, "n", 41).Result()
	must(err)
	eq("INCRBY", n, 42)
	n, err = rdb.Decr(ctx, "n").Result()
	must(err)
	eq("DECR", n, 41)
	f, err := rdb.IncrByFloat(ctx, "f", 1.5).Result()
	must(err)
	eq("INCRBYFLOAT", f, 1.5)
	if err := rdb.Incr(ctx, "bin").Err(); err == nil || err.Error() != "ERR value is not an integer or out of range" {
		t.Errorf("INCR on a non-number: %v", err)
	}
	set, err := rdb.SetNX(ctx, "a", "2", 0).Result()
	must(err)
	eq("SETNX existing", set, false)
	n, err = rdb.Append(ctx, "s", "hello").Result()
	must(err)
	eq("APPEND", n, 5)
	v, err = rdb.GetRange(ctx, "s", 1, 3).Result()
	must(err)
	eq("GETRANGE", v, "ell")
	n, err = rdb.StrLen(ctx, "s").Result()
	must(err)
	eq("STRLEN", n, 5)
	v, err = rdb.GetDel(ctx, "s").Result()
	must(err)
	eq("GETDEL", v, "hello")
	n, err = rdb.SetBit(ctx, "bits", 7, 1).Result()
	must(err)
	eq("SETBIT", n, 0)
	n, err = rdb.BitCount(ctx, "bits", nil).Result()
	must(err)
	eq("BITCOUNT", n, 1)

	// MSET / MGET.
	must(rdb.MSet(ctx, "m1", "x", "m2", "y").Err())
	vals, err := rdb.MGet(ctx, "m1", "missing", "m2").Result()
	must(err)
	if len(vals) != 3 || vals[0] != "x" || vals[1] != nil || vals[2] != "y" {
		t.Errorf("MGET = %#v", vals)
	}

	// Expiry.
	exp, err := rdb.Expire(ctx, "a", 100*time.Second).Result()
	must(err)
	eq("EXPIRE", exp, true)
	ttl, err := rdb.TTL(ctx, "a").Result()
	must(err)
	if ttl < 98*time.Second || ttl > 100*time.Second {
		t.Errorf("TTL = %v, want about 100s", ttl)
	}
	pttl, err := rdb.PTTL(ctx, "a").Result()
	must(err)
	if pttl < 98*time.Second || pttl > 100*time.Second {
		t.Errorf("PTTL = %v, want about 100s", pttl)
	}
	ttl, err = rdb.TTL(ctx, "m1").Result()
	must(err)
	eq("TTL without expiry", ttl, time.Duration(-1))
	ttl, err = rdb.TTL(ctx, "missing").Result()
	must(err)
	eq("TTL missing", ttl, time.Duration(-2))
	must(rdb.Set(ctx, "ex", "v", time.Hour).Err())
	ttl, err = rdb.TTL(ctx, "ex").Result()
	must(err)
	if ttl <= 59*time.Minute {
		t.Errorf("TTL after SET EX 3600 = %v", ttl)
	}
	per, err := rdb.Persist(ctx, "ex").Result()
	must(err)
	eq("PERSIST", per, true)

	// Keys.
	n, err = rdb.Exists(ctx, "a", "m1", "missing").Result()
	must(err)
	eq("EXISTS", n, 2)
	typ, err := rdb.Type(ctx, "a").Result()
	must(err)
	eq("TYPE", typ, "string")
	must(rdb.Rename(ctx, "m2", "m3").Err())
	n, err = rdb.Del(ctx, "m1", "m3", "missing").Result()
	must(err)
	eq("DEL", n, 2)

	// SCAN through the iterator, over more keys than one batch.
	must(rdb.FlushDB(ctx).Err())
	want := map[string]bool{}
	pipe := rdb.Pipeline()
	for i := 0; i < 250; i++ {
		k := "scan:" + strconv.Itoa(i)
		want[k] = true
		pipe.Set(ctx, k, i, 0)
	}
	pipe.Set(ctx, "other", 1, 0)
	_, err = pipe.Exec(ctx)
	must(err)
	got := map[string]bool{}
	it := rdb.Scan(ctx, 0, "scan:*", 20).Iterator()
	for it.Next(ctx) {
		got[it.Val()] = true
	}
	must(it.Err())
	if len(got) != len(want) {
		t.Errorf("SCAN iterator found %d keys, want %d", len(got), len(want))
	}
	for k := range want {
		if !got[k] {
			t.Errorf("SCAN iterator missed %q", k)
			break
		}
	}
	keys, err := rdb.Keys(ctx, "scan:1?").Result()
	must(err)
	sort.Strings(keys)
	eq("KEYS scan:1?", keys, []string{"scan:10", "scan:11", "scan:12", "scan:13", "scan:14", "scan:15", "scan:16", "scan:17", "scan:18", "scan:19"})
	size, err := rdb.DBSize(ctx).Result()
	must(err)
	eq("DBSIZE", size, 251)

	// A pipeline of 1000 commands, with an error in the middle.
	pipe = rdb.Pipeline()
	var incrs []*redis.IntCmd
	for i := 0; i < 1000; i++ {
		incrs = append(incrs, pipe.Incr(ctx, "counter"))
	}
	bad := pipe.Incr(ctx, "other-not-int")
	must(rdb.Set(ctx, "other-not-int", "x", 0).Err())
	get := pipe.Get(ctx, "counter")
	_, err = pipe.Exec(ctx)
	if err == nil {
		t.Errorf("pipeline with a failing INCR: Exec returned no error")
	}
	for i, c := range incrs {
		if c.Val() != int64(i+1) || c.Err() != nil {
			t.Fatalf("pipelined INCR #%d = %d, %v", i, c.Val(), c.Err())
		}
	}
	if bad.Err() == nil {
		t.Errorf("pipelined INCR on a string: no error")
	}
	eq("pipelined GET", get.Val(), "1000")

	// Pipelined round trip through the Pipelined helper.
	cmds, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "p1", "v1", 0)
		p.Get(ctx, "p1")
		p.Echo(ctx, "hi")
		p.Del(ctx, "p1")
		return nil
	})
	must(err)
	eq("Pipelined replies", len(cmds), 4)
	eq("Pipelined GET", cmds[1].(*redis.StringCmd).Val(), "v1")
	eq("Pipelined ECHO", cmds[2].(*redis.StringCmd).Val(), "hi")
}
