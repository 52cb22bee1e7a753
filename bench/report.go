package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Report is everything a harness run measured; bench.json is its JSON.
type Report struct {
	Started       time.Time      `json:"started"`
	Finished      time.Time      `json:"finished"`
	Command       string         `json:"command,omitempty"`
	ScenariosFile string         `json:"scenarios_file"`
	Host          HostInfo       `json:"host"`
	Scenarios     []ScenarioInfo `json:"scenarios"`
	Targets       []TargetInfo   `json:"targets"`
	Results       []Entry        `json:"results"`
	// Files are the files Write wrote.
	Files []string `json:"-"`
}

// HostInfo describes the machine a report was measured on.
type HostInfo struct {
	CPUs         int    `json:"cpus"`
	CPUModel     string `json:"cpu_model,omitempty"`
	OS           string `json:"os"`
	GoVersion    string `json:"go_version"`
	LoadAvg      string `json:"load_average_at_start,omitempty"`
	LoadAvgEnd   string `json:"load_average_at_end,omitempty"`
	RedisVersion string `json:"redis_version,omitempty"`
}

// ScenarioInfo names a scenario and sums up its settings.
type ScenarioInfo struct {
	Name        string `json:"name"`
	Workload    string `json:"workload"`
	Description string `json:"description"`
	Timeline    bool   `json:"timeline,omitempty"`
}

// TargetInfo is a target as run (or why it was skipped).
type TargetInfo struct {
	Name    string `json:"name"`
	Addr    string `json:"addr,omitempty"`
	Cluster bool   `json:"cluster,omitempty"`
	Skipped string `json:"skipped,omitempty"`
}

// Entry is one scenario against one target: its result, or why it failed.
type Entry struct {
	Target   string  `json:"target"`
	Scenario string  `json:"scenario"`
	Workload string  `json:"workload"`
	Result   *Result `json:"result,omitempty"`
	Error    string  `json:"error,omitempty"`
	// Skipped says why the scenario does not apply to the target.
	Skipped string `json:"skipped,omitempty"`
	// Events are the faults done during the run, timed from the start of
	// the measured part.
	Events []Event `json:"events,omitempty"`
	// VsRedis and VsTwemproxy are the throughput ratios against
	// redis-server and twemproxy in the same scenario (0: not measured).
	VsRedis     float64 `json:"vs_redis,omitempty"`
	VsTwemproxy float64 `json:"vs_twemproxy,omitempty"`
}

// Event is something the harness did during a run.
type Event struct {
	Seconds float64 `json:"t_s"`
	What    string  `json:"what"`
}

// find returns the entry of target in scenario, or nil.
func (r *Report) find(target, scenario string) *Entry {
	for i := range r.Results {
		e := &r.Results[i]
		if e.Target == target && e.Scenario == scenario {
			return e
		}
	}
	return nil
}

func (r *Report) ratios() {
	for i := range r.Results {
		e := &r.Results[i]
		if e.Result == nil {
			continue
		}
		ratio := func(ref string) float64 {
			o := r.find(ref, e.Scenario)
			if o == nil || o.Result == nil || o.Result.OpsPerSec == 0 {
				return 0
			}
			return e.Result.OpsPerSec / o.Result.OpsPerSec
		}
		e.VsRedis, e.VsTwemproxy = ratio(TargetRedis), ratio(TargetTwemproxy)
	}
}

// ranTargets are the targets that were not skipped, in run order.
func (r *Report) ranTargets() []string {
	var out []string
	for _, t := range r.Targets {
		if t.Skipped == "" {
			out = append(out, t.Name)
		}
	}
	return out
}

// Write writes bench.md, bench.json and the charts into dir.
func (r *Report) Write(dir string) error {
	if r.Host.LoadAvgEnd == "" {
		r.Host.LoadAvgEnd = hostInfo().LoadAvg
	}
	r.ratios()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	r.Files = nil
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := r.writeFile(dir, "bench.json", append(js, '\n')); err != nil {
		return err
	}
	charts, err := r.charts(dir)
	if err != nil {
		return fmt.Errorf("charts: %w", err)
	}
	if err := r.writeFile(dir, "bench.md", []byte(r.Markdown(charts))); err != nil {
		return err
	}
	r.Files = append(r.Files, charts...)
	return nil
}

func (r *Report) writeFile(dir, name string, b []byte) error {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return err
	}
	r.Files = append(r.Files, p)
	return nil
}

func fmtOps(v float64) string { return fmt.Sprintf("%.0f", v) }

func fmtRatio(v float64) string {
	if v == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2fx", v)
}

