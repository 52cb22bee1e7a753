package backend

import (
	"math/rand/v2"
	"time"
)

// Active expiry, after Redis's activeExpireCycle: each tick samples keys
// that have an expiry in every shard and deletes the expired ones; a shard
// where more than a quarter of the sample had expired is sampled again, until
// the tick's time budget is spent. Lazy expiry (on access) catches the rest.
const (
	expireSample      = 20
	expireRepeatRatio = 4 // repeat while expired*4 > sampled
	expireBudgetPct   = 25
)

func (s *Server) activeExpireCycle(now int64) {
	budget := time.Second / time.Duration(max(1, s.opts.Hz)) * expireBudgetPct / 100
	deadline := time.Now().Add(budget)
	for _, db := range s.dbs {
		for i := range db.shards {
			sh := &db.shards[i]
			for {
				sh.mu.Lock()
				sampled, expired := sh.expireSample(db, now)
				sh.mu.Unlock()
				if sampled == 0 || expired*expireRepeatRatio <= sampled {
					break
				}
				if time.Now().After(deadline) {
					return
				}
			}
		}
	}
}

// expireSample checks up to expireSample random volatile entries and
// removes the expired ones. The shard must be locked.
func (sh *shard) expireSample(db *DB, now int64) (sampled, expired int) {
	if sh.expires == 0 {
		if len(sh.volatile) > 0 {
			sh.compactVolatile()
		}
		return 0, 0
	}
	for tries := 0; sampled < expireSample && tries < 2*expireSample && len(sh.volatile) > 0; tries++ {
		i := rand.IntN(len(sh.volatile))
		e := sh.volatile[i]
		if e.flags&flagDead != 0 || e.expire == 0 {
			// Stale: drop it from the list (swap with the last).
			last := len(sh.volatile) - 1
			sh.volatile[i] = sh.volatile[last]
			sh.volatile[last] = nil
			sh.volatile = sh.volatile[:last]
			if e.flags&flagDead == 0 {
				e.flags &^= flagVolatileListed
			}
			continue
		}
		sampled++
		if e.expire <= now {
			sh.expireEntry(db, e)
			expired++
		}
	}
	return sampled, expired
}
