package aof

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Record is one command as the log stores it.
type Record struct {
	// DB is the database the command ran in; the log emits SELECT when it
	// differs from the previous record's in the same file.
	DB int
	// Cmd is one complete RESP array (the command as logged).
	Cmd []byte
}

// Options configures a Log.
type Options struct {
	// Dir is the node's working directory; the files live in Dir/DirName.
	Dir string
	// DirName is appenddirname; "" means "appendonlydir".
	DirName string
	// FileName is appendfilename; "" means "appendonly.aof".
	FileName string
	// Fsync is the appendfsync policy.
	Fsync Policy
	// LoadTruncated is aof-load-truncated: a torn tail of the last file is
	// cut off with a warning instead of refusing to load.
	LoadTruncated bool
	// FS is the file system; nil means the operating system's.
	FS FS
	// Logger receives warnings (torn tails, write errors).
	Logger zerolog.Logger
}

// ErrClosed is returned when the log is used after Close.
var ErrClosed = errors.New("aof: log closed")

// ErrRDBBase is returned (wrapped, with the file name) by Open when the
// manifest's base file is in RDB format (aof-use-rdb-preamble yes).
var ErrRDBBase = errors.New("aof: base file is in RDB format")

// ErrMissingFile is returned (wrapped, with the file name) by Open when a
// file listed in the manifest does not exist.
var ErrMissingFile = errors.New("aof: a file listed in the manifest does not exist")

// segFile is an incr file the log appends to.
type segFile struct {
	name   string
	seq    int64
	f      File
	size   int64 // bytes written with write(2)
	synced int64 // bytes covered by an fsync
	db     int   // database of the last appended record, -1 at file start
}

// mark ends a run of pending bytes that go to one file.
type mark struct {
	f   *segFile
	end int // index in Log.buf
}

// Log is an open append-only log: a Redis 7 multi-part AOF directory.
// Append, Wait and the other methods are safe for concurrent use.
type Log struct {
	opts Options
	fs   FS
	dir  string // Dir/DirName
	log  zerolog.Logger

	// mu guards every field below. It is held only to copy bytes and
	// update counters, never across I/O.
	mu         sync.Mutex
	cond       *sync.Cond // broadcast when written, synced or writing change
	man        *manifest
	policy     Policy
	buf        []byte // appended, not yet handed to a writer
	marks      []mark // runs of buf per target file, in order
	spare      []byte // the writer's previous buffer, reused
	spareMarks []mark
	bufStart   int64 // logical offset of buf[0]
	end        int64 // logical offset after the last appended byte
	written    int64 // logical offset written with write(2)
	synced     int64 // logical offset fsynced (every byte before it)
	writing    bool  // a leader is writing or fsyncing outside mu
	cur        *segFile
	rw         *Rewrite
	baseSize   int64 // aof_base_size: the total size after the last load or rewrite
	fileSize   int64 // the base's size
	oldSize    int64 // the incr files before cur that the manifest lists
	loaded     bool

	werr      error // the last write error, nil once a write succeeds
	ferr      error // the last fsync error, nil once an fsync succeeds
	delayed   int64 // writes postponed for a pending fsync (aof_delayed_fsync)
	fsyncing  chan struct{}
	fsyncFrom time.Time
	lastSync  time.Time
	closed    bool
	closing   bool          // Close has started
	failGen   uint64        // failed writes and fsyncs so far
	kick      chan struct{} // wakes the dedicated writer, nil without one

	timing  timing
	scratch struct { // the write leader's, reused (l.writing guards them)
		files  []*segFile
		synced []int64
		sizes  []pendingWrite
	}
	stop chan struct{}
	wg   sync.WaitGroup
}

func (o *Options) defaults() {
	if o.DirName == "" {
		o.DirName = "appendonlydir"
	}
	if o.FileName == "" {
		o.FileName = "appendonly.aof"
	}
	if o.FS == nil {
		o.FS = OSFS{}
	}
}

// ManifestName is the manifest's file name for appendfilename name.
func ManifestName(name string) string { return name + ".manifest" }

