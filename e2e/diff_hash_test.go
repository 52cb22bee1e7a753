package e2e

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The differential harness for hashes: hand-written sequences, a randomized
// run over the hash commands (with the key commands that move, copy, expire
// and restore hashes), and the comparison rules for the replies whose order
// or content redis-server leaves to its hash table or to chance.
//
// Small hashes are listpacks in both servers, kept in insertion order, so
// HKEYS, HVALS, HGETALL and HSCAN of a listpack are compared byte for byte.
// Only a hashtable-encoded hash (or a listpack RESTOREd from a hashtable's
// payload, whose order is the source table's) is compared as a multiset;
// the rules ask OBJECT ENCODING, on both servers, before relaxing.

// Sections of DIFFERENCES.md that the hash rules name.
const (
	diffHashOrder  = "Field order of hashtable-encoded hashes (HKEYS, HVALS, HGETALL, HSCAN)"
	diffHashScan   = "HSCAN cursors and batches of hashtable-encoded hashes"
	diffHashRandom = "HRANDFIELD"
)

func init() {
	addTypeRules(func(args []string) (cmpRule, bool) {
		switch strings.ToUpper(args[0]) {
		case "HKEYS", "HVALS", "HGETALL":
			return cmpRule{name: diffHashOrder, meta: hashOrderMeta}, true
		case "HSCAN":
			return cmpRule{name: diffHashScan, meta: hscanMeta}, true
		case "HRANDFIELD":
			return cmpRule{name: diffHashRandom, meta: hrandfieldMeta}, true
		}
		return cmpRule{}, false
	})
}

// --- Keys whose listpack order is the source table's ------------------------

// hashOrderFree holds, per pair, the keys (db "\x00" key) that may hold a
// listpack filled from a hashtable's payload (RESTORE), whose order is that
// table's: on those, a listpack too is compared as a multiset. The set only
// grows, except that DEL and FLUSHALL clear it: it may relax a comparison
// that could have been exact, never the other way.
var hashOrderFree = struct {
	sync.Mutex
	m map[*pair]map[string]bool
}{m: map[*pair]map[string]bool{}}

func orderFreeKey(p *pair, key string) string { return strconv.Itoa(p.db) + "\x00" + key }

func isOrderFree(p *pair, key string) bool {
	hashOrderFree.Lock()
	defer hashOrderFree.Unlock()
	return hashOrderFree.m[p][orderFreeKey(p, key)]
}

func setOrderFree(p *pair, key string, free bool) {
	hashOrderFree.Lock()
	defer hashOrderFree.Unlock()
	m := hashOrderFree.m[p]
	if m == nil {
		m = map[string]bool{}
		hashOrderFree.m[p] = m
	}
	if free {
		m[orderFreeKey(p, key)] = true
	} else {
		delete(m, orderFreeKey(p, key))
	}
}

func forgetOrderFree(p *pair) {
	hashOrderFree.Lock()
	defer hashOrderFree.Unlock()
	delete(hashOrderFree.m, p)
}

// hashTrack follows the commands of the randomized run that carry a
// hash's order to another key or end it.
func hashTrack(p *pair, args []string) {
	switch strings.ToUpper(args[0]) {
	case "DEL", "UNLINK":
		for _, k := range args[1:] {
			setOrderFree(p, k, false)
		}
	case "RENAME", "RENAMENX", "COPY":
		if len(args) >= 3 && isOrderFree(p, args[1]) {
			setOrderFree(p, args[2], true)
		}
	case "FLUSHALL", "FLUSHDB":
		forgetOrderFree(p)
	}
}

// hashEncoding asks both servers for key's encoding (compared exactly, as
// any command) and returns redis-server's answer.
func hashEncoding(p *pair, key string) string {
	p.t.Helper()
	o, _ := p.do("OBJECT", "ENCODING", key)
	return o.r.str
}

// --- HKEYS, HVALS, HGETALL ------------------------------------------------------

// hashOrderMeta compares HKEYS, HVALS and HGETALL byte for byte, unless the
// hash is hashtable-encoded (or order-free): then as a multiset of fields,
// values or field/value pairs.
func hashOrderMeta(p *pair, args []string) (o, g result) {
	p.t.Helper()
	replying := p.replies == replyOn
	o, g = p.exchange(args)
	if !replying {
		return o, g
	}
	if string(o.raw) == string(g.raw) || o.r.isError() || g.r.isError() || len(args) != 2 {
		p.check(args, exactRule, o, g)
		return o, g
	}
	pairs := strings.EqualFold(args[0], "HGETALL")
	rule := cmpRule{name: diffHashOrder, equal: func(o, g reply, _, _ []byte) string {
		return multisetDiff(o, g, pairs)
	}}
	if !p.check(args, rule, o, g) {
		return o, g
	}
	if enc := hashEncoding(p, args[1]); enc != "hashtable" && !isOrderFree(p, args[1]) {
		p.report(mismatch{index: p.index, args: args, rule: diffHashOrder,
			detail: "same elements in another order, but redis-server's hash is a " + enc + ", whose order is its insertion order",
			oracle: o.raw, target: g.raw})
	}
	return o, g
}

// multisetDiff compares two aggregates of the same type and length as
// multisets of elements (pairs: of consecutive field/value pairs).
func multisetDiff(o, g reply, pairs bool) string {
	if decided, d := errorsOrNullsDiffer(o, g); decided {
		return d
	}
	if o.kind != g.kind || !o.isAggregate() || len(o.elems) != len(g.elems) {
		return "reply type or length differs"
	}
	a, b := groupWires(o.elems, pairs), groupWires(g.elems, pairs)
	sort.Strings(a)
	sort.Strings(b)
	if strings.Join(a, "") != strings.Join(b, "") {
		return "different elements (compared as a multiset)"
	}
	return ""
}

