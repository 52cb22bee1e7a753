package aof

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
)

// CheckReport is check-aof's verdict on one file, with redis-check-aof's
// figures.
type CheckReport struct {
	Path       string
	Size       int64
	OkUpTo     int64  // end of the last good command (before an unfinished MULTI)
	OkUpToLine int64  // lines up to OkUpTo
	Problem    string // what is wrong at OkUpTo, "" when the file is valid
	// Torn says the problem is a torn tail (what a crash leaves) rather
	// than garbage; --fix truncates the last file either way.
	Torn bool
	// RDB is set when the file is in RDB format, which check-aof does not
	// check.
	RDB bool
}

// Valid reports whether the whole file is made of good commands.
func (r CheckReport) Valid() bool { return r.Problem == "" && !r.RDB }

// CheckEntry is a file a manifest lists, in load order.
type CheckEntry struct {
	Name string
	Base bool // the base file, else an incr file
}

// ManifestFiles reads a manifest (with the rules Open uses) and returns the
// files to load, base first. It does not check that they exist:
// redis-check-aof reports a missing file when it reaches it.
func ManifestFiles(fsys FS, manifestPath string) ([]CheckEntry, error) {
	if fsys == nil {
		fsys = OSFS{}
	}
	dir := filepath.Dir(manifestPath)
	m, err := readManifest(fsys, dir, filepath.Base(manifestPath))
	if err != nil {
		return nil, err
	}
	var out []CheckEntry
	for _, fi := range m.files() {
		out = append(out, CheckEntry{Name: fi.name, Base: fi.typ == typeBase})
	}
	return out, nil
}

// CheckFile reads a file as Load does, without applying anything. last
// says whether it is the last file of its log, where a torn tail is
// expected.
func CheckFile(fsys FS, path string, last bool) (CheckReport, error) {
	if fsys == nil {
		fsys = OSFS{}
	}
	rep := CheckReport{Path: path}
	f, err := fsys.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return rep, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return rep, err
	}
	rep.Size = st.Size()
	var magic [5]byte
	if n, _ := f.ReadAt(magic[:], 0); n == 5 && string(magic[:]) == "REDIS" {
		rep.RDB = true
		rep.Problem = "the file is in RDB format (aof-use-rdb-preamble yes), which shardis does not read"
		return rep, nil
	}
	res, err := newScanner().scan(f, filepath.Base(path), rep.Size, last, nil)
	if err != nil {
		return rep, err
	}
	rep.OkUpTo = res.validUpTo
	if res.problem == nil {
		rep.OkUpTo = rep.Size
	} else {
		rep.Problem = res.problem.Msg
		rep.Torn = res.torn
	}
	rep.OkUpToLine, err = countLines(f, rep.OkUpTo)
	return rep, err
}

// countLines counts the newlines in the first n bytes.
func countLines(f io.ReaderAt, n int64) (int64, error) {
	var lines int64
	buf := make([]byte, 64<<10)
	for off := int64(0); off < n; {
		m, err := f.ReadAt(buf[:min(int64(len(buf)), n-off)], off)
		lines += int64(bytes.Count(buf[:m], []byte{'\n'}))
		off += int64(m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return lines, err
		}
	}
	return lines, nil
}

// TruncateFile cuts a file to size and fsyncs it (check-aof --fix).
func TruncateFile(fsys FS, path string, size int64) error {
	if fsys == nil {
		fsys = OSFS{}
	}
	f, err := fsys.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = f.Truncate(size)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
