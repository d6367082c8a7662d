package wire

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// Names of the values that netlink headers and attributes carry, from the
// kernel's uapi headers. rtnl's schema names message and attribute types;
// the tables here name what is inside them: flag bits, enumerations, and
// the fields of the fixed structs.

// bit is one named flag bit.
type bit struct {
	v    uint64
	name string
}

// enum is one named value.
type enum = bit

// flagNames returns the names of the bits set in v, in table order, and
// the bits no name covers.
func flagNames(v uint64, bits []bit) (names []string, rest uint64) {
	rest = v
	for _, b := range bits {
		if b.v != 0 && v&b.v == b.v && rest&b.v != 0 {
			names = append(names, b.name)
			rest &^= b.v
		}
	}
	return names, rest
}

// flagText formats v as NAME|NAME, with unnamed bits in hex; 0 is "0".
func flagText(v uint64, bits []bit) string {
	names, rest := flagNames(v, bits)
	if rest != 0 {
		names = append(names, "0x"+strconv.FormatUint(rest, 16))
	}
	if len(names) == 0 {
		return "0"
	}
	return strings.Join(names, "|")
}

// enumText returns the name of v, or "".
func enumText(v uint64, vals []enum) string {
	for _, e := range vals {
		if e.v == v {
			return e.name
		}
	}
	return ""
}

// include/uapi/linux/netlink.h: standard flag bits in nlmsg_flags.
var nlmFlagsStd = []bit{
	{unix.NLM_F_REQUEST, "NLM_F_REQUEST"},
	{unix.NLM_F_MULTI, "NLM_F_MULTI"},
	{unix.NLM_F_ACK, "NLM_F_ACK"},
	{unix.NLM_F_ECHO, "NLM_F_ECHO"},
	{unix.NLM_F_DUMP_INTR, "NLM_F_DUMP_INTR"},
	{unix.NLM_F_DUMP_FILTERED, "NLM_F_DUMP_FILTERED"},
}

// Modifiers of GET requests. NLM_F_DUMP is NLM_F_ROOT|NLM_F_MATCH and is
// named as one when both are set.
var nlmFlagsGet = []bit{
	{unix.NLM_F_DUMP, "NLM_F_DUMP"},
	{unix.NLM_F_ROOT, "NLM_F_ROOT"},
	{unix.NLM_F_MATCH, "NLM_F_MATCH"},
	{unix.NLM_F_ATOMIC, "NLM_F_ATOMIC"},
}

// Modifiers of NEW requests (and of the notifications that echo them).
var nlmFlagsNew = []bit{
	{unix.NLM_F_REPLACE, "NLM_F_REPLACE"},
	{unix.NLM_F_EXCL, "NLM_F_EXCL"},
	{unix.NLM_F_CREATE, "NLM_F_CREATE"},
	{unix.NLM_F_APPEND, "NLM_F_APPEND"},
}

// Modifiers of DELETE requests.
var nlmFlagsDel = []bit{
	{0x100, "NLM_F_NONREC"},
	{0x200, "NLM_F_BULK"},
}

// Flags of NLMSG_ERROR and NLMSG_DONE.
var nlmFlagsAck = []bit{
	{unix.NLM_F_CAPPED, "NLM_F_CAPPED"},
	{unix.NLM_F_ACK_TLVS, "NLM_F_ACK_TLVS"},
}

// messageFlagBits returns the flag table that applies to messages of type
// t: the high byte of nlmsg_flags means different things for GET, NEW and
// DEL requests and for acks.
func messageFlagBits(t uint16) []bit {
	var extra []bit
	switch {
	case t == unix.NLMSG_ERROR || t == unix.NLMSG_DONE:
		extra = nlmFlagsAck
	case t < unix.NLMSG_MIN_TYPE:
	case t >= unix.RTM_BASE && t%4 == 2: // RTM_GET*
		extra = nlmFlagsGet
	case t >= unix.RTM_BASE && t%4 == 0: // RTM_NEW*
		extra = nlmFlagsNew
	case t >= unix.RTM_BASE && t%4 == 1: // RTM_DEL*
		extra = nlmFlagsDel
	}
	return append(nlmFlagsStd[:len(nlmFlagsStd):len(nlmFlagsStd)], extra...)
}

