package backend

import "strings"

// ztree is the ordered half of a sorted set: an order-statistic B+tree of
// (score, member) items, sorted as redis-server's skiplist sorts them (by
// score, then by member bytes as memcmp compares them). Every node knows how
// many items its subtree holds, so ranks are found in O(log n) as a
// skiplist's spans find them, and leaves are linked both ways so that a
// range is read by walking from the first item in it.
//
// A B+tree instead of Redis's skiplist: items are stored inline in leaf
// arrays, 24 bytes each, with no per-item allocation, so a large sorted set
// costs about half of what a Go skiplist node per member would, the garbage
// collector has a few big objects to scan instead of millions of small ones,
// and a range read walks contiguous memory. A set that fits one leaf (up to
// ztLeafMax items, the size Redis keeps as a listpack by default) is a single
// sorted array.
//
// Invariants:
//   - all leaves are at the same depth; the root is nil, or an empty leaf,
//     when the tree is empty;
//   - an internal node's highs[i] is an upper bound of the items under
//     kids[i] and is below every item under kids[i+1] (it may be stale, larger
//     than the real maximum, after deletions: it stays a valid separator);
//   - every node but the root holds at least its minimum (ztLeafMin items,
//     ztNodeMin kids) after single inserts and deletes; bulk operations
//     rebuild the tree instead.
type ztree struct {
	root       *ztNode
	head, tail *ztNode // first and last leaf
}

// zitem is one member of a sorted set and its score.
type zitem struct {
	member string
	score  float64
}

// Node sizes. A leaf of 128 items is 3 KiB: inserting into it moves at most
// that much memory.
const (
	ztLeafMax = 128
	ztLeafMin = ztLeafMax / 4
	ztNodeMax = 64
	ztNodeMin = ztNodeMax / 4
)

// ztNode is a leaf (kids == nil) or an internal node.
type ztNode struct {
	size int // items in this subtree

	items      []zitem   // leaf: the items, sorted
	prev, next *ztNode   // leaf: neighbouring leaves
	kids       []*ztNode // internal: children, in order
	highs      []zitem   // internal: highs[i] bounds kids[i] from above
}

// zcmp compares the item (score, member) with it, in sorted-set order.
func zcmp(score float64, member string, it *zitem) int {
	switch {
	case score < it.score:
		return -1
	case score > it.score:
		return 1
	}
	return strings.Compare(member, it.member)
}

func (n *ztNode) leaf() bool { return n.kids == nil }

// high is the node's largest item (exact for a leaf, a bound otherwise).
func (n *ztNode) high() zitem {
	if n.leaf() {
		return n.items[len(n.items)-1]
	}
	return n.highs[len(n.highs)-1]
}

func (n *ztNode) underfull() bool {
	if n.leaf() {
		return len(n.items) < ztLeafMin
	}
	return len(n.kids) < ztNodeMin
}

func (n *ztNode) overfull() bool {
	if n.leaf() {
		return len(n.items) > ztLeafMax
	}
	return len(n.kids) > ztNodeMax
}

