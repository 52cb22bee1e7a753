package command

// stringMatch is Redis's stringmatchlen: glob-style matching with *, ?,
// [...] (ranges, ^ for negation, \ escapes) and \, case-insensitive when
// nocase. It is ported as is, quirks included, so COMMAND LIST FILTERBY
// PATTERN answers as Redis does; reads past the end of the pattern see the
// NUL byte that ends Redis's strings.
func stringMatch(pattern, str []byte, nocase bool) bool {
	skip := false
	return stringMatchImpl(pattern, str, nocase, &skip, 0)
}

// Match is Redis's glob-style matching (stringmatchlen), as KEYS, SCAN
// MATCH and CONFIG GET use it; case-insensitive when nocase.
func Match(pattern, str []byte, nocase bool) bool { return stringMatch(pattern, str, nocase) }

func tolower(c int) int {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func stringMatchImpl(pat, str []byte, nocase bool, skipLonger *bool, nesting int) bool {
	// Protection against abusive patterns.
	if nesting > 1000 {
		return false
	}
	// at reads pattern bytes as C's signed char, past the end as NUL.
	at := func(i int) int {
		if i < len(pat) {
			return int(int8(pat[i]))
		}
		return 0
	}
	p, s := 0, 0 // positions in pat and str
	plen, slen := len(pat), len(str)
	sc := func() int { return int(int8(str[s])) }
	for plen > 0 && slen > 0 {
		switch at(p) {
		case '*':
			for plen > 0 && at(p+1) == '*' {
				p++
				plen--
			}
			if plen == 1 {
				return true
			}
			for slen > 0 {
				if stringMatchImpl(pat[p+1:p+plen], str[s:s+slen], nocase, skipLonger, nesting+1) {
					return true
				}
				if *skipLonger {
					return false
				}
				s++
				slen--
			}
			// No match for the rest of the pattern from anywhere in the
			// rest of the string: longer matches for an earlier '*' cannot
			// help either.
			*skipLonger = true
			return false
		case '?':
			s++
			slen--
		case '[':
			p++
			plen--
			not := at(p) == '^'
			if not {
				p++
				plen--
			}
			match := false
			for {
				if at(p) == '\\' && plen >= 2 {
					p++
					plen--
					if at(p) == sc() {
						match = true
					}
				} else if at(p) == ']' {
					break
				} else if plen == 0 {
					p--
					plen++
					break
				} else if plen >= 3 && at(p+1) == '-' {
					start, end, c := at(p), at(p+2), sc()
					if start > end {
						start, end = end, start
					}
					if nocase {
						start, end, c = tolower(start), tolower(end), tolower(c)
					}
					p += 2
					plen -= 2
					if c >= start && c <= end {
						match = true
					}
				} else if !nocase {
					if at(p) == sc() {
						match = true
					}
				} else if tolower(at(p)) == tolower(sc()) {
					match = true
				}
				p++
				plen--
			}
			if not {
				match = !match
			}
			if !match {
				return false
			}
			s++
			slen--
		case '\\':
			if plen >= 2 {
				p++
				plen--
			}
			fallthrough
		default:
			if !nocase {
				if at(p) != sc() {
					return false
				}
			} else if tolower(at(p)) != tolower(sc()) {
				return false
			}
			s++
			slen--
		}
		p++
		plen--
		if slen == 0 {
			for at(p) == '*' {
				p++
				plen--
			}
			break
		}
	}
	return plen == 0 && slen == 0
}
