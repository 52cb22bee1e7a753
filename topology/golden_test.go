package topology

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from what the code produces now")

// TestGolden parses each testdata/*.toml and compares the outcome, the
// slot map's summary or the list of problems, with the .golden file beside
// it. Run with -update to rewrite the golden files, then review the diff.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/*.toml (%v)", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".toml")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := render(filepath.Base(file), src)
			golden := strings.TrimSuffix(file, ".toml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s (go test -update rewrites it)\n--- got\n%s--- want\n%s", file, golden, got, want)
			}
			// Files named err_* must fail and the others must pass, so that
			// -update cannot silently turn a case around.
			if isErr := strings.HasPrefix(got, "error"); isErr != strings.HasPrefix(name, "err_") {
				t.Errorf("%s: outcome %q does not match its name", file, strings.SplitN(got, "\n", 2)[0])
			}
		})
	}
}

// render is what a golden file holds: "error" and one problem per line, or
// "ok", the Config with its defaults, and the slot map.
func render(name string, src []byte) string {
	var b strings.Builder
	cfg, err := Parse(name, src)
	if err != nil {
		b.WriteString("error\n")
		for _, e := range problemsOf(err) {
			fmt.Fprintf(&b, "%v\n", e)
		}
		return b.String()
	}
	b.WriteString("ok\n")
	for _, p := range cfg.Proxies {
		pass := "none"
		if p.RequirePass != "" {
			pass = "set"
		}
		fmt.Fprintf(&b, "proxy %s: listen %s; announce %s; requirepass %s; timeouts connect %s, read %s, write %s\n",
			p.Name, strings.Join(p.Listen, " "), strings.Join(p.Announce, " "), pass,
			p.ConnectTimeout, p.ReadTimeout, p.WriteTimeout)
	}
	if rc := cfg.RedisCluster; rc != nil {
		fmt.Fprintf(&b, "redis_cluster: seeds %s\n", strings.Join(rc.Seeds, " "))
	}
	m, err := NewMap(cfg)
	if err != nil {
		fmt.Fprintf(&b, "map: %v\n", err)
		return b.String()
	}
	for i := range m.NumShards() {
		s := m.Shard(i)
		var ranges []string
		n := 0
		for _, r := range s.Slots {
			ranges = append(ranges, r.String())
			n += r.Len()
		}
		fmt.Fprintf(&b, "shard %s: %d slots: %s\n", s.Name, n, strings.Join(ranges, " "))
		fmt.Fprintf(&b, "  primary %s\n", describeNode(s.Primary))
		for _, r := range s.Replicas {
			fmt.Fprintf(&b, "  replica %s\n", describeNode(r))
		}
	}
	fmt.Fprintf(&b, "map: %d of %d slots owned\n", m.Owned(), SlotCount)
	for _, r := range m.Ranges() {
		fmt.Fprintf(&b, "  %s %s\n", r.SlotRange, m.Shard(r.Shard).Name)
	}
	return b.String()
}

func describeNode(n Node) string {
	s := n.Address + " " + n.Kind
	if n.RequirePass != "" {
		s += " requirepass set"
	}
	if n.Start {
		s += fmt.Sprintf(" start dir=%s appendonly=%t appendfsync=%s", n.Dir, *n.AppendOnly, n.AppendFsync)
	}
	return s
}

// TestGoldenErrorsHaveFiles checks that each problem of an err_* file names
// the file, and that all but the slot gaps and the empty file have a line.
func TestGoldenErrorsHaveFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/err_*.toml")
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Parse(filepath.Base(file), src)
		if err == nil {
			t.Errorf("%s: no error", file)
			continue
		}
		for _, e := range problemsOf(err) {
			msg := e.Error()
			if !strings.HasPrefix(msg, filepath.Base(file)+":") {
				t.Errorf("%s: problem without the file name: %s", file, msg)
			}
			// A type error stops the decoder, which gives its line only
			// inside its message ("toml: line 10 (last key ...)").
			noLine := strings.Contains(msg, "not owned by any shard") || strings.Contains(msg, "no [[") ||
				strings.Contains(msg, ": toml: line ")
			if !noLine && !hasLine(msg) {
				t.Errorf("%s: problem without a line: %s", file, msg)
			}
		}
	}
}

// hasLine reports whether a message starts "file:N: ".
func hasLine(msg string) bool {
	_, rest, ok := strings.Cut(msg, ":")
	if !ok {
		return false
	}
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	return n > 0 && strings.HasPrefix(rest[n:], ": ")
}
