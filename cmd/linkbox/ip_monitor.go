package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/rtnl"
)

// ip monitor: rtnetlink events printed as iproute2's ip monitor prints
// them (ipmonitor.c): links as ip address prints their first lines,
// addresses with "INDEX: DEV" in front, routes, neighbours, namespace ids
// and netconf changes as their own listings print them, "Deleted " before
// what went away, and "[LINK]"-style labels with "label" or "all".

// Netconf attributes (include/uapi/linux/netconf.h).
const (
	netconfaIfindex                  = 1
	netconfaForwarding               = 2
	netconfaRPFilter                 = 3
	netconfaMCForwarding             = 4
	netconfaProxyNeigh               = 5
	netconfaIgnoreRoutesWithLinkdown = 6
	netconfaInput                    = 7
	netconfaIfindexAll               = -1
	netconfaIfindexDefault           = -2
	netconfmsgLen                    = 4 // NLMSG_ALIGN(sizeof(struct netconfmsg))
)

// The objects ip monitor can watch.
const (
	monLink = 1 << iota
	monAddr
	monRoute
	monNeigh
	monNetconf
	monNSID
)

func monitorUsage() error {
	return usagef("%s", `Usage: ip monitor [ all | OBJECTS ] [ label ] [ dev DEVICE ]
OBJECTS :=  address | link | neigh | netconf | nsid | route`)
}

func (c *ipCmd) doMonitor(a *args) error {
	return c.monitor(a, monitorOptions{rcvbuf: c.opts.rcvbuf})
}

// monitorOptions are the knobs of a monitor run.
type monitorOptions struct {
	// stop ends the monitor when closed (tests); nil runs it until the
	// process ends, as ip monitor runs until it is interrupted.
	stop <-chan struct{}
	// rcvbuf is SO_RCVBUF of the event socket (ip -rcvbuf); 0 keeps
	// the system's default.
	rcvbuf int
	// now tells the time of an event for ip -t (tests set it); nil is
	// time.Now.
	now func() time.Time
}

// monitorState is what a running monitor remembers: the links, for
// names and flags, and the names of peer namespaces by nsid.
type monitorState struct {
	c       *ipCmd
	conn    *rtnl.Conn
	set     *linkSet
	nsNames map[int32]string
	names   *rtNames
	banner  bool
	ifindex int32
	out     io.Writer
	now     func() time.Time
}

