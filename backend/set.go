package backend

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"
	"unsafe"
)

// The set commands (redis-server 7.0's t_set.c): SADD, SREM, SISMEMBER,
// SMISMEMBER, SCARD, SMEMBERS, SRANDMEMBER, SPOP, SMOVE, SINTER,
// SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE and SSCAN.
//
// A set (entry.obj, a *setValue) has redis-server 7.0's two encodings, which
// OBJECT ENCODING reports (7.0 has no listpack sets; 7.2 added them):
//
//   - intset: sorted int64s, while every member is a canonical integer
//     (Redis's string2ll: parseStrictInt) and there are at most
//     set-max-intset-entries of them. Members are listed in ascending order,
//     as Redis lists an intset, so those replies match byte for byte.
//   - hashtable: a strSet. Its order is not Redis's (nor is its hash
//     function), so replies that list a hashtable's members are compared
//     unordered (DIFFERENCES.md).
//
// A set only converts from intset to hashtable. A new set (SADD, SMOVE and
// the stores create one, SPOP with a large count rebuilds one, RESTORE loads
// one) gets the encoding Redis's rules give it, step by step as Redis adds
// the members, so OBJECT ENCODING agrees after every command.

func init() {
	register("sadd", cmdSAdd)
	register("srem", cmdSRem)
	register("sismember", cmdSIsMember)
	register("smismember", cmdSMIsMember)
	register("scard", cmdSCard)
	register("smembers", func(c *Client, args [][]byte) { sinterGeneric(c, args[1:], nil, false, 0) })
	register("srandmember", cmdSRandMember)
	register("spop", cmdSPop)
	register("smove", cmdSMove)
	register("sinter", func(c *Client, args [][]byte) { sinterGeneric(c, args[1:], nil, false, 0) })
	register("sintercard", cmdSInterCard)
	register("sinterstore", func(c *Client, args [][]byte) { sinterGeneric(c, args[2:], args[1], false, 0) })
	register("sunion", func(c *Client, args [][]byte) { sunionDiffGeneric(c, args[1:], nil, setOpUnion) })
	register("sunionstore", func(c *Client, args [][]byte) { sunionDiffGeneric(c, args[2:], args[1], setOpUnion) })
	register("sdiff", func(c *Client, args [][]byte) { sunionDiffGeneric(c, args[1:], nil, setOpDiff) })
	register("sdiffstore", func(c *Client, args [][]byte) { sunionDiffGeneric(c, args[2:], args[1], setOpDiff) })
	register("sscan", cmdSScan)

	registerValueCodec(kindSet, &valueCodec{
		tag:      dumpTagSet,
		encode:   setEncode,
		decode:   setDecode,
		dup:      func(dst, src *entry) { dst.obj = src.obj.(*setValue).clone() },
		restored: setRestored,
	})
	valueDigests[kindSet] = setDigest
	objectEncodings[kindSet] = func(e *entry) string {
		if e.obj.(*setValue).ht != nil {
			return "hashtable"
		}
		return "intset"
	}
	memoryUsages[kindSet] = setMemoryUsage
}

// Error replies of the set commands, with redis-server's texts.
const (
	errPositive       = "ERR value is out of range, must be positive"
	errSRandRange     = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	errNumkeysPos     = "ERR numkeys should be greater than 0"
	errNumkeysTooMany = "ERR Number of keys can't be greater than number of args"
	errLimitNegative  = "ERR LIMIT can't be negative"
)

// --- The hashtable encoding --------------------------------------------------

// strSet is a set of strings in a chained hash table, laid out for what the
// set commands need at Redis's complexity:
//
//   - nodes is dense: SPOP and SRANDMEMBER pick a member uniformly in O(1)
//     by index, and a removal moves the last node into the hole;
//   - buckets has a power-of-two length, so SSCAN can use Redis's
//     reverse-binary cursor (dict.scan's guarantees: a member present for
//     the whole scan is returned at least once across resizes);
//   - links are int32 indexes and every node keeps its hash, so a node costs
//     24 bytes plus its string, and a resize relinks without rehashing.
//
// Members are Go strings, immutable, so sets built from other sets (SUNION,
// SINTERSTORE, COPY) share them instead of copying.
type strSet struct {
	nodes   []setNode
	buckets []int32 // 1 + index of a chain's first node; 0: empty bucket
}

type setNode struct {
	s    string
	hash uint32
	next int32 // 1 + index of the next node of the chain; 0: the end
}

// strSetMinBuckets is Redis's DICT_HT_INITIAL_SIZE.
const strSetMinBuckets = 4

// bucketsFor is the bucket count Redis's dictExpand gives n entries: the
// smallest power of two that holds them, at least 4.
func bucketsFor(n int) int {
	if n <= strSetMinBuckets {
		return strSetMinBuckets
	}
	return 1 << bits.Len(uint(n-1))
}

func newStrSet(n int) *strSet {
	return &strSet{nodes: make([]setNode, 0, n), buckets: make([]int32, bucketsFor(n))}
}

// memberHash hashes a member with the keyspace's seeded hash; maphash gives
// a string and its bytes the same hash.
func memberHash(b []byte) uint32 { return uint32(hashKey(b)) }

func (t *strSet) mask() uint32 { return uint32(len(t.buckets) - 1) }

// find returns the index of member b (whose hash is h), or -1.
func (t *strSet) find(b []byte, h uint32) int {
	for i := t.buckets[h&t.mask()]; i != 0; {
		n := &t.nodes[i-1]
		if n.hash == h && n.s == string(b) {
			return int(i - 1)
		}
		i = n.next
	}
	return -1
}

