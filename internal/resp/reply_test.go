package resp

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
)

var replyTests = []struct {
	name string
	in   string
	want string // Value.String()
	typ  byte
}{
	{"simple", "+OK\r\n", "OK", '+'},
	{"error", "-ERR unknown command\r\n", "(error) ERR unknown command", '-'},
	{"integer", ":-42\r\n", "(integer) -42", ':'},
	{"bulk", "$5\r\nhe\r\no\r\n", `"he\r\no"`, '$'},
	{"empty bulk", "$0\r\n\r\n", `""`, '$'},
	{"null bulk", "$-1\r\n", "(nil)", '$'},
	{"null array", "*-1\r\n", "(nil)", '*'},
	{"empty array", "*0\r\n", "(empty array)", '*'},
	{"array", "*3\r\n$1\r\na\r\n:1\r\n*2\r\n+x\r\n$-1\r\n", "1) \"a\"\n2) (integer) 1\n3) 1) x\n   2) (nil)", '*'},
	{"map", "%2\r\n+a\r\n:1\r\n+b\r\n#t\r\n", "1# a => (integer) 1\n2# b => (true)", '%'},
	{"empty map", "%0\r\n", "(empty hash)", '%'},
	{"set", "~1\r\n$1\r\nx\r\n", `1) "x"`, '~'},
	{"push", ">2\r\n+message\r\n$2\r\nhi\r\n", "1) message\n2) \"hi\"", '>'},
	{"double", ",1.5\r\n", "(double) 1.5", ','},
	{"double inf", ",-inf\r\n", "(double) -inf", ','},
	{"bool false", "#f\r\n", "(false)", '#'},
	{"null", "_\r\n", "(nil)", '_'},
	{"big number", "(3492890328409238509324850943850943825024385\r\n", "(big number) 3492890328409238509324850943850943825024385", '('},
	{"verbatim", "=15\r\ntxt:Some string\r\n", `"Some string"`, '='},
	{"blob error", "!21\r\nSYNTAX invalid syntax\r\n", "(error) SYNTAX invalid syntax", '!'},
	{"attribute", "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n:2\r\n", "1) (integer) 2", '*'},
	{"nested attribute", "*2\r\n|1\r\n+ttl\r\n:3600\r\n:1\r\n:2\r\n", "1) (integer) 1\n2) (integer) 2", '*'},
	{"binary repr", "$4\r\n\x00\"\\\xff\r\n", `"\x00\"\\\xff"`, '$'},
}

func TestReadReply(t *testing.T) {
	for _, tt := range replyTests {
		t.Run(tt.name, func(t *testing.T) {
			for _, sizes := range [][]int{nil, {1}, {2, 5}} {
				// Twice in a row: the second one checks that the first
				// was consumed exactly.
				in := tt.in + tt.in
				r := NewReplyReader(&chunkReader{data: []byte(in), sizes: sizes})
				for range 2 {
					v, err := r.ReadReply()
					if err != nil {
						t.Fatalf("split %v: %v", sizes, err)
					}
					if v.Type != tt.typ || v.String() != tt.want {
						t.Fatalf("split %v: got type %q\n%s\nwant type %q\n%s", sizes, v.Type, v, tt.typ, tt.want)
					}
				}
				if _, err := r.ReadReply(); err != io.EOF {
					t.Fatalf("after two replies: %v, want io.EOF", err)
				}
				r = NewReplyReader(&chunkReader{data: []byte(in), sizes: sizes})
				for range 2 {
					raw, err := r.ReadRaw()
					if err != nil || string(raw) != tt.in {
						t.Fatalf("ReadRaw split %v: %q, %v; want %q", sizes, raw, err, tt.in)
					}
				}
			}
		})
	}
}

func TestReadReplyValues(t *testing.T) {
	in := "|1\r\n+ttl\r\n:3600\r\n=8\r\nmkd:# hi\r\n,nan\r\n#t\r\n"
	r := NewReplyReader(strings.NewReader(in))
	v, err := r.ReadReply()
	if err != nil {
		t.Fatal(err)
	}
	if v.Format != "mkd" || string(v.Str) != "# hi" || len(v.Attr) != 2 || v.Attr[1].Int != 3600 {
		t.Fatalf("verbatim with attribute: %+v", v)
	}
	if v, err = r.ReadReply(); err != nil || !math.IsNaN(v.Float) {
		t.Fatalf("nan: %+v, %v", v, err)
	}
	if v, err = r.ReadReply(); err != nil || !v.Bool {
		t.Fatalf("true: %+v, %v", v, err)
	}
}

