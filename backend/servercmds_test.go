package backend

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/shardis/shardis/internal/resp"
)

// recordedReply is one command of a session recorded from redis-server and
// the exact bytes it replied.
type recordedReply struct {
	want string
	args []string
}

// startAdminTestServer starts a node the way the sessions were recorded
// against redis-server: defaults, with DEBUG enabled.
func startAdminTestServer(t *testing.T) string {
	t.Helper()
	o := DefaultOptions()
	o.EnableDebugCommand = "yes"
	_, addr := startTestServerOptions(t, o)
	return addr
}

// runRecorded replays a recorded session on a new connection and compares
// every reply byte for byte. A command recorded without a reply is sent
// without waiting: the next reply read must then be the next command's.
func runRecorded(t *testing.T, addr string, session []recordedReply) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	rr := resp.NewReplyReader(bufio.NewReader(nc))
	for i, r := range session {
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := nc.Write(resp.AppendCommand(nil, r.args...)); err != nil {
			if r.want == "<EOF>" {
				return
			}
			t.Fatalf("#%d %q: write: %v", i, r.args, err)
		}
		if r.want == "" {
			continue
		}
		got, err := rr.ReadRaw()
		switch {
		case r.want == "<EOF>":
			if err == nil {
				t.Errorf("#%d %q: got %q, want the connection closed", i, r.args, got)
			}
			return
		case err != nil:
			t.Fatalf("#%d %q: %v", i, r.args, err)
		case r.want != "?" && string(got) != r.want:
			t.Errorf("#%d %q:\n got %q\nwant %q", i, r.args, got, r.want)
		}
	}
}

// serverSession was recorded from redis-server 7.0.15 (started with
// --enable-debug-command yes, one connection): each command and the exact
// bytes of its reply ("" for a command that gets none, "?" for a reply not
// compared here, "<EOF>" for a closed connection).
var serverSession = []recordedReply{
	{"*0\r\n", []string{"SLOWLOG", "GET", "0"}},
	{"-ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.\r\n", []string{"SLOWLOG", "GET", "1", "2"}},
	{"-ERR count should be greater than or equal to -1\r\n", []string{"SLOWLOG", "GET", "99999999999999999999"}},
	{"-ERR count should be greater than or equal to -1\r\n", []string{"SLOWLOG", "GET", "-2"}},
	{"-ERR count should be greater than or equal to -1\r\n", []string{"SLOWLOG", "GET", "abc"}},
	{"-ERR wrong number of arguments for 'slowlog|len' command\r\n", []string{"SLOWLOG", "LEN", "x"}},
	{"+OK\r\n", []string{"SLOWLOG", "RESET"}},
	{"-ERR unknown subcommand 'BOGUS'. Try SLOWLOG HELP.\r\n", []string{"SLOWLOG", "BOGUS"}},
	{"-ERR wrong number of arguments for 'time' command\r\n", []string{"TIME", "x"}},
	{"-ERR wrong number of arguments for 'lastsave' command\r\n", []string{"LASTSAVE", "x"}},
	{"*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n", []string{"ROLE"}},
	{"-ERR wrong number of arguments for 'role' command\r\n", []string{"ROLE", "x"}},
	{"-ERR syntax error\r\n", []string{"SHUTDOWN", "foo"}},
	{"-ERR syntax error\r\n", []string{"SHUTDOWN", "NOSAVE", "SAVE"}},
	{"-ERR No shutdown in progress.\r\n", []string{"SHUTDOWN", "ABORT"}},
	{"-ERR syntax error\r\n", []string{"SHUTDOWN", "ABORT", "NOW"}},
	{"-ERR syntax error\r\n", []string{"SHUTDOWN", "now", "force", "abort"}},
	{"-ERR syntax error\r\n", []string{"SHUTDOWN", "save", "SAVE", "nosave"}},
	{"*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n", []string{"COMMAND", "INFO", "get"}},
	{"*1\r\n$1\r\na\r\n", []string{"COMMAND", "GETKEYS", "set", "a", "b"}},
	{"*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+(no subcommand)\r\n+    Return details about all Redis commands.\r\n+COUNT\r\n+    Return the total number of commands in this Redis server.\r\n+LIST\r\n+    Return a list of all commands in this Redis server.\r\n+INFO [<command-name> ...]\r\n+    Return details about multiple Redis commands.\r\n+    If no command names are given, documentation details for all\r\n+    commands are returned.\r\n+DOCS [<command-name> ...]\r\n+    Return documentation details about multiple Redis commands.\r\n+    If no command names are given, documentation details for all\r\n+    commands are returned.\r\n+GETKEYS <full-command>\r\n+    Return the keys from a full Redis command.\r\n+GETKEYSANDFLAGS <full-command>\r\n+    Return the keys and the access flags from a full Redis command.\r\n+HELP\r\n+    Prints this help.\r\n", []string{"COMMAND", "HELP"}},
	{"-ERR unknown subcommand 'BOGUS'. Try COMMAND HELP.\r\n", []string{"COMMAND", "BOGUS"}},
	{"$0\r\n\r\n", []string{"INFO", "bogus"}},
	{"$0\r\n\r\n", []string{"INFO", "bogus", "bogus2"}},
}

