package tomlfile

import (
	"strings"
	"testing"
)

type sample struct {
	Port  int
	Name  string
	Inner struct {
		Size int
	}
}

func TestDecodeUnknownKeysWithLines(t *testing.T) {
	src := "port = 1\nbogus = 2\n\n[inner]\nsize = 3\nextra = 4\n"
	var v sample
	_, err := Decode("x.toml", []byte(src), &v)
	if err == nil {
		t.Fatal("want an error for unknown keys")
	}
	for _, want := range []string{`x.toml:2: unknown key "bogus"`, `x.toml:6: unknown key "inner.extra"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if v.Port != 1 || v.Inner.Size != 3 {
		t.Errorf("decoded %+v", v)
	}
}

func TestDecodeSyntaxErrorHasLine(t *testing.T) {
	var v sample
	_, err := Decode("y.toml", []byte("port = 1\nname = \"unterminated\n"), &v)
	if err == nil || !strings.HasPrefix(err.Error(), "y.toml:2: ") {
		t.Fatalf("err = %v, want a y.toml:2 prefix", err)
	}
}

func TestDecodeTypeError(t *testing.T) {
	var v sample
	_, err := Decode("z.toml", []byte("port = \"seven\"\n"), &v)
	if err == nil || !strings.Contains(err.Error(), "z.toml") {
		t.Fatalf("err = %v, want one naming z.toml", err)
	}
	t.Log(err)
}
