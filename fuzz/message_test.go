package fuzz

import (
	"bytes"
	"fmt"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/rtnl"
)

// A family is one kind of rtnetlink message: the attribute space that
// rtnl's schema gives its message types, the Go type a target must decode
// it to, and the decoder.
type family struct {
	target string          // the fuzz target
	goType string          // what decode returns, "*rtnl.LinkMessage"
	space  *rtnl.AttrSpace // rtnl.Spec(nlmsg_type).Attrs of its message types
	limit  allocLimit
	decode func(b []byte) (rtnl.Payload, error)
}

var (
	linkFamily = &family{"FuzzLink", "*rtnl.LinkMessage", rtnl.LinkSpace, allocLimit{24, 4096}, func(b []byte) (rtnl.Payload, error) {
		m := new(rtnl.LinkMessage)
		return m, m.Decode(b, Kinds)
	}}
	addrFamily = &family{"FuzzAddress", "*rtnl.AddressMessage", rtnl.AddrSpace, allocLimit{24, 1024}, func(b []byte) (rtnl.Payload, error) {
		m := new(rtnl.AddressMessage)
		return m, m.UnmarshalBinary(b)
	}}
	routeFamily = &family{"FuzzRoute", "*rtnl.RouteMessage", rtnl.RouteSpace, allocLimit{24, 1024}, func(b []byte) (rtnl.Payload, error) {
		m := new(rtnl.RouteMessage)
		return m, m.UnmarshalBinary(b)
	}}
	neighFamily = &family{"FuzzNeigh", "*rtnl.NeighMessage", rtnl.NeighSpace, allocLimit{24, 1024}, func(b []byte) (rtnl.Payload, error) {
		m := new(rtnl.NeighMessage)
		return m, m.UnmarshalBinary(b)
	}}
	nsidFamily = &family{"FuzzNSID", "*rtnl.NSIDMessage", rtnl.NSIDSpace, allocLimit{24, 1024}, func(b []byte) (rtnl.Payload, error) {
		m := new(rtnl.NSIDMessage)
		return m, m.UnmarshalBinary(b)
	}}
	families = []*family{linkFamily, addrFamily, routeFamily, neighFamily, nsidFamily}
)

// familyOf returns the family of message type typ, or nil.
func familyOf(typ uint16) *family {
	spec, ok := rtnl.Spec(typ)
	if !ok {
		return nil
	}
	for _, f := range families {
		if f.space == spec.Attrs {
			return f
		}
	}
	return nil
}

// checkMessage checks the properties on one message of family fam. It
// skips input that is not one message of that family, or that does not
// decode.
func checkMessage(t *testing.T, fam *family, in []byte) {
	t.Helper()
	valid := validIn(in)
	m, ok := oneMessage(in)
	if !ok || familyOf(m.Header.Type) != fam {
		return
	}
	checkPayload(t, fam, m.Header, m.Data, valid, true)
}

// checkPayload checks the properties on the payload of one message with
// header h; the allocation bound too when measure is set.
func checkPayload(t *testing.T, fam *family, h rtnl.Header, data []byte, valid, measure bool) {
	t.Helper()
	var x rtnl.Payload
	var err error
	if measure {
		checkAlloc(t, fam.target, data, fam.limit, func() { x, err = fam.decode(data) })
	} else {
		x, err = fam.decode(data)
	}
	if err != nil {
		return
	}
	if got := fmt.Sprintf("%T", x); got != fam.goType {
		t.Fatalf("%s decoded a %s message as %s, want %s", fam.target, rtnl.MessageTypeName(h.Type), got, fam.goType)
	}
	out := encode(t, fam.target, x)
	y, err := fam.decode(out)
	if err != nil {
		t.Fatalf("%s: the re-encoded message does not decode: %v\nin  %x\nout %x", fam.target, err, data, out)
	}
	sameValue(t, fam.target, x, y, data, out)
	if again := encode(t, fam.target, y); !bytes.Equal(out, again) {
		t.Fatalf("%s: the second encoding differs from the first\nin     %x\nfirst  %x\nsecond %x", fam.target, data, out, again)
	}
	keepsValid(t, fam.target, valid, frame(h, data), frame(h, out))
	if fam == linkFamily {
		checkLinkReuse(t, data, out)
	}
}

// reuseSeed is a link message with kind data, unknown attributes and a
// veth peer, for decoding into before and after the input.
var reuseSeed = func() []byte {
	var out []byte
	for _, s := range Samples() {
		if s.Name == "ip link add v0 up mtu 9000 master br0 type veth peer name v1 netns blue" {
			b, err := s.Bytes()
			if err != nil {
				panic(err)
			}
			out = b[rtnl.HeaderLen:]
		}
	}
	e := rtnl.NewEncoder(out)
	e.Uint32(1000, 7) // an attribute rtnl does not know
	out, _ = e.Encode()
	return out
}()

