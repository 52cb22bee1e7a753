package proxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/shardis/shardis/internal/resp"
	"github.com/shardis/shardis/topology"
)

// A topology with a [redis_cluster] section names seed nodes of a real
// Redis Cluster instead of shards. The proxy reads the slot map from CLUSTER
// SLOTS of a seed (the next one when a seed does not answer, then the
// primaries it already knows), and reads it again when a node answers
// MOVED, at most once per clusterRefreshInterval: one MOVED is applied to
// the map at once (WithOwner), while the refresh picks up every other slot
// that moved with it, as `redis-cli --cluster reshard` moves whole ranges.
//
// The cluster's replicas are not part of the map: Redis replicates to them
// itself, and the proxy's own fan-out (replicate.go) must not write to them.

// clusterRefreshInterval is the least time between two reads of CLUSTER
// SLOTS caused by MOVED replies.
const clusterRefreshInterval = 100 * time.Millisecond

// errNoSeed is returned when no seed nor known node of a Redis Cluster
// answered CLUSTER SLOTS.
var errNoSeed = errors.New("no node of the Redis Cluster answered CLUSTER SLOTS")

func init() {
	loadClusterMap = func(ctx context.Context, s *Server, cfg *topology.Config) (*topology.Map, error) {
		cs := newClusterSource(cfg.RedisCluster, s.timeouts())
		m, err := cs.load(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("proxy: [redis_cluster]: %w", err)
		}
		s.rcluster.Store(cs)
		return m, nil
	}
}

// clusterSource returns the source of the slot map when the proxy fronts a
// Redis Cluster, else nil.
func (s *Server) clusterSource() *clusterSource {
	if s.config().RedisCluster == nil {
		return nil
	}
	return s.rcluster.Load()
}

// clusterSource reads the slot map of a Redis Cluster.
type clusterSource struct {
	seeds          []string
	pass           string
	connectTimeout time.Duration
	readTimeout    time.Duration

	mu      sync.Mutex
	last    time.Time // when the last refresh began
	running bool      // a refresh is under way
}

// newClusterSource returns the source of the slot map of rc, reached with
// the timeouts to.
func newClusterSource(rc *topology.RedisCluster, to timeouts) *clusterSource {
	return &clusterSource{
		seeds:          append([]string(nil), rc.Seeds...),
		pass:           rc.RequirePass,
		connectTimeout: to.connect,
		readTimeout:    to.read,
	}
}

// load asks the seeds, then the primaries of known (the current map, may be
// nil) in turn for CLUSTER SLOTS, and builds the map from the first answer.
func (c *clusterSource) load(ctx context.Context, known *topology.Map) (*topology.Map, error) {
	addrs := append([]string(nil), c.seeds...)
	if known != nil {
		for i := range known.NumShards() {
			addrs = append(addrs, known.Shard(i).Primary.Address)
		}
	}
	var errs []error
	seen := map[string]bool{}
	for _, addr := range addrs {
		if seen[addr] {
			continue
		}
		seen[addr] = true
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		v, err := nodeCall(ctx, addr, c.pass, c.connectTimeout, c.readTimeout, "CLUSTER", "SLOTS")
		if err == nil && v.Type == '-' {
			err = fmt.Errorf("%s", v.Str)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", addr, err))
			continue
		}
		host, _, _ := net.SplitHostPort(addr)
		shards, err := clusterShards(v, host, c.pass)
		if err == nil {
			var m *topology.Map
			if m, err = topology.BuildMap(shards); err == nil {
				return m, nil
			}
		}
		errs = append(errs, fmt.Errorf("%s: CLUSTER SLOTS: %w", addr, err))
	}
	return nil, fmt.Errorf("%w: %w", errNoSeed, errors.Join(errs...))
}

