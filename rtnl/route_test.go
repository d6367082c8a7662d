package rtnl

import (
	"bytes"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

func routeRequest(cmd, flags uint16, dst string, o *RouteOptions) func() (Request, error) {
	return func() (Request, error) {
		var p netip.Prefix
		if dst != "" {
			p = netip.MustParsePrefix(dst)
		}
		m, err := NewRouteMessage(cmd, p, o)
		return Request{Type: cmd, Flags: flags, Payload: m}, err
	}
}

var (
	gw4 = netip.MustParseAddr("198.18.0.254")
	gw6 = netip.MustParseAddr("2001:db8::fe")
)

// In the route goldens the link Z had index 6 and the address
// 198.18.0.1/24; "default" without -4 or -6 is the zero netip.Prefix, with
// them 0.0.0.0/0 or ::/0.
var routeGolden = []requestGolden{
	{
		cmd: "ip route add 198.19.0.0/16 via 198.18.0.254",
		req: routeRequest(unix.RTM_NEWROUTE, newFlags, "198.19.0.0/16", &RouteOptions{Gateway: gw4}),
		op: func(c *Conn) error {
			return c.AddRoute(netip.MustParsePrefix("198.19.0.0/16"), &RouteOptions{Gateway: gw4})
		},
		want: []byte{
			0x2c, 0x00, 0x00, 0x00, 0x18, 0x00, 0x05, 0x06, // nlmsg_len 44, RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x02, 0x10, 0x00, 0x00, 0xfe, 0x03, 0x00, 0x01, // rtmsg: family 2, dst_len 16, src_len 0, tos 0, table 254, protocol 3, scope 0, type 1
			0x00, 0x00, 0x00, 0x00, // flags 0x0
			0x08, 0x00, 0x01, 0x00, 0xc6, 0x13, 0x00, 0x00, // RTA_DST 198.19.0.0
			0x08, 0x00, 0x05, 0x00, 0xc6, 0x12, 0x00, 0xfe, // RTA_GATEWAY 198.18.0.254
		},
	},
	{
		cmd: "ip route add default via 198.18.0.254 dev Z metric 100",
		req: routeRequest(unix.RTM_NEWROUTE, newFlags, "", &RouteOptions{Gateway: gw4, OIF: 6, Metric: 100}),
		op: func(c *Conn) error {
			return c.AddRoute(netip.Prefix{}, &RouteOptions{Gateway: gw4, OIF: 6, Metric: 100})
		},
		want: []byte{
			0x34, 0x00, 0x00, 0x00, 0x18, 0x00, 0x05, 0x06, // nlmsg_len 52, RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x02, 0x00, 0x00, 0x00, 0xfe, 0x03, 0x00, 0x01, // rtmsg: family 2, dst_len 0, src_len 0, tos 0, table 254, protocol 3, scope 0, type 1
			0x00, 0x00, 0x00, 0x00, // flags 0x0
			0x08, 0x00, 0x05, 0x00, 0xc6, 0x12, 0x00, 0xfe, // RTA_GATEWAY 198.18.0.254
			0x08, 0x00, 0x06, 0x00, 0x64, 0x00, 0x00, 0x00, // RTA_PRIORITY 100
			0x08, 0x00, 0x04, 0x00, 0x06, 0x00, 0x00, 0x00, // RTA_OIF 6
		},
	},
	{
		cmd: "ip -6 route add 2001:db8:1::/48 dev Z table 100",
		req: routeRequest(unix.RTM_NEWROUTE, newFlags, "2001:db8:1::/48", &RouteOptions{OIF: 6, Table: 100}),
		op: func(c *Conn) error {
			return c.AddRoute(netip.MustParsePrefix("2001:db8:1::/48"), &RouteOptions{OIF: 6, Table: 100})
		},
		want: []byte{
			0x38, 0x00, 0x00, 0x00, 0x18, 0x00, 0x05, 0x06, // nlmsg_len 56, RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x0a, 0x30, 0x00, 0x00, 0x64, 0x03, 0x00, 0x01, // rtmsg: family 10, dst_len 48, src_len 0, tos 0, table 100, protocol 3, scope 0, type 1
			0x00, 0x00, 0x00, 0x00, // flags 0x0
			0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8, // RTA_DST 2001:db8:1::
			0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00,
			0x08, 0x00, 0x04, 0x00, 0x06, 0x00, 0x00, 0x00, // RTA_OIF 6
		},
	},
	{
		cmd: "ip route replace 198.19.0.0/16 via 198.18.0.253 dev Z",
		req: routeRequest(unix.RTM_NEWROUTE, replaceFlags, "198.19.0.0/16", &RouteOptions{Gateway: netip.MustParseAddr("198.18.0.253"), OIF: 6}),
		op: func(c *Conn) error {
			return c.ReplaceRoute(netip.MustParsePrefix("198.19.0.0/16"), &RouteOptions{Gateway: netip.MustParseAddr("198.18.0.253"), OIF: 6})
		},
		want: []byte{
			0x34, 0x00, 0x00, 0x00, 0x18, 0x00, 0x05, 0x05, // nlmsg_len 52, RTM_NEWROUTE, REQUEST|ACK|REPLACE|CREATE
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x02, 0x10, 0x00, 0x00, 0xfe, 0x03, 0x00, 0x01, // rtmsg: family 2, dst_len 16, src_len 0, tos 0, table 254, protocol 3, scope 0, type 1
			0x00, 0x00, 0x00, 0x00, // flags 0x0
			0x08, 0x00, 0x01, 0x00, 0xc6, 0x13, 0x00, 0x00, // RTA_DST 198.19.0.0
			0x08, 0x00, 0x05, 0x00, 0xc6, 0x12, 0x00, 0xfd, // RTA_GATEWAY 198.18.0.253
			0x08, 0x00, 0x04, 0x00, 0x06, 0x00, 0x00, 0x00, // RTA_OIF 6
		},
	},
	{
		// A delete leaves protocol and type 0 and asks for scope
		// RT_SCOPE_NOWHERE: any route to the prefix matches.
		cmd: "ip route del 198.19.0.0/16",
		req: routeRequest(unix.RTM_DELROUTE, unix.NLM_F_ACK, "198.19.0.0/16", nil),
		op:  func(c *Conn) error { return c.DeleteRoute(netip.MustParsePrefix("198.19.0.0/16"), nil) },
		want: []byte{
			0x24, 0x00, 0x00, 0x00, 0x19, 0x00, 0x05, 0x00, // nlmsg_len 36, RTM_DELROUTE, REQUEST|ACK
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x02, 0x10, 0x00, 0x00, 0xfe, 0x00, 0xff, 0x00, // rtmsg: family 2, dst_len 16, src_len 0, tos 0, table 254, protocol 0, scope 255, type 0
			0x00, 0x00, 0x00, 0x00, // flags 0x0
			0x08, 0x00, 0x01, 0x00, 0xc6, 0x13, 0x00, 0x00, // RTA_DST 198.19.0.0
		},
	},
	{
		cmd: "ip route del default via 198.18.0.254 dev Z metric 100",
		req: routeRequest(unix.RTM_DELROUTE, unix.NLM_F_ACK, "", &RouteOptions{Gateway: gw4, OIF: 6, Metric: 100}),
		op: func(c *Conn) error {
			return c.DeleteRoute(netip.Prefix{}, &RouteOptions{Gateway: gw4, OIF: 6, Metric: 100})
		},
		want: []byte{
			0x34, 0x00, 0x00, 0x00, 0x19, 0x00, 0x05, 0x00, // nlmsg_len 52, RTM_DELROUTE, REQUEST|ACK
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x02, 0x00, 0x00, 0x00, 0xfe, 0x00, 0xff, 0x00, // rtmsg: family 2, dst_len 0, src_len 0, tos 0, table 254, protocol 0, scope 255, type 0
			0x00, 0x00, 0x00, 0x00, // flags 0x0
			0x08, 0x00, 0x05, 0x00, 0xc6, 0x12, 0x00, 0xfe, // RTA_GATEWAY 198.18.0.254
			0x08, 0x00, 0x06, 0x00, 0x64, 0x00, 0x00, 0x00, // RTA_PRIORITY 100
			0x08, 0x00, 0x04, 0x00, 0x06, 0x00, 0x00, 0x00, // RTA_OIF 6
		},
	},
	{
		cmd: "ip route add 198.20.0.0/16 dev Z src 198.18.0.1 proto static scope link",
		req: routeRequest(unix.RTM_NEWROUTE, newFlags, "198.20.0.0/16", &RouteOptions{OIF: 6, PrefSrc: netip.MustParseAddr("198.18.0.1"), Protocol: unix.RTPROT_STATIC, Scope: new(uint8(unix.RT_SCOPE_LINK))}),
		want: []byte{
			0x34, 0x00, 0x00, 0x00, 0x18, 0x00, 0x05, 0x06, // nlmsg_len 52, RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x02, 0x10, 0x00, 0x00, 0xfe, 0x04, 0xfd, 0x01, // rtmsg: family 2, dst_len 16, src_len 0, tos 0, table 254, protocol 4, scope 253, type 1
			0x00, 0x00, 0x00, 0x00, // flags 0x0
			0x08, 0x00, 0x01, 0x00, 0xc6, 0x14, 0x00, 0x00, // RTA_DST 198.20.0.0
			0x08, 0x00, 0x07, 0x00, 0xc6, 0x12, 0x00, 0x01, // RTA_PREFSRC 198.18.0.1
			0x08, 0x00, 0x04, 0x00, 0x06, 0x00, 0x00, 0x00, // RTA_OIF 6
		},
	},
	{
		// With -6 the family is known before "default" is read, and
		// iproute2 sends it as a 16-byte RTA_DST of zeros.
		cmd: "ip -6 route add default via 2001:db8::fe dev Z",
		req: routeRequest(unix.RTM_NEWROUTE, newFlags, "::/0", &RouteOptions{Gateway: gw6, OIF: 6}),
		op: func(c *Conn) error {
			return c.AddRoute(netip.MustParsePrefix("::/0"), &RouteOptions{Gateway: gw6, OIF: 6})
		},
		want: []byte{
			0x4c, 0x00, 0x00, 0x00, 0x18, 0x00, 0x05, 0x06, // nlmsg_len 76, RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x0a, 0x00, 0x00, 0x00, 0xfe, 0x03, 0x00, 0x01, // rtmsg: family 10, dst_len 0, src_len 0, tos 0, table 254, protocol 3, scope 0, type 1
			0x00, 0x00, 0x00, 0x00, // flags 0x0
			0x14, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, // RTA_DST ::
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00,
			0x14, 0x00, 0x05, 0x00, 0x20, 0x01, 0x0d, 0xb8, // RTA_GATEWAY 2001:db8::fe
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0xfe,
			0x08, 0x00, 0x04, 0x00, 0x06, 0x00, 0x00, 0x00, // RTA_OIF 6
		},
	},
	{
		cmd: "ip route add blackhole 198.19.5.0/24",
		req: routeRequest(unix.RTM_NEWROUTE, newFlags, "198.19.5.0/24", &RouteOptions{Type: unix.RTN_BLACKHOLE}),
		want: []byte{
			0x24, 0x00, 0x00, 0x00, 0x18, 0x00, 0x05, 0x06, // nlmsg_len 36, RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x02, 0x18, 0x00, 0x00, 0xfe, 0x03, 0x00, 0x06, // rtmsg: family 2, dst_len 24, src_len 0, tos 0, table 254, protocol 3, scope 0, type 6
			0x00, 0x00, 0x00, 0x00, // flags 0x0
			0x08, 0x00, 0x01, 0x00, 0xc6, 0x13, 0x05, 0x00, // RTA_DST 198.19.5.0
		},
	},
	{
		// Table ids above 255 go in RTA_TABLE, with rtm_table 0.
		cmd: "ip route add 198.19.6.0/24 via 198.18.0.254 table 1000",
		req: routeRequest(unix.RTM_NEWROUTE, newFlags, "198.19.6.0/24", &RouteOptions{Gateway: gw4, Table: 1000}),
		want: []byte{
			0x34, 0x00, 0x00, 0x00, 0x18, 0x00, 0x05, 0x06, // nlmsg_len 52, RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x02, 0x18, 0x00, 0x00, 0x00, 0x03, 0x00, 0x01, // rtmsg: family 2, dst_len 24, src_len 0, tos 0, table 0, protocol 3, scope 0, type 1
			0x00, 0x00, 0x00, 0x00, // flags 0x0
			0x08, 0x00, 0x01, 0x00, 0xc6, 0x13, 0x06, 0x00, // RTA_DST 198.19.6.0
			0x08, 0x00, 0x05, 0x00, 0xc6, 0x12, 0x00, 0xfe, // RTA_GATEWAY 198.18.0.254
			0x08, 0x00, 0x0f, 0x00, 0xe8, 0x03, 0x00, 0x00, // RTA_TABLE 1000
		},
	},
	{
		// An IPv6 delete keeps scope RT_SCOPE_UNIVERSE.
		cmd: "ip -6 route del 2001:db8:1::/48 dev Z table 100",
		req: routeRequest(unix.RTM_DELROUTE, unix.NLM_F_ACK, "2001:db8:1::/48", &RouteOptions{OIF: 6, Table: 100}),
		op: func(c *Conn) error {
			return c.DeleteRoute(netip.MustParsePrefix("2001:db8:1::/48"), &RouteOptions{OIF: 6, Table: 100})
		},
		want: []byte{
			0x38, 0x00, 0x00, 0x00, 0x19, 0x00, 0x05, 0x00, // nlmsg_len 56, RTM_DELROUTE, REQUEST|ACK
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x0a, 0x30, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, // rtmsg: family 10, dst_len 48, src_len 0, tos 0, table 100, protocol 0, scope 0, type 0
			0x00, 0x00, 0x00, 0x00, // flags 0x0
			0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8, // RTA_DST 2001:db8:1::
			0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00,
			0x08, 0x00, 0x04, 0x00, 0x06, 0x00, 0x00, 0x00, // RTA_OIF 6
		},
	},
	{
		cmd: "ip route show",
		req: func() (Request, error) {
			return Request{Type: unix.RTM_GETROUTE, Flags: unix.NLM_F_DUMP, Payload: &RouteMessage{Family: unix.AF_INET, Attrs: RouteAttrs{Table: unix.RT_TABLE_MAIN}}}, nil
		},
		op: func(c *Conn) error { _, err := c.Routes(unix.AF_INET, unix.RT_TABLE_MAIN); return err },
		want: []byte{
			0x24, 0x00, 0x00, 0x00, 0x1a, 0x00, 0x01, 0x03, // nlmsg_len 36, RTM_GETROUTE, REQUEST|ROOT|MATCH
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // rtmsg: family 2, dst_len 0, src_len 0, tos 0, table 0, protocol 0, scope 0, type 0
			0x00, 0x00, 0x00, 0x00, // flags 0x0
			0x08, 0x00, 0x0f, 0x00, 0xfe, 0x00, 0x00, 0x00, // RTA_TABLE 254
		},
	},
	{
		cmd: "ip -6 route show table all",
		req: func() (Request, error) {
			return Request{Type: unix.RTM_GETROUTE, Flags: unix.NLM_F_DUMP, Payload: &RouteMessage{Family: unix.AF_INET6}}, nil
		},
		op: func(c *Conn) error { _, err := c.Routes(unix.AF_INET6, 0); return err },
		want: []byte{
			0x1c, 0x00, 0x00, 0x00, 0x1a, 0x00, 0x01, 0x03, // nlmsg_len 28, RTM_GETROUTE, REQUEST|ROOT|MATCH
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // rtmsg: family 10, dst_len 0, src_len 0, tos 0, table 0, protocol 0, scope 0, type 0
			0x00, 0x00, 0x00, 0x00, // flags 0x0
		},
	},
	{
		cmd: "ip route show table 100",
		req: func() (Request, error) {
			return Request{Type: unix.RTM_GETROUTE, Flags: unix.NLM_F_DUMP, Payload: &RouteMessage{Family: unix.AF_INET, Attrs: RouteAttrs{Table: 100}}}, nil
		},
		op: func(c *Conn) error { _, err := c.Routes(unix.AF_INET, 100); return err },
		want: []byte{
			0x24, 0x00, 0x00, 0x00, 0x1a, 0x00, 0x01, 0x03, // nlmsg_len 36, RTM_GETROUTE, REQUEST|ROOT|MATCH
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
			0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // rtmsg: family 2, dst_len 0, src_len 0, tos 0, table 0, protocol 0, scope 0, type 0
			0x00, 0x00, 0x00, 0x00, // flags 0x0
			0x08, 0x00, 0x0f, 0x00, 0x64, 0x00, 0x00, 0x00, // RTA_TABLE 100
		},
	},
}

func TestRouteGolden(t *testing.T) { runGoldens(t, routeGolden) }

// Routes as kernel 6.18 lists them (`ip route show`, `ip -6 route show
// table 1000` in the sandbox), nlmsghdr included.
var (
	// 198.19.0.0/16 via 198.18.0.254 dev Z metric 10
	kernelRoute4 = []byte{
		0x44, 0x00, 0x00, 0x00, 0x18, 0x00, 0x22, 0x00, // nlmsg_len 68, RTM_NEWROUTE, MULTI|DUMP_FILTERED
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
		0x02, 0x10, 0x00, 0x00, 0xfe, 0x03, 0x00, 0x01, // rtmsg: family 2, dst_len 16, src_len 0, tos 0, table 254, protocol 3, scope 0, type 1
		0x00, 0x00, 0x00, 0x00, // flags 0x0
		0x08, 0x00, 0x0f, 0x00, 0xfe, 0x00, 0x00, 0x00, // RTA_TABLE 254
		0x08, 0x00, 0x01, 0x00, 0xc6, 0x13, 0x00, 0x00, // RTA_DST 198.19.0.0
		0x08, 0x00, 0x06, 0x00, 0x0a, 0x00, 0x00, 0x00, // RTA_PRIORITY 10
		0x08, 0x00, 0x05, 0x00, 0xc6, 0x12, 0x00, 0xfe, // RTA_GATEWAY 198.18.0.254
		0x08, 0x00, 0x04, 0x00, 0x06, 0x00, 0x00, 0x00, // RTA_OIF 6
	}
	// 2001:db8:1::/48 via 2001:db8::fe dev Z table 1000: rtm_table is
	// RT_TABLE_COMPAT (252), the real id is in RTA_TABLE.
	kernelRoute6 = []byte{
		0x88, 0x00, 0x00, 0x00, 0x18, 0x00, 0x22, 0x00, // nlmsg_len 136, RTM_NEWROUTE, MULTI|DUMP_FILTERED
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq, pid
		0x0a, 0x30, 0x00, 0x00, 0xfc, 0x03, 0x00, 0x01, // rtmsg: family 10, dst_len 48, src_len 0, tos 0, table 252, protocol 3, scope 0, type 1
		0x00, 0x00, 0x00, 0x00, // flags 0x0
		0x08, 0x00, 0x0f, 0x00, 0xe8, 0x03, 0x00, 0x00, // RTA_TABLE 1000
		0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8, // RTA_DST 2001:db8:1::
		0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,
		0x08, 0x00, 0x06, 0x00, 0x00, 0x04, 0x00, 0x00, // RTA_PRIORITY 1024
		0x14, 0x00, 0x05, 0x00, 0x20, 0x01, 0x0d, 0xb8, // RTA_GATEWAY 2001:db8::fe
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0xfe,
		0x08, 0x00, 0x04, 0x00, 0x06, 0x00, 0x00, 0x00, // RTA_OIF 6
		0x24, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, // RTA_CACHEINFO, 32 bytes of zeros
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,
		0x05, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, // RTA_PREF 0 (medium)
	}
)

func TestRouteDecodeKernel(t *testing.T) {
	var m RouteMessage
	if err := m.UnmarshalBinary(kernelRoute4[HeaderLen:]); err != nil {
		t.Fatal(err)
	}
	if want, got := netip.MustParsePrefix("198.19.0.0/16"), m.DstPrefix(); want != got {
		t.Errorf("DstPrefix: want %v, got %v", want, got)
	}
	if m.Attrs.Gateway != gw4 || m.Attrs.OIF != 6 || m.Attrs.Priority != 10 || m.TableID() != unix.RT_TABLE_MAIN || m.Protocol != unix.RTPROT_BOOT {
		t.Errorf("want via %v dev 6 metric 10 table main proto boot, got %+v", gw4, m)
	}
	if err := m.UnmarshalBinary(kernelRoute6[HeaderLen:]); err != nil {
		t.Fatal(err)
	}
	if want, got := netip.MustParsePrefix("2001:db8:1::/48"), m.DstPrefix(); want != got {
		t.Errorf("DstPrefix: want %v, got %v", want, got)
	}
	if m.TableID() != 1000 || m.Table != unix.RT_TABLE_COMPAT {
		t.Errorf("table: want 1000 in RTA_TABLE and RT_TABLE_COMPAT in rtm_table, got %d and %d", m.TableID(), m.Table)
	}
	if m.Attrs.Gateway != gw6 || m.Attrs.Priority != 1024 || m.Attrs.Pref == nil || *m.Attrs.Pref != 0 || len(m.Attrs.CacheInfo) != 32 {
		t.Errorf("want via %v metric 1024 pref 0 and a 32-byte cache info, got %+v", gw6, m.Attrs)
	}
	if want, got := netip.MustParsePrefix("::/0"), m.SrcPrefix(); want != got {
		t.Errorf("SrcPrefix without RTA_SRC: want %v, got %v", want, got)
	}
	for _, b := range [][]byte{kernelRoute4, kernelRoute6} {
		again, err := reencode(unix.RTM_NEWROUTE, b[HeaderLen:])
		if err != nil || !bytes.Equal(b[HeaderLen:], again) {
			t.Errorf("round trip:\nwant %x\n got %x (%v)", b[HeaderLen:], again, err)
		}
	}
	// A default route without RTA_DST.
	m = RouteMessage{Family: unix.AF_INET}
	if want, got := netip.MustParsePrefix("0.0.0.0/0"), m.DstPrefix(); want != got {
		t.Errorf("DstPrefix of a default route: want %v, got %v", want, got)
	}
}

var rtmsg4 = []byte{unix.AF_INET, 24, 0, 0, unix.RT_TABLE_MAIN, unix.RTPROT_BOOT, 0, unix.RTN_UNICAST, 0, 0, 0, 0}
var rtmsg6 = []byte{unix.AF_INET6, 64, 0, 0, unix.RT_TABLE_MAIN, unix.RTPROT_BOOT, 0, unix.RTN_UNICAST, 0, 0, 0, 0}

func TestRouteWrongSize(t *testing.T) {
	checkWrongSizes(t, []wrongSize{
		{"3-byte RTA_GATEWAY in AF_INET", rtmsg4, attrBytes(unix.RTA_GATEWAY, 198, 18, 0), AttrSizeError{unix.RTA_GATEWAY, 4, 3}},
		{"2-byte RTA_OIF", rtmsg4, attrBytes(unix.RTA_OIF, 6, 0), AttrSizeError{unix.RTA_OIF, 4, 2}},
		{"16-byte RTA_DST in AF_INET", rtmsg4, attrBytes(unix.RTA_DST, make([]byte, 16)...), AttrSizeError{unix.RTA_DST, 4, 16}},
		{"4-byte RTA_GATEWAY in AF_INET6", rtmsg6, attrBytes(unix.RTA_GATEWAY, 198, 18, 0, 254), AttrSizeError{unix.RTA_GATEWAY, 16, 4}},
		{"5-byte RTA_PREFSRC", rtmsg4, attrBytes(unix.RTA_PREFSRC, 1, 2, 3, 4, 5), AttrSizeError{unix.RTA_PREFSRC, 4, 5}},
		{"8-byte RTA_PRIORITY", rtmsg4, attrBytes(unix.RTA_PRIORITY, make([]byte, 8)...), AttrSizeError{unix.RTA_PRIORITY, 4, 8}},
		{"2-byte RTA_TABLE", rtmsg4, attrBytes(unix.RTA_TABLE, 0xe8, 0x03), AttrSizeError{unix.RTA_TABLE, 4, 2}},
		{"2-byte RTA_PREF", rtmsg6, attrBytes(unix.RTA_PREF, 0, 0), AttrSizeError{unix.RTA_PREF, 1, 2}},
		{"3-byte RTA_IIF", rtmsg4, attrBytes(unix.RTA_IIF, 1, 0, 0), AttrSizeError{unix.RTA_IIF, 4, 3}},
		{"0-byte RTA_NH_ID", rtmsg4, attrBytes(rtaNHID), AttrSizeError{rtaNHID, 4, 0}},
	}, func(b []byte) error { return new(RouteMessage).UnmarshalBinary(b) })
}

func TestRouteDecodeEdges(t *testing.T) {
	if err := new(RouteMessage).UnmarshalBinary(make([]byte, 11)); err == nil {
		t.Error("11-byte rtmsg: want an error, got nil")
	}
	// An MPLS route's RTA_DST is a label stack, not an IP address: it
	// stays raw, whatever its size, and re-encodes unchanged.
	mpls := []byte{unix.AF_MPLS, 20, 0, 0, unix.RT_TABLE_MAIN, unix.RTPROT_BOOT, 0, unix.RTN_UNICAST, 0, 0, 0, 0}
	b := append(append([]byte(nil), mpls...), attrBytes(unix.RTA_DST, 0, 0x06, 0x41, 0x00, 0x00, 0x06, 0x51, 0x00)...)
	var m RouteMessage
	if err := m.UnmarshalBinary(b); err != nil {
		t.Fatalf("decoding an MPLS route: %v", err)
	}
	if m.Attrs.Dst.IsValid() || len(m.Attrs.Unknown) != 1 || m.DstPrefix().IsValid() {
		t.Errorf("MPLS RTA_DST: want it kept raw, got %+v", m.Attrs)
	}
	if again, err := m.MarshalBinary(); err != nil || !bytes.Equal(b, again) {
		t.Errorf("round trip of an MPLS route:\nwant %x\n got %x (%v)", b, again, err)
	}
}

func TestNewRouteMessage(t *testing.T) {
	// An IPv4 route via an IPv6 next hop goes as RTA_VIA.
	m, err := NewRouteMessage(unix.RTM_NEWROUTE, netip.MustParsePrefix("198.19.0.0/16"), &RouteOptions{Gateway: gw6, OIF: 6})
	if err != nil {
		t.Fatal(err)
	}
	if m.Attrs.Gateway.IsValid() || m.Family != unix.AF_INET {
		t.Errorf("want no RTA_GATEWAY in an AF_INET route, got %v", m.Attrs.Gateway)
	}
	if via, ok := m.Attrs.ViaAddr(); !ok || via != gw6 {
		t.Errorf("RTA_VIA: want %v, got %v (%v, %x)", gw6, via, ok, m.Attrs.Via)
	}
	// The family comes from the gateway for a default route, and the
	// scope is link without a gateway.
	for _, tt := range []struct {
		name          string
		cmd           uint16
		dst           string
		o             *RouteOptions
		family, scope uint8
		table         uint8
	}{
		{"default via IPv6", unix.RTM_NEWROUTE, "", &RouteOptions{Gateway: gw6}, unix.AF_INET6, unix.RT_SCOPE_UNIVERSE, unix.RT_TABLE_MAIN},
		{"dev only", unix.RTM_NEWROUTE, "198.19.0.0/16", &RouteOptions{OIF: 6}, unix.AF_INET, unix.RT_SCOPE_LINK, unix.RT_TABLE_MAIN},
		{"nothing", unix.RTM_NEWROUTE, "", nil, unix.AF_INET, unix.RT_SCOPE_LINK, unix.RT_TABLE_MAIN},
		{"local", unix.RTM_NEWROUTE, "198.18.0.9/32", &RouteOptions{Type: unix.RTN_LOCAL, OIF: 6}, unix.AF_INET, unix.RT_SCOPE_HOST, unix.RT_TABLE_LOCAL},
		{"broadcast", unix.RTM_NEWROUTE, "198.18.0.255/32", &RouteOptions{Type: unix.RTN_BROADCAST, OIF: 6}, unix.AF_INET, unix.RT_SCOPE_LINK, unix.RT_TABLE_LOCAL},
		{"delete", unix.RTM_DELROUTE, "198.19.0.0/16", &RouteOptions{OIF: 6}, unix.AF_INET, unix.RT_SCOPE_NOWHERE, unix.RT_TABLE_MAIN},
		{"family given", unix.RTM_NEWROUTE, "", &RouteOptions{Family: unix.AF_INET6, OIF: 6}, unix.AF_INET6, unix.RT_SCOPE_UNIVERSE, unix.RT_TABLE_MAIN},
	} {
		var dst netip.Prefix
		if tt.dst != "" {
			dst = netip.MustParsePrefix(tt.dst)
		}
		m, err := NewRouteMessage(tt.cmd, dst, tt.o)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if m.Family != tt.family || m.Scope != tt.scope || m.Table != tt.table {
			t.Errorf("%s: want family %d scope %d table %d, got %d %d %d", tt.name, tt.family, tt.scope, tt.table, m.Family, m.Scope, m.Table)
		}
	}
	if _, err := NewRouteMessage(unix.RTM_NEWROUTE, netip.MustParsePrefix("198.19.0.0/16"), &RouteOptions{PrefSrc: netip.MustParseAddr("2001:db8::1")}); err == nil {
		t.Error("IPv6 preferred source for an IPv4 route: want an error, got nil")
	}
	// "from" sets RTA_SRC and rtm_src_len.
	m, err = NewRouteMessage(unix.RTM_NEWROUTE, netip.MustParsePrefix("2001:db8:1::/48"), &RouteOptions{Src: netip.MustParsePrefix("2001:db8:2::/48"), OIF: 6})
	if err != nil {
		t.Fatal(err)
	}
	if want, got := netip.MustParsePrefix("2001:db8:2::/48"), m.SrcPrefix(); want != got {
		t.Errorf("SrcPrefix: want %v, got %v", want, got)
	}
}

func TestRouteSpace(t *testing.T) {
	for typ := uint16(1); typ <= rtaFlowLabel; typ++ {
		if _, ok := RouteSpace.Spec(typ); !ok {
			t.Errorf("RTA type %d has no spec", typ)
		}
	}
	for typ := uint16(1); typ <= unix.RTAX_FASTOPEN_NO_COOKIE; typ++ {
		if _, ok := RouteMetricsSpace.Spec(typ); !ok {
			t.Errorf("RTAX type %d has no spec", typ)
		}
	}
	for _, typ := range []uint16{unix.RTM_NEWROUTE, unix.RTM_DELROUTE, unix.RTM_GETROUTE} {
		s, ok := Spec(typ)
		if !ok || s.Attrs != RouteSpace || s.Header != 12 {
			t.Errorf("message type %d: want the route spec, got %+v", typ, s)
		}
	}
	// RTA_OIF of `ip route add default via 198.18.0.254 dev Z metric 100`.
	if want, got := "RTA_OIF", AttrPath(routeGolden[1].want, HeaderLen+12+16, nil); want != got {
		t.Errorf("AttrPath: want %q, got %q", want, got)
	}
}

func BenchmarkRouteMessageDecode(b *testing.B) {
	data := kernelRoute6[HeaderLen:]
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var m RouteMessage
	for b.Loop() {
		if err := m.UnmarshalBinary(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRouteMessageEncode(b *testing.B) {
	data := kernelRoute6[HeaderLen:]
	var m RouteMessage
	if err := m.UnmarshalBinary(data); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	buf := make([]byte, 0, 256)
	for b.Loop() {
		e := NewEncoder(buf[:0])
		m.Encode(e)
		if _, err := e.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}

// Building and encoding the request `ip route add default via GW dev D
// metric M` sends, as AddRoute does for each route.
func BenchmarkRouteRequest(b *testing.B) {
	b.ReportAllocs()
	o := &RouteOptions{Gateway: gw4, OIF: 6, Metric: 100}
	for b.Loop() {
		m, err := NewRouteMessage(unix.RTM_NEWROUTE, netip.Prefix{}, o)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := (Request{Type: unix.RTM_NEWROUTE, Flags: newFlags, Payload: m}).Encode(1); err != nil {
			b.Fatal(err)
		}
	}
}
