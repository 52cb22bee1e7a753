package backend

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"time"

	"github.com/shardis/shardis/internal/command"
)

// adminState is the per-server state of the administrative commands: the
// slow log, the error statistics, the identifiers INFO reports. The zero
// value is ready; the identifiers are made on first use.
type adminState struct {
	idMu   sync.Mutex
	runID  string // INFO run_id: random, new at every start
	replID string // INFO master_replid

	slowlog slowlog
	errs    errorStats
	info    infoState
}

func (a *adminState) ids() (runID, replID string) {
	a.idMu.Lock()
	defer a.idMu.Unlock()
	if a.runID == "" {
		a.runID = randomHex40()
		a.replID = randomHex40()
	}
	return a.runID, a.replID
}

// randomHex40 is a random 40-character hexadecimal identifier, as Redis's
// run and replication IDs are.
func randomHex40() string {
	var b [20]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// addReplyHelp writes a container's HELP reply as Redis's addReplyHelp
// does: a header naming the command as the client typed it (upper-cased),
// the lines, then HELP itself; every line a simple string.
func addReplyHelp(c *Client, args [][]byte, lines []string) {
	c.w.WriteArrayLen(len(lines) + 3)
	c.w.WriteSimple(strings.ToUpper(string(args[0])) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		c.w.WriteSimple(l)
	}
	c.w.WriteSimple("HELP")
	c.w.WriteSimple("    Prints this help.")
}

// replySubcommandSyntaxError is Redis's addReplySubcommandSyntaxError, for
// a subcommand given the wrong arguments.
func replySubcommandSyntaxError(c *Client, args [][]byte) {
	sub := string(args[1])
	if len(sub) > 128 {
		sub = sub[:128]
	}
	c.err("ERR unknown subcommand or wrong number of arguments for '" + sub + "'. Try " +
		strings.ToUpper(string(args[0])) + " HELP.")
}

func init() {
	register("time", cmdTime)
	register("lastsave", cmdLastSave)
	register("role", cmdRole)
	register("shutdown", cmdShutdown)
	register("command", cmdCommand)
	if cmd := command.Lookup([]byte("command")); cmd != nil {
		for _, sub := range cmd.Subcommands {
			register(sub.Name, cmdCommand)
		}
	}
}

func cmdTime(c *Client, args [][]byte) {
	now := time.Now()
	c.w.WriteArrayLen(2)
	c.w.WriteBulkInt(now.Unix())
	c.w.WriteBulkInt(int64(now.Nanosecond() / 1000))
}

func cmdLastSave(c *Client, args [][]byte) { c.w.WriteInt(c.srv.lastSave.Load()) }

// cmdRole answers as a master with no replicas.
func cmdRole(c *Client, args [][]byte) {
	c.w.WriteArrayLen(3)
	c.w.WriteBulkString("master")
	c.w.WriteInt(0)
	c.w.WriteArrayLen(0)
}

// cmdShutdown is SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. The node
// keeps nothing that needs saving beyond its AOF, which its shutdown path
// flushes; so every valid form but ABORT stops the server at once. As
// redis-server exits, the caller gets no reply: its connection closes.
func cmdShutdown(c *Client, args [][]byte) {
	var save, nosave, flags, abort bool
	for _, a := range args[1:] {
		switch strings.ToLower(string(a)) {
		case "nosave":
			nosave, flags = true, true
		case "save":
			save, flags = true, true
		case "now", "force":
			flags = true
		case "abort":
			abort = true
		default:
			c.err(errSyntax)
			return
		}
	}
	if (abort && flags) || (save && nosave) {
		c.err(errSyntax)
		return
	}
	if abort {
		c.err("ERR No shutdown in progress.")
		return
	}
	c.srv.log.Warn().Str("client", c.conn.RemoteAddr().String()).Msg("SHUTDOWN: stopping the server")
	c.closing = true
	c.srv.shutdownFromCommand(c)
}

// shutdownFromCommand stops the server from a client's goroutine: it stops
// listening (Serve returns ErrServerClosed) and closes every other client
// once its current batch is answered. It does not wait, since the caller is
// one of the goroutines Close waits for.
func (s *Server) shutdownFromCommand(self *Client) {
	s.stop()
	s.mu.Lock()
	for _, cl := range s.clients {
		if cl != self {
			cl.closeWhenIdle()
		}
	}
	s.mu.Unlock()
}

// cmdCommand serves COMMAND and its subcommands from the command table,
// listing only what this node implements.
func cmdCommand(c *Client, args [][]byte) {
	command.Reply(c.w, args, implemented)
}
