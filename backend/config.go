package backend

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Tunables are the redis-server parameters a node accepts beyond the ones
// Options names directly. They are embedded in Options, so opts.MaxMemory
// reads as any other option; DefaultOptions fills them with redis-server
// 7.0's defaults (defaultTunables). The parameters shardis keeps but does
// not act on (TLS, replication, cluster bus, ...) live in other, so that
// CONFIG GET and CONFIG SET answer for every parameter redis-server has.
type Tunables struct {
	// MaxMemory and MaxMemoryPolicy are "maxmemory" (bytes, 0: no limit)
	// and "maxmemory-policy"; MaxMemorySamples is "maxmemory-samples".
	MaxMemory        uint64
	MaxMemoryPolicy  string
	MaxMemorySamples int
	// LFULogFactor and LFUDecayTime tune the LFU counter OBJECT FREQ shows.
	LFULogFactor int
	LFUDecayTime int
	// ActiveExpireEffort is "active-expire-effort" (1-10).
	ActiveExpireEffort int
	// SlowlogLogSlowerThan is the duration in microseconds from which a
	// command is logged (negative: never); SlowlogMaxLen bounds the log.
	SlowlogLogSlowerThan int64
	SlowlogMaxLen        int64
	// NotifyKeyspaceEvents is "notify-keyspace-events" in CONFIG GET's form
	// ("AKE"); keyspaceEventFlags decodes it.
	NotifyKeyspaceEvents string
	// Save is the "save" points as CONFIG GET shows them ("3600 1 300 100").
	Save string
	// TCPKeepalive is "tcp-keepalive" in seconds.
	TCPKeepalive int
	// BusyReplyThreshold is "busy-reply-threshold" (alias
	// "lua-time-limit") in milliseconds.
	BusyReplyThreshold int64
	// AOF tuning, with redis-server's names.
	AutoAOFRewritePercentage   int
	AutoAOFRewriteMinSize      int64
	AOFLoadTruncated           bool
	AOFUseRDBPreamble          bool
	AOFTimestampEnabled        bool
	AOFRewriteIncrementalFsync bool
	NoAppendfsyncOnRewrite     bool
	// LogLevel is "loglevel": debug, verbose, notice or warning.
	LogLevel string
	// ClusterEnabled is "cluster-enabled".
	ClusterEnabled bool
	// Encoding thresholds, as OBJECT ENCODING depends on them.
	HashMaxListpackEntries int64
	HashMaxListpackValue   int64
	ZSetMaxListpackEntries int64
	ZSetMaxListpackValue   int64
	SetMaxIntsetEntries    int64
	ListMaxListpackSize    int
	ListCompressDepth      int
	StreamNodeMaxBytes     int64
	StreamNodeMaxEntries   int64
	HLLSparseMaxBytes      int64
	// ClientQueryBufferLimit is "client-query-buffer-limit" in bytes.
	ClientQueryBufferLimit int64
	// EnableDebugCommand is "enable-debug-command": no, yes or local.
	EnableDebugCommand string
	// ConfigFile is the TOML file CONFIG REWRITE writes; empty when the
	// node was started without one.
	ConfigFile string

	// other holds the remaining parameters by name, in CONFIG GET's form;
	// a missing name has its default. It is copied on write, so Options
	// values that share it never see each other's changes.
	other map[string]string
	// saveSet: a "save" was given already, so the next one adds points (as
	// several "save" lines of a redis.conf do).
	saveSet bool
}

// paramKind is how a parameter's value is parsed and shown.
type paramKind uint8

const (
	pkBool          paramKind = iota // yes / no
	pkInt                            // an integer
	pkMemory                         // bytes, with units: 1gb, 100mb, 5k
	pkMemoryPercent                  // bytes or a percentage: 10%
	pkOctal                          // an octal integer
	pkEnum                           // one name of a list
	pkFlags                          // several names of a list
	pkString                         // any string
	pkSpecial                        // its own parser (save, bind, ...)
)

// paramFlag is a set of properties of a parameter.
type paramFlag uint16

const (
	pfImmutable paramFlag = 1 << iota // CONFIG SET refuses it
	pfProtected                       // CONFIG SET needs enable-protected-configs
	pfSensitive                       // its value is redacted from the slow log
	pfMultiArg                        // the value is split into words
	pfHidden                          // CONFIG GET patterns do not match it
	pfUnsigned                        // bounds are compared as unsigned, as in Redis
)

// paramEnum is one name of an enumerated parameter and its value.
type paramEnum struct {
	name string
	val  int
}

// param is one configuration parameter: its names, how its value is
// parsed, validated and stored, and what changing it at run time does.
type param struct {
	name, alias string
	kind        paramKind
	flags       paramFlag
	// min and max bound numeric values; with pfUnsigned they are compared as
	// uint64 (max -1 is the largest unsigned value).
	min, max int64
	enum     []paramEnum
	// def is redis-server 7.0's default, in CONFIG GET's form.
	def string
	// field points at the Options field holding the value (*bool, *int,
	// *int64, *uint64, *string, *[]string, or *time.Duration counted in
	// seconds); nil keeps the value in Tunables.other.
	field func(o *Options) any
	// special parses a pkSpecial value (already split into words when
	// pfMultiArg), given the current value; it returns the new value in
	// CONFIG GET's form, or an error text.
	special func(cur string, args []string) (string, string)
	// valid checks a parsed value (Redis's is_valid_fn); it returns an
	// error text or "".
	valid func(v string) string
	// norm adjusts a valid value before it is stored (hz is capped).
	norm func(v string) string
	// show overrides how CONFIG GET shows the stored value.
	show func(o *Options) string
}

// configApplyFunc makes a changed parameter take effect in a running
// server. It is given the options before and after the change; an error
// makes CONFIG SET fail and restore the previous values (the functions that
// ran already are called again with old and new swapped).
type configApplyFunc func(s *Server, old, cur *Options) error

var configAppliers = map[string][]configApplyFunc{}

// onConfigChange registers fn to run when CONFIG SET changes the parameter
// named name (its primary name). Call it from an init function.
func onConfigChange(name string, fn configApplyFunc) {
	if lookupParamName(name) == nil {
		panic("backend: onConfigChange: unknown parameter " + name)
	}
	configAppliers[name] = append(configAppliers[name], fn)
}

func enumOf(names ...string) []paramEnum {
	e := make([]paramEnum, len(names))
	for i, n := range names {
		e[i] = paramEnum{n, i}
	}
	return e
}

var (
	enumMaxmemoryPolicy = enumOf("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
		"allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction")
	enumSyslogFacility = enumOf("user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7")
	enumLoglevel       = enumOf("debug", "verbose", "notice", "warning")
	enumSupervised     = enumOf("upstart", "systemd", "auto", "no")
	enumFsync          = enumOf("everysec", "always", "no")
	enumDisklessLoad   = enumOf("disabled", "on-empty-db", "swapdb")
	enumTLSAuthClients = enumOf("no", "yes", "optional")
	enumOOMScoreAdj    = []paramEnum{{"no", 0}, {"yes", 1}, {"relative", 1}, {"absolute", 2}}
	enumACLPubsub      = enumOf("allchannels", "resetchannels")
	enumSanitizeDump   = enumOf("no", "yes", "clients")
	enumProtected      = enumOf("no", "yes", "local")
	enumEndpointType   = enumOf("ip", "hostname", "unknown-endpoint")
	enumPropagationErr = enumOf("ignore", "panic", "panic-on-replicas")
	enumShutdownOnSig  = []paramEnum{{"default", 0}, {"save", 1}, {"nosave", 2}, {"now", 4}, {"force", 8}}
)

const (
	cfgIntMax  = math.MaxInt32
	cfgIntMin  = math.MinInt32
	cfgUIntMax = math.MaxUint32
	cfgLongMax = math.MaxInt64
	cfgULLMax  = -1 // with pfUnsigned: math.MaxUint64
)

