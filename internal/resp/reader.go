package resp

import (
	"bytes"
	"errors"
	"io"
	"math"
)

// ProtocolError is returned by ReadCommand for malformed input. Error() is
// the exact text Redis replies with after "ERR ", e.g. "Protocol error:
// invalid multibulk length". The caller replies "-ERR <text>" and closes the
// connection, as redis-server does (it flags the client close-after-reply and
// reads nothing more from it).
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return e.Msg }

// Default limits, as redis-server 7.0 enforces them.
const (
	// DefaultMaxBulkLen is proto-max-bulk-len's default: a longer bulk
	// header is "invalid bulk length".
	DefaultMaxBulkLen = 512 << 20
	// MaxMultibulkLen is the largest argument count a multibulk header may
	// declare. Redis 7.0 accepts up to INT_MAX (older versions stopped at
	// 1024*1024); a larger count is "invalid multibulk length".
	MaxMultibulkLen = math.MaxInt32
	// MaxInlineLen is PROTO_INLINE_MAX_SIZE: the longest inline request,
	// multibulk count line or bulk length line.
	MaxInlineLen = 64 * 1024

	// Limits for a connection that has not authenticated yet
	// (CVE-2021-32675): 10 arguments of 16 KB.
	unauthMaxMultibulkLen = 10
	unauthMaxBulkLen      = 16 * 1024
)

// Reader buffer sizes. The buffer starts at initialBufSize and only grows
// when a single request does not fit, doubling, so its size is never more
// than twice the bytes that actually arrived. After a request that made it
// grow beyond maxKeptBufSize it shrinks back, so one big request does not pin
// memory for the connection's lifetime.
const (
	initialBufSize = 16 * 1024
	maxKeptBufSize = 1 << 20
	maxKeptArgs    = 1024
)

// errNoProgress is returned when the underlying reader keeps returning no
// bytes and no error.
var errNoProgress = io.ErrNoProgress

// span is the position of one argument, relative to the start of the request
// in the buffer, so it stays right when the buffer is compacted or grown.
type span struct{ start, end int }

// Reader parses client requests, as redis-server's processInputBuffer does:
// multibulk ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") when the request starts with
// '*', inline ("GET k\r\n") otherwise.
//
// A Reader is not safe for concurrent use.
type Reader struct {
	rd  io.Reader
	buf []byte // storage; buffered bytes are buf[r:w]
	r   int    // start of the request being parsed
	w   int    // end of the bytes read

	maxBulk      int64
	authRequired bool

	// BeforeFill, when non-nil, is called right before the Reader blocks
	// reading more bytes from the underlying io.Reader because no complete
	// request is buffered. The server uses it to flush pending replies, so a
	// pipelined batch is answered with one write. If it returns an error,
	// ReadCommand returns that error.
	BeforeFill func() error

	err error // sticky: a protocol error or the reader's final error

	// State of a multibulk request being parsed; it survives buffer fills
	// so that a request arriving in pieces is scanned once.
	inMulti bool
	nargs   int   // declared argument count
	bulkLen int64 // length of the bulk being read, -1 before its header
	pos     int   // absolute parse position
	scan    int   // absolute position a terminator search has reached
	spans   []span
	args    [][]byte
	lastLen int // size of the last request returned
}

// NewReader returns a Reader reading requests from rd with the default
// limits, for a connection that needs no authentication.
func NewReader(rd io.Reader) *Reader {
	return &Reader{
		rd:      rd,
		buf:     make([]byte, initialBufSize),
		maxBulk: DefaultMaxBulkLen,
		bulkLen: -1,
	}
}

// Reset discards buffered bytes, any pending error and partial request, and
// reads from rd. Limits and BeforeFill are kept.
func (r *Reader) Reset(rd io.Reader) {
	r.rd = rd
	r.r, r.w = 0, 0
	r.err = nil
	r.lastLen = 0
	r.resetRequest()
	if len(r.buf) > maxKeptBufSize {
		r.buf = make([]byte, initialBufSize)
	}
}

