package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shardis/shardis/internal/tomlfile"
)

// Target names, as a scenarios file and -targets spell them.
const (
	// TargetShardis is a whole shardis deployment (`shardis up`: three
	// shards of a primary and a replica) driven through its proxy.
	TargetShardis = "shardis"
	// TargetShardisNode is one shardis storage node, driven directly.
	TargetShardisNode = "shardis-node"
	// TargetRedis is one redis-server.
	TargetRedis = "redis"
	// TargetRedisCluster is a Redis Cluster of three primaries and three
	// replicas, driven cluster-aware.
	TargetRedisCluster = "redis-cluster"
	// TargetTwemproxy is twemproxy (nutcracker) over three redis-servers.
	TargetTwemproxy = "twemproxy"
)

// Targets lists every target name, in the default order.
var Targets = []string{TargetShardis, TargetShardisNode, TargetRedis, TargetRedisCluster, TargetTwemproxy}

// ScenarioError is a problem in a scenarios file, at a line when known.
type ScenarioError struct {
	File string
	Line int
	Msg  string
}

func (e *ScenarioError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Scenario is one named load, run against every target.
type Scenario struct {
	Name string `json:"name"`
	// Prefill SETs every key of the keyspace before the run (default for
	// the workloads that read).
	Prefill bool `json:"prefill"`
	// Timeline asks for charts of throughput and latency over time.
	Timeline bool `json:"timeline"`
	// Fault, when set, is done to the target while the scenario runs:
	// FaultKillReplica (FaultKillPrimary) kills a replica (a primary)
	// FaultAt into the measured part and starts it again FaultDown later.
	// Targets without replicas skip the scenario.
	Fault     string        `json:"fault,omitempty"`
	FaultAt   time.Duration `json:"fault_at,omitempty"`
	FaultDown time.Duration `json:"fault_down,omitempty"`
	// Config holds the load; its Addr, Cluster and Progress are set per
	// target.
	Config Config `json:"-"`
}

// Describe sums a scenario's settings up in a line.
func (s *Scenario) Describe() string {
	c := &s.Config
	var b strings.Builder
	fmt.Fprintf(&b, "%s, %d conns, pipeline %d, %d keys %s", c.Workload, c.Connections, c.Pipeline, c.Keyspace, c.Distribution)
	if c.Distribution == DistZipf {
		fmt.Fprintf(&b, " %g", c.Zipf)
	}
	fmt.Fprintf(&b, ", %d B values", c.ValueSize)
	switch c.Workload {
	case WorkloadMixed, WorkloadLarge:
		fmt.Fprintf(&b, ", %.0f%% reads", c.ReadRatio*100)
	case WorkloadMSet:
		fmt.Fprintf(&b, ", %d keys per MSET", c.MSetKeys)
	}
	if s.Fault != "" {
		fmt.Fprintf(&b, ", %s at %v for %v", s.Fault, s.FaultAt, s.FaultDown)
	}
	if c.Rate > 0 {
		fmt.Fprintf(&b, ", open loop at %.0f ops/s", c.Rate)
	} else {
		b.WriteString(", closed loop")
	}
	if c.Requests > 0 {
		fmt.Fprintf(&b, ", %d ops", c.Requests)
	} else {
		fmt.Fprintf(&b, ", %v", c.Duration)
	}
	if c.Warmup > 0 {
		fmt.Fprintf(&b, " after %v warm-up", c.Warmup)
	}
	return b.String()
}

// Faults a scenario may inject.
const (
	// FaultKillReplica kills a replica with SIGKILL and starts it again.
	FaultKillReplica = "kill-replica"
	// FaultKillPrimary kills a shard's primary with SIGKILL and starts it
	// again (empty: the targets run without persistence). The generator
	// reconnects, and in cluster mode follows the new slot map.
	FaultKillPrimary = "kill-primary"
)

// Scenarios is a parsed scenarios file.
type Scenarios struct {
	// Targets are the targets to run, in order (default: all).
	Targets   []string
	Scenarios []Scenario
}

// settings are the keys of [defaults] and of each [[scenario]]; nil means
// not given.
type settings struct {
	Name         *string  `toml:"name"`
	Workload     *string  `toml:"workload"`
	Connections  *int     `toml:"connections"`
	Pipeline     *int     `toml:"pipeline"`
	Keyspace     *int     `toml:"keyspace"`
	Distribution *string  `toml:"distribution"`
	Zipf         *float64 `toml:"zipf"`
	ValueSize    *int     `toml:"value_size"`
	ReadRatio    *float64 `toml:"read_ratio"`
	MSetKeys     *int     `toml:"mset_keys"`
	Duration     *string  `toml:"duration"`
	Requests     *int64   `toml:"requests"`
	Warmup       *string  `toml:"warmup"`
	Rate         *float64 `toml:"rate"`
	Prefill      *bool    `toml:"prefill"`
	Timeline     *bool    `toml:"timeline"`
	Fault        *string  `toml:"fault"`
	FaultAt      *string  `toml:"fault_at"`
	FaultDown    *string  `toml:"fault_down"`
}

type scenarioFile struct {
	Targets   []string   `toml:"targets"`
	Defaults  settings   `toml:"defaults"`
	Scenarios []settings `toml:"scenario"`
}

// LoadScenarios reads and checks a scenarios file.
func LoadScenarios(path string) (*Scenarios, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, &ScenarioError{File: path, Msg: err.Error()}
	}
	return ParseScenarios(path, src)
}

