package aof

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/shardis/shardis/internal/resp"
)

// File types of a manifest line, as Redis 7 writes them.
const (
	typeBase    = 'b'
	typeHistory = 'h'
	typeIncr    = 'i'
)

// manifestMaxLine is Redis's AOF_MANIFEST_MAX_LINE: a longer line is refused.
const manifestMaxLine = 1024

// ErrManifest is returned (wrapped, with the reason and the line) when a
// manifest does not follow Redis 7's format.
var ErrManifest = errors.New("aof: invalid AOF manifest")

// fileInfo is one file of a manifest.
type fileInfo struct {
	name string
	seq  int64
	typ  byte
}

// manifest is a parsed manifest: at most one base, the history files
// (pending deletion) and the incr files in increasing seq order.
type manifest struct {
	base    *fileInfo
	history []fileInfo
	incr    []fileInfo
}

// files returns the files to load, base first.
func (m *manifest) files() []fileInfo {
	var fs []fileInfo
	if m.base != nil {
		fs = append(fs, *m.base)
	}
	return append(fs, m.incr...)
}

// lastIncrSeq is the highest incr seq, 0 without incr files. History
// files count too, so that a new incr never takes an old file's name.
func (m *manifest) lastIncrSeq() int64 {
	var n int64
	for _, fi := range m.history {
		n = max(n, fi.seq)
	}
	if len(m.incr) > 0 {
		n = max(n, m.incr[len(m.incr)-1].seq)
	}
	return n
}

// parseManifest parses a manifest with redis-server 7's rules
// (aofLoadManifestFromFile): '#' lines are comments, every other line is
// split as sdssplitargs splits (quotes and escapes), holds key/value pairs
// among which "file", "seq" and "type" are required and others ignored;
// an empty line, a line over 1024 bytes, a second base, an unknown type or
// incr seqs that do not increase are errors. An empty manifest is an error.
func parseManifest(r io.Reader) (*manifest, error) {
	br := bufio.NewReaderSize(r, manifestMaxLine+1)
	m := &manifest{}
	var maxSeq int64
	for lineno := 1; ; lineno++ {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			return nil, fmt.Errorf("%w: line %d: the AOF manifest file contains too long line", ErrManifest, lineno)
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("aof: reading the manifest: %w", err)
		}
		if len(line) == 0 && err == io.EOF {
			break
		}
		if line[0] == '#' {
			if err == io.EOF {
				break
			}
			continue
		}
		if line[len(line)-1] != '\n' {
			// fgets hands Redis a last line without its newline, and
			// Redis insists on one.
			return nil, fmt.Errorf("%w: line %d: the AOF manifest file contains too long line", ErrManifest, lineno)
		}
		fi, perr := parseManifestLine(line)
		if perr != nil {
			return nil, fmt.Errorf("%w: line %d: %s", ErrManifest, lineno, perr)
		}
		switch fi.typ {
		case typeBase:
			if m.base != nil {
				return nil, fmt.Errorf("%w: line %d: found duplicate base file information", ErrManifest, lineno)
			}
			m.base = &fi
		case typeHistory:
			m.history = append(m.history, fi)
		case typeIncr:
			if fi.seq <= maxSeq {
				return nil, fmt.Errorf("%w: line %d: found a non-monotonic sequence number", ErrManifest, lineno)
			}
			maxSeq = fi.seq
			m.incr = append(m.incr, fi)
		default:
			return nil, fmt.Errorf("%w: line %d: unknown AOF file type", ErrManifest, lineno)
		}
		if err == io.EOF {
			break
		}
	}
	if m.base == nil && len(m.incr) == 0 {
		return nil, fmt.Errorf("%w: found an empty AOF manifest", ErrManifest)
	}
	return m, nil
}

