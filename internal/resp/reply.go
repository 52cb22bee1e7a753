package resp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Limits of the ReplyReader. Replies come from nodes we chose to talk to, so
// the limits are generous; as for requests, a length header never makes the
// reader allocate more than what actually arrived.
const (
	// MaxReplyLen is the largest bulk length or element count a reply may
	// declare.
	MaxReplyLen = 1 << 40
	// MaxReplyLineLen is the longest line (simple string, error, header).
	MaxReplyLineLen = 64 << 20
	// MaxReplyDepth is how deeply aggregates may nest.
	MaxReplyDepth = 10000
)

// Value is one decoded reply. Type is the RESP type byte:
//
//	'+' simple string, '-' error, '!' blob error, '$' bulk string,
//	'=' verbatim string, '(' big number: Str
//	':' integer: Int
//	',' double: Float (Str keeps the text as sent)
//	'#' boolean: Bool
//	'*' array, '~' set, '>' push: Elems
//	'%' map: Elems, keys and values alternating
//	'_' null; a null bulk ($-1) or array (*-1) keeps its type with Null set
//
// An attribute ('|') that precedes a reply is not a reply of its own: it is
// kept in Attr (keys and values alternating) of the reply it annotates.
type Value struct {
	Type  byte
	Str   []byte
	Int   int64
	Float float64
	Bool  bool
	Elems []Value
	Null  bool
	// Attr holds the RESP3 attribute sent before this reply, if any.
	Attr []Value
	// Format is a verbatim string's format ("txt", "mkd").
	Format string
}

// frame is an aggregate whose elements are still arriving.
type frame struct {
	left int64 // elements still expected
	attr bool  // an attribute: completing it does not complete an element
}

// ReplyReader reads replies: RESP2 and RESP3, as sent by redis-server and
// by the Writer. Streamed strings and aggregates ("$?", "*?") are not
// supported; Redis never sends them.
//
// A ReplyReader is not safe for concurrent use.
type ReplyReader struct {
	rd  io.Reader
	buf []byte // buffered bytes are buf[r:w]
	r   int    // start of the reply being read
	w   int

	// Scan state of the reply being read, kept across fills so that a big
	// reply arriving in pieces is scanned once.
	pos     int
	stack   []frame
	pending bool // pos/stack describe a partly scanned reply
	err     error
	lastLen int // size of the last reply returned
}

// NewReplyReader returns a ReplyReader reading from rd.
func NewReplyReader(rd io.Reader) *ReplyReader {
	return &ReplyReader{rd: rd, buf: make([]byte, initialBufSize)}
}

// Reset discards buffered bytes, state and error, and reads from rd.
func (r *ReplyReader) Reset(rd io.Reader) {
	r.rd = rd
	r.r, r.w, r.pos = 0, 0, 0
	r.stack = r.stack[:0]
	r.pending = false
	r.err = nil
	r.lastLen = 0
}

// Buffered is the number of bytes read but not yet returned.
func (r *ReplyReader) Buffered() int { return r.w - r.r }

func replyError(format string, args ...any) error {
	return &ProtocolError{"Protocol error: " + fmt.Sprintf(format, args...)}
}

// ReadRaw returns the exact bytes of the next complete reply, nested
// aggregates and RESP3 attributes included. The slice aliases the reader's
// buffer until the next call. Malformed input is a *ProtocolError; EOF
// between replies is io.EOF, inside one io.ErrUnexpectedEOF. Errors are
// sticky.
func (r *ReplyReader) ReadRaw() ([]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	if !r.pending {
		r.shrink()
		r.pos = r.r
		r.stack = r.stack[:0]
		r.pending = true
	}
	for {
		done, need, err := r.scan()
		if err != nil {
			r.err = err
			return nil, err
		}
		if done {
			raw := r.buf[r.r:r.pos:r.pos]
			r.lastLen = r.pos - r.r
			r.r = r.pos
			r.pending = false
			return raw, nil
		}
		if err := r.fill(need); err != nil {
			if err == ErrWouldBlock {
				return nil, err
			}
			r.err = err
			return nil, err
		}
	}
}

// ErrWouldBlock may be returned, with no bytes, by the io.Reader under a
// ReplyReader that must not block (one reading a raw file descriptor
// inside syscall.RawConn.Read). ReadRaw then returns it without making it
// sticky: the next call resumes the reply where it stopped.
var ErrWouldBlock = errors.New("resp: read would block")