// ParseScenarios parses a scenarios file's contents; name is used in
// messages. Every problem is reported with its line, joined.
func ParseScenarios(name string, src []byte) (*Scenarios, error) {
	var f scenarioFile
	if _, err := tomlfile.Decode(name, src, &f); err != nil {
		return nil, toScenarioErrors(name, err)
	}
	var errs []error
	bad := func(table string, index int, key, format string, args ...any) {
		errs = append(errs, &ScenarioError{File: name, Line: lineOf(src, table, index, key), Msg: fmt.Sprintf(format, args...)})
	}
	out := &Scenarios{Targets: f.Targets}
	if out.Targets == nil {
		out.Targets = slices.Clone(Targets)
	}
	for _, t := range out.Targets {
		if !slices.Contains(Targets, t) {
			bad("", 0, "targets", "unknown target %q (known: %s)", t, strings.Join(Targets, ", "))
		}
	}
	if len(f.Scenarios) == 0 {
		errs = append(errs, &ScenarioError{File: name, Msg: "no [[scenario]]"})
	}
	seen := map[string]bool{}
	for i, s := range f.Scenarios {
		table := "scenario"
		var sc Scenario
		var ok bool
		sc, ok = merge(f.Defaults, s, func(key, format string, args ...any) {
			// A bad value from [defaults] is reported there; a missing
			// one at the scenario.
			if fieldSet(s, key) || !fieldSet(f.Defaults, key) {
				bad(table, i, key, format, args...)
			} else {
				bad("defaults", 0, key, format, args...)
			}
		})
		if sc.Name == "" {
			bad(table, i, "", "scenario %d has no name", i+1)
			ok = false
		} else if seen[sc.Name] {
			bad(table, i, "name", "scenario name %q used twice", sc.Name)
		}
		seen[sc.Name] = true
		if ok {
			out.Scenarios = append(out.Scenarios, sc)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// fieldSet reports whether the scenario itself gives key.
func fieldSet(s settings, key string) bool {
	switch key {
	case "workload":
		return s.Workload != nil
	case "connections":
		return s.Connections != nil
	case "pipeline":
		return s.Pipeline != nil
	case "keyspace":
		return s.Keyspace != nil
	case "distribution":
		return s.Distribution != nil
	case "zipf":
		return s.Zipf != nil
	case "value_size":
		return s.ValueSize != nil
	case "read_ratio":
		return s.ReadRatio != nil
	case "mset_keys":
		return s.MSetKeys != nil
	case "duration":
		return s.Duration != nil
	case "requests":
		return s.Requests != nil
	case "warmup":
		return s.Warmup != nil
	case "rate":
		return s.Rate != nil
	case "fault":
		return s.Fault != nil
	case "fault_at":
		return s.FaultAt != nil
	case "fault_down":
		return s.FaultDown != nil
	}
	return true
}

// merge applies d then s to the package defaults and checks the result.
// bad is called with the key of each problem.
func merge(d, s settings, bad func(key, format string, args ...any)) (Scenario, bool) {
	var sc Scenario
	c := &sc.Config
	ok := true
	fail := func(key, format string, args ...any) { bad(key, format, args...); ok = false }
	for _, st := range []settings{d, s} {
		set(&c.Workload, st.Workload)
		set(&c.Connections, st.Connections)
		set(&c.Pipeline, st.Pipeline)
		set(&c.Keyspace, st.Keyspace)
		set(&c.Distribution, st.Distribution)
		set(&c.Zipf, st.Zipf)
		set(&c.ValueSize, st.ValueSize)
		set(&c.ReadRatio, st.ReadRatio)
		set(&c.MSetKeys, st.MSetKeys)
		set(&c.Requests, st.Requests)
		set(&c.Rate, st.Rate)
		set(&sc.Fault, st.Fault)
		for key, p := range map[string]struct {
			v   *string
			dst *time.Duration
		}{"duration": {st.Duration, &c.Duration}, "warmup": {st.Warmup, &c.Warmup},
			"fault_at": {st.FaultAt, &sc.FaultAt}, "fault_down": {st.FaultDown, &sc.FaultDown}} {
			if p.v == nil {
				continue
			}
			dur, err := time.ParseDuration(*p.v)
			if err != nil {
				fail(key, "%s %q is not a duration such as \"2s\" or \"500ms\"", key, *p.v)
				continue
			}
			*p.dst = dur
		}
	}
	set(&sc.Name, s.Name) // a name in [defaults] is not inherited
	for _, st := range []settings{d, s} {
		for key, v := range map[string]*int{"connections": st.Connections, "pipeline": st.Pipeline,
			"keyspace": st.Keyspace, "mset_keys": st.MSetKeys} {
			if v != nil && *v < 1 {
				fail(key, "%s must be at least 1, not %d", strings.ReplaceAll(key, "_", " "), *v)
			}
		}
	}
	if !ok {
		return sc, false
	}
	if c.Workload == "" {
		fail("workload", "no workload (known: %s)", strings.Join(Workloads, ", "))
		return sc, false
	}
	if !validWorkload(c.Workload) {
		fail("workload", "%s", (&UnknownWorkloadError{Name: c.Workload}).Error())
		return sc, false
	}
	c.Addr = "-" // checked per target
	c.SetDefaults()
	if err := c.Validate(); err != nil {
		for _, e := range splitJoined(err) {
			fail(keyOfProblem(e.Error()), "%v", e)
		}
	}
	c.Addr = ""
	sc.Prefill = c.Workload == WorkloadGet || c.Workload == WorkloadMixed || c.Workload == WorkloadLarge
	if d.Prefill != nil {
		sc.Prefill = *d.Prefill
	}
	if s.Prefill != nil {
		sc.Prefill = *s.Prefill
	}
	set(&sc.Timeline, d.Timeline)
	set(&sc.Timeline, s.Timeline)
	if sc.Fault != "" {
		if sc.Fault != FaultKillReplica && sc.Fault != FaultKillPrimary {
			fail("fault", "unknown fault %q (known: %s, %s)", sc.Fault, FaultKillReplica, FaultKillPrimary)
		}
		if sc.Fault == FaultKillPrimary && c.Rate > 0 {
			fail("fault", "kill-primary runs closed loop (no rate), reconnecting as clients do")
		}
		if sc.FaultAt == 0 {
			sc.FaultAt = time.Second
		}
		if sc.FaultDown == 0 {
			sc.FaultDown = time.Second
		}
		if c.Requests > 0 || sc.FaultAt+sc.FaultDown >= c.Duration {
			fail("fault", "a fault needs a duration longer than fault_at + fault_down (%v)", sc.FaultAt+sc.FaultDown)
		}
		sc.Timeline = true
	}
	return sc, ok
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func splitJoined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// keyOfProblem finds the key a Validate message is about, for its line.
func keyOfProblem(msg string) string {
	for _, p := range [][2]string{
		{"connections", "connections"}, {"pipeline", "pipeline"}, {"keyspace", "keyspace"},
		{"distribution", "distribution"}, {"zipf", "zipf"}, {"value size", "value_size"},
		{"read ratio", "read_ratio"}, {"mset keys", "mset_keys"}, {"rate", "rate"},
		{"duration", "duration"},
	} {
		if strings.Contains(msg, p[0]) {
			return p[1]
		}
	}
	return ""
}

var decodeErrRE = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// toScenarioErrors turns tomlfile's errors (syntax, unknown keys) into
// ScenarioErrors.
func toScenarioErrors(name string, err error) error {
	var out []error
	for _, e := range splitJoined(err) {
		var te *tomlfile.Error
		if errors.As(e, &te) {
			se := &ScenarioError{File: te.File, Line: te.Line, Msg: te.Msg}
			// A value of the wrong type comes as `toml: line N (last key
			// "k"): ...` without a position of its own.
			if m := decodeErrRE.FindStringSubmatch(te.Msg); se.Line == 0 && m != nil {
				se.Line, _ = strconv.Atoi(m[1])
				se.Msg = m[2] + ": " + m[3]
			}
			out = append(out, se)
		} else {
			out = append(out, &ScenarioError{File: name, Msg: e.Error()})
		}
	}
	return errors.Join(out...)
}

// lineOf finds the line defining key in the index-th table called table
// ("" for the top level, "defaults", or "scenario" for the index-th
// [[scenario]]); with key "" the line of the table's header. 0 when not
// found. It reads headers and "key =" lines only: it is for messages.
func lineOf(src []byte, table string, index int, key string) int {
	cur, count, header := "", -1, 0
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' {
			continue
		}
		if s[0] == '[' {
			h := s
			if i := strings.IndexByte(h, '#'); i >= 0 {
				h = h[:i]
			}
			cur = strings.Trim(strings.TrimSpace(h), "[] \t\"'")
			if cur == table {
				count++
				if count == index {
					header = line
				}
			}
			continue
		}
		if cur != table || (table != "" && count != index) {
			continue
		}
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			continue
		}
		if k := strings.Trim(strings.TrimSpace(s[:eq]), "\"'"); k == key {
			return line
		}
	}
	if table != "" && key != "" {
		return header
	}
	if key == "" {
		return header
	}
	return 0
}
