package rtnl

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"golang.org/x/sys/unix"
)

// Constants of include/uapi/linux/rtnetlink.h that golang.org/x/sys/unix
// lacks.
const (
	rtaProtoInfo = 10 // RTA_PROTOINFO: no longer used
	rtaSession   = 13 // RTA_SESSION: no longer used
	rtaMPAlgo    = 14 // RTA_MP_ALGO: no longer used
	rtaNHID      = 30 // RTA_NH_ID: u32, id of a nexthop object
	rtaFlowLabel = 31 // RTA_FLOWLABEL: be32, IPv6 flow label for RTM_GETROUTE
)

// RouteMessage is an RTM_NEWROUTE, RTM_DELROUTE or RTM_GETROUTE payload:
// struct rtmsg from include/uapi/linux/rtnetlink.h, then the RTA_*
// attributes.
//
//	struct rtmsg {
//		unsigned char rtm_family;    // offset 0
//		unsigned char rtm_dst_len;   // offset 1
//		unsigned char rtm_src_len;   // offset 2
//		unsigned char rtm_tos;       // offset 3
//		unsigned char rtm_table;     // offset 4
//		unsigned char rtm_protocol;  // offset 5
//		unsigned char rtm_scope;     // offset 6
//		unsigned char rtm_type;      // offset 7
//		unsigned      rtm_flags;     // offset 8
//	};
type RouteMessage struct {
	Family   uint8      // rtm_family: AF_INET, AF_INET6, ...
	DstLen   uint8      // rtm_dst_len: prefix length of RTA_DST
	SrcLen   uint8      // rtm_src_len: prefix length of RTA_SRC
	TOS      uint8      // rtm_tos
	Table    uint8      // rtm_table: RT_TABLE_*; a table id above 255 travels in RTA_TABLE with this 0
	Protocol uint8      // rtm_protocol: RTPROT_*, who added the route
	Scope    uint8      // rtm_scope: RT_SCOPE_*
	Type     uint8      // rtm_type: RTN_*
	Flags    uint32     // rtm_flags: RTM_F_* and RTNH_F_*
	Attrs    RouteAttrs // the RTA_* attributes
}

// rtmsgLen is sizeof(struct rtmsg).
const rtmsgLen = unix.SizeofRtMsg

// RouteAttrs are the RTA_* attributes of a route message. A field left at
// its zero value (nil, an invalid netip.Addr) is not sent. The addresses
// are typed only in AF_INET and AF_INET6 messages, where their size must be
// 4 or 16 bytes; in other families (MPLS, multicast routing) they stay in
// Unknown. Attributes without a field are kept in Unknown, in order, and
// sent back unchanged.
type RouteAttrs struct {
	Dst       netip.Addr // RTA_DST: the destination prefix's address
	Src       netip.Addr // RTA_SRC: the source prefix's address ("from")
	IIF       uint32     // RTA_IIF: input interface index
	OIF       uint32     // RTA_OIF: output interface index ("dev")
	Gateway   netip.Addr // RTA_GATEWAY: next hop of the route's family ("via")
	Priority  uint32     // RTA_PRIORITY: the metric
	PrefSrc   netip.Addr // RTA_PREFSRC: preferred source address ("src")
	Metrics   []byte     // RTA_METRICS: nested RTAX_* attributes, raw
	Multipath []byte     // RTA_MULTIPATH: struct rtnexthop entries, raw
	Flow      uint32     // RTA_FLOW: realms
	CacheInfo []byte     // RTA_CACHEINFO: struct rta_cacheinfo, raw
	Table     uint32     // RTA_TABLE: the table id, any size
	Mark      uint32     // RTA_MARK: fwmark (RTM_GETROUTE)
	Via       []byte     // RTA_VIA: struct rtvia, a next hop of another family, raw
	Pref      *uint8     // RTA_PREF: IPv6 router preference (ICMPV6_ROUTER_PREF_*)
	NHID      uint32     // RTA_NH_ID: nexthop object id

	// Unknown holds the attributes without a field above (RTA_EXPIRES,
	// RTA_ENCAP, ...), in the order they came.
	Unknown []Attr

	layout Layout
}

