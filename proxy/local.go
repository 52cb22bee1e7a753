package proxy

import (
	"cmp"
	"crypto/subtle"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shardis/shardis/internal/command"
)

// localFunc answers a request in the proxy: it writes the reply to ss.w.
// It runs on the session's goroutine after the replies of the requests
// before it have been written, so it sees their effects.
type localFunc func(ss *session, args [][]byte)

// locals are the commands the proxy answers itself, by command (a
// subcommand such as "client|list", or a container such as "cluster" for
// all of its subcommands without a handler of their own).
var locals = map[*command.Command]localFunc{}

// registerLocal makes the proxy answer the command named name (as
// LookupFullName takes it: "ping", "client|list") with h. It is called from
// init functions; an unknown name or a second handler panics.
func registerLocal(name string, h localFunc) {
	c := command.LookupFullName([]byte(name))
	if c == nil {
		panic(fmt.Sprintf("proxy: registerLocal: no command %q", name))
	}
	if _, dup := locals[c]; dup {
		panic(fmt.Sprintf("proxy: registerLocal: %q registered twice", name))
	}
	locals[c] = h
}

// localHandler returns the handler of cmd, or of its container, or nil.
func localHandler(cmd *command.Command) localFunc {
	if h := locals[cmd]; h != nil {
		return h
	}
	if cmd.Parent != nil {
		return locals[cmd.Parent]
	}
	return nil
}

// The proxy's identity in HELLO: clients gate features on the version, and
// the proxy behaves as a Redis 7.0 cluster node.
const redisVersion = "7.0.15"

// resetHooks run on RESET after the session's own state is back to its
// defaults: MULTI, pub/sub and the like register here to drop their state.
var resetHooks []func(ss *session)

func init() {
	registerLocal("ping", cmdPing)
	registerLocal("echo", func(ss *session, args [][]byte) { ss.w.WriteBulk(args[1]) })
	registerLocal("quit", cmdQuit)
	registerLocal("reset", cmdReset)
	registerLocal("hello", cmdHello)
	registerLocal("auth", cmdAuth)
	registerLocal("select", cmdSelect)
	registerLocal("client", cmdClientOther)
	registerLocal("client|id", func(ss *session, args [][]byte) { ss.w.WriteInt(ss.id) })
	registerLocal("client|setname", cmdClientSetName)
	registerLocal("client|getname", cmdClientGetName)
	registerLocal("client|info", cmdClientInfo)
	registerLocal("client|list", cmdClientList)
	registerLocal("client|help", cmdClientHelp)
}

func cmdPing(ss *session, args [][]byte) {
	if len(args) > 2 {
		ss.w.WriteError("ERR wrong number of arguments for 'ping' command")
		return
	}
	if len(args) == 2 {
		ss.w.WriteBulk(args[1])
		return
	}
	ss.w.WriteSimple("PONG")
}

// cmdQuit: the session's subscriptions end at the nodes before the +OK,
// as redis-server frees a quitting client before it runs another command:
// a PUBLISH sent after the client read +OK does not count it.
func cmdQuit(ss *session, args [][]byte) {
	ss.leavePubsub()
	ss.w.WriteOK()
	ss.closing = true
}

// cmdReset is RESET: the session goes back to how it was when it was
// accepted.
func cmdReset(ss *session, args [][]byte) {
	ss.setProto(2)
	ss.setName("")
	ss.authed = ss.srv.proxyConfig().RequirePass == ""
	ss.r.SetAuthRequired(!ss.authed)
	for _, h := range resetHooks {
		h(ss)
	}
	ss.w.WriteSimple("RESET")
}

// authenticate checks user and pass against the default user, whose
// password is the proxy's requirepass (any password when it has none).
func (ss *session) authenticate(user, pass []byte) bool {
	if string(user) != "default" {
		return false
	}
	want := ss.srv.proxyConfig().RequirePass
	if want != "" && subtle.ConstantTimeCompare(pass, []byte(want)) != 1 {
		return false
	}
	ss.authed = true
	ss.r.SetAuthRequired(false)
	return true
}

func cmdAuth(ss *session, args [][]byte) {
	if len(args) > 3 {
		ss.w.WriteError(errSyntax)
		return
	}
	user, pass := []byte("default"), args[1]
	if len(args) == 2 {
		if ss.srv.proxyConfig().RequirePass == "" {
			ss.w.WriteError(errAuthNoPass)
			return
		}
	} else {
		user, pass = args[1], args[2]
	}
	if !ss.authenticate(user, pass) {
		ss.w.WriteError(errWrongPass)
		return
	}
	ss.w.WriteOK()
}

func cmdHello(ss *session, args [][]byte) {
	ver := 0
	if len(args) >= 2 {
		v, ok := strictInt(args[1])
		if !ok {
			ss.w.WriteError("ERR Protocol version is not an integer or out of range")
			return
		}
		if v < 2 || v > 3 {
			ss.w.WriteError("NOPROTO unsupported protocol version")
			return
		}
		ver = int(v)
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
			ss.w.WriteError("ERR Syntax error in HELLO option '" + opt + "'")
			return
		}
	}
	if user != nil && !ss.authenticate(user, pass) {
		ss.w.WriteError(errWrongPass)
		return
	}
	if setName && !validClientName(name) {
		ss.w.WriteError(errClientName)
		return
	}
	if !ss.authed {
		ss.w.WriteError(errHelloNoAuth)
		return
	}
	if setName {
		ss.setName(string(name))
	}
	if ver != 0 {
		ss.setProto(ver)
	}
	w := ss.w
	w.WriteMapLen(7)
	w.WriteBulkString("server")
	w.WriteBulkString("redis")
	w.WriteBulkString("version")
	w.WriteBulkString(redisVersion)
	w.WriteBulkString("proto")
	w.WriteInt(int64(ss.proto))
	w.WriteBulkString("id")
	w.WriteInt(ss.id)
	w.WriteBulkString("mode")
	w.WriteBulkString("cluster")
	w.WriteBulkString("role")
	w.WriteBulkString("master")
	w.WriteBulkString("modules")
	w.WriteArrayLen(0)
}

