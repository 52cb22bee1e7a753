package e2e

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shardis/shardis/internal/command"
	"github.com/shardis/shardis/topology"
)

// The differential harness pointed at the proxy: the per-type random
// generators of diff_*_test.go run against a proxy in front of three nodes
// and against one plain redis-server, and the replies must match byte for
// byte (with the same comparison rules as against a single node).
//
// Two key modes:
//   - tagged: every key gets one common hash tag, so every key lives in one
//     slot and multi-key commands are legal; the proxy must behave exactly
//     as the single server;
//   - spread: the keys are left alone, so they land on different shards.
//     Commands whose keys are all in one slot, and MGET, MSET, DEL,
//     UNLINK, EXISTS and TOUCH (which the proxy splits per shard and
//     merges), are compared with redis-server; any other command whose
//     keys span slots is sent to the proxy only and must get CROSSSLOT
//     (DIFFERENCES.md: "The proxy: node failures, multi-key commands,
//     SCAN, commands without keys").
//
// Commands the proxy answers differently on purpose (SELECT other than 0,
// SWAPDB, MOVE, COPY ... DB, DEBUG, PFSELFTEST, CONFIG but SET, INFO, ROLE
// and the CLIENT subcommands it does not support, all documented in
// DIFFERENCES.md) are not sent to either side; HELLO is compared but for
// its id and its mode (cluster).

// proxyTag is the hash tag every key carries in tagged mode.
const proxyTag = "{p}"

// crossSlotErr is Redis Cluster's reply to a command whose keys span slots.
const crossSlotErr = "-CROSSSLOT Keys in request don't hash to the same slot\r\n"

// proxyMix is one data type's share of a proxy run.
type proxyMix struct {
	name  string
	table []weighted
	setup func(g *gen)
	next  func(g *gen, table []weighted, total int) op
	probe func(k string) []string
}

func defaultNext(g *gen, table []weighted, total int) op { return g.next(table, total) }

var proxyMixes = []proxyMix{
	{name: "strings", table: randomCommands, setup: func(g *gen) {}, next: defaultNext,
		probe: func(k string) []string { return []string{"GET", k} }},
	{name: "hashes", table: hashRandomCommands, setup: func(g *gen) { g.keys = hashKeys }, next: defaultNext,
		probe: func(k string) []string { return []string{"HLEN", k} }},
	{name: "lists", table: listRandomCommands, setup: func(g *gen) { g.keys = listKeys }, next: defaultNext,
		probe: func(k string) []string { return []string{"LLEN", k} }},
	{name: "sets", table: setRandomCommands, setup: setGenSetup, next: defaultNext, probe: setProbe},
	{name: "zsets", table: zsetRandomCommands, setup: func(g *gen) { g.keys = zsetScoreKeys },
		next:  func(g *gen, table []weighted, total int) op { return g.zsetNext(table, total) },
		probe: func(k string) []string { return []string{"ZCARD", k} }},
	{name: "hll", table: hllRandomCommands, setup: hllGenSetup, next: defaultNext,
		probe: func(k string) []string { return []string{"EXISTS", k} }},
}

// splitCommands are the multi-key commands the proxy splits per shard.
var splitCommands = map[string]bool{"MGET": true, "MSET": true, "DEL": true, "UNLINK": true, "EXISTS": true, "TOUCH": true}

// proxySkips reports whether args is a command the proxy answers
// differently from redis-server on purpose (see the top of the file).
func proxySkips(args []string) bool {
	name := strings.ToUpper(args[0])
	sub := ""
	if len(args) > 1 {
		sub = strings.ToUpper(args[1])
	}
	switch name {
	case "SELECT":
		return len(args) != 2 || args[1] != "0"
	case "SWAPDB", "MOVE", "DEBUG", "INFO", "ROLE", "PFSELFTEST":
		return true
	case "CONFIG":
		// CONFIG SET goes to every shard's primary and answers as they
		// do; the rest is the proxy's own (diffProxyCluster).
		return sub != "SET"
	case "COPY":
		for _, a := range args[1:] {
			if strings.EqualFold(a, "DB") {
				return true
			}
		}
	case "CLIENT":
		switch sub {
		case "ID", "GETNAME", "SETNAME", "SETINFO":
			return false
		}
		return true
	}
	return false
}

