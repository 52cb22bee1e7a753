// Package topology describes a shardis deployment: which proxies there
// are, which shards hold the data, which node of a shard is its primary,
// and which shard owns each of Redis Cluster's 16384 hash slots.
//
// # Basics
//
// A deployment is written in a TOML file (see config.toml at the repository
// root for a commented example) and read with Load or Parse into a Config:
//
//	[[proxy]]
//	listen = ["127.0.0.1:7000"]
//	connect_timeout = "250ms"
//
//	[[shard]]
//	name = "shard1"
//	slots = ["0-5460", "16000"]
//
//	[shard.primary]
//	address = "127.0.0.1:7001"
//	kind = "shardis"
//
//	[[shard.replica]]
//	address = "127.0.0.1:7004"
//
// Slot ranges are strings, "first-last" with both ends included or a single
// slot; durations are strings with a unit. In place of shards, a
// [redis_cluster] section may name the seeds of a real Redis Cluster whose
// slot map the proxy reads from its nodes.
//
// Slot maps a key to its hash slot as Redis Cluster does. A Map is the slot
// map: for each slot, the shard that owns it. NewMap builds one from a
// Config; a Holder publishes the current one to concurrent readers.
//
// # Invariants
//
//   - Validate reports every problem of a Config at once, each with the file
//     and the line where it can be told. A Config it accepts has at least one
//     proxy and either shards that own each slot 0..16383 exactly once, each
//     with a primary, or a Redis Cluster's seeds; no address is used twice,
//     and every node has a known kind.
//   - A Map never changes once built. A change (a reload, a MOVED) builds a
//     new Map and swaps it into the Holder atomically: a reader that loaded a
//     Map sees one consistent map for as long as it keeps it, and a lookup
//     costs one atomic load and one index.
//   - The package does no I/O beyond reading the file it is given.
//
// # Caveats
//
// Lines in messages come from a line scan of the file, not from the TOML
// parser, which does not report them: a problem inside a multi-line inline
// table is reported at the line of its key.
package topology
