package resp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// chunkReader returns its data in pieces of the given sizes (cycling), so a
// test can split requests at every byte.
type chunkReader struct {
	data   []byte
	sizes  []int
	i      int
	reads  int
	closed bool
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := len(c.data)
	if len(c.sizes) > 0 {
		n = max(1, c.sizes[c.i%len(c.sizes)])
		c.i++
	}
	n = min(n, len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	c.reads++
	return n, nil
}

// readAll reads commands until an error and renders them; the error is
// rendered as "ERR <text>" for protocol errors, "EOF", or the I/O error.
func readAll(r *Reader) ([]string, string) {
	var got []string
	for {
		args, err := r.ReadCommand()
		if err != nil {
			var pe *ProtocolError
			switch {
			case errors.As(err, &pe):
				return got, "ERR " + pe.Error()
			case err == io.EOF:
				return got, "EOF"
			default:
				return got, err.Error()
			}
		}
		got = append(got, renderArgs(args))
	}
}

func renderArgs(args [][]byte) string {
	var sb strings.Builder
	for i, a := range args {
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "%q", a)
	}
	return sb.String()
}

var readCommandTests = []struct {
	name    string
	in      string
	auth    bool
	want    []string
	wantErr string
}{
	{name: "multibulk", in: "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", want: []string{`"GET" "k"`}, wantErr: "EOF"},
	{name: "pipelined", in: "*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$0\r\n\r\nPING\r\n",
		want: []string{`"PING"`, `"SET" "a" ""`, `"PING"`}, wantErr: "EOF"},
	{name: "binary bulk", in: "*1\r\n$5\r\na\r\n\x00b\r\n", want: []string{`"a\r\n\x00b"`}, wantErr: "EOF"},
	{name: "bulk trailer unchecked", in: "*1\r\n$4\r\nPINGxy*1\r\n$4\r\nPING\r\n", want: []string{`"PING"`, `"PING"`}, wantErr: "EOF"},
	{name: "header LF unchecked", in: "*1\rX$4\rXPING\r\n", want: []string{`"PING"`}, wantErr: "EOF"},
	{name: "empty multibulks skipped", in: "*0\r\n*-1\r\n*-10\r\n*-9223372036854775808\r\nPING\r\n", want: []string{`"PING"`}, wantErr: "EOF"},
	{name: "inline LF only", in: "PING\nECHO a\n", want: []string{`"PING"`, `"ECHO" "a"`}, wantErr: "EOF"},
	{name: "blank lines skipped", in: "\r\n\n  \r\nPING\r\n", want: []string{`"PING"`}, wantErr: "EOF"},
	{name: "inline CR inside", in: "PING\rx\n", want: []string{`"PING" "x"`}, wantErr: "EOF"},
	{name: "inline spaces", in: "  SET   a  b  \r\n", want: []string{`"SET" "a" "b"`}, wantErr: "EOF"},
	{name: "inline vertical tab is part of an argument", in: "ECHO a\vb\r\n", want: []string{`"ECHO" "a\vb"`}, wantErr: "EOF"},
	{name: "inline hex escapes", in: "ECHO \"a\\x41b\\n\"\r\n", want: []string{`"ECHO" "aAb\n"`}, wantErr: "EOF"},
	{name: "inline escapes", in: "ECHO \"a\\tb\\a\\b\\r\\q\\\\\\\"\"\r\n", want: []string{`"ECHO" "a\tb\a\b\rq\\\""`}, wantErr: "EOF"},
	{name: "inline bad hex", in: "ECHO \"\\x4g\" \"\\xZZ\"\r\n", want: []string{`"ECHO" "x4g" "xZZ"`}, wantErr: "EOF"},
	{name: "inline NUL escape", in: "ECHO \"a\\x00b\"\r\n", want: []string{`"ECHO" "a\x00b"`}, wantErr: "EOF"},
	{name: "inline single quotes", in: "ECHO 'a\\'b' 'c\\nd'\r\n", want: []string{`"ECHO" "a'b" "c\\nd"`}, wantErr: "EOF"},
	{name: "inline empty quoted", in: "ECHO \"\" ''\r\n", want: []string{`"ECHO" "" ""`}, wantErr: "EOF"},
	{name: "inline quote mid-argument", in: "ECHO a\"b c\" x'y'\r\n", want: []string{`"ECHO" "ab c" "xy"`}, wantErr: "EOF"},
	{name: "inline quote then vertical tab", in: "ECHO \"a\"\vx\r\n", want: []string{`"ECHO" "a" "x"`}, wantErr: "EOF"},
	{name: "inline unterminated quote", in: "ECHO \"ab\r\n", wantErr: "ERR Protocol error: unbalanced quotes in request"},
	{name: "inline unterminated single quote", in: "ECHO 'ab\r\n", wantErr: "ERR Protocol error: unbalanced quotes in request"},
	{name: "inline text after quote", in: "ECHO \"ab\"c\r\n", wantErr: "ERR Protocol error: unbalanced quotes in request"},
	{name: "inline text after single quote", in: "ECHO 'ab'c\r\n", wantErr: "ERR Protocol error: unbalanced quotes in request"},
	{name: "commands before the error are returned", in: "PING\r\nECHO \"\r\n", want: []string{`"PING"`}, wantErr: "ERR Protocol error: unbalanced quotes in request"},
	{name: "inline NUL never ends", in: "ECHO a\x00b\r\n", wantErr: io.ErrUnexpectedEOF.Error()},
	{name: "inline NUL then too big", in: "ECHO a\x00b\r\n" + strings.Repeat("x", MaxInlineLen), wantErr: "ERR Protocol error: too big inline request"},
	{name: "inline too big", in: "ECHO " + strings.Repeat("x", MaxInlineLen-4), wantErr: "ERR Protocol error: too big inline request"},
	{name: "inline just fits", in: "ECHO " + strings.Repeat("x", MaxInlineLen-5), wantErr: io.ErrUnexpectedEOF.Error()},
	{name: "inline longest line", in: "ECHO " + strings.Repeat("x", MaxInlineLen-5) + "\n", want: []string{fmt.Sprintf(`"ECHO" %q`, strings.Repeat("x", MaxInlineLen-5))}, wantErr: "EOF"},
	{name: "inline line too long even if complete", in: "ECHO " + strings.Repeat("x", MaxInlineLen) + "\r\n", wantErr: "ERR Protocol error: too big inline request"},
	{name: "mbulk count too big", in: "*1" + strings.Repeat("0", MaxInlineLen-1), wantErr: "ERR Protocol error: too big mbulk count string"},
	{name: "mbulk count just fits", in: "*1" + strings.Repeat("0", MaxInlineLen-2), wantErr: io.ErrUnexpectedEOF.Error()},
	{name: "mbulk count NUL", in: "*1\x00\r\n$4\r\nPING\r\n", wantErr: io.ErrUnexpectedEOF.Error()},
	{name: "mbulk count NUL then too big", in: "*1\x00\r\n" + strings.Repeat("x", MaxInlineLen), wantErr: "ERR Protocol error: too big mbulk count string"},
	{name: "bulk count too big", in: "*1\r\n$1" + strings.Repeat("0", MaxInlineLen-1), wantErr: "ERR Protocol error: too big bulk count string"},
	{name: "mbulk out of range", in: "*2147483648\r\n", wantErr: "ERR Protocol error: invalid multibulk length"},
	{name: "mbulk INT_MAX accepted", in: "*2147483647\r\n", wantErr: io.ErrUnexpectedEOF.Error()},
	{name: "mbulk empty count", in: "*\r\n", wantErr: "ERR Protocol error: invalid multibulk length"},
	{name: "mbulk minus zero", in: "*-0\r\n", wantErr: "ERR Protocol error: invalid multibulk length"},
	{name: "mbulk leading zero", in: "*01\r\n", wantErr: "ERR Protocol error: invalid multibulk length"},
	{name: "mbulk plus", in: "*+1\r\n", wantErr: "ERR Protocol error: invalid multibulk length"},
	{name: "mbulk space", in: "*1 \r\n", wantErr: "ERR Protocol error: invalid multibulk length"},
	{name: "mbulk int64 overflow", in: "*-9223372036854775809\r\n", wantErr: "ERR Protocol error: invalid multibulk length"},
	{name: "mbulk 21 bytes", in: "*-00000000000000000001\r\n", wantErr: "ERR Protocol error: invalid multibulk length"},
	{name: "bulk negative", in: "*1\r\n$-1\r\n", wantErr: "ERR Protocol error: invalid bulk length"},
	{name: "bulk leading zero", in: "*1\r\n$04\r\nPING\r\n", wantErr: "ERR Protocol error: invalid bulk length"},
	{name: "bulk empty length", in: "*1\r\n$\r\n", wantErr: "ERR Protocol error: invalid bulk length"},
	{name: "bulk above proto-max-bulk-len", in: "*1\r\n$536870913\r\n", wantErr: "ERR Protocol error: invalid bulk length"},
	{name: "bulk at proto-max-bulk-len", in: "*1\r\n$536870912\r\n", wantErr: io.ErrUnexpectedEOF.Error()},
	{name: "expected dollar", in: "*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", wantErr: "ERR Protocol error: expected '$', got 'f'"},
	{name: "expected dollar got CR", in: "*1\r\n\r\n", wantErr: "ERR Protocol error: expected '$', got ' '"},
	{name: "expected dollar got high byte", in: "*1\r\n\x80\r\n", wantErr: "ERR Protocol error: expected '$', got '\x80'"},
	{name: "unauth mbulk", auth: true, in: "*11\r\n", wantErr: "ERR Protocol error: unauthenticated multibulk length"},
	{name: "unauth mbulk 10", auth: true, in: "*10\r\n" + strings.Repeat("$1\r\nx\r\n", 10), want: []string{strings.TrimSpace(strings.Repeat(`"x" `, 10))}, wantErr: "EOF"},
	{name: "unauth mbulk out of range", auth: true, in: "*3000000000\r\n", wantErr: "ERR Protocol error: invalid multibulk length"},
	{name: "unauth bulk", auth: true, in: "*1\r\n$16385\r\n", wantErr: "ERR Protocol error: unauthenticated bulk length"},
	{name: "unauth bulk 16384", auth: true, in: "*1\r\n$16384\r\n" + strings.Repeat("x", 16384) + "\r\n", want: []string{fmt.Sprintf("%q", strings.Repeat("x", 16384))}, wantErr: "EOF"},
	{name: "unauth bulk invalid first", auth: true, in: "*1\r\n$600000000\r\n", wantErr: "ERR Protocol error: invalid bulk length"},
	{name: "unauth inline unlimited", auth: true, in: "PING" + strings.Repeat(" x", 20) + "\r\n", want: []string{`"PING"` + strings.Repeat(` "x"`, 20)}, wantErr: "EOF"},
	{name: "partial multibulk at EOF", in: "*1\r\n$4\r\nPING", wantErr: io.ErrUnexpectedEOF.Error()},
}

