package topology

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync/atomic"
)

// noShard marks a slot no shard owns, which only a map built from what a
// Redis Cluster reports can have (BuildMap): a Config's Validate requires
// every slot to be owned.
const noShard = math.MaxUint16

// Map is an immutable snapshot of which shard owns each slot: a lookup is
// an index into a 16384-entry array. A change builds a new Map (WithOwner,
// or NewMap from a reloaded Config) and swaps it in through a Holder;
// readers that loaded the old one keep a consistent view.
//
// The shards a Map returns are its own: callers must not modify them.
type Map struct {
	owner  [SlotCount]uint16 // shard index, or noShard
	shards []*Shard          // each Shard's Slots agree with owner
	ranges []OwnedRange
	owned  int
}

// OwnedRange is a run of consecutive slots that one shard owns.
type OwnedRange struct {
	SlotRange
	// Shard is the owner's index (Map.Shard).
	Shard int
}

// NewMap validates cfg (see Validate) and builds its slot map, in which
// every slot has an owner. For a Config with a [redis_cluster] it returns
// ErrNoSlots: the proxy builds that map with BuildMap from CLUSTER SLOTS.
func NewMap(cfg *Config) (*Map, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.RedisCluster != nil {
		return nil, ErrNoSlots
	}
	d := cfg.clone()
	d.SetDefaults()
	return BuildMap(d.Shards)
}

// BuildMap builds a map from shards that need not cover every slot, as a
// Redis Cluster that is missing some reports them; Owner is nil for those.
// The ranges must be well-formed and must not overlap. The shards are
// copied; in the copies, Slots are the shard's ranges in slot order, merged
// where they touch.
func BuildMap(shards []Shard) (*Map, error) {
	if len(shards) >= noShard {
		return nil, fmt.Errorf("topology: %d shards: at most %d", len(shards), noShard-1)
	}
	m := &Map{shards: make([]*Shard, len(shards))}
	for i := range m.owner {
		m.owner[i] = noShard
	}
	var errs []error
	for i, s := range shards {
		c := s.clone()
		m.shards[i] = &c
		for _, r := range s.Slots {
			if r.problem != "" || r.First < 0 || r.First > r.Last || r.Last >= SlotCount {
				errs = append(errs, fmt.Errorf("topology: shard %q: slot range %q is not within 0-%d", s.Name, r.String(), SlotCount-1))
				continue
			}
			for slot := r.First; slot <= r.Last; slot++ {
				if o := m.owner[slot]; o != noShard {
					errs = append(errs, fmt.Errorf("topology: shard %q: slot %d is also owned by shard %q", s.Name, slot, shards[o].Name))
					break
				}
				m.owner[slot] = uint16(i)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	m.index()
	for _, sh := range m.shards {
		sh.Slots = nil
	}
	for _, r := range m.ranges {
		sh := m.shards[r.Shard]
		sh.Slots = append(sh.Slots, r.SlotRange)
	}
	return m, nil
}

// index computes ranges and owned from owner.
func (m *Map) index() {
	n := 1
	for s := 1; s < SlotCount; s++ {
		if m.owner[s] != m.owner[s-1] {
			n++
		}
	}
	m.ranges, m.owned = make([]OwnedRange, 0, n), 0
	for s := 0; s < SlotCount; {
		o := m.owner[s]
		e := s
		for e+1 < SlotCount && m.owner[e+1] == o {
			e++
		}
		if o != noShard {
			m.ranges = append(m.ranges, OwnedRange{SlotRange{First: s, Last: e}, int(o)})
			m.owned += e - s + 1
		}
		s = e + 1
	}
}

// Owner returns the shard that owns slot, or nil if none does. slot must
// be in 0..SlotCount-1 (Slot's results are).
func (m *Map) Owner(slot int) *Shard {
	if o := m.owner[slot]; o != noShard {
		return m.shards[o]
	}
	return nil
}

// ShardIndex returns the index of the shard that owns slot, or -1: what
// a batch is split by, one group per shard.
func (m *Map) ShardIndex(slot int) int {
	if o := m.owner[slot]; o != noShard {
		return int(o)
	}
	return -1
}

// NumShards returns the number of shards, including any that own no slot.
func (m *Map) NumShards() int { return len(m.shards) }

// Shard returns the shard at index i, 0 <= i < NumShards.
func (m *Map) Shard(i int) *Shard { return m.shards[i] }

// Owned returns how many slots have an owner: SlotCount for a map built
// from a valid Config.
func (m *Map) Owned() int { return m.owned }

// Ranges returns the runs of consecutive slots with one owner, in slot
// order: what CLUSTER SLOTS lists. Unowned slots are left out.
func (m *Map) Ranges() []OwnedRange { return slices.Clone(m.ranges) }

// WithOwner returns a map in which the shard whose primary is at address
// primary owns slot, as a -MOVED reply says; m is unchanged. If no shard
// has that primary a new one is added, named by the address, of the kind
// of the slot's previous owner (KindRedis if it had none). If nothing
// changes, WithOwner returns m.
func (m *Map) WithOwner(slot int, primary string) *Map {
	to := -1
	for i, s := range m.shards {
		if sameAddr(s.Primary.Address, primary) {
			to = i
			break
		}
	}
	from := m.owner[slot]
	if to >= 0 && int(from) == to {
		return m
	}
	n := &Map{owner: m.owner, shards: slices.Clone(m.shards)}
	if to < 0 {
		if len(n.shards) >= noShard-1 {
			return m // cannot happen with real clusters: 16384 slots at most
		}
		kind := KindRedis
		if from != noShard {
			kind = m.shards[from].Primary.Kind
		}
		n.shards = append(n.shards, &Shard{Name: primary, Primary: Node{Address: primary, Kind: kind}})
		to = len(n.shards) - 1
	}
	n.owner[slot] = uint16(to)
	n.index()
	// Only the two shards whose Slots change are copied; the others are
	// shared with m, which is safe because neither changes them.
	for _, i := range []int{to, int(from)} {
		if i == noShard {
			continue
		}
		s := *n.shards[i]
		s.Slots = nil
		for _, r := range n.ranges {
			if r.Shard == i {
				s.Slots = append(s.Slots, r.SlotRange)
			}
		}
		n.shards[i] = &s
	}
	return n
}

// sameAddr compares two host:port addresses as Validate does.
func sameAddr(a, b string) bool {
	if a == b {
		return true
	}
	ha, pa, err1 := splitAddr(a, false)
	hb, pb, err2 := splitAddr(b, false)
	return err1 == nil && err2 == nil && normAddr(ha, pa) == normAddr(hb, pb)
}

// Holder holds the current Map for concurrent readers: Load is one atomic
// load, and a new map is published with Store or CompareAndSwap. The zero
// Holder holds nil.
type Holder struct {
	p atomic.Pointer[Map]
}

// NewHolder returns a Holder holding m.
func NewHolder(m *Map) *Holder {
	h := new(Holder)
	h.p.Store(m)
	return h
}

// Load returns the current map.
func (h *Holder) Load() *Map { return h.p.Load() }

// Store makes m the current map, as a reload does.
func (h *Holder) Store(m *Map) { h.p.Store(m) }

// CompareAndSwap makes next the current map if old still is, and reports
// whether it did: an update derived from old (WithOwner after a MOVED)
// must not undo a reload that happened meanwhile.
func (h *Holder) CompareAndSwap(old, next *Map) bool { return h.p.CompareAndSwap(old, next) }
