package backend

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc64"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shardis/shardis/internal/resp"
)

// zsetSession was recorded from redis-server 7.0.15 (one connection, after
// FLUSHALL): each command and the exact bytes of its reply.
var zsetSession = []struct {
	want string
	args []string
}{
	{":3\r\n", []string{"zadd", "z", "1", "a", "2", "b", "3", "c"}},
	{"-ERR XX and NX options at the same time are not compatible\r\n", []string{"zadd", "z", "nx", "xx", "1", "a"}},
	{"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", []string{"zadd", "z", "gt", "lt", "1", "a"}},
	{"-ERR INCR option supports a single increment-element pair\r\n", []string{"zadd", "z", "incr", "1", "a", "2", "b"}},
	{"-ERR wrong number of arguments for 'zadd' command\r\n", []string{"zadd", "z", "1"}},
	{"-ERR value is not a valid float\r\n", []string{"zadd", "z", "abc", "a"}},
	{"-ERR value is not a valid float\r\n", []string{"zadd", "z", "nan", "a"}},
	{":2\r\n", []string{"zadd", "z", "ch", "5", "a", "6", "d"}},
	{"$18\r\n6.0999999999999996\r\n", []string{"zadd", "z", "incr", "0.1", "d"}},
	{"$-1\r\n", []string{"zadd", "z", "xx", "incr", "1", "nosuch"}},
	{"$3\r\ninf\r\n", []string{"zadd", "z", "incr", "inf", "a"}},
	{"-ERR resulting score is not a number (NaN)\r\n", []string{"zadd", "z", "incr", "-inf", "a"}},
	{":1\r\n", []string{"zadd", "z", "-0", "neg"}},
	{"$1\r\n0\r\n", []string{"zscore", "z", "neg"}},
	{"$23\r\n1.0000000000000001e+300\r\n", []string{"zincrby", "z", "1e300", "big"}},
	{"*12\r\n$3\r\nneg\r\n$1\r\n0\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$18\r\n6.0999999999999996\r\n$3\r\nbig\r\n$23\r\n1.0000000000000001e+300\r\n$1\r\na\r\n$3\r\ninf\r\n", []string{"zrange", "z", "0", "-1", "withscores"}},
	{"*6\r\n$1\r\na\r\n$3\r\nbig\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$3\r\nneg\r\n", []string{"zrange", "z", "0", "-1", "rev"}},
	{"*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$18\r\n6.0999999999999996\r\n", []string{"zrange", "z", "(1", "+inf", "byscore", "limit", "1", "2", "withscores"}},
	{"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n", []string{"zrange", "z", "0", "-1", "limit", "0", "1"}},
	{"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n", []string{"zrange", "z", "-", "+", "bylex", "withscores"}},
	{"*12\r\n$3\r\nneg\r\n$1\r\n0\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$18\r\n6.0999999999999996\r\n$3\r\nbig\r\n$23\r\n1.0000000000000001e+300\r\n$1\r\na\r\n$3\r\ninf\r\n", []string{"zrangebyscore", "z", "-inf", "+inf", "withscores"}},
	{"*2\r\n$1\r\na\r\n$3\r\nbig\r\n", []string{"zrevrangebyscore", "z", "+inf", "-inf", "limit", "0", "2"}},
	{":4\r\n", []string{"zcount", "z", "(2", "+inf"}},
	{"-ERR min or max is not a float\r\n", []string{"zcount", "z", "a", "b"}},
	{":2\r\n", []string{"zrank", "z", "c"}},
	{":3\r\n", []string{"zrevrank", "z", "c"}},
	{"$-1\r\n", []string{"zrank", "z", "nosuch"}},
	{"*3\r\n$3\r\ninf\r\n$-1\r\n$1\r\n3\r\n", []string{"zmscore", "z", "a", "nosuch", "c"}},
	{":1\r\n", []string{"zrem", "z", "a", "nosuch"}},
	{":5\r\n", []string{"zcard", "z"}},
	{":2\r\n", []string{"zremrangebyscore", "z", "-inf", "(3"}},
	{":1\r\n", []string{"zremrangebyrank", "z", "-1", "-1"}},
	{"*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$18\r\n6.0999999999999996\r\n", []string{"zrange", "z", "0", "-1", "withscores"}},
	{":4\r\n", []string{"zadd", "l", "0", "a", "0", "b", "0", "c", "0", "d"}},
	{"*2\r\n$1\r\nb\r\n$1\r\nc\r\n", []string{"zrangebylex", "l", "[b", "(d"}},
	{"*2\r\n$1\r\nc\r\n$1\r\nb\r\n", []string{"zrevrangebylex", "l", "+", "-", "limit", "1", "2"}},
	{":4\r\n", []string{"zlexcount", "l", "-", "+"}},
	{"-ERR min or max not valid string range item\r\n", []string{"zlexcount", "l", "a", "b"}},
	{":1\r\n", []string{"zremrangebylex", "l", "-", "[a"}},
	{"*2\r\n$1\r\nb\r\n$1\r\n0\r\n", []string{"zpopmin", "l"}},
	{"*4\r\n$1\r\nd\r\n$1\r\n0\r\n$1\r\nc\r\n$1\r\n0\r\n", []string{"zpopmax", "l", "5"}},
	{":0\r\n", []string{"exists", "l"}},
	{":3\r\n", []string{"zadd", "p", "1", "a", "2", "b", "3", "c"}},
	{"*2\r\n$1\r\np\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n", []string{"zmpop", "2", "nokey", "p", "max", "count", "2"}},
	{"*-1\r\n", []string{"zmpop", "1", "nokey", "min"}},
	{"-ERR numkeys should be greater than 0\r\n", []string{"zmpop", "0", "p", "min"}},
	{"-ERR value is out of range, must be positive\r\n", []string{"zpopmin", "p", "-1"}},
	{"*0\r\n", []string{"zpopmin", "p", "0"}},
	{":3\r\n", []string{"zadd", "a", "1", "x", "2", "y", "3", "z"}},
	{":3\r\n", []string{"zadd", "b", "10", "y", "20", "z", "30", "w"}},
	{"*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n$1\r\nw\r\n$2\r\n30\r\n", []string{"zunion", "2", "a", "b", "withscores"}},
	{"*8\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\ny\r\n$1\r\n5\r\n$1\r\nz\r\n$2\r\n10\r\n$1\r\nw\r\n$2\r\n15\r\n", []string{"zunion", "2", "a", "b", "weights", "2", "0.5", "aggregate", "max", "withscores"}},
	{"*4\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n", []string{"zinter", "2", "a", "b", "withscores"}},
	{"*2\r\n$1\r\nx\r\n$1\r\n1\r\n", []string{"zdiff", "2", "a", "b", "withscores"}},
	{":1\r\n", []string{"zintercard", "2", "a", "b", "limit", "1"}},
	{":4\r\n", []string{"zunionstore", "dst", "2", "a", "b"}},
	{":2\r\n", []string{"zinterstore", "dst", "2", "a", "b", "aggregate", "min"}},
	{"*4\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n3\r\n", []string{"zrange", "dst", "0", "-1", "withscores"}},
	{":0\r\n", []string{"zdiffstore", "dst", "2", "a", "a"}},
	{":0\r\n", []string{"exists", "dst"}},
	{":2\r\n", []string{"zrangestore", "dst", "a", "1", "-1"}},
	{"*4\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n3\r\n", []string{"zrange", "dst", "0", "-1", "withscores"}},
	{"-ERR at least 1 input key is needed for 'zunion' command\r\n", []string{"zunion", "0", "a"}},
	{"-ERR syntax error\r\n", []string{"zunion", "2", "a"}},
	{"-ERR weight value is not a float\r\n", []string{"zinter", "2", "a", "b", "weights", "1", "x"}},
	{"*2\r\n$1\r\n0\r\n*6\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n3\r\n", []string{"zscan", "a", "0"}},
	{"*2\r\n$1\r\n0\r\n*2\r\n$1\r\ny\r\n$1\r\n2\r\n", []string{"zscan", "a", "0", "match", "y"}},
	{"*2\r\n$1\r\n0\r\n*0\r\n", []string{"zscan", "nokey", "0"}},
	{"-ERR invalid cursor\r\n", []string{"zscan", "a", "abc"}},
	{"+OK\r\n", []string{"set", "str", "v"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zadd", "str", "1", "a"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zrange", "str", "0", "-1"}},
	{"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", []string{"zunion", "2", "a", "str"}},
	{"$8\r\nlistpack\r\n", []string{"object", "encoding", "a"}},
	{"*6\r\n$1\r\nz\r\n$1\r\n3\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nx\r\n$1\r\n1\r\n", []string{"zrandmember", "a", "3", "withscores"}},
	{"-ERR syntax error\r\n", []string{"zrandmember", "a", "1", "foo"}},
	{"*0\r\n", []string{"zrandmember", "nokey", "5"}},
	{"*0\r\n", []string{"zrandmember", "a", "0"}},
}

