package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shardis/shardis/internal/resp"
	"github.com/shardis/shardis/internal/testproc"
	"github.com/shardis/shardis/proxy"
	"github.com/shardis/shardis/topology"
)

// Cluster-aware clients through the proxy: what they send at connect time
// (INFO, CLUSTER SLOTS / NODES / INFO, COMMAND, CONFIG GET) answered as a
// Redis Cluster node answers it, so that they route everything through the
// proxies.

// parseRaw decodes one raw reply.
func parseRaw(t *testing.T, raw string) resp.Value {
	t.Helper()
	v, rest, err := resp.ParseReply([]byte(raw))
	if err != nil || len(rest) != 0 {
		t.Fatalf("reply %q: %v (rest %q)", raw, err, rest)
	}
	return v
}

// TestProxyClusterCommands checks the cluster view one proxy presents, and
// the local commands that reach the nodes (INFO keyspace, CONFIG SET,
// COUNTKEYSINSLOT and GETKEYSINSLOT by SCAN on shardis nodes).
func TestProxyClusterCommands(t *testing.T) {
	d := startDeployment(t, threeShards)
	c := dialRaw(t, d.addr)
	_, port := hostPort(t, d.addr)

	id := parseRaw(t, c.one("CLUSTER", "MYID"))
	if !regexp.MustCompile(`^[0-9a-f]{40}$`).Match(id.Str) {
		t.Fatalf("CLUSTER MYID = %q", id.Str)
	}
	// A lone proxy is two masters at its address, each with half the slots.
	slots := parseRaw(t, c.one("CLUSTER", "SLOTS"))
	checkSlots(t, slots, []string{d.addr, d.addr})
	if got := string(slots.Elems[0].Elems[2].Elems[2].Str); got != string(id.Str) {
		t.Errorf("CLUSTER SLOTS: the first master is %q, CLUSTER MYID %q", got, id.Str)
	}
	nodes := string(parseRaw(t, c.one("CLUSTER", "NODES")).Str)
	re := regexp.MustCompile("^" + string(id.Str) + " " + regexp.QuoteMeta(d.addr) + "@[0-9]+ myself,master - 0 0 1 connected 0-8191\n" +
		"[0-9a-f]{40} " + regexp.QuoteMeta(d.addr) + "@[0-9]+ master - 0 [0-9]+ 2 connected 8192-16383\n$")
	if !re.MatchString(nodes) {
		t.Errorf("CLUSTER NODES = %q, want %s", nodes, re)
	}
	if info := string(parseRaw(t, c.one("CLUSTER", "INFO")).Str); !strings.HasPrefix(info, "cluster_state:ok\r\ncluster_slots_assigned:16384\r\n") {
		t.Errorf("CLUSTER INFO = %q", info)
	}
	shards := parseRaw(t, c.one("CLUSTER", "SHARDS"))
	if len(shards.Elems) != 2 || !strings.Contains(shards.String(), `"health"`) {
		t.Errorf("CLUSTER SHARDS = %s", shards)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"CLUSTER", "KEYSLOT", "foo"}, ":12182\r\n"},
		{[]string{"CLUSTER", "NOPE"}, "-ERR unknown subcommand 'NOPE'. Try CLUSTER HELP.\r\n"},
		{[]string{"ROLE"}, "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n"},
		{[]string{"READONLY"}, "+OK\r\n"},
		{[]string{"READWRITE"}, "+OK\r\n"},
		{[]string{"CONFIG", "GET", "save"}, "*2\r\n$4\r\nsave\r\n$0\r\n\r\n"},
		{[]string{"CONFIG", "GET", "appendonly"}, "*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n"},
		{[]string{"CONFIG", "GET", "cluster-announce-port"}, "*2\r\n$21\r\ncluster-announce-port\r\n$" + strconv.Itoa(len(port)) + "\r\n" + port + "\r\n"},
		{[]string{"COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"}, "*2\r\n$1\r\na\r\n$1\r\nb\r\n"},
		{[]string{"COMMAND", "INFO", "nosuch"}, "*1\r\n$-1\r\n"},
	} {
		if got := c.one(tc.args...); got != tc.want {
			t.Errorf("%q = %q, want %q", tc.args, got, tc.want)
		}
	}
	if n := parseRaw(t, c.one("COMMAND", "COUNT")); n.Int < 200 {
		t.Errorf("COMMAND COUNT = %d", n.Int)
	}
	info := string(parseRaw(t, c.one("INFO")).Str)
	for _, f := range []string{"# Server\r\n", "redis_mode:cluster\r\n", "tcp_port:" + port + "\r\n", "# Cluster\r\ncluster_enabled:1\r\n", "role:master\r\n", "connected_clients:"} {
		if !strings.Contains(info, f) {
			t.Errorf("INFO lacks %q:\n%s", f, info)
		}
	}

	// INFO keyspace sums the shards'; COUNTKEYSINSLOT and GETKEYSINSLOT
	// find the keys of a slot on its owner.
	keys := keysOnEveryShard("ks:", 30)
	var tagged []string
	for i := range 5 {
		tagged = append(tagged, fmt.Sprintf("{tag}%d", i))
	}
	var set [][]string
	for _, k := range append(keys, tagged...) {
		set = append(set, []string{"SET", k, "v"})
	}
	set = append(set, []string{"EXPIRE", keys[0], "1000"})
	c.do(set...)
	ks := string(parseRaw(t, c.one("INFO", "keyspace")).Str)
	if want := fmt.Sprintf("# Keyspace\r\ndb0:keys=%d,expires=1,avg_ttl=", len(keys)+len(tagged)); !strings.HasPrefix(ks, want) {
		t.Errorf("INFO keyspace = %q, want %q...", ks, want)
	}
	slot := strconv.Itoa(topology.Slot([]byte("tag")))
	if got := c.one("CLUSTER", "COUNTKEYSINSLOT", slot); got != ":5\r\n" {
		t.Errorf("CLUSTER COUNTKEYSINSLOT %s = %q, want :5", slot, got)
	}
	got := parseRaw(t, c.one("CLUSTER", "GETKEYSINSLOT", slot, "3"))
	if len(got.Elems) != 3 {
		t.Errorf("CLUSTER GETKEYSINSLOT %s 3 = %s", slot, got)
	}
	for _, e := range got.Elems {
		if !strings.HasPrefix(string(e.Str), "{tag}") {
			t.Errorf("GETKEYSINSLOT returned %q", e.Str)
		}
	}

	// CONFIG SET reaches every shard's primary.
	if got := c.one("CONFIG", "SET", "notify-keyspace-events", "KEA"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET = %q", got)
	}
	ctx := context.Background()
	for i := range 3 {
		v, err := direct(t, d.node(i)).ConfigGet(ctx, "notify-keyspace-events").Result()
		if err != nil || len(v["notify-keyspace-events"]) != 3 {
			t.Errorf("node %d: notify-keyspace-events = %v, %v", i, v, err)
		}
	}
	// A reload that adds a proxy changes the cluster the proxy presents,
	// on the connections already open.
	other := net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
	added := strings.Replace(threeShards, "[[shard]]", "[[proxy]]\nname = \"other\"\nlisten = \""+other+"\"\n\n[[shard]]", 1)
	if err := d.reload(added); err != nil {
		t.Fatalf("reload: %v", err)
	}
	checkSlots(t, parseRaw(t, c.one("CLUSTER", "SLOTS")), []string{d.addr, other})
	if got := c.one("CONFIG", "SET", "no-such-thing", "1"); !strings.HasPrefix(got, "-ERR Unknown option or number of arguments for CONFIG SET - 'no-such-thing'") {
		t.Errorf("CONFIG SET of an unknown option = %q", got)
	}
}

