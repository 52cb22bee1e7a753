package backend

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shardis/shardis/internal/command"
)

// debugSession was recorded from redis-server 7.0.15 (started with
// --enable-debug-command yes, one connection): each command and the exact
// bytes of its reply ("" for a command that gets none, "?" for a reply not
// compared here, "<EOF>" for a closed connection).
var debugSession = []recordedReply{
	{"+OK\r\n", []string{"FLUSHALL"}},
	{"+0000000000000000000000000000000000000000\r\n", []string{"DEBUG", "DIGEST"}},
	{"+OK\r\n", []string{"SET", "foo", "bar"}},
	{"+OK\r\n", []string{"SET", "n", "12345"}},
	{"+OK\r\n", []string{"SET", "big", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}},
	{"+OK\r\n", []string{"SET", "e", "1", "EX", "1000"}},
	{"+OK\r\n", []string{"SET", "s", "100"}},
	{"+OK\r\n", []string{"SET", "neg", "-5"}},
	{"+OK\r\n", []string{"SET", "f", "1.5"}},
	{"+OK\r\n", []string{"SET", "lead", "0123"}},
	{"+4dcd802acb236ecbbcd38aa1aa4249183da38b02\r\n", []string{"DEBUG", "DIGEST"}},
	{"*6\r\n+68467c70ae30376e7ce005bcc8827f5ba7fd67dc\r\n+e1cf90774e995ae03de66e8109dc5cb9d9c2dc83\r\n+58a381342a91e6ee8b65f0f4545d660a4c54a580\r\n+5279988c5d1911f474bcbbf2f0a87012d40f8459\r\n+0000000000000000000000000000000000000000\r\n+3d41d4c94e50ef4c4d595fea543c6a374ebed1e9\r\n", []string{"DEBUG", "DIGEST-VALUE", "foo", "n", "big", "e", "nokey", "s"}},
	{"*0\r\n", []string{"DEBUG", "DIGEST-VALUE"}},
	{"-ERR no such key\r\n", []string{"DEBUG", "OBJECT", "nokey"}},
	{"-ERR unknown subcommand or wrong number of arguments for 'OBJECT'. Try DEBUG HELP.\r\n", []string{"DEBUG", "OBJECT"}},
	{"-ERR unknown subcommand or wrong number of arguments for 'OBJECT'. Try DEBUG HELP.\r\n", []string{"DEBUG", "OBJECT", "a", "b"}},
	{"$6\r\nembstr\r\n", []string{"OBJECT", "ENCODING", "foo"}},
	{"$3\r\nint\r\n", []string{"OBJECT", "ENCODING", "n"}},
	{"$3\r\nraw\r\n", []string{"OBJECT", "ENCODING", "big"}},
	{"$6\r\nembstr\r\n", []string{"OBJECT", "ENCODING", "f"}},
	{"$6\r\nembstr\r\n", []string{"OBJECT", "ENCODING", "lead"}},
	{"$3\r\nint\r\n", []string{"OBJECT", "ENCODING", "neg"}},
	{":1\r\n", []string{"OBJECT", "REFCOUNT", "n"}},
	{":2147483647\r\n", []string{"OBJECT", "REFCOUNT", "s"}},
	{":1\r\n", []string{"OBJECT", "REFCOUNT", "neg"}},
	{":1\r\n", []string{"OBJECT", "REFCOUNT", "foo"}},
	{"$-1\r\n", []string{"OBJECT", "ENCODING", "nokey"}},
	{"$-1\r\n", []string{"OBJECT", "REFCOUNT", "nokey"}},
	{"-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n", []string{"OBJECT", "FREQ", "foo"}},
	{"$-1\r\n", []string{"OBJECT", "IDLETIME", "nokey"}},
	{"$-1\r\n", []string{"OBJECT", "FREQ", "nokey"}},
	{"-ERR unknown subcommand 'BOGUS'. Try OBJECT HELP.\r\n", []string{"OBJECT", "BOGUS", "foo"}},
	{"-ERR wrong number of arguments for 'object|encoding' command\r\n", []string{"OBJECT", "ENCODING"}},
	{":64\r\n", []string{"MEMORY", "USAGE", "foo"}},
	{":48\r\n", []string{"MEMORY", "USAGE", "n"}},
	{":128\r\n", []string{"MEMORY", "USAGE", "big"}},
	{":48\r\n", []string{"MEMORY", "USAGE", "s"}},
	{"$-1\r\n", []string{"MEMORY", "USAGE", "nokey"}},
	{":64\r\n", []string{"MEMORY", "USAGE", "foo", "SAMPLES", "5"}},
	{":64\r\n", []string{"MEMORY", "USAGE", "foo", "SAMPLES", "0"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"MEMORY", "USAGE", "foo", "SAMPLES", "x"}},
	{"-ERR syntax error\r\n", []string{"MEMORY", "USAGE", "foo", "SAMPLES", "-1"}},
	{"-ERR syntax error\r\n", []string{"MEMORY", "USAGE", "foo", "bar"}},
	{"-ERR syntax error\r\n", []string{"MEMORY", "USAGE", "foo", "SAMPLES"}},
	{"-ERR wrong number of arguments for 'memory|malloc-stats' command\r\n", []string{"MEMORY", "MALLOC-STATS", "x"}},
	{"+OK\r\n", []string{"MEMORY", "PURGE"}},
	{"*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+ENCODING <key>\r\n+    Return the kind of internal representation used in order to store the value\r\n+    associated with a <key>.\r\n+FREQ <key>\r\n+    Return the access frequency index of the <key>. The returned integer is\r\n+    proportional to the logarithm of the recent access frequency of the key.\r\n+IDLETIME <key>\r\n+    Return the idle time of the <key>, that is the approximated number of\r\n+    seconds elapsed since the last access to the key.\r\n+REFCOUNT <key>\r\n+    Return the number of references of the value associated with the specified\r\n+    <key>.\r\n+HELP\r\n+    Prints this help.\r\n", []string{"OBJECT", "HELP"}},
	{"*14\r\n+MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+DOCTOR\r\n+    Return memory problems reports.\r\n+MALLOC-STATS\r\n+    Return internal statistics report from the memory allocator.\r\n+PURGE\r\n+    Attempt to purge dirty pages for reclamation by the allocator.\r\n+STATS\r\n+    Return information about the memory usage of the server.\r\n+USAGE <key> [SAMPLES <count>]\r\n+    Return memory in bytes used by <key> and its value. Nested values are\r\n+    sampled up to <count> times (default: 5, 0 means sample all).\r\n+HELP\r\n+    Prints this help.\r\n", []string{"MEMORY", "HELP"}},
	{"*12\r\n+SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET [<count>]\r\n+    Return top <count> entries from the slowlog (default: 10, -1 mean all).\r\n+    Entries are made of:\r\n+    id, timestamp, time in microseconds, arguments array, client IP and port,\r\n+    client name\r\n+LEN\r\n+    Return the length of the slowlog.\r\n+RESET\r\n+    Reset the slowlog.\r\n+HELP\r\n+    Prints this help.\r\n", []string{"SLOWLOG", "HELP"}},
	{"-ERR unknown subcommand or wrong number of arguments for 'HELP'. Try DEBUG HELP.\r\n", []string{"DEBUG", "HELP", "x"}},
	{"-ERR unknown subcommand or wrong number of arguments for 'bogus'. Try DEBUG HELP.\r\n", []string{"DEBUG", "bogus"}},
	{"-hello\r\n", []string{"DEBUG", "ERROR", "hello"}},
	{"-two  lines\r\n", []string{"DEBUG", "ERROR", "two\r\nlines"}},
	{"+OK\r\n", []string{"DEBUG", "LOG", "hi"}},
	{"+OK\r\n", []string{"DEBUG", "SLEEP", "0"}},
	{"+OK\r\n", []string{"DEBUG", "SLEEP", "0.01"}},
	{"+OK\r\n", []string{"DEBUG", "SLEEP", "x"}},
	{"-ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG HELP.\r\n", []string{"DEBUG", "SLEEP"}},
	{"+OK\r\n", []string{"DEBUG", "SET-ACTIVE-EXPIRE", "1"}},
	{"-ERR unknown subcommand or wrong number of arguments for 'SET-ACTIVE-EXPIRE'. Try DEBUG HELP.\r\n", []string{"DEBUG", "SET-ACTIVE-EXPIRE"}},
	{"+OK\r\n", []string{"DEBUG", "CHANGE-REPL-ID"}},
	{"+OK\r\n", []string{"SELECT", "3"}},
	{"+OK\r\n", []string{"SET", "x", "y"}},
	{"+403e48881820846f52aedf0a8fc19787c60d79c4\r\n", []string{"DEBUG", "DIGEST"}},
	{"+OK\r\n", []string{"SELECT", "0"}},
	{"+OK\r\n", []string{"DEBUG", "POPULATE", "3"}},
	{"+OK\r\n", []string{"DEBUG", "POPULATE", "2", "pfx", "3"}},
	{"+OK\r\n", []string{"DEBUG", "POPULATE", "2", "big", "12"}},
	{"-ERR value is out of range, must be positive\r\n", []string{"DEBUG", "POPULATE", "-1"}},
	{"-ERR value is out of range, must be positive\r\n", []string{"DEBUG", "POPULATE", "x"}},
	{"-ERR value is out of range, must be positive\r\n", []string{"DEBUG", "POPULATE", "1", "p", "-1"}},
	{"-ERR unknown subcommand or wrong number of arguments for 'POPULATE'. Try DEBUG HELP.\r\n", []string{"DEBUG", "POPULATE", "1", "p", "1", "x"}},
	{"$7\r\nvalue:2\r\n", []string{"GET", "key:2"}},
	{"$3\r\nval\r\n", []string{"GET", "pfx:1"}},
	{"$12\r\nvalue:1\x00\x00\x00\x00\x00\r\n", []string{"GET", "big:1"}},
	{":15\r\n", []string{"DBSIZE"}},
	{"+aa1d32918326fe7360f595a3a396094dc0b38b15\r\n", []string{"DEBUG", "DIGEST"}},
	{"+OK\r\n", []string{"FLUSHALL"}},
	{"+0000000000000000000000000000000000000000\r\n", []string{"DEBUG", "DIGEST"}},
}

