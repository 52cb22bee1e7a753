package proxy

import (
	"strings"

	"github.com/shardis/shardis/internal/command"
	"github.com/shardis/shardis/internal/resp"
	"github.com/shardis/shardis/topology"
)

// route turns a request into a node call: the slot of its keys (found with
// the command table's key positions), the shard that owns the slot, the
// link of the session to that shard's primary. Requests whose keys span
// slots are split when the command is one the proxy merges (split.go) and
// refused with CROSSSLOT otherwise: never sent to one node on a guess.
func (ss *session) route(cmd *command.Command, args [][]byte) {
	if changesConnection(cmd, args) {
		// On a link shared with other clients, MULTI would queue their
		// commands, SUBSCRIBE would silence their replies and BLPOP would
		// hold them up: such commands need a connection of their own
		// (session.intercept), and are refused until a handler takes them.
		ss.fail("ERR '" + cmd.Name + "' is not supported by the proxy")
		return
	}
	keys, err := commandKeys(cmd, args, ss.keys[:0])
	ss.keys = keys
	if err != nil || len(keys) == 0 {
		// No keys (TIME, SCRIPT LOAD, ...) or arguments the node will
		// reject with its own error (EVAL with a bad numkeys): see
		// routeKeyless.
		ss.routeKeyless(cmd, args)
		return
	}
	slot := topology.Slot(args[keys[0]])
	cross := false
	for _, k := range keys[1:] {
		if topology.Slot(args[k]) != slot {
			cross = true
			break
		}
	}
	rt := ss.srv.routes()
	if cross {
		if kind := splitKind(cmd); kind != 0 {
			ss.split(rt, kind, cmd, args, keys)
			return
		}
		ss.fail(errCrossSlot)
		return
	}
	shard := rt.m.ShardIndex(slot)
	if shard < 0 {
		ss.fail(errNoOwner)
		return
	}
	ss.addCall(rt, shard, cmd, args)
}

// commandKeys is cmd.Keys, except that when a key spec that does not fit
// the arguments voids them all (Redis's getKeysUsingKeySpecs), it gives the
// command's first key: the command may still run on it (PFMERGE dest
// without sources writes dest), and sent to slot 0's owner it wrote there,
// on the wrong shard.
func commandKeys(cmd *command.Command, args [][]byte, dst []int) ([]int, error) {
	keys, err := cmd.Keys(args, dst)
	if err == command.ErrInvalidArguments && cmd.FirstKey > 0 && cmd.FirstKey < len(args) {
		return append(keys[:0], cmd.FirstKey), nil
	}
	return keys, err
}

// addCall adds a call of args to shard's primary to the batch.
func (ss *session) addCall(rt *routes, shard int, cmd *command.Command, args [][]byte) *call {
	c := ss.newCall()
	c.req = resp.AppendCommandBytes(c.req[:0], args)
	c.shard = shard
	c.write = replicates(cmd)
	c.link = rt.pools[shard].pick(ss.proto, ss.id)
	ss.items = append(ss.items, item{kind: itemCall, first: ss.ncalls - 1, n: 1})
	return c
}

// routeKeyless handles a command without keys that is neither answered by
// the proxy nor fanned out to every shard. As on a Redis Cluster node,
// which runs such a command on itself, it goes to one node: the primary of
// the shard that owns slot 0. Administrative commands (CONFIG SET, DEBUG,
// SHUTDOWN, SAVE, ...) would act on that one node only, which is never
// what a client of the whole deployment means, so they are refused.
func (ss *session) routeKeyless(cmd *command.Command, args [][]byte) {
	if cmd.Has(command.Admin) {
		ss.fail("ERR the proxy does not forward '" + cmd.Name + "': connect to a node to run it")
		return
	}
	rt := ss.srv.routes()
	slot := 0
	if publishes(cmd) {
		slot = topology.Slot(args[1]) // the channel's owner (pubsub.go)
	}
	shard := rt.m.ShardIndex(slot)
	if shard < 0 {
		ss.fail(errNoOwner)
		return
	}
	ss.addCall(rt, shard, cmd, args)
}

// connCommands change the state of the connection they run on, or hold it
// up: never sent on a shared link.
var connCommands = map[string]bool{
	"multi": true, "exec": true, "discard": true, "watch": true, "unwatch": true,
	"subscribe": true, "psubscribe": true, "ssubscribe": true,
	"unsubscribe": true, "punsubscribe": true, "sunsubscribe": true,
	"monitor": true, "asking": true, "readonly": true, "readwrite": true,
	"wait": true, "client": true, "select": true, "swapdb": true,
}

// changesConnection reports whether a request must not run on a link
// shared by several clients: connCommands, and blocking commands (XREAD and
// XREADGROUP only with BLOCK).
func changesConnection(cmd *command.Command, args [][]byte) bool {
	if cmd.Has(command.Blocking) {
		if cmd.Name != "xread" && cmd.Name != "xreadgroup" {
			return true
		}
		for _, a := range args[1:] {
			switch {
			case strings.EqualFold(string(a), "block"):
				return true
			case strings.EqualFold(string(a), "streams"):
				return false
			}
		}
		return false
	}
	name := cmd.Name
	if cmd.Parent != nil {
		name = cmd.Parent.Name
	}
	return len(name) <= 12 && connCommands[name]
}
