package proxy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shardis/shardis/internal/resp"
)

// INFO, answered by the proxy: the sections of a Redis Cluster master that
// describe this process, and a Keyspace section merged from every shard's
// INFO keyspace.

// infoFacts are the figures INFO reports about the proxy.
type infoFacts struct {
	runID   string
	port    int
	started time.Time

	connectedClients int64
	maxClients       int
	totalConnections int64
	totalCommands    int64
	rejected         int64
	errorReplies     int64
	netInput         int64
	netOutput        int64
	instOps          int64
	instInputKbps    float64
	instOutputKbps   float64
	blockedClients   int64
	pubsubChannels   int64
	pubsubPatterns   int64
	shardChannels    int64

	// extra lines to add at the end of a section, by lower-case title
	// (other parts of the proxy report there: replica lag under
	// "replication").
	extra map[string][]string
}

// infoSectionDef is one INFO section: its title, the names that select it,
// whether it belongs to "default", and what writes its fields.
type infoSectionDef struct {
	title string
	deflt bool
	write func(b *infoLines, f *infoFacts)
}

// proxyInfoSections are the proxy's sections in Redis's order.
var proxyInfoSections = []infoSectionDef{
	{"Server", true, infoServer},
	{"Clients", true, infoClients},
	{"Memory", true, infoMemory},
	{"Persistence", true, infoPersistence},
	{"Stats", true, infoStats},
	{"Replication", true, infoReplication},
	{"CPU", true, infoCPU},
	{"Modules", true, nil},
	{"Commandstats", false, nil},
	{"Errorstats", true, nil},
	{"Latencystats", false, nil},
	{"Cluster", true, func(b *infoLines, _ *infoFacts) { b.field("cluster_enabled", "1") }},
	{"Keyspace", true, nil}, // filled from the shards
}

type infoLines struct{ b []byte }

func (b *infoLines) field(name, value string) {
	b.b = append(b.b, name...)
	b.b = append(b.b, ':')
	b.b = append(b.b, value...)
	b.b = append(b.b, '\r', '\n')
}

func (b *infoLines) int(name string, v int64) { b.field(name, strconv.FormatInt(v, 10)) }

func (b *infoLines) line(s string) {
	b.b = append(b.b, s...)
	b.b = append(b.b, '\r', '\n')
}

// infoWanted returns which sections a request selects, by lower-case
// title, as Redis: none means "default"; "all" and "everything" every
// section; unknown names select nothing. The module list section answers
// to "modules" and "module_list".
func infoWanted(req [][]byte) map[string]bool {
	want := map[string]bool{}
	if len(req) == 0 {
		req = [][]byte{[]byte("default")}
	}
	for _, r := range req {
		n := strings.ToLower(string(r))
		for _, s := range proxyInfoSections {
			t := strings.ToLower(s.title)
			switch {
			case n == "all" || n == "everything",
				n == "default" && s.deflt,
				n == t,
				n == "module_list" && t == "modules":
				want[t] = true
			}
		}
	}
	return want
}

// infoReply answers INFO [section ...]. The Keyspace section, when asked
// for, sends INFO keyspace to every shard's primary and sums the counts.
func infoReply(ctx context.Context, w *resp.Writer, args [][]byte, f *infoFacts, nodes nodeCaller) {
	want := infoWanted(args[1:])
	var keyspace []string
	if want["keyspace"] && nodes != nil {
		keyspace = mergeKeyspace(ctx, nodes)
	}
	w.WriteVerbatim("txt", string(infoText(want, f, keyspace)))
}

// infoText writes the wanted sections; keyspace holds the Keyspace lines.
func infoText(want map[string]bool, f *infoFacts, keyspace []string) []byte {
	b := &infoLines{}
	n := 0
	for _, s := range proxyInfoSections {
		t := strings.ToLower(s.title)
		if !want[t] {
			continue
		}
		if n > 0 {
			b.line("")
		}
		n++
		b.line("# " + s.title)
		if s.write != nil {
			s.write(b, f)
		}
		if t == "keyspace" {
			for _, l := range keyspace {
				b.line(l)
			}
		}
		for _, l := range f.extra[t] {
			b.line(l)
		}
	}
	return b.b
}

func infoServer(b *infoLines, f *infoFacts) {
	now := time.Now()
	up := int64(now.Sub(f.started) / time.Second)
	exe, _ := os.Executable()
	b.field("redis_version", "7.0.15")
	b.field("redis_git_sha1", "00000000")
	b.field("redis_git_dirty", "0")
	b.field("redis_build_id", "0")
	b.field("redis_mode", "cluster")
	b.field("os", runtime.GOOS+" "+runtime.GOARCH)
	b.field("arch_bits", strconv.Itoa(strconv.IntSize))
	b.field("monotonic_clock", "POSIX clock_gettime")
	b.field("multiplexing_api", "epoll")
	b.field("atomicvar_api", "c11-builtin")
	b.field("gcc_version", "0.0.0")
	b.int("process_id", int64(os.Getpid()))
	b.field("process_supervised", "no")
	b.field("run_id", f.runID)
	b.int("tcp_port", int64(f.port))
	b.int("server_time_usec", now.UnixMicro())
	b.int("uptime_in_seconds", up)
	b.int("uptime_in_days", up/86400)
	b.field("hz", "10")
	b.field("configured_hz", "10")
	b.field("lru_clock", "0")
	b.field("executable", exe)
	b.field("config_file", "")
	b.field("io_threads_active", "0")
	b.field("shardis_role", "proxy")
}

