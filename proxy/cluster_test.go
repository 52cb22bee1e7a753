package proxy

import (
	"bytes"
	"context"
	"errors"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/shardis/shardis/internal/resp"
	"github.com/shardis/shardis/topology"
)

// render runs fn on a Writer of protocol proto and returns what it wrote.
func render(proto int, fn func(w *resp.Writer)) string {
	var buf bytes.Buffer
	w := resp.NewWriter(&buf)
	w.SetProto(proto)
	fn(w)
	_ = w.Flush()
	return buf.String()
}

func parseTopology(t *testing.T, src string) *topology.Config {
	t.Helper()
	cfg, err := topology.Parse("test.toml", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return cfg
}

const oneShard = `
[[shard]]
slots = ["0-16383"]
primary = { address = "127.0.0.1:7101" }
`

func TestNodeID(t *testing.T) {
	id := nodeID("proxy1")
	if !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(id) {
		t.Fatalf("nodeID = %q, want 40 hex digits", id)
	}
	if nodeID("proxy1") != id || nodeID("proxy2") == id {
		t.Errorf("nodeID is not a function of the name alone")
	}
}

func TestSplitSlots(t *testing.T) {
	got := splitSlots(3)
	want := []topology.SlotRange{{First: 0, Last: 5460}, {First: 5461, Last: 10922}, {First: 10923, Last: 16383}}
	for i := range want {
		if got[i].First != want[i].First || got[i].Last != want[i].Last {
			t.Errorf("splitSlots(3)[%d] = %v, want %v (redis-cli --cluster create's split)", i, got[i], want[i])
		}
	}
	for n := 1; n <= 50; n++ {
		rs := splitSlots(n)
		next := 0
		for _, r := range rs {
			if r.First != next || r.Last < r.First {
				t.Fatalf("splitSlots(%d): %v does not follow %d", n, r, next-1)
			}
			next = r.Last + 1
		}
		if len(rs) != n || next != topology.SlotCount {
			t.Fatalf("splitSlots(%d) = %v: want %d ranges covering every slot", n, rs, n)
		}
	}
}

func TestClusterViewSeveralProxies(t *testing.T) {
	cfg := parseTopology(t, `
[[proxy]]
listen = "127.0.0.1:7000"
[[proxy]]
name = "b"
listen = ["127.0.0.1:0"]
[[proxy]]
listen = "127.0.0.1:7002"
announce = "10.1.2.3:8002"
`+oneShard)
	bound := []net.Addr{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 45678}}

	// Seen from the first proxy: b's port is unknown to it, so b is left out.
	v := newClusterView(cfg, "", bound)
	if len(v.nodes) != 2 || v.self != 0 {
		t.Fatalf("view from proxy1: %+v", v)
	}
	if n := v.nodes[1]; n.host != "10.1.2.3" || n.port != 8002 || n.name != "proxy3" {
		t.Errorf("proxy3 is announced as %s:%d (%s), want 10.1.2.3:8002", n.host, n.port, n.name)
	}
	// Seen from b: it announces the port it was given.
	v = newClusterView(cfg, "b", bound)
	if len(v.nodes) != 3 || v.self != 1 || v.me().port != 45678 || v.me().host != "127.0.0.1" {
		t.Fatalf("view from b: %+v", v)
	}
	if v.nodes[0].id != nodeID("proxy1") || v.me().id != nodeID("b") {
		t.Errorf("node ids are not derived from the names")
	}
	covered := 0
	for i, n := range v.nodes {
		if len(n.slots) != 1 || n.epoch != i+1 {
			t.Errorf("node %d: slots %v epoch %d", i, n.slots, n.epoch)
		}
		covered += n.slots[0].Len()
	}
	if covered != topology.SlotCount {
		t.Errorf("the proxies own %d slots, want %d", covered, topology.SlotCount)
	}
}