// monitor runs ip monitor until the process ends, or until o.stop is
// closed.
func (c *ipCmd) monitor(a *args, o monitorOptions) error {
	stop := o.stop
	var lmask int
	banner := false
	var dev string
	for a.more() {
		w := a.next()
		switch {
		case matches(w, "file"):
			if _, err := a.value(); err != nil {
				return err
			}
			return &cliError{code: 1, msg: `ip monitor: "file" is not implemented by linkbox.`}
		case matches(w, "label"):
			banner = true
		case matches(w, "link"):
			lmask |= monLink
		case matches(w, "address"):
			lmask |= monAddr
		case matches(w, "route"):
			lmask |= monRoute
		case matches(w, "mroute"), matches(w, "prefix"), matches(w, "rule"), matches(w, "nexthop"), w == "stats":
			return &cliError{code: 1, msg: fmt.Sprintf("ip monitor: %q is not implemented by linkbox.", w)}
		case matches(w, "neigh"):
			lmask |= monNeigh
		case matches(w, "netconf"):
			lmask |= monNetconf
		case matches(w, "nsid"):
			lmask |= monNSID
		case w == "all":
			banner = true
		case matches(w, "all-nsid"):
			return &cliError{code: 1, msg: `ip monitor: "all-nsid" is not implemented by linkbox.`}
		case matches(w, "help"):
			return monitorUsage()
		case w == "dev":
			v, err := a.value()
			if err != nil {
				return err
			}
			dev = v
		default:
			return usagef(`Argument "%s" is unknown, try "ip monitor help".`, w)
		}
	}
	conn, err := c.conn()
	if err != nil {
		return err
	}
	m := &monitorState{c: c, conn: conn, names: &rtNames{}, banner: banner, out: c.stdout, now: o.now}
	if m.now == nil {
		m.now = time.Now
	}
	if dev != "" {
		l, err := conn.LinkByName(dev)
		if err != nil {
			return invArg("Device does not exist\n", dev)
		}
		m.ifindex = l.Index
	}
	if lmask == 0 {
		lmask = monLink | monAddr | monRoute | monNeigh | monNetconf | monNSID
	}
	fam := c.opts.family
	var groups []uint32
	if lmask&monLink != 0 {
		groups = append(groups, unix.RTNLGRP_LINK)
	}
	if lmask&monAddr != 0 {
		if fam == 0 || fam == unix.AF_INET {
			groups = append(groups, unix.RTNLGRP_IPV4_IFADDR)
		}
		if fam == 0 || fam == unix.AF_INET6 {
			groups = append(groups, unix.RTNLGRP_IPV6_IFADDR)
		}
	}
	if lmask&monRoute != 0 {
		if fam == 0 || fam == unix.AF_INET {
			groups = append(groups, unix.RTNLGRP_IPV4_ROUTE)
		}
		if fam == 0 || fam == unix.AF_INET6 {
			groups = append(groups, unix.RTNLGRP_IPV6_ROUTE)
		}
	}
	if lmask&monNeigh != 0 {
		groups = append(groups, unix.RTNLGRP_NEIGH)
	}
	if lmask&monNetconf != 0 {
		if fam == 0 || fam == unix.AF_INET {
			groups = append(groups, unix.RTNLGRP_IPV4_NETCONF)
		}
		if fam == 0 || fam == unix.AF_INET6 {
			groups = append(groups, unix.RTNLGRP_IPV6_NETCONF)
		}
	}
	if lmask&monNSID != 0 {
		groups = append(groups, unix.RTNLGRP_NSID)
	}

	cfg := &rtnl.Config{Kinds: kinds, ReceiveBuffer: o.rcvbuf}
	if c.netns != "" {
		f, err := openNetns(c.netns)
		if err != nil {
			return err
		}
		defer f.Close()
		cfg.NetNS = int(f.Fd())
	}
	if c.wire != nil {
		cfg.Trace = c.wire.record
	}
	sub, err := rtnl.Subscribe(cfg, groups...)
	if err != nil {
		return err
	}
	defer sub.Close()
	// Subscribed first, then the state read: no event falls between.
	if err := m.reload(); err != nil {
		return err
	}
	m.nsNames = nsidNames(conn)

	stopped := make(chan struct{})
	if stop != nil {
		go func() {
			select {
			case <-stop:
				sub.SetDeadline(time.Now())
			case <-stopped:
			}
		}()
	}
	defer close(stopped)
	for {
		ev, err := sub.Next()
		if err != nil {
			if stop != nil && errors.Is(err, os.ErrDeadlineExceeded) {
				return nil
			}
			return err
		}
		if err := m.handle(ev); err != nil {
			return err
		}
	}
}

// handle prints an event, or after an overrun, iproute2's notice that
// events were lost; the links are then read again so that names stay
// right, and events continue.
func (m *monitorState) handle(ev rtnl.Event) error {
	if ev.Overrun {
		fmt.Fprintf(m.c.stderr, "netlink receive error %s (%d)\n", errText(unix.ENOBUFS), int(unix.ENOBUFS))
		return m.reload()
	}
	return m.event(ev.Message)
}

// reload reads the links again.
func (m *monitorState) reload() error {
	links, err := m.conn.Links()
	if err != nil && !errors.Is(err, rtnl.ErrDumpInterrupted) {
		return err
	}
	m.set = newLinkSet(links)
	m.set.nsName = func(id int32) string { return m.nsNames[id] }
	return nil
}

// know makes sure the link with this index is in the set if it exists,
// as iproute2 asks the kernel for a link it has not seen.
func (m *monitorState) know(idx int32) {
	if idx <= 0 {
		return
	}
	if _, ok := m.set.byIdx[idx]; ok {
		return
	}
	if l, err := m.conn.LinkByIndex(idx); err == nil {
		m.remember(l)
	}
}

// remember puts a link in the set, replacing what it knew of it.
func (m *monitorState) remember(l *rtnl.LinkMessage) {
	if old, ok := m.set.byIdx[l.Index]; ok {
		for i, x := range m.set.links {
			if x == old {
				m.set.links[i] = l
			}
		}
	} else {
		m.set.links = append(m.set.links, l)
	}
	m.set.byIdx[l.Index] = l
}

func (m *monitorState) forget(idx int32) {
	if old, ok := m.set.byIdx[idx]; ok {
		delete(m.set.byIdx, idx)
		for i, x := range m.set.links {
			if x == old {
				m.set.links = append(m.set.links[:i], m.set.links[i+1:]...)
				break
			}
		}
	}
}

