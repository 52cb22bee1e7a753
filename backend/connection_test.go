package backend

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// connSessionBasics was recorded from redis-server 7.0.15 (started with
// --enable-debug-command yes, one connection): each command and the exact
// bytes of its reply ("" for a command that gets none, "?" for a reply not
// compared here, "<EOF>" for a closed connection).
var connSessionBasics = []recordedReply{
	{"+OK\r\n", []string{"FLUSHALL"}},
	{"+PONG\r\n", []string{"PING"}},
	{"$1\r\nx\r\n", []string{"PING", "x"}},
	{"-ERR wrong number of arguments for 'ping' command\r\n", []string{"PING", "x", "y"}},
	{"$2\r\nhi\r\n", []string{"ECHO", "hi"}},
	{"-ERR wrong number of arguments for 'echo' command\r\n", []string{"ECHO", "a", "b"}},
	{"-NOPROTO unsupported protocol version\r\n", []string{"HELLO", "4"}},
	{"-NOPROTO unsupported protocol version\r\n", []string{"HELLO", "0"}},
	{"-NOPROTO unsupported protocol version\r\n", []string{"HELLO", "-1"}},
	{"-ERR Protocol version is not an integer or out of range\r\n", []string{"HELLO", "abc"}},
	{"-ERR Syntax error in HELLO option 'AUTH'\r\n", []string{"HELLO", "3", "AUTH", "default"}},
	{"-ERR Client names cannot contain spaces, newlines or special characters.\r\n", []string{"HELLO", "3", "SETNAME", "a b"}},
	{"-ERR Syntax error in HELLO option 'FOO'\r\n", []string{"HELLO", "3", "FOO"}},
	{"-ERR Syntax error in HELLO option 'SETNAME'\r\n", []string{"HELLO", "2", "SETNAME"}},
	{"-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n", []string{"AUTH", "x"}},
	{"+OK\r\n", []string{"AUTH", "default", "x"}},
	{"-WRONGPASS invalid username-password pair or user is disabled.\r\n", []string{"AUTH", "bob", "x"}},
	{"-ERR syntax error\r\n", []string{"AUTH", "x", "y", "z"}},
	{"$-1\r\n", []string{"CLIENT", "GETNAME"}},
	{"-ERR Client names cannot contain spaces, newlines or special characters.\r\n", []string{"CLIENT", "SETNAME", "a b"}},
	{"-ERR Client names cannot contain spaces, newlines or special characters.\r\n", []string{"CLIENT", "SETNAME", "a\nb"}},
	{"-ERR Client names cannot contain spaces, newlines or special characters.\r\n", []string{"CLIENT", "SETNAME", "caf\xe9"}},
	{"+OK\r\n", []string{"CLIENT", "SETNAME", "ok"}},
	{"$2\r\nok\r\n", []string{"CLIENT", "GETNAME"}},
	{"+OK\r\n", []string{"CLIENT", "SETNAME", ""}},
	{"$-1\r\n", []string{"CLIENT", "GETNAME"}},
	{"-ERR syntax error\r\n", []string{"CLIENT", "NO-EVICT", "maybe"}},
	{"+OK\r\n", []string{"CLIENT", "NO-EVICT", "on"}},
	{"+OK\r\n", []string{"CLIENT", "NO-EVICT", "OFF"}},
	{"-ERR syntax error\r\n", []string{"CLIENT", "REPLY", "bogus"}},
	{"-ERR Unknown client type 'bogus'\r\n", []string{"CLIENT", "LIST", "TYPE", "bogus"}},
	{"-ERR syntax error\r\n", []string{"CLIENT", "LIST", "ID"}},
	{"-ERR Invalid client ID\r\n", []string{"CLIENT", "LIST", "ID", "1", "abc"}},
	{"$0\r\n\r\n", []string{"CLIENT", "LIST", "ID", "99999"}},
	{"-ERR syntax error\r\n", []string{"CLIENT", "LIST", "foo"}},
	{"$0\r\n\r\n", []string{"CLIENT", "LIST", "TYPE", "master"}},
	{"$0\r\n\r\n", []string{"CLIENT", "LIST", "TYPE", "pubsub"}},
	{"$0\r\n\r\n", []string{"CLIENT", "LIST", "TYPE", "replica"}},
	{"-ERR syntax error\r\n", []string{"CLIENT", "LIST", "TYPE", "normal", "x"}},
	{"-ERR No such client\r\n", []string{"CLIENT", "KILL", "1.2.3.4:5"}},
	{"-ERR client-id should be greater than 0\r\n", []string{"CLIENT", "KILL", "ID", "abc"}},
	{"-ERR client-id should be greater than 0\r\n", []string{"CLIENT", "KILL", "ID", "0"}},
	{"-ERR client-id should be greater than 0\r\n", []string{"CLIENT", "KILL", "ID", "-5"}},
	{":0\r\n", []string{"CLIENT", "KILL", "ID", "99999"}},
	{"-ERR syntax error\r\n", []string{"CLIENT", "KILL", "foo", "bar"}},
	{"-ERR Unknown client type 'bogus'\r\n", []string{"CLIENT", "KILL", "TYPE", "bogus"}},
	{":0\r\n", []string{"CLIENT", "KILL", "TYPE", "master"}},
	{"-ERR syntax error\r\n", []string{"CLIENT", "KILL", "SKIPME", "maybe"}},
	{":0\r\n", []string{"CLIENT", "KILL", "ADDR", "1.2.3.4:5"}},
	{":0\r\n", []string{"CLIENT", "KILL", "LADDR", "1.2.3.4:5"}},
	{"-ERR No such user 'nobody'\r\n", []string{"CLIENT", "KILL", "USER", "nobody"}},
	{"-ERR syntax error\r\n", []string{"CLIENT", "KILL", "ID", "99999", "SKIPME"}},
	{"-ERR wrong number of arguments for 'client|kill' command\r\n", []string{"CLIENT", "KILL"}},
	{"*48\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CACHING (YES|NO)\r\n+    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.\r\n+GETREDIR\r\n+    Return the client ID we are redirecting to when tracking is enabled.\r\n+GETNAME\r\n+    Return the name of the current connection.\r\n+ID\r\n+    Return the ID of the current connection.\r\n+INFO\r\n+    Return information about the current client connection.\r\n+KILL <ip:port>\r\n+    Kill connection made from <ip:port>.\r\n+KILL <option> <value> [<option> <value> [...]]\r\n+    Kill connections. Options are:\r\n+    * ADDR (<ip:port>|<unixsocket>:0)\r\n+      Kill connections made from the specified address\r\n+    * LADDR (<ip:port>|<unixsocket>:0)\r\n+      Kill connections made to specified local address\r\n+    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)\r\n+      Kill connections by type.\r\n+    * USER <username>\r\n+      Kill connections authenticated by <username>.\r\n+    * SKIPME (YES|NO)\r\n+      Skip killing current connection (default: yes).\r\n+LIST [options ...]\r\n+    Return information about client connections. Options:\r\n+    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)\r\n+      Return clients of specified type.\r\n+UNPAUSE\r\n+    Stop the current client pause, resuming traffic.\r\n+PAUSE <timeout> [WRITE|ALL]\r\n+    Suspend all, or just write, clients for <timeout> milliseconds.\r\n+REPLY (ON|OFF|SKIP)\r\n+    Control the replies sent to the current connection.\r\n+SETNAME <name>\r\n+    Assign the name <name> to the current connection.\r\n+UNBLOCK <clientid> [TIMEOUT|ERROR]\r\n+    Unblock the specified blocked client.\r\n+TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]\r\n+         [OPTIN] [OPTOUT] [NOLOOP]\r\n+    Control server assisted client side caching.\r\n+TRACKINGINFO\r\n+    Report tracking status for the current connection.\r\n+NO-EVICT (ON|OFF)\r\n+    Protect current client connection from eviction.\r\n+HELP\r\n+    Prints this help.\r\n", []string{"CLIENT", "HELP"}},
	{":-1\r\n", []string{"CLIENT", "GETREDIR"}},
	{"*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n", []string{"CLIENT", "TRACKINGINFO"}},
	{"-ERR wrong number of arguments for 'client|id' command\r\n", []string{"CLIENT", "ID", "x"}},
	{"+RESET\r\n", []string{"RESET"}},
	{"$-1\r\n", []string{"CLIENT", "GETNAME"}},
}