// checkSlots checks a CLUSTER SLOTS reply: the slots split evenly among
// the masters at addrs, in order, each without replicas.
func checkSlots(t *testing.T, slots resp.Value, addrs []string) {
	t.Helper()
	if len(slots.Elems) != len(addrs) {
		t.Fatalf("CLUSTER SLOTS has %d ranges, want %d:\n%s", len(slots.Elems), len(addrs), slots)
	}
	next := int64(0)
	for i, r := range slots.Elems {
		if len(r.Elems) != 3 || r.Elems[0].Int != next || len(r.Elems[2].Elems) != 4 {
			t.Fatalf("CLUSTER SLOTS range %d: %s", i, r)
		}
		next = r.Elems[1].Int + 1
		n := r.Elems[2]
		if got := net.JoinHostPort(string(n.Elems[0].Str), strconv.FormatInt(n.Elems[1].Int, 10)); got != addrs[i] {
			t.Errorf("CLUSTER SLOTS range %d is served at %s, want %s", i, got, addrs[i])
		}
	}
	if next != topology.SlotCount {
		t.Errorf("CLUSTER SLOTS covers up to %d", next-1)
	}
}

// startExtraProxy runs another proxy of cfg (the [[proxy]] named name) on
// its configured listen address, stopped when the test ends.
func startExtraProxy(t *testing.T, cfg *topology.Config, name string) *proxy.Server {
	t.Helper()
	srv, err := proxy.New(proxy.Options{Config: cfg, Name: name})
	if err != nil {
		t.Fatalf("proxy.New(%s): %v", name, err)
	}
	var listen string
	for _, p := range cfg.Proxies {
		if p.Name == name {
			listen = p.Listen[0]
		}
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		srv.Close()
		t.Fatalf("listen %s: %v", listen, err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("proxy %s Shutdown: %v", name, err)
		}
		if err := <-served; !errors.Is(err, proxy.ErrServerClosed) {
			t.Errorf("proxy %s Serve returned %v", name, err)
		}
	})
	if err := waitForPing(ln.Addr().String(), nil, 15*time.Second); err != nil {
		t.Fatalf("proxy %s: %v", name, err)
	}
	return srv
}

