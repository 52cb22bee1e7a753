package backend

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// requireCommands skips the test when this node does not implement one of
// the commands it uses to set up or check keys (other files provide them).
func requireCommands(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, ok := handlers[n]; !ok {
			t.Skipf("command %q is not implemented yet", n)
		}
	}
}

// keyCommandsSession was recorded from redis-server 7.0.15 (one connection,
// after FLUSHALL): each command and the exact bytes of its reply.
var keyCommandsSession = []struct {
	want string
	args []string
}{
	{"+OK\r\n", []string{"set", "a", "1"}},
	{"+OK\r\n", []string{"set", "b", "2"}},
	{"+OK\r\n", []string{"set", "c", "3"}},
	{":1\r\n", []string{"exists", "a"}},
	{":3\r\n", []string{"exists", "a", "a", "b", "nokey"}},
	{":0\r\n", []string{"exists", "nokey"}},
	{":3\r\n", []string{"touch", "a", "b", "nokey", "a"}},
	{"+string\r\n", []string{"type", "a"}},
	{"+none\r\n", []string{"type", "nokey"}},
	{"+OK\r\n", []string{"set", "l", "x"}},
	{":1\r\n", []string{"del", "a"}},
	{":0\r\n", []string{"del", "a"}},
	{":2\r\n", []string{"del", "b", "b", "c", "nokey"}},
	{":1\r\n", []string{"unlink", "l", "l"}},
	{":0\r\n", []string{"exists", "a", "b", "c", "l"}},
	{":0\r\n", []string{"dbsize"}},
	{"+OK\r\n", []string{"set", "k", "v"}},
	{"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n", []string{"expire", "k", "10", "nx", "xx"}},
	{"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n", []string{"expire", "k", "10", "NX", "GT"}},
	{"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n", []string{"expire", "k", "10", "nx", "lt"}},
	{"-ERR GT and LT options at the same time are not compatible\r\n", []string{"expire", "k", "10", "gt", "lt"}},
	{"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n", []string{"expire", "k", "10", "gt", "LT", "nx"}},
	{"-ERR Unsupported option foo\r\n", []string{"expire", "k", "10", "foo"}},
	{"-ERR Unsupported option foo\r\n", []string{"expire", "k", "10", "nx", "foo"}},
	{"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n", []string{"expire", "k", "abc", "nx", "xx"}},
	{"-ERR Unsupported option foo\r\n", []string{"expire", "k", "abc", "foo"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"expire", "k", "abc"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"expire", "k", "1.5"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"expire", "k", " 1"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"expire", "k", "+1"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"expire", "k", "01"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"expire", "nokey", "abc"}},
	{":0\r\n", []string{"expire", "nokey", "100"}},
	{":0\r\n", []string{"expire", "nokey", "100", "nx"}},
	{"-ERR invalid expire time in 'expire' command\r\n", []string{"expire", "k", "9223372036854775807"}},
	{"-ERR invalid expire time in 'expire' command\r\n", []string{"expire", "k", "9223372036854775"}},
	{"-ERR invalid expire time in 'expire' command\r\n", []string{"expire", "k", "9223372036854776"}},
	{"-ERR invalid expire time in 'expire' command\r\n", []string{"expire", "k", "-9223372036854776"}},
	{"-ERR invalid expire time in 'pexpire' command\r\n", []string{"pexpire", "k", "9223372036854775807"}},
	{"-ERR invalid expire time in 'expireat' command\r\n", []string{"expireat", "k", "9223372036854776"}},
	{"-ERR invalid expire time in 'expireat' command\r\n", []string{"expireat", "nokey", "-9223372036854776"}},
	{"-ERR invalid expire time in 'pexpire' command\r\n", []string{"pexpire", "nokey", "9223372036854775807"}},
	{":-1\r\n", []string{"ttl", "k"}},
	{":0\r\n", []string{"expire", "k", "100", "xx"}},
	{":0\r\n", []string{"expire", "k", "100", "gt"}},
	{":1\r\n", []string{"expire", "k", "100", "lt"}},
	{":100\r\n", []string{"ttl", "k"}},
	{":0\r\n", []string{"expire", "k", "100", "nx"}},
	{":100\r\n", []string{"ttl", "k"}},
	{":0\r\n", []string{"expire", "k", "100", "nx"}},
	{":1\r\n", []string{"expire", "k", "200", "xx"}},
	{":200\r\n", []string{"ttl", "k"}},
	{":0\r\n", []string{"expire", "k", "100", "gt"}},
	{":1\r\n", []string{"expire", "k", "300", "gt"}},
	{":300\r\n", []string{"ttl", "k"}},
	{":0\r\n", []string{"expire", "k", "300", "lt"}},
	{":1\r\n", []string{"expire", "k", "250", "lt"}},
	{":250\r\n", []string{"ttl", "k"}},
	{":1\r\n", []string{"persist", "k"}},
	{":0\r\n", []string{"persist", "k"}},
	{":0\r\n", []string{"persist", "nokey"}},
	{":-1\r\n", []string{"ttl", "k"}},
	{":1\r\n", []string{"expire", "k", "100", "lt"}},
	{":100\r\n", []string{"ttl", "k"}},
	{":1\r\n", []string{"persist", "k"}},
	{":0\r\n", []string{"expireat", "k", "0", "gt"}},
	{":1\r\n", []string{"exists", "k"}},
	{":1\r\n", []string{"expireat", "k", "0", "lt"}},
	{":0\r\n", []string{"exists", "k"}},
	{"+OK\r\n", []string{"set", "k", "v"}},
	{":1\r\n", []string{"expire", "k", "0"}},
	{":0\r\n", []string{"exists", "k"}},
	{"+OK\r\n", []string{"set", "k", "v"}},
	{":1\r\n", []string{"expire", "k", "-1"}},
	{":0\r\n", []string{"exists", "k"}},
	{"+OK\r\n", []string{"set", "k", "v"}},
	{":1\r\n", []string{"pexpire", "k", "-9223372036854775808"}},
	{":0\r\n", []string{"exists", "k"}},
	{"+OK\r\n", []string{"set", "k", "v"}},
	{":1\r\n", []string{"expire", "k", "-9223372036854775"}},
	{":0\r\n", []string{"exists", "k"}},
	{"+OK\r\n", []string{"set", "k", "v"}},
	{":1\r\n", []string{"pexpireat", "k", "1"}},
	{":0\r\n", []string{"exists", "k"}},
	{"+OK\r\n", []string{"set", "k", "v"}},
	{":1\r\n", []string{"expireat", "k", "9223372036854775"}},
	{":9223372036854775\r\n", []string{"expiretime", "k"}},
	{":9223372036854775000\r\n", []string{"pexpiretime", "k"}},
	{":1\r\n", []string{"pexpireat", "k", "9223372036854775807"}},
	{":9223372036854775807\r\n", []string{"pexpiretime", "k"}},
	{":9223372036854776\r\n", []string{"expiretime", "k"}},
	{":1\r\n", []string{"pexpireat", "k", "4102444800499"}},
	{":4102444800\r\n", []string{"expiretime", "k"}},
	{":1\r\n", []string{"pexpireat", "k", "4102444800500"}},
	{":4102444801\r\n", []string{"expiretime", "k"}},
	{":4102444800500\r\n", []string{"pexpiretime", "k"}},
	{":-2\r\n", []string{"expiretime", "nokey"}},
	{":-2\r\n", []string{"pexpiretime", "nokey"}},
	{":-2\r\n", []string{"ttl", "nokey"}},
	{":-2\r\n", []string{"pttl", "nokey"}},
	{":1\r\n", []string{"persist", "k"}},
	{":-1\r\n", []string{"expiretime", "k"}},
	{":-1\r\n", []string{"pexpiretime", "k"}},
	{":-1\r\n", []string{"ttl", "k"}},
	{":-1\r\n", []string{"pttl", "k"}},
	{":1\r\n", []string{"expire", "k", "100", "NX"}},
	{":0\r\n", []string{"Expire", "k", "100", "nX"}},
	{"+OK\r\n", []string{"flushall"}},
	{"-ERR no such key\r\n", []string{"rename", "a", "a"}},
	{"-ERR no such key\r\n", []string{"renamenx", "a", "a"}},
	{"-ERR no such key\r\n", []string{"rename", "a", "b"}},
	{"-ERR no such key\r\n", []string{"renamenx", "a", "b"}},
	{"+OK\r\n", []string{"set", "a", "1"}},
	{"+OK\r\n", []string{"rename", "a", "a"}},
	{":0\r\n", []string{"renamenx", "a", "a"}},
	{"+OK\r\n", []string{"rename", "a", "b"}},
	{"$-1\r\n", []string{"get", "a"}},
	{"$1\r\n1\r\n", []string{"get", "b"}},
	{"+OK\r\n", []string{"set", "c", "3"}},
	{":0\r\n", []string{"renamenx", "b", "c"}},
	{"$1\r\n1\r\n", []string{"get", "b"}},
	{"+OK\r\n", []string{"rename", "b", "c"}},
	{"$1\r\n1\r\n", []string{"get", "c"}},
	{":0\r\n", []string{"exists", "b"}},
	{":1\r\n", []string{"expire", "c", "100"}},
	{"+OK\r\n", []string{"rename", "c", "d"}},
	{":100\r\n", []string{"ttl", "d"}},
	{"+OK\r\n", []string{"set", "e", "5"}},
	{"+OK\r\n", []string{"rename", "e", "d"}},
	{":-1\r\n", []string{"ttl", "d"}},
	{"$1\r\n5\r\n", []string{"get", "d"}},
	{"+OK\r\n", []string{"set", "l", "12"}},
	{"+OK\r\n", []string{"rename", "l", "{x}l2"}},
	{"+string\r\n", []string{"type", "{x}l2"}},
	{"$2\r\n12\r\n", []string{"get", "{x}l2"}},
	{":1\r\n", []string{"renamenx", "{x}l2", "l"}},
	{"+string\r\n", []string{"type", "l"}},
	{":0\r\n", []string{"exists", "{x}l2"}},
	{"+OK\r\n", []string{"flushall"}},
	{"+OK\r\n", []string{"set", "c", "2"}},
	{"-ERR source and destination objects are the same\r\n", []string{"copy", "c", "c"}},
	{"-ERR source and destination objects are the same\r\n", []string{"copy", "c", "c", "db", "0"}},
	{"-ERR source and destination objects are the same\r\n", []string{"copy", "c", "c", "replace"}},
	{":1\r\n", []string{"copy", "c", "c", "db", "1"}},
	{"+OK\r\n", []string{"select", "1"}},
	{"$1\r\n2\r\n", []string{"get", "c"}},
	{"+OK\r\n", []string{"select", "0"}},
	{"-ERR DB index is out of range\r\n", []string{"copy", "c", "d", "db", "16"}},
	{"-ERR DB index is out of range\r\n", []string{"copy", "c", "d", "db", "-1"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"copy", "c", "d", "db", "x"}},
	{"-ERR value is out of range, value must between -2147483648 and 2147483647\r\n", []string{"copy", "c", "d", "db", "99999999999"}},
	{"-ERR syntax error\r\n", []string{"copy", "c", "d", "db"}},
	{"-ERR syntax error\r\n", []string{"copy", "c", "d", "foo"}},
	{"-ERR syntax error\r\n", []string{"copy", "c", "d", "replace", "foo"}},
	{":1\r\n", []string{"copy", "c", "d", "db", "2", "replace", "replace", "db", "3"}},
	{"+OK\r\n", []string{"select", "3"}},
	{"$1\r\n2\r\n", []string{"get", "d"}},
	{"+OK\r\n", []string{"select", "2"}},
	{":0\r\n", []string{"exists", "d"}},
	{"+OK\r\n", []string{"select", "0"}},
	{":0\r\n", []string{"copy", "c", "d", "db", "3"}},
	{"+OK\r\n", []string{"set", "c", "new"}},
	{":1\r\n", []string{"copy", "c", "d", "db", "3", "replace"}},
	{"+OK\r\n", []string{"select", "3"}},
	{"$3\r\nnew\r\n", []string{"get", "d"}},
	{"+OK\r\n", []string{"select", "0"}},
	{":0\r\n", []string{"copy", "nokey", "d"}},
	{"-ERR DB index is out of range\r\n", []string{"copy", "nokey", "c", "db", "99"}},
	{"-ERR source and destination objects are the same\r\n", []string{"copy", "nokey", "nokey"}},
	{":1\r\n", []string{"copy", "c", "e"}},
	{"$3\r\nnew\r\n", []string{"get", "e"}},
	{":0\r\n", []string{"copy", "c", "e"}},
	{"+OK\r\n", []string{"set", "c", "newer"}},
	{":1\r\n", []string{"copy", "c", "e", "REPLACE"}},
	{"$5\r\nnewer\r\n", []string{"get", "e"}},
	{":1\r\n", []string{"expire", "c", "100"}},
	{":1\r\n", []string{"copy", "c", "f"}},
	{":100\r\n", []string{"ttl", "f"}},
	{":6\r\n", []string{"append", "c", "x"}},
	{":1\r\n", []string{"copy", "c", "raw"}},
	{"+OK\r\n", []string{"set", "i", "12345"}},
	{":1\r\n", []string{"copy", "i", "i2"}},
	{"+OK\r\n", []string{"set", "s", "hello"}},
	{":1\r\n", []string{"copy", "s", "s2"}},
	{"-ERR source and destination objects are the same\r\n", []string{"move", "c", "0"}},
	{"-ERR DB index is out of range\r\n", []string{"move", "c", "16"}},
	{"-ERR DB index is out of range\r\n", []string{"move", "c", "-1"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"move", "c", "x"}},
	{"-ERR value is out of range, value must between -2147483648 and 2147483647\r\n", []string{"move", "c", "99999999999"}},
	{":0\r\n", []string{"move", "nokey", "1"}},
	{":1\r\n", []string{"move", "c", "3"}},
	{":-2\r\n", []string{"ttl", "c"}},
	{":0\r\n", []string{"exists", "c"}},
	{"+OK\r\n", []string{"select", "3"}},
	{":100\r\n", []string{"ttl", "c"}},
	{"$6\r\nnewerx\r\n", []string{"get", "c"}},
	{":1\r\n", []string{"move", "c", "0"}},
	{"+OK\r\n", []string{"set", "i", "1"}},
	{":0\r\n", []string{"move", "i", "0"}},
	{"$1\r\n1\r\n", []string{"get", "i"}},
	{"+OK\r\n", []string{"select", "0"}},
	{"$5\r\n12345\r\n", []string{"get", "i"}},
	{"-ERR value is out of range, value must between -2147483648 and 2147483647\r\n", []string{"select", "99999999999"}},
	{"-ERR DB index is out of range\r\n", []string{"select", "-1"}},
	{"-ERR DB index is out of range\r\n", []string{"select", "16"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"select", "x"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"select", " 1"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"select", "01"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"select", "+1"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"select", "-0"}},
	{"+OK\r\n", []string{"select", "15"}},
	{"+OK\r\n", []string{"select", "0"}},
	{"-ERR invalid first DB index\r\n", []string{"swapdb", "99999999999", "0"}},
	{"-ERR invalid first DB index\r\n", []string{"swapdb", "x", "0"}},
	{"-ERR invalid second DB index\r\n", []string{"swapdb", "0", "x"}},
	{"-ERR DB index is out of range\r\n", []string{"swapdb", "0", "16"}},
	{"-ERR DB index is out of range\r\n", []string{"swapdb", "-1", "0"}},
	{"-ERR invalid second DB index\r\n", []string{"swapdb", "0", "99999999999"}},
	{"-ERR invalid first DB index\r\n", []string{"swapdb", "x", "y"}},
	{"+OK\r\n", []string{"flushall"}},
	{"+OK\r\n", []string{"set", "zero", "0"}},
	{"+OK\r\n", []string{"select", "1"}},
	{"+OK\r\n", []string{"set", "one", "1"}},
	{"+OK\r\n", []string{"swapdb", "0", "1"}},
	{"*1\r\n$4\r\nzero\r\n", []string{"keys", "*"}},
	{"+OK\r\n", []string{"select", "0"}},
	{"*1\r\n$3\r\none\r\n", []string{"keys", "*"}},
	{"+OK\r\n", []string{"swapdb", "1", "1"}},
	{"*1\r\n$3\r\none\r\n", []string{"keys", "*"}},
	{"+OK\r\n", []string{"swapdb", "1", "0"}},
	{"*1\r\n$4\r\nzero\r\n", []string{"keys", "*"}},
	{"-ERR syntax error\r\n", []string{"flushdb", "foo"}},
	{"-ERR syntax error\r\n", []string{"flushdb", "async", "x"}},
	{"-ERR syntax error\r\n", []string{"flushall", "foo"}},
	{"-ERR syntax error\r\n", []string{"flushall", "sync", "x"}},
	{":1\r\n", []string{"dbsize"}},
	{"+OK\r\n", []string{"flushdb", "ASYNC"}},
	{":0\r\n", []string{"dbsize"}},
	{"+OK\r\n", []string{"select", "1"}},
	{":1\r\n", []string{"dbsize"}},
	{"+OK\r\n", []string{"flushdb", "sync"}},
	{":0\r\n", []string{"dbsize"}},
	{"+OK\r\n", []string{"select", "0"}},
	{"+OK\r\n", []string{"mset", "a", "1", "b", "2", "c", "3"}},
	{"+OK\r\n", []string{"select", "5"}},
	{"+OK\r\n", []string{"set", "x", "1"}},
	{"+OK\r\n", []string{"flushall", "async"}},
	{":0\r\n", []string{"dbsize"}},
	{"+OK\r\n", []string{"select", "0"}},
	{":0\r\n", []string{"dbsize"}},
	{"+OK\r\n", []string{"flushall"}},
}

