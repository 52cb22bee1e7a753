package aof

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/shardis/shardis/internal/resp"
)

// ErrTruncated is returned (wrapped in a *LoadError) by Load when the last
// file ends with an incomplete command or a MULTI without EXEC and
// Options.LoadTruncated is off.
var ErrTruncated = errors.New("unexpected end of file (an incomplete command at the end of the last file; " +
	"set aof-load-truncated yes or run shardis check-aof --fix)")

// LoadError says where a file stops being a valid AOF: the file, the byte
// offset of the command that could not be read, and what was expected.
type LoadError struct {
	File   string
	Offset int64
	Msg    string
	Err    error // the cause, when there is one (ErrTruncated, an apply error)
}

// Error implements error.
func (e *LoadError) Error() string {
	msg := e.Msg
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	} else if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return fmt.Sprintf("aof: %s: offset %d: %s", e.File, e.Offset, msg)
}

// Unwrap returns the cause.
func (e *LoadError) Unwrap() error { return e.Err }

// LoadInfo reports what Load read.
type LoadInfo struct {
	Files    int   // files read
	Commands int64 // commands applied (SELECT, MULTI and EXEC not counted)
	Bytes    int64 // bytes of valid commands
	// Truncated is set when a torn tail of the last file was cut off.
	Truncated      bool
	TruncatedFile  string
	TruncatedAt    int64 // the file's new size
	TruncatedBytes int64 // bytes removed
}

// Load replays the log: the base, then the incr files in order. For every
// command it calls apply with the database the last SELECT chose (SELECT
// itself is consumed); args are valid only during the call. Commands between
// MULTI and EXEC are applied only once EXEC is read. A torn tail of the last
// file (an incomplete command, a MULTI without EXEC, a zero-filled tail) is
// cut off with a warning when Options.LoadTruncated is set and refused with
// ErrTruncated otherwise; anything else that is not a valid command refuses
// with a *LoadError naming the file, the offset and what was expected.
// Memory stays bounded by the largest command (or MULTI block).
func (l *Log) Load(apply func(db int, args [][]byte) error) (LoadInfo, error) {
	var info LoadInfo
	files := l.man.files()
	sc := newScanner()
	for i, fi := range files {
		// The last file with data counts as the last: Open may have
		// added an empty incr after a base that a crash tore (an
		// old-style AOF migrated, or a manifest that listed no incr).
		last := l.onlyEmptyAfter(files[i+1:])
		path := filepath.Join(l.dir, fi.name)
		f, err := l.fs.OpenFile(path, os.O_RDONLY, 0)
		if err != nil {
			return info, fmt.Errorf("aof: opening %s: %w", fi.name, err)
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return info, fmt.Errorf("aof: %s: %w", fi.name, err)
		}
		res, err := sc.scan(f, fi.name, st.Size(), last, apply)
		f.Close()
		info.Files++
		info.Commands += res.commands
		info.Bytes += res.validUpTo
		if err != nil {
			return info, err
		}
		if res.problem == nil {
			continue
		}
		if !res.torn || !last {
			return info, res.problem
		}
		if !l.opts.LoadTruncated {
			res.problem.Err = ErrTruncated
			return info, res.problem
		}
		l.log.Warn().Str("file", fi.name).Int64("offset", res.validUpTo).Int64("size", st.Size()).
			Str("reason", res.problem.Msg).
			Msg("aof: short read while loading the AOF; truncating the last file (aof-load-truncated is yes)")
		if err := l.truncateLast(fi.name, res.validUpTo); err != nil {
			return info, err
		}
		info.Truncated = true
		info.TruncatedFile = fi.name
		info.TruncatedAt = res.validUpTo
		info.TruncatedBytes = st.Size() - res.validUpTo
	}
	l.mu.Lock()
	l.baseSize = l.currentSizeLocked()
	l.mu.Unlock()
	return info, nil
}

// truncateLast cuts the last file back to size and makes that durable.
func (l *Log) truncateLast(name string, size int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.writing {
		l.cond.Wait()
	}
	if l.cur.name != name {
		// A file before the (empty) current one.
		old, err := fileSize(l.fs, filepath.Join(l.dir, name))
		if err == nil {
			err = TruncateFile(l.fs, filepath.Join(l.dir, name), size)
		}
		if err != nil {
			return fmt.Errorf("aof: truncating %s: %w", name, err)
		}
		l.oldSize -= old - size
		return nil
	}
	if err := l.cur.f.Truncate(size); err != nil {
		return fmt.Errorf("aof: truncating %s: %w", name, err)
	}
	if err := l.cur.f.Sync(); err != nil {
		return fmt.Errorf("aof: fsyncing %s: %w", name, err)
	}
	l.cur.size, l.cur.synced = size, size
	return nil
}

