package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/bridge"
	"github.com/linkbox/linkbox/rtnl"
)

// ip -d link show: the details iproute2's print_linkinfo writes after the
// link/ line, in its order and words, as text and as JSON. The kinds'
// parts follow iplink_bridge.c's and iplink_bridge_slave.c's print_opt;
// veth prints its kind and nothing more.

// detail is one value of the details: a JSON key and the text iproute2
// writes for it. The text carries its own spacing.
type detail struct {
	key  string
	text string
	json any // nil: not in the JSON output
}

// details collects details, for text or JSON.
type details []detail

func (ds *details) add(key, text string, v any) { *ds = append(*ds, detail{key, text, v}) }

func (ds details) writeText(b *strings.Builder) {
	for _, d := range ds {
		b.WriteString(d.text)
	}
}

func (ds details) jobj() *jobj {
	o := &jobj{}
	for _, d := range ds {
		if d.json != nil {
			o.add(d.key, d.json)
		}
	}
	return o
}

// linkHead is the part of the details before the link kind's: the counts
// and MTU bounds.
func linkHead(a *rtnl.LinkAttrs) details {
	var ds details
	if a.Has(unix.IFLA_PROMISCUITY) {
		ds.add("promiscuity", fmt.Sprintf(" promiscuity %d ", a.Promiscuity), a.Promiscuity)
	}
	if a.Has(unix.IFLA_ALLMULTI) {
		ds.add("allmulti", fmt.Sprintf(" allmulti %d ", a.AllMulti), a.AllMulti)
	}
	if a.Has(unix.IFLA_MIN_MTU) {
		ds.add("min_mtu", fmt.Sprintf("minmtu %d ", a.MinMTU), a.MinMTU)
	}
	if a.Has(unix.IFLA_MAX_MTU) {
		ds.add("max_mtu", fmt.Sprintf("maxmtu %d ", a.MaxMTU), a.MaxMTU)
	}
	return ds
}

// linkTail is the part after the link kind's: address generation mode
// (ip link only, not ip address), queue counts, segmentation limits, port
// names.
func linkTail(a *rtnl.LinkAttrs, isLink bool) details {
	var ds details
	if af, ok := a.Raw(unix.IFLA_AF_SPEC); ok && isLink {
		if m, ok := addrGenMode(af); ok {
			ds.add("inet6_addr_gen_mode", "addrgenmode "+m+" ", m)
		}
	}
	if a.Has(unix.IFLA_NUM_TX_QUEUES) {
		ds.add("num_tx_queues", fmt.Sprintf("numtxqueues %d ", a.NumTxQueues), a.NumTxQueues)
	}
	if a.Has(unix.IFLA_NUM_RX_QUEUES) {
		ds.add("num_rx_queues", fmt.Sprintf("numrxqueues %d ", a.NumRxQueues), a.NumRxQueues)
	}
	for _, u := range []struct {
		t    uint16
		name string
	}{
		{unix.IFLA_GSO_MAX_SIZE, "gso_max_size"}, {unix.IFLA_GSO_MAX_SEGS, "gso_max_segs"},
		{unix.IFLA_TSO_MAX_SIZE, "tso_max_size"}, {unix.IFLA_TSO_MAX_SEGS, "tso_max_segs"},
		{unix.IFLA_GRO_MAX_SIZE, "gro_max_size"},
	} {
		if b, ok := a.Raw(u.t); ok && len(b) >= 4 {
			v := binary.NativeEndian.Uint32(b)
			ds.add(u.name, fmt.Sprintf("%s %d ", u.name, v), v)
		}
	}
	if b, ok := a.Raw(unix.IFLA_PHYS_PORT_NAME); ok {
		s := cString(b)
		ds.add("phys_port_name", "portname "+s+" ", s)
	}
	if b, ok := a.Raw(unix.IFLA_PHYS_PORT_ID); ok {
		s := fmt.Sprintf("%x", b)
		ds.add("phys_port_id", "portid "+s+" ", s)
	}
	if b, ok := a.Raw(unix.IFLA_PHYS_SWITCH_ID); ok {
		s := fmt.Sprintf("%x", b)
		ds.add("phys_switch_id", "switchid "+s+" ", s)
	}
	if b, ok := a.Raw(unix.IFLA_PARENT_DEV_BUS_NAME); ok {
		s := cString(b)
		ds.add("parentbus", "parentbus "+s+" ", s)
	}
	if b, ok := a.Raw(unix.IFLA_PARENT_DEV_NAME); ok {
		s := cString(b)
		ds.add("parentdev", "parentdev "+s+" ", s)
	}
	return ds
}

