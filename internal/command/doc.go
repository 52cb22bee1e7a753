// Package command is the one command table of shardis: every command and
// subcommand of Redis 7.0 with its arity, flags, key positions, key specs,
// ACL categories, tips and documentation, and the COMMAND command built from
// it. The storage node and the proxy both use it: to check arity, to find a
// request's keys (and so its hash slot), and to answer COMMAND the way
// redis-server does.
//
// # Model
//
// The table (table_gen.go) is generated from what a redis-server 7.0 tells
// about itself through COMMAND INFO and COMMAND DOCS, by the program in
// ./gen, and committed: building needs no redis-server, regenerating does
// (go generate ./internal/command). The table is the interface clients rely
// on, so it is facts, not code: change it by regenerating, never by hand.
//
// A command is found with Lookup (top level, any case, no allocation),
// Command.Subcommand, LookupArgs (a request, as Redis's lookupCommand) or
// LookupFullName ("config|get", as COMMAND INFO takes names).
//
// Command.Keys finds the key arguments of a request exactly as COMMAND
// GETKEYS does in Redis 7.0: from the key specs when they are complete and
// their flags fixed, otherwise with the command's own procedure (the
// getkeys_proc Redis has for EVAL, SORT, MIGRATE, XREAD, GEORADIUS, the
// numkeys commands, SET and BITFIELD), which COMMAND INFO does not show and
// keys.go therefore spells out.
//
// # Caveats
//
//   - Redis 7.0 hides some flags from COMMAND INFO (may_replicate, protected,
//     sentinel, only_sentinel). The generator adds MayReplicate and Protected
//     from Redis's command definitions; the sentinel flags are left out, as
//     shardis runs no sentinel.
//   - Where Redis lists commands in hash-table order (COMMAND, COMMAND LIST,
//     COMMAND INFO and DOCS without names), Reply lists them sorted by name;
//     Redis's order is random per process, and clients do not rely on it.
//   - Commands are shared values: never modify what Lookup and All return.
package command

//go:generate go run ./gen -o table_gen.go