// twoProxies is threeShards behind two proxies on fixed ports.
const twoProxies = `
[[proxy]]
name = "p1"
listen = "127.0.0.1:{{.P1}}"
[[proxy]]
name = "p2"
listen = "127.0.0.1:{{.P2}}"
` + threeShardsNodes

const threeShardsNodes = `
[[shard]]
slots = ["0-5460"]
[shard.primary]
address = "{{node 0}}"

[[shard]]
slots = ["5461-10922"]
[shard.primary]
address = "{{node 1}}"

[[shard]]
slots = ["10923-16383"]
[shard.primary]
address = "{{node 2}}"
`

// TestProxyGoRedisCluster runs go-redis's ClusterClient through two
// proxies: each slot has one proxy as its master, the client spreads its
// commands over both, and every data type, pipelines across slots and
// errors work as on a Redis Cluster.
func TestProxyGoRedisCluster(t *testing.T) {
	ports := testproc.FreePorts(t, 2)
	p1, p2 := ports[0], ports[1]
	tmpl := strings.NewReplacer("{{.P1}}", strconv.Itoa(p1), "{{.P2}}", strconv.Itoa(p2)).Replace(twoProxies)
	d := startDeployment(t, tmpl)
	startExtraProxy(t, d.render(tmpl), "p2")
	addr2 := net.JoinHostPort("127.0.0.1", strconv.Itoa(p2))

	// Both proxies present the same cluster: p1 owns 0-8191, p2 8192-16383.
	for _, a := range []string{d.addr, addr2} {
		checkSlots(t, parseRaw(t, dialRaw(t, a).one("CLUSTER", "SLOTS")), []string{d.addr, addr2})
	}
	if cli, err := exec.LookPath("redis-cli"); err == nil {
		r := runTool(t, 30*time.Second, nil, cli, "--cluster", "check", d.addr)
		if r.exit != 0 || !strings.Contains(r.stdout, "[OK] All 16384 slots covered.") {
			t.Errorf("redis-cli --cluster check: exit %d, stdout %q, stderr %q", r.exit, r.stdout, r.stderr)
		}
	}

	for _, proto := range []int{3, 2} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{d.addr}, Protocol: proto})
			defer rdb.Close()
			p := fmt.Sprintf("c%d:", proto)
			clusterClientTypes(ctx, t, rdb, p)

			// A pipeline over many slots: go-redis splits it by node (proxy).
			pipe := rdb.Pipeline()
			keys := keysOnEveryShard(p+"pipe", 50)
			for i, k := range keys {
				pipe.Set(ctx, k, i, 0)
			}
			for _, k := range keys {
				pipe.Incr(ctx, k)
			}
			cmds, err := pipe.Exec(ctx)
			if err != nil {
				t.Fatalf("pipeline: %v", err)
			}
			for i, k := range keys {
				if n, err := cmds[len(keys)+i].(*redis.IntCmd).Result(); err != nil || n != int64(i+1) {
					t.Fatalf("INCR %s in the pipeline = %d, %v", k, n, err)
				}
				if got, err := direct(t, d.node(ownerOf(k))).Get(ctx, k).Result(); err != nil || got != strconv.Itoa(i+1) {
					t.Fatalf("%s on its node = %q, %v", k, got, err)
				}
			}
			// Errors come back as Redis's.
			if err := rdb.Incr(ctx, p+"s").Err(); err == nil || err.Error() != "ERR value is not an integer or out of range" {
				t.Errorf("INCR of a string: %v", err)
			}
			if err := rdb.LPush(ctx, p+"s", "x").Err(); err == nil || !strings.HasPrefix(err.Error(), "WRONGTYPE") {
				t.Errorf("LPUSH on a string: %v", err)
			}
			if err := rdb.Do(ctx, "SINTER", "{a}x", "{b}y").Err(); err == nil || err.Error() != "CROSSSLOT Keys in request don't hash to the same slot" {
				t.Errorf("SINTER across slots: %v", err)
			}
			if err := rdb.Do(ctx, "NOSUCHCMD").Err(); err == nil || !strings.HasPrefix(err.Error(), "ERR unknown command 'NOSUCHCMD'") {
				t.Errorf("unknown command: %v", err)
			}
			if err := rdb.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
				return m.Ping(ctx).Err()
			}); err != nil {
				t.Errorf("PING every master: %v", err)
			}
		})
	}
	// Both proxies served commands.
	for _, a := range []string{d.addr, addr2} {
		info := string(parseRaw(t, dialRaw(t, a).one("INFO", "stats")).Str)
		m := regexp.MustCompile(`total_commands_processed:(\d+)`).FindStringSubmatch(info)
		if n, _ := strconv.Atoi(m[1]); n < 50 {
			t.Errorf("proxy %s processed %d commands: the client did not spread its load", a, n)
		}
	}
}