// RouteMetricsSpace is the RTAX_* space nested in RTA_METRICS.
var RouteMetricsSpace = &AttrSpace{Name: "route-metrics", Attrs: map[uint16]AttrSpec{
	unix.RTAX_LOCK:               {Name: "RTAX_LOCK", Type: TypeU32},
	unix.RTAX_MTU:                {Name: "RTAX_MTU", Type: TypeU32},
	unix.RTAX_WINDOW:             {Name: "RTAX_WINDOW", Type: TypeU32},
	unix.RTAX_RTT:                {Name: "RTAX_RTT", Type: TypeU32},
	unix.RTAX_RTTVAR:             {Name: "RTAX_RTTVAR", Type: TypeU32},
	unix.RTAX_SSTHRESH:           {Name: "RTAX_SSTHRESH", Type: TypeU32},
	unix.RTAX_CWND:               {Name: "RTAX_CWND", Type: TypeU32},
	unix.RTAX_ADVMSS:             {Name: "RTAX_ADVMSS", Type: TypeU32},
	unix.RTAX_REORDERING:         {Name: "RTAX_REORDERING", Type: TypeU32},
	unix.RTAX_HOPLIMIT:           {Name: "RTAX_HOPLIMIT", Type: TypeU32},
	unix.RTAX_INITCWND:           {Name: "RTAX_INITCWND", Type: TypeU32},
	unix.RTAX_FEATURES:           {Name: "RTAX_FEATURES", Type: TypeU32},
	unix.RTAX_RTO_MIN:            {Name: "RTAX_RTO_MIN", Type: TypeU32},
	unix.RTAX_INITRWND:           {Name: "RTAX_INITRWND", Type: TypeU32},
	unix.RTAX_QUICKACK:           {Name: "RTAX_QUICKACK", Type: TypeU32},
	unix.RTAX_CC_ALGO:            {Name: "RTAX_CC_ALGO", Type: TypeString},
	unix.RTAX_FASTOPEN_NO_COOKIE: {Name: "RTAX_FASTOPEN_NO_COOKIE", Type: TypeU32},
}}

// RouteSpace is the RTA_* attribute space of route messages.
var RouteSpace = &AttrSpace{Name: "route", Attrs: map[uint16]AttrSpec{
	unix.RTA_DST:           {Name: "RTA_DST", Type: TypeIP},
	unix.RTA_SRC:           {Name: "RTA_SRC", Type: TypeIP},
	unix.RTA_IIF:           {Name: "RTA_IIF", Type: TypeU32},
	unix.RTA_OIF:           {Name: "RTA_OIF", Type: TypeU32},
	unix.RTA_GATEWAY:       {Name: "RTA_GATEWAY", Type: TypeIP},
	unix.RTA_PRIORITY:      {Name: "RTA_PRIORITY", Type: TypeU32},
	unix.RTA_PREFSRC:       {Name: "RTA_PREFSRC", Type: TypeIP},
	unix.RTA_METRICS:       {Name: "RTA_METRICS", Type: TypeNested, Nested: RouteMetricsSpace},
	unix.RTA_MULTIPATH:     {Name: "RTA_MULTIPATH", Type: TypeBinary},
	rtaProtoInfo:           {Name: "RTA_PROTOINFO", Type: TypeBinary},
	unix.RTA_FLOW:          {Name: "RTA_FLOW", Type: TypeU32},
	unix.RTA_CACHEINFO:     {Name: "RTA_CACHEINFO", Type: TypeBinary},
	rtaSession:             {Name: "RTA_SESSION", Type: TypeBinary},
	rtaMPAlgo:              {Name: "RTA_MP_ALGO", Type: TypeBinary},
	unix.RTA_TABLE:         {Name: "RTA_TABLE", Type: TypeU32},
	unix.RTA_MARK:          {Name: "RTA_MARK", Type: TypeU32},
	unix.RTA_MFC_STATS:     {Name: "RTA_MFC_STATS", Type: TypeBinary},
	unix.RTA_VIA:           {Name: "RTA_VIA", Type: TypeBinary},
	unix.RTA_NEWDST:        {Name: "RTA_NEWDST", Type: TypeBinary},
	unix.RTA_PREF:          {Name: "RTA_PREF", Type: TypeU8},
	unix.RTA_ENCAP_TYPE:    {Name: "RTA_ENCAP_TYPE", Type: TypeU16},
	unix.RTA_ENCAP:         {Name: "RTA_ENCAP", Type: TypeBinary},
	unix.RTA_EXPIRES:       {Name: "RTA_EXPIRES", Type: TypeU32},
	unix.RTA_PAD:           {Name: "RTA_PAD", Type: TypeBinary},
	unix.RTA_UID:           {Name: "RTA_UID", Type: TypeU32},
	unix.RTA_TTL_PROPAGATE: {Name: "RTA_TTL_PROPAGATE", Type: TypeU8},
	unix.RTA_IP_PROTO:      {Name: "RTA_IP_PROTO", Type: TypeU8},
	unix.RTA_SPORT:         {Name: "RTA_SPORT", Type: TypeU16BE},
	unix.RTA_DPORT:         {Name: "RTA_DPORT", Type: TypeU16BE},
	rtaNHID:                {Name: "RTA_NH_ID", Type: TypeU32},
	rtaFlowLabel:           {Name: "RTA_FLOWLABEL", Type: TypeBinary},
}}

