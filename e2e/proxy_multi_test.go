package e2e

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// nodeInfoInt reads an integer field of INFO on a node.
func nodeInfoInt(t *testing.T, node *redis.Client, field string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	addr := node.Options().Addr
	info, err := node.Info(ctx).Result()
	if err != nil {
		t.Fatalf("INFO on %s: %v", addr, err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("INFO %s on %s: %q", field, addr, v)
			}
			return n
		}
	}
	t.Fatalf("INFO on %s has no %s", addr, field)
	return 0
}

// eventually polls cond every 10 ms for up to 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestProxyMulti runs transactions through the proxy with go-redis, in
// RESP2 and RESP3: pinned to their slot's primary, WATCH conflicts,
// CROSSSLOT inside MULTI, and transactions without keys.
func TestProxyMulti(t *testing.T) {
	d := startDeployment(t, threeShards)
	testProxyMulti(t, d, d.node)
}

// onRedisServers is threeShards (with a short read timeout) over three
// redis-server nodes.
var onRedisServers = strings.NewReplacer("{{node 0}}", "{{redis 0}}\"\nkind = \"redis",
	"{{node 1}}", "{{redis 1}}\"\nkind = \"redis",
	"{{node 2}}", "{{redis 2}}\"\nkind = \"redis").Replace(shortReadTimeout)

// TestInteropProxyStateRedis runs the transaction, blocking and pub/sub
// tests through a proxy in front of three redis-server nodes: the replies
// the nodes give are redis-server's own.
func TestInteropProxyStateRedis(t *testing.T) {
	requireBinary(t, "redis-server")
	d := startDeployment(t, onRedisServers)
	node := func(i int) string { return d.redisAddr(i) }
	t.Run("Multi", func(t *testing.T) { testProxyMulti(t, d, node) })
	t.Run("MultiReplies", func(t *testing.T) { testProxyMultiReplies(t, d, node) })
	t.Run("Blocking", func(t *testing.T) { testProxyBlocking(t, d, node) })
	t.Run("BlockingPipeline", func(t *testing.T) { testProxyBlockingPipeline(t, d, node) })
	t.Run("Pubsub", func(t *testing.T) { testProxyPubsub(t, d, node) })
	t.Run("PubsubReplies", func(t *testing.T) { testProxyPubsubReplies(t, d, node) })
	t.Run("XReadBlock", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		rdb := redis.NewClient(&redis.Options{Addr: d.addr})
		defer rdb.Close()
		for _, k := range keysOnEveryShard("stream", 1) {
			reader := redis.NewClient(&redis.Options{Addr: d.addr})
			done := make(chan error, 1)
			go func() {
				res, err := reader.XRead(ctx, &redis.XReadArgs{Streams: []string{k, "$"}, Block: 0}).Result()
				if err == nil && (len(res) != 1 || len(res[0].Messages) != 1 || res[0].Messages[0].Values["f"] != "v") {
					err = fmt.Errorf("XREAD = %+v", res)
				}
				done <- err
			}()
			owner := direct(t, node(ownerOf(k)))
			eventually(t, "XREAD to block", func() bool { return nodeInfoInt(t, owner, "blocked_clients") == 1 })
			if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: k, Values: []string{"f", "v"}}).Err(); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatalf("XREAD BLOCK 0 on %s: %v", k, err)
			}
			reader.Close()
		}
	})
}

