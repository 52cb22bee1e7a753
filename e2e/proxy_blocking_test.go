package e2e

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// shortReadTimeout is threeShards with a read timeout shorter than the
// blocking commands of the tests, which it must not cut.
var shortReadTimeout = strings.Replace(threeShards, `read_timeout = "2s"`, `read_timeout = "300ms"`, 1)

// TestProxyBlocking serves blocking pops on every shard with pushes from
// another client, in RESP2 and RESP3.
func TestProxyBlocking(t *testing.T) {
	d := startDeployment(t, shortReadTimeout)
	testProxyBlocking(t, d, d.node)
}

func testProxyBlocking(t *testing.T, d *deployment, node func(int) string) {
	nodes := []*redis.Client{direct(t, node(0)), direct(t, node(1)), direct(t, node(2))}
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			pusher := redis.NewClient(&redis.Options{Addr: d.addr, Protocol: proto})
			defer pusher.Close()
			for i, k := range keysOnEveryShard(fmt.Sprintf("bl%d:", proto), 1) {
				node := nodes[ownerOf(k)]
				popper := redis.NewClient(&redis.Options{Addr: d.addr, Protocol: proto})
				type res struct {
					v   []string
					err error
				}
				done := make(chan res, 1)
				go func() {
					v, err := popper.BLPop(ctx, 0, "{"+k+"}other", k).Result()
					done <- res{v, err}
				}()
				eventually(t, "the pop to block on its node", func() bool {
					return nodeInfoInt(t, node, "blocked_clients") == 1
				})
				if i == 0 {
					// Longer than the proxy's read timeout: the pop still waits.
					time.Sleep(500 * time.Millisecond)
				}
				if n, err := pusher.RPush(ctx, k, "a", "b").Result(); err != nil || n != 2 {
					t.Fatalf("shard %d: RPUSH: %d, %v", i, n, err)
				}
				r := <-done
				if r.err != nil || len(r.v) != 2 || r.v[0] != k || r.v[1] != "a" {
					t.Fatalf("shard %d: BLPOP = %q, %v", i, r.v, r.err)
				}
				popper.Close()
				if n := pusher.LLen(ctx, k).Val(); n != 1 {
					t.Fatalf("shard %d: LLEN after the pop = %d", i, n)
				}
				// A zset pop and a move between keys of one slot.
				if err := pusher.ZAdd(ctx, "{"+k+"}z", redis.Z{Score: 1, Member: "m"}).Err(); err != nil {
					t.Fatal(err)
				}
				z, err := pusher.BZPopMin(ctx, time.Second, "{"+k+"}z").Result()
				if err != nil || z.Member != "m" || z.Key != "{"+k+"}z" {
					t.Fatalf("shard %d: BZPOPMIN = %+v, %v", i, z, err)
				}
				if v, err := pusher.BLMove(ctx, k, "{"+k+"}dst", "LEFT", "RIGHT", time.Second).Result(); err != nil || v != "b" {
					t.Fatalf("shard %d: BLMOVE = %q, %v", i, v, err)
				}
			}
			// A timeout longer than the proxy's read timeout ends with a
			// null, not an error.
			start := time.Now()
			if _, err := pusher.BLPop(ctx, time.Second, fmt.Sprintf("empty%d", proto)).Result(); !errors.Is(err, redis.Nil) {
				t.Fatalf("BLPOP on an empty list: %v, want redis.Nil", err)
			}
			if el := time.Since(start); el < 900*time.Millisecond {
				t.Fatalf("BLPOP with timeout 1 s returned after %v", el)
			}
			ks := keysOnEveryShard(fmt.Sprintf("blx%d:", proto), 1)
			if err := pusher.BLMove(ctx, ks[0], ks[1], "LEFT", "LEFT", time.Second).Err(); err == nil ||
				!strings.HasPrefix(err.Error(), "CROSSSLOT") {
				t.Fatalf("BLMOVE across shards: %v, want CROSSSLOT", err)
			}
		})
	}
}

// TestProxyBlockingPipelineAndDisconnect checks that replies keep the
// pipeline's order around a blocking command, and that a client that
// disconnects while blocked leaves nothing blocked on the node.
func TestProxyBlockingPipelineAndDisconnect(t *testing.T) {
	d := startDeployment(t, threeShards)
	testProxyBlockingPipeline(t, d, d.node)
}

func testProxyBlockingPipeline(t *testing.T, d *deployment, node func(int) string) {
	c := dialRaw(t, d.addr)
	ks := keysOnEveryShard("pl", 1)
	got := c.do(
		[]string{"SET", ks[0], "1"},
		[]string{"BLPOP", ks[1], "0.05"},
		[]string{"RPUSH", ks[2], "x"},
		[]string{"BRPOP", ks[2], "0"},
		[]string{"BLPOP", ks[0], ks[1], "0"},
		[]string{"GET", ks[0]},
		[]string{"WAIT", "1", "0"},
	)
	want := []string{"+OK\r\n", "*-1\r\n", ":1\r\n", "*2\r\n$" + fmt.Sprint(len(ks[2])) + "\r\n" + ks[2] + "\r\n$1\r\nx\r\n",
		"-CROSSSLOT Keys in request don't hash to the same slot\r\n", "$1\r\n1\r\n",
		"-ERR WAIT is not supported by the proxy: it feeds the replicas itself, asynchronously\r\n"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("reply %d = %q, want %q", i, got[i], want[i])
		}
	}

	k := ks[1]
	owner := direct(t, node(ownerOf(k)))
	b := dialRaw(t, d.addr)
	if _, err := b.nc.Write([]byte(fmt.Sprintf("*3\r\n$5\r\nBLPOP\r\n$%d\r\n%s\r\n$1\r\n0\r\n", len(k), k))); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the pop to block", func() bool { return nodeInfoInt(t, owner, "blocked_clients") == 1 })
	b.nc.Close()
	eventually(t, "the node to forget the blocked client", func() bool {
		return nodeInfoInt(t, owner, "blocked_clients") == 0
	})
	ctx := context.Background()
	if err := owner.RPush(ctx, k, "v").Err(); err != nil {
		t.Fatal(err)
	}
	if n := owner.LLen(ctx, k).Val(); n != 1 {
		t.Fatalf("LLEN after a push with the popper gone = %d, want 1", n)
	}
}

// TestProxyShutdownWhileBlocked checks that a client blocked forever does
// not hold up the proxy's Shutdown past its deadline, and that its node
// connection goes with it.
func TestProxyShutdownWhileBlocked(t *testing.T) {
	d := startDeployment(t, threeShards)
	k := "shutdown-blocked"
	owner := direct(t, d.node(ownerOf(k)))
	c := dialRaw(t, d.addr)
	if _, err := c.nc.Write([]byte(fmt.Sprintf("*3\r\n$5\r\nBLPOP\r\n$%d\r\n%s\r\n$1\r\n0\r\n", len(k), k))); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the pop to block", func() bool { return nodeInfoInt(t, owner, "blocked_clients") == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- d.proxy.Shutdown(ctx) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Shutdown = %v, want the context's deadline", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Shutdown did not return with a client blocked")
	}
	eventually(t, "the node to forget the blocked client", func() bool {
		return nodeInfoInt(t, owner, "blocked_clients") == 0
	})
}