// groupWires encodes each element, or each pair of elements.
func groupWires(es []reply, pairs bool) []string {
	step := 1
	if pairs {
		step = 2
	}
	var s []string
	for i := 0; i+step <= len(es); i += step {
		w := es[i].wire()
		if pairs {
			w += es[i+1].wire()
		}
		s = append(s, w)
	}
	return s
}

// --- HSCAN --------------------------------------------------------------------

// hscanMeta compares HSCAN: byte for byte for a listpack (returned whole,
// cursor 0, in both servers); for a hashtable, the shape of the first
// reply, then the field/value pairs each server returns over a full
// iteration (see diffHashScan).
func hscanMeta(p *pair, args []string) (o, g result) {
	p.t.Helper()
	replying := p.replies == replyOn
	o, g = p.exchange(args)
	if !replying {
		return o, g
	}
	if string(o.raw) == string(g.raw) && (o.r.isError() || hscanCursor(o.r) == "0") {
		p.check(args, exactRule, o, g)
		return o, g
	}
	rule := cmpRule{name: diffHashScan, equal: pairScanShapeEqual}
	if !p.check(args, rule, o, g) || o.r.isError() {
		return o, g
	}
	if enc := hashEncoding(p, args[1]); enc != "hashtable" && !isOrderFree(p, args[1]) {
		p.report(mismatch{index: p.index, args: args, rule: diffHashScan,
			detail: "redis-server's hash is a " + enc + ", returned whole in one exact reply",
			oracle: o.raw, target: g.raw})
		return o, g
	}
	if args[2] != "0" {
		return o, g // a made-up cursor means nothing beyond the shape
	}
	var all [2]map[string]string
	for i, s := range []struct {
		sd  *side
		res result
	}{{p.oracle, o}, {p.target, g}} {
		m, err := pairScanToEnd(s.sd, args, s.res.r)
		if err != nil {
			p.t.Fatalf("[%s] #%d %s: %v", p.label, p.index, quoteArgs(args), err)
		}
		all[i] = m
	}
	if a, b := fmt.Sprint(all[0]), fmt.Sprint(all[1]); a != b {
		p.report(mismatch{index: p.index, args: args, rule: diffHashScan,
			detail: "different field/value pairs over a full iteration",
			oracle: []byte(a), target: []byte(b)})
	}
	return o, g
}

func hscanCursor(r reply) string {
	if r.kind != '*' || len(r.elems) != 2 {
		return ""
	}
	return r.elems[0].str
}

// --- HRANDFIELD -----------------------------------------------------------------

// hrandfieldMeta checks HRANDFIELD by property (see diffHashRandom): the
// same reply structure on both sides (types and lengths, so the same
// number of fields and the same RESP3 nesting), and on each side fields of
// that side's hash, with their values, distinct for a positive count, the
// whole hash when the count covers it. Each side's hash is read back with
// HGETALL, and the two must hold the same pairs.
func hrandfieldMeta(p *pair, args []string) (o, g result) {
	p.t.Helper()
	replying := p.replies == replyOn
	o, g = p.exchange(args)
	if !replying {
		return o, g
	}
	rule := cmpRule{name: diffHashRandom, equal: func(o, g reply, _, _ []byte) string {
		if decided, d := errorsOrNullsDiffer(o, g); decided {
			return d
		}
		return skeletonDiff(o, g)
	}}
	if !p.check(args, rule, o, g) || o.r.isError() || o.r.null {
		return o, g
	}
	var hashes [2]map[string]string
	for i, s := range []struct {
		sd  *side
		res result
	}{{p.oracle, o}, {p.target, g}} {
		_, all, err := s.sd.roundTrip("HGETALL", args[1])
		if err != nil {
			p.t.Fatalf("[%s] #%d: %v", p.label, p.index, err)
		}
		h := map[string]string{}
		for j := 0; j+1 < len(all.elems); j += 2 {
			h[all.elems[j].str] = all.elems[j+1].str
		}
		hashes[i] = h
		if d := hrandfieldProperties(args, s.res.r, h); d != "" {
			p.report(mismatch{index: p.index, args: args, rule: diffHashRandom,
				detail: s.sd.name + ": " + d, oracle: o.raw, target: g.raw})
		}
	}
	if a, b := fmt.Sprint(hashes[0]), fmt.Sprint(hashes[1]); a != b {
		p.report(mismatch{index: p.index, args: args, rule: diffHashRandom,
			detail: "the hashes differ (HGETALL after HRANDFIELD)", oracle: []byte(a), target: []byte(b)})
	}
	return o, g
}

// hrandfieldProperties checks one server's HRANDFIELD reply against its
// hash h; "" when it holds.
func hrandfieldProperties(args []string, r reply, h map[string]string) string {
	if len(args) == 2 {
		if _, ok := h[r.str]; !ok {
			return fmt.Sprintf("%q is not a field", r.str)
		}
		return ""
	}
	count, _ := strconv.ParseInt(args[2], 10, 64)
	withValues := len(args) == 4
	var fields []string
	for i := 0; i < len(r.elems); i++ {
		e := r.elems[i]
		f, v := e.str, ""
		switch {
		case withValues && e.kind == '*':
			if len(e.elems) != 2 {
				return fmt.Sprintf("pair %v", e)
			}
			f, v = e.elems[0].str, e.elems[1].str
		case withValues:
			if i+1 >= len(r.elems) {
				return "a field without its value"
			}
			i++
			v = r.elems[i].str
		}
		want, ok := h[f]
		if !ok {
			return fmt.Sprintf("%q is not a field", f)
		}
		if withValues && v != want {
			return fmt.Sprintf("field %q comes with %q, its value is %q", f, v, want)
		}
		fields = append(fields, f)
	}
	switch {
	case len(h) == 0 && len(fields) > 0:
		return "fields from an empty hash"
	case len(h) == 0:
	case count < 0 && int64(len(fields)) != -count:
		return fmt.Sprintf("%d fields for count %d", len(fields), count)
	case count > 0:
		distinct := map[string]bool{}
		for _, f := range fields {
			distinct[f] = true
		}
		if len(distinct) != len(fields) {
			return fmt.Sprintf("repeated fields for a positive count: %q", fields)
		}
		if want := min(count, int64(len(h))); int64(len(fields)) != want {
			return fmt.Sprintf("%d fields for count %d of a hash of %d", len(fields), count, len(h))
		}
	}
	return ""
}

