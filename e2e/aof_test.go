package e2e

import (
	"fmt"
	"io"
	"io/fs"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shardis/shardis/backend"
	"github.com/shardis/shardis/internal/testproc"
)

// The append-only file of whole nodes: a restart gets the dataset back, a
// killed process loses no acknowledged write, and the files are the ones
// redis-server 7 reads and writes.

// buildShardis builds the shardis binary into a temporary directory.
func buildShardis(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the shardis binary")
	}
	bin := filepath.Join(t.TempDir(), "shardis")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/shardis/shardis/cmd/shardis")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// nodeProc is a `shardis backend` process.
type nodeProc struct {
	cmd    *exec.Cmd
	exited chan struct{}
	out    *lockedBuffer
	addr   string
}

// startNodeProc runs `shardis backend` with its AOF in dir and waits until
// it answers PING (loading included); the process is killed when the test
// ends.
func startNodeProc(t *testing.T, bin, dir string, args ...string) *nodeProc {
	t.Helper()
	port := freePort(t)
	all := append([]string{"backend", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--dir", dir, "--appendonly", "yes", "--enable-debug-command", "local"}, args...)
	n := &nodeProc{cmd: exec.Command(bin, all...), exited: make(chan struct{}), out: &lockedBuffer{},
		addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	n.cmd.Stdout, n.cmd.Stderr = n.out, n.out
	n.cmd.SysProcAttr = testproc.Attr()
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { n.cmd.Wait(); close(n.exited) }()
	t.Cleanup(func() {
		n.cmd.Process.Kill()
		<-n.exited
		if t.Failed() {
			t.Logf("shardis backend %s output:\n%s", n.addr, n.out.String())
		}
	})
	if err := waitForPing(n.addr, n.exited, 60*time.Second); err != nil {
		t.Fatalf("shardis backend: %v\n%s", err, n.out.String())
	}
	return n
}

// kill9 kills the process with SIGKILL and waits until it is gone.
func (n *nodeProc) kill9(t *testing.T) {
	t.Helper()
	if err := n.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-n.exited
}

// must sends one command and fails the test on an error reply.
func must(t *testing.T, s *side, args ...string) reply {
	t.Helper()
	_, r, err := s.roundTrip(args...)
	if err != nil {
		t.Fatal(err)
	}
	if r.isError() {
		t.Fatalf("%s: %q: %s", s.name, args, r.str)
	}
	return r
}

// writerLoad is what one writer had acknowledged when its node died: the
// first nAcked of its operations (op n: n%3 == 0 SET w:<id>:<n>, 1 RPUSH
// l:<id> n, 2 INCR c:<id>).
type writerLoad struct {
	id     int
	nAcked int
}

// runWriters runs 16 writers against addr until kill ends the node; kill is
// called once the writers have been writing for most of a second.
func runWriters(t *testing.T, addr string, kill func()) []writerLoad {
	t.Helper()
	const writers = 16
	loads := make([]writerLoad, writers)
	var wg sync.WaitGroup
	started := make(chan struct{}, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			loads[w].id = w
			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				started <- struct{}{}
				return
			}
			defer c.Close()
			rr := newReplyReader(c)
			deadline := time.Now().Add(20 * time.Second)
			var buf []byte
			for n := 0; n < 200000 && time.Now().Before(deadline); n++ {
				if n == 10 {
					started <- struct{}{}
				}
				switch n % 3 {
				case 0:
					buf = appendCommand(buf[:0], "SET", fmt.Sprintf("w:%d:%d", w, n), strconv.Itoa(n))
				case 1:
					buf = appendCommand(buf[:0], "RPUSH", fmt.Sprintf("l:%d", w), strconv.Itoa(n))
				case 2:
					buf = appendCommand(buf[:0], "INCR", fmt.Sprintf("c:%d", w))
				}
				c.SetDeadline(time.Now().Add(10 * time.Second))
				if _, err := c.Write(buf); err != nil {
					break
				}
				if _, r, err := rr.read(); err != nil || r.isError() {
					break
				}
				loads[w].nAcked = n + 1
			}
			if loads[w].nAcked < 10 {
				started <- struct{}{}
			}
		}()
	}
	for range writers {
		<-started
	}
	time.Sleep(700*time.Millisecond + time.Duration(rand.Intn(300))*time.Millisecond) // load before the kill
	kill()
	wg.Wait()
	return loads
}

// checkAcked fails the test unless every acknowledged write of loads is in
// the node at addr.
func checkAcked(t *testing.T, addr string, loads []writerLoad) {
	t.Helper()
	s := dialSide(t, "backend", addr)
	total := 0
	for _, l := range loads {
		total += l.nAcked
		var pushes []string
		incrs := 0
		for n := 0; n < l.nAcked; n++ {
			switch n % 3 {
			case 0:
				key := fmt.Sprintf("w:%d:%d", l.id, n)
				if r := must(t, s, "GET", key); r.null || r.str != strconv.Itoa(n) {
					t.Fatalf("acknowledged SET %s lost: GET answers %v", key, r)
				}
			case 1:
				pushes = append(pushes, strconv.Itoa(n))
			case 2:
				incrs++
			}
		}
		r := must(t, s, "LRANGE", fmt.Sprintf("l:%d", l.id), "0", "-1")
		if len(r.elems) < len(pushes) || len(r.elems) > len(pushes)+1 {
			t.Fatalf("writer %d: list has %d elements, %d pushes acknowledged", l.id, len(r.elems), len(pushes))
		}
		for i, p := range pushes {
			if r.elems[i].str != p {
				t.Fatalf("writer %d: list element %d is %q, want %q", l.id, i, r.elems[i].str, p)
			}
		}
		cr := must(t, s, "GET", fmt.Sprintf("c:%d", l.id))
		got := 0
		if !cr.null {
			got, _ = strconv.Atoi(cr.str)
		}
		if got < incrs || got > incrs+1 {
			t.Fatalf("writer %d: counter %d, %d INCRs acknowledged", l.id, got, incrs)
		}
	}
	if total < 16*10 {
		t.Fatalf("only %d writes were acknowledged: the load did not run", total)
	}
	t.Logf("%d acknowledged writes all present after restart", total)
}

func TestAOFKill9(t *testing.T) {
	bin := buildShardis(t)
	for _, policy := range []string{"always", "everysec", "no"} {
		t.Run(policy, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			n := startNodeProc(t, bin, dir, "--appendfsync", policy)
			loads := runWriters(t, n.addr, func() { n.kill9(t) })
			n2 := startNodeProc(t, bin, dir, "--appendfsync", policy)
			checkAcked(t, n2.addr, loads)
		})
	}
	t.Run("during-rewrite", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		n := startNodeProc(t, bin, dir, "--appendfsync", "everysec")
		s := dialSide(t, "backend", n.addr)
		const keys = 200000
		must(t, s, "DEBUG", "POPULATE", strconv.Itoa(keys))
		must(t, s, "BGREWRITEAOF")
		waitNoRewrite(t, s)
		loads := runWriters(t, n.addr, func() {
			if r := must(t, s, "BGREWRITEAOF"); r.str != "Background append only file rewriting started" {
				t.Errorf("BGREWRITEAOF: %v", r)
			}
			if v := infoValue(t, s, "persistence", "aof_rewrite_in_progress"); v != "1" {
				t.Logf("the rewrite had finished before the kill (aof_rewrite_in_progress:%s)", v)
			}
			n.kill9(t)
		})
		n2 := startNodeProc(t, bin, dir, "--appendfsync", "everysec")
		checkAcked(t, n2.addr, loads)
		s2 := dialSide(t, "backend", n2.addr)
		if r := must(t, s2, "EXISTS", "key:0", fmt.Sprint("key:", keys-1)); r.str != "2" {
			t.Errorf("the populated keys did not survive: EXISTS answers %v", r)
		}
	})
}

