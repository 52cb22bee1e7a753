package command

import "bytes"

// cstr is what C's "%s" prints of a Redis argument: up to its first NUL.
func cstr(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// appendPrec appends "%.*s" of b: at most prec bytes of the C string.
func appendPrec(dst []byte, b []byte, prec int) []byte {
	b = cstr(b)
	if prec >= 0 && len(b) > prec {
		b = b[:prec]
	}
	return append(dst, b...)
}

// noNewlines replaces CR and LF with spaces, as Redis does to every error
// it rejects a command with.
func noNewlines(b []byte) string {
	for i, ch := range b {
		if ch == '\r' || ch == '\n' {
			b[i] = ' '
		}
	}
	return string(b)
}

// UnknownCommandError is the error Redis 7.0 replies with to a command it
// does not know (args[0]), quoting the first arguments: each at most as
// long as what is left of 128 bytes, until 128 are written.
//
//	ERR unknown command 'foo', with args beginning with: 'a' 'b'
//
// (with a space after the last quote).
func UnknownCommandError(args [][]byte) string {
	b := make([]byte, 0, 64+128+64)
	b = append(b, "ERR unknown command '"...)
	if len(args) > 0 {
		b = appendPrec(b, args[0], 128)
	}
	b = append(b, "', with args beginning with: "...)
	start := len(b)
	for i := 1; i < len(args) && len(b)-start < 128; i++ {
		prec := 128 - (len(b) - start)
		b = append(b, '\'')
		b = appendPrec(b, args[i], prec)
		b = append(b, '\'', ' ')
	}
	return noNewlines(b)
}

// UnknownSubcommandError is the error Redis 7.0 replies with to an unknown
// subcommand sub of the container cmd (as the client wrote them):
//
//	ERR unknown subcommand 'x'. Try CONFIG HELP.
func UnknownSubcommandError(cmd, sub string) string {
	b := make([]byte, 0, 64+len(cmd))
	b = append(b, "ERR unknown subcommand '"...)
	b = appendPrec(b, []byte(sub), 128)
	b = append(b, "'. Try "...)
	for _, ch := range cstr([]byte(cmd)) {
		if 'a' <= ch && ch <= 'z' {
			ch -= 'a' - 'A'
		}
		b = append(b, ch)
	}
	b = append(b, " HELP."...)
	return noNewlines(b)
}

// ArityError is the error Redis 7.0 replies with when c is given a number of
// arguments its arity does not allow:
//
//	ERR wrong number of arguments for 'get' command
//
// A subcommand is named as "config|get".
func ArityError(c *Command) string {
	return "ERR wrong number of arguments for '" + c.Name + "' command"
}
