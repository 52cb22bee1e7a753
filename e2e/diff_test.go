package e2e

import (
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The differential harness: the same commands go to redis-server (the
// oracle) and to the server under test over raw connections, and every pair
// of replies is compared byte for byte unless a rule in diff_rules_test.go,
// each one documented in DIFFERENCES.md, says otherwise.

// replyTimeout bounds the wait for one reply, so a server that never
// answers fails the test instead of hanging it.
const replyTimeout = 20 * time.Second

// side is one connection to one server.
type side struct {
	name string
	addr string
	conn net.Conn
	rr   *replyReader
	out  []byte
}

func dialSide(t testing.TB, name, addr string) *side {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s %s: %v", name, addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return &side{name: name, addr: addr, conn: c, rr: newReplyReader(c)}
}

// send writes one request.
func (s *side) send(args []string) error {
	s.out = appendCommand(s.out[:0], args...)
	_ = s.conn.SetWriteDeadline(time.Now().Add(replyTimeout))
	if _, err := s.conn.Write(s.out); err != nil {
		return fmt.Errorf("%s: write: %w", s.name, err)
	}
	return nil
}

// recv reads one reply.
func (s *side) recv() ([]byte, reply, error) {
	_ = s.conn.SetReadDeadline(time.Now().Add(replyTimeout))
	raw, r, err := s.rr.read()
	if err != nil {
		return raw, r, fmt.Errorf("%s: read reply: %w (bytes so far %s)", s.name, err, quoteRaw(raw))
	}
	return raw, r, nil
}

// roundTrip sends one command and reads its reply.
func (s *side) roundTrip(args ...string) ([]byte, reply, error) {
	if err := s.send(args); err != nil {
		return nil, reply{}, err
	}
	return s.recv()
}

// result is what one side answered to one step.
type result struct {
	raw []byte
	r   reply
	ok  bool // a reply was expected and read
}

// Reply modes as set by CLIENT REPLY.
const (
	replyOn = iota
	replyOff
	replySkip
)

// pair drives the oracle and the target in lockstep.
type pair struct {
	t       testing.TB
	label   string // the seed or sequence name, printed with every mismatch
	oracle  *side  // redis-server
	target  *side  // the server under test
	index   int    // commands sent so far in this run
	proto   int    // 2 or 3, as far as HELLO has set it
	db      int    // as far as SELECT has set it
	replies int    // replyOn, replyOff or replySkip
	// compared counts the commands whose replies were compared.
	compared   int
	mismatches int
	// maxMismatches stops the run: after the first divergence the
	// keyspaces may differ and later mismatches only echo it.
	maxMismatches int
	// onMismatch, when set, is told about every mismatch (tests of the
	// harness itself use it).
	onMismatch func(m mismatch)
	// known receives the mismatches that knownBroken excuses.
	known map[string]int
	// history holds the last commands sent, printed with a mismatch.
	history []string
	// pipelined counts the commands sent in pipelines (doBatch).
	pipelined int
	// inMulti is set from a MULTI to the EXEC, DISCARD or RESET that ends
	// it: a rule that sends commands of its own must not while commands
	// are being queued.
	inMulti bool
	// checking is set while checkAligned runs.
	checking bool
	// stats counts, per command, the oracle's replies and its error replies,
	// to show what a run covered.
	stats map[string]*[2]int
}

// cmdName is the command name for statistics: the command, plus the
// subcommand for container commands.
func cmdName(args []string) string {
	name := strings.ToUpper(args[0])
	switch name {
	case "CLIENT", "CONFIG", "DEBUG", "OBJECT", "MEMORY":
		if len(args) > 1 {
			return name + " " + strings.ToUpper(args[1])
		}
	}
	return name
}

// coverage summarises stats as "CMD replies/errors" sorted by name.
func (p *pair) coverage() string {
	names := make([]string, 0, len(p.stats))
	for n := range p.stats {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %d/%d", n, p.stats[n][0], p.stats[n][1])
	}
	return b.String()
}

// historyLen is how many earlier commands a mismatch report shows
// (SHARDIS_DIFF_HISTORY, default 12).
var historyLen = func() int {
	if n, err := strconv.Atoi(os.Getenv("SHARDIS_DIFF_HISTORY")); err == nil && n > 0 {
		return n
	}
	return 12
}()

// remember adds a command and the oracle's reply to the history.
func (p *pair) remember(args []string, o result) {
	line := fmt.Sprintf("#%d %s", p.index, quoteArgs(args))
	if o.ok {
		line += " -> " + quoteRaw(o.raw)
	}
	if len(p.history) == historyLen {
		copy(p.history, p.history[1:])
		p.history = p.history[:historyLen-1]
	}
	p.history = append(p.history, line)
	if o.ok {
		if p.stats == nil {
			p.stats = map[string]*[2]int{}
		}
		st := p.stats[cmdName(args)]
		if st == nil {
			st = &[2]int{}
			p.stats[cmdName(args)] = st
		}
		st[0]++
		if o.r.isError() {
			st[1]++
		}
	}
}

// mismatch describes one divergence.
type mismatch struct {
	index          int
	args           []string
	rule           string
	detail         string
	oracle, target []byte
}

func newPair(t testing.TB, label, oracleAddr, targetAddr string) *pair {
	t.Helper()
	return &pair{
		t:             t,
		label:         label,
		oracle:        dialSide(t, "redis-server", oracleAddr),
		target:        dialSide(t, serverName(targetAddr), targetAddr),
		proto:         2,
		maxMismatches: 30,
		known:         map[string]int{},
	}
}

// expectReply applies CLIENT REPLY and RESET to the model of the
// connection and says whether this command gets a reply.
func (p *pair) expectReply(args []string) bool {
	name := strings.ToUpper(args[0])
	if name == "CLIENT" && len(args) == 3 && strings.EqualFold(args[1], "REPLY") {
		switch strings.ToUpper(args[2]) {
		case "ON":
			p.replies = replyOn
			return true
		case "OFF":
			p.replies = replyOff
			return false
		case "SKIP":
			if p.replies == replyOn {
				p.replies = replySkip
			}
			return false
		}
	}
	if name == "RESET" {
		p.replies = replyOn
		return true
	}
	switch p.replies {
	case replyOff:
		return false
	case replySkip:
		p.replies = replyOn
		return false
	}
	return true
}

// track follows the protocol and database the connection is in.
func (p *pair) track(args []string, r reply) {
	switch strings.ToUpper(args[0]) {
	case "EXEC", "DISCARD": // even when they fail (EXECABORT)
		p.inMulti = false
	case "MULTI":
		p.inMulti = p.inMulti || !r.isError()
	}
	if r.isError() {
		return
	}
	switch strings.ToUpper(args[0]) {
	case "HELLO":
		if len(args) > 1 {
			if v, err := strconv.Atoi(args[1]); err == nil {
				p.proto = v
			}
		}
	case "SELECT":
		if len(args) == 2 {
			if v, err := strconv.Atoi(args[1]); err == nil {
				p.db = v
			}
		}
	case "RESET":
		p.proto, p.db, p.inMulti = 2, 0, false
	}
}

// exchange sends args to both sides and reads both replies (when one is
// expected). It does not compare them.
func (p *pair) exchange(args []string) (o, g result) {
	p.t.Helper()
	p.index++
	want := p.expectReply(args)
	for _, s := range []struct {
		sd  *side
		res *result
	}{{p.oracle, &o}, {p.target, &g}} {
		if err := s.sd.send(args); err != nil {
			p.t.Fatalf("[%s] #%d %s: %v", p.label, p.index, quoteArgs(args), err)
		}
		if !want {
			continue
		}
		raw, r, err := s.sd.recv()
		if err != nil {
			p.t.Fatalf("[%s] #%d %s: %v", p.label, p.index, quoteArgs(args), err)
		}
		*s.res = result{raw: raw, r: r, ok: true}
	}
	if want {
		p.track(args, o.r)
	}
	p.remember(args, o)
	return o, g
}

// do runs one command on both sides and compares the replies with the rule
// for that command. It returns the oracle's and the target's replies.
func (p *pair) do(args ...string) (o, g result) {
	p.t.Helper()
	rule := ruleFor(args)
	if rule.meta != nil {
		return rule.meta(p, args)
	}
	o, g = p.exchange(args)
	if !o.ok {
		return o, g
	}
	p.check(args, rule, o, g)
	return o, g
}

// doBatch sends cmds to each side in one write (a pipeline), then reads
// and compares their replies in order. Commands with meta rules must not be
// part of a batch.
func (p *pair) doBatch(cmds [][]string) {
	p.t.Helper()
	if len(cmds) == 0 {
		return
	}
	first := p.index + 1
	p.pipelined += len(cmds)
	want := make([]bool, len(cmds))
	for i, args := range cmds {
		want[i] = p.expectReply(args)
	}
	var res [2][]result
	for si, sd := range []*side{p.oracle, p.target} {
		var buf []byte
		for _, args := range cmds {
			buf = appendCommand(buf, args...)
		}
		_ = sd.conn.SetWriteDeadline(time.Now().Add(replyTimeout))
		if _, err := sd.conn.Write(buf); err != nil {
			p.t.Fatalf("[%s] pipeline of %d from #%d: %s: write: %v", p.label, len(cmds), first, sd.name, err)
		}
		res[si] = make([]result, len(cmds))
		for i := range cmds {
			if !want[i] {
				continue
			}
			raw, r, err := sd.recv()
			if err != nil {
				p.t.Fatalf("[%s] pipeline of %d, #%d %s: %v", p.label, len(cmds), first+i, quoteArgs(cmds[i]), err)
			}
			res[si][i] = result{raw: raw, r: r, ok: true}
		}
	}
	for i, args := range cmds {
		p.index++
		o, g := res[0][i], res[1][i]
		if o.ok {
			p.track(args, o.r)
		}
		p.remember(args, o)
		if o.ok {
			p.check(args, ruleFor(args), o, g)
		}
	}
}

// check compares two replies with rule and reports a mismatch.
func (p *pair) check(args []string, rule cmpRule, o, g result) bool {
	p.t.Helper()
	p.compared++
	if rule.equal == nil {
		rule = exactRule
	}
	if detail := rule.equal(o.r, g.r, o.raw, g.raw); detail != "" {
		p.report(mismatch{index: p.index, args: args, rule: rule.name, detail: detail, oracle: o.raw, target: g.raw})
		return false
	}
	return true
}

// report records one mismatch: as a test error, or, when knownBroken lists
// it, as a log line the final summary counts.
func (p *pair) report(m mismatch) {
	p.t.Helper()
	if p.onMismatch != nil {
		p.onMismatch(m)
		return
	}
	msg := fmt.Sprintf("mismatch [%s] command #%d (db %d, RESP%d): %s\n  rule:         %s (%s)\n  redis-server: %s\n  %-13s %s\n  commands before it (with redis-server's replies):\n    %s",
		p.label, m.index, p.db, p.proto, quoteArgs(m.args), m.rule, m.detail,
		quoteRaw(m.oracle), p.target.name+":", quoteRaw(m.target), strings.Join(p.history, "\n    "))
	if why, ok := isKnownBroken(m.args); ok && p.target.name == "backend" {
		p.known[why]++
		p.t.Logf("known broken (%s): %s", why, msg)
		return
	}
	p.mismatches++
	p.t.Error(msg)
	if p.mismatches >= p.maxMismatches {
		p.t.Fatalf("[%s] stopping after %d mismatches", p.label, p.mismatches)
	}
	p.checkAligned()
}

// checkAligned stops the run when a mismatch came from the connections
// falling out of step (a reply too many or too few, e.g. around CLIENT
// REPLY): every later comparison would be meaningless.
func (p *pair) checkAligned() {
	p.t.Helper()
	if p.replies != replyOn || p.checking {
		return
	}
	p.checking = true
	defer func() { p.checking = false }()
	token := "align-" + strconv.Itoa(p.index)
	o, g := p.exchange([]string{"ECHO", token})
	if string(o.raw) != string(g.raw) {
		p.t.Fatalf("[%s] after the mismatch at #%d the connections are out of step (ECHO %s: redis-server %s, %s %s); stopping",
			p.label, p.index-1, token, quoteRaw(o.raw), p.target.name, quoteRaw(g.raw))
	}
}

// sync checks that both connections are still aligned (no reply left over
// or missing) with a PING that both must answer.
func (p *pair) sync() {
	p.t.Helper()
	if p.replies != replyOn {
		p.do("CLIENT", "REPLY", "ON")
	}
	o, g := p.exchange([]string{"ECHO", "sync-" + strconv.Itoa(p.index)})
	if string(o.raw) != string(g.raw) {
		p.t.Fatalf("[%s] connections out of step after #%d: redis-server %s, %s %s",
			p.label, p.index, quoteRaw(o.raw), p.target.name, quoteRaw(g.raw))
	}
}

// eachSide runs f on the oracle and on the target, e.g. for the extra
// commands a meta rule sends to look at one side's own state.
func (p *pair) eachSide(f func(s *side) error) {
	p.t.Helper()
	for _, s := range []*side{p.oracle, p.target} {
		if err := f(s); err != nil {
			p.t.Fatalf("[%s] #%d: %v", p.label, p.index, err)
		}
	}
}
