package backend

import (
	"math"
	"math/bits"
	"strconv"

	"github.com/shardis/shardis/internal/resp"
)

// The sorted-set value (redis-server 7.0's t_zset.c keeps the same two
// views): a ztree orders the members by score, and, for a set Redis would
// encode as a skiplist, a zdict maps each member to its score.
//
// The encoding OBJECT ENCODING reports follows Redis's rules exactly,
// because it changes visible behaviour: a listpack stores scores as text or
// integers, so -0 becomes 0, and ZSCAN returns a listpack whole, in order,
// where a skiplist's hash table is scanned with a cursor. A set starts as a
// listpack and becomes a skiplist when a new member makes it longer than
// zset-max-listpack-entries or the member is longer than
// zset-max-listpack-value; it never goes back, except that a set created
// whole (ZUNIONSTORE and friends, ZRANGESTORE, RESTORE) gets the encoding its
// contents call for. A listpack-encoded set has no zdict: members are found
// by walking the items, as Redis walks a listpack, which is O(n) for the
// n <= 128 items the default allows.

// zset is a sorted set: entry.obj of a kindZSet entry.
type zset struct {
	tree ztree
	dict *zdict // nil while the set is listpack-encoded
}

// zsetLimits are the listpack thresholds (zset-max-listpack-entries,
// zset-max-listpack-value).
type zsetLimits struct{ entries, value int64 }

func limitsOf(o *Options) zsetLimits {
	return zsetLimits{entries: o.ZSetMaxListpackEntries, value: o.ZSetMaxListpackValue}
}

func (c *Client) zsetLimits() zsetLimits { return limitsOf(c.srv.cfg.load()) }

// fits reports whether a set of n members, the longest maxLen bytes, is
// listpack-encoded when created whole.
func (l zsetLimits) fits(n int, maxLen int) bool {
	return int64(n) <= l.entries && int64(maxLen) <= l.value
}

func (z *zset) len() int       { return z.tree.len() }
func (z *zset) listpack() bool { return z.dict == nil }

// find returns member's score and the set's own copy of the member.
func (z *zset) find(member []byte) (score float64, stored string, ok bool) {
	if z.dict != nil {
		if i := z.dict.find(member); i >= 0 {
			e := &z.dict.ents[i]
			return e.score, e.member, true
		}
		return 0, "", false
	}
	for n := z.tree.head; n != nil; n = n.next {
		for i := range n.items {
			if n.items[i].member == string(member) {
				return n.items[i].score, n.items[i].member, true
			}
		}
	}
	return 0, "", false
}

// listpackScore is score as a listpack stores it: -0 comes back as 0,
// because zzlInsertAt stores a double that is a whole number as an integer.
func listpackScore(score float64) float64 {
	if score == 0 {
		return 0
	}
	return score
}

// add inserts a member that is not in the set.
func (z *zset) add(member string, score float64) {
	if z.dict == nil {
		score = listpackScore(score)
	} else {
		z.dict.add(member, score)
	}
	z.tree.insert(zitem{member: member, score: score})
}

// setScore moves member (the set's own string) from score old to score new.
func (z *zset) setScore(member string, old, new float64) {
	if z.dict == nil {
		new = listpackScore(new)
	} else {
		z.dict.setScore(member, new)
	}
	z.tree.delete(old, member)
	z.tree.insert(zitem{member: member, score: new})
}

// remove deletes member and reports whether it was there.
func (z *zset) remove(member []byte) bool {
	score, stored, ok := z.find(member)
	if !ok {
		return false
	}
	z.tree.delete(score, stored)
	if z.dict != nil {
		z.dict.remove(member)
	}
	return true
}

// removeItem deletes an item known to be in the set.
func (z *zset) removeItem(it zitem) {
	z.tree.delete(it.score, it.member)
	if z.dict != nil {
		z.dict.removeStr(it.member)
	}
}

// toSkiplist converts a listpack-encoded set (zsetConvert).
func (z *zset) toSkiplist() {
	if z.dict != nil {
		return
	}
	d := newZdict(z.len())
	for n := z.tree.head; n != nil; n = n.next {
		for i := range n.items {
			d.add(n.items[i].member, n.items[i].score)
		}
	}
	z.dict = d
}

