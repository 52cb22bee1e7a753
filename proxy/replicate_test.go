package proxy

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shardis/shardis/internal/command"
	"github.com/shardis/shardis/internal/resp"
	"github.com/shardis/shardis/topology"
)

// testNode is a loopback TCP server that speaks enough RESP to stand in for
// a replica: it records the commands it reads and answers +OK, or, when
// told, stops answering or stops reading.
type testNode struct {
	t  *testing.T
	ln net.Listener

	mu    sync.Mutex
	cmds  []string
	conns []net.Conn
	mute  bool // read, but never reply
	// reply, when set, gives the raw reply to cmd ("SET k v"), given the
	// previous command of the same connection; the default is +OK.
	reply   func(prev, cmd string) string
	stall   chan struct{} // when not nil, wait on it before each read
	closing bool
	wg      sync.WaitGroup
}

func startTestNode(t *testing.T, addr string) *testNode {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	n := &testNode{t: t, ln: ln}
	n.wg.Add(1)
	go n.accept()
	t.Cleanup(n.close)
	return n
}

func (n *testNode) addr() string { return n.ln.Addr().String() }

func (n *testNode) accept() {
	defer n.wg.Done()
	for {
		c, err := n.ln.Accept()
		if err != nil {
			return
		}
		n.mu.Lock()
		if n.closing {
			n.mu.Unlock()
			c.Close()
			return
		}
		n.conns = append(n.conns, c)
		n.wg.Add(1)
		n.mu.Unlock()
		go n.serve(c)
	}
}

func (n *testNode) serve(c net.Conn) {
	defer n.wg.Done()
	defer c.Close()
	rd := resp.NewReader(c)
	prev := ""
	for {
		n.mu.Lock()
		stall := n.stall
		n.mu.Unlock()
		if stall != nil {
			<-stall
		}
		args, err := rd.ReadCommand()
		if err != nil {
			return
		}
		parts := make([]string, len(args))
		for i, a := range args {
			parts[i] = string(a)
		}
		cmd := strings.Join(parts, " ")
		n.mu.Lock()
		n.cmds = append(n.cmds, cmd)
		mute, reply := n.mute, n.reply
		n.mu.Unlock()
		out := "+OK\r\n"
		if reply != nil {
			out = reply(prev, cmd)
		}
		prev = cmd
		if !mute {
			if _, err := c.Write([]byte(out)); err != nil {
				return
			}
		}
	}
}

// close stops listening and ends every connection, as a killed node does.
func (n *testNode) close() {
	n.mu.Lock()
	if n.closing {
		n.mu.Unlock()
		return
	}
	n.closing = true
	if n.stall != nil {
		close(n.stall)
		n.stall = nil
	}
	n.ln.Close()
	for _, c := range n.conns {
		c.Close()
	}
	n.mu.Unlock()
	n.wg.Wait()
}

func (n *testNode) commands() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.cmds...)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, not waiting for readiness
	}
}

