package wire

import (
	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// Test link kinds: the veth and bridge packages export their own; these
// hand-made ones name the attributes the golden inputs use, so the tests
// do not depend on those packages.
var (
	testVethSpace = &rtnl.AttrSpace{Name: "veth", Attrs: map[uint16]rtnl.AttrSpec{
		1: {Name: "VETH_INFO_PEER", Type: rtnl.TypeNested, Nested: rtnl.LinkSpace, Header: 16},
	}}
	testBridgeSpace = &rtnl.AttrSpace{Name: "bridge", Attrs: map[uint16]rtnl.AttrSpec{
		unix.IFLA_BR_FORWARD_DELAY:  {Name: "IFLA_BR_FORWARD_DELAY", Type: rtnl.TypeU32},
		unix.IFLA_BR_HELLO_TIME:     {Name: "IFLA_BR_HELLO_TIME", Type: rtnl.TypeU32},
		unix.IFLA_BR_MAX_AGE:        {Name: "IFLA_BR_MAX_AGE", Type: rtnl.TypeU32},
		unix.IFLA_BR_AGEING_TIME:    {Name: "IFLA_BR_AGEING_TIME", Type: rtnl.TypeU32},
		unix.IFLA_BR_STP_STATE:      {Name: "IFLA_BR_STP_STATE", Type: rtnl.TypeU32},
		unix.IFLA_BR_PRIORITY:       {Name: "IFLA_BR_PRIORITY", Type: rtnl.TypeU16},
		unix.IFLA_BR_VLAN_FILTERING: {Name: "IFLA_BR_VLAN_FILTERING", Type: rtnl.TypeU8},
		unix.IFLA_BR_VLAN_PROTOCOL:  {Name: "IFLA_BR_VLAN_PROTOCOL", Type: rtnl.TypeU16BE},
		unix.IFLA_BR_ROOT_ID:        {Name: "IFLA_BR_ROOT_ID", Type: rtnl.TypeBinary},
		unix.IFLA_BR_BRIDGE_ID:      {Name: "IFLA_BR_BRIDGE_ID", Type: rtnl.TypeBinary},
	}}
	testPortSpace = &rtnl.AttrSpace{Name: "bridge-port", Attrs: map[uint16]rtnl.AttrSpec{
		unix.IFLA_BRPORT_STATE:    {Name: "IFLA_BRPORT_STATE", Type: rtnl.TypeU8},
		unix.IFLA_BRPORT_PRIORITY: {Name: "IFLA_BRPORT_PRIORITY", Type: rtnl.TypeU16},
		unix.IFLA_BRPORT_COST:     {Name: "IFLA_BRPORT_COST", Type: rtnl.TypeU32},
		unix.IFLA_BRPORT_LEARNING: {Name: "IFLA_BRPORT_LEARNING", Type: rtnl.TypeU8},
	}}
	testKinds = rtnl.Kinds{
		{Name: "veth", Attrs: testVethSpace},
		{Name: "bridge", Attrs: testBridgeSpace},
		{Name: "bridge", Slave: true, Attrs: testPortSpace},
	}
)
