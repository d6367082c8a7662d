package rtnl

import (
	"golang.org/x/sys/unix"
)

// Neighbour operations: `ip neigh` for ARP and NDP entries and, with
// family AF_BRIDGE, `bridge fdb` for bridge forwarding entries.

// Neighbours lists neighbour entries: family is AF_INET, AF_INET6, 0 for
// both, or AF_BRIDGE for the bridge forwarding database; index a link's
// index (for AF_BRIDGE a bridge port's) or 0 for every link. The dump
// request filters as iproute2's do: `ip neigh show dev D` names the link
// in NDA_IFINDEX, since the kernel's strict check refuses an ndm_ifindex
// in neighbour dumps, while `bridge fdb show dev D` puts it in
// ndm_ifindex. Entries are filtered here as well. With ErrDumpInterrupted
// the entries of the last try are returned too.
func (c *Conn) Neighbours(family int, index int32) ([]*NeighMessage, error) {
	req := &NeighMessage{Family: uint8(family)}
	if index != 0 {
		if family == unix.AF_BRIDGE {
			req.Index = index
		} else {
			req.Attrs.IfIndex = uint32(index)
		}
	}
	msgs, err := c.DumpAll(Request{Type: unix.RTM_GETNEIGH, Payload: req})
	out, derr := DecodeAll(msgs, unix.RTM_NEWNEIGH, func(n *NeighMessage) bool {
		return (family == 0 || int(n.Family) == family) && (index == 0 || n.Index == index)
	})
	if derr != nil {
		return nil, derr
	}
	return out, err
}

// AddNeigh adds a neighbour or FDB entry (RTM_NEWNEIGH with
// NLM_F_CREATE|NLM_F_EXCL), as `ip neigh add` and `bridge fdb add` do.
// The message is sent as it is, except that a zero Family is taken from
// Attrs.Dst. iproute2's defaults, for the same bytes: `ip neigh add` sends
// State NUD_PERMANENT unless told otherwise; `bridge fdb add` sends
// Family AF_BRIDGE, State NUD_NOARP|NUD_PERMANENT ("permanent", the
// default) or NUD_NOARP|NUD_REACHABLE ("static"), and Flags NTF_SELF
// unless NTF_MASTER ("master") is asked for. An entry already there is an
// error matching unix.EEXIST.
func (c *Conn) AddNeigh(m *NeighMessage) error {
	return c.modifyNeigh(unix.RTM_NEWNEIGH, unix.NLM_F_CREATE|unix.NLM_F_EXCL, m)
}

// ReplaceNeigh adds an entry or replaces the one there
// (NLM_F_CREATE|NLM_F_REPLACE), as `ip neigh replace` and
// `bridge fdb replace` do.
func (c *Conn) ReplaceNeigh(m *NeighMessage) error {
	return c.modifyNeigh(unix.RTM_NEWNEIGH, unix.NLM_F_CREATE|unix.NLM_F_REPLACE, m)
}

// DeleteNeigh deletes an entry (RTM_DELNEIGH), as `ip neigh del` and
// `bridge fdb del` do: for ARP and NDP the link and NDA_DST select it, for
// the FDB the port, NDA_LLADDR, NDA_VLAN and NTF_MASTER or NTF_SELF. A
// message Neighbours returned can be passed as it is.
func (c *Conn) DeleteNeigh(m *NeighMessage) error {
	return c.modifyNeigh(unix.RTM_DELNEIGH, 0, m)
}

func (c *Conn) modifyNeigh(cmd, flags uint16, m *NeighMessage) error {
	if m.Family == 0 && m.Attrs.Dst.IsValid() {
		cp := *m
		cp.Family = familyOf(m.Attrs.Dst)
		m = &cp
	}
	_, err := c.Execute(Request{Type: cmd, Flags: flags, Payload: m})
	return err
}
