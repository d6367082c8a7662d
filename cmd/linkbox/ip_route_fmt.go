package main

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/rtnl"
)

// Routes as iproute2's print_route prints them, in text and JSON.

// Route attributes and flags golang.org/x/sys/unix lacks
// (include/uapi/linux/rtnetlink.h).
const (
	rtmFOffload         = 0x4000     // RTM_F_OFFLOAD
	rtmFTrap            = 0x8000     // RTM_F_TRAP
	rtmFOffloadFailed   = 0x20000000 // RTM_F_OFFLOAD_FAILED
	rtnhFUnresolved     = 32         // RTNH_F_UNRESOLVED
	rtnlFamilyIPMR      = 128        // RTNL_FAMILY_IPMR
	rtnlFamilyIP6MR     = 129        // RTNL_FAMILY_IP6MR
	rtaxFeatureECN      = 1 << 0     // RTAX_FEATURE_ECN
	routeUserHZ         = 100        // USER_HZ: clock ticks in RTA_CACHEINFO and NDA_CACHEINFO
	rtaCacheInfoLen     = 32         // sizeof(struct rta_cacheinfo)
	rtnexthopLen        = 8          // sizeof(struct rtnexthop)
	routeHopLimitUnset  = 0xffffffff // RTAX_HOPLIMIT -1: the default, not printed
	icmpv6RouterPrefLow = 3          // ICMPV6_ROUTER_PREF_LOW
)

// routeMetricNames are the RTAX_* names (iproute2's mx_names).
var routeMetricNames = map[uint16]string{
	unix.RTAX_MTU: "mtu", unix.RTAX_WINDOW: "window", unix.RTAX_RTT: "rtt",
	unix.RTAX_RTTVAR: "rttvar", unix.RTAX_SSTHRESH: "ssthresh", unix.RTAX_CWND: "cwnd",
	unix.RTAX_ADVMSS: "advmss", unix.RTAX_REORDERING: "reordering", unix.RTAX_HOPLIMIT: "hoplimit",
	unix.RTAX_INITCWND: "initcwnd", unix.RTAX_FEATURES: "features", unix.RTAX_RTO_MIN: "rto_min",
	unix.RTAX_INITRWND: "initrwnd", unix.RTAX_QUICKACK: "quickack", unix.RTAX_CC_ALGO: "congctl",
	unix.RTAX_FASTOPEN_NO_COOKIE: "fastopen_no_cookie",
}

// routeFlagNames are the route and next-hop flags in print_rt_flags'
// order.
var routeFlagNames = []struct {
	flag uint32
	name string
}{
	{unix.RTNH_F_DEAD, "dead"}, {unix.RTNH_F_ONLINK, "onlink"}, {unix.RTNH_F_PERVASIVE, "pervasive"},
	{unix.RTNH_F_OFFLOAD, "offload"}, {unix.RTNH_F_TRAP, "trap"}, {unix.RTM_F_NOTIFY, "notify"},
	{unix.RTNH_F_LINKDOWN, "linkdown"}, {rtnhFUnresolved, "unresolved"}, {rtmFOffload, "rt_offload"},
	{rtmFTrap, "rt_trap"}, {rtmFOffloadFailed, "rt_offload_failed"},
}

func routeFlagWords(flags uint32) []string {
	out := []string{}
	for _, f := range routeFlagNames {
		if flags&f.flag != 0 {
			out = append(out, f.name)
		}
	}
	return out
}

// routeView is what the listing's filter hides: iproute2 leaves out what
// every printed route has in common because it was asked for.
type routeView struct {
	hideTable, hideDev, hideProto, hideScope, hideMetric, hideTOS bool
	hideGateway, hidePrefSrc, hideIIF, hideRealms                 bool
	typeMask                                                      uint32 // 0: all types
}

// routeHostLen is af_bit_len: a destination of this length is printed
// without it.
func routeHostLen(family uint8) uint8 {
	return uint8(afBits(int(family)))
}

