package bench

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Config is one load run against one endpoint.
type Config struct {
	// Addr is the endpoint (host:port). With Cluster set it is a seed: the
	// slot map is read from it with CLUSTER SLOTS and every request goes to
	// the primary that owns its key's slot.
	Addr    string
	Cluster bool

	// Workload is one of Workloads.
	Workload string
	// Connections is the number of client connections, each driven by its
	// own goroutine (in cluster mode, one connection per node each).
	Connections int
	// Pipeline is how many operations a connection sends before reading
	// their replies (closed loop), or the most it sends in one write when
	// several are due at once (open loop).
	Pipeline int

	// Keyspace is the number of distinct keys.
	Keyspace int
	// Distribution is one of Distributions; Zipf its parameter.
	Distribution string
	Zipf         float64
	// ValueSize is the size of the values written, in bytes.
	ValueSize int
	// ReadRatio is the share of GETs of WorkloadMixed and WorkloadLarge.
	ReadRatio float64
	// MSetKeys is the number of keys per MSET.
	MSetKeys int

	// Duration or Requests bounds the measured part of the run (Requests
	// wins when both are set); Warmup runs before it, unmeasured.
	Duration time.Duration
	Requests int64
	Warmup   time.Duration

	// Rate, when positive, makes the run open loop: operations are sent at
	// this many per second in all (spread evenly over the connections)
	// whether or not earlier ones have been answered, and each latency
	// counts from the time the operation was due, not from when it could
	// be sent, so a stall is charged to every operation it delayed.
	Rate float64

	// Reconnect keeps a closed-loop run going when a connection is lost:
	// the operations it held count as errors and it is dialled again; in
	// cluster mode, a MOVED reply or a lost node re-reads the slot map.
	// Fault scenarios set it.
	Reconnect bool

	// DialTimeout bounds connecting (default 2s).
	DialTimeout time.Duration

	// Progress, when set, receives a live progress line (updated in place
	// with \r) labelled with Label.
	Progress io.Writer
	Label    string
}

// SetDefaults fills the zero fields with the package defaults.
func (c *Config) SetDefaults() {
	if c.Connections == 0 {
		c.Connections = DefaultConnections
	}
	if c.Pipeline == 0 {
		c.Pipeline = DefaultPipeline
	}
	if c.Keyspace == 0 {
		c.Keyspace = DefaultKeyspace
	}
	if c.Distribution == "" {
		c.Distribution = DistUniform
	}
	if c.Distribution == DistZipf && c.Zipf == 0 {
		c.Zipf = DefaultZipf
	}
	if c.ValueSize == 0 {
		c.ValueSize = DefaultValueSize
		if c.Workload == WorkloadLarge {
			c.ValueSize = DefaultLargeValue
		}
	}
	if c.ReadRatio == 0 {
		switch c.Workload {
		case WorkloadMixed:
			c.ReadRatio = DefaultReadRatio
		case WorkloadLarge:
			c.ReadRatio = 0.5
		}
	}
	if c.MSetKeys == 0 {
		c.MSetKeys = DefaultMSetKeys
	}
	if c.Duration == 0 && c.Requests == 0 {
		c.Duration = 5 * time.Second
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = 2 * time.Second
	}
}

// Validate reports every problem of c, joined.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Addr == "" {
		bad("no target address")
	}
	if !validWorkload(c.Workload) {
		errs = append(errs, &UnknownWorkloadError{Name: c.Workload})
	}
	if c.Connections < 1 {
		bad("connections must be at least 1, not %d", c.Connections)
	}
	if c.Pipeline < 1 {
		bad("pipeline must be at least 1, not %d", c.Pipeline)
	}
	if c.Keyspace < 1 {
		bad("keyspace must be at least 1, not %d", c.Keyspace)
	}
	if !slices.Contains(Distributions, c.Distribution) {
		bad("unknown key distribution %q (known: %s)", c.Distribution, strings.Join(Distributions, ", "))
	}
	if c.Distribution == DistZipf && (c.Zipf <= 0 || c.Zipf == 1) {
		bad("zipf parameter must be positive and not 1, not %g", c.Zipf)
	}
	if c.ValueSize < 0 || c.ValueSize > 512<<20 {
		bad("value size must be between 0 and 512 MiB, not %d", c.ValueSize)
	}
	if c.ReadRatio < 0 || c.ReadRatio > 1 {
		bad("read ratio must be between 0 and 1, not %g", c.ReadRatio)
	}
	if c.MSetKeys < 1 {
		bad("mset keys must be at least 1, not %d", c.MSetKeys)
	}
	if c.Duration < 0 || c.Requests < 0 || c.Warmup < 0 {
		bad("duration, requests and warm-up must not be negative")
	}
	if c.Reconnect && c.Rate > 0 {
		bad("reconnecting is for closed-loop runs (rate = 0)")
	}
	if c.Rate < 0 {
		bad("rate must not be negative, not %g", c.Rate)
	}
	return errors.Join(errs...)
}
