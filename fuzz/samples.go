package fuzz

import (
	"net"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/bridge"
	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/veth"
)

// Kinds are the link kinds linkbox knows, for decoders and for
// rtnl.Validate: veth, bridge and the bridge port.
var Kinds = rtnl.Kinds{veth.Kind, bridge.Kind, bridge.PortKind}

// A Sample is a well-formed request, built by linkbox's own encoders, for
// seeding a fuzzer or a test: mutating it explores the neighbourhood of
// what the kernel really receives.
type Sample struct {
	// Name is the command line the request stands for, in iproute2's
	// words.
	Name string
	// Request is the request; Request.Encode(seq) gives its bytes, with
	// NLM_F_REQUEST set. Flags hold what the command asks for beyond it
	// (NLM_F_ACK, NLM_F_CREATE|NLM_F_EXCL, NLM_F_DUMP, ...).
	Request rtnl.Request
}

// Bytes returns the sample's wire form with sequence number 1.
func (s Sample) Bytes() ([]byte, error) { return s.Request.Encode(1) }

// Samples returns one request for each kind of message linkbox builds:
// link changes, veth pairs, bridges and their ports, addresses, routes,
// neighbours, FDB entries, namespace ids, and dumps of each. Every sample
// passes rtnl.Validate with Kinds. Each call builds them afresh, so the
// caller may change them.
func Samples() []Sample {
	var out []Sample
	add := func(name string, typ, flags uint16, p rtnl.Payload) {
		out = append(out, Sample{Name: name, Request: rtnl.Request{Type: typ, Flags: flags, Payload: p}})
	}
	const (
		ack    = unix.NLM_F_ACK
		create = unix.NLM_F_ACK | unix.NLM_F_CREATE | unix.NLM_F_EXCL
		dump   = unix.NLM_F_DUMP
	)
	link := func(index int32, a rtnl.LinkAttrs) *rtnl.LinkMessage {
		return &rtnl.LinkMessage{Index: index, Attrs: a}
	}
	mac := net.HardwareAddr{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01}

	// Links.
	add("ip link set dev v0 up", unix.RTM_NEWLINK, ack, &rtnl.LinkMessage{Index: 3, Flags: unix.IFF_UP, Change: unix.IFF_UP})
	add("ip link set dev v0 down", unix.RTM_NEWLINK, ack, &rtnl.LinkMessage{Index: 3, Change: unix.IFF_UP})
	add("ip link set dev v0 mtu 1400", unix.RTM_NEWLINK, ack, link(3, rtnl.LinkAttrs{MTU: 1400}))
	add("ip link set dev v0 name v9", unix.RTM_NEWLINK, ack, link(3, rtnl.LinkAttrs{Name: "v9"}))
	add("ip link set dev v0 address 02:00:5e:10:00:01", unix.RTM_NEWLINK, ack, link(3, rtnl.LinkAttrs{Address: mac}))
	add("ip link set dev v0 alias uplink", unix.RTM_NEWLINK, ack, link(3, rtnl.LinkAttrs{Alias: new("uplink")}))
	add("ip link set dev v0 txqueuelen 500", unix.RTM_NEWLINK, ack, link(3, rtnl.LinkAttrs{TxQLen: new(uint32(500))}))
	add("ip link set dev v0 group 7", unix.RTM_NEWLINK, ack, link(3, rtnl.LinkAttrs{Group: new(uint32(7))}))
	add("ip link set dev v0 master br0", unix.RTM_NEWLINK, ack, link(3, rtnl.LinkAttrs{Master: new(uint32(4))}))
	add("ip link set dev v0 nomaster", unix.RTM_NEWLINK, ack, link(3, rtnl.LinkAttrs{Master: new(uint32(0))}))
	add("ip link set dev v0 netns blue", unix.RTM_NEWLINK, ack, link(3, rtnl.LinkAttrs{NetNSFD: new(uint32(5))}))
	add("ip link set dev v0 netns 4242", unix.RTM_NEWLINK, ack, link(3, rtnl.LinkAttrs{NetNSPID: 4242}))
	add("ip link del dev v0", unix.RTM_DELLINK, ack, link(3, rtnl.LinkAttrs{}))
	add("ip link del group 7", unix.RTM_DELLINK, ack, link(0, rtnl.LinkAttrs{Group: new(uint32(7))}))
	add("ip link show dev v0", unix.RTM_GETLINK, ack, link(0, rtnl.LinkAttrs{Name: "v0", ExtMask: 9}))
	add("ip link show", unix.RTM_GETLINK, dump, &rtnl.LinkMessage{Family: unix.AF_PACKET, Attrs: rtnl.LinkAttrs{ExtMask: 1}})
	add("ip link show master br0", unix.RTM_GETLINK, dump, &rtnl.LinkMessage{Family: unix.AF_PACKET, Attrs: rtnl.LinkAttrs{ExtMask: 1, Master: new(uint32(4))}})

	// veth pairs.
	for _, p := range []struct {
		name string
		pair veth.Pair
	}{
		{"ip link add v0 type veth peer name v1", veth.Pair{End: veth.End{Name: "v0"}, Peer: veth.End{Name: "v1"}}},
		{"ip link add v0 up mtu 9000 master br0 type veth peer name v1 netns blue", veth.Pair{
			End: veth.End{Name: "v0", MTU: 9000, Up: true}, Peer: veth.End{Name: "v1", NetNSFD: 5}, Master: 4}},
		{"ip link add v0 address 02:00:5e:10:00:01 txqueuelen 100 type veth peer name v1 address 02:00:5e:10:00:02 numtxqueues 2 numrxqueues 2 netns 4242", veth.Pair{
			End:  veth.End{Name: "v0", Address: mac, TxQLen: new(uint32(100))},
			Peer: veth.End{Name: "v1", Address: net.HardwareAddr{0x02, 0x00, 0x5e, 0x10, 0x00, 0x02}, NumTxQueues: 2, NumRxQueues: 2, NetNSPID: 4242}}},
		{"ip link add type veth", veth.Pair{}},
	} {
		m, err := p.pair.Request()
		if err != nil {
			panic("fuzz: sample " + p.name + ": " + err.Error())
		}
		add(p.name, unix.RTM_NEWLINK, create, m)
	}

	// Bridges and their ports.
	stp := bridge.STPOn
	add("ip link add br0 type bridge", unix.RTM_NEWLINK, create, bridge.NewRequest("br0", nil))
	add("ip link add br0 type bridge stp_state 1 forward_delay 400 hello_time 200 max_age 2000 ageing_time 30000 priority 4096 vlan_filtering 1 vlan_protocol 802.1ad vlan_default_pvid 10 group_address 01:80:c2:00:00:0e mcast_snooping 0 mcast_querier_interval 25500 nf_call_iptables 1",
		unix.RTM_NEWLINK, create, bridge.NewRequest("br0", &bridge.Info{
			STPState:               &stp,
			ForwardDelay:           new(4 * time.Second),
			HelloTime:              new(2 * time.Second),
			MaxAge:                 new(20 * time.Second),
			AgeingTime:             new(300 * time.Second),
			Priority:               new(uint16(4096)),
			VLANFiltering:          new(true),
			VLANProtocol:           unix.ETH_P_8021AD,
			VLANDefaultPVID:        new(uint16(10)),
			GroupAddr:              net.HardwareAddr{0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e},
			McastSnooping:          new(false),
			McastQuerierIntvl:      new(255 * time.Second),
			NFCallIPTables:         new(true),
			BoolOpts:               &bridge.BoolOpts{Value: 1, Mask: 1},
			McastStartupQueryCount: new(uint32(3)),
		}))
	add("ip link set dev br0 type bridge stp_state 0 fdb_flush", unix.RTM_NEWLINK, ack,
		bridge.SetRequest(4, &bridge.Info{STPState: new(bridge.STPOff), FDBFlush: true}))
	state := bridge.PortState(3)
	add("ip link set dev v0 type bridge_slave cost 10 priority 3 state 3 learning off hairpin on flush", unix.RTM_NEWLINK, ack,
		bridge.SetPortRequest(3, &bridge.PortInfo{Cost: new(uint32(10)), Priority: new(uint16(3)), State: &state, Learning: new(false), Hairpin: new(true), Flush: true}))

	// Addresses.
	type addr struct {
		name  string
		cmd   uint16
		flags uint16
		local string
		o     *rtnl.AddrOptions
	}
	for _, a := range []addr{
		{"ip addr add 198.18.0.1/24 dev v0", unix.RTM_NEWADDR, create, "198.18.0.1/24", nil},
		{"ip addr add 198.18.0.1/24 brd + label v0:1 metric 5 proto 99 dev v0", unix.RTM_NEWADDR, create, "198.18.0.1/24",
			&rtnl.AddrOptions{AutoBroadcast: true, Label: "v0:1", Metric: 5, Proto: 99}},
		{"ip addr add 198.18.0.1 peer 198.18.1.1/32 dev v0", unix.RTM_NEWADDR, create, "198.18.0.1/32",
			&rtnl.AddrOptions{Peer: netip.MustParsePrefix("198.18.1.1/32")}},
		{"ip addr add 2001:db8::1/64 dev v0 nodad noprefixroute valid_lft 100 preferred_lft 50", unix.RTM_NEWADDR, create, "2001:db8::1/64",
			&rtnl.AddrOptions{Flags: unix.IFA_F_NODAD | unix.IFA_F_NOPREFIXROUTE, ValidLifetime: new(uint32(100)), PreferredLifetime: new(uint32(50))}},
		{"ip addr replace 198.18.0.1/24 dev v0 scope link", unix.RTM_NEWADDR, unix.NLM_F_ACK | unix.NLM_F_CREATE | unix.NLM_F_REPLACE, "198.18.0.1/24",
			&rtnl.AddrOptions{Scope: new(uint8(unix.RT_SCOPE_LINK))}},
		{"ip addr del 198.18.0.1/24 dev v0", unix.RTM_DELADDR, ack, "198.18.0.1/24", nil},
	} {
		m, err := rtnl.NewAddressMessage(a.cmd, 3, netip.MustParsePrefix(a.local), a.o)
		if err != nil {
			panic("fuzz: sample " + a.name + ": " + err.Error())
		}
		add(a.name, a.cmd, a.flags, m)
	}
	add("ip addr show", unix.RTM_GETADDR, dump, &rtnl.AddressMessage{})

	// Routes.
	type route struct {
		name  string
		cmd   uint16
		flags uint16
		dst   string
		o     *rtnl.RouteOptions
	}
	for _, r := range []route{
		{"ip route add 198.18.2.0/24 dev v0", unix.RTM_NEWROUTE, create, "198.18.2.0/24", &rtnl.RouteOptions{OIF: 3}},
		{"ip route add 198.18.2.0/24 via 198.18.0.2 metric 10 table 1000 src 198.18.0.1 dev v0", unix.RTM_NEWROUTE, create, "198.18.2.0/24",
			&rtnl.RouteOptions{Gateway: netip.MustParseAddr("198.18.0.2"), Metric: 10, Table: 1000, PrefSrc: netip.MustParseAddr("198.18.0.1"), OIF: 3}},
		{"ip route add default via 198.18.0.254", unix.RTM_NEWROUTE, create, "", &rtnl.RouteOptions{Gateway: netip.MustParseAddr("198.18.0.254")}},
		{"ip route add 198.18.3.0/24 via inet6 2001:db8::2 dev v0", unix.RTM_NEWROUTE, create, "198.18.3.0/24",
			&rtnl.RouteOptions{Gateway: netip.MustParseAddr("2001:db8::2"), OIF: 3}},
		{"ip -6 route add 2001:db8:1::/64 via 2001:db8::2 dev v0 pref high onlink", unix.RTM_NEWROUTE, create, "2001:db8:1::/64",
			&rtnl.RouteOptions{Gateway: netip.MustParseAddr("2001:db8::2"), OIF: 3, Pref: new(uint8(1)), Flags: unix.RTNH_F_ONLINK}},
		{"ip route add local 198.18.4.1 dev v0 table 5 proto static", unix.RTM_NEWROUTE, create, "198.18.4.1/32",
			&rtnl.RouteOptions{Type: unix.RTN_LOCAL, OIF: 3, Table: 5, Protocol: unix.RTPROT_STATIC}},
		{"ip route del 198.18.2.0/24 dev v0", unix.RTM_DELROUTE, ack, "198.18.2.0/24", &rtnl.RouteOptions{OIF: 3}},
	} {
		dst := netip.Prefix{}
		if r.dst != "" {
			dst = netip.MustParsePrefix(r.dst)
		}
		m, err := rtnl.NewRouteMessage(r.cmd, dst, r.o)
		if err != nil {
			panic("fuzz: sample " + r.name + ": " + err.Error())
		}
		add(r.name, r.cmd, r.flags, m)
	}
	add("ip route show table all", unix.RTM_GETROUTE, dump, &rtnl.RouteMessage{})

	// Neighbours and the bridge FDB.
	add("ip neigh add 198.18.0.2 lladdr 02:00:5e:10:00:01 dev v0 nud permanent", unix.RTM_NEWNEIGH, create, &rtnl.NeighMessage{
		Family: unix.AF_INET, Index: 3, State: unix.NUD_PERMANENT,
		Attrs: rtnl.NeighAttrs{Dst: netip.MustParseAddr("198.18.0.2"), LLAddr: mac}})
	add("ip -6 neigh replace 2001:db8::2 lladdr 02:00:5e:10:00:01 dev v0 nud reachable protocol 4", unix.RTM_NEWNEIGH, unix.NLM_F_ACK|unix.NLM_F_CREATE|unix.NLM_F_REPLACE, &rtnl.NeighMessage{
		Family: unix.AF_INET6, Index: 3, State: unix.NUD_REACHABLE,
		Attrs: rtnl.NeighAttrs{Dst: netip.MustParseAddr("2001:db8::2"), LLAddr: mac, Protocol: 4}})
	add("ip neigh del 198.18.0.2 dev v0", unix.RTM_DELNEIGH, ack, &rtnl.NeighMessage{
		Family: unix.AF_INET, Index: 3, Attrs: rtnl.NeighAttrs{Dst: netip.MustParseAddr("198.18.0.2")}})
	add("bridge fdb add 02:00:5e:10:00:01 dev v0 master static", unix.RTM_NEWNEIGH, create, bridge.FDBRequest(3, mac, nil))
	add("bridge fdb add 02:00:5e:10:00:01 dev v0 master static vlan 10", unix.RTM_NEWNEIGH, create, bridge.FDBRequest(3, mac, &bridge.FDBOptions{VLAN: 10}))
	add("bridge fdb add 02:00:5e:10:00:01 dev br0 master local", unix.RTM_NEWNEIGH, create, bridge.FDBRequest(4, mac, &bridge.FDBOptions{Local: true}))
	add("bridge fdb show br br0", unix.RTM_GETNEIGH, dump, &rtnl.NeighMessage{Family: unix.AF_BRIDGE, Attrs: rtnl.NeighAttrs{Master: new(uint32(4))}})
	add("ip neigh show", unix.RTM_GETNEIGH, dump, &rtnl.NeighMessage{})

	// Namespace ids.
	add("ip netns set blue 7", unix.RTM_NEWNSID, ack, &rtnl.NSIDMessage{Attrs: rtnl.NSIDAttrs{FD: new(uint32(5)), NSID: new(int32(7))}})
	add("ip netns set blue auto", unix.RTM_NEWNSID, ack, &rtnl.NSIDMessage{Attrs: rtnl.NSIDAttrs{FD: new(uint32(5)), NSID: new(int32(rtnl.NSIDNotAssigned))}})
	add("ip netns identify (of pid 4242)", unix.RTM_GETNSID, ack, &rtnl.NSIDMessage{Attrs: rtnl.NSIDAttrs{PID: 4242}})
	add("ip netns list-id", unix.RTM_GETNSID, dump, &rtnl.NSIDMessage{})
	return out
}
