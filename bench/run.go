package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/shardis/shardis/internal/resp"
)

// Histogram range: latencies are recorded in microseconds, from 1 µs to a
// minute, with 3 significant digits.
const (
	histMin    = 1
	histMax    = 60_000_000
	histDigits = 3
)

// stopGrace is how long connections may take to finish their last batch
// after the run ends before they are closed under them.
const stopGrace = 10 * time.Second

// maxOutstanding bounds the operations an open-loop connection has sent
// and not yet seen answered. A server that falls behind makes the sender
// wait, but latencies still count from the due times, so the wait is
// measured, not hidden.
const maxOutstanding = 4096

// Latency holds percentiles of a run's latencies, in milliseconds.
type Latency struct {
	P50  float64 `json:"p50_ms"`
	P90  float64 `json:"p90_ms"`
	P99  float64 `json:"p99_ms"`
	P999 float64 `json:"p99_9_ms"`
	Max  float64 `json:"max_ms"`
	Mean float64 `json:"mean_ms"`
}

// Result is what one run measured.
type Result struct {
	// Ops is the number of operations completed in the measured part;
	// Errors the number of error replies among their replies (a
	// cluster-aware MSET may get one per key).
	Ops    int64 `json:"ops"`
	Errors int64 `json:"errors"`
	// FirstError is the text of the first error reply, if any.
	FirstError string  `json:"first_error,omitempty"`
	Seconds    float64 `json:"seconds"`
	OpsPerSec  float64 `json:"ops_per_sec"`
	Latency    Latency `json:"latency"`
	// Timeline samples throughput and the longest latency every 250 ms
	// of the measured part.
	Timeline []Point `json:"timeline,omitempty"`
	// Hist is the merged latency histogram (µs).
	Hist *hdrhistogram.Histogram `json:"-"`
}

func newHist() *hdrhistogram.Histogram { return hdrhistogram.New(histMin, histMax, histDigits) }

func micros(d time.Duration) int64 {
	us := d.Microseconds()
	if us < histMin {
		return histMin
	}
	if us > histMax {
		return histMax
	}
	return us
}

func latencyOf(h *hdrhistogram.Histogram) Latency {
	ms := func(us int64) float64 { return float64(us) / 1000 }
	if h.TotalCount() == 0 {
		return Latency{}
	}
	return Latency{
		P50:  ms(h.ValueAtQuantile(50)),
		P90:  ms(h.ValueAtQuantile(90)),
		P99:  ms(h.ValueAtQuantile(99)),
		P999: ms(h.ValueAtQuantile(99.9)),
		Max:  ms(h.Max()),
		Mean: h.Mean() / 1000,
	}
}

// counter is a connection's live count of completed operations and the
// longest latency (µs) since the sampler last looked, padded so that
// connections do not share a cache line.
type counter struct {
	n     atomic.Int64
	errs  atomic.Int64 // error replies
	maxUS atomic.Int64
	_     [40]byte
}

// noteLatency raises maxUS to us. Several readers of an open-loop
// connection may share the counter, hence the compare-and-swap.
func (c *counter) noteLatency(us int64) {
	for {
		old := c.maxUS.Load()
		if us <= old || c.maxUS.CompareAndSwap(old, us) {
			return
		}
	}
}

// Point is one sample of a run's timeline: the throughput over the last
// sampling period and the longest latency seen in it.
type Point struct {
	Seconds   float64 `json:"t_s"` // since measuring began
	OpsPerSec float64 `json:"ops_per_sec"`
	// ErrorsPerSec are the error replies among them.
	ErrorsPerSec float64 `json:"errors_per_sec"`
	MaxMs        float64 `json:"max_ms"`
}

