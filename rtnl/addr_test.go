package rtnl

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

// requestGolden is one request iproute2 sent, for the address, route and
// neighbour golden tests: the command, the bytes it sent (captured with
// /tmp/cap/cap.sh, an strace of sendmsg, in the test sandbox, with
// sequence number and port id set to 0), how to build the same request
// with this package, and the Conn operation that sends it.
type requestGolden struct {
	cmd  string
	req  func() (Request, error)
	op   func(c *Conn) error
	want []byte
}

// ackAll answers every request of a fake connection with success: an
// empty dump for dumps, a capped ack otherwise.
func ackAll(req Message) []datagram {
	if req.Header.Flags&unix.NLM_F_DUMP == unix.NLM_F_DUMP {
		return []datagram{{b: reply(req, unix.NLMSG_DONE, unix.NLM_F_MULTI, make([]byte, 4))}}
	}
	return []datagram{{b: reply(req, unix.NLMSG_ERROR, unix.NLM_F_CAPPED, ackPayload(0, req))}}
}

// normalised returns the wire form of a sent message with its sequence
// number and port id set to 0, as the goldens have them.
func normalised(t *testing.T, m Message) []byte {
	t.Helper()
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	clear(b[8:16])
	return b
}

// reencode decodes a message payload as the type its header names and
// encodes it again.
func reencode(typ uint16, data []byte) ([]byte, error) {
	var m interface {
		UnmarshalBinary([]byte) error
		MarshalBinary() ([]byte, error)
	}
	switch typ {
	case unix.RTM_NEWADDR, unix.RTM_DELADDR, unix.RTM_GETADDR:
		m = new(AddressMessage)
	case unix.RTM_NEWROUTE, unix.RTM_DELROUTE, unix.RTM_GETROUTE:
		m = new(RouteMessage)
	case unix.RTM_NEWNEIGH, unix.RTM_DELNEIGH, unix.RTM_GETNEIGH:
		m = new(NeighMessage)
	default:
		return nil, errors.New("not an address, route or neighbour message")
	}
	if err := m.UnmarshalBinary(data); err != nil {
		return nil, err
	}
	return m.MarshalBinary()
}

func runGoldens(t *testing.T, goldens []requestGolden) {
	for _, g := range goldens {
		t.Run(g.cmd, func(t *testing.T) {
			r, err := g.req()
			if err != nil {
				t.Fatalf("building the request: %v", err)
			}
			got, err := r.Encode(0)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if !bytes.Equal(g.want, got) {
				t.Fatalf("request bytes differ from iproute2's:\nwant %x\n got %x", g.want, got)
			}
			again, err := reencode(r.Type, got[HeaderLen:])
			if err != nil {
				t.Fatalf("decoding the request: %v", err)
			}
			if !bytes.Equal(got[HeaderLen:], again) {
				t.Fatalf("decode/encode round trip differs:\nwant %x\n got %x", got[HeaderLen:], again)
			}
			if g.op == nil {
				return
			}
			c, f := fakeConn(ackAll)
			if err := g.op(c); err != nil {
				t.Fatalf("operation: %v", err)
			}
			if len(f.sent) != 1 {
				t.Fatalf("operation sent %d messages, want 1", len(f.sent))
			}
			if sent := normalised(t, f.sent[0]); !bytes.Equal(g.want, sent) {
				t.Fatalf("operation sent other bytes than iproute2:\nwant %x\n got %x", g.want, sent)
			}
		})
	}
}

func addrRequest(cmd, flags uint16, index int32, local string, o *AddrOptions) func() (Request, error) {
	return func() (Request, error) {
		m, err := NewAddressMessage(cmd, index, netip.MustParsePrefix(local), o)
		return Request{Type: cmd, Flags: flags, Payload: m}, err
	}
}

const (
	newFlags     = unix.NLM_F_ACK | unix.NLM_F_CREATE | unix.NLM_F_EXCL
	replaceFlags = unix.NLM_F_ACK | unix.NLM_F_CREATE | unix.NLM_F_REPLACE
)

