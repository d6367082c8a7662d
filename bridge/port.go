package bridge

import (
	"fmt"
	"time"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// PortInfo is a bridge port's IFLA_INFO_SLAVE_DATA: the IFLA_BRPORT_*
// attributes of include/uapi/linux/if_link.h. The kernel reports the same
// attributes nested in IFLA_PROTINFO when links are dumped with family
// AF_BRIDGE (what `bridge link show` reads); IFLA_INFO_SLAVE_DATA in an
// ordinary dump carries them all, so linkbox reads only that.
//
// In a request a nil pointer is not sent; in a port read from the kernel
// every setting is set, and so is the read-only spanning-tree state.
type PortInfo struct {
	// Settings, in the order `ip link set ... type bridge_slave` tests for
	// them.

	Flush bool // IFLA_BRPORT_FLUSH: flag, flush the port's dynamic FDB entries (requests only)
	// State is IFLA_BRPORT_STATE: u8, the STP state. It can be set only
	// while the kernel does not run STP itself (EBUSY otherwise), and only
	// on a running port with a carrier unless it is PortDisabled
	// (ENETDOWN). With STP off the kernel reruns its state selection at
	// once, which turns PortBlocking into PortForwarding.
	State              *PortState
	Priority           *uint16 // IFLA_BRPORT_PRIORITY: u16, 0 to 63
	Cost               *uint32 // IFLA_BRPORT_COST: u32, STP path cost
	Hairpin            *bool   // IFLA_BRPORT_MODE: u8, hairpin (reflective relay)
	Guard              *bool   // IFLA_BRPORT_GUARD: u8, BPDU guard
	RootBlock          *bool   // IFLA_BRPORT_PROTECT: u8, root port protection
	FastLeave          *bool   // IFLA_BRPORT_FAST_LEAVE: u8, multicast fast leave
	Learning           *bool   // IFLA_BRPORT_LEARNING: u8, learn source addresses
	UnicastFlood       *bool   // IFLA_BRPORT_UNICAST_FLOOD: u8, flood unknown unicast here
	McastFlood         *bool   // IFLA_BRPORT_MCAST_FLOOD: u8
	BcastFlood         *bool   // IFLA_BRPORT_BCAST_FLOOD: u8
	McastToUnicast     *bool   // IFLA_BRPORT_MCAST_TO_UCAST: u8
	ProxyARP           *bool   // IFLA_BRPORT_PROXYARP: u8
	ProxyARPWiFi       *bool   // IFLA_BRPORT_PROXYARP_WIFI: u8
	McastRouter        *uint8  // IFLA_BRPORT_MULTICAST_ROUTER: u8, 0 to 3
	NeighSuppress      *bool   // IFLA_BRPORT_NEIGH_SUPPRESS: u8
	NeighVLANSuppress  *bool   // IFLA_BRPORT_NEIGH_VLAN_SUPPRESS: u8
	GroupFwdMask       *uint16 // IFLA_BRPORT_GROUP_FWD_MASK: u16
	VLANTunnel         *bool   // IFLA_BRPORT_VLAN_TUNNEL: u8
	Isolated           *bool   // IFLA_BRPORT_ISOLATED: u8
	Locked             *bool   // IFLA_BRPORT_LOCKED: u8
	MAB                *bool   // IFLA_BRPORT_MAB: u8, MAC authentication bypass
	BackupPort         *uint32 // IFLA_BRPORT_BACKUP_PORT: u32 ifindex, 0 for none
	BackupNHID         *uint32 // IFLA_BRPORT_BACKUP_NHID: u32
	McastEHTHostsLimit *uint32 // IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT: u32
	McastMaxGroups     *uint32 // IFLA_BRPORT_MCAST_MAX_GROUPS: u32, 0 for no limit
	LearningSync       *bool   // IFLA_BRPORT_LEARNING_SYNC: u8
	NeighForwardGrat   *bool   // IFLA_BRPORT_NEIGH_FORWARD_GRAT: u8 (newer kernels)

	// Read-only state, reported by the kernel.

	ID                 uint16        // IFLA_BRPORT_ID: port id, priority<<10 | number (brctl's "port id", in hex)
	No                 uint16        // IFLA_BRPORT_NO: port number
	DesignatedRoot     BridgeID      // IFLA_BRPORT_ROOT_ID
	DesignatedBridge   BridgeID      // IFLA_BRPORT_BRIDGE_ID
	DesignatedPort     uint16        // IFLA_BRPORT_DESIGNATED_PORT
	DesignatedCost     uint16        // IFLA_BRPORT_DESIGNATED_COST (the kernel sends only the low 16 bits)
	TopologyChangeAck  uint8         // IFLA_BRPORT_TOPOLOGY_CHANGE_ACK
	ConfigPending      uint8         // IFLA_BRPORT_CONFIG_PENDING
	MessageAgeTimer    time.Duration // IFLA_BRPORT_MESSAGE_AGE_TIMER: u64 clock_t
	ForwardDelayTimer  time.Duration // IFLA_BRPORT_FORWARD_DELAY_TIMER: u64 clock_t
	HoldTimer          time.Duration // IFLA_BRPORT_HOLD_TIMER: u64 clock_t
	MRPRingOpen        uint8         // IFLA_BRPORT_MRP_RING_OPEN
	MRPInOpen          uint8         // IFLA_BRPORT_MRP_IN_OPEN
	McastEHTHostsCount uint32        // IFLA_BRPORT_MCAST_EHT_HOSTS_CNT
	McastGroups        uint32        // IFLA_BRPORT_MCAST_N_GROUPS

	// Unknown holds the attributes without a field above, in order.
	Unknown []rtnl.Attr

	layout rtnl.Layout
	vals   slab
}

// PortState is a port's spanning-tree state, IFLA_BRPORT_STATE: the
// BR_STATE_* values of include/uapi/linux/if_bridge.h.
type PortState uint8

// Port states.
const (
	PortDisabled   PortState = 0 // BR_STATE_DISABLED
	PortListening  PortState = 1 // BR_STATE_LISTENING
	PortLearning   PortState = 2 // BR_STATE_LEARNING
	PortForwarding PortState = 3 // BR_STATE_FORWARDING
	PortBlocking   PortState = 4 // BR_STATE_BLOCKING
)

// String names the state as brctl and iproute2 do.
func (s PortState) String() string {
	switch s {
	case PortDisabled:
		return "disabled"
	case PortListening:
		return "listening"
	case PortLearning:
		return "learning"
	case PortForwarding:
		return "forwarding"
	case PortBlocking:
		return "blocking"
	}
	return fmt.Sprintf("state %d", uint8(s))
}

// Kind returns "bridge", the master's kind, which is what
// IFLA_INFO_SLAVE_KIND carries for a bridge port.
func (p *PortInfo) Kind() string { return kindName }

var portOrder = []uint16{
	unix.IFLA_BRPORT_FLUSH, unix.IFLA_BRPORT_STATE, unix.IFLA_BRPORT_PRIORITY,
	unix.IFLA_BRPORT_COST, unix.IFLA_BRPORT_MODE, unix.IFLA_BRPORT_GUARD,
	unix.IFLA_BRPORT_PROTECT, unix.IFLA_BRPORT_FAST_LEAVE,
	unix.IFLA_BRPORT_LEARNING, unix.IFLA_BRPORT_UNICAST_FLOOD,
	unix.IFLA_BRPORT_MCAST_FLOOD, unix.IFLA_BRPORT_BCAST_FLOOD,
	unix.IFLA_BRPORT_MCAST_TO_UCAST, unix.IFLA_BRPORT_PROXYARP,
	unix.IFLA_BRPORT_PROXYARP_WIFI, unix.IFLA_BRPORT_MULTICAST_ROUTER,
	unix.IFLA_BRPORT_NEIGH_SUPPRESS, unix.IFLA_BRPORT_NEIGH_VLAN_SUPPRESS,
	unix.IFLA_BRPORT_GROUP_FWD_MASK, unix.IFLA_BRPORT_VLAN_TUNNEL,
	unix.IFLA_BRPORT_ISOLATED, unix.IFLA_BRPORT_LOCKED, unix.IFLA_BRPORT_MAB,
	unix.IFLA_BRPORT_BACKUP_PORT, unix.IFLA_BRPORT_BACKUP_NHID,
	unix.IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT, unix.IFLA_BRPORT_MCAST_MAX_GROUPS,
	unix.IFLA_BRPORT_LEARNING_SYNC, iflaBrportNeighForwardGrat,
	unix.IFLA_BRPORT_ROOT_ID, unix.IFLA_BRPORT_BRIDGE_ID,
	unix.IFLA_BRPORT_DESIGNATED_PORT, unix.IFLA_BRPORT_DESIGNATED_COST,
	unix.IFLA_BRPORT_ID, unix.IFLA_BRPORT_NO,
	unix.IFLA_BRPORT_TOPOLOGY_CHANGE_ACK, unix.IFLA_BRPORT_CONFIG_PENDING,
	unix.IFLA_BRPORT_MESSAGE_AGE_TIMER, unix.IFLA_BRPORT_FORWARD_DELAY_TIMER,
	unix.IFLA_BRPORT_HOLD_TIMER, unix.IFLA_BRPORT_MRP_RING_OPEN,
	unix.IFLA_BRPORT_MRP_IN_OPEN, unix.IFLA_BRPORT_MCAST_EHT_HOSTS_CNT,
	unix.IFLA_BRPORT_MCAST_N_GROUPS,
}

// Encode appends the IFLA_BRPORT_* attributes.
func (p *PortInfo) Encode(e *rtnl.Encoder) {
	p.layout.Encode(e, p.Unknown, portOrder, p.encodeField)
}

func (p *PortInfo) encodeField(e *rtnl.Encoder, t uint16, present bool) {
	switch t {
	case unix.IFLA_BRPORT_FLUSH:
		if present || p.Flush {
			e.Flag(t)
		}
	case unix.IFLA_BRPORT_STATE:
		if p.State != nil {
			e.Uint8(t, uint8(*p.State))
		}
	case unix.IFLA_BRPORT_PRIORITY:
		putU16(e, t, p.Priority)
	case unix.IFLA_BRPORT_COST:
		putU32(e, t, p.Cost)
	case unix.IFLA_BRPORT_MODE:
		putBool(e, t, p.Hairpin)
	case unix.IFLA_BRPORT_GUARD:
		putBool(e, t, p.Guard)
	case unix.IFLA_BRPORT_PROTECT:
		putBool(e, t, p.RootBlock)
	case unix.IFLA_BRPORT_FAST_LEAVE:
		putBool(e, t, p.FastLeave)
	case unix.IFLA_BRPORT_LEARNING:
		putBool(e, t, p.Learning)
	case unix.IFLA_BRPORT_UNICAST_FLOOD:
		putBool(e, t, p.UnicastFlood)
	case unix.IFLA_BRPORT_MCAST_FLOOD:
		putBool(e, t, p.McastFlood)
	case unix.IFLA_BRPORT_BCAST_FLOOD:
		putBool(e, t, p.BcastFlood)
	case unix.IFLA_BRPORT_MCAST_TO_UCAST:
		putBool(e, t, p.McastToUnicast)
	case unix.IFLA_BRPORT_PROXYARP:
		putBool(e, t, p.ProxyARP)
	case unix.IFLA_BRPORT_PROXYARP_WIFI:
		putBool(e, t, p.ProxyARPWiFi)
	case unix.IFLA_BRPORT_MULTICAST_ROUTER:
		putU8(e, t, p.McastRouter)
	case unix.IFLA_BRPORT_NEIGH_SUPPRESS:
		putBool(e, t, p.NeighSuppress)
	case unix.IFLA_BRPORT_NEIGH_VLAN_SUPPRESS:
		putBool(e, t, p.NeighVLANSuppress)
	case unix.IFLA_BRPORT_GROUP_FWD_MASK:
		putU16(e, t, p.GroupFwdMask)
	case unix.IFLA_BRPORT_VLAN_TUNNEL:
		putBool(e, t, p.VLANTunnel)
	case unix.IFLA_BRPORT_ISOLATED:
		putBool(e, t, p.Isolated)
	case unix.IFLA_BRPORT_LOCKED:
		putBool(e, t, p.Locked)
	case unix.IFLA_BRPORT_MAB:
		putBool(e, t, p.MAB)
	case unix.IFLA_BRPORT_BACKUP_PORT:
		putU32(e, t, p.BackupPort)
	case unix.IFLA_BRPORT_BACKUP_NHID:
		putU32(e, t, p.BackupNHID)
	case unix.IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT:
		putU32(e, t, p.McastEHTHostsLimit)
	case unix.IFLA_BRPORT_MCAST_MAX_GROUPS:
		putU32(e, t, p.McastMaxGroups)
	case unix.IFLA_BRPORT_LEARNING_SYNC:
		putBool(e, t, p.LearningSync)
	case iflaBrportNeighForwardGrat:
		putBool(e, t, p.NeighForwardGrat)
	case unix.IFLA_BRPORT_ROOT_ID:
		if present || !p.DesignatedRoot.IsZero() {
			e.Bytes(t, p.DesignatedRoot.bytes())
		}
	case unix.IFLA_BRPORT_BRIDGE_ID:
		if present || !p.DesignatedBridge.IsZero() {
			e.Bytes(t, p.DesignatedBridge.bytes())
		}
	case unix.IFLA_BRPORT_DESIGNATED_PORT:
		putRO16(e, t, p.DesignatedPort, present)
	case unix.IFLA_BRPORT_DESIGNATED_COST:
		putRO16(e, t, p.DesignatedCost, present)
	case unix.IFLA_BRPORT_ID:
		putRO16(e, t, p.ID, present)
	case unix.IFLA_BRPORT_NO:
		putRO16(e, t, p.No, present)
	case unix.IFLA_BRPORT_TOPOLOGY_CHANGE_ACK:
		putRO8(e, t, p.TopologyChangeAck, present)
	case unix.IFLA_BRPORT_CONFIG_PENDING:
		putRO8(e, t, p.ConfigPending, present)
	case unix.IFLA_BRPORT_MESSAGE_AGE_TIMER:
		putTimer(e, t, p.MessageAgeTimer, present)
	case unix.IFLA_BRPORT_FORWARD_DELAY_TIMER:
		putTimer(e, t, p.ForwardDelayTimer, present)
	case unix.IFLA_BRPORT_HOLD_TIMER:
		putTimer(e, t, p.HoldTimer, present)
	case unix.IFLA_BRPORT_MRP_RING_OPEN:
		putRO8(e, t, p.MRPRingOpen, present)
	case unix.IFLA_BRPORT_MRP_IN_OPEN:
		putRO8(e, t, p.MRPInOpen, present)
	case unix.IFLA_BRPORT_MCAST_EHT_HOSTS_CNT:
		if present || p.McastEHTHostsCount != 0 {
			e.Uint32(t, p.McastEHTHostsCount)
		}
	case unix.IFLA_BRPORT_MCAST_N_GROUPS:
		if present || p.McastGroups != 0 {
			e.Uint32(t, p.McastGroups)
		}
	}
}

// Decode reads the IFLA_BRPORT_* attributes. A fixed-size attribute of the
// wrong size is an *rtnl.AttrSizeError.
func (p *PortInfo) Decode(d *rtnl.Decoder) error {
	return p.layout.Decode(d, &p.Unknown, p.decodeField)
}

func (p *PortInfo) decodeField(d *rtnl.Decoder) bool {
	if d.RawType() != d.Type() {
		return false // flag bits on a plain attribute: keep it raw, flags and all
	}
	switch d.Type() {
	case unix.IFLA_BRPORT_FLUSH:
		p.Flush = d.Flag()
	case unix.IFLA_BRPORT_STATE:
		p.vals.state = PortState(d.Uint8())
		p.State = &p.vals.state
	case unix.IFLA_BRPORT_PRIORITY:
		p.Priority = p.vals.u16(d.Uint16())
	case unix.IFLA_BRPORT_COST:
		p.Cost = p.vals.u32(d.Uint32())
	case unix.IFLA_BRPORT_MODE:
		return getBool(d, &p.vals, &p.Hairpin)
	case unix.IFLA_BRPORT_GUARD:
		return getBool(d, &p.vals, &p.Guard)
	case unix.IFLA_BRPORT_PROTECT:
		return getBool(d, &p.vals, &p.RootBlock)
	case unix.IFLA_BRPORT_FAST_LEAVE:
		return getBool(d, &p.vals, &p.FastLeave)
	case unix.IFLA_BRPORT_LEARNING:
		return getBool(d, &p.vals, &p.Learning)
	case unix.IFLA_BRPORT_UNICAST_FLOOD:
		return getBool(d, &p.vals, &p.UnicastFlood)
	case unix.IFLA_BRPORT_MCAST_FLOOD:
		return getBool(d, &p.vals, &p.McastFlood)
	case unix.IFLA_BRPORT_BCAST_FLOOD:
		return getBool(d, &p.vals, &p.BcastFlood)
	case unix.IFLA_BRPORT_MCAST_TO_UCAST:
		return getBool(d, &p.vals, &p.McastToUnicast)
	case unix.IFLA_BRPORT_PROXYARP:
		return getBool(d, &p.vals, &p.ProxyARP)
	case unix.IFLA_BRPORT_PROXYARP_WIFI:
		return getBool(d, &p.vals, &p.ProxyARPWiFi)
	case unix.IFLA_BRPORT_MULTICAST_ROUTER:
		p.McastRouter = p.vals.u8(d.Uint8())
	case unix.IFLA_BRPORT_NEIGH_SUPPRESS:
		return getBool(d, &p.vals, &p.NeighSuppress)
	case unix.IFLA_BRPORT_NEIGH_VLAN_SUPPRESS:
		return getBool(d, &p.vals, &p.NeighVLANSuppress)
	case unix.IFLA_BRPORT_GROUP_FWD_MASK:
		p.GroupFwdMask = p.vals.u16(d.Uint16())
	case unix.IFLA_BRPORT_VLAN_TUNNEL:
		return getBool(d, &p.vals, &p.VLANTunnel)
	case unix.IFLA_BRPORT_ISOLATED:
		return getBool(d, &p.vals, &p.Isolated)
	case unix.IFLA_BRPORT_LOCKED:
		return getBool(d, &p.vals, &p.Locked)
	case unix.IFLA_BRPORT_MAB:
		return getBool(d, &p.vals, &p.MAB)
	case unix.IFLA_BRPORT_BACKUP_PORT:
		p.BackupPort = p.vals.u32(d.Uint32())
	case unix.IFLA_BRPORT_BACKUP_NHID:
		p.BackupNHID = p.vals.u32(d.Uint32())
	case unix.IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT:
		p.McastEHTHostsLimit = p.vals.u32(d.Uint32())
	case unix.IFLA_BRPORT_MCAST_MAX_GROUPS:
		p.McastMaxGroups = p.vals.u32(d.Uint32())
	case unix.IFLA_BRPORT_LEARNING_SYNC:
		return getBool(d, &p.vals, &p.LearningSync)
	case iflaBrportNeighForwardGrat:
		return getBool(d, &p.vals, &p.NeighForwardGrat)
	case unix.IFLA_BRPORT_ROOT_ID:
		p.DesignatedRoot = decodeBridgeID(d)
	case unix.IFLA_BRPORT_BRIDGE_ID:
		p.DesignatedBridge = decodeBridgeID(d)
	case unix.IFLA_BRPORT_DESIGNATED_PORT:
		p.DesignatedPort = d.Uint16()
	case unix.IFLA_BRPORT_DESIGNATED_COST:
		p.DesignatedCost = d.Uint16()
	case unix.IFLA_BRPORT_ID:
		p.ID = d.Uint16()
	case unix.IFLA_BRPORT_NO:
		p.No = d.Uint16()
	case unix.IFLA_BRPORT_TOPOLOGY_CHANGE_ACK:
		p.TopologyChangeAck = d.Uint8()
	case unix.IFLA_BRPORT_CONFIG_PENDING:
		p.ConfigPending = d.Uint8()
	case unix.IFLA_BRPORT_MESSAGE_AGE_TIMER:
		return getTimer(d, &p.MessageAgeTimer)
	case unix.IFLA_BRPORT_FORWARD_DELAY_TIMER:
		return getTimer(d, &p.ForwardDelayTimer)
	case unix.IFLA_BRPORT_HOLD_TIMER:
		return getTimer(d, &p.HoldTimer)
	case unix.IFLA_BRPORT_MRP_RING_OPEN:
		p.MRPRingOpen = d.Uint8()
	case unix.IFLA_BRPORT_MRP_IN_OPEN:
		p.MRPInOpen = d.Uint8()
	case unix.IFLA_BRPORT_MCAST_EHT_HOSTS_CNT:
		p.McastEHTHostsCount = d.Uint32()
	case unix.IFLA_BRPORT_MCAST_N_GROUPS:
		p.McastGroups = d.Uint32()
	default:
		return false
	}
	return true
}

func putRO8(e *rtnl.Encoder, t uint16, v uint8, present bool) {
	if present || v != 0 {
		e.Uint8(t, v)
	}
}

func putRO16(e *rtnl.Encoder, t uint16, v uint16, present bool) {
	if present || v != 0 {
		e.Uint16(t, v)
	}
}
