package backend

import (
	"errors"
	"fmt"
	"io"
	"math/bits"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/shardis/shardis/aof"
	"github.com/shardis/shardis/internal/command"
)

// The node's append-only file (appendonly yes): what loads it at start,
// what appends every write command's effects to it, and its rewrite.
//
// Writing. A write command's records (propagate.go) reach the sink while
// the command still holds its shard locks, so the log's order is the
// execution order of every key. The sink appends them to the log's buffer
// and remembers, on the client, the log offset they end at; the
// connection flushes a batch of replies only after Wait(that offset) (the
// bytes written with write(2), fsynced under appendfsync always), so no
// reply acknowledges a write the log does not hold. While the log reports
// a write or fsync error, write commands (and PING, as in Redis) are refused
// with -MISCONF.
//
// Rewriting (BGREWRITEAOF, auto-aof-rewrite-*, CONFIG SET appendonly yes)
// takes no pause proportional to the dataset, nor to a lock shard.
// aof.Log.BeginRewrite opens a new incr file; then the keyspace is written
// to the new base one lock shard at a time, and each shard a chunk of
// about rewriteChunkEntries entries per hold of its lock (rewrite.go
// serializes it). Each shard of each database is, for the rewrite, not
// started, started (being dumped) or done. The commands of started (and
// done) shards go to the new incr (Rewrite.Append); those of shards not
// started yet go to the old incr (Log.Append), which the commit drops:
// their effects reach the base when their shard is dumped. A command that
// holds started and not started shards at once starts the others when it
// has locked them, before it changes them (beforeWrite, cheap), so its
// records go whole to the new incr.
//
// The base must hold each key of a started shard as it was when the shard
// started, since everything after is in the new incr. The dumper walks
// the shard's buckets in order, under the lock a chunk at a time, and the
// shard's dict is frozen (no resize) until it is done, so a bucket index
// says which keys are behind the dumper. A command reaching a key ahead of
// it (lookup, peek, remove, unlink) first saves the key's value to the
// shard's snap (key-level copy-on-write), and a key created meanwhile is
// marked so that the dumper leaves it out (rewrite.go, shardSnap). The
// exception: a command holding every shard of a database (FLUSHDB,
// FLUSHALL, SWAPDB, and lockDB's readers) finishes the dump of the shards
// it holds first, as a whole, when the rewrite reached any of them: it
// replaces tables wholesale, and is rare. Once every shard is done the
// rewrite commits: the manifest lists the new base and the new incr.
//
// Lock order: shard locks (in their order), then persistence.mu is never
// taken under a shard lock; rewriteJob.baseMu is taken under shard locks
// and guards only the base writer.

// persistence is a Server's AOF state.
type persistence struct {
	s *Server

	// log is the open AOF, nil while appendonly is off. Commands read it
	// with one atomic load.
	log atomic.Pointer[aof.Log]
	// job is the rewrite in progress, nil when none.
	job atomic.Pointer[rewriteJob]
	// end is the highest log offset appended: the replies of a write wait
	// until the log is written up to the end as it was after the write.
	end atomic.Int64

	mu sync.Mutex // serializes turning the AOF on and off and starting rewrites

	scheduled    atomic.Bool  // aof_rewrite_scheduled
	rewrites     atomic.Int64 // aof_rewrites
	failures     atomic.Int64 // aof_rewrites_consecutive_failures
	lastFailed   atomic.Bool  // aof_last_bgrewrite_status
	lastRewriteS atomic.Int64 // aof_last_rewrite_time_sec, -1 before the first
	jobStart     atomic.Int64 // unix ms the current rewrite began
	baseSize     atomic.Int64 // the base size after the last load or rewrite, for auto rewrite
	errLogged    atomic.Bool  // the current write error was logged

	fs aof.FS // nil: the operating system's; tests inject faults

	// Tests set these under mu; a rewrite takes them when it starts.
	// chunkHook runs in the dumper after each chunk, with the shard
	// unlocked: the shard, the entries the chunk visited under the lock,
	// and whether the shard is done. chunkEntries, when positive,
	// replaces rewriteChunkEntries.
	chunkHook    func(db, shard, entries int, end bool)
	chunkEntries int
}

