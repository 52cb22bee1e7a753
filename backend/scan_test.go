package backend

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"
)

// The glob cases were recorded from redis-server 7.0.15: the keys below
// were SET, and each pattern's KEYS reply sorted.
var globKeys = []string{"", "a", "b", "ab", "abc", "abd", "aXc", "a-c", "a]c", "a\\c", "a*c", "a?c", "a[c", "a^c", "hello", "hallo", "hllo", "heeeello", "h\xffllo", "\xff", "\x80", "\x7f", "\x00", "a\x00c", "A", "AB", "aBc", "x-y", "]", "[", "^", "-", "*", "?", "\\", "foo:bar:baz", "foo::baz", "foo:", "z", "aaaa", "aaab"}
var globCases = []struct {
	pattern string
	matches []string
}{
	{"*", []string{"", "\x00", "*", "-", "?", "A", "AB", "[", "\\", "]", "^", "a", "a\x00c", "a*c", "a-c", "a?c", "aBc", "aXc", "a[c", "a\\c", "a]c", "a^c", "aaaa", "aaab", "ab", "abc", "abd", "b", "foo:", "foo::baz", "foo:bar:baz", "hallo", "heeeello", "hello", "hllo", "h\xffllo", "x-y", "z", "\x7f", "\x80", "\xff"}},
	{"a*", []string{"a", "a\x00c", "a*c", "a-c", "a?c", "aBc", "aXc", "a[c", "a\\c", "a]c", "a^c", "aaaa", "aaab", "ab", "abc", "abd"}},
	{"*c", []string{"a\x00c", "a*c", "a-c", "a?c", "aBc", "aXc", "a[c", "a\\c", "a]c", "a^c", "abc"}},
	{"a?c", []string{"a\x00c", "a*c", "a-c", "a?c", "aBc", "aXc", "a[c", "a\\c", "a]c", "a^c", "abc"}},
	{"a[bX]c", []string{"aXc", "abc"}},
	{"a[^bX]c", []string{"a\x00c", "a*c", "a-c", "a?c", "aBc", "a[c", "a\\c", "a]c", "a^c"}},
	{"a[a-z]c", []string{"abc"}},
	{"a[z-a]c", []string{"abc"}},
	{"a[A-Z]c", []string{"aBc", "aXc"}},
	{"[a-c]", []string{"a", "b"}},
	{"[^a-c]", []string{"\x00", "*", "-", "?", "A", "[", "\\", "]", "^", "z", "\x7f", "\x80", "\xff"}},
	{"[", []string{}},
	{"[^", []string{"\x00", "*", "-", "?", "A", "[", "\\", "]", "^", "a", "b", "z", "\x7f", "\x80", "\xff"}},
	{"a[", []string{}},
	{"a[b", []string{"ab"}},
	{"a[b-", []string{"ab"}},
	{"a[bc", []string{"ab"}},
	{"[]", []string{}},
	{"[]]", []string{}},
	{"[!a]", []string{"a"}},
	{"a\\*c", []string{"a*c"}},
	{"a\\?c", []string{"a?c"}},
	{"a\\[c", []string{"a[c"}},
	{"a\\\\c", []string{"a\\c"}},
	{"a\\", []string{}},
	{"\\", []string{"\\"}},
	{"\\a", []string{"a"}},
	{"a[\\]]c", []string{"a]c"}},
	{"a[\\-]c", []string{"a-c"}},
	{"a[\\^]c", []string{"a^c"}},
	{"[\\]", []string{"]"}},
	{"[-]", []string{"-"}},
	{"[a-]", []string{"]", "^", "a"}},
	{"[-a]", []string{"-", "a"}},
	{"a[]-c]c", []string{}},
	{"h?llo", []string{"hallo", "hello", "h\xffllo"}},
	{"h*llo", []string{"hallo", "heeeello", "hello", "hllo", "h\xffllo"}},
	{"h[ae]llo", []string{"hallo", "hello"}},
	{"h[^e]llo", []string{"hallo", "h\xffllo"}},
	{"h[a-b]llo", []string{"hallo"}},
	{"h[\x80-\xff]llo", []string{"h\xffllo"}},
	{"[\x00-\xff]", []string{"\x00", "\xff"}},
	{"[\x7f-\x80]", []string{"\x00", "*", "-", "?", "A", "[", "\\", "]", "^", "a", "b", "z", "\x7f", "\x80", "\xff"}},
	{"[\x80-\x7f]", []string{"\x00", "*", "-", "?", "A", "[", "\\", "]", "^", "a", "b", "z", "\x7f", "\x80", "\xff"}},
	{"[\xff]", []string{"\xff"}},
	{"?", []string{"\x00", "*", "-", "?", "A", "[", "\\", "]", "^", "a", "b", "z", "\x7f", "\x80", "\xff"}},
	{"??", []string{"AB", "ab"}},
	{"*?*", []string{"\x00", "*", "-", "?", "A", "AB", "[", "\\", "]", "^", "a", "a\x00c", "a*c", "a-c", "a?c", "aBc", "aXc", "a[c", "a\\c", "a]c", "a^c", "aaaa", "aaab", "ab", "abc", "abd", "b", "foo:", "foo::baz", "foo:bar:baz", "hallo", "heeeello", "hello", "hllo", "h\xffllo", "x-y", "z", "\x7f", "\x80", "\xff"}},
	{"**", []string{"\x00", "*", "-", "?", "A", "AB", "[", "\\", "]", "^", "a", "a\x00c", "a*c", "a-c", "a?c", "aBc", "aXc", "a[c", "a\\c", "a]c", "a^c", "aaaa", "aaab", "ab", "abc", "abd", "b", "foo:", "foo::baz", "foo:bar:baz", "hallo", "heeeello", "hello", "hllo", "h\xffllo", "x-y", "z", "\x7f", "\x80", "\xff"}},
	{"*a*a*", []string{"aaaa", "aaab", "foo:bar:baz"}},
	{"a*a*b", []string{"aaab"}},
	{"*:*:*", []string{"foo::baz", "foo:bar:baz"}},
	{"foo:*", []string{"foo:", "foo::baz", "foo:bar:baz"}},
	{"foo:*:baz", []string{"foo::baz", "foo:bar:baz"}},
	{"*z", []string{"foo::baz", "foo:bar:baz", "z"}},
	{"a[-c", []string{}},
	{"a[^]c", []string{"a\x00c", "a*c", "a-c", "a?c", "aBc", "aXc", "a[c", "a\\c", "a]c", "a^c", "abc"}},
	{"a[^]]c", []string{}},
	{"[[]", []string{"["}},
	{"[*]", []string{"*"}},
	{"[?]", []string{"?"}},
	{"a*", []string{"a", "a\x00c", "a*c", "a-c", "a?c", "aBc", "aXc", "a[c", "a\\c", "a]c", "a^c", "aaaa", "aaab", "ab", "abc", "abd"}},
	{"A*", []string{"A", "AB"}},
	{"[A-a]", []string{"A", "[", "\\", "]", "^", "a"}},
	{"[a-A]", []string{"A", "[", "\\", "]", "^", "a"}},
	{"*\\", []string{"\\"}},
	{"*[", []string{}},
	{"\x00", []string{"\x00"}},
	{"a\x00c", []string{"a\x00c"}},
	{"?\x00?", []string{"a\x00c"}},
	{"*\x00*", []string{"\x00", "a\x00c"}},
}