// skeletonDiff compares two replies' types, nulls and lengths at every
// level, not their strings.
func skeletonDiff(o, g reply) string {
	if o.kind != g.kind || o.null != g.null || len(o.elems) != len(g.elems) {
		return fmt.Sprintf("structure differs: %q/%d vs %q/%d", o.kind, len(o.elems), g.kind, len(g.elems))
	}
	for i := range o.elems {
		if d := skeletonDiff(o.elems[i], g.elems[i]); d != "" {
			return fmt.Sprintf("element %d: %s", i, d)
		}
	}
	return ""
}

// --- Hand-written sequences ---------------------------------------------------------

// hashFill is an HSET line of n fields "<prefix><i>" with values "v<i>".
func hashFill(key, prefix string, n int) string {
	var b strings.Builder
	b.WriteString("HSET " + key)
	for i := range n {
		fmt.Fprintf(&b, " %s%d v%d", prefix, i, i)
	}
	return b.String()
}

var hashLong = strings.Repeat("x", 65)

var hashRequires = [][]string{{"HSET", "probe:hash", "f", "v"}}

func hashSequences() []sequence {
	seqs := []sequence{
		{name: "hash-set-get", cmds: []string{
			`HSET h a 1`, `HSET h a 2 b 3 c 4`, `HGET h a`, `HGET h nosuch`, `HGET nokey a`,
			`HSET h`, `HSET h a`, `HSET h a 1 b`, `HMSET h a 1 b`, `HMSET h d 5 e 6`, `HMSET`, `HGETALL h`,
			`HSETNX h a 9`, `HSETNX h f 7`, `HSETNX h2 x y`, `HSETNX h`, `HSETNX h a`, `HSETNX h a b c`,
			`HMGET h a b nosuch f`, `HMGET nokey a b`, `HMGET h`, `HEXISTS h a`, `HEXISTS h nosuch`,
			`HEXISTS nokey a`, `HEXISTS h`, `HLEN h`, `HLEN nokey`, `HLEN h extra`,
			`HSTRLEN h a`, `HSTRLEN h nosuch`, `HSTRLEN nokey a`, `HSTRLEN h`,
			`HSET h big 123456789012345678901234567890 neg -42 empty ""`, `HSTRLEN h big`, `HSTRLEN h neg`,
			`HSTRLEN h empty`, `HGET h empty`, `HSET "" "" ""`, `HGET "" ""`, `HGETALL ""`,
			`HSET bin "\x00\xff\r\n" "v\x00al"`, `HGETALL bin`, `HGET bin "\x00\xff\r\n"`,
			`hset h A upper`, `HGET h A`, `HGET h a`, `HKEYS h`, `HVALS h`, `TYPE h`,
			`SET s str`, `HSET s a 1`, `HMSET s a 1`, `HSETNX s a 1`, `HGET s a`, `HMGET s a`, `HEXISTS s a`,
			`HLEN s`, `HSTRLEN s a`, `HKEYS s`, `HVALS s`, `HGETALL s`, `GET h`, `DEBUG DIGEST-VALUE h h2 bin nokey`,
		}},
		{name: "hash-del", cmds: []string{
			`HSET h a 1 b 2 c 3 d 4`, `HDEL h a`, `HDEL h a`, `HDEL h b b nosuch`, `HGETALL h`,
			`HDEL h c d e`, `EXISTS h`, `TYPE h`, `HDEL h a`, `HDEL nokey a`, `HDEL h`,
			`HSET h x 1`, `HDEL h x x`, `EXISTS h`, `HSET h x 1 y 2 z 3`, `HDEL h y`, `HSET h y 5`,
			`HGETALL h`, `HKEYS h`, `HVALS h`, `SET s v`, `HDEL s a`, `HDEL s`,
			`HSET e a 1`, `EXPIRE e 1000`, `HDEL e a`, `TTL e`, `HSET e a 1`, `TTL e`,
		}},
		{name: "hash-getall", cmds: []string{
			`HSET h z 1 a 2 m 3`, `HKEYS h`, `HVALS h`, `HGETALL h`, `HSET h a 20 b 30`, `HGETALL h`,
			`HDEL h z`, `HSET h z 9`, `HGETALL h`,
			`HKEYS nokey`, `HVALS nokey`, `HGETALL nokey`, `HKEYS h x`, `HGETALL`,
			`HSET n 1 one 2 two -3 minus 9223372036854775807 max 01 lead 1.5 f`, `HGETALL n`, `HVALS n`,
		}},
		{name: "hash-incr", cmds: []string{
			`HINCRBY h a 1`, `HINCRBY h a 10`, `HINCRBY h a -100`, `HINCRBY h a x`, `HINCRBY h a 1.5`,
			`HINCRBY h a " 1"`, `HINCRBY h a 9223372036854775808`, `HINCRBY nokey a x`, `EXISTS nokey`,
			`HSET h s abc n 9223372036854775807 m -9223372036854775808 sp " 5" p +5 z 05`,
			`HINCRBY h s 1`, `HINCRBY h n 1`, `HINCRBY h n 0`, `HINCRBY h n -1`, `HINCRBY h m -1`, `HINCRBY h m 1`,
			`HINCRBY h sp 1`, `HINCRBY h p 1`, `HINCRBY h z 1`, `HINCRBY h new -9223372036854775808`, `HINCRBY h new -1`,
			`HINCRBYFLOAT f a 1.5`, `HINCRBYFLOAT f a 0.1`, `HINCRBYFLOAT f a -1.6`, `HINCRBYFLOAT f b 10.5`,
			`HINCRBYFLOAT f b 0.1`, `HINCRBYFLOAT f c 0.3`, `HINCRBYFLOAT f c 1e17`, `HINCRBYFLOAT f d 3.0e3`,
			`HINCRBYFLOAT f d 1e-5`, `HINCRBYFLOAT f e 5.0e3`, `HINCRBYFLOAT f e 2.0e2`, `HINCRBYFLOAT f g 0x10`,
			`HINCRBYFLOAT f g 0x1p-2`, `HINCRBYFLOAT f h 1e308`, `HINCRBYFLOAT f h 1e308`,
			`HINCRBYFLOAT f i 17976931348623157e292`, `HINCRBYFLOAT f j -0`, `HINCRBYFLOAT f k 1e-4950`,
			`HINCRBYFLOAT f a abc`, `HINCRBYFLOAT f a ""`, `HINCRBYFLOAT f a inf`, `HINCRBYFLOAT f a -infinity`,
			`HINCRBYFLOAT f a nan`, `HINCRBYFLOAT f a " 1"`, `HINCRBYFLOAT f a "1 "`, `HINCRBYFLOAT f a 1e99999`,
			`HINCRBYFLOAT nokey2 a x`, `EXISTS nokey2`,
			`HSET f s abc inf inf sp " 2" int 12345678901234567890`, `HINCRBYFLOAT f s 1`, `HINCRBYFLOAT f inf 1`,
			`HINCRBYFLOAT f sp 1`, `HINCRBYFLOAT f int 1`, `HINCRBYFLOAT f n1 5`, `HINCRBY f n1 1`,
			`HINCRBYFLOAT f n2 5.5`, `HINCRBY f n2 1`, `HGETALL f`, `OBJECT ENCODING f`,
			`HINCRBYFLOAT f l 1e400`, `OBJECT ENCODING f`, `HGET f l`, `HLEN f`,
			`HINCRBY h`, `HINCRBY h a`, `HINCRBYFLOAT h a`, `HINCRBY h a 1 2`,
			`SET w v`, `HINCRBY w a 1`, `HINCRBY w a x`, `HINCRBYFLOAT w a 1`, `HINCRBYFLOAT w a x`, `HINCRBYFLOAT w a inf`,
		}},
		{name: "hash-encoding", cmds: []string{
			`HSET h a 1`, `OBJECT ENCODING h`, `HSET h b ` + strings.Repeat("y", 64), `OBJECT ENCODING h`,
			`HSET h c ` + hashLong, `OBJECT ENCODING h`, `HDEL h c`, `OBJECT ENCODING h`, `HLEN h`,
			`HSET k ` + hashLong + ` 1`, `OBJECT ENCODING k`,
			`HSET s a 1`, `HSETNX s a ` + hashLong, `OBJECT ENCODING s`, `HSETNX s b ` + hashLong, `OBJECT ENCODING s`,
			`HINCRBY i ` + hashLong + ` 1`, `OBJECT ENCODING i`, `HSET f a 1`, `HINCRBYFLOAT f a 1e100`, `OBJECT ENCODING f`,
			`HSET e a 1`, `CONFIG SET hash-max-listpack-entries 2`, `HSET e b 2`, `OBJECT ENCODING e`,
			`HSET e c 3`, `OBJECT ENCODING e`, `HDEL e c b`, `OBJECT ENCODING e`,
			`HSET u a 1 b 2`, `HSETNX u a 2`, `OBJECT ENCODING u`, `CONFIG SET hash-max-listpack-entries 1`,
			`HSETNX u a 2`, `OBJECT ENCODING u`, `HEXISTS u b`, `OBJECT ENCODING u`, `HINCRBY u a 1`, `OBJECT ENCODING u`,
			`HSET v a 1`, `OBJECT ENCODING v`, `HSET v a 2`, `OBJECT ENCODING v`,
			`CONFIG SET hash-max-listpack-entries 0`, `HSET z a b`, `OBJECT ENCODING z`,
			`CONFIG SET hash-max-listpack-entries 512`, `CONFIG SET hash-max-listpack-value 0`, `HSET y a b`,
			`OBJECT ENCODING y`, `HSET x "" ""`, `OBJECT ENCODING x`, `CONFIG SET hash-max-listpack-value 64`,
			`CONFIG SET hash-max-ziplist-entries 3`, `CONFIG GET hash-max-listpack-entries`, `HSET zl a 1 b 2 c 3 d 4`,
			`OBJECT ENCODING zl`, `CONFIG SET hash-max-listpack-entries 512`,
			hashFill("big", "f", 513), `OBJECT ENCODING big`, `HLEN big`, `HDEL big f0 f1 f2`, `OBJECT ENCODING big`,
			hashFill("edge", "f", 512), `OBJECT ENCODING edge`, `HSET edge f0 new`, `OBJECT ENCODING edge`,
			`HSET edge one more`, `OBJECT ENCODING edge`,
			`COPY h hcopy`, `OBJECT ENCODING hcopy`, `COPY x xcopy`, `OBJECT ENCODING xcopy`, `HGETALL xcopy`,
			`COPY big bigcopy`, `OBJECT ENCODING bigcopy`, `HLEN bigcopy`, `HSET bigcopy f5 changed`, `HGET big f5`,
			`DEBUG DIGEST-VALUE h k s i f e u v z y x big edge hcopy bigcopy`, `DEBUG DIGEST`,
			`@dumprestore x xr 0`, `OBJECT ENCODING xr`, `HGETALL xr`,
			`@dumprestore big bigr 0`, `OBJECT ENCODING bigr`, `HLEN bigr`, `DEBUG DIGEST-VALUE big bigr`,
			`@dumprestore e er 0`, `OBJECT ENCODING er`, `HGETALL er`,
			`CONFIG SET hash-max-listpack-entries 2`, `HSET three a 1 b 2`, `CONFIG SET hash-max-listpack-entries 1`,
			`@dumprestore three threer 0`, `OBJECT ENCODING threer`, `OBJECT ENCODING three`,
			`CONFIG SET hash-max-listpack-entries 512`, `CONFIG SET hash-max-listpack-value 0`,
			`@dumprestore x xr2 0`, `OBJECT ENCODING xr2`, `@dumprestore h hr 0`, `OBJECT ENCODING hr`,
			`CONFIG SET hash-max-listpack-value 64`, `@dumprestore h hr 0 REPLACE`, `OBJECT ENCODING hr`,
			`CONFIG SET hash-max-listpack-entries 1000`, `CONFIG SET hash-max-listpack-value 2`,
			`@dumprestore big bigv 0`, `OBJECT ENCODING bigv`, `@dumprestore h hv 0`, `OBJECT ENCODING hv`,
			`CONFIG SET hash-max-listpack-value 64`, `@dumprestore big bigl 0`, `OBJECT ENCODING bigl`,
			`HLEN bigl`, `HGET bigl f7`, `HSET bigl f7 new`, `HGET bigl f7`, `OBJECT ENCODING bigl`,
			`CONFIG SET hash-max-listpack-entries 512`, `HSET bigl f8 new`, `OBJECT ENCODING bigl`,
			`MEMORY USAGE h`, `MEMORY USAGE big`, `DEBUG OBJECT h`, `TYPE big`,
		}, requires: hashRequires},
		{name: "hash-randfield", cmds: []string{
			`HRANDFIELD nokey`, `HRANDFIELD nokey 5`, `HRANDFIELD nokey -5 WITHVALUES`, `HRANDFIELD nokey 0`,
			`HRANDFIELD nokey x`, `HSET h a 1 b 2 c 3`, `HRANDFIELD h`, `HRANDFIELD h 0`, `HRANDFIELD h 0 WITHVALUES`,
			`HRANDFIELD h 1`, `HRANDFIELD h 2`, `HRANDFIELD h 2 WITHVALUES`, `HRANDFIELD h 3`, `HRANDFIELD h 3 WITHVALUES`,
			`HRANDFIELD h 100 WITHVALUES`, `HRANDFIELD h -1`, `HRANDFIELD h -5`, `HRANDFIELD h -5 WITHVALUES`,
			`HRANDFIELD h 9223372036854775807`, `HRANDFIELD h -9223372036854775808`,
			`HRANDFIELD h -9223372036854775807 WITHVALUES`, `HRANDFIELD h 9223372036854775807 WITHVALUES`,
			`HRANDFIELD h 4611686018427387904 WITHVALUES`, `HRANDFIELD h -4611686018427387904 WITHVALUES`,
			`HRANDFIELD h 4611686018427387903 withvalues`,
			`HRANDFIELD h 1 WITHVALUE`, `HRANDFIELD h 1 WITHVALUES x`,
			`HRANDFIELD h x`, `HRANDFIELD h 1.5`, `HRANDFIELD h "" WITHVALUES`, `HRANDFIELD h x WITHVALUE`,
			`HSET one f v`, `HRANDFIELD one`, `HRANDFIELD one 1`, `HRANDFIELD one -3`, `HRANDFIELD one -3 WITHVALUES`,
			`HRANDFIELD one 1 WITHVALUES`, `HRANDFIELD one -1 withvalues`, `HRANDFIELD`,
			hashFill("big", "f", 600), `HRANDFIELD big`, `HRANDFIELD big 1`, `HRANDFIELD big 5 WITHVALUES`,
			`HRANDFIELD big 150`, `HRANDFIELD big 250 WITHVALUES`, `HRANDFIELD big 599`, `HRANDFIELD big 600`,
			`HRANDFIELD big 1000 WITHVALUES`, `HRANDFIELD big -700 WITHVALUES`, `HRANDFIELD big -3`,
			hashFill("mid", "f", 100), `HRANDFIELD mid 10`, `HRANDFIELD mid 40 WITHVALUES`, `HRANDFIELD mid 99`,
			`HRANDFIELD mid -200`,
			`SET w v`, `HRANDFIELD w`, `HRANDFIELD w 1`, `HRANDFIELD w x`, `HRANDFIELD w 1 WITHVALUES junk`,
		}},
		{name: "hash-scan", cmds: []string{
			`HSCAN nokey 0`, `HSCAN nokey 0 COUNT 0`, `HSCAN nokey x`, `HSCAN nokey 0 MATCH`,
			`HSET h a 1 b 2 c 3 ab 4`, `HSCAN h 0`, `HSCAN h 0 COUNT 1`, `HSCAN h 0 MATCH a*`,
			`HSCAN h 0 MATCH *b COUNT 100`, `HSCAN h 0 match "[a-b]" count 2`, `HSCAN h 0 MATCH nomatch`,
			`HSCAN h 5`, `HSCAN h -1`, `HSCAN h 18446744073709551615`, `HSCAN h 18446744073709551616`,
			`HSCAN h abc`, `HSCAN h " 1"`, `HSCAN h +1`, `HSCAN h ""`, `HSCAN h 0 COUNT 0`, `HSCAN h 0 COUNT -1`,
			`HSCAN h 0 COUNT x`, `HSCAN h 0 COUNT`, `HSCAN h 0 MATCH`, `HSCAN h 0 TYPE string`, `HSCAN h 0 FOO bar`,
			`HSCAN h`, `HSET n 10 x 20 y`, `HSCAN n 0 MATCH 1*`, `HSCAN n 0 MATCH "\x00"`,
			hashFill("big", "f", 700), `HSCAN big 0`, `HSCAN big 0 COUNT 1`, `HSCAN big 0 COUNT 1000`,
			`HSCAN big 0 MATCH f1*`, `HSCAN big 0 MATCH f1* COUNT 3`, `HSCAN big 0 MATCH nomatch`,
			`HSCAN big 0 COUNT 0`, `HSET small3 a 1 b ` + hashLong, `HSCAN small3 0`, `HSCAN small3 0 COUNT 100`,
			`SET w v`, `HSCAN w 0`, `HSCAN w x`, `HSCAN w 0 COUNT 0`,
		}},
		{name: "hash-keys-expiry", cmds: []string{
			`HSET h a 1 b 2`, `PEXPIRE h 5`, `@wait 20`, `HGET h a`, `EXISTS h`,
			`HSET h a 1`, `PEXPIRE h 5`, `@wait 20`, `HSET h b 2`, `HGETALL h`, `TTL h`,
			`HSET t a 1`, `EXPIRE t 1000`, `HSET t b 2`, `HINCRBY t c 1`, `HDEL t a`, `TTL t`, `PERSIST t`, `TTL t`,
			`HSET p a 1`, `PEXPIRE p 5`, `@wait 20`, `HLEN p`, `HSET p a 1`, `PEXPIRE p 5`, `@wait 20`, `HRANDFIELD p`,
			`HSET q a 1`, `PEXPIRE q 5`, `@wait 20`, `HSCAN q 0`, `HSET r a 1`, `PEXPIRE r 5`, `@wait 20`, `HDEL r a`,
			`HSET s a 1`, `PEXPIRE s 5`, `@wait 20`, `HINCRBYFLOAT s a 1.5`, `HGETALL s`, `TTL s`,
			`HSET m a 1 b 2`, `RENAME m m2`, `HGETALL m2`, `EXISTS m`, `HSET m3 x 1`, `RENAMENX m2 m3`,
			`MOVE m2 1`, `SELECT 1`, `HGETALL m2`, `SELECT 0`, `TYPE m2`,
			`SCAN 0 TYPE hash`, `KEYS *`, `DBSIZE`, `DEL m3 t`, `DBSIZE`,
		}},
	}
	for i := range seqs {
		seqs[i].requires = hashRequires
	}
	return seqs
}

