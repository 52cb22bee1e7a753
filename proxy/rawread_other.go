//go:build !unix

package proxy

import (
	"errors"
	"net"
	"syscall"
)

// rawConn returns nil: sessions read through net.Conn.Read here.
func rawConn(net.Conn) syscall.RawConn { return nil }

func readFD(uintptr, []byte) (int, error) { return 0, errors.ErrUnsupported }