func (p *persistence) init(s *Server) {
	p.s = s
	p.lastRewriteS.Store(-1)
}

// aofOptions are the aof.Options for the server's current configuration.
func (s *Server) aofOptions(o *Options) (aof.Options, error) {
	pol, err := aof.ParsePolicy(o.AppendFsync)
	if err != nil {
		return aof.Options{}, err
	}
	return aof.Options{
		Dir:           o.Dir,
		DirName:       o.AppendDirname,
		FileName:      o.AppendFilename,
		Fsync:         pol,
		LoadTruncated: o.AOFLoadTruncated,
		FS:            s.aof.fs,
		Logger:        s.log,
	}, nil
}

// openAOF opens and loads the AOF at start (appendonly yes). Its error
// says precisely what is wrong with the files; the node must not start.
func (s *Server) openAOF() error {
	o := s.cfg.load()
	ao, err := s.aofOptions(o)
	if err != nil {
		return err
	}
	l, err := aof.Open(ao)
	if err != nil {
		return fmt.Errorf("backend: AOF: %w", err)
	}
	start := time.Now()
	ld := newLoader(s)
	info, err := l.Load(ld.apply)
	if err == nil {
		err = ld.err
	}
	if err != nil {
		l.Close()
		return fmt.Errorf("backend: loading the AOF: %w", err)
	}
	keys := 0
	for _, db := range s.dbs {
		for i := range db.shards {
			keys += db.shards[i].dict.count
		}
	}
	// (A torn tail cut off is warned of by aof.Load, with the file.)
	s.log.Info().Int64("commands", ld.n).Int("keys", keys).
		Int("files", info.Files).Int64("bytes", info.Bytes).
		Str("took", time.Since(start).Round(time.Microsecond).String()).
		Msg("DB loaded from append only file")
	s.aof.baseSize.Store(l.Info().CurrentSize)
	s.aof.log.Store(l)
	s.installSink()
	return nil
}

// --- Loading -------------------------------------------------------------------

// loader runs the AOF's commands through the command table and handlers,
// as redis-server's loadAppendOnlyFiles does with its fake client: no
// connection, replies dropped, and nothing propagated (the sink is not
// installed yet). Its clock stands at 0, so that, as while Redis loads,
// nothing expires: a key whose time ran out is loaded, then expires.
type loader struct {
	c   *Client
	n   int64
	err error
}

func newLoader(s *Server) *loader {
	c := newClient(s, loaderConn{})
	c.authed = true
	c.now = 0
	c.clockStale = false
	return &loader{c: c}
}

var errLoadUnknown = errors.New("unknown command")

func (ld *loader) apply(db int, args [][]byte) error {
	c := ld.c
	if db < 0 || db >= len(c.srv.dbs) {
		return fmt.Errorf("SELECT %d: %s", db, errDBIndex[4:])
	}
	c.db = c.srv.dbs[db]
	cmd := command.Lookup(args[0])
	if cmd == nil {
		return fmt.Errorf("%w '%s' reading the append only file", errLoadUnknown, args[0])
	}
	if cmd == cmdMultiEntry || cmd == cmdExecEntry {
		// The log applies a transaction's commands once it has seen its
		// EXEC; they run here one after the other, nobody else running.
		return nil
	}
	if len(cmd.Subcommands) > 0 && len(args) >= 2 {
		if sub := cmd.Subcommand(args[1]); sub != nil {
			cmd = sub
		}
	}
	im := implFor(cmd)
	if im == nil || !cmd.ArityOK(len(args)) {
		return fmt.Errorf("bad command %q reading the append only file", args[0])
	}
	im.h(c, args)
	c.w.Truncate(0)
	ld.n++
	return nil
}

