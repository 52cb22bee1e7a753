package command

import (
	"sort"
	"strings"
)

// Flag is a set of command flags, as COMMAND INFO reports them. The bits are
// declared in the order Redis 7.0 lists them in its reply, so writing the
// flags of a command is a walk over the bits.
type Flag uint64

// Command flags. The comments give the name COMMAND INFO uses.
const (
	Write           Flag = 1 << iota // write
	Readonly                         // readonly
	Denyoom                          // denyoom
	Module                           // module
	Admin                            // admin
	Pubsub                           // pubsub
	Noscript                         // noscript
	Blocking                         // blocking
	Loading                          // loading
	Stale                            // stale
	SkipMonitor                      // skip_monitor
	SkipSlowlog                      // skip_slowlog
	Asking                           // asking
	Fast                             // fast
	NoAuth                           // no_auth
	MayReplicate                     // may_replicate: hidden from COMMAND INFO by Redis 7.0
	NoMandatoryKeys                  // no_mandatory_keys
	Protected                        // protected: hidden from COMMAND INFO by Redis 7.0
	NoAsyncLoading                   // no_async_loading
	NoMulti                          // no_multi
	MovableKeys                      // movablekeys
	AllowBusy                        // allow_busy
)

// flagNames are the names COMMAND INFO gives the flags, in reply order; an
// empty name is a flag Redis 7.0 keeps out of its reply on purpose.
var flagNames = [...]string{
	"write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript",
	"blocking", "loading", "stale", "skip_monitor", "skip_slowlog", "asking",
	"fast", "no_auth", "", "no_mandatory_keys", "", "no_async_loading",
	"no_multi", "movablekeys", "allow_busy",
}