// commandKeys returns the indexes of args' keys (nil when the command has
// none or its arguments are wrong).
func commandKeys(args []string) []int {
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	c := command.LookupArgs(bs)
	if c == nil {
		return nil
	}
	pos, err := c.Keys(bs, nil)
	if err != nil {
		return nil
	}
	return pos
}

// tagKeys returns args with proxyTag before every key, and before the
// pattern of KEYS and of SCAN's MATCH so that they still match the keys.
func tagKeys(args []string) []string {
	out := append([]string(nil), args...)
	for _, i := range commandKeys(args) {
		out[i] = proxyTag + out[i]
	}
	switch strings.ToUpper(args[0]) {
	case "KEYS":
		if len(out) == 2 {
			out[1] = proxyTag + out[1]
		}
	case "SCAN":
		for i := 2; i+1 < len(out); i++ {
			if strings.EqualFold(out[i], "MATCH") {
				out[i+1] = proxyTag + out[i+1]
			}
		}
	}
	return out
}

// crossSlot reports whether args' keys span slots in a command the proxy
// does not split.
func crossSlot(args []string) bool {
	if splitCommands[strings.ToUpper(args[0])] {
		return false
	}
	pos := commandKeys(args)
	for _, i := range pos {
		if topology.Slot([]byte(args[i])) != topology.Slot([]byte(args[pos[0]])) {
			return true
		}
	}
	return false
}

// proxyRun counts what one proxy run did.
type proxyRun struct {
	crossSlot int // commands sent to the proxy alone, answered CROSSSLOT
	tx        int // transactions compared
}

// proxyDo runs one command: on both sides, or, when its keys span slots
// in spread mode, on the proxy alone where it must be refused.
func proxyDo(p *pair, run *proxyRun, tagged bool, args []string) {
	p.t.Helper()
	if !tagged && crossSlot(args) {
		p.index++
		if !p.expectReply(args) {
			// CLIENT REPLY is never generated here; keep the model honest.
			p.t.Fatalf("[%s] #%d %s: no reply expected", p.label, p.index, quoteArgs(args))
		}
		raw, _, err := p.target.roundTrip(args...)
		if err != nil {
			p.t.Fatalf("[%s] #%d %s: %v", p.label, p.index, quoteArgs(args), err)
		}
		run.crossSlot++
		if string(raw) != crossSlotErr {
			p.t.Errorf("[%s] #%d %s: the proxy answered %s, want %s", p.label, p.index, quoteArgs(args),
				quoteRaw(raw), quoteRaw([]byte(crossSlotErr)))
		}
		return
	}
	if strings.EqualFold(args[0], "HELLO") {
		o, g := p.exchange(args)
		if o.ok {
			p.check(args, proxyHelloRule, o, g)
		}
		return
	}
	p.do(args...)
	hashTrack(p, args)
}

// diffProxyCluster is the DIFFERENCES.md section on what the proxy
// presents as a Redis Cluster node (HELLO's mode among it).
const diffProxyCluster = "The proxy as a Redis Cluster (CLUSTER, INFO, CONFIG, COMMAND, ROLE)"

// helloIdentity matches the fields of a HELLO reply that name the
// connection and the server's mode.
var helloIdentity = regexp.MustCompile(`\$2\r\nid\r\n:\d+\r\n|\$4\r\nmode\r\n\$\d+\r\n[a-z]+\r\n`)

