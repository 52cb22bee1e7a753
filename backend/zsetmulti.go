package backend

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
)

// The sorted-set commands that pop, sample or combine: ZPOPMIN, ZPOPMAX,
// ZMPOP, ZRANDMEMBER, ZUNION, ZINTER, ZDIFF, their STORE forms and
// ZINTERCARD (redis-server 7.0's t_zset.c). The blocking pops are in
// zsetblock.go.

func init() {
	register("zpopmin", func(c *Client, args [][]byte) { zpopMinMax(c, args, false) })
	register("zpopmax", func(c *Client, args [][]byte) { zpopMinMax(c, args, true) })
	register("zmpop", func(c *Client, args [][]byte) { zmpopGeneric(c, args, 1, false) })
	register("zrandmember", cmdZRandMember)
	register("zunion", func(c *Client, args [][]byte) { zsetAlgebra(c, args, nil, 1, zsetUnion, false) })
	register("zinter", func(c *Client, args [][]byte) { zsetAlgebra(c, args, nil, 1, zsetInter, false) })
	register("zdiff", func(c *Client, args [][]byte) { zsetAlgebra(c, args, nil, 1, zsetDiff, false) })
	register("zintercard", func(c *Client, args [][]byte) { zsetAlgebra(c, args, nil, 1, zsetInter, true) })
	register("zunionstore", func(c *Client, args [][]byte) { zsetAlgebra(c, args, args[1], 2, zsetUnion, false) })
	register("zinterstore", func(c *Client, args [][]byte) { zsetAlgebra(c, args, args[1], 2, zsetInter, false) })
	register("zdiffstore", func(c *Client, args [][]byte) { zsetAlgebra(c, args, args[1], 2, zsetDiff, false) })
}

// Error replies of these commands, with redis-server's texts.
const (
	errZPositive        = "ERR value is out of range, must be positive"
	errZNumkeys         = "ERR numkeys should be greater than 0"
	errZCount           = "ERR count should be greater than 0"
	errZRandRange       = "ERR value is out of range"
	errZWeight          = "ERR weight value is not a float"
	errZLimitNegative   = "ERR LIMIT can't be negative"
	zrandStreamMin      = 1 << 16
	zrandSubStrategyMul = 3
)

// --- ZPOPMIN, ZPOPMAX, ZMPOP -------------------------------------------------------

func zpopMinMax(c *Client, args [][]byte, max bool) {
	if len(args) > 3 {
		c.err(errSyntax)
		return
	}
	count := int64(-1)
	if len(args) == 3 {
		// getPositiveLongFromObjectOrReply: one message for both.
		v, ok := parseStrictInt(args[2])
		if !ok || v < 0 {
			c.err(errZPositive)
			return
		}
		count = v
	}
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	defer c.unlockShard(sh)
	zpopLocked(c, args[1:2], max, false, count, c.w.Proto() >= 3 && count != -1, false)
}

// zmpopGeneric is ZMPOP (numkeysIdx 1) and the argument parsing of BZMPOP
// (numkeysIdx 2, block), as zmpopGenericCommand: it returns the keys, the
// side and the count, or ok false after an error reply.
func zmpopArgs(c *Client, args [][]byte, numkeysIdx int) (keys [][]byte, max bool, count int64, ok bool) {
	numkeys, isInt := parseStrictInt(args[numkeysIdx])
	if !isInt || numkeys < 1 {
		c.err(errZNumkeys)
		return nil, false, 0, false
	}
	if numkeys > int64(len(args)) {
		c.err(errSyntax)
		return nil, false, 0, false
	}
	whereIdx := numkeysIdx + int(numkeys) + 1
	if whereIdx >= len(args) {
		c.err(errSyntax)
		return nil, false, 0, false
	}
	switch w := args[whereIdx]; {
	case strOptEq(w, "min"):
	case strOptEq(w, "max"):
		max = true
	default:
		c.err(errSyntax)
		return nil, false, 0, false
	}
	count = -1
	for j := whereIdx + 1; j < len(args); j++ {
		if count == -1 && strOptEq(args[j], "count") && j+1 < len(args) {
			j++
			v, isInt := parseStrictInt(args[j])
			if !isInt || v < 1 {
				c.err(errZCount)
				return nil, false, 0, false
			}
			count = v
			continue
		}
		c.err(errSyntax)
		return nil, false, 0, false
	}
	if count == -1 {
		count = 1
	}
	return args[numkeysIdx+1 : whereIdx], max, count, true
}

