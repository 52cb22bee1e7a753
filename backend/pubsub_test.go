package backend

import (
	"bytes"
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/shardis/shardis/internal/resp"
)

// push reads the next reply the server pushes on c without a command.
func (c *testConn) push() string {
	c.t.Helper()
	c.nc.SetDeadline(time.Now().Add(10 * time.Second))
	b, err := c.rr.ReadRaw()
	if err != nil {
		c.t.Fatalf("reading a push: %v", err)
	}
	return string(b)
}

// send writes a command without reading a reply.
func (c *testConn) send(args ...string) {
	c.t.Helper()
	if _, err := c.nc.Write(resp.AppendCommand(nil, args...)); err != nil {
		c.t.Fatalf("write %q: %v", args, err)
	}
}

// Replies recorded from redis-server 7.0.15: a subscriber (sub) and a
// publisher (pub); "push" steps read what the subscriber was sent.
func TestPubsubTranscript(t *testing.T) {
	_, addr := startTestServer(t)
	sub, pub := dialTest(t, addr), dialTest(t, addr)
	steps := []struct {
		on   string // "sub", "pub" or "push" (read from sub)
		want string
		cmd  string
	}{
		{"sub", "*3\r\n$9\r\nsubscribe\r\n$2\r\nc1\r\n:1\r\n", "SUBSCRIBE c1"},
		{"sub", "-ERR Can't execute 'config|get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n", "CONFIG GET maxmemory"},
		{"sub", "-ERR unknown command 'nosuch', with args beginning with: \r\n", "nosuch"},
		{"sub", "-ERR wrong number of arguments for 'ping' command\r\n", "PING a b"},
		{"sub", "*2\r\n$4\r\npong\r\n$1\r\nx\r\n", "PING x"},
		{"pub", "*1\r\n$2\r\nc1\r\n", "PUBSUB CHANNELS"},
		{"pub", "*1\r\n$2\r\nc1\r\n", "PUBSUB CHANNELS c*"},
		{"pub", "-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n", "PUBSUB CHANNELS a b"},
		{"pub", "*0\r\n", "PUBSUB NUMSUB"},
		{"pub", "*4\r\n$2\r\nc1\r\n:1\r\n$2\r\nc2\r\n:0\r\n", "PUBSUB NUMSUB c1 c2"},
		{"pub", ":0\r\n", "PUBSUB NUMPAT"},
		{"pub", "*0\r\n", "PUBSUB SHARDCHANNELS"},
		{"pub", "*2\r\n$1\r\nx\r\n:0\r\n", "PUBSUB SHARDNUMSUB x"},
		{"pub", "-ERR unknown subcommand 'nosuch'. Try PUBSUB HELP.\r\n", "PUBSUB nosuch"},
		{"pub", "-ERR wrong number of arguments for 'pubsub|numpat' command\r\n", "PUBSUB NUMPAT x"},
		{"pub", ":1\r\n", "PUBLISH c1 m1"},
		{"push", "*3\r\n$7\r\nmessage\r\n$2\r\nc1\r\n$2\r\nm1\r\n", ""},
		{"sub", "*3\r\n$10\r\npsubscribe\r\n$2\r\nc?\r\n:2\r\n", "PSUBSCRIBE c?"},
		{"pub", ":2\r\n", "PUBLISH c1 m2"},
		{"push", "*3\r\n$7\r\nmessage\r\n$2\r\nc1\r\n$2\r\nm2\r\n", ""},
		{"push", "*4\r\n$8\r\npmessage\r\n$2\r\nc?\r\n$2\r\nc1\r\n$2\r\nm2\r\n", ""},
		{"sub", "*3\r\n$11\r\nunsubscribe\r\n$2\r\nc1\r\n:1\r\n", "UNSUBSCRIBE c1"},
		{"pub", ":1\r\n", "PUBLISH c1 m3"},
		{"push", "*4\r\n$8\r\npmessage\r\n$2\r\nc?\r\n$2\r\nc1\r\n$2\r\nm3\r\n", ""},
		{"sub", "*3\r\n$12\r\npunsubscribe\r\n$2\r\nc?\r\n:0\r\n", "PUNSUBSCRIBE c?"},
		{"pub", ":0\r\n", "PUBLISH c1 m3"},
		{"sub", "*3\r\n$10\r\nssubscribe\r\n$2\r\ns1\r\n:1\r\n", "SSUBSCRIBE s1"},
		{"pub", ":1\r\n", "SPUBLISH s1 sm"},
		{"push", "*3\r\n$8\r\nsmessage\r\n$2\r\ns1\r\n$2\r\nsm\r\n", ""},
		{"pub", ":0\r\n", "SPUBLISH nos sm"},
		{"pub", ":0\r\n", "PUBLISH s1 sm"},
		{"pub", "*1\r\n$2\r\ns1\r\n", "PUBSUB SHARDCHANNELS"},
		{"pub", "*4\r\n$2\r\ns1\r\n:1\r\n$1\r\nx\r\n:0\r\n", "PUBSUB SHARDNUMSUB s1 x"},
		{"sub", "*3\r\n$12\r\nsunsubscribe\r\n$2\r\ns1\r\n:0\r\n", "SUNSUBSCRIBE s1"},
		{"sub", "*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n", "SUNSUBSCRIBE"},
		{"sub", "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n", "UNSUBSCRIBE"},
		{"sub", "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n", "PUNSUBSCRIBE"},
		{"sub", "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n", "SUBSCRIBE a b a"},
		{"sub", "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$11\r\nunsubscribe\r\n$2\r\nzz\r\n:1\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:0\r\n", "UNSUBSCRIBE a zz b"},
		{"sub", "*3\r\n$9\r\nsubscribe\r\n$1\r\nx\r\n:1\r\n", "SUBSCRIBE x"},
		{"sub", "+RESET\r\n", "RESET"},
		{"pub", ":0\r\n", "PUBLISH x m"},
		{"sub", "$-1\r\n", "GET x"},
		// RESP3: pushes, and every command allowed.
		{"sub", ">3\r\n$9\r\nsubscribe\r\n$2\r\nc1\r\n:1\r\n", "SUBSCRIBE c1"},
		{"sub", "_\r\n", "GET x"},
		{"sub", "+PONG\r\n", "PING"},
		{"pub", ":1\r\n", "PUBLISH c1 hi"},
		{"push", ">3\r\n$7\r\nmessage\r\n$2\r\nc1\r\n$2\r\nhi\r\n", ""},
		{"sub", ">3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:2\r\n", "PSUBSCRIBE c*"},
		// A message to itself comes before PUBLISH's reply.
		{"sub", ">3\r\n$7\r\nmessage\r\n$2\r\nc1\r\n$4\r\nself\r\n>4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nc1\r\n$4\r\nself\r\n:2\r\n", "PUBLISH c1 self"},
		{"sub", ">3\r\n$11\r\nunsubscribe\r\n$2\r\nc1\r\n:1\r\n", "UNSUBSCRIBE"},
		{"sub", ">3\r\n$12\r\npunsubscribe\r\n$2\r\nc*\r\n:0\r\n", "PUNSUBSCRIBE"},
		{"sub", ">3\r\n$12\r\nsunsubscribe\r\n_\r\n:0\r\n", "SUNSUBSCRIBE"},
	}
	for i, st := range steps {
		if i > 0 && steps[i-1].cmd == "GET x" && st.cmd == "SUBSCRIBE c1" {
			sub.raw("HELLO", "3")
		}
		var got string
		switch st.on {
		case "sub":
			got = sub.raw(strings.Fields(st.cmd)...)
			// A multi-channel command's confirmations are separate replies.
			for strings.Count(got, "subscribe\r\n") < strings.Count(st.want, "subscribe\r\n") {
				got += sub.push()
			}
			if strings.HasSuffix(st.cmd, " self") {
				got += sub.push() + sub.push()
			}
		case "pub":
			got = pub.raw(strings.Fields(st.cmd)...)
		case "push":
			got = sub.push()
		}
		if got != st.want {
			t.Errorf("step %d %s %q: got %q, want %q", i, st.on, st.cmd, got, st.want)
		}
	}
}

