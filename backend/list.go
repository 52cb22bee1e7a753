package backend

import (
	"fmt"
	"strings"

	"github.com/shardis/shardis/internal/command"
)

// The list commands (redis-server 7.0's t_list.c): LPUSH, RPUSH, LPUSHX,
// RPUSHX, LPOP, RPOP, LLEN, LRANGE, LINDEX, LSET, LINSERT, LREM, LTRIM, LPOS,
// LMOVE, RPOPLPUSH, LMPOP, and the blocking BLPOP, BRPOP, BLMOVE, BRPOPLPUSH
// and BLMPOP (built on blocking.go).
//
// A list value (entry.obj) is a *listValue: a ring buffer of the elements,
// its capacity a power of two, so that pushing and popping at either end is
// O(1) (amortised over the doublings) and LINDEX and LRANGE index it
// directly. Redis 7.0 keeps every list in a quicklist, which is what OBJECT
// ENCODING says.

func init() {
	register("lpush", func(c *Client, args [][]byte) { pushGeneric(c, args, listHead, false) })
	register("rpush", func(c *Client, args [][]byte) { pushGeneric(c, args, listTail, false) })
	register("lpushx", func(c *Client, args [][]byte) { pushGeneric(c, args, listHead, true) })
	register("rpushx", func(c *Client, args [][]byte) { pushGeneric(c, args, listTail, true) })
	register("lpop", func(c *Client, args [][]byte) { popGeneric(c, args, listHead) })
	register("rpop", func(c *Client, args [][]byte) { popGeneric(c, args, listTail) })
	register("llen", cmdLLen)
	register("lrange", cmdLRange)
	register("lindex", cmdLIndex)
	register("lset", cmdLSet)
	register("linsert", cmdLInsert)
	register("lrem", cmdLRem)
	register("ltrim", cmdLTrim)
	register("lpos", cmdLPos)
	register("lmove", cmdLMove)
	register("rpoplpush", func(c *Client, args [][]byte) { lmoveGeneric(c, args[1], args[2], listTail, listHead) })
	register("lmpop", func(c *Client, args [][]byte) { lmpopGeneric(c, args, 1, false) })
	register("blpop", func(c *Client, args [][]byte) { blockingPop(c, args[1:len(args)-1], listHead, args[len(args)-1], 0) })
	register("brpop", func(c *Client, args [][]byte) { blockingPop(c, args[1:len(args)-1], listTail, args[len(args)-1], 0) })
	register("blmove", cmdBLMove)
	register("brpoplpush", func(c *Client, args [][]byte) {
		blmoveGeneric(c, args[1], args[2], listTail, listHead, args[3])
	})
	register("blmpop", func(c *Client, args [][]byte) { lmpopGeneric(c, args, 2, true) })

	registerValueCodec(kindList, &valueCodec{
		tag:    dumpTagList,
		encode: listDumpEncode,
		decode: listDumpDecode,
		dup:    func(dst, src *entry) { dst.obj = src.obj.(*listValue).dup() },
	})
	valueDigests[kindList] = func(d *digest, e *entry) {
		l := e.obj.(*listValue)
		for i := 0; i < l.n; i++ {
			d.mixString(l.at(i))
		}
	}
	objectEncodings[kindList] = func(*entry) string { return "quicklist" }
	memoryUsages[kindList] = listMemoryUsage
	debugObjectExtra[kindList] = listDebugObject
}

// List ends, as Redis's LIST_HEAD and LIST_TAIL: LEFT and RIGHT.
const (
	listHead = 0
	listTail = 1
)

// Error replies of the list commands, with redis-server's texts.
const (
	errMustBePositive = "ERR value is out of range, must be positive"
	errRankZero       = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	errCountNegative  = "ERR COUNT can't be negative"
	errMaxlenNegative = "ERR MAXLEN can't be negative"
	errNumkeys        = "ERR numkeys should be greater than 0"
	errCountPositive  = "ERR count should be greater than 0"
)

// --- The list value -----------------------------------------------------------

// listValue is a list: a ring buffer of its elements. The elements are
// ring[(head+i) & (len(ring)-1)] for i in [0, n); len(ring) is 0 or a power
// of two. Freed slots are zeroed so that popped strings can be collected.
type listValue struct {
	ring []string
	head int
	n    int
}

