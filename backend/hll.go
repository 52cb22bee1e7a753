package backend

import (
	"encoding/binary"
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
)

// The HyperLogLog commands (redis-server 7.0's hyperloglog.c): PFADD,
// PFCOUNT, PFMERGE, and the debugging commands PFDEBUG and PFSELFTEST.
//
// A HyperLogLog is a string value, as in Redis (TYPE says "string"), in
// Redis's own format, so that GET, SET, APPEND, DUMP and RESTORE move it as
// any string and the estimates are redis-server's to the unit:
//
//	"HYLL" | encoding (0 dense, 1 sparse) | 3 unused bytes | cached cardinality (8 bytes LE)
//
// followed by the registers: 16384 6-bit registers packed from the least
// significant bit (dense, 12288 bytes), or their run-length encoding
// (sparse: ZERO 00xxxxxx, XZERO 01xxxxxx yyyyyyyy, VAL 1vvvvvxx). The top
// bit of the cached cardinality marks it stale. Elements are hashed with
// MurmurHash64A (seed 0xadc83b19); the low 14 bits pick the register, the
// run of zeros above them (plus one) is the value kept when larger. A
// sparse value becomes dense when a register exceeds 32 or it would grow
// beyond hll-sparse-max-bytes. The cardinality is Ertl's improved raw
// estimator over the register histogram, as Redis computes it (standard
// error 1.04/sqrt(16384) = 0.81%).
//
// Values come from clients (SET, RESTORE, SETRANGE...), so every reader
// here tolerates a corrupt encoding and answers Redis's errors for it; where
// Redis's C reads the byte after the value (its sds NUL terminator), these
// readers read a zero.

func init() {
	register("pfadd", cmdPFAdd)
	register("pfcount", cmdPFCount)
	register("pfmerge", cmdPFMerge)
	register("pfdebug", cmdPFDebug)
	register("pfselftest", cmdPFSelfTest)
}

// Error replies of the HyperLogLog commands, with redis-server's texts.
const (
	errHLLWrongType = "WRONGTYPE Key is not a valid HyperLogLog string value."
	errHLLCorrupt   = "INVALIDOBJ Corrupted HLL object detected"
)

const (
	hllP           = 14
	hllQ           = 64 - hllP
	hllRegisters   = 1 << hllP
	hllBits        = 6
	hllRegisterMax = 1<<hllBits - 1
	hllHdrSize     = 16
	hllRegBytes    = (hllRegisters*hllBits + 7) / 8
	hllDenseSize   = hllHdrSize + hllRegBytes
	hllDense       = 0
	hllSparse      = 1
	hllMaxEncoding = 1
	hllAlphaInf    = 0.721347520444481703680 // 0.5/ln(2)

	hllSparseValMaxValue = 32
	hllSparseValMaxLen   = 4
	hllSparseZeroMaxLen  = 64
	hllSparseXZeroMaxLen = 16384

	hllSeed = 0xadc83b19
)

// --- Hashing --------------------------------------------------------------------