func init() {
	for t, n := range map[uint16]string{
		unix.RTM_NEWROUTE: "RTM_NEWROUTE", unix.RTM_DELROUTE: "RTM_DELROUTE", unix.RTM_GETROUTE: "RTM_GETROUTE",
	} {
		messageSpecs[t] = MessageSpec{Name: n, Header: rtmsgLen, Attrs: RouteSpace}
	}
}

// routeAttrOrder is the order in which fields set by hand are encoded:
// iproute2's for `ip route add [TYPE] DST [from SRC] [via GW] [metric M]
// [table T] [src S] [pref P] ... dev D`, where every option is written as
// it is parsed, and RTA_OIF and RTA_METRICS after the loop.
var routeAttrOrder = []uint16{
	unix.RTA_DST, unix.RTA_SRC, unix.RTA_IIF, unix.RTA_GATEWAY, unix.RTA_VIA,
	unix.RTA_PRIORITY, unix.RTA_TABLE, unix.RTA_PREFSRC, unix.RTA_FLOW, unix.RTA_MARK,
	unix.RTA_PREF, rtaNHID, unix.RTA_OIF, unix.RTA_METRICS,
	unix.RTA_MULTIPATH, unix.RTA_CACHEINFO,
}

// MarshalBinary encodes the rtmsg and the attributes.
func (m *RouteMessage) MarshalBinary() ([]byte, error) {
	e := NewEncoder(make([]byte, 0, 64))
	m.Encode(e)
	return e.Encode()
}

// Encode appends the rtmsg and the attributes to e.
func (m *RouteMessage) Encode(e *Encoder) {
	var h [rtmsgLen]byte
	h[0] = m.Family
	h[1] = m.DstLen
	h[2] = m.SrcLen
	h[3] = m.TOS
	h[4] = m.Table
	h[5] = m.Protocol
	h[6] = m.Scope
	h[7] = m.Type
	binary.NativeEndian.PutUint32(h[8:], m.Flags)
	e.Append(h[:])
	m.Attrs.encode(e)
}

// UnmarshalBinary decodes an rtmsg and its attributes. The message keeps
// references into b.
func (m *RouteMessage) UnmarshalBinary(b []byte) error {
	if len(b) < rtmsgLen {
		return fmt.Errorf("%w: rtmsg needs %d bytes, have %d", ErrTruncated, rtmsgLen, len(b))
	}
	*m = RouteMessage{
		Family:   b[0],
		DstLen:   b[1],
		SrcLen:   b[2],
		TOS:      b[3],
		Table:    b[4],
		Protocol: b[5],
		Scope:    b[6],
		Type:     b[7],
		Flags:    binary.NativeEndian.Uint32(b[8:]),
	}
	d := Decoder{b: b[rtmsgLen:]}
	if err := m.Attrs.decode(&d, m.Family); err != nil {
		return fmt.Errorf("rtnl: decoding route: %w", err)
	}
	return nil
}

// TableID returns the route's table: RTA_TABLE when present, rtm_table
// otherwise.
func (m *RouteMessage) TableID() uint32 {
	if m.Attrs.layout.Has(unix.RTA_TABLE) || m.Attrs.Table != 0 {
		return m.Attrs.Table
	}
	return uint32(m.Table)
}

