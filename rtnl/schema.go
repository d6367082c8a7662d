package rtnl

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// AttrType says how an attribute's payload is laid out, for the annotated
// trace, the strict validator and the mapping of an extended-ack offset to
// an attribute path.
type AttrType uint8

// Payload layouts.
const (
	TypeBinary    AttrType = iota // opaque bytes
	TypeU8                        // 1 byte
	TypeU16                       // 2 bytes, host order
	TypeU32                       // 4 bytes, host order
	TypeU64                       // 8 bytes, host order
	TypeS32                       // 4 bytes, host order, signed
	TypeU16BE                     // 2 bytes, network order
	TypeString                    // NUL-terminated string
	TypeFlag                      // no payload
	TypeNested                    // attributes of the space Nested
	TypeIP                        // IPv4 or IPv6 address, 4 or 16 bytes
	TypeMAC                       // link-layer address
	TypeLinkData                  // IFLA_INFO_DATA: attributes of the kind named by IFLA_INFO_KIND
	TypeSlaveData                 // IFLA_INFO_SLAVE_DATA: attributes of IFLA_INFO_SLAVE_KIND's port kind
	TypeUint                      // NLA_UINT: 4 or 8 bytes, host order
)

// Size returns the payload size a fixed-size type must have, or -1.
func (t AttrType) Size() int {
	switch t {
	case TypeU8:
		return 1
	case TypeU16, TypeU16BE:
		return 2
	case TypeU32, TypeS32:
		return 4
	case TypeU64:
		return 8
	case TypeFlag:
		return 0
	}
	return -1
}

// AttrSpec describes one attribute type in an attribute space.
type AttrSpec struct {
	Name   string     // the kernel's name, IFLA_MTU
	Type   AttrType   // payload layout
	Nested *AttrSpace // for TypeNested: the space of the nested attributes
	// Header is the size of a fixed struct that precedes the nested
	// attributes, such as the ifinfomsg inside VETH_INFO_PEER.
	Header int
	// Flagged says the kernel requires NLA_F_NESTED on this nest.
	Flagged bool
}

// AttrSpace is a set of attribute types that share a context: the top-level
// IFLA_* attributes, the IFLA_INFO_* attributes inside IFLA_LINKINFO, the
// IFLA_BR_* attributes inside a bridge's IFLA_INFO_DATA, and so on.
type AttrSpace struct {
	Name  string              // a short name for the space, such as "link" or "bridge"
	Attrs map[uint16]AttrSpec // by attribute type, flags masked off
}

// Spec returns the spec for attribute type t (flags masked off).
func (s *AttrSpace) Spec(t uint16) (AttrSpec, bool) {
	if s == nil {
		return AttrSpec{}, false
	}
	a, ok := s.Attrs[t&attrTypeMask]
	return a, ok
}

// LinkInfoSpace is the IFLA_INFO_* space inside IFLA_LINKINFO.
var LinkInfoSpace = &AttrSpace{Name: "linkinfo", Attrs: map[uint16]AttrSpec{
	unix.IFLA_INFO_KIND:       {Name: "IFLA_INFO_KIND", Type: TypeString},
	unix.IFLA_INFO_DATA:       {Name: "IFLA_INFO_DATA", Type: TypeLinkData},
	unix.IFLA_INFO_XSTATS:     {Name: "IFLA_INFO_XSTATS", Type: TypeBinary},
	unix.IFLA_INFO_SLAVE_KIND: {Name: "IFLA_INFO_SLAVE_KIND", Type: TypeString},
	unix.IFLA_INFO_SLAVE_DATA: {Name: "IFLA_INFO_SLAVE_DATA", Type: TypeSlaveData},
}}

