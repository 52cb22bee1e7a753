package backend

import (
	"math/bits"
	"testing"
)

// The bit commands' replies, recorded from redis-server 7.0.15 as described
// in strings_test.go.

func TestBitCommandsLikeRedis(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  Options
		steps []stringStep
	}{
		{"SETBIT GETBIT", DefaultOptions(), setbitGetbitSteps},
		{"SETBIT limit", smallBulkOptions(), setbitLimitSteps},
		{"BITCOUNT", DefaultOptions(), bitcountSteps},
		{"BITPOS", DefaultOptions(), bitposSteps},
		{"BITOP", DefaultOptions(), bitopSteps},
		{"BITFIELD BITFIELD_RO", DefaultOptions(), bitfieldSteps},
		{"BITFIELD limit", smallBulkOptions(), bitfieldLimitSteps},
	} {
		t.Run(tc.name, func(t *testing.T) { runStringSteps(t, tc.opts, tc.steps) })
	}
}

// Every field width, signed and unsigned, round-trips through a write and a
// read at offsets that straddle bytes, keeps the low bits of the value (two's
// complement), and leaves the bits around the field alone.
func TestBitfieldWidths(t *testing.T) {
	p := make([]byte, 24)
	for width := 1; width <= 64; width++ {
		for _, off := range []uint64{0, 1, 7, 9, 63, 67} {
			for _, v := range []int64{0, 1, -1, 5, -5, 1<<62 + 3, -1 << 63} {
				clear(p)
				setBitfield(p, off, width, uint64(v))
				low := uint64(v) << (64 - width) // the field's bits, left-aligned
				if width < 64 {
					if got, want := getUnsignedBitfield(p, off, width), low>>(64-width); got != want {
						t.Fatalf("u%d at %d: wrote %d, read %d, want %d", width, off, v, got, want)
					}
				}
				if got, want := getSignedBitfield(p, off, width), int64(low)>>(64-width); got != want {
					t.Fatalf("i%d at %d: wrote %d, read %d, want %d", width, off, v, got, want)
				}
				if got, want := bitPopcount(p), int64(bits.OnesCount64(low)); got != want {
					t.Fatalf("i%d at %d: %d bits set in the string, want %d", width, off, got, want)
				}
			}
		}
	}
}

func TestBitPopcountAndFirstBit(t *testing.T) {
	p := []byte{0xff, 0x00, 0x0f, 0xf0, 0x80, 0xff, 0xff, 0xff, 0xff, 0x01}
	want := int64(0)
	for _, b := range p {
		for ; b != 0; b &= b - 1 {
			want++
		}
	}
	if got := bitPopcount(p); got != want {
		t.Errorf("popcount = %d, want %d", got, want)
	}
	for from := int64(0); from < int64(len(p))*8; from++ {
		for to := from; to < int64(len(p))*8; to++ {
			for _, bit := range []bool{false, true} {
				want := int64(-1)
				for i := from; i <= to; i++ {
					if (p[i/8]&(0x80>>(i%8)) != 0) == bit {
						want = i
						break
					}
				}
				if got := bitFirst(p, from, to, bit); got != want {
					t.Fatalf("first %v in [%d,%d] = %d, want %d", bit, from, to, got, want)
				}
			}
		}
	}
}

var setbitGetbitSteps = []stringStep{
	{[]string{"setbit", "b", "7", "1"}, ":0\r\n"},
	{[]string{"get", "b"}, "$1\r\n\x01\r\n"},
	{[]string{"setbit", "b", "7", "0"}, ":1\r\n"},
	{[]string{"setbit", "b", "7", "0"}, ":0\r\n"},
	{[]string{"setbit", "b", "-1", "0"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"setbit", "b", "x", "0"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"setbit", "b", "0", "2"}, "-ERR bit is not an integer or out of range\r\n"},
	{[]string{"setbit", "b", "0", "-1"}, "-ERR bit is not an integer or out of range\r\n"},
	{[]string{"setbit", "b", "0", "x"}, "-ERR bit is not an integer or out of range\r\n"},
	{[]string{"setbit", "b", "0", " 1"}, "-ERR bit is not an integer or out of range\r\n"},
	{[]string{"setbit", "b", "0", "01"}, "-ERR bit is not an integer or out of range\r\n"},
	{[]string{"setbit", "b", "4294967296", "0"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"setbit", "b", "9223372036854775807", "0"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"getbit", "b", "0"}, ":0\r\n"},
	{[]string{"getbit", "b", "100000"}, ":0\r\n"},
	{[]string{"getbit", "b", "-1"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"getbit", "b", "4294967296"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"getbit", "b", "4294967295"}, ":0\r\n"},
	{[]string{"getbit", "nokey", "5"}, ":0\r\n"},
	{[]string{"getbit", "nokey", "4294967296"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"set", "i", "5"}, "+OK\r\n"},
	{[]string{"setbit", "i", "1", "1"}, ":0\r\n"},
	{[]string{"get", "i"}, "$1\r\nu\r\n"},
	{[]string{"set", "n", "255"}, "+OK\r\n"},
	{[]string{"getbit", "n", "2"}, ":1\r\n"},
	{[]string{"getbit", "n", "6"}, ":1\r\n"},
	{[]string{"getbit", "n", "7"}, ":0\r\n"},
	{[]string{"~wrongtype", "l"}, ""},
	{[]string{"setbit", "l", "0", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"getbit", "l", "0"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"getbit", "l", "x"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"setbit", "l", "x", "1"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"setbit", "nokey2", "0", "0"}, ":0\r\n"},
	{[]string{"exists", "nokey2"}, ":1\r\n"},
	{[]string{"get", "nokey2"}, "$1\r\n\x00\r\n"},
	{[]string{"setbit", "g", "20", "1"}, ":0\r\n"},
	{[]string{"get", "g"}, "$3\r\n\x00\x00\x08\r\n"},
	{[]string{"set", "t", "v", "ex", "100"}, "+OK\r\n"},
	{[]string{"setbit", "t", "0", "1"}, ":0\r\n"},
	{[]string{"ttl", "t"}, ":100\r\n"},
	{[]string{"~dirty"}, "4"},
	{[]string{"set", "x", "a"}, "+OK\r\n"},
	{[]string{"setbit", "x", "0", "0"}, ":0\r\n"},
	{[]string{"setbit", "x", "1", "1"}, ":1\r\n"},
	{[]string{"setbit", "x", "1", "0"}, ":1\r\n"},
	{[]string{"setbit", "x", "1", "0"}, ":0\r\n"},
	{[]string{"setbit", "x", "20", "0"}, ":0\r\n"},
	{[]string{"setbit", "nb", "0", "0"}, ":0\r\n"},
	{[]string{"~dirty"}, "4"},
}