// String returns the flags as COMMAND INFO names them, separated by spaces
// (hidden flags by their source names).
func (f Flag) String() string {
	var b strings.Builder
	for i, n := range flagNames {
		if f&(1<<i) == 0 {
			continue
		}
		if n == "" {
			switch Flag(1 << i) {
			case MayReplicate:
				n = "may_replicate"
			case Protected:
				n = "protected"
			}
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(n)
	}
	return b.String()
}

// KeyFlag is a set of key-spec flags (how a command uses a key).
type KeyFlag uint32

// Key-spec flags, in the order Redis 7.0 writes them.
const (
	KeyRO            KeyFlag = 1 << iota // RO: read only
	KeyRW                                // RW: read and modified
	KeyOW                                // OW: overwritten
	KeyRM                                // RM: deleted
	KeyAccess                            // access: user data is returned
	KeyUpdate                            // update: data is updated
	KeyInsert                            // insert: data is added
	KeyDelete                            // delete: data is removed
	KeyNotKey                            // not_key: not a key (a channel)
	KeyIncomplete                        // incomplete: the spec may miss keys
	KeyVariableFlags                     // variable_flags: flags depend on arguments
)

var keyFlagNames = [...]string{
	"RO", "RW", "OW", "RM", "access", "update", "insert", "delete",
	"not_key", "incomplete", "variable_flags",
}

// SearchType says how a key spec finds the first key.
type SearchType uint8

// Begin-search types.
const (
	SearchUnknown SearchType = iota // unknown
	SearchIndex                     // index: a fixed argument index
	SearchKeyword                   // keyword: the argument after a keyword
)

// BeginSearch is the begin_search part of a key spec.
type BeginSearch struct {
	Type SearchType
	// Index is the argument index for SearchIndex.
	Index int
	// Keyword and StartFrom describe SearchKeyword: the keyword is searched
	// from StartFrom (negative: from the end, backwards).
	Keyword   string
	StartFrom int
}

// FindType says how a key spec finds the keys after the first one.
type FindType uint8

// Find-keys types.
const (
	FindUnknown FindType = iota // unknown
	FindRange                   // range
	FindKeynum                  // keynum
)

// FindKeys is the find_keys part of a key spec.
type FindKeys struct {
	Type FindType
	// Range: LastKey relative to the first key (negative: from the end),
	// KeyStep, and Limit (with LastKey -1, a divisor of the remaining
	// arguments).
	LastKey, KeyStep, Limit int
	// Keynum: the index of the key count relative to the first key, and of
	// the first key relative to it. KeyStep is shared with Range.
	KeyNumIdx, FirstKey int
}

// KeySpec is one key specification of a command.
type KeySpec struct {
	Notes       string
	Flags       KeyFlag
	BeginSearch BeginSearch
	FindKeys    FindKeys
}

// DocFlag is a set of documentation flags.
type DocFlag uint8

// Documentation flags, in reply order.
const (
	DocDeprecated DocFlag = 1 << iota // deprecated
	DocSyscmd                         // syscmd
)

var docFlagNames = [...]string{"deprecated", "syscmd"}

// ArgFlag is a set of argument flags.
type ArgFlag uint8

// Argument flags, in reply order.
const (
	ArgOptional      ArgFlag = 1 << iota // optional
	ArgMultiple                          // multiple
	ArgMultipleToken                     // multiple_token
)

var argFlagNames = [...]string{"optional", "multiple", "multiple_token"}

// ArgType is the type of a documented argument, as COMMAND DOCS names it.
type ArgType string

// Argument types.
const (
	ArgString    ArgType = "string"
	ArgInteger   ArgType = "integer"
	ArgDouble    ArgType = "double"
	ArgKey       ArgType = "key"
	ArgPattern   ArgType = "pattern"
	ArgUnixTime  ArgType = "unix-time"
	ArgPureToken ArgType = "pure-token"
	ArgOneOf     ArgType = "oneof"
	ArgBlock     ArgType = "block"
)

// Arg documents one argument of a command.
type Arg struct {
	Name string
	Type ArgType
	// DisplayText is empty in Redis 7.0 (7.2 added it); kept so a table
	// generated from a later server keeps it.
	DisplayText string
	// KeySpecIndex is the index into the command's KeySpecs of a key
	// argument, -1 for other arguments.
	KeySpecIndex int
	// Token is the literal the argument starts with. EmptyToken marks a
	// token that is the empty string (MIGRATE's "" in place of a key),
	// which Token alone cannot tell from no token.
	Token           string
	EmptyToken      bool
	Summary         string
	Since           string
	DeprecatedSince string
	Flags           ArgFlag
	// Arguments are the parts of a oneof or block argument.
	Arguments []Arg
}

// History is one entry of a command's history: the version and what changed.
type History struct {
	Version, Change string
}

// Docs is what COMMAND DOCS tells about a command.
type Docs struct {
	Summary         string
	Since           string
	Group           string
	Complexity      string
	DocFlags        DocFlag
	DeprecatedSince string
	ReplacedBy      string
	History         []History
	Arguments       []Arg
}

// Command is one Redis command or subcommand.
type Command struct {
	// Name is the lower-case name; a subcommand is named "container|sub"
	// ("config|get"), as Redis names it.
	Name  string
	Arity int
	Flags Flag
	// FirstKey, LastKey and Step are the legacy key positions.
	FirstKey, LastKey, Step int
	// ACLCategories are the category names without the '@' ("read").
	ACLCategories []string
	Tips          []string
	KeySpecs      []KeySpec
	// Subcommands are sorted by name.
	Subcommands []*Command
	// Parent is the container of a subcommand, nil for top-level commands.
	Parent *Command
	Docs   Docs

	subName  string      // the part after '|' for subcommands
	subs     nameTable   // subcommands by subName
	getkeys  getkeysProc // Redis's getkeys_proc, when it has one
	keyFlags KeyFlag     // union of the key-spec flags
	keyInv   KeyFlag     // union of the complements of the key-spec flags
}

var (
	byName   nameTable
	sortedTL []*Command
)

func init() {
	sortedTL = commands
	sort.Slice(sortedTL, func(i, j int) bool { return sortedTL[i].Name < sortedTL[j].Name })
	names := make([]string, len(commands))
	for i, c := range commands {
		setup(c)
		names[i] = c.Name
		if len(c.Subcommands) == 0 {
			continue
		}
		sort.Slice(c.Subcommands, func(i, j int) bool { return c.Subcommands[i].Name < c.Subcommands[j].Name })
		subNames := make([]string, len(c.Subcommands))
		for j, s := range c.Subcommands {
			s.Parent = c
			setup(s)
			_, s.subName, _ = strings.Cut(s.Name, "|")
			subNames[j] = s.subName
		}
		c.subs = newNameTable(subNames, c.Subcommands)
	}
	byName = newNameTable(names, commands)
}

func setup(c *Command) {
	c.getkeys = getkeysProcs[c.Name]
	for _, ks := range c.KeySpecs {
		c.keyFlags |= ks.Flags
		c.keyInv |= ^ks.Flags
	}
}

// Has reports whether c has every flag in f.
func (c *Command) Has(f Flag) bool { return c.Flags&f == f }

// IsContainer reports whether c is a command with subcommands (CONFIG,
// CLIENT, ...), which is only run through one of them.
func (c *Command) IsContainer() bool { return len(c.Subcommands) > 0 }

// ArityOK reports whether argc arguments (the command name included) suit
// c's arity: exactly Arity when it is positive, at least -Arity otherwise.
func (c *Command) ArityOK(argc int) bool {
	if c.Arity > 0 {
		return argc == c.Arity
	}
	return argc >= -c.Arity
}

// All returns the top-level commands sorted by name. The slice is a copy;
// the commands are shared and must not be modified.
func All() []*Command {
	return append([]*Command(nil), sortedTL...)
}

// Lookup returns the top-level command named name (any case), or nil.
// It does not allocate.
func Lookup(name []byte) *Command { return byName.find(name) }

// Subcommand returns c's subcommand named name (any case, without the
// "container|" prefix), or nil when c has no such subcommand.
func (c *Command) Subcommand(name []byte) *Command { return c.subs.find(name) }

// LookupArgs finds the command a request runs, as Redis's lookupCommand
// does: args[0] names the command and, for a container given more than one
// argument, args[1] the subcommand. It returns nil for an unknown command
// and for an unknown subcommand of a container; a container alone
// (args is just "CONFIG") is returned as itself.
func LookupArgs(args [][]byte) *Command {
	if len(args) == 0 {
		return nil
	}
	c := Lookup(args[0])
	if c == nil || len(args) == 1 || len(c.Subcommands) == 0 {
		return c
	}
	return c.Subcommand(args[1])
}

// LookupFullName finds a command by the name COMMAND INFO and COMMAND DOCS
// take: "get", or "config|get" for a subcommand (any case). It returns nil
// for unknown names, for "get|x" and for a container's name followed by '|'.
func LookupFullName(name []byte) *Command {
	for i, ch := range name {
		if ch != '|' {
			continue
		}
		c := Lookup(name[:i])
		rest := name[i+1:]
		if c == nil {
			return nil
		}
		for _, ch := range rest {
			if ch == '|' {
				return nil // one level of subcommands only
			}
		}
		return c.Subcommand(rest)
	}
	return Lookup(name)
}
