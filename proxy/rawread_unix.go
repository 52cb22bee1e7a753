//go:build unix

package proxy

import (
	"net"
	"syscall"
)

// rawConn returns the RawConn of a socket connection, nil for any other
// net.Conn (sessions then read through net.Conn.Read).
func rawConn(nc net.Conn) syscall.RawConn {
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

// readFD is one read(2) of fd, retried on EINTR; EAGAIN comes back as
// syscall.EAGAIN.
func readFD(fd uintptr, p []byte) (int, error) {
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
