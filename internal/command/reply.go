package command

import (
	"github.com/shardis/shardis/internal/resp"
)

// helpLines is COMMAND HELP's reply.
var helpLines = [...]string{
	"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"(no subcommand)",
	"    Return details about all Redis commands.",
	"COUNT",
	"    Return the total number of commands in this Redis server.",
	"LIST",
	"    Return a list of all commands in this Redis server.",
	"INFO [<command-name> ...]",
	"    Return details about multiple Redis commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"DOCS [<command-name> ...]",
	"    Return documentation details about multiple Redis commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"GETKEYS <full-command>",
	"    Return the keys from a full Redis command.",
	"GETKEYSANDFLAGS <full-command>",
	"    Return the keys and the access flags from a full Redis command.",
	"HELP",
	"    Prints this help.",
}

// Errors of the COMMAND command itself.
const (
	errSyntax         = "ERR syntax error"
	errInvalidCommand = "ERR Invalid command specified"
)

// Reply answers a COMMAND request (args[0] is "COMMAND" in any case) the way
// redis-server 7.0 does, in the Writer's protocol: COMMAND, COMMAND COUNT,
// LIST [FILTERBY MODULE m|ACLCAT c|PATTERN p], INFO [name ...],
// DOCS [name ...], GETKEYS, GETKEYSANDFLAGS and HELP, with Redis's errors
// for unknown subcommands, bad arity and bad options.
//
// implemented reports whether this process serves a command. Commands it
// does not serve (and the subcommands of a container it does not serve) are
// left out of COMMAND, COUNT, LIST and DOCS, and out of the subcommands
// listed under their container; INFO gives a null for them, as for unknown
// names, and GETKEYS treats them as unknown. A nil implemented serves all.
//
// Where Redis lists commands in its hash table's order (COMMAND, INFO and
// DOCS without names, LIST), Reply lists them sorted by name, each
// container's subcommands after it in LIST.
func Reply(w *resp.Writer, args [][]byte, implemented func(*Command) bool) {
	r := replier{w: w, implemented: implemented}
	if len(args) <= 1 {
		r.infoAll()
		return
	}
	sub := commandCmd.Subcommand(args[1])
	if sub == nil {
		w.WriteError(UnknownSubcommandError(string(args[0]), string(args[1])))
		return
	}
	if !sub.ArityOK(len(args)) {
		w.WriteError(ArityError(sub))
		return
	}
	switch sub.subName {
	case "count":
		n := 0
		for _, c := range sortedTL {
			if r.served(c) {
				n++
			}
		}
		w.WriteInt(int64(n))
	case "list":
		r.list(args[2:])
	case "info":
		if len(args) == 2 {
			r.infoAll()
			return
		}
		w.WriteArrayLen(len(args) - 2)
		for _, name := range args[2:] {
			c := LookupFullName(name)
			if c == nil || !r.served(c) {
				w.WriteNull()
				continue
			}
			r.info(c)
		}
	case "docs":
		r.docsReply(args[2:])
	case "getkeys":
		r.getkeys(args[2:], false)
	case "getkeysandflags":
		r.getkeys(args[2:], true)
	case "help":
		w.WriteArrayLen(len(helpLines))
		for _, l := range helpLines {
			w.WriteSimple(l)
		}
	default:
		// A subcommand in the table that this code does not know: the
		// table and Reply disagree.
		w.WriteError(UnknownSubcommandError(string(args[0]), string(args[1])))
	}
}

// commandCmd is COMMAND's own entry.
var commandCmd = byNameMust("command")

func byNameMust(name string) *Command {
	for _, c := range commands {
		if c.Name == name {
			return c
		}
	}
	panic("command: no " + name + " in the table")
}

type replier struct {
	w           *resp.Writer
	implemented func(*Command) bool
}

// served reports whether c is served: c and, for a subcommand, its
// container.
func (r *replier) served(c *Command) bool {
	if r.implemented == nil {
		return true
	}
	if c.Parent != nil && !r.implemented(c.Parent) {
		return false
	}
	return r.implemented(c)
}

func (r *replier) servedSubs(c *Command) int {
	n := 0
	for _, s := range c.Subcommands {
		if r.served(s) {
			n++
		}
	}
	return n
}

