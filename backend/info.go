package backend

import (
	"bytes"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// infoSections are INFO's sections in the order Redis writes them, each
// with the names that select it and whether it belongs to "default".
var infoSections = []struct {
	title   string
	names   []string
	deflt   bool
	writeFn func(s *Server, w *infoWriter)
}{
	{"Server", []string{"server"}, true, infoServer},
	{"Clients", []string{"clients"}, true, infoClients},
	{"Memory", []string{"memory"}, true, infoMemory},
	{"Persistence", []string{"persistence"}, true, infoPersistence},
	{"Stats", []string{"stats"}, true, infoStats},
	{"Replication", []string{"replication"}, true, infoReplication},
	{"CPU", []string{"cpu"}, true, infoCPU},
	{"Modules", []string{"module_list", "modules"}, true, nil},
	{"Commandstats", []string{"commandstats"}, false, infoCommandStats},
	{"Errorstats", []string{"errorstats"}, true, infoErrorStats},
	{"Latencystats", []string{"latencystats"}, false, infoLatencyStats},
	{"Cluster", []string{"cluster"}, true, infoCluster},
	{"Keyspace", []string{"keyspace"}, true, infoKeyspace},
}

// infoFieldHooks replace the value of an INFO field: the parts of the node
// that own a figure (pubsub_channels, blocked_clients, aof_*) register a
// function here from an init function. infoSectionHooks add lines at the
// end of a section (by its lower-case title).
var (
	infoFieldHooks   = map[string]func(s *Server) string{}
	infoSectionHooks = map[string][]func(s *Server, w *infoWriter){}
)

// infoWriter builds one section's "name:value\r\n" lines.
type infoWriter struct {
	s *Server
	c *Client // the client asking, for the shard lock helpers
	b []byte
}

func (w *infoWriter) field(name, value string) {
	if h := infoFieldHooks[name]; h != nil {
		value = h(w.s)
	}
	w.b = append(w.b, name...)
	w.b = append(w.b, ':')
	w.b = append(w.b, value...)
	w.b = append(w.b, '\r', '\n')
}

func (w *infoWriter) int(name string, v int64) { w.field(name, strconv.FormatInt(v, 10)) }

// line appends a whole line (for fields whose name varies: db0, cmdstat_).
func (w *infoWriter) line(s string) {
	w.b = append(w.b, s...)
	w.b = append(w.b, '\r', '\n')
}

func init() {
	register("info", cmdInfo)
}

func cmdInfo(c *Client, args [][]byte) {
	c.w.WriteVerbatim("txt", string(c.srv.infoString(c, args[1:])))
}

// infoString is INFO's text for the requested sections: none means
// "default"; "all" is every section, "everything" every section and those
// modules add (none here); unknown names select nothing.
func (s *Server) infoString(c *Client, req [][]byte) []byte {
	all := false
	want := map[string]bool{}
	if len(req) == 0 {
		want["default"] = true
	}
	for _, r := range req {
		switch n := strings.ToLower(string(r)); n {
		case "all", "everything":
			all = true
		default:
			want[n] = true
		}
	}
	w := &infoWriter{s: s, c: c}
	n := 0
	for _, sec := range infoSections {
		on := all || (want["default"] && sec.deflt)
		for _, name := range sec.names {
			on = on || want[name]
		}
		if !on {
			continue
		}
		if n > 0 {
			w.b = append(w.b, '\r', '\n')
		}
		n++
		w.line("# " + sec.title)
		if sec.writeFn != nil {
			sec.writeFn(s, w)
		}
		for _, h := range infoSectionHooks[strings.ToLower(sec.title)] {
			h(s, w)
		}
	}
	return w.b
}

// Process facts INFO server reports, read once.
var (
	infoOS = func() string {
		rel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
		typ, _ := os.ReadFile("/proc/sys/kernel/ostype")
		name := strings.TrimSpace(string(typ))
		if name == "" {
			name = strings.ToUpper(runtime.GOOS[:1]) + runtime.GOOS[1:]
		}
		arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64", "386": "i686"}[runtime.GOARCH]
		if arch == "" {
			arch = runtime.GOARCH
		}
		return strings.TrimSpace(name + " " + strings.TrimSpace(string(rel)) + " " + arch)
	}()
	infoExecutable = func() string {
		p, _ := os.Executable()
		return p
	}()
	// infoBuildID is redis_build_id: a hash of the build, as Redis's.
	infoBuildID = func() string {
		h := uint64(14695981039346656037)
		for _, ch := range buildVersion() + runtime.Version() {
			h = (h ^ uint64(ch)) * 1099511628211
		}
		return strconv.FormatUint(h, 16)
	}()
)

func infoServer(s *Server, w *infoWriter) {
	o := s.cfg.load()
	now := time.Now()
	runID, _ := s.admin.ids()
	uptime := int64(now.Sub(s.started) / time.Second)
	w.field("redis_version", redisVersion)
	w.field("redis_git_sha1", "00000000")
	w.field("redis_git_dirty", "0")
	w.field("redis_build_id", infoBuildID)
	if o.ClusterEnabled {
		w.field("redis_mode", "cluster")
	} else {
		w.field("redis_mode", "standalone")
	}
	w.field("os", infoOS)
	w.field("arch_bits", strconv.Itoa(strconv.IntSize))
	w.field("monotonic_clock", "POSIX clock_gettime")
	w.field("multiplexing_api", "epoll")
	w.field("atomicvar_api", "c11-builtin")
	w.field("gcc_version", "0.0.0")
	w.int("process_id", int64(os.Getpid()))
	w.field("process_supervised", "no")
	w.field("run_id", runID)
	port := o.Port
	if a, ok := s.Addr().(*net.TCPAddr); ok {
		port = a.Port
	}
	w.int("tcp_port", int64(port))
	w.int("server_time_usec", now.UnixMicro())
	w.int("uptime_in_seconds", uptime)
	w.int("uptime_in_days", uptime/86400)
	w.int("hz", int64(o.Hz))
	w.int("configured_hz", int64(o.Hz))
	w.int("lru_clock", int64(s.lruClock()&lruClockMax))
	w.field("executable", infoExecutable)
	cf := o.ConfigFile
	if cf != "" {
		if abs, err := filepath.Abs(cf); err == nil {
			cf = abs
		}
	}
	w.field("config_file", cf)
	w.field("io_threads_active", "0")
}

func infoClients(s *Server, w *infoWriter) {
	s.mu.Lock()
	n := len(s.clients)
	s.mu.Unlock()
	w.int("connected_clients", int64(n))
	w.field("cluster_connections", "0")
	w.int("maxclients", int64(s.cfg.maxClients()))
	w.field("client_recent_max_input_buffer", "0")
	w.field("client_recent_max_output_buffer", "0")
	w.field("blocked_clients", "0")
	w.field("tracking_clients", "0")
	w.field("clients_in_timeout_table", "0")
}

// infoState keeps what INFO computes across calls: the memory peak and
// the last sample of the command count (instantaneous_ops_per_sec).
type infoState struct {
	mu      sync.Mutex
	peak    uint64
	opsAt   time.Time
	opsN    int64
	opsRate float64
}

// startupHeap is the heap in use when the package was initialised
// (used_memory_startup).
var startupHeap = func() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}()