// run is the state of one Run shared by its connections.
type run struct {
	cfg    *Config
	routes *slotRoutes // cluster mode
	nodes  []string
	table  *zipfTable
	value  []byte

	measuring atomic.Bool  // warm-up is over
	stop      atomic.Bool  // duration over, or the context ended
	start     atomic.Int64 // UnixNano when measuring began
	counts    []counter

	mu       sync.Mutex
	conns    []net.Conn
	err      error // first connection error
	firstErr string
	hist     *hdrhistogram.Histogram
	ops      int64
	errs     int64
	lastDone int64 // UnixNano of the last measured completion
	timeline []Point
}

func (r *run) fail(err error) {
	r.mu.Lock()
	if r.err == nil && !r.stop.Load() {
		r.err = err
	}
	r.mu.Unlock()
	r.stop.Store(true)
}

// merge adds a connection's figures when it ends.
func (r *run) merge(h *hdrhistogram.Histogram, ops, errs int64, firstErr string, last int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hist.Merge(h)
	r.ops += ops
	r.errs += errs
	if r.firstErr == "" {
		r.firstErr = firstErr
	}
	if last > r.lastDone {
		r.lastDone = last
	}
}

// Run drives the load cfg describes and returns what it measured. An
// endpoint that cannot be reached is an *UnreachableError; invalid
// settings are reported by Validate's error.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, &InputError{Err: err}
	}
	r := &run{cfg: &cfg, hist: newHist(), counts: make([]counter, cfg.Connections)}
	if err := Ping(ctx, cfg.Addr, cfg.DialTimeout); err != nil {
		return nil, err
	}
	r.nodes = []string{cfg.Addr}
	if cfg.Cluster {
		routes, err := readSlots(ctx, cfg.Addr, cfg.DialTimeout)
		if err != nil {
			return nil, err
		}
		r.routes, r.nodes = routes, routes.nodes
	}
	if cfg.Distribution == DistZipf && cfg.Zipf < 1 {
		r.table = newZipfTable(uint64(cfg.Keyspace), cfg.Zipf)
	}
	r.value = make([]byte, cfg.ValueSize)
	for i := range r.value {
		r.value[i] = 'a' + byte(i%26)
	}

	// Connect everything first, so that set-up is not measured.
	conns := make([][]net.Conn, cfg.Connections)
	for i := range conns {
		for _, addr := range r.nodes {
			d := net.Dialer{Timeout: cfg.DialTimeout}
			c, err := d.DialContext(ctx, "tcp", addr)
			if err != nil {
				r.closeAll()
				return nil, &UnreachableError{Addr: addr, Err: err}
			}
			r.conns = append(r.conns, c)
			conns[i] = append(conns[i], c)
		}
	}
	defer r.closeAll()

	var wg sync.WaitGroup
	began := time.Now()
	if cfg.Warmup == 0 {
		r.start.Store(began.UnixNano())
		r.measuring.Store(true)
	}
	if cfg.Rate > 0 {
		// Open loop measures the operations due from the end of the
		// warm-up, whenever the supervisor gets to run.
		r.start.Store(began.Add(cfg.Warmup).UnixNano())
	}
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch {
			case cfg.Rate > 0:
				r.openLoop(i, conns[i], began)
			case cfg.Reconnect:
				r.resilientLoop(i, conns[i])
			default:
				r.closedLoop(i, conns[i])
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	stopProgress := r.progress(began)
	r.supervise(ctx, done)
	stopProgress()

	if r.err != nil {
		return nil, r.err
	}
	if err := ctx.Err(); err != nil && r.ops == 0 {
		return nil, err
	}
	res := &Result{Ops: r.ops, Errors: r.errs, FirstError: r.firstErr, Hist: r.hist, Latency: latencyOf(r.hist), Timeline: r.timeline}
	if r.lastDone > r.start.Load() {
		res.Seconds = float64(r.lastDone-r.start.Load()) / 1e9
		res.OpsPerSec = float64(res.Ops) / res.Seconds
	}
	return res, nil
}

