package topology

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shardis/shardis/internal/tomlfile"
)

// Node kinds: what runs at a node's address. The proxy speaks RESP to both
// alike; `shardis up` starts a shardis node as `shardis backend` and a redis
// node as `redis-server`.
const (
	KindShardis = "shardis"
	KindRedis   = "redis"
)

// Defaults for what a file leaves out (SetDefaults).
const (
	DefaultConnectTimeout = 250 * time.Millisecond
	// DefaultReadTimeout and DefaultWriteTimeout are go-redis's defaults, so
	// a node that hangs is given up on as a client of it would.
	DefaultReadTimeout  = 3 * time.Second
	DefaultWriteTimeout = 3 * time.Second
	DefaultKind         = KindShardis
	DefaultAppendFsync  = "everysec"
)

// Config is a deployment as a topology file describes it: the proxies and
// either the shards (each a slot set, a primary and replicas) or the seed
// nodes of a Redis Cluster whose slot map is read at run time.
//
// Parse and Load fill in defaults and validate; a Config built in code is
// checked with Validate and turned into a slot map with NewMap.
type Config struct {
	Proxies      []Proxy       `toml:"proxy"`
	Shards       []Shard       `toml:"shard"`
	RedisCluster *RedisCluster `toml:"redis_cluster"`

	file     string    // name of the file, for problems
	loc      *locator  // lines of the file's keys
	decoding []problem // unknown keys and values that did not decode
}

// Proxy is one proxy process. Every proxy of a file serves the same slot
// map; CLUSTER SLOTS and CLUSTER NODES present all of their announce
// addresses, so that cluster clients spread over the proxies.
type Proxy struct {
	// Name tells the proxies of a file apart (shardis proxy -name);
	// default "proxy1", "proxy2", ... by position.
	Name string `toml:"name"`
	// Listen is where the proxy accepts clients ("127.0.0.1:7000"; port 0
	// picks a free port). A single string is taken as a list of one.
	Listen Addrs `toml:"listen"`
	// Announce is what CLUSTER SLOTS and CLUSTER NODES tell clients to
	// connect to; default Listen. An address of Listen with port 0 stands
	// for the port the proxy was given.
	Announce Addrs `toml:"announce"`
	// RequirePass, when set, is the password clients must AUTH with.
	RequirePass string `toml:"requirepass"`
	// Timeouts of the proxy's connections to nodes.
	ConnectTimeout Duration `toml:"connect_timeout"`
	ReadTimeout    Duration `toml:"read_timeout"`
	WriteTimeout   Duration `toml:"write_timeout"`
}

// Shard is a set of slots and the nodes that hold them: writes go to the
// primary, which the replicas follow.
type Shard struct {
	// Name identifies the shard in messages and INFO; default "shard1",
	// "shard2", ... by position.
	Name string `toml:"name"`
	// Slots are the shard's slot ranges, written "first-last" or "slot".
	Slots    []SlotRange `toml:"slots"`
	Primary  Node        `toml:"primary"`
	Replicas []Node      `toml:"replica"`
}

// Node is one storage node: a shardis backend or a redis-server.
type Node struct {
	// Address is where the proxy reaches the node (host:port).
	Address string `toml:"address"`
	// Kind is KindShardis (the default) or KindRedis.
	Kind string `toml:"kind"`
	// RequirePass is the password the proxy sends with AUTH, and the
	// requirepass of a node `shardis up` starts.
	RequirePass string `toml:"requirepass"`

	// Start says that `shardis up` starts this node, listening on Address;
	// the settings below apply only then.
	Start bool `toml:"start"`
	// Dir is the node's working directory, where its appendonlydir/ lives;
	// relative to the directory shardis runs in, as redis-server's dir.
	Dir string `toml:"dir"`
	// AppendOnly turns the AOF on (default true).
	AppendOnly *bool `toml:"appendonly"`
	// AppendFsync is "always", "everysec" (the default) or "no".
	AppendFsync string `toml:"appendfsync"`
}