// rtmNames names every rtnetlink message type of include/uapi/linux/rtnetlink.h,
// also those rtnl has no MessageSpec for (monitor events show them).
var rtmNames = map[uint16]string{
	unix.RTM_NEWLINK: "RTM_NEWLINK", unix.RTM_DELLINK: "RTM_DELLINK", unix.RTM_GETLINK: "RTM_GETLINK", unix.RTM_SETLINK: "RTM_SETLINK",
	unix.RTM_NEWADDR: "RTM_NEWADDR", unix.RTM_DELADDR: "RTM_DELADDR", unix.RTM_GETADDR: "RTM_GETADDR",
	unix.RTM_NEWROUTE: "RTM_NEWROUTE", unix.RTM_DELROUTE: "RTM_DELROUTE", unix.RTM_GETROUTE: "RTM_GETROUTE",
	unix.RTM_NEWNEIGH: "RTM_NEWNEIGH", unix.RTM_DELNEIGH: "RTM_DELNEIGH", unix.RTM_GETNEIGH: "RTM_GETNEIGH",
	unix.RTM_NEWRULE: "RTM_NEWRULE", unix.RTM_DELRULE: "RTM_DELRULE", unix.RTM_GETRULE: "RTM_GETRULE",
	unix.RTM_NEWQDISC: "RTM_NEWQDISC", unix.RTM_DELQDISC: "RTM_DELQDISC", unix.RTM_GETQDISC: "RTM_GETQDISC",
	unix.RTM_NEWTCLASS: "RTM_NEWTCLASS", unix.RTM_DELTCLASS: "RTM_DELTCLASS", unix.RTM_GETTCLASS: "RTM_GETTCLASS",
	unix.RTM_NEWTFILTER: "RTM_NEWTFILTER", unix.RTM_DELTFILTER: "RTM_DELTFILTER", unix.RTM_GETTFILTER: "RTM_GETTFILTER",
	unix.RTM_NEWACTION: "RTM_NEWACTION", unix.RTM_DELACTION: "RTM_DELACTION", unix.RTM_GETACTION: "RTM_GETACTION",
	unix.RTM_NEWPREFIX: "RTM_NEWPREFIX", unix.RTM_GETMULTICAST: "RTM_GETMULTICAST", unix.RTM_GETANYCAST: "RTM_GETANYCAST",
	unix.RTM_NEWNEIGHTBL: "RTM_NEWNEIGHTBL", unix.RTM_GETNEIGHTBL: "RTM_GETNEIGHTBL", unix.RTM_SETNEIGHTBL: "RTM_SETNEIGHTBL",
	unix.RTM_NEWNDUSEROPT: "RTM_NEWNDUSEROPT",
	unix.RTM_NEWADDRLABEL: "RTM_NEWADDRLABEL", unix.RTM_DELADDRLABEL: "RTM_DELADDRLABEL", unix.RTM_GETADDRLABEL: "RTM_GETADDRLABEL",
	unix.RTM_GETDCB: "RTM_GETDCB", unix.RTM_SETDCB: "RTM_SETDCB",
	unix.RTM_NEWNETCONF: "RTM_NEWNETCONF", unix.RTM_DELNETCONF: "RTM_DELNETCONF", unix.RTM_GETNETCONF: "RTM_GETNETCONF",
	unix.RTM_NEWMDB: "RTM_NEWMDB", unix.RTM_DELMDB: "RTM_DELMDB", unix.RTM_GETMDB: "RTM_GETMDB",
	unix.RTM_NEWNSID: "RTM_NEWNSID", unix.RTM_DELNSID: "RTM_DELNSID", unix.RTM_GETNSID: "RTM_GETNSID",
	unix.RTM_NEWSTATS: "RTM_NEWSTATS", unix.RTM_GETSTATS: "RTM_GETSTATS", unix.RTM_SETSTATS: "RTM_SETSTATS",
	unix.RTM_NEWCACHEREPORT: "RTM_NEWCACHEREPORT",
	unix.RTM_NEWCHAIN:       "RTM_NEWCHAIN", unix.RTM_DELCHAIN: "RTM_DELCHAIN", unix.RTM_GETCHAIN: "RTM_GETCHAIN",
	unix.RTM_NEWNEXTHOP: "RTM_NEWNEXTHOP", unix.RTM_DELNEXTHOP: "RTM_DELNEXTHOP", unix.RTM_GETNEXTHOP: "RTM_GETNEXTHOP",
	unix.RTM_NEWLINKPROP: "RTM_NEWLINKPROP", unix.RTM_DELLINKPROP: "RTM_DELLINKPROP", unix.RTM_GETLINKPROP: "RTM_GETLINKPROP",
	unix.RTM_NEWVLAN: "RTM_NEWVLAN", unix.RTM_DELVLAN: "RTM_DELVLAN", unix.RTM_GETVLAN: "RTM_GETVLAN",
	unix.RTM_NEWNEXTHOPBUCKET: "RTM_NEWNEXTHOPBUCKET", unix.RTM_DELNEXTHOPBUCKET: "RTM_DELNEXTHOPBUCKET", unix.RTM_GETNEXTHOPBUCKET: "RTM_GETNEXTHOPBUCKET",
	unix.RTM_NEWTUNNEL: "RTM_NEWTUNNEL", unix.RTM_DELTUNNEL: "RTM_DELTUNNEL", unix.RTM_GETTUNNEL: "RTM_GETTUNNEL",
}

