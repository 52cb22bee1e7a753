package topology

import (
	"errors"
	"strconv"
	"sync"
	"testing"
)

func defaultMap(t testing.TB) *Map {
	t.Helper()
	m, err := NewMap(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestNewMapDefault(t *testing.T) {
	m := defaultMap(t)
	if m.NumShards() != 3 || m.Owned() != SlotCount {
		t.Fatalf("%d shards, %d slots owned", m.NumShards(), m.Owned())
	}
	for _, c := range []struct{ slot, shard int }{
		{0, 0}, {5460, 0}, {5461, 1}, {10922, 1}, {10923, 2}, {16383, 2},
		{Slot([]byte("foo")), 2}, {Slot([]byte("bar")), 0}, {Slot([]byte("{user1000}.following")), 0},
	} {
		if got := m.ShardIndex(c.slot); got != c.shard {
			t.Errorf("ShardIndex(%d) = %d, want %d", c.slot, got, c.shard)
		}
		if got, want := m.Owner(c.slot), m.Shard(c.shard); got != want {
			t.Errorf("Owner(%d) = %s, want %s", c.slot, got.Name, want.Name)
		}
	}
	if a := m.Owner(100).Primary.Address; a != "127.0.0.1:7001" {
		t.Errorf("primary of slot 100: %s", a)
	}
	want := []OwnedRange{
		{SlotRange{First: 0, Last: 5460}, 0},
		{SlotRange{First: 5461, Last: 10922}, 1},
		{SlotRange{First: 10923, Last: 16383}, 2},
	}
	if got := m.Ranges(); !equalRanges(got, want) {
		t.Errorf("Ranges = %v, want %v", got, want)
	}
}

func equalRanges(a, b []OwnedRange) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].First != b[i].First || a[i].Last != b[i].Last || a[i].Shard != b[i].Shard {
			return false
		}
	}
	return true
}

func TestNewMapRefusesInvalidConfig(t *testing.T) {
	c := DefaultConfig()
	c.Shards[1].Slots[0].First = 5500 // a gap at 5461-5499
	c.Shards[2].Primary.Kind = "valkey"
	_, err := NewMap(c)
	if n := len(problemsOf(err)); n != 2 {
		t.Fatalf("NewMap: %d problems, want 2: %v", n, err)
	}
	c = &Config{Proxies: DefaultConfig().Proxies, RedisCluster: &RedisCluster{Seeds: []string{"127.0.0.1:30001"}}}
	if _, err := NewMap(c); !errors.Is(err, ErrNoSlots) {
		t.Fatalf("NewMap of a redis_cluster config: %v, want ErrNoSlots", err)
	}
}