// toListpack converts a skiplist-encoded set: the scores become what a
// listpack would read back.
func (z *zset) toListpack() {
	if z.dict == nil {
		return
	}
	z.dict = nil
	z.normalizeListpackScores()
}

// normalizeListpackScores makes every score what a listpack reads back.
func (z *zset) normalizeListpackScores() {
	for n := z.tree.head; n != nil; n = n.next {
		for i := range n.items {
			n.items[i].score = listpackScore(n.items[i].score)
		}
	}
}

// maxMemberLen is the length of the longest member.
func (z *zset) maxMemberLen() int {
	m := 0
	for n := z.tree.head; n != nil; n = n.next {
		for i := range n.items {
			m = max(m, len(n.items[i].member))
		}
	}
	return m
}

// newZsetFromSorted makes a set of items that are sorted and distinct, with
// the encoding their number and lengths call for (a set built whole, then
// converted to a listpack when it fits).
func newZsetFromSorted(items []zitem, lim zsetLimits) *zset {
	maxLen := 0
	for i := range items {
		maxLen = max(maxLen, len(items[i].member))
	}
	listpack := lim.fits(len(items), maxLen)
	if listpack {
		for i := range items {
			items[i].score = listpackScore(items[i].score)
		}
	}
	return newZsetEncoded(items, listpack)
}

// newZsetEncoded makes a set of items that are sorted and distinct, with
// the given encoding; a listpack's scores must be normalized already.
func newZsetEncoded(items []zitem, listpack bool) *zset {
	z := &zset{}
	if !listpack {
		z.dict = newZdict(len(items))
		for i := range items {
			z.dict.add(items[i].member, items[i].score)
		}
	}
	z.tree = buildZtree(items)
	return z
}

// dup returns a deep copy with the same encoding (zsetDup). Member strings
// are immutable and shared.
func (z *zset) dup() *zset {
	items := z.tree.appendItems(make([]zitem, 0, z.len()))
	nz := &zset{tree: buildZtree(items)}
	if z.dict != nil {
		nz.dict = newZdict(len(items))
		for i := range items {
			nz.dict.add(items[i].member, items[i].score)
		}
	}
	return nz
}

// zsetOf returns e's sorted set.
func zsetOf(e *entry) *zset { return e.obj.(*zset) }

// --- zdict -----------------------------------------------------------------

// zdict maps a skiplist-encoded set's members to their scores. It is a
// chained hash table with power-of-two bucket counts, like dict, so that
// ZSCAN can use Redis's reverse-binary cursor (a member present for a whole
// scan is returned at least once, whatever resizes happen in between); Go
// maps offer no resumable iteration. Entries live in one slice and chain by
// index, so the table costs 4 bytes per bucket and 32 per member, with no
// allocation per member.
type zdict struct {
	buckets []int32 // 1 + index in ents of the chain's first entry; 0: empty
	ents    []zdEntry
	free    int32 // 1 + index of the first free entry, chained through next
	count   int
}

type zdEntry struct {
	member string
	score  float64
	hash   uint32
	// next links the chains: 1 + index of the next entry, 0 at the end.
	// A free entry holds -1 - (the free list's next link) instead, so it
	// is always negative.
	next int32
}

func (e *zdEntry) live() bool { return e.next >= 0 }

func newZdict(hint int) *zdict {
	n := 4
	for n < hint {
		n *= 2
	}
	return &zdict{buckets: make([]int32, n), ents: make([]zdEntry, 0, hint)}
}

func (d *zdict) mask() uint32 { return uint32(len(d.buckets) - 1) }

// find returns the index of member's entry, or -1.
func (d *zdict) find(member []byte) int32 {
	h := uint32(hashKey(member))
	for i := d.buckets[h&d.mask()]; i != 0; {
		e := &d.ents[i-1]
		if e.hash == h && e.member == string(member) {
			return i - 1
		}
		i = e.next
	}
	return -1
}

// findStr is find for a member held as a string.
func (d *zdict) findStr(member string) int32 {
	h := uint32(hashString(member))
	for i := d.buckets[h&d.mask()]; i != 0; {
		e := &d.ents[i-1]
		if e.hash == h && e.member == member {
			return i - 1
		}
		i = e.next
	}
	return -1
}