// insert adds s, which must be absent, as Redis's dict does: the table
// doubles first when it is full.
func (t *strSet) insert(s string, h uint32) {
	if len(t.nodes) >= len(t.buckets) {
		t.rehash(len(t.buckets) * 2)
	}
	b := h & t.mask()
	t.nodes = append(t.nodes, setNode{s: s, hash: h, next: t.buckets[b]})
	t.buckets[b] = int32(len(t.nodes))
}

// rehash relinks every node into n buckets (a power of two).
func (t *strSet) rehash(n int) {
	t.buckets = make([]int32, n)
	m := uint32(n - 1)
	for i := range t.nodes {
		nd := &t.nodes[i]
		b := nd.hash & m
		nd.next = t.buckets[b]
		t.buckets[b] = int32(i + 1)
	}
}

// linkTo returns the link (a bucket head or a node's next) that points at
// node i.
func (t *strSet) linkTo(i int) *int32 {
	p := &t.buckets[t.nodes[i].hash&t.mask()]
	for int(*p) != i+1 {
		p = &t.nodes[*p-1].next
	}
	return p
}

// removeAt deletes node i: it is unlinked, and the last node takes its
// place so that nodes stays dense. The table shrinks as Redis's does after a
// removal (htNeedsResize: under 10% full), and the node array gives back
// memory when it is mostly unused.
func (t *strSet) removeAt(i int) {
	*t.linkTo(i) = t.nodes[i].next
	last := len(t.nodes) - 1
	if i != last {
		*t.linkTo(last) = int32(i + 1)
		t.nodes[i] = t.nodes[last]
	}
	t.nodes[last] = setNode{}
	t.nodes = t.nodes[:last]
	if n := len(t.nodes); len(t.buckets) > strSetMinBuckets && n*100/len(t.buckets) < 10 {
		t.rehash(bucketsFor(n))
	}
	if c := cap(t.nodes); c > 64 && len(t.nodes) < c/4 {
		t.nodes = append(make([]setNode, 0, len(t.nodes)*2), t.nodes...)
	}
}

// scan visits the chain at cursor and returns the next cursor (0: done),
// as dict.scan does for the keyspace.
func (t *strSet) scan(cursor uint64, fn func(s string)) uint64 {
	m := uint64(t.mask())
	for i := t.buckets[cursor&m]; i != 0; i = t.nodes[i-1].next {
		fn(t.nodes[i-1].s)
	}
	cursor |= ^m
	cursor = bits.Reverse64(cursor)
	cursor++
	return bits.Reverse64(cursor)
}

// --- Set values ----------------------------------------------------------------

// setValue is a set: an intset (ints, sorted ascending) while ht is nil,
// else a hashtable. It is never empty while stored: the last removal
// deletes the key.
type setValue struct {
	ints []int64
	ht   *strSet
}

// setElem is one member as a set holds it: an intset's integer or a
// hashtable's string. Passing members around in this form lets the set
// algebra move integers without formatting them and strings without copying
// them.
type setElem struct {
	s     string
	v     int64
	isInt bool
}

// strBytes views s as bytes without copying, for lookups that take []byte
// (the bytes are never written).
func strBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// newSetFor is setTypeCreate: an empty intset when the first member to be
// added is an integer, else an empty hashtable.
func newSetFor(first []byte) *setValue {
	if _, ok := parseStrictInt(first); ok {
		return &setValue{}
	}
	return &setValue{ht: newStrSet(0)}
}

// newSetForElem is newSetFor for a member taken from another set.
func newSetForElem(first setElem) *setValue {
	if first.isInt {
		return &setValue{}
	}
	return newSetFor(strBytes(first.s))
}

func (s *setValue) card() int {
	if s.ht != nil {
		return len(s.ht.nodes)
	}
	return len(s.ints)
}

// elem returns the i-th member in the set's iteration order.
func (s *setValue) elem(i int) setElem {
	if s.ht != nil {
		return setElem{s: s.ht.nodes[i].s}
	}
	return setElem{v: s.ints[i], isInt: true}
}

// toHashtable converts an intset, presized for its members as Redis's
// setTypeConvert does.
func (s *setValue) toHashtable() {
	t := newStrSet(len(s.ints))
	var buf [20]byte
	for _, v := range s.ints {
		b := strconv.AppendInt(buf[:0], v, 10)
		t.insert(string(b), memberHash(b))
	}
	s.ht, s.ints = t, nil
}

// contains reports whether member b is in the set.
func (s *setValue) contains(b []byte) bool {
	if s.ht != nil {
		return s.ht.find(b, memberHash(b)) >= 0
	}
	v, ok := parseStrictInt(b)
	if !ok {
		return false
	}
	_, found := slices.BinarySearch(s.ints, v)
	return found
}

func (s *setValue) containsElem(x setElem) bool {
	if !x.isInt {
		return s.contains(strBytes(x.s))
	}
	if s.ht == nil {
		_, found := slices.BinarySearch(s.ints, x.v)
		return found
	}
	var buf [20]byte
	b := strconv.AppendInt(buf[:0], x.v, 10)
	return s.ht.find(b, memberHash(b)) >= 0
}

// add is setTypeAdd for a member given as bytes (copied when stored). It
// reports whether the member was new. maxInts is set-max-intset-entries.
func (s *setValue) add(b []byte, maxInts int64) bool {
	if s.ht == nil {
		if v, ok := parseStrictInt(b); ok {
			return s.addInt(v, maxInts)
		}
		s.toHashtable()
	}
	h := memberHash(b)
	if s.ht.find(b, h) >= 0 {
		return false
	}
	s.ht.insert(string(b), h)
	return true
}

