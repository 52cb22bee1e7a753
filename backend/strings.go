package backend

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"sync"
)

// The string commands (redis-server 7.0's t_string.c): GET, SET and its
// variants, GETEX, GETDEL, MGET, MSET, MSETNX, APPEND, STRLEN, GETRANGE,
// SETRANGE, the INCR family, INCRBYFLOAT and LCS. The bit commands are in
// bitops.go.
//
// A string value is entry.str; entry.enc records the encoding redis-server
// would have chosen (OBJECT ENCODING reads it): int for a canonical integer
// stored by SET and friends or produced by INCR, embstr for other values of
// at most 44 bytes stored whole, raw for longer ones and for any value
// modified in place (APPEND, SETRANGE, SETBIT, BITFIELD writes).

func init() {
	register("get", cmdGet)
	register("set", cmdSet)
	register("setnx", cmdSetNX)
	register("setex", func(c *Client, args [][]byte) { setGeneric(c, args, args[1], args[3], setEX, args[2], "setex", false) })
	register("psetex", func(c *Client, args [][]byte) { setGeneric(c, args, args[1], args[3], setPX, args[2], "psetex", false) })
	register("getset", cmdGetSet)
	register("getex", cmdGetEx)
	register("getdel", cmdGetDel)
	register("mget", cmdMGet)
	register("mset", func(c *Client, args [][]byte) { msetGeneric(c, args, false) })
	register("msetnx", func(c *Client, args [][]byte) { msetGeneric(c, args, true) })
	register("append", cmdAppend)
	register("strlen", cmdStrlen)
	register("getrange", cmdGetRange)
	register("substr", cmdGetRange)
	register("setrange", cmdSetRange)
	register("incr", func(c *Client, args [][]byte) { incrDecr(c, args, args[1], 1) })
	register("decr", func(c *Client, args [][]byte) { incrDecr(c, args, args[1], -1) })
	register("incrby", cmdIncrBy)
	register("decrby", cmdDecrBy)
	register("incrbyfloat", cmdIncrByFloat)
	register("lcs", cmdLCS)
}

// Error replies of the string commands, with redis-server's texts.
const (
	errStringTooLong   = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	errDecrOverflow    = "ERR decrement would overflow"
	errIncrFloatResult = "ERR increment would produce NaN or Infinity"
	errLCSWrongType    = "ERR The specified keys must contain string values"
	errLCSLenAndIdx    = "ERR If you want both the length and indexes, please just use IDX."
	errLCSTooBig       = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
)

// --- Values and encodings ---------------------------------------------------

const (
	// embstrMaxLen is the longest value redis-server stores embstr
	// (OBJ_ENCODING_EMBSTR_SIZE_LIMIT).
	embstrMaxLen = 44
	// intStrCap is the room kept behind an int-encoded value: the longest
	// int64 in decimal, so that INCR rewrites it in place.
	intStrCap = 20
)

// storedStringEncoding is the encoding redis-server's tryObjectEncoding gives
// a value that SET, SETNX, SETEX, GETSET, MSET or APPEND (creating the key)
// stores: int for a canonical integer, embstr up to 44 bytes, raw beyond.
func storedStringEncoding(v []byte) uint8 {
	if len(v) <= intStrCap && len(v) > 0 && (v[0] == '-' || v[0] >= '0' && v[0] <= '9') {
		if _, ok := parseStrictInt(v); ok {
			return encInt
		}
	}
	return wholeStringEncoding(v)
}

// wholeStringEncoding is the encoding of a value created whole that is not
// tried as an integer (createStringObject: INCRBYFLOAT's result).
func wholeStringEncoding(v []byte) uint8 {
	if len(v) <= embstrMaxLen {
		return encEmbstr
	}
	return encRaw
}

// strStoreValue makes a copy of v the string value of e, with encoding enc.
// The old buffer is reused when it fits and is not much larger than needed,
// so that overwriting a value does not allocate: no other entry shares an
// entry's buffer, and no reply keeps it after the shard is unlocked.
func strStoreValue(e *entry, v []byte, enc uint8) {
	need := len(v)
	if enc == encInt {
		need = intStrCap
	}
	if e.kind == kindString && cap(e.str) >= need && cap(e.str) <= 2*need+64 {
		e.str = append(e.str[:0], v...)
	} else {
		b := make([]byte, len(v), need)
		copy(b, v)
		e.str = b
	}
	e.kind = kindString
	e.obj = nil
	e.enc = enc
	e.flags &^= flagUnshared
}

// strStoreInt makes v, in decimal, the value of e, int-encoded (INCR's
// result).
func strStoreInt(e *entry, v int64) {
	if e.kind != kindString || cap(e.str) < intStrCap {
		e.str = make([]byte, 0, intStrCap)
	}
	e.str = strconv.AppendInt(e.str[:0], v, 10)
	e.kind = kindString
	e.obj = nil
	e.enc = encInt
	e.flags &^= flagUnshared
}

