package veth

import (
	"fmt"

	"github.com/linkbox/linkbox/rtnl"
)

// vethInfoPeer is VETH_INFO_PEER from include/uapi/linux/veth.h.
const vethInfoPeer = 1

// ifinfomsgLen is sizeof(struct ifinfomsg), the header inside
// VETH_INFO_PEER.
const ifinfomsgLen = 16

// kindName is the kind's IFLA_INFO_KIND.
const kindName = "veth"

// Info is the "veth" kind's IFLA_INFO_DATA. It carries one attribute,
// VETH_INFO_PEER: the peer's own struct ifinfomsg followed by its IFLA_*
// attributes (name, MTU, address, namespace...), which is a whole link
// message and decodes as one.
//
// The kernel sends IFLA_INFO_DATA for a veth only in requests: a link dump
// reports a veth's kind but no data, and its peer through IFLA_LINK and
// IFLA_LINK_NETNSID instead (see Peer).
type Info struct {
	// Peer is VETH_INFO_PEER: the peer's ifinfomsg and attributes.
	Peer *rtnl.LinkMessage

	// Unknown holds other attributes, in the order they came.
	Unknown []rtnl.Attr

	layout   rtnl.Layout
	peerType uint16 // VETH_INFO_PEER's type as it came, NLA_F_NESTED included
}

// Kind returns "veth".
func (x *Info) Kind() string { return kindName }

var infoOrder = []uint16{vethInfoPeer}

// Encode appends VETH_INFO_PEER.
func (x *Info) Encode(e *rtnl.Encoder) {
	x.layout.Encode(e, x.Unknown, infoOrder, func(e *rtnl.Encoder, t uint16, present bool) {
		if t == vethInfoPeer && x.Peer != nil {
			if present {
				t = x.peerType // keep NLA_F_NESTED if it came with it
			}
			e.Nest(t, x.Peer.Encode)
		}
	})
}

// Decode reads VETH_INFO_PEER. The peer message keeps references into the
// decoder's input. Link data inside the peer (a peer with IFLA_LINKINFO)
// stays raw.
func (x *Info) Decode(d *rtnl.Decoder) error {
	return x.layout.Decode(d, &x.Unknown, func(d *rtnl.Decoder) bool {
		if d.Type() != vethInfoPeer {
			return false
		}
		x.peerType = d.RawType()
		p := new(rtnl.LinkMessage)
		if err := p.Decode(d.Bytes(), nil); err != nil {
			d.SetErr(fmt.Errorf("veth: VETH_INFO_PEER: %w", err))
		}
		x.Peer = p
		return true
	})
}

// Space is the VETH_INFO_* space inside a veth's IFLA_INFO_DATA.
var Space = &rtnl.AttrSpace{Name: "veth", Attrs: map[uint16]rtnl.AttrSpec{
	vethInfoPeer: {Name: "VETH_INFO_PEER", Type: rtnl.TypeNested, Nested: rtnl.LinkSpace, Header: ifinfomsgLen},
}}

// Kind is the "veth" link kind, for rtnl.Config.Kinds.
var Kind = rtnl.Kind{Name: kindName, New: func() rtnl.LinkData { return new(Info) }, Attrs: Space}
