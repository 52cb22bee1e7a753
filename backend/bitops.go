package backend

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// The bit commands (redis-server 7.0's bitops.c): SETBIT, GETBIT, BITCOUNT,
// BITPOS, BITOP, BITFIELD and BITFIELD_RO. Bits are numbered from the most
// significant bit of the first byte; a string is zero-padded as far as a
// write reaches. A write turns the value's encoding to raw, as redis-server
// unshares it before changing it in place.

func init() {
	register("setbit", cmdSetBit)
	register("getbit", cmdGetBit)
	register("bitcount", cmdBitCount)
	register("bitpos", cmdBitPos)
	register("bitop", cmdBitOp)
	register("bitfield", func(c *Client, args [][]byte) { bitfieldGeneric(c, args, false) })
	register("bitfield_ro", func(c *Client, args [][]byte) { bitfieldGeneric(c, args, true) })
}

// Error replies of the bit commands, with redis-server's texts.
const (
	errBitOffset         = "ERR bit offset is not an integer or out of range"
	errBitValue          = "ERR bit is not an integer or out of range"
	errBitPosArg         = "ERR The bit argument must be 1 or 0."
	errBitOpNot          = "ERR BITOP NOT must be called with a single source key."
	errBitfieldType      = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
	errBitfieldOverflow  = "ERR Invalid OVERFLOW type specified"
	errBitfieldROOnlyGet = "ERR BITFIELD_RO only supports the GET subcommand"
)

// bitOffsetArg parses a bit offset as getBitOffsetFromArgument does: a
// non-negative integer whose byte lies within proto-max-bulk-len; with
// hash, "#N" means N times width. It replies with the error when it fails.
func bitOffsetArg(c *Client, b []byte, hash bool, width int) (uint64, bool) {
	useHash := hash && len(b) > 0 && b[0] == '#'
	if useHash {
		b = b[1:]
	}
	off, ok := parseStrictInt(b)
	if ok && useHash {
		off *= int64(width) // wraps as in C; a wrapped value is refused below
	}
	if !ok || off < 0 || off>>3 >= c.srv.cfg.protoMaxBulkLen() {
		c.err(errBitOffset)
		return 0, false
	}
	return uint64(off), true
}

// bitStringForWrite is lookupStringForBitCommand: the string at key, created
// or zero-padded so that bit maxbit exists, turned raw. grown reports a new
// key or a longer string. It replies WRONGTYPE and returns nil for another
// type. The shard must be locked.
func bitStringForWrite(c *Client, sh *shard, key []byte, maxbit uint64) (e *entry, grown bool) {
	n := int(maxbit>>3) + 1
	e = sh.peekTouched(c.db, key, c.now)
	if e == nil {
		e = sh.add(c.db, key, kindString)
		e.str = make([]byte, n)
		e.enc = encRaw
		return e, true
	}
	if e.kind != kindString {
		c.err(errWrongType)
		return nil, false
	}
	e.enc = encRaw
	if n > len(e.str) {
		e.str = append(e.str, make([]byte, n-len(e.str))...)
		grown = true
	}
	return e, grown
}

// --- SETBIT, GETBIT ---------------------------------------------------------

func cmdSetBit(c *Client, args [][]byte) {
	off, ok := bitOffsetArg(c, args[2], false, 0)
	if !ok {
		return
	}
	on, ok := parseStrictInt(args[3])
	if !ok || on&^1 != 0 {
		c.err(errBitValue)
		return
	}
	key := args[1]
	sh := c.db.shard(key)
	c.lockShard(sh)
	e, grown := bitStringForWrite(c, sh, key, off)
	if e == nil {
		c.unlockShard(sh)
		return
	}
	byteIdx, mask := off>>3, byte(1)<<(7-off&7)
	old := e.str[byteIdx]&mask != 0
	if grown || old != (on == 1) {
		if on == 1 {
			e.str[byteIdx] |= mask
		} else {
			e.str[byteIdx] &^= mask
		}
		sh.dirty++
		c.propArgs(args)
		signalModifiedKey(c.db, key)
		notifyKeyspaceEvent(c.srv, notifyString, "setbit", key, c.db.id)
	}
	c.unlockShard(sh)
	if old {
		c.w.WriteInt(1)
	} else {
		c.w.WriteInt(0)
	}
}

