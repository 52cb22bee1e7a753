package backend

import (
	"bytes"
	"encoding/binary"
	"hash/crc64"
	"testing"
	"time"
)

// dumpSession was recorded from redis-server 7.0.15: RESTORE's argument
// checks, in its order (options, BUSYKEY, TTL, payload).
var dumpSession = []struct {
	want string
	args []string
}{
	{"+OK\r\n", []string{"set", "k", "v"}},
	{"-BUSYKEY Target key name already exists.\r\n", []string{"restore", "k", "0", "xx"}},
	{"-BUSYKEY Target key name already exists.\r\n", []string{"restore", "k", "-1", "xx"}},
	{"-BUSYKEY Target key name already exists.\r\n", []string{"restore", "k", "x", "xx"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"restore", "k", "x", "xx", "replace"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"restore", "k2", "x", "xx"}},
	{"-ERR Invalid TTL value, must be >= 0\r\n", []string{"restore", "k2", "-1", "xx"}},
	{"-ERR DUMP payload version or checksum are wrong\r\n", []string{"restore", "k2", "0", "xx"}},
	{"-ERR DUMP payload version or checksum are wrong\r\n", []string{"restore", "k2", "0", ""}},
	{"-ERR DUMP payload version or checksum are wrong\r\n", []string{"restore", "k2", "0", "0123456789"}},
	{"-ERR syntax error\r\n", []string{"restore", "k2", "0", "xx", "foo"}},
	{"-ERR syntax error\r\n", []string{"restore", "k2", "0", "xx", "idletime"}},
	{"-ERR syntax error\r\n", []string{"restore", "k2", "0", "xx", "freq"}},
	{"-ERR Invalid IDLETIME value, must be >= 0\r\n", []string{"restore", "k2", "0", "xx", "idletime", "-1"}},
	{"-ERR Invalid IDLETIME value, must be >= 0\r\n", []string{"restore", "k", "-1", "xx", "idletime", "-1"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"restore", "k2", "0", "xx", "idletime", "x"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"restore", "k2", "0", "xx", "idletime", "1.5"}},
	{"-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n", []string{"restore", "k2", "0", "xx", "freq", "256"}},
	{"-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n", []string{"restore", "k2", "0", "xx", "freq", "-1"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"restore", "k2", "0", "xx", "freq", "x"}},
	{"-ERR syntax error\r\n", []string{"restore", "k2", "0", "xx", "idletime", "1", "freq", "1"}},
	{"-ERR syntax error\r\n", []string{"restore", "k2", "0", "xx", "freq", "1", "idletime", "1"}},
	{"-ERR DUMP payload version or checksum are wrong\r\n", []string{"restore", "k2", "0", "xx", "freq", "1", "freq", "2"}},
	{"-ERR DUMP payload version or checksum are wrong\r\n", []string{"restore", "k2", "0", "xx", "idletime", "1", "idletime", "2"}},
	{"-ERR DUMP payload version or checksum are wrong\r\n", []string{"restore", "k2", "0", "xx", "absttl", "replace", "ABSTTL", "REPLACE"}},
	{"-ERR syntax error\r\n", []string{"restore", "k", "0", "xx", "replace", "foo"}},
	{"-ERR DUMP payload version or checksum are wrong\r\n", []string{"restore", "k", "0", "xx", "REPLACE"}},
	{"-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n", []string{"restore", "k2", "x", "xx", "freq", "300"}},
	{"$-1\r\n", []string{"dump", "nokey"}},
	{":0\r\n", []string{"exists", "k2"}},
}

func TestDumpRestoreSession(t *testing.T) {
	requireCommands(t, "set")
	_, addr := startTestServer(t)
	c := dialTest(t, addr)
	for _, tc := range dumpSession {
		c.expect(tc.want, tc.args...)
	}
}

// dumpOf returns the payload DUMP gives for key.
func dumpOf(t *testing.T, c *testConn, key string) string {
	t.Helper()
	v := c.do("dump", key)
	if v.Type != '$' || v.Null {
		t.Fatalf("DUMP %s: %v", key, v)
	}
	return string(v.Str)
}

// RESTORE gives strings the encoding redis-server's loading gives them
// (observed with OBJECT ENCODING): int when the bytes read as a long,
// embstr up to 44 bytes, else raw, whatever the dumped key's encoding was.
func TestDumpRestoreStrings(t *testing.T) {
	s, addr := startTestServer(t)
	c := dialTest(t, addr)
	long := string(bytes.Repeat([]byte("x"), 45))
	for _, tc := range []struct {
		val string
		enc uint8
	}{
		{"abcd", encEmbstr}, {"123", encInt}, {"-9223372036854775808", encInt},
		{"9223372036854775808", encEmbstr}, {"-0", encEmbstr}, {"007", encEmbstr},
		{"12345678901234567890123456789012345678901234567890", encRaw},
		{string(bytes.Repeat([]byte("y"), 44)), encEmbstr}, {long, encRaw},
		{"", encEmbstr}, {"\x00\xff\r\n", encEmbstr},
	} {
		putString(s, 0, "src", tc.val, 0)
		findEntry(s, 0, "src").enc = encRaw
		p := dumpOf(t, c, "src")
		c.expect("+OK\r\n", "restore", "dst", "0", p, "replace")
		e := findEntry(s, 0, "dst")
		if e == nil || string(e.str) != tc.val || e.enc != tc.enc || e.kind != kindString || e.expire != 0 {
			t.Errorf("restored %q: %+v", tc.val, e)
		}
	}
}

