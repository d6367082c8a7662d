package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/rtnl"
)

func (c *ipCmd) doLink(a *args) error {
	if !a.more() {
		return c.linkShow(a)
	}
	cmd := a.next()
	switch {
	case matches(cmd, "add"):
		return c.linkModify(a, unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	case matches(cmd, "set"), matches(cmd, "change"):
		return c.linkModify(a, 0)
	case matches(cmd, "replace"):
		return c.linkModify(a, unix.NLM_F_CREATE|unix.NLM_F_REPLACE)
	case matches(cmd, "delete"):
		return c.linkDelete(a)
	case matches(cmd, "show"), matches(cmd, "lst"), matches(cmd, "list"):
		return c.linkShow(a)
	case matches(cmd, "help"):
		c.linkUsage()
		return nil
	}
	return usagef(`Command "%s" is unknown, try "ip link help".`, cmd)
}

func (c *ipCmd) linkUsage() {
	fmt.Fprint(c.stderr, `Usage: ip link add [link DEV] [ name ] NAME
                   [ txqueuelen PACKETS ] [ address LLADDR ] [ broadcast LLADDR ]
                   [ mtu MTU ] [ numtxqueues N ] [ numrxqueues N ] [ group GROUP ]
                   [ netns { PID | NAME } ] [ master DEVICE ] [ alias NAME ] [ up ]
                   type TYPE [ ARGS ]
       ip link delete { DEVICE | dev DEVICE | group DEVGROUP }
       ip link set { DEVICE | dev DEVICE | group DEVGROUP }
                   [ { up | down } ] [ type TYPE ARGS ] [ arp { on | off } ]
                   [ multicast { on | off } ] [ allmulticast { on | off } ]
                   [ promisc { on | off } ] [ carrier { on | off } ]
                   [ txqueuelen PACKETS ] [ name NEWNAME ] [ address LLADDR ]
                   [ broadcast LLADDR ] [ mtu MTU ] [ netns { PID | NAME } ]
                   [ alias NAME ] [ group GROUP ] [ master DEVICE ] [ nomaster ]
       ip link show [ DEVICE | group GROUP ] [ up ] [ master DEV ] [ type TYPE ]
TYPE := { veth | bridge | bridge_slave }
`)
}

// linkRequest is what iproute2's iplink_parse gathers from a command line.
type linkRequest struct {
	msg   rtnl.LinkMessage
	dev   string // the link acted on (set, delete), or "name" (add)
	name  string // "name NEWNAME" (set), or the new link's name (add)
	group *uint32
	kind  string // type TYPE
	netns string // netns NAME or PID
	link  string // link DEV, resolved to IFLA_LINK when the link is made
	// order is the attributes in the order the command line gave them,
	// which is the order iproute2 sends them in (IFLA_LINK aside).
	order []uint16
}

// sendOrder is the attribute order of the request: the options as written,
// then IFLA_LINK (iproute2 resolves "link DEV" after the other options),
// IFLA_IFNAME and IFLA_LINKINFO, which iproute2 appends last.
func (r *linkRequest) sendOrder() []uint16 {
	order := r.order
	if r.msg.Attrs.Link != 0 {
		order = append(order, unix.IFLA_LINK)
	}
	if r.msg.Attrs.Name != "" {
		order = append(order, unix.IFLA_IFNAME)
	}
	return append(order, unix.IFLA_LINKINFO)
}

// parseLinkArgs reads the link options iproute2 accepts for add and set.
// It stops at "type" (the kind's own options follow) and returns with the
// words after it still in a.
func (c *ipCmd) parseLinkArgs(a *args, r *linkRequest, isAdd bool) error {
	m := &r.msg
	setFlag := func(flag uint32, on bool) {
		m.Change |= flag
		if on {
			m.Flags |= flag
		} else {
			m.Flags &^= flag
		}
	}
	onOffFlag := func(what string, flag uint32, invert bool) error {
		on, err := a.onOff(what)
		if err != nil {
			return err
		}
		setFlag(flag, on != invert)
		return nil
	}
	// What iproute2's iplink_parse refuses to be given twice. As there,
	// a queue length or MTU of -1 is taken as not given.
	var qlenSet, mtuSet, numTxSet, numRxSet, netnsidSet bool
	for a.more() {
		w := a.next()
		var err error
		switch {
		case w == "up":
			setFlag(unix.IFF_UP, true)
		case w == "down":
			setFlag(unix.IFF_UP, false)
		case w == "name":
			var v string
			if v, err = a.value(); err == nil {
				if r.name != "" {
					return errDuplicate("name", v)
				}
				r.name, err = v, checkName(v)
			}
		case w == "index":
			var v string
			if v, err = a.value(); err == nil {
				if m.Index != 0 {
					return errDuplicate("index", v)
				}
				// atoi: the digits at the start, the rest ignored.
				if m.Index = cAtoi(v); m.Index <= 0 {
					return invArg(`Invalid "index" value`, v)
				}
			}
		case matches(w, "link"):
			r.link, err = a.value()
		case matches(w, "address"):
			var s string
			if s, err = a.value(); err == nil {
				m.Attrs.Address, err = parseLLAddr(s)
				r.order = append(r.order, unix.IFLA_ADDRESS)
			}
		case matches(w, "broadcast"), w == "brd":
			var s string
			if s, err = a.value(); err == nil {
				m.Attrs.Broadcast, err = parseLLAddr(s)
				r.order = append(r.order, unix.IFLA_BROADCAST)
			}
		case matches(w, "txqueuelen"), w == "qlen", matches(w, "txqlen"):
			var v int32
			if v, err = intValue(a, "txqueuelen", &qlenSet); err == nil {
				m.Attrs.TxQLen = new(uint32(v))
				r.order = append(r.order, unix.IFLA_TXQLEN)
			}
		case w == "mtu":
			var v int32
			if v, err = intValue(a, "mtu", &mtuSet); err == nil {
				m.Attrs.MTU = uint32(v)
				r.order = append(r.order, unix.IFLA_MTU)
			}
		case w == "netns":
			var v string
			if v, err = a.value(); err == nil {
				if r.netns != "" {
					return errDuplicate("netns", v)
				}
				r.netns = v
				r.order = append(r.order, unix.IFLA_NET_NS_FD) // or _PID, once resolved
			}
		case w == "multicast":
			err = onOffFlag(w, unix.IFF_MULTICAST, false)
		case w == "allmulticast":
			err = onOffFlag(w, unix.IFF_ALLMULTI, false)
		case w == "promisc":
			err = onOffFlag(w, unix.IFF_PROMISC, false)
		case w == "trailers":
			err = onOffFlag(w, unix.IFF_NOTRAILERS, true)
		case w == "arp":
			err = onOffFlag(w, unix.IFF_NOARP, true)
		case w == "dynamic":
			err = onOffFlag(w, unix.IFF_DYNAMIC, false)
		case w == "carrier":
			var on bool
			if on, err = a.onOff(w); err == nil {
				v := uint8(0)
				if on {
					v = 1
				}
				m.Attrs.Carrier = &v
				r.order = append(r.order, unix.IFLA_CARRIER)
			}
		case w == "master":
			// Resolved here, as iproute2 does, so that an unknown
			// master is the first error whatever follows it.
			var v string
			if v, err = a.value(); err == nil {
				var idx int32
				if idx, err = masterIndex(c, v); err == nil {
					m.Attrs.Master = new(uint32(idx))
					r.order = append(r.order, unix.IFLA_MASTER)
				}
			}
		case w == "nomaster":
			m.Attrs.Master = new(uint32(0))
			r.order = append(r.order, unix.IFLA_MASTER)
		case matches(w, "type"):
			r.kind, err = a.value()
			return err
		case matches(w, "alias"):
			var s string
			if s, err = a.value(); err == nil {
				if len(s) >= 256 {
					return usagef(`alias too long`)
				}
				m.Attrs.Alias = &s
				r.order = append(r.order, unix.IFLA_IFALIAS)
			}
		case matches(w, "group"):
			var s string
			if s, err = a.value(); err == nil {
				if r.group != nil {
					return errDuplicate("group", s)
				}
				var g uint32
				if g, err = parseGroup(s); err == nil {
					r.group = &g
					r.order = append(r.order, unix.IFLA_GROUP)
				}
			}
		case w == "numtxqueues":
			var v int32
			if v, err = intValue(a, "numtxqueues", &numTxSet); err == nil {
				m.Attrs.NumTxQueues = uint32(v)
				r.order = append(r.order, unix.IFLA_NUM_TX_QUEUES)
			}
		case w == "numrxqueues":
			var v int32
			if v, err = intValue(a, "numrxqueues", &numRxSet); err == nil {
				m.Attrs.NumRxQueues = uint32(v)
				r.order = append(r.order, unix.IFLA_NUM_RX_QUEUES)
			}
		case w == "link-netnsid":
			var v string
			if v, err = a.value(); err == nil {
				if netnsidSet {
					return errDuplicate("link-netns/link-netnsid", v)
				}
				id, ok := cInt32(v)
				if !ok {
					return invArg("Invalid \"link-netnsid\" value\n", v)
				}
				netnsidSet = id != -1
				m.Attrs.LinkNetNSID = new(id)
				r.order = append(r.order, unix.IFLA_LINK_NETNSID)
			}
		case matches(w, "help"):
			c.linkUsage()
			return &cliError{code: 255}
		default:
			if w == "dev" {
				if w, err = a.value(); err != nil {
					return err
				}
			}
			if r.dev != "" {
				return errGarbage("dev", w)
			}
			if err := checkName(w); err != nil {
				return err
			}
			r.dev = w
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// intValue takes the value of an option iproute2 reads with get_integer
// (a C int, in any base strtol takes), refusing it as iproute2 does when
// the option was given already (*set): a value of -1 counts as not given,
// as in iproute2, where -1 marks an option not yet seen.
func intValue(a *args, what string, set *bool) (int32, error) {
	v, err := a.value()
	if err != nil {
		return 0, err
	}
	if *set {
		return 0, errDuplicate(what, v)
	}
	n, ok := cInt32(v)
	if !ok {
		return 0, invArg(fmt.Sprintf("Invalid %q value\n", what), v)
	}
	*set = n != -1
	return n, nil
}

// masterIndex resolves "master DEVICE", failing as iproute2 does when there
// is no such link.
func masterIndex(c *ipCmd, name string) (int32, error) {
	conn, err := c.conn()
	if err != nil {
		return 0, err
	}
	idx, err := conn.LinkIndex(name)
	if errors.Is(err, unix.ENODEV) {
		return 0, invArg("Device does not exist\n", name)
	}
	return idx, err
}

// checkName refuses what iproute2's check_ifname refuses, with its words.
func checkName(name string) error {
	if len(name) >= unix.IFNAMSIZ {
		return usagef(`Error: argument "%s" is wrong: "name" not a valid ifname`, name)
	}
	if rtnl.CheckLinkName(name) != nil {
		return usagef(`Error: argument "%s" is wrong: "name" not a valid ifname`, name)
	}
	return nil
}

// parseLLAddr parses a link-layer address as iproute2's ll_addr_a2n does:
// hex bytes separated by colons.
func parseLLAddr(s string) (net.HardwareAddr, error) {
	var out net.HardwareAddr
	for _, part := range strings.Split(s, ":") {
		v, err := strconv.ParseUint(part, 16, 8)
		if err != nil || part == "" {
			return nil, &cliError{code: 1, msg: fmt.Sprintf("%q is invalid lladdr.", part)}
		}
		out = append(out, byte(v))
	}
	return out, nil
}

// parseGroup reads a link group: a number, or "default" for 0.
func parseGroup(s string) (uint32, error) {
	if s == "default" {
		return 0, nil
	}
	v, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return 0, errInvalidArg(s, `Invalid "group" value`)
	}
	return uint32(v), nil
}

// linkIndex resolves a link name in the namespace conn talks to, with
// iproute2's message when there is none.
func linkIndex(conn *rtnl.Conn, name string) (int32, error) {
	idx, err := conn.LinkIndex(name)
	if errors.Is(err, unix.ENODEV) {
		return 0, errNoDevice(name)
	}
	return idx, err
}

// linkModify is ip link add, set, change and replace.
func (c *ipCmd) linkModify(a *args, flags uint16) error {
	isAdd := flags&unix.NLM_F_CREATE != 0
	var r linkRequest
	if err := c.parseLinkArgs(a, &r, isAdd); err != nil {
		return err
	}
	m := &r.msg
	conn, err := c.conn()
	if err != nil {
		return err
	}
	// The kind's options come after "type KIND"; they fill the link info,
	// and may hold a file open until the request is sent (a veth peer's
	// namespace): whatever fails from here on, it is closed.
	if r.kind != "" {
		if err := c.parseKind(a, &r, isAdd); err != nil {
			return err
		}
		defer releaseKind(&r)
	}
	if !isAdd && m.Index != 0 && r.netns == "" {
		return usagef("index can be used only when creating devices or when moving device to another netns.")
	}
	// "name" alone names the link acted on too, as in iproute2.
	if r.dev == "" {
		r.dev = r.name
	}
	if isAdd {
		if r.dev == "" {
			return usagef(`Not enough information: "dev" argument is required.`)
		}
		if r.name != "" && r.name != r.dev {
			return usagef(`both "name" and "dev" cannot be used when creating devices.`)
		}
		m.Attrs.Name = r.dev
		if r.kind == "" {
			return usagef(`Not enough information: "type" argument is required`)
		}
	} else {
		if r.dev == "" && r.group == nil {
			return usagef(`Not enough information: "dev" argument is required.`)
		}
		// Renaming to the same name sends no name.
		if r.name != "" && r.name != r.dev {
			m.Attrs.Name = r.name
		}
		newIndex := m.Index
		if r.dev != "" {
			if m.Index, err = linkIndex(conn, r.dev); err != nil {
				return err
			}
		}
		// Moved to another namespace, "index N" is the link's index
		// there: IFLA_NEW_IFINDEX, which iproute2 writes after the
		// options and before the new name. Both go raw, which is
		// written after the typed attributes, in this order.
		if newIndex != 0 {
			var v [4]byte
			binary.NativeEndian.PutUint32(v[:], uint32(newIndex))
			m.Attrs.Unknown = append(m.Attrs.Unknown, rtnl.Attr{Type: unix.IFLA_NEW_IFINDEX, Data: v[:]})
			if m.Attrs.Name != "" {
				name := append([]byte(m.Attrs.Name), 0)
				m.Attrs.Unknown = append(m.Attrs.Unknown, rtnl.Attr{Type: unix.IFLA_IFNAME, Data: name})
				m.Attrs.Name = ""
			}
		}
	}
	// With a dev, IFLA_GROUP moves the link into the group; without one
	// ("ip link set group N up"), the kernel applies the change to every
	// link of the group.
	m.Attrs.Group = r.group
	// "link DEV" counts only when a link is made; ip link set ignores it.
	if r.link != "" && isAdd {
		idx, err := linkIndex(conn, r.link)
		if err != nil {
			return err
		}
		m.Attrs.Link = uint32(idx)
	}
	if r.netns != "" {
		f, pid, err := c.netnsTarget(r.netns)
		if err != nil {
			return err
		}
		if f != nil {
			defer f.Close()
			m.Attrs.NetNSFD = new(uint32(f.Fd()))
		} else {
			m.Attrs.NetNSPID = uint32(pid)
			for i, t := range r.order {
				if t == unix.IFLA_NET_NS_FD {
					r.order[i] = unix.IFLA_NET_NS_PID
				}
			}
		}
	}
	if err := c.beforeSend(&r); err != nil {
		return err
	}
	m.Attrs.SetOrder(r.sendOrder()...)
	_, err = conn.Execute(rtnl.Request{Type: unix.RTM_NEWLINK, Flags: flags, Payload: m})
	if err != nil {
		if kerr := c.kindError(&r, err); kerr != nil {
			return kerr
		}
		var ke *rtnl.Error
		if errors.As(err, &ke) && isAdd && errors.Is(err, unix.EOPNOTSUPP) && ke.Message == "" {
			return &cliError{code: 2, msg: fmt.Sprintf("Error: Unknown device type %q.", r.kind)}
		}
		return err
	}
	return c.afterSend(&r)
}

// linkDelete is ip link delete { DEVICE | dev DEVICE | group GROUP }.
func (c *ipCmd) linkDelete(a *args) error {
	var dev string
	var group *uint32
	for a.more() {
		w := a.next()
		switch {
		case w == "dev":
			v, err := a.value()
			if err != nil {
				return err
			}
			dev = v
		case matches(w, "group"):
			v, err := a.value()
			if err != nil {
				return err
			}
			g, err := parseGroup(v)
			if err != nil {
				return err
			}
			group = &g
		case w == "type":
			// "ip link del X type veth": the kind is not needed to delete.
			if _, err := a.value(); err != nil {
				return err
			}
			a.i = len(a.a)
		default:
			if dev != "" {
				return errGarbage("dev", w)
			}
			dev = w
		}
	}
	conn, err := c.conn()
	if err != nil {
		return err
	}
	if group != nil && dev == "" {
		if *group == 0 {
			return usagef("Error: deleting the default group (0) would delete every link; refused.")
		}
		return conn.DeleteLinkGroup(*group)
	}
	if dev == "" {
		return usagef(`Not enough information: "dev" argument is required.`)
	}
	idx, err := linkIndex(conn, dev)
	if err != nil {
		return err
	}
	return conn.DeleteLink(idx)
}
