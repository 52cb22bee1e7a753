package e2e

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The set commands in the differential harness: comparison rules for the
// replies whose order or content is Redis's hash table's or its random
// generator's, hand-written edge cases, and a randomized run.

func init() { addTypeRules(setRules) }

// Sections of DIFFERENCES.md for the set commands.
const (
	diffSetOrder  = "Set member order (SMEMBERS, SINTER, SUNION, SDIFF)"
	diffSetScan   = "SSCAN cursors and batches"
	diffSetRandom = "Random set members (SRANDMEMBER, SPOP)"
)

func setRules(args []string) (cmpRule, bool) {
	switch strings.ToUpper(args[0]) {
	case "SMEMBERS", "SUNION", "SDIFF":
		return cmpRule{name: diffSetOrder, meta: setOrderMeta}, true
	case "SINTER":
		return cmpRule{name: diffSetOrder, equal: sortedEqual}, true
	case "SSCAN":
		return cmpRule{name: diffSetScan, meta: sscanMeta}, true
	case "SRANDMEMBER":
		return cmpRule{name: diffSetRandom, meta: func(p *pair, a []string) (result, result) { return randomMembersMeta(p, a, false) }}, true
	case "SPOP":
		return cmpRule{name: diffSetRandom, meta: func(p *pair, a []string) (result, result) { return randomMembersMeta(p, a, true) }}, true
	}
	return cmpRule{}, false
}

// setOrderProbe is the scratch key setOrderMeta stores a result in to ask
// for its encoding; no test uses it otherwise.
const setOrderProbe = "__shardis_set_order_probe__"

// setOrderMeta runs SMEMBERS, SUNION or SDIFF: the replies must hold the
// same members, and in the same order when Redis's order is fixed, that is
// when the set listed is an intset (ascending). SMEMBERS lists the key:
// OBJECT ENCODING tells. SUNION and SDIFF list a set they build: the same
// STORE command into a scratch key (on both sides, deleted after) tells
// which encoding Redis gave it. SINTER lists in the order of the smallest
// set, which ties make uncertain, and is compared as a multiset only.
func setOrderMeta(p *pair, args []string) (o, g result) {
	p.t.Helper()
	replying, queued := p.replies == replyOn, p.inMulti
	o, g = p.exchange(args)
	if !replying {
		return o, g
	}
	if !p.check(args, cmpRule{name: diffSetOrder, equal: sortedEqual}, o, g) || o.r.isError() ||
		string(o.raw) == string(g.raw) || len(args) < 2 || queued {
		return o, g
	}
	roundTrip := func(s *side, a ...string) reply {
		_, r, err := s.roundTrip(a...)
		if err != nil {
			p.t.Fatalf("[%s] #%d %s: %v", p.label, p.index, quoteArgs(a), err)
		}
		return r
	}
	var enc reply
	if strings.EqualFold(args[0], "SMEMBERS") {
		enc = roundTrip(p.oracle, "OBJECT", "ENCODING", args[1])
	} else {
		store := append([]string{strings.ToUpper(args[0]) + "STORE", setOrderProbe}, args[1:]...)
		for _, s := range []*side{p.oracle, p.target} {
			roundTrip(s, store...)
		}
		enc = roundTrip(p.oracle, "OBJECT", "ENCODING", setOrderProbe)
		for _, s := range []*side{p.oracle, p.target} {
			roundTrip(s, "DEL", setOrderProbe)
		}
	}
	if enc.str == "intset" {
		p.report(mismatch{index: p.index, args: args, rule: diffSetOrder,
			detail: "the members of an intset, in another order than ascending", oracle: o.raw, target: g.raw})
	}
	return o, g
}

// sscanMeta runs SSCAN on both sides: errors exactly, the first batch by
// shape ([cursor, [members]]), and, for a scan that starts at cursor 0,
// the sets of members each side returns when iterated to the end (see
// diffSetScan).
func sscanMeta(p *pair, args []string) (o, g result) {
	p.t.Helper()
	replying, queued := p.replies == replyOn, p.inMulti
	o, g = p.exchange(args)
	if !replying {
		return o, g
	}
	if queued {
		p.check(args, exactRule, o, g)
		return o, g
	}
	if !p.check(args, cmpRule{name: diffSetScan, equal: scanBatchEqual}, o, g) || o.r.isError() || len(args) < 3 || args[2] != "0" {
		return o, g
	}
	var got [2][]string
	for i, s := range []struct {
		sd  *side
		res result
	}{{p.oracle, o}, {p.target, g}} {
		m, err := sscanToEnd(s.sd, args, s.res.r)
		if err != nil {
			p.t.Fatalf("[%s] #%d %s: %v", p.label, p.index, quoteArgs(args), err)
		}
		got[i] = m
	}
	if strings.Join(got[0], "\x00") != strings.Join(got[1], "\x00") {
		p.report(mismatch{index: p.index, args: args, rule: diffSetScan,
			detail: "different members over a full iteration",
			oracle: []byte(fmt.Sprintf("%q", got[0])), target: []byte(fmt.Sprintf("%q", got[1]))})
	}
	return o, g
}

