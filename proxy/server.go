package proxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/shardis/shardis/internal/rawio"
	"github.com/shardis/shardis/internal/resp"
	"github.com/shardis/shardis/topology"
)

// Options configure a Server.
type Options struct {
	// Config is the deployment, from topology.Load or topology.Parse
	// (already validated).
	Config *topology.Config
	// Name says which [[proxy]] of Config this process is; "" means the
	// first.
	Name string
	// Logger receives the proxy's log; the zero value logs nothing.
	Logger zerolog.Logger
}

// Server is a proxy process: it accepts clients, routes their commands to
// the nodes that own their slots, and answers what a proxy answers itself.
type Server struct {
	opts Options
	log  zerolog.Logger

	conf  atomic.Pointer[conf]
	slots *topology.Holder
	rt    atomic.Pointer[routes]
	repl  replicator
	// rcluster reads the slot map when the proxy fronts a Redis Cluster
	// (rediscluster.go).
	rcluster  atomic.Pointer[clusterSource]
	redirects redirectStats // redirect.go

	nextID   atomic.Int64
	stats    proxyStats  // INFO's counters (info.go)
	closing  atomic.Bool // Shutdown or Close began
	reloadMu sync.Mutex  // one Reload at a time

	// mu guards what follows. Lock order: Server.mu before link.mu.
	mu        sync.Mutex
	pools     map[string]*pool
	listeners map[net.Listener]struct{}
	addrs     []net.Addr
	sessions  map[*session]struct{}
	closed    bool
	done      chan struct{}

	wg    sync.WaitGroup // every goroutine the server started
	gmu   sync.Mutex     // guards gdone and orders wg.Add before wg.Wait
	gdone bool           // Close waits on wg: goFunc starts nothing more
	swg   sync.WaitGroup // sessions only
}

// conf is the configuration in force, swapped as a whole by Reload.
type conf struct {
	cfg   *topology.Config
	px    *topology.Proxy
	nodes map[string]topology.Node // by address
	to    timeouts
}

type timeouts struct{ connect, read, write time.Duration }

// routes is the slot map with the node pool of each shard's primary, kept
// beside the map it was built for so that routing is two atomic loads and
// two indexes.
type routes struct {
	m     *topology.Map
	pools []*pool
}

// replicator receives, from a primary's link and in the primary's reply
// order, every write command the primary accepted (its reply is not an
// error). cmd is the request's RESP bytes and reply the primary's raw
// reply (what a non-deterministic write did: SPOP), both valid only during
// the call.
type replicator interface {
	Written(shard int, cmd, reply []byte)
}

type noReplicator struct{}

func (noReplicator) Written(int, []byte, []byte) {}

var _ replicator = noReplicator{}

// newReplicator, when set (replicate.go), makes the server's replicator.
var newReplicator func(*Server) replicator

// loadClusterMap, when set (rediscluster.go), builds the slot map of a
// Config with a [redis_cluster] from its seed nodes.
var loadClusterMap func(ctx context.Context, s *Server, cfg *topology.Config) (*topology.Map, error)

// New returns a Server for opts. It starts connecting to the nodes at once;
// clients are accepted once Serve or ListenAndServe runs.
func New(opts Options) (*Server, error) {
	if opts.Config == nil {
		return nil, errors.New("proxy: no configuration")
	}
	s := &Server{
		opts:      opts,
		log:       opts.Logger,
		pools:     make(map[string]*pool),
		listeners: make(map[net.Listener]struct{}),
		sessions:  make(map[*session]struct{}),
		done:      make(chan struct{}),
		repl:      noReplicator{},
	}
	s.stats.started = time.Now()
	c, err := s.newConf(opts.Config)
	if err != nil {
		return nil, err
	}
	s.conf.Store(c)
	m, err := s.buildMap(c.cfg)
	if err != nil {
		return nil, err
	}
	s.slots = topology.NewHolder(m)
	if newReplicator != nil {
		s.repl = newReplicator(s)
	}
	s.routes()
	s.goFunc(s.sampleStats)
	return s, nil
}

