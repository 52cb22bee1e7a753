package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/shardis/shardis/aof"
)

const checkAOFUsage = `usage: shardis check-aof [--fix] <file.manifest|file.aof>

Checks an append-only file as redis-check-aof does: a manifest (every file
it lists, base first) or a single AOF file. For each file it prints the
offset of the last good command (ok_up_to). With --fix, a problem in the
last file is repaired by truncating it at that offset; other files are
never changed. Exit status: 0 valid (or fixed), 1 not valid, 2 bad usage.
`

func init() {
	register("check-aof", "check (and --fix) an append-only file or manifest", runCheckAOF)
}

// runCheckAOF is redis-check-aof for shardis's (and Redis 7's) AOF.
func runCheckAOF(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fix := false
	var path string
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help":
			fmt.Fprint(stdout, checkAOFUsage)
			return 0
		case "--fix", "-fix":
			fix = true
		default:
			if strings.HasPrefix(a, "-") || path != "" {
				fmt.Fprint(stderr, checkAOFUsage)
				return 2
			}
			path = a
		}
	}
	if path == "" {
		fmt.Fprint(stderr, checkAOFUsage)
		return 2
	}
	c := &aofChecker{fix: fix, out: stdout, errOut: stderr, line: 1}
	if strings.HasSuffix(path, ".manifest") {
		return c.multiPart(path)
	}
	fmt.Fprintln(stdout, "Start checking Old-Style AOF")
	code := c.file(path, path, true)
	if code == 0 {
		fmt.Fprintf(stdout, "AOF %s is valid\n", path)
	}
	return code
}

type aofChecker struct {
	fix         bool
	out, errOut io.Writer
	line        int64 // redis-check-aof counts lines across the files of a manifest
}

func (c *aofChecker) multiPart(manifest string) int {
	fmt.Fprintln(c.out, "Start checking Multi Part AOF")
	files, err := aof.ManifestFiles(nil, manifest)
	if err != nil {
		fmt.Fprintf(c.out, "%v\n", err)
		return 1
	}
	dir := filepath.Dir(manifest)
	incrStarted := false
	for i, f := range files {
		kind := "INCR"
		if f.Base {
			kind = "BASE"
			fmt.Fprintln(c.out, "Start to check BASE AOF (RESP format).")
		} else if !incrStarted {
			incrStarted = true
			fmt.Fprintln(c.out, "Start to check INCR files.")
		}
		if code := c.file(filepath.Join(dir, f.Name), f.Name, i == len(files)-1); code != 0 {
			return code
		}
		fmt.Fprintf(c.out, "%s AOF %s is valid\n", kind, f.Name)
	}
	fmt.Fprintln(c.out, "All AOF files and manifest are valid")
	return 0
}

// file checks one file and, with --fix, truncates it when it is the last.
func (c *aofChecker) file(path, name string, last bool) int {
	rep, err := aof.CheckFile(nil, path, last)
	if err != nil {
		fmt.Fprintf(c.out, "Cannot open file %s: %v, aborting...\n", path, err)
		return 1
	}
	if rep.RDB {
		fmt.Fprintf(c.out, "%s: %s\n", name, rep.Problem)
		return 1
	}
	if rep.Problem != "" {
		fmt.Fprintf(c.out, "0x%16x: %s\n", rep.OkUpTo, rep.Problem)
	}
	line := c.line + rep.OkUpToLine
	diff := rep.Size - rep.OkUpTo
	fmt.Fprintf(c.out, "AOF analyzed: filename=%s, size=%d, ok_up_to=%d, ok_up_to_line=%d, diff=%d\n",
		name, rep.Size, rep.OkUpTo, line, diff)
	c.line = line
	if rep.Problem == "" {
		return 0
	}
	if !c.fix {
		fmt.Fprintf(c.out, "AOF %s is not valid. Use the --fix option to try fixing it.\n", name)
		return 1
	}
	if !last {
		fmt.Fprintf(c.out, "Failed to truncate AOF %s because it is not the last file\n", name)
		return 1
	}
	fmt.Fprintf(c.out, "This will shrink the AOF %s from %d bytes, with %d bytes, to %d bytes\n",
		name, rep.Size, diff, rep.OkUpTo)
	if err := aof.TruncateFile(nil, path, rep.OkUpTo); err != nil {
		fmt.Fprintf(c.out, "Failed to truncate AOF %s: %v\n", name, err)
		return 1
	}
	fmt.Fprintf(c.out, "Successfully truncated AOF %s\n", name)
	return 0
}