func TestKeyCommandsSession(t *testing.T) {
	requireCommands(t, "set", "get", "mset", "append")
	_, addr := startTestServer(t)
	c := dialTest(t, addr)
	for _, tc := range keyCommandsSession {
		c.expect(tc.want, tc.args...)
	}
}

// putString stores key = val in database dbi directly, with an absolute
// expiry in ms (0: none), for tests that must not depend on SET.
func putString(s *Server, dbi int, key, val string, expire int64) {
	db := s.db(dbi)
	sh := db.shard([]byte(key))
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if e := sh.dict.find([]byte(key)); e != nil {
		sh.unlink(e)
	}
	e := sh.add(db, []byte(key), kindString)
	e.str = []byte(val)
	e.enc = restoredStringEnc(e.str)
	if expire != 0 {
		sh.setExpire(e, expire)
	}
}

// findEntry returns key's entry in database dbi, expired or not, or nil.
func findEntry(s *Server, dbi int, key string) *entry {
	db := s.db(dbi)
	sh := db.shard([]byte(key))
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.dict.find([]byte(key))
}

// keysInDifferentShards returns n keys that fall in n different shards.
func keysInDifferentShards(prefix string, n int) []string {
	var keys []string
	seen := map[int]bool{}
	for i := 0; len(keys) < n && i < 100000; i++ {
		k := fmt.Sprintf("%s%d", prefix, i)
		if si := shardIndex([]byte(k)); !seen[si] {
			seen[si] = true
			keys = append(keys, k)
		}
	}
	return keys
}

