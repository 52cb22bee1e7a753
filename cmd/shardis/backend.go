package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/shardis/shardis/backend"
)

const backendUsage = `usage: shardis backend [-config FILE] [--<option> <value>...]

Runs a storage node that speaks the Redis protocol. Options have
redis-server's names and meanings, e.g.:

  --port 7001 --bind 127.0.0.1 --dir data/7001 --requirepass secret
  --appendonly yes --appendfsync everysec --databases 16
  --io-threads 2    (cores the node runs on; default 1, as redis-server)

-cpuprofile FILE writes a Go CPU profile until the node stops.
-config FILE reads the same options from a TOML file (port = 7001 ...);
options on the command line override the file. --loglevel sets the log level
(debug, info, warn, error).
`

func runBackend(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts := backend.DefaultOptions()
	var configFile string
	var settings [][2]string
	loglevel := "info"
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-h" || a == "--help" || a == "-help":
			fmt.Fprint(stdout, backendUsage)
			return 0
		case a == "-cpuprofile":
			if i+1 >= len(args) {
				fmt.Fprintf(stderr, "shardis backend: %s needs a file name\n", a)
				return 2
			}
			i++
			stopProfile, err := startCPUProfile(args[i])
			if err != nil {
				fmt.Fprintf(stderr, "shardis backend: %v\n", err)
				return 1
			}
			defer stopProfile()
		case a == "-config" || a == "--config":
			if i+1 >= len(args) {
				fmt.Fprintf(stderr, "shardis backend: %s needs a file name\n", a)
				return 2
			}
			i++
			configFile = args[i]
		case strings.HasPrefix(a, "--"):
			name := strings.ToLower(a[2:])
			// As redis-server: every following argument up to the next
			// --option is this option's value ("--save 900 1").
			var vals []string
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				i++
				vals = append(vals, args[i])
			}
			if name == "loglevel" && len(vals) == 1 {
				loglevel = mapLogLevel(vals[0])
				continue
			}
			settings = append(settings, [2]string{name, strings.Join(vals, " ")})
		default:
			fmt.Fprintf(stderr, "shardis backend: unexpected argument %q (options are --name value)\n\n%s", a, backendUsage)
			return 2
		}
	}
	if configFile != "" {
		if err := opts.LoadFile(configFile); err != nil {
			fmt.Fprintf(stderr, "shardis backend: %v\n", err)
			return 2
		}
	}
	for _, s := range settings {
		if err := opts.Set(s[0], s[1]); err != nil {
			fmt.Fprintf(stderr, "shardis backend: option --%s %s: %v\n", s[0], s[1], err)
			return 2
		}
	}
	log, err := newLogger(stderr, loglevel)
	if err != nil {
		fmt.Fprintf(stderr, "shardis backend: %v\n", err)
		return 2
	}
	opts.Logger = log
	setCores(opts, log)
	srv, err := backend.New(opts)
	if err != nil {
		fmt.Fprintf(stderr, "shardis backend: %v\n", err)
		return 1
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err = <-errc:
	case <-ctx.Done():
		log.Info().Msg("signal received, shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			log.Warn().Err(err).Msg("shutdown")
		}
		err = <-errc
	}
	if err != nil && !errors.Is(err, backend.ErrServerClosed) {
		log.Error().Err(err).Msg("backend stopped")
		return 1
	}
	srv.Close()
	return 0
}

// mapLogLevel accepts redis-server's level names as well as zerolog's.
func mapLogLevel(s string) string {
	switch strings.ToLower(s) {
	case "verbose":
		return "debug"
	case "notice":
		return "info"
	case "warning":
		return "warn"
	}
	return strings.ToLower(s)
}

// setCores runs the node on io-threads cores (GOMAXPROCS), 1 by default as
// redis-server's io-threads. A node is one of several on a machine (the
// default deployment runs six and a proxy), so by default each takes one
// core; the keyspace's sharded locks let a node given more cores use them.
// Measured on 2 cores shared with redis-benchmark -c 50, one core per node
// was 5-35% faster than two, whose threads fought the load generator and
// each other for the same hot key. An explicit GOMAXPROCS in the
// environment wins.
func setCores(opts backend.Options, log zerolog.Logger) {
	if os.Getenv("GOMAXPROCS") != "" {
		return
	}
	v, _ := opts.Get("io-threads")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		n = 1
	}
	runtime.GOMAXPROCS(n)
	log.Debug().Int("cores", n).Msg("io-threads")
}

func init() {
	register("backend", "run a storage node (redis-server style options: --port 7001 --dir data/7001 ...)", runBackend)
}