// typeName names message type t: NLMSG_ERROR, RTM_NEWLINK, or "" when
// unknown.
func typeName(t uint16) string {
	switch t {
	case unix.NLMSG_NOOP:
		return "NLMSG_NOOP"
	case unix.NLMSG_ERROR:
		return "NLMSG_ERROR"
	case unix.NLMSG_DONE:
		return "NLMSG_DONE"
	case unix.NLMSG_OVERRUN:
		return "NLMSG_OVERRUN"
	}
	if n, ok := rtmNames[t]; ok {
		return n
	}
	if s, ok := rtnl.Spec(t); ok {
		return s.Name
	}
	return ""
}

// errnoText describes the errno e (positive): "EEXIST: file exists".
func errnoText(e int64) (name, text string) {
	if e == 0 {
		return "", ""
	}
	if e < 0 || e > 4095 {
		return "", fmt.Sprintf("errno %d", e)
	}
	errno := unix.Errno(e)
	return unix.ErrnoName(errno), errno.Error()
}

// include/linux/socket.h: address families that rtnetlink messages carry.
var afNames = []enum{
	{unix.AF_UNSPEC, "AF_UNSPEC"}, {unix.AF_UNIX, "AF_UNIX"}, {unix.AF_INET, "AF_INET"},
	{unix.AF_BRIDGE, "AF_BRIDGE"}, {unix.AF_INET6, "AF_INET6"}, {unix.AF_DECnet, "AF_DECnet"},
	{unix.AF_PACKET, "AF_PACKET"}, {unix.AF_MPLS, "AF_MPLS"}, {unix.AF_MCTP, "AF_MCTP"},
	{128, "RTNL_FAMILY_IPMR"}, {129, "RTNL_FAMILY_IP6MR"},
}

// include/uapi/linux/if_arp.h: ifi_type.
var arphrdNames = []enum{
	{unix.ARPHRD_NETROM, "ARPHRD_NETROM"}, {unix.ARPHRD_ETHER, "ARPHRD_ETHER"},
	{unix.ARPHRD_IEEE802, "ARPHRD_IEEE802"}, {unix.ARPHRD_INFINIBAND, "ARPHRD_INFINIBAND"},
	{unix.ARPHRD_CAN, "ARPHRD_CAN"}, {unix.ARPHRD_PPP, "ARPHRD_PPP"}, {unix.ARPHRD_RAWIP, "ARPHRD_RAWIP"},
	{unix.ARPHRD_TUNNEL, "ARPHRD_TUNNEL"}, {unix.ARPHRD_TUNNEL6, "ARPHRD_TUNNEL6"},
	{unix.ARPHRD_LOOPBACK, "ARPHRD_LOOPBACK"}, {unix.ARPHRD_SIT, "ARPHRD_SIT"},
	{unix.ARPHRD_IPGRE, "ARPHRD_IPGRE"}, {unix.ARPHRD_IEEE80211, "ARPHRD_IEEE80211"},
	{unix.ARPHRD_IEEE80211_RADIOTAP, "ARPHRD_IEEE80211_RADIOTAP"}, {unix.ARPHRD_IP6GRE, "ARPHRD_IP6GRE"},
	{unix.ARPHRD_NETLINK, "ARPHRD_NETLINK"}, {unix.ARPHRD_6LOWPAN, "ARPHRD_6LOWPAN"},
	{unix.ARPHRD_NONE, "ARPHRD_NONE"}, {unix.ARPHRD_VOID, "ARPHRD_VOID"},
}