func TestBoundPort(t *testing.T) {
	listen := []string{"127.0.0.2:0", "127.0.0.1:0"}
	// Serve registered the second listener first.
	bound := []net.Addr{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1111}, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2), Port: 2222}}
	if p := boundPort(listen, "127.0.0.2:0", bound); p != 2222 {
		t.Errorf("boundPort(127.0.0.2:0) = %d, want 2222", p)
	}
	if p := boundPort([]string{"localhost:0"}, "localhost:0", bound[:1]); p != 1111 {
		t.Errorf("boundPort(localhost:0) = %d, want 1111", p)
	}
	if p := boundPort(listen, "127.0.0.2:0", nil); p != 0 {
		t.Errorf("boundPort before listening = %d, want 0", p)
	}
}

func oneProxyView(t *testing.T) *clusterView {
	t.Helper()
	cfg := parseTopology(t, "[[proxy]]\nlisten = \"127.0.0.1:7000\"\n"+oneShard)
	return newClusterView(cfg, "proxy1", nil)
}

func TestClusterSlotsShape(t *testing.T) {
	v := oneProxyView(t)
	id, twin := nodeID("proxy1"), nodeID("proxy1#2")
	// A redis-server 7.0.15 cluster node's bytes, for two masters: a lone
	// proxy is presented as two at its one address.
	entry := func(first, last, id, meta string) string {
		return "*3\r\n:" + first + "\r\n:" + last + "\r\n*4\r\n$9\r\n127.0.0.1\r\n:7000\r\n$40\r\n" + id + "\r\n" + meta
	}
	want2 := "*2\r\n" + entry("0", "8191", id, "*0\r\n") + entry("8192", "16383", twin, "*0\r\n")
	if got := render(2, v.writeSlots); got != want2 {
		t.Errorf("CLUSTER SLOTS (RESP2) = %q, want %q", got, want2)
	}
	want3 := "*2\r\n" + entry("0", "8191", id, "%0\r\n") + entry("8192", "16383", twin, "%0\r\n")
	if got := render(3, v.writeSlots); got != want3 {
		t.Errorf("CLUSTER SLOTS (RESP3) = %q, want %q", got, want3)
	}
	shard := func(first, last, id string) string {
		return "%2\r\n$5\r\nslots\r\n*2\r\n:" + first + "\r\n:" + last + "\r\n$5\r\nnodes\r\n*1\r\n%7\r\n" +
			"$2\r\nid\r\n$40\r\n" + id + "\r\n$4\r\nport\r\n:7000\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n" +
			"$8\r\nendpoint\r\n$9\r\n127.0.0.1\r\n$4\r\nrole\r\n$6\r\nmaster\r\n" +
			"$18\r\nreplication-offset\r\n:0\r\n$6\r\nhealth\r\n$6\r\nonline\r\n"
	}
	wantShards := "*2\r\n" + shard("0", "8191", id) + shard("8192", "16383", twin)
	if got := render(3, v.writeShards); got != wantShards {
		t.Errorf("CLUSTER SHARDS (RESP3) = %q, want %q", got, wantShards)
	}
}

func parseReply(t *testing.T, raw string) resp.Value {
	t.Helper()
	v, _, err := resp.ParseReply([]byte(raw))
	if err != nil {
		t.Fatalf("reply %q: %v", raw, err)
	}
	return v
}

// fakeSlotKeys answers from a fixedParam key list.
type fakeSlotKeys struct{ keys []string }

func (f fakeSlotKeys) countKeysInSlot(_ context.Context, slot int) (int64, error) {
	ks, err := f.keysInSlot(context.Background(), slot, 1<<30)
	return int64(len(ks)), err
}

func (f fakeSlotKeys) keysInSlot(_ context.Context, slot, count int) ([][]byte, error) {
	var out [][]byte
	for _, k := range f.keys {
		if topology.Slot([]byte(k)) == slot && len(out) < count {
			out = append(out, []byte(k))
		}
	}
	return out, nil
}

func clusterCmd(v *clusterView, keys slotKeys, proto int, args ...string) string {
	bargs := make([][]byte, len(args))
	for i, a := range args {
		bargs[i] = []byte(a)
	}
	return render(proto, func(w *resp.Writer) { clusterReply(context.Background(), w, v, keys, bargs) })
}