// clusterClientTypes drives every data type through rdb.
func clusterClientTypes(ctx context.Context, t *testing.T, rdb *redis.ClusterClient, p string) {
	t.Helper()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("SET", rdb.Set(ctx, p+"s", "hello", 0).Err())
	if v, err := rdb.Get(ctx, p+"s").Result(); err != nil || v != "hello" {
		t.Fatalf("GET = %q, %v", v, err)
	}
	if _, err := rdb.Get(ctx, p+"missing").Result(); err != redis.Nil {
		t.Fatalf("GET of a missing key: %v", err)
	}
	must("MSET", rdb.MSet(ctx, p+"{m}1", "a", p+"{m}2", "b").Err())
	if v, err := rdb.MGet(ctx, p+"{m}1", p+"{m}2", p+"{m}3").Result(); err != nil || v[0] != "a" || v[1] != "b" || v[2] != nil {
		t.Fatalf("MGET = %v, %v", v, err)
	}
	if n, err := rdb.IncrBy(ctx, p+"n", 41).Result(); err != nil || n != 41 {
		t.Fatalf("INCRBY = %d, %v", n, err)
	}
	must("EXPIRE", rdb.Expire(ctx, p+"n", time.Hour).Err())
	if d, err := rdb.TTL(ctx, p+"n").Result(); err != nil || d < 59*time.Minute {
		t.Fatalf("TTL = %v, %v", d, err)
	}
	must("HSET", rdb.HSet(ctx, p+"h", "a", "1", "b", "2").Err())
	if m, err := rdb.HGetAll(ctx, p+"h").Result(); err != nil || len(m) != 2 || m["b"] != "2" {
		t.Fatalf("HGETALL = %v, %v", m, err)
	}
	must("RPUSH", rdb.RPush(ctx, p+"l", "a", "b", "c").Err())
	if l, err := rdb.LRange(ctx, p+"l", 0, -1).Result(); err != nil || strings.Join(l, ",") != "a,b,c" {
		t.Fatalf("LRANGE = %v, %v", l, err)
	}
	must("SADD", rdb.SAdd(ctx, p+"{s}1", "x", "y", "z").Err())
	must("SADD", rdb.SAdd(ctx, p+"{s}2", "y").Err())
	if m, err := rdb.SInter(ctx, p+"{s}1", p+"{s}2").Result(); err != nil || len(m) != 1 || m[0] != "y" {
		t.Fatalf("SINTER = %v, %v", m, err)
	}
	must("ZADD", rdb.ZAdd(ctx, p+"z", redis.Z{Score: 2, Member: "b"}, redis.Z{Score: 1, Member: "a"}).Err())
	if z, err := rdb.ZRangeWithScores(ctx, p+"z", 0, -1).Result(); err != nil || len(z) != 2 || z[0].Member != "a" || z[1].Score != 2 {
		t.Fatalf("ZRANGE WITHSCORES = %v, %v", z, err)
	}
	must("PFADD", rdb.PFAdd(ctx, p+"hll", "a", "b", "c").Err())
	if n, err := rdb.PFCount(ctx, p+"hll").Result(); err != nil || n != 3 {
		t.Fatalf("PFCOUNT = %d, %v", n, err)
	}
	must("SETBIT", rdb.SetBit(ctx, p+"bits", 7, 1).Err())
	if n, err := rdb.BitCount(ctx, p+"bits", nil).Result(); err != nil || n != 1 {
		t.Fatalf("BITCOUNT = %d, %v", n, err)
	}
	if n, err := rdb.Del(ctx, p+"h", p+"l", p+"z", p+"hll", p+"bits").Result(); err != nil || n != 5 {
		t.Fatalf("DEL across slots = %d, %v", n, err)
	}
}