func TestServerCommandsSession(t *testing.T) {
	runRecorded(t, startAdminTestServer(t), serverSession)
}

func TestShutdown(t *testing.T) {
	s, err := New(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	other := dialTest(t, ln.Addr().String())
	other.expect("+PONG\r\n", "PING")
	c := dialTest(t, ln.Addr().String())
	c.expect("-ERR No shutdown in progress.\r\n", "SHUTDOWN", "ABORT")
	c.expect("-ERR syntax error\r\n", "SHUTDOWN", "NOSAVE", "SAVE")
	c.nc.Write(resp.AppendCommand(nil, "SHUTDOWN", "NOSAVE"))
	c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if b, err := c.rr.ReadRaw(); err == nil {
		t.Errorf("SHUTDOWN replied %q", b)
	}
	select {
	case err := <-served:
		if !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after SHUTDOWN")
	}
	other.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := other.nc.Read(make([]byte, 1)); err == nil {
		t.Error("another client is still connected after SHUTDOWN")
	}
	select {
	case <-s.Done():
	default:
		t.Error("Done is not closed after SHUTDOWN")
	}
}

func TestTimeLastSaveRole(t *testing.T) {
	s, addr := startTestServer(t)
	c := dialTest(t, addr)
	before := time.Now().Unix()
	v := c.do("TIME")
	sec, _ := strconv.ParseInt(string(v.Elems[0].Str), 10, 64)
	usec, _ := strconv.ParseInt(string(v.Elems[1].Str), 10, 64)
	if len(v.Elems) != 2 || sec < before || sec > time.Now().Unix() || usec < 0 || usec > 999999 {
		t.Errorf("TIME: %v", v)
	}
	c.expect(fmt.Sprintf(":%d\r\n", s.lastSave.Load()), "LASTSAVE")
	c.expect("*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n", "ROLE")
}

// TestCommandListsImplemented: COMMAND's subcommands are served, and list
// only what this node implements.
func TestCommandListsImplemented(t *testing.T) {
	_, addr := startTestServer(t)
	c := dialTest(t, addr)
	n := c.do("COMMAND", "COUNT").Int
	if all := c.do("COMMAND"); int64(len(all.Elems)) != n || n == 0 {
		t.Errorf("COMMAND lists %d commands, COUNT says %d", len(all.Elems), n)
	}
	for _, name := range []string{"config", "client", "info", "debug", "slowlog", "hello"} {
		found := false
		for _, e := range c.do("COMMAND", "LIST").Elems {
			found = found || string(e.Str) == name
		}
		if !found {
			t.Errorf("COMMAND LIST does not list %s", name)
		}
	}
	c.expect("*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update\r\n", "COMMAND", "GETKEYSANDFLAGS", "INCR", "k")
}
