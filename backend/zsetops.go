package backend

import (
	"math"
	"strconv"
)

// The sorted-set commands on one key (redis-server 7.0's t_zset.c): ZADD,
// ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT,
// the ZRANGE family and ZRANGESTORE, the ZREMRANGEBY family and ZSCAN. The
// commands over several keys, the pops and ZRANDMEMBER are in zsetmulti.go;
// the value itself is in zset.go and zsettree.go, the parsing of scores and
// ranges in zsetrange.go.
//
// Every handler checks its arguments in the order redis-server does, so that
// a command with several problems gets the same error: usually the syntax
// first, then numbers, then the key's type.

func init() {
	register("zadd", func(c *Client, args [][]byte) { zaddGeneric(c, args, false) })
	register("zincrby", func(c *Client, args [][]byte) { zaddGeneric(c, args, true) })
	register("zrem", cmdZRem)
	register("zcard", cmdZCard)
	register("zscore", cmdZScore)
	register("zmscore", cmdZMScore)
	register("zrank", func(c *Client, args [][]byte) { zrankGeneric(c, args, false) })
	register("zrevrank", func(c *Client, args [][]byte) { zrankGeneric(c, args, true) })
	register("zcount", cmdZCount)
	register("zlexcount", cmdZLexCount)
	register("zrange", func(c *Client, args [][]byte) { zrangeGeneric(c, args, 1, false, zrangeAuto, false) })
	register("zrangestore", func(c *Client, args [][]byte) { zrangeGeneric(c, args, 2, true, zrangeAuto, false) })
	register("zrevrange", func(c *Client, args [][]byte) { zrangeGeneric(c, args, 1, false, zrangeRank, true) })
	register("zrangebyscore", func(c *Client, args [][]byte) { zrangeGeneric(c, args, 1, false, zrangeScore, false) })
	register("zrevrangebyscore", func(c *Client, args [][]byte) { zrangeGeneric(c, args, 1, false, zrangeScore, true) })
	register("zrangebylex", func(c *Client, args [][]byte) { zrangeGeneric(c, args, 1, false, zrangeLex, false) })
	register("zrevrangebylex", func(c *Client, args [][]byte) { zrangeGeneric(c, args, 1, false, zrangeLex, true) })
	register("zremrangebyrank", func(c *Client, args [][]byte) { zremrangeGeneric(c, args, zrangeRank) })
	register("zremrangebyscore", func(c *Client, args [][]byte) { zremrangeGeneric(c, args, zrangeScore) })
	register("zremrangebylex", func(c *Client, args [][]byte) { zremrangeGeneric(c, args, zrangeLex) })
	register("zscan", cmdZScan)
}

// Error replies of the sorted-set commands, with redis-server's texts.
const (
	errZAddXXNX      = "ERR XX and NX options at the same time are not compatible"
	errZAddGTLTNX    = "ERR GT, LT, and/or NX options at the same time are not compatible"
	errZAddIncrPairs = "ERR INCR option supports a single increment-element pair"
	errZScoreNaN     = "ERR resulting score is not a number (NaN)"
	errZMinMaxFloat  = "ERR min or max is not a float"
	errZMinMaxLex    = "ERR min or max not valid string range item"
	errZLimitRank    = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
	errZWithScoreLex = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
)

// --- Looking sorted sets up ------------------------------------------------------

// readZset is lookupKeyRead plus the type check: (nil, true) for a missing
// key, (nil, false) after a WRONGTYPE reply.
func readZset(c *Client, sh *shard, key []byte) (*zset, bool) {
	e := sh.lookup(c.db, key, c.now, !c.noTouch.Load())
	if e == nil {
		return nil, true
	}
	if e.kind != kindZSet {
		c.err(errWrongType)
		return nil, false
	}
	return zsetOf(e), true
}