// TestInteropRedisPyCluster is the redis-py RedisCluster example of the
// README, and a few more commands, through the proxy.
func TestInteropRedisPyCluster(t *testing.T) {
	py := pythonWithRedis(t)
	d := startDeployment(t, threeShards)
	h, p := hostPort(t, d.addr)
	script := `
import sys, redis
r = redis.RedisCluster(host=sys.argv[1], port=int(sys.argv[2]))
r.set('key1', 'value1')
print(r.get('key1'))
r.mset_nonatomic({'a': '1', 'b': '2', 'c': '3'})
assert r.mget_nonatomic('a', 'b', 'missing', 'c') == [b'1', b'2', None, b'3']
assert r.incr('n') == 1
assert r.hset('h', mapping={'f': 'v'}) == 1 and r.hgetall('h') == {b'f': b'v'}
assert r.rpush('l', 'x', 'y') == 2 and r.lrange('l', 0, -1) == [b'x', b'y']
assert r.zadd('z', {'m': 1.5}) == 1 and r.zscore('z', 'm') == 1.5
assert r.delete('a', 'b', 'c') == 3
p = r.pipeline()
for i in range(50):
    p.set('pk%d' % i, i)
assert all(p.execute())
assert r.get('pk49') == b'49'
assert r.cluster_keyslot('foo') == 12182
assert r.keyslot('foo') == 12182
try:
    r.incr('key1')
    raise AssertionError('INCR of a string succeeded')
except redis.ResponseError as e:
    assert str(e) == 'value is not an integer or out of range', str(e)
print('ok')
`
	r := runTool(t, 60*time.Second, nil, py, "-c", script, h, p)
	if r.exit != 0 || r.stdout != "b'value1'\nok\n" {
		t.Errorf("redis-py RedisCluster: exit %d, stdout %q, stderr:\n%s", r.exit, r.stdout, r.stderr)
	}
}