// routeAddr formats an address attribute of a route message.
func routeAddr(family uint8, a netip.Addr, raw []byte) string {
	if a.IsValid() {
		return a.String()
	}
	if len(raw) == 4 || len(raw) == 16 {
		if ad, ok := netip.AddrFromSlice(raw); ok {
			return ad.String()
		}
	}
	return "???"
}

// routeRealFamily is get_real_family: multicast routes of the multicast
// routing families carry IPv4 or IPv6 addresses.
func routeRealFamily(typ, family uint8) uint8 {
	if typ != unix.RTN_MULTICAST {
		return family
	}
	switch family {
	case rtnlFamilyIPMR:
		return unix.AF_INET
	case rtnlFamilyIP6MR:
		return unix.AF_INET6
	}
	return family
}

// routeDst is the destination as print_route writes it.
func routeDst(r *rtnl.RouteMessage) string {
	raw, hasRaw := r.Attrs.Raw(unix.RTA_DST)
	switch {
	case r.Attrs.Dst.IsValid() || hasRaw:
		a := routeAddr(routeRealFamily(r.Type, r.Family), r.Attrs.Dst, raw)
		if r.DstLen != routeHostLen(r.Family) {
			return fmt.Sprintf("%s/%d", a, r.DstLen)
		}
		return a
	case r.DstLen != 0:
		return fmt.Sprintf("0/%d ", r.DstLen)
	}
	return "default"
}

// routeSrc is the "from" prefix, and the JSON key iproute2 gives it.
func routeSrc(r *rtnl.RouteMessage) (string, string, bool) {
	raw, hasRaw := r.Attrs.Raw(unix.RTA_SRC)
	switch {
	case r.Attrs.Src.IsValid() || hasRaw:
		a := routeAddr(routeRealFamily(r.Type, r.Family), r.Attrs.Src, raw)
		if r.SrcLen != routeHostLen(r.Family) {
			a = fmt.Sprintf("%s/%d", a, r.SrcLen)
		}
		return a, "from", true
	case r.SrcLen != 0:
		return fmt.Sprintf("0/%d", r.SrcLen), "src", true
	}
	return "", "", false
}

func rawU32(b []byte, ok bool) (uint32, bool) {
	if !ok || len(b) != 4 {
		return 0, false
	}
	return binary.NativeEndian.Uint32(b), true
}

// routeCacheInfo is struct rta_cacheinfo.
type routeCacheInfo struct {
	clntref, lastuse uint32
	expires          int32
	err, used, id    uint32
	ts, tsage        uint32
}

func parseRouteCacheInfo(b []byte) (routeCacheInfo, bool) {
	if len(b) < rtaCacheInfoLen {
		return routeCacheInfo{}, false
	}
	u := func(i int) uint32 { return binary.NativeEndian.Uint32(b[4*i:]) }
	return routeCacheInfo{u(0), u(1), int32(u(2)), u(3), u(4), u(5), u(6), u(7)}, true
}

// routeMetric is one RTAX_* value of RTA_METRICS.
type routeMetric struct {
	typ    uint16
	val    uint32
	str    string
	locked bool
}

// routeMetrics decodes RTA_METRICS in the order print_rta_metrics walks
// it: by type, locked metrics without a value included.
func routeMetrics(b []byte) []routeMetric {
	vals := map[uint16][]byte{}
	var lock uint32
	d := rtnl.NewDecoder(b)
	for d.Next() {
		if d.Type() == unix.RTAX_LOCK {
			lock, _ = rawU32(d.Bytes(), true)
			continue
		}
		vals[d.Type()] = d.Bytes()
	}
	var out []routeMetric
	for t := uint16(2); t <= unix.RTAX_FASTOPEN_NO_COOKIE; t++ {
		v, ok := vals[t]
		locked := lock&(1<<t) != 0
		if !ok && !locked {
			continue
		}
		m := routeMetric{typ: t, locked: locked}
		if ok && t != unix.RTAX_CC_ALGO {
			m.val, _ = rawU32(v, true)
		}
		if t == unix.RTAX_CC_ALGO {
			m.str = strings.TrimRight(string(v), "\x00")
		}
		if t == unix.RTAX_HOPLIMIT && m.val == routeHopLimitUnset {
			continue
		}
		out = append(out, m)
	}
	return out
}

