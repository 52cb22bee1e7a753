package backend

import (
	"encoding/binary"
	"errors"
	"hash/crc64"
	"math"
	"strings"
)

// DUMP and RESTORE, and the value codecs they share with COPY.
//
// A payload is shardis's own format, not Redis's RDB encoding:
//
//	tag byte | value body | format version (2 bytes LE) | CRC-64 (8 bytes LE)
//
// The tag names the data type (valueCodec.tag); the body is the codec's;
// the CRC (ECMA polynomial) covers everything before it. The trailer has
// RDB's shape on purpose: the version is above every RDB version, so
// redis-server refuses our payloads with "DUMP payload version or checksum
// are wrong" instead of misreading them, and we refuse its payloads the same
// way.

func init() {
	register("dump", cmdDump)
	register("restore", cmdRestore)
	registerValueCodec(kindString, &valueCodec{
		tag: dumpTagString,
		encode: func(dst []byte, e *entry) []byte {
			return dumpAppendBytes(dst, e.str)
		},
		decode: func(r *dumpReader, e *entry) error {
			b := r.bytes()
			e.str = append([]byte(nil), b...)
			e.enc = restoredStringEnc(e.str)
			return r.err
		},
		dup: func(dst, src *entry) {
			dst.str = append([]byte(nil), src.str...)
			dst.enc = src.enc
			// COPY duplicates the object: even a small integer gets its
			// own, so OBJECT REFCOUNT says 1 (RESTORE shares it again).
			dst.flags |= flagUnshared
		},
	})
}

// dumpVersion is the payload format's version. Change it (upwards) when an
// encoding changes in a way older code cannot read.
const dumpVersion uint16 = 0x5301

// Tags of the data types in a payload. Never renumber or reuse one: payloads
// outlive the code that wrote them.
const (
	dumpTagString byte = 0
	dumpTagList   byte = 1
	dumpTagSet    byte = 2
	dumpTagZSet   byte = 3
	dumpTagHash   byte = 4
	dumpTagStream byte = 5
)

const dumpTrailerLen = 2 + 8

var dumpCRCTable = crc64.MakeTable(crc64.ECMA)

// Error replies of DUMP and RESTORE.
const (
	errDumpPayload = "ERR DUMP payload version or checksum are wrong"
	errBadData     = "ERR Bad data format"
	errBusyKey     = "BUSYKEY Target key name already exists."
	errNoCodec     = "ERR this type of value cannot be serialized or copied yet"
)

// valueCodec serialises one data type for DUMP and RESTORE and duplicates it
// for COPY. Each data type registers one from its file's init with
// registerValueCodec; the string codec is registered here.
type valueCodec struct {
	// tag identifies the type in payloads (dumpTag...).
	tag byte
	// encode appends e's value to dst. Nested strings and numbers should use
	// dumpAppendBytes, dumpAppendUvarint and dumpAppendFloat, which
	// dumpReader reads back.
	encode func(dst []byte, e *entry) []byte
	// decode reads a value written by encode into e's str, obj and enc
	// (e.kind is already set). It must not keep slices of r's input, which
	// aliases the request buffer, and must return an error, never panic, on
	// bad input: payloads come from clients. r.err is set once any read
	// ran past the end.
	decode func(r *dumpReader, e *entry) error
	// dup makes dst's value (str, obj, enc) a deep copy of src's, sharing
	// nothing mutable with it.
	dup func(dst, src *entry)
	// restored, when set, runs on a value RESTORE has just stored, with the
	// server at hand: redis-server gives a loaded value the encoding its
	// current thresholds call for (hash-max-listpack-entries and the like),
	// which decode cannot see.
	restored func(s *Server, e *entry)
}

// valueCodecs holds the codec of each kind; nil when the kind has none yet.
var valueCodecs [kindStream + 1]*valueCodec

// registerValueCodec makes k's values dumpable, restorable and copyable.
func registerValueCodec(k kind, vc *valueCodec) {
	if valueCodecs[k] != nil {
		panic("backend: value codec registered twice for " + k.String())
	}
	for _, other := range valueCodecs {
		if other != nil && other.tag == vc.tag {
			panic("backend: dump tag used twice")
		}
	}
	valueCodecs[k] = vc
}