// In the address goldens the link X had index 3.
var addrGolden = []requestGolden{
	{
		cmd: "ip addr add 198.18.0.1/24 dev X",
		req: addrRequest(unix.RTM_NEWADDR, newFlags, 3, "198.18.0.1/24", nil),
		op:  func(c *Conn) error { return c.AddAddr(3, netip.MustParsePrefix("198.18.0.1/24"), nil) },
		want: []byte{
			0x28, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05, 0x06, // nlmsg_len 40, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x02, 0x18, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, // ifaddrmsg: family 2, prefixlen 24, flags 0x0, scope 0, index 3
			0x08, 0x00, 0x02, 0x00, 0xc6, 0x12, 0x00, 0x01, // IFA_LOCAL 198.18.0.1
			0x08, 0x00, 0x01, 0x00, 0xc6, 0x12, 0x00, 0x01, // IFA_ADDRESS 198.18.0.1
		},
	},
	{
		cmd: "ip -6 addr add 2001:db8::1/64 dev X",
		req: addrRequest(unix.RTM_NEWADDR, newFlags, 3, "2001:db8::1/64", nil),
		op:  func(c *Conn) error { return c.AddAddr(3, netip.MustParsePrefix("2001:db8::1/64"), nil) },
		want: []byte{
			0x40, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05, 0x06, // nlmsg_len 64, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x0a, 0x40, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, // ifaddrmsg: family 10, prefixlen 64, flags 0x0, scope 0, index 3
			0x14, 0x00, 0x02, 0x00, 0x20, 0x01, 0x0d, 0xb8, // IFA_LOCAL 2001:db8::1
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x01,
			0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8, // IFA_ADDRESS 2001:db8::1
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x01,
		},
	},
	{
		cmd: "ip addr add 198.18.1.1/24 brd + dev X label X:1",
		req: addrRequest(unix.RTM_NEWADDR, newFlags, 3, "198.18.1.1/24", &AddrOptions{AutoBroadcast: true, Label: "X:1"}),
		op: func(c *Conn) error {
			return c.AddAddr(3, netip.MustParsePrefix("198.18.1.1/24"), &AddrOptions{AutoBroadcast: true, Label: "X:1"})
		},
		want: []byte{
			0x38, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05, 0x06, // nlmsg_len 56, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x02, 0x18, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, // ifaddrmsg: family 2, prefixlen 24, flags 0x0, scope 0, index 3
			0x08, 0x00, 0x02, 0x00, 0xc6, 0x12, 0x01, 0x01, // IFA_LOCAL 198.18.1.1
			0x08, 0x00, 0x03, 0x00, 0x58, 0x3a, 0x31, 0x00, // IFA_LABEL "X:1"
			0x08, 0x00, 0x01, 0x00, 0xc6, 0x12, 0x01, 0x01, // IFA_ADDRESS 198.18.1.1
			0x08, 0x00, 0x04, 0x00, 0xc6, 0x12, 0x01, 0xff, // IFA_BROADCAST 198.18.1.255
		},
	},
	{
		cmd: "ip addr add 198.18.2.1 peer 198.18.2.2/32 dev X",
		req: addrRequest(unix.RTM_NEWADDR, newFlags, 3, "198.18.2.1/32", &AddrOptions{Peer: netip.MustParsePrefix("198.18.2.2/32")}),
		want: []byte{
			0x28, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05, 0x06, // nlmsg_len 40, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x02, 0x20, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, // ifaddrmsg: family 2, prefixlen 32, flags 0x0, scope 0, index 3
			0x08, 0x00, 0x02, 0x00, 0xc6, 0x12, 0x02, 0x01, // IFA_LOCAL 198.18.2.1
			0x08, 0x00, 0x01, 0x00, 0xc6, 0x12, 0x02, 0x02, // IFA_ADDRESS 198.18.2.2
		},
	},
	{
		cmd: "ip addr add 198.18.3.1/24 broadcast 198.18.3.255 dev X",
		req: addrRequest(unix.RTM_NEWADDR, newFlags, 3, "198.18.3.1/24", &AddrOptions{Broadcast: netip.MustParseAddr("198.18.3.255")}),
		want: []byte{
			0x30, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05, 0x06, // nlmsg_len 48, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x02, 0x18, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, // ifaddrmsg: family 2, prefixlen 24, flags 0x0, scope 0, index 3
			0x08, 0x00, 0x02, 0x00, 0xc6, 0x12, 0x03, 0x01, // IFA_LOCAL 198.18.3.1
			0x08, 0x00, 0x04, 0x00, 0xc6, 0x12, 0x03, 0xff, // IFA_BROADCAST 198.18.3.255
			0x08, 0x00, 0x01, 0x00, 0xc6, 0x12, 0x03, 0x01, // IFA_ADDRESS 198.18.3.1
		},
	},
	{
		cmd: "ip addr replace 198.18.0.1/24 dev X valid_lft 100 preferred_lft 50",
		req: addrRequest(unix.RTM_NEWADDR, replaceFlags, 3, "198.18.0.1/24", &AddrOptions{ValidLifetime: new(uint32(100)), PreferredLifetime: new(uint32(50))}),
		op: func(c *Conn) error {
			return c.ReplaceAddr(3, netip.MustParsePrefix("198.18.0.1/24"), &AddrOptions{ValidLifetime: new(uint32(100)), PreferredLifetime: new(uint32(50))})
		},
		want: []byte{
			0x3c, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05, 0x05, // nlmsg_len 60, RTM_NEWADDR, REQUEST|ACK|REPLACE|CREATE
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x02, 0x18, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, // ifaddrmsg: family 2, prefixlen 24, flags 0x0, scope 0, index 3
			0x08, 0x00, 0x02, 0x00, 0xc6, 0x12, 0x00, 0x01, // IFA_LOCAL 198.18.0.1
			0x08, 0x00, 0x01, 0x00, 0xc6, 0x12, 0x00, 0x01, // IFA_ADDRESS 198.18.0.1
			0x14, 0x00, 0x06, 0x00, 0x32, 0x00, 0x00, 0x00, // IFA_CACHEINFO preferred 50 valid 100 cstamp 0 tstamp 0
			0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00,
		},
	},
	{
		// nodad|noprefixroute is 0x202, more than ifa_flags holds: it
		// goes in IFA_FLAGS and ifa_flags stays 0.
		cmd: "ip -6 addr add 2001:db8:2::1/64 dev X nodad noprefixroute",
		req: addrRequest(unix.RTM_NEWADDR, newFlags, 3, "2001:db8:2::1/64", &AddrOptions{Flags: unix.IFA_F_NODAD | unix.IFA_F_NOPREFIXROUTE}),
		want: []byte{
			0x48, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05, 0x06, // nlmsg_len 72, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x0a, 0x40, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, // ifaddrmsg: family 10, prefixlen 64, flags 0x0, scope 0, index 3
			0x14, 0x00, 0x02, 0x00, 0x20, 0x01, 0x0d, 0xb8, // IFA_LOCAL 2001:db8:2::1
			0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x01,
			0x08, 0x00, 0x08, 0x00, 0x02, 0x02, 0x00, 0x00, // IFA_FLAGS 0x202
			0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8, // IFA_ADDRESS 2001:db8:2::1
			0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x01,
		},
	},
	{
		cmd: "ip addr add 198.18.4.1/24 dev X metric 50 scope link",
		req: addrRequest(unix.RTM_NEWADDR, newFlags, 3, "198.18.4.1/24", &AddrOptions{Metric: 50, Scope: new(uint8(unix.RT_SCOPE_LINK))}),
		want: []byte{
			0x30, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05, 0x06, // nlmsg_len 48, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x02, 0x18, 0x00, 0xfd, 0x03, 0x00, 0x00, 0x00, // ifaddrmsg: family 2, prefixlen 24, flags 0x0, scope 253, index 3
			0x08, 0x00, 0x02, 0x00, 0xc6, 0x12, 0x04, 0x01, // IFA_LOCAL 198.18.4.1
			0x08, 0x00, 0x09, 0x00, 0x32, 0x00, 0x00, 0x00, // IFA_RT_PRIORITY 50
			0x08, 0x00, 0x01, 0x00, 0xc6, 0x12, 0x04, 0x01, // IFA_ADDRESS 198.18.4.1
		},
	},
	{
		cmd: "ip addr del 198.18.0.1/24 dev X",
		req: addrRequest(unix.RTM_DELADDR, unix.NLM_F_ACK, 3, "198.18.0.1/24", nil),
		op:  func(c *Conn) error { return c.DeleteAddr(3, netip.MustParsePrefix("198.18.0.1/24"), nil) },
		want: []byte{
			0x28, 0x00, 0x00, 0x00, 0x15, 0x00, 0x05, 0x00, // nlmsg_len 40, RTM_DELADDR, REQUEST|ACK
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x02, 0x18, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, // ifaddrmsg: family 2, prefixlen 24, flags 0x0, scope 0, index 3
			0x08, 0x00, 0x02, 0x00, 0xc6, 0x12, 0x00, 0x01, // IFA_LOCAL 198.18.0.1
			0x08, 0x00, 0x01, 0x00, 0xc6, 0x12, 0x00, 0x01, // IFA_ADDRESS 198.18.0.1
		},
	},
	{
		cmd: "ip addr show dev X",
		req: func() (Request, error) {
			return Request{Type: unix.RTM_GETADDR, Flags: unix.NLM_F_DUMP, Payload: &AddressMessage{Index: 3}}, nil
		},
		op: func(c *Conn) error { _, err := c.Addrs(0, 3); return err },
		want: []byte{
			0x18, 0x00, 0x00, 0x00, 0x16, 0x00, 0x01, 0x03, // nlmsg_len 24, RTM_GETADDR, REQUEST|ROOT|MATCH
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, // ifaddrmsg: family 0, prefixlen 0, flags 0x0, scope 0, index 3
		},
	},
	{
		cmd: "ip -6 addr show",
		req: func() (Request, error) {
			return Request{Type: unix.RTM_GETADDR, Flags: unix.NLM_F_DUMP, Payload: &AddressMessage{Family: unix.AF_INET6}}, nil
		},
		op: func(c *Conn) error { _, err := c.Addrs(unix.AF_INET6, 0); return err },
		want: []byte{
			0x18, 0x00, 0x00, 0x00, 0x16, 0x00, 0x01, 0x03, // nlmsg_len 24, RTM_GETADDR, REQUEST|ROOT|MATCH
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // ifaddrmsg: family 10, prefixlen 0, flags 0x0, scope 0, index 0
		},
	},
}