func TestReadReplyMalformed(t *testing.T) {
	for _, in := range []string{
		"?\r\n",
		"+OK\n",
		"+O\rK\r\n",
		":12a\r\n",
		"$-2\r\n",
		"$3\r\nabcd\r\n",
		"$01\r\na\r\n",
		"*-2\r\n",
		"%-1\r\n",
		"#x\r\n",
		"_x\r\n",
		"=3\r\nabc\r\n",
		"$?\r\n",
		"*1\r\n?\r\n",
	} {
		r := NewReplyReader(strings.NewReader(in))
		_, err := r.ReadReply()
		var pe *ProtocolError
		if !errors.As(err, &pe) {
			t.Errorf("%q: err = %v, want a *ProtocolError", in, err)
		}
	}
	for _, in := range []string{",abc\r\n", "=4\r\nabcd\r\n"} {
		r := NewReplyReader(strings.NewReader(in))
		if _, err := r.ReadRaw(); err != nil {
			t.Errorf("%q: ReadRaw: %v, want the bytes (framing is fine)", in, err)
		}
		r = NewReplyReader(strings.NewReader(in))
		if _, err := r.ReadReply(); err == nil {
			t.Errorf("%q: ReadReply accepted it", in)
		}
	}
	r := NewReplyReader(strings.NewReader("*2\r\n:1\r\n"))
	if _, err := r.ReadRaw(); err != io.ErrUnexpectedEOF {
		t.Errorf("truncated array: %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestReadReplyDeepNesting(t *testing.T) {
	in := strings.Repeat("*1\r\n", MaxReplyDepth+1) + ":1\r\n"
	if _, err := NewReplyReader(strings.NewReader(in)).ReadRaw(); err == nil {
		t.Fatal("nesting beyond MaxReplyDepth accepted")
	}
	in = strings.Repeat("*1\r\n", 100) + ":1\r\n"
	v, err := NewReplyReader(strings.NewReader(in)).ReadReply()
	if err != nil || v.Type != '*' {
		t.Fatalf("100 levels: %v", err)
	}
}

func TestReplyReaderHugeHeaders(t *testing.T) {
	const sent = 1 << 20
	in := append([]byte("$500000000\r\n"), bytes.Repeat([]byte("v"), sent)...)
	r := NewReplyReader(&chunkReader{data: in, sizes: []int{4096}})
	if _, err := r.ReadRaw(); err != io.ErrUnexpectedEOF {
		t.Fatalf("err = %v", err)
	}
	if c := cap(r.buf); c > 2*len(in) {
		t.Fatalf("buffer capacity %d after %d bytes", c, len(in))
	}
	in = []byte("*1099511627776\r\n" + strings.Repeat(":1\r\n", 100))
	r = NewReplyReader(bytes.NewReader(in))
	if _, err := r.ReadReply(); err != io.ErrUnexpectedEOF {
		t.Fatalf("err = %v", err)
	}
	// ParseReply on a lying header must not allocate for the count.
	if _, _, err := ParseReply([]byte("*1099511627776\r\n:1\r\n")); err == nil {
		t.Fatal("ParseReply accepted a truncated array")
	}
}

// The Writer's output reads back as the values written, in both protocols.
func TestWriterRoundTrip(t *testing.T) {
	for _, proto := range []int{2, 3} {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		w.SetProto(proto)
		w.WriteOK()
		w.WriteError("ERR bad\r\nthing")
		w.WriteInt(-7)
		w.WriteBulkString("bulk")
		w.WriteNull()
		w.WriteNullArray()
		w.WriteMapLen(1)
		w.WriteBulkString("k")
		w.WriteDouble(2.5)
		w.WriteSetLen(1)
		w.WriteBool(true)
		w.WriteVerbatim("txt", "hello")
		w.WriteBigNumber("12345678901234567890")
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		want3 := []string{"OK", "(error) ERR bad  thing", "(integer) -7", `"bulk"`, "(nil)", "(nil)",
			"1# \"k\" => (double) 2.5", "1) (true)", `"hello"`, "(big number) 12345678901234567890"}
		want2 := []string{"OK", "(error) ERR bad  thing", "(integer) -7", `"bulk"`, "(nil)", "(nil)",
			"1) \"k\"\n2) \"2.5\"", "1) (integer) 1", `"hello"`, `"12345678901234567890"`}
		want := want2
		if proto == 3 {
			want = want3
		}
		r := NewReplyReader(&buf)
		for i, s := range want {
			v, err := r.ReadReply()
			if err != nil || v.String() != s {
				t.Fatalf("RESP%d reply %d: %v\n%s\nwant\n%s", proto, i, err, v, s)
			}
		}
		if _, err := r.ReadReply(); err != io.EOF {
			t.Fatalf("RESP%d: trailing data: %v", proto, err)
		}
	}
}

func TestAppendCommand(t *testing.T) {
	got := AppendCommand([]byte("x"), "SET", "k", "")
	if want := "x*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"; string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	args := [][]byte{[]byte("a\r\nb"), {}}
	r := NewReader(bytes.NewReader(AppendCommandBytes(nil, args)))
	back, err := r.ReadCommand()
	if err != nil || renderArgs(back) != renderArgs(args) {
		t.Fatalf("round trip: %q, %v", back, err)
	}
}