// TestInteropRedisCLICluster runs redis-cli -c through the proxy: it
// follows no redirection (there is none) and reads and writes keys of
// every shard.
func TestInteropRedisCLICluster(t *testing.T) {
	cli := requireBinary(t, "redis-cli")
	d := startDeployment(t, threeShards)
	h, p := hostPort(t, d.addr)
	in := "SET a 1\nSET b 2\nSET c 3\nGET a\nGET b\nGET c\nCLUSTER INFO\nDBSIZE\n"
	r := runTool(t, 30*time.Second, []byte(in), cli, "-c", "-h", h, "-p", p)
	if r.exit != 0 || !strings.HasPrefix(r.stdout, "OK\nOK\nOK\n1\n2\n3\ncluster_state:ok\r\n") || !strings.HasSuffix(r.stdout, "\n3\n") {
		t.Errorf("redis-cli -c: exit %d, stdout %q, stderr %q", r.exit, r.stdout, r.stderr)
	}
}

// TestInteropRedisBenchmarkCluster runs redis-benchmark --cluster through
// the proxy and checks that the nodes executed every request.
func TestInteropRedisBenchmarkCluster(t *testing.T) {
	bench := requireBinary(t, "redis-benchmark")
	d := startDeployment(t, threeShards)
	if err := waitForPing(d.addr, nil, 10*time.Second); err != nil {
		t.Fatalf("the proxy does not answer: %v", err)
	}
	h, p := hostPort(t, d.addr)
	const n = 3000
	r := runTool(t, 60*time.Second, nil, "timeout", "50", bench, "--cluster", "-h", h, "-p", p,
		"-t", "set,get", "-n", strconv.Itoa(n), "-c", "10", "-P", "4", "-r", "1000", "-q")
	if r.exit != 0 || !regexp.MustCompile(`(?m)(^|\r)SET: [0-9.]+ requests per second`).MatchString(r.stdout) ||
		!regexp.MustCompile(`(?m)(^|\r)GET: [0-9.]+ requests per second`).MatchString(r.stdout) {
		t.Fatalf("redis-benchmark --cluster: exit %d, stdout %q, stderr %q", r.exit, r.stdout, r.stderr)
	}
	// Every request reached a node: the shards' SET and GET counts add up.
	ctx := context.Background()
	calls := map[string]int{}
	for i := range 3 {
		info, err := direct(t, d.node(i)).Info(ctx, "commandstats").Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`cmdstat_(set|get):calls=(\d+)`).FindAllStringSubmatch(info, -1) {
			c, _ := strconv.Atoi(m[2])
			calls[m[1]] += c
		}
	}
	if calls["set"] != n || calls["get"] != n {
		t.Errorf("the nodes ran %d SET and %d GET, want %d each (stdout %q)", calls["set"], calls["get"], n, r.stdout)
	}
}