// setStringKey is redis-server's setKey for a string: key gets a copy of v,
// whatever it held before, and loses its expiry unless keepTTL. e is key's
// live entry or nil. The shard must be locked.
func setStringKey(c *Client, sh *shard, e *entry, key, v []byte, keepTTL bool) *entry {
	if e == nil {
		e = sh.add(c.db, key, kindString)
	} else {
		if !keepTTL && e.expire != 0 {
			sh.setExpire(e, 0)
		}
		e.lru = c.srv.lruClock()
	}
	strStoreValue(e, v, storedStringEncoding(v))
	sh.dirty++
	return e
}

// stringLengthOK is checkStringLength: a string may not grow beyond
// proto-max-bulk-len (nor overflow on the way).
func stringLengthOK(c *Client, size, add int64) bool {
	total := size + add
	if total > c.srv.cfg.protoMaxBulkLen() || total < size || total < add {
		c.err(errStringTooLong)
		return false
	}
	return true
}

// strFoldEq reports whether b equals lower, an ASCII lower-case word, ignoring
// case, without allocating.
func strFoldEq(b []byte, lower string) bool {
	return len(b) == len(lower) && strFoldPrefix(b, lower)
}

// strOptEq is strcasecmp(b, lower) == 0 as redis-server compares option names:
// b as a C string, ending at its first NUL byte if it has one.
func strOptEq(b []byte, lower string) bool {
	return len(b) >= len(lower) && strFoldPrefix(b, lower) && (len(b) == len(lower) || b[len(lower)] == 0)
}

func strFoldPrefix(b []byte, lower string) bool {
	for i := 0; i < len(lower); i++ {
		ch := b[i]
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		if ch != lower[i] {
			return false
		}
	}
	return true
}

// --- GET, SET and their variants -------------------------------------------

func cmdGet(c *Client, args [][]byte) {
	key := args[1]
	sh := c.db.shard(key)
	c.lockShard(sh)
	e := sh.lookup(c.db, key, c.now, !c.noTouch.Load())
	switch {
	case e == nil:
		c.w.WriteNull()
	case e.kind != kindString:
		c.err(errWrongType)
	default:
		c.w.WriteBulk(e.str)
	}
	c.unlockShard(sh)
}

// Options of SET and GETEX, as redis-server's parseExtendedStringArguments
// keeps them.
const (
	setNX = 1 << iota
	setXX
	setGet
	setKeepTTL
	setPersist
	setEX
	setPX
	setEXAT
	setPXAT

	setExpireAny = setEX | setPX | setEXAT | setPXAT
)

// parseSetOptions parses the options of SET (from args[3]) or, when getex,
// of GETEX (from args[2]), with redis-server 7.0's rules: an option that
// conflicts with one already given is a syntax error, an option repeated is
// not (the last expire time wins). It returns the flags and the expire time
// argument (nil without one), or replies with the error.
func parseSetOptions(c *Client, args [][]byte, getex bool) (flags int, expire []byte, ok bool) {
	j := 3
	if getex {
		j = 2
	}
	for ; j < len(args); j++ {
		opt := args[j]
		next := j+1 < len(args)
		var f int
		switch {
		case !getex && strOptEq(opt, "nx") && flags&setXX == 0:
			flags |= setNX
			continue
		case !getex && strOptEq(opt, "xx") && flags&setNX == 0:
			flags |= setXX
			continue
		case !getex && strOptEq(opt, "get"):
			flags |= setGet
			continue
		case !getex && strOptEq(opt, "keepttl") && flags&(setPersist|setExpireAny) == 0:
			flags |= setKeepTTL
			continue
		case getex && strOptEq(opt, "persist") && flags&(setKeepTTL|setExpireAny) == 0:
			flags |= setPersist
			continue
		case strOptEq(opt, "ex"):
			f = setEX
		case strOptEq(opt, "px"):
			f = setPX
		case strOptEq(opt, "exat"):
			f = setEXAT
		case strOptEq(opt, "pxat"):
			f = setPXAT
		}
		// An expire option excludes KEEPTTL, PERSIST and the other three,
		// but not itself.
		if f == 0 || !next || flags&(setKeepTTL|setPersist|(setExpireAny&^f)) != 0 {
			c.err(errSyntax)
			return 0, nil, false
		}
		flags |= f
		expire = args[j+1]
		j++
	}
	return flags, expire, true
}

// expireArgAt converts the expire time argument of SET, SETEX, PSETEX or
// GETEX to an absolute unix time in ms, as getExpireMillisecondsOrReply
// does: positive, no overflow (the addition wraps as in C, and a wrapped
// result is refused). It replies with the error when it fails.
func expireArgAt(c *Client, arg []byte, flags int, name string) (int64, bool) {
	ms, ok := parseStrictInt(arg)
	if !ok {
		c.err(errNotInt)
		return 0, false
	}
	secs := flags&(setEX|setEXAT) != 0
	if ms <= 0 || (secs && ms > math.MaxInt64/1000) {
		c.err(fmt.Sprintf(errInvalidExp, name))
		return 0, false
	}
	if secs {
		ms *= 1000
	}
	if flags&(setEX|setPX) != 0 {
		ms += c.now
	}
	if ms <= 0 {
		c.err(fmt.Sprintf(errInvalidExp, name))
		return 0, false
	}
	return ms, true
}