// cmdSelect allows database 0 only, as a Redis Cluster node does.
func cmdSelect(ss *session, args [][]byte) {
	id, ok := strictInt(args[1])
	if !ok {
		ss.w.WriteError(errNotInteger)
		return
	}
	if id < math.MinInt32 || id > math.MaxInt32 {
		ss.w.WriteError("ERR value is out of range, value must between -2147483648 and 2147483647")
		return
	}
	if id != 0 {
		ss.w.WriteError(errSelectNotAll)
		return
	}
	ss.w.WriteOK()
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

func cmdClientSetName(ss *session, args [][]byte) {
	if !validClientName(args[2]) {
		ss.w.WriteError(errClientName)
		return
	}
	ss.setName(string(args[2]))
	ss.w.WriteOK()
}

func cmdClientGetName(ss *session, args [][]byte) {
	if name := ss.getName(); name != "" {
		ss.w.WriteBulkString(name)
		return
	}
	ss.w.WriteNull()
}

func cmdClientInfo(ss *session, args [][]byte) {
	b := appendClientInfo(nil, ss, time.Now())
	b = append(b, '\n')
	ss.w.WriteVerbatim("txt", string(b))
}

func cmdClientList(ss *session, args [][]byte) {
	if len(args) > 2 {
		if len(args) == 4 && strings.EqualFold(string(args[2]), "type") {
			switch strings.ToLower(string(args[3])) {
			case "normal":
			case "master", "replica", "slave", "pubsub":
				ss.w.WriteVerbatim("txt", "")
				return
			default:
				ss.w.WriteError("ERR Unknown client type '" + string(args[3]) + "'")
				return
			}
		} else {
			ss.w.WriteError(errSyntax)
			return
		}
	}
	ss.srv.mu.Lock()
	list := make([]*session, 0, len(ss.srv.sessions))
	for o := range ss.srv.sessions {
		list = append(list, o)
	}
	ss.srv.mu.Unlock()
	slices.SortFunc(list, func(a, b *session) int { return cmp.Compare(a.id, b.id) })
	now := time.Now()
	var b []byte
	for _, o := range list {
		b = appendClientInfo(b, o, now)
		b = append(b, '\n')
	}
	ss.w.WriteVerbatim("txt", string(b))
}

// clientHelp is CLIENT HELP's text for what the proxy answers (Redis
// 7.0's lines for those subcommands).
var clientHelp = []string{
	"GETNAME",
	"    Return the name of the current connection.",
	"ID",
	"    Return the ID of the current connection.",
	"INFO",
	"    Return information about the current client connection.",
	"LIST [options ...]",
	"    Return information about client connections. Options:",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Return clients of specified type.",
	"SETNAME <name>",
	"    Assign the name <name> to the current connection.",
}

func cmdClientHelp(ss *session, args [][]byte) {
	ss.w.WriteArrayLen(len(clientHelp) + 3)
	ss.w.WriteSimple("CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range clientHelp {
		ss.w.WriteSimple(l)
	}
	ss.w.WriteSimple("HELP")
	ss.w.WriteSimple("    Prints this help.")
}

// cmdClientOther answers the CLIENT subcommands the proxy does not run:
// they act on a connection to one node (KILL, PAUSE, TRACKING, ...), which
// a proxy's client does not have.
func cmdClientOther(ss *session, args [][]byte) {
	ss.w.WriteError("ERR CLIENT " + strings.ToUpper(string(args[1])) + " is not supported by the proxy")
}

// appendClientInfo appends ss's CLIENT LIST line (without its newline)
// with Redis 7.0's fields; the buffer and memory figures are the proxy's
// own and 0 where it keeps none.
func appendClientInfo(b []byte, ss *session, now time.Time) []byte {
	b = append(b, "id="...)
	b = strconv.AppendInt(b, ss.id, 10)
	b = append(b, " addr="...)
	b = append(b, ss.nc.RemoteAddr().String()...)
	b = append(b, " laddr="...)
	b = append(b, ss.nc.LocalAddr().String()...)
	b = append(b, " fd=-1 name="...)
	b = append(b, ss.getName()...)
	b = append(b, " age="...)
	b = strconv.AppendInt(b, int64(now.Sub(ss.created)/time.Second), 10)
	b = append(b, " idle="...)
	b = strconv.AppendInt(b, max(now.UnixMilli()-ss.idle.Load(), 0)/1000, 10)
	b = append(b, " flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0"+
		" rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd="...)
	if c := ss.lastCmd.Load(); c != nil {
		b = append(b, c.Name...)
	} else {
		b = append(b, "NULL"...)
	}
	b = append(b, " user=default redir=-1 resp="...)
	b = strconv.AppendInt(b, int64(ss.protoSeen.Load()), 10)
	return b
}

// strictInt parses an integer as Redis's string2ll does: an optional '-',
// no leading zeros, no spaces or '+', within int64.
func strictInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	digits := b
	if b[0] == '-' {
		digits = b[1:]
	}
	if len(digits) == 0 || digits[0] < '1' || digits[0] > '9' {
		return 0, false
	}
	for _, ch := range digits {
		if ch < '0' || ch > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	return v, err == nil
}
