package main

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/bridge"
	"github.com/linkbox/linkbox/rtnl"
)

// The options of ip link ... type bridge and type bridge_slave, as
// iproute2 6.1's iplink_bridge.c and iplink_bridge_slave.c read them.
//
// Each option becomes a one-field bridge.Info (or PortInfo) that the
// bridge package encodes; the attributes are written one after the other,
// in command-line order as iproute2 writes them, and the result is decoded
// into one Info, whose decoded order is then the command line's.
//
// ip counts the bridge's times in centiseconds (clock_t), whatever its
// man page says: forward_delay 400 is 4 seconds.

// kindOpt is one option of a kind's parser.
type kindOpt[T any] struct {
	name  string
	exact bool // compared with strcmp, not iproute2's matches()
	flag  bool // takes no value
	// set parses the value into a fresh T; ok is false when the value is
	// invalid.
	set func(x *T, v string) (ok bool)
}

// findOpt returns the option w names, trying them in iproute2's order, so
// that abbreviations resolve as they do there.
func findOpt[T any](opts []kindOpt[T], w string) *kindOpt[T] {
	for i := range opts {
		o := &opts[i]
		if (o.exact && w == o.name) || (!o.exact && matches(w, o.name)) {
			return o
		}
	}
	return nil
}

// clockOpt32 is a u32 clock_t time.
func clockOpt32(name string, field func(*bridge.Info) **time.Duration) kindOpt[bridge.Info] {
	return kindOpt[bridge.Info]{name: name, set: func(x *bridge.Info, v string) bool {
		n, ok := cUint(v, 32)
		if ok {
			*field(x) = new(bridge.FromClockT(n))
		}
		return ok
	}}
}

// clockOpt64 is a u64 clock_t interval. A count too large for a Duration
// travels raw, as iproute2 sends it.
func clockOpt64(name string, typ uint16, field func(*bridge.Info) **time.Duration) kindOpt[bridge.Info] {
	return kindOpt[bridge.Info]{name: name, set: func(x *bridge.Info, v string) bool {
		n, ok := cUint(v, 64)
		if !ok {
			return false
		}
		if d := bridge.FromClockT(n); d < 1<<63-1 {
			*field(x) = new(d)
		} else {
			var b [8]byte
			binary.NativeEndian.PutUint64(b[:], n)
			x.Unknown = append(x.Unknown, rtnl.Attr{Type: typ, Data: b[:]})
		}
		return true
	}}
}

func u8Opt(name string, field func(*bridge.Info) **uint8) kindOpt[bridge.Info] {
	return kindOpt[bridge.Info]{name: name, set: func(x *bridge.Info, v string) bool {
		n, ok := cUint(v, 8)
		if ok {
			*field(x) = new(uint8(n))
		}
		return ok
	}}
}

func u16Opt(name string, field func(*bridge.Info) **uint16) kindOpt[bridge.Info] {
	return kindOpt[bridge.Info]{name: name, set: func(x *bridge.Info, v string) bool {
		n, ok := cUint(v, 16)
		if ok {
			*field(x) = new(uint16(n))
		}
		return ok
	}}
}

func u32Opt(name string, field func(*bridge.Info) **uint32) kindOpt[bridge.Info] {
	return kindOpt[bridge.Info]{name: name, set: func(x *bridge.Info, v string) bool {
		n, ok := cUint(v, 32)
		if ok {
			*field(x) = new(uint32(n))
		}
		return ok
	}}
}

// boolOpt is a u8 the bridge package holds as a bool. Values other than 0
// and 1 travel raw, as iproute2 sends them.
func boolOpt(name string, typ uint16, field func(*bridge.Info) **bool) kindOpt[bridge.Info] {
	return kindOpt[bridge.Info]{name: name, set: func(x *bridge.Info, v string) bool {
		n, ok := cUint(v, 8)
		switch {
		case !ok:
			return false
		case n <= 1:
			*field(x) = new(n == 1)
		default:
			x.Unknown = append(x.Unknown, rtnl.Attr{Type: typ, Data: []byte{uint8(n)}})
		}
		return true
	}}
}