func testProxyMulti(t *testing.T, d *deployment, node func(int) string) {
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			rdb := redis.NewClient(&redis.Options{Addr: d.addr, Protocol: proto})
			defer rdb.Close()
			other := redis.NewClient(&redis.Options{Addr: d.addr, Protocol: proto})
			defer other.Close()
			// One transaction per shard, with two keys of one slot each.
			for i, k := range keysOnEveryShard(fmt.Sprintf("tx%d:", proto), 1) {
				a, b := "{"+k+"}a", "{"+k+"}b"
				var incr *redis.IntCmd
				var get *redis.StringCmd
				cmds, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
					p.Set(ctx, a, "x", 0)
					incr = p.IncrBy(ctx, b, 5)
					p.Ping(ctx) // no keys: runs on the pinned node
					get = p.Get(ctx, a)
					return nil
				})
				if err != nil || len(cmds) != 4 {
					t.Fatalf("shard %d: TxPipelined: %v, %v", i, cmds, err)
				}
				if incr.Val() != 5 || get.Val() != "x" {
					t.Fatalf("shard %d: INCRBY %d, GET %q", i, incr.Val(), get.Val())
				}
				if got, err := direct(t, node(ownerOf(k))).Get(ctx, b).Result(); err != nil || got != "5" {
					t.Fatalf("shard %d: %s on its owner = %q, %v", i, b, got, err)
				}
			}

			// WATCH: a change by another client fails EXEC; none lets it
			// through.
			key := fmt.Sprintf("watched%d", proto)
			if err := rdb.Set(ctx, key, "1", 0).Err(); err != nil {
				t.Fatal(err)
			}
			incrTx := func(interfere bool) error {
				return rdb.Watch(ctx, func(tx *redis.Tx) error {
					n, err := tx.Get(ctx, key).Int()
					if err != nil {
						return err
					}
					if interfere {
						if err := other.Set(ctx, key, "100", 0).Err(); err != nil {
							return err
						}
					}
					_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
						p.Set(ctx, key, strconv.Itoa(n+1), 0)
						return nil
					})
					return err
				}, key)
			}
			if err := incrTx(true); !errors.Is(err, redis.TxFailedErr) {
				t.Fatalf("WATCH with a conflicting write: %v, want TxFailedErr", err)
			}
			if got := rdb.Get(ctx, key).Val(); got != "100" {
				t.Fatalf("after the failed transaction %s = %q, want 100", key, got)
			}
			if err := incrTx(false); err != nil {
				t.Fatalf("WATCH without conflict: %v", err)
			}
			if got := rdb.Get(ctx, key).Val(); got != "101" {
				t.Fatalf("after the transaction %s = %q, want 101", key, got)
			}

			// Keys of two shards in one transaction.
			ks := keysOnEveryShard(fmt.Sprintf("cross%d:", proto), 1)
			var first, second *redis.StatusCmd
			_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				first = p.Set(ctx, ks[0], "1", 0)
				second = p.Set(ctx, ks[1], "1", 0)
				return nil
			})
			if err == nil || !strings.HasPrefix(err.Error(), "EXECABORT") {
				t.Fatalf("transaction across shards: %v, want EXECABORT", err)
			}
			if e := second.Err(); e == nil || !strings.HasPrefix(e.Error(), "CROSSSLOT") {
				t.Fatalf("second SET: %v, want CROSSSLOT (first: %v)", e, first.Err())
			}
			if n := rdb.Exists(ctx, ks[0], ks[1]).Val(); n != 0 {
				t.Fatalf("an aborted transaction wrote %d keys", n)
			}

			// Only keyless commands.
			cmds, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Ping(ctx)
				p.Echo(ctx, "hi")
				return nil
			})
			if err != nil || cmds[0].(*redis.StatusCmd).Val() != "PONG" || cmds[1].(*redis.StringCmd).Val() != "hi" {
				t.Fatalf("keyless transaction: %v, %v", cmds, err)
			}
		})
	}
}

// TestProxyMultiReplies checks the exact replies of the transaction
// commands, and that the dedicated connection goes when the client does.
func TestProxyMultiReplies(t *testing.T) {
	d := startDeployment(t, threeShards)
	testProxyMultiReplies(t, d, d.node)
}

