package resp

import (
	"io"
	"math"
	"strconv"
)

// Writer encodes replies into an internal buffer; Flush sends everything
// buffered with one write. Replies are written in RESP2 or RESP3 depending on
// the protocol version set with SetProto: RESP3-only types (maps, sets,
// doubles, booleans, verbatim strings, push, nulls) fall back to their RESP2
// shapes exactly as redis-server does.
//
// The Writer keeps the first write error it meets; later calls are no-ops
// and Flush returns that error.
type Writer struct {
	w     io.Writer
	buf   []byte
	proto int
	err   error
	errs  int64 // error replies written with WriteError
}

// Errors is the number of error replies written with WriteError so far.
func (w *Writer) Errors() int64 { return w.errs }

// NewWriter returns a Writer that speaks RESP2 until SetProto(3).
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, buf: make([]byte, 0, 16*1024), proto: 2}
}

// SetProto selects the reply protocol (2 or 3).
func (w *Writer) SetProto(p int) { w.proto = p }

// Proto is the protocol replies are written in.
func (w *Writer) Proto() int { return w.proto }

// Buffered is the number of bytes waiting for Flush.
func (w *Writer) Buffered() int { return len(w.buf) }

// Bytes returns the buffered, unflushed bytes (valid until the next write).
func (w *Writer) Bytes() []byte { return w.buf }

// Reset discards buffered bytes and any error, and targets wr.
func (w *Writer) Reset(wr io.Writer) {
	w.w = wr
	w.buf = w.buf[:0]
	w.err = nil
}

// Truncate drops buffered bytes after the first n (used to take back a
// partly written reply).
func (w *Writer) Truncate(n int) {
	if n < len(w.buf) {
		w.buf = w.buf[:n]
	}
}

// Flush writes the buffered bytes with one write and keeps the first error.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.w.Write(w.buf)
	if err != nil {
		w.err = err
	}
	if cap(w.buf) > 1<<20 {
		// Do not keep a huge buffer for the connection's lifetime after one
		// big reply.
		w.buf = make([]byte, 0, 16*1024)
	} else {
		w.buf = w.buf[:0]
	}
	return w.err
}

// WriteRaw appends already encoded RESP bytes.
func (w *Writer) WriteRaw(b []byte) { w.buf = append(w.buf, b...) }

func (w *Writer) header(prefix byte, n int64) {
	w.buf = append(w.buf, prefix)
	w.buf = strconv.AppendInt(w.buf, n, 10)
	w.buf = append(w.buf, '\r', '\n')
}

