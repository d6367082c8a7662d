package bridge

import (
	"fmt"
	"net"
	"time"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// The bridge forwarding database travels as neighbour messages of family
// AF_BRIDGE (struct ndmsg and NDA_* attributes), built on rtnl's
// NeighMessage.

// FDBEntry is one entry of a bridge's forwarding database, as `bridge fdb
// show br BR` and `brctl showmacs BR` show it.
type FDBEntry struct {
	// Port is the ifindex of the port the address is behind (ndm_ifindex);
	// the bridge's own index for entries on the bridge device itself.
	Port int32
	MAC  net.HardwareAddr // NDA_LLADDR
	VLAN uint16           // NDA_VLAN, 0 for none
	// Local marks the bridge's own addresses (ndm_state NUD_PERMANENT),
	// brctl's "is local? yes" and bridge's "permanent".
	Local bool
	// Static marks an entry added by hand that never ages (NUD_NOARP).
	Static bool
	// Age is the time since the entry was last updated
	// (NDA_CACHEINFO ndm_updated, clock_t): brctl's "ageing timer".
	Age time.Duration
	// Used is the time since the entry was last used to forward
	// (ndm_used).
	Used time.Duration
	// Message is the message the entry came in, with every attribute.
	Message *rtnl.NeighMessage
}

// Dynamic reports whether the entry was learned and ages out.
func (e *FDBEntry) Dynamic() bool { return !e.Local && !e.Static }

// FDB lists the forwarding database of the bridge with index br: a dump of
// AF_BRIDGE neighbour entries that the kernel filters on NDA_MASTER, as
// `bridge fdb show br BR` asks for it. Entries that ports keep in their own
// tables (NTF_SELF, without NDA_MASTER) are left out.
func FDB(c *rtnl.Conn, br int32) ([]FDBEntry, error) {
	m := uint32(br)
	req := &rtnl.NeighMessage{Family: unix.AF_BRIDGE, Attrs: rtnl.NeighAttrs{Master: &m}}
	msgs, err := c.DumpAll(rtnl.Request{Type: unix.RTM_GETNEIGH, Payload: req})
	if err != nil {
		return nil, err
	}
	var out []FDBEntry
	for _, msg := range msgs {
		if msg.Header.Type != unix.RTM_NEWNEIGH {
			continue
		}
		n := new(rtnl.NeighMessage)
		if err := n.UnmarshalBinary(msg.Data); err != nil {
			return nil, err
		}
		if n.Family != unix.AF_BRIDGE || n.Attrs.Master == nil || *n.Attrs.Master != m {
			continue
		}
		e := FDBEntry{
			Port:    n.Index,
			MAC:     n.Attrs.LLAddr,
			VLAN:    n.Attrs.VLAN,
			Local:   n.State&unix.NUD_PERMANENT != 0,
			Static:  n.State&unix.NUD_PERMANENT == 0 && n.State&unix.NUD_NOARP != 0,
			Message: n,
		}
		if ci := n.Attrs.CacheInfo; ci != nil {
			e.Age = FromClockT(uint64(ci.Updated))
			e.Used = FromClockT(uint64(ci.Used))
		}
		out = append(out, e)
	}
	return out, nil
}

// FDBOptions are the optional parts of an FDB entry to add.
type FDBOptions struct {
	VLAN uint16 // NDA_VLAN, 0 for none
	// Local adds a local ("permanent") entry: frames to the address are
	// delivered to the bridge itself. The default is a static entry:
	// frames are forwarded to the port, and the entry never ages.
	Local bool
	// Dynamic adds an entry that ages out like a learned one.
	Dynamic bool
}

// FDBRequest returns the RTM_NEWNEIGH payload that adds mac behind bridge
// port port, as `bridge fdb add MAC dev PORT master static` sends it:
// family AF_BRIDGE, NTF_MASTER (the bridge's table, not the port's own),
// and ndm_state NUD_NOARP|NUD_REACHABLE for static, NUD_NOARP|NUD_PERMANENT
// for local, NUD_REACHABLE for dynamic.
func FDBRequest(port int32, mac net.HardwareAddr, o *FDBOptions) *rtnl.NeighMessage {
	if o == nil {
		o = new(FDBOptions)
	}
	state := uint16(unix.NUD_NOARP | unix.NUD_REACHABLE)
	switch {
	case o.Local:
		state = unix.NUD_NOARP | unix.NUD_PERMANENT
	case o.Dynamic:
		state = unix.NUD_REACHABLE
	}
	return &rtnl.NeighMessage{
		Family: unix.AF_BRIDGE,
		Index:  port,
		State:  state,
		Flags:  unix.NTF_MASTER,
		Attrs:  rtnl.NeighAttrs{LLAddr: mac, VLAN: o.VLAN},
	}
}

// AddFDB adds mac behind bridge port port (static unless o says
// otherwise). An entry already there is an error matching unix.EEXIST.
func AddFDB(c *rtnl.Conn, port int32, mac net.HardwareAddr, o *FDBOptions) error {
	if len(mac) != ethAlen {
		return fmt.Errorf("bridge: FDB address %v is not %d bytes", mac, ethAlen)
	}
	return c.AddNeigh(FDBRequest(port, mac, o))
}

// DelFDB deletes the entry for mac (and vlan, 0 for none) behind bridge
// port port from the bridge's table, as `bridge fdb del MAC dev PORT
// master`.
func DelFDB(c *rtnl.Conn, port int32, mac net.HardwareAddr, vlan uint16) error {
	return c.DeleteNeigh(&rtnl.NeighMessage{
		Family: unix.AF_BRIDGE,
		Index:  port,
		Flags:  unix.NTF_MASTER,
		Attrs:  rtnl.NeighAttrs{LLAddr: mac, VLAN: vlan},
	})
}