// loaderConn stands for the loading client's connection, which has no
// peer: it reads nothing and discards what is written.
type loaderConn struct{}

func (loaderConn) Read([]byte) (int, error)         { return 0, io.EOF }
func (loaderConn) Write(b []byte) (int, error)      { return len(b), nil }
func (loaderConn) Close() error                     { return nil }
func (loaderConn) LocalAddr() net.Addr              { return loaderAddr{} }
func (loaderConn) RemoteAddr() net.Addr             { return loaderAddr{} }
func (loaderConn) SetDeadline(time.Time) error      { return nil }
func (loaderConn) SetReadDeadline(time.Time) error  { return nil }
func (loaderConn) SetWriteDeadline(time.Time) error { return nil }

type loaderAddr struct{}

func (loaderAddr) Network() string { return "aof" }
func (loaderAddr) String() string  { return "aof-loader" }

// --- Writing -------------------------------------------------------------------

// aofSink is the Sink that feeds the AOF.
type aofSink struct{ p *persistence }

// Propagate appends one command's (or one EXEC's) records to the log, with
// the command's shards locked, routed by the rewrite when one runs, and
// raises the end offset the replies of writes wait for.
func (k aofSink) Propagate(recs []Record, held []HeldShards) {
	p := k.p
	l := p.log.Load()
	if l == nil || len(recs) == 0 {
		return
	}
	var off int64
	if j := p.job.Load(); j != nil && j.log == l && j.allStarted(held) {
		off = j.rw.Append(recs)
	} else {
		off = l.Append(recs)
	}
	for {
		cur := p.end.Load()
		if off <= cur || p.end.CompareAndSwap(cur, off) {
			return
		}
	}
}

func (s *Server) installSink() { s.SetSink(aofSink{&s.aof}) }

func (s *Server) removeSink() { s.SetSink(nil) }

// noteWrite runs after a command: a write's reply must wait for the log's
// end as it is now, which covers the command's own records (handed over
// before it unlocked its shards).
func (c *Client) noteWrite(cmd *command.Command) {
	if (cmd.Has(command.Write) || cmd == cmdExecEntry) && c.srv.aof.log.Load() != nil {
		if off := c.srv.aof.end.Load(); off > c.aofOff {
			c.aofOff = off
		}
	}
}

// waitDurable blocks until the log holds everything c's replies so far
// acknowledge. It is called before c's replies are written; an error means
// they must not be.
func (c *Client) waitDurable() error {
	if c.aofOff <= c.aofWaited {
		return nil
	}
	l := c.srv.aof.log.Load()
	if l == nil {
		c.aofWaited = c.aofOff
		return nil
	}
	// A client's offsets may come from a log closed since (CONFIG SET
	// appendonly no, then yes): it wrote everything when it closed.
	if err := l.Wait(min(c.aofOff, c.srv.aof.end.Load())); err != nil {
		return err
	}
	c.aofWaited = c.aofOff
	return nil
}

// misconf returns Redis's -MISCONF reply while the AOF cannot be written,
// else "".
func (s *Server) misconf() string {
	l := s.aof.log.Load()
	if l == nil {
		return ""
	}
	err := l.Err()
	if err == nil {
		return ""
	}
	return "MISCONF Errors writing to the AOF file: " + errnoText(err)
}

// refusesWrite reports whether cmd is refused while the AOF cannot be
// written: write commands, an EXEC with one queued, and PING (as Redis,
// so that monitoring notices).
func (c *Client) refusesWrite(cmd *command.Command) bool {
	if cmd.Has(command.Write) || cmd == cmdPingEntry {
		return true
	}
	if cmd == cmdExecEntry && c.tx != nil {
		for _, q := range c.tx.cmds {
			if q.cmd.Has(command.Write) {
				return true
			}
		}
	}
	return false
}

var (
	cmdPingEntry  = command.Lookup([]byte("ping"))
	cmdMultiEntry = command.Lookup([]byte("multi"))
)

