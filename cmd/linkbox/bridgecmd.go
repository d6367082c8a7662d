package main

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/bridge"
	"github.com/linkbox/linkbox/rtnl"
)

// bridge is iproute2's bridge tool, for the objects linkbox needs: link
// (the ports and their STP state) and fdb (the forwarding database). Its
// output, messages and exit statuses are iproute2 6.1's: a failed command
// exits with 255, a kernel refusal included.

const bridgeUsage = "bridge [ OPTIONS ] OBJECT { COMMAND | help }"

// bridgeToolOpts are the bridge tool's global options.
type bridgeToolOpts struct {
	stats, details int
	oneline, json  bool
	pretty         bool
}

// bridgeCmd is one run of the bridge tool.
type bridgeCmd struct {
	*env
	opts bridgeToolOpts
}

// bridgeHelp is bridge.c's usage, on standard error.
const bridgeHelp = `Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }
       bridge [ -force ] -batch filename
where  OBJECT := { link | fdb | mdb | vlan | monitor }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] |
                    -o[neline] | -t[imestamp] | -n[etns] name |
                    -c[ompressvlans] -color -p[retty] -j[son] }`

func bridgeMain(e *env, argv []string) int {
	c := &bridgeCmd{env: e}
	usage := &cliError{code: 255, msg: bridgeHelp}
	for len(argv) > 0 {
		opt := argv[0]
		if opt == "--" {
			argv = argv[1:]
			break
		}
		if !strings.HasPrefix(opt, "-") {
			break
		}
		if strings.HasPrefix(opt, "--") {
			opt = opt[1:]
		}
		argv = argv[1:]
		switch {
		case matches(opt, "-help"):
			return c.report(usage)
		case matches(opt, "-Version"):
			fmt.Fprintf(c.stdout, "bridge utility, linkbox %s\n", version)
			return 0
		case matches(opt, "-stats"), matches(opt, "-statistics"):
			c.opts.stats++
		case matches(opt, "-details"):
			c.opts.details++
		case matches(opt, "-oneline"):
			c.opts.oneline = true
		case matches(opt, "-timestamp"), matches(opt, "-compressvlans"), matches(opt, "-force"),
			opt == "-4", opt == "-6":
			// Accepted; nothing linkbox prints depends on them.
		case matches(opt, "-family"):
			if len(argv) == 0 {
				return c.report(usage)
			}
			switch argv[0] {
			case "inet", "inet6":
			case "help":
				return c.report(usage)
			default:
				return c.report(usagef(`Error: argument "%s" is wrong: invalid protocol family`, argv[0]))
			}
			argv = argv[1:]
		case matches(opt, "-netns"):
			if len(argv) == 0 {
				return c.report(errIncomplete())
			}
			c.netns = argv[0]
			argv = argv[1:]
		case strings.HasPrefix(opt, "-c"), strings.HasPrefix(opt, "-color"):
			// Colour is not supported; output stays plain.
		case matches(opt, "-json"):
			c.opts.json = true
		case matches(opt, "-pretty"):
			c.opts.pretty = true
		case matches(opt, "-batch"):
			return c.report(usagef("bridge -batch: not implemented by linkbox"))
		default:
			return c.report(usagef(`Option "%s" is unknown, try "bridge help".`, opt))
		}
	}
	if len(argv) == 0 {
		return c.report(usage)
	}
	obj, args := argv[0], newArgs(argv[1:])
	switch {
	case matches(obj, "link"):
		return c.report(c.doLink(args))
	case matches(obj, "fdb"):
		return c.report(c.doFDB(args))
	case matches(obj, "mdb"), matches(obj, "vlan"), matches(obj, "vni"), matches(obj, "monitor"):
		return c.report(&cliError{code: 255, msg: fmt.Sprintf("Object %q is not implemented by linkbox.", obj)})
	case matches(obj, "help"):
		return c.report(usage)
	}
	return c.report(usagef(`Object "%s" is unknown, try "bridge help".`, obj))
}

// report prints err as the bridge tool does: a kernel refusal as
// iproute2's ip words it, but with status 255.
func (c *bridgeCmd) report(err error) int {
	var ke *rtnl.Error
	if errors.As(err, &ke) {
		fmt.Fprintln(c.stderr, kernelErrorText(ke))
		return 255
	}
	return c.env.report("bridge", err)
}

// linkNames are the links of the namespace by index, for names and flags,
// as iproute2's ll_init_map caches them.
type linkNames map[int32]*rtnl.LinkMessage

func (c *bridgeCmd) linkNames(conn *rtnl.Conn) (linkNames, error) {
	links, err := conn.Links()
	if err != nil && !errors.Is(err, rtnl.ErrDumpInterrupted) {
		return nil, err
	}
	m := make(linkNames, len(links))
	for _, l := range links {
		m[l.Index] = l
	}
	return m, nil
}

// name is ll_index_to_name: the link's name, or ifN.
func (n linkNames) name(idx int32) string {
	if l, ok := n[idx]; ok {
		return l.Attrs.Name
	}
	return fmt.Sprintf("if%d", idx)
}