// infoValue returns one field of an INFO section.
func infoValue(t *testing.T, s *side, section, name string) string {
	t.Helper()
	r := must(t, s, "INFO", section)
	for _, line := range strings.Split(r.str, "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	t.Fatalf("INFO %s has no %s", section, name)
	return ""
}

// waitNoRewrite waits (bounded) until no AOF rewrite runs.
func waitNoRewrite(t *testing.T, s *side) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for infoValue(t, s, "persistence", "aof_rewrite_in_progress") != "0" {
		if time.Now().After(deadline) {
			t.Fatal("the AOF rewrite did not finish within 30s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAOFRestartKeepsEveryType(t *testing.T) {
	dir := t.TempDir()
	aofOn := func(o *backend.Options) { o.Dir = dir; o.AppendOnly = true }
	addr, srv := startBackendServer(t, aofOn)
	s := dialSide(t, "backend", addr)
	writeEveryType(t, s)
	want := datasetView(t, s)
	srv.Close()
	addr2 := startBackend(t, aofOn)
	s2 := dialSide(t, "backend", addr2)
	if got := datasetView(t, s2); got != want {
		t.Errorf("after restart:\n%s\nwant:\n%s", got, want)
	}
}

// writeEveryType runs writes of every data type, the ones logged as their
// effects included, in two databases, with expiries.
func writeEveryType(t *testing.T, s *side) {
	t.Helper()
	far := strconv.FormatInt(time.Now().Add(48*time.Hour).UnixMilli(), 10)
	cmds := [][]string{
		{"SET", "str", "hello"}, {"APPEND", "str", " world"}, {"SETRANGE", "str", "0", "J"},
		{"SET", "num", "10"}, {"INCRBY", "num", "5"}, {"DECR", "num"},
		{"SET", "fl", "1.5"}, {"INCRBYFLOAT", "fl", "2.25"},
		{"SET", "ex", "v", "EX", "100000"}, {"SETEX", "ex2", "100000", "v"},
		{"SET", "px", "v"}, {"PEXPIREAT", "px", far}, {"SET", "gone", "v"}, {"DEL", "gone"},
		{"SETBIT", "bits", "77", "1"}, {"MSET", "m1", "a", "m2", "b"},
		{"PFADD", "hll", "a", "b", "c", "d"},
		{"RPUSH", "list", "a", "b", "c", "d", "e"}, {"LPUSH", "list", "z"}, {"LPOP", "list"},
		{"LSET", "list", "0", "A"}, {"LINSERT", "list", "BEFORE", "c", "bb"}, {"LTRIM", "list", "0", "3"},
		{"RPOPLPUSH", "list", "list2"},
		{"SADD", "set", "a", "b", "c", "d", "e"}, {"SREM", "set", "a"}, {"SPOP", "set"},
		{"SADD", "ints", "1", "2", "3", "100"}, {"SMOVE", "ints", "set", "2"},
		{"ZADD", "zs", "1", "a", "2", "b", "3", "c", "inf", "top"}, {"ZINCRBY", "zs", "0.5", "a"},
		{"ZREM", "zs", "b"}, {"ZPOPMIN", "zs"}, {"ZUNIONSTORE", "zu", "1", "zs"},
		{"HSET", "h", "f1", "v1", "f2", "v2", "n", "1"}, {"HINCRBY", "h", "n", "2"},
		{"HINCRBYFLOAT", "h", "fl", "0.5"}, {"HDEL", "h", "f2"}, {"HSETNX", "h", "f3", "v3"},
		{"EXPIRE", "h", "100000"}, {"SET", "p", "v", "EX", "100"}, {"PERSIST", "p"},
		{"RENAME", "m1", "renamed"}, {"COPY", "renamed", "copied"},
		{"MULTI"}, {"INCR", "tx"}, {"RPUSH", "txl", "x"}, {"EXEC"},
		{"SELECT", "2"}, {"SET", "db2", "two"}, {"SADD", "db2set", "x"},
		{"SELECT", "0"}, {"MOVE", "copied", "3"},
	}
	for _, c := range cmds {
		must(t, s, c...)
	}
}

// datasetView renders every key of databases 0-3 with its type, value and
// whether it has an expiry, in order.
func datasetView(t *testing.T, s *side) string {
	t.Helper()
	var b strings.Builder
	for db := 0; db < 4; db++ {
		must(t, s, "SELECT", strconv.Itoa(db))
		keys := must(t, s, "KEYS", "*")
		names := make([]string, 0, len(keys.elems))
		for _, k := range keys.elems {
			names = append(names, k.str)
		}
		slices.Sort(names)
		for _, k := range names {
			typ := must(t, s, "TYPE", k).str
			var v reply
			switch typ {
			case "string":
				v = must(t, s, "GET", k)
			case "list":
				v = must(t, s, "LRANGE", k, "0", "-1")
			case "set":
				v = must(t, s, "SMEMBERS", k)
				sortReplies(v.elems)
			case "zset":
				v = must(t, s, "ZRANGE", k, "0", "-1", "WITHSCORES")
			case "hash":
				v = sortedPairs(must(t, s, "HGETALL", k))
			}
			ttl := must(t, s, "PEXPIRETIME", k).str
			if ttl != "-1" {
				ttl = "set"
			}
			fmt.Fprintf(&b, "db%d %s %s %v ttl=%s\n", db, k, typ, v, ttl)
		}
	}
	must(t, s, "SELECT", "0")
	return b.String()
}

// sortReplies orders replies by their text.
func sortReplies(a []reply) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j].str < a[j-1].str; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// sortedPairs orders an HGETALL reply by field.
func sortedPairs(r reply) reply {
	type pair struct{ f, v reply }
	ps := make([]pair, 0, len(r.elems)/2)
	for i := 0; i+1 < len(r.elems); i += 2 {
		ps = append(ps, pair{r.elems[i], r.elems[i+1]})
	}
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].f.str < ps[j-1].f.str; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
	out := reply{kind: '*'}
	for _, p := range ps {
		out.elems = append(out.elems, p.f, p.v)
	}
	return out
}

// copyDir copies the regular files of src into a new directory dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(filepath.Join(dst, d.Name()))
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestInteropAOFRedisReadsOurs(t *testing.T) {
	checker := requireBinary(t, "redis-check-aof")
	requireBinary(t, "redis-server")
	dir := t.TempDir()
	addr, srv := startBackendServer(t, func(o *backend.Options) { o.Dir = dir; o.AppendOnly = true })
	s := dialSide(t, "backend", addr)
	writeEveryType(t, s)
	must(t, s, "BGREWRITEAOF")
	waitNoRewrite(t, s)
	// After the rewrite, more writes go to the new incr file.
	must(t, s, "RPUSH", "after", "1", "2")
	must(t, s, "HSET", "h", "late", "x")
	want := datasetView(t, s)
	digest := must(t, s, "DEBUG", "DIGEST").str
	srv.Close()

	manifest := filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest")
	run := runTool(t, 30*time.Second, nil, checker, manifest)
	if run.exit != 0 || !strings.Contains(run.stdout, "is valid") {
		t.Fatalf("redis-check-aof %s: exit %d\n%s%s", manifest, run.exit, run.stdout, run.stderr)
	}

	rdir := t.TempDir()
	copyDir(t, filepath.Join(dir, "appendonlydir"), filepath.Join(rdir, "appendonlydir"))
	raddr := startRedis(t, "--dir", rdir, "--appendonly", "yes", "--aof-use-rdb-preamble", "no")
	rs := dialSide(t, "redis-server", raddr)
	if got := datasetView(t, rs); got != want {
		t.Errorf("redis-server loaded from our AOF:\n%s\nwant:\n%s", got, want)
	}
	if got := must(t, rs, "DEBUG", "DIGEST").str; got != digest {
		t.Errorf("DEBUG DIGEST: redis-server %s, backend %s", got, digest)
	}
}

func TestInteropAOFWeReadRedis(t *testing.T) {
	requireBinary(t, "redis-server")
	rdir := t.TempDir()
	// appendfsync always: with everysec, redis-server may postpone a write
	// while an fsync runs and reply before the bytes are in the file.
	raddr := startRedis(t, "--dir", rdir, "--appendonly", "yes", "--aof-use-rdb-preamble", "no",
		"--appendfsync", "always")
	rs := dialSide(t, "redis-server", raddr)
	writeEveryType(t, rs)
	must(t, rs, "BGREWRITEAOF")
	waitNoRewrite(t, rs)
	must(t, rs, "RPUSH", "after", "1", "2")
	must(t, rs, "HSET", "h", "late", "x")
	must(t, rs, "SPOP", "set")
	want := datasetView(t, rs)
	digest := must(t, rs, "DEBUG", "DIGEST").str
	// With appendfsync always, redis-server writes its AOF before it
	// replies: the files are complete now.
	dir := t.TempDir()
	copyDir(t, filepath.Join(rdir, "appendonlydir"), filepath.Join(dir, "appendonlydir"))
	addr := startBackend(t, func(o *backend.Options) { o.Dir = dir; o.AppendOnly = true })
	s := dialSide(t, "backend", addr)
	if got := datasetView(t, s); got != want {
		t.Errorf("backend loaded from redis-server's AOF:\n%s\nwant:\n%s", got, want)
	}
	if got := must(t, s, "DEBUG", "DIGEST").str; got != digest {
		t.Errorf("DEBUG DIGEST: backend %s, redis-server %s", got, digest)
	}
}