var setbitLimitSteps = []stringStep{
	{[]string{"setbit", "b", "8388607", "1"}, ":0\r\n"},
	{[]string{"strlen", "b"}, ":1048576\r\n"},
	{[]string{"setbit", "b", "8388608", "1"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"getbit", "b", "8388608"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"getbit", "b", "8388607"}, ":1\r\n"},
}

var bitcountSteps = []stringStep{
	{[]string{"set", "s", "foobar"}, "+OK\r\n"},
	{[]string{"bitcount", "s"}, ":26\r\n"},
	{[]string{"bitcount", "s", "0", "0"}, ":4\r\n"},
	{[]string{"bitcount", "s", "1", "1"}, ":6\r\n"},
	{[]string{"bitcount", "s", "1", "1", "byte"}, ":6\r\n"},
	{[]string{"bitcount", "s", "1", "1", "BYTE"}, ":6\r\n"},
	{[]string{"bitcount", "s", "5", "30", "bit"}, ":17\r\n"},
	{[]string{"bitcount", "s", "5", "30", "BIT"}, ":17\r\n"},
	{[]string{"bitcount", "s", "5", "30", "foo"}, "-ERR syntax error\r\n"},
	{[]string{"bitcount", "s", "0"}, "-ERR syntax error\r\n"},
	{[]string{"bitcount", "s", "0", "1", "2"}, "-ERR syntax error\r\n"},
	{[]string{"bitcount", "s", "0", "1", "bit", "2"}, "-ERR syntax error\r\n"},
	{[]string{"bitcount", "nokey", "0"}, ":0\r\n"},
	{[]string{"bitcount", "nokey", "a", "b"}, ":0\r\n"},
	{[]string{"bitcount", "nokey", "0", "1", "foo"}, ":0\r\n"},
	{[]string{"bitcount", "nokey", "0", "1", "bit"}, ":0\r\n"},
	{[]string{"bitcount", "s", "a", "1"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"bitcount", "s", "1", "a"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"bitcount", "s", "a", "1", "foo"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"bitcount", "s", "-2", "-1"}, ":7\r\n"},
	{[]string{"bitcount", "s", "-1", "-2"}, ":0\r\n"},
	{[]string{"bitcount", "s", "-100", "100"}, ":26\r\n"},
	{[]string{"bitcount", "s", "100", "200"}, ":0\r\n"},
	{[]string{"bitcount", "s", "-1", "-1", "bit"}, ":0\r\n"},
	{[]string{"bitcount", "s", "-8", "-1", "bit"}, ":4\r\n"},
	{[]string{"bitcount", "s", "0", "0", "bit"}, ":0\r\n"},
	{[]string{"bitcount", "s", "1", "1", "bit"}, ":1\r\n"},
	{[]string{"bitcount", "s", "7", "8", "bit"}, ":0\r\n"},
	{[]string{"bitcount", "s", "3", "44", "bit"}, ":23\r\n"},
	{[]string{"bitcount", "s", "0", "9223372036854775807", "bit"}, ":26\r\n"},
	{[]string{"bitcount", "s", "-9223372036854775808", "9223372036854775807", "bit"}, ":26\r\n"},
	{[]string{"bitcount", "s", "-9223372036854775808", "9223372036854775807"}, ":26\r\n"},
	{[]string{"bitcount", "s", "-5", "-9", "bit"}, ":0\r\n"},
	{[]string{"~wrongtype", "l"}, ""},
	{[]string{"bitcount", "l"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"bitcount", "l", "0"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"bitcount", "l", "0", "1", "foo"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"bitcount", "nokey"}, ":0\r\n"},
	{[]string{"set", "n", "12345"}, "+OK\r\n"},
	{[]string{"bitcount", "n"}, ":17\r\n"},
	{[]string{"bitcount", "n", "1", "2"}, ":7\r\n"},
	{[]string{"set", "e", ""}, "+OK\r\n"},
	{[]string{"bitcount", "e"}, ":0\r\n"},
	{[]string{"bitcount", "e", "0", "-1"}, ":0\r\n"},
	{[]string{"bitcount", "e", "0", "-1", "bit"}, ":0\r\n"},
	{[]string{"set", "w", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x0f\xf0"}, "+OK\r\n"},
	{[]string{"bitcount", "w"}, ":88\r\n"},
	{[]string{"bitcount", "w", "4", "91", "bit"}, ":84\r\n"},
	{[]string{"bitcount", "w", "1", "-2"}, ":76\r\n"},
}

var bitposSteps = []stringStep{
	{[]string{"set", "s", "\xff\xf0\x00"}, "+OK\r\n"},
	{[]string{"bitpos", "s", "0"}, ":12\r\n"},
	{[]string{"bitpos", "s", "1"}, ":0\r\n"},
	{[]string{"bitpos", "s", "0", "2"}, ":16\r\n"},
	{[]string{"bitpos", "s", "0", "0", "0"}, ":-1\r\n"},
	{[]string{"bitpos", "s", "0", "0", "1"}, ":12\r\n"},
	{[]string{"bitpos", "s", "1", "2", "-1"}, ":-1\r\n"},
	{[]string{"bitpos", "s", "1", "2", "-1", "byte"}, ":-1\r\n"},
	{[]string{"bitpos", "s", "0", "0", "-1", "bit"}, ":12\r\n"},
	{[]string{"bitpos", "s", "0", "0", "10", "bit"}, ":-1\r\n"},
	{[]string{"bitpos", "s", "1", "7", "15", "bit"}, ":7\r\n"},
	{[]string{"bitpos", "s", "0", "7", "15", "bit"}, ":12\r\n"},
	{[]string{"bitpos", "s", "1", "12", "-1", "bit"}, ":-1\r\n"},
	{[]string{"bitpos", "s", "0", "-1", "bit"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"bitpos", "s", "0", "0", "1", "foo"}, "-ERR syntax error\r\n"},
	{[]string{"bitpos", "s", "2"}, "-ERR The bit argument must be 1 or 0.\r\n"},
	{[]string{"bitpos", "s", "-1"}, "-ERR The bit argument must be 1 or 0.\r\n"},
	{[]string{"bitpos", "s", "x"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"bitpos", "s", "0", "x"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"bitpos", "s", "0", "0", "x"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"bitpos", "s", "0", "0", "1", "bit", "5"}, "-ERR syntax error\r\n"},
	{[]string{"bitpos", "nokey", "0"}, ":0\r\n"},
	{[]string{"bitpos", "nokey", "1"}, ":-1\r\n"},
	{[]string{"bitpos", "nokey", "2"}, "-ERR The bit argument must be 1 or 0.\r\n"},
	{[]string{"bitpos", "nokey", "1", "x", "y"}, ":-1\r\n"},
	{[]string{"bitpos", "nokey", "0", "0", "1", "foo"}, ":0\r\n"},
	{[]string{"set", "f", "\xff\xff\xff"}, "+OK\r\n"},
	{[]string{"bitpos", "f", "0"}, ":24\r\n"},
	{[]string{"bitpos", "f", "0", "0"}, ":24\r\n"},
	{[]string{"bitpos", "f", "0", "0", "-1"}, ":-1\r\n"},
	{[]string{"bitpos", "f", "0", "0", "-1", "bit"}, ":-1\r\n"},
	{[]string{"bitpos", "f", "0", "0", "bit"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"bitpos", "f", "0", "-1", "-2"}, ":-1\r\n"},
	{[]string{"bitpos", "f", "1", "-1", "-2"}, ":-1\r\n"},
	{[]string{"bitpos", "f", "1", "-5", "-10"}, ":0\r\n"},
	{[]string{"bitpos", "f", "0", "-5", "-10"}, ":-1\r\n"},
	{[]string{"bitpos", "f", "1", "100"}, ":-1\r\n"},
	{[]string{"bitpos", "f", "0", "100"}, ":-1\r\n"},
	{[]string{"bitpos", "f", "1", "5", "3", "bit"}, ":-1\r\n"},
	{[]string{"bitpos", "f", "1", "9", "9", "bit"}, ":9\r\n"},
	{[]string{"bitpos", "f", "0", "9", "9", "bit"}, ":-1\r\n"},
	{[]string{"bitpos", "f", "0", "-100", "100"}, ":-1\r\n"},
	{[]string{"bitpos", "f", "0", "-100", "-50"}, ":-1\r\n"},
	{[]string{"set", "z", "\x00\x00\x00"}, "+OK\r\n"},
	{[]string{"bitpos", "z", "1"}, ":-1\r\n"},
	{[]string{"bitpos", "z", "0"}, ":0\r\n"},
	{[]string{"bitpos", "z", "1", "0", "-1", "bit"}, ":-1\r\n"},
	{[]string{"bitpos", "z", "1", "1"}, ":-1\r\n"},
	{[]string{"bitpos", "z", "0", "1"}, ":8\r\n"},
	{[]string{"bitpos", "z", "0", "-1"}, ":16\r\n"},
	{[]string{"set", "e", ""}, "+OK\r\n"},
	{[]string{"bitpos", "e", "0"}, ":-1\r\n"},
	{[]string{"bitpos", "e", "1"}, ":-1\r\n"},
	{[]string{"bitpos", "e", "0", "0"}, ":-1\r\n"},
	{[]string{"bitpos", "e", "0", "0", "-1", "bit"}, ":-1\r\n"},
	{[]string{"bitpos", "e", "0", "0", "-1"}, ":-1\r\n"},
	{[]string{"set", "m", "\x00\xff\x0f"}, "+OK\r\n"},
	{[]string{"bitpos", "m", "1", "3", "10", "bit"}, ":8\r\n"},
	{[]string{"bitpos", "m", "0", "8", "15", "bit"}, ":-1\r\n"},
	{[]string{"bitpos", "m", "0", "8", "16", "bit"}, ":16\r\n"},
	{[]string{"bitpos", "m", "0", "8", "20", "bit"}, ":16\r\n"},
	{[]string{"bitpos", "m", "1", "17", "19", "bit"}, ":-1\r\n"},
	{[]string{"bitpos", "m", "1", "17", "20", "bit"}, ":20\r\n"},
	{[]string{"bitpos", "m", "0", "20", "23", "bit"}, ":-1\r\n"},
	{[]string{"bitpos", "m", "1", "20", "23", "bit"}, ":20\r\n"},
	{[]string{"bitpos", "m", "0", "1"}, ":16\r\n"},
	{[]string{"bitpos", "m", "0", "1", "1"}, ":-1\r\n"},
	{[]string{"bitpos", "m", "0", "1", "2"}, ":16\r\n"},
	{[]string{"bitpos", "m", "1", "2", "2"}, ":20\r\n"},
	{[]string{"bitpos", "m", "0", "2"}, ":16\r\n"},
	{[]string{"bitpos", "m", "1", "-1"}, ":20\r\n"},
	{[]string{"~wrongtype", "l"}, ""},
	{[]string{"bitpos", "l", "0"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"bitpos", "l", "5"}, "-ERR The bit argument must be 1 or 0.\r\n"},
	{[]string{"bitpos", "l", "0", "x"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"set", "n", "12345"}, "+OK\r\n"},
	{[]string{"bitpos", "n", "0"}, ":0\r\n"},
	{[]string{"bitpos", "n", "1"}, ":2\r\n"},
	{[]string{"bitpos", "n", "1", "2"}, ":18\r\n"},
	{[]string{"set", "w", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xf7"}, "+OK\r\n"},
	{[]string{"bitpos", "w", "0"}, ":140\r\n"},
	{[]string{"bitpos", "w", "0", "3"}, ":140\r\n"},
	{[]string{"bitpos", "w", "0", "3", "16"}, ":-1\r\n"},
	{[]string{"bitpos", "w", "0", "3", "17"}, ":140\r\n"},
	{[]string{"bitpos", "w", "0", "0", "140", "bit"}, ":140\r\n"},
	{[]string{"bitpos", "w", "0", "0", "139", "bit"}, ":-1\r\n"},
	{[]string{"bitpos", "w", "0", "141", "bit", "9"}, "-ERR syntax error\r\n"},
}

var bitopSteps = []stringStep{
	{[]string{"set", "a", "foobar"}, "+OK\r\n"},
	{[]string{"set", "b", "abcdef"}, "+OK\r\n"},
	{[]string{"bitop", "and", "d", "a", "b"}, ":6\r\n"},
	{[]string{"get", "d"}, "$6\r\n`bc`ab\r\n"},
	{[]string{"bitop", "or", "d", "a", "b"}, ":6\r\n"},
	{[]string{"get", "d"}, "$6\r\ngoofev\r\n"},
	{[]string{"bitop", "xor", "d", "a", "b"}, ":6\r\n"},
	{[]string{"get", "d"}, "$6\r\n\x07\r\x0c\x06\x04\x14\r\n"},
	{[]string{"bitop", "not", "d", "a"}, ":6\r\n"},
	{[]string{"get", "d"}, "$6\r\n\x99\x90\x90\x9d\x9e\x8d\r\n"},
	{[]string{"bitop", "not", "d", "a", "b"}, "-ERR BITOP NOT must be called with a single source key.\r\n"},
	{[]string{"bitop", "not", "d"}, "-ERR wrong number of arguments for 'bitop' command\r\n"},
	{[]string{"bitop", "foo", "d", "a", "b"}, "-ERR syntax error\r\n"},
	{[]string{"bitop", "AND", "d", "a"}, ":6\r\n"},
	{[]string{"bitop", "Or", "d", "a"}, ":6\r\n"},
	{[]string{"set", "c", "xy"}, "+OK\r\n"},
	{[]string{"bitop", "and", "d", "a", "c"}, ":6\r\n"},
	{[]string{"get", "d"}, "$6\r\n`i\x00\x00\x00\x00\r\n"},
	{[]string{"bitop", "or", "d", "a", "c", "nokey"}, ":6\r\n"},
	{[]string{"get", "d"}, "$6\r\n~\x7fobar\r\n"},
	{[]string{"bitop", "xor", "d", "a", "c", "nokey"}, ":6\r\n"},
	{[]string{"get", "d"}, "$6\r\n\x1e\x16obar\r\n"},
	{[]string{"bitop", "and", "d", "nokey", "a"}, ":6\r\n"},
	{[]string{"get", "d"}, "$6\r\n\x00\x00\x00\x00\x00\x00\r\n"},
	{[]string{"bitop", "and", "d", "nokey", "nokey2"}, ":0\r\n"},
	{[]string{"exists", "d"}, ":0\r\n"},
	{[]string{"set", "d", "x"}, "+OK\r\n"},
	{[]string{"bitop", "and", "d", "nokey"}, ":0\r\n"},
	{[]string{"exists", "d"}, ":0\r\n"},
	{[]string{"bitop", "not", "d", "nokey"}, ":0\r\n"},
	{[]string{"~wrongtype", "l"}, ""},
	{[]string{"bitop", "and", "d", "a", "l"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"bitop", "not", "d", "l"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"bitop", "foo", "d", "l"}, "-ERR syntax error\r\n"},
	{[]string{"bitop", "and", "l", "a"}, ":6\r\n"},
	{[]string{"type", "l"}, "+string\r\n"},
	{[]string{"get", "l"}, "$6\r\nfoobar\r\n"},
	{[]string{"set", "n", "123"}, "+OK\r\n"},
	{[]string{"bitop", "not", "d", "n"}, ":3\r\n"},
	{[]string{"get", "d"}, "$3\r\n\xce\xcd\xcc\r\n"},
	{[]string{"set", "e", ""}, "+OK\r\n"},
	{[]string{"bitop", "and", "d", "e", "a"}, ":6\r\n"},
	{[]string{"get", "d"}, "$6\r\n\x00\x00\x00\x00\x00\x00\r\n"},
	{[]string{"bitop", "not", "d", "e"}, ":0\r\n"},
	{[]string{"exists", "d"}, ":0\r\n"},
	{[]string{"expire", "a", "100"}, ":1\r\n"},
	{[]string{"bitop", "and", "a", "a", "b"}, ":6\r\n"},
	{[]string{"ttl", "a"}, ":-1\r\n"},
	{[]string{"get", "a"}, "$6\r\n`bc`ab\r\n"},
	{[]string{"set", "w1", "0123456789abcdefghij"}, "+OK\r\n"},
	{[]string{"set", "w2", "ABCDEFGHIJKLMNOPQRS"}, "+OK\r\n"},
	{[]string{"bitop", "and", "d", "w1", "w2"}, ":20\r\n"},
	{[]string{"get", "d"}, "$20\r\n\x00\x00\x02\x00\x04\x04\x06\x00\x08\x08A@ADE@A@A\x00\r\n"},
	{[]string{"bitop", "or", "d", "w1", "w2", "a"}, ":20\r\n"},
	{[]string{"get", "d"}, "$20\r\nqsswuww\x7fy{knonovwz{j\r\n"},
	{[]string{"bitop", "xor", "d", "w1", "w2", "w1"}, ":20\r\n"},
	{[]string{"get", "d"}, "$20\r\nABCDEFGHIJKLMNOPQRS\x00\r\n"},
	{[]string{"~dirty"}, "13"},
	{[]string{"bitop", "and", "nk", "nk2", "nk3"}, ":0\r\n"},
	{[]string{"bitop", "and", "d", "a"}, ":6\r\n"},
	{[]string{"bitop", "and", "d", "nk"}, ":0\r\n"},
	{[]string{"bitop", "and", "d", "nk"}, ":0\r\n"},
	{[]string{"~dirty"}, "2"},
}

var bitfieldSteps = []stringStep{
	{[]string{"bitfield", "bf", "set", "u8", "0", "255", "get", "u8", "0"}, "*2\r\n:0\r\n:255\r\n"},
	{[]string{"bitfield", "bf", "incrby", "u8", "0", "10"}, "*1\r\n:9\r\n"},
	{[]string{"bitfield", "bf", "overflow", "sat", "incrby", "u8", "0", "10"}, "*1\r\n:19\r\n"},
	{[]string{"bitfield", "bf", "overflow", "fail", "incrby", "u8", "0", "10"}, "*1\r\n:29\r\n"},
	{[]string{"bitfield", "bf", "overflow", "wrap", "incrby", "u8", "0", "10"}, "*1\r\n:39\r\n"},
	{[]string{"bitfield", "bf", "get", "i8", "0"}, "*1\r\n:39\r\n"},
	{[]string{"bitfield", "bf", "set", "i8", "#1", "-5", "get", "i8", "#1", "get", "u4", "8"}, "*3\r\n:0\r\n:-5\r\n:15\r\n"},
	{[]string{"get", "bf"}, "$2\r\n'\xfb\r\n"},
	{[]string{"bitfield", "bf", "get", "u64", "0"}, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{[]string{"bitfield", "bf", "get", "i64", "0"}, "*1\r\n:2880896386633564160\r\n"},
	{[]string{"bitfield", "bf", "get", "u63", "0"}, "*1\r\n:1440448193316782080\r\n"},
	{[]string{"bitfield", "bf", "get", "i65", "0"}, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{[]string{"bitfield", "bf", "get", "u0", "0"}, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{[]string{"bitfield", "bf", "get", "i0", "0"}, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{[]string{"bitfield", "bf", "get", "x8", "0"}, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{[]string{"bitfield", "bf", "get", "U8", "0"}, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{[]string{"bitfield", "bf", "get", "u08", "0"}, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{[]string{"bitfield", "bf", "get", "u8 ", "0"}, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{[]string{"bitfield", "bf", "get", "", "0"}, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{[]string{"bitfield", "bf", "get", "u8\x00x", "0"}, "*1\r\n:39\r\n"},
	{[]string{"bitfield", "bf", "get", "u8", "-1"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"bitfield", "bf", "get", "u8", "#-1"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"bitfield", "bf", "get", "u8", "4294967288"}, "*1\r\n:0\r\n"},
	{[]string{"bitfield", "bf", "get", "u8", "4294967289"}, "*1\r\n:0\r\n"},
	{[]string{"bitfield", "bf", "get", "u8", "4294967296"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"bitfield", "bf", "get", "u8", "#536870911"}, "*1\r\n:0\r\n"},
	{[]string{"bitfield", "bf", "get", "u8", "#536870912"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"bitfield", "bf", "get", "u8", "##1"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"bitfield", "bf", "get", "u8", "x"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"bitfield", "bf", "get", "u8"}, "-ERR syntax error\r\n"},
	{[]string{"bitfield", "bf", "set", "u8", "0"}, "-ERR syntax error\r\n"},
	{[]string{"bitfield", "bf", "incrby", "u8", "0"}, "-ERR syntax error\r\n"},
	{[]string{"bitfield", "bf", "foo"}, "-ERR syntax error\r\n"},
	{[]string{"bitfield", "bf", "overflow"}, "-ERR syntax error\r\n"},
	{[]string{"bitfield", "bf", "overflow", "foo"}, "-ERR Invalid OVERFLOW type specified\r\n"},
	{[]string{"bitfield", "bf", "overflow", "sat"}, "*0\r\n"},
	{[]string{"bitfield", "bf", "overflow", "sat", "overflow", "wrap"}, "*0\r\n"},
	{[]string{"bitfield", "bf", "set", "u8", "0", "x"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"bitfield", "bf", "incrby", "u8", "0", "x"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"bitfield", "bf", "set", "u8", "0", "256"}, "*1\r\n:39\r\n"},
	{[]string{"bitfield", "bf", "set", "u8", "0", "-1"}, "*1\r\n:0\r\n"},
	{[]string{"bitfield", "bf", "get", "u8", "0"}, "*1\r\n:255\r\n"},
	{[]string{"bitfield", "bf", "set", "i8", "0", "200"}, "*1\r\n:-1\r\n"},
	{[]string{"bitfield", "bf", "get", "i8", "0"}, "*1\r\n:-56\r\n"},
	{[]string{"bitfield", "bf", "set", "i8", "0", "-129"}, "*1\r\n:-56\r\n"},
	{[]string{"bitfield", "bf", "get", "i8", "0"}, "*1\r\n:127\r\n"},
	{[]string{"bitfield", "bf", "overflow", "fail", "set", "i8", "0", "200"}, "*1\r\n$-1\r\n"},
	{[]string{"bitfield", "bf", "overflow", "sat", "set", "i8", "0", "200"}, "*1\r\n:127\r\n"},
	{[]string{"bitfield", "bf", "overflow", "sat", "set", "i8", "0", "-200"}, "*1\r\n:127\r\n"},
	{[]string{"bitfield", "bf", "overflow", "sat", "set", "u8", "0", "-200"}, "*1\r\n:128\r\n"},
	{[]string{"bitfield", "bf", "overflow", "sat", "set", "u8", "0", "300"}, "*1\r\n:255\r\n"},
	{[]string{"bitfield", "bf", "overflow", "fail", "set", "u8", "0", "300"}, "*1\r\n$-1\r\n"},
	{[]string{"bitfield", "bf", "set", "u63", "0", "9223372036854775807"}, "*1\r\n:9222668349412999168\r\n"},
	{[]string{"bitfield", "bf", "get", "u63", "0"}, "*1\r\n:9223372036854775807\r\n"},
	{[]string{"bitfield", "bf", "set", "i64", "0", "-1", "get", "i64", "0", "get", "u63", "0", "get", "u32", "0"}, "*4\r\n:-2\r\n:-1\r\n:9223372036854775807\r\n:4294967295\r\n"},
	{[]string{"bitfield", "bf", "overflow", "sat", "incrby", "i64", "0", "-9223372036854775808"}, "*1\r\n:-9223372036854775808\r\n"},
	{[]string{"bitfield", "bf", "overflow", "sat", "incrby", "i64", "0", "-9223372036854775808"}, "*1\r\n:-9223372036854775808\r\n"},
	{[]string{"bitfield", "bf", "overflow", "wrap", "incrby", "i64", "0", "-9223372036854775808"}, "*1\r\n:0\r\n"},
	{[]string{"bitfield", "bf", "overflow", "fail", "incrby", "i64", "0", "-9223372036854775808"}, "*1\r\n:-9223372036854775808\r\n"},
	{[]string{"bitfield", "bf", "overflow", "fail", "incrby", "i64", "0", "9223372036854775807", "get", "i64", "0"}, "*2\r\n:-1\r\n:-1\r\n"},
	{[]string{"bitfield", "bf", "overflow", "sat", "incrby", "i64", "0", "9223372036854775807", "incrby", "i64", "0", "9223372036854775807"}, "*2\r\n:9223372036854775806\r\n:9223372036854775807\r\n"},
	{[]string{"bitfield", "bf", "overflow", "wrap", "incrby", "i64", "0", "9223372036854775807", "incrby", "i64", "0", "9223372036854775807"}, "*2\r\n:-2\r\n:9223372036854775805\r\n"},
	{[]string{"bitfield", "bf", "overflow", "fail", "incrby", "i64", "0", "9223372036854775807", "incrby", "i64", "0", "9223372036854775807"}, "*2\r\n$-1\r\n$-1\r\n"},
	{[]string{"bitfield", "bf", "overflow", "sat", "incrby", "u63", "0", "9223372036854775807", "incrby", "u63", "0", "1"}, "*2\r\n:9223372036854775807\r\n:9223372036854775807\r\n"},
	{[]string{"bitfield", "bf", "overflow", "wrap", "incrby", "u63", "0", "9223372036854775807"}, "*1\r\n:9223372036854775806\r\n"},
	{[]string{"bitfield", "bf", "overflow", "wrap", "incrby", "u2", "0", "5", "incrby", "i2", "0", "5", "incrby", "i2", "0", "-7"}, "*3\r\n:0\r\n:1\r\n:-2\r\n"},
	{[]string{"bitfield", "bf", "overflow", "sat", "incrby", "u2", "0", "-5", "incrby", "i2", "0", "-5"}, "*2\r\n:0\r\n:-2\r\n"},
	{[]string{"bitfield", "bf", "overflow", "fail", "incrby", "u2", "0", "-5", "incrby", "i2", "0", "-5"}, "*2\r\n$-1\r\n$-1\r\n"},
	{[]string{"bitfield", "bf", "overflow", "wrap", "incrby", "i1", "0", "1", "incrby", "i1", "0", "1", "incrby", "u1", "0", "1", "incrby", "u1", "0", "1"}, "*4\r\n:0\r\n:-1\r\n:0\r\n:1\r\n"},
	{[]string{"bitfield", "bf", "overflow", "sat", "incrby", "i1", "0", "1", "incrby", "i1", "0", "-3", "incrby", "u1", "0", "3"}, "*3\r\n:0\r\n:-1\r\n:1\r\n"},
	{[]string{"bitfield", "bf", "set", "i5", "3", "100", "get", "i5", "3", "set", "u13", "5", "-1", "get", "u13", "5", "get", "i13", "5"}, "*5\r\n:-1\r\n:4\r\n:5119\r\n:8191\r\n:-1\r\n"},
	{[]string{"bitfield", "bf", "set", "u8", "#0", "0", "set", "u8", "#0"}, "-ERR syntax error\r\n"},
	{[]string{"bitfield", "bf", "get", "u8", "0", "get"}, "-ERR syntax error\r\n"},
	{[]string{"bitfield", "bf", "set", "u8", "#1", "1", "get", "u8", "x"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"bitfield", "bf", "set", "u8", "#x", "1"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"bitfield", "bf", "set", "u8", "#", "1"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"bitfield", "bf", "get", "i64", "9", "get", "u63", "9", "get", "i7", "61"}, "*3\r\n:-1536\r\n:9223372036854775040\r\n:-48\r\n"},
	{[]string{"bitfield", "nokey", "get", "u8", "0"}, "*1\r\n:0\r\n"},
	{[]string{"exists", "nokey"}, ":0\r\n"},
	{[]string{"bitfield", "nokey"}, "*0\r\n"},
	{[]string{"exists", "nokey"}, ":0\r\n"},
	{[]string{"bitfield", "nokey", "overflow", "sat"}, "*0\r\n"},
	{[]string{"exists", "nokey"}, ":0\r\n"},
	{[]string{"bitfield", "nk2", "set", "u8", "100", "0"}, "*1\r\n:0\r\n"},
	{[]string{"strlen", "nk2"}, ":14\r\n"},
	{[]string{"bitfield", "nk3", "incrby", "u8", "100", "1"}, "*1\r\n:1\r\n"},
	{[]string{"strlen", "nk3"}, ":14\r\n"},
	{[]string{"bitfield", "nk4", "overflow", "fail", "incrby", "u2", "0", "10"}, "*1\r\n$-1\r\n"},
	{[]string{"exists", "nk4"}, ":1\r\n"},
	{[]string{"get", "nk4"}, "$1\r\n\x00\r\n"},
	{[]string{"~wrongtype", "l"}, ""},
	{[]string{"bitfield", "l", "get", "u8", "0"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"bitfield", "l", "set", "u8", "0", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"bitfield", "l", "foo"}, "-ERR syntax error\r\n"},
	{[]string{"bitfield_ro", "l", "get", "u8", "0"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"bitfield_ro", "l", "set", "u8", "0", "1"}, "-ERR BITFIELD_RO only supports the GET subcommand\r\n"},
	{[]string{"bitfield_ro", "bf", "get", "u8", "0", "get", "i4", "3"}, "*2\r\n:167\r\n:3\r\n"},
	{[]string{"bitfield_ro", "bf", "set", "u8", "0", "1"}, "-ERR BITFIELD_RO only supports the GET subcommand\r\n"},
	{[]string{"bitfield_ro", "bf", "incrby", "u8", "0", "1"}, "-ERR BITFIELD_RO only supports the GET subcommand\r\n"},
	{[]string{"bitfield_ro", "bf", "overflow", "sat"}, "*0\r\n"},
	{[]string{"bitfield_ro", "bf", "foo"}, "-ERR syntax error\r\n"},
	{[]string{"bitfield_ro", "bf", "get", "u8", "x"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"bitfield_ro", "nokey", "get", "u8", "0"}, "*1\r\n:0\r\n"},
	{[]string{"bitfield_ro", "nokey"}, "*0\r\n"},
	{[]string{"bitfield", "bf", "GET", "u8", "0", "SET", "i8", "0", "1", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "1", "Overflow", "Fail", "IncrBy", "i8", "0", "200"}, "*4\r\n:167\r\n:-89\r\n:2\r\n$-1\r\n"},
	{[]string{"set", "n", "12345"}, "+OK\r\n"},
	{[]string{"bitfield", "n", "get", "u8", "0"}, "*1\r\n:49\r\n"},
	{[]string{"bitfield", "n", "set", "u8", "0", "50"}, "*1\r\n:49\r\n"},
	{[]string{"get", "n"}, "$5\r\n22345\r\n"},
	{[]string{"set", "t", "v", "ex", "100"}, "+OK\r\n"},
	{[]string{"bitfield", "t", "set", "u8", "0", "1"}, "*1\r\n:118\r\n"},
	{[]string{"ttl", "t"}, ":100\r\n"},
	{[]string{"~dirty"}, "6"},
	{[]string{"set", "x", "a"}, "+OK\r\n"},
	{[]string{"bitfield", "nbf2", "set", "u8", "0", "0"}, "*1\r\n:0\r\n"},
	{[]string{"bitfield", "nbf3", "set", "u8", "0", "0", "set", "u8", "0", "0"}, "*2\r\n:0\r\n:0\r\n"},
	{[]string{"bitfield", "x", "set", "u8", "0", "98", "set", "u8", "0", "98"}, "*2\r\n:97\r\n:98\r\n"},
	{[]string{"bitfield", "x", "set", "u8", "100", "0", "set", "u8", "0", "98"}, "*2\r\n:0\r\n:98\r\n"},
	{[]string{"bitfield", "x", "incrby", "u8", "0", "0"}, "*1\r\n:98\r\n"},
	{[]string{"bitfield", "x", "incrby", "u8", "0", "256"}, "*1\r\n:98\r\n"},
	{[]string{"bitfield", "x", "overflow", "sat", "incrby", "u8", "0", "1000", "incrby", "u8", "0", "1000"}, "*2\r\n:255\r\n:255\r\n"},
	{[]string{"bitfield", "x", "get", "u8", "0"}, "*1\r\n:255\r\n"},
	{[]string{"bitfield", "nbf", "overflow", "fail", "incrby", "u8", "0", "1000"}, "*1\r\n$-1\r\n"},
	{[]string{"~dirty"}, "8"},
}

var bitfieldLimitSteps = []stringStep{
	{[]string{"bitfield", "b", "set", "u8", "8388600", "1"}, "*1\r\n:0\r\n"},
	{[]string{"strlen", "b"}, ":1048576\r\n"},
	{[]string{"bitfield", "b", "set", "u8", "8388601", "1"}, "*1\r\n:2\r\n"},
	{[]string{"strlen", "b"}, ":1048577\r\n"},
	{[]string{"bitfield", "b", "set", "u8", "8388608", "1"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"bitfield", "b", "get", "u8", "8388607"}, "*1\r\n:64\r\n"},
	{[]string{"bitfield", "b", "set", "u8", "#1048575", "7", "get", "u8", "#1048575"}, "*2\r\n:0\r\n:7\r\n"},
	{[]string{"bitfield", "b", "get", "u8", "#1048576"}, "-ERR bit offset is not an integer or out of range\r\n"},
}
