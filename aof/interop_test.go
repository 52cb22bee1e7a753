package aof

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shardis/shardis/internal/resp"
	"github.com/shardis/shardis/internal/testproc"
)

// requireTool returns the path of a tool, skipping the test without it
// unless SHARDIS_INTEROP=1 (then the test fails).
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("SHARDIS_INTEROP") == "1" {
			t.Fatalf("SHARDIS_INTEROP=1 but %s is not on PATH: %v", name, err)
		}
		t.Skipf("%s not on PATH (set SHARDIS_INTEROP=1 to require it)", name)
	}
	if testing.Short() {
		t.Skipf("runs %s; skipped with -short", name)
	}
	return p
}

// redisConn is a minimal client for the interop tests.
type redisConn struct {
	c  net.Conn
	rr *resp.ReplyReader
}

func (r *redisConn) do(t *testing.T, args ...string) string {
	t.Helper()
	r.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := r.c.Write(resp.AppendCommand(nil, args...)); err != nil {
		t.Fatal(err)
	}
	v, err := r.rr.ReadReply()
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return v.String()
}

// startRedisAOF starts redis-server with an AOF in dir and returns a
// connection to it. The server is killed at cleanup.
func startRedisAOF(t *testing.T, dir string, extra ...string) *redisConn {
	t.Helper()
	bin := requireTool(t, "redis-server")
	var lastErr error
	for range 3 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
			"--daemonize", "no", "--dir", dir, "--appendonly", "yes", "--aof-use-rdb-preamble", "no",
			"--appendfsync", "always")
		cmd.Args = append(cmd.Args, extra...)
		cmd.SysProcAttr = testproc.Attr()
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ready := make(chan error, 1)
		go func() {
			sc := bufio.NewScanner(out)
			var log []string
			for sc.Scan() {
				log = append(log, sc.Text())
				if strings.Contains(sc.Text(), "Ready to accept connections") {
					ready <- nil
					io.Copy(io.Discard, out)
					return
				}
			}
			ready <- fmt.Errorf("redis-server exited before it was ready:\n%s", strings.Join(log, "\n"))
		}()
		select {
		case err = <-ready:
		case <-time.After(15 * time.Second):
			err = errors.New("redis-server not ready after 15s")
		}
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			lastErr = err
			continue
		}
		t.Cleanup(func() {
			cmd.Process.Kill()
			cmd.Wait()
		})
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return &redisConn{c: c, rr: resp.NewReplyReader(c)}
	}
	t.Fatalf("starting redis-server: %v", lastErr)
	return nil
}