// configParams is the parameter table: every parameter redis-server 7.0
// has, with its default, bounds and flags as in Redis's config.c.
var configParams = []*param{
	// Booleans.
	{name: "rdbchecksum", kind: pkBool, flags: pfImmutable, def: "yes"},
	{name: "daemonize", kind: pkBool, flags: pfImmutable, def: "no"},
	{name: "io-threads-do-reads", kind: pkBool, flags: pfImmutable, def: "no"},
	{name: "always-show-logo", kind: pkBool, flags: pfImmutable, def: "no"},
	{name: "protected-mode", kind: pkBool, def: "yes"},
	{name: "rdbcompression", kind: pkBool, def: "yes"},
	{name: "rdb-del-sync-files", kind: pkBool, def: "no"},
	{name: "activerehashing", kind: pkBool, def: "yes"},
	{name: "stop-writes-on-bgsave-error", kind: pkBool, def: "yes"},
	{name: "set-proc-title", kind: pkBool, flags: pfImmutable, def: "yes"},
	{name: "dynamic-hz", kind: pkBool, def: "yes"},
	{name: "lazyfree-lazy-eviction", kind: pkBool, def: "no"},
	{name: "lazyfree-lazy-expire", kind: pkBool, def: "no"},
	{name: "lazyfree-lazy-server-del", kind: pkBool, def: "no"},
	{name: "lazyfree-lazy-user-del", kind: pkBool, def: "no"},
	{name: "lazyfree-lazy-user-flush", kind: pkBool, def: "no"},
	{name: "repl-disable-tcp-nodelay", kind: pkBool, def: "no"},
	{name: "repl-diskless-sync", kind: pkBool, def: "yes"},
	{name: "aof-rewrite-incremental-fsync", kind: pkBool, def: "yes", field: func(o *Options) any { return &o.AOFRewriteIncrementalFsync }},
	{name: "no-appendfsync-on-rewrite", kind: pkBool, def: "no", field: func(o *Options) any { return &o.NoAppendfsyncOnRewrite }},
	{name: "cluster-require-full-coverage", kind: pkBool, def: "yes"},
	{name: "rdb-save-incremental-fsync", kind: pkBool, def: "yes"},
	{name: "aof-load-truncated", kind: pkBool, def: "yes", field: func(o *Options) any { return &o.AOFLoadTruncated }},
	{name: "aof-use-rdb-preamble", kind: pkBool, def: "yes", field: func(o *Options) any { return &o.AOFUseRDBPreamble }},
	{name: "aof-timestamp-enabled", kind: pkBool, def: "no", field: func(o *Options) any { return &o.AOFTimestampEnabled }},
	{name: "cluster-replica-no-failover", alias: "cluster-slave-no-failover", kind: pkBool, def: "no"},
	{name: "replica-lazy-flush", alias: "slave-lazy-flush", kind: pkBool, def: "no"},
	{name: "replica-serve-stale-data", alias: "slave-serve-stale-data", kind: pkBool, def: "yes"},
	{name: "replica-read-only", alias: "slave-read-only", kind: pkBool, def: "yes"},
	{name: "replica-ignore-maxmemory", alias: "slave-ignore-maxmemory", kind: pkBool, def: "yes"},
	{name: "jemalloc-bg-thread", kind: pkBool, def: "yes"},
	{name: "activedefrag", kind: pkBool, def: "no", valid: func(v string) string {
		if v == "yes" {
			return "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"
		}
		return ""
	}},
	{name: "syslog-enabled", kind: pkBool, flags: pfImmutable, def: "no"},
	{name: "cluster-enabled", kind: pkBool, flags: pfImmutable, def: "no", field: func(o *Options) any { return &o.ClusterEnabled }},
	{name: "appendonly", kind: pkBool, def: "no", field: func(o *Options) any { return &o.AppendOnly }},
	{name: "cluster-allow-reads-when-down", kind: pkBool, def: "no"},
	{name: "cluster-allow-pubsubshard-when-down", kind: pkBool, def: "yes"},
	{name: "crash-log-enabled", kind: pkBool, def: "yes"},
	{name: "crash-memcheck-enabled", kind: pkBool, def: "yes"},
	{name: "use-exit-on-panic", kind: pkBool, flags: pfHidden, def: "no"},
	{name: "disable-thp", kind: pkBool, flags: pfImmutable, def: "yes"},
	{name: "cluster-allow-replica-migration", kind: pkBool, def: "yes"},
	{name: "replica-announced", kind: pkBool, def: "yes"},
	{name: "latency-tracking", kind: pkBool, def: "yes"},
	{name: "aof-disable-auto-gc", kind: pkBool, def: "no"},
	{name: "replica-ignore-disk-write-errors", kind: pkBool, def: "no"},

	// Strings.
	{name: "aclfile", kind: pkString, flags: pfImmutable},
	{name: "unixsocket", kind: pkString, flags: pfImmutable},
	{name: "pidfile", kind: pkString, flags: pfImmutable},
	{name: "replica-announce-ip", alias: "slave-announce-ip", kind: pkString},
	{name: "masteruser", kind: pkString, flags: pfSensitive},
	{name: "cluster-announce-ip", kind: pkString},
	{name: "cluster-config-file", kind: pkString, flags: pfImmutable, def: "nodes.conf"},
	{name: "cluster-announce-hostname", kind: pkString, valid: validHostname},
	{name: "syslog-ident", kind: pkString, flags: pfImmutable, def: "redis"},
	{name: "dbfilename", kind: pkString, flags: pfProtected, def: "dump.rdb", valid: func(v string) string {
		if !isBaseName(v) {
			return "dbfilename can't be a path, just a filename"
		}
		return ""
	}},
	{name: "appendfilename", kind: pkString, flags: pfImmutable, def: "appendonly.aof", field: func(o *Options) any { return &o.AppendFilename }, valid: func(v string) string {
		if v == "" {
			return "appendfilename can't be empty"
		}
		if !isBaseName(v) {
			return "appendfilename can't be a path, just a filename"
		}
		return ""
	}},
	{name: "appenddirname", kind: pkString, flags: pfImmutable, def: "appendonlydir", field: func(o *Options) any { return &o.AppendDirname }, valid: func(v string) string {
		if v == "" {
			return "appenddirname can't be empty"
		}
		if !isBaseName(v) {
			return "appenddirname can't be a path, just a dirname"
		}
		return ""
	}},
	{name: "server_cpulist", kind: pkString, flags: pfImmutable},
	{name: "bio_cpulist", kind: pkString, flags: pfImmutable},
	{name: "aof_rewrite_cpulist", kind: pkString, flags: pfImmutable},
	{name: "bgsave_cpulist", kind: pkString, flags: pfImmutable},
	{name: "ignore-warnings", kind: pkString},
	{name: "proc-title-template", kind: pkString, def: "{title} {listen-addr} {server-mode}", valid: validProcTitleTemplate},
	{name: "bind-source-addr", kind: pkString},
	{name: "logfile", kind: pkString, flags: pfImmutable},
	{name: "masterauth", kind: pkString, flags: pfSensitive},
	{name: "requirepass", kind: pkString, flags: pfSensitive, field: func(o *Options) any { return &o.RequirePass }},

	// Enumerations.
	{name: "supervised", kind: pkEnum, flags: pfImmutable, enum: enumSupervised, def: "no"},
	{name: "syslog-facility", kind: pkEnum, flags: pfImmutable, enum: enumSyslogFacility, def: "local0"},
	{name: "repl-diskless-load", kind: pkEnum, enum: enumDisklessLoad, def: "disabled"},
	{name: "loglevel", kind: pkEnum, enum: enumLoglevel, def: "notice", field: func(o *Options) any { return &o.LogLevel }},
	{name: "maxmemory-policy", kind: pkEnum, enum: enumMaxmemoryPolicy, def: "noeviction", field: func(o *Options) any { return &o.MaxMemoryPolicy }},
	{name: "appendfsync", kind: pkEnum, enum: enumFsync, def: "everysec", field: func(o *Options) any { return &o.AppendFsync }},
	{name: "oom-score-adj", kind: pkEnum, enum: enumOOMScoreAdj, def: "no"},
	{name: "acl-pubsub-default", kind: pkEnum, enum: enumACLPubsub, def: "resetchannels"},
	{name: "sanitize-dump-payload", kind: pkEnum, enum: enumSanitizeDump, def: "no"},
	{name: "enable-protected-configs", kind: pkEnum, flags: pfImmutable, enum: enumProtected, def: "no"},
	{name: "enable-debug-command", kind: pkEnum, flags: pfImmutable, enum: enumProtected, def: "no", field: func(o *Options) any { return &o.EnableDebugCommand }},
	{name: "enable-module-command", kind: pkEnum, flags: pfImmutable, enum: enumProtected, def: "no"},
	{name: "cluster-preferred-endpoint-type", kind: pkEnum, enum: enumEndpointType, def: "ip"},
	{name: "propagation-error-behavior", kind: pkEnum, enum: enumPropagationErr, def: "ignore"},
	{name: "shutdown-on-sigint", kind: pkFlags, flags: pfMultiArg, enum: enumShutdownOnSig, def: "default", valid: validShutdownFlags},
	{name: "shutdown-on-sigterm", kind: pkFlags, flags: pfMultiArg, enum: enumShutdownOnSig, def: "default", valid: validShutdownFlags},

	// Integers.
	{name: "databases", kind: pkInt, flags: pfImmutable, min: 1, max: cfgIntMax, def: "16", field: func(o *Options) any { return &o.Databases }},
	{name: "port", kind: pkInt, min: 0, max: 65535, def: "6379", field: func(o *Options) any { return &o.Port }},
	{name: "io-threads", kind: pkInt, flags: pfImmutable, min: 1, max: 128, def: "1"},
	{name: "auto-aof-rewrite-percentage", kind: pkInt, min: 0, max: cfgIntMax, def: "100", field: func(o *Options) any { return &o.AutoAOFRewritePercentage }},
	{name: "cluster-replica-validity-factor", alias: "cluster-slave-validity-factor", kind: pkInt, min: 0, max: cfgIntMax, def: "10"},
	{name: "list-max-listpack-size", alias: "list-max-ziplist-size", kind: pkInt, min: cfgIntMin, max: cfgIntMax, def: "-2", field: func(o *Options) any { return &o.ListMaxListpackSize }},
	{name: "tcp-keepalive", kind: pkInt, min: 0, max: cfgIntMax, def: "300", field: func(o *Options) any { return &o.TCPKeepalive }},
	{name: "cluster-migration-barrier", kind: pkInt, min: 0, max: cfgIntMax, def: "1"},
	{name: "active-defrag-cycle-min", kind: pkInt, min: 1, max: 99, def: "1"},
	{name: "active-defrag-cycle-max", kind: pkInt, min: 1, max: 99, def: "25"},
	{name: "active-defrag-threshold-lower", kind: pkInt, min: 0, max: 1000, def: "10"},
	{name: "active-defrag-threshold-upper", kind: pkInt, min: 0, max: 1000, def: "100"},
	{name: "lfu-log-factor", kind: pkInt, min: 0, max: cfgIntMax, def: "10", field: func(o *Options) any { return &o.LFULogFactor }},
	{name: "lfu-decay-time", kind: pkInt, min: 0, max: cfgIntMax, def: "1", field: func(o *Options) any { return &o.LFUDecayTime }},
	{name: "replica-priority", alias: "slave-priority", kind: pkInt, min: 0, max: cfgIntMax, def: "100"},
	{name: "repl-diskless-sync-delay", kind: pkInt, min: 0, max: cfgIntMax, def: "5"},
	{name: "maxmemory-samples", kind: pkInt, min: 1, max: cfgIntMax, def: "5", field: func(o *Options) any { return &o.MaxMemorySamples }},
	{name: "maxmemory-eviction-tenacity", kind: pkInt, min: 0, max: 100, def: "10"},
	{name: "timeout", kind: pkInt, min: 0, max: cfgIntMax, def: "0", field: func(o *Options) any { return &o.Timeout }},
	{name: "replica-announce-port", alias: "slave-announce-port", kind: pkInt, min: 0, max: 65535, def: "0"},
	{name: "tcp-backlog", kind: pkInt, flags: pfImmutable, min: 0, max: cfgIntMax, def: "511"},
	{name: "cluster-port", kind: pkInt, flags: pfImmutable, min: 0, max: 65535, def: "0"},
	{name: "cluster-announce-bus-port", kind: pkInt, min: 0, max: 65535, def: "0"},
	{name: "cluster-announce-port", kind: pkInt, min: 0, max: 65535, def: "0"},
	{name: "cluster-announce-tls-port", kind: pkInt, min: 0, max: 65535, def: "0"},
	{name: "repl-timeout", kind: pkInt, min: 1, max: cfgIntMax, def: "60"},
	{name: "repl-ping-replica-period", alias: "repl-ping-slave-period", kind: pkInt, min: 1, max: cfgIntMax, def: "10"},
	{name: "list-compress-depth", kind: pkInt, min: 0, max: cfgIntMax, def: "0", field: func(o *Options) any { return &o.ListCompressDepth }},
	{name: "rdb-key-save-delay", kind: pkInt, flags: pfHidden, min: cfgIntMin, max: cfgIntMax, def: "0"},
	{name: "key-load-delay", kind: pkInt, flags: pfHidden, min: cfgIntMin, max: cfgIntMax, def: "0"},
	{name: "active-expire-effort", kind: pkInt, min: 1, max: 10, def: "1", field: func(o *Options) any { return &o.ActiveExpireEffort }},
	{name: "hz", kind: pkInt, min: 0, max: cfgIntMax, def: "10", field: func(o *Options) any { return &o.Hz }, norm: normHz},
	{name: "min-replicas-to-write", alias: "min-slaves-to-write", kind: pkInt, min: 0, max: cfgIntMax, def: "0"},
	{name: "min-replicas-max-lag", alias: "min-slaves-max-lag", kind: pkInt, min: 0, max: cfgIntMax, def: "10"},
	{name: "watchdog-period", kind: pkInt, flags: pfHidden, min: 0, max: cfgIntMax, def: "0"},
	{name: "shutdown-timeout", kind: pkInt, min: 0, max: cfgIntMax, def: "10"},
	{name: "repl-diskless-sync-max-replicas", kind: pkInt, min: 0, max: cfgIntMax, def: "0"},
	{name: "maxclients", kind: pkInt, flags: pfUnsigned, min: 1, max: cfgUIntMax, def: "10000", field: func(o *Options) any { return &o.MaxClients }},
	{name: "unixsocketperm", kind: pkOctal, flags: pfImmutable | pfUnsigned, min: 0, max: 0o777, def: "0"},
	{name: "socket-mark-id", kind: pkInt, flags: pfImmutable | pfUnsigned, min: 0, max: cfgUIntMax, def: "0"},
	{name: "active-defrag-max-scan-fields", kind: pkInt, min: 1, max: cfgLongMax, def: "1000"},
	{name: "slowlog-max-len", kind: pkInt, min: 0, max: cfgLongMax, def: "128", field: func(o *Options) any { return &o.SlowlogMaxLen }},
	{name: "acllog-max-len", kind: pkInt, min: 0, max: cfgLongMax, def: "128"},
	{name: "busy-reply-threshold", alias: "lua-time-limit", kind: pkInt, min: 0, max: cfgLongMax, def: "5000", field: func(o *Options) any { return &o.BusyReplyThreshold }},
	{name: "cluster-node-timeout", kind: pkInt, min: 0, max: cfgLongMax, def: "15000"},
	{name: "slowlog-log-slower-than", kind: pkInt, min: -1, max: cfgLongMax, def: "10000", field: func(o *Options) any { return &o.SlowlogLogSlowerThan }},
	{name: "latency-monitor-threshold", kind: pkInt, min: 0, max: cfgLongMax, def: "0"},
	{name: "proto-max-bulk-len", kind: pkMemory, min: 1024 * 1024, max: cfgLongMax, def: "536870912", field: func(o *Options) any { return &o.ProtoMaxBulkLen }},
	{name: "stream-node-max-entries", kind: pkInt, min: 0, max: cfgLongMax, def: "100", field: func(o *Options) any { return &o.StreamNodeMaxEntries }},
	{name: "repl-backlog-size", kind: pkMemory, min: 1, max: cfgLongMax, def: "1048576"},
	{name: "maxmemory", kind: pkMemory, flags: pfUnsigned, min: 0, max: cfgULLMax, def: "0", field: func(o *Options) any { return &o.MaxMemory }},
	{name: "cluster-link-sendbuf-limit", kind: pkMemory, flags: pfUnsigned, min: 0, max: cfgULLMax, def: "0"},
	{name: "hash-max-listpack-entries", alias: "hash-max-ziplist-entries", kind: pkInt, flags: pfUnsigned, min: 0, max: cfgLongMax, def: "512", field: func(o *Options) any { return &o.HashMaxListpackEntries }},
	{name: "set-max-intset-entries", kind: pkInt, flags: pfUnsigned, min: 0, max: cfgLongMax, def: "512", field: func(o *Options) any { return &o.SetMaxIntsetEntries }},
	{name: "zset-max-listpack-entries", alias: "zset-max-ziplist-entries", kind: pkInt, flags: pfUnsigned, min: 0, max: cfgLongMax, def: "128", field: func(o *Options) any { return &o.ZSetMaxListpackEntries }},
	{name: "active-defrag-ignore-bytes", kind: pkMemory, flags: pfUnsigned, min: 1, max: cfgLongMax, def: "104857600"},
	{name: "hash-max-listpack-value", alias: "hash-max-ziplist-value", kind: pkMemory, flags: pfUnsigned, min: 0, max: cfgLongMax, def: "64", field: func(o *Options) any { return &o.HashMaxListpackValue }},
	{name: "stream-node-max-bytes", kind: pkMemory, flags: pfUnsigned, min: 0, max: cfgLongMax, def: "4096", field: func(o *Options) any { return &o.StreamNodeMaxBytes }},
	{name: "zset-max-listpack-value", alias: "zset-max-ziplist-value", kind: pkMemory, flags: pfUnsigned, min: 0, max: cfgLongMax, def: "64", field: func(o *Options) any { return &o.ZSetMaxListpackValue }},
	{name: "hll-sparse-max-bytes", kind: pkMemory, flags: pfUnsigned, min: 0, max: cfgLongMax, def: "3000", field: func(o *Options) any { return &o.HLLSparseMaxBytes }},
	{name: "tracking-table-max-keys", kind: pkInt, flags: pfUnsigned, min: 0, max: cfgLongMax, def: "1000000"},
	{name: "client-query-buffer-limit", kind: pkMemory, flags: pfUnsigned, min: 1024 * 1024, max: cfgLongMax, def: "1073741824", field: func(o *Options) any { return &o.ClientQueryBufferLimit }},
	{name: "maxmemory-clients", kind: pkMemoryPercent, min: -100, max: cfgLongMax, def: "0"},
	{name: "repl-backlog-ttl", kind: pkInt, min: 0, max: cfgLongMax, def: "3600"},
	{name: "auto-aof-rewrite-min-size", kind: pkMemory, min: 0, max: cfgLongMax, def: "67108864", field: func(o *Options) any { return &o.AutoAOFRewriteMinSize }},
	{name: "loading-process-events-interval-bytes", kind: pkInt, flags: pfHidden, min: 1024, max: cfgIntMax, def: "2097152"},

	// TLS: kept and shown; shardis does not speak TLS.
	{name: "tls-port", kind: pkInt, min: 0, max: 65535, def: "0"},
	{name: "tls-session-cache-size", kind: pkInt, min: 0, max: cfgIntMax, def: "20480"},
	{name: "tls-session-cache-timeout", kind: pkInt, min: 0, max: cfgIntMax, def: "300"},
	{name: "tls-cluster", kind: pkBool, def: "no"},
	{name: "tls-replication", kind: pkBool, def: "no"},
	{name: "tls-auth-clients", kind: pkEnum, enum: enumTLSAuthClients, def: "yes"},
	{name: "tls-prefer-server-ciphers", kind: pkBool, def: "no"},
	{name: "tls-session-caching", kind: pkBool, def: "yes"},
	{name: "tls-cert-file", kind: pkString},
	{name: "tls-key-file", kind: pkString},
	{name: "tls-key-file-pass", kind: pkString},
	{name: "tls-client-cert-file", kind: pkString},
	{name: "tls-client-key-file", kind: pkString},
	{name: "tls-client-key-file-pass", kind: pkString},
	{name: "tls-dh-params-file", kind: pkString},
	{name: "tls-ca-cert-file", kind: pkString},
	{name: "tls-ca-cert-dir", kind: pkString},
	{name: "tls-protocols", kind: pkString},
	{name: "tls-ciphers", kind: pkString},
	{name: "tls-ciphersuites", kind: pkString},

	// Special parameters.
	{name: "dir", kind: pkSpecial, flags: pfProtected, def: ".", field: func(o *Options) any { return &o.Dir },
		special: func(_ string, args []string) (string, string) { return args[0], "" },
		show: func(o *Options) string {
			if abs, err := filepath.Abs(o.Dir); err == nil {
				return abs
			}
			return o.Dir
		}},
	{name: "save", kind: pkSpecial, flags: pfMultiArg, def: "3600 1 300 100 60 10000", field: func(o *Options) any { return &o.Save }, special: parseSave},
	{name: "client-output-buffer-limit", kind: pkSpecial, flags: pfMultiArg, def: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", special: parseClientOutputBufferLimit},
	{name: "oom-score-adj-values", kind: pkSpecial, flags: pfMultiArg, def: "0 200 800", special: parseOOMScoreAdjValues},
	{name: "notify-keyspace-events", kind: pkSpecial, field: func(o *Options) any { return &o.NotifyKeyspaceEvents }, special: func(_ string, args []string) (string, string) {
		f, ok := keyspaceEventFlags(args[0])
		if !ok {
			return "", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
		}
		// CONFIG GET's form leaves out n next to A (as Redis shows it); the
		// stored value keeps it, since the events are still published.
		v := keyspaceEventsString(f)
		if f&kseAll == kseAll && f&kseNew != 0 {
			v += "n"
		}
		return v, ""
	}, show: func(o *Options) string {
		f, _ := keyspaceEventFlags(o.NotifyKeyspaceEvents)
		return keyspaceEventsString(f)
	}},
	{name: "bind", kind: pkSpecial, flags: pfMultiArg, def: "* -::*", field: func(o *Options) any { return &o.Bind }, special: func(_ string, args []string) (string, string) {
		if len(args) > 16 {
			return "", "Too many bind addresses specified."
		}
		return strings.Join(args, " "), ""
	}},
	{name: "replicaof", alias: "slaveof", kind: pkSpecial, flags: pfImmutable | pfMultiArg, special: parseReplicaOf},
	{name: "latency-tracking-info-percentiles", kind: pkSpecial, flags: pfMultiArg, def: "50 99 99.9", special: parsePercentiles},
}

// paramEntry is a name CONFIG knows: a parameter's primary name or its
// alias (Redis registers both, so CONFIG GET * lists both).
type paramEntry struct {
	name string
	p    *param
}

var (
	paramEntries []paramEntry           // table order, each alias after its parameter
	paramByName  map[string]*paramEntry // by lower-case name
)

func init() {
	paramByName = make(map[string]*paramEntry, 2*len(configParams))
	for _, p := range configParams {
		paramEntries = append(paramEntries, paramEntry{p.name, p})
		if p.alias != "" {
			paramEntries = append(paramEntries, paramEntry{p.alias, p})
		}
	}
	for i := range paramEntries {
		e := &paramEntries[i]
		if _, dup := paramByName[e.name]; dup {
			panic("backend: config parameter listed twice: " + e.name)
		}
		paramByName[e.name] = e
	}
	onConfigChange("port", applyListen)
	onConfigChange("bind", applyListen)
	onConfigChange("dir", applyDir)
	onConfigChange("maxclients", applyMaxClients)
	onConfigChange("latency-tracking", applyLatencyTracking)
}

func applyLatencyTracking(s *Server, _, cur *Options) error {
	v, _ := cur.Get("latency-tracking")
	s.stats.latencyTracking.Store(v == "yes")
	return nil
}

// lookupParamName finds a parameter by any of its names, in any case.
func lookupParamName(name string) *paramEntry {
	if e, ok := paramByName[name]; ok {
		return e
	}
	return paramByName[strings.ToLower(name)]
}

// deprecatedDirectives are accepted, and ignored, in a configuration (as
// redis-server 7.0 does).
var deprecatedDirectives = map[string]bool{
	"list-max-ziplist-entries": true,
	"list-max-ziplist-value":   true,
	"lua-replicate-commands":   true,
}

// errBadDirective is what redis-server says of a configuration line it
// does not know.
var errBadDirective = errors.New("Bad directive or wrong number of arguments")

// Set sets the parameter called name (redis-server's name, any case) from
// its textual value as a redis.conf line or a redis-server --name option
// gives it: "yes", "100mb", "3600 1 300 100". Parameters CONFIG SET refuses
// (immutable, protected) can be set here, before the server starts. Unknown
// names are errBadDirective; bad values give redis-server's message.
func (o *Options) Set(name, value string) error {
	e := lookupParamName(name)
	if e == nil {
		if deprecatedDirectives[strings.ToLower(name)] {
			return nil
		}
		return errBadDirective
	}
	p := e.p
	cur := p.get(o)
	if p.name == "save" && o.saveSet {
		// Each "save" line of a configuration adds points to the ones
		// the configuration gave already, replacing the defaults.
		v, msg := p.parse(cur, value)
		if msg != "" {
			return errors.New(msg)
		}
		if cur != "" && v != "" {
			v = cur + " " + v
		} else if v == "" {
			v = cur
		}
		p.put(o, v)
		return nil
	}
	v, msg := p.parse(cur, value)
	if msg != "" {
		return errors.New(msg)
	}
	p.put(o, v)
	if p.name == "save" {
		o.saveSet = true
	}
	return nil
}

// Get returns the value of the parameter called name as CONFIG GET shows
// it, and whether the parameter exists.
func (o *Options) Get(name string) (string, bool) {
	e := lookupParamName(name)
	if e == nil {
		return "", false
	}
	return e.p.show0(o), true
}

// defaultTunables returns redis-server 7.0's defaults for Tunables.
func defaultTunables() Tunables {
	var o Options
	for _, p := range configParams {
		if p.field != nil {
			p.put(&o, p.def)
		}
	}
	return o.Tunables
}

// parse turns a textual value into the parameter's canonical form (the one
// CONFIG GET shows), or returns Redis's error text for it. cur is the
// current value, which some special parameters update rather than replace.
func (p *param) parse(cur, value string) (string, string) {
	var v string
	switch p.kind {
	case pkBool:
		switch {
		case strings.EqualFold(value, "yes"):
			v = "yes"
		case strings.EqualFold(value, "no"):
			v = "no"
		default:
			return "", "argument must be 'yes' or 'no'"
		}
	case pkInt, pkMemory, pkMemoryPercent, pkOctal:
		n, msg := p.parseNumber(value)
		if msg != "" {
			return "", msg
		}
		v = p.formatNumber(n)
	case pkEnum, pkFlags:
		var words []string
		if p.flags&pfMultiArg != 0 {
			words = splitConfigArgs(value)
		} else {
			words = []string{value}
		}
		n, ok := 0, len(words) > 0
		for _, w := range words {
			found := false
			for _, e := range p.enum {
				if strings.EqualFold(e.name, w) {
					n |= e.val
					found = true
					break
				}
			}
			ok = ok && found
		}
		if !ok {
			names := make([]string, len(p.enum))
			for i, e := range p.enum {
				names[i] = e.name
			}
			return "", "argument(s) must be one of the following: " + strings.Join(names, ", ")
		}
		v = p.enumName(n)
	case pkString:
		v = value
	case pkSpecial:
		args := []string{value}
		if p.flags&pfMultiArg != 0 {
			args = splitConfigArgs(value)
		}
		var msg string
		if v, msg = p.special(cur, args); msg != "" {
			return "", msg
		}
	}
	if p.valid != nil {
		if msg := p.valid(v); msg != "" {
			return "", msg
		}
	}
	if p.norm != nil {
		v = p.norm(v)
	}
	return v, ""
}

// splitConfigArgs splits a multi-word value on single spaces, as Redis's
// sdssplitlen does for CONFIG SET (an empty value is no words).
func splitConfigArgs(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, " ")
}

