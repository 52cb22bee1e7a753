package aof

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// errPowerCut is what every operation returns once the power is cut.
var errPowerCut = errors.New("memfs: power cut")

// memNode is a file's content: what the page cache holds and what an fsync
// made durable.
type memNode struct {
	data   []byte
	synced []byte
	// lost is the range a failed fsync dropped (Linux marks the pages
	// clean, so a later fsync succeeds without writing them): it stays
	// zeros on disk until truncated away or rewritten.
	lostFrom, lostTo int
}

// memFS is an in-memory FS that can cut the power: everything not covered
// by an fsync (file bytes) or a directory fsync (entries) is then lost.
// Before the cut, fault hooks can fail any operation.
type memFS struct {
	mu      sync.Mutex
	names   map[string]*memNode // the namespace as processes see it
	durable map[string]*memNode // the namespace as the disk holds it
	dirs    map[string]bool

	ops   int // mutating operations so far
	cutAt int // cut the power right before this operation (0: never)
	dead  bool
	image *memFS // the disk at the cut

	// fault, when set, may fail an operation ("create", "write", "sync",
	// "truncate", "rename", "remove", "syncdir") before it happens.
	fault func(op, path string) error
	// shortWrite, when set, may write only part of p and fail.
	shortWrite func(path string, p []byte) (int, error)
	// fsyncgate makes a failed fsync drop the unsynced bytes for good, as
	// Linux does.
	fsyncgate bool
}

var _ FS = (*memFS)(nil)

func newMemFS() *memFS {
	return &memFS{names: map[string]*memNode{}, durable: map[string]*memNode{}, dirs: map[string]bool{}}
}

// step counts a mutating operation and cuts the power when its turn comes.
// Called with mu held.
func (m *memFS) step(op, path string) error {
	if m.dead {
		return errPowerCut
	}
	m.ops++
	if m.cutAt > 0 && m.ops >= m.cutAt {
		m.cutLocked(nil)
		return errPowerCut
	}
	if m.fault != nil {
		if err := m.fault(op, path); err != nil {
			return err
		}
	}
	return nil
}

// Cut cuts the power now and returns the disk as it is after a reboot.
func (m *memFS) Cut() *memFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cutLocked(nil)
	return m.image
}

// CutKeeping cuts the power, keeping for each file the durable bytes plus
// what tail returns from its unsynced bytes (a torn write, zeros, ...).
func (m *memFS) CutKeeping(tail func(path string, unsynced []byte) []byte) *memFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cutLocked(tail)
	return m.image
}

func (m *memFS) cutLocked(tail func(path string, unsynced []byte) []byte) {
	if m.dead {
		return
	}
	m.dead = true
	img := newMemFS()
	for d := range m.dirs {
		img.dirs[d] = true
	}
	for path, n := range m.durable {
		data := append([]byte(nil), n.synced...)
		if tail != nil && len(n.data) > len(n.synced) && string(n.data[:len(n.synced)]) == string(n.synced) {
			data = append(data, tail(path, n.data[len(n.synced):])...)
		}
		nn := &memNode{data: data, synced: append([]byte(nil), data...)}
		img.names[path] = nn
		img.durable[path] = nn
	}
	m.image = img
}

// FlushOS writes every file back as the kernel eventually does.
func (m *memFS) FlushOS() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, n := range m.names {
		n.synced = append(n.synced[:0], n.data...)
	}
	for d := range m.dirs {
		m.syncDirLocked(d)
	}
}

func (m *memFS) syncDirLocked(dir string) {
	for p := range m.durable {
		if filepath.Dir(p) == dir {
			if _, ok := m.names[p]; !ok {
				delete(m.durable, p)
			}
		}
	}
	for p, n := range m.names {
		if filepath.Dir(p) == dir {
			m.durable[p] = n
		}
	}
}

// Read returns a file's current content.
func (m *memFS) Read(path string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.names[path]
	if !ok {
		return nil, false
	}
	return append([]byte(nil), n.data...), true
}

// WriteFile sets a file's content, durably.
func (m *memFS) WriteFile(path string, data []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := &memNode{data: append([]byte(nil), data...), synced: append([]byte(nil), data...)}
	m.names[path] = n
	m.durable[path] = n
	m.dirs[filepath.Dir(path)] = true
}

