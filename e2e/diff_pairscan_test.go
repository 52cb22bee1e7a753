package e2e

import (
	"fmt"
	"strconv"
)

// Comparison helpers for the scans that return pairs (HSCAN field/value,
// ZSCAN member/score): their batches cannot match across implementations
// once the value is a hash table (DIFFERENCES.md), so the first reply is
// checked by shape and each side is iterated to the end.

// pairScanShapeEqual checks [cursor, [name, value, ...]] on both sides.
func pairScanShapeEqual(o, g reply, _, _ []byte) string {
	if decided, d := errorsOrNullsDiffer(o, g); decided {
		return d
	}
	for _, r := range []reply{o, g} {
		if r.kind != '*' || len(r.elems) != 2 || r.elems[0].kind != '$' || r.elems[1].kind != '*' || len(r.elems[1].elems)%2 != 0 {
			return "not a [cursor, [name, value, ...]] reply"
		}
		if _, err := strconv.ParseUint(r.elems[0].str, 10, 64); err != nil {
			return "cursor is not a number"
		}
	}
	return ""
}

// pairScanToEnd continues a pair scan (args as sent: CMD key cursor
// [options]) until the cursor is 0 and returns the pairs seen; a name seen
// twice must come with the same value.
func pairScanToEnd(s *side, args []string, first reply) (map[string]string, error) {
	seen := map[string]string{}
	r := first
	for calls := 0; ; calls++ {
		if pairScanShapeEqual(r, r, nil, nil) != "" {
			return nil, fmt.Errorf("%s: %s reply %v", s.name, args[0], r)
		}
		kv := r.elems[1].elems
		for i := 0; i < len(kv); i += 2 {
			if v, dup := seen[kv[i].str]; dup && v != kv[i+1].str {
				return nil, fmt.Errorf("%s: %q returned with %q and %q", s.name, kv[i].str, v, kv[i+1].str)
			}
			seen[kv[i].str] = kv[i+1].str
		}
		if r.elems[0].str == "0" {
			return seen, nil
		}
		if calls > 100000 {
			return nil, fmt.Errorf("%s: %s did not finish after %d calls", s.name, args[0], calls)
		}
		next := append([]string{args[0], args[1], r.elems[0].str}, args[3:]...)
		_, rr, err := s.roundTrip(next...)
		if err != nil {
			return nil, err
		}
		r = rr
	}
}