// errnoText is strerror(errno) for an I/O error, as Redis reports it.
func errnoText(err error) string {
	var en syscall.Errno
	if errors.As(err, &en) {
		return strerror(en)
	}
	return err.Error()
}

// --- Rewrite -------------------------------------------------------------------

// rewriteJob is a rewrite in progress.
type rewriteJob struct {
	p     *persistence
	rw    *aof.Rewrite
	start time.Time
	log   *aof.Log
	// started[db] bit i: shard i of database db is started (its commands
	// go to the new incr); dumped[db] bit i: it is done (wholly in the
	// new base). A bit changes only under its shard's lock.
	started []atomic.Uint32
	dumped  []atomic.Uint32
	done    chan struct{} // closed when the job ends

	limit int                                    // entries per chunk
	hook  func(db, shard, entries int, end bool) // persistence.chunkHook

	baseMu  sync.Mutex // guards baseDB, baseErr and writes to the base
	baseDB  int        // the database the base's last SELECT chose
	baseErr error
}

// allStarted reports whether every shard in held is started. The shards
// are locked; beforeWrite made sure they are all started or none is.
func (j *rewriteJob) allStarted(held []HeldShards) bool {
	for _, h := range held {
		if j.started[h.DB].Load()&h.Shards != h.Shards {
			return false
		}
	}
	return true
}

// beforeWrite runs when a command has locked shards, before it reads or
// changes them, during a rewrite: if it holds started and not started
// shards, it starts the others, so that its records can go whole to the
// new incr. A command that holds every shard of a database and any
// started one finishes the dump of every shard it holds instead.
func (p *persistence) beforeWrite(held []HeldShards) {
	j := p.job.Load()
	if j == nil {
		return
	}
	some, all, wide := false, true, false
	for _, h := range held {
		st := j.started[h.DB].Load() & h.Shards
		some = some || st != 0
		all = all && st == h.Shards
		wide = wide || h.Shards == uint32(allShards)
	}
	if !some || (all && !wide) {
		return
	}
	for _, h := range held {
		db := p.s.dbs[h.DB]
		todo := h.Shards &^ j.started[h.DB].Load()
		if wide {
			todo = h.Shards &^ j.dumped[h.DB].Load()
		}
		for ; todo != 0; todo &= todo - 1 {
			sh := &db.shards[bits.TrailingZeros32(todo)]
			if wide {
				j.finishLocked(db, sh)
			} else {
				j.startLocked(db, sh)
			}
		}
	}
}

// startLocked starts the dump of sh, shard of db, which must be locked
// and not started: its commands go to the new incr from now on.
func (j *rewriteJob) startLocked(db *DB, sh *shard) {
	sh.snap = newShardSnap(j)
	sh.dict.frozen = true
	j.started[db.id].Or(1 << sh.idx)
}

// chunkLocked dumps the next chunk of sh, shard of db, into w (the whole
// rest when limit <= 0), starting the shard first if it is not started,
// and marks it done when its last bucket is dumped. The shard must be
// locked. It returns the entries visited and whether the shard is done.
func (j *rewriteJob) chunkLocked(w *snapshotWriter, db *DB, sh *shard, limit int) (int, bool) {
	bit := uint32(1) << sh.idx
	if j.dumped[db.id].Load()&bit != 0 {
		return 0, true
	}
	if j.started[db.id].Load()&bit == 0 {
		j.startLocked(db, sh)
	}
	n, end := sh.snap.chunk(w, db, sh, time.Now().UnixMilli(), limit)
	if end {
		sh.snap = nil
		sh.dict.frozen = false
		j.dumped[db.id].Or(bit)
	}
	return n, end
}

// finishLocked dumps the rest of sh, shard of db, at once and writes it
// to the base. The shard must be locked.
func (j *rewriteJob) finishLocked(db *DB, sh *shard) {
	w := newSnapshotWriter()
	j.chunkLocked(w, db, sh, 0)
	j.writeBase(db.id, w.buf)
}