// RedisCluster names the seed nodes of a real Redis Cluster, in place of
// shards: the proxy reads the slot map from them (CLUSTER SLOTS) and keeps
// it current by following MOVED.
type RedisCluster struct {
	Seeds       []string `toml:"seeds"`
	RequirePass string   `toml:"requirepass"`
}

// Addrs is a list of host:port addresses. In a file it is an array of
// strings, or one string for a list of one.
type Addrs []string

// UnmarshalTOML implements toml.Unmarshaler.
func (a *Addrs) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		*a = Addrs{v}
		return nil
	case []any:
		out := make(Addrs, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return fmt.Errorf("addresses are strings such as \"127.0.0.1:7000\", not %s", tomlType(e))
			}
			out = append(out, s)
		}
		*a = out
		return nil
	}
	return fmt.Errorf("want an address or an array of addresses, not %s", tomlType(v))
}

// Duration is a time.Duration, written in a file as a string with a unit
// ("250ms", "2s"). A value that is not one is kept as a problem for
// Validate to report with the others, rather than ending decoding.
type Duration struct {
	time.Duration
	problem string
}

// UnmarshalTOML implements toml.Unmarshaler.
func (d *Duration) UnmarshalTOML(v any) error {
	*d = Duration{}
	switch v := v.(type) {
	case string:
		x, err := time.ParseDuration(v)
		switch {
		case err != nil:
			d.problem = fmt.Sprintf("%q is not a duration: write a number and a unit, such as \"250ms\" or \"2s\"", v)
		case x <= 0:
			d.problem = fmt.Sprintf("%q is not more than zero", v)
		default:
			d.Duration = x
		}
	case int64:
		d.problem = fmt.Sprintf("%d has no unit: write a string such as \"%dms\"", v, v)
	default:
		d.problem = fmt.Sprintf("want a string such as \"250ms\", not %s", tomlType(v))
	}
	return nil
}

// MarshalText writes the duration as time.Duration.String does.
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(d.Duration.String()), nil
}

// SlotRange is the slots First through Last, both included. In a file it
// is a string: "0-5460", or "7" for one slot. Like Duration, a malformed
// one is kept as a problem for Validate.
type SlotRange struct {
	First, Last int
	problem     string
}

// UnmarshalTOML implements toml.Unmarshaler.
func (r *SlotRange) UnmarshalTOML(v any) error {
	*r = SlotRange{}
	s, ok := v.(string)
	if !ok {
		r.problem = fmt.Sprintf("slot ranges are strings such as \"0-5460\" or \"7\", not %s", tomlType(v))
		return nil
	}
	first, last, found := strings.Cut(strings.TrimSpace(s), "-")
	if !found {
		last = first
	}
	var ok1, ok2 bool
	r.First, ok1 = parseSlot(first)
	r.Last, ok2 = parseSlot(last)
	if !ok1 || !ok2 {
		*r = SlotRange{problem: fmt.Sprintf("%q is not a slot range: write \"first-last\" (such as \"0-5460\") or one slot (\"7\")", s)}
	}
	return nil
}

// parseSlot reads a slot number: decimal digits only. A number too big
// for an int becomes MaxInt32, so that Validate says it is out of range.
func parseSlot(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 31)
	if err != nil {
		return math.MaxInt32, true
	}
	return int(n), true
}

// String writes the range as a file does: "0-5460", or "7" for one slot.
func (r SlotRange) String() string {
	if r.First == r.Last {
		return strconv.Itoa(r.First)
	}
	return strconv.Itoa(r.First) + "-" + strconv.Itoa(r.Last)
}

// MarshalText implements encoding.TextMarshaler as String.
func (r SlotRange) MarshalText() ([]byte, error) {
	return []byte(r.String()), nil
}

