package backend

import (
	"crypto/subtle"
	"net"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/shardis/shardis/internal/rawio"
)

// The server's identity in HELLO and INFO. shardis follows redis-server
// 7.0.15's behaviour, and clients and tools gate features on the version
// they are told, so that is the version it reports.
const (
	redisVersion = "7.0.15"
)

// Error replies of the connection commands.
const (
	errWrongPass  = "WRONGPASS invalid username-password pair or user is disabled."
	errAuthNoPass = "ERR AUTH <password> called without any password configured for the default user. " +
		"Are you sure your configuration is correct?"
	errClientName  = "ERR Client names cannot contain spaces, newlines or special characters."
	errHelloNoAuth = "NOAUTH HELLO must be called with the client already authenticated, otherwise the " +
		"HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP " +
		"protocol version at the same time"
	errNoSuchClient = "ERR No such client"
)

// clientResetHooks run on RESET, after the connection's own state is back
// to its defaults: other parts of the node (transactions, subscriptions,
// tracking) register here to drop their per-client state.
var clientResetHooks []func(c *Client)

// clientPubsubCounts, when set by the publish/subscribe implementation,
// reports a client's subscriptions (channels, patterns, shard channels):
// PING answers differently in subscribed mode, and CLIENT LIST and KILL
// show and filter them.
var clientPubsubCounts func(c *Client) (sub, psub, ssub int)

func (c *Client) pubsubCounts() (sub, psub, ssub int) {
	if clientPubsubCounts == nil {
		return 0, 0, 0
	}
	return clientPubsubCounts(c)
}

func init() {
	register("ping", cmdPing)
	register("echo", cmdEcho)
	register("quit", cmdQuit)
	register("reset", cmdReset)
	register("hello", cmdHello)
	register("auth", cmdAuth)
	register("client|id", cmdClientID)
	register("client|setname", cmdClientSetName)
	register("client|getname", cmdClientGetName)
	register("client|list", cmdClientList)
	register("client|info", cmdClientInfo)
	register("client|kill", cmdClientKill)
	register("client|setinfo", cmdClientSetInfo)
	register("client|no-evict", cmdClientNoEvict)
	register("client|no-touch", cmdClientNoTouch)
	register("client|reply", cmdClientReply)
	register("client|getredir", cmdClientGetRedir)
	register("client|trackinginfo", cmdClientTrackingInfo)
	register("client|help", func(c *Client, args [][]byte) { addReplyHelp(c, args, clientHelp) })
}

func cmdPing(c *Client, args [][]byte) {
	if len(args) > 2 {
		c.err("ERR wrong number of arguments for 'ping' command")
		return
	}
	if sub, psub, ssub := c.pubsubCounts(); sub+psub+ssub > 0 && c.proto.Load() == 2 {
		// RESP2 in subscribed mode: PING's reply has to look like a message.
		c.w.WriteArrayLen(2)
		c.w.WriteBulkString("pong")
		if len(args) == 2 {
			c.w.WriteBulk(args[1])
		} else {
			c.w.WriteBulkString("")
		}
		return
	}
	if len(args) == 2 {
		c.w.WriteBulk(args[1])
		return
	}
	c.w.WriteSimple("PONG")
}

func cmdEcho(c *Client, args [][]byte) { c.w.WriteBulk(args[1]) }

func cmdQuit(c *Client, args [][]byte) {
	c.w.WriteOK()
	c.closing = true
}

// cmdReset is RESET: the connection goes back to how it was when it was
// accepted (Redis's clearClientConnectionState).
func cmdReset(c *Client, args [][]byte) {
	c.reply = replyOn
	c.db = c.srv.dbs[0]
	c.dbIndex.Store(0)
	c.proto.Store(2)
	c.w.SetProto(2)
	c.mu.Lock()
	c.name = ""
	c.mu.Unlock()
	// CLIENT NO-EVICT survives RESET in Redis 7.0.
	c.authed = c.srv.cfg.requirePass() == ""
	c.r.SetAuthRequired(!c.authed)
	for _, h := range clientResetHooks {
		h(c)
	}
	c.w.WriteSimple("RESET")
}

// authenticate checks a username and password against the default user,
// the only user this node has: its password is requirepass, or any
// password when requirepass is empty (Redis's "nopass").
func (c *Client) authenticate(user, pass []byte) bool {
	if string(user) != "default" {
		return false
	}
	want := c.srv.cfg.requirePass()
	if want != "" && subtle.ConstantTimeCompare(pass, []byte(want)) != 1 {
		return false
	}
	c.authed = true
	c.r.SetAuthRequired(false)
	return true
}