func cmdGetBit(c *Client, args [][]byte) {
	off, ok := bitOffsetArg(c, args[2], false, 0)
	if !ok {
		return
	}
	key := args[1]
	sh := c.db.shard(key)
	c.lockShard(sh)
	e := sh.lookup(c.db, key, c.now, !c.noTouch.Load())
	switch {
	case e == nil:
		c.w.WriteInt(0)
	case e.kind != kindString:
		c.err(errWrongType)
	case off>>3 < uint64(len(e.str)) && e.str[off>>3]&(1<<(7-off&7)) != 0:
		c.w.WriteInt(1)
	default:
		c.w.WriteInt(0)
	}
	c.unlockShard(sh)
}

// --- BITCOUNT, BITPOS -------------------------------------------------------

// bitPopcount counts the set bits of p.
func bitPopcount(p []byte) int64 {
	var n int
	for len(p) >= 8 {
		n += bits.OnesCount64(binary.LittleEndian.Uint64(p))
		p = p[8:]
	}
	for _, b := range p {
		n += bits.OnesCount8(b)
	}
	return int64(n)
}

// bitUnitArg parses BITCOUNT's and BITPOS's BYTE|BIT argument.
func bitUnitArg(c *Client, b []byte) (isBit, ok bool) {
	switch {
	case strOptEq(b, "bit"):
		return true, true
	case strOptEq(b, "byte"):
		return false, true
	}
	c.err(errSyntax)
	return false, false
}

// bitClampRange turns a start and end that may count from the end (negative)
// into indexes within [0, n-1]; start > end means empty.
func bitClampRange(start, end, n int64) (int64, int64) {
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start = max(start, 0)
	end = max(end, 0)
	if end >= n {
		end = n - 1
	}
	return start, end
}

func cmdBitCount(c *Client, args [][]byte) {
	key := args[1]
	sh := c.db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	// A missing key counts 0 before its arguments are looked at.
	e := sh.lookup(c.db, key, c.now, !c.noTouch.Load())
	if e == nil {
		c.w.WriteInt(0)
		return
	}
	if e.kind != kindString {
		c.err(errWrongType)
		return
	}
	p := e.str
	var start, end int64
	var firstMask, lastMask byte // bits of the edge bytes outside a BIT range
	switch len(args) {
	case 2:
		start, end = 0, int64(len(p))-1
	case 4, 5:
		var ok1, ok2 bool
		if start, ok1 = parseStrictInt(args[2]); !ok1 {
			c.err(errNotInt)
			return
		}
		if end, ok2 = parseStrictInt(args[3]); !ok2 {
			c.err(errNotInt)
			return
		}
		// An empty negative range answers before BYTE|BIT is looked at.
		if start < 0 && end < 0 && start > end {
			c.w.WriteInt(0)
			return
		}
		isBit := false
		if len(args) == 5 {
			var ok bool
			if isBit, ok = bitUnitArg(c, args[4]); !ok {
				return
			}
		}
		total := int64(len(p))
		if isBit {
			total <<= 3
		}
		start, end = bitClampRange(start, end, total)
		if isBit && start <= end {
			firstMask = ^byte(0xff >> (start & 7))
			lastMask = byte(0xff >> (end&7 + 1))
			start >>= 3
			end >>= 3
		}
	default:
		c.err(errSyntax)
		return
	}
	if start > end {
		c.w.WriteInt(0)
		return
	}
	n := bitPopcount(p[start : end+1])
	n -= int64(bits.OnesCount8(p[start]&firstMask) + bits.OnesCount8(p[end]&lastMask))
	c.w.WriteInt(n)
}