// enumName is the canonical text of an enumerated value: the first name
// with that value, or for flags every set flag's name in table order.
func (p *param) enumName(n int) string {
	if p.kind == pkEnum || n == 0 {
		for _, e := range p.enum {
			if e.val == n {
				return e.name
			}
		}
		return "unknown"
	}
	var names []string
	for _, e := range p.enum {
		if e.val != 0 && n&e.val == e.val {
			names = append(names, e.name)
		}
	}
	return strings.Join(names, " ")
}

func (p *param) parseNumber(s string) (int64, string) {
	var n int64
	ok := false
	switch p.kind {
	case pkMemory, pkMemoryPercent:
		var u uint64
		if u, ok = memToULL(s); ok {
			n = int64(u)
		} else if p.kind == pkMemoryPercent && len(s) > 1 && s[len(s)-1] == '%' {
			if v, vok := cfgParseInt(s[:len(s)-1]); vok && v >= 0 {
				n, ok = -v, true
			}
		}
	case pkOctal:
		n, ok = cfgParseOctal(s)
	default:
		n, ok = cfgParseInt(s)
	}
	if !ok {
		switch p.kind {
		case pkMemoryPercent:
			return 0, "argument must be a memory or percent value"
		case pkMemory:
			return 0, "argument must be a memory value"
		case pkOctal:
			return 0, "argument couldn't be parsed as an octal number"
		}
		return 0, "argument couldn't be parsed into an integer"
	}
	switch {
	case p.flags&pfUnsigned != 0:
		if uint64(n) > uint64(p.max) || uint64(n) < uint64(p.min) {
			if p.kind == pkOctal {
				return 0, "argument must be between " + strconv.FormatUint(uint64(p.min), 8) + " and " + strconv.FormatUint(uint64(p.max), 8) + " inclusive"
			}
			return 0, "argument must be between " + strconv.FormatUint(uint64(p.min), 10) + " and " + strconv.FormatUint(uint64(p.max), 10) + " inclusive"
		}
	case p.kind == pkMemoryPercent && n < 0:
		if n < p.min {
			return 0, "percentage argument must be less or equal to " + strconv.FormatInt(-p.min, 10)
		}
	case n > p.max || n < p.min:
		return 0, "argument must be between " + strconv.FormatInt(p.min, 10) + " and " + strconv.FormatInt(p.max, 10) + " inclusive"
	}
	return n, ""
}

