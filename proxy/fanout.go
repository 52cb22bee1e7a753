package proxy

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/shardis/shardis/internal/command"
	"github.com/shardis/shardis/internal/resp"
)

// callShard sends one command to the primary of shard (an index into the
// slot map in force) and returns its reply. An error reply is returned as
// the Value and as a *ReplyError; a node that cannot be reached gives its
// CLUSTERDOWN reply the same way. The link's timeouts bound the wait, and
// so does ctx.
func (s *Server) callShard(ctx context.Context, shard int, args ...[]byte) (resp.Value, error) {
	rt := s.routes()
	if shard < 0 || shard >= len(rt.pools) {
		return resp.Value{}, fmt.Errorf("proxy: no shard %d", shard)
	}
	return s.callPool(ctx, rt.pools[shard], shard, args)
}

// callAddr is callShard for the node at addr (a primary of the slot map or
// not).
func (s *Server) callAddr(ctx context.Context, addr string, args ...[]byte) (resp.Value, error) {
	s.mu.Lock()
	p := s.poolLocked(addr)
	s.mu.Unlock()
	return s.callPool(ctx, p, -1, args)
}

func (s *Server) callPool(ctx context.Context, p *pool, shard int, args [][]byte) (resp.Value, error) {
	vals, err := s.callPools(ctx, []*pool{p}, shard, args)
	if vals == nil {
		return resp.Value{}, err
	}
	return vals[0], err
}