// TestPubsubConfirmationsIgnoreReplyOff: (un)subscribe confirmations and
// messages are pushes, sent even with CLIENT REPLY OFF (redis-server 7.0.15).
func TestPubsubConfirmationsIgnoreReplyOff(t *testing.T) {
	_, addr := startTestServer(t)
	sub, pub := dialTest(t, addr), dialTest(t, addr)
	sub.raw("HELLO", "3")
	sub.expect(">3\r\n$9\r\nsubscribe\r\n$2\r\nc1\r\n:1\r\n", "SUBSCRIBE", "c1")
	sub.send("CLIENT", "REPLY", "OFF")
	pub.expect(":1\r\n", "PUBLISH", "c1", "off1")
	if got := sub.push(); got != ">3\r\n$7\r\nmessage\r\n$2\r\nc1\r\n$4\r\noff1\r\n" {
		t.Errorf("message under REPLY OFF: %q", got)
	}
	sub.send("SUBSCRIBE", "c2")
	if got := sub.push(); got != ">3\r\n$9\r\nsubscribe\r\n$2\r\nc2\r\n:2\r\n" {
		t.Errorf("confirmation under REPLY OFF: %q", got)
	}
	sub.send("GET", "x")
	sub.expect("+OK\r\n", "CLIENT", "REPLY", "ON")
}

