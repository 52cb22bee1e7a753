package backend

import (
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
)

// KEYS, SCAN and RANDOMKEY: the commands that walk a whole database, and the
// glob matcher they share (globMatch, redis-server's stringmatchlen).

func init() {
	register("keys", cmdKeys)
	register("scan", cmdScan)
	register("randomkey", cmdRandomKey)
}

const errInvalidCursor = "ERR invalid cursor"

// A SCAN cursor names a shard and a position in that shard's dict: the
// shard index in its low shardBits bits, the dict's reverse-binary cursor in
// the rest. Shards are scanned in index order, each from dict cursor 0 until
// its dict cursor comes back to 0, so every guarantee dict.scan gives for
// one table (a key present for the whole scan is returned at least once,
// whatever resizes happen between calls) holds for the database.
const shardBits = 5

// shardBits must be log2(nShards).
const (
	_ uint = nShards - 1<<shardBits
	_ uint = 1<<shardBits - nShards
)

// parseScanCursor parses a SCAN-family cursor as redis-server 7.0 does
// (strtoul in base 10): an optional sign ("-1" is the largest cursor), then
// digits up to the end; no leading space; the empty string is 0; a value
// beyond 64 bits is invalid. ok false means "ERR invalid cursor".
func parseScanCursor(b []byte) (cursor uint64, ok bool) {
	if len(b) == 0 {
		return 0, true
	}
	neg := false
	switch b[0] {
	case '-':
		neg = true
		b = b[1:]
	case '+':
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false // no digits: strtoul consumes nothing
	}
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		hi, lo := bits.Mul64(cursor, 10)
		sum, carry := bits.Add64(lo, uint64(ch-'0'), 0)
		if hi != 0 || carry != 0 {
			return 0, false
		}
		cursor = sum
	}
	if neg {
		cursor = -cursor
	}
	return cursor, true
}

// scanOptions are SCAN's MATCH, COUNT and TYPE (HSCAN, SSCAN and ZSCAN take
// the first two).
type scanOptions struct {
	count   int64
	pattern []byte // nil: every key
	typ     []byte // nil: every type
}

// parseScanOptions parses the options after the cursor, as
// scanGenericCommand does; withType allows TYPE (SCAN only). It replies
// with the error and returns false on bad input.
func parseScanOptions(c *Client, args [][]byte, withType bool) (scanOptions, bool) {
	o := scanOptions{count: 10}
	for i := 0; i < len(args); i += 2 {
		if i+1 >= len(args) {
			c.err(errSyntax)
			return o, false
		}
		opt, val := args[i], args[i+1]
		switch {
		case strings.EqualFold(string(opt), "count"):
			n, ok := parseStrictInt(val)
			if !ok {
				c.err(errNotInt)
				return o, false
			}
			if n < 1 {
				c.err(errSyntax)
				return o, false
			}
			o.count = n
		case strings.EqualFold(string(opt), "match"):
			if len(val) == 1 && val[0] == '*' {
				o.pattern = nil
			} else {
				o.pattern = val
			}
		case withType && strings.EqualFold(string(opt), "type"):
			o.typ = val
		default:
			c.err(errSyntax)
			return o, false
		}
	}
	return o, true
}

func cmdScan(c *Client, args [][]byte) {
	cursor, ok := parseScanCursor(args[1])
	if !ok {
		c.err(errInvalidCursor)
		return
	}
	o, ok := parseScanOptions(c, args[2:], true)
	if !ok {
		return
	}
	keys, next := c.db.scan(c, cursor, o, c.now)
	c.w.WriteArrayLen(2)
	var tmp [20]byte
	c.w.WriteBulk(strconv.AppendUint(tmp[:0], next, 10))
	c.w.WriteArrayLen(len(keys))
	for _, k := range keys {
		c.w.WriteBulkString(k)
	}
}

// scan runs one SCAN step from cursor: like Redis, it visits buckets until
// it has gathered o.count keys or visited ten times as many buckets, then
// drops the keys that do not match the pattern or the type, and expired
// ones (deleting them). It returns the keys and the next cursor (0: done).
func (db *DB) scan(c *Client, cursor uint64, o scanOptions, now int64) ([]string, uint64) {
	si := int(cursor & (nShards - 1))
	dc := cursor >> shardBits
	budget := o.count * 10
	if budget/10 != o.count || budget < 0 {
		budget = 1 << 62
	}
	var keys []string
	var batch []*entry
	collect := func(e *entry) { batch = append(batch, e) }
	var gathered int64
	for {
		sh := &db.shards[si]
		c.lockShard(sh)
		batch = batch[:0]
		// An empty shard costs nothing, so that a small database is
		// covered in one call, as a single Redis dict would be.
		for sh.dict.count > 0 {
			dc = sh.dict.scan(dc, collect)
			budget--
			if dc == 0 || budget <= 0 || gathered+int64(len(batch)) >= o.count {
				break
			}
		}
		if sh.dict.count == 0 {
			dc = 0
		}
		gathered += int64(len(batch))
		for _, e := range batch {
			if o.pattern != nil && !globMatch(o.pattern, e.key, false) {
				continue
			}
			// Redis reads the type with a lookup, which counts a hit or a
			// miss; without TYPE it only expires the key.
			if e.expire != 0 && e.expire <= now {
				sh.expireEntry(db, e)
				if o.typ != nil {
					sh.misses++
					keyspaceEvent(db, notifyKeyMiss, "keymiss", []byte(e.key))
				}
				continue
			}
			if o.typ != nil {
				sh.hits++
				if !strings.EqualFold(e.kind.String(), string(o.typ)) {
					continue
				}
			}
			keys = append(keys, e.key)
		}
		c.unlockShard(sh)
		if dc == 0 {
			si++
			if si == nShards {
				return keys, 0
			}
		}
		if budget <= 0 || gathered >= o.count {
			return keys, dc<<shardBits | uint64(si)
		}
	}
}

