package backend

import (
	"errors"
	"io"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/shardis/shardis/internal/command"
	"github.com/shardis/shardis/internal/rawio"
	"github.com/shardis/shardis/internal/resp"
)

// Reply modes set by CLIENT REPLY.
const (
	replyOn = iota
	replyOff
	replySkip // skip the next command's reply, then back to replyOn
)

// Client is one connection's session. Its goroutine owns every field; the
// ones other goroutines read (CLIENT LIST, CLIENT KILL, INFO) are atomics or
// guarded by mu.
type Client struct {
	srv  *Server
	conn net.Conn
	raw  bool // serveRaw reads the connection
	id   int64
	r    *resp.Reader
	w    *resp.Writer

	db      *DB
	authed  bool
	reply   int
	closing bool // close once the current reply is written
	inExec  bool // EXEC holds every shard: lock helpers do nothing (multi.go)
	// mode is non-zero while the client is in MULTI or has a push queue
	// (pubsub.go): execute then takes its slow path (executeSpecial).
	mode    uint8
	tx      *txState   // MULTI and WATCH state (multi.go), nil when unused
	push    *pushQueue // subscriptions and pending pushes (pubsub.go), nil until the first
	now     int64
	created time.Time

	batchStart   time.Time     // when the current batch began
	batchStartMs int64         // batchStart in unix ms
	elapsed      time.Duration // since batchStart, at the previous command's end
	clockStale   bool          // set when the client waited for input

	// blk is the client's state while blocked on keys, and what its reader
	// reads from (blocking.go).
	blk clientBlock

	// prop is the running command's recorded effects (propagate.go);
	// args is its request, for handlers that propagate it from deep down.
	prop propState
	args [][]byte

	// Read by other goroutines.
	dbIndex  atomic.Int32
	lastCmd  atomic.Pointer[command.Command]
	lastSeen atomic.Int64 // unix ms of the last command
	killed   atomic.Bool
	noEvict  atomic.Bool
	noTouch  atomic.Bool
	proto    atomic.Int32
	// dirtyCAS: a WATCHed key changed (set by the writer); multiQueued:
	// 0 outside MULTI, else 1 + the commands queued (multi.go).
	dirtyCAS    atomic.Bool
	multiQueued atomic.Int32

	mu      sync.Mutex // guards name, libName, libVer
	name    string
	libName string
	libVer  string

	idleOnly atomic.Bool // Shutdown: close before the next read

	// aofOff is the AOF offset the replies written so far wait for;
	// aofWaited the one the log was last known to hold (persist.go).
	aofOff, aofWaited int64
}

func newClient(s *Server, nc net.Conn) *Client {
	c := &Client{
		srv:        s,
		conn:       nc,
		id:         s.nextID.Add(1),
		w:          resp.NewWriter(nc),
		db:         s.dbs[0],
		authed:     s.cfg.requirePass() == "",
		created:    time.Now(),
		clockStale: true,
	}
	c.blk.conn = nc
	c.r = resp.NewReader(&c.blk)
	c.proto.Store(2)
	c.lastSeen.Store(c.created.UnixMilli())
	c.r.SetMaxBulkLen(s.cfg.protoMaxBulkLen())
	c.r.SetAuthRequired(!c.authed)
	c.r.BeforeFill = c.beforeFill
	return c
}

// beforeFill runs when no complete request is buffered: the batch is done,
// so its replies go out with one write.
func (c *Client) beforeFill() error {
	c.clockStale = true
	if c.idleOnly.Load() || c.killed.Load() {
		c.flush(false)
		return errClientClosing
	}
	err := c.flush(true)
	if !c.raw {
		// The client rarely has its next request on the wire yet, and
		// reading now would mostly fail with EAGAIN and park this
		// goroutine in the netpoller. Letting the other connections run
		// first makes the read more likely to find data: measured +10-25%
		// with redis-benchmark -c 50 at -P 1 and -P 16, at the same CPU
		// per request. (serveRaw waits without that read.)
		runtime.Gosched()
	}
	return err
}

var errClientClosing = errors.New("client closing")

func (c *Client) closeWhenIdle() {
	c.idleOnly.Store(true)
	// A client blocked in Read is idle: wake it so it sees the flag.
	c.conn.SetReadDeadline(time.Now())
}