// SetMaxBulkLen sets the longest bulk argument accepted
// (CONFIG SET proto-max-bulk-len).
func (r *Reader) SetMaxBulkLen(n int64) { r.maxBulk = n }

// SetAuthRequired turns Redis's limits for unauthenticated connections on or
// off: while on, a multibulk header above 10 arguments is "unauthenticated
// multibulk length" and a bulk above 16384 bytes "unauthenticated bulk
// length". The server turns it off after a successful AUTH or HELLO; the
// next request is parsed with the new setting.
func (r *Reader) SetAuthRequired(b bool) { r.authRequired = b }

// Buffered is the number of bytes read from the connection but not yet
// consumed by a returned request.
func (r *Reader) Buffered() int { return r.w - r.r }

func (r *Reader) resetRequest() {
	r.inMulti = false
	r.nargs = 0
	r.bulkLen = -1
	r.pos = r.r
	r.scan = r.r
	r.spans = r.spans[:0]
}

// ReadCommand returns the next request's arguments: a multibulk
// ("*N\r\n$len\r\n...") or an inline request ("SET a b\r\n") split with
// Redis's quoting rules ("..." with \n, \xHH escapes, '...' with \'). The
// returned slices alias the Reader's buffer and stay valid only until the
// next ReadCommand call. Empty requests (blank inline lines, "*0\r\n",
// "*-1\r\n") are skipped as Redis skips them.
//
// It returns *ProtocolError for malformed input, io.EOF on EOF between
// requests, io.ErrUnexpectedEOF on EOF inside one, and other I/O errors as
// they are. Once it has returned an error it keeps returning it.
func (r *Reader) ReadCommand() ([][]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	r.shrink()
	for {
		args, err := r.parse()
		if err != nil {
			r.err = err
			return nil, err
		}
		if args != nil {
			return args, nil
		}
		if err := r.fill(); err != nil {
			r.err = err
			return nil, err
		}
	}
}

// Next is ReadCommand for a caller that does its own reading (FillFrom):
// it returns the next complete request buffered, or nil, nil when more
// bytes are needed, and never reads. Errors are sticky as in ReadCommand.
func (r *Reader) Next() ([][]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	r.shrink()
	args, err := r.parse()
	if err != nil {
		r.err = err
	}
	return args, err
}

// FillFrom makes room in the buffer and calls read once with it, for a
// caller that reads the connection itself (a raw file descriptor, so that
// it can wait for readiness without a read that would block). It returns
// the bytes read and whether they filled all the room given: when they did
// not, the connection had no more bytes at that moment. An error from read
// comes back as it is and is not sticky (the caller may retry after
// EAGAIN); a read of 0 bytes without error is the end of the stream:
// io.EOF between requests, io.ErrUnexpectedEOF inside one, both sticky.
// BeforeFill is not called.
func (r *Reader) FillFrom(read func(p []byte) (int, error)) (n int, full bool, err error) {
	if r.err != nil {
		return 0, false, r.err
	}
	if r.r == r.w || r.w == len(r.buf) {
		r.compact()
	}
	if r.w == len(r.buf) {
		r.grow()
	}
	room := len(r.buf) - r.w
	n, err = read(r.buf[r.w:])
	if err != nil {
		return 0, false, err
	}
	if n < 0 || n > room {
		r.err = errors.New("resp: reader returned an invalid count")
		return 0, false, r.err
	}
	if n == 0 {
		r.err = io.EOF
		if r.w > r.r {
			r.err = io.ErrUnexpectedEOF
		}
		return 0, false, r.err
	}
	r.w += n
	return n, n == room, nil
}

// shrink gives back the memory a big request needed, between requests. A
// buffer the last request still needed a good part of is kept, so a client
// that keeps sending big values does not make it regrow every time.
func (r *Reader) shrink() {
	if len(r.buf) > maxKeptBufSize && r.w-r.r <= initialBufSize/2 && r.lastLen < len(r.buf)/4 {
		nb := make([]byte, initialBufSize)
		r.w = copy(nb, r.buf[r.r:r.w])
		r.r = 0
		r.buf = nb
		r.pos, r.scan = 0, 0
	}
	if cap(r.args) > maxKeptArgs {
		r.args = nil
		r.spans = nil
	}
}