// index is ll_name_to_index: 0 when there is no such link.
func (n linkNames) index(name string) int32 {
	for _, l := range n {
		if l.Attrs.Name == name {
			return l.Index
		}
	}
	return 0
}

// sl is iproute2's _SL_: the line break inside a record, "\" with -o.
func (c *bridgeCmd) sl() string {
	if c.opts.oneline {
		return "\\"
	}
	return "\n"
}

// write prints a JSON array or the text built.
func (c *bridgeCmd) write(text *strings.Builder, objs []*jobj) error {
	if c.opts.json {
		if objs == nil {
			objs = []*jobj{}
		}
		return writeJSON(c.stdout, objs, c.opts.pretty)
	}
	_, err := fmt.Fprint(c.stdout, text.String())
	return err
}

func (c *bridgeCmd) doLink(a *args) error {
	if !a.more() {
		return c.linkShow(a)
	}
	w := a.next()
	switch {
	case matches(w, "show"), matches(w, "lst"), matches(w, "list"):
		return c.linkShow(a)
	case matches(w, "set"), matches(w, "change"):
		return c.linkSet(a)
	case matches(w, "help"):
		return &cliError{code: 255, msg: linkUsage}
	}
	return usagef(`Command "%s" is unknown, try "bridge link help".`, w)
}

// linkUsage is bridge/link.c's usage, on standard error.
const linkUsage = `Usage: bridge link set dev DEV [ cost COST ] [ priority PRIO ] [ state STATE ]
                               [ guard {on | off} ]
                               [ hairpin {on | off} ]
                               [ fastleave {on | off} ]
                               [ root_block {on | off} ]
                               [ learning {on | off} ]
                               [ learning_sync {on | off} ]
                               [ flood {on | off} ]
                               [ mcast_router MULTICAST_ROUTER ]
                               [ mcast_flood {on | off} ]
                               [ bcast_flood {on | off} ]
                               [ mcast_to_unicast {on | off} ]
                               [ neigh_suppress {on | off} ]
                               [ vlan_tunnel {on | off} ]
                               [ isolated {on | off} ]
                               [ locked {on | off} ]
                               [ hwmode {vepa | veb} ]
                               [ backup_port DEVICE ] [ nobackup_port ]
                               [ self ] [ master ]
       bridge link show [dev DEV]`

// linkShow is bridge link show [dev DEV]: the links of an AF_BRIDGE dump,
// which are the bridge ports, with their port state from IFLA_PROTINFO.
func (c *bridgeCmd) linkShow(a *args) error {
	var dev string
	for a.more() {
		if w := a.next(); w == "dev" {
			v, err := a.value()
			if err != nil {
				return err
			}
			if dev != "" {
				return usagef(`Error: duplicate "dev": "%s" is the second value.`, v)
			}
			dev = v
		}
	}
	conn, err := c.conn()
	if err != nil {
		return err
	}
	names, err := c.linkNames(conn)
	if err != nil {
		return err
	}
	var filter int32
	if dev != "" {
		if filter = names.index(dev); filter == 0 {
			return &cliError{code: 255, msg: fmt.Sprintf("Cannot find device %q", dev)}
		}
	}
	req := &rtnl.LinkMessage{Family: unix.AF_BRIDGE, Attrs: rtnl.LinkAttrs{ExtMask: 1}} // RTEXT_FILTER_VF, as rtnl_linkdump_req asks
	msgs, err := conn.DumpAll(rtnl.Request{Type: unix.RTM_GETLINK, Payload: req})
	if err != nil && !errors.Is(err, rtnl.ErrDumpInterrupted) {
		return err
	}
	var text strings.Builder
	var objs []*jobj
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWLINK {
			continue
		}
		l := new(rtnl.LinkMessage)
		if err := l.Decode(m.Data, conn.Kinds()); err != nil {
			return err
		}
		if l.Family != unix.AF_BRIDGE && l.Family != unix.AF_UNSPEC {
			continue
		}
		if filter != 0 && l.Index != filter {
			continue
		}
		o := c.portLink(&text, l, names)
		objs = append(objs, o)
	}
	return c.write(&text, objs)
}

