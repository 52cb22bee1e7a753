package backend

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/bits"
	"regexp"
	"runtime"
	rdebug "runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shardis/shardis/internal/command"
)

// Error replies of DEBUG, OBJECT, MEMORY and SLOWLOG.
const (
	errLFUNotSelected = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. " +
		"Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	errLFUSelected = "ERR An LFU maxmemory policy is selected, idle time not tracked. " +
		"Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	errSlowlogCount = "ERR count should be greater than or equal to -1"
)

// protectedCommandError is the rejection of a protected command (DEBUG,
// MODULE) that enable-debug-command / enable-module-command does not allow
// for this client, or "" when it may run. Client.execute checks it after
// arity and before authentication, as redis-server's processCommand does.
func protectedCommandError(c *Client, cmd *command.Command) string {
	o := c.srv.cfg.load()
	name, setting, option := "DEBUG", o.EnableDebugCommand, "enable-debug-command"
	if cmd.Name == "module" {
		setting, _ = o.Get("enable-module-command")
		name, option = "MODULE", "enable-module-command"
	}
	if allowProtected(setting, c) {
		return ""
	}
	return "ERR " + name + " command not allowed. If the " + option + " option is set to \"local\", " +
		"you can run it from a local connection, otherwise you need to set this option in the " +
		"configuration file, and then restart the server."
}

// --- Per-type hooks -------------------------------------------------------

// Each data type registers, for its kind, how DEBUG DIGEST mixes a value,
// what OBJECT ENCODING calls it, what MEMORY USAGE estimates, and what
// DEBUG OBJECT adds to its line. Strings are registered here.
var (
	valueDigests     = map[kind]func(d *digest, e *entry){}
	objectEncodings  = map[kind]func(e *entry) string{}
	memoryUsages     = map[kind]func(e *entry, samples int64) int64{}
	debugObjectExtra = map[kind]func(e *entry) string{}
)

func init() {
	valueDigests[kindString] = func(d *digest, e *entry) { d.mix(e.str) }
	objectEncodings[kindString] = func(e *entry) string {
		switch e.enc {
		case encInt:
			return "int"
		case encEmbstr:
			return "embstr"
		}
		return "raw"
	}
	memoryUsages[kindString] = stringMemoryUsage
}

// redisTypeCode is the type number Redis mixes into a value's digest
// (OBJ_STRING 0 ... OBJ_STREAM 6).
func redisTypeCode(k kind) uint32 {
	switch k {
	case kindList:
		return 1
	case kindSet:
		return 2
	case kindZSet:
		return 3
	case kindHash:
		return 4
	case kindStream:
		return 6
	}
	return 0
}

// --- DEBUG DIGEST ----------------------------------------------------------

// digest is Redis's 20-byte dataset digest (debug.c): SHA1s combined with
// xor, so that the order of keys does not matter, and chained with mix,
// so that the order of a list's elements does.
type digest [20]byte

// xor folds SHA1(p) into d (xorDigest).
func (d *digest) xor(p []byte) {
	h := sha1.Sum(p)
	for i := range d {
		d[i] ^= h[i]
	}
}

// mix folds SHA1(p) into d, then replaces d by its own SHA1 (mixDigest).
func (d *digest) mix(p []byte) {
	d.xor(p)
	*d = sha1.Sum(d[:])
}

// mixString is mix for a string argument.
func (d *digest) mixString(s string) { d.mix([]byte(s)) }

func (d *digest) hex() string { return hex.EncodeToString(d[:]) }

// xorValue is Redis's xorObjectDigest: the value's type, the value, and
// whether it has an expiry.
func (d *digest) xorValue(e *entry) {
	var aux [4]byte
	binary.BigEndian.PutUint32(aux[:], redisTypeCode(e.kind))
	d.mix(aux[:])
	if f := valueDigests[e.kind]; f != nil {
		f(d, e)
	}
	if e.expire != 0 {
		d.xor([]byte("!!expire!!"))
	}
}

// datasetDigest is DEBUG DIGEST: every database with keys, its number
// mixed in, then each key's digest (its name and value) xored in. Keys
// whose time ran out but that are still stored count, as in Redis.
func (s *Server) datasetDigest(c *Client) digest {
	var final digest
	for j, db := range s.dbs {
		c.lockDB(db)
		n := 0
		for i := range db.shards {
			n += db.shards[i].dict.count
		}
		if n > 0 {
			var aux [4]byte
			binary.BigEndian.PutUint32(aux[:], uint32(j))
			final.mix(aux[:])
			for i := range db.shards {
				for _, e := range db.shards[i].dict.buckets {
					for ; e != nil; e = e.next {
						var kd digest
						kd.mixString(e.key)
						kd.xorValue(e)
						final.xor(kd[:])
					}
				}
			}
		}
		c.unlockDB(db)
	}
	return final
}