// addElem is add for a member taken from another set (its string is
// shared, not copied).
func (s *setValue) addElem(x setElem, maxInts int64) bool {
	if x.isInt {
		if s.ht == nil {
			return s.addInt(x.v, maxInts)
		}
		var buf [20]byte
		b := strconv.AppendInt(buf[:0], x.v, 10)
		h := memberHash(b)
		if s.ht.find(b, h) >= 0 {
			return false
		}
		s.ht.insert(string(b), h)
		return true
	}
	b := strBytes(x.s)
	if s.ht == nil {
		if v, ok := parseStrictInt(b); ok {
			return s.addInt(v, maxInts)
		}
		s.toHashtable()
	}
	h := memberHash(b)
	if s.ht.find(b, h) >= 0 {
		return false
	}
	s.ht.insert(x.s, h)
	return true
}

// addInt adds an integer to an intset, converting it when it grows beyond
// maxInts members.
func (s *setValue) addInt(v int64, maxInts int64) bool {
	i, found := slices.BinarySearch(s.ints, v)
	if found {
		return false
	}
	s.ints = slices.Insert(s.ints, i, v)
	if int64(len(s.ints)) > maxInts {
		s.toHashtable()
	}
	return true
}

// remove deletes member b and reports whether it was there.
func (s *setValue) remove(b []byte) bool {
	if s.ht != nil {
		i := s.ht.find(b, memberHash(b))
		if i < 0 {
			return false
		}
		s.ht.removeAt(i)
		return true
	}
	v, ok := parseStrictInt(b)
	if !ok {
		return false
	}
	i, found := slices.BinarySearch(s.ints, v)
	if !found {
		return false
	}
	s.removeIndex(i)
	return true
}

func (s *setValue) removeElem(x setElem) bool {
	if x.isInt && s.ht == nil {
		i, found := slices.BinarySearch(s.ints, x.v)
		if !found {
			return false
		}
		s.removeIndex(i)
		return true
	}
	if x.isInt {
		var buf [20]byte
		return s.remove(strconv.AppendInt(buf[:0], x.v, 10))
	}
	return s.remove(strBytes(x.s))
}

// removeIndex deletes the i-th member (in iteration order).
func (s *setValue) removeIndex(i int) {
	if s.ht != nil {
		s.ht.removeAt(i)
		return
	}
	s.ints = slices.Delete(s.ints, i, i+1)
	if c := cap(s.ints); c > 64 && len(s.ints) < c/4 {
		s.ints = slices.Clip(append(make([]int64, 0, len(s.ints)), s.ints...))
	}
}

// clone returns a deep copy sharing only the (immutable) member strings.
func (s *setValue) clone() *setValue {
	if s.ht == nil {
		return &setValue{ints: slices.Clone(s.ints)}
	}
	return &setValue{ht: &strSet{nodes: slices.Clone(s.ht.nodes), buckets: slices.Clone(s.ht.buckets)}}
}

// writeElem writes a member as a bulk string.
// propElem adds x as an argument of the record being built.
func (c *Client) propElem(x setElem) {
	if x.isInt {
		c.propInt(x.v)
	} else {
		c.propStr(x.s)
	}
}

func writeElem(c *Client, x setElem) {
	if x.isInt {
		c.w.WriteBulkInt(x.v)
	} else {
		c.w.WriteBulkString(x.s)
	}
}

// writeMembers writes every member of s as a RESP3 set (an array in RESP2),
// in iteration order.
func writeMembers(c *Client, s *setValue) {
	c.w.WriteSetLen(s.card())
	if s.ht != nil {
		for i := range s.ht.nodes {
			c.w.WriteBulkString(s.ht.nodes[i].s)
		}
		return
	}
	for _, v := range s.ints {
		c.w.WriteBulkInt(v)
	}
}

// maxIntsetEntries is set-max-intset-entries.
func maxIntsetEntries(c *Client) int64 { return c.srv.cfg.load().SetMaxIntsetEntries }

// --- Looking sets up --------------------------------------------------------

// setOf returns e's set, or nil after replying WRONGTYPE when e holds
// another type. e must not be nil.
func setOf(c *Client, e *entry) *setValue {
	if e.kind != kindSet {
		c.err(errWrongType)
		return nil
	}
	return e.obj.(*setValue)
}

// readSet is lookupKeyRead plus the type check: (nil, true) for a missing
// key, (nil, false) after a WRONGTYPE reply.
func readSet(c *Client, sh *shard, key []byte) (*setValue, bool) {
	e := sh.lookup(c.db, key, c.now, !c.noTouch.Load())
	if e == nil {
		return nil, true
	}
	s := setOf(c, e)
	return s, s != nil
}

// writeSetEntry is lookupKeyWrite plus the type check: (nil, nil, true) for
// a missing key, (nil, nil, false) after a WRONGTYPE reply.
func writeSetEntry(c *Client, sh *shard, key []byte) (*entry, *setValue, bool) {
	e := sh.peekTouched(c.db, key, c.now)
	if e == nil {
		return nil, nil, true
	}
	s := setOf(c, e)
	return e, s, s != nil
}

// deleteSetKey removes key, whose set just became empty, as dbDelete
// followed by its "del" event.
func deleteSetKey(c *Client, sh *shard, key []byte) {
	sh.remove(key)
	notifyKeyspaceEvent(c.srv, notifyGeneric, "del", key, c.db.id)
}

