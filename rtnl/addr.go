package rtnl

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"golang.org/x/sys/unix"
)

// Constants of include/uapi/linux/if_addr.h that golang.org/x/sys/unix
// lacks.
const (
	ifaProto = 11 // IFA_PROTO: u8, who added the address (IFAPROT_*)
)

// AddressMessage is an RTM_NEWADDR, RTM_DELADDR or RTM_GETADDR payload:
// struct ifaddrmsg from include/uapi/linux/if_addr.h, then the IFA_*
// attributes.
//
//	struct ifaddrmsg {
//		__u8  ifa_family;     // offset 0
//		__u8  ifa_prefixlen;  // offset 1
//		__u8  ifa_flags;      // offset 2
//		__u8  ifa_scope;      // offset 3
//		__u32 ifa_index;      // offset 4
//	};
type AddressMessage struct {
	Family    uint8        // ifa_family: AF_INET or AF_INET6
	PrefixLen uint8        // ifa_prefixlen
	Flags     uint8        // ifa_flags: the low 8 bits of IFA_F_*; IFA_FLAGS carries all of them
	Scope     uint8        // ifa_scope: RT_SCOPE_*
	Index     int32        // ifa_index: the link's interface index
	Attrs     AddressAttrs // the IFA_* attributes
}

// ifaddrmsgLen is sizeof(struct ifaddrmsg).
const ifaddrmsgLen = unix.SizeofIfAddrmsg

// AddressAttrs are the IFA_* attributes of an address message. A field left
// at its zero value (nil for pointers, an invalid netip.Addr) is not sent.
// The addresses are decoded as typed fields only in AF_INET and AF_INET6
// messages, where their size must be 4 or 16 bytes; in other families they
// stay in Unknown. Attributes without a field are kept in Unknown, in order,
// and sent back unchanged.
type AddressAttrs struct {
	// Address is IFA_ADDRESS: the address itself, or on a point-to-point
	// link the peer's address.
	Address netip.Addr
	// Local is IFA_LOCAL: the local address. IPv4 sends both; IPv6
	// addresses usually carry only IFA_ADDRESS.
	Local netip.Addr
	// Label is IFA_LABEL, the IPv4 address label ("eth0:1").
	Label string
	// Broadcast is IFA_BROADCAST.
	Broadcast netip.Addr
	// Anycast is IFA_ANYCAST.
	Anycast netip.Addr
	// CacheInfo is IFA_CACHEINFO: lifetimes and time stamps.
	CacheInfo *AddrCacheInfo
	// Multicast is IFA_MULTICAST.
	Multicast netip.Addr
	// Flags is IFA_FLAGS: all IFA_F_* flags, superseding ifa_flags.
	Flags uint32
	// RTPriority is IFA_RT_PRIORITY: the metric of the prefix route the
	// kernel adds for the address.
	RTPriority uint32
	// TargetNetNSID is IFA_TARGET_NETNSID: act on, or report, the peer
	// namespace with this id.
	TargetNetNSID *int32
	// Proto is IFA_PROTO: who added the address (IFAPROT_*: 1 loopback,
	// 2 router advertisement, 3 kernel link-local).
	Proto uint8

	// Unknown holds the attributes without a field above, in the order
	// they came.
	Unknown []Attr

	layout Layout
}

// AddrCacheInfo is struct ifa_cacheinfo, the payload of IFA_CACHEINFO.
// Lifetimes are in seconds, InfiniteLifetime meaning forever; time stamps
// are in hundredths of a second since boot.
type AddrCacheInfo struct {
	Preferred uint32 // ifa_prefered: preferred lifetime left
	Valid     uint32 // ifa_valid: valid lifetime left
	Created   uint32 // cstamp: when the address was added
	Updated   uint32 // tstamp: when it last changed
}

// InfiniteLifetime is the lifetime of an address that never expires
// (INFINITY_LIFE_TIME).
const InfiniteLifetime = 0xffffffff

// addrCacheInfoLen is sizeof(struct ifa_cacheinfo).
const addrCacheInfoLen = unix.SizeofIfaCacheinfo