// add inserts member, which must be absent.
func (d *zdict) add(member string, score float64) {
	if d.count >= len(d.buckets) {
		d.resize(len(d.buckets) * 2)
	}
	h := uint32(hashString(member))
	var i int32
	if d.free != 0 {
		i = d.free
		d.free = -1 - d.ents[i-1].next
	} else {
		d.ents = append(d.ents, zdEntry{})
		i = int32(len(d.ents))
	}
	b := h & d.mask()
	d.ents[i-1] = zdEntry{member: member, score: score, hash: h, next: d.buckets[b]}
	d.buckets[b] = i
	d.count++
}

// setScore changes the score of member, which must be present.
func (d *zdict) setScore(member string, score float64) {
	d.ents[d.findStr(member)].score = score
}

// remove deletes member and reports whether it was there.
func (d *zdict) remove(member []byte) bool {
	return d.removeHashed(uint32(hashKey(member)), func(e *zdEntry) bool { return e.member == string(member) })
}

// removeStr is remove for a member held as a string.
func (d *zdict) removeStr(member string) bool {
	return d.removeHashed(uint32(hashString(member)), func(e *zdEntry) bool { return e.member == member })
}

func (d *zdict) removeHashed(h uint32, is func(*zdEntry) bool) bool {
	for p := &d.buckets[h&d.mask()]; *p != 0; {
		i := *p
		e := &d.ents[i-1]
		if e.hash == h && is(e) {
			*p = e.next
			*e = zdEntry{next: -1 - d.free}
			d.free = i
			d.count--
			if len(d.buckets) > 4 && d.count*8 < len(d.buckets) {
				d.resize(max(4, 1<<bits.Len(uint(d.count))))
			}
			return true
		}
		p = &e.next
	}
	return false
}

// resize rehashes into n buckets. Freed entries are dropped from the slice
// at the same time when they have become a large part of it.
func (d *zdict) resize(n int) {
	if holes := len(d.ents) - d.count; holes > 16 && holes > d.count/2 {
		live := make([]zdEntry, 0, d.count+d.count/4)
		for _, e := range d.ents {
			if e.live() {
				live = append(live, e)
			}
		}
		d.ents, d.free = live, 0
	}
	d.buckets = make([]int32, n)
	m := d.mask()
	for i := range d.ents {
		e := &d.ents[i]
		if !e.live() {
			continue
		}
		b := e.hash & m
		e.next = d.buckets[b]
		d.buckets[b] = int32(i + 1)
	}
}

// scan visits the bucket at cursor and returns the next cursor, 0 when the
// table has been covered (dictScan for one table; see dict.scan).
func (d *zdict) scan(cursor uint64, fn func(*zdEntry)) uint64 {
	m := uint64(d.mask())
	for i := d.buckets[cursor&m]; i != 0; i = d.ents[i-1].next {
		fn(&d.ents[i-1])
	}
	cursor |= ^m
	cursor = bits.Reverse64(cursor)
	cursor++
	return bits.Reverse64(cursor)
}

// --- Scores as text ----------------------------------------------------------

// appendScore formats a score as redis-server replies with it ("%.17g",
// inf, -inf).
func appendScore(b []byte, f float64) []byte { return resp.AppendDouble(b, f) }

// appendListpackScore formats a score as a listpack holds it, which is what
// ZSCAN returns for a listpack-encoded set: a whole number within
// ±(2^63-1)/2 as an integer (double2ll), anything else as "%.17g".
func appendListpackScore(b []byte, f float64) []byte {
	if f >= -float64(math.MaxInt64/2) && f <= float64(math.MaxInt64/2) {
		if ll := int64(f); float64(ll) == f {
			return strconv.AppendInt(b, ll, 10)
		}
	}
	return appendScore(b, f)
}

// --- DUMP, COPY, DEBUG DIGEST, OBJECT ENCODING, MEMORY USAGE -------------

func init() {
	registerValueCodec(kindZSet, &valueCodec{
		tag:      dumpTagZSet,
		encode:   zsetEncode,
		decode:   zsetDecode,
		dup:      func(dst, src *entry) { dst.obj = zsetOf(src).dup() },
		restored: zsetRestored,
	})
	valueDigests[kindZSet] = zsetDigest
	objectEncodings[kindZSet] = func(e *entry) string {
		if zsetOf(e).listpack() {
			return "listpack"
		}
		return "skiplist"
	}
	memoryUsages[kindZSet] = zsetMemoryUsage
}