// murmurHash64A is MurmurHash2's 64-bit variant, reading the input as
// little-endian words as Redis's endian-neutral version does.
func murmurHash64A(key []byte, seed uint64) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	h := seed ^ (uint64(len(key)) * m)
	n := len(key) &^ 7
	for i := 0; i < n; i += 8 {
		k := binary.LittleEndian.Uint64(key[i:])
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
	}
	t := key[n:]
	switch len(t) {
	case 7:
		h ^= uint64(t[6]) << 48
		fallthrough
	case 6:
		h ^= uint64(t[5]) << 40
		fallthrough
	case 5:
		h ^= uint64(t[4]) << 32
		fallthrough
	case 4:
		h ^= uint64(t[3]) << 24
		fallthrough
	case 3:
		h ^= uint64(t[2]) << 16
		fallthrough
	case 2:
		h ^= uint64(t[1]) << 8
		fallthrough
	case 1:
		h ^= uint64(t[0])
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// hllPatLen returns the register an element selects and the length of the
// 0...01 pattern above the register bits (1 to 51).
func hllPatLen(ele []byte) (index int, count uint8) {
	h := murmurHash64A(ele, hllSeed)
	index = int(h & (hllRegisters - 1))
	h >>= hllP
	h |= 1 << hllQ // so the count stops at Q+1
	return index, uint8(bits.TrailingZeros64(h) + 1)
}

// --- Dense registers -------------------------------------------------------------

// hllGetReg reads dense register i of regs (the 12288 register bytes).
func hllGetReg(regs []byte, i int) uint8 {
	byt, fb := i*hllBits/8, uint(i*hllBits&7)
	b0 := uint(regs[byt])
	var b1 uint
	if byt+1 < len(regs) {
		b1 = uint(regs[byt+1])
	}
	return uint8((b0>>fb | b1<<(8-fb)) & hllRegisterMax)
}

// hllSetReg writes v (at most 63) to dense register i.
func hllSetReg(regs []byte, i int, v uint8) {
	byt, fb := i*hllBits/8, uint(i*hllBits&7)
	regs[byt] &^= byte(hllRegisterMax << fb)
	regs[byt] |= byte(uint(v) << fb)
	if byt+1 < len(regs) {
		fb8 := 8 - fb
		regs[byt+1] &^= byte(hllRegisterMax >> fb8)
		regs[byt+1] |= byte(uint(v) >> fb8)
	}
}

// hllDenseSet raises register i to count and reports whether it changed.
func hllDenseSet(regs []byte, i int, count uint8) bool {
	if count > hllGetReg(regs, i) {
		hllSetReg(regs, i, count)
		return true
	}
	return false
}

// hllDenseHisto adds the dense registers to hist, four registers per three
// bytes at a time.
func hllDenseHisto(regs []byte, hist *[64]int) {
	for j := 0; j+3 <= hllRegBytes; j += 3 {
		r := regs[j : j+3 : j+3]
		hist[r[0]&63]++
		hist[(r[0]>>6|r[1]<<2)&63]++
		hist[(r[1]>>4|r[2]<<4)&63]++
		hist[(r[2]>>2)&63]++
	}
}

// --- Sparse representation ----------------------------------------------------------

func hllIsZero(op byte) bool  { return op&0xc0 == 0 }
func hllIsXZero(op byte) bool { return op&0xc0 == 0x40 }
func hllIsVal(op byte) bool   { return op&0x80 != 0 }
func hllZeroLen(op byte) int  { return int(op&0x3f) + 1 }
func hllValValue(op byte) int { return int(op>>2&0x1f) + 1 }
func hllValLen(op byte) int   { return int(op&3) + 1 }

// hllXZeroLen reads an XZERO opcode at s[p]. When its second byte would be
// past the end (a corrupt value), Redis's C reads the byte that follows its
// string, which is tail (see hllTail).
func hllXZeroLen(s []byte, p int, tail byte) int {
	lo := tail
	if p+1 < len(s) {
		lo = s[p+1]
	}
	return (int(s[p]&0x3f)<<8 | int(lo)) + 1
}

// hllTail is the byte redis-server's string holds just past a HyperLogLog
// value's last byte. It is its NUL terminator, 0, except after a sparse
// update split a final XZERO opcode that had lost its second byte (only a
// value corrupted by hand ends so): Redis's C then writes the new sequence's
// last byte over the terminator, and later reads of that truncated opcode
// see it. To give the same answers, the byte is kept in the entry's obj,
// which a string otherwise leaves nil. It holds only while the string keeps
// the buffer and length it was recorded with: SET replaces obj, and APPEND
// or SETRANGE past the end change the length, which in Redis too writes a
// new terminator.
type hllTail struct {
	base *byte
	n    int
	b    byte
}

// hllTailOf returns e's tail byte (0 unless one was recorded and still
// holds).
func hllTailOf(e *entry) byte {
	if t, ok := e.obj.(*hllTail); ok && len(e.str) == t.n && t.n > 0 && &e.str[0] == t.base {
		return t.b
	}
	return 0
}

// hllSetTail records e's tail byte.
func hllSetTail(e *entry, b byte) {
	if b == 0 || len(e.str) == 0 {
		e.obj = nil
		return
	}
	e.obj = &hllTail{base: &e.str[0], n: len(e.str), b: b}
}

func hllValOp(val, n int) byte { return byte((val-1)<<2|(n-1)) | 0x80 }

// hllPutZeros appends a ZERO (up to 64) or XZERO run of n registers.
func hllPutZeros(seq []byte, n int) []byte {
	if n > hllSparseZeroMaxLen {
		return append(seq, byte((n-1)>>8)|0x40, byte(n-1))
	}
	return append(seq, byte(n-1))
}

// newHLL is createHLLObject: an empty sparse HyperLogLog, its registers one
// XZERO run.
func newHLL() []byte {
	s := make([]byte, hllHdrSize+2, 64)
	copy(s, "HYLL")
	s[4] = hllSparse
	s[hllHdrSize] = byte((hllSparseXZeroMaxLen-1)>>8) | 0x40
	s[hllHdrSize+1] = byte((hllSparseXZeroMaxLen - 1) & 0xff)
	return s
}

// hllSparseToDense returns the dense form of a sparse value (the value
// itself when already dense), keeping its header; ok is false when the
// runs do not cover exactly 16384 registers.
func hllSparseToDense(s []byte, tail byte) (dense []byte, ok bool) {
	if s[4] == hllDense {
		return s, true
	}
	d := make([]byte, hllDenseSize)
	copy(d, s[:hllHdrSize])
	d[4] = hllDense
	regs := d[hllHdrSize:]
	idx := 0
	for p := hllHdrSize; p < len(s); {
		op := s[p]
		switch {
		case hllIsZero(op):
			idx += hllZeroLen(op)
			p++
		case hllIsXZero(op):
			idx += hllXZeroLen(s, p, tail)
			p += 2
		default:
			n, v := hllValLen(op), hllValValue(op)
			if n+idx > hllRegisters {
				return nil, false // a run past the last register
			}
			for ; n > 0; n-- {
				hllSetReg(regs, idx, uint8(v))
				idx++
			}
			p++
		}
	}
	if idx != hllRegisters {
		return nil, false
	}
	return d, true
}

// hllSparseSet is Redis's hllSparseSet: it raises register index to count
// in the sparse value s (followed by the byte tail, see hllTail), splitting
// the run that covers it and merging equal neighbouring VAL runs, or
// promotes s to dense when count does not fit a VAL opcode or s would
// outgrow maxBytes. It returns the value (possibly a new slice), its tail,
// and 1 when a register changed, 0 when not, -1 when s is corrupt.
func hllSparseSet(s []byte, tail byte, index int, count uint8, maxBytes int64) ([]byte, byte, int) {
	if count > hllSparseValMaxValue {
		return hllPromote(s, tail, index, count)
	}
	// Find the opcode that covers the register.
	p, end := hllHdrSize, len(s)
	first, span, prev := 0, 0, -1
	for p < end {
		op, oplen := s[p], 1
		switch {
		case hllIsZero(op):
			span = hllZeroLen(op)
		case hllIsVal(op):
			span = hllValLen(op)
		default:
			span = hllXZeroLen(s, p, tail)
			oplen = 2
		}
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if span == 0 || p >= end {
		return s, tail, -1
	}
	op := s[p]
	isZero, isXZero, isVal := hllIsZero(op), hllIsXZero(op), hllIsVal(op)
	next := p + 1
	if isXZero {
		next = p + 2
	}
	if next >= end {
		next = -1
	}
	var runlen int
	switch {
	case isZero:
		runlen = hllZeroLen(op)
	case isXZero:
		runlen = hllXZeroLen(s, p, tail)
	default:
		runlen = hllValLen(op)
	}

	switch {
	case isVal && hllValValue(op) >= int(count):
		return s, tail, 0
	case (isVal || isZero) && runlen == 1:
		s[p] = hllValOp(int(count), 1)
	default:
		// Split the run: at worst XZERO-VAL-XZERO, five bytes.
		var buf [5]byte
		seq := buf[:0]
		last := first + span - 1
		if isVal {
			cur := hllValValue(op)
			if index != first {
				seq = append(seq, hllValOp(cur, index-first))
			}
			seq = append(seq, hllValOp(int(count), 1))
			if index != last {
				seq = append(seq, hllValOp(cur, last-index))
			}
		} else {
			if index != first {
				seq = hllPutZeros(seq, index-first)
			}
			seq = append(seq, hllValOp(int(count), 1))
			if index != last {
				seq = hllPutZeros(seq, last-index)
			}
		}
		oldlen := 1
		if isXZero {
			oldlen = 2
		}
		delta := len(seq) - oldlen
		if delta > 0 && int64(len(s)+delta) > maxBytes {
			return hllPromote(s, tail, index, count)
		}
		for i := 0; i < delta; i++ {
			s = append(s, 0)
		}
		if delta != 0 && next >= 0 {
			copy(s[next+delta:], s[next:end])
		}
		if delta < 0 {
			s = s[:end+delta]
		}
		end += delta
		// The new length's terminator is written, then the sequence;
		// when the opcode replaced was a final XZERO missing its second
		// byte, the sequence's last byte lands on the terminator.
		tail = 0
		if p+len(seq) > end {
			tail = seq[len(seq)-1]
			seq = seq[:len(seq)-1]
		}
		copy(s[p:], seq)
	}

	// Merge adjacent VAL opcodes of equal value, scanning up to five
	// opcodes from the one before the change.
	p = prev
	if p < 0 {
		p = hllHdrSize
	}
	for scan := 5; p < end && scan > 0; scan-- {
		op := s[p]
		if hllIsXZero(op) {
			p += 2
			continue
		}
		if hllIsZero(op) {
			p++
			continue
		}
		if p+1 < end && hllIsVal(s[p+1]) {
			if v := hllValValue(op); v == hllValValue(s[p+1]) {
				if n := hllValLen(op) + hllValLen(s[p+1]); n <= hllSparseValMaxLen {
					s[p+1] = hllValOp(v, n)
					copy(s[p:], s[p+1:end])
					end--
					s = s[:end]
					tail = 0 // the shorter string's terminator
					continue
				}
			}
		}
		p++
	}
	s[15] |= 0x80
	return s, tail, 1
}

// hllPromote converts s to dense (a new string: its tail is 0) and sets the
// register there.
func hllPromote(s []byte, tail byte, index int, count uint8) ([]byte, byte, int) {
	d, ok := hllSparseToDense(s, tail)
	if !ok {
		return s, tail, -1
	}
	hllDenseSet(d[hllHdrSize:], index, count)
	return d, 0, 1
}

// hllSparseHisto adds the sparse registers to hist and reports whether the
// runs cover exactly 16384 registers.
func hllSparseHisto(s []byte, tail byte, hist *[64]int) bool {
	idx := 0
	for p := hllHdrSize; p < len(s); {
		op := s[p]
		switch {
		case hllIsZero(op):
			n := hllZeroLen(op)
			idx += n
			hist[0] += n
			p++
		case hllIsXZero(op):
			n := hllXZeroLen(s, p, tail)
			idx += n
			hist[0] += n
			p += 2
		default:
			n := hllValLen(op)
			idx += n
			hist[hllValValue(op)] += n
			p++
		}
	}
	return idx == hllRegisters
}

// --- Estimating -------------------------------------------------------------------

// The helpers of Ertl's estimator ("New cardinality estimation algorithms
// for HyperLogLog sketches", arXiv:1702.01284), computed in the order Redis
// computes them, every product rounded on its own (the explicit
// conversions keep the compiler from fusing a multiply and an add), so the
// estimate is the same double.
func hllSigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x *= x
		zPrime := z
		z += float64(x * y)
		y += y
		if zPrime == z {
			return z
		}
	}
}

