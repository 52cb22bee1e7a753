package command

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/shardis/shardis/internal/resp"
)

// ours is Reply's answer to args, encoded in proto.
func ours(args [][]byte, proto int) []byte {
	w := resp.NewWriter(nil)
	w.SetProto(proto)
	Reply(w, args, nil)
	return append([]byte(nil), w.Bytes()...)
}

// golden compares Reply with redis-server for one request, after norm (when
// not nil) has put what Redis leaves unordered in a fixed order.
func golden(t *testing.T, rc *redisConn, proto int, args [][]byte, norm func(*node)) {
	t.Helper()
	want := rc.doBytes(args)
	got := ours(args, proto)
	if norm != nil {
		wn, gn := mustParse(t, want), mustParse(t, got)
		norm(wn)
		norm(gn)
		want, got = wn.bytes(), gn.bytes()
	}
	if !bytes.Equal(want, got) {
		i := firstDiff(want, got)
		t.Errorf("RESP%d %q: differ at byte %d:\nredis: %s\nours:  %s", proto, args, i, clip(want[i:]), clip(got[min(i, len(got)):]))
	}
}

func clip(b []byte) string {
	s := fmt.Sprintf("%q", b)
	if len(s) > 300 {
		return s[:300] + " ..."
	}
	return s
}

// firstDiff helps read a long mismatch.
func firstDiff(a, b []byte) int {
	for i := range a {
		if i >= len(b) || a[i] != b[i] {
			return i
		}
	}
	return len(a)
}

// allNames are every command's and subcommand's names.
func allNames() []string {
	var names []string
	for _, c := range All() {
		names = append(names, c.Name)
		for _, s := range c.Subcommands {
			names = append(names, s.Name)
		}
	}
	return names
}

func protos(t *testing.T, f func(t *testing.T, rc *redisConn, proto int)) {
	addr := startRedis(t)
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			f(t, dialRedis(t, addr, proto), proto)
		})
	}
}

func TestGoldenInfoAndDocs(t *testing.T) {
	protos(t, func(t *testing.T, rc *redisConn, proto int) {
		normInfos := func(n *node) {
			for _, e := range n.elems {
				normInfo(e)
			}
		}
		normDocsMap := func(n *node) {
			for i := 1; i < len(n.elems); i += 2 {
				normDocs(n.elems[i])
			}
		}
		for _, name := range allNames() {
			golden(t, rc, proto, bargs("COMMAND", "INFO", name), normInfos)
			golden(t, rc, proto, bargs("COMMAND", "DOCS", name), normDocsMap)
			upper := strings.ToUpper(name)
			golden(t, rc, proto, bargs("command", "info", upper), normInfos)
			golden(t, rc, proto, bargs("command", "docs", upper), normDocsMap)
		}
		// Several names, unknown ones, odd spellings.
		for _, names := range [][]string{
			{"get", "set", "nosuch", "config|get", "CONFIG|GET"},
			{""}, {"|"}, {"get|"}, {"config|"}, {"|get"}, {"config|get|x"}, {"get|x"},
			{"config|nosuch"}, {"get\x00"}, {"get", "get"},
		} {
			golden(t, rc, proto, bargs(append([]string{"COMMAND", "INFO"}, names...)...), normInfos)
			golden(t, rc, proto, bargs(append([]string{"COMMAND", "DOCS"}, names...)...), normDocsMap)
		}
		// Everything: Redis lists commands in its hash table's order.
		sortInfos := func(n *node) { normInfos(n); n.sortElems() }
		golden(t, rc, proto, bargs("COMMAND"), sortInfos)
		golden(t, rc, proto, bargs("COMMAND", "INFO"), sortInfos)
		golden(t, rc, proto, bargs("COMMAND", "DOCS"), func(n *node) { normDocsMap(n); n.sortPairs() })
	})
}

