package main

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/bridge"
	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/veth"
)

// The link kinds' part of ip link add and set: what follows "type KIND".
// iproute2 hands the words after the kind to the kind's parser, which
// fills IFLA_INFO_DATA (IFLA_INFO_SLAVE_DATA for KIND_slave); veth's
// parser runs the generic link parser again for the peer. Attributes are
// sent in the order the words were written, as iproute2 sends them.

// parseKind reads the kind's options into r.msg.Attrs.Info. Without
// options no data attribute is sent at all, as with iproute2.
func (c *ipCmd) parseKind(a *args, r *linkRequest, isAdd bool) error {
	info := &rtnl.LinkInfo{Kind: r.kind}
	r.msg.Attrs.Info = info
	if !a.more() {
		return nil
	}
	switch r.kind {
	case "veth":
		d, err := c.parseVeth(a, isAdd)
		if err != nil {
			return err
		}
		info.Data = d
		return nil
	case "bridge":
		x, err := parseBridgeOpts(a)
		if err != nil {
			return err
		}
		info.Data = &bridgeData{Info: x, isAdd: isAdd}
		return nil
	case "bridge_slave":
		conn, err := c.conn()
		if err != nil {
			return err
		}
		p, err := parsePortOpts(a, conn)
		if err != nil {
			return err
		}
		info.SlaveData = p
		return nil
	}
	// iproute2 parses the options of many more kinds (vlan, vxlan, bond,
	// ...); linkbox does not, and says so rather than drop them.
	return &cliError{code: 255, msg: fmt.Sprintf("Error: linkbox does not know the options of link kind %q (%q ...).", r.kind, a.peek())}
}

// vethData is a veth's IFLA_INFO_DATA in a request, with the peer's
// namespace file, which must stay open until the request is sent.
type vethData struct {
	*veth.Info
	nsFile interface{ Close() error }
}

// bridgeData is a bridge's IFLA_INFO_DATA in a request, and whether the
// request creates the bridge.
type bridgeData struct {
	*bridge.Info
	isAdd bool
}

// vethUsage is link_veth.c's usage, which it prints on standard output.
const vethUsage = `Usage: ip link <options> type veth [peer <options>]
To get <options> type 'ip link add help'
`

// parseVeth reads "peer [OPTIONS]": the peer's own link options, parsed
// as the first end's are, into VETH_INFO_PEER.
func (c *ipCmd) parseVeth(a *args, isAdd bool) (*vethData, error) {
	if a.peek() != "peer" {
		fmt.Fprint(c.stdout, vethUsage)
		return nil, &cliError{code: 1}
	}
	a.next()
	var pr linkRequest
	if err := c.parseLinkArgs(a, &pr, isAdd); err != nil {
		return nil, err
	}
	if pr.kind != "" {
		return nil, usagef(`Error: duplicate "type": "%s" is the second value.`, pr.kind)
	}
	name := pr.name
	if name == "" {
		name = pr.dev
	} else if pr.dev != "" && pr.dev != name {
		return nil, usagef(`both "name" and "dev" cannot be used when creating devices.`)
	}
	m := &pr.msg
	m.Attrs.Name = name
	m.Attrs.Group = pr.group
	conn, err := c.conn()
	if err != nil {
		return nil, err
	}
	d := &vethData{Info: &veth.Info{Peer: m}}
	order := make([]uint16, 0, len(pr.order)+2)
	order = append(order, pr.order...)
	if pr.netns != "" {
		f, pid, err := c.netnsTarget(pr.netns)
		if err != nil {
			return nil, err
		}
		if f != nil {
			d.nsFile = f
			m.Attrs.NetNSFD = new(uint32(f.Fd()))
		} else {
			m.Attrs.NetNSPID = uint32(pid)
			for i, t := range order {
				if t == unix.IFLA_NET_NS_FD {
					order[i] = unix.IFLA_NET_NS_PID
				}
			}
		}
	}
	// iproute2 resolves "link DEV" after the other options and writes
	// IFLA_LINK then, just before the name.
	if pr.link != "" {
		idx, err := linkIndex(conn, pr.link)
		if err != nil {
			d.close()
			return nil, err
		}
		m.Attrs.Link = uint32(idx)
		order = append(order, unix.IFLA_LINK)
	}
	if name != "" {
		order = append(order, unix.IFLA_IFNAME)
	}
	m.Attrs.SetOrder(order...)
	return d, nil
}