// sscanToEnd continues an SSCAN from its first reply until the cursor is 0
// and returns the distinct members seen, sorted.
func sscanToEnd(s *side, args []string, first reply) ([]string, error) {
	seen := map[string]bool{}
	r := first
	for calls := 0; ; calls++ {
		if r.kind != '*' || len(r.elems) != 2 {
			return nil, fmt.Errorf("%s: SSCAN reply %v", s.name, r)
		}
		for _, m := range r.elems[1].elems {
			seen[m.str] = true
		}
		if r.elems[0].str == "0" {
			break
		}
		if calls > 100000 {
			return nil, fmt.Errorf("%s: SSCAN did not finish after %d calls", s.name, calls)
		}
		next := append([]string{args[0], args[1], r.elems[0].str}, args[3:]...)
		_, rr, err := s.roundTrip(next...)
		if err != nil {
			return nil, err
		}
		r = rr
	}
	return sortedKeys(seen), nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// setMembers reads key's members on one side without comparing anything
// (SMEMBERS); ok is false when the key holds another type.
func setMembers(p *pair, s *side, key string) (members []string, ok bool) {
	p.t.Helper()
	_, r, err := s.roundTrip("SMEMBERS", key)
	if err != nil {
		p.t.Fatalf("[%s] #%d SMEMBERS %q: %v", p.label, p.index, key, err)
	}
	if r.isError() {
		return nil, false
	}
	for _, e := range r.elems {
		members = append(members, e.str)
	}
	sort.Strings(members)
	return members, true
}

// randomMembersMeta runs SRANDMEMBER or SPOP (pop) on both sides. Which
// members come back is each server's random choice, so a reply is checked
// by its properties (see diffSetRandom): the reply type, the number of
// members, that each is a member the key held, and for a positive count (and
// SPOP) that they are distinct. Errors and nulls are compared exactly. After
// an SPOP the two sides removed different members, so the target's key is
// brought back to the oracle's contents (the members it popped are added
// back, the oracle's removed) and both are checked to be the same set, with
// the same encoding; when a pop made the oracle rebuild its set with
// another encoding than the target's (Redis's SPOP with a count close to
// the size keeps the survivors in a new set), the key is deleted on both.
func randomMembersMeta(p *pair, args []string, pop bool) (o, g result) {
	p.t.Helper()
	if p.replies != replyOn || p.inMulti || len(args) < 2 || len(args) > 3 {
		// Nothing to see (CLIENT REPLY OFF), a command being queued
		// (MULTI: EXEC's reply is compared exactly), or a syntax error,
		// compared exactly.
		o, g = p.exchange(args)
		if o.ok {
			p.check(args, exactRule, o, g)
		}
		return o, g
	}
	key := args[1]
	before, isSet := setMembers(p, p.oracle, key)
	tbefore, tisSet := setMembers(p, p.target, key)
	if isSet != tisSet || strings.Join(before, "\x00") != strings.Join(tbefore, "\x00") {
		p.report(mismatch{index: p.index, args: []string{"SMEMBERS", key}, rule: diffSetRandom,
			detail: "the sides hold different sets before the command",
			oracle: []byte(fmt.Sprintf("%q", before)), target: []byte(fmt.Sprintf("%q", tbefore))})
		return result{}, result{}
	}
	o, g = p.exchange(args)
	rule := cmpRule{name: diffSetRandom, equal: func(or, gr reply, oraw, graw []byte) string {
		if decided, d := errorsOrNullsDiffer(or, gr); decided {
			return d
		}
		if or.kind != gr.kind {
			return "reply type differs"
		}
		for _, side := range []struct {
			name string
			r    reply
		}{{"redis-server", or}, {"target", gr}} {
			if d := checkRandomMembers(side.r, args, before, pop); d != "" {
				return side.name + ": " + d
			}
		}
		return ""
	}}
	if !p.check(args, rule, o, g) || !pop || o.r.isError() || o.r.null {
		return o, g
	}
	popped := func(r reply) []string {
		if r.kind == '$' {
			return []string{r.str}
		}
		var s []string
		for _, e := range r.elems {
			s = append(s, e.str)
		}
		sort.Strings(s)
		return s
	}
	po, pg := popped(o.r), popped(g.r)
	if strings.Join(po, "\x00") == strings.Join(pg, "\x00") {
		return o, g
	}
	// Bring the target's key to the oracle's contents.
	roundTrip := func(s *side, a ...string) reply {
		_, r, err := s.roundTrip(a...)
		if err != nil {
			p.t.Fatalf("[%s] #%d resync %s: %v", p.label, p.index, quoteArgs(a), err)
		}
		return r
	}
	roundTrip(p.target, append([]string{"SADD", key}, pg...)...)
	roundTrip(p.target, append([]string{"SREM", key}, po...)...)
	eo := roundTrip(p.oracle, "OBJECT", "ENCODING", key)
	eg := roundTrip(p.target, "OBJECT", "ENCODING", key)
	if eo.wire() != eg.wire() {
		roundTrip(p.oracle, "DEL", key)
		roundTrip(p.target, "DEL", key)
		return o, g
	}
	after, _ := setMembers(p, p.oracle, key)
	tafter, _ := setMembers(p, p.target, key)
	if strings.Join(after, "\x00") != strings.Join(tafter, "\x00") {
		p.report(mismatch{index: p.index, args: []string{"SMEMBERS", key}, rule: diffSetRandom,
			detail: "the sides hold different sets after SPOP and the resync",
			oracle: []byte(fmt.Sprintf("%q", after)), target: []byte(fmt.Sprintf("%q", tafter))})
	}
	return o, g
}

// checkRandomMembers checks one reply to SRANDMEMBER or SPOP (pop) against
// the sorted members the key held before.
func checkRandomMembers(r reply, args []string, members []string, pop bool) string {
	isMember := func(m string) bool {
		i := sort.SearchStrings(members, m)
		return i < len(members) && members[i] == m
	}
	if len(args) == 2 {
		if r.kind != '$' {
			return "not a bulk string"
		}
		if !isMember(r.str) {
			return fmt.Sprintf("%q is not a member", r.str)
		}
		return ""
	}
	count, err := strconv.ParseInt(args[2], 10, 64)
	if err != nil {
		return "a reply to a count that is not a number"
	}
	if r.kind != '*' && r.kind != '~' {
		return "not an array or a set"
	}
	want, distinct := count, true
	switch {
	case count < 0 && !pop:
		want, distinct = -count, false
		if len(members) == 0 {
			want = 0
		}
	case count > int64(len(members)):
		want = int64(len(members))
	}
	if int64(len(r.elems)) != want {
		return fmt.Sprintf("%d members, want %d", len(r.elems), want)
	}
	seen := map[string]bool{}
	for _, e := range r.elems {
		if e.kind != '$' || !isMember(e.str) {
			return fmt.Sprintf("%v is not a member", e)
		}
		if distinct && seen[e.str] {
			return fmt.Sprintf("%q twice", e.str)
		}
		seen[e.str] = true
	}
	return ""
}

// --- Hand-written sequences -----------------------------------------------------

// bigSetArgs is SADD's member list for a set of n members, integers when
// ints, else strings.
func bigSetArgs(n int, ints bool) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if ints {
			fmt.Fprintf(&b, " %d", i*7-n)
		} else {
			fmt.Fprintf(&b, " m%d", i)
		}
	}
	return b.String()
}