func baseName(name string, seq int64) string {
	return name + "." + strconv.FormatInt(seq, 10) + ".base.aof"
}

func incrName(name string, seq int64) string {
	return name + "." + strconv.FormatInt(seq, 10) + ".incr.aof"
}

// Open opens the log in opts.Dir/opts.DirName, creating the directory, an
// empty base, an incr file and the manifest when there is no manifest. An
// existing manifest is checked: every listed file must exist and the base
// must be in AOF format. History files are removed. New records go to the
// last incr file (a new one when the manifest lists none). Call Load before
// the first Append to replay the log.
func Open(opts Options) (*Log, error) {
	opts.defaults()
	l := &Log{
		opts:   opts,
		fs:     opts.FS,
		dir:    filepath.Join(opts.Dir, opts.DirName),
		log:    opts.Logger,
		policy: opts.Fsync,
		stop:   make(chan struct{}),
		timing: timing{fsync: fsyncEvery, retry: retryEvery, postpone: maxPostponeBy},
	}
	l.cond = sync.NewCond(&l.mu)
	if err := l.fs.MkdirAll(l.dir, 0o755); err != nil {
		return nil, fmt.Errorf("aof: creating %s: %w", l.dir, err)
	}
	man, err := readManifest(l.fs, l.dir, ManifestName(opts.FileName))
	switch {
	case errors.Is(err, fs.ErrNotExist) && l.oldStyle():
		man, err = l.upgrade()
		if err != nil {
			return nil, err
		}
	case errors.Is(err, fs.ErrNotExist):
		man, err = l.create()
		if err != nil {
			return nil, err
		}
	case err != nil:
		return nil, fmt.Errorf("aof: %s: %w", filepath.Join(l.dir, ManifestName(opts.FileName)), err)
	case l.upgradeInterrupted(man):
		if man, err = l.upgrade(); err != nil {
			return nil, err
		}
	}
	if err := l.check(man); err != nil {
		return nil, err
	}
	if err := l.openIncr(man); err != nil {
		return nil, err
	}
	l.removeTemps()
	l.wg.Add(1)
	go l.background()
	return l, nil
}

// create makes a fresh directory: an empty base, an empty incr, then the
// manifest naming both (the manifest last, so a crash leaves no manifest
// and the next Open starts again).
func (l *Log) create() (*manifest, error) {
	man := &manifest{
		base: &fileInfo{name: baseName(l.opts.FileName, 1), seq: 1, typ: typeBase},
		incr: []fileInfo{{name: incrName(l.opts.FileName, 1), seq: 1, typ: typeIncr}},
	}
	for _, name := range []string{man.base.name, man.incr[0].name} {
		f, err := l.fs.OpenFile(filepath.Join(l.dir, name), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return nil, fmt.Errorf("aof: creating %s: %w", name, err)
		}
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("aof: creating %s: %w", name, err)
		}
	}
	if err := writeManifest(l.fs, l.dir, ManifestName(l.opts.FileName), man); err != nil {
		return nil, err
	}
	// The directory's own entry in the working directory.
	parent := l.opts.Dir
	if parent == "" {
		parent = "."
	}
	if err := l.fs.SyncDir(parent); err != nil {
		return nil, fmt.Errorf("aof: fsyncing %s: %w", parent, err)
	}
	return man, nil
}

// oldStyle reports whether Dir holds a single-file AOF as Redis before 7
// wrote it (Dir/FileName).
func (l *Log) oldStyle() bool {
	st, err := l.fs.Stat(filepath.Join(l.opts.Dir, l.opts.FileName))
	return err == nil && !st.IsDir()
}

// upgradeInterrupted reports whether a crash stopped upgrade between the
// manifest and the move, as redis-server's loadAppendOnlyFiles checks.
func (l *Log) upgradeInterrupted(man *manifest) bool {
	if man.base == nil || len(man.incr) > 0 || man.base.name != l.opts.FileName || !l.oldStyle() {
		return false
	}
	_, err := l.fs.Stat(filepath.Join(l.dir, l.opts.FileName))
	return errors.Is(err, fs.ErrNotExist)
}

