package e2e

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// exchangeEach is exchange with different arguments per side (for RESTORE,
// whose payload is each side's own DUMP). shown is what failure messages
// print.
func (p *pair) exchangeEach(shown, oargs, gargs []string) (o, g result) {
	p.t.Helper()
	p.index++
	want := p.expectReply(shown)
	for _, s := range []struct {
		sd   *side
		args []string
		res  *result
	}{{p.oracle, oargs, &o}, {p.target, gargs, &g}} {
		if err := s.sd.send(s.args); err != nil {
			p.t.Fatalf("[%s] #%d %s: %v", p.label, p.index, quoteArgs(shown), err)
		}
		if !want {
			continue
		}
		raw, r, err := s.sd.recv()
		if err != nil {
			p.t.Fatalf("[%s] #%d %s: %v", p.label, p.index, quoteArgs(shown), err)
		}
		*s.res = result{raw: raw, r: r, ok: true}
	}
	p.remember(shown, o)
	return o, g
}

// dumpRestore DUMPs src on each side and RESTOREs it into dst with that
// side's own payload: RESTORE dst rest[0] <payload> rest[1:]... DUMP replies
// are compared by shape only (see diffDump); RESTORE replies exactly.
func (p *pair) dumpRestore(src, dst string, rest []string) {
	p.t.Helper()
	o, g := p.do("DUMP", src)
	if !o.ok || o.r.kind != '$' || o.r.null || g.r.kind != '$' || g.r.null {
		return // nothing to restore; the DUMP replies were compared
	}
	build := func(payload string) []string {
		a := []string{"RESTORE", dst}
		if len(rest) > 0 {
			a = append(a, rest[0], payload)
			a = append(a, rest[1:]...)
		} else {
			a = append(a, payload)
		}
		return a
	}
	shown := build("<own DUMP of " + src + ">")
	o, g = p.exchangeEach(shown, build(o.r.str), build(g.r.str))
	if o.ok {
		p.check(shown, exactRule, o, g)
	}
}

var placeholder = regexp.MustCompile(`\{(now|nowms)([+-]\d+)\}`)

// expand replaces {now+N} and {nowms+N} with the current time.
func expand(arg string) string {
	return placeholder.ReplaceAllStringFunc(arg, func(m string) string {
		sm := placeholder.FindStringSubmatch(m)
		n, _ := strconv.ParseInt(sm[2], 10, 64)
		now := time.Now()
		if sm[1] == "now" {
			return strconv.FormatInt(now.Unix()+n, 10)
		}
		return strconv.FormatInt(now.UnixMilli()+n, 10)
	})
}

// runLine runs one line of a hand-written sequence.
func (p *pair) runLine(line string) {
	p.t.Helper()
	args, err := splitArgs(line)
	if err != nil || len(args) == 0 {
		p.t.Fatalf("[%s] bad test line %q: %v", p.label, line, err)
	}
	for i := range args {
		args[i] = expand(args[i])
	}
	switch strings.ToLower(args[0]) {
	case "@wait":
		ms, err := strconv.Atoi(args[1])
		if err != nil {
			p.t.Fatalf("[%s] bad @wait in %q", p.label, line)
		}
		// Not a readiness wait: the test needs wall-clock time to pass so
		// that keys set with a short expiry are expired on both servers.
		<-time.After(time.Duration(ms) * time.Millisecond)
	case "@dumprestore":
		if len(args) < 3 {
			p.t.Fatalf("[%s] bad @dumprestore in %q", p.label, line)
		}
		p.dumpRestore(args[1], args[2], args[3:])
	default:
		p.do(args...)
	}
}

// targetLacks reports which of the probe commands the target answers with
// "unknown command". Probes run with well-formed arguments (an arity check
// would answer before the command is known to be missing) on scratch keys,
// which are deleted again.
func targetLacks(t testing.TB, targetAddr string, probes [][]string) []string {
	t.Helper()
	if len(probes) == 0 {
		return nil
	}
	s := dialSide(t, "target", targetAddr)
	defer s.conn.Close()
	var lacks []string
	for _, probe := range probes {
		_, r, err := s.roundTrip(probe...)
		if err != nil {
			t.Fatalf("probe %s: %v", quoteArgs(probe), err)
		}
		if r.isError() && strings.HasPrefix(r.str, "ERR unknown command") {
			lacks = append(lacks, probe[0])
		}
		if _, _, err := s.roundTrip("DEL", probe[1]); err != nil {
			t.Fatalf("DEL after probe: %v", err)
		}
	}
	return lacks
}

// runSequences runs each sequence on a fresh pair of connections, once in
// RESP2 and once after HELLO 3, and returns the number of commands compared.
func runSequences(t *testing.T, oracleAddr, targetAddr string, seqs []sequence) int {
	t.Helper()
	compared := 0
	for _, seq := range seqs {
		if lacks := targetLacks(t, targetAddr, seq.requires); len(lacks) > 0 {
			t.Logf("sequence %s not run: the target does not implement %v yet", seq.name, lacks)
			continue
		}
		for _, proto := range []int{2, 3} {
			// A subtest each, so that a sequence whose connections fall
			// out of step stops alone and the others still run.
			name := fmt.Sprintf("%s/RESP%d", seq.name, proto)
			t.Run(name, func(t *testing.T) {
				p := newPair(t, name, oracleAddr, targetAddr)
				defer func() {
					compared += p.compared
					reportKnown(t, p)
					p.oracle.conn.Close()
					p.target.conn.Close()
				}()
				if !seq.needsPass {
					p.do("FLUSHALL")
				}
				if proto == 3 {
					p.do("HELLO", "3")
				}
				for _, line := range seq.cmds {
					p.runLine(line)
				}
				p.sync()
			})
		}
	}
	return compared
}

// reportKnown logs how many mismatches knownBroken excused.
func reportKnown(t testing.TB, p *pair) {
	t.Helper()
	for why, n := range p.known {
		t.Logf("[%s] %d mismatches excused by knownBroken: %s", p.label, n, why)
	}
}

// TestInteropDifferentialEdgeCases runs the hand-written sequences against
// redis-server and the target and requires the same replies.
func TestInteropDifferentialEdgeCases(t *testing.T) {
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	var plain, auth []sequence
	for _, s := range allSequences() {
		if s.needsPass {
			auth = append(auth, s)
		} else {
			plain = append(plain, s)
		}
	}
	n := runSequences(t, oracle, target, plain)

	cfg := serverConfig{requirePass: authPassword}
	oracleAuth := startRedis(t, cfg.redisArgs()...)
	targetAuth := startTarget(t, cfg)
	n += runSequences(t, oracleAuth, targetAuth, auth)
	t.Logf("compared %d replies from %d hand-written sequences (each in RESP2 and RESP3) against %s",
		n, len(plain)+len(auth), diffTarget())
}
