package testproc

import "syscall"

// Attr returns process attributes that kill a child when the test binary
// that started it dies (a timeout, a panic, an interrupted go test), so
// that no server is left running on the machine.
func Attr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
