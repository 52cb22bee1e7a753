package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestCheckAOF(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../aof/testdata")); err != nil {
		t.Fatal(err)
	}
	manifest := func(d string) string { return filepath.Join(dir, d, "appendonlydir", "appendonly.aof.manifest") }
	check := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"check-aof"}, args...), &out, &errOut)
		return code, out.String() + errOut.String()
	}
	cases := []struct {
		args []string
		code int
		want []string
	}{
		{nil, 2, []string{"usage: shardis check-aof"}},
		{[]string{"--fix"}, 2, []string{"usage"}},
		{[]string{"a", "b"}, 2, []string{"usage"}},
		{[]string{manifest("ok")}, 0, []string{
			"AOF analyzed: filename=appendonly.aof.1.base.aof, size=86, ok_up_to=86, ok_up_to_line=22, diff=0",
			"AOF analyzed: filename=appendonly.aof.1.incr.aof, size=120, ok_up_to=120, ok_up_to_line=50, diff=0",
			"All AOF files and manifest are valid"}},
		{[]string{manifest("garbage-middle")}, 1, []string{
			"expected '*' (a RESP array), got 'h'",
			"ok_up_to=44, ok_up_to_line=32, diff=40",
			"is not valid. Use the --fix option"}},
		{[]string{"--fix", manifest("torn-base")}, 1, []string{
			"Failed to truncate AOF appendonly.aof.1.base.aof because it is not the last file"}},
		{[]string{manifest("missing-incr")}, 1, []string{"appendonly.aof.2.incr.aof"}},
		{[]string{manifest("rdb-base")}, 1, []string{"RDB format"}},
		{[]string{manifest("torn-multi")}, 1, []string{"MULTI without EXEC", "ok_up_to=120"}},
		{[]string{"--fix", manifest("torn-multi")}, 0, []string{
			"This will shrink the AOF appendonly.aof.1.incr.aof from 162 bytes, with 42 bytes, to 120 bytes",
			"Successfully truncated AOF appendonly.aof.1.incr.aof"}},
		{[]string{manifest("torn-multi")}, 0, []string{"All AOF files and manifest are valid"}},
		{[]string{filepath.Join(dir, "ok", "appendonlydir", "appendonly.aof.1.incr.aof")}, 0, []string{
			"Start checking Old-Style AOF", "ok_up_to_line=29", "is valid"}},
	}
	for _, c := range cases {
		code, out := check(c.args...)
		if code != c.code {
			t.Errorf("check-aof %q = %d, want %d:\n%s", c.args, code, c.code, out)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("check-aof %q printed\n%s\nwant it to contain %q", c.args, out, w)
			}
		}
	}
}

// TestInteropCheckAOFAgreesWithRedis runs redis-check-aof and shardis
// check-aof on every testdata directory: same exit status, and the same
// size, ok_up_to and diff for every file analysed.
func TestInteropCheckAOFAgreesWithRedis(t *testing.T) {
	bin, err := exec.LookPath("redis-check-aof")
	if err != nil {
		if os.Getenv("SHARDIS_INTEROP") == "1" {
			t.Fatalf("SHARDIS_INTEROP=1 but redis-check-aof is not on PATH: %v", err)
		}
		t.Skip("redis-check-aof not on PATH (set SHARDIS_INTEROP=1 to require it)")
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../aof/testdata")); err != nil {
		t.Fatal(err)
	}
	manifests, _ := filepath.Glob(filepath.Join(dir, "*", "appendonlydir", "*.manifest"))
	if len(manifests) < 5 {
		t.Fatalf("found %d testdata manifests", len(manifests))
	}
	// The figures, without ok_up_to_line: Redis counts the lines it read
	// up to where it stopped, shardis up to ok_up_to.
	figures := regexp.MustCompile(`(?m)^AOF analyzed: filename=(.+?), size=(\d+), ok_up_to=(\d+), ok_up_to_line=\d+, diff=(\d+)$`)
	for _, m := range manifests {
		if strings.Contains(m, "rdb-base") {
			continue // redis-check-aof checks the RDB; shardis refuses it
		}
		out, err := exec.Command(bin, m).CombinedOutput()
		redisCode := 0
		if ee, ok := err.(*exec.ExitError); ok {
			redisCode = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		var ours, errOut bytes.Buffer
		code := run(context.Background(), []string{"check-aof", m}, &ours, &errOut)
		if code != redisCode {
			t.Errorf("%s: exit %d, redis-check-aof %d\n%s\n--\n%s", m, code, redisCode, ours.String(), out)
			continue
		}
		pick := func(s string) (f [][]string) {
			for _, m := range figures.FindAllStringSubmatch(s, -1) {
				f = append(f, m[1:])
			}
			return f
		}
		want, got := pick(string(out)), pick(ours.String())
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: figures %v, redis-check-aof %v", m, got, want)
		}
	}
}