// zsetSessionRESP3 was recorded the same way after HELLO 3.
var zsetSessionRESP3 = []struct {
	want string
	args []string
}{
	{":3\r\n", []string{"zadd", "z", "1", "a", "2.5", "b", "3", "c"}},
	{",2.5\r\n", []string{"zscore", "z", "b"}},
	{"_\r\n", []string{"zscore", "z", "nosuch"}},
	{"*2\r\n,1\r\n_\r\n", []string{"zmscore", "z", "a", "nosuch"}},
	{",1.1000000000000001\r\n", []string{"zincrby", "z", "0.1", "a"}},
	{",3.5\r\n", []string{"zadd", "z", "incr", "1", "b"}},
	{"_\r\n", []string{"zadd", "z", "xx", "incr", "1", "nosuch"}},
	{"*3\r\n*2\r\n$1\r\na\r\n,1.1000000000000001\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nb\r\n,3.5\r\n", []string{"zrange", "z", "0", "-1", "withscores"}},
	{"*3\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n", []string{"zrange", "z", "0", "-1"}},
	{"*2\r\n*2\r\n$1\r\na\r\n,1.1000000000000001\r\n*2\r\n$1\r\nc\r\n,3\r\n", []string{"zrangebyscore", "z", "1", "3", "withscores", "limit", "0", "2"}},
	{"*3\r\n*2\r\n$1\r\na\r\n,1.1000000000000001\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nb\r\n,3.5\r\n", []string{"zunion", "1", "z", "withscores"}},
	{"*3\r\n*2\r\n$1\r\na\r\n,2.2000000000000002\r\n*2\r\n$1\r\nc\r\n,6\r\n*2\r\n$1\r\nb\r\n,7\r\n", []string{"zinter", "1", "z", "weights", "2", "withscores"}},
	{"*3\r\n*2\r\n$1\r\nb\r\n,3.5\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\na\r\n,1.1000000000000001\r\n", []string{"zrandmember", "z", "5", "withscores"}},
	{"_\r\n", []string{"zrandmember", "nokey"}},
	{"*2\r\n$1\r\na\r\n,1.1000000000000001\r\n", []string{"zpopmin", "z"}},
	{"*1\r\n*2\r\n$1\r\nb\r\n,3.5\r\n", []string{"zpopmax", "z", "1"}},
	{"*0\r\n", []string{"zpopmin", "nokey"}},
	{":2\r\n", []string{"zadd", "z", "5", "x", "6", "y"}},
	{"*2\r\n$1\r\nz\r\n*3\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nx\r\n,5\r\n*2\r\n$1\r\ny\r\n,6\r\n", []string{"zmpop", "1", "z", "min", "count", "5"}},
	{"_\r\n", []string{"zmpop", "1", "z", "min"}},
	{"_\r\n", []string{"zrank", "z", "nosuch"}},
	{"*2\r\n$1\r\n0\r\n*0\r\n", []string{"zscan", "nokey", "0"}},
}