// A key whose time has passed is invisible to every command, even before
// it is deleted; DBSIZE counts it until then, as Redis's does.
func TestExpiredKeysAreInvisible(t *testing.T) {
	s, addr := startTestServer(t)
	s.activeExpire.Store(false)
	c := dialTest(t, addr)
	past := time.Now().UnixMilli() - 1000
	future := time.Now().UnixMilli() + 100000

	putString(s, 0, "live", "1", future)
	putString(s, 0, "gone", "1", past)
	c.expect("*1\r\n$4\r\nlive\r\n", "keys", "*")
	c.expect(":2\r\n", "dbsize")
	for _, cmd := range [][]string{
		{"exists", "gone"}, {"touch", "gone"}, {"del", "gone"}, {"persist", "gone"},
		{"expire", "gone", "100"}, {"move", "gone", "1"}, {"copy", "gone", "other"},
	} {
		putString(s, 0, "gone", "1", past)
		c.expect(":0\r\n", cmd...)
	}
	putString(s, 0, "gone", "1", past)
	c.expect("+none\r\n", "type", "gone")
	putString(s, 0, "gone", "1", past)
	c.expect(":-2\r\n", "ttl", "gone")
	putString(s, 0, "gone", "1", past)
	c.expect("$-1\r\n", "dump", "gone")
	putString(s, 0, "gone", "1", past)
	c.expect("-ERR no such key\r\n", "rename", "gone", "x")
	putString(s, 0, "gone", "1", past)
	for i := 0; i < 20; i++ {
		c.expect("$4\r\nlive\r\n", "randomkey")
	}
}