// release leaves no shard of the server with j's dump state: an ended
// rewrite's shards are not frozen, and their commands pay no
// copy-on-write. Shards that a later rewrite started keep theirs.
func (j *rewriteJob) release() {
	for _, db := range j.p.s.dbs {
		for i := range db.shards {
			sh := &db.shards[i]
			sh.mu.Lock()
			if sh.snap != nil && sh.snap.job == j {
				sh.snap = nil
				sh.dict.frozen = false
			}
			sh.mu.Unlock()
		}
	}
}

// writeBase appends a shard's snapshot to the base, leaving out its
// SELECT when the base already selected that database.
func (j *rewriteJob) writeBase(db int, b []byte) {
	if len(b) == 0 {
		return
	}
	j.baseMu.Lock()
	defer j.baseMu.Unlock()
	if j.baseDB == db {
		b = b[len(appendSelectCommand(nil, db)):]
	}
	j.baseDB = db
	if j.baseErr != nil {
		return
	}
	if _, err := j.rw.Base().Write(b); err != nil {
		j.baseErr = err
	}
}

// errRewriteInProgress is BGREWRITEAOF's reply while one runs.
const errRewriteInProgress = "ERR Background append only file rewriting already in progress"

// startRewrite begins a background rewrite of l. It fails when one is
// already running.
func (p *persistence) startRewrite(l *aof.Log) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.startRewriteLocked(l)
}

func (p *persistence) startRewriteLocked(l *aof.Log) error {
	if p.job.Load() != nil {
		return errors.New(errRewriteInProgress)
	}
	rw, err := l.BeginRewrite()
	if err != nil {
		p.rewriteFailed(err)
		return err
	}
	j := &rewriteJob{p: p, rw: rw, log: l, start: time.Now(), baseDB: -1,
		started: make([]atomic.Uint32, len(p.s.dbs)),
		dumped:  make([]atomic.Uint32, len(p.s.dbs)), done: make(chan struct{}),
		limit: rewriteChunkEntries, hook: p.chunkHook}
	if p.chunkEntries > 0 {
		j.limit = p.chunkEntries
	}
	p.jobStart.Store(j.start.UnixMilli())
	p.scheduled.Store(false)
	p.job.Store(j)
	p.s.goFunc(func() { p.runRewrite(l, j) })
	return nil
}

// runRewrite dumps every shard not done yet, a chunk at a time under its
// lock, then commits.
func (p *persistence) runRewrite(l *aof.Log, j *rewriteJob) {
	s := p.s
	pace := dumpPacer{last: time.Now()}
	w := newSnapshotWriter() // its buffer is reused from chunk to chunk
	for _, db := range s.dbs {
		for i := range db.shards {
			sh := &db.shards[i]
			for end := false; !end; {
				w.buf, w.db = w.buf[:0], -1
				sh.mu.Lock()
				var n int
				n, end = j.chunkLocked(w, db, sh, j.limit)
				sh.mu.Unlock()
				// Written outside the lock: the shard's later commands go
				// to the new incr, which loads after the base whatever
				// the order.
				j.writeBase(db.id, w.buf)
				if j.hook != nil {
					j.hook(db.id, i, n, end)
				}
				if err := j.stopped(); err != nil {
					p.finishRewrite(j, err, true)
					return
				}
				pace.next()
			}
		}
	}
	err := j.rw.Commit()
	p.finishRewrite(j, err, true)
	if err == nil {
		p.baseSize.Store(l.Info().CurrentSize)
	}
}

