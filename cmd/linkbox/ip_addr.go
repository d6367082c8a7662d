package main

import (
	"errors"
	"fmt"
	"net/netip"
	"path"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/rtnl"
)

// ip address: add, change, replace, delete, show, flush, with iproute2's
// words, checks, messages and output.

func (c *ipCmd) doAddress(a *args) error {
	if !a.more() {
		return c.addrList(a, false)
	}
	cmd := a.next()
	switch {
	case matches(cmd, "add"):
		return c.addrModify(a, unix.RTM_NEWADDR, unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	case matches(cmd, "change"), cmd == "chg":
		return c.addrModify(a, unix.RTM_NEWADDR, unix.NLM_F_REPLACE)
	case matches(cmd, "replace"):
		return c.addrModify(a, unix.RTM_NEWADDR, unix.NLM_F_CREATE|unix.NLM_F_REPLACE)
	case matches(cmd, "delete"):
		return c.addrModify(a, unix.RTM_DELADDR, 0)
	case matches(cmd, "list"), matches(cmd, "show"), matches(cmd, "lst"):
		return c.addrList(a, false)
	case matches(cmd, "flush"):
		return c.addrList(a, true)
	case matches(cmd, "save"), matches(cmd, "showdump"), matches(cmd, "restore"):
		return &cliError{code: 1, msg: fmt.Sprintf("ip address %s is not implemented by linkbox.", cmd)}
	case matches(cmd, "help"):
		return c.addrUsage()
	}
	return usagef(`Command "%s" is unknown, try "ip address help".`, cmd)
}

func (c *ipCmd) addrUsage() error {
	return usagef("%s", `Usage: ip address {add|change|replace} IFADDR dev IFNAME [ LIFETIME ]
                                                      [ CONFFLAG-LIST ]
       ip address del IFADDR dev IFNAME
       ip address {show|flush} [ dev IFNAME ] [ scope SCOPE-ID ]
                            [ to PREFIX ] [ FLAG-LIST ] [ label LABEL ] [up]
                            [ master DEVICE ] [ type TYPE ] [ nomaster ]
IFADDR := PREFIX | ADDR peer PREFIX
          [ broadcast ADDR ] [ anycast ADDR ]
          [ label IFNAME ] [ scope SCOPE-ID ] [ metric METRIC ]
SCOPE-ID := [ host | link | global | NUMBER ]
FLAG-LIST := [ FLAG-LIST ] FLAG
FLAG  := [ permanent | dynamic | secondary | primary |
           [-]tentative | [-]deprecated | [-]dadfailed | temporary |
           CONFFLAG-LIST ]
CONFFLAG-LIST := [ CONFFLAG-LIST ] CONFFLAG
CONFFLAG  := [ home | nodad | mngtmpaddr | noprefixroute | autojoin ]
LIFETIME := [ valid_lft LFT ] [ preferred_lft LFT ]
LFT := forever | SECONDS`)
}

// addrFlagWord is an address flag iproute2 knows by name: whether it can
// be set from user space and whether it is for IPv6 only.
type addrFlagWord struct {
	flag     uint32
	readonly bool
	v6only   bool
}

var addrFlagWords = map[string]addrFlagWord{
	"secondary":      {unix.IFA_F_SECONDARY, true, false},
	"temporary":      {unix.IFA_F_SECONDARY, true, false},
	"nodad":          {unix.IFA_F_NODAD, false, true},
	"optimistic":     {unix.IFA_F_OPTIMISTIC, false, true},
	"dadfailed":      {unix.IFA_F_DADFAILED, true, true},
	"home":           {unix.IFA_F_HOMEADDRESS, false, true},
	"deprecated":     {unix.IFA_F_DEPRECATED, true, true},
	"tentative":      {unix.IFA_F_TENTATIVE, true, true},
	"permanent":      {unix.IFA_F_PERMANENT, true, true},
	"mngtmpaddr":     {unix.IFA_F_MANAGETEMPADDR, false, true},
	"noprefixroute":  {unix.IFA_F_NOPREFIXROUTE, false, false},
	"autojoin":       {unix.IFA_F_MCAUTOJOIN, false, false},
	"stable-privacy": {unix.IFA_F_STABLE_PRIVACY, true, true},
}

// devIndex resolves "dev NAME" as iproute2's ll_name_to_index, with its
// "Cannot find device" when there is no such link.
func devIndex(conn *rtnl.Conn, name string) (int32, error) {
	if rtnl.CheckLinkName(name) != nil {
		return 0, errNoDevice(name)
	}
	return linkIndex(conn, name)
}

// addrModify is ip address add, change, replace and delete.
func (c *ipCmd) addrModify(a *args, cmd, flags uint16) error {
	names := &rtNames{}
	family := c.opts.family
	var (
		local, peer       inetPrefix
		localArg          string
		hasLocal, hasPeer bool
		brd, anycast      netip.Addr
		brdMode           int // 0 none, 1 an address, -1 "+", -2 "-"
		scope             *uint8
		dev, label        string
		metric            uint32
		validArg, prefArg string
		valid, preferred  = uint32(rtnl.InfiniteLifetime), uint32(rtnl.InfiniteLifetime)
		ifaFlags          uint32
		err               error
		setFamily         = func(f int) {
			if family == unix.AF_UNSPEC {
				family = f
			}
		}
	)
	for a.more() {
		w := a.next()
		switch {
		case w == "peer", w == "remote":
			v, err := a.value()
			if err != nil {
				return err
			}
			if hasPeer {
				return errDuplicate("peer", v)
			}
			if peer, err = getPrefix(v, family); err != nil {
				return err
			}
			hasPeer = true
			setFamily(peer.family)
		case matches(w, "broadcast"), w == "brd":
			v, err := a.value()
			if err != nil {
				return err
			}
			if brdMode != 0 {
				return errDuplicate("broadcast", v)
			}
			switch v {
			case "+":
				brdMode = -1
			case "-":
				brdMode = -2
			default:
				p, err := getAddr(v, family)
				if err != nil {
					return err
				}
				setFamily(p.family)
				brd, brdMode = p.addr, 1
			}
		case w == "anycast":
			v, err := a.value()
			if err != nil {
				return err
			}
			if anycast.IsValid() {
				return errDuplicate("anycast", v)
			}
			p, err := getAddr(v, family)
			if err != nil {
				return err
			}
			setFamily(p.family)
			anycast = p.addr
		case w == "scope":
			v, err := a.value()
			if err != nil {
				return err
			}
			s, ok := names.parseScope(v)
			if !ok {
				return invArg("invalid scope value.", v)
			}
			scope = &s
		case w == "dev":
			if dev, err = a.value(); err != nil {
				return err
			}
		case w == "label":
			if label, err = a.value(); err != nil {
				return err
			}
		case matches(w, "metric"), matches(w, "priority"), matches(w, "preference"):
			v, err := a.value()
			if err != nil {
				return err
			}
			m, ok := getUnsigned(v, 0, 0xffffffff)
			if !ok {
				return invArg("\"metric\" value is invalid\n", v)
			}
			metric = uint32(m)
		case matches(w, "valid_lft"):
			if validArg != "" {
				return errDuplicate("valid_lft", w)
			}
			if validArg, err = a.value(); err != nil {
				return err
			}
			if valid, err = parseLifetime(validArg, "valid_lft value"); err != nil {
				return err
			}
		case matches(w, "preferred_lft"):
			if prefArg != "" {
				return errDuplicate("preferred_lft", w)
			}
			if prefArg, err = a.value(); err != nil {
				return err
			}
			if preferred, err = parseLifetime(prefArg, "preferred_lft value"); err != nil {
				return err
			}
		default:
			if fw, ok := addrFlagWords[w]; ok {
				switch {
				case fw.readonly:
					fmt.Fprintf(c.stderr, "Warning: %s option is not mutable from userspace\n", w)
				case fw.v6only && family != unix.AF_INET6:
					fmt.Fprintf(c.stderr, "Warning: %s option can be set only for IPv6 addresses\n", w)
				default:
					ifaFlags |= fw.flag
				}
				continue
			}
			if w == "local" {
				if w, err = a.value(); err != nil {
					return err
				}
			}
			if matches(w, "help") {
				return c.addrUsage()
			}
			if hasLocal {
				return errGarbage("local", w)
			}
			if local, err = getPrefix(w, family); err != nil {
				return err
			}
			hasLocal, localArg = true, w
			setFamily(local.family)
		}
	}
	if dev == "" {
		return &cliError{code: 1, msg: `Not enough information: "dev" argument is required.`}
	}
	wildcard := false
	if !hasPeer && hasLocal && cmd == unix.RTM_DELADDR && local.family == unix.AF_INET && !local.specified {
		fmt.Fprintf(c.stderr, `Warning: Executing wildcard deletion to stay compatible with old scripts.
         Explicitly specify the prefix length (%s/%d) to avoid this warning.
         This special behaviour is likely to disappear in further releases,
         fix your scripts!
`, localArg, 32)
		wildcard = true
	}
	// The broadcast address "+" or "-" is computed from the peer prefix,
	// or the local one.
	if brdMode < 0 && cmd != unix.RTM_DELADDR {
		if family != unix.AF_INET {
			return &cliError{code: 1, msg: "Broadcast can be set only for IPv4 addresses"}
		}
		base := local
		if hasPeer {
			base = peer
		}
		if base.addr.IsValid() && base.bits <= 30 {
			if brdMode == -1 {
				brd, _ = rtnl.BroadcastAddr(base.prefix())
			} else {
				brd = base.prefix().Masked().Addr()
			}
		}
	}
	conn, err := c.conn()
	if err != nil {
		return err
	}
	index, err := devIndex(conn, dev)
	if err != nil {
		return err
	}
	if validArg != "" || prefArg != "" {
		if valid == 0 {
			return &cliError{code: 1, msg: "valid_lft is zero"}
		}
		if valid < preferred {
			return &cliError{code: 1, msg: "preferred_lft is greater than valid_lft"}
		}
	}
	if ifaFlags&unix.IFA_F_MCAUTOJOIN != 0 && !(local.addr.IsValid() && local.addr.IsMulticast()) {
		return &cliError{code: 1, msg: "autojoin needs multicast address"}
	}

	var m *rtnl.AddressMessage
	if hasLocal && local.addr.IsValid() {
		o := &rtnl.AddrOptions{Anycast: anycast, Label: label, Scope: scope, Flags: ifaFlags, Metric: metric}
		if hasPeer {
			o.Peer = peer.prefix()
		}
		switch {
		case brdMode == -1 && cmd != unix.RTM_DELADDR:
			// rtnl computes it, and writes it where iproute2 does.
			o.AutoBroadcast = true
		case cmd != unix.RTM_DELADDR || brdMode > 0:
			o.Broadcast = brd
		}
		if validArg != "" || prefArg != "" {
			o.ValidLifetime, o.PreferredLifetime = &valid, &preferred
		}
		if m, err = rtnl.NewAddressMessage(cmd, index, local.prefix(), o); err != nil {
			return err
		}
		if wildcard {
			m.Attrs.Address = netip.Addr{}
		}
	} else {
		// No local address ("ip address add dev lo"): iproute2 sends
		// what it has and the kernel answers.
		m = &rtnl.AddressMessage{Family: uint8(family), Index: index, Flags: uint8(ifaFlags)}
		if hasPeer {
			m.Attrs.Address, m.PrefixLen = peer.addr, uint8(peer.bits)
		}
		if scope != nil {
			m.Scope = *scope
		}
		m.Attrs.Broadcast, m.Attrs.Anycast, m.Attrs.Label, m.Attrs.RTPriority = brd, anycast, label, metric
		if ifaFlags > 0xff {
			m.Flags, m.Attrs.Flags = 0, ifaFlags
		}
	}
	_, err = conn.Execute(rtnl.Request{Type: cmd, Flags: flags, Payload: m})
	return err
}

// parseLifetime reads "forever" or a number of seconds (set_lifetime).
func parseLifetime(s, what string) (uint32, error) {
	if s == "forever" {
		return rtnl.InfiniteLifetime, nil
	}
	v, ok := getUnsigned(s, 0, 0xffffffff)
	if !ok {
		return 0, invArg(what, s)
	}
	return uint32(v), nil
}

// addrFilter is what ip address show and flush select on.
type addrFilter struct {
	family          int
	pfx             inetPrefix
	scope, scopeMsk uint8
	up              bool
	flags, flagMask uint32
	label           string
	group           *uint32
	master          int32 // -1: nomaster
	kind, slaveKind string
	dev             string
	index           int32
}

// parseFilterFlag reads a flag word of a listing ("secondary",
// "-tentative", "dynamic", "primary") as iproute2's get_filter does.
func (f *addrFilter) parseFilterFlag(w string) bool {
	inv := false
	if strings.HasPrefix(w, "-") {
		inv, w = true, w[1:]
	}
	switch w {
	case "dynamic":
		inv, w = !inv, "permanent"
	case "primary":
		inv, w = !inv, "secondary"
	}
	fw, ok := addrFlagWords[w]
	if !ok {
		return false
	}
	if inv {
		f.flags &^= fw.flag
	} else {
		f.flags |= fw.flag
	}
	f.flagMask |= fw.flag
	return true
}

func (c *ipCmd) parseAddrFilter(a *args, conn *rtnl.Conn, names *rtNames) (*addrFilter, error) {
	f := &addrFilter{family: c.opts.family}
	for a.more() {
		w := a.next()
		switch {
		case w == "to":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			if f.pfx, err = getPrefix(v, f.family); err != nil {
				return nil, err
			}
			if f.family == unix.AF_UNSPEC {
				f.family = f.pfx.family
			}
		case w == "scope":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			f.scopeMsk = 0xff
			s, ok := names.parseScope(v)
			if !ok {
				if v != "all" {
					return nil, invArg("invalid \"scope\"\n", v)
				}
				s, f.scopeMsk = unix.RT_SCOPE_NOWHERE, 0
			}
			f.scope = s
		case w == "up":
			f.up = true
		case f.parseFilterFlag(w):
		case w == "label":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			f.label = v
		case w == "group":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			g, err := parseGroup(v)
			if err != nil {
				return nil, err
			}
			f.group = &g
		case w == "master", w == "vrf":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			l, err := conn.LinkByName(v)
			if err != nil {
				if w == "vrf" {
					return nil, invArg("Not a valid VRF name\n", v)
				}
				return nil, invArg("Device does not exist\n", v)
			}
			if w == "vrf" && (l.Attrs.Info == nil || l.Attrs.Info.Kind != "vrf") {
				return nil, invArg("Not a valid VRF name\n", v)
			}
			f.master = l.Index
		case w == "nomaster":
			f.master = -1
		case w == "type":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			if k, ok := strings.CutSuffix(v, "_slave"); ok {
				f.slaveKind = k
			} else {
				f.kind = v
			}
		default:
			if w == "dev" {
				v, err := a.value()
				if err != nil {
					return nil, err
				}
				w = v
			} else if matches(w, "help") {
				return nil, c.addrUsage()
			}
			if f.dev != "" {
				return nil, errGarbage("dev", w)
			}
			f.dev = w
		}
	}
	if f.dev != "" {
		idx, err := conn.LinkIndex(f.dev)
		if err != nil {
			if errors.Is(err, unix.ENODEV) || rtnl.CheckLinkName(f.dev) != nil {
				return nil, &cliError{code: 1, msg: fmt.Sprintf("Device \"%s\" does not exist.", f.dev)}
			}
			return nil, err
		}
		f.index = idx
	}
	return f, nil
}

// matchAddr applies the filters print_addrinfo applies to one address.
func (f *addrFilter) matchAddr(s *linkSet, a *rtnl.AddressMessage) bool {
	if f.index != 0 && a.Index != f.index {
		return false
	}
	if (f.scope^a.Scope)&f.scopeMsk != 0 {
		return false
	}
	if (f.flags^a.AllFlags())&f.flagMask != 0 {
		return false
	}
	if f.family != 0 && int(a.Family) != f.family {
		return false
	}
	if !f.matchLabel(s, a) {
		return false
	}
	local, _ := addrLocal(a)
	return matchPrefix(f.pfx, local)
}

// matchLabel matches the address's label, or its link's name, against
// the "label" pattern (fnmatch).
func (f *addrFilter) matchLabel(s *linkSet, a *rtnl.AddressMessage) bool {
	if f.label == "" {
		return true
	}
	l := a.Attrs.Label
	if _, raw := a.Attrs.Raw(unix.IFA_LABEL); l == "" && !raw {
		l = s.name(a.Index)
	}
	ok, err := path.Match(f.label, l)
	return ok && err == nil
}

// matchLink applies the link filters print_linkinfo applies: it reports
// whether to print the link and its addresses, and whether to print the
// link line (not with a label filter).
func (f *addrFilter) matchLink(l *rtnl.LinkMessage) (show, header bool) {
	if f.index != 0 && l.Index != f.index {
		return false, false
	}
	if f.up && l.Flags&unix.IFF_UP == 0 {
		return false, false
	}
	if f.label != "" {
		return true, false
	}
	if f.group != nil && l.Attrs.Group != nil && *l.Attrs.Group != *f.group {
		return false, false
	}
	switch {
	case l.Attrs.Master != nil:
		if f.master > 0 && int32(*l.Attrs.Master) != f.master {
			return false, false
		}
	case f.master > 0:
		return false, false
	}
	if f.kind != "" && !linkIsKind(l, f.kind) {
		return false, false
	}
	if f.slaveKind != "" && !linkIsKind(l, f.slaveKind+"_slave") {
		return false, false
	}
	return true, true
}

// addrList is ip address show, and with flush, ip address flush.
func (c *ipCmd) addrList(a *args, flush bool) error {
	if flush {
		if !a.more() {
			return &cliError{code: 1, msg: "Flush requires arguments."}
		}
		if c.opts.family == unix.AF_PACKET {
			return &cliError{code: 1, msg: "Cannot flush link addresses."}
		}
	}
	conn, err := c.conn()
	if err != nil {
		return err
	}
	names := &rtNames{}
	f, err := c.parseAddrFilter(a, conn, names)
	if err != nil {
		return err
	}
	all, err := conn.Links()
	if err != nil && !errors.Is(err, rtnl.ErrDumpInterrupted) {
		return err
	}
	set := newLinkSet(all)
	set.nsName = c.nsidNamer(conn)
	if flush {
		return c.addrFlush(conn, set, f, names)
	}

	// The links: the one named, or a dump of the listing's family, which
	// for IPv6 is the kernel's short IPv6 view of each link.
	var links []*rtnl.LinkMessage
	switch {
	case f.index != 0:
		if l, ok := set.byIdx[f.index]; ok {
			links = []*rtnl.LinkMessage{l}
		} else if l, err := conn.LinkByIndex(f.index); err == nil {
			links = []*rtnl.LinkMessage{l}
		}
	case c.opts.family == unix.AF_INET6:
		if links, err = dumpLinksOfFamily(conn, unix.AF_INET6); err != nil {
			return err
		}
	case c.opts.family == unix.AF_UNSPEC || c.opts.family == unix.AF_PACKET:
		// iproute2 has the kernel filter this dump by master and kind.
		for _, l := range all {
			if f.kind != "" && !linkIsKind(l, f.kind) {
				continue
			}
			if f.master == -1 && l.Attrs.Master != nil && *l.Attrs.Master != 0 {
				continue
			}
			if f.master > 0 && (l.Attrs.Master == nil || int32(*l.Attrs.Master) != f.master) {
				continue
			}
			links = append(links, l)
		}
	default:
		links = all
	}
	var addrs []*rtnl.AddressMessage
	if f.family != unix.AF_PACKET {
		addrs, err = conn.Addrs(f.family, f.index)
		if err != nil && !errors.Is(err, rtnl.ErrDumpInterrupted) {
			return err
		}
		links = f.linksWithAddrs(set, links, addrs)
	}
	noLink := c.opts.oneline && f.family != unix.AF_PACKET
	view := ipLinkView{family: f.family, queue: true, qlen: func(idx int32) (uint32, bool) {
		if l, ok := set.byIdx[idx]; ok && l.Attrs.TxQLen != nil {
			return *l.Attrs.TxQLen, true
		}
		return 0, false
	}}
	av := ipAddrView{oneline: c.opts.oneline, brief: c.opts.brief}

	if c.opts.json {
		out := make([]*jobj, 0, len(links))
		for _, l := range links {
			o := &jobj{}
			show, header := true, false
			if c.opts.brief || !noLink {
				show, header = f.matchLink(l)
				switch {
				case !show || !header:
				case c.opts.brief:
					o = addrLinkBriefJSON(set, l)
				default:
					o = c.addrLinkJSON(set, l, view)
				}
			}
			if show && f.family != unix.AF_PACKET {
				infos := []*jobj{}
				for _, ad := range addrs {
					if ad.Index != l.Index || (f.family != 0 && int(ad.Family) != f.family) || (f.up && l.Flags&unix.IFF_UP == 0) {
						continue
					}
					if f.matchAddr(set, ad) {
						infos = append(infos, c.addrJSON(set, ad, av, names))
					} else {
						infos = append(infos, &jobj{})
					}
				}
				o.add("addr_info", infos)
			}
			if header && !c.opts.brief && c.opts.stats > 0 {
				if st := linkStats64JSON(c, set, l); st != nil {
					o.add("stats64", st)
				}
			}
			out = append(out, o)
		}
		return writeJSON(c.stdout, out, c.opts.pretty)
	}

	var b strings.Builder
	for _, l := range links {
		show, header := true, false
		if c.opts.brief || !noLink {
			show, header = f.matchLink(l)
			if show && header {
				if c.opts.brief {
					addrLinkBrief(&b, set, l)
				} else {
					c.addrLinkText(&b, set, l, view)
				}
			}
		}
		if !show {
			continue
		}
		if f.family != unix.AF_PACKET {
			for _, ad := range addrs {
				if ad.Index != l.Index || (f.family != 0 && int(ad.Family) != f.family) || (f.up && l.Flags&unix.IFF_UP == 0) {
					continue
				}
				if !f.matchAddr(set, ad) {
					continue
				}
				start := b.Len()
				c.addrText(&b, set, ad, av, names)
				if c.opts.oneline && !c.opts.brief {
					oneline(&b, start)
				}
			}
			if c.opts.brief {
				b.WriteByte('\n')
			}
		}
		if header && !c.opts.brief && c.opts.stats > 0 {
			var st strings.Builder
			linkStatsText(&st, l)
			if s := st.String(); s != "" {
				b.WriteString(strings.TrimPrefix(s, "\n"))
				b.WriteByte('\n')
			}
		}
	}
	_, err = fmt.Fprint(c.stdout, b.String())
	return err
}

// linkStats64JSON is the "stats64" object of a link, as ip -j -s link
// prints it.
func linkStats64JSON(c *ipCmd, s *linkSet, l *rtnl.LinkMessage) any {
	o := c.linkJSON(s, l, true)
	for _, kv := range *o {
		if kv.k == "stats64" {
			return kv.v
		}
	}
	return nil
}

// linksWithAddrs drops the links none of whose addresses pass the
// filter, keeping links without any address in a listing of every family
// (iproute2's ipaddr_filter).
func (f *addrFilter) linksWithAddrs(s *linkSet, links []*rtnl.LinkMessage, addrs []*rtnl.AddressMessage) []*rtnl.LinkMessage {
	out := links[:0:0]
	for _, l := range links {
		ok, missing := false, true
		for _, ad := range addrs {
			if ad.Index != l.Index {
				continue
			}
			missing = false
			if f.family != 0 && int(ad.Family) != f.family {
				continue
			}
			if (f.scope^ad.Scope)&f.scopeMsk != 0 || (f.flags^ad.AllFlags())&f.flagMask != 0 {
				continue
			}
			if !f.matchLabel(s, ad) {
				continue
			}
			if local, _ := addrLocal(ad); !matchPrefix(f.pfx, local) {
				continue
			}
			ok = true
			break
		}
		if missing && (f.family == unix.AF_UNSPEC || f.family == unix.AF_PACKET) {
			ok = true
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}

// dumpLinksOfFamily dumps links with a bare ifinfomsg of the family, as
// iproute2 does for ip -6 address: the kernel answers AF_INET6 with its
// own short view of each link.
func dumpLinksOfFamily(conn *rtnl.Conn, family uint8) ([]*rtnl.LinkMessage, error) {
	msgs, err := conn.DumpAll(rtnl.Request{Type: unix.RTM_GETLINK, Payload: &rtnl.LinkMessage{Family: family}})
	if err != nil && !errors.Is(err, rtnl.ErrDumpInterrupted) {
		return nil, err
	}
	var links []*rtnl.LinkMessage
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWLINK {
			continue
		}
		l := new(rtnl.LinkMessage)
		if err := l.Decode(m.Data, conn.Kinds()); err != nil {
			return nil, err
		}
		links = append(links, l)
	}
	return links, nil
}

// maxAddrFlushRounds is iproute2's default for -loops.
const maxAddrFlushRounds = 10

// addrFlush deletes the addresses the filter selects, dumping again until
// none is left, as ip address flush does.
func (c *ipCmd) addrFlush(conn *rtnl.Conn, set *linkSet, f *addrFilter, names *rtNames) error {
	for round := 0; round < maxAddrFlushRounds; round++ {
		addrs, err := conn.Addrs(f.family, f.index)
		if err != nil && !errors.Is(err, rtnl.ErrDumpInterrupted) {
			return &cliError{code: 1, msg: "Flush terminated"}
		}
		var reqs []rtnl.Request
		var b strings.Builder
		for _, ad := range addrs {
			if !f.matchAddr(set, ad) {
				continue
			}
			reqs = append(reqs, rtnl.Request{Type: unix.RTM_DELADDR, Payload: ad})
			if c.opts.stats >= 2 {
				c.addrText(&b, set, ad, ipAddrView{oneline: true}, names)
			}
		}
		fmt.Fprint(c.stdout, b.String())
		if len(reqs) == 0 {
			if c.opts.stats > 0 {
				if round == 0 {
					fmt.Fprintln(c.stdout, "Nothing to flush.")
				} else {
					fmt.Fprintf(c.stdout, "*** Flush is complete after %d round%s ***\n", round, plural(round))
				}
			}
			return nil
		}
		results, err := conn.Batch(reqs, rtnl.BatchOptions{})
		if err != nil {
			return err
		}
		for _, r := range results {
			if r.Err != nil && !errors.Is(r.Err, unix.EADDRNOTAVAIL) {
				return &cliError{code: 1, msg: "Failed to send flush request: " + errText(r.Err)}
			}
		}
		if c.opts.stats > 0 {
			fmt.Fprintf(c.stdout, "\n*** Round %d, deleting %d addresses ***\n", round+1, len(reqs))
		}
		// "primary" flushes one round: more would take the secondaries
		// promoted in their place. A dry run stops there too: the kernel
		// deleted nothing, and the next dump would list the same
		// addresses again.
		if c.dryRun || f.flagMask&unix.IFA_F_SECONDARY != 0 && f.flags&unix.IFA_F_SECONDARY == 0 {
			if c.opts.stats > 0 {
				fmt.Fprintf(c.stdout, "*** Flush is complete after %d round%s ***\n", round+1, plural(round+1))
			}
			return nil
		}
	}
	return &cliError{code: 1, msg: fmt.Sprintf("*** Flush remains incomplete after %d rounds. ***", maxAddrFlushRounds)}
}

func plural(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}