func infoClients(b *infoLines, f *infoFacts) {
	b.int("connected_clients", f.connectedClients)
	b.field("cluster_connections", "0")
	b.int("maxclients", int64(f.maxClients))
	b.field("client_recent_max_input_buffer", "0")
	b.field("client_recent_max_output_buffer", "0")
	b.int("blocked_clients", f.blockedClients)
	b.field("tracking_clients", "0")
	b.field("clients_in_timeout_table", "0")
}

func infoMemory(b *infoLines, _ *infoFacts) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.int("used_memory", int64(ms.HeapAlloc))
	b.field("used_memory_human", infoHumanBytes(ms.HeapAlloc))
	b.int("used_memory_rss", int64(ms.Sys))
	b.field("used_memory_rss_human", infoHumanBytes(ms.Sys))
	b.int("used_memory_peak", int64(ms.HeapSys))
	b.field("used_memory_peak_human", infoHumanBytes(ms.HeapSys))
	b.field("maxmemory", "0")
	b.field("maxmemory_human", "0B")
	b.field("maxmemory_policy", "noeviction")
	b.field("mem_allocator", "go-"+runtime.Version())
}

// infoHumanBytes formats n as Redis's bytesToHuman ("1.50M").
func infoHumanBytes(n uint64) string {
	f := float64(n)
	for _, u := range []string{"B", "K", "M", "G", "T", "P"} {
		if f < 1024 || u == "P" {
			if u == "B" {
				return strconv.FormatUint(n, 10) + "B"
			}
			return strconv.FormatFloat(f, 'f', 2, 64) + u
		}
		f /= 1024
	}
	return ""
}

func infoPersistence(b *infoLines, f *infoFacts) {
	b.field("loading", "0")
	b.field("async_loading", "0")
	b.field("rdb_changes_since_last_save", "0")
	b.field("rdb_bgsave_in_progress", "0")
	b.int("rdb_last_save_time", f.started.Unix())
	b.field("rdb_last_bgsave_status", "ok")
	b.field("aof_enabled", "0")
	b.field("aof_rewrite_in_progress", "0")
	b.field("aof_last_bgrewrite_status", "ok")
	b.field("aof_last_write_status", "ok")
}

func infoStats(b *infoLines, f *infoFacts) {
	b.int("total_connections_received", f.totalConnections)
	b.int("total_commands_processed", f.totalCommands)
	b.int("instantaneous_ops_per_sec", f.instOps)
	b.int("total_net_input_bytes", f.netInput)
	b.int("total_net_output_bytes", f.netOutput)
	b.field("instantaneous_input_kbps", strconv.FormatFloat(f.instInputKbps, 'f', 2, 64))
	b.field("instantaneous_output_kbps", strconv.FormatFloat(f.instOutputKbps, 'f', 2, 64))
	b.int("rejected_connections", f.rejected)
	b.field("keyspace_hits", "0")
	b.field("keyspace_misses", "0")
	b.int("pubsub_channels", f.pubsubChannels)
	b.int("pubsub_patterns", f.pubsubPatterns)
	b.int("pubsubshard_channels", f.shardChannels)
	b.int("total_error_replies", f.errorReplies)
}

func infoReplication(b *infoLines, _ *infoFacts) {
	b.field("role", "master")
	b.field("connected_slaves", "0")
}

func infoCPU(b *infoLines, _ *infoFacts) {
	b.field("used_cpu_sys", "0.000000")
	b.field("used_cpu_user", "0.000000")
}

// mergeKeyspace sends INFO keyspace to every shard's primary and sums the
// "dbN:keys=..,expires=..,avg_ttl=.." lines per database; avg_ttl is the
// mean weighted by each node's expires. A shard that does not answer is
// left out of the sums.
func mergeKeyspace(ctx context.Context, nodes nodeCaller) []string {
	replies, _ := nodes.callAll(ctx, []byte("INFO"), []byte("keyspace"))
	texts := make([]string, 0, len(replies))
	for _, r := range replies {
		if r.Type == '$' || r.Type == '=' || r.Type == '+' {
			texts = append(texts, string(r.Str))
		}
	}
	return sumKeyspace(texts)
}

