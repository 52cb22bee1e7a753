package aof

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// copyTestdata copies testdata/<name> to a temp dir (Load may truncate).
func copyTestdata(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", name))); err != nil {
		t.Fatal(err)
	}
	return dir
}

var okCommands = "0:SET a 1|0:RPUSH l x y|0:INCR n|0:SET b 2|0:DEL a"

func TestLoadTestdata(t *testing.T) {
	okIncr, err := os.ReadFile("testdata/ok/appendonlydir/appendonly.aof.1.incr.aof")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		dir, file     string
		truncated     bool   // with LoadTruncated: loads okCommands after cutting the tail
		openErr       error  // Open fails with this
		loadErr       string // Load fails (in both modes) with this text
		loadErrOffset int64
	}{
		{dir: "ok"},
		{dir: "quoted", file: "my file.aof"},
		{dir: "torn-command", truncated: true},
		{dir: "torn-multi", truncated: true},
		{dir: "zero-tail", truncated: true},
		{dir: "garbage-middle", loadErr: `appendonly.aof.1.incr.aof: offset 44: bad format: expected '*' (a RESP array), got 'h'`},
		{dir: "bad-bulk", loadErr: `appendonly.aof.1.incr.aof: offset 44: bad format: expected '$', got '#'`},
		{dir: "torn-base", loadErr: `appendonly.aof.1.base.aof: offset 50: unexpected end of file`},
		{dir: "rdb-base", openErr: ErrRDBBase},
		{dir: "missing-incr", openErr: ErrMissingFile},
		{dir: "bad-manifest", openErr: ErrManifest},
	}
	for _, tc := range tests {
		for _, lt := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/load-truncated=%v", tc.dir, lt), func(t *testing.T) {
				dir := copyTestdata(t, tc.dir)
				l, err := Open(Options{Dir: dir, FileName: tc.file, LoadTruncated: lt})
				if tc.openErr != nil {
					if !errors.Is(err, tc.openErr) {
						t.Fatalf("Open: %v, want %v", err, tc.openErr)
					}
					t.Logf("Open: %v", err)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				defer l.Close()
				var got []string
				info, err := l.Load(func(db int, args [][]byte) error {
					got = append(got, fmt.Sprintf("%d:%s", db, strings.Join(strs(args), " ")))
					return nil
				})
				switch {
				case tc.loadErr != "":
					var le *LoadError
					if err == nil || !strings.Contains(err.Error(), tc.loadErr) || !errors.As(err, &le) {
						t.Fatalf("Load: %v, want %q", err, tc.loadErr)
					}
				case tc.truncated && !lt:
					var le *LoadError
					if !errors.Is(err, ErrTruncated) || !errors.As(err, &le) || le.Offset != int64(len(okIncr)) {
						t.Fatalf("Load: %v, want ErrTruncated at offset %d", err, len(okIncr))
					}
				default:
					if err != nil {
						t.Fatalf("Load: %v", err)
					}
					if s := strings.Join(got, "|"); s != okCommands {
						t.Fatalf("loaded %s, want %s", s, okCommands)
					}
					if info.Truncated != tc.truncated || (tc.truncated && info.TruncatedAt != int64(len(okIncr))) {
						t.Fatalf("info %+v", info)
					}
					if tc.truncated {
						b, _ := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
						if string(b) != string(okIncr) {
							t.Fatalf("the torn tail was not cut off: %q", b)
						}
					}
				}
			})
		}
	}
}

func strs(args [][]byte) []string {
	s := make([]string, len(args))
	for i, a := range args {
		s[i] = string(a)
	}
	return s
}

// TestLoadThenAppend checks that records appended after a truncating load
// follow the cut directly and load back.
func TestLoadThenAppend(t *testing.T) {
	dir := copyTestdata(t, "torn-multi")
	l := openT(t, Options{Dir: dir, LoadTruncated: true})
	loadAll(t, l)
	if err := l.Wait(l.Append([]Record{rec(0, "SET", "z", "1")})); err != nil {
		t.Fatal(err)
	}
	l.Close()
	l = openT(t, Options{Dir: dir})
	defer l.Close()
	got, info := loadAll(t, l)
	if len(got) != 6 || got[5].args != "SET z 1" || info.Truncated {
		t.Fatalf("loaded %v %+v", got, info)
	}
}

func TestLoadApplyError(t *testing.T) {
	dir := copyTestdata(t, "ok")
	l := openT(t, Options{Dir: dir})
	defer l.Close()
	boom := errors.New("boom")
	_, err := l.Load(func(db int, args [][]byte) error {
		if string(args[0]) == "DEL" {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "appendonly.aof.1.incr.aof") {
		t.Fatalf("Load: %v", err)
	}
}

func TestLoadAnnotationsAndNoBase(t *testing.T) {
	dir := t.TempDir()
	adir := filepath.Join(dir, "appendonlydir")
	if err := os.MkdirAll(adir, 0o755); err != nil {
		t.Fatal(err)
	}
	incr := "#TS:1700000000\r\n" + string(cmd("SET", "k", "v")) + "#TS:1700000001\r\n" + string(cmd("DEL", "k"))
	os.WriteFile(filepath.Join(adir, "appendonly.aof.3.incr.aof"), []byte(incr), 0o644)
	os.WriteFile(filepath.Join(adir, "appendonly.aof.manifest"), []byte("file appendonly.aof.3.incr.aof seq 3 type i\n"), 0o644)
	l := openT(t, Options{Dir: dir})
	defer l.Close()
	got, _ := loadAll(t, l)
	if fmt.Sprint(got) != "[{0 SET k v} {0 DEL k}]" {
		t.Fatalf("loaded %v", got)
	}
}

// TestLoadMemoryIsBounded loads 200,000 commands and checks that Load
// allocates a bounded amount, whatever the file's size (it streams).
func TestLoadMemoryIsBounded(t *testing.T) {
	fsys := newMemFS()
	var buf []byte
	for i := range 200_000 {
		buf = append(buf, cmd("SET", fmt.Sprintf("key:%d", i), "some value of a few bytes")...)
	}
	fsys.WriteFile("/n/appendonlydir/appendonly.aof.1.incr.aof", buf)
	fsys.WriteFile("/n/appendonlydir/appendonly.aof.manifest", []byte("file appendonly.aof.1.incr.aof seq 1 type i\n"))
	l, err := Open(Options{Dir: "/n", FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var n int
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := l.Load(func(int, [][]byte) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d commands (%d bytes) loaded with %d bytes allocated", n, len(buf), alloc)
	if n != 200_000 || alloc > 1<<20 {
		t.Fatalf("%d commands, %d bytes allocated for a %d-byte file: not streaming", n, alloc, len(buf))
	}
}