// portLink is bridge/link.c's print_linkinfo for one link, as text into b
// and as a JSON object.
func (c *bridgeCmd) portLink(b *strings.Builder, l *rtnl.LinkMessage, names linkNames) *jobj {
	a := &l.Attrs
	o := &jobj{}
	o.add("ifindex", l.Index)
	fmt.Fprintf(b, "%d: ", l.Index)
	name := a.Name
	mdown := false
	if a.Has(unix.IFLA_LINK) {
		switch {
		case a.Link == 0:
			o.add("link", nil)
			name += "@NONE"
		case a.LinkNetNSID != nil:
			// iproute2 names the peer's index as if it were one of
			// this namespace's links.
			o.add("link_index", a.Link)
			name += "@" + names.name(int32(a.Link))
		default:
			p := names.name(int32(a.Link))
			o.add("link", p)
			name += "@" + p
			// ll_index_to_flags gives all bits for an index it does
			// not know: no M-DOWN then.
			pl, ok := names[int32(a.Link)]
			mdown = ok && pl.Flags&unix.IFF_UP == 0
		}
	}
	o.add("ifname", a.Name)
	fmt.Fprintf(b, "%s: ", name)
	flags := linkFlags(l.Flags, mdown)
	o.add("flags", flags)
	fmt.Fprintf(b, "<%s> ", strings.Join(flags, ","))
	if a.Has(unix.IFLA_MTU) {
		o.add("mtu", a.MTU)
		fmt.Fprintf(b, "mtu %d ", a.MTU)
	}
	if a.Master != nil {
		m := names.name(int32(*a.Master))
		o.add("master", m)
		fmt.Fprintf(b, "master %s ", m)
	}
	for _, u := range a.Unknown {
		if u.Type&0x3fff != unix.IFLA_PROTINFO {
			continue
		}
		if u.Type&unix.NLA_F_NESTED == 0 {
			if len(u.Data) > 0 {
				c.stpState(b, o, bridge.PortState(u.Data[0]))
			}
			break
		}
		p := new(bridge.PortInfo)
		if err := p.Decode(rtnl.NewDecoder(u.Data)); err != nil {
			break
		}
		c.protinfo(b, o, p, names)
		break
	}
	if af, ok := a.Raw(unix.IFLA_AF_SPEC); ok {
		d := rtnl.NewDecoder(af)
		for d.Next() {
			if d.Type() == iflaBridgeMode && len(d.Bytes()) >= 2 {
				mode := d.Uint16()
				s := hex0x(uint64(mode))
				switch mode {
				case 0:
					s = "VEB"
				case 1:
					s = "VEPA"
				}
				o.add("hwmode", s)
				fmt.Fprintf(b, "hwmode %s ", s)
			}
		}
	}
	b.WriteString("\n")
	return o
}

// stpState is print_stp_state.
func (c *bridgeCmd) stpState(b *strings.Builder, o *jobj, s bridge.PortState) {
	if int(s) < len(portStateNames) {
		o.add("state", portStateNames[s])
		fmt.Fprintf(b, "state %s ", portStateNames[s])
		return
	}
	o.add("state", uint8(s))
	fmt.Fprintf(b, "state (%d) ", s)
}

// protinfo is print_protinfo for a nested IFLA_PROTINFO.
func (c *bridgeCmd) protinfo(b *strings.Builder, o *jobj, p *bridge.PortInfo, names linkNames) {
	if p.State != nil {
		c.stpState(b, o, *p.State)
	}
	if p.Priority != nil {
		o.add("priority", *p.Priority)
		fmt.Fprintf(b, "priority %d ", *p.Priority)
	}
	if p.Cost != nil {
		o.add("cost", *p.Cost)
		fmt.Fprintf(b, "cost %d ", *p.Cost)
	}
	if c.opts.details == 0 {
		return
	}
	if !c.opts.json {
		b.WriteString(c.sl() + "    ")
	}
	onOff := func(key string, v *bool) {
		if v != nil {
			o.add(key, *v)
			fmt.Fprintf(b, "%s %s ", key, onOffWord(*v))
		}
	}
	onOff("hairpin", p.Hairpin)
	onOff("guard", p.Guard)
	onOff("root_block", p.RootBlock)
	onOff("fastleave", p.FastLeave)
	onOff("learning", p.Learning)
	onOff("learning_sync", p.LearningSync)
	onOff("flood", p.UnicastFlood)
	onOff("mcast_flood", p.McastFlood)
	onOff("bcast_flood", p.BcastFlood)
	if p.McastRouter != nil {
		o.add("mcast_router", *p.McastRouter)
		fmt.Fprintf(b, "mcast_router %d ", *p.McastRouter)
	}
	onOff("mcast_to_unicast", p.McastToUnicast)
	onOff("neigh_suppress", p.NeighSuppress)
	onOff("vlan_tunnel", p.VLANTunnel)
	if p.BackupPort != nil {
		n := names.name(int32(*p.BackupPort))
		o.add("backup_port", n)
		fmt.Fprintf(b, "backup_port %s ", n)
	}
	onOff("isolated", p.Isolated)
	onOff("locked", p.Locked)
}

