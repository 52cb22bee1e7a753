// Package testproc holds what tests need to start helper processes
// (redis-server, shardis nodes) that never outlive the test binary.
package testproc