func TestAddrGolden(t *testing.T) { runGoldens(t, addrGolden) }

// What `ip addr flush dev X` sent, X (index 3) holding the addresses added
// by the commands above: a dump request filtered by index, then every
// address the kernel listed sent back unchanged as RTM_DELADDR (in one
// sendmsg, with NLM_F_REQUEST alone and the kernel's port id left in
// nlmsg_pid, here set to 0), then a second dump that came back empty.
var addrFlushGolden = [][]byte{
	{
		0x18, 0x00, 0x00, 0x00, 0x16, 0x00, 0x01, 0x03, // nlmsg_len 24, RTM_GETADDR, REQUEST|ROOT|MATCH
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
		0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, // ifaddrmsg: family 0, prefixlen 0, flags 0x0, scope 0, index 3
	},
	{
		0x54, 0x00, 0x00, 0x00, 0x15, 0x00, 0x01, 0x00, // nlmsg_len 84, RTM_DELADDR, REQUEST
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
		0x02, 0x18, 0x80, 0xfd, 0x03, 0x00, 0x00, 0x00, // ifaddrmsg: family 2, prefixlen 24, flags 0x80, scope 253, index 3
		0x08, 0x00, 0x01, 0x00, 0xc6, 0x12, 0x04, 0x01, // IFA_ADDRESS 198.18.4.1
		0x08, 0x00, 0x02, 0x00, 0xc6, 0x12, 0x04, 0x01, // IFA_LOCAL 198.18.4.1
		0x06, 0x00, 0x03, 0x00, 0x58, 0x00, 0x00, 0x00, // IFA_LABEL "X"
		0x08, 0x00, 0x08, 0x00, 0x80, 0x00, 0x00, 0x00, // IFA_FLAGS 0x80
		0x08, 0x00, 0x09, 0x00, 0x32, 0x00, 0x00, 0x00, // IFA_RT_PRIORITY 50
		0x14, 0x00, 0x06, 0x00, 0xff, 0xff, 0xff, 0xff, // IFA_CACHEINFO preferred 4294967295 valid 4294967295 cstamp 136448 tstamp 136448
		0xff, 0xff, 0xff, 0xff, 0x00, 0x15, 0x02, 0x00,
		0x00, 0x15, 0x02, 0x00,
	},
	{
		0x54, 0x00, 0x00, 0x00, 0x15, 0x00, 0x01, 0x00, // nlmsg_len 84, RTM_DELADDR, REQUEST
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
		0x02, 0x18, 0x80, 0x00, 0x03, 0x00, 0x00, 0x00, // ifaddrmsg: family 2, prefixlen 24, flags 0x80, scope 0, index 3
		0x08, 0x00, 0x01, 0x00, 0xc6, 0x12, 0x01, 0x01, // IFA_ADDRESS 198.18.1.1
		0x08, 0x00, 0x02, 0x00, 0xc6, 0x12, 0x01, 0x01, // IFA_LOCAL 198.18.1.1
		0x08, 0x00, 0x04, 0x00, 0xc6, 0x12, 0x01, 0xff, // IFA_BROADCAST 198.18.1.255
		0x08, 0x00, 0x03, 0x00, 0x58, 0x3a, 0x31, 0x00, // IFA_LABEL "X:1"
		0x08, 0x00, 0x08, 0x00, 0x80, 0x00, 0x00, 0x00, // IFA_FLAGS 0x80
		0x14, 0x00, 0x06, 0x00, 0xff, 0xff, 0xff, 0xff, // IFA_CACHEINFO preferred 4294967295 valid 4294967295 cstamp 136441 tstamp 136441
		0xff, 0xff, 0xff, 0xff, 0xf9, 0x14, 0x02, 0x00,
		0xf9, 0x14, 0x02, 0x00,
	},
	{
		0x4c, 0x00, 0x00, 0x00, 0x15, 0x00, 0x01, 0x00, // nlmsg_len 76, RTM_DELADDR, REQUEST
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
		0x02, 0x20, 0x80, 0x00, 0x03, 0x00, 0x00, 0x00, // ifaddrmsg: family 2, prefixlen 32, flags 0x80, scope 0, index 3
		0x08, 0x00, 0x01, 0x00, 0xc6, 0x12, 0x02, 0x02, // IFA_ADDRESS 198.18.2.2
		0x08, 0x00, 0x02, 0x00, 0xc6, 0x12, 0x02, 0x01, // IFA_LOCAL 198.18.2.1
		0x06, 0x00, 0x03, 0x00, 0x58, 0x00, 0x00, 0x00, // IFA_LABEL "X"
		0x08, 0x00, 0x08, 0x00, 0x80, 0x00, 0x00, 0x00, // IFA_FLAGS 0x80
		0x14, 0x00, 0x06, 0x00, 0xff, 0xff, 0xff, 0xff, // IFA_CACHEINFO preferred 4294967295 valid 4294967295 cstamp 136442 tstamp 136442
		0xff, 0xff, 0xff, 0xff, 0xfa, 0x14, 0x02, 0x00,
		0xfa, 0x14, 0x02, 0x00,
	},
	{
		0x54, 0x00, 0x00, 0x00, 0x15, 0x00, 0x01, 0x00, // nlmsg_len 84, RTM_DELADDR, REQUEST
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
		0x02, 0x18, 0x80, 0x00, 0x03, 0x00, 0x00, 0x00, // ifaddrmsg: family 2, prefixlen 24, flags 0x80, scope 0, index 3
		0x08, 0x00, 0x01, 0x00, 0xc6, 0x12, 0x03, 0x01, // IFA_ADDRESS 198.18.3.1
		0x08, 0x00, 0x02, 0x00, 0xc6, 0x12, 0x03, 0x01, // IFA_LOCAL 198.18.3.1
		0x08, 0x00, 0x04, 0x00, 0xc6, 0x12, 0x03, 0xff, // IFA_BROADCAST 198.18.3.255
		0x06, 0x00, 0x03, 0x00, 0x58, 0x00, 0x00, 0x00, // IFA_LABEL "X"
		0x08, 0x00, 0x08, 0x00, 0x80, 0x00, 0x00, 0x00, // IFA_FLAGS 0x80
		0x14, 0x00, 0x06, 0x00, 0xff, 0xff, 0xff, 0xff, // IFA_CACHEINFO preferred 4294967295 valid 4294967295 cstamp 136444 tstamp 136444
		0xff, 0xff, 0xff, 0xff, 0xfc, 0x14, 0x02, 0x00,
		0xfc, 0x14, 0x02, 0x00,
	},
	{
		0x48, 0x00, 0x00, 0x00, 0x15, 0x00, 0x01, 0x00, // nlmsg_len 72, RTM_DELADDR, REQUEST
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
		0x0a, 0x40, 0x82, 0x00, 0x03, 0x00, 0x00, 0x00, // ifaddrmsg: family 10, prefixlen 64, flags 0x82, scope 0, index 3
		0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8, // IFA_ADDRESS 2001:db8:2::1
		0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x01,
		0x14, 0x00, 0x06, 0x00, 0xff, 0xff, 0xff, 0xff, // IFA_CACHEINFO preferred 4294967295 valid 4294967295 cstamp 136447 tstamp 136447
		0xff, 0xff, 0xff, 0xff, 0xff, 0x14, 0x02, 0x00,
		0xff, 0x14, 0x02, 0x00,
		0x08, 0x00, 0x08, 0x00, 0x82, 0x02, 0x00, 0x00, // IFA_FLAGS 0x282
	},
	{
		0x48, 0x00, 0x00, 0x00, 0x15, 0x00, 0x01, 0x00, // nlmsg_len 72, RTM_DELADDR, REQUEST
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
		0x0a, 0x40, 0xc0, 0x00, 0x03, 0x00, 0x00, 0x00, // ifaddrmsg: family 10, prefixlen 64, flags 0xc0, scope 0, index 3
		0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8, // IFA_ADDRESS 2001:db8::1
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x01,
		0x14, 0x00, 0x06, 0x00, 0xff, 0xff, 0xff, 0xff, // IFA_CACHEINFO preferred 4294967295 valid 4294967295 cstamp 136440 tstamp 136440
		0xff, 0xff, 0xff, 0xff, 0xf8, 0x14, 0x02, 0x00,
		0xf8, 0x14, 0x02, 0x00,
		0x08, 0x00, 0x08, 0x00, 0xc0, 0x00, 0x00, 0x00, // IFA_FLAGS 0xc0
	},
	{
		0x50, 0x00, 0x00, 0x00, 0x15, 0x00, 0x01, 0x00, // nlmsg_len 80, RTM_DELADDR, REQUEST
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
		0x0a, 0x40, 0xc0, 0xfd, 0x03, 0x00, 0x00, 0x00, // ifaddrmsg: family 10, prefixlen 64, flags 0xc0, scope 253, index 3
		0x14, 0x00, 0x01, 0x00, 0xfe, 0x80, 0x00, 0x00, // IFA_ADDRESS fe80::3c00:e8ff:fe4e:891
		0x00, 0x00, 0x00, 0x00, 0x3c, 0x00, 0xe8, 0xff,
		0xfe, 0x4e, 0x08, 0x91,
		0x14, 0x00, 0x06, 0x00, 0xff, 0xff, 0xff, 0xff, // IFA_CACHEINFO preferred 4294967295 valid 4294967295 cstamp 136436 tstamp 136436
		0xff, 0xff, 0xff, 0xff, 0xf4, 0x14, 0x02, 0x00,
		0xf4, 0x14, 0x02, 0x00,
		0x08, 0x00, 0x08, 0x00, 0xc0, 0x00, 0x00, 0x00, // IFA_FLAGS 0xc0
		0x05, 0x00, 0x0b, 0x00, 0x03, 0x00, 0x00, 0x00, // IFA_PROTO 3
	},
	{
		0x18, 0x00, 0x00, 0x00, 0x16, 0x00, 0x01, 0x03, // nlmsg_len 24, RTM_GETADDR, REQUEST|ROOT|MATCH
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
		0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, // ifaddrmsg: family 0, prefixlen 0, flags 0x0, scope 0, index 3
	},
}