// LinkSpace is the top-level IFLA_* space of link messages.
var LinkSpace = &AttrSpace{Name: "link", Attrs: map[uint16]AttrSpec{
	unix.IFLA_ADDRESS:             {Name: "IFLA_ADDRESS", Type: TypeMAC},
	unix.IFLA_BROADCAST:           {Name: "IFLA_BROADCAST", Type: TypeMAC},
	unix.IFLA_IFNAME:              {Name: "IFLA_IFNAME", Type: TypeString},
	unix.IFLA_MTU:                 {Name: "IFLA_MTU", Type: TypeU32},
	unix.IFLA_LINK:                {Name: "IFLA_LINK", Type: TypeU32},
	unix.IFLA_QDISC:               {Name: "IFLA_QDISC", Type: TypeString},
	unix.IFLA_STATS:               {Name: "IFLA_STATS", Type: TypeBinary},
	unix.IFLA_MASTER:              {Name: "IFLA_MASTER", Type: TypeU32},
	unix.IFLA_WIRELESS:            {Name: "IFLA_WIRELESS", Type: TypeBinary},
	unix.IFLA_PROTINFO:            {Name: "IFLA_PROTINFO", Type: TypeBinary},
	unix.IFLA_TXQLEN:              {Name: "IFLA_TXQLEN", Type: TypeU32},
	unix.IFLA_MAP:                 {Name: "IFLA_MAP", Type: TypeBinary},
	unix.IFLA_WEIGHT:              {Name: "IFLA_WEIGHT", Type: TypeU32},
	unix.IFLA_OPERSTATE:           {Name: "IFLA_OPERSTATE", Type: TypeU8},
	unix.IFLA_LINKMODE:            {Name: "IFLA_LINKMODE", Type: TypeU8},
	unix.IFLA_LINKINFO:            {Name: "IFLA_LINKINFO", Type: TypeNested, Nested: LinkInfoSpace},
	unix.IFLA_NET_NS_PID:          {Name: "IFLA_NET_NS_PID", Type: TypeU32},
	unix.IFLA_IFALIAS:             {Name: "IFLA_IFALIAS", Type: TypeString},
	unix.IFLA_NUM_VF:              {Name: "IFLA_NUM_VF", Type: TypeU32},
	unix.IFLA_VFINFO_LIST:         {Name: "IFLA_VFINFO_LIST", Type: TypeBinary},
	unix.IFLA_STATS64:             {Name: "IFLA_STATS64", Type: TypeBinary},
	unix.IFLA_VF_PORTS:            {Name: "IFLA_VF_PORTS", Type: TypeBinary},
	unix.IFLA_PORT_SELF:           {Name: "IFLA_PORT_SELF", Type: TypeBinary},
	unix.IFLA_AF_SPEC:             {Name: "IFLA_AF_SPEC", Type: TypeBinary},
	unix.IFLA_GROUP:               {Name: "IFLA_GROUP", Type: TypeU32},
	unix.IFLA_NET_NS_FD:           {Name: "IFLA_NET_NS_FD", Type: TypeU32},
	unix.IFLA_EXT_MASK:            {Name: "IFLA_EXT_MASK", Type: TypeU32},
	unix.IFLA_PROMISCUITY:         {Name: "IFLA_PROMISCUITY", Type: TypeU32},
	unix.IFLA_NUM_TX_QUEUES:       {Name: "IFLA_NUM_TX_QUEUES", Type: TypeU32},
	unix.IFLA_NUM_RX_QUEUES:       {Name: "IFLA_NUM_RX_QUEUES", Type: TypeU32},
	unix.IFLA_CARRIER:             {Name: "IFLA_CARRIER", Type: TypeU8},
	unix.IFLA_PHYS_PORT_ID:        {Name: "IFLA_PHYS_PORT_ID", Type: TypeBinary},
	unix.IFLA_CARRIER_CHANGES:     {Name: "IFLA_CARRIER_CHANGES", Type: TypeU32},
	unix.IFLA_PHYS_SWITCH_ID:      {Name: "IFLA_PHYS_SWITCH_ID", Type: TypeBinary},
	unix.IFLA_LINK_NETNSID:        {Name: "IFLA_LINK_NETNSID", Type: TypeS32},
	unix.IFLA_PHYS_PORT_NAME:      {Name: "IFLA_PHYS_PORT_NAME", Type: TypeString},
	unix.IFLA_PROTO_DOWN:          {Name: "IFLA_PROTO_DOWN", Type: TypeU8},
	unix.IFLA_GSO_MAX_SEGS:        {Name: "IFLA_GSO_MAX_SEGS", Type: TypeU32},
	unix.IFLA_GSO_MAX_SIZE:        {Name: "IFLA_GSO_MAX_SIZE", Type: TypeU32},
	unix.IFLA_PAD:                 {Name: "IFLA_PAD", Type: TypeBinary},
	unix.IFLA_XDP:                 {Name: "IFLA_XDP", Type: TypeBinary},
	unix.IFLA_EVENT:               {Name: "IFLA_EVENT", Type: TypeU32},
	unix.IFLA_NEW_NETNSID:         {Name: "IFLA_NEW_NETNSID", Type: TypeS32},
	unix.IFLA_TARGET_NETNSID:      {Name: "IFLA_TARGET_NETNSID", Type: TypeS32},
	unix.IFLA_CARRIER_UP_COUNT:    {Name: "IFLA_CARRIER_UP_COUNT", Type: TypeU32},
	unix.IFLA_CARRIER_DOWN_COUNT:  {Name: "IFLA_CARRIER_DOWN_COUNT", Type: TypeU32},
	unix.IFLA_NEW_IFINDEX:         {Name: "IFLA_NEW_IFINDEX", Type: TypeS32},
	unix.IFLA_MIN_MTU:             {Name: "IFLA_MIN_MTU", Type: TypeU32},
	unix.IFLA_MAX_MTU:             {Name: "IFLA_MAX_MTU", Type: TypeU32},
	unix.IFLA_PROP_LIST:           {Name: "IFLA_PROP_LIST", Type: TypeBinary},
	unix.IFLA_ALT_IFNAME:          {Name: "IFLA_ALT_IFNAME", Type: TypeString},
	unix.IFLA_PERM_ADDRESS:        {Name: "IFLA_PERM_ADDRESS", Type: TypeMAC},
	unix.IFLA_PROTO_DOWN_REASON:   {Name: "IFLA_PROTO_DOWN_REASON", Type: TypeBinary},
	unix.IFLA_PARENT_DEV_NAME:     {Name: "IFLA_PARENT_DEV_NAME", Type: TypeString},
	unix.IFLA_PARENT_DEV_BUS_NAME: {Name: "IFLA_PARENT_DEV_BUS_NAME", Type: TypeString},
	unix.IFLA_GRO_MAX_SIZE:        {Name: "IFLA_GRO_MAX_SIZE", Type: TypeU32},
	unix.IFLA_TSO_MAX_SIZE:        {Name: "IFLA_TSO_MAX_SIZE", Type: TypeU32},
	unix.IFLA_TSO_MAX_SEGS:        {Name: "IFLA_TSO_MAX_SEGS", Type: TypeU32},
	unix.IFLA_ALLMULTI:            {Name: "IFLA_ALLMULTI", Type: TypeU32},
	unix.IFLA_DEVLINK_PORT:        {Name: "IFLA_DEVLINK_PORT", Type: TypeBinary},
	unix.IFLA_GSO_IPV4_MAX_SIZE:   {Name: "IFLA_GSO_IPV4_MAX_SIZE", Type: TypeU32},
	unix.IFLA_GRO_IPV4_MAX_SIZE:   {Name: "IFLA_GRO_IPV4_MAX_SIZE", Type: TypeU32},
	iflaMaxPacingOffloadHorizon:   {Name: "IFLA_MAX_PACING_OFFLOAD_HORIZON", Type: TypeUint},
	iflaNetnsImmutable:            {Name: "IFLA_NETNS_IMMUTABLE", Type: TypeU8},
	iflaHeadroom:                  {Name: "IFLA_HEADROOM", Type: TypeU16},
	iflaTailroom:                  {Name: "IFLA_TAILROOM", Type: TypeU16},
	unix.IFLA_DPLL_PIN:            {Name: "IFLA_DPLL_PIN", Type: TypeBinary},
}}

