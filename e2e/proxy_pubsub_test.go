package e2e

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shardis/shardis/internal/resp"
)

// TestProxyPubsub subscribes through the proxy to channels of every shard,
// to a pattern and to shard channels, publishes from another client, and
// counts every message: each exactly once, in RESP2 and RESP3.
func TestProxyPubsub(t *testing.T) {
	testProxyPubsub(t, startDeployment(t, threeShards), nil)
}

func testProxyPubsub(t *testing.T, d *deployment, _ func(int) string) {
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			sub := redis.NewClient(&redis.Options{Addr: d.addr, Protocol: proto})
			defer sub.Close()
			pub := redis.NewClient(&redis.Options{Addr: d.addr, Protocol: proto})
			defer pub.Close()
			p := fmt.Sprintf("ps%d:", proto)
			chans := keysOnEveryShard(p+"ch", 2)
			schans := keysOnEveryShard(p+"sch", 1)

			ps := sub.Subscribe(ctx, chans...)
			defer ps.Close()
			for i, ch := range chans {
				m, err := ps.ReceiveTimeout(ctx, 5*time.Second)
				s, ok := m.(*redis.Subscription)
				if err != nil || !ok || s.Kind != "subscribe" || s.Channel != ch || s.Count != i+1 {
					t.Fatalf("confirmation %d: %#v, %v", i, m, err)
				}
			}
			if err := ps.PSubscribe(ctx, p+"pat:*"); err != nil {
				t.Fatal(err)
			}
			if m, err := ps.ReceiveTimeout(ctx, 5*time.Second); err != nil ||
				m.(*redis.Subscription).Count != len(chans)+1 || m.(*redis.Subscription).Kind != "psubscribe" {
				t.Fatalf("psubscribe confirmation: %#v, %v", m, err)
			}
			for i, ch := range schans {
				if err := ps.SSubscribe(ctx, ch); err != nil {
					t.Fatal(err)
				}
				if m, err := ps.ReceiveTimeout(ctx, 5*time.Second); err != nil ||
					m.(*redis.Subscription).Count != i+1 || m.(*redis.Subscription).Kind != "ssubscribe" {
					t.Fatalf("ssubscribe confirmation: %#v, %v", m, err)
				}
			}

			// Counts from the nodes, merged.
			numsub, err := pub.PubSubNumSub(ctx, chans[0], chans[1], p+"nobody").Result()
			if err != nil || numsub[chans[0]] != 1 || numsub[chans[1]] != 1 || numsub[p+"nobody"] != 0 {
				t.Fatalf("PUBSUB NUMSUB: %v, %v", numsub, err)
			}
			// The previous subtest's subscriber may still be going away.
			eventually(t, "PUBSUB NUMPAT to be 1", func() bool { return pub.PubSubNumPat(ctx).Val() == 1 })
			got, err := pub.PubSubChannels(ctx, p+"*").Result()
			sort.Strings(got)
			want := append([]string(nil), chans...)
			sort.Strings(want)
			if err != nil || strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("PUBSUB CHANNELS: %v, %v, want %v", got, err, want)
			}
			if got, err := pub.PubSubShardChannels(ctx, p+"*").Result(); err != nil || len(got) != len(schans) {
				t.Fatalf("PUBSUB SHARDCHANNELS: %v, %v", got, err)
			}

			// Publish: 3 rounds on every channel, pattern channels on every
			// shard and shard channels.
			pats := keysOnEveryShard(p+"pat:", 1)
			expect := map[string]int{}
			const rounds = 3
			for r := range rounds {
				for _, ch := range chans {
					if n, err := pub.Publish(ctx, ch, fmt.Sprint(r)).Result(); err != nil || n != 1 {
						t.Fatalf("PUBLISH %s: %d, %v", ch, n, err)
					}
					expect["message "+ch]++
				}
				for _, ch := range pats {
					if n, err := pub.Publish(ctx, ch, fmt.Sprint(r)).Result(); err != nil || n != 1 {
						t.Fatalf("PUBLISH %s: %d, %v", ch, n, err)
					}
					expect["pmessage "+ch]++
				}
				for _, ch := range schans {
					if n, err := pub.SPublish(ctx, ch, fmt.Sprint(r)).Result(); err != nil || n != 1 {
						t.Fatalf("SPUBLISH %s: %d, %v", ch, n, err)
					}
					expect["smessage "+ch]++
				}
			}
			if n, err := pub.Publish(ctx, p+"nobody", "x").Result(); err != nil || n != 0 {
				t.Fatalf("PUBLISH to nobody: %d, %v", n, err)
			}
			// A last message on each shard marks the end: messages of one
			// shard arrive in order, so everything before came once.
			for _, ch := range chans[:3] {
				if err := pub.Publish(ctx, ch, "end").Err(); err != nil {
					t.Fatal(err)
				}
			}
			seen := map[string]int{}
			for ends := 0; ends < 3; {
				m, err := ps.ReceiveTimeout(ctx, 5*time.Second)
				if err != nil {
					t.Fatalf("receive: %v (so far %v)", err, seen)
				}
				msg, ok := m.(*redis.Message)
				if !ok {
					t.Fatalf("unexpected %#v", m)
				}
				if msg.Payload == "end" {
					ends++
					continue
				}
				kind := "message"
				switch {
				case msg.Pattern != "":
					kind = "pmessage"
					if msg.Pattern != p+"pat:*" {
						t.Fatalf("pmessage with pattern %q", msg.Pattern)
					}
				case strings.Contains(msg.Channel, "sch"):
					kind = "smessage"
				}
				seen[kind+" "+msg.Channel]++
			}
			if fmt.Sprint(seen) != fmt.Sprint(expect) {
				t.Fatalf("messages received %v, want %v", seen, expect)
			}

			// Leaving: counts go down; the subscriber connections go.
			if err := ps.Unsubscribe(ctx, chans...); err != nil {
				t.Fatal(err)
			}
			for i := range chans {
				m, err := ps.ReceiveTimeout(ctx, 5*time.Second)
				if s, ok := m.(*redis.Subscription); err != nil || !ok || s.Kind != "unsubscribe" || s.Count != len(chans)-i {
					t.Fatalf("unsubscribe confirmation %d: %#v, %v", i, m, err)
				}
			}
			if n, err := pub.Publish(ctx, chans[0], "x").Result(); err != nil || n != 0 {
				t.Fatalf("PUBLISH after UNSUBSCRIBE: %d, %v", n, err)
			}
		})
	}
}

