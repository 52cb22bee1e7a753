package backend

// --- Shard locking from command handlers ------------------------------------
//
// EXEC runs a transaction's commands with every shard of every database
// locked, in the lock order, so that no other client's command interleaves
// with them (Redis runs the whole transaction without serving anyone else).
// The commands it runs must then not lock again. Handlers therefore lock
// shards only through these helpers, which do nothing while their client is
// inside EXEC (c.inExec), and otherwise lock exactly as the shard mutexes
// and DB helpers would. Outside EXEC the cost is one predictable branch.
//
// Code that runs outside any command (active expiry, the cron) keeps using
// the mutexes directly.

// lockShard locks sh for c's current command.
func (c *Client) lockShard(sh *shard) {
	if !c.inExec {
		sh.mu.Lock()
	}
}

// unlockShard undoes lockShard.
func (c *Client) unlockShard(sh *shard) {
	if !c.inExec {
		sh.mu.Unlock()
	}
}

// lockShards locks the shards of db in m, in index order.
func (c *Client) lockShards(db *DB, m shardMask) {
	if !c.inExec {
		db.lockShardMask(m)
	}
}

// unlockShards undoes lockShards.
func (c *Client) unlockShards(db *DB, m shardMask) {
	if !c.inExec {
		db.unlockShardMask(m)
	}
}

// lockDB locks every shard of db. Several databases are locked in index
// order (FLUSHALL, SWAPDB).
func (c *Client) lockDB(db *DB) {
	if !c.inExec {
		db.lockAll()
	}
}

// unlockDB undoes lockDB.
func (c *Client) unlockDB(db *DB) {
	if !c.inExec {
		db.unlockAll()
	}
}

// lockShardPair locks shard i of a and shard j of b in the lock order; a
// shard named twice is locked once. a and b may be the same database.
func (c *Client) lockShardPair(a *DB, i int, b *DB, j int) {
	if !c.inExec {
		lockShardPair(a, i, b, j)
	}
}

// unlockShardPair undoes lockShardPair.
func (c *Client) unlockShardPair(a *DB, i int, b *DB, j int) {
	if !c.inExec {
		unlockShardPair(a, i, b, j)
	}
}

// lockEverything locks every shard of every database, in the lock order:
// what EXEC holds while it runs a transaction.
func (s *Server) lockEverything() {
	for _, db := range s.dbs {
		db.lockAll()
	}
}

func (s *Server) unlockEverything() {
	for i := len(s.dbs) - 1; i >= 0; i-- {
		s.dbs[i].unlockAll()
	}
}