func replicaMap(t *testing.T, primary string, replicas ...string) *topology.Map {
	t.Helper()
	sh := topology.Shard{Name: "shard1", Slots: []topology.SlotRange{{First: 0, Last: topology.SlotCount - 1}},
		Primary: topology.Node{Address: primary, Kind: topology.KindShardis}}
	for _, r := range replicas {
		sh.Replicas = append(sh.Replicas, topology.Node{Address: r, Kind: topology.KindShardis})
	}
	m, err := topology.BuildMap([]topology.Shard{sh})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func snapshotOf(f *fanout, addr string) replicaSnapshot {
	f.mu.Lock()
	q := f.byAddr[addr]
	f.mu.Unlock()
	if q == nil {
		return replicaSnapshot{}
	}
	return q.snapshot()
}

func TestFanoutOrder(t *testing.T) {
	a, b := startTestNode(t, "127.0.0.1:0"), startTestNode(t, "127.0.0.1:0")
	f := newFanout(fanoutOptions{})
	defer f.close()
	f.setTopology(replicaMap(t, "127.0.0.1:1", a.addr(), b.addr()))
	const n = 2000
	var want []string
	for i := range n {
		cmd := resp.AppendCommand(nil, "SET", "k", fmt.Sprint(i))
		f.Written(0, cmd, okReply)
		clear(cmd) // the caller's buffer is reused: Written must have copied
		want = append(want, fmt.Sprintf("SET k %d", i))
	}
	f.Written(1, resp.AppendCommand(nil, "SET", "other", "shard"), okReply) // no such shard: ignored
	for _, node := range []*testNode{a, b} {
		waitFor(t, "replica "+node.addr()+" gets every write", 10*time.Second, func() bool { return len(node.commands()) >= n })
		if got := node.commands(); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("replica %s got %d commands, not the %d in order", node.addr(), len(got), n)
		}
		waitFor(t, "acks counted", 10*time.Second, func() bool { return snapshotOf(f, node.addr()).acked == n })
		if st := snapshotOf(f, node.addr()); st.state != replicaOnline || st.sent != n || st.dropped != 0 || st.errors != 0 {
			t.Fatalf("replica %s: %+v", node.addr(), st)
		}
	}
	info := strings.Join(f.info(), "\r\n") + "\r\n"
	for _, s := range []string{"proxy_replicas:2\r\n", "proxy_replicas_lagging:0\r\n", "state=online", "acked=2000"} {
		if !strings.Contains(info, s) {
			t.Errorf("info lacks %q:\n%s", s, info)
		}
	}
	// A reload that drops one replica stops feeding it.
	f.setTopology(replicaMap(t, "127.0.0.1:1", a.addr()))
	f.Written(0, resp.AppendCommand(nil, "DEL", "k"), okReply)
	waitFor(t, "replica a gets the DEL", 10*time.Second, func() bool { return len(a.commands()) == n+1 })
	if got := len(b.commands()); got != n {
		t.Fatalf("replica b, no longer in the topology, got %d commands", got)
	}
}

var okReply = []byte("+OK\r\n")

func TestFanoutSPOP(t *testing.T) {
	node := startTestNode(t, "127.0.0.1:0")
	f := newFanout(fanoutOptions{})
	defer f.close()
	f.setTopology(replicaMap(t, "127.0.0.1:1", node.addr()))
	f.Written(0, resp.AppendCommand(nil, "SPOP", "s"), []byte("$1\r\nb\r\n"))
	f.Written(0, resp.AppendCommand(nil, "spop", "s", "3"), []byte("*2\r\n$1\r\na\r\n$1\r\nc\r\n"))
	f.Written(0, resp.AppendCommand(nil, "SPOP", "s"), []byte("$-1\r\n"))
	f.Written(0, resp.AppendCommand(nil, "SPOP", "s", "2"), []byte("*0\r\n"))
	f.Written(0, resp.AppendCommand(nil, "SPOPX", "s"), okReply)
	f.Written(0, resp.AppendCommand(nil, "SADD", "s", "d"), []byte(":1\r\n"))
	want := []string{"srem s b", "srem s a c", "SPOPX s", "SADD s d"}
	waitFor(t, "replica gets the effects", 10*time.Second, func() bool { return len(node.commands()) >= len(want) })
	if got := node.commands(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("replica got %q, want %q", got, want)
	}
}

