package backend

import (
	"encoding/binary"
	"math"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"unsafe"
)

// The hash commands (redis-server 7.0's t_hash.c): HSET, HMSET, HSETNX,
// HGET, HMGET, HDEL, HEXISTS, HLEN, HSTRLEN, HKEYS, HVALS, HGETALL, HINCRBY,
// HINCRBYFLOAT, HRANDFIELD and HSCAN.
//
// A hash is kept in one of Redis's two encodings, which OBJECT ENCODING
// reports (hashRef says where each lives in the entry):
//
//   - listpack: every field and value in one byte string, in insertion
//     order, searched linearly, as Redis's listpack is. HKEYS, HGETALL and
//     HSCAN answer in that order, as redis-server does.
//   - hashtable: a chained hash table with power-of-two bucket counts, grown
//     and shrunk at Redis's load factors, scanned with Redis's
//     reverse-binary cursor.
//
// A hash starts as a listpack and becomes a hashtable for good once it holds
// more than hash-max-listpack-entries fields or a field or value longer than
// hash-max-listpack-value bytes (checked whenever a field is set, with the
// configuration of that moment), exactly when redis-server converts.

func init() {
	register("hset", func(c *Client, args [][]byte) { hsetGeneric(c, args, "hset") })
	register("hmset", func(c *Client, args [][]byte) { hsetGeneric(c, args, "hmset") })
	register("hsetnx", cmdHSetNX)
	register("hget", cmdHGet)
	register("hmget", cmdHMGet)
	register("hdel", cmdHDel)
	register("hexists", cmdHExists)
	register("hlen", cmdHLen)
	register("hstrlen", cmdHStrlen)
	register("hkeys", func(c *Client, args [][]byte) { hgetallGeneric(c, args[1], true, false) })
	register("hvals", func(c *Client, args [][]byte) { hgetallGeneric(c, args[1], false, true) })
	register("hgetall", func(c *Client, args [][]byte) { hgetallGeneric(c, args[1], true, true) })
	register("hincrby", cmdHIncrBy)
	register("hincrbyfloat", cmdHIncrByFloat)
	register("hrandfield", cmdHRandField)
	register("hscan", cmdHScan)

	registerValueCodec(kindHash, &valueCodec{
		tag:    dumpTagHash,
		encode: hashDumpEncode,
		decode: hashDumpDecode,
		dup:    hashDup,
		restored: func(s *Server, e *entry) {
			hashRef{e}.fitRestored(e.enc == hashEncFromTable, hashLimitsOf(s))
			e.enc = 0
		},
	})
	valueDigests[kindHash] = hashDigest
	objectEncodings[kindHash] = func(e *entry) string {
		if e.obj != nil {
			return "hashtable"
		}
		return "listpack"
	}
	memoryUsages[kindHash] = hashMemoryUsage
}

// Error replies of the hash commands, with redis-server's texts.
const (
	errHashNotInt      = "ERR hash value is not an integer"
	errHashNotFloat    = "ERR hash value is not a float"
	errHashIncrNaN     = "ERR value is NaN or Infinity"
	errHRandRange      = "ERR value is out of range"
	errHRandCountRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
)

// --- Limits -----------------------------------------------------------------

// hashLimits are hash-max-listpack-entries and hash-max-listpack-value.
type hashLimits struct {
	entries int64
	value   int64
}

func hashLimitsOf(s *Server) hashLimits {
	o := s.cfg.load()
	return hashLimits{entries: o.HashMaxListpackEntries, value: o.HashMaxListpackValue}
}

// hashLPMaxSafety is Redis's LISTPACK_MAX_SAFETY_SIZE: a listpack never grows
// beyond 1 GiB; a hash that would is converted first.
const hashLPMaxSafety = 1 << 30

// --- The value --------------------------------------------------------------

// hashRef is a hash's entry seen through its encoding. A listpack lives in
// entry.str, so that a small hash costs its entry and one byte string, as
// it costs Redis an robj and a listpack: a 4-byte little-endian field
// count, then each field and then its value as a uvarint length and the
// bytes. A hashtable is a *hashTable in entry.obj (entry.str is then nil).
type hashRef struct{ e *entry }

// hashLPHdr is the size of a listpack's field count.
const hashLPHdr = 4

func (h hashRef) ht() *hashTable {
	if h.e.obj == nil {
		return nil
	}
	return h.e.obj.(*hashTable)
}

func (h hashRef) lpCount() int { return int(binary.LittleEndian.Uint32(h.e.str)) }

func (h hashRef) lpSetCount(n int) { binary.LittleEndian.PutUint32(h.e.str, uint32(n)) }

func (h hashRef) len() int {
	if t := h.ht(); t != nil {
		return t.count
	}
	return h.lpCount()
}

