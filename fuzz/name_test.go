package fuzz

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/linkbox/linkbox/nsfs"
)

// FuzzNetnsName fuzzes named-namespace names through nsfs's public API:
//
//   - nsfs.Quote prints every name as one line of printable runes, and
//     distinct names print distinctly (unquoting gives the name back);
//   - a name nsfs.ValidName accepts is one path element of at most 255
//     bytes, valid UTF-8, printable, and Quote leaves it as it is unless it
//     holds a backslash;
//   - Dir.Open never opens anything for a name that is not an entry
//     directly in the run directory: a run directory holding a plain file
//     beside a sentinel outside it gives an error for every name, and an
//     invalid-name error for every name with a '/'.
func FuzzNetnsName(f *testing.F) {
	for _, s := range []string{"blue", "", ".", "..", "a/b", "../outside", "nl\nx", "tab\tx", "x\x00",
		"\xff\xfe", "\u202eevil", strings.Repeat("n", 255), strings.Repeat("n", 256), "a b", `back\slash`, "plain", "--"} {
		f.Add(s)
	}
	top := f.TempDir()
	run := filepath.Join(top, "netns")
	if err := os.Mkdir(run, 0o755); err != nil {
		f.Fatal(err)
	}
	for _, p := range []string{filepath.Join(top, "outside"), filepath.Join(run, "plain")} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			f.Fatal(err)
		}
	}
	d := &nsfs.Dir{Path: run}
	f.Fuzz(func(t *testing.T, name string) {
		q := nsfs.Quote(name)
		if !utf8.ValidString(q) {
			t.Fatalf("Quote(%q) = %q is not valid UTF-8", name, q)
		}
		for _, r := range q {
			if !unicode.IsPrint(r) {
				t.Fatalf("Quote(%q) = %q holds the unprintable %U", name, q, r)
			}
		}
		if back, err := unquote(q); err != nil || back != name {
			t.Fatalf("Quote(%q) = %q reads back as %q (%v): two names could print alike", name, q, back, err)
		}
		if nsfs.ValidName(name) == nil {
			switch {
			case len(name) == 0 || len(name) > nsfs.MaxNameLen:
				t.Fatalf("ValidName accepts %q of %d bytes", name, len(name))
			case strings.ContainsAny(name, "/\x00"), name == ".", name == "..":
				t.Fatalf("ValidName accepts %q, which is not one path element", name)
			case filepath.Base(filepath.Join(run, name)) != name || filepath.Dir(filepath.Join(run, name)) != run:
				t.Fatalf("ValidName accepts %q, which does not name an entry directly under the run directory", name)
			case !strings.Contains(name, `\`) && q != name:
				t.Fatalf("ValidName accepts %q but Quote changes it to %q", name, q)
			}
		}
		ns, err := d.Open(name)
		if err == nil {
			ns.Close()
			t.Fatalf("Open(%q) opened something in a run directory without namespaces", name)
		}
		if strings.Contains(name, "/") && !errors.Is(err, nsfs.ErrInvalidName) {
			t.Fatalf("Open(%q) = %v, want an invalid-name error", name, err)
		}
	})
}

// unquote undoes nsfs.Quote: \\, \n, \t, \r, \xHH (a byte), \uHHHH and
// \UHHHHHHHH (a rune); everything else stands for itself.
func unquote(q string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(q); {
		if q[i] != '\\' {
			b.WriteByte(q[i])
			i++
			continue
		}
		if i+1 >= len(q) {
			return "", errors.New("a lone backslash at the end")
		}
		switch c := q[i+1]; c {
		case '\\':
			b.WriteByte('\\')
			i += 2
		case 'n':
			b.WriteByte('\n')
			i += 2
		case 't':
			b.WriteByte('\t')
			i += 2
		case 'r':
			b.WriteByte('\r')
			i += 2
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[c]
			if i+2+n > len(q) {
				return "", errors.New("a short escape")
			}
			v, err := strconv.ParseUint(q[i+2:i+2+n], 16, 32)
			if err != nil {
				return "", err
			}
			if c == 'x' {
				b.WriteByte(byte(v))
			} else {
				b.WriteRune(rune(v))
			}
			i += 2 + n
		default:
			return "", errors.New("an unknown escape \\" + string(c))
		}
	}
	return b.String(), nil
}