var setSequences = []sequence{
	{name: "set-basics", cmds: []string{
		`SADD s 3 1 2`, `SADD s 2 3`, `SCARD s`, `SMEMBERS s`, `OBJECT ENCODING s`, `TYPE s`,
		`SISMEMBER s 1`, `SISMEMBER s 4`, `SISMEMBER s 01`, `SISMEMBER missing 1`,
		`SMISMEMBER s 1 4 2 "" 1`, `SMISMEMBER missing a b`, `SCARD missing`, `SMEMBERS missing`,
		`DEBUG DIGEST-VALUE s`, `SADD s -5 9223372036854775807 -9223372036854775808`, `SMEMBERS s`,
		`OBJECT ENCODING s`, `DEBUG DIGEST-VALUE s`, `SADD s 01`, `OBJECT ENCODING s`, `SMEMBERS s`,
		`SISMEMBER s 01`, `SISMEMBER s 1`, `SREM s 01`, `OBJECT ENCODING s`, `SMEMBERS s`,
		`DEBUG DIGEST-VALUE s`, `DEBUG DIGEST`,
		`SADD t +1 -0 " 1" 1.0 9223372036854775808 -9223372036854775809 0x10 1e3 ""`, `OBJECT ENCODING t`,
		`SCARD t`, `SMEMBERS t`, `SISMEMBER t ""`, `SISMEMBER t +1`, `SREM t +1 -0 nothere`, `SCARD t`,
		`SADD b "\x00\xff\r\n" "a b" "\r\n$3\r\n"`, `SMEMBERS b`, `SISMEMBER b "\x00\xff\r\n"`, `SREM b "\x00\xff\r\n"`,
		`SREM s 1 2 3 -5 9223372036854775807 -9223372036854775808 7`, `EXISTS s`, `SREM s 1`, `SREM missing a`,
		`SADD one x`, `SREM one y x z`, `EXISTS one`, `SADD n 0`, `SMEMBERS n`, `OBJECT ENCODING n`,
		`SADD e ""`, `SMEMBERS e`, `SCARD e`, `OBJECT ENCODING e`, `MEMORY USAGE n`, `MEMORY USAGE e`,
		`DEBUG OBJECT n`, `DEBUG OBJECT e`, `OBJECT REFCOUNT n`,
	}},
	{name: "set-errors", cmds: []string{
		`SET str v`, `SADD str a`, `SREM str a`, `SISMEMBER str a`, `SMISMEMBER str a`, `SCARD str`, `SMEMBERS str`,
		`SRANDMEMBER str`, `SRANDMEMBER str 2`, `SPOP str`, `SPOP str 2`, `SPOP str 0`, `SRANDMEMBER str 0`,
		`SMOVE str d a`, `SINTER str`, `SINTERCARD 1 str`, `SINTERSTORE d str`, `SUNION str`, `SUNIONSTORE d str`,
		`SDIFF str`, `SDIFFSTORE d str`, `SSCAN str 0`, `SSCAN str 0 COUNT 0`, `SSCAN str x`,
		`SADD`, `SADD k`, `SREM k`, `SISMEMBER k`, `SISMEMBER k a b`, `SMISMEMBER k`, `SCARD`, `SCARD a b`,
		`SMEMBERS`, `SMEMBERS a b`, `SRANDMEMBER`, `SRANDMEMBER k 1 2`, `SPOP`, `SPOP k 1 2`, `SMOVE a b`,
		`SMOVE a b c d`, `SINTER`, `SINTERCARD`, `SINTERCARD 1`, `SINTERSTORE d`, `SUNION`, `SUNIONSTORE d`,
		`SDIFF`, `SDIFFSTORE d`, `SSCAN k`, `PFADD str x`, `PFCOUNT str`, `GET str`,
		`SADD s a`, `GET s`, `APPEND s x`, `INCR s`, `SETRANGE s 0 x`, `STRLEN s`, `PFADD s x`, `PFCOUNT s`, `PFMERGE s`,
		`LCS s str`, `BITCOUNT s`, `GETDEL s`, `TYPE s`,
	}},
	{name: "set-intset-limit", cmds: []string{
		`CONFIG SET set-max-intset-entries 4`,
		`SADD s 1 2 3 4`, `OBJECT ENCODING s`, `SADD s 5`, `OBJECT ENCODING s`, `SREM s 5 4`, `OBJECT ENCODING s`,
		`SMEMBERS s`, `@dumprestore s s2 0`, `OBJECT ENCODING s2`, `SMEMBERS s2`, `COPY s s3`, `OBJECT ENCODING s3`,
		`SADD h 1 a`, `SREM h a`, `OBJECT ENCODING h`, `@dumprestore h h2 0`, `OBJECT ENCODING h2`,
		`SADD big 1 2 3 4 5 6 7 8 9 10`, `OBJECT ENCODING big`, `@dumprestore big big2 0`, `OBJECT ENCODING big2`,
		`SADD i1 1 2 3`, `SADD i2 3 4 5`, `SUNIONSTORE u i1 i2`, `OBJECT ENCODING u`, `SUNION i1 i2`,
		`SINTERSTORE x big i1`, `OBJECT ENCODING x`, `SDIFFSTORE d big i1`, `OBJECT ENCODING d`, `SDIFF big i1`,
		`SDIFFSTORE d2 i1 big`, `EXISTS d2`, `SDIFFSTORE d3 big i1 i2 s`, `OBJECT ENCODING d3`, `SMEMBERS d3`,
		`SADD h3 1 2 3 a`, `SDIFFSTORE d4 h3 a`, `OBJECT ENCODING d4`, `SDIFFSTORE d5 h3 h`, `OBJECT ENCODING d5`,
		`SADD many 1 2 3 4 5 6 7 8 9 10 11 12`, `SADD few 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31`,
		`SDIFFSTORE d6 many few`, `EXISTS d6`, `SDIFFSTORE d7 few many`, `OBJECT ENCODING d7`, `SMEMBERS d7`,
		`SPOP big 9`, `OBJECT ENCODING big`, `SCARD big`,
		`SMOVE i1 newdst 1`, `OBJECT ENCODING newdst`, `SMOVE h3 newdst2 a`, `OBJECT ENCODING newdst2`,
		`CONFIG SET set-max-intset-entries 0`, `SADD z 1`, `OBJECT ENCODING z`, `SUNIONSTORE z2 i2`, `OBJECT ENCODING z2`,
		`@dumprestore i2 i3 0`, `OBJECT ENCODING i3`,
		`CONFIG SET set-max-intset-entries 1`, `SADD y 7`, `OBJECT ENCODING y`, `SADD y 8`, `OBJECT ENCODING y`,
		`CONFIG SET set-max-intset-entries 512`, `CONFIG GET set-max-intset-entries`,
	}},
	{name: "set-algebra", cmds: []string{
		`SADD a 1 2 3 4 x y`, `SADD b 3 4 5 y z`, `SADD c 4 y q`, `SADD ia 1 2 3 4 5`, `SADD ib 4 5 6`, `SET str v`,
		`SINTER a b`, `SINTER a b c`, `SINTER a`, `SINTER a a`, `SINTER ia ib`, `SINTER ib ia`, `SINTER ia a`,
		`SINTER a missing`, `SINTER missing a`, `SINTER missing str`, `SINTER str missing`, `SINTER a str`,
		`SUNION a b`, `SUNION a missing b`, `SUNION missing`, `SUNION ia ib`, `SUNION a str`, `SUNION missing str`,
		`SDIFF a b`, `SDIFF a b c`, `SDIFF a a`, `SDIFF missing a`, `SDIFF a missing`, `SDIFF ia ib`, `SDIFF ia a b`,
		`SDIFF a str`, `SDIFF str a`,
		`SINTERCARD 2 a b`, `SINTERCARD 3 a b c`, `SINTERCARD 2 a b LIMIT 1`, `SINTERCARD 2 a b LIMIT 0`,
		`SINTERCARD 2 a b limit 100`, `SINTERCARD 1 a`, `SINTERCARD 2 a missing`, `SINTERCARD 2 missing str`,
		`SINTERCARD 1 missing str`, `SINTERCARD 0 a`, `SINTERCARD -1 a`, `SINTERCARD x a`, `SINTERCARD 3 a b`,
		`SINTERCARD 2 a b LIMIT -1`, `SINTERCARD 2 a b LIMIT x`, `SINTERCARD 2 a b LIMIT`, `SINTERCARD 2 a b FOO 1`,
		`SINTERCARD 2 a b LIMIT 1 LIMIT 2`, `SINTERCARD 9223372036854775807 a`, `SINTERCARD 1 a LIMIT 9223372036854775807`,
		`SINTERSTORE d a b`, `SMEMBERS d`, `OBJECT ENCODING d`, `SINTERSTORE d a missing`, `EXISTS d`,
		`SINTERSTORE d missing`, `SINTERSTORE d str a`, `SINTERSTORE d ia ib`, `OBJECT ENCODING d`, `SMEMBERS d`,
		`SET d x EX 1000`, `SINTERSTORE d a b`, `TTL d`, `TYPE d`,
		`SUNIONSTORE u a b`, `SMEMBERS u`, `SUNIONSTORE u missing`, `EXISTS u`, `SUNIONSTORE str a`, `TYPE str`,
		`SDIFFSTORE df a b`, `SMEMBERS df`, `SDIFFSTORE df a a`, `EXISTS df`, `SDIFFSTORE a a b`, `SMEMBERS a`,
		`SUNIONSTORE a a c`, `SMEMBERS a`, `SINTERSTORE a a`, `SMEMBERS a`, `SET s2 v`, `SDIFFSTORE s2 missing`, `EXISTS s2`,
		`SINTER ia ia ib`, `SUNION ia ia`, `SDIFF ia ib ib ia`,
	}},
	{name: "set-random", cmds: []string{
		`SADD s 1 2 3 4 5`, `SADD h a b c d e f g h i j`, `SADD one x`,
		`SRANDMEMBER s`, `SRANDMEMBER h`, `SRANDMEMBER one`, `SRANDMEMBER missing`, `SRANDMEMBER missing 3`,
		`SRANDMEMBER s 0`, `SRANDMEMBER s 1`, `SRANDMEMBER s 3`, `SRANDMEMBER s 5`, `SRANDMEMBER s 6`, `SRANDMEMBER s 100`,
		`SRANDMEMBER s -1`, `SRANDMEMBER s -5`, `SRANDMEMBER s -20`, `SRANDMEMBER h 2`, `SRANDMEMBER h 4`, `SRANDMEMBER h 9`,
		`SRANDMEMBER h 10`, `SRANDMEMBER h 11`, `SRANDMEMBER h -30`, `SRANDMEMBER one -3`, `SRANDMEMBER missing -3`,
		`SRANDMEMBER s x`, `SRANDMEMBER s 1.5`, `SRANDMEMBER s -9223372036854775808`, `SRANDMEMBER s 9223372036854775808`,
		`SRANDMEMBER s ""`, `SRANDMEMBER missing -9223372036854775808`, `SRANDMEMBER s 9223372036854775807`,
		`SPOP s`, `SCARD s`, `SPOP s 2`, `SCARD s`, `SPOP s 0`, `SPOP s -1`, `SPOP s x`, `SPOP s 9223372036854775808`,
		`SPOP missing`, `SPOP missing 2`, `SPOP missing 0`, `SPOP missing -1`, `SPOP s 10`, `EXISTS s`,
		`SPOP h 1`, `SPOP h 7`, `SCARD h`, `SPOP h 2`, `EXISTS h`, `SPOP one`, `EXISTS one`,
		`SADD p ` + bigSetArgs(30, true), `SPOP p 28`, `OBJECT ENCODING p`, `SCARD p`,
		`SADD q ` + bigSetArgs(30, false), `SPOP q 26`, `OBJECT ENCODING q`, `SPOP q 3`, `SCARD q`,
		`SADD r 1 2 3 4 5 6 7 8 9 10 a`, `SREM r a`, `SPOP r 9`, `OBJECT ENCODING r`, `SMEMBERS r`,
		`SADD t 1 2 3 4 5 6 7 8 9 10 a`, `SPOP t 10`, `SCARD t`,
		`SADD ex 1 2 3`, `EXPIRE ex 1000`, `SPOP ex`, `TTL ex`,
	}},
	{name: "set-smove", cmds: []string{
		`SADD a 1 2 x`, `SADD b 3`, `SET str v`,
		`SMOVE a b 1`, `SMEMBERS a`, `SMEMBERS b`, `OBJECT ENCODING b`, `SMOVE a b x`, `OBJECT ENCODING b`,
		`SMOVE a b nothere`, `SMOVE missing b 1`, `SMOVE missing str 1`, `SMOVE str b 1`, `SMOVE a str 2`,
		`SMOVE a a 2`, `SMOVE a a 9`, `SMOVE a new 2`, `EXISTS a`, `SMEMBERS new`, `OBJECT ENCODING new`,
		`SMOVE b new 3`, `SMOVE b new x`, `SMEMBERS new`, `SMOVE new a2 x`, `OBJECT ENCODING a2`,
		`SADD c 5`, `SADD d 5`, `SMOVE c d 5`, `EXISTS c`, `SMEMBERS d`,
		`SADD e 1`, `EXPIRE e 1000`, `SADD f 2`, `SMOVE f e 2`, `TTL e`, `SMOVE missing missing x`,
	}},
	{name: "set-scan", cmds: []string{
		`SADD s 1 2 3 10 20 30`, `SADD h a b c foo bar baz 1`, `SET str v`,
		`SSCAN s 0`, `SSCAN s 0 COUNT 1`, `SSCAN s 0 MATCH 1*`, `SSCAN s 0 MATCH *0 COUNT 2`, `SSCAN s 5`,
		`SSCAN h 0`, `SSCAN h 0 COUNT 1`, `SSCAN h 0 MATCH b*`, `SSCAN h 0 MATCH nomatch`, `SSCAN h 0 match ?a?`,
		`SSCAN missing 0`, `SSCAN missing 0 COUNT 0`, `SSCAN missing x`, `SSCAN s x`, `SSCAN s -1`, `SSCAN s 0 COUNT 0`,
		`SSCAN s 0 COUNT -1`, `SSCAN s 0 COUNT x`, `SSCAN s 0 MATCH`, `SSCAN s 0 TYPE set`, `SSCAN s 0 FOO bar`,
		`SSCAN s 18446744073709551616`, `SSCAN s 18446744073709551615`, `SSCAN h 0 COUNT 9223372036854775807`,
		`SADD big ` + bigSetArgs(300, false), `SSCAN big 0`, `SSCAN big 0 COUNT 7`, `SSCAN big 0 MATCH m1*`,
		`SSCAN big 0 COUNT 1000`, `SADD bigi ` + bigSetArgs(300, true), `SSCAN bigi 0`, `SSCAN bigi 0 MATCH -*`,
		`OBJECT ENCODING bigi`,
	}},
	{name: "set-expire-and-keys", cmds: []string{
		`SADD s a b`, `PEXPIRE s 2`, `@wait 20`, `SCARD s`, `EXISTS s`,
		`SADD t a b`, `EXPIRE t 1000`, `SADD t c`, `TTL t`, `SREM t a`, `TTL t`, `SPOP t 1`, `TTL t`,
		`SADD u 1 2`, `RENAME u v`, `SMEMBERS v`, `COPY v w`, `SADD w 3`, `SMEMBERS v`, `SMEMBERS w`,
		`MOVE w 1`, `SELECT 1`, `SMEMBERS w`, `SELECT 0`, `SCAN 0 TYPE set`, `SCAN 0 TYPE SET`, `KEYS *`,
		`@dumprestore v v2 0`, `SMEMBERS v2`, `@dumprestore t t2 0 REPLACE`, `SMEMBERS t2`, `DEBUG DIGEST`,
		`SADD x 1`, `SINTERSTORE y x`, `PEXPIRE x 1`, `@wait 10`, `SINTER x y`, `SUNION x y`, `SMOVE x y 1`,
		`SADD big ` + bigSetArgs(1000, false), `SCARD big`, `SMEMBERS big`, `SRANDMEMBER big 900`, `SINTERCARD 2 big big`,
		`SADD bigi ` + bigSetArgs(1000, true), `SCARD bigi`, `OBJECT ENCODING bigi`, `SMEMBERS bigi`, `DEBUG DIGEST-VALUE big bigi`,
		`SINTER big bigi`, `SUNIONSTORE all big bigi`, `SCARD all`, `SDIFFSTORE d all big`, `SCARD d`, `DEBUG DIGEST`,
	}},
	{name: "set-multi-watch", cmds: []string{
		`MULTI`, `SADD m 3 1 2`, `SINTERSTORE m2 m`, `SMEMBERS m2`, `SRANDMEMBER m 5`, `SPOP m2 10`,
		`SUNION m missing`, `SADD m x`, `PFADD h a b`, `PFCOUNT h`, `GET h`, `SCARD m`, `EXEC`,
		`WATCH m`, `SADD m 1`, `MULTI`, `SCARD m`, `EXEC`, `WATCH m`, `SADD m 9`, `MULTI`, `SCARD m`, `EXEC`,
		`WATCH m`, `SREM m nothere`, `MULTI`, `SCARD m`, `EXEC`, `WATCH h`, `PFCOUNT h`, `MULTI`, `PFCOUNT h`, `EXEC`,
		`WATCH h`, `PFADD h a`, `MULTI`, `PFCOUNT h`, `EXEC`, `WATCH d`, `SINTERSTORE d m missing`, `MULTI`, `PING`, `EXEC`,
		`SET d v`, `WATCH d`, `SINTERSTORE d m missing`, `MULTI`, `PING`, `EXEC`, `MULTI`, `SADD`, `SCARD m`, `EXEC`,
		`MULTI`, `SADD str2 a`, `SET str2 v`, `SADD str2 b`, `SCARD m`, `EXEC`,
	}},
}