// writeZsetEntry is lookupKeyWrite plus the type check: (nil, true) for a
// missing key, (nil, false) after a WRONGTYPE reply.
func writeZsetEntry(c *Client, sh *shard, key []byte) (*entry, bool) {
	e := sh.peekTouched(c.db, key, c.now)
	if e == nil {
		return nil, true
	}
	if e.kind != kindZSet {
		c.err(errWrongType)
		return nil, false
	}
	return e, true
}

// deleteEmptyZset removes key once its set is empty, with Redis's "del"
// event.
func deleteEmptyZset(c *Client, sh *shard, key []byte) {
	sh.remove(key)
	notifyKeyspaceEvent(c.srv, notifyGeneric, "del", key, c.db.id)
}

// writeScoredItem writes one member and, when withScores, its score: as a
// [member, score] pair in RESP3 when pairs is set, else flat.
func writeScoredItem(c *Client, it *zitem, withScores, pairs bool) {
	if withScores && pairs {
		c.w.WriteArrayLen(2)
	}
	c.w.WriteBulkString(it.member)
	if withScores {
		c.w.WriteDouble(it.score)
	}
}

// --- ZADD, ZINCRBY, ZREM ---------------------------------------------------------

// ZADD flags (zsetAdd's in_flags).
const (
	zaddNX = 1 << iota
	zaddXX
	zaddGT
	zaddLT
	zaddIncr
	zaddCH
)

// zaddGeneric is zaddGenericCommand; ZINCRBY key incr member is ZADD key
// INCR incr member parsed the same way (so ZINCRBY k nx m is a syntax
// error, as in Redis).
func zaddGeneric(c *Client, args [][]byte, incrCmd bool) {
	flags := 0
	if incrCmd {
		flags = zaddIncr
	}
	j := 2
	for ; j < len(args); j++ {
		a := args[j]
		switch {
		case strOptEq(a, "nx"):
			flags |= zaddNX
		case strOptEq(a, "xx"):
			flags |= zaddXX
		case strOptEq(a, "ch"):
			flags |= zaddCH
		case strOptEq(a, "incr"):
			flags |= zaddIncr
		case strOptEq(a, "gt"):
			flags |= zaddGT
		case strOptEq(a, "lt"):
			flags |= zaddLT
		default:
			goto done
		}
	}
done:
	pairs := args[j:]
	if len(pairs) == 0 || len(pairs)%2 != 0 {
		c.err(errSyntax)
		return
	}
	n := len(pairs) / 2
	nx, xx, gt, lt, incr := flags&zaddNX != 0, flags&zaddXX != 0, flags&zaddGT != 0, flags&zaddLT != 0, flags&zaddIncr != 0
	switch {
	case nx && xx:
		c.err(errZAddXXNX)
		return
	case gt && nx || lt && nx || gt && lt:
		c.err(errZAddGTLTNX)
		return
	case incr && n > 1:
		c.err(errZAddIncrPairs)
		return
	}
	var buf [4]float64
	scores := buf[:0]
	if n > len(buf) {
		scores = make([]float64, 0, n)
	}
	for i := 0; i < n; i++ {
		v, ok := parseScore(pairs[2*i])
		if !ok {
			c.err(errNotFloat)
			return
		}
		scores = append(scores, v)
	}

	db, key := c.db, args[1]
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	e, ok := writeZsetEntry(c, sh, key)
	if !ok {
		return
	}
	created := false
	if e == nil {
		if xx {
			if incr {
				c.w.WriteNull()
			} else {
				c.w.WriteInt(0)
			}
			return
		}
		lim := c.zsetLimits()
		z := &zset{}
		if lim.entries == 0 || lim.value < int64(len(pairs[1])) {
			z.dict = newZdict(0)
		}
		e = sh.add(db, key, kindZSet)
		e.obj = z
		created = true
	}
	z := zsetOf(e)
	var lim *zsetLimits
	added, updated, processed := 0, 0, 0
	var score float64
	failed := false
pairsLoop:
	for i := 0; i < n; i++ {
		member := pairs[2*i+1]
		score = scores[i]
		cur, stored, found := z.find(member)
		switch {
		case found:
			if nx {
				continue
			}
			if incr {
				score += cur
				if math.IsNaN(score) {
					failed = true
					break pairsLoop
				}
			}
			if lt && score >= cur || gt && score <= cur {
				continue
			}
			if score != cur {
				z.setScore(stored, cur, score)
				updated++
			}
			processed++
		case !xx:
			if z.listpack() {
				if lim == nil {
					l := c.zsetLimits()
					lim = &l
				}
				if int64(z.len())+1 > lim.entries || int64(len(member)) > lim.value {
					z.toSkiplist()
				}
			}
			z.add(string(member), score)
			added++
			processed++
		}
	}
	sh.dirty += int64(added + updated)
	switch {
	case failed:
		c.err(errZScoreNaN)
	case incr && processed > 0:
		c.w.WriteDouble(score)
	case incr:
		c.w.WriteNull()
	case flags&zaddCH != 0:
		c.w.WriteInt(int64(added + updated))
	default:
		c.w.WriteInt(int64(added))
	}
	if added+updated > 0 {
		c.propArgs(args)
		signalModifiedKey(db, key)
		event := "zadd"
		if incr {
			event = "zincr"
		}
		notifyKeyspaceEvent(c.srv, notifyZSet, event, key, db.id)
	}
	if created {
		if z.len() == 0 {
			// Nothing was added after all (a NaN increment): Redis
			// would keep an empty key; no command can reach that state
			// with a new key, but do not leave one behind.
			sh.remove(key)
			return
		}
		signalKeyAsReady(db, key)
	}
}