// boolOptBit is an option that iproute2 gathers into IFLA_BR_MULTI_BOOLOPT,
// which it writes after all the others.
func boolOptBit(name string, bit uint32) kindOpt[bridge.Info] {
	return kindOpt[bridge.Info]{name: name, exact: true, set: func(x *bridge.Info, v string) bool {
		n, ok := cUint(v, 8)
		if ok {
			bo := bridge.BoolOpts{}.Set(bit, n != 0)
			x.BoolOpts = &bo
		}
		return ok
	}}
}

// bridgeOpts are iplink_bridge.c's options, in the order it tries them.
var bridgeOpts = []kindOpt[bridge.Info]{
	clockOpt32("forward_delay", func(x *bridge.Info) **time.Duration { return &x.ForwardDelay }),
	clockOpt32("hello_time", func(x *bridge.Info) **time.Duration { return &x.HelloTime }),
	clockOpt32("max_age", func(x *bridge.Info) **time.Duration { return &x.MaxAge }),
	clockOpt32("ageing_time", func(x *bridge.Info) **time.Duration { return &x.AgeingTime }),
	{name: "stp_state", set: func(x *bridge.Info, v string) bool {
		n, ok := cUint(v, 32)
		if ok {
			x.STPState = new(bridge.STPState(n))
		}
		return ok
	}},
	u16Opt("priority", func(x *bridge.Info) **uint16 { return &x.Priority }),
	boolOpt("vlan_filtering", unix.IFLA_BR_VLAN_FILTERING, func(x *bridge.Info) **bool { return &x.VLANFiltering }),
	{name: "vlan_protocol", set: func(x *bridge.Info, v string) bool {
		p, ok := parseVLANProto(v)
		if ok && p == 0 {
			x.Unknown = append(x.Unknown, rtnl.Attr{Type: unix.IFLA_BR_VLAN_PROTOCOL, Data: []byte{0, 0}})
		} else if ok {
			x.VLANProtocol = p
		}
		return ok
	}},
	u16Opt("group_fwd_mask", func(x *bridge.Info) **uint16 { return &x.GroupFwdMask }),
	{name: "group_address"}, // parsed apart: ll_addr_a2n has its own error
	boolOptBit("no_linklocal_learn", bridge.BoolNoLinkLocalLearn),
	{name: "fdb_flush", flag: true, set: func(x *bridge.Info, _ string) bool { x.FDBFlush = true; return true }},
	u16Opt("vlan_default_pvid", func(x *bridge.Info) **uint16 { return &x.VLANDefaultPVID }),
	boolOpt("vlan_stats_enabled", unix.IFLA_BR_VLAN_STATS_ENABLED, func(x *bridge.Info) **bool { return &x.VLANStatsEnabled }),
	boolOpt("vlan_stats_per_port", unix.IFLA_BR_VLAN_STATS_PER_PORT, func(x *bridge.Info) **bool { return &x.VLANStatsPerPort }),
	u8Opt("mcast_router", func(x *bridge.Info) **uint8 { return &x.McastRouter }),
	boolOpt("mcast_snooping", unix.IFLA_BR_MCAST_SNOOPING, func(x *bridge.Info) **bool { return &x.McastSnooping }),
	boolOptBit("mcast_vlan_snooping", bridge.BoolMcastVLANSnooping),
	boolOpt("mcast_query_use_ifaddr", unix.IFLA_BR_MCAST_QUERY_USE_IFADDR, func(x *bridge.Info) **bool { return &x.McastQueryUseIfaddr }),
	boolOpt("mcast_querier", unix.IFLA_BR_MCAST_QUERIER, func(x *bridge.Info) **bool { return &x.McastQuerier }),
	u32Opt("mcast_hash_elasticity", func(x *bridge.Info) **uint32 { return &x.McastHashElasticity }),
	u32Opt("mcast_hash_max", func(x *bridge.Info) **uint32 { return &x.McastHashMax }),
	u32Opt("mcast_last_member_count", func(x *bridge.Info) **uint32 { return &x.McastLastMemberCount }),
	u32Opt("mcast_startup_query_count", func(x *bridge.Info) **uint32 { return &x.McastStartupQueryCount }),
	clockOpt64("mcast_last_member_interval", unix.IFLA_BR_MCAST_LAST_MEMBER_INTVL, func(x *bridge.Info) **time.Duration { return &x.McastLastMemberIntvl }),
	clockOpt64("mcast_membership_interval", unix.IFLA_BR_MCAST_MEMBERSHIP_INTVL, func(x *bridge.Info) **time.Duration { return &x.McastMembershipIntvl }),
	clockOpt64("mcast_querier_interval", unix.IFLA_BR_MCAST_QUERIER_INTVL, func(x *bridge.Info) **time.Duration { return &x.McastQuerierIntvl }),
	clockOpt64("mcast_query_interval", unix.IFLA_BR_MCAST_QUERY_INTVL, func(x *bridge.Info) **time.Duration { return &x.McastQueryIntvl }),
	clockOpt64("mcast_query_response_interval", unix.IFLA_BR_MCAST_QUERY_RESPONSE_INTVL, func(x *bridge.Info) **time.Duration { return &x.McastQueryResponseIntvl }),
	clockOpt64("mcast_startup_query_interval", unix.IFLA_BR_MCAST_STARTUP_QUERY_INTVL, func(x *bridge.Info) **time.Duration { return &x.McastStartupQueryIntvl }),
	boolOpt("mcast_stats_enabled", unix.IFLA_BR_MCAST_STATS_ENABLED, func(x *bridge.Info) **bool { return &x.McastStatsEnabled }),
	u8Opt("mcast_igmp_version", func(x *bridge.Info) **uint8 { return &x.McastIGMPVersion }),
	u8Opt("mcast_mld_version", func(x *bridge.Info) **uint8 { return &x.McastMLDVersion }),
	boolOpt("nf_call_iptables", unix.IFLA_BR_NF_CALL_IPTABLES, func(x *bridge.Info) **bool { return &x.NFCallIPTables }),
	boolOpt("nf_call_ip6tables", unix.IFLA_BR_NF_CALL_IP6TABLES, func(x *bridge.Info) **bool { return &x.NFCallIP6Tables }),
	boolOpt("nf_call_arptables", unix.IFLA_BR_NF_CALL_ARPTABLES, func(x *bridge.Info) **bool { return &x.NFCallARPTables }),
}