// TTL rounds to the nearest second; PTTL counts down in milliseconds.
func TestTTLCountsDown(t *testing.T) {
	s, addr := startTestServer(t)
	c := dialTest(t, addr)
	putString(s, 0, "k", "v", 0)
	c.expect(":1\r\n", "pexpire", "k", "1499")
	c.expect(":1\r\n", "ttl", "k")
	if v := c.do("pttl", "k"); v.Int < 1000 || v.Int > 1499 {
		t.Errorf("pttl after pexpire 1499: %v", v)
	}
	c.expect(":1\r\n", "pexpire", "k", "100000")
	if v := c.do("ttl", "k"); v.Int != 100 && v.Int != 99 {
		t.Errorf("ttl after pexpire 100000: %v", v)
	}
	now := time.Now().Unix()
	c.expect(":1\r\n", "expire", "k", "100")
	if v := c.do("expiretime", "k"); v.Int < now+100 || v.Int > now+102 {
		t.Errorf("expiretime: %v, now %d", v, now)
	}
}

// Reads count keyspace hits and misses; writes and DEL do not. TYPE, TTL
// and EXISTS leave the access clock alone, TOUCH and write lookups set it.
func TestLookupStatsAndAccessClock(t *testing.T) {
	s, addr := startTestServer(t)
	c := dialTest(t, addr)
	putString(s, 0, "k", "v", 0)
	stats := func() (hits, misses int64) {
		db := s.db(0)
		for i := range db.shards {
			sh := &db.shards[i]
			sh.mu.Lock()
			hits += sh.hits
			misses += sh.misses
			sh.mu.Unlock()
		}
		return
	}
	for _, tc := range []struct {
		args         []string
		hits, misses int64
	}{
		{[]string{"exists", "k", "k", "nokey"}, 2, 1},
		{[]string{"type", "k"}, 1, 0},
		{[]string{"ttl", "nokey"}, 0, 1},
		{[]string{"touch", "k"}, 1, 0},
		{[]string{"expire", "k", "100"}, 0, 0},
		{[]string{"persist", "k"}, 0, 0},
		{[]string{"del", "nokey"}, 0, 0},
		{[]string{"dump", "k"}, 1, 0},
		{[]string{"copy", "k", "k2"}, 1, 0},
		{[]string{"rename", "k2", "k3"}, 0, 0},
	} {
		h0, m0 := stats()
		c.raw(tc.args...)
		h1, m1 := stats()
		if h1-h0 != tc.hits || m1-m0 != tc.misses {
			t.Errorf("%q: %d hits, %d misses; want %d, %d", tc.args, h1-h0, m1-m0, tc.hits, tc.misses)
		}
	}

	e := findEntry(s, 0, "k")
	for _, tc := range []struct {
		args  []string
		touch bool
	}{
		{[]string{"type", "k"}, false},
		{[]string{"exists", "k"}, false},
		{[]string{"ttl", "k"}, false},
		{[]string{"touch", "k"}, true},
		{[]string{"expire", "k", "100"}, true},
		{[]string{"persist", "k"}, true},
	} {
		sh := s.db(0).shard([]byte("k"))
		sh.mu.Lock()
		e.lru = 1
		sh.mu.Unlock()
		c.raw(tc.args...)
		sh.mu.Lock()
		touched := e.lru != 1
		sh.mu.Unlock()
		if touched != tc.touch {
			t.Errorf("%q: access clock touched = %v, want %v", tc.args, touched, tc.touch)
		}
	}
}

