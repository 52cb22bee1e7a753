package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchBadInput: an unreachable target, an unknown workload and a
// malformed scenarios file each give one precise line and exit status 2.
func TestBenchBadInput(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[[scenario]]\nname = \"a\"\nworkload = \"set\"\n\n[[scenario]]\nname = \"b\"\nworkload = \"gett\"\n"), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"bench", "-target", dead, "-n", "10"}, "shardis bench: target " + dead + " is unreachable: "},
		{[]string{"bench", "-target", dead, "-workload", "nope"}, `shardis bench: unknown workload "nope" (known: set, get, mixed, incr, lpush, mset, large)`},
		{[]string{"bench", "-scenarios", bad, "-out", dir}, "shardis bench: " + bad + `:7: unknown workload "gett"`},
		{[]string{"bench", "-scenarios", filepath.Join(dir, "missing.toml"), "-out", dir}, "shardis bench: " + filepath.Join(dir, "missing.toml") + ": "},
		{[]string{"bench", "-scenarios", bad, "-targets", "redis,memcached", "-out", dir}, `shardis bench: ` + bad + `:7: unknown workload`},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		code := run(context.Background(), c.args, &out, &errOut)
		msg := errOut.String()
		if code != 2 || !strings.HasPrefix(msg, c.want) || strings.Count(msg, "\n") != 1 {
			t.Errorf("run(%q) = %d, stderr %q; want 2 and one line starting %q", c.args, code, msg, c.want)
		}
	}
}
