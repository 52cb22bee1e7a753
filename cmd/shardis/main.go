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
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// subcommand is one "shardis <name>" command. Each lives in its own file
// and registers itself in init, so that main.go stays thin.
type subcommand struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

var subcommands = map[string]subcommand{}

// register adds a subcommand; it is called from init functions.
func register(name, summary string, run func(ctx context.Context, args []string, stdout, stderr io.Writer) int) {
	if _, dup := subcommands[name]; dup {
		panic("shardis: subcommand registered twice: " + name)
	}
	subcommands[name] = subcommand{summary: summary, run: run}
}

func init() {
	// The console writer prints what the event recorded: zerolog's default,
	// RFC 3339 in whole seconds, printed every line's milliseconds as .000.
	zerolog.TimeFieldFormat = time.RFC3339Nano
	register("version", "print the version", func(_ context.Context, _ []string, stdout, _ io.Writer) int {
		fmt.Fprintf(stdout, "shardis %s\n", version)
		return 0
	})
}

// usage lists the subcommands in name order.
func usage() string {
	var b strings.Builder
	b.WriteString("usage: shardis <command> [options]\n\ncommands:\n")
	names := make([]string, 0, len(subcommands))
	for n := range subcommands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  %-14s %s\n", n, subcommands[n].summary)
	}
	b.WriteString("\nRun \"shardis <command> -h\" for a command's options.\n")
	return b.String()
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	hangups = hup
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one subcommand and returns the process exit code: 0 on
// success, 1 when running failed, 2 for bad usage or configuration.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return 2
	}
	switch args[0] {
	case "--version", "-v":
		args[0] = "version"
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage())
		return 0
	}
	if c, ok := subcommands[args[0]]; ok {
		return c.run(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "shardis: unknown command %q\n\n%s", args[0], usage())
	return 2
}

// newLogger writes human-readable lines to w, with the time to the
// millisecond.
func newLogger(w io.Writer, level string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil {
		return zerolog.Nop(), fmt.Errorf("log level %q: %w", level, err)
	}
	out := zerolog.ConsoleWriter{Out: w, TimeFormat: time.StampMilli, NoColor: true}
	return zerolog.New(out).Level(lvl).With().Timestamp().Logger(), nil
}
