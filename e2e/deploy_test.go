package e2e

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"testing"
	"text/template"
	"time"

	"github.com/shardis/shardis/backend"
	"github.com/shardis/shardis/proxy"
	"github.com/shardis/shardis/topology"
)

// threeShards is a deployment of three shardis primaries with Redis
// Cluster's slot ranges for three nodes, behind one proxy.
const threeShards = `
[[proxy]]
listen = ["127.0.0.1:0"]
connect_timeout = "250ms"
read_timeout = "2s"
write_timeout = "2s"

[[shard]]
slots = ["0-5460"]
[shard.primary]
address = "{{node 0}}"

[[shard]]
slots = ["5461-10922"]
[shard.primary]
address = "{{node 1}}"

[[shard]]
slots = ["10923-16383"]
[shard.primary]
address = "{{node 2}}"
`

// deployment is a proxy in front of nodes this test started, from a TOML
// template: {{node N}} stands for the address of shardis backend N and
// {{redis N}} for that of redis-server N ({{securenode N "pw"}}: a
// backend with requirepass pw), each started the first time the
// template names it. The proxy listens where the template says (port 0:
// a free port).
type deployment struct {
	t     *testing.T
	proxy *proxy.Server
	addr  string // the proxy's first address

	mu    sync.Mutex
	nodes map[int]*deployNode
	redis map[int]string
}

// deployNode is one shardis backend of a deployment, which the test can
// stop and start again on the same address.
type deployNode struct {
	addr   string
	dir    string
	pass   string // requirepass
	srv    *backend.Server
	served chan error
}

// startDeployment starts the nodes tomlTemplate names and a proxy for it,
// waits until the proxy answers PING, and stops everything when the test
// ends.
func startDeployment(t *testing.T, tomlTemplate string) *deployment {
	t.Helper()
	d := &deployment{t: t, nodes: map[int]*deployNode{}, redis: map[int]string{}}
	t.Cleanup(d.stopNodes)
	cfg := d.render(tomlTemplate)
	srv, err := proxy.New(proxy.Options{Config: cfg})
	if err != nil {
		t.Fatalf("proxy.New: %v", err)
	}
	ln, err := net.Listen("tcp", cfg.Proxies[0].Listen[0])
	if err != nil {
		srv.Close()
		t.Fatalf("proxy listen: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	d.proxy = srv
	d.addr = ln.Addr().String()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("proxy Shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, proxy.ErrServerClosed) {
			t.Errorf("proxy Serve returned %v, want ErrServerClosed", err)
		}
	})
	if err := waitForPing(d.addr, nil, 15*time.Second); err != nil {
		t.Fatalf("proxy: %v", err)
	}
	return d
}

// render fills in the template, starting the nodes it names, and parses it.
func (d *deployment) render(tmpl string) *topology.Config {
	d.t.Helper()
	tp, err := template.New("deployment").Funcs(template.FuncMap{
		"node":       d.nodeAddr,
		"securenode": d.secureNodeAddr,
		"redis":      d.redisAddr,
	}).Parse(tmpl)
	if err != nil {
		d.t.Fatalf("deployment template: %v", err)
	}
	var b bytes.Buffer
	if err := tp.Execute(&b, nil); err != nil {
		d.t.Fatalf("deployment template: %v", err)
	}
	cfg, err := topology.Parse("deployment.toml", b.Bytes())
	if err != nil {
		d.t.Fatalf("deployment config:\n%s\n%v", b.String(), err)
	}
	return cfg
}

func (d *deployment) nodeAddr(i int) string { return d.secureNodeAddr(i, "") }

// secureNodeAddr is nodeAddr for a node with requirepass pass.
func (d *deployment) secureNodeAddr(i int, pass string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if n := d.nodes[i]; n != nil {
		return n.addr
	}
	n := &deployNode{dir: d.t.TempDir(), pass: pass}
	d.startNode(n, "127.0.0.1:0")
	d.nodes[i] = n
	return n.addr
}

