package bridge

// Constants that golang.org/x/sys/unix does not define (yet). Each names the
// kernel header it comes from; the values are the kernel's ABI.

// include/uapi/linux/if_link.h: IFLA_BR_* and IFLA_BRPORT_* added after
// the attributes x/sys knows.
const (
	iflaBrSTPMode              = 0x32 // IFLA_BR_STP_MODE: u32, enum br_stp_mode
	iflaBrportNeighForwardGrat = 0x2d // IFLA_BRPORT_NEIGH_FORWARD_GRAT: u8
)

// include/uapi/linux/if_bridge.h: enum br_boolopt_id, as bits of struct
// br_boolopt_multi.
const (
	// BoolNoLinkLocalLearn is BR_BOOLOPT_NO_LL_LEARN: do not learn source
	// addresses from link-local frames (iproute2's no_linklocal_learn).
	BoolNoLinkLocalLearn uint32 = 1 << 0
	// BoolMcastVLANSnooping is BR_BOOLOPT_MCAST_VLAN_SNOOPING: per-VLAN
	// multicast snooping (iproute2's mcast_vlan_snooping).
	BoolMcastVLANSnooping uint32 = 1 << 1
	// BoolMSTEnable is BR_BOOLOPT_MST_ENABLE: multiple spanning trees
	// (iproute2's mst_enabled).
	BoolMSTEnable uint32 = 1 << 2
	// BoolMDBOffloadFailNotification is
	// BR_BOOLOPT_MDB_OFFLOAD_FAIL_NOTIFICATION.
	BoolMDBOffloadFailNotification uint32 = 1 << 3
	// BoolFDBLocalVLAN0 is BR_BOOLOPT_FDB_LOCAL_VLAN_0: the bridge's own
	// local FDB entries only on VLAN 0.
	BoolFDBLocalVLAN0 uint32 = 1 << 4
)

// include/uapi/linux/if_bridge.h: the attributes nested in
// IFLA_BR_MCAST_QUERIER_STATE.
const (
	querierIPAddress       = 1 // BRIDGE_QUERIER_IP_ADDRESS
	querierIPPort          = 2 // BRIDGE_QUERIER_IP_PORT
	querierIPOtherTimer    = 3 // BRIDGE_QUERIER_IP_OTHER_TIMER
	querierPad             = 4 // BRIDGE_QUERIER_PAD
	querierIPv6Address     = 5 // BRIDGE_QUERIER_IPV6_ADDRESS
	querierIPv6Port        = 6 // BRIDGE_QUERIER_IPV6_PORT
	querierIPv6OtherTimer  = 7 // BRIDGE_QUERIER_IPV6_OTHER_TIMER
	bridgeIDLen            = 8 // sizeof(struct ifla_bridge_id)
	boolOptMultiLen        = 8 // sizeof(struct br_boolopt_multi)
	ethAlen                = 6 // ETH_ALEN
	kindName               = "bridge"
	iproute2SlaveKindAlias = "bridge_slave" // what `ip link ... type bridge_slave` sends as IFLA_INFO_KIND
)
