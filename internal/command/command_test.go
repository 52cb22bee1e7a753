package command

import (
	"sort"
	"strings"
	"testing"
)

func TestTableShape(t *testing.T) {
	all := All()
	if len(all) != 240 {
		t.Errorf("%d top-level commands, want redis-server 7.0.15's 240", len(all))
	}
	if !sort.SliceIsSorted(all, func(i, j int) bool { return all[i].Name < all[j].Name }) {
		t.Error("All is not sorted by name")
	}
	all[0] = nil
	if All()[0] == nil {
		t.Error("All returned the table itself, not a copy")
	}
	for _, c := range All() {
		if c.Name != strings.ToLower(c.Name) || strings.Contains(c.Name, "|") {
			t.Errorf("top-level name %q", c.Name)
		}
		if c.Parent != nil {
			t.Errorf("%s has a parent", c.Name)
		}
		if Lookup([]byte(c.Name)) != c {
			t.Errorf("Lookup(%q) is not the table's entry", c.Name)
		}
		if c.Docs.Group == "" {
			t.Errorf("%s has no docs group", c.Name)
		}
		for _, s := range c.Subcommands {
			if s.Parent != c || !strings.HasPrefix(s.Name, c.Name+"|") {
				t.Errorf("subcommand %q of %q", s.Name, c.Name)
			}
			if c.Subcommand([]byte(s.Name[len(c.Name)+1:])) != s {
				t.Errorf("Subcommand does not find %q", s.Name)
			}
			if len(s.Subcommands) != 0 {
				t.Errorf("%s has subcommands", s.Name)
			}
		}
		for _, ks := range c.KeySpecs {
			if ks.BeginSearch.Type == SearchIndex && ks.FindKeys.Type == FindRange && ks.FindKeys.KeyStep < 1 {
				t.Errorf("%s: key spec with step %d", c.Name, ks.FindKeys.KeyStep)
			}
		}
	}
}

func TestKnownEntries(t *testing.T) {
	get := Lookup([]byte("get"))
	if get.Arity != 2 || get.Flags != Readonly|Fast || get.FirstKey != 1 || get.LastKey != 1 || get.Step != 1 {
		t.Errorf("get: %+v", get)
	}
	if strings.Join(get.ACLCategories, " ") != "read string fast" {
		t.Errorf("get categories %q", get.ACLCategories)
	}
	if get.Docs.Summary != "Get the value of a key" || get.Docs.Since != "1.0.0" || get.Docs.Group != "string" {
		t.Errorf("get docs %+v", get.Docs)
	}
	if len(get.KeySpecs) != 1 || get.KeySpecs[0].Flags != KeyRO|KeyAccess {
		t.Errorf("get key specs %+v", get.KeySpecs)
	}
	cfg := LookupFullName([]byte("CONFIG|GET"))
	if cfg == nil || cfg.Name != "config|get" || cfg.Arity != -3 || cfg.Parent != Lookup([]byte("config")) {
		t.Fatalf("config|get: %+v", cfg)
	}
	if !Lookup([]byte("config")).IsContainer() || get.IsContainer() {
		t.Error("IsContainer")
	}
	// Flags COMMAND INFO hides, added by the generator.
	for name, f := range map[string]Flag{
		"eval": MayReplicate, "publish": MayReplicate, "debug": Protected, "module": Protected,
	} {
		if !Lookup([]byte(name)).Has(f) {
			t.Errorf("%s lacks %v", name, f)
		}
	}
	if !Lookup([]byte("set")).Has(Write | Denyoom) {
		t.Error("set is not write denyoom")
	}
	if got := (Write | Fast | MayReplicate).String(); got != "write fast may_replicate" {
		t.Errorf("Flag.String() = %q", got)
	}
	zadd := Lookup([]byte("zadd"))
	if len(zadd.Docs.History) != 3 || zadd.Docs.Arguments[1].Type != ArgOneOf || zadd.Docs.Arguments[1].Flags != ArgOptional {
		t.Errorf("zadd docs %+v", zadd.Docs)
	}
	geo := Lookup([]byte("georadius"))
	if geo.Docs.DocFlags != DocDeprecated || geo.Docs.DeprecatedSince != "6.2.0" {
		t.Errorf("georadius docs %+v", geo.Docs)
	}
	mig := Lookup([]byte("migrate"))
	var empty *Arg
	for i := range mig.Docs.Arguments[2].Arguments {
		if a := &mig.Docs.Arguments[2].Arguments[i]; a.EmptyToken {
			empty = a
		}
	}
	if empty == nil || empty.Token != "" {
		t.Errorf("migrate's empty-string token is lost: %+v", mig.Docs.Arguments[2])
	}
}