// AddrSpace is the IFA_* attribute space of address messages.
var AddrSpace = &AttrSpace{Name: "address", Attrs: map[uint16]AttrSpec{
	unix.IFA_ADDRESS:        {Name: "IFA_ADDRESS", Type: TypeIP},
	unix.IFA_LOCAL:          {Name: "IFA_LOCAL", Type: TypeIP},
	unix.IFA_LABEL:          {Name: "IFA_LABEL", Type: TypeString},
	unix.IFA_BROADCAST:      {Name: "IFA_BROADCAST", Type: TypeIP},
	unix.IFA_ANYCAST:        {Name: "IFA_ANYCAST", Type: TypeIP},
	unix.IFA_CACHEINFO:      {Name: "IFA_CACHEINFO", Type: TypeBinary},
	unix.IFA_MULTICAST:      {Name: "IFA_MULTICAST", Type: TypeIP},
	unix.IFA_FLAGS:          {Name: "IFA_FLAGS", Type: TypeU32},
	unix.IFA_RT_PRIORITY:    {Name: "IFA_RT_PRIORITY", Type: TypeU32},
	unix.IFA_TARGET_NETNSID: {Name: "IFA_TARGET_NETNSID", Type: TypeS32},
	ifaProto:                {Name: "IFA_PROTO", Type: TypeU8},
}}

func init() {
	for t, n := range map[uint16]string{
		unix.RTM_NEWADDR: "RTM_NEWADDR", unix.RTM_DELADDR: "RTM_DELADDR", unix.RTM_GETADDR: "RTM_GETADDR",
	} {
		messageSpecs[t] = MessageSpec{Name: n, Header: ifaddrmsgLen, Attrs: AddrSpace}
	}
}

// addrAttrOrder is the order in which fields set by hand are encoded. It
// follows iproute2's `ip address add ADDR/LEN [peer P] [anycast A]
// [label L] [metric M] [proto P] [flags] dev D [brd +]`: attributes named
// on the command line first, then IFA_FLAGS, then the IFA_ADDRESS iproute2
// adds after parsing, then the computed broadcast, then the lifetimes.
// NewAddressMessage records the exact order of its own request.
var addrAttrOrder = []uint16{
	unix.IFA_TARGET_NETNSID, unix.IFA_LOCAL, unix.IFA_ANYCAST,
	unix.IFA_LABEL, unix.IFA_RT_PRIORITY, ifaProto, unix.IFA_FLAGS,
	unix.IFA_ADDRESS, unix.IFA_BROADCAST, unix.IFA_MULTICAST,
	unix.IFA_CACHEINFO,
}

// MarshalBinary encodes the ifaddrmsg and the attributes.
func (m *AddressMessage) MarshalBinary() ([]byte, error) {
	e := NewEncoder(make([]byte, 0, 64))
	m.Encode(e)
	return e.Encode()
}

// Encode appends the ifaddrmsg and the attributes to e.
func (m *AddressMessage) Encode(e *Encoder) {
	var h [ifaddrmsgLen]byte
	h[0] = m.Family
	h[1] = m.PrefixLen
	h[2] = m.Flags
	h[3] = m.Scope
	binary.NativeEndian.PutUint32(h[4:], uint32(m.Index))
	e.Append(h[:])
	m.Attrs.encode(e)
}

// UnmarshalBinary decodes an ifaddrmsg and its attributes. The message
// keeps references into b.
func (m *AddressMessage) UnmarshalBinary(b []byte) error {
	if len(b) < ifaddrmsgLen {
		return fmt.Errorf("%w: ifaddrmsg needs %d bytes, have %d", ErrTruncated, ifaddrmsgLen, len(b))
	}
	*m = AddressMessage{
		Family:    b[0],
		PrefixLen: b[1],
		Flags:     b[2],
		Scope:     b[3],
		Index:     int32(binary.NativeEndian.Uint32(b[4:])),
	}
	d := Decoder{b: b[ifaddrmsgLen:]}
	if err := m.Attrs.decode(&d, m.Family); err != nil {
		return fmt.Errorf("rtnl: decoding address: %w", err)
	}
	return nil
}

// Prefix returns the address with its prefix length: IFA_LOCAL when the
// message has it (IPv4, and the local end of a point-to-point address),
// IFA_ADDRESS otherwise. It is invalid when the message has neither.
func (m *AddressMessage) Prefix() netip.Prefix {
	a := m.Attrs.Local
	if !a.IsValid() {
		a = m.Attrs.Address
	}
	if !a.IsValid() {
		return netip.Prefix{}
	}
	return netip.PrefixFrom(a, int(m.PrefixLen))
}

