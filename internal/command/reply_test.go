package command

import (
	"strings"
	"testing"

	"github.com/shardis/shardis/internal/resp"
)

func replyString(args []string, proto int, implemented func(*Command) bool) string {
	w := resp.NewWriter(nil)
	w.SetProto(proto)
	Reply(w, bargs(args...), implemented)
	return string(w.Bytes())
}

func TestReplyImplemented(t *testing.T) {
	served := map[string]bool{"get": true, "set": true, "config": true, "config|get": true, "command": true}
	impl := func(c *Command) bool { return served[c.Name] }

	if got := replyString([]string{"COMMAND", "COUNT"}, 2, impl); got != ":4\r\n" {
		t.Errorf("COUNT = %q", got)
	}
	if got := replyString([]string{"COMMAND", "LIST"}, 2, impl); !strings.HasPrefix(got, "*5\r\n") ||
		!strings.Contains(got, "config|get") || strings.Contains(got, "config|set") {
		t.Errorf("LIST = %q", got)
	}
	if got := replyString([]string{"COMMAND", "INFO", "get", "del", "config|set"}, 3, impl); !strings.HasPrefix(got, "*3\r\n*10\r\n$3\r\nget\r\n") ||
		!strings.HasSuffix(got, "_\r\n_\r\n") {
		t.Errorf("INFO = %q", got)
	}
	got := replyString([]string{"COMMAND", "INFO", "config"}, 2, impl)
	if strings.Count(got, "config|") != 1 || !strings.Contains(got, "*1\r\n*10\r\n$10\r\nconfig|get\r\n") {
		t.Errorf("INFO config does not list config|get alone: %q", got)
	}
	got = replyString([]string{"COMMAND", "DOCS", "config"}, 3, impl)
	if strings.Count(got, "config|") != 1 || !strings.Contains(got, "$11\r\nsubcommands\r\n%1\r\n$10\r\nconfig|get\r\n") {
		t.Errorf("DOCS config does not list config|get alone: %q", got)
	}
	if got := replyString([]string{"COMMAND", "DOCS", "get", "del"}, 3, impl); !strings.HasPrefix(got, "%1\r\n$3\r\nget\r\n") {
		t.Errorf("DOCS = %q", got)
	}
	if got := replyString([]string{"COMMAND", "GETKEYS", "DEL", "a"}, 2, impl); got != "-ERR Invalid command specified\r\n" {
		t.Errorf("GETKEYS of an unserved command = %q", got)
	}
	if got := replyString([]string{"COMMAND", "GETKEYS", "SET", "a", "b"}, 2, impl); got != "*1\r\n$1\r\na\r\n" {
		t.Errorf("GETKEYS = %q", got)
	}
	if got := replyString([]string{"COMMAND"}, 2, impl); !strings.HasPrefix(got, "*4\r\n") {
		t.Errorf("COMMAND = %q", got[:20])
	}
}

func TestReplyShapes(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		proto int
		want  string
	}{
		{[]string{"COMMAND", "INFO", "nosuch"}, 2, "*1\r\n$-1\r\n"},
		{[]string{"COMMAND", "INFO", "nosuch"}, 3, "*1\r\n_\r\n"},
		{[]string{"COMMAND", "DOCS", "nosuch"}, 2, "*0\r\n"},
		{[]string{"COMMAND", "DOCS", "nosuch"}, 3, "%0\r\n"},
		{[]string{"COMMAND", "NOSUCH"}, 2, "-ERR unknown subcommand 'NOSUCH'. Try COMMAND HELP.\r\n"},
		{[]string{"command", "count", "x"}, 2, "-ERR wrong number of arguments for 'command|count' command\r\n"},
		{[]string{"COMMAND", "LIST", "FILTERBY", "x", "y"}, 2, "-ERR syntax error\r\n"},
		{[]string{"COMMAND", "GETKEYSANDFLAGS", "SET", "k", "v", "GET"}, 3, "*1\r\n*2\r\n$1\r\nk\r\n~3\r\n+RW\r\n+access\r\n+update\r\n"},
		{[]string{"COMMAND", "GETKEYS", "EVAL", "s", "0"}, 2, "*0\r\n"},
		{[]string{"COMMAND", "GETKEYS", "nosuch", "x"}, 2, "-ERR Invalid command specified\r\n"},
		{[]string{"COMMAND", "INFO", "get"}, 3, "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n"},
	} {
		if got := replyString(tc.args, tc.proto, nil); got != tc.want {
			t.Errorf("RESP%d %q:\n got %q\nwant %q", tc.proto, tc.args, got, tc.want)
		}
	}
}

func BenchmarkReplyInfo(b *testing.B) {
	w := resp.NewWriter(nil)
	args := bargs("COMMAND", "INFO", "get", "set", "zadd")
	b.ReportAllocs()
	for b.Loop() {
		w.Reset(nil)
		Reply(w, args, nil)
	}
}