// TestProxyPubsubReplies checks the exact replies of a RESP2 subscriber:
// confirmations with counts over every shard, the commands a subscribed
// client may not run, PING, mass unsubscriptions; and RESP3 pushes.
func TestProxyPubsubReplies(t *testing.T) {
	testProxyPubsubReplies(t, startDeployment(t, threeShards), nil)
}

func testProxyPubsubReplies(t *testing.T, d *deployment, _ func(int) string) {
	c := dialRaw(t, d.addr)
	ks := keysOnEveryShard("rc", 1)
	a, b, x := ks[0], ks[1], ks[2]
	conf := func(kind, name string, n int) string {
		if name == "" {
			return fmt.Sprintf("*3\r\n$%d\r\n%s\r\n$-1\r\n:%d\r\n", len(kind), kind, n)
		}
		return fmt.Sprintf("*3\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n:%d\r\n", len(kind), kind, len(name), name, n)
	}
	got := sendRead(c, 9, []string{"SUBSCRIBE", a, b, a}, []string{"PSUBSCRIBE", "p*"}, []string{"SSUBSCRIBE", x},
		[]string{"GET", a}, []string{"PING"}, []string{"PING", "hi"}, []string{"SSUBSCRIBE", a, b})
	want := conf("subscribe", a, 1) + conf("subscribe", b, 2) + conf("subscribe", a, 2) + conf("psubscribe", "p*", 3) +
		conf("ssubscribe", x, 1) +
		"-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n" +
		"*2\r\n$4\r\npong\r\n$0\r\n\r\n" + "*2\r\n$4\r\npong\r\n$2\r\nhi\r\n" +
		"-CROSSSLOT Keys in request don't hash to the same slot\r\n"
	if all := strings.Join(got, ""); all != want {
		t.Fatalf("replies\n%q\nwant\n%q", all, want)
	}
	got = sendRead(c, 6, []string{"UNSUBSCRIBE"}, []string{"UNSUBSCRIBE"}, []string{"PUNSUBSCRIBE"},
		[]string{"SUNSUBSCRIBE"}, []string{"SUNSUBSCRIBE"})
	want = conf("unsubscribe", a, 2) + conf("unsubscribe", b, 1) + conf("unsubscribe", "", 1) +
		conf("punsubscribe", "p*", 0) + conf("sunsubscribe", x, 0) + conf("sunsubscribe", "", 0)
	if all := strings.Join(got, ""); all != want {
		t.Fatalf("replies\n%q\nwant\n%q", all, want)
	}
	if got := c.one("PING"); got != "+PONG\r\n" {
		t.Fatalf("PING after leaving subscribed mode: %q", got)
	}

	// RESP3: pushes, and other commands allowed while subscribed.
	r3 := dialRaw(t, d.addr)
	if got := r3.one("HELLO", "3"); !strings.HasPrefix(got, "%7\r\n") {
		t.Fatalf("HELLO 3: %q", got)
	}
	if got := r3.one("SUBSCRIBE", b); got != fmt.Sprintf(">3\r\n$9\r\nsubscribe\r\n$%d\r\n%s\r\n:1\r\n", len(b), b) {
		t.Fatalf("RESP3 SUBSCRIBE: %q", got)
	}
	if got := r3.one("GET", "nokey"); got != "_\r\n" {
		t.Fatalf("RESP3 GET while subscribed: %q", got)
	}
	if got := c.one("PUBLISH", b, "hello"); got != ":1\r\n" {
		t.Fatalf("PUBLISH: %q", got)
	}
	raw, err := r3.rr.ReadRaw()
	if want := fmt.Sprintf(">3\r\n$7\r\nmessage\r\n$%d\r\n%s\r\n$5\r\nhello\r\n", len(b), b); err != nil || string(raw) != want {
		t.Fatalf("RESP3 message: %q, %v, want %q", raw, err, want)
	}
	if got := r3.one("PING"); got != "+PONG\r\n" {
		t.Fatalf("RESP3 PING while subscribed: %q", got)
	}
}