func TestReadCommand(t *testing.T) {
	for _, tt := range readCommandTests {
		t.Run(tt.name, func(t *testing.T) {
			// Whole, byte by byte, and in uneven pieces: same answer.
			for _, sizes := range [][]int{nil, {1}, {3, 1, 7}, {16 * 1024}} {
				r := NewReader(&chunkReader{data: []byte(tt.in), sizes: sizes})
				r.SetAuthRequired(tt.auth)
				got, gotErr := readAll(r)
				if fmt.Sprint(got) != fmt.Sprint(tt.want) || gotErr != tt.wantErr {
					t.Fatalf("split %v:\n got  %q, %q\n want %q, %q", sizes, got, gotErr, tt.want, tt.wantErr)
				}
			}
		})
	}
}

func TestReadCommandErrorIsSticky(t *testing.T) {
	r := NewReader(strings.NewReader("*x\r\nPING\r\n"))
	_, err1 := r.ReadCommand()
	_, err2 := r.ReadCommand()
	var pe *ProtocolError
	if !errors.As(err1, &pe) || err1 != err2 {
		t.Fatalf("errors %v, %v: want the same *ProtocolError twice", err1, err2)
	}
}

func TestReadCommandAuthChangesNextRequest(t *testing.T) {
	in := "*2\r\n$4\r\nAUTH\r\n$1\r\np\r\n*11\r\n" + strings.Repeat("$1\r\nx\r\n", 11)
	r := NewReader(strings.NewReader(in))
	r.SetAuthRequired(true)
	args, err := r.ReadCommand()
	if err != nil || len(args) != 2 {
		t.Fatalf("AUTH: %q, %v", args, err)
	}
	r.SetAuthRequired(false)
	args, err = r.ReadCommand()
	if err != nil || len(args) != 11 {
		t.Fatalf("after AUTH: %d args, %v", len(args), err)
	}
}

