package e2e

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Comparison rules. Every relaxation of the byte-for-byte comparison names
// the section of DIFFERENCES.md (at the repository root) that gives its
// reason; keep the two in step.

// cmpRule decides whether two replies to the same command agree.
type cmpRule struct {
	// name is the DIFFERENCES.md section, or "exact".
	name string
	// equal returns "" when the replies agree, else what differs.
	equal func(o, g reply, oraw, graw []byte) string
	// meta, when set, runs the command itself (e.g. SCAN iterates to the
	// end on each side) and compares what it collects.
	meta func(p *pair, args []string) (o, g result)
}

var exactRule = cmpRule{name: "exact", equal: func(_, _ reply, oraw, graw []byte) string {
	if bytes.Equal(oraw, graw) {
		return ""
	}
	return "bytes differ"
}}

// Section titles in DIFFERENCES.md.
const (
	diffUnordered  = "Unordered replies (KEYS, CONFIG GET)"
	diffScan       = "SCAN cursors and batches"
	diffTTL        = "Remaining and absolute expiry times (TTL, PTTL, EXPIRETIME, PEXPIRETIME)"
	diffClock      = "Clock readings (TIME, LASTSAVE)"
	diffIdentity   = "Client identity and introspection (CLIENT ID, CLIENT LIST, CLIENT INFO, HELLO id)"
	diffMemory     = "Memory accounting (MEMORY USAGE)"
	diffInfo       = "INFO"
	diffIdle       = "Access-time and LFU counters (OBJECT IDLETIME, OBJECT FREQ)"
	diffDump       = "DUMP payloads"
	diffRandomKey  = "RANDOMKEY"
	diffDebugObj   = "DEBUG OBJECT"
	diffConfigVals = "CONFIG GET values that name the process (port, dir, ...)"
)

// Tolerances for time-dependent replies, see DIFFERENCES.md (diffTTL). The
// two servers receive each command a moment apart, so relative expiries are
// set a few milliseconds apart and read a few milliseconds apart; under
// -race on a loaded machine that can reach a second.
const (
	ttlToleranceSeconds = 2
	ttlToleranceMillis  = 2000
)

// typeRules are the comparison rules of the data types' own files
// (diff_<type>_test.go), added from their init with addTypeRules. ruleFor
// asks them first; each returns ok false for commands it does not know.
var typeRules []func(args []string) (rule cmpRule, ok bool)

// addTypeRules registers a data type's comparison rules (see typeRules).
func addTypeRules(f func(args []string) (cmpRule, bool)) { typeRules = append(typeRules, f) }

// ruleFor picks the comparison rule for a command.
func ruleFor(args []string) cmpRule {
	for _, f := range typeRules {
		if r, ok := f(args); ok {
			return r
		}
	}
	name := strings.ToUpper(args[0])
	sub := ""
	if len(args) > 1 {
		sub = strings.ToUpper(args[1])
	}
	switch name {
	case "KEYS":
		return cmpRule{name: diffUnordered, equal: sortedEqual}
	case "SCAN":
		return cmpRule{name: diffScan, meta: scanMeta}
	case "RANDOMKEY":
		return cmpRule{name: diffRandomKey, meta: randomKeyMeta}
	case "TTL", "EXPIRETIME":
		return cmpRule{name: diffTTL, equal: toleranceEqual(ttlToleranceSeconds)}
	case "PTTL", "PEXPIRETIME":
		return cmpRule{name: diffTTL, equal: toleranceEqual(ttlToleranceMillis)}
	case "TIME", "LASTSAVE":
		return cmpRule{name: diffClock, equal: shapeEqual}
	case "INFO":
		return cmpRule{name: diffInfo, equal: shapeEqual}
	case "HELLO":
		return cmpRule{name: diffIdentity, equal: helloEqual}
	case "DUMP":
		return cmpRule{name: diffDump, equal: shapeEqual}
	case "MEMORY":
		if sub == "USAGE" {
			return cmpRule{name: diffMemory, equal: shapeEqual}
		}
	case "CLIENT":
		switch sub {
		case "ID", "LIST", "INFO":
			return cmpRule{name: diffIdentity, equal: shapeEqual}
		}
	case "OBJECT":
		switch sub {
		case "IDLETIME", "FREQ":
			return cmpRule{name: diffIdle, equal: shapeEqual}
		}
	case "DEBUG":
		if sub == "OBJECT" {
			return cmpRule{name: diffDebugObj, equal: debugObjectEqual}
		}
	case "CONFIG":
		if sub == "GET" {
			return cmpRule{name: diffUnordered + "; " + diffConfigVals, equal: configGetEqual}
		}
	}
	return exactRule
}