// route returns the child of an internal node that holds (or would hold)
// the item, or -1 when it is beyond every child's bound.
func (n *ztNode) route(score float64, member string) int {
	lo, hi := 0, len(n.highs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if zcmp(score, member, &n.highs[m]) > 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == len(n.highs) {
		return -1
	}
	return lo
}

// search returns the position of the first item of a leaf that is not
// below (score, member), and whether that item is (score, member).
func (n *ztNode) search(score float64, member string) (int, bool) {
	lo, hi := 0, len(n.items)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if zcmp(score, member, &n.items[m]) > 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(n.items) && n.items[lo].score == score && n.items[lo].member == member
}

// len is the number of items.
func (t *ztree) len() int {
	if t.root == nil {
		return 0
	}
	return t.root.size
}

// insert adds an item, which must not be present.
func (t *ztree) insert(it zitem) {
	if t.root == nil {
		leaf := &ztNode{items: make([]zitem, 0, 1)}
		t.root, t.head, t.tail = leaf, leaf, leaf
	}
	if right := t.insertInto(t.root, it); right != nil {
		left := t.root
		t.root = &ztNode{
			size:  left.size + right.size,
			kids:  []*ztNode{left, right},
			highs: []zitem{left.high(), right.high()},
		}
	}
}

// insertInto adds it under n and returns the new right sibling of n when n
// had to split.
func (t *ztree) insertInto(n *ztNode, it zitem) *ztNode {
	n.size++
	if n.leaf() {
		i, _ := n.search(it.score, it.member)
		n.items = append(n.items, zitem{})
		copy(n.items[i+1:], n.items[i:])
		n.items[i] = it
		if n.overfull() {
			return t.split(n)
		}
		return nil
	}
	i := n.route(it.score, it.member)
	if i < 0 {
		i = len(n.kids) - 1
		n.highs[i] = it
	}
	kid := n.kids[i]
	if right := t.insertInto(kid, it); right != nil {
		n.kids = append(n.kids, nil)
		copy(n.kids[i+2:], n.kids[i+1:])
		n.kids[i+1] = right
		n.highs = append(n.highs, zitem{})
		copy(n.highs[i+2:], n.highs[i+1:])
		n.highs[i+1] = n.highs[i]
		n.highs[i] = kid.high()
		if n.overfull() {
			return t.split(n)
		}
	}
	return nil
}

// split moves the upper half of n into a new right sibling and returns it.
// Both halves get arrays of their own sized for some growth, so that the
// old, doubled array is not kept alive.
func (t *ztree) split(n *ztNode) *ztNode {
	if n.leaf() {
		h := len(n.items) / 2
		right := &ztNode{items: make([]zitem, len(n.items)-h, ztLeafMax*3/4)}
		copy(right.items, n.items[h:])
		left := make([]zitem, h, ztLeafMax*3/4)
		copy(left, n.items[:h])
		n.items = left
		n.size, right.size = h, len(right.items)
		right.prev, right.next = n, n.next
		if n.next != nil {
			n.next.prev = right
		} else {
			t.tail = right
		}
		n.next = right
		return right
	}
	h := len(n.kids) / 2
	right := &ztNode{
		kids:  make([]*ztNode, len(n.kids)-h, ztNodeMax*3/4),
		highs: make([]zitem, len(n.kids)-h, ztNodeMax*3/4),
	}
	copy(right.kids, n.kids[h:])
	copy(right.highs, n.highs[h:])
	kids := make([]*ztNode, h, ztNodeMax*3/4)
	copy(kids, n.kids[:h])
	highs := make([]zitem, h, ztNodeMax*3/4)
	copy(highs, n.highs[:h])
	n.kids, n.highs = kids, highs
	n.size = 0
	for _, k := range kids {
		n.size += k.size
	}
	for _, k := range right.kids {
		right.size += k.size
	}
	return right
}

// delete removes (score, member) and reports whether it was there.
func (t *ztree) delete(score float64, member string) bool {
	if t.root == nil || !t.deleteFrom(t.root, score, member) {
		return false
	}
	for !t.root.leaf() && len(t.root.kids) == 1 {
		t.root = t.root.kids[0]
	}
	// An emptied root leaf stays, so that moving the only item of a set
	// (delete, then insert) allocates nothing.
	return true
}

func (t *ztree) deleteFrom(n *ztNode, score float64, member string) bool {
	if n.leaf() {
		i, found := n.search(score, member)
		if !found {
			return false
		}
		copy(n.items[i:], n.items[i+1:])
		n.items[len(n.items)-1] = zitem{}
		n.items = n.items[:len(n.items)-1]
		n.size--
		return true
	}
	i := n.route(score, member)
	if i < 0 || !t.deleteFrom(n.kids[i], score, member) {
		return false
	}
	n.size--
	if n.kids[i].underfull() && len(n.kids) > 1 {
		t.rebalance(n, i)
	}
	return true
}

// rebalance merges the underfull child i of n with a neighbour, and splits
// the result again if it is then too big.
func (t *ztree) rebalance(n *ztNode, i int) {
	l := i
	if i == len(n.kids)-1 {
		l = i - 1
	}
	r := l + 1
	left, right := n.kids[l], n.kids[r]
	if left.leaf() {
		left.items = append(left.items, right.items...)
		left.next = right.next
		if right.next != nil {
			right.next.prev = left
		} else {
			t.tail = left
		}
	} else {
		left.kids = append(left.kids, right.kids...)
		left.highs = append(left.highs, right.highs...)
	}
	left.size += right.size
	n.highs[l] = n.highs[r]
	copy(n.kids[r:], n.kids[r+1:])
	n.kids[len(n.kids)-1] = nil
	n.kids = n.kids[:len(n.kids)-1]
	copy(n.highs[r:], n.highs[r+1:])
	n.highs[len(n.highs)-1] = zitem{}
	n.highs = n.highs[:len(n.highs)-1]
	if left.overfull() {
		nr := t.split(left)
		n.kids = append(n.kids, nil)
		copy(n.kids[l+2:], n.kids[l+1:])
		n.kids[l+1] = nr
		n.highs = append(n.highs, zitem{})
		copy(n.highs[l+2:], n.highs[l+1:])
		n.highs[l+1] = n.highs[l]
		n.highs[l] = left.high()
	}
}

// rank returns the 0-based rank of (score, member), or -1 when absent.
func (t *ztree) rank(score float64, member string) int {
	n := t.root
	if n == nil {
		return -1
	}
	r := 0
	for !n.leaf() {
		i := n.route(score, member)
		if i < 0 {
			return -1
		}
		for _, k := range n.kids[:i] {
			r += k.size
		}
		n = n.kids[i]
	}
	i, found := n.search(score, member)
	if !found {
		return -1
	}
	return r + i
}

// ztIter is a position in the tree: leaf n, index i. n is nil past either
// end.
type ztIter struct {
	n *ztNode
	i int
}

func (it ztIter) valid() bool  { return it.n != nil }
func (it ztIter) item() *zitem { return &it.n.items[it.i] }
func (it *ztIter) next() {
	it.i++
	if it.i >= len(it.n.items) {
		it.n, it.i = it.n.next, 0
	}
}

func (it *ztIter) prev() {
	it.i--
	if it.i < 0 {
		it.n = it.n.prev
		if it.n != nil {
			it.i = len(it.n.items) - 1
		}
	}
}

// at returns an iterator at rank r; invalid when r is out of range.
func (t *ztree) at(r int) ztIter {
	if r < 0 || r >= t.len() {
		return ztIter{}
	}
	n := t.root
	for !n.leaf() {
		for _, k := range n.kids {
			if r < k.size {
				n = k
				break
			}
			r -= k.size
		}
	}
	return ztIter{n: n, i: r}
}

// first and last are iterators at either end.
func (t *ztree) first() ztIter {
	if t.head == nil || len(t.head.items) == 0 {
		return ztIter{}
	}
	return ztIter{n: t.head}
}

func (t *ztree) last() ztIter {
	if t.tail == nil || len(t.tail.items) == 0 {
		return ztIter{}
	}
	return ztIter{n: t.tail, i: len(t.tail.items) - 1}
}

// countBefore returns how many items satisfy before, a predicate that holds
// for a prefix of the order (every item below some bound) and fails for the
// rest.
func (t *ztree) countBefore(before func(*zitem) bool) int {
	n := t.root
	if n == nil {
		return 0
	}
	r := 0
descend:
	for !n.leaf() {
		for i := range n.kids {
			if !before(&n.highs[i]) {
				n = n.kids[i]
				continue descend
			}
			r += n.kids[i].size
		}
		return r
	}
	lo, hi := 0, len(n.items)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if before(&n.items[m]) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return r + lo
}

// buildZtree returns a tree of items, which must be sorted and distinct;
// the tree keeps the slice when it fits one leaf.
func buildZtree(items []zitem) ztree {
	if len(items) == 0 {
		return ztree{}
	}
	if len(items) <= ztLeafMax {
		leaf := &ztNode{size: len(items), items: items}
		return ztree{root: leaf, head: leaf, tail: leaf}
	}
	// Leaves three quarters full leave room to grow without splitting at
	// once.
	per := ztLeafMax * 3 / 4
	nl := (len(items) + per - 1) / per
	level := make([]*ztNode, nl)
	var t ztree
	start := 0
	for i := range level {
		end := start + (len(items)-start)/(nl-i)
		leaf := &ztNode{items: make([]zitem, end-start, per+per/4)}
		copy(leaf.items, items[start:end])
		leaf.size = end - start
		if i > 0 {
			leaf.prev = level[i-1]
			level[i-1].next = leaf
		}
		level[i] = leaf
		start = end
	}
	t.head, t.tail = level[0], level[nl-1]
	per = ztNodeMax * 3 / 4
	for len(level) > 1 {
		nn := (len(level) + per - 1) / per
		up := make([]*ztNode, nn)
		start := 0
		for i := range up {
			end := start + (len(level)-start)/(nn-i)
			n := &ztNode{
				kids:  make([]*ztNode, end-start, per+per/4),
				highs: make([]zitem, end-start, per+per/4),
			}
			copy(n.kids, level[start:end])
			for j, k := range n.kids {
				n.highs[j] = k.high()
				n.size += k.size
			}
			up[i] = n
			start = end
		}
		level = up
	}
	t.root = level[0]
	return t
}

// items appends every item, in order, to dst.
func (t *ztree) appendItems(dst []zitem) []zitem {
	for n := t.head; n != nil; n = n.next {
		dst = append(dst, n.items...)
	}
	return dst
}

// deleteRange removes count items from rank start on (both within range)
// and calls fn with each before it goes. A large range rebuilds the tree
// from what remains, in O(n); a small one is deleted item by item, in
// O(count log n).
func (t *ztree) deleteRange(start, count int, fn func(*zitem)) {
	if count <= 0 {
		return
	}
	n := t.len()
	if count > n/4 {
		kept := make([]zitem, 0, n-count)
		i := 0
		for it := t.first(); it.valid(); it.next() {
			if i >= start && i < start+count {
				fn(it.item())
			} else {
				kept = append(kept, *it.item())
			}
			i++
		}
		*t = buildZtree(kept)
		return
	}
	for ; count > 0; count-- {
		it := t.at(start)
		x := *it.item()
		fn(&x)
		t.delete(x.score, x.member)
	}
}
