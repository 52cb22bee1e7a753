package bench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// Workload names: what one operation sends.
const (
	// WorkloadSet is SET key value.
	WorkloadSet = "set"
	// WorkloadGet is GET key (prefill the keyspace first to hit).
	WorkloadGet = "get"
	// WorkloadMixed is GET with probability ReadRatio, SET otherwise.
	WorkloadMixed = "mixed"
	// WorkloadIncr is INCR counter:key.
	WorkloadIncr = "incr"
	// WorkloadLPush is LPUSH list:key value.
	WorkloadLPush = "lpush"
	// WorkloadMSet is MSET of MSetKeys keys chosen independently, so they
	// fall in different slots. A cluster-aware client cannot send a
	// cross-slot MSET: in cluster mode the operation is sent as one MSET per
	// key, all in the same batch, and completes when the last one answers.
	WorkloadMSet = "mset"
	// WorkloadLarge is WorkloadMixed with large values (64 KiB and half
	// reads unless the scenario says otherwise).
	WorkloadLarge = "large"
)

// Workloads lists every workload name.
var Workloads = []string{WorkloadSet, WorkloadGet, WorkloadMixed, WorkloadIncr, WorkloadLPush, WorkloadMSet, WorkloadLarge}

// Key distributions.
const (
	// DistUniform picks every key with the same probability.
	DistUniform = "uniform"
	// DistZipf picks key ranks with a Zipf law of parameter Zipf (YCSB's
	// zipfian for 0 < s < 1, math/rand's for s > 1); ranks are scattered
	// over the keyspace so hot keys do not share a slot.
	DistZipf = "zipf"
	// DistSequential walks the keyspace in order, each connection its own
	// contiguous part (used to prefill).
	DistSequential = "sequential"
)

// Distributions lists every key distribution name.
var Distributions = []string{DistUniform, DistZipf, DistSequential}

// Defaults applied by Config.SetDefaults.
const (
	DefaultConnections = 50
	DefaultPipeline    = 1
	DefaultKeyspace    = 100000
	DefaultValueSize   = 16
	DefaultLargeValue  = 64 * 1024
	DefaultReadRatio   = 0.9
	DefaultMSetKeys    = 10
	DefaultZipf        = 0.99
)

// UnknownWorkloadError is returned for a workload name that is not one of
// Workloads.
type UnknownWorkloadError struct{ Name string }

func (e *UnknownWorkloadError) Error() string {
	return fmt.Sprintf("unknown workload %q (known: %s)", e.Name, strings.Join(Workloads, ", "))
}

// keyPrefix keeps the value types of the workloads apart, so that INCR and
// LPUSH never meet a string SET wrote.
func keyPrefix(workload string) string {
	switch workload {
	case WorkloadIncr:
		return "counter:"
	case WorkloadLPush:
		return "list:"
	}
	return "key:"
}

// zipfTable is the part of YCSB's zipfian generator (Gray et al., "Quickly
// generating billion-record synthetic databases") that depends only on the
// keyspace and the parameter; it is computed once per run and shared.
type zipfTable struct {
	n            uint64
	theta        float64
	zetan, alpha float64
	eta, half    float64
}

func newZipfTable(n uint64, theta float64) *zipfTable {
	zetan := 0.0
	for i := uint64(1); i <= n; i++ {
		zetan += 1 / math.Pow(float64(i), theta)
	}
	zeta2 := 1 + math.Pow(0.5, theta)
	return &zipfTable{
		n:     n,
		theta: theta,
		zetan: zetan,
		alpha: 1 / (1 - theta),
		eta:   (1 - math.Pow(2/float64(n), 1-theta)) / (1 - zeta2/zetan),
		half:  zeta2,
	}
}

// keyGen chooses key indexes in [0, n) for one connection.
type keyGen struct {
	dist  string
	n     uint64
	rng   *rand.Rand
	table *zipfTable // zipf with s < 1
	zipf  *rand.Zipf // zipf with s > 1
	// sequential: this connection's part of the keyspace, and where it is
	lo, size, seq uint64
}

