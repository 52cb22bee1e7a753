package backend

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/shardis/shardis/aof"
)

// aofTestOptions returns options for a node keeping its AOF in dir.
func aofTestOptions(dir, fsync string) Options {
	o := DefaultOptions()
	o.Dir = dir
	o.AppendOnly = true
	o.AppendFsync = fsync
	o.EnableDebugCommand = "yes"
	return o
}

// digestOf returns DEBUG DIGEST's reply, failing the test on an error.
func digestOf(t *testing.T, c *testConn) string {
	t.Helper()
	d := c.raw("DEBUG", "DIGEST")
	if !strings.HasPrefix(d, "+") {
		t.Fatalf("DEBUG DIGEST: %q", d)
	}
	return d
}

// infoField returns one field of INFO persistence.
func infoField(t *testing.T, c *testConn, name string) string {
	t.Helper()
	info := c.raw("INFO", "persistence")
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	t.Fatalf("INFO persistence has no %s:\n%s", name, info)
	return ""
}

// waitRewrite waits (bounded) until no AOF rewrite runs.
func waitRewrite(t *testing.T, c *testConn) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for infoField(t, c, "aof_rewrite_in_progress") != "0" {
		if time.Now().After(deadline) {
			t.Fatal("the AOF rewrite did not finish in 20s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fillTypes writes keys of every type, some with a TTL, in two databases.
func fillTypes(t *testing.T, c *testConn, prefix string) {
	t.Helper()
	must := func(args ...string) {
		t.Helper()
		if r := c.raw(args...); strings.HasPrefix(r, "-") {
			t.Fatalf("%q: %s", args, r)
		}
	}
	far := fmt.Sprint(time.Now().Add(24 * time.Hour).UnixMilli())
	for i := 0; i < 100; i++ {
		must("SET", fmt.Sprint(prefix, "s", i), fmt.Sprint("v", i))
		must("RPUSH", prefix+"list", fmt.Sprint(i))
		must("SADD", prefix+"set", fmt.Sprint("m", i))
		must("SADD", prefix+"ints", fmt.Sprint(i))
		must("ZADD", prefix+"zset", fmt.Sprint(float64(i)/7), fmt.Sprint("z", i))
		must("HSET", prefix+"hash", fmt.Sprint("f", i), fmt.Sprint(i))
		must("PFADD", prefix+"hll", fmt.Sprint("e", i))
	}
	must("INCRBY", prefix+"counter", "42")
	must("PEXPIREAT", prefix+"list", far)
	must("SET", prefix+"ttl", "x", "PXAT", far)
	must("SELECT", "5")
	must("SET", prefix+"db5", "five")
	must("SELECT", "0")
}

func TestAOFRewriteThenRestart(t *testing.T) {
	dir := t.TempDir()
	s1, addr := startTestServerOptions(t, aofTestOptions(dir, "everysec"))
	c := dialTest(t, addr)
	if got := infoField(t, c, "aof_enabled"); got != "1" {
		t.Fatalf("aof_enabled:%s", got)
	}
	fillTypes(t, c, "a:")
	c.expect("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
	waitRewrite(t, c)
	if got := infoField(t, c, "aof_rewrites"); got != "1" {
		t.Errorf("aof_rewrites:%s after one rewrite", got)
	}
	if got := infoField(t, c, "aof_last_bgrewrite_status"); got != "ok" {
		t.Errorf("aof_last_bgrewrite_status:%s", got)
	}
	digest := digestOf(t, c)
	s1.Close()

	names, _ := filepath.Glob(filepath.Join(dir, "appendonlydir", "*"))
	if len(names) != 3 {
		t.Errorf("appendonlydir holds %q, want a base, an incr and the manifest", names)
	}
	_, addr2 := startTestServerOptions(t, aofTestOptions(dir, "everysec"))
	c2 := dialTest(t, addr2)
	if got := digestOf(t, c2); got != digest {
		t.Errorf("digest after restart %q, want %q", got, digest)
	}
}

func TestAOFBGRewriteInProgress(t *testing.T) {
	dir := t.TempDir()
	_, addr := startTestServerOptions(t, aofTestOptions(dir, "no"))
	c := dialTest(t, addr)
	c.raw("DEBUG", "POPULATE", "200000")
	// Two at once: the second finds the first still dumping 200000 keys.
	if _, err := c.nc.Write([]byte("*1\r\n$12\r\nBGREWRITEAOF\r\n*1\r\n$12\r\nBGREWRITEAOF\r\n")); err != nil {
		t.Fatal(err)
	}
	r1, _ := c.rr.ReadRaw()
	r2, _ := c.rr.ReadRaw()
	if string(r1) != "+Background append only file rewriting started\r\n" ||
		string(r2) != "-ERR Background append only file rewriting already in progress\r\n" {
		t.Errorf("replies %q, %q", r1, r2)
	}
	waitRewrite(t, c)
}

func TestAOFConfigSetAppendOnly(t *testing.T) {
	dir := t.TempDir()
	o := DefaultOptions()
	o.Dir = dir
	o.EnableDebugCommand = "yes"
	s1, addr := startTestServerOptions(t, o)
	c := dialTest(t, addr)
	fillTypes(t, c, "b:")
	if got := infoField(t, c, "aof_enabled"); got != "0" {
		t.Fatalf("aof_enabled:%s", got)
	}
	c.expect("+OK\r\n", "CONFIG", "SET", "appendonly", "yes")
	waitRewrite(t, c)
	if got := infoField(t, c, "aof_enabled"); got != "1" {
		t.Errorf("aof_enabled:%s after CONFIG SET appendonly yes", got)
	}
	c.expect("+OK\r\n", "CONFIG", "SET", "appendfsync", "always")
	digest := digestOf(t, c)
	s1.Close()
	if _, err := os.Stat(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest")); err != nil {
		t.Fatal(err)
	}
	_, addr2 := startTestServerOptions(t, aofTestOptions(dir, "always"))
	c2 := dialTest(t, addr2)
	if got := digestOf(t, c2); got != digest {
		t.Errorf("digest after restart %q, want %q", got, digest)
	}
	c2.expect("+OK\r\n", "CONFIG", "SET", "appendonly", "no")
	if got := infoField(t, c2, "aof_enabled"); got != "0" {
		t.Errorf("aof_enabled:%s after CONFIG SET appendonly no", got)
	}
}

func TestAOFRefusesToStart(t *testing.T) {
	dir := t.TempDir()
	ad := filepath.Join(dir, "appendonlydir")
	if err := os.MkdirAll(ad, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(ad, "appendonly.aof.manifest"),
		[]byte("file appendonly.aof.1.base.aof seq 1 type b\n"), 0o644)
	os.WriteFile(filepath.Join(ad, "appendonly.aof.1.base.aof"),
		[]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGARBAGE"), 0o644)
	o := aofTestOptions(dir, "everysec")
	o.AOFLoadTruncated = false
	if _, err := New(o); err == nil {
		t.Fatal("New loaded a truncated AOF with aof-load-truncated no")
	} else {
		t.Logf("refused: %v", err)
	}
}

func TestAOFAutoRewrite(t *testing.T) {
	dir := t.TempDir()
	o := aofTestOptions(dir, "no")
	o.AutoAOFRewriteMinSize = 64 << 10
	_, addr := startTestServerOptions(t, o)
	c := dialTest(t, addr)
	if got := infoField(t, c, "aof_rewrites"); got != "0" {
		t.Fatalf("aof_rewrites:%s before any write", got)
	}
	val := strings.Repeat("x", 1000)
	for i := 0; i < 100; i++ { // about 100 KB of log: past the minimum size
		c.expect("+OK\r\n", "SET", fmt.Sprint("k", i), val)
	}
	deadline := time.Now().Add(20 * time.Second)
	for infoField(t, c, "aof_rewrites") == "0" {
		if time.Now().After(deadline) {
			t.Fatal("no automatic rewrite once the AOF passed auto-aof-rewrite-min-size")
		}
		time.Sleep(10 * time.Millisecond)
	}
	waitRewrite(t, c)
	base, _ := strconv.Atoi(infoField(t, c, "aof_base_size"))
	if base < 100*1000 {
		t.Errorf("aof_base_size:%d after the rewrite, want the dataset's size", base)
	}
}

// faultyFS fails every write to a file while fail is set, as a full disk.
type faultyFS struct {
	aof.OSFS
	fail *atomic.Bool
}

func (f faultyFS) OpenFile(name string, flag int, perm fs.FileMode) (aof.File, error) {
	file, err := f.OSFS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return faultyFile{file, f.fail}, nil
}

type faultyFile struct {
	aof.File
	fail *atomic.Bool
}

func (f faultyFile) Write(b []byte) (int, error) {
	if f.fail.Load() {
		return 0, &fs.PathError{Op: "write", Path: "aof", Err: syscall.ENOSPC}
	}
	return f.File.Write(b)
}

func TestAOFWriteErrorRefusesWrites(t *testing.T) {
	o := DefaultOptions()
	o.Dir = t.TempDir()
	s, addr := startTestServerOptions(t, o)
	var fail atomic.Bool
	s.aof.fs = faultyFS{fail: &fail}
	c := dialTest(t, addr)
	c.expect("+OK\r\n", "CONFIG", "SET", "appendonly", "yes")
	waitRewrite(t, c)
	c.expect("+OK\r\n", "SET", "before", "1")

	fail.Store(true)
	// The write the log cannot take is not acknowledged: the connection
	// closes instead of answering.
	c.nc.SetDeadline(time.Now().Add(10 * time.Second))
	c.nc.Write([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"))
	if b, err := c.rr.ReadRaw(); err == nil {
		t.Fatalf("a write the AOF could not take was answered %q", b)
	}
	c2 := dialTest(t, addr)
	misconf := "-MISCONF Errors writing to the AOF file: No space left on device\r\n"
	c2.expect(misconf, "SET", "k2", "v")
	c2.expect(misconf, "PING")
	c2.expect("$1\r\n1\r\n", "GET", "before")

	fail.Store(false)
	deadline := time.Now().Add(20 * time.Second)
	for c2.raw("PING") != "+PONG\r\n" {
		if time.Now().After(deadline) {
			t.Fatal("writes still refused 20s after the disk came back")
		}
		time.Sleep(10 * time.Millisecond)
	}
	c2.expect("+OK\r\n", "SET", "k3", "v")
}

// TestAOFRewriteUnderCrossShardWrites rewrites while clients run commands
// that touch several lock shards at once (MSET, LMOVE, RENAME, EXEC): after
// a restart the node holds exactly the dataset it had. A command's records
// that went to the wrong incr file would be lost or applied twice.
func TestAOFRewriteUnderCrossShardWrites(t *testing.T) {
	dir := t.TempDir()
	s1, addr := startTestServerOptions(t, aofTestOptions(dir, "no"))
	ctl := dialTest(t, addr)
	ctl.raw("DEBUG", "POPULATE", "200000")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := dialTest(t, addr)
			for n := 0; n < 200000; n++ {
				select {
				case <-stop:
					return
				default:
				}
				a, b := fmt.Sprint("x", w, ":", n), fmt.Sprint("y", w, ":", n)
				switch n % 5 {
				case 0:
					c.raw("MSET", a, fmt.Sprint(n), b, fmt.Sprint(n), fmt.Sprint("key:", n%200000), "z")
				case 1:
					c.raw("RPUSH", fmt.Sprint("l", w, ":", n%7), fmt.Sprint(n))
				case 2:
					c.raw("LMOVE", fmt.Sprint("l", w, ":", n%7), fmt.Sprint("l", w, ":", (n+3)%7), "LEFT", "RIGHT")
				case 3:
					c.raw("RENAME", fmt.Sprint("x", w, ":", n-3), fmt.Sprint("r", w, ":", n))
				case 4:
					c.raw("MULTI")
					c.raw("INCR", fmt.Sprint("c", w, ":", n%13))
					c.raw("SADD", fmt.Sprint("s", w, ":", n%11), fmt.Sprint(n))
					c.raw("EXEC")
				}
			}
		}()
	}
	// The writers run through each rewrite, the last one included: what
	// they did while it ran is only in its new incr file.
	for i := 0; i < 3; i++ {
		ctl.expect("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
		waitRewrite(t, ctl)
	}
	close(stop)
	wg.Wait()
	digest := digestOf(t, ctl)
	s1.Close()
	_, addr2 := startTestServerOptions(t, aofTestOptions(dir, "no"))
	if got := digestOf(t, dialTest(t, addr2)); got != digest {
		t.Errorf("digest after rewrites under load and a restart %q, want %q", got, digest)
	}
}

// TestAOFBlockedPopServed logs a pop served to a blocked client after the
// push that served it: a restart finds the list as the clients left it.
func TestAOFBlockedPopServed(t *testing.T) {
	dir := t.TempDir()
	s1, addr := startTestServerOptions(t, aofTestOptions(dir, "always"))
	a, b := dialTest(t, addr), dialTest(t, addr)
	a.nc.SetDeadline(time.Now().Add(10 * time.Second))
	a.nc.Write([]byte("*3\r\n$5\r\nBLPOP\r\n$1\r\nl\r\n$1\r\n0\r\n"))
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(b.raw("CLIENT", "LIST"), "cmd=blpop") {
		if time.Now().After(deadline) {
			t.Fatal("BLPOP did not block")
		}
		time.Sleep(time.Millisecond)
	}
	b.expect(":2\r\n", "RPUSH", "l", "x", "y")
	if r, err := a.rr.ReadRaw(); err != nil || string(r) != "*2\r\n$1\r\nl\r\n$1\r\nx\r\n" {
		t.Fatalf("BLPOP: %q, %v", r, err)
	}
	s1.Close()
	_, addr2 := startTestServerOptions(t, aofTestOptions(dir, "always"))
	dialTest(t, addr2).expect("*1\r\n$1\r\ny\r\n", "LRANGE", "l", "0", "-1")
}

// TestAOFBGRewriteWhileOff writes the dataset's files when appendonly is
// off; a node started on them has the dataset.
func TestAOFBGRewriteWhileOff(t *testing.T) {
	dir := t.TempDir()
	o := DefaultOptions()
	o.Dir = dir
	o.EnableDebugCommand = "yes"
	s1, addr := startTestServerOptions(t, o)
	c := dialTest(t, addr)
	fillTypes(t, c, "off:")
	c.expect("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
	waitRewrite(t, c)
	if got := infoField(t, c, "aof_enabled"); got != "0" {
		t.Errorf("aof_enabled:%s after BGREWRITEAOF with appendonly no", got)
	}
	digest := digestOf(t, c)
	s1.Close()
	_, addr2 := startTestServerOptions(t, aofTestOptions(dir, "no"))
	if got := digestOf(t, dialTest(t, addr2)); got != digest {
		t.Errorf("digest of a node started on the files %q, want %q", got, digest)
	}
}