// serve is the connection's goroutine: read every buffered request,
// execute each, and write all replies at once when the input runs dry.
func (c *Client) serve() {
	defer func() {
		c.conn.Close()
		c.freeTxPubsub()
		c.srv.removeClient(c)
	}()
	if rc := rawio.Conn(c.conn); rc != nil {
		c.serveRaw(rc)
		return
	}
	for {
		args, err := c.r.ReadCommand()
		if err != nil {
			c.readFailed(err)
			return
		}
		if !c.serveOne(command.Lookup(args[0]), args) {
			return
		}
	}
}

// serveOne executes one request of the batch and reports whether the
// connection goes on.
func (c *Client) serveOne(cmd *command.Command, args [][]byte) bool {
	c.executeCmd(cmd, args)
	if c.closing || c.killed.Load() {
		// Redis frees a client before it runs another command once its
		// last reply is written: whoever has read that reply (QUIT's +OK)
		// must not see its subscriptions or watches any more.
		c.freeTxPubsub()
		c.flush(false)
		return false
	}
	if c.w.Buffered() > 64*1024 {
		// A long pipeline of big replies: do not hold them all.
		if c.flush(false) != nil {
			return false
		}
	}
	return true
}

// readFailed ends the connection after a read error: a malformed request
// gets Redis's error reply first.
func (c *Client) readFailed(err error) {
	var pe *resp.ProtocolError
	if errors.As(err, &pe) {
		c.w.WriteError("ERR " + pe.Msg)
		c.flush(false) // waits for the AOF like any batch
		c.srv.log.Debug().Str("client", c.conn.RemoteAddr().String()).Msg(pe.Msg)
	} else if !errors.Is(err, io.EOF) && !errors.Is(err, errClientClosing) {
		c.srv.log.Debug().Err(err).Msg("client read")
	}
}

// serveRaw is serve's loop inside one syscall.RawConn.Read (see
// internal/rawio): after a read that emptied the socket, it waits for the
// next request without a read that finds nothing, which at pipeline depth
// 1 is one syscall per request saved. On entering the call it reads
// first, since readiness seen before the call is forgotten.
//
// Commands with the blocking flag run outside the call: a client that
// blocks reads its connection while it waits (waitUnblocked), which the
// descriptor's read lock, held inside the call, would not allow.
func (c *Client) serveRaw(rc syscall.RawConn) {
	c.raw = true
	var (
		stop    bool
		blocked [][]byte
		bcmd    *command.Command
	)
	for {
		drained := false
		err := rc.Read(func(fd uintptr) bool {
			for {
				for {
					args, err := c.r.Next()
					if err != nil {
						c.readFailed(err)
						stop = true
						return true
					}
					if args == nil {
						break
					}
					cmd := command.Lookup(args[0])
					if cmd != nil && cmd.Has(command.Blocking) {
						blocked, bcmd = args, cmd
						return true
					}
					if !c.serveOne(cmd, args) {
						stop = true
						return true
					}
				}
				if err := c.r.BeforeFill(); err != nil {
					c.readFailed(err)
					stop = true
					return true
				}
				if drained {
					drained = false
					return false
				}
				socket := false
				_, full, err := c.r.FillFrom(func(p []byte) (int, error) {
					if n, ok, err := c.blk.readPending(p); ok {
						return n, err
					}
					socket = true
					return rawio.Read(fd, p)
				})
				switch {
				case err == syscall.EAGAIN:
					return false
				case err != nil:
					c.readFailed(err)
					stop = true
					return true
				}
				drained = socket && !full
			}
		})
		if blocked != nil {
			args := blocked
			blocked = nil
			if !c.serveOne(bcmd, args) {
				return
			}
		}
		if stop {
			return
		}
		if err != nil {
			c.readFailed(err)
			return
		}
	}
}

// execute runs one request the way redis-server's processCommand does:
// command lookup, subcommand lookup, arity, authentication, then the handler.
func (c *Client) execute(args [][]byte) { c.executeCmd(command.Lookup(args[0]), args) }