// TestInteropProxyClusterTexts compares what the proxy answers for CLUSTER
// and CONFIG with what a redis-server 7.0 cluster node answers: help texts
// and error replies byte for byte.
func TestInteropProxyClusterTexts(t *testing.T) {
	requireBinary(t, "redis-server")
	node := startRedis(t, "--cluster-enabled", "yes", "--cluster-config-file", t.TempDir()+"/nodes.conf")
	d := startDeployment(t, threeShards)
	rc, pc := dialRaw(t, node), dialRaw(t, d.addr)
	for _, args := range [][]string{
		{"CLUSTER", "HELP"}, {"cluster", "help"}, {"CONFIG", "HELP"}, {"COMMAND", "HELP"},
		{"CLUSTER"}, {"CLUSTER", "FOO"}, {"CLUSTER", "KEYSLOT"}, {"CLUSTER", "KEYSLOT", "foo"},
		{"CLUSTER", "KEYSLOT", "{user1000}.following"}, {"CLUSTER", "SLOTS", "x"},
		{"CLUSTER", "COUNTKEYSINSLOT", "x"}, {"CLUSTER", "COUNTKEYSINSLOT", "16384"}, {"CLUSTER", "COUNTKEYSINSLOT", "-1"},
		{"CLUSTER", "GETKEYSINSLOT", "0", "-1"}, {"CLUSTER", "GETKEYSINSLOT", "x", "1"}, {"CLUSTER", "GETKEYSINSLOT", "16384", "1"},
		{"CLUSTER", "GETKEYSINSLOT", "0", "x"}, {"CLUSTER", "SLAVES", "x"}, {"CLUSTER", "MYID", "x"},
		{"ROLE"}, {"READONLY"}, {"READWRITE"}, {"READONLY", "x"},
		{"CONFIG", "GET", "save"}, {"CONFIG", "GET", "cluster-enabled"}, {"CONFIG", "GET"},
		{"CONFIG", "SET", "save"}, {"CONFIG", "REWRITE"}, {"CONFIG", "FOO"},
		{"COMMAND", "GETKEYS", "SET", "k", "v"}, {"COMMAND", "INFO", "get"}, {"COMMAND", "DOCS", "cluster|slots"},
		{"INFO", "nosuchsection"},
	} {
		want, got := rc.one(args...), pc.one(args...)
		if want != got {
			t.Errorf("%q:\n proxy %q\n redis %q", args, got, want)
		}
	}
	// INFO: the same sections in the same order for every selection, and
	// the same Cluster section.
	headers := regexp.MustCompile(`(?m)^# \w+`)
	for _, args := range [][]string{{"INFO"}, {"INFO", "default"}, {"INFO", "all"}, {"INFO", "everything"},
		{"INFO", "server"}, {"INFO", "CLUSTER"}, {"INFO", "keyspace", "clients"}, {"INFO", "commandstats"}} {
		want := headers.FindAllString(string(parseRaw(t, rc.one(args...)).Str), -1)
		got := headers.FindAllString(string(parseRaw(t, pc.one(args...)).Str), -1)
		if strings.Join(want, ",") != strings.Join(got, ",") {
			t.Errorf("%q sections:\n proxy %q\n redis %q", args, got, want)
		}
	}
	if want, got := rc.one("INFO", "cluster"), pc.one("INFO", "cluster"); want != got {
		t.Errorf("INFO cluster: proxy %q, redis %q", got, want)
	}
}

// TestInteropProxyClusterRedisNodes runs go-redis's ClusterClient through a
// proxy in front of three plain redis-server nodes, and finds the keys of a
// slot on them (they refuse CLUSTER: the proxy SCANs them).
func TestInteropProxyClusterRedisNodes(t *testing.T) {
	requireBinary(t, "redis-server")
	tmpl := strings.NewReplacer("{{node 0}}", "{{redis 0}}\"\nkind = \"redis",
		"{{node 1}}", "{{redis 1}}\"\nkind = \"redis",
		"{{node 2}}", "{{redis 2}}\"\nkind = \"redis").Replace(threeShards)
	d := startDeployment(t, tmpl)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{d.addr}})
	defer rdb.Close()
	clusterClientTypes(ctx, t, rdb, "rn:")
	for i := range 4 {
		if err := rdb.Set(ctx, fmt.Sprintf("{slotkeys}%d", i), i, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	slot := int64(topology.Slot([]byte("slotkeys")))
	if n, err := rdb.ClusterCountKeysInSlot(ctx, int(slot)).Result(); err != nil || n != 4 {
		t.Errorf("CLUSTER COUNTKEYSINSLOT = %d, %v; want 4", n, err)
	}
	if ks, err := rdb.ClusterGetKeysInSlot(ctx, int(slot), 10).Result(); err != nil || len(ks) != 4 {
		t.Errorf("CLUSTER GETKEYSINSLOT = %q, %v", ks, err)
	}
	info, err := rdb.Info(ctx, "keyspace").Result()
	if err != nil || !strings.Contains(info, "db0:keys=") {
		t.Errorf("INFO keyspace = %q, %v", info, err)
	}
}