func (c *bridgeCmd) doFDB(a *args) error {
	if !a.more() {
		return c.fdbShow(a)
	}
	w := a.next()
	switch {
	case matches(w, "add"):
		return c.fdbModify(a, unix.RTM_NEWNEIGH, unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	case matches(w, "append"):
		return c.fdbModify(a, unix.RTM_NEWNEIGH, unix.NLM_F_CREATE|unix.NLM_F_APPEND)
	case matches(w, "replace"):
		return c.fdbModify(a, unix.RTM_NEWNEIGH, unix.NLM_F_CREATE|unix.NLM_F_REPLACE)
	case matches(w, "delete"):
		return c.fdbModify(a, unix.RTM_DELNEIGH, 0)
	case matches(w, "show"), matches(w, "lst"), matches(w, "list"):
		return c.fdbShow(a)
	case matches(w, "help"):
		return &cliError{code: 255, msg: fdbUsage}
	}
	return usagef(`Command "%s" is unknown, try "bridge fdb help".`, w)
}

const fdbUsage = `Usage: bridge fdb { add | append | del | replace } ADDR dev DEV
              [ self ] [ master ] [ use ] [ router ] [ extern_learn ]
              [ sticky ] [ local | static | dynamic ] [ vlan VID ]
              { [ dst IPADDR ] [ port PORT] [ vni VNI ] | [ nhid NHID ] }
	       [ via DEV ] [ src_vni VNI ]
       bridge fdb [ show [ br BRDEV ] [ brport DEV ] [ vlan VID ]
              [ state STATE ] [ dynamic ] ]
       bridge fdb get [ to ] LLADDR [ br BRDEV ] { brport | dev } DEV
              [ vlan VID ] [ vni VNI ] [ self ] [ master ] [ dynamic ]
       bridge fdb flush dev DEV [ brport DEV ] [ vlan VID ]
              [ self ] [ master ] [ [no]permanent | [no]static | [no]dynamic ]
              [ [no]added_by_user ] [ [no]extern_learn ] [ [no]sticky ]
              [ [no]offloaded ]`

// fdbStateA2N is fdb.c's state_a2n.
func fdbStateA2N(s string) (uint16, bool) {
	switch {
	case matches(s, "permanent"):
		return unix.NUD_PERMANENT, true
	case matches(s, "static"), matches(s, "temp"):
		return unix.NUD_NOARP, true
	case matches(s, "stale"):
		return unix.NUD_STALE, true
	case matches(s, "reachable"), matches(s, "dynamic"):
		return unix.NUD_REACHABLE, true
	case s == "all":
		return 0xffff, true
	}
	v, ok := cUint(s, 32)
	return uint16(v), ok
}

// cAtoi is atoi(3): blanks, a sign, decimal digits, the rest ignored;
// the C long it reads is cut to an int.
func cAtoi(s string) int32 {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var v int64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if v < 1<<62 {
			v = v*10 + int64(s[i]-'0')
		}
	}
	if neg {
		v = -v
	}
	return int32(v)
}

// fdbShow is bridge fdb show [br BR] [brport|dev DEV] [vlan V] [state S]
// [dynamic].
func (c *bridgeCmd) fdbShow(a *args) error {
	var dev, br string
	var vlan int32
	var state uint16
	dynamic := false
	for a.more() {
		w := a.next()
		switch {
		case w == "brport", w == "dev":
			v, err := a.value()
			if err != nil {
				return err
			}
			dev = v
		case w == "br":
			v, err := a.value()
			if err != nil {
				return err
			}
			br = v
		case w == "vlan":
			v, err := a.value()
			if err != nil {
				return err
			}
			if vlan != 0 {
				return usagef(`Error: duplicate "vlan": "%s" is the second value.`, v)
			}
			vlan = cAtoi(v)
		case w == "state":
			v, err := a.value()
			if err != nil {
				return err
			}
			s, ok := fdbStateA2N(v)
			if !ok {
				return errKindValue(v, "invalid state")
			}
			state |= s
		case w == "dynamic":
			dynamic = true
		case matches(w, "help"):
			return &cliError{code: 255, msg: fdbUsage}
		}
	}
	conn, err := c.conn()
	if err != nil {
		return err
	}
	names, err := c.linkNames(conn)
	if err != nil {
		return err
	}
	req := &rtnl.NeighMessage{Family: unix.AF_BRIDGE}
	if br != "" {
		idx := names.index(br)
		if idx == 0 {
			return &cliError{code: 255, msg: fmt.Sprintf("Cannot find bridge device %q", br)}
		}
		req.Attrs.Master = new(uint32(idx))
	}
	if dev != "" {
		if req.Index = names.index(dev); req.Index == 0 {
			return &cliError{code: 255, msg: fmt.Sprintf("Cannot find device %q", dev)}
		}
	}
	msgs, err := conn.DumpAll(rtnl.Request{Type: unix.RTM_GETNEIGH, Payload: req})
	if err != nil && !errors.Is(err, rtnl.ErrDumpInterrupted) {
		return err
	}
	var text strings.Builder
	var objs []*jobj
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWNEIGH {
			continue
		}
		n := new(rtnl.NeighMessage)
		if err := n.UnmarshalBinary(m.Data); err != nil {
			return err
		}
		if n.Family != unix.AF_BRIDGE ||
			(req.Index != 0 && n.Index != req.Index) ||
			(state != 0 && n.State&state == 0) ||
			(vlan != 0 && int32(n.Attrs.VLAN) != vlan) ||
			(dynamic && n.State&unix.NUD_PERMANENT != 0) {
			continue
		}
		objs = append(objs, c.fdbEntry(&text, n, names, req.Index != 0))
	}
	return c.write(&text, objs)
}

// fdbStateName is fdb.c's state_n2a.
func (c *bridgeCmd) fdbStateName(s uint16) string {
	switch {
	case s&unix.NUD_PERMANENT != 0:
		return "permanent"
	case s&unix.NUD_NOARP != 0:
		return "static"
	case s&unix.NUD_STALE != 0:
		return "stale"
	case s&unix.NUD_REACHABLE != 0:
		return ""
	case c.opts.json:
		return fmt.Sprintf("%#x", s)
	}
	return fmt.Sprintf("state=%#x", s)
}

