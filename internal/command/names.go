package command

// nameTable finds commands by name, ignoring ASCII case, without
// allocating: open addressing over a power-of-two array, at most half full,
// hashed with FNV-1a over the lower-cased name. It beats a Go map here
// because the name is hashed and lower-cased in one pass, with no copy.
type nameTable struct {
	slots  []nameSlot
	mask   uint32
	maxLen int
}

type nameSlot struct {
	name string // lower case
	c    *Command
}

func newNameTable(names []string, cmds []*Command) nameTable {
	size := 4
	for size < 2*len(names) {
		size *= 2
	}
	t := nameTable{slots: make([]nameSlot, size), mask: uint32(size - 1)}
	for i, n := range names {
		t.maxLen = max(t.maxLen, len(n))
		j := hashLower([]byte(n)) & t.mask
		for t.slots[j].c != nil {
			if t.slots[j].name == n {
				panic("command: duplicate name " + n)
			}
			j = (j + 1) & t.mask
		}
		t.slots[j] = nameSlot{name: n, c: cmds[i]}
	}
	return t
}

func hashLower(b []byte) uint32 {
	h := uint32(2166136261)
	for _, ch := range b {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		h ^= uint32(ch)
		h *= 16777619
	}
	return h
}

// find returns the command named name in any case, or nil.
func (t *nameTable) find(name []byte) *Command {
	if len(name) > t.maxLen || len(t.slots) == 0 {
		return nil
	}
	for i := hashLower(name) & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.c == nil {
			return nil
		}
		if len(s.name) == len(name) && equalLower(s.name, name) {
			return s.c
		}
	}
}

// equalLower reports whether b, lower-cased, is lower.
func equalLower(lower string, b []byte) bool {
	for i := 0; i < len(b); i++ {
		ch := b[i]
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		if ch != lower[i] {
			return false
		}
	}
	return true
}