// proxyHelloRule compares HELLO replies but for the client id
// (diffIdentity) and the mode, which a proxy presents as "cluster".
var proxyHelloRule = cmpRule{name: diffProxyCluster, equal: func(_, _ reply, oraw, graw []byte) string {
	o := helloIdentity.ReplaceAll(oraw, nil)
	g := helloIdentity.ReplaceAll(graw, nil)
	if !bytes.Equal(o, g) {
		return "bytes differ beyond id and mode"
	}
	if bytes.Contains(oraw, []byte("$4\r\nmode\r\n")) && !bytes.Contains(graw, []byte("$4\r\nmode\r\n$7\r\ncluster\r\n")) {
		return "mode is not cluster"
	}
	return ""
}}

// proxyBatchable reports whether args may go in a pipeline in this mode.
func proxyBatchable(o op, tagged bool) bool {
	return batchable(o) && !strings.EqualFold(o.args[0], "HELLO") && (tagged || !crossSlot(o.args))
}

// runProxyRandom runs about n generated commands, a share from each type's
// generator, on p (the oracle a redis-server, the target a proxy); the
// second half of each share in RESP3. In tagged mode some of the string
// commands run inside MULTI/EXEC.
func runProxyRandom(p *pair, seed int64, n int, tagged bool) *proxyRun {
	p.t.Helper()
	defer forgetOrderFree(p)
	run := &proxyRun{}
	rewrite := func(a []string) []string {
		if tagged {
			return tagKeys(a)
		}
		return a
	}
	for mi, mix := range proxyMixes {
		g := newGen(seed + int64(mi))
		mix.setup(g)
		total := 0
		for _, w := range mix.table {
			total += w.w
		}
		share := n / len(proxyMixes)
		proxyDo(p, run, tagged, []string{"HELLO", "2"})
		p.do("FLUSHALL")
		var batch [][]string
		flush := func() {
			p.doBatch(batch)
			for _, a := range batch {
				hashTrack(p, a)
			}
			batch = batch[:0]
		}
		for i := 0; i < share; i++ {
			if i == share/2 {
				flush()
				proxyDo(p, run, tagged, []string{"HELLO", "3"})
			}
			if tagged && mix.name == "strings" && g.chance(0.02) {
				flush()
				runProxyTx(p, g, mix, total, run)
				continue
			}
			o := mix.next(g, mix.table, total)
			if proxySkips(o.args) {
				continue
			}
			o.args = rewrite(o.args)
			if len(batch) == 0 && g.chance(0.02) || len(batch) > 0 && len(batch) < 64 && g.chance(0.97) {
				if proxyBatchable(o, tagged) {
					batch = append(batch, o.args)
					continue
				}
			}
			flush()
			if o.restore {
				src, dst := o.dumpKey, o.args[1]
				if tagged {
					src = proxyTag + src
				}
				// A listpack restored from a hashtable's payload keeps
				// that table's order (see runHashRandom).
				if mix.name == "hashes" && (hashEncoding(p, src) == "hashtable" || isOrderFree(p, src)) {
					setOrderFree(p, dst, true)
				}
				p.dumpRestore(src, dst, o.args[2:])
				continue
			}
			proxyDo(p, run, tagged, o.args)
			if o.shortExpiry > 0 {
				// Not a readiness wait: the expiry both servers just set
				// must pass (see runRandom).
				<-time.After(o.shortExpiry + 2*time.Millisecond)
			}
			if o.shortExpiry > 0 || o.probe {
				p.do(rewrite(mix.probe(o.key))...)
			}
		}
		flush()
		p.sync()
	}
	return run
}

// runProxyTx sends MULTI, a few generated string commands that the
// transaction can hold (compared exactly, no keyless commands but PING and
// ECHO), and EXEC or DISCARD: one by one, or all in one pipeline.
func runProxyTx(p *pair, g *gen, mix proxyMix, total int, run *proxyRun) {
	p.t.Helper()
	cmds := [][]string{{"MULTI"}}
	for k := 1 + g.intn(5); k > 0; {
		o := mix.next(g, mix.table, total)
		if proxySkips(o.args) || !batchable(o) || ruleFor(o.args).name != "exact" {
			continue
		}
		switch strings.ToUpper(o.args[0]) {
		case "PING", "ECHO":
		default:
			if len(commandKeys(o.args)) == 0 {
				continue
			}
		}
		cmds = append(cmds, tagKeys(o.args))
		k--
	}
	if g.chance(0.8) {
		cmds = append(cmds, []string{"EXEC"})
	} else {
		cmds = append(cmds, []string{"DISCARD"})
	}
	if g.chance(0.5) {
		// As client libraries send a transaction: in one write.
		p.doBatch(cmds)
	} else {
		for _, a := range cmds {
			p.do(a...)
		}
	}
	run.tx++
}

