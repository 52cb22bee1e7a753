package proxy

import (
	"context"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shardis/shardis/internal/resp"
)

func infoCmd(nodes nodeCaller, args ...string) string {
	bargs := make([][]byte, len(args))
	for i, a := range args {
		bargs[i] = []byte(a)
	}
	f := &infoFacts{runID: nodeID("x"), port: 7000, started: time.Now(), maxClients: 10000,
		extra: map[string][]string{"replication": {"shard1_replica0:lagging"}}}
	return render(2, func(w *resp.Writer) { infoReply(context.Background(), w, bargs, f, nodes) })
}

var sectionRE = regexp.MustCompile(`(?m)^# (\w+)\r$`)

func sectionsOf(info string) string {
	var s []string
	for _, m := range sectionRE.FindAllStringSubmatch(info, -1) {
		s = append(s, m[1])
	}
	return strings.Join(s, " ")
}

func TestInfoSections(t *testing.T) {
	nodes := &fakeNodes{replies: []resp.Value{
		{Type: '$', Str: []byte("# Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=1000\r\n")},
		{Type: '$', Str: []byte("# Keyspace\r\ndb0:keys=5,expires=3,avg_ttl=2000\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n")},
		{Type: '-', Str: []byte("ERR down")},
	}}
	def := "Server Clients Memory Persistence Stats Replication CPU Modules Errorstats Cluster Keyspace"
	all := "Server Clients Memory Persistence Stats Replication CPU Modules Commandstats Errorstats Latencystats Cluster Keyspace"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"INFO"}, def},
		{[]string{"INFO", "default"}, def},
		{[]string{"INFO", "all"}, all},
		{[]string{"info", "EVERYTHING"}, all},
		{[]string{"INFO", "commandstats"}, "Commandstats"},
		{[]string{"INFO", "cluster"}, "Cluster"},
		{[]string{"INFO", "keyspace", "Server"}, "Server Keyspace"},
		{[]string{"INFO", "nosuchsection"}, ""},
	} {
		if got := sectionsOf(infoCmd(nodes, c.args...)); got != c.want {
			t.Errorf("%q: sections %q, want %q", c.args, got, c.want)
		}
	}
	if got := infoCmd(nodes, "INFO", "cluster"); got != "$30\r\n# Cluster\r\ncluster_enabled:1\r\n\r\n" {
		t.Errorf("INFO cluster = %q", got)
	}
	ks := infoCmd(nodes, "INFO", "keyspace")
	if want := "# Keyspace\r\ndb0:keys=8,expires=4,avg_ttl=1750\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n"; !strings.Contains(ks, want) {
		t.Errorf("INFO keyspace = %q, want %q", ks, want)
	}
	text := infoCmd(nodes, "INFO")
	for _, f := range []string{"redis_version:7.0.15\r\n", "redis_mode:cluster\r\n", "tcp_port:7000\r\n", "role:master\r\n", "shard1_replica0:lagging\r\n"} {
		if !strings.Contains(text, f) {
			t.Errorf("INFO lacks %q", f)
		}
	}
}

// TestInfoStatsCounters checks the Stats counters INFO reports for the
// proxy's own traffic: bytes in and out, error replies (the proxy's and
// the nodes'), and the instantaneous rate of commands.
func TestInfoStatsCounters(t *testing.T) {
	_, addr := startTestProxy(t, "", startOKNode(t))
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	rr := resp.NewReplyReader(nc)
	sent, got := 0, 0
	do := func(args ...string) string {
		sent += len(resp.AppendCommand(nil, args...))
		r := rawDo(t, nc, rr, args...)
		got += len(r)
		return r
	}
	do("SET", "k", "v")
	if r := do("NOSUCHCOMMAND"); !strings.HasPrefix(r, "-ERR unknown command") {
		t.Fatalf("NOSUCHCOMMAND = %q", r)
	}
	info := func() map[string]string {
		sent += len(resp.AppendCommand(nil, "INFO", "stats"))
		raw := rawDo(t, nc, rr, "INFO", "stats")
		m := map[string]string{}
		for _, line := range strings.Split(raw, "\r\n") {
			if k, v, ok := strings.Cut(line, ":"); ok {
				m[k] = v
			}
		}
		got += len(raw)
		return m
	}
	in, out := sent+len(resp.AppendCommand(nil, "INFO", "stats")), got
	m := info()
	if m["total_net_input_bytes"] != strconv.Itoa(in) || m["total_net_output_bytes"] != strconv.Itoa(out) {
		t.Errorf("net bytes in %s out %s, want %d and %d", m["total_net_input_bytes"], m["total_net_output_bytes"], in, out)
	}
	if m["total_error_replies"] != "1" {
		t.Errorf("total_error_replies = %s, want 1", m["total_error_replies"])
	}
	// The rate is a mean over 1.6 s of 100 ms samples: keep sending until
	// a sample has seen commands.
	deadline := time.Now().Add(10 * time.Second)
	for {
		for range 20 {
			do("PING")
		}
		if n, _ := strconv.Atoi(info()["instantaneous_ops_per_sec"]); n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("instantaneous_ops_per_sec still 0 after 10 s of commands")
		}
	}
}