// storeSet is setKey for a set built by a command: key gets s, whatever it
// held, and loses its expiry. The shard must be locked.
func storeSet(c *Client, sh *shard, key []byte, s *setValue) {
	e := sh.peek(c.db, key, c.now)
	if e == nil {
		e = sh.add(c.db, key, kindSet)
	} else {
		if e.expire != 0 {
			sh.setExpire(e, 0)
		}
		e.lru = c.srv.lruClock()
		e.kind = kindSet
		e.str = nil
		e.enc = 0
	}
	e.obj = s
	signalModifiedKey(c.db, key)
}

// --- SADD, SREM, SMOVE --------------------------------------------------------

func cmdSAdd(c *Client, args [][]byte) {
	db, key := c.db, args[1]
	maxInts := maxIntsetEntries(c)
	sh := db.shard(key)
	c.lockShard(sh)
	e, s, ok := writeSetEntry(c, sh, key)
	if !ok {
		c.unlockShard(sh)
		return
	}
	if e == nil {
		s = newSetFor(args[2])
		e = sh.add(db, key, kindSet)
		e.obj = s
	}
	added := 0
	for _, m := range args[2:] {
		if s.add(m, maxInts) {
			added++
		}
	}
	if added > 0 {
		signalModifiedKey(db, key)
		notifyKeyspaceEvent(c.srv, notifySet, "sadd", key, db.id)
		c.propArgs(args)
	}
	sh.dirty += int64(added)
	c.unlockShard(sh)
	c.w.WriteInt(int64(added))
}

func cmdSRem(c *Client, args [][]byte) {
	db, key := c.db, args[1]
	sh := db.shard(key)
	c.lockShard(sh)
	e, s, ok := writeSetEntry(c, sh, key)
	if !ok {
		c.unlockShard(sh)
		return
	}
	deleted := 0
	if e != nil {
		removed := false
		for _, m := range args[2:] {
			if s.remove(m) {
				deleted++
				if s.card() == 0 {
					sh.remove(key)
					removed = true
					break
				}
			}
		}
		if deleted > 0 {
			signalModifiedKey(db, key)
			notifyKeyspaceEvent(c.srv, notifySet, "srem", key, db.id)
			if removed {
				notifyKeyspaceEvent(c.srv, notifyGeneric, "del", key, db.id)
			}
			sh.dirty += int64(deleted)
			c.propArgs(args)
		}
	}
	c.unlockShard(sh)
	c.w.WriteInt(int64(deleted))
}

func cmdSMove(c *Client, args [][]byte) {
	db, src, dst, m := c.db, args[1], args[2], args[3]
	si, di := shardIndex(src), shardIndex(dst)
	c.lockShardPair(db, si, db, di)
	defer c.unlockShardPair(db, si, db, di)
	ssh, dsh := &db.shards[si], &db.shards[di]
	se := ssh.peekTouched(db, src, c.now)
	de := dsh.peekTouched(db, dst, c.now)
	if se == nil {
		c.w.WriteInt(0)
		return
	}
	ss := setOf(c, se)
	if ss == nil {
		return
	}
	var ds *setValue
	if de != nil {
		if ds = setOf(c, de); ds == nil {
			return
		}
	}
	if ss == ds {
		if ss.contains(m) {
			c.w.WriteInt(1)
		} else {
			c.w.WriteInt(0)
		}
		return
	}
	if !ss.remove(m) {
		c.w.WriteInt(0)
		return
	}
	notifyKeyspaceEvent(c.srv, notifySet, "srem", src, db.id)
	if ss.card() == 0 {
		deleteSetKey(c, ssh, src)
	}
	if ds == nil {
		ds = newSetFor(m)
		dsh.add(db, dst, kindSet).obj = ds
	}
	signalModifiedKey(db, src)
	signalModifiedKey(db, dst)
	ssh.dirty++
	c.propArgs(args)
	if ds.add(m, maxIntsetEntries(c)) {
		dsh.dirty++
		notifyKeyspaceEvent(c.srv, notifySet, "sadd", dst, db.id)
	}
	c.w.WriteInt(1)
}

// --- SISMEMBER, SMISMEMBER, SCARD ---------------------------------------------

func cmdSIsMember(c *Client, args [][]byte) {
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	s, ok := readSet(c, sh, args[1])
	if ok {
		if s != nil && s.contains(args[2]) {
			c.w.WriteInt(1)
		} else {
			c.w.WriteInt(0)
		}
	}
	c.unlockShard(sh)
}

func cmdSMIsMember(c *Client, args [][]byte) {
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	s, ok := readSet(c, sh, args[1])
	if ok {
		c.w.WriteArrayLen(len(args) - 2)
		for _, m := range args[2:] {
			if s != nil && s.contains(m) {
				c.w.WriteInt(1)
			} else {
				c.w.WriteInt(0)
			}
		}
	}
	c.unlockShard(sh)
}

func cmdSCard(c *Client, args [][]byte) {
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	s, ok := readSet(c, sh, args[1])
	if ok {
		n := 0
		if s != nil {
			n = s.card()
		}
		c.w.WriteInt(int64(n))
	}
	c.unlockShard(sh)
}

// --- SRANDMEMBER, SPOP --------------------------------------------------------

