package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/rtnl"
)

// Text and JSON of links and addresses as `ip address` and `ip monitor`
// print them (iproute2's print_linkinfo outside `ip link`, and
// print_addrinfo). Outside `ip link` the link line has no "mode", shows the
// alias only with -d, and, in a listing of one family, no "link/" line.

// ipLinkView says how a link is printed outside `ip link`.
type ipLinkView struct {
	// family is the listing's family: the "link/" line is printed only
	// for 0 and AF_PACKET (and with -d).
	family int
	// queue prints "qlen N" (ip address does, ip monitor does not).
	queue bool
	// qlen gives the queue length of a link whose message lacks
	// IFLA_TXQLEN (the IPv6 link dump), as iproute2 asks SIOCGIFTXQLEN.
	qlen func(index int32) (uint32, bool)
	// deleted marks an RTM_DELLINK event.
	deleted bool
}

// linkEventNames are the IFLA_EVENT values iproute2 names.
var linkEventNames = []string{"NONE", "REBOOT", "FEATURE CHANGE", "BONDING FAILOVER", "NOTIFY PEERS", "RESEND IGMP", "BONDING OPTION"}

// llAddrString formats a link-layer address as ll_addr_n2a does: tunnels
// carry IP addresses, everything else is colon-separated hex.
func llAddrString(b []byte, typ uint16) string {
	switch {
	case len(b) == 4 && (typ == unix.ARPHRD_TUNNEL || typ == unix.ARPHRD_SIT || typ == unix.ARPHRD_IPGRE):
		return netip.AddrFrom4([4]byte(b)).String()
	case len(b) == 16 && (typ == unix.ARPHRD_TUNNEL6 || typ == unix.ARPHRD_IP6GRE):
		return netip.AddrFrom16([16]byte(b)).String()
	case len(b) == 0:
		return ""
	}
	return net.HardwareAddr(b).String()
}

// linkRawU32 reads a 4-byte attribute kept raw in a link message.
func linkRawU32(l *rtnl.LinkMessage, t uint16) (uint32, bool) {
	b, ok := l.Attrs.Raw(t)
	if !ok || len(b) != 4 {
		return 0, false
	}
	return binary.NativeEndian.Uint32(b), true
}

// altNames lists the IFLA_ALT_IFNAME entries of IFLA_PROP_LIST.
func altNames(l *rtnl.LinkMessage) ([]string, bool) {
	b, ok := l.Attrs.Raw(unix.IFLA_PROP_LIST)
	if !ok {
		return nil, false
	}
	names := []string{}
	d := rtnl.NewDecoder(b)
	for d.Next() {
		if d.Type() == unix.IFLA_ALT_IFNAME {
			names = append(names, d.String())
		}
	}
	return names, true
}

// linkQueue returns the queue length iproute2 prints and whether to print
// it: IFLA_TXQLEN, else the fallback, never 0.
func linkQueue(l *rtnl.LinkMessage, v ipLinkView) (uint32, bool) {
	if l.Attrs.TxQLen != nil {
		return *l.Attrs.TxQLen, *l.Attrs.TxQLen != 0
	}
	if v.qlen != nil {
		q, ok := v.qlen(l.Index)
		return q, ok && q != 0
	}
	return 0, false
}

// peerLink is what iproute2's print_name_and_link prints after "@": the
// lower or peer link's name, "ifN" for one in another namespace, "NONE"
// for IFLA_LINK 0; and whether that link is down (M-DOWN), which
// iproute2 also says of a link it does not know.
func (s *linkSet) peerLink(l *rtnl.LinkMessage) (name string, mdown, ok bool) {
	a := &l.Attrs
	switch {
	case !a.Has(unix.IFLA_LINK):
		return "", false, false
	case a.Link == 0:
		return "NONE", false, true
	case a.LinkNetNSID != nil:
		return fmt.Sprintf("if%d", a.Link), false, true
	}
	p, known := s.byIdx[int32(a.Link)]
	return s.name(int32(a.Link)), !known || p.Flags&unix.IFF_UP == 0, true
}