// upgrade moves a single-file AOF into the directory as its base, as
// redis-server 7's aofUpgradePrepare does: first the manifest naming it,
// then the rename, so a crash in between is resumed by the next Open.
func (l *Log) upgrade() (*manifest, error) {
	man := &manifest{base: &fileInfo{name: l.opts.FileName, seq: 1, typ: typeBase}}
	if err := writeManifest(l.fs, l.dir, ManifestName(l.opts.FileName), man); err != nil {
		return nil, err
	}
	if err := l.fs.Rename(filepath.Join(l.opts.Dir, l.opts.FileName), filepath.Join(l.dir, l.opts.FileName)); err != nil {
		return nil, fmt.Errorf("aof: moving the old-style AOF %s into %s: %w", l.opts.FileName, l.dir, err)
	}
	for _, d := range []string{l.dir, l.opts.Dir} {
		if err := l.fs.SyncDir(d); err != nil {
			return nil, fmt.Errorf("aof: fsyncing %s: %w", d, err)
		}
	}
	l.log.Info().Str("file", l.opts.FileName).Msg("aof: migrated an old-style AOF into the AOF directory")
	return man, nil
}

// check verifies that every file the manifest lists exists and that the
// base is not an RDB file.
func (l *Log) check(man *manifest) error {
	for _, fi := range man.files() {
		st, err := l.fs.Stat(filepath.Join(l.dir, fi.name))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("%w: %s lists %s, not found in %s", ErrMissingFile,
					ManifestName(l.opts.FileName), fi.name, l.dir)
			}
			return fmt.Errorf("aof: %s: %w", fi.name, err)
		}
		l.oldSize += st.Size()
		if fi.typ == typeBase {
			rdb, err := isRDB(l.fs, filepath.Join(l.dir, fi.name))
			if err != nil {
				return fmt.Errorf("aof: %s: %w", fi.name, err)
			}
			if rdb {
				return fmt.Errorf("%w: %s starts with the REDIS magic (written with aof-use-rdb-preamble yes); "+
					"shardis loads only AOF-format bases: rewrite it with redis-server using aof-use-rdb-preamble no",
					ErrRDBBase, fi.name)
			}
		}
	}
	return nil
}

// isRDB reports whether the file starts with the RDB magic "REDIS".
func isRDB(fsys FS, path string) (bool, error) {
	f, err := fsys.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return false, err
	}
	defer f.Close()
	var magic [5]byte
	n, err := io.ReadFull(f, magic[:])
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return n == 5 && string(magic[:]) == "REDIS", nil
}