// wire re-encodes a parsed reply; two replies are the same exactly when
// their encodings are.
func (r reply) wire() string {
	var b strings.Builder
	r.encode(&b)
	return b.String()
}

func (r reply) encode(b *strings.Builder) {
	if r.attr != nil {
		r.attr.encode(b)
	}
	b.WriteByte(r.kind)
	switch {
	case r.kind == '_':
	case r.null:
		b.WriteString("-1")
	case r.kind == '$' || r.kind == '!' || r.kind == '=':
		b.WriteString(strconv.Itoa(len(r.str)) + "\r\n" + r.str)
	case r.isAggregate() || r.kind == '|':
		n := len(r.elems)
		if r.kind == '%' || r.kind == '|' {
			n /= 2
		}
		b.WriteString(strconv.Itoa(n) + "\r\n")
		for _, e := range r.elems {
			e.encode(b)
		}
		return
	default:
		b.WriteString(r.str)
	}
	b.WriteString("\r\n")
}

// errorsOrNullsDiffer handles the cases every relaxed rule compares
// exactly: an error or a null on either side.
func errorsOrNullsDiffer(o, g reply) (decided bool, detail string) {
	if o.isError() || g.isError() || o.null || g.null {
		if o.wire() == g.wire() {
			return true, ""
		}
		return true, "error or null reply differs"
	}
	return false, ""
}

// sortedEqual compares aggregates as multisets of their elements.
func sortedEqual(o, g reply, _, _ []byte) string {
	if decided, d := errorsOrNullsDiffer(o, g); decided {
		return d
	}
	if o.kind != g.kind || !o.isAggregate() {
		if o.wire() == g.wire() {
			return ""
		}
		return "reply type differs"
	}
	a, b := elemWires(o.elems), elemWires(g.elems)
	sort.Strings(a)
	sort.Strings(b)
	if strings.Join(a, "") == strings.Join(b, "") {
		return ""
	}
	return "different elements (compared sorted)"
}

func elemWires(es []reply) []string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.wire()
	}
	return s
}

// shapeEqual accepts replies of the same type and structure; errors and
// nulls must match exactly.
func shapeEqual(o, g reply, _, _ []byte) string {
	if d := shapeDiff(o, g); d != "" {
		return "shape differs: " + d
	}
	return ""
}

func shapeDiff(o, g reply) string {
	if decided, d := errorsOrNullsDiffer(o, g); decided {
		return d
	}
	if o.kind != g.kind {
		return fmt.Sprintf("type %q vs %q", o.kind, g.kind)
	}
	switch o.kind {
	case ':':
		return ""
	case '$', '+', '=':
		// A bulk that carries a number on one side must on the other.
		_, oerr := strconv.ParseInt(o.str, 10, 64)
		_, gerr := strconv.ParseInt(g.str, 10, 64)
		if (oerr == nil) != (gerr == nil) {
			return "numeric vs non-numeric string"
		}
		return ""
	}
	if o.isAggregate() {
		if len(o.elems) != len(g.elems) {
			return fmt.Sprintf("%d vs %d elements", len(o.elems), len(g.elems))
		}
		for i := range o.elems {
			if d := shapeDiff(o.elems[i], g.elems[i]); d != "" {
				return fmt.Sprintf("element %d: %s", i, d)
			}
		}
	}
	return ""
}

// toleranceEqual accepts integers within tol of each other when both are
// non-negative (a remaining time or an absolute time); -1 and -2 and errors
// must match exactly.
func toleranceEqual(tol int64) func(o, g reply, oraw, graw []byte) string {
	return func(o, g reply, oraw, graw []byte) string {
		a, aok := o.integer()
		b, bok := g.integer()
		if !aok || !bok || a < 0 || b < 0 {
			return exactRule.equal(o, g, oraw, graw)
		}
		if d := a - b; d > tol || d < -tol {
			return fmt.Sprintf("%d and %d differ by more than %d", a, b, tol)
		}
		return ""
	}
}

