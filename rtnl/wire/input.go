package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// Format is a form of input that ReadDatagrams accepts.
type Format int

// Input forms.
const (
	FormatPcap   Format = iota + 1 // a pcap file (LINKTYPE_NETLINK, or LINKTYPE_LINUX_SLL of an nlmon device)
	FormatPcapNG                   // a pcapng file, as dumpcap writes
	FormatStrace                   // the output of strace -xx
	FormatHex                      // plain hex
)

// String names the format: pcap, pcapng, strace or hex.
func (f Format) String() string {
	switch f {
	case FormatPcap:
		return "pcap"
	case FormatPcapNG:
		return "pcapng"
	case FormatStrace:
		return "strace"
	case FormatHex:
		return "hex"
	}
	return "unknown"
}

// ReadDatagrams reads every datagram from r, whose form it detects: a pcap
// or pcapng capture (ours, or one made on an nlmon device), the output of
// strace -xx, or plain hex (see ParseStrace and ParseHex). Frames of other
// netlink protocols than NETLINK_ROUTE in a capture are left out.
func ReadDatagrams(r io.Reader) ([]Datagram, Format, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, 0, err
	}
	if f := sniffCapture(b); f != 0 {
		pr, err := NewPcapReader(bytes.NewReader(b))
		if err != nil {
			return nil, f, err
		}
		var ds []Datagram
		for {
			d, err := pr.Next()
			if errors.Is(err, io.EOF) {
				return ds, f, nil
			}
			if err != nil {
				return ds, f, err
			}
			ds = append(ds, d)
		}
	}
	s := string(b)
	if looksLikeStrace(s) {
		ds, err := ParseStrace(s)
		return ds, FormatStrace, err
	}
	ds, err := ParseHex(s)
	return ds, FormatHex, err
}

// GuessDirection says which way a datagram went when its source does not
// say: requests carry NLM_F_REQUEST, and the kernel never sets it.
func GuessDirection(b []byte) rtnl.Direction {
	if len(b) >= rtnl.HeaderLen && binary.NativeEndian.Uint16(b[6:])&unix.NLM_F_REQUEST != 0 {
		return rtnl.Sent
	}
	return rtnl.Received
}

// straceCalls are the calls whose bytes ParseStrace reads.
var straceCalls = []string{"sendmsg", "sendto", "recvmsg", "recvfrom", "write", "read"}

// isStraceSpace is the white space strace puts between the fields of a
// line.
func isStraceSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// skipSpace returns s after its leading white space, and whether there
// was any.
func skipSpace(s string) (string, bool) {
	i := 0
	for i < len(s) && isStraceSpace(s[i]) {
		i++
	}
	return s[i:], i > 0
}

// skipRun returns s after its leading bytes that in accepts, and how many
// there were.
func skipRun(s string, in func(byte) bool) (string, int) {
	i := 0
	for i < len(s) && in(s[i]) {
		i++
	}
	return s[i:], i
}

