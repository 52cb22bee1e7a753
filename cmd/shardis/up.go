package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/shardis/shardis/internal/resp"
	"github.com/shardis/shardis/proxy"
	"github.com/shardis/shardis/topology"
)

const upUsage = `usage: shardis up [-config FILE] [-loglevel LEVEL] [-procs N]

Starts a whole local deployment from a topology file (config.toml by
default): every node with start = true (a shardis backend, or redis-server
for kind = "redis"), each in its own process with its own directory and
AOF, then every [[proxy]] of the file. Ctrl-C stops the proxies, then the
nodes, which fsync their AOFs as they exit. SIGHUP reloads the proxies'
topology. -procs N: threads for the proxies, as for shardis proxy (default 1).
`

// nodeStartLimit bounds how long up waits for a node to answer PING; a node
// loading a large AOF answers -LOADING, which counts as up.
const nodeStartLimit = 60 * time.Second

func runUp(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("shardis up", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, upUsage) }
	path := fs.String("config", "config.toml", "the deployment's TOML file")
	level := fs.String("loglevel", "info", "log level: debug, info, warn, error")
	procs := fs.Int("procs", 1, "threads for the proxies (GOMAXPROCS of up's process; 0: every core); the nodes run in their own processes")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "shardis up: unexpected argument %q\n\n%s", fs.Arg(0), upUsage)
		return 2
	}
	if *procs < 0 {
		fmt.Fprintf(stderr, "shardis up: -procs must be 0 or more, not %d\n", *procs)
		return 2
	}
	setProxyProcs(fs, *procs)
	log, err := newLogger(stderr, mapLogLevel(*level))
	if err != nil {
		fmt.Fprintf(stderr, "shardis up: %v\n", err)
		return 2
	}
	cfg, err := topology.Load(*path)
	if err != nil {
		fmt.Fprintf(stderr, "shardis up: %v\n", err)
		return 2
	}
	nodes := &nodeGroup{log: log}
	defer nodes.stop()
	for _, sh := range cfg.Shards {
		for i, n := range sh.Nodes() {
			if !n.Start {
				continue
			}
			role := "primary"
			if i > 0 {
				role = "replica"
			}
			if err := nodes.start(sh.Name+" "+role, n, *level); err != nil {
				log.Error().Err(err).Str("node", n.Address).Msg("cannot start node")
				return 1
			}
		}
	}
	if err := nodes.waitReady(ctx); err != nil {
		log.Error().Err(err).Msg("nodes did not come up")
		return 1
	}
	// The proxies only now: they connect to the nodes as they are made,
	// and nodes not yet listening would be reported down (and replicas
	// lagging) at every start.
	var srvs []*proxy.Server
	for _, p := range cfg.Proxies {
		srv, err := proxy.New(proxy.Options{Config: cfg, Name: p.Name, Logger: log.With().Str("proxy", p.Name).Logger()})
		if err != nil {
			fmt.Fprintf(stderr, "shardis up: %v\n", err)
			for _, s := range srvs {
				s.Close()
			}
			return 2
		}
		srvs = append(srvs, srv)
		log.Info().Str("proxy", p.Name).Strs("listen", p.Listen).Msg("proxy starting; point any Redis client here")
	}
	return serveProxies(ctx, srvs, *path, log)
}

// nodeGroup is the node processes up started.
type nodeGroup struct {
	log   zerolog.Logger
	procs []*nodeProc
}

type nodeProc struct {
	name   string
	addr   string
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // set before exited closes
}

// nodeArgs is the command line that runs node n.
func nodeArgs(n topology.Node, level string) (bin string, args []string, err error) {
	host, port, err := net.SplitHostPort(n.Address)
	if err != nil {
		return "", nil, err
	}
	yesno := "yes"
	if n.AppendOnly != nil && !*n.AppendOnly {
		yesno = "no"
	}
	common := []string{"--bind", host, "--port", port, "--dir", n.Dir,
		"--appendonly", yesno, "--appendfsync", n.AppendFsync}
	if n.RequirePass != "" {
		common = append(common, "--requirepass", n.RequirePass)
	}
	if n.Kind == topology.KindRedis {
		bin, err := exec.LookPath("redis-server")
		if err != nil {
			return "", nil, fmt.Errorf("node %s has kind \"redis\": %w", n.Address, err)
		}
		// No RDB snapshots: the AOF is the persistence, as for shardis nodes.
		return bin, append(common, "--save", "", "--loglevel", redisLogLevel(level)), nil
	}
	exe, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	return exe, append([]string{"backend"}, append(common, "--loglevel", level)...), nil
}

func redisLogLevel(level string) string {
	switch mapLogLevel(level) {
	case "debug", "trace":
		return "verbose"
	case "warn", "error":
		return "warning"
	}
	return "notice"
}

