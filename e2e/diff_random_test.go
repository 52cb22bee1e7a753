package e2e

import (
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The randomized differential run: a seeded generator produces a weighted
// mix of every command in the harness's set over a small key space (so that
// commands collide, hit type errors and expiry), with occasional garbage
// arguments so that error paths are compared too.
//
// Time is handled so that no reply depends on which server got a command
// first:
//   - relative expiries are drawn without replacement from values 2000 s
//     apart, so any two expiry times set during a run are further apart
//     than the run is long and GT/LT comparisons between them come out the
//     same on both servers;
//   - absolute expiries lie on a lattice offset by 1000 s from every
//     relative one, for the same reason;
//   - a key given a short expiry (a few ms) is followed by a wait and then
//     by a command on that key, which expires it lazily on both servers
//     before anything (DBSIZE, DEBUG DIGEST) could see active expiry's
//     timing;
//   - remaining times (TTL, PTTL, ...) are compared within a tolerance
//     (DIFFERENCES.md: diffTTL).

// op is one generated step.
type op struct {
	args []string
	// restore marks a DUMP → RESTORE round trip: args is "RESTORE dst ttl
	// opts..." and dumpKey the key to DUMP on each side.
	restore bool
	dumpKey string
	// shortExpiry is the expiry just set on args' key (a few ms): the run
	// waits for it to pass, then probes the key.
	shortExpiry time.Duration
	// probe marks a step after which the key must be touched (it may hold
	// an expired key, e.g. SET with an EXAT in the past).
	probe bool
	key   string
}

// gen generates commands.
type gen struct {
	rnd  *rand.Rand
	keys []string
	// base is the origin of the absolute expiry lattice (unix seconds).
	base int64
	// usedRel holds the relative expiry slots already handed out.
	usedRel map[int64]bool
	// firstKey is the first key the command being generated uses.
	firstKey string
	haveKey  bool
}

func newGen(seed int64) *gen {
	g := &gen{
		rnd:     rand.New(rand.NewSource(seed)),
		base:    time.Now().Unix(),
		usedRel: map[int64]bool{},
	}
	for i := 0; i < 17; i++ {
		g.keys = append(g.keys, "k"+strconv.Itoa(i))
	}
	g.keys = append(g.keys, "", "b\x00\xff\r\n", "{tag}k")
	return g
}

func (g *gen) intn(n int) int        { return g.rnd.Intn(n) }
func (g *gen) chance(p float64) bool { return g.rnd.Float64() < p }

func (g *gen) pick(s ...string) string { return s[g.intn(len(s))] }

func (g *gen) key() string {
	k := g.keys[g.intn(len(g.keys))]
	if !g.haveKey {
		g.firstKey, g.haveKey = k, true
	}
	return k
}

func (g *gen) keysN(min, max int) []string {
	n := min + g.intn(max-min+1)
	ks := make([]string, n)
	for i := range ks {
		ks[i] = g.key()
	}
	return ks
}

var numericValues = []string{
	"0", "1", "-1", "10", "123", "-500", "9223372036854775807", "-9223372036854775808",
	"9223372036854775808", "3.14", "-0.5", "1e3", " 1", "01", "+5", "1.0", "inf", "0x10",
	"4.5e-3", "17976931348623157e292", "99999",
}

// value returns a string value: numbers, text, binary, empty, long.
func (g *gen) value() string {
	switch g.intn(10) {
	case 0, 1, 2:
		return g.pick(numericValues...)
	case 3:
		return strconv.Itoa(g.intn(20000) - 10000)
	case 4:
		return ""
	case 5:
		b := make([]byte, g.intn(24))
		g.rnd.Read(b)
		return string(b)
	case 6:
		return strings.Repeat(g.pick("a", "xy", "\x00", "z9"), 20+g.intn(40))
	case 7:
		return g.pick("\x00\xff\r\n", "hello world", "foobar", "\r\n$3\r\n", "\xff\xf0\x00", "ohmytext", "mynewtext")
	default:
		return g.pick("a", "b", "v", "abc", "hello", "bar", "x")
	}
}

// relExpiry returns a fresh relative expiry in seconds (see the top of the
// file for why every value is unique and 2000 s from the others).
func (g *gen) relExpiry() int64 {
	for {
		slot := int64(g.intn(1_000_000))
		if !g.usedRel[slot] {
			g.usedRel[slot] = true
			return 1000 + 2000*slot
		}
	}
}

// absExpiry returns an absolute expiry in unix seconds on the lattice.
func (g *gen) absExpiry() int64 { return g.base + 2000*int64(1+g.intn(1_000_000)) }

// offset returns a bit or byte offset or a range end, mostly small.
func (g *gen) offset() string {
	switch g.intn(12) {
	case 0:
		return g.pick("-1", "-100", "9223372036854775807", "-9223372036854775808", "abc", "1.5", "")
	case 1, 2:
		return strconv.Itoa(-g.intn(60))
	default:
		return strconv.Itoa(g.intn(60))
	}
}

type genFunc func(g *gen, o *op) []string

type weighted struct {
	w int
	f genFunc
}

func (g *gen) expireOpts() []string {
	switch g.intn(8) {
	case 0:
		return []string{"NX"}
	case 1:
		return []string{"XX"}
	case 2:
		return []string{"GT"}
	case 3:
		return []string{"LT"}
	case 4:
		return []string{g.pick("NX", "XX", "GT", "LT", "FOO"), g.pick("NX", "XX", "GT", "LT")}
	}
	return nil
}

// setExpiryOpt returns SET's expiry options; it may mark o as needing a
// probe or a short wait.
func (g *gen) setExpiryOpt(o *op, allowShort bool) []string {
	switch g.intn(12) {
	case 0:
		return []string{"EX", strconv.FormatInt(g.relExpiry(), 10)}
	case 1:
		return []string{"PX", strconv.FormatInt(g.relExpiry()*1000, 10)}
	case 2:
		return []string{"EXAT", strconv.FormatInt(g.absExpiry(), 10)}
	case 3:
		return []string{"PXAT", strconv.FormatInt(g.absExpiry()*1000, 10)}
	case 4:
		return []string{"KEEPTTL"}
	case 5:
		if g.chance(0.3) {
			// In the past: redis 7.0 stores the key already expired.
			o.probe = true
			return []string{g.pick("EXAT", "PXAT"), g.pick("1", "100", strconv.FormatInt(time.Now().Unix()-10, 10))}
		}
		if allowShort && g.chance(0.5) {
			ms := 1 + g.intn(5)
			o.shortExpiry = time.Duration(ms) * time.Millisecond
			return []string{"PX", strconv.Itoa(ms)}
		}
		return []string{g.pick("EX", "PX", "EXAT", "PXAT"), g.pick("0", "-1", "abc", "1.5", "9223372036854775807", "")}
	}
	return nil
}

var randomCommands = []weighted{
	// strings
	{80, func(g *gen, o *op) []string { return []string{"GET", g.key()} }},
	{90, func(g *gen, o *op) []string {
		a := []string{"SET", g.key(), g.value()}
		a = append(a, g.setExpiryOpt(o, true)...)
		switch g.intn(6) {
		case 0:
			a = append(a, "NX")
		case 1:
			a = append(a, "XX")
		}
		if g.chance(0.2) {
			a = append(a, "GET")
		}
		if g.chance(0.1) {
			g.rnd.Shuffle(len(a)-3, func(i, j int) { a[3+i], a[3+j] = a[3+j], a[3+i] })
		}
		return a
	}},
	{15, func(g *gen, o *op) []string { return []string{"SETNX", g.key(), g.value()} }},
	{15, func(g *gen, o *op) []string {
		return []string{"SETEX", g.key(), strconv.FormatInt(g.relExpiry(), 10), g.value()}
	}},
	{15, func(g *gen, o *op) []string {
		if g.chance(0.1) {
			ms := 1 + g.intn(5)
			o.shortExpiry = time.Duration(ms) * time.Millisecond
			return []string{"PSETEX", g.key(), strconv.Itoa(ms), g.value()}
		}
		return []string{"PSETEX", g.key(), strconv.FormatInt(g.relExpiry()*1000, 10), g.value()}
	}},
	{15, func(g *gen, o *op) []string { return []string{"GETSET", g.key(), g.value()} }},
	{25, func(g *gen, o *op) []string {
		a := []string{"GETEX", g.key()}
		switch g.intn(7) {
		case 0:
			a = append(a, "EX", strconv.FormatInt(g.relExpiry(), 10))
		case 1:
			a = append(a, "PX", strconv.FormatInt(g.relExpiry()*1000, 10))
		case 2:
			a = append(a, "EXAT", strconv.FormatInt(g.absExpiry(), 10))
		case 3:
			a = append(a, "PXAT", strconv.FormatInt(g.absExpiry()*1000, 10))
		case 4:
			a = append(a, "PERSIST")
		case 5:
			if g.chance(0.5) {
				a = append(a, "EXAT", "1") // in the past: deletes the key
			} else {
				a = append(a, g.pick("EX", "PX", "FOO"), g.pick("0", "-5", "x"))
			}
		}
		return a
	}},
	{15, func(g *gen, o *op) []string { return []string{"GETDEL", g.key()} }},
	{25, func(g *gen, o *op) []string { return append([]string{"MGET"}, g.keysN(1, 5)...) }},
	{20, func(g *gen, o *op) []string {
		a := []string{"MSET"}
		for _, k := range g.keysN(1, 4) {
			a = append(a, k, g.value())
		}
		return a
	}},
	{15, func(g *gen, o *op) []string {
		a := []string{"MSETNX"}
		for _, k := range g.keysN(1, 3) {
			a = append(a, k, g.value())
		}
		return a
	}},
	{35, func(g *gen, o *op) []string { return []string{"APPEND", g.key(), g.value()} }},
	{15, func(g *gen, o *op) []string { return []string{"STRLEN", g.key()} }},
	{25, func(g *gen, o *op) []string { return []string{"GETRANGE", g.key(), g.offset(), g.offset()} }},
	{8, func(g *gen, o *op) []string { return []string{"SUBSTR", g.key(), g.offset(), g.offset()} }},
	{25, func(g *gen, o *op) []string {
		off := strconv.Itoa(g.intn(200))
		if g.chance(0.1) {
			off = g.pick("-1", "536870912", "abc", "9223372036854775807")
		}
		return []string{"SETRANGE", g.key(), off, g.value()}
	}},
	{35, func(g *gen, o *op) []string { return []string{"INCR", g.key()} }},
	{15, func(g *gen, o *op) []string { return []string{"DECR", g.key()} }},
	{25, func(g *gen, o *op) []string {
		return []string{g.pick("INCRBY", "DECRBY"), g.key(), g.pick(append(numericValues, "5", "-7", "100")...)}
	}},
	{25, func(g *gen, o *op) []string {
		return []string{"INCRBYFLOAT", g.key(), g.pick(append(numericValues, "0.1", "-2.5", "1e-5", "3.0e2")...)}
	}},
	{15, func(g *gen, o *op) []string {
		a := []string{"LCS", g.key(), g.key()}
		switch g.intn(5) {
		case 0:
			a = append(a, "LEN")
		case 1:
			a = append(a, "IDX")
		case 2:
			a = append(a, "IDX", "MINMATCHLEN", strconv.Itoa(g.intn(4)), "WITHMATCHLEN")
		case 3:
			a = append(a, g.pick("IDX", "LEN", "FOO"), g.pick("WITHMATCHLEN", "LEN", "MINMATCHLEN"))
		}
		return a
	}},
	{25, func(g *gen, o *op) []string {
		off := strconv.Itoa(g.intn(2000))
		if g.chance(0.1) {
			off = g.pick("-1", "4294967296", "abc")
		}
		return []string{"SETBIT", g.key(), off, g.pick("0", "1", "1", "2", "-1")}
	}},
	{15, func(g *gen, o *op) []string {
		return []string{"GETBIT", g.key(), g.pick(strconv.Itoa(g.intn(300)), "-1", "4294967296", "x")}
	}},
	{25, func(g *gen, o *op) []string {
		a := []string{"BITCOUNT", g.key()}
		if g.chance(0.7) {
			a = append(a, g.offset(), g.offset())
			if g.chance(0.4) {
				a = append(a, g.pick("BIT", "BYTE", "bit", "FOO"))
			}
		}
		return a
	}},
	{25, func(g *gen, o *op) []string {
		a := []string{"BITPOS", g.key(), g.pick("0", "1", "1", "0", "2")}
		n := g.intn(4)
		for i := 0; i < n && i < 2; i++ {
			a = append(a, g.offset())
		}
		if n == 3 {
			a = append(a, g.pick("BIT", "BYTE"))
		}
		return a
	}},
	{20, func(g *gen, o *op) []string {
		opn := g.pick("AND", "OR", "XOR", "NOT", "and", "FOO")
		a := []string{"BITOP", opn, g.key()}
		if opn == "NOT" && g.chance(0.8) {
			return append(a, g.key())
		}
		return append(a, g.keysN(1, 3)...)
	}},
	{25, func(g *gen, o *op) []string { return append([]string{"BITFIELD", g.key()}, g.bitfieldOps(false)...) }},
	{10, func(g *gen, o *op) []string { return append([]string{"BITFIELD_RO", g.key()}, g.bitfieldOps(true)...) }},

	// keys
	{30, func(g *gen, o *op) []string {
		return append([]string{g.pick("DEL", "UNLINK", "DEL")}, g.keysN(1, 3)...)
	}},
	{25, func(g *gen, o *op) []string { return append([]string{"EXISTS"}, g.keysN(1, 3)...) }},
	{15, func(g *gen, o *op) []string { return []string{"TYPE", g.key()} }},
	{8, func(g *gen, o *op) []string { return append([]string{"TOUCH"}, g.keysN(1, 3)...) }},
	{40, func(g *gen, o *op) []string {
		cmd := g.pick("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT")
		var v string
		switch r := g.intn(10); {
		case r == 0:
			v = g.pick("-1", "0", "-100", "abc", "1.5", "9223372036854775807", "-9223372036854775808", "")
			if v == "-1" || v == "0" || v == "-100" {
				o.probe = true
			}
		case r == 1 && (cmd == "EXPIREAT" || cmd == "PEXPIREAT"):
			v = g.pick("1", "100") // in the past: deletes the key
			o.probe = true
		case r == 2 && cmd == "PEXPIRE":
			ms := 1 + g.intn(5)
			o.shortExpiry = time.Duration(ms) * time.Millisecond
			v = strconv.Itoa(ms)
		case cmd == "EXPIRE":
			v = strconv.FormatInt(g.relExpiry(), 10)
		case cmd == "PEXPIRE":
			v = strconv.FormatInt(g.relExpiry()*1000, 10)
		case cmd == "EXPIREAT":
			v = strconv.FormatInt(g.absExpiry(), 10)
		default:
			v = strconv.FormatInt(g.absExpiry()*1000, 10)
		}
		a := []string{cmd, g.key(), v}
		if o.shortExpiry > 0 {
			return a // no NX/XX/GT/LT: the short expiry must be set for the wait to make sense
		}
		return append(a, g.expireOpts()...)
	}},
	{25, func(g *gen, o *op) []string { return []string{g.pick("TTL", "PTTL"), g.key()} }},
	{10, func(g *gen, o *op) []string { return []string{g.pick("EXPIRETIME", "PEXPIRETIME"), g.key()} }},
	{15, func(g *gen, o *op) []string { return []string{"PERSIST", g.key()} }},
	{15, func(g *gen, o *op) []string { return []string{g.pick("RENAME", "RENAMENX"), g.key(), g.key()} }},
	{15, func(g *gen, o *op) []string {
		a := []string{"COPY", g.key(), g.key()}
		if g.chance(0.4) {
			a = append(a, "DB", g.pick("0", "1", "2", "2", "16", "x"))
		}
		if g.chance(0.4) {
			a = append(a, "REPLACE")
		}
		return a
	}},
	{15, func(g *gen, o *op) []string { return []string{"MOVE", g.key(), g.pick("0", "1", "2", "16", "-1")} }},
	{6, func(g *gen, o *op) []string {
		return []string{"KEYS", g.pick("*", "k1*", "k?", "*[0-5]", "{tag}*", "nomatch", "k[^1]*", "")}
	}},
	{6, func(g *gen, o *op) []string {
		a := []string{"SCAN", "0"}
		if g.chance(0.4) {
			a = append(a, "MATCH", g.pick("*", "k1*", "k?", "*[0-5]"))
		}
		if g.chance(0.4) {
			a = append(a, "COUNT", g.pick("1", "3", "10", "100"))
		}
		if g.chance(0.3) {
			a = append(a, "TYPE", g.pick("string", "hash", "none"))
		}
		if g.chance(0.05) {
			a[1] = g.pick("abc", "-5")
		}
		return a
	}},
	{6, func(g *gen, o *op) []string { return []string{"RANDOMKEY"} }},
	{12, func(g *gen, o *op) []string {
		o.restore = true
		o.dumpKey = g.key()
		dst := g.key()
		ttl := "0"
		var opts []string
		switch g.intn(6) {
		case 0:
			ttl = strconv.FormatInt(g.relExpiry()*1000, 10)
		case 1:
			ttl = strconv.FormatInt(g.absExpiry()*1000, 10)
			opts = append(opts, "ABSTTL")
		case 2:
			ttl = g.pick("-1", "abc")
		case 3:
			opts = append(opts, "IDLETIME", g.pick("10", "-1", "x"))
		case 4:
			opts = append(opts, "FREQ", g.pick("5", "300"))
		}
		if g.chance(0.5) {
			opts = append(opts, "REPLACE")
		}
		return append([]string{"RESTORE", dst, ttl}, opts...)
	}},

	// connection and server
	{8, func(g *gen, o *op) []string {
		if g.chance(0.5) {
			return []string{"PING"}
		}
		return []string{"PING", g.value()}
	}},
	{8, func(g *gen, o *op) []string { return []string{"ECHO", g.value()} }},
	{15, func(g *gen, o *op) []string { return []string{"SELECT", g.pick("0", "1", "2", "0", "16", "x")} }},
	{4, func(g *gen, o *op) []string {
		return []string{"SWAPDB", g.pick("0", "1", "2"), g.pick("0", "1", "2", "16")}
	}},
	{12, func(g *gen, o *op) []string { return []string{"DBSIZE"} }},
	{1, func(g *gen, o *op) []string {
		return append([]string{g.pick("FLUSHDB", "FLUSHALL")}, g.pick("", "ASYNC", "SYNC")) // "" is dropped below
	}},
	{2, func(g *gen, o *op) []string { return []string{"TIME"} }},
	{6, func(g *gen, o *op) []string {
		switch g.intn(4) {
		case 0:
			return []string{"CLIENT", "ID"}
		case 1:
			return []string{"CLIENT", "GETNAME"}
		case 2:
			return []string{"CLIENT", "SETNAME", g.pick("n1", "", "bad name", "conn-2")}
		}
		return []string{"CLIENT", "NO-EVICT", g.pick("on", "off", "x")}
	}},
	{3, func(g *gen, o *op) []string {
		return []string{"CONFIG", "GET", g.pick("maxmemory", "maxmemory*", "databases", "*policy*", "hz", "nosuch", "save")}
	}},
	{6, func(g *gen, o *op) []string {
		switch g.intn(4) {
		case 0:
			return []string{"DEBUG", "DIGEST"}
		case 1:
			return append([]string{"DEBUG", "DIGEST-VALUE"}, g.keysN(1, 3)...)
		case 2:
			return []string{"DEBUG", "OBJECT", g.key()}
		}
		return []string{"DEBUG", "SLEEP", "0"}
	}},
	{6, func(g *gen, o *op) []string { return []string{"MEMORY", "USAGE", g.key()} }},
	{12, func(g *gen, o *op) []string {
		return []string{"OBJECT", g.pick("ENCODING", "ENCODING", "REFCOUNT", "IDLETIME", "FREQ"), g.key()}
	}},
	{1, func(g *gen, o *op) []string { return []string{"ROLE"} }},
	{2, func(g *gen, o *op) []string {
		switch g.intn(4) {
		case 0:
			return []string{"CONFIG", "SET", "hz", g.pick("10", "20", "abc")}
		case 1:
			// No maxmemory is set, so a policy changes what OBJECT FREQ and
			// OBJECT IDLETIME answer, never which keys exist.
			return []string{"CONFIG", "SET", "maxmemory-policy", g.pick("noeviction", "allkeys-lru", "allkeys-lfu", "volatile-ttl", "bad")}
		case 2:
			return []string{"CONFIG", "SET", "lfu-log-factor", g.pick("10", "5")}
		}
		return []string{"CONFIG", "SET", "nosuch", "1"}
	}},
	{2, func(g *gen, o *op) []string {
		switch g.intn(5) {
		case 0:
			return []string{"CLIENT", "REPLY", "SKIP"}
		case 1:
			return []string{"CLIENT", "REPLY", g.pick("ON", "bad")}
		case 2:
			return []string{"CLIENT", "SETINFO", g.pick("lib-name", "lib-ver"), "x"}
		case 3:
			return []string{"CLIENT", "NO-TOUCH", g.pick("on", "off")}
		}
		return []string{"DEBUG", "SET-ACTIVE-EXPIRE", g.pick("0", "1")}
	}},
	{1, func(g *gen, o *op) []string { return []string{"RESET"} }},
	{3, func(g *gen, o *op) []string { return []string{"HELLO", g.pick("2", "3", "4")} }},
	{1, func(g *gen, o *op) []string { return []string{"AUTH", "pw"} }},
	{1, func(g *gen, o *op) []string { return []string{"INFO", g.pick("keyspace", "server", "stats")} }},
}

// probeCommands touch one key in a way that expires it if it is due, and
// never fail before looking the key up (so no syntax errors here).
var probeCommands = []func(k string) []string{
	func(k string) []string { return []string{"GET", k} },
	func(k string) []string { return []string{"EXISTS", k} },
	func(k string) []string { return []string{"TYPE", k} },
	func(k string) []string { return []string{"TTL", k} },
	func(k string) []string { return []string{"STRLEN", k} },
	func(k string) []string { return []string{"APPEND", k, "x"} },
	func(k string) []string { return []string{"INCR", k} },
	func(k string) []string { return []string{"SETRANGE", k, "1", "y"} },
	func(k string) []string { return []string{"GETDEL", k} },
	func(k string) []string { return []string{"PERSIST", k} },
	func(k string) []string { return []string{"SET", k, "v", "NX"} },
	func(k string) []string { return []string{"GETBIT", k, "3"} },
	func(k string) []string { return []string{"DEL", k} },
	func(k string) []string { return []string{"OBJECT", "ENCODING", k} },
}

// bitfieldOps generates BITFIELD subcommands (only GET when ro, usually).
func (g *gen) bitfieldOps(ro bool) []string {
	var a []string
	n := 1 + g.intn(3)
	for i := 0; i < n; i++ {
		typ := g.pick("i", "u") + strconv.Itoa(1+g.intn(64))
		if g.chance(0.05) {
			typ = g.pick("u64", "i65", "x8", "u0", "i")
		}
		off := strconv.Itoa(g.intn(100))
		if g.chance(0.2) {
			off = "#" + strconv.Itoa(g.intn(10))
		} else if g.chance(0.05) {
			off = g.pick("-1", "x", "4294967296")
		}
		sub := "GET"
		if !ro || g.chance(0.1) {
			sub = g.pick("GET", "SET", "INCRBY", "OVERFLOW")
		}
		switch sub {
		case "GET":
			a = append(a, "GET", typ, off)
		case "OVERFLOW":
			a = append(a, "OVERFLOW", g.pick("WRAP", "SAT", "FAIL", "bad"))
		default:
			a = append(a, sub, typ, off, g.pick(numericValues...))
		}
	}
	return a
}

// garble turns a generated command into a wrong one: an argument too
// few or too many, or a bad option value.
func (g *gen) garble(a []string) []string {
	switch g.intn(3) {
	case 0:
		if len(a) > 1 {
			return a[:len(a)-1]
		}
	case 1:
		return append(a, g.pick("x", "FOO", "1", ""))
	}
	if len(a) > 2 {
		a[1+g.intn(len(a)-1)] = g.pick("abc", "", "-1", "99999999999999999999", "NX")
	}
	return a
}

// next generates the next step.
func (g *gen) next(table []weighted, total int) op {
	var o op
	g.haveKey = false
	r := g.intn(total)
	for _, w := range table {
		if r < w.w {
			o.args = w.f(g, &o)
			break
		}
		r -= w.w
	}
	// Drop empty trailing placeholders some generators use for "no option".
	if n := len(o.args); n > 1 && o.args[n-1] == "" && (o.args[0] == "FLUSHDB" || o.args[0] == "FLUSHALL") {
		o.args = o.args[:n-1]
	}
	o.key = g.firstKey
	if !o.restore && o.shortExpiry == 0 && !o.probe && g.chance(0.03) {
		o.args = g.garble(o.args)
	}
	return o
}

// randomSeed returns SHARDIS_SEED, or a seed from the clock.
func randomSeed(t testing.TB) int64 {
	if s := os.Getenv("SHARDIS_SEED"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("SHARDIS_SEED=%q: %v", s, err)
		}
		return v
	}
	return time.Now().UnixNano()
}

