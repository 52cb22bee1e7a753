package topology

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/shardis/shardis/internal/tomlfile"
)

// Validate reports every problem of c, not only the first, joined with
// errors.Join; each is a *tomlfile.Error naming the file and, where known,
// the line. It returns nil when:
//   - the file had no unknown keys and every value decoded;
//   - there is at least one proxy; names are unique; every listen and
//     announce address is host:port, and every announced one is a port and a
//     host clients can connect to; timeouts are more than zero; all proxies
//     share one requirepass;
//   - there are shards or a [redis_cluster], not both; with shards, each of
//     the slots 0-16383 is owned by exactly one shard; every range is
//     well-formed; every shard has a primary;
//   - every node has an address, a known kind, and, when `shardis up`
//     starts it, a directory of its own and a valid appendfsync;
//   - no address is used by two nodes or proxies.
//
// Unset fields count as their defaults; c is not changed.
func (c *Config) Validate() error {
	d := c.clone()
	d.SetDefaults()
	v := &validator{c: d, orig: c, addrs: map[string]string{}, dirs: map[string]string{}}
	v.probs = append(v.probs, c.decoding...)
	v.proxies()
	v.shards()
	v.redisCluster()
	return joinProblems(c.file, v.probs)
}

// joinProblems sorts problems by line, those without one last, and joins them.
func joinProblems(file string, probs []problem) error {
	if len(probs) == 0 {
		return nil
	}
	if file == "" {
		file = "topology"
	}
	slices.SortStableFunc(probs, func(a, b problem) int {
		switch {
		case a.line == b.line:
			return 0
		case a.line == 0:
			return 1
		case b.line == 0:
			return -1
		}
		return a.line - b.line
	})
	errs := make([]error, len(probs))
	for i, p := range probs {
		errs[i] = &tomlfile.Error{File: file, Line: p.line, Msg: p.msg}
	}
	return errors.Join(errs...)
}

type validator struct {
	c     *Config // with defaults
	orig  *Config // as given, to tell what was set from what was defaulted
	probs []problem
	addrs map[string]string // normalized address -> who uses it, for duplicates
	dirs  map[string]string // cleaned dir of a started node -> which node
}

// at records a problem at the line of an indexed path (see locator).
func (v *validator) at(path, format string, args ...any) {
	v.probs = append(v.probs, problem{line: v.c.loc.line(path), msg: fmt.Sprintf(format, args...)})
}

// firstAt says where the first of two things is, or "".
func (v *validator) firstAt(path string) string {
	if n := v.c.loc.line(path); n > 0 {
		return " (first at line " + strconv.Itoa(n) + ")"
	}
	return ""
}

// where names the line of a path for a message about another line, or "".
func (v *validator) where(path string) string {
	if n := v.c.loc.line(path); n > 0 {
		return " (line " + strconv.Itoa(n) + ")"
	}
	return ""
}

func (v *validator) proxies() {
	if len(v.c.Proxies) == 0 {
		v.at("", "no [[proxy]]: a deployment needs at least one proxy, such as listen = [\"127.0.0.1:7000\"]")
	}
	names := map[string]int{}
	for i, p := range v.c.Proxies {
		base := path("proxy", i)
		who := fmt.Sprintf("proxy %q", p.Name)
		if j, ok := names[p.Name]; ok {
			v.at(base+".name", "%s is defined twice%s: names must be unique", who, v.firstAt(path("proxy", j)))
		} else {
			names[p.Name] = i
		}
		if len(p.Listen) == 0 {
			v.at(base, "%s: listen is missing: give the address clients connect to, such as \"127.0.0.1:7000\"", who)
		}
		// Each address once per proxy: announcing what it listens on is
		// normal, two proxies on one address are not.
		mine := map[string]bool{}
		for _, a := range p.Listen {
			host, port, err := splitAddr(a, true)
			if err != nil {
				v.at(base+".listen", "%s: listen %q: %v", who, a, err)
				continue
			}
			if !mine[normAddr(host, port)] && port != 0 {
				mine[normAddr(host, port)] = true
				v.use(host, port, who, base+".listen")
			}
		}
		explicit := len(v.orig.Proxies[i].Announce) > 0
		for _, a := range p.Announce {
			key := base + ".announce"
			if !explicit {
				key = base + ".listen"
			}
			host, port, err := splitAddr(a, true)
			switch {
			case err != nil:
				if explicit {
					v.at(key, "%s: announce %q: %v", who, a, err)
				}
				continue
			case port == 0 && slices.Contains(p.Listen, a) && !isWildcard(host):
				continue // the proxy announces the port it is given
			case !explicit && isWildcard(host):
				v.at(key, "%s: listen %q cannot be announced to clients: set announce to the address they should connect to", who, a)
				continue
			case port == 0 || isWildcard(host):
				v.at(key, "%s: announce %q: clients cannot connect to it: give a host and port they can reach", who, a)
				continue
			}
			if !mine[normAddr(host, port)] {
				mine[normAddr(host, port)] = true
				v.use(host, port, who, key)
			}
		}
		for _, t := range []struct {
			key string
			d   Duration
		}{{"connect_timeout", p.ConnectTimeout}, {"read_timeout", p.ReadTimeout}, {"write_timeout", p.WriteTimeout}} {
			switch {
			case t.d.problem != "":
				v.at(base+"."+t.key, "%s: %s: %s", who, t.key, t.d.problem)
			case t.d.Duration <= 0:
				v.at(base+"."+t.key, "%s: %s: %s is not more than zero", who, t.key, t.d.Duration)
			}
		}
		if first := v.c.Proxies[0]; i > 0 && p.RequirePass != first.RequirePass {
			v.at(base+".requirepass", "%s: requirepass differs from proxy %q's: cluster clients use one password for every proxy they are given", who, first.Name)
		}
	}
}