func cmdAuth(c *Client, args [][]byte) {
	if len(args) > 3 {
		c.err(errSyntax)
		return
	}
	user, pass := []byte("default"), args[1]
	if len(args) == 2 {
		if c.srv.cfg.requirePass() == "" {
			c.err(errAuthNoPass)
			return
		}
	} else {
		user, pass = args[1], args[2]
	}
	if !c.authenticate(user, pass) {
		c.err(errWrongPass)
		return
	}
	c.w.WriteOK()
}

// validClientName is Redis's check for CLIENT SETNAME and HELLO SETNAME:
// printable ASCII without spaces.
func validClientName(name []byte) bool {
	for _, ch := range name {
		if ch < '!' || ch > '~' {
			return false
		}
	}
	return true
}

func (c *Client) setName(name []byte) {
	c.mu.Lock()
	c.name = string(name)
	c.mu.Unlock()
}

func (c *Client) getName() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.name
}

func cmdHello(c *Client, args [][]byte) {
	ver := int64(0)
	if len(args) >= 2 {
		v, ok := parseStrictInt(args[1])
		if !ok {
			c.err("ERR Protocol version is not an integer or out of range")
			return
		}
		if v < 2 || v > 3 {
			c.err("NOPROTO unsupported protocol version")
			return
		}
		ver = v
	}
	var user, pass, name []byte
	setName := false
	for j := 2; j < len(args); j++ {
		more := len(args) - 1 - j
		opt := string(args[j])
		switch {
		case strings.EqualFold(opt, "AUTH") && more >= 2:
			user, pass = args[j+1], args[j+2]
			j += 2
		case strings.EqualFold(opt, "SETNAME") && more >= 1:
			name, setName = args[j+1], true
			j++
		default:
			c.err("ERR Syntax error in HELLO option '" + opt + "'")
			return
		}
	}
	if user != nil && !c.authenticate(user, pass) {
		c.err(errWrongPass)
		return
	}
	if setName && !validClientName(name) {
		c.err(errClientName)
		return
	}
	if !c.authed {
		c.err(errHelloNoAuth)
		return
	}
	if setName {
		c.setName(name)
	}
	if ver != 0 {
		c.proto.Store(int32(ver))
		c.w.SetProto(int(ver))
	}
	w := c.w
	w.WriteMapLen(7)
	w.WriteBulkString("server")
	w.WriteBulkString("redis")
	w.WriteBulkString("version")
	w.WriteBulkString(redisVersion)
	w.WriteBulkString("proto")
	w.WriteInt(int64(c.proto.Load()))
	w.WriteBulkString("id")
	w.WriteInt(c.id)
	w.WriteBulkString("mode")
	if c.srv.cfg.load().ClusterEnabled {
		w.WriteBulkString("cluster")
	} else {
		w.WriteBulkString("standalone")
	}
	w.WriteBulkString("role")
	w.WriteBulkString("master")
	w.WriteBulkString("modules")
	w.WriteArrayLen(0)
}

// --- CLIENT -------------------------------------------------------------

// clientHelp is CLIENT HELP's text (Redis 7.0's).
var clientHelp = []string{
	"CACHING (YES|NO)",
	"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
	"GETREDIR",
	"    Return the client ID we are redirecting to when tracking is enabled.",
	"GETNAME",
	"    Return the name of the current connection.",
	"ID",
	"    Return the ID of the current connection.",
	"INFO",
	"    Return information about the current client connection.",
	"KILL <ip:port>",
	"    Kill connection made from <ip:port>.",
	"KILL <option> <value> [<option> <value> [...]]",
	"    Kill connections. Options are:",
	"    * ADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made from the specified address",
	"    * LADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made to specified local address",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Kill connections by type.",
	"    * USER <username>",
	"      Kill connections authenticated by <username>.",
	"    * SKIPME (YES|NO)",
	"      Skip killing current connection (default: yes).",
	"LIST [options ...]",
	"    Return information about client connections. Options:",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Return clients of specified type.",
	"UNPAUSE",
	"    Stop the current client pause, resuming traffic.",
	"PAUSE <timeout> [WRITE|ALL]",
	"    Suspend all, or just write, clients for <timeout> milliseconds.",
	"REPLY (ON|OFF|SKIP)",
	"    Control the replies sent to the current connection.",
	"SETNAME <name>",
	"    Assign the name <name> to the current connection.",
	"UNBLOCK <clientid> [TIMEOUT|ERROR]",
	"    Unblock the specified blocked client.",
	"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
	"         [OPTIN] [OPTOUT] [NOLOOP]",
	"    Control server assisted client side caching.",
	"TRACKINGINFO",
	"    Report tracking status for the current connection.",
	"NO-EVICT (ON|OFF)",
	"    Protect current client connection from eviction.",
}

