package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// structDef lays out a fixed C struct: a family header such as ifinfomsg, or
// a struct carried in an attribute such as ifa_cacheinfo. Integers are in
// host byte order, as the kernel writes them.
type structDef struct {
	name   string
	size   int
	fields []fieldDef
}

type fieldDef struct {
	name   string
	size   int // 1, 2, 4 or 8; a pad field may be any size
	signed bool
	pad    bool        // padding the kernel ignores
	format valueFormat // names the value, or nil
	hex    bool        // print the number in hex (flag words)
}

// The family headers, from include/uapi/linux/rtnetlink.h, if_addr.h and
// neighbour.h.
var (
	ifinfomsg = &structDef{name: "ifinfomsg", size: 16, fields: []fieldDef{
		{name: "ifi_family", size: 1, format: enumFormat(afNames)},
		{name: "__ifi_pad", size: 1, pad: true},
		{name: "ifi_type", size: 2, format: enumFormat(arphrdNames)},
		{name: "ifi_index", size: 4, signed: true},
		{name: "ifi_flags", size: 4, format: flagFormat(iffNames), hex: true},
		{name: "ifi_change", size: 4, format: changeFormat, hex: true},
	}}
	ifaddrmsg = &structDef{name: "ifaddrmsg", size: 8, fields: []fieldDef{
		{name: "ifa_family", size: 1, format: enumFormat(afNames)},
		{name: "ifa_prefixlen", size: 1},
		{name: "ifa_flags", size: 1, format: flagFormat(ifaFlagNames), hex: true},
		{name: "ifa_scope", size: 1, format: enumFormat(scopeNames)},
		{name: "ifa_index", size: 4},
	}}
	rtmsg = &structDef{name: "rtmsg", size: 12, fields: []fieldDef{
		{name: "rtm_family", size: 1, format: enumFormat(afNames)},
		{name: "rtm_dst_len", size: 1},
		{name: "rtm_src_len", size: 1},
		{name: "rtm_tos", size: 1},
		{name: "rtm_table", size: 1, format: enumFormat(tableNames)},
		{name: "rtm_protocol", size: 1, format: enumFormat(protoNames)},
		{name: "rtm_scope", size: 1, format: enumFormat(scopeNames)},
		{name: "rtm_type", size: 1, format: enumFormat(rtnNames)},
		{name: "rtm_flags", size: 4, format: flagFormat(rtmFlagNames), hex: true},
	}}
	ndmsg = &structDef{name: "ndmsg", size: 12, fields: []fieldDef{
		{name: "ndm_family", size: 1, format: enumFormat(afNames)},
		{name: "ndm_pad1", size: 1, pad: true},
		{name: "ndm_pad2", size: 2, pad: true},
		{name: "ndm_ifindex", size: 4, signed: true},
		{name: "ndm_state", size: 2, format: nudFormat, hex: true},
		{name: "ndm_flags", size: 1, format: flagFormat(ntfNames), hex: true},
		{name: "ndm_type", size: 1, format: enumFormat(rtnNames)},
	}}
	// rtgenmsg is one byte; messages carry it padded to NLMSG_ALIGN.
	rtgenmsg = &structDef{name: "rtgenmsg", size: 4, fields: []fieldDef{
		{name: "rtgen_family", size: 1, format: enumFormat(afNames)},
		{name: "padding", size: 3, pad: true},
	}}
)

// changeFormat names ifi_change: 0xffffffff means every flag.
func changeFormat(v uint64) string {
	if v == 0xffffffff {
		return "all flags"
	}
	return flagFormat(iffNames)(v)
}

func nudFormat(v uint64) string {
	if v == 0 {
		return "NUD_NONE"
	}
	return flagText(v, nudNames)
}

