package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// startTimeout bounds how long a started target may take to answer.
const startTimeout = 30 * time.Second

// SkipError says a target was not run and why (a binary is missing, a
// feature is not there yet).
type SkipError struct{ Reason string }

func (e *SkipError) Error() string { return e.Reason }

// target is a running endpoint to measure.
type target struct {
	name    string
	addr    string
	cluster bool
	// flush are the nodes to send FLUSHALL to between scenarios (the
	// storage nodes behind a proxy: proxies need not forward FLUSHALL).
	flush []string
	procs []*process
	// replicas and primaries are the nodes a fault scenario may kill and
	// start again; none for targets without replicas.
	replicas, primaries []*killableNode
	// addrs are a cluster's nodes; settle, when set, waits until the
	// target is whole again after a fault.
	addrs  []string
	settle func(ctx context.Context) error
}

// killableNode is a node the harness can kill and start again.
type killableNode struct {
	addr    string
	kill    func() error
	restart func(ctx context.Context) error
}

// stop ends the target's processes, last started first.
func (t *target) stop() {
	for i := len(t.procs) - 1; i >= 0; i-- {
		t.procs[i].stop()
	}
}

// process is a child process the harness started.
type process struct {
	name   string
	dir    string
	bin    string
	args   []string
	cmd    *exec.Cmd
	log    string
	exited chan struct{}
	err    error
}

func startProcess(dir, name string, bin string, args ...string) (*process, error) {
	logPath := filepath.Join(dir, name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = childAttr()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, dir: dir, bin: bin, args: args, cmd: cmd, log: logPath, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logf.Close()
		close(p.exited)
	}()
	return p, nil
}

// stop sends SIGTERM, then SIGKILL if the process has not exited in 10 s.
func (p *process) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// kill ends the process at once (SIGKILL), as a crash would.
func (p *process) kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// tail is the end of the process's log, for messages.
func (p *process) tail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 1500 {
		b = b[len(b)-1500:]
	}
	return strings.TrimSpace(string(b))
}