// proxyDifferential starts redis-server and a proxy over three nodes
// (shardis backends, or redis-servers when redisNodes), runs the random mix
// and logs the counts.
func proxyDifferential(t *testing.T, defaultN int, tagged, redisNodes bool) {
	seed := randomSeed(t)
	n := randomCount(t, defaultN)
	t.Logf("seed %d, %d commands (replay: SHARDIS_SEED=%d SHARDIS_DIFF_N=%d go test -run '%s$' ./e2e)",
		seed, n, seed, n, t.Name())
	oracle := startRedis(t)
	tmpl := threeShards
	if redisNodes {
		tmpl = strings.NewReplacer("{{node 0}}", "{{redis 0}}\"\nkind = \"redis",
			"{{node 1}}", "{{redis 1}}\"\nkind = \"redis",
			"{{node 2}}", "{{redis 2}}\"\nkind = \"redis").Replace(threeShards)
	}
	d := startDeployment(t, tmpl)
	label := "proxy seed "
	if !tagged {
		label = "proxy spread seed "
	}
	p := newPair(t, label+strconv.FormatInt(seed, 10), oracle, d.addr)
	p.target.name = "proxy"
	run := runProxyRandom(p, seed, n, tagged)
	t.Logf("replies/errors per command: %s", p.coverage())
	t.Logf("seed %d: %d commands sent (%d of them in pipelines, %d transactions), %d replies compared against the proxy, %d CROSSSLOT refusals checked, %d mismatches",
		seed, p.index, p.pipelined, run.tx, p.compared, run.crossSlot, p.mismatches)
}

// TestInteropProxyDifferentialTagged: every key carries one hash tag; the
// proxy over three shardis nodes answers as one redis-server.
func TestInteropProxyDifferentialTagged(t *testing.T) {
	proxyDifferential(t, 6000, true, false)
}

// TestInteropProxyDifferentialSpread: keys spread over the shards; split
// commands merged as one server answers, other cross-slot commands refused.
func TestInteropProxyDifferentialSpread(t *testing.T) {
	proxyDifferential(t, 6000, false, false)
}

// TestInteropProxyDifferentialRedisNodes is the tagged run with three
// redis-servers behind the proxy.
func TestInteropProxyDifferentialRedisNodes(t *testing.T) {
	requireBinary(t, "redis-server")
	proxyDifferential(t, 3000, true, true)
}

