// Package wire shows rtnetlink traffic byte by byte: it annotates every
// datagram a Conn sends or receives, writes and reads pcap files that
// Wireshark and tshark dissect as netlink, and reads back what strace
// prints.
//
// # The annotated view
//
// An Annotator decodes a Datagram into a Dump using rtnl's schema: the
// nlmsghdr with its type and flags by name (the flags of GET, NEW and DEL
// requests and of acks each have their own names for the high byte); the
// family header field by field (ifinfomsg, ifaddrmsg, rtmsg, ndmsg,
// rtgenmsg), values by the kernel's names (AF_INET, ARPHRD_ETHER,
// IFF_UP|IFF_LOWER_UP, RT_TABLE_MAIN, NUD_PERMANENT); then each attribute
// with its nla_len and nla_type, its name resolved in its space (IFLA_* at
// the top, IFLA_INFO_* inside IFLA_LINKINFO, the kind's own space inside
// IFLA_INFO_DATA and IFLA_INFO_SLAVE_DATA, chosen by the IFLA_INFO_KIND
// beside it through the rtnl.Kinds given), its value, and its padding. A
// nest that starts with a struct, such as VETH_INFO_PEER, shows the struct
// (the peer's ifinfomsg) before the nested attributes.
//
// NLMSG_ERROR shows the errno by name, the echoed request (whole, decoded
// as a message, or only its header when the ack is NLM_F_CAPPED), and the
// extended-ack TLVs: the kernel's message, and the attribute path that
// NLMSGERR_ATTR_OFFS points at in the request. The request comes from the
// echo, or, for a capped ack, from the requests the Annotator saw sent
// (or from Annotator.Request). NLMSG_DONE shows the dump's errno and TLVs.
//
// Nothing makes the annotator fail or panic. A length that runs past its
// container is reported as truncated and what is there is decoded; bytes
// that cannot be framed are shown raw with the reason; an attribute type
// the space does not know is shown by number with its bytes. Every byte of
// the datagram appears exactly once in the text view, in order.
//
// Dump.WriteText prints one line per field: the offset in the datagram,
// the bytes in hex (eight a line), and what they are, nested parts
// indented and values aligned:
//
//	sent: 92 bytes, 1 message
//	                               nlmsghdr
//	0000  5c 00 00 00                nlmsg_len         92
//	0004  10 00                      nlmsg_type        RTM_NEWLINK (16)
//	0006  05 06                      nlmsg_flags       NLM_F_REQUEST|NLM_F_ACK|NLM_F_EXCL|NLM_F_CREATE (0x605)
//	...
//	0020  0a 00 03 00              IFLA_IFNAME         nla_len 10, nla_type 3
//	0024  76 65 74 68 30 00          "veth0"
//	002a  00 00                      padding
//
// The README in this directory walks through `ip link add veth0 type veth
// peer name veth1` and its ack this way; a test keeps it equal to what the
// code prints.
//
// A Dump marshals to JSON with stable keys: per datagram its direction
// and messages; per message type, type_name, flags, flag_names, seq, pid,
// header (the family header's fields), attributes (a tree of name, type,
// length, value), and error or done.
//
// # pcap
//
// PcapWriter writes pcap files of link type LINKTYPE_NETLINK (253), each
// frame one datagram after the 16-byte header an nlmon device produces.
// That header has the layout of the Linux cooked-mode (SLL) header, every
// field in network byte order:
//
//	offset 0   packet type      2 bytes  which way the frame went
//	offset 2   ARPHRD_ type     2 bytes  ARPHRD_NETLINK, 824
//	offset 4   address length   2 bytes  0
//	offset 6   address          8 bytes  zero
//	offset 14  protocol         2 bytes  the netlink protocol: NETLINK_ROUTE, 0
//
// The datagram follows in the capturing host's byte order. Wireshark's
// netlink dissector checks the ARPHRD_ type, picks the rtnetlink dissector
// by the protocol, and skips the packet type (it guesses the direction
// from nlmsg_pid instead). The writer records the direction with
// libpcap's values: LINUX_SLL_OUTGOING (4, "sent by us") for a datagram
// sent to the kernel, LINUX_SLL_HOST (0, "to us") for one received from
// it.
//
// PcapReader reads these files back, and pcap and pcapng captures made on
// an nlmon device (tcpdump -i nlmon0 -w, dumpcap). The kernel's tap marks
// every frame as transmitted on the nlmon device, so such captures carry
// 4 whatever the direction: the reader takes a frame marked 4 whose first
// message lacks NLM_F_REQUEST (which the kernel never sets) as received.
// PACKET_USER (6) and PACKET_KERNEL (7), the kernel's own marks for a
// message from a user socket and from the kernel, read as sent and
// received. Frames of other netlink protocols are skipped and counted.
//
// # Input
//
// ReadDatagrams reads a capture, the output of strace -xx (best with
// -e write=all -e read=all, whose hex dumps hold every byte), or plain hex,
// and tells them apart by themselves. Lines strace writes about the
// processes it follows ("+++ exited with 1 +++", "--- SIGCHLD ... ---",
// "<unfinished ...>") are strace's and hold no bytes: a trace of a
// program that sent nothing reads as strace with no datagram.
//
// # How the command line uses it
//
// cmd/linkbox/wire.go turns its switches into what each connection is
// dialled with (env.dial); a run may open several connections, one per
// namespace.
//
// --trace: every connection gets an Annotator of its own (an annotator
// matches acks to the requests it saw by sequence number, and sequence
// numbers are per connection), whose dumps go to stderr, each followed by
// a blank line.
//
//	ann := wire.NewAnnotator(kinds)
//	cfg.Trace = wire.Tee(cfg.Trace, func(dir rtnl.Direction, b []byte) {
//		ann.Annotate(wire.Datagram{Dir: dir, Data: b}).WriteText(os.Stderr)
//		io.WriteString(os.Stderr, "\n")
//	})
//	conn, err := rtnl.Dial(cfg)
//
// (Annotator.Tracer does the same in one call; the CLI writes the dumps
// itself to hold a lock across each and to title some of them.)
//
// --pcap FILE: the same trace function writes every datagram to one
// PcapWriter shared by all connections of the run. LINKBOX_PCAP=FILE
// appends to a netlink pcap file that is there already, dropping the
// header the new writer writes, so that a script's many commands leave
// one capture.
//
//	pw, err := wire.NewPcapWriter(f)
//	// in the trace function: pw.Trace(dir, b); at the end, check pw.Err()
//
// --dry-run: build the requests, send none. rtnl.DialSocket opens the
// real socket bare, and the CLI wraps it in a socket of its own before it
// hands it to rtnl.NewConn. GET requests change nothing and need no
// privilege, so they go to the kernel through the real socket, and names
// resolve to indexes. Every other datagram is printed to stdout as a dump
// titled "would send", written to the pcap file as if sent, and handed to
// a DryRun, which answers it as the kernel answers success (an ack where
// one is asked for, NLMSG_DONE for a dump); the held requests are the
// bytes the command really sends.
//
//	sock, pid, err := rtnl.DialSocket(cfg)
//	hold := &wire.DryRun{Pid: pid} // no Forward: the wrapper forwards GETs
//	// wrapper.Send(b): GET -> sock.Send(b); else print b, hold.Send(b)
//	// wrapper.Receive(): made-up answers first (hold.Receive()), then sock
//	conn := rtnl.NewConn(wrapper, pid, &rtnl.Config{Kinds: kinds})
//
// The CLI does not set DryRun.Forward because it must know which answers
// it made up: it titles them "would receive" in --trace, keeps them out of
// the pcap file, and makes up more than acks, namely the echo of a request
// with NLM_F_ECHO (brctl addbr reads it) and, for a link the dry run
// pretends to create, a made-up index and answers to later lookups of its
// name (the next lines of ip -batch). A program without those needs is
// served by Forward:
//
//	dry := &wire.DryRun{Pid: pid, Forward: sock}
//	conn := rtnl.NewConn(dry, pid, &rtnl.Config{Kinds: kinds, Trace: ann.Tracer(os.Stdout)})
//
// linkbox decode [-j] [FILE|-]: read, annotate, print.
//
//	ds, _, err := wire.ReadDatagrams(r)
//	dumps := wire.NewAnnotator(kinds).AnnotateAll(ds)
//	// text: for each dump, d.WriteText(os.Stdout) and a blank line
//	// -j: json.NewEncoder(os.Stdout).Encode(dumps)
//
// The kinds are the link kinds the binary knows: veth.Kind, bridge.Kind
// and bridge.PortKind.
package wire
