package command

import (
	"bytes"
	"errors"
)

// Errors Keys returns, with the text COMMAND GETKEYS replies with.
var (
	// ErrNoKeyArguments is returned when the command takes no keys at all.
	ErrNoKeyArguments = errors.New("ERR The command has no key arguments")
	// ErrInvalidArgCount is returned when the arguments do not suit the
	// command's arity.
	ErrInvalidArgCount = errors.New("ERR Invalid number of arguments specified for command")
	// ErrInvalidArguments is returned when the arguments name no key although
	// the command needs one (a bad numkeys, a missing STREAMS, ...).
	ErrInvalidArguments = errors.New("ERR Invalid arguments specified for command")
)

// keyResult collects key positions, and their flags when asked.
type keyResult struct {
	pos       []int
	base      int // len(pos) when the search started
	flags     []KeyFlag
	wantFlags bool
}

func (r *keyResult) add(pos int, f KeyFlag) {
	r.pos = append(r.pos, pos)
	if r.wantFlags {
		r.flags = append(r.flags, f)
	}
}

func (r *keyResult) n() int { return len(r.pos) - r.base }

func (r *keyResult) reset() {
	r.pos = r.pos[:r.base]
	r.flags = r.flags[:0]
}

// Keys appends to dst the indexes into args of the arguments that are keys,
// and returns it. args is the whole request (args[0] is the command name;
// for a subcommand, args[1] its name). It finds them as Redis 7.0's
// COMMAND GETKEYS does (getKeysFromCommandWithSpecs): from the key specs
// when they are complete and reliable, otherwise with the command's own
// key-finding procedure (EVAL's numkeys, SORT's STORE, MIGRATE's KEYS, ...).
// It does not allocate when dst has room.
//
// The errors are those COMMAND GETKEYS gives: ErrNoKeyArguments,
// ErrInvalidArgCount, ErrInvalidArguments. A command flagged
// NoMandatoryKeys given no keys gets dst and no error.
func (c *Command) Keys(args [][]byte, dst []int) ([]int, error) {
	r := keyResult{pos: dst, base: len(dst)}
	err := c.keys(args, &r)
	return r.pos, err
}

// keys runs the key search into r.
func (c *Command) keys(args [][]byte, r *keyResult) error {
	if !c.hasKeys() {
		return ErrNoKeyArguments
	}
	if !c.ArityOK(len(args)) {
		return ErrInvalidArgCount
	}
	if c.keysWithSpecs(args, r) == 0 {
		r.reset()
		if c.Has(NoMandatoryKeys) {
			return nil
		}
		return ErrInvalidArguments
	}
	return nil
}

// hasKeys is Redis's doesCommandHaveKeys: a getkeys procedure, or a key spec
// that is not marked not_key.
func (c *Command) hasKeys() bool {
	return c.getkeys != noProc || c.keyInv&KeyNotKey != 0
}

// keysWithSpecs is getKeysFromCommandWithSpecs.
func (c *Command) keysWithSpecs(args [][]byte, r *keyResult) int {
	hasSpec := c.keyInv&KeyNotKey != 0
	varFlags := c.keyFlags&KeyVariableFlags != 0
	if hasSpec && !varFlags {
		if n := c.keysUsingSpecs(args, r); n >= 0 {
			return n
		}
		// An invalid or incomplete spec: fall back to the procedure.
	}
	if c.getkeys != noProc {
		return c.getkeys.run(args, r)
	}
	return 0
}