// bitFirst returns the position of the first bit equal to bit in p[from:to]
// (bit positions), or -1.
func bitFirst(p []byte, from, to int64, bit bool) int64 {
	var skip byte // a byte made of bits that are not looked for
	if !bit {
		skip = 0xff
	}
	for pos := from; pos <= to; {
		i := pos >> 3
		if pos&7 == 0 && pos+7 <= to && p[i] == skip {
			pos += 8 // a whole byte without the bit
			continue
		}
		if (p[i]&(0x80>>(pos&7)) != 0) == bit {
			return pos
		}
		pos++
	}
	return -1
}

func cmdBitPos(c *Client, args [][]byte) {
	bitArg, ok := parseStrictInt(args[2])
	if !ok {
		c.err(errNotInt)
		return
	}
	if bitArg != 0 && bitArg != 1 {
		c.err(errBitPosArg)
		return
	}
	bit := bitArg == 1
	key := args[1]
	sh := c.db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	// A missing key is an endless run of zeros.
	e := sh.lookup(c.db, key, c.now, !c.noTouch.Load())
	if e == nil {
		if bit {
			c.w.WriteInt(-1)
		} else {
			c.w.WriteInt(0)
		}
		return
	}
	if e.kind != kindString {
		c.err(errWrongType)
		return
	}
	p := e.str
	n := int64(len(p))
	// The range in bits, [from, to].
	from, to := int64(0), n*8-1
	endGiven := false
	switch len(args) {
	case 3:
	case 4, 5, 6:
		start, ok := parseStrictInt(args[3])
		if !ok {
			c.err(errNotInt)
			return
		}
		isBit := false
		if len(args) == 6 {
			if isBit, ok = bitUnitArg(c, args[5]); !ok {
				return
			}
		}
		end := n - 1
		if len(args) >= 5 {
			if end, ok = parseStrictInt(args[4]); !ok {
				c.err(errNotInt)
				return
			}
			endGiven = true
		}
		total := n
		if isBit {
			total <<= 3
		}
		start, end = bitClampRange(start, end, total)
		if start > end {
			c.w.WriteInt(-1)
			return
		}
		if isBit {
			from, to = start, end
		} else {
			from, to = start*8, end*8+7
		}
	default:
		c.err(errSyntax)
		return
	}
	if from > to {
		c.w.WriteInt(-1)
		return
	}
	pos := bitFirst(p, from, to, bit)
	if pos < 0 && !bit && !endGiven {
		// Looking for a clear bit with no end given: the string goes on
		// with zeros past its last byte.
		pos = to + 1
	}
	c.w.WriteInt(pos)
}

// --- BITOP ------------------------------------------------------------------

// BITOP operations.
const (
	bitopAnd = iota
	bitopOr
	bitopXor
	bitopNot
)