// TestInteropDifferentialSetEdgeCases runs the set sequences against
// redis-server and the target, each in RESP2 and RESP3.
func TestInteropDifferentialSetEdgeCases(t *testing.T) {
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	n := runSequences(t, oracle, target, setSequences)
	t.Logf("compared %d replies from %d set sequences (each in RESP2 and RESP3) against %s", n, len(setSequences), diffTarget())
}

// TestInteropDifferentialSetSelfCheck runs the set sequences and a short
// random run with redis-server on both sides: a mismatch there is a rule
// too strict, not a server bug.
func TestInteropDifferentialSetSelfCheck(t *testing.T) {
	a, b := startRedis(t), startRedis(t)
	n := runSequences(t, a, b, setSequences)
	seed := randomSeed(t)
	p := newPair(t, "set self-check seed "+strconv.FormatInt(seed, 10), a, b)
	runTypeRandom(p, seed, randomCount(t, 5000)/5, setRandomCommands, setGenSetup)
	t.Logf("redis-server against redis-server: %d hand-written and %d random replies compared (seed %d)", n, p.compared, seed)
}

// --- The randomized run -----------------------------------------------------------

// setMember returns a member: canonical and non-canonical integers, short
// strings, binary, empty, long; drawn from a small pool so that sets
// overlap.
func (g *gen) setMember() string {
	switch g.intn(10) {
	case 0, 1, 2, 3:
		return strconv.Itoa(g.intn(40))
	case 4:
		return g.pick("-1", "-100", "9223372036854775807", "-9223372036854775808", "1000000000000", "65536", "-32769")
	case 5:
		return g.pick("01", "+1", "-0", " 1", "1.0", "9223372036854775808", "0x1", "")
	case 6:
		return g.pick("\x00\xff", "a b", "\r\n", strings.Repeat("L", 50))
	default:
		return g.pick("a", "b", "c", "d", "e", "f", "x", "y", "hello", "world")
	}
}

