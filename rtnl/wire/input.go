package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"regexp"
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

var (
	// A syscall line: optional "[pid N] " or "N " and a time stamp, then
	// the call, or the resumption of an unfinished one.
	straceCall = regexp.MustCompile(`^(?:\[pid\s+\d+\]\s+|\d+\s+)?(?:[\d:.]+\s+)?(?:<\.\.\.\s+)?(sendmsg|sendto|recvmsg|recvfrom|write|read)(\(| resumed>)`)
	// A line of the hex dump -e write= and -e read= print:
	// " | 00000  5c 00 00 00 10 00 05 06  0f 02 0b 6b 00 00 00 00  \..........k.... |"
	straceDump = regexp.MustCompile(`^\s*\|\s*([0-9a-f]{5,})  `)
	// A string strace -xx prints: every byte as \xNN.
	straceString = regexp.MustCompile(`"((?:\\x[0-9a-fA-F]{2})*)"(\.\.\.)?`)
)

func looksLikeStrace(s string) bool {
	for l := range strings.Lines(s) {
		if straceCall.MatchString(l) || straceDump.MatchString(l) {
			return true
		}
	}
	// Strings alone, as strace prints them, and nothing else.
	rest := straceString.ReplaceAllString(s, "")
	return rest != s && strings.Trim(rest, " \t\r\n,") == ""
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
		ms := straceString.FindAllStringSubmatch(curLine, -1)
		if len(ms) == 1 && !strings.Contains(curLine, "nlmsg_len=") {
			if ms[0][2] != "" {
				return fmt.Errorf("wire: strace cut a string short (%q...): run strace with -s 65536, or with -e write=all -e read=all", firstN(ms[0][1], 24))
			}
			d.Data = unescapeX(ms[0][1])
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
		if m := straceCall.FindStringSubmatch(l); m != nil {
			bare = false
			if err := flush(); err != nil {
				return nil, err
			}
			if strings.Contains(l, "<unfinished ...>") || strings.Contains(l, "MSG_PEEK") {
				continue
			}
			dir := rtnl.Received
			if strings.HasPrefix(m[1], "send") || m[1] == "write" {
				dir = rtnl.Sent
			}
			cur, curLine, curDump = &Datagram{Dir: dir}, l, false
			continue
		}
		if m := straceDump.FindStringSubmatchIndex(l); m != nil {
			bare = false
			if cur == nil {
				continue
			}
			b, err := dumpLineBytes(l[m[1]:])
			if err != nil {
				return nil, fmt.Errorf("wire: strace line %d: %w", n+1, err)
			}
			cur.Data = append(cur.Data, b...)
			curDump = true
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if bare {
		for _, m := range straceString.FindAllStringSubmatch(s, -1) {
			if m[2] != "" {
				return nil, fmt.Errorf("wire: strace cut a string short (%q...): run strace with -s 65536", firstN(m[1], 24))
			}
			b := unescapeX(m[1])
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