func cmdBitOp(c *Client, args [][]byte) {
	var op int
	switch name := args[1]; {
	case strOptEq(name, "and"):
		op = bitopAnd
	case strOptEq(name, "or"):
		op = bitopOr
	case strOptEq(name, "xor"):
		op = bitopXor
	case strOptEq(name, "not"):
		op = bitopNot
	default:
		c.err(errSyntax)
		return
	}
	if op == bitopNot && len(args) != 4 {
		c.err(errBitOpNot)
		return
	}
	db := c.db
	dest, srcKeys := args[2], args[3:]
	m := keysShardMask(srcKeys) | 1<<shardIndex(dest)
	touch := !c.noTouch.Load()
	c.lockShards(db, m)
	defer c.unlockShards(db, m)

	// Missing keys are empty strings; the sources are only read until the
	// result, a new buffer, is complete.
	var srcBuf [8][]byte
	srcs := srcBuf[:0]
	maxLen := 0
	for _, k := range srcKeys {
		e := db.shard(k).lookup(db, k, c.now, touch)
		if e == nil {
			srcs = append(srcs, nil)
			continue
		}
		if e.kind != kindString {
			c.err(errWrongType)
			return
		}
		srcs = append(srcs, e.str)
		maxLen = max(maxLen, len(e.str))
	}

	sh := db.shard(dest)
	if maxLen == 0 {
		// An empty result deletes the destination.
		if sh.peek(db, dest, c.now) != nil {
			sh.remove(dest)
			sh.dirty++
			c.propArgs(args)
			signalModifiedKey(db, dest)
			notifyKeyspaceEvent(c.srv, notifyGeneric, "del", dest, db.id)
		}
		c.w.WriteInt(0)
		return
	}
	res := make([]byte, maxLen)
	bitopInto(res, srcs, op)
	e := sh.peekTouched(db, dest, c.now)
	if e == nil {
		e = sh.add(db, dest, kindString)
	} else if e.expire != 0 {
		sh.setExpire(e, 0)
	}
	e.kind = kindString
	e.obj = nil
	e.str = res
	e.enc = encRaw
	sh.dirty++
	c.propArgs(args)
	signalModifiedKey(db, dest)
	notifyKeyspaceEvent(c.srv, notifyString, "set", dest, db.id)
	c.w.WriteInt(int64(maxLen))
}

// bitopInto computes op over srcs into res (len(res) is the longest source;
// shorter ones are zero-padded).
func bitopInto(res []byte, srcs [][]byte, op int) {
	if op == bitopNot {
		src := srcs[0]
		for i := range res {
			res[i] = ^src[i]
		}
		return
	}
	copy(res, srcs[0]) // the rest of res is zero, as the padding is
	for _, src := range srcs[1:] {
		switch op {
		case bitopAnd:
			i := 0
			for ; i+8 <= len(src); i += 8 {
				binary.LittleEndian.PutUint64(res[i:], binary.LittleEndian.Uint64(res[i:])&binary.LittleEndian.Uint64(src[i:]))
			}
			for ; i < len(src); i++ {
				res[i] &= src[i]
			}
			clear(res[len(src):])
		case bitopOr:
			i := 0
			for ; i+8 <= len(src); i += 8 {
				binary.LittleEndian.PutUint64(res[i:], binary.LittleEndian.Uint64(res[i:])|binary.LittleEndian.Uint64(src[i:]))
			}
			for ; i < len(src); i++ {
				res[i] |= src[i]
			}
		case bitopXor:
			i := 0
			for ; i+8 <= len(src); i += 8 {
				binary.LittleEndian.PutUint64(res[i:], binary.LittleEndian.Uint64(res[i:])^binary.LittleEndian.Uint64(src[i:]))
			}
			for ; i < len(src); i++ {
				res[i] ^= src[i]
			}
		}
	}
}

// --- BITFIELD, BITFIELD_RO --------------------------------------------------

// BITFIELD operations.
const (
	bfGet = iota
	bfSet
	bfIncrBy
)

// BITFIELD overflow behaviours (OVERFLOW WRAP|SAT|FAIL).
const (
	bfWrap = iota
	bfSat
	bfFail
)

type bitfieldOp struct {
	offset   uint64
	value    int64
	op       int
	overflow int
	width    int
	signed   bool
}

// bitfieldTypeArg parses a type, i1..i64 or u1..u63 (lower case only, as
// redis-server reads it).
func bitfieldTypeArg(c *Client, b []byte) (signed bool, width int, ok bool) {
	// The width is read as a C string: up to a NUL byte.
	for i, ch := range b {
		if ch == 0 {
			b = b[:i]
			break
		}
	}
	if len(b) > 0 && (b[0] == 'i' || b[0] == 'u') {
		signed = b[0] == 'i'
		if n, ok := parseStrictInt(b[1:]); ok && n >= 1 && (signed && n <= 64 || !signed && n <= 63) {
			return signed, int(n), true
		}
	}
	c.err(errBitfieldType)
	return false, 0, false
}