// connSessionReplyModes was recorded from redis-server 7.0.15 (started with
// --enable-debug-command yes, one connection): each command and the exact
// bytes of its reply ("" for a command that gets none, "?" for a reply not
// compared here, "<EOF>" for a closed connection).
var connSessionReplyModes = []recordedReply{
	{"", []string{"CLIENT", "REPLY", "OFF"}},
	{"", []string{"PING"}},
	{"", []string{"ECHO", "x"}},
	{"+RESET\r\n", []string{"RESET"}},
	{"", []string{"CLIENT", "REPLY", "SKIP"}},
	{"", []string{"PING"}},
	{"$1\r\nx\r\n", []string{"PING", "x"}},
	{"", []string{"CLIENT", "REPLY", "OFF"}},
	{"", []string{"CLIENT", "REPLY", "SKIP"}},
	{"", []string{"PING"}},
	{"+OK\r\n", []string{"CLIENT", "REPLY", "ON"}},
	{"$1\r\ny\r\n", []string{"PING", "y"}},
	{"", []string{"CLIENT", "REPLY", "SKIP"}},
	{"+OK\r\n", []string{"CLIENT", "REPLY", "ON"}},
	{"+OK\r\n", []string{"QUIT"}},
	{"<EOF>", []string{"PING"}},
}

