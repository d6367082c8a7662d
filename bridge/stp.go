package bridge

import (
	"time"

	"github.com/linkbox/linkbox/rtnl"
)

// STP is a bridge's spanning-tree view: everything `brctl showstp` prints,
// read from netlink alone (IFLA_BR_* and IFLA_BRPORT_*), with no sysfs.
//
// The kernel reports one value per protocol time, the one in use
// (br->max_age and so on, which a root bridge takes from its own
// settings); sysfs shows the same values, so the "bridge" times brctl
// prints beside them are equal to them here too.
type STP struct {
	Name           string   // the bridge's IFLA_IFNAME
	Index          int32    // its ifindex
	State          STPState // IFLA_BR_STP_STATE
	BridgeID       BridgeID // IFLA_BR_BRIDGE_ID
	DesignatedRoot BridgeID // IFLA_BR_ROOT_ID
	RootPort       uint16   // IFLA_BR_ROOT_PORT: 0 when this bridge is the root
	PathCost       uint32   // IFLA_BR_ROOT_PATH_COST

	MaxAge             time.Duration // IFLA_BR_MAX_AGE
	HelloTime          time.Duration // IFLA_BR_HELLO_TIME
	ForwardDelay       time.Duration // IFLA_BR_FORWARD_DELAY
	BridgeMaxAge       time.Duration // IFLA_BR_MAX_AGE (see above)
	BridgeHelloTime    time.Duration // IFLA_BR_HELLO_TIME
	BridgeForwardDelay time.Duration // IFLA_BR_FORWARD_DELAY
	AgeingTime         time.Duration // IFLA_BR_AGEING_TIME

	HelloTimer          time.Duration // IFLA_BR_HELLO_TIMER
	TCNTimer            time.Duration // IFLA_BR_TCN_TIMER
	TopologyChangeTimer time.Duration // IFLA_BR_TOPOLOGY_CHANGE_TIMER
	GCTimer             time.Duration // IFLA_BR_GC_TIMER

	TopologyChange         bool // IFLA_BR_TOPOLOGY_CHANGE (brctl flag TOPOLOGY_CHANGE)
	TopologyChangeDetected bool // IFLA_BR_TOPOLOGY_CHANGE_DETECTED (flag TOPOLOGY_CHANGE_DETECTED)

	Ports []STPPort // the bridge's ports, as brctl showstp lists them
}

// STPPort is one port's part of `brctl showstp`.
type STPPort struct {
	Name     string    // the port's IFLA_IFNAME
	Index    int32     // its ifindex
	No       uint16    // IFLA_BRPORT_NO: brctl's "(N)" after the name
	ID       uint16    // IFLA_BRPORT_ID: brctl's "port id", printed in hex
	State    PortState // IFLA_BRPORT_STATE
	Priority uint16    // IFLA_BRPORT_PRIORITY
	PathCost uint32    // IFLA_BRPORT_COST

	DesignatedRoot   BridgeID // IFLA_BRPORT_ROOT_ID
	DesignatedBridge BridgeID // IFLA_BRPORT_BRIDGE_ID
	DesignatedPort   uint16   // IFLA_BRPORT_DESIGNATED_PORT, printed in hex
	DesignatedCost   uint16   // IFLA_BRPORT_DESIGNATED_COST

	MessageAgeTimer   time.Duration // IFLA_BRPORT_MESSAGE_AGE_TIMER
	ForwardDelayTimer time.Duration // IFLA_BRPORT_FORWARD_DELAY_TIMER
	HoldTimer         time.Duration // IFLA_BRPORT_HOLD_TIMER

	ConfigPending     bool // IFLA_BRPORT_CONFIG_PENDING (flag CONFIG_PENDING)
	TopologyChangeAck bool // IFLA_BRPORT_TOPOLOGY_CHANGE_ACK (flag TOPOLOGY_CHANGE_ACK)
}

// GetSTP reads the spanning-tree view of the bridge with index br: one
// RTM_GETLINK for the bridge and one filtered dump for its ports.
func GetSTP(c *rtnl.Conn, br int32) (*STP, error) {
	l, err := c.LinkByIndex(br)
	if err != nil {
		return nil, err
	}
	x, err := InfoOf(l)
	if err != nil {
		return nil, err
	}
	ports, err := Ports(c, br)
	if err != nil {
		return nil, err
	}
	return stpView(l, x, ports), nil
}

func stpView(l *rtnl.LinkMessage, x *Info, ports []Port) *STP {
	s := &STP{
		Name:                   l.Attrs.Name,
		Index:                  l.Index,
		State:                  val(x.STPState),
		BridgeID:               x.BridgeID,
		DesignatedRoot:         x.RootID,
		RootPort:               x.RootPort,
		PathCost:               x.RootPathCost,
		MaxAge:                 val(x.MaxAge),
		HelloTime:              val(x.HelloTime),
		ForwardDelay:           val(x.ForwardDelay),
		AgeingTime:             val(x.AgeingTime),
		HelloTimer:             x.HelloTimer,
		TCNTimer:               x.TCNTimer,
		TopologyChangeTimer:    x.TopologyChangeTimer,
		GCTimer:                x.GCTimer,
		TopologyChange:         x.TopologyChange != 0,
		TopologyChangeDetected: x.TopologyChangeDetected != 0,
	}
	s.BridgeMaxAge, s.BridgeHelloTime, s.BridgeForwardDelay = s.MaxAge, s.HelloTime, s.ForwardDelay
	for _, p := range ports {
		i := p.Info
		s.Ports = append(s.Ports, STPPort{
			Name:              p.Link.Attrs.Name,
			Index:             p.Link.Index,
			No:                i.No,
			ID:                i.ID,
			State:             val(i.State),
			Priority:          val(i.Priority),
			PathCost:          val(i.Cost),
			DesignatedRoot:    i.DesignatedRoot,
			DesignatedBridge:  i.DesignatedBridge,
			DesignatedPort:    i.DesignatedPort,
			DesignatedCost:    i.DesignatedCost,
			MessageAgeTimer:   i.MessageAgeTimer,
			ForwardDelayTimer: i.ForwardDelayTimer,
			HoldTimer:         i.HoldTimer,
			ConfigPending:     i.ConfigPending != 0,
			TopologyChangeAck: i.TopologyChangeAck != 0,
		})
	}
	return s
}

func val[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
