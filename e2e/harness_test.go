package e2e

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"
)

// Tests of the harness itself: they need no external tools.

func TestDifferencesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../DIFFERENCES.md")
	if err != nil {
		t.Fatalf("read DIFFERENCES.md: %v", err)
	}
	sections := []string{diffUnordered, diffScan, diffTTL, diffClock, diffIdentity, diffMemory,
		diffInfo, diffIdle, diffDump, diffRandomKey, diffDebugObj, diffConfigVals,
		diffHashOrder, diffHashScan, diffHashRandom,
		diffSetOrder, diffSetScan, diffSetRandom,
		diffPubsubOrder,
		diffListNodes,
		diffZsetScan, diffZsetRandom,
		"The proxy as a Redis Cluster (CLUSTER, INFO, CONFIG, COMMAND, ROLE)",
		"Differences no comparison rule relaxes"}
	for _, s := range sections {
		if !bytes.Contains(doc, []byte("\n## "+s+"\n")) {
			t.Errorf("DIFFERENCES.md has no section %q, which a comparison rule names", s)
		}
	}
	if n := bytes.Count(doc, []byte("\n## ")); n != len(sections) {
		t.Errorf("DIFFERENCES.md has %d sections, the harness names %d: keep them in step", n, len(sections))
	}
}

func TestSplitArgs(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{`SET a b`, []string{"SET", "a", "b"}},
		{`  SET   a  `, []string{"SET", "a"}},
		{`SET "a b" 'c d'`, []string{"SET", "a b", "c d"}},
		{`SET "\x00\xff\r\n" ""`, []string{"SET", "\x00\xff\r\n", ""}},
		{`SET 'it\'s' "q\"q"`, []string{"SET", "it's", `q"q`}},
		{`KEYS "\\*"`, []string{"KEYS", `\*`}},
	} {
		got, err := splitArgs(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("splitArgs(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{`SET "a`, `SET 'a`, `SET "a"b`} {
		if _, err := splitArgs(bad); err == nil {
			t.Errorf("splitArgs(%q): want an error", bad)
		}
	}
}

func TestReplyReader(t *testing.T) {
	replies := []string{
		"+OK\r\n", "-ERR x\r\n", ":-5\r\n", "$3\r\na\r\n\r\n", "$-1\r\n", "*-1\r\n", "$0\r\n\r\n",
		"*2\r\n$1\r\na\r\n*1\r\n:1\r\n", "_\r\n", ",3.5\r\n", "#t\r\n", "(123\r\n",
		"=7\r\ntxt:abc\r\n", "%1\r\n+k\r\n:1\r\n", "~1\r\n+m\r\n", ">2\r\n+a\r\n+b\r\n", "!3\r\nERR\r\n",
		"|1\r\n+a\r\n:1\r\n+OK\r\n",
	}
	in := strings.Join(replies, "")
	rr := newReplyReader(strings.NewReader(in))
	for _, want := range replies {
		raw, r, err := rr.read()
		if err != nil {
			t.Fatalf("read %q: %v", want, err)
		}
		if string(raw) != want {
			t.Errorf("raw = %q, want %q", raw, want)
		}
		if r.wire() != want {
			t.Errorf("re-encoded %q, want %q", r.wire(), want)
		}
	}
	for _, bad := range []string{"?\r\n", "$5\r\nab\r\n", "+OK\n", "*x\r\n", "$3\r\nabcde"} {
		if _, _, err := newReplyReader(strings.NewReader(bad)).read(); err == nil {
			t.Errorf("read %q: want an error", bad)
		}
	}
}

func parse(t *testing.T, s string) (reply, []byte) {
	t.Helper()
	raw, r, err := newReplyReader(strings.NewReader(s)).read()
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return r, raw
}

func TestComparisonRules(t *testing.T) {
	for _, c := range []struct {
		cmd  string
		o, g string
		same bool
	}{
		{"GET a", "$1\r\n1\r\n", "$1\r\n1\r\n", true},
		{"GET a", "$1\r\n1\r\n", "$1\r\n2\r\n", false},
		{"GET a", "$1\r\n1\r\n", "+1\r\n", false},
		{"KEYS *", "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\nb\r\n$1\r\na\r\n", true},
		{"KEYS *", "*2\r\n$1\r\na\r\n$1\r\na\r\n", "*2\r\n$1\r\na\r\n$1\r\nb\r\n", false},
		{"TTL a", ":100\r\n", ":99\r\n", true},
		{"TTL a", ":100\r\n", ":97\r\n", false},
		{"TTL a", ":-1\r\n", ":0\r\n", false},
		{"PTTL a", ":100000\r\n", ":99500\r\n", true},
		{"PTTL a", ":-2\r\n", ":-1\r\n", false},
		{"TIME", "*2\r\n$3\r\n123\r\n$1\r\n5\r\n", "*2\r\n$3\r\n456\r\n$2\r\n77\r\n", true},
		{"TIME", "*2\r\n$3\r\n123\r\n$1\r\n5\r\n", "*1\r\n$3\r\n456\r\n", false},
		{"CLIENT ID", ":5\r\n", ":9\r\n", true},
		{"MEMORY USAGE a", ":50\r\n", "_\r\n", false},
		{"MEMORY USAGE a", "$-1\r\n", "$-1\r\n", true},
		{"OBJECT IDLETIME a", ":0\r\n", ":1\r\n", true},
		{"OBJECT IDLETIME a", "-ERR x\r\n", ":1\r\n", false},
		{"DUMP a", "$3\r\nabc\r\n", "$5\r\nvwxyz\r\n", true},
		{"DUMP a", "$-1\r\n", "$5\r\nvwxyz\r\n", false},
		{"INFO", "$5\r\n# Ser\r\n", "$3\r\nabc\r\n", true},
		{"HELLO 3", "%2\r\n$2\r\nid\r\n:5\r\n$5\r\nproto\r\n:3\r\n", "%2\r\n$2\r\nid\r\n:7\r\n$5\r\nproto\r\n:3\r\n", true},
		{"HELLO 3", "%2\r\n$2\r\nid\r\n:5\r\n$5\r\nproto\r\n:3\r\n", "%2\r\n$2\r\nid\r\n:7\r\n$5\r\nproto\r\n:2\r\n", false},
		{"CONFIG GET *", "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n", "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n", true},
		{"CONFIG GET *", "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n", "*4\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n1\r\n", false},
		{"CONFIG GET port", "*2\r\n$4\r\nport\r\n$4\r\n6379\r\n", "*2\r\n$4\r\nport\r\n$4\r\n7001\r\n", true},
		{"DEBUG OBJECT a", "+Value at:0x7f00 refcount:1 encoding:embstr serializedlength:2 lru:1 lru_seconds_idle:0\r\n",
			"+Value at:0x1 refcount:1 encoding:embstr serializedlength:9 lru:5 lru_seconds_idle:3\r\n", true},
		{"DEBUG OBJECT a", "+Value at:0x7f00 refcount:1 encoding:embstr serializedlength:2 lru:1 lru_seconds_idle:0\r\n",
			"+Value at:0x1 refcount:1 encoding:raw serializedlength:9 lru:5 lru_seconds_idle:3\r\n", false},
	} {
		args, _ := splitArgs(c.cmd)
		rule := ruleFor(args)
		o, oraw := parse(t, c.o)
		g, graw := parse(t, c.g)
		d := rule.equal(o, g, oraw, graw)
		if (d == "") != c.same {
			t.Errorf("%s: %q vs %q with rule %q: got %q, want same=%v", c.cmd, c.o, c.g, rule.name, d, c.same)
		}
	}
}

// TestInteropHarnessDetectsMismatch proves the harness reports a divergence:
// both sides are redis-servers, and one of them is given a different value
// behind the harness's back.
func TestInteropHarnessDetectsMismatch(t *testing.T) {
	a, b := startRedis(t), startRedis(t)
	p := newPair(t, "self-test", a, b)
	var got []mismatch
	p.onMismatch = func(m mismatch) { got = append(got, m) }
	p.do("SET", "k", "same")
	p.do("GET", "k")
	p.do("SET", "s1", "x")
	if _, _, err := p.target.roundTrip("SET", "k", "different"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.target.roundTrip("SET", "s2", "x"); err != nil {
		t.Fatal(err)
	}
	p.do("GET", "k")
	p.do("SCAN", "0")
	p.do("KEYS", "*")
	p.do("DBSIZE")
	var cmds []string
	for _, m := range got {
		cmds = append(cmds, m.args[0])
	}
	if want := []string{"GET", "SCAN", "KEYS", "DBSIZE"}; !reflect.DeepEqual(cmds, want) {
		t.Fatalf("mismatches on %v, want %v", cmds, want)
	}
	if p.compared != 7 {
		t.Errorf("compared %d replies, want 7", p.compared)
	}
}

// coveredCommands is the command set the harness promises to cover: every
// one must appear in a hand-written sequence and in the random mix.
var coveredCommands = strings.Fields(`
PING ECHO SELECT SWAPDB DBSIZE FLUSHDB FLUSHALL TIME
CLIENT|ID CLIENT|SETNAME CLIENT|GETNAME CLIENT|SETINFO CLIENT|NO-EVICT CLIENT|NO-TOUCH CLIENT|REPLY
CONFIG|GET CONFIG|SET DEBUG|SLEEP DEBUG|DIGEST DEBUG|DIGEST-VALUE DEBUG|OBJECT DEBUG|SET-ACTIVE-EXPIRE
MEMORY|USAGE OBJECT|ENCODING OBJECT|FREQ OBJECT|IDLETIME OBJECT|REFCOUNT ROLE HELLO AUTH RESET
DEL UNLINK EXISTS TYPE TOUCH EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST
RENAME RENAMENX COPY MOVE KEYS SCAN RANDOMKEY DUMP RESTORE
GET SET SETNX SETEX PSETEX GETSET GETEX GETDEL MGET MSET MSETNX APPEND STRLEN GETRANGE SETRANGE SUBSTR
INCR DECR INCRBY DECRBY INCRBYFLOAT LCS SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO`)

func coverageKey(args []string) []string {
	name := strings.ToUpper(args[0])
	keys := []string{name}
	if len(args) > 1 {
		keys = append(keys, name+"|"+strings.ToUpper(args[1]))
	}
	return keys
}

func TestDifferentialCoverage(t *testing.T) {
	hand := map[string]bool{}
	for _, s := range allSequences() {
		for _, line := range s.cmds {
			args, err := splitArgs(line)
			if err != nil {
				t.Fatalf("%s: %q: %v", s.name, line, err)
			}
			if args[0] == "@dumprestore" {
				hand["DUMP"], hand["RESTORE"] = true, true
				continue
			}
			for _, k := range coverageKey(args) {
				hand[k] = true
			}
		}
	}
	random := map[string]bool{}
	g := newGen(1)
	total := 0
	for _, w := range randomCommands {
		total += w.w
	}
	for i := 0; i < 20000; i++ {
		o := g.next(randomCommands, total)
		if o.restore {
			random["DUMP"], random["RESTORE"] = true, true
			continue
		}
		for _, k := range coverageKey(o.args) {
			random[k] = true
		}
	}
	for _, c := range coveredCommands {
		if !hand[c] {
			t.Errorf("no hand-written sequence uses %s", c)
		}
		if !random[c] {
			t.Errorf("the random generator did not produce %s in 20,000 commands", c)
		}
	}
}