func (l *listValue) slot(i int) int { return (l.head + i) & (len(l.ring) - 1) }

// at is the i-th element, 0 <= i < n.
func (l *listValue) at(i int) string { return l.ring[l.slot(i)] }

func (l *listValue) set(i int, s string) { l.ring[l.slot(i)] = s }

// span returns the elements from..to-1 as up to two runs of the ring, so
// that a range is walked without computing each element's slot.
func (l *listValue) span(from, to int) (a, b []string) {
	if from >= to {
		return nil, nil
	}
	i := l.slot(from)
	if n := to - from; i+n <= len(l.ring) {
		return l.ring[i : i+n], nil
	}
	return l.ring[i:], l.ring[:l.slot(to-1)+1]
}

// resize moves the elements to a ring of size capacity (a power of two, at
// least n), starting at slot 0.
func (l *listValue) resize(capacity int) {
	r := make([]string, capacity)
	if l.n > 0 {
		if end := l.head + l.n; end <= len(l.ring) {
			copy(r, l.ring[l.head:end])
		} else {
			k := copy(r, l.ring[l.head:])
			copy(r[k:], l.ring[:end-len(l.ring)])
		}
	}
	l.ring, l.head = r, 0
}

func (l *listValue) grow() {
	if len(l.ring) == 0 {
		l.ring = make([]string, 4)
		return
	}
	l.resize(2 * len(l.ring))
}

// shrink gives memory back once the list uses a quarter of its ring.
func (l *listValue) shrink() {
	if len(l.ring) > 64 && l.n < len(l.ring)/4 {
		l.resize(len(l.ring) / 2)
	}
}

func (l *listValue) push(s string, where int) {
	if l.n == len(l.ring) {
		l.grow()
	}
	if where == listHead {
		l.head = (l.head - 1) & (len(l.ring) - 1)
		l.ring[l.head] = s
	} else {
		l.ring[l.slot(l.n)] = s
	}
	l.n++
}

// pop removes and returns the element at where; the list must not be empty.
func (l *listValue) pop(where int) string {
	var i int
	if where == listHead {
		i = l.head
		l.head = (l.head + 1) & (len(l.ring) - 1)
	} else {
		i = l.slot(l.n - 1)
	}
	s := l.ring[i]
	l.ring[i] = ""
	l.n--
	if l.n == 0 {
		l.head = 0
	}
	l.shrink()
	return s
}

// insert puts s before the i-th element (i == n appends), moving the
// shorter side.
func (l *listValue) insert(i int, s string) {
	if l.n == len(l.ring) {
		l.grow()
	}
	if i < l.n/2 {
		l.head = (l.head - 1) & (len(l.ring) - 1)
		for j := 0; j < i; j++ {
			l.set(j, l.at(j+1))
		}
	} else {
		for j := l.n; j > i; j-- {
			l.ring[l.slot(j)] = l.at(j - 1)
		}
	}
	l.n++
	l.set(i, s)
}

// trim drops left elements from the head and right from the tail.
func (l *listValue) trim(left, right int) {
	for range left {
		l.ring[l.head] = ""
		l.head = (l.head + 1) & (len(l.ring) - 1)
		l.n--
	}
	for range right {
		l.ring[l.slot(l.n-1)] = ""
		l.n--
	}
	if l.n == 0 {
		l.head = 0
	}
	l.shrink()
}

// remove deletes up to limit elements equal to v (all of them when limit is
// 0, or negative: -LONG_MIN), scanning from the head, or from the tail when fromTail, and returns
// how many it removed.
func (l *listValue) remove(v []byte, limit int64, fromTail bool) int64 {
	var removed int64
	if !fromTail {
		w := 0
		for r := 0; r < l.n; r++ {
			s := l.at(r)
			if (limit <= 0 || removed < limit) && s == string(v) {
				removed++
				continue
			}
			if w != r {
				l.set(w, s)
			}
			w++
		}
		for j := w; j < l.n; j++ {
			l.set(j, "")
		}
		l.n = w
	} else {
		w := l.n - 1
		for r := l.n - 1; r >= 0; r-- {
			s := l.at(r)
			if (limit <= 0 || removed < limit) && s == string(v) {
				removed++
				continue
			}
			if w != r {
				l.set(w, s)
			}
			w--
		}
		for j := 0; j <= w; j++ {
			l.set(j, "")
		}
		l.head = l.slot(w + 1)
		l.n -= w + 1
	}
	if l.n == 0 {
		l.head = 0
	}
	l.shrink()
	return removed
}

