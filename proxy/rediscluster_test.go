package proxy

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/shardis/shardis/internal/resp"
	"github.com/shardis/shardis/topology"
)

// clusterSlotsReply is what redis-server 7.0 answers CLUSTER SLOTS with in
// a cluster of three primaries, one with two ranges, one with a replica,
// and one that does not know its endpoint.
const clusterSlotsReply = "*4\r\n" +
	"*3\r\n:0\r\n:5460\r\n*4\r\n$9\r\n127.0.0.1\r\n:30001\r\n$3\r\naaa\r\n*0\r\n" +
	"*4\r\n:5461\r\n:10922\r\n*4\r\n$9\r\n127.0.0.1\r\n:30002\r\n$3\r\nbbb\r\n*0\r\n*4\r\n$9\r\n127.0.0.1\r\n:30005\r\n$3\r\neee\r\n*0\r\n" +
	"*3\r\n:10923\r\n:16000\r\n*4\r\n$1\r\n?\r\n:30003\r\n$3\r\nccc\r\n*0\r\n" +
	"*3\r\n:16001\r\n:16383\r\n*4\r\n$9\r\n127.0.0.1\r\n:30001\r\n$3\r\naaa\r\n*0\r\n"

func TestClusterShards(t *testing.T) {
	v, rest, err := resp.ParseReply([]byte(clusterSlotsReply))
	if err != nil || len(rest) != 0 {
		t.Fatalf("ParseReply: %v, %d bytes left", err, len(rest))
	}
	shards, err := clusterShards(v, "10.0.0.9", "pw")
	if err != nil {
		t.Fatal(err)
	}
	m, err := topology.BuildMap(shards)
	if err != nil {
		t.Fatal(err)
	}
	if m.Owned() != topology.SlotCount || m.NumShards() != 3 {
		t.Fatalf("owned %d slots in %d shards, want all in 3", m.Owned(), m.NumShards())
	}
	for _, tc := range []struct {
		slot int
		addr string
	}{{0, "127.0.0.1:30001"}, {5460, "127.0.0.1:30001"}, {5461, "127.0.0.1:30002"}, {12000, "10.0.0.9:30003"}, {16383, "127.0.0.1:30001"}} {
		o := m.Owner(tc.slot)
		if o == nil || o.Primary.Address != tc.addr || o.Primary.Kind != topology.KindRedis || o.Primary.RequirePass != "pw" {
			t.Errorf("slot %d: owner %+v, want primary %s of kind redis with the password", tc.slot, o, tc.addr)
		}
		if o != nil && len(o.Replicas) != 0 {
			t.Errorf("slot %d: replicas %v: Redis replicates to them, the proxy must not", tc.slot, o.Replicas)
		}
	}
	// A cluster missing slots gives a map with holes, not an error.
	v.Elems = v.Elems[:2]
	shards, err = clusterShards(v, "h", "")
	if err != nil {
		t.Fatal(err)
	}
	if m, err = topology.BuildMap(shards); err != nil || m.Owner(12000) != nil || m.Owned() != 10923 {
		t.Fatalf("partial map: %v, owner of 12000 %v", err, m.Owner(12000))
	}
}

func TestClusterShardsMalformed(t *testing.T) {
	for _, s := range []string{
		"-ERR This instance has cluster support disabled\r\n",
		"*1\r\n:1\r\n",
		"*1\r\n*3\r\n:5\r\n:4\r\n*2\r\n$1\r\nh\r\n:1\r\n",
		"*1\r\n*3\r\n:0\r\n:16384\r\n*2\r\n$1\r\nh\r\n:1\r\n",
		"*1\r\n*3\r\n:0\r\n:1\r\n*2\r\n$1\r\nh\r\n:0\r\n",
		"*1\r\n*3\r\n:0\r\n:1\r\n*1\r\n$1\r\nh\r\n",
	} {
		v, _, err := resp.ParseReply([]byte(s))
		if err != nil {
			t.Fatalf("ParseReply(%q): %v", s, err)
		}
		if _, err := clusterShards(v, "h", ""); err == nil {
			t.Errorf("clusterShards(%q): no error", strings.TrimSpace(s))
		}
	}
}

// TestClusterSourceSeeds reads a slot map from the second seed when the
// first is down, and reads it again on MOVED at most once per interval.
func TestClusterSourceSeeds(t *testing.T) {
	seed := startTestNode(t, "127.0.0.1:0")
	seed.reply = func(_, cmd string) string {
		if cmd == "CLUSTER SLOTS" {
			return clusterSlotsReply
		}
		return "-ERR unexpected " + cmd + "\r\n"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := ln.Addr().String()
	ln.Close()
	cs := &clusterSource{seeds: []string{down, seed.addr()}, connectTimeout: time.Second, readTimeout: 5 * time.Second}
	m, err := cs.load(context.Background(), nil)
	if err != nil {
		t.Fatalf("load with the first seed down: %v", err)
	}
	if m.Owned() != topology.SlotCount || m.NumShards() != 3 {
		t.Fatalf("map of %d slots in %d shards", m.Owned(), m.NumShards())
	}
	host, _, _ := net.SplitHostPort(seed.addr())
	if got := m.Owner(12000).Primary.Address; got != net.JoinHostPort(host, "30003") {
		t.Fatalf("a node without endpoint is at %s, want the seed's host", got)
	}

	// No seed answers: an error naming each.
	cs2 := &clusterSource{seeds: []string{down}, connectTimeout: time.Second, readTimeout: time.Second}
	if _, err := cs2.load(context.Background(), nil); !errors.Is(err, errNoSeed) || !strings.Contains(err.Error(), down) {
		t.Fatalf("load with every seed down: %v", err)
	}

	// refresh: one read for a burst of MOVED, and the map swapped in.
	s, _ := startTestProxy(t, "", "127.0.0.1:1")
	before := len(seed.commands())
	for range 20 {
		cs.refresh(s)
	}
	waitFor(t, "refreshed map swapped in", 10*time.Second, func() bool { return s.slots.Load().NumShards() == 3 })
	if n := len(seed.commands()) - before; n != 1 {
		t.Fatalf("20 refreshes within the interval read CLUSTER SLOTS %d times, want 1", n)
	}
}