// --- DEBUG -----------------------------------------------------------------

var debugHelp = []string{
	"DIGEST",
	"    Output a hex signature representing the current DB content.",
	"DIGEST-VALUE <key> [<key> ...]",
	"    Output a hex signature of the values of all the specified keys.",
	"ERROR <string>",
	"    Return a Redis protocol error with <string> as message. Useful for clients",
	"    unit tests to simulate Redis errors.",
	"LOG <message>",
	"    Write <message> to the server log.",
	"OBJECT <key>",
	"    Show low level info about `key` and associated value.",
	"POPULATE <count> [<prefix>] [<size>]",
	"    Create <count> string keys named key:<num>. If <prefix> is specified then",
	"    it is used instead of the 'key' prefix. These are not propagated to",
	"    replicas. Cluster slots are not respected so keys not belonging to the",
	"    current node can be created in cluster mode.",
	"PROTOCOL <type>",
	"    Reply with a test value of the specified type. <type> can be: string,",
	"    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
	"    true, false.",
	"SET-ACTIVE-EXPIRE <0|1>",
	"    Setting it to 0 disables expiring keys in background when they are not",
	"    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
	"    default.",
	"SLEEP <seconds>",
	"    Stop the server for <seconds>. Decimals allowed.",
	"CHANGE-REPL-ID",
	"    Change the replication IDs of the instance.",
	"    Dangerous: should be used only for testing the replication subsystem.",
}

func init() {
	register("debug", cmdDebug)
	register("object|encoding", cmdObjectEncoding)
	register("object|refcount", cmdObjectRefcount)
	register("object|idletime", cmdObjectIdletime)
	register("object|freq", cmdObjectFreq)
	register("object|help", func(c *Client, args [][]byte) { addReplyHelp(c, args, objectHelp) })
	register("memory|usage", cmdMemoryUsage)
	register("memory|stats", cmdMemoryStats)
	register("memory|doctor", cmdMemoryDoctor)
	register("memory|malloc-stats", func(c *Client, args [][]byte) {
		c.w.WriteBulkString("Stats not supported for the current allocator")
	})
	register("memory|purge", func(c *Client, args [][]byte) {
		rdebug.FreeOSMemory()
		c.w.WriteOK()
	})
	register("memory|help", func(c *Client, args [][]byte) { addReplyHelp(c, args, memoryHelp) })
	register("slowlog|get", cmdSlowlogGet)
	register("slowlog|len", cmdSlowlogLen)
	register("slowlog|reset", cmdSlowlogReset)
	register("slowlog|help", func(c *Client, args [][]byte) { addReplyHelp(c, args, slowlogHelp) })
}

func cmdDebug(c *Client, args [][]byte) {
	sub := strings.ToLower(string(args[1]))
	n := len(args)
	switch {
	case sub == "help" && n == 2:
		addReplyHelp(c, args, debugHelp)
	case sub == "sleep" && n == 3:
		d := time.Duration(cStrtod(string(args[2]))*1e6) * time.Microsecond
		if d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-c.srv.done: // do not hold up a server that is closing
				t.Stop()
			}
		}
		c.w.WriteOK()
	case sub == "set-active-expire" && n == 3:
		c.srv.activeExpire.Store(cAtoi(args[2]) != 0)
		c.w.WriteOK()
	case sub == "digest" && n == 2:
		d := c.srv.datasetDigest(c)
		c.w.WriteSimple(d.hex())
	case sub == "digest-value" && n >= 2:
		c.w.WriteArrayLen(n - 2)
		for _, key := range args[2:] {
			var d digest
			sh := c.db.shard(key)
			c.lockShard(sh)
			// As Redis: a debugging command sees keys whose time ran out.
			if e := sh.dict.find(key); e != nil {
				d.xorValue(e)
			}
			c.unlockShard(sh)
			c.w.WriteSimple(d.hex())
		}
	case sub == "object" && n == 3:
		debugObject(c, args[2])
	case sub == "error" && n == 3:
		c.w.WriteError(string(args[2]))
	case sub == "log" && n == 3:
		c.srv.log.Warn().Msg("DEBUG LOG: " + string(args[2]))
		c.w.WriteOK()
	case sub == "protocol" && n == 3:
		debugProtocol(c, string(args[2]))
	case sub == "change-repl-id" && n == 2:
		c.srv.admin.changeReplID()
		c.w.WriteOK()
	case sub == "populate" && n >= 3 && n <= 5:
		debugPopulate(c, args)
	default:
		replySubcommandSyntaxError(c, args)
	}
}