// flushKernel plays the kernel for a flush: the first dump lists the
// addresses iproute2 deleted (the kernel sent them as RTM_NEWADDR with
// NLM_F_MULTI), later dumps are empty, deletes get the errno that errnos
// gives the address's position (0 when absent).
func flushKernel(errnos map[int]unix.Errno) (*Conn, *fakeSocket) {
	dumps, deletes := 0, 0
	return fakeConn(func(req Message) []datagram {
		if req.Header.Type == unix.RTM_GETADDR {
			dumps++
			var b []byte
			if dumps == 1 {
				for _, g := range addrFlushGolden[1:8] {
					b, _ = Message{Header: Header{Type: unix.RTM_NEWADDR, Flags: unix.NLM_F_MULTI, Seq: req.Header.Seq, Pid: fakePid}, Data: g[HeaderLen:]}.AppendBinary(b)
				}
			}
			b = append(b, reply(req, unix.NLMSG_DONE, unix.NLM_F_MULTI, make([]byte, 4))...)
			return []datagram{{b: b}}
		}
		deletes++
		return []datagram{{b: reply(req, unix.NLMSG_ERROR, unix.NLM_F_CAPPED, ackPayload(errnos[deletes], req))}}
	})
}

func TestAddrFlushGolden(t *testing.T) {
	c, f := flushKernel(nil)
	if err := c.FlushAddrs(3, 0); err != nil {
		t.Fatalf("FlushAddrs: %v", err)
	}
	if len(f.sent) != len(addrFlushGolden) {
		t.Fatalf("sent %d messages, want %d: a dump, 7 deletes, a dump", len(f.sent), len(addrFlushGolden))
	}
	if f.sends != 3 {
		t.Errorf("sent %d datagrams, want 3: the deletes go in one", f.sends)
	}
	for i, want := range addrFlushGolden {
		got := normalised(t, f.sent[i])
		if i == 0 || i == len(addrFlushGolden)-1 {
			if !bytes.Equal(want, got) {
				t.Errorf("dump request %d differs from iproute2's:\nwant %x\n got %x", i, want, got)
			}
			continue
		}
		// iproute2 sends the deletes without NLM_F_ACK; the Conn asks for
		// an ack to report each delete's error. The payload is the same.
		if h := f.sent[i].Header; h.Type != unix.RTM_DELADDR || h.Flags != unix.NLM_F_REQUEST|unix.NLM_F_ACK {
			t.Errorf("delete %d: want RTM_DELADDR with REQUEST|ACK, got type %d flags %#x", i, h.Type, h.Flags)
		}
		if !bytes.Equal(want[HeaderLen:], got[HeaderLen:]) {
			t.Errorf("delete %d payload differs from iproute2's:\nwant %x\n got %x", i, want[HeaderLen:], got[HeaderLen:])
		}
	}
}

