package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shardis/shardis/internal/testproc"
)

// redisCluster is a real Redis Cluster of primaries without replicas,
// started by startRedisCluster, each node a redis-server on free loopback
// ports (client port and cluster bus port) with its nodes.conf in a
// directory of its own.
type redisCluster struct {
	t     *testing.T
	addrs []string
	ids   []string
	nodes []*redis.Client // one plain client per node, for admin commands
}

// startRedisCluster starts n redis-servers in cluster mode, joins them with
// redis-cli --cluster create (slots split evenly, as Redis does), and waits
// until every node reports cluster_state:ok and knows every node as the
// owner of its slots. Everything is stopped when the test ends.
func startRedisCluster(t *testing.T, n int) *redisCluster {
	t.Helper()
	bin := requireBinary(t, "redis-server")
	cli := requireBinary(t, "redis-cli")
	c := &redisCluster{t: t}
	for range n {
		c.addrs = append(c.addrs, startClusterNode(t, bin))
	}
	for _, a := range c.addrs {
		rdb := redis.NewClient(&redis.Options{Addr: a, Protocol: 2, MaxRetries: -1})
		t.Cleanup(func() { rdb.Close() })
		c.nodes = append(c.nodes, rdb)
	}
	args := append([]string{"--cluster", "create"}, c.addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if r := runTool(t, 60*time.Second, nil, cli, args...); r.exit != 0 {
		t.Fatalf("redis-cli --cluster create: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
	}
	ctx := context.Background()
	for i, rdb := range c.nodes {
		id, err := rdb.Do(ctx, "CLUSTER", "MYID").Text()
		if err != nil {
			t.Fatalf("CLUSTER MYID of %s: %v", c.addrs[i], err)
		}
		c.ids = append(c.ids, id)
	}
	c.waitConsistent()
	return c
}

// startClusterNode starts one redis-server in cluster mode on a free port
// with its bus on another free port (the default, port+10000, may be taken
// or beyond 65535), and returns its address.
func startClusterNode(t *testing.T, bin string) string {
	t.Helper()
	for attempt := 0; attempt < 5; attempt++ {
		ports := testproc.FreePorts(t, 2)
		addr, err := launchRedis(t, bin, ports[0], []string{
			"--cluster-enabled", "yes",
			// Relative to --dir, a TempDir of the node's own.
			"--cluster-config-file", "nodes.conf",
			"--cluster-port", strconv.Itoa(ports[1]),
			"--cluster-node-timeout", "5000",
		})
		if errors.Is(err, errPortTaken) {
			t.Logf("redis-server: %v; picking other ports", err)
			continue
		}
		if err != nil {
			t.Fatalf("start redis-server in cluster mode: %v", err)
		}
		return addr
	}
	t.Fatal("start redis-server in cluster mode: free ports were taken 5 times in a row")
	return ""
}

// waitConsistent polls every node until it reports cluster_state:ok and
// agrees with every other node on the owner of every slot.
func (c *redisCluster) waitConsistent() {
	c.t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(60 * time.Second)
	var why string
	for {
		why = c.inconsistency(ctx)
		if why == "" {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("Redis Cluster %v not consistent within 60s: %s", c.addrs, why)
		}
		time.Sleep(20 * time.Millisecond) // polling the cluster's state, never waiting blindly
	}
}

// inconsistency says why the cluster is not yet settled, or "".
func (c *redisCluster) inconsistency(ctx context.Context) string {
	var first string
	for i, rdb := range c.nodes {
		info, err := rdb.Do(ctx, "CLUSTER", "INFO").Text()
		if err != nil {
			return fmt.Sprintf("%s: CLUSTER INFO: %v", c.addrs[i], err)
		}
		if !strings.Contains(info, "cluster_state:ok") {
			return c.addrs[i] + ": cluster_state is not ok"
		}
		slots, err := c.slotOwners(ctx, i)
		if err != nil {
			return fmt.Sprintf("%s: CLUSTER SLOTS: %v", c.addrs[i], err)
		}
		if i == 0 {
			first = slots
		} else if slots != first {
			return fmt.Sprintf("%s and %s disagree on the slot map", c.addrs[0], c.addrs[i])
		}
	}
	return ""
}

// slotOwners renders node i's CLUSTER SLOTS as "first-last@port ..." in
// slot order, for comparison.
func (c *redisCluster) slotOwners(ctx context.Context, i int) (string, error) {
	ranges, err := c.nodes[i].ClusterSlots(ctx).Result()
	if err != nil {
		return "", err
	}
	parts := make([]string, 0, len(ranges))
	for _, r := range ranges {
		if len(r.Nodes) == 0 {
			return "", fmt.Errorf("slots %d-%d have no node", r.Start, r.End)
		}
		_, port, _ := net.SplitHostPort(r.Nodes[0].Addr)
		parts = append(parts, fmt.Sprintf("%08d-%d@%s", r.Start, r.End, port))
	}
	slices.Sort(parts)
	return strings.Join(parts, " "), nil
}

// owner returns the index of the node that owns slot, as node 0 sees it.
func (c *redisCluster) owner(ctx context.Context, slot int) int {
	c.t.Helper()
	return c.owners(ctx)(slot)
}

// owners returns, from one CLUSTER SLOTS of node 0, the index of the node
// that owns each slot.
func (c *redisCluster) owners(ctx context.Context) func(slot int) int {
	c.t.Helper()
	ranges, err := c.nodes[0].ClusterSlots(ctx).Result()
	if err != nil {
		c.t.Fatalf("CLUSTER SLOTS: %v", err)
	}
	return func(slot int) int {
		c.t.Helper()
		for _, r := range ranges {
			if int(r.Start) <= slot && slot <= int(r.End) && len(r.Nodes) > 0 {
				for i, id := range c.ids {
					if r.Nodes[0].ID == id {
						return i
					}
				}
			}
		}
		c.t.Fatalf("slot %d has no owner", slot)
		return -1
	}
}

// migrateSlot moves slot from node src to node dst the way redis-cli
// --cluster reshard does, one step at a time: IMPORTING on dst, MIGRATING
// on src, MIGRATE of its keys in batches (during which src answers -ASK for
// keys already moved), then SETSLOT NODE on dst, src and the other nodes
// (after which the old owner answers -MOVED). afterKeys, when not nil, runs
// after the keys have moved and before ownership changes: the window in
// which only ASK reaches them.
//
// Move slots between one pair of nodes at a time, as a reshard does (or
// wait for waitConsistent in between): the new owner takes the slot by
// bumping its config epoch without consensus, and with migrations between
// several pairs at once a node's stale claim can win over that bump, which
// leaves two nodes each naming the other as the owner for good (a Redis
// Cluster race, not a proxy one).
func (c *redisCluster) migrateSlot(ctx context.Context, slot, src, dst int, afterKeys func()) {
	c.t.Helper()
	do := func(i int, args ...any) {
		c.t.Helper()
		if err := c.nodes[i].Do(ctx, args...).Err(); err != nil {
			c.t.Fatalf("%s: %v: %v", c.addrs[i], args, err)
		}
	}
	do(dst, "CLUSTER", "SETSLOT", slot, "IMPORTING", c.ids[src])
	do(src, "CLUSTER", "SETSLOT", slot, "MIGRATING", c.ids[dst])
	host, port, _ := net.SplitHostPort(c.addrs[dst])
	for range 100000 { // bounded: each round moves up to 100 keys
		keys, err := c.nodes[src].ClusterGetKeysInSlot(ctx, slot, 100).Result()
		if err != nil {
			c.t.Fatalf("CLUSTER GETKEYSINSLOT %d: %v", slot, err)
		}
		if len(keys) == 0 {
			break
		}
		args := []any{"MIGRATE", host, port, "", 0, 5000, "KEYS"}
		for _, k := range keys {
			args = append(args, k)
		}
		do(src, args...)
	}
	if afterKeys != nil {
		afterKeys()
	}
	do(dst, "CLUSTER", "SETSLOT", slot, "NODE", c.ids[dst])
	do(src, "CLUSTER", "SETSLOT", slot, "NODE", c.ids[dst])
	for i := range c.nodes {
		if i != src && i != dst {
			do(i, "CLUSTER", "SETSLOT", slot, "NODE", c.ids[dst])
		}
	}
}