func (g *gen) setMembers(min, max int) []string {
	n := min + g.intn(max-min+1)
	out := make([]string, n)
	for i := range out {
		out[i] = g.setMember()
	}
	return out
}

// setGenSetup narrows the key space so that set commands meet each other.
func setGenSetup(g *gen) {
	g.keys = []string{"s0", "s1", "s2", "s3", "s4", "s5", "s6", "{t}s", "", "str"}
}

var setRandomCommands = []weighted{
	{120, func(g *gen, o *op) []string { return append([]string{"SADD", g.key()}, g.setMembers(1, 8)...) }},
	{40, func(g *gen, o *op) []string { return append([]string{"SREM", g.key()}, g.setMembers(1, 5)...) }},
	{25, func(g *gen, o *op) []string { return []string{"SISMEMBER", g.key(), g.setMember()} }},
	{20, func(g *gen, o *op) []string { return append([]string{"SMISMEMBER", g.key()}, g.setMembers(1, 4)...) }},
	{25, func(g *gen, o *op) []string { return []string{"SCARD", g.key()} }},
	{30, func(g *gen, o *op) []string { return []string{"SMEMBERS", g.key()} }},
	{30, func(g *gen, o *op) []string {
		a := []string{"SRANDMEMBER", g.key()}
		if g.chance(0.7) {
			a = append(a, strconv.Itoa(g.intn(30)-12))
		}
		return a
	}},
	{30, func(g *gen, o *op) []string {
		a := []string{"SPOP", g.key()}
		if g.chance(0.6) {
			a = append(a, strconv.Itoa(g.intn(14)))
		}
		return a
	}},
	{25, func(g *gen, o *op) []string { return []string{"SMOVE", g.key(), g.key(), g.setMember()} }},
	{20, func(g *gen, o *op) []string { return append([]string{"SINTER"}, g.keysN(1, 4)...) }},
	{15, func(g *gen, o *op) []string {
		keys := g.keysN(1, 4)
		a := append([]string{"SINTERCARD", strconv.Itoa(len(keys))}, keys...)
		if g.chance(0.4) {
			a = append(a, "LIMIT", strconv.Itoa(g.intn(6)))
		}
		if g.chance(0.05) {
			a[1] = g.pick("0", "-1", "9", "x")
		}
		return a
	}},
	{20, func(g *gen, o *op) []string { return append([]string{"SINTERSTORE", g.key()}, g.keysN(1, 4)...) }},
	{20, func(g *gen, o *op) []string { return append([]string{"SUNION"}, g.keysN(1, 4)...) }},
	{20, func(g *gen, o *op) []string { return append([]string{"SUNIONSTORE", g.key()}, g.keysN(1, 4)...) }},
	{20, func(g *gen, o *op) []string { return append([]string{"SDIFF"}, g.keysN(1, 4)...) }},
	{20, func(g *gen, o *op) []string { return append([]string{"SDIFFSTORE", g.key()}, g.keysN(1, 4)...) }},
	{15, func(g *gen, o *op) []string {
		a := []string{"SSCAN", g.key(), "0"}
		if g.chance(0.4) {
			a = append(a, "MATCH", g.pick("*", "1*", "?", "*a*", "[0-5]*"))
		}
		if g.chance(0.4) {
			a = append(a, "COUNT", g.pick("1", "3", "10", "100"))
		}
		if g.chance(0.05) {
			a[2] = g.pick("x", "-1", "7")
		}
		return a
	}},
	{25, func(g *gen, o *op) []string { return []string{"OBJECT", "ENCODING", g.key()} }},
	{8, func(g *gen, o *op) []string { return append([]string{"DEBUG", "DIGEST-VALUE"}, g.keysN(1, 3)...) }},
	{4, func(g *gen, o *op) []string { return []string{"DEBUG", "DIGEST"} }},
	{6, func(g *gen, o *op) []string { return []string{"TYPE", g.key()} }},
	{6, func(g *gen, o *op) []string { return []string{"MEMORY", "USAGE", g.key()} }},
	{10, func(g *gen, o *op) []string { return []string{"SET", g.key(), g.value()} }},
	{10, func(g *gen, o *op) []string { return append([]string{"DEL"}, g.keysN(1, 2)...) }},
	{8, func(g *gen, o *op) []string {
		if g.chance(0.2) {
			ms := 1 + g.intn(4)
			o.shortExpiry = time.Duration(ms) * time.Millisecond
			return []string{"PEXPIRE", g.key(), strconv.Itoa(ms)}
		}
		return []string{"EXPIRE", g.key(), strconv.FormatInt(g.relExpiry(), 10)}
	}},
	{5, func(g *gen, o *op) []string { return []string{"TTL", g.key()} }},
	{5, func(g *gen, o *op) []string { return []string{g.pick("RENAME", "COPY"), g.key(), g.key()} }},
	{6, func(g *gen, o *op) []string {
		o.restore = true
		o.dumpKey = g.key()
		return []string{"RESTORE", g.key(), "0", "REPLACE"}
	}},
	{3, func(g *gen, o *op) []string {
		return []string{"CONFIG", "SET", "set-max-intset-entries", g.pick("0", "1", "4", "16", "16", "512", "512")}
	}},
	{3, func(g *gen, o *op) []string { return []string{"SCAN", "0", "TYPE", "set"} }},
	{2, func(g *gen, o *op) []string { return []string{"DBSIZE"} }},
}

