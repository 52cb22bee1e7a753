package testproc

import (
	"net"
	"testing"
)

// FreePorts returns n distinct loopback TCP ports that were free a moment
// ago, for servers a test starts in another process or by address. It
// holds a listener on each port until it has them all: ports asked for one
// after another, each listener closed before the next, may come back
// equal, and a topology naming one address twice is refused.
func FreePorts(tb testing.TB, n int) []int {
	tb.Helper()
	ports := make([]int, 0, n)
	lns := make([]net.Listener, 0, n)
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatalf("listen on a free port: %v", err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports
}