// AllFlags returns the address's IFA_F_* flags: IFA_FLAGS when present,
// ifa_flags otherwise.
func (m *AddressMessage) AllFlags() uint32 {
	if m.Attrs.layout.Has(unix.IFA_FLAGS) || m.Attrs.Flags != 0 {
		return m.Attrs.Flags
	}
	return uint32(m.Flags)
}

func (a *AddressAttrs) encode(e *Encoder) {
	a.layout.Encode(e, a.Unknown, addrAttrOrder, a.encodeField)
}

func (a *AddressAttrs) encodeField(e *Encoder, t uint16, present bool) {
	switch t {
	case unix.IFA_ADDRESS:
		putAddr(e, t, a.Address)
	case unix.IFA_LOCAL:
		putAddr(e, t, a.Local)
	case unix.IFA_LABEL:
		if present || a.Label != "" {
			e.String(t, a.Label)
		}
	case unix.IFA_BROADCAST:
		putAddr(e, t, a.Broadcast)
	case unix.IFA_ANYCAST:
		putAddr(e, t, a.Anycast)
	case unix.IFA_MULTICAST:
		putAddr(e, t, a.Multicast)
	case unix.IFA_CACHEINFO:
		if ci := a.CacheInfo; ci != nil {
			var b [addrCacheInfoLen]byte
			binary.NativeEndian.PutUint32(b[0:], ci.Preferred)
			binary.NativeEndian.PutUint32(b[4:], ci.Valid)
			binary.NativeEndian.PutUint32(b[8:], ci.Created)
			binary.NativeEndian.PutUint32(b[12:], ci.Updated)
			e.Bytes(t, b[:])
		}
	case unix.IFA_FLAGS:
		putUint32(e, t, a.Flags, present)
	case unix.IFA_RT_PRIORITY:
		putUint32(e, t, a.RTPriority, present)
	case unix.IFA_TARGET_NETNSID:
		putInt32Ptr(e, t, a.TargetNetNSID)
	case ifaProto:
		if present || a.Proto != 0 {
			e.Uint8(t, a.Proto)
		}
	}
}

func (a *AddressAttrs) decode(d *Decoder, family uint8) error {
	ip := isIPFamily(family)
	return a.layout.Decode(d, &a.Unknown, func(d *Decoder) bool {
		switch d.Type() {
		case unix.IFA_ADDRESS:
			if !ip {
				return false
			}
			a.Address = decodeIP(d, family)
		case unix.IFA_LOCAL:
			if !ip {
				return false
			}
			a.Local = decodeIP(d, family)
		case unix.IFA_LABEL:
			if !d.IsCanonicalString() {
				return false // kept raw, so it re-encodes as it came
			}
			a.Label = d.String()
		case unix.IFA_BROADCAST:
			if !ip {
				return false
			}
			a.Broadcast = decodeIP(d, family)
		case unix.IFA_ANYCAST:
			if !ip {
				return false
			}
			a.Anycast = decodeIP(d, family)
		case unix.IFA_MULTICAST:
			if !ip {
				return false
			}
			a.Multicast = decodeIP(d, family)
		case unix.IFA_CACHEINFO:
			b := d.Bytes()
			if len(b) != addrCacheInfoLen {
				d.SetErr(&AttrSizeError{Type: d.Type(), Want: addrCacheInfoLen, Got: len(b)})
				return true
			}
			a.CacheInfo = &AddrCacheInfo{
				Preferred: binary.NativeEndian.Uint32(b[0:]),
				Valid:     binary.NativeEndian.Uint32(b[4:]),
				Created:   binary.NativeEndian.Uint32(b[8:]),
				Updated:   binary.NativeEndian.Uint32(b[12:]),
			}
		case unix.IFA_FLAGS:
			a.Flags = d.Uint32()
		case unix.IFA_RT_PRIORITY:
			a.RTPriority = d.Uint32()
		case unix.IFA_TARGET_NETNSID:
			a.TargetNetNSID = new(d.Int32())
		case ifaProto:
			a.Proto = d.Uint8()
		default:
			return false
		}
		return true
	})
}

// Raw returns the payload of the first attribute of type t kept in Unknown.
func (a *AddressAttrs) Raw(t uint16) ([]byte, bool) { return rawAttr(a.Unknown, t) }

