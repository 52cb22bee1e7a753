// Command gen writes internal/command/table_gen.go, the command table, from
// what a running redis-server 7.0 says about itself: COMMAND INFO (every
// command) and COMMAND DOCS. It starts its own redis-server on a free port,
// with no persistence, and stops it when done.
//
// Usage (from the module root, or through go generate in internal/command):
//
//	go run ./internal/command/gen [-server redis-server] [-o internal/command/table_gen.go]
//
// The table is committed: building needs no redis-server, only regenerating
// does.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"io"
	"net"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	server := flag.String("server", "redis-server", "the redis-server binary to introspect")
	out := flag.String("o", "internal/command/table_gen.go", "the file to write")
	flag.Parse()
	if err := run(*server, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// hidden are flags Redis 7.0 sets but keeps out of COMMAND INFO
// (addReplyFlagsForCommand marks them "hidden on purpose"), so introspection
// cannot see them. They come from Redis 7.0's src/commands/*.json.
var hidden = map[string][]string{
	"MayReplicate": {"eval", "evalsha", "fcall", "pfcount", "publish", "spublish"},
	"Protected":    {"debug", "module"},
}

func run(server, out string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	addr, stop, err := startServer(ctx, server)
	if err != nil {
		return err
	}
	defer stop()

	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return fmt.Errorf("dial %s: %w", addr, err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		return err
	}
	c := &client{w: conn, r: bufio.NewReader(conn)}

	hello, err := c.do("HELLO", "3")
	if err != nil {
		return fmt.Errorf("HELLO 3: %w", err)
	}
	version := hello.get("version").str
	if !strings.HasPrefix(version, "7.0.") {
		return fmt.Errorf("%s is redis %s; the table describes 7.0", server, version)
	}
	info, err := c.do("COMMAND", "INFO")
	if err != nil {
		return fmt.Errorf("COMMAND INFO: %w", err)
	}
	docs, err := c.do("COMMAND", "DOCS")
	if err != nil {
		return fmt.Errorf("COMMAND DOCS: %w", err)
	}

	src, err := generate(version, info, docs)
	if err != nil {
		return err
	}
	formatted, err := format.Source(src)
	if err != nil {
		return fmt.Errorf("gofmt generated code: %w", err)
	}
	return os.WriteFile(out, formatted, 0o644)
}

// startServer runs redis-server on a free port and waits until it answers
// PING.
func startServer(ctx context.Context, server string) (addr string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir, err := os.MkdirTemp("", "shardis-gen-")
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(server, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("start %s: %w", server, err)
	}
	stop = func() {
		cmd.Process.Kill()
		cmd.Wait()
		os.RemoveAll(dir)
	}
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for {
		if ping(addr) {
			return addr, stop, nil
		}
		select {
		case <-ctx.Done():
			stop()
			return "", nil, fmt.Errorf("%s on %s did not answer PING: %w", server, addr, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func ping(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Second))
	c := &client{w: conn, r: bufio.NewReader(conn)}
	v, err := c.do("PING")
	return err == nil && v.str == "PONG"
}

// value is a parsed RESP3 reply. Maps keep their order, as pairs in elems.
type value struct {
	kind  byte // '+', '-', ':', '$', '*', '~', '%', '_'
	str   string
	num   int64
	elems []value
}

// get returns the value of key in a map, or the zero value.
func (v value) get(key string) value {
	if v.kind != '%' {
		return value{}
	}
	for i := 0; i+1 < len(v.elems); i += 2 {
		if v.elems[i].str == key {
			return v.elems[i+1]
		}
	}
	return value{}
}

// keys returns the keys of a map, in order.
func (v value) keys() []string {
	var ks []string
	for i := 0; i+1 < len(v.elems); i += 2 {
		ks = append(ks, v.elems[i].str)
	}
	return ks
}

type client struct {
	w io.Writer
	r *bufio.Reader
}

func (c *client) do(args ...string) (value, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.w.Write(b.Bytes()); err != nil {
		return value{}, err
	}
	v, err := c.read()
	if err == nil && v.kind == '-' {
		err = errors.New(v.str)
	}
	return v, err
}

func (c *client) read() (value, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return value{}, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return value{}, fmt.Errorf("bad line %q", line)
	}
	kind, body := line[0], line[1:len(line)-2]
	v := value{kind: kind}
	switch kind {
	case '+', '-':
		v.str = body
	case ':':
		v.num, err = strconv.ParseInt(body, 10, 64)
	case '_':
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil {
			return v, err
		}
		if n < 0 {
			v.kind = '_'
			return v, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, buf); err != nil {
			return v, err
		}
		v.str = string(buf[:n])
	case '*', '~', '%':
		n, err := strconv.Atoi(body)
		if err != nil {
			return v, err
		}
		if kind == '%' {
			n *= 2
		}
		v.elems = make([]value, n)
		for i := range v.elems {
			if v.elems[i], err = c.read(); err != nil {
				return v, err
			}
		}
	default:
		return v, fmt.Errorf("unexpected reply type %q", kind)
	}
	return v, err
}

// Go names of the flags COMMAND INFO reports.
var flagGo = map[string]string{
	"write": "Write", "readonly": "Readonly", "denyoom": "Denyoom", "module": "Module",
	"admin": "Admin", "pubsub": "Pubsub", "noscript": "Noscript", "blocking": "Blocking",
	"loading": "Loading", "stale": "Stale", "skip_monitor": "SkipMonitor",
	"skip_slowlog": "SkipSlowlog", "asking": "Asking", "fast": "Fast", "no_auth": "NoAuth",
	"may_replicate": "MayReplicate", "no_mandatory_keys": "NoMandatoryKeys",
	"protected": "Protected", "no_async_loading": "NoAsyncLoading", "no_multi": "NoMulti",
	"movablekeys": "MovableKeys", "allow_busy": "AllowBusy",
}

var keyFlagGo = map[string]string{
	"RO": "KeyRO", "RW": "KeyRW", "OW": "KeyOW", "RM": "KeyRM", "access": "KeyAccess",
	"update": "KeyUpdate", "insert": "KeyInsert", "delete": "KeyDelete",
	"not_key": "KeyNotKey", "incomplete": "KeyIncomplete", "variable_flags": "KeyVariableFlags",
}

var docFlagGo = map[string]string{"deprecated": "DocDeprecated", "syscmd": "DocSyscmd"}

var argFlagGo = map[string]string{
	"optional": "ArgOptional", "multiple": "ArgMultiple", "multiple_token": "ArgMultipleToken",
}

var argTypeGo = map[string]string{
	"string": "ArgString", "integer": "ArgInteger", "double": "ArgDouble", "key": "ArgKey",
	"pattern": "ArgPattern", "unix-time": "ArgUnixTime", "pure-token": "ArgPureToken",
	"oneof": "ArgOneOf", "block": "ArgBlock",
}

type gen struct {
	b      bytes.Buffer
	docs   map[string]value // by full name, subcommands included
	hidden map[string][]string
	seen   map[string]bool
}

func generate(version string, info, docs value) ([]byte, error) {
	g := &gen{docs: map[string]value{}, hidden: map[string][]string{}, seen: map[string]bool{}}
	var addDocs func(m value)
	addDocs = func(m value) {
		for i := 0; i+1 < len(m.elems); i += 2 {
			d := m.elems[i+1]
			g.docs[m.elems[i].str] = d
			if subs := d.get("subcommands"); subs.kind == '%' {
				addDocs(subs)
			}
		}
	}
	addDocs(docs)
	for f, names := range hidden {
		for _, n := range names {
			g.hidden[n] = append(g.hidden[n], f)
		}
	}
	for _, fs := range g.hidden {
		sort.Strings(fs) // map order must not change the output
	}

	cmds := info.elems
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].elems[0].str < cmds[j].elems[0].str })

	fmt.Fprintf(&g.b, "// Code generated by \"go run ./internal/command/gen\" from redis-server %s's COMMAND INFO and COMMAND DOCS; DO NOT EDIT.\n\n", version)
	g.b.WriteString("package command\n\n")
	fmt.Fprintf(&g.b, "// RedisVersion is the version of the redis-server the table was generated from.\nconst RedisVersion = %q\n\n", version)
	g.b.WriteString("var commands = []*Command{\n")
	for _, c := range cmds {
		if err := g.command(c); err != nil {
			return nil, err
		}
	}
	g.b.WriteString("}\n")

	for n := range g.docs {
		if !g.seen[n] {
			return nil, fmt.Errorf("COMMAND DOCS has %q, COMMAND INFO does not", n)
		}
	}
	for n := range g.hidden {
		if !g.seen[n] {
			return nil, fmt.Errorf("hidden flags for unknown command %q", n)
		}
	}
	return g.b.Bytes(), nil
}