func TestRestoreTTLAndReplace(t *testing.T) {
	s, addr := startTestServer(t)
	c := dialTest(t, addr)
	putString(s, 0, "src", "v", 0)
	p := dumpOf(t, c, "src")

	c.expect("+OK\r\n", "restore", "k", "100000", p)
	if v := c.do("pttl", "k"); v.Int < 99000 || v.Int > 100000 {
		t.Errorf("pttl after RESTORE ttl 100000: %v", v)
	}
	c.expect("-BUSYKEY Target key name already exists.\r\n", "restore", "k", "0", p)
	c.expect("+OK\r\n", "restore", "k", "4102444800000", p, "replace", "absttl")
	c.expect(":4102444800000\r\n", "pexpiretime", "k")
	c.expect("+OK\r\n", "restore", "k", "0", p, "replace")
	c.expect(":-1\r\n", "pttl", "k")
	// A time already past: OK, and no key (the replaced one is gone).
	c.expect("+OK\r\n", "restore", "k", "1000", p, "absttl", "replace")
	c.expect(":0\r\n", "exists", "k")
	c.expect("+OK\r\n", "restore", "k", "1000", p, "absttl")
	c.expect(":0\r\n", "exists", "k")
	// now + 2^63-1 wraps to the past, as in Redis.
	c.expect("+OK\r\n", "restore", "k", "9223372036854775807", p)
	c.expect(":0\r\n", "exists", "k")
	c.expect("+OK\r\n", "restore", "k", "9223372036854775807", p, "absttl")
	c.expect(":9223372036854775807\r\n", "pexpiretime", "k")
	// A failed RESTORE ... REPLACE leaves the old key alone.
	c.expect("-ERR DUMP payload version or checksum are wrong\r\n", "restore", "k", "0", "junk", "replace")
	c.expect(":1\r\n", "exists", "k")

	c.expect("+OK\r\n", "restore", "f", "0", p, "freq", "42")
	if e := findEntry(s, 0, "f"); e.freq != 42 {
		t.Errorf("FREQ 42: freq %d", e.freq)
	}
	c.expect("+OK\r\n", "restore", "i", "0", p, "idletime", "1000")
	if e, clock := findEntry(s, 0, "i"), s.lruClock(); clock-e.lru != 1000 {
		t.Errorf("IDLETIME 1000: idle %d", clock-e.lru)
	}
}

// restoredLRU against what redis-server 7.0.15 answered to OBJECT IDLETIME
// right after RESTORE ... IDLETIME, with its LRU clock at 441955.
func TestRestoredLRUMatchesRedis(t *testing.T) {
	clock := uint32(1795604067) // clock & (2^24-1) == 441955
	for _, tc := range []struct{ idle, want int64 }{
		{0, 0}, {100, 100}, {441945, 441945}, {441955, 441955}, {441956, 441956},
		{1 << 23, 8388608}, {1e11, 7792640}, {1<<24 - 1, 0}, {1<<24 - 2, 16777214},
		{1 << 24, 1}, {1<<24 + 5, 6}, {1 << 40, 1}, {1<<40 + 3, 4}, {1 << 62, 0},
		{1<<63 - 1, 16777214}, {9223372036854775, 14898167}, {9223372036854776, 1879048},
	} {
		if got := int64(clock - restoredLRU(clock, tc.idle)); got != tc.want {
			t.Errorf("IDLETIME %d: idle %d, redis-server %d", tc.idle, got, tc.want)
		}
	}
}

