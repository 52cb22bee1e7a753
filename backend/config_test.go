package backend

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// configSession was recorded from redis-server 7.0.15 (started with
// --enable-debug-command yes, one connection): each command and the exact
// bytes of its reply ("" for a command that gets none, "?" for a reply not
// compared here, "<EOF>" for a closed connection).
var configSession = []recordedReply{
	{"-ERR CONFIG SET failed (possibly related to argument 'DATABASES') - can't set immutable config\r\n", []string{"CONFIG", "SET", "DATABASES", "5"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction\r\n", []string{"CONFIG", "SET", "MAXMEMORY-POLICY", "bogus"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'slave-priority') - argument couldn't be parsed into an integer\r\n", []string{"CONFIG", "SET", "SLAVE-PRIORITY", "x"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "slave-priority", "1", "replica-priority", "2"}},
	{"*2\r\n$14\r\nslave-priority\r\n$1\r\n2\r\n", []string{"CONFIG", "GET", "slave-priority"}},
	{"*2\r\n$16\r\nREPLICA-PRIORITY\r\n$1\r\n2\r\n", []string{"CONFIG", "GET", "REPLICA-PRIORITY"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "replica-priority", "100"}},
	{"-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n", []string{"CONFIG", "SET", "foo", "1", "databases", "3"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config\r\n", []string{"CONFIG", "SET", "databases", "3", "foo", "1"}},
	{"-ERR syntax error\r\n", []string{"CONFIG", "SET", "hz", "5", "hz"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter\r\n", []string{"CONFIG", "SET", "hz", "5", "HZ", "6"}},
	{"-ERR wrong number of arguments for 'config|set' command\r\n", []string{"CONFIG", "SET"}},
	{"-ERR wrong number of arguments for 'config|set' command\r\n", []string{"CONFIG", "SET", "hz"}},
	{"-ERR wrong number of arguments for 'config|get' command\r\n", []string{"CONFIG", "GET"}},
	{"*2\r\n$2\r\nHZ\r\n$2\r\n10\r\n", []string{"CONFIG", "GET", "HZ"}},
	{"*2\r\n$2\r\nhz\r\n$2\r\n10\r\n", []string{"CONFIG", "GET", "hz", "HZ"}},
	{"*2\r\n$2\r\nHZ\r\n$2\r\n10\r\n", []string{"CONFIG", "GET", "HZ", "h?"}},
	{"*2\r\n$2\r\nhz\r\n$2\r\n10\r\n", []string{"CONFIG", "GET", "h?", "hz"}},
	{"*0\r\n", []string{"CONFIG", "GET", "nonexist"}},
	{"*4\r\n$14\r\nlfu-log-factor\r\n$2\r\n10\r\n$14\r\nlfu-decay-time\r\n$1\r\n1\r\n", []string{"CONFIG", "GET", "lfu*", "lfu-decay-time"}},
	{"*0\r\n", []string{"CONFIG", "GET", "["}},
	{"*2\r\n$14\r\nkey-load-delay\r\n$1\r\n0\r\n", []string{"CONFIG", "GET", "key-load-delay"}},
	{"*0\r\n", []string{"CONFIG", "GET", "key-load*"}},
	{"-ERR The server is running without a config file\r\n", []string{"CONFIG", "REWRITE"}},
	{"-ERR wrong number of arguments for 'config|rewrite' command\r\n", []string{"CONFIG", "REWRITE", "x"}},
	{"*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET <pattern>\r\n+    Return parameters matching the glob-like <pattern> and their values.\r\n+SET <directive> <value>\r\n+    Set the configuration <directive> to <value>.\r\n+RESETSTAT\r\n+    Reset statistics reported by the INFO command.\r\n+REWRITE\r\n+    Rewrite the configuration file.\r\n+HELP\r\n+    Prints this help.\r\n", []string{"CONFIG", "HELP"}},
	{"-ERR unknown subcommand 'BOGUS'. Try CONFIG HELP.\r\n", []string{"CONFIG", "BOGUS"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "hz", "0"}},
	{"*2\r\n$2\r\nhz\r\n$1\r\n1\r\n", []string{"CONFIG", "GET", "hz"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "hz", "1000"}},
	{"*2\r\n$2\r\nhz\r\n$3\r\n500\r\n", []string{"CONFIG", "GET", "hz"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'hz') - argument must be between 0 and 2147483647 inclusive\r\n", []string{"CONFIG", "SET", "hz", "-1"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer\r\n", []string{"CONFIG", "SET", "hz", "abc"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer\r\n", []string{"CONFIG", "SET", "hz", "01"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer\r\n", []string{"CONFIG", "SET", "hz", "+5"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "hz", "10"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "maxmemory", "1gB"}},
	{"*2\r\n$9\r\nmaxmemory\r\n$10\r\n1073741824\r\n", []string{"CONFIG", "GET", "maxmemory"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "maxmemory", "5b"}},
	{"*2\r\n$9\r\nmaxmemory\r\n$1\r\n5\r\n", []string{"CONFIG", "GET", "maxmemory"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "maxmemory", "1k"}},
	{"*2\r\n$9\r\nmaxmemory\r\n$4\r\n1000\r\n", []string{"CONFIG", "GET", "maxmemory"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value\r\n", []string{"CONFIG", "SET", "maxmemory", "-1"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "maxmemory", "99999999999999999999999"}},
	{"*2\r\n$9\r\nmaxmemory\r\n$20\r\n18446744073709551615\r\n", []string{"CONFIG", "GET", "maxmemory"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "maxmemory", "kb"}},
	{"*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n", []string{"CONFIG", "GET", "maxmemory"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value\r\n", []string{"CONFIG", "SET", "maxmemory", "10x"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "maxmemory", "0"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive\r\n", []string{"CONFIG", "SET", "maxclients", "0"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive\r\n", []string{"CONFIG", "SET", "maxclients", "-1"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive\r\n", []string{"CONFIG", "SET", "maxclients", "4294967296"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - argument(s) must be one of the following: default, save, nosave, now, force\r\n", []string{"CONFIG", "SET", "shutdown-on-sigint", "bogus"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - shutdown options SAVE and NOSAVE can't be used simultaneously\r\n", []string{"CONFIG", "SET", "shutdown-on-sigint", "save nosave"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "shutdown-on-sigint", "force now"}},
	{"*2\r\n$18\r\nshutdown-on-sigint\r\n$9\r\nnow force\r\n", []string{"CONFIG", "GET", "shutdown-on-sigint"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "shutdown-on-sigint", "default now"}},
	{"*2\r\n$18\r\nshutdown-on-sigint\r\n$3\r\nnow\r\n", []string{"CONFIG", "GET", "shutdown-on-sigint"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - argument(s) must be one of the following: default, save, nosave, now, force\r\n", []string{"CONFIG", "SET", "shutdown-on-sigint", ""}},
	{"+OK\r\n", []string{"CONFIG", "SET", "shutdown-on-sigint", "default"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LRU"}},
	{"*2\r\n$16\r\nmaxmemory-policy\r\n$11\r\nallkeys-lru\r\n", []string{"CONFIG", "GET", "maxmemory-policy"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction\r\n", []string{"CONFIG", "SET", "maxmemory-policy", "allkeys-lru volatile-lru"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "maxmemory-policy", "noeviction"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "oom-score-adj", "relative"}},
	{"*2\r\n$13\r\noom-score-adj\r\n$3\r\nyes\r\n", []string{"CONFIG", "GET", "oom-score-adj"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "oom-score-adj", "no"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'\r\n", []string{"CONFIG", "SET", "appendonly", "maybe"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'activedefrag') - Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution\r\n", []string{"CONFIG", "SET", "activedefrag", "yes"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "activedefrag", "no"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters\r\n", []string{"CONFIG", "SET", "save", "100"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "save", "100 0 5 5"}},
	{"*2\r\n$4\r\nsave\r\n$9\r\n100 0 5 5\r\n", []string{"CONFIG", "GET", "save"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters\r\n", []string{"CONFIG", "SET", "save", "100 x"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters\r\n", []string{"CONFIG", "SET", "save", "0 5"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters\r\n", []string{"CONFIG", "SET", "save", " 100  5 "}},
	{"+OK\r\n", []string{"CONFIG", "SET", "save", "+100 -0"}},
	{"*2\r\n$4\r\nsave\r\n$5\r\n100 0\r\n", []string{"CONFIG", "GET", "save"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "save", ""}},
	{"*2\r\n$4\r\nsave\r\n$0\r\n\r\n", []string{"CONFIG", "GET", "save"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "notify-keyspace-events", "An"}},
	{"*2\r\n$22\r\nnotify-keyspace-events\r\n$1\r\nA\r\n", []string{"CONFIG", "GET", "notify-keyspace-events"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "notify-keyspace-events", "KEA"}},
	{"*2\r\n$22\r\nnotify-keyspace-events\r\n$3\r\nAKE\r\n", []string{"CONFIG", "GET", "notify-keyspace-events"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "notify-keyspace-events", "g$lshzxetdnKEm"}},
	{"*2\r\n$22\r\nnotify-keyspace-events\r\n$4\r\nAKEm\r\n", []string{"CONFIG", "GET", "notify-keyspace-events"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "notify-keyspace-events", "xg"}},
	{"*2\r\n$22\r\nnotify-keyspace-events\r\n$2\r\ngx\r\n", []string{"CONFIG", "GET", "notify-keyspace-events"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.\r\n", []string{"CONFIG", "SET", "notify-keyspace-events", "q"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "notify-keyspace-events", ""}},
	{"*2\r\n$22\r\nnotify-keyspace-events\r\n$0\r\n\r\n", []string{"CONFIG", "GET", "notify-keyspace-events"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - Invalid oom-score-adj-values, elements must be between -2000 and 2000.\r\n", []string{"CONFIG", "SET", "oom-score-adj-values", "1 2 3000"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - wrong number of arguments\r\n", []string{"CONFIG", "SET", "oom-score-adj-values", "1 2"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "oom-score-adj-values", "-5 0 10"}},
	{"*2\r\n$20\r\noom-score-adj-values\r\n$7\r\n-5 0 10\r\n", []string{"CONFIG", "GET", "oom-score-adj-values"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "oom-score-adj-values", "0 200 800"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration.\r\n", []string{"CONFIG", "SET", "client-output-buffer-limit", "normal 1 2"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration.\r\n", []string{"CONFIG", "SET", "client-output-buffer-limit", "master 1 2 3"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "client-output-buffer-limit", "replica 1mb 2 3"}},
	{"*2\r\n$26\r\nclient-output-buffer-limit\r\n$57\r\nnormal 0 0 0 slave 1048576 2 3 pubsub 33554432 8388608 60\r\n", []string{"CONFIG", "GET", "client-output-buffer-limit"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer limit configuration.\r\n", []string{"CONFIG", "SET", "client-output-buffer-limit", "replica 1x 2 3"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer limit configuration.\r\n", []string{"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1 2 -3"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "client-output-buffer-limit", ""}},
	{"+OK\r\n", []string{"CONFIG", "SET", "client-output-buffer-limit", "slave 268435456 67108864 60"}},
	{"*2\r\n$26\r\nclient-output-buffer-limit\r\n$67\r\nnormal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60\r\n", []string{"CONFIG", "GET", "client-output-buffer-limit"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "latency-tracking-info-percentiles", "50.0 99 99.90 0"}},
	{"*2\r\n$33\r\nlatency-tracking-info-percentiles\r\n$12\r\n50 99 99.9 0\r\n", []string{"CONFIG", "GET", "latency-tracking-info-percentiles"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - latency-tracking-info-percentiles parameters should sit between [0.0,100.0]\r\n", []string{"CONFIG", "SET", "latency-tracking-info-percentiles", "101"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - Invalid latency-tracking-info-percentiles parameters\r\n", []string{"CONFIG", "SET", "latency-tracking-info-percentiles", "x"}},
	{"*2\r\n$33\r\nlatency-tracking-info-percentiles\r\n$12\r\n50 99 99.9 0\r\n", []string{"CONFIG", "GET", "latency-tracking-info-percentiles"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config\r\n", []string{"CONFIG", "SET", "dir", "/nonexist"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config\r\n", []string{"CONFIG", "SET", "dbfilename", "x"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "maxmemory-clients", "10%"}},
	{"*2\r\n$17\r\nmaxmemory-clients\r\n$3\r\n10%\r\n", []string{"CONFIG", "GET", "maxmemory-clients"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100\r\n", []string{"CONFIG", "SET", "maxmemory-clients", "101%"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value\r\n", []string{"CONFIG", "SET", "maxmemory-clients", "x"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value\r\n", []string{"CONFIG", "SET", "maxmemory-clients", "-1%"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "maxmemory-clients", "0"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'appendfilename') - can't set immutable config\r\n", []string{"CONFIG", "SET", "appendfilename", "x"}},
	{"-ERR syntax error\r\n", []string{"CONFIG", "SET", "replicaof", "no", "one"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'proc-title-template') - template format is invalid or contains unknown variables\r\n", []string{"CONFIG", "SET", "proc-title-template", "{bad}"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'proc-title-template') - template format is invalid or contains unknown variables\r\n", []string{"CONFIG", "SET", "proc-title-template", "{title}"}},
	{"*2\r\n$19\r\nproc-title-template\r\n$35\r\n{title} {listen-addr} {server-mode}\r\n", []string{"CONFIG", "GET", "proc-title-template"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "proc-title-template", "{title} {listen-addr} {server-mode}"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'unixsocketperm') - can't set immutable config\r\n", []string{"CONFIG", "SET", "unixsocketperm", "8"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'cluster-announce-hostname') - Hostnames may only contain alphanumeric characters, hyphens or dots\r\n", []string{"CONFIG", "SET", "cluster-announce-hostname", "bad_host"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "cluster-announce-hostname", "good.host"}},
	{"*2\r\n$25\r\ncluster-announce-hostname\r\n$9\r\ngood.host\r\n", []string{"CONFIG", "GET", "cluster-announce-hostname"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "cluster-announce-hostname", ""}},
	{"-ERR CONFIG SET failed (possibly related to argument 'slowlog-log-slower-than') - argument must be between -1 and 9223372036854775807 inclusive\r\n", []string{"CONFIG", "SET", "slowlog-log-slower-than", "-2"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "slowlog-log-slower-than", "-1"}},
	{"*2\r\n$23\r\nslowlog-log-slower-than\r\n$2\r\n-1\r\n", []string{"CONFIG", "GET", "slowlog-log-slower-than"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "slowlog-log-slower-than", "10000"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive\r\n", []string{"CONFIG", "SET", "proto-max-bulk-len", "1000"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "proto-max-bulk-len", "2mb"}},
	{"*2\r\n$18\r\nproto-max-bulk-len\r\n$7\r\n2097152\r\n", []string{"CONFIG", "GET", "proto-max-bulk-len"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "proto-max-bulk-len", "512mb"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "list-max-ziplist-size", "-3"}},
	{"*2\r\n$21\r\nlist-max-ziplist-size\r\n$2\r\n-3\r\n", []string{"CONFIG", "GET", "list-max-ziplist-size"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "list-max-listpack-size", "-2"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-entries') - argument must be between 0 and 9223372036854775807 inclusive\r\n", []string{"CONFIG", "SET", "hash-max-listpack-entries", "-1"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument must be between 1 and 9223372036854775807 inclusive\r\n", []string{"CONFIG", "SET", "repl-backlog-size", "0"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "lua-time-limit", "100"}},
	{"*2\r\n$20\r\nbusy-reply-threshold\r\n$3\r\n100\r\n", []string{"CONFIG", "GET", "busy-reply-threshold"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "busy-reply-threshold", "5000"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "tls-auth-clients", "OPTIONAL"}},
	{"*2\r\n$16\r\ntls-auth-clients\r\n$8\r\noptional\r\n", []string{"CONFIG", "GET", "tls-auth-clients"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "tls-auth-clients", "yes"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't set immutable config\r\n", []string{"CONFIG", "SET", "enable-debug-command", "yes"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "loglevel", "verbose"}},
	{"*2\r\n$8\r\nloglevel\r\n$7\r\nverbose\r\n", []string{"CONFIG", "GET", "loglevel"}},
	{"+OK\r\n", []string{"CONFIG", "SET", "loglevel", "notice"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'requirepass') - duplicate parameter\r\n", []string{"CONFIG", "SET", "requirepass", "x", "requirepass", "y"}},
	{"-ERR wrong number of arguments for 'config|resetstat' command\r\n", []string{"CONFIG", "RESETSTAT", "x"}},
	{"-ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction\r\n", []string{"CONFIG", "SET", "maxmemory", "1mb", "maxmemory-policy", "bogus"}},
	{"*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n", []string{"CONFIG", "GET", "maxmemory"}},
}

func TestConfigSession(t *testing.T) {
	runRecorded(t, startAdminTestServer(t), configSession)
}

// redisDefaults is CONFIG GET * of a redis-server 7.0.15 started with no
// options but --port (port, bind and dir left out: they depend on how it
// was started).
var redisDefaults = [][2]string{
	{"acl-pubsub-default", "resetchannels"},
	{"aclfile", ""},
	{"acllog-max-len", "128"},
	{"active-defrag-cycle-max", "25"},
	{"active-defrag-cycle-min", "1"},
	{"active-defrag-ignore-bytes", "104857600"},
	{"active-defrag-max-scan-fields", "1000"},
	{"active-defrag-threshold-lower", "10"},
	{"active-defrag-threshold-upper", "100"},
	{"active-expire-effort", "1"},
	{"activedefrag", "no"},
	{"activerehashing", "yes"},
	{"always-show-logo", "no"},
	{"aof-disable-auto-gc", "no"},
	{"aof-load-truncated", "yes"},
	{"aof-rewrite-incremental-fsync", "yes"},
	{"aof-timestamp-enabled", "no"},
	{"aof-use-rdb-preamble", "yes"},
	{"aof_rewrite_cpulist", ""},
	{"appenddirname", "appendonlydir"},
	{"appendfilename", "appendonly.aof"},
	{"appendfsync", "everysec"},
	{"appendonly", "no"},
	{"auto-aof-rewrite-min-size", "67108864"},
	{"auto-aof-rewrite-percentage", "100"},
	{"bgsave_cpulist", ""},
	{"bind-source-addr", ""},
	{"bio_cpulist", ""},
	{"busy-reply-threshold", "5000"},
	{"client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
	{"client-query-buffer-limit", "1073741824"},
	{"cluster-allow-pubsubshard-when-down", "yes"},
	{"cluster-allow-reads-when-down", "no"},
	{"cluster-allow-replica-migration", "yes"},
	{"cluster-announce-bus-port", "0"},
	{"cluster-announce-hostname", ""},
	{"cluster-announce-ip", ""},
	{"cluster-announce-port", "0"},
	{"cluster-announce-tls-port", "0"},
	{"cluster-config-file", "nodes.conf"},
	{"cluster-enabled", "no"},
	{"cluster-link-sendbuf-limit", "0"},
	{"cluster-migration-barrier", "1"},
	{"cluster-node-timeout", "15000"},
	{"cluster-port", "0"},
	{"cluster-preferred-endpoint-type", "ip"},
	{"cluster-replica-no-failover", "no"},
	{"cluster-replica-validity-factor", "10"},
	{"cluster-require-full-coverage", "yes"},
	{"cluster-slave-no-failover", "no"},
	{"cluster-slave-validity-factor", "10"},
	{"crash-log-enabled", "yes"},
	{"crash-memcheck-enabled", "yes"},
	{"daemonize", "no"},
	{"databases", "16"},
	{"dbfilename", "dump.rdb"},
	{"disable-thp", "yes"},
	{"dynamic-hz", "yes"},
	{"enable-debug-command", "no"},
	{"enable-module-command", "no"},
	{"enable-protected-configs", "no"},
	{"hash-max-listpack-entries", "512"},
	{"hash-max-listpack-value", "64"},
	{"hash-max-ziplist-entries", "512"},
	{"hash-max-ziplist-value", "64"},
	{"hll-sparse-max-bytes", "3000"},
	{"hz", "10"},
	{"ignore-warnings", ""},
	{"io-threads", "1"},
	{"io-threads-do-reads", "no"},
	{"jemalloc-bg-thread", "yes"},
	{"latency-monitor-threshold", "0"},
	{"latency-tracking", "yes"},
	{"latency-tracking-info-percentiles", "50 99 99.9"},
	{"lazyfree-lazy-eviction", "no"},
	{"lazyfree-lazy-expire", "no"},
	{"lazyfree-lazy-server-del", "no"},
	{"lazyfree-lazy-user-del", "no"},
	{"lazyfree-lazy-user-flush", "no"},
	{"lfu-decay-time", "1"},
	{"lfu-log-factor", "10"},
	{"list-compress-depth", "0"},
	{"list-max-listpack-size", "-2"},
	{"list-max-ziplist-size", "-2"},
	{"logfile", ""},
	{"loglevel", "notice"},
	{"lua-time-limit", "5000"},
	{"masterauth", ""},
	{"masteruser", ""},
	{"maxclients", "10000"},
	{"maxmemory", "0"},
	{"maxmemory-clients", "0"},
	{"maxmemory-eviction-tenacity", "10"},
	{"maxmemory-policy", "noeviction"},
	{"maxmemory-samples", "5"},
	{"min-replicas-max-lag", "10"},
	{"min-replicas-to-write", "0"},
	{"min-slaves-max-lag", "10"},
	{"min-slaves-to-write", "0"},
	{"no-appendfsync-on-rewrite", "no"},
	{"notify-keyspace-events", ""},
	{"oom-score-adj", "no"},
	{"oom-score-adj-values", "0 200 800"},
	{"pidfile", ""},
	{"proc-title-template", "{title} {listen-addr} {server-mode}"},
	{"propagation-error-behavior", "ignore"},
	{"protected-mode", "yes"},
	{"proto-max-bulk-len", "536870912"},
	{"rdb-del-sync-files", "no"},
	{"rdb-save-incremental-fsync", "yes"},
	{"rdbchecksum", "yes"},
	{"rdbcompression", "yes"},
	{"repl-backlog-size", "1048576"},
	{"repl-backlog-ttl", "3600"},
	{"repl-disable-tcp-nodelay", "no"},
	{"repl-diskless-load", "disabled"},
	{"repl-diskless-sync", "yes"},
	{"repl-diskless-sync-delay", "5"},
	{"repl-diskless-sync-max-replicas", "0"},
	{"repl-ping-replica-period", "10"},
	{"repl-ping-slave-period", "10"},
	{"repl-timeout", "60"},
	{"replica-announce-ip", ""},
	{"replica-announce-port", "0"},
	{"replica-announced", "yes"},
	{"replica-ignore-disk-write-errors", "no"},
	{"replica-ignore-maxmemory", "yes"},
	{"replica-lazy-flush", "no"},
	{"replica-priority", "100"},
	{"replica-read-only", "yes"},
	{"replica-serve-stale-data", "yes"},
	{"replicaof", ""},
	{"requirepass", ""},
	{"sanitize-dump-payload", "no"},
	{"save", "3600 1 300 100 60 10000"},
	{"server_cpulist", ""},
	{"set-max-intset-entries", "512"},
	{"set-proc-title", "yes"},
	{"shutdown-on-sigint", "default"},
	{"shutdown-on-sigterm", "default"},
	{"shutdown-timeout", "10"},
	{"slave-announce-ip", ""},
	{"slave-announce-port", "0"},
	{"slave-ignore-maxmemory", "yes"},
	{"slave-lazy-flush", "no"},
	{"slave-priority", "100"},
	{"slave-read-only", "yes"},
	{"slave-serve-stale-data", "yes"},
	{"slaveof", ""},
	{"slowlog-log-slower-than", "10000"},
	{"slowlog-max-len", "128"},
	{"socket-mark-id", "0"},
	{"stop-writes-on-bgsave-error", "yes"},
	{"stream-node-max-bytes", "4096"},
	{"stream-node-max-entries", "100"},
	{"supervised", "no"},
	{"syslog-enabled", "no"},
	{"syslog-facility", "local0"},
	{"syslog-ident", "redis"},
	{"tcp-backlog", "511"},
	{"tcp-keepalive", "300"},
	{"timeout", "0"},
	{"tls-auth-clients", "yes"},
	{"tls-ca-cert-dir", ""},
	{"tls-ca-cert-file", ""},
	{"tls-cert-file", ""},
	{"tls-ciphers", ""},
	{"tls-ciphersuites", ""},
	{"tls-client-cert-file", ""},
	{"tls-client-key-file", ""},
	{"tls-client-key-file-pass", ""},
	{"tls-cluster", "no"},
	{"tls-dh-params-file", ""},
	{"tls-key-file", ""},
	{"tls-key-file-pass", ""},
	{"tls-port", "0"},
	{"tls-prefer-server-ciphers", "no"},
	{"tls-protocols", ""},
	{"tls-replication", "no"},
	{"tls-session-cache-size", "20480"},
	{"tls-session-cache-timeout", "300"},
	{"tls-session-caching", "yes"},
	{"tracking-table-max-keys", "1000000"},
	{"unixsocket", ""},
	{"unixsocketperm", "0"},
	{"zset-max-listpack-entries", "128"},
	{"zset-max-listpack-value", "64"},
	{"zset-max-ziplist-entries", "128"},
	{"zset-max-ziplist-value", "64"},
}

// configGetAll returns CONFIG GET *'s pairs.
func configGetAll(t *testing.T, c *testConn, pattern string) map[string]string {
	t.Helper()
	v := c.do("CONFIG", "GET", pattern)
	m := map[string]string{}
	for i := 0; i+1 < len(v.Elems); i += 2 {
		name := string(v.Elems[i].Str)
		if _, dup := m[name]; dup {
			t.Errorf("CONFIG GET %s lists %s twice", pattern, name)
		}
		m[name] = string(v.Elems[i+1].Str)
	}
	return m
}

func TestConfigGetAllLikeRedis(t *testing.T) {
	_, addr := startTestServer(t)
	got := configGetAll(t, dialTest(t, addr), "*")
	for _, kv := range redisDefaults {
		if v, ok := got[kv[0]]; !ok {
			t.Errorf("CONFIG GET * has no %s", kv[0])
		} else if v != kv[1] {
			t.Errorf("CONFIG GET %s = %q, redis-server has %q", kv[0], v, kv[1])
		}
		delete(got, kv[0])
	}
	for _, name := range []string{"port", "bind", "dir"} {
		delete(got, name)
	}
	if len(got) != 0 {
		t.Errorf("CONFIG GET * lists parameters redis-server does not have: %v", got)
	}
}

func TestConfigGetPatterns(t *testing.T) {
	_, addr := startTestServer(t)
	c := dialTest(t, addr)
	names := func(patterns ...string) []string {
		v := c.do(append([]string{"CONFIG", "GET"}, patterns...)...)
		var out []string
		for i := 0; i < len(v.Elems); i += 2 {
			out = append(out, string(v.Elems[i].Str))
		}
		sort.Strings(out)
		return out
	}
	for _, tc := range []struct {
		patterns []string
		want     string
	}{
		{[]string{"MAX*"}, "maxclients maxmemory maxmemory-clients maxmemory-eviction-tenacity maxmemory-policy maxmemory-samples"},
		{[]string{"hz", "h?", "*hz"}, "dynamic-hz hz"},
		{[]string{"HZ", "h?"}, "HZ"},
		{[]string{"slave*", "replica-priority"}, "replica-priority slave-announce-ip slave-announce-port slave-ignore-maxmemory " +
			"slave-lazy-flush slave-priority slave-read-only slave-serve-stale-data slaveof"},
		{[]string{"[st]ave"}, "save"},
		{[]string{"key-load-delay"}, "key-load-delay"}, // hidden: found by name only
		{[]string{"key-load*"}, ""},
		{[]string{"nosuch", "nosuch*"}, ""},
	} {
		if got := strings.Join(names(tc.patterns...), " "); got != tc.want {
			t.Errorf("CONFIG GET %q: got %q, want %q", tc.patterns, got, tc.want)
		}
	}
	c.do("HELLO", "3")
	if raw := c.raw("CONFIG", "GET", "maxmemory"); raw != "%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n" {
		t.Errorf("CONFIG GET in RESP3: %q", raw)
	}
}

// TestConfigSetAtomic: a CONFIG SET with one bad value changes nothing.
func TestConfigSetAtomic(t *testing.T) {
	s, addr := startTestServer(t)
	c := dialTest(t, addr)
	c.expect("-ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of "+
		"the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, "+
		"allkeys-random, noeviction\r\n", "CONFIG", "SET", "maxmemory", "1mb", "hz", "20", "maxmemory-policy", "bogus")
	o := s.cfg.load()
	if o.MaxMemory != 0 || o.Hz != 10 || o.MaxMemoryPolicy != "noeviction" {
		t.Errorf("after a failed CONFIG SET: maxmemory %d hz %d policy %s", o.MaxMemory, o.Hz, o.MaxMemoryPolicy)
	}
	c.expect("+OK\r\n", "CONFIG", "SET", "maxmemory", "1mb", "hz", "20", "maxmemory-policy", "allkeys-lfu",
		"slowlog-max-len", "3", "timeout", "30", "appendfsync", "always", "bind", "127.0.0.1")
	o = s.cfg.load()
	if o.MaxMemory != 1<<20 || o.Hz != 20 || o.MaxMemoryPolicy != "allkeys-lfu" || o.SlowlogMaxLen != 3 ||
		o.Timeout != 30*time.Second || o.AppendFsync != "always" {
		t.Errorf("after CONFIG SET: %+v", o.Tunables)
	}
	if s.opts.MaxMemory != 0 {
		t.Error("CONFIG SET changed the options the server was created with")
	}
	// An applier that fails restores every value.
	c.expect("-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.\r\n",
		"CONFIG", "SET", "hz", "30", "port", "1")
	if o := s.cfg.load(); o.Hz != 20 || o.Port != 6379 {
		t.Errorf("after a failed apply: hz %d port %d", o.Hz, o.Port)
	}
	c.expect("-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.\r\n",
		"CONFIG", "SET", "port", "1")
	c.expect("+OK\r\n", "CONFIG", "SET", "port", "6379")
}

func TestConfigSetProtected(t *testing.T) {
	o := DefaultOptions()
	if err := o.Set("enable-protected-configs", "local"); err != nil {
		t.Fatal(err)
	}
	s, addr := startTestServerOptions(t, o)
	c := dialTest(t, addr)
	dir := t.TempDir()
	c.expect("+OK\r\n", "CONFIG", "SET", "dir", dir, "dbfilename", "x.rdb")
	if got := s.cfg.load().Dir; got != dir {
		t.Errorf("dir %q, want %q", got, dir)
	}
	c.expect("-ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename\r\n",
		"CONFIG", "SET", "dbfilename", "a/b")
	c.expect("-ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory\r\n",
		"CONFIG", "SET", "hz", "30", "dir", "/nonexistent/shardis")
	if o := s.cfg.load(); o.Hz != 10 || o.Dir != dir {
		t.Errorf("after a failed apply: hz %d dir %q", o.Hz, o.Dir)
	}
}

// TestConfigConcurrent changes the configuration while other clients read
// it (run with -race).
func TestConfigConcurrent(t *testing.T) {
	_, addr := startTestServer(t)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := dialTest(t, addr)
			for i := 0; i < 50; i++ {
				switch g {
				case 0:
					c.expect("+OK\r\n", "CONFIG", "SET", "hz", fmt.Sprint(1+i%50), "maxmemory", fmt.Sprint(i), "slowlog-log-slower-than", fmt.Sprint(i%2))
				case 1:
					c.expect("+OK\r\n", "CONFIG", "SET", "maxclients", fmt.Sprint(100+i), "requirepass", "")
				case 2:
					c.do("CONFIG", "GET", "*")
				default:
					c.do("INFO", "everything")
					c.do("SLOWLOG", "GET")
				}
			}
		}()
	}
	wg.Wait()
}

func TestOptionsSet(t *testing.T) {
	o := DefaultOptions()
	for _, kv := range [][2]string{
		{"maxmemory", "1gb"}, {"MaxMemory-Policy", "ALLKEYS-LRU"}, {"port", "7001"}, {"bind", "127.0.0.1 ::1"},
		{"appendonly", "yes"}, {"appendfsync", "always"}, {"databases", "4"}, {"timeout", "5"},
		{"hz", "1000"}, {"requirepass", "pw"}, {"save", "900 1"}, {"save", "300 10"},
		{"notify-keyspace-events", "KEA"}, {"lua-time-limit", "100"}, {"list-max-ziplist-entries", "10"},
		{"proto-max-bulk-len", "2mb"}, {"enable-debug-command", "local"}, {"tls-port", "0"},
	} {
		if err := o.Set(kv[0], kv[1]); err != nil {
			t.Errorf("Set(%q, %q): %v", kv[0], kv[1], err)
		}
	}
	if o.MaxMemory != 1<<30 || o.MaxMemoryPolicy != "allkeys-lru" || o.Port != 7001 ||
		strings.Join(o.Bind, ",") != "127.0.0.1,::1" || !o.AppendOnly || o.AppendFsync != "always" ||
		o.Databases != 4 || o.Timeout != 5*time.Second || o.Hz != 500 || o.RequirePass != "pw" ||
		o.Save != "900 1 300 10" || o.NotifyKeyspaceEvents != "AKE" || o.BusyReplyThreshold != 100 ||
		o.ProtoMaxBulkLen != 2<<20 || o.EnableDebugCommand != "local" {
		t.Errorf("after Set: %+v", o)
	}
	if v, ok := o.Get("slave-priority"); !ok || v != "100" {
		t.Errorf("Get(slave-priority) = %q, %v", v, ok)
	}
	for _, tc := range []struct{ name, value, err string }{
		{"nosuch", "1", "Bad directive or wrong number of arguments"},
		{"include", "x.conf", "Bad directive or wrong number of arguments"},
		{"maxmemory", "lots", "argument must be a memory value"},
		{"appendonly", "maybe", "argument must be 'yes' or 'no'"},
		{"databases", "0", "argument must be between 1 and 2147483647 inclusive"},
		{"save", "1", "Invalid save parameters"},
		{"appenddirname", "a/b", "appenddirname can't be a path, just a dirname"},
	} {
		if err := o.Set(tc.name, tc.value); err == nil || err.Error() != tc.err {
			t.Errorf("Set(%q, %q) = %v, want %q", tc.name, tc.value, err, tc.err)
		}
	}
	if err := o.Set("nosuch", "1"); !errors.Is(err, errBadDirective) {
		t.Errorf("unknown name: %v is not errBadDirective", err)
	}
	// Options values are independent: Set on a copy leaves the original.
	a := DefaultOptions()
	b := a
	b.Set("tls-port", "6380")
	if v, _ := a.Get("tls-port"); v != "0" {
		t.Errorf("Set on a copy changed the original: tls-port %s", v)
	}
}

func TestConfigRewrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "node.toml")
	orig := "# my node\nport = 7001\nmaxmemory = \"10mb\" # inline\nbind = [\n  \"127.0.0.1\",\n]\nunknown-comment = 1\n"
	if err := os.WriteFile(path, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	o := DefaultOptions()
	o.ConfigFile = path
	o.Dir = dir // appendonly yes creates the AOF there
	_, addr := startTestServerOptions(t, o)
	c := dialTest(t, addr)
	c.expect("+OK\r\n", "CONFIG", "SET", "maxmemory", "2mb", "appendonly", "yes", "save", "", "requirepass", "a\"b")
	c.expect("+OK\r\n", "CONFIG", "REWRITE")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "# my node\nport = 6379\nmaxmemory = 2097152\nbind = [\"127.0.0.1\"]\nunknown-comment = 1\n" +
		"# Generated by CONFIG REWRITE\nappendonly = true\nrequirepass = \"a\\\"b\"\ndir = \"" + dir + "\"\nsave = \"\"\n"
	if string(got) != want {
		t.Errorf("rewritten file:\n%s\nwant:\n%s", got, want)
	}
	// The file loads back to the same values (unknown-comment aside).
	os.WriteFile(path, []byte(strings.Replace(string(got), "unknown-comment = 1\n", "", 1)), 0o600)
	back := DefaultOptions()
	if err := back.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	if back.MaxMemory != 2<<20 || !back.AppendOnly || back.Save != "" || back.RequirePass != "a\"b" {
		t.Errorf("loaded back: %+v", back)
	}
}