func (m *memFS) OpenFile(name string, flag int, _ fs.FileMode) (File, error) {
	name = filepath.Clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dead {
		return nil, errPowerCut
	}
	n, ok := m.names[name]
	if !ok {
		if flag&os.O_CREATE == 0 {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		if !m.dirs[filepath.Dir(name)] {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		if err := m.step("create", name); err != nil {
			return nil, err
		}
		n = &memNode{}
		m.names[name] = n
	} else if flag&os.O_TRUNC != 0 {
		if err := m.step("truncate", name); err != nil {
			return nil, err
		}
		n.data = n.data[:0]
	}
	return &memFile{fs: m, n: n, path: name, flag: flag}, nil
}

func (m *memFS) Rename(oldpath, newpath string) error {
	oldpath, newpath = filepath.Clean(oldpath), filepath.Clean(newpath)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.step("rename", newpath); err != nil {
		return err
	}
	n, ok := m.names[oldpath]
	if !ok {
		return &fs.PathError{Op: "rename", Path: oldpath, Err: fs.ErrNotExist}
	}
	delete(m.names, oldpath)
	m.names[newpath] = n
	return nil
}

func (m *memFS) Remove(name string) error {
	name = filepath.Clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.step("remove", name); err != nil {
		return err
	}
	if _, ok := m.names[name]; !ok {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	delete(m.names, name)
	return nil
}

func (m *memFS) MkdirAll(name string, _ fs.FileMode) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dead {
		return errPowerCut
	}
	// Directories are durable at once: the tests are about files.
	m.dirs[filepath.Clean(name)] = true
	return nil
}

func (m *memFS) ReadDir(name string) ([]string, error) {
	name = filepath.Clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dead {
		return nil, errPowerCut
	}
	var out []string
	for p := range m.names {
		if filepath.Dir(p) == name {
			out = append(out, filepath.Base(p))
		}
	}
	sort.Strings(out)
	return out, nil
}

func (m *memFS) Stat(name string) (fs.FileInfo, error) {
	name = filepath.Clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dead {
		return nil, errPowerCut
	}
	n, ok := m.names[name]
	if !ok {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	return memInfo{name: filepath.Base(name), size: int64(len(n.data))}, nil
}

func (m *memFS) SyncDir(name string) error {
	name = filepath.Clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.step("syncdir", name); err != nil {
		return err
	}
	m.syncDirLocked(name)
	return nil
}

// Files lists the names in a directory, for assertions.
func (m *memFS) Files(dir string) string {
	names, _ := m.ReadDir(dir)
	return strings.Join(names, " ")
}

type memFile struct {
	fs   *memFS
	n    *memNode
	path string
	flag int
	pos  int64
}

func (f *memFile) Read(p []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.pos >= int64(len(f.n.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.n.data[f.pos:])
	f.pos += int64(n)
	return n, nil
}

func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if off >= int64(len(f.n.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.n.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *memFile) Write(p []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.step("write", f.path); err != nil {
		return 0, err
	}
	n, err := len(p), error(nil)
	if f.fs.shortWrite != nil {
		n, err = f.fs.shortWrite(f.path, p)
	}
	if f.flag&os.O_APPEND != 0 {
		f.n.data = append(f.n.data, p[:n]...)
	} else {
		end := f.pos + int64(n)
		for int64(len(f.n.data)) < end {
			f.n.data = append(f.n.data, 0)
		}
		copy(f.n.data[f.pos:], p[:n])
		f.pos = end
	}
	return n, err
}

func (f *memFile) Close() error { return nil }

func (f *memFile) Sync() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	n := f.n
	if err := f.fs.step("sync", f.path); err != nil {
		if f.fs.fsyncgate && len(n.data) > len(n.synced) {
			n.lostFrom, n.lostTo = len(n.synced), len(n.data)
		}
		return err
	}
	n.synced = append(n.synced[:0], n.data...)
	for i := n.lostFrom; i < n.lostTo && i < len(n.synced); i++ {
		n.synced[i] = 0
	}
	return nil
}

func (f *memFile) Truncate(size int64) error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.step("truncate", f.path); err != nil {
		return err
	}
	for int64(len(f.n.data)) < size {
		f.n.data = append(f.n.data, 0)
	}
	f.n.data = f.n.data[:size]
	if int(size) <= f.n.lostFrom {
		f.n.lostFrom, f.n.lostTo = 0, 0
	}
	return nil
}

func (f *memFile) Stat() (fs.FileInfo, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	return memInfo{name: filepath.Base(f.path), size: int64(len(f.n.data))}, nil
}

type memInfo struct {
	name string
	size int64
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) Mode() fs.FileMode  { return 0o644 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }
