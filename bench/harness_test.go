package bench

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// requireBinary returns the path of an external tool, or skips the test
// when it is not installed (fails it under SHARDIS_INTEROP=1), as e2e does.
func requireBinary(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("SHARDIS_INTEROP") == "1" {
		t.Fatalf("SHARDIS_INTEROP=1 but %s is not installed: %v", name, err)
	}
	t.Skipf("%s not installed (set SHARDIS_INTEROP=1 to make this a failure)", name)
	return ""
}

// TestInteropHarness runs short scenarios against every target the
// harness starts (the shardis deployment only once `shardis up` exists)
// and checks the report: every target that ran measured every scenario
// without error replies, and the files are written.
func TestInteropHarness(t *testing.T) {
	for _, b := range []string{"redis-server", "redis-cli", "nutcracker"} {
		requireBinary(t, b)
	}
	if testing.Short() {
		t.Skip("-short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "shardis")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/shardis/shardis/cmd/shardis").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	scen := filepath.Join(dir, "s.toml")
	os.WriteFile(scen, []byte(`
[defaults]
connections = 4
duration = "600ms"
warmup = "100ms"
keyspace = 1000

[[scenario]]
name = "set"
workload = "set"

[[scenario]]
name = "get-p8"
workload = "get"
pipeline = 8

[[scenario]]
name = "mset"
workload = "mset"

[[scenario]]
name = "open"
workload = "incr"
rate = 2000
timeline = true

[[scenario]]
name = "kill-replica"
workload = "set"
duration = "1500ms"
fault = "kill-replica"
fault_at = "300ms"
fault_down = "500ms"

[[scenario]]
name = "kill-primary"
workload = "set"
duration = "1500ms"
fault = "kill-primary"
fault_at = "300ms"
fault_down = "500ms"
`), 0o644)
	var log strings.Builder
	h := Harness{ScenariosFile: scen, OutDir: filepath.Join(dir, "out"), ShardisBin: bin, Log: &log}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := h.Run(ctx)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	ran := map[string]bool{}
	for _, tg := range rep.Targets {
		if tg.Skipped != "" {
			if tg.Name != TargetShardis {
				t.Errorf("%s skipped: %s", tg.Name, tg.Skipped)
			}
			continue
		}
		ran[tg.Name] = true
	}
	t.Logf("targets run: %v", ran)
	if len(rep.Results) != 6*len(ran) {
		t.Fatalf("%d results for %d targets\n%s", len(rep.Results), len(ran), log.String())
	}
	for _, e := range rep.Results {
		if strings.HasPrefix(e.Scenario, "kill-") {
			hasReplicas := e.Target == TargetShardis || e.Target == TargetRedisCluster
			if !hasReplicas {
				if e.Skipped == "" {
					t.Errorf("%s has no replica but ran %s", e.Target, e.Scenario)
				}
				continue
			}
			if len(e.Events) != 2 || !strings.Contains(e.Events[0].What, "killed") || !strings.Contains(e.Events[1].What, "started again and answering") {
				t.Errorf("%s %s events: %+v", e.Target, e.Scenario, e.Events)
			}
		}
		if e.Scenario == "kill-primary" {
			// Clients see errors while a primary is down, and the run
			// goes on through it.
			if e.Result == nil || e.Result.Ops == 0 || e.Result.Errors == 0 {
				t.Errorf("%s kill-primary: %+v %+v", e.Target, e.Error, e.Result)
			}
			continue
		}
		if e.Result == nil || e.Result.Ops == 0 || e.Result.Errors != 0 {
			t.Errorf("%s %s: %+v %+v", e.Target, e.Scenario, e.Error, e.Result)
		}
		if e.Result != nil && e.Target != TargetRedis && ran[TargetRedis] && !strings.HasPrefix(e.Scenario, "kill-") && e.VsRedis == 0 {
			t.Errorf("%s %s: no ratio against redis", e.Target, e.Scenario)
		}
	}
	md, err := os.ReadFile(filepath.Join(dir, "out", "bench.md"))
	if err != nil || !strings.Contains(string(md), "| target | ops/s | p50 |") {
		t.Errorf("bench.md: %v\n%s", err, md)
	}
	var back Report
	js, err := os.ReadFile(filepath.Join(dir, "out", "bench.json"))
	if err != nil || json.Unmarshal(js, &back) != nil || len(back.Results) != len(rep.Results) {
		t.Errorf("bench.json: %v", err)
	}
	for _, f := range []string{"throughput.png", "latency-p99.png", "latency-set.png", "timeline-open-ops.png", "timeline-open-max.png"} {
		b, err := os.ReadFile(filepath.Join(dir, "out", f))
		if err != nil || !strings.HasPrefix(string(b), "\x89PNG") {
			t.Errorf("%s: %v", f, err)
		}
	}
}