// DstPrefix returns the destination as a prefix; a default route gives
// 0.0.0.0/0 or ::/0. It is invalid for families other than AF_INET and
// AF_INET6.
func (m *RouteMessage) DstPrefix() netip.Prefix {
	return prefixOf(m.Family, m.Attrs.Dst, m.DstLen)
}

// SrcPrefix returns the source prefix ("from"), ::/0 or 0.0.0.0/0 when the
// route has none.
func (m *RouteMessage) SrcPrefix() netip.Prefix {
	return prefixOf(m.Family, m.Attrs.Src, m.SrcLen)
}

func prefixOf(family uint8, a netip.Addr, bits uint8) netip.Prefix {
	if !a.IsValid() {
		switch family {
		case unix.AF_INET:
			a = netip.IPv4Unspecified()
		case unix.AF_INET6:
			a = netip.IPv6Unspecified()
		default:
			return netip.Prefix{}
		}
	}
	return netip.PrefixFrom(a, int(bits))
}

func (a *RouteAttrs) encode(e *Encoder) {
	a.layout.Encode(e, a.Unknown, routeAttrOrder, a.encodeField)
}

func (a *RouteAttrs) encodeField(e *Encoder, t uint16, present bool) {
	switch t {
	case unix.RTA_DST:
		putAddr(e, t, a.Dst)
	case unix.RTA_SRC:
		putAddr(e, t, a.Src)
	case unix.RTA_IIF:
		putUint32(e, t, a.IIF, present)
	case unix.RTA_OIF:
		putUint32(e, t, a.OIF, present)
	case unix.RTA_GATEWAY:
		putAddr(e, t, a.Gateway)
	case unix.RTA_PRIORITY:
		putUint32(e, t, a.Priority, present)
	case unix.RTA_PREFSRC:
		putAddr(e, t, a.PrefSrc)
	case unix.RTA_METRICS:
		putBytes(e, t, a.Metrics, present)
	case unix.RTA_MULTIPATH:
		putBytes(e, t, a.Multipath, present)
	case unix.RTA_FLOW:
		putUint32(e, t, a.Flow, present)
	case unix.RTA_CACHEINFO:
		putBytes(e, t, a.CacheInfo, present)
	case unix.RTA_TABLE:
		putUint32(e, t, a.Table, present)
	case unix.RTA_MARK:
		putUint32(e, t, a.Mark, present)
	case unix.RTA_VIA:
		putBytes(e, t, a.Via, present)
	case unix.RTA_PREF:
		if a.Pref != nil {
			e.Uint8(t, *a.Pref)
		}
	case rtaNHID:
		putUint32(e, t, a.NHID, present)
	}
}

// putBytes writes a raw attribute when it was decoded or is set.
func putBytes(e *Encoder, t uint16, b []byte, present bool) {
	if present || b != nil {
		e.Bytes(t, b)
	}
}

func (a *RouteAttrs) decode(d *Decoder, family uint8) error {
	ip := isIPFamily(family)
	return a.layout.Decode(d, &a.Unknown, func(d *Decoder) bool {
		switch d.Type() {
		case unix.RTA_DST:
			if !ip {
				return false
			}
			a.Dst = decodeIP(d, family)
		case unix.RTA_SRC:
			if !ip {
				return false
			}
			a.Src = decodeIP(d, family)
		case unix.RTA_IIF:
			a.IIF = d.Uint32()
		case unix.RTA_OIF:
			a.OIF = d.Uint32()
		case unix.RTA_GATEWAY:
			if !ip {
				return false
			}
			a.Gateway = decodeIP(d, family)
		case unix.RTA_PRIORITY:
			a.Priority = d.Uint32()
		case unix.RTA_PREFSRC:
			if !ip {
				return false
			}
			a.PrefSrc = decodeIP(d, family)
		case unix.RTA_METRICS:
			a.Metrics = d.Bytes()
		case unix.RTA_MULTIPATH:
			a.Multipath = d.Bytes()
		case unix.RTA_FLOW:
			a.Flow = d.Uint32()
		case unix.RTA_CACHEINFO:
			a.CacheInfo = d.Bytes()
		case unix.RTA_TABLE:
			a.Table = d.Uint32()
		case unix.RTA_MARK:
			a.Mark = d.Uint32()
		case unix.RTA_VIA:
			a.Via = d.Bytes()
		case unix.RTA_PREF:
			a.Pref = new(d.Uint8())
		case rtaNHID:
			a.NHID = d.Uint32()
		default:
			return false
		}
		return true
	})
}