func cmdSet(c *Client, args [][]byte) {
	flags, expire, ok := parseSetOptions(c, args, false)
	if !ok {
		return
	}
	setGeneric(c, args, args[1], args[2], flags, expire, "set", false)
}

func cmdSetNX(c *Client, args [][]byte) {
	setGeneric(c, args, args[1], args[2], setNX, nil, "setnx", true)
}

// setGeneric is redis-server's setGenericCommand: SET with its options, and
// SETNX (intReply: :1 / :0), SETEX and PSETEX. args is the request, which
// is propagated as it is unless it has a relative expiry: then as SET key
// value PXAT ms, as Redis does.
func setGeneric(c *Client, args [][]byte, key, val []byte, flags int, expire []byte, name string, intReply bool) {
	var when int64
	if expire != nil {
		var ok bool
		if when, ok = expireArgAt(c, expire, flags, name); !ok {
			return
		}
	}
	db := c.db
	sh := db.shard(key)
	c.lockShard(sh)
	var e *entry
	if flags&setGet != 0 {
		e = sh.lookup(db, key, c.now, !c.noTouch.Load())
		switch {
		case e == nil:
			c.w.WriteNull()
		case e.kind != kindString:
			c.unlockShard(sh)
			c.err(errWrongType)
			return
		default:
			c.w.WriteBulk(e.str)
		}
	} else {
		e = sh.peekTouched(db, key, c.now)
	}
	if (flags&setNX != 0 && e != nil) || (flags&setXX != 0 && e == nil) {
		c.unlockShard(sh)
		switch {
		case flags&setGet != 0:
		case intReply:
			c.w.WriteInt(0)
		default:
			c.w.WriteNull()
		}
		return
	}
	e = setStringKey(c, sh, e, key, val, flags&setKeepTTL != 0)
	if expire != nil {
		// A time already past is kept: the key expires at its next access,
		// as in redis-server 7.0.
		sh.setExpire(e, when)
	}
	if c.recording() {
		if expire != nil && flags&setPXAT == 0 {
			c.propBegin(db, 5)
			c.propStr("SET")
			c.propArg(key)
			c.propArg(val)
			c.propStr("PXAT")
			c.propInt(when)
		} else {
			c.propArgs(args)
		}
	}
	signalModifiedKey(db, key)
	notifyKeyspaceEvent(c.srv, notifyString, "set", key, db.id)
	if expire != nil {
		notifyKeyspaceEvent(c.srv, notifyGeneric, "expire", key, db.id)
	}
	c.unlockShard(sh)
	switch {
	case flags&setGet != 0:
	case intReply:
		c.w.WriteInt(1)
	default:
		c.w.WriteOK()
	}
}

func cmdGetSet(c *Client, args [][]byte) {
	key := args[1]
	db := c.db
	sh := db.shard(key)
	c.lockShard(sh)
	e := sh.lookup(db, key, c.now, !c.noTouch.Load())
	switch {
	case e == nil:
		c.w.WriteNull()
	case e.kind != kindString:
		c.unlockShard(sh)
		c.err(errWrongType)
		return
	default:
		// The reply is a copy: the buffer may be overwritten below.
		c.w.WriteBulk(e.str)
	}
	setStringKey(c, sh, e, key, args[2], false)
	if c.recording() { // as SET, as Redis does
		c.propBegin(db, 3)
		c.propStr("SET")
		c.propArg(key)
		c.propArg(args[2])
	}
	signalModifiedKey(db, key)
	notifyKeyspaceEvent(c.srv, notifyString, "set", key, db.id)
	c.unlockShard(sh)
}

func cmdGetEx(c *Client, args [][]byte) {
	flags, expire, ok := parseSetOptions(c, args, true)
	if !ok {
		return
	}
	key := args[1]
	db := c.db
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	e := sh.lookup(db, key, c.now, !c.noTouch.Load())
	if e == nil {
		c.w.WriteNull()
		return
	}
	if e.kind != kindString {
		c.err(errWrongType)
		return
	}
	var when int64
	if expire != nil {
		if when, ok = expireArgAt(c, expire, flags, "getex"); !ok {
			return
		}
	}
	c.w.WriteBulk(e.str)
	switch {
	case flags&(setEXAT|setPXAT) != 0 && when <= c.now:
		// An absolute time already past deletes the key.
		sh.remove(key)
		sh.dirty++
		c.propDel(db, key)
		signalModifiedKey(db, key)
		notifyKeyspaceEvent(c.srv, notifyGeneric, "del", key, db.id)
	case expire != nil:
		sh.setExpire(e, when)
		sh.dirty++
		c.propExpireAt(db, key, when)
		signalModifiedKey(db, key)
		notifyKeyspaceEvent(c.srv, notifyGeneric, "expire", key, db.id)
	case flags&setPersist != 0 && e.expire != 0:
		sh.setExpire(e, 0)
		sh.dirty++
		if c.recording() {
			c.propBegin(db, 2)
			c.propStr("PERSIST")
			c.propArg(key)
		}
		signalModifiedKey(db, key)
		notifyKeyspaceEvent(c.srv, notifyGeneric, "persist", key, db.id)
	}
}

