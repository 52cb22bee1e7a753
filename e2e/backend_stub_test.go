//go:build !shardis_backend

package e2e

import "testing"

// Until backend/ compiles, the target side of the differential tests can
// only be a second redis-server (SHARDIS_DIFF_TARGET=redis).
func startBackendConfig(t testing.TB, cfg serverConfig) string {
	t.Helper()
	t.Skip("backend not built into the e2e tests yet (build tag shardis_backend)")
	return ""
}
