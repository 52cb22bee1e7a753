package bench

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
)

// CalibrationRow compares the generator with redis-benchmark on one test.
type CalibrationRow struct {
	Test           string    `json:"test"` // SET or GET
	Pipeline       int       `json:"pipeline"`
	RedisBenchmark []float64 `json:"redis_benchmark_ops_per_sec"` // every round
	Harness        []float64 `json:"harness_ops_per_sec"`
	// Ratio is the harness's median over redis-benchmark's.
	Ratio float64 `json:"ratio"`
}

// Calibrate checks the generator against redis-benchmark: it starts one
// redis-server and, rounds times, runs redis-benchmark then the generator
// with the same load (SET and GET, 50 connections, 100000 random keys,
// the same number of requests, pipelines 1 and 16), alternating so that
// the machine's noise hits both alike. It writes a Markdown table of the
// medians to w and returns the rows.
func Calibrate(ctx context.Context, rounds int, w io.Writer) ([]CalibrationRow, error) {
	rb, err := exec.LookPath("redis-benchmark")
	if err != nil {
		return nil, &SkipError{Reason: "redis-benchmark is not installed"}
	}
	dir, err := os.MkdirTemp("", "shardis-calibrate-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	e := &env{dir: dir}
	p, addr, err := e.startRedisServer(ctx, "redis", false)
	if err != nil {
		return nil, err
	}
	defer p.stop()
	port := addr[strings.LastIndexByte(addr, ':')+1:]
	loadBefore := hostInfo().LoadAvg

	var rows []CalibrationRow
	for _, pipe := range []int{1, 16} {
		n := 100000
		if pipe > 1 {
			n = 1000000
		}
		for _, test := range []string{"SET", "GET"} {
			row := CalibrationRow{Test: test, Pipeline: pipe}
			for r := range rounds {
				fmt.Fprintf(w, "\r\x1b[Kcalibrating %s -P %d, round %d of %d", test, pipe, r+1, rounds)
				out, err := exec.CommandContext(ctx, rb, "-h", "127.0.0.1", "-p", port, "-t", strings.ToLower(test),
					"-c", "50", "-n", strconv.Itoa(n), "-r", "100000", "-P", strconv.Itoa(pipe), "--csv").Output()
				if err != nil {
					return rows, fmt.Errorf("redis-benchmark: %w", err)
				}
				rps, err := parseBenchmarkCSV(out)
				if err != nil {
					return rows, err
				}
				row.RedisBenchmark = append(row.RedisBenchmark, rps)
				res, err := Run(ctx, Config{Addr: addr, Workload: strings.ToLower(test), Connections: 50,
					Pipeline: pipe, Keyspace: 100000, Requests: int64(n)})
				if err != nil {
					return rows, err
				}
				row.Harness = append(row.Harness, res.OpsPerSec)
			}
			row.Ratio = median(row.Harness) / median(row.RedisBenchmark)
			rows = append(rows, row)
		}
	}
	fmt.Fprint(w, "\r\x1b[K")
	hi := hostInfo()
	fmt.Fprintf(w, "Generator against redis-benchmark, same redis-server (%s), alternating, median of %d rounds; "+
		"50 connections, 100000 random keys, the same number of requests. Load average %s before, %s after.\n\n",
		hi.RedisVersion, rounds, loadBefore, hi.LoadAvg)
	fmt.Fprintln(w, "| test | -P | redis-benchmark (ops/s) | shardis bench (ops/s) | ratio |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: |")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %d | %.0f | %.0f | %.2f |\n", r.Test, r.Pipeline, median(r.RedisBenchmark), median(r.Harness), r.Ratio)
	}
	return rows, nil
}

// parseBenchmarkCSV reads the requests per second from redis-benchmark
// --csv output (a header line, then "test","rps",...).
func parseBenchmarkCSV(out []byte) (float64, error) {
	// Progress lines end with \r; the CSV records are what follows the last.
	if i := bytes.LastIndexByte(out, '\r'); i >= 0 {
		out = out[i+1:]
	}
	recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil || len(recs) < 2 || len(recs[1]) < 2 {
		return 0, fmt.Errorf("redis-benchmark output not understood: %q", out)
	}
	return strconv.ParseFloat(recs[1][1], 64)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
