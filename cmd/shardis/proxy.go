package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/rs/zerolog"

	"github.com/shardis/shardis/proxy"
	"github.com/shardis/shardis/topology"
)

const proxyUsage = `usage: shardis proxy [-config FILE] [-name NAME] [-loglevel LEVEL] [-procs N] [-cpuprofile FILE]

Runs one proxy of a deployment: it listens where the file's [[proxy]] named
NAME (the first one by default) says, and routes every command to the shard
that owns its keys' hash slot. SIGHUP reloads the file; an invalid file is
refused and the running topology kept. -procs N runs the proxy's goroutines on
at most N threads at once (GOMAXPROCS; 0 means every core). The default is 1,
as twemproxy and redis-server's io-threads: with many clients each waiting
for one reply at a time, every hand-off between goroutines then stays on one
thread, and a proxy is stateless, so more proxies, not more threads, is how
it scales. A GOMAXPROCS in the environment wins over the default.
-cpuprofile FILE writes a Go CPU profile until the proxy stops.
`

// setProxyProcs applies -procs: an explicit flag always, the default of 1
// only when the environment does not set GOMAXPROCS. Measured with
// bench/proxy_compare.sh on 2 cores at -P 1, one thread was 10-20% faster
// than two against the same nodes.
func setProxyProcs(fs *flag.FlagSet, procs int) {
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "procs" })
	if !explicit && os.Getenv("GOMAXPROCS") != "" {
		return
	}
	if procs == 0 {
		procs = runtime.NumCPU()
	}
	runtime.GOMAXPROCS(procs)
}

// hangups delivers SIGHUP; main sets it, tests may leave it nil.
var hangups <-chan os.Signal

func runProxy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("shardis proxy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, proxyUsage) }
	path := fs.String("config", "config.toml", "the deployment's TOML file")
	name := fs.String("name", "", "which [[proxy]] of the file this is (default the first)")
	level := fs.String("loglevel", "info", "log level: debug, info, warn, error")
	procs := fs.Int("procs", 1, "run on at most this many threads at once (GOMAXPROCS; 0: every core)")
	cpuprofile := fs.String("cpuprofile", "", "write a Go CPU profile to this file until the proxy stops")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "shardis proxy: unexpected argument %q\n\n%s", fs.Arg(0), proxyUsage)
		return 2
	}
	if *procs < 0 {
		fmt.Fprintf(stderr, "shardis proxy: -procs must be 0 or more, not %d\n", *procs)
		return 2
	}
	setProxyProcs(fs, *procs)
	log, err := newLogger(stderr, mapLogLevel(*level))
	if err != nil {
		fmt.Fprintf(stderr, "shardis proxy: %v\n", err)
		return 2
	}
	cfg, err := topology.Load(*path)
	if err != nil {
		fmt.Fprintf(stderr, "shardis proxy: %v\n", err)
		return 2
	}
	srv, err := proxy.New(proxy.Options{Config: cfg, Name: *name, Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "shardis proxy: %v\n", err)
		return 2
	}
	if *cpuprofile != "" {
		stopProfile, err := startCPUProfile(*cpuprofile)
		if err != nil {
			fmt.Fprintf(stderr, "shardis proxy: %v\n", err)
			return 1
		}
		defer stopProfile()
	}
	return serveProxies(ctx, []*proxy.Server{srv}, *path, log)
}

// serveProxies runs the proxies until ctx ends, reloading the topology file
// on SIGHUP. It returns the exit code.
func serveProxies(ctx context.Context, srvs []*proxy.Server, path string, log zerolog.Logger) int {
	errc := make(chan error, len(srvs))
	for _, s := range srvs {
		go func() { errc <- s.ListenAndServe() }()
	}
	code := 0
	running := len(srvs)
loop:
	for running > 0 {
		select {
		case err := <-errc:
			running--
			if err != nil && !errors.Is(err, proxy.ErrServerClosed) {
				log.Error().Err(err).Msg("proxy stopped")
				code = 1
				break loop
			}
		case <-hangups:
			cfg, err := topology.Load(path)
			if err != nil {
				log.Error().Err(err).Msg("SIGHUP: the new topology is invalid; keeping the running one")
				continue
			}
			for _, s := range srvs {
				if err := s.Reload(cfg); err != nil {
					log.Error().Err(err).Msg("SIGHUP: reload refused; keeping the running topology")
					continue loop
				}
			}
			log.Info().Str("file", path).Msg("SIGHUP: topology reloaded")
		case <-ctx.Done():
			log.Info().Msg("signal received, stopping the proxies")
			break loop
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, s := range srvs {
		if err := s.Shutdown(sctx); err != nil && !errors.Is(err, proxy.ErrServerClosed) {
			log.Warn().Err(err).Msg("proxy shutdown")
		}
	}
	return code
}

func init() {
	register("proxy", "run a proxy of a deployment (-config config.toml)", runProxy)
}