func cmdZRem(c *Client, args [][]byte) {
	db, key := c.db, args[1]
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	e, ok := writeZsetEntry(c, sh, key)
	if !ok {
		return
	}
	if e == nil {
		c.w.WriteInt(0)
		return
	}
	z := zsetOf(e)
	deleted, keyRemoved := 0, false
	for _, m := range args[2:] {
		if z.remove(m) {
			deleted++
		}
		if z.len() == 0 {
			sh.remove(key)
			keyRemoved = true
			break
		}
	}
	if deleted > 0 {
		notifyKeyspaceEvent(c.srv, notifyZSet, "zrem", key, db.id)
		if keyRemoved {
			notifyKeyspaceEvent(c.srv, notifyGeneric, "del", key, db.id)
		}
		signalModifiedKey(db, key)
		sh.dirty += int64(deleted)
		c.propArgs(args)
	}
	c.w.WriteInt(int64(deleted))
}

// --- ZCARD, ZSCORE, ZMSCORE, ZRANK, ZCOUNT, ZLEXCOUNT ---------------------------

func cmdZCard(c *Client, args [][]byte) {
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	defer c.unlockShard(sh)
	z, ok := readZset(c, sh, args[1])
	switch {
	case !ok:
	case z == nil:
		c.w.WriteInt(0)
	default:
		c.w.WriteInt(int64(z.len()))
	}
}

func cmdZScore(c *Client, args [][]byte) {
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	defer c.unlockShard(sh)
	z, ok := readZset(c, sh, args[1])
	if !ok {
		return
	}
	if z == nil {
		c.w.WriteNull()
		return
	}
	if score, _, found := z.find(args[2]); found {
		c.w.WriteDouble(score)
	} else {
		c.w.WriteNull()
	}
}

func cmdZMScore(c *Client, args [][]byte) {
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	defer c.unlockShard(sh)
	z, ok := readZset(c, sh, args[1])
	if !ok {
		return
	}
	c.w.WriteArrayLen(len(args) - 2)
	for _, m := range args[2:] {
		if z == nil {
			c.w.WriteNull()
			continue
		}
		if score, _, found := z.find(m); found {
			c.w.WriteDouble(score)
		} else {
			c.w.WriteNull()
		}
	}
}