// setProbe touches a key so that a short expiry is applied on both sides.
func setProbe(k string) []string { return []string{"SCARD", k} }

// runTypeRandom runs n generated steps from table on p, like runRandom
// does for the string mix: the second half in RESP3, runs of commands now
// and then pipelined, short expiries waited for and then probed, DUMP and
// RESTORE round trips. setup adjusts the generator (its key space).
func runTypeRandom(p *pair, seed int64, n int, table []weighted, setup func(*gen)) {
	p.t.Helper()
	g := newGen(seed)
	setup(g)
	total := 0
	for _, w := range table {
		total += w.w
	}
	p.do("FLUSHALL")
	var batch [][]string
	for i := 0; i < n; i++ {
		if i == n/2 {
			p.doBatch(batch)
			batch = batch[:0]
			p.do("HELLO", "3")
		}
		o := g.next(table, total)
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
			// pass (see runRandom).
			<-time.After(o.shortExpiry + 2*time.Millisecond)
			p.do(setProbe(o.key)...)
		}
	}
	p.doBatch(batch)
	p.do("CONFIG", "SET", "set-max-intset-entries", "512")
	p.do("CONFIG", "SET", "hll-sparse-max-bytes", "3000")
	p.sync()
}

// TestInteropDifferentialSets runs SHARDIS_DIFF_N (default 6,000; 600
// under -short) generated set commands against redis-server and the target.
// Replay a failure with SHARDIS_SEED=<the seed it printed>.
func TestInteropDifferentialSets(t *testing.T) {
	randomDifferential(t, "sets seed ", 6000, func(p *pair, target string, seed int64, n int) {
		runTypeRandom(p, seed, n, setRandomCommands, setGenSetup)
	})
}