// fdbEntry is print_fdb for one entry.
func (c *bridgeCmd) fdbEntry(b *strings.Builder, n *rtnl.NeighMessage, names linkNames, filtered bool) *jobj {
	a := &n.Attrs
	o := &jobj{}
	if a.LLAddr != nil {
		s := a.LLAddr.String()
		o.add("mac", s)
		fmt.Fprintf(b, "%s ", s)
	}
	if !filtered && n.Index != 0 {
		s := names.name(n.Index)
		o.add("ifname", s)
		fmt.Fprintf(b, "dev %s ", s)
	}
	if a.Dst.IsValid() {
		s := a.Dst.String()
		o.add("dst", s)
		fmt.Fprintf(b, "dst %s ", s)
	}
	if a.VLAN != 0 {
		o.add("vlan", a.VLAN)
		fmt.Fprintf(b, "vlan %d ", a.VLAN)
	}
	if a.Port != 0 {
		o.add("port", a.Port)
		fmt.Fprintf(b, "port %d ", a.Port)
	}
	if a.VNI != 0 {
		o.add("vni", a.VNI)
		fmt.Fprintf(b, "vni %d ", a.VNI)
	}
	if a.SrcVNI != 0 {
		o.add("src_vni", a.SrcVNI)
		fmt.Fprintf(b, "src_vni %d ", a.SrcVNI)
	}
	if a.IfIndex != 0 {
		if a.LinkNetNSID != nil {
			o.add("viaIfIndex", a.IfIndex)
			fmt.Fprintf(b, "via ifindex %d ", a.IfIndex)
		} else {
			s := names.name(int32(a.IfIndex))
			o.add("viaIf", s)
			fmt.Fprintf(b, "via %s ", s)
		}
	}
	if a.NHID != 0 {
		o.add("nhid", a.NHID)
		fmt.Fprintf(b, "nhid %d ", a.NHID)
	}
	if a.LinkNetNSID != nil {
		o.add("linkNetNsId", *a.LinkNetNSID)
		fmt.Fprintf(b, "link-netnsid %d ", *a.LinkNetNSID)
	}
	if ci := a.CacheInfo; c.opts.stats > 0 && ci != nil {
		// USER_HZ is 100.
		o.add("used", ci.Used/100)
		o.add("updated", ci.Updated/100)
		fmt.Fprintf(b, "used %d/%d ", int32(ci.Used)/100, int32(ci.Updated)/100)
	}
	flags := []string{}
	for _, f := range []struct {
		bit  uint8
		name string
	}{
		{unix.NTF_SELF, "self"}, {unix.NTF_ROUTER, "router"}, {unix.NTF_EXT_LEARNED, "extern_learn"},
		{unix.NTF_OFFLOADED, "offload"}, {unix.NTF_MASTER, "master"}, {rtnl.NTFSticky, "sticky"},
	} {
		if n.Flags&f.bit != 0 {
			flags = append(flags, f.name)
			fmt.Fprintf(b, "%s ", f.name)
		}
	}
	o.add("flags", flags)
	if a.Master != nil {
		s := names.name(int32(*a.Master))
		o.add("master", s)
		fmt.Fprintf(b, "master %s ", s)
	}
	s := c.fdbStateName(n.State)
	o.add("state", s)
	fmt.Fprintf(b, "%s\n", s)
	return o
}

// parseFDBMAC reads a MAC address as fdb.c's
// sscanf("%hhx:%hhx:%hhx:%hhx:%hhx:%hhx") does: six hex numbers, each
// cut to a byte, separated by colons, anything after the sixth ignored.
func parseFDBMAC(s string) (net.HardwareAddr, bool) {
	mac := make(net.HardwareAddr, 6)
	for i := range mac {
		if i > 0 {
			if s == "" || s[0] != ':' {
				return nil, false
			}
			s = s[1:]
		}
		v, n, ok := cStrtoullHex(s)
		if !ok {
			return nil, false
		}
		mac[i] = byte(v)
		s = s[n:]
	}
	return mac, true
}

// cStrtoullHex is strtoull(s, &end, 16) as scanf's %x uses it.
func cStrtoullHex(s string) (uint64, int, bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if i+2 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && digitVal(s[i+2]) < 16 {
		i += 2
	}
	start := i
	var v uint64
	for i < len(s) && digitVal(s[i]) < 16 {
		v = v<<4 | digitVal(s[i])
		i++
	}
	if i == start {
		return 0, 0, false
	}
	if neg {
		v = -v
	}
	return v, i, true
}