// callPools sends args to every pool at once (pool i is shard first+i, or
// no shard when first is -1), waits for every reply, and returns them in
// order with the first error.
func (s *Server) callPools(ctx context.Context, pools []*pool, first int, args [][]byte) ([]resp.Value, error) {
	if len(pools) == 0 {
		return nil, errors.New("proxy: no shard to send to")
	}
	w := newWaiter()
	w.n.Store(int32(len(pools)))
	req := resp.AppendCommandBytes(nil, args)
	// FLUSHALL and the like reach the replicas too.
	cmd := command.LookupArgs(args)
	write := first >= 0 && cmd != nil && cmd.Has(command.Write)
	id := s.nextID.Add(1)
	calls := make([]call, len(pools))
	for i, p := range pools {
		c := &calls[i]
		c.req, c.wait, c.write, c.shard = req, w, write, -1
		if first >= 0 {
			c.shard = first + i
		}
		l := p.pick(2, id)
		l.send(c)
		l.flush()
	}
	select {
	case <-w.ch:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	for i := range calls {
		if isRedirect(calls[i].reply) {
			s.follow(&calls[i], 2, id) // redirect.go
		}
	}
	vals := make([]resp.Value, len(pools))
	var firstErr error
	for i := range calls {
		v, _, err := resp.ParseReply(calls[i].reply)
		if err == nil && v.Type == '-' {
			err = &ReplyError{Msg: string(v.Str)}
		}
		vals[i] = v
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return vals, firstErr
}

// callAll sends one command to every shard's primary at once and returns
// the replies in shard order, with the first error (see callShard).
func (s *Server) callAll(ctx context.Context, args ...[]byte) ([]resp.Value, error) {
	return s.callPools(ctx, s.routes().pools, 0, args)
}

// writeErr writes err as an error reply: a node's own error as it is, any
// other failure as CLUSTERDOWN.
func (ss *session) writeErr(err error) {
	var re *ReplyError
	if errors.As(err, &re) {
		ss.w.WriteError(re.Msg)
		return
	}
	ss.w.WriteError("CLUSTERDOWN The cluster is down: " + err.Error())
}

// ctx is the context of a session's node calls; the links' timeouts bound
// them.
func (ss *session) ctx() context.Context { return context.Background() }

func init() {
	registerLocal("dbsize", cmdDBSize)
	registerLocal("keys", cmdKeys)
	registerLocal("flushall", cmdFlushAll)
	registerLocal("flushdb", cmdFlushAll)
	registerLocal("randomkey", cmdRandomKey)
	registerLocal("scan", cmdScan)
	// Scripts and functions must exist on every shard for EVALSHA and
	// FCALL to run wherever their keys are.
	registerLocal("script|load", cmdEveryShard)
	registerLocal("script|flush", cmdEveryShard)
	registerLocal("function|load", cmdEveryShard)
	registerLocal("function|delete", cmdEveryShard)
	registerLocal("function|flush", cmdEveryShard)
	registerLocal("function|restore", cmdEveryShard)
}

// cmdDBSize is DBSIZE: the sum over the shards.
func cmdDBSize(ss *session, args [][]byte) {
	vals, err := ss.srv.callAll(ss.ctx(), args...)
	if err != nil {
		ss.writeErr(err)
		return
	}
	var n int64
	for _, v := range vals {
		n += v.Int
	}
	ss.w.WriteInt(n)
}

// cmdKeys is KEYS: every shard's matches, shard after shard.
func cmdKeys(ss *session, args [][]byte) {
	vals, err := ss.srv.callAll(ss.ctx(), args...)
	if err != nil {
		ss.writeErr(err)
		return
	}
	n := 0
	for _, v := range vals {
		n += len(v.Elems)
	}
	ss.w.WriteArrayLen(n)
	for _, v := range vals {
		for _, e := range v.Elems {
			ss.w.WriteBulk(e.Str)
		}
	}
}

// cmdFlushAll is FLUSHALL and FLUSHDB: on every shard; OK once all are.
func cmdFlushAll(ss *session, args [][]byte) {
	if _, err := ss.srv.callAll(ss.ctx(), args...); err != nil {
		ss.writeErr(err)
		return
	}
	ss.w.WriteOK()
}

// cmdEveryShard runs the command on every shard and answers with the first
// shard's reply (SCRIPT LOAD's SHA is the same everywhere).
func cmdEveryShard(ss *session, args [][]byte) {
	vals, err := ss.srv.callAll(ss.ctx(), args...)
	if err != nil {
		ss.writeErr(err)
		return
	}
	writeValue(ss.w, vals[0])
}

// cmdRandomKey is RANDOMKEY: a random key of a random shard that has one.
func cmdRandomKey(ss *session, args [][]byte) {
	n := len(ss.srv.routes().pools)
	start := rand.IntN(n)
	for i := range n {
		v, err := ss.srv.callShard(ss.ctx(), (start+i)%n, args...)
		if err != nil {
			ss.writeErr(err)
			return
		}
		if !v.Null {
			ss.w.WriteBulk(v.Str)
			return
		}
	}
	ss.w.WriteNull()
}

// scanShardBits is how many low bits of a proxy SCAN cursor hold the shard
// index: cursor = node cursor << scanShardBits | shard. The node's cursor
// must fit in the remaining 54 bits, which Redis's reverse-binary cursors
// do for any table smaller than 2^54 buckets.
const scanShardBits = 10

// cmdScan is SCAN across every shard: the shards are scanned one after the
// other, and the cursor says which one and where in it.
func cmdScan(ss *session, args [][]byte) {
	cur, ok := parseScanCursor(args[1])
	if !ok {
		ss.w.WriteError(errInvalidCursor)
		return
	}
	n := uint64(len(ss.srv.routes().pools))
	shard := cur & (1<<scanShardBits - 1)
	nodeCur := cur >> scanShardBits
	if shard >= n {
		// Like a cursor past the end of a node's table: the scan is over.
		ss.w.WriteArrayLen(2)
		ss.w.WriteBulkString("0")
		ss.w.WriteArrayLen(0)
		return
	}
	req := make([][]byte, len(args))
	copy(req, args)
	req[1] = strconv.AppendUint(nil, nodeCur, 10)
	v, err := ss.srv.callShard(ss.ctx(), int(shard), req...)
	if err != nil {
		ss.writeErr(err)
		return
	}
	if len(v.Elems) != 2 {
		ss.w.WriteError("ERR unexpected SCAN reply from a node")
		return
	}
	next, err := strconv.ParseUint(string(v.Elems[0].Str), 10, 64)
	if err != nil || next >= 1<<(64-scanShardBits) {
		ss.w.WriteError("ERR unexpected SCAN cursor from a node")
		return
	}
	var out uint64
	switch {
	case next != 0:
		out = next<<scanShardBits | shard
	case shard+1 < n:
		out = shard + 1
	}
	ss.w.WriteArrayLen(2)
	ss.w.WriteBulkString(strconv.FormatUint(out, 10))
	keys := v.Elems[1].Elems
	ss.w.WriteArrayLen(len(keys))
	for _, k := range keys {
		ss.w.WriteBulk(k.Str)
	}
}

// parseScanCursor reads a SCAN cursor as Redis does (strtoul, base 10,
// the whole argument): an empty one is 0, a sign is allowed and a minus
// wraps around, leading spaces and overflow are invalid.
func parseScanCursor(b []byte) (uint64, bool) {
	neg := false
	s := string(b)
	if s == "" {
		return 0, true
	}
	if s[0] == '+' || s[0] == '-' {
		neg, s = s[0] == '-', s[1:]
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// writeValue writes a decoded reply back out.
func writeValue(w *resp.Writer, v resp.Value) {
	switch v.Type {
	case '+':
		w.WriteSimple(string(v.Str))
	case '-':
		w.WriteError(string(v.Str))
	case ':':
		w.WriteInt(v.Int)
	case '$':
		if v.Null {
			w.WriteNull()
		} else {
			w.WriteBulk(v.Str)
		}
	case '*':
		if v.Null {
			w.WriteNullArray()
			return
		}
		w.WriteArrayLen(len(v.Elems))
		for _, e := range v.Elems {
			writeValue(w, e)
		}
	default:
		w.WriteError("ERR unexpected reply type " + strings.TrimSpace(string(rune(v.Type))))
	}
}