// connSessionRESP3 was recorded from redis-server 7.0.15 (started with
// --enable-debug-command yes, one connection): each command and the exact
// bytes of its reply ("" for a command that gets none, "?" for a reply not
// compared here, "<EOF>" for a closed connection).
var connSessionRESP3 = []recordedReply{
	{"?", []string{"HELLO", "3"}}, // the map holds the client ID: TestHello checks it
	{"+PONG\r\n", []string{"PING"}},
	{"$1\r\nx\r\n", []string{"PING", "x"}},
	{"%3\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n", []string{"CLIENT", "TRACKINGINFO"}},
	{"_\r\n", []string{"CLIENT", "GETNAME"}},
	{"%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n", []string{"CONFIG", "GET", "maxmemory"}},
	{"%0\r\n", []string{"CONFIG", "GET", "nonexist"}},
	{"=4\r\ntxt:\r\n", []string{"INFO", "bogus"}},
	{"$11\r\nHello World\r\n", []string{"DEBUG", "PROTOCOL", "string"}},
	{":12345\r\n", []string{"DEBUG", "PROTOCOL", "integer"}},
	{",3.141\r\n", []string{"DEBUG", "PROTOCOL", "double"}},
	{"(1234567999999999999999999999999999999\r\n", []string{"DEBUG", "PROTOCOL", "bignum"}},
	{"_\r\n", []string{"DEBUG", "PROTOCOL", "null"}},
	{"*3\r\n:0\r\n:1\r\n:2\r\n", []string{"DEBUG", "PROTOCOL", "array"}},
	{"~3\r\n:0\r\n:1\r\n:2\r\n", []string{"DEBUG", "PROTOCOL", "set"}},
	{"%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n", []string{"DEBUG", "PROTOCOL", "map"}},
	{">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n", []string{"DEBUG", "PROTOCOL", "push"}},
	{"$40\r\nSome real reply following the push reply\r\n", []string{"DEBUG", "PROTOCOL", "verbatim"}},
	{"=29\r\ntxt:This is a verbatim\nstring\r\n", []string{"DEBUG", "PROTOCOL", "true"}},
	{"#t\r\n", []string{"DEBUG", "PROTOCOL", "false"}},
	{"#f\r\n", []string{"DEBUG", "PROTOCOL", "bogus"}},
	{"-ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n", []string{"OBJECT", "ENCODING", "nokey"}},
	{"_\r\n", []string{"MEMORY", "USAGE", "nokey"}},
	{"_\r\n", []string{"ROLE"}},
	{"*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n", []string{"RESET"}},
	{"+RESET\r\n", []string{"PING"}},
	{"+PONG\r\n", []string{"DEBUG", "PROTOCOL", "double"}},
	{"$5\r\n3.141\r\n", []string{"DEBUG", "PROTOCOL", "map"}},
	{"*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n", []string{"DEBUG", "PROTOCOL", "push"}},
	{"-ERR RESP2 is not supported by this command\r\n", []string{"DEBUG", "PROTOCOL", "null"}},
	{"$-1\r\n", []string{"DEBUG", "PROTOCOL", "verbatim"}},
	{"$25\r\nThis is a verbatim\nstring\r\n", []string{"DEBUG", "PROTOCOL", "attrib"}},
}