// Len is the number of slots in the range.
func (r SlotRange) Len() int { return r.Last - r.First + 1 }

// tomlType names the TOML type of a decoded value, for messages.
func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return "a date or time"
}

// DefaultConfig is the default local deployment, the one config.toml at the
// repository root describes: a proxy on 127.0.0.1:7000 in front of three
// shards split as Redis Cluster splits slots among three primaries, each a
// primary and one replica that `shardis up` starts on ports 7001-7006.
func DefaultConfig() *Config {
	node := func(port int) Node {
		yes := true
		return Node{
			Address:     "127.0.0.1:" + strconv.Itoa(port),
			Kind:        KindShardis,
			Start:       true,
			Dir:         "data/" + strconv.Itoa(port),
			AppendOnly:  &yes,
			AppendFsync: DefaultAppendFsync,
		}
	}
	shard := func(n, first, last int) Shard {
		return Shard{
			Name:     "shard" + strconv.Itoa(n),
			Slots:    []SlotRange{{First: first, Last: last}},
			Primary:  node(7000 + n),
			Replicas: []Node{node(7003 + n)},
		}
	}
	return &Config{
		Proxies: []Proxy{{
			Name:           "proxy1",
			Listen:         Addrs{"127.0.0.1:7000"},
			Announce:       Addrs{"127.0.0.1:7000"},
			ConnectTimeout: Duration{Duration: DefaultConnectTimeout},
			ReadTimeout:    Duration{Duration: DefaultReadTimeout},
			WriteTimeout:   Duration{Duration: DefaultWriteTimeout},
		}},
		Shards: []Shard{
			shard(1, 0, 5460),
			shard(2, 5461, 10922),
			shard(3, 10923, 16383),
		},
	}
}

// SetDefaults fills in what c leaves out: names by position, announce
// addresses from listen addresses, timeouts, node kinds, and for nodes
// `shardis up` starts appendonly and appendfsync. It leaves alone what is
// set, even when it is wrong, for Validate to report.
func (c *Config) SetDefaults() {
	for i := range c.Proxies {
		p := &c.Proxies[i]
		if p.Name == "" {
			p.Name = "proxy" + strconv.Itoa(i+1)
		}
		if len(p.Announce) == 0 {
			p.Announce = slices.Clone(p.Listen)
		}
		for _, d := range []struct {
			v   *Duration
			def time.Duration
		}{
			{&p.ConnectTimeout, DefaultConnectTimeout},
			{&p.ReadTimeout, DefaultReadTimeout},
			{&p.WriteTimeout, DefaultWriteTimeout},
		} {
			if d.v.Duration == 0 && d.v.problem == "" {
				d.v.Duration = d.def
			}
		}
	}
	for i := range c.Shards {
		s := &c.Shards[i]
		if s.Name == "" {
			s.Name = "shard" + strconv.Itoa(i+1)
		}
		s.Primary.setDefaults()
		for j := range s.Replicas {
			s.Replicas[j].setDefaults()
		}
	}
}

func (n *Node) setDefaults() {
	if *n == (Node{}) {
		return // absent: Validate says so
	}
	if n.Kind == "" {
		n.Kind = DefaultKind
	}
	if n.Start {
		if n.AppendOnly == nil {
			yes := true
			n.AppendOnly = &yes
		}
		if n.AppendFsync == "" {
			n.AppendFsync = DefaultAppendFsync
		}
	}
}

// clone returns a deep copy of c, so that Validate and NewMap can fill in
// defaults without changing the caller's Config.
func (c *Config) clone() *Config {
	d := *c
	d.Proxies = slices.Clone(c.Proxies)
	for i := range d.Proxies {
		p := &d.Proxies[i]
		p.Listen, p.Announce = slices.Clone(p.Listen), slices.Clone(p.Announce)
	}
	d.Shards = slices.Clone(c.Shards)
	for i := range d.Shards {
		d.Shards[i] = d.Shards[i].clone()
	}
	if c.RedisCluster != nil {
		rc := *c.RedisCluster
		rc.Seeds = slices.Clone(rc.Seeds)
		d.RedisCluster = &rc
	}
	return &d
}