// sampleIndexes returns k distinct indexes below n (k < n), uniformly: a
// partial Fisher-Yates shuffle when k is a large part of n, else rejection
// with a set of the indexes already drawn (Redis's CASE 3 and CASE 4).
func sampleIndexes(n, k int) []int {
	if k*3 > n {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		for i := 0; i < k; i++ {
			j := i + rand.IntN(n-i)
			idx[i], idx[j] = idx[j], idx[i]
		}
		return idx[:k]
	}
	seen := make(map[int]struct{}, k)
	out := make([]int, 0, k)
	for len(out) < k {
		i := rand.IntN(n)
		if _, dup := seen[i]; !dup {
			seen[i] = struct{}{}
			out = append(out, i)
		}
	}
	return out
}

// srandStreamMin is the count from which SRANDMEMBER with a negative count
// streams its reply (see srandRepeated).
//
// With a count, SRANDMEMBER answers an array even in RESP3, as
// redis-server 7.0.15 does (members may repeat, so it is not a set).
const srandStreamMin = 1 << 16

func cmdSRandMember(c *Client, args [][]byte) {
	if len(args) > 3 {
		c.err(errSyntax)
		return
	}
	key := args[1]
	var count int64
	if len(args) == 3 {
		v, ok := parseStrictInt(args[2])
		if !ok {
			c.err(errNotInt)
			return
		}
		if v == math.MinInt64 {
			c.err(errSRandRange)
			return
		}
		count = v
	}
	sh := c.db.shard(key)
	c.lockShard(sh)
	s, ok := readSet(c, sh, key)
	switch {
	case !ok:
	case len(args) == 2 && s == nil:
		c.w.WriteNull()
	case len(args) == 2:
		writeElem(c, s.elem(rand.IntN(s.card())))
	case s == nil || count == 0:
		c.w.WriteArrayLen(0)
	case count < 0:
		srandRepeated(c, sh, s, -count)
		return // srandRepeated unlocks
	case count >= int64(s.card()):
		n := s.card()
		c.w.WriteArrayLen(n)
		for i := 0; i < n; i++ {
			writeElem(c, s.elem(i))
		}
	default:
		idx := sampleIndexes(s.card(), int(count))
		c.w.WriteArrayLen(len(idx))
		for _, i := range idx {
			writeElem(c, s.elem(i))
		}
	}
	c.unlockShard(sh)
}

// srandRepeated writes n members of s drawn with repetition (SRANDMEMBER
// with a negative count) and unlocks sh. Redis builds the whole reply in
// memory, so a count near 2^63 makes it grow until the process dies. Here a
// large count is drawn from a snapshot of the members taken under the lock
// (the reply still shows the set at one instant) and written out in pieces,
// each flushed to the client, with no lock held: memory stays bounded, the
// client gets all it asks for, and one that goes away stops it. Inside EXEC
// every shard stays locked, so nothing may wait on the client there: the
// reply is built whole up to srandExecCap, beyond which it is dropped and
// the connection closed, as Redis closes a client past its output buffer
// limit. When replies are discarded (CLIENT REPLY OFF or SKIP) nothing is
// built.
func srandRepeated(c *Client, sh *shard, s *setValue, n int64) {
	card := s.card()
	switch {
	case c.reply != replyOn:
		c.unlockShard(sh)
		return
	case n < srandStreamMin || c.inExec:
		mark := c.w.Buffered()
		c.w.WriteArrayLen(int(n))
		for i := int64(0); i < n; i++ {
			writeElem(c, s.elem(rand.IntN(card)))
			if i&1023 == 1023 && c.w.Buffered()-mark > srandExecCap {
				c.w.Truncate(mark)
				c.closing = true
				break
			}
		}
		c.unlockShard(sh)
		return
	}
	snap := s.clone()
	c.unlockShard(sh)
	// The batch's replies so far go out below: the AOF must hold their
	// writes first.
	if err := c.waitDurable(); err != nil {
		c.aofFailed(err)
		return
	}
	c.w.WriteArrayLen(int(n))
	for ; n > 0; n-- {
		writeElem(c, snap.elem(rand.IntN(card)))
		if c.w.Buffered() >= 1<<16 && c.w.Flush() != nil {
			return
		}
	}
	// Nothing of this reply stays buffered: the caller's look at the
	// buffer (was the reply an error?) then sees none of it.
	c.w.Flush()
}

// srandExecCap bounds an SRANDMEMBER reply built inside EXEC.
const srandExecCap = 512 << 20

func cmdSPop(c *Client, args [][]byte) {
	if len(args) > 3 {
		c.err(errSyntax)
		return
	}
	if len(args) == 3 {
		spopWithCount(c, args)
		return
	}
	db, key := c.db, args[1]
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	e, s, ok := writeSetEntry(c, sh, key)
	if !ok {
		return
	}
	if e == nil {
		c.w.WriteNull()
		return
	}
	i := rand.IntN(s.card())
	writeElem(c, s.elem(i))
	if c.recording() { // as SREM of the member, as Redis does
		c.propBegin(db, 3)
		c.propStr("SREM")
		c.propArg(key)
		c.propElem(s.elem(i))
	}
	s.removeIndex(i)
	notifyKeyspaceEvent(c.srv, notifySet, "spop", key, db.id)
	if s.card() == 0 {
		deleteSetKey(c, sh, key)
	}
	signalModifiedKey(db, key)
	sh.dirty++
}

// spopMoveStrategyMul is Redis's SPOP_MOVE_STRATEGY_MUL: when fewer than
// count/5 members would remain, the set is rebuilt from the survivors
// instead of popping the count one by one.
const spopMoveStrategyMul = 5

