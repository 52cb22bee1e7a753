package backend

import (
	"context"
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// hllSteps were recorded from redis-server 7.0.15 (see strings_test.go for
// the format): the value bytes (GET, or DEBUG DIGEST-VALUE, a SHA1 of them,
// for the 12 KB dense ones), the estimates, the errors. Three arguments too
// long to list (12,288 zero bytes, 30,000 and 300 elements) are built here.
func hllSteps() []stringStep {
	var steps []stringStep
	steps = append(steps, []stringStep{
		{[]string{"FLUSHALL"}, "+OK\r\n"},
		{[]string{"PFADD", "h", "a", "b", "c"}, ":1\r\n"},
		{[]string{"GET", "h"}, "$27\r\nHYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80`\xf3\x80P\xb1\x84K\xfb\x80BZ\r\n"},
		{[]string{"OBJECT", "ENCODING", "h"}, "$3\r\nraw\r\n"},
		{[]string{"PFCOUNT", "h"}, ":3\r\n"},
		{[]string{"GET", "h"}, "$27\r\nHYLL\x01\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00`\xf3\x80P\xb1\x84K\xfb\x80BZ\r\n"},
		{[]string{"PFADD", "h", "a"}, ":0\r\n"},
		{[]string{"PFADD", "h"}, ":0\r\n"},
		{[]string{"PFADD", "h2"}, ":1\r\n"},
		{[]string{"GET", "h2"}, "$18\r\nHYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff\r\n"},
		{[]string{"PFCOUNT", "missing"}, ":0\r\n"},
		{[]string{"PFCOUNT", "h", "h2", "missing"}, ":3\r\n"},
		{[]string{"PFDEBUG", "encoding", "h"}, "+sparse\r\n"},
		{[]string{"PFDEBUG", "decode", "h"}, "$44\r\nZ:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603\r\n"},
		{[]string{"PFDEBUG", "foo", "h"}, "-ERR Unknown PFDEBUG subcommand 'foo'\r\n"},
		{[]string{"PFDEBUG", "getreg", "missing"}, "-ERR The specified key does not exist\r\n"},
		{[]string{"PFMERGE", "m", "h", "h2"}, "+OK\r\n"},
		{[]string{"GET", "m"}, "$27\r\nHYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80`\xf3\x80P\xb1\x84K\xfb\x80BZ\r\n"},
		{[]string{"PFCOUNT", "m"}, ":3\r\n"},
		{[]string{"SET", "str", "v"}, "+OK\r\n"},
		{[]string{"SET", "i", "123"}, "+OK\r\n"},
		{[]string{"SADD", "s", "x"}, ":1\r\n"},
		{[]string{"PFADD", "str", "a"}, "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n"},
		{[]string{"PFADD", "i", "a"}, "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n"},
		{[]string{"PFADD", "s", "a"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"PFCOUNT", "str"}, "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n"},
		{[]string{"PFCOUNT", "h", "s"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"PFMERGE", "m", "str"}, "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n"},
		{[]string{"SET", "sp", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe"}, "+OK\r\n"},
		{[]string{"PFCOUNT", "sp"}, "-INVALIDOBJ Corrupted HLL object detected\r\n"},
		{[]string{"PFCOUNT", "sp", "h"}, "-INVALIDOBJ Corrupted HLL object detected\r\n"},
		{[]string{"PFADD", "sp", "x"}, ":1\r\n"},
		{[]string{"PFDEBUG", "todense", "sp"}, "-INVALIDOBJ Corrupted HLL object detected\r\n"},
		{[]string{"SET", "dense", "HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"}, "+OK\r\n"},
	}...)
	steps = append(steps, stringStep{[]string{"APPEND", "dense", strings.Repeat("\x00", 12288)}, ":12304\r\n"})
	steps = append(steps, []stringStep{
		{[]string{"PFCOUNT", "dense"}, ":0\r\n"},
		{[]string{"PFADD", "dense", "x", "y", "z"}, ":1\r\n"},
		{[]string{"PFCOUNT", "dense"}, ":3\r\n"},
		{[]string{"PFDEBUG", "encoding", "dense"}, "+dense\r\n"},
		{[]string{"DEBUG", "DIGEST-VALUE", "dense"}, "*1\r\n+6dcb171c9ca76ead253fd7d8ac33110c0dcd6181\r\n"},
	}...)
	steps = append(steps, stringStep{append([]string{"PFADD", "big"}, hllElems("e", 30000)...), ":1\r\n"})
	steps = append(steps, []stringStep{
		{[]string{"PFCOUNT", "big"}, ":29797\r\n"},
		{[]string{"PFDEBUG", "encoding", "big"}, "+dense\r\n"},
		{[]string{"STRLEN", "big"}, ":12304\r\n"},
		{[]string{"DEBUG", "DIGEST-VALUE", "big"}, "*1\r\n+b464fdb5b2b9872baba83eeffcecb6a4ebee18e6\r\n"},
	}...)
	steps = append(steps, stringStep{append([]string{"PFADD", "sm"}, hllElems("s", 300)...), ":1\r\n"})
	return append(steps, []stringStep{
		{[]string{"PFDEBUG", "encoding", "sm"}, "+sparse\r\n"},
		{[]string{"STRLEN", "sm"}, ":697\r\n"},
		{[]string{"DEBUG", "DIGEST-VALUE", "sm"}, "*1\r\n+2b376f37c30501a15f4115f348d444561448e55e\r\n"},
		{[]string{"PFCOUNT", "sm", "big", "h"}, ":30133\r\n"},
		{[]string{"PFMERGE", "sm2", "sm"}, "+OK\r\n"},
		{[]string{"DEBUG", "DIGEST-VALUE", "sm2"}, "*1\r\n+2b376f37c30501a15f4115f348d444561448e55e\r\n"},
		{[]string{"PFMERGE", "sm3", "sm", "big"}, "+OK\r\n"},
		{[]string{"DEBUG", "DIGEST-VALUE", "sm3"}, "*1\r\n+37f93de9fb90278b5318aabef29c9ae9247effc8\r\n"},
		{[]string{"PFCOUNT", "sm3"}, ":30127\r\n"},
	}...)
}

// hllElems returns prefix0 ... prefix(n-1).
func hllElems(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strconv.Itoa(i)
	}
	return out
}

// hllTailSteps were recorded from redis-server 7.0.15 on a value corrupted
// by hand (SET) so that its last opcode is an XZERO missing its second byte:
// each split of that opcode leaves the new sequence's last byte just past
// the string, where the next update reads it (see hllTail).
var hllTailSteps = []stringStep{
	{[]string{"FLUSHALL"}, "+OK\r\n"},
	{[]string{"SET", "h", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x94'\xb5x"}, "+OK\r\n"},
	{[]string{"PFADD", "h", "el:15305"}, ":1\r\n"},
	{[]string{"PFADD", "h", "el:7952"}, ":1\r\n"},
	{[]string{"PFADD", "h", ""}, ":1\r\n"},
	{[]string{"GET", "h"}, "$29\r\nHYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x94'\xb5@H\x88K\xb0\x84K\n\x84`\r\n"},
	{[]string{"PFADD", "h", "el:5439"}, ":1\r\n"},
	{[]string{"GET", "h"}, "$32\r\nHYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x94'\xb5@H\x88K\xb0\x84K\n\x84W\x84\x80I\r\n"},
	{[]string{"PFDEBUG", "decode", "h"}, "$74\r\nv:6,1 z:40 v:14,2 Z:73 v:3,1 Z:2993 v:2,1 Z:2827 v:2,1 Z:6021 v:1,1 Z:2415\r\n"},
	{[]string{"PFADD", "h", "27697"}, ":1\r\n"},
	{[]string{"GET", "h"}, "$35\r\nHYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x94'\xb5@H\x88K\xb0\x84K\n\x84BňT\xbd\x80I\r\n"},
	{[]string{"PFCOUNT", "h"}, "-INVALIDOBJ Corrupted HLL object detected\r\n"},
	{[]string{"SETRANGE", "h", "16", "\x94"}, ":35\r\n"},
	{[]string{"PFDEBUG", "decode", "h"}, "$86\r\nv:6,1 z:40 v:14,2 Z:73 v:3,1 Z:2993 v:2,1 Z:2827 v:2,1 Z:710 v:3,1 Z:5310 v:1,1 Z:2305\r\n"},
	{[]string{"APPEND", "h", "\x00"}, ":36\r\n"},
	{[]string{"PFDEBUG", "decode", "h"}, "$86\r\nv:6,1 z:40 v:14,2 Z:73 v:3,1 Z:2993 v:2,1 Z:2827 v:2,1 Z:710 v:3,1 Z:5310 v:1,1 Z:2305\r\n"},
}

func TestHLLCommandsLikeRedis(t *testing.T) {
	runStringSteps(t, debugOptions(t), hllSteps())
	runStringSteps(t, debugOptions(t), hllTailSteps)
}

// TestHLLEstimateError adds distinct elements straight to HyperLogLogs and
// checks the estimates against the truth. HyperLogLog's standard error with
// 16384 registers is 1.04/sqrt(16384) = 0.81%: over 20 independent runs of
// 100,000 elements the root mean square error must stay near it (under
// 1.2%), and no run may be off by more than 4 standard errors (3.25%).
// At every power of ten the error stays within PFSELFTEST's bound, and the
// sparse and dense forms of the same elements agree.
func TestHLLEstimateError(t *testing.T) {
	runs, total := 20, 100_000
	if testing.Short() {
		runs = 4
	}
	var sumSq float64
	var ele [16]byte
	for run := 0; run < runs; run++ {
		sparse := &entry{kind: kindString, str: newHLL(), enc: encRaw}
		dense, _ := hllSparseToDense(newHLL(), 0)
		next := 10
		for i := 1; i <= total; i++ {
			binary.LittleEndian.PutUint64(ele[:], uint64(run))
			binary.LittleEndian.PutUint64(ele[8:], uint64(i))
			hllAdd(sparse, ele[:], 3000)
			index, count := hllPatLen(ele[:])
			hllDenseSet(dense[hllHdrSize:], index, count)
			if i != next {
				continue
			}
			next *= 10
			est, ok := hllCount(sparse.str, 0)
			if d, _ := hllCount(dense, 0); !ok || d != est {
				t.Fatalf("run %d, %d elements: sparse estimate %d (valid %v), dense %d", run, i, est, ok, d)
			}
			// PFSELFTEST's bound: six standard errors, and 1 at 10.
			maxErr := math.Ceil(6 * 0.0081 * float64(i))
			if i == 10 {
				maxErr = 1
			}
			if math.Abs(float64(est)-float64(i)) > maxErr {
				t.Errorf("run %d: estimate %d for %d elements", run, est, i)
			}
		}
		est, _ := hllCount(sparse.str, 0)
		err := (float64(est) - float64(total)) / float64(total)
		sumSq += err * err
		if math.Abs(err) > 4*0.0081 {
			t.Errorf("run %d: estimate %d for %d elements, off by %.2f%%", run, est, total, 100*err)
		}
	}
	rms := math.Sqrt(sumSq / float64(runs))
	t.Logf("root mean square error over %d runs of %d elements: %.3f%%", runs, total, 100*rms)
	if runs >= 20 && rms > 0.012 {
		t.Errorf("root mean square error %.3f%%, want about 0.81%%", 100*rms)
	}
}

// TestHLLSelfTest runs PFSELFTEST's checks.
func TestHLLSelfTest(t *testing.T) {
	if msg := hllSelfTest(3000); msg != "" {
		t.Fatal(msg)
	}
}

// FuzzHLLSparse feeds arbitrary register runs after a sparse header to
// every reader and to the updates: nothing may panic, and whenever a value
// converts to dense, both forms must give the same estimate.
func FuzzHLLSparse(f *testing.F) {
	for _, s := range []string{"\x7f\xff", "\x7f\xfe", "\x7f", "\x80\x7f\xfb", "", "\x00\x40", "\xfb\x7f\xfb\x7f\xfb\x80", "\x94'\xb5x"} {
		f.Add([]byte(s), uint16(100), uint8(3), byte(0))
	}
	f.Fuzz(func(t *testing.T, runs []byte, index uint16, count uint8, tail byte) {
		s := append([]byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"), runs...)
		var hist [64]int
		valid := hllSparseHisto(s, tail, &hist)
		var max [hllRegisters]uint8
		hllMerge(&max, s, tail)
		hllDecode(s, tail)
		if d, ok := hllSparseToDense(s, tail); ok {
			a, aok := hllCount(s, tail)
			b, _ := hllCount(d, 0)
			if !valid || !aok || a != b {
				t.Fatalf("sparse %q: estimate %d (valid %v), dense %d", s, a, aok, b)
			}
		}
		s2, tail2, r := hllSparseSet(append([]byte(nil), s...), tail, int(index)%hllRegisters, count%52+1, 3000)
		if r >= 0 && s2[4] == hllSparse {
			hllSparseHisto(s2, tail2, &hist)
		}
	})
}

// TestHLLKeyspaceEvents checks the hooks the HyperLogLog commands call
// against what redis-server 7.0.15 published with notify-keyspace-events
// KEA, and against the signalModifiedKey calls of its source (PFCOUNT
// writes the cached estimate into the value: a change).
func TestHLLKeyspaceEvents(t *testing.T) {
	checkHooks(t, []hookStep{
		{[]string{"PFADD", "h", "x"}, []string{"modified h", "$ pfadd h"}},
		{[]string{"PFADD", "h", "x"}, nil},
		{[]string{"PFCOUNT", "h"}, []string{"modified h"}},
		{[]string{"PFCOUNT", "h"}, nil},
		{[]string{"PFCOUNT", "h", "h2"}, nil},
		{[]string{"PFMERGE", "h2", "h"}, []string{"modified h2", "$ pfadd h2"}},
		{[]string{"PFADD", "h"}, nil},
		{[]string{"PFDEBUG", "todense", "h"}, nil},
	})
}

func TestHLLGoRedis(t *testing.T) {
	_, addr := startTestServer(t)
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			ctx := context.Background()
			rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, DB: proto})
			defer rdb.Close()
			if err := rdb.FlushDB(ctx).Err(); err != nil {
				t.Fatal(err)
			}
			if err := rdb.Set(ctx, "str", "v", 0).Err(); err != nil {
				t.Fatal(err)
			}
			if n, err := rdb.PFAdd(ctx, "h", "a", "b", "c").Result(); err != nil || n != 1 {
				t.Fatalf("PFADD: %d %v", n, err)
			}
			rdb.PFAdd(ctx, "h2", "c", "d")
			if n, err := rdb.PFCount(ctx, "h").Result(); err != nil || n != 3 {
				t.Fatalf("PFCOUNT: %d %v", n, err)
			}
			if n, err := rdb.PFCount(ctx, "h", "h2").Result(); err != nil || n != 4 {
				t.Fatalf("PFCOUNT of two: %d %v", n, err)
			}
			if err := rdb.PFMerge(ctx, "m", "h", "h2").Err(); err != nil {
				t.Fatalf("PFMERGE: %v", err)
			}
			if n, err := rdb.PFCount(ctx, "m").Result(); err != nil || n != 4 {
				t.Fatalf("PFCOUNT of the merge: %d %v", n, err)
			}
			if typ, err := rdb.Type(ctx, "m").Result(); err != nil || typ != "string" {
				t.Fatalf("TYPE of a HyperLogLog: %q %v", typ, err)
			}
			if err := rdb.PFAdd(ctx, "str", "x").Err(); err == nil || err.Error() != "WRONGTYPE Key is not a valid HyperLogLog string value." {
				t.Fatalf("PFADD on a plain string: %v", err)
			}
		})
	}
}
