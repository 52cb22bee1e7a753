package e2e

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

// The HyperLogLog commands in the differential harness. The backend keeps
// Redis's own HyperLogLog string format, so nothing here is relaxed: every
// estimate, every GET of the value's bytes, every error is compared exactly.

// hllArgs returns n distinct elements named prefix0, prefix1, ...
func hllArgs(prefix string, from, n int) string {
	var b strings.Builder
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, " %s%d", prefix, i)
	}
	return b.String()
}

// hllHeader is a HyperLogLog header: "HYLL", the encoding, three unused
// bytes and the cached cardinality (stale: top bit set).
func hllHeader(enc byte) string {
	return "HYLL" + string([]byte{enc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80})
}

// hllQuote renders bytes for a sequence line ("\xHH" escapes).
func hllQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "\\x%02x", s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// Crafted HyperLogLog strings, valid and corrupt, for SET.
var (
	hllEmptySparse = hllHeader(1) + "\x7f\xff"                                      // XZERO:16384
	hllTwoXZero    = hllHeader(1) + "\x5f\xff\x5f\xff"                              // XZERO:8192 twice
	hllShortRuns   = hllHeader(1) + "\x7f\xfe"                                      // 16383 registers
	hllLongRuns    = hllHeader(1) + "\x7f\xff\x00"                                  // 16385 registers
	hllValOverflow = hllHeader(1) + "\x7f\xfe\x83"                                  // VAL run past the end
	hllValAtEnd    = hllHeader(1) + "\x7f\xff\x80"                                  // a VAL after 16384 registers
	hllHalfXZero   = hllHeader(1) + "\x7f\xff\x40"                                  // a lone XZERO byte at the end
	hllNoRuns      = hllHeader(1)                                                   // no opcodes at all
	hllValsOnly    = hllHeader(1) + "\xfb\x7f\xfb" + "\x7f\xfb\x80"                 // VAL:31,4 XZERO... mixed
	hllDenseZero   = hllHeader(0) + strings.Repeat("\x00", 12288)                   // a dense empty HLL
	hllDenseShort  = hllHeader(0) + strings.Repeat("\x00", 12287)                   // one byte short
	hllDenseOnes   = hllHeader(0) + strings.Repeat("\xff", 12288)                   // every register 63
	hllBadMagic    = "HYLX" + hllHeader(1)[4:] + "\x7f\xff"                         // wrong magic
	hllBadEncoding = "HYLL" + "\x02" + hllHeader(1)[5:] + "\x7f\xff"                // encoding 2
	hllValidCache  = "HYLL\x01\x00\x00\x00\x2a\x00\x00\x00\x00\x00\x00\x00\x7f\xff" // cached card 42, no registers set
)