// TestInteropDifferentialHashEdgeCases runs the hash sequences against
// redis-server and the target, in RESP2 and RESP3.
func TestInteropDifferentialHashEdgeCases(t *testing.T) {
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	n := runSequences(t, oracle, target, hashSequences())
	t.Logf("compared %d replies from %d hash sequences (each in RESP2 and RESP3) against %s",
		n, len(hashSequences()), diffTarget())
}

// --- The randomized run -----------------------------------------------------------

// hashKeys are the keys of the randomized hash run: few, so that commands
// meet on them.
var hashKeys = []string{"h0", "h1", "h2", "h3", "h4", "", "b\x00\xff"}

// hashField returns a hash field: mostly from a small set, sometimes empty,
// binary, numeric, or too long for a listpack.
func (g *gen) hashField() string {
	switch r := g.intn(40); {
	case r == 0:
		return ""
	case r == 1:
		return "\x00\xff\r\n"
	case r == 2:
		return g.pick("1", "-1", "01", "f1")
	case r == 3 && g.chance(0.3):
		return strings.Repeat("L", 60+g.intn(10)) // 65 and over: not a listpack field
	}
	return "f" + strconv.Itoa(g.intn(16))
}

// hashVal returns a field's value: short values mostly, numbers for the
// increments, and now and then one too long for a listpack.
func (g *gen) hashVal() string {
	switch g.intn(20) {
	case 0:
		return strings.Repeat("v", 60+g.intn(10))
	case 1, 2, 3, 4:
		return g.pick(numericValues...)
	case 5:
		return ""
	}
	return g.pick("a", "b", "v", "abc", "hello", "bar", "x", "1", "2", "100", "-7", "0.5")
}

