package resp

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// loopReader serves the same bytes forever, so a benchmark measures parsing
// without reallocating its input.
type loopReader struct {
	data []byte
	off  int
}

func (l *loopReader) Read(p []byte) (int, error) {
	n := copy(p, l.data[l.off:])
	l.off += n
	if l.off == len(l.data) {
		l.off = 0
	}
	return n, nil
}

func pipeline(n int, f func(i int) []string) []byte {
	var b []byte
	for i := range n {
		b = AppendCommand(b, f(i)...)
	}
	return b
}

func benchReadCommand(b *testing.B, in []byte, perBatch int) {
	r := NewReader(&loopReader{data: in})
	b.SetBytes(int64(len(in) / perBatch))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := r.ReadCommand(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadCommandPipelined(b *testing.B) {
	b.Run("SET", func(b *testing.B) {
		benchReadCommand(b, pipeline(1000, func(i int) []string {
			return []string{"SET", fmt.Sprintf("key:%d", i), "value"}
		}), 1000)
	})
	b.Run("GET", func(b *testing.B) {
		benchReadCommand(b, pipeline(1000, func(i int) []string {
			return []string{"GET", fmt.Sprintf("key:%d", i)}
		}), 1000)
	})
	b.Run("SET-1KB", func(b *testing.B) {
		v := string(bytes.Repeat([]byte("v"), 1024))
		benchReadCommand(b, pipeline(100, func(i int) []string {
			return []string{"SET", fmt.Sprintf("key:%d", i), v}
		}), 100)
	})
	b.Run("inline", func(b *testing.B) {
		var in []byte
		for i := range 1000 {
			in = fmt.Appendf(in, "SET key:%d \"va\\x6cue\"\r\n", i)
		}
		benchReadCommand(b, in, 1000)
	})
}

func BenchmarkReadCommandBigBulk(b *testing.B) {
	val := bytes.Repeat([]byte("x"), 1<<20)
	in := AppendCommandBytes(nil, [][]byte{[]byte("SET"), []byte("k"), val})
	benchReadCommand(b, in, 1)
}

func BenchmarkWriter(b *testing.B) {
	w := NewWriter(io.Discard)
	val := []byte("value")
	b.Run("bulk", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			w.WriteBulk(val)
			if i%1000 == 999 {
				w.Flush()
			}
		}
	})
	b.Run("int", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			w.WriteInt(int64(i))
			if i%1000 == 999 {
				w.Flush()
			}
		}
	})
	b.Run("array", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			w.WriteArrayLen(3)
			w.WriteBulkString("a")
			w.WriteInt(int64(i))
			w.WriteDouble(1.5)
			if i%1000 == 999 {
				w.Flush()
			}
		}
	})
}

func BenchmarkReadRaw(b *testing.B) {
	var buf []byte
	w := NewWriter(nil)
	for i := range 1000 {
		switch i % 4 {
		case 0:
			w.WriteOK()
		case 1:
			w.WriteBulkString("value")
		case 2:
			w.WriteInt(int64(i))
		case 3:
			w.WriteBulks("a", "b", "c")
		}
	}
	buf = append(buf, w.Bytes()...)
	r := NewReplyReader(&loopReader{data: buf})
	b.SetBytes(int64(len(buf) / 1000))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := r.ReadRaw(); err != nil {
			b.Fatal(err)
		}
	}
}