// hashLPLen decodes the length at lp[off].
func hashLPLen(lp []byte, off int) (n, next int) {
	if x := lp[off]; x < 0x80 {
		return int(x), off + 1
	}
	v, k := binary.Uvarint(lp[off:])
	return int(v), off + k
}

// hashLPEntry decodes the entry at off: its field, where its value's length
// starts, its value, and the offset of the next entry.
func hashLPEntry(lp []byte, off int) (f []byte, voff int, v []byte, next int) {
	fl, p := hashLPLen(lp, off)
	voff = p + fl
	vl, q := hashLPLen(lp, voff)
	return lp[p:voff], voff, lp[q : q+vl], q + vl
}

// lpFind returns the offset of field's entry, where its value's length
// starts and the value, or off -1.
func (h hashRef) lpFind(field []byte) (off, voff int, v []byte) {
	lp := h.e.str
	for off := hashLPHdr; off < len(lp); {
		f, voff, v, next := hashLPEntry(lp, off)
		if string(f) == string(field) {
			return off, voff, v
		}
		off = next
	}
	return -1, 0, nil
}

// lpReserve makes room for extra more bytes. A listpack is allocated to
// its size, as Redis reallocates its listpacks; one that grows again gets
// an eighth more, so that filling a hash field by field copies it a
// logarithmic number of times.
func (h hashRef) lpReserve(extra int) {
	lp := h.e.str
	if cap(lp)-len(lp) >= extra {
		return
	}
	n := len(lp) + extra
	if len(lp) > hashLPHdr {
		n += n / 8
	}
	nb := make([]byte, len(lp), n)
	copy(nb, lp)
	h.e.str = nb
}

// lpAppend appends field and value, whose space is reserved.
func (h hashRef) lpAppend(field, value []byte) {
	lp := binary.AppendUvarint(h.e.str, uint64(len(field)))
	lp = append(lp, field...)
	lp = binary.AppendUvarint(lp, uint64(len(value)))
	h.e.str = append(lp, value...)
}

func hashLPPairSize(field, value []byte) int {
	return hashUvarintLen(uint64(len(field))) + len(field) + hashUvarintLen(uint64(len(value))) + len(value)
}

// lpSplice replaces lp[start:end] with the encoding of item, or with
// nothing when item is nil.
func (h hashRef) lpSplice(start, end int, item []byte) {
	need := 0
	if item != nil {
		need = hashUvarintLen(uint64(len(item))) + len(item)
	}
	old := end - start
	n := len(h.e.str)
	switch {
	case need < old:
		lp := h.e.str
		copy(lp[start+need:], lp[end:])
		lp = lp[:n-(old-need)]
		if cap(lp) > 2*len(lp)+64 {
			// Much shorter than its allocation: give the rest back.
			lp = append([]byte(nil), lp...)
		}
		h.e.str = lp
	case need > old:
		grow := need - old
		h.lpReserve(grow)
		lp := h.e.str[:n+grow]
		copy(lp[end+grow:], lp[end:n])
		h.e.str = lp
	}
	if item != nil {
		p := start + binary.PutUvarint(h.e.str[start:], uint64(len(item)))
		copy(h.e.str[p:], item)
	}
}

