//go:build !unix

package proxy

import "net"

// watchClient cannot peek at sockets here: a client that disconnects while
// blocked is noticed when its command returns.
func watchClient(nc net.Conn, gone func()) (stop func() bool) {
	return func() bool { return false }
}

// connAlive cannot tell here: an idle connection is assumed usable.
func connAlive(nc net.Conn) bool { return true }