// The dumper's pace. It shares the node's core (GOMAXPROCS is 1 by
// default) with the clients, and a goroutine that is always runnable keeps
// the Go scheduler from polling the network, which it does when it has
// nothing left to run (or from sysmon, every 10 ms at worst): a dumper
// that only called runtime.Gosched between chunks left requests unread
// for up to 10 ms, p99 9.6 ms under SET load at -c 50 against 0.9 ms
// steady (1.45 M keys, bench/aof_compare.sh part 3 and variants, 2 shared
// cores). So after about rewriteBurst of chunks (Gosched between them) it
// sleeps rewriteRest, long enough for the scheduler to run out of work
// and poll. Measured the same way: 0.2 ms / 0.5 ms gave p99 1.2-1.8 ms
// (steady 0.6-1.4), a rewrite taking 2-3 s under that load (1 s
// unpaced); 0.1 ms / 1 ms gave 1.0-1.3 ms (steady 0.85-0.9), but a
// rewrite of 1.8 M keys took 9 s against 3 s. Running the rewrite with
// one more P (GOMAXPROCS+1, the analogue of redis-server's forked child
// on another core) gave 4.3-4.6 ms with Gosched alone and 2.0-2.6 ms
// with the rests, worse than one P: it is not done. With the longer
// bursts while idle (dumpPacer.next), bench/aof_compare.sh part 3 gave p99
// 0.95 ms against 0.73 steady.
const (
	rewriteBurst = 200 * time.Microsecond
	rewriteRest  = 500 * time.Microsecond
)

// dumpPacer lets the clients run between the dumper's chunks.
type dumpPacer struct {
	last  time.Time     // when the last rest ended
	burst time.Duration // how long to run until the next rest
}

// next runs after a chunk: a yield, or a rest once the dumper has run
// for its burst since its last one. A rest that lasted twice what it
// asked for means the node had nothing to run (its scheduler slept in
// the network poller, by the millisecond): the next burst is twice as
// long, up to 8 times rewriteBurst, so that a rewrite on an idle node
// takes 0.4-0.8 s for 1 M keys rather than 1.9 s; a rest on time brings the
// burst back to rewriteBurst.
func (d *dumpPacer) next() {
	if d.burst == 0 {
		d.burst = rewriteBurst
	}
	if time.Since(d.last) < d.burst {
		runtime.Gosched()
		return
	}
	t := time.Now()
	time.Sleep(rewriteRest)
	d.last = time.Now()
	if d.last.Sub(t) >= 2*rewriteRest {
		d.burst = min(2*d.burst, 8*rewriteBurst)
	} else {
		d.burst = rewriteBurst
	}
}

// stopped returns why the rewrite must end before committing (the base
// could not be written, the server is shutting down: the old files stay
// as they were), or nil.
func (j *rewriteJob) stopped() error {
	j.baseMu.Lock()
	err := j.baseErr
	j.baseMu.Unlock()
	if err != nil {
		return err
	}
	select {
	case <-j.p.s.done:
		return errors.New("server shutting down")
	default:
		return nil
	}
}

// finishRewrite records a rewrite's outcome and ends the job.
func (p *persistence) finishRewrite(j *rewriteJob, err error, abort bool) {
	if err != nil && abort {
		if aerr := j.rw.Abort(); aerr != nil {
			p.s.log.Warn().Err(aerr).Msg("aborting the AOF rewrite")
		}
	}
	p.job.Store(nil)
	// After the Store: no command starts a shard of j from now on.
	j.release()
	close(j.done)
	p.lastRewriteS.Store(int64(time.Since(j.start) / time.Second))
	p.jobStart.Store(0)
	if err != nil {
		p.rewriteFailed(err)
		return
	}
	p.rewrites.Add(1)
	p.failures.Store(0)
	p.lastFailed.Store(false)
	p.s.log.Info().Dur("took", time.Since(j.start)).Msg("Background AOF rewrite finished successfully")
}

func (p *persistence) rewriteFailed(err error) {
	p.failures.Add(1)
	p.lastFailed.Store(true)
	p.s.log.Warn().Err(err).Msg("Background AOF rewrite failed")
}

