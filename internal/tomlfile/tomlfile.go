// Package tomlfile decodes TOML configuration strictly: a key the target
// does not know is an error that names the key, the file and the line, and
// every such key is reported, not just the first.
package tomlfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/BurntSushi/toml"
)

// Error is a problem at a place in a file.
type Error struct {
	File string
	Line int // 0 when unknown
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// DecodeFile reads path and decodes it into v (see Decode).
func DecodeFile(path string, v any) (toml.MetaData, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return toml.MetaData{}, fmt.Errorf("read config: %w", err)
	}
	return Decode(path, src, v)
}

// Decode decodes src (named name in errors) into v. Syntax and type errors
// carry their line; keys v does not define are each reported as
// `unknown key "a.b"` with their line, joined with errors.Join.
func Decode(name string, src []byte, v any) (toml.MetaData, error) {
	md, err := toml.NewDecoder(bytes.NewReader(src)).Decode(v)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return md, &Error{File: name, Line: pe.Position.Line, Msg: pe.Message}
		}
		return md, &Error{File: name, Msg: err.Error()}
	}
	var errs []error
	for _, k := range md.Undecoded() {
		errs = append(errs, &Error{File: name, Line: KeyLine(src, k), Msg: fmt.Sprintf("unknown key %q", k.String())})
	}
	return md, errors.Join(errs...)
}

// KeyLine returns the line (from 1) where key is defined in src, or 0. It
// follows [table] and [[array]] headers and dotted keys; it is meant for
// error messages, not as a TOML parser.
func KeyLine(src []byte, key toml.Key) int {
	want := strings.Join(key, ".")
	var table string
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' {
			continue
		}
		if s[0] == '[' {
			h := strings.Trim(s, "[] \t")
			if i := strings.IndexByte(h, '#'); i >= 0 {
				h = strings.TrimSpace(strings.TrimRight(h[:i], "] \t"))
			}
			table = normalizeKey(h)
			if table == want {
				return line
			}
			continue
		}
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			continue
		}
		k := normalizeKey(s[:eq])
		if table != "" {
			k = table + "." + k
		}
		if k == want || strings.HasPrefix(want, k+".") {
			return line
		}
	}
	return 0
}

func normalizeKey(s string) string {
	parts := strings.Split(s, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}
