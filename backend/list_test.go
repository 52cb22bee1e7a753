package backend

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// The list command tests replay sequences whose replies were recorded from
// redis-server 7.0.15 (see runStringSteps in strings_test.go); the ring
// buffer is checked against a plain slice with random operations.

func TestListCommandsLikeRedis(t *testing.T) {
	runStringSteps(t, DefaultOptions(), listSteps)
}

var listSteps = []stringStep{
	{[]string{"RPUSH", "l", "a", "b", "c"}, ":3\r\n"},
	{[]string{"LPUSH", "l", "z"}, ":4\r\n"},
	{[]string{"LRANGE", "l", "0", "-1"}, "*4\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"},
	{[]string{"LPUSHX", "nokey", "a"}, ":0\r\n"},
	{[]string{"RPUSHX", "l", "d"}, ":5\r\n"},
	{[]string{"LLEN", "l"}, ":5\r\n"},
	{[]string{"LINDEX", "l", "-1"}, "$1\r\nd\r\n"},
	{[]string{"LINDEX", "l", "9"}, "$-1\r\n"},
	{[]string{"LSET", "l", "1", "A"}, "+OK\r\n"},
	{[]string{"LSET", "l", "9", "x"}, "-ERR index out of range\r\n"},
	{[]string{"LSET", "nokey", "0", "x"}, "-ERR no such key\r\n"},
	{[]string{"LINSERT", "l", "BEFORE", "A", "y"}, ":6\r\n"},
	{[]string{"LINSERT", "l", "AFTER", "nosuch", "y"}, ":-1\r\n"},
	{[]string{"LINSERT", "l", "middle", "A", "y"}, "-ERR syntax error\r\n"},
	{[]string{"LRANGE", "l", "-100", "100"}, "*6\r\n$1\r\nz\r\n$1\r\ny\r\n$1\r\nA\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n"},
	{[]string{"LPOS", "l", "A"}, ":2\r\n"},
	{[]string{"LPOS", "l", "A", "RANK", "0"}, "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n"},
	{[]string{"LPOS", "l", "A", "COUNT", "-1"}, "-ERR COUNT can't be negative\r\n"},
	{[]string{"LPOS", "l", "A", "MAXLEN", "-1"}, "-ERR MAXLEN can't be negative\r\n"},
	{[]string{"LPOS", "l", "b", "COUNT", "0", "RANK", "-1"}, "*1\r\n:3\r\n"},
	{[]string{"LREM", "l", "0", "y"}, ":1\r\n"},
	{[]string{"LTRIM", "l", "1", "-2"}, "+OK\r\n"},
	{[]string{"LRANGE", "l", "0", "-1"}, "*3\r\n$1\r\nA\r\n$1\r\nb\r\n$1\r\nc\r\n"},
	{[]string{"LPOP", "l", "0"}, "*0\r\n"},
	{[]string{"LPOP", "l", "-1"}, "-ERR value is out of range, must be positive\r\n"},
	{[]string{"LPOP", "l", "2"}, "*2\r\n$1\r\nA\r\n$1\r\nb\r\n"},
	{[]string{"RPOP", "l"}, "$1\r\nc\r\n"},
	{[]string{"RPOP", "l"}, "$-1\r\n"},
	{[]string{"EXISTS", "l"}, ":0\r\n"},
	{[]string{"LPOP", "l"}, "$-1\r\n"},
	{[]string{"LPOP", "l", "1"}, "*-1\r\n"},
	{[]string{"LPOP", "l", "1", "2"}, "-ERR wrong number of arguments for 'lpop' command\r\n"},
	{[]string{"RPUSH", "a", "1", "2", "3"}, ":3\r\n"},
	{[]string{"LMOVE", "a", "b", "LEFT", "RIGHT"}, "$1\r\n1\r\n"},
	{[]string{"LMOVE", "a", "b", "UP", "RIGHT"}, "-ERR syntax error\r\n"},
	{[]string{"RPOPLPUSH", "a", "a"}, "$1\r\n3\r\n"},
	{[]string{"LRANGE", "a", "0", "-1"}, "*2\r\n$1\r\n3\r\n$1\r\n2\r\n"},
	{[]string{"LMPOP", "2", "nokey", "a", "RIGHT", "COUNT", "5"}, "*2\r\n$1\r\na\r\n*2\r\n$1\r\n2\r\n$1\r\n3\r\n"},
	{[]string{"LMPOP", "0", "a", "LEFT"}, "-ERR numkeys should be greater than 0\r\n"},
	{[]string{"LMPOP", "1", "a", "LEFT", "COUNT", "0"}, "-ERR count should be greater than 0\r\n"},
	{[]string{"LMPOP", "2", "a", "LEFT"}, "-ERR syntax error\r\n"},
	{[]string{"LMPOP", "1", "a", "LEFT"}, "*-1\r\n"},
	{[]string{"SET", "s", "v"}, "+OK\r\n"},
	{[]string{"LPUSH", "s", "a"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"LRANGE", "s", "0", "-1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"LMOVE", "b", "s", "LEFT", "LEFT"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"LRANGE", "b", "0", "-1"}, "*1\r\n$1\r\n1\r\n"},
	{[]string{"BLPOP", "b", "0"}, "*2\r\n$1\r\nb\r\n$1\r\n1\r\n"},
	{[]string{"BLPOP", "b", "0.01"}, "*-1\r\n"},
	{[]string{"BLPOP", "b", "x"}, "-ERR timeout is not a float or out of range\r\n"},
	{[]string{"BLPOP", "b", "-1"}, "-ERR timeout is negative\r\n"},
	{[]string{"BLPOP", "b", "inf"}, "-ERR timeout is negative\r\n"},
	{[]string{"BRPOPLPUSH", "b", "c", "0.01"}, "*-1\r\n"},
	{[]string{"BLMPOP", "0.01", "1", "b", "LEFT"}, "*-1\r\n"},
	{[]string{"OBJECT", "ENCODING", "a"}, "$-1\r\n"},
	{[]string{"CLIENT", "UNBLOCK", "x"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"CLIENT", "UNBLOCK", "1", "foo"}, "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n"},
	{[]string{"CLIENT", "UNBLOCK", "999999"}, ":0\r\n"},
	{[]string{"RPUSH", "q", "x", "y"}, ":2\r\n"},
	{[]string{"OBJECT", "ENCODING", "q"}, "$9\r\nquicklist\r\n"},
	{[]string{"RPUSH", "e", ""}, ":1\r\n"},
	{[]string{"LPOS", "q", "y", "RANK", "-9223372036854775808", "COUNT", "0"}, "*1\r\n:1\r\n"},
	{[]string{"LREM", "q", "-9223372036854775808", "x"}, ":1\r\n"},
	{[]string{"LRANGE", "q", "0", "-1"}, "*1\r\n$1\r\ny\r\n"},
}

// TestListValueAgainstSlice runs random operations on a listValue and on a
// plain slice and compares them after each one.
func TestListValueAgainstSlice(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	l := &listValue{}
	var model []string
	check := func(op string) {
		t.Helper()
		if l.n != len(model) {
			t.Fatalf("after %s: length %d, want %d", op, l.n, len(model))
		}
		for i, s := range model {
			if got := l.at(i); got != s {
				t.Fatalf("after %s: element %d is %q, want %q", op, i, got, s)
			}
		}
		if len(l.ring) != 0 && len(l.ring)&(len(l.ring)-1) != 0 {
			t.Fatalf("after %s: ring of %d slots", op, len(l.ring))
		}
	}
	elem := func() string { return strconv.Itoa(rnd.IntN(6)) }
	for step := range 20000 {
		switch r := rnd.IntN(100); {
		case r < 30 || len(model) < 3 && r < 60:
			s := elem()
			if rnd.IntN(2) == 0 {
				l.push(s, listHead)
				model = append([]string{s}, model...)
			} else {
				l.push(s, listTail)
				model = append(model, s)
			}
		case r < 55 && len(model) > 0:
			if rnd.IntN(2) == 0 {
				if got := l.pop(listHead); got != model[0] {
					t.Fatalf("step %d: pop head %q, want %q", step, got, model[0])
				}
				model = model[1:]
			} else {
				if got := l.pop(listTail); got != model[len(model)-1] {
					t.Fatalf("step %d: pop tail %q, want %q", step, got, model[len(model)-1])
				}
				model = model[:len(model)-1]
			}
		case r < 70:
			i := rnd.IntN(len(model) + 1)
			s := elem()
			l.insert(i, s)
			model = slices.Insert(model, i, s)
		case r < 80:
			v := elem()
			limit := int64(rnd.IntN(4))
			fromTail := rnd.IntN(2) == 0
			removed := l.remove([]byte(v), limit, fromTail)
			var want int64
			if fromTail {
				for i := len(model) - 1; i >= 0; i-- {
					if model[i] == v && (limit == 0 || want < limit) {
						model = slices.Delete(model, i, i+1)
						want++
					}
				}
			} else {
				for i := 0; i < len(model); {
					if model[i] == v && (limit == 0 || want < limit) {
						model = slices.Delete(model, i, i+1)
						want++
						continue
					}
					i++
				}
			}
			if removed != want {
				t.Fatalf("step %d: removed %d, want %d", step, removed, want)
			}
		case r < 85 && len(model) > 0:
			left := rnd.IntN(len(model) + 1)
			right := rnd.IntN(len(model) - left + 1)
			l.trim(left, right)
			model = model[left : len(model)-right]
		case r < 90 && len(model) > 0:
			i, s := rnd.IntN(len(model)), elem()
			l.set(i, s)
			model[i] = s
		case r < 92:
			// A burst of pushes then pops: the ring grows and shrinks.
			for i := range 300 {
				l.push(strconv.Itoa(i), listTail)
				model = append(model, strconv.Itoa(i))
			}
			for range 290 {
				l.pop(listHead)
				model = model[1:]
			}
		default:
			d := l.dup()
			l.push("dup", listHead)
			model = append([]string{"dup"}, model...)
			if d.n != len(model)-1 {
				t.Fatalf("step %d: the copy changed with the original", step)
			}
		}
		check("step " + strconv.Itoa(step))
	}
}

func TestListHotPathsDoNotAllocate(t *testing.T) {
	h := newHandlerBench(t)
	var elems []string
	for i := range 700 {
		elems = append(elems, "element-"+strconv.Itoa(i))
	}
	h.run(argv(append([]string{"rpush", "l"}, elems...)...))
	for _, tc := range []struct {
		name string
		args [][]byte
	}{
		{"LLEN", argv("llen", "l")},
		{"LINDEX", argv("lindex", "l", "350")},
		{"LRANGE 100", argv("lrange", "l", "0", "99")},
		{"LRANGE 600", argv("lrange", "l", "0", "599")},
		{"LPOS", argv("lpos", "l", "element-500")},
		{"RPOPLPUSH rotation", argv("rpoplpush", "l", "l")},
		{"LMOVE rotation", argv("lmove", "l", "l", "LEFT", "RIGHT")},
	} {
		if n := testing.AllocsPerRun(200, func() { h.run(tc.args) }); n != 0 {
			t.Errorf("%s: %v allocations per command, want 0", tc.name, n)
		}
	}
	// A push or LSET stores one string per element; a pop frees it.
	push, pop := argv("lpush", "l", "xxx"), argv("rpop", "l")
	if n := testing.AllocsPerRun(200, func() { h.run(push); h.run(pop) }); n > 1 {
		t.Errorf("LPUSH + RPOP: %v allocations, want at most 1 (the element)", n)
	}
	lset := argv("lset", "l", "10", "element-10")
	if n := testing.AllocsPerRun(200, func() { h.run(lset) }); n > 1 {
		t.Errorf("LSET: %v allocations, want at most 1 (the element)", n)
	}
}

func BenchmarkListHandlers(b *testing.B) {
	h := newHandlerBench(b)
	var elems []string
	for range 700 {
		elems = append(elems, "xxx")
	}
	h.run(argv(append([]string{"rpush", "mylist"}, elems...)...))
	for _, bc := range []struct {
		name string
		args [][]byte
	}{
		{"LPUSH+RPOP", nil},
		{"LRANGE_100", argv("lrange", "mylist", "0", "99")},
		{"LRANGE_600", argv("lrange", "mylist", "0", "599")},
		{"LINDEX", argv("lindex", "mylist", "300")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			push, pop := argv("lpush", "mylist", "xxx"), argv("rpop", "mylist")
			for b.Loop() {
				if bc.args == nil {
					h.run(push)
					h.run(pop)
					continue
				}
				h.run(bc.args)
			}
		})
	}
}

func TestListGoRedis(t *testing.T) {
	_, addr := startTestServer(t)
	ctx := context.Background()
	for _, proto := range []int{3, 2} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, DB: proto})
			defer rdb.Close()
			if n, err := rdb.RPush(ctx, "l", "a", "b", "c").Result(); err != nil || n != 3 {
				t.Fatalf("RPUSH: %d, %v", n, err)
			}
			if n, err := rdb.LPush(ctx, "l", "z").Result(); err != nil || n != 4 {
				t.Fatalf("LPUSH: %d, %v", n, err)
			}
			if n, err := rdb.LPushX(ctx, "nokey", "z").Result(); err != nil || n != 0 {
				t.Fatalf("LPUSHX: %d, %v", n, err)
			}
			if vs, err := rdb.LRange(ctx, "l", 0, -1).Result(); err != nil || strings.Join(vs, ",") != "z,a,b,c" {
				t.Fatalf("LRANGE: %v, %v", vs, err)
			}
			if v, err := rdb.LIndex(ctx, "l", -1).Result(); err != nil || v != "c" {
				t.Fatalf("LINDEX: %q, %v", v, err)
			}
			if _, err := rdb.LIndex(ctx, "l", 10).Result(); err != redis.Nil {
				t.Fatalf("LINDEX out of range: %v, want redis.Nil", err)
			}
			if err := rdb.LSet(ctx, "l", 1, "A").Err(); err != nil {
				t.Fatal(err)
			}
			if err := rdb.LSet(ctx, "l", 10, "A").Err(); err == nil || err.Error() != "ERR index out of range" {
				t.Fatalf("LSET out of range: %v", err)
			}
			if n, err := rdb.LInsertBefore(ctx, "l", "A", "y").Result(); err != nil || n != 5 {
				t.Fatalf("LINSERT: %d, %v", n, err)
			}
			if n, err := rdb.LPos(ctx, "l", "A", redis.LPosArgs{}).Result(); err != nil || n != 2 {
				t.Fatalf("LPOS: %d, %v", n, err)
			}
			if ns, err := rdb.LPosCount(ctx, "l", "b", 0, redis.LPosArgs{Rank: -1}).Result(); err != nil || len(ns) != 1 || ns[0] != 3 {
				t.Fatalf("LPOS COUNT: %v, %v", ns, err)
			}
			if n, err := rdb.LRem(ctx, "l", 0, "y").Result(); err != nil || n != 1 {
				t.Fatalf("LREM: %d, %v", n, err)
			}
			if err := rdb.LTrim(ctx, "l", 1, -1).Err(); err != nil {
				t.Fatal(err)
			}
			if n, err := rdb.LLen(ctx, "l").Result(); err != nil || n != 3 {
				t.Fatalf("LLEN: %d, %v", n, err)
			}
			if v, err := rdb.LMove(ctx, "l", "m", "LEFT", "RIGHT").Result(); err != nil || v != "A" {
				t.Fatalf("LMOVE: %q, %v", v, err)
			}
			if v, err := rdb.RPopLPush(ctx, "l", "m").Result(); err != nil || v != "c" {
				t.Fatalf("RPOPLPUSH: %q, %v", v, err)
			}
			if key, vs, err := rdb.LMPop(ctx, "left", 5, "nokey", "m").Result(); err != nil || key != "m" || strings.Join(vs, ",") != "c,A" {
				t.Fatalf("LMPOP: %q %v, %v", key, vs, err)
			}
			if vs, err := rdb.LPopCount(ctx, "l", 5).Result(); err != nil || strings.Join(vs, ",") != "b" {
				t.Fatalf("LPOP COUNT: %v, %v", vs, err)
			}
			if _, err := rdb.RPop(ctx, "l").Result(); err != redis.Nil {
				t.Fatalf("RPOP of a missing key: %v, want redis.Nil", err)
			}
			if _, err := rdb.Do(ctx, "BLPOP", "l", "0.01").Result(); err != redis.Nil {
				t.Fatalf("BLPOP timeout: %v, want redis.Nil", err)
			}

			// A second client feeds the blocked one.
			other := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, DB: proto})
			defer other.Close()
			done := make(chan []string, 1)
			go func() {
				vs, err := rdb.BRPop(ctx, 0, "q1", "q2").Result()
				if err != nil {
					t.Errorf("BRPOP: %v", err)
				}
				done <- vs
			}()
			waitBlockedClients(t, other, 1)
			if err := other.RPush(ctx, "q2", "v1", "v2").Err(); err != nil {
				t.Fatal(err)
			}
			if vs := <-done; strings.Join(vs, ",") != "q2,v2" {
				t.Fatalf("BRPOP served %v", vs)
			}
			moved := make(chan string, 1)
			go func() {
				v, err := rdb.BLMove(ctx, "src", "dst", "LEFT", "LEFT", 0).Result()
				if err != nil {
					t.Errorf("BLMOVE: %v", err)
				}
				moved <- v
			}()
			waitBlockedClients(t, other, 1)
			if err := other.RPush(ctx, "src", "m1").Err(); err != nil {
				t.Fatal(err)
			}
			if v := <-moved; v != "m1" {
				t.Fatalf("BLMOVE served %q", v)
			}
			if vs, err := other.LRange(ctx, "dst", 0, -1).Result(); err != nil || strings.Join(vs, ",") != "m1" {
				t.Fatalf("BLMOVE destination: %v, %v", vs, err)
			}
			if err := rdb.Set(ctx, "s", "x", 0).Err(); err != nil {
				t.Fatal(err)
			}
			if err := rdb.LPush(ctx, "s", "a").Err(); err == nil || !strings.HasPrefix(err.Error(), "WRONGTYPE") {
				t.Fatalf("LPUSH on a string: %v", err)
			}
		})
	}
}

// waitBlockedClients polls INFO until n clients are blocked.
func waitBlockedClients(t *testing.T, rdb *redis.Client, n int) {
	t.Helper()
	want := "blocked_clients:" + strconv.Itoa(n) + "\r\n"
	deadline := time.Now().Add(10 * time.Second)
	for {
		info, err := rdb.Info(context.Background(), "clients").Result()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(info, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("INFO clients never said %q:\n%s", want, info)
		}
	}
}
