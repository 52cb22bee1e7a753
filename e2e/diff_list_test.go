package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The differential harness for lists: hand-written sequences and a
// randomized run over the list commands (with the key commands that move,
// copy, expire and restore lists). Every list reply is deterministic, so
// everything is compared byte for byte. The blocking commands appear here
// in the forms that do not block (a ready key, a timeout, inside MULTI);
// blocking_test.go has the multi-connection scenarios.

var listRequires = [][]string{{"RPUSH", "probe:list", "x"}}

// diffListNodes is the DIFFERENCES.md section of the quicklist fields of
// DEBUG OBJECT.
const diffListNodes = "Quicklist node layout (DEBUG OBJECT ql_nodes, ql_avg_node, ql_uncompressed_size)"

func init() {
	addTypeRules(func(args []string) (cmpRule, bool) {
		if len(args) == 3 && strings.EqualFold(args[0], "DEBUG") && strings.EqualFold(args[1], "OBJECT") {
			return cmpRule{name: diffDebugObj + "; " + diffListNodes, equal: listDebugObjectEqual}, true
		}
		return cmpRule{}, false
	})
}

// listDebugObjectEqual is debugObjectEqual with the quicklist's node
// layout fields compared as numbers (diffListNodes); they only appear for
// lists.
func listDebugObjectEqual(o, g reply, oraw, graw []byte) string {
	if o.kind == '+' && g.kind == '+' {
		var bad string
		o.str, bad = maskQuicklistFields(o.str)
		if bad == "" {
			g.str, bad = maskQuicklistFields(g.str)
		}
		if bad != "" {
			return bad
		}
	}
	return debugObjectEqual(o, g, oraw, graw)
}

// maskQuicklistFields replaces the values of the node layout fields by "#",
// or says which one is not a number.
func maskQuicklistFields(s string) (string, string) {
	f := strings.Fields(s)
	for i, w := range f {
		name, v, _ := strings.Cut(w, ":")
		switch name {
		case "ql_nodes", "ql_avg_node", "ql_uncompressed_size":
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return s, fmt.Sprintf("field %s=%q is not a number", name, v)
			}
			f[i] = name + ":#"
		}
	}
	return strings.Join(f, " "), ""
}

// listFill is an RPUSH line of n elements "<prefix><i>".
func listFill(key, prefix string, n int) string {
	var b strings.Builder
	b.WriteString("RPUSH " + key)
	for i := range n {
		fmt.Fprintf(&b, " %s%d", prefix, i)
	}
	return b.String()
}

