package backend

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// checkZtree verifies every invariant of t against want, the items it
// should hold, sorted.
func checkZtree(t *testing.T, tr *ztree, want []zitem) {
	t.Helper()
	if tr.len() != len(want) {
		t.Fatalf("len %d, want %d", tr.len(), len(want))
	}
	got := tr.appendItems(nil)
	if !slices.Equal(got, want) {
		t.Fatalf("items differ:\n got %v\nwant %v", got, want)
	}
	// Backwards through the leaf links.
	var back []zitem
	for it := tr.last(); it.valid(); it.prev() {
		back = append(back, *it.item())
	}
	slices.Reverse(back)
	if !slices.Equal(back, want) {
		t.Fatalf("backward walk differs")
	}
	if tr.root == nil {
		if tr.head != nil || tr.tail != nil {
			t.Fatalf("empty tree with leaves")
		}
		return
	}
	if tr.root.size == 0 {
		if !tr.root.leaf() || tr.head != tr.root || tr.tail != tr.root {
			t.Fatalf("an empty tree must be one empty leaf")
		}
		return
	}
	depth := -1
	var walk func(n *ztNode, d int, root bool, lo, hi *zitem) int
	walk = func(n *ztNode, d int, root bool, lo, hi *zitem) int {
		if n.leaf() {
			if depth == -1 {
				depth = d
			} else if depth != d {
				t.Fatalf("leaves at depths %d and %d", depth, d)
			}
			if n.size != len(n.items) {
				t.Fatalf("leaf size %d, %d items", n.size, len(n.items))
			}
			if !root && len(n.items) < ztLeafMin || len(n.items) > ztLeafMax {
				t.Fatalf("leaf of %d items", len(n.items))
			}
			for i := range n.items {
				x := &n.items[i]
				if lo != nil && zcmp(x.score, x.member, lo) <= 0 || hi != nil && zcmp(x.score, x.member, hi) > 0 {
					t.Fatalf("item %v outside its bounds", *x)
				}
			}
			return n.size
		}
		if !root && len(n.kids) < ztNodeMin || len(n.kids) > ztNodeMax || root && len(n.kids) < 2 {
			t.Fatalf("node of %d kids (root %v)", len(n.kids), root)
		}
		sum := 0
		for i, k := range n.kids {
			var klo *zitem
			if i > 0 {
				klo = &n.highs[i-1]
			} else {
				klo = lo
			}
			sum += walk(k, d+1, false, klo, &n.highs[i])
		}
		if sum != n.size {
			t.Fatalf("node size %d, kids hold %d", n.size, sum)
		}
		return sum
	}
	walk(tr.root, 0, true, nil, nil)
}

func sortItems(items []zitem) {
	slices.SortFunc(items, func(a, b zitem) int { return zcmp(a.score, a.member, &b) })
}