func TestFanoutReplicaDownAndBack(t *testing.T) {
	node := startTestNode(t, "127.0.0.1:0")
	addr := node.addr()
	f := newFanout(fanoutOptions{connectTimeout: time.Second})
	defer f.close()
	f.setTopology(replicaMap(t, "127.0.0.1:1", addr))
	f.Written(0, resp.AppendCommand(nil, "SET", "a", "1"), okReply)
	waitFor(t, "first write", 10*time.Second, func() bool { return len(node.commands()) == 1 })

	node.close()
	waitFor(t, "replica marked lagging", 10*time.Second, func() bool { return snapshotOf(f, addr).state == replicaLagging })
	for range 10 {
		f.Written(0, resp.AppendCommand(nil, "SET", "a", "2"), okReply)
	}
	st := snapshotOf(f, addr)
	if st.dropped < 10 || st.queued != 0 || st.lagEvents != 1 {
		t.Fatalf("lagging replica: %+v, want 10 dropped, nothing queued, one lag event", st)
	}
	if info := strings.Join(f.info(), "\r\n") + "\r\n"; !strings.Contains(info, "proxy_replicas_lagging:1\r\n") || !strings.Contains(info, "state=lagging") {
		t.Fatalf("info:\n%s", info)
	}

	// The same port again: it is fed new writes, and reported as needing a resync.
	back := startTestNode(t, addr)
	waitFor(t, "replica back", 10*time.Second, func() bool { return snapshotOf(f, addr).state == replicaResync })
	f.Written(0, resp.AppendCommand(nil, "SET", "a", "3"), okReply)
	waitFor(t, "write after return", 10*time.Second, func() bool { return len(back.commands()) == 1 })
	if got := back.commands()[0]; got != "SET a 3" {
		t.Fatalf("replica got %q after coming back", got)
	}
	if info := strings.Join(f.info(), "\r\n") + "\r\n"; !strings.Contains(info, "proxy_replicas_need_resync:1\r\n") {
		t.Fatalf("info:\n%s", info)
	}
}

func TestFanoutReplicaNeverUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	f := newFanout(fanoutOptions{connectTimeout: 200 * time.Millisecond})
	defer f.close()
	f.setTopology(replicaMap(t, "127.0.0.1:1", addr))
	waitFor(t, "unreachable replica lagging", 10*time.Second, func() bool { return snapshotOf(f, addr).state == replicaLagging })
	// No write was missed: when it comes up it is in step.
	node := startTestNode(t, addr)
	waitFor(t, "replica online", 10*time.Second, func() bool { return snapshotOf(f, addr).state == replicaOnline })
	f.Written(0, resp.AppendCommand(nil, "INCR", "n"), okReply)
	waitFor(t, "write", 10*time.Second, func() bool { return len(node.commands()) == 1 })
}

func TestFanoutSlowReplica(t *testing.T) {
	t.Run("no replies", func(t *testing.T) {
		node := startTestNode(t, "127.0.0.1:0")
		node.mu.Lock()
		node.mute = true
		node.mu.Unlock()
		f := newFanout(fanoutOptions{readTimeout: 300 * time.Millisecond})
		defer f.close()
		f.setTopology(replicaMap(t, "127.0.0.1:1", node.addr()))
		f.Written(0, resp.AppendCommand(nil, "SET", "a", "1"), okReply)
		waitFor(t, "silent replica lagging", 10*time.Second, func() bool { return snapshotOf(f, node.addr()).lagEvents > 0 })
		if st := snapshotOf(f, node.addr()); st.dropped != 1 {
			t.Fatalf("%+v: the unanswered write counts as dropped", st)
		}
	})
	t.Run("not reading", func(t *testing.T) {
		node := startTestNode(t, "127.0.0.1:0")
		f := newFanout(fanoutOptions{queueBytes: 64 << 10, queueCmds: 1000, writeTimeout: 500 * time.Millisecond})
		defer f.close()
		f.setTopology(replicaMap(t, "127.0.0.1:1", node.addr()))
		f.Written(0, resp.AppendCommand(nil, "SET", "a", "1"), okReply)
		waitFor(t, "connected", 10*time.Second, func() bool { return len(node.commands()) == 1 })
		node.mu.Lock()
		node.stall = make(chan struct{})
		node.mu.Unlock()
		val := strings.Repeat("v", 4096)
		cmd := resp.AppendCommand(nil, "SET", "big", val)
		// Bounded: socket buffers take a few MB at most before the
		// queue fills; 100,000 writes are 400 MB.
		lagged := false
		for i := 0; i < 100000 && !lagged; i++ {
			f.Written(0, cmd, okReply)
			st := snapshotOf(f, node.addr())
			if st.queuedBytes > 64<<10 {
				t.Fatalf("queue holds %d bytes, more than its bound", st.queuedBytes)
			}
			lagged = st.lagEvents > 0
		}
		if !lagged {
			t.Fatal("a replica that reads nothing was never marked lagging")
		}
	})
}

