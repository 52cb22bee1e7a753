package aof

import (
	"fmt"
	"io"
	"runtime"
	"strconv"
	"time"
)

// Timing of the background work, as redis-server does it: fsync once a
// second (everysec), retry a failed write often (serverCron at hz 10), and
// postpone a write at most 2 s while an fsync is still running. Variables
// so that tests can shrink them.
var (
	fsyncEvery    = time.Second
	retryEvery    = 100 * time.Millisecond
	maxPostponeBy = 2 * time.Second
)

// timing is the copy of those a Log took at Open.
type timing struct{ fsync, retry, postpone time.Duration }

var (
	multiCmd = []byte("*1\r\n$5\r\nMULTI\r\n")
	execCmd  = []byte("*1\r\n$4\r\nEXEC\r\n")
)

// appendSelect appends SELECT db as a RESP array.
func appendSelect(b []byte, db int) []byte {
	var num [20]byte
	d := strconv.AppendInt(num[:0], int64(db), 10)
	b = append(b, "*2\r\n$6\r\nSELECT\r\n$"...)
	b = strconv.AppendInt(b, int64(len(d)), 10)
	b = append(b, '\r', '\n')
	b = append(b, d...)
	return append(b, '\r', '\n')
}

// Append copies recs into the log buffer and returns the logical offset of
// their end, to pass to Wait. It emits SELECT when the database differs from
// the previous record's in the file (and before the first record of each
// file), and wraps more than one record in MULTI/EXEC so that a torn tail is
// recognisable. It does no I/O: the backend calls it while it holds the
// command's keyspace locks, so that the log's order is execution order.
func (l *Log) Append(recs []Record) int64 {
	l.mu.Lock()
	off := l.appendLocked(l.cur, recs)
	l.mu.Unlock()
	return off
}

func (l *Log) appendLocked(f *segFile, recs []Record) int64 {
	if len(recs) == 0 || l.closed {
		return l.end
	}
	b := l.buf
	n0 := len(b)
	if f.db != recs[0].DB {
		b = appendSelect(b, recs[0].DB)
		f.db = recs[0].DB
	}
	multi := len(recs) > 1
	if multi {
		b = append(b, multiCmd...)
	}
	for i := range recs {
		if recs[i].DB != f.db {
			b = appendSelect(b, recs[i].DB)
			f.db = recs[i].DB
		}
		b = append(b, recs[i].Cmd...)
	}
	if multi {
		b = append(b, execCmd...)
	}
	l.buf = b
	if k := len(l.marks); k > 0 && l.marks[k-1].f == f {
		l.marks[k-1].end = len(b)
	} else {
		l.marks = append(l.marks, mark{f: f, end: len(b)})
	}
	l.end += int64(len(b) - n0)
	return l.end
}

// maxLeaderYields bounds how often a waiter about to lead a write yields
// to let other connections append first (see Wait).
const maxLeaderYields = 8

// Wait blocks until every byte up to the logical offset off is written with
// write(2) and, under Always, fsynced. The first waiter to find no write in
// progress writes everything appended so far with one write(2) per file
// (and one fsync each under Always) for every waiter at once: group commit.
// It returns the write or fsync error when off could not be made durable;
// the bytes stay buffered and are retried.
func (l *Log) Wait(off int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.kick != nil {
		return l.waitDedicated(off)
	}
	// Let every runnable connection append its batch before this one
	// leads the write: on a node running on one thread the others cannot
	// run meanwhile, and without yielding each write (and under Always
	// each fsync) would cover a single command. Yield again while the
	// others keep appending, a bounded number of times.
	yields, seen := 0, int64(-1)
	for {
		if l.doneLocked(off) {
			return nil
		}
		if l.closed {
			return ErrClosed
		}
		if l.writing {
			l.cond.Wait()
			continue
		}
		if l.end != seen && yields < maxLeaderYields {
			yields++
			seen = l.end
			l.mu.Unlock()
			runtime.Gosched()
			l.mu.Lock()
			continue
		}
		if err := l.flushLocked(false); err != nil && !l.doneLocked(off) {
			return err
		}
	}
}

func (l *Log) doneLocked(off int64) bool {
	return l.written >= off && (l.policy != Always || l.synced >= off)
}

// pendingWrite is a file's new size after a write, applied under mu.
type pendingWrite struct {
	f    *segFile
	size int64
}