func TestReadCommandSetMaxBulkLen(t *testing.T) {
	r := NewReader(strings.NewReader("*1\r\n$5\r\nhello\r\n*1\r\n$6\r\nhello!\r\n"))
	r.SetMaxBulkLen(5)
	if args, err := r.ReadCommand(); err != nil || string(args[0]) != "hello" {
		t.Fatalf("got %q, %v", args, err)
	}
	_, err := r.ReadCommand()
	if err == nil || err.Error() != "Protocol error: invalid bulk length" {
		t.Fatalf("got %v, want invalid bulk length", err)
	}
}

// A length header alone must not make the reader allocate: a client that
// declares a 500 MB bulk and sends 1 MB leaves a buffer of at most twice
// what arrived.
func TestReadCommandHugeBulkHeaderDoesNotAllocate(t *testing.T) {
	const sent = 1 << 20
	in := append([]byte("*2\r\n$3\r\nSET\r\n$500000000\r\n"), bytes.Repeat([]byte("v"), sent)...)
	r := NewReader(&chunkReader{data: in, sizes: []int{4096}})
	_, err := r.ReadCommand()
	if err != io.ErrUnexpectedEOF {
		t.Fatalf("err = %v, want io.ErrUnexpectedEOF", err)
	}
	if c := cap(r.buf); c > 2*len(in) {
		t.Fatalf("buffer capacity %d after %d bytes arrived", c, len(in))
	}
}

