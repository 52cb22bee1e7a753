package topology

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/shardis/shardis/internal/tomlfile"
)

// problemsOf splits an error joined with errors.Join into its parts.
func problemsOf(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// public drops what Parse keeps about the file, to compare Configs.
func public(c *Config) *Config {
	d := c.clone()
	d.file, d.loc, d.decoding = "", nil, nil
	return d
}

func TestDefaultConfigIsConfigTOML(t *testing.T) {
	cfg, err := Load("../config.toml")
	if err != nil {
		t.Fatalf("config.toml: %v", err)
	}
	if got, want := public(cfg), DefaultConfig(); !reflect.DeepEqual(got, want) {
		t.Errorf("config.toml and DefaultConfig differ:\n got %+v\nwant %+v", got, want)
	}
}

func TestDefaultConfigValid(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateUsesDefaultsWithoutChangingConfig(t *testing.T) {
	// Built in code, leaving out everything that has a default.
	c := &Config{
		Proxies: []Proxy{{Listen: Addrs{"127.0.0.1:7000"}}},
		Shards: []Shard{
			{Slots: []SlotRange{{First: 0, Last: 8191}}, Primary: Node{Address: "127.0.0.1:7001"}},
			{Slots: []SlotRange{{First: 8192, Last: 16383}}, Primary: Node{Address: "127.0.0.1:7002", Start: true, Dir: "d"}},
		},
	}
	before := c.clone()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, before) {
		t.Errorf("Validate changed the config:\n got %+v\nwant %+v", c, before)
	}
	c.SetDefaults()
	p, n := c.Proxies[0], c.Shards[1].Primary
	if p.Name != "proxy1" || c.Shards[0].Name != "shard1" || p.ConnectTimeout.Duration != DefaultConnectTimeout ||
		p.ReadTimeout.Duration != DefaultReadTimeout || p.WriteTimeout.Duration != DefaultWriteTimeout ||
		!reflect.DeepEqual(p.Announce, p.Listen) || n.Kind != KindShardis || n.AppendOnly == nil || !*n.AppendOnly ||
		n.AppendFsync != DefaultAppendFsync {
		t.Errorf("SetDefaults: %+v %+v", p, n)
	}
	if c.Shards[0].Primary.AppendOnly != nil || c.Shards[0].Primary.AppendFsync != "" {
		t.Errorf("SetDefaults gave AOF settings to a node shardis does not start: %+v", c.Shards[0].Primary)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("after SetDefaults: %v", err)
	}
}

// TestValidAfterDefaults checks that every valid file is still valid once
// Parse has filled in its defaults, as NewMap validates it again then.
func TestValidAfterDefaults(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.toml")
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "err_") {
			continue
		}
		cfg, err := Load(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s: valid before defaults, not after: %v", f, err)
		}
	}
}

func TestEncodeParseRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse("encoded.toml", buf.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if got := public(cfg); !reflect.DeepEqual(got, DefaultConfig()) {
		t.Errorf("round trip:\n got %+v\nwant %+v\n%s", got, DefaultConfig(), buf.String())
	}
}