func zmpopGeneric(c *Client, args [][]byte, numkeysIdx int, block bool) {
	keys, max, count, ok := zmpopArgs(c, args, numkeysIdx)
	if !ok {
		return
	}
	mask := keysShardMask(keys)
	c.lockShards(c.db, mask)
	defer c.unlockShards(c.db, mask)
	zpopLocked(c, keys, max, true, count, true, true)
}

// zpopLocked is genericZpopCommand: pop count items (count -1: one, and a
// flat reply) from the first of keys that exists, from the top when max.
// emitKey puts the key first in the reply, nested makes each item a
// [member, score] pair, nilWhenEmpty answers a null array instead of an
// empty one when no key exists. The keys' shards are locked. It returns
// the key popped from, or nil.
func zpopLocked(c *Client, keys [][]byte, max, emitKey bool, count int64, nested, nilWhenEmpty bool) []byte {
	db := c.db
	var key []byte
	var e *entry
	for _, k := range keys {
		var ok bool
		if e, ok = writeZsetEntry(c, db.shard(k), k); !ok {
			return nil
		}
		if e != nil {
			key = k
			break
		}
	}
	if e == nil {
		if nilWhenEmpty {
			c.w.WriteNullArray()
		} else {
			c.w.WriteArrayLen(0)
		}
		return nil
	}
	if count == 0 {
		c.w.WriteArrayLen(0)
		return nil
	}
	noCount := count == -1
	if noCount {
		count = 1
	}
	z := zsetOf(e)
	n := int64(z.len())
	rangeLen := min(count, n)
	switch {
	case !nested && !emitKey:
		c.w.WriteArrayLen(int(rangeLen * 2))
	case nested && !emitKey:
		c.w.WriteArrayLen(int(rangeLen))
	case !nested && emitKey:
		c.w.WriteArrayLen(int(rangeLen*2 + 1))
		c.w.WriteBulk(key)
	default:
		c.w.WriteArrayLen(2)
		c.w.WriteBulk(key)
		c.w.WriteArrayLen(int(rangeLen))
	}
	sh := db.shard(key)
	event := "zpopmin"
	if max {
		event = "zpopmax"
	}
	for i := int64(0); i < rangeLen; i++ {
		var it ztIter
		if max {
			it = z.tree.last()
		} else {
			it = z.tree.first()
		}
		x := *it.item()
		z.removeItem(x)
		sh.dirty++
		if i == 0 {
			notifyKeyspaceEvent(c.srv, notifyZSet, event, key, db.id)
			signalModifiedKey(db, key)
		}
		if nested {
			c.w.WriteArrayLen(2)
		}
		c.w.WriteBulkString(x.member)
		c.w.WriteDouble(x.score)
	}
	if z.len() == 0 {
		deleteEmptyZset(c, sh, key)
	}
	if c.recording() {
		// ZMPOP and the blocking pops as the ZPOPMIN or ZPOPMAX they do,
		// as Redis does.
		if noCount {
			c.propBegin(db, 2)
		} else {
			c.propBegin(db, 3)
		}
		if max {
			c.propStr("ZPOPMAX")
		} else {
			c.propStr("ZPOPMIN")
		}
		c.propArg(key)
		if !noCount {
			c.propInt(rangeLen)
		}
	}
	return key
}

// --- ZRANDMEMBER ---------------------------------------------------------------------