// connSessionReplyRejections was recorded from redis-server 7.0.15: CLIENT
// REPLY OFF and SKIP silence commands refused before they run too.
var connSessionReplyRejections = []recordedReply{
	{"", []string{"CLIENT", "REPLY", "OFF"}},
	{"", []string{"NOSUCH"}},
	{"", []string{"GET"}},
	{"", []string{"SET", "a", "1"}},
	{"+OK\r\n", []string{"CLIENT", "REPLY", "ON"}},
	{"", []string{"CLIENT", "REPLY", "SKIP"}},
	{"", []string{"NOSUCH"}},
	{"+PONG\r\n", []string{"PING"}},
	{"", []string{"CLIENT", "REPLY", "SKIP"}},
	{"", []string{"GET"}},
	{"$1\r\nx\r\n", []string{"ECHO", "x"}},
	{"", []string{"CLIENT", "REPLY", "OFF"}},
	{"", []string{"CLIENT", "REPLY", "SKIP"}},
	{"", []string{"GET"}},
	{"+OK\r\n", []string{"CLIENT", "REPLY", "ON"}},
}

func TestConnectionSessions(t *testing.T) {
	requireCommands(t, "flushall")
	addr := startAdminTestServer(t)
	for name, s := range map[string][]recordedReply{
		"basics": connSessionBasics, "reply modes": connSessionReplyModes, "resp3": connSessionRESP3,
		"reply modes and rejections": connSessionReplyRejections,
	} {
		t.Run(name, func(t *testing.T) { runRecorded(t, addr, s) })
	}
}

// authSession was recorded from redis-server 7.0.15 started with
// --requirepass secret.
var authSession = []recordedReply{
	{"-NOAUTH Authentication required.\r\n", []string{"PING"}},
	{"-NOAUTH Authentication required.\r\n", []string{"CLIENT", "LIST"}},
	{"-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n", []string{"HELLO"}},
	{"-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n", []string{"HELLO", "3"}},
	{"-ERR Client names cannot contain spaces, newlines or special characters.\r\n", []string{"HELLO", "3", "SETNAME", "a b"}},
	{"-WRONGPASS invalid username-password pair or user is disabled.\r\n", []string{"HELLO", "3", "AUTH", "default", "wrong", "SETNAME", "x"}},
	{"-WRONGPASS invalid username-password pair or user is disabled.\r\n", []string{"HELLO", "2", "AUTH", "bob", "secret"}},
	{"-ERR syntax error\r\n", []string{"AUTH", "x", "y", "z"}},
	{"-WRONGPASS invalid username-password pair or user is disabled.\r\n", []string{"AUTH", "wrong"}},
	{"-WRONGPASS invalid username-password pair or user is disabled.\r\n", []string{"AUTH", "bob", "secret"}},
	{"-WRONGPASS invalid username-password pair or user is disabled.\r\n", []string{"AUTH", "default", "wrong"}},
	{"-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n", []string{"DEBUG", "OBJECT", "x"}},
	{"-NOAUTH Authentication required.\r\n", []string{"CONFIG", "GET", "x"}},
	{"+OK\r\n", []string{"AUTH", "secret"}},
	{"+PONG\r\n", []string{"PING"}},
	{"+OK\r\n", []string{"CLIENT", "SETNAME", "ok"}},
	{"+RESET\r\n", []string{"RESET"}},
	{"-NOAUTH Authentication required.\r\n", []string{"PING"}},
	{"+OK\r\n", []string{"AUTH", "default", "secret"}},
	{"+PONG\r\n", []string{"PING"}},
	{"+RESET\r\n", []string{"RESET"}},
	{"?", []string{"HELLO", "2", "AUTH", "default", "secret", "SETNAME", "nm"}}, // holds the client ID
	{"$2\r\nnm\r\n", []string{"CLIENT", "GETNAME"}},
	{"+RESET\r\n", []string{"RESET"}},
	{"-ERR Client names cannot contain spaces, newlines or special characters.\r\n", []string{"HELLO", "2", "AUTH", "default", "secret", "SETNAME", "a b"}},
	{"$-1\r\n", []string{"CLIENT", "GETNAME"}},
	{"+OK\r\n", []string{"QUIT"}},
}