// proxyEdgeLines are the regression cases of mismatches the random runs
// found, run through the proxy and redis-server.
var proxyEdgeLines = []string{
	// A NaN timeout made a deadline in the past (the proxy answered
	// CLUSTERDOWN ... i/o timeout), and so did one too large for a
	// time.Duration.
	`BLPOP {p}l nan`, `BLPOP {p}l NaN`, `BZPOPMIN {p}z nan`, `BLMPOP nan 1 {p}l LEFT`,
	`RPUSH {p}l a b c`, `BLPOP {p}l 1e10`, `BRPOP {p}l 1e300`, `BLMOVE {p}l {p}m LEFT RIGHT 9e18`,
	`BLPOP {p}l inf`, `BLPOP {p}l -inf`, `BLPOP {p}l -1`, `BLPOP {p}l x`,
	// SCAN's cursor is read as strtoul reads it: "" is 0.
	`SET {p}k v`, `SCAN ""`, `SCAN "" COUNT 100`, `SCAN +0`, `SCAN -0`, `SCAN " 0"`, `SCAN +`, `SCAN -`,
	`SCAN 0x1`, `SCAN 18446744073709551616`, `SCAN 1.5`,
	// PFMERGE dest without sources has no keys by its key specs, and went
	// to the owner of slot 0 instead of dest's (keys on every shard).
	`PFMERGE h1`, `EXISTS h1`, `PFMERGE h2`, `EXISTS h2`, `PFMERGE h3`, `EXISTS h3`,
	`SET h4 x`, `PFMERGE h4`, `APPEND h5 x`, `PFMERGE h5`, `DEL h1 h2 h3 h4 h5`,
	// The same inside a transaction of its own.
	`MULTI`, `PFMERGE {p}h1`, `EXEC`, `EXISTS {p}h1`, `MULTI`, `PFMERGE h2`, `EXEC`, `EXISTS h2`,
	`MULTI`, `PFMERGE h3`, `EXEC`, `EXISTS h3`, `DEL {p}h1 h2 h3`,
	// CONFIG SET with a name and no value is a syntax error, not arity.
	`CONFIG SET hz 10 maxmemory`, `CONFIG SET hz`, `CONFIG SET hz 10`,
	// What the proxy answers itself or fans out, with wrong arguments.
	`PING a b`, `ECHO`, `ECHO a b`, `SELECT`, `SELECT 0 1`, `SELECT 0`, `CLIENT SETNAME "a b"`,
	`CLIENT SETNAME a b`, `CLIENT GETNAME x`, `CLIENT ID x`, `CLIENT`, `CLIENT NOSUCH`, `RESET x`,
	`CLIENT SETINFO lib-name x`, `CLIENT SETINFO`, `CLIENT INFO x`, `CLIENT LIST x`, `CLIENT LIST TYPE nosuch`, `CLIENT KILL`, `CLIENT HELP x`, `DBSIZE x`, `KEYS`, `KEYS a b`, `RANDOMKEY x`, `FLUSHALL FOO`, `FLUSHDB ASYNC x`, `TIME x`,
	`SCAN 0 COUNT 0`, `SCAN 0 COUNT -1`, `SCAN 0 COUNT x`, `SCAN 0 MATCH`, `SCAN 0 TYPE`, `SCAN 0 FOO bar`,
	`SCAN 0 TYPE nosuch`, `SCAN`,
	// Split commands, keys on every shard, wrong arguments too.
	`MSET a 1 b 2 c 3 d 4`, `MGET a b c d nokey`, `MGET`, `MSET a`, `MSET a 1 b`, `EXISTS a b c a nokey`,
	`TOUCH a b c nokey`, `DEL`, `EXISTS`, `TOUCH`, `UNLINK`, `DEL a b nokey`, `UNLINK c d nokey`,
	`MGET a b c d`, `LPUSH a x`, `MGET a b`, `MSET a 1 a 2 b 3`, `MGET a b`, `FLUSHDB`, `DBSIZE`,
}

// TestInteropProxyDifferentialEdgeCases runs proxyEdgeLines through a proxy
// over three shardis nodes and through redis-server, in RESP2 and RESP3.
func TestInteropProxyDifferentialEdgeCases(t *testing.T) {
	oracle := startRedis(t)
	d := startDeployment(t, threeShards)
	for _, proto := range []string{"2", "3"} {
		p := newPair(t, "proxy edge cases RESP"+proto, oracle, d.addr)
		p.target.name = "proxy"
		p.do("FLUSHALL")
		proxyDo(p, &proxyRun{}, true, []string{"HELLO", proto})
		for _, l := range proxyEdgeLines {
			p.runLine(l)
		}
		p.sync()
		t.Logf("RESP%s: %d replies compared", proto, p.compared)
	}
}