// waitPing polls addr until it answers PING, the process exits, or
// startTimeout passes.
func (p *process) waitPing(ctx context.Context, addr string) error {
	deadline := time.Now().Add(startTimeout)
	for {
		err := Ping(ctx, addr, time.Second)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer PING within %v: %v\n%s", p.name, startTimeout, err, p.tail())
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited (%v) before answering PING:\n%s", p.name, p.err, p.tail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// ports hands out loopback ports that are free when asked for, never the
// same one twice in a run. With bus set, port+10000 (Redis Cluster's bus
// port) is free too.
type ports struct {
	mu   sync.Mutex
	used map[int]bool
}

func (ps *ports) free(bus bool) (int, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.used == nil {
		ps.used = map[int]bool{}
	}
	for range 200 {
		var p int
		if bus {
			p = 20000 + rand.IntN(20000)
		} else {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return 0, err
			}
			p = ln.Addr().(*net.TCPAddr).Port
			ln.Close()
		}
		if ps.used[p] || (bus && (!bindable(p) || !bindable(p+10000))) {
			continue
		}
		ps.used[p] = true
		if bus {
			ps.used[p+10000] = true
		}
		return p, nil
	}
	return 0, errors.New("no free loopback port found")
}

func bindable(port int) bool {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

func addrOf(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// env is what starting targets needs.
type env struct {
	dir     string // scratch directory, removed at the end
	shardis string // shardis binary, "" when there is none
	ports   ports
}

func lookBinary(name string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", &SkipError{Reason: fmt.Sprintf("%s is not installed", name)}
	}
	return p, nil
}

func (e *env) subdir(name string) (string, error) {
	d := filepath.Join(e.dir, name)
	return d, os.MkdirAll(d, 0o755)
}

// startRedisServer starts one redis-server without persistence.
func (e *env) startRedisServer(ctx context.Context, name string, bus bool, extra ...string) (*process, string, error) {
	bin, err := lookBinary("redis-server")
	if err != nil {
		return nil, "", err
	}
	port, err := e.ports.free(bus)
	if err != nil {
		return nil, "", err
	}
	dir, err := e.subdir(name)
	if err != nil {
		return nil, "", err
	}
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", dir, "--daemonize", "no", "--loglevel", "warning"}, extra...)
	p, err := startProcess(dir, name, bin, args...)
	if err != nil {
		return nil, "", err
	}
	addr := addrOf(port)
	if err := p.waitPing(ctx, addr); err != nil {
		p.stop()
		return nil, "", err
	}
	return p, addr, nil
}

func (e *env) start(ctx context.Context, name string) (*target, error) {
	switch name {
	case TargetRedis:
		p, addr, err := e.startRedisServer(ctx, "redis", false)
		if err != nil {
			return nil, err
		}
		return &target{name: name, addr: addr, flush: []string{addr}, procs: []*process{p}}, nil
	case TargetShardisNode:
		return e.startShardisNode(ctx)
	case TargetShardis:
		return e.startShardisDeployment(ctx)
	case TargetRedisCluster:
		return e.startRedisCluster(ctx)
	case TargetTwemproxy:
		return e.startTwemproxy(ctx)
	}
	return nil, fmt.Errorf("unknown target %q", name)
}

func (e *env) startShardisNode(ctx context.Context) (*target, error) {
	if e.shardis == "" {
		return nil, &SkipError{Reason: "no shardis binary"}
	}
	port, err := e.ports.free(false)
	if err != nil {
		return nil, err
	}
	dir, err := e.subdir("shardis-node")
	if err != nil {
		return nil, err
	}
	p, err := startProcess(dir, "shardis-node", e.shardis, "backend", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--appendonly", "no", "--dir", dir, "--loglevel", "warning")
	if err != nil {
		return nil, err
	}
	addr := addrOf(port)
	if err := p.waitPing(ctx, addr); err != nil {
		p.stop()
		return nil, err
	}
	return &target{name: TargetShardisNode, addr: addr, flush: []string{addr}, procs: []*process{p}}, nil
}

// hasSubcommand reports whether the shardis binary has the subcommand, from
// its usage text.
func (e *env) hasSubcommand(ctx context.Context, name string) bool {
	out, _ := exec.CommandContext(ctx, e.shardis, "help").CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && f[0] == name {
			return true
		}
	}
	return false
}

// deploymentTOML is the default deployment's shape (three shards of a
// primary and a replica, Redis Cluster's slot ranges) on the given ports,
// without AOF so that it compares with redis-server run without
// persistence.
func deploymentTOML(dir string, proxy int, nodes []int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# generated by shardis bench\n[[proxy]]\nlisten = [%q]\n\n", addrOf(proxy))
	ranges := []string{"0-5460", "5461-10922", "10923-16383"}
	for i, r := range ranges {
		fmt.Fprintf(&b, "[[shard]]\nname = \"shard%d\"\nslots = [%q]\n\n", i+1, r)
		for j, role := range []string{"[shard.primary]", "[[shard.replica]]"} {
			port := nodes[i+3*j]
			fmt.Fprintf(&b, "%s\naddress = %q\nkind = \"shardis\"\nstart = true\ndir = %q\nappendonly = false\n\n",
				role, addrOf(port), filepath.Join(dir, "node-"+strconv.Itoa(port)))
		}
	}
	return b.String()
}

func (e *env) startShardisDeployment(ctx context.Context) (*target, error) {
	if e.shardis == "" {
		return nil, &SkipError{Reason: "no shardis binary"}
	}
	if !e.hasSubcommand(ctx, "up") {
		return nil, &SkipError{Reason: "this shardis has no \"up\" command yet"}
	}
	dir, err := e.subdir("shardis")
	if err != nil {
		return nil, err
	}
	proxy, err := e.ports.free(false)
	if err != nil {
		return nil, err
	}
	nodes := make([]int, 6)
	var flush []string
	for i := range nodes {
		if nodes[i], err = e.ports.free(false); err != nil {
			return nil, err
		}
		flush = append(flush, addrOf(nodes[i]))
	}
	file := filepath.Join(dir, "deployment.toml")
	if err := os.WriteFile(file, []byte(deploymentTOML(dir, proxy, nodes)), 0o644); err != nil {
		return nil, err
	}
	p, err := startProcess(dir, "shardis-up", e.shardis, "up", "-config", file, "-loglevel", "warn")
	if err != nil {
		return nil, err
	}
	addr := addrOf(proxy)
	if err := p.waitPing(ctx, addr); err != nil {
		p.stop()
		return nil, err
	}
	for _, n := range flush {
		if err := p.waitPing(ctx, n); err != nil {
			p.stop()
			return nil, err
		}
	}
	t := &target{name: TargetShardis, addr: addr, flush: flush, procs: []*process{p}}
	for i, port := range nodes { // primaries first, as deploymentTOML lays them out
		n := e.upNode(t, p, port, filepath.Join(dir, "node-"+strconv.Itoa(port)))
		if i < 3 {
			t.primaries = append(t.primaries, n)
		} else {
			t.replicas = append(t.replicas, n)
		}
	}
	return t, nil
}

// upNode makes a node that `shardis up` started killable: it is found by
// its listening port among up's children and killed; it is started again
// by the harness with the arguments up gives a node.
func (e *env) upNode(t *target, up *process, port int, dir string) *killableNode {
	addr := addrOf(port)
	return &killableNode{
		addr: addr,
		kill: func() error {
			pid, err := pidListening(port, up.cmd.Process.Pid)
			if err != nil {
				return err
			}
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				return err
			}
			// Wait until the port is free, so the restart can bind it.
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				if bindable(port) {
					return nil
				}
			}
			return fmt.Errorf("node %s still listening after SIGKILL", addr)
		},
		restart: func(ctx context.Context) error {
			p, err := startProcess(dir, "node-"+strconv.Itoa(port), e.shardis, "backend", "--bind", "127.0.0.1",
				"--port", strconv.Itoa(port), "--dir", dir, "--appendonly", "no", "--loglevel", "warning")
			if err != nil {
				return err
			}
			t.procs = append(t.procs, p)
			return p.waitPing(ctx, addr)
		},
	}
}