// Raw returns the payload of the first attribute of type t kept in Unknown.
func (a *RouteAttrs) Raw(t uint16) ([]byte, bool) { return rawAttr(a.Unknown, t) }

// ViaAddr decodes RTA_VIA, struct rtvia: a 2-byte address family, then the
// address. It reports false when the attribute is absent or is not an IPv4
// or IPv6 address of the right size.
func (a *RouteAttrs) ViaAddr() (netip.Addr, bool) {
	if len(a.Via) < 2 {
		return netip.Addr{}, false
	}
	fam := binary.NativeEndian.Uint16(a.Via)
	addr, ok := netip.AddrFromSlice(a.Via[2:])
	if !ok || fam > 0xff || ipLen(uint8(fam)) != len(a.Via)-2 {
		return netip.Addr{}, false
	}
	return addr, true
}

// rtvia encodes struct rtvia for an IP address.
func rtvia(addr netip.Addr) []byte {
	b := make([]byte, 2, 18)
	binary.NativeEndian.PutUint16(b, uint16(familyOf(addr)))
	return append(b, addr.AsSlice()...)
}

// RouteOptions are the parts of a route request besides the destination:
// the words `ip route add|replace|del` takes after it. The zero value asks
// for a unicast route in the main table, with iproute2's defaults.
type RouteOptions struct {
	// Family is rtm_family. 0 takes it from the destination, else the
	// gateway, else the preferred source, else AF_INET, as iproute2 does.
	Family uint8
	// Gateway is the next hop ("via"): RTA_GATEWAY when it is of the
	// route's family, RTA_VIA (an IPv4 route via an IPv6 next hop)
	// otherwise.
	Gateway netip.Addr
	// OIF is the output link's index ("dev"), RTA_OIF.
	OIF int32
	// PrefSrc is the preferred source address ("src"), RTA_PREFSRC.
	PrefSrc netip.Addr
	// Src is the source prefix ("from"): RTA_SRC and rtm_src_len.
	Src netip.Prefix
	// Metric is RTA_PRIORITY ("metric"). 0 is not sent; the kernel then
	// uses 0 for IPv4 and 1024 for IPv6.
	Metric uint32
	// Table is the table id ("table"). 0 means RT_TABLE_MAIN, or
	// RT_TABLE_LOCAL for the local, broadcast, anycast and NAT types.
	// Ids up to 255 travel in rtm_table, larger ones in RTA_TABLE.
	Table uint32
	// Protocol is rtm_protocol ("proto"). 0 means RTPROT_BOOT when adding;
	// a delete sends 0, which matches any.
	Protocol uint8
	// Scope is rtm_scope ("scope"). Nil means iproute2's default: for an
	// IPv4 unicast route, RT_SCOPE_LINK without a gateway and
	// RT_SCOPE_UNIVERSE with one; RT_SCOPE_NOWHERE (any) when deleting.
	Scope *uint8
	// Type is rtm_type, RTN_*. 0 means RTN_UNICAST when adding; a delete
	// sends 0, which matches any.
	Type uint8
	// TOS is rtm_tos ("tos").
	TOS uint8
	// Flags are rtm_flags, such as RTNH_F_ONLINK ("onlink").
	Flags uint32
	// Pref is RTA_PREF ("pref"), the IPv6 router preference.
	Pref *uint8
}

