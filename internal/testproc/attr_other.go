//go:build !linux

package testproc

import "syscall"

// Attr returns nil where Linux's parent-death signal does not exist: the
// tests' Cleanup functions still stop their children.
func Attr() *syscall.SysProcAttr { return nil }