// TestInteropRedisManifest reads the manifest a real redis-server writes.
func TestInteropRedisManifest(t *testing.T) {
	dir := t.TempDir()
	r := startRedisAOF(t, dir)
	if got := r.do(t, "SET", "k", "v"); got != "OK" {
		t.Fatalf("SET: %s", got)
	}
	adir := filepath.Join(dir, "appendonlydir")
	m, err := readManifest(OSFS{}, adir, "appendonly.aof.manifest")
	if err != nil {
		t.Fatal(err)
	}
	if m.base == nil || len(m.incr) != 1 || m.base.name != "appendonly.aof.1.base.aof" || m.incr[0].name != "appendonly.aof.1.incr.aof" {
		t.Fatalf("manifest %+v %+v", m.base, m.incr)
	}
	raw, _ := os.ReadFile(filepath.Join(adir, "appendonly.aof.manifest"))
	if string(m.encode()) != string(raw) {
		t.Fatalf("we would write %q, redis-server wrote %q", m.encode(), raw)
	}

	// A file name that needs quoting, and a rewrite.
	dir = t.TempDir()
	r = startRedisAOF(t, dir, "--appendfilename", "my \"log\".aof", "--appenddirname", "aof dir")
	r.do(t, "SET", "k", "v")
	r.do(t, "BGREWRITEAOF")
	waitRewrite(t, r)
	adir = filepath.Join(dir, "aof dir")
	raw, _ = os.ReadFile(filepath.Join(adir, `my "log".aof.manifest`))
	m, err = readManifest(OSFS{}, adir, `my "log".aof.manifest`)
	if err != nil {
		t.Fatalf("%v in %q", err, raw)
	}
	if string(m.encode()) != string(raw) || m.base == nil || m.base.name != `my "log".aof.2.base.aof` {
		t.Fatalf("we would write %q, redis-server wrote %q", m.encode(), raw)
	}
	cp := t.TempDir()
	if err := os.CopyFS(cp, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	l := openT(t, Options{Dir: cp, DirName: "aof dir", FileName: `my "log".aof`})
	defer l.Close()
	if got, _ := loadAll(t, l); len(got) != 1 || got[0].args != "SET k v" {
		t.Fatalf("loaded %v", got)
	}
}

// waitRewrite polls INFO persistence until no rewrite runs or is scheduled.
func waitRewrite(t *testing.T, r *redisConn) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		info := r.do(t, "INFO", "persistence")
		if strings.Contains(info, "aof_rewrite_in_progress:0") && strings.Contains(info, "aof_rewrite_scheduled:0") {
			if !strings.Contains(info, "aof_last_bgrewrite_status:ok") {
				t.Fatalf("rewrite failed:\n%s", info)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("BGREWRITEAOF did not finish in 30s")
}

// TestInteropLoadRedisAOF loads an appendonlydir that redis-server 7 wrote
// (AOF-format base after BGREWRITEAOF, then an incr file).
func TestInteropLoadRedisAOF(t *testing.T) {
	dir := t.TempDir()
	r := startRedisAOF(t, dir)
	for _, c := range [][]string{
		{"SET", "s1", "1"}, {"SET", "s2", "2"}, {"SET", "s3", "3"},
		{"RPUSH", "list", "a", "b", "c"},
		{"HSET", "h", "f1", "v1", "f2", "v2"},
		{"SADD", "set", "x", "y"},
		{"ZADD", "z", "1", "a", "2", "b"},
		{"SET", "e", "v", "PX", "100000000"},
		{"SELECT", "1"}, {"SET", "k1", "db1"}, {"SELECT", "0"},
	} {
		r.do(t, c...)
	}
	if got := r.do(t, "BGREWRITEAOF"); !strings.Contains(got, "rewriting") {
		t.Fatalf("BGREWRITEAOF: %s", got)
	}
	waitRewrite(t, r)
	for _, c := range [][]string{
		{"SET", "after", "x"}, {"INCR", "counter"}, {"MULTI"}, {"SET", "m1", "1"}, {"LPUSH", "list", "z"}, {"EXEC"},
	} {
		r.do(t, c...)
	}
	// Base: 3 SET, RPUSH, HMSET, SADD, ZADD, SET+PEXPIREAT, SET (db 1) = 10;
	// incr: SET, INCR, SET, LPUSH = 4.
	const want = 14
	cp := t.TempDir()
	if err := os.CopyFS(cp, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	l := openT(t, Options{Dir: cp})
	defer l.Close()
	kv := map[string]string{}
	var n int
	info, err := l.Load(func(db int, args [][]byte) error {
		n++
		kv[fmt.Sprintf("%d:%s", db, args[1])] = strings.ToUpper(string(args[0]))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != want || info.Commands != want || info.Files != 2 {
		t.Fatalf("loaded %d commands (%+v), want %d: %v", n, info, want, kv)
	}
	for key, cmd := range map[string]string{"0:h": "HMSET", "0:e": "PEXPIREAT", "1:k1": "SET", "0:list": "LPUSH", "0:counter": "INCR"} {
		if kv[key] != cmd {
			t.Errorf("last command on %s: %q, want %q", key, kv[key], cmd)
		}
	}
}

// TestInteropRedisCheckAOFAcceptsOurs runs redis-check-aof on a directory we
// wrote (several types, databases, MULTI blocks, a rewrite), then starts
// redis-server on it.
func TestInteropRedisCheckAOFAcceptsOurs(t *testing.T) {
	check := requireTool(t, "redis-check-aof")
	dir := t.TempDir()
	l := openT(t, Options{Dir: dir, Fsync: Always})
	loadAll(t, l)
	recs := [][]Record{
		{rec(0, "SET", "s", "v")},
		{rec(0, "RPUSH", "l", "a", "b")},
		{rec(0, "HSET", "h", "f", "v")},
		{rec(2, "SADD", "set", "m1", "m2")},
		{rec(0, "ZADD", "z", "1.5", "m")},
		{rec(0, "SET", "e", "v"), rec(0, "PEXPIREAT", "e", "99999999999999")},
		{rec(1, "INCRBY", "n", "5"), rec(0, "DEL", "s")},
	}
	for _, rs := range recs {
		if err := l.Wait(l.Append(rs)); err != nil {
			t.Fatal(err)
		}
	}
	rw, err := l.BeginRewrite()
	if err != nil {
		t.Fatal(err)
	}
	if err := rw.AppendBase([]Record{rec(0, "RPUSH", "l", "a", "b"), rec(0, "HSET", "h", "f", "v"),
		rec(0, "ZADD", "z", "1.5", "m"), rec(0, "SET", "e", "v"), rec(0, "PEXPIREAT", "e", "99999999999999"),
		rec(1, "SET", "n", "5"), rec(2, "SADD", "set", "m1", "m2")}); err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(rw.Append([]Record{rec(0, "SET", "after", "1")})); err != nil {
		t.Fatal(err)
	}
	if err := rw.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(l.Append([]Record{rec(3, "LPUSH", "l3", "x")})); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(check, filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "All AOF files and manifest are valid") {
		t.Fatalf("redis-check-aof: %v\n%s", err, out)
	}
	// redis-server loads the same directory.
	r := startRedisAOF(t, dir)
	if got := r.do(t, "LRANGE", "l", "0", "-1"); got != "1) \"a\"\n2) \"b\"" {
		t.Fatalf("LRANGE l: %s", got)
	}
	if got := r.do(t, "DBSIZE"); got != "(integer) 5" {
		t.Fatalf("db 0 holds %s keys, want 5 (l h z e after)", got)
	}
	r.do(t, "SELECT", "1")
	if got := r.do(t, "GET", "n"); got != `"5"` {
		t.Fatalf("GET n in db 1: %s", got)
	}
}

// TestInteropRedisLoadsAFreshLog: a log never rewritten (empty base) loads
// in redis-server, torn tail included, which it cuts as we do.
func TestInteropRedisLoadsAFreshLog(t *testing.T) {
	requireTool(t, "redis-server")
	dir := t.TempDir()
	l := openT(t, Options{Dir: dir, Fsync: Always})
	loadAll(t, l)
	if err := l.Wait(l.Append([]Record{rec(0, "SET", "a", "1"), rec(0, "SET", "b", "2")})); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// A torn MULTI at the end, as a crash leaves it.
	f, err := os.OpenFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(append(append([]byte(nil), multiCmd...), cmd("SET", "c", "3")...))
	f.Close()
	r := startRedisAOF(t, dir)
	if got := r.do(t, "DBSIZE"); got != "(integer) 2" {
		t.Fatalf("DBSIZE %s, want 2", got)
	}
}