// checkLinkReuse checks that decoding into a LinkMessage used before, as a
// streamed dump does, gives what decoding into a fresh one gives, both
// for the input and for the message decoded after it.
func checkLinkReuse(t *testing.T, in, want []byte) {
	t.Helper()
	var m rtnl.LinkMessage
	if err := m.Decode(reuseSeed, Kinds); err != nil {
		t.Fatalf("decoding the reuse seed: %v", err)
	}
	if err := m.Decode(in, Kinds); err != nil {
		t.Fatalf("FuzzLink: decoding into a used message fails where a fresh one succeeds: %v\nin %x", err, in)
	}
	if got := encode(t, "FuzzLink", &m); !bytes.Equal(want, got) {
		t.Fatalf("FuzzLink: decoding into a used message gives another value\nin    %x\nfresh %x\nused  %x", in, want, got)
	}
	var fresh rtnl.LinkMessage
	if err := fresh.Decode(reuseSeed, Kinds); err != nil {
		t.Fatal(err)
	}
	if err := m.Decode(reuseSeed, Kinds); err != nil {
		t.Fatalf("FuzzLink: after the input, the reuse seed no longer decodes: %v\nin %x", err, in)
	}
	if w, g := encode(t, "FuzzLink", &fresh), encode(t, "FuzzLink", &m); !bytes.Equal(w, g) {
		t.Fatalf("FuzzLink: decoding the input left state that changes the next message decoded into the same value\nin    %x\nfresh %x\nused  %x", in, w, g)
	}
}

func seedFamily(f *testing.F, fam *family) {
	seedSamples(f, func(r rtnl.Request) bool { return familyOf(r.Type) == fam })
}

// FuzzLink fuzzes RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK and RTM_SETLINK
// messages through rtnl.LinkMessage, with the veth and bridge kinds.
func FuzzLink(f *testing.F) {
	seedFamily(f, linkFamily)
	f.Fuzz(func(t *testing.T, in []byte) { checkMessage(t, linkFamily, in) })
}

// FuzzAddress fuzzes RTM_NEWADDR, RTM_DELADDR and RTM_GETADDR messages
// through rtnl.AddressMessage.
func FuzzAddress(f *testing.F) {
	seedFamily(f, addrFamily)
	f.Fuzz(func(t *testing.T, in []byte) { checkMessage(t, addrFamily, in) })
}

// FuzzRoute fuzzes RTM_NEWROUTE, RTM_DELROUTE and RTM_GETROUTE messages
// through rtnl.RouteMessage.
func FuzzRoute(f *testing.F) {
	seedFamily(f, routeFamily)
	f.Fuzz(func(t *testing.T, in []byte) { checkMessage(t, routeFamily, in) })
}

// FuzzNeigh fuzzes RTM_NEWNEIGH, RTM_DELNEIGH and RTM_GETNEIGH messages,
// neighbours and bridge FDB entries, through rtnl.NeighMessage.
func FuzzNeigh(f *testing.F) {
	seedFamily(f, neighFamily)
	f.Fuzz(func(t *testing.T, in []byte) { checkMessage(t, neighFamily, in) })
}

// FuzzNSID fuzzes RTM_NEWNSID, RTM_DELNSID and RTM_GETNSID messages
// through rtnl.NSIDMessage.
func FuzzNSID(f *testing.F) {
	seedFamily(f, nsidFamily)
	f.Fuzz(func(t *testing.T, in []byte) { checkMessage(t, nsidFamily, in) })
}

// Each family's message types lead to its own decoder and Go type, and
// the family table has no slip: every type rtnl has a schema for belongs
// to exactly the family of its attribute space.
func TestFamiliesDecodeTheirTypes(t *testing.T) {
	want := map[uint16]string{}
	for _, typ := range []uint16{unix.RTM_NEWLINK, unix.RTM_DELLINK, unix.RTM_GETLINK, unix.RTM_SETLINK} {
		want[typ] = "*rtnl.LinkMessage"
	}
	for _, typ := range []uint16{unix.RTM_NEWADDR, unix.RTM_DELADDR, unix.RTM_GETADDR} {
		want[typ] = "*rtnl.AddressMessage"
	}
	for _, typ := range []uint16{unix.RTM_NEWROUTE, unix.RTM_DELROUTE, unix.RTM_GETROUTE} {
		want[typ] = "*rtnl.RouteMessage"
	}
	for _, typ := range []uint16{unix.RTM_NEWNEIGH, unix.RTM_DELNEIGH, unix.RTM_GETNEIGH} {
		want[typ] = "*rtnl.NeighMessage"
	}
	for _, typ := range []uint16{unix.RTM_NEWNSID, unix.RTM_DELNSID, unix.RTM_GETNSID} {
		want[typ] = "*rtnl.NSIDMessage"
	}
	for typ := range uint16(200) {
		fam := familyOf(typ)
		w, ok := want[typ]
		switch {
		case fam == nil && !ok:
			continue
		case fam == nil:
			t.Errorf("%s: no family, want one decoding to %s", rtnl.MessageTypeName(typ), w)
			continue
		case !ok:
			t.Errorf("%s: family %s, want none", rtnl.MessageTypeName(typ), fam.target)
			continue
		}
		x, _ := fam.decode(make([]byte, 64))
		if got := fmt.Sprintf("%T", x); got != w || fam.goType != w {
			t.Errorf("%s: %s decodes to %s (says %s), want %s", rtnl.MessageTypeName(typ), fam.target, got, fam.goType, w)
		}
	}
	// Every sample goes to its family's target and passes through it.
	for _, s := range Samples() {
		b, err := s.Bytes()
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		fam := familyOf(s.Request.Type)
		if fam == nil {
			t.Errorf("%s: no family for %s", s.Name, rtnl.MessageTypeName(s.Request.Type))
			continue
		}
		x, err := fam.decode(b[rtnl.HeaderLen:])
		if err != nil {
			t.Errorf("%s: %s does not decode it: %v", s.Name, fam.target, err)
			continue
		}
		if got := encode(t, s.Name, x); !bytes.Equal(got, b[rtnl.HeaderLen:]) {
			t.Errorf("%s: decoding and encoding changes it\nwant %x\ngot  %x", s.Name, b[rtnl.HeaderLen:], got)
		}
	}
}
