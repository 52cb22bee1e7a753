package proxy

import (
	"strconv"

	"github.com/shardis/shardis/internal/command"
	"github.com/shardis/shardis/internal/resp"
	"github.com/shardis/shardis/topology"
)

// Commands whose keys may span slots: the proxy sends each shard the part
// of the request for its keys and merges the replies in the client's key
// order, where Redis Cluster would answer CROSSSLOT.
var (
	cmdMGET   = command.Lookup([]byte("mget"))
	cmdMSET   = command.Lookup([]byte("mset"))
	cmdDEL    = command.Lookup([]byte("del"))
	cmdUNLINK = command.Lookup([]byte("unlink"))
	cmdEXISTS = command.Lookup([]byte("exists"))
	cmdTOUCH  = command.Lookup([]byte("touch"))
)

// splitKind returns the item kind a split of cmd merges into, or 0 when
// cmd is not split.
func splitKind(cmd *command.Command) uint8 {
	switch cmd {
	case cmdMGET:
		return itemMGET
	case cmdMSET:
		return itemOK
	case cmdDEL, cmdUNLINK, cmdEXISTS, cmdTOUCH:
		return itemSum
	}
	return 0
}

// split adds one call per shard (per slot in front of a Redis Cluster)
// among the request's keys, in the order the
// shards first appear; each call carries its keys (and MSET's values) in
// the client's order and remembers their positions for the merge.
func (ss *session) split(rt *routes, kind uint8, cmd *command.Command, args [][]byte, keys []int) {
	step := 1
	if kind == itemOK {
		step = 2
		if len(args)%2 == 0 {
			// MSET's last key has no value (redis-server checks this
			// before it runs MSET).
			ss.fail(command.ArityError(cmd))
			return
		}
	}
	first := ss.ncalls
	// groups[i] is the group of keys[i], -1 once it has been placed: its
	// shard, or its slot in front of a Redis Cluster, whose nodes refuse
	// keys of several slots in one command.
	bySlot := ss.srv.config().RedisCluster != nil
	var groupsBuf [64]int
	groups := groupsBuf[:0]
	for _, k := range keys {
		slot := topology.Slot(args[k])
		if rt.m.ShardIndex(slot) < 0 {
			ss.ncalls = first
			ss.fail(errNoOwner)
			return
		}
		if bySlot {
			groups = append(groups, slot)
		} else {
			groups = append(groups, rt.m.ShardIndex(slot))
		}
	}
	for i := range keys {
		g := groups[i]
		if g < 0 {
			continue
		}
		n := 0
		for j := i; j < len(keys); j++ {
			if groups[j] == g {
				n++
			}
		}
		sh := g
		if bySlot {
			sh = rt.m.ShardIndex(g)
		}
		c := ss.newCall()
		c.shard = sh
		c.write = cmd.Has(command.Write)
		c.link = rt.pools[sh].pick(ss.proto, ss.id)
		c.req = appendHeader(c.req[:0], '*', 1+n*step)
		c.req = appendBulk(c.req, args[0])
		for j := i; j < len(keys); j++ {
			if groups[j] != g {
				continue
			}
			for s := range step {
				c.req = appendBulk(c.req, args[keys[j]+s])
			}
			c.pos = append(c.pos, j)
			groups[j] = -1
		}
	}
	ss.items = append(ss.items, item{kind: kind, first: first, n: ss.ncalls - first, nkeys: len(keys)})
}

func appendHeader(dst []byte, prefix byte, n int) []byte {
	dst = append(dst, prefix)
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, '\r', '\n')
}

func appendBulk(dst, b []byte) []byte {
	dst = appendHeader(dst, '$', len(b))
	dst = append(dst, b...)
	return append(dst, '\r', '\n')
}

// merge writes the reply of a split request. If a part failed (an error
// reply, or a node that is down), the client gets that part's error.
func (ss *session) merge(it *item) {
	calls := ss.calls[it.first : it.first+it.n]
	for _, c := range calls {
		if len(c.reply) > 0 && c.reply[0] == '-' {
			ss.w.WriteRaw(c.reply)
			return
		}
	}
	switch it.kind {
	case itemOK:
		ss.w.WriteOK()
	case itemSum:
		var sum int64
		for _, c := range calls {
			v, _, err := resp.ParseReply(c.reply)
			if err != nil || v.Type != ':' {
				ss.w.WriteError("ERR unexpected reply from a node: " + trimReply(c.reply))
				return
			}
			sum += v.Int
		}
		ss.w.WriteInt(sum)
	case itemMGET:
		ss.elems = ss.elems[:0]
		for range it.nkeys {
			ss.elems = append(ss.elems, nil)
		}
		for _, c := range calls {
			b := c.reply
			n, hdr, ok := aggregateLen(b)
			if !ok || n != len(c.pos) {
				ss.w.WriteError("ERR unexpected reply from a node: " + trimReply(c.reply))
				return
			}
			b = b[hdr:]
			for _, p := range c.pos {
				e := skipValue(b)
				if e <= 0 {
					ss.w.WriteError("ERR unexpected reply from a node")
					return
				}
				ss.elems[p] = b[:e]
				b = b[e:]
			}
		}
		ss.w.WriteArrayLen(it.nkeys)
		for _, e := range ss.elems {
			ss.w.WriteRaw(e)
		}
		clear(ss.elems)
	}
}

// aggregateLen parses an array header ("*3\r\n"): the element count and
// the header's length.
func aggregateLen(b []byte) (n, hdr int, ok bool) {
	if len(b) < 4 || b[0] != '*' {
		return 0, 0, false
	}
	e := lineEnd(b)
	if e < 0 {
		return 0, 0, false
	}
	v, ok := atoi(b[1:e])
	return v, e + 2, ok
}

func lineEnd(b []byte) int {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '\r' && b[i+1] == '\n' {
			return i
		}
	}
	return -1
}

// skipValue returns the length of the complete RESP2/RESP3 value at the
// start of b, or -1 if it is malformed or incomplete.
func skipValue(b []byte) int {
	if len(b) == 0 {
		return -1
	}
	e := lineEnd(b)
	if e < 0 {
		return -1
	}
	line := e + 2
	switch b[0] {
	case '+', '-', ':', '_', '#', ',', '(':
		return line
	case '$', '=', '!':
		n, ok := atoi(b[1:e])
		if !ok {
			return -1
		}
		if n < 0 {
			return line
		}
		if line+n+2 > len(b) {
			return -1
		}
		return line + n + 2
	case '*', '~', '>', '%', '|':
		n, ok := atoi(b[1:e])
		if !ok {
			return -1
		}
		if n < 0 {
			return line
		}
		if b[0] == '%' || b[0] == '|' {
			n *= 2
		}
		off := line
		for range n {
			k := skipValue(b[off:])
			if k < 0 {
				return -1
			}
			off += k
		}
		if b[0] == '|' {
			// An attribute annotates the value after it.
			k := skipValue(b[off:])
			if k < 0 {
				return -1
			}
			off += k
		}
		return off
	}
	return -1
}

// atoi parses a decimal integer of a reply header without allocating.
func atoi(b []byte) (int, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	n := 0
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		n = n*10 + int(ch-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}
