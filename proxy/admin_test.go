package proxy

import (
	"context"
	"strings"
	"testing"

	"github.com/shardis/shardis/internal/resp"
)

// fakeNodes answers callAll with fixedParam replies and records what it got.
type fakeNodes struct {
	replies []resp.Value
	got     [][]string
}

func (f *fakeNodes) callAll(_ context.Context, args ...[]byte) ([]resp.Value, error) {
	var s []string
	for _, a := range args {
		s = append(s, string(a))
	}
	f.got = append(f.got, s)
	return f.replies, nil
}

func configCmd(nodes nodeCaller, proto int, args ...string) string {
	bargs := make([][]byte, len(args))
	for i, a := range args {
		bargs[i] = []byte(a)
	}
	f := &configFacts{host: "127.0.0.1", port: 7000, bind: "127.0.0.1", clients: 10000}
	return render(proto, func(w *resp.Writer) { configReply(context.Background(), w, bargs, f, nodes, nil) })
}

func TestConfigGet(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"CONFIG", "GET", "save"}, "*2\r\n$4\r\nsave\r\n$0\r\n\r\n"},
		{[]string{"config", "get", "APPENDONLY"}, "*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n"},
		{[]string{"CONFIG", "GET", "save", "appendonly", "sav*"}, "*4\r\n$4\r\nsave\r\n$0\r\n\r\n$10\r\nappendonly\r\n$2\r\nno\r\n"},
		{[]string{"CONFIG", "GET", "cluster-enabled"}, "*2\r\n$15\r\ncluster-enabled\r\n$3\r\nyes\r\n"},
		{[]string{"CONFIG", "GET", "port"}, "*2\r\n$4\r\nport\r\n$4\r\n7000\r\n"},
		{[]string{"CONFIG", "GET", "no-such-parameter"}, "*0\r\n"},
		{[]string{"CONFIG", "GET"}, "-ERR wrong number of arguments for 'config|get' command\r\n"},
		{[]string{"CONFIG"}, "-ERR wrong number of arguments for 'config' command\r\n"},
		{[]string{"CONFIG", "foo"}, "-ERR unknown subcommand 'foo'. Try CONFIG HELP.\r\n"},
		{[]string{"CONFIG", "REWRITE"}, "-ERR The server is running without a config file\r\n"},
		{[]string{"CONFIG", "RESETSTAT"}, "+OK\r\n"},
		{[]string{"CONFIG", "SET", "save"}, "-ERR wrong number of arguments for 'config|set' command\r\n"},
		{[]string{"CONFIG", "SET", "a", "b", "c"}, "-ERR syntax error\r\n"},
	} {
		if got := configCmd(nil, 2, c.args...); got != c.want {
			t.Errorf("%q = %q, want %q", c.args, got, c.want)
		}
	}
	if got := configCmd(nil, 3, "CONFIG", "GET", "appendonly"); got != "%1\r\n$10\r\nappendonly\r\n$2\r\nno\r\n" {
		t.Errorf("CONFIG GET in RESP3 = %q", got)
	}
	all := configCmd(nil, 2, "CONFIG", "GET", "cluster-*")
	for _, p := range []string{"cluster-node-timeout", "cluster-announce-ip", "cluster-require-full-coverage"} {
		if !strings.Contains(all, "\r\n"+p+"\r\n") {
			t.Errorf("CONFIG GET cluster-* lacks %s: %q", p, all)
		}
	}
	if !strings.HasPrefix(configCmd(nil, 2, "CONFIG", "HELP"), "*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET <pattern>\r\n") {
		t.Errorf("CONFIG HELP")
	}
}

func TestConfigSetGoesToEveryShard(t *testing.T) {
	ok := resp.Value{Type: '+', Str: []byte("OK")}
	nodes := &fakeNodes{replies: []resp.Value{ok, ok}}
	if got := configCmd(nodes, 2, "CONFIG", "SET", "notify-keyspace-events", "KEA"); got != "+OK\r\n" {
		t.Errorf("CONFIG SET = %q", got)
	}
	if len(nodes.got) != 1 || strings.Join(nodes.got[0], " ") != "CONFIG SET notify-keyspace-events KEA" {
		t.Errorf("sent %q", nodes.got)
	}
	bad := "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"
	nodes.replies = []resp.Value{ok, {Type: '-', Str: []byte(bad)}}
	if got := configCmd(nodes, 2, "CONFIG", "SET", "foo", "bar"); got != "-"+bad+"\r\n" {
		t.Errorf("CONFIG SET refused by a node = %q", got)
	}
}

func TestCommandAndRole(t *testing.T) {
	got := render(2, func(w *resp.Writer) {
		commandReply(w, [][]byte{[]byte("COMMAND"), []byte("GETKEYS"), []byte("MSET"), []byte("a"), []byte("1"), []byte("b"), []byte("2")}, nil)
	})
	if got != "*2\r\n$1\r\na\r\n$1\r\nb\r\n" {
		t.Errorf("COMMAND GETKEYS MSET = %q", got)
	}
	full := render(2, func(w *resp.Writer) { commandReply(w, [][]byte{[]byte("COMMAND"), []byte("COUNT")}, nil) })
	less := render(2, func(w *resp.Writer) {
		commandReply(w, [][]byte{[]byte("COMMAND"), []byte("COUNT")}, map[string]bool{"monitor": true})
	})
	if full == less || !strings.HasPrefix(less, ":") {
		t.Errorf("COMMAND COUNT: all %q, without MONITOR %q", full, less)
	}
	if got := render(2, roleReply); got != "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n" {
		t.Errorf("ROLE = %q", got)
	}
}
