package rtnl

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// NSIDMessage is an RTM_NEWNSID, RTM_DELNSID or RTM_GETNSID payload: struct
// rtgenmsg (one family byte, padded to 4) and the NETNSA_* attributes. A
// namespace id names a peer namespace from inside this one; IFLA_LINK_NETNSID
// uses it to say where a veth's peer lives.
type NSIDMessage struct {
	Family uint8     // rtgen_family, AF_UNSPEC
	Attrs  NSIDAttrs // the NETNSA_* attributes
}

// NSIDAttrs are the NETNSA_* attributes. Pointers mark the ids, where 0 is
// a valid value.
type NSIDAttrs struct {
	NSID        *int32  // NETNSA_NSID: the id; -1 (NETNSA_NSID_NOT_ASSIGNED) asks the kernel to pick
	PID         uint32  // NETNSA_PID: the namespace of this process
	FD          *uint32 // NETNSA_FD: the namespace of this file descriptor
	TargetNSID  *int32  // NETNSA_TARGET_NSID: answer as seen from this peer
	CurrentNSID *int32  // NETNSA_CURRENT_NSID (replies)

	// Unknown holds other attributes, in order.
	Unknown []Attr

	layout Layout
}

// rtgenmsgLen is NLMSG_ALIGN(sizeof(struct rtgenmsg)).
const rtgenmsgLen = 4

// NSIDSpace is the NETNSA_* attribute space.
var NSIDSpace = &AttrSpace{Name: "nsid", Attrs: map[uint16]AttrSpec{
	unix.NETNSA_NSID:         {Name: "NETNSA_NSID", Type: TypeS32},
	unix.NETNSA_PID:          {Name: "NETNSA_PID", Type: TypeU32},
	unix.NETNSA_FD:           {Name: "NETNSA_FD", Type: TypeU32},
	unix.NETNSA_TARGET_NSID:  {Name: "NETNSA_TARGET_NSID", Type: TypeS32},
	unix.NETNSA_CURRENT_NSID: {Name: "NETNSA_CURRENT_NSID", Type: TypeS32},
}}

func init() {
	for t, n := range map[uint16]string{
		unix.RTM_NEWNSID: "RTM_NEWNSID", unix.RTM_DELNSID: "RTM_DELNSID", unix.RTM_GETNSID: "RTM_GETNSID",
	} {
		messageSpecs[t] = MessageSpec{Name: n, Header: rtgenmsgLen, Attrs: NSIDSpace}
	}
}

// nsidAttrOrder is the order iproute2 writes them in: the namespace first
// (`ip netns set NAME ID` sends NETNSA_FD, then NETNSA_NSID).
var nsidAttrOrder = []uint16{
	unix.NETNSA_FD, unix.NETNSA_PID, unix.NETNSA_NSID,
	unix.NETNSA_TARGET_NSID, unix.NETNSA_CURRENT_NSID,
}

// MarshalBinary encodes the message.
func (m *NSIDMessage) MarshalBinary() ([]byte, error) {
	e := NewEncoder(nil)
	m.Encode(e)
	return e.Encode()
}

// Encode appends the rtgenmsg and the attributes.
func (m *NSIDMessage) Encode(e *Encoder) {
	e.Append([]byte{m.Family, 0, 0, 0})
	a := &m.Attrs
	a.layout.Encode(e, a.Unknown, nsidAttrOrder, func(e *Encoder, t uint16, present bool) {
		switch t {
		case unix.NETNSA_NSID:
			putInt32Ptr(e, t, a.NSID)
		case unix.NETNSA_PID:
			putUint32(e, t, a.PID, present)
		case unix.NETNSA_FD:
			putUint32Ptr(e, t, a.FD)
		case unix.NETNSA_TARGET_NSID:
			putInt32Ptr(e, t, a.TargetNSID)
		case unix.NETNSA_CURRENT_NSID:
			putInt32Ptr(e, t, a.CurrentNSID)
		}
	})
}

// UnmarshalBinary decodes the message. It keeps references into b.
func (m *NSIDMessage) UnmarshalBinary(b []byte) error {
	if len(b) < rtgenmsgLen {
		return fmt.Errorf("%w: rtgenmsg needs %d bytes, have %d", ErrTruncated, rtgenmsgLen, len(b))
	}
	*m = NSIDMessage{Family: b[0]}
	a := &m.Attrs
	d := Decoder{b: b[rtgenmsgLen:]}
	err := a.layout.Decode(&d, &a.Unknown, func(d *Decoder) bool {
		switch d.Type() {
		case unix.NETNSA_NSID:
			a.NSID = new(d.Int32())
		case unix.NETNSA_PID:
			a.PID = d.Uint32()
		case unix.NETNSA_FD:
			a.FD = new(d.Uint32())
		case unix.NETNSA_TARGET_NSID:
			a.TargetNSID = new(d.Int32())
		case unix.NETNSA_CURRENT_NSID:
			a.CurrentNSID = new(d.Int32())
		default:
			return false
		}
		return true
	})
	if err != nil {
		return fmt.Errorf("rtnl: decoding nsid: %w", err)
	}
	return nil
}

func putInt32Ptr(e *Encoder, t uint16, v *int32) {
	if v != nil {
		e.Int32(t, *v)
	}
}

// NSIDNotAssigned is the id the kernel reports for a namespace that has no
// id here (NETNSA_NSID_NOT_ASSIGNED).
const NSIDNotAssigned = -1

// NSIDs lists the ids assigned in this namespace to peer namespaces, as
// `ip netns list-id`. Each entry has NSID set; the kernel does not say
// which namespace an id stands for (compare with NSIDOfFD to find out).
func (c *Conn) NSIDs() ([]*NSIDMessage, error) {
	msgs, err := c.DumpAll(Request{Type: unix.RTM_GETNSID, Payload: &NSIDMessage{}})
	out, derr := DecodeAll[NSIDMessage](msgs, unix.RTM_NEWNSID, nil)
	if derr != nil {
		return nil, derr
	}
	return out, err
}

// NSIDOfFD returns the id this namespace gives the namespace of fd, or
// NSIDNotAssigned.
func (c *Conn) NSIDOfFD(fd int) (int32, error) {
	f := uint32(fd)
	return c.getNSID(&NSIDMessage{Attrs: NSIDAttrs{FD: &f}})
}

// NSIDOfPID returns the id this namespace gives the namespace of process
// pid, or NSIDNotAssigned.
func (c *Conn) NSIDOfPID(pid int) (int32, error) {
	return c.getNSID(&NSIDMessage{Attrs: NSIDAttrs{PID: uint32(pid)}})
}

func (c *Conn) getNSID(req *NSIDMessage) (int32, error) {
	msgs, err := c.Execute(Request{Type: unix.RTM_GETNSID, Payload: req})
	if err != nil {
		return 0, err
	}
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWNSID {
			continue
		}
		var n NSIDMessage
		if err := n.UnmarshalBinary(m.Data); err != nil {
			return 0, err
		}
		if n.Attrs.NSID != nil {
			return *n.Attrs.NSID, nil
		}
	}
	return 0, fmt.Errorf("rtnl: RTM_GETNSID: no id in the reply: %w", ErrNotFound)
}

// SetNSIDOfFD assigns id to the namespace of fd, as `ip netns set NAME ID`.
// An id of NSIDNotAssigned lets the kernel choose.
func (c *Conn) SetNSIDOfFD(fd int, id int32) error {
	f := uint32(fd)
	_, err := c.Execute(Request{Type: unix.RTM_NEWNSID, Payload: &NSIDMessage{Attrs: NSIDAttrs{FD: &f, NSID: &id}}})
	return err
}