// randomCount returns SHARDIS_DIFF_N, or def (def/10 under -short).
func randomCount(t testing.TB, def int) int {
	if s := os.Getenv("SHARDIS_DIFF_N"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			t.Fatalf("SHARDIS_DIFF_N=%q: want a non-negative integer", s)
		}
		return v
	}
	if testing.Short() {
		return def / 10
	}
	return def
}

// runRandom runs n generated steps on p and returns the number of replies
// compared.
func runRandom(p *pair, seed int64, n int) {
	p.t.Helper()
	g := newGen(seed)
	total := 0
	for _, w := range randomCommands {
		total += w.w
	}
	p.do("FLUSHALL")
	var batch [][]string
	for i := 0; i < n; i++ {
		if i == n/2 && p.proto == 2 {
			p.doBatch(batch)
			batch = batch[:0]
			p.do("HELLO", "3") // the second half runs in RESP3 (HELLO may switch back)
		}
		o := g.next(randomCommands, total)
		// Now and then a run of commands goes out pipelined, in one write,
		// as clients send them; only commands whose replies are compared
		// one by one can be part of it.
		if len(batch) == 0 && g.chance(0.02) || len(batch) > 0 && len(batch) < 64 && g.chance(0.97) {
			if batchable(o) {
				batch = append(batch, o.args)
				continue
			}
		}
		if len(batch) > 0 {
			p.doBatch(batch)
			batch = batch[:0]
			if batchable(o) {
				batch = append(batch, o.args)
				continue
			}
		}
		if o.restore {
			p.dumpRestore(o.dumpKey, o.args[1], o.args[2:])
			continue
		}
		p.do(o.args...)
		if o.shortExpiry > 0 {
			// Not a readiness wait: the expiry both servers just set must
			// pass. Both set it before their reply arrived, so it is due
			// shortExpiry after now at the latest (+2 ms for rounding to
			// whole milliseconds).
			<-time.After(o.shortExpiry + 2*time.Millisecond)
		}
		if o.shortExpiry > 0 || o.probe {
			p.do(probeCommands[g.intn(len(probeCommands))](o.key)...)
		}
	}
	p.doBatch(batch)
	p.sync()
}