func hllTau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		zPrime := z
		y *= 0.5
		d := 1 - x
		z -= float64(float64(d*d) * y)
		if zPrime == z {
			return z / 3
		}
	}
}

// hllEstimate is the cardinality the register histogram gives.
func hllEstimate(hist *[64]int) uint64 {
	const m = float64(hllRegisters)
	z := float64(m * hllTau((m-float64(hist[hllQ+1]))/m))
	for j := hllQ; j >= 1; j-- {
		z += float64(hist[j])
		z *= 0.5
	}
	z += float64(m * hllSigma(float64(hist[0])/m))
	return uint64(math.Round(float64(float64(hllAlphaInf*m)*m) / z))
}

// hllCount estimates a valid value's cardinality; ok is false when a
// sparse value is corrupt.
func hllCount(s []byte, tail byte) (uint64, bool) {
	var hist [64]int
	if s[4] == hllDense {
		hllDenseHisto(s[hllHdrSize:], &hist)
	} else if !hllSparseHisto(s, tail, &hist) {
		return 0, false
	}
	return hllEstimate(&hist), true
}

// hllMerge raises each of max's registers to the value's, and reports
// whether a sparse value was valid.
func hllMerge(max *[hllRegisters]uint8, s []byte, tail byte) bool {
	if s[4] == hllDense {
		regs := s[hllHdrSize:]
		for i := range max {
			if v := hllGetReg(regs, i); v > max[i] {
				max[i] = v
			}
		}
		return true
	}
	i := 0
	for p := hllHdrSize; p < len(s); {
		op := s[p]
		switch {
		case hllIsZero(op):
			i += hllZeroLen(op)
			p++
		case hllIsXZero(op):
			i += hllXZeroLen(s, p, tail)
			p += 2
		default:
			n, v := hllValLen(op), uint8(hllValValue(op))
			if n+i > hllRegisters {
				return false // a run past the last register
			}
			for ; n > 0; n-- {
				if v > max[i] {
					max[i] = v
				}
				i++
			}
			p++
		}
	}
	return i == hllRegisters
}

