package bridge

import (
	"encoding/binary"
	"fmt"
	"net"
	"time"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// Info is the "bridge" kind's IFLA_INFO_DATA: the IFLA_BR_* attributes of
// include/uapi/linux/if_link.h. In a request, a nil pointer (or zero value)
// is not sent, so only the settings given change. In a link read from the
// kernel, every setting the kernel reports is set, and so is the read-only
// spanning-tree state.
//
// Times are Durations; on the wire they are clock_t centiseconds (see
// ClockT). Booleans travel as u8 0 or 1.
type Info struct {
	// Settings, in the order `ip link ... type bridge` documents them.

	STPState     *STPState      // IFLA_BR_STP_STATE: u32, 0 off, 1 on
	ForwardDelay *time.Duration // IFLA_BR_FORWARD_DELAY: u32 clock_t; 2 s to 30 s with STP on
	HelloTime    *time.Duration // IFLA_BR_HELLO_TIME: u32 clock_t; 1 s to 10 s with STP on
	MaxAge       *time.Duration // IFLA_BR_MAX_AGE: u32 clock_t; 6 s to 40 s with STP on
	AgeingTime   *time.Duration // IFLA_BR_AGEING_TIME: u32 clock_t; 0 makes the bridge a hub
	Priority     *uint16        // IFLA_BR_PRIORITY: u16, the bridge id's priority

	VLANFiltering    *bool            // IFLA_BR_VLAN_FILTERING: u8
	VLANProtocol     uint16           // IFLA_BR_VLAN_PROTOCOL: be16, ETH_P_8021Q or ETH_P_8021AD
	GroupFwdMask     *uint16          // IFLA_BR_GROUP_FWD_MASK: u16, link-local groups to forward
	GroupAddr        net.HardwareAddr // IFLA_BR_GROUP_ADDR: 6 bytes, the STP group address
	FDBFlush         bool             // IFLA_BR_FDB_FLUSH: flag, flush dynamic FDB entries (requests only)
	VLANDefaultPVID  *uint16          // IFLA_BR_VLAN_DEFAULT_PVID: u16
	VLANStatsEnabled *bool            // IFLA_BR_VLAN_STATS_ENABLED: u8
	VLANStatsPerPort *bool            // IFLA_BR_VLAN_STATS_PER_PORT: u8

	McastRouter             *uint8         // IFLA_BR_MCAST_ROUTER: u8, 0 disabled, 1 learned, 2 always
	McastSnooping           *bool          // IFLA_BR_MCAST_SNOOPING: u8
	McastQueryUseIfaddr     *bool          // IFLA_BR_MCAST_QUERY_USE_IFADDR: u8
	McastQuerier            *bool          // IFLA_BR_MCAST_QUERIER: u8
	McastHashElasticity     *uint32        // IFLA_BR_MCAST_HASH_ELASTICITY: u32 (deprecated; the kernel ignores it)
	McastHashMax            *uint32        // IFLA_BR_MCAST_HASH_MAX: u32
	McastLastMemberCount    *uint32        // IFLA_BR_MCAST_LAST_MEMBER_CNT: u32
	McastStartupQueryCount  *uint32        // IFLA_BR_MCAST_STARTUP_QUERY_CNT: u32
	McastLastMemberIntvl    *time.Duration // IFLA_BR_MCAST_LAST_MEMBER_INTVL: u64 clock_t
	McastMembershipIntvl    *time.Duration // IFLA_BR_MCAST_MEMBERSHIP_INTVL: u64 clock_t
	McastQuerierIntvl       *time.Duration // IFLA_BR_MCAST_QUERIER_INTVL: u64 clock_t
	McastQueryIntvl         *time.Duration // IFLA_BR_MCAST_QUERY_INTVL: u64 clock_t
	McastQueryResponseIntvl *time.Duration // IFLA_BR_MCAST_QUERY_RESPONSE_INTVL: u64 clock_t
	McastStartupQueryIntvl  *time.Duration // IFLA_BR_MCAST_STARTUP_QUERY_INTVL: u64 clock_t
	McastStatsEnabled       *bool          // IFLA_BR_MCAST_STATS_ENABLED: u8
	McastIGMPVersion        *uint8         // IFLA_BR_MCAST_IGMP_VERSION: u8, 2 or 3
	McastMLDVersion         *uint8         // IFLA_BR_MCAST_MLD_VERSION: u8, 1 or 2

	NFCallIPTables  *bool // IFLA_BR_NF_CALL_IPTABLES: u8
	NFCallIP6Tables *bool // IFLA_BR_NF_CALL_IP6TABLES: u8
	NFCallARPTables *bool // IFLA_BR_NF_CALL_ARPTABLES: u8

	FDBMaxLearned *uint32   // IFLA_BR_FDB_MAX_LEARNED: u32, 0 for no limit
	STPMode       *uint32   // IFLA_BR_STP_MODE: u32, enum br_stp_mode (newer kernels)
	BoolOpts      *BoolOpts // IFLA_BR_MULTI_BOOLOPT: struct br_boolopt_multi

	// Read-only state, reported by the kernel.

	BridgeID               BridgeID      // IFLA_BR_BRIDGE_ID: struct ifla_bridge_id
	RootID                 BridgeID      // IFLA_BR_ROOT_ID: the designated root
	RootPort               uint16        // IFLA_BR_ROOT_PORT: port number of the root port, 0 if this bridge is root
	RootPathCost           uint32        // IFLA_BR_ROOT_PATH_COST
	TopologyChange         uint8         // IFLA_BR_TOPOLOGY_CHANGE
	TopologyChangeDetected uint8         // IFLA_BR_TOPOLOGY_CHANGE_DETECTED
	HelloTimer             time.Duration // IFLA_BR_HELLO_TIMER: u64 clock_t, time left
	TCNTimer               time.Duration // IFLA_BR_TCN_TIMER: u64 clock_t
	TopologyChangeTimer    time.Duration // IFLA_BR_TOPOLOGY_CHANGE_TIMER: u64 clock_t
	GCTimer                time.Duration // IFLA_BR_GC_TIMER: u64 clock_t
	FDBLearned             uint32        // IFLA_BR_FDB_N_LEARNED: u32

	// Unknown holds the attributes without a field above, such as
	// IFLA_BR_MCAST_QUERIER_STATE, in the order they came.
	Unknown []rtnl.Attr

	layout rtnl.Layout
	vals   slab
}

// STPState is the value of IFLA_BR_STP_STATE.
type STPState uint32

// Values of IFLA_BR_STP_STATE, from the kernel's net/bridge/br_private.h.
// A request sets STPOff or STPOn; the kernel reports STPKernel or STPUser
// for an enabled bridge, depending on who runs the protocol.
const (
	STPOff    STPState = 0 // BR_NO_STP
	STPOn     STPState = 1 // any non-zero value turns STP on
	STPKernel STPState = 1 // BR_KERNEL_STP: the kernel runs STP
	STPUser   STPState = 2 // BR_USER_STP: a user-space daemon runs it
)

// String names the state as brctl does.
func (s STPState) String() string {
	switch s {
	case STPOff:
		return "disabled"
	case STPKernel:
		return "enabled"
	case STPUser:
		return "enabled (user)"
	}
	return fmt.Sprintf("stp state %d", uint32(s))
}

// BridgeID is struct ifla_bridge_id: a bridge's STP identifier, the
// priority (big-endian on the wire) and a MAC address.
type BridgeID struct {
	Priority uint16  // the bridge priority, host order here
	Addr     [6]byte // the bridge's MAC address
}

// String formats the id as brctl does: "8000.020000000001".
func (id BridgeID) String() string {
	return fmt.Sprintf("%04x.%02x%02x%02x%02x%02x%02x", id.Priority,
		id.Addr[0], id.Addr[1], id.Addr[2], id.Addr[3], id.Addr[4], id.Addr[5])
}

// IsZero reports whether the id is all zeros.
func (id BridgeID) IsZero() bool { return id == BridgeID{} }

func (id BridgeID) bytes() []byte {
	b := make([]byte, bridgeIDLen)
	binary.BigEndian.PutUint16(b, id.Priority)
	copy(b[2:], id.Addr[:])
	return b
}

func decodeBridgeID(d *rtnl.Decoder) BridgeID {
	b := d.Bytes()
	if len(b) != bridgeIDLen {
		d.SetErr(&rtnl.AttrSizeError{Type: d.Type(), Want: bridgeIDLen, Got: len(b)})
		return BridgeID{}
	}
	var id BridgeID
	id.Priority = binary.BigEndian.Uint16(b)
	copy(id.Addr[:], b[2:])
	return id
}

// BoolOpts is struct br_boolopt_multi: bridge booleans as bits (Bool*
// constants). In a request, Mask says which options to change and Value
// their new values; the kernel reports every option it knows in Mask.
type BoolOpts struct {
	Value uint32 // optval
	Mask  uint32 // optmask
}

// Has reports whether option bit opt is known (in Mask) and on.
func (b BoolOpts) Has(opt uint32) bool { return b.Mask&opt != 0 && b.Value&opt != 0 }

// Set returns b with option bit opt set to on, and marked to change.
func (b BoolOpts) Set(opt uint32, on bool) BoolOpts {
	b.Mask |= opt
	if on {
		b.Value |= opt
	} else {
		b.Value &^= opt
	}
	return b
}

// Kind returns "bridge".
func (x *Info) Kind() string { return kindName }

// infoOrder is the order fields set by hand are encoded in: the
// spanning-tree settings first (stp_state, then the times, then the
// priority, as `ip link add br0 type bridge stp_state 1 forward_delay 400
// priority 4096` writes them; iproute2 writes options in command-line
// order), then the rest in the order iproute2's bridge_parse_opt tests for
// them, then the read-only state.
var infoOrder = []uint16{
	unix.IFLA_BR_STP_STATE, unix.IFLA_BR_FORWARD_DELAY, unix.IFLA_BR_HELLO_TIME,
	unix.IFLA_BR_MAX_AGE, unix.IFLA_BR_AGEING_TIME, unix.IFLA_BR_PRIORITY,
	unix.IFLA_BR_VLAN_FILTERING, unix.IFLA_BR_VLAN_PROTOCOL,
	unix.IFLA_BR_GROUP_FWD_MASK, unix.IFLA_BR_GROUP_ADDR, unix.IFLA_BR_FDB_FLUSH,
	unix.IFLA_BR_VLAN_DEFAULT_PVID, unix.IFLA_BR_VLAN_STATS_ENABLED,
	unix.IFLA_BR_VLAN_STATS_PER_PORT, unix.IFLA_BR_MCAST_ROUTER,
	unix.IFLA_BR_MCAST_SNOOPING, unix.IFLA_BR_MCAST_QUERY_USE_IFADDR,
	unix.IFLA_BR_MCAST_QUERIER, unix.IFLA_BR_MCAST_HASH_ELASTICITY,
	unix.IFLA_BR_MCAST_HASH_MAX, unix.IFLA_BR_MCAST_LAST_MEMBER_CNT,
	unix.IFLA_BR_MCAST_STARTUP_QUERY_CNT, unix.IFLA_BR_MCAST_LAST_MEMBER_INTVL,
	unix.IFLA_BR_MCAST_MEMBERSHIP_INTVL, unix.IFLA_BR_MCAST_QUERIER_INTVL,
	unix.IFLA_BR_MCAST_QUERY_INTVL, unix.IFLA_BR_MCAST_QUERY_RESPONSE_INTVL,
	unix.IFLA_BR_MCAST_STARTUP_QUERY_INTVL, unix.IFLA_BR_MCAST_STATS_ENABLED,
	unix.IFLA_BR_MCAST_IGMP_VERSION, unix.IFLA_BR_MCAST_MLD_VERSION,
	unix.IFLA_BR_NF_CALL_IPTABLES, unix.IFLA_BR_NF_CALL_IP6TABLES,
	unix.IFLA_BR_NF_CALL_ARPTABLES, unix.IFLA_BR_FDB_MAX_LEARNED, iflaBrSTPMode,
	unix.IFLA_BR_MULTI_BOOLOPT,
	unix.IFLA_BR_BRIDGE_ID, unix.IFLA_BR_ROOT_ID, unix.IFLA_BR_ROOT_PORT,
	unix.IFLA_BR_ROOT_PATH_COST, unix.IFLA_BR_TOPOLOGY_CHANGE,
	unix.IFLA_BR_TOPOLOGY_CHANGE_DETECTED, unix.IFLA_BR_HELLO_TIMER,
	unix.IFLA_BR_TCN_TIMER, unix.IFLA_BR_TOPOLOGY_CHANGE_TIMER,
	unix.IFLA_BR_GC_TIMER, unix.IFLA_BR_FDB_N_LEARNED,
}

// Encode appends the IFLA_BR_* attributes. A time that is negative or not a
// whole number of centiseconds is an error, recorded in e.
func (x *Info) Encode(e *rtnl.Encoder) {
	x.layout.Encode(e, x.Unknown, infoOrder, x.encodeField)
}

func (x *Info) encodeField(e *rtnl.Encoder, t uint16, present bool) {
	switch t {
	case unix.IFLA_BR_STP_STATE:
		if x.STPState != nil {
			e.Uint32(t, uint32(*x.STPState))
		}
	case unix.IFLA_BR_FORWARD_DELAY:
		putClock32(e, t, x.ForwardDelay, "forward_delay")
	case unix.IFLA_BR_HELLO_TIME:
		putClock32(e, t, x.HelloTime, "hello_time")
	case unix.IFLA_BR_MAX_AGE:
		putClock32(e, t, x.MaxAge, "max_age")
	case unix.IFLA_BR_AGEING_TIME:
		putClock32(e, t, x.AgeingTime, "ageing_time")
	case unix.IFLA_BR_PRIORITY:
		putU16(e, t, x.Priority)
	case unix.IFLA_BR_VLAN_FILTERING:
		putBool(e, t, x.VLANFiltering)
	case unix.IFLA_BR_VLAN_PROTOCOL:
		if present || x.VLANProtocol != 0 {
			e.Uint16BE(t, x.VLANProtocol)
		}
	case unix.IFLA_BR_GROUP_FWD_MASK:
		putU16(e, t, x.GroupFwdMask)
	case unix.IFLA_BR_GROUP_ADDR:
		if present || x.GroupAddr != nil {
			if len(x.GroupAddr) != ethAlen {
				e.SetErr(fmt.Errorf("bridge: group address %v is not %d bytes", x.GroupAddr, ethAlen))
				return
			}
			e.Bytes(t, x.GroupAddr)
		}
	case unix.IFLA_BR_FDB_FLUSH:
		if present || x.FDBFlush {
			e.Flag(t)
		}
	case unix.IFLA_BR_VLAN_DEFAULT_PVID:
		putU16(e, t, x.VLANDefaultPVID)
	case unix.IFLA_BR_VLAN_STATS_ENABLED:
		putBool(e, t, x.VLANStatsEnabled)
	case unix.IFLA_BR_VLAN_STATS_PER_PORT:
		putBool(e, t, x.VLANStatsPerPort)
	case unix.IFLA_BR_MCAST_ROUTER:
		putU8(e, t, x.McastRouter)
	case unix.IFLA_BR_MCAST_SNOOPING:
		putBool(e, t, x.McastSnooping)
	case unix.IFLA_BR_MCAST_QUERY_USE_IFADDR:
		putBool(e, t, x.McastQueryUseIfaddr)
	case unix.IFLA_BR_MCAST_QUERIER:
		putBool(e, t, x.McastQuerier)
	case unix.IFLA_BR_MCAST_HASH_ELASTICITY:
		putU32(e, t, x.McastHashElasticity)
	case unix.IFLA_BR_MCAST_HASH_MAX:
		putU32(e, t, x.McastHashMax)
	case unix.IFLA_BR_MCAST_LAST_MEMBER_CNT:
		putU32(e, t, x.McastLastMemberCount)
	case unix.IFLA_BR_MCAST_STARTUP_QUERY_CNT:
		putU32(e, t, x.McastStartupQueryCount)
	case unix.IFLA_BR_MCAST_LAST_MEMBER_INTVL:
		putClock64(e, t, x.McastLastMemberIntvl, "mcast_last_member_interval")
	case unix.IFLA_BR_MCAST_MEMBERSHIP_INTVL:
		putClock64(e, t, x.McastMembershipIntvl, "mcast_membership_interval")
	case unix.IFLA_BR_MCAST_QUERIER_INTVL:
		putClock64(e, t, x.McastQuerierIntvl, "mcast_querier_interval")
	case unix.IFLA_BR_MCAST_QUERY_INTVL:
		putClock64(e, t, x.McastQueryIntvl, "mcast_query_interval")
	case unix.IFLA_BR_MCAST_QUERY_RESPONSE_INTVL:
		putClock64(e, t, x.McastQueryResponseIntvl, "mcast_query_response_interval")
	case unix.IFLA_BR_MCAST_STARTUP_QUERY_INTVL:
		putClock64(e, t, x.McastStartupQueryIntvl, "mcast_startup_query_interval")
	case unix.IFLA_BR_MCAST_STATS_ENABLED:
		putBool(e, t, x.McastStatsEnabled)
	case unix.IFLA_BR_MCAST_IGMP_VERSION:
		putU8(e, t, x.McastIGMPVersion)
	case unix.IFLA_BR_MCAST_MLD_VERSION:
		putU8(e, t, x.McastMLDVersion)
	case unix.IFLA_BR_NF_CALL_IPTABLES:
		putBool(e, t, x.NFCallIPTables)
	case unix.IFLA_BR_NF_CALL_IP6TABLES:
		putBool(e, t, x.NFCallIP6Tables)
	case unix.IFLA_BR_NF_CALL_ARPTABLES:
		putBool(e, t, x.NFCallARPTables)
	case unix.IFLA_BR_FDB_MAX_LEARNED:
		putU32(e, t, x.FDBMaxLearned)
	case iflaBrSTPMode:
		putU32(e, t, x.STPMode)
	case unix.IFLA_BR_MULTI_BOOLOPT:
		if x.BoolOpts != nil {
			var b [boolOptMultiLen]byte
			binary.NativeEndian.PutUint32(b[0:], x.BoolOpts.Value)
			binary.NativeEndian.PutUint32(b[4:], x.BoolOpts.Mask)
			e.Bytes(t, b[:])
		}
	case unix.IFLA_BR_BRIDGE_ID:
		if present || !x.BridgeID.IsZero() {
			e.Bytes(t, x.BridgeID.bytes())
		}
	case unix.IFLA_BR_ROOT_ID:
		if present || !x.RootID.IsZero() {
			e.Bytes(t, x.RootID.bytes())
		}
	case unix.IFLA_BR_ROOT_PORT:
		if present || x.RootPort != 0 {
			e.Uint16(t, x.RootPort)
		}
	case unix.IFLA_BR_ROOT_PATH_COST:
		if present || x.RootPathCost != 0 {
			e.Uint32(t, x.RootPathCost)
		}
	case unix.IFLA_BR_TOPOLOGY_CHANGE:
		if present || x.TopologyChange != 0 {
			e.Uint8(t, x.TopologyChange)
		}
	case unix.IFLA_BR_TOPOLOGY_CHANGE_DETECTED:
		if present || x.TopologyChangeDetected != 0 {
			e.Uint8(t, x.TopologyChangeDetected)
		}
	case unix.IFLA_BR_HELLO_TIMER:
		putTimer(e, t, x.HelloTimer, present)
	case unix.IFLA_BR_TCN_TIMER:
		putTimer(e, t, x.TCNTimer, present)
	case unix.IFLA_BR_TOPOLOGY_CHANGE_TIMER:
		putTimer(e, t, x.TopologyChangeTimer, present)
	case unix.IFLA_BR_GC_TIMER:
		putTimer(e, t, x.GCTimer, present)
	case unix.IFLA_BR_FDB_N_LEARNED:
		if present || x.FDBLearned != 0 {
			e.Uint32(t, x.FDBLearned)
		}
	}
}

// Decode reads the IFLA_BR_* attributes. A fixed-size attribute of the
// wrong size is an *rtnl.AttrSizeError. Values a typed field could not
// give back byte for byte (a boolean other than 0 or 1, a time too large
// for a Duration) are kept raw in Unknown.
func (x *Info) Decode(d *rtnl.Decoder) error {
	return x.layout.Decode(d, &x.Unknown, x.decodeField)
}

func (x *Info) decodeField(d *rtnl.Decoder) bool {
	if d.RawType() != d.Type() {
		return false // flag bits on a plain attribute: keep it raw, flags and all
	}
	switch d.Type() {
	case unix.IFLA_BR_STP_STATE:
		x.vals.stp = STPState(d.Uint32())
		x.STPState = &x.vals.stp
	case unix.IFLA_BR_FORWARD_DELAY:
		x.ForwardDelay = getClock32(d, &x.vals)
	case unix.IFLA_BR_HELLO_TIME:
		x.HelloTime = getClock32(d, &x.vals)
	case unix.IFLA_BR_MAX_AGE:
		x.MaxAge = getClock32(d, &x.vals)
	case unix.IFLA_BR_AGEING_TIME:
		x.AgeingTime = getClock32(d, &x.vals)
	case unix.IFLA_BR_PRIORITY:
		x.Priority = x.vals.u16(d.Uint16())
	case unix.IFLA_BR_VLAN_FILTERING:
		return getBool(d, &x.vals, &x.VLANFiltering)
	case unix.IFLA_BR_VLAN_PROTOCOL:
		x.VLANProtocol = d.Uint16BE()
	case unix.IFLA_BR_GROUP_FWD_MASK:
		x.GroupFwdMask = x.vals.u16(d.Uint16())
	case unix.IFLA_BR_GROUP_ADDR:
		if len(d.Bytes()) != ethAlen {
			d.SetErr(&rtnl.AttrSizeError{Type: d.Type(), Want: ethAlen, Got: len(d.Bytes())})
		}
		x.GroupAddr = net.HardwareAddr(d.Bytes())
	case unix.IFLA_BR_FDB_FLUSH:
		x.FDBFlush = d.Flag()
	case unix.IFLA_BR_VLAN_DEFAULT_PVID:
		x.VLANDefaultPVID = x.vals.u16(d.Uint16())
	case unix.IFLA_BR_VLAN_STATS_ENABLED:
		return getBool(d, &x.vals, &x.VLANStatsEnabled)
	case unix.IFLA_BR_VLAN_STATS_PER_PORT:
		return getBool(d, &x.vals, &x.VLANStatsPerPort)
	case unix.IFLA_BR_MCAST_ROUTER:
		x.McastRouter = x.vals.u8(d.Uint8())
	case unix.IFLA_BR_MCAST_SNOOPING:
		return getBool(d, &x.vals, &x.McastSnooping)
	case unix.IFLA_BR_MCAST_QUERY_USE_IFADDR:
		return getBool(d, &x.vals, &x.McastQueryUseIfaddr)
	case unix.IFLA_BR_MCAST_QUERIER:
		return getBool(d, &x.vals, &x.McastQuerier)
	case unix.IFLA_BR_MCAST_HASH_ELASTICITY:
		x.McastHashElasticity = x.vals.u32(d.Uint32())
	case unix.IFLA_BR_MCAST_HASH_MAX:
		x.McastHashMax = x.vals.u32(d.Uint32())
	case unix.IFLA_BR_MCAST_LAST_MEMBER_CNT:
		x.McastLastMemberCount = x.vals.u32(d.Uint32())
	case unix.IFLA_BR_MCAST_STARTUP_QUERY_CNT:
		x.McastStartupQueryCount = x.vals.u32(d.Uint32())
	case unix.IFLA_BR_MCAST_LAST_MEMBER_INTVL:
		return getClock64(d, &x.vals, &x.McastLastMemberIntvl)
	case unix.IFLA_BR_MCAST_MEMBERSHIP_INTVL:
		return getClock64(d, &x.vals, &x.McastMembershipIntvl)
	case unix.IFLA_BR_MCAST_QUERIER_INTVL:
		return getClock64(d, &x.vals, &x.McastQuerierIntvl)
	case unix.IFLA_BR_MCAST_QUERY_INTVL:
		return getClock64(d, &x.vals, &x.McastQueryIntvl)
	case unix.IFLA_BR_MCAST_QUERY_RESPONSE_INTVL:
		return getClock64(d, &x.vals, &x.McastQueryResponseIntvl)
	case unix.IFLA_BR_MCAST_STARTUP_QUERY_INTVL:
		return getClock64(d, &x.vals, &x.McastStartupQueryIntvl)
	case unix.IFLA_BR_MCAST_STATS_ENABLED:
		return getBool(d, &x.vals, &x.McastStatsEnabled)
	case unix.IFLA_BR_MCAST_IGMP_VERSION:
		x.McastIGMPVersion = x.vals.u8(d.Uint8())
	case unix.IFLA_BR_MCAST_MLD_VERSION:
		x.McastMLDVersion = x.vals.u8(d.Uint8())
	case unix.IFLA_BR_NF_CALL_IPTABLES:
		return getBool(d, &x.vals, &x.NFCallIPTables)
	case unix.IFLA_BR_NF_CALL_IP6TABLES:
		return getBool(d, &x.vals, &x.NFCallIP6Tables)
	case unix.IFLA_BR_NF_CALL_ARPTABLES:
		return getBool(d, &x.vals, &x.NFCallARPTables)
	case unix.IFLA_BR_FDB_MAX_LEARNED:
		x.FDBMaxLearned = x.vals.u32(d.Uint32())
	case iflaBrSTPMode:
		x.STPMode = x.vals.u32(d.Uint32())
	case unix.IFLA_BR_MULTI_BOOLOPT:
		b := d.Bytes()
		if len(b) != boolOptMultiLen {
			d.SetErr(&rtnl.AttrSizeError{Type: d.Type(), Want: boolOptMultiLen, Got: len(b)})
			return true
		}
		x.vals.bo = BoolOpts{Value: binary.NativeEndian.Uint32(b), Mask: binary.NativeEndian.Uint32(b[4:])}
		x.BoolOpts = &x.vals.bo
	case unix.IFLA_BR_BRIDGE_ID:
		x.BridgeID = decodeBridgeID(d)
	case unix.IFLA_BR_ROOT_ID:
		x.RootID = decodeBridgeID(d)
	case unix.IFLA_BR_ROOT_PORT:
		x.RootPort = d.Uint16()
	case unix.IFLA_BR_ROOT_PATH_COST:
		x.RootPathCost = d.Uint32()
	case unix.IFLA_BR_TOPOLOGY_CHANGE:
		x.TopologyChange = d.Uint8()
	case unix.IFLA_BR_TOPOLOGY_CHANGE_DETECTED:
		x.TopologyChangeDetected = d.Uint8()
	case unix.IFLA_BR_HELLO_TIMER:
		return getTimer(d, &x.HelloTimer)
	case unix.IFLA_BR_TCN_TIMER:
		return getTimer(d, &x.TCNTimer)
	case unix.IFLA_BR_TOPOLOGY_CHANGE_TIMER:
		return getTimer(d, &x.TopologyChangeTimer)
	case unix.IFLA_BR_GC_TIMER:
		return getTimer(d, &x.GCTimer)
	case unix.IFLA_BR_FDB_N_LEARNED:
		x.FDBLearned = d.Uint32()
	default:
		return false
	}
	return true
}

// Field helpers shared by Info and PortInfo.

func putU8(e *rtnl.Encoder, t uint16, v *uint8) {
	if v != nil {
		e.Uint8(t, *v)
	}
}

func putU16(e *rtnl.Encoder, t uint16, v *uint16) {
	if v != nil {
		e.Uint16(t, *v)
	}
}

func putU32(e *rtnl.Encoder, t uint16, v *uint32) {
	if v != nil {
		e.Uint32(t, *v)
	}
}

func putBool(e *rtnl.Encoder, t uint16, v *bool) {
	if v != nil {
		var b uint8
		if *v {
			b = 1
		}
		e.Uint8(t, b)
	}
}

// getBool decodes a u8 boolean. A value other than 0 or 1 stays raw, so
// that it is written back as it came.
func getBool(d *rtnl.Decoder, s *slab, p **bool) bool {
	v := d.Uint8()
	if v > 1 {
		return false
	}
	*p = s.bool(v == 1)
	return true
}

func putClock32(e *rtnl.Encoder, t uint16, v *time.Duration, name string) {
	if v == nil {
		return
	}
	cs, err := clockT32(*v)
	if err != nil {
		e.SetErr(fmt.Errorf("%s: %w", name, err))
		return
	}
	e.Uint32(t, cs)
}

func putClock64(e *rtnl.Encoder, t uint16, v *time.Duration, name string) {
	if v == nil {
		return
	}
	cs, err := ClockT(*v)
	if err != nil {
		e.SetErr(fmt.Errorf("%s: %w", name, err))
		return
	}
	e.Uint64(t, cs)
}

func getClock32(d *rtnl.Decoder, s *slab) *time.Duration {
	return s.dur(time.Duration(d.Uint32()) * clockTick)
}

// getClock64 decodes a u64 clock_t; one too large for a Duration stays raw.
func getClock64(d *rtnl.Decoder, s *slab, p **time.Duration) bool {
	v, ok := fromClockT(d.Uint64())
	if !ok {
		return false
	}
	*p = s.dur(v)
	return true
}

// putTimer writes a read-only u64 clock_t timer. Decoded timers are whole
// centiseconds, so the conversion cannot fail for them; a timer set by hand
// to something finer is truncated, as it is only ever read.
func putTimer(e *rtnl.Encoder, t uint16, v time.Duration, present bool) {
	if present || v != 0 {
		e.Uint64(t, uint64(v/clockTick))
	}
}

func getTimer(d *rtnl.Decoder, p *time.Duration) bool {
	v, ok := fromClockT(d.Uint64())
	if !ok {
		return false
	}
	*p = v
	return true
}