func (l *listValue) dup() *listValue {
	d := &listValue{n: l.n}
	if l.n > 0 {
		capacity := 4
		for capacity < l.n {
			capacity *= 2
		}
		d.ring = make([]string, capacity)
		for i := 0; i < l.n; i++ {
			d.ring[i] = l.at(i)
		}
	}
	return d
}

// --- Lookups ------------------------------------------------------------------

// listForWrite is lookupKeyWrite with a type check: the key's list, nil when
// absent (ok true), or ok false after the WRONGTYPE reply.
func listForWrite(c *Client, sh *shard, key []byte) (e *entry, l *listValue, ok bool) {
	e = sh.peekTouched(c.db, key, c.now)
	if e == nil {
		return nil, nil, true
	}
	if e.kind != kindList {
		c.err(errWrongType)
		return nil, nil, false
	}
	return e, e.obj.(*listValue), true
}

// listForRead is lookupKeyRead with a type check (see listForWrite).
func listForRead(c *Client, sh *shard, key []byte) (l *listValue, ok bool) {
	e := sh.lookup(c.db, key, c.now, !c.noTouch.Load())
	if e == nil {
		return nil, true
	}
	if e.kind != kindList {
		c.err(errWrongType)
		return nil, false
	}
	return e.obj.(*listValue), true
}

// createList adds an empty list under key (shard.add signals the clients
// blocked on it, as Redis's dbAdd does).
func createList(db *DB, sh *shard, key []byte) (*entry, *listValue) {
	e := sh.add(db, key, kindList)
	l := &listValue{}
	e.obj = l
	return e, l
}

// listPositionArg parses LEFT or RIGHT.
func listPositionArg(c *Client, b []byte) (int, bool) {
	switch {
	case strings.EqualFold(string(b), "left"):
		return listHead, true
	case strings.EqualFold(string(b), "right"):
		return listTail, true
	}
	c.err(errSyntax)
	return 0, false
}

func popEvent(where int) string {
	if where == listHead {
		return "lpop"
	}
	return "rpop"
}

func pushEvent(where int) string {
	if where == listHead {
		return "lpush"
	}
	return "rpush"
}

// listElementsRemoved is Redis's listElementsRemoved: the pop event, the
// key deleted when the list is empty, WATCH told when signal is set.
func listElementsRemoved(c *Client, db *DB, sh *shard, key []byte, l *listValue, where int, count int, signal bool) {
	notifyKeyspaceEvent(c.srv, notifyList, popEvent(where), key, db.id)
	if l.n == 0 {
		sh.remove(key)
		notifyKeyspaceEvent(c.srv, notifyGeneric, "del", key, db.id)
	}
	if signal {
		signalModifiedKey(db, key)
	}
	sh.dirty += int64(count)
}

// --- LPUSH, RPUSH, LPUSHX, RPUSHX -------------------------------------------

func pushGeneric(c *Client, args [][]byte, where int, xx bool) {
	key := args[1]
	db := c.db
	sh := db.shard(key)
	c.lockShard(sh)
	_, l, ok := listForWrite(c, sh, key)
	if !ok {
		c.unlockShard(sh)
		return
	}
	if l == nil {
		if xx {
			c.unlockShard(sh)
			c.w.WriteInt(0)
			return
		}
		_, l = createList(db, sh, key)
	}
	for _, v := range args[2:] {
		l.push(string(v), where)
	}
	c.w.WriteInt(int64(l.n))
	signalModifiedKey(db, key)
	notifyKeyspaceEvent(c.srv, notifyList, pushEvent(where), key, db.id)
	sh.dirty += int64(len(args) - 2)
	c.propArgs(args)
	c.unlockShard(sh)
}

// --- LPOP, RPOP -------------------------------------------------------------

