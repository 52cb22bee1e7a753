package backend

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
)

// ErrServerClosed is returned by Serve and ListenAndServe after Close or
// Shutdown.
var ErrServerClosed = errors.New("backend: server closed")

// Options configure a storage node. The field names follow redis-server's
// configuration parameters (CONFIG GET names them the same way).
type Options struct {
	// Bind is the addresses to listen on ("bind"); Port the TCP port ("port").
	Bind []string
	Port int
	// Dir is the working directory for the AOF ("dir").
	Dir string
	// RequirePass, when set, makes clients AUTH first ("requirepass").
	RequirePass string
	// Databases is the number of databases SELECT can choose ("databases").
	Databases int
	// MaxClients limits connected clients ("maxclients").
	MaxClients int
	// ProtoMaxBulkLen is the longest bulk string a request may carry.
	ProtoMaxBulkLen int64
	// Hz is how often per second background work (active expiry) runs.
	Hz int
	// AppendOnly and AppendFsync configure the AOF ("appendonly",
	// "appendfsync"); AppendFilename and AppendDirname name its files.
	AppendOnly     bool
	AppendFsync    string
	AppendFilename string
	AppendDirname  string
	// Timeout closes a client idle for that long (0: never) ("timeout").
	Timeout time.Duration
	// Logger receives the node's log; the zero value logs nothing.
	Logger zerolog.Logger

	// Tunables are the rest of redis-server's parameters (config.go).
	Tunables
}

// DefaultOptions returns redis-server 7.0's defaults.
func DefaultOptions() Options {
	return Options{
		Bind:            []string{"127.0.0.1"},
		Port:            6379,
		Dir:             ".",
		Databases:       16,
		MaxClients:      10000,
		ProtoMaxBulkLen: resp.DefaultMaxBulkLen,
		Hz:              10,
		AppendFsync:     "everysec",
		AppendFilename:  "appendonly.aof",
		AppendDirname:   "appendonlydir",
		Logger:          zerolog.Nop(),
		Tunables:        defaultTunables(),
	}
}

// Server is a storage node: a keyspace of numbered databases served over
// RESP. Create it with New; it is safe for concurrent use.
type Server struct {
	opts Options
	log  zerolog.Logger
	dbs  []*DB

	cfg *config // runtime configuration (CONFIG GET/SET)

	mu        sync.Mutex // guards listeners, clients, closed
	listeners map[net.Listener]struct{}
	clients   map[int64]*Client
	closed    bool

	wg       sync.WaitGroup // every goroutine the server started
	done     chan struct{}  // closed by Close/Shutdown
	addr     atomic.Pointer[net.Addr]
	nextID   atomic.Int64
	started  time.Time
	lastSave atomic.Int64 // unix seconds

	// blocking holds the clients blocked on keys (blocking.go).
	blocking blockRegistry

	lruSeconds   atomic.Uint32
	activeExpire atomic.Bool
	stats        stats
	admin        adminState  // slow log, error stats, INFO state (servercmds.go)
	pubsub       pubsubHub   // subscriptions (pubsub.go)
	watches      watchTables // WATCHed keys (multi.go)
	prop         propServer  // the Sink of write effects (propagate.go)
	aof          persistence // the append-only file (persist.go)
}

// New returns a server for opts. It does not listen yet.
func New(opts Options) (*Server, error) {
	if opts.Databases <= 0 {
		return nil, fmt.Errorf("backend: databases must be positive, got %d", opts.Databases)
	}
	s := &Server{
		opts:      opts,
		log:       opts.Logger,
		listeners: make(map[net.Listener]struct{}),
		clients:   make(map[int64]*Client),
		done:      make(chan struct{}),
		started:   time.Now(),
	}
	s.cfg = newConfig(s)
	s.stats.init()
	applyLatencyTracking(s, nil, &s.opts)
	s.dbs = make([]*DB, opts.Databases)
	for i := range s.dbs {
		s.dbs[i] = newDB(s, i)
	}
	s.lastSave.Store(s.started.Unix())
	s.lruSeconds.Store(uint32(s.started.Unix()))
	s.activeExpire.Store(true)
	s.aof.init(s)
	if opts.AppendOnly {
		if err := s.openAOF(); err != nil {
			return nil, err
		}
	}
	s.goFunc(s.cron)
	return s, nil
}

// goFunc runs f in a goroutine the server waits for when it shuts down.
func (s *Server) goFunc(f func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
}