var hllSequences = []sequence{
	{name: "hll-basics", cmds: []string{
		`PFADD h a b c`, `PFCOUNT h`, `TYPE h`, `OBJECT ENCODING h`, `STRLEN h`, `GET h`, `PFADD h a`, `PFADD h`,
		`PFADD h d`, `GET h`, `PFCOUNT h`, `GET h`, `PFCOUNT h`, `PFADD new`, `PFCOUNT new`, `GET new`, `PFADD new`,
		`PFCOUNT missing`, `PFCOUNT missing missing2`, `PFADD e ""`, `PFADD e "\x00\xff"`, `PFCOUNT e`, `GET e`,
		`PFADD b "` + strings.Repeat("long element ", 40) + `"`, `PFCOUNT b`, `PFCOUNT h e b`, `PFCOUNT h h`,
		`PFADD`, `PFCOUNT`, `PFMERGE`, `PFDEBUG`, `PFDEBUG encoding`, `PFDEBUG encoding h x`, `PFSELFTEST x`,
		`SET str v`, `SET i 123`, `SADD s a`, `PFADD str a`, `PFADD i a`, `PFADD s a`, `PFCOUNT str`, `PFCOUNT i`,
		`PFCOUNT s`, `PFCOUNT h str`, `PFCOUNT h s`, `PFCOUNT missing s`, `PFMERGE h str`, `PFMERGE str h`, `PFMERGE s h`,
		`PFMERGE h s`, `PFDEBUG encoding str`, `PFDEBUG encoding s`, `PFDEBUG encoding missing`, `PFDEBUG nosuch missing`,
		`PFDEBUG nosuch h`, `PFDEBUG "bad\x00sub" h`, `PFDEBUG ENCODING h`, `PFDEBUG decode h`, `PFDEBUG Decode e`,
		`DEBUG DIGEST-VALUE h e`, `DEBUG DIGEST`, `COPY h h2`, `GET h2`, `PFCOUNT h2`, `@dumprestore h h3 0`, `GET h3`,
		`PFCOUNT h3`, `APPEND h x`, `PFCOUNT h`, `PFADD h z`, `MEMORY USAGE h`,
	}},
	{name: "hll-crafted", cmds: []string{
		`SET a ` + hllQuote(hllEmptySparse), `OBJECT ENCODING a`, `PFCOUNT a`, `OBJECT ENCODING a`, `GET a`, `PFADD a x`, `GET a`,
		`SET b ` + hllQuote(hllTwoXZero), `PFCOUNT b`, `PFADD b x y z`, `GET b`, `PFCOUNT b`, `PFDEBUG decode b`,
		`SET c ` + hllQuote(hllShortRuns), `PFCOUNT c`, `PFADD c x`, `PFCOUNT c a`, `PFMERGE m c`, `PFDEBUG todense c`, `PFDEBUG getreg c`,
		`PFDEBUG decode c`, `PFDEBUG encoding c`, `GET c`,
		`SET d ` + hllQuote(hllLongRuns), `PFCOUNT d`, `PFADD d x`, `GET d`, `PFCOUNT a d`, `PFMERGE m d`, `PFDEBUG todense d`,
		`SET e ` + hllQuote(hllValOverflow), `PFCOUNT e`, `PFADD e x y`, `PFCOUNT a e`, `PFDEBUG todense e`, `GET e`,
		`SET f ` + hllQuote(hllValAtEnd), `PFCOUNT f`, `PFCOUNT a f`, `PFMERGE m2 f`, `PFCOUNT m2`, `PFDEBUG todense f`, `GET f`, `PFCOUNT f`,
		`SET g ` + hllQuote(hllHalfXZero), `PFCOUNT g`, `PFADD g x`, `PFCOUNT a g`, `PFDEBUG decode g`, `PFDEBUG todense g`,
		`SET n ` + hllQuote(hllNoRuns), `PFCOUNT n`, `PFADD n x`, `PFADD n`, `PFCOUNT a n`, `PFDEBUG decode n`, `PFDEBUG todense n`,
		`SET v ` + hllQuote(hllValsOnly), `PFCOUNT v`, `PFADD v x`, `PFDEBUG decode v`, `PFCOUNT a v`,
		`SET dz ` + hllQuote(hllDenseZero), `PFCOUNT dz`, `PFADD dz x y`, `PFCOUNT dz`, `PFDEBUG encoding dz`, `PFDEBUG decode dz`,
		`PFDEBUG todense dz`, `PFMERGE dz a`, `PFCOUNT dz`, `GETRANGE dz 0 40`, `STRLEN dz`,
		`SET ds ` + hllQuote(hllDenseShort), `PFCOUNT ds`, `PFADD ds x`, `PFMERGE ds a`,
		`SET do ` + hllQuote(hllDenseOnes), `PFCOUNT do`, `PFADD do x`, `PFCOUNT do a`, `PFMERGE m3 a do`, `PFCOUNT m3`,
		`PFDEBUG encoding m3`, `STRLEN m3`,
		`SET bm ` + hllQuote(hllBadMagic), `PFCOUNT bm`, `PFADD bm x`, `PFMERGE bm`,
		`SET be ` + hllQuote(hllBadEncoding), `PFCOUNT be`, `PFADD be x`, `PFDEBUG encoding be`,
		`SET vc ` + hllQuote(hllValidCache), `PFCOUNT vc`, `PFCOUNT vc a`, `PFADD vc x`, `PFCOUNT vc`,
		`SET short HYLL`, `PFCOUNT short`, `SET empty ""`, `PFCOUNT empty`, `PFADD empty x`,
		`PFADD p a b c`, `SETRANGE p 16 "\x80"`, `PFCOUNT p`, `PFADD p d`, `GET p`, `SETRANGE p 4 "\x00"`, `PFCOUNT p`,
		`PFADD q a`, `SETRANGE q 15 "\x00"`, `PFCOUNT q`, `APPEND q "\x00"`, `PFCOUNT q`, `PFADD q b`,
	}},
	{name: "hll-dense", cmds: []string{
		`PFADD h` + hllArgs("e", 0, 500), `PFDEBUG encoding h`, `STRLEN h`, `PFCOUNT h`, `GET h`,
		`PFADD h` + hllArgs("e", 500, 3000), `PFDEBUG encoding h`, `STRLEN h`, `PFCOUNT h`, `GET h`, `OBJECT ENCODING h`,
		`PFDEBUG decode h`, `PFDEBUG todense h`, `PFDEBUG getreg h`,
		`PFADD s` + hllArgs("x", 0, 100), `PFDEBUG decode s`, `PFDEBUG getreg s`, `PFDEBUG encoding s`, `GET s`,
		`PFADD t` + hllArgs("x", 50, 100), `PFDEBUG todense t`, `PFDEBUG todense t`, `GET t`,
		`CONFIG SET hll-sparse-max-bytes 40`, `PFADD small` + hllArgs("y", 0, 5), `PFDEBUG encoding small`,
		`PFADD small` + hllArgs("y", 5, 10), `PFDEBUG encoding small`, `STRLEN small`, `PFCOUNT small`,
		`CONFIG SET hll-sparse-max-bytes 0`, `PFADD zero a`, `PFDEBUG encoding zero`, `PFCOUNT zero`,
		`CONFIG SET hll-sparse-max-bytes 3000`,
		`PFADD big` + hllArgs("z", 0, 20000), `PFCOUNT big`, `PFDEBUG encoding big`, `DEBUG DIGEST-VALUE big`,
	}},
	{name: "hll-merge", cmds: []string{
		`PFADD a` + hllArgs("e", 0, 100), `PFADD b` + hllArgs("e", 50, 100), `PFADD c` + hllArgs("e", 0, 5000),
		`PFCOUNT a b`, `PFCOUNT a b c`, `PFCOUNT b a missing`, `PFMERGE d a b`, `PFCOUNT d`, `GET d`, `PFDEBUG encoding d`,
		`PFMERGE d c`, `PFDEBUG encoding d`, `PFCOUNT d`, `GET d`, `PFMERGE e`, `GET e`, `PFCOUNT e`, `PFMERGE f missing`,
		`PFCOUNT f`, `PFMERGE a a`, `GET a`, `PFMERGE a b`, `PFCOUNT a`, `GET a`, `PFMERGE g c a`, `PFDEBUG encoding g`,
		`GET g`, `SET x 1`, `PFMERGE x a`, `PFMERGE a x`, `PFMERGE d a b c`, `PFCOUNT d a b c`,
		`CONFIG SET hll-sparse-max-bytes 60`, `PFMERGE small a`, `PFDEBUG encoding small`, `STRLEN small`,
		`CONFIG SET hll-sparse-max-bytes 3000`, `PFMERGE s2 a b`, `PFDEBUG encoding s2`, `GET s2`,
		`SET e1 v EX 1000`, `DEL e1`, `PFADD e1 a`, `EXPIRE e1 1000`, `PFADD e1 b`, `TTL e1`, `PFMERGE e1 a`, `TTL e1`,
		`PFCOUNT e1`, `TTL e1`,
	}},
	{name: "hll-selftest", cmds: []string{`PFSELFTEST`}},
}