// hllAdd adds an element to the value of e (a valid HyperLogLog) and returns
// 1 when a register changed, 0 when not, -1 when the value is corrupt.
func hllAdd(e *entry, ele []byte, maxBytes int64) int {
	index, count := hllPatLen(ele)
	if e.str[4] == hllDense {
		if hllDenseSet(e.str[hllHdrSize:], index, count) {
			return 1
		}
		return 0
	}
	s, tail, r := hllSparseSet(e.str, hllTailOf(e), index, count, maxBytes)
	e.str = s
	hllSetTail(e, tail)
	return r
}

// --- Commands -------------------------------------------------------------------------

// isHLL is isHLLObjectOrReply: a string (else the usual WRONGTYPE) whose
// bytes have a HyperLogLog's header (else its own WRONGTYPE); an
// int-encoded string never is one.
func isHLL(c *Client, e *entry) bool {
	if e.kind != kindString {
		c.err(errWrongType)
		return false
	}
	s := e.str
	if e.enc == encInt || len(s) < hllHdrSize || string(s[:4]) != "HYLL" || s[4] > hllMaxEncoding ||
		(s[4] == hllDense && len(s) != hllDenseSize) {
		c.err(errHLLWrongType)
		return false
	}
	return true
}

func hllInvalidateCache(s []byte) { s[15] |= 0x80 }