func popGeneric(c *Client, args [][]byte, where int) {
	if len(args) > 3 {
		c.err(command.ArityError(command.Lookup(args[0])))
		return
	}
	hasCount := len(args) == 3
	var count int64
	if hasCount {
		v, ok := parseStrictInt(args[2])
		if !ok || v < 0 {
			c.err(errMustBePositive)
			return
		}
		count = v
	}
	key := args[1]
	db := c.db
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	_, l, ok := listForWrite(c, sh, key)
	switch {
	case !ok:
		return
	case l == nil && hasCount:
		c.w.WriteNullArray()
		return
	case l == nil:
		c.w.WriteNull()
		return
	case hasCount && count == 0:
		c.w.WriteArrayLen(0)
		return
	case !hasCount:
		c.w.WriteBulkString(l.pop(where))
		listElementsRemoved(c, db, sh, key, l, where, 1, true)
		c.propArgs(args)
		return
	}
	n := int(min(count, int64(l.n)))
	c.w.WriteArrayLen(n)
	for range n {
		c.w.WriteBulkString(l.pop(where))
	}
	listElementsRemoved(c, db, sh, key, l, where, n, true)
	c.propArgs(args)
}

// --- LLEN, LRANGE, LINDEX, LSET ---------------------------------------------

func cmdLLen(c *Client, args [][]byte) {
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	defer c.unlockShard(sh)
	l, ok := listForRead(c, sh, args[1])
	switch {
	case !ok:
	case l == nil:
		c.w.WriteInt(0)
	default:
		c.w.WriteInt(int64(l.n))
	}
}

// longArg parses a long argument (getLongFromObjectOrReply).
func longArg(c *Client, b []byte) (int64, bool) {
	v, ok := parseStrictInt(b)
	if !ok {
		c.err(errNotInt)
	}
	return v, ok
}

func cmdLRange(c *Client, args [][]byte) {
	start, ok := longArg(c, args[2])
	if !ok {
		return
	}
	end, ok := longArg(c, args[3])
	if !ok {
		return
	}
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	defer c.unlockShard(sh)
	l, ok := listForRead(c, sh, args[1])
	switch {
	case !ok:
		return
	case l == nil:
		c.w.WriteArrayLen(0)
		return
	}
	n := int64(l.n)
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= n {
		c.w.WriteArrayLen(0)
		return
	}
	if end >= n {
		end = n - 1
	}
	c.w.WriteArrayLen(int(end - start + 1))
	a, b := l.span(int(start), int(end)+1)
	for _, s := range a {
		c.w.WriteBulkString(s)
	}
	for _, s := range b {
		c.w.WriteBulkString(s)
	}
}

func cmdLIndex(c *Client, args [][]byte) {
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	defer c.unlockShard(sh)
	l, ok := listForRead(c, sh, args[1])
	switch {
	case !ok:
		return
	case l == nil:
		c.w.WriteNull()
		return
	}
	i, ok := longArg(c, args[2])
	if !ok {
		return
	}
	if i < 0 {
		i += int64(l.n)
	}
	if i < 0 || i >= int64(l.n) {
		c.w.WriteNull()
		return
	}
	c.w.WriteBulkString(l.at(int(i)))
}

func cmdLSet(c *Client, args [][]byte) {
	key := args[1]
	db := c.db
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	_, l, ok := listForWrite(c, sh, key)
	switch {
	case !ok:
		return
	case l == nil:
		c.err(errNoSuchKey)
		return
	}
	i, ok := longArg(c, args[2])
	if !ok {
		return
	}
	if i < 0 {
		i += int64(l.n)
	}
	if i < 0 || i >= int64(l.n) {
		c.err(errOutOfRange)
		return
	}
	l.set(int(i), string(args[3]))
	c.w.WriteOK()
	signalModifiedKey(db, key)
	notifyKeyspaceEvent(c.srv, notifyList, "lset", key, db.id)
	sh.dirty++
	c.propArgs(args)
}

// --- LINSERT, LREM, LTRIM ---------------------------------------------------