func (g *gen) command(v value) error {
	if v.kind != '*' || len(v.elems) != 10 {
		return fmt.Errorf("COMMAND INFO entry is not a 10-element array: %+v", v)
	}
	e := v.elems
	name := e[0].str
	if name != strings.ToLower(name) {
		return fmt.Errorf("command name %q is not lower case", name)
	}
	g.seen[name] = true
	p := func(format string, args ...any) { fmt.Fprintf(&g.b, format, args...) }

	p("{\n")
	p("Name: %q, Arity: %d,\n", name, e[1].num)
	var flags []string
	for _, f := range e[2].elems {
		gf, ok := flagGo[f.str]
		if !ok {
			return fmt.Errorf("%s: unknown flag %q", name, f.str)
		}
		flags = append(flags, gf)
	}
	flags = append(flags, g.hidden[name]...)
	if len(flags) > 0 {
		p("Flags: %s,\n", strings.Join(flags, "|"))
	}
	if e[3].num != 0 || e[4].num != 0 || e[5].num != 0 {
		p("FirstKey: %d, LastKey: %d, Step: %d,\n", e[3].num, e[4].num, e[5].num)
	}
	var cats []string
	for _, c := range e[6].elems {
		if !strings.HasPrefix(c.str, "@") {
			return fmt.Errorf("%s: ACL category %q has no @", name, c.str)
		}
		cats = append(cats, strconv.Quote(c.str[1:]))
	}
	if len(cats) > 0 {
		p("ACLCategories: []string{%s},\n", strings.Join(cats, ", "))
	}
	var tips []string
	for _, t := range e[7].elems {
		tips = append(tips, strconv.Quote(t.str))
	}
	if len(tips) > 0 {
		p("Tips: []string{%s},\n", strings.Join(tips, ", "))
	}
	if len(e[8].elems) > 0 {
		p("KeySpecs: []KeySpec{\n")
		for _, ks := range e[8].elems {
			if err := g.keySpec(name, ks); err != nil {
				return err
			}
		}
		p("},\n")
	}
	d, ok := g.docs[name]
	if !ok {
		return fmt.Errorf("%s: no COMMAND DOCS entry", name)
	}
	if err := g.doc(name, d); err != nil {
		return err
	}
	if len(e[9].elems) > 0 {
		subs := e[9].elems
		sort.Slice(subs, func(i, j int) bool { return subs[i].elems[0].str < subs[j].elems[0].str })
		p("Subcommands: []*Command{\n")
		for _, s := range subs {
			if !strings.HasPrefix(s.elems[0].str, name+"|") {
				return fmt.Errorf("%s: subcommand %q", name, s.elems[0].str)
			}
			if err := g.command(s); err != nil {
				return err
			}
		}
		p("},\n")
	}
	p("},\n")
	return nil
}