// Encodings in a payload. Redis gives a loaded set an encoding that depends
// on the one it was saved with (see zsetRestored), so a payload says which.
const (
	zsetDumpListpack byte = 0
	zsetDumpSkiplist byte = 1
)

// zsetEncode writes the encoding, then the items in order: a count, then
// each member and its score.
func zsetEncode(dst []byte, e *entry) []byte {
	z := zsetOf(e)
	enc := zsetDumpSkiplist
	if z.listpack() {
		enc = zsetDumpListpack
	}
	dst = dumpAppendUvarint(dst, uint64(enc))
	dst = dumpAppendUvarint(dst, uint64(z.len()))
	for it := z.tree.first(); it.valid(); it.next() {
		dst = dumpAppendBytes(dst, []byte(it.item().member))
		dst = dumpAppendFloat(dst, it.item().score)
	}
	return dst
}

// zsetDecode reads what zsetEncode wrote, refusing what no sorted set could
// hold: NaN scores, items out of order, a member twice, no items at all.
// The set keeps the encoding it was saved with until zsetRestored.
func zsetDecode(r *dumpReader, e *entry) error {
	enc := r.uvarint()
	n := r.count(1 + 8)
	if r.err != nil {
		return r.err
	}
	if n == 0 || enc != uint64(zsetDumpListpack) && enc != uint64(zsetDumpSkiplist) {
		return errDumpFormat
	}
	items := make([]zitem, 0, n)
	seen := make(map[string]struct{}, n)
	for i := 0; i < n; i++ {
		m := string(r.bytes())
		score := r.float()
		if r.err != nil {
			return r.err
		}
		if math.IsNaN(score) {
			return errDumpFormat
		}
		if i > 0 && zcmp(score, m, &items[i-1]) <= 0 {
			return errDumpFormat
		}
		if _, dup := seen[m]; dup {
			return errDumpFormat
		}
		seen[m] = struct{}{}
		items = append(items, zitem{member: m, score: score})
	}
	z := &zset{tree: buildZtree(items)}
	if enc == uint64(zsetDumpSkiplist) {
		z.toSkiplist()
	} else {
		z.normalizeListpackScores()
	}
	e.obj = z
	return nil
}

// zsetRestored gives a restored set the encoding redis-server gives a loaded
// one (rdbLoadObject): a listpack stays one unless it has more members than
// zset-max-listpack-entries; a skiplist becomes a listpack when its size and
// its longest member are both within the thresholds.
func zsetRestored(s *Server, e *entry) {
	z := zsetOf(e)
	lim := limitsOf(s.cfg.load())
	if z.listpack() {
		if int64(z.len()) > lim.entries {
			z.toSkiplist()
		}
		return
	}
	if lim.fits(z.len(), z.maxMemberLen()) {
		z.toListpack()
	}
}

// zsetDigest is the value part of Redis's digest of a sorted set: for each
// member, the digest of the member then of its score ("%.17g"), xored
// together, so that order does not matter.
func zsetDigest(d *digest, e *entry) {
	var buf [32]byte
	z := zsetOf(e)
	for it := z.tree.first(); it.valid(); it.next() {
		var ed digest
		ed.mixString(it.item().member)
		ed.mix(appendScore(buf[:0], it.item().score))
		d.xor(ed[:])
	}
}

// zsetMemoryUsage estimates what redis-server would allocate: a listpack's
// bytes, or a skiplist node, a dict entry and an sds per member.
func zsetMemoryUsage(e *entry, samples int64) int64 {
	z := zsetOf(e)
	n := int64(z.len())
	var bytes int64
	seen := int64(0)
	for it := z.tree.first(); it.valid() && (samples <= 0 || seen < samples); it.next() {
		bytes += int64(len(it.item().member))
		seen++
	}
	if seen > 0 {
		bytes = bytes * n / seen
	}
	if z.listpack() {
		return robjSize + jemallocSize(6+bytes+n*(2+2+9)+1)
	}
	return robjSize + 32 + n*(dictEntrySize+48+3+1) + bytes + int64(len(z.dict.buckets))*8
}