func (d *deployment) redisAddr(i int) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if a, ok := d.redis[i]; ok {
		return a
	}
	a := startRedis(d.t)
	d.redis[i] = a
	return a
}

// startNode runs a backend on addr (its own address once it ran before).
func (d *deployment) startNode(n *deployNode, addr string) {
	d.t.Helper()
	var ln net.Listener
	var err error
	// The port of a node just stopped is normally free at once; give the
	// kernel a bounded while if it is not.
	for deadline := time.Now().Add(10 * time.Second); ; {
		ln, err = net.Listen("tcp", addr)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		d.t.Fatalf("node listen on %s: %v", addr, err)
	}
	o := backend.DefaultOptions()
	o.Dir = n.dir
	tcp := ln.Addr().(*net.TCPAddr)
	o.Bind = []string{tcp.IP.String()}
	o.Port = tcp.Port
	for _, kv := range commonSettings {
		if err := o.Set(kv[0], kv[1]); err != nil {
			ln.Close()
			d.t.Fatalf("backend option %s %q: %v", kv[0], kv[1], err)
		}
	}
	o.RequirePass = n.pass
	s, err := backend.New(o)
	if err != nil {
		ln.Close()
		d.t.Fatalf("backend.New: %v", err)
	}
	n.srv, n.addr, n.served = s, tcp.String(), make(chan error, 1)
	go func() { n.served <- s.Serve(ln) }()
	if n.pass == "" {
		if err := waitForPing(n.addr, nil, 15*time.Second); err != nil {
			d.t.Fatalf("backend: %v", err)
		}
	}
}

// stopNode stops shardis node i (its clients are disconnected; its port
// refuses connections).
func (d *deployment) stopNode(i int) {
	d.t.Helper()
	d.mu.Lock()
	n := d.nodes[i]
	d.mu.Unlock()
	if n == nil || n.srv == nil {
		d.t.Fatalf("stopNode %d: not running", i)
	}
	d.closeNode(n)
}

func (d *deployment) closeNode(n *deployNode) {
	if err := n.srv.Close(); err != nil {
		d.t.Errorf("backend Close: %v", err)
	}
	if err := <-n.served; !errors.Is(err, backend.ErrServerClosed) {
		d.t.Errorf("backend Serve returned %v, want ErrServerClosed", err)
	}
	n.srv = nil
}

// restartNode starts shardis node i again on its address, with an empty
// dataset (the test nodes keep no AOF).
func (d *deployment) restartNode(i int) {
	d.t.Helper()
	d.mu.Lock()
	n := d.nodes[i]
	d.mu.Unlock()
	if n == nil || n.srv != nil {
		d.t.Fatalf("restartNode %d: not stopped", i)
	}
	d.startNode(n, n.addr)
}

// node returns the address of shardis node i.
func (d *deployment) node(i int) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.nodes[i].addr
}

// reload renders tmpl (starting nodes it names for the first time) and
// reloads the proxy with it.
func (d *deployment) reload(tmpl string) error {
	d.t.Helper()
	return d.proxy.Reload(d.render(tmpl))
}

func (d *deployment) stopNodes() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, n := range d.nodes {
		if n.srv != nil {
			d.closeNode(n)
		}
	}
}

// ownerOf returns the shardis node index (in a threeShards deployment)
// that owns key.
func ownerOf(key string) int {
	s := topology.Slot([]byte(key))
	switch {
	case s <= 5460:
		return 0
	case s <= 10922:
		return 1
	}
	return 2
}

// keysOnEveryShard returns n keys with prefix for each of the three
// shards of threeShards, interleaved.
func keysOnEveryShard(prefix string, n int) []string {
	var per [3][]string
	for i := 0; len(per[0]) < n || len(per[1]) < n || len(per[2]) < n; i++ {
		k := prefix + strconv.Itoa(i)
		if o := ownerOf(k); len(per[o]) < n {
			per[o] = append(per[o], k)
		}
	}
	var out []string
	for i := range n {
		out = append(out, per[0][i], per[1][i], per[2][i])
	}
	return out
}