func TestDebugSession(t *testing.T) {
	requireCommands(t, "flushall", "set", "get", "select", "dbsize")
	runRecorded(t, startAdminTestServer(t), debugSession)
}

// stringSizes were recorded from redis-server 7.0.15: DEBUG OBJECT's
// serializedlength (LZF-compressed over 20 bytes) and MEMORY USAGE of a key
// named lzfN holding the value (SET).
var stringSizes = []struct {
	value      string
	serialized int64
	usage      int64
}{
	{"aaaaaaaaaaaaaaaaaaaaa", 9, 80},
	{"abcabcabcabcabcabcabcabc", 13, 80},
	{"hello world hello world hello world!", 23, 96},
	{"0123456789abcdefghij0123456789abcdefghij", 28, 96},
	{"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 16, 368},
	{"abababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababab", 17, 368},
	{"12345678901", 12, 48},
	{"-2147483648", 5, 48},
	{"2147483648", 11, 48},
	{"99999999999", 12, 48},
	{"the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog", 57, 144},
	{"kemubcrdlsbqgbcnnchcrnbsdhuusbssmbhbrejnerdsjrvfdssugldrwcsb", 61, 112},
	{"abbbbbbbaaaabbbbbaabababbaabbbbbaabbaabbbbbabbaabaabaabbbaabbbabbbbbaaaaaaaababbaabbbaabbbbbabbaaaab", 59, 160},
	{"bacaaabacaab bccc aa    cabacc babcbacaccbcbcbbb bb caac cbc ccabab bcb a caa b b ca   abbbab b cbbaaab bbacbcbcc bac  bba babbb aac aabbcaa aa cbc  bcb b a  cab abcabcbcb ba  bbb  c bccacac  a ccaabaaccabcb c b cacab acaacabaca ac cbababcabbccbc bccacaaab ", 198, 368},
	{"user:1000:session:abcdef user:1001:session:abcdef user:1002:session:abcdeg", 46, 128},
}

func TestStringSizesLikeRedis(t *testing.T) {
	requireCommands(t, "set")
	s, addr := startTestServer(t)
	c := dialTest(t, addr)
	for i, tc := range stringSizes {
		key := fmt.Sprintf("lzf%d", i)
		c.expect("+OK\r\n", "SET", key, tc.value)
		e := findEntry(s, 0, key)
		if got := s.serializedLength(e); got != tc.serialized {
			t.Errorf("serializedlength of %q = %d, want %d", tc.value, got, tc.serialized)
		}
		c.expect(fmt.Sprintf(":%d\r\n", tc.usage), "MEMORY", "USAGE", key)
	}
}

func TestJemallocSize(t *testing.T) {
	for n, want := range map[int64]int64{1: 8, 8: 8, 9: 16, 21: 32, 49: 64, 129: 160, 1004: 1024, 5004: 5120, 16385: 20480} {
		if got := jemallocSize(n); got != want {
			t.Errorf("jemallocSize(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestDebugProtected(t *testing.T) {
	const refused = "-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run " +
		"it from a local connection, otherwise you need to set this option in the configuration file, and then " +
		"restart the server.\r\n"
	for setting, want := range map[string]string{"no": refused, "local": "+OK\r\n", "yes": "+OK\r\n"} {
		o := DefaultOptions()
		o.EnableDebugCommand = setting
		o.RequirePass = "pw"
		_, addr := startTestServerOptions(t, o)
		c := dialTest(t, addr)
		if setting == "no" {
			// Refused before authentication is checked, as redis-server does.
			c.expect(refused, "DEBUG", "SLEEP", "0")
		}
		c.expect("+OK\r\n", "AUTH", "pw")
		c.expect(want, "DEBUG", "SLEEP", "0")
	}
}

// TestDebugSleepDoesNotHoldClose: a client sleeping in DEBUG SLEEP does not
// keep Close waiting.
func TestDebugSleepDoesNotHoldClose(t *testing.T) {
	o := DefaultOptions()
	o.EnableDebugCommand = "yes"
	s, addr := startTestServerOptions(t, o)
	c := dialTest(t, addr)
	c.nc.Write([]byte("DEBUG SLEEP 60\r\n"))
	start := time.Now()
	s.Close()
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Close took %v", d)
	}
}

func TestSlowlog(t *testing.T) {
	_, addr := startTestServer(t)
	c := dialTest(t, addr)
	c.expect("+OK\r\n", "CONFIG", "SET", "slowlog-log-slower-than", "0", "slowlog-max-len", "3")
	c.expect("+OK\r\n", "SLOWLOG", "RESET")
	c.expect("+OK\r\n", "CLIENT", "SETNAME", "me")
	c.expect("+OK\r\n", "CONFIG", "SET", "requirepass", "secret", "maxmemory", "0")
	c.expect("+OK\r\n", "AUTH", "secret")
	args := []string{"ECHO", strings.Repeat("x", 130)}
	c.do(args...)
	c.expect(":3\r\n", "SLOWLOG", "LEN")
	v := c.do("SLOWLOG", "GET", "-1")
	if len(v.Elems) != 3 {
		t.Fatalf("SLOWLOG GET -1: %v", v)
	}
	var got []string
	for _, e := range v.Elems {
		var a []string
		for _, x := range e.Elems[3].Elems {
			a = append(a, string(x.Str))
		}
		got = append(got, strings.Join(a, " "))
		if len(e.Elems) != 6 || string(e.Elems[4].Str) != c.nc.LocalAddr().String() || string(e.Elems[5].Str) != "me" {
			t.Errorf("entry %v", e)
		}
	}
	want := []string{
		"SLOWLOG LEN",
		"ECHO " + strings.Repeat("x", 128) + "... (2 more bytes)",
		"AUTH (redacted)",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("slow log:\n got %q\nwant %q", got, want)
	}
	if first, last := v.Elems[0].Elems[0].Int, v.Elems[2].Elems[0].Int; first != last+2 {
		t.Errorf("ids %d..%d", last, first)
	}
	c.expect("*0\r\n", "SLOWLOG", "GET", "0")
	if n := len(c.do("SLOWLOG", "GET", "1").Elems); n != 1 {
		t.Errorf("SLOWLOG GET 1: %d entries", n)
	}
	many := []string{"DEL"}
	for i := 0; i < 40; i++ {
		many = append(many, fmt.Sprint(i))
	}
	c.do(many...)
	e := c.do("SLOWLOG", "GET", "1").Elems[0].Elems[3].Elems
	if len(e) != 32 || string(e[31].Str) != "... (10 more arguments)" || string(e[30].Str) != "29" {
		t.Errorf("a long command is logged as %v", e)
	}
	c.expect("+OK\r\n", "CONFIG", "SET", "slowlog-log-slower-than", "-1")
	c.expect("+OK\r\n", "SLOWLOG", "RESET")
	c.do("PING")
	c.expect(":0\r\n", "SLOWLOG", "LEN")
}

func TestSlowlogRedaction(t *testing.T) {
	cmd := func(name string) *command.Command {
		c := command.LookupFullName([]byte(name))
		if c == nil {
			t.Fatalf("no command %s", name)
		}
		return c
	}
	for _, tc := range []struct {
		cmd  string
		args string
		want string
	}{
		{"auth", "AUTH pw", "AUTH (redacted)"},
		{"auth", "AUTH u pw", "AUTH (redacted) (redacted)"},
		{"hello", "HELLO 3 SETNAME x AUTH u pw", "HELLO 3 SETNAME x AUTH (redacted) (redacted)"},
		{"config|set", "CONFIG SET hz 5 masterauth x requirepass y", "CONFIG SET hz 5 masterauth (redacted) requirepass (redacted)"},
		{"migrate", "MIGRATE h 1 k 0 10 AUTH2 u p", "MIGRATE h 1 k 0 10 AUTH2 (redacted) (redacted)"},
		{"migrate", "MIGRATE h 1 k 0 10 COPY AUTH p", "MIGRATE h 1 k 0 10 COPY AUTH (redacted)"},
	} {
		words := strings.Split(tc.args, " ")
		var args [][]byte
		for _, w := range words {
			args = append(args, []byte(w))
		}
		for j := range words {
			if slowlogRedacted(cmd(tc.cmd), args, j) {
				words[j] = "(redacted)"
			}
		}
		if got := strings.Join(words, " "); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.args, got, tc.want)
		}
	}
}
