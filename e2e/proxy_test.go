package e2e

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shardis/shardis/internal/command"
	"github.com/shardis/shardis/internal/resp"
	"github.com/shardis/shardis/topology"
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

// rawConn is a plain RESP connection to the proxy, for exact replies.
type rawConn struct {
	t  *testing.T
	nc net.Conn
	rr *resp.ReplyReader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawConn{t: t, nc: nc, rr: resp.NewReplyReader(nc)}
}

// do sends the commands as one pipeline and returns their raw replies.
func (c *rawConn) do(cmds ...[]string) []string {
	c.t.Helper()
	var b []byte
	for _, args := range cmds {
		b = resp.AppendCommand(b, args...)
	}
	c.nc.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := c.nc.Write(b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
	out := make([]string, len(cmds))
	for i := range cmds {
		raw, err := c.rr.ReadRaw()
		if err != nil {
			c.t.Fatalf("reply to %q: %v", cmds[i], err)
		}
		out[i] = string(raw)
	}
	return out
}

func (c *rawConn) one(args ...string) string {
	c.t.Helper()
	return c.do(args)[0]
}

// TestProxyLocalCommands checks what the proxy answers itself, with
// redis-server 7.0's texts (of a cluster node where it differs).
func TestProxyLocalCommands(t *testing.T) {
	d := startDeployment(t, threeShards)
	c := dialRaw(t, d.addr)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"PING"}, "+PONG\r\n"},
		{[]string{"PING", "hi"}, "$2\r\nhi\r\n"},
		{[]string{"ECHO", "x y"}, "$3\r\nx y\r\n"},
		{[]string{"SELECT", "0"}, "+OK\r\n"},
		{[]string{"SELECT", "1"}, "-ERR SELECT is not allowed in cluster mode\r\n"},
		{[]string{"SELECT", "x"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"HELLO", "4"}, "-NOPROTO unsupported protocol version\r\n"},
		{[]string{"HELLO", "x"}, "-ERR Protocol version is not an integer or out of range\r\n"},
		{[]string{"CLIENT", "SETNAME", "a b"}, "-ERR Client names cannot contain spaces, newlines or special characters.\r\n"},
		{[]string{"CLIENT", "GETNAME"}, "$-1\r\n"},
		{[]string{"CLIENT", "SETNAME", "me"}, "+OK\r\n"},
		{[]string{"CLIENT", "GETNAME"}, "$2\r\nme\r\n"},
		{[]string{"CLIENT", "SETINFO", "lib-name", "x"}, "-ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.\r\n"},
		{[]string{"AUTH", "pw"}, "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n"},
		{[]string{"NOSUCH", "a"}, "-ERR unknown command 'NOSUCH', with args beginning with: 'a' \r\n"},
		{[]string{"GET"}, "-ERR wrong number of arguments for 'get' command\r\n"},
		{[]string{"SINTER", "a", "b"}, "-CROSSSLOT Keys in request don't hash to the same slot\r\n"},
		{[]string{"MSETNX", "a", "1", "b", "2"}, "-CROSSSLOT Keys in request don't hash to the same slot\r\n"},
		{[]string{"SCAN", "x"}, "-ERR invalid cursor\r\n"},
		{[]string{"SCAN", "1023"}, "*2\r\n$1\r\n0\r\n*0\r\n"}, // shard 1023 of 3: past the end
		{[]string{"MSET", "a", "1", "b"}, "-ERR wrong number of arguments for 'mset' command\r\n"},
		{[]string{"MSET", "{a}1", "1", "{a}2"}, "-ERR wrong number of arguments for 'mset' command\r\n"},
		{[]string{"MONITOR"}, "-ERR 'monitor' is not supported by the proxy\r\n"},
		{[]string{"DEBUG", "SLEEP", "0"}, "-ERR the proxy does not forward 'debug': connect to a node to run it\r\n"},
	}
	for _, tc := range cases {
		if got := c.one(tc.args...); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.args, got, tc.want)
		}
	}
	if id := c.one("CLIENT", "ID"); !strings.HasPrefix(id, ":") {
		t.Errorf("CLIENT ID = %q", id)
	}
	if info := c.one("CLIENT", "INFO"); !strings.Contains(info, " name=me ") || !strings.Contains(info, " resp=2") {
		t.Errorf("CLIENT INFO = %q", info)
	}
	if help := c.one("CLIENT", "HELP"); !strings.HasPrefix(help, "*15\r\n+CLIENT <subcommand>") {
		t.Errorf("CLIENT HELP = %q", help)
	}
	if got := c.one("CLIENT", "KILL", "1.2.3.4:5"); got != "-ERR CLIENT KILL is not supported by the proxy\r\n" {
		t.Errorf("CLIENT KILL = %q", got)
	}
	if list := c.one("CLIENT", "LIST"); !strings.Contains(list, " name=me ") {
		t.Errorf("CLIENT LIST = %q", list)
	}
	// HELLO 3 switches replies to RESP3 (a map), RESET back to RESP2.
	if h := c.one("HELLO", "3", "SETNAME", "n3"); !strings.HasPrefix(h, "%7\r\n") || !strings.Contains(h, "$4\r\nmode\r\n$7\r\ncluster\r\n") {
		t.Errorf("HELLO 3 = %q", h)
	}
	c.one("HSET", "h{x}", "f", "v")
	if got := c.one("HGETALL", "h{x}"); got != "%1\r\n$1\r\nf\r\n$1\r\nv\r\n" {
		t.Errorf("HGETALL in RESP3 = %q", got)
	}
	if got := c.one("RESET"); got != "+RESET\r\n" {
		t.Errorf("RESET = %q", got)
	}
	if got := c.one("HGETALL", "h{x}"); got != "*2\r\n$1\r\nf\r\n$1\r\nv\r\n" {
		t.Errorf("HGETALL in RESP2 after RESET = %q", got)
	}
	// A pipeline mixing local, routed and refused commands keeps its order.
	got := c.do([]string{"SET", "a", "1"}, []string{"PING"}, []string{"GET", "a"},
		[]string{"SINTER", "a", "b"}, []string{"ECHO", "e"}, []string{"GET", "b"})
	want := []string{"+OK\r\n", "+PONG\r\n", "$1\r\n1\r\n", "-CROSSSLOT Keys in request don't hash to the same slot\r\n", "$1\r\ne\r\n", "$-1\r\n"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("mixed pipeline: got %q, want %q", got, want)
	}
	if got := c.one("QUIT"); got != "+OK\r\n" {
		t.Errorf("QUIT = %q", got)
	}
	if _, err := c.rr.ReadRaw(); err == nil {
		t.Errorf("the connection is still open after QUIT")
	}
}