func TestZsetSession(t *testing.T) {
	requireCommands(t, "set")
	_, addr := startTestServer(t)
	c := dialTest(t, addr)
	for _, tc := range zsetSession {
		c.expect(tc.want, tc.args...)
	}
	c3 := dialTest(t, addr)
	c3.expect("+OK\r\n", "flushall")
	c3.raw("hello", "3")
	for _, tc := range zsetSessionRESP3 {
		c3.expect(tc.want, tc.args...)
	}
}

func TestZsetGoRedis(t *testing.T) {
	_, addr := startTestServer(t)
	ctx := context.Background()
	for _, proto := range []int{3, 2} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, DB: proto})
			defer rdb.Close()
			rdb.FlushDB(ctx)
			if n, err := rdb.ZAdd(ctx, "z", redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2.5, Member: "b"},
				redis.Z{Score: math.Inf(1), Member: "c"}).Result(); err != nil || n != 3 {
				t.Fatalf("ZADD: %d, %v", n, err)
			}
			if n, err := rdb.ZAddArgs(ctx, "z", redis.ZAddArgs{GT: true, Ch: true,
				Members: []redis.Z{{Score: 0, Member: "a"}, {Score: 3, Member: "b"}}}).Result(); err != nil || n != 1 {
				t.Fatalf("ZADD GT CH: %d, %v", n, err)
			}
			if f, err := rdb.ZIncrBy(ctx, "z", 0.1, "a").Result(); err != nil || f != 1.1 {
				t.Fatalf("ZINCRBY: %v, %v", f, err)
			}
			if f, err := rdb.ZAddArgsIncr(ctx, "z", redis.ZAddArgs{Members: []redis.Z{{Score: -1, Member: "b"}}}).Result(); err != nil || f != 2 {
				t.Fatalf("ZADD INCR: %v, %v", f, err)
			}
			if _, err := rdb.ZAddArgsIncr(ctx, "z", redis.ZAddArgs{XX: true, Members: []redis.Z{{Score: 1, Member: "nosuch"}}}).Result(); err != redis.Nil {
				t.Fatalf("ZADD XX INCR of a missing member: %v, want redis.Nil", err)
			}
			if f, err := rdb.ZScore(ctx, "z", "c").Result(); err != nil || !math.IsInf(f, 1) {
				t.Fatalf("ZSCORE inf: %v, %v", f, err)
			}
			if _, err := rdb.ZScore(ctx, "z", "nosuch").Result(); err != redis.Nil {
				t.Fatalf("ZSCORE missing: %v", err)
			}
			if fs, err := rdb.ZMScore(ctx, "z", "a", "b").Result(); err != nil || fmt.Sprint(fs) != "[1.1 2]" {
				t.Fatalf("ZMSCORE: %v, %v", fs, err)
			}
			if n, err := rdb.ZCard(ctx, "z").Result(); err != nil || n != 3 {
				t.Fatalf("ZCARD: %d, %v", n, err)
			}
			if r, err := rdb.ZRank(ctx, "z", "b").Result(); err != nil || r != 1 {
				t.Fatalf("ZRANK: %d, %v", r, err)
			}
			if r, err := rdb.ZRevRank(ctx, "z", "b").Result(); err != nil || r != 1 {
				t.Fatalf("ZREVRANK: %d, %v", r, err)
			}
			zs, err := rdb.ZRangeWithScores(ctx, "z", 0, -1).Result()
			if err != nil || fmt.Sprint(zs) != "[{1.1 a} {2 b} {+Inf c}]" {
				t.Fatalf("ZRANGE WITHSCORES: %v, %v", zs, err)
			}
			if ms, err := rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: "z", Start: "(1.1", Stop: "+inf", ByScore: true,
				Rev: false, Offset: 0, Count: 1}).Result(); err != nil || strings.Join(ms, ",") != "b" {
				t.Fatalf("ZRANGE BYSCORE LIMIT: %v, %v", ms, err)
			}
			if ms, err := rdb.ZRevRangeByScore(ctx, "z", &redis.ZRangeBy{Min: "-inf", Max: "+inf"}).Result(); err != nil || strings.Join(ms, ",") != "c,b,a" {
				t.Fatalf("ZREVRANGEBYSCORE: %v, %v", ms, err)
			}
			if n, err := rdb.ZCount(ctx, "z", "1", "(inf").Result(); err != nil || n != 2 {
				t.Fatalf("ZCOUNT: %d, %v", n, err)
			}
			if n, err := rdb.ZRangeStore(ctx, "copy", redis.ZRangeArgs{Key: "z", Start: 0, Stop: 1}).Result(); err != nil || n != 2 {
				t.Fatalf("ZRANGESTORE: %d, %v", n, err)
			}
			if n, err := rdb.ZAdd(ctx, "lex", redis.Z{Member: "a"}, redis.Z{Member: "b"}, redis.Z{Member: "c"}).Result(); err != nil || n != 3 {
				t.Fatalf("ZADD lex: %d, %v", n, err)
			}
			if ms, err := rdb.ZRangeByLex(ctx, "lex", &redis.ZRangeBy{Min: "(a", Max: "+"}).Result(); err != nil || strings.Join(ms, ",") != "b,c" {
				t.Fatalf("ZRANGEBYLEX: %v, %v", ms, err)
			}
			if n, err := rdb.ZLexCount(ctx, "lex", "-", "[b").Result(); err != nil || n != 2 {
				t.Fatalf("ZLEXCOUNT: %d, %v", n, err)
			}
			if n, err := rdb.ZRemRangeByLex(ctx, "lex", "[c", "+").Result(); err != nil || n != 1 {
				t.Fatalf("ZREMRANGEBYLEX: %d, %v", n, err)
			}
			if zs, err := rdb.ZUnionWithScores(ctx, redis.ZStore{Keys: []string{"z", "copy"}, Weights: []float64{1, 2}}).Result(); err != nil ||
				fmt.Sprint(zs) != "[{3.3000000000000003 a} {6 b} {+Inf c}]" {
				t.Fatalf("ZUNION WITHSCORES: %v, %v", zs, err)
			}
			if ms, err := rdb.ZInter(ctx, &redis.ZStore{Keys: []string{"z", "copy"}, Aggregate: "MAX"}).Result(); err != nil || strings.Join(ms, ",") != "a,b" {
				t.Fatalf("ZINTER: %v, %v", ms, err)
			}
			if ms, err := rdb.ZDiff(ctx, "z", "copy").Result(); err != nil || strings.Join(ms, ",") != "c" {
				t.Fatalf("ZDIFF: %v, %v", ms, err)
			}
			if n, err := rdb.ZInterCard(ctx, 1, "z", "copy").Result(); err != nil || n != 1 {
				t.Fatalf("ZINTERCARD LIMIT: %d, %v", n, err)
			}
			if n, err := rdb.ZUnionStore(ctx, "u", &redis.ZStore{Keys: []string{"z", "lex"}}).Result(); err != nil || n != 3 {
				t.Fatalf("ZUNIONSTORE: %d, %v", n, err)
			}
			if n, err := rdb.ZDiffStore(ctx, "d", "u", "copy").Result(); err != nil || n != 1 {
				t.Fatalf("ZDIFFSTORE: %d, %v", n, err)
			}
			keys, cursor, err := rdb.ZScan(ctx, "z", 0, "*", 10).Result()
			if err != nil || cursor != 0 || strings.Join(keys, ",") != "a,1.1000000000000001,b,2,c,inf" {
				t.Fatalf("ZSCAN: %v %d %v", keys, cursor, err)
			}
			if ms, err := rdb.ZRandMember(ctx, "z", 5).Result(); err != nil || strings.Join(ms, ",") != "c,b,a" {
				t.Fatalf("ZRANDMEMBER covering the set: %v, %v", ms, err)
			}
			if zs, err := rdb.ZRandMemberWithScores(ctx, "z", -4).Result(); err != nil || len(zs) != 4 {
				t.Fatalf("ZRANDMEMBER WITHSCORES: %v, %v", zs, err)
			}
			if zs, err := rdb.ZPopMin(ctx, "z").Result(); err != nil || fmt.Sprint(zs) != "[{1.1 a}]" {
				t.Fatalf("ZPOPMIN: %v, %v", zs, err)
			}
			if zs, err := rdb.ZPopMax(ctx, "z", 5).Result(); err != nil || fmt.Sprint(zs) != "[{+Inf c} {2 b}]" {
				t.Fatalf("ZPOPMAX: %v, %v", zs, err)
			}
			if key, zs, err := rdb.ZMPop(ctx, "max", 2, "nokey", "u").Result(); err != nil || key != "u" || fmt.Sprint(zs) != "[{+Inf c} {2 b}]" {
				t.Fatalf("ZMPOP: %q %v %v", key, zs, err)
			}
			if n, err := rdb.ZRem(ctx, "u", "a", "nosuch").Result(); err != nil || n != 1 {
				t.Fatalf("ZREM: %d, %v", n, err)
			}
			if n, err := rdb.Exists(ctx, "u", "z").Result(); err != nil || n != 0 {
				t.Fatalf("emptied sets still exist: %d, %v", n, err)
			}
			if n, err := rdb.ZRemRangeByRank(ctx, "d", 0, 0).Result(); err != nil || n != 1 {
				t.Fatalf("ZREMRANGEBYRANK: %d, %v", n, err)
			}
			if n, err := rdb.ZRemRangeByScore(ctx, "copy", "-inf", "+inf").Result(); err != nil || n != 2 {
				t.Fatalf("ZREMRANGEBYSCORE: %d, %v", n, err)
			}
			rdb.Set(ctx, "str", "v", 0)
			if err := rdb.ZAdd(ctx, "str", redis.Z{Score: 1, Member: "a"}).Err(); err == nil || !strings.HasPrefix(err.Error(), "WRONGTYPE") {
				t.Fatalf("ZADD on a string: %v", err)
			}
			if err := rdb.Do(ctx, "zadd", "z", "nx", "xx", "1", "a").Err(); err == nil ||
				err.Error() != "ERR XX and NX options at the same time are not compatible" {
				t.Fatalf("ZADD NX XX: %v", err)
			}
			rdb.FlushDB(ctx)
		})
	}
}