// releaseKind closes what a request's kind data holds open, once the
// request is sent or given up; closing twice is harmless.
func releaseKind(r *linkRequest) {
	if d, ok := kindData(r).(*vethData); ok {
		d.close()
	}
}

// close releases the peer's namespace file.
func (d *vethData) close() {
	if d.nsFile != nil {
		d.nsFile.Close()
		d.nsFile = nil
	}
}

// errNoVLAN is what linkbox says when VLAN settings meet a kernel without
// bridge VLAN filtering, which would refuse some of them with a bare
// EOPNOTSUPP and silently ignore the others.
var errNoVLAN = &cliError{code: 2, msg: "Error: " + strings.TrimPrefix(bridge.ErrNoVLANFiltering.Error(), "bridge: ") + "."}

// wantsVLAN reports whether x asks for a setting that needs bridge VLAN
// filtering in the kernel.
func wantsVLAN(x *bridge.Info) bool {
	return x.VLANFiltering != nil || x.VLANProtocol != 0 || x.VLANDefaultPVID != nil ||
		x.VLANStatsEnabled != nil || x.VLANStatsPerPort != nil
}

// beforeSend refuses VLAN settings the kernel cannot honour, when it can
// tell before sending: from the bridge being changed, or, for a new
// bridge, from any bridge already there.
func (c *ipCmd) beforeSend(r *linkRequest) error {
	bd, ok := kindData(r).(*bridgeData)
	if !ok || !wantsVLAN(bd.Info) {
		return nil
	}
	conn, err := c.conn()
	if err != nil {
		return err
	}
	if !bd.isAdd {
		cur, err := bridge.Get(conn, r.msg.Index)
		if errors.Is(err, bridge.ErrNotBridge) {
			return nil // the kernel answers that itself
		}
		if err != nil {
			return err
		}
		if !cur.HasVLANFiltering() {
			return errNoVLAN
		}
		return nil
	}
	links, err := conn.Links()
	if err != nil {
		return nil // the check after sending still runs
	}
	for _, l := range links {
		if x, err := bridge.InfoOf(l); err == nil {
			if !x.HasVLANFiltering() {
				return errNoVLAN
			}
			return nil
		}
	}
	return nil
}

// afterSend releases what the request held open and, for a new bridge
// with VLAN settings, checks that the kernel took them: a kernel without
// VLAN filtering ignores some silently, and the bridge is then deleted
// again, so that nothing is left of a refused command.
func (c *ipCmd) afterSend(r *linkRequest) error {
	switch d := kindData(r).(type) {
	case *vethData:
		d.close()
	case *bridgeData:
		// A dry run made no bridge to look at.
		if !d.isAdd || !wantsVLAN(d.Info) || c.dryRun {
			return nil
		}
		conn, err := c.conn()
		if err != nil {
			return err
		}
		l, err := conn.LinkByName(r.msg.Attrs.Name)
		if err != nil {
			return err
		}
		x, err := bridge.InfoOf(l)
		if err != nil {
			return err
		}
		if !x.HasVLANFiltering() {
			if err := conn.DeleteLink(l.Index); err != nil {
				return fmt.Errorf("%w (and deleting the new bridge %s failed: %w)", bridge.ErrNoVLANFiltering, l.Attrs.Name, err)
			}
			return errNoVLAN
		}
	}
	return nil
}

// kindError is called when the kernel refused a request with a kind's
// options: it releases what the request held open and returns the error
// to report instead of err, or nil to report err as usual. A bridge asked
// for vlan_filtering on a kernel without it gets a bare EOPNOTSUPP, which
// would otherwise read "Unknown device type".
func (c *ipCmd) kindError(r *linkRequest, err error) error {
	switch d := kindData(r).(type) {
	case *vethData:
		d.close()
	case *bridgeData:
		if wantsVLAN(d.Info) && errors.Is(err, unix.EOPNOTSUPP) {
			return errNoVLAN
		}
	}
	return nil
}

// kindData returns the request's IFLA_INFO_DATA, or nil.
func kindData(r *linkRequest) rtnl.LinkData {
	if r.msg.Attrs.Info == nil {
		return nil
	}
	return r.msg.Attrs.Info.Data
}