// bytesToHuman is Redis's bytesToHuman: B, K, M, G, T, P with two decimals.
func bytesToHuman(n uint64) string {
	units := []struct {
		lim  float64
		unit string
	}{{1 << 20, "K"}, {1 << 30, "M"}, {1 << 40, "G"}, {1 << 50, "T"}, {1 << 60, "P"}}
	if n < 1024 {
		return strconv.FormatUint(n, 10) + "B"
	}
	f := float64(n)
	div := 1024.0
	for _, u := range units {
		if f < u.lim {
			return strconv.FormatFloat(f/div, 'f', 2, 64) + u.unit
		}
		div *= 1024
	}
	return strconv.FormatUint(n, 10) + "B"
}

// processRSS is the resident set size, from /proc/self/statm.
func processRSS() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

var totalSystemMemory = func() uint64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "MemTotal:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}()

func ratio(a, b uint64) string {
	if b == 0 {
		return "0.00"
	}
	return strconv.FormatFloat(float64(a)/float64(b), 'f', 2, 64)
}

func infoMemory(s *Server, w *infoWriter) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	used := ms.HeapInuse
	rss := processRSS()
	st := &s.admin.info
	st.mu.Lock()
	st.peak = max(st.peak, used)
	peak := st.peak
	st.mu.Unlock()
	o := s.cfg.load()
	overhead := min(startupHeap, used)
	dataset := used - overhead
	w.int("used_memory", int64(used))
	w.field("used_memory_human", bytesToHuman(used))
	w.int("used_memory_rss", int64(rss))
	w.field("used_memory_rss_human", bytesToHuman(rss))
	w.int("used_memory_peak", int64(peak))
	w.field("used_memory_peak_human", bytesToHuman(peak))
	w.field("used_memory_peak_perc", strconv.FormatFloat(100*float64(used)/float64(max(peak, 1)), 'f', 2, 64)+"%")
	w.int("used_memory_overhead", int64(overhead))
	w.int("used_memory_startup", int64(startupHeap))
	w.int("used_memory_dataset", int64(dataset))
	w.field("used_memory_dataset_perc", strconv.FormatFloat(100*float64(dataset)/float64(max(used, 1)), 'f', 2, 64)+"%")
	w.int("allocator_allocated", int64(ms.HeapAlloc))
	w.int("allocator_active", int64(ms.HeapInuse))
	w.int("allocator_resident", int64(ms.HeapSys-ms.HeapReleased))
	w.int("total_system_memory", int64(totalSystemMemory))
	w.field("total_system_memory_human", bytesToHuman(totalSystemMemory))
	for _, f := range []string{"used_memory_lua", "used_memory_vm_eval"} {
		w.field(f, "0")
	}
	w.field("used_memory_lua_human", "0B")
	for _, f := range []string{"used_memory_scripts_eval", "number_of_cached_scripts", "number_of_functions",
		"number_of_libraries", "used_memory_vm_functions", "used_memory_vm_total"} {
		w.field(f, "0")
	}
	w.field("used_memory_vm_total_human", "0B")
	w.field("used_memory_functions", "0")
	w.field("used_memory_scripts", "0")
	w.field("used_memory_scripts_human", "0B")
	w.int("maxmemory", int64(o.MaxMemory))
	w.field("maxmemory_human", bytesToHuman(o.MaxMemory))
	w.field("maxmemory_policy", o.MaxMemoryPolicy)
	w.field("allocator_frag_ratio", ratio(ms.HeapInuse, ms.HeapAlloc))
	w.int("allocator_frag_bytes", int64(ms.HeapInuse-min(ms.HeapAlloc, ms.HeapInuse)))
	resident := ms.HeapSys - ms.HeapReleased
	w.field("allocator_rss_ratio", ratio(resident, ms.HeapInuse))
	w.int("allocator_rss_bytes", int64(resident)-int64(ms.HeapInuse))
	w.field("rss_overhead_ratio", ratio(rss, resident))
	w.int("rss_overhead_bytes", int64(rss)-int64(resident))
	w.field("mem_fragmentation_ratio", ratio(rss, used))
	w.int("mem_fragmentation_bytes", int64(rss)-int64(used))
	for _, f := range []string{"mem_not_counted_for_evict", "mem_replication_backlog", "mem_total_replication_buffers",
		"mem_clients_slaves", "mem_clients_normal", "mem_cluster_links", "mem_aof_buffer"} {
		w.field(f, "0")
	}
	w.field("mem_allocator", "go-"+runtime.Version())
	w.field("active_defrag_running", "0")
	w.field("lazyfree_pending_objects", "0")
	w.field("lazyfreed_objects", "0")
}