func TestAuthSession(t *testing.T) {
	o := DefaultOptions()
	o.RequirePass = "secret"
	_, addr := startTestServerOptions(t, o)
	runRecorded(t, addr, authSession)
}

func helloReply(proto int, id int64) string {
	head := "*14"
	if proto == 3 {
		head = "%7"
	}
	return fmt.Sprintf("%s\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:%d\r\n"+
		"$2\r\nid\r\n:%d\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n",
		head, proto, id)
}

func TestHello(t *testing.T) {
	_, addr := startTestServer(t)
	c := dialTest(t, addr)
	id := c.do("CLIENT", "ID").Int
	c.expect(helloReply(2, id), "HELLO")
	c.expect(helloReply(3, id), "HELLO", "3")
	c.expect("_\r\n", "CLIENT", "GETNAME")
	c.expect(helloReply(3, id), "HELLO")
	c.expect(helloReply(2, id), "HELLO", "2", "AUTH", "default", "anything", "SETNAME", "me")
	c.expect("$2\r\nme\r\n", "CLIENT", "GETNAME")
	c.expect(helloReply(3, id), "hello", "3")
	c.expect("+RESET\r\n", "RESET")
	c.expect("$-1\r\n", "CLIENT", "GETNAME")
}

// TestRequirePassAtRunTime: CONFIG SET requirepass applies to the next
// AUTH and to new connections; connections already authenticated stay so,
// and clearing it lets unauthenticated connections in, as in Redis.
func TestRequirePassAtRunTime(t *testing.T) {
	_, addr := startTestServer(t)
	admin := dialTest(t, addr)
	admin.expect("+OK\r\n", "CONFIG", "SET", "requirepass", "s1")
	admin.expect("+PONG\r\n", "PING")
	c := dialTest(t, addr)
	c.expect("-NOAUTH Authentication required.\r\n", "PING")
	c.expect("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "nope")
	c.expect("+OK\r\n", "AUTH", "s1")
	admin.expect("+OK\r\n", "CONFIG", "SET", "requirepass", "s2")
	c.expect("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "s1")
	c.expect("+OK\r\n", "AUTH", "default", "s2")
	d := dialTest(t, addr)
	d.expect("-NOAUTH Authentication required.\r\n", "ECHO", "x")
	admin.expect("+OK\r\n", "CONFIG", "SET", "requirepass", "")
	d.expect("$1\r\nx\r\n", "ECHO", "x")
	d.expect("-ERR AUTH <password> called without any password configured for the default user. "+
		"Are you sure your configuration is correct?\r\n", "AUTH", "s2")
}

// clientInfoFields are the fields of a CLIENT LIST line, in redis-server
// 7.0.15's order.
var clientInfoFields = []string{"id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub",
	"ssub", "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem", "tot-mem",
	"events", "cmd", "user", "redir", "resp"}

func parseClientLine(t *testing.T, line string) map[string]string {
	t.Helper()
	kv := map[string]string{}
	var names []string
	for _, f := range strings.Split(line, " ") {
		k, v, _ := strings.Cut(f, "=")
		kv[k] = v
		names = append(names, k)
	}
	if strings.Join(names, " ") != strings.Join(clientInfoFields, " ") {
		t.Errorf("client line fields:\n got %v\nwant %v", names, clientInfoFields)
	}
	return kv
}

func TestClientListInfoKill(t *testing.T) {
	_, addr := startTestServer(t)
	a := dialTest(t, addr)
	b := dialTest(t, addr)
	aID := a.do("CLIENT", "ID").Int
	bID := b.do("CLIENT", "ID").Int
	b.expect("+OK\r\n", "CLIENT", "SETNAME", "bee")
	b.expect("+OK\r\n", "CLIENT", "NO-EVICT", "on")

	info := string(a.do("CLIENT", "INFO").Str)
	if !strings.HasSuffix(info, "\n") {
		t.Errorf("CLIENT INFO %q does not end with a newline", info)
	}
	kv := parseClientLine(t, strings.TrimSuffix(info, "\n"))
	if kv["id"] != fmt.Sprint(aID) || kv["cmd"] != "client|info" || kv["flags"] != "N" || kv["resp"] != "2" ||
		kv["laddr"] != addr || kv["addr"] != a.nc.LocalAddr().String() || kv["user"] != "default" {
		t.Errorf("CLIENT INFO: %q", info)
	}

	list := string(a.do("CLIENT", "LIST").Str)
	lines := strings.Split(strings.TrimSuffix(list, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("CLIENT LIST: %q", list)
	}
	first, second := parseClientLine(t, lines[0]), parseClientLine(t, lines[1])
	if first["id"] != fmt.Sprint(aID) || second["id"] != fmt.Sprint(bID) || second["name"] != "bee" ||
		second["flags"] != "e" || second["cmd"] != "client|no-evict" {
		t.Errorf("CLIENT LIST: %q", list)
	}
	only := string(a.do("CLIENT", "LIST", "ID", fmt.Sprint(bID), "999").Str)
	if !strings.HasPrefix(only, fmt.Sprintf("id=%d ", bID)) || strings.Count(only, "\n") != 1 {
		t.Errorf("CLIENT LIST ID: %q", only)
	}

	// RESP3: a verbatim string.
	a.do("HELLO", "3")
	if raw := a.raw("CLIENT", "INFO"); !strings.HasPrefix(raw, "=") || !strings.Contains(raw, "\r\ntxt:id=") {
		t.Errorf("CLIENT INFO in RESP3: %q", raw)
	}

	a.expect(":1\r\n", "CLIENT", "KILL", "ID", fmt.Sprint(bID))
	b.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := b.nc.Read(make([]byte, 16)); err == nil {
		t.Error("the killed client's connection is still open")
	}
	// Old form: the caller may kill itself, and gets its reply first.
	a.expect("+OK\r\n", "CLIENT", "KILL", a.nc.LocalAddr().String())
	a.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := a.nc.Read(make([]byte, 16)); err == nil {
		t.Errorf("the client that killed itself still reads %d bytes", n)
	}
}

func TestClientKillFilters(t *testing.T) {
	_, addr := startTestServer(t)
	a := dialTest(t, addr)
	var others []*testConn
	for i := 0; i < 3; i++ {
		others = append(others, dialTest(t, addr))
		others[i].expect("+PONG\r\n", "PING")
	}
	a.expect(":0\r\n", "CLIENT", "KILL", "TYPE", "pubsub")
	a.expect(":1\r\n", "CLIENT", "KILL", "ADDR", others[0].nc.LocalAddr().String(), "SKIPME", "no")
	a.expect(":0\r\n", "CLIENT", "KILL", "LADDR", "127.0.0.2:1")
	// Everyone else (the connections left, not the caller).
	a.expect(":2\r\n", "CLIENT", "KILL", "TYPE", "normal", "USER", "default")
	a.expect("+PONG\r\n", "PING")
	a.expect(":1\r\n", "CLIENT", "KILL", "LADDR", addr, "SKIPME", "no")
	if _, err := a.rr.ReadRaw(); err == nil {
		t.Error("still connected after killing itself")
	}
}

func TestIsLocal(t *testing.T) {
	c := &Client{conn: fakeAddrConn{remote: &net.TCPAddr{IP: net.ParseIP("10.0.0.1"), Port: 1}}}
	if c.isLocal() {
		t.Error("10.0.0.1 is local")
	}
	c.conn = fakeAddrConn{remote: &net.TCPAddr{IP: net.ParseIP("::1"), Port: 1}}
	if !c.isLocal() {
		t.Error("::1 is not local")
	}
}

// fakeAddrConn is a net.Conn that only has addresses.
type fakeAddrConn struct {
	net.Conn
	remote net.Addr
}

func (f fakeAddrConn) RemoteAddr() net.Addr { return f.remote }