// include/uapi/linux/if.h: enum net_device_flags, in ifi_flags and
// ifi_change.
var iffNames = []bit{
	{0x1, "IFF_UP"}, {0x2, "IFF_BROADCAST"}, {0x4, "IFF_DEBUG"}, {0x8, "IFF_LOOPBACK"},
	{0x10, "IFF_POINTOPOINT"}, {0x20, "IFF_NOTRAILERS"}, {0x40, "IFF_RUNNING"}, {0x80, "IFF_NOARP"},
	{0x100, "IFF_PROMISC"}, {0x200, "IFF_ALLMULTI"}, {0x400, "IFF_MASTER"}, {0x800, "IFF_SLAVE"},
	{0x1000, "IFF_MULTICAST"}, {0x2000, "IFF_PORTSEL"}, {0x4000, "IFF_AUTOMEDIA"}, {0x8000, "IFF_DYNAMIC"},
	{0x10000, "IFF_LOWER_UP"}, {0x20000, "IFF_DORMANT"}, {0x40000, "IFF_ECHO"},
}

// include/uapi/linux/if_addr.h: IFA_F_*, in ifa_flags and IFA_FLAGS.
// IFA_F_SECONDARY and IFA_F_TEMPORARY share a bit.
var ifaFlagNames = []bit{
	{unix.IFA_F_SECONDARY, "IFA_F_SECONDARY"}, {unix.IFA_F_NODAD, "IFA_F_NODAD"},
	{unix.IFA_F_OPTIMISTIC, "IFA_F_OPTIMISTIC"}, {unix.IFA_F_DADFAILED, "IFA_F_DADFAILED"},
	{unix.IFA_F_HOMEADDRESS, "IFA_F_HOMEADDRESS"}, {unix.IFA_F_DEPRECATED, "IFA_F_DEPRECATED"},
	{unix.IFA_F_TENTATIVE, "IFA_F_TENTATIVE"}, {unix.IFA_F_PERMANENT, "IFA_F_PERMANENT"},
	{unix.IFA_F_MANAGETEMPADDR, "IFA_F_MANAGETEMPADDR"}, {unix.IFA_F_NOPREFIXROUTE, "IFA_F_NOPREFIXROUTE"},
	{unix.IFA_F_MCAUTOJOIN, "IFA_F_MCAUTOJOIN"}, {unix.IFA_F_STABLE_PRIVACY, "IFA_F_STABLE_PRIVACY"},
}

// include/uapi/linux/rtnetlink.h: enum rt_scope_t.
var scopeNames = []enum{
	{unix.RT_SCOPE_UNIVERSE, "RT_SCOPE_UNIVERSE"}, {unix.RT_SCOPE_SITE, "RT_SCOPE_SITE"},
	{unix.RT_SCOPE_LINK, "RT_SCOPE_LINK"}, {unix.RT_SCOPE_HOST, "RT_SCOPE_HOST"},
	{unix.RT_SCOPE_NOWHERE, "RT_SCOPE_NOWHERE"},
}

// include/uapi/linux/rtnetlink.h: enum rt_class_t.
var tableNames = []enum{
	{unix.RT_TABLE_UNSPEC, "RT_TABLE_UNSPEC"}, {unix.RT_TABLE_COMPAT, "RT_TABLE_COMPAT"},
	{unix.RT_TABLE_DEFAULT, "RT_TABLE_DEFAULT"}, {unix.RT_TABLE_MAIN, "RT_TABLE_MAIN"},
	{unix.RT_TABLE_LOCAL, "RT_TABLE_LOCAL"},
}