func cmdLInsert(c *Client, args [][]byte) {
	var after bool
	switch {
	case strings.EqualFold(string(args[2]), "after"):
		after = true
	case strings.EqualFold(string(args[2]), "before"):
	default:
		c.err(errSyntax)
		return
	}
	key := args[1]
	db := c.db
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	_, l, ok := listForWrite(c, sh, key)
	switch {
	case !ok:
		return
	case l == nil:
		c.w.WriteInt(0)
		return
	}
	pivot := string(args[3])
	for i := 0; i < l.n; i++ {
		if l.at(i) != pivot {
			continue
		}
		if after {
			i++
		}
		l.insert(i, string(args[4]))
		signalModifiedKey(db, key)
		notifyKeyspaceEvent(c.srv, notifyList, "linsert", key, db.id)
		sh.dirty++
		c.propArgs(args)
		c.w.WriteInt(int64(l.n))
		return
	}
	c.w.WriteInt(-1)
}

func cmdLRem(c *Client, args [][]byte) {
	count, ok := longArg(c, args[2])
	if !ok {
		return
	}
	key := args[1]
	db := c.db
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	_, l, ok := listForWrite(c, sh, key)
	switch {
	case !ok:
		return
	case l == nil:
		c.w.WriteInt(0)
		return
	}
	var removed int64
	if count < 0 {
		// -count overflows for the smallest long; it then removes all, as
		// Redis's unsigned comparison does.
		removed = l.remove(args[3], -count, true)
	} else {
		removed = l.remove(args[3], count, false)
	}
	if removed > 0 {
		notifyKeyspaceEvent(c.srv, notifyList, "lrem", key, db.id)
		if l.n == 0 {
			sh.remove(key)
			notifyKeyspaceEvent(c.srv, notifyGeneric, "del", key, db.id)
		}
		signalModifiedKey(db, key)
		sh.dirty += removed
		c.propArgs(args)
	}
	c.w.WriteInt(removed)
}

func cmdLTrim(c *Client, args [][]byte) {
	start, ok := longArg(c, args[2])
	if !ok {
		return
	}
	end, ok := longArg(c, args[3])
	if !ok {
		return
	}
	key := args[1]
	db := c.db
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	_, l, ok := listForWrite(c, sh, key)
	switch {
	case !ok:
		return
	case l == nil:
		c.w.WriteOK()
		return
	}
	n := int64(l.n)
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	var left, right int64
	if start > end || start >= n {
		left, right = n, 0
	} else {
		if end >= n {
			end = n - 1
		}
		left, right = start, n-end-1
	}
	l.trim(int(left), int(right))
	notifyKeyspaceEvent(c.srv, notifyList, "ltrim", key, db.id)
	if l.n == 0 {
		sh.remove(key)
		notifyKeyspaceEvent(c.srv, notifyGeneric, "del", key, db.id)
	}
	signalModifiedKey(db, key)
	sh.dirty += left + right
	if left+right > 0 {
		c.propArgs(args)
	}
	c.w.WriteOK()
}

// --- LPOS -------------------------------------------------------------------

func cmdLPos(c *Client, args [][]byte) {
	rank, count, maxlen := int64(1), int64(-1), int64(0)
	for j := 3; j < len(args); j++ {
		more := j+1 < len(args)
		switch {
		case strings.EqualFold(string(args[j]), "rank") && more:
			j++
			v, ok := longArg(c, args[j])
			if !ok {
				return
			}
			if v == 0 {
				c.err(errRankZero)
				return
			}
			rank = v
		case strings.EqualFold(string(args[j]), "count") && more:
			j++
			v, ok := parseStrictInt(args[j])
			if !ok || v < 0 {
				c.err(errCountNegative)
				return
			}
			count = v
		case strings.EqualFold(string(args[j]), "maxlen") && more:
			j++
			v, ok := parseStrictInt(args[j])
			if !ok || v < 0 {
				c.err(errMaxlenNegative)
				return
			}
			maxlen = v
		default:
			c.err(errSyntax)
			return
		}
	}
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	defer c.unlockShard(sh)
	l, ok := listForRead(c, sh, args[1])
	switch {
	case !ok:
		return
	case l == nil:
		if count != -1 {
			c.w.WriteArrayLen(0)
		} else {
			c.w.WriteNull()
		}
		return
	}
	// A negative rank searches from the tail. Negating the smallest long
	// leaves it negative: every match then counts, as in Redis.
	fromTail := rank < 0
	if fromTail {
		rank = -rank
	}
	ele := string(args[2])
	llen := int64(l.n)
	var found []int64
	var index, matches int64
	for ; index < llen && (maxlen == 0 || index < maxlen); index++ {
		i := index
		if fromTail {
			i = llen - index - 1
		}
		if l.at(int(i)) != ele {
			continue
		}
		matches++
		if matches < rank {
			continue
		}
		if count == -1 {
			c.w.WriteInt(i)
			return
		}
		found = append(found, i)
		if count != 0 && matches-rank+1 >= count {
			break
		}
	}
	if count == -1 {
		c.w.WriteNull()
		return
	}
	c.w.WriteArrayLen(len(found))
	for _, i := range found {
		c.w.WriteInt(i)
	}
}