// supervise ends the warm-up and the run on time, and closes the
// connections if they do not finish within stopGrace of the end.
func (r *run) supervise(ctx context.Context, done <-chan struct{}) {
	cfg := r.cfg
	var phase <-chan time.Time
	if cfg.Warmup > 0 {
		t := time.NewTimer(cfg.Warmup)
		defer t.Stop()
		phase = t.C
	} else if cfg.Requests == 0 {
		t := time.NewTimer(cfg.Duration)
		defer t.Stop()
		phase = t.C
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	ctxDone := ctx.Done()
	var grace <-chan time.Time
	for {
		select {
		case <-done:
			return
		case <-ctxDone:
			ctxDone = nil
			r.stop.Store(true)
		case <-phase:
			phase = nil
			if !r.measuring.Load() {
				if cfg.Rate == 0 {
					r.start.Store(time.Now().UnixNano())
				}
				r.measuring.Store(true)
				if cfg.Requests == 0 {
					t := time.NewTimer(cfg.Duration)
					defer t.Stop()
					phase = t.C
				}
				continue
			}
			if cfg.Rate > 0 {
				// Open-loop senders stop at the last due time themselves;
				// give their replies stopGrace to arrive.
				t := time.NewTimer(stopGrace)
				defer t.Stop()
				grace = t.C
				continue
			}
			r.stop.Store(true)
		case <-tick.C:
		case <-grace:
			r.fail(fmt.Errorf("connections did not finish within %v of the end; closed", stopGrace))
			r.closeAll()
			<-done
			return
		}
		if r.stop.Load() && grace == nil {
			t := time.NewTimer(stopGrace)
			defer t.Stop()
			grace = t.C
		}
	}
}

func (r *run) closeAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		_ = c.Close()
	}
}

// quota is the number of measured operations connection i performs in a
// run bounded by Requests (the remainder goes to the first connections).
func (r *run) quota(i int) int64 {
	n, c := r.cfg.Requests, int64(r.cfg.Connections)
	q := n / c
	if int64(i) < n%c {
		q++
	}
	return q
}

func (r *run) newBuilder(i int) (*opBuilder, func([]byte) int) {
	rng := rand.New(rand.NewPCG(uint64(i)+1, uint64(time.Now().UnixNano())))
	b := newOpBuilder(r.cfg, newKeyGen(r.cfg, r.table, i, rng), rng, r.value)
	var nodeOf func([]byte) int
	if r.routes != nil {
		nodeOf = r.routes.nodeOf
	}
	return b, nodeOf
}

// closedLoop is one connection of a closed-loop run: send Pipeline
// operations, read their replies, repeat.
func (r *run) closedLoop(i int, conns []net.Conn) {
	cfg := r.cfg
	b, nodeOf := r.newBuilder(i)
	hist := newHist()
	readers := make([]*resp.ReplyReader, len(conns))
	bufs := make([][]byte, len(conns))
	owners := make([][]int32, len(conns)) // per node: the operation of each reply
	for n, c := range conns {
		readers[n] = resp.NewReplyReader(c)
		bufs[n] = make([]byte, 0, 64*1024)
		owners[n] = make([]int32, 0, cfg.Pipeline*cfg.MSetKeys)
	}
	parts := make([]int32, cfg.Pipeline)
	var ops, errs, last int64
	var firstErr string
	quota := int64(-1)
	if cfg.Requests > 0 {
		quota = r.quota(i)
	}
	defer func() { r.merge(hist, ops, errs, firstErr, last) }()
	for !r.stop.Load() {
		measuring := r.measuring.Load()
		n := cfg.Pipeline
		if measuring && quota >= 0 {
			if left := quota - ops; left < int64(n) {
				n = int(left)
			}
			if n == 0 {
				return
			}
		}
		for op := range n {
			b.build(bufs, nodeOf)
			parts[op] = int32(len(b.parts))
			for _, node := range b.parts {
				owners[node] = append(owners[node], int32(op))
			}
		}
		sent := time.Now()
		for node, c := range conns {
			if len(bufs[node]) == 0 {
				continue
			}
			if _, err := c.Write(bufs[node]); err != nil {
				r.fail(fmt.Errorf("write to %s: %w", c.RemoteAddr(), err))
				return
			}
			bufs[node] = bufs[node][:0]
		}
		for node := range conns {
			for _, op := range owners[node] {
				raw, err := readers[node].ReadRaw()
				if err != nil {
					r.fail(fmt.Errorf("read from %s: %w", conns[node].RemoteAddr(), err))
					return
				}
				if raw[0] == '-' {
					r.counts[i].errs.Add(1)
					if measuring {
						if errs == 0 {
							firstErr = string(trimCRLF(raw[1:]))
						}
						errs++
					}
				}
				if parts[op]--; parts[op] == 0 {
					r.counts[i].n.Add(1)
					if measuring {
						now := time.Now()
						us := micros(now.Sub(sent))
						hist.RecordValue(us)
						r.counts[i].noteLatency(us)
						ops++
						last = now.UnixNano()
					}
				}
			}
			owners[node] = owners[node][:0]
		}
	}
}

