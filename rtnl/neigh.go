package rtnl

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"

	"golang.org/x/sys/unix"
)

// Constants of include/uapi/linux/neighbour.h that golang.org/x/sys/unix
// lacks.
const (
	ndaProtocol     = 12 // NDA_PROTOCOL: u8, who added the entry
	ndaNHID         = 13 // NDA_NH_ID: u32, nexthop group id (vxlan FDB)
	ndaFDBExtAttrs  = 14 // NDA_FDB_EXT_ATTRS: nested NFEA_*
	ndaFlagsExt     = 15 // NDA_FLAGS_EXT: u32, NTF_EXT_* flags beyond ndm_flags
	ndaNDMStateMask = 16 // NDA_NDM_STATE_MASK: u16, which ndm_state bits a flush matches
	ndaNDMFlagsMask = 17 // NDA_NDM_FLAGS_MASK: u16, which ndm_flags bits a flush matches

	nfeaActivityNotify = 1 // NFEA_ACTIVITY_NOTIFY: u8, FDB_NOTIFY_* bits
	nfeaDontRefresh    = 2 // NFEA_DONT_REFRESH: flag

	// NTFSticky is NTF_STICKY: a bridge FDB entry that never moves to
	// another port.
	NTFSticky = 1 << 6
)

// NeighMessage is an RTM_NEWNEIGH, RTM_DELNEIGH or RTM_GETNEIGH payload:
// struct ndmsg from include/uapi/linux/neighbour.h, then the NDA_*
// attributes. It carries both ARP and NDP neighbours (AF_INET, AF_INET6)
// and bridge forwarding database entries (AF_BRIDGE), which `bridge fdb`
// manages: a MAC address in NDA_LLADDR on the port ndm_ifindex, with
// NTF_MASTER for the bridge's own table or NTF_SELF for the port's.
//
//	struct ndmsg {
//		__u8  ndm_family;   // offset 0
//		__u8  ndm_pad1;     // offset 1
//		__u16 ndm_pad2;     // offset 2
//		__s32 ndm_ifindex;  // offset 4
//		__u16 ndm_state;    // offset 8
//		__u8  ndm_flags;    // offset 10
//		__u8  ndm_type;     // offset 11
//	};
//
// The padding is written as zero.
type NeighMessage struct {
	Family uint8      // ndm_family: AF_INET, AF_INET6 or AF_BRIDGE
	Index  int32      // ndm_ifindex: the link, or for FDB entries the bridge port
	State  uint16     // ndm_state: NUD_* (NUD_PERMANENT, NUD_NOARP for static FDB entries)
	Flags  uint8      // ndm_flags: NTF_* (NTF_MASTER, NTF_SELF, NTF_PROXY, ...)
	Type   uint8      // ndm_type: RTN_* of the address
	Attrs  NeighAttrs // the NDA_* attributes
}

// ndmsgLen is sizeof(struct ndmsg).
const ndmsgLen = unix.SizeofNdMsg

// NeighAttrs are the NDA_* attributes of a neighbour message. A field left
// at its zero value (nil, an invalid netip.Addr) is not sent. NDA_DST must
// be 4 bytes in AF_INET and 16 in AF_INET6 messages; AF_BRIDGE (a VXLAN
// remote) takes either. Attributes without a field are kept in Unknown, in
// order, and sent back unchanged.
type NeighAttrs struct {
	Dst         netip.Addr       // NDA_DST: the neighbour's IP address, or a VXLAN FDB entry's remote
	LLAddr      net.HardwareAddr // NDA_LLADDR: the link-layer (MAC) address
	CacheInfo   *NeighCacheInfo  // NDA_CACHEINFO: ages and reference count
	Probes      uint32           // NDA_PROBES: probes sent
	VLAN        uint16           // NDA_VLAN: the FDB entry's VLAN id
	Port        uint16           // NDA_PORT: VXLAN remote UDP port (network order on the wire)
	VNI         uint32           // NDA_VNI: VXLAN network identifier
	IfIndex     uint32           // NDA_IFINDEX: link filter in dumps; VXLAN outgoing link
	Master      *uint32          // NDA_MASTER: the bridge (or VRF) of the link; a dump filter
	LinkNetNSID *int32           // NDA_LINK_NETNSID: namespace id of a VXLAN's link
	SrcVNI      uint32           // NDA_SRC_VNI: VXLAN source VNI
	Protocol    uint8            // NDA_PROTOCOL: who added the entry (RTPROT_*)
	NHID        uint32           // NDA_NH_ID: nexthop group id
	FlagsExt    uint32           // NDA_FLAGS_EXT: NTF_EXT_* flags
	StateMask   uint16           // NDA_NDM_STATE_MASK: flush filter on ndm_state
	FlagsMask   uint16           // NDA_NDM_FLAGS_MASK: flush filter on ndm_flags

	// Unknown holds the attributes without a field above
	// (NDA_FDB_EXT_ATTRS, ...), in the order they came.
	Unknown []Attr

	layout Layout
}