// TestProxyQuitEndsSubscriptions: once a subscriber has read QUIT's +OK
// from the proxy, a PUBLISH no longer counts it and PUBSUB NUMPAT no
// longer counts its pattern, on every shard, as with redis-server.
func TestProxyQuitEndsSubscriptions(t *testing.T) {
	d := startDeployment(t, threeShards)
	pub := dialRaw(t, d.addr)
	chans := keysOnEveryShard("quit", 1)
	for i := 0; i < 30; i++ {
		sub := dialRaw(t, d.addr)
		if i%2 == 1 {
			sub.one("HELLO", "3")
		}
		if got := sendRead(sub, 4, append([]string{"SUBSCRIBE"}, chans...), []string{"PSUBSCRIBE", "quit*"}); len(got) != 4 {
			t.Fatalf("confirmations: %q", got)
		}
		if got := sub.one("QUIT"); got != "+OK\r\n" {
			t.Fatalf("QUIT: %q", got)
		}
		for _, ch := range chans {
			if got := pub.one("PUBLISH", ch, "x"); got != ":0\r\n" {
				t.Fatalf("round %d: PUBLISH %s after QUIT: %q", i, ch, got)
			}
		}
		if got := pub.one("PUBSUB", "NUMPAT"); got != ":0\r\n" {
			t.Fatalf("round %d: PUBSUB NUMPAT after QUIT: %q", i, got)
		}
		sub.nc.Close()
	}
}