func TestFanoutAuth(t *testing.T) {
	node := startTestNode(t, "127.0.0.1:0")
	f := newFanout(fanoutOptions{})
	defer f.close()
	m, err := topology.BuildMap([]topology.Shard{{Name: "s", Slots: []topology.SlotRange{{First: 0, Last: topology.SlotCount - 1}},
		Primary:  topology.Node{Address: "127.0.0.1:1"},
		Replicas: []topology.Node{{Address: node.addr(), RequirePass: "pw"}}}})
	if err != nil {
		t.Fatal(err)
	}
	f.setTopology(m)
	f.Written(0, resp.AppendCommand(nil, "SET", "a", "1"), okReply)
	waitFor(t, "AUTH then the write", 10*time.Second, func() bool { return len(node.commands()) == 2 })
	if got := node.commands(); got[0] != "AUTH pw" || got[1] != "SET a 1" {
		t.Fatalf("replica got %q", got)
	}
}

func TestBlockingEffect(t *testing.T) {
	for _, tc := range []struct {
		args []string
		raw  string
		want string // "" for none
	}{
		{[]string{"BLPOP", "a", "b", "0"}, "*2\r\n$1\r\nb\r\n$1\r\nx\r\n", "lpop b"},
		{[]string{"brpop", "a", "1.5"}, "*2\r\n$1\r\na\r\n$1\r\nx\r\n", "rpop a"},
		{[]string{"BLPOP", "a", "1"}, "*-1\r\n", ""},
		{[]string{"BLPOP", "a", "1"}, "_\r\n", ""},
		{[]string{"BLPOP", "a", "x"}, "-ERR timeout is not a float or out of range\r\n", ""},
		{[]string{"BLMOVE", "s", "d", "LEFT", "RIGHT", "0"}, "$1\r\nx\r\n", "lmove s d LEFT RIGHT"},
		{[]string{"BLMOVE", "s", "d", "LEFT", "RIGHT", "1"}, "$-1\r\n", ""},
		{[]string{"BRPOPLPUSH", "s", "d", "0"}, "$1\r\nx\r\n", "rpoplpush s d"},
		{[]string{"BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "5"}, "*2\r\n$1\r\nb\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n", "rpop b 2"},
		{[]string{"blmpop", "0", "1", "a", "left"}, "*2\r\n$1\r\na\r\n*1\r\n$1\r\nx\r\n", "lpop a 1"},
		{[]string{"BZPOPMIN", "z", "0"}, "*3\r\n$1\r\nz\r\n$1\r\nm\r\n$1\r\n1\r\n", "zrem z m"},
		{[]string{"BZPOPMAX", "z", "0"}, "*3\r\n$1\r\nz\r\n$1\r\nm\r\n,1\r\n", "zrem z m"},
		{[]string{"BZMPOP", "0", "1", "z", "MIN", "COUNT", "2"}, "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n,2\r\n", "zrem z a b"},
		{[]string{"XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"}, "*1\r\n*2\r\n$1\r\ns\r\n*0\r\n", ""},
	} {
		args := make([][]byte, len(tc.args))
		for i, a := range tc.args {
			args[i] = []byte(a)
		}
		cmd := command.LookupArgs(args)
		if cmd == nil {
			t.Fatalf("%v: unknown command", tc.args)
		}
		var got []string
		for _, a := range blockingEffect(cmd, args, []byte(tc.raw)) {
			got = append(got, string(a))
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%v with reply %q: effect %q, want %q", tc.args, tc.raw, got, tc.want)
		}
	}
}