func cmdGetDel(c *Client, args [][]byte) {
	key := args[1]
	db := c.db
	sh := db.shard(key)
	c.lockShard(sh)
	e := sh.lookup(db, key, c.now, !c.noTouch.Load())
	switch {
	case e == nil:
		c.w.WriteNull()
	case e.kind != kindString:
		c.err(errWrongType)
	default:
		c.w.WriteBulk(e.str)
		sh.remove(key)
		sh.dirty++
		c.propDel(db, key) // as Redis does
		signalModifiedKey(db, key)
		notifyKeyspaceEvent(c.srv, notifyGeneric, "del", key, db.id)
	}
	c.unlockShard(sh)
}

// --- MGET, MSET, MSETNX -----------------------------------------------------

// keyShards remembers the shards of a multi-key command's keys between
// locking them and reading or writing, so that most commands hash each key
// once: the first keyShardsCached keys are kept, the others hashed again.
type keyShards struct {
	idx  [keyShardsCached]uint8
	mask shardMask
}

const keyShardsCached = 32

// add records the shard of the n-th key.
func (ks *keyShards) add(n int, key []byte) {
	si := shardIndex(key)
	if n < keyShardsCached {
		ks.idx[n] = uint8(si)
	}
	ks.mask |= 1 << si
}

// shard returns the shard of the n-th key.
func (ks *keyShards) shard(db *DB, n int, key []byte) *shard {
	if n < keyShardsCached {
		return &db.shards[ks.idx[n]]
	}
	return db.shard(key)
}

func cmdMGet(c *Client, args [][]byte) {
	keys := args[1:]
	db := c.db
	var ks keyShards
	for i, k := range keys {
		ks.add(i, k)
	}
	touch := !c.noTouch.Load()
	c.lockShards(db, ks.mask)
	c.w.WriteArrayLen(len(keys))
	for i, k := range keys {
		// Keys of another type answer nil, as in redis-server.
		if e := ks.shard(db, i, k).lookup(db, k, c.now, touch); e != nil && e.kind == kindString {
			c.w.WriteBulk(e.str)
		} else {
			c.w.WriteNull()
		}
	}
	c.unlockShards(db, ks.mask)
}

// msetGeneric is MSET, and MSETNX when nx: every shard involved is locked
// first, so other clients see all the keys set or none.
func msetGeneric(c *Client, args [][]byte, nx bool) {
	if len(args)%2 == 0 {
		if nx {
			c.err("ERR wrong number of arguments for 'msetnx' command")
		} else {
			c.err("ERR wrong number of arguments for 'mset' command")
		}
		return
	}
	db := c.db
	var ks keyShards
	for j := 1; j < len(args); j += 2 {
		ks.add(j/2, args[j])
	}
	c.lockShards(db, ks.mask)
	if nx {
		for j := 1; j < len(args); j += 2 {
			if ks.shard(db, j/2, args[j]).peek(db, args[j], c.now) != nil {
				c.unlockShards(db, ks.mask)
				c.w.WriteInt(0)
				return
			}
		}
	}
	for j := 1; j < len(args); j += 2 {
		key := args[j]
		sh := ks.shard(db, j/2, key)
		setStringKey(c, sh, sh.peekTouched(db, key, c.now), key, args[j+1], false)
		signalModifiedKey(db, key)
		notifyKeyspaceEvent(c.srv, notifyString, "set", key, db.id)
	}
	c.propArgs(args)
	c.unlockShards(db, ks.mask)
	if nx {
		c.w.WriteInt(1)
	} else {
		c.w.WriteOK()
	}
}

// --- APPEND, STRLEN, GETRANGE, SETRANGE -------------------------------------

func cmdAppend(c *Client, args [][]byte) {
	key, v := args[1], args[2]
	db := c.db
	sh := db.shard(key)
	c.lockShard(sh)
	e := sh.peekTouched(db, key, c.now)
	if e == nil {
		e = sh.add(db, key, kindString)
		strStoreValue(e, v, storedStringEncoding(v))
	} else {
		if e.kind != kindString {
			c.unlockShard(sh)
			c.err(errWrongType)
			return
		}
		if !stringLengthOK(c, int64(len(e.str)), int64(len(v))) {
			c.unlockShard(sh)
			return
		}
		e.str = append(e.str, v...)
		e.enc = encRaw
	}
	sh.dirty++
	c.propArgs(args)
	signalModifiedKey(db, key)
	notifyKeyspaceEvent(c.srv, notifyString, "append", key, db.id)
	n := len(e.str)
	c.unlockShard(sh)
	c.w.WriteInt(int64(n))
}

func cmdStrlen(c *Client, args [][]byte) {
	key := args[1]
	sh := c.db.shard(key)
	c.lockShard(sh)
	e := sh.lookup(c.db, key, c.now, !c.noTouch.Load())
	switch {
	case e == nil:
		c.w.WriteInt(0)
	case e.kind != kindString:
		c.err(errWrongType)
	default:
		c.w.WriteInt(int64(len(e.str)))
	}
	c.unlockShard(sh)
}