func TestAddrFlushErrors(t *testing.T) {
	// A secondary deleted with its primary is gone when its own delete
	// arrives: EADDRNOTAVAIL is not an error.
	c, _ := flushKernel(map[int]unix.Errno{2: unix.EADDRNOTAVAIL})
	if err := c.FlushAddrs(3, 0); err != nil {
		t.Errorf("flush with an address already gone: want success, got %v", err)
	}
	c, _ = flushKernel(map[int]unix.Errno{3: unix.EPERM})
	if err := c.FlushAddrs(3, 0); !errors.Is(err, unix.EPERM) {
		t.Errorf("flush with a refused delete: want EPERM, got %v", err)
	}
	if err := c.FlushAddrs(0, 0); err == nil {
		t.Error("flush without a link index: want an error, got nil")
	}
}

// An address that never goes away makes FlushAddrs give up after a bounded
// number of rounds instead of looping for ever.
func TestAddrFlushBounded(t *testing.T) {
	c, f := fakeConn(func(req Message) []datagram {
		if req.Header.Type == unix.RTM_GETADDR {
			b, _ := Message{Header: Header{Type: unix.RTM_NEWADDR, Flags: unix.NLM_F_MULTI, Seq: req.Header.Seq, Pid: fakePid}, Data: addrFlushGolden[1][HeaderLen:]}.MarshalBinary()
			return []datagram{{b: append(b, reply(req, unix.NLMSG_DONE, unix.NLM_F_MULTI, make([]byte, 4))...)}}
		}
		return ackAll(req)
	})
	if err := c.FlushAddrs(3, 0); err == nil {
		t.Fatal("flush of an address that stays: want an error, got nil")
	}
	if want := 2 * maxFlushRounds; len(f.sent) != want {
		t.Errorf("sent %d messages, want %d (a dump and a delete per round)", len(f.sent), want)
	}
}

