package backend

import (
	"math"
	"testing"
)

// TestStrtodBytes holds strtodBytes to glibc's strtod: what it consumes,
// and when it reports ERANGE.
func TestStrtodBytes(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		in     string
		v      float64
		n      int
		erange bool
	}{
		{"1.5", 1.5, 3, false},
		{"  -2e3x", -2000, 6, false},
		{"inf", inf, 3, false},
		{"-Infinity", -inf, 9, false},
		{"infinit", inf, 3, false},
		{"0x10", 16, 4, false},
		{"0x1p-2", 0.25, 6, false},
		{"0x", 0, 1, false},
		{"0xg", 0, 1, false},
		{"1e", 1, 1, false},
		{"1e+", 1, 1, false},
		{".5", 0.5, 2, false},
		{"5.", 5, 2, false},
		{".", 0, 0, false},
		{"", 0, 0, false},
		{"e5", 0, 0, false},
		{"1e999", inf, 5, true},
		{"1e-400", 0, 6, true},
		{"0e-400", 0, 6, false},
		{"4e-320", 4e-320, 6, false},
	} {
		v, n, erange := strtodBytes([]byte(c.in))
		if v != c.v || n != c.n || erange != c.erange {
			t.Errorf("strtod(%q) = %v, %d, %v; want %v, %d, %v", c.in, v, n, erange, c.v, c.n, c.erange)
		}
	}
	v, n, _ := strtodBytes([]byte("nan(abc)x"))
	if v == v || n != 8 {
		t.Errorf("nan(abc): %v %d", v, n)
	}
}