func listSequences() []sequence {
	seqs := []sequence{
		{name: "list-push-pop", cmds: []string{
			`LPUSH l a`, `LPUSH l b c`, `RPUSH l d e`, `LRANGE l 0 -1`, `LLEN l`, `TYPE l`, `OBJECT ENCODING l`,
			`LPUSH l`, `RPUSH`, `LPUSHX nokey a`, `RPUSHX nokey a b`, `EXISTS nokey`, `LPUSHX l x y`, `RPUSHX l z`,
			`LRANGE l 0 -1`, `LPOP l`, `RPOP l`, `LPOP l 2`, `RPOP l 2`, `LRANGE l 0 -1`, `LPOP l 0`, `RPOP l 0`,
			`LPOP l -1`, `LPOP l x`, `LPOP l 1.5`, `LPOP l " 1"`, `LPOP l 01`, `LPOP l 1 2`, `RPOP l 1 2`, `LPOP`,
			`LPOP l 100`, `EXISTS l`, `LPOP l`, `LPOP l 1`, `LPOP l 0`, `RPOP nokey`, `RPOP nokey 3`,
			`RPUSH l a b c`, `RPOP l 9223372036854775807`, `RPUSH l a`, `LPOP l 9223372036854775808`,
			`LPOP l -9223372036854775808`, `RPOP l`, `EXISTS l`,
			`RPUSH e ""`, `LRANGE e 0 -1`, `LLEN e`, `RPUSH bin "\x00\xff\r\n" "a\x00b"`, `LRANGE bin 0 -1`,
			`LPOP bin`, `RPUSH n 1 -1 12345678901234567890 3.5 0x10`, `LRANGE n 0 -1`, `RPOP n 5`,
			`SET s v`, `LPUSH s a`, `RPUSH s a`, `LPUSHX s a`, `RPUSHX s a`, `LPOP s`, `RPOP s`, `LPOP s 0`,
			`LPOP s x`, `LPOP s -1`, `LLEN s`, `GET s`,
			`HSET h f v`, `LPUSH h a`, `LPOP h`, `LLEN h`, `DEBUG DIGEST-VALUE l e bin n`,
		}},
		{name: "list-range-index", cmds: []string{
			`RPUSH l a b c d e f g`, `LRANGE l 0 0`, `LRANGE l 0 -1`, `LRANGE l -3 -1`, `LRANGE l -100 100`,
			`LRANGE l 2 1`, `LRANGE l 7 10`, `LRANGE l 6 6`, `LRANGE l -1 -2`, `LRANGE l -7 -7`, `LRANGE l -8 -8`,
			`LRANGE l 9223372036854775807 9223372036854775807`, `LRANGE l -9223372036854775808 9223372036854775807`,
			`LRANGE l 0 -9223372036854775808`, `LRANGE l x 1`, `LRANGE l 1 x`, `LRANGE l 1`, `LRANGE l 1 2 3`,
			`LRANGE nokey 0 -1`, `LRANGE nokey x y`, `LINDEX l 0`, `LINDEX l -1`, `LINDEX l 6`, `LINDEX l 7`,
			`LINDEX l -7`, `LINDEX l -8`, `LINDEX l x`, `LINDEX l 1.0`, `LINDEX nokey 0`, `LINDEX nokey x`,
			`LINDEX l 9223372036854775807`, `LINDEX l -9223372036854775808`, `LINDEX l`,
			`SET s v`, `LRANGE s 0 -1`, `LRANGE s x 1`, `LINDEX s 0`, `LINDEX s x`, `LLEN s`, `LLEN`, `LLEN l x`,
		}},
		{name: "list-set-insert", cmds: []string{
			`RPUSH l a b c`, `LSET l 0 A`, `LSET l -1 C`, `LSET l 1 ""`, `LRANGE l 0 -1`, `LSET l 3 x`, `LSET l -4 x`,
			`LSET l x v`, `LSET nokey 0 v`, `LSET nokey x v`, `LSET l 0`, `SET s v`, `LSET s 0 v`, `LSET s x v`,
			`LSET l 9223372036854775807 x`, `LSET l -9223372036854775808 x`,
			`LINSERT l BEFORE A x`, `LINSERT l AFTER C y`, `LINSERT l after "" z`, `LINSERT l before nosuch q`,
			`LRANGE l 0 -1`, `LINSERT l middle A q`, `LINSERT nokey BEFORE a b`, `EXISTS nokey`, `LINSERT s BEFORE a b`,
			`LINSERT s middle a b`, `LINSERT l BEFORE A`, `RPUSH d x x x`, `LINSERT d AFTER x y`, `LRANGE d 0 -1`,
			`LINSERT d BEFORE x w`, `LRANGE d 0 -1`, `LLEN d`,
			listFill("big", "e", 100), `LINSERT big BEFORE e50 mid`, `LINSERT big AFTER e3 early`, `LINSERT big BEFORE e97 late`,
			`LRANGE big 0 -1`, `LSET big 60 sixty`, `LINDEX big 60`, `LINDEX big 51`,
		}},
		{name: "list-rem-trim", cmds: []string{
			`RPUSH l a b a c a d a`, `LREM l 2 a`, `LRANGE l 0 -1`, `LREM l -1 a`, `LRANGE l 0 -1`, `LREM l 0 a`,
			`LRANGE l 0 -1`, `LREM l 0 nosuch`, `LREM l x a`, `LREM nokey 1 a`, `LREM nokey x a`, `LREM l 1`,
			`RPUSH m x y x y x`, `LREM m -2 x`, `LRANGE m 0 -1`, `LREM m -100 y`, `LRANGE m 0 -1`, `LREM m 0 x`,
			`EXISTS m`, `RPUSH m a a a`, `LREM m -9223372036854775808 a`, `EXISTS m`,
			`RPUSH m a b a`, `LREM m 9223372036854775807 a`, `LRANGE m 0 -1`,
			`SET s v`, `LREM s 1 a`, `LREM s x a`,
			`RPUSH t a b c d e f`, `LTRIM t 1 -2`, `LRANGE t 0 -1`, `LTRIM t 0 100`, `LRANGE t 0 -1`,
			`LTRIM t -2 -1`, `LRANGE t 0 -1`, `LTRIM t 1 0`, `EXISTS t`, `RPUSH t a b c`, `LTRIM t 5 10`, `EXISTS t`,
			`RPUSH t a b c`, `LTRIM t -100 -3`, `LRANGE t 0 -1`, `LTRIM t x 1`, `LTRIM t 0 x`, `LTRIM nokey 0 1`,
			`LTRIM nokey x 1`, `LTRIM s 0 1`, `LTRIM s x 1`, `LTRIM t 0`,
			`RPUSH u a b c`, `LTRIM u 0 -9223372036854775808`, `EXISTS u`, `RPUSH u a b c`,
			`LTRIM u -9223372036854775808 9223372036854775807`, `LRANGE u 0 -1`,
			listFill("big", "e", 300), `LTRIM big 100 199`, `LLEN big`, `LINDEX big 0`, `LINDEX big -1`,
			`LREM big 0 e150`, `LLEN big`, `LRANGE big 45 55`,
		}},
		{name: "list-lpos", cmds: []string{
			`RPUSH l a b c 1 2 3 c c`, `LPOS l c`, `LPOS l c RANK 2`, `LPOS l c RANK -1`, `LPOS l c RANK -3`,
			`LPOS l c RANK 4`, `LPOS l c COUNT 0`, `LPOS l c COUNT 2`, `LPOS l c COUNT 2 RANK -1`,
			`LPOS l c RANK 2 COUNT 0`, `LPOS l c MAXLEN 3`, `LPOS l c MAXLEN 2`, `LPOS l c COUNT 0 MAXLEN 7`,
			`LPOS l c COUNT 0 RANK -1 MAXLEN 2`, `LPOS l nosuch`, `LPOS l nosuch COUNT 0`, `LPOS l nosuch COUNT 5`,
			`LPOS l c RANK 0`, `LPOS l c RANK x`, `LPOS l c COUNT -1`, `LPOS l c COUNT x`, `LPOS l c MAXLEN -1`,
			`LPOS l c MAXLEN x`, `LPOS l c FOO 1`, `LPOS l c RANK`, `LPOS l c COUNT`, `LPOS l c count 1 rank 1 maxlen 0`,
			`LPOS l c RANK 1 RANK -1`, `LPOS l c COUNT 1 COUNT 0`,
			`LPOS l c RANK -9223372036854775808`, `LPOS l c RANK -9223372036854775808 COUNT 2`,
			`LPOS l c RANK -9223372036854775808 COUNT 0`, `LPOS l c RANK 9223372036854775807`,
			`LPOS l c RANK 9223372036854775807 COUNT 0`, `LPOS l c RANK -9223372036854775807 COUNT 3`,
			`LPOS nokey a`, `LPOS nokey a COUNT 0`, `LPOS nokey a COUNT 1`, `LPOS nokey a RANK 0`, `LPOS nokey a MAXLEN x`,
			`SET s v`, `LPOS s a`, `LPOS s a COUNT 1`, `LPOS s a RANK 0`, `LPOS l`, `LPOS l 1 2`,
		}},
		{name: "list-lmove", cmds: []string{
			`RPUSH a 1 2 3`, `LMOVE a b LEFT RIGHT`, `LMOVE a b RIGHT LEFT`, `LMOVE a b left left`, `LRANGE b 0 -1`,
			`EXISTS a`, `LMOVE a b LEFT RIGHT`, `LMOVE b b LEFT RIGHT`, `LRANGE b 0 -1`, `LMOVE b b RIGHT LEFT`,
			`LRANGE b 0 -1`, `LMOVE b a UP LEFT`, `LMOVE b a LEFT DOWN`, `LMOVE b a`, `RPOPLPUSH b a`, `RPOPLPUSH b a`,
			`RPOPLPUSH b a`, `EXISTS b`, `LRANGE a 0 -1`, `RPOPLPUSH nokey a`, `RPOPLPUSH a a`, `LRANGE a 0 -1`,
			`RPUSH one x`, `RPOPLPUSH one one`, `LRANGE one 0 -1`, `LMOVE one one LEFT LEFT`, `LRANGE one 0 -1`,
			`SET s v`, `LMOVE s a LEFT LEFT`, `LMOVE a s LEFT LEFT`, `LRANGE a 0 -1`, `LMOVE nokey s LEFT LEFT`,
			`RPOPLPUSH s a`, `RPOPLPUSH a s`, `RPOPLPUSH nokey s`, `LMOVE s s LEFT LEFT`, `RPOPLPUSH s`,
			`LMOVE a b LEFT RIGHT extra`,
		}},
		{name: "list-lmpop", cmds: []string{
			`RPUSH a 1 2 3`, `RPUSH b x y`, `LMPOP 2 nokey a LEFT`, `LMPOP 2 a b RIGHT COUNT 10`, `LMPOP 1 b LEFT COUNT 1`,
			`LMPOP 2 a b LEFT`, `LMPOP 2 a b LEFT COUNT 2`, `EXISTS a b`, `LMPOP 1 nokey LEFT`, `LMPOP 1 nokey LEFT COUNT 5`,
			`LMPOP 0 a LEFT`, `LMPOP -1 a LEFT`, `LMPOP x a LEFT`, `LMPOP 1 a`, `LMPOP 1 a MIDDLE`, `LMPOP 2 a LEFT`,
			`LMPOP 3 a b LEFT`, `LMPOP 1 a LEFT COUNT`, `LMPOP 1 a LEFT COUNT 0`, `LMPOP 1 a LEFT COUNT -1`,
			`LMPOP 1 a LEFT COUNT x`, `LMPOP 1 a LEFT COUNT 1 COUNT 2`, `LMPOP 1 a LEFT FOO`, `LMPOP 1 a LEFT count 1 x`,
			`LMPOP 9223372036854775807 a LEFT`, `LMPOP 9223372036854775808 a LEFT`, `LMPOP 1`, `LMPOP`,
			`LMPOP 1 a LEFT COUNT 9223372036854775807`, `LMPOP 1 a LEFT COUNT 9223372036854775808`,
			`SET s v`, `RPUSH c 1`, `LMPOP 2 s c LEFT`, `LMPOP 2 c s LEFT`, `LMPOP 2 nokey s RIGHT COUNT 2`,
			`RPUSH d 1 2 3`, `LMPOP 1 d LEFT COUNT 2`, `LMPOP 1 d RIGHT COUNT 5`, `EXISTS d`,
		}},
		{name: "list-blocking-nonblocking", cmds: []string{
			`RPUSH a 1 2 3`, `BLPOP a 0`, `BRPOP a 0`, `BLPOP nokey a 0`, `BRPOP a nokey 1`, `EXISTS a`,
			`BLPOP nokey 0.01`, `BRPOP nokey nokey2 0.01`, `BLPOP nokey x`, `BLPOP nokey -1`, `BLPOP nokey ""`,
			`BLPOP nokey " 1"`, `BLPOP nokey 1e5000`, `BLPOP nokey inf`, `BLPOP nokey -inf`, `BLPOP nokey nan`,
			`BLPOP nokey 9223372036854775807`, `BLPOP nokey 9.3e15`, `BLPOP nokey -1.5`, `BLPOP nokey 0x0.0001p-2`,
			`BLPOP nokey 1e-400`, `BLPOP nokey 0.0001`, `BLPOP`, `BLPOP nokey`,
			`SET s v`, `BLPOP s 0`, `BLPOP nokey s 0`, `RPUSH b x`, `BLPOP b s 0`, `BLPOP s b 0`, `RPUSH b x`,
			`BRPOP b s 0`,
			`RPUSH c 1 2 3`, `BLMOVE c d LEFT RIGHT 0`, `BRPOPLPUSH c d 0`, `LRANGE d 0 -1`, `BLMOVE nokey d LEFT LEFT 0.01`,
			`BRPOPLPUSH nokey d 0.01`, `BLMOVE c d UP LEFT 0`, `BLMOVE c d LEFT LEFT x`, `BLMOVE c d LEFT LEFT -1`,
			`BLMOVE s d LEFT LEFT 0`, `BLMOVE c s LEFT LEFT 0`, `BLMOVE nokey s LEFT LEFT 0.01`, `BRPOPLPUSH s d 0`,
			`BRPOPLPUSH c s 0`, `LRANGE c 0 -1`, `BRPOPLPUSH c c 0`, `BRPOPLPUSH c d`, `BLMOVE c d LEFT LEFT`,
			`RPUSH e 1 2 3 4`, `BLMPOP 0 2 nokey e LEFT`, `BLMPOP 0 1 e RIGHT COUNT 2`, `BLMPOP 0 1 e RIGHT COUNT 5`,
			`BLMPOP 0.01 1 e LEFT`, `BLMPOP 0.01 1 e LEFT COUNT 3`, `BLMPOP x 1 e LEFT`, `BLMPOP -1 1 e LEFT`,
			`BLMPOP 0 0 e LEFT`, `BLMPOP 0 1 e MIDDLE`, `BLMPOP 0 1 e LEFT COUNT 0`, `BLMPOP 0 2 e LEFT`,
			`BLMPOP 0 2 nokey s LEFT`, `BLMPOP -1 0 e LEFT`, `BLMPOP x 0 e LEFT`, `BLMPOP 0`, `BLMPOP 0 1 e`,
		}},
		{name: "list-multi", cmds: []string{
			`MULTI`, `BLPOP nokey 0`, `BRPOP nokey 0`, `BLMOVE nokey d LEFT LEFT 0`, `BRPOPLPUSH nokey d 0`,
			`BLMPOP 0 1 nokey LEFT`, `RPUSH a 1 2`, `BLPOP a 0`, `BLMOVE a d LEFT LEFT 0`, `BLPOP a 0`, `EXEC`,
			`MULTI`, `BLPOP nokey x`, `BLPOP nokey -1`, `LPOP nokey`, `EXEC`, `LRANGE d 0 -1`,
			`MULTI`, `BLPOP`, `EXEC`, `SET s v`, `MULTI`, `BLPOP s 0`, `BLMOVE nokey s LEFT LEFT 0`, `RPUSH s x`, `EXEC`,
		}},
		{name: "list-keys", cmds: []string{
			`RPUSH l a b c`, `EXPIRE l 100`, `LPUSH l z`, `TTL l`, `LPOP l 4`, `EXISTS l`, `TTL l`,
			`RPUSH l a b`, `RENAME l m`, `LRANGE m 0 -1`, `COPY m n`, `RPUSH n c`, `LRANGE m 0 -1`, `LRANGE n 0 -1`,
			`MOVE n 1`, `SELECT 1`, `LRANGE n 0 -1`, `SELECT 0`, `TYPE m`, `OBJECT ENCODING m`,
			`DEBUG DIGEST-VALUE m`, `DEBUG DIGEST`, `@dumprestore m r 0`, `LRANGE r 0 -1`, `DEBUG DIGEST-VALUE r`,
			`@dumprestore m r 0`, `@dumprestore m r 0 REPLACE`, `LRANGE r 0 -1`, `OBJECT ENCODING r`,
			listFill("big", "e", 2000), `@dumprestore big bigr 0`, `LLEN bigr`, `LRANGE bigr 1990 -1`,
			`DEBUG DIGEST-VALUE big bigr`, `OBJECT ENCODING big`, `MEMORY USAGE big`, `MEMORY USAGE m`,
			`DEBUG OBJECT m`, `DEBUG OBJECT big`, `LPOP big 1500`, `DEBUG OBJECT big`, `RPUSH huge ` + strings.Repeat("h", 9000),
			`DEBUG OBJECT huge`, `RPUSH huge x`, `DEBUG OBJECT huge`,
			`SCAN 0 TYPE list`, `DEL m`, `SCAN 0 TYPE list COUNT 100`,
			`RPUSH x 1`, `PEXPIRE x 1`, `@wait 5`, `LPUSH x 2`, `LRANGE x 0 -1`, `TTL x`,
			`RPUSH y 1`, `PEXPIRE y 1`, `@wait 5`, `LLEN y`, `RPUSH z 1`, `PEXPIRE z 1`, `@wait 5`, `BLPOP z 0.01`,
			`RPUSH w 1`, `PEXPIRE w 1`, `@wait 5`, `RPOPLPUSH q w`, `LMOVE w q LEFT LEFT`,
		}},
		{name: "list-big", cmds: []string{
			listFill("l", "v", 1000), `LLEN l`, `LRANGE l 0 9`, `LRANGE l 990 -1`, `LRANGE l 500 510`, `LINDEX l 777`,
			`LPOP l 300`, `RPOP l 300`, `LLEN l`, `LINDEX l 0`, `LINDEX l -1`, `LRANGE l 0 -1`,
			listFill("m", strings.Repeat("x", 1000), 50), `LRANGE m 0 -1`, `LPOS m ` + strings.Repeat("x", 1000) + `25`,
			`LREM m 0 ` + strings.Repeat("x", 1000) + `3`, `LLEN m`,
		}},
	}
	for i := range seqs {
		seqs[i].requires = listRequires
	}
	return seqs
}