func (r *replier) infoAll() {
	n := 0
	for _, c := range sortedTL {
		if r.served(c) {
			n++
		}
	}
	r.w.WriteArrayLen(n)
	for _, c := range sortedTL {
		if r.served(c) {
			r.info(c)
		}
	}
}

// info writes c's COMMAND INFO entry (addReplyCommandInfo).
func (r *replier) info(c *Command) {
	w := r.w
	w.WriteArrayLen(10)
	w.WriteBulkString(c.Name)
	w.WriteInt(int64(c.Arity))
	n := 0
	for i, name := range flagNames {
		if c.Flags&(1<<i) != 0 && name != "" {
			n++
		}
	}
	w.WriteSetLen(n)
	for i, name := range flagNames {
		if c.Flags&(1<<i) != 0 && name != "" {
			w.WriteSimple(name)
		}
	}
	w.WriteInt(int64(c.FirstKey))
	w.WriteInt(int64(c.LastKey))
	w.WriteInt(int64(c.Step))
	w.WriteSetLen(len(c.ACLCategories))
	for _, cat := range c.ACLCategories {
		w.WriteSimple("@" + cat)
	}
	w.WriteSetLen(len(c.Tips))
	for _, t := range c.Tips {
		w.WriteBulkString(t)
	}
	w.WriteSetLen(len(c.KeySpecs))
	for i := range c.KeySpecs {
		r.keySpec(&c.KeySpecs[i])
	}
	if len(c.Subcommands) == 0 {
		w.WriteSetLen(0)
		return
	}
	w.WriteArrayLen(r.servedSubs(c))
	for _, s := range c.Subcommands {
		if r.served(s) {
			r.info(s)
		}
	}
}

func (r *replier) keyFlags(f KeyFlag) {
	n := 0
	for i := range keyFlagNames {
		if f&(1<<i) != 0 {
			n++
		}
	}
	r.w.WriteSetLen(n)
	for i, name := range keyFlagNames {
		if f&(1<<i) != 0 {
			r.w.WriteSimple(name)
		}
	}
}

// keySpec writes one key spec (addReplyCommandKeySpecs).
func (r *replier) keySpec(ks *KeySpec) {
	w := r.w
	n := 3
	if ks.Notes != "" {
		n++
	}
	w.WriteMapLen(n)
	if ks.Notes != "" {
		w.WriteBulkString("notes")
		w.WriteBulkString(ks.Notes)
	}
	w.WriteBulkString("flags")
	r.keyFlags(ks.Flags)

	w.WriteBulkString("begin_search")
	w.WriteMapLen(2)
	w.WriteBulkString("type")
	bs := &ks.BeginSearch
	switch bs.Type {
	case SearchIndex:
		w.WriteBulkString("index")
		w.WriteBulkString("spec")
		w.WriteMapLen(1)
		w.WriteBulkString("index")
		w.WriteInt(int64(bs.Index))
	case SearchKeyword:
		w.WriteBulkString("keyword")
		w.WriteBulkString("spec")
		w.WriteMapLen(2)
		w.WriteBulkString("keyword")
		w.WriteBulkString(bs.Keyword)
		w.WriteBulkString("startfrom")
		w.WriteInt(int64(bs.StartFrom))
	default:
		w.WriteBulkString("unknown")
		w.WriteBulkString("spec")
		w.WriteMapLen(0)
	}

	w.WriteBulkString("find_keys")
	w.WriteMapLen(2)
	w.WriteBulkString("type")
	fk := &ks.FindKeys
	switch fk.Type {
	case FindRange:
		w.WriteBulkString("range")
		w.WriteBulkString("spec")
		w.WriteMapLen(3)
		w.WriteBulkString("lastkey")
		w.WriteInt(int64(fk.LastKey))
		w.WriteBulkString("keystep")
		w.WriteInt(int64(fk.KeyStep))
		w.WriteBulkString("limit")
		w.WriteInt(int64(fk.Limit))
	case FindKeynum:
		w.WriteBulkString("keynum")
		w.WriteBulkString("spec")
		w.WriteMapLen(3)
		w.WriteBulkString("keynumidx")
		w.WriteInt(int64(fk.KeyNumIdx))
		w.WriteBulkString("firstkey")
		w.WriteInt(int64(fk.FirstKey))
		w.WriteBulkString("keystep")
		w.WriteInt(int64(fk.KeyStep))
	default:
		w.WriteBulkString("unknown")
		w.WriteBulkString("spec")
		w.WriteMapLen(0)
	}
}

