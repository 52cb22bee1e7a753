// Package proxy is shardis's stateless sharding proxy: it speaks RESP2 and
// RESP3 to unmodified Redis clients and routes every command to the node
// that owns its hash slot, so that a set of plain Redis-compatible nodes
// (shardis backends or redis-server) looks like one Redis Cluster.
//
// # Basics
//
// A Server is made from a topology.Config (New) and serves clients on the
// Listen addresses of its [[proxy]] (ListenAndServe, Serve). Reload swaps
// in a new topology without dropping clients (links to nodes it retires
// close once batches routed before the swap are done); Shutdown and Close
// stop it.
//
// Each client connection is a session served by one goroutine. It reads
// every request already buffered (a batch), and for each one:
//
//   - checks it as Redis does before running a command (unknown command,
//     arity, NOAUTH);
//   - answers it in the proxy if it is a local command (PING, HELLO, AUTH,
//     CLIENT, ...; the registry of local.go, filled by init functions in
//     each file), or fans it out to every shard (fanout.go: KEYS, DBSIZE,
//     SCAN, FLUSHALL, ...);
//   - otherwise finds its keys from the command table's key positions, the
//     slot of the keys, the shard that owns the slot, and queues a call on
//     the session's link to that shard's primary.
//
// When no complete request is left in the buffer, the session hands its
// calls to their links, waits for all replies, and writes every reply in
// request order with one write.
//
// A link is one long-lived, pipelined connection to a node (linksPerNode
// per node and protocol version; RESP3 sessions use links that sent
// HELLO 3, so that nodes answer them in RESP3). Sessions append requests to
// the link's buffer; the link's writer goroutine sends everything pending
// with one write, so requests of many clients coalesce; its reader matches
// replies to calls first in, first out, and wakes the sessions of one read's
// replies in the order the replies came. A link that breaks fails its
// pending calls and redials, with backoff while the node is down. Sockets
// are read and written with raw system calls (internal/rawio), so that a
// slow return from the kernel does not hand the proxy's one processor to
// another thread.
//
// # Multi-key commands
//
// MGET, MSET, DEL, UNLINK, EXISTS and TOUCH whose keys span slots are split:
// one call per shard with that shard's keys in the client's order, merged
// back (MGET in key order, MSET OK, the others summed). Every other command
// whose keys are not all in one slot gets Redis Cluster's CROSSSLOT error and
// is never sent. A keyless command that is not local goes to the primary of
// the shard owning slot 0, as a Redis Cluster node runs it on itself;
// administrative keyless commands (CONFIG SET, DEBUG, SHUTDOWN, ...) are
// refused.
//
// SCAN walks the shards one after the other. Its cursor is the node's cursor
// shifted left by 10 bits, with the shard index in the low 10 bits: 0 starts
// at shard 0, and a node's 0 moves on to the next shard.
//
// # Invariants
//
//   - Replies reach a client in the order of its requests, whatever node
//     answered them and whether the proxy answered them itself.
//   - A session's calls to one node travel on one link, so a node sees a
//     client's commands in the client's order.
//   - Every call handed to a link completes exactly once: with the node's
//     reply, or with a CLUSTERDOWN error when the node cannot be reached,
//     does not answer within read_timeout, or its link is retired. A node
//     that is down therefore gives errors for its slots within the
//     configured timeouts, while the other shards keep serving; its links
//     redial with backoff and use it again when it returns.
//   - The slot map is an immutable snapshot behind an atomic pointer
//     (topology.Holder); the routing table of node pools is rebuilt when it
//     changes. The proxy holds nothing that cannot be rebuilt from the
//     topology and the nodes.
//   - Routing a request allocates nothing in the steady state: arguments
//     alias the session's read buffer, calls and their buffers are reused.
//
// # Extension points
//
// Other files plug into the core without changing it: registerLocal adds a
// command the proxy answers; session.intercept lets a mode (MULTI, blocking
// commands, pub/sub) take a session's requests, with Server.dial for a
// dedicated node connection; callShard, callAll and callAddr send a command
// to nodes from a handler; redirectHook follows -MOVED and -ASK replies;
// newReplicator supplies the replicator that receives every write a primary
// accepted, in its reply order; loadClusterMap reads the slot map of a
// [redis_cluster].
//
// # Lock order
//
// Server.mu before link.mu; session.wmu before anything a handler takes.
package proxy