// TestProxyRequirePass checks the proxy's own requirepass: NOAUTH first,
// then AUTH or HELLO AUTH.
func TestProxyRequirePass(t *testing.T) {
	d := startDeployment(t, strings.Replace(threeShards, "[[proxy]]\n", "[[proxy]]\nrequirepass = \"sesame\"\n", 1))
	c := dialRaw(t, d.addr)
	if got := c.one("GET", "a"); got != "-NOAUTH Authentication required.\r\n" {
		t.Errorf("GET before AUTH = %q", got)
	}
	if got := c.one("AUTH", "nope"); got != "-WRONGPASS invalid username-password pair or user is disabled.\r\n" {
		t.Errorf("AUTH nope = %q", got)
	}
	if got := c.one("AUTH", "sesame"); got != "+OK\r\n" {
		t.Errorf("AUTH = %q", got)
	}
	if got := c.one("GET", "a"); got != "$-1\r\n" {
		t.Errorf("GET after AUTH = %q", got)
	}
	c2 := dialRaw(t, d.addr)
	if got := c2.one("HELLO", "2", "AUTH", "default", "sesame"); !strings.HasPrefix(got, "*14\r\n") {
		t.Errorf("HELLO 2 AUTH = %q", got)
	}
}

// TestProxyNodeDown stops one node: its keys get CLUSTERDOWN within the
// timeouts while the other shards keep serving, and it is used again once
// it is back.
func TestProxyNodeDown(t *testing.T) {
	d := startDeployment(t, threeShards)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rdb := redis.NewClient(&redis.Options{Addr: d.addr, MaxRetries: -1, ReadTimeout: 10 * time.Second})
	defer rdb.Close()
	keys := keysOnEveryShard("down:", 1)
	for _, k := range keys {
		if err := rdb.Set(ctx, k, "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	d.stopNode(1)
	start := time.Now()
	err := rdb.Get(ctx, keys[1]).Err()
	if err == nil || !strings.HasPrefix(err.Error(), "CLUSTERDOWN The cluster is down: node "+d.node(1)) {
		t.Fatalf("GET on the stopped node's shard: %v", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("the error took %v", el)
	}
	for _, i := range []int{0, 2} {
		if v, err := rdb.Get(ctx, keys[i]).Result(); err != nil || v != "v" {
			t.Fatalf("GET on shard %d while shard 1 is down: %q, %v", i, v, err)
		}
	}
	// A split MGET reports the part that failed.
	if err := rdb.MGet(ctx, keys...).Err(); err == nil || !strings.HasPrefix(err.Error(), "CLUSTERDOWN") {
		t.Fatalf("MGET with a node down: %v", err)
	}
	d.restartNode(1)
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := rdb.Set(ctx, keys[1], "back", 0).Err()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node 1 still not used 20s after it came back: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if v, err := direct(t, d.node(1)).Get(ctx, keys[1]).Result(); err != nil || v != "back" {
		t.Fatalf("GET on node 1 directly: %q, %v", v, err)
	}
}

// TestProxyReload moves shard 3's slots to a new node with a reload:
// existing clients keep their connection and are routed by the new map;
// an invalid configuration is refused and the old one kept.
func TestProxyReload(t *testing.T) {
	// A short read timeout: links to a retired node close after it.
	base := strings.Replace(threeShards, `read_timeout = "2s"`, `read_timeout = "300ms"`, 1)
	d := startDeployment(t, base)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := dialRaw(t, d.addr)
	key := keysOnEveryShard("reload:", 1)[2]
	if got := c.one("SET", key, "old"); got != "+OK\r\n" {
		t.Fatalf("SET = %q", got)
	}
	// Another client keeps writing over every shard during the reload: it
	// must see no error.
	busy := redis.NewClient(&redis.Options{Addr: d.addr})
	defer busy.Close()
	busyKeys := keysOnEveryShard("busy:", 3)
	stop, busyErr := make(chan struct{}), make(chan error, 1)
	var rounds atomic.Int64
	go func() {
		for i := 0; i < 100000; i++ {
			select {
			case <-stop:
				busyErr <- nil
				return
			default:
			}
			pipe := busy.Pipeline()
			for _, k := range busyKeys {
				pipe.Incr(ctx, k)
			}
			if _, err := pipe.Exec(ctx); err != nil {
				busyErr <- err
				return
			}
			rounds.Add(1)
		}
		busyErr <- nil
	}()
	waitRounds := func(n int64) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); rounds.Load() < n; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the busy client did only %d rounds", rounds.Load())
			}
		}
	}
	waitRounds(10)
	moved := strings.Replace(base, "{{node 2}}", "{{node 3}}", 1)
	if err := d.reload(moved); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	waitRounds(rounds.Load() + 20)
	close(stop)
	if err := <-busyErr; err != nil {
		t.Fatalf("a client writing during the reload: %v", err)
	}
	if got := c.one("GET", key); got != "$-1\r\n" {
		t.Fatalf("GET after moving the shard to an empty node = %q", got)
	}
	if got := c.one("SET", key, "new"); got != "+OK\r\n" {
		t.Fatalf("SET = %q", got)
	}
	if v, err := direct(t, d.node(3)).Get(ctx, key).Result(); err != nil || v != "new" {
		t.Fatalf("GET on the new node: %q, %v", v, err)
	}
	old := direct(t, d.node(2))
	if v, err := old.Get(ctx, key).Result(); err != nil || v != "old" {
		t.Fatalf("GET on the old node: %q, %v", v, err)
	}
	bad := strings.Replace(moved, `slots = ["10923-16383"]`, `slots = ["10923-16000"]`, 1)
	cfg, err := topology.Parse("bad.toml", []byte(strings.Replace(bad, "{{node 0}}", d.node(0), 1)))
	if err == nil {
		err = d.proxy.Reload(cfg)
	}
	if err == nil {
		t.Fatal("a configuration that leaves slots unowned was accepted")
	}
	if got := c.one("GET", key); got != "$3\r\nnew\r\n" {
		t.Fatalf("GET after a refused reload = %q", got)
	}
	// The proxy's links to the retired node close: only this test's own
	// connection is left on it.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		list, err := old.ClientList(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(list, "\n"); n == 1 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("%d connections on the retired node 20s after the reload:\n%s", n, list)
		}
	}
}