// sumKeyspace sums the Keyspace lines of several INFO texts.
func sumKeyspace(texts []string) []string {
	type db struct{ keys, expires, ttlWeighted int64 }
	dbs := map[int]*db{}
	for _, t := range texts {
		for _, l := range strings.Split(t, "\n") {
			l = strings.TrimSpace(l)
			name, rest, ok := strings.Cut(l, ":")
			if !ok || !strings.HasPrefix(name, "db") {
				continue
			}
			n, err := strconv.Atoi(name[2:])
			if err != nil {
				continue
			}
			d := dbs[n]
			if d == nil {
				d = &db{}
				dbs[n] = d
			}
			var keys, expires, ttl int64
			for _, kv := range strings.Split(rest, ",") {
				k, v, _ := strings.Cut(kv, "=")
				x, _ := strconv.ParseInt(v, 10, 64)
				switch k {
				case "keys":
					keys = x
				case "expires":
					expires = x
				case "avg_ttl":
					ttl = x
				}
			}
			d.keys += keys
			d.expires += expires
			d.ttlWeighted += ttl * expires
		}
	}
	ids := make([]int, 0, len(dbs))
	for n := range dbs {
		ids = append(ids, n)
	}
	slices.Sort(ids)
	out := make([]string, 0, len(ids))
	for _, n := range ids {
		d := dbs[n]
		var avg int64
		if d.expires > 0 {
			avg = d.ttlWeighted / d.expires
		}
		out = append(out, "db"+strconv.Itoa(n)+":keys="+strconv.FormatInt(d.keys, 10)+
			",expires="+strconv.FormatInt(d.expires, 10)+",avg_ttl="+strconv.FormatInt(avg, 10))
	}
	return out
}

// proxyStats are the counters of a Server that INFO reports.
type proxyStats struct {
	started     time.Time
	connections atomic.Int64 // connections accepted
	commands    atomic.Int64 // requests past the unknown-command and arity checks
	netInput    atomic.Int64 // bytes read from clients
	netOutput   atomic.Int64 // bytes written to clients
	errors      atomic.Int64 // error replies written to clients
	// Replies a link reader wrote for a session (session.writeDirect):
	// whole, and in part (the socket was full). Not in INFO; tests read them.
	directWhole, directPart atomic.Int64

	// Redis's instantaneous metrics, sampled every 100 ms by sampleStats.
	instOps, instInput, instOutput instMetric

	runIDOnce sync.Once
	runID     string
}

// id is the server's run_id: 40 random hex digits, fixed for its life.
func (st *proxyStats) id() string {
	st.runIDOnce.Do(func() {
		var b [20]byte
		_, _ = rand.Read(b[:])
		st.runID = hex.EncodeToString(b[:])
	})
	return st.runID
}

// reset is CONFIG RESETSTAT.
func (st *proxyStats) reset() {
	st.connections.Store(0)
	st.commands.Store(0)
}

func init() {
	registerLocal("info", cmdInfo)
}

func cmdInfo(ss *session, args [][]byte) {
	s := ss.srv
	s.mu.Lock()
	clients := len(s.sessions)
	s.mu.Unlock()
	f := &infoFacts{
		runID:            s.stats.id(),
		port:             s.clusterView().me().port,
		started:          s.stats.started,
		connectedClients: int64(clients),
		maxClients:       proxyMaxClients,
		totalConnections: s.stats.connections.Load(),
		totalCommands:    s.stats.commands.Load(),
		netInput:         s.stats.netInput.Load(),
		netOutput:        s.stats.netOutput.Load(),
		errorReplies:     s.stats.errors.Load(),
		instOps:          int64(s.stats.instOps.value()),
		instInputKbps:    s.stats.instInput.value() / 1024,
		instOutputKbps:   s.stats.instOutput.value() / 1024,
	}
	f.extra = map[string][]string{"replication": s.replicationInfo(), "stats": s.redirectInfo()}
	infoReply(ss.ctx(), ss.w, args, f, s)
}

// proxyMaxClients is what INFO and CONFIG GET report as maxclients: the
// proxy sets no limit of its own; this is Redis's default.
const proxyMaxClients = 10000

// statsSamples is how many 100 ms samples an instantaneous metric averages,
// as Redis's STATS_METRIC_SAMPLES.
const statsSamples = 16

// instMetric is one of Redis's instantaneous metrics
// (trackInstantaneousMetric): the mean of the rates of the last 16 samples.
type instMetric struct {
	mu      sync.Mutex
	lastT   time.Time
	lastV   int64
	samples [statsSamples]float64
	idx     int
}

// sample records the counter's value v at now.
func (m *instMetric) sample(now time.Time, v int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.lastT.IsZero() {
		if dt := now.Sub(m.lastT).Seconds(); dt > 0 {
			m.samples[m.idx] = float64(v-m.lastV) / dt
			m.idx = (m.idx + 1) % statsSamples
		}
	}
	m.lastT, m.lastV = now, v
}

// value is the mean rate per second.
func (m *instMetric) value() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	sum := 0.0
	for _, r := range m.samples {
		sum += r
	}
	return sum / statsSamples
}

// sampleStats samples the instantaneous metrics every 100 ms, as Redis's
// serverCron does, until the server closes.
func (s *Server) sampleStats() {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case now := <-t.C:
			st := &s.stats
			st.instOps.sample(now, st.commands.Load())
			st.instInput.sample(now, st.netInput.Load())
			st.instOutput.sample(now, st.netOutput.Load())
		}
	}
}

// countingWriter counts the bytes written to a client connection.
type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// countingReader counts the bytes read from a client connection that is not
// a socket (sessions on sockets count in serveRaw).
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