// Client types, as CLIENT LIST TYPE and CLIENT KILL TYPE name them.
const (
	clientTypeNormal = iota
	clientTypeReplica
	clientTypePubsub
	clientTypeMaster
)

// clientTypeByName is Redis's getClientTypeByName; -1 for unknown names.
func clientTypeByName(name []byte) int {
	switch strings.ToLower(string(name)) {
	case "normal":
		return clientTypeNormal
	case "slave", "replica":
		return clientTypeReplica
	case "pubsub":
		return clientTypePubsub
	case "master":
		return clientTypeMaster
	}
	return -1
}

func (c *Client) clientType() int {
	if sub, psub, ssub := c.pubsubCounts(); sub+psub+ssub > 0 {
		return clientTypePubsub
	}
	return clientTypeNormal
}

// isLocal reports whether the client connected over loopback (Redis's
// islocalClient), for enable-debug-command and friends set to "local".
func (c *Client) isLocal() bool {
	switch a := c.conn.RemoteAddr().(type) {
	case *net.TCPAddr:
		return a.IP.IsLoopback()
	case *net.UnixAddr:
		return true
	}
	return false
}

// fd is the connection's file descriptor, or -1.
func (c *Client) fd() int {
	sc, ok := c.conn.(syscall.Conn)
	if !ok {
		return -1
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	rc.Control(func(f uintptr) { fd = int(f) })
	return fd
}

// appendClientInfo appends cl's CLIENT LIST line (without its newline),
// with Redis 7.0's fields. Buffer and memory figures Redis takes from its
// allocator are this node's own: it does not keep per-client query or
// output buffers the same way, so they are 0 for other clients. self is
// the client asking, whose current arguments are known.
func appendClientInfo(b []byte, cl *Client, self *Client, selfArgs [][]byte, now time.Time) []byte {
	b = append(b, "id="...)
	b = strconv.AppendInt(b, cl.id, 10)
	b = append(b, " addr="...)
	b = append(b, cl.conn.RemoteAddr().String()...)
	b = append(b, " laddr="...)
	b = append(b, cl.conn.LocalAddr().String()...)
	b = append(b, " fd="...)
	b = strconv.AppendInt(b, int64(cl.fd()), 10)
	b = append(b, " name="...)
	b = append(b, cl.getName()...)
	b = append(b, " age="...)
	b = strconv.AppendInt(b, int64(now.Sub(cl.created)/time.Second), 10)
	b = append(b, " idle="...)
	idle := (now.UnixMilli() - cl.lastSeen.Load()) / 1000
	b = strconv.AppendInt(b, max(idle, 0), 10)
	b = append(b, " flags="...)
	flags := len(b)
	sub, psub, ssub := cl.pubsubCounts()
	if sub+psub+ssub > 0 {
		b = append(b, 'P')
	}
	multi := cl.multiQueued.Load()
	if multi != 0 {
		b = append(b, 'x')
	}
	if cl.blk.blocked() {
		b = append(b, 'b')
	}
	if cl.dirtyCAS.Load() {
		b = append(b, 'd')
	}
	if cl.noEvict.Load() {
		b = append(b, 'e')
	}
	if len(b) == flags {
		b = append(b, 'N')
	}
	b = append(b, " db="...)
	b = strconv.AppendInt(b, int64(cl.dbIndex.Load()), 10)
	b = append(b, " sub="...)
	b = strconv.AppendInt(b, int64(sub), 10)
	b = append(b, " psub="...)
	b = strconv.AppendInt(b, int64(psub), 10)
	b = append(b, " ssub="...)
	b = strconv.AppendInt(b, int64(ssub), 10)
	b = append(b, " multi="...)
	b = strconv.AppendInt(b, int64(multi)-1, 10)
	b = append(b, " qbuf=0 qbuf-free=0 argv-mem="...)
	argvMem := 0
	if cl == self {
		for _, a := range selfArgs {
			argvMem += len(a)
		}
	}
	b = strconv.AppendInt(b, int64(argvMem), 10)
	b = append(b, " multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem="...)
	b = strconv.AppendInt(b, int64(2*16384+argvMem), 10)
	b = append(b, " events=r cmd="...)
	if cmd := cl.lastCmd.Load(); cmd != nil {
		b = append(b, cmd.Name...)
	} else {
		b = append(b, "NULL"...)
	}
	b = append(b, " user=default redir=-1 resp="...)
	b = strconv.AppendInt(b, int64(cl.proto.Load()), 10)
	return b
}

// clientsByID returns the connected clients sorted by ID (the order Redis
// keeps them in: the order they connected).
func (s *Server) clientsByID() []*Client {
	s.mu.Lock()
	list := make([]*Client, 0, len(s.clients))
	for _, cl := range s.clients {
		// A killed client is gone at once, as Redis frees it in CLIENT
		// KILL, though its goroutine may not have seen the shut socket yet.
		if !cl.killed.Load() {
			list = append(list, cl)
		}
	}
	s.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].id < list[j].id })
	return list
}