func (p *param) formatNumber(n int64) string {
	switch {
	case p.kind == pkMemoryPercent && n < 0:
		return strconv.FormatInt(-n, 10) + "%"
	case p.kind == pkMemory || p.kind == pkMemoryPercent:
		return strconv.FormatUint(uint64(n), 10)
	case p.kind == pkOctal:
		return strconv.FormatUint(uint64(n), 8)
	}
	return strconv.FormatInt(n, 10)
}

// get returns the stored value in canonical form.
func (p *param) get(o *Options) string {
	if p.field == nil {
		if v, ok := o.other[p.name]; ok {
			return v
		}
		return p.def
	}
	switch f := p.field(o).(type) {
	case *bool:
		if *f {
			return "yes"
		}
		return "no"
	case *int:
		return p.formatNumber(int64(*f))
	case *int64:
		return p.formatNumber(*f)
	case *uint64:
		return strconv.FormatUint(*f, 10)
	case *string:
		return *f
	case *[]string:
		return strings.Join(*f, " ")
	case *time.Duration:
		return strconv.FormatInt(int64(*f/time.Second), 10)
	}
	panic("backend: config parameter " + p.name + " has an unsupported field type")
}

// show0 is what CONFIG GET shows.
func (p *param) show0(o *Options) string {
	if p.show != nil {
		return p.show(o)
	}
	return p.get(o)
}

