package bridge

import (
	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// Kind is the "bridge" link kind: a bridge's IFLA_INFO_DATA decodes to
// *Info. Hand it to decoders with rtnl.Config{Kinds: ...}.
var Kind = rtnl.Kind{Name: kindName, New: func() rtnl.LinkData { return new(Info) }, Attrs: Space}

// PortKind is the bridge port kind: a port's IFLA_INFO_SLAVE_DATA, which
// IFLA_INFO_SLAVE_KIND names by the master's kind "bridge", decodes to
// *PortInfo. iproute2's `type bridge_slave` is this kind.
var PortKind = rtnl.Kind{Name: kindName, Slave: true, New: func() rtnl.LinkData { return new(PortInfo) }, Attrs: PortSpace}

// Kinds are both bridge kinds, for rtnl.Config.Kinds.
var Kinds = rtnl.Kinds{Kind, PortKind}

// QuerierSpace is the BRIDGE_QUERIER_* space inside
// IFLA_BR_MCAST_QUERIER_STATE.
var QuerierSpace = &rtnl.AttrSpace{Name: "bridge-querier", Attrs: map[uint16]rtnl.AttrSpec{
	querierIPAddress:      {Name: "BRIDGE_QUERIER_IP_ADDRESS", Type: rtnl.TypeIP},
	querierIPPort:         {Name: "BRIDGE_QUERIER_IP_PORT", Type: rtnl.TypeU32},
	querierIPOtherTimer:   {Name: "BRIDGE_QUERIER_IP_OTHER_TIMER", Type: rtnl.TypeU64},
	querierPad:            {Name: "BRIDGE_QUERIER_PAD", Type: rtnl.TypeBinary},
	querierIPv6Address:    {Name: "BRIDGE_QUERIER_IPV6_ADDRESS", Type: rtnl.TypeIP},
	querierIPv6Port:       {Name: "BRIDGE_QUERIER_IPV6_PORT", Type: rtnl.TypeU32},
	querierIPv6OtherTimer: {Name: "BRIDGE_QUERIER_IPV6_OTHER_TIMER", Type: rtnl.TypeU64},
}}

// Space is the IFLA_BR_* space inside a bridge's IFLA_INFO_DATA.
var Space = &rtnl.AttrSpace{Name: "bridge", Attrs: map[uint16]rtnl.AttrSpec{
	unix.IFLA_BR_FORWARD_DELAY:              {Name: "IFLA_BR_FORWARD_DELAY", Type: rtnl.TypeU32},
	unix.IFLA_BR_HELLO_TIME:                 {Name: "IFLA_BR_HELLO_TIME", Type: rtnl.TypeU32},
	unix.IFLA_BR_MAX_AGE:                    {Name: "IFLA_BR_MAX_AGE", Type: rtnl.TypeU32},
	unix.IFLA_BR_AGEING_TIME:                {Name: "IFLA_BR_AGEING_TIME", Type: rtnl.TypeU32},
	unix.IFLA_BR_STP_STATE:                  {Name: "IFLA_BR_STP_STATE", Type: rtnl.TypeU32},
	unix.IFLA_BR_PRIORITY:                   {Name: "IFLA_BR_PRIORITY", Type: rtnl.TypeU16},
	unix.IFLA_BR_VLAN_FILTERING:             {Name: "IFLA_BR_VLAN_FILTERING", Type: rtnl.TypeU8},
	unix.IFLA_BR_VLAN_PROTOCOL:              {Name: "IFLA_BR_VLAN_PROTOCOL", Type: rtnl.TypeU16BE},
	unix.IFLA_BR_GROUP_FWD_MASK:             {Name: "IFLA_BR_GROUP_FWD_MASK", Type: rtnl.TypeU16},
	unix.IFLA_BR_ROOT_ID:                    {Name: "IFLA_BR_ROOT_ID", Type: rtnl.TypeBinary},
	unix.IFLA_BR_BRIDGE_ID:                  {Name: "IFLA_BR_BRIDGE_ID", Type: rtnl.TypeBinary},
	unix.IFLA_BR_ROOT_PORT:                  {Name: "IFLA_BR_ROOT_PORT", Type: rtnl.TypeU16},
	unix.IFLA_BR_ROOT_PATH_COST:             {Name: "IFLA_BR_ROOT_PATH_COST", Type: rtnl.TypeU32},
	unix.IFLA_BR_TOPOLOGY_CHANGE:            {Name: "IFLA_BR_TOPOLOGY_CHANGE", Type: rtnl.TypeU8},
	unix.IFLA_BR_TOPOLOGY_CHANGE_DETECTED:   {Name: "IFLA_BR_TOPOLOGY_CHANGE_DETECTED", Type: rtnl.TypeU8},
	unix.IFLA_BR_HELLO_TIMER:                {Name: "IFLA_BR_HELLO_TIMER", Type: rtnl.TypeU64},
	unix.IFLA_BR_TCN_TIMER:                  {Name: "IFLA_BR_TCN_TIMER", Type: rtnl.TypeU64},
	unix.IFLA_BR_TOPOLOGY_CHANGE_TIMER:      {Name: "IFLA_BR_TOPOLOGY_CHANGE_TIMER", Type: rtnl.TypeU64},
	unix.IFLA_BR_GC_TIMER:                   {Name: "IFLA_BR_GC_TIMER", Type: rtnl.TypeU64},
	unix.IFLA_BR_GROUP_ADDR:                 {Name: "IFLA_BR_GROUP_ADDR", Type: rtnl.TypeMAC},
	unix.IFLA_BR_FDB_FLUSH:                  {Name: "IFLA_BR_FDB_FLUSH", Type: rtnl.TypeFlag},
	unix.IFLA_BR_MCAST_ROUTER:               {Name: "IFLA_BR_MCAST_ROUTER", Type: rtnl.TypeU8},
	unix.IFLA_BR_MCAST_SNOOPING:             {Name: "IFLA_BR_MCAST_SNOOPING", Type: rtnl.TypeU8},
	unix.IFLA_BR_MCAST_QUERY_USE_IFADDR:     {Name: "IFLA_BR_MCAST_QUERY_USE_IFADDR", Type: rtnl.TypeU8},
	unix.IFLA_BR_MCAST_QUERIER:              {Name: "IFLA_BR_MCAST_QUERIER", Type: rtnl.TypeU8},
	unix.IFLA_BR_MCAST_HASH_ELASTICITY:      {Name: "IFLA_BR_MCAST_HASH_ELASTICITY", Type: rtnl.TypeU32},
	unix.IFLA_BR_MCAST_HASH_MAX:             {Name: "IFLA_BR_MCAST_HASH_MAX", Type: rtnl.TypeU32},
	unix.IFLA_BR_MCAST_LAST_MEMBER_CNT:      {Name: "IFLA_BR_MCAST_LAST_MEMBER_CNT", Type: rtnl.TypeU32},
	unix.IFLA_BR_MCAST_STARTUP_QUERY_CNT:    {Name: "IFLA_BR_MCAST_STARTUP_QUERY_CNT", Type: rtnl.TypeU32},
	unix.IFLA_BR_MCAST_LAST_MEMBER_INTVL:    {Name: "IFLA_BR_MCAST_LAST_MEMBER_INTVL", Type: rtnl.TypeU64},
	unix.IFLA_BR_MCAST_MEMBERSHIP_INTVL:     {Name: "IFLA_BR_MCAST_MEMBERSHIP_INTVL", Type: rtnl.TypeU64},
	unix.IFLA_BR_MCAST_QUERIER_INTVL:        {Name: "IFLA_BR_MCAST_QUERIER_INTVL", Type: rtnl.TypeU64},
	unix.IFLA_BR_MCAST_QUERY_INTVL:          {Name: "IFLA_BR_MCAST_QUERY_INTVL", Type: rtnl.TypeU64},
	unix.IFLA_BR_MCAST_QUERY_RESPONSE_INTVL: {Name: "IFLA_BR_MCAST_QUERY_RESPONSE_INTVL", Type: rtnl.TypeU64},
	unix.IFLA_BR_MCAST_STARTUP_QUERY_INTVL:  {Name: "IFLA_BR_MCAST_STARTUP_QUERY_INTVL", Type: rtnl.TypeU64},
	unix.IFLA_BR_NF_CALL_IPTABLES:           {Name: "IFLA_BR_NF_CALL_IPTABLES", Type: rtnl.TypeU8},
	unix.IFLA_BR_NF_CALL_IP6TABLES:          {Name: "IFLA_BR_NF_CALL_IP6TABLES", Type: rtnl.TypeU8},
	unix.IFLA_BR_NF_CALL_ARPTABLES:          {Name: "IFLA_BR_NF_CALL_ARPTABLES", Type: rtnl.TypeU8},
	unix.IFLA_BR_VLAN_DEFAULT_PVID:          {Name: "IFLA_BR_VLAN_DEFAULT_PVID", Type: rtnl.TypeU16},
	unix.IFLA_BR_PAD:                        {Name: "IFLA_BR_PAD", Type: rtnl.TypeBinary},
	unix.IFLA_BR_VLAN_STATS_ENABLED:         {Name: "IFLA_BR_VLAN_STATS_ENABLED", Type: rtnl.TypeU8},
	unix.IFLA_BR_MCAST_STATS_ENABLED:        {Name: "IFLA_BR_MCAST_STATS_ENABLED", Type: rtnl.TypeU8},
	unix.IFLA_BR_MCAST_IGMP_VERSION:         {Name: "IFLA_BR_MCAST_IGMP_VERSION", Type: rtnl.TypeU8},
	unix.IFLA_BR_MCAST_MLD_VERSION:          {Name: "IFLA_BR_MCAST_MLD_VERSION", Type: rtnl.TypeU8},
	unix.IFLA_BR_VLAN_STATS_PER_PORT:        {Name: "IFLA_BR_VLAN_STATS_PER_PORT", Type: rtnl.TypeU8},
	unix.IFLA_BR_MULTI_BOOLOPT:              {Name: "IFLA_BR_MULTI_BOOLOPT", Type: rtnl.TypeBinary},
	unix.IFLA_BR_MCAST_QUERIER_STATE:        {Name: "IFLA_BR_MCAST_QUERIER_STATE", Type: rtnl.TypeNested, Nested: QuerierSpace},
	unix.IFLA_BR_FDB_N_LEARNED:              {Name: "IFLA_BR_FDB_N_LEARNED", Type: rtnl.TypeU32},
	unix.IFLA_BR_FDB_MAX_LEARNED:            {Name: "IFLA_BR_FDB_MAX_LEARNED", Type: rtnl.TypeU32},
	iflaBrSTPMode:                           {Name: "IFLA_BR_STP_MODE", Type: rtnl.TypeU32},
}}

// PortSpace is the IFLA_BRPORT_* space inside a bridge port's
// IFLA_INFO_SLAVE_DATA (and inside IFLA_PROTINFO of AF_BRIDGE link
// messages).
var PortSpace = &rtnl.AttrSpace{Name: "bridge-port", Attrs: map[uint16]rtnl.AttrSpec{
	unix.IFLA_BRPORT_STATE:                 {Name: "IFLA_BRPORT_STATE", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_PRIORITY:              {Name: "IFLA_BRPORT_PRIORITY", Type: rtnl.TypeU16},
	unix.IFLA_BRPORT_COST:                  {Name: "IFLA_BRPORT_COST", Type: rtnl.TypeU32},
	unix.IFLA_BRPORT_MODE:                  {Name: "IFLA_BRPORT_MODE", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_GUARD:                 {Name: "IFLA_BRPORT_GUARD", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_PROTECT:               {Name: "IFLA_BRPORT_PROTECT", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_FAST_LEAVE:            {Name: "IFLA_BRPORT_FAST_LEAVE", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_LEARNING:              {Name: "IFLA_BRPORT_LEARNING", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_UNICAST_FLOOD:         {Name: "IFLA_BRPORT_UNICAST_FLOOD", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_PROXYARP:              {Name: "IFLA_BRPORT_PROXYARP", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_LEARNING_SYNC:         {Name: "IFLA_BRPORT_LEARNING_SYNC", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_PROXYARP_WIFI:         {Name: "IFLA_BRPORT_PROXYARP_WIFI", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_ROOT_ID:               {Name: "IFLA_BRPORT_ROOT_ID", Type: rtnl.TypeBinary},
	unix.IFLA_BRPORT_BRIDGE_ID:             {Name: "IFLA_BRPORT_BRIDGE_ID", Type: rtnl.TypeBinary},
	unix.IFLA_BRPORT_DESIGNATED_PORT:       {Name: "IFLA_BRPORT_DESIGNATED_PORT", Type: rtnl.TypeU16},
	unix.IFLA_BRPORT_DESIGNATED_COST:       {Name: "IFLA_BRPORT_DESIGNATED_COST", Type: rtnl.TypeU16},
	unix.IFLA_BRPORT_ID:                    {Name: "IFLA_BRPORT_ID", Type: rtnl.TypeU16},
	unix.IFLA_BRPORT_NO:                    {Name: "IFLA_BRPORT_NO", Type: rtnl.TypeU16},
	unix.IFLA_BRPORT_TOPOLOGY_CHANGE_ACK:   {Name: "IFLA_BRPORT_TOPOLOGY_CHANGE_ACK", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_CONFIG_PENDING:        {Name: "IFLA_BRPORT_CONFIG_PENDING", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_MESSAGE_AGE_TIMER:     {Name: "IFLA_BRPORT_MESSAGE_AGE_TIMER", Type: rtnl.TypeU64},
	unix.IFLA_BRPORT_FORWARD_DELAY_TIMER:   {Name: "IFLA_BRPORT_FORWARD_DELAY_TIMER", Type: rtnl.TypeU64},
	unix.IFLA_BRPORT_HOLD_TIMER:            {Name: "IFLA_BRPORT_HOLD_TIMER", Type: rtnl.TypeU64},
	unix.IFLA_BRPORT_FLUSH:                 {Name: "IFLA_BRPORT_FLUSH", Type: rtnl.TypeFlag},
	unix.IFLA_BRPORT_MULTICAST_ROUTER:      {Name: "IFLA_BRPORT_MULTICAST_ROUTER", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_PAD:                   {Name: "IFLA_BRPORT_PAD", Type: rtnl.TypeBinary},
	unix.IFLA_BRPORT_MCAST_FLOOD:           {Name: "IFLA_BRPORT_MCAST_FLOOD", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_MCAST_TO_UCAST:        {Name: "IFLA_BRPORT_MCAST_TO_UCAST", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_VLAN_TUNNEL:           {Name: "IFLA_BRPORT_VLAN_TUNNEL", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_BCAST_FLOOD:           {Name: "IFLA_BRPORT_BCAST_FLOOD", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_GROUP_FWD_MASK:        {Name: "IFLA_BRPORT_GROUP_FWD_MASK", Type: rtnl.TypeU16},
	unix.IFLA_BRPORT_NEIGH_SUPPRESS:        {Name: "IFLA_BRPORT_NEIGH_SUPPRESS", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_ISOLATED:              {Name: "IFLA_BRPORT_ISOLATED", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_BACKUP_PORT:           {Name: "IFLA_BRPORT_BACKUP_PORT", Type: rtnl.TypeU32},
	unix.IFLA_BRPORT_MRP_RING_OPEN:         {Name: "IFLA_BRPORT_MRP_RING_OPEN", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_MRP_IN_OPEN:           {Name: "IFLA_BRPORT_MRP_IN_OPEN", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT: {Name: "IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT", Type: rtnl.TypeU32},
	unix.IFLA_BRPORT_MCAST_EHT_HOSTS_CNT:   {Name: "IFLA_BRPORT_MCAST_EHT_HOSTS_CNT", Type: rtnl.TypeU32},
	unix.IFLA_BRPORT_LOCKED:                {Name: "IFLA_BRPORT_LOCKED", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_MAB:                   {Name: "IFLA_BRPORT_MAB", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_MCAST_N_GROUPS:        {Name: "IFLA_BRPORT_MCAST_N_GROUPS", Type: rtnl.TypeU32},
	unix.IFLA_BRPORT_MCAST_MAX_GROUPS:      {Name: "IFLA_BRPORT_MCAST_MAX_GROUPS", Type: rtnl.TypeU32},
	unix.IFLA_BRPORT_NEIGH_VLAN_SUPPRESS:   {Name: "IFLA_BRPORT_NEIGH_VLAN_SUPPRESS", Type: rtnl.TypeU8},
	unix.IFLA_BRPORT_BACKUP_NHID:           {Name: "IFLA_BRPORT_BACKUP_NHID", Type: rtnl.TypeU32},
	iflaBrportNeighForwardGrat:             {Name: "IFLA_BRPORT_NEIGH_FORWARD_GRAT", Type: rtnl.TypeU8},
}}
