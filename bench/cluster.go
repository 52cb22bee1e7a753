package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/shardis/shardis/internal/resp"
	"github.com/shardis/shardis/topology"
)

// UnreachableError is returned when the target does not answer: nothing
// listens, or what listens does not speak RESP.
type UnreachableError struct {
	Addr string
	Err  error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("target %s is unreachable: %v", e.Addr, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// slotRoutes is a cluster's slot map as a client sees it: the primaries'
// addresses and, for every slot, the index of its primary.
type slotRoutes struct {
	nodes []string
	owner [topology.SlotCount]uint16
}

// nodeOf is the index of the node that owns key's slot.
func (r *slotRoutes) nodeOf(key []byte) int { return int(r.owner[topology.Slot(key)]) }

// command sends one command on a fresh connection and returns its reply.
func command(ctx context.Context, addr string, timeout time.Duration, args ...string) (resp.Value, error) {
	d := net.Dialer{Timeout: timeout}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return resp.Value{}, &UnreachableError{Addr: addr, Err: err}
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(timeout))
	if _, err := c.Write(resp.AppendCommand(nil, args...)); err != nil {
		return resp.Value{}, &UnreachableError{Addr: addr, Err: err}
	}
	v, err := resp.NewReplyReader(c).ReadReply()
	if err != nil {
		return resp.Value{}, &UnreachableError{Addr: addr, Err: fmt.Errorf("no reply to %s: %w", args[0], err)}
	}
	return v, nil
}

// Ping checks that addr answers PING (or asks for AUTH, which also shows it
// serves), within timeout.
func Ping(ctx context.Context, addr string, timeout time.Duration) error {
	v, err := command(ctx, addr, timeout, "PING")
	if err != nil {
		return err
	}
	if v.Type == '-' && !startsWith(v.Str, "NOAUTH") {
		return &UnreachableError{Addr: addr, Err: fmt.Errorf("PING answered %s", v.Str)}
	}
	return nil
}

func startsWith(b []byte, s string) bool { return len(b) >= len(s) && string(b[:len(s)]) == s }

// readSlots asks seed for CLUSTER SLOTS and builds the routes. Every slot
// must have an owner.
func readSlots(ctx context.Context, seed string, timeout time.Duration) (*slotRoutes, error) {
	v, err := command(ctx, seed, timeout, "CLUSTER", "SLOTS")
	if err != nil {
		return nil, err
	}
	if v.Type == '-' {
		return nil, &InputError{Err: fmt.Errorf("CLUSTER SLOTS at %s: %s (is it a cluster? drop -cluster)", seed, v.Str)}
	}
	seedHost, _, _ := net.SplitHostPort(seed)
	r := &slotRoutes{}
	index := map[string]int{}
	var owned [topology.SlotCount]bool
	for _, e := range v.Elems {
		if len(e.Elems) < 3 || len(e.Elems[2].Elems) < 2 {
			return nil, fmt.Errorf("CLUSTER SLOTS at %s: malformed entry %s", seed, e.String())
		}
		lo, hi := e.Elems[0].Int, e.Elems[1].Int
		host := string(e.Elems[2].Elems[0].Str)
		if host == "" || host == "?" {
			host = seedHost
		}
		addr := net.JoinHostPort(host, strconv.FormatInt(e.Elems[2].Elems[1].Int, 10))
		n, ok := index[addr]
		if !ok {
			n = len(r.nodes)
			index[addr] = n
			r.nodes = append(r.nodes, addr)
		}
		if lo < 0 || hi >= topology.SlotCount || lo > hi {
			return nil, fmt.Errorf("CLUSTER SLOTS at %s: bad range %d-%d", seed, lo, hi)
		}
		for s := lo; s <= hi; s++ {
			r.owner[s] = uint16(n)
			owned[s] = true
		}
	}
	for s, ok := range owned {
		if !ok {
			return nil, fmt.Errorf("CLUSTER SLOTS at %s: slot %d has no owner", seed, s)
		}
	}
	if len(r.nodes) == 0 {
		return nil, errors.New("CLUSTER SLOTS: no slots")
	}
	return r, nil
}
