package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/shardis/shardis/bench"
)

const benchUsage = `usage: shardis bench [-scenarios FILE] [-out DIR] [-targets LIST] [-shardis BIN]
       shardis bench -target HOST:PORT [-cluster] [load options]
       shardis bench -calibrate ROUNDS

Without -target, runs every scenario of the scenarios file (default
bench/scenarios.toml) against every target it names, each started on free
loopback ports and stopped afterwards: shardis (a whole deployment through
the proxy, with "shardis up"), shardis-node (one storage node),
redis (redis-server), redis-cluster (3 primaries, 3 replicas, driven
cluster-aware) and twemproxy (nutcracker over three redis-servers). A target
whose binary is missing is skipped with a notice. Writes DIR/bench.md,
DIR/bench.json and DIR/*.png (DIR defaults to results).

With -target, drives that endpoint with one load and prints the figures;
-cluster reads its slot map with CLUSTER SLOTS and routes by slot.

With -calibrate, checks the generator against redis-benchmark on one
redis-server (SET and GET, pipelines 1 and 16), alternating the two.

Exit status: 0 done, 1 a run failed, 2 bad input (unknown workload,
malformed scenario file, unreachable target).

Options:
`

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("shardis bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, benchUsage)
		fs.PrintDefaults()
	}
	var cfg bench.Config
	target := fs.String("target", "", "drive this endpoint (host:port) instead of running the scenarios")
	fs.BoolVar(&cfg.Cluster, "cluster", false, "with -target: read CLUSTER SLOTS and route each key to its slot's primary")
	fs.StringVar(&cfg.Workload, "workload", bench.WorkloadSet, "with -target: "+strings.Join(bench.Workloads, ", "))
	fs.IntVar(&cfg.Connections, "c", bench.DefaultConnections, "with -target: connections")
	fs.IntVar(&cfg.Pipeline, "P", bench.DefaultPipeline, "with -target: pipeline depth")
	fs.IntVar(&cfg.Keyspace, "keyspace", bench.DefaultKeyspace, "with -target: distinct keys")
	fs.StringVar(&cfg.Distribution, "dist", bench.DistUniform, "with -target: key distribution: "+strings.Join(bench.Distributions, ", "))
	fs.Float64Var(&cfg.Zipf, "zipf", 0, "with -target: zipf parameter (default 0.99)")
	fs.IntVar(&cfg.ValueSize, "d", 0, "with -target: value size in bytes (default 16; 65536 for large)")
	fs.Float64Var(&cfg.ReadRatio, "read-ratio", 0, "with -target: share of GETs of mixed and large (default 0.9, 0.5)")
	fs.IntVar(&cfg.MSetKeys, "mset-keys", bench.DefaultMSetKeys, "with -target: keys per MSET")
	fs.DurationVar(&cfg.Duration, "duration", 0, "with -target: measured time (default 5s)")
	fs.Int64Var(&cfg.Requests, "n", 0, "with -target: measured operations (instead of -duration)")
	fs.DurationVar(&cfg.Warmup, "warmup", 0, "with -target: unmeasured warm-up before measuring")
	fs.Float64Var(&cfg.Rate, "rate", 0, "with -target: open loop at this many operations/s (0: closed loop)")
	fs.BoolVar(&cfg.Reconnect, "reconnect", false, "with -target: go on through lost connections (counted as errors), re-reading the slot map with -cluster")
	prefill := fs.Bool("prefill", false, "with -target: SET every key of the keyspace first")
	asJSON := fs.Bool("json", false, "with -target: print the result as JSON")
	calibrate := fs.Int("calibrate", 0, "instead: run the generator and redis-benchmark against one redis-server, alternating, this many rounds, and print the medians")
	scenarios := fs.String("scenarios", "bench/scenarios.toml", "scenarios file")
	out := fs.String("out", "results", "directory for bench.md, bench.json and the charts")
	targets := fs.String("targets", "", "comma-separated targets to run (default: the scenarios file's)")
	shardisBin := fs.String("shardis", "", "shardis binary for the shardis targets (default: this one)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "shardis bench: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *calibrate > 0 {
		if _, err := bench.Calibrate(ctx, *calibrate, stdout); err != nil {
			fmt.Fprintf(stderr, "shardis bench: calibrate: %v\n", err)
			return 1
		}
		return 0
	}
	if *target != "" {
		cfg.Addr = *target
		cfg.Progress = stderr
		cfg.Label = *target
		return benchTarget(ctx, cfg, *prefill, *asJSON, stdout, stderr)
	}
	bin := *shardisBin
	if bin == "" {
		// This binary is shardis: the shardis targets run it.
		if exe, err := os.Executable(); err == nil {
			bin = exe
		}
	}
	h := bench.Harness{
		ScenariosFile: *scenarios,
		OutDir:        *out,
		ShardisBin:    bin,
		Progress:      stderr,
		Log:           stderr,
		Command:       strings.Join(append([]string{"shardis bench"}, args...), " "),
	}
	if *targets != "" {
		h.Targets = strings.Split(*targets, ",")
	}
	report, err := h.Run(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "shardis bench: %v\n", err)
		return benchExit(err)
	}
	fmt.Fprintf(stdout, "wrote %s\n", strings.Join(report.Files, ", "))
	return 0
}

func benchTarget(ctx context.Context, cfg bench.Config, prefill, asJSON bool, stdout, stderr io.Writer) int {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "shardis bench: %v\n", err)
		return 2
	}
	if prefill {
		if err := bench.Prefill(ctx, cfg); err != nil {
			fmt.Fprintf(stderr, "shardis bench: prefill: %v\n", err)
			return benchExit(err)
		}
	}
	res, err := bench.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "shardis bench: %v\n", err)
		return benchExit(err)
	}
	if asJSON {
		js, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			fmt.Fprintf(stderr, "shardis bench: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s\n", js)
		return 0
	}
	l := res.Latency
	fmt.Fprintf(stdout, "%s %s: %d ops in %.2fs, %.0f ops/s, %d errors\n", cfg.Addr, cfg.Workload, res.Ops, res.Seconds, res.OpsPerSec, res.Errors)
	fmt.Fprintf(stdout, "latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n", l.P50, l.P90, l.P99, l.P999, l.Max)
	if res.FirstError != "" {
		fmt.Fprintf(stdout, "first error reply: %s\n", res.FirstError)
	}
	return 0
}

// benchExit is 2 for bad input (settings, scenario file, a target that
// does not answer) and 1 for a run that failed.
func benchExit(err error) int {
	if bench.IsBadInput(err) {
		return 2
	}
	return 1
}

func init() {
	register("bench", "measure shardis against redis-server, Redis Cluster and twemproxy (or -target an endpoint)", runBench)
}