// addrLinkText writes a link's line as ip address and ip monitor print it.
func (c *ipCmd) addrLinkText(b *strings.Builder, s *linkSet, l *rtnl.LinkMessage, v ipLinkView) {
	a := &l.Attrs
	if v.deleted {
		b.WriteString("Deleted ")
	}
	name := a.Name
	peer, mdown, ok := s.peerLink(l)
	if ok {
		name += "@" + peer
	}
	fmt.Fprintf(b, "%d: %s: <%s> ", l.Index, name, strings.Join(linkFlags(l.Flags, mdown), ","))
	if a.Has(unix.IFLA_MTU) {
		fmt.Fprintf(b, "mtu %d ", a.MTU)
	}
	if a.Qdisc != "" {
		fmt.Fprintf(b, "qdisc %s ", a.Qdisc)
	}
	if a.Master != nil {
		fmt.Fprintf(b, "master %s ", s.name(int32(*a.Master)))
	}
	if a.Has(unix.IFLA_OPERSTATE) {
		if int(a.OperState) < len(operStates) {
			fmt.Fprintf(b, "state %s ", operStates[a.OperState])
		} else {
			fmt.Fprintf(b, "state %#x", a.OperState)
		}
	}
	if a.Group != nil {
		fmt.Fprintf(b, "group %s ", groupName(*a.Group))
	}
	if v.queue {
		if q, ok := linkQueue(l, v); ok {
			fmt.Fprintf(b, "qlen %d", q)
		}
	}
	if ev, ok := linkRawU32(l, unix.IFLA_EVENT); ok {
		switch {
		case int(ev) >= len(linkEventNames):
			fmt.Fprintf(b, "event %d ", ev)
		case ev != 0:
			fmt.Fprintf(b, "event %s ", linkEventNames[ev])
		}
	}
	if v.family == 0 || v.family == unix.AF_PACKET || c.opts.details > 0 {
		fmt.Fprintf(b, "\n    link/%s ", linkType(l.Type))
		if a.Address != nil {
			b.WriteString(llAddrString(a.Address, l.Type))
		}
		if a.Broadcast != nil {
			if l.Flags&unix.IFF_POINTOPOINT != 0 {
				b.WriteString(" peer ")
			} else {
				b.WriteString(" brd ")
			}
			b.WriteString(llAddrString(a.Broadcast, l.Type))
		}
		if perm, ok := a.Raw(unix.IFLA_PERM_ADDRESS); ok && string(perm) != string(a.Address) {
			fmt.Fprintf(b, " permaddr %s", llAddrString(perm, l.Type))
		}
	}
	if id := a.LinkNetNSID; id != nil {
		switch n := s.nsNameOf(*id); {
		case *id < 0:
			b.WriteString(" link-netnsid unknown")
		case n != "":
			fmt.Fprintf(b, " link-netns %s", n)
		default:
			fmt.Fprintf(b, " link-netnsid %d", *id)
		}
	}
	if id, ok := linkRawU32(l, unix.IFLA_NEW_NETNSID); ok {
		if n := s.nsNameOf(int32(id)); n != "" {
			fmt.Fprintf(b, " new-netns %s", n)
		} else {
			fmt.Fprintf(b, " new-netnsid %d", int32(id))
		}
	}
	if idx, ok := linkRawU32(l, unix.IFLA_NEW_IFINDEX); ok {
		fmt.Fprintf(b, " new-ifindex %d", int32(idx))
	}
	if pd, ok := a.Raw(unix.IFLA_PROTO_DOWN); ok && len(pd) == 1 && pd[0] != 0 {
		b.WriteString(" protodown on ")
	}
	if c.opts.details > 0 {
		c.addrDetailsText(b, l)
		if a.Alias != nil {
			fmt.Fprintf(b, "\n    alias %s", *a.Alias)
		}
	}
	if names, ok := altNames(l); ok {
		for _, n := range names {
			fmt.Fprintf(b, "\n    altname %s", n)
		}
	}
	b.WriteByte('\n')
}