// write prints one event: the time with -t, its label with "label", then
// the record, on one line with -o. As in iproute2 6.1, the time and the
// label come before the record is filtered (dev, a family), and so
// stand alone for an event that is not shown.
func (m *monitorState) write(label string, rec func(b *strings.Builder)) {
	var b strings.Builder
	if m.c.opts.timestamp {
		writeTimestamp(&b, m.now(), m.c.opts.tshort)
	}
	if m.banner {
		b.WriteString(label)
	}
	start := b.Len()
	rec(&b)
	if m.c.opts.oneline && b.Len() > start {
		oneline(&b, start)
	}
	io.WriteString(m.out, b.String())
}

// writeTimestamp writes the time of an event as iproute2's
// print_timestamp does, in local time: asctime's form and the
// microseconds on a line of their own ("Timestamp: Sat Nov 28 17:56:06
// 2026 533364 usec"), or with -ts, "[2026-11-28T17:56:06.533416] " before
// the event.
func writeTimestamp(b *strings.Builder, t time.Time, short bool) {
	usec := t.Nanosecond() / 1000
	if short {
		fmt.Fprintf(b, "[%s.%06d] ", t.Format("2006-01-02T15:04:05"), usec)
		return
	}
	fmt.Fprintf(b, "Timestamp: %s %d usec\n", t.Format(time.ANSIC), usec)
}

// event prints one message the kernel multicast.
func (m *monitorState) event(msg rtnl.Message) error {
	c := m.c
	t := msg.Header.Type
	switch t {
	case unix.RTM_NEWROUTE, unix.RTM_DELROUTE:
		r := new(rtnl.RouteMessage)
		if err := r.UnmarshalBinary(msg.Data); err != nil {
			return err
		}
		if r.Flags&unix.RTM_F_CLONED != 0 || r.Family == rtnlFamilyIPMR || r.Family == rtnlFamilyIP6MR {
			return nil
		}
		m.write("[ROUTE]", func(b *strings.Builder) {
			if c.opts.family != 0 && int(r.Family) != c.opts.family {
				return
			}
			if m.ifindex != 0 && int32(r.Attrs.OIF) != m.ifindex {
				return
			}
			m.know(int32(r.Attrs.OIF))
			m.know(int32(r.Attrs.IIF))
			for _, nh := range parseMultipath(r.Attrs.Multipath) {
				m.know(nh.ifindex)
			}
			c.routeText(b, m.set, r, routeView{hideDev: m.ifindex != 0}, m.names, t == unix.RTM_DELROUTE)
		})
	case unix.RTM_NEWLINK, unix.RTM_DELLINK:
		l := new(rtnl.LinkMessage)
		if err := l.Decode(msg.Data, m.conn.Kinds()); err != nil {
			return err
		}
		if t == unix.RTM_NEWLINK {
			m.remember(l)
		} else {
			m.forget(l.Index)
		}
		m.write("[LINK]", func(b *strings.Builder) {
			if m.ifindex != 0 && l.Index != m.ifindex {
				return
			}
			if l.Attrs.Link != 0 && l.Attrs.LinkNetNSID == nil {
				m.know(int32(l.Attrs.Link))
			}
			if l.Attrs.Master != nil {
				m.know(int32(*l.Attrs.Master))
			}
			c.addrLinkText(b, m.set, l, ipLinkView{deleted: t == unix.RTM_DELLINK})
		})
	case unix.RTM_NEWADDR, unix.RTM_DELADDR:
		ad := new(rtnl.AddressMessage)
		if err := ad.UnmarshalBinary(msg.Data); err != nil {
			return err
		}
		m.write("[ADDR]", func(b *strings.Builder) {
			if m.ifindex != 0 && ad.Index != m.ifindex {
				return
			}
			m.know(ad.Index)
			c.addrText(b, m.set, ad, ipAddrView{oneline: true, deleted: t == unix.RTM_DELADDR}, m.names)
		})
	case unix.RTM_NEWNEIGH, unix.RTM_DELNEIGH, unix.RTM_GETNEIGH:
		n := new(rtnl.NeighMessage)
		if err := n.UnmarshalBinary(msg.Data); err != nil {
			return err
		}
		if c.opts.family != 0 && int(n.Family) != c.opts.family {
			return nil
		}
		m.write("[NEIGH]", func(b *strings.Builder) {
			if m.ifindex != 0 && n.Index != m.ifindex {
				return
			}
			m.know(n.Index)
			v := ipNeighView{hideDev: m.ifindex != 0, deleted: t == unix.RTM_DELNEIGH, miss: t == unix.RTM_GETNEIGH}
			c.neighText(b, m.set, n, v, m.names)
		})
	case unix.RTM_NEWNSID, unix.RTM_DELNSID:
		n := new(rtnl.NSIDMessage)
		if err := n.UnmarshalBinary(msg.Data); err != nil {
			return err
		}
		if n.Attrs.NSID == nil {
			fmt.Fprintln(c.stderr, "BUG: NETNSA_NSID is missing print_nsid")
			return nil
		}
		m.write("[NSID]", func(b *strings.Builder) { m.nsidText(b, n, t == unix.RTM_DELNSID) })
	case unix.RTM_NEWNETCONF, unix.RTM_DELNETCONF:
		m.write("[NETCONF]", func(b *strings.Builder) { m.netconfText(b, msg.Data, t == unix.RTM_DELNETCONF) })
	case unix.NLMSG_ERROR, unix.NLMSG_NOOP, unix.NLMSG_DONE:
	default:
		h := msg.Header
		fmt.Fprintf(c.stderr, "Unknown message: type=0x%08x(%d) flags=0x%08x(%d) len=0x%08x(%d)\n",
			h.Type, h.Type, h.Flags, h.Flags, h.Len, h.Len)
	}
	return nil
}