// fdbModify is bridge fdb add, append, replace and delete, with fdb.c's
// defaults: NTF_SELF unless "master", and a permanent entry unless
// "static" or "dynamic".
func (c *bridgeCmd) fdbModify(a *args, cmd, flags uint16) error {
	m := &rtnl.NeighMessage{Family: unix.AF_BRIDGE, State: unix.NUD_NOARP}
	var dev, addr, via string
	vid := int32(-1)
	dstOK := false
	var port uint64
	for a.more() {
		w := a.next()
		var err error
		value := func() string {
			var v string
			v, err = a.value()
			return v
		}
		switch {
		case w == "dev":
			dev = value()
		case w == "dst":
			v := value()
			if err == nil {
				if dstOK {
					return errGarbage("dst", v)
				}
				d, perr := netip.ParseAddr(v)
				if perr != nil {
					return &cliError{code: 1, msg: fmt.Sprintf("Error: any valid address is expected rather than %q.", v)}
				}
				m.Attrs.Dst, dstOK = d, true
			}
		case w == "nhid":
			v := value()
			if err == nil {
				n, ok := cUint(v, 32)
				if !ok {
					return errInvalidArg(v, `"id" value is invalid`)
				}
				m.Attrs.NHID = uint32(n)
			}
		case w == "port":
			v := value()
			if err == nil {
				n, k, _ := cStrtoull(v)
				if k != len(v) || n > 0xffff {
					return errInvalidArg(v, "invalid port")
				}
				port = n
			}
		case w == "vni", w == "src_vni":
			v := value()
			if err == nil {
				n, k, _ := cStrtoull(v)
				if k != len(v) || n>>24 != 0 {
					if w == "vni" {
						return errInvalidArg(v, "invalid VNI")
					}
					return errInvalidArg(v, "invalid src VNI")
				}
				if w == "vni" {
					m.Attrs.VNI = uint32(n)
				} else {
					m.Attrs.SrcVNI = uint32(n)
				}
			}
		case w == "via":
			via = value()
		case w == "self":
			m.Flags |= unix.NTF_SELF
		case matches(w, "master"):
			m.Flags |= unix.NTF_MASTER
		case matches(w, "router"):
			m.Flags |= unix.NTF_ROUTER
		case matches(w, "local"), matches(w, "permanent"):
			m.State |= unix.NUD_PERMANENT
		case matches(w, "temp"), matches(w, "static"):
			m.State |= unix.NUD_REACHABLE
		case matches(w, "dynamic"):
			m.State |= unix.NUD_REACHABLE
			m.State &^= unix.NUD_NOARP
		case matches(w, "vlan"):
			if vid >= 0 {
				return errGarbage("vlan", w)
			}
			v := value()
			if err == nil {
				vid = int32(int16(cAtoi(v)))
			}
		case matches(w, "use"):
			m.Flags |= unix.NTF_USE
		case matches(w, "extern_learn"):
			m.Flags |= unix.NTF_EXT_LEARNED
		case matches(w, "sticky"):
			m.Flags |= rtnl.NTFSticky
		default:
			if w == "to" {
				w = value()
				if err != nil {
					return err
				}
			}
			if matches(w, "help") {
				return &cliError{code: 255, msg: fdbUsage}
			}
			if addr != "" {
				return errGarbage("to", w)
			}
			addr = w
		}
		if err != nil {
			return err
		}
	}
	if dev == "" || addr == "" {
		return &cliError{code: 255, msg: "Device and address are required arguments."}
	}
	if m.Attrs.NHID != 0 && (dstOK || port != 0 || m.Attrs.VNI != 0) {
		return &cliError{code: 255, msg: "dst, port, vni are mutually exclusive with nhid"}
	}
	if m.Flags&(unix.NTF_SELF|unix.NTF_MASTER) == 0 {
		m.Flags |= unix.NTF_SELF
	}
	if m.State&(unix.NUD_PERMANENT|unix.NUD_REACHABLE) == 0 {
		m.State |= unix.NUD_PERMANENT
	}
	mac, ok := parseFDBMAC(addr)
	if !ok {
		return &cliError{code: 255, msg: "Invalid mac address " + addr}
	}
	m.Attrs.LLAddr = mac
	switch {
	case vid == 0:
		// NDA_VLAN 0, which the kernel refuses; the field cannot hold it.
		m.Attrs.Unknown = append(m.Attrs.Unknown, rtnl.Attr{Type: unix.NDA_VLAN, Data: []byte{0, 0}})
	case vid > 0:
		m.Attrs.VLAN = uint16(vid)
	}
	m.Attrs.Port = uint16(port)
	conn, err := c.conn()
	if err != nil {
		return err
	}
	if via != "" {
		idx, err := conn.LinkIndex(via)
		if err != nil {
			return &cliError{code: 255, msg: fmt.Sprintf("Cannot find device %q", via)}
		}
		m.Attrs.IfIndex = uint32(idx)
	}
	idx, err := conn.LinkIndex(dev)
	if err != nil {
		return &cliError{code: 255, msg: fmt.Sprintf("Cannot find device %q", dev)}
	}
	m.Index = idx
	_, err = conn.Execute(rtnl.Request{Type: cmd, Flags: flags, Payload: m})
	return err
}

// iflaBridgeMode is IFLA_BRIDGE_MODE from include/uapi/linux/if_bridge.h:
// a u16 in IFLA_AF_SPEC, the hardware bridging mode (VEB or VEPA).
const iflaBridgeMode = 1

