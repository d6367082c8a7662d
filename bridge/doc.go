// Package bridge is the Linux bridge over rtnetlink: the "bridge" link kind
// (IFLA_BR_* settings and spanning-tree state in IFLA_INFO_DATA), the bridge
// port kind (IFLA_BRPORT_* in IFLA_INFO_SLAVE_DATA), ports, the forwarding
// database and the spanning-tree view, all from netlink alone: no ioctl, no
// sysfs, so it works in any namespace, and `brctl showstp` and `brctl
// showmacs` can be answered without /sys.
//
// # Kinds
//
// Info and PortInfo implement rtnl.LinkData; Kind and PortKind describe
// them to rtnl's decoders (Kinds holds both):
//
//	c, err := rtnl.Dial(&rtnl.Config{Kinds: bridge.Kinds})
//
// A port's data is named by its master's kind, so IFLA_INFO_SLAVE_KIND is
// "bridge"; iproute2's `type bridge_slave` sends the same data with
// IFLA_INFO_KIND "bridge_slave", which the kernel ignores for an existing
// link, and SetPortRequest does as iproute2 does. Decoding is lossless:
// attributes without a field, and values a field cannot hold exactly, are
// kept in Unknown and written back unchanged. InfoOf and PortInfoOf decode
// a link read by a Conn that was not given the kinds.
//
// The kernel reports a port's IFLA_BRPORT_* attributes twice: in
// IFLA_INFO_SLAVE_DATA of an ordinary link dump, and in IFLA_PROTINFO of a
// dump with family AF_BRIDGE (what `bridge link show` reads). Both carry
// the same attributes, so this package reads only the first.
//
// # Times
//
// Times are time.Duration in the API and clock_t centiseconds on the wire
// (USER_HZ is 100), u32 for the STP times and the ageing time, u64 for the
// multicast intervals and every timer. brctl counts seconds and ip counts
// centiseconds, whatever its man page says: `brctl setfd br0 4` and `ip link
// set br0 type bridge forward_delay 400` both mean 4*time.Second
// (FromClockT(400)). A Duration that is not a whole number of centiseconds
// is refused rather than rounded.
//
// # Kernel behaviour worth knowing
//
//   - A kernel without CONFIG_BRIDGE_VLAN_FILTERING refuses
//     IFLA_BR_VLAN_FILTERING (0 as well as 1) with a bare EOPNOTSUPP, and
//     silently ignores vlan_protocol, vlan_default_pvid and the VLAN
//     statistics; it also reports no IFLA_BR_VLAN_PROTOCOL, which is how
//     HasVLANFiltering tells. Add and Set refuse every VLAN setting on such a
//     kernel with ErrNoVLANFiltering (Add deletes the bridge it made).
//   - STP turned on outside the initial namespace is run by the kernel
//     (STPKernel): the user-space helper is only tried in the initial one.
//   - A port's state can be set only while the kernel does not run STP
//     (EBUSY) and, except PortDisabled, only on a running port with a
//     carrier (ENETDOWN). With STP off the kernel reruns its state selection
//     at once, so PortBlocking turns into PortForwarding.
//   - IFLA_BRPORT_ID is priority<<10 | port number.
//   - The multicast hash elasticity is deprecated: the kernel takes the
//     setting and keeps reporting 16.
//   - A dynamic FDB entry can be added only on a port that learns (learning
//     or forwarding state): on a disabled port it is EPERM.
package bridge