// TestInteropProxyMalformedRequests runs every malformed request class of
// malformed_test.go through a proxy over three shardis nodes and through
// redis-server: the same reply bytes, and the connection closed after it
// exactly when redis-server closes it.
func TestInteropProxyMalformedRequests(t *testing.T) {
	oracle := startRedis(t)
	authCfg := serverConfig{requirePass: authPassword}
	oracleAuth := startRedis(t, authCfg.redisArgs()...)
	plain := startDeployment(t, threeShards)
	secure := startDeployment(t, strings.Replace(threeShards, "[[proxy]]\n",
		"[[proxy]]\nrequirepass = \""+authPassword+"\"\n", 1))
	cases := append(malformedCases[:len(malformedCases):len(malformedCases)],
		// A refused EXEC answers EXECABORT with the reason (Redis's
		// rejectCommand); the proxy answered the plain error.
		malformedCase{name: "unauthenticated-exec", auth: true, input: "EXEC\r\nMULTI\r\nEXEC x\r\n", tail: authThenSentinel},
		malformedCase{name: "exec-wrong-arity", input: "EXEC x\r\nMULTI\r\nSET {p}a 1\r\nEXEC x\r\nEXEC\r\nGET {p}a\r\n", tail: sentinel},
		malformedCase{name: "exec-subscribed", input: "SUBSCRIBE ch\r\nEXEC\r\nUNSUBSCRIBE\r\n", tail: sentinel})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, g := oracle, plain.addr
			if c.auth {
				o, g = oracleAuth, secure.addr
			}
			want := runMalformed(t, o, c)
			if want.err != "" {
				t.Fatalf("redis-server: %s (reply so far %s): the case is wrong", want.err, quoteRaw(want.reply))
			}
			got := runMalformed(t, g, c)
			if !bytes.Equal(got.reply, want.reply) || got.closed != want.closed || got.err != "" {
				t.Errorf("input %s\n  redis-server: %s closed=%v\n  proxy: %s closed=%v %s",
					quoteRaw([]byte(c.input)), quoteRaw(want.reply), want.closed,
					quoteRaw(got.reply), got.closed, got.err)
			}
		})
	}
}

// proxySkipsSequence says why a hand-written sequence cannot be compared
// through the proxy, or "".
func proxySkipsSequence(seq sequence) string {
	for _, l := range seq.cmds {
		if strings.Contains(l, "SET-ACTIVE-EXPIRE") {
			return "it turns active expiry off with DEBUG, which the proxy refuses, and then counts keys due to expire"
		}
	}
	switch seq.name {
	case "multi-subscribe":
		return "SUBSCRIBE queued in MULTI does not subscribe the client's connection (DIFFERENCES.md, the proxy's commands that change their connection)"
	case "exec-refused-noauth":
		return "AUTH queued in MULTI is checked by the node, not the proxy (DIFFERENCES.md, the proxy's commands that change their connection)"
	}
	return ""
}

// TestInteropProxyDifferentialSequences runs the hand-written sequences of
// every type through a proxy over three shardis nodes and through
// redis-server, each key with the common hash tag, in RESP2 and RESP3;
// those that need a password against a proxy and a redis-server with
// requirepass. Lines the proxy answers differently on purpose (proxySkips)
// are left out on both sides.
func TestInteropProxyDifferentialSequences(t *testing.T) {
	var plain, auth []sequence
	for _, group := range [][]sequence{allSequences(), hashSequences(), listSequences(), setSequences,
		zsetSequences(), hllSequences, multiSequences} {
		for _, s := range group {
			if s.needsPass {
				auth = append(auth, s)
			} else {
				plain = append(plain, s)
			}
		}
	}
	n, skipped := runProxySequences(t, startRedis(t), startDeployment(t, threeShards).addr, plain)
	authCfg := serverConfig{requirePass: authPassword}
	secure := startDeployment(t, strings.Replace(threeShards, "[[proxy]]\n",
		"[[proxy]]\nrequirepass = \""+authPassword+"\"\n", 1))
	na, sa := runProxySequences(t, startRedis(t, authCfg.redisArgs()...), secure.addr, auth)
	t.Logf("%d sequences in RESP2 and RESP3: %d replies compared, %d lines left out",
		len(plain)+len(auth), n+na, skipped+sa)
}

