//go:build !unix

// Package rawio reads sockets by file descriptor inside
// syscall.RawConn.Read; on this platform it does not, and callers read
// through net.Conn.Read.
package rawio

import (
	"errors"
	"net"
	"syscall"
)

// Conn returns nil: callers read through net.Conn.Read here.
func Conn(net.Conn) syscall.RawConn { return nil }

// Read is not supported here.
func Read(uintptr, []byte) (int, error) { return 0, errors.ErrUnsupported }

// Abort closes nc.
func Abort(nc net.Conn) { nc.Close() }

// Write is not available: Conn returns nil, so it is never called.
func Write(uintptr, []byte) (int, error) { return 0, errors.ErrUnsupported }

// Writer writes through the net.Conn.
type Writer struct{ nc net.Conn }

// NewWriter returns a Writer for nc.
func NewWriter(nc net.Conn) *Writer { return &Writer{nc: nc} }

func (w *Writer) Write(p []byte) (int, error) { return w.nc.Write(p) }

// Raw reports false: TryWrite writes nothing here.
func (w *Writer) Raw() bool { return false }

// TryWrite writes nothing here (see Raw).
func (w *Writer) TryWrite([]byte) int { return 0 }
