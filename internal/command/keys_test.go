package command

import (
	"errors"
	"fmt"
	"testing"
)

func TestKeys(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []int
		err  error
	}{
		{[]string{"GET", "k"}, []int{1}, nil},
		{[]string{"MSET", "a", "1", "b", "2"}, []int{1, 3}, nil},
		{[]string{"MGET", "a", "b", "c"}, []int{1, 2, 3}, nil},
		{[]string{"RENAME", "a", "b"}, []int{1, 2}, nil},
		{[]string{"BLPOP", "a", "b", "0"}, []int{1, 2}, nil},
		{[]string{"OBJECT", "ENCODING", "k"}, []int{2}, nil},
		{[]string{"XINFO", "STREAM", "k", "FULL"}, []int{2}, nil},
		// Movable keys: numkeys.
		{[]string{"EVAL", "s", "2", "a", "b", "c"}, []int{3, 4}, nil},
		{[]string{"EVAL", "s", "0"}, nil, nil}, // no_mandatory_keys
		{[]string{"EVAL", "s", "3", "a", "b"}, nil, nil},
		{[]string{"EVALSHA", "x", "1", "a"}, []int{3}, nil},
		{[]string{"FCALL", "f", "1", "a", "arg"}, []int{3}, nil},
		{[]string{"ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"}, []int{1, 3, 4}, nil},
		{[]string{"ZUNIONSTORE", "d", "3", "a", "b"}, nil, ErrInvalidArguments},
		// A numkeys the spec rejects but atoi reads: the getkeys procedure
		// answers, with the destination last.
		{[]string{"ZUNIONSTORE", "d", "2abc", "a", "b"}, []int{3, 4, 1}, nil},
		{[]string{"ZINTER", "2", "a", "b", "WITHSCORES"}, []int{2, 3}, nil},
		{[]string{"SINTERCARD", "2", "a", "b", "LIMIT", "1"}, []int{2, 3}, nil},
		{[]string{"LMPOP", "2", "a", "b", "LEFT"}, []int{2, 3}, nil},
		{[]string{"BLMPOP", "0", "1", "a", "LEFT"}, []int{3}, nil},
		{[]string{"BZMPOP", "0", "2", "a", "b", "MIN"}, []int{3, 4}, nil},
		// SORT STORE: the last one wins.
		{[]string{"SORT", "k"}, []int{1}, nil},
		{[]string{"SORT", "k", "STORE", "d1", "store", "d2"}, []int{1, 5}, nil},
		{[]string{"SORT", "k", "BY", "store", "LIMIT", "0", "1"}, []int{1}, nil},
		{[]string{"SORT_RO", "k", "BY", "x"}, []int{1}, nil},
		// XREAD STREAMS: half of what follows.
		{[]string{"XREAD", "COUNT", "1", "STREAMS", "a", "b", "0", "0"}, []int{4, 5}, nil},
		// An odd count: the spec takes the first half, rounded down.
		{[]string{"XREAD", "STREAMS", "a", "b", "0"}, []int{2}, nil},
		{[]string{"XREAD", "COUNT", "1", "STREAMS"}, nil, ErrInvalidArguments},
		{[]string{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", ">"}, []int{5}, nil},
		// MIGRATE KEYS, only with an empty key.
		{[]string{"MIGRATE", "h", "1", "k", "0", "5"}, []int{3}, nil},
		{[]string{"MIGRATE", "h", "1", "", "0", "5", "COPY", "KEYS", "a", "b"}, []int{8, 9}, nil},
		{[]string{"MIGRATE", "h", "1", "", "0", "5", "AUTH", "keys", "KEYS", "a"}, []int{9}, nil},
		{[]string{"MIGRATE", "h", "1", "k", "0", "5", "KEYS", "a"}, nil, ErrInvalidArguments},
		// GEORADIUS STORE / STOREDIST.
		{[]string{"GEORADIUS", "k", "0", "0", "1", "km"}, []int{1}, nil},
		{[]string{"GEORADIUS", "k", "0", "0", "1", "km", "STORE", "d"}, []int{1, 7}, nil},
		{[]string{"GEORADIUSBYMEMBER", "k", "m", "1", "km", "STOREDIST", "d"}, []int{1, 6}, nil},
		{[]string{"GEOSEARCHSTORE", "d", "s", "FROMMEMBER", "m", "BYRADIUS", "1", "km"}, []int{1, 2}, nil},
		// Errors.
		{[]string{"GET"}, nil, ErrInvalidArgCount},
		{[]string{"GET", "a", "b"}, nil, ErrInvalidArgCount},
		{[]string{"PING"}, nil, ErrNoKeyArguments},
		{[]string{"SPUBLISH", "ch", "m"}, nil, ErrNoKeyArguments}, // its spec is not_key
		{[]string{"CONFIG", "GET", "x"}, nil, ErrNoKeyArguments},
	} {
		args := bargs(tc.args...)
		c := LookupArgs(args)
		if c == nil {
			t.Fatalf("no command for %q", tc.args)
		}
		got, err := c.Keys(args, nil)
		if !errors.Is(err, tc.err) || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("Keys(%q) = %v, %v; want %v, %v", tc.args, got, err, tc.want, tc.err)
		}
	}
}