func trimCRLF(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// openLoop is one connection of an open-loop run: a sender that sends each
// operation when it is due (Rate/Connections per second, from began), and
// one reader per node that times each reply from its operation's due time.
func (r *run) openLoop(i int, conns []net.Conn, began time.Time) {
	cfg := r.cfg
	b, nodeOf := r.newBuilder(i)
	interval := time.Duration(float64(time.Second) * float64(cfg.Connections) / cfg.Rate)
	if interval <= 0 {
		interval = 1
	}
	// Stagger the connections over one interval.
	next := began.Add(interval * time.Duration(i) / time.Duration(cfg.Connections))
	// The measured operations are those due in [from, to): the window does
	// not depend on when the supervisor's timers fire.
	from := began.Add(cfg.Warmup)
	var to time.Time
	if cfg.Requests == 0 {
		to = from.Add(cfg.Duration)
	}

	type slot struct {
		parts    atomic.Int32
		due      int64 // UnixNano
		measured bool
	}
	slots := make([]slot, maxOutstanding)
	free := make(chan int32, maxOutstanding)
	for s := range slots {
		free <- int32(s)
	}
	fifos := make([]chan int32, len(conns))
	for n := range fifos {
		fifos[n] = make(chan int32, maxOutstanding*max(1, cfg.MSetKeys))
	}

	var rwg sync.WaitGroup
	for n, c := range conns {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			rr := resp.NewReplyReader(c)
			hist := newHist()
			var ops, errs, last int64
			var firstErr string
			defer func() { r.merge(hist, ops, errs, firstErr, last) }()
			for s := range fifos[n] {
				raw, err := rr.ReadRaw()
				if err != nil {
					r.fail(fmt.Errorf("read from %s: %w", c.RemoteAddr(), err))
					// Keep releasing slots so that the sender can end.
					for s := range fifos[n] {
						if slots[s].parts.Add(-1) == 0 {
							free <- s
						}
					}
					return
				}
				sl := &slots[s]
				if raw[0] == '-' {
					r.counts[i].errs.Add(1)
					if sl.measured {
						if errs == 0 {
							firstErr = string(trimCRLF(raw[1:]))
						}
						errs++
					}
				}
				if sl.parts.Add(-1) == 0 {
					r.counts[i].n.Add(1)
					if sl.measured {
						now := time.Now()
						us := micros(time.Duration(now.UnixNano() - sl.due))
						hist.RecordValue(us)
						r.counts[i].noteLatency(us)
						ops++
						last = now.UnixNano()
					}
					free <- s
				}
			}
		}()
	}

	bufs := make([][]byte, len(conns))
	pending := make([][]int32, len(conns))
	var sent int64 // measured operations sent
	quota := int64(-1)
	if cfg.Requests > 0 {
		quota = r.quota(i)
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
send:
	for !r.stop.Load() {
		if wait := time.Until(next); wait > 0 {
			timer.Reset(wait)
			<-timer.C
		}
		now := time.Now()
		for k := 0; k < cfg.Pipeline && !next.After(now); k++ {
			if !to.IsZero() && !next.Before(to) {
				break send
			}
			measured := !next.Before(from)
			if measured && quota >= 0 && sent >= quota {
				break send
			}
			s := <-free
			b.build(bufs, nodeOf)
			sl := &slots[s]
			sl.due = next.UnixNano()
			sl.measured = measured
			sl.parts.Store(int32(len(b.parts)))
			for _, node := range b.parts {
				pending[node] = append(pending[node], s)
			}
			if measured {
				sent++
			}
			next = next.Add(interval)
		}
		for node, c := range conns {
			if len(bufs[node]) == 0 {
				continue
			}
			// Hand the slots to the reader before the bytes leave, so the
			// reader always knows whose reply it reads.
			for _, s := range pending[node] {
				fifos[node] <- s
			}
			pending[node] = pending[node][:0]
			if _, err := c.Write(bufs[node]); err != nil {
				r.fail(fmt.Errorf("write to %s: %w", c.RemoteAddr(), err))
				break send
			}
			bufs[node] = bufs[node][:0]
		}
	}
	for _, f := range fifos {
		close(f)
	}
	rwg.Wait()
}

// sampleEvery is the period of the progress line and of the timeline.
const sampleEvery = 250 * time.Millisecond

// progress samples the counters every sampleEvery until the returned
// function is called: it records the timeline of the measured part and,
// with cfg.Progress set, prints a live line (erased at the end).
func (r *run) progress(began time.Time) func() {
	w := r.cfg.Progress
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(sampleEvery)
		defer t.Stop()
		var prev, prevErr int64
		prevAt := time.Now()
		for {
			select {
			case <-quit:
				if w != nil {
					fmt.Fprint(w, "\r\x1b[K")
				}
				return
			case now := <-t.C:
				var total, errTotal, maxUS int64
				for i := range r.counts {
					total += r.counts[i].n.Load()
					errTotal += r.counts[i].errs.Load()
					maxUS = max(maxUS, r.counts[i].maxUS.Swap(0))
				}
				secs := now.Sub(prevAt).Seconds()
				rate, errRate := float64(total-prev)/secs, float64(errTotal-prevErr)/secs
				prev, prevErr, prevAt = total, errTotal, now
				measuring := r.measuring.Load()
				if measuring {
					r.timeline = append(r.timeline, Point{
						Seconds:      float64(now.UnixNano()-r.start.Load()) / 1e9,
						OpsPerSec:    rate,
						ErrorsPerSec: errRate,
						MaxMs:        float64(maxUS) / 1000,
					})
				}
				if w != nil {
					phase := ""
					if !measuring {
						phase = " (warm-up)"
					}
					fmt.Fprintf(w, "\r\x1b[K%s  %s  %5.1fs%s  %10.0f ops/s", r.cfg.Label, r.cfg.Workload, now.Sub(began).Seconds(), phase, rate)
				}
			}
		}
	}()
	return func() { close(quit); <-finished }
}

// Prefill writes every key of cfg's keyspace once with SET (values of
// cfg.ValueSize bytes), so that reads find them: sequential keys,
// pipelined, at most 8 connections.
func Prefill(ctx context.Context, cfg Config) error {
	cfg.SetDefaults()
	p := cfg
	p.Workload = WorkloadSet
	p.Distribution = DistSequential
	p.Connections = min(cfg.Connections, 8, cfg.Keyspace)
	p.Pipeline = 64
	if cfg.ValueSize > 4096 {
		p.Pipeline = 4
	}
	p.Requests = int64(cfg.Keyspace)
	p.Duration, p.Warmup, p.Rate = 0, 0, 0
	p.Label = cfg.Label + " prefill"
	res, err := Run(ctx, p)
	if err != nil {
		return err
	}
	if res.Errors > 0 {
		return fmt.Errorf("%d of %d SETs failed, the first with %q", res.Errors, res.Ops, res.FirstError)
	}
	return nil
}