func (s *Server) clientByID(id int64) *Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cl := s.clients[id]; cl != nil && !cl.killed.Load() {
		return cl
	}
	return nil
}

func cmdClientID(c *Client, args [][]byte) { c.w.WriteInt(c.id) }

func cmdClientSetName(c *Client, args [][]byte) {
	if !validClientName(args[2]) {
		c.err(errClientName)
		return
	}
	c.setName(args[2])
	c.w.WriteOK()
}

func cmdClientGetName(c *Client, args [][]byte) {
	if name := c.getName(); name != "" {
		c.w.WriteBulkString(name)
		return
	}
	c.w.WriteNull()
}

func cmdClientInfo(c *Client, args [][]byte) {
	b := appendClientInfo(nil, c, c, args, time.Now())
	b = append(b, '\n')
	c.w.WriteVerbatim("txt", string(b))
}

func cmdClientList(c *Client, args [][]byte) {
	now := time.Now()
	var b []byte
	switch {
	case len(args) == 4 && strings.EqualFold(string(args[2]), "type"):
		typ := clientTypeByName(args[3])
		if typ == -1 {
			c.err("ERR Unknown client type '" + string(args[3]) + "'")
			return
		}
		for _, cl := range c.srv.clientsByID() {
			if cl.clientType() == typ {
				b = appendClientInfo(b, cl, c, args, now)
				b = append(b, '\n')
			}
		}
	case len(args) > 3 && strings.EqualFold(string(args[2]), "id"):
		ids := make([]int64, 0, len(args)-3)
		for _, a := range args[3:] {
			id, ok := parseStrictInt(a)
			if !ok {
				c.err("ERR Invalid client ID")
				return
			}
			ids = append(ids, id)
		}
		for _, id := range ids {
			if cl := c.srv.clientByID(id); cl != nil {
				b = appendClientInfo(b, cl, c, args, now)
				b = append(b, '\n')
			}
		}
	case len(args) != 2:
		c.err(errSyntax)
		return
	default:
		for _, cl := range c.srv.clientsByID() {
			b = appendClientInfo(b, cl, c, args, now)
			b = append(b, '\n')
		}
	}
	c.w.WriteVerbatim("txt", string(b))
}