// --- LMOVE, RPOPLPUSH -------------------------------------------------------

func cmdLMove(c *Client, args [][]byte) {
	from, ok := listPositionArg(c, args[3])
	if !ok {
		return
	}
	to, ok := listPositionArg(c, args[4])
	if !ok {
		return
	}
	lmoveGeneric(c, args[1], args[2], from, to)
}

func lmoveGeneric(c *Client, src, dst []byte, from, to int) {
	db := c.db
	si, di := shardIndex(src), shardIndex(dst)
	c.lockShardPair(db, si, db, di)
	defer c.unlockShardPair(db, si, db, di)
	_, l, ok := listForWrite(c, &db.shards[si], src)
	switch {
	case !ok:
		return
	case l == nil:
		c.w.WriteNull()
		return
	}
	lmoveLocked(c, db, src, dst, l, from, to, true)
}

// lmoveLocked moves an element of l (src's list, not empty) to dst, both
// shards locked: Redis's lmoveGenericCommand once the source is found.
// signalSrc is false when serving a blocked client (the push that made src
// ready told WATCH already).
func lmoveLocked(c *Client, db *DB, src, dst []byte, l *listValue, from, to int, signalSrc bool) {
	ssh, dsh := db.shard(src), db.shard(dst)
	de, dl, ok := listForWrite(c, dsh, dst)
	if !ok {
		return
	}
	v := l.pop(from)
	// lmoveHandlePush: the destination is created if needed. When it is
	// the source, the pop may have emptied it: it is still there.
	if de == nil {
		_, dl = createList(db, dsh, dst)
	}
	dl.push(v, to)
	signalModifiedKey(db, dst)
	notifyKeyspaceEvent(c.srv, notifyList, pushEvent(to), dst, db.id)
	c.w.WriteBulkString(v)
	notifyKeyspaceEvent(c.srv, notifyList, popEvent(from), src, db.id)
	if l.n == 0 {
		ssh.remove(src)
		notifyKeyspaceEvent(c.srv, notifyGeneric, "del", src, db.id)
	}
	if signalSrc {
		signalModifiedKey(db, src)
	}
	ssh.dirty++
	if c.recording() {
		// RPOPLPUSH, BLMOVE and BRPOPLPUSH as the LMOVE they do.
		c.propBegin(db, 5)
		c.propStr("LMOVE")
		c.propArg(src)
		c.propArg(dst)
		c.propStr(listPositionName(from))
		c.propStr(listPositionName(to))
	}
}

func listPositionName(where int) string {
	if where == listHead {
		return "LEFT"
	}
	return "RIGHT"
}

// propPop records the non-blocking pop of n elements (no count when n < 0)
// that LMPOP and the blocking pops propagate as, as Redis does.
func (c *Client) propPop(db *DB, key []byte, where int, n int) {
	if !c.recording() {
		return
	}
	name := "RPOP"
	if where == listHead {
		name = "LPOP"
	}
	if n < 0 {
		c.propBegin(db, 2)
	} else {
		c.propBegin(db, 3)
	}
	c.propStr(name)
	c.propArg(key)
	if n >= 0 {
		c.propInt(int64(n))
	}
}

// --- LMPOP, BLMPOP ----------------------------------------------------------

