// Command shardis runs the parts of a shardis deployment: storage nodes
// (backend) and, as they land, the proxy, a whole local deployment (up), the
// bench harness and the AOF checker.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rs/zerolog"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

const usage = `usage: shardis <command> [options]

commands:
  backend        run a storage node (redis-server style options: --port 7001 --dir data/7001 ...)
  check-config   validate deployment TOML files (config.toml) and exit
  version        print the version

Run "shardis <command> -h" for a command's options.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one subcommand and returns the process exit code: 0 on
// success, 1 when running failed, 2 for bad usage or configuration.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "backend":
		return runBackend(ctx, args[1:], stdout, stderr)
	case "check-config":
		return runCheckConfig(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "shardis %s\n", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "shardis: unknown command %q\n\n%s", args[0], usage)
	return 2
}

// newLogger writes human-readable lines to w.
func newLogger(w io.Writer, level string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil {
		return zerolog.Nop(), fmt.Errorf("log level %q: %w", level, err)
	}
	out := zerolog.ConsoleWriter{Out: w, TimeFormat: time.StampMilli, NoColor: true}
	return zerolog.New(out).Level(lvl).With().Timestamp().Logger(), nil
}
