package main

import (
	"context"
	"fmt"
	"io"

	"github.com/shardis/shardis/topology"
)

const checkConfigUsage = `usage: shardis check-config [-config] FILE...

Reads each topology file, checks it, and exits: 0 when every file is valid
(one "FILE: ok (...)" line each), 2 when any is not, with every problem on a
line of its own ("FILE:LINE: problem") on standard error.
`

// runCheckConfig validates topology files without starting anything, as
// nats-server -t does.
func runCheckConfig(_ context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, checkConfigUsage)
		return 2
	}
	var files []string
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help":
			fmt.Fprint(stdout, checkConfigUsage)
			return 0
		case "-config", "--config":
			// Accepted before a file, as the commands that run a
			// deployment take it.
		default:
			files = append(files, a)
		}
	}
	if len(files) == 0 {
		fmt.Fprint(stderr, checkConfigUsage)
		return 2
	}
	code := 0
	for _, file := range files {
		cfg, err := topology.Load(file)
		if err != nil {
			for _, p := range splitErrors(err) {
				fmt.Fprintln(stderr, p)
			}
			code = 2
			continue
		}
		fmt.Fprintf(stdout, "%s: ok (%s)\n", file, describeConfig(cfg))
	}
	return code
}

// describeConfig sums a valid config up for the "ok" line.
func describeConfig(cfg *topology.Config) string {
	proxies := plural(len(cfg.Proxies), "proxy", "proxies")
	if rc := cfg.RedisCluster; rc != nil {
		return fmt.Sprintf("Redis Cluster from %s, %s", plural(len(rc.Seeds), "seed", "seeds"), proxies)
	}
	nodes := 0
	for _, s := range cfg.Shards {
		nodes += 1 + len(s.Replicas)
	}
	m, err := topology.NewMap(cfg)
	if err != nil { // Load has validated cfg: cannot happen
		return err.Error()
	}
	return fmt.Sprintf("%s, %s, %d slots", plural(len(cfg.Shards), "shard", "shards"), plural(nodes, "node", "nodes"), m.Owned())
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// splitErrors returns the parts of an error made with errors.Join, or err.
func splitErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func init() {
	register("check-config", "validate deployment TOML files (config.toml) and exit", runCheckConfig)
}