func zrankGeneric(c *Client, args [][]byte, reverse bool) {
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	defer c.unlockShard(sh)
	z, ok := readZset(c, sh, args[1])
	if !ok {
		return
	}
	if z == nil {
		c.w.WriteNull()
		return
	}
	score, stored, found := z.find(args[2])
	if !found {
		c.w.WriteNull()
		return
	}
	r := z.tree.rank(score, stored)
	if reverse {
		r = z.len() - 1 - r
	}
	c.w.WriteInt(int64(r))
}

func cmdZCount(c *Client, args [][]byte) {
	r, ok := parseScoreRange(args[2], args[3])
	if !ok {
		c.err(errZMinMaxFloat)
		return
	}
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	defer c.unlockShard(sh)
	z, ok := readZset(c, sh, args[1])
	switch {
	case !ok:
	case z == nil:
		c.w.WriteInt(0)
	default:
		first := z.firstInScoreRange(&r)
		if first < 0 {
			c.w.WriteInt(0)
			return
		}
		c.w.WriteInt(int64(z.lastInScoreRange(&r) - first + 1))
	}
}

func cmdZLexCount(c *Client, args [][]byte) {
	r, ok := parseLexRange(args[2], args[3])
	if !ok {
		c.err(errZMinMaxLex)
		return
	}
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	defer c.unlockShard(sh)
	z, ok := readZset(c, sh, args[1])
	switch {
	case !ok:
	case z == nil:
		c.w.WriteInt(0)
	default:
		c.w.WriteInt(int64(z.lexCount(&r)))
	}
}

// lexCount is ZLEXCOUNT's count: a listpack is walked from the first
// member in range while members stay below max, a skiplist counted by the
// ranks of the first and last members in range.
func (z *zset) lexCount(r *lexRange) int {
	first := z.firstInLexRange(r)
	if first < 0 {
		return 0
	}
	if z.listpack() {
		n := 0
		for it := z.tree.at(first); it.valid() && r.lteMax(it.item().member); it.next() {
			n++
		}
		return n
	}
	count := z.len() - first
	if last := z.lastInLexRange(r); last >= 0 {
		count -= z.len() - 1 - last
	}
	return count
}

// --- ZRANGE and friends ------------------------------------------------------------

// Range types and how zrangeGeneric was called.
const (
	zrangeAuto = iota
	zrangeRank
	zrangeScore
	zrangeLex
)

// zrangeGeneric is zrangeGenericCommand for ZRANGE (argStart 1) and
// ZRANGESTORE (argStart 2, store), and for the older commands, which fix
// the range type and the direction.
func zrangeGeneric(c *Client, args [][]byte, argStart int, store bool, rangeType int, reverse bool) {
	key := args[argStart]
	minIdx, maxIdx := argStart+1, argStart+2
	directionFixed := rangeType != zrangeAuto || reverse
	withScores := false
	var offset, limit int64 = 0, -1
	for j := argStart + 3; j < len(args); j++ {
		a := args[j]
		left := len(args) - j - 1
		switch {
		case !store && strOptEq(a, "withscores"):
			withScores = true
		case strOptEq(a, "limit") && left >= 2:
			var ok bool
			if offset, ok = parseStrictInt(args[j+1]); !ok {
				c.err(errNotInt)
				return
			}
			if limit, ok = parseStrictInt(args[j+2]); !ok {
				c.err(errNotInt)
				return
			}
			j += 2
		case !directionFixed && !reverse && strOptEq(a, "rev"):
			reverse = true
		case rangeType == zrangeAuto && strOptEq(a, "bylex"):
			rangeType = zrangeLex
		case rangeType == zrangeAuto && strOptEq(a, "byscore"):
			rangeType = zrangeScore
		default:
			c.err(errSyntax)
			return
		}
	}
	if rangeType == zrangeAuto {
		rangeType = zrangeRank
	}
	if limit != -1 && rangeType == zrangeRank {
		c.err(errZLimitRank)
		return
	}
	if withScores && rangeType == zrangeLex {
		c.err(errZWithScoreLex)
		return
	}
	if reverse && rangeType != zrangeRank {
		minIdx, maxIdx = maxIdx, minIdx
	}
	var start, end int64
	var sr scoreRange
	var lr lexRange
	switch rangeType {
	case zrangeRank:
		var ok bool
		if start, ok = parseStrictInt(args[minIdx]); !ok {
			c.err(errNotInt)
			return
		}
		if end, ok = parseStrictInt(args[maxIdx]); !ok {
			c.err(errNotInt)
			return
		}
	case zrangeScore:
		var ok bool
		if sr, ok = parseScoreRange(args[minIdx], args[maxIdx]); !ok {
			c.err(errZMinMaxFloat)
			return
		}
	case zrangeLex:
		var ok bool
		if lr, ok = parseLexRange(args[minIdx], args[maxIdx]); !ok {
			c.err(errZMinMaxLex)
			return
		}
	}

	if store {
		zrangeStore(c, args[1], key, rangeType, reverse, func(z *zset, emit func(*zitem)) {
			zrangeEmit(z, rangeType, reverse, start, end, &sr, &lr, offset, limit, emit)
		})
		return
	}
	sh := c.db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	z, ok := readZset(c, sh, key)
	if !ok {
		return
	}
	if z == nil {
		c.w.WriteArrayLen(0)
		return
	}
	// The length is written once the range is known: the items are
	// counted first (a rank range knows it at once, the others walk it).
	pairs := c.w.Proto() >= 3
	n := 0
	zrangeEmit(z, rangeType, reverse, start, end, &sr, &lr, offset, limit, func(*zitem) { n++ })
	if withScores && !pairs {
		c.w.WriteArrayLen(2 * n)
	} else {
		c.w.WriteArrayLen(n)
	}
	zrangeEmit(z, rangeType, reverse, start, end, &sr, &lr, offset, limit, func(it *zitem) {
		writeScoredItem(c, it, withScores, pairs)
	})
}