// COPY gives the new key its own value (a later change to one is not seen
// in the other), the same encoding and expiry, and a fresh access clock.
func TestCopyDuplicatesValue(t *testing.T) {
	s, addr := startTestServer(t)
	c := dialTest(t, addr)
	exp := time.Now().UnixMilli() + 100000
	putString(s, 0, "src", "hello", exp)
	src := findEntry(s, 0, "src")
	src.enc = encRaw
	src.lru = 1
	c.expect(":1\r\n", "copy", "src", "dst", "db", "3")
	dst := findEntry(s, 3, "dst")
	if dst == nil {
		t.Fatal("COPY to db 3 made no key")
	}
	if string(dst.str) != "hello" || dst.enc != encRaw || dst.expire != exp || dst.kind != kindString {
		t.Errorf("copy: %q enc %d expire %d kind %v", dst.str, dst.enc, dst.expire, dst.kind)
	}
	if dst.lru == 1 {
		t.Errorf("copy kept the source's access clock")
	}
	src.str[0] = 'j'
	if string(dst.str) != "hello" {
		t.Errorf("copy shares the source's bytes: %q", dst.str)
	}
}

// RENAME and MOVE hand the value over with its expiry; the old key is gone.
func TestRenameAcrossShardsAndMoveAcrossDBs(t *testing.T) {
	s, addr := startTestServer(t)
	c := dialTest(t, addr)
	k := keysInDifferentShards("r", 2)
	exp := time.Now().UnixMilli() + 100000
	putString(s, 0, k[0], "v", exp)
	c.expect("+OK\r\n", "rename", k[0], k[1])
	if e := findEntry(s, 0, k[1]); e == nil || string(e.str) != "v" || e.expire != exp {
		t.Fatalf("after RENAME: %+v", e)
	}
	if findEntry(s, 0, k[0]) != nil {
		t.Errorf("RENAME left the source")
	}
	c.expect(":1\r\n", "move", k[1], "15")
	if e := findEntry(s, 15, k[1]); e == nil || string(e.str) != "v" || e.expire != exp {
		t.Fatalf("after MOVE: %+v", e)
	}
	keys, expires := s.db(0).keysAndExpires(&Client{})
	if keys != 0 || expires != 0 {
		t.Errorf("db 0 after MOVE: %d keys, %d expires", keys, expires)
	}
	keys, expires = s.db(15).keysAndExpires(&Client{})
	if keys != 1 || expires != 1 {
		t.Errorf("db 15 after MOVE: %d keys, %d expires", keys, expires)
	}
}