// runProxySequences runs seqs (see TestInteropProxyDifferentialSequences)
// and returns the replies compared and the lines left out.
func runProxySequences(t *testing.T, oracle, proxyAddr string, seqs []sequence) (compared, skipped int) {
	t.Helper()
	for _, seq := range seqs {
		if why := proxySkipsSequence(seq); why != "" {
			t.Logf("sequence %s not run through the proxy: %s", seq.name, why)
			continue
		}
		for _, proto := range []string{"2", "3"} {
			name := seq.name + "/RESP" + proto
			t.Run(name, func(t *testing.T) {
				p := newPair(t, "proxy "+name, oracle, proxyAddr)
				p.target.name = "proxy"
				run := &proxyRun{}
				defer func() {
					compared += p.compared
					forgetOrderFree(p)
				}()
				if !seq.needsPass {
					p.do("FLUSHALL")
				}
				proxyDo(p, run, true, []string{"HELLO", proto})
				for _, line := range seq.cmds {
					args, err := splitArgs(line)
					if err != nil || len(args) == 0 {
						t.Fatalf("bad test line %q: %v", line, err)
					}
					for i := range args {
						args[i] = expand(args[i])
					}
					switch strings.ToLower(args[0]) {
					case "@wait":
						p.runLine(line)
					case "@dumprestore":
						p.dumpRestore(proxyTag+args[1], proxyTag+args[2], args[3:])
					default:
						if proxySkips(args) {
							skipped++
							// The line's keys are still looked up (MOVE of
							// a key due to expire deletes it), on both sides.
							for _, i := range commandKeys(args) {
								proxyDo(p, run, true, []string{"EXISTS", proxyTag + args[i]})
							}
							continue
						}
						proxyDo(p, run, true, tagKeys(args))
					}
				}
				if p.inMulti {
					p.do("DISCARD")
				}
				p.sync()
			})
		}
	}
	return compared, skipped
}

// TestInteropProxyPipelinedHello sends pipelines that switch protocol
// between split, fanned-out and routed commands, in one write, to the proxy
// and to redis-server: the replies must match but for HELLO's id and mode.
func TestInteropProxyPipelinedHello(t *testing.T) {
	oracle := startRedis(t)
	d := startDeployment(t, threeShards)
	pipelines := []string{
		"FLUSHALL\r\nMSET a 1 b 2 c 3\r\nMGET a b c nokey\r\nHELLO 3\r\nMGET a b c nokey\r\nHGETALL nokey\r\n" +
			"EXISTS a b c\r\nHELLO 2\r\nMGET a b c nokey\r\nDBSIZE\r\nHELLO 3\r\nDEL a b c\r\nGET a\r\nKEYS nokey\r\n" +
			"HELLO 2\r\nGET a\r\n",
		"HELLO 3\r\nSET k v\r\nKEYS nomatch\r\nRANDOMKEY\r\nZADD z 1.5 m\r\nZSCORE z m\r\nHELLO 2\r\nZSCORE z m\r\n" +
			"HELLO 3\r\nMGET k z\r\nHELLO 4\r\nRESET\r\nZSCORE z m\r\nUNLINK k z\r\n",
	}
	for i, in := range pipelines {
		c := malformedCase{name: "pipelined-hello", input: in, tail: sentinel}
		want := runMalformed(t, oracle, c)
		got := runMalformed(t, d.addr, c)
		w := helloIdentity.ReplaceAll(want.reply, nil)
		g := helloIdentity.ReplaceAll(got.reply, nil)
		if !bytes.Equal(w, g) || got.closed != want.closed || got.err != "" {
			t.Errorf("pipeline %d:\n  redis-server: %s\n  proxy:        %s %s", i, quoteRaw(want.reply), quoteRaw(got.reply), got.err)
		}
	}
}
