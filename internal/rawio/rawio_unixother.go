//go:build unix && (!linux || race)

package rawio

import "syscall"

// sysRead and sysWrite are ordinary system calls where raw ones are not
// certain to be supported, and under the race detector (rawio_linux.go).
func sysRead(fd uintptr, p []byte) (int, error) {
	n, err := syscall.Read(int(fd), p)
	if n < 0 {
		n = 0
	}
	return n, err
}

func sysWrite(fd uintptr, p []byte) (int, error) {
	n, err := syscall.Write(int(fd), p)
	if n < 0 {
		n = 0
	}
	return n, err
}