// addrLinkJSON is the link part of an ip -j address object.
func (c *ipCmd) addrLinkJSON(s *linkSet, l *rtnl.LinkMessage, v ipLinkView) *jobj {
	a := &l.Attrs
	o := &jobj{}
	if v.deleted {
		o.add("deleted", true)
	}
	o.add("ifindex", l.Index)
	_, mdown, _ := s.peerLink(l)
	addLinkRef(o, s, l)
	o.add("ifname", a.Name)
	o.add("flags", linkFlags(l.Flags, mdown))
	if a.Has(unix.IFLA_MTU) {
		o.add("mtu", a.MTU)
	}
	if a.Qdisc != "" {
		o.add("qdisc", a.Qdisc)
	}
	if a.Master != nil {
		o.add("master", s.name(int32(*a.Master)))
	}
	if a.Has(unix.IFLA_OPERSTATE) {
		if int(a.OperState) < len(operStates) {
			o.add("operstate", operStates[a.OperState])
		} else {
			o.add("operstate_index", a.OperState)
		}
	}
	if a.Group != nil {
		o.add("group", groupName(*a.Group))
	}
	if v.queue {
		if q, ok := linkQueue(l, v); ok {
			o.add("txqlen", q)
		}
	}
	if ev, ok := linkRawU32(l, unix.IFLA_EVENT); ok {
		switch {
		case int(ev) >= len(linkEventNames):
			o.add("event", ev)
		case ev != 0:
			o.add("event", linkEventNames[ev])
		}
	}
	if v.family == 0 || v.family == unix.AF_PACKET || c.opts.details > 0 {
		o.add("link_type", linkType(l.Type))
		if a.Address != nil {
			o.add("address", llAddrString(a.Address, l.Type))
		}
		if a.Broadcast != nil {
			if l.Flags&unix.IFF_POINTOPOINT != 0 {
				o.add("link_pointtopoint", true)
			}
			o.add("broadcast", llAddrString(a.Broadcast, l.Type))
		}
		if perm, ok := a.Raw(unix.IFLA_PERM_ADDRESS); ok && string(perm) != string(a.Address) {
			o.add("permaddr", llAddrString(perm, l.Type))
		}
	}
	if a.LinkNetNSID != nil {
		o.add("link_netnsid", *a.LinkNetNSID)
	}
	if pd, ok := a.Raw(unix.IFLA_PROTO_DOWN); ok && len(pd) == 1 && pd[0] != 0 {
		o.add("proto_down", true)
	}
	if c.opts.details > 0 {
		c.addrDetailsJSON(o, l)
		if a.Alias != nil {
			o.add("ifalias", *a.Alias)
		}
	}
	if names, ok := altNames(l); ok {
		o.add("altnames", names)
	}
	return o
}

// addLinkRef adds what print_name_and_link adds in JSON before "ifname":
// "link" (the lower link's name, or null for IFLA_LINK 0) or, for a peer
// in another namespace, "link_index".
func addLinkRef(o *jobj, s *linkSet, l *rtnl.LinkMessage) {
	a := &l.Attrs
	switch {
	case !a.Has(unix.IFLA_LINK):
	case a.Link == 0:
		o.add("link", nil)
	case a.LinkNetNSID != nil:
		o.add("link_index", a.Link)
	default:
		o.add("link", s.name(int32(a.Link)))
	}
}

// addrLinkBrief writes the first columns of ip -br address: name and
// state.
func addrLinkBrief(b *strings.Builder, s *linkSet, l *rtnl.LinkMessage) {
	name := l.Attrs.Name
	if p, _, ok := s.peerLink(l); ok {
		name += "@" + p
	}
	fmt.Fprintf(b, "%-16s ", name)
	if l.Attrs.Has(unix.IFLA_OPERSTATE) {
		if int(l.Attrs.OperState) < len(operStates) {
			fmt.Fprintf(b, "%-14s ", operStates[l.Attrs.OperState])
		} else {
			fmt.Fprintf(b, "state %#x", l.Attrs.OperState)
		}
	}
}