func TestGoldenCountListHelpErrors(t *testing.T) {
	protos(t, func(t *testing.T, rc *redisConn, proto int) {
		sorted := func(n *node) { n.sortElems() }
		for _, args := range [][]string{
			{"COMMAND", "COUNT"},
			{"COMMAND", "HELP"},
			{"command", "help"},
			{"COMMAND", "LIST"},
			{"COMMAND", "LIST", "FILTERBY", "ACLCAT", "read"},
			{"COMMAND", "LIST", "FILTERBY", "aclcat", "DANGEROUS"},
			{"COMMAND", "LIST", "FILTERBY", "ACLCAT", "@read"},
			{"COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"},
			{"COMMAND", "LIST", "FILTERBY", "MODULE", "nosuch"},
			{"COMMAND", "LIST", "FILTERBY", "PATTERN", "*"},
			{"COMMAND", "LIST", "FILTERBY", "PATTERN", "conf*"},
			{"COMMAND", "LIST", "FILTERBY", "PATTERN", "CONFIG|*"},
			{"COMMAND", "LIST", "FILTERBY", "PATTERN", "*|get"},
			{"COMMAND", "LIST", "FILTERBY", "PATTERN", "?et"},
			{"COMMAND", "LIST", "FILTERBY", "PATTERN", "[a-c]*"},
			{"COMMAND", "LIST", "FILTERBY", "PATTERN", "[^a-x]*"},
			{"COMMAND", "LIST", "FILTERBY", "PATTERN", "[z-x]*"},
			{"COMMAND", "LIST", "FILTERBY", "PATTERN", "*[\\|]*"},
			{"COMMAND", "LIST", "FILTERBY", "PATTERN", "g\\et"},
			{"COMMAND", "LIST", "FILTERBY", "PATTERN", "get["},
			{"COMMAND", "LIST", "FILTERBY", "PATTERN", "*e*e*e*"},
			{"COMMAND", "LIST", "FILTERBY", "PATTERN", ""},
			{"COMMAND", "LIST", "FILTERBY", "PATTERN", "x", "FILTERBY", "ACLCAT", "read"},
			{"COMMAND", "LIST", "FILTERBY", "PATTERN"},
			{"COMMAND", "LIST", "FILTERBY", "nosuch", "x"},
			{"COMMAND", "LIST", "FILTERBY", "PATTERN", "x", "y"},
			{"COMMAND", "LIST", "nosuch"},
			{"COMMAND", "COUNT", "x"},
			{"COMMAND", "HELP", "x"},
			{"COMMAND", "GETKEYS"},
			{"COMMAND", "GETKEYS", "GET"},
			{"COMMAND", "GETKEYSANDFLAGS", "x"},
			{"COMMAND", "NOSUCH"},
			{"command", "nosuch", "a"},
			{"CoMmAnD", "x\x00y"},
			{"COMMAND", strings.Repeat("x", 200)},
		} {
			golden(t, rc, proto, bargs(args...), sorted)
		}
	})
}

