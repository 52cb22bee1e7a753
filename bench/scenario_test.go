package bench

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseScenarios(t *testing.T) {
	src := `targets = ["redis", "shardis-node"]

[defaults]
connections = 7
duration = "1s"

[[scenario]]
name = "a"
workload = "get"

[[scenario]]
name = "b"
workload = "mixed"
pipeline = 4
distribution = "zipf"
rate = 1000
prefill = false
`
	sc, err := ParseScenarios("s.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Targets) != 2 || sc.Targets[0] != TargetRedis || len(sc.Scenarios) != 2 {
		t.Fatalf("got %+v", sc)
	}
	a, b := sc.Scenarios[0], sc.Scenarios[1]
	if a.Name != "a" || a.Config.Connections != 7 || a.Config.Duration != time.Second || !a.Prefill || a.Config.Keyspace != DefaultKeyspace {
		t.Errorf("a = %+v", a)
	}
	if b.Config.Pipeline != 4 || b.Config.Zipf != DefaultZipf || b.Config.ReadRatio != DefaultReadRatio || b.Config.Rate != 1000 || b.Prefill {
		t.Errorf("b = %+v", b)
	}
}

// TestParseScenariosErrors: each malformed file gives one message naming
// the file and the line of the problem.
func TestParseScenariosErrors(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"syntax", "[defaults]\nconnections = \n", "s.toml:2:"},
		{"unknown key", "[[scenario]]\nname = \"a\"\nworkload = \"set\"\nconections = 3\n", `s.toml:4: unknown key "scenario.conections"`},
		{"unknown workload", "[[scenario]]\nname = \"a\"\nworkload = \"set\"\n\n[[scenario]]\nname = \"b\"\nworkload = \"sett\"\n",
			`s.toml:7: unknown workload "sett" (known: set, get, mixed, incr, lpush, mset, large)`},
		{"bad duration", "[[scenario]]\nname = \"a\"\nworkload = \"set\"\nduration = \"5 seconds\"\n", `s.toml:4: duration "5 seconds" is not a duration`},
		{"bad default", "[defaults]\npipeline = 0\n\n[[scenario]]\nname = \"a\"\nworkload = \"set\"\n", "s.toml:2: pipeline must be at least 1, not 0"},
		{"wrong type", "[[scenario]]\nname = \"a\"\nworkload = \"set\"\nconnections = \"ten\"\n", "s.toml:4:"},
		{"unknown target", "targets = [\"redis\", \"memcached\"]\n[[scenario]]\nname = \"a\"\nworkload = \"set\"\n", `s.toml:1: unknown target "memcached"`},
		{"no scenario", "[defaults]\nconnections = 1\n", "s.toml: no [[scenario]]"},
		{"no name", "[[scenario]]\nworkload = \"set\"\n", "s.toml:1: scenario 1 has no name"},
		{"duplicate", "[[scenario]]\nname = \"a\"\nworkload = \"set\"\n[[scenario]]\nname = \"a\"\nworkload = \"get\"\n", `s.toml:5: scenario name "a" used twice`},
		{"no workload", "[[scenario]]\nname = \"a\"\n", "s.toml:1: no workload"},
		{"unknown fault", "[[scenario]]\nname = \"a\"\nworkload = \"set\"\nfault = \"kill-it\"\n", `s.toml:4: unknown fault "kill-it"`},
		{"fault too late", "[[scenario]]\nname = \"a\"\nworkload = \"set\"\nduration = \"2s\"\nfault = \"kill-replica\"\nfault_at = \"1s\"\nfault_down = \"1s\"\n", `s.toml:5: a fault needs a duration longer than`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseScenarios("s.toml", []byte(c.src))
			if err == nil {
				t.Fatal("no error")
			}
			if !IsBadInput(err) {
				t.Errorf("%v is not bad input", err)
			}
			var se *ScenarioError
			if !errors.As(err, &se) {
				t.Errorf("%T is not a *ScenarioError", err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, c.want) || strings.Count(msg, "\n") != 0 {
				t.Errorf("got %q, want one line starting %q", msg, c.want)
			}
		})
	}
}

// TestDefaultScenarios checks the shipped scenarios file parses and fits
// in the 5-minute budget on every target (start-up allowed 15 s each).
func TestDefaultScenarios(t *testing.T) {
	sc, err := LoadScenarios("scenarios.toml")
	if err != nil {
		t.Fatal(err)
	}
	// Start-up (a Redis Cluster takes longest) and, per scenario, flush and
	// prefill are allowed generously; a fault scenario runs only on the
	// targets with replicas (the deployment and the Redis Cluster).
	total := time.Duration(len(sc.Targets)) * 10 * time.Second
	for _, s := range sc.Scenarios {
		if s.Config.Requests > 0 {
			t.Fatalf("%s is bounded by a count; the budget needs durations", s.Name)
		}
		n := len(sc.Targets)
		if s.Fault != "" {
			n = 2
		}
		total += time.Duration(n) * (s.Config.Duration + s.Config.Warmup + 500*time.Millisecond)
	}
	if total > 4*time.Minute+30*time.Second {
		t.Fatalf("default scenarios take about %v on %d targets; the budget is 5 minutes", total, len(sc.Targets))
	}
	t.Logf("default scenarios: about %v", total)
}