func TestKeysAppends(t *testing.T) {
	dst := []int{42}
	args := bargs("MSET", "a", "1", "b", "2")
	got, err := Lookup(args[0]).Keys(args, dst)
	if err != nil || fmt.Sprint(got) != "[42 1 3]" {
		t.Errorf("Keys = %v, %v", got, err)
	}
	// A failed search leaves what dst held.
	args = bargs("ZUNIONSTORE", "d", "5", "a")
	got, err = Lookup(args[0]).Keys(args, []int{7})
	if err == nil || fmt.Sprint(got) != "[7]" {
		t.Errorf("Keys = %v, %v", got, err)
	}
}

func TestKeysAllocs(t *testing.T) {
	reqs := [][][]byte{
		bargs("GET", "k"),
		bargs("MSET", "a", "1", "b", "2"),
		bargs("EVAL", "s", "2", "a", "b"),
		bargs("ZUNIONSTORE", "d", "2abc", "a", "b"),
		bargs("XREAD", "STREAMS", "a", "0"),
		bargs("SORT", "k", "STORE", "d"),
	}
	dst := make([]int, 0, 16)
	for _, args := range reqs {
		c := Lookup(args[0])
		if n := testing.AllocsPerRun(100, func() { c.Keys(args, dst[:0]) }); n != 0 {
			t.Errorf("Keys(%q) allocates %v times", args, n)
		}
	}
}

func TestString2ll(t *testing.T) {
	for _, tc := range []struct {
		s  string
		v  int64
		ok bool
	}{
		{"0", 0, true}, {"1", 1, true}, {"-1", -1, true}, {"123", 123, true},
		{"9223372036854775807", 1<<63 - 1, true}, {"-9223372036854775808", -1 << 63, true},
		{"9223372036854775808", 0, false}, {"-9223372036854775809", 0, false},
		{"", 0, false}, {"-", 0, false}, {"-0", 0, false}, {"01", 0, false}, {"+1", 0, false},
		{" 1", 0, false}, {"1 ", 0, false}, {"1a", 0, false}, {"99999999999999999999", 0, false},
	} {
		v, ok := string2ll([]byte(tc.s))
		if v != tc.v || ok != tc.ok {
			t.Errorf("string2ll(%q) = %d, %v", tc.s, v, ok)
		}
	}
}

func TestAtoi(t *testing.T) {
	for _, tc := range []struct {
		s string
		v int
	}{
		{"12", 12}, {" 12x", 12}, {"\t-3", -3}, {"+4", 4}, {"x", 0}, {"", 0},
		{"2\x003", 2}, {"4294967297", 1}, {"99999999999999999999", -1},
		{"-99999999999999999999", 0},
	} {
		if v := atoi([]byte(tc.s)); v != tc.v {
			t.Errorf("atoi(%q) = %d, want %d", tc.s, v, tc.v)
		}
	}
}

func BenchmarkKeys(b *testing.B) {
	for _, req := range [][]string{
		{"GET", "k"},
		{"MSET", "a", "1", "b", "2", "c", "3"},
		{"EVAL", "return 1", "2", "a", "b"},
		{"XREAD", "COUNT", "10", "STREAMS", "a", "b", "0", "0"},
		{"SORT", "k", "BY", "w*", "STORE", "d"},
	} {
		args := bargs(req...)
		c := Lookup(args[0])
		dst := make([]int, 0, 16)
		b.Run(req[0], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				dst, _ = c.Keys(args, dst[:0])
			}
		})
	}
}