// TestZsetBlockingGoRedis pops with BZPOPMIN, BZPOPMAX and BZMPOP from
// go-redis while another client adds.
func TestZsetBlockingGoRedis(t *testing.T) {
	_, addr := startTestServer(t)
	ctx := context.Background()
	for _, proto := range []int{3, 2} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, DB: proto})
			defer rdb.Close()
			other := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, DB: proto})
			defer other.Close()
			done := make(chan error, 1)
			go func() {
				z, err := rdb.BZPopMin(ctx, 0, "q1", "q2").Result()
				if err == nil && (z.Key != "q2" || z.Member != "a" || z.Score != 1.5) {
					err = fmt.Errorf("BZPOPMIN returned %+v", z)
				}
				done <- err
			}()
			zsetWaitBlocked(t, other, 1)
			if err := other.ZAdd(ctx, "q2", redis.Z{Score: 1.5, Member: "a"}, redis.Z{Score: 3, Member: "b"}).Err(); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if z, err := rdb.BZPopMax(ctx, time.Second, "q2").Result(); err != nil || z.Member != "b" {
				t.Fatalf("BZPOPMAX on a filled key: %+v, %v", z, err)
			}
			if _, err := rdb.BZPopMin(ctx, time.Second, "q2").Result(); err != redis.Nil {
				t.Fatalf("BZPOPMIN timeout: %v, want redis.Nil", err)
			}
			go func() {
				key, zs, err := rdb.BZMPop(ctx, 0, "max", 5, "q3").Result()
				if err == nil && (key != "q3" || fmt.Sprint(zs) != "[{2 y} {1 x}]") {
					err = fmt.Errorf("BZMPOP returned %q %v", key, zs)
				}
				done <- err
			}()
			zsetWaitBlocked(t, other, 1)
			if err := other.ZAdd(ctx, "q3", redis.Z{Score: 1, Member: "x"}, redis.Z{Score: 2, Member: "y"}).Err(); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// zsetWaitBlocked asks INFO until n clients are blocked (not a sleep: it polls