func bitfieldGeneric(c *Client, args [][]byte, readonlyCmd bool) {
	var opsBuf [8]bitfieldOp
	ops := opsBuf[:0]
	overflow := bfWrap
	readonly := true
	var highest uint64 // the last bit a write reaches
	for j := 2; j < len(args); j++ {
		remaining := len(args) - j - 1
		sub := args[j]
		var op int
		switch {
		case strOptEq(sub, "get") && remaining >= 2:
			op = bfGet
		case strOptEq(sub, "set") && remaining >= 3:
			op = bfSet
		case strOptEq(sub, "incrby") && remaining >= 3:
			op = bfIncrBy
		case strOptEq(sub, "overflow") && remaining >= 1:
			j++
			switch t := args[j]; {
			case strOptEq(t, "wrap"):
				overflow = bfWrap
			case strOptEq(t, "sat"):
				overflow = bfSat
			case strOptEq(t, "fail"):
				overflow = bfFail
			default:
				c.err(errBitfieldOverflow)
				return
			}
			continue
		default:
			c.err(errSyntax)
			return
		}
		signed, width, ok := bitfieldTypeArg(c, args[j+1])
		if !ok {
			return
		}
		off, ok := bitOffsetArg(c, args[j+2], true, width)
		if !ok {
			return
		}
		var v int64
		if op != bfGet {
			readonly = false
			highest = max(highest, off+uint64(width)-1)
			if v, ok = parseStrictInt(args[j+3]); !ok {
				c.err(errNotInt)
				return
			}
			j++
		}
		ops = append(ops, bitfieldOp{offset: off, value: v, op: op, overflow: overflow, width: width, signed: signed})
		j += 2
	}

	key := args[1]
	sh := c.db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	var e *entry
	grown := false
	if readonly {
		e = sh.lookup(c.db, key, c.now, !c.noTouch.Load())
		if e != nil && e.kind != kindString {
			c.err(errWrongType)
			return
		}
	} else {
		if readonlyCmd {
			c.err(errBitfieldROOnlyGet)
			return
		}
		if e, grown = bitStringForWrite(c, sh, key, highest); e == nil {
			return
		}
	}

	c.w.WriteArrayLen(len(ops))
	changes := 0
	for i := range ops {
		o := &ops[i]
		if o.op == bfGet {
			var p []byte
			if e != nil {
				p = e.str
			}
			if o.signed {
				c.w.WriteInt(getSignedBitfield(p, o.offset, o.width))
			} else {
				c.w.WriteInt(int64(getUnsignedBitfield(p, o.offset, o.width)))
			}
			continue
		}
		var oldv, newv, reply uint64
		var over bool
		if o.signed {
			old := getSignedBitfield(e.str, o.offset, o.width)
			var nv, wrapped int64
			if o.op == bfIncrBy {
				over, wrapped = signedBitfieldOverflow(old, o.value, o.width, o.overflow)
				nv = old + o.value
				if over {
					nv = wrapped
				}
				reply = uint64(nv)
			} else {
				nv = o.value
				if over, wrapped = signedBitfieldOverflow(nv, 0, o.width, o.overflow); over {
					nv = wrapped
				}
				reply = uint64(old)
			}
			oldv, newv = uint64(old), uint64(nv)
		} else {
			old := getUnsignedBitfield(e.str, o.offset, o.width)
			var nv, wrapped uint64
			if o.op == bfIncrBy {
				nv = old + uint64(o.value)
				if over, wrapped = unsignedBitfieldOverflow(old, o.value, o.width, o.overflow); over {
					nv = wrapped
				}
				reply = nv
			} else {
				nv = uint64(o.value)
				if over, wrapped = unsignedBitfieldOverflow(nv, 0, o.width, o.overflow); over {
					nv = wrapped
				}
				reply = old
			}
			oldv, newv = old, nv
		}
		if over && o.overflow == bfFail {
			c.w.WriteNull()
			continue
		}
		c.w.WriteInt(int64(reply))
		setBitfield(e.str, o.offset, o.width, newv)
		if grown || oldv != newv {
			changes++
		}
	}
	if changes > 0 {
		sh.dirty += int64(changes)
		c.propArgs(args)
		signalModifiedKey(c.db, key)
		notifyKeyspaceEvent(c.srv, notifyString, "setbit", key, c.db.id)
	} else if grown {
		// Only OVERFLOW FAIL writes, which failed: the string was still
		// created or padded with zeros. Redis counts no change and logs
		// nothing (its AOF then rebuilds a shorter string); the command
		// is logged, which pads the same way again.
		c.propArgs(args)
	}
}