// routeTime formats an rtt-like metric in milliseconds as iproute2 does.
func routeTime(ms uint32) string {
	if ms >= 1000 {
		return fmt.Sprintf("%.6gs", float64(ms)/1e3)
	}
	return fmt.Sprintf("%dms", ms)
}

func routeMetricValue(m routeMetric) uint32 {
	switch m.typ {
	case unix.RTAX_RTT:
		return m.val / 8
	case unix.RTAX_RTTVAR:
		return m.val / 4
	}
	return m.val
}

// routePref names RTA_PREF.
func routePref(p uint8) (string, bool) {
	switch p {
	case icmpv6RouterPrefLow:
		return "low", true
	case 0:
		return "medium", true
	case 1:
		return "high", true
	}
	return "", false
}

// routeNexthop is one struct rtnexthop of RTA_MULTIPATH with its
// attributes.
type routeNexthop struct {
	flags   uint8
	hops    uint8
	ifindex int32
	gateway netip.Addr
	via     []byte
	flow    *uint32
	newdst  []byte
}

func parseMultipath(b []byte) []routeNexthop {
	var out []routeNexthop
	for len(b) >= rtnexthopLen {
		l := int(binary.NativeEndian.Uint16(b))
		if l < rtnexthopLen || l > len(b) {
			break
		}
		nh := routeNexthop{flags: b[2], hops: b[3], ifindex: int32(binary.NativeEndian.Uint32(b[4:]))}
		d := rtnl.NewDecoder(b[rtnexthopLen:l])
		for d.Next() {
			switch d.Type() {
			case unix.RTA_GATEWAY:
				nh.gateway, _ = netip.AddrFromSlice(d.Bytes())
			case unix.RTA_VIA:
				nh.via = d.Bytes()
			case unix.RTA_FLOW:
				if v, ok := rawU32(d.Bytes(), true); ok {
					nh.flow = &v
				}
			case unix.RTA_NEWDST:
				nh.newdst = d.Bytes()
			}
		}
		out = append(out, nh)
		b = b[min(len(b), (l+3)&^3):]
	}
	return out
}

// viaText decodes struct rtvia: family and address.
func viaText(b []byte) (family, host string) {
	if len(b) < 2 {
		return "???", ""
	}
	fam := int(binary.NativeEndian.Uint16(b))
	a, ok := netip.AddrFromSlice(b[2:])
	if !ok {
		return familyName(fam), "???"
	}
	return familyName(fam), a.String()
}

// realmsText formats RTA_FLOW.
func (n *rtNames) realmsText(v uint32) (from, to string, hasFrom bool) {
	if n.realms == nil {
		n.realms = newNameTable(map[uint32]string{0: "unknown"}, "rt_realms")
	}
	name := func(id uint32) string {
		if s, ok := n.realms.byID[id]; ok {
			return s
		}
		return fmt.Sprint(id)
	}
	f, t := v>>16, v&0xffff
	return name(f), name(t), f != 0
}