// put stores a canonical value.
func (p *param) put(o *Options, v string) {
	if p.field == nil {
		m := make(map[string]string, len(o.other)+1)
		for k, old := range o.other {
			m[k] = old
		}
		m[p.name] = v
		o.other = m
		return
	}
	switch f := p.field(o).(type) {
	case *bool:
		*f = v == "yes"
	case *int:
		n, _ := p.numberOf(v)
		*f = int(n)
	case *int64:
		*f, _ = p.numberOf(v)
	case *uint64:
		*f, _ = strconv.ParseUint(v, 10, 64)
	case *string:
		*f = v
	case *[]string:
		*f = splitConfigArgs(v)
	case *time.Duration:
		n, _ := strconv.ParseInt(v, 10, 64)
		*f = time.Duration(n) * time.Second
	default:
		panic("backend: config parameter " + p.name + " has an unsupported field type")
	}
}

// numberOf reads back a canonical numeric value.
func (p *param) numberOf(v string) (int64, bool) {
	if p.kind == pkMemory {
		u, err := strconv.ParseUint(v, 10, 64)
		return int64(u), err == nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

// memToULL parses a memory amount as Redis's memtoull: digits and an
// optional unit (b, k, kb, m, mb, g, gb; any case). No digits is zero; a
// number past the unsigned range saturates, as strtoull does.
func memToULL(s string) (uint64, bool) {
	if strings.HasPrefix(s, "-") {
		return 0, false
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	var mul uint64
	switch strings.ToLower(s[i:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if i >= 128 {
		return 0, false
	}
	var v uint64
	for _, ch := range s[:i] {
		d := uint64(ch - '0')
		if v > (math.MaxUint64-d)/10 {
			v = math.MaxUint64
			break
		}
		v = v*10 + d
	}
	if v > math.MaxUint64/mul {
		return 0, false
	}
	return v * mul, true
}

// cfgParseInt parses an integer as Redis's string2ll: an optional '-', no
// '+', no spaces, no leading zeros, within int64.
func cfgParseInt(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	if s == "0" {
		return 0, true
	}
	p := s
	if p[0] == '-' {
		p = p[1:]
	}
	if len(p) == 0 || p[0] < '1' || p[0] > '9' {
		return 0, false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// cfgParseOctal parses as strtoll(s, &end, 8) with the whole string used.
func cfgParseOctal(s string) (int64, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(s, 8, 64)
	return n, err == nil
}

func isBaseName(p string) bool { return !strings.ContainsRune(p, '/') }

func normHz(v string) string {
	// Redis takes hz as a hint and caps it to [1, 500].
	n, _ := strconv.Atoi(v)
	return strconv.Itoa(min(max(n, 1), 500))
}

func validHostname(v string) string {
	if len(v) >= 46 {
		return "Hostnames must be less than 46 characters"
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return "Hostnames may only contain alphanumeric characters, hyphens or dots"
		}
	}
	return ""
}

// validProcTitleTemplate is Redis's check of proc-title-template: the
// template must expand (known {variables}, "{{" for a brace) to something
// that is not blank when the title itself is empty. The variables that
// always have a value are listen-addr, port and tls-port.
func validProcTitleTemplate(v string) string {
	const bad = "template format is invalid or contains unknown variables"
	nonEmpty := map[string]bool{"listen-addr": true, "port": true, "tls-port": true}
	known := map[string]bool{"title": true, "server-mode": true, "unixsocket": true, "config-file": true}
	var out strings.Builder
	for p := v; p != ""; {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			out.WriteString(p)
			break
		}
		out.WriteString(p[:i])
		p = p[i+1:]
		if p == "" {
			return bad
		}
		if p[0] == '{' {
			out.WriteByte('{')
			p = p[1:]
			continue
		}
		end := strings.IndexByte(p, '}')
		if end < 0 {
			return bad
		}
		switch name := p[:end]; {
		case nonEmpty[name]:
			out.WriteString("x")
		case !known[name]:
			return bad
		}
		p = p[end+1:]
	}
	if strings.Trim(out.String(), " ") == "" {
		return bad
	}
	return ""
}

func validShutdownFlags(v string) string {
	words := strings.Fields(v)
	save, nosave := false, false
	for _, w := range words {
		save = save || w == "save"
		nosave = nosave || w == "nosave"
	}
	if save && nosave {
		return "shutdown options SAVE and NOSAVE can't be used simultaneously"
	}
	return ""
}

// cStrtoll is C's strtoll(s, &end, 10) followed by a check that the whole
// string was used: leading spaces and a sign are accepted, an empty string
// is zero.
func cStrtoll(s string) (int64, bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	if t == "" {
		return 0, s == ""
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(t, "+"), 10, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			if strings.HasPrefix(t, "-") {
				return math.MinInt64, true
			}
			return math.MaxInt64, true
		}
		return 0, false
	}
	return n, true
}

func parseSave(_ string, args []string) (string, string) {
	const bad = "Invalid save parameters"
	if len(args) == 1 && args[0] == "" {
		args = nil
	}
	if len(args)%2 != 0 {
		return "", bad
	}
	parts := make([]string, len(args))
	for j, a := range args {
		n, ok := cStrtoll(a)
		if !ok || (j%2 == 0 && n < 1) || (j%2 == 1 && n < 0) {
			return "", bad
		}
		if j%2 == 1 {
			n = int64(int32(n)) // changes are a C int
		}
		parts[j] = strconv.FormatInt(n, 10)
	}
	return strings.Join(parts, " "), ""
}

func parseClientOutputBufferLimit(cur string, args []string) (string, string) {
	if len(args)%4 != 0 {
		return "", "Wrong number of arguments in buffer limit configuration."
	}
	// The current limits by class, to update only the classes given.
	limits := map[string][3]string{}
	f := strings.Fields(cur)
	for i := 0; i+3 < len(f); i += 4 {
		limits[f[i]] = [3]string{f[i+1], f[i+2], f[i+3]}
	}
	for j := 0; j < len(args); j += 4 {
		class := strings.ToLower(args[j])
		switch class {
		case "normal", "pubsub":
		case "slave", "replica":
			class = "slave"
		default:
			return "", "Invalid client class specified in buffer limit configuration."
		}
		hard, herr := memToULL(args[j+1])
		soft, serr := memToULL(args[j+2])
		secs, sok := cStrtoll(args[j+3])
		if !herr || !serr || !sok || secs < 0 {
			return "", "Error in hard, soft or soft_seconds setting in buffer limit configuration."
		}
		limits[class] = [3]string{strconv.FormatUint(hard, 10), strconv.FormatUint(soft, 10), strconv.FormatInt(int64(int32(secs)), 10)}
	}
	var b strings.Builder
	for i, class := range []string{"normal", "slave", "pubsub"} {
		if i > 0 {
			b.WriteByte(' ')
		}
		l := limits[class]
		b.WriteString(class + " " + l[0] + " " + l[1] + " " + l[2])
	}
	return b.String(), ""
}

func parseOOMScoreAdjValues(_ string, args []string) (string, string) {
	if len(args) != 3 {
		return "", "wrong number of arguments"
	}
	for i, a := range args {
		n, ok := cStrtoll(a)
		if !ok || n < -2000 || n > 2000 {
			return "", "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
		}
		args[i] = strconv.FormatInt(n, 10)
	}
	return strings.Join(args, " "), ""
}

func parseReplicaOf(_ string, args []string) (string, string) {
	if len(args) != 2 {
		return "", "wrong number of arguments"
	}
	if strings.EqualFold(args[0], "no") && strings.EqualFold(args[1], "one") {
		return "", ""
	}
	port, ok := cStrtoll(args[1])
	if !ok || port < 0 || port > 65535 || args[1] == "" {
		return "", "Invalid master port"
	}
	return args[0] + " " + strconv.FormatInt(port, 10), ""
}

func parsePercentiles(_ string, args []string) (string, string) {
	if len(args) == 1 && args[0] == "" {
		return "", ""
	}
	out := make([]string, len(args))
	for i, a := range args {
		f, err := strconv.ParseFloat(a, 64)
		if err != nil || a == "" || strings.TrimSpace(a) != a || math.IsNaN(f) {
			return "", "Invalid latency-tracking-info-percentiles parameters"
		}
		if f > 100 || f < 0 {
			return "", "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
		}
		// "%f", then trailing zeros and a trailing point removed.
		s := strconv.FormatFloat(f, 'f', 6, 64)
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
		out[i] = s
	}
	return strings.Join(out, " "), ""
}

// Keyspace notification classes (notify-keyspace-events), as Redis's
// NOTIFY_* flags.
const (
	kseKeyspace = 1 << iota // K
	kseKeyevent             // E
	kseGeneric              // g
	kseString               // $
	kseList                 // l
	kseSet                  // s
	kseHash                 // h
	kseZSet                 // z
	kseExpired              // x
	kseEvicted              // e
	kseStream               // t
	kseKeyMiss              // m
	kseModule               // d
	kseNew                  // n
	kseAll      = kseGeneric | kseString | kseList | kseSet | kseHash | kseZSet | kseExpired | kseEvicted | kseStream | kseModule
)

// keyspaceEventFlags decodes a notify-keyspace-events value; ok is false
// when it holds a character that names no class.
func keyspaceEventFlags(s string) (flags int, ok bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'A':
			flags |= kseAll
		case 'g':
			flags |= kseGeneric
		case '$':
			flags |= kseString
		case 'l':
			flags |= kseList
		case 's':
			flags |= kseSet
		case 'h':
			flags |= kseHash
		case 'z':
			flags |= kseZSet
		case 'x':
			flags |= kseExpired
		case 'e':
			flags |= kseEvicted
		case 'K':
			flags |= kseKeyspace
		case 'E':
			flags |= kseKeyevent
		case 't':
			flags |= kseStream
		case 'm':
			flags |= kseKeyMiss
		case 'd':
			flags |= kseModule
		case 'n':
			flags |= kseNew
		default:
			return 0, false
		}
	}
	return flags, true
}

// keyspaceEventsString is CONFIG GET's form of the flags.
func keyspaceEventsString(f int) string {
	var b []byte
	if f&kseAll == kseAll {
		b = append(b, 'A')
	} else {
		for _, c := range []struct {
			flag int
			ch   byte
		}{{kseGeneric, 'g'}, {kseString, '$'}, {kseList, 'l'}, {kseSet, 's'}, {kseHash, 'h'},
			{kseZSet, 'z'}, {kseExpired, 'x'}, {kseEvicted, 'e'}, {kseStream, 't'}, {kseModule, 'd'}, {kseNew, 'n'}} {
			if f&c.flag != 0 {
				b = append(b, c.ch)
			}
		}
	}
	if f&kseKeyspace != 0 {
		b = append(b, 'K')
	}
	if f&kseKeyevent != 0 {
		b = append(b, 'E')
	}
	if f&kseKeyMiss != 0 {
		b = append(b, 'm')
	}
	return string(b)
}

// applyListen refuses to move a running node to another address: its
// listeners are the ones Serve was given.
func applyListen(s *Server, old, cur *Options) error {
	if old.Port == cur.Port && strings.Join(old.Bind, " ") == strings.Join(cur.Bind, " ") {
		return nil
	}
	s.log.Warn().Msg("CONFIG SET port/bind: a running shardis node does not move its listeners; restart it with the new address")
	if old.Port != cur.Port {
		return errors.New("Unable to listen on this port. Check server logs.")
	}
	return errors.New("Failed to bind to specified addresses.")
}

// applyDir checks the new directory as Redis's chdir would.
func applyDir(s *Server, old, cur *Options) error {
	fi, err := os.Stat(cur.Dir)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return errors.New(strerror(err))
	}
	if !fi.IsDir() {
		return errors.New("Not a directory")
	}
	return nil
}

// applyMaxClients makes room for maxclients connections in the process's
// open files limit as Redis's adjustOpenFilesLimit does: it raises the
// limit to maxclients+32 if it can, and otherwise fails naming the number
// of clients the limit it reached allows.
func applyMaxClients(s *Server, old, cur *Options) error {
	const reserved = 32 // CONFIG_MIN_RESERVED_FDS
	need := uint64(uint32(cur.MaxClients + reserved))
	best, ok := raiseOpenFilesLimit(need)
	if !ok || best >= need {
		return nil
	}
	return fmt.Errorf("The operating system is not able to handle the specified number of clients, try with %d", int64(best)-reserved)
}

// strerror gives an OS error the capitalised text C's strerror has.
func strerror(err error) string {
	s := err.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// config is the running configuration: an immutable Options snapshot
// behind an atomic pointer. Readers load it without locking; CONFIG SET
// builds a changed copy, applies it and swaps it in.
type config struct {
	s   *Server
	mu  sync.Mutex // serializes CONFIG SET and REWRITE
	cur atomic.Pointer[Options]
}

func newConfig(s *Server) *config {
	c := &config{s: s}
	o := s.opts
	c.cur.Store(&o)
	return c
}

// load returns the current configuration; it must not be modified.
func (c *config) load() *Options { return c.cur.Load() }

func (c *config) maxClients() int        { return c.load().MaxClients }
func (c *config) requirePass() string    { return c.load().RequirePass }
func (c *config) protoMaxBulkLen() int64 { return c.load().ProtoMaxBulkLen }
func (c *config) hz() int                { return c.load().Hz }

// configChange is one parameter of a CONFIG SET.
type configChange struct {
	e     *paramEntry
	given string // the name as the client wrote it
	value string
}

// set applies CONFIG SET's pairs all or nothing and returns the error
// reply, or "" on success. c is the client (for protected parameters).
func (cfg *config) set(cl *Client, pairs [][]byte) string {
	n := len(pairs) / 2
	changes := make([]configChange, n)
	invalid := false
	var unknown, errName, errText string
	var isUnknown bool
	for i := 0; i < n; i++ {
		name := string(pairs[2*i])
		e := lookupParamName(name)
		if e == nil {
			if !invalid {
				unknown, isUnknown = name, true
				invalid = true
			}
			continue
		}
		if invalid {
			continue
		}
		if e.p.flags&pfImmutable != 0 || (e.p.flags&pfProtected != 0 && !cfg.protectedAllowed(cl)) {
			errText = "can't set protected config"
			if e.p.flags&pfImmutable != 0 {
				errText = "can't set immutable config"
			}
			errName = name
			invalid = true
			continue
		}
		for j := 0; j < i; j++ {
			if changes[j].e == e {
				errText, errName, invalid = "duplicate parameter", name, true
				break
			}
		}
		changes[i] = configChange{e: e, given: name, value: string(pairs[2*i+1])}
	}
	if invalid {
		if isUnknown { // the name may be empty: CONFIG SET "" 5
			return "ERR Unknown option or number of arguments for CONFIG SET - '" + unknown + "'"
		}
		return "ERR CONFIG SET failed (possibly related to argument '" + errName + "') - " + errText
	}

	cfg.mu.Lock()
	defer cfg.mu.Unlock()
	old := cfg.load()
	next := *old
	var applied []string // parameters whose appliers must run, in order
	for _, ch := range changes {
		p := ch.e.p
		cur := p.get(&next)
		v, msg := p.parse(cur, ch.value)
		if msg != "" {
			return "ERR CONFIG SET failed (possibly related to argument '" + ch.e.name + "') - " + msg
		}
		p.put(&next, v)
		// Like Redis, run the appliers when the value changed; special
		// parameters always count as changed.
		if v != cur || p.kind == pkSpecial {
			applied = append(applied, p.name)
		}
	}
	cfg.cur.Store(&next)
	var ran []configApplyFunc
	for _, name := range applied {
		for _, fn := range configAppliers[name] {
			if err := fn(cfg.s, old, &next); err != nil {
				cfg.cur.Store(old)
				for i := len(ran) - 1; i >= 0; i-- {
					if rerr := ran[i](cfg.s, &next, old); rerr != nil {
						cfg.s.log.Warn().Err(rerr).Msg("failed restoring the configuration after a failed CONFIG SET")
					}
				}
				return "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + err.Error()
			}
			ran = append(ran, fn)
		}
	}
	return ""
}

// protectedAllowed is Redis's allowProtectedAction for
// enable-protected-configs.
func (cfg *config) protectedAllowed(cl *Client) bool {
	v, _ := cfg.load().Get("enable-protected-configs")
	return allowProtected(v, cl)
}

// allowProtected: "yes" allows everyone, "local" clients on a loopback or
// Unix socket connection.
func allowProtected(setting string, cl *Client) bool {
	switch setting {
	case "yes":
		return true
	case "local":
		return cl != nil && cl.isLocal()
	}
	return false
}

// configHelp is CONFIG HELP's text.
var configHelp = []string{
	"GET <pattern>",
	"    Return parameters matching the glob-like <pattern> and their values.",
	"SET <directive> <value>",
	"    Set the configuration <directive> to <value>.",
	"RESETSTAT",
	"    Reset statistics reported by the INFO command.",
	"REWRITE",
	"    Rewrite the configuration file.",
}

func init() {
	register("config|get", cmdConfigGet)
	register("config|set", cmdConfigSet)
	register("config|resetstat", cmdConfigResetStat)
	register("config|rewrite", cmdConfigRewrite)
	register("config|help", func(c *Client, args [][]byte) { addReplyHelp(c, args, configHelp) })
}

func cmdConfigGet(c *Client, args [][]byte) {
	o := c.srv.cfg.load()
	type match struct {
		shown string
		e     *paramEntry
	}
	var matches []match
	seen := make(map[string]bool)
	for _, a := range args[2:] {
		if !strings.ContainsAny(string(a), "[*?") {
			e := lookupParamName(string(a))
			if e == nil || seen[e.name] {
				continue
			}
			seen[e.name] = true
			matches = append(matches, match{string(a), e})
			continue
		}
		for i := range paramEntries {
			e := &paramEntries[i]
			if e.p.flags&pfHidden != 0 || seen[e.name] {
				continue
			}
			if globMatch(a, []byte(e.name), true) {
				seen[e.name] = true
				matches = append(matches, match{e.name, e})
			}
		}
	}
	c.w.WriteMapLen(len(matches))
	for _, m := range matches {
		c.w.WriteBulkString(m.shown)
		c.w.WriteBulkString(m.e.p.show0(o))
	}
}

func cmdConfigSet(c *Client, args [][]byte) {
	if len(args)%2 != 0 {
		c.err(errSyntax)
		return
	}
	if msg := c.srv.cfg.set(c, args[2:]); msg != "" {
		c.err(msg)
		return
	}
	c.w.WriteOK()
}

func cmdConfigResetStat(c *Client, args [][]byte) {
	c.srv.resetStats(c)
	c.w.WriteOK()
}

func cmdConfigRewrite(c *Client, args [][]byte) {
	cfg := c.srv.cfg
	cfg.mu.Lock()
	defer cfg.mu.Unlock()
	o := cfg.load()
	if o.ConfigFile == "" {
		c.err("ERR The server is running without a config file")
		return
	}
	if err := rewriteConfigFile(o.ConfigFile, o); err != nil {
		c.srv.log.Warn().Err(err).Msg("CONFIG REWRITE failed")
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		c.err("ERR Rewriting config file: " + strerror(err))
		return
	}
	c.srv.log.Warn().Msg("CONFIG REWRITE executed with success.")
	c.w.WriteOK()
}

// resetStats is CONFIG RESETSTAT: the counters INFO stats, commandstats and
// errorstats show, and the keyspace hit, miss and expiry counts.
func (s *Server) resetStats(c *Client) {
	s.stats.reset()
	s.stats.netIn.Store(0)
	s.stats.netOut.Store(0)
	for _, db := range s.dbs {
		for i := range db.shards {
			sh := &db.shards[i]
			c.lockShard(sh)
			sh.hits, sh.misses, sh.expired = 0, 0, 0
			c.unlockShard(sh)
		}
	}
	resetErrorStats(s)
}

// rewriteConfigFile is CONFIG REWRITE for a TOML configuration: a line that
// sets a parameter gets the parameter's current value; parameters that
// differ from their defaults and have no line are appended after a
// "# Generated by CONFIG REWRITE" comment; every other line is kept. The
// file is replaced atomically (written aside, synced, renamed, directory
// synced).
func rewriteConfigFile(path string, o *Options) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	def := DefaultOptions()
	var lines []string
	if len(old) > 0 {
		lines = strings.Split(strings.TrimRight(string(old), "\n"), "\n")
	}
	var out []string
	done := map[*param]bool{}
	signed := false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == configRewriteSignature {
			signed = true
		}
		key, rest, ok := tomlKeyLine(l)
		e := lookupParamName(key)
		if !ok || e == nil || done[e.p] {
			out = append(out, l)
			continue
		}
		// Skip the rest of a value that spans lines (an array or a
		// multi-line string).
		if v := strings.TrimSpace(rest); strings.HasPrefix(v, "[") && !strings.Contains(v, "]") {
			for i+1 < len(lines) && !strings.Contains(lines[i], "]") {
				i++
			}
		} else if q := tomlMultilineQuote(v); q != "" {
			for i+1 < len(lines) && !strings.Contains(lines[i+1], q) {
				i++
			}
			i++
		}
		done[e.p] = true
		out = append(out, key+" = "+tomlValue(e.p, e.p.show0(o)))
	}
	for _, p := range configParams {
		if done[p] {
			continue
		}
		v := p.show0(o)
		if v == p.show0(&def) {
			continue
		}
		if !signed {
			out = append(out, configRewriteSignature)
			signed = true
		}
		out = append(out, p.name+" = "+tomlValue(p, v))
	}
	return writeFileAtomic(path, []byte(strings.Join(out, "\n")+"\n"))
}