// SELECT sets both the database and the index other goroutines read.
func TestSelectSetsDBAndIndex(t *testing.T) {
	s, addr := startTestServer(t)
	c := dialTest(t, addr)
	c.expect("+OK\r\n", "select", "7")
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.clients) != 1 {
		t.Fatalf("%d clients", len(s.clients))
	}
	for _, cl := range s.clients {
		if cl.dbIndex.Load() != 7 {
			t.Errorf("dbIndex = %d, want 7", cl.dbIndex.Load())
		}
	}
}

// A client that selected a database sees the other's keys after SWAPDB.
func TestSwapDBSwitchesOtherClients(t *testing.T) {
	s, addr := startTestServer(t)
	a, b := dialTest(t, addr), dialTest(t, addr)
	putString(s, 0, "in0", "x", time.Now().UnixMilli()+100000)
	putString(s, 1, "in1", "y", 0)
	b.expect("+OK\r\n", "select", "1")
	a.expect("+OK\r\n", "swapdb", "1", "0")
	b.expect("*1\r\n$3\r\nin0\r\n", "keys", "*")
	a.expect("*1\r\n$3\r\nin1\r\n", "keys", "*")
	b.expect(":1\r\n", "exists", "in0")
	if keys, expires := s.db(1).keysAndExpires(&Client{}); keys != 1 || expires != 1 {
		t.Errorf("db 1: %d keys, %d expires", keys, expires)
	}
}

