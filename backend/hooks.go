package backend

// Hooks every write path calls, so that features built across files
// (WATCH, keyspace notifications, blocking pops) see every change. Each is
// called with the key's shard locked, right after the change.
//
// Owners: signalModifiedKey and notifyKeyspaceEvent are implemented by the
// transactions / pub-sub code (multi.go, notify.go); signalKeyAsReady by the
// blocking-commands code (blocking.go). Until then they do nothing.

// Keyspace event classes, as the letters of notify-keyspace-events.
const (
	notifyGeneric = 'g'
	notifyString  = '$'
	notifyList    = 'l'
	notifySet     = 's'
	notifyHash    = 'h'
	notifyZSet    = 'z'
	notifyExpired = 'x'
	notifyEvicted = 'e'
	notifyStream  = 't'
	notifyKeyMiss = 'm'
	notifyNew     = 'n'
)

var (
	// signalModifiedKeyHook, when set, runs for every change of a key
	// (Redis's signalModifiedKey): it breaks the WATCHes on it.
	signalModifiedKeyHook func(db *DB, key []byte)
	// notifyKeyspaceEventHook, when set, publishes a keyspace event.
	notifyKeyspaceEventHook func(s *Server, class byte, event string, key []byte, dbid int)
	// signalKeyAsReadyHook, when set, wakes clients blocked on key
	// (a list, zset or stream got elements).
	signalKeyAsReadyHook func(db *DB, key []byte)
)

// signalModifiedKey records that key changed (see signalModifiedKeyHook).
func signalModifiedKey(db *DB, key []byte) {
	if signalModifiedKeyHook != nil {
		signalModifiedKeyHook(db, key)
	}
}

// notifyKeyspaceEvent publishes event for key if notify-keyspace-events
// selects class (see notifyKeyspaceEventHook).
func notifyKeyspaceEvent(s *Server, class byte, event string, key []byte, dbid int) {
	if notifyKeyspaceEventHook != nil {
		notifyKeyspaceEventHook(s, class, event, key, dbid)
	}
}

// signalKeyAsReady wakes clients blocked on key (see signalKeyAsReadyHook).
func signalKeyAsReady(db *DB, key []byte) {
	if signalKeyAsReadyHook != nil {
		signalKeyAsReadyHook(db, key)
	}
}

// signalKeyAsReadyKind is what Redis's dbAdd does for a key just added with
// a value of kind k: clients can be blocked on lists, sorted sets and
// streams.
func signalKeyAsReadyKind(db *DB, key []byte, k kind) {
	if k == kindList || k == kindZSet || k == kindStream {
		signalKeyAsReady(db, key)
	}
}
