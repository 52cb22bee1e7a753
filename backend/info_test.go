package backend

import (
	"strings"
	"testing"
)

// redisInfoFields are the fields of INFO everything from redis-server
// 7.0.15, by section, in its order (per-command, per-error and per-db lines
// left out).
var redisInfoFields = map[string][]string{
	"Server":       {"redis_version", "redis_git_sha1", "redis_git_dirty", "redis_build_id", "redis_mode", "os", "arch_bits", "monotonic_clock", "multiplexing_api", "atomicvar_api", "gcc_version", "process_id", "process_supervised", "run_id", "tcp_port", "server_time_usec", "uptime_in_seconds", "uptime_in_days", "hz", "configured_hz", "lru_clock", "executable", "config_file", "io_threads_active"},
	"Clients":      {"connected_clients", "cluster_connections", "maxclients", "client_recent_max_input_buffer", "client_recent_max_output_buffer", "blocked_clients", "tracking_clients", "clients_in_timeout_table"},
	"Memory":       {"used_memory", "used_memory_human", "used_memory_rss", "used_memory_rss_human", "used_memory_peak", "used_memory_peak_human", "used_memory_peak_perc", "used_memory_overhead", "used_memory_startup", "used_memory_dataset", "used_memory_dataset_perc", "allocator_allocated", "allocator_active", "allocator_resident", "total_system_memory", "total_system_memory_human", "used_memory_lua", "used_memory_vm_eval", "used_memory_lua_human", "used_memory_scripts_eval", "number_of_cached_scripts", "number_of_functions", "number_of_libraries", "used_memory_vm_functions", "used_memory_vm_total", "used_memory_vm_total_human", "used_memory_functions", "used_memory_scripts", "used_memory_scripts_human", "maxmemory", "maxmemory_human", "maxmemory_policy", "allocator_frag_ratio", "allocator_frag_bytes", "allocator_rss_ratio", "allocator_rss_bytes", "rss_overhead_ratio", "rss_overhead_bytes", "mem_fragmentation_ratio", "mem_fragmentation_bytes", "mem_not_counted_for_evict", "mem_replication_backlog", "mem_total_replication_buffers", "mem_clients_slaves", "mem_clients_normal", "mem_cluster_links", "mem_aof_buffer", "mem_allocator", "active_defrag_running", "lazyfree_pending_objects", "lazyfreed_objects"},
	"Persistence":  {"loading", "async_loading", "current_cow_peak", "current_cow_size", "current_cow_size_age", "current_fork_perc", "current_save_keys_processed", "current_save_keys_total", "rdb_changes_since_last_save", "rdb_bgsave_in_progress", "rdb_last_save_time", "rdb_last_bgsave_status", "rdb_last_bgsave_time_sec", "rdb_current_bgsave_time_sec", "rdb_saves", "rdb_last_cow_size", "rdb_last_load_keys_expired", "rdb_last_load_keys_loaded", "aof_enabled", "aof_rewrite_in_progress", "aof_rewrite_scheduled", "aof_last_rewrite_time_sec", "aof_current_rewrite_time_sec", "aof_last_bgrewrite_status", "aof_rewrites", "aof_rewrites_consecutive_failures", "aof_last_write_status", "aof_last_cow_size", "module_fork_in_progress", "module_fork_last_cow_size"},
	"Stats":        {"total_connections_received", "total_commands_processed", "instantaneous_ops_per_sec", "total_net_input_bytes", "total_net_output_bytes", "total_net_repl_input_bytes", "total_net_repl_output_bytes", "instantaneous_input_kbps", "instantaneous_output_kbps", "instantaneous_input_repl_kbps", "instantaneous_output_repl_kbps", "rejected_connections", "sync_full", "sync_partial_ok", "sync_partial_err", "expired_keys", "expired_stale_perc", "expired_time_cap_reached_count", "expire_cycle_cpu_milliseconds", "evicted_keys", "evicted_clients", "total_eviction_exceeded_time", "current_eviction_exceeded_time", "keyspace_hits", "keyspace_misses", "pubsub_channels", "pubsub_patterns", "pubsubshard_channels", "latest_fork_usec", "total_forks", "migrate_cached_sockets", "slave_expires_tracked_keys", "active_defrag_hits", "active_defrag_misses", "active_defrag_key_hits", "active_defrag_key_misses", "total_active_defrag_time", "current_active_defrag_time", "tracking_total_keys", "tracking_total_items", "tracking_total_prefixes", "unexpected_error_replies", "total_error_replies", "dump_payload_sanitizations", "total_reads_processed", "total_writes_processed", "io_threaded_reads_processed", "io_threaded_writes_processed", "reply_buffer_shrinks", "reply_buffer_expands"},
	"Replication":  {"role", "connected_slaves", "master_failover_state", "master_replid", "master_replid2", "master_repl_offset", "second_repl_offset", "repl_backlog_active", "repl_backlog_size", "repl_backlog_first_byte_offset", "repl_backlog_histlen"},
	"CPU":          {"used_cpu_sys", "used_cpu_user", "used_cpu_sys_children", "used_cpu_user_children", "used_cpu_sys_main_thread", "used_cpu_user_main_thread"},
	"Modules":      {},
	"Commandstats": {},
	"Errorstats":   {},
	"Latencystats": {},
	"Cluster":      {"cluster_enabled"},
	"Keyspace":     {},
}

