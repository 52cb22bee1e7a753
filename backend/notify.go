package backend

import "strconv"

// Keyspace notifications, after Redis 7.0's notify.c: a write calls
// notifyKeyspaceEvent (hooks.go) with its class and event name; when
// notify-keyspace-events selects the class, the event is published on
// __keyspace@<db>__:<key> (message: the event) and/or
// __keyevent@<db>__:<event> (message: the key), as K and E ask.
//
// The call is on every write's path, so with notifications off (the
// default), or with nobody subscribed to anything, it returns after two
// atomic loads.

// eventFlags is notify-keyspace-events decoded, for one configuration
// snapshot.
type eventFlags struct {
	o     *Options
	flags int
}

// keyspaceEvents returns the decoded notify-keyspace-events.
func (s *Server) keyspaceEvents() int {
	o := s.cfg.load()
	if f := s.pubsub.events.Load(); f != nil && f.o == o {
		return f.flags
	}
	flags, _ := keyspaceEventFlags(o.NotifyKeyspaceEvents)
	s.pubsub.events.Store(&eventFlags{o: o, flags: flags})
	return flags
}

// eventClassFlag maps hooks.go's class letters to the notify flags.
func eventClassFlag(class byte) int {
	switch class {
	case notifyGeneric:
		return kseGeneric
	case notifyString:
		return kseString
	case notifyList:
		return kseList
	case notifySet:
		return kseSet
	case notifyHash:
		return kseHash
	case notifyZSet:
		return kseZSet
	case notifyExpired:
		return kseExpired
	case notifyEvicted:
		return kseEvicted
	case notifyStream:
		return kseStream
	case notifyKeyMiss:
		return kseKeyMiss
	case notifyNew:
		return kseNew
	}
	return 0
}

// keyEventWanted reports whether an event of class would be published
// (and someone could receive it).
func (s *Server) keyEventWanted(class byte) bool {
	return s.pubsub.active.Load() != 0 && s.keyspaceEvents()&eventClassFlag(class) != 0
}

func init() {
	notifyKeyspaceEventHook = publishKeyspaceEvent
}

// keyspaceEvent publishes the events the keyspace itself emits rather
// than the commands: "new" when a key is created (Redis's dbAdd) and
// "keymiss" when a read finds no key. They are published directly, not
// through notifyKeyspaceEventHook, which stays the commands' hook.
func keyspaceEvent(db *DB, class byte, event string, key []byte) {
	publishKeyspaceEvent(db.srv, class, event, key, db.id)
}

// publishKeyspaceEvent is notifyKeyspaceEvent.
func publishKeyspaceEvent(s *Server, class byte, event string, key []byte, dbid int) {
	if s.pubsub.active.Load() == 0 {
		return
	}
	flags := s.keyspaceEvents()
	if flags&eventClassFlag(class) == 0 {
		return
	}
	var buf [128]byte
	if flags&kseKeyspace != 0 {
		ch := append(buf[:0], "__keyspace@"...)
		ch = strconv.AppendInt(ch, int64(dbid), 10)
		ch = append(ch, "__:"...)
		ch = append(ch, key...)
		s.publish(nil, ch, []byte(event), false)
	}
	if flags&kseKeyevent != 0 {
		ch := append(buf[:0], "__keyevent@"...)
		ch = strconv.AppendInt(ch, int64(dbid), 10)
		ch = append(ch, "__:"...)
		ch = append(ch, event...)
		s.publish(nil, ch, key, false)
	}
}