// zrangeEmit calls emit for every item of the range, in reply order.
func zrangeEmit(z *zset, rangeType int, reverse bool, start, end int64, sr *scoreRange, lr *lexRange,
	offset, limit int64, emit func(*zitem)) {
	n := int64(z.len())
	switch rangeType {
	case zrangeRank:
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
			return
		}
		if end >= n {
			end = n - 1
		}
		count := end - start + 1
		if reverse {
			for it := z.tree.at(int(n - 1 - start)); count > 0; it.prev() {
				emit(it.item())
				count--
			}
			return
		}
		for it := z.tree.at(int(start)); count > 0; it.next() {
			emit(it.item())
			count--
		}
	case zrangeScore:
		if offset > 0 && offset >= n {
			return
		}
		var first int
		if reverse {
			first = z.lastInScoreRange(sr)
		} else {
			first = z.firstInScoreRange(sr)
		}
		walkRange(z, first, reverse, offset, limit, func(it *zitem) bool {
			if reverse {
				return sr.gteMin(it.score)
			}
			return sr.lteMax(it.score)
		}, emit)
	case zrangeLex:
		var first int
		if reverse {
			first = z.lastInLexRange(lr)
		} else {
			first = z.firstInLexRange(lr)
		}
		walkRange(z, first, reverse, offset, limit, func(it *zitem) bool {
			if reverse {
				return lr.gteMin(it.member)
			}
			return lr.lteMax(it.member)
		}, emit)
	}
}

// walkRange emits items from rank first on (backwards when reverse), after
// skipping offset of them, at most limit (all when negative), while in
// holds. A negative offset skips everything, as Redis's "while (offset--)"
// does.
func walkRange(z *zset, first int, reverse bool, offset, limit int64, in func(*zitem) bool, emit func(*zitem)) {
	if first < 0 || offset < 0 || offset >= int64(z.len()) {
		return
	}
	pos := int64(first) + offset
	if reverse {
		pos = int64(first) - offset
	}
	if pos < 0 || pos >= int64(z.len()) {
		return
	}
	it := z.tree.at(int(pos))
	for ; it.valid() && limit != 0; limit-- {
		x := it.item()
		if !in(x) {
			return
		}
		emit(x)
		if reverse {
			it.prev()
		} else {
			it.next()
		}
	}
}