// parseInfo splits INFO's text into sections (in order) and their fields.
func parseInfo(t *testing.T, text string) (titles []string, fields map[string][]string, values map[string]string) {
	t.Helper()
	fields, values = map[string][]string{}, map[string]string{}
	if text != "" && !strings.HasSuffix(text, "\r\n") {
		t.Errorf("INFO does not end with CRLF: %q", text)
	}
	cur := ""
	for i, l := range strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n") {
		switch {
		case strings.HasPrefix(l, "# "):
			if i > 0 && cur != "" && !strings.HasSuffix(strings.Split(text, "# "+l[2:])[0], "\r\n\r\n") {
				t.Errorf("no blank line before section %s", l)
			}
			cur = l[2:]
			titles = append(titles, cur)
		case l == "":
		default:
			name, v, ok := strings.Cut(l, ":")
			if !ok {
				t.Errorf("INFO line without a colon: %q", l)
			}
			fields[cur] = append(fields[cur], name)
			values[name] = v
		}
	}
	return titles, fields, values
}

func TestInfoSections(t *testing.T) {
	_, addr := startTestServer(t)
	c := dialTest(t, addr)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "Server Clients Memory Persistence Stats Replication CPU Modules Errorstats Cluster Keyspace"},
		{[]string{"default"}, "Server Clients Memory Persistence Stats Replication CPU Modules Errorstats Cluster Keyspace"},
		{[]string{"all"}, "Server Clients Memory Persistence Stats Replication CPU Modules Commandstats Errorstats Latencystats Cluster Keyspace"},
		{[]string{"EVERYTHING"}, "Server Clients Memory Persistence Stats Replication CPU Modules Commandstats Errorstats Latencystats Cluster Keyspace"},
		{[]string{"cluster", "CPU", "cpu"}, "CPU Cluster"},
		{[]string{"commandstats", "bogus"}, "Commandstats"},
		{[]string{"modules"}, "Modules"},
		{[]string{"module_list"}, "Modules"},
	} {
		titles, _, _ := parseInfo(t, string(c.do(append([]string{"INFO"}, tc.args...)...).Str))
		if got := strings.Join(titles, " "); got != tc.want {
			t.Errorf("INFO %q: sections %q, want %q", tc.args, got, tc.want)
		}
	}
	c.expect("$0\r\n\r\n", "INFO", "bogus")
	c.expect("$30\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n", "INFO", "cluster")
	c.do("HELLO", "3")
	c.expect("=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n", "INFO", "cluster")
}

// TestInfoFieldsLikeRedis: every field redis-server reports is there, in
// its order, and nothing more.
func TestInfoFieldsLikeRedis(t *testing.T) {
	_, addr := startTestServer(t)
	_, fields, values := parseInfo(t, string(dialTest(t, addr).do("INFO", "everything").Str))
	for sec, want := range redisInfoFields {
		got := fields[sec]
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("INFO %s fields:\n got %v\nwant %v", sec, got, want)
		}
	}
	if values["redis_version"] != "7.0.15" || values["redis_mode"] != "standalone" || values["role"] != "master" ||
		values["maxmemory_policy"] != "noeviction" || values["aof_enabled"] != "0" || len(values["run_id"]) != 40 {
		t.Errorf("INFO values: %v", values)
	}
}

func removeString(list []string, s string) []string {
	out := list[:0:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

func TestInfoCounters(t *testing.T) {
	requireCommands(t, "set", "get")
	_, addr := startTestServer(t)
	c := dialTest(t, addr)
	c.expect("+OK\r\n", "SET", "k", "v", "EX", "100")
	c.expect("+OK\r\n", "SET", "k2", "v")
	c.expect("$1\r\nv\r\n", "GET", "k")
	c.expect("$-1\r\n", "GET", "missing")
	c.do("CONFIG", "SET", "nosuch", "1")
	c.do("GET")
	c.do("NOSUCHCOMMAND")
	c.do("DEBUG", "DIGEST")
	_, _, v := parseInfo(t, string(c.do("INFO", "all").Str))
	for name, want := range map[string]string{
		"keyspace_hits":               "1",
		"keyspace_misses":             "1",
		"db0":                         "keys=2,expires=1,avg_ttl=0",
		"errorstat_ERR":               "count=4",
		"total_error_replies":         "4",
		"connected_clients":           "1",
		"cmdstat_get":                 "calls=2,usec=",
		"cmdstat_config|set":          "calls=1,usec=",
		"cmdstat_set":                 "calls=2,usec=",
		"cluster_enabled":             "0",
		"rdb_changes_since_last_save": "2",
	} {
		if got := v[name]; !strings.HasPrefix(got, want) {
			t.Errorf("INFO %s = %q, want %q", name, got, want)
		}
	}
	if got := v["cmdstat_get"]; !strings.HasSuffix(got, ",rejected_calls=1,failed_calls=0") {
		t.Errorf("cmdstat_get = %q", got)
	}
	if got := v["cmdstat_config|set"]; !strings.HasSuffix(got, ",rejected_calls=0,failed_calls=1") {
		t.Errorf("cmdstat_config|set = %q", got)
	}
	c.expect("+OK\r\n", "CONFIG", "RESETSTAT")
	_, _, v = parseInfo(t, string(c.do("INFO", "all").Str))
	for _, name := range []string{"errorstat_ERR", "cmdstat_get", "cmdstat_set"} {
		if got, ok := v[name]; ok {
			t.Errorf("after CONFIG RESETSTAT: %s = %q", name, got)
		}
	}
	if v["keyspace_hits"] != "0" || v["total_error_replies"] != "0" || v["cmdstat_config|resetstat"] == "" {
		t.Errorf("after CONFIG RESETSTAT: %v", v)
	}
}

func TestBytesToHuman(t *testing.T) {
	for n, want := range map[uint64]string{
		0: "0B", 1023: "1023B", 1024: "1.00K", 1287848: "1.23M", 12537856: "11.96M",
		25276510208: "23.54G", 1 << 40: "1.00T",
	} {
		if got := bytesToHuman(n); got != want {
			t.Errorf("bytesToHuman(%d) = %q, want %q", n, got, want)
		}
	}
}
