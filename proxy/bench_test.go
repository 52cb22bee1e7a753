package proxy

import (
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/shardis/shardis/internal/resp"
	"github.com/shardis/shardis/topology"
)

// startOKNode starts a minimal RESP node on a loopback port that answers
// every request with +OK, a batch at a time: what the proxy's hot path is
// measured against, so that the node's own cost stays out of the figures.
func startOKNode(tb testing.TB) string {
	return startScriptedNode(tb, func(w *resp.Writer, _ [][]byte) { w.WriteOK() })
}

// startScriptedNode starts a RESP node on a loopback port that answers
// each request with what reply writes, a batch at a time.
func startScriptedNode(tb testing.TB, reply func(w *resp.Writer, args [][]byte)) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ln.Close() })
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer nc.Close()
				r := resp.NewReader(nc)
				w := resp.NewWriter(nc)
				r.BeforeFill = w.Flush
				for {
					args, err := r.ReadCommand()
					if err != nil {
						return
					}
					reply(w, args)
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// startTestProxy starts a proxy in front of the nodes, one shard each with
// an equal share of the slots, and returns its address. settings are
// added to its [[proxy]] table.
func startTestProxy(tb testing.TB, settings string, nodes ...string) (*Server, string) {
	tb.Helper()
	s, err := New(Options{Config: testConfig(tb, settings, nodes...)})
	if err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	tb.Cleanup(func() {
		s.Close()
		if err := <-served; !errors.Is(err, ErrServerClosed) {
			tb.Errorf("Serve returned %v", err)
		}
	})
	return s, ln.Addr().String()
}

// testConfig is the topology of startTestProxy: one proxy listening on a
// free loopback port, in front of the nodes, one shard each with an equal
// share of the slots. settings are added to its [[proxy]] table.
func testConfig(tb testing.TB, settings string, nodes ...string) *topology.Config {
	tb.Helper()
	src := "[[proxy]]\nlisten = \"127.0.0.1:0\"\n" + settings + "\n"
	per := topology.SlotCount / len(nodes)
	for i, n := range nodes {
		last := (i+1)*per - 1
		if i == len(nodes)-1 {
			last = topology.SlotCount - 1
		}
		src += fmt.Sprintf("[[shard]]\nslots = [\"%d-%d\"]\n[shard.primary]\naddress = %q\n", i*per, last, n)
	}
	cfg, err := topology.Parse("test.toml", []byte(src))
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// BenchmarkRouteBatch measures a client's pipeline of 16 SETs over three
// shards through the proxy: routing, one write per node link, replies back
// in order. One op is one batch; allocs/op counts the whole process
// (session, links, and the test node).
func BenchmarkRouteBatch(b *testing.B) {
	_, addr := startTestProxy(b, "", startOKNode(b), startOKNode(b), startOKNode(b))
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	const batch = 16
	var req []byte
	for i := range batch {
		req = resp.AppendCommand(req, "SET", fmt.Sprintf("key:%d", i), "value")
	}
	rr := resp.NewReplyReader(nc)
	round := func() {
		if _, err := nc.Write(req); err != nil {
			b.Fatal(err)
		}
		for range batch {
			raw, err := rr.ReadRaw()
			if err != nil || string(raw) != "+OK\r\n" {
				b.Fatalf("reply %q, %v", raw, err)
			}
		}
	}
	nc.SetDeadline(time.Now().Add(time.Minute))
	round()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		round()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/cmd")
}

// BenchmarkRouteConcurrent measures 32 clients each sending one SET at a
// time (redis-benchmark -c 32 -P 1) through the proxy to three nodes: the
// case where the proxy's hand-offs, not batching, set the pace.
func BenchmarkRouteConcurrent(b *testing.B) {
	_, addr := startTestProxy(b, "", startOKNode(b), startOKNode(b), startOKNode(b))
	const clients = 32
	conns := make([]net.Conn, clients)
	for i := range conns {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(5 * time.Minute))
		conns[i] = nc
	}
	b.ReportAllocs()
	b.ResetTimer()
	per := b.N/clients + 1
	errc := make(chan error, clients)
	for i, nc := range conns {
		go func() {
			req := resp.AppendCommand(nil, "SET", fmt.Sprintf("key:%d", i), "value")
			rr := resp.NewReplyReader(nc)
			for range per {
				if _, err := nc.Write(req); err != nil {
					errc <- err
					return
				}
				if _, err := rr.ReadRaw(); err != nil {
					errc <- err
					return
				}
			}
			errc <- nil
		}()
	}
	for range clients {
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
	}
}