// Addrs filters what the kernel sends by family and index, for kernels
// that do not filter dumps.
func TestAddrsFilters(t *testing.T) {
	c, _ := fakeConn(func(req Message) []datagram {
		var b []byte
		for _, g := range addrFlushGolden[1:8] {
			b, _ = Message{Header: Header{Type: unix.RTM_NEWADDR, Flags: unix.NLM_F_MULTI, Seq: req.Header.Seq, Pid: fakePid}, Data: g[HeaderLen:]}.AppendBinary(b)
		}
		return []datagram{{b: append(b, reply(req, unix.NLMSG_DONE, unix.NLM_F_MULTI, make([]byte, 4))...)}}
	})
	for _, tt := range []struct {
		family int
		index  int32
		want   int
	}{
		{0, 0, 7}, {0, 3, 7}, {unix.AF_INET, 0, 4}, {unix.AF_INET6, 3, 3}, {0, 4, 0},
	} {
		addrs, err := c.Addrs(tt.family, tt.index)
		if err != nil {
			t.Fatal(err)
		}
		if len(addrs) != tt.want {
			t.Errorf("Addrs(%d, %d): want %d addresses, got %d", tt.family, tt.index, tt.want, len(addrs))
		}
	}
}

// attrBytes encodes one attribute.
func attrBytes(typ uint16, payload ...byte) []byte {
	e := NewEncoder(nil)
	e.Bytes(typ, payload)
	b, _ := e.Encode()
	return b
}

// wrongSize is a table case: a message header and one attribute whose
// payload has the wrong size.
type wrongSize struct {
	name   string
	header []byte
	attr   []byte
	want   AttrSizeError
}

func checkWrongSizes(t *testing.T, tests []wrongSize, unmarshal func([]byte) error) {
	t.Helper()
	for _, tt := range tests {
		err := unmarshal(append(append([]byte(nil), tt.header...), tt.attr...))
		var se *AttrSizeError
		if !errors.As(err, &se) {
			t.Errorf("%s: want an *AttrSizeError, got %v", tt.name, err)
			continue
		}
		if *se != tt.want {
			t.Errorf("%s: want %+v, got %+v", tt.name, tt.want, *se)
		}
	}
}

var (
	ifaddrmsg4 = []byte{unix.AF_INET, 24, 0, 0, 3, 0, 0, 0}
	ifaddrmsg6 = []byte{unix.AF_INET6, 64, 0, 0, 3, 0, 0, 0}
)