// cmdGetRange is GETRANGE and its old name SUBSTR.
func cmdGetRange(c *Client, args [][]byte) {
	start, ok1 := parseStrictInt(args[2])
	end, ok2 := parseStrictInt(args[3])
	if !ok1 || !ok2 {
		c.err(errNotInt)
		return
	}
	key := args[1]
	sh := c.db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	e := sh.lookup(c.db, key, c.now, !c.noTouch.Load())
	if e == nil {
		c.w.WriteBulk(nil)
		return
	}
	if e.kind != kindString {
		c.err(errWrongType)
		return
	}
	n := int64(len(e.str))
	if start < 0 && end < 0 && start > end {
		c.w.WriteBulk(nil)
		return
	}
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
	if start > end || n == 0 {
		c.w.WriteBulk(nil)
		return
	}
	c.w.WriteBulk(e.str[start : end+1])
}

func cmdSetRange(c *Client, args [][]byte) {
	offset, ok := parseStrictInt(args[2])
	if !ok {
		c.err(errNotInt)
		return
	}
	if offset < 0 {
		c.err(errOffsetRange)
		return
	}
	key, v := args[1], args[3]
	db := c.db
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	e := sh.peekTouched(db, key, c.now)
	if e == nil {
		if len(v) == 0 {
			c.w.WriteInt(0)
			return
		}
		if !stringLengthOK(c, offset, int64(len(v))) {
			return
		}
		e = sh.add(db, key, kindString)
		e.str = make([]byte, int(offset)+len(v))
	} else {
		if e.kind != kindString {
			c.err(errWrongType)
			return
		}
		if len(v) == 0 {
			c.w.WriteInt(int64(len(e.str)))
			return
		}
		if !stringLengthOK(c, offset, int64(len(v))) {
			return
		}
		if need := int(offset) + len(v); need > len(e.str) {
			e.str = append(e.str, make([]byte, need-len(e.str))...)
		}
	}
	copy(e.str[offset:], v)
	e.enc = encRaw
	sh.dirty++
	c.propArgs(args)
	signalModifiedKey(db, key)
	notifyKeyspaceEvent(c.srv, notifyString, "setrange", key, db.id)
	c.w.WriteInt(int64(len(e.str)))
}

// --- INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT ---------------------------------

func cmdIncrBy(c *Client, args [][]byte) {
	incr, ok := parseStrictInt(args[2])
	if !ok {
		c.err(errNotInt)
		return
	}
	incrDecr(c, args, args[1], incr)
}

func cmdDecrBy(c *Client, args [][]byte) {
	incr, ok := parseStrictInt(args[2])
	if !ok {
		c.err(errNotInt)
		return
	}
	if incr == math.MinInt64 {
		c.err(errDecrOverflow)
		return
	}
	incrDecr(c, args, args[1], -incr)
}

// incrDecr adds incr to the integer at key (0 when absent). The expiry is
// kept, and the value rewritten in place. args, the request, is
// propagated as it is.
func incrDecr(c *Client, args [][]byte, key []byte, incr int64) {
	db := c.db
	sh := db.shard(key)
	c.lockShard(sh)
	e := sh.peekTouched(db, key, c.now)
	var v int64
	if e != nil {
		if e.kind != kindString {
			c.unlockShard(sh)
			c.err(errWrongType)
			return
		}
		var ok bool
		if v, ok = parseStrictInt(e.str); !ok {
			c.unlockShard(sh)
			c.err(errNotInt)
			return
		}
	}
	if (incr < 0 && v < 0 && incr < math.MinInt64-v) || (incr > 0 && v > 0 && incr > math.MaxInt64-v) {
		c.unlockShard(sh)
		c.err(errOverflow)
		return
	}
	v += incr
	if e == nil {
		e = sh.add(db, key, kindString)
	}
	strStoreInt(e, v)
	sh.dirty++
	c.propArgs(args)
	signalModifiedKey(db, key)
	notifyKeyspaceEvent(c.srv, notifyString, "incrby", key, db.id)
	c.unlockShard(sh)
	c.w.WriteInt(v)
}

func cmdIncrByFloat(c *Client, args [][]byte) {
	// The increment does not depend on the key: parse it before locking,
	// report it in redis-server's order (after the key's type and value).
	incr, incrOK := parseLongDouble(args[2])
	key := args[1]
	db := c.db
	sh := db.shard(key)
	c.lockShard(sh)
	defer c.unlockShard(sh)
	e := sh.peekTouched(db, key, c.now)
	cur := new(big.Float)
	if e != nil {
		if e.kind != kindString {
			c.err(errWrongType)
			return
		}
		var ok bool
		if cur, ok = parseLongDouble(e.str); !ok {
			c.err(errNotFloat)
			return
		}
	}
	if !incrOK {
		c.err(errNotFloat)
		return
	}
	sum, ok := addLongDouble(cur, incr)
	if !ok {
		c.err(errIncrFloatResult)
		return
	}
	var tmp [64]byte
	out := appendLongDoubleHuman(tmp[:0], sum)
	if e == nil {
		e = sh.add(db, key, kindString)
	}
	strStoreValue(e, out, wholeStringEncoding(out))
	sh.dirty++
	if c.recording() {
		// The result, not the increment: the float arithmetic and its
		// printing must not be done again (Redis: SET key value KEEPTTL).
		c.propBegin(db, 4)
		c.propStr("SET")
		c.propArg(key)
		c.propArg(out)
		c.propStr("KEEPTTL")
	}
	signalModifiedKey(db, key)
	notifyKeyspaceEvent(c.srv, notifyString, "incrbyfloat", key, db.id)
	c.w.WriteBulk(out)
}

