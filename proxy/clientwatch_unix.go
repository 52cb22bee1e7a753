//go:build unix

package proxy

import (
	"errors"
	"net"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/shardis/shardis/internal/rawio"
)

// watchClient calls gone if the client at the other end of nc disconnects
// before stop is called; stop returns whether it did. It peeks at the
// socket without consuming anything, so the session's reader sees every
// byte later. Once the client has sent more requests the watch ends (a
// disconnect is then noticed when the session reads again).
func watchClient(nc net.Conn, gone func()) (stop func() bool) {
	rc := rawio.Conn(nc)
	if rc == nil {
		return func() bool { return false }
	}
	var stopping, wasGone atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		var buf [1]byte
		for !stopping.Load() {
			eof, data := false, false
			err := rc.Read(func(fd uintptr) bool {
				n, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
				switch {
				case errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.EINTR):
					return false
				case err != nil || n == 0:
					eof = true
				default:
					data = true
				}
				return true
			})
			if eof || (err != nil && !stopping.Load()) {
				// EOF, or the proxy closed the client (Close).
				wasGone.Store(true)
				gone()
				return
			}
			if err != nil || data {
				return
			}
		}
	}()
	return func() bool {
		stopping.Store(true)
		nc.SetReadDeadline(time.Now())
		<-done
		nc.SetReadDeadline(time.Time{})
		return wasGone.Load()
	}
}

// connAlive reports whether a node connection kept idle is still usable:
// the node has not closed it and sent nothing unasked.
func connAlive(nc net.Conn) bool {
	rc := rawio.Conn(nc)
	if rc == nil {
		return true
	}
	alive := false
	var buf [1]byte
	err := rc.Read(func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		alive = errors.Is(err, syscall.EAGAIN)
		return true
	})
	return err == nil && alive
}