// zrangeStore is the ZRANGESTORE end of zrangeGeneric: the range of src
// becomes dst (created whole, with the encoding its size calls for), or dst
// is deleted when the range is empty.
func zrangeStore(c *Client, dst, src []byte, rangeType int, reverse bool, emitRange func(z *zset, emit func(*zitem))) {
	db := c.db
	mask := keysShardMask([][]byte{dst, src})
	c.lockShards(db, mask)
	defer c.unlockShards(db, mask)
	z, ok := readZset(c, db.shard(src), src)
	if !ok {
		return
	}
	var items []zitem
	if z != nil {
		emitRange(z, func(it *zitem) { items = append(items, *it) })
	}
	// Redis adds the items one by one, in the order they were read, to a
	// new set that starts as a listpack (a rank range longer than
	// zset-max-listpack-entries starts as a skiplist) and converts as
	// ZADD would: the scores added while it is a listpack are read back
	// from it (-0 becomes 0), the later ones are kept.
	lim := c.zsetLimits()
	listpack := rangeType != zrangeRank || int64(len(items)) <= lim.entries
	for i := range items {
		if listpack && (int64(i)+1 > lim.entries || int64(len(items[i].member)) > lim.value) {
			listpack = false
		}
		if listpack {
			items[i].score = listpackScore(items[i].score)
		}
	}
	if reverse {
		// A reverse range arrives from the top: the new set wants it
		// sorted.
		for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
			items[i], items[j] = items[j], items[i]
		}
	}
	var nz *zset
	if len(items) > 0 {
		nz = newZsetEncoded(items, listpack)
	}
	storeZset(c, dst, nz, "zrangestore")
}

// storeZset is the end of every store command: dst gets z (setKey:
// whatever dst held, and its expiry, goes) with the command's event, or,
// when z is nil, dst is deleted. It replies with the count. The shard of
// dst must be locked.
func storeZset(c *Client, dst []byte, z *zset, event string) {
	db := c.db
	sh := db.shard(dst)
	if z == nil {
		c.w.WriteInt(0)
		if sh.peek(db, dst, c.now) != nil {
			sh.remove(dst)
			signalModifiedKey(db, dst)
			notifyKeyspaceEvent(c.srv, notifyGeneric, "del", dst, db.id)
			sh.dirty++
			c.propArgs(c.args)
		}
		return
	}
	e := sh.peekTouched(db, dst, c.now)
	created := e == nil
	if created {
		e = sh.add(db, dst, kindZSet)
	} else {
		if e.expire != 0 {
			sh.setExpire(e, 0)
		}
		e.lru = c.srv.lruClock()
		e.kind, e.str, e.enc = kindZSet, nil, 0
	}
	e.obj = z
	c.w.WriteInt(int64(z.len()))
	signalModifiedKey(db, dst)
	notifyKeyspaceEvent(c.srv, notifyZSet, event, dst, db.id)
	sh.dirty++
	c.propArgs(c.args)
	if created {
		signalKeyAsReady(db, dst)
	}
}

// --- ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX --------------------------