// TestInteropDifferentialListEdgeCases runs the list sequences against
// redis-server and the target, in RESP2 and RESP3.
func TestInteropDifferentialListEdgeCases(t *testing.T) {
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	n := runSequences(t, oracle, target, listSequences())
	t.Logf("compared %d replies from %d list sequences (each in RESP2 and RESP3) against %s",
		n, len(listSequences()), diffTarget())
}

// --- The randomized run -----------------------------------------------------------

// listKeys are the keys of the randomized list run: few, so that commands
// meet on them.
var listKeys = []string{"l0", "l1", "l2", "l3", "", "b\x00\xff"}

// listElem returns an element: mostly from a small set, so that LREM, LPOS
// and LINSERT find them; sometimes empty, binary, numeric or long.
func (g *gen) listElem() string {
	switch r := g.intn(30); {
	case r == 0:
		return ""
	case r == 1:
		return "\x00\xff\r\n"
	case r == 2:
		return g.pick(numericValues...)
	case r == 3:
		return strings.Repeat("L", 60+g.intn(100))
	}
	return g.pick("a", "b", "c", "d", "e", "x", "y", "1", "2")
}

func (g *gen) listElems(min, max int) []string {
	n := min + g.intn(max-min+1)
	es := make([]string, n)
	for i := range es {
		es[i] = g.listElem()
	}
	return es
}