// routeText writes a route as print_route does. deleted marks an
// RTM_DELROUTE event.
func (c *ipCmd) routeText(b *strings.Builder, s *linkSet, r *rtnl.RouteMessage, v routeView, names *rtNames, deleted bool) {
	a := &r.Attrs
	sl := "\n"
	if c.opts.oneline {
		sl = "\\"
	}
	if deleted {
		b.WriteString("Deleted ")
	}
	if (r.Type != unix.RTN_UNICAST || c.opts.details > 0) && (v.typeMask == 0 || v.typeMask&(1<<r.Type) != 0) {
		fmt.Fprintf(b, "%s ", routeTypeName(r.Type))
	}
	fmt.Fprintf(b, "%s ", routeDst(r))
	if src, _, ok := routeSrc(r); ok {
		fmt.Fprintf(b, "from %s ", src)
	}
	if a.NHID != 0 {
		fmt.Fprintf(b, "nhid %d ", a.NHID)
	}
	if nd, ok := a.Raw(unix.RTA_NEWDST); ok {
		fmt.Fprintf(b, "as to %s ", routeAddr(r.Family, netip.Addr{}, nd))
	}
	if r.TOS != 0 && !v.hideTOS {
		fmt.Fprintf(b, "tos %s ", names.dsfieldName(r.TOS))
	}
	if a.Gateway.IsValid() && !v.hideGateway {
		fmt.Fprintf(b, "via %s ", a.Gateway)
	}
	if a.Via != nil {
		fam, host := viaText(a.Via)
		fmt.Fprintf(b, "via %s %s ", fam, host)
	}
	if a.OIF != 0 && !v.hideDev {
		fmt.Fprintf(b, "dev %s ", s.name(int32(a.OIF)))
	}
	if t := r.TableID(); t != 0 && (t != unix.RT_TABLE_MAIN || c.opts.details > 0) && !v.hideTable {
		fmt.Fprintf(b, "table %s ", names.table(t))
	}
	if r.Flags&unix.RTM_F_CLONED == 0 {
		if (r.Protocol != unix.RTPROT_BOOT || c.opts.details > 0) && !v.hideProto {
			fmt.Fprintf(b, "proto %s ", names.proto(r.Protocol))
		}
		if (r.Scope != unix.RT_SCOPE_UNIVERSE || c.opts.details > 0) && !v.hideScope {
			fmt.Fprintf(b, "scope %s ", names.scope(r.Scope))
		}
	}
	if a.PrefSrc.IsValid() && !v.hidePrefSrc {
		fmt.Fprintf(b, "src %s ", a.PrefSrc)
	}
	if r.Attrs.Priority != 0 || routeHas(r, unix.RTA_PRIORITY) {
		if !v.hideMetric {
			fmt.Fprintf(b, "metric %d ", a.Priority)
		}
	}
	for _, w := range routeFlagWords(r.Flags) {
		b.WriteString(w)
		b.WriteByte(' ')
	}
	if a.Mark != 0 {
		if a.Mark >= 16 {
			fmt.Fprintf(b, "mark %#x ", a.Mark)
		} else {
			fmt.Fprintf(b, "mark %d ", a.Mark)
		}
	}
	if routeHas(r, unix.RTA_FLOW) && !v.hideRealms {
		from, to, hasFrom := names.realmsText(a.Flow)
		if hasFrom {
			fmt.Fprintf(b, "realms %s/%s ", from, to)
		} else {
			fmt.Fprintf(b, "realm %s ", to)
		}
	}
	if uid, ok := rawU32(a.Raw(unix.RTA_UID)); ok {
		fmt.Fprintf(b, "uid %d ", uid)
	}
	if r.Family == unix.AF_INET && r.Flags&unix.RTM_F_CLONED != 0 {
		fmt.Fprintf(b, "%s    cache ", sl)
		if fl := r.Flags &^ 0xffff; fl != 0 {
			b.WriteString(routeCacheFlagsText(fl))
		}
	}
	if r.Family == unix.AF_INET || r.Family == unix.AF_INET6 {
		if ci, ok := parseRouteCacheInfo(a.CacheInfo); ok {
			c.routeCacheInfoText(b, ci)
		}
	}
	if a.Metrics != nil {
		for _, m := range routeMetrics(a.Metrics) {
			if n, ok := routeMetricNames[m.typ]; ok {
				fmt.Fprintf(b, "%s ", n)
			} else {
				fmt.Fprintf(b, "metric %d ", m.typ)
			}
			if m.locked {
				b.WriteString("lock ")
			}
			switch m.typ {
			case unix.RTAX_FEATURES:
				if m.val&rtaxFeatureECN != 0 {
					b.WriteString("ecn ")
				}
				if m.val&^rtaxFeatureECN != 0 {
					fmt.Fprintf(b, "%#x ", m.val)
				}
			case unix.RTAX_RTT, unix.RTAX_RTTVAR, unix.RTAX_RTO_MIN:
				fmt.Fprintf(b, "%s ", routeTime(routeMetricValue(m)))
			case unix.RTAX_CC_ALGO:
				fmt.Fprintf(b, "%s ", m.str)
			default:
				fmt.Fprintf(b, "%d ", m.val)
			}
		}
	}
	if a.IIF != 0 && !v.hideIIF {
		fmt.Fprintf(b, "iif %s ", s.name(int32(a.IIF)))
	}
	if a.Pref != nil {
		if n, ok := routePref(*a.Pref); ok {
			fmt.Fprintf(b, "pref %s", n)
		} else {
			fmt.Fprintf(b, "%d", *a.Pref)
		}
	}
	if tp, ok := a.Raw(unix.RTA_TTL_PROPAGATE); ok && len(tp) == 1 {
		if tp[0] != 0 {
			b.WriteString("ttl-propogate enabled")
		} else {
			b.WriteString("ttl-propogate disabled")
		}
	}
	if a.Multipath != nil {
		for _, nh := range parseMultipath(a.Multipath) {
			fmt.Fprintf(b, "%s\tnexthop ", sl)
			if nh.newdst != nil {
				fmt.Fprintf(b, "as to %s ", routeAddr(r.Family, netip.Addr{}, nh.newdst))
			}
			if nh.gateway.IsValid() {
				fmt.Fprintf(b, "via %s ", nh.gateway)
			}
			if nh.via != nil {
				fam, host := viaText(nh.via)
				fmt.Fprintf(b, "via %s %s ", fam, host)
			}
			if nh.flow != nil {
				from, to, hasFrom := names.realmsText(*nh.flow)
				if hasFrom {
					fmt.Fprintf(b, "realms %s/%s ", from, to)
				} else {
					fmt.Fprintf(b, "realm %s ", to)
				}
			}
			fmt.Fprintf(b, "dev %s ", s.name(nh.ifindex))
			if r.Family != unix.AF_MPLS {
				fmt.Fprintf(b, "weight %d ", int(nh.hops)+1)
			}
			for _, w := range routeFlagWords(uint32(nh.flags)) {
				b.WriteString(w)
				b.WriteByte(' ')
			}
		}
	}
	b.WriteByte('\n')
}