func zremrangeGeneric(c *Client, args [][]byte, rangeType int) {
	var start, end int64
	var sr scoreRange
	var lr lexRange
	var event string
	switch rangeType {
	case zrangeRank:
		event = "zremrangebyrank"
		var ok bool
		if start, ok = parseStrictInt(args[2]); !ok {
			c.err(errNotInt)
			return
		}
		if end, ok = parseStrictInt(args[3]); !ok {
			c.err(errNotInt)
			return
		}
	case zrangeScore:
		event = "zremrangebyscore"
		var ok bool
		if sr, ok = parseScoreRange(args[2], args[3]); !ok {
			c.err(errZMinMaxFloat)
			return
		}
	case zrangeLex:
		event = "zremrangebylex"
		var ok bool
		if lr, ok = parseLexRange(args[2], args[3]); !ok {
			c.err(errZMinMaxLex)
			return
		}
	}
	db, key := c.db, args[1]
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	e, ok := writeZsetEntry(c, sh, key)
	if !ok {
		return
	}
	if e == nil {
		c.w.WriteInt(0)
		return
	}
	z := zsetOf(e)
	n := int64(z.len())
	first, count := 0, 0
	switch rangeType {
	case zrangeRank:
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
			c.w.WriteInt(0)
			return
		}
		if end >= n {
			end = n - 1
		}
		first, count = int(start), int(end-start+1)
	case zrangeScore:
		if first = z.firstInScoreRange(&sr); first >= 0 {
			for it := z.tree.at(first); it.valid() && sr.lteMax(it.item().score); it.next() {
				count++
			}
		}
	case zrangeLex:
		if first = z.firstInLexRange(&lr); first >= 0 {
			for it := z.tree.at(first); it.valid() && lr.lteMax(it.item().member); it.next() {
				count++
			}
		}
	}
	if count > 0 {
		if z.dict != nil {
			d := z.dict
			z.tree.deleteRange(first, count, func(it *zitem) { d.removeStr(it.member) })
		} else {
			z.tree.deleteRange(first, count, func(*zitem) {})
		}
		signalModifiedKey(db, key)
		notifyKeyspaceEvent(c.srv, notifyZSet, event, key, db.id)
		if z.len() == 0 {
			deleteEmptyZset(c, sh, key)
		}
		c.propArgs(args)
	}
	sh.dirty += int64(count)
	c.w.WriteInt(int64(count))
}

// --- ZSCAN -------------------------------------------------------------------------

func cmdZScan(c *Client, args [][]byte) {
	cursor, ok := parseScanCursor(args[2])
	if !ok {
		c.err(errInvalidCursor)
		return
	}
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	defer c.unlockShard(sh)
	z, ok := readZset(c, sh, args[1])
	if !ok {
		return
	}
	if z == nil {
		c.w.WriteArrayLen(2)
		c.w.WriteBulkString("0")
		c.w.WriteArrayLen(0)
		return
	}
	o, ok := parseScanOptions(c, args[3:], false)
	if !ok {
		return
	}
	var tmp [32]byte
	if z.listpack() {
		// A listpack is returned whole, whatever the cursor, with its
		// scores as the listpack holds them.
		n := 0
		for it := z.tree.first(); it.valid(); it.next() {
			if o.pattern == nil || globMatch(o.pattern, it.item().member, false) {
				n++
			}
		}
		c.w.WriteArrayLen(2)
		c.w.WriteBulkString("0")
		c.w.WriteArrayLen(2 * n)
		for it := z.tree.first(); it.valid(); it.next() {
			x := it.item()
			if o.pattern == nil || globMatch(o.pattern, x.member, false) {
				c.w.WriteBulkString(x.member)
				c.w.WriteBulk(appendListpackScore(tmp[:0], x.score))
			}
		}
		return
	}
	// A hash table is scanned as scanGenericCommand scans one: buckets
	// until COUNT elements (member and score counted apart) or ten times
	// COUNT buckets, then MATCH is applied.
	var found []*zdEntry
	budget := o.count * 10
	if budget/10 != o.count || budget < 0 {
		budget = math.MaxInt64
	}
	for {
		cursor = z.dict.scan(cursor, func(e *zdEntry) { found = append(found, e) })
		budget--
		if cursor == 0 || budget <= 0 || int64(2*len(found)) >= o.count {
			break
		}
	}
	kept := found[:0]
	for _, e := range found {
		if o.pattern == nil || globMatch(o.pattern, e.member, false) {
			kept = append(kept, e)
		}
	}
	c.w.WriteArrayLen(2)
	c.w.WriteBulk(strconv.AppendUint(tmp[:0], cursor, 10))
	c.w.WriteArrayLen(2 * len(kept))
	for _, e := range kept {
		c.w.WriteBulkString(e.member)
		c.w.WriteBulk(appendScore(tmp[:0], e.score))
	}
}