// newConf checks cfg and picks this proxy's [[proxy]] from it.
func (s *Server) newConf(cfg *topology.Config) (*conf, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &conf{cfg: cfg, nodes: make(map[string]topology.Node)}
	for i := range cfg.Proxies {
		if s.opts.Name == "" || cfg.Proxies[i].Name == s.opts.Name {
			px := cfg.Proxies[i]
			c.px = &px
			break
		}
	}
	if c.px == nil {
		if s.opts.Name == "" {
			return nil, errors.New("proxy: the configuration has no [[proxy]]")
		}
		return nil, fmt.Errorf("proxy: the configuration has no [[proxy]] named %q", s.opts.Name)
	}
	c.to = timeouts{
		connect: orDefault(c.px.ConnectTimeout.Duration, topology.DefaultConnectTimeout),
		read:    orDefault(c.px.ReadTimeout.Duration, topology.DefaultReadTimeout),
		write:   orDefault(c.px.WriteTimeout.Duration, topology.DefaultWriteTimeout),
	}
	for _, sh := range cfg.Shards {
		for _, n := range sh.Nodes() {
			c.nodes[n.Address] = n
		}
	}
	return c, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// buildMap makes the slot map of cfg.
func (s *Server) buildMap(cfg *topology.Config) (*topology.Map, error) {
	if cfg.RedisCluster != nil {
		if loadClusterMap == nil {
			return nil, errors.New("proxy: fronting a Redis Cluster ([redis_cluster]) is not supported yet")
		}
		to := s.timeouts()
		ctx, cancel := context.WithTimeout(context.Background(), to.connect+to.read)
		defer cancel()
		return loadClusterMap(ctx, s, cfg)
	}
	return topology.NewMap(cfg)
}

func (s *Server) timeouts() timeouts { return s.conf.Load().to }

// config returns the configuration in force.
func (s *Server) config() *topology.Config { return s.conf.Load().cfg }

// proxyConfig returns this proxy's [[proxy]] settings in force.
func (s *Server) proxyConfig() *topology.Proxy { return s.conf.Load().px }

// nodePass is the password the proxy sends to the node at addr.
func (s *Server) nodePass(addr string) string {
	c := s.conf.Load()
	if n, ok := c.nodes[addr]; ok {
		return n.RequirePass
	}
	if c.cfg.RedisCluster != nil {
		return c.cfg.RedisCluster.RequirePass
	}
	return ""
}

// routes returns the routing table of the slot map in force, building it
// (and pools for new primaries) when the map changed.
func (s *Server) routes() *routes {
	m := s.slots.Load()
	if rt := s.rt.Load(); rt != nil && rt.m == m {
		return rt
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if rt := s.rt.Load(); rt != nil && rt.m == m {
		return rt
	}
	rt := &routes{m: m, pools: make([]*pool, m.NumShards())}
	for i := range rt.pools {
		rt.pools[i] = s.poolLocked(m.Shard(i).Primary.Address)
	}
	s.rt.Store(rt)
	return rt
}

// poolLocked returns the pool of addr, making it if needed. s.mu is held.
func (s *Server) poolLocked(addr string) *pool {
	p := s.pools[addr]
	if p == nil {
		p = newPool(s, addr, s.nodePass(addr))
		s.pools[addr] = p
		if s.closed {
			p.close()
		}
	}
	return p
}

// goFunc runs f in a goroutine the server waits for when it closes, and
// reports whether it did: once Close waits for the server's goroutines it
// starts none (a WaitGroup must not grow while it is waited for), and the
// caller must then undo what f would have served (newLink closes the link).
func (s *Server) goFunc(f func()) bool {
	s.gmu.Lock()
	defer s.gmu.Unlock()
	if s.gdone {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
	return true
}

// dial connects to the node at addr for a connection of its own (MULTI,
// blocking commands, pub/sub), authenticated as the configuration says,
// speaking proto (2 or 3).
func (s *Server) dial(ctx context.Context, addr string, proto int) (net.Conn, error) {
	return s.dialProto(ctx, addr, s.nodePass(addr), proto)
}

// dialProto connects to addr within the connect timeout and, when pass is
// set or proto is 3, sends AUTH or HELLO and checks the reply within the
// read timeout.
func (s *Server) dialProto(ctx context.Context, addr, pass string, proto int) (net.Conn, error) {
	to := s.timeouts()
	d := net.Dialer{Timeout: to.connect}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
		tc.SetKeepAlive(true)
	}
	var req []byte
	switch {
	case proto == 3 && pass != "":
		req = resp.AppendCommand(nil, "HELLO", "3", "AUTH", "default", pass)
	case proto == 3:
		req = resp.AppendCommand(nil, "HELLO", "3")
	case pass != "":
		req = resp.AppendCommand(nil, "AUTH", pass)
	default:
		return nc, nil
	}
	nc.SetDeadline(time.Now().Add(to.write + to.read))
	if _, err := nc.Write(req); err != nil {
		nc.Close()
		return nil, err
	}
	raw, err := resp.NewReplyReader(nc).ReadRaw()
	if err != nil {
		nc.Close()
		return nil, err
	}
	if raw[0] == '-' {
		nc.Close()
		return nil, fmt.Errorf("handshake refused: %s", trimReply(raw[1:]))
	}
	nc.SetDeadline(time.Time{})
	return nc, nil
}

func trimReply(b []byte) string {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return string(b)
}

// ListenAndServe listens on every Listen address of this proxy's [[proxy]]
// and serves until Shutdown or Close.
func (s *Server) ListenAndServe() error {
	px := s.proxyConfig()
	if len(px.Listen) == 0 {
		return errors.New("proxy: no listen address")
	}
	var lns []net.Listener
	for _, a := range px.Listen {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return fmt.Errorf("proxy: listen: %w", err)
		}
		lns = append(lns, ln)
	}
	errc := make(chan error, len(lns))
	for _, ln := range lns[1:] {
		go func() { errc <- s.Serve(ln) }()
	}
	err := s.Serve(lns[0])
	for range lns[1:] {
		if e := <-errc; !errors.Is(e, ErrServerClosed) && errors.Is(err, ErrServerClosed) {
			err = e
		}
	}
	return err
}

// Serve accepts clients on ln until Shutdown or Close, then returns
// ErrServerClosed.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	// closing, not only closed: Close stops the listeners before it marks
	// the server closed, and a listener that came between the two would
	// never be closed.
	if s.closed || s.closing.Load() {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	s.addrs = append(s.addrs, ln.Addr())
	s.mu.Unlock()
	s.log.Info().Str("addr", ln.Addr().String()).Msg("proxy listening")
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			select {
			case <-s.done:
				return ErrServerClosed
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn().Err(err).Dur("retry_in", backoff).Msg("accept")
				select {
				case <-time.After(backoff):
				case <-s.done:
					return ErrServerClosed
				}
				continue
			}
			return fmt.Errorf("proxy: accept: %w", err)
		}
		backoff = 0
		s.startSession(nc)
	}
}