// Markdown renders the report; charts are the chart files to link.
func (r *Report) Markdown(charts []string) string {
	var b strings.Builder
	b.WriteString("# shardis bench\n\n")
	fmt.Fprintf(&b, "Run %s, %s. ", r.Started.Format("2006-01-02 15:04 MST"), r.Finished.Sub(r.Started).Round(time.Second))
	h := r.Host
	fmt.Fprintf(&b, "%d CPUs (%s), %s, %s", h.CPUs, h.CPUModel, h.OS, h.GoVersion)
	if h.RedisVersion != "" {
		fmt.Fprintf(&b, ", %s", h.RedisVersion)
	}
	fmt.Fprintf(&b, ". Load average %s at the start, %s at the end.\n", h.LoadAvg, h.LoadAvgEnd)
	if r.Command != "" {
		fmt.Fprintf(&b, "\nCommand: `%s` (scenarios: `%s`).\n", r.Command, r.ScenariosFile)
	}
	b.WriteString("\nAll targets ran on this machine with the load generator, without persistence; " +
		"compare ratios rather than absolute figures. Operations/s count every answered operation, " +
		"error replies included (see errors); latencies in milliseconds; " +
		"open-loop latencies count from the time each operation was due.\n")

	b.WriteString("\n## Targets\n\n| target | endpoint | |\n| --- | --- | --- |\n")
	for _, t := range r.Targets {
		note := ""
		switch {
		case t.Skipped != "":
			note = "skipped: " + t.Skipped
		case t.Cluster:
			note = "driven cluster-aware (CLUSTER SLOTS, routing by slot)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", t.Name, orDash(t.Addr), note)
	}

	ran := r.ranTargets()
	b.WriteString("\n## Throughput (operations/s)\n\n| scenario |")
	for _, t := range ran {
		fmt.Fprintf(&b, " %s |", t)
	}
	b.WriteString("\n| --- |")
	for range ran {
		b.WriteString(" ---: |")
	}
	b.WriteString("\n")
	for _, s := range r.Scenarios {
		fmt.Fprintf(&b, "| %s |", s.Name)
		for _, t := range ran {
			e := r.find(t, s.Name)
			switch {
			case e == nil || e.Skipped != "":
				b.WriteString(" – |")
			case e.Result == nil:
				b.WriteString(" failed |")
			default:
				fmt.Fprintf(&b, " %s |", fmtOps(e.Result.OpsPerSec))
			}
		}
		b.WriteString("\n")
	}

	b.WriteString("\n## Per scenario\n")
	for _, s := range r.Scenarios {
		fmt.Fprintf(&b, "\n### %s\n\n%s.\n\n", s.Name, s.Description)
		b.WriteString("| target | ops/s | p50 | p90 | p99 | p99.9 | max | errors | vs redis | vs twemproxy |\n")
		b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
		for _, t := range ran {
			e := r.find(t, s.Name)
			if e == nil || e.Skipped != "" {
				continue
			}
			if e.Result == nil {
				fmt.Fprintf(&b, "| %s | failed: %s | | | | | | | | |\n", t, mdEscape(firstLine(e.Error)))
				continue
			}
			res, l := e.Result, e.Result.Latency
			fmt.Fprintf(&b, "| %s | %s | %.3f | %.3f | %.3f | %.3f | %.3f | %d | %s | %s |\n", t, fmtOps(res.OpsPerSec),
				l.P50, l.P90, l.P99, l.P999, l.Max, res.Errors, fmtRatio(e.VsRedis), fmtRatio(e.VsTwemproxy))
		}
		for _, t := range ran {
			e := r.find(t, s.Name)
			if e == nil {
				continue
			}
			if e.Skipped != "" {
				fmt.Fprintf(&b, "\n%s: skipped, %s.\n", t, e.Skipped)
			}
			for _, ev := range e.Events {
				fmt.Fprintf(&b, "\n%s at %.2f s: %s.\n", t, ev.Seconds, mdEscape(ev.What))
			}
			if e.Result != nil && e.Result.FirstError != "" {
				fmt.Fprintf(&b, "\n%s's first error reply: `%s`\n", t, mdEscape(e.Result.FirstError))
			}
		}
	}
	if len(charts) > 0 {
		b.WriteString("\n## Charts\n\n")
		for _, c := range charts {
			name := filepath.Base(c)
			fmt.Fprintf(&b, "![%s](%s)\n", strings.TrimSuffix(name, ".png"), name)
		}
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func mdEscape(s string) string { return strings.NewReplacer("|", "\\|", "`", "'").Replace(s) }