// TestInteropDifferentialHLLEdgeCases runs the HyperLogLog sequences against
// redis-server and the target, each in RESP2 and RESP3.
func TestInteropDifferentialHLLEdgeCases(t *testing.T) {
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	n := runSequences(t, oracle, target, hllSequences)
	t.Logf("compared %d replies from %d HyperLogLog sequences (each in RESP2 and RESP3) against %s", n, len(hllSequences), diffTarget())
}

// hllElement returns an element from a large pool, so that keys overlap
// and grow past the sparse representation.
func (g *gen) hllElement() string {
	switch g.intn(6) {
	case 0:
		return strconv.Itoa(g.intn(100000))
	case 1:
		return g.pick("", "\x00", "a", "\xff\xfe", strings.Repeat("q", 30))
	default:
		return "el:" + strconv.Itoa(g.intn(20000))
	}
}

// hllCorruption returns a crafted HyperLogLog string, valid or not.
func (g *gen) hllCorruption() string {
	all := []string{hllEmptySparse, hllTwoXZero, hllShortRuns, hllLongRuns, hllValOverflow, hllValAtEnd,
		hllHalfXZero, hllNoRuns, hllValsOnly, hllDenseZero, hllDenseShort, hllBadMagic, hllBadEncoding, hllValidCache}
	if g.chance(0.5) {
		// A random run of opcodes after a sparse header.
		b := []byte(hllHeader(1))
		for n := 1 + g.intn(12); n > 0; n-- {
			b = append(b, byte(g.intn(256)))
		}
		return string(b)
	}
	return all[g.intn(len(all))]
}

