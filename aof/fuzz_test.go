package aof

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadLastFile loads arbitrary bytes as the last incr file: Load never
// panics, fails only with a *LoadError, and when it cuts a torn tail the
// file left behind loads cleanly to the same commands (and check-aof calls
// it valid).
func FuzzLoadLastFile(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/appendonlydir/*.incr.aof")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("*1\r\n$5\r\nMULTI\r\n*1\r\n$4\r\nEXEC\r\n"))
	f.Add([]byte("#TS:1\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n9\r\n*1\r\n$1\r\n\x00\r\n\x00\x00"))
	const incr = "/n/appendonlydir/appendonly.aof.1.incr.aof"
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := newMemFS()
		fsys.WriteFile("/n/appendonlydir/appendonly.aof.1.base.aof", cmd("SET", "base", "1"))
		fsys.WriteFile(incr, data)
		fsys.WriteFile("/n/appendonlydir/appendonly.aof.manifest",
			[]byte("file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"))
		load := func(truncated bool) ([]string, LoadInfo, error) {
			l, err := Open(Options{Dir: "/n", FS: fsys, LoadTruncated: truncated})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer l.Close()
			var got []string
			info, err := l.Load(func(db int, args [][]byte) error {
				got = append(got, fmt.Sprintf("%d %q", db, args))
				return nil
			})
			return got, info, err
		}
		got, info, err := load(true)
		if err != nil {
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("Load failed with %T %v, want a *LoadError", err, err)
			}
			return
		}
		again, info2, err := load(false)
		if err != nil || info2.Truncated || fmt.Sprint(again) != fmt.Sprint(got) {
			t.Fatalf("after the load (%+v) the file does not load the same: %v %+v\n%q\n%q", info, err, info2, got, again)
		}
		rep, err := CheckFile(fsys, incr, true)
		if err != nil || !rep.Valid() {
			t.Fatalf("check-aof after the load: %+v %v", rep, err)
		}
	})
}