// openIncr opens the last incr file for appending, first adding one to the
// manifest when it lists none, and drops history files.
func (l *Log) openIncr(man *manifest) error {
	hist := man.history
	if len(man.incr) == 0 || len(hist) > 0 {
		if len(man.incr) == 0 {
			seq := man.lastIncrSeq() + 1
			f, err := l.fs.OpenFile(filepath.Join(l.dir, incrName(l.opts.FileName, seq)), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
			if err != nil {
				return fmt.Errorf("aof: creating an incr file: %w", err)
			}
			err = f.Sync()
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("aof: creating an incr file: %w", err)
			}
			man.incr = append(man.incr, fileInfo{name: incrName(l.opts.FileName, seq), seq: seq, typ: typeIncr})
		}
		man.history = nil
		if err := writeManifest(l.fs, l.dir, ManifestName(l.opts.FileName), man); err != nil {
			return err
		}
		for _, fi := range hist {
			if err := l.fs.Remove(filepath.Join(l.dir, fi.name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				l.log.Warn().Err(err).Str("file", fi.name).Msg("aof: removing a history file")
			}
		}
	}
	last := man.incr[len(man.incr)-1]
	f, err := l.fs.OpenFile(filepath.Join(l.dir, last.name), os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("aof: opening %s: %w", last.name, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("aof: %s: %w", last.name, err)
	}
	l.man = man
	l.oldSize -= st.Size()
	l.baseSize = l.oldSize + st.Size()
	l.cur = &segFile{name: last.name, seq: last.seq, f: f, size: st.Size(), synced: st.Size(), db: -1}
	return nil
}

// removeTemps removes temp files a crash left behind (a half-written base
// or manifest); they are never listed in the manifest.
func (l *Log) removeTemps() {
	names, err := l.fs.ReadDir(l.dir)
	if err != nil {
		return
	}
	manifestTmp := "temp-" + ManifestName(l.opts.FileName)
	baseTmp := "temp-rewrite-" + l.opts.FileName + "."
	for _, n := range names {
		if n == manifestTmp || (strings.HasPrefix(n, baseTmp) && strings.HasSuffix(n, ".base.aof")) {
			_ = l.fs.Remove(filepath.Join(l.dir, n))
		}
	}
}

// Dir is the directory holding the files (Options.Dir/DirName).
func (l *Log) Dir() string { return l.dir }

// ManifestPath is the manifest's path.
func (l *Log) ManifestPath() string { return filepath.Join(l.dir, ManifestName(l.opts.FileName)) }

// Err is non-nil while the last write or fsync failed; the backend refuses
// writes meanwhile (-MISCONF). It clears once a retry succeeds.
func (l *Log) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.errLocked()
}

func (l *Log) errLocked() error {
	if l.werr != nil {
		return l.werr
	}
	return l.ferr
}

// SetFsync changes the fsync policy (CONFIG SET appendfsync).
func (l *Log) SetFsync(p Policy) {
	l.mu.Lock()
	l.policy = p
	l.mu.Unlock()
	l.cond.Broadcast()
}

// Info holds the figures INFO persistence shows.
type Info struct {
	Policy            Policy
	CurrentSize       int64 // aof_current_size: base and incr files, as written
	BaseSize          int64 // aof_base_size: CurrentSize after the last load or rewrite, as Redis 7 counts it
	BufferLength      int64 // aof_buffer_length: appended, not yet written
	Written           int64 // logical offset written with write(2)
	Synced            int64 // logical offset fsynced
	LastWriteErr      error // nil: aof_last_write_status ok
	LastFsyncErr      error
	DelayedFsync      int64 // aof_delayed_fsync
	PendingFsync      bool  // aof_pending_bio_fsync
	RewriteInProgress bool
	LastFsync         time.Time
}

// Info returns the current figures.
func (l *Log) Info() Info {
	l.mu.Lock()
	defer l.mu.Unlock()
	in := Info{
		Policy:            l.policy,
		BaseSize:          l.baseSize,
		BufferLength:      int64(len(l.buf)),
		Written:           l.written,
		Synced:            l.synced,
		LastWriteErr:      l.werr,
		LastFsyncErr:      l.ferr,
		DelayedFsync:      l.delayed,
		PendingFsync:      l.fsyncing != nil,
		RewriteInProgress: l.rw != nil,
		LastFsync:         l.lastSync,
	}
	in.CurrentSize = l.currentSizeLocked()
	return in
}

// currentSizeLocked is aof_current_size: every file the manifest lists (and
// the new incr during a rewrite), as written.
func (l *Log) currentSizeLocked() int64 {
	n := l.oldSize + l.cur.size
	if l.rw != nil && l.rw.incr != nil {
		n += l.rw.incr.size
	}
	return n
}

// Close writes and fsyncs what is pending and closes the files. A rewrite
// in progress is aborted.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed || l.closing {
		l.mu.Unlock()
		return nil
	}
	l.closing = true
	rw := l.rw
	if rw != nil && rw.incr == nil {
		// BeginRewrite is still creating the new incr; it sees closing
		// and backs out.
		rw = nil
	}
	l.mu.Unlock()
	if rw != nil {
		_ = rw.Abort()
	}
	close(l.stop)
	l.wg.Wait()
	l.mu.Lock()
	for l.writing {
		l.cond.Wait()
	}
	err := l.flushLocked(true)
	l.closed = true
	l.mu.Unlock()
	l.cond.Broadcast()
	if cerr := l.cur.f.Close(); err == nil {
		err = cerr
	}
	return err
}