func cmdZRandMember(c *Client, args [][]byte) {
	key := args[1]
	if len(args) == 2 {
		sh := c.db.shard(key)
		c.lockShard(sh)
		defer c.unlockShard(sh)
		z, ok := readZset(c, sh, key)
		switch {
		case !ok:
		case z == nil:
			c.w.WriteNull()
		default:
			c.w.WriteBulkString(z.tree.at(rand.IntN(z.len())).item().member)
		}
		return
	}
	l, ok := parseStrictInt(args[2])
	if !ok {
		c.err(errNotInt)
		return
	}
	withScores := false
	if len(args) > 4 || len(args) == 4 && !strOptEq(args[3], "withscores") {
		c.err(errSyntax)
		return
	}
	if len(args) == 4 {
		withScores = true
		if l < math.MinInt64/2 || l > math.MaxInt64/2 {
			c.err(errZRandRange)
			return
		}
	}
	sh := c.db.shard(key)
	c.lockShard(sh)
	z, ok := readZset(c, sh, key)
	if !ok {
		c.unlockShard(sh)
		return
	}
	if z == nil || l == 0 {
		c.unlockShard(sh)
		c.w.WriteArrayLen(0)
		return
	}
	pairs := c.w.Proto() >= 3
	header := func(n int64) {
		if withScores && !pairs {
			c.w.WriteArrayLen(int(2 * n))
		} else {
			c.w.WriteArrayLen(int(n))
		}
	}
	size := int64(z.len())
	switch {
	case l < 0:
		zrandRepeated(c, sh, z, uint64(-l), withScores, pairs)
		return // zrandRepeated unlocks
	case l == 1:
		header(1)
		writeScoredItem(c, z.tree.at(rand.IntN(int(size))).item(), withScores, pairs)
	case l >= size:
		// The whole set, from the top, as zuiNext walks it.
		header(size)
		for it := z.tree.last(); it.valid(); it.prev() {
			writeScoredItem(c, it.item(), withScores, pairs)
		}
	default:
		header(l)
		for _, r := range sampleIndexes(int(size), int(l)) {
			writeScoredItem(c, z.tree.at(r).item(), withScores, pairs)
		}
	}
	c.unlockShard(sh)
}

// zrandRepeated writes n items of z drawn with repetition (ZRANDMEMBER with
// a negative count) and unlocks sh. A count near 2^63 would make Redis
// build an endless reply; a large count is drawn here from a snapshot of
// the items taken under the lock and written out in pieces, each flushed,
// with no lock held, and a client that goes away stops it. Inside EXEC the
// reply is built whole, up to zrandExecCap, beyond which it is dropped and
// the connection closed (Redis's output buffer limit); when replies are
// discarded (CLIENT REPLY OFF or SKIP) nothing is built.
func zrandRepeated(c *Client, sh *shard, z *zset, n uint64, withScores, pairs bool) {
	header := func() {
		if withScores && !pairs {
			c.w.WriteArrayLen(int(2 * n))
		} else {
			c.w.WriteArrayLen(int(n))
		}
	}
	size := z.len()
	switch {
	case c.reply != replyOn:
		c.unlockShard(sh)
		return
	case n < zrandStreamMin || c.inExec:
		mark := c.w.Buffered()
		header()
		for i := uint64(0); i < n; i++ {
			writeScoredItem(c, z.tree.at(rand.IntN(size)).item(), withScores, pairs)
			if i&1023 == 1023 && c.w.Buffered()-mark > zrandExecCap {
				c.w.Truncate(mark)
				c.closing = true
				break
			}
		}
		c.unlockShard(sh)
		return
	}
	snap := z.tree.appendItems(make([]zitem, 0, size))
	c.unlockShard(sh)
	// The batch's replies so far go out below: the AOF must hold their
	// writes first.
	if err := c.waitDurable(); err != nil {
		c.aofFailed(err)
		return
	}
	header()
	for ; n > 0; n-- {
		writeScoredItem(c, &snap[rand.IntN(size)], withScores, pairs)
		if c.w.Buffered() >= 1<<16 && c.w.Flush() != nil {
			return
		}
	}
	// Nothing of this reply stays buffered: the caller's look at the
	// buffer (was the reply an error?) then sees none of it.
	c.w.Flush()
}