// include/uapi/linux/rtnetlink.h: RTPROT_*, who installed a route.
var protoNames = []enum{
	{0, "RTPROT_UNSPEC"}, {1, "RTPROT_REDIRECT"}, {2, "RTPROT_KERNEL"}, {3, "RTPROT_BOOT"},
	{4, "RTPROT_STATIC"}, {8, "RTPROT_GATED"}, {9, "RTPROT_RA"}, {10, "RTPROT_MRT"},
	{11, "RTPROT_ZEBRA"}, {12, "RTPROT_BIRD"}, {13, "RTPROT_DNROUTED"}, {14, "RTPROT_XORP"},
	{15, "RTPROT_NTK"}, {16, "RTPROT_DHCP"}, {17, "RTPROT_MROUTED"}, {18, "RTPROT_KEEPALIVED"},
	{42, "RTPROT_BABEL"}, {99, "RTPROT_OPENR"}, {186, "RTPROT_BGP"}, {187, "RTPROT_ISIS"},
	{188, "RTPROT_OSPF"}, {189, "RTPROT_RIP"}, {192, "RTPROT_EIGRP"},
}

// include/uapi/linux/rtnetlink.h: RTN_*, the route type (also ndm_type).
var rtnNames = []enum{
	{unix.RTN_UNSPEC, "RTN_UNSPEC"}, {unix.RTN_UNICAST, "RTN_UNICAST"}, {unix.RTN_LOCAL, "RTN_LOCAL"},
	{unix.RTN_BROADCAST, "RTN_BROADCAST"}, {unix.RTN_ANYCAST, "RTN_ANYCAST"},
	{unix.RTN_MULTICAST, "RTN_MULTICAST"}, {unix.RTN_BLACKHOLE, "RTN_BLACKHOLE"},
	{unix.RTN_UNREACHABLE, "RTN_UNREACHABLE"}, {unix.RTN_PROHIBIT, "RTN_PROHIBIT"},
	{unix.RTN_THROW, "RTN_THROW"}, {unix.RTN_NAT, "RTN_NAT"}, {unix.RTN_XRESOLVE, "RTN_XRESOLVE"},
}

// include/uapi/linux/rtnetlink.h: rtm_flags, the RTNH_F_* bits of the
// next hop in the low byte and the RTM_F_* bits above.
var rtmFlagNames = []bit{
	{unix.RTNH_F_DEAD, "RTNH_F_DEAD"}, {unix.RTNH_F_PERVASIVE, "RTNH_F_PERVASIVE"},
	{unix.RTNH_F_ONLINK, "RTNH_F_ONLINK"}, {unix.RTNH_F_OFFLOAD, "RTNH_F_OFFLOAD"},
	{unix.RTNH_F_LINKDOWN, "RTNH_F_LINKDOWN"}, {unix.RTNH_F_UNRESOLVED, "RTNH_F_UNRESOLVED"},
	{unix.RTNH_F_TRAP, "RTNH_F_TRAP"},
	{unix.RTM_F_NOTIFY, "RTM_F_NOTIFY"}, {unix.RTM_F_CLONED, "RTM_F_CLONED"},
	{unix.RTM_F_EQUALIZE, "RTM_F_EQUALIZE"}, {unix.RTM_F_PREFIX, "RTM_F_PREFIX"},
	{unix.RTM_F_LOOKUP_TABLE, "RTM_F_LOOKUP_TABLE"}, {unix.RTM_F_FIB_MATCH, "RTM_F_FIB_MATCH"},
	{unix.RTM_F_OFFLOAD, "RTM_F_OFFLOAD"}, {unix.RTM_F_TRAP, "RTM_F_TRAP"},
	{unix.RTM_F_OFFLOAD_FAILED, "RTM_F_OFFLOAD_FAILED"},
}