func cmdPFAdd(c *Client, args [][]byte) {
	db, key := c.db, args[1]
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	e := sh.peekTouched(db, key, c.now)
	updated := 0
	if e == nil {
		e = sh.add(db, key, kindString)
		e.str, e.enc = newHLL(), encRaw
		updated++
	} else {
		if !isHLL(c, e) {
			return
		}
		e.enc = encRaw // dbUnshareStringValue
	}
	maxBytes := c.srv.cfg.load().HLLSparseMaxBytes
	for j, ele := range args[2:] {
		switch hllAdd(e, ele, maxBytes) {
		case 1:
			updated++
		case -1:
			if updated > 0 {
				// The elements before the corrupt spot changed the
				// value: they are logged, so that the AOF holds the same
				// bytes (Redis logs nothing here and its AOF diverges).
				// The failing one changed nothing. (Nothing else
				// changes: WATCH and the change counter stay as Redis
				// keeps them.)
				c.propArgs(args[:2+j])
			}
			c.err(errHLLCorrupt)
			return
		}
	}
	if updated > 0 {
		signalModifiedKey(db, key)
		notifyKeyspaceEvent(c.srv, notifyString, "pfadd", key, db.id)
		sh.dirty += int64(updated)
		hllInvalidateCache(e.str)
		c.propArgs(args)
		c.w.WriteInt(1)
		return
	}
	c.w.WriteInt(0)
}

func cmdPFCount(c *Client, args [][]byte) {
	if len(args) > 2 {
		pfcountUnion(c, args[1:])
		return
	}
	db, key := c.db, args[1]
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	e := sh.lookup(db, key, c.now, !c.noTouch.Load())
	if e == nil {
		c.w.WriteInt(0)
		return
	}
	if !isHLL(c, e) {
		return
	}
	e.enc = encRaw
	s := e.str
	card := binary.LittleEndian.Uint64(s[8:16])
	if s[15]&0x80 != 0 {
		// Stale: recompute and cache, which changes the value.
		var ok bool
		if card, ok = hllCount(s, hllTailOf(e)); !ok {
			c.err(errHLLCorrupt)
			return
		}
		binary.LittleEndian.PutUint64(s[8:16], card)
		signalModifiedKey(db, key)
		sh.dirty++
		c.propArgs(args) // the cache changed the value, as in Redis
	}
	c.w.WriteInt(int64(card))
}