func isDigit(c byte) bool        { return '0' <= c && c <= '9' }
func isTimeByte(c byte) bool     { return isDigit(c) || c == ':' || c == '.' }
func isLowerHex(c byte) bool     { return isDigit(c) || 'a' <= c && c <= 'f' }
func isHexDigit(c byte) bool     { return isLowerHex(c) || 'A' <= c && c <= 'F' }
func isBlankOrComma(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' }

// stracePrefix returns a line of strace's after what it may put before
// the call: the process, as "[pid N] " (strace -f on a terminal) or "N "
// (strace -f -o FILE), then a time stamp ("12:00:01.000001 ", -t and
// friends).
func stracePrefix(l string) string {
	if rest, ok := strings.CutPrefix(l, "[pid"); ok {
		rest, sp := skipSpace(rest)
		rest, n := skipRun(rest, isDigit)
		if rest, ok := strings.CutPrefix(rest, "]"); ok && sp && n > 0 {
			if rest, sp := skipSpace(rest); sp {
				l = rest
			}
		}
	} else if rest, n := skipRun(l, isDigit); n > 0 {
		if rest, sp := skipSpace(rest); sp {
			l = rest
		}
	}
	if rest, n := skipRun(l, isTimeByte); n > 0 {
		if rest, sp := skipSpace(rest); sp {
			l = rest
		}
	}
	return l
}

// straceCall returns the call a line of strace's starts or resumes
// ("sendmsg(...", "<... recvmsg resumed>..."), if it is one of
// straceCalls.
func straceCall(l string) (string, bool) {
	l = stracePrefix(l)
	if rest, ok := strings.CutPrefix(l, "<..."); ok {
		if rest, sp := skipSpace(rest); sp {
			l = rest
		}
	}
	for _, c := range straceCalls {
		if rest, ok := strings.CutPrefix(l, c); ok && (strings.HasPrefix(rest, "(") || strings.HasPrefix(rest, " resumed>")) {
			return c, true
		}
	}
	return "", false
}

// straceNote reports whether a line is strace's own bookkeeping, with no
// bytes in it: a process that ended ("+++ exited with 1 +++", "+++ killed
// by SIGKILL +++"), a signal ("--- SIGCHLD {...} ---"), a call of
// another process cut off and taken up later ("wait4(-1,  <unfinished
// ...>", "<... wait4 resumed>...", or the mark alone), or strace's own
// word ("strace: Process 12 attached").
func straceNote(l string) bool {
	l = strings.TrimRight(stracePrefix(l), " \t\r\n")
	switch {
	case strings.HasPrefix(l, "strace: Process "),
		strings.HasPrefix(l, "+++ ") && strings.HasSuffix(l, " +++"),
		strings.HasPrefix(l, "--- SIG") && strings.HasSuffix(l, " ---"),
		strings.HasSuffix(l, "<unfinished ...>"):
		return true
	}
	if rest, ok := strings.CutPrefix(l, "<... "); ok {
		name, _ := skipRun(rest, func(c byte) bool { return c != ' ' })
		return strings.HasPrefix(name, " resumed>")
	}
	return false
}

// straceDump returns the hex column of a line of the dump that -e
// write= and -e read= print, after the offset:
// " | 00000  5c 00 00 00 10 00 05 06  0f 02 0b 6b 00 00 00 00  \..........k.... |".
func straceDump(l string) (string, bool) {
	l, _ = skipSpace(l)
	l, ok := strings.CutPrefix(l, "|")
	if !ok {
		return "", false
	}
	l, _ = skipSpace(l)
	l, n := skipRun(l, isLowerHex)
	if n < 5 {
		return "", false
	}
	return strings.CutPrefix(l, "  ")
}

// straceString is a string strace -xx printed: every byte as \xNN, in
// quotes, and "..." after it when strace cut it short.
type straceString struct {
	start, end int    // where it is in the text, quotes and "..." included
	hex        string // between the quotes
	cut        bool   // "..." follows
}

// straceStrings finds the strings strace -xx printed in s, from the left,
// none overlapping another.
func straceStrings(s string) []straceString {
	var out []straceString
	for i := 0; i < len(s); i++ {
		if s[i] != '"' {
			continue
		}
		j := i + 1
		for j+4 <= len(s) && s[j] == '\\' && s[j+1] == 'x' && isHexDigit(s[j+2]) && isHexDigit(s[j+3]) {
			j += 4
		}
		if j >= len(s) || s[j] != '"' {
			continue
		}
		m := straceString{start: i, end: j + 1, hex: s[i+1 : j]}
		if strings.HasPrefix(s[m.end:], "...") {
			m.end += 3
			m.cut = true
		}
		out = append(out, m)
		i = m.end - 1
	}
	return out
}

func looksLikeStrace(s string) bool {
	for l := range strings.Lines(s) {
		if _, ok := straceCall(l); ok {
			return true
		}
		if _, ok := straceDump(l); ok || straceNote(l) {
			return true
		}
	}
	// Strings alone, as strace prints them, and nothing else.
	ms := straceStrings(s)
	if len(ms) == 0 {
		return false
	}
	at := 0
	for _, m := range ms {
		if _, n := skipRun(s[at:m.start], isBlankOrComma); n != m.start-at {
			return false
		}
		at = m.end
	}
	_, n := skipRun(s[at:], isBlankOrComma)
	return n == len(s)-at
}

// ParseStrace reads the datagrams in the output of strace -xx. The best
// form is a trace with -e write=all -e read=all (or write=FD, read=FD),
// whose hex dumps hold every byte:
//
//	strace -xx -e trace=sendmsg,recvmsg -e write=all -e read=all ip link ...
//
// Without the dumps, a call whose buffer strace printed as a single string,
// "\x20\x00...", is read from the string (a string strace cut short, ending
// in "...", is an error: raise -s). Strings alone, one per datagram, are
// accepted too. A recvmsg with MSG_PEEK is left out: its bytes come again
// in the next read. The direction is the call's: send and write are Sent.
func ParseStrace(s string) ([]Datagram, error) {
	var out []Datagram
	var cur *Datagram
	var curLine string
	var curDump bool
	decoded := 0
	flush := func() error {
		if cur == nil {
			return nil
		}
		d := cur
		cur = nil
		if curDump {
			if len(d.Data) > 0 {
				out = append(out, *d)
			}
			return nil
		}
		ms := straceStrings(curLine)
		if len(ms) == 1 && !strings.Contains(curLine, "nlmsg_len=") {
			if ms[0].cut {
				return fmt.Errorf("wire: strace cut a string short (%q...): run strace with -s 65536, or with -e write=all -e read=all", firstN(ms[0].hex, 24))
			}
			d.Data = unescapeX(ms[0].hex)
			if len(d.Data) > 0 {
				out = append(out, *d)
			}
		} else if strings.Contains(curLine, "nlmsg_len=") {
			decoded++
		}
		return nil
	}
	bare := true
	for n, l := range splitLines(s) {
		if call, ok := straceCall(l); ok {
			bare = false
			if err := flush(); err != nil {
				return nil, err
			}
			if strings.Contains(l, "<unfinished ...>") || strings.Contains(l, "MSG_PEEK") {
				continue
			}
			dir := rtnl.Received
			if strings.HasPrefix(call, "send") || call == "write" {
				dir = rtnl.Sent
			}
			cur, curLine, curDump = &Datagram{Dir: dir}, l, false
			continue
		}
		if hex, ok := straceDump(l); ok {
			bare = false
			if cur == nil {
				continue
			}
			b, err := dumpLineBytes(hex)
			if err != nil {
				return nil, fmt.Errorf("wire: strace line %d: %w", n+1, err)
			}
			cur.Data = append(cur.Data, b...)
			curDump = true
			continue
		}
		if straceNote(l) {
			bare = false
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if bare {
		for _, m := range straceStrings(s) {
			if m.cut {
				return nil, fmt.Errorf("wire: strace cut a string short (%q...): run strace with -s 65536", firstN(m.hex, 24))
			}
			b := unescapeX(m.hex)
			if len(b) > 0 {
				out = append(out, Datagram{Dir: GuessDirection(b), Data: b})
			}
		}
	}
	if len(out) == 0 && decoded > 0 {
		return nil, errors.New("wire: strace decoded the netlink messages itself and printed no bytes: run it with -e write=all -e read=all")
	}
	return out, nil
}

// dumpLineBytes reads the hex column of a strace dump line: 16 bytes in
// two groups of eight, 49 characters in all, then the text column.
func dumpLineBytes(s string) ([]byte, error) {
	if len(s) > 49 {
		s = s[:49]
	}
	var b []byte
	for f := range strings.FieldsSeq(s) {
		v, err := strconv.ParseUint(f, 16, 8)
		if err != nil || len(f) != 2 {
			return nil, fmt.Errorf("bad byte %q in a hex dump", f)
		}
		b = append(b, byte(v))
	}
	return b, nil
}

func unescapeX(s string) []byte {
	b := make([]byte, 0, len(s)/4)
	for i := 0; i+4 <= len(s); i += 4 {
		v, _ := strconv.ParseUint(s[i+2:i+4], 16, 8)
		b = append(b, byte(v))
	}
	return b
}

func firstN(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func splitLines(s string) []string {
	return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
}

// ParseHex reads datagrams written as hex. Whitespace, line breaks, commas,
// quotes and 0x or \x prefixes are ignored; # starts a comment. A blank
// line ends a datagram; so does each line of a block whose every line
// starts with a whole netlink message (as /tmp/cap/cap.sh prints one
// sendmsg a line). A comment line starting with "sent" or "received" gives
// the next datagram's direction; otherwise it is guessed (GuessDirection).
func ParseHex(s string) ([]Datagram, error) {
	var out []Datagram
	var block [][]byte
	var dir *rtnl.Direction
	flush := func() {
		if len(block) == 0 {
			return
		}
		framed := len(block) > 1
		for _, b := range block {
			if !startsWithMessage(b) {
				framed = false
				break
			}
		}
		var datagrams [][]byte
		if framed {
			datagrams = block
		} else {
			var all []byte
			for _, b := range block {
				all = append(all, b...)
			}
			datagrams = [][]byte{all}
		}
		for _, b := range datagrams {
			d := Datagram{Dir: GuessDirection(b), Data: b}
			if dir != nil {
				d.Dir = *dir
			}
			out = append(out, d)
		}
		block, dir = nil, nil
	}
	for n, l := range splitLines(s) {
		text := l
		if i := strings.IndexByte(l, '#'); i >= 0 {
			text = l[:i]
			c := strings.ToLower(strings.TrimSpace(l[i+1:]))
			if strings.TrimSpace(text) == "" && len(block) == 0 {
				switch {
				case strings.HasPrefix(c, "sent"):
					dir = new(rtnl.Sent)
				case strings.HasPrefix(c, "received"):
					dir = new(rtnl.Received)
				}
			}
			if strings.TrimSpace(text) == "" {
				continue
			}
		}
		if strings.TrimSpace(text) == "" {
			flush()
			continue
		}
		b, err := hexLine(text)
		if err != nil {
			return nil, fmt.Errorf("wire: line %d: %w", n+1, err)
		}
		block = append(block, b)
	}
	flush()
	return out, nil
}

// hexLine decodes the hex digits on one line.
func hexLine(s string) ([]byte, error) {
	r := strings.NewReplacer("0x", " ", "0X", " ", `\x`, " ", ",", " ", `"`, " ", "'", " ", ";", " ")
	digits := strings.Join(strings.Fields(r.Replace(s)), "")
	if len(digits)%2 != 0 {
		return nil, fmt.Errorf("odd number of hex digits (%d)", len(digits))
	}
	b := make([]byte, len(digits)/2)
	for i := range b {
		v, err := strconv.ParseUint(digits[2*i:2*i+2], 16, 8)
		if err != nil {
			return nil, fmt.Errorf("%q is not hex", digits[2*i:2*i+2])
		}
		b[i] = byte(v)
	}
	return b, nil
}

// startsWithMessage reports whether b starts with a netlink message that
// fits in it.
func startsWithMessage(b []byte) bool {
	if len(b) < rtnl.HeaderLen {
		return false
	}
	n := binary.NativeEndian.Uint32(b)
	return n >= rtnl.HeaderLen && int64(n) <= int64(len(b))
}
