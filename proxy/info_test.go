package proxy

import (
	"context"
	"regexp"
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