// dirtyCount is rdb_changes_since_last_save: the shards' change counters.
func (s *Server) dirtyCount(c *Client) int64 {
	var n int64
	for _, db := range s.dbs {
		for i := range db.shards {
			sh := &db.shards[i]
			c.lockShard(sh)
			n += sh.dirty
			c.unlockShard(sh)
		}
	}
	return n
}

func infoPersistence(s *Server, w *infoWriter) {
	for _, f := range []string{"loading", "async_loading", "current_cow_peak", "current_cow_size", "current_cow_size_age"} {
		w.field(f, "0")
	}
	w.field("current_fork_perc", "0.00")
	w.field("current_save_keys_processed", "0")
	w.field("current_save_keys_total", "0")
	w.int("rdb_changes_since_last_save", s.dirtyCount(w.c))
	w.field("rdb_bgsave_in_progress", "0")
	w.int("rdb_last_save_time", s.lastSave.Load())
	w.field("rdb_last_bgsave_status", "ok")
	w.field("rdb_last_bgsave_time_sec", "-1")
	w.field("rdb_current_bgsave_time_sec", "-1")
	w.field("rdb_saves", "0")
	w.field("rdb_last_cow_size", "0")
	w.field("rdb_last_load_keys_expired", "0")
	w.field("rdb_last_load_keys_loaded", "0")
	s.infoAOF(w)
}

// keyspaceTotals sums the shards' hit, miss and expiry counters.
func (s *Server) keyspaceTotals(c *Client) (hits, misses, expired int64) {
	for _, db := range s.dbs {
		for i := range db.shards {
			sh := &db.shards[i]
			c.lockShard(sh)
			hits += sh.hits
			misses += sh.misses
			expired += sh.expired
			c.unlockShard(sh)
		}
	}
	return
}