func newKeyGen(cfg *Config, table *zipfTable, conn int, rng *rand.Rand) *keyGen {
	n := uint64(cfg.Keyspace)
	g := &keyGen{dist: cfg.Distribution, n: n, rng: rng, table: table}
	if cfg.Distribution == DistZipf && cfg.Zipf > 1 {
		g.zipf = rand.NewZipf(rng, cfg.Zipf, 1, n-1)
	}
	if cfg.Distribution == DistSequential {
		// Connection i's part is as large as its share of a Requests run
		// (run.quota), so that a run of Keyspace requests writes every key.
		c := uint64(cfg.Connections)
		q, rem, i := n/c, n%c, uint64(conn)
		g.lo = i*q + min(i, rem)
		g.size = q
		if i < rem {
			g.size++
		}
		if g.size == 0 {
			g.lo, g.size = 0, n
		}
	}
	return g
}

func (g *keyGen) next() uint64 {
	switch g.dist {
	case DistSequential:
		k := g.lo + g.seq%g.size
		g.seq++
		return k
	case DistZipf:
		var rank uint64
		if g.zipf != nil {
			rank = g.zipf.Uint64()
		} else {
			t := g.table
			u := g.rng.Float64()
			uz := u * t.zetan
			switch {
			case uz < 1:
				rank = 0
			case uz < t.half:
				rank = 1
			default:
				rank = uint64(float64(t.n) * math.Pow(t.eta*u-t.eta+1, t.alpha))
			}
		}
		return scatter(rank) % g.n
	}
	return g.rng.Uint64N(g.n)
}

// scatter is FNV-1a over the rank's bytes: it spreads the hot ranks over
// the keyspace (and so over slots and nodes), as YCSB does.
func scatter(x uint64) uint64 {
	h := uint64(14695981039346656037)
	for range 8 {
		h ^= x & 0xff
		h *= 1099511628211
		x >>= 8
	}
	return h
}

// keyDigits is the fixed width of key numbers, as redis-benchmark's
// key:__rand_int__ (key:000000012345).
const keyDigits = 12

// appendKey appends prefix and idx padded to keyDigits digits.
func appendKey(dst []byte, prefix string, idx uint64) []byte {
	dst = append(dst, prefix...)
	var tmp [20]byte
	num := strconv.AppendUint(tmp[:0], idx, 10)
	for i := len(num); i < keyDigits; i++ {
		dst = append(dst, '0')
	}
	return append(dst, num...)
}