func TestZtreeRandomOperations(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 7; round++ {
		var tr ztree
		model := map[string]float64{}
		items := func() []zitem {
			var s []zitem
			for m, sc := range model {
				s = append(s, zitem{member: m, score: sc})
			}
			sortItems(s)
			return s
		}
		space := []int{50, 500, 5000, 20000, 3000, 300, 100000}[round]
		steps := 30000
		if space == 100000 {
			steps = 300000 // deep enough for three levels of internal nodes
		}
		for step := 0; step < steps; step++ {
			m := "m" + strconv.Itoa(rnd.IntN(space))
			switch op := rnd.IntN(1000); {
			case op < 600:
				sc := float64(rnd.IntN(space / 10))
				if old, ok := model[m]; ok {
					tr.delete(old, m)
				}
				tr.insert(zitem{member: m, score: sc})
				model[m] = sc
			case op < 990:
				old, ok := model[m]
				if tr.delete(old, m) != ok {
					t.Fatalf("delete %s: got %v want %v", m, !ok, ok)
				}
				delete(model, m)
			case op < 995 && tr.len() > 0:
				start := rnd.IntN(tr.len())
				count := 1 + rnd.IntN(min(tr.len()-start, 20))
				if op == 994 && rnd.IntN(50) == 0 {
					count = 1 + rnd.IntN(tr.len()-start) // large: rebuilds
				}
				before := len(model)
				tr.deleteRange(start, count, func(it *zitem) {
					delete(model, it.member)
				})
				if len(model) != before-count {
					t.Fatalf("deleteRange removed %d, want %d", before-len(model), count)
				}
			case op < 1000:
				if space == 100000 && rnd.IntN(20) != 0 {
					continue // sorting the model is the slow part
				}
				all := items()
				if len(all) == 0 {
					continue
				}
				r := rnd.IntN(len(all))
				x := all[r]
				if got := tr.rank(x.score, x.member); got != r {
					t.Fatalf("rank of %v: %d, want %d", x, got, r)
				}
				if got := *tr.at(r).item(); got != x {
					t.Fatalf("at %d: %v, want %v", r, got, x)
				}
				bound := x.score
				want := 0
				for _, y := range all {
					if y.score < bound {
						want++
					}
				}
				if got := tr.countBefore(func(it *zitem) bool { return it.score < bound }); got != want {
					t.Fatalf("countBefore %v: %d, want %d", bound, got, want)
				}
			}
			if step%(steps/30) == 0 {
				checkZtree(t, &tr, items())
			}
		}
		checkZtree(t, &tr, items())
		if tr.rank(-1, "absent") != -1 {
			t.Fatalf("rank of an absent item")
		}
	}
}

func TestBuildZtree(t *testing.T) {
	for _, n := range []int{0, 1, 5, 128, 129, 200, 1000, 7000, 100000} {
		items := make([]zitem, n)
		for i := range items {
			items[i] = zitem{member: strconv.Itoa(i), score: float64(i)}
		}
		want := slices.Clone(items)
		tr := buildZtree(items)
		checkZtree(t, &tr, want)
		// The built tree keeps working under single operations.
		for i := 0; i < n; i += 3 {
			tr.delete(float64(i), strconv.Itoa(i))
		}
		var rest []zitem
		for i := 0; i < n; i++ {
			if i%3 != 0 {
				rest = append(rest, zitem{member: strconv.Itoa(i), score: float64(i)})
			}
		}
		checkZtree(t, &tr, rest)
	}
}

func TestZdict(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	d := newZdict(0)
	model := map[string]float64{}
	for step := 0; step < 200000; step++ {
		m := "k" + strconv.Itoa(rnd.IntN(3000))
		if step > 100000 {
			m = "k" + strconv.Itoa(rnd.IntN(100)) // shrink
		}
		switch rnd.IntN(3) {
		case 0:
			if _, ok := model[m]; ok {
				d.setScore(m, float64(step))
			} else {
				d.add(m, float64(step))
			}
			model[m] = float64(step)
		case 1:
			_, ok := model[m]
			if d.remove([]byte(m)) != ok {
				t.Fatalf("remove %s", m)
			}
			delete(model, m)
		default:
			i := d.find([]byte(m))
			sc, ok := model[m]
			if (i >= 0) != ok || ok && d.ents[i].score != sc {
				t.Fatalf("find %s", m)
			}
		}
		if d.count != len(model) {
			t.Fatalf("count %d, want %d", d.count, len(model))
		}
	}
	if len(d.ents) > 4*d.count+64 {
		t.Fatalf("%d entries kept for %d members", len(d.ents), d.count)
	}
	// A full scan sees every member.
	seen := map[string]bool{}
	var cursor uint64
	for {
		cursor = d.scan(cursor, func(e *zdEntry) { seen[e.member] = true })
		if cursor == 0 {
			break
		}
	}
	if len(seen) != len(model) {
		t.Fatalf("scan saw %d of %d", len(seen), len(model))
	}
}