func spopWithCount(c *Client, args [][]byte) {
	count, ok := parseStrictInt(args[2])
	if !ok || count < 0 {
		c.err(errPositive)
		return
	}
	db, key := c.db, args[1]
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	e, s, ok := writeSetEntry(c, sh, key)
	if !ok {
		return
	}
	if e == nil || count == 0 {
		c.w.WriteSetLen(0)
		return
	}
	size := int64(s.card())
	notifyKeyspaceEvent(c.srv, notifySet, "spop", key, db.id)
	sh.dirty += count
	if count >= size {
		// The whole set, listed as SUNION of the key would list it.
		writeMembers(c, unionOf([]*setValue{s}, maxIntsetEntries(c)))
		deleteSetKey(c, sh, key)
		signalModifiedKey(db, key)
		sh.dirty++
		c.propDel(db, key) // the whole set: DEL, as Redis does
		return
	}
	c.w.WriteSetLen(int(count))
	// The popped members are propagated as one SREM (Redis 7.0 sends one
	// SREM per member; the effect is the same).
	rec := c.recording()
	if rec {
		c.propBegin(db, int(count)+2)
		c.propStr("SREM")
		c.propArg(key)
	}
	remaining := size - count
	if remaining*spopMoveStrategyMul > count {
		for ; count > 0; count-- {
			i := rand.IntN(s.card())
			writeElem(c, s.elem(i))
			if rec {
				c.propElem(s.elem(i))
			}
			s.removeIndex(i)
		}
	} else {
		// The survivors form a new set, created and filled as Redis's
		// setTypeCreate and setTypeAdd would (so its encoding is theirs);
		// the rest is the reply.
		keep := sampleIndexes(int(size), int(remaining))
		kept := make([]bool, size)
		var ns *setValue
		maxInts := maxIntsetEntries(c)
		for _, i := range keep {
			x := s.elem(i)
			if ns == nil {
				ns = newSetForElem(x)
			}
			ns.addElem(x, maxInts)
			kept[i] = true
		}
		for i := range kept {
			if !kept[i] {
				writeElem(c, s.elem(i))
				if rec {
					c.propElem(s.elem(i))
				}
			}
		}
		e.obj = ns
	}
	signalModifiedKey(db, key)
	sh.dirty++
}

// --- SINTER, SINTERCARD, SINTERSTORE, SMEMBERS --------------------------------

// lockKeys locks the shards of keys and of dst (when not nil) and returns
// the mask to unlock.
func lockKeys(c *Client, keys [][]byte, dst []byte) shardMask {
	m := keysShardMask(keys)
	if dst != nil {
		m |= 1 << shardIndex(dst)
	}
	c.lockShards(c.db, m)
	return m
}

// lookupSets looks every key up as lookupKeyRead does (the stores too, as
// in Redis 7.0: a missing source is a key miss) and returns their sets, nil
// for missing keys; ok is false after a WRONGTYPE reply.
func lookupSets(c *Client, keys [][]byte) ([]*setValue, bool) {
	db := c.db
	sets := make([]*setValue, len(keys))
	touch := !c.noTouch.Load()
	for j, k := range keys {
		e := db.shard(k).lookup(db, k, c.now, touch)
		if e == nil {
			continue
		}
		if sets[j] = setOf(c, e); sets[j] == nil {
			return nil, false
		}
	}
	return sets, true
}

// deleteStoreTarget handles a store whose result is empty: dst is deleted
// if it exists (with its events) and the reply is 0.
func deleteStoreTarget(c *Client, dst []byte) {
	sh := c.db.shard(dst)
	if sh.peek(c.db, dst, c.now) != nil {
		sh.remove(dst)
		sh.dirty++
		c.propArgs(c.args)
		signalModifiedKey(c.db, dst)
		notifyKeyspaceEvent(c.srv, notifyGeneric, "del", dst, c.db.id)
	}
	c.w.WriteInt(0)
}

// sinterGeneric is SINTER, SMEMBERS (one key), SINTERSTORE (dst set) and
// SINTERCARD (cardOnly, stopping at limit when it is not 0), as Redis's
// sinterGenericCommand: every key is checked for its type before a missing
// key makes the result empty; the smallest set is walked and each member is
// looked up in the others.
func sinterGeneric(c *Client, keys [][]byte, dst []byte, cardOnly bool, limit int64) {
	m := lockKeys(c, keys, dst)
	defer c.unlockShards(c.db, m)
	sets, ok := lookupSets(c, keys)
	if !ok {
		return
	}
	if slices.Contains(sets, nil) {
		switch {
		case dst != nil:
			deleteStoreTarget(c, dst)
		case cardOnly:
			c.w.WriteInt(0)
		default:
			c.w.WriteSetLen(0)
		}
		return
	}
	slices.SortStableFunc(sets, func(a, b *setValue) int { return a.card() - b.card() })
	first := sets[0]
	member := func(x setElem) bool {
		for _, o := range sets[1:] {
			if o != first && !o.containsElem(x) {
				return false
			}
		}
		return true
	}
	n := first.card()
	switch {
	case cardOnly:
		var card int64
		for i := 0; i < n; i++ {
			if member(first.elem(i)) {
				card++
				if limit != 0 && card >= limit {
					break
				}
			}
		}
		c.w.WriteInt(card)
	case dst == nil:
		if len(sets) == 1 {
			writeMembers(c, first)
			return
		}
		var out []setElem
		for i := 0; i < n; i++ {
			if x := first.elem(i); member(x) {
				out = append(out, x)
			}
		}
		c.w.WriteSetLen(len(out))
		for _, x := range out {
			writeElem(c, x)
		}
	default:
		res := &setValue{}
		maxInts := maxIntsetEntries(c)
		for i := 0; i < n; i++ {
			if x := first.elem(i); member(x) {
				res.addElem(x, maxInts)
			}
		}
		storeResult(c, dst, res, "sinterstore")
	}
}