// dumpValue returns e's payload, or nil when its type has no codec.
func dumpValue(e *entry) []byte {
	vc := valueCodecs[e.kind]
	if vc == nil {
		return nil
	}
	b := make([]byte, 1, 1+len(e.str)+binary.MaxVarintLen64+dumpTrailerLen)
	b[0] = vc.tag
	b = vc.encode(b, e)
	b = binary.LittleEndian.AppendUint16(b, dumpVersion)
	return binary.LittleEndian.AppendUint64(b, crc64.Checksum(b, dumpCRCTable))
}

// errDumpFormat is returned by decoders for malformed bodies.
var errDumpFormat = errors.New("bad dump payload")

// verifyDump checks a payload's version and checksum and returns its tag
// and body.
func verifyDump(p []byte) (tag byte, body []byte, ok bool) {
	if len(p) < 1+dumpTrailerLen {
		return 0, nil, false
	}
	n := len(p) - dumpTrailerLen
	if binary.LittleEndian.Uint16(p[n:]) != dumpVersion {
		return 0, nil, false
	}
	if binary.LittleEndian.Uint64(p[n+2:]) != crc64.Checksum(p[:n+2], dumpCRCTable) {
		return 0, nil, false
	}
	return p[0], p[1:n], true
}

// decodeValue fills e (kind, str, obj, enc) from a verified payload's tag
// and body.
func decodeValue(tag byte, body []byte, e *entry) error {
	for k, vc := range valueCodecs {
		if vc == nil || vc.tag != tag {
			continue
		}
		e.kind = kind(k)
		r := dumpReader{b: body}
		if err := vc.decode(&r, e); err != nil {
			return err
		}
		if r.err != nil || len(r.b) != 0 {
			return errDumpFormat
		}
		return nil
	}
	return errDumpFormat
}

// dumpAppendUvarint appends v as a varint.
func dumpAppendUvarint(dst []byte, v uint64) []byte { return binary.AppendUvarint(dst, v) }

// dumpAppendBytes appends b with its length.
func dumpAppendBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// dumpAppendFloat appends f's IEEE 754 bits.
func dumpAppendFloat(dst []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
}

// dumpReader reads a payload body. A read past the end sets err and
// returns zero values, so a decoder may read a whole record and check err
// once.
type dumpReader struct {
	b   []byte
	err error
}

// uvarint reads a dumpAppendUvarint value.
func (r *dumpReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errDumpFormat
		return 0
	}
	r.b = r.b[n:]
	return v
}

// bytes reads a dumpAppendBytes value; the slice aliases the payload.
func (r *dumpReader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errDumpFormat
		return nil
	}
	b := r.b[:n:n]
	r.b = r.b[n:]
	return b
}