// NeighCacheInfo is struct nda_cacheinfo, the payload of NDA_CACHEINFO.
// Ages are in clock ticks (USER_HZ, normally 100 a second) since the event.
type NeighCacheInfo struct {
	Confirmed uint32 // ndm_confirmed: since the neighbour was last confirmed reachable
	Used      uint32 // ndm_used: since it was last used
	Updated   uint32 // ndm_updated: since it last changed
	RefCnt    uint32 // ndm_refcnt: references held
}

// neighCacheInfoLen is sizeof(struct nda_cacheinfo).
const neighCacheInfoLen = 16

// NeighFDBExtSpace is the NFEA_* space nested in NDA_FDB_EXT_ATTRS.
var NeighFDBExtSpace = &AttrSpace{Name: "fdb-ext", Attrs: map[uint16]AttrSpec{
	nfeaActivityNotify: {Name: "NFEA_ACTIVITY_NOTIFY", Type: TypeU8},
	nfeaDontRefresh:    {Name: "NFEA_DONT_REFRESH", Type: TypeFlag},
}}

// NeighSpace is the NDA_* attribute space of neighbour messages.
var NeighSpace = &AttrSpace{Name: "neighbour", Attrs: map[uint16]AttrSpec{
	unix.NDA_DST:          {Name: "NDA_DST", Type: TypeIP},
	unix.NDA_LLADDR:       {Name: "NDA_LLADDR", Type: TypeMAC},
	unix.NDA_CACHEINFO:    {Name: "NDA_CACHEINFO", Type: TypeBinary},
	unix.NDA_PROBES:       {Name: "NDA_PROBES", Type: TypeU32},
	unix.NDA_VLAN:         {Name: "NDA_VLAN", Type: TypeU16},
	unix.NDA_PORT:         {Name: "NDA_PORT", Type: TypeU16BE},
	unix.NDA_VNI:          {Name: "NDA_VNI", Type: TypeU32},
	unix.NDA_IFINDEX:      {Name: "NDA_IFINDEX", Type: TypeU32},
	unix.NDA_MASTER:       {Name: "NDA_MASTER", Type: TypeU32},
	unix.NDA_LINK_NETNSID: {Name: "NDA_LINK_NETNSID", Type: TypeS32},
	unix.NDA_SRC_VNI:      {Name: "NDA_SRC_VNI", Type: TypeU32},
	ndaProtocol:           {Name: "NDA_PROTOCOL", Type: TypeU8},
	ndaNHID:               {Name: "NDA_NH_ID", Type: TypeU32},
	ndaFDBExtAttrs:        {Name: "NDA_FDB_EXT_ATTRS", Type: TypeNested, Nested: NeighFDBExtSpace, Flagged: true},
	ndaFlagsExt:           {Name: "NDA_FLAGS_EXT", Type: TypeU32},
	ndaNDMStateMask:       {Name: "NDA_NDM_STATE_MASK", Type: TypeU16},
	ndaNDMFlagsMask:       {Name: "NDA_NDM_FLAGS_MASK", Type: TypeU16},
}}

