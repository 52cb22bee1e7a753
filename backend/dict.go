package backend

import (
	"hash/maphash"
	"math/bits"
)

// dict is a chained hash table with power-of-two bucket counts, the shape
// Redis's dict has, so that SCAN can use Redis's reverse-binary cursor: a key
// present for the whole of a scan is returned at least once even when the
// table grows or shrinks between calls. Go maps cannot give that guarantee.
//
// A dict is not safe for concurrent use; the shard that owns it locks it.
type dict struct {
	buckets []*entry
	count   int
	// frozen keeps the bucket count as it is while an AOF rewrite dumps
	// the table by bucket index (persist.go): insert does not grow it
	// (but gives an empty table its first buckets), remove does not
	// shrink it, so every key stays in its bucket until the dump ends.
	frozen bool
}

var hashSeed = maphash.MakeSeed()

func hashKey(key []byte) uint64 { return maphash.Bytes(hashSeed, key) }

func hashString(key string) uint64 { return maphash.String(hashSeed, key) }

func (d *dict) mask() uint64 { return uint64(len(d.buckets) - 1) }

// find returns the entry for key, or nil.
func (d *dict) find(key []byte) *entry {
	if d.count == 0 {
		return nil
	}
	for e := d.buckets[hashKey(key)&d.mask()]; e != nil; e = e.next {
		if e.key == string(key) {
			return e
		}
	}
	return nil
}

// insert adds e, whose key must not be present.
func (d *dict) insert(e *entry) {
	if d.count >= len(d.buckets) && (!d.frozen || len(d.buckets) == 0) {
		// Past the count, not just twice the buckets: a table that was
		// frozen may hold several times its bucket count.
		d.resize(max(4, 1<<bits.Len(uint(d.count))))
	}
	i := hashString(e.key) & d.mask()
	e.next = d.buckets[i]
	d.buckets[i] = e
	d.count++
}

// remove unlinks the entry for key and returns it, or nil.
func (d *dict) remove(key []byte) *entry {
	if d.count == 0 {
		return nil
	}
	i := hashKey(key) & d.mask()
	for p := &d.buckets[i]; *p != nil; p = &(*p).next {
		if e := *p; e.key == string(key) {
			*p = e.next
			e.next = nil
			d.count--
			if !d.frozen && len(d.buckets) > 4 && d.count < len(d.buckets)/8 {
				d.resize(max(4, 1<<bits.Len(uint(d.count))))
			}
			return e
		}
	}
	return nil
}

// resize rehashes every entry into n buckets (a power of two). The whole
// table is moved at once: shards keep each table small enough that this is a
// short pause, and it keeps find free of incremental-rehash branches.
func (d *dict) resize(n int) {
	old := d.buckets
	d.buckets = make([]*entry, n)
	m := d.mask()
	for _, e := range old {
		for e != nil {
			next := e.next
			i := hashString(e.key) & m
			e.next = d.buckets[i]
			d.buckets[i] = e
			e = next
		}
	}
}

// bucket returns the index of the bucket key belongs to. The table must
// have buckets.
func (d *dict) bucket(key string) int { return int(hashString(key) & d.mask()) }

// clear drops every entry.
func (d *dict) clear() {
	d.buckets = nil
	d.count = 0
}

// scan visits the bucket at cursor (and nothing else) and returns the next
// cursor, 0 when the table has been covered. This is Redis's dictScan for a
// single table: the cursor's bits are incremented from the most significant
// end of the mask, so buckets that split or merge on resize are visited in
// an order that covers every position of the old and new tables.
func (d *dict) scan(cursor uint64, fn func(*entry)) uint64 {
	if d.count == 0 {
		return 0
	}
	m := d.mask()
	for e := d.buckets[cursor&m]; e != nil; e = e.next {
		fn(e)
	}
	cursor |= ^m
	cursor = bits.Reverse64(cursor)
	cursor++
	return bits.Reverse64(cursor)
}

// randomEntry returns a uniformly chosen bucket's random entry, or nil when
// empty. rnd is a random 64-bit value.
func (d *dict) randomEntry(rnd func() uint64) *entry {
	if d.count == 0 {
		return nil
	}
	m := d.mask()
	for {
		e := d.buckets[rnd()&m]
		if e == nil {
			continue
		}
		n := 0
		for p := e; p != nil; p = p.next {
			n++
		}
		k := int(rnd() % uint64(n))
		for ; k > 0; k-- {
			e = e.next
		}
		return e
	}
}