// listIndex returns an index or count: mostly small, sometimes negative,
// huge, or not a number.
func (g *gen) listIndex() string {
	switch g.intn(25) {
	case 0:
		return g.pick("9223372036854775807", "-9223372036854775808", "9223372036854775808")
	case 1:
		return g.pick("x", "1.5", "", " 1", "01")
	case 2, 3, 4:
		return strconv.Itoa(-1 - g.intn(12))
	}
	return strconv.Itoa(g.intn(12))
}

func (g *gen) listSide() string {
	if g.chance(0.02) {
		return g.pick("UP", "middle", "")
	}
	return g.pick("LEFT", "RIGHT", "left", "right")
}

// listTimeout is a blocking command's timeout that never blocks for long:
// the keys are usually ready, and an empty one times out at once.
func (g *gen) listTimeout() string {
	if g.chance(0.05) {
		return g.pick("x", "-1", "inf", "nan", "")
	}
	return g.pick("0.001", "0.002", "0.001")
}

var listRandomCommands = []weighted{
	{50, func(g *gen, o *op) []string {
		return append([]string{g.pick("LPUSH", "RPUSH"), g.key()}, g.listElems(1, 5)...)
	}},
	{2, func(g *gen, o *op) []string {
		a := []string{"RPUSH", g.key()}
		for i := range 100 + g.intn(200) {
			a = append(a, "m"+strconv.Itoa(i%20))
		}
		return a
	}},
	{10, func(g *gen, o *op) []string {
		return append([]string{g.pick("LPUSHX", "RPUSHX"), g.key()}, g.listElems(1, 3)...)
	}},
	{30, func(g *gen, o *op) []string {
		a := []string{g.pick("LPOP", "RPOP"), g.key()}
		if g.chance(0.4) {
			a = append(a, g.listIndex())
		}
		return a
	}},
	{10, func(g *gen, o *op) []string { return []string{"LLEN", g.key()} }},
	{30, func(g *gen, o *op) []string { return []string{"LRANGE", g.key(), g.listIndex(), g.listIndex()} }},
	{15, func(g *gen, o *op) []string { return []string{"LINDEX", g.key(), g.listIndex()} }},
	{10, func(g *gen, o *op) []string { return []string{"LSET", g.key(), g.listIndex(), g.listElem()} }},
	{10, func(g *gen, o *op) []string {
		where := g.pick("BEFORE", "AFTER", "before", "after")
		if g.chance(0.02) {
			where = "middle"
		}
		return []string{"LINSERT", g.key(), where, g.listElem(), g.listElem()}
	}},
	{10, func(g *gen, o *op) []string { return []string{"LREM", g.key(), g.listIndex(), g.listElem()} }},
	{8, func(g *gen, o *op) []string { return []string{"LTRIM", g.key(), g.listIndex(), g.listIndex()} }},
	{15, func(g *gen, o *op) []string {
		a := []string{"LPOS", g.key(), g.listElem()}
		for range g.intn(3) {
			switch g.intn(3) {
			case 0:
				a = append(a, "RANK", g.pick("1", "2", "-1", "-2", "3", "0", "-9223372036854775808"))
			case 1:
				a = append(a, "COUNT", g.pick("0", "1", "2", "5", "-1"))
			default:
				a = append(a, "MAXLEN", g.pick("0", "1", "3", "10", "-1"))
			}
		}
		return a
	}},
	{12, func(g *gen, o *op) []string { return []string{"LMOVE", g.key(), g.key(), g.listSide(), g.listSide()} }},
	{6, func(g *gen, o *op) []string { return []string{"RPOPLPUSH", g.key(), g.key()} }},
	{10, func(g *gen, o *op) []string {
		keys := g.keysN(1, 3)
		a := append([]string{"LMPOP", strconv.Itoa(len(keys))}, keys...)
		a = append(a, g.listSide())
		if g.chance(0.5) {
			a = append(a, "COUNT", g.pick("1", "2", "5", "100", "0"))
		}
		return a
	}},
	{8, func(g *gen, o *op) []string {
		return append(append([]string{g.pick("BLPOP", "BRPOP")}, g.keysN(1, 3)...), g.listTimeout())
	}},
	{4, func(g *gen, o *op) []string {
		return []string{"BLMOVE", g.key(), g.key(), g.listSide(), g.listSide(), g.listTimeout()}
	}},
	{3, func(g *gen, o *op) []string { return []string{"BRPOPLPUSH", g.key(), g.key(), g.listTimeout()} }},
	{5, func(g *gen, o *op) []string {
		keys := g.keysN(1, 3)
		a := append([]string{"BLMPOP", g.listTimeout(), strconv.Itoa(len(keys))}, keys...)
		a = append(a, g.listSide())
		if g.chance(0.5) {
			a = append(a, "COUNT", g.pick("1", "3", "50"))
		}
		return a
	}},
	// Keys: type errors, deletion, expiry, moves, copies, restores.
	{8, func(g *gen, o *op) []string { return append([]string{"DEL"}, g.keysN(1, 2)...) }},
	{5, func(g *gen, o *op) []string { return append([]string{"EXISTS"}, g.keysN(1, 2)...) }},
	{5, func(g *gen, o *op) []string { return []string{"TYPE", g.key()} }},
	{5, func(g *gen, o *op) []string { return []string{"SET", g.key(), g.value()} }},
	{2, func(g *gen, o *op) []string { return []string{"HSET", g.key(), "f", "v"} }},
	{5, func(g *gen, o *op) []string {
		return []string{"EXPIRE", g.key(), strconv.FormatInt(g.relExpiry(), 10)}
	}},
	{3, func(g *gen, o *op) []string {
		ms := 1 + g.intn(5)
		o.shortExpiry = time.Duration(ms) * time.Millisecond
		return []string{"PEXPIRE", g.key(), strconv.Itoa(ms)}
	}},
	{3, func(g *gen, o *op) []string { return []string{"TTL", g.key()} }},
	{4, func(g *gen, o *op) []string { return []string{g.pick("RENAME", "RENAMENX"), g.key(), g.key()} }},
	{4, func(g *gen, o *op) []string {
		a := []string{"COPY", g.key(), g.key()}
		if g.chance(0.5) {
			a = append(a, "REPLACE")
		}
		return a
	}},
	{5, func(g *gen, o *op) []string { return []string{"OBJECT", "ENCODING", g.key()} }},
	{3, func(g *gen, o *op) []string { return []string{"DEBUG", "OBJECT", g.key()} }},
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
}