// routeHas reports whether a route message carried an attribute, for the
// attributes whose zero value is worth printing.
func routeHas(r *rtnl.RouteMessage, t uint16) bool {
	switch t {
	case unix.RTA_PRIORITY:
		return r.Attrs.Priority != 0 || routeDecodedHas(r, t)
	case unix.RTA_FLOW:
		return r.Attrs.Flow != 0 || routeDecodedHas(r, t)
	}
	return false
}

// routeDecodedHas finds out whether a decoded message had the attribute,
// from its encoding: a decoded message re-encodes what it carried.
func routeDecodedHas(r *rtnl.RouteMessage, t uint16) bool {
	b, err := r.MarshalBinary()
	if err != nil || len(b) < unix.SizeofRtMsg {
		return false
	}
	d := rtnl.NewDecoder(b[unix.SizeofRtMsg:])
	for d.Next() {
		if d.Type() == t {
			return true
		}
	}
	return false
}

// routeCacheFlags are the RTCF_* flags of a cached IPv4 route
// (include/uapi/linux/in_route.h), in print_cache_flags' order.
var routeCacheFlags = []struct {
	flag uint32
	name string
}{
	{0x80000000, "local"}, {0x40000000, "reject"}, {0x20000000, "mc"}, {0x10000000, "brd"},
	{0x08000000, "dst-nat"}, {0x00800000, "src-nat"}, {0x00400000, "masq"},
	{0x00020000, "dst-direct"}, {0x04000000, "src-direct"}, {0x00040000, "redirected"},
	{0x01000000, "redirect"}, {0x00200000, "fastroute"}, {0x00010000, "notify"},
	{0x00080000, "proxy"},
}

