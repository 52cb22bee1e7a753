package proxy

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shardis/shardis/internal/command"
	"github.com/shardis/shardis/internal/resp"
)

// Blocking commands.
//
// BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP and
// XREAD / XREADGROUP with BLOCK run on a node connection of the session's
// own, to the primary of the one slot of their keys (-CROSSSLOT when they
// span slots): on a link shared with other clients they would hold up
// everyone's replies. The session's earlier replies are sent first, and
// its later requests wait, so the client's pipeline keeps its order. No read
// timeout applies while a command blocks: it waits as long as its own
// timeout says (0: forever), plus the read timeout for the node to answer.
// A client that disconnects while blocked closes the dedicated connection,
// so the node forgets the blocked client and hands a later push to someone
// else. The connection is kept for the session's next blocking command or
// transaction.

func init() {
	for _, name := range []string{"blpop", "brpop", "blmove", "brpoplpush", "blmpop",
		"bzpopmin", "bzpopmax", "bzmpop", "xread", "xreadgroup"} {
		registerLocal(name, cmdBlocking)
	}
	registerLocal("wait", cmdWait)
}

// errWaitProxy answers WAIT: the proxy feeds replicas itself, in the
// background, and has no acknowledgements to count.
const errWaitProxy = "ERR WAIT is not supported by the proxy: it feeds the replicas itself, asynchronously"

func cmdWait(ss *session, args [][]byte) { ss.w.WriteError(errWaitProxy) }

// blockTimeout is how long cmd may block: forever is false when the
// timeout is 0 (block until served); ok is false when it cannot be read
// (the node will refuse the command at once).
func blockTimeout(cmd *command.Command, args [][]byte) (d time.Duration, forever, ok bool) {
	var arg []byte
	ms := false
	switch cmd.Name {
	case "blmpop", "bzmpop":
		arg = args[1]
	case "xread", "xreadgroup":
		for i := 1; i+1 < len(args); i++ {
			if strings.EqualFold(string(args[i]), "block") {
				arg = args[i+1]
				break
			}
		}
		ms = true
	default:
		arg = args[len(args)-1]
	}
	f, err := strconv.ParseFloat(string(arg), 64)
	if err != nil || !(f >= 0) { // NaN too: converted, it made a deadline in the past
		return 0, false, false
	}
	unit := float64(time.Second)
	if ms {
		unit = float64(time.Millisecond)
	}
	// A timeout past what a Duration holds (the node accepts up to
	// LLONG_MAX ms) blocks as good as forever; converted, it would wrap.
	if f == 0 || f*unit >= float64(math.MaxInt64/2) {
		return 0, true, true
	}
	return time.Duration(f * unit), false, true
}

// cmdBlocking runs a blocking command on the session's dedicated
// connection to the owner of its slot.
func cmdBlocking(ss *session, args [][]byte) {
	cmd := command.Lookup(args[0])
	if !changesConnection(cmd, args) {
		ss.route(cmd, args) // XREAD without BLOCK
		return
	}
	slot, ok, cross := ss.slotOf(cmd, args)
	if cross {
		ss.w.WriteError(errCrossSlot)
		return
	}
	if !ok {
		slot = 0 // no keys to be found: the node answers with its error
	}
	addr, owned := ss.primaryOf(slot)
	if !owned {
		ss.w.WriteError(errNoOwner)
		return
	}
	d, err := ss.dialDedicated(addr)
	if err != nil {
		ss.w.WriteError(nodeDownMsg(addr, "is unreachable ("+err.Error()+")"))
		return
	}
	to := ss.srv.timeouts()
	if err := d.send(to, resp.AppendCommandBytes(nil, args)); err != nil {
		d.close()
		ss.w.WriteError(nodeErr(addr, err))
		return
	}
	var deadline time.Time
	if wait, forever, ok := blockTimeout(cmd, args); !forever {
		deadline = time.Now().Add(wait + to.read)
		if !ok {
			deadline = time.Now().Add(to.read)
		}
	}
	// The earlier replies go out now; meanwhile pub/sub delivery (RESP3)
	// may write.
	ss.w.Flush()
	ss.unlock()
	stop := watchClient(ss.nc, d.close)
	raw, err := d.read(deadline)
	gone := stop()
	ss.lock()
	if gone {
		d.close()
		ss.closing = true
		return
	}
	if err != nil {
		d.close()
		ss.w.WriteError(nodeErr(addr, err))
		return
	}
	ss.w.WriteRaw(raw)
	ss.srv.replicateBlocking(slot, cmd, args, raw)
	ss.keep(d)
}