// TestPubsubMultiExec: inside EXEC, a message to itself goes between the
// array's header and PUBLISH's result, as redis-server 7.0.15 writes it.
func TestPubsubMultiExec(t *testing.T) {
	_, addr := startTestServer(t)
	sub := dialTest(t, addr)
	sub.raw("HELLO", "3")
	sub.raw("SUBSCRIBE", "c1")
	sub.expect("+OK\r\n", "MULTI")
	sub.expect("+QUEUED\r\n", "PUBLISH", "c1", "inmulti")
	sub.expect("+QUEUED\r\n", "SUBSCRIBE", "c3")
	want := "*2\r\n>3\r\n$7\r\nmessage\r\n$2\r\nc1\r\n$7\r\ninmulti\r\n:1\r\n>3\r\n$9\r\nsubscribe\r\n$2\r\nc3\r\n:2\r\n"
	got := sub.raw("EXEC")
	for len(got) < len(want) {
		got += sub.push()
	}
	if got != want {
		t.Errorf("EXEC:\n got %q\nwant %q", got, want)
	}
}

// TestPubsubOutputBufferLimit: a subscriber that never reads is
// disconnected at the pubsub class's hard limit instead of growing memory.
func TestPubsubOutputBufferLimit(t *testing.T) {
	s, addr := startTestServer(t)
	pub := dialTest(t, addr)
	pub.expect("+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb 60")
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.(*net.TCPConn).SetReadBuffer(4096)
	nc.Write(resp.AppendCommand(nil, "SUBSCRIBE", "big"))
	for deadline := time.Now().Add(5 * time.Second); ; {
		if pub.raw("PUBSUB", "NUMSUB", "big") == "*2\r\n$3\r\nbig\r\n:1\r\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the subscriber never subscribed")
		}
		time.Sleep(time.Millisecond)
	}
	msg := strings.Repeat("x", 100000)
	cut := -1
	for i := 0; i < 400; i++ {
		if pub.raw("PUBLISH", "big", msg) == ":0\r\n" {
			cut = i
			break
		}
	}
	// The kernel's socket buffers take some before the queue grows.
	if cut < 10 || cut == -1 {
		t.Fatalf("subscriber cut after %d messages of 100 kB with a 1 MB limit", cut)
	}
	pub.expect("*2\r\n$3\r\nbig\r\n:0\r\n", "PUBSUB", "NUMSUB", "big")
	for deadline := time.Now().Add(5 * time.Second); len(s.clientsByID()) > 1; {
		if time.Now().After(deadline) {
			t.Fatal("the subscriber's connection was not closed")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestPubsubSoftLimit: over the soft limit for longer than its seconds.
func TestPubsubSoftLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the soft limit's seconds")
	}
	_, addr := startTestServer(t)
	pub := dialTest(t, addr)
	pub.expect("+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 256kb 1")
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.(*net.TCPConn).SetReadBuffer(4096)
	nc.Write(resp.AppendCommand(nil, "SUBSCRIBE", "big"))
	for pub.raw("PUBSUB", "NUMSUB", "big") != "*2\r\n$3\r\nbig\r\n:1\r\n" {
		time.Sleep(time.Millisecond)
	}
	msg := strings.Repeat("x", 64<<10)
	start := time.Now()
	for time.Since(start) < 10*time.Second {
		if pub.raw("PUBLISH", "big", msg) == ":0\r\n" {
			if el := time.Since(start); el < time.Second {
				t.Errorf("cut after %v, before the soft limit's second", el)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("a subscriber over the soft limit was never cut")
}

// TestPushesNeverSplitReplies: messages from many publishers reach a RESP3
// subscriber that is reading big replies; every frame must arrive whole
// and every reply must be the one asked for.
func TestPushesNeverSplitReplies(t *testing.T) {
	_, addr := startTestServer(t)
	sub := dialTest(t, addr)
	setup := dialTest(t, addr)
	big := strings.Repeat("v", 200000)
	setup.expect("+OK\r\n", "SET", "big", big)
	sub.raw("HELLO", "3")
	sub.expect(">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n", "SUBSCRIBE", "ch")

	const publishers, each = 4, 300
	var wg sync.WaitGroup
	for p := 0; p < publishers; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer nc.Close()
			rr := resp.NewReplyReader(nc)
			for i := 0; i < each; i++ {
				nc.Write(resp.AppendCommand(nil, "PUBLISH", "ch", strconv.Itoa(p)+":"+strconv.Itoa(i)))
				if _, err := rr.ReadRaw(); err != nil {
					t.Error(err)
					return
				}
			}
		}(p)
	}
	// The subscriber pipelines GETs while messages arrive.
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	messages := 0
	read := func() []byte {
		sub.nc.SetDeadline(time.Now().Add(10 * time.Second))
		b, err := sub.rr.ReadRaw()
		if err != nil {
			t.Fatalf("read: %v (after %d messages)", err, messages)
		}
		return b
	}
	isMessage := func(b []byte) bool {
		if bytes.HasPrefix(b, []byte(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n")) {
			messages++
			return true
		}
		return false
	}
	for finished := false; !finished; {
		select {
		case <-done:
			finished = true
		default:
		}
		sub.send("GET", "big")
		sub.send("GET", "big")
		for gets := 2; gets > 0; {
			b := read()
			switch {
			case isMessage(b):
			case string(b) == "$200000\r\n"+big+"\r\n":
				gets--
			default:
				t.Fatalf("unexpected frame %.80q", b)
			}
		}
	}
	for messages < publishers*each {
		if b := read(); !isMessage(b) {
			t.Fatalf("unexpected frame %.80q", b)
		}
	}
	if messages != publishers*each {
		t.Errorf("got %d messages, want %d", messages, publishers*each)
	}
}

// TestPubsubGoRedis subscribes and receives through go-redis in both
// protocols.
func TestPubsubGoRedis(t *testing.T) {
	_, addr := startTestServer(t)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			// Names of their own per protocol: the previous subtest's
			// unsubscriptions are not waited for, so its subscriptions may
			// still count for a moment.
			news := "news" + strconv.Itoa(proto)
			pat := news + "*"
			rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto})
			defer rdb.Close()
			ps := rdb.Subscribe(ctx, news)
			defer ps.Close()
			if _, err := ps.Receive(ctx); err != nil {
				t.Fatal(err)
			}
			if err := ps.PSubscribe(ctx, pat); err != nil {
				t.Fatal(err)
			}
			if _, err := ps.Receive(ctx); err != nil {
				t.Fatal(err)
			}
			if n, err := rdb.Publish(ctx, news, "hello").Result(); err != nil || n != 2 {
				t.Fatalf("PUBLISH = %d, %v", n, err)
			}
			got := map[string]bool{}
			for i := 0; i < 2; i++ {
				m, err := ps.ReceiveMessage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				got[m.Pattern+"|"+m.Channel+"|"+m.Payload] = true
			}
			if !got["|"+news+"|hello"] || !got[pat+"|"+news+"|hello"] {
				t.Errorf("messages: %v", got)
			}
			if err := ps.Ping(ctx, "p"); err != nil {
				t.Fatal(err)
			}
			if v, err := ps.Receive(ctx); err != nil {
				t.Fatal(err)
			} else if pong, ok := v.(*redis.Pong); !ok || pong.Payload != "p" {
				t.Errorf("PING in subscribed mode: %#v", v)
			}
			if n, err := rdb.PubSubNumSub(ctx, news).Result(); err != nil || n[news] != 1 {
				t.Errorf("NUMSUB = %v, %v", n, err)
			}
			if err := ps.Unsubscribe(ctx, news); err != nil {
				t.Fatal(err)
			}
			if err := ps.PUnsubscribe(ctx, pat); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestPubsubInfoAndClientList: INFO's and CLIENT LIST's pub/sub figures.
func TestPubsubInfoAndClientList(t *testing.T) {
	_, addr := startTestServer(t)
	sub, c := dialTest(t, addr), dialTest(t, addr)
	sub.raw("SUBSCRIBE", "a")
	sub.send("PSUBSCRIBE", "p*")
	sub.push()
	sub.send("SSUBSCRIBE", "s")
	sub.push()
	info := string(c.do("INFO", "stats").Str)
	for _, f := range []string{"pubsub_channels:1\r\n", "pubsub_patterns:1\r\n", "pubsubshard_channels:1\r\n"} {
		if !strings.Contains(info, f) {
			t.Errorf("INFO stats lacks %q", f)
		}
	}
	list := string(c.do("CLIENT", "LIST", "TYPE", "pubsub").Str)
	if strings.Count(list, "\n") != 1 || !strings.Contains(list, " sub=1 psub=1 ssub=1 ") {
		t.Errorf("CLIENT LIST TYPE pubsub: %q", list)
	}
}

// TestQuitEndsSubscriptionsBeforeItsReply: once a client has read QUIT's
// +OK, a PUBLISH no longer counts it, nor does PUBSUB NUMPAT (Redis
// frees the client before it runs another command). Done many times,
// since the old code lost the race only now and then.
func TestQuitEndsSubscriptionsBeforeItsReply(t *testing.T) {
	_, addr := startTestServer(t)
	pub := dialTest(t, addr)
	for i := 0; i < 200; i++ {
		sub := dialTest(t, addr)
		if i%2 == 1 {
			sub.raw("HELLO", "3")
		}
		sub.raw("SUBSCRIBE", "news")
		sub.raw("PSUBSCRIBE", "n*")
		sub.expect("+OK\r\n", "QUIT")
		pub.expect(":0\r\n", "PUBLISH", "news", "x")
		pub.expect(":0\r\n", "PUBSUB", "NUMPAT")
		if t.Failed() {
			t.Fatalf("round %d", i)
		}
		sub.nc.Close()
	}
}
