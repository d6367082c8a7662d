// Package rtnl speaks rtnetlink, the kernel's NETLINK_ROUTE protocol, with
// every message built and parsed here: links (struct ifinfomsg and IFLA_*),
// addresses (ifaddrmsg, IFA_*), routes (rtmsg, RTA_*), neighbours (ndmsg,
// NDA_*) and namespace ids (rtgenmsg, NETNSA_*).
//
// # Messages
//
// Each message type has MarshalBinary and UnmarshalBinary (and Encode, which
// appends to an Encoder). Length is checked before any field is read, and a
// fixed-size attribute of the wrong size is an error, never a zero value.
// Decoding is lossless: attributes without a typed field are kept in order
// in Unknown and encoded back unchanged, so a message read from the kernel
// re-encodes to the same bytes.
//
// rtnl knows no link kind. A kind's package (veth, bridge) implements
// LinkData for IFLA_INFO_DATA or IFLA_INFO_SLAVE_DATA and exports a Kind;
// callers hand the kinds they want to Decode or to Config.Kinds. Data of a
// kind the decoder was not given stays raw bytes and re-encodes unchanged.
//
// # Attributes
//
// Encoder and Decoder are rtnl's own rather than mdlayher/netlink's
// AttributeEncoder and AttributeDecoder, for three reasons: iproute2 sends
// nests without NLA_F_NESTED, and requests must match its bytes, while
// AttributeEncoder.Nested always sets the flag; lossless decoding needs the
// raw type bits and the order attributes came in; and AttributeDecoder copies
// every payload, while link dumps are decoded here with one allocation per
// datagram for the bytes. mdlayher/netlink provides the socket: creation
// (inside another namespace when asked, on a thread of its own), CLOEXEC,
// the runtime poller, socket options and multicast groups.
//
// # The connection
//
// Conn sends requests and matches answers by sequence number and port id,
// ignoring anything else. A negative ack is an *Error that wraps the errno
// (errors.Is(err, unix.EEXIST) works) and carries the kernel's extended-ack
// message and the path of the attribute it pointed at. An errno inside
// NLMSG_DONE is an error, not an empty dump; a dump flagged NLM_F_DUMP_INTR
// is retried a bounded number of times and then reported as
// ErrDumpInterrupted together with the data. Every datagram is read whole:
// its size is peeked first. A TraceFunc sees every datagram sent and
// received, which is what the annotated trace and the pcap writer build on.
package rtnl