// getkeysCases are requests whose keys COMMAND GETKEYS finds, movable keys
// and error cases above all.
var getkeysCases = [][]string{
	{"GET", "k"},
	{"get", "k", "x"},
	{"SET", "k", "v"},
	{"SET", "k", "v", "GET"},
	{"SET", "k", "v", "get\x00x"},
	{"MSET", "a", "1", "b", "2"},
	{"MSET", "a", "1", "b"},
	{"MGET", "a", "b", "c"},
	{"DEL", "a", "b"},
	{"EVAL", "s", "0"},
	{"EVAL", "s", "2", "a", "b", "c"},
	{"EVAL", "s", "3", "a", "b"},
	{"EVAL", "s", "-1", "a"},
	{"EVAL", "s", "x", "a"},
	{"EVAL", "s", "1abc", "a"},
	{"EVAL", "s", " 1", "a"},
	{"EVAL", "s", "01", "a"},
	{"EVAL", "s", "+1", "a"},
	{"EVAL", "s", "4294967297", "a"},
	{"EVALSHA", "sha", "1", "a"},
	{"EVAL_RO", "s", "1", "a"},
	{"FCALL", "f", "2", "a", "b"},
	{"FCALL_RO", "f", "0"},
	{"ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"},
	{"ZUNIONSTORE", "d", "3", "a", "b"},
	{"ZUNIONSTORE", "d", "2abc", "a", "b"},
	{"ZUNIONSTORE", "d", "0", "a"},
	{"ZINTERSTORE", "d", "1", "a"},
	{"ZDIFFSTORE", "d", "2", "a", "b"},
	{"ZUNION", "2", "a", "b", "WITHSCORES"},
	{"ZINTER", "1", "a"},
	{"ZDIFF", "3", "a", "b"},
	{"ZINTERCARD", "2", "a", "b", "LIMIT", "1"},
	{"SINTERCARD", "2", "a", "b"},
	{"SINTERCARD", "x", "a", "b"},
	{"LMPOP", "2", "a", "b", "LEFT"},
	{"LMPOP", "5", "a", "b", "LEFT"},
	{"BLMPOP", "0", "2", "a", "b", "LEFT"},
	{"ZMPOP", "1", "a", "MIN"},
	{"BZMPOP", "0", "1", "a", "MIN"},
	{"SORT", "k"},
	{"SORT", "k", "STORE", "d"},
	{"SORT", "k", "STORE", "d1", "STORE", "d2"},
	{"SORT", "k", "BY", "store", "STORE", "d"},
	{"SORT", "k", "LIMIT", "0", "store", "STORE", "d"},
	{"SORT", "k", "GET", "#", "STORE"},
	{"SORT_RO", "k", "BY", "x"},
	{"MIGRATE", "h", "6379", "k", "0", "100"},
	{"MIGRATE", "h", "6379", "", "0", "100", "KEYS", "a", "b"},
	{"MIGRATE", "h", "6379", "", "0", "100", "COPY", "REPLACE", "KEYS", "a", "b"},
	{"MIGRATE", "h", "6379", "k", "0", "100", "KEYS", "a", "b"},
	{"MIGRATE", "h", "6379", "", "0", "100", "KEYS"},
	{"MIGRATE", "h", "6379", "", "0", "100", "AUTH", "keys", "KEYS", "a"},
	{"GEORADIUS", "k", "0", "0", "1", "km"},
	{"GEORADIUS", "k", "0", "0", "1", "km", "STORE", "d"},
	{"GEORADIUS", "k", "0", "0", "1", "km", "STOREDIST", "d"},
	{"GEORADIUS", "k", "0", "0", "1", "km", "STORE", "d1", "STOREDIST", "d2"},
	{"GEORADIUS", "k", "0", "0", "1", "km", "STORE"},
	{"GEORADIUSBYMEMBER", "k", "m", "1", "km", "STORE", "d"},
	{"GEORADIUS_RO", "k", "0", "0", "1", "km"},
	{"GEOSEARCHSTORE", "d", "s", "FROMMEMBER", "m", "BYRADIUS", "1", "km"},
	{"XREAD", "STREAMS", "a", "b", "0", "0"},
	{"XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "a", "0"},
	{"XREAD", "STREAMS", "a", "b", "0"},
	{"XREAD", "COUNT", "1", "STREAMS"},
	{"XREAD", "COUNT", "STREAMS", "STREAMS", "a", "0"},
	{"XREAD", "a", "b", "c"},
	{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", "0"},
	{"XREADGROUP", "GROUP", "STREAMS", "c", "STREAMS", "a", "0"},
	{"XREADGROUP", "GROUP", "g", "c", "NOACK", "STREAMS", "a", "b", "0", "0"},
	{"BITFIELD", "k", "GET", "u8", "0"},
	{"BITFIELD", "k", "GET", "u8"},
	{"BITFIELD", "k", "SET", "u8", "0", "1"},
	{"BITFIELD_RO", "k", "GET", "u8", "0"},
	{"BLPOP", "a", "b", "0"},
	{"BRPOPLPUSH", "a", "b", "0"},
	{"LMOVE", "a", "b", "LEFT", "RIGHT"},
	{"RENAME", "a", "b"},
	{"OBJECT", "ENCODING", "k"},
	{"object", "freq", "k"},
	{"XINFO", "STREAM", "k"},
	{"XINFO", "STREAM", "k", "FULL"},
	{"XGROUP", "CREATE", "k", "g", "$"},
	{"MEMORY", "USAGE", "k"},
	{"CONFIG", "GET", "x"},
	{"CONFIG"},
	{"CONFIG", "NOSUCH"},
	{"PUBLISH", "ch", "m"},
	{"SPUBLISH", "ch", "m"},
	{"SSUBSCRIBE", "ch"},
	{"PING"},
	{"NOSUCH", "a"},
	{"WATCH", "a", "b"},
	{"PFCOUNT", "a", "b"},
	{"PFMERGE", "d", "a", "b"},
	{"LCS", "a", "b"},
	{"COPY", "a", "b", "DB", "1"},
	{"SMOVE", "a", "b", "m"},
	{"SINTERSTORE", "d", "a", "b"},
	{"BITOP", "AND", "d", "a", "b"},
	{"BZPOPMIN", "a", "b", "0"},
	{"XADD", "k", "*", "f", "v"},
	{"TOUCH", "a"},
	{"EXISTS", "a", "b", "c"},
	{"RESTORE", "k", "0", "x"},
	{"GETEX", "k", "EX", "1"},
	{"COMMAND", "INFO", "get"},
	{"SUNIONSTORE", "d"},
}

func TestGoldenGetkeys(t *testing.T) {
	protos(t, func(t *testing.T, rc *redisConn, proto int) {
		for _, c := range getkeysCases {
			golden(t, rc, proto, bargs(append([]string{"COMMAND", "GETKEYS"}, c...)...), nil)
			golden(t, rc, proto, bargs(append([]string{"COMMAND", "GETKEYSANDFLAGS"}, c...)...), nil)
		}
	})
}

// TestGoldenGetkeysRandom asks both for the keys of random requests to every
// command: lengths around the arity, words that key-finding reacts to.
func TestGoldenGetkeysRandom(t *testing.T) {
	addr := startRedis(t)
	rc := dialRedis(t, addr, 2)
	vocab := []string{"k1", "k2", "k3", "0", "1", "2", "3", "-1", "", "2x", " 1",
		"STORE", "STOREDIST", "STREAMS", "KEYS", "GET", "BY", "LIMIT", "COUNT",
		"BLOCK", "GROUP", "NOACK", "get", "streams", "keys"}
	rnd := rand.New(rand.NewSource(1))
	n := 40
	if s := os.Getenv("SHARDIS_GETKEYS_ROUNDS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	if testing.Short() {
		n = 5
	}
	for _, name := range allNames() {
		c := LookupFullName([]byte(name))
		if !c.hasKeys() {
			continue
		}
		prefix := strings.Split(name, "|")
		minArgs := c.Arity
		if minArgs < 0 {
			minArgs = -minArgs
		}
		for i := 0; i < n; i++ {
			argc := minArgs
			if c.Arity < 0 {
				argc += rnd.Intn(7)
			}
			args := append([]string{"COMMAND", "GETKEYSANDFLAGS"}, prefix...)
			for len(args)-2 < argc {
				args = append(args, vocab[rnd.Intn(len(vocab))])
			}
			golden(t, rc, 2, bargs(args...), nil)
		}
	}
}

// TestGoldenGenericErrors checks the errors Redis gives before running a
// command: unknown command, unknown subcommand, wrong arity.
func TestGoldenGenericErrors(t *testing.T) {
	addr := startRedis(t)
	rc := dialRedis(t, addr, 2)
	check := func(args [][]byte, got string) {
		t.Helper()
		want := rc.doBytes(args)
		if string(want) != "-"+got+"\r\n" {
			t.Errorf("%q:\nredis: %q\nours:  %q", args, want, "-"+got+"\r\n")
		}
	}
	long := strings.Repeat("x", 200)
	for _, args := range [][]string{
		{"nosuch"},
		{"nosuch", "a", "b"},
		{long, long},
		{"nosuch", strings.Repeat("y", 50), strings.Repeat("y", 50), strings.Repeat("y", 50), "z"},
		{"nosuch", strings.Repeat("y", 126), "z"},
		{"nosuch", strings.Repeat("y", 125), "z"},
		{"nosuch", strings.Repeat("y", 124), "z", "w"},
		{"nosuch", "a\x00b", "c"},
		{"no\x00such", "c"},
		{"nosuch", "a\r\nb"},
		{"nosuch", ""},
		{"config|get", "a"},
	} {
		b := bargs(args...)
		check(b, UnknownCommandError(b))
	}
	for _, args := range [][]string{
		{"config", "nosuch"},
		{"CoNfIg", "NoSuch", "x"},
		{"xinfo", long},
		{"client", "a\x00b"},
		{"object", "a\r\nb"},
	} {
		check(bargs(args...), UnknownSubcommandError(args[0], args[1]))
	}
	// Wrong arity for every command and subcommand whose arity can be
	// missed: Redis rejects the request before running it.
	for _, name := range allNames() {
		c := LookupFullName([]byte(name))
		args := strings.Split(name, "|")
		switch {
		case c.Arity > 0:
			for len(args) <= c.Arity {
				args = append(args, "x")
			}
		case c.Arity < -len(args):
			for len(args) < -c.Arity-1 {
				args = append(args, "x")
			}
		default:
			continue
		}
		if c == Lookup([]byte("exec")) {
			// Redis turns any error rejecting EXEC into EXECABORT; that is
			// the transaction code's business, not ArityError's.
			continue
		}
		if c.ArityOK(len(args)) {
			t.Fatalf("%q fits %s's arity %d", args, name, c.Arity)
		}
		check(bargs(args...), ArityError(c))
	}
}