// storeResult is the end of the store commands: a non-empty result
// replaces dst (reply: its size), an empty one deletes dst (reply: 0).
func storeResult(c *Client, dst []byte, res *setValue, event string) {
	if res.card() == 0 {
		deleteStoreTarget(c, dst)
		return
	}
	sh := c.db.shard(dst)
	storeSet(c, sh, dst, res)
	c.w.WriteInt(int64(res.card()))
	notifyKeyspaceEvent(c.srv, notifySet, event, dst, c.db.id)
	sh.dirty++
	c.propArgs(c.args)
}

func cmdSInterCard(c *Client, args [][]byte) {
	numkeys, ok := parseStrictInt(args[1])
	if !ok || numkeys < 1 {
		c.err(errNumkeysPos)
		return
	}
	if numkeys > int64(len(args)-2) {
		c.err(errNumkeysTooMany)
		return
	}
	var limit int64
	for j := 2 + int(numkeys); j < len(args); j++ {
		if strFoldEq(args[j], "limit") && j+1 < len(args) {
			j++
			v, ok := parseStrictInt(args[j])
			if !ok || v < 0 {
				c.err(errLimitNegative)
				return
			}
			limit = v
			continue
		}
		c.err(errSyntax)
		return
	}
	sinterGeneric(c, args[2:2+numkeys], nil, true, limit)
}

// --- SUNION, SDIFF and their stores -------------------------------------------

const (
	setOpUnion = iota
	setOpDiff
)

// unionOf builds the union of sets (nil ones are empty) as Redis does: a
// new intset that every member is added to in turn.
func unionOf(sets []*setValue, maxInts int64) *setValue {
	res := &setValue{}
	for _, s := range sets {
		if s == nil {
			continue
		}
		for i, n := 0, s.card(); i < n; i++ {
			res.addElem(s.elem(i), maxInts)
		}
	}
	return res
}

// diffOf builds sets[0] minus the others with the algorithm Redis would pick
// (sunionDiffGenericCommand): walking the first set and probing the others
// when that is cheaper, else copying the first set and removing the others'
// members. The choice shows in the result's encoding, so it is Redis's.
func diffOf(sets []*setValue, maxInts int64) *setValue {
	res := &setValue{}
	first := sets[0]
	if first == nil {
		return res
	}
	var one, two int64
	for _, s := range sets {
		if s != nil {
			one += int64(first.card())
			two += int64(s.card())
		}
	}
	one /= 2
	if one <= two {
		n := first.card()
	next:
		for i := 0; i < n; i++ {
			x := first.elem(i)
			for _, o := range sets[1:] {
				if o == nil {
					continue
				}
				if o == first || o.containsElem(x) {
					continue next
				}
			}
			res.addElem(x, maxInts)
		}
		return res
	}
	for j, s := range sets {
		if s == nil {
			continue
		}
		for i, n := 0, s.card(); i < n; i++ {
			if j == 0 {
				res.addElem(s.elem(i), maxInts)
			} else {
				res.removeElem(s.elem(i))
			}
		}
		if res.card() == 0 {
			break
		}
	}
	return res
}

func sunionDiffGeneric(c *Client, keys [][]byte, dst []byte, op int) {
	m := lockKeys(c, keys, dst)
	defer c.unlockShards(c.db, m)
	sets, ok := lookupSets(c, keys)
	if !ok {
		return
	}
	maxInts := maxIntsetEntries(c)
	var res *setValue
	if op == setOpUnion {
		res = unionOf(sets, maxInts)
	} else {
		res = diffOf(sets, maxInts)
	}
	if dst == nil {
		writeMembers(c, res)
		return
	}
	event := "sunionstore"
	if op == setOpDiff {
		event = "sdiffstore"
	}
	storeResult(c, dst, res, event)
}

// --- SSCAN ------------------------------------------------------------------------

func cmdSScan(c *Client, args [][]byte) {
	cursor, ok := parseScanCursor(args[2])
	if !ok {
		c.err(errInvalidCursor)
		return
	}
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	defer c.unlockShard(sh)
	s, ok := readSet(c, sh, args[1])
	if !ok {
		return
	}
	if s == nil {
		c.w.WriteArrayLen(2)
		c.w.WriteBulkString("0")
		c.w.WriteArrayLen(0)
		return
	}
	// Options are parsed after the lookup, as scanGenericCommand does.
	o, ok := parseScanOptions(c, args[3:], false)
	if !ok {
		return
	}
	var out []setElem
	if s.ht == nil {
		// An intset is returned whole, with cursor 0.
		for _, v := range s.ints {
			out = append(out, setElem{v: v, isInt: true})
		}
		cursor = 0
	} else {
		budget := o.count * 10
		if budget/10 != o.count {
			budget = math.MaxInt64
		}
		collect := func(m string) { out = append(out, setElem{s: m}) }
		for {
			cursor = s.ht.scan(cursor, collect)
			if cursor == 0 || budget == 0 {
				break
			}
			budget--
			if int64(len(out)) >= o.count {
				break
			}
		}
	}
	if o.pattern != nil {
		kept := out[:0]
		var buf [20]byte
		for _, x := range out {
			var match bool
			if x.isInt {
				match = globMatch(o.pattern, strconv.AppendInt(buf[:0], x.v, 10), false)
			} else {
				match = globMatch(o.pattern, x.s, false)
			}
			if match {
				kept = append(kept, x)
			}
		}
		out = kept
	}
	c.w.WriteArrayLen(2)
	var tmp [20]byte
	c.w.WriteBulk(strconv.AppendUint(tmp[:0], cursor, 10))
	c.w.WriteArrayLen(len(out))
	for _, x := range out {
		writeElem(c, x)
	}
}