// isIPFamily reports whether addresses in a message of this family are IP
// addresses of a known size.
func isIPFamily(family uint8) bool { return family == unix.AF_INET || family == unix.AF_INET6 }

// ipLen returns the size of an address of family: 4, 16, or 0 when the
// family does not fix it.
func ipLen(family uint8) int {
	switch family {
	case unix.AF_INET:
		return 4
	case unix.AF_INET6:
		return 16
	}
	return 0
}

// decodeIP decodes the current payload as an IP address. In an AF_INET or
// AF_INET6 message its size must be that of the family's addresses; a
// 3-byte gateway, or a 16-byte address in an IPv4 message, is an
// *AttrSizeError. Elsewhere 4 and 16 bytes are accepted.
func decodeIP(d *Decoder, family uint8) netip.Addr {
	if n := ipLen(family); n != 0 && d.Len() != n {
		d.SetErr(&AttrSizeError{Type: d.Type(), Want: n, Got: d.Len()})
		return netip.Addr{}
	}
	return d.Addr()
}

// putAddr writes an address attribute if a is valid.
func putAddr(e *Encoder, t uint16, a netip.Addr) {
	if a.IsValid() {
		e.Addr(t, a)
	}
}

// familyOf returns AF_INET or AF_INET6 for a valid address, 0 otherwise.
func familyOf(a netip.Addr) uint8 {
	switch {
	case !a.IsValid():
		return 0
	case a.Is4():
		return unix.AF_INET
	}
	return unix.AF_INET6
}

// AddrOptions are the optional parts of an address request: the words
// `ip address add|replace|del ADDR/LEN dev D` takes besides the address
// and the device. The zero value asks for nothing more.
type AddrOptions struct {
	// Peer is the remote end of a point-to-point link ("peer P/LEN"). It
	// is sent as IFA_ADDRESS instead of the local address, and its prefix
	// length is the message's.
	Peer netip.Prefix
	// Broadcast is the broadcast address ("broadcast B"), IFA_BROADCAST.
	Broadcast netip.Addr
	// AutoBroadcast computes the broadcast address from the prefix as
	// "brd +" does (see BroadcastAddr). IPv4 only; ignored when deleting.
	AutoBroadcast bool
	// Anycast is IFA_ANYCAST ("anycast A").
	Anycast netip.Addr
	// Label is IFA_LABEL ("label L"). The kernel wants IPv4 labels to
	// start with the link's name.
	Label string
	// Scope is ifa_scope ("scope S"). Nil means iproute2's default:
	// RT_SCOPE_HOST for 127.0.0.0/8, RT_SCOPE_UNIVERSE otherwise; a
	// delete sends 0 unless it is set.
	Scope *uint8
	// Flags are IFA_F_* flags ("nodad", "noprefixroute", ...): sent in
	// ifa_flags when they fit in 8 bits, as IFA_FLAGS otherwise.
	Flags uint32
	// Metric is IFA_RT_PRIORITY ("metric M"), the metric of the prefix
	// route.
	Metric uint32
	// Proto is IFA_PROTO ("proto P").
	Proto uint8
	// ValidLifetime is the valid lifetime in seconds ("valid_lft"). It
	// and PreferredLifetime are sent as IFA_CACHEINFO when either is set;
	// the other then defaults to InfiniteLifetime. The valid lifetime must
	// not be 0 nor shorter than the preferred one.
	ValidLifetime *uint32
	// PreferredLifetime is the preferred lifetime in seconds
	// ("preferred_lft"); 0 makes the address deprecated at once.
	PreferredLifetime *uint32
}