// opsPerSec estimates instantaneous_ops_per_sec from the command count
// since the previous estimate (at least 100ms apart, as Redis samples).
func (s *Server) opsPerSec(processed int64) int64 {
	st := &s.admin.info
	st.mu.Lock()
	defer st.mu.Unlock()
	now := time.Now()
	if st.opsAt.IsZero() {
		st.opsAt, st.opsN = s.started, 0
	}
	if d := now.Sub(st.opsAt); d >= 100*time.Millisecond {
		st.opsRate = float64(processed-st.opsN) / d.Seconds()
		st.opsAt, st.opsN = now, processed
	}
	return int64(math.Round(max(st.opsRate, 0)))
}

func infoStats(s *Server, w *infoWriter) {
	st := &s.stats
	hits, misses, expired := s.keyspaceTotals(w.c)
	processed := st.processed()
	w.int("total_connections_received", st.connections.Load())
	w.int("total_commands_processed", processed)
	w.int("instantaneous_ops_per_sec", s.opsPerSec(processed))
	w.int("total_net_input_bytes", st.netIn.Load())
	w.int("total_net_output_bytes", st.netOut.Load())
	w.field("total_net_repl_input_bytes", "0")
	w.field("total_net_repl_output_bytes", "0")
	for _, f := range []string{"instantaneous_input_kbps", "instantaneous_output_kbps",
		"instantaneous_input_repl_kbps", "instantaneous_output_repl_kbps"} {
		w.field(f, "0.00")
	}
	w.int("rejected_connections", st.rejectedConns.Load())
	w.field("sync_full", "0")
	w.field("sync_partial_ok", "0")
	w.field("sync_partial_err", "0")
	w.int("expired_keys", expired)
	w.field("expired_stale_perc", "0.00")
	w.field("expired_time_cap_reached_count", "0")
	w.field("expire_cycle_cpu_milliseconds", "0")
	for _, f := range []string{"evicted_keys", "evicted_clients", "total_eviction_exceeded_time",
		"current_eviction_exceeded_time"} {
		w.field(f, "0")
	}
	w.int("keyspace_hits", hits)
	w.int("keyspace_misses", misses)
	for _, f := range []string{"pubsub_channels", "pubsub_patterns", "pubsubshard_channels", "latest_fork_usec",
		"total_forks", "migrate_cached_sockets", "slave_expires_tracked_keys", "active_defrag_hits",
		"active_defrag_misses", "active_defrag_key_hits", "active_defrag_key_misses", "total_active_defrag_time",
		"current_active_defrag_time", "tracking_total_keys", "tracking_total_items", "tracking_total_prefixes",
		"unexpected_error_replies"} {
		w.field(f, "0")
	}
	w.int("total_error_replies", st.errorReplies.Load())
	w.field("dump_payload_sanitizations", "0")
	w.int("total_reads_processed", processed)
	w.int("total_writes_processed", processed)
	for _, f := range []string{"io_threaded_reads_processed", "io_threaded_writes_processed",
		"reply_buffer_shrinks", "reply_buffer_expands"} {
		w.field(f, "0")
	}
}

func infoReplication(s *Server, w *infoWriter) {
	_, replID := s.admin.ids()
	o := s.cfg.load()
	backlog, _ := o.Get("repl-backlog-size")
	w.field("role", "master")
	w.field("connected_slaves", "0")
	w.field("master_failover_state", "no-failover")
	w.field("master_replid", replID)
	w.field("master_replid2", strings.Repeat("0", 40))
	w.field("master_repl_offset", "0")
	w.field("second_repl_offset", "-1")
	w.field("repl_backlog_active", "0")
	w.field("repl_backlog_size", backlog)
	w.field("repl_backlog_first_byte_offset", "0")
	w.field("repl_backlog_histlen", "0")
}

func rusageSeconds(tv syscall.Timeval) string {
	return fmt.Sprintf("%d.%06d", tv.Sec, tv.Usec)
}

func infoCPU(s *Server, w *infoWriter) {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	w.field("used_cpu_sys", rusageSeconds(self.Stime))
	w.field("used_cpu_user", rusageSeconds(self.Utime))
	w.field("used_cpu_sys_children", rusageSeconds(children.Stime))
	w.field("used_cpu_user_children", rusageSeconds(children.Utime))
	// The node has no main thread: every goroutine's time is the process's.
	w.field("used_cpu_sys_main_thread", rusageSeconds(self.Stime))
	w.field("used_cpu_user_main_thread", rusageSeconds(self.Utime))
}