// listProbes touch a key that may have just expired, with no syntax error
// possible.
var listProbes = []func(k string) []string{
	func(k string) []string { return []string{"LLEN", k} },
	func(k string) []string { return []string{"LPUSH", k, "new"} },
	func(k string) []string { return []string{"RPOP", k} },
	func(k string) []string { return []string{"LRANGE", k, "0", "-1"} },
	func(k string) []string { return []string{"LINDEX", k, "0"} },
	func(k string) []string { return []string{"EXISTS", k} },
}

// runListRandom runs n generated list steps on p, the second half in RESP3.
func runListRandom(p *pair, seed int64, n int) {
	p.t.Helper()
	g := newGen(seed)
	g.keys = listKeys
	total := 0
	for _, w := range listRandomCommands {
		total += w.w
	}
	p.do("FLUSHALL")
	var batch [][]string
	flush := func() {
		p.doBatch(batch)
		batch = batch[:0]
	}
	for i := 0; i < n; i++ {
		if i == n/2 {
			flush()
			p.do("HELLO", "3")
		}
		o := g.next(listRandomCommands, total)
		if len(batch) == 0 && g.chance(0.02) || len(batch) > 0 && len(batch) < 64 && g.chance(0.97) {
			if batchable(o) {
				batch = append(batch, o.args)
				continue
			}
		}
		flush()
		if o.restore {
			p.dumpRestore(o.dumpKey, o.args[1], o.args[2:])
			continue
		}
		p.do(o.args...)
		if o.shortExpiry > 0 {
			// Not a readiness wait: the expiry both servers just set must
			// pass (see runRandom).
			<-time.After(o.shortExpiry + 2*time.Millisecond)
			p.do(listProbes[g.intn(len(listProbes))](o.key)...)
		}
	}
	flush()
	p.sync()
}

