package backend

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/shardis/shardis/internal/resp"
)

// recSink collects what commands propagate, checking on every call that
// the shards it is told are held are locked and that the records are
// complete RESP arrays.
type recSink struct {
	t   testing.TB
	srv *Server

	mu    sync.Mutex
	calls [][]string // one entry per Propagate call: "db: cmd args..." per record
}

func (k *recSink) Propagate(recs []Record, held []HeldShards) {
	for _, h := range held {
		for i := 0; i < nShards; i++ {
			if h.Shards&(1<<i) != 0 && k.srv.dbs[h.DB].shards[i].mu.TryLock() {
				k.srv.dbs[h.DB].shards[i].mu.Unlock()
				k.t.Errorf("Propagate: db %d shard %d said held but not locked", h.DB, i)
			}
		}
	}
	var call []string
	for _, r := range recs {
		args, err := parseRecord(r.Cmd)
		if err != nil {
			k.t.Errorf("record %q: %v", r.Cmd, err)
			continue
		}
		call = append(call, fmt.Sprintf("%d: %s", r.DB, strings.Join(args, " ")))
	}
	k.mu.Lock()
	k.calls = append(k.calls, call)
	k.mu.Unlock()
}

// parseRecord checks that cmd is exactly one RESP array and returns its
// arguments.
func parseRecord(cmd []byte) ([]string, error) {
	if len(cmd) == 0 || cmd[0] != '*' {
		return nil, fmt.Errorf("not a RESP array")
	}
	r := resp.NewReader(bytes.NewReader(cmd))
	args, err := r.ReadCommand()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = string(a)
	}
	if _, err := r.ReadCommand(); err != io.EOF {
		return nil, fmt.Errorf("bytes after the array (%v)", err)
	}
	return out, nil
}

// take returns the calls collected so far and forgets them.
func (k *recSink) take() [][]string {
	k.mu.Lock()
	defer k.mu.Unlock()
	c := k.calls
	k.calls = nil
	return c
}

// startRecording starts a server whose Sink is a recSink.
func startRecording(t *testing.T) (*Server, *recSink, *testConn) {
	t.Helper()
	s, addr := startTestServer(t)
	k := &recSink{t: t, srv: s}
	s.SetSink(k)
	return s, k, dialTest(t, addr)
}

// expireNow makes key's time run out without waiting.
func expireNow(t *testing.T, s *Server, db int, key string) {
	t.Helper()
	d := s.db(db)
	sh := d.shard([]byte(key))
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := sh.dict.find([]byte(key))
	if e == nil {
		t.Fatalf("expireNow: no key %q", key)
	}
	sh.setExpire(e, 1)
}

func TestPropagateExpiredKeys(t *testing.T) {
	s, k, c := startRecording(t)
	s.activeExpire.Store(false)
	c.expect("+OK\r\n", "SET", "k", "v")
	c.expect("+OK\r\n", "SET", "k2", "v")
	k.take()
	// Lazy expiry, in a read: DEL alone.
	expireNow(t, s, 0, "k")
	c.expect("$-1\r\n", "GET", "k")
	if got := k.take(); fmt.Sprint(got) != "[[0: DEL k]]" {
		t.Errorf("GET of an expired key propagated %q", got)
	}
	// Active expiry: no client, one DEL per key.
	expireNow(t, s, 0, "k2")
	s.activeExpireCycle(1 << 50)
	if got := k.take(); fmt.Sprint(got) != "[[0: DEL k2]]" {
		t.Errorf("active expiry propagated %q", got)
	}
	// Nothing listens: nothing recorded, and nothing breaks.
	s.SetSink(nil)
	c.expect("+OK\r\n", "SET", "k3", "v")
	expireNow(t, s, 0, "k3")
	c.expect("$-1\r\n", "GET", "k3")
	if got := k.take(); len(got) != 0 {
		t.Errorf("with no sink: %q", got)
	}
}