func infoCommandStats(s *Server, w *infoWriter) {
	for _, t := range s.stats.commands() {
		perCall := 0.0
		if t.calls > 0 {
			perCall = float64(t.usec) / float64(t.calls)
		}
		w.line("cmdstat_" + t.cmd.Name + ":calls=" + strconv.FormatInt(t.calls, 10) +
			",usec=" + strconv.FormatInt(t.usec, 10) +
			",usec_per_call=" + strconv.FormatFloat(perCall, 'f', 2, 64) +
			",rejected_calls=" + strconv.FormatInt(t.rejected, 10) +
			",failed_calls=" + strconv.FormatInt(t.failed, 10))
	}
}

// infoLatencyStats writes latency_percentiles_usec_<cmd> for every command
// that has a latency histogram, at latency-tracking-info-percentiles.
func infoLatencyStats(s *Server, w *infoWriter) {
	o := s.cfg.load()
	if v, _ := o.Get("latency-tracking"); v != "yes" {
		return
	}
	spec, _ := o.Get("latency-tracking-info-percentiles")
	var pcts []float64
	for _, f := range strings.Fields(spec) {
		if p, err := strconv.ParseFloat(f, 64); err == nil {
			pcts = append(pcts, p)
		}
	}
	for _, t := range s.stats.commands() {
		h := s.stats.latency(t.index)
		if h == nil {
			continue
		}
		b := []byte("latency_percentiles_usec_" + t.cmd.Name + ":")
		for i, p := range pcts {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, 'p')
			b = strconv.AppendFloat(b, p, 'f', -1, 64)
			b = append(b, '=')
			b = strconv.AppendFloat(b, float64(h.ValueAtPercentile(p))/1000, 'f', 3, 64)
		}
		w.line(string(b))
	}
}

func infoErrorStats(s *Server, w *infoWriter) {
	for _, e := range s.admin.errs.snapshot() {
		w.line("errorstat_" + e.code + ":count=" + strconv.FormatInt(e.n, 10))
	}
}

func infoCluster(s *Server, w *infoWriter) {
	if s.cfg.load().ClusterEnabled {
		w.field("cluster_enabled", "1")
	} else {
		w.field("cluster_enabled", "0")
	}
}

func infoKeyspace(s *Server, w *infoWriter) {
	for i, db := range s.dbs {
		keys, expires := db.keysAndExpires(w.c)
		if keys == 0 {
			continue
		}
		w.line("db" + strconv.Itoa(i) + ":keys=" + strconv.Itoa(keys) + ",expires=" + strconv.Itoa(expires) + ",avg_ttl=0")
	}
}

// errorStats counts error replies by their code (the first word: ERR,
// WRONGTYPE, ...), for INFO errorstats.
type errorStats struct {
	mu     sync.Mutex
	counts map[string]int64
	order  []string
}

// errorStatsLimit is Redis's cap on distinct error codes tracked.
const errorStatsLimit = 128

// count records one error reply; reply is the reply's bytes from its '-'.
// As Redis does, the code is the text up to the first space within 32
// bytes, or ERR when there is none.
func (es *errorStats) count(reply []byte) {
	code := "ERR"
	if len(reply) > 0 && reply[0] == '-' {
		head := reply[:min(len(reply), 32)]
		if i := bytes.IndexByte(head, ' '); i > 0 {
			code = string(head[1:i])
		}
	}
	es.mu.Lock()
	defer es.mu.Unlock()
	if es.counts == nil {
		es.counts = make(map[string]int64)
	}
	if _, ok := es.counts[code]; !ok {
		if len(es.order) >= errorStatsLimit {
			return
		}
		es.order = append(es.order, code)
	}
	es.counts[code]++
}

type errorCount struct {
	code string
	n    int64
}

func (es *errorStats) snapshot() []errorCount {
	es.mu.Lock()
	defer es.mu.Unlock()
	out := make([]errorCount, len(es.order))
	for i, code := range es.order {
		out[i] = errorCount{code, es.counts[code]}
	}
	// Redis keeps them in a radix tree: sorted by code.
	sort.Slice(out, func(i, j int) bool { return out[i].code < out[j].code })
	return out
}

func (es *errorStats) reset() {
	es.mu.Lock()
	es.counts, es.order = nil, nil
	es.mu.Unlock()
}

// resetErrorStats is CONFIG RESETSTAT's part for INFO errorstats.
func resetErrorStats(s *Server) { s.admin.errs.reset() }

// buildVersion is this build's module version, as Go records it.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
