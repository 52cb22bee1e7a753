//go:build !linux

package aof

import "os"

// datasync is a full fsync where fdatasync is not available.
func datasync(f *os.File) error { return f.Sync() }

// datasyncInline is datasync here.
func datasyncInline(f *os.File) error { return datasync(f) }
