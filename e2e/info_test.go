package e2e

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// The differential harness compares INFO by shape only (DIFFERENCES.md,
// "INFO"): its values describe the process. What tools rely on is the
// layout: the sections, in order, and the field names in each, and the
// keyspace counts. This test holds the target to those.

// infoSections parses an INFO reply into its sections: name -> field names
// (sorted), and the order of the section names.
func infoSections(s string) (order []string, fields map[string][]string, values map[string]string) {
	fields = map[string][]string{}
	values = map[string]string{}
	cur := ""
	for _, line := range strings.Split(s, "\r\n") {
		switch {
		case line == "":
		case strings.HasPrefix(line, "# "):
			cur = strings.TrimPrefix(line, "# ")
			order = append(order, cur)
			fields[cur] = []string{}
		default:
			name, v, _ := strings.Cut(line, ":")
			fields[cur] = append(fields[cur], name)
			values[cur+"."+name] = v
		}
	}
	for _, f := range fields {
		sort.Strings(f)
	}
	return order, fields, values
}

// keyspaceCounts drops avg_ttl (a mean of remaining times, see the TTL
// tolerance) from a keyspace line: "keys=2,expires=1,avg_ttl=123".
func keyspaceCounts(v string) string {
	var keep []string
	for _, kv := range strings.Split(v, ",") {
		if !strings.HasPrefix(kv, "avg_ttl=") {
			keep = append(keep, kv)
		}
	}
	return strings.Join(keep, ",")
}

func TestInteropInfoFields(t *testing.T) {
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	p := newPair(t, "info", oracle, target)
	for _, line := range []string{
		`FLUSHALL`, `SET a 1`, `SET b 2 EX 1000`, `GET a`, `GET missing`, `INCR a`, `INCR b x`, `NOSUCH`,
		`SELECT 3`, `SET c 3`, `PEXPIRE c 100000000`, `SELECT 0`, `DEL a`, `SET a 5`, `EXPIRE a 10000`, `EXPIRE a 1`,
		`CONFIG RESETSTAT`, `SET d 4`, `GET d`, `INCR d`, `GET`, `WRONG`,
	} {
		p.runLine(line)
	}
	for _, section := range []string{"", "everything", "all", "default", "server", "clients", "memory",
		"persistence", "stats", "replication", "cpu", "commandstats", "errorstats", "latencystats",
		"keyspace", "server keyspace", "nosuchsection"} {
		args := []string{"INFO"}
		if section != "" {
			args = append(args, strings.Fields(section)...)
		}
		o, g := p.exchange(args)
		otext, _ := o.r.text()
		gtext, ok := g.r.text()
		if !ok {
			t.Errorf("INFO %s: %s answered %v", section, p.target.name, g.r)
			continue
		}
		oorder, ofields, ovalues := infoSections(otext)
		gorder, gfields, gvalues := infoSections(gtext)
		if fmt.Sprint(oorder) != fmt.Sprint(gorder) {
			t.Errorf("INFO %s: sections\n  redis-server: %v\n  %s: %v", section, oorder, p.target.name, gorder)
		}
		for _, sec := range oorder {
			missing, extra := setDiff(ofields[sec], gfields[sec])
			if len(missing)+len(extra) > 0 {
				t.Errorf("INFO %s: section %q: fields missing on %s: %v; fields redis-server does not have: %v",
					section, sec, p.target.name, missing, extra)
			}
		}
		for k, v := range ovalues {
			if !strings.HasPrefix(k, "Keyspace.") {
				continue
			}
			if keyspaceCounts(v) != keyspaceCounts(gvalues[k]) {
				t.Errorf("INFO %s: %s is %q on redis-server, %q on %s", section, k, v, gvalues[k], p.target.name)
			}
		}
	}
}

// setDiff returns the elements of want not in got, and of got not in want.
func setDiff(want, got []string) (missing, extra []string) {
	in := func(s []string, x string) bool {
		for _, e := range s {
			if e == x {
				return true
			}
		}
		return false
	}
	for _, w := range want {
		if !in(got, w) {
			missing = append(missing, w)
		}
	}
	for _, g := range got {
		if !in(want, g) {
			extra = append(extra, g)
		}
	}
	return missing, extra
}

// clientFields splits a CLIENT INFO line into its name=value fields.
func clientFields(line string) (names []string, values map[string]string) {
	values = map[string]string{}
	for _, f := range strings.Fields(line) {
		n, v, _ := strings.Cut(f, "=")
		names = append(names, n)
		values[n] = v
	}
	return names, values
}

// TestInteropClientInfoFields holds CLIENT INFO and CLIENT LIST to Redis's
// layout (the same fields in the same order) and to the values that do not
// describe the process (DIFFERENCES.md, "Client identity and
// introspection").
func TestInteropClientInfoFields(t *testing.T) {
	oracle := startRedis(t)
	target := startTarget(t, serverConfig{})
	p := newPair(t, "client-info", oracle, target)
	stable := []string{"name", "db", "sub", "psub", "ssub", "multi", "flags", "cmd", "user", "redir", "resp", "events", "obl", "oll", "omem"}
	for _, step := range [][]string{
		{"CLIENT", "INFO"},
		{"CLIENT", "SETNAME", "conn-a"}, {"SELECT", "2"}, {"CLIENT", "INFO"},
		{"HELLO", "3"}, {"CLIENT", "INFO"}, {"CLIENT", "LIST"}, {"CLIENT", "LIST", "TYPE", "normal"},
		// (CLIENT LIST ID is left out: ids are per process.)
	} {
		o, g := p.exchange(step)
		if !o.ok || o.r.isError() || g.r.isError() {
			p.check(step, exactRule, o, g)
			continue
		}
		otext, _ := o.r.text()
		gtext, _ := g.r.text()
		olines := strings.Split(strings.TrimSuffix(otext, "\n"), "\n")
		glines := strings.Split(strings.TrimSuffix(gtext, "\n"), "\n")
		if len(olines) != len(glines) {
			t.Errorf("%s: %d lines on redis-server, %d on %s:\n%q\n%q", quoteArgs(step), len(olines), len(glines), p.target.name, otext, gtext)
			continue
		}
		for i := range olines {
			on, ov := clientFields(olines[i])
			gn, gv := clientFields(glines[i])
			if strings.Join(on, " ") != strings.Join(gn, " ") {
				t.Errorf("%s: fields\n  redis-server: %v\n  %s: %v", quoteArgs(step), on, p.target.name, gn)
			}
			for _, f := range stable {
				if ov[f] != gv[f] {
					t.Errorf("%s: %s=%q on redis-server, %q on %s", quoteArgs(step), f, ov[f], gv[f], p.target.name)
				}
			}
		}
	}
}