func TestGlobMatchLikeRedis(t *testing.T) {
	for _, tc := range globCases {
		var got []string
		for _, k := range globKeys {
			// KEYS * takes every key without matching (stringmatchlen
			// itself does not match "" with "*").
			if tc.pattern == "*" || globMatch([]byte(tc.pattern), []byte(k), false) {
				got = append(got, k)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.matches) && !(len(got) == 0 && len(tc.matches) == 0) {
			t.Errorf("pattern %q: matched %q, redis-server matched %q", tc.pattern, got, tc.matches)
		}
	}
}

func TestKeysLikeRedis(t *testing.T) {
	s, addr := startTestServer(t)
	c := dialTest(t, addr)
	for _, k := range globKeys {
		putString(s, 0, k, "1", 0)
	}
	for _, tc := range globCases {
		v := c.do("keys", tc.pattern)
		var got []string
		for _, e := range v.Elems {
			got = append(got, string(e.Str))
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.matches) && !(len(got) == 0 && len(tc.matches) == 0) {
			t.Errorf("KEYS %q: %q, redis-server: %q", tc.pattern, got, tc.matches)
		}
	}
}

func TestGlobMatchNoCase(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"HeLLo", "hello", true}, {"h[A-Z]llo", "hello", true}, {"h[E]llo", "hello", true},
		{"h[^E]llo", "hello", false}, {"*O", "hello", true}, {"h\\Ello", "hello", true},
	} {
		if got := globMatch([]byte(tc.pattern), []byte(tc.s), true); got != tc.want {
			t.Errorf("globMatch(%q, %q, nocase) = %v", tc.pattern, tc.s, got)
		}
	}
}