func (v *validator) shards() {
	if len(v.c.Shards) == 0 {
		if v.c.RedisCluster == nil {
			v.at("", "no [[shard]]: a deployment needs shards, or a [redis_cluster] to read them from")
		}
		return
	}
	if v.c.RedisCluster != nil {
		v.at("redis_cluster", "[redis_cluster] and [[shard]] exclude each other: the slot map comes either from the shards or from the cluster")
	}
	// owner[slot] is 1 + the index of the shard that claimed it first, and
	// from[slot] the index of the claiming range in that shard's slots.
	var owner, from [SlotCount]int
	type clash struct{ prev, prevRange, cur, curRange int }
	var clashes []clash
	spans := map[clash]*SlotRange{}
	names := map[string]int{}
	for i, s := range v.c.Shards {
		base := path("shard", i)
		who := fmt.Sprintf("shard %q", s.Name)
		if j, ok := names[s.Name]; ok {
			v.at(base+".name", "%s is defined twice%s: names must be unique", who, v.firstAt(path("shard", j)))
		} else {
			names[s.Name] = i
		}
		if len(s.Slots) == 0 {
			v.at(base+".slots", "%s owns no slots: give its ranges, such as slots = [\"0-5460\"]", who)
		}
		for j, r := range s.Slots {
			switch {
			case r.problem != "":
				v.at(base+".slots", "%s: %s", who, r.problem)
				continue
			case r.First > r.Last:
				v.at(base+".slots", "%s: slot range %q is backwards: the first slot is after the last", who, r.String())
				continue
			case r.Last >= SlotCount:
				v.at(base+".slots", "%s: slot range %q is outside 0-%d", who, r.String(), SlotCount-1)
				continue
			}
			for slot := r.First; slot <= r.Last; slot++ {
				if owner[slot] == 0 {
					owner[slot], from[slot] = i+1, j
					continue
				}
				k := clash{owner[slot] - 1, from[slot], i, j}
				if sp := spans[k]; sp != nil {
					sp.Last = slot
				} else {
					spans[k] = &SlotRange{First: slot, Last: slot}
					clashes = append(clashes, k)
				}
			}
		}
		v.node(base+".primary", who+" primary", s.Primary, true)
		for j, n := range s.Replicas {
			v.node(path(base, "replica", j), fmt.Sprintf("%s replica %d", who, j+1), n, false)
		}
	}
	for _, k := range clashes {
		cur := v.c.Shards[k.cur]
		sp := spans[k]
		if k.prev == k.cur {
			v.at(path("shard", k.cur, "slots"), "shard %q: %s listed twice", cur.Name, describeSlots(*sp))
			continue
		}
		v.at(path("shard", k.cur, "slots"), "shard %q: %s also owned by shard %q%s", cur.Name, describeSlots(*sp), v.c.Shards[k.prev].Name, v.where(path("shard", k.prev, "slots")))
	}
	for _, gap := range runs(owner[:], 0) {
		v.at("", "%s not owned by any shard", describeSlots(gap))
	}
}

// andList joins words as "a", "a and b" or "a, b and c".
func andList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// describeSlots is "slot 7 is" or "slots 0-5460 are", to start a sentence.
func describeSlots(r SlotRange) string {
	if r.First == r.Last {
		return "slot " + r.String() + " is"
	}
	return "slots " + r.String() + " are"
}

// runs returns the maximal ranges of consecutive slots whose entry is want.
func runs(entries []int, want int) []SlotRange {
	var out []SlotRange
	for s := 0; s < len(entries); s++ {
		if entries[s] != want {
			continue
		}
		e := s
		for e+1 < len(entries) && entries[e+1] == want {
			e++
		}
		out = append(out, SlotRange{First: s, Last: e})
		s = e
	}
	return out
}