// Commands that lock several shards, or shards of two databases, take
// them in the lock order: run them against each other in every direction
// and check that all finish (a deadlock hangs the test) with -race quiet.
func TestMultiShardCommandsDoNotDeadlock(t *testing.T) {
	s, addr := startTestServer(t)
	k := keysInDifferentShards("d", 4)
	for _, key := range k {
		putString(s, 0, key, "v", 0)
		putString(s, 1, key, "v", 0)
	}
	scripts := [][][]string{
		{{"rename", k[0], k[1]}, {"rename", k[1], k[0]}},
		{{"rename", k[1], k[0]}, {"renamenx", k[0], k[1]}},
		{{"move", k[2], "1"}, {"copy", k[3], k[2], "db", "1", "replace"}},
		{{"select", "1"}, {"move", k[2], "0"}, {"copy", k[3], k[2], "db", "0", "replace"}, {"select", "0"}},
		{{"del", k[0], k[1], k[2], k[3]}, {"exists", k[3], k[2], k[1], k[0]}, {"copy", k[3], k[0]}},
		{{"swapdb", "0", "1"}, {"swapdb", "1", "0"}, {"scan", "0", "count", "5"}, {"keys", "*"}},
		{{"randomkey"}, {"dbsize"}, {"flushdb"}, {"touch", k[0], k[3]}},
	}
	var wg sync.WaitGroup
	for _, script := range scripts {
		c := dialTest(t, addr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				for _, cmd := range script {
					if _, err := c.nc.Write(appendCmd(cmd)); err != nil {
						t.Error(err)
						return
					}
					if _, err := c.rr.ReadRaw(); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("multi-shard commands did not finish: deadlock?")
	}
	// The bookkeeping survived: each database's volatile count is right.
	for i := 0; i < 2; i++ {
		db := s.db(i)
		for j := range db.shards {
			sh := &db.shards[j]
			sh.mu.Lock()
			n := 0
			for _, head := range sh.dict.buckets {
				for e := head; e != nil; e = e.next {
					if e.expire != 0 {
						n++
					}
				}
			}
			if n != sh.expires {
				t.Errorf("db %d shard %d: %d volatile keys, counter %d", i, j, n, sh.expires)
			}
			sh.mu.Unlock()
		}
	}
}

func appendCmd(args []string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return []byte(b.String())
}

func TestParseStrictInt(t *testing.T) {
	for _, tc := range []struct {
		in string
		v  int64
		ok bool
	}{
		{"0", 0, true}, {"-1", -1, true}, {"9223372036854775807", 9223372036854775807, true},
		{"-9223372036854775808", -9223372036854775808, true}, {"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false}, {"01", 0, false}, {"-0", 0, false}, {"+1", 0, false},
		{" 1", 0, false}, {"1 ", 0, false}, {"", 0, false}, {"-", 0, false}, {"1.0", 0, false},
		{"99999999999999999999", 0, false}, {"00", 0, false},
	} {
		v, ok := parseStrictInt([]byte(tc.in))
		if v != tc.v || ok != tc.ok {
			t.Errorf("parseStrictInt(%q) = %d, %v; want %d, %v", tc.in, v, ok, tc.v, tc.ok)
		}
	}
}