func TestClusterReply(t *testing.T) {
	v := oneProxyView(t)
	keys := fakeSlotKeys{keys: []string{"{a}1", "{a}2", "{a}3", "b"}}
	slotA := strconv.Itoa(topology.Slot([]byte("a")))
	id := nodeID("proxy1")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"CLUSTER", "KEYSLOT", "foo"}, ":12182\r\n"},
		{[]string{"cluster", "myid"}, "$40\r\n" + id + "\r\n"},
		{[]string{"CLUSTER", "COUNTKEYSINSLOT", slotA}, ":3\r\n"},
		{[]string{"CLUSTER", "GETKEYSINSLOT", slotA, "2"}, "*2\r\n$4\r\n{a}1\r\n$4\r\n{a}2\r\n"},
		{[]string{"CLUSTER", "GETKEYSINSLOT", slotA, "0"}, "*0\r\n"},
		{[]string{"CLUSTER", "LINKS"}, "*0\r\n"},
		{[]string{"CLUSTER", "REPLICAS", id}, "*0\r\n"},
		{[]string{"CLUSTER", "COUNT-FAILURE-REPORTS", id}, ":0\r\n"},
		// Redis's errors.
		{[]string{"CLUSTER"}, "-ERR wrong number of arguments for 'cluster' command\r\n"},
		{[]string{"CLUSTER", "KEYSLOT"}, "-ERR wrong number of arguments for 'cluster|keyslot' command\r\n"},
		{[]string{"CLUSTER", "SLOTS", "x"}, "-ERR wrong number of arguments for 'cluster|slots' command\r\n"},
		{[]string{"CLUSTER", "foo"}, "-ERR unknown subcommand 'foo'. Try CLUSTER HELP.\r\n"},
		{[]string{"cluster", "foo"}, "-ERR unknown subcommand 'foo'. Try CLUSTER HELP.\r\n"},
		{[]string{"CLUSTER", "COUNTKEYSINSLOT", "x"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"CLUSTER", "COUNTKEYSINSLOT", "99999999999999999999"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"CLUSTER", "COUNTKEYSINSLOT", "16384"}, "-ERR Invalid slot\r\n"},
		{[]string{"CLUSTER", "COUNTKEYSINSLOT", "-1"}, "-ERR Invalid slot\r\n"},
		{[]string{"CLUSTER", "GETKEYSINSLOT", "0", "-1"}, "-ERR Invalid slot or number of keys\r\n"},
		{[]string{"CLUSTER", "GETKEYSINSLOT", "x", "1"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"CLUSTER", "GETKEYSINSLOT", "16384", "1"}, "-ERR Invalid slot or number of keys\r\n"},
		{[]string{"CLUSTER", "GETKEYSINSLOT", "0", "x"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"CLUSTER", "SLAVES", "x"}, "-ERR Unknown node x\r\n"},
		{[]string{"CLUSTER", "COUNT-FAILURE-REPORTS", "x"}, "-ERR Unknown node x\r\n"},
	} {
		if got := clusterCmd(v, keys, 2, c.args...); got != c.want {
			t.Errorf("%q = %q, want %q", c.args, got, c.want)
		}
	}
	if got := clusterCmd(v, keys, 2, "CLUSTER", "ADDSLOTS", "1"); !strings.HasPrefix(got, "-ERR CLUSTER ADDSLOTS is not supported") {
		t.Errorf("CLUSTER ADDSLOTS = %q", got)
	}
	help := clusterCmd(v, keys, 2, "cluster", "help")
	if !strings.HasPrefix(help, "*56\r\n+CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+ADDSLOTS") {
		t.Errorf("CLUSTER HELP = %.120q", help)
	}
}

func TestClusterInfoAndNodes(t *testing.T) {
	v := oneProxyView(t)
	info := clusterCmd(v, nil, 3, "CLUSTER", "INFO")
	if !strings.HasPrefix(info, "=") || !strings.Contains(info, "txt:cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\n") ||
		!strings.HasSuffix(info, "total_cluster_links_buffer_limit_exceeded:0\r\n\r\n") {
		t.Errorf("CLUSTER INFO (RESP3) = %q", info)
	}
	nodes := string(parseReply(t, clusterCmd(v, nil, 2, "CLUSTER", "NODES")).Str)
	re := regexp.MustCompile("^" + nodeID("proxy1") + " 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-8191\n" +
		nodeID("proxy1#2") + " 127.0.0.1:7000@17000 master - 0 [0-9]+ 2 connected 8192-16383\n$")
	if !re.MatchString(nodes) {
		t.Errorf("CLUSTER NODES = %q, want %s", nodes, re)
	}
}