func (s *Server) startSession(nc net.Conn) {
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
		tc.SetKeepAlive(true)
	}
	ss := newSession(s, nc)
	s.stats.connections.Add(1)
	s.mu.Lock()
	if s.closed || s.closing.Load() {
		s.mu.Unlock()
		nc.Close()
		return
	}
	s.sessions[ss] = struct{}{}
	s.swg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.swg.Done()
		ss.serve()
		s.mu.Lock()
		delete(s.sessions, ss)
		s.mu.Unlock()
	}()
}

// Addrs returns the addresses the server listens on, once Serve or
// ListenAndServe has begun.
func (s *Server) Addrs() []net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]net.Addr(nil), s.addrs...)
}

// stopListening closes the listeners, once.
func (s *Server) stopListening() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Swap(true) {
		return
	}
	close(s.done)
	for ln := range s.listeners {
		ln.Close()
	}
}

// Shutdown stops accepting clients, lets every client finish the batch it
// is running, closes the clients and the node links, and returns; if ctx
// ends first, the rest is closed at once and ctx's error returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopListening()
	s.mu.Lock()
	for ss := range s.sessions {
		ss.closeWhenIdle()
	}
	s.mu.Unlock()
	finished := make(chan struct{})
	go func() { s.swg.Wait(); close(finished) }()
	select {
	case <-finished:
		s.Close()
		return nil
	case <-ctx.Done():
		s.Close()
		return ctx.Err()
	}
}

// Close closes the listeners, every client connection and every node link
// at once, and waits for the server's goroutines. It is idempotent.
func (s *Server) Close() error {
	s.stopListening()
	s.mu.Lock()
	s.closed = true
	for ss := range s.sessions {
		rawio.Abort(ss.nc) // each session's goroutine closes its own
	}
	pools := make([]*pool, 0, len(s.pools))
	for _, p := range s.pools {
		pools = append(pools, p)
	}
	s.mu.Unlock()
	// Closing the links fails the calls sessions wait for, so no session
	// waits for a node's timeout before it sees its connection closed.
	for _, p := range pools {
		p.close()
	}
	s.swg.Wait()
	if c, ok := s.repl.(interface{ close() }); ok {
		c.close() // after the links: no more writes to fan out
	}
	s.gmu.Lock()
	s.gdone = true
	s.gmu.Unlock()
	s.wg.Wait()
	return nil
}
