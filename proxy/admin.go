package proxy

import (
	"context"
	"net"
	"strconv"
	"strings"

	"github.com/shardis/shardis/internal/command"
	"github.com/shardis/shardis/internal/resp"
)

// COMMAND, CONFIG, ROLE, READONLY and READWRITE, answered by the proxy as
// a Redis Cluster master answers them.

// commandReply answers COMMAND from the command table. notServed names
// the commands the proxy refuses (lower case, "container|sub" for a
// subcommand); they are left out as Redis leaves out what it does not
// have.
func commandReply(w *resp.Writer, args [][]byte, notServed map[string]bool) {
	var implemented func(*command.Command) bool
	if len(notServed) > 0 {
		implemented = func(c *command.Command) bool { return !notServed[c.Name] }
	}
	command.Reply(w, args, implemented)
}

// configParam is one parameter CONFIG GET answers: the proxy's own
// settings, and what clients read at connect time (redis-benchmark reads
// save and appendonly, cluster clients cluster-*).
type configParam struct {
	name  string
	value func(f *configFacts) string
}

// configFacts are the values of the parameters that describe this proxy.
type configFacts struct {
	host    string // announced host
	port    int    // announced port
	bind    string // listen hosts, space-separated
	clients int    // maxclients
}

func fixedParam(v string) func(*configFacts) string { return func(*configFacts) string { return v } }

// configParams is what CONFIG GET knows, in the order it lists them.
var configParams = []configParam{
	{"save", fixedParam("")},
	{"appendonly", fixedParam("no")},
	{"databases", fixedParam("16")},
	{"port", func(f *configFacts) string { return strconv.Itoa(f.port) }},
	{"bind", func(f *configFacts) string { return f.bind }},
	{"maxclients", func(f *configFacts) string { return strconv.Itoa(f.clients) }},
	{"timeout", fixedParam("0")},
	{"tcp-keepalive", fixedParam("300")},
	{"protected-mode", fixedParam("no")},
	{"maxmemory", fixedParam("0")},
	{"maxmemory-policy", fixedParam("noeviction")},
	{"proto-max-bulk-len", fixedParam("536870912")},
	{"client-query-buffer-limit", fixedParam("1073741824")},
	{"replica-read-only", fixedParam("yes")},
	{"slave-read-only", fixedParam("yes")},
	{"cluster-enabled", fixedParam("yes")},
	{"cluster-config-file", fixedParam("")},
	{"cluster-node-timeout", fixedParam("15000")},
	{"cluster-require-full-coverage", fixedParam("no")},
	{"cluster-allow-reads-when-down", fixedParam("no")},
	{"cluster-allow-pubsubshard-when-down", fixedParam("yes")},
	{"cluster-allow-replica-migration", fixedParam("yes")},
	{"cluster-replica-no-failover", fixedParam("no")},
	{"cluster-slave-no-failover", fixedParam("no")},
	{"cluster-replica-validity-factor", fixedParam("10")},
	{"cluster-slave-validity-factor", fixedParam("10")},
	{"cluster-migration-barrier", fixedParam("1")},
	{"cluster-link-sendbuf-limit", fixedParam("0")},
	{"cluster-preferred-endpoint-type", fixedParam("ip")},
	{"cluster-announce-ip", func(f *configFacts) string { return f.host }},
	{"cluster-announce-port", func(f *configFacts) string { return strconv.Itoa(f.port) }},
	{"cluster-announce-bus-port", fixedParam("0")},
	{"cluster-announce-tls-port", fixedParam("0")},
	{"cluster-announce-hostname", fixedParam("")},
	{"cluster-port", fixedParam("0")},
}

// configHelp is CONFIG HELP's reply after its header line, Redis 7.0's.
var configHelp = []string{
	"GET <pattern>",
	"    Return parameters matching the glob-like <pattern> and their values.",
	"SET <directive> <value>",
	"    Set the configuration <directive> to <value>.",
	"RESETSTAT",
	"    Reset statistics reported by the INFO command.",
	"REWRITE",
	"    Rewrite the configuration file.",
	"HELP",
	"    Prints this help.",
}

// nodeCaller sends one command to the primary of every shard, for the
// local commands that need the nodes (CONFIG SET, INFO keyspace).
type nodeCaller interface {
	callAll(ctx context.Context, args ...[]byte) ([]resp.Value, error)
}

// configReply answers CONFIG. GET answers from configParams (other names
// match nothing); SET is sent to the primary of every shard, since the
// settings that matter (notify-keyspace-events, maxmemory, ...) are the
// nodes'; RESETSTAT calls resetStats; REWRITE fails as on a redis-server
// started without a config file.
func configReply(ctx context.Context, w *resp.Writer, args [][]byte, f *configFacts, nodes nodeCaller, resetStats func()) {
	config := command.Lookup([]byte("config"))
	if len(args) < 2 {
		w.WriteError(command.ArityError(config))
		return
	}
	sub := config.Subcommand(args[1])
	if sub == nil {
		w.WriteError(command.UnknownSubcommandError(string(args[0]), string(args[1])))
		return
	}
	if !sub.ArityOK(len(args)) {
		w.WriteError(command.ArityError(sub))
		return
	}
	switch strings.ToLower(string(args[1])) {
	case "help":
		writeHelpLines(w, args[0], configHelp)
	case "get":
		var pairs []string
		seen := map[string]bool{}
		for _, pat := range args[2:] {
			for _, p := range configParams {
				if !seen[p.name] && command.Match(pat, []byte(p.name), true) {
					seen[p.name] = true
					pairs = append(pairs, p.name, p.value(f))
				}
			}
		}
		w.WriteMapLen(len(pairs) / 2)
		for _, s := range pairs {
			w.WriteBulkString(s)
		}
	case "set":
		if len(args)%2 != 0 {
			w.WriteError(errSyntax) // a name without a value, as Redis answers
			return
		}
		replies, err := nodes.callAll(ctx, args...)
		if err != nil {
			w.WriteError(nodeErrText(err))
			return
		}
		for _, r := range replies {
			if r.Type == '-' || r.Type == '!' {
				w.WriteError(string(r.Str))
				return
			}
		}
		w.WriteOK()
	case "resetstat":
		if resetStats != nil {
			resetStats()
		}
		w.WriteOK()
	case "rewrite":
		w.WriteError("ERR The server is running without a config file")
	default:
		w.WriteError(command.UnknownSubcommandError(string(args[0]), string(args[1])))
	}
}

// roleReply answers ROLE: every proxy is a master without replicas.
func roleReply(w *resp.Writer) {
	w.WriteArrayLen(3)
	w.WriteBulkString("master")
	w.WriteInt(0)
	w.WriteArrayLen(0)
}

func init() {
	registerLocal("command", func(ss *session, args [][]byte) { commandReply(ss.w, args, nil) })
	registerLocal("config", cmdConfig)
	registerLocal("role", func(ss *session, _ [][]byte) { roleReply(ss.w) })
}

func cmdConfig(ss *session, args [][]byte) {
	s := ss.srv
	me := s.clusterView().me()
	var hosts []string
	for _, l := range s.proxyConfig().Listen {
		if h, _, err := net.SplitHostPort(l); err == nil {
			hosts = append(hosts, h)
		}
	}
	f := &configFacts{host: me.host, port: me.port, bind: strings.Join(hosts, " "), clients: proxyMaxClients}
	configReply(ss.ctx(), ss.w, args, f, s, s.stats.reset)
}