// parse parses complete requests from the buffer, skipping empty ones. It
// returns nil, nil when more bytes are needed.
func (r *Reader) parse() ([][]byte, error) {
	for {
		if !r.inMulti {
			if r.r == r.w {
				return nil, nil
			}
			if r.buf[r.r] != '*' {
				ok, err := r.parseInline()
				if err != nil || !ok {
					return nil, err
				}
			} else {
				ok, err := r.parseMultibulkHeader()
				if err != nil || !ok {
					return nil, err
				}
			}
		}
		if r.inMulti {
			ok, err := r.parseBulks()
			if err != nil || !ok {
				return nil, err
			}
		}
		if len(r.spans) == 0 {
			// An empty request: Redis resets the client and goes on.
			r.r = r.pos
			r.resetRequest()
			continue
		}
		args := r.buildArgs()
		r.resetRequest()
		return args, nil
	}
}

// buildArgs turns the spans of the completed request into slices and
// consumes the request. The slices are capped so that a caller appending to
// one cannot overwrite the next.
func (r *Reader) buildArgs() [][]byte {
	base := r.r
	r.args = r.args[:0]
	for _, s := range r.spans {
		r.args = append(r.args, r.buf[base+s.start:base+s.end:base+s.end])
	}
	r.lastLen = r.pos - r.r
	r.r = r.pos
	return r.args
}

// findLineEnd looks for c from r.scan in the window of MaxInlineLen+1 bytes
// that starts at from, stopping at a NUL byte as redis-server's strchr does
// (a NUL before the terminator means it is never found). It returns the
// terminator's absolute position or -1, and remembers how far it looked.
func (r *Reader) findLineEnd(from int, c byte) int {
	lim := min(r.w, from+MaxInlineLen+1)
	if r.scan < from {
		r.scan = from
	}
	if r.scan >= lim {
		return -1
	}
	win := r.buf[r.scan:lim]
	i := bytes.IndexByte(win, c)
	if i < 0 {
		i = len(win)
	}
	if z := bytes.IndexByte(win[:i], 0); z >= 0 {
		// Stuck at the NUL for good: later searches start there and stop
		// at once.
		r.scan += z
		return -1
	}
	if i == len(win) {
		r.scan = lim
		return -1
	}
	return r.scan + i
}

// parseInline parses one inline request. It returns false, nil when the line
// is not complete yet.
func (r *Reader) parseInline() (bool, error) {
	start := r.r
	nl := r.findLineEnd(start, '\n')
	if nl < 0 {
		// Unlike redis-server, whose verdict depends on how the bytes were
		// split across reads (it checks only when a read brings no
		// newline), the line must end within MaxInlineLen+1 bytes however
		// it arrives: the answer never depends on packet boundaries.
		if r.w-start > MaxInlineLen {
			return false, &ProtocolError{"Protocol error: too big inline request"}
		}
		return false, nil
	}
	end := nl
	if end > start && r.buf[end-1] == '\r' {
		end--
	}
	r.pos = nl + 1
	if err := r.splitArgs(start, end); err != nil {
		return false, err
	}
	return true, nil
}

// parseMultibulkHeader parses "*<count>\r\n". It returns false, nil when the
// line is not complete yet.
func (r *Reader) parseMultibulkHeader() (bool, error) {
	start := r.r
	cr := r.findLineEnd(start, '\r')
	if cr < 0 {
		if r.w-start > MaxInlineLen {
			return false, &ProtocolError{"Protocol error: too big mbulk count string"}
		}
		return false, nil
	}
	// Redis wants one more byte after the '\r' and skips it unchecked.
	if cr+2 > r.w {
		return false, nil
	}
	n, ok := parseInt(r.buf[start+1 : cr])
	if !ok || n > MaxMultibulkLen {
		return false, &ProtocolError{"Protocol error: invalid multibulk length"}
	}
	if n > unauthMaxMultibulkLen && r.authRequired {
		return false, &ProtocolError{"Protocol error: unauthenticated multibulk length"}
	}
	r.pos = cr + 2
	r.scan = r.pos
	r.spans = r.spans[:0]
	if n <= 0 {
		// An empty request; parse sees no spans and skips it.
		return true, nil
	}
	r.inMulti = true
	r.nargs = int(n)
	r.bulkLen = -1
	return true, nil
}