// cronAOF runs with the server's cron: it logs a write error once, and its
// end, and starts an automatic rewrite when the AOF has grown by
// auto-aof-rewrite-percentage since the last one.
func (s *Server) cronAOF() {
	p := &s.aof
	l := p.log.Load()
	if l == nil {
		return
	}
	if err := l.Err(); err != nil {
		if !p.errLogged.Swap(true) {
			s.log.Error().Err(err).Msg("Error writing to the AOF file: writes are refused (-MISCONF) until it can be written again")
		}
	} else if p.errLogged.Swap(false) {
		s.log.Warn().Msg("AOF write error looks solved, Redis can write again.")
	}
	o := s.cfg.load()
	if p.job.Load() != nil {
		return
	}
	if p.scheduled.Load() {
		if err := p.startRewrite(l); err != nil {
			s.log.Warn().Err(err).Msg("scheduled AOF rewrite")
		}
		return
	}
	if o.AutoAOFRewritePercentage <= 0 {
		return
	}
	cur := l.Info().CurrentSize
	base := max(p.baseSize.Load(), 1)
	if cur >= o.AutoAOFRewriteMinSize && (cur-base)*100/base >= int64(o.AutoAOFRewritePercentage) {
		s.log.Info().Int64("size", cur).Int64("base", base).Msg("Starting automatic rewriting of AOF")
		if err := p.startRewrite(l); err != nil {
			s.log.Warn().Err(err).Msg("automatic AOF rewrite")
		}
	}
}

// cmdBGRewriteAOF is BGREWRITEAOF.
func cmdBGRewriteAOF(c *Client, args [][]byte) {
	p := &c.srv.aof
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.job.Load() != nil {
		c.err(errRewriteInProgress)
		return
	}
	l := p.log.Load()
	if l == nil {
		// As redis-server with appendonly no: write the files anyway.
		if err := c.srv.rewriteDetached(); err != nil {
			c.err("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.")
			return
		}
		c.w.WriteSimple("Background append only file rewriting started")
		return
	}
	if err := p.startRewriteLocked(l); err != nil {
		c.err("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.")
		return
	}
	c.w.WriteSimple("Background append only file rewriting started")
}

// rewriteDetached is BGREWRITEAOF while appendonly is off: the directory
// gets a fresh base of the dataset, and the log is closed again.
func (s *Server) rewriteDetached() error {
	ao, err := s.aofOptions(s.cfg.load())
	if err != nil {
		return err
	}
	l, err := aof.Open(ao)
	if err != nil {
		s.log.Warn().Err(err).Msg("BGREWRITEAOF")
		return err
	}
	p := &s.aof
	// Nothing is logged, but the lock helpers must call beforeWrite so
	// that a command on dumped and undumped shards cannot leave the base
	// half before and half after it: that takes a Sink (which drops what
	// it gets while the log is off).
	s.installSink()
	if err := p.startRewriteLocked(l); err != nil {
		s.removeSink()
		l.Close()
		return err
	}
	j := p.job.Load()
	s.goFunc(func() {
		<-j.done
		p.mu.Lock()
		if p.log.Load() == nil {
			s.removeSink()
		}
		p.mu.Unlock()
		l.Close()
	})
	return nil
}

// --- CONFIG SET appendonly, appendfsync ------------------------------------

func init() {
	register("bgrewriteaof", cmdBGRewriteAOF)
	onConfigChange("appendonly", applyAppendOnly)
	onConfigChange("appendfsync", applyAppendFsync)
}