func (g *gen) hashFields(min, max int) []string {
	n := min + g.intn(max-min+1)
	fs := make([]string, n)
	for i := range fs {
		fs[i] = g.hashField()
	}
	return fs
}

var hashRandomCommands = []weighted{
	{60, func(g *gen, o *op) []string {
		a := []string{"HSET", g.key()}
		for _, f := range g.hashFields(1, 4) {
			a = append(a, f, g.hashVal())
		}
		return a
	}},
	{1, func(g *gen, o *op) []string {
		// Past hash-max-listpack-entries in one command.
		a := []string{"HSET", g.key()}
		for i := range 505 + g.intn(20) {
			a = append(a, "m"+strconv.Itoa(i), strconv.Itoa(i))
		}
		return a
	}},
	{10, func(g *gen, o *op) []string {
		a := []string{"HMSET", g.key()}
		for _, f := range g.hashFields(1, 3) {
			a = append(a, f, g.hashVal())
		}
		return a
	}},
	{15, func(g *gen, o *op) []string { return []string{"HSETNX", g.key(), g.hashField(), g.hashVal()} }},
	{40, func(g *gen, o *op) []string { return []string{"HGET", g.key(), g.hashField()} }},
	{15, func(g *gen, o *op) []string { return append([]string{"HMGET", g.key()}, g.hashFields(1, 5)...) }},
	{30, func(g *gen, o *op) []string { return append([]string{"HDEL", g.key()}, g.hashFields(1, 4)...) }},
	{15, func(g *gen, o *op) []string { return []string{"HEXISTS", g.key(), g.hashField()} }},
	{15, func(g *gen, o *op) []string { return []string{"HLEN", g.key()} }},
	{10, func(g *gen, o *op) []string { return []string{"HSTRLEN", g.key(), g.hashField()} }},
	{10, func(g *gen, o *op) []string { return []string{"HKEYS", g.key()} }},
	{10, func(g *gen, o *op) []string { return []string{"HVALS", g.key()} }},
	{20, func(g *gen, o *op) []string { return []string{"HGETALL", g.key()} }},
	{25, func(g *gen, o *op) []string {
		return []string{"HINCRBY", g.key(), g.hashField(), g.pick(append(numericValues, "5", "-7", "100", "1")...)}
	}},
	{25, func(g *gen, o *op) []string {
		return []string{"HINCRBYFLOAT", g.key(), g.hashField(), g.pick(append(numericValues, "0.1", "-2.5", "1e-5", "3.0e2", "1e400")...)}
	}},
	{25, func(g *gen, o *op) []string {
		a := []string{"HRANDFIELD", g.key()}
		if g.chance(0.8) {
			a = append(a, g.pick("1", "2", "3", "5", "10", "100", "0", "-1", "-3", "-20", "600", "x"))
			if g.chance(0.5) {
				a = append(a, g.pick("WITHVALUES", "withvalues", "WITHVALUES", "FOO"))
			}
		}
		return a
	}},
	{10, func(g *gen, o *op) []string {
		a := []string{"HSCAN", g.key(), "0"}
		if g.chance(0.05) {
			a[2] = g.pick("abc", "-1", "7")
		}
		if g.chance(0.4) {
			a = append(a, "MATCH", g.pick("*", "f1*", "f?", "*[0-5]", "m1*", "nomatch"))
		}
		if g.chance(0.4) {
			a = append(a, "COUNT", g.pick("1", "3", "10", "100", "0"))
		}
		return a
	}},
	// Keys: type errors, deletion, expiry, moves, copies, restores.
	{8, func(g *gen, o *op) []string { return append([]string{"DEL"}, g.keysN(1, 2)...) }},
	{5, func(g *gen, o *op) []string { return append([]string{"EXISTS"}, g.keysN(1, 2)...) }},
	{5, func(g *gen, o *op) []string { return []string{"TYPE", g.key()} }},
	{5, func(g *gen, o *op) []string { return []string{"SET", g.key(), g.value()} }},
	{5, func(g *gen, o *op) []string {
		return []string{"EXPIRE", g.key(), strconv.FormatInt(g.relExpiry(), 10)}
	}},
	{3, func(g *gen, o *op) []string {
		ms := 1 + g.intn(5)
		o.shortExpiry = time.Duration(ms) * time.Millisecond
		return []string{"PEXPIRE", g.key(), strconv.Itoa(ms)}
	}},
	{3, func(g *gen, o *op) []string { return []string{"TTL", g.key()} }},
	{3, func(g *gen, o *op) []string { return []string{"PERSIST", g.key()} }},
	{4, func(g *gen, o *op) []string { return []string{g.pick("RENAME", "RENAMENX"), g.key(), g.key()} }},
	{4, func(g *gen, o *op) []string {
		a := []string{"COPY", g.key(), g.key()}
		if g.chance(0.5) {
			a = append(a, "REPLACE")
		}
		return a
	}},
	{15, func(g *gen, o *op) []string { return []string{"OBJECT", "ENCODING", g.key()} }},
	{5, func(g *gen, o *op) []string { return append([]string{"DEBUG", "DIGEST-VALUE"}, g.keysN(1, 3)...) }},
	{3, func(g *gen, o *op) []string { return []string{"DEBUG", "DIGEST"} }},
	{2, func(g *gen, o *op) []string { return []string{"MEMORY", "USAGE", g.key()} }},
	{2, func(g *gen, o *op) []string { return []string{"DBSIZE"} }},
	{5, func(g *gen, o *op) []string {
		o.restore = true
		o.dumpKey = g.key()
		a := []string{"RESTORE", g.key(), "0"}
		if g.chance(0.6) {
			a = append(a, "REPLACE")
		}
		return a
	}},
	{2, func(g *gen, o *op) []string {
		if g.chance(0.5) {
			return []string{"CONFIG", "SET", "hash-max-listpack-entries", g.pick("2", "8", "128", "512", "512")}
		}
		return []string{"CONFIG", "SET", "hash-max-listpack-value", g.pick("4", "16", "64", "64")}
	}},
}