func TestProblemsAreSortedFileErrors(t *testing.T) {
	files, _ := filepath.Glob("testdata/err_*.toml")
	for _, f := range files {
		_, err := Load(f)
		last := 0
		for _, e := range problemsOf(err) {
			var fe *tomlfile.Error
			if !errors.As(e, &fe) {
				t.Errorf("%s: %T is not a *tomlfile.Error: %v", f, e, e)
				continue
			}
			if fe.File != f {
				t.Errorf("%s: problem names file %q", f, fe.File)
			}
			if last == -1 && fe.Line != 0 || fe.Line != 0 && fe.Line < last {
				t.Errorf("%s: problems out of line order at %v", f, e)
			}
			if fe.Line == 0 {
				last = -1
			} else if last != -1 {
				last = fe.Line
			}
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.toml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want one wrapping os.ErrNotExist", err)
	}
}

func TestSlotRangeDecode(t *testing.T) {
	cases := []struct {
		in          any
		first, last int
		ok          bool
	}{
		{"0-5460", 0, 5460, true},
		{"7", 7, 7, true},
		{" 10 - 20 ", 10, 20, true},
		{"16383", 16383, 16383, true},
		{"20-10", 20, 10, true}, // decodes; Validate says it is backwards
		{"99999999999999999999", 1<<31 - 1, 1<<31 - 1, true},
		{"", 0, 0, false},
		{"-", 0, 0, false},
		{"1-", 0, 0, false},
		{"-1", 0, 0, false},
		{"+1", 0, 0, false},
		{"1-2-3", 0, 0, false},
		{"a-b", 0, 0, false},
		{int64(7), 0, 0, false},
		{[]any{int64(0), int64(5460)}, 0, 0, false},
	}
	for _, c := range cases {
		var r SlotRange
		if err := r.UnmarshalTOML(c.in); err != nil {
			t.Fatalf("%v: UnmarshalTOML returned %v; it should keep the problem", c.in, err)
		}
		if ok := r.problem == ""; ok != c.ok || ok && (r.First != c.first || r.Last != c.last) {
			t.Errorf("%#v: got %d-%d problem %q, want %d-%d ok=%v", c.in, r.First, r.Last, r.problem, c.first, c.last, c.ok)
		}
	}
	if s := (SlotRange{First: 3, Last: 3}).String(); s != "3" {
		t.Errorf("String of one slot = %q", s)
	}
	if s := (SlotRange{First: 0, Last: 5460}).String(); s != "0-5460" {
		t.Errorf("String = %q", s)
	}
}

func TestDurationDecode(t *testing.T) {
	cases := []struct {
		in   any
		want time.Duration
		ok   bool
	}{
		{"250ms", 250 * time.Millisecond, true},
		{"1.5s", 1500 * time.Millisecond, true},
		{"2m", 2 * time.Minute, true},
		{"0s", 0, false},
		{"-1s", 0, false},
		{"250", 0, false},
		{"fast", 0, false},
		{int64(250), 0, false},
		{1.5, 0, false},
	}
	for _, c := range cases {
		var d Duration
		if err := d.UnmarshalTOML(c.in); err != nil {
			t.Fatalf("%v: UnmarshalTOML returned %v; it should keep the problem", c.in, err)
		}
		if ok := d.problem == ""; ok != c.ok || d.Duration != c.want {
			t.Errorf("%#v: got %v problem %q, want %v ok=%v", c.in, d.Duration, d.problem, c.want, c.ok)
		}
	}
}

func TestLocatorArrays(t *testing.T) {
	src := []byte(`top = 1
[[shard]]
name = "a"
[shard.primary]
address = "x"
[[shard.replica]]
address = "r0"
[[shard.replica]]
address = "r1"
[[shard]]
name = "b"
"quoted key" = 2
[ shard . primary ] # comment
address = "y"
[[shard.replica]]
address = "r2"
`)
	l := newLocator(src)
	for path, want := range map[string]int{
		"top":                       1,
		"shard.0":                   2,
		"shard.0.name":              3,
		"shard.0.primary.address":   5,
		"shard.0.replica.1.address": 9,
		"shard.1.name":              11,
		"shard.1.quoted key":        12,
		"shard.1.primary":           13,
		"shard.1.primary.address":   14,
		"shard.1.replica.0.address": 16,
		"shard.1.replica.0.kind":    15, // missing: its table's header
		"shard.1.slots":             10,
		"nothing":                   0,
	} {
		if got := l.line(path); got != want {
			t.Errorf("line(%q) = %d, want %d", path, got, want)
		}
	}
	for _, want := range []int{7, 9, 16, 16} {
		if got := l.next("shard.replica.address"); got != want {
			t.Errorf("next(shard.replica.address) = %d, want %d", got, want)
		}
	}
}
