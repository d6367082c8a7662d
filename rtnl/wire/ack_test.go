package wire

import (
	"strings"
	"testing"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// ackFor builds the NLMSG_ERROR answering req.
func ackFor(t *testing.T, req []byte, ack rtnl.Ack) []byte {
	t.Helper()
	var h rtnl.Message
	if err := h.UnmarshalBinary(req); err != nil {
		t.Fatal(err)
	}
	ack.Request = h.Header
	e := rtnl.NewEncoder(nil)
	ack.Encode(e)
	payload, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	b, err := rtnl.Message{Header: rtnl.Header{Type: unix.NLMSG_ERROR, Flags: ack.Flags(), Seq: h.Header.Seq, Pid: 1000}, Data: payload}.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAckMissingAttribute names the attribute an ack says is missing, at
// the top level and inside a nest, and shows the cookie.
func TestAckMissingAttribute(t *testing.T) {
	req, err := rtnl.Request{Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_ACK | unix.NLM_F_CREATE, Payload: &rtnl.LinkMessage{
		Attrs: rtnl.LinkAttrs{Name: "veth0", Info: &rtnl.LinkInfo{Kind: "veth"}},
	}}.Encode(7)
	if err != nil {
		t.Fatal(err)
	}
	// IFLA_IFNAME takes 12 bytes after the 32 of the headers: IFLA_LINKINFO
	// starts at 44.
	for _, c := range []struct {
		name string
		ack  rtnl.Ack
		want []string
	}{
		{"in a nest", rtnl.Ack{Errno: unix.EINVAL, Capped: true, Offset: -1, MissType: unix.IFLA_INFO_DATA, MissNest: 44, Message: "missing data"},
			[]string{"2 -> IFLA_LINKINFO/IFLA_INFO_DATA is missing", `"missing data"`}},
		{"at the top", rtnl.Ack{Errno: unix.EINVAL, Capped: true, Offset: -1, MissType: unix.IFLA_MTU, MissNest: -1},
			[]string{"4 -> IFLA_MTU is missing"}},
		{"offset and cookie", rtnl.Ack{Errno: unix.ERANGE, Capped: true, Offset: 32, MissNest: -1, Cookie: []byte{0xca, 0xfe}},
			[]string{"32 -> IFLA_IFNAME", "NLMSGERR_ATTR_COOKIE", "ca fe"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := NewAnnotator(nil)
			a.Annotate(Datagram{Dir: rtnl.Sent, Data: req})
			d := a.Annotate(Datagram{Dir: rtnl.Received, Data: ackFor(t, req, c.ack)})
			text := d.String()
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("the annotation lacks %q:\n%s", w, text)
				}
			}
			e := d.Messages[0].Error
			if e == nil || e.Errno != unix.ErrnoName(c.ack.Errno) {
				t.Fatalf("want an NLMSG_ERROR with %s, got %+v", unix.ErrnoName(c.ack.Errno), e)
			}
			if c.ack.MissType != 0 && !strings.HasSuffix(e.Missing, typeNameIn(c.ack.MissType)) {
				t.Errorf("Missing: want the name of type %d, got %q", c.ack.MissType, e.Missing)
			}
			if c.ack.Offset >= 0 && (e.BadOffset == nil || *e.BadOffset != c.ack.Offset || e.BadAttr != "IFLA_IFNAME") {
				t.Errorf("want bad offset %d at IFLA_IFNAME, got %v %q", c.ack.Offset, e.BadOffset, e.BadAttr)
			}
		})
	}
}

func typeNameIn(t uint32) string {
	if t == unix.IFLA_MTU {
		return "IFLA_MTU"
	}
	return "IFLA_INFO_DATA"
}

// TestAckRequestHook names the bad attribute from a request the annotator
// did not see, through Annotator.Request.
func TestAckRequestHook(t *testing.T) {
	req, err := rtnl.Request{Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_ACK, Payload: &rtnl.LinkMessage{Index: 3, Attrs: rtnl.LinkAttrs{MTU: 70000}}}.Encode(9)
	if err != nil {
		t.Fatal(err)
	}
	ack := ackFor(t, req, rtnl.Ack{Errno: unix.EINVAL, Capped: true, Offset: 32, MissNest: -1, Message: "mtu greater than device maximum"})
	a := NewAnnotator(nil)
	if got := a.Annotate(Datagram{Dir: rtnl.Received, Data: ack}).Messages[0].Error.BadAttr; got != "" {
		t.Errorf("without the request: want no attribute named, got %q", got)
	}
	a.Request = func(seq uint32) []byte {
		if seq == 9 {
			return req
		}
		return nil
	}
	if got := a.Annotate(Datagram{Dir: rtnl.Received, Data: ack}).Messages[0].Error.BadAttr; got != "IFLA_MTU" {
		t.Errorf("with the request: want IFLA_MTU named, got %q", got)
	}
}
