package rtnl

// Constants that golang.org/x/sys/unix does not define (yet). Each names the
// kernel header it comes from; the values are the kernel's ABI.

// include/uapi/linux/netlink.h: enum nlmsgerr_attrs
const (
	nlmsgerrAttrMsg      = 1 // NLMSGERR_ATTR_MSG: string
	nlmsgerrAttrOffs     = 2 // NLMSGERR_ATTR_OFFS: u32, offset of the bad attribute in the request
	nlmsgerrAttrCookie   = 3 // NLMSGERR_ATTR_COOKIE: binary
	nlmsgerrAttrPolicy   = 4 // NLMSGERR_ATTR_POLICY: nested policy of the bad attribute
	nlmsgerrAttrMissType = 5 // NLMSGERR_ATTR_MISS_TYPE: u32, type of a missing required attribute
	nlmsgerrAttrMissNest = 6 // NLMSGERR_ATTR_MISS_NEST: u32, offset of the nest it is missing from
)

// include/uapi/linux/rtnetlink.h: values of IFLA_EXT_MASK
const (
	rtextFilterVF        = 1 << 0 // RTEXT_FILTER_VF
	rtextFilterSkipStats = 1 << 3 // RTEXT_FILTER_SKIP_STATS
)

// include/uapi/linux/if_link.h: link attributes newer than x/sys knows.
const (
	iflaMaxPacingOffloadHorizon = 66 // IFLA_MAX_PACING_OFFLOAD_HORIZON: NLA_UINT
	iflaNetnsImmutable          = 67 // IFLA_NETNS_IMMUTABLE: u8
	iflaHeadroom                = 68 // IFLA_HEADROOM: u16
	iflaTailroom                = 69 // IFLA_TAILROOM: u16
)
