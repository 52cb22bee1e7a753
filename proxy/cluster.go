package proxy

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/shardis/shardis/internal/command"
	"github.com/shardis/shardis/internal/resp"
	"github.com/shardis/shardis/topology"
)

// Cluster emulation: the proxy answers CLUSTER as a Redis Cluster node
// would, presenting the proxies of the topology file (not the storage
// nodes) as the cluster's masters, so that cluster-aware clients send
// every command through a proxy.
//
// With several proxies the slots 0-16383 are split into contiguous ranges,
// one per proxy, in file order, as redis-cli --cluster create splits them
// among primaries. Each slot then has exactly one master in CLUSTER SLOTS,
// SHARDS and NODES (what cluster clients require: several masters for one
// slot make redis-py and go-redis keep only the last one they read, and
// redis-benchmark --cluster gives up), and clients spread their load over
// the proxies. Every proxy still serves every slot: a client that sends a
// command to the "wrong" proxy gets its answer, never a MOVED. Every proxy
// computes the same view from the same file: node IDs and the split depend
// only on the file.
//
// A lone proxy is presented as two masters at the same address, one with
// slots 0-8191 and one with 8192-16383: redis-benchmark --cluster refuses a
// cluster of one master, and clients that key nodes by address (redis-py,
// go-redis, redis-cli -c) see one node owning every slot.
//
// A proxy of the file whose announce address has port 0 (a listen address
// with port 0, whose port is only known to that process) cannot be reached
// by other proxies' clients: it is left out of the view of every proxy but
// itself, which announces the port it was given.

// clusterNode is one proxy as CLUSTER SLOTS, SHARDS and NODES present it.
type clusterNode struct {
	name  string
	id    string // 40 hex digits
	host  string
	port  int
	slots []topology.SlotRange
	epoch int // config epoch: position in the view, from 1
}

// clusterView is the cluster a proxy presents: the reachable proxies of the
// file, each owning a share of the slots, and which one is this process.
type clusterView struct {
	nodes []clusterNode
	self  int
}

// nodeID is the Redis Cluster node ID of the proxy named name: 40 hex
// digits, the same in every proxy that reads the same file.
func nodeID(name string) string {
	sum := sha1.Sum([]byte("shardis proxy\x00" + name))
	return hex.EncodeToString(sum[:])
}

// newClusterView builds the view of cfg's proxies from the proxy named self
// ("" for the first), which listens on bound (in the order of its Listen
// addresses; nil before it listens).
func newClusterView(cfg *topology.Config, self string, bound []net.Addr) *clusterView {
	v := &clusterView{self: -1}
	for i, p := range cfg.Proxies {
		me := p.Name == self || self == "" && i == 0
		addrs := p.Announce
		if len(addrs) == 0 {
			addrs = p.Listen
		}
		if len(addrs) == 0 {
			continue
		}
		host, ps, err := net.SplitHostPort(addrs[0])
		if err != nil {
			continue
		}
		port, _ := strconv.Atoi(ps)
		if port == 0 {
			if !me {
				continue // its port is known only to that proxy
			}
			port = boundPort(p.Listen, addrs[0], bound)
		}
		if me {
			v.self = len(v.nodes)
		}
		v.nodes = append(v.nodes, clusterNode{name: p.Name, id: nodeID(p.Name), host: host, port: port})
	}
	if v.self < 0 {
		// Not in the file (a Config built in code without proxies): present
		// this process alone.
		name := self
		if name == "" {
			name = "proxy1"
		}
		port := 0
		if len(bound) > 0 {
			port = addrPort(bound[0])
		}
		v.self = len(v.nodes)
		v.nodes = append(v.nodes, clusterNode{name: name, id: nodeID(name), host: "127.0.0.1", port: port})
	}
	if len(v.nodes) == 1 {
		// A cluster of one master is one redis-benchmark --cluster refuses
		// ("Invalid cluster: 1 node(s)"): a lone proxy is presented as two
		// masters at its one address, each with half of the slots.
		twin := v.nodes[0]
		twin.name += "#2"
		twin.id = nodeID(twin.name)
		v.nodes = append(v.nodes, twin)
	}
	for i, r := range splitSlots(len(v.nodes)) {
		v.nodes[i].slots = []topology.SlotRange{r}
		v.nodes[i].epoch = i + 1
	}
	return v
}