// the server's own count, for at most 10 seconds).
func zsetWaitBlocked(t *testing.T, rdb *redis.Client, n int) {
	t.Helper()
	want := "blocked_clients:" + strconv.Itoa(n) + "\r\n"
	deadline := time.Now().Add(10 * time.Second)
	for {
		info, err := rdb.Info(context.Background(), "clients").Result()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(info, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("never %d blocked clients: %s", n, info)
		}
	}
}

// TestZsetEncodingAndCopies follows the encoding through conversions,
// DUMP/RESTORE and COPY, with replies recorded from redis-server 7.0.15.
func TestZsetEncodingAndCopies(t *testing.T) {
	requireCommands(t, "config|set", "copy", "dump", "restore")
	o := DefaultOptions()
	o.EnableDebugCommand = "yes"
	_, addr := startTestServerOptions(t, o)
	c := dialTest(t, addr)
	long := strings.Repeat("x", 65)
	c.expect(":2\r\n", "zadd", "z", "1", "a", "-0", "b")
	c.expect("$8\r\nlistpack\r\n", "object", "encoding", "z")
	c.expect("$1\r\n0\r\n", "zscore", "z", "b")
	c.expect(":1\r\n", "zadd", "z", "3", long)
	c.expect("$8\r\nskiplist\r\n", "object", "encoding", "z")
	c.expect(":1\r\n", "zadd", "z", "-0", "c")
	c.expect("$2\r\n-0\r\n", "zscore", "z", "c")
	c.expect(":1\r\n", "zrem", "z", long)
	c.expect("$8\r\nskiplist\r\n", "object", "encoding", "z")
	c.expect(":1\r\n", "copy", "z", "zc")
	c.expect("$8\r\nskiplist\r\n", "object", "encoding", "zc")
	c.expect("$2\r\n-0\r\n", "zscore", "zc", "c")
	payload := c.do("dump", "z").Str
	c.expect("+OK\r\n", "restore", "zr", "0", string(payload))
	c.expect("$8\r\nlistpack\r\n", "object", "encoding", "zr")
	c.expect("$1\r\n0\r\n", "zscore", "zr", "c")
	c.expect("+OK\r\n", "config", "set", "zset-max-listpack-entries", "1")
	lp := c.do("dump", "zr").Str
	c.expect("+OK\r\n", "restore", "zr2", "0", string(lp))
	c.expect("$8\r\nskiplist\r\n", "object", "encoding", "zr2")
	c.expect("+OK\r\n", "config", "set", "zset-max-listpack-entries", "128")
	c.expect("+OK\r\n", "config", "set", "zset-max-listpack-value", "0")
	c.expect("+OK\r\n", "restore", "zr3", "0", string(lp))
	c.expect("$8\r\nlistpack\r\n", "object", "encoding", "zr3")
	c.expect("+OK\r\n", "restore", "zr4", "0", string(payload))
	c.expect("$8\r\nskiplist\r\n", "object", "encoding", "zr4")
	c.expect("-ERR Bad data format\r\n", "restore", "bad", "0", badZsetPayload())
	c.expect("*1\r\n+5a5ee9354229fa6b7a9f6821e84d050c7c805d14\r\n", "debug", "digest-value", "zr3")
}