// keysUsingSpecs is getKeysUsingKeySpecs (without its flags for fake keys
// and partial results): it returns the number of keys, or -1 when a spec
// does not fit the arguments or is incomplete.
func (c *Command) keysUsingSpecs(args [][]byte, r *keyResult) int {
	argc := len(args)
	for j := range c.KeySpecs {
		spec := &c.KeySpecs[j]
		if spec.Flags&KeyNotKey != 0 {
			continue
		}
		first := 0
		switch spec.BeginSearch.Type {
		case SearchIndex:
			first = spec.BeginSearch.Index
		case SearchKeyword:
			from := spec.BeginSearch.StartFrom
			start, end := from, argc-1
			if from <= 0 {
				start, end = argc+from, 1
			}
			// Redis's loop stops before end: with a positive startfrom the
			// last argument is never taken for the keyword.
			for i := start; i != end; {
				if i >= argc || i < 1 {
					break
				}
				if strcaseEq(args[i], spec.BeginSearch.Keyword) {
					first = i + 1
					break
				}
				if start <= end {
					i++
				} else {
					i--
				}
			}
			if first == 0 {
				continue // keyword not found: this spec has no keys
			}
		default:
			r.reset()
			return -1
		}

		var last, step int
		switch spec.FindKeys.Type {
		case FindRange:
			fk := &spec.FindKeys
			step = fk.KeyStep
			switch {
			case fk.LastKey >= 0:
				last = first + fk.LastKey
			case fk.Limit == 0:
				last = argc + fk.LastKey
			default:
				last = first + ((argc-first)/fk.Limit + fk.LastKey)
			}
		case FindKeynum:
			fk := &spec.FindKeys
			step = fk.KeyStep
			// Redis checks keynumidx alone against argc, then reads
			// argv[first+keynumidx]; the arity checks keep that in range for
			// its commands, and here it is a bad spec rather than a read past
			// the end.
			idx := first + fk.KeyNumIdx
			if fk.KeyNumIdx >= argc || idx >= argc {
				r.reset()
				return -1
			}
			numkeys, ok := string2ll(args[idx])
			if !ok || numkeys < 0 {
				r.reset()
				return -1
			}
			first += fk.FirstKey
			// C int arithmetic: (int)numkeys truncates.
			last = int(int32(first) + int32(numkeys) - 1)
		default:
			r.reset()
			return -1
		}

		if last >= argc || last < first || first >= argc {
			r.reset()
			return -1
		}
		for i := first; i <= last; i += step {
			r.add(i, spec.Flags)
		}
		if spec.Flags&KeyIncomplete != 0 {
			r.reset()
			return -1
		}
	}
	return r.n()
}