func parseManifestLine(line []byte) (fileInfo, error) {
	var fi fileInfo
	line = bytes.Trim(line, " \t\r\n")
	if len(line) == 0 {
		return fi, errors.New("invalid AOF manifest file format")
	}
	args, err := resp.SplitArgs(line)
	// argc < 6 and odd counts are refused, for forward compatibility.
	if err != nil || len(args) < 6 || len(args)%2 != 0 {
		return fi, errors.New("invalid AOF manifest file format")
	}
	for i := 0; i < len(args); i += 2 {
		k, v := string(args[i]), string(args[i+1])
		switch {
		case strings.EqualFold(k, "file"):
			if filepath.Base(v) != v || strings.ContainsRune(v, '/') {
				return fi, errors.New("file can't be a path, just a filename")
			}
			fi.name = v
		case strings.EqualFold(k, "seq"):
			fi.seq = atoll(v)
		case strings.EqualFold(k, "type"):
			if len(v) > 0 {
				fi.typ = v[0]
			}
		}
	}
	if fi.name == "" || fi.seq == 0 || fi.typ == 0 {
		return fi, errors.New("invalid AOF manifest file format")
	}
	return fi, nil
}

// atoll parses a leading decimal integer as C's atoll does: leading
// spaces, an optional sign, digits, anything after ignored; 0 when none.
func atoll(s string) int64 {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var n int64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// needsRepr is sdsneedsrepr: whether a file name must be quoted.
func needsRepr(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' || c == '"' || c < 0x20 || c >= 0x7f || c == ' ' {
			return true
		}
	}
	return false
}

// appendRepr quotes s as sdscatrepr does.
func appendRepr(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, `\n`...)
		case '\r':
			dst = append(dst, `\r`...)
		case '\t':
			dst = append(dst, `\t`...)
		case '\a':
			dst = append(dst, `\a`...)
		case '\b':
			dst = append(dst, `\b`...)
		default:
			if c >= 0x20 && c < 0x7f {
				dst = append(dst, c)
			} else {
				dst = append(dst, `\x`...)
				dst = append(dst, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
			}
		}
	}
	return append(dst, '"')
}

// encode renders the manifest as Redis 7 writes it: the base, then history,
// then incr files, one "file <name> seq <n> type <t>" line each.
func (m *manifest) encode() []byte {
	var b []byte
	line := func(fi fileInfo) {
		b = append(b, "file "...)
		if needsRepr(fi.name) {
			b = appendRepr(b, fi.name)
		} else {
			b = append(b, fi.name...)
		}
		b = append(b, " seq "...)
		b = strconv.AppendInt(b, fi.seq, 10)
		b = append(b, " type "...)
		b = append(b, fi.typ, '\n')
	}
	if m.base != nil {
		line(*m.base)
	}
	for _, fi := range m.history {
		line(fi)
	}
	for _, fi := range m.incr {
		line(fi)
	}
	return b
}

// errManifestNotDurable is wrapped by writeManifest's error when the new
// manifest replaced the old one but the directory fsync failed: processes
// see the new one, a crash may bring back the old one, so the files of both
// must be kept.
var errManifestNotDurable = errors.New("the new manifest is in place but not durable")

// writeManifest replaces dir/name durably: a temp file written and
// fsynced, renamed over the manifest, then the directory fsynced.
func writeManifest(fsys FS, dir, name string, m *manifest) error {
	tmp := filepath.Join(dir, "temp-"+name)
	f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("aof: creating the temp manifest: %w", err)
	}
	_, err = f.Write(m.encode())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = fsys.Remove(tmp)
		return fmt.Errorf("aof: writing the temp manifest: %w", err)
	}
	if err := fsys.Rename(tmp, filepath.Join(dir, name)); err != nil {
		_ = fsys.Remove(tmp)
		return fmt.Errorf("aof: renaming the manifest: %w", err)
	}
	if err := fsys.SyncDir(dir); err != nil {
		return fmt.Errorf("aof: fsyncing the AOF directory: %w (%w)", err, errManifestNotDurable)
	}
	return nil
}

// readManifest reads and parses dir/name.
func readManifest(fsys FS, dir, name string) (*manifest, error) {
	f, err := fsys.OpenFile(filepath.Join(dir, name), os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseManifest(f)
}
