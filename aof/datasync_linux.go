package aof

import (
	"os"
	"syscall"
)

// datasync is fdatasync(2), retried on EINTR.
func datasync(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		for {
			serr = syscall.Fdatasync(int(fd))
			if serr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	if serr != nil {
		return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: serr}
	}
	return nil
}

// datasyncInline is datasync without entering the Go scheduler's syscall
// state: the thread keeps its processor while the disk works, so no other
// goroutine runs on it meanwhile (see inlineSyncer).
func datasyncInline(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		for {
			_, _, e := syscall.RawSyscall(syscall.SYS_FDATASYNC, fd, 0, 0)
			if e != syscall.EINTR {
				if e != 0 {
					serr = e
				}
				return
			}
		}
	}); err != nil {
		return err
	}
	if serr != nil {
		return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: serr}
	}
	return nil
}