// MessageSpec describes the payload of one netlink message type: the size
// of its family header and the attribute space that follows it.
type MessageSpec struct {
	Name   string     // RTM_NEWLINK
	Header int        // size of the family header (ifinfomsg is 16 bytes)
	Attrs  *AttrSpace // top-level attributes; nil when the payload has none
}

// messageSpecs maps every rtnetlink message type linkbox speaks to its spec.
// Address, route, neighbour and nsid spaces are filled in by their files.
var messageSpecs = map[uint16]MessageSpec{}

func init() {
	for t, n := range map[uint16]string{
		unix.RTM_NEWLINK: "RTM_NEWLINK", unix.RTM_DELLINK: "RTM_DELLINK",
		unix.RTM_GETLINK: "RTM_GETLINK", unix.RTM_SETLINK: "RTM_SETLINK",
	} {
		messageSpecs[t] = MessageSpec{Name: n, Header: ifinfomsgLen, Attrs: LinkSpace}
	}
}

// Spec returns the spec of message type t. Control messages (NLMSG_ERROR,
// NLMSG_DONE, ...) and unknown types report false.
func Spec(t uint16) (MessageSpec, bool) {
	s, ok := messageSpecs[t]
	return s, ok
}

// MessageTypeName names a message type: RTM_NEWLINK, NLMSG_ERROR, or its
// number when unknown.
func MessageTypeName(t uint16) string {
	switch t {
	case unix.NLMSG_NOOP:
		return "NLMSG_NOOP"
	case unix.NLMSG_ERROR:
		return "NLMSG_ERROR"
	case unix.NLMSG_DONE:
		return "NLMSG_DONE"
	case unix.NLMSG_OVERRUN:
		return "NLMSG_OVERRUN"
	}
	if s, ok := messageSpecs[t]; ok {
		return s.Name
	}
	return fmt.Sprintf("type %d", t)
}