// helloEqual compares HELLO's map field by field, the connection id by
// shape only.
func helloEqual(o, g reply, oraw, graw []byte) string {
	if decided, d := errorsOrNullsDiffer(o, g); decided {
		return d
	}
	if o.kind != g.kind || len(o.elems) != len(g.elems) || len(o.elems)%2 != 0 {
		return exactRule.equal(o, g, oraw, graw)
	}
	for i := 0; i < len(o.elems); i += 2 {
		k, v := o.elems[i], o.elems[i+1]
		gk, gv := g.elems[i], g.elems[i+1]
		if k.wire() != gk.wire() {
			return fmt.Sprintf("field %d is %v vs %v", i/2, k, gk)
		}
		if s, _ := k.text(); s == "id" {
			if d := shapeDiff(v, gv); d != "" {
				return "id: " + d
			}
			continue
		}
		if v.wire() != gv.wire() {
			return fmt.Sprintf("field %v: %v vs %v", k, v, gv)
		}
	}
	return ""
}

// debugObjectEqual compares DEBUG OBJECT's "name:value" fields, except the
// ones that are addresses, clocks or RDB sizes (see diffDebugObj).
func debugObjectEqual(o, g reply, oraw, graw []byte) string {
	if decided, d := errorsOrNullsDiffer(o, g); decided {
		return d
	}
	if o.kind != '+' || g.kind != '+' {
		return exactRule.equal(o, g, oraw, graw)
	}
	of, gf := debugObjectFields(o.str), debugObjectFields(g.str)
	if len(of) != len(gf) {
		return fmt.Sprintf("fields %v vs %v", of, gf)
	}
	for i := range of {
		on, ov, _ := strings.Cut(of[i], ":")
		gn, gv, _ := strings.Cut(gf[i], ":")
		if on != gn {
			return fmt.Sprintf("field %d is %q vs %q", i, on, gn)
		}
		switch on {
		case "at", "lru", "lru_seconds_idle", "serializedlength":
			// Numbers whose values are the process's own (see diffDebugObj).
			if _, err := strconv.ParseUint(gv, 0, 64); err != nil {
				return fmt.Sprintf("field %s=%q is not a number", gn, gv)
			}
			continue
		}
		if ov != gv {
			return fmt.Sprintf("field %s: %q vs %q", on, ov, gv)
		}
	}
	return ""
}

// debugObjectFields splits "Value at:0x7f.. refcount:1 encoding:int ..."
// into its name:value words, dropping the leading "Value".
func debugObjectFields(s string) []string {
	f := strings.Fields(s)
	if len(f) > 0 && f[0] == "Value" {
		f = f[1:]
	}
	return f
}

// volatileConfig are parameters whose values name the process (its port,
// its directory) rather than behaviour; see diffConfigVals.
var volatileConfig = map[string]bool{
	"port": true, "dir": true, "pidfile": true, "logfile": true,
	"unixsocket": true, "dbfilename": true, "enable-debug-command": true,
}

// configGetEqual compares CONFIG GET as an unordered set of name/value
// pairs; see diffUnordered and diffConfigVals.
func configGetEqual(o, g reply, oraw, graw []byte) string {
	if decided, d := errorsOrNullsDiffer(o, g); decided {
		return d
	}
	if o.kind != g.kind || !o.isAggregate() || len(o.elems)%2 != 0 || len(g.elems)%2 != 0 {
		return exactRule.equal(o, g, oraw, graw)
	}
	pairs := func(r reply) []string {
		var s []string
		for i := 0; i < len(r.elems); i += 2 {
			k, v := r.elems[i], r.elems[i+1]
			if name, _ := k.text(); volatileConfig[name] {
				v = reply{kind: v.kind, str: "(volatile)"}
			}
			s = append(s, k.wire()+v.wire())
		}
		sort.Strings(s)
		return s
	}
	a, b := pairs(o), pairs(g)
	if strings.Join(a, "\n") == strings.Join(b, "\n") {
		return ""
	}
	return fmt.Sprintf("different name/value pairs: %q vs %q", a, b)
}

// scanMeta runs SCAN on both sides; when both answer a first batch, each
// side is iterated to the end and the sets of keys collected are compared
// (see diffScan). Errors are compared exactly.
func scanMeta(p *pair, args []string) (o, g result) {
	p.t.Helper()
	replying := p.replies == replyOn
	o, g = p.exchange(args)
	if !replying {
		return o, g
	}
	rule := cmpRule{name: diffScan, equal: scanBatchEqual}
	if !p.check(args, rule, o, g) || o.r.isError() {
		return o, g
	}
	if args[1] != "0" {
		// A cursor the test made up has no meaning to compare beyond shape.
		return o, g
	}
	var keys [2][]string
	for i, s := range []struct {
		sd  *side
		res result
	}{{p.oracle, o}, {p.target, g}} {
		k, err := scanToEnd(s.sd, args, s.res.r)
		if err != nil {
			p.t.Fatalf("[%s] #%d %s: %v", p.label, p.index, quoteArgs(args), err)
		}
		keys[i] = k
	}
	if strings.Join(keys[0], "\x00") != strings.Join(keys[1], "\x00") {
		p.report(mismatch{index: p.index, args: args, rule: diffScan,
			detail: "different keys over a full iteration",
			oracle: []byte(fmt.Sprintf("%q", keys[0])),
			target: []byte(fmt.Sprintf("%q", keys[1])),
		})
	}
	return o, g
}