// familyHeader returns the family header of message type t, by the
// message families of include/uapi/linux/rtnetlink.h.
func familyHeader(t uint16) *structDef {
	switch {
	case t >= unix.RTM_NEWLINK && t <= unix.RTM_SETLINK:
		return ifinfomsg
	case t >= unix.RTM_NEWADDR && t <= unix.RTM_GETADDR:
		return ifaddrmsg
	case t >= unix.RTM_NEWROUTE && t <= unix.RTM_GETROUTE:
		return rtmsg
	case t >= unix.RTM_NEWNEIGH && t <= unix.RTM_GETNEIGH:
		return ndmsg
	case t >= unix.RTM_NEWNSID && t <= unix.RTM_GETNSID:
		return rtgenmsg
	}
	return nil
}

// Structs carried in binary attributes.
var (
	ifaCacheinfo = &structDef{name: "ifa_cacheinfo", size: 16, fields: []fieldDef{
		{name: "ifa_prefered", size: 4, format: lifetime},
		{name: "ifa_valid", size: 4, format: lifetime},
		{name: "cstamp", size: 4, format: centiseconds},
		{name: "tstamp", size: 4, format: centiseconds},
	}}
	ndaCacheinfo = &structDef{name: "nda_cacheinfo", size: 16, fields: []fieldDef{
		{name: "ndm_confirmed", size: 4},
		{name: "ndm_used", size: 4},
		{name: "ndm_updated", size: 4},
		{name: "ndm_refcnt", size: 4},
	}}
	rtaCacheinfo = &structDef{name: "rta_cacheinfo", size: 32, fields: []fieldDef{
		{name: "rta_clntref", size: 4}, {name: "rta_lastuse", size: 4},
		{name: "rta_expires", size: 4, signed: true}, {name: "rta_error", size: 4},
		{name: "rta_used", size: 4}, {name: "rta_id", size: 4},
		{name: "rta_ts", size: 4}, {name: "rta_tsage", size: 4},
	}}
	iflaCacheinfo = &structDef{name: "ifla_cacheinfo", size: 16, fields: []fieldDef{
		{name: "max_reasm_len", size: 4}, {name: "tstamp", size: 4},
		{name: "reachable_time", size: 4}, {name: "retrans_time", size: 4},
	}}
	linkIfmap = &structDef{name: "rtnl_link_ifmap", size: 32, fields: []fieldDef{
		{name: "mem_start", size: 8, hex: true}, {name: "mem_end", size: 8, hex: true},
		{name: "base_addr", size: 8, hex: true}, {name: "irq", size: 2},
		{name: "dma", size: 1}, {name: "port", size: 1}, {name: "padding", size: 4, pad: true},
	}}
	linkStats64 = statsDef("rtnl_link_stats64", 8, 25)
	linkStats   = statsDef("rtnl_link_stats", 4, 24)
)

// statsDef lays out struct rtnl_link_stats64 (or its 32-bit ancestor) from
// include/uapi/linux/if_link.h. Kernels append fields; bytes past the
// known ones are shown raw.
func statsDef(name string, size, n int) *structDef {
	names := []string{
		"rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors",
		"rx_dropped", "tx_dropped", "multicast", "collisions", "rx_length_errors",
		"rx_over_errors", "rx_crc_errors", "rx_frame_errors", "rx_fifo_errors",
		"rx_missed_errors", "tx_aborted_errors", "tx_carrier_errors", "tx_fifo_errors",
		"tx_heartbeat_errors", "tx_window_errors", "rx_compressed", "tx_compressed",
		"rx_nohandler", "rx_otherhost_dropped",
	}
	d := &structDef{name: name}
	for _, n := range names[:n] {
		d.fields = append(d.fields, fieldDef{name: n, size: size})
	}
	d.size = size * n
	return d
}

// attrStructs are structs carried in binary attributes, by attribute name.
var attrStructs = map[string]*structDef{
	"IFA_CACHEINFO":        ifaCacheinfo,
	"NDA_CACHEINFO":        ndaCacheinfo,
	"RTA_CACHEINFO":        rtaCacheinfo,
	"IFLA_INET6_CACHEINFO": iflaCacheinfo,
	"IFLA_MAP":             linkIfmap,
	"IFLA_STATS64":         linkStats64,
	"IFLA_STATS":           linkStats,
}