// NewAddressMessage builds the request iproute2's `ip address` sends for
// cmd (RTM_NEWADDR to add, replace or change; RTM_DELADDR to delete) with
// the address local on the link with the given index, attribute for
// attribute and in the same order, for the command line
//
//	ip address add LOCAL/LEN [peer P/LEN] [broadcast B|+] [anycast A] [label L]
//	    [scope S] [metric M] [proto P] [FLAGS] [valid_lft V] [preferred_lft P] dev D
//
// IFA_LOCAL and IFA_ADDRESS both carry local (IFA_ADDRESS carries the peer
// when there is one); local is not masked.
func NewAddressMessage(cmd uint16, index int32, local netip.Prefix, o *AddrOptions) (*AddressMessage, error) {
	if o == nil {
		o = &AddrOptions{}
	}
	if !local.IsValid() {
		return nil, fmt.Errorf("rtnl: address %v is not a valid prefix", local)
	}
	if index <= 0 {
		return nil, fmt.Errorf("rtnl: address %v: no link index", local)
	}
	fam := familyOf(local.Addr())
	for _, x := range []netip.Addr{o.Peer.Addr(), o.Broadcast, o.Anycast} {
		if x.IsValid() && familyOf(x) != fam {
			return nil, fmt.Errorf("rtnl: address %v: %v is of another family", local, x)
		}
	}
	m := &AddressMessage{Family: fam, Index: index}
	a := &m.Attrs
	var order []uint16
	a.Local = local.Addr()
	order = append(order, unix.IFA_LOCAL)
	if o.Peer.IsValid() {
		a.Address = o.Peer.Addr()
		m.PrefixLen = uint8(o.Peer.Bits())
		order = append(order, unix.IFA_ADDRESS)
	}
	if o.Broadcast.IsValid() {
		a.Broadcast = o.Broadcast
		order = append(order, unix.IFA_BROADCAST)
	}
	if o.Anycast.IsValid() {
		a.Anycast = o.Anycast
		order = append(order, unix.IFA_ANYCAST)
	}
	if o.Label != "" {
		a.Label = o.Label
		order = append(order, unix.IFA_LABEL)
	}
	if o.Metric != 0 {
		a.RTPriority = o.Metric
		order = append(order, unix.IFA_RT_PRIORITY)
	}
	if o.Proto != 0 {
		a.Proto = o.Proto
		order = append(order, ifaProto)
	}
	if o.Flags <= 0xff {
		m.Flags = uint8(o.Flags)
	} else {
		a.Flags = o.Flags
		order = append(order, unix.IFA_FLAGS)
	}
	peer := o.Peer
	if !o.Peer.IsValid() {
		a.Address = local.Addr()
		peer = local
		order = append(order, unix.IFA_ADDRESS)
	}
	if m.PrefixLen == 0 {
		m.PrefixLen = uint8(local.Bits())
	}
	if o.AutoBroadcast && cmd != unix.RTM_DELADDR {
		if fam != unix.AF_INET {
			return nil, fmt.Errorf("rtnl: address %v: a broadcast address can be set only for IPv4", local)
		}
		if o.Broadcast.IsValid() {
			return nil, fmt.Errorf("rtnl: address %v: both a broadcast address and AutoBroadcast", local)
		}
		if brd, ok := BroadcastAddr(peer); ok {
			a.Broadcast = brd
			order = append(order, unix.IFA_BROADCAST)
		}
	}
	switch {
	case o.Scope != nil:
		m.Scope = *o.Scope
	case cmd != unix.RTM_DELADDR && fam == unix.AF_INET && local.Addr().As4()[0] == 127:
		m.Scope = unix.RT_SCOPE_HOST
	}
	if o.ValidLifetime != nil || o.PreferredLifetime != nil {
		ci := &AddrCacheInfo{Preferred: InfiniteLifetime, Valid: InfiniteLifetime}
		if o.ValidLifetime != nil {
			ci.Valid = *o.ValidLifetime
		}
		if o.PreferredLifetime != nil {
			ci.Preferred = *o.PreferredLifetime
		}
		if ci.Valid == 0 {
			return nil, fmt.Errorf("rtnl: address %v: the valid lifetime is zero", local)
		}
		if ci.Valid < ci.Preferred {
			return nil, fmt.Errorf("rtnl: address %v: the preferred lifetime is longer than the valid one", local)
		}
		a.CacheInfo = ci
		order = append(order, unix.IFA_CACHEINFO)
	}
	a.layout.Preset(order...)
	return m, nil
}

// BroadcastAddr returns the broadcast address of an IPv4 prefix, its
// address with every host bit set, as iproute2 computes it for "brd +".
// Like iproute2 it reports false for /31 and /32, which have none, and for
// IPv6.
func BroadcastAddr(p netip.Prefix) (netip.Addr, bool) {
	if !p.IsValid() || !p.Addr().Is4() || p.Bits() > 30 {
		return netip.Addr{}, false
	}
	b := p.Addr().As4()
	v := binary.BigEndian.Uint32(b[:]) | (1<<(32-p.Bits()) - 1)
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b), true
}