// scanNode is a node's SCAN over a fixedParam key list, a batch of two keys
// at a time, answering CLUSTER with an error as a standalone node does.
type scanNode struct {
	keys  []string
	calls int
}

func (n *scanNode) call(_ context.Context, shard int, args ...[]byte) (resp.Value, error) {
	n.calls++
	if shard != 0 {
		return resp.Value{}, errors.New("wrong shard")
	}
	if strings.EqualFold(string(args[0]), "cluster") {
		msg := "ERR This instance has cluster support disabled"
		return resp.Value{Type: '-', Str: []byte(msg)}, &ReplyError{Msg: msg}
	}
	cur, _ := strconv.Atoi(string(args[1]))
	end := min(cur+2, len(n.keys))
	next := strconv.Itoa(end)
	if end == len(n.keys) {
		next = "0"
	}
	batch := resp.Value{Type: '*'}
	for _, k := range n.keys[cur:end] {
		batch.Elems = append(batch.Elems, resp.Value{Type: '$', Str: []byte(k)})
	}
	return resp.Value{Type: '*', Elems: []resp.Value{{Type: '$', Str: []byte(next)}, batch}}, nil
}

func TestScanSlotKeys(t *testing.T) {
	node := &scanNode{keys: []string{"x", "{t}1", "y", "{t}2", "z", "{t}3", "w"}}
	s := scanSlotKeys{shardOf: func(int) int { return 0 }, call: node.call}
	slot := topology.Slot([]byte("t"))
	n, err := s.countKeysInSlot(context.Background(), slot)
	if err != nil || n != 3 {
		t.Errorf("countKeysInSlot = %d, %v; want 3", n, err)
	}
	ks, err := s.keysInSlot(context.Background(), slot, 2)
	if err != nil || len(ks) != 2 || string(ks[0]) != "{t}1" || string(ks[1]) != "{t}2" {
		t.Errorf("keysInSlot(2) = %q, %v", ks, err)
	}
	// A Redis Cluster node answers CLUSTER itself: no SCAN.
	clusterNode := func(_ context.Context, _ int, args ...[]byte) (resp.Value, error) {
		if strings.EqualFold(string(args[1]), "countkeysinslot") {
			return resp.Value{Type: ':', Int: 7}, nil
		}
		return resp.Value{Type: '*', Elems: []resp.Value{{Type: '$', Str: []byte("{t}9")}}}, nil
	}
	rc := scanSlotKeys{shardOf: func(int) int { return 0 }, call: clusterNode}
	if n, err := rc.countKeysInSlot(context.Background(), slot); n != 7 || err != nil {
		t.Errorf("countKeysInSlot on a cluster node = %d, %v", n, err)
	}
	if ks, err := rc.keysInSlot(context.Background(), slot, 5); len(ks) != 1 || string(ks[0]) != "{t}9" || err != nil {
		t.Errorf("keysInSlot on a cluster node = %q, %v", ks, err)
	}
	none := scanSlotKeys{shardOf: func(int) int { return -1 }, call: node.call}
	if n, err := none.countKeysInSlot(context.Background(), slot); n != 0 || err != nil {
		t.Errorf("slot without an owner: %d, %v", n, err)
	}
}

func TestParseRedisInt(t *testing.T) {
	for in, want := range map[string]bool{"0": true, "-1": true, "16383": true, "9223372036854775807": true,
		"": false, "-": false, "+1": false, "01": false, "-0": false, " 1": false, "1x": false, "9223372036854775808": false} {
		if _, ok := parseRedisInt([]byte(in)); ok != want {
			t.Errorf("parseRedisInt(%q) ok = %v, want %v", in, ok, want)
		}
	}
}