// cString is a NUL-terminated string attribute's text.
func cString(b []byte) string {
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// enum in6_addr_gen_mode, from include/uapi/linux/if_link.h.
const (
	in6AddrGenModeEUI64         = 0
	in6AddrGenModeNone          = 1
	in6AddrGenModeStablePrivacy = 2
	in6AddrGenModeRandom        = 3
)

// addrGenMode reads IFLA_INET6_ADDR_GEN_MODE from IFLA_AF_SPEC's AF_INET6
// nest and names it as iproute2 does.
func addrGenMode(af []byte) (string, bool) {
	var mode []byte
	d := rtnl.NewDecoder(af)
	for d.Next() {
		if d.Type() != unix.AF_INET6 {
			continue
		}
		in := rtnl.NewDecoder(d.Bytes())
		for in.Next() {
			if in.Type() == unix.IFLA_INET6_ADDR_GEN_MODE && len(in.Bytes()) >= 1 {
				mode = in.Bytes()
			}
		}
		break
	}
	if mode == nil {
		return "", false
	}
	switch mode[0] {
	case in6AddrGenModeEUI64:
		return "eui64", true
	case in6AddrGenModeNone:
		return "none", true
	case in6AddrGenModeStablePrivacy:
		return "stable_secret", true
	case in6AddrGenModeRandom:
		return "random", true
	}
	return fmt.Sprintf("%#.2x", mode[0]), true
}

// linkDetailsText writes what ip -d link adds to a link's text.
func (c *ipCmd) linkDetailsText(b *strings.Builder, l *rtnl.LinkMessage) {
	c.detailsText(b, l, true)
}

// addrDetailsText writes what ip -d address adds to a link's text: the
// same as ip -d link, without the address generation mode.
func (c *ipCmd) addrDetailsText(b *strings.Builder, l *rtnl.LinkMessage) {
	c.detailsText(b, l, false)
}

// linkDetailsJSON adds what ip -d -j link adds to a link's object.
func (c *ipCmd) linkDetailsJSON(o *jobj, l *rtnl.LinkMessage) { c.detailsJSON(o, l, true) }

// addrDetailsJSON adds what ip -d -j address adds to a link's object.
func (c *ipCmd) addrDetailsJSON(o *jobj, l *rtnl.LinkMessage) { c.detailsJSON(o, l, false) }

func (c *ipCmd) detailsText(b *strings.Builder, l *rtnl.LinkMessage, isLink bool) {
	a := &l.Attrs
	linkHead(a).writeText(b)
	if li := a.Info; li != nil {
		if li.Kind != "" {
			fmt.Fprintf(b, "\n    %s ", li.Kind)
			if ds, ok := c.kindDetails(li); ok {
				ds.writeText(b)
			}
		}
		if li.SlaveKind != "" {
			fmt.Fprintf(b, "\n    %s_slave ", li.SlaveKind)
			if ds, ok := c.slaveDetails(li); ok {
				ds.writeText(b)
			}
		}
	}
	linkTail(a, isLink).writeText(b)
}

func (c *ipCmd) detailsJSON(o *jobj, l *rtnl.LinkMessage, isLink bool) {
	a := &l.Attrs
	for _, kv := range *linkHead(a).jobj() {
		o.add(kv.k, kv.v)
	}
	if li := a.Info; li != nil {
		info := &jobj{}
		if li.Kind != "" {
			info.add("info_kind", li.Kind)
			if ds, ok := c.kindDetails(li); ok {
				info.add("info_data", ds.jobj())
			}
		}
		if li.SlaveKind != "" {
			info.add("info_slave_kind", li.SlaveKind)
			if ds, ok := c.slaveDetails(li); ok {
				info.add("info_slave_data", ds.jobj())
			}
		}
		o.add("linkinfo", info)
	}
	for _, kv := range *linkTail(a, isLink).jobj() {
		o.add(kv.k, kv.v)
	}
}

// kindDetails are the kind's own details; ok is false for a kind that
// iproute2 prints nothing more for (veth) or that linkbox does not know.
func (c *ipCmd) kindDetails(li *rtnl.LinkInfo) (details, bool) {
	if li.Kind != "bridge" {
		return nil, false
	}
	if li.Data == nil {
		return details{}, true
	}
	l := &rtnl.LinkMessage{Attrs: rtnl.LinkAttrs{Info: li}}
	x, err := bridge.InfoOf(l)
	if err != nil {
		return details{}, true
	}
	return bridgeDetails(x), true
}

// slaveDetails are the port's details under its master's kind.
func (c *ipCmd) slaveDetails(li *rtnl.LinkInfo) (details, bool) {
	if li.SlaveKind != "bridge" {
		return nil, false
	}
	if li.SlaveData == nil {
		return details{}, true
	}
	l := &rtnl.LinkMessage{Attrs: rtnl.LinkAttrs{Info: li}}
	p, err := bridge.PortInfoOf(l)
	if err != nil {
		return details{}, true
	}
	return c.portDetails(p), true
}

// present returns the attribute types a kind's data holds: the decoded
// data encodes exactly what was decoded.
func present(ld rtnl.LinkData) map[uint16]bool {
	e := rtnl.NewEncoder(nil)
	ld.Encode(e)
	b, err := e.Encode()
	m := map[uint16]bool{}
	if err != nil {
		return m
	}
	d := rtnl.NewDecoder(b)
	for d.Next() {
		m[d.Type()] = true
	}
	return m
}

// centis is a Duration as the clock_t count the kernel sent.
func centis(d time.Duration) uint64 { return uint64(d / (10 * time.Millisecond)) }

// timerText is iproute2's "%s %4i.%.2i " for a timer, and its JSON
// number.
func timerText(name string, d time.Duration) detail {
	cs := centis(d)
	num := fmt.Sprintf("%d.%02d", cs/100, cs%100)
	return detail{name, fmt.Sprintf("%s %4d.%02d ", name, cs/100, cs%100), json.RawMessage(num)}
}

// etherNtoa is glibc's ether_ntoa: bytes in hex without leading zeros.
func etherNtoa(a [6]byte) string {
	return fmt.Sprintf("%x:%x:%x:%x:%x:%x", a[0], a[1], a[2], a[3], a[4], a[5])
}

// bridgeIDText is iproute2's br_dump_bridge_id: "8000.2:0:0:0:0:1".
func bridgeIDText(id bridge.BridgeID) string {
	return fmt.Sprintf("%04x.%s", id.Priority, etherNtoa(id.Addr))
}

// hex0x is C's "%#llx": 0 stays "0", others get 0x.
func hex0x(v uint64) string {
	if v == 0 {
		return "0"
	}
	return fmt.Sprintf("%#x", v)
}

func b01(v bool) uint8 {
	if v {
		return 1
	}
	return 0
}

func onOffWord(v bool) string {
	if v {
		return "on"
	}
	return "off"
}

// vlanProtoName is ll_proto_n2a for the two VLAN protocols.
func vlanProtoName(p uint16) string {
	switch p {
	case unix.ETH_P_8021Q:
		return "802.1Q"
	case unix.ETH_P_8021AD:
		return "802.1ad"
	}
	return "[" + strconv.Itoa(int(p)) + "]"
}

// bridgeDetails is iplink_bridge.c's bridge_print_opt.
func bridgeDetails(x *bridge.Info) details {
	has := present(x)
	var ds details
	put := func(key, word string, v uint64) {
		ds.add(key, fmt.Sprintf("%s %d ", word, v), v)
	}
	clock := func(key string, d *time.Duration) {
		if d != nil {
			put(key, key, centis(*d))
		}
	}
	b8 := func(key string, v *bool) {
		if v != nil {
			put(key, key, uint64(b01(*v)))
		}
	}
	clock("forward_delay", x.ForwardDelay)
	clock("hello_time", x.HelloTime)
	clock("max_age", x.MaxAge)
	clock("ageing_time", x.AgeingTime)
	if x.STPState != nil {
		put("stp_state", "stp_state", uint64(*x.STPState))
	}
	if x.Priority != nil {
		put("priority", "priority", uint64(*x.Priority))
	}
	b8("vlan_filtering", x.VLANFiltering)
	if has[unix.IFLA_BR_VLAN_PROTOCOL] {
		n := vlanProtoName(x.VLANProtocol)
		ds.add("vlan_protocol", "vlan_protocol "+n+" ", n)
	}
	if has[unix.IFLA_BR_BRIDGE_ID] {
		s := bridgeIDText(x.BridgeID)
		ds.add("bridge_id", "bridge_id "+s+" ", s)
	}
	if has[unix.IFLA_BR_ROOT_ID] {
		// iproute2 6.1 prints the bridge id here too (it reads
		// IFLA_BR_BRIDGE_ID for the root).
		s := bridgeIDText(x.BridgeID)
		ds.add("root_id", "designated_root "+s+" ", s)
	}
	if has[unix.IFLA_BR_ROOT_PORT] {
		put("root_port", "root_port", uint64(x.RootPort))
	}
	if has[unix.IFLA_BR_ROOT_PATH_COST] {
		put("root_path_cost", "root_path_cost", uint64(x.RootPathCost))
	}
	if has[unix.IFLA_BR_TOPOLOGY_CHANGE] {
		put("topology_change", "topology_change", uint64(x.TopologyChange))
	}
	if has[unix.IFLA_BR_TOPOLOGY_CHANGE_DETECTED] {
		put("topology_change_detected", "topology_change_detected", uint64(x.TopologyChangeDetected))
	}
	for _, t := range []struct {
		typ  uint16
		name string
		v    time.Duration
	}{
		{unix.IFLA_BR_HELLO_TIMER, "hello_timer", x.HelloTimer},
		{unix.IFLA_BR_TCN_TIMER, "tcn_timer", x.TCNTimer},
		{unix.IFLA_BR_TOPOLOGY_CHANGE_TIMER, "topology_change_timer", x.TopologyChangeTimer},
		{unix.IFLA_BR_GC_TIMER, "gc_timer", x.GCTimer},
	} {
		if has[t.typ] {
			ds = append(ds, timerText(t.name, t.v))
		}
	}
	if x.VLANDefaultPVID != nil {
		put("vlan_default_pvid", "vlan_default_pvid", uint64(*x.VLANDefaultPVID))
	}
	b8("vlan_stats_enabled", x.VLANStatsEnabled)
	b8("vlan_stats_per_port", x.VLANStatsPerPort)
	if x.GroupFwdMask != nil {
		s := hex0x(uint64(*x.GroupFwdMask))
		ds.add("group_fwd_mask", "group_fwd_mask "+s+" ", s)
	}
	if x.GroupAddr != nil {
		s := x.GroupAddr.String()
		ds.add("group_addr", "group_address "+s+" ", s)
	}
	b8("mcast_snooping", x.McastSnooping)
	if bo := x.BoolOpts; bo != nil {
		if bo.Mask&bridge.BoolNoLinkLocalLearn != 0 {
			put("no_linklocal_learn", "no_linklocal_learn", uint64(b01(bo.Value&bridge.BoolNoLinkLocalLearn != 0)))
		}
		if bo.Mask&bridge.BoolMcastVLANSnooping != 0 {
			put("mcast_vlan_snooping", "mcast_vlan_snooping", uint64(b01(bo.Value&bridge.BoolMcastVLANSnooping != 0)))
		}
	}
	if x.McastRouter != nil {
		put("mcast_router", "mcast_router", uint64(*x.McastRouter))
	}
	b8("mcast_query_use_ifaddr", x.McastQueryUseIfaddr)
	b8("mcast_querier", x.McastQuerier)
	for _, u := range []struct {
		key, word string
		v         *uint32
	}{
		{"mcast_hash_elasticity", "mcast_hash_elasticity", x.McastHashElasticity},
		{"mcast_hash_max", "mcast_hash_max", x.McastHashMax},
		{"mcast_last_member_cnt", "mcast_last_member_count", x.McastLastMemberCount},
		{"mcast_startup_query_cnt", "mcast_startup_query_count", x.McastStartupQueryCount},
	} {
		if u.v != nil {
			put(u.key, u.word, uint64(*u.v))
		}
	}
	for _, u := range []struct {
		key, word string
		v         *time.Duration
	}{
		{"mcast_last_member_intvl", "mcast_last_member_interval", x.McastLastMemberIntvl},
		{"mcast_membership_intvl", "mcast_membership_interval", x.McastMembershipIntvl},
		{"mcast_querier_intvl", "mcast_querier_interval", x.McastQuerierIntvl},
		{"mcast_query_intvl", "mcast_query_interval", x.McastQueryIntvl},
		{"mcast_query_response_intvl", "mcast_query_response_interval", x.McastQueryResponseIntvl},
		{"mcast_startup_query_intvl", "mcast_startup_query_interval", x.McastStartupQueryIntvl},
	} {
		if u.v != nil {
			put(u.key, u.word, centis(*u.v))
		}
	}
	b8("mcast_stats_enabled", x.McastStatsEnabled)
	if x.McastIGMPVersion != nil {
		put("mcast_igmp_version", "mcast_igmp_version", uint64(*x.McastIGMPVersion))
	}
	if x.McastMLDVersion != nil {
		put("mcast_mld_version", "mcast_mld_version", uint64(*x.McastMLDVersion))
	}
	b8("nf_call_iptables", x.NFCallIPTables)
	b8("nf_call_ip6tables", x.NFCallIP6Tables)
	b8("nf_call_arptables", x.NFCallARPTables)
	return ds
}

// portStateNames are the port states by number, as iproute2 names them.
var portStateNames = []string{"disabled", "listening", "learning", "forwarding", "blocking"}

// fwdMaskNames name the bits of a port's group_fwd_mask that iproute2
// knows.
var fwdMaskNames = map[int]string{0: "stp", 2: "lacp", 14: "lldp"}

// fwdMaskText is iproute2's _bitmask2str for a group_fwd_mask.
func fwdMaskText(m uint16) string {
	var parts []string
	for i := 0; m != 0; i, m = i+1, m>>1 {
		if m&1 == 0 {
			continue
		}
		if n, ok := fwdMaskNames[i]; ok {
			parts = append(parts, n)
		} else {
			parts = append(parts, fmt.Sprintf("0x%x", 1<<i))
		}
	}
	if len(parts) == 0 {
		return "0x0"
	}
	return strings.Join(parts, ",")
}

// portDetails is iplink_bridge_slave.c's bridge_slave_print_opt.
func (c *ipCmd) portDetails(p *bridge.PortInfo) details {
	has := present(p)
	var ds details
	onOff := func(key, word string, v *bool) {
		if v != nil {
			ds.add(key, fmt.Sprintf("%s %s ", word, onOffWord(*v)), *v)
		}
	}
	num := func(key, word string, v uint64) {
		ds.add(key, fmt.Sprintf("%s %d ", word, v), v)
	}
	if s := p.State; s != nil {
		if int(*s) < len(portStateNames) {
			n := portStateNames[*s]
			ds.add("state", "state "+n+" ", n)
		} else {
			ds.add("state_index", fmt.Sprintf("state (%d) ", *s), uint8(*s))
		}
	}
	if p.Priority != nil {
		num("priority", "priority", uint64(*p.Priority))
	}
	if p.Cost != nil {
		num("cost", "cost", uint64(*p.Cost))
	}
	onOff("hairpin", "hairpin", p.Hairpin)
	onOff("guard", "guard", p.Guard)
	onOff("root_block", "root_block", p.RootBlock)
	onOff("fastleave", "fastleave", p.FastLeave)
	onOff("learning", "learning", p.Learning)
	onOff("flood", "flood", p.UnicastFlood)
	if has[unix.IFLA_BRPORT_ID] {
		s := hex0x(uint64(p.ID))
		ds.add("id", "port_id "+s+" ", s)
	}
	if has[unix.IFLA_BRPORT_NO] {
		s := hex0x(uint64(p.No))
		ds.add("no", "port_no "+s+" ", s)
	}
	if has[unix.IFLA_BRPORT_DESIGNATED_PORT] {
		num("designated_port", "designated_port", uint64(p.DesignatedPort))
	}
	if has[unix.IFLA_BRPORT_DESIGNATED_COST] {
		num("designated_cost", "designated_cost", uint64(p.DesignatedCost))
	}
	if has[unix.IFLA_BRPORT_BRIDGE_ID] {
		s := bridgeIDText(p.DesignatedBridge)
		ds.add("bridge_id", "designated_bridge "+s+" ", s)
	}
	if has[unix.IFLA_BRPORT_ROOT_ID] {
		s := bridgeIDText(p.DesignatedRoot)
		ds.add("root_id", "designated_root "+s+" ", s)
	}
	for _, t := range []struct {
		typ  uint16
		name string
		v    time.Duration
	}{
		{unix.IFLA_BRPORT_HOLD_TIMER, "hold_timer", p.HoldTimer},
		{unix.IFLA_BRPORT_MESSAGE_AGE_TIMER, "message_age_timer", p.MessageAgeTimer},
		{unix.IFLA_BRPORT_FORWARD_DELAY_TIMER, "forward_delay_timer", p.ForwardDelayTimer},
	} {
		if has[t.typ] {
			ds = append(ds, timerText(t.name, t.v))
		}
	}
	if has[unix.IFLA_BRPORT_TOPOLOGY_CHANGE_ACK] {
		num("topology_change_ack", "topology_change_ack", uint64(p.TopologyChangeAck))
	}
	if has[unix.IFLA_BRPORT_CONFIG_PENDING] {
		num("config_pending", "config_pending", uint64(p.ConfigPending))
	}
	onOff("proxy_arp", "proxy_arp", p.ProxyARP)
	onOff("proxy_arp_wifi", "proxy_arp_wifi", p.ProxyARPWiFi)
	if p.McastRouter != nil {
		num("multicast_router", "mcast_router", uint64(*p.McastRouter))
	}
	if p.FastLeave != nil {
		// Text only: the JSON had it as fastleave.
		ds = append(ds, detail{text: "mcast_fast_leave " + onOffWord(*p.FastLeave) + " "})
	}
	onOff("mcast_flood", "mcast_flood", p.McastFlood)
	onOff("bcast_flood", "bcast_flood", p.BcastFlood)
	onOff("mcast_to_unicast", "mcast_to_unicast", p.McastToUnicast)
	onOff("neigh_suppress", "neigh_suppress", p.NeighSuppress)
	if p.GroupFwdMask != nil {
		s := hex0x(uint64(*p.GroupFwdMask))
		ds.add("group_fwd_mask", "group_fwd_mask "+s+" ", s)
		t := fwdMaskText(*p.GroupFwdMask)
		ds.add("group_fwd_mask_str", "group_fwd_mask_str "+t+" ", t)
	}
	onOff("vlan_tunnel", "vlan_tunnel", p.VLANTunnel)
	onOff("isolated", "isolated", p.Isolated)
	onOff("locked", "locked", p.Locked)
	if p.BackupPort != nil {
		n := c.indexName(int32(*p.BackupPort))
		ds.add("backup_port", "backup_port "+n+" ", n)
	}
	return ds
}

// indexName is iproute2's ll_index_to_name: the link's name, or ifN. It
// asks through a connection of its own: the listing being printed may be
// streaming from a dump on the shared one, which holds it meanwhile.
func (c *ipCmd) indexName(idx int32) string {
	name := fmt.Sprintf("if%d", idx)
	cfg := &rtnl.Config{Kinds: kinds}
	if c.netns != "" {
		ns, err := openNetns(c.netns)
		if err != nil {
			return name
		}
		defer ns.Close()
		cfg.NetNS = int(ns.Fd())
	}
	conn, err := c.dial(cfg)
	if err != nil {
		return name
	}
	defer conn.Close()
	if l, err := conn.LinkByIndex(idx); err == nil {
		name = l.Attrs.Name
	}
	return name
}