func init() {
	for t, n := range map[uint16]string{
		unix.RTM_NEWNEIGH: "RTM_NEWNEIGH", unix.RTM_DELNEIGH: "RTM_DELNEIGH", unix.RTM_GETNEIGH: "RTM_GETNEIGH",
	} {
		messageSpecs[t] = MessageSpec{Name: n, Header: ndmsgLen, Attrs: NeighSpace}
	}
}

// neighAttrOrder is the order in which fields set by hand are encoded in
// AF_INET and AF_INET6 messages: iproute2's `ip neigh add ADDR [lladdr L]
// [protocol P] dev D` writes NDA_PROTOCOL as it parses it, then NDA_DST,
// NDA_FLAGS_EXT and NDA_LLADDR.
var neighAttrOrder = []uint16{
	ndaProtocol, unix.NDA_DST, ndaFlagsExt, unix.NDA_LLADDR,
	unix.NDA_IFINDEX, unix.NDA_MASTER, unix.NDA_VLAN, unix.NDA_PROBES,
	unix.NDA_LINK_NETNSID, ndaNDMStateMask, ndaNDMFlagsMask,
	unix.NDA_CACHEINFO,
}

// fdbAttrOrder is the order for AF_BRIDGE messages: iproute2's
// `bridge fdb add LLADDR dev D [dst IP] [vlan V] [nhid N] [port P] [vni V]
// [src_vni S] [via LINK]`, then what `bridge fdb show` filters on.
var fdbAttrOrder = []uint16{
	unix.NDA_LLADDR, unix.NDA_DST, unix.NDA_VLAN, ndaNHID, unix.NDA_PORT,
	unix.NDA_VNI, unix.NDA_SRC_VNI, unix.NDA_IFINDEX, unix.NDA_MASTER,
	ndaProtocol, ndaFlagsExt, unix.NDA_LINK_NETNSID, ndaNDMStateMask,
	ndaNDMFlagsMask, unix.NDA_CACHEINFO,
}

// MarshalBinary encodes the ndmsg and the attributes.
func (m *NeighMessage) MarshalBinary() ([]byte, error) {
	e := NewEncoder(make([]byte, 0, 64))
	m.Encode(e)
	return e.Encode()
}

// Encode appends the ndmsg and the attributes to e.
func (m *NeighMessage) Encode(e *Encoder) {
	var h [ndmsgLen]byte
	h[0] = m.Family
	binary.NativeEndian.PutUint32(h[4:], uint32(m.Index))
	binary.NativeEndian.PutUint16(h[8:], m.State)
	h[10] = m.Flags
	h[11] = m.Type
	e.Append(h[:])
	order := neighAttrOrder
	if m.Family == unix.AF_BRIDGE {
		order = fdbAttrOrder
	}
	m.Attrs.layout.Encode(e, m.Attrs.Unknown, order, m.Attrs.encodeField)
}

// UnmarshalBinary decodes an ndmsg and its attributes. The message keeps
// references into b.
func (m *NeighMessage) UnmarshalBinary(b []byte) error {
	if len(b) < ndmsgLen {
		return fmt.Errorf("%w: ndmsg needs %d bytes, have %d", ErrTruncated, ndmsgLen, len(b))
	}
	*m = NeighMessage{
		Family: b[0],
		Index:  int32(binary.NativeEndian.Uint32(b[4:])),
		State:  binary.NativeEndian.Uint16(b[8:]),
		Flags:  b[10],
		Type:   b[11],
	}
	d := Decoder{b: b[ndmsgLen:]}
	if err := m.Attrs.decode(&d, m.Family); err != nil {
		return fmt.Errorf("rtnl: decoding neighbour: %w", err)
	}
	return nil
}

