package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/linkbox/linkbox/rtnl"
)

// shownBytes rebuilds a datagram from the offset and hex columns of its
// text view, checking that the lines run in order without gaps or overlap.
func shownBytes(text string) ([]byte, error) {
	var out []byte
	for n := 1; text != ""; n++ {
		l, rest, _ := strings.Cut(text, "\n")
		text = rest
		if len(l) < 6 || l[0] == ' ' {
			continue // title lines, problems, blank lines
		}
		i := strings.Index(l, "  ")
		if i < 0 {
			continue // the datagram's title line
		}
		off, err := strconv.ParseUint(l[:i], 16, 64)
		if err != nil {
			continue // the datagram's title line
		}
		if int(off) != len(out) {
			return nil, fmt.Errorf("line %d starts at offset %#x, want %#x: %q", n, off, len(out), l)
		}
		col := l[i+2:]
		if len(col) > hexWidth {
			col = col[:hexWidth]
		}
		for j := 0; j+1 < len(col) && col[j] != ' '; j += 3 {
			b, err := strconv.ParseUint(col[j:j+2], 16, 8)
			if err != nil {
				return nil, fmt.Errorf("line %d: %v: %q", n, err, l)
			}
			out = append(out, byte(b))
		}
	}
	return out, nil
}

// checkAnnotation annotates b and checks the promises the annotator
// makes: no panic, every byte shown exactly once and in order, and a JSON
// form that marshals.
func checkAnnotation(t *testing.T, a *Annotator, dir rtnl.Direction, b []byte) {
	t.Helper()
	check(t, a, dir, b, true)
}

// check is checkAnnotation, with the JSON form marshalled only when
// withJSON is set (it costs as much as the rest).
func check(t *testing.T, a *Annotator, dir rtnl.Direction, b []byte, withJSON bool) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("annotating %x panicked: %v", b, r)
		}
	}()
	d := a.Annotate(Datagram{Dir: dir, Data: b})
	text := d.String()
	got, err := shownBytes(text)
	if err != nil {
		t.Fatalf("annotating %x: %v\n%s", b, err, text)
	}
	if !bytes.Equal(got, b) {
		t.Fatalf("the text view shows %d bytes, want the %d of the datagram %x\n%s", len(got), len(b), b, text)
	}
	if !withJSON {
		return
	}
	if _, err := json.Marshal(d); err != nil {
		t.Fatalf("marshalling the annotation of %x: %v", b, err)
	}
}

// TestEveryByteShown checks the golden inputs whole.
func TestEveryByteShown(t *testing.T) {
	for name, ds := range goldenInputs(t) {
		a := NewAnnotator(testKinds)
		for i, d := range ds {
			t.Run(fmt.Sprintf("%s/%d", name, i), func(t *testing.T) {
				checkAnnotation(t, a, d.Dir, d.Data)
			})
		}
	}
}

// TestTruncatedAndCorrupted annotates every prefix of every golden
// datagram, and every golden datagram with each single byte replaced by a
// few values that break lengths and types: none may panic, read out of
// bounds, or leave a byte unshown. A large datagram (a dump) is cut to
// its first 2 KiB, which holds a whole message and every kind of field,
// and its longer prefixes are taken in steps.
func TestTruncatedAndCorrupted(t *testing.T) {
	for name, ds := range goldenInputs(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := NewAnnotator(testKinds)
			for _, d := range ds {
				// Let the annotator see the request, so acks exercise
				// the request lookup too.
				a.Annotate(d)
			}
			for _, d := range ds {
				base := d.Data[:min(len(d.Data), maxExhaustive)]
				for n := 0; n <= len(base); n++ {
					check(t, a, d.Dir, base[:n], n%8 == 0)
				}
				for n := len(base) + 97; n < len(d.Data); n += 97 {
					checkAnnotation(t, a, d.Dir, d.Data[:n])
				}
				b := make([]byte, len(base))
				for i := range base {
					for _, v := range []byte{0x00, 0xff, base[i] ^ 0x80, base[i] + 4, base[i] - 1} {
						copy(b, base)
						b[i] = v
						check(t, a, d.Dir, b, i%8 == 0)
					}
				}
			}
		})
	}
}

const maxExhaustive = 2048

// FuzzAnnotate checks the same promises on any input; the golden inputs
// seed it.
func FuzzAnnotate(f *testing.F) {
	for _, ds := range goldenInputs(f) {
		for _, d := range ds {
			f.Add(d.Data, d.Dir == rtnl.Sent)
		}
	}
	a := NewAnnotator(testKinds)
	f.Fuzz(func(t *testing.T, b []byte, sent bool) {
		dir := rtnl.Received
		if sent {
			dir = rtnl.Sent
		}
		checkAnnotation(t, a, dir, b)
	})
}