func TestReadCommandHugeCountDoesNotAllocate(t *testing.T) {
	in := []byte("*1048576\r\n" + strings.Repeat("$1\r\nx\r\n", 100))
	r := NewReader(bytes.NewReader(in))
	if _, err := r.ReadCommand(); err != io.ErrUnexpectedEOF {
		t.Fatalf("err = %v, want io.ErrUnexpectedEOF", err)
	}
	if c := cap(r.spans); c > 1024 {
		t.Fatalf("argument capacity %d after 100 arguments arrived", c)
	}
}

func TestReadCommandBigBulk(t *testing.T) {
	val := bytes.Repeat([]byte("0123456789"), 1<<20) // 10 MB
	var in []byte
	in = AppendCommandBytes(in, [][]byte{[]byte("SET"), []byte("k"), val})
	in = AppendCommand(in, "GET", "k")
	in = AppendCommand(in, "GET", "k")
	r := NewReader(&chunkReader{data: in, sizes: []int{64 * 1024}})
	args, err := r.ReadCommand()
	if err != nil || len(args) != 3 || !bytes.Equal(args[2], val) {
		t.Fatalf("big SET: %d args, %v", len(args), err)
	}
	if c := cap(r.buf); c > len(val)+64*1024 {
		t.Fatalf("buffer capacity %d for a %d-byte bulk: want it sized to the request", c, len(val))
	}
	// The buffer is kept while big requests keep coming, and given back
	// after a small one.
	for range 2 {
		args, err = r.ReadCommand()
		if err != nil || renderArgs(args) != `"GET" "k"` {
			t.Fatalf("after the big SET: %q, %v", args, err)
		}
	}
	if c := cap(r.buf); c > maxKeptBufSize {
		t.Fatalf("buffer kept at %d bytes after small requests", c)
	}
}

func TestReadCommandBeforeFill(t *testing.T) {
	in := "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n"
	cr := &chunkReader{data: []byte(in), sizes: []int{len(in)/2 + 2}}
	r := NewReader(cr)
	calls := 0
	r.BeforeFill = func() error {
		calls++
		return nil
	}
	for range 2 {
		if _, err := r.ReadCommand(); err != nil {
			t.Fatal(err)
		}
	}
	// One fill for the first half, one to complete the second request.
	if calls != 2 || cr.reads != 2 {
		t.Fatalf("BeforeFill called %d times over %d reads, want 2 and 2", calls, cr.reads)
	}
	stop := errors.New("flush failed")
	r.BeforeFill = func() error { return stop }
	if _, err := r.ReadCommand(); err != stop {
		t.Fatalf("err = %v, want the BeforeFill error", err)
	}
}

func TestReadCommandArgsAreCapped(t *testing.T) {
	r := NewReader(strings.NewReader("*2\r\n$1\r\na\r\n$1\r\nb\r\n"))
	args, err := r.ReadCommand()
	if err != nil {
		t.Fatal(err)
	}
	_ = append(args[0], 'X')
	if string(args[1]) != "b" {
		t.Fatalf("appending to one argument changed the next: %q", args[1])
	}
}

func TestBuffered(t *testing.T) {
	r := NewReader(strings.NewReader("PING\r\nPING\r\nPI"))
	if _, err := r.ReadCommand(); err != nil {
		t.Fatal(err)
	}
	if got := r.Buffered(); got != 8 {
		t.Fatalf("Buffered() = %d, want 8", got)
	}
}

func TestSplitArgs(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{`file "a b.aof" seq 1 type b`, []string{"file", "a b.aof", "seq", "1", "type", "b"}},
		{`x "\x41\n" 'it\'s'`, []string{"x", "A\n", "it's"}},
		{"a b\x00c d", []string{"a", "b"}}, // NUL ends the line, as in C
		{"   ", []string{}},
	} {
		in := []byte(c.in)
		got, err := SplitArgs(in)
		if err != nil || len(got) != len(c.want) {
			t.Fatalf("SplitArgs(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
		for i := range got {
			if string(got[i]) != c.want[i] {
				t.Errorf("SplitArgs(%q)[%d] = %q, want %q", c.in, i, got[i], c.want[i])
			}
		}
		if string(in) != c.in {
			t.Errorf("SplitArgs modified its input: %q", in)
		}
	}
	for _, bad := range []string{`a "b`, `a 'b`, `a "b"c`, "a \"b\x00\""} {
		var pe *ProtocolError
		if _, err := SplitArgs([]byte(bad)); !errors.As(err, &pe) {
			t.Errorf("SplitArgs(%q) = %v, want a ProtocolError", bad, err)
		}
	}
}