// float reads a dumpAppendFloat value.
func (r *dumpReader) float() float64 {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 8 {
		r.err = errDumpFormat
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return f
}

// count reads a number of elements that follow, each at least minSize
// bytes long, so that a forged count cannot make a decoder preallocate
// more than the payload could hold.
func (r *dumpReader) count(minSize int) int {
	n := r.uvarint()
	if r.err != nil {
		return 0
	}
	if n > uint64(len(r.b))/uint64(max(minSize, 1)) {
		r.err = errDumpFormat
		return 0
	}
	return int(n)
}

// restoredStringEnc is the encoding redis-server's tryObjectEncoding gives
// a loaded string: int when it reads as a long, embstr up to 44 bytes, else
// raw.
func restoredStringEnc(b []byte) uint8 {
	if _, ok := parseStrictInt(b); ok && len(b) <= 20 {
		return encInt
	}
	if len(b) <= 44 {
		return encEmbstr
	}
	return encRaw
}

func cmdDump(c *Client, args [][]byte) {
	sh := c.db.shard(args[1])
	c.lockShard(sh)
	e := sh.lookup(c.db, args[1], c.now, !c.noTouch.Load())
	var p []byte
	if e != nil {
		p = dumpValue(e)
	}
	c.unlockShard(sh)
	switch {
	case e == nil:
		c.w.WriteNull()
	case p == nil:
		c.err(errNoCodec)
	default:
		c.w.WriteBulk(p)
	}
}

// lruClockMax is the largest value of redis-server's 24-bit LRU clock,
// the clock RESTORE's IDLETIME is applied to.
const lruClockMax = 1<<24 - 1

// restoredLRU returns the access clock (seconds, like entry.lru) that makes
// OBJECT IDLETIME report what redis-server 7.0.15 reports after RESTORE ...
// IDLETIME idle. This is a model of what that server was observed to do,
// not of its source: the idle time is scaled by the clock resolution
// (idle*1000/1000, so the product wraps for huge values), subtracted from
// the 24-bit LRU clock, and when that goes below zero the result wraps
// modulo 2^24 one second further back; the idle time is then read as
// estimateObjectIdleTime reads a wrapped clock. So an idle time beyond the
// clock's range comes back modulo 2^24, off by one.
func restoredLRU(clock uint32, idle int64) uint32 {
	idle = idle * 1000 / 1000
	clock24 := int64(clock) & lruClockMax
	abs := clock24 - idle
	if abs < 0 {
		abs--
	}
	lru24 := abs & lruClockMax
	est := clock24 - lru24
	if lru24 > clock24 {
		est = clock24 + lruClockMax - lru24
	}
	if est > int64(clock) {
		return 0
	}
	return clock - uint32(est)
}

func cmdRestore(c *Client, args [][]byte) {
	replace, absTTL := false, false
	var idle, freq int64 = -1, -1
	for j := 4; j < len(args); j++ {
		more := j+1 < len(args)
		switch a := string(args[j]); {
		case strings.EqualFold(a, "replace"):
			replace = true
		case strings.EqualFold(a, "absttl"):
			absTTL = true
		case strings.EqualFold(a, "idletime") && more && freq == -1:
			v, ok := parseStrictInt(args[j+1])
			if !ok {
				c.err(errNotInt)
				return
			}
			if v < 0 {
				c.err("ERR Invalid IDLETIME value, must be >= 0")
				return
			}
			idle = v
			j++
		case strings.EqualFold(a, "freq") && more && idle == -1:
			v, ok := parseStrictInt(args[j+1])
			if !ok {
				c.err(errNotInt)
				return
			}
			if v < 0 || v > 255 {
				c.err("ERR Invalid FREQ value, must be >= 0 and <= 255")
				return
			}
			freq = v
			j++
		default:
			c.err(errSyntax)
			return
		}
	}

	// The payload is checked and decoded before the shard is locked (it may
	// be large); the errors are then reported in Redis's order, BUSYKEY
	// first.
	ttl, ttlOK := parseStrictInt(args[2])
	var v entry
	payloadOK, decoded := false, false
	if ttlOK && ttl >= 0 {
		var tag byte
		var body []byte
		tag, body, payloadOK = verifyDump(args[3])
		decoded = payloadOK && decodeValue(tag, body, &v) == nil
	}

	db, key := c.db, args[1]
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	switch {
	case !replace && sh.peekTouched(db, key, c.now) != nil:
		c.err(errBusyKey)
		return
	case !ttlOK:
		c.err(errNotInt)
		return
	case ttl < 0:
		c.err("ERR Invalid TTL value, must be >= 0")
		return
	case !payloadOK:
		c.err(errDumpPayload)
		return
	case !decoded:
		c.err(errBadData)
		return
	}

	deleted := false
	if replace && sh.peek(db, key, c.now) != nil {
		sh.remove(key)
		deleted = true
	}
	if ttl != 0 && !absTTL {
		ttl += c.now // wraps on overflow, and the key is then gone: as Redis
	}
	if ttl != 0 && ttl <= c.now {
		if deleted {
			sh.dirty++
			c.propDel(db, key) // as Redis does
			signalModifiedKey(db, key)
			notifyKeyspaceEvent(c.srv, notifyGeneric, "del", key, db.id)
		}
		c.w.WriteOK()
		return
	}
	e := sh.add(db, key, v.kind)
	e.str, e.obj, e.enc = v.str, v.obj, v.enc
	if vc := valueCodecs[e.kind]; vc.restored != nil {
		vc.restored(c.srv, e)
	}
	if ttl != 0 {
		sh.setExpire(e, ttl)
	}
	if idle >= 0 {
		e.lru = restoredLRU(db.srv.lruClock(), idle)
	}
	if freq >= 0 {
		e.freq = uint8(freq)
	}
	sh.dirty++
	if c.recording() {
		if ttl != 0 && !absTTL {
			// The expiry as an absolute time, as Redis does.
			c.propBegin(db, len(args)+1)
			c.propArg(args[0])
			c.propArg(args[1])
			c.propInt(ttl)
			for _, a := range args[3:] {
				c.propArg(a)
			}
			c.propStr("ABSTTL")
		} else {
			c.propArgs(args)
		}
	}
	signalModifiedKey(db, key)
	notifyKeyspaceEvent(c.srv, notifyGeneric, "restore", key, db.id)
	c.w.WriteOK()
}