func (g *gen) keySpec(name string, ks value) error {
	p := func(format string, args ...any) { fmt.Fprintf(&g.b, format, args...) }
	for _, k := range ks.keys() {
		switch k {
		case "notes", "flags", "begin_search", "find_keys":
		default:
			return fmt.Errorf("%s: unknown key spec field %q", name, k)
		}
	}
	p("{")
	if n := ks.get("notes"); n.kind != 0 {
		p("Notes: %q, ", n.str)
	}
	var flags []string
	for _, f := range ks.get("flags").elems {
		gf, ok := keyFlagGo[f.str]
		if !ok {
			return fmt.Errorf("%s: unknown key spec flag %q", name, f.str)
		}
		flags = append(flags, gf)
	}
	if len(flags) > 0 {
		p("Flags: %s, ", strings.Join(flags, "|"))
	}
	bs := ks.get("begin_search")
	spec := bs.get("spec")
	switch t := bs.get("type").str; t {
	case "index":
		p("BeginSearch: BeginSearch{Type: SearchIndex, Index: %d}, ", spec.get("index").num)
	case "keyword":
		p("BeginSearch: BeginSearch{Type: SearchKeyword, Keyword: %q, StartFrom: %d}, ",
			spec.get("keyword").str, spec.get("startfrom").num)
	case "unknown":
		p("BeginSearch: BeginSearch{Type: SearchUnknown}, ")
	default:
		return fmt.Errorf("%s: unknown begin_search type %q", name, t)
	}
	fk := ks.get("find_keys")
	spec = fk.get("spec")
	switch t := fk.get("type").str; t {
	case "range":
		p("FindKeys: FindKeys{Type: FindRange, LastKey: %d, KeyStep: %d, Limit: %d}",
			spec.get("lastkey").num, spec.get("keystep").num, spec.get("limit").num)
	case "keynum":
		p("FindKeys: FindKeys{Type: FindKeynum, KeyNumIdx: %d, FirstKey: %d, KeyStep: %d}",
			spec.get("keynumidx").num, spec.get("firstkey").num, spec.get("keystep").num)
	case "unknown":
		p("FindKeys: FindKeys{Type: FindUnknown}")
	default:
		return fmt.Errorf("%s: unknown find_keys type %q", name, t)
	}
	p("},\n")
	return nil
}

