package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Harness runs a scenarios file against the targets it names, starting
// and stopping each on free loopback ports, and writes the report.
type Harness struct {
	// ScenariosFile is the scenarios file (TOML).
	ScenariosFile string
	// Targets, when set, replaces the file's list of targets.
	Targets []string
	// OutDir receives bench.md, bench.json and the charts.
	OutDir string
	// ShardisBin is the shardis binary the shardis targets run; when
	// empty, it is built from ./cmd/shardis with the go tool.
	ShardisBin string
	// Progress receives the live progress line; Log the notices (targets
	// started, skipped). Either may be nil.
	Progress io.Writer
	Log      io.Writer
	// Command is how the run was asked for, quoted in the report.
	Command string
}

func (h *Harness) logf(format string, args ...any) {
	if h.Log != nil {
		fmt.Fprintf(h.Log, format+"\n", args...)
	}
}

// Run runs every scenario against every target and writes the report.
// Problems with the scenarios file or the target list are returned before
// anything starts; a target that cannot start is skipped with a notice,
// and a scenario that fails is reported as failed.
func (h *Harness) Run(ctx context.Context) (*Report, error) {
	sc, err := LoadScenarios(h.ScenariosFile)
	if err != nil {
		return nil, err
	}
	targets := sc.Targets
	if h.Targets != nil {
		targets = h.Targets
		for _, t := range targets {
			if !slices.Contains(Targets, t) {
				return nil, &InputError{Err: fmt.Errorf("unknown target %q (known: %s)", t, strings.Join(Targets, ", "))}
			}
		}
	}
	dir, err := os.MkdirTemp("", "shardis-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	e := &env{dir: dir, shardis: h.ShardisBin}
	if e.shardis == "" && (slices.Contains(targets, TargetShardis) || slices.Contains(targets, TargetShardisNode)) {
		e.shardis = h.buildShardis(ctx, dir)
	}

	rep := &Report{
		Started:       time.Now().UTC(),
		Command:       h.Command,
		ScenariosFile: h.ScenariosFile,
		Host:          hostInfo(),
	}
	for _, s := range sc.Scenarios {
		rep.Scenarios = append(rep.Scenarios, ScenarioInfo{Name: s.Name, Workload: s.Config.Workload, Description: s.Describe(), Timeline: s.Timeline})
	}
	for _, name := range targets {
		if ctx.Err() != nil {
			break
		}
		info := TargetInfo{Name: name}
		h.logf("starting %s", name)
		t, err := e.start(ctx, name)
		if err != nil {
			var skip *SkipError
			if errors.As(err, &skip) {
				info.Skipped = skip.Reason
			} else {
				info.Skipped = "did not start: " + firstLine(err.Error())
			}
			h.logf("skipping %s: %s", name, info.Skipped)
			if !errors.As(err, &skip) {
				h.logf("%v", err)
			}
			rep.Targets = append(rep.Targets, info)
			continue
		}
		info.Addr, info.Cluster = t.addr, t.cluster
		rep.Targets = append(rep.Targets, info)
		for _, s := range sc.Scenarios {
			if ctx.Err() != nil {
				break
			}
			rep.Results = append(rep.Results, h.runScenario(ctx, t, s))
		}
		t.stop()
	}
	rep.Finished = time.Now().UTC()
	if err := rep.Write(h.OutDir); err != nil {
		return rep, err
	}
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("interrupted; partial report written: %w", err)
	}
	return rep, nil
}