func (s Shard) clone() Shard {
	s.Slots = slices.Clone(s.Slots)
	s.Primary = s.Primary.clone()
	s.Replicas = slices.Clone(s.Replicas)
	for j := range s.Replicas {
		s.Replicas[j] = s.Replicas[j].clone()
	}
	return s
}

func (n Node) clone() Node {
	if n.AppendOnly != nil {
		v := *n.AppendOnly
		n.AppendOnly = &v
	}
	return n
}

// Nodes returns the shard's primary followed by its replicas.
func (s *Shard) Nodes() []Node {
	return append([]Node{s.Primary}, s.Replicas...)
}

// Load reads, decodes and validates the topology file at path (see Parse).
func Load(path string) (*Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read topology: %w", err)
	}
	return Parse(path, src)
}

// Parse decodes a topology file (named name in messages), fills in
// defaults and validates it. A file that is not TOML, or whose values have
// the wrong types, gives one error and a nil Config. Otherwise the Config is
// returned, with, when anything is wrong, an error joining every problem
// (errors.Join; each a *tomlfile.Error with the file and, where known, the
// line), sorted by line.
func Parse(name string, src []byte) (*Config, error) {
	loc := newLocator(src)
	if probs := arrayHeaderProblems(loc); len(probs) > 0 {
		return nil, joinProblems(name, probs)
	}
	c := &Config{file: name, loc: loc}
	md, err := tomlfile.Decode(name, src, c)
	if err != nil {
		// tomlfile returns a single error when decoding failed, and joins
		// one error per unknown key otherwise; those are reported again
		// below, with lines that tell the elements of an array apart.
		if _, unknownKeys := err.(interface{ Unwrap() []error }); !unknownKeys {
			return nil, err
		}
	}
	// An unknown table is reported, not every key in it as well.
	unknown := map[string]bool{}
	for _, k := range md.Undecoded() {
		key := strings.Join(k, ".")
		if inUnknown(unknown, key) {
			continue
		}
		unknown[key] = true
		c.decoding = append(c.decoding, problem{line: loc.next(key), msg: fmt.Sprintf("unknown key %q", k.String())})
	}
	// Validate before SetDefaults: it tells what the file set from what it
	// left out (an announce address copied from listen is reported as
	// listen's problem).
	err = c.Validate()
	c.SetDefaults()
	return c, err
}

// inUnknown reports whether key lies inside a table already reported unknown.
func inUnknown(unknown map[string]bool, key string) bool {
	for i := strings.LastIndexByte(key, '.'); i > 0; i = strings.LastIndexByte(key[:i], '.') {
		if unknown[key[:i]] {
			return true
		}
	}
	return false
}

// arrayHeaderProblems catches [proxy], [shard] and [shard.replica] written
// for [[...]]: the decoder would only say "incompatible types".
func arrayHeaderProblems(loc *locator) []problem {
	var probs []problem
	for _, h := range loc.headers {
		switch h.name {
		case "proxy", "shard", "shard.replica":
			if !h.array {
				probs = append(probs, problem{line: h.line, msg: fmt.Sprintf("write [[%s]], not [%s]: there may be several, so each is an element of an array of tables", h.name, h.name)})
			}
		}
	}
	return probs
}

// problem is one thing wrong with a Config, at a line of its file (0:
// the file as a whole, or a Config built in code).
type problem struct {
	line int
	msg  string
}

// ErrNoSlots is returned by NewMap for a Config with a [redis_cluster]
// section: its slot map is not in the file but read from the cluster.
var ErrNoSlots = errors.New("topology: the slot map of a Redis Cluster is read from its nodes, not from the file")