func TestBuildMapPartialAndErrors(t *testing.T) {
	m, err := BuildMap([]Shard{
		{Name: "x", Slots: []SlotRange{{First: 10, Last: 19}, {First: 0, Last: 4}}},
		{Name: "y", Slots: []SlotRange{{First: 5, Last: 9}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.Owned() != 20 || m.Owner(20) != nil || m.ShardIndex(20) != -1 || m.ShardIndex(7) != 1 {
		t.Errorf("owned %d, Owner(20) %v, ShardIndex(20) %d, ShardIndex(7) %d", m.Owned(), m.Owner(20), m.ShardIndex(20), m.ShardIndex(7))
	}
	if got := m.Shard(0).Slots; len(got) != 2 || got[0].String() != "0-4" || got[1].String() != "10-19" {
		t.Errorf("x's slots in the map: %v, want [0-4 10-19] (in slot order)", got)
	}
	for _, bad := range [][]Shard{
		{{Name: "a", Slots: []SlotRange{{First: 0, Last: 10}}}, {Name: "b", Slots: []SlotRange{{First: 10, Last: 20}}}},
		{{Name: "a", Slots: []SlotRange{{First: 0, Last: SlotCount}}}},
		{{Name: "a", Slots: []SlotRange{{First: -1, Last: 3}}}},
		{{Name: "a", Slots: []SlotRange{{First: 9, Last: 3}}}},
	} {
		if _, err := BuildMap(bad); err == nil {
			t.Errorf("BuildMap(%+v): no error", bad)
		}
	}
}

func TestMapIsImmutable(t *testing.T) {
	c := DefaultConfig()
	m, err := NewMap(c)
	if err != nil {
		t.Fatal(err)
	}
	c.Shards[0].Name = "changed"
	c.Shards[0].Replicas[0].Address = "changed:1"
	c.Shards[0].Slots[0].Last = 3
	if s := m.Shard(0); s.Name != "shard1" || s.Replicas[0].Address != "127.0.0.1:7004" || s.Slots[0].Last != 5460 {
		t.Errorf("changing the Config changed the map: %+v", s)
	}
	r := m.Ranges()
	r[0].Shard = 2
	if m.Ranges()[0].Shard != 0 {
		t.Error("changing Ranges' result changed the map")
	}
}

func TestWithOwner(t *testing.T) {
	m := defaultMap(t)
	if m.WithOwner(100, "127.0.0.1:7001") != m {
		t.Error("WithOwner to the current owner made a new map")
	}
	n := m.WithOwner(100, "127.0.0.1:7002")
	if m.ShardIndex(100) != 0 || n.ShardIndex(100) != 1 {
		t.Fatalf("slot 100: old map %d, new map %d", m.ShardIndex(100), n.ShardIndex(100))
	}
	if got := slotStrings(n.Shard(0).Slots); got != "0-99 101-5460" {
		t.Errorf("shard1 in the new map: %s", got)
	}
	if got := slotStrings(n.Shard(1).Slots); got != "100 5461-10922" {
		t.Errorf("shard2 in the new map: %s", got)
	}
	if got := slotStrings(m.Shard(0).Slots); got != "0-5460" {
		t.Errorf("shard1 in the old map: %s", got)
	}
	if n.Shard(2) != m.Shard(2) {
		t.Error("an unchanged shard was copied")
	}
	// An address no shard has: a new shard, of the previous owner's kind.
	// Addresses compare as Validate compares them.
	o := n.WithOwner(16383, "LocalHost:7100")
	if o.NumShards() != 4 || o.ShardIndex(16383) != 3 || o.Owned() != SlotCount {
		t.Fatalf("%d shards, slot 16383 at %d", o.NumShards(), o.ShardIndex(16383))
	}
	if s := o.Shard(3); s.Primary.Address != "LocalHost:7100" || s.Primary.Kind != KindShardis || slotStrings(s.Slots) != "16383" {
		t.Errorf("new shard: %+v", s)
	}
	if o.WithOwner(16383, "localhost:7100") != o {
		t.Error("the same address in other case made a new map")
	}
	if len(o.Ranges()) != 6 {
		t.Errorf("ranges: %v", o.Ranges())
	}
}

func slotStrings(rs []SlotRange) string {
	var s string
	for i, r := range rs {
		if i > 0 {
			s += " "
		}
		s += r.String()
	}
	return s
}

// TestHolderConcurrent swaps maps while readers look slots up; run with
// -race, it checks that readers only ever see whole maps.
func TestHolderConcurrent(t *testing.T) {
	m := defaultMap(t)
	h := NewHolder(m)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for r := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				cur := h.Load()
				slot := (i*7919 + r) % SlotCount
				if cur.Owner(slot) == nil || cur.Owned() != SlotCount {
					t.Errorf("slot %d has no owner", slot)
					return
				}
			}
		})
	}
	for i := range 200 {
		for {
			old := h.Load()
			if h.CompareAndSwap(old, old.WithOwner(i, "127.0.0.1:"+strconv.Itoa(7001+i%3))) {
				break
			}
		}
	}
	h.Store(m)
	close(stop)
	wg.Wait()
	if h.Load() != m {
		t.Error("Store did not replace the map")
	}
	if h.CompareAndSwap(defaultMap(t), m) {
		t.Error("CompareAndSwap with a stale map succeeded")
	}
	var zero Holder
	if zero.Load() != nil {
		t.Error("zero Holder is not empty")
	}
}

func BenchmarkLookup(b *testing.B) {
	h := NewHolder(defaultMap(b))
	key := []byte("key:__rand_int__")
	b.ReportAllocs()
	for b.Loop() {
		if h.Load().Owner(Slot(key)) == nil {
			b.Fatal("no owner")
		}
	}
}

// BenchmarkWithOwner moves slots one by one from shard to shard, as
// MOVED replies during a resharding do.
func BenchmarkWithOwner(b *testing.B) {
	m := defaultMap(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m = m.WithOwner(i%SlotCount, "127.0.0.1:"+strconv.Itoa(7001+(i/SlotCount+1)%3))
	}
}