// include/uapi/linux/neighbour.h: NUD_*, the neighbour states.
var nudNames = []bit{
	{unix.NUD_INCOMPLETE, "NUD_INCOMPLETE"}, {unix.NUD_REACHABLE, "NUD_REACHABLE"},
	{unix.NUD_STALE, "NUD_STALE"}, {unix.NUD_DELAY, "NUD_DELAY"}, {unix.NUD_PROBE, "NUD_PROBE"},
	{unix.NUD_FAILED, "NUD_FAILED"}, {unix.NUD_NOARP, "NUD_NOARP"}, {unix.NUD_PERMANENT, "NUD_PERMANENT"},
}

// include/uapi/linux/neighbour.h: NTF_*, in ndm_flags.
var ntfNames = []bit{
	{unix.NTF_USE, "NTF_USE"}, {unix.NTF_SELF, "NTF_SELF"}, {unix.NTF_MASTER, "NTF_MASTER"},
	{unix.NTF_PROXY, "NTF_PROXY"}, {unix.NTF_EXT_LEARNED, "NTF_EXT_LEARNED"},
	{unix.NTF_OFFLOADED, "NTF_OFFLOADED"}, {0x40, "NTF_STICKY"}, {unix.NTF_ROUTER, "NTF_ROUTER"},
}

// include/uapi/linux/if.h: IF_OPER_*, RFC 2863 operational states.
var operNames = []enum{
	{0, "IF_OPER_UNKNOWN"}, {1, "IF_OPER_NOTPRESENT"}, {2, "IF_OPER_DOWN"},
	{3, "IF_OPER_LOWERLAYERDOWN"}, {4, "IF_OPER_TESTING"}, {5, "IF_OPER_DORMANT"}, {6, "IF_OPER_UP"},
}

// include/uapi/linux/if.h: IF_LINK_MODE_*.
var linkModeNames = []enum{{0, "IF_LINK_MODE_DEFAULT"}, {1, "IF_LINK_MODE_DORMANT"}, {2, "IF_LINK_MODE_TESTING"}}

// include/uapi/linux/rtnetlink.h: RTEXT_FILTER_*, in IFLA_EXT_MASK.
var extMaskNames = []bit{
	{1, "RTEXT_FILTER_VF"}, {2, "RTEXT_FILTER_BRVLAN"}, {4, "RTEXT_FILTER_BRVLAN_COMPRESSED"},
	{8, "RTEXT_FILTER_SKIP_STATS"}, {16, "RTEXT_FILTER_MRP"}, {32, "RTEXT_FILTER_CFM_CONFIG"},
	{64, "RTEXT_FILTER_CFM_STATUS"}, {128, "RTEXT_FILTER_MST"},
}

// include/uapi/linux/if_bridge.h: BR_STATE_*, a port's STP state.
var brStateNames = []enum{
	{0, "BR_STATE_DISABLED"}, {1, "BR_STATE_LISTENING"}, {2, "BR_STATE_LEARNING"},
	{3, "BR_STATE_FORWARDING"}, {4, "BR_STATE_BLOCKING"},
}

// include/linux/if_bridge.h: the bridge's STP mode in IFLA_BR_STP_STATE.
var stpModeNames = []enum{{0, "BR_NO_STP"}, {1, "BR_KERNEL_STP"}, {2, "BR_USER_STP"}}

// include/uapi/linux/if_ether.h: VLAN protocols.
var vlanProtoNames = []enum{{0x8100, "ETH_P_8021Q"}, {0x88a8, "ETH_P_8021AD"}}

// include/uapi/linux/if_link.h: enum in6_addr_gen_mode.
var addrGenModeNames = []enum{
	{0, "IN6_ADDR_GEN_MODE_EUI64"}, {1, "IN6_ADDR_GEN_MODE_NONE"},
	{2, "IN6_ADDR_GEN_MODE_STABLE_PRIVACY"}, {3, "IN6_ADDR_GEN_MODE_RANDOM"},
}

