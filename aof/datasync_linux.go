package aof

import (
	"os"
	"syscall"
)

// datasync is fdatasync(2), retried on EINTR.
func datasync(f *os.File) error { return fdatasync(f, false) }

// datasyncInline is datasync without entering the Go scheduler's syscall
// state: the thread keeps its processor while the disk works, so no other
// goroutine runs on it meanwhile (see inlineSyncer).
func datasyncInline(f *os.File) error { return fdatasync(f, true) }

// fdatasync is fdatasync(2) on f, retried on EINTR; raw issues it with
// RawSyscall.
func fdatasync(f *os.File, raw bool) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		for {
			if raw {
				serr = nil
				if _, _, e := syscall.RawSyscall(syscall.SYS_FDATASYNC, fd, 0, 0); e != 0 {
					serr = e
				}
			} else {
				serr = syscall.Fdatasync(int(fd))
			}
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
