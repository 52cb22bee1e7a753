package resp

import (
	"bytes"
	"fmt"
	"testing"
)

// splitSizes turns fuzz bytes into read sizes (1..64), or nil for "all at
// once".
func splitSizes(split []byte) []int {
	if len(split) == 0 {
		return nil
	}
	sizes := make([]int, len(split))
	for i, b := range split {
		sizes[i] = 1 + int(b%64)
	}
	return sizes
}

func FuzzReadCommand(f *testing.F) {
	for _, tt := range readCommandTests {
		if len(tt.in) < 1024 {
			f.Add([]byte(tt.in), []byte{0, 3, 200}, tt.auth)
		}
	}
	f.Add([]byte("*2\r\n$3\r\nGET\r\n$1\r\nk\r\nSET a \"b\\x41\" 'c'\r\n"), []byte{1}, false)
	f.Fuzz(func(t *testing.T, data, split []byte, auth bool) {
		read := func(sizes []int) ([]string, string, *Reader) {
			r := NewReader(&chunkReader{data: data, sizes: sizes})
			r.SetAuthRequired(auth)
			if len(split) > 0 && split[0] == 7 {
				r.SetMaxBulkLen(16)
			}
			got, err := readAll(r)
			if r.Buffered() < 0 {
				t.Fatalf("Buffered() = %d", r.Buffered())
			}
			return got, err, r
		}
		whole, wholeErr, r := read(nil)
		if c := cap(r.buf); c > max(initialBufSize, 2*len(data)) {
			t.Fatalf("buffer capacity %d for %d bytes of input", c, len(data))
		}
		for _, sizes := range [][]int{splitSizes(split), {1}} {
			got, gotErr, _ := read(sizes)
			if fmt.Sprint(got) != fmt.Sprint(whole) || gotErr != wholeErr {
				t.Fatalf("split %v:\n got  %q, %s\n whole %q, %s", sizes, got, gotErr, whole, wholeErr)
			}
		}
		// What was read re-encodes as multibulks that read back the same.
		r = NewReader(bytes.NewReader(data))
		r.SetAuthRequired(auth)
		var enc []byte
		for {
			args, err := r.ReadCommand()
			if err != nil {
				break
			}
			enc = AppendCommandBytes(enc, args)
		}
		again, againErr := readAll(NewReader(bytes.NewReader(enc)))
		if fmt.Sprint(again) != fmt.Sprint(whole) || againErr != "EOF" {
			t.Fatalf("re-encoded: %q, %s; want %q", again, againErr, whole)
		}
	})
}

func FuzzReadReply(f *testing.F) {
	for _, tt := range replyTests {
		f.Add([]byte(tt.in), []byte{2, 9})
	}
	f.Add([]byte("*2\r\n$1\r\na\r\n%1\r\n+k\r\n,1e3\r\n"), []byte{})
	f.Fuzz(func(t *testing.T, data, split []byte) {
		raws := func(sizes []int) ([]string, string) {
			r := NewReplyReader(&chunkReader{data: data, sizes: sizes})
			var out []string
			for {
				raw, err := r.ReadRaw()
				if err != nil {
					return out, err.Error()
				}
				out = append(out, string(raw))
			}
		}
		whole, wholeErr := raws(nil)
		for _, sizes := range [][]int{splitSizes(split), {1}} {
			got, gotErr := raws(sizes)
			if fmt.Sprint(got) != fmt.Sprint(whole) || gotErr != wholeErr {
				t.Fatalf("split %v:\n got  %q, %s\n whole %q, %s", sizes, got, gotErr, whole, wholeErr)
			}
		}
		var joined []byte
		for _, raw := range whole {
			joined = append(joined, raw...)
		}
		if !bytes.HasPrefix(data, joined) {
			t.Fatalf("raw replies %q are not the input's prefix", whole)
		}
		// ReadReply sees the same replies, or stops at one it cannot
		// decode; each raw reply decodes to exactly its bytes.
		r := NewReplyReader(bytes.NewReader(data))
		for _, raw := range whole {
			v, rest, perr := ParseReply([]byte(raw))
			got, err := r.ReadReply()
			if perr != nil {
				if err == nil {
					t.Fatalf("ParseReply(%q) failed (%v) but ReadReply decoded it", raw, perr)
				}
				return
			}
			if err != nil || len(rest) != 0 || got.String() != v.String() {
				t.Fatalf("%q: ReadReply %v, %v; ParseReply %v, rest %q", raw, got, err, v, rest)
			}
		}
	})
}
