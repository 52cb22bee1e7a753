package aof

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
)

// writeBenchAOF writes a directory whose incr file holds n SET commands,
// as redis-server would log them.
func writeBenchAOF(b *testing.B, dir string, n int) int64 {
	b.Helper()
	adir := filepath.Join(dir, "appendonlydir")
	if err := os.MkdirAll(adir, 0o755); err != nil {
		b.Fatal(err)
	}
	buf := appendSelect(nil, 0)
	for i := range n {
		k := strconv.Itoa(i)
		buf = append(buf, cmd("SET", "key:"+k, "value:"+k)...)
	}
	os.WriteFile(filepath.Join(adir, "appendonly.aof.1.base.aof"), nil, 0o644)
	os.WriteFile(filepath.Join(adir, "appendonly.aof.1.incr.aof"), buf, 0o644)
	os.WriteFile(filepath.Join(adir, "appendonly.aof.manifest"),
		[]byte("file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"), 0o644)
	return int64(len(buf))
}

// BenchmarkLoad loads 1,000,000 SET commands per op: with an apply that
// only counts (the log's own cost), and with one that stores every key in a
// map as a keyspace would.
func BenchmarkLoad(b *testing.B) {
	const n = 1_000_000
	dir := b.TempDir()
	size := writeBenchAOF(b, dir, n)
	for _, mode := range []string{"count", "map"} {
		b.Run(mode, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				l, err := Open(Options{Dir: dir})
				if err != nil {
					b.Fatal(err)
				}
				var cnt int
				apply := func(db int, args [][]byte) error { cnt++; return nil }
				if mode == "map" {
					m := make(map[string][]byte)
					apply = func(db int, args [][]byte) error {
						m[string(args[1])] = append([]byte(nil), args[2]...)
						cnt++
						return nil
					}
				}
				if _, err := l.Load(apply); err != nil {
					b.Fatal(err)
				}
				l.Close()
				if cnt != n {
					b.Fatalf("loaded %d", cnt)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "cmds/s")
		})
	}
}

// BenchmarkAppendWait runs concurrent appenders, each appending a SET and
// waiting for it as a connection does before it replies, under each policy
// and with both group-commit schemes: the first waiter leads the write
// (leader) or a dedicated goroutine writes (writer).
func BenchmarkAppendWait(b *testing.B) {
	rec := []Record{{Cmd: cmd("SET", "key:000000000001", "value-of-some-length-0123456789")}}
	for _, p := range []Policy{Always, EverySec, No} {
		for _, scheme := range []string{"leader", "writer"} {
			for _, par := range []int{1, 50} {
				b.Run(fmt.Sprintf("%s/%s/c%d", p, scheme, par), func(b *testing.B) {
					l, err := Open(Options{Dir: b.TempDir(), Fsync: p})
					if err != nil {
						b.Fatal(err)
					}
					if scheme == "writer" {
						l.startDedicatedWriter()
					}
					defer l.Close()
					b.ReportAllocs()
					b.SetParallelism(par)
					var ops atomic.Int64
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if err := l.Wait(l.Append(rec)); err != nil {
								b.Error(err)
								return
							}
							ops.Add(1)
						}
					})
					b.ReportMetric(float64(ops.Load())/b.Elapsed().Seconds(), "writes/s")
				})
			}
		}
	}
}
