package e2e

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Malformed requests: every class of bad input gets the same bytes back
// from the target as from redis-server, and the connection is closed after
// it exactly when redis-server closes it.

// sentinel ends the tail of cases whose connection must stay open: its
// reply proves the connection is alive and marks the end of the transcript.
const (
	sentinel      = "ECHO malformed-sentinel\r\n"
	sentinelReply = "$18\r\nmalformed-sentinel\r\n"
)

type malformedCase struct {
	name string
	// input is sent first.
	input string
	// tail is sent after input. When it ends with sentinel, the transcript
	// ends with the sentinel's reply (the connection is open); otherwise
	// it ends when the server closes the connection.
	tail string
	// auth runs the case against servers that require a password, on a
	// connection that has not authenticated.
	auth bool
}

// authThenSentinel ends the tail of cases on a connection that has not
// authenticated yet (ECHO alone would only get -NOAUTH).
const authThenSentinel = "AUTH " + authPassword + "\r\n" + sentinel

// protoInlineMax is redis-server's PROTO_INLINE_MAX_SIZE: the longest
// inline request, and the longest multibulk header line.
const protoInlineMax = 64 * 1024

var malformedCases = []malformedCase{
	// multibulk count
	{name: "mbulk-count-not-a-number", input: "*abc\r\n"},
	{name: "mbulk-count-negative", input: "*-1\r\n", tail: "PING\r\n" + sentinel},
	{name: "mbulk-count-very-negative", input: "*-100\r\n", tail: sentinel},
	{name: "mbulk-count-zero", input: "*0\r\n", tail: sentinel},
	// redis-server 7.0 has no argument-count limit below INT_MAX for an
	// authenticated client: it waits for the arguments.
	{name: "mbulk-count-above-1m", input: "*1048577\r\n", tail: strings.Repeat("$0\r\n\r\n", 1048577) + sentinel},
	{name: "mbulk-count-above-int-max", input: "*2147483648\r\n"},
	{name: "mbulk-count-overflows", input: "*99999999999999999999\r\n"},
	{name: "mbulk-count-plus-sign", input: "*+1\r\n$4\r\nPING\r\n"},
	{name: "mbulk-count-leading-space", input: "* 1\r\n$4\r\nPING\r\n"},
	{name: "mbulk-count-leading-zero", input: "*01\r\n$4\r\nPING\r\n"},
	{name: "mbulk-count-empty", input: "*\r\n"},
	{name: "mbulk-count-lf-only", input: "*1\n$4\r\nPING\r\n"},
	{name: "mbulk-count-line-too-long", input: "*" + strings.Repeat("1", protoInlineMax)},
	{name: "mbulk-double-star", input: "**1\r\n"},
	// bulk length
	{name: "bulk-len-not-a-number", input: "*1\r\n$abc\r\n"},
	{name: "bulk-len-negative", input: "*1\r\n$-1\r\n"},
	{name: "bulk-len-very-negative", input: "*1\r\n$-100\r\n"},
	{name: "bulk-len-above-proto-max-bulk-len", input: "*1\r\n$536870913\r\n"},
	{name: "bulk-len-overflows", input: "*1\r\n$99999999999999999999\r\n"},
	{name: "bulk-len-empty", input: "*1\r\n$\r\n"},
	{name: "bulk-len-leading-zero", input: "*1\r\n$04\r\nPING\r\n"},
	{name: "bulk-len-plus-sign", input: "*1\r\n$+4\r\nPING\r\n"},
	{name: "bulk-len-lf-only", input: "*1\r\n$4\nPING\r\n"},
	{name: "bulk-len-line-too-long", input: "*1\r\n$" + strings.Repeat("1", protoInlineMax)},
	{name: "bulk-missing-dollar", input: "*1\r\nPING\r\n"},
	{name: "bulk-wrong-type-byte", input: "*1\r\n:4\r\nPING\r\n"},
	// bulk data
	{name: "bulk-data-without-crlf", input: "*1\r\n$4\r\nPINGxx", tail: sentinel},
	{name: "bulk-data-longer-than-declared", input: "*1\r\n$2\r\nPING\r\n", tail: sentinel},
	{name: "bulk-data-crlf-arrives-later", input: "*1\r\n$4\r\nPING", tail: "\r\n" + sentinel},
	{name: "bulk-never-finishes-then-does", input: "*2\r\n$3\r\nGET\r\n$5\r\nab", tail: "cde\r\n" + sentinel},
	{name: "bulk-large-declared-arrives-slowly", input: "*2\r\n$4\r\nECHO\r\n$100000\r\n" + strings.Repeat("x", 10),
		tail: strings.Repeat("y", 100000-10) + "\r\n" + sentinel},
	{name: "bulk-empty-command-name", input: "*1\r\n$0\r\n\r\n", tail: sentinel},
	{name: "mbulk-more-bulks-than-declared", input: "*1\r\n$4\r\nPING\r\n$4\r\nPING\r\n", tail: sentinel},
	{name: "mbulk-max-args", input: "*1048576\r\n", tail: strings.Repeat("$0\r\n\r\n", 1048576) + sentinel},
	// inline
	{name: "inline-unbalanced-double-quote", input: "SET \"a b\r\n"},
	{name: "inline-unbalanced-single-quote", input: "SET 'a\r\n"},
	{name: "inline-closing-quote-not-followed-by-space", input: "SET \"a\"b c\r\n"},
	{name: "inline-quotes-and-escapes", input: "SET \"a b\" 'c d'\r\nGET \"a b\"\r\nECHO \"\\x41\\n\"\r\n", tail: sentinel},
	{name: "inline-lf-only", input: "PING\n", tail: sentinel},
	{name: "inline-empty-lines", input: "\r\n\r\n\n", tail: sentinel},
	{name: "inline-spaces-only", input: "   \r\n", tail: sentinel},
	{name: "inline-too-big", input: strings.Repeat("a", protoInlineMax+1)},
	{name: "inline-many-args", input: "ECHO" + strings.Repeat(" x", 3000) + "\r\n", tail: sentinel},
	// redis-server looks for the end of an inline request with strchr, so
	// a NUL hides the newline: the request grows until it is too big.
	{name: "inline-nul-byte", input: "ECHO a\x00b\r\n", tail: strings.Repeat("a", protoInlineMax)},
	{name: "inline-then-multibulk", input: "PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nPING x\r\n", tail: sentinel},
	{name: "inline-unknown-command", input: "NOSUCH a b\r\n", tail: sentinel},
	// before AUTH, redis-server allows at most 10 arguments and 16 KB bulks
	{name: "unauthenticated-mbulk-count", auth: true, input: "*11\r\n"},
	{name: "unauthenticated-mbulk-count-10", auth: true, input: "*10\r\n" + strings.Repeat("$1\r\nx\r\n", 10), tail: authThenSentinel},
	{name: "unauthenticated-bulk-len", auth: true, input: "*1\r\n$16385\r\n"},
	{name: "unauthenticated-bulk-len-16k", auth: true, input: "*2\r\n$4\r\nECHO\r\n$16384\r\n" + strings.Repeat("z", 16384) + "\r\n", tail: authThenSentinel},
	{name: "unauthenticated-inline", auth: true, input: "AUTH\r\nPING\r\n", tail: authThenSentinel},
}