// parseVLANProto reads a VLAN protocol as ll_proto_a2n does: a name, or a
// number (in network byte order on the wire).
func parseVLANProto(v string) (uint16, bool) {
	switch strings.ToLower(v) {
	case "802.1q":
		return unix.ETH_P_8021Q, true
	case "802.1ad":
		return unix.ETH_P_8021AD, true
	}
	n, ok := cUint(v, 16)
	return uint16(n), ok
}

// bridgeExplain is iplink_bridge.c's help, printed on standard error.
const bridgeExplain = `Usage: ... bridge [ fdb_flush ]
		  [ forward_delay FORWARD_DELAY ]
		  [ hello_time HELLO_TIME ]
		  [ max_age MAX_AGE ]
		  [ ageing_time AGEING_TIME ]
		  [ stp_state STP_STATE ]
		  [ priority PRIORITY ]
		  [ group_fwd_mask MASK ]
		  [ group_address ADDRESS ]
		  [ no_linklocal_learn NO_LINKLOCAL_LEARN ]
		  [ vlan_filtering VLAN_FILTERING ]
		  [ vlan_protocol VLAN_PROTOCOL ]
		  [ vlan_default_pvid VLAN_DEFAULT_PVID ]
		  [ vlan_stats_enabled VLAN_STATS_ENABLED ]
		  [ vlan_stats_per_port VLAN_STATS_PER_PORT ]
		  [ mcast_snooping MULTICAST_SNOOPING ]
		  [ mcast_vlan_snooping MULTICAST_VLAN_SNOOPING ]
		  [ mcast_router MULTICAST_ROUTER ]
		  [ mcast_query_use_ifaddr MCAST_QUERY_USE_IFADDR ]
		  [ mcast_querier MULTICAST_QUERIER ]
		  [ mcast_hash_elasticity HASH_ELASTICITY ]
		  [ mcast_hash_max HASH_MAX ]
		  [ mcast_last_member_count LAST_MEMBER_COUNT ]
		  [ mcast_startup_query_count STARTUP_QUERY_COUNT ]
		  [ mcast_last_member_interval LAST_MEMBER_INTERVAL ]
		  [ mcast_membership_interval MEMBERSHIP_INTERVAL ]
		  [ mcast_querier_interval QUERIER_INTERVAL ]
		  [ mcast_query_interval QUERY_INTERVAL ]
		  [ mcast_query_response_interval QUERY_RESPONSE_INTERVAL ]
		  [ mcast_startup_query_interval STARTUP_QUERY_INTERVAL ]
		  [ mcast_stats_enabled MCAST_STATS_ENABLED ]
		  [ mcast_igmp_version IGMP_VERSION ]
		  [ mcast_mld_version MLD_VERSION ]
		  [ nf_call_iptables NF_CALL_IPTABLES ]
		  [ nf_call_ip6tables NF_CALL_IP6TABLES ]
		  [ nf_call_arptables NF_CALL_ARPTABLES ]

Where: VLAN_PROTOCOL := { 802.1Q | 802.1ad }`