// pfcountUnion is PFCOUNT of several keys: the estimate of their union,
// computed on a register array without changing any key.
func pfcountUnion(c *Client, keys [][]byte) {
	m := lockKeys(c, keys, nil)
	defer c.unlockShards(c.db, m)
	var max [hllRegisters]uint8
	touch := !c.noTouch.Load()
	for _, k := range keys {
		e := c.db.shard(k).lookup(c.db, k, c.now, touch)
		if e == nil {
			continue
		}
		if !isHLL(c, e) {
			return
		}
		if !hllMerge(&max, e.str, hllTailOf(e)) {
			c.err(errHLLCorrupt)
			return
		}
	}
	var hist [64]int
	for _, v := range max {
		hist[v]++
	}
	c.w.WriteInt(int64(hllEstimate(&hist)))
}

func cmdPFMerge(c *Client, args [][]byte) {
	db, dst := c.db, args[1]
	m := lockKeys(c, args[1:], nil)
	defer c.unlockShards(db, m)
	var max [hllRegisters]uint8
	dense := false
	touch := !c.noTouch.Load()
	// The destination is merged too, as a source.
	for _, k := range args[1:] {
		e := db.shard(k).lookup(db, k, c.now, touch)
		if e == nil {
			continue
		}
		if !isHLL(c, e) {
			return
		}
		if e.str[4] == hllDense {
			dense = true
		}
		if !hllMerge(&max, e.str, hllTailOf(e)) {
			c.err(errHLLCorrupt)
			return
		}
	}
	sh := db.shard(dst)
	e := sh.peekTouched(db, dst, c.now)
	if e == nil {
		e = sh.add(db, dst, kindString)
		e.str, e.enc = newHLL(), encRaw
	} else {
		e.enc = encRaw
	}
	if dense {
		d, ok := hllSparseToDense(e.str, hllTailOf(e))
		if !ok {
			c.err(errHLLCorrupt)
			return
		}
		e.str = d
		hllSetTail(e, 0)
	}
	maxBytes := c.srv.cfg.load().HLLSparseMaxBytes
	for i, v := range max {
		if v == 0 {
			continue
		}
		if e.str[4] == hllDense {
			hllDenseSet(e.str[hllHdrSize:], i, v)
		} else {
			s, tail, _ := hllSparseSet(e.str, hllTailOf(e), i, v, maxBytes)
			e.str = s
			hllSetTail(e, tail)
		}
	}
	hllInvalidateCache(e.str)
	signalModifiedKey(db, dst)
	// A PFMERGE is reported as a PFADD: in effect it adds many elements.
	notifyKeyspaceEvent(c.srv, notifyString, "pfadd", dst, db.id)
	sh.dirty++
	c.propArgs(args)
	c.w.WriteOK()
}

// cmdPFDebug is PFDEBUG GETREG|DECODE|ENCODING|TODENSE key. The key is
// looked up (and made a raw string) before the subcommand is known, as in
// Redis.
func cmdPFDebug(c *Client, args [][]byte) {
	sub, key := args[1], args[2]
	db := c.db
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	e := sh.peekTouched(db, key, c.now)
	if e == nil {
		c.err("ERR The specified key does not exist")
		return
	}
	if !isHLL(c, e) {
		return
	}
	e.enc = encRaw
	switch {
	case strOptEq(sub, "getreg"):
		if e.str[4] == hllSparse {
			d, ok := hllSparseToDense(e.str, hllTailOf(e))
			if !ok {
				c.err(errHLLCorrupt)
				return
			}
			e.str = d
			hllSetTail(e, 0)
			sh.dirty++
			c.propArgs(args)
		}
		regs := e.str[hllHdrSize:]
		c.w.WriteArrayLen(hllRegisters)
		for i := 0; i < hllRegisters; i++ {
			c.w.WriteInt(int64(hllGetReg(regs, i)))
		}
	case strOptEq(sub, "decode"):
		if e.str[4] != hllSparse {
			c.err("ERR HLL encoding is not sparse")
			return
		}
		c.w.WriteBulkString(hllDecode(e.str, hllTailOf(e)))
	case strOptEq(sub, "encoding"):
		if e.str[4] == hllDense {
			c.w.WriteSimple("dense")
		} else {
			c.w.WriteSimple("sparse")
		}
	case strOptEq(sub, "todense"):
		conv := 0
		if e.str[4] == hllSparse {
			d, ok := hllSparseToDense(e.str, hllTailOf(e))
			if !ok {
				c.err(errHLLCorrupt)
				return
			}
			e.str = d
			hllSetTail(e, 0)
			conv = 1
			sh.dirty++
			c.propArgs(args)
		}
		c.w.WriteInt(int64(conv))
	default:
		name := sub
		if i := strings.IndexByte(string(sub), 0); i >= 0 {
			name = sub[:i] // printed with %s, as a C string
		}
		c.err("ERR Unknown PFDEBUG subcommand '" + string(name) + "'")
	}
}