// ReadReply reads the next reply and decodes it. The Value owns its memory.
func (r *ReplyReader) ReadReply() (Value, error) {
	raw, err := r.ReadRaw()
	if err != nil {
		return Value{}, err
	}
	v, rest, err := ParseReply(raw)
	if err == nil && len(rest) != 0 {
		err = replyError("trailing bytes after reply")
	}
	if err != nil {
		r.err = err
		return Value{}, err
	}
	return v, nil
}

func (r *ReplyReader) shrink() {
	if len(r.buf) > maxKeptBufSize && r.w-r.r <= initialBufSize/2 && r.lastLen < len(r.buf)/4 {
		nb := make([]byte, initialBufSize)
		r.w = copy(nb, r.buf[r.r:r.w])
		r.r = 0
		r.buf = nb
	}
	if cap(r.stack) > maxKeptArgs {
		r.stack = nil
	}
}

// line finds the "\r\n"-terminated line at from. It returns the position of
// the '\r', or -1 when the line is incomplete.
func (r *ReplyReader) line(from int) (int, error) {
	lim := min(r.w, from+MaxReplyLineLen+2)
	i := bytes.IndexByte(r.buf[from:lim], '\n')
	if i < 0 {
		if r.w-from > MaxReplyLineLen+1 {
			return -1, replyError("too long line")
		}
		return -1, nil
	}
	if i == 0 || r.buf[from+i-1] != '\r' {
		return -1, replyError("line without CR")
	}
	return from + i - 1, nil
}

// scan advances r.pos over complete values. It reports done when a whole
// reply is buffered; otherwise need is the total size the reply is known to
// need so far (for growing the buffer without overshooting), or 0.
func (r *ReplyReader) scan() (done bool, need int64, err error) {
	for {
		if r.pos >= r.w {
			return false, 0, nil
		}
		cr, err := r.line(r.pos + 1)
		if err != nil {
			return false, 0, err
		}
		if cr < 0 {
			return false, 0, nil
		}
		t := r.buf[r.pos]
		hdr := r.buf[r.pos+1 : cr]
		next := cr + 2
		switch t {
		case '+', '-', '(':
			if bytes.IndexByte(hdr, '\r') >= 0 {
				return false, 0, replyError("CR inside a line")
			}
		case ':', ',', '#', '_':
			if bytes.IndexByte(hdr, '\r') >= 0 {
				return false, 0, replyError("CR inside a line")
			}
			if t == '_' && len(hdr) != 0 {
				return false, 0, replyError("invalid null")
			}
			if t == '#' && (len(hdr) != 1 || hdr[0] != 't' && hdr[0] != 'f') {
				return false, 0, replyError("invalid boolean")
			}
			if t == ':' {
				if _, ok := parseInt(hdr); !ok {
					return false, 0, replyError("invalid integer")
				}
			}
		case '$', '!', '=':
			n, ok := parseInt(hdr)
			if !ok || n < -1 || n > MaxReplyLen || n == -1 && t != '$' {
				return false, 0, replyError("invalid bulk length")
			}
			if t == '=' && n < 4 {
				return false, 0, replyError("invalid verbatim length")
			}
			if n >= 0 {
				end := int64(next) + n + 2
				if int64(r.w) < end {
					return false, end - int64(r.r), nil
				}
				if r.buf[end-2] != '\r' || r.buf[end-1] != '\n' {
					return false, 0, replyError("bulk not followed by CRLF")
				}
				next = int(end)
			}
		case '*', '%', '~', '>', '|':
			n, ok := parseInt(hdr)
			if !ok || n < -1 || n > MaxReplyLen || n == -1 && t != '*' {
				return false, 0, replyError("invalid aggregate length")
			}
			if t == '%' || t == '|' {
				n *= 2
			}
			if n > 0 {
				if len(r.stack) >= MaxReplyDepth {
					return false, 0, replyError("reply nested too deeply")
				}
				r.stack = append(r.stack, frame{left: n, attr: t == '|'})
				r.pos = next
				continue
			}
			if t == '|' {
				// An empty attribute annotates the value that follows.
				r.pos = next
				continue
			}
		default:
			return false, 0, replyError("invalid reply type %q", t)
		}
		r.pos = next
		if r.completeValue() {
			return true, 0, nil
		}
	}
}

