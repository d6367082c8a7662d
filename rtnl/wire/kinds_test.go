package wire

import (
	"github.com/linkbox/linkbox/bridge"
	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/veth"
)

// testKinds are the link kinds the binary knows, so the golden files show
// what linkbox --trace and linkbox decode print.
var testKinds = rtnl.Kinds{veth.Kind, bridge.Kind, bridge.PortKind}