// IFLA_BRIDGE_FLAGS values, from include/uapi/linux/if_bridge.h.
const (
	iflaBridgeFlags   = 0 // IFLA_BRIDGE_FLAGS: u16 in IFLA_AF_SPEC
	bridgeFlagsMaster = 1 // BRIDGE_FLAGS_MASTER: the bridge applies the change
	bridgeFlagsSelf   = 2 // BRIDGE_FLAGS_SELF: the device itself applies it
)

// linkSet is bridge link set dev DEV [OPTIONS]: RTM_SETLINK of family
// AF_BRIDGE with the port settings nested in IFLA_PROTINFO, in the order
// bridge/link.c writes them (not the command line's), then IFLA_AF_SPEC
// for self, master and hwmode.
func (c *bridgeCmd) linkSet(a *args) error {
	var dev string
	set := map[uint16]*bridge.PortInfo{} // by attribute, one field each
	var mode, flags uint16
	hasMode := false
	var backup *string
	onOff := func(name string, field func(*bridge.PortInfo) **bool, typ uint16) error {
		v, err := a.value()
		if err != nil {
			return err
		}
		on, ok := parseOnOffC(v)
		if !ok {
			// parse_on_off's complaint; its -EINVAL is the exit status.
			return &cliError{code: 256 - 22, msg: fmt.Sprintf(`Error: argument of "%s" must be one of "off", "on", not "%s"`, name, v)}
		}
		p := new(bridge.PortInfo)
		*field(p) = new(on)
		set[typ] = p
		return nil
	}
	for a.more() {
		w := a.next()
		var err error
		switch w {
		case "dev":
			dev, err = a.value()
		case "guard":
			err = onOff(w, func(p *bridge.PortInfo) **bool { return &p.Guard }, unix.IFLA_BRPORT_GUARD)
		case "hairpin":
			err = onOff(w, func(p *bridge.PortInfo) **bool { return &p.Hairpin }, unix.IFLA_BRPORT_MODE)
		case "fastleave":
			err = onOff(w, func(p *bridge.PortInfo) **bool { return &p.FastLeave }, unix.IFLA_BRPORT_FAST_LEAVE)
		case "root_block":
			err = onOff(w, func(p *bridge.PortInfo) **bool { return &p.RootBlock }, unix.IFLA_BRPORT_PROTECT)
		case "learning":
			err = onOff(w, func(p *bridge.PortInfo) **bool { return &p.Learning }, unix.IFLA_BRPORT_LEARNING)
		case "learning_sync":
			err = onOff(w, func(p *bridge.PortInfo) **bool { return &p.LearningSync }, unix.IFLA_BRPORT_LEARNING_SYNC)
		case "flood":
			err = onOff(w, func(p *bridge.PortInfo) **bool { return &p.UnicastFlood }, unix.IFLA_BRPORT_UNICAST_FLOOD)
		case "mcast_flood":
			err = onOff(w, func(p *bridge.PortInfo) **bool { return &p.McastFlood }, unix.IFLA_BRPORT_MCAST_FLOOD)
		case "bcast_flood":
			err = onOff(w, func(p *bridge.PortInfo) **bool { return &p.BcastFlood }, unix.IFLA_BRPORT_BCAST_FLOOD)
		case "mcast_to_unicast":
			err = onOff(w, func(p *bridge.PortInfo) **bool { return &p.McastToUnicast }, unix.IFLA_BRPORT_MCAST_TO_UCAST)
		case "neigh_suppress":
			err = onOff(w, func(p *bridge.PortInfo) **bool { return &p.NeighSuppress }, unix.IFLA_BRPORT_NEIGH_SUPPRESS)
		case "vlan_tunnel":
			err = onOff(w, func(p *bridge.PortInfo) **bool { return &p.VLANTunnel }, unix.IFLA_BRPORT_VLAN_TUNNEL)
		case "isolated":
			err = onOff(w, func(p *bridge.PortInfo) **bool { return &p.Isolated }, unix.IFLA_BRPORT_ISOLATED)
		case "locked":
			err = onOff(w, func(p *bridge.PortInfo) **bool { return &p.Locked }, unix.IFLA_BRPORT_LOCKED)
		case "mcast_router":
			var v string
			if v, err = a.value(); err == nil {
				// atoi into a signed char; negative means "not given".
				if r := int8(cAtoi(v)); r >= 0 {
					set[unix.IFLA_BRPORT_MULTICAST_ROUTER] = &bridge.PortInfo{McastRouter: new(uint8(r))}
				} else {
					delete(set, unix.IFLA_BRPORT_MULTICAST_ROUTER)
				}
			}
		case "cost":
			var v string
			if v, err = a.value(); err == nil {
				if n := cAtoi(v); n > 0 {
					set[unix.IFLA_BRPORT_COST] = &bridge.PortInfo{Cost: new(uint32(n))}
				} else {
					delete(set, unix.IFLA_BRPORT_COST)
				}
			}
		case "priority":
			var v string
			if v, err = a.value(); err == nil {
				if n := int16(cAtoi(v)); n >= 0 {
					set[unix.IFLA_BRPORT_PRIORITY] = &bridge.PortInfo{Priority: new(uint16(n))}
				} else {
					delete(set, unix.IFLA_BRPORT_PRIORITY)
				}
			}
		case "state":
			var v string
			if v, err = a.value(); err == nil {
				st := int64(-1)
				if n, ok := cStrtol10(v); ok {
					st = int64(int8(n))
				} else {
					for i, name := range portStateNames {
						if name == v {
							st = int64(i)
						}
					}
					if st < 0 {
						return &cliError{code: 255, msg: "Error: invalid STP port state"}
					}
				}
				if st >= 0 {
					set[unix.IFLA_BRPORT_STATE] = &bridge.PortInfo{State: new(bridge.PortState(st))}
				} else {
					delete(set, unix.IFLA_BRPORT_STATE)
				}
			}
		case "hwmode":
			var v string
			if v, err = a.value(); err == nil {
				flags = bridgeFlagsSelf
				switch v {
				case "vepa":
					mode, hasMode = 1, true
				case "veb":
					mode, hasMode = 0, true
				default:
					return &cliError{code: 255, msg: `Mode argument must be "vepa" or "veb".`}
				}
			}
		case "self":
			flags |= bridgeFlagsSelf
		case "master":
			flags |= bridgeFlagsMaster
		case "backup_port":
			var v string
			if v, err = a.value(); err == nil {
				backup = &v
			}
		case "nobackup_port":
			none := ""
			backup = &none
		default:
			return &cliError{code: 255, msg: linkUsage}
		}
		if err != nil {
			return err
		}
	}
	if dev == "" {
		return &cliError{code: 255, msg: "Device is a required argument."}
	}
	conn, err := c.conn()
	if err != nil {
		return err
	}
	if backup != nil {
		// ll_name_to_index, looked up while parsing in iproute2.
		var idx int32
		if *backup != "" {
			if idx, err = conn.LinkIndex(*backup); err != nil {
				return &cliError{code: 255, msg: fmt.Sprintf("Error: device %s does not exist", *backup)}
			}
		}
		set[unix.IFLA_BRPORT_BACKUP_PORT] = &bridge.PortInfo{BackupPort: new(uint32(idx))}
	}
	idx, err := conn.LinkIndex(dev)
	if err != nil {
		return &cliError{code: 255, msg: fmt.Sprintf("Cannot find bridge device %q", dev)}
	}
	e := rtnl.NewEncoder(nil)
	for _, t := range []uint16{
		unix.IFLA_BRPORT_GUARD, unix.IFLA_BRPORT_MODE, unix.IFLA_BRPORT_FAST_LEAVE,
		unix.IFLA_BRPORT_PROTECT, unix.IFLA_BRPORT_UNICAST_FLOOD, unix.IFLA_BRPORT_MULTICAST_ROUTER,
		unix.IFLA_BRPORT_MCAST_FLOOD, unix.IFLA_BRPORT_BCAST_FLOOD, unix.IFLA_BRPORT_MCAST_TO_UCAST,
		unix.IFLA_BRPORT_LEARNING, unix.IFLA_BRPORT_LEARNING_SYNC, unix.IFLA_BRPORT_COST,
		unix.IFLA_BRPORT_PRIORITY, unix.IFLA_BRPORT_STATE, unix.IFLA_BRPORT_NEIGH_SUPPRESS,
		unix.IFLA_BRPORT_VLAN_TUNNEL, unix.IFLA_BRPORT_ISOLATED, unix.IFLA_BRPORT_LOCKED,
		unix.IFLA_BRPORT_BACKUP_PORT,
	} {
		if p, ok := set[t]; ok {
			p.Encode(e)
		}
	}
	protinfo, err := e.Encode()
	if err != nil {
		return err
	}
	m := &rtnl.LinkMessage{Family: unix.AF_BRIDGE, Index: idx}
	m.Attrs.Unknown = []rtnl.Attr{{Type: unix.IFLA_PROTINFO | unix.NLA_F_NESTED, Data: protinfo}}
	if hasMode || flags > 0 {
		af := rtnl.NewEncoder(nil)
		if flags > 0 {
			af.Uint16(iflaBridgeFlags, flags)
		}
		if hasMode {
			af.Uint16(iflaBridgeMode, mode)
		}
		b, err := af.Encode()
		if err != nil {
			return err
		}
		m.Attrs.Unknown = append(m.Attrs.Unknown, rtnl.Attr{Type: unix.IFLA_AF_SPEC, Data: b})
	}
	_, err = conn.Execute(rtnl.Request{Type: unix.RTM_SETLINK, Payload: m})
	return err
}

// cStrtol10 is strtol(s, &end, 10) that must use all of a non-empty s.
func cStrtol10(s string) (int64, bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var v int64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if v < 1<<58 {
			v = v*10 + int64(s[i]-'0')
		}
	}
	if i == start || i != len(s) {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// parseOnOffC is iproute2's parse_on_off: a prefix of "off" or "on".
func parseOnOffC(v string) (bool, bool) {
	switch {
	case matches(v, "off"):
		return false, true
	case matches(v, "on"):
		return true, true
	}
	return false, false
}
