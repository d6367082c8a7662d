package nsfs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
		// lookup: accepted for Open and Delete (names other tools made).
		lookup bool
	}{
		{"blue", true, true},
		{"ns-1_a.b", true, true},
		{"a b", true, true}, // iproute2 accepts spaces, and so do we
		{"--", true, true},  // iproute2 takes it as a name too
		{"ünïcödé", true, true},
		{"日本", true, true},
		{strings.Repeat("x", 255), true, true},
		{"", false, false},
		{".", false, false},
		{"..", false, false},
		{"a/b", false, false},
		{"/", false, false},
		{"../etc", false, false},
		{strings.Repeat("x", 256), false, false},
		{"a\x00b", false, false},
		{"nl\nx", false, true}, // iproute2 makes it, and lists it as two lines
		{"tab\tx", false, true},
		{"cr\r", false, true},
		{"del\x7f", false, true},
		{"esc\x1b[31m", false, true},
		{"c1\u0085", false, true},          // NEXT LINE, a C1 control
		{"bidi\u202egpj.exe", false, true}, // RIGHT-TO-LEFT OVERRIDE
		{"nbsp\u00a0", false, true},        // not the ASCII space
		{"ls\u2028", false, true},          // LINE SEPARATOR
		{"bad\xffutf8", false, true},
	}
	for _, tt := range tests {
		err := ValidName(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("ValidName(%q): want ok=%v, got %v", tt.name, tt.ok, err)
		}
		if err != nil && !errors.Is(err, ErrInvalidName) {
			t.Errorf("ValidName(%q): want an error matching ErrInvalidName, got %v", tt.name, err)
		}
		lerr := checkPathName(tt.name)
		if (lerr == nil) != tt.lookup {
			t.Errorf("checkPathName(%q): want ok=%v, got %v", tt.name, tt.lookup, lerr)
		}
	}
}

func TestValidNameMessage(t *testing.T) {
	err := ValidName("nl\nx")
	want := `nsfs: name "nl\nx": invalid namespace name: unprintable character U+000A at byte 2`
	if err == nil || err.Error() != want {
		t.Errorf("want %q, got %v", want, err)
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"blue", "blue"},
		{"a b", "a b"},
		{"日本", "日本"},
		{"nl\nx", `nl\nx`},
		{"t\tr\r", `t\tr\r`},
		{`back\slash`, `back\\slash`},
		{"esc\x1b", `esc\x1b`},
		{"del\x7f", `del\x7f`},
		{"bad\xff", `bad\xff`},
		{"c1\u0085", `c1\u0085`},
		{"bidi\u202e", `bidi\u202e`},
		{"\U000e0001tag", `\U000e0001tag`},
		{"repl\ufffd", "repl\ufffd"}, // a real U+FFFD is printable
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q): want %q, got %q", tt.in, tt.want, got)
		}
	}
}

// FuzzName checks that every name is either refused, or names exactly one
// entry directly under the run directory, and that Quote always gives one
// printable line that is the name itself for accepted names without a
// backslash.
func FuzzName(f *testing.F) {
	for _, s := range []string{"blue", "", ".", "..", "a/b", "nl\nx", "../x", "x\x00", "\xff", strings.Repeat("y", 256), "a b", `\`} {
		f.Add(s)
	}
	const dir = "/run/netns"
	f.Fuzz(func(t *testing.T, name string) {
		q := Quote(name)
		if strings.ContainsAny(q, "\n\r\x00") {
			t.Errorf("Quote(%q) = %q: not one printable line", name, q)
		}
		if ValidName(name) != nil {
			return
		}
		if checkPathName(name) != nil {
			t.Errorf("ValidName accepts %q but lookup refuses it", name)
		}
		p := filepath.Join(dir, name)
		if filepath.Dir(p) != dir || filepath.Base(p) != name {
			t.Errorf("name %q: path %q is not an entry directly under %s", name, p, dir)
		}
		if !strings.Contains(name, `\`) && q != name {
			t.Errorf("Quote(%q) = %q: want it unchanged", name, q)
		}
		// The kernel agrees: creating it makes one entry, by that name.
		tmp := t.TempDir()
		if err := os.WriteFile(filepath.Join(tmp, name), nil, 0o600); err != nil {
			t.Fatalf("creating %q: %v", name, err)
		}
		ents, err := os.ReadDir(tmp)
		if err != nil {
			t.Fatal(err)
		}
		if len(ents) != 1 || ents[0].Name() != name {
			t.Errorf("creating %q under %s: want one entry by that name, got %v", name, tmp, ents)
		}
	})
}
