//go:build unix

// Package rawio reads sockets by file descriptor inside
// syscall.RawConn.Read, for the connection loops of the node and the proxy:
// net.Conn.Read resets a descriptor's readiness on every call and must
// try a read (which fails with EAGAIN when the peer has sent nothing yet)
// before it may wait, while inside one RawConn.Read readiness survives
// from wait to wait, so a loop that saw the socket emptied can wait at once.
// It also writes sockets (Writer) inside syscall.RawConn.Write.
//
// On Linux the reads and writes are raw system calls (rawio_linux.go), which
// keep the goroutine's processor: the descriptors are non-blocking, so the
// calls never wait. Through an ordinary system call, one the kernel was
// slow to return from (its thread preempted by another process, common on
// a loaded machine) lets the runtime hand the processor to another thread,
// and with one processor (the proxy's default) every other connection then
// waits for that hand-off and back.
package rawio

import (
	"net"
	"syscall"
)

// Conn returns the RawConn of a socket connection, nil for any other
// net.Conn (the caller then reads through net.Conn.Read).
func Conn(nc net.Conn) syscall.RawConn {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// Read is one read(2) of fd, retried on EINTR. Nothing to read is
// syscall.EAGAIN; the end of the stream is 0, nil.
func Read(fd uintptr, p []byte) (int, error) {
	for {
		n, err := sysRead(fd, p)
		if err != syscall.EINTR {
			return n, err
		}
	}
}

// Abort ends a connection whose owner may be reading it inside
// RawConn.Read, without waiting for the owner: net.Conn.Close would wait
// until the owner's read call returns, which covers whole commands. It
// shuts the socket down both ways, which wakes the owner's wait with the
// end of the stream (and fails its writes); the owner then closes it.
// A connection without a descriptor is closed.
func Abort(nc net.Conn) {
	if rc := Conn(nc); rc != nil {
		var err error
		if cerr := rc.Control(func(fd uintptr) { err = syscall.Shutdown(int(fd), syscall.SHUT_RDWR) }); cerr == nil && err == nil {
			return
		}
	}
	nc.Close()
}

// Write is one write(2) of p to fd, retried on EINTR; a full socket
// buffer is syscall.EAGAIN.
func Write(fd uintptr, p []byte) (int, error) {
	for {
		n, err := sysWrite(fd, p)
		if err != syscall.EINTR {
			return n, err
		}
	}
}

// Writer writes to a socket with raw write(2) calls inside
// RawConn.Write, waiting in the Go poller only when the socket buffer is
// full. It writes through the net.Conn when that is not a socket. One
// write at a time: Write and TryWrite must not overlap.
type Writer struct {
	nc net.Conn
	rc syscall.RawConn

	// The state of the write in progress, for fn (w.writeFD, bound once
	// so that a write allocates no closure).
	fn   func(fd uintptr) bool
	p    []byte
	n    int
	err  error
	wait bool
}

// NewWriter returns a Writer for nc.
func NewWriter(nc net.Conn) *Writer {
	w := &Writer{nc: nc, rc: Conn(nc)}
	w.fn = w.writeFD
	return w
}

func (w *Writer) Write(p []byte) (int, error) {
	if w.rc == nil {
		return w.nc.Write(p)
	}
	n, err := w.write(p, true)
	if err != nil {
		return n, &net.OpError{Op: "write", Net: "tcp", Source: w.nc.LocalAddr(), Addr: w.nc.RemoteAddr(), Err: err}
	}
	return n, nil
}

// Raw reports whether the Writer writes a socket by descriptor, which
// TryWrite needs.
func (w *Writer) Raw() bool { return w.rc != nil }

// TryWrite writes what of p the socket takes now, without waiting for
// room, and returns how much that was (0 on an error, or if !Raw()). It may
// run beside the goroutine that reads the socket.
func (w *Writer) TryWrite(p []byte) int {
	if w.rc == nil {
		return 0
	}
	n, _ := w.write(p, false)
	return n
}

// write writes p inside RawConn.Write; on a full socket it waits in the Go
// poller if wait, else returns what went out.
func (w *Writer) write(p []byte, wait bool) (int, error) {
	w.p, w.n, w.err, w.wait = p, 0, nil, wait
	err := w.rc.Write(w.fn)
	n := w.n
	if w.err != nil {
		err = w.err
	}
	w.p, w.err = nil, nil
	return n, err
}

func (w *Writer) writeFD(fd uintptr) bool {
	for w.n < len(w.p) {
		m, err := Write(fd, w.p[w.n:])
		switch {
		case err == syscall.EAGAIN:
			return !w.wait
		case err != nil:
			w.err = err
			return true
		}
		w.n += m
	}
	return true
}