func (h *Harness) runScenario(ctx context.Context, t *target, s Scenario) Entry {
	ent := Entry{Target: t.name, Scenario: s.Name, Workload: s.Config.Workload}
	cfg := s.Config
	cfg.Addr, cfg.Cluster = t.addr, t.cluster
	cfg.Progress, cfg.Label = h.Progress, t.name+"  "+s.Name
	if err := t.flushAll(ctx); err != nil {
		ent.Error = "flush: " + err.Error()
		h.logf("%s %s: %s", t.name, s.Name, ent.Error)
		return ent
	}
	if s.Prefill {
		if err := Prefill(ctx, cfg); err != nil {
			ent.Error = "prefill: " + err.Error()
			h.logf("%s %s: %s", t.name, s.Name, ent.Error)
			return ent
		}
	}
	var fault *faultRun
	if s.Fault != "" {
		victims, role := t.replicas, "replica"
		if s.Fault == FaultKillPrimary {
			victims, role = t.primaries, "primary"
			cfg.Reconnect = true
		}
		if len(t.replicas) == 0 || len(victims) == 0 {
			ent.Skipped = "no " + role + " to kill"
			return ent
		}
		fault = h.startFault(ctx, victims[0], role, s, time.Now().Add(cfg.Warmup))
	}
	res, err := Run(ctx, cfg)
	if fault != nil {
		ent.Events = fault.finish(ctx)
		if t.settle != nil {
			// The next scenario starts on a whole target.
			if err := t.settle(ctx); err != nil {
				ent.Events = append(ent.Events, Event{Seconds: time.Since(fault.start).Seconds(), What: "target did not recover: " + err.Error()})
			}
		}
	}
	if err != nil {
		ent.Error = err.Error()
		h.logf("%s %s: %s", t.name, s.Name, ent.Error)
		return ent
	}
	ent.Result = res
	h.logf("%-13s %-14s %10.0f ops/s  p50 %.3f ms  p99 %.3f ms  p99.9 %.3f ms%s", t.name, s.Name, res.OpsPerSec,
		res.Latency.P50, res.Latency.P99, res.Latency.P999, errorNote(res))
	return ent
}

func errorNote(r *Result) string {
	if r.Errors == 0 {
		return ""
	}
	return fmt.Sprintf("  %d errors (%s)", r.Errors, r.FirstError)
}

// buildShardis builds ./cmd/shardis into dir; "" (and a notice) when the
// go tool or the source is not there.
func (h *Harness) buildShardis(ctx context.Context, dir string) string {
	out := filepath.Join(dir, "shardis")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "github.com/shardis/shardis/cmd/shardis")
	if b, err := cmd.CombinedOutput(); err != nil {
		h.logf("cannot build ./cmd/shardis (%v): %s", err, strings.TrimSpace(string(b)))
		return ""
	}
	return out
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// hostInfo describes the machine for the report.
func hostInfo() HostInfo {
	hi := HostInfo{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		f := strings.Fields(string(b))
		if len(f) >= 3 {
			hi.LoadAvg = strings.Join(f[:3], " ")
		}
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				hi.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if v, err := exec.Command("redis-server", "--version").Output(); err == nil {
		hi.RedisVersion = strings.TrimSpace(string(v))
	}
	return hi
}

// faultRun is a fault being done to a target while a scenario runs.
type faultRun struct {
	cancel  context.CancelFunc
	done    chan struct{}
	node    *killableNode
	role    string
	start   time.Time
	killed  bool
	started bool
	events  []Event
}

func (f *faultRun) event(format string, args ...any) {
	f.events = append(f.events, Event{Seconds: time.Since(f.start).Seconds(), What: fmt.Sprintf(format, args...)})
}

// startFault kills node (of the given role) FaultAt after start (the end of the warm-up) and
// starts it again FaultDown later.
func (h *Harness) startFault(ctx context.Context, node *killableNode, role string, s Scenario, start time.Time) *faultRun {
	fctx, cancel := context.WithCancel(ctx)
	f := &faultRun{cancel: cancel, done: make(chan struct{}), node: node, role: role, start: start}
	sleep := func(until time.Time) bool {
		t := time.NewTimer(time.Until(until))
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-fctx.Done():
			return false
		}
	}
	go func() {
		defer close(f.done)
		if !sleep(start.Add(s.FaultAt)) {
			return
		}
		if err := node.kill(); err != nil {
			f.event("killing %s %s failed: %v", role, node.addr, err)
			return
		}
		f.killed = true
		f.event("%s %s killed (SIGKILL)", role, node.addr)
		if !sleep(start.Add(s.FaultAt + s.FaultDown)) {
			return
		}
		if err := node.restart(fctx); err != nil {
			f.event("restarting %s %s failed: %v", role, node.addr, err)
			return
		}
		f.started = true
		f.event("%s %s started again and answering", role, node.addr)
	}()
	return f
}

// finish stops the fault and makes sure the replica runs again for the
// scenarios that follow.
func (f *faultRun) finish(ctx context.Context) []Event {
	f.cancel()
	<-f.done
	if f.killed && !f.started {
		if err := f.node.restart(ctx); err != nil {
			f.event("restarting %s %s after the run failed: %v", f.role, f.node.addr, err)
		} else {
			f.event("%s %s started again after the run", f.role, f.node.addr)
		}
	}
	return f.events
}
