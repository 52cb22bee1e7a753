package backend

import (
	"math"
	"strconv"
)

// Scores and ranges as the sorted-set commands read them: redis-server
// parses numbers with C's strtod, whose exact behaviour (leading space,
// hexadecimal, inf and nan, what it stops at) decides which arguments are
// errors, and range bounds as zslParseRange and zslParseLexRange do. The
// searches for the ends of a range over a set are here too.

// --- Numbers -------------------------------------------------------------------

// strtodBytes is glibc's strtod on b: leading white space, then the longest
// prefix that reads as a decimal or hexadecimal number, inf, infinity or nan.
// n is the number of bytes consumed (0 when no number was found, and v is
// then 0); erange reports an overflow to ±HUGE_VAL or an underflow to zero,
// the ERANGE results redis-server refuses. b is read whole: callers that
// must stop at a NUL byte, as C does, cut b first.
func strtodBytes(b []byte) (v float64, n int, erange bool) {
	i := 0
	for i < len(b) && isCSpace(b[i]) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	body := b[i:]
	switch {
	case foldHasPrefix(body, "infinity"):
		return math.Inf(signOf(neg)), i + 8, false
	case foldHasPrefix(body, "inf"):
		return math.Inf(signOf(neg)), i + 3, false
	case foldHasPrefix(body, "nan"):
		j := 3
		// nan(n-char-sequence) is consumed whole when it is closed.
		if j < len(body) && body[j] == '(' {
			k := j + 1
			for k < len(body) && (isAlnum(body[k]) || body[k] == '_') {
				k++
			}
			if k < len(body) && body[k] == ')' {
				j = k + 1
			}
		}
		return math.NaN(), i + j, false
	}
	if len(body) >= 2 && body[0] == '0' && (body[1]|0x20) == 'x' {
		if m, ok := scanHexFloat(body[2:]); ok {
			text := make([]byte, 0, 2+m+3)
			text = append(text, "0x"...)
			text = append(text, body[2:2+m]...)
			if !hasExponent(body[2:2+m], 'p') {
				text = append(text, "p0"...)
			}
			f, err := strconv.ParseFloat(string(text), 64)
			return applySign(f, neg), i + 2 + m, err != nil || (f == 0 && nonzeroMantissa(body[2:2+m], true))
		}
		// "0x" not followed by a hexadecimal number: just the 0.
		return applySign(0, neg), i + 1, false
	}
	m := scanDecFloat(body)
	if m == 0 {
		return 0, 0, false
	}
	f, err := strconv.ParseFloat(string(body[:m]), 64)
	return applySign(f, neg), i + m, err != nil || (f == 0 && nonzeroMantissa(body[:m], false))
}

func signOf(neg bool) int {
	if neg {
		return -1
	}
	return 1
}

func applySign(f float64, neg bool) float64 {
	if neg {
		return -f
	}
	return f
}

func isCSpace(ch byte) bool {
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r'
}

func isAlnum(ch byte) bool {
	return ch >= '0' && ch <= '9' || ch|0x20 >= 'a' && ch|0x20 <= 'z'
}

func isHex(ch byte) bool {
	return ch >= '0' && ch <= '9' || ch|0x20 >= 'a' && ch|0x20 <= 'f'
}

func foldHasPrefix(b []byte, lower string) bool {
	return len(b) >= len(lower) && strFoldPrefix(b, lower)
}

// scanDecFloat returns the length of the decimal number at the start of b:
// digits with an optional point (at least one digit), then an exponent
// when it has digits.
func scanDecFloat(b []byte) int {
	i, digits := 0, 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(b) && b[i] == '.' {
		i++
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return 0
	}
	return i + scanExponent(b[i:], 'e')
}

