package proxy

import (
	"bytes"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shardis/shardis/internal/resp"
)

// startValueNode starts a RESP node that answers GET big with big, GET err
// with an error, and everything else with +OK.
func startValueNode(t *testing.T, big []byte) string {
	return startScriptedNode(t, func(w *resp.Writer, args [][]byte) {
		switch {
		case len(args) == 2 && string(args[1]) == "big":
			w.WriteBulk(big)
		case len(args) == 2 && string(args[1]) == "err":
			w.WriteError("ERR boom")
		default:
			w.WriteOK()
		}
	})
}

// TestDirectReplies checks the replies a link reader writes to the client
// for a session with one request in flight: a reply larger than the
// socket takes goes out in part and the session writes the rest, in order
// with what follows; error replies written so count in INFO; a batch of
// several requests is answered by the session.
func TestDirectReplies(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 2<<20) // 32 MB
	srv, addr := startTestProxy(t, "", startValueNode(t, big))
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	rr := resp.NewReplyReader(nc)

	if got := rawDo(t, nc, rr, "GET", "big"); got != "$"+strconv.Itoa(len(big))+"\r\n"+string(big)+"\r\n" {
		t.Fatalf("GET big: %d bytes, not the value", len(got))
	}
	if srv.stats.directPart.Load() == 0 {
		t.Fatal("a 32 MB reply went out whole in one write: the partial path was not taken")
	}
	whole := srv.stats.directWhole.Load()
	if got := rawDo(t, nc, rr, "GET", "err"); got != "-ERR boom\r\n" {
		t.Fatalf("GET err = %q", got)
	}
	// The reader counts a direct reply after its write, which the client
	// may see first; it wakes the session after counting, and the session
	// reads the next request only once woken, so a reply to the next
	// request orders the count before the check.
	if got := rawDo(t, nc, rr, "PING"); got != "+PONG\r\n" {
		t.Fatalf("PING = %q", got)
	}
	if srv.stats.directWhole.Load() != whole+1 {
		t.Fatal("a single GET's reply was not written by the link reader")
	}
	// Two requests in one write: one batch, answered by the session.
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	two := append(resp.AppendCommand(nil, "GET", "err"), resp.AppendCommand(nil, "SET", "a", "b")...)
	if _, err := nc.Write(two); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"-ERR boom\r\n", "+OK\r\n"} {
		raw, err := rr.ReadRaw()
		if err != nil || string(raw) != want {
			t.Fatalf("pipelined reply %q, %v; want %q", raw, err, want)
		}
	}
	info := rawDo(t, nc, rr, "INFO", "stats")
	if !strings.Contains(info, "\r\ntotal_error_replies:2\r\n") {
		t.Fatalf("INFO stats does not count 2 error replies:\n%s", info)
	}
}