// routeCacheFlagsText writes the flags after "cache" as print_cache_flags
// does; fl is nonzero.
func routeCacheFlagsText(fl uint32) string {
	var b strings.Builder
	b.WriteByte('<')
	for _, f := range routeCacheFlags {
		if fl&f.flag == 0 {
			continue
		}
		fl &^= f.flag
		b.WriteString(f.name)
		if fl != 0 {
			b.WriteByte(',')
		} else {
			b.WriteString("> ")
		}
	}
	if fl != 0 {
		fmt.Fprintf(&b, "%x>", fl)
	}
	return b.String()
}

// routeCacheFlagWords names the RTCF_* flags for JSON's "cache" list.
func routeCacheFlagWords(fl uint32) []string {
	out := []string{}
	for _, f := range routeCacheFlags {
		if fl&f.flag != 0 {
			out = append(out, f.name)
		}
	}
	return out
}

func (c *ipCmd) routeCacheInfoText(b *strings.Builder, ci routeCacheInfo) {
	if ci.expires != 0 {
		fmt.Fprintf(b, "expires %dsec ", ci.expires/routeUserHZ)
	}
	if ci.err != 0 {
		fmt.Fprintf(b, "error %d ", ci.err)
	}
	if c.opts.stats > 0 {
		if ci.clntref != 0 {
			fmt.Fprintf(b, "users %d ", ci.clntref)
		}
		if ci.used != 0 {
			fmt.Fprintf(b, "used %d ", ci.used)
		}
		if ci.lastuse != 0 {
			fmt.Fprintf(b, "age %dsec ", ci.lastuse/routeUserHZ)
		}
	}
	if ci.id != 0 {
		fmt.Fprintf(b, "ipid 0x%04x ", ci.id)
	}
	if ci.ts != 0 || ci.tsage != 0 {
		fmt.Fprintf(b, "ts 0x%x", ci.ts)
		fmt.Fprintf(b, "tsage %dsec ", ci.tsage)
	}
}