// executeCmd is execute with args[0] looked up (nil: unknown).
func (c *Client) executeCmd(cmd *command.Command, args [][]byte) {
	// The wall clock is read once per batch (time.Now reads two clocks:
	// ~47ns here); within a batch a command starts when the previous one
	// ended, measured on the monotonic clock alone (time.Since).
	if c.clockStale {
		c.batchStart = time.Now()
		c.batchStartMs = c.batchStart.UnixMilli()
		c.elapsed = 0
		c.clockStale = false
	}
	start := c.elapsed
	c.now = c.batchStartMs + int64(start/time.Millisecond)
	c.lastSeen.Store(c.now)

	if cmd == nil {
		c.rejectUnknown(args)
		return
	}
	if len(cmd.Subcommands) > 0 && len(args) >= 2 {
		sub := cmd.Subcommand(args[1])
		if sub == nil {
			c.reject(cmd, command.UnknownSubcommandError(string(args[0]), string(args[1])))
			return
		}
		cmd = sub
	}
	if !cmd.ArityOK(len(args)) {
		c.reject(cmd, command.ArityError(cmd))
		return
	}
	if cmd.Has(command.Protected) {
		if msg := protectedCommandError(c, cmd); msg != "" {
			c.reject(cmd, msg)
			return
		}
	}
	if !c.authed && !cmd.Has(command.NoAuth) && c.srv.cfg.requirePass() != "" {
		c.reject(cmd, "NOAUTH Authentication required.")
		return
	}
	im := implFor(cmd)
	if im == nil {
		c.rejectUnknown(args)
		return
	}
	if c.refusesWrite(cmd) {
		if msg := c.srv.misconf(); msg != "" {
			c.reject(cmd, msg)
			return
		}
	}
	c.lastCmd.Store(cmd)
	if c.mode != 0 {
		// In MULTI, or subscribed: queueing and subscribed-mode rules.
		c.executeSpecial(cmd, im, args)
		return
	}
	c.call(cmd, im, args)
}

// call runs an accepted command's handler, with CLIENT REPLY's silencing,
// statistics and the slow log.
func (c *Client) call(cmd *command.Command, im *impl, args [][]byte) {
	start := c.elapsed
	mark := c.w.Buffered()
	skip := c.reply
	c.args = args
	im.h(c, args)
	c.args = nil
	c.noteWrite(cmd)
	if c.blk.flushed {
		// The handler blocked (blocking.go) and flushed what came before.
		mark = 0
		c.blk.flushed = false
	}
	failed := c.w.Buffered() > mark && c.w.Bytes()[mark] == '-'
	if failed {
		c.srv.admin.errs.count(c.w.Bytes()[mark:])
	}
	if skip != replyOn && c.reply != replyOn {
		c.w.Truncate(mark)
		if skip == replySkip && c.reply == replySkip {
			c.reply = replyOn
		}
	}
	c.elapsed = time.Since(c.batchStart)
	d := c.elapsed - start
	c.srv.stats.record(c.id, im.index, d, failed)
	c.slowlogCheck(cmd, args, d)
	c.afterCommand()
}

func (c *Client) rejectUnknown(args [][]byte) {
	c.reject(nil, command.UnknownCommandError(args))
}

// reject answers a command that was refused before it ran (counted as
// rejected_calls of cmd when it is known and implemented).
func (c *Client) reject(cmd *command.Command, msg string) {
	if c.mode&modeMulti != 0 || cmd == cmdExecEntry {
		msg = c.flagTransaction(cmd, msg)
	}
	c.srv.stats.reject(c.id, cmd)
	c.srv.admin.errs.count([]byte("-" + msg))
	switch c.reply {
	case replyOff: // CLIENT REPLY OFF silences rejections too
		return
	case replySkip:
		c.reply = replyOn
		return
	}
	c.w.WriteError(msg)
}

// Writer replies.
func (c *Client) err(msg string) { c.w.WriteError(msg) }

// Common error replies, with redis-server's texts.
const (
	errSyntax      = "ERR syntax error"
	errWrongType   = "WRONGTYPE Operation against a key holding the wrong kind of value"
	errNotInt      = "ERR value is not an integer or out of range"
	errNotFloat    = "ERR value is not a valid float"
	errOverflow    = "ERR increment or decrement would overflow"
	errNoSuchKey   = "ERR no such key"
	errDBIndex     = "ERR DB index is out of range"
	errInvalidExp  = "ERR invalid expire time in '%s' command"
	errOutOfRange  = "ERR index out of range"
	errOffsetRange = "ERR offset is out of range"
)