// refresh reads the map again, in a goroutine of s, and installs it unless
// a refresh began less than clusterRefreshInterval ago or is still running,
// in which case it returns at once: it is what every MOVED calls. The new
// map replaces the one loaded before reading with CompareAndSwap, so that a
// reload meanwhile is never undone; a lost race is harmless, as the next
// MOVED asks again.
func (c *clusterSource) refresh(s *Server) {
	c.mu.Lock()
	if c.running || time.Since(c.last) < clusterRefreshInterval {
		c.mu.Unlock()
		return
	}
	c.running, c.last = true, time.Now()
	c.mu.Unlock()
	s.goFunc(func() {
		defer func() {
			c.mu.Lock()
			c.running = false
			c.mu.Unlock()
		}()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			select {
			case <-s.done:
				cancel()
			case <-ctx.Done():
			}
		}()
		old := s.slots.Load()
		m, err := c.load(ctx, old)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn().Err(err).Msg("Redis Cluster: could not read the slot map again; the one in use is kept")
			}
			return
		}
		if s.slots.CompareAndSwap(old, m) {
			s.log.Debug().Int("shards", m.NumShards()).Int("slots", m.Owned()).Msg("Redis Cluster: slot map read again")
		}
	})
}

// clusterShards turns a CLUSTER SLOTS reply into shards, one per primary,
// with every slot range it serves. A node whose endpoint is unknown ("" or
// "?") is at seedHost, the host of the node that answered, as Redis Cluster
// clients assume. The replicas are left out (see above).
func clusterShards(v resp.Value, seedHost, pass string) ([]topology.Shard, error) {
	if v.Type != '*' || v.Null {
		return nil, fmt.Errorf("want an array, got %q", v.Type)
	}
	byAddr := map[string]int{}
	var shards []topology.Shard
	for i, e := range v.Elems {
		if e.Type != '*' || len(e.Elems) < 3 {
			return nil, fmt.Errorf("entry %d: want [first, last, primary, replicas...]", i)
		}
		first, last := e.Elems[0], e.Elems[1]
		if first.Type != ':' || last.Type != ':' || first.Int < 0 || first.Int > last.Int || last.Int >= topology.SlotCount {
			return nil, fmt.Errorf("entry %d: bad slot range", i)
		}
		addr, err := clusterNodeAddr(e.Elems[2], seedHost)
		if err != nil {
			return nil, fmt.Errorf("entry %d: primary: %w", i, err)
		}
		j, ok := byAddr[addr]
		if !ok {
			j = len(shards)
			byAddr[addr] = j
			shards = append(shards, topology.Shard{
				Name:    addr,
				Primary: topology.Node{Address: addr, Kind: topology.KindRedis, RequirePass: pass},
			})
		}
		shards[j].Slots = append(shards[j].Slots, topology.SlotRange{First: int(first.Int), Last: int(last.Int)})
	}
	return shards, nil
}

// clusterNodeAddr reads host:port from a node of a CLUSTER SLOTS entry:
// [endpoint, port, id, ...].
func clusterNodeAddr(n resp.Value, seedHost string) (string, error) {
	if n.Type != '*' || len(n.Elems) < 2 {
		return "", errors.New("want [endpoint, port, ...]")
	}
	host, port := n.Elems[0], n.Elems[1]
	if port.Type != ':' || port.Int <= 0 || port.Int > 65535 {
		return "", errors.New("bad port")
	}
	h := string(host.Str)
	if host.Null || host.Type == '_' || h == "" || h == "?" {
		h = seedHost
	}
	return net.JoinHostPort(h, strconv.FormatInt(port.Int, 10)), nil
}

// nodeCall sends one command to the node at addr on a connection of its
// own, after AUTH when pass is set, and returns the reply. It is for rare
// calls (reading a cluster's slot map), not for the data path.
func nodeCall(ctx context.Context, addr, pass string, connectTimeout, readTimeout time.Duration, args ...string) (resp.Value, error) {
	d := net.Dialer{Timeout: connectTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return resp.Value{}, err
	}
	defer conn.Close()
	deadline := time.Now().Add(readTimeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)
	var req []byte
	if pass != "" {
		req = resp.AppendCommand(req, "AUTH", pass)
	}
	req = resp.AppendCommand(req, args...)
	if _, err := conn.Write(req); err != nil {
		return resp.Value{}, err
	}
	rd := resp.NewReplyReader(conn)
	if pass != "" {
		v, err := rd.ReadReply()
		if err != nil {
			return resp.Value{}, err
		}
		if v.Type == '-' {
			return resp.Value{}, fmt.Errorf("AUTH: %s", v.Str)
		}
	}
	return rd.ReadReply()
}