// TestInteropProxyRedis runs the basic checks through the proxy in front
// of three redis-server processes.
func TestInteropProxyRedis(t *testing.T) {
	tmpl := strings.NewReplacer("{{node 0}}", "{{redis 0}}\"\nkind = \"redis",
		"{{node 1}}", "{{redis 1}}\"\nkind = \"redis",
		"{{node 2}}", "{{redis 2}}\"\nkind = \"redis").Replace(threeShards)
	d := startDeployment(t, tmpl)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, proto := range []int{3, 2} {
		rdb := redis.NewClient(&redis.Options{Addr: d.addr, Protocol: proto})
		p := fmt.Sprintf("ri%d:", proto)
		checkProxyTypes(ctx, t, rdb, p)
		keys := keysOnEveryShard(p, 5)
		var kv []any
		for _, k := range keys {
			kv = append(kv, k, "v-"+k)
		}
		if err := rdb.MSet(ctx, kv...).Err(); err != nil {
			t.Fatalf("MSET: %v", err)
		}
		for _, k := range keys {
			if v, err := direct(t, d.redis[ownerOf(k)]).Get(ctx, k).Result(); err != nil || v != "v-"+k {
				t.Fatalf("GET %s on its redis-server: %q, %v", k, v, err)
			}
		}
		vals, err := rdb.MGet(ctx, keys...).Result()
		if err != nil || len(vals) != len(keys) || vals[4] != "v-"+keys[4] {
			t.Fatalf("MGET = %v, %v", vals, err)
		}
		if n, err := rdb.DBSize(ctx).Result(); err != nil || n < int64(len(keys)) {
			t.Fatalf("DBSIZE = %d, %v", n, err)
		}
		if n, err := rdb.Del(ctx, keys...).Result(); err != nil || n != int64(len(keys)) {
			t.Fatalf("DEL = %d, %v", n, err)
		}
		rdb.Close()
	}
	everyCommand(t, d.addr)
}