// zrandExecCap bounds a ZRANDMEMBER reply built inside EXEC.
const zrandExecCap = 512 << 20

// --- ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD ---------------------------

const (
	zsetUnion = iota
	zsetInter
	zsetDiff
)

// Aggregates of ZUNION and ZINTER.
const (
	aggrSum = iota
	aggrMin
	aggrMax
)

// zsrc is one input of the set algebra: a sorted set or a set (whose
// members score 1), or nothing for a missing key.
type zsrc struct {
	z      *zset
	s      *setValue
	weight float64
}

func (s *zsrc) len() int {
	switch {
	case s.z != nil:
		return s.z.len()
	case s.s != nil:
		return s.s.card()
	}
	return 0
}

// each calls fn with every member and its score.
func (s *zsrc) each(fn func(member string, score float64) bool) {
	switch {
	case s.z != nil:
		for it := s.z.tree.first(); it.valid(); it.next() {
			if !fn(it.item().member, it.item().score) {
				return
			}
		}
	case s.s != nil:
		var buf [20]byte
		for i, n := 0, s.s.card(); i < n; i++ {
			x := s.s.elem(i)
			m := x.s
			if x.isInt {
				m = string(strconv.AppendInt(buf[:0], x.v, 10))
			}
			if !fn(m, 1) {
				return
			}
		}
	}
}

// find returns member's score in the input.
func (s *zsrc) find(member string) (float64, bool) {
	switch {
	case s.z != nil:
		score, _, ok := s.z.find(strBytes(member))
		return score, ok
	case s.s != nil:
		return 1, s.s.contains(strBytes(member))
	}
	return 0, false
}

// aggregate is zunionInterAggregate; a sum that comes out NaN (inf + -inf)
// is 0.
func aggregate(target *float64, v float64, aggr int) {
	switch aggr {
	case aggrSum:
		*target += v
		if math.IsNaN(*target) {
			*target = 0
		}
	case aggrMin:
		if v < *target {
			*target = v
		}
	case aggrMax:
		if v > *target {
			*target = v
		}
	}
}