// parseBulks parses the arguments of a multibulk request. It returns
// false, nil when they are not all buffered yet.
func (r *Reader) parseBulks() (bool, error) {
	for len(r.spans) < r.nargs {
		if r.bulkLen < 0 {
			start := r.pos
			cr := r.findLineEnd(start, '\r')
			if cr < 0 {
				if r.w-start > MaxInlineLen {
					return false, &ProtocolError{"Protocol error: too big bulk count string"}
				}
				return false, nil
			}
			if cr+2 > r.w {
				return false, nil
			}
			if c := r.buf[start]; c != '$' {
				if c == '\r' || c == '\n' {
					// Redis's error replies never carry line breaks.
					c = ' '
				}
				return false, &ProtocolError{"Protocol error: expected '$', got '" + string([]byte{c}) + "'"}
			}
			n, ok := parseInt(r.buf[start+1 : cr])
			if !ok || n < 0 || n > r.maxBulk {
				return false, &ProtocolError{"Protocol error: invalid bulk length"}
			}
			if n > unauthMaxBulkLen && r.authRequired {
				return false, &ProtocolError{"Protocol error: unauthenticated bulk length"}
			}
			r.bulkLen = n
			r.pos = cr + 2
			r.scan = r.pos
		}
		// The two bytes after the bulk are skipped unchecked, as Redis
		// does.
		if int64(r.w-r.pos) < r.bulkLen+2 {
			return false, nil
		}
		s := r.pos - r.r
		r.spans = append(r.spans, span{s, s + int(r.bulkLen)})
		r.pos += int(r.bulkLen) + 2
		r.scan = r.pos
		r.bulkLen = -1
	}
	r.inMulti = false
	return true, nil
}