// TestProxyNodePassword checks that the proxy authenticates to nodes that
// have a requirepass, on its shared links and its fan-out calls.
func TestProxyNodePassword(t *testing.T) {
	tmpl := strings.Replace(threeShards, `address = "{{node 1}}"`,
		`address = "{{securenode 1 "nodepw"}}"`+"\nrequirepass = \"nodepw\"", 1)
	d := startDeployment(t, tmpl)
	c := dialRaw(t, d.addr)
	key := keysOnEveryShard("pw:", 1)[1]
	if got := c.one("SET", key, "v"); got != "+OK\r\n" {
		t.Fatalf("SET on the node with a password = %q", got)
	}
	if got := c.one("DBSIZE"); got != ":1\r\n" {
		t.Fatalf("DBSIZE = %q", got)
	}
	if got := c.one("HELLO", "3"); !strings.HasPrefix(got, "%7") {
		t.Fatalf("HELLO 3 = %q", got)
	}
	if got := c.one("GET", key); got != "$1\r\nv\r\n" {
		t.Fatalf("GET in RESP3 on the node with a password = %q", got)
	}
}

// TestProxyConcurrentClients runs many clients' pipelines at once over
// shared node links and checks that every reply is the one for its own
// request.
func TestProxyConcurrentClients(t *testing.T) {
	d := startDeployment(t, threeShards)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const clients, rounds, batch = 16, 30, 12
	errs := make(chan error, clients)
	for c := range clients {
		go func() {
			rdb := redis.NewClient(&redis.Options{Addr: d.addr, Protocol: 2 + c%2})
			defer rdb.Close()
			for r := range rounds {
				pipe := rdb.Pipeline()
				var gets []*redis.StringCmd
				for i := range batch {
					k := fmt.Sprintf("cc:%d:%d:%d", c, r, i)
					pipe.Set(ctx, k, k, 0)
					gets = append(gets, pipe.Get(ctx, k))
				}
				mget := pipe.MGet(ctx, fmt.Sprintf("cc:%d:%d:0", c, r), fmt.Sprintf("cc:%d:%d:1", c, r), fmt.Sprintf("cc:%d:%d:2", c, r))
				if _, err := pipe.Exec(ctx); err != nil {
					errs <- err
					return
				}
				for i, g := range gets {
					if want := fmt.Sprintf("cc:%d:%d:%d", c, r, i); g.Val() != want {
						errs <- fmt.Errorf("client %d: GET %s = %q", c, want, g.Val())
						return
					}
				}
				if v := mget.Val(); len(v) != 3 || v[2] != fmt.Sprintf("cc:%d:%d:2", c, r) {
					errs <- fmt.Errorf("client %d: MGET = %v", c, v)
					return
				}
			}
			errs <- nil
		}()
	}
	for range clients {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	rdb := redis.NewClient(&redis.Options{Addr: d.addr})
	defer rdb.Close()
	if n, err := rdb.DBSize(ctx).Result(); err != nil || n != clients*rounds*batch {
		t.Fatalf("DBSIZE = %d, %v; want %d", n, err, clients*rounds*batch)
	}
}

// TestProxyBigValues sends values larger than every buffer through the
// proxy, alone and in a split MGET.
func TestProxyBigValues(t *testing.T) {
	d := startDeployment(t, threeShards)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rdb := redis.NewClient(&redis.Options{Addr: d.addr})
	defer rdb.Close()
	keys := keysOnEveryShard("big:", 1)
	for i, k := range keys {
		v := strings.Repeat(string(rune('a'+i)), 3<<20+i)
		if err := rdb.Set(ctx, k, v, 0).Err(); err != nil {
			t.Fatalf("SET %s: %v", k, err)
		}
	}
	vals, err := rdb.MGet(ctx, keys...).Result()
	if err != nil {
		t.Fatalf("MGET: %v", err)
	}
	for i, v := range vals {
		if s, _ := v.(string); len(s) != 3<<20+i || s[len(s)-1] != byte('a'+i) {
			t.Fatalf("MGET[%d]: %d bytes", i, len(s))
		}
	}
}

// TestInteropProxyLocalLikeCluster compares, byte for byte, what the proxy
// answers itself with what a redis-server in cluster mode answers.
func TestInteropProxyLocalLikeCluster(t *testing.T) {
	node := startClusterNode(t, requireBinary(t, "redis-server"))
	d := startDeployment(t, threeShards)
	p, r := dialRaw(t, d.addr), dialRaw(t, node)
	for _, args := range [][]string{
		{"PING"}, {"PING", "hi"}, {"PING", "a", "b"}, {"ECHO", "x"},
		{"SELECT", "0"}, {"SELECT", "1"}, {"SELECT", "x"}, {"SELECT", "99999999999"}, {"SELECT", "-1"},
		{"SELECT", "+1"}, {"SELECT", "01"}, {"SELECT", " 1"}, {"SELECT", "-0"}, {"SELECT", "99999999999999999999"},
		{"HELLO", "4"}, {"HELLO", "x"}, {"HELLO", "03"}, {"HELLO", "+3"}, {"HELLO", "-3"}, {"HELLO", "1"}, {"HELLO", "3", "FOO"},
		{"CLIENT", "SETNAME", "a b"}, {"CLIENT", "GETNAME"}, {"CLIENT", "SETNAME", "me"},
		{"CLIENT", "GETNAME"}, {"CLIENT", "SETINFO", "lib-name", "x"}, {"CLIENT"},
		{"CLIENT", "SETNAME"}, {"CLIENT", "NOSUCH"},
		{"AUTH", "pw"}, {"AUTH", "a", "b", "c"}, {"AUTH", "nobody", "pw"},
		{"NOSUCH", "a"}, {"GET"}, {"RESET"}, {"CLIENT", "GETNAME"},
	} {
		if got, want := p.one(args...), r.one(args...); got != want {
			t.Errorf("%q: proxy %q, redis-server %q", args, got, want)
		}
	}
}

// TestProxyEveryCommand sends every command of the table, with a few
// argument lists, through the proxy (every other one in RESP3): each gets
// one reply, and the proxy keeps serving. (Blocking and pub/sub commands, whose replies do not come
// one per request, are left to their own tests.)
func TestProxyEveryCommand(t *testing.T) {
	d := startDeployment(t, threeShards)
	everyCommand(t, d.addr)
}

// everyCommand is TestProxyEveryCommand against the proxy at addr.
func everyCommand(t *testing.T, addr string) {
	t.Helper()
	argSets := [][]string{{}, {"a"}, {"a", "1"}, {"a", "b", "c"}, {"0", "a", "1", "b"}, {"2", "a", "b", "c"}}
	var names [][]string
	for _, c := range command.All() {
		if c.Has(command.Blocking) || c.Has(command.Pubsub) || c.Name == "monitor" || c.Name == "quit" {
			continue
		}
		if !c.IsContainer() {
			names = append(names, []string{c.Name})
			continue
		}
		for _, sub := range c.Subcommands {
			_, s, _ := strings.Cut(sub.Name, "|")
			names = append(names, []string{c.Name, s})
		}
	}
	for i, name := range names {
		c := dialRaw(t, addr)
		var cmds [][]string
		if i%2 == 1 {
			cmds = append(cmds, []string{"HELLO", "3"})
		}
		for _, a := range argSets {
			cmds = append(cmds, append(append([]string{}, name...), a...))
		}
		c.do(cmds...)
		c.nc.Close()
	}
	if len(names) < 200 {
		t.Fatalf("only %d commands in the table", len(names))
	}
	if got := dialRaw(t, addr).one("PING"); got != "+PONG\r\n" {
		t.Fatalf("PING after every command = %q", got)
	}
}