func hllGenSetup(g *gen) {
	g.keys = []string{"h0", "h1", "h2", "h3", "h4", "{t}h", "s"}
}

var hllRandomCommands = []weighted{
	{150, func(g *gen, o *op) []string {
		a := []string{"PFADD", g.key()}
		n := g.intn(6)
		if g.chance(0.15) {
			n = 50 + g.intn(400)
		}
		for ; n > 0; n-- {
			a = append(a, g.hllElement())
		}
		return a
	}},
	{70, func(g *gen, o *op) []string { return append([]string{"PFCOUNT"}, g.keysN(1, 3)...) }},
	{25, func(g *gen, o *op) []string { return append([]string{"PFMERGE", g.key()}, g.keysN(0, 3)...) }},
	{40, func(g *gen, o *op) []string { return []string{"GET", g.key()} }},
	{10, func(g *gen, o *op) []string { return []string{"STRLEN", g.key()} }},
	{10, func(g *gen, o *op) []string { return []string{"OBJECT", "ENCODING", g.key()} }},
	{15, func(g *gen, o *op) []string {
		return []string{"PFDEBUG", g.pick("encoding", "decode", "todense", "ENCODING", "nosuch"), g.key()}
	}},
	{1, func(g *gen, o *op) []string { return []string{"PFDEBUG", "getreg", g.key()} }},
	{10, func(g *gen, o *op) []string { return []string{"SET", g.key(), g.hllCorruption()} }},
	{8, func(g *gen, o *op) []string {
		return []string{"SETRANGE", g.key(), strconv.Itoa(g.intn(40)), string([]byte{byte(g.intn(256))})}
	}},
	{4, func(g *gen, o *op) []string { return []string{"APPEND", g.key(), g.pick("\x00", "x", "\x80")} }},
	{5, func(g *gen, o *op) []string { return []string{"SET", g.key(), g.value()} }},
	{4, func(g *gen, o *op) []string { return []string{"SADD", g.key(), "m"} }},
	{10, func(g *gen, o *op) []string { return []string{"DEL", g.key()} }},
	{6, func(g *gen, o *op) []string { return []string{g.pick("COPY", "RENAME"), g.key(), g.key()} }},
	{6, func(g *gen, o *op) []string {
		o.restore = true
		o.dumpKey = g.key()
		return []string{"RESTORE", g.key(), "0", "REPLACE"}
	}},
	{4, func(g *gen, o *op) []string { return []string{"DEBUG", "DIGEST-VALUE", g.key()} }},
	{3, func(g *gen, o *op) []string {
		return []string{"CONFIG", "SET", "hll-sparse-max-bytes", g.pick("0", "50", "300", "3000", "3000", "12000")}
	}},
	{4, func(g *gen, o *op) []string { return []string{"TYPE", g.key()} }},
}