// ListenAndServe listens on every Bind address at Port and serves until
// Close or Shutdown.
func (s *Server) ListenAndServe() error {
	binds := s.opts.Bind
	if len(binds) == 0 {
		binds = []string{""}
	}
	var lns []net.Listener
	for _, b := range binds {
		ln, err := net.Listen("tcp", net.JoinHostPort(b, fmt.Sprint(s.opts.Port)))
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return fmt.Errorf("backend: listen: %w", err)
		}
		lns = append(lns, ln)
	}
	errc := make(chan error, len(lns))
	for _, ln := range lns[1:] {
		go func() { errc <- s.Serve(ln) }()
	}
	err := s.Serve(lns[0])
	for range lns[1:] {
		if e := <-errc; !errors.Is(e, ErrServerClosed) && err == nil {
			err = e
		}
	}
	return err
}

// Serve accepts connections on ln until Close or Shutdown, then returns
// ErrServerClosed.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	a := ln.Addr()
	s.addr.CompareAndSwap(nil, &a)
	s.mu.Unlock()
	s.log.Info().Str("addr", a.String()).Msg("listening")

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
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("backend: accept: %w", err)
		}
		backoff = 0
		s.startClient(nc)
	}
}

func (s *Server) startClient(nc net.Conn) {
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
		tc.SetKeepAlive(true)
	}
	c := newClient(s, nc)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		nc.Close()
		return
	}
	if len(s.clients) >= s.cfg.maxClients() {
		s.mu.Unlock()
		nc.Write([]byte("-ERR max number of clients reached\r\n"))
		nc.Close()
		s.stats.rejectedConns.Add(1)
		return
	}
	s.clients[c.id] = c
	s.mu.Unlock()
	s.stats.connections.Add(1)
	s.goFunc(c.serve)
}

func (s *Server) removeClient(c *Client) {
	s.mu.Lock()
	delete(s.clients, c.id)
	s.mu.Unlock()
}

// Addr is the address of the first listener, or nil before Serve.
func (s *Server) Addr() net.Addr {
	if a := s.addr.Load(); a != nil {
		return *a
	}
	return nil
}

// Close stops listening and closes every client connection at once.
func (s *Server) Close() error {
	s.stop()
	s.mu.Lock()
	for _, c := range s.clients {
		rawio.Abort(c.conn) // each client's goroutine closes its own
	}
	s.mu.Unlock()
	s.wg.Wait()
	s.closeAOF()
	return nil
}

// Shutdown stops listening, lets clients finish the batch they are running,
// then closes them; it returns ctx's error if ctx ends first (the remaining
// connections are then closed at once).
func (s *Server) Shutdown(ctx context.Context) error {
	s.stop()
	s.mu.Lock()
	for _, c := range s.clients {
		c.closeWhenIdle()
	}
	s.mu.Unlock()
	finished := make(chan struct{})
	go func() { s.wg.Wait(); close(finished) }()
	select {
	case <-finished:
		s.closeAOF()
		return nil
	case <-ctx.Done():
		s.Close()
		return ctx.Err()
	}
}

// stop closes the listeners and signals background work, once.
func (s *Server) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	close(s.done)
	for ln := range s.listeners {
		ln.Close()
	}
}

// Done is closed when the server is shutting down (SHUTDOWN, Close).
func (s *Server) Done() <-chan struct{} { return s.done }

// db returns database i.
func (s *Server) db(i int) *DB { return s.dbs[i] }

// lruClock is the access clock in seconds that OBJECT IDLETIME reads.
func (s *Server) lruClock() uint32 { return s.lruSeconds.Load() }

// keyExpired is called, with the key's shard locked, when a key is removed
// because its time ran out: the "expired" event, and WATCH sees a change.
func (s *Server) keyExpired(db *DB, e *entry) {
	if s.watches.n.Load() == 0 && !s.keyEventWanted(notifyExpired) {
		return
	}
	key := []byte(e.key)
	notifyKeyspaceEvent(s, notifyExpired, "expired", key, db.id)
	signalModifiedKey(db, key)
}

// cron runs the periodic work: the access clock and active expiry.
func (s *Server) cron() {
	hz := max(1, s.cfg.hz())
	t := time.NewTicker(time.Second / time.Duration(hz))
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case now := <-t.C:
			if h := max(1, s.cfg.hz()); h != hz { // CONFIG SET hz
				hz = h
				t.Reset(time.Second / time.Duration(hz))
			}
			s.lruSeconds.Store(uint32(now.Unix()))
			if s.activeExpire.Load() {
				s.activeExpireCycle(now.UnixMilli())
			}
			s.cronAOF()
		}
	}
}
