package aof

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// ErrRewriteInProgress is returned by BeginRewrite while another rewrite
// runs.
var ErrRewriteInProgress = errors.New("aof: a rewrite is already in progress")

// ErrRewriteDone is returned when a Rewrite is used after Commit or Abort.
var ErrRewriteDone = errors.New("aof: the rewrite is already committed or aborted")

// Rewrite is a rewrite in progress: a new base being written from a
// snapshot while the log goes on. Records of keyspace parts already written
// to the new base go through Rewrite.Append to the new incr file, the others
// through Log.Append to the old one.
type Rewrite struct {
	// mu serialises Commit and Abort (Close may abort while the backend
	// commits). Lock order: Rewrite.mu, then Log.mu.
	mu      sync.Mutex
	l       *Log
	incr    *segFile
	baseSeq int64
	tmp     string // the new base while it is written
	f       File
	bw      *bufio.Writer
	db      int // database of the last record written with AppendBase
	werr    error
	started time.Time
	done    bool
}

// BeginRewrite starts a rewrite: it creates a new incr file and lists it in
// the manifest after the old files (temp file, fsync, rename, directory
// fsync), so that a crash from now on replays old base, old incr files and
// new incr. Log.Append keeps going to the old incr file, Rewrite.Append to
// the new one.
func (l *Log) BeginRewrite() (*Rewrite, error) {
	l.mu.Lock()
	if l.closed || l.closing {
		l.mu.Unlock()
		return nil, ErrClosed
	}
	if l.rw != nil {
		l.mu.Unlock()
		return nil, ErrRewriteInProgress
	}
	rw := &Rewrite{l: l, db: -1, started: time.Now()}
	l.rw = rw // reserved; rw.incr is nil until the manifest lists it
	man := l.man
	l.mu.Unlock()

	err := rw.begin(man)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.rw = nil
		return nil, err
	}
	return rw, nil
}

