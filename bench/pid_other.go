//go:build !linux

package bench

import (
	"errors"
	"syscall"
)

// childAttr: without Linux's Pdeathsig, a killed harness leaves its
// servers running.
func childAttr() *syscall.SysProcAttr { return nil }

// pidListening needs /proc: fault scenarios on `shardis up` deployments
// run on Linux only.
func pidListening(port, ancestor int) (int, error) {
	return 0, errors.New("finding a node's process needs Linux's /proc")
}