// lmpopGeneric is LMPOP numkeys key... LEFT|RIGHT [COUNT n] and BLMPOP
// timeout numkeys ...; numkeysIdx is the index of numkeys.
func lmpopGeneric(c *Client, args [][]byte, numkeysIdx int, block bool) {
	numkeys, ok := parseStrictInt(args[numkeysIdx])
	if !ok || numkeys < 1 {
		c.err(errNumkeys)
		return
	}
	if numkeys > int64(len(args)-numkeysIdx-2) {
		c.err(errSyntax)
		return
	}
	whereIdx := numkeysIdx + int(numkeys) + 1
	where, ok := listPositionArg(c, args[whereIdx])
	if !ok {
		return
	}
	count := int64(-1)
	for j := whereIdx + 1; j < len(args); j++ {
		if count == -1 && strings.EqualFold(string(args[j]), "count") && j+1 < len(args) {
			j++
			v, ok := parseStrictInt(args[j])
			if !ok || v < 1 {
				c.err(errCountPositive)
				return
			}
			count = v
			continue
		}
		c.err(errSyntax)
		return
	}
	if count == -1 {
		count = 1
	}
	keys := args[numkeysIdx+1 : whereIdx]
	if block {
		blockingPop(c, keys, where, args[1], count)
		return
	}
	db := c.db
	m := keysShardMask(keys)
	c.lockShards(db, m)
	defer c.unlockShards(db, m)
	for _, key := range keys {
		sh := db.shard(key)
		_, l, ok := listForWrite(c, sh, key)
		if !ok {
			return
		}
		if l != nil {
			popRangeWithKey(c, db, sh, key, l, where, count, true)
			return
		}
	}
	c.w.WriteNullArray()
}

// popRangeWithKey pops up to count elements of key's list and replies with
// [key, [elements]] (Redis's listPopRangeAndReplyWithKey).
func popRangeWithKey(c *Client, db *DB, sh *shard, key []byte, l *listValue, where int, count int64, signal bool) {
	n := int(min(count, int64(l.n)))
	c.w.WriteArrayLen(2)
	c.w.WriteBulk(key)
	c.w.WriteArrayLen(n)
	for range n {
		c.w.WriteBulkString(l.pop(where))
	}
	listElementsRemoved(c, db, sh, key, l, where, n, signal)
	c.propPop(db, key, where, n)
}

// --- BLPOP, BRPOP, BLMPOP ---------------------------------------------------

// blockingPop is BLPOP and BRPOP (count 0) and BLMPOP (count > 0): Redis's
// blockingPopGenericCommand.
func blockingPop(c *Client, keys [][]byte, where int, timeoutArg []byte, count int64) {
	timeout, ok := blockTimeoutArg(c, timeoutArg)
	if !ok {
		return
	}
	db := c.db
	m := keysShardMask(keys)
	c.lockShards(db, m)
	for _, key := range keys {
		sh := db.shard(key)
		_, l, ok := listForWrite(c, sh, key)
		if !ok {
			c.unlockShards(db, m)
			return
		}
		if l == nil {
			continue
		}
		if count > 0 {
			popRangeWithKey(c, db, sh, key, l, where, count, true)
		} else {
			c.w.WriteArrayLen(2)
			c.w.WriteBulk(key)
			c.w.WriteBulkString(l.pop(where))
			listElementsRemoved(c, db, sh, key, l, where, 1, true)
			c.propPop(db, key, where, -1)
		}
		c.unlockShards(db, m)
		return
	}
	c.unlockShards(db, m)
	if c.inExec {
		c.w.WriteNullArray()
		return
	}
	c.block(keys, timeout, func(c *Client, db *DB, key []byte) bool {
		sh := db.shard(key)
		e := sh.peekTouched(db, key, c.now)
		if e == nil || e.kind != kindList {
			return false
		}
		l := e.obj.(*listValue)
		if count > 0 {
			popRangeWithKey(c, db, sh, key, l, where, count, false)
			return true
		}
		c.w.WriteArrayLen(2)
		c.w.WriteBulk(key)
		c.w.WriteBulkString(l.pop(where))
		listElementsRemoved(c, db, sh, key, l, where, 1, false)
		c.propPop(db, key, where, -1)
		return true
	})
}

// --- BLMOVE, BRPOPLPUSH -----------------------------------------------------

