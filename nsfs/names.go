package nsfs

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLen is the longest name, in bytes: NAME_MAX, the longest file name
// the kernel takes.
const MaxNameLen = 255

// ValidName reports whether name may be given to a new namespace, and if
// not, why, as an error matching ErrInvalidName.
//
// It refuses what iproute2 refuses (an empty name, ".", "..", a name with
// '/', a name longer than 255 bytes) and, beyond iproute2, names that would
// print ambiguously: NUL, invalid UTF-8, and any rune that is not printable
// (unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the
// ASCII space; so no control characters, no newline, no tab, no other
// spaces, no bidirectional overrides). iproute2 accepts "a\nb" and then
// lists it as two lines; nsfs refuses to make it, but still lists, opens
// and deletes such names when another tool made them (see Quote).
func ValidName(name string) error {
	if err := checkPathName(name); err != nil {
		return err
	}
	if !utf8.ValidString(name) {
		return invalidName(name, "not valid UTF-8")
	}
	for i, r := range name {
		if !unicode.IsPrint(r) {
			return invalidName(name, fmt.Sprintf("unprintable character %U at byte %d", r, i))
		}
	}
	return nil
}

// checkPathName accepts the names that are safe to look up under the run
// directory: one path element, as iproute2's invalid_name checks, and no
// NUL. Names made by other tools pass it even when ValidName refuses them,
// so that they can be opened and deleted.
func checkPathName(name string) error {
	switch {
	case name == "":
		return invalidName(name, "empty")
	case name == "." || name == "..":
		return invalidName(name, "not a file name")
	case len(name) > MaxNameLen:
		return invalidName(name, fmt.Sprintf("%d bytes long, the limit is %d", len(name), MaxNameLen))
	case strings.IndexByte(name, '/') >= 0:
		return invalidName(name, "contains '/'")
	case strings.IndexByte(name, 0) >= 0:
		return invalidName(name, "contains NUL")
	}
	return nil
}

func invalidName(name, why string) error {
	return &Error{Op: "name", Name: name, Kind: ErrInvalidName, Err: fmt.Errorf("%s", why)}
}

// Quote returns name as it can be printed on one line without ambiguity:
// unchanged when every rune is printable and there is no backslash;
// otherwise with backslash escapes (\\, \n, \t, \r, \xHH for other bytes
// below 0x20, DEL and invalid UTF-8, \u or \U for other unprintable runes).
// A name ValidName accepts and without a backslash comes back unchanged.
func Quote(name string) string {
	clean := true
	for _, r := range name {
		if r == '\\' || r == utf8.RuneError || !unicode.IsPrint(r) {
			clean = false
			break
		}
	}
	if clean {
		return name
	}
	var b strings.Builder
	for i := 0; i < len(name); {
		r, n := utf8.DecodeRuneInString(name[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, name[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsPrint(r):
			b.WriteString(name[i : i+n])
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += n
	}
	return b.String()
}

func itoa32(v int32) string { return fmt.Sprint(v) }