// fill reads more bytes, making room first: it drops consumed bytes and, if
// the request being parsed fills the whole buffer, grows it.
func (r *Reader) fill() error {
	if r.BeforeFill != nil {
		if err := r.BeforeFill(); err != nil {
			return err
		}
	}
	if r.r == r.w || r.w == len(r.buf) {
		r.compact()
	}
	if r.w == len(r.buf) {
		r.grow()
	}
	for range 100 {
		n, err := r.rd.Read(r.buf[r.w:])
		if n < 0 || n > len(r.buf)-r.w {
			return errors.New("resp: reader returned an invalid count")
		}
		r.w += n
		if n > 0 {
			// An error that came with bytes comes back with the next
			// read.
			return nil
		}
		if err != nil {
			if err == io.EOF && r.w > r.r {
				return io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return errNoProgress
}

// compact moves the request being parsed to the start of the buffer.
func (r *Reader) compact() {
	d := r.r
	if d == 0 {
		return
	}
	copy(r.buf, r.buf[d:r.w])
	r.w -= d
	r.r = 0
	r.pos -= d
	r.scan -= d
}

// grow enlarges the full buffer. It doubles, but never beyond what the bulk
// being read needs, so a length header alone cannot make it allocate: the
// buffer is full of bytes that arrived before it grows at all.
func (r *Reader) grow() {
	n := 2 * len(r.buf)
	if r.inMulti && r.bulkLen >= 0 {
		need := int64(r.pos-r.r) + r.bulkLen + 2
		if need > int64(len(r.buf)) && need < int64(n) {
			n = int(need)
		}
	}
	nb := make([]byte, n)
	copy(nb, r.buf[r.r:r.w])
	r.w -= r.r
	r.pos -= r.r
	r.scan -= r.r
	r.r = 0
	r.buf = nb
}

// parseInt parses a length the way Redis's string2ll does: an optional '-',
// no '+', no leading zeros (but "0"), no spaces, fewer than 21 bytes, and
// within int64.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) >= 21 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := false
	if b[0] == '-' {
		neg = true
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	if b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > math.MaxUint64/10 {
			return 0, false
		}
		v *= 10
		if v > math.MaxUint64-uint64(c-'0') {
			return 0, false
		}
		v += uint64(c - '0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// isSpace is C's isspace in the "C" locale, which sdssplitargs uses to skip
// blanks between arguments and to check what follows a closing quote.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// splitArgs splits the inline line buf[start:end] into arguments with
// sdssplitargs's rules, unescaping in place: an argument never comes out
// longer than it went in, so the output cursor never passes the input one.
// The line holds no '\n' and no NUL (the search for its end stops at both).
func (r *Reader) splitArgs(start, end int) error {
	line := r.buf[start:end]
	n := len(line)
	p, o := 0, 0
	r.spans = r.spans[:0]
	for {
		for p < n && isSpace(line[p]) {
			p++
		}
		if p == n {
			return nil
		}
		tok := o
		inq, insq := false, false
	token:
		for {
			switch {
			case inq:
				if p == n {
					return &ProtocolError{"Protocol error: unbalanced quotes in request"}
				}
				c := line[p]
				switch {
				case c == '\\' && p+3 < n && line[p+1] == 'x' && isHex(line[p+2]) && isHex(line[p+3]):
					line[o] = unhex(line[p+2])<<4 | unhex(line[p+3])
					o++
					p += 4
				case c == '\\' && p+1 < n:
					e := line[p+1]
					switch e {
					case 'n':
						e = '\n'
					case 'r':
						e = '\r'
					case 't':
						e = '\t'
					case 'b':
						e = '\b'
					case 'a':
						e = '\a'
					}
					line[o] = e
					o++
					p += 2
				case c == '"':
					// The closing quote must end the argument.
					if p+1 < n && !isSpace(line[p+1]) {
						return &ProtocolError{"Protocol error: unbalanced quotes in request"}
					}
					p++
					break token
				default:
					line[o] = c
					o++
					p++
				}
			case insq:
				if p == n {
					return &ProtocolError{"Protocol error: unbalanced quotes in request"}
				}
				c := line[p]
				switch {
				case c == '\\' && p+1 < n && line[p+1] == '\'':
					line[o] = '\''
					o++
					p += 2
				case c == '\'':
					if p+1 < n && !isSpace(line[p+1]) {
						return &ProtocolError{"Protocol error: unbalanced quotes in request"}
					}
					p++
					break token
				default:
					line[o] = c
					o++
					p++
				}
			default:
				if p == n {
					break token
				}
				c := line[p]
				switch c {
				case ' ', '\n', '\r', '\t':
					// Only these end an unquoted argument; '\v' and '\f'
					// belong to it.
					p++
					break token
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					line[o] = c
					o++
				}
				p++
			}
		}
		s := start - r.r
		r.spans = append(r.spans, span{s + tok, s + o})
	}
}

// SplitArgs splits line into arguments as Redis's sdssplitargs does, the
// rules of inline requests, of redis-cli's input and of the AOF manifest:
// arguments separated by spaces; "double quotes" with \n \r \t \b \a and
// \xHH escapes (any other escaped byte stands for itself); 'single quotes'
// with \' only; a closing quote must be followed by a space or the end. As
// in C, a NUL byte ends the line. Unbalanced quotes give a *ProtocolError.
// The arguments are copies; line is not modified.
func SplitArgs(line []byte) ([][]byte, error) {
	if i := bytes.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	r := Reader{buf: bytes.Clone(line)}
	if err := r.splitArgs(0, len(r.buf)); err != nil {
		return nil, err
	}
	args := make([][]byte, len(r.spans))
	for i, sp := range r.spans {
		args[i] = r.buf[sp.start:sp.end]
	}
	return args, nil
}
