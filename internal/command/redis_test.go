package command

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/shardis/shardis/internal/testproc"
)

// startRedis starts a redis-server on a free port for the test and returns
// its address. The test is skipped when there is no redis-server on PATH,
// and fails instead when SHARDIS_INTEROP=1 asks for interop tests.
func startRedis(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("SHARDIS_INTEROP") == "1" {
			t.Fatalf("SHARDIS_INTEROP=1 but no redis-server on PATH: %v", err)
		}
		t.Skip("no redis-server on PATH")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir())
	cmd.SysProcAttr = testproc.Attr()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			rc := &redisConn{t: t, c: c, r: bufio.NewReader(c)}
			c.SetDeadline(time.Now().Add(time.Second))
			rep, err := rc.tryDo("PING")
			c.Close()
			if err == nil && string(rep) == "+PONG\r\n" {
				return addr
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("redis-server on %s did not answer PING in time", addr)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// redisConn is a connection to redis-server that returns each reply as the
// raw bytes it arrived as.
type redisConn struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dialRedis(t *testing.T, addr string, proto int) *redisConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	rc := &redisConn{t: t, c: c, r: bufio.NewReader(c)}
	if proto == 3 {
		rc.do("HELLO", "3")
	}
	return rc
}

func encodeRequest(args [][]byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n", len(a))
		b.Write(a)
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

func (rc *redisConn) tryDoBytes(args [][]byte) ([]byte, error) {
	if err := rc.c.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return nil, err
	}
	if _, err := rc.c.Write(encodeRequest(args)); err != nil {
		return nil, err
	}
	var raw bytes.Buffer
	if err := readRaw(rc.r, &raw); err != nil {
		return nil, err
	}
	return raw.Bytes(), nil
}

func (rc *redisConn) tryDo(args ...string) ([]byte, error) {
	return rc.tryDoBytes(bargs(args...))
}

func (rc *redisConn) doBytes(args [][]byte) []byte {
	rc.t.Helper()
	rep, err := rc.tryDoBytes(args)
	if err != nil {
		rc.t.Fatalf("%q: %v", args, err)
	}
	return rep
}

func (rc *redisConn) do(args ...string) []byte { return rc.doBytes(bargs(args...)) }

func bargs(args ...string) [][]byte {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	return b
}

// readRaw copies one complete RESP2/RESP3 reply from r to raw.
func readRaw(r *bufio.Reader, raw *bytes.Buffer) error {
	line, err := r.ReadBytes('\n')
	if err != nil {
		return err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return fmt.Errorf("bad reply line %q", line)
	}
	raw.Write(line)
	body := string(line[1 : len(line)-2])
	switch line[0] {
	case '+', '-', ':', '_', ',', '#', '(':
		return nil
	case '$', '=', '!':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return err
		}
		_, err = io.CopyN(raw, r, int64(n)+2)
		return err
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(body)
		if err != nil {
			return err
		}
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := readRaw(r, raw); err != nil {
				return err
			}
		}
		if line[0] == '|' { // an attribute precedes the reply itself
			return readRaw(r, raw)
		}
		return nil
	}
	return fmt.Errorf("unknown reply type %q", line[0])
}

// node is a parsed reply that keeps its encoding, for normalizing the
// parts of a reply whose order Redis does not fix.
type node struct {
	head  []byte // the first line, CRLF included
	body  []byte // a bulk string's payload and CRLF
	elems []*node
}

func parseNode(r *bufio.Reader) (*node, error) {
	line, err := r.ReadBytes('\n')
	if err != nil {
		return nil, err
	}
	n := &node{head: line}
	body := string(line[1 : len(line)-2])
	switch line[0] {
	case '$', '=', '!':
		size, _ := strconv.Atoi(body)
		if size < 0 {
			return n, nil
		}
		n.body = make([]byte, size+2)
		_, err = io.ReadFull(r, n.body)
		return n, err
	case '*', '~', '>', '%':
		size, _ := strconv.Atoi(body)
		if line[0] == '%' {
			size *= 2
		}
		for i := 0; i < size; i++ {
			e, err := parseNode(r)
			if err != nil {
				return nil, err
			}
			n.elems = append(n.elems, e)
		}
	}
	return n, nil
}

func mustParse(t *testing.T, raw []byte) *node {
	t.Helper()
	n, err := parseNode(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatalf("parse %q: %v", raw, err)
	}
	return n
}

func (n *node) encode(b *bytes.Buffer) {
	b.Write(n.head)
	b.Write(n.body)
	for _, e := range n.elems {
		e.encode(b)
	}
}

func (n *node) bytes() []byte {
	var b bytes.Buffer
	n.encode(&b)
	return b.Bytes()
}

func (n *node) str() string {
	if len(n.body) >= 2 {
		return string(n.body[:len(n.body)-2])
	}
	return ""
}

func (n *node) isMap(proto int) bool {
	if proto == 3 {
		return n.head[0] == '%'
	}
	return n.head[0] == '*'
}

// sortElems sorts the elements of an array or set by their encoding.
func (n *node) sortElems() {
	sort.Slice(n.elems, func(i, j int) bool { return bytes.Compare(n.elems[i].bytes(), n.elems[j].bytes()) < 0 })
}

// sortPairs sorts the pairs of a map (or of its RESP2 flat array) by key.
func (n *node) sortPairs() {
	type pair struct{ k, v *node }
	ps := make([]pair, 0, len(n.elems)/2)
	for i := 0; i+1 < len(n.elems); i += 2 {
		ps = append(ps, pair{n.elems[i], n.elems[i+1]})
	}
	sort.Slice(ps, func(i, j int) bool { return bytes.Compare(ps[i].k.bytes(), ps[j].k.bytes()) < 0 })
	n.elems = n.elems[:0]
	for _, p := range ps {
		n.elems = append(n.elems, p.k, p.v)
	}
}

// normInfo puts the subcommands of a COMMAND INFO entry in a fixed order.
func normInfo(n *node) {
	if len(n.elems) != 10 {
		return // a null
	}
	for _, s := range n.elems[9].elems {
		normInfo(s)
	}
	n.elems[9].sortElems()
}

// normDocs puts the subcommands of a COMMAND DOCS entry in a fixed order.
func normDocs(n *node) {
	for i := 0; i+1 < len(n.elems); i += 2 {
		if n.elems[i].str() == "subcommands" {
			subs := n.elems[i+1]
			for j := 1; j < len(subs.elems); j += 2 {
				normDocs(subs.elems[j])
			}
			subs.sortPairs()
		}
	}
}