func addrLinkBriefJSON(s *linkSet, l *rtnl.LinkMessage) *jobj {
	o := &jobj{}
	addLinkRef(o, s, l)
	o.add("ifname", l.Attrs.Name)
	if l.Attrs.Has(unix.IFLA_OPERSTATE) {
		if int(l.Attrs.OperState) < len(operStates) {
			o.add("operstate", operStates[l.Attrs.OperState])
		} else {
			o.add("operstate_index", l.Attrs.OperState)
		}
	}
	return o
}

// ipAddrView says how an address is printed.
type ipAddrView struct {
	// oneline starts the line with "INDEX: DEV", as ip -o address, a
	// flush with -s -s, and ip monitor do.
	oneline bool
	brief   bool
	deleted bool
}

// ifaFlagNames are the IFA_F_* flags in iproute2's order; "dynamic" is
// printed for an address without IFA_F_PERMANENT.
var ifaFlagNames = []struct {
	flag uint32
	name string
}{
	{unix.IFA_F_SECONDARY, "secondary"}, {unix.IFA_F_NODAD, "nodad"},
	{unix.IFA_F_OPTIMISTIC, "optimistic"}, {unix.IFA_F_DADFAILED, "dadfailed"},
	{unix.IFA_F_HOMEADDRESS, "home"}, {unix.IFA_F_DEPRECATED, "deprecated"},
	{unix.IFA_F_TENTATIVE, "tentative"}, {unix.IFA_F_PERMANENT, "permanent"},
	{unix.IFA_F_MANAGETEMPADDR, "mngtmpaddr"}, {unix.IFA_F_NOPREFIXROUTE, "noprefixroute"},
	{unix.IFA_F_MCAUTOJOIN, "autojoin"}, {unix.IFA_F_STABLE_PRIVACY, "stable-privacy"},
}

// addrFlagNames lists the words iproute2 prints for an address's flags,
// and what is left over unnamed.
func addrFlagNames(family uint8, flags uint32) (words []string, rest uint32) {
	for _, f := range ifaFlagNames {
		switch {
		case f.flag == unix.IFA_F_PERMANENT:
			if flags&f.flag == 0 {
				words = append(words, "dynamic")
			}
		case flags&f.flag == 0:
		case f.flag == unix.IFA_F_SECONDARY && family == unix.AF_INET6:
			words = append(words, "temporary")
		default:
			words = append(words, f.name)
		}
		flags &^= f.flag
	}
	return words, flags
}

// addrLocal returns IFA_LOCAL, or IFA_ADDRESS when there is none, and the
// peer address when IFA_ADDRESS differs from it.
func addrLocal(a *rtnl.AddressMessage) (local, peer netip.Addr) {
	local, peer = a.Attrs.Local, a.Attrs.Address
	if !local.IsValid() {
		local = peer
	}
	if !peer.IsValid() || peer == local {
		peer = netip.Addr{}
	}
	return local, peer
}

func addrFamilyText(family uint8) string {
	if n := familyName(int(family)); n != "???" {
		return fmt.Sprintf("    %s ", n)
	}
	return fmt.Sprintf("    family %d ", family)
}