// appendBulk appends a RESP bulk string.
func appendBulk(dst, b []byte) []byte {
	dst = append(dst, '$')
	dst = strconv.AppendInt(dst, int64(len(b)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, b...)
	return append(dst, '\r', '\n')
}

// opBuilder writes operations into per-node request buffers. It is owned
// by one connection goroutine and reuses its buffers: building an
// operation allocates nothing.
type opBuilder struct {
	cfg    *Config
	prefix string
	keys   *keyGen
	rng    *rand.Rand
	value  []byte
	key    []byte   // scratch: the key being built
	msetKs [][]byte // scratch keys of an MSET
	msetOf []int    // their offsets in msetBf
	msetBf []byte   // backing store of msetKs
	parts  []int    // node of each request of the last operation built
	cmdSET []byte   // "*3\r\n$3\r\nSET\r\n"
	cmdGET []byte   // "*2\r\n$3\r\nGET\r\n"
	cmdINC []byte   // "*2\r\n$4\r\nINCR\r\n"
	cmdLPU []byte   // "*3\r\n$5\r\nLPUSH\r\n"
}

func newOpBuilder(cfg *Config, keys *keyGen, rng *rand.Rand, value []byte) *opBuilder {
	return &opBuilder{
		cfg:    cfg,
		prefix: keyPrefix(cfg.Workload),
		keys:   keys,
		rng:    rng,
		value:  value,
		key:    make([]byte, 0, 64),
		msetKs: make([][]byte, cfg.MSetKeys),
		msetOf: make([]int, cfg.MSetKeys),
		parts:  make([]int, 0, cfg.MSetKeys),
		msetBf: make([]byte, 0, cfg.MSetKeys*(len(keyPrefix(cfg.Workload))+keyDigits+8)),
		cmdSET: []byte("*3\r\n$3\r\nSET\r\n"),
		cmdGET: []byte("*2\r\n$3\r\nGET\r\n"),
		cmdINC: []byte("*2\r\n$4\r\nINCR\r\n"),
		cmdLPU: []byte("*3\r\n$5\r\nLPUSH\r\n"),
	}
}

// build appends one operation's requests to bufs, the per-node request
// buffers, and leaves in b.parts the node of each request, in order.
// nodeOf routes a key (cluster mode); nil sends everything to node 0.
func (b *opBuilder) build(bufs [][]byte, nodeOf func(key []byte) int) {
	b.parts = b.parts[:0]
	w := b.cfg.Workload
	if w == WorkloadMSet {
		b.buildMSet(bufs, nodeOf)
		return
	}
	b.key = appendKey(b.key[:0], b.prefix, b.keys.next())
	n := 0
	if nodeOf != nil {
		n = nodeOf(b.key)
	}
	buf := bufs[n]
	switch w {
	case WorkloadSet:
		buf = append(buf, b.cmdSET...)
		buf = appendBulk(buf, b.key)
		buf = appendBulk(buf, b.value)
	case WorkloadGet:
		buf = append(buf, b.cmdGET...)
		buf = appendBulk(buf, b.key)
	case WorkloadMixed, WorkloadLarge:
		if b.rng.Float64() < b.cfg.ReadRatio {
			buf = append(buf, b.cmdGET...)
			buf = appendBulk(buf, b.key)
		} else {
			buf = append(buf, b.cmdSET...)
			buf = appendBulk(buf, b.key)
			buf = appendBulk(buf, b.value)
		}
	case WorkloadIncr:
		buf = append(buf, b.cmdINC...)
		buf = appendBulk(buf, b.key)
	case WorkloadLPush:
		buf = append(buf, b.cmdLPU...)
		buf = appendBulk(buf, b.key)
		buf = appendBulk(buf, b.value)
	}
	bufs[n] = buf
	b.parts = append(b.parts, n)
}

func (b *opBuilder) buildMSet(bufs [][]byte, nodeOf func(key []byte) int) {
	k := b.cfg.MSetKeys
	b.msetBf = b.msetBf[:0]
	starts := b.msetOf
	for i := range k {
		starts[i] = len(b.msetBf)
		b.msetBf = appendKey(b.msetBf, b.prefix, b.keys.next())
	}
	for i := range k {
		end := len(b.msetBf)
		if i+1 < k {
			end = starts[i+1]
		}
		b.msetKs[i] = b.msetBf[starts[i]:end]
	}
	if nodeOf == nil {
		buf := bufs[0]
		buf = append(buf, '*')
		buf = strconv.AppendInt(buf, int64(1+2*k), 10)
		buf = append(buf, "\r\n$4\r\nMSET\r\n"...)
		for _, key := range b.msetKs {
			buf = appendBulk(buf, key)
			buf = appendBulk(buf, b.value)
		}
		bufs[0] = buf
		b.parts = append(b.parts, 0)
		return
	}
	// Cluster mode: one single-slot MSET per key.
	for _, key := range b.msetKs {
		n := nodeOf(key)
		buf := bufs[n]
		buf = append(buf, "*3\r\n$4\r\nMSET\r\n"...)
		buf = appendBulk(buf, key)
		buf = appendBulk(buf, b.value)
		bufs[n] = buf
		b.parts = append(b.parts, n)
	}
}

// validWorkload reports whether name is a known workload.
func validWorkload(name string) bool { return slices.Contains(Workloads, name) }