func (r *replier) docsReply(names [][]byte) {
	w := r.w
	if len(names) == 0 {
		n := 0
		for _, c := range sortedTL {
			if r.served(c) {
				n++
			}
		}
		w.WriteMapLen(n)
		for _, c := range sortedTL {
			if r.served(c) {
				w.WriteBulkString(c.Name)
				r.docs(c)
			}
		}
		return
	}
	// Unknown names are left out, so count first.
	n := 0
	for _, name := range names {
		if c := LookupFullName(name); c != nil && r.served(c) {
			n++
		}
	}
	w.WriteMapLen(n)
	for _, name := range names {
		if c := LookupFullName(name); c != nil && r.served(c) {
			w.WriteBulkString(c.Name)
			r.docs(c)
		}
	}
}

// docs writes c's COMMAND DOCS entry (addReplyCommandDocs).
func (r *replier) docs(c *Command) {
	w := r.w
	d := &c.Docs
	n := 1 // group
	for _, s := range [...]string{d.Summary, d.Since, d.Complexity, d.DeprecatedSince, d.ReplacedBy} {
		if s != "" {
			n++
		}
	}
	if d.DocFlags != 0 {
		n++
	}
	if len(d.History) > 0 {
		n++
	}
	if len(d.Arguments) > 0 {
		n++
	}
	if len(c.Subcommands) > 0 {
		n++
	}
	w.WriteMapLen(n)
	if d.Summary != "" {
		w.WriteBulkString("summary")
		w.WriteBulkString(d.Summary)
	}
	if d.Since != "" {
		w.WriteBulkString("since")
		w.WriteBulkString(d.Since)
	}
	w.WriteBulkString("group")
	w.WriteBulkString(d.Group)
	if d.Complexity != "" {
		w.WriteBulkString("complexity")
		w.WriteBulkString(d.Complexity)
	}
	if d.DocFlags != 0 {
		w.WriteBulkString("doc_flags")
		m := 0
		for i := range docFlagNames {
			if d.DocFlags&(1<<i) != 0 {
				m++
			}
		}
		w.WriteSetLen(m)
		for i, name := range docFlagNames {
			if d.DocFlags&(1<<i) != 0 {
				w.WriteSimple(name)
			}
		}
	}
	if d.DeprecatedSince != "" {
		w.WriteBulkString("deprecated_since")
		w.WriteBulkString(d.DeprecatedSince)
	}
	if d.ReplacedBy != "" {
		w.WriteBulkString("replaced_by")
		w.WriteBulkString(d.ReplacedBy)
	}
	if len(d.History) > 0 {
		w.WriteBulkString("history")
		w.WriteSetLen(len(d.History))
		for _, h := range d.History {
			w.WriteArrayLen(2)
			w.WriteBulkString(h.Version)
			w.WriteBulkString(h.Change)
		}
	}
	if len(d.Arguments) > 0 {
		w.WriteBulkString("arguments")
		r.args(d.Arguments)
	}
	if len(c.Subcommands) > 0 {
		w.WriteBulkString("subcommands")
		w.WriteMapLen(r.servedSubs(c))
		for _, s := range c.Subcommands {
			if r.served(s) {
				w.WriteBulkString(s.Name)
				r.docs(s)
			}
		}
	}
}