// addrText writes an address as print_addrinfo does.
func (c *ipCmd) addrText(b *strings.Builder, s *linkSet, a *rtnl.AddressMessage, v ipAddrView, names *rtNames) {
	if v.deleted {
		b.WriteString("Deleted ")
	}
	if !v.brief {
		if v.oneline {
			fmt.Fprintf(b, "%d: %s", uint32(a.Index), s.name(a.Index))
		}
		b.WriteString(addrFamilyText(a.Family))
	}
	local, peer := addrLocal(a)
	if local.IsValid() {
		b.WriteString(local.String())
		if peer.IsValid() {
			fmt.Fprintf(b, " peer %s", peer)
		}
		fmt.Fprintf(b, "/%d ", a.PrefixLen)
		if a.Attrs.RTPriority != 0 {
			fmt.Fprintf(b, "metric %d ", a.Attrs.RTPriority)
		}
	}
	if v.brief {
		return
	}
	if a.Attrs.Broadcast.IsValid() {
		fmt.Fprintf(b, "brd %s ", a.Attrs.Broadcast)
	}
	if a.Attrs.Anycast.IsValid() {
		fmt.Fprintf(b, "any %s ", a.Attrs.Anycast)
	}
	fmt.Fprintf(b, "scope %s ", names.scope(a.Scope))
	flags := a.AllFlags()
	words, rest := addrFlagNames(a.Family, flags)
	for _, w := range words {
		b.WriteString(w)
		b.WriteByte(' ')
	}
	if rest != 0 {
		fmt.Fprintf(b, "flags %02x ", rest)
	}
	b.WriteString(a.Attrs.Label)
	if ci := a.Attrs.CacheInfo; ci != nil {
		b.WriteString("\n       valid_lft ")
		if ci.Valid == rtnl.InfiniteLifetime {
			b.WriteString("forever")
		} else {
			fmt.Fprintf(b, "%dsec", ci.Valid)
		}
		b.WriteString(" preferred_lft ")
		switch {
		case ci.Preferred == rtnl.InfiniteLifetime:
			b.WriteString("forever")
		case flags&unix.IFA_F_DEPRECATED != 0:
			fmt.Fprintf(b, "%dsec", int32(ci.Preferred))
		default:
			fmt.Fprintf(b, "%dsec", ci.Preferred)
		}
	}
	b.WriteByte('\n')
}

// addrJSON is an address as an element of "addr_info".
func (c *ipCmd) addrJSON(s *linkSet, a *rtnl.AddressMessage, v ipAddrView, names *rtNames) *jobj {
	o := &jobj{}
	if v.deleted {
		o.add("deleted", true)
	}
	if !v.brief {
		if v.oneline {
			o.add("index", uint32(a.Index))
			o.add("dev", s.name(a.Index))
		}
		if n := familyName(int(a.Family)); n != "???" {
			o.add("family", n)
		} else {
			o.add("family_index", a.Family)
		}
	}
	local, peer := addrLocal(a)
	if local.IsValid() {
		o.add("local", local.String())
		if peer.IsValid() {
			o.add("address", peer.String())
		}
		o.add("prefixlen", a.PrefixLen)
		if a.Attrs.RTPriority != 0 {
			o.add("metric", a.Attrs.RTPriority)
		}
	}
	if v.brief {
		return o
	}
	if a.Attrs.Broadcast.IsValid() {
		o.add("broadcast", a.Attrs.Broadcast.String())
	}
	if a.Attrs.Anycast.IsValid() {
		o.add("anycast", a.Attrs.Anycast.String())
	}
	o.add("scope", names.scope(a.Scope))
	flags := a.AllFlags()
	words, rest := addrFlagNames(a.Family, flags)
	for _, w := range words {
		o.add(w, true)
	}
	if rest != 0 {
		o.add("ifa_flags", fmt.Sprintf("%02x", rest))
	}
	if a.Attrs.Label != "" {
		o.add("label", a.Attrs.Label)
	}
	if ci := a.Attrs.CacheInfo; ci != nil {
		o.add("valid_life_time", ci.Valid)
		if ci.Preferred != rtnl.InfiniteLifetime && flags&unix.IFA_F_DEPRECATED != 0 {
			o.add("preferred_life_time", int32(ci.Preferred))
		} else {
			o.add("preferred_life_time", ci.Preferred)
		}
	}
	return o
}