// hashProbes touch a key that may have just expired, with no syntax error
// possible.
var hashProbes = []func(k string) []string{
	func(k string) []string { return []string{"HGET", k, "f1"} },
	func(k string) []string { return []string{"HLEN", k} },
	func(k string) []string { return []string{"HSET", k, "f1", "new"} },
	func(k string) []string { return []string{"HDEL", k, "f1"} },
	func(k string) []string { return []string{"HEXISTS", k, "f2"} },
	func(k string) []string { return []string{"HINCRBY", k, "f3", "1"} },
	func(k string) []string { return []string{"EXISTS", k} },
}

// runHashRandom runs n generated hash steps on p, the second half in RESP3.
func runHashRandom(p *pair, seed int64, n int) {
	p.t.Helper()
	defer forgetOrderFree(p)
	g := newGen(seed)
	g.keys = hashKeys
	total := 0
	for _, w := range hashRandomCommands {
		total += w.w
	}
	p.do("FLUSHALL")
	var batch [][]string
	flush := func() {
		p.doBatch(batch)
		for _, a := range batch {
			hashTrack(p, a)
		}
		batch = batch[:0]
	}
	for i := 0; i < n; i++ {
		if i == n/2 {
			flush()
			p.do("HELLO", "3")
		}
		o := g.next(hashRandomCommands, total)
		if len(batch) == 0 && g.chance(0.02) || len(batch) > 0 && len(batch) < 64 && g.chance(0.97) {
			if batchable(o) {
				batch = append(batch, o.args)
				continue
			}
		}
		flush()
		if o.restore {
			// A listpack restored from a hashtable's payload keeps that
			// table's order (see hashOrderFree).
			if hashEncoding(p, o.dumpKey) == "hashtable" || isOrderFree(p, o.dumpKey) {
				setOrderFree(p, o.args[1], true)
			}
			p.dumpRestore(o.dumpKey, o.args[1], o.args[2:])
			continue
		}
		p.do(o.args...)
		hashTrack(p, o.args)
		if o.shortExpiry > 0 {
			// Not a readiness wait: the expiry both servers just set must
			// pass (see runRandom).
			<-time.After(o.shortExpiry + 2*time.Millisecond)
			p.do(hashProbes[g.intn(len(hashProbes))](o.key)...)
		}
	}
	flush()
	p.sync()
}