func hashUvarintLen(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

// get returns field's value.
func (h hashRef) get(field []byte) ([]byte, bool) {
	if t := h.ht(); t != nil {
		if n := t.find(field); n != nil {
			return n.valueBytes(), true
		}
		return nil, false
	}
	off, _, v := h.lpFind(field)
	return v, off >= 0
}

// set stores value under field, converting to a hashtable when the limits
// say so (Redis's hashTypeSet), and reports whether field is new.
func (h hashRef) set(field, value []byte, lim hashLimits) bool {
	if h.e.obj == nil && (int64(len(field)) > lim.value || int64(len(value)) > lim.value ||
		len(h.e.str)+len(field)+len(value) > hashLPMaxSafety) {
		h.convert()
	}
	if t := h.ht(); t != nil {
		return t.set(field, value)
	}
	created := false
	if off, voff, v := h.lpFind(field); off >= 0 {
		vend := voff + hashUvarintLen(uint64(len(v))) + len(v)
		h.lpSplice(voff, vend, value)
	} else {
		h.lpReserve(hashLPPairSize(field, value))
		h.lpAppend(field, value)
		h.lpSetCount(h.lpCount() + 1)
		created = true
	}
	if int64(h.lpCount()) > lim.entries {
		h.convert()
	}
	return created
}

// del removes field and reports whether it was there. A hashtable stays one.
func (h hashRef) del(field []byte) bool {
	if t := h.ht(); t != nil {
		return t.del(field)
	}
	off, _, _ := h.lpFind(field)
	if off < 0 {
		return false
	}
	_, _, _, next := hashLPEntry(h.e.str, off)
	h.lpSplice(off, next, nil)
	h.lpSetCount(h.lpCount() - 1)
	return true
}

// each calls fn for every field and value in storage order until it
// returns false. The slices are only valid during the call.
func (h hashRef) each(fn func(f, v []byte) bool) {
	if t := h.ht(); t != nil {
		for _, n := range t.buckets {
			for ; n != nil; n = n.next {
				if !fn(n.fieldBytes(), n.valueBytes()) {
					return
				}
			}
		}
		return
	}
	lp := h.e.str
	for off := hashLPHdr; off < len(lp); {
		f, _, v, next := hashLPEntry(lp, off)
		if !fn(f, v) {
			return
		}
		off = next
	}
}

// convert turns a listpack into a hashtable, fields in listpack order.
func (h hashRef) convert() {
	t := &hashTable{}
	t.resize(hashTableSize(h.lpCount()))
	h.each(func(f, v []byte) bool {
		t.insert(f, v)
		return true
	})
	h.e.obj, h.e.str = t, nil
}

// fitRestored gives a hash RESTORE loaded the encoding redis-server 7.0
// gives a loaded hash: a listpack payload stays a listpack unless it has
// more than lim.entries fields; a hashtable's payload becomes a listpack
// only when it has at most lim.entries fields and no field or value longer
// than lim.value. The value was decoded as a listpack.
func (h hashRef) fitRestored(fromTable bool, lim hashLimits) {
	fits := int64(h.lpCount()) <= lim.entries
	if fromTable {
		h.each(func(f, v []byte) bool {
			fits = fits && int64(len(f)) <= lim.value && int64(len(v)) <= lim.value
			return fits
		})
	}
	if !fits {
		h.convert()
	}
}

// hashDup makes dst's value a deep copy of src's, in the same encoding
// (COPY). Hashtable nodes are new; their strings are immutable and shared.
func hashDup(dst, src *entry) {
	dst.str, dst.obj, dst.enc = nil, nil, 0
	t := hashRef{src}.ht()
	if t == nil {
		dst.str = append([]byte(nil), src.str...)
		return
	}
	nt := &hashTable{count: t.count, buckets: make([]*hashNode, len(t.buckets))}
	for i, n := range t.buckets {
		p := &nt.buckets[i]
		for ; n != nil; n = n.next {
			*p = &hashNode{kv: n.kv, flen: n.flen}
			p = &(*p).next
		}
	}
	dst.obj = nt
}

// --- The hashtable encoding -------------------------------------------------

// hashTable is a chained hash table of fields. Like Redis's dict it has a
// power-of-two number of buckets (at least 4), doubles when it holds as
// many fields as buckets, and halves down when under a tenth full, so that
// HSCAN's reverse-binary cursor keeps Redis's guarantee: a field present
// for a whole scan is returned at least once.
type hashTable struct {
	buckets []*hashNode
	count   int
}

// hashNode is one field: its bytes and its value's in one immutable string,
// so a field costs two allocations.
type hashNode struct {
	next *hashNode
	kv   string
	flen int // the field is kv[:flen]
}

func (n *hashNode) field() string { return n.kv[:n.flen] }
func (n *hashNode) value() string { return n.kv[n.flen:] }

// fieldBytes and valueBytes view the immutable string as bytes, for code
// shared with the listpack encoding; nothing may write through them.
func (n *hashNode) fieldBytes() []byte { return unsafe.Slice(unsafe.StringData(n.kv), n.flen) }
func (n *hashNode) valueBytes() []byte {
	return unsafe.Slice(unsafe.StringData(n.kv), len(n.kv))[n.flen:]
}

func hashKV(f, v []byte) string {
	var b strings.Builder
	b.Grow(len(f) + len(v))
	b.Write(f)
	b.Write(v)
	return b.String()
}

// hashTableSize is the bucket count Redis's dict gives n fields: the
// smallest power of two of at least max(n, 4).
func hashTableSize(n int) int {
	if n <= 4 {
		return 4
	}
	return 1 << bits.Len(uint(n-1))
}

func (t *hashTable) find(field []byte) *hashNode {
	for n := t.buckets[hashKey(field)&uint64(len(t.buckets)-1)]; n != nil; n = n.next {
		if n.field() == string(field) {
			return n
		}
	}
	return nil
}

// insert adds a field that is not present.
func (t *hashTable) insert(field, value []byte) {
	if t.count >= len(t.buckets) {
		t.resize(hashTableSize(t.count + 1))
	}
	i := hashKey(field) & uint64(len(t.buckets)-1)
	t.buckets[i] = &hashNode{next: t.buckets[i], kv: hashKV(field, value), flen: len(field)}
	t.count++
}

func (t *hashTable) set(field, value []byte) bool {
	if n := t.find(field); n != nil {
		n.kv = hashKV(field, value)
		return false
	}
	t.insert(field, value)
	return true
}

func (t *hashTable) del(field []byte) bool {
	for p := &t.buckets[hashKey(field)&uint64(len(t.buckets)-1)]; *p != nil; p = &(*p).next {
		if n := *p; n.field() == string(field) {
			*p = n.next
			t.count--
			if len(t.buckets) > 4 && t.count*100/len(t.buckets) < 10 {
				t.resize(hashTableSize(t.count))
			}
			return true
		}
	}
	return false
}

// resize rehashes every node into n buckets at once.
func (t *hashTable) resize(n int) {
	old := t.buckets
	t.buckets = make([]*hashNode, n)
	m := uint64(n - 1)
	for _, nd := range old {
		for nd != nil {
			next := nd.next
			i := hashString(nd.field()) & m
			nd.next = t.buckets[i]
			t.buckets[i] = nd
			nd = next
		}
	}
}

// scan visits the bucket at cursor and returns the next cursor (0: done),
// as dict.scan does for the keyspace.
func (t *hashTable) scan(cursor uint64, fn func(*hashNode)) uint64 {
	m := uint64(len(t.buckets) - 1)
	for n := t.buckets[cursor&m]; n != nil; n = n.next {
		fn(n)
	}
	cursor |= ^m
	cursor = bits.Reverse64(cursor)
	cursor++
	return bits.Reverse64(cursor)
}

// random returns a random field: a random non-empty bucket, then a random
// node of its chain (Redis's dictGetRandomKey). The table is not empty.
func (t *hashTable) random() *hashNode {
	m := uint64(len(t.buckets) - 1)
	for {
		n := t.buckets[rand.Uint64()&m]
		if n == nil {
			continue
		}
		k := 0
		for p := n; p != nil; p = p.next {
			k++
		}
		for k = rand.IntN(k); k > 0; k-- {
			n = n.next
		}
		return n
	}
}

// --- Looking hashes up ------------------------------------------------------

// hashForWrite is hashTypeLookupWriteOrCreate: key's hash, created empty
// when absent (with room for reserve bytes of fields and values), or ok
// false after a WRONGTYPE reply. The shard is locked.
func hashForWrite(c *Client, sh *shard, key []byte, reserve int) (h hashRef, ok bool) {
	e := sh.peekTouched(c.db, key, c.now)
	if e == nil {
		e = sh.add(c.db, key, kindHash)
		e.str = make([]byte, hashLPHdr, hashLPHdr+reserve)
		return hashRef{e}, true
	}
	if e.kind != kindHash {
		c.err(errWrongType)
		return hashRef{}, false
	}
	return hashRef{e}, true
}

// hashForRead looks key up for reading: its hash (h.e nil when absent, ok
// true), or ok false after the WRONGTYPE reply. The shard is locked.
func hashForRead(c *Client, sh *shard, key []byte) (h hashRef, ok bool) {
	e := sh.lookup(c.db, key, c.now, !c.noTouch.Load())
	if e != nil && e.kind != kindHash {
		c.err(errWrongType)
		return hashRef{}, false
	}
	return hashRef{e}, true
}

// --- HSET, HMSET, HSETNX ------------------------------------------------------

// hsetGeneric is HSET (replies with the number of new fields) and HMSET
// (replies OK).
func hsetGeneric(c *Client, args [][]byte, name string) {
	if len(args)%2 != 0 {
		c.err("ERR wrong number of arguments for '" + name + "' command")
		return
	}
	// A new hash's listpack is allocated once, to its size.
	lim := hashLimitsOf(c.srv)
	reserve := 0
	if int64(len(args)-2)/2 <= lim.entries {
		for i := 2; i < len(args); i += 2 {
			reserve += hashLPPairSize(args[i], args[i+1])
		}
	}
	key := args[1]
	db := c.db
	sh := db.shard(key)
	c.lockShard(sh)
	h, isHash := hashForWrite(c, sh, key, reserve)
	if !isHash {
		c.unlockShard(sh)
		return
	}
	created := 0
	for i := 2; i < len(args); i += 2 {
		if h.set(args[i], args[i+1], lim) {
			created++
		}
	}
	if name == "hset" {
		c.w.WriteInt(int64(created))
	} else {
		c.w.WriteOK()
	}
	signalModifiedKey(db, key)
	notifyKeyspaceEvent(c.srv, notifyHash, "hset", key, db.id)
	sh.dirty += int64(len(args)-2) / 2
	c.propArgs(args)
	c.unlockShard(sh)
}

func cmdHSetNX(c *Client, args [][]byte) {
	key := args[1]
	db := c.db
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	h, isHash := hashForWrite(c, sh, key, hashLPPairSize(args[2], args[3]))
	if !isHash {
		return
	}
	if _, ok := h.get(args[2]); ok {
		c.w.WriteInt(0)
		return
	}
	h.set(args[2], args[3], hashLimitsOf(c.srv))
	c.w.WriteInt(1)
	signalModifiedKey(db, key)
	notifyKeyspaceEvent(c.srv, notifyHash, "hset", key, db.id)
	sh.dirty++
	c.propArgs(args)
}

// --- HGET, HMGET, HEXISTS, HLEN, HSTRLEN --------------------------------------

func cmdHGet(c *Client, args [][]byte) {
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	h, ok := hashForRead(c, sh, args[1])
	switch {
	case !ok:
	case h.e == nil:
		c.w.WriteNull()
	default:
		if v, found := h.get(args[2]); found {
			c.w.WriteBulk(v)
		} else {
			c.w.WriteNull()
		}
	}
	c.unlockShard(sh)
}

func cmdHMGet(c *Client, args [][]byte) {
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	defer c.unlockShard(sh)
	h, ok := hashForRead(c, sh, args[1])
	if !ok {
		return
	}
	c.w.WriteArrayLen(len(args) - 2)
	for _, f := range args[2:] {
		if h.e == nil {
			c.w.WriteNull()
		} else if v, found := h.get(f); found {
			c.w.WriteBulk(v)
		} else {
			c.w.WriteNull()
		}
	}
}

func cmdHExists(c *Client, args [][]byte) {
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	h, ok := hashForRead(c, sh, args[1])
	if ok {
		var found int64
		if h.e != nil {
			if _, ok := h.get(args[2]); ok {
				found = 1
			}
		}
		c.w.WriteInt(found) // an integer in RESP3 too, as in redis-server
	}
	c.unlockShard(sh)
}

func cmdHLen(c *Client, args [][]byte) {
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	h, ok := hashForRead(c, sh, args[1])
	switch {
	case !ok:
	case h.e == nil:
		c.w.WriteInt(0)
	default:
		c.w.WriteInt(int64(h.len()))
	}
	c.unlockShard(sh)
}

func cmdHStrlen(c *Client, args [][]byte) {
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	h, ok := hashForRead(c, sh, args[1])
	if ok {
		n := 0
		if h.e != nil {
			v, _ := h.get(args[2])
			n = len(v)
		}
		c.w.WriteInt(int64(n))
	}
	c.unlockShard(sh)
}

// --- HDEL ---------------------------------------------------------------------

func cmdHDel(c *Client, args [][]byte) {
	key := args[1]
	db := c.db
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	e := sh.peekTouched(db, key, c.now)
	if e == nil {
		c.w.WriteInt(0)
		return
	}
	if e.kind != kindHash {
		c.err(errWrongType)
		return
	}
	h := hashRef{e}
	deleted, removed := 0, false
	for _, f := range args[2:] {
		if h.del(f) {
			deleted++
			if h.len() == 0 {
				sh.remove(key)
				removed = true
				break
			}
		}
	}
	if deleted > 0 {
		signalModifiedKey(db, key)
		notifyKeyspaceEvent(c.srv, notifyHash, "hdel", key, db.id)
		if removed {
			notifyKeyspaceEvent(c.srv, notifyGeneric, "del", key, db.id)
		}
		sh.dirty += int64(deleted)
		c.propArgs(args)
	}
	c.w.WriteInt(int64(deleted))
}

// --- HKEYS, HVALS, HGETALL ------------------------------------------------------

// hgetallGeneric is HKEYS (fields), HVALS (values) and HGETALL (both: a
// map in RESP3).
func hgetallGeneric(c *Client, key []byte, fields, values bool) {
	sh := c.db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	h, ok := hashForRead(c, sh, key)
	if !ok {
		return
	}
	n := 0
	if h.e != nil {
		n = h.len()
	}
	if fields && values {
		c.w.WriteMapLen(n)
	} else {
		c.w.WriteArrayLen(n)
	}
	if h.e == nil {
		return
	}
	h.each(func(f, v []byte) bool {
		if fields {
			c.w.WriteBulk(f)
		}
		if values {
			c.w.WriteBulk(v)
		}
		return true
	})
}

// --- HINCRBY, HINCRBYFLOAT --------------------------------------------------------

func cmdHIncrBy(c *Client, args [][]byte) {
	incr, ok := parseStrictInt(args[3])
	if !ok {
		c.err(errNotInt)
		return
	}
	key, field := args[1], args[2]
	db := c.db
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	h, isHash := hashForWrite(c, sh, key, hashLPPairSize(field, nil)+20)
	if !isHash {
		return
	}
	var v int64
	if cur, found := h.get(field); found {
		if v, ok = parseStrictInt(cur); !ok {
			c.err(errHashNotInt)
			return
		}
	}
	if (incr < 0 && v < 0 && incr < math.MinInt64-v) || (incr > 0 && v > 0 && incr > math.MaxInt64-v) {
		c.err(errOverflow)
		return
	}
	v += incr
	var tmp [20]byte
	h.set(field, strconv.AppendInt(tmp[:0], v, 10), hashLimitsOf(c.srv))
	c.w.WriteInt(v)
	signalModifiedKey(db, key)
	notifyKeyspaceEvent(c.srv, notifyHash, "hincrby", key, db.id)
	sh.dirty++
	c.propArgs(args)
}

// cmdHIncrByFloat computes in long double as redis-server does (see the
// long double section of strings.go), so results match digit for digit.
func cmdHIncrByFloat(c *Client, args [][]byte) {
	incr, ok := parseLongDouble(args[3])
	if !ok {
		c.err(errNotFloat)
		return
	}
	if incr.IsInf() {
		c.err(errHashIncrNaN)
		return
	}
	key, field := args[1], args[2]
	db := c.db
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	h, isHash := hashForWrite(c, sh, key, 0)
	if !isHash {
		return
	}
	cur := new(big.Float)
	if v, found := h.get(field); found {
		if cur, ok = parseLongDouble(v); !ok {
			c.err(errHashNotFloat)
			return
		}
	}
	sum, ok := addLongDouble(cur, incr)
	if !ok {
		c.err(errIncrFloatResult)
		return
	}
	var tmp [64]byte
	out := appendLongDoubleHuman(tmp[:0], sum)
	h.set(field, out, hashLimitsOf(c.srv))
	c.w.WriteBulk(out)
	signalModifiedKey(db, key)
	notifyKeyspaceEvent(c.srv, notifyHash, "hincrbyfloat", key, db.id)
	sh.dirty++
	if c.recording() { // the result, as HSET, as Redis does
		c.propBegin(db, 4)
		c.propStr("HSET")
		c.propArg(key)
		c.propArg(field)
		c.propArg(out)
	}
}

// --- HRANDFIELD ---------------------------------------------------------------------

// hrandReplyCap bounds an HRANDFIELD reply with a negative count. Redis
// builds such a reply whole (count -10^18 exhausts its memory); shardis
// stops at this size and closes the connection, as Redis does when a client
// passes its output buffer limit.
var hrandReplyCap = 512 << 20

func cmdHRandField(c *Client, args [][]byte) {
	if len(args) >= 3 {
		l, ok := parseStrictInt(args[2])
		if !ok {
			c.err(errNotInt)
			return
		}
		if l < -math.MaxInt64 {
			c.err(errHRandCountRange)
			return
		}
		if len(args) > 4 || (len(args) == 4 && !strOptEq(args[3], "withvalues")) {
			c.err(errSyntax)
			return
		}
		withValues := len(args) == 4
		if withValues && (l < -math.MaxInt64/2 || l > math.MaxInt64/2) {
			c.err(errHRandRange)
			return
		}
		hrandfieldWithCount(c, args[1], l, withValues)
		return
	}
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	defer c.unlockShard(sh)
	h, ok := hashForRead(c, sh, args[1])
	switch {
	case !ok:
	case h.e == nil:
		c.w.WriteNull()
	case h.e.obj != nil:
		c.w.WriteBulkString(h.ht().random().field())
	default:
		f, _ := h.lpAt(rand.IntN(h.lpCount()))
		c.w.WriteBulk(f)
	}
}

// lpAt returns the i-th field and value of a listpack.
func (h hashRef) lpAt(i int) (f, v []byte) {
	off := hashLPHdr
	for ; i > 0; i-- {
		_, _, _, off = hashLPEntry(h.e.str, off)
	}
	f, _, v, _ = hashLPEntry(h.e.str, off)
	return f, v
}

// hrandfieldWithCount is hrandfieldWithCountCommand: a negative count
// samples with repetition, a positive one distinct fields; WITHVALUES
// pairs them with their values (flat in RESP2, [field, value] arrays in
// RESP3).
func hrandfieldWithCount(c *Client, key []byte, l int64, withValues bool) {
	sh := c.db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	h, ok := hashForRead(c, sh, key)
	if !ok {
		return
	}
	if h.e == nil || l == 0 {
		c.w.WriteArrayLen(0)
		return
	}
	resp3 := c.w.Proto() >= 3
	pair := func(f, v []byte) {
		if withValues && resp3 {
			c.w.WriteArrayLen(2)
		}
		c.w.WriteBulk(f)
		if withValues {
			c.w.WriteBulk(v)
		}
	}
	header := func(n int) {
		if withValues && !resp3 {
			n *= 2
		}
		c.w.WriteArrayLen(n)
	}
	size := h.len()
	t, lp := h.ht(), h.e.str

	if l < 0 || l == 1 {
		// Sampling with repetition, in random order.
		count := uint64(l)
		if l < 0 {
			count = uint64(-l)
		}
		header(int(count))
		mark := c.w.Buffered()
		var offs []int32
		if t == nil && count > 8 {
			offs = make([]int32, 0, size)
			for off := hashLPHdr; off < len(lp); {
				offs = append(offs, int32(off))
				_, _, _, off = hashLPEntry(lp, off)
			}
		}
		for i := uint64(0); i < count; i++ {
			switch {
			case t != nil:
				n := t.random()
				pair(n.fieldBytes(), n.valueBytes())
			case offs != nil:
				f, _, v, _ := hashLPEntry(lp, int(offs[rand.IntN(len(offs))]))
				pair(f, v)
			default:
				pair(h.lpAt(rand.IntN(size)))
			}
			if i&1023 == 1023 && c.w.Buffered()-mark > hrandReplyCap {
				c.w.Truncate(mark)
				c.closing = true
				return
			}
		}
		return
	}

	count := uint64(l)
	if count >= uint64(size) {
		// The whole hash, in its order.
		header(size)
		h.each(func(f, v []byte) bool {
			pair(f, v)
			return true
		})
		return
	}
	n := int(count)
	header(n)
	if t != nil && n*3 <= size {
		// Few of many: random picks, repeats dropped.
		seen := make(map[*hashNode]struct{}, n)
		for len(seen) < n {
			nd := t.random()
			if _, dup := seen[nd]; dup {
				continue
			}
			seen[nd] = struct{}{}
			pair(nd.fieldBytes(), nd.valueBytes())
		}
		return
	}
	// Selection sampling: one pass, each field taken with probability
	// needed/remaining, so every subset of n fields is equally likely.
	left := size
	h.each(func(f, v []byte) bool {
		if rand.IntN(left) < n {
			pair(f, v)
			n--
		}
		left--
		return n > 0
	})
}

// --- HSCAN ----------------------------------------------------------------------------

func cmdHScan(c *Client, args [][]byte) {
	cursor, ok := parseScanCursor(args[2])
	if !ok {
		c.err(errInvalidCursor)
		return
	}
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	defer c.unlockShard(sh)
	h, ok := hashForRead(c, sh, args[1])
	if !ok {
		return
	}
	if h.e == nil {
		c.w.WriteArrayLen(2)
		c.w.WriteBulkString("0")
		c.w.WriteArrayLen(0)
		return
	}
	// As in redis-server, the options are only parsed once the key is
	// known to be a hash.
	o, ok := parseScanOptions(c, args[3:], false)
	if !ok {
		return
	}
	match := func(f []byte) bool { return o.pattern == nil || globMatch(o.pattern, f, false) }
	c.w.WriteArrayLen(2)
	if h.e.obj == nil {
		// A listpack is returned whole, in one reply with cursor 0.
		c.w.WriteBulkString("0")
		n := 0
		h.each(func(f, _ []byte) bool {
			if match(f) {
				n++
			}
			return true
		})
		c.w.WriteArrayLen(2 * n)
		h.each(func(f, v []byte) bool {
			if match(f) {
				c.w.WriteBulk(f)
				c.w.WriteBulk(v)
			}
			return true
		})
		return
	}
	// Buckets are visited until COUNT elements (fields and values both
	// count, as in redis-server) or ten times COUNT buckets.
	var nodes []*hashNode
	budget := o.count * 10
	for {
		cursor = h.ht().scan(cursor, func(n *hashNode) { nodes = append(nodes, n) })
		if cursor == 0 || budget == 0 || int64(2*len(nodes)) >= o.count {
			break
		}
		budget--
	}
	var tmp [20]byte
	c.w.WriteBulk(strconv.AppendUint(tmp[:0], cursor, 10))
	kept := nodes[:0]
	for _, n := range nodes {
		if match(n.fieldBytes()) {
			kept = append(kept, n)
		}
	}
	c.w.WriteArrayLen(2 * len(kept))
	for _, n := range kept {
		c.w.WriteBulkString(n.field())
		c.w.WriteBulkString(n.value())
	}
}

// --- DUMP, RESTORE, COPY, DEBUG DIGEST, MEMORY USAGE ----------------------------------

// A hash's dump body: its encoding (hashDumpListpack or hashDumpTable),
// the number of fields, then each field and its value (dumpAppendBytes), in
// storage order. RESTORE decides the encoding from both, as redis-server
// does from the RDB type of a payload.
const (
	hashDumpListpack = 0
	hashDumpTable    = 1
)

// hashEncFromTable marks, in entry.enc, a hash decoded from a hashtable's
// payload until RESTORE has fitted its encoding.
const hashEncFromTable = 1

func hashDumpEncode(dst []byte, e *entry) []byte {
	h := hashRef{e}
	enc := uint64(hashDumpListpack)
	if e.obj != nil {
		enc = hashDumpTable
	}
	dst = dumpAppendUvarint(dst, enc)
	dst = dumpAppendUvarint(dst, uint64(h.len()))
	h.each(func(f, v []byte) bool {
		dst = dumpAppendBytes(dst, f)
		dst = dumpAppendBytes(dst, v)
		return true
	})
	return dst
}

// hashDumpDecode builds a listpack in the payload's order (the restored
// hook converts it when the configuration says so).
func hashDumpDecode(r *dumpReader, e *entry) error {
	enc := r.uvarint()
	n := r.count(2)
	if r.err != nil || n == 0 || enc > hashDumpTable {
		return errDumpFormat
	}
	// The pairs are encoded as a listpack encodes them, so the rest of the
	// body is the listpack's size.
	e.str = make([]byte, hashLPHdr, hashLPHdr+len(r.b))
	e.obj = nil
	h := hashRef{e}
	// Fields must be distinct: a short payload is searched, a long one
	// checked with a set.
	var seen map[string]struct{}
	if n > 64 {
		seen = make(map[string]struct{}, n)
	}
	for i := 0; i < n; i++ {
		f, v := r.bytes(), r.bytes()
		if r.err != nil {
			return r.err
		}
		if seen != nil {
			if _, dup := seen[string(f)]; dup {
				return errDumpFormat
			}
			seen[string(f)] = struct{}{}
		} else if off, _, _ := h.lpFind(f); off >= 0 {
			return errDumpFormat
		}
		h.lpAppend(f, v)
	}
	h.lpSetCount(n)
	e.enc = 0
	if enc == hashDumpTable {
		e.enc = hashEncFromTable
	}
	return nil
}

// hashDigest mixes a hash as Redis's xorObjectDigest does: each field and
// value chained into a digest of their own, xored in, so order does not
// matter.
func hashDigest(d *digest, e *entry) {
	hashRef{e}.each(func(f, v []byte) bool {
		var ed digest
		ed.mix(f)
		ed.mix(v)
		d.xor(ed[:])
		return true
	})
}

// hashDictStructSize is sizeof(dict) in redis-server 7.0.
const hashDictStructSize = 56

// hashMemoryUsage estimates what redis-server would use for the hash: the
// listpack's allocation (its exact size in Redis's format), or the dict,
// its buckets and the average of the first samples entries times their
// number (objectComputeSize).
func hashMemoryUsage(e *entry, samples int64) int64 {
	h := hashRef{e}
	t := h.ht()
	if t == nil {
		size := int64(6 + 1) // header and end byte
		h.each(func(f, v []byte) bool {
			size += hashLPEntrySize(f) + hashLPEntrySize(v)
			return true
		})
		return robjSize + jemallocSize(size)
	}
	n := robjSize + hashDictStructSize + 8*int64(len(t.buckets))
	var sum, k int64
	h.each(func(f, v []byte) bool {
		sum += sdsAllocSize(int64(len(f)), len(f) > 0) + sdsAllocSize(int64(len(v)), len(v) > 0) + dictEntrySize
		k++
		return k < samples
	})
	if k > 0 {
		n += int64(float64(sum) / float64(k) * float64(t.count))
	}
	return n
}

// hashLPEntrySize is the size of one element in Redis's listpack format:
// an integer in its smallest encoding, or a string with a 1, 2 or 5 byte
// header; then the entry's length, backwards, 7 bits a byte.
func hashLPEntrySize(b []byte) int64 {
	var n int64
	if v, ok := parseStrictInt(b); ok {
		switch {
		case v >= 0 && v <= 127:
			n = 1
		case v >= -4096 && v <= 4095:
			n = 2
		case v >= math.MinInt16 && v <= math.MaxInt16:
			n = 3
		case v >= -1<<23 && v < 1<<23:
			n = 4
		case v >= math.MinInt32 && v <= math.MaxInt32:
			n = 5
		default:
			n = 9
		}
	} else {
		l := int64(len(b))
		switch {
		case l < 64:
			n = 1 + l
		case l < 4096:
			n = 2 + l
		default:
			n = 5 + l
		}
	}
	switch {
	case n < 128:
		return n + 1
	case n < 16384:
		return n + 2
	case n < 2097152:
		return n + 3
	case n < 268435456:
		return n + 4
	}
	return n + 5
}