// batchable reports whether o can be sent pipelined with others: it needs
// no extra steps (a wait, a probe, a DUMP first) and its comparison rule
// needs no commands of its own.
func batchable(o op) bool {
	return !o.restore && !o.probe && o.shortExpiry == 0 && ruleFor(o.args).meta == nil
}

// TestInteropDifferentialRandom runs SHARDIS_DIFF_N (default 20,000; 2,000
// under -short) generated commands against redis-server and the target.
// Replay a failure with SHARDIS_SEED=<the seed it printed>; SHARDIS_DIFF_HISTORY=N
// shows the N commands before a mismatch (default 12).
func TestInteropDifferentialRandom(t *testing.T) {
	randomDifferential(t, "seed ", 20000, func(p *pair, target string, seed int64, n int) {
		runRandom(p, seed, n)
	})
}

// TestInteropDifferentialSelfCheck runs the harness with redis-server on
// both sides: any mismatch is a comparison rule that is too strict or a
// test step whose reply depends on timing, not a server bug. It keeps the
// rules honest whenever a sequence or a generator is added.
func TestInteropDifferentialSelfCheck(t *testing.T) {
	a, b := startRedis(t), startRedis(t)
	var plain, auth []sequence
	for _, s := range allSequences() {
		if s.needsPass {
			auth = append(auth, s)
		} else {
			plain = append(plain, s)
		}
	}
	n := runSequences(t, a, b, plain)
	cfg := serverConfig{requirePass: authPassword}
	n += runSequences(t, startRedis(t, cfg.redisArgs()...), startRedis(t, cfg.redisArgs()...), auth)

	seed := randomSeed(t)
	p := newPair(t, "self-check seed "+strconv.FormatInt(seed, 10), a, b)
	runRandom(p, seed, randomCount(t, 20000)/4)
	t.Logf("redis-server against redis-server: %d hand-written and %d random replies compared (seed %d)",
		n, p.compared, seed)
}

// randomDifferential is the body of every TestInteropDifferential<Type>
// random run: a seed (SHARDIS_SEED) and a count (SHARDIS_DIFF_N, defaultN
// by default, a tenth under -short), redis-server and the target started,
// run sending n generated commands to both, and the counts logged.
func randomDifferential(t *testing.T, label string, defaultN int, run func(p *pair, target string, seed int64, n int)) {
	t.Helper()
	seed := randomSeed(t)
	n := randomCount(t, defaultN)
	t.Logf("seed %d, %d commands (replay: SHARDIS_SEED=%d SHARDIS_DIFF_N=%d go test -run '%s$' ./e2e)",
		seed, n, seed, n, t.Name())
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	p := newPair(t, label+strconv.FormatInt(seed, 10), oracle, target)
	run(p, target, seed, n)
	reportKnown(t, p)
	t.Logf("replies/errors per command: %s", p.coverage())
	t.Logf("seed %d: %d commands sent (%d of them in pipelines), %d replies compared against %s, %d mismatches",
		seed, p.index, p.pipelined, p.compared, p.target.name, p.mismatches)
}
