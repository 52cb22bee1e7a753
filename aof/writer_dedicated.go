package aof

// The group-commit scheme Wait uses by default is leader/follower: the first
// waiter that finds no write in progress writes for everyone. The
// alternative below, a dedicated writer goroutine that waiters wake, is
// kept for BenchmarkAppendWait, which compares the two (the leader scheme
// saves a goroutine hand-off per batch and came out ahead under every
// policy; see doc.go for the figures).

// startDedicatedWriter switches Wait to the dedicated-writer scheme. It is
// called right after Open, before any Wait.
func (l *Log) startDedicatedWriter() {
	l.mu.Lock()
	l.kick = make(chan struct{}, 1)
	l.mu.Unlock()
	l.wg.Add(1)
	go l.writerLoop()
}

// writerLoop writes whenever a waiter kicks it.
func (l *Log) writerLoop() {
	defer l.wg.Done()
	for {
		select {
		case <-l.stop:
			return
		case <-l.kick:
		}
		l.mu.Lock()
		for !l.writing && !l.closed && (len(l.buf) > 0 || (l.policy == Always && l.synced < l.written)) {
			if l.flushLocked(false) != nil {
				break
			}
		}
		l.mu.Unlock()
	}
}

// waitDedicated is Wait under the dedicated-writer scheme; mu is held.
func (l *Log) waitDedicated(off int64) error {
	gen := l.failGen
	for !l.doneLocked(off) {
		if l.closed {
			return ErrClosed
		}
		if l.failGen != gen {
			return l.errLocked()
		}
		select {
		case l.kick <- struct{}{}:
		default:
		}
		l.cond.Wait()
	}
	return nil
}