// boundPort is the port the listener of announce (a Listen address with
// port 0) was given. bound lists the listeners, not necessarily in Listen
// order (Serve registers each as it starts): the one on announce's host
// is taken, else the one at announce's position in Listen, else the first.
func boundPort(listen []string, announce string, bound []net.Addr) int {
	if host, _, err := net.SplitHostPort(announce); err == nil {
		if ip := net.ParseIP(host); ip != nil {
			for _, b := range bound {
				if t, ok := b.(*net.TCPAddr); ok && t.IP.Equal(ip) {
					return t.Port
				}
			}
		}
	}
	for i, l := range listen {
		if l == announce && i < len(bound) {
			return addrPort(bound[i])
		}
	}
	if len(bound) > 0 {
		return addrPort(bound[0])
	}
	return 0
}

func addrPort(a net.Addr) int {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.Port
	}
	if _, ps, err := net.SplitHostPort(a.String()); err == nil {
		p, _ := strconv.Atoi(ps)
		return p
	}
	return 0
}

// splitSlots splits the slots into n contiguous ranges of near-equal size,
// as redis-cli --cluster create assigns them to n primaries. n is at most
// SlotCount.
func splitSlots(n int) []topology.SlotRange {
	if n <= 0 {
		return nil
	}
	n = min(n, topology.SlotCount)
	out := make([]topology.SlotRange, n)
	per := float64(topology.SlotCount) / float64(n)
	first, cursor := 0, 0.0
	for i := range out {
		last := int(cursor + per - 1 + 0.5)
		if last > topology.SlotCount-1 || i == n-1 {
			last = topology.SlotCount - 1
		}
		if last < first {
			last = first
		}
		out[i] = topology.SlotRange{First: first, Last: last}
		first = last + 1
		cursor += per
	}
	return out
}

// me is this proxy's node.
func (v *clusterView) me() *clusterNode { return &v.nodes[v.self] }

// node returns the node with the given ID, or nil.
func (v *clusterView) node(id []byte) *clusterNode {
	for i := range v.nodes {
		if v.nodes[i].id == string(id) {
			return &v.nodes[i]
		}
	}
	return nil
}

// writeSlots writes CLUSTER SLOTS: one entry per range, its master and no
// replicas; the node's metadata map is empty (no hostname is announced).
func (v *clusterView) writeSlots(w *resp.Writer) {
	n := 0
	for _, nd := range v.nodes {
		n += len(nd.slots)
	}
	w.WriteArrayLen(n)
	for _, nd := range v.nodes {
		for _, r := range nd.slots {
			w.WriteArrayLen(3)
			w.WriteInt(int64(r.First))
			w.WriteInt(int64(r.Last))
			w.WriteArrayLen(4)
			w.WriteBulkString(nd.host)
			w.WriteInt(int64(nd.port))
			w.WriteBulkString(nd.id)
			w.WriteMapLen(0)
		}
	}
}

// writeShards writes CLUSTER SHARDS: every proxy a shard of one master.
func (v *clusterView) writeShards(w *resp.Writer) {
	w.WriteArrayLen(len(v.nodes))
	for _, nd := range v.nodes {
		w.WriteMapLen(2)
		w.WriteBulkString("slots")
		w.WriteArrayLen(2 * len(nd.slots))
		for _, r := range nd.slots {
			w.WriteInt(int64(r.First))
			w.WriteInt(int64(r.Last))
		}
		w.WriteBulkString("nodes")
		w.WriteArrayLen(1)
		w.WriteMapLen(7)
		w.WriteBulkString("id")
		w.WriteBulkString(nd.id)
		w.WriteBulkString("port")
		w.WriteInt(int64(nd.port))
		w.WriteBulkString("ip")
		w.WriteBulkString(nd.host)
		w.WriteBulkString("endpoint")
		w.WriteBulkString(nd.host)
		w.WriteBulkString("role")
		w.WriteBulkString("master")
		w.WriteBulkString("replication-offset")
		w.WriteInt(0)
		w.WriteBulkString("health")
		w.WriteBulkString("online")
	}
}