// onlyEmptyAfter reports whether every file in rest is empty.
func (l *Log) onlyEmptyAfter(rest []fileInfo) bool {
	for _, fi := range rest {
		n, err := fileSize(l.fs, filepath.Join(l.dir, fi.name))
		if err != nil || n > 0 {
			return false
		}
	}
	return true
}

func fileSize(fsys FS, path string) (int64, error) {
	st, err := fsys.Stat(path)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// countingReader counts the bytes read, so that the scanner knows each
// command's offset (bytes read minus what the resp.Reader still buffers).
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// scanResult is what scanning one file found.
type scanResult struct {
	commands  int64
	validUpTo int64 // end of the last command outside a MULTI block, or where the open block started
	// problem is set when the file does not end cleanly at validUpTo; torn
	// says whether it is a torn tail (fixable by truncation at validUpTo)
	// rather than garbage.
	problem *LoadError
	torn    bool
}

// scanner reads AOF files with resp.Reader; it is reused across files so
// that its buffers are allocated once.
type scanner struct {
	cr    countingReader
	rd    *resp.Reader
	block []byte   // arguments of the open MULTI block, back to back
	cmds  []queued // the commands of the open block
	args  [][]byte
	raw   []byte // a command reread by crlfOK
}

type queued struct {
	db   int
	ends []int // end of each argument in block
}

func newScanner() *scanner {
	s := &scanner{}
	s.rd = resp.NewReader(&s.cr)
	// The AOF knows no proto-max-bulk-len: a value is as long as it was.
	s.rd.SetMaxBulkLen(math.MaxInt64 / 4)
	return s
}

// encodedLen is the size of args as a canonical RESP array, the only form
// an AOF holds; a request of another size was inline or oddly formatted.
func encodedLen(args [][]byte) int64 {
	n := int64(1 + digits(len(args)) + 2)
	for _, a := range args {
		n += int64(1+digits(len(a))+2+len(a)) + 2
	}
	return n
}

func digits(n int) int {
	d := 1
	for n >= 10 {
		n /= 10
		d++
	}
	return d
}

// scan reads one file of the given size. apply may be nil (check-aof). An
// error from apply is returned as the error; problems with the file's
// content are in the result.
//
// In the last file, a command with a zero byte in an argument has the bytes
// after each argument checked for CRLF (which resp.Reader skips unchecked,
// as Redis does): a crash can leave zeros where the data should be, behind
// an intact length header.
func (s *scanner) scan(f io.ReaderAt, name string, size int64, last bool, apply func(db int, args [][]byte) error) (scanResult, error) {
	var res scanResult
	s.cr = countingReader{r: io.NewSectionReader(f, 0, size)}
	s.rd.Reset(&s.cr)
	s.block, s.cmds = s.block[:0], s.cmds[:0]
	db := 0
	inMulti := false
	var pos, multiStart int64
	bad := func(msg string) {
		res.problem = &LoadError{File: name, Offset: pos, Msg: msg}
		res.validUpTo = pos
		if inMulti {
			res.validUpTo = multiStart
		}
		res.torn = isTornTail(f, pos, size)
	}
	for {
		args, err := s.rd.ReadCommand()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *resp.ProtocolError
			switch {
			case errors.As(err, &pe):
				bad("bad format: " + strings.TrimPrefix(pe.Msg, "Protocol error: "))
			case errors.Is(err, io.ErrUnexpectedEOF):
				bad("unexpected end of file: an incomplete command")
			default:
				return res, fmt.Errorf("aof: reading %s: %w", name, err)
			}
			return res, nil
		}
		end := s.cr.n - int64(s.rd.Buffered())
		if end-pos != encodedLen(args) {
			if len(args[0]) > 0 && args[0][0] == '#' {
				// An annotation (#TS:...), which Redis skips.
				pos = end
				if !inMulti {
					res.validUpTo = pos
				}
				continue
			}
			var got [1]byte
			_, _ = f.ReadAt(got[:], pos)
			bad(fmt.Sprintf("bad format: expected '*' (a RESP array), got %q", got[0]))
			return res, nil
		}
		if last && hasZero(args) && !s.crlfOK(f, pos, end, args) {
			bad("bad format: expected CRLF after an argument (zeros where data should be)")
			return res, nil
		}
		switch {
		case len(args) == 2 && bytes.EqualFold(args[0], []byte("select")):
			n, err := strconv.Atoi(string(args[1]))
			if err != nil || n < 0 {
				bad(fmt.Sprintf("bad SELECT: invalid database %q", args[1]))
				return res, nil
			}
			db = n
		case len(args) == 1 && bytes.EqualFold(args[0], []byte("multi")):
			if inMulti {
				bad("unexpected MULTI inside a MULTI block")
				return res, nil
			}
			inMulti, multiStart = true, pos
		case len(args) == 1 && bytes.EqualFold(args[0], []byte("exec")):
			if !inMulti {
				bad("unexpected EXEC without MULTI")
				return res, nil
			}
			if err := s.applyBlock(apply, &res); err != nil {
				return res, &LoadError{File: name, Offset: multiStart, Msg: "applying a MULTI block", Err: err}
			}
			inMulti = false
		default:
			if inMulti {
				s.queue(db, args)
			} else {
				if apply != nil {
					if err := apply(db, args); err != nil {
						return res, &LoadError{File: name, Offset: pos, Msg: "applying " + string(args[0]), Err: err}
					}
				}
				res.commands++
			}
		}
		pos = end
		if !inMulti {
			res.validUpTo = pos
		}
	}
	if inMulti {
		res.problem = &LoadError{File: name, Offset: multiStart, Msg: "MULTI without EXEC at the end of the file"}
		res.validUpTo = multiStart
		res.torn = true
	}
	return res, nil
}

