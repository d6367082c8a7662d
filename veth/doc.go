// Package veth is the "veth" link kind over rtnetlink: virtual Ethernet
// pairs, created in one request with the peer straight in its namespace,
// and found again from either end across namespaces.
//
// # The kind
//
// Info implements rtnl.LinkData for a veth's IFLA_INFO_DATA, whose one
// attribute VETH_INFO_PEER carries the peer's own struct ifinfomsg and
// IFLA_* attributes: a whole rtnl.LinkMessage. Kind describes it to rtnl's
// decoders. The kernel sends this data only in requests; a dump reports a
// veth's peer through IFLA_LINK (its ifindex) and IFLA_LINK_NETNSID (the id
// of its namespace, when it is another one).
//
// # Creating a pair
//
// Add sends one RTM_NEWLINK that creates both ends: the peer is created in
// its namespace (IFLA_NET_NS_FD or IFLA_NET_NS_PID inside VETH_INFO_PEER),
// so there is never a moment with both ends on the host, and a failure
// leaves neither end behind, in any namespace. The first end can be
// attached to a bridge (IFLA_MASTER) and brought up in the same request.
// What the kernel does with the peer's settings:
//
//   - IFF_UP in the peer's ifinfomsg fails the whole request with ENOTCONN
//     (the peer is opened before the end it points back to exists), so Add
//     brings the peer up with a second request, through a socket opened in
//     the peer's namespace, and deletes the pair if that fails.
//   - IFLA_MASTER among the peer's attributes is ignored without an error,
//     so Pair has a master for the first end only.
//   - The peer takes its name, MTU, address, queue length, group, queue
//     counts and namespace.
//
// # Finding the peer
//
// Peer reads the other end of a veth: in the same namespace by index, in
// another with RTM_GETLINK and IFLA_TARGET_NETNSID, which asks the kernel
// about a link in the namespace with that id without entering it. A list of
// named namespaces (PeerNamed takes them from an nsfs.Dir, iproute2's
// /run/netns) names the peer's namespace by comparing each one's id
// (RTM_GETNSID with NETNSA_FD).
package veth