// TestInteropDifferentialHLL runs SHARDIS_DIFF_N (default 6,000; 600 under
// -short) generated HyperLogLog commands against redis-server and the
// target. Replay a failure with SHARDIS_SEED=<the seed it printed>.
func TestInteropDifferentialHLL(t *testing.T) {
	randomDifferential(t, "hll seed ", 6000, func(p *pair, target string, seed int64, n int) {
		runTypeRandom(p, seed, n, hllRandomCommands, hllGenSetup)
	})
}

// hllMaxError is four standard errors of a 16384-register HyperLogLog
// (1.04/sqrt(16384) = 0.81%).
const hllMaxError = 4 * 0.0081

// TestInteropHLLEstimates feeds both servers the same random elements in
// batches, up to 200,000 distinct ones per key (20,000 under -short), and
// requires PFCOUNT of one key and of unions, PFMERGE and the value's bytes
// to be identical after every batch; and the estimates, from 100,000
// elements on, to stay within four standard errors of the truth.
func TestInteropHLLEstimates(t *testing.T) {
	seed := randomSeed(t)
	total := 200000
	if testing.Short() {
		total = 20000
	}
	t.Logf("seed %d (replay: SHARDIS_SEED=%d)", seed, seed)
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	p := newPair(t, "hll estimates seed "+strconv.FormatInt(seed, 10), oracle, target)
	rnd := rand.New(rand.NewSource(seed))
	p.do("FLUSHALL")
	keys := []string{"k0", "k1", "k2"}
	added := map[string]int{}
	var worst float64
	batch := 1000
	for n := 0; n < total; n += batch {
		for ki, k := range keys {
			// k0 gets every element, k1 every other batch, k2 random
			// binary elements that overlap nothing.
			if ki == 1 && (n/batch)%2 == 1 {
				continue
			}
			a := []string{"PFADD", k}
			for i := 0; i < batch; i++ {
				if ki == 2 {
					var b [12]byte
					binary.LittleEndian.PutUint64(b[:], rnd.Uint64())
					binary.LittleEndian.PutUint32(b[8:], uint32(n+i))
					a = append(a, string(b[:]))
				} else {
					a = append(a, "e"+strconv.Itoa(n+i)+":"+strconv.FormatInt(seed, 36))
				}
			}
			p.do(a...)
			added[k] += batch
			o, _ := p.do("PFCOUNT", k)
			if est, ok := o.r.integer(); ok && added[k] >= 10000 {
				err := math.Abs(float64(est)-float64(added[k])) / float64(added[k])
				worst = math.Max(worst, err)
				if added[k] >= 100000 && err > hllMaxError {
					t.Errorf("PFCOUNT %s = %d after %d distinct elements: error %.2f%% > %.2f%%", k, est, added[k], 100*err, 100*hllMaxError)
				}
			}
		}
		p.do("PFCOUNT", "k0", "k1")
		p.do("PFCOUNT", "k0", "k1", "k2")
		if (n/batch)%10 == 0 {
			p.do("PFMERGE", "m", "k1", "k2")
			p.do("PFCOUNT", "m")
			p.do("GET", "m")
			p.do("GET", "k0")
			p.do("PFDEBUG", "encoding", "k2")
		}
	}
	p.sync()
	t.Logf("seed %d: %d replies compared, %d mismatches; largest relative error from 10,000 elements on: %.3f%%",
		seed, p.compared, p.mismatches, 100*worst)
}