// TestInteropDifferentialList runs SHARDIS_DIFF_N (default 8,000; 800 under
// -short) generated list commands against redis-server and the target.
// Replay a failure with SHARDIS_SEED=<the seed it printed>.
func TestInteropDifferentialList(t *testing.T) {
	randomDifferential(t, "list seed ", 8000, func(p *pair, target string, seed int64, n int) {
		runListRandom(p, seed, n)
	})
}

// TestInteropDifferentialListSelfCheck runs the list sequences and a
// shorter random run with redis-server on both sides: a mismatch there is a
// test step whose reply depends on timing, not a server bug.
func TestInteropDifferentialListSelfCheck(t *testing.T) {
	a, b := startRedis(t), startRedis(t)
	n := runSequences(t, a, b, listSequences())
	seed := randomSeed(t)
	p := newPair(t, "list self-check seed "+strconv.FormatInt(seed, 10), a, b)
	runListRandom(p, seed, randomCount(t, 8000)/4)
	t.Logf("redis-server against redis-server: %d hand-written and %d random list replies compared (seed %d)",
		n, p.compared, seed)
}

// TestInteropDifferentialListKeyspaceEvents subscribes to every keyspace
// and keyevent channel on both servers, runs list commands (blocked clients
// served by pushes among them), and requires the same notifications in the
// same order.
func TestInteropDifferentialListKeyspaceEvents(t *testing.T) {
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	addrs := [2]string{oracle, target}
	p := newPair(t, "list-events", oracle, target)
	p.do("CONFIG", "SET", "notify-keyspace-events", "KEAn")
	subs := [2]*side{dialSide(t, "redis-server", oracle), dialSide(t, p.target.name, target)}
	for _, s := range subs {
		if _, r, err := s.roundTrip("PSUBSCRIBE", "__key*__:*"); err != nil || r.isError() {
			t.Fatalf("%s: PSUBSCRIBE: %v %v", s.name, r, err)
		}
	}
	// blocked sends cmd from a client of its own on each server and waits
	// until both have blocked it; served reads and compares their replies.
	var waiters [2]*side
	blocked := func(cmd ...string) {
		for i, addr := range addrs {
			waiters[i] = dialSide(t, "blocked", addr)
			if err := waiters[i].send(cmd); err != nil {
				t.Fatal(err)
			}
			ctl := dialSide(t, "control", addr)
			if got := waitBlocked(t, ctl, 1); got != 1 {
				t.Fatalf("%s: %d clients blocked", addr, got)
			}
			ctl.conn.Close()
		}
	}
	served := func() {
		var raws [2][]byte
		for i, w := range waiters {
			raw, _, err := w.recv()
			if err != nil {
				t.Fatal(err)
			}
			raws[i] = raw
			w.conn.Close()
		}
		if string(raws[0]) != string(raws[1]) {
			t.Errorf("blocked client served %q by redis-server, %q by %s", raws[0], raws[1], p.target.name)
		}
	}
	for _, line := range []string{
		`RPUSH l a b c`, `LPUSH l z`, `LPUSHX l y`, `RPUSHX nokey x`, `LPOP l`, `RPOP l 2`, `LPOP l 0`,
		`LSET l 0 Z`, `LINSERT l BEFORE Z w`, `LINSERT l AFTER nosuch v`, `LREM l 0 w`, `LREM l 0 nosuch`,
		`LTRIM l 0 -1`, `RPUSH l d e f`, `LTRIM l 1 2`, `LMOVE l m LEFT RIGHT`, `RPOPLPUSH m m`, `LMPOP 2 l m RIGHT COUNT 5`,
		`RPUSH l 1 2`, `LTRIM l 5 10`, `RPUSH l 1`, `RPOP l`, `SET s v`, `LPUSH s a`, `RPUSH l 1 2 3`, `LREM l 0 1`,
		`LREM l 0 2`, `LREM l 0 3`, `RPUSH l x`, `LMOVE l l LEFT LEFT`, `LMOVE l n RIGHT LEFT`,
		`BLPOP n 0`, `BLMOVE nokey n LEFT LEFT 0.01`, `RPUSH o 1 2`, `BLMPOP 0 1 o LEFT COUNT 5`, `BRPOPLPUSH nokey o 0.01`,
		`RPUSH r 1`, `RENAME r r2`, `COPY r2 r3`, `@dumprestore r3 r4 0`, `RPUSH e 1`, `PEXPIRE e 5`, `@wait 20`, `LLEN e`,
	} {
		p.runLine(line)
	}
	blocked("BLPOP", "k", "0")
	p.do("RPUSH", "k", "a", "b")
	served()
	blocked("BLMOVE", "k2", "d", "RIGHT", "LEFT", "0")
	p.do("RPUSH", "k2", "c")
	served()
	blocked("BLMPOP", "0", "2", "x", "k3", "LEFT", "COUNT", "3")
	p.do("LPUSH", "k3", "1", "2")
	served()
	blocked("BRPOPLPUSH", "k4", "s", "0")
	p.do("RPUSH", "k4", "v")
	served()
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