// TestInteropDifferentialHash runs SHARDIS_DIFF_N (default 8,000; 800 under
// -short) generated hash commands against redis-server and the target.
// Replay a failure with SHARDIS_SEED=<the seed it printed>.
func TestInteropDifferentialHash(t *testing.T) {
	randomDifferential(t, "hash seed ", 8000, func(p *pair, target string, seed int64, n int) {
		runHashRandom(p, seed, n)
	})
}

// TestInteropDifferentialHashSelfCheck runs the hash sequences and a
// shorter random run with redis-server on both sides: a mismatch there is a
// rule too strict for the hash replies, not a server bug.
func TestInteropDifferentialHashSelfCheck(t *testing.T) {
	a, b := startRedis(t), startRedis(t)
	n := runSequences(t, a, b, hashSequences())
	seed := randomSeed(t)
	p := newPair(t, "hash self-check seed "+strconv.FormatInt(seed, 10), a, b)
	runHashRandom(p, seed, randomCount(t, 8000)/4)
	t.Logf("redis-server against redis-server: %d hand-written and %d random hash replies compared (seed %d)",
		n, p.compared, seed)
}

// TestInteropDifferentialHashKeyspaceEvents subscribes to every keyspace
// and keyevent channel on both servers, runs hash commands (and the key
// commands that move, copy, expire and restore hashes), and requires the
// same notifications in the same order.
func TestInteropDifferentialHashKeyspaceEvents(t *testing.T) {
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	p := newPair(t, "hash-events", oracle, target)
	if lacks := targetLacks(t, target, append(hashRequires, []string{"PUBLISH", "probe:ch", "x"})); len(lacks) > 0 {
		t.Skipf("the target does not implement %v yet", lacks)
	}
	p.do("CONFIG", "SET", "notify-keyspace-events", "KEAn")
	subs := [2]*side{dialSide(t, "redis-server", oracle), dialSide(t, p.target.name, target)}
	for _, s := range subs {
		if _, r, err := s.roundTrip("PSUBSCRIBE", "__key*__:*"); err != nil || r.isError() {
			t.Fatalf("%s: PSUBSCRIBE: %v %v", s.name, r, err)
		}
	}
	for _, line := range []string{
		`HSET h a 1 b 2`, `HSET h a 3`, `HMSET h c 4`, `HSETNX h c 5`, `HSETNX h d 6`, `HDEL h nosuch`,
		`HDEL h a b`, `HINCRBY h n 5`, `HINCRBYFLOAT h f 1.5`, `HINCRBY h c x`, `HINCRBY h f 1`,
		`SET s v`, `HSET s a 1`, `HDEL s a`, `HGET nokey a`, `HDEL h c d n f`, `EXISTS h`,
		`HSET h a 1`, `RENAME h h2`, `COPY h2 h3`, `@dumprestore h3 h4 0`, `DEL h3`,
		`HSET e a 1`, `PEXPIRE e 5`, `@wait 20`, `HGET e a`, `HSET e b 2`, `EXPIRE e 1000`, `HDEL e b`,
		hashFill("big", "f", 600), `HDEL big f1 f2`, `HINCRBY big f3 1`,
	} {
		p.runLine(line)
	}
	p.do("PUBLISH", "__keyevent@0__:zz-end", "end")
	var got [2][]string
	for i, s := range subs {
		for n := 0; ; n++ {
			if n > 10000 {
				t.Fatalf("%s: no end marker", s.name)
			}
			_, r, err := s.recv()
			if err != nil {
				t.Fatalf("%s: %v (after %q)", s.name, err, got[i])
			}
			if len(r.elems) != 4 {
				t.Fatalf("%s: not a pmessage: %v", s.name, r)
			}
			if r.elems[2].str == "__keyevent@0__:zz-end" {
				break
			}
			got[i] = append(got[i], r.elems[2].str+" "+r.elems[3].str)
		}
	}
	if a, b := strings.Join(got[0], "\n"), strings.Join(got[1], "\n"); a != b {
		t.Errorf("notifications differ\nredis-server:\n%s\n%s:\n%s", a, subs[1].name, b)
	}
	t.Logf("%d notifications compared", len(got[0]))
}
