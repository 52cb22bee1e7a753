package proxy

import (
	"time"

	"github.com/shardis/shardis/topology"
)

// Reload makes cfg the configuration in force (SIGHUP): the new slot map
// and this proxy's new settings are swapped in atomically, links to new
// primaries are made, and links to nodes no longer used are closed once
// the read timeout and a second have passed, so that batches routed just
// before the swap still complete. Client connections stay open. An
// invalid cfg is refused with an error and the old configuration kept.
// Listen addresses are not changed by a reload.
func (s *Server) Reload(cfg *topology.Config) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	c, err := s.newConf(cfg)
	if err != nil {
		return err
	}
	old := s.conf.Load()
	s.conf.Store(c)
	m, err := s.buildMap(cfg)
	if err != nil {
		s.conf.Store(old)
		return err
	}
	s.slots.Store(m)
	rt := s.routes()

	// Retire the pools of nodes that are no longer primaries, and those
	// whose password changed (they are made again on first use).
	keep := make(map[*pool]bool, len(rt.pools))
	for _, p := range rt.pools {
		keep[p] = true
	}
	var retire []*pool
	s.mu.Lock()
	for addr, p := range s.pools {
		if !keep[p] || p.pass != s.nodePass(addr) {
			retire = append(retire, p)
			delete(s.pools, addr)
		}
	}
	if len(retire) > 0 {
		// Routes built from the pools just retired must not be used.
		s.rt.Store(nil)
	}
	s.mu.Unlock()
	if len(retire) > 0 {
		// A session may have routed its batch with the old table just
		// before the swap: the old links stay open for that batch (it ends
		// within the read timeout), then close.
		grace := s.timeouts().read + time.Second
		retireLater := func() {
			t := time.NewTimer(grace)
			defer t.Stop()
			select {
			case <-t.C:
			case <-s.done:
			}
			for _, p := range retire {
				p.close()
			}
		}
		if !s.goFunc(retireLater) {
			for _, p := range retire { // the server is closing
				p.close()
			}
		}
	}
	s.routes()
	s.log.Info().Int("shards", m.NumShards()).Int("retired_nodes", len(retire)).Msg("topology reloaded")
	return nil
}