// cmdClientKill is CLIENT KILL addr (the old form, which may kill the
// caller) and CLIENT KILL <filter> <value> ... (the new form, SKIPME yes by
// default). A killed client's connection is closed at once; the caller, if
// it is killed, gets its reply first.
func cmdClientKill(c *Client, args [][]byte) {
	var addr, laddr string
	var hasAddr, hasLaddr bool
	typ := -1
	var id int64
	skipme := true
	switch {
	case len(args) == 3:
		addr, hasAddr = string(args[2]), true
		skipme = false
	case len(args) > 3:
		for i := 2; i < len(args); i += 2 {
			if i+1 >= len(args) {
				c.err(errSyntax)
				return
			}
			opt, val := strings.ToLower(string(args[i])), args[i+1]
			switch opt {
			case "id":
				v, ok := parseStrictInt(val)
				if !ok || v < 1 {
					c.err("ERR client-id should be greater than 0")
					return
				}
				id = v
			case "type":
				if typ = clientTypeByName(val); typ == -1 {
					c.err("ERR Unknown client type '" + string(val) + "'")
					return
				}
			case "addr":
				addr, hasAddr = string(val), true
			case "laddr":
				laddr, hasLaddr = string(val), true
			case "user":
				if string(val) != "default" {
					c.err("ERR No such user '" + string(val) + "'")
					return
				}
			case "skipme":
				switch strings.ToLower(string(val)) {
				case "yes":
					skipme = true
				case "no":
					skipme = false
				default:
					c.err(errSyntax)
					return
				}
			default:
				c.err(errSyntax)
				return
			}
		}
	default:
		c.err(errSyntax)
		return
	}

	killed := 0
	for _, cl := range c.srv.clientsByID() {
		if hasAddr && cl.conn.RemoteAddr().String() != addr {
			continue
		}
		if hasLaddr && cl.conn.LocalAddr().String() != laddr {
			continue
		}
		if typ != -1 && cl.clientType() != typ {
			continue
		}
		if id != 0 && cl.id != id {
			continue
		}
		if cl == c && skipme {
			continue
		}
		if cl == c {
			c.closing = true
		} else {
			cl.kill()
		}
		killed++
	}
	if len(args) == 3 {
		if killed == 0 {
			c.err(errNoSuchClient)
		} else {
			c.w.WriteOK()
		}
		return
	}
	c.w.WriteInt(int64(killed))
}

// kill ends a client's connection (another's, or its own when the AOF
// failed): its goroutine sees the flag or the shut socket, exits and
// closes it. The socket is shut down rather than closed, since closing
// waits for the owner's read call, which may be the caller's own.
func (c *Client) kill() {
	c.killed.Store(true)
	rawio.Abort(c.conn)
}

// cmdClientSetInfo is CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2).
func cmdClientSetInfo(c *Client, args [][]byte) {
	if len(args) != 4 {
		replySubcommandSyntaxError(c, args)
		return
	}
	attr := string(args[2])
	lib := strings.EqualFold(attr, "lib-name")
	if !lib && !strings.EqualFold(attr, "lib-ver") {
		c.err("ERR Unrecognized option '" + attr + "'")
		return
	}
	if !validClientName(args[3]) {
		c.err("ERR " + attr + " cannot contain spaces, newlines or special characters.")
		return
	}
	c.mu.Lock()
	if lib {
		c.libName = string(args[3])
	} else {
		c.libVer = string(args[3])
	}
	c.mu.Unlock()
	c.w.WriteOK()
}

// onOffArg parses CLIENT NO-EVICT's and NO-TOUCH's argument.
func onOffArg(c *Client, b []byte) (on, ok bool) {
	switch strings.ToLower(string(b)) {
	case "on":
		return true, true
	case "off":
		return false, true
	}
	c.err(errSyntax)
	return false, false
}

func cmdClientNoEvict(c *Client, args [][]byte) {
	if on, ok := onOffArg(c, args[2]); ok {
		c.noEvict.Store(on)
		c.w.WriteOK()
	}
}

func cmdClientNoTouch(c *Client, args [][]byte) {
	if on, ok := onOffArg(c, args[2]); ok {
		c.noTouch.Store(on)
		c.w.WriteOK()
	}
}

// cmdClientReply is CLIENT REPLY ON|OFF|SKIP. OFF and SKIP have no reply;
// Client.execute leaves out the replies while they are in force.
func cmdClientReply(c *Client, args [][]byte) {
	switch strings.ToLower(string(args[2])) {
	case "on":
		c.reply = replyOn
		c.w.WriteOK()
	case "off":
		c.reply = replyOff
	case "skip":
		if c.reply != replyOff {
			c.reply = replySkip
		}
	default:
		c.err(errSyntax)
	}
}

// cmdClientGetRedir: client-side caching is off, so there is no redirect.
func cmdClientGetRedir(c *Client, args [][]byte) { c.w.WriteInt(-1) }

func cmdClientTrackingInfo(c *Client, args [][]byte) {
	c.w.WriteMapLen(3)
	c.w.WriteBulkString("flags")
	c.w.WriteSetLen(1)
	c.w.WriteBulkString("off")
	c.w.WriteBulkString("redirect")
	c.w.WriteInt(-1)
	c.w.WriteBulkString("prefixes")
	c.w.WriteArrayLen(0)
}