const configRewriteSignature = "# Generated by CONFIG REWRITE"

// tomlKeyLine splits a "key = value" line; ok is false for anything else.
func tomlKeyLine(l string) (key, rest string, ok bool) {
	t := strings.TrimSpace(l)
	if t == "" || t[0] == '#' || t[0] == '[' {
		return "", "", false
	}
	k, rest, ok := strings.Cut(t, "=")
	if !ok {
		return "", "", false
	}
	k = strings.TrimSpace(k)
	if len(k) >= 2 && (k[0] == '"' || k[0] == '\'') && k[len(k)-1] == k[0] {
		k = k[1 : len(k)-1]
	}
	return k, rest, true
}

func tomlMultilineQuote(v string) string {
	for _, q := range []string{`"""`, "'''"} {
		if strings.HasPrefix(v, q) && !strings.Contains(v[3:], q) {
			return q
		}
	}
	return ""
}

// tomlValue writes a parameter's value the way LoadFile reads it back:
// booleans and plain integers bare, bind as an array, the rest as strings.
func tomlValue(p *param, v string) string {
	switch {
	case p.kind == pkBool:
		if v == "yes" {
			return "true"
		}
		return "false"
	case p.kind == pkInt || p.kind == pkMemory:
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return v
		}
	case p.name == "bind":
		words := splitConfigArgs(v)
		q := make([]string, len(words))
		for i, w := range words {
			q[i] = tomlQuote(w)
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	return tomlQuote(v)
}

// tomlQuote is a TOML basic string.
func tomlQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\u`)
			b.WriteString(strconv.FormatInt(int64(r)+0x10000, 16)[1:])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// writeFileAtomic replaces path with data: a temporary file in the same
// directory, synced, renamed over path, then the directory synced.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".rewrite-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if fi, err := os.Stat(path); err == nil {
		f.Chmod(fi.Mode().Perm())
	}
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// raiseOpenFilesLimit makes the open files limit at least need if it can,
// as Redis's adjustOpenFilesLimit does: trying need, then 16 less at a
// time, down to the current limit. It returns the limit now in force, and
// false when the limit cannot be read.
func raiseOpenFilesLimit(need uint64) (uint64, bool) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, false
	}
	old := uint64(lim.Cur)
	for best := need; best > old; best -= 16 {
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: best, Max: max(best, lim.Max)}) == nil {
			return best, true
		}
		if best < 16 {
			break
		}
	}
	return old, true
}
