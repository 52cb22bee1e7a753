package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	badTOML := filepath.Join(dir, "bad.toml")
	os.WriteFile(badTOML, []byte("port = 7001\nnosuch-option = 1\n"), 0o644)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "usage: shardis"},
		{[]string{"nosuch"}, 2, `unknown command "nosuch"`},
		{[]string{"backend", "--nosuch-option", "1"}, 2, "Bad directive"},
		{[]string{"backend", "--port", "notaport"}, 2, "--port notaport"},
		{[]string{"backend", "stray"}, 2, `unexpected argument "stray"`},
		{[]string{"backend", "-config", filepath.Join(dir, "missing.toml")}, 2, "missing.toml"},
		{[]string{"backend", "-config", badTOML}, 2, "bad.toml:2:"},
		{[]string{"version"}, 0, "shardis "},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		code := run(context.Background(), c.args, &out, &errOut)
		if code != c.code {
			t.Errorf("run(%q) = %d, want %d (stderr %q)", c.args, code, c.code, errOut.String())
		}
		if got := out.String() + errOut.String(); !strings.Contains(got, c.want) {
			t.Errorf("run(%q) printed %q, want it to contain %q", c.args, got, c.want)
		}
	}
}

// TestBackendServesAndStops starts `shardis backend` as the command line
// would, talks RESP to it, then cancels its context (as SIGTERM does).
func TestBackendServesAndStops(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	var stderr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"backend", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--dir", t.TempDir(), "--loglevel", "warning"}, &bytes.Buffer{}, &stderr)
	}()

	conn := dialUntilReady(t, "127.0.0.1:"+strconv.Itoa(port), done, stderr.String)
	defer conn.Close()
	rd := bufio.NewReader(conn)
	for _, x := range []struct{ req, want string }{
		{"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n", "+OK\r\n"},
		{"*2\r\n$3\r\nGET\r\n$1\r\na\r\n", "$1\r\n1\r\n"},
		{"*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$4\r\nport\r\n", "*2\r\n$4\r\nport\r\n$" + strconv.Itoa(len(strconv.Itoa(port))) + "\r\n" + strconv.Itoa(port) + "\r\n"},
	} {
		conn.Write([]byte(x.req))
		got := make([]byte, len(x.want))
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(rd, got); err != nil || string(got) != x.want {
			t.Fatalf("%q: got %q (%v), want %q", x.req, got, err, x.want)
		}
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("backend exited %d after its context ended; stderr: %s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("backend did not stop within 15s of its context ending")
	}
}

// dialUntilReady connects to addr, retrying while the listener is not up
// yet, for at most 10 seconds; it fails at once if the command exits,
// with what log returns then (its standard error).
func dialUntilReady(t *testing.T, addr string, done <-chan int, log func() string) net.Conn {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case code := <-done:
			t.Fatalf("exited early with %d; stderr:\n%s", code, log())
		default:
		}
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return conn
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on %s after 10s: %v", addr, err)
		}
		time.Sleep(10 * time.Millisecond) // polling a port that is not bound yet
	}
}

func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[[shard]]\nslots = [\"0-100\"]\nbogus = 1\n[shard.primary]\naddress = \"127.0.0.1:7001\"\n"), 0o644)

	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"check-config", "../../config.toml"}, &out, &errOut); code != 0 {
		t.Fatalf("check-config config.toml = %d; stderr %q", code, errOut.String())
	}
	if want := "ok (3 shards, 6 nodes, 16384 slots)"; !strings.Contains(out.String(), want) {
		t.Errorf("check-config config.toml printed %q, want %q", out.String(), want)
	}

	out.Reset()
	errOut.Reset()
	if code := run(context.Background(), []string{"check-config", bad}, &out, &errOut); code != 2 {
		t.Fatalf("check-config bad.toml = %d, want 2", code)
	}
	for _, want := range []string{"bad.toml:3:", `"shard.bogus"`, "101-16383"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("check-config bad.toml said %q; want it to contain %q", errOut.String(), want)
		}
	}
}