var strtodPrefix = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?`)

// cStrtod is C's strtod(s, NULL) for decimal input: leading spaces, then
// the longest number there is; 0 when there is none.
func cStrtod(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	f, _ := strconv.ParseFloat(strtodPrefix.FindString(s), 64)
	return f
}

// cAtoi is C's atoi: leading spaces, a sign, digits up to the first other
// byte; 0 when there are none.
func cAtoi(b []byte) int64 {
	s := strings.TrimLeft(string(b), " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n int64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		n = -n
	}
	return n
}

func (a *adminState) changeReplID() {
	a.ids()
	a.idMu.Lock()
	a.replID = randomHex40()
	a.idMu.Unlock()
}

// debugProtocol is DEBUG PROTOCOL <type>: one reply of each RESP type,
// for client tests, as Redis writes them.
func debugProtocol(c *Client, typ string) {
	w := c.w
	switch strings.ToLower(typ) {
	case "string":
		w.WriteBulkString("Hello World")
	case "integer":
		w.WriteInt(12345)
	case "double":
		if w.Proto() >= 3 {
			w.WriteRaw([]byte(",3.141\r\n"))
		} else {
			w.WriteBulkString("3.141")
		}
	case "bignum":
		w.WriteBigNumber("1234567999999999999999999999999999999")
	case "null":
		w.WriteNull()
	case "array":
		w.WriteArrayLen(3)
		for j := int64(0); j < 3; j++ {
			w.WriteInt(j)
		}
	case "set":
		w.WriteSetLen(3)
		for j := int64(0); j < 3; j++ {
			w.WriteInt(j)
		}
	case "map":
		w.WriteMapLen(3)
		for j := int64(0); j < 3; j++ {
			w.WriteInt(j)
			w.WriteBool(j == 1)
		}
	case "attrib":
		if w.Proto() >= 3 {
			w.WriteAttrLen(1)
			w.WriteBulkString("key-popularity")
			w.WriteArrayLen(2)
			w.WriteBulkString("key:123")
			w.WriteInt(90)
		}
		// What follows is the real reply.
		w.WriteBulkString("Some real reply following the attribute")
	case "push":
		if w.Proto() < 3 {
			c.err("ERR RESP2 is not supported by this command")
			return
		}
		w.WritePushLen(2)
		w.WriteBulkString("server-cpu-usage")
		w.WriteInt(42)
		// What follows is the real reply.
		w.WriteBulkString("Some real reply following the push reply")
	case "true":
		w.WriteBool(true)
	case "false":
		w.WriteBool(false)
	case "verbatim":
		w.WriteVerbatim("txt", "This is a verbatim\nstring")
	default:
		c.err("ERR Wrong protocol type name. Please use one of the following: " +
			"string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")
	}
}

// debugPopulate is DEBUG POPULATE count [prefix] [size]: string keys
// prefix:N with values value:N (cut or padded with zero bytes to size),
// skipping keys that exist. Like Redis, it does not count as a change.
func debugPopulate(c *Client, args [][]byte) {
	const notPositive = "ERR value is out of range, must be positive"
	count, ok := parseStrictInt(args[2])
	if !ok || count < 0 {
		c.err(notPositive)
		return
	}
	prefix := "key"
	if len(args) >= 4 {
		prefix = string(args[3])
	}
	size := int64(-1)
	if len(args) == 5 {
		v, ok := parseStrictInt(args[4])
		if !ok || v < 0 {
			c.err(notPositive)
			return
		}
		size = v
	}
	var key, val []byte
	for j := int64(0); j < count; j++ {
		key = append(append(key[:0], prefix...), ':')
		key = strconv.AppendInt(key, j, 10)
		if len(key) > 127 { // Redis formats it into a 128-byte buffer
			key = key[:127]
		}
		val = strconv.AppendInt(append(val[:0], "value:"...), j, 10)
		if size > 0 {
			if int64(len(val)) > size {
				val = val[:size]
			} else {
				val = append(val, make([]byte, size-int64(len(val)))...)
			}
		}
		sh := c.db.shard(key)
		c.lockShard(sh)
		if sh.peek(c.db, key, c.now) == nil {
			e := sh.add(c.db, key, kindString)
			e.str = append([]byte(nil), val...)
			e.enc = encRaw
			if len(val) <= 44 { // what createStringObject makes embstr
				e.enc = encEmbstr
			}
			// Redis leaves these keys out of its AOF until a rewrite;
			// logged, the AOF holds the whole dataset.
			if c.recording() {
				c.propBegin(c.db, 3)
				c.propStr("SET")
				c.propArg(key)
				c.propArg(val)
			}
		}
		c.unlockShard(sh)
	}
	c.w.WriteOK()
}

// idleSeconds is Redis's estimateObjectIdleTime in seconds, on the 24-bit
// LRU clock.
func (s *Server) idleSeconds(e *entry) int64 {
	clock := int64(s.lruClock()) & lruClockMax
	lru := int64(e.lru) & lruClockMax
	if clock >= lru {
		return clock - lru
	}
	return clock + (lruClockMax - lru)
}

// refcount is OBJECT REFCOUNT: Redis shares the integers 0..9999 among all
// keys (with a refcount it never changes) unless an LRU or LFU maxmemory
// policy needs a clock per value.
func (s *Server) refcount(e *entry) int64 {
	if e.kind == kindString && e.enc == encInt && e.flags&flagUnshared == 0 {
		o := s.cfg.load()
		p := o.MaxMemoryPolicy
		lruOrLFU := strings.HasSuffix(p, "-lru") || strings.HasSuffix(p, "-lfu")
		if v, ok := parseStrictInt(e.str); ok && v >= 0 && v < 10000 && (o.MaxMemory == 0 || !lruOrLFU) {
			return math.MaxInt32
		}
	}
	return 1
}

func encodingName(e *entry) string {
	if f := objectEncodings[e.kind]; f != nil {
		return f(e)
	}
	return "unknown"
}

func debugObject(c *Client, key []byte) {
	sh := c.db.shard(key)
	c.lockShard(sh)
	e := sh.dict.find(key)
	if e == nil {
		c.unlockShard(sh)
		c.err(errNoSuchKey)
		return
	}
	extra := ""
	if f := debugObjectExtra[e.kind]; f != nil {
		extra = f(e)
	}
	line := fmt.Sprintf("Value at:%p refcount:%d encoding:%s serializedlength:%d lru:%d lru_seconds_idle:%d%s",
		e, c.srv.refcount(e), encodingName(e), c.srv.serializedLength(e), e.lru&lruClockMax, c.srv.idleSeconds(e), extra)
	c.unlockShard(sh)
	c.w.WriteSimple(line)
}

// --- OBJECT ----------------------------------------------------------------

var objectHelp = []string{
	"ENCODING <key>",
	"    Return the kind of internal representation used in order to store the value",
	"    associated with a <key>.",
	"FREQ <key>",
	"    Return the access frequency index of the <key>. The returned integer is",
	"    proportional to the logarithm of the recent access frequency of the key.",
	"IDLETIME <key>",
	"    Return the idle time of the <key>, that is the approximated number of",
	"    seconds elapsed since the last access to the key.",
	"REFCOUNT <key>",
	"    Return the number of references of the value associated with the specified",
	"    <key>.",
}

// objectLookup finds OBJECT's key without touching it, or replies null.
// On success the shard is locked; the caller unlocks it.
func objectLookup(c *Client, key []byte) (*shard, *entry) {
	sh := c.db.shard(key)
	c.lockShard(sh)
	// lookup's statistics without its keymiss event (LOOKUP_NONOTIFY).
	e := sh.peek(c.db, key, c.now)
	if e == nil {
		sh.misses++
		c.unlockShard(sh)
		c.w.WriteNull()
		return nil, nil
	}
	sh.hits++
	return sh, e
}

func cmdObjectEncoding(c *Client, args [][]byte) {
	if sh, e := objectLookup(c, args[2]); e != nil {
		name := encodingName(e)
		c.unlockShard(sh)
		c.w.WriteBulkString(name)
	}
}

func cmdObjectRefcount(c *Client, args [][]byte) {
	if sh, e := objectLookup(c, args[2]); e != nil {
		n := c.srv.refcount(e)
		c.unlockShard(sh)
		c.w.WriteInt(n)
	}
}

func lfuPolicy(o *Options) bool { return strings.HasSuffix(o.MaxMemoryPolicy, "-lfu") }

func cmdObjectIdletime(c *Client, args [][]byte) {
	if sh, e := objectLookup(c, args[2]); e != nil {
		idle := c.srv.idleSeconds(e)
		c.unlockShard(sh)
		if lfuPolicy(c.srv.cfg.load()) {
			c.err(errLFUSelected)
			return
		}
		c.w.WriteInt(idle)
	}
}

// cmdObjectFreq reports the entry's LFU counter. (The counter is kept by
// whoever touches keys; an untouched value reports what it holds.)
func cmdObjectFreq(c *Client, args [][]byte) {
	if sh, e := objectLookup(c, args[2]); e != nil {
		freq := int64(e.freq)
		c.unlockShard(sh)
		if !lfuPolicy(c.srv.cfg.load()) {
			c.err(errLFUNotSelected)
			return
		}
		c.w.WriteInt(freq)
	}
}

// --- MEMORY ----------------------------------------------------------------

var memoryHelp = []string{
	"DOCTOR",
	"    Return memory problems reports.",
	"MALLOC-STATS",
	"    Return internal statistics report from the memory allocator.",
	"PURGE",
	"    Attempt to purge dirty pages for reclamation by the allocator.",
	"STATS",
	"    Return information about the memory usage of the server.",
	"USAGE <key> [SAMPLES <count>]",
	"    Return memory in bytes used by <key> and its value. Nested values are",
	"    sampled up to <count> times (default: 5, 0 means sample all).",
}

// jemallocSize is the size jemalloc (16-byte quantum, four classes per
// doubling) really allocates for a request of n bytes: MEMORY USAGE counts
// what redis-server's allocator would use, so that estimates compare.
func jemallocSize(n int64) int64 {
	switch {
	case n <= 8:
		return 8
	case n <= 128:
		return (n + 15) &^ 15
	}
	lg := int64(63 - bits.LeadingZeros64(uint64(n-1)))
	delta := int64(1) << (lg - 2)
	return (n + delta - 1) &^ (delta - 1)
}

// sdsAllocSize is the allocation of an sds string of n bytes: Redis's
// smallest header that holds the length (type 5 only where allowed), the
// bytes and a NUL.
func sdsAllocSize(n int64, type5 bool) int64 {
	var hdr int64
	switch {
	case n < 32 && type5:
		hdr = 1
	case n < 1<<8:
		hdr = 3
	case n < 1<<16:
		hdr = 5
	case n < 1<<32:
		hdr = 9
	default:
		hdr = 17
	}
	return jemallocSize(hdr + n + 1)
}

// robjSize is sizeof(robj); dictEntrySize is sizeof(dictEntry).
const (
	robjSize      = 16
	dictEntrySize = 24
)

func stringMemoryUsage(e *entry, _ int64) int64 {
	switch e.enc {
	case encInt:
		return robjSize
	case encEmbstr:
		return jemallocSize(robjSize + 3 + int64(len(e.str)) + 1)
	}
	return sdsAllocSize(int64(len(e.str)), true) + robjSize
}

// memoryUsage is MEMORY USAGE's estimate for a key: its value, the key's
// string and its hash table entry.
func memoryUsage(e *entry, samples int64) int64 {
	n := int64(robjSize)
	if f := memoryUsages[e.kind]; f != nil {
		n = f(e, samples)
	}
	return n + sdsAllocSize(int64(len(e.key)), true) + dictEntrySize
}

func cmdMemoryUsage(c *Client, args [][]byte) {
	samples := int64(5)
	for j := 3; j < len(args); j++ {
		if !strings.EqualFold(string(args[j]), "samples") || j+1 >= len(args) {
			c.err(errSyntax)
			return
		}
		v, ok := parseStrictInt(args[j+1])
		if !ok {
			c.err(errNotInt)
			return
		}
		if v < 0 {
			c.err(errSyntax)
			return
		}
		if v == 0 {
			v = math.MaxInt64
		}
		samples = v
		j++
	}
	key := args[2]
	sh := c.db.shard(key)
	c.lockShard(sh)
	e := sh.dict.find(key)
	if e == nil {
		c.unlockShard(sh)
		c.w.WriteNull()
		return
	}
	n := memoryUsage(e, samples)
	c.unlockShard(sh)
	c.w.WriteInt(n)
}

func cmdMemoryStats(c *Client, args [][]byte) {
	s := c.srv
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	used := int64(ms.HeapInuse)
	s.admin.info.mu.Lock()
	s.admin.info.peak = max(s.admin.info.peak, uint64(used))
	peak := int64(s.admin.info.peak)
	s.admin.info.mu.Unlock()
	startup := int64(min(startupHeap, uint64(used)))
	rss := int64(processRSS())
	type dbStat struct{ id, keys, expires int }
	var dbs []dbStat
	totalKeys := 0
	for i, db := range s.dbs {
		if k, x := db.keysAndExpires(c); k > 0 {
			dbs = append(dbs, dbStat{i, k, x})
			totalKeys += k
		}
	}
	overhead := startup
	dataset := used - overhead
	w := c.w
	w.WriteMapLen(27 + len(dbs))
	kv := func(k string, v int64) {
		w.WriteBulkString(k)
		w.WriteInt(v)
	}
	kd := func(k string, v float64) {
		w.WriteBulkString(k)
		w.WriteDouble(v)
	}
	div := func(a, b int64) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	kv("peak.allocated", peak)
	kv("total.allocated", used)
	kv("startup.allocated", startup)
	for _, k := range []string{"replication.backlog", "clients.slaves", "clients.normal", "cluster.links",
		"aof.buffer", "lua.caches", "functions.caches"} {
		kv(k, 0)
	}
	for _, d := range dbs {
		w.WriteBulkString("db." + strconv.Itoa(d.id))
		w.WriteMapLen(2)
		kv("overhead.hashtable.main", int64(d.keys)*(dictEntrySize+8))
		kv("overhead.hashtable.expires", int64(d.expires)*(dictEntrySize+8))
	}
	kv("overhead.total", overhead)
	kv("keys.count", int64(totalKeys))
	if totalKeys > 0 {
		kv("keys.bytes-per-key", (used-startup)/int64(totalKeys))
	} else {
		kv("keys.bytes-per-key", 0)
	}
	kv("dataset.bytes", dataset)
	kd("dataset.percentage", 100*div(dataset, used-startup))
	kd("peak.percentage", 100*div(used, peak))
	resident := int64(ms.HeapSys - ms.HeapReleased)
	kv("allocator.allocated", int64(ms.HeapAlloc))
	kv("allocator.active", int64(ms.HeapInuse))
	kv("allocator.resident", resident)
	kd("allocator-fragmentation.ratio", div(int64(ms.HeapInuse), int64(ms.HeapAlloc)))
	kv("allocator-fragmentation.bytes", int64(ms.HeapInuse)-int64(ms.HeapAlloc))
	kd("allocator-rss.ratio", div(resident, int64(ms.HeapInuse)))
	kv("allocator-rss.bytes", resident-int64(ms.HeapInuse))
	kd("rss-overhead.ratio", div(rss, resident))
	kv("rss-overhead.bytes", rss-resident)
	kd("fragmentation", div(rss, used))
	kv("fragmentation.bytes", rss-used)
}

// cmdMemoryDoctor gives Redis's two verdicts that need no allocator
// internals: too little memory to judge, or nothing to report.
func cmdMemoryDoctor(c *Client, args [][]byte) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	msg := "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"
	if ms.HeapInuse < 5*1024*1024 {
		msg = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in " +
			"these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I " +
			"will be back to our programming as soon as I finished rebooting.\n"
	}
	c.w.WriteVerbatim("txt", msg)
}

// --- DEBUG OBJECT serializedlength -----------------------------------------

// serializedLength is the size of the value in an RDB file, as DEBUG
// OBJECT's serializedlength reports it (rdbSavedObjectLen). Strings are
// sized exactly, LZF compression included; other types count their string
// form.
func (s *Server) serializedLength(e *entry) int64 {
	if e.kind != kindString {
		return int64(len(e.str))
	}
	if e.enc == encInt {
		v, _ := parseStrictInt(e.str)
		if n := rdbIntEncodedLen(v); n > 0 {
			return n
		}
		return rdbLenLen(int64(len(e.str))) + int64(len(e.str))
	}
	return s.rdbRawStringLen(e.str)
}

// rdbIntEncodedLen is the size of an integer RDB encodes in place (a type
// byte and 1, 2 or 4 bytes), or 0 when it does not fit 32 bits.
func rdbIntEncodedLen(v int64) int64 {
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		return 2
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return 3
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return 5
	}
	return 0
}

// rdbLenLen is the size of an RDB length.
func rdbLenLen(n int64) int64 {
	switch {
	case n < 1<<6:
		return 1
	case n < 1<<14:
		return 2
	case n <= math.MaxUint32:
		return 5
	}
	return 9
}

func (s *Server) rdbRawStringLen(b []byte) int64 {
	n := int64(len(b))
	if n <= 11 {
		if v, ok := parseStrictInt(b); ok {
			if l := rdbIntEncodedLen(v); l > 0 {
				return l
			}
		}
	}
	if n > 20 {
		if compress, _ := s.cfg.load().Get("rdbcompression"); compress == "yes" {
			if cl := int64(lzfCompressedLen(b, len(b)-4)); cl > 0 {
				return 1 + rdbLenLen(cl) + rdbLenLen(n) + cl
			}
		}
	}
	return rdbLenLen(n) + n
}

var lzfTables = sync.Pool{New: func() any { return new([1 << 16]uint32) }}

// lzfCompressedLen is the length lzf_compress (liblzf 3.6 as Redis builds
// it: HLOG 16, VERY_FAST) produces for in with outLen bytes of room, or 0
// when it does not fit. Only lengths are computed; no output is written.
func lzfCompressedLen(in []byte, outLen int) int {
	const (
		hsize  = 1 << 16
		maxLit = 1 << 5
		maxOff = 1 << 13
		maxRef = (1 << 8) + (1 << 3)
	)
	inLen := len(in)
	if inLen < 3 || outLen <= 0 {
		return 0
	}
	htab := lzfTables.Get().(*[hsize]uint32)
	defer func() {
		clear(htab[:])
		lzfTables.Put(htab)
	}()
	idx := func(h uint32) uint32 { return ((h >> 8) - h*5) & (hsize - 1) }
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	op, lit, ip := 1, 0, 0
	hval := uint32(in[0])<<8 | uint32(in[1])
	for ip < inLen-2 {
		hval = hval<<8 | uint32(in[ip+2])
		slot := idx(hval)
		ref := int(htab[slot])
		htab[slot] = uint32(ip)
		if ref > 0 && ip-ref-1 < maxOff && in[ref+2] == in[ip+2] && in[ref] == in[ip] && in[ref+1] == in[ip+1] {
			length := 2
			maxlen := min(inLen-ip-length, maxRef)
			if op+3+1 >= outLen && op-b2i(lit == 0)+3+1 >= outLen {
				return 0
			}
			op -= b2i(lit == 0)
			matched := func() int {
				if maxlen > 16 {
					for k := 0; k < 16; k++ {
						length++
						if in[ref+length] != in[ip+length] {
							return length
						}
					}
				}
				for {
					length++
					if !(length < maxlen && in[ref+length] == in[ip+length]) {
						return length
					}
				}
			}
			length = matched() - 2
			ip++
			if length < 7 {
				op++
			} else {
				op += 2
			}
			op++
			lit = 0
			op++
			ip += length + 1
			if ip >= inLen-2 {
				break
			}
			ip -= 2
			hval = uint32(in[ip])<<8 | uint32(in[ip+1])
			hval = hval<<8 | uint32(in[ip+2])
			htab[idx(hval)] = uint32(ip)
			ip++
			hval = hval<<8 | uint32(in[ip+2])
			htab[idx(hval)] = uint32(ip)
			ip++
		} else {
			if op >= outLen {
				return 0
			}
			lit++
			op++
			ip++
			if lit == maxLit {
				lit = 0
				op++
			}
		}
	}
	if op+3 > outLen {
		return 0
	}
	for ip < inLen {
		lit++
		op++
		ip++
		if lit == maxLit {
			lit = 0
			op++
		}
	}
	op -= b2i(lit == 0)
	return op
}

// --- SLOWLOG ---------------------------------------------------------------

var slowlogHelp = []string{
	"GET [<count>]",
	"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
	"    Entries are made of:",
	"    id, timestamp, time in microseconds, arguments array, client IP and port,",
	"    client name",
	"LEN",
	"    Return the length of the slowlog.",
	"RESET",
	"    Reset the slowlog.",
}

// Limits of a slow log entry's arguments (SLOWLOG_ENTRY_MAX_ARGC and
// SLOWLOG_ENTRY_MAX_STRING).
const (
	slowlogMaxArgc   = 32
	slowlogMaxString = 128
)

type slowlogEntry struct {
	id, unix, usec int64
	args           []string
	addr, name     string
}

// slowlog holds the latest slow commands, newest last.
type slowlog struct {
	mu      sync.Mutex
	entries []slowlogEntry
	nextID  int64
}

// slowlogCheck records the command c just ran if it took at least
// slowlog-log-slower-than microseconds. Client.execute calls it after every
// command; the common case is one atomic load and a comparison.
func (c *Client) slowlogCheck(cmd *command.Command, args [][]byte, d time.Duration) {
	o := c.srv.cfg.load()
	us := d.Microseconds()
	if o.SlowlogLogSlowerThan < 0 || us < o.SlowlogLogSlowerThan || cmd.Has(command.SkipSlowlog) {
		return
	}
	c.srv.admin.slowlog.push(c, cmd, args, us, o.SlowlogMaxLen)
}

func (sl *slowlog) push(c *Client, cmd *command.Command, args [][]byte, us, maxLen int64) {
	argc := min(len(args), slowlogMaxArgc)
	e := slowlogEntry{
		unix: time.Now().Unix(),
		usec: us,
		args: make([]string, argc),
		addr: c.conn.RemoteAddr().String(),
		name: c.getName(),
	}
	for j := 0; j < argc; j++ {
		switch {
		case argc != len(args) && j == argc-1:
			e.args[j] = "... (" + strconv.Itoa(len(args)-argc+1) + " more arguments)"
		case slowlogRedacted(cmd, args, j):
			e.args[j] = "(redacted)"
		case len(args[j]) > slowlogMaxString:
			e.args[j] = string(args[j][:slowlogMaxString]) + "... (" +
				strconv.Itoa(len(args[j])-slowlogMaxString) + " more bytes)"
		default:
			e.args[j] = string(args[j])
		}
	}
	sl.mu.Lock()
	defer sl.mu.Unlock()
	e.id = sl.nextID
	sl.nextID++
	sl.entries = append(sl.entries, e)
	if over := int64(len(sl.entries)) - maxLen; over > 0 {
		clear(sl.entries[:over])
		sl.entries = sl.entries[over:]
	}
}

// slowlogRedacted reports whether argument j is one Redis hides from the
// slow log: passwords of AUTH, HELLO and MIGRATE, and sensitive CONFIG SET
// values.
func slowlogRedacted(cmd *command.Command, args [][]byte, j int) bool {
	switch cmd.Name {
	case "auth":
		return j >= 1
	case "hello":
		for i := 2; i+2 < len(args); i++ {
			if strings.EqualFold(string(args[i]), "auth") {
				return j == i+1 || j == i+2
			}
		}
	case "config|set":
		if j >= 3 && j%2 == 1 {
			if e := lookupParamName(string(args[j-1])); e != nil && e.p.flags&pfSensitive != 0 {
				return true
			}
		}
	case "migrate":
		for i := 6; i < len(args); i++ {
			switch strings.ToLower(string(args[i])) {
			case "auth":
				return j == i+1
			case "auth2":
				return j == i+1 || j == i+2
			}
		}
	}
	return false
}

func cmdSlowlogGet(c *Client, args [][]byte) {
	if len(args) > 3 {
		replySubcommandSyntaxError(c, args)
		return
	}
	sl := &c.srv.admin.slowlog
	sl.mu.Lock()
	count := int64(10)
	if len(args) == 3 {
		v, ok := parseStrictInt(args[2])
		if !ok || v < -1 {
			sl.mu.Unlock()
			c.err(errSlowlogCount)
			return
		}
		count = v
		if count == -1 {
			count = int64(len(sl.entries))
		}
	}
	n := min(count, int64(len(sl.entries)))
	w := c.w
	w.WriteArrayLen(int(n))
	for i := int64(0); i < n; i++ {
		e := &sl.entries[int64(len(sl.entries))-1-i]
		w.WriteArrayLen(6)
		w.WriteInt(e.id)
		w.WriteInt(e.unix)
		w.WriteInt(e.usec)
		w.WriteArrayLen(len(e.args))
		for _, a := range e.args {
			w.WriteBulkString(a)
		}
		w.WriteBulkString(e.addr)
		w.WriteBulkString(e.name)
	}
	sl.mu.Unlock()
}

func cmdSlowlogLen(c *Client, args [][]byte) {
	sl := &c.srv.admin.slowlog
	sl.mu.Lock()
	n := len(sl.entries)
	sl.mu.Unlock()
	c.w.WriteInt(int64(n))
}

func cmdSlowlogReset(c *Client, args [][]byte) {
	sl := &c.srv.admin.slowlog
	sl.mu.Lock()
	sl.entries = nil
	sl.mu.Unlock()
	c.w.WriteOK()
}