// node checks one node of a shard; base is its indexed path.
func (v *validator) node(base, who string, n Node, primary bool) {
	if n == (Node{}) {
		if primary {
			v.at(path(base), "%s is missing: add a [shard.primary] with its address", who)
		}
		return
	}
	if n.Address == "" {
		v.at(base, "%s: address is missing", who)
	} else if host, port, err := splitAddr(n.Address, false); err != nil {
		v.at(base+".address", "%s: address %q: %v", who, n.Address, err)
	} else {
		v.use(host, port, who, base+".address")
	}
	if n.Kind != KindShardis && n.Kind != KindRedis {
		v.at(base+".kind", "%s: unknown kind %q: use %q or %q", who, n.Kind, KindShardis, KindRedis)
	}
	if !n.Start {
		var set []string
		if n.Dir != "" {
			set = append(set, "dir")
		}
		if n.AppendOnly != nil {
			set = append(set, "appendonly")
		}
		if n.AppendFsync != "" {
			set = append(set, "appendfsync")
		}
		if len(set) > 0 {
			verb := "applies"
			if len(set) > 1 {
				verb = "apply"
			}
			v.at(base+"."+set[0], "%s: %s only %s to a node shardis starts: add start = true, or remove it", who, andList(set), verb)
		}
		return
	}
	if n.Dir == "" {
		v.at(base, "%s: dir is missing: a node shardis starts needs a directory of its own for its AOF", who)
	} else {
		d := cleanDir(n.Dir)
		if other, ok := v.dirs[d]; ok {
			v.at(base+".dir", "%s: dir %q is also %s's: two nodes in one directory would write one AOF", who, n.Dir, other)
		} else {
			v.dirs[d] = who
		}
	}
	switch n.AppendFsync {
	case "always", "everysec", "no":
	default:
		v.at(base+".appendfsync", "%s: appendfsync %q: use \"always\", \"everysec\" or \"no\"", who, n.AppendFsync)
	}
}

func (v *validator) redisCluster() {
	rc := v.c.RedisCluster
	if rc == nil {
		return
	}
	if len(rc.Seeds) == 0 {
		v.at("redis_cluster", "[redis_cluster]: seeds is missing: name at least one node of the cluster")
	}
	seen := map[string]bool{}
	for _, s := range rc.Seeds {
		host, port, err := splitAddr(s, false)
		if err != nil {
			v.at("redis_cluster.seeds", "[redis_cluster]: seed %q: %v", s, err)
			continue
		}
		if a := normAddr(host, port); seen[a] {
			v.at("redis_cluster.seeds", "[redis_cluster]: seed %q is listed twice", s)
		} else {
			seen[a] = true
			v.use(host, port, fmt.Sprintf("[redis_cluster] seed %q", s), "redis_cluster.seeds")
		}
	}
}

// use records that who (at path) uses an address, reporting a second user.
func (v *validator) use(host string, port int, who, at string) {
	a := normAddr(host, port)
	if other, ok := v.addrs[a]; ok {
		v.at(at, "%s: address %s is also used by %s", who, a, other)
		return
	}
	v.addrs[a] = who + v.where(at)
}

// splitAddr parses host:port. A listen address may leave out the host (all
// interfaces) and use port 0 (any free port); a node's may not.
func splitAddr(a string, listen bool) (host string, port int, err error) {
	host, ps, err := net.SplitHostPort(a)
	if err != nil {
		return "", 0, fmt.Errorf("not host:port (%v)", unwrapAddrErr(err))
	}
	p, err := strconv.Atoi(ps)
	lowest := 1
	if listen {
		lowest = 0
	}
	if err != nil || p < lowest || p > 65535 {
		return "", 0, fmt.Errorf("port %q is not a number from %d to 65535", ps, lowest)
	}
	if host == "" && !listen {
		return "", 0, errors.New("the host is missing")
	}
	return host, p, nil
}

// unwrapAddrErr keeps only net.AddrError's reason, the address being in
// the message already.
func unwrapAddrErr(err error) string {
	var ae *net.AddrError
	if errors.As(err, &ae) {
		return ae.Err
	}
	return err.Error()
}

func normAddr(host string, port int) string {
	return net.JoinHostPort(strings.ToLower(host), strconv.Itoa(port))
}

// isWildcard reports a host that means "every interface" when listening.
func isWildcard(host string) bool {
	switch host {
	case "", "0.0.0.0", "::", "[::]":
		return true
	}
	return false
}

func cleanDir(d string) string { return filepath.Clean(d) }
