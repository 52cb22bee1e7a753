// Package bench is shardis's load generator and side-by-side comparison
// harness: it answers "what does running shardis cost against redis-server,
// a Redis Cluster or twemproxy" with the same workloads in the same run.
//
// # Basics
//
// Run drives one endpoint with one load (Config): a goroutine per
// connection writes raw RESP built in reused buffers and reads replies with
// resp.ReplyReader, so the generator's own cost per operation is a few
// appends and one histogram record, with no allocation. Closed loop sends
// Pipeline operations and waits for their replies, as redis-benchmark does;
// open loop (Rate > 0) sends each operation when it is due and times it
// from that moment, so a stall of the server is charged to every operation
// it delayed (no coordinated omission). Latencies go to HDR histograms.
// With Cluster set, the generator reads CLUSTER SLOTS and sends each key to
// its slot's primary, as cluster clients do.
//
// Harness reads a scenarios file (scenarios.toml is the default set),
// starts each target on free loopback ports, runs every scenario against
// it, stops it, and writes bench.md, bench.json and PNG charts. A scenario
// may inject a fault (fault = "kill-replica" or "kill-primary": SIGKILL a
// node, start it again later) and is then charted over time; the harness
// only kills processes it started, directly or through `shardis up`. With
// Config.Reconnect, set for kill-primary, a lost connection costs the
// operations it held (counted as errors) and is dialled again, and a
// cluster-aware run re-reads the slot map after MOVED or a lost node.
//
// # Caveats
//
// An operation counts once however many requests it needs: a cluster-aware
// MSET of keys in different slots is one single-slot MSET per key, sent in
// the same batch, and completes with the last reply. Error replies are
// counted (Result.Errors) and do not stop a run; a lost connection does.
// The targets run on the same machine as the generator, so absolute figures
// depend on what else runs there: compare ratios measured in one run.
package bench