// setEventLines publish every keyspace event of the set and HyperLogLog
// commands, including "new" and "del", and the commands that change nothing
// (and so publish nothing). SPOP only pops whole sets here, so both servers
// pop the same members.
var setEventLines = []string{
	`SADD s 1 2 3`, `SADD s 1`, `SREM s 9`, `SREM s 1`, `SREM s 2 3 4`, `SADD s a b c d e f`, `SPOP s 0`,
	`SPOP s 10`, `SADD one x`, `SPOP one`, `SPOP nokey`, `SADD a 1 2`, `SADD b 2 3`, `SMOVE a b 9`, `SMOVE a b 2`,
	`SMOVE a b 1`, `SMOVE b b 3`, `SMOVE nokey b 1`, `SMOVE b newset 3`, `SINTERSTORE d b nokey`, `SINTERSTORE d b`,
	`SINTERSTORE d b nokey`, `SUNIONSTORE u b`, `SUNIONSTORE u b newset`, `SDIFFSTORE df b b`, `SDIFFSTORE df b`,
	`SET str v`, `SUNIONSTORE str b`, `SADD str x`, `SINTERCARD 1 b`, `SMEMBERS b`, `SMEMBERS nokey`,
	`SISMEMBER nokey a`, `SMISMEMBER nokey a`, `SCARD nokey`, `SRANDMEMBER nokey`, `SINTER b nokey`,
	`SUNION nokey`, `SDIFF nokey b`, `SSCAN nokey 0`, `SADD t 1`, `EXPIRE t 100`, `SADD t 2`, `SPOP t 5`,
	`PFADD h x`, `PFADD h x`, `PFCOUNT h`, `PFCOUNT h`, `PFCOUNT nokey`, `PFCOUNT h nokey`, `PFMERGE h2 h`,
	`PFMERGE h2 h nokey`, `PFADD h`, `PFADD h3`, `PFDEBUG todense h`, `PFDEBUG encoding nokey`,
	`SUNIONSTORE u2 b nokey`, `SDIFFSTORE u2 b nokey`, `SINTERSTORE u2 b nokey`, `SREM nokey a`, `PFMERGE nh nokey`,
	`SINTERCARD 2 b nokey`, `SMOVE b nokey2 2`, `PFCOUNT nokey nokey2`, `SMEMBERS nokey2`, `SADD s 1`, `SPOP s 1`,
}

