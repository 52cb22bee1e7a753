//go:build !unix

package proxy

import "net"

// watchClient cannot peek at sockets here: a client that disconnects while
// blocked is noticed when its command returns.
func watchClient(nc net.Conn, gone func()) (stop func() bool) {
	return func() bool { return false }
}