// --- DEBUG DIGEST, MEMORY USAGE, DUMP/RESTORE ---------------------------------

// setDigest is the value part of Redis's digest of a set: each member's
// SHA1 xored in, so that order does not matter; integers as their decimal
// text.
func setDigest(d *digest, e *entry) {
	s := e.obj.(*setValue)
	if s.ht != nil {
		for i := range s.ht.nodes {
			d.xor(strBytes(s.ht.nodes[i].s))
		}
		return
	}
	var buf [20]byte
	for _, v := range s.ints {
		d.xor(strconv.AppendInt(buf[:0], v, 10))
	}
}

// setMemoryUsage estimates MEMORY USAGE the way objectComputeSize does for
// redis-server's layout: an intset blob with the narrowest integer width
// that holds every member; a dict with its bucket array, and a dictEntry
// plus an sds string per member, averaged over the sampled members.
func setMemoryUsage(e *entry, samples int64) int64 {
	s := e.obj.(*setValue)
	if s.ht == nil {
		width := int64(2)
		if len(s.ints) > 0 {
			lo, hi := s.ints[0], s.ints[len(s.ints)-1]
			switch {
			case lo < math.MinInt32 || hi > math.MaxInt32:
				width = 8
			case lo < math.MinInt16 || hi > math.MaxInt16:
				width = 4
			}
		}
		return robjSize + jemallocSize(8+width*int64(len(s.ints)))
	}
	const dictSize = 56
	size := int64(robjSize + dictSize + 8*len(s.ht.buckets))
	var elems, n int64
	for i := range s.ht.nodes {
		if n >= samples {
			break
		}
		elems += dictEntrySize + sdsAllocSize(int64(len(s.ht.nodes[i].s)), false)
		n++
	}
	if n > 0 {
		size += int64(float64(elems) / float64(n) * float64(len(s.ht.nodes)))
	}
	return size
}

// Set payload bodies: the encoding (0 intset, 1 hashtable), the number of
// members, then the members (zigzag varints for an intset, strings for a
// hashtable).
const (
	setDumpIntset    = 0
	setDumpHashtable = 1
)

func setEncode(dst []byte, e *entry) []byte {
	s := e.obj.(*setValue)
	if s.ht == nil {
		dst = dumpAppendUvarint(dst, setDumpIntset)
		dst = dumpAppendUvarint(dst, uint64(len(s.ints)))
		for _, v := range s.ints {
			dst = dumpAppendUvarint(dst, uint64(v<<1)^uint64(v>>63))
		}
		return dst
	}
	dst = dumpAppendUvarint(dst, setDumpHashtable)
	dst = dumpAppendUvarint(dst, uint64(len(s.ht.nodes)))
	for i := range s.ht.nodes {
		dst = dumpAppendBytes(dst, strBytes(s.ht.nodes[i].s))
	}
	return dst
}

// setDecode loads a set payload the way redis-server's rdbLoadObject loads
// a set, together with setRestored, which applies set-max-intset-entries:
// an intset stays one unless it is too big; a hashtable whose members are
// all integers comes back as an intset when it is small enough (so a set
// that only became a hashtable through a member since removed is an intset
// again, as in Redis), else as a hashtable.
func setDecode(r *dumpReader, e *entry) error {
	enc := r.uvarint()
	n := r.count(1)
	if r.err != nil || n == 0 {
		return errDumpFormat
	}
	s := &setValue{ints: make([]int64, 0, n)}
	switch enc {
	case setDumpIntset:
		for i := 0; i < n; i++ {
			u := r.uvarint()
			v := int64(u>>1) ^ -int64(u&1)
			if r.err != nil || (i > 0 && v <= s.ints[i-1]) {
				return errDumpFormat
			}
			s.ints = append(s.ints, v)
		}
	case setDumpHashtable:
		for i := 0; i < n; i++ {
			b := r.bytes()
			if r.err != nil {
				return r.err
			}
			if s.ht == nil {
				if v, ok := parseStrictInt(b); ok {
					s.ints = append(s.ints, v)
					continue
				}
				if !sortedDistinct(s.ints) {
					return errDumpFormat
				}
				s.toHashtable()
			}
			if !s.add(b, math.MaxInt64) {
				return errDumpFormat // a member twice
			}
		}
		if s.ht == nil && !sortedDistinct(s.ints) {
			return errDumpFormat
		}
	default:
		return errDumpFormat
	}
	e.obj = s
	return nil
}

// sortedDistinct sorts ints and reports whether they are distinct.
func sortedDistinct(ints []int64) bool {
	slices.Sort(ints)
	for i := 1; i < len(ints); i++ {
		if ints[i] == ints[i-1] {
			return false
		}
	}
	return true
}

// setRestored converts a restored intset that holds more members than
// set-max-intset-entries.
func setRestored(srv *Server, e *entry) {
	s := e.obj.(*setValue)
	if s.ht == nil && int64(len(s.ints)) > srv.cfg.load().SetMaxIntsetEntries {
		s.toHashtable()
	}
}