// readUint reads an n-byte host-order integer.
func readUint(b []byte, n int, bigEndian bool) uint64 {
	var o binary.ByteOrder = binary.NativeEndian
	if bigEndian {
		o = binary.BigEndian
	}
	switch n {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(o.Uint16(b))
	case 4:
		return uint64(o.Uint32(b))
	case 8:
		return o.Uint64(b)
	}
	return 0
}

// signExtend turns the n-byte value v into a signed number.
func signExtend(v uint64, n int) int64 {
	shift := 64 - 8*n
	return int64(v<<shift) >> shift
}

// decodeStruct lays def over data[off:end]. Fields that do not fit are left
// out and the struct reports how many bytes it missed; bytes past the
// struct are not its business.
func decodeStruct(data []byte, off, end int, def *structDef) *Struct {
	s := &Struct{Name: def.name, Offset: off, Length: min(def.size, end-off), Fields: make([]Field, 0, len(def.fields))}
	pos := off
	for _, f := range def.fields {
		if pos+f.size > end {
			s.Problem = fmt.Sprintf("%s needs %d bytes, have %d", def.name, def.size, end-off)
			break
		}
		s.Fields = append(s.Fields, decodeField(data[pos:pos+f.size], pos, f))
		pos += f.size
	}
	return s
}

// decodeField decodes one struct member.
func decodeField(b []byte, off int, f fieldDef) Field {
	fd := Field{Name: f.name, Offset: off, Length: len(b)}
	if f.pad {
		fd.Pad = true
		return fd
	}
	v := readUint(b, f.size, false)
	if f.signed {
		fd.Value = signExtend(v, f.size)
	} else {
		fd.Value = v
	}
	if f.format != nil {
		fd.Text = f.format(v)
	}
	fd.show = numberText(fd.Value, fd.Text, f.hex)
	return fd
}

// numberText formats a number for the text view: "1500", "AF_INET (2)",
// "IFF_UP|IFF_LOWER_UP (0x10001)".
func numberText(v any, name string, hex bool) string {
	var num string
	switch x := v.(type) {
	case uint64:
		if hex && x != 0 {
			num = "0x" + strconv.FormatUint(x, 16)
		} else {
			num = strconv.FormatUint(x, 10)
		}
	case int64:
		num = strconv.FormatInt(x, 10)
	default:
		num = fmt.Sprint(x)
	}
	if name == "" || name == num {
		return num
	}
	return name + " (" + num + ")"
}