// TestInteropSetKeyspaceEvents: a subscriber to every keyspace and keyevent
// channel receives the same notifications for the set and HyperLogLog
// commands from both servers, in the same order, for several
// notify-keyspace-events settings.
func TestInteropSetKeyspaceEvents(t *testing.T) {
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	if lacks := targetLacks(t, target, [][]string{{"PUBLISH", "probe:ch", "x"}}); len(lacks) > 0 {
		t.Skipf("the target does not implement %v yet", lacks)
	}
	for _, flags := range []string{"KEAmn", "Ks$", "Eg", "Kn"} {
		for _, proto := range []string{"2", "3"} {
			t.Run(flags+"/RESP"+proto, func(t *testing.T) {
				f := newFleet(t, "set keyspace events "+flags+" RESP"+proto, oracle, target, 2)
				const sub, cmd = 0, 1
				p := &pair{t: t, label: f.label, oracle: f.o[cmd], target: f.g[cmd], proto: 2,
					maxMismatches: 30, known: map[string]int{}}
				p.do("FLUSHALL")
				p.do("CONFIG", "SET", "notify-keyspace-events", flags)
				defer p.do("CONFIG", "SET", "notify-keyspace-events", "")
				f.do(sub, "HELLO", proto)
				f.do(sub, "PSUBSCRIBE", "__key*__:*")
				for _, l := range setEventLines {
					p.runLine(l)
					f.remember("conn 1: " + l)
					f.barrier(sub, false)
				}
				f.compared += p.compared
				t.Logf("%d replies and pushes compared", f.compared)
			})
		}
	}
}