func (a *NeighAttrs) encodeField(e *Encoder, t uint16, present bool) {
	switch t {
	case unix.NDA_DST:
		putAddr(e, t, a.Dst)
	case unix.NDA_LLADDR:
		if present || a.LLAddr != nil {
			e.Bytes(t, a.LLAddr)
		}
	case unix.NDA_CACHEINFO:
		if ci := a.CacheInfo; ci != nil {
			var b [neighCacheInfoLen]byte
			binary.NativeEndian.PutUint32(b[0:], ci.Confirmed)
			binary.NativeEndian.PutUint32(b[4:], ci.Used)
			binary.NativeEndian.PutUint32(b[8:], ci.Updated)
			binary.NativeEndian.PutUint32(b[12:], ci.RefCnt)
			e.Bytes(t, b[:])
		}
	case unix.NDA_PROBES:
		putUint32(e, t, a.Probes, present)
	case unix.NDA_VLAN:
		if present || a.VLAN != 0 {
			e.Uint16(t, a.VLAN)
		}
	case unix.NDA_PORT:
		if present || a.Port != 0 {
			e.Uint16BE(t, a.Port)
		}
	case unix.NDA_VNI:
		putUint32(e, t, a.VNI, present)
	case unix.NDA_IFINDEX:
		putUint32(e, t, a.IfIndex, present)
	case unix.NDA_MASTER:
		putUint32Ptr(e, t, a.Master)
	case unix.NDA_LINK_NETNSID:
		putInt32Ptr(e, t, a.LinkNetNSID)
	case unix.NDA_SRC_VNI:
		putUint32(e, t, a.SrcVNI, present)
	case ndaProtocol:
		if present || a.Protocol != 0 {
			e.Uint8(t, a.Protocol)
		}
	case ndaNHID:
		putUint32(e, t, a.NHID, present)
	case ndaFlagsExt:
		putUint32(e, t, a.FlagsExt, present)
	case ndaNDMStateMask:
		if present || a.StateMask != 0 {
			e.Uint16(t, a.StateMask)
		}
	case ndaNDMFlagsMask:
		if present || a.FlagsMask != 0 {
			e.Uint16(t, a.FlagsMask)
		}
	}
}

func (a *NeighAttrs) decode(d *Decoder, family uint8) error {
	ip := isIPFamily(family) || family == unix.AF_BRIDGE
	return a.layout.Decode(d, &a.Unknown, func(d *Decoder) bool {
		switch d.Type() {
		case unix.NDA_DST:
			if !ip {
				return false
			}
			a.Dst = decodeIP(d, family)
		case unix.NDA_LLADDR:
			a.LLAddr = net.HardwareAddr(d.Bytes())
		case unix.NDA_CACHEINFO:
			b := d.Bytes()
			if len(b) != neighCacheInfoLen {
				d.SetErr(&AttrSizeError{Type: d.Type(), Want: neighCacheInfoLen, Got: len(b)})
				return true
			}
			a.CacheInfo = &NeighCacheInfo{
				Confirmed: binary.NativeEndian.Uint32(b[0:]),
				Used:      binary.NativeEndian.Uint32(b[4:]),
				Updated:   binary.NativeEndian.Uint32(b[8:]),
				RefCnt:    binary.NativeEndian.Uint32(b[12:]),
			}
		case unix.NDA_PROBES:
			a.Probes = d.Uint32()
		case unix.NDA_VLAN:
			a.VLAN = d.Uint16()
		case unix.NDA_PORT:
			a.Port = d.Uint16BE()
		case unix.NDA_VNI:
			a.VNI = d.Uint32()
		case unix.NDA_IFINDEX:
			a.IfIndex = d.Uint32()
		case unix.NDA_MASTER:
			a.Master = new(d.Uint32())
		case unix.NDA_LINK_NETNSID:
			a.LinkNetNSID = new(d.Int32())
		case unix.NDA_SRC_VNI:
			a.SrcVNI = d.Uint32()
		case ndaProtocol:
			a.Protocol = d.Uint8()
		case ndaNHID:
			a.NHID = d.Uint32()
		case ndaFlagsExt:
			a.FlagsExt = d.Uint32()
		case ndaNDMStateMask:
			a.StateMask = d.Uint16()
		case ndaNDMFlagsMask:
			a.FlagsMask = d.Uint16()
		default:
			return false
		}
		return true
	})
}

// Raw returns the payload of the first attribute of type t kept in Unknown.
func (a *NeighAttrs) Raw(t uint16) ([]byte, bool) { return rawAttr(a.Unknown, t) }