func testProxyMultiReplies(t *testing.T, d *deployment, node func(int) string) {
	c := dialRaw(t, d.addr)
	ks := keysOnEveryShard("r", 1)
	a, b := ks[0], ks[1]
	for _, step := range []struct {
		args []string
		want string
	}{
		{[]string{"EXEC"}, "-ERR EXEC without MULTI\r\n"},
		{[]string{"DISCARD"}, "-ERR DISCARD without MULTI\r\n"},
		{[]string{"MULTI"}, "+OK\r\n"},
		{[]string{"MULTI"}, "-ERR MULTI calls can not be nested\r\n"},
		{[]string{"PING"}, "+QUEUED\r\n"},
		{[]string{"SET", a, "1"}, "+QUEUED\r\n"},
		{[]string{"INCR", a}, "+QUEUED\r\n"},
		{[]string{"EXEC"}, "*3\r\n+PONG\r\n+OK\r\n:2\r\n"},
		{[]string{"MULTI"}, "+OK\r\n"},
		{[]string{"SET", a, "1"}, "+QUEUED\r\n"},
		{[]string{"SET", b, "1"}, "-CROSSSLOT Keys in request don't hash to the same slot\r\n"},
		{[]string{"EXEC"}, "-EXECABORT Transaction discarded because of previous errors.\r\n"},
		{[]string{"MULTI"}, "+OK\r\n"},
		{[]string{"MGET", a, b}, "-CROSSSLOT Keys in request don't hash to the same slot\r\n"},
		{[]string{"DISCARD"}, "+OK\r\n"},
		{[]string{"MULTI"}, "+OK\r\n"},
		{[]string{"WATCH", a}, "-ERR WATCH inside MULTI is not allowed\r\n"},
		{[]string{"NOSUCH"}, "-ERR unknown command 'NOSUCH', with args beginning with: \r\n"},
		{[]string{"GET", a}, "+QUEUED\r\n"},
		{[]string{"EXEC"}, "-EXECABORT Transaction discarded because of previous errors.\r\n"},
		{[]string{"MULTI"}, "+OK\r\n"},
		{[]string{"GET", a, "x"}, "-ERR wrong number of arguments for 'get' command\r\n"},
		{[]string{"EXEC"}, "-EXECABORT Transaction discarded because of previous errors.\r\n"},
		{[]string{"WATCH", a, b}, "-CROSSSLOT Keys in request don't hash to the same slot\r\n"},
		{[]string{"WATCH", a}, "+OK\r\n"},
		{[]string{"WATCH", b}, "-CROSSSLOT Keys in request don't hash to the same slot\r\n"},
		{[]string{"UNWATCH"}, "+OK\r\n"},
		{[]string{"GET", a}, "$1\r\n2\r\n"},
		{[]string{"MULTI"}, "+OK\r\n"},
		{[]string{"DISCARD"}, "+OK\r\n"},
		{[]string{"MULTI"}, "+OK\r\n"},
		{[]string{"EXEC"}, "*0\r\n"},
	} {
		if got := c.one(step.args...); got != step.want {
			t.Fatalf("%q: %q, want %q", step.args, got, step.want)
		}
	}

	// One pipeline: replies in order, refusals among the node's replies.
	got := c.do([]string{"MULTI"}, []string{"SET", a, "p"}, []string{"NOSUCH"}, []string{"GET", a},
		[]string{"SET", b, "1"}, []string{"EXEC"}, []string{"MULTI"}, []string{"INCR", a}, []string{"GET", a},
		[]string{"EXEC"}, []string{"MULTI"}, []string{"SET", a, "1"}, []string{"RESET"}, []string{"GET", a})
	want := []string{"+OK\r\n", "+QUEUED\r\n", "-ERR unknown command 'NOSUCH', with args beginning with: \r\n",
		"+QUEUED\r\n", "-CROSSSLOT Keys in request don't hash to the same slot\r\n",
		"-EXECABORT Transaction discarded because of previous errors.\r\n",
		"+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "*2\r\n:3\r\n$1\r\n3\r\n",
		"+OK\r\n", "+QUEUED\r\n", "+RESET\r\n", "$1\r\n3\r\n"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("pipelined reply %d = %q, want %q", i, got[i], want[i])
		}
	}

	// A watch pins a connection to a's owner; it closes with the client.
	owner := direct(t, node(ownerOf(a)))
	w := dialRaw(t, d.addr)
	if got := w.one("WATCH", a); got != "+OK\r\n" {
		t.Fatalf("WATCH: %q", got)
	}
	watching := nodeClientsRunning(t, owner, "watch")
	if len(watching) != 1 {
		t.Fatalf("connections on the owner whose last command is WATCH: %v, want 1", watching)
	}
	w.nc.Close()
	eventually(t, "the transaction's node connection to close", func() bool {
		return !strings.Contains(owner.ClientList(context.Background()).Val(), "id="+watching[0]+" ")
	})
}

// nodeClientsRunning returns the ids of the node's clients whose last
// command is cmd, from CLIENT LIST.
func nodeClientsRunning(t *testing.T, node *redis.Client, cmd string) []string {
	t.Helper()
	list, err := node.ClientList(context.Background()).Result()
	if err != nil {
		t.Fatalf("CLIENT LIST: %v", err)
	}
	var ids []string
	for _, line := range strings.Split(list, "\n") {
		if strings.Contains(line, " cmd="+cmd+" ") {
			id, _, _ := strings.Cut(strings.TrimPrefix(line, "id="), " ")
			ids = append(ids, id)
		}
	}
	return ids
}
