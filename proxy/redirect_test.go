package proxy

import "testing"

func TestParseRedirection(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want redirection
		ok   bool
	}{
		{"-MOVED 3999 127.0.0.1:6381\r\n", redirection{slot: 3999, addr: "127.0.0.1:6381"}, true},
		{"MOVED 0 10.0.0.1:7000", redirection{slot: 0, addr: "10.0.0.1:7000"}, true},
		{"-ASK 16383 127.0.0.1:30002\r\n", redirection{ask: true, slot: 16383, addr: "127.0.0.1:30002"}, true},
		{"-MOVED 12 [::1]:7001\r\n", redirection{slot: 12, addr: "[::1]:7001"}, true},
		{"-MOVED 12 :7001\r\n", redirection{slot: 12, addr: ":7001"}, true},
		{"-MOVED 12 redis-1.example:7001\r\n", redirection{slot: 12, addr: "redis-1.example:7001"}, true},
		{"-MOVED 16384 127.0.0.1:6381\r\n", redirection{}, false},
		{"-MOVED -1 127.0.0.1:6381\r\n", redirection{}, false},
		{"-MOVED +1 127.0.0.1:6381\r\n", redirection{}, false},
		{"-MOVED 1\r\n", redirection{}, false},
		{"-MOVED  127.0.0.1:6381\r\n", redirection{}, false},
		{"-MOVED 1 127.0.0.1\r\n", redirection{}, false},
		{"-MOVED 1 127.0.0.1:0\r\n", redirection{}, false},
		{"-MOVED 1 127.0.0.1:99999\r\n", redirection{}, false},
		{"-MOVED 1 127.0.0.1:80 extra\r\n", redirection{}, false},
		{"-ERR MOVED 1 127.0.0.1:80\r\n", redirection{}, false},
		{"-ASKING\r\n", redirection{}, false},
		{"-moved 1 127.0.0.1:80\r\n", redirection{}, false},
		{"+OK\r\n", redirection{}, false},
	} {
		got, ok := parseRedirection([]byte(tc.in))
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseRedirection(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
		if tc.ok && tc.in[0] == '-' && !isRedirection([]byte(tc.in)) {
			t.Errorf("isRedirection(%q) = false", tc.in)
		}
	}
	for _, s := range []string{"-ERR x\r\n", "+MOVED 1 a:1\r\n", "$5\r\nMOVED\r\n", "-MOV", ""} {
		if isRedirection([]byte(s)) {
			t.Errorf("isRedirection(%q) = true", s)
		}
	}
}

func TestRedirectionTarget(t *testing.T) {
	for _, tc := range []struct{ addr, from, want string }{
		{"127.0.0.1:7001", "127.0.0.1:7000", "127.0.0.1:7001"},
		{":7001", "10.1.2.3:7000", "10.1.2.3:7001"},
		{":7001", "[::1]:7000", "[::1]:7001"},
		{"host:7001", "10.1.2.3:7000", "host:7001"},
	} {
		if got := (redirection{addr: tc.addr}).target(tc.from); got != tc.want {
			t.Errorf("target(%q from %q) = %q, want %q", tc.addr, tc.from, got, tc.want)
		}
	}
}