// Our payloads and redis-server's are told apart by the trailer: each side
// refuses the other's with the version-or-checksum error.
func TestRestoreRejectsBadPayloads(t *testing.T) {
	s, addr := startTestServer(t)
	c := dialTest(t, addr)
	putString(s, 0, "src", "abcd", 0)
	p := []byte(dumpOf(t, c, "src"))
	const wrong = "-ERR DUMP payload version or checksum are wrong\r\n"
	const bad = "-ERR Bad data format\r\n"

	// redis-server 7.0.15's DUMP of the string "abcd".
	c.expect(wrong, "restore", "k", "0", "\x00\x04abcd\n\x00\xfa\xfd\x82\x82#\xe0\x872")
	for i := range p {
		q := bytes.Clone(p)
		q[i] ^= 0x40
		c.expect(wrong, "restore", "k", "0", string(q))
	}
	c.expect(wrong, "restore", "k", "0", string(p[:len(p)-1]))
	c.expect(wrong, "restore", "k", "0", "")

	// Right trailer, wrong body.
	seal := func(body []byte, version uint16) string {
		b := binary.LittleEndian.AppendUint16(bytes.Clone(body), version)
		return string(binary.LittleEndian.AppendUint64(b, crc64.Checksum(b, dumpCRCTable)))
	}
	c.expect("+OK\r\n", "restore", "k", "0", seal(p[:len(p)-dumpTrailerLen], dumpVersion))
	c.expect(wrong, "restore", "k2", "0", seal(p[:len(p)-dumpTrailerLen], dumpVersion+1))
	c.expect(wrong, "restore", "k2", "0", seal(p[:len(p)-dumpTrailerLen], 10))
	c.expect(bad, "restore", "k2", "0", seal([]byte{0xee, 1, 'x'}, dumpVersion))
	c.expect(bad, "restore", "k2", "0", seal([]byte{dumpTagString, 5, 'x'}, dumpVersion))
	c.expect(bad, "restore", "k2", "0", seal([]byte{dumpTagString, 1, 'x', 'y'}, dumpVersion))
	c.expect(bad, "restore", "k2", "0", seal([]byte{dumpTagString, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, dumpVersion))
	c.expect(bad, "restore", "k2", "0", seal([]byte{dumpTagString}, dumpVersion))
	c.expect(":0\r\n", "exists", "k2")
}

func TestDumpReader(t *testing.T) {
	var b []byte
	b = dumpAppendUvarint(b, 300)
	b = dumpAppendBytes(b, []byte("hello"))
	b = dumpAppendFloat(b, -1.5)
	b = dumpAppendUvarint(b, 2)
	r := dumpReader{b: b}
	if v := r.uvarint(); v != 300 {
		t.Errorf("uvarint %d", v)
	}
	if v := r.bytes(); string(v) != "hello" {
		t.Errorf("bytes %q", v)
	}
	if v := r.float(); v != -1.5 {
		t.Errorf("float %v", v)
	}
	if n := r.count(1); n != 0 || r.err == nil {
		t.Errorf("count 2 with no bytes left: %d, %v", n, r.err)
	}
	if v := r.uvarint(); v != 0 || r.err == nil {
		t.Errorf("read after an error: %d, %v", v, r.err)
	}
}

// DUMP, RESTORE and COPY refuse, with an error, a type that has no codec.
func TestNoCodecIsAnError(t *testing.T) {
	for k := kindString; k <= kindStream; k++ {
		if valueCodecs[k] != nil {
			continue
		}
		s, addr := startTestServer(t)
		c := dialTest(t, addr)
		db := s.db(0)
		sh := db.shard([]byte("x"))
		sh.mu.Lock()
		sh.add(db, []byte("x"), k)
		sh.mu.Unlock()
		c.expect("-"+errNoCodec+"\r\n", "dump", "x")
		c.expect("-"+errNoCodec+"\r\n", "copy", "x", "y")
		c.expect(":0\r\n", "exists", "y")
		return
	}
	t.Skip("every type has a codec")
}

// Payloads come from clients: no body makes decoding panic or keep more
// than the payload.
func FuzzDecodeValue(f *testing.F) {
	f.Add([]byte{dumpTagString, 3, 'a', 'b', 'c'})
	f.Add([]byte{dumpTagString, 0x80})
	f.Add([]byte{dumpTagList, 2, 1, 'a', 1, 'b'})
	f.Add([]byte{dumpTagHash})
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) == 0 {
			return
		}
		var e entry
		if decodeValue(body[0], body[1:], &e) != nil {
			return
		}
		// What decodes re-encodes to something that decodes the same.
		vc := valueCodecs[e.kind]
		again := vc.encode([]byte{vc.tag}, &e)
		var e2 entry
		if err := decodeValue(again[0], again[1:], &e2); err != nil {
			t.Fatalf("re-encoded %v does not decode: %v", e.kind, err)
		}
		if e.kind == kindString && (string(e2.str) != string(e.str) || e2.enc != e.enc) {
			t.Errorf("string %q came back as %q", e.str, e2.str)
		}
	})
}

// A DUMP payload survives a round trip with its TTL through RESTORE's
// relative form.
func TestDumpRestoreKeepsValueWithTTL(t *testing.T) {
	s, addr := startTestServer(t)
	c := dialTest(t, addr)
	putString(s, 0, "k", "value", time.Now().UnixMilli()+50000)
	p := dumpOf(t, c, "k")
	ttl := c.do("pttl", "k").Int
	c.expect("+OK\r\n", "restore", "k", "0", p, "replace")
	c.expect(":-1\r\n", "ttl", "k")
	c.expect("+OK\r\n", "restore", "k2", "50000", p)
	if got := c.do("pttl", "k2").Int; got < ttl-2000 || got > 50000 {
		t.Errorf("pttl %d", got)
	}
	if e := findEntry(s, 0, "k2"); string(e.str) != "value" {
		t.Errorf("value %q", e.str)
	}
}