// --- long double ----------------------------------------------------------
//
// INCRBYFLOAT computes in C's long double, which on x86-64 (where
// redis-server runs) is the x87 80-bit extended format: a 64-bit
// significand, exponents down to 2^-16382 with subnormals below to 2^-16445,
// up to just under 2^16384. Its results are printed with "%.17Lf" and the
// trailing zeros cut, so the exact binary value decides the digits: 10.5 +
// 0.1 gives "10.6", 0.3 + 1e17 gives "100000000000000000.296875". The values
// here are big.Floats rounded exactly as the x87 rounds (to nearest, ties to
// even), so every reply matches redis-server's digit for digit. HINCRBYFLOAT
// computes the same way and can share these functions.

const (
	ldPrec       = 64     // significand bits
	ldMaxExp     = 16384  // largest big.Float exponent (mantissa in [0.5, 1)) of a finite value
	ldMinNormExp = -16381 // big.Float exponent of the smallest normal, 2^-16382
	ldTinyShift  = 16445  // subnormals are multiples of 2^-16445
	ldMaxChars   = 5 * 1024
)

// parseLongDouble parses b as redis-server's string2ld does with strtold: a
// decimal or hexadecimal (0x) floating-point number or inf/infinity, with an
// optional sign, the whole of b and nothing else (no spaces). NaN, values
// that overflow and values that underflow to zero are refused, as are
// strings of 5 KiB or more.
func parseLongDouble(b []byte) (*big.Float, bool) {
	if len(b) == 0 || len(b) >= ldMaxChars {
		return nil, false
	}
	neg := false
	s := b
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		s = s[1:]
	}
	if strFoldEq(s, "inf") || strFoldEq(s, "infinity") {
		return new(big.Float).SetInf(neg), true
	}
	var f *big.Float
	var ok bool
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		f, ok = parseHexLongDouble(s[2:])
	} else {
		f, ok = parseDecLongDouble(s)
	}
	if !ok {
		return nil, false
	}
	if neg {
		f.Neg(f)
	}
	return f, true
}

// ldDigitRun returns the length of the run of digits (hex digits when hex) at
// the start of s.
func ldDigitRun(s []byte, hex bool) int {
	i := 0
	for ; i < len(s); i++ {
		ch := s[i]
		if ch >= '0' && ch <= '9' || hex && (ch|0x20 >= 'a' && ch|0x20 <= 'f') {
			continue
		}
		break
	}
	return i
}

// ldParseExponent parses an exponent's [+-]digits, which must be all of s. Huge
// values saturate: the result is only compared against bounds.
func ldParseExponent(s []byte) (int64, bool) {
	neg := false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) == 0 || ldDigitRun(s, false) != len(s) {
		return 0, false
	}
	var v int64
	for _, ch := range s {
		if v < 1<<40 {
			v = v*10 + int64(ch-'0')
		}
	}
	if neg {
		v = -v
	}
	return v, true
}

// ldSplitMantissa splits s into integer digits, fraction digits and what
// follows; at least one digit is required.
func ldSplitMantissa(s []byte, hex bool) (intDigits, fracDigits, rest []byte, ok bool) {
	n := ldDigitRun(s, hex)
	intDigits, rest = s[:n], s[n:]
	if len(rest) > 0 && rest[0] == '.' {
		rest = rest[1:]
		n = ldDigitRun(rest, hex)
		fracDigits, rest = rest[:n], rest[n:]
	}
	return intDigits, fracDigits, rest, len(intDigits)+len(fracDigits) > 0
}

// ldMantissaInt is the integer the digits of intDigits and fracDigits spell,
// leading zeros dropped, with the number of significant digits.
func ldMantissaInt(intDigits, fracDigits []byte, base int) (*big.Int, int) {
	digits := make([]byte, 0, len(intDigits)+len(fracDigits))
	digits = append(digits, intDigits...)
	digits = append(digits, fracDigits...)
	i := 0
	for i < len(digits) && digits[i] == '0' {
		i++
	}
	digits = digits[i:]
	m := new(big.Int)
	if len(digits) > 0 {
		m.SetString(string(digits), base)
	}
	return m, len(digits)
}