func cmdBLMove(c *Client, args [][]byte) {
	from, ok := listPositionArg(c, args[3])
	if !ok {
		return
	}
	to, ok := listPositionArg(c, args[4])
	if !ok {
		return
	}
	blmoveGeneric(c, args[1], args[2], from, to, args[5])
}

func blmoveGeneric(c *Client, src, dst []byte, from, to int, timeoutArg []byte) {
	timeout, ok := blockTimeoutArg(c, timeoutArg)
	if !ok {
		return
	}
	db := c.db
	si, di := shardIndex(src), shardIndex(dst)
	c.lockShardPair(db, si, db, di)
	_, l, ok := listForWrite(c, &db.shards[si], src)
	if !ok || l != nil {
		if l != nil {
			lmoveLocked(c, db, src, dst, l, from, to, true)
		}
		c.unlockShardPair(db, si, db, di)
		return
	}
	c.unlockShardPair(db, si, db, di)
	if c.inExec {
		c.w.WriteNull()
		return
	}
	c.blockWith([][]byte{src}, timeout, func(c *Client, db *DB, key []byte) bool {
		e := db.shard(key).peekTouched(db, key, c.now)
		if e == nil || e.kind != kindList {
			return false
		}
		// A destination of another type is the client's WRONGTYPE; the
		// element stays.
		lmoveLocked(c, db, key, dst, e.obj.(*listValue), from, to, false)
		return true
	}, blockOptions{also: dst, hasAlso: true})
}

// --- DUMP, RESTORE, MEMORY USAGE ---------------------------------------------

func listDumpEncode(dst []byte, e *entry) []byte {
	l := e.obj.(*listValue)
	dst = dumpAppendUvarint(dst, uint64(l.n))
	for i := 0; i < l.n; i++ {
		dst = dumpAppendBytes(dst, []byte(l.at(i)))
	}
	return dst
}

func listDumpDecode(r *dumpReader, e *entry) error {
	n := r.count(1)
	if r.err != nil || n == 0 {
		return errDumpFormat
	}
	l := &listValue{}
	for range n {
		b := r.bytes()
		if r.err != nil {
			return r.err
		}
		l.push(string(b), listTail)
	}
	e.obj = l
	return nil
}

// quicklistShape estimates the quicklist redis-server would hold for l's
// elements pushed at the tail one by one: its number of listpack nodes (a
// node takes entries while it stays within 8 KiB, list-max-listpack-size
// -2) and the bytes of all its listpacks. Lists reshaped in the middle or
// at the head may have other nodes in Redis (see DIFFERENCES.md).
func quicklistShape(l *listValue) (nodes, bytes int64) {
	const header, nodeMax = 7, 8192
	lp := int64(0)
	for i := 0; i < l.n; i++ {
		s := l.at(i)
		// _quicklistNodeAllowInsert's estimate of what the entry adds.
		over := int64(1)
		if len(s) >= 254 {
			over = 5
		}
		switch {
		case len(s) < 64:
			over++
		case len(s) < 16384:
			over += 2
		default:
			over += 5
		}
		if nodes == 0 || lp+int64(len(s))+over > nodeMax {
			nodes++
			bytes += lp
			lp = header
		}
		lp += hashLPEntrySize([]byte(s))
	}
	return nodes, bytes + lp
}

// listDebugObject is the quicklist part of DEBUG OBJECT. The listpack
// size and compression depth shown are the defaults.
func listDebugObject(e *entry) string {
	l := e.obj.(*listValue)
	nodes, size := quicklistShape(l)
	avg := 0.0
	if nodes > 0 {
		avg = float64(l.n) / float64(nodes)
	}
	return fmt.Sprintf(" ql_nodes:%d ql_avg_node:%.2f ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:%d",
		nodes, avg, size)
}

// listMemoryUsage estimates what redis-server's quicklist of these elements
// takes: the robj, the quicklist, and per node a quicklistNode and its
// listpack's allocation.
func listMemoryUsage(e *entry, samples int64) int64 {
	nodes, size := quicklistShape(e.obj.(*listValue))
	const nodeStruct, quicklistStruct = 32, 40
	if nodes == 0 {
		return robjSize + quicklistStruct
	}
	return robjSize + quicklistStruct + nodes*nodeStruct + nodes*jemallocSize(size/nodes)
}