func TestAddrWrongSize(t *testing.T) {
	checkWrongSizes(t, []wrongSize{
		{"2-byte IFA_FLAGS", ifaddrmsg4, attrBytes(unix.IFA_FLAGS, 0x80, 0), AttrSizeError{unix.IFA_FLAGS, 4, 2}},
		{"3-byte IFA_ADDRESS in AF_INET", ifaddrmsg4, attrBytes(unix.IFA_ADDRESS, 198, 18, 0), AttrSizeError{unix.IFA_ADDRESS, 4, 3}},
		{"16-byte IFA_LOCAL in AF_INET", ifaddrmsg4, attrBytes(unix.IFA_LOCAL, make([]byte, 16)...), AttrSizeError{unix.IFA_LOCAL, 4, 16}},
		{"4-byte IFA_ADDRESS in AF_INET6", ifaddrmsg6, attrBytes(unix.IFA_ADDRESS, 198, 18, 0, 1), AttrSizeError{unix.IFA_ADDRESS, 16, 4}},
		{"5-byte IFA_BROADCAST", ifaddrmsg4, attrBytes(unix.IFA_BROADCAST, 1, 2, 3, 4, 5), AttrSizeError{unix.IFA_BROADCAST, 4, 5}},
		{"12-byte IFA_CACHEINFO", ifaddrmsg4, attrBytes(unix.IFA_CACHEINFO, make([]byte, 12)...), AttrSizeError{unix.IFA_CACHEINFO, 16, 12}},
		{"2-byte IFA_RT_PRIORITY", ifaddrmsg4, attrBytes(unix.IFA_RT_PRIORITY, 1, 0), AttrSizeError{unix.IFA_RT_PRIORITY, 4, 2}},
		{"8-byte IFA_TARGET_NETNSID", ifaddrmsg4, attrBytes(unix.IFA_TARGET_NETNSID, make([]byte, 8)...), AttrSizeError{unix.IFA_TARGET_NETNSID, 4, 8}},
		{"4-byte IFA_PROTO", ifaddrmsg6, attrBytes(ifaProto, 3, 0, 0, 0), AttrSizeError{ifaProto, 1, 4}},
	}, func(b []byte) error { return new(AddressMessage).UnmarshalBinary(b) })
}

func TestAddrDecodeEdges(t *testing.T) {
	if err := new(AddressMessage).UnmarshalBinary(make([]byte, 7)); !errors.Is(err, ErrTruncated) {
		t.Errorf("7-byte ifaddrmsg: want ErrTruncated, got %v", err)
	}
	// A family other than AF_INET and AF_INET6 keeps its addresses raw,
	// whatever their size, and re-encodes them unchanged; so does a label
	// without its NUL.
	for _, b := range [][]byte{
		append([]byte{unix.AF_DECnet, 16, 0, 0, 3, 0, 0, 0}, attrBytes(unix.IFA_LOCAL, 0x04, 0x08)...),
		append(append([]byte(nil), ifaddrmsg4...), attrBytes(unix.IFA_LABEL, 'X', ':', '1')...),
		append(append([]byte(nil), ifaddrmsg4...), attrBytes(999, 1, 2, 3)...),
	} {
		var m AddressMessage
		if err := m.UnmarshalBinary(b); err != nil {
			t.Errorf("decoding %x: %v", b, err)
			continue
		}
		if len(m.Attrs.Unknown) != 1 {
			t.Errorf("decoding %x: want the attribute kept raw, got %+v", b, m.Attrs)
		}
		got, err := m.MarshalBinary()
		if err != nil || !bytes.Equal(b, got) {
			t.Errorf("round trip of %x: got %x, %v", b, got, err)
		}
	}
}

func TestAddressMessageAccessors(t *testing.T) {
	var m AddressMessage
	if err := m.UnmarshalBinary(addrFlushGolden[3][HeaderLen:]); err != nil {
		t.Fatal(err)
	}
	if want, got := netip.MustParsePrefix("198.18.2.1/32"), m.Prefix(); want != got {
		t.Errorf("Prefix of a peer address: want %v, got %v", want, got)
	}
	if want, got := netip.MustParseAddr("198.18.2.2"), m.Attrs.Address; want != got {
		t.Errorf("peer: want %v, got %v", want, got)
	}
	if err := m.UnmarshalBinary(addrFlushGolden[5][HeaderLen:]); err != nil {
		t.Fatal(err)
	}
	if want, got := netip.MustParsePrefix("2001:db8:2::1/64"), m.Prefix(); want != got {
		t.Errorf("Prefix of an IPv6 address: want %v, got %v", want, got)
	}
	if want, got := uint32(unix.IFA_F_NODAD|unix.IFA_F_NOPREFIXROUTE|unix.IFA_F_PERMANENT), m.AllFlags(); want != got {
		t.Errorf("AllFlags: want %#x, got %#x", want, got)
	}
	if m.Attrs.CacheInfo == nil || m.Attrs.CacheInfo.Valid != InfiniteLifetime {
		t.Errorf("IFA_CACHEINFO: want an infinite valid lifetime, got %+v", m.Attrs.CacheInfo)
	}
	m = AddressMessage{Flags: unix.IFA_F_PERMANENT}
	if want, got := uint32(unix.IFA_F_PERMANENT), m.AllFlags(); want != got {
		t.Errorf("AllFlags without IFA_FLAGS: want %#x, got %#x", want, got)
	}
}

