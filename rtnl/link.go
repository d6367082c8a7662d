package rtnl

import (
	"encoding/binary"
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// LinkMessage is an RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK or RTM_SETLINK
// payload: struct ifinfomsg from include/uapi/linux/rtnetlink.h, then the
// IFLA_* attributes.
type LinkMessage struct {
	Family uint8     // ifi_family: AF_UNSPEC, or AF_BRIDGE for bridge port requests
	Type   uint16    // ifi_type: ARPHRD_*
	Index  int32     // ifi_index: 0 lets the kernel choose, or selects by name
	Flags  uint32    // ifi_flags: IFF_*
	Change uint32    // ifi_change: which Flags bits to change
	Attrs  LinkAttrs // the IFLA_* attributes
}

// ifinfomsgLen is sizeof(struct ifinfomsg).
const ifinfomsgLen = unix.SizeofIfInfomsg

// LinkAttrs are the IFLA_* attributes of a link message. A field left at its
// zero value (nil for pointers) is not sent; pointers are used where zero is
// a value worth sending (IFLA_MASTER 0 detaches a port). Attributes without
// a field are kept in Unknown, in order, and sent back unchanged.
type LinkAttrs struct {
	Name          string           // IFLA_IFNAME
	MTU           uint32           // IFLA_MTU
	Address       net.HardwareAddr // IFLA_ADDRESS
	Broadcast     net.HardwareAddr // IFLA_BROADCAST
	Link          uint32           // IFLA_LINK: ifindex of the lower or peer link
	Master        *uint32          // IFLA_MASTER: ifindex of the master; 0 detaches
	Qdisc         string           // IFLA_QDISC (read only)
	TxQLen        *uint32          // IFLA_TXQLEN
	OperState     uint8            // IFLA_OPERSTATE: IF_OPER_*
	LinkMode      uint8            // IFLA_LINKMODE
	Group         *uint32          // IFLA_GROUP
	Alias         *string          // IFLA_IFALIAS; "" clears it
	NetNSPID      uint32           // IFLA_NET_NS_PID: move or create in the netns of this pid
	NetNSFD       *uint32          // IFLA_NET_NS_FD: move or create in the netns of this fd
	LinkNetNSID   *int32           // IFLA_LINK_NETNSID: nsid of the netns where Link lives
	TargetNetNSID *int32           // IFLA_TARGET_NETNSID: act on the netns with this nsid
	ExtMask       uint32           // IFLA_EXT_MASK: RTEXT_FILTER_* (requests only)
	Carrier       *uint8           // IFLA_CARRIER
	Promiscuity   uint32           // IFLA_PROMISCUITY (read only)
	AllMulti      uint32           // IFLA_ALLMULTI (read only)
	NumTxQueues   uint32           // IFLA_NUM_TX_QUEUES
	NumRxQueues   uint32           // IFLA_NUM_RX_QUEUES
	MinMTU        uint32           // IFLA_MIN_MTU (read only)
	MaxMTU        uint32           // IFLA_MAX_MTU (read only)
	Info          *LinkInfo        // IFLA_LINKINFO

	// Unknown holds the attributes without a field above (IFLA_STATS64,
	// IFLA_AF_SPEC, ...), in the order they came.
	Unknown []Attr

	layout   Layout
	aliasNUL bool // the decoded IFLA_IFALIAS ended in NUL
	vals     linkVals
	spare    *LinkInfo // a LinkInfo to decode into, kept from the last decode
}

// linkVals holds the values the pointer fields of a decoded LinkAttrs point
// to, so that decoding them allocates nothing more.
type linkVals struct {
	master, txqlen, group, netnsFD uint32
	linkNetNSID, targetNetNSID     int32
	carrier                        uint8
	alias                          string
}

func ptr[T any](p *T, v T) *T {
	*p = v
	return p
}

// linkAttrOrder is the order in which fields set by hand are encoded. It
// follows iproute2: the options in the order scripts usually write them,
// then IFLA_IFNAME, which
// iplink_parse appends after everything else, then IFLA_LINKINFO. A caller
// that needs another order (to match a command line written differently)
// sets it with SetOrder.
var linkAttrOrder = []uint16{
	unix.IFLA_EXT_MASK, unix.IFLA_TARGET_NETNSID,
	unix.IFLA_LINK, unix.IFLA_TXQLEN, unix.IFLA_MTU, unix.IFLA_ADDRESS,
	unix.IFLA_BROADCAST, unix.IFLA_NUM_TX_QUEUES, unix.IFLA_NUM_RX_QUEUES,
	unix.IFLA_NET_NS_PID, unix.IFLA_NET_NS_FD, unix.IFLA_LINK_NETNSID,
	unix.IFLA_CARRIER, unix.IFLA_MASTER, unix.IFLA_IFALIAS, unix.IFLA_GROUP,
	unix.IFLA_OPERSTATE, unix.IFLA_LINKMODE, unix.IFLA_MIN_MTU, unix.IFLA_MAX_MTU,
	unix.IFLA_PROMISCUITY, unix.IFLA_ALLMULTI, unix.IFLA_QDISC,
	unix.IFLA_IFNAME, unix.IFLA_LINKINFO,
}

// SetOrder makes the listed attribute types encode first, in this order,
// as if they had been decoded so; the rest follow in the usual order. The
// command line uses it to send attributes in the order they were written,
// as iproute2 does. Types whose field is unset are skipped.
func (a *LinkAttrs) SetOrder(types ...uint16) { a.layout.Preset(types...) }

// MarshalBinary encodes the ifinfomsg and attributes.
func (m *LinkMessage) MarshalBinary() ([]byte, error) {
	e := NewEncoder(make([]byte, 0, 64))
	m.Encode(e)
	return e.Encode()
}

// Encode appends the ifinfomsg and attributes to e.
func (m *LinkMessage) Encode(e *Encoder) {
	var h [ifinfomsgLen]byte
	h[0] = m.Family
	binary.NativeEndian.PutUint16(h[2:], m.Type)
	binary.NativeEndian.PutUint32(h[4:], uint32(m.Index))
	binary.NativeEndian.PutUint32(h[8:], m.Flags)
	binary.NativeEndian.PutUint32(h[12:], m.Change)
	e.Append(h[:])
	m.Attrs.encode(e)
}

// UnmarshalBinary decodes an ifinfomsg and its attributes. Link kind data
// stays raw; use Decode to decode it with the kinds you know.
func (m *LinkMessage) UnmarshalBinary(b []byte) error { return m.Decode(b, nil) }

// Decode decodes an ifinfomsg and its attributes, decoding IFLA_INFO_DATA
// and IFLA_INFO_SLAVE_DATA with the matching kind from kinds. The message
// keeps references into b.
func (m *LinkMessage) Decode(b []byte, kinds Kinds) error {
	if len(b) < ifinfomsgLen {
		return fmt.Errorf("%w: ifinfomsg needs %d bytes, have %d", ErrTruncated, ifinfomsgLen, len(b))
	}
	// Decoding into a message used before reuses its slices, so that a
	// dump streamed into one LinkMessage allocates little per link.
	order, unknown, info := m.Attrs.layout.order[:0], m.Attrs.Unknown[:0], m.Attrs.Info
	*m = LinkMessage{
		Family: b[0],
		Type:   binary.NativeEndian.Uint16(b[2:]),
		Index:  int32(binary.NativeEndian.Uint32(b[4:])),
		Flags:  binary.NativeEndian.Uint32(b[8:]),
		Change: binary.NativeEndian.Uint32(b[12:]),
	}
	m.Attrs.layout.order, m.Attrs.Unknown, m.Attrs.spare = order, unknown, info
	d := Decoder{b: b[ifinfomsgLen:]}
	if err := m.Attrs.decode(&d, kinds); err != nil {
		return fmt.Errorf("rtnl: decoding link: %w", err)
	}
	return nil
}

func (a *LinkAttrs) encode(e *Encoder) {
	a.layout.Encode(e, a.Unknown, linkAttrOrder, a.encodeField)
}

func (a *LinkAttrs) encodeField(e *Encoder, t uint16, present bool) {
	switch t {
	case unix.IFLA_IFNAME:
		if present || a.Name != "" {
			e.String(t, a.Name)
		}
	case unix.IFLA_MTU:
		putUint32(e, t, a.MTU, present)
	case unix.IFLA_ADDRESS:
		if present || a.Address != nil {
			e.Bytes(t, a.Address)
		}
	case unix.IFLA_BROADCAST:
		if present || a.Broadcast != nil {
			e.Bytes(t, a.Broadcast)
		}
	case unix.IFLA_LINK:
		putUint32(e, t, a.Link, present)
	case unix.IFLA_MASTER:
		putUint32Ptr(e, t, a.Master)
	case unix.IFLA_QDISC:
		if present || a.Qdisc != "" {
			e.String(t, a.Qdisc)
		}
	case unix.IFLA_TXQLEN:
		putUint32Ptr(e, t, a.TxQLen)
	case unix.IFLA_OPERSTATE:
		if present || a.OperState != 0 {
			e.Uint8(t, a.OperState)
		}
	case unix.IFLA_LINKMODE:
		if present || a.LinkMode != 0 {
			e.Uint8(t, a.LinkMode)
		}
	case unix.IFLA_GROUP:
		putUint32Ptr(e, t, a.Group)
	case unix.IFLA_IFALIAS:
		// iproute2 sends the alias without a terminating NUL; the kernel
		// sends it with one. Write it back the way it came.
		if a.Alias != nil && a.aliasNUL {
			e.String(t, *a.Alias)
		} else if a.Alias != nil {
			e.Bytes(t, []byte(*a.Alias))
		}
	case unix.IFLA_NET_NS_PID:
		putUint32(e, t, a.NetNSPID, present)
	case unix.IFLA_NET_NS_FD:
		putUint32Ptr(e, t, a.NetNSFD)
	case unix.IFLA_LINK_NETNSID:
		if a.LinkNetNSID != nil {
			e.Int32(t, *a.LinkNetNSID)
		}
	case unix.IFLA_TARGET_NETNSID:
		if a.TargetNetNSID != nil {
			e.Int32(t, *a.TargetNetNSID)
		}
	case unix.IFLA_EXT_MASK:
		putUint32(e, t, a.ExtMask, present)
	case unix.IFLA_CARRIER:
		if a.Carrier != nil {
			e.Uint8(t, *a.Carrier)
		}
	case unix.IFLA_PROMISCUITY:
		putUint32(e, t, a.Promiscuity, present)
	case unix.IFLA_ALLMULTI:
		putUint32(e, t, a.AllMulti, present)
	case unix.IFLA_NUM_TX_QUEUES:
		putUint32(e, t, a.NumTxQueues, present)
	case unix.IFLA_NUM_RX_QUEUES:
		putUint32(e, t, a.NumRxQueues, present)
	case unix.IFLA_MIN_MTU:
		putUint32(e, t, a.MinMTU, present)
	case unix.IFLA_MAX_MTU:
		putUint32(e, t, a.MaxMTU, present)
	case unix.IFLA_LINKINFO:
		if a.Info != nil {
			e.Nest(t, a.Info.encode)
		}
	}
}

func (a *LinkAttrs) decode(d *Decoder, kinds Kinds) error {
	return a.layout.Decode(d, &a.Unknown, func(d *Decoder) bool {
		switch d.Type() {
		case unix.IFLA_IFNAME:
			a.Name = d.String()
		case unix.IFLA_MTU:
			a.MTU = d.Uint32()
		case unix.IFLA_ADDRESS:
			a.Address = net.HardwareAddr(d.Bytes())
		case unix.IFLA_BROADCAST:
			a.Broadcast = net.HardwareAddr(d.Bytes())
		case unix.IFLA_LINK:
			a.Link = d.Uint32()
		case unix.IFLA_MASTER:
			a.Master = ptr(&a.vals.master, d.Uint32())
		case unix.IFLA_QDISC:
			a.Qdisc = d.Word()
		case unix.IFLA_TXQLEN:
			a.TxQLen = ptr(&a.vals.txqlen, d.Uint32())
		case unix.IFLA_OPERSTATE:
			a.OperState = d.Uint8()
		case unix.IFLA_LINKMODE:
			a.LinkMode = d.Uint8()
		case unix.IFLA_GROUP:
			a.Group = ptr(&a.vals.group, d.Uint32())
		case unix.IFLA_IFALIAS:
			a.Alias = ptr(&a.vals.alias, d.String())
			a.aliasNUL = d.IsCanonicalString()
		case unix.IFLA_NET_NS_PID:
			a.NetNSPID = d.Uint32()
		case unix.IFLA_NET_NS_FD:
			a.NetNSFD = ptr(&a.vals.netnsFD, d.Uint32())
		case unix.IFLA_LINK_NETNSID:
			a.LinkNetNSID = ptr(&a.vals.linkNetNSID, d.Int32())
		case unix.IFLA_TARGET_NETNSID:
			a.TargetNetNSID = ptr(&a.vals.targetNetNSID, d.Int32())
		case unix.IFLA_EXT_MASK:
			a.ExtMask = d.Uint32()
		case unix.IFLA_CARRIER:
			a.Carrier = ptr(&a.vals.carrier, d.Uint8())
		case unix.IFLA_PROMISCUITY:
			a.Promiscuity = d.Uint32()
		case unix.IFLA_ALLMULTI:
			a.AllMulti = d.Uint32()
		case unix.IFLA_NUM_TX_QUEUES:
			a.NumTxQueues = d.Uint32()
		case unix.IFLA_NUM_RX_QUEUES:
			a.NumRxQueues = d.Uint32()
		case unix.IFLA_MIN_MTU:
			a.MinMTU = d.Uint32()
		case unix.IFLA_MAX_MTU:
			a.MaxMTU = d.Uint32()
		case unix.IFLA_LINKINFO:
			info := a.spare
			if info == nil {
				info = new(LinkInfo)
			} else {
				info.reset()
			}
			a.spare = nil
			d.Nested(func(nd *Decoder) error { return info.decode(nd, kinds) })
			a.Info = info
		default:
			return false
		}
		return true
	})
}

// Has reports whether an attribute of type t was present when the
// attributes were decoded, even with a zero value.
func (a *LinkAttrs) Has(t uint16) bool { return a.layout.Has(t) }

// Raw returns the payload of the first attribute of type t kept in Unknown.
func (a *LinkAttrs) Raw(t uint16) ([]byte, bool) { return rawAttr(a.Unknown, t) }

func rawAttr(as []Attr, t uint16) ([]byte, bool) {
	for _, x := range as {
		if x.Type&attrTypeMask == t {
			return x.Data, true
		}
	}
	return nil, false
}

// Stats64 decodes IFLA_STATS64, the link's counters, from Unknown. The
// struct grows with kernel versions; fields the kernel did not send are 0.
func (a *LinkAttrs) Stats64() (LinkStats64, bool) {
	b, ok := a.Raw(unix.IFLA_STATS64)
	if !ok {
		return LinkStats64{}, false
	}
	var s LinkStats64
	fields := []*uint64{
		&s.RxPackets, &s.TxPackets, &s.RxBytes, &s.TxBytes, &s.RxErrors,
		&s.TxErrors, &s.RxDropped, &s.TxDropped, &s.Multicast, &s.Collisions,
		&s.RxLengthErrors, &s.RxOverErrors, &s.RxCRCErrors, &s.RxFrameErrors,
		&s.RxFIFOErrors, &s.RxMissedErrors, &s.TxAbortedErrors,
		&s.TxCarrierErrors, &s.TxFIFOErrors, &s.TxHeartbeatErrors,
		&s.TxWindowErrors, &s.RxCompressed, &s.TxCompressed, &s.RxNoHandler,
		&s.RxOtherhostDropped,
	}
	for i, f := range fields {
		if len(b) < 8*(i+1) {
			break
		}
		*f = binary.NativeEndian.Uint64(b[8*i:])
	}
	return s, true
}

// LinkStats64 is struct rtnl_link_stats64 from include/uapi/linux/if_link.h:
// the link's counters, each named as the kernel names its field (rx_packets
// is RxPackets, and so on).
type LinkStats64 struct {
	RxPackets, TxPackets, RxBytes, TxBytes, RxErrors, TxErrors        uint64
	RxDropped, TxDropped, Multicast, Collisions                       uint64
	RxLengthErrors, RxOverErrors, RxCRCErrors, RxFrameErrors          uint64
	RxFIFOErrors, RxMissedErrors                                      uint64
	TxAbortedErrors, TxCarrierErrors, TxFIFOErrors, TxHeartbeatErrors uint64
	TxWindowErrors                                                    uint64
	RxCompressed, TxCompressed, RxNoHandler, RxOtherhostDropped       uint64
}

func putUint32(e *Encoder, t uint16, v uint32, present bool) {
	if present || v != 0 {
		e.Uint32(t, v)
	}
}

func putUint32Ptr(e *Encoder, t uint16, v *uint32) {
	if v != nil {
		e.Uint32(t, *v)
	}
}