// errKindValue is iproute2's invarg() for a kind's option: its message
// carries no newline of its own, unlike the generic parser's.
func errKindValue(value, what string) error {
	return usagef(`Error: argument "%s" is wrong: %s`, value, what)
}

// parseBridgeOpts reads the options of type bridge into one Info whose
// attributes encode in command-line order, IFLA_BR_MULTI_BOOLOPT last.
func parseBridgeOpts(a *args) (*bridge.Info, error) {
	e := rtnl.NewEncoder(nil)
	var bo *bridge.BoolOpts
	for a.more() {
		w := a.next()
		o := findOpt(bridgeOpts, w)
		if o == nil {
			if matches(w, "help") {
				return nil, &cliError{code: 1, msg: bridgeExplain}
			}
			return nil, &cliError{code: 1, msg: fmt.Sprintf("bridge: unknown command %q?\n%s", w, bridgeExplain)}
		}
		var one bridge.Info
		switch {
		case o.flag:
			o.set(&one, "")
		case o.name == "group_address":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			mac, err := parseLLAddr(v)
			if err != nil {
				return nil, err
			}
			if len(mac) != 6 {
				// The kernel takes only an Ethernet address; the
				// bridge package refuses to encode another length.
				one.Unknown = []rtnl.Attr{{Type: unix.IFLA_BR_GROUP_ADDR, Data: mac}}
			} else {
				one.GroupAddr = mac
			}
		default:
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			if !o.set(&one, v) {
				return nil, errKindValue(v, "invalid "+o.name)
			}
		}
		if one.BoolOpts != nil {
			// Gathered, and written after everything else.
			if bo == nil {
				bo = new(bridge.BoolOpts)
			}
			bit := one.BoolOpts.Mask
			*bo = bo.Set(bit, one.BoolOpts.Value&bit != 0)
			continue
		}
		one.Encode(e)
	}
	if bo != nil {
		(&bridge.Info{BoolOpts: bo}).Encode(e)
	}
	return decodeInOrder(e, new(bridge.Info))
}

