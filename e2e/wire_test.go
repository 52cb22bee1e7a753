package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/shardis/shardis/internal/resp"
)

// This file is the harness's own RESP reader. It is deliberately independent
// of internal/resp: the differential tests judge the server's bytes, so the
// code that frames them must not share bugs with the code under test.

// reply is one parsed RESP2/RESP3 reply. Aggregates keep their children;
// maps keep keys and values alternating in elems.
type reply struct {
	kind  byte   // the RESP type byte: + - : $ * _ , # ! = ( % ~ > |
	str   string // the payload of simple, error, integer, bulk, double, ... replies
	null  bool   // $-1, *-1 or _
	elems []reply
	attr  *reply // a RESP3 attribute that preceded the reply, if any
}

func (r reply) isError() bool { return r.kind == '-' || r.kind == '!' }

func (r reply) isAggregate() bool {
	switch r.kind {
	case '*', '%', '~', '>':
		return true
	}
	return false
}

// integer returns the value of an integer reply.
func (r reply) integer() (int64, bool) {
	if r.kind != ':' {
		return 0, false
	}
	n, err := strconv.ParseInt(r.str, 10, 64)
	return n, err == nil
}

// text returns the string payload of a simple, bulk or verbatim reply.
func (r reply) text() (string, bool) {
	switch r.kind {
	case '+', '$':
		return r.str, !r.null
	case '=':
		if len(r.str) >= 4 {
			return r.str[4:], true
		}
	}
	return "", false
}

// String renders a reply compactly for failure messages.
func (r reply) String() string {
	var b strings.Builder
	r.format(&b)
	return b.String()
}

func (r reply) format(b *strings.Builder) {
	if r.null {
		b.WriteString("(nil)")
		return
	}
	switch r.kind {
	case '+':
		b.WriteString(r.str)
	case '-', '!':
		b.WriteString("(error) " + r.str)
	case ':':
		b.WriteString("(integer) " + r.str)
	case '$', '=':
		b.WriteString(strconv.Quote(r.str))
	case ',', '(', '#':
		b.WriteString(string(r.kind) + r.str)
	default:
		b.WriteByte(r.kind)
		b.WriteByte('[')
		for i, e := range r.elems {
			if i > 0 {
				b.WriteString(", ")
			}
			e.format(b)
		}
		b.WriteByte(']')
	}
}

// errProtocol is returned when the server sends bytes that are not RESP.
var errProtocol = errors.New("malformed RESP reply")

// maxReplyBytes bounds what the reader accepts for one bulk, so a broken
// server cannot make the test allocate without bound.
const maxReplyBytes = 64 << 20

// replyReader reads whole replies and remembers their raw bytes.
type replyReader struct {
	br  *bufio.Reader
	raw []byte
}

func newReplyReader(r io.Reader) *replyReader {
	return &replyReader{br: bufio.NewReaderSize(r, 64<<10)}
}

// read returns one complete reply and its exact bytes on the wire.
func (rr *replyReader) read() ([]byte, reply, error) {
	rr.raw = rr.raw[:0]
	r, err := rr.value(0)
	raw := append([]byte(nil), rr.raw...)
	return raw, r, err
}

func (rr *replyReader) line() (string, error) {
	l, err := rr.br.ReadSlice('\n')
	rr.raw = append(rr.raw, l...)
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return "", fmt.Errorf("%w: line longer than 64 KB", errProtocol)
		}
		return "", err
	}
	if len(l) < 2 || l[len(l)-2] != '\r' {
		return "", fmt.Errorf("%w: line %q does not end in CRLF", errProtocol, l)
	}
	return string(l[:len(l)-2]), nil
}

func (rr *replyReader) value(depth int) (reply, error) {
	if depth > 64 {
		return reply{}, fmt.Errorf("%w: nested deeper than 64", errProtocol)
	}
	l, err := rr.line()
	if err != nil {
		return reply{}, err
	}
	if l == "" {
		return reply{}, fmt.Errorf("%w: empty line", errProtocol)
	}
	r := reply{kind: l[0], str: l[1:]}
	switch r.kind {
	case '+', '-', ':', ',', '#', '(':
		return r, nil
	case '_':
		r.null = true
		return r, nil
	case '$', '!', '=':
		n, err := strconv.Atoi(r.str)
		if err != nil || n < -1 || n > maxReplyBytes {
			return reply{}, fmt.Errorf("%w: bad length %q", errProtocol, l)
		}
		if n == -1 {
			r.str, r.null = "", true
			return r, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(rr.br, buf); err != nil {
			return reply{}, err
		}
		rr.raw = append(rr.raw, buf...)
		if !bytes.HasSuffix(buf, []byte("\r\n")) {
			return reply{}, fmt.Errorf("%w: bulk not followed by CRLF", errProtocol)
		}
		r.str = string(buf[:n])
		return r, nil
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(r.str)
		if err != nil || n < -1 || n > 1<<20 {
			return reply{}, fmt.Errorf("%w: bad count %q", errProtocol, l)
		}
		r.str = ""
		if n == -1 {
			r.null = true
			return r, nil
		}
		if r.kind == '%' || r.kind == '|' {
			n *= 2
		}
		r.elems = make([]reply, 0, n)
		for i := 0; i < n; i++ {
			e, err := rr.value(depth + 1)
			if err != nil {
				return reply{}, err
			}
			r.elems = append(r.elems, e)
		}
		if r.kind == '|' {
			// An attribute decorates the reply that follows it.
			next, err := rr.value(depth + 1)
			if err != nil {
				return reply{}, err
			}
			attr := r
			next.attr = &attr
			return next, nil
		}
		return r, nil
	}
	return reply{}, fmt.Errorf("%w: unknown type byte in %q", errProtocol, l)
}

// appendCommand encodes args as a RESP multibulk request.
func appendCommand(dst []byte, args ...string) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(args)), 10)
	dst = append(dst, '\r', '\n')
	for _, a := range args {
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(a)), 10)
		dst = append(dst, '\r', '\n')
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}

// splitArgs splits a command line the way redis-cli does (sdssplitargs,
// resp.SplitArgs).
func splitArgs(line string) ([]string, error) {
	args, err := resp.SplitArgs([]byte(line))
	if err != nil {
		return nil, fmt.Errorf("%q: %w", line, err)
	}
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = string(a)
	}
	return out, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// quoteArgs renders a command for failure messages, one quoted word per arg.
func quoteArgs(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if len(a) > 200 {
			b.WriteString(strconv.Quote(a[:200]) + fmt.Sprintf("...(%d bytes)", len(a)))
			continue
		}
		b.WriteString(strconv.Quote(a))
	}
	return b.String()
}

// quoteRaw renders raw reply bytes for failure messages, bounded in size.
func quoteRaw(raw []byte) string {
	if len(raw) > 2000 {
		return strconv.Quote(string(raw[:2000])) + fmt.Sprintf("...(%d bytes)", len(raw))
	}
	return strconv.Quote(string(raw))
}