// scanHexFloat returns the length of the hexadecimal number after "0x".
func scanHexFloat(b []byte) (int, bool) {
	i, digits := 0, 0
	for i < len(b) && isHex(b[i]) {
		i, digits = i+1, digits+1
	}
	if i < len(b) && b[i] == '.' {
		i++
		for i < len(b) && isHex(b[i]) {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return 0, false
	}
	return i + scanExponent(b[i:], 'p'), true
}

// scanExponent returns the length of an exponent (e or p, a sign, digits)
// at the start of b, or 0 when there is none with digits.
func scanExponent(b []byte, mark byte) int {
	if len(b) == 0 || b[0]|0x20 != mark {
		return 0
	}
	j := 1
	if j < len(b) && (b[j] == '+' || b[j] == '-') {
		j++
	}
	k := j
	for k < len(b) && b[k] >= '0' && b[k] <= '9' {
		k++
	}
	if k == j {
		return 0
	}
	return k
}

func hasExponent(b []byte, mark byte) bool {
	for _, ch := range b {
		if ch|0x20 == mark {
			return true
		}
	}
	return false
}

// nonzeroMantissa reports whether a number's digits (before its exponent)
// are not all zero: a zero result then means an underflow.
func nonzeroMantissa(b []byte, hex bool) bool {
	for _, ch := range b {
		switch {
		case ch == '.':
		case !hex && ch|0x20 == 'e', hex && ch|0x20 == 'p':
			return false
		case ch != '0':
			return true
		}
	}
	return false
}

// parseScore is getDoubleFromObject: the whole argument must read as a
// number, with no leading space, and neither NaN nor out of range (inf
// itself is fine).
func parseScore(b []byte) (float64, bool) {
	if len(b) == 0 || isCSpace(b[0]) {
		return 0, false
	}
	v, n, erange := strtodBytes(b)
	if n != len(b) || math.IsNaN(v) || erange && (v == 0 || math.IsInf(v, 0)) {
		return 0, false
	}
	return v, true
}

// cString is b as C sees it: up to its first NUL byte.
func cString(b []byte) []byte {
	for i, ch := range b {
		if ch == 0 {
			return b[:i]
		}
	}
	return b
}

// --- Ranges ----------------------------------------------------------------------

// scoreRange is zrangespec: min and max, each inclusive or exclusive.
type scoreRange struct {
	min, max     float64
	minex, maxex bool
}

// parseScoreBound is one bound of zslParseRange: "(" makes it exclusive;
// the rest is strtod on the argument as a C string, which may have leading
// space, may be empty (0) and may overflow (±inf), but must be read to its
// end and must not be NaN.
func parseScoreBound(b []byte) (v float64, ex, ok bool) {
	b = cString(b)
	if len(b) > 0 && b[0] == '(' {
		ex = true
		b = b[1:]
	}
	v, n, _ := strtodBytes(b)
	if n != len(b) || math.IsNaN(v) {
		return 0, false, false
	}
	return v, ex, true
}

func parseScoreRange(minArg, maxArg []byte) (scoreRange, bool) {
	var r scoreRange
	var ok bool
	if r.min, r.minex, ok = parseScoreBound(minArg); !ok {
		return r, false
	}
	if r.max, r.maxex, ok = parseScoreBound(maxArg); !ok {
		return r, false
	}
	return r, true
}

func (r *scoreRange) gteMin(v float64) bool {
	if r.minex {
		return v > r.min
	}
	return v >= r.min
}

func (r *scoreRange) lteMax(v float64) bool {
	if r.maxex {
		return v < r.max
	}
	return v <= r.max
}

func (r *scoreRange) empty() bool {
	return r.min > r.max || r.min == r.max && (r.minex || r.maxex)
}

// Kinds of lex bounds: "-", "+", or a string.
const (
	lexString = iota
	lexMin
	lexMax
)

// lexBound is one end of a zlexrangespec.
type lexBound struct {
	kind int
	s    string
	ex   bool
}

// lexRange is zlexrangespec.
type lexRange struct{ min, max lexBound }

// parseLexBound is zslParseLexRangeItem: "-" and "+" (read as C strings,
// so "+\x00x" is "+"), "[x" inclusive, "(x" exclusive.
func parseLexBound(b []byte) (lexBound, bool) {
	if len(b) == 0 {
		return lexBound{}, false
	}
	switch b[0] {
	case '+':
		if len(b) > 1 && b[1] != 0 {
			return lexBound{}, false
		}
		return lexBound{kind: lexMax, ex: true}, true
	case '-':
		if len(b) > 1 && b[1] != 0 {
			return lexBound{}, false
		}
		return lexBound{kind: lexMin, ex: true}, true
	case '(':
		return lexBound{s: string(b[1:]), ex: true}, true
	case '[':
		return lexBound{s: string(b[1:])}, true
	}
	return lexBound{}, false
}

func parseLexRange(minArg, maxArg []byte) (lexRange, bool) {
	min, ok := parseLexBound(minArg)
	if !ok {
		return lexRange{}, false
	}
	max, ok := parseLexBound(maxArg)
	if !ok {
		return lexRange{}, false
	}
	return lexRange{min: min, max: max}, true
}

// lexCmp is sdscmplex between a member and a bound.
func lexCmp(member string, b *lexBound) int {
	switch b.kind {
	case lexMin:
		return 1
	case lexMax:
		return -1
	}
	switch {
	case member < b.s:
		return -1
	case member > b.s:
		return 1
	}
	return 0
}

func (r *lexRange) gteMin(member string) bool {
	if r.min.ex {
		return lexCmp(member, &r.min) > 0
	}
	return lexCmp(member, &r.min) >= 0
}

func (r *lexRange) lteMax(member string) bool {
	if r.max.ex {
		return lexCmp(member, &r.max) < 0
	}
	return lexCmp(member, &r.max) <= 0
}

// empty is the first test of zslIsInLexRange: min above max, or equal
// with either exclusive.
func (r *lexRange) empty() bool {
	var cmp int
	a, b := &r.min, &r.max
	switch {
	case a.kind == b.kind && a.kind != lexString:
		cmp = 0
	case a.kind == lexMin || b.kind == lexMax:
		cmp = -1
	case a.kind == lexMax || b.kind == lexMin:
		cmp = 1
	default:
		cmp = lexCmp(a.s, b)
	}
	return cmp > 0 || cmp == 0 && (a.ex || b.ex)
}

// firstInScoreRange returns the rank of the first item within r, or -1
// (zslFirstInRange).
func (z *zset) firstInScoreRange(r *scoreRange) int {
	n := z.len()
	if r.empty() || n == 0 {
		return -1
	}
	i := z.tree.countBefore(func(it *zitem) bool { return !r.gteMin(it.score) })
	if i >= n || !r.lteMax(z.tree.at(i).item().score) {
		return -1
	}
	return i
}

// lastInScoreRange returns the rank of the last item within r, or -1.
func (z *zset) lastInScoreRange(r *scoreRange) int {
	if r.empty() || z.len() == 0 {
		return -1
	}
	i := z.tree.countBefore(func(it *zitem) bool { return r.lteMax(it.score) }) - 1
	if i < 0 || !r.gteMin(z.tree.at(i).item().score) {
		return -1
	}
	return i
}

// lexInRange is zzlIsInLexRange / zslIsInLexRange: the range is not empty,
// the last member is not below min and the first is not above max.
func (z *zset) lexInRange(r *lexRange) bool {
	if r.empty() || z.len() == 0 {
		return false
	}
	last, first := z.tree.last(), z.tree.first()
	return r.gteMin(last.item().member) && r.lteMax(first.item().member)
}

// firstInLexRange returns the rank of the first item within r, or -1.
// Lex ranges assume that every member has the same score; when they do not,
// Redis's answer depends on the encoding: a listpack is searched from its
// head, item by item, which this does too for a listpack-encoded set; a
// skiplist is searched top-down, with an answer that then depends on its
// random node levels (undefined behaviour, documented as such), for which
// the tree's own top-down search stands in.
func (z *zset) firstInLexRange(r *lexRange) int {
	if !z.lexInRange(r) {
		return -1
	}
	var i int
	if z.listpack() {
		i = -1
		k := 0
		for it := z.tree.first(); it.valid(); it.next() {
			if r.gteMin(it.item().member) {
				i = k
				break
			}
			k++
		}
		if i < 0 {
			return -1
		}
	} else {
		i = z.tree.countBefore(func(it *zitem) bool { return !r.gteMin(it.member) })
		if i >= z.len() {
			return -1
		}
	}
	if !r.lteMax(z.tree.at(i).item().member) {
		return -1
	}
	return i
}

// lastInLexRange returns the rank of the last item within r, or -1.
func (z *zset) lastInLexRange(r *lexRange) int {
	if !z.lexInRange(r) {
		return -1
	}
	var i int
	if z.listpack() {
		i = -1
		k := z.len() - 1
		for it := z.tree.last(); it.valid(); it.prev() {
			if r.lteMax(it.item().member) {
				i = k
				break
			}
			k--
		}
	} else {
		i = z.tree.countBefore(func(it *zitem) bool { return r.lteMax(it.member) }) - 1
	}
	if i < 0 || !r.gteMin(z.tree.at(i).item().member) {
		return -1
	}
	return i
}