// decodeInOrder decodes the attributes written to e into x, which then
// encodes them again in the same order.
func decodeInOrder[T interface{ Decode(*rtnl.Decoder) error }](e *rtnl.Encoder, x T) (T, error) {
	b, err := e.Encode()
	if err != nil {
		return x, err
	}
	if err := x.Decode(rtnl.NewDecoder(b)); err != nil {
		return x, err
	}
	return x, nil
}

// onOffPort reads on or off as iproute2's parse_on_off does: a prefix of
// either, "off" tried first; anything else exits with status 1.
func onOffPort(what, v string) (bool, error) {
	switch {
	case matches(v, "off"):
		return false, nil
	case matches(v, "on"):
		return true, nil
	}
	return false, &cliError{code: 1, msg: fmt.Sprintf(`Error: argument of "%s" must be one of "off", "on", not "%s"`, what, v)}
}

// portOpt is one option of type bridge_slave.
type portOpt struct {
	name string
	// onOff is the field an on/off option sets; nil for the others.
	onOff func(*bridge.PortInfo) **bool
	// set parses the value of the other options into a fresh PortInfo.
	set  func(p *bridge.PortInfo, v string, conn *rtnl.Conn) error
	flag bool
}

func portBool(name string, field func(*bridge.PortInfo) **bool) portOpt {
	return portOpt{name: name, onOff: field}
}

// portOpts are iplink_bridge_slave.c's options, in the order it tries
// them. "mab" is iproute2 6.2's, which 6.1 lacks.
var portOpts = []portOpt{
	{name: "fdb_flush", flag: true, set: func(p *bridge.PortInfo, _ string, _ *rtnl.Conn) error { p.Flush = true; return nil }},
	{name: "state", set: func(p *bridge.PortInfo, v string, _ *rtnl.Conn) error {
		n, ok := cUint(v, 8)
		if !ok {
			return errKindValue(v, "state is invalid")
		}
		p.State = new(bridge.PortState(n))
		return nil
	}},
	{name: "priority", set: func(p *bridge.PortInfo, v string, _ *rtnl.Conn) error {
		n, ok := cUint(v, 16)
		if !ok {
			return errKindValue(v, "priority is invalid")
		}
		p.Priority = new(uint16(n))
		return nil
	}},
	{name: "cost", set: func(p *bridge.PortInfo, v string, _ *rtnl.Conn) error {
		n, ok := cUint(v, 32)
		if !ok {
			return errKindValue(v, "cost is invalid")
		}
		p.Cost = new(uint32(n))
		return nil
	}},
	portBool("hairpin", func(p *bridge.PortInfo) **bool { return &p.Hairpin }),
	portBool("guard", func(p *bridge.PortInfo) **bool { return &p.Guard }),
	portBool("root_block", func(p *bridge.PortInfo) **bool { return &p.RootBlock }),
	portBool("fastleave", func(p *bridge.PortInfo) **bool { return &p.FastLeave }),
	portBool("learning", func(p *bridge.PortInfo) **bool { return &p.Learning }),
	portBool("flood", func(p *bridge.PortInfo) **bool { return &p.UnicastFlood }),
	portBool("mcast_flood", func(p *bridge.PortInfo) **bool { return &p.McastFlood }),
	portBool("bcast_flood", func(p *bridge.PortInfo) **bool { return &p.BcastFlood }),
	portBool("mcast_to_unicast", func(p *bridge.PortInfo) **bool { return &p.McastToUnicast }),
	portBool("proxy_arp", func(p *bridge.PortInfo) **bool { return &p.ProxyARP }),
	portBool("proxy_arp_wifi", func(p *bridge.PortInfo) **bool { return &p.ProxyARPWiFi }),
	{name: "mcast_router", set: func(p *bridge.PortInfo, v string, _ *rtnl.Conn) error {
		n, ok := cUint(v, 8)
		if !ok {
			return errKindValue(v, "invalid mcast_router")
		}
		p.McastRouter = new(uint8(n))
		return nil
	}},
	portBool("mcast_fast_leave", func(p *bridge.PortInfo) **bool { return &p.FastLeave }),
	portBool("neigh_suppress", func(p *bridge.PortInfo) **bool { return &p.NeighSuppress }),
	{name: "group_fwd_mask", set: func(p *bridge.PortInfo, v string, _ *rtnl.Conn) error {
		n, ok := cUint(v, 16)
		if !ok {
			return errKindValue(v, "invalid group_fwd_mask")
		}
		p.GroupFwdMask = new(uint16(n))
		return nil
	}},
	portBool("vlan_tunnel", func(p *bridge.PortInfo) **bool { return &p.VLANTunnel }),
	portBool("isolated", func(p *bridge.PortInfo) **bool { return &p.Isolated }),
	portBool("locked", func(p *bridge.PortInfo) **bool { return &p.Locked }),
	portBool("mab", func(p *bridge.PortInfo) **bool { return &p.MAB }),
	{name: "backup_port", set: func(p *bridge.PortInfo, v string, conn *rtnl.Conn) error {
		idx, err := conn.LinkIndex(v)
		if err != nil {
			return errInvalidArg(v, "Device does not exist")
		}
		p.BackupPort = new(uint32(idx))
		return nil
	}},
	{name: "nobackup_port", flag: true, set: func(p *bridge.PortInfo, _ string, _ *rtnl.Conn) error {
		p.BackupPort = new(uint32(0))
		return nil
	}},
}