// hllDecode is PFDEBUG DECODE's listing of a sparse value's opcodes.
func hllDecode(s []byte, tail byte) string {
	var b []byte
	for p := hllHdrSize; p < len(s); {
		op := s[p]
		switch {
		case hllIsZero(op):
			b = append(b, "z:"...)
			b = strconv.AppendInt(b, int64(hllZeroLen(op)), 10)
			p++
		case hllIsXZero(op):
			b = append(b, "Z:"...)
			b = strconv.AppendInt(b, int64(hllXZeroLen(s, p, tail)), 10)
			p += 2
		default:
			b = append(b, "v:"...)
			b = strconv.AppendInt(b, int64(hllValValue(op)), 10)
			b = append(b, ',')
			b = strconv.AppendInt(b, int64(hllValLen(op)), 10)
			p++
		}
		b = append(b, ' ')
	}
	return strings.Trim(string(b), " ")
}

// cmdPFSelfTest checks the register layout (random values written and read
// back) and the estimator (a dense and a sparse HyperLogLog fed the same
// elements must agree, within six standard errors of the truth, at every
// power of ten). Redis goes to ten million elements; one million keeps the
// command under a second here and exercises the same code.
func cmdPFSelfTest(c *Client, args [][]byte) {
	if msg := hllSelfTest(c.srv.cfg.load().HLLSparseMaxBytes); msg != "" {
		c.err(msg)
		return
	}
	c.w.WriteOK()
}

func hllSelfTest(maxBytes int64) string {
	regs := make([]byte, hllRegBytes)
	var want [hllRegisters]uint8
	for cycle := 0; cycle < 100; cycle++ {
		for i := range want {
			want[i] = uint8(rand.IntN(hllRegisterMax + 1))
			hllSetReg(regs, i, want[i])
		}
		for i := range want {
			if v := hllGetReg(regs, i); v != want[i] {
				return "TESTFAILED Register " + strconv.Itoa(i) + " should be " +
					strconv.Itoa(int(want[i])) + " but is " + strconv.Itoa(int(v))
			}
		}
	}
	dense := make([]byte, hllDenseSize)
	copy(dense, "HYLL")
	sparse := &entry{kind: kindString, str: newHLL(), enc: encRaw}
	relerr := 1.04 / math.Sqrt(hllRegisters)
	seed := rand.Uint64()
	var ele [8]byte
	checkpoint := 1
	for j := 1; j <= 1_000_000; j++ {
		binary.LittleEndian.PutUint64(ele[:], uint64(j)^seed)
		index, count := hllPatLen(ele[:])
		hllDenseSet(dense[hllHdrSize:], index, count)
		if hllAdd(sparse, ele[:], maxBytes) < 0 {
			return "TESTFAILED sparse representation corrupted"
		}
		if j != checkpoint {
			continue
		}
		if int64(j) < maxBytes/2 && sparse.str[4] != hllSparse {
			return "TESTFAILED sparse encoding not used"
		}
		dc, _ := hllCount(dense, 0)
		sc, _ := hllCount(sparse.str, 0)
		if dc != sc {
			return "TESTFAILED dense/sparse disagree"
		}
		abserr := int64(checkpoint) - int64(dc)
		if abserr < 0 {
			abserr = -abserr
		}
		maxerr := int64(math.Ceil(relerr * 6 * float64(checkpoint)))
		if j == 10 {
			maxerr = 1
		}
		if abserr > maxerr {
			return "TESTFAILED Too big error. card:" + strconv.Itoa(checkpoint) + " abserr:" + strconv.FormatInt(abserr, 10)
		}
		checkpoint *= 10
	}
	return ""
}