func TestBroadcastAddr(t *testing.T) {
	for _, tt := range []struct {
		prefix string
		want   string // "" for none
	}{
		{"198.18.1.1/24", "198.18.1.255"},
		{"198.18.0.1/15", "198.19.255.255"},
		{"198.18.0.5/30", "198.18.0.7"},
		{"198.18.0.0/0", "255.255.255.255"},
		{"198.18.0.1/31", ""},
		{"198.18.0.1/32", ""},
		{"2001:db8::1/64", ""},
	} {
		got, ok := BroadcastAddr(netip.MustParsePrefix(tt.prefix))
		if tt.want == "" {
			if ok {
				t.Errorf("BroadcastAddr(%s): want none, got %v", tt.prefix, got)
			}
			continue
		}
		if want := netip.MustParseAddr(tt.want); !ok || got != want {
			t.Errorf("BroadcastAddr(%s): want %v, got %v (%v)", tt.prefix, want, got, ok)
		}
	}
}

func TestNewAddressMessageChecks(t *testing.T) {
	p4 := netip.MustParsePrefix("198.18.0.1/24")
	p6 := netip.MustParsePrefix("2001:db8::1/64")
	for _, tt := range []struct {
		name  string
		index int32
		local netip.Prefix
		o     *AddrOptions
	}{
		{"no prefix", 3, netip.Prefix{}, nil},
		{"no index", 0, p4, nil},
		{"IPv6 broadcast", 3, p6, &AddrOptions{AutoBroadcast: true}},
		{"two broadcasts", 3, p4, &AddrOptions{AutoBroadcast: true, Broadcast: netip.MustParseAddr("198.18.0.255")}},
		{"peer of another family", 3, p4, &AddrOptions{Peer: p6}},
		{"zero valid lifetime", 3, p4, &AddrOptions{ValidLifetime: new(uint32(0))}},
		{"preferred longer than valid", 3, p4, &AddrOptions{ValidLifetime: new(uint32(10)), PreferredLifetime: new(uint32(20))}},
	} {
		if _, err := NewAddressMessage(unix.RTM_NEWADDR, tt.index, tt.local, tt.o); err == nil {
			t.Errorf("%s: want an error, got nil", tt.name)
		}
	}
	// The loopback range gets host scope, unless asked otherwise or
	// deleting.
	lo := netip.MustParsePrefix("127.0.0.2/8")
	for _, tt := range []struct {
		cmd  uint16
		o    *AddrOptions
		want uint8
	}{
		{unix.RTM_NEWADDR, nil, unix.RT_SCOPE_HOST},
		{unix.RTM_DELADDR, nil, unix.RT_SCOPE_UNIVERSE},
		{unix.RTM_NEWADDR, &AddrOptions{Scope: new(uint8(unix.RT_SCOPE_LINK))}, unix.RT_SCOPE_LINK},
	} {
		m, err := NewAddressMessage(tt.cmd, 1, lo, tt.o)
		if err != nil {
			t.Fatal(err)
		}
		if m.Scope != tt.want {
			t.Errorf("127.0.0.2/8, cmd %d: want scope %d, got %d", tt.cmd, tt.want, m.Scope)
		}
	}
	// Deleting ignores "brd +", as iproute2 does.
	m, err := NewAddressMessage(unix.RTM_DELADDR, 3, p4, &AddrOptions{AutoBroadcast: true})
	if err != nil || m.Attrs.Broadcast.IsValid() {
		t.Errorf("delete with AutoBroadcast: want no broadcast, got %v, %v", m, err)
	}
}

// Every IFA_* type up to IFA_PROTO has a name, and every message type is
// registered.
func TestAddrSpace(t *testing.T) {
	for typ := uint16(1); typ <= ifaProto; typ++ {
		if _, ok := AddrSpace.Spec(typ); !ok {
			t.Errorf("IFA type %d has no spec", typ)
		}
	}
	for _, typ := range []uint16{unix.RTM_NEWADDR, unix.RTM_DELADDR, unix.RTM_GETADDR} {
		s, ok := Spec(typ)
		if !ok || s.Attrs != AddrSpace || s.Header != 8 {
			t.Errorf("message type %d: want the address spec, got %+v", typ, s)
		}
	}
	// An extended ack pointing at the IFA_LABEL of a request names it.
	req := addrGolden[2].want
	if want, got := "IFA_LABEL", AttrPath(req, HeaderLen+8+8, nil); want != got {
		t.Errorf("AttrPath: want %q, got %q", want, got)
	}
}

// A kernel address message: the second address of the flush golden, IPv4
// with broadcast, label, flags and cache info.
var benchAddr = addrFlushGolden[2][HeaderLen:]

func BenchmarkAddressMessageDecode(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchAddr)))
	var m AddressMessage
	for b.Loop() {
		if err := m.UnmarshalBinary(benchAddr); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAddressMessageEncode(b *testing.B) {
	var m AddressMessage
	if err := m.UnmarshalBinary(benchAddr); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(benchAddr)))
	buf := make([]byte, 0, 256)
	for b.Loop() {
		e := NewEncoder(buf[:0])
		m.Encode(e)
		if _, err := e.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}