// portExplain is iplink_bridge_slave.c's help, printed on standard error.
const portExplain = `Usage: ... bridge_slave [ fdb_flush ]
			[ state STATE ]
			[ priority PRIO ]
			[ cost COST ]
			[ guard {on | off} ]
			[ hairpin {on | off} ]
			[ fastleave {on | off} ]
			[ root_block {on | off} ]
			[ learning {on | off} ]
			[ flood {on | off} ]
			[ proxy_arp {on | off} ]
			[ proxy_arp_wifi {on | off} ]
			[ mcast_router MULTICAST_ROUTER ]
			[ mcast_fast_leave {on | off} ]
			[ mcast_flood {on | off} ]
			[ bcast_flood {on | off} ]
			[ mcast_to_unicast {on | off} ]
			[ group_fwd_mask MASK ]
			[ neigh_suppress {on | off} ]
			[ vlan_tunnel {on | off} ]
			[ isolated {on | off} ]
			[ locked {on | off} ]
			[ backup_port DEVICE ] [ nobackup_port ]`

// parsePortOpts reads the options of type bridge_slave into one PortInfo
// whose attributes encode in command-line order.
func parsePortOpts(a *args, conn *rtnl.Conn) (*bridge.PortInfo, error) {
	e := rtnl.NewEncoder(nil)
	for a.more() {
		w := a.next()
		var o *portOpt
		for i := range portOpts {
			if matches(w, portOpts[i].name) {
				o = &portOpts[i]
				break
			}
		}
		if o == nil {
			if matches(w, "help") {
				return nil, &cliError{code: 1, msg: portExplain}
			}
			return nil, &cliError{code: 1, msg: fmt.Sprintf("bridge_slave: unknown option %q?\n%s", w, portExplain)}
		}
		var one bridge.PortInfo
		v := ""
		if !o.flag {
			var err error
			if v, err = a.value(); err != nil {
				return nil, err
			}
		}
		if o.onOff != nil {
			on, err := onOffPort(o.name, v)
			if err != nil {
				return nil, err
			}
			*o.onOff(&one) = new(on)
		} else if err := o.set(&one, v, conn); err != nil {
			return nil, err
		}
		one.Encode(e)
	}
	return decodeInOrder(e, new(bridge.PortInfo))
}