func parseDecLongDouble(s []byte) (*big.Float, bool) {
	intDigits, fracDigits, rest, ok := ldSplitMantissa(s, false)
	if !ok {
		return nil, false
	}
	var exp int64
	if len(rest) > 0 {
		if rest[0] != 'e' && rest[0] != 'E' {
			return nil, false
		}
		if exp, ok = ldParseExponent(rest[1:]); !ok {
			return nil, false
		}
	}
	m, nd := ldMantissaInt(intDigits, fracDigits, 10)
	if nd == 0 {
		return new(big.Float), true
	}
	exp -= int64(len(fracDigits))
	// The value is in [10^(exp+nd-1), 10^(exp+nd)): the largest long double
	// is about 1.19e4932, half the smallest subnormal about 1.8e-4951.
	if exp+int64(nd)-1 > 4932 {
		return nil, false
	}
	if exp+int64(nd) < -4951 {
		return nil, false
	}
	if exp >= 0 {
		m.Mul(m, new(big.Int).Exp(big.NewInt(10), big.NewInt(exp), nil))
		return roundLongDouble(m, nil)
	}
	return roundLongDouble(m, new(big.Int).Exp(big.NewInt(10), big.NewInt(-exp), nil))
}

func parseHexLongDouble(s []byte) (*big.Float, bool) {
	intDigits, fracDigits, rest, ok := ldSplitMantissa(s, true)
	if !ok {
		return nil, false
	}
	var exp int64
	if len(rest) > 0 {
		if rest[0] != 'p' && rest[0] != 'P' {
			return nil, false
		}
		if exp, ok = ldParseExponent(rest[1:]); !ok {
			return nil, false
		}
	}
	m, nd := ldMantissaInt(intDigits, fracDigits, 16)
	if nd == 0 {
		return new(big.Float), true
	}
	exp -= 4 * int64(len(fracDigits))
	// The value is in [2^(exp+bits-1), 2^(exp+bits)).
	bits := int64(m.BitLen())
	if exp+bits-1 > 16383 || exp+bits <= -16446 {
		return nil, false
	}
	if exp >= 0 {
		return roundLongDouble(m.Lsh(m, uint(exp)), nil)
	}
	return roundLongDouble(m, new(big.Int).Lsh(big.NewInt(1), uint(-exp)))
}

// roundLongDouble rounds num/den (den nil: 1), positive, to the nearest long
// double, ties to even, subnormals included. It fails on overflow and on
// underflow to zero (strtold's ERANGE cases that string2ld refuses).
func roundLongDouble(num, den *big.Int) (*big.Float, bool) {
	f := new(big.Float).SetPrec(ldPrec)
	if den == nil {
		f.SetInt(num)
	} else {
		f.Quo(new(big.Float).SetInt(num), new(big.Float).SetInt(den))
	}
	exp := f.MantExp(nil)
	if exp > ldMaxExp {
		return nil, false
	}
	if exp >= ldMinNormExp {
		// A value rounded up to the smallest normal is that value with
		// subnormal rounding too, so the 64-bit rounding is right.
		return f, true
	}
	// Subnormal: round num/den × 2^16445 to an integer.
	n := new(big.Int).Lsh(num, ldTinyShift)
	d := den
	if d == nil {
		d = big.NewInt(1)
	}
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	switch r.Lsh(r, 1).Cmp(d) {
	case 1:
		q.Add(q, big.NewInt(1))
	case 0:
		if q.Bit(0) == 1 {
			q.Add(q, big.NewInt(1))
		}
	}
	if q.Sign() == 0 {
		return nil, false
	}
	f.SetInt(q)
	return f.SetMantExp(f, -ldTinyShift), true
}

// addLongDouble is a+b in long double; it fails when the sum is infinite or
// NaN (either operand infinite, or an overflow).
func addLongDouble(a, b *big.Float) (*big.Float, bool) {
	if a.IsInf() || b.IsInf() {
		return nil, false
	}
	// Sums of subnormals are exact, so only the 64-bit rounding matters.
	z := new(big.Float).SetPrec(ldPrec).Add(a, b)
	if z.Sign() != 0 && z.MantExp(nil) > ldMaxExp {
		return nil, false
	}
	return z, true
}

// appendLongDoubleHuman appends f as redis-server's ld2string in
// LD_STR_HUMAN mode prints it: "%.17Lf" (the exact value rounded to 17
// decimals, ties to even), trailing zeros and a trailing point cut, "-0"
// written "0".
func appendLongDoubleHuman(dst []byte, f *big.Float) []byte {
	start := len(dst)
	dst = f.Append(dst, 'f', 17)
	n := len(dst)
	for n > start && dst[n-1] == '0' {
		n--
	}
	if n > start && dst[n-1] == '.' {
		n--
	}
	dst = dst[:n]
	if n-start == 2 && dst[start] == '-' && dst[start+1] == '0' {
		dst = append(dst[:start], '0')
	}
	return dst
}

// --- LCS --------------------------------------------------------------------