// bridgeID formats struct ifla_bridge_id { __u8 prio[2]; __u8 addr[6]; }
// the way iproute2 prints it: 8000.4ea9460e435a.
func bridgeID(b []byte) (string, bool) {
	if len(b) != 8 {
		return "", false
	}
	return fmt.Sprintf("%02x%02x.%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]), true
}

// Attribute spaces for binary IFLA_* attributes that rtnl keeps raw but
// that nest attributes on the wire (include/uapi/linux/if_link.h).
var (
	inetSpace = &rtnl.AttrSpace{Name: "inet", Attrs: map[uint16]rtnl.AttrSpec{
		unix.IFLA_INET_CONF: {Name: "IFLA_INET_CONF", Type: rtnl.TypeBinary},
	}}
	inet6Space = &rtnl.AttrSpace{Name: "inet6", Attrs: map[uint16]rtnl.AttrSpec{
		unix.IFLA_INET6_FLAGS:         {Name: "IFLA_INET6_FLAGS", Type: rtnl.TypeU32},
		unix.IFLA_INET6_CONF:          {Name: "IFLA_INET6_CONF", Type: rtnl.TypeBinary},
		unix.IFLA_INET6_STATS:         {Name: "IFLA_INET6_STATS", Type: rtnl.TypeBinary},
		unix.IFLA_INET6_MCAST:         {Name: "IFLA_INET6_MCAST", Type: rtnl.TypeBinary},
		unix.IFLA_INET6_CACHEINFO:     {Name: "IFLA_INET6_CACHEINFO", Type: rtnl.TypeBinary},
		unix.IFLA_INET6_ICMP6STATS:    {Name: "IFLA_INET6_ICMP6STATS", Type: rtnl.TypeBinary},
		unix.IFLA_INET6_TOKEN:         {Name: "IFLA_INET6_TOKEN", Type: rtnl.TypeIP},
		unix.IFLA_INET6_ADDR_GEN_MODE: {Name: "IFLA_INET6_ADDR_GEN_MODE", Type: rtnl.TypeU8},
		10:                            {Name: "IFLA_INET6_RA_MTU", Type: rtnl.TypeU32},
	}}
	mctpSpace = &rtnl.AttrSpace{Name: "mctp", Attrs: map[uint16]rtnl.AttrSpec{
		1: {Name: "IFLA_MCTP_NET", Type: rtnl.TypeU32},
	}}
	// IFLA_AF_SPEC nests one attribute per address family, whose type is
	// the AF_* number.
	afSpecSpace = &rtnl.AttrSpace{Name: "af-spec", Attrs: map[uint16]rtnl.AttrSpec{
		unix.AF_INET:  {Name: "AF_INET", Type: rtnl.TypeNested, Nested: inetSpace},
		unix.AF_INET6: {Name: "AF_INET6", Type: rtnl.TypeNested, Nested: inet6Space},
		unix.AF_MCTP:  {Name: "AF_MCTP", Type: rtnl.TypeNested, Nested: mctpSpace},
	}}
	propListSpace = &rtnl.AttrSpace{Name: "prop-list", Attrs: map[uint16]rtnl.AttrSpec{
		unix.IFLA_ALT_IFNAME: {Name: "IFLA_ALT_IFNAME", Type: rtnl.TypeString},
	}}
	xdpSpace = &rtnl.AttrSpace{Name: "xdp", Attrs: map[uint16]rtnl.AttrSpec{
		unix.IFLA_XDP_FD:          {Name: "IFLA_XDP_FD", Type: rtnl.TypeS32},
		unix.IFLA_XDP_ATTACHED:    {Name: "IFLA_XDP_ATTACHED", Type: rtnl.TypeU8},
		unix.IFLA_XDP_FLAGS:       {Name: "IFLA_XDP_FLAGS", Type: rtnl.TypeU32},
		unix.IFLA_XDP_PROG_ID:     {Name: "IFLA_XDP_PROG_ID", Type: rtnl.TypeU32},
		unix.IFLA_XDP_DRV_PROG_ID: {Name: "IFLA_XDP_DRV_PROG_ID", Type: rtnl.TypeU32},
		unix.IFLA_XDP_SKB_PROG_ID: {Name: "IFLA_XDP_SKB_PROG_ID", Type: rtnl.TypeU32},
		unix.IFLA_XDP_HW_PROG_ID:  {Name: "IFLA_XDP_HW_PROG_ID", Type: rtnl.TypeU32},
		unix.IFLA_XDP_EXPECTED_FD: {Name: "IFLA_XDP_EXPECTED_FD", Type: rtnl.TypeS32},
	}}
)

// attrNests are binary attributes whose payload is nested attributes, by
// attribute name.
var attrNests = map[string]*rtnl.AttrSpace{
	"IFLA_AF_SPEC":   afSpecSpace,
	"IFLA_PROP_LIST": propListSpace,
	"IFLA_XDP":       xdpSpace,
}

// The extended-ack TLVs of NLMSG_ERROR and NLMSG_DONE, from enum
// nlmsgerr_attrs in include/uapi/linux/netlink.h, and the policy
// description NLMSGERR_ATTR_POLICY nests (enum netlink_policy_type_attr).
var (
	policySpace = &rtnl.AttrSpace{Name: "policy", Attrs: map[uint16]rtnl.AttrSpec{
		1:  {Name: "NL_POLICY_TYPE_ATTR_TYPE", Type: rtnl.TypeU32},
		2:  {Name: "NL_POLICY_TYPE_ATTR_MIN_VALUE_S", Type: rtnl.TypeU64},
		3:  {Name: "NL_POLICY_TYPE_ATTR_MAX_VALUE_S", Type: rtnl.TypeU64},
		4:  {Name: "NL_POLICY_TYPE_ATTR_MIN_VALUE_U", Type: rtnl.TypeU64},
		5:  {Name: "NL_POLICY_TYPE_ATTR_MAX_VALUE_U", Type: rtnl.TypeU64},
		6:  {Name: "NL_POLICY_TYPE_ATTR_MIN_LENGTH", Type: rtnl.TypeU32},
		7:  {Name: "NL_POLICY_TYPE_ATTR_MAX_LENGTH", Type: rtnl.TypeU32},
		8:  {Name: "NL_POLICY_TYPE_ATTR_POLICY_IDX", Type: rtnl.TypeU32},
		9:  {Name: "NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE", Type: rtnl.TypeU32},
		10: {Name: "NL_POLICY_TYPE_ATTR_BITFIELD32_MASK", Type: rtnl.TypeU32},
		11: {Name: "NL_POLICY_TYPE_ATTR_PAD", Type: rtnl.TypeBinary},
		12: {Name: "NL_POLICY_TYPE_ATTR_MASK", Type: rtnl.TypeU64},
	}}
	ackSpace = &rtnl.AttrSpace{Name: "nlmsgerr", Attrs: map[uint16]rtnl.AttrSpec{
		nlmsgerrAttrMsg:      {Name: "NLMSGERR_ATTR_MSG", Type: rtnl.TypeString},
		nlmsgerrAttrOffs:     {Name: "NLMSGERR_ATTR_OFFS", Type: rtnl.TypeU32},
		nlmsgerrAttrCookie:   {Name: "NLMSGERR_ATTR_COOKIE", Type: rtnl.TypeBinary},
		nlmsgerrAttrPolicy:   {Name: "NLMSGERR_ATTR_POLICY", Type: rtnl.TypeNested, Nested: policySpace},
		nlmsgerrAttrMissType: {Name: "NLMSGERR_ATTR_MISS_TYPE", Type: rtnl.TypeU32},
		nlmsgerrAttrMissNest: {Name: "NLMSGERR_ATTR_MISS_NEST", Type: rtnl.TypeU32},
	}}
)

// include/uapi/linux/netlink.h: enum nlmsgerr_attrs.
const (
	nlmsgerrAttrMsg      = 1
	nlmsgerrAttrOffs     = 2
	nlmsgerrAttrCookie   = 3
	nlmsgerrAttrPolicy   = 4
	nlmsgerrAttrMissType = 5
	nlmsgerrAttrMissNest = 6
)

// ipText formats a 4- or 16-byte address.
func ipText(b []byte) (string, bool) {
	a, ok := netip.AddrFromSlice(b)
	if !ok {
		return "", false
	}
	return a.String(), true
}

// extraAttrs are attributes newer than rtnl's spaces, by space name, from
// the kernel's uapi headers (include/uapi/linux/if_link.h, kernel 6.18).
var extraAttrs = map[string]map[uint16]rtnl.AttrSpec{
	"link": {
		65: {Name: "IFLA_DPLL_PIN", Type: rtnl.TypeBinary},
		66: {Name: "IFLA_MAX_PACING_OFFLOAD_HORIZON", Type: rtnl.TypeBinary},
		67: {Name: "IFLA_NETNS_IMMUTABLE", Type: rtnl.TypeU8},
		68: {Name: "IFLA_HEADROOM", Type: rtnl.TypeU16},
		69: {Name: "IFLA_TAILROOM", Type: rtnl.TypeU16},
	},
}

// uintAttrs are NLA_UINT attributes: an unsigned integer of 4 or 8
// bytes, as the value needs.
var uintAttrs = map[string]bool{
	"IFLA_MAX_PACING_OFFLOAD_HORIZON": true,
}

// attrSpec looks t up in s, then in the extra attributes of s.
func attrSpec(s *rtnl.AttrSpace, t uint16) (rtnl.AttrSpec, bool) {
	if spec, ok := s.Spec(t); ok || s == nil {
		return spec, ok
	}
	spec, ok := extraAttrs[s.Name][t]
	return spec, ok
}