func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		name string
		want string
	}{
		{"get", "get"},
		{"GET", "get"},
		{"gEt", "get"},
		{"georadiusbymember_ro", "georadiusbymember_ro"},
		{"GEORADIUSBYMEMBER_RO", "georadiusbymember_ro"},
		{"", ""},
		{"ge", ""},
		{"gett", ""},
		{"get\x00", ""},
		{"config|get", ""},
		{strings.Repeat("a", 1000), ""},
	} {
		c := Lookup([]byte(tc.name))
		got := ""
		if c != nil {
			got = c.Name
		}
		if got != tc.want {
			t.Errorf("Lookup(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	cfg := Lookup([]byte("config"))
	if s := cfg.Subcommand([]byte("GeT")); s == nil || s.Name != "config|get" {
		t.Errorf("Subcommand(GeT) = %v", s)
	}
	if s := cfg.Subcommand([]byte("nosuch")); s != nil {
		t.Errorf("Subcommand(nosuch) = %v", s.Name)
	}
	if s := Lookup([]byte("get")).Subcommand([]byte("x")); s != nil {
		t.Errorf("get has subcommand %v", s.Name)
	}
}

func TestLookupArgsAndFullName(t *testing.T) {
	name := func(c *Command) string {
		if c == nil {
			return ""
		}
		return c.Name
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, ""},
		{[]string{"get", "k"}, "get"},
		{[]string{"CONFIG"}, "config"},
		{[]string{"config", "GET", "x"}, "config|get"},
		{[]string{"config", "nosuch"}, ""},
		{[]string{"nosuch"}, ""},
	} {
		if got := name(LookupArgs(bargs(tc.args...))); got != tc.want {
			t.Errorf("LookupArgs(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"get", "get"}, {"Config|Get", "config|get"}, {"config", "config"},
		{"", ""}, {"|", ""}, {"get|", ""}, {"get|x", ""}, {"config|", ""},
		{"|get", ""}, {"config|get|x", ""}, {"config|nosuch", ""},
	} {
		if got := name(LookupFullName([]byte(tc.in))); got != tc.want {
			t.Errorf("LookupFullName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestArityOK(t *testing.T) {
	get, mget := Lookup([]byte("get")), Lookup([]byte("mget"))
	for _, tc := range []struct {
		c    *Command
		argc int
		want bool
	}{
		{get, 1, false}, {get, 2, true}, {get, 3, false},
		{mget, 1, false}, {mget, 2, true}, {mget, 10, true},
	} {
		if got := tc.c.ArityOK(tc.argc); got != tc.want {
			t.Errorf("%s.ArityOK(%d) = %v", tc.c.Name, tc.argc, got)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"foo", "a", "b"}, "ERR unknown command 'foo', with args beginning with: 'a' 'b' "},
		{[]string{"foo"}, "ERR unknown command 'foo', with args beginning with: "},
		{[]string{"foo", "a\x00b", "c\r\nd"}, "ERR unknown command 'foo', with args beginning with: 'a' 'c  d' "},
		{[]string{"foo", strings.Repeat("y", 126), "z", "w"},
			"ERR unknown command 'foo', with args beginning with: '" + strings.Repeat("y", 126) + "' "},
		{[]string{"foo", strings.Repeat("y", 124), "zz", "w"},
			"ERR unknown command 'foo', with args beginning with: '" + strings.Repeat("y", 124) + "' 'z' "},
		{[]string{strings.Repeat("x", 200)},
			"ERR unknown command '" + strings.Repeat("x", 128) + "', with args beginning with: "},
	} {
		if got := UnknownCommandError(bargs(tc.args...)); got != tc.want {
			t.Errorf("UnknownCommandError(%q)\n got %q\nwant %q", tc.args, got, tc.want)
		}
	}
	if got := UnknownSubcommandError("config", "x"); got != "ERR unknown subcommand 'x'. Try CONFIG HELP." {
		t.Errorf("UnknownSubcommandError = %q", got)
	}
	if got := UnknownSubcommandError("cLiEnT", strings.Repeat("s", 130)); got != "ERR unknown subcommand '"+strings.Repeat("s", 128)+"'. Try CLIENT HELP." {
		t.Errorf("UnknownSubcommandError = %q", got)
	}
	if got := ArityError(LookupFullName([]byte("config|get"))); got != "ERR wrong number of arguments for 'config|get' command" {
		t.Errorf("ArityError = %q", got)
	}
}

func TestStringMatch(t *testing.T) {
	for _, tc := range []struct {
		pat, s string
		want   bool
	}{
		{"*", "get", true}, {"", "", true}, {"", "get", false}, {"g?t", "get", true},
		{"G*", "get", true}, {"[a-g]et", "get", true}, {"[^a-g]et", "get", false},
		{"[g-a]et", "get", true}, {"g\\et", "get", true}, {"get[", "get", false},
		{"*|get", "config|get", true}, {"*e*e*", "georadius", false}, {"*e*e*", "geoexists", true},
		{"[\\]]", "]", true}, {"a**b", "axxb", true}, {"get*", "get", true},
	} {
		if got := stringMatch([]byte(tc.pat), []byte(tc.s), true); got != tc.want {
			t.Errorf("stringMatch(%q, %q) = %v", tc.pat, tc.s, got)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	for _, name := range []string{"get", "GET", "zrangebyscore", "ZRANGEBYSCORE", "nosuch", "georadiusbymember_ro"} {
		n := []byte(name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if Lookup(n) == nil && name != "nosuch" {
					b.Fatal("not found")
				}
			}
		})
	}
}

func BenchmarkLookupArgs(b *testing.B) {
	args := bargs("CONFIG", "GET", "maxmemory")
	b.ReportAllocs()
	for b.Loop() {
		if LookupArgs(args) == nil {
			b.Fatal("not found")
		}
	}
}

func TestLookupAllocs(t *testing.T) {
	get, sub := []byte("GET"), bargs("config", "Get", "x")
	if n := testing.AllocsPerRun(100, func() {
		Lookup(get)
		LookupArgs(sub)
	}); n != 0 {
		t.Errorf("Lookup allocates %v times", n)
	}
}