func cmdLCS(c *Client, args [][]byte) {
	db := c.db
	ka, kb := args[1], args[2]
	m := shardMask(1)<<shardIndex(ka) | shardMask(1)<<shardIndex(kb)
	touch := !c.noTouch.Load()
	// Both values are read at one instant and copied, so that the
	// quadratic work runs with no shard locked.
	c.lockShards(db, m)
	ea := db.shard(ka).lookup(db, ka, c.now, touch)
	eb := db.shard(kb).lookup(db, kb, c.now, touch)
	if (ea != nil && ea.kind != kindString) || (eb != nil && eb.kind != kindString) {
		c.unlockShards(db, m)
		c.err(errLCSWrongType)
		return
	}
	var a, b []byte
	if ea != nil {
		a = append([]byte(nil), ea.str...)
	}
	if eb != nil {
		b = append([]byte(nil), eb.str...)
	}
	c.unlockShards(db, m)

	var getLen, getIdx, withMatchLen bool
	var minMatchLen int64
	for j := 3; j < len(args); j++ {
		opt := args[j]
		switch {
		case strOptEq(opt, "idx"):
			getIdx = true
		case strOptEq(opt, "len"):
			getLen = true
		case strOptEq(opt, "withmatchlen"):
			withMatchLen = true
		case strOptEq(opt, "minmatchlen") && j+1 < len(args):
			v, ok := parseStrictInt(args[j+1])
			if !ok {
				c.err(errNotInt)
				return
			}
			minMatchLen = max(v, 0)
			j++
		default:
			c.err(errSyntax)
			return
		}
	}
	if getIdx && getLen {
		c.err(errLCSLenAndIdx)
		return
	}
	// redis-server's table of (len(a)+1)×(len(b)+1) uint32s may not exceed
	// proto-max-bulk-len.
	cells := uint64(len(a)+1) * uint64(len(b)+1)
	if cells*4 > uint64(c.srv.cfg.protoMaxBulkLen()) {
		c.err(errLCSTooBig)
		return
	}
	if getLen {
		c.w.WriteInt(int64(lcsLength(a, b)))
		return
	}
	if cells*4 > lcsBigTable {
		lcsBigTables.Lock()
		defer lcsBigTables.Unlock()
	}
	lcsReply(c, a, b, getIdx, withMatchLen, minMatchLen)
}

// lcsBigTables lets one big LCS table exist at a time: redis-server, single
// threaded, never holds two, and clients running LCS at once must not make
// this process hold many times proto-max-bulk-len.
var lcsBigTables sync.Mutex

// lcsBigTable is the table size, in bytes, from which LCS waits its turn.
const lcsBigTable = 32 << 20

// lcsLength is the length of the longest common subsequence, with two rows
// of the dynamic-programming table.
func lcsLength(a, b []byte) uint32 {
	prev := make([]uint32, len(b)+1)
	cur := make([]uint32, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				cur[j] = prev[j-1] + 1
			} else {
				cur[j] = max(prev[j], cur[j-1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// lcsReply builds redis-server's whole table and walks it back from the end,
// taking the same path (on a tie, the step that shortens b), so the
// subsequence and the ranges are the ones redis-server reports.
func lcsReply(c *Client, a, b []byte, getIdx, withMatchLen bool, minMatchLen int64) {
	alen, blen := len(a), len(b)
	w := blen + 1
	tbl := make([]uint32, (alen+1)*w)
	for i := 1; i <= alen; i++ {
		row, up := tbl[i*w:(i+1)*w], tbl[(i-1)*w:i*w]
		for j := 1; j <= blen; j++ {
			if a[i-1] == b[j-1] {
				row[j] = up[j-1] + 1
			} else {
				row[j] = max(up[j], row[j-1])
			}
		}
	}
	total := tbl[alen*w+blen]
	result := make([]byte, total)

	type match struct{ aStart, aEnd, bStart, bEnd int }
	var matches []match
	idx := int(total)
	aStart, aEnd, bStart, bEnd := alen, 0, 0, 0 // aStart == alen: no range open
	for i, j := alen, blen; i > 0 && j > 0; {
		emit := false
		if a[i-1] == b[j-1] {
			result[idx-1] = a[i-1]
			if aStart == alen {
				aStart, aEnd, bStart, bEnd = i-1, i-1, j-1, j-1
			} else if aStart == i && bStart == j {
				aStart--
				bStart--
			} else {
				emit = true
			}
			if aStart == 0 || bStart == 0 {
				emit = true
			}
			idx--
			i--
			j--
		} else {
			if tbl[(i-1)*w+j] > tbl[i*w+j-1] {
				i--
			} else {
				j--
			}
			if aStart != alen {
				emit = true
			}
		}
		if emit {
			if n := int64(aEnd - aStart + 1); minMatchLen == 0 || n >= minMatchLen {
				matches = append(matches, match{aStart, aEnd, bStart, bEnd})
			}
			aStart = alen
		}
	}
	if !getIdx {
		c.w.WriteBulk(result)
		return
	}
	c.w.WriteMapLen(2)
	c.w.WriteBulkString("matches")
	c.w.WriteArrayLen(len(matches))
	for _, mt := range matches {
		if withMatchLen {
			c.w.WriteArrayLen(3)
		} else {
			c.w.WriteArrayLen(2)
		}
		c.w.WriteArrayLen(2)
		c.w.WriteInt(int64(mt.aStart))
		c.w.WriteInt(int64(mt.aEnd))
		c.w.WriteArrayLen(2)
		c.w.WriteInt(int64(mt.bStart))
		c.w.WriteInt(int64(mt.bEnd))
		if withMatchLen {
			c.w.WriteInt(int64(mt.aEnd - mt.aStart + 1))
		}
	}
	c.w.WriteBulkString("len")
	c.w.WriteInt(int64(total))
}
