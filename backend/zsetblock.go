package backend

import "time"

// The blocking pops of sorted sets (redis-server 7.0's
// blockingGenericZpopCommand): BZPOPMIN, BZPOPMAX and BZMPOP, on the
// framework of blocking.go. ZADD, ZINCRBY and the store commands wake the
// clients blocked on a key when they create it (signalKeyAsReady, as
// Redis's dbAdd does); serving pops as ZPOPMIN/ZPOPMAX would, from the key
// that became ready.

func init() {
	register("bzpopmin", func(c *Client, args [][]byte) { bzpopMinMax(c, args, false) })
	register("bzpopmax", func(c *Client, args [][]byte) { bzpopMinMax(c, args, true) })
	register("bzmpop", cmdBZMPop)
}

// bzpopMinMax is BZPOPMIN and BZPOPMAX key [key ...] timeout: the reply is
// [key, member, score].
func bzpopMinMax(c *Client, args [][]byte, max bool) {
	timeout, ok := blockTimeoutArg(c, args[len(args)-1])
	if !ok {
		return
	}
	zpopBlocking(c, args[1:len(args)-1], max, -1, false, timeout)
}

// cmdBZMPop is BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]:
// the arguments are checked before the timeout, as zmpopGenericCommand
// does; the reply is [key, [[member, score], ...]].
func cmdBZMPop(c *Client, args [][]byte) {
	keys, max, count, ok := zmpopArgs(c, args, 2)
	if !ok {
		return
	}
	timeout, ok := blockTimeoutArg(c, args[1])
	if !ok {
		return
	}
	zpopBlocking(c, keys, max, count, true, timeout)
}

// zpopBlocking pops from the first of keys that holds a sorted set, or
// blocks until one does. count is -1 for BZPOPMIN and BZPOPMAX; nested is
// BZMPOP's reply shape (and its null array when nothing comes in time).
func zpopBlocking(c *Client, keys [][]byte, max bool, count int64, nested bool, timeout time.Duration) {
	db := c.db
	mask := keysShardMask(keys)
	c.lockShards(db, mask)
	for _, key := range keys {
		e, ok := writeZsetEntry(c, db.shard(key), key)
		if !ok {
			c.unlockShards(db, mask)
			return
		}
		if e == nil {
			continue
		}
		zpopLocked(c, [][]byte{key}, max, true, count, nested, nested)
		c.unlockShards(db, mask)
		return
	}
	c.unlockShards(db, mask)
	if c.inExec {
		// Redis never blocks inside a transaction.
		c.w.WriteNullArray()
		return
	}
	c.block(keys, timeout, func(c *Client, db *DB, key []byte) bool {
		e := db.shard(key).peekTouched(db, key, c.now)
		if e == nil || e.kind != kindZSet {
			return false
		}
		zpopLocked(c, [][]byte{key}, max, true, count, nested, nested)
		return true
	})
}