// A pattern made to backtrack is answered quickly (stringmatchlen's
// skipLongerMatches).
func TestGlobMatchIsNotExponential(t *testing.T) {
	p := []byte("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b")
	s := make([]byte, 200)
	for i := range s {
		s[i] = 'a'
	}
	start := time.Now()
	if globMatch(p, s, false) {
		t.Fatal("matched")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
}

// scanSession was recorded from redis-server 7.0.15 with the one key "a".
var scanSession = []struct {
	want string
	args []string
}{
	{"-ERR syntax error\r\n", []string{"scan", "0", "count", "0"}},
	{"-ERR syntax error\r\n", []string{"scan", "0", "count", "-1"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"scan", "0", "count", "x"}},
	{"-ERR value is not an integer or out of range\r\n", []string{"scan", "0", "count", "1.5"}},
	{"-ERR invalid cursor\r\n", []string{"scan", "x"}},
	{"-ERR invalid cursor\r\n", []string{"scan", "-"}},
	{"-ERR invalid cursor\r\n", []string{"scan", "+"}},
	{"-ERR invalid cursor\r\n", []string{"scan", " 1"}},
	{"-ERR invalid cursor\r\n", []string{"scan", "1 "}},
	{"-ERR invalid cursor\r\n", []string{"scan", "0x"}},
	{"-ERR invalid cursor\r\n", []string{"scan", "18446744073709551616"}},
	{"-ERR invalid cursor\r\n", []string{"scan", "-18446744073709551616"}},
	{"-ERR invalid cursor\r\n", []string{"scan", "99999999999999999999999"}},
	{"-ERR syntax error\r\n", []string{"scan", "0", "match"}},
	{"-ERR syntax error\r\n", []string{"scan", "0", "foo", "bar"}},
	{"-ERR syntax error\r\n", []string{"scan", "0", "count"}},
	{"-ERR syntax error\r\n", []string{"scan", "0", "type"}},
	{"-ERR invalid cursor\r\n", []string{"scan", "x", "foo"}},
	{"-ERR syntax error\r\n", []string{"scan", "0", "count", "1", "foo"}},
	{"-ERR syntax error\r\n", []string{"scan", "0", "type", "string", "match"}},
	{"*2\r\n$1\r\n0\r\n*0\r\n", []string{"scan", "0", "type", "foo"}},
	{"*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n", []string{"scan", "0", "type", "STRING"}},
	{"*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n", []string{"scan", "0", "type", "string"}},
	{"*2\r\n$1\r\n0\r\n*0\r\n", []string{"scan", "0", "type", "list"}},
	{"*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n", []string{"scan", "0", "match", "a"}},
	{"*2\r\n$1\r\n0\r\n*0\r\n", []string{"scan", "0", "match", "b"}},
	{"*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n", []string{"scan", "0", "MATCH", "a", "COUNT", "9223372036854775807", "TYPE", "String"}},
	{"*1\r\n$1\r\na\r\n", []string{"keys", "a"}},
	{"*0\r\n", []string{"keys", "b"}},
	{"$1\r\na\r\n", []string{"randomkey"}},
	{":1\r\n", []string{"del", "a"}},
	{"$-1\r\n", []string{"randomkey"}},
	{"*0\r\n", []string{"keys", "*"}},
	{"*2\r\n$1\r\n0\r\n*0\r\n", []string{"scan", "0"}},
	{"*2\r\n$1\r\n0\r\n*0\r\n", []string{"scan", "18446744073709551615"}},
	{"*2\r\n$1\r\n0\r\n*0\r\n", []string{"scan", "-1"}},
	{"*2\r\n$1\r\n0\r\n*0\r\n", []string{"scan", ""}},
	{"*2\r\n$1\r\n0\r\n*0\r\n", []string{"scan", "+0"}},
	{"*2\r\n$1\r\n0\r\n*0\r\n", []string{"scan", "-0"}},
}

func TestScanSession(t *testing.T) {
	requireCommands(t, "set")
	_, addr := startTestServer(t)
	c := dialTest(t, addr)
	c.expect("+OK\r\n", "set", "a", "1")
	for _, tc := range scanSession {
		c.expect(tc.want, tc.args...)
	}
}

func TestParseScanCursor(t *testing.T) {
	for _, tc := range []struct {
		in string
		v  uint64
		ok bool
	}{
		{"", 0, true}, {"0", 0, true}, {"-0", 0, true}, {"+0", 0, true}, {"+5", 5, true}, {"007", 7, true},
		{"-1", 18446744073709551615, true}, {"18446744073709551615", 18446744073709551615, true},
		{"-18446744073709551615", 1, true}, {"18446744073709551616", 0, false},
		{"-18446744073709551616", 0, false}, {"-", 0, false}, {"+", 0, false}, {" 1", 0, false},
		{"1 ", 0, false}, {"0x10", 0, false}, {"1.0", 0, false}, {"--1", 0, false},
	} {
		v, ok := parseScanCursor([]byte(tc.in))
		if v != tc.v || ok != tc.ok {
			t.Errorf("parseScanCursor(%q) = %d, %v; want %d, %v", tc.in, v, ok, tc.v, tc.ok)
		}
	}
}

// scanAll runs a whole SCAN with the given options and returns every key
// it returned (with repeats) and the number of calls.
func scanAll(t *testing.T, c *testConn, opts ...string) ([]string, int) {
	t.Helper()
	var keys []string
	cursor := "0"
	for calls := 1; calls < 100000; calls++ {
		v := c.do(append([]string{"scan", cursor}, opts...)...)
		if v.Type != '*' || len(v.Elems) != 2 {
			t.Fatalf("scan reply %v", v)
		}
		for _, e := range v.Elems[1].Elems {
			keys = append(keys, string(e.Str))
		}
		cursor = string(v.Elems[0].Str)
		if cursor == "0" {
			return keys, calls
		}
	}
	t.Fatal("scan did not end")
	return nil, 0
}

func TestScanReturnsEveryKey(t *testing.T) {
	s, addr := startTestServer(t)
	s.activeExpire.Store(false)
	c := dialTest(t, addr)
	want := map[string]bool{}
	for i := 0; i < 2000; i++ {
		k := "key:" + strconv.Itoa(i)
		putString(s, 0, k, "v", 0)
		want[k] = true
	}
	// Expired keys are left out, and deleted as they are met.
	for i := 0; i < 100; i++ {
		putString(s, 0, "old:"+strconv.Itoa(i), "v", time.Now().UnixMilli()-1000)
	}
	keys, calls := scanAll(t, c, "count", "50")
	got := map[string]bool{}
	for _, k := range keys {
		if !want[k] {
			t.Fatalf("SCAN returned %q", k)
		}
		if got[k] {
			t.Errorf("SCAN returned %q twice without a resize", k)
		}
		got[k] = true
	}
	if len(got) != len(want) {
		t.Errorf("SCAN returned %d of %d keys", len(got), len(want))
	}
	if calls < 2000/50/2 {
		t.Errorf("COUNT 50 over 2000 keys took only %d calls", calls)
	}
	c.expect(":2000\r\n", "dbsize")

	keys, _ = scanAll(t, c, "match", "key:1?", "count", "7")
	slices.Sort(keys)
	if fmt.Sprint(keys) != "[key:10 key:11 key:12 key:13 key:14 key:15 key:16 key:17 key:18 key:19]" {
		t.Errorf("MATCH key:1?: %q", keys)
	}
	keys, _ = scanAll(t, c, "type", "list")
	if len(keys) != 0 {
		t.Errorf("TYPE list: %q", keys)
	}
	keys, _ = scanAll(t, c, "type", "string", "count", "1000")
	if len(keys) != 2000 {
		t.Errorf("TYPE string: %d keys", len(keys))
	}
	// An empty database answers at once; so does a cursor past every shard.
	c.expect("*2\r\n$1\r\n0\r\n*0\r\n", "scan", "0", "match", "nomatch*", "count", "100000")
	c.expect("+OK\r\n", "select", "1")
	c.expect("*2\r\n$1\r\n0\r\n*0\r\n", "scan", "0")
	c.expect("*2\r\n$1\r\n0\r\n*0\r\n", "scan", "18446744073709551615")
}

// The SCAN guarantee: a key present from the start to the end of a scan is
// returned, however the shards' tables grow and shrink between calls.
func TestScanGuaranteeAcrossResizes(t *testing.T) {
	s, err := New(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db := s.db(0)
	now := time.Now().UnixMilli()
	add := func(k string) {
		sh := db.shard([]byte(k))
		sh.mu.Lock()
		if sh.dict.find([]byte(k)) == nil {
			sh.add(db, []byte(k), kindString)
		}
		sh.mu.Unlock()
	}
	del := func(k string) {
		sh := db.shard([]byte(k))
		sh.mu.Lock()
		sh.remove([]byte(k))
		sh.mu.Unlock()
	}
	tableSizes := func() (n int) {
		for i := range db.shards {
			n += len(db.shards[i].dict.buckets)
		}
		return n
	}
	for round := 0; round < 5; round++ {
		churn := make([]string, 2000)
		for i := range churn {
			churn[i] = fmt.Sprintf("churn:%d:%d", round, i)
		}
		stable := map[string]bool{}
		for i := 0; i < 500; i++ {
			k := fmt.Sprintf("stable:%d:%d", round, i)
			add(k)
			stable[k] = true
		}
		seen := map[string]bool{}
		var cursor uint64
		resizes := 0
		for step := 0; ; step++ {
			keys, next := db.scan(&Client{}, cursor, scanOptions{count: 5}, now)
			for _, k := range keys {
				seen[k] = true
			}
			if next == 0 {
				break
			}
			cursor = next
			// Alternately grow every table a lot and shrink it back.
			before := tableSizes()
			for _, k := range churn {
				if step%2 == 0 {
					add(k)
				} else {
					del(k)
				}
			}
			if tableSizes() != before {
				resizes++
			}
			if step > 100000 {
				t.Fatal("scan did not end")
			}
		}
		if resizes == 0 {
			t.Fatalf("round %d: no table was resized during the scan", round)
		}
		for k := range stable {
			if !seen[k] {
				t.Fatalf("round %d: key %q, present throughout, was not returned (%d resizes)", round, k, resizes)
			}
		}
		for k := range stable {
			del(k)
		}
		for _, k := range churn {
			del(k)
		}
	}
}

func TestRandomKey(t *testing.T) {
	s, addr := startTestServer(t)
	s.activeExpire.Store(false)
	c := dialTest(t, addr)
	c.expect("$-1\r\n", "randomkey")
	keys := keysInDifferentShards("rk", 8)
	for _, k := range keys {
		putString(s, 0, k, "v", 0)
	}
	seen := map[string]bool{}
	for i := 0; i < 400 && len(seen) < len(keys); i++ {
		v := c.do("randomkey")
		if !slices.Contains(keys, string(v.Str)) {
			t.Fatalf("RANDOMKEY: %v", v)
		}
		seen[string(v.Str)] = true
	}
	if len(seen) != len(keys) {
		t.Errorf("400 RANDOMKEYs drew %d of %d keys", len(seen), len(keys))
	}
	// Only expired keys: each one met is deleted, and the answer is null.
	c.expect("+OK\r\n", "flushdb")
	for _, k := range keys {
		putString(s, 0, k, "v", time.Now().UnixMilli()-1000)
	}
	c.expect("$-1\r\n", "randomkey")
	c.expect(":0\r\n", "dbsize")
}