// scanBatchEqual checks one SCAN reply's shape: [cursor, [keys...]].
func scanBatchEqual(o, g reply, oraw, graw []byte) string {
	if decided, d := errorsOrNullsDiffer(o, g); decided {
		return d
	}
	for _, r := range []reply{o, g} {
		if r.kind != '*' || len(r.elems) != 2 || r.elems[0].kind != '$' || r.elems[1].kind != '*' {
			return "not a [cursor, [keys]] reply"
		}
		if _, err := strconv.ParseUint(r.elems[0].str, 10, 64); err != nil {
			return "cursor is not a number"
		}
	}
	return ""
}

// scanToEnd continues a SCAN from its first reply until the cursor is 0
// and returns the distinct keys seen, sorted.
func scanToEnd(s *side, args []string, first reply) ([]string, error) {
	seen := map[string]bool{}
	r := first
	for calls := 0; ; calls++ {
		if r.kind != '*' || len(r.elems) != 2 {
			return nil, fmt.Errorf("%s: SCAN reply %v", s.name, r)
		}
		for _, k := range r.elems[1].elems {
			seen[k.str] = true
		}
		cursor := r.elems[0].str
		if cursor == "0" {
			break
		}
		if calls > 100000 {
			return nil, fmt.Errorf("%s: SCAN did not finish after %d calls", s.name, calls)
		}
		next := append([]string{args[0], cursor}, args[2:]...)
		_, rr, err := s.roundTrip(next...)
		if err != nil {
			return nil, err
		}
		r = rr
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}

// randomKeyMeta runs RANDOMKEY: both sides must agree on whether there is a
// key at all, and each side's key must exist on that side (see
// diffRandomKey).
func randomKeyMeta(p *pair, args []string) (o, g result) {
	p.t.Helper()
	replying := p.replies == replyOn
	o, g = p.exchange(args)
	if !replying {
		return o, g
	}
	rule := cmpRule{name: diffRandomKey, equal: func(o, g reply, oraw, graw []byte) string {
		if decided, d := errorsOrNullsDiffer(o, g); decided {
			return d
		}
		if o.kind != g.kind {
			return "reply type differs"
		}
		return ""
	}}
	if !p.check(args, rule, o, g) || o.r.isError() || o.r.null {
		return o, g
	}
	// EXISTS goes to both sides so their states stay alike (it updates the
	// access time) whatever key each returned.
	for _, s := range []struct {
		sd  *side
		res result
	}{{p.oracle, o}, {p.target, g}} {
		_, r, err := s.sd.roundTrip("EXISTS", s.res.r.str)
		if err != nil {
			p.t.Fatalf("[%s] #%d: %v", p.label, p.index, err)
		}
		if n, _ := r.integer(); n != 1 {
			p.report(mismatch{index: p.index, args: args, rule: diffRandomKey,
				detail: fmt.Sprintf("%s returned key %q, which does not exist there (EXISTS: %v)", s.sd.name, s.res.r.str, r),
				oracle: o.raw, target: g.raw})
		}
	}
	return o, g
}

// knownIssue is a mismatch the owners of the backend know about.
type knownIssue struct {
	// command is the upper-case command name, optionally followed by a
	// space and the upper-case subcommand ("CLIENT SETINFO").
	command string
	why     string
}

// knownBroken lists mismatches against the backend that are reported as
// log lines instead of failures, so a run can show everything else. Every
// entry is a bug to fix: remove the entry when it is fixed. Empty means the
// harness holds the backend to every reply.
var knownBroken = []knownIssue{}

func isKnownBroken(args []string) (string, bool) {
	name := strings.ToUpper(args[0])
	sub := ""
	if len(args) > 1 {
		sub = name + " " + strings.ToUpper(args[1])
	}
	for _, k := range knownBroken {
		if k.command == name || k.command == sub {
			return k.command + ": " + k.why, true
		}
	}
	return "", false
}
