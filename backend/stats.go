package backend

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/shardis/shardis/internal/command"
)

// Latency histograms, as redis-server's latency tracking keeps them: values
// in nanoseconds from 1 ns to 1 s, two significant digits.
const (
	latencyMin     = 1
	latencyMax     = 1_000_000_000
	latencySigFigs = 2
)

// cmdStat is INFO commandstats' line for one command.
type cmdStat struct {
	calls, usec, rejected, failed atomic.Int64
}

// nStripes spreads per-command counters so that clients on different cores
// rarely increment the same cache line.
const nStripes = 8

// stats are the server-wide counters INFO reports.
type stats struct {
	connections   atomic.Int64 // total_connections_received
	rejectedConns atomic.Int64 // rejected_connections
	errorReplies  atomic.Int64 // total_error_replies (rejections)
	netIn, netOut atomic.Int64

	// latencyTracking is "latency-tracking": record per-command latency
	// histograms for INFO latencystats.
	latencyTracking atomic.Bool

	stripes [nStripes]struct {
		cmds []cmdStat // by impl index
		mu   sync.Mutex
		lat  []*hdrhistogram.Histogram // by impl index, made on first use; guarded by mu
		_    [40]byte
	}
	unknownRejected atomic.Int64 // unknown commands: no cmdstat line
}

func (st *stats) stripe(clientID int64) []cmdStat {
	s := &st.stripes[clientID%nStripes]
	if s.cmds == nil {
		return nil
	}
	return s.cmds
}

// init sizes the stripes once the implemented commands are known.
func (st *stats) init() {
	implsOnce.Do(buildImpls)
	for i := range st.stripes {
		st.stripes[i].cmds = make([]cmdStat, len(implList))
		st.stripes[i].lat = make([]*hdrhistogram.Histogram, len(implList))
	}
	st.latencyTracking.Store(true)
}

func (st *stats) record(clientID int64, index int, d time.Duration, failed bool) {
	cs := &st.stripe(clientID)[index]
	cs.calls.Add(1)
	cs.usec.Add(d.Microseconds())
	if failed {
		cs.failed.Add(1)
		st.errorReplies.Add(1)
	}
	if st.latencyTracking.Load() {
		s := &st.stripes[clientID%nStripes]
		s.mu.Lock()
		h := s.lat[index]
		if h == nil {
			h = hdrhistogram.New(latencyMin, latencyMax, latencySigFigs)
			s.lat[index] = h
		}
		h.RecordValue(min(max(d.Nanoseconds(), latencyMin), latencyMax))
		s.mu.Unlock()
	}
}

// latency returns the merged latency histogram of an implemented command,
// or nil when it has none.
func (st *stats) latency(index int) *hdrhistogram.Histogram {
	var out *hdrhistogram.Histogram
	for i := range st.stripes {
		s := &st.stripes[i]
		s.mu.Lock()
		if h := s.lat[index]; h != nil {
			if out == nil {
				out = hdrhistogram.New(latencyMin, latencyMax, latencySigFigs)
			}
			out.Merge(h)
		}
		s.mu.Unlock()
	}
	return out
}

func (st *stats) reject(clientID int64, cmd *command.Command) {
	st.errorReplies.Add(1)
	if cmd == nil {
		st.unknownRejected.Add(1)
		return
	}
	if im := implFor(cmd); im != nil {
		st.stripe(clientID)[im.index].rejected.Add(1)
	}
}

// commandTotals is the summed statistics of one implemented command.
type commandTotals struct {
	cmd                           *command.Command
	index                         int
	calls, usec, rejected, failed int64
}

// commands sums the stripes, in implementation order, leaving out commands
// never called or rejected (as INFO commandstats does).
func (st *stats) commands() []commandTotals {
	var out []commandTotals
	for i, im := range implList {
		t := commandTotals{cmd: im.cmd, index: i}
		for s := range st.stripes {
			cs := &st.stripes[s].cmds[i]
			t.calls += cs.calls.Load()
			t.usec += cs.usec.Load()
			t.rejected += cs.rejected.Load()
			t.failed += cs.failed.Load()
		}
		if t.calls+t.rejected+t.failed > 0 {
			out = append(out, t)
		}
	}
	return out
}

// processed is total_commands_processed.
func (st *stats) processed() int64 {
	var n int64
	for s := range st.stripes {
		for i := range st.stripes[s].cmds {
			n += st.stripes[s].cmds[i].calls.Load()
		}
	}
	return n
}

// reset is CONFIG RESETSTAT's part.
func (st *stats) reset() {
	for s := range st.stripes {
		st.stripes[s].mu.Lock()
		clear(st.stripes[s].lat)
		st.stripes[s].mu.Unlock()
		for i := range st.stripes[s].cmds {
			cs := &st.stripes[s].cmds[i]
			cs.calls.Store(0)
			cs.usec.Store(0)
			cs.rejected.Store(0)
			cs.failed.Store(0)
		}
	}
	st.errorReplies.Store(0)
	st.unknownRejected.Store(0)
	st.rejectedConns.Store(0)
	st.connections.Store(0)
}