// nsidText writes a namespace id event as print_nsid does, naming the
// namespace from the names it knows or, for a new id, from the named
// namespaces.
func (m *monitorState) nsidText(b *strings.Builder, n *rtnl.NSIDMessage, deleted bool) {
	if deleted {
		b.WriteString("Deleted ")
	}
	id := *n.Attrs.NSID
	if id < 0 {
		b.WriteString("nsid unassigned ")
	} else {
		fmt.Fprintf(b, "nsid %d ", id)
	}
	key := id
	if cur := n.Attrs.CurrentNSID; cur != nil {
		if *cur < 0 {
			b.WriteString("current-nsid unassigned ")
		} else {
			fmt.Fprintf(b, "current-nsid %d ", *cur)
		}
		key = *cur
	}
	if name, ok := m.nsNames[key]; ok {
		fmt.Fprintf(b, "(iproute2 netns name: %s)", name)
		delete(m.nsNames, key)
	} else if !deleted {
		if name, ok := nsidNames(m.conn)[id]; ok {
			fmt.Fprintf(b, "(iproute2 netns name: %s)", name)
			m.nsNames[id] = name
		}
	}
	b.WriteByte('\n')
}

// netconfText writes a netconf event as print_netconf does.
func (m *monitorState) netconfText(b *strings.Builder, data []byte, deleted bool) {
	if len(data) < netconfmsgLen {
		return
	}
	family := int(data[0])
	var ifindex int32
	hasIndex := false
	vals := map[uint16]uint32{}
	d := rtnl.NewDecoder(data[netconfmsgLen:])
	for d.Next() {
		if len(d.Bytes()) != 4 {
			continue
		}
		v := binary.NativeEndian.Uint32(d.Bytes())
		if d.Type() == netconfaIfindex {
			ifindex, hasIndex = int32(v), true
			continue
		}
		vals[d.Type()] = v
	}
	if m.ifindex != 0 && ifindex != m.ifindex {
		return
	}
	if deleted {
		b.WriteString("Deleted ")
	}
	fmt.Fprintf(b, "%s ", familyName(family))
	if hasIndex {
		switch ifindex {
		case netconfaIfindexAll:
			b.WriteString("all ")
		case netconfaIfindexDefault:
			b.WriteString("default ")
		default:
			m.know(ifindex)
			fmt.Fprintf(b, "%s ", m.set.name(ifindex))
		}
	}
	onOff := func(v uint32) string {
		if v != 0 {
			return "on"
		}
		return "off"
	}
	if v, ok := vals[netconfaForwarding]; ok {
		fmt.Fprintf(b, "forwarding %s ", onOff(v))
	}
	if v, ok := vals[netconfaRPFilter]; ok {
		if names := []string{"off", "strict", "loose"}; int(v) < len(names) {
			fmt.Fprintf(b, "rp_filter %s ", names[v])
		} else {
			fmt.Fprintf(b, "rp_filter %d ", v)
		}
	}
	if v, ok := vals[netconfaMCForwarding]; ok {
		fmt.Fprintf(b, "mc_forwarding %s ", onOff(v))
	}
	if v, ok := vals[netconfaProxyNeigh]; ok {
		fmt.Fprintf(b, "proxy_neigh %s ", onOff(v))
	}
	if v, ok := vals[netconfaIgnoreRoutesWithLinkdown]; ok {
		fmt.Fprintf(b, "ignore_routes_with_linkdown %s ", onOff(v))
	}
	if v, ok := vals[netconfaInput]; ok {
		fmt.Fprintf(b, "input %s ", onOff(v))
	}
	b.WriteByte('\n')
}