func (rw *Rewrite) begin(man *manifest) error {
	l := rw.l
	seq := man.lastIncrSeq() + 1
	name := incrName(l.opts.FileName, seq)
	f, err := l.fs.OpenFile(filepath.Join(l.dir, name), os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("aof: creating %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("aof: fsyncing %s: %w", name, err)
	}
	next := &manifest{base: man.base, incr: append(append([]fileInfo(nil), man.incr...),
		fileInfo{name: name, seq: seq, typ: typeIncr})}
	if err := writeManifest(l.fs, l.dir, ManifestName(l.opts.FileName), next); err != nil {
		if !errors.Is(err, errManifestNotDurable) {
			f.Close()
			_ = l.fs.Remove(filepath.Join(l.dir, name))
			return err
		}
		// The manifest lists the new incr: it becomes the current file,
		// as after Abort.
		l.mu.Lock()
		l.man = next
		rw.incr = &segFile{name: name, seq: seq, f: f, db: -1}
		l.mu.Unlock()
		_ = rw.switchIncr()
		return err
	}
	rw.baseSeq = 1
	if man.base != nil {
		rw.baseSeq = man.base.seq + 1
	}
	rw.tmp = filepath.Join(l.dir, "temp-rewrite-"+baseName(l.opts.FileName, rw.baseSeq))
	bf, err := l.fs.OpenFile(rw.tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		// The manifest already lists the new incr: keep it as the file
		// being appended to, as Abort would.
		l.mu.Lock()
		l.man = next
		rw.incr = &segFile{name: name, seq: seq, f: f, db: -1}
		l.mu.Unlock()
		_ = rw.switchIncr()
		return fmt.Errorf("aof: creating the new base: %w", err)
	}
	rw.f = bf
	rw.bw = bufio.NewWriterSize(bf, 256<<10)
	l.mu.Lock()
	l.man = next
	if l.closing {
		// Close ran meanwhile: the new incr stays listed, empty, and
		// nothing writes to it.
		l.mu.Unlock()
		f.Close()
		bf.Close()
		_ = l.fs.Remove(rw.tmp)
		return ErrClosed
	}
	rw.incr = &segFile{name: name, seq: seq, f: f, db: -1}
	l.mu.Unlock()
	return nil
}

// Append appends records to the new incr file: commands on keyspace parts
// already written to the new base. It returns the logical end offset, for
// Log.Wait.
func (rw *Rewrite) Append(recs []Record) int64 {
	l := rw.l
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.appendLocked(rw.incr, recs)
}

// Base is the new base file, buffered. It must receive whole commands in
// AOF format (RESP arrays), SELECT included; AppendBase does that.
func (rw *Rewrite) Base() io.Writer { return rw.bw }

// AppendBase writes records to the new base, with SELECT when the database
// changes and before the first record.
func (rw *Rewrite) AppendBase(recs []Record) error {
	if rw.werr != nil {
		return rw.werr
	}
	for _, r := range recs {
		if r.DB != rw.db {
			var b [48]byte
			if _, err := rw.bw.Write(appendSelect(b[:0], r.DB)); err != nil {
				rw.werr = err
				return err
			}
			rw.db = r.DB
		}
		if _, err := rw.bw.Write(r.Cmd); err != nil {
			rw.werr = err
			return err
		}
	}
	return nil
}

// Commit finishes the rewrite: the new base is flushed, fsynced and renamed
// to its final name, what is pending is written, the manifest becomes new
// base + new incr, and the old files are removed. From then on Log.Append
// goes to the new incr file. If Commit fails, the directory is still the
// one BeginRewrite left (loadable, nothing lost); call Abort.
func (rw *Rewrite) Commit() error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	l := rw.l
	if rw.done || rw.f == nil {
		return ErrRewriteDone
	}
	if err := rw.werr; err != nil {
		return fmt.Errorf("aof: writing the new base: %w", err)
	}
	if err := rw.bw.Flush(); err != nil {
		return fmt.Errorf("aof: writing the new base: %w", err)
	}
	if err := rw.f.Sync(); err != nil {
		return fmt.Errorf("aof: fsyncing the new base: %w", err)
	}
	st, err := rw.f.Stat()
	if err != nil {
		return fmt.Errorf("aof: the new base: %w", err)
	}
	if err := rw.f.Close(); err != nil {
		return fmt.Errorf("aof: closing the new base: %w", err)
	}
	rw.f = nil
	rw.done = true
	old, err := rw.switchIncrKeep()
	if err != nil {
		return err
	}
	// l.writing is held by us: waiters queue, appenders go on.
	l.mu.Lock()
	man := l.man
	l.mu.Unlock()
	base := baseName(l.opts.FileName, rw.baseSeq)
	next := &manifest{
		base: &fileInfo{name: base, seq: rw.baseSeq, typ: typeBase},
		incr: []fileInfo{{name: rw.incr.name, seq: rw.incr.seq, typ: typeIncr}},
	}
	err = l.fs.Rename(rw.tmp, filepath.Join(l.dir, base))
	if err == nil {
		err = l.fs.SyncDir(l.dir)
	}
	if err == nil {
		err = writeManifest(l.fs, l.dir, ManifestName(l.opts.FileName), next)
	}
	l.mu.Lock()
	if err == nil || errors.Is(err, errManifestNotDurable) {
		l.man = next
		l.oldSize = st.Size()
		l.baseSize = l.currentSizeLocked()
	}
	l.writing = false
	l.cond.Broadcast()
	l.mu.Unlock()
	if cerr := old.f.Close(); cerr != nil {
		l.log.Warn().Err(cerr).Str("file", old.name).Msg("aof: closing the old incr file")
	}
	if errors.Is(err, errManifestNotDurable) {
		// A crash may bring back the previous manifest: keep its files.
		return fmt.Errorf("aof: switching to the new base: %w", err)
	}
	if err != nil {
		// The manifest still lists old base, old incr files and the new
		// incr, which is now the file being appended to: loadable.
		_ = l.fs.Remove(rw.tmp)
		return fmt.Errorf("aof: switching to the new base: %w", err)
	}
	for _, fi := range man.files() {
		if fi.name == rw.incr.name || fi.name == base {
			continue
		}
		if err := l.fs.Remove(filepath.Join(l.dir, fi.name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			l.log.Warn().Err(err).Str("file", fi.name).Msg("aof: removing an old AOF file")
		}
	}
	_ = l.fs.SyncDir(l.dir)
	l.log.Info().Str("base", base).Dur("took", time.Since(rw.started)).Msg("aof: rewrite committed")
	return nil
}

// Abort ends the rewrite without a new base. The new incr file stays in the
// manifest and becomes the file Log.Append writes to (it holds records newer
// than some in the old incr file, so nothing may follow the old one).
func (rw *Rewrite) Abort() error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.done {
		return nil
	}
	rw.done = true
	if rw.f != nil {
		rw.f.Close()
		rw.f = nil
	}
	_ = rw.l.fs.Remove(rw.tmp)
	return rw.switchIncr()
}

// switchIncr makes the new incr file the one Log.Append writes to and closes
// the old one, after writing what is pending for it.
func (rw *Rewrite) switchIncr() error {
	l := rw.l
	old, err := rw.switchIncrKeep()
	l.mu.Lock()
	if err == nil || old != nil {
		l.writing = false
		l.cond.Broadcast()
	}
	l.mu.Unlock()
	if old != nil {
		if cerr := old.f.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}
	return err
}

// switchIncrKeep points Log.Append at the new incr file and writes
// everything pending (the old file's last bytes included). On success it
// returns the old file with l.writing still held by the caller, who must
// release it. On failure the old file stays current and the rewrite stays
// registered, so nothing is lost and a retry or Abort can follow.
func (rw *Rewrite) switchIncrKeep() (*segFile, error) {
	l := rw.l
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.writing {
		l.cond.Wait()
	}
	old := l.cur
	l.cur = rw.incr
	l.rw = nil
	// The old file must be written in full and fsynced before it is
	// closed: after Abort nothing else holds its records, and nothing
	// would fsync it later.
	err := l.flushLocked(true, old)
	if err == nil && len(l.buf) > 0 {
		// Bytes may have arrived while flushLocked wrote; they go to the
		// new incr, which stays open.
		for _, m := range l.marks {
			if m.f == old {
				err = l.flushLocked(false)
				break
			}
		}
	}
	if err != nil {
		l.cur = old
		l.rw = rw
		rw.done = false
		return nil, err
	}
	l.oldSize += old.size
	l.writing = true
	return old, nil
}