// zsetAlgebra is zunionInterDiffGenericCommand: ZUNION, ZINTER, ZDIFF and
// ZINTERCARD (cardOnly) reply with the result; the STORE forms (dst not
// nil) store it.
func zsetAlgebra(c *Client, args [][]byte, dst []byte, numkeysIdx int, op int, cardOnly bool) {
	setnum, ok := parseStrictInt(args[numkeysIdx])
	if !ok {
		c.err(errNotInt)
		return
	}
	if setnum < 1 {
		c.err("ERR at least 1 input key is needed for '" + lowerASCIIString(args[0]) + "' command")
		return
	}
	if setnum > int64(len(args)-numkeysIdx-1) {
		c.err(errSyntax)
		return
	}
	keys := args[numkeysIdx+1 : numkeysIdx+1+int(setnum)]
	db := c.db
	mask := keysShardMask(keys)
	if dst != nil {
		mask |= 1 << shardIndex(dst)
	}
	c.lockShards(db, mask)
	defer c.unlockShards(db, mask)

	src := make([]zsrc, len(keys))
	for i, k := range keys {
		src[i].weight = 1
		e := db.shard(k).lookup(db, k, c.now, !c.noTouch.Load())
		if e == nil {
			continue
		}
		switch e.kind {
		case kindZSet:
			src[i].z = zsetOf(e)
		case kindSet:
			src[i].s = e.obj.(*setValue)
		default:
			c.err(errWrongType)
			return
		}
	}

	aggr, withScores := aggrSum, false
	var limit int64
	for j := numkeysIdx + 1 + len(keys); j < len(args); {
		remaining := len(args) - j
		a := args[j]
		switch {
		case op != zsetDiff && !cardOnly && remaining >= len(keys)+1 && strOptEq(a, "weights"):
			j++
			for i := range src {
				w, ok := parseScore(args[j])
				if !ok {
					c.err(errZWeight)
					return
				}
				src[i].weight = w
				j++
			}
		case op != zsetDiff && !cardOnly && remaining >= 2 && strOptEq(a, "aggregate"):
			switch v := args[j+1]; {
			case strOptEq(v, "sum"):
				aggr = aggrSum
			case strOptEq(v, "min"):
				aggr = aggrMin
			case strOptEq(v, "max"):
				aggr = aggrMax
			default:
				c.err(errSyntax)
				return
			}
			j += 2
		case dst == nil && !cardOnly && strOptEq(a, "withscores"):
			withScores = true
			j++
		case cardOnly && remaining >= 2 && strOptEq(a, "limit"):
			v, ok := parseStrictInt(args[j+1])
			if !ok || v < 0 {
				c.err(errZLimitNegative)
				return
			}
			limit = v
			j += 2
		default:
			c.err(errSyntax)
			return
		}
	}

	if op != zsetDiff {
		// qsort by cardinality, as Redis orders the inputs: it decides
		// the order in which a member's weighted scores are summed.
		// glibc's qsort is a merge sort here, so equal sizes keep their
		// order.
		sort.SliceStable(src, func(a, b int) bool { return src[a].len() < src[b].len() })
	}

	var items []zitem
	switch op {
	case zsetInter:
		if src[0].len() == 0 {
			break
		}
		var card int64
		src[0].each(func(member string, score float64) bool {
			score *= src[0].weight
			if math.IsNaN(score) {
				score = 0
			}
			for j := 1; j < len(src); j++ {
				v, found := src[j].find(member)
				if !found {
					return true
				}
				aggregate(&score, v*src[j].weight, aggr)
			}
			if cardOnly {
				card++
				return limit == 0 || card < limit
			}
			items = append(items, zitem{member: member, score: score})
			return true
		})
		if cardOnly {
			c.w.WriteInt(card)
			return
		}
	case zsetUnion:
		acc := make(map[string]int, src[len(src)-1].len())
		for i := range src {
			w := src[i].weight
			src[i].each(func(member string, score float64) bool {
				score *= w
				if math.IsNaN(score) {
					score = 0
				}
				if k, seen := acc[member]; seen {
					aggregate(&items[k].score, score, aggr)
				} else {
					acc[member] = len(items)
					items = append(items, zitem{member: member, score: score})
				}
				return true
			})
		}
	case zsetDiff:
		src[0].each(func(member string, score float64) bool {
			for j := 1; j < len(src); j++ {
				if src[j].z == src[0].z && src[j].s == src[0].s {
					return true
				}
				if _, found := src[j].find(member); found {
					return true
				}
			}
			items = append(items, zitem{member: member, score: score})
			return true
		})
	}
	slices.SortFunc(items, func(a, b zitem) int { return zcmp(a.score, a.member, &b) })

	if cardOnly {
		c.w.WriteInt(0)
		return
	}
	if dst != nil {
		event := "zunionstore"
		switch op {
		case zsetInter:
			event = "zinterstore"
		case zsetDiff:
			event = "zdiffstore"
		}
		var z *zset
		if len(items) > 0 {
			// Built as a skiplist, then converted if it fits
			// (zsetConvertToListpackIfNeeded).
			z = newZsetFromSorted(items, c.zsetLimits())
		}
		storeZset(c, dst, z, event)
		return
	}
	pairs := c.w.Proto() >= 3
	if withScores && !pairs {
		c.w.WriteArrayLen(2 * len(items))
	} else {
		c.w.WriteArrayLen(len(items))
	}
	for i := range items {
		writeScoredItem(c, &items[i], withScores, pairs)
	}
}

// lowerASCIIString is the command name as Redis's fullname spells it.
func lowerASCIIString(b []byte) string {
	out := make([]byte, len(b))
	for i, ch := range b {
		out[i] = lowerASCII(ch)
	}
	return string(out)
}
