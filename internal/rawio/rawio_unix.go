//go:build unix

// Package rawio reads sockets by file descriptor inside
// syscall.RawConn.Read, for the connection loops of the node and the proxy:
// net.Conn.Read resets a descriptor's readiness on every call and must
// try a read (which fails with EAGAIN when the peer has sent nothing yet)
// before it may wait, while inside one RawConn.Read readiness survives
// from wait to wait, so a loop that saw the socket emptied can wait at once.
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
		n, err := syscall.Read(int(fd), p)
		if err == syscall.EINTR {
			continue
		}
		if n < 0 {
			n = 0
		}
		return n, err
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