// AttrPath names the attribute that starts at offset off of the request
// message req (nlmsghdr included), as the kernel's extended ack reports it:
// a path of names from the top level down, separated by "/". The kinds
// resolve IFLA_INFO_DATA. It returns "" when off does not fall on an
// attribute.
func AttrPath(req []byte, off int, kinds Kinds) string {
	if len(req) < HeaderLen {
		return ""
	}
	h := readHeader(req)
	spec, ok := messageSpecs[h.Type]
	if !ok || spec.Attrs == nil {
		return ""
	}
	end := min(int(h.Len), len(req))
	start := HeaderLen + spec.Header
	if off < start || off >= end {
		return ""
	}
	return pathIn(req[:end], start, off, spec.Attrs, kinds, "")
}

// pathIn finds the attribute at off among the attributes in b[start:],
// which belong to space s.
func pathIn(b []byte, start, off int, s *AttrSpace, kinds Kinds, prefix string) string {
	d := Decoder{b: b[start:]}
	var kind, slaveKind string
	for d.Next() {
		at := start + d.Offset()
		spec, known := s.Spec(d.Type())
		name := fmt.Sprintf("%d", d.Type())
		if known {
			name = spec.Name
		}
		switch spec.Name {
		case "IFLA_INFO_KIND":
			kind = d.String()
		case "IFLA_INFO_SLAVE_KIND":
			slaveKind = d.String()
		}
		size := attrHeaderLen + d.Len()
		if off < at || off >= at+size {
			continue
		}
		path := prefix + name
		if off == at {
			return path
		}
		sk := slaveKind
		if sk == "" {
			// Requests name the port kind in IFLA_INFO_KIND: "bridge_slave".
			sk, _ = strings.CutSuffix(kind, "_slave")
		}
		inner := innerSpace(spec, kinds, kind, sk)
		dataStart := at + attrHeaderLen + spec.Header
		if inner == nil || off < dataStart {
			return path
		}
		if p := pathIn(b[:at+size], dataStart, off, inner, kinds, path+"/"); p != "" {
			return p
		}
		return path
	}
	return ""
}

// innerSpace returns the space of the attributes nested in an attribute
// with this spec, or nil.
func innerSpace(spec AttrSpec, kinds Kinds, kind, slaveKind string) *AttrSpace {
	switch spec.Type {
	case TypeNested:
		return spec.Nested
	case TypeLinkData:
		return kinds.Space(kind, false)
	case TypeSlaveData:
		return kinds.Space(slaveKind, true)
	}
	return nil
}