// sendRead sends the commands as one pipeline and reads n replies.
func sendRead(c *rawConn, n int, cmds ...[]string) []string {
	c.t.Helper()
	var b []byte
	for _, args := range cmds {
		b = resp.AppendCommand(b, args...)
	}
	c.nc.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := c.nc.Write(b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
	out := make([]string, n)
	for i := range out {
		raw, err := c.rr.ReadRaw()
		if err != nil {
			c.t.Fatalf("reply %d to %q: %v", i, cmds, err)
		}
		out[i] = string(raw)
	}
	return out
}

// TestProxyPubsubNodeDown checks that a subscriber whose node goes away
// loses its connection, so that go-redis subscribes again, and that RESET
// leaves subscribed mode.
func TestProxyPubsubNodeDown(t *testing.T) {
	d := startDeployment(t, threeShards)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ch := keysOnEveryShard("down", 1)[1] // on node 1
	sub := redis.NewClient(&redis.Options{Addr: d.addr, MaxRetries: -1})
	defer sub.Close()
	ps := sub.Subscribe(ctx, ch)
	defer ps.Close()
	if _, err := ps.ReceiveTimeout(ctx, 5*time.Second); err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	d.stopNode(1)
	if m, err := ps.ReceiveTimeout(ctx, 5*time.Second); err == nil {
		t.Fatalf("receive with the node down: %#v, want an error", m)
	}
	d.restartNode(1)
	pub := redis.NewClient(&redis.Options{Addr: d.addr})
	defer pub.Close()
	// go-redis subscribes again on a new connection as soon as it sees the
	// old one fail, which may be before the node is back: the proxy then
	// refuses that SUBSCRIBE with CLUSTERDOWN and closes the connection,
	// so that go-redis tries again on its next receive. Publish until the
	// new subscription hears it.
	publishUntilHeard(t, ctx, pub, ps, ch)
	// RESET leaves subscribed mode and drops the subscription (on node 0,
	// whose shared links did not have to redial).
	ch0 := keysOnEveryShard("down", 1)[0]
	if err := ps.Subscribe(ctx, ch0); err != nil {
		t.Fatal(err)
	}
	for confirmed := false; !confirmed; { // skip the leftover "back" messages
		m, err := ps.ReceiveTimeout(ctx, 5*time.Second)
		if err != nil {
			t.Fatalf("subscribe %s: %v", ch0, err)
		}
		s, ok := m.(*redis.Subscription)
		confirmed = ok && s.Channel == ch0
	}
	c := dialRaw(t, d.addr)
	got2 := sendRead(c, 4, []string{"SUBSCRIBE", ch0}, []string{"RESET"}, []string{"GET", ch0}, []string{"PUBLISH", ch0, "x"})
	if got2[1] != "+RESET\r\n" || got2[2] != "$-1\r\n" || got2[3] != ":1\r\n" {
		t.Fatalf("SUBSCRIBE, RESET, GET, PUBLISH: %q", got2)
	}
}

// TestProxyPsubscribeNodeDown checks that a pattern one shard cannot take
// is refused, left on no shard, and the connection closed (so that a
// client subscribes again).
func TestProxyPsubscribeNodeDown(t *testing.T) {
	d := startDeployment(t, threeShards)
	ks := keysOnEveryShard("q", 1)
	d.stopNode(1)
	c := dialRaw(t, d.addr)
	if got := c.one("PSUBSCRIBE", "q*"); !strings.HasPrefix(got, "-CLUSTERDOWN The cluster is down: node ") {
		t.Fatalf("PSUBSCRIBE with a shard down: %q", got)
	}
	if raw, err := c.rr.ReadRaw(); err != io.EOF {
		t.Fatalf("after the refused PSUBSCRIBE: %q, %v; want the connection closed", raw, err)
	}
	c = dialRaw(t, d.addr)
	if got := c.one("PUBLISH", ks[0], "x"); got != ":0\r\n" {
		t.Fatalf("PUBLISH on a shard that is up: %q, want no receiver", got)
	}
	if got := c.one("GET", ks[0]); got != "$-1\r\n" {
		t.Fatalf("GET after the refused PSUBSCRIBE (not subscribed): %q", got)
	}
}

// TestProxySubscribeNodeDownRecovers checks that a go-redis subscriber
// whose SUBSCRIBE was refused because its node was down hears messages once
// the node is back, without the application subscribing again: the proxy
// closed the connection, so go-redis subscribed again on a new one.
func TestProxySubscribeNodeDownRecovers(t *testing.T) {
	d := startDeployment(t, threeShards)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ch := keysOnEveryShard("rec", 1)[1] // on node 1
	d.stopNode(1)
	sub := redis.NewClient(&redis.Options{Addr: d.addr, MaxRetries: -1})
	defer sub.Close()
	ps := sub.Subscribe(ctx, ch)
	defer ps.Close()
	if _, err := ps.ReceiveTimeout(ctx, 5*time.Second); err == nil || !strings.HasPrefix(err.Error(), "CLUSTERDOWN ") {
		t.Fatalf("SUBSCRIBE with the node down: %v, want CLUSTERDOWN", err)
	}
	d.restartNode(1)
	pub := redis.NewClient(&redis.Options{Addr: d.addr})
	defer pub.Close()
	publishUntilHeard(t, ctx, pub, ps, ch)
}

// publishUntilHeard publishes "back" on ch every 50 ms until ps, which
// receives meanwhile (go-redis subscribing again as it needs), hears it;
// it fails the test after 10 s.
func publishUntilHeard(t *testing.T, ctx context.Context, pub *redis.Client, ps *redis.PubSub, ch string) {
	t.Helper()
	got := make(chan string, 1)
	go func() {
		for ctx.Err() == nil {
			m, _ := ps.ReceiveTimeout(ctx, 10*time.Second)
			if msg, ok := m.(*redis.Message); ok {
				got <- msg.Payload
				return
			}
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pub.Publish(ctx, ch, "back")
		select {
		case p := <-got:
			if p != "back" {
				t.Fatalf("message %q", p)
			}
			return
		case <-time.After(50 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("no message after the node came back")
			}
		}
	}
}