// applyAppendOnly turns the AOF on (opening the files and rewriting them
// from the dataset, as Redis's startAppendOnly) or off (flushing and
// closing them).
func applyAppendOnly(s *Server, old, cur *Options) error {
	p := &s.aof
	p.mu.Lock()
	defer p.mu.Unlock()
	if !cur.AppendOnly {
		l := p.log.Load()
		if l == nil {
			return nil
		}
		p.log.Store(nil)
		s.removeSink()
		// Commands that loaded l before the swap may still append and
		// wait: Close flushes what they appended first.
		if err := l.Close(); err != nil {
			s.log.Warn().Err(err).Msg("closing the AOF")
		}
		return nil
	}
	if p.log.Load() != nil {
		return nil
	}
	ao, err := s.aofOptions(cur)
	if err != nil {
		return err
	}
	l, err := aof.Open(ao)
	if err != nil {
		s.log.Warn().Err(err).Msg("CONFIG SET appendonly yes")
		return errors.New("Unable to turn on AOF. Check server logs.")
	}
	// The files may hold an older dataset: the rewrite replaces them with
	// this one. Until it commits, what is appended goes with the shards'
	// routing like in any rewrite; a crash before then loads the old files
	// and what was appended since.
	if n := l.Info().CurrentSize; n > 0 {
		s.log.Warn().Int64("bytes", n).Str("dir", l.Dir()).
			Msg("CONFIG SET appendonly yes: the directory holds an older AOF; the rewrite now starting replaces it")
	}
	p.end.Store(0)
	p.log.Store(l)
	s.installSink()
	if err := p.startRewriteLocked(l); err != nil {
		p.log.Store(nil)
		s.removeSink()
		l.Close()
		s.log.Warn().Err(err).Msg("CONFIG SET appendonly yes")
		return errors.New("Unable to turn on AOF. Check server logs.")
	}
	return nil
}

func applyAppendFsync(s *Server, old, cur *Options) error {
	pol, err := aof.ParsePolicy(cur.AppendFsync)
	if err != nil {
		return err
	}
	if l := s.aof.log.Load(); l != nil {
		l.SetFsync(pol)
	}
	return nil
}

// closeAOF flushes, fsyncs and closes the AOF when the server stops.
func (s *Server) closeAOF() {
	p := &s.aof
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.log.Load()
	if l == nil {
		return
	}
	p.log.Store(nil)
	if err := l.Close(); err != nil {
		s.log.Error().Err(err).Msg("closing the AOF")
	}
}

// --- INFO persistence ----------------------------------------------------------

// infoAOF writes the aof_* fields of INFO persistence, in redis-server
// 7.0's order.
func (s *Server) infoAOF(w *infoWriter) {
	p := &s.aof
	l := p.log.Load()
	w.field("aof_enabled", boolDigit(s.cfg.load().AppendOnly))
	w.field("aof_rewrite_in_progress", boolDigit(p.job.Load() != nil))
	w.field("aof_rewrite_scheduled", boolDigit(p.scheduled.Load()))
	w.int("aof_last_rewrite_time_sec", p.lastRewriteS.Load())
	cur := int64(-1)
	if st := p.jobStart.Load(); st != 0 {
		cur = (time.Now().UnixMilli() - st) / 1000
	}
	w.int("aof_current_rewrite_time_sec", cur)
	w.field("aof_last_bgrewrite_status", okErr(!p.lastFailed.Load()))
	w.int("aof_rewrites", p.rewrites.Load())
	w.int("aof_rewrites_consecutive_failures", p.failures.Load())
	var in aof.Info
	if l != nil {
		in = l.Info()
	}
	w.field("aof_last_write_status", okErr(in.LastWriteErr == nil && in.LastFsyncErr == nil))
	w.field("aof_last_cow_size", "0")
	w.field("module_fork_in_progress", "0")
	w.field("module_fork_last_cow_size", "0")
	if l == nil {
		return
	}
	w.int("aof_current_size", in.CurrentSize)
	w.int("aof_base_size", in.BaseSize)
	w.field("aof_pending_rewrite", "0")
	w.int("aof_buffer_length", in.BufferLength)
	w.field("aof_pending_bio_fsync", boolDigit(in.PendingFsync))
	w.int("aof_delayed_fsync", in.DelayedFsync)
}

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func okErr(ok bool) string {
	if ok {
		return "ok"
	}
	return "err"
}

// aofFailed drops c's pending replies, which acknowledge writes the log
// could not write, and closes the client: it must not take them as done.
func (c *Client) aofFailed(err error) {
	c.srv.log.Error().Err(err).Int64("client", c.id).
		Msg("AOF write failed: closing the client without acknowledging its writes")
	c.w.Truncate(0)
	c.kill()
}