// routeJSON is a route as an element of ip -j route's list.
func (c *ipCmd) routeJSON(s *linkSet, r *rtnl.RouteMessage, v routeView, names *rtNames, deleted bool) *jobj {
	a := &r.Attrs
	o := &jobj{}
	if deleted {
		o.add("deleted", true)
	}
	if (r.Type != unix.RTN_UNICAST || c.opts.details > 0) && (v.typeMask == 0 || v.typeMask&(1<<r.Type) != 0) {
		o.add("type", routeTypeName(r.Type))
	}
	o.add("dst", routeDst(r))
	if src, key, ok := routeSrc(r); ok {
		o.add(key, src)
	}
	if a.NHID != 0 {
		o.add("nhid", a.NHID)
	}
	if nd, ok := a.Raw(unix.RTA_NEWDST); ok {
		o.add("to", routeAddr(r.Family, netip.Addr{}, nd))
	}
	if r.TOS != 0 && !v.hideTOS {
		o.add("tos", names.dsfieldName(r.TOS))
	}
	if a.Gateway.IsValid() && !v.hideGateway {
		o.add("gateway", a.Gateway.String())
	}
	if a.Via != nil {
		fam, host := viaText(a.Via)
		o.add("via", &jobj{{"family", fam}, {"host", host}})
	}
	if a.OIF != 0 && !v.hideDev {
		o.add("dev", s.name(int32(a.OIF)))
	}
	if t := r.TableID(); t != 0 && (t != unix.RT_TABLE_MAIN || c.opts.details > 0) && !v.hideTable {
		o.add("table", names.table(t))
	}
	if r.Flags&unix.RTM_F_CLONED == 0 {
		if (r.Protocol != unix.RTPROT_BOOT || c.opts.details > 0) && !v.hideProto {
			o.add("protocol", names.proto(r.Protocol))
		}
		if (r.Scope != unix.RT_SCOPE_UNIVERSE || c.opts.details > 0) && !v.hideScope {
			o.add("scope", names.scope(r.Scope))
		}
	}
	if a.PrefSrc.IsValid() && !v.hidePrefSrc {
		o.add("prefsrc", a.PrefSrc.String())
	}
	if routeHas(r, unix.RTA_PRIORITY) && !v.hideMetric {
		o.add("metric", a.Priority)
	}
	o.add("flags", routeFlagWords(r.Flags))
	if a.Mark != 0 {
		o.add("mark", a.Mark)
	}
	if routeHas(r, unix.RTA_FLOW) && !v.hideRealms {
		from, to, hasFrom := names.realmsText(a.Flow)
		fl := &jobj{}
		if hasFrom {
			fl.add("from", from)
		}
		fl.add("to", to)
		o.add("flow", fl)
	}
	if uid, ok := rawU32(a.Raw(unix.RTA_UID)); ok {
		o.add("uid", uid)
	}
	if r.Family == unix.AF_INET && r.Flags&unix.RTM_F_CLONED != 0 {
		o.add("cache", routeCacheFlagWords(r.Flags&^0xffff))
	}
	if r.Family == unix.AF_INET || r.Family == unix.AF_INET6 {
		if ci, ok := parseRouteCacheInfo(a.CacheInfo); ok {
			if ci.expires != 0 {
				o.add("expires", ci.expires/routeUserHZ)
			}
			if ci.err != 0 {
				o.add("error", ci.err)
			}
			if c.opts.stats > 0 {
				if ci.clntref != 0 {
					o.add("users", ci.clntref)
				}
				if ci.used != 0 {
					o.add("used", ci.used)
				}
				if ci.lastuse != 0 {
					o.add("age", ci.lastuse/routeUserHZ)
				}
			}
			if ci.id != 0 {
				o.add("ipid", fmt.Sprintf("0x%04x", ci.id))
			}
			if ci.ts != 0 || ci.tsage != 0 {
				o.add("ts", fmt.Sprintf("0x%x", ci.ts))
				o.add("tsage", ci.tsage)
			}
		}
	}
	if a.Metrics != nil {
		mo := &jobj{}
		for _, m := range routeMetrics(a.Metrics) {
			n, ok := routeMetricNames[m.typ]
			if !ok {
				continue
			}
			switch m.typ {
			case unix.RTAX_FEATURES:
				if m.val&rtaxFeatureECN != 0 {
					mo.add("ecn", nil)
				}
				if m.val&^rtaxFeatureECN != 0 {
					mo.add("features", fmt.Sprintf("%#x", m.val))
				}
			case unix.RTAX_CC_ALGO:
				mo.add("congestion", m.str)
			default:
				mo.add(n, routeMetricValue(m))
			}
		}
		o.add("metrics", []*jobj{mo})
	}
	if a.IIF != 0 && !v.hideIIF {
		o.add("iif", s.name(int32(a.IIF)))
	}
	if a.Pref != nil {
		if n, ok := routePref(*a.Pref); ok {
			o.add("pref", n)
		} else {
			o.add("pref", *a.Pref)
		}
	}
	if tp, ok := a.Raw(unix.RTA_TTL_PROPAGATE); ok && len(tp) == 1 {
		o.add("ttl-propogate", tp[0] != 0)
	}
	if a.Multipath != nil {
		hops := []*jobj{}
		for _, nh := range parseMultipath(a.Multipath) {
			h := &jobj{}
			if nh.newdst != nil {
				h.add("to", routeAddr(r.Family, netip.Addr{}, nh.newdst))
			}
			if nh.gateway.IsValid() {
				h.add("gateway", nh.gateway.String())
			}
			if nh.via != nil {
				fam, host := viaText(nh.via)
				h.add("via", &jobj{{"family", fam}, {"host", host}})
			}
			if nh.flow != nil {
				from, to, hasFrom := names.realmsText(*nh.flow)
				fl := &jobj{}
				if hasFrom {
					fl.add("from", from)
				}
				fl.add("to", to)
				h.add("flow", fl)
			}
			h.add("dev", s.name(nh.ifindex))
			if r.Family != unix.AF_MPLS {
				h.add("weight", int(nh.hops)+1)
			}
			h.add("flags", routeFlagWords(uint32(nh.flags)))
			hops = append(hops, h)
		}
		o.add("nexthops", hops)
	}
	return o
}