// cmdKeys returns every live key matching the pattern. Every shard is locked
// for the walk, so the answer is one moment's keyspace, as in Redis. Expired
// keys are left out but not deleted, as keysCommand does.
func cmdKeys(c *Client, args [][]byte) {
	pattern := args[1]
	all := len(pattern) == 1 && pattern[0] == '*'
	db := c.db
	var keys []string
	c.lockDB(db)
	for i := range db.shards {
		d := &db.shards[i].dict
		for _, head := range d.buckets {
			for e := head; e != nil; e = e.next {
				if e.expire != 0 && e.expire <= c.now {
					continue
				}
				if all || globMatch(pattern, e.key, false) {
					keys = append(keys, e.key)
				}
			}
		}
	}
	c.unlockDB(db)
	c.w.WriteArrayLen(len(keys))
	for _, k := range keys {
		c.w.WriteBulkString(k)
	}
}

// cmdRandomKey returns a random live key, deleting the expired keys it
// draws, or null when the database is empty. A shard is drawn with a
// probability proportional to its size, then a key within it.
func cmdRandomKey(c *Client, args [][]byte) {
	db := c.db
	c.lockDB(db)
	defer c.unlockDB(db)
	total := 0
	for i := range db.shards {
		total += db.shards[i].dict.count
	}
	// Each round either answers or deletes a key, so it ends.
	for total > 0 {
		r := rand.IntN(total)
		si := 0
		for r >= db.shards[si].dict.count {
			r -= db.shards[si].dict.count
			si++
		}
		sh := &db.shards[si]
		e := sh.dict.randomEntry(rand.Uint64)
		if e.expire != 0 && e.expire <= c.now {
			sh.expireEntry(db, e)
			total--
			continue
		}
		c.w.WriteBulkString(e.key)
		return
	}
	c.w.WriteNull()
}

// globMatch reports whether s matches the glob pattern the way
// redis-server's stringmatchlen does, byte for byte: * ? [abc] [^abc]
// [a-z] (bounds in either order, compared as signed chars) and \ escapes;
// an unclosed [ matches up to the pattern's end. nocase folds ASCII case.
// Pattern and subject may each be a string or a []byte, so that keys
// (strings) are matched without a copy.
func globMatch[P, S ~string | ~[]byte](pattern P, s S, nocase bool) bool {
	skip := false
	return globMatchAt(pattern, s, nocase, &skip)
}

// globMatchAt is one level of stringmatchlen's recursion. skipLonger is
// set when a star failed to match the rest of the pattern anywhere in the
// rest of the string: then no earlier star can succeed either, which keeps
// patterns like "a*a*a*a*b" linear instead of exponential.
func globMatchAt[P, S ~string | ~[]byte](p P, s S, nocase bool, skipLonger *bool) bool {
	// at reads the pattern as C does, with its terminating NUL.
	at := func(i int) byte {
		if i < len(p) {
			return p[i]
		}
		return 0
	}
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if globMatchAt(p[1:], s, nocase, skipLonger) {
					return true
				}
				if *skipLonger {
					return false
				}
				s = s[1:]
			}
			*skipLonger = true
			return false
		case '?':
			s = s[1:]
		case '[':
			p = p[1:]
			not := at(0) == '^'
			if not {
				p = p[1:]
			}
			match, unclosed := false, false
			for {
				if at(0) == '\\' && len(p) >= 2 {
					p = p[1:]
					if p[0] == s[0] {
						match = true
					}
				} else if at(0) == ']' {
					break
				} else if len(p) == 0 {
					unclosed = true
					break
				} else if len(p) >= 3 && p[1] == '-' {
					lo, hi, ch := int(int8(p[0])), int(int8(p[2])), int(int8(s[0]))
					if lo > hi {
						lo, hi = hi, lo
					}
					if nocase {
						lo, hi, ch = foldInt(lo), foldInt(hi), foldInt(ch)
					}
					p = p[2:]
					if ch >= lo && ch <= hi {
						match = true
					}
				} else if p[0] == s[0] || (nocase && lowerASCII(p[0]) == lowerASCII(s[0])) {
					match = true
				}
				p = p[1:]
			}
			if not {
				match = !match
			}
			if !match {
				return false
			}
			s = s[1:]
			if unclosed {
				// The class ran to the pattern's end: nothing is left
				// to match the rest of the string.
				return len(s) == 0
			}
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if p[0] != s[0] && (!nocase || lowerASCII(p[0]) != lowerASCII(s[0])) {
				return false
			}
			s = s[1:]
		}
		p = p[1:]
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}

func lowerASCII(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// foldInt is tolower on a (possibly negative) C char value.
func foldInt(c int) int {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
