package aof

import (
	"io"
	"io/fs"
	"os"
)

// FS is the file system the log reaches the disk through. Options.FS nil
// means the operating system (OSFS); tests pass implementations that inject
// faults or simulate power cuts.
type FS interface {
	// OpenFile opens name as os.OpenFile does (os.O_* flags).
	OpenFile(name string, flag int, perm fs.FileMode) (File, error)
	// Rename renames a file, atomically replacing newpath.
	Rename(oldpath, newpath string) error
	// Remove removes a file.
	Remove(name string) error
	// MkdirAll creates a directory and its parents.
	MkdirAll(name string, perm fs.FileMode) error
	// ReadDir lists a directory's entry names.
	ReadDir(name string) ([]string, error)
	// Stat describes a file.
	Stat(name string) (fs.FileInfo, error)
	// SyncDir fsyncs a directory, making created, renamed and removed
	// entries durable.
	SyncDir(name string) error
}

// File is an open file of an FS.
type File interface {
	io.Reader
	io.ReaderAt
	io.Writer
	io.Closer
	// Sync flushes the file's data to stable storage (fsync).
	Sync() error
	// Truncate changes the file's size.
	Truncate(size int64) error
	// Stat describes the file.
	Stat() (fs.FileInfo, error)
}

// OSFS is the operating system's file system.
type OSFS struct{}

var _ FS = OSFS{}

// OpenFile implements FS.
func (OSFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

// osFile is an *os.File whose Sync is datasync where the system has it.
type osFile struct{ *os.File }

// Sync flushes the file's data and the metadata needed to read it back
// (its size), as redis-server's fsync of the AOF does with fdatasync on
// Linux; it skips the timestamps a full fsync also writes.
func (f osFile) Sync() error { return datasync(f.File) }

// SyncInline implements inlineSyncer.
func (f osFile) SyncInline() error { return datasyncInline(f.File) }

// inlineSyncer is a File that can sync while keeping the Go processor of
// its thread, used under appendfsync always. There the node replies only
// after the fsync, as redis-server's main thread does; letting the
// scheduler hand the processor to other connections during the fsync
// (what a normal syscall does once it lasts ~20 us) split the clients into
// two groups that alternate between fsyncs, each fsync covering half as
// many commands, and cost a thread hand-off per fsync. Waiting inline makes
// every connection's requests gather during the fsync and go out together
// in the next one: with redis-benchmark -c 50 -P 1 SET it measured 1.3x
// the throughput (bench/aof_compare.sh).
type inlineSyncer interface {
	SyncInline() error
}

// Rename implements FS.
func (OSFS) Rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }

// Remove implements FS.
func (OSFS) Remove(name string) error { return os.Remove(name) }

// MkdirAll implements FS.
func (OSFS) MkdirAll(name string, perm fs.FileMode) error { return os.MkdirAll(name, perm) }

// ReadDir implements FS.
func (OSFS) ReadDir(name string) ([]string, error) {
	ents, err := os.ReadDir(name)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name()
	}
	return names, nil
}

// Stat implements FS.
func (OSFS) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

// SyncDir implements FS.
func (OSFS) SyncDir(name string) error {
	d, err := os.Open(name)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