// nodesText is CLUSTER NODES: one line per proxy, this one flagged myself.
func (v *clusterView) nodesText(now time.Time) string {
	var b strings.Builder
	for i, nd := range v.nodes {
		b.WriteString(nd.id)
		b.WriteByte(' ')
		b.WriteString(net.JoinHostPort(nd.host, strconv.Itoa(nd.port)))
		b.WriteByte('@')
		cport := nd.port + 10000
		if cport > 65535 {
			cport = 0
		}
		b.WriteString(strconv.Itoa(cport))
		pong := strconv.FormatInt(now.UnixMilli(), 10)
		if i == v.self {
			b.WriteString(" myself,master - 0 0 ")
		} else {
			b.WriteString(" master - 0 " + pong + " ")
		}
		b.WriteString(strconv.Itoa(nd.epoch))
		b.WriteString(" connected")
		for _, r := range nd.slots {
			b.WriteByte(' ')
			b.WriteString(r.String())
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// infoText is CLUSTER INFO. The state is always ok: every slot is served
// by every proxy; a shard whose node is down answers errors for its slots
// alone, as a Redis Cluster with cluster-require-full-coverage no does.
func (v *clusterView) infoText() string {
	n := strconv.Itoa(len(v.nodes))
	return "cluster_state:ok\r\n" +
		"cluster_slots_assigned:16384\r\n" +
		"cluster_slots_ok:16384\r\n" +
		"cluster_slots_pfail:0\r\n" +
		"cluster_slots_fail:0\r\n" +
		"cluster_known_nodes:" + n + "\r\n" +
		"cluster_size:" + n + "\r\n" +
		"cluster_current_epoch:" + n + "\r\n" +
		"cluster_my_epoch:" + strconv.Itoa(v.me().epoch) + "\r\n" +
		"cluster_stats_messages_sent:0\r\n" +
		"cluster_stats_messages_received:0\r\n" +
		"total_cluster_links_buffer_limit_exceeded:0\r\n"
}

// clusterHelp is CLUSTER HELP's reply after its header line, Redis 7.0's.
var clusterHelp = []string{
	"ADDSLOTS <slot> [<slot> ...]",
	"    Assign slots to current node.",
	"ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
	"    Assign slots which are between <start-slot> and <end-slot> to current node.",
	"BUMPEPOCH",
	"    Advance the cluster config epoch.",
	"COUNT-FAILURE-REPORTS <node-id>",
	"    Return number of failure reports for <node-id>.",
	"COUNTKEYSINSLOT <slot>",
	"    Return the number of keys in <slot>.",
	"DELSLOTS <slot> [<slot> ...]",
	"    Delete slots information from current node.",
	"DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
	"    Delete slots information which are between <start-slot> and <end-slot> from current node.",
	"FAILOVER [FORCE|TAKEOVER]",
	"    Promote current replica node to being a master.",
	"FORGET <node-id>",
	"    Remove a node from the cluster.",
	"GETKEYSINSLOT <slot> <count>",
	"    Return key names stored by current node in a slot.",
	"FLUSHSLOTS",
	"    Delete current node own slots information.",
	"INFO",
	"    Return information about the cluster.",
	"KEYSLOT <key>",
	"    Return the hash slot for <key>.",
	"MEET <ip> <port> [<bus-port>]",
	"    Connect nodes into a working cluster.",
	"MYID",
	"    Return the node id.",
	"NODES",
	"    Return cluster configuration seen by node. Output format:",
	"    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
	"REPLICATE <node-id>",
	"    Configure current node as replica to <node-id>.",
	"RESET [HARD|SOFT]",
	"    Reset current node (default: soft).",
	"SET-CONFIG-EPOCH <epoch>",
	"    Set config epoch of current node.",
	"SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)",
	"    Set slot state.",
	"REPLICAS <node-id>",
	"    Return <node-id> replicas.",
	"SAVECONFIG",
	"    Force saving cluster configuration on disk.",
	"SLOTS",
	"    Return information about slots range mappings. Each range is made of:",
	"    start, end, master and replicas IP addresses, ports and ids",
	"SHARDS",
	"    Return information about slot range mappings and the nodes associated with them.",
	"LINKS",
	"    Return information about all network links between this node and its peers.",
	"    Output format is an array where each array element is a map containing attributes of a link",
	"HELP",
	"    Prints this help.",
}

// writeHelpLines writes a HELP reply as Redis's addReplyHelp does: a header
// naming the command as the client typed it, upper-cased, then lines.
func writeHelpLines(w *resp.Writer, name []byte, lines []string) {
	w.WriteArrayLen(len(lines) + 1)
	w.WriteSimple(strings.ToUpper(string(name)) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		w.WriteSimple(l)
	}
}

// Errors of CLUSTER, with Redis's texts.
const (
	errClusterNotInt  = "ERR value is not an integer or out of range"
	errInvalidSlot    = "ERR Invalid slot"
	errInvalidSlotNum = "ERR Invalid slot or number of keys"
)

// slotKeys finds the keys of a slot on the node that owns it, for
// COUNTKEYSINSLOT and GETKEYSINSLOT.
type slotKeys interface {
	countKeysInSlot(ctx context.Context, slot int) (int64, error)
	keysInSlot(ctx context.Context, slot, count int) ([][]byte, error)
}

// clusterReply answers a CLUSTER request (args[0] is "CLUSTER" in any case)
// from the view v; keys reaches the nodes for the two subcommands that
// count or list keys.
func clusterReply(ctx context.Context, w *resp.Writer, v *clusterView, keys slotKeys, args [][]byte) {
	cluster := command.Lookup([]byte("cluster"))
	if len(args) < 2 {
		w.WriteError(command.ArityError(cluster))
		return
	}
	sub := cluster.Subcommand(args[1])
	if sub == nil {
		w.WriteError(command.UnknownSubcommandError(string(args[0]), string(args[1])))
		return
	}
	if !sub.ArityOK(len(args)) {
		w.WriteError(command.ArityError(sub))
		return
	}
	switch strings.ToLower(string(args[1])) {
	case "help":
		writeHelpLines(w, args[0], clusterHelp)
	case "slots":
		v.writeSlots(w)
	case "shards":
		v.writeShards(w)
	case "nodes":
		w.WriteVerbatim("txt", v.nodesText(time.Now()))
	case "info":
		w.WriteVerbatim("txt", v.infoText())
	case "myid":
		w.WriteBulkString(v.me().id)
	case "keyslot":
		w.WriteInt(int64(topology.Slot(args[2])))
	case "links":
		w.WriteArrayLen(0)
	case "replicas", "slaves":
		if v.node(args[2]) == nil {
			w.WriteError("ERR Unknown node " + string(args[2]))
			return
		}
		w.WriteArrayLen(0)
	case "count-failure-reports":
		if v.node(args[2]) == nil {
			w.WriteError("ERR Unknown node " + string(args[2]))
			return
		}
		w.WriteInt(0)
	case "countkeysinslot":
		slot, ok := parseRedisInt(args[2])
		if !ok {
			w.WriteError(errClusterNotInt)
			return
		}
		if slot < 0 || slot >= topology.SlotCount {
			w.WriteError(errInvalidSlot)
			return
		}
		n, err := keys.countKeysInSlot(ctx, int(slot))
		if err != nil {
			w.WriteError(nodeErrText(err))
			return
		}
		w.WriteInt(n)
	case "getkeysinslot":
		slot, ok1 := parseRedisInt(args[2])
		if !ok1 {
			w.WriteError(errClusterNotInt)
			return
		}
		count, ok2 := parseRedisInt(args[3])
		if !ok2 {
			w.WriteError(errClusterNotInt)
			return
		}
		if count < 0 || slot < 0 || slot >= topology.SlotCount {
			w.WriteError(errInvalidSlotNum)
			return
		}
		if count == 0 {
			w.WriteArrayLen(0)
			return
		}
		ks, err := keys.keysInSlot(ctx, int(slot), int(min(count, 1<<20)))
		if err != nil {
			w.WriteError(nodeErrText(err))
			return
		}
		w.WriteArrayLen(len(ks))
		for _, k := range ks {
			w.WriteBulk(k)
		}
	default:
		// ADDSLOTS, MEET, SETSLOT, FAILOVER, RESET, ...: the cluster a
		// proxy presents is its topology file, changed by editing the file
		// and reloading (SIGHUP), not by commands.
		w.WriteError("ERR CLUSTER " + strings.ToUpper(string(args[1])) +
			" is not supported by the shardis proxy: its cluster is the topology file (edit it and reload with SIGHUP)")
	}
}

// nodeErrText is the error reply for err: a node's own error reply as it
// is (a *ReplyError), anything else as CLUSTERDOWN, as the session's
// writeErr does.
func nodeErrText(err error) string {
	var re *ReplyError
	if errors.As(err, &re) {
		return re.Msg
	}
	var ne nodeErrorReply
	if errors.As(err, &ne) {
		return string(ne)
	}
	return "CLUSTERDOWN The cluster is down: " + err.Error()
}

// nodeErrorReply is an error reply of a node met while scanning it.
type nodeErrorReply string

func (e nodeErrorReply) Error() string { return string(e) }

// parseRedisInt parses a decimal integer as Redis's string2ll does: an optional
// '-', no leading zeros, no spaces or '+', within int64.
func parseRedisInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	s := string(b)
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || digits[0] < '0' || digits[0] > '9' || len(digits) > 1 && digits[0] == '0' || digits == "0" && s != "0" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// scanSlotKeys implements slotKeys with the owning shard's primary: it asks
// CLUSTER COUNTKEYSINSLOT / GETKEYSINSLOT first (the nodes of a real Redis
// Cluster answer them), and otherwise SCANs the node and keeps the keys of
// the slot. A SCAN is bounded: at most maxScanCalls batches of scanBatch
// keys, and the context's deadline; a count cut short by the bound is a
// lower bound.
type scanSlotKeys struct {
	shardOf func(slot int) int
	call    func(ctx context.Context, shard int, args ...[]byte) (resp.Value, error)
}

const (
	scanBatch    = 1000
	maxScanCalls = 10000
)

func (s scanSlotKeys) countKeysInSlot(ctx context.Context, slot int) (int64, error) {
	shard := s.shardOf(slot)
	if shard < 0 {
		return 0, nil
	}
	v, err := s.call(ctx, shard, []byte("CLUSTER"), []byte("COUNTKEYSINSLOT"), []byte(strconv.Itoa(slot)))
	if err != nil && !isReplyError(err) {
		return 0, err
	}
	if err == nil && v.Type == ':' {
		return v.Int, nil
	}
	var n int64
	err = s.scan(ctx, shard, slot, func([]byte) bool { n++; return true })
	return n, err
}

func (s scanSlotKeys) keysInSlot(ctx context.Context, slot, count int) ([][]byte, error) {
	shard := s.shardOf(slot)
	if shard < 0 {
		return nil, nil
	}
	v, err := s.call(ctx, shard, []byte("CLUSTER"), []byte("GETKEYSINSLOT"), []byte(strconv.Itoa(slot)), []byte(strconv.Itoa(count)))
	if err != nil && !isReplyError(err) {
		return nil, err
	}
	if err == nil && v.Type == '*' && !v.Null {
		out := make([][]byte, 0, len(v.Elems))
		for _, e := range v.Elems {
			out = append(out, e.Str)
		}
		return out, nil
	}
	var out [][]byte
	err = s.scan(ctx, shard, slot, func(k []byte) bool {
		out = append(out, k)
		return len(out) < count
	})
	return out, err
}

// isReplyError reports whether err is a node's error reply: for CLUSTER
// sent to a node, that it is not a Redis Cluster node (or the node is
// down, which the SCAN that follows finds out again).
func isReplyError(err error) bool {
	var re *ReplyError
	return errors.As(err, &re)
}

// scan calls each with the keys of slot on shard's primary until each
// returns false, the node has no more keys, or the bound is reached.
func (s scanSlotKeys) scan(ctx context.Context, shard, slot int, each func([]byte) bool) error {
	cursor := []byte("0")
	for range maxScanCalls {
		if ctx.Err() != nil {
			return nil
		}
		v, err := s.call(ctx, shard, []byte("SCAN"), cursor, []byte("COUNT"), []byte(strconv.Itoa(scanBatch)))
		if err != nil {
			return err
		}
		if len(v.Elems) != 2 {
			return nodeErrorReply("ERR unexpected SCAN reply from the node")
		}
		for _, k := range v.Elems[1].Elems {
			if topology.Slot(k.Str) == slot && !each(k.Str) {
				return nil
			}
		}
		cursor = v.Elems[0].Str
		if string(cursor) == "0" {
			return nil
		}
	}
	return nil
}

func init() {
	registerLocal("cluster", cmdCluster)
	registerLocal("readonly", func(ss *session, _ [][]byte) { ss.w.WriteOK() })
	registerLocal("readwrite", func(ss *session, _ [][]byte) { ss.w.WriteOK() })
}

// clusterView is the cluster this server presents, from the configuration
// in force and the addresses it listens on.
func (s *Server) clusterView() *clusterView {
	return newClusterView(s.config(), s.proxyConfig().Name, s.Addrs())
}

func cmdCluster(ss *session, args [][]byte) {
	s := ss.srv
	keys := scanSlotKeys{
		shardOf: func(slot int) int { return s.routes().m.ShardIndex(slot) },
		call:    s.callShard,
	}
	clusterReply(ss.ctx(), ss.w, s.clusterView(), keys, args)
}
