// Package fuzz holds linkbox's fuzz targets, their seed corpus, and two
// things for people who fuzz netlink themselves: Samples, well-formed
// requests built by linkbox's encoders to mutate, and Kinds, the link
// kinds to decode and validate them with. The strict validator the
// targets use is rtnl.Validate.
//
// # Targets
//
// Each target is a testing.F in this package's tests (cmd/linkbox holds
// the command-line one, FuzzCommand, which needs package main):
//
//	FuzzLink          one RTM_*LINK message (ifinfomsg, IFLA_*, veth and bridge kind data)
//	FuzzAddress       one RTM_*ADDR message (ifaddrmsg, IFA_*)
//	FuzzRoute         one RTM_*ROUTE message (rtmsg, RTA_*)
//	FuzzNeigh         one RTM_*NEIGH message (ndmsg, NDA_*), FDB entries included
//	FuzzNSID          one RTM_*NSID message (rtgenmsg, NETNSA_*)
//	FuzzVethInfo      a veth's IFLA_INFO_DATA: VETH_INFO_PEER and the peer's whole link message
//	FuzzBridgeInfo    a bridge's IFLA_INFO_DATA (IFLA_BR_*)
//	FuzzBridgePortInfo  a bridge port's IFLA_INFO_SLAVE_DATA (IFLA_BRPORT_*)
//	FuzzAck           one NLMSG_ERROR or NLMSG_DONE: errno, echoed request, extended-ack TLVs,
//	                  and what Conn.Execute and Conn.Dump make of it
//	FuzzDump          a received datagram of several messages, through Conn.Dump and every decoder
//	FuzzAnnotate      a datagram through the annotated decoder (rtnl/wire)
//	FuzzNetnsName     a named-namespace name (nsfs.ValidName, nsfs.Quote)
//
// The message targets take a whole message, nlmsghdr included; a target
// skips inputs whose nlmsg_type is not of the family it names, and checks
// that the value it decoded is of that family's Go type.
//
// # Properties
//
// Beyond "no panic", every decoding target checks, for each input that
// decodes:
//
//   - decode, encode, decode gives the same value (reflect.DeepEqual over
//     every field, unexported ones included);
//   - the second encoding is byte for byte the first (the encoding is
//     canonical and stable);
//   - an input that rtnl.Validate accepts encodes to a message it accepts
//     too;
//   - decoding allocates at most a fixed multiple of the input's size plus a
//     constant (runtime.MemStats.TotalAlloc around the decode), so no length
//     field read from the input decides an allocation;
//   - decoding into a message used before gives what a fresh one gives
//     (link messages, which a dump decodes into one value).
//
// # Seeds
//
// The seeds are Samples, and the files under testdata/fuzz/TARGET, most of
// them captured from a real kernel in the test sandbox: link, address,
// route, neighbour and nsid dumps, echoes, errors with and without
// extended acks, and the requests iproute2 sends. TestWriteCorpus
// captures them again (make corpus). Plain `go test` replays every seed
// and every crasher kept there.
//
// # Running
//
//	go test ./fuzz                                  # replay the corpus
//	go test ./fuzz -run '^$' -fuzz '^FuzzLink$' -fuzztime 30s
//	make fuzz FUZZTIME=30s                          # every target in turn
//
// The README in this directory says how to add a target.
package fuzz