// args writes an argument list (addReplyCommandArgList).
func (r *replier) args(args []Arg) {
	w := r.w
	w.WriteArrayLen(len(args))
	for i := range args {
		a := &args[i]
		n := 2
		for _, s := range [...]string{a.DisplayText, a.Token, a.Summary, a.Since, a.DeprecatedSince} {
			if s != "" {
				n++
			}
		}
		if a.EmptyToken {
			n++
		}
		if a.KeySpecIndex >= 0 {
			n++
		}
		if a.Flags != 0 {
			n++
		}
		if a.Type == ArgOneOf || a.Type == ArgBlock {
			n++
		}
		w.WriteMapLen(n)
		w.WriteBulkString("name")
		w.WriteBulkString(a.Name)
		w.WriteBulkString("type")
		w.WriteBulkString(string(a.Type))
		if a.DisplayText != "" {
			w.WriteBulkString("display_text")
			w.WriteBulkString(a.DisplayText)
		}
		if a.KeySpecIndex >= 0 {
			w.WriteBulkString("key_spec_index")
			w.WriteInt(int64(a.KeySpecIndex))
		}
		if a.Token != "" || a.EmptyToken {
			w.WriteBulkString("token")
			w.WriteBulkString(a.Token)
		}
		if a.Summary != "" {
			w.WriteBulkString("summary")
			w.WriteBulkString(a.Summary)
		}
		if a.Since != "" {
			w.WriteBulkString("since")
			w.WriteBulkString(a.Since)
		}
		if a.DeprecatedSince != "" {
			w.WriteBulkString("deprecated_since")
			w.WriteBulkString(a.DeprecatedSince)
		}
		if a.Flags != 0 {
			w.WriteBulkString("flags")
			m := 0
			for j := range argFlagNames {
				if a.Flags&(1<<j) != 0 {
					m++
				}
			}
			w.WriteSetLen(m)
			for j, name := range argFlagNames {
				if a.Flags&(1<<j) != 0 {
					w.WriteSimple(name)
				}
			}
		}
		if a.Type == ArgOneOf || a.Type == ArgBlock {
			w.WriteBulkString("arguments")
			r.args(a.Arguments)
		}
	}
}

// list answers COMMAND LIST [FILTERBY MODULE m|ACLCAT c|PATTERN p].
func (r *replier) list(opts [][]byte) {
	type filter int
	const (
		none filter = iota
		module
		aclcat
		pattern
	)
	f, arg := none, []byte(nil)
	for i := 0; i < len(opts); i++ {
		more := len(opts) - 1 - i
		if !strcaseEq(opts[i], "filterby") || more != 2 {
			r.w.WriteError(errSyntax)
			return
		}
		switch {
		case strcaseEq(opts[i+1], "module"):
			f = module
		case strcaseEq(opts[i+1], "aclcat"):
			f = aclcat
		case strcaseEq(opts[i+1], "pattern"):
			f = pattern
		default:
			r.w.WriteError(errSyntax)
			return
		}
		arg = opts[i+2]
		i += 2
	}
	keep := func(c *Command) bool {
		switch f {
		case module:
			return false // no modules are loaded
		case aclcat:
			// Redis looks the category up by name (any case, without '@');
			// an unknown one matches no command, as here.
			for _, cat := range c.ACLCategories {
				if strcaseEq(arg, cat) {
					return true
				}
			}
			return false
		case pattern:
			return stringMatch(arg, []byte(c.Name), true)
		}
		return true
	}
	var names []string
	for _, c := range sortedTL {
		if !r.served(c) {
			continue
		}
		if keep(c) {
			names = append(names, c.Name)
		}
		for _, s := range c.Subcommands {
			if r.served(s) && keep(s) {
				names = append(names, s.Name)
			}
		}
	}
	r.w.WriteArrayLen(len(names))
	for _, n := range names {
		r.w.WriteBulkString(n)
	}
}

// getkeys answers COMMAND GETKEYS and GETKEYSANDFLAGS for the request args.
func (r *replier) getkeys(args [][]byte, withFlags bool) {
	w := r.w
	c := LookupArgs(args)
	if c == nil || !r.served(c) {
		w.WriteError(errInvalidCommand)
		return
	}
	var pos [16]int
	var flags [16]KeyFlag
	kr := keyResult{pos: pos[:0], flags: flags[:0], wantFlags: withFlags}
	if err := c.keys(args, &kr); err != nil {
		w.WriteError(err.Error())
		return
	}
	w.WriteArrayLen(len(kr.pos))
	for i, p := range kr.pos {
		if !withFlags {
			w.WriteBulk(args[p])
			continue
		}
		w.WriteArrayLen(2)
		w.WriteBulk(args[p])
		r.keyFlags(kr.flags[i])
	}
}
