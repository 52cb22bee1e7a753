package aof

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shardis/shardis/internal/resp"
)

func cmd(args ...string) []byte { return resp.AppendCommand(nil, args...) }

func rec(db int, args ...string) Record { return Record{DB: db, Cmd: cmd(args...)} }

// loaded is one command Load applied.
type loaded struct {
	db   int
	args string
}

func loadAll(t *testing.T, l *Log) ([]loaded, LoadInfo) {
	t.Helper()
	var got []loaded
	info, err := l.Load(func(db int, args [][]byte) error {
		s := make([]string, len(args))
		for i, a := range args {
			s[i] = string(a)
		}
		got = append(got, loaded{db, strings.Join(s, " ")})
		return nil
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return got, info
}

func openT(t *testing.T, opts Options) *Log {
	t.Helper()
	l, err := Open(opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return l
}

func TestOpenAppendLoad(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []Policy{Always, EverySec, No} {
		t.Run(p.String(), func(t *testing.T) {
			opts := Options{Dir: filepath.Join(dir, p.String()), Fsync: p}
			l := openT(t, opts)
			if got, _ := loadAll(t, l); len(got) != 0 {
				t.Fatalf("fresh log loaded %v", got)
			}
			off := l.Append([]Record{rec(0, "SET", "a", "1")})
			if err := l.Wait(off); err != nil {
				t.Fatal(err)
			}
			off = l.Append([]Record{rec(3, "LPUSH", "l", "x"), rec(3, "DEL", "b"), rec(5, "SET", "c", "")})
			if err := l.Wait(off); err != nil {
				t.Fatal(err)
			}
			l.Append([]Record{rec(3, "INCR", "n")})
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			l = openT(t, opts)
			defer l.Close()
			got, info := loadAll(t, l)
			want := []loaded{{0, "SET a 1"}, {3, "LPUSH l x"}, {3, "DEL b"}, {5, "SET c "}, {3, "INCR n"}}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("loaded %v, want %v", got, want)
			}
			if info.Commands != 5 || info.Files != 2 || info.Truncated {
				t.Fatalf("info %+v", info)
			}
			man, err := os.ReadFile(filepath.Join(opts.Dir, "appendonlydir", "appendonly.aof.manifest"))
			if err != nil {
				t.Fatal(err)
			}
			wantMan := "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
			if string(man) != wantMan {
				t.Fatalf("manifest %q, want %q", man, wantMan)
			}
			incr, err := os.ReadFile(filepath.Join(opts.Dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
			if err != nil {
				t.Fatal(err)
			}
			wantIncr := "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n" + string(cmd("SET", "a", "1")) +
				"*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*1\r\n$5\r\nMULTI\r\n" + string(cmd("LPUSH", "l", "x")) +
				string(cmd("DEL", "b")) + "*2\r\n$6\r\nSELECT\r\n$1\r\n5\r\n" + string(cmd("SET", "c", "")) +
				"*1\r\n$4\r\nEXEC\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n" + string(cmd("INCR", "n"))
			if string(incr) != wantIncr {
				t.Fatalf("incr file\n%q\nwant\n%q", incr, wantIncr)
			}
		})
	}
}