// WriteSimple writes a simple string: +s.
func (w *Writer) WriteSimple(s string) {
	w.buf = append(w.buf, '+')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// WriteOK writes +OK.
func (w *Writer) WriteOK() { w.buf = append(w.buf, "+OK\r\n"...) }

// WriteError writes an error reply. msg must carry its code
// ("ERR ...", "WRONGTYPE ..."); line breaks are replaced by spaces, as Redis
// does, so the reply stays one line.
func (w *Writer) WriteError(msg string) {
	w.errs++
	w.buf = append(w.buf, '-')
	start := len(w.buf)
	w.buf = append(w.buf, msg...)
	for i := start; i < len(w.buf); i++ {
		if w.buf[i] == '\r' || w.buf[i] == '\n' {
			w.buf[i] = ' '
		}
	}
	w.buf = append(w.buf, '\r', '\n')
}

// WriteInt writes an integer reply.
func (w *Writer) WriteInt(n int64) { w.header(':', n) }

// WriteBulk writes a bulk string.
func (w *Writer) WriteBulk(b []byte) {
	w.header('$', int64(len(b)))
	w.buf = append(w.buf, b...)
	w.buf = append(w.buf, '\r', '\n')
}

// WriteBulkString writes a bulk string.
func (w *Writer) WriteBulkString(s string) {
	w.header('$', int64(len(s)))
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// WriteBulkInt writes n as a bulk string of its decimal form.
func (w *Writer) WriteBulkInt(n int64) {
	var tmp [24]byte
	w.WriteBulk(strconv.AppendInt(tmp[:0], n, 10))
}

// WriteNull writes the null bulk string ($-1 in RESP2, _ in RESP3).
func (w *Writer) WriteNull() {
	if w.proto >= 3 {
		w.buf = append(w.buf, "_\r\n"...)
	} else {
		w.buf = append(w.buf, "$-1\r\n"...)
	}
}

// WriteNullArray writes the null array (*-1 in RESP2, _ in RESP3).
func (w *Writer) WriteNullArray() {
	if w.proto >= 3 {
		w.buf = append(w.buf, "_\r\n"...)
	} else {
		w.buf = append(w.buf, "*-1\r\n"...)
	}
}

// WriteArrayLen starts an array of n elements.
func (w *Writer) WriteArrayLen(n int) { w.header('*', int64(n)) }

// WriteMapLen starts a map of n key/value pairs (an array of 2n in RESP2).
func (w *Writer) WriteMapLen(n int) {
	if w.proto >= 3 {
		w.header('%', int64(n))
	} else {
		w.header('*', int64(2*n))
	}
}

// WriteSetLen starts a set of n elements (an array in RESP2).
func (w *Writer) WriteSetLen(n int) {
	if w.proto >= 3 {
		w.header('~', int64(n))
	} else {
		w.header('*', int64(n))
	}
}

// WritePushLen starts a push message of n elements (an array in RESP2).
func (w *Writer) WritePushLen(n int) {
	if w.proto >= 3 {
		w.header('>', int64(n))
	} else {
		w.header('*', int64(n))
	}
}

// WriteAttrLen starts an attribute of n pairs (RESP3 only; callers skip it
// on RESP2).
func (w *Writer) WriteAttrLen(n int) { w.header('|', int64(n)) }

// WriteBool writes a boolean (:1 / :0 in RESP2).
func (w *Writer) WriteBool(b bool) {
	switch {
	case w.proto >= 3 && b:
		w.buf = append(w.buf, "#t\r\n"...)
	case w.proto >= 3:
		w.buf = append(w.buf, "#f\r\n"...)
	case b:
		w.buf = append(w.buf, ":1\r\n"...)
	default:
		w.buf = append(w.buf, ":0\r\n"...)
	}
}

// WriteDouble writes a double: in RESP3 as ,<d>; in RESP2 as a bulk string,
// formatted as Redis's addReplyDouble does ("%.17g", inf / -inf).
func (w *Writer) WriteDouble(f float64) {
	var tmp [40]byte
	b := AppendDouble(tmp[:0], f)
	if w.proto >= 3 {
		w.buf = append(w.buf, ',')
		w.buf = append(w.buf, b...)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	w.WriteBulk(b)
}

// WriteBigNumber writes a big number (a bulk string in RESP2).
func (w *Writer) WriteBigNumber(s string) {
	if w.proto >= 3 {
		w.buf = append(w.buf, '(')
		w.buf = append(w.buf, s...)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	w.WriteBulkString(s)
}

// WriteVerbatim writes a verbatim string with a three-letter format
// ("txt", "mkd"); a plain bulk string in RESP2.
func (w *Writer) WriteVerbatim(format, s string) {
	if w.proto >= 3 {
		w.header('=', int64(len(s)+4))
		w.buf = append(w.buf, format...)
		w.buf = append(w.buf, ':')
		w.buf = append(w.buf, s...)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	w.WriteBulkString(s)
}

// WriteBulks writes an array of bulk strings.
func (w *Writer) WriteBulks(items ...string) {
	w.WriteArrayLen(len(items))
	for _, s := range items {
		w.WriteBulkString(s)
	}
}

// AppendDouble formats f the way Redis replies with doubles: "%.17g"
// (shortest round-trip where it is exact), "inf", "-inf", "nan".
func AppendDouble(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	case math.IsNaN(f):
		return append(b, "nan"...)
	}
	return strconv.AppendFloat(b, f, 'g', 17, 64)
}