// strcaseEq is strcasecmp(arg, s) == 0 for a C string: arg ends at its first
// NUL byte, as it does for Redis.
func strcaseEq(arg []byte, s string) bool {
	if i := bytes.IndexByte(arg, 0); i >= 0 {
		arg = arg[:i]
	}
	if len(arg) != len(s) {
		return false
	}
	for i := 0; i < len(arg); i++ {
		a, b := arg[i], s[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// string2ll parses a decimal integer the way Redis's string2ll does: an
// optional '-', no '+', no spaces, no leading zeros, at most 20 characters,
// within int64.
func string2ll(s []byte) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	if len(s) == 1 && s[0] == '0' {
		return 0, true
	}
	neg := false
	p := s
	if p[0] == '-' {
		neg = true
		p = p[1:]
		if len(p) == 0 {
			return 0, false
		}
	}
	if p[0] < '1' || p[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, ch := range p {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		d := uint64(ch - '0')
		if v > (1<<64-1)/10 || v*10 > 1<<64-1-d {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v-1) - 1, true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// atoi is C's atoi as glibc has it, (int)strtol(s, NULL, 10): leading
// spaces, a sign, digits up to the first other byte; clamped to the long
// range, then cut to 32 bits.
func atoi(s []byte) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var v uint64
	over := false
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		switch {
		case over:
		case v > (1<<63)/10:
			over = true
		default:
			v = v*10 + uint64(s[i]-'0')
			over = v > 1<<63
		}
	}
	var n int64
	switch {
	case over && neg:
		n = -1 << 63
	case over:
		n = 1<<63 - 1
	case neg:
		n = -int64(v)
	default:
		if v > 1<<63-1 {
			n = 1<<63 - 1
		} else {
			n = int64(v)
		}
	}
	return int(int32(n))
}

// getkeysProc names one of Redis's getkeys_proc functions, which find keys
// where the key specs cannot. (A switch, not func values: an indirect call
// would make the result escape and Keys allocate.)
type getkeysProc uint8

const (
	noProc getkeysProc = iota
	storeNumkeysProc
	firstNumkeysProc
	secondNumkeysProc
	sortProc
	sortROProc
	migrateProc
	georadiusProc
	xreadProc
	setProc
	bitfieldProc
)

// getkeysProcs are the commands that have a getkeys_proc in Redis 7.0
// (src/commands/*.json "get_keys_function"). COMMAND INFO does not show
// them; the ones with complete key specs only use them when the specs do
// not fit the arguments.
var getkeysProcs = map[string]getkeysProc{
	"zunionstore":       storeNumkeysProc, // zunionInterDiffStoreGetKeys
	"zinterstore":       storeNumkeysProc,
	"zdiffstore":        storeNumkeysProc,
	"zunion":            firstNumkeysProc, // zunionInterDiffGetKeys
	"zinter":            firstNumkeysProc,
	"zdiff":             firstNumkeysProc,
	"zintercard":        firstNumkeysProc,
	"sintercard":        firstNumkeysProc,  // sintercardGetKeys
	"lmpop":             firstNumkeysProc,  // lmpopGetKeys
	"zmpop":             firstNumkeysProc,  // zmpopGetKeys
	"eval":              secondNumkeysProc, // evalGetKeys
	"evalsha":           secondNumkeysProc,
	"eval_ro":           secondNumkeysProc,
	"evalsha_ro":        secondNumkeysProc,
	"fcall":             secondNumkeysProc, // functionGetKeys
	"fcall_ro":          secondNumkeysProc,
	"blmpop":            secondNumkeysProc, // blmpopGetKeys
	"bzmpop":            secondNumkeysProc, // bzmpopGetKeys
	"sort":              sortProc,
	"sort_ro":           sortROProc,
	"migrate":           migrateProc,
	"georadius":         georadiusProc,
	"georadiusbymember": georadiusProc,
	"xread":             xreadProc,
	"xreadgroup":        xreadProc,
	"set":               setProc,
	"bitfield":          bitfieldProc,
}

// run calls the procedure.
func (p getkeysProc) run(args [][]byte, r *keyResult) int {
	switch p {
	case storeNumkeysProc:
		return genericGetKeys(1, 2, 3, 1, args, r)
	case firstNumkeysProc:
		return genericGetKeys(0, 1, 2, 1, args, r)
	case secondNumkeysProc:
		return genericGetKeys(0, 2, 3, 1, args, r)
	case sortProc:
		return sortGetKeys(args, r)
	case sortROProc:
		return sortROGetKeys(args, r)
	case migrateProc:
		return migrateGetKeys(args, r)
	case georadiusProc:
		return georadiusGetKeys(args, r)
	case xreadProc:
		return xreadGetKeys(args, r)
	case setProc:
		return setGetKeys(args, r)
	case bitfieldProc:
		return bitfieldGetKeys(args, r)
	}
	return 0
}

// genericGetKeys finds keys of COMMAND [destkey] numkeys key [key ...]:
// storeOfs is destkey's index (0: none), countOfs numkeys's, firstOfs the
// first key's. A numkeys that is not positive or larger than what follows
// gives no keys.
func genericGetKeys(storeOfs, countOfs, firstOfs, step int, args [][]byte, r *keyResult) int {
	num := atoi(args[countOfs])
	if num < 1 || num > (len(args)-firstOfs)/step {
		return 0
	}
	for i := 0; i < num; i++ {
		r.add(firstOfs+i*step, 0)
	}
	if storeOfs != 0 {
		r.add(storeOfs, 0)
	}
	return r.n()
}

// sortROGetKeys: SORT_RO key ... (the key is always there; BY and GET
// patterns name keys no one can find in advance).
func sortROGetKeys(_ [][]byte, r *keyResult) int {
	r.add(1, KeyRO|KeyAccess)
	return 1
}

// sortGetKeys: SORT key ... [STORE dest] ...; the last STORE wins, and
// LIMIT, GET and BY skip their arguments.
func sortGetKeys(args [][]byte, r *keyResult) int {
	r.add(1, KeyRO|KeyAccess)
	store := 0
	for i := 2; i < len(args); i++ {
		switch {
		case strcaseEq(args[i], "limit"):
			i += 2
		case strcaseEq(args[i], "get"), strcaseEq(args[i], "by"):
			i++
		case strcaseEq(args[i], "store") && i+1 < len(args):
			store = i + 1
		}
	}
	if store != 0 {
		r.add(store, KeyOW|KeyUpdate)
	}
	return r.n()
}

// migrateGetKeys: MIGRATE host port key|"" db timeout [COPY] [REPLACE]
// [AUTH pw | AUTH2 user pw] [KEYS key ...]. KEYS with a key in the third
// argument is an error: no keys.
func migrateGetKeys(args [][]byte, r *keyResult) int {
	first, num := 3, 1
	if len(args) > 6 {
	scan:
		for i := 6; i < len(args); i++ {
			switch {
			case strcaseEq(args[i], "keys"):
				if len(args[3]) > 0 {
					return 0
				}
				first = i + 1
				num = len(args) - first
				break scan
			case strcaseEq(args[i], "auth"):
				i++
			case strcaseEq(args[i], "auth2"):
				i += 2
			}
		}
	}
	for i := 0; i < num; i++ {
		r.add(first+i, KeyRW|KeyAccess|KeyDelete)
	}
	return num
}

// georadiusGetKeys: GEORADIUS key ... [STORE key] [STOREDIST key]; the
// last one wins.
func georadiusGetKeys(args [][]byte, r *keyResult) int {
	stored := -1
	for i := 5; i < len(args); i++ {
		if (strcaseEq(args[i], "store") || strcaseEq(args[i], "storedist")) && i+1 < len(args) {
			stored = i + 1
			i++
		}
	}
	r.add(1, 0)
	if stored != -1 {
		r.add(stored, 0)
	}
	return r.n()
}

// xreadGetKeys: XREAD [BLOCK ms] [COUNT n] [GROUP g c] [NOACK] STREAMS
// key ... id ...: the first STREAMS that is an option, then half of what
// follows.
func xreadGetKeys(args [][]byte, r *keyResult) int {
	streams := -1
	for i := 1; i < len(args); i++ {
		a := args[i]
		if strcaseEq(a, "block") || strcaseEq(a, "count") {
			i++
		} else if strcaseEq(a, "group") {
			i += 2
		} else if strcaseEq(a, "noack") {
			// no argument
		} else if strcaseEq(a, "streams") {
			streams = i
			break
		} else {
			break
		}
	}
	if streams == -1 {
		return 0
	}
	num := len(args) - streams - 1
	if num == 0 || num%2 != 0 {
		return 0
	}
	num /= 2
	for i := streams + 1; i < len(args)-num; i++ {
		r.add(i, 0)
	}
	return num
}

// setGetKeys: SET key value ... [GET]: GET makes it read the key too.
func setGetKeys(args [][]byte, r *keyResult) int {
	f := KeyOW | KeyUpdate
	for i := 3; i < len(args); i++ {
		if strcaseEq(args[i], "get") {
			f = KeyRW | KeyAccess | KeyUpdate
			break
		}
	}
	r.add(1, f)
	return 1
}

// bitfieldGetKeys: BITFIELD key [GET type offset] [SET|INCRBY type offset
// value] [OVERFLOW how] ...: read only unless a SET or INCRBY, or anything
// it cannot parse, is there.
func bitfieldGetKeys(args [][]byte, r *keyResult) int {
	readonly := true
	for i := 2; i < len(args) && readonly; i++ {
		rem := len(args) - i - 1 // arguments after this one
		switch {
		case strcaseEq(args[i], "get") && rem >= 2:
			i += 2
		case (strcaseEq(args[i], "set") || strcaseEq(args[i], "incrby")) && rem >= 3:
			readonly = false
		case strcaseEq(args[i], "overflow") && rem >= 1:
			i++
		default:
			readonly = false // a syntax error: assume it writes
		}
	}
	if readonly {
		r.add(1, KeyRO|KeyAccess)
	} else {
		r.add(1, KeyRW|KeyAccess|KeyUpdate)
	}
	return 1
}
