package aof

import (
	"fmt"
	"strings"
)

// Policy is an appendfsync setting: when the log's bytes are fsynced.
type Policy int

// The appendfsync policies, as redis.conf names them.
const (
	// Always fsyncs before Wait returns: an acknowledged write survives a
	// power cut.
	Always Policy = iota
	// EverySec fsyncs in the background once a second: a power cut loses
	// about the last two seconds.
	EverySec
	// No never fsyncs explicitly: the kernel flushes when it likes.
	No
)

// ParsePolicy reads an appendfsync value ("always", "everysec", "no"),
// case-insensitively as CONFIG SET does.
func ParsePolicy(s string) (Policy, error) {
	switch strings.ToLower(s) {
	case "always":
		return Always, nil
	case "everysec":
		return EverySec, nil
	case "no":
		return No, nil
	}
	return 0, fmt.Errorf("aof: invalid appendfsync policy %q (want always, everysec or no)", s)
}

// String returns the policy's redis.conf name.
func (p Policy) String() string {
	switch p {
	case Always:
		return "always"
	case EverySec:
		return "everysec"
	case No:
		return "no"
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}