// flushLocked writes the buffered bytes and, under Always or when force is
// set, fsyncs every file with unsynced bytes: the active ones, those the
// buffered bytes go to, and also. It is called with mu held and no write in
// progress; it releases mu during the I/O (l.writing keeps others out) and
// holds it again on return.
func (l *Log) flushLocked(force bool, also ...*segFile) error {
	l.writing = true
	defer func() {
		l.writing = false
		l.cond.Broadcast()
	}()
	if l.policy == EverySec && len(l.buf) > 0 && l.fsyncing != nil {
		// Redis postpones the write while the background fsync runs, at
		// most 2 s; a write(2) would block behind it anyway.
		ch, deadline := l.fsyncing, l.fsyncFrom.Add(l.timing.postpone)
		l.mu.Unlock()
		t := time.NewTimer(time.Until(deadline))
		late := false
		select {
		case <-ch:
		case <-t.C:
			late = true
		}
		t.Stop()
		l.mu.Lock()
		if late {
			l.delayed++
			l.log.Warn().Msg("aof: asynchronous AOF fsync is taking too long (disk is busy?); " +
				"writing the AOF buffer without waiting for fsync to complete")
		}
	}
	buf, marks := l.buf, l.marks
	// Double buffering: appenders fill the spare buffer while this one is
	// written; it is given back below only if fully written.
	l.buf, l.spare = l.spare[:0], nil
	l.marks, l.spareMarks = l.spareMarks[:0], nil
	l.bufStart += int64(len(buf))
	sync := force || l.policy == Always
	// The leader's scratch slices live in the Log: only one leader runs.
	files := append(l.scratch.files[:0], l.cur)
	if l.rw != nil && l.rw.incr != nil {
		files = append(files, l.rw.incr)
	}
	for _, m := range marks {
		files = appendFile(files, m.f)
	}
	for _, f := range also {
		files = appendFile(files, f)
	}
	synced := l.scratch.synced[:0]
	for _, f := range files {
		synced = append(synced, f.synced)
	}
	sizes := l.scratch.sizes[:0]
	l.scratch.files, l.scratch.synced = files, synced
	l.mu.Unlock()

	done, werr := writeMarks(buf, marks, &sizes)
	l.scratch.sizes = sizes
	var ferr error
	if werr == nil && sync {
		ferr = fsyncFiles(files, synced, sizes, l.policy == Always)
		if ferr != nil && rewind(files, synced, sizes) {
			// The batch is off the files again and goes back to the
			// buffer: the retry writes it anew rather than trusting an
			// fsync that may pass once the kernel dropped the failed
			// pages (Linux reports such an fsync error only once).
			done, sizes = 0, sizes[:0]
		}
	}

	l.mu.Lock()
	for _, s := range sizes {
		s.f.size = s.size
	}
	l.written += int64(done)
	if done < len(buf) {
		// Keep the unwritten bytes, in front of what arrived meanwhile.
		rest := append([]byte(nil), buf[done:]...)
		restMarks := make([]mark, 0, len(marks)+len(l.marks))
		for _, m := range marks {
			if m.end > done {
				restMarks = append(restMarks, mark{f: m.f, end: m.end - done})
			}
		}
		for _, m := range l.marks {
			restMarks = append(restMarks, mark{f: m.f, end: m.end + len(rest)})
		}
		l.buf = append(rest, l.buf...)
		l.marks = restMarks
		l.bufStart -= int64(len(rest))
	} else if cap(buf) <= 1<<20 {
		l.spare, l.spareMarks = buf[:0], marks[:0]
	}
	if werr != nil {
		l.failGen++
		l.werr = fmt.Errorf("aof: writing the AOF: %w", werr)
		l.log.Error().Err(werr).Msg("aof: error writing to the AOF file; writes are refused until it succeeds")
		return l.werr
	}
	if l.werr != nil {
		l.log.Warn().Msg("aof: AOF write error looks solved, the node can accept writes again")
		l.werr = nil
	}
	if sync {
		if ferr != nil {
			l.failGen++
			l.ferr = fmt.Errorf("aof: fsyncing the AOF: %w", ferr)
			l.log.Error().Err(ferr).Msg("aof: error fsyncing the AOF file; writes are refused until it succeeds")
			return l.ferr
		}
		l.markSyncedLocked(files, l.written)
	}
	return nil
}

func appendFile(files []*segFile, f *segFile) []*segFile {
	for _, g := range files {
		if g == f {
			return files
		}
	}
	return append(files, f)
}

// activeLocked returns the files that receive records: the current incr
// and, during a rewrite, the new one.
func (l *Log) activeLocked() []*segFile {
	if l.rw != nil && l.rw.incr != nil {
		return []*segFile{l.cur, l.rw.incr}
	}
	return []*segFile{l.cur}
}