// include/uapi/linux/netlink.h: enum netlink_attribute_type, in
// NL_POLICY_TYPE_ATTR_TYPE.
var nlaTypeNames = []enum{
	{0, "NL_ATTR_TYPE_INVALID"}, {1, "NL_ATTR_TYPE_FLAG"}, {2, "NL_ATTR_TYPE_U8"},
	{3, "NL_ATTR_TYPE_U16"}, {4, "NL_ATTR_TYPE_U32"}, {5, "NL_ATTR_TYPE_U64"},
	{6, "NL_ATTR_TYPE_S8"}, {7, "NL_ATTR_TYPE_S16"}, {8, "NL_ATTR_TYPE_S32"},
	{9, "NL_ATTR_TYPE_S64"}, {10, "NL_ATTR_TYPE_BINARY"}, {11, "NL_ATTR_TYPE_STRING"},
	{12, "NL_ATTR_TYPE_NUL_STRING"}, {13, "NL_ATTR_TYPE_NESTED"}, {14, "NL_ATTR_TYPE_NESTED_ARRAY"},
	{15, "NL_ATTR_TYPE_BITFIELD32"}, {16, "NL_ATTR_TYPE_SINT"}, {17, "NL_ATTR_TYPE_UINT"},
}

// valueFormat names an attribute's integer value: an enumeration, flag
// bits, or a unit. It returns "" when it has nothing to add to the number.
type valueFormat func(v uint64) string

func enumFormat(vals []enum) valueFormat {
	return func(v uint64) string { return enumText(v, vals) }
}

func flagFormat(bits []bit) valueFormat {
	return func(v uint64) string {
		if v == 0 {
			return ""
		}
		return flagText(v, bits)
	}
}

// centiseconds formats a clock_t in USER_HZ (100 per second), the unit of
// the bridge's timers and delays.
func centiseconds(v uint64) string {
	s := strconv.FormatFloat(float64(v)/100, 'f', -1, 64)
	return s + "s"
}

// lifetime formats an address lifetime in seconds, INFINITY_LIFE_TIME
// being forever.
func lifetime(v uint64) string {
	if v == 0xffffffff {
		return "forever"
	}
	return strconv.FormatUint(v, 10) + "s"
}

// attrFormats names the values of attributes by the kernel's name for the
// attribute; a name is unique across the attribute spaces.
var attrFormats = map[string]valueFormat{
	"IFLA_OPERSTATE":                  enumFormat(operNames),
	"IFLA_LINKMODE":                   enumFormat(linkModeNames),
	"IFLA_EXT_MASK":                   flagFormat(extMaskNames),
	"IFA_FLAGS":                       flagFormat(ifaFlagNames),
	"RTA_TABLE":                       enumFormat(tableNames),
	"IFLA_BRPORT_STATE":               enumFormat(brStateNames),
	"IFLA_BR_STP_STATE":               enumFormat(stpModeNames),
	"IFLA_BR_VLAN_PROTOCOL":           enumFormat(vlanProtoNames),
	"IFLA_BR_FORWARD_DELAY":           centiseconds,
	"IFLA_BR_HELLO_TIME":              centiseconds,
	"IFLA_BR_MAX_AGE":                 centiseconds,
	"IFLA_BR_AGEING_TIME":             centiseconds,
	"IFLA_BR_HELLO_TIMER":             centiseconds,
	"IFLA_BR_TCN_TIMER":               centiseconds,
	"IFLA_BR_TOPOLOGY_CHANGE_TIMER":   centiseconds,
	"IFLA_BR_GC_TIMER":                centiseconds,
	"IFLA_BRPORT_MESSAGE_AGE_TIMER":   centiseconds,
	"IFLA_BRPORT_FORWARD_DELAY_TIMER": centiseconds,
	"IFLA_BRPORT_HOLD_TIMER":          centiseconds,
	"IFLA_INET6_ADDR_GEN_MODE":        enumFormat(addrGenModeNames),
	"NDA_PROTOCOL":                    enumFormat(protoNames),
	"IFA_PROTO":                       enumFormat([]enum{{1, "IFAPROT_KERNEL_LO"}, {2, "IFAPROT_KERNEL_RA"}, {3, "IFAPROT_KERNEL_LL"}}),
	"NL_POLICY_TYPE_ATTR_TYPE":        enumFormat(nlaTypeNames),
}