func (e *env) startRedisCluster(ctx context.Context) (*target, error) {
	cli, err := lookBinary("redis-cli")
	if err != nil {
		return nil, err
	}
	t := &target{name: TargetRedisCluster, cluster: true}
	var addrs []string
	for i := range 6 {
		p, addr, err := e.startRedisServer(ctx, fmt.Sprintf("cluster-%d", i+1), true,
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000")
		if err != nil {
			t.stop()
			return nil, err
		}
		t.procs = append(t.procs, p)
		addrs = append(addrs, addr)
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	cctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if out, err := exec.CommandContext(cctx, cli, args...).CombinedOutput(); err != nil {
		t.stop()
		return nil, fmt.Errorf("redis-cli --cluster create: %v\n%s", err, out)
	}
	t.addrs = addrs
	if err := t.waitClusterOK(ctx); err != nil {
		t.stop()
		return nil, err
	}
	t.addr = addrs[0]
	t.settle = t.waitClusterOK
	if err := t.findClusterReplicas(ctx); err != nil {
		t.stop()
		return nil, err
	}
	return t, nil
}

// waitClusterOK waits until every node of a Redis Cluster reports the
// cluster ok, and the seed knows every slot's owner and all three replicas.
func (t *target) waitClusterOK(ctx context.Context) error {
	addrs := t.addrs
	deadline := time.Now().Add(startTimeout)
	for {
		okAll := true
		for _, a := range addrs {
			v, err := command(ctx, a, time.Second, "CLUSTER", "INFO")
			if err != nil || !bytes.Contains(v.Str, []byte("cluster_state:ok")) {
				okAll = false
				break
			}
		}
		if okAll {
			routes, err := readSlots(ctx, addrs[0], time.Second)
			nodes, err2 := command(ctx, addrs[0], time.Second, "CLUSTER", "NODES")
			// Ready once the seed knows every slot's owner and all three
			// replicas (it learns of them a little after the slots).
			if err == nil && err2 == nil && countReplicas(nodes.Str) >= 3 {
				t.flush = routes.nodes
				break
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis cluster not ok within %v", startTimeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}

// countReplicas counts the replicas in a CLUSTER NODES reply.
func countReplicas(nodes []byte) int {
	n := 0
	for _, line := range strings.Split(string(nodes), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && slices.Contains(strings.Split(f[2], ","), "slave") {
			n++
		}
	}
	return n
}

// findClusterReplicas reads CLUSTER NODES and makes the nodes killable: a
// killed node is started again with the same arguments and directory (its
// nodes.conf), so it rejoins the cluster.
func (t *target) findClusterReplicas(ctx context.Context) error {
	v, err := command(ctx, t.addr, 5*time.Second, "CLUSTER", "NODES")
	if err != nil {
		return err
	}
	for _, line := range strings.Split(string(v.Str), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		flags := strings.Split(f[2], ",")
		replica := slices.Contains(flags, "slave")
		if !replica && !slices.Contains(flags, "master") {
			continue
		}
		addr, _, _ := strings.Cut(f[1], "@")
		for i, p := range t.procs {
			if !slices.Contains(p.args, strings.TrimPrefix(addr, "127.0.0.1:")) {
				continue
			}
			i, addr := i, addr
			n := &killableNode{
				addr: addr,
				kill: func() error { t.procs[i].kill(); return nil },
				restart: func(ctx context.Context) error {
					old := t.procs[i]
					np, err := startProcess(old.dir, old.name, old.bin, old.args...)
					if err != nil {
						return err
					}
					t.procs[i] = np
					return np.waitPing(ctx, addr)
				},
			}
			if replica {
				t.replicas = append(t.replicas, n)
			} else {
				t.primaries = append(t.primaries, n)
			}
			break
		}
	}
	return nil
}

func (e *env) startTwemproxy(ctx context.Context) (*target, error) {
	bin, err := lookBinary("nutcracker")
	if err != nil {
		return nil, err
	}
	t := &target{name: TargetTwemproxy}
	var servers strings.Builder
	for i := range 3 {
		p, addr, err := e.startRedisServer(ctx, fmt.Sprintf("twem-redis-%d", i+1), false)
		if err != nil {
			t.stop()
			return nil, err
		}
		t.procs = append(t.procs, p)
		t.flush = append(t.flush, addr)
		fmt.Fprintf(&servers, "    - %s:1 redis%d\n", addr, i+1)
	}
	dir, err := e.subdir("twemproxy")
	if err != nil {
		t.stop()
		return nil, err
	}
	port, err := e.ports.free(false)
	if err != nil {
		t.stop()
		return nil, err
	}
	stats, err := e.ports.free(false)
	if err != nil {
		t.stop()
		return nil, err
	}
	conf := fmt.Sprintf(`bench:
  listen: %s
  hash: fnv1a_64
  distribution: ketama
  redis: true
  auto_eject_hosts: false
  timeout: 5000
  servers:
%s`, addrOf(port), servers.String())
	file := filepath.Join(dir, "nutcracker.yml")
	if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
		t.stop()
		return nil, err
	}
	p, err := startProcess(dir, "twemproxy", bin, "-c", file, "-s", strconv.Itoa(stats), "-a", "127.0.0.1",
		"-o", filepath.Join(dir, "nutcracker.log"))
	if err != nil {
		t.stop()
		return nil, err
	}
	t.procs = append(t.procs, p)
	t.addr = addrOf(port)
	if err := p.waitPing(ctx, t.addr); err != nil {
		t.stop()
		return nil, err
	}
	return t, nil
}

// flushAll empties the target's nodes between scenarios.
func (t *target) flushAll(ctx context.Context) error {
	for _, a := range t.flush {
		v, err := command(ctx, a, 30*time.Second, "FLUSHALL")
		if err != nil {
			return err
		}
		if v.Type == '-' {
			// A replica of a Redis Cluster refuses writes; its primary's
			// FLUSHALL reaches it.
			if startsWith(v.Str, "READONLY") || startsWith(v.Str, "MOVED") {
				continue
			}
			return fmt.Errorf("FLUSHALL at %s: %s", a, v.Str)
		}
	}
	return nil
}