// completeValue records that a value ended at r.pos and reports whether the
// whole reply is complete.
func (r *ReplyReader) completeValue() bool {
	for len(r.stack) > 0 {
		top := &r.stack[len(r.stack)-1]
		top.left--
		if top.left > 0 {
			return false
		}
		attr := top.attr
		r.stack = r.stack[:len(r.stack)-1]
		if attr {
			// The attribute is done; the value it annotates follows.
			return false
		}
	}
	return true
}

// fill reads more bytes, compacting and growing the buffer as needed. need,
// when known, is the size the current reply needs, so a big bulk gets a
// buffer of its size rather than the next power of two.
func (r *ReplyReader) fill(need int64) error {
	if r.r == r.w || r.w == len(r.buf) {
		if d := r.r; d > 0 {
			copy(r.buf, r.buf[d:r.w])
			r.w -= d
			r.pos -= d
			r.r = 0
		}
	}
	if r.w == len(r.buf) {
		n := 2 * len(r.buf)
		if need > int64(len(r.buf)) && need < int64(n) {
			n = int(need)
		}
		nb := make([]byte, n)
		copy(nb, r.buf[:r.w])
		r.buf = nb
	}
	for range 100 {
		n, err := r.rd.Read(r.buf[r.w:])
		if n < 0 || n > len(r.buf)-r.w {
			return errors.New("resp: reader returned an invalid count")
		}
		r.w += n
		if n > 0 {
			return nil
		}
		if err != nil {
			if err == io.EOF && r.w > r.r {
				return io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return io.ErrNoProgress
}

// ParseReply decodes the first reply in b, as ReadRaw delimits it, and
// returns the rest of b. The Value does not alias b.
func ParseReply(b []byte) (Value, []byte, error) {
	return parseValue(b, 0)
}

var errIncomplete = replyError("incomplete reply")

func parseValue(b []byte, depth int) (Value, []byte, error) {
	if depth > MaxReplyDepth {
		return Value{}, nil, replyError("reply nested too deeply")
	}
	var attr []Value
	for {
		i := bytes.Index(b, []byte("\r\n"))
		if i < 1 {
			return Value{}, nil, errIncomplete
		}
		t, hdr, rest := b[0], b[1:i], b[i+2:]
		v := Value{Type: t, Attr: attr}
		switch t {
		case '+', '-', '(':
			v.Str = bytes.Clone(hdr)
			return v, rest, nil
		case ':':
			n, ok := parseInt(hdr)
			if !ok {
				return Value{}, nil, replyError("invalid integer")
			}
			v.Int = n
			return v, rest, nil
		case ',':
			f, err := parseDouble(hdr)
			if err != nil {
				return Value{}, nil, err
			}
			v.Float = f
			v.Str = bytes.Clone(hdr)
			return v, rest, nil
		case '#':
			if len(hdr) != 1 || hdr[0] != 't' && hdr[0] != 'f' {
				return Value{}, nil, replyError("invalid boolean")
			}
			v.Bool = hdr[0] == 't'
			return v, rest, nil
		case '_':
			if len(hdr) != 0 {
				return Value{}, nil, replyError("invalid null")
			}
			v.Null = true
			return v, rest, nil
		case '$', '!', '=':
			n, ok := parseInt(hdr)
			if !ok || n < -1 || n == -1 && t != '$' || n > MaxReplyLen {
				return Value{}, nil, replyError("invalid bulk length")
			}
			if n == -1 {
				v.Null = true
				return v, rest, nil
			}
			if int64(len(rest)) < n+2 {
				return Value{}, nil, errIncomplete
			}
			if rest[n] != '\r' || rest[n+1] != '\n' {
				return Value{}, nil, replyError("bulk not followed by CRLF")
			}
			s := rest[:n]
			if t == '=' {
				if n < 4 || s[3] != ':' {
					return Value{}, nil, replyError("invalid verbatim string")
				}
				v.Format = string(s[:3])
				s = s[4:]
			}
			v.Str = bytes.Clone(s)
			if v.Str == nil {
				v.Str = []byte{}
			}
			return v, rest[n+2:], nil
		case '*', '%', '~', '>', '|':
			n, ok := parseInt(hdr)
			if !ok || n < -1 || n == -1 && t != '*' || n > MaxReplyLen {
				return Value{}, nil, replyError("invalid aggregate length")
			}
			if n == -1 {
				v.Null = true
				return v, rest, nil
			}
			if t == '%' || t == '|' {
				n *= 2
			}
			// Never trust the count for the allocation: each element
			// takes at least 3 bytes.
			elems := make([]Value, 0, min(n, int64(len(rest)/3)))
			for range n {
				var e Value
				var err error
				e, rest, err = parseValue(rest, depth+1)
				if err != nil {
					return Value{}, nil, err
				}
				elems = append(elems, e)
			}
			if t == '|' {
				attr = append(attr, elems...)
				b = rest
				continue
			}
			v.Elems = elems
			return v, rest, nil
		default:
			return Value{}, nil, replyError("invalid reply type %q", t)
		}
	}
}

// parseDouble parses a RESP3 double: a decimal or exponent form, "inf",
// "-inf" or "nan".
func parseDouble(b []byte) (float64, error) {
	switch string(b) {
	case "inf", "+inf":
		return math.Inf(1), nil
	case "-inf":
		return math.Inf(-1), nil
	case "nan", "-nan":
		return math.NaN(), nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || len(b) == 0 || isSpace(b[0]) {
		return 0, replyError("invalid double")
	}
	return f, nil
}

// String renders v the way redis-cli prints replies, for test messages.
func (v Value) String() string {
	var sb strings.Builder
	v.render(&sb, 0)
	return sb.String()
}

func (v Value) render(sb *strings.Builder, indent int) {
	switch v.Type {
	case '+':
		sb.Write(v.Str)
	case '-', '!':
		sb.WriteString("(error) ")
		sb.Write(v.Str)
	case ':':
		sb.WriteString("(integer) ")
		sb.WriteString(strconv.FormatInt(v.Int, 10))
	case ',':
		sb.WriteString("(double) ")
		sb.Write(AppendDouble(nil, v.Float))
	case '#':
		if v.Bool {
			sb.WriteString("(true)")
		} else {
			sb.WriteString("(false)")
		}
	case '(':
		sb.WriteString("(big number) ")
		sb.Write(v.Str)
	case '_':
		sb.WriteString("(nil)")
	case '$', '=':
		if v.Null {
			sb.WriteString("(nil)")
			return
		}
		sb.Write(appendRepr(nil, v.Str))
	case '*', '~', '>', '%':
		if v.Null {
			sb.WriteString("(nil)")
			return
		}
		if len(v.Elems) == 0 {
			switch v.Type {
			case '%':
				sb.WriteString("(empty hash)")
			case '~':
				sb.WriteString("(empty set)")
			default:
				sb.WriteString("(empty array)")
			}
			return
		}
		step := 1
		if v.Type == '%' {
			step = 2
		}
		count := len(v.Elems) / step
		width := len(strconv.Itoa(count))
		for i := 0; i < count; i++ {
			if i > 0 {
				sb.WriteByte('\n')
				sb.WriteString(strings.Repeat(" ", indent))
			}
			label := strconv.Itoa(i + 1)
			sb.WriteString(strings.Repeat(" ", width-len(label)))
			sb.WriteString(label)
			var sub int
			if v.Type == '%' {
				sb.WriteString("# ")
				sub = indent + width + 2
				v.Elems[2*i].render(sb, sub)
				sb.WriteString(" => ")
				v.Elems[2*i+1].render(sb, sub)
				continue
			}
			sb.WriteString(") ")
			sub = indent + width + 2
			v.Elems[i].render(sb, sub)
		}
	default:
		fmt.Fprintf(sb, "(unknown type %q)", v.Type)
	}
}

// appendRepr quotes s as redis-cli does (sdscatrepr).
func appendRepr(dst, s []byte) []byte {
	dst = append(dst, '"')
	for _, c := range s {
		switch c {
		case '\\', '"':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\a':
			dst = append(dst, '\\', 'a')
		case '\b':
			dst = append(dst, '\\', 'b')
		default:
			if c >= 0x20 && c < 0x7f {
				dst = append(dst, c)
			} else {
				dst = fmt.Appendf(dst, "\\x%02x", c)
			}
		}
	}
	return append(dst, '"')
}