// getUnsignedBitfield reads width bits at bit offset of p, zero past its
// end.
func getUnsignedBitfield(p []byte, offset uint64, width int) uint64 {
	var v uint64
	for range width {
		var b uint64
		if i := offset >> 3; i < uint64(len(p)) {
			b = uint64(p[i]>>(7-offset&7)) & 1
		}
		v = v<<1 | b
		offset++
	}
	return v
}

func getSignedBitfield(p []byte, offset uint64, width int) int64 {
	v := getUnsignedBitfield(p, offset, width)
	if width < 64 && v&(1<<(width-1)) != 0 {
		v |= math.MaxUint64 << width // sign extension
	}
	return int64(v)
}

// setBitfield writes the low width bits of v at bit offset of p, which is
// long enough.
func setBitfield(p []byte, offset uint64, width int, v uint64) {
	for j := width - 1; j >= 0; j-- {
		mask := byte(0x80) >> (offset & 7)
		if v>>j&1 != 0 {
			p[offset>>3] |= mask
		} else {
			p[offset>>3] &^= mask
		}
		offset++
	}
}

// unsignedBitfieldOverflow is checkUnsignedBitfieldOverflow: whether
// value+incr leaves [0, 2^width-1], and the value WRAP or SAT gives then.
func unsignedBitfieldOverflow(value uint64, incr int64, width, overflow int) (bool, uint64) {
	maxv := uint64(1)<<width - 1
	maxIncr := int64(maxv - value)
	minIncr := -int64(value)
	switch {
	case value > maxv || (incr > 0 && incr > maxIncr):
		if overflow == bfSat {
			return true, maxv
		}
	case incr < 0 && incr < minIncr:
		if overflow == bfSat {
			return true, 0
		}
	default:
		return false, 0
	}
	if overflow == bfWrap {
		return true, (value + uint64(incr)) & maxv
	}
	return true, 0
}

// signedBitfieldOverflow is checkSignedBitfieldOverflow for a signed field
// of width bits.
func signedBitfieldOverflow(value, incr int64, width, overflow int) (bool, int64) {
	maxv := int64(math.MaxInt64)
	if width < 64 {
		maxv = int64(1)<<(width-1) - 1
	}
	minv := -maxv - 1
	// These may wrap; they are only used where they cannot (as in C).
	maxIncr := int64(uint64(maxv) - uint64(value))
	minIncr := minv - value
	switch {
	case value > maxv || (width != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr):
		if overflow == bfSat {
			return true, maxv
		}
	case value < minv || (width != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr):
		if overflow == bfSat {
			return true, minv
		}
	default:
		return false, 0
	}
	if overflow == bfWrap {
		c := uint64(value) + uint64(incr)
		if width < 64 {
			mask := uint64(math.MaxUint64) << width
			if c&(1<<(width-1)) != 0 {
				c |= mask
			} else {
				c &^= mask
			}
		}
		return true, int64(c)
	}
	return true, 0
}