func (g *nodeGroup) start(name string, n topology.Node, level string) error {
	if n.Dir == "" {
		n.Dir = "."
	}
	if err := os.MkdirAll(n.Dir, 0o755); err != nil {
		return fmt.Errorf("node %s: %w", n.Address, err)
	}
	n.Dir, _ = filepath.Abs(n.Dir)
	bin, args, err := nodeArgs(n, level)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, args...)
	// Its own process group: a Ctrl-C reaches up alone, which stops the
	// proxies before the nodes. Pdeathsig ends a node whose up was killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	log := g.log.With().Str("node", n.Address).Str("role", name).Logger()
	cmd.Stdout = lineLogger(log)
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("node %s: %w", n.Address, err)
	}
	p := &nodeProc{name: name, addr: n.Address, cmd: cmd, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	g.procs = append(g.procs, p)
	log.Info().Str("dir", n.Dir).Str("kind", n.Kind).Int("pid", cmd.Process.Pid).Msg("node started")
	return nil
}

// waitReady waits until every node answers PING (any reply: a node still
// loading answers -LOADING), or one exits.
func (g *nodeGroup) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, nodeStartLimit)
	defer cancel()
	for _, p := range g.procs {
		for backoff := 5 * time.Millisecond; ; backoff = min(2*backoff, 200*time.Millisecond) {
			if pingNode(ctx, p.addr) == nil {
				break
			}
			select {
			case <-p.exited:
				return fmt.Errorf("node %s (%s) exited: %v", p.addr, p.name, p.err)
			case <-ctx.Done():
				return fmt.Errorf("node %s (%s) did not answer PING: %w", p.addr, p.name, ctx.Err())
			case <-time.After(backoff):
			}
		}
	}
	return nil
}

func pingNode(ctx context.Context, addr string) error {
	d := net.Dialer{Timeout: time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write(resp.AppendCommand(nil, "PING")); err != nil {
		return err
	}
	_, err = resp.NewReplyReader(c).ReadRaw()
	return err
}

// stop sends every node SIGTERM, then waits for them; a node still running
// after the limit is killed.
func (g *nodeGroup) stop() {
	if len(g.procs) > 0 {
		g.log.Info().Int("nodes", len(g.procs)).Msg("stopping the nodes; each fsyncs its AOF as it exits")
	}
	for _, p := range g.procs {
		p.cmd.Process.Signal(syscall.SIGTERM)
	}
	limit := time.After(15 * time.Second)
	for _, p := range g.procs {
		select {
		case <-p.exited:
			g.log.Info().Str("node", p.addr).Msg("node stopped")
		case <-limit:
			g.log.Warn().Str("node", p.addr).Msg("node did not stop in 15s; killing it")
			p.cmd.Process.Kill()
			<-p.exited
		}
	}
	g.procs = nil
}

// lineLogger returns a writer that logs each line a node prints, at the
// line's own level. exec copies the node's output to it from one goroutine.
func lineLogger(log zerolog.Logger) io.Writer { return &lineWriter{log: log} }

type lineWriter struct {
	log     zerolog.Logger
	partial []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		w.logLine(string(bytes.TrimRight(w.partial[:i], "\r")))
		w.partial = w.partial[i+1:]
	}
	if len(w.partial) > 64<<10 { // a node printing without newlines
		w.logLine(string(w.partial))
		w.partial = w.partial[:0]
	}
	return len(p), nil
}

func (w *lineWriter) logLine(line string) {
	lvl, msg := nodeLogLine(line)
	w.log.WithLevel(lvl).Msg(msg)
}

// nodeLogLine takes apart a line a node printed: the time and level that
// a shardis node ("Nov 25 21:07:07.123 INF listening addr=...") or
// redis-server ("4242:M 25 Nov 2026 21:07:07.123 * Ready to accept
// connections") put in front of the message give way to up's own, the
// level kept. A line of any other form is logged whole at info.
func nodeLogLine(line string) (zerolog.Level, string) {
	// shardis: time.StampMilli, the level's three letters, the message.
	const stamp = len(time.StampMilli)
	if len(line) > stamp+5 && line[stamp] == ' ' && line[stamp+4] == ' ' {
		if _, err := time.Parse(time.StampMilli, line[:stamp]); err == nil {
			if lvl, ok := consoleLevels[line[stamp+1:stamp+4]]; ok {
				return lvl, line[stamp+5:]
			}
		}
	}
	// redis-server: "pid:role day month year time symbol message".
	if f := strings.SplitN(line, " ", 7); len(f) == 7 && strings.Contains(f[0], ":") && len(f[5]) == 1 {
		if _, err := time.Parse("2 Jan 2006 15:04:05.000", strings.Join(f[1:5], " ")); err == nil {
			if lvl, ok := redisLevels[f[5][0]]; ok {
				return lvl, f[6]
			}
		}
	}
	return zerolog.InfoLevel, line
}

// consoleLevels are the level abbreviations of zerolog's console writer.
var consoleLevels = map[string]zerolog.Level{
	"TRC": zerolog.TraceLevel, "DBG": zerolog.DebugLevel, "INF": zerolog.InfoLevel,
	"WRN": zerolog.WarnLevel, "ERR": zerolog.ErrorLevel, "FTL": zerolog.FatalLevel, "PNC": zerolog.PanicLevel,
}

// redisLevels are redis-server's log level marks (debug, verbose, notice,
// warning).
var redisLevels = map[byte]zerolog.Level{
	'.': zerolog.DebugLevel, '-': zerolog.DebugLevel, '*': zerolog.InfoLevel, '#': zerolog.WarnLevel,
}

func init() {
	register("up", "start the deployment of a topology file (config.toml): nodes and proxies", runUp)
}