// badZsetPayload is a sorted-set payload whose items are out of order,
// with a valid version and checksum.
func badZsetPayload() string {
	b := dumpAppendUvarint([]byte{dumpTagZSet}, uint64(zsetDumpListpack))
	b = dumpAppendUvarint(b, 2)
	b = dumpAppendBytes(b, []byte("b"))
	b = dumpAppendFloat(b, 1)
	b = dumpAppendBytes(b, []byte("a"))
	b = dumpAppendFloat(b, 1)
	b = binary.LittleEndian.AppendUint16(b, dumpVersion)
	return string(binary.LittleEndian.AppendUint64(b, crc64.Checksum(b, dumpCRCTable)))
}

// TestZaddAllocations holds the hot paths to what they store: updating an
// existing member's score, or reading it, allocates nothing.
func TestZaddAllocations(t *testing.T) {
	s, _ := startTestServer(t)
	c := &Client{srv: s, db: s.dbs[0]}
	c.w = resp.NewWriter(io.Discard)
	args := [][]byte{[]byte("zadd"), []byte("k"), []byte("1"), []byte("m")}
	zaddGeneric(c, args, false)
	for _, a := range [][][]byte{
		{[]byte("zadd"), []byte("k"), []byte("2"), []byte("m")},
		{[]byte("zincrby"), []byte("k"), []byte("1"), []byte("m")},
		{[]byte("zscore"), []byte("k"), []byte("m")},
		{[]byte("zrank"), []byte("k"), []byte("m")},
	} {
		h := handlers[string(a[0])]
		if n := testing.AllocsPerRun(200, func() {
			c.w.Truncate(0)
			h(c, a)
		}); n != 0 {
			t.Errorf("%s allocates %v times per call", a[0], n)
		}
	}
	// A skiplist-encoded set: pops and range reads allocate nothing either.
	big := [][]byte{[]byte("zadd"), []byte("big")}
	for i := range 2000 {
		big = append(big, []byte(strconv.Itoa(i)), []byte("m"+strconv.Itoa(i)))
	}
	zaddGeneric(c, big, false)
	for _, a := range [][][]byte{
		{[]byte("zpopmin"), []byte("big")},
		{[]byte("zpopmax"), []byte("big"), []byte("2")},
		{[]byte("zrange"), []byte("big"), []byte("10"), []byte("19"), []byte("withscores")},
		{[]byte("zrangebyscore"), []byte("big"), []byte("(500"), []byte("+inf"), []byte("limit"), []byte("0"), []byte("5")},
		{[]byte("zscore"), []byte("big"), []byte("m1500")},
		{[]byte("zrank"), []byte("big"), []byte("m1500")},
	} {
		h := handlers[string(a[0])]
		if n := testing.AllocsPerRun(200, func() {
			c.w.Truncate(0)
			h(c, a)
		}); n != 0 {
			t.Errorf("%s on a skiplist allocates %v times per call", a[0], n)
		}
	}
}