// transcript is what a server did with one malformed input.
type transcript struct {
	reply  []byte
	closed bool   // the server closed the connection
	err    string // how reading ended when it was neither EOF nor the sentinel
}

// runMalformed sends c to addr on a new connection and records the reply
// bytes and whether the connection was closed.
func runMalformed(t *testing.T, addr string, c malformedCase) transcript {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	// Write from another goroutine: a server that stops reading must not
	// block this one before it reads the reply.
	wrote := make(chan error, 1)
	go func() {
		_, err := io.WriteString(conn, c.input)
		if err == nil && c.tail != "" {
			_, err = io.WriteString(conn, c.tail)
		}
		wrote <- err
	}()
	var tr transcript
	buf := make([]byte, 64*1024)
	for {
		n, err := conn.Read(buf)
		tr.reply = append(tr.reply, buf[:n]...)
		if strings.HasSuffix(c.tail, sentinel) && bytes.HasSuffix(tr.reply, []byte(sentinelReply)) {
			break
		}
		if err != nil {
			switch {
			case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET):
				tr.closed = true
			case errors.Is(err, os.ErrDeadlineExceeded):
				tr.err = "no reply and no close within 20s"
			default:
				tr.err = err.Error()
			}
			break
		}
		if len(tr.reply) > 16<<20 {
			tr.err = "more than 16 MB of reply"
			break
		}
	}
	conn.Close()
	<-wrote // the write fails once the connection is closed; it must end
	return tr
}

// TestInteropMalformedRequests compares redis-server and the target on
// every malformed request class.
func TestInteropMalformedRequests(t *testing.T) {
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	authCfg := serverConfig{requirePass: authPassword}
	oracleAuth := startRedis(t, authCfg.redisArgs()...)
	targetAuth := startTarget(t, authCfg)
	for _, c := range malformedCases {
		t.Run(c.name, func(t *testing.T) {
			o, g := oracle, target
			if c.auth {
				o, g = oracleAuth, targetAuth
			}
			want := runMalformed(t, o, c)
			if want.err != "" {
				t.Fatalf("redis-server: %s (reply so far %s): the case is wrong", want.err, quoteRaw(want.reply))
			}
			got := runMalformed(t, g, c)
			if !bytes.Equal(got.reply, want.reply) || got.closed != want.closed || got.err != "" {
				t.Errorf("input %s\n  redis-server: %s closed=%v\n  %s: %s closed=%v %s",
					quoteRaw([]byte(c.input)), quoteRaw(want.reply), want.closed,
					diffTarget(), quoteRaw(got.reply), got.closed, got.err)
			} else if testing.Verbose() {
				t.Logf("both: %s closed=%v", quoteRaw(want.reply), want.closed)
			}
		})
	}
}
