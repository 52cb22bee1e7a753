package topology

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
)

// locator maps the keys of a TOML file to the lines that define them, with
// the index of every [[array]] element in the path ("shard.1.primary.address"),
// which tomlfile.KeyLine cannot tell apart: it is what lets a problem in the
// second [[shard]] point at the second shard's line. Like KeyLine it reads
// headers and "key =" lines and is meant for messages, not as a parser.
type locator struct {
	lines    map[string]int   // indexed path -> first line defining it
	plain    map[string][]int // path without indices -> lines, in file order
	arrays   map[string]int   // indexed path of an array of tables -> elements seen
	isArray  map[string]bool  // unindexed name of every [[array]] seen
	headers  []header         // every table header, in file order
	consumed map[string]int   // plain path -> occurrences handed out by next
}

// header is one [table] or [[array]] header line.
type header struct {
	name  string // unindexed, normalized: "shard.primary"
	array bool
	line  int
}

func newLocator(src []byte) *locator {
	l := &locator{
		lines:    map[string]int{},
		plain:    map[string][]int{},
		arrays:   map[string]int{},
		isArray:  map[string]bool{},
		consumed: map[string]int{},
	}
	var table, tablePlain string // the current table, indexed and not
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' {
			continue
		}
		if s[0] == '[' {
			array := strings.HasPrefix(s, "[[")
			h := s
			if i := strings.IndexByte(h, '#'); i >= 0 {
				h = h[:i]
			}
			name := normalizeKey(strings.Trim(h, "[] \t"))
			l.headers = append(l.headers, header{name: name, array: array, line: line})
			table, tablePlain = l.resolve(name), name
			if array {
				l.isArray[name] = true
				n := l.arrays[table]
				l.arrays[table] = n + 1
				table += "." + strconv.Itoa(n)
			}
			l.add(table, tablePlain, line)
			continue
		}
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			continue // the rest of a multi-line value
		}
		k := normalizeKey(s[:eq])
		if table != "" {
			l.add(table+"."+k, tablePlain+"."+k, line)
		} else {
			l.add(k, k, line)
		}
	}
	return l
}

// resolve turns an unindexed dotted name into the indexed path of the
// element it refers to now: each prefix that is an array of tables means
// its latest element, as TOML's [[shard.replica]] means "of the last shard".
func (l *locator) resolve(name string) string {
	parts := strings.Split(name, ".")
	var path, plain string
	for i, p := range parts {
		if i > 0 {
			path += "."
			plain += "."
		}
		path += p
		plain += p
		if i < len(parts)-1 && l.isArray[plain] {
			if n := l.arrays[path]; n > 0 {
				path += "." + strconv.Itoa(n-1)
			}
		}
	}
	return path
}

func (l *locator) add(path, plain string, line int) {
	if _, ok := l.lines[path]; !ok {
		l.lines[path] = line
	}
	l.plain[plain] = append(l.plain[plain], line)
}

// line returns the line of the indexed path, or of its longest prefix the
// file defines (a missing key is reported at its table's header), or 0.
func (l *locator) line(path string) int {
	if l == nil {
		return 0
	}
	for {
		if n, ok := l.lines[path]; ok {
			return n
		}
		i := strings.LastIndexByte(path, '.')
		if i < 0 {
			return 0
		}
		path = path[:i]
	}
}

// next returns the line of the next not yet returned occurrence of an
// unindexed key, as toml.MetaData.Undecoded lists one key per occurrence.
func (l *locator) next(plain string) int {
	lines := l.plain[plain]
	i := l.consumed[plain]
	l.consumed[plain] = i + 1
	if i < len(lines) {
		return lines[i]
	}
	if len(lines) > 0 {
		return lines[len(lines)-1]
	}
	return 0
}

// normalizeKey drops the quotes and spaces around the parts of a dotted key.
func normalizeKey(s string) string {
	parts := strings.Split(s, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}

// path builds an indexed path: path("shard", 1, "primary") is "shard.1.primary".
func path(elems ...any) string {
	var b strings.Builder
	for i, e := range elems {
		if i > 0 {
			b.WriteByte('.')
		}
		switch v := e.(type) {
		case string:
			b.WriteString(v)
		case int:
			b.WriteString(strconv.Itoa(v))
		}
	}
	return b.String()
}