// writeMarks writes buf to the files its marks name, one write(2) per run.
// It returns how many bytes were written. A short write is truncated back
// to the file's previous size so that a retry appends whole records; when
// that truncation fails too the partial bytes count as written, as Redis
// does, and only the rest is retried.
func writeMarks(buf []byte, marks []mark, sizes *[]pendingWrite) (int, error) {
	pos := 0
	size := func(f *segFile) int64 {
		for _, s := range *sizes {
			if s.f == f {
				return s.size
			}
		}
		return f.size
	}
	set := func(f *segFile, n int64) {
		for i := range *sizes {
			if (*sizes)[i].f == f {
				(*sizes)[i].size = n
				return
			}
		}
		*sizes = append(*sizes, pendingWrite{f: f, size: n})
	}
	for _, m := range marks {
		chunk := buf[pos:m.end]
		old := size(m.f)
		n, err := m.f.f.Write(chunk)
		if err == nil && n < len(chunk) {
			err = io.ErrShortWrite
		}
		if err != nil {
			if n > 0 {
				if terr := m.f.f.Truncate(old); terr != nil {
					set(m.f, old+int64(n))
					return pos + n, fmt.Errorf("%w (and truncating the partial write failed: %v)", err, terr)
				}
			}
			return pos, err
		}
		set(m.f, old+int64(len(chunk)))
		pos = m.end
	}
	return pos, nil
}

// rewind truncates the files back to what their last fsync covered, after
// a failed fsync. It works only when nothing but this batch was unsynced
// (the bytes before it are no longer in memory): always the case under
// Always. It reports whether every file was rewound.
//
// A batch that went to two files (during a rewrite) is not rewound: if the
// second truncation failed, the first file's records would be written
// twice.
func rewind(files []*segFile, synced []int64, sizes []pendingWrite) bool {
	if len(sizes) != 1 {
		return false
	}
	for i, f := range files {
		if f.size != synced[i] {
			return false
		}
	}
	for i, f := range files {
		for _, s := range sizes {
			if s.f == f && s.size > synced[i] {
				if err := f.f.Truncate(synced[i]); err != nil {
					return false
				}
			}
		}
	}
	return true
}

// fsyncFiles fsyncs every file with bytes beyond its last fsync (synced,
// captured under mu). Only the leader changes sizes, so reading f.size
// here is safe.
func fsyncFiles(files []*segFile, synced []int64, sizes []pendingWrite, inline bool) error {
	for i, f := range files {
		size := f.size
		for _, s := range sizes {
			if s.f == f {
				size = s.size
			}
		}
		if size > synced[i] {
			sync := f.f.Sync
			if is, ok := f.f.(inlineSyncer); ok && inline {
				sync = is.SyncInline
			}
			if err := sync(); err != nil {
				return err
			}
		}
	}
	return nil
}

// markSyncedLocked records that files are fsynced up to their sizes and the
// log up to the logical offset upTo.
func (l *Log) markSyncedLocked(files []*segFile, upTo int64) {
	for _, f := range files {
		f.synced = f.size
	}
	if upTo > l.synced {
		l.synced = upTo
	}
	l.ferr = nil
	l.lastSync = time.Now()
}

// background retries failed writes, writes what nobody waited for, and
// under EverySec fsyncs once a second.
func (l *Log) background() {
	defer l.wg.Done()
	t := time.NewTicker(l.timing.retry)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		l.mu.Lock()
		if !l.writing && len(l.buf) > 0 {
			_ = l.flushLocked(false)
		}
		if !l.writing && l.policy == Always && l.ferr != nil {
			_ = l.flushLocked(true)
		}
		if l.policy == EverySec && l.fsyncing == nil && (l.synced < l.written || l.ferr != nil) &&
			time.Since(l.lastSync) >= l.timing.fsync {
			l.fsyncBackgroundLocked()
		}
		l.mu.Unlock()
	}
}

// fsyncBackgroundLocked fsyncs the active files outside mu, while writers
// go on; writes that start meanwhile wait for it at most 2 s.
func (l *Log) fsyncBackgroundLocked() {
	files := l.activeLocked()
	upTo := l.written
	sizes := make([]int64, len(files))
	for i, f := range files {
		sizes[i] = f.size
	}
	ch := make(chan struct{})
	l.fsyncing, l.fsyncFrom = ch, time.Now()
	l.mu.Unlock()
	var err error
	for _, f := range files {
		if err = f.f.Sync(); err != nil {
			break
		}
	}
	l.mu.Lock()
	l.fsyncing = nil
	close(ch)
	if err != nil {
		l.ferr = fmt.Errorf("aof: fsyncing the AOF: %w", err)
		l.lastSync = time.Now() // retried in a second
		l.log.Error().Err(err).Msg("aof: error fsyncing the AOF file; writes are refused until it succeeds")
		return
	}
	for i, f := range files {
		if sizes[i] > f.synced {
			f.synced = sizes[i]
		}
	}
	if upTo > l.synced {
		l.synced = upTo
	}
	if l.ferr != nil {
		l.log.Warn().Msg("aof: AOF fsync error looks solved, the node can accept writes again")
	}
	l.ferr = nil
	l.lastSync = time.Now()
}