func (g *gen) doc(name string, d value) error {
	p := func(format string, args ...any) { fmt.Fprintf(&g.b, format, args...) }
	p("Docs: Docs{\n")
	for _, k := range d.keys() {
		v := d.get(k)
		switch k {
		case "summary":
			p("Summary: %q,\n", v.str)
		case "since":
			p("Since: %q,\n", v.str)
		case "group":
			p("Group: %q,\n", v.str)
		case "complexity":
			p("Complexity: %q,\n", v.str)
		case "deprecated_since":
			p("DeprecatedSince: %q,\n", v.str)
		case "replaced_by":
			p("ReplacedBy: %q,\n", v.str)
		case "doc_flags":
			var fs []string
			for _, f := range v.elems {
				gf, ok := docFlagGo[f.str]
				if !ok {
					return fmt.Errorf("%s: unknown doc flag %q", name, f.str)
				}
				fs = append(fs, gf)
			}
			p("DocFlags: %s,\n", strings.Join(fs, "|"))
		case "history":
			p("History: []History{\n")
			for _, h := range v.elems {
				p("{%q, %q},\n", h.elems[0].str, h.elems[1].str)
			}
			p("},\n")
		case "arguments":
			p("Arguments: ")
			if err := g.args(name, v); err != nil {
				return err
			}
			p(",\n")
		case "subcommands":
			// Written with the subcommands' INFO entries.
		default:
			return fmt.Errorf("%s: unknown COMMAND DOCS field %q", name, k)
		}
	}
	p("},\n")
	return nil
}

func (g *gen) args(name string, list value) error {
	p := func(format string, args ...any) { fmt.Fprintf(&g.b, format, args...) }
	p("[]Arg{\n")
	for _, a := range list.elems {
		p("{")
		ksi := int64(-1)
		var sub *value
		for _, k := range a.keys() {
			v := a.get(k)
			switch k {
			case "name":
				p("Name: %q, ", v.str)
			case "type":
				t, ok := argTypeGo[v.str]
				if !ok {
					return fmt.Errorf("%s: unknown argument type %q", name, v.str)
				}
				p("Type: %s, ", t)
			case "display_text":
				p("DisplayText: %q, ", v.str)
			case "key_spec_index":
				ksi = v.num
			case "token":
				if v.str == "" {
					p("EmptyToken: true, ")
				} else {
					p("Token: %q, ", v.str)
				}
			case "summary":
				p("Summary: %q, ", v.str)
			case "since":
				p("Since: %q, ", v.str)
			case "deprecated_since":
				p("DeprecatedSince: %q, ", v.str)
			case "flags":
				var fs []string
				for _, f := range v.elems {
					gf, ok := argFlagGo[f.str]
					if !ok {
						return fmt.Errorf("%s: unknown argument flag %q", name, f.str)
					}
					fs = append(fs, gf)
				}
				p("Flags: %s, ", strings.Join(fs, "|"))
			case "arguments":
				sub = &v
			default:
				return fmt.Errorf("%s: unknown argument field %q", name, k)
			}
		}
		p("KeySpecIndex: %d", ksi)
		if sub != nil {
			p(", Arguments: ")
			if err := g.args(name, *sub); err != nil {
				return err
			}
		}
		p("},\n")
	}
	p("}")
	return nil
}