// NewRouteMessage builds the request iproute2's `ip route` sends for cmd
// (RTM_NEWROUTE to add or replace, RTM_DELROUTE to delete) and the
// destination dst, attribute for attribute and in the same order, for the
// command line
//
//	ip route add [TYPE] DST [from SRC] [tos T] [via GW] [metric M] [table T]
//	    [src S] [pref P] [proto P] [scope S] [onlink] [dev D]
//
// A valid dst, 0.0.0.0/0 and ::/0 included, is sent as RTA_DST, as
// iproute2 sends "default" when the family is known (ip -4, ip -6). The
// zero netip.Prefix is "default" with the family left to the gateway: no
// RTA_DST, as `ip route add default via GW` sends.
func NewRouteMessage(cmd uint16, dst netip.Prefix, o *RouteOptions) (*RouteMessage, error) {
	if o == nil {
		o = &RouteOptions{}
	}
	fam := o.Family
	for _, a := range []netip.Addr{dst.Addr(), o.Src.Addr(), o.Gateway, o.PrefSrc} {
		if fam == 0 {
			fam = familyOf(a)
		}
	}
	if fam == 0 {
		fam = unix.AF_INET
	}
	for _, a := range []netip.Addr{dst.Addr(), o.Src.Addr(), o.PrefSrc} {
		if a.IsValid() && familyOf(a) != fam {
			return nil, fmt.Errorf("rtnl: route %v: %v is not of the route's family", dst, a)
		}
	}
	m := &RouteMessage{Family: fam, Table: unix.RT_TABLE_MAIN, Scope: unix.RT_SCOPE_NOWHERE, TOS: o.TOS, Flags: o.Flags}
	if cmd != unix.RTM_DELROUTE {
		m.Protocol = unix.RTPROT_BOOT
		m.Scope = unix.RT_SCOPE_UNIVERSE
		m.Type = unix.RTN_UNICAST
	}
	if o.Protocol != 0 {
		m.Protocol = o.Protocol
	}
	if o.Type != 0 {
		m.Type = o.Type
	}
	a := &m.Attrs
	var order []uint16
	if dst.IsValid() {
		a.Dst = dst.Addr()
		m.DstLen = uint8(dst.Bits())
		order = append(order, unix.RTA_DST)
	}
	if o.Src.IsValid() {
		a.Src = o.Src.Addr()
		m.SrcLen = uint8(o.Src.Bits())
		order = append(order, unix.RTA_SRC)
	}
	if o.Gateway.IsValid() {
		if familyOf(o.Gateway) == fam {
			a.Gateway = o.Gateway
			order = append(order, unix.RTA_GATEWAY)
		} else {
			a.Via = rtvia(o.Gateway)
			order = append(order, unix.RTA_VIA)
		}
	}
	if o.Metric != 0 {
		a.Priority = o.Metric
		order = append(order, unix.RTA_PRIORITY)
	}
	switch {
	case o.Table >= 256:
		m.Table = unix.RT_TABLE_UNSPEC
		a.Table = o.Table
		order = append(order, unix.RTA_TABLE)
	case o.Table != 0:
		m.Table = uint8(o.Table)
	case m.Type == unix.RTN_LOCAL || m.Type == unix.RTN_BROADCAST || m.Type == unix.RTN_NAT || m.Type == unix.RTN_ANYCAST:
		m.Table = unix.RT_TABLE_LOCAL
	}
	if o.PrefSrc.IsValid() {
		a.PrefSrc = o.PrefSrc
		order = append(order, unix.RTA_PREFSRC)
	}
	if o.Pref != nil {
		a.Pref = new(*o.Pref)
		order = append(order, unix.RTA_PREF)
	}
	if o.OIF != 0 {
		a.OIF = uint32(o.OIF)
		order = append(order, unix.RTA_OIF)
	}
	switch {
	case o.Scope != nil:
		m.Scope = *o.Scope
	case fam == unix.AF_INET6 || fam == unix.AF_MPLS:
		m.Scope = unix.RT_SCOPE_UNIVERSE
	case m.Type == unix.RTN_LOCAL || m.Type == unix.RTN_NAT:
		m.Scope = unix.RT_SCOPE_HOST
	case m.Type == unix.RTN_BROADCAST || m.Type == unix.RTN_MULTICAST || m.Type == unix.RTN_ANYCAST:
		m.Scope = unix.RT_SCOPE_LINK
	case m.Type == unix.RTN_UNICAST || m.Type == unix.RTN_UNSPEC:
		if cmd == unix.RTM_DELROUTE {
			m.Scope = unix.RT_SCOPE_NOWHERE
		} else if !o.Gateway.IsValid() {
			m.Scope = unix.RT_SCOPE_LINK
		}
	}
	a.layout.Preset(order...)
	return m, nil
}
