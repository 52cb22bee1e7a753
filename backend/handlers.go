package backend

import (
	"sync"

	"github.com/shardis/shardis/internal/command"
)

// handler executes one command. args[0] is the command name; arity has been
// checked against the command table already. Replies go to c.w.
type handler func(c *Client, args [][]byte)

// handlers maps the command table's full names ("get", "config|get") to
// their implementations. Each file registers its commands in init.
var handlers = map[string]handler{}

func register(name string, h handler) {
	if _, dup := handlers[name]; dup {
		panic("backend: command registered twice: " + name)
	}
	if command.Lookup([]byte(commandBase(name))) == nil {
		panic("backend: command not in the command table: " + name)
	}
	handlers[name] = h
}

func commandBase(name string) string {
	for i := 0; i < len(name); i++ {
		if name[i] == '|' {
			return name[:i]
		}
	}
	return name
}

// impl is an implemented command: its handler and its index into the
// per-command statistics.
type impl struct {
	h     handler
	index int
	cmd   *command.Command
}

var (
	implsOnce sync.Once
	impls     map[*command.Command]*impl
	implList  []*impl // by index
)

func buildImpls() {
	impls = make(map[*command.Command]*impl, len(handlers))
	var walk func([]*command.Command)
	walk = func(cmds []*command.Command) {
		for _, c := range cmds {
			if h, ok := handlers[c.Name]; ok {
				im := &impl{h: h, index: len(implList), cmd: c}
				impls[c] = im
				implList = append(implList, im)
			}
			walk(c.Subcommands)
		}
	}
	walk(command.All())
}

// implFor returns the implementation of cmd, or nil when this node does not
// implement it.
func implFor(cmd *command.Command) *impl {
	implsOnce.Do(buildImpls)
	return impls[cmd]
}

func handlerFor(cmd *command.Command) handler {
	if im := implFor(cmd); im != nil {
		return im.h
	}
	return nil
}

// implemented reports whether this node serves cmd (COMMAND lists only
// those).
func implemented(cmd *command.Command) bool {
	if handlerFor(cmd) != nil {
		return true
	}
	for _, sub := range cmd.Subcommands {
		if handlerFor(sub) != nil {
			return true
		}
	}
	return false
}