func hasZero(args [][]byte) bool {
	for _, a := range args {
		if bytes.IndexByte(a, 0) >= 0 {
			return true
		}
	}
	return false
}

// crlfOK rereads the command at [pos, end) and checks the CRLF after each
// argument.
func (s *scanner) crlfOK(f io.ReaderAt, pos, end int64, args [][]byte) bool {
	if cap(s.raw) < int(end-pos) {
		s.raw = make([]byte, end-pos)
	}
	raw := s.raw[:end-pos]
	if _, err := f.ReadAt(raw, pos); err != nil && err != io.EOF {
		return false
	}
	i := bytes.IndexByte(raw, '\n') + 1
	for _, a := range args {
		j := bytes.IndexByte(raw[i:], '\n')
		if j < 0 {
			return false
		}
		i += j + 1 + len(a)
		if i+2 > len(raw) || raw[i] != '\r' || raw[i+1] != '\n' {
			return false
		}
		i += 2
	}
	return true
}

func (s *scanner) queue(db int, args [][]byte) {
	q := queued{db: db, ends: make([]int, len(args))}
	for i, a := range args {
		s.block = append(s.block, a...)
		q.ends[i] = len(s.block)
	}
	s.cmds = append(s.cmds, q)
}

func (s *scanner) applyBlock(apply func(db int, args [][]byte) error, res *scanResult) error {
	start := 0
	for _, q := range s.cmds {
		s.args = s.args[:0]
		for _, e := range q.ends {
			s.args = append(s.args, s.block[start:e:e])
			start = e
		}
		if apply != nil {
			if err := apply(q.db, s.args); err != nil {
				return err
			}
		}
		res.commands++
	}
	s.block, s.cmds = s.block[:0], s.cmds[:0]
	if cap(s.block) > 1<<20 {
		s.block = nil
	}
	return nil
}

// isTornTail reports whether the bytes from pos to the end of the file are
// what a crash leaves behind: zeros, or the start of a command (possibly
// followed by zeros) that stops before its end.
func isTornTail(f io.ReaderAt, pos, size int64) bool {
	// Find the last non-zero byte, reading backwards in blocks.
	end := size
	var buf [64 << 10]byte
	for end > pos {
		n := min(int64(len(buf)), end-pos)
		b := buf[:n]
		if _, err := f.ReadAt(b, end-n); err != nil && err != io.EOF {
			return false
		}
		i := len(b) - 1
		for i >= 0 && b[i] == 0 {
			i--
		}
		if i >= 0 {
			end = end - n + int64(i) + 1
			break
		}
		end -= n
	}
	if end == pos {
		return true
	}
	var first [1]byte
	if _, err := f.ReadAt(first[:], pos); err != nil || first[0] != '*' {
		return false
	}
	rd := resp.NewReader(io.NewSectionReader(f, pos, end-pos))
	rd.SetMaxBulkLen(math.MaxInt64 / 4)
	_, err := rd.ReadCommand()
	return errors.Is(err, io.ErrUnexpectedEOF)
}
