package bridge

import (
	"errors"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// addVeth makes a veth pair in the sandbox with both ends up (so that a
// port made of one end has a carrier) and returns the first end's index.
func addVeth(t *testing.T, c *rtnl.Conn, name, peer string) int32 {
	t.Helper()
	// A raw veth request: the bridge package does not depend on veth.
	m := &rtnl.LinkMessage{Flags: unix.IFF_UP, Change: unix.IFF_UP, Attrs: rtnl.LinkAttrs{Name: name, Info: &rtnl.LinkInfo{
		Kind: "veth", Data: &rtnl.RawData{Name: "veth", Data: peerData(peer)},
	}}}
	if _, err := c.AddLink(m, false); err != nil {
		t.Fatalf("adding veth %s: %v", name, err)
	}
	idx, err := c.LinkIndex(name)
	if err != nil {
		t.Fatal(err)
	}
	pidx, err := c.LinkIndex(peer)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetLinkUp(pidx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.DeleteLink(idx) })
	return idx
}

// peerData is VETH_INFO_PEER naming the peer.
func peerData(name string) []byte {
	e := rtnl.NewEncoder(nil)
	e.Nest(1, (&rtnl.LinkMessage{Attrs: rtnl.LinkAttrs{Name: name}}).Encode)
	b, _ := e.Encode()
	return b
}

func addBridge(t *testing.T, c *rtnl.Conn, name string, info *Info) *rtnl.LinkMessage {
	t.Helper()
	l, err := Add(c, name, info)
	if err != nil {
		t.Fatalf("Add(%s): %v", name, err)
	}
	t.Cleanup(func() { c.DeleteLink(l.Index) })
	return l
}

type check struct {
	name      string
	want, got any
}

func runChecks(t *testing.T, cs []check) {
	t.Helper()
	for _, c := range cs {
		if c.want != c.got {
			t.Errorf("%s: want %v, got %v", c.name, c.want, c.got)
		}
	}
}

// deref gives the value a pointer points to, or the zero value for nil
// (shown as such in a failure).
func deref[T any](p *T) any {
	if p == nil {
		return "<not reported>"
	}
	return *p
}

// TestBridgeSettings sets every bridge setting the sandbox kernel supports
// at creation, reads them back from the kernel, changes some with Set, and
// reads again.
func TestBridgeSettings(t *testing.T) {
	c := dial(t)
	grp, _ := net.ParseMAC("01:80:c2:00:00:0e")
	in := &Info{
		STPState:                new(STPOn),
		ForwardDelay:            new(4 * time.Second),
		HelloTime:               new(1 * time.Second),
		MaxAge:                  new(10 * time.Second),
		AgeingTime:              new(60 * time.Second),
		Priority:                new(uint16(4096)),
		GroupFwdMask:            new(uint16(0x4000)),
		GroupAddr:               grp,
		McastRouter:             new(uint8(2)),
		McastSnooping:           new(false),
		McastQueryUseIfaddr:     new(true),
		McastQuerier:            new(true),
		McastHashElasticity:     new(uint32(32)),
		McastHashMax:            new(uint32(8192)),
		McastLastMemberCount:    new(uint32(3)),
		McastStartupQueryCount:  new(uint32(4)),
		McastLastMemberIntvl:    new(2 * time.Second),
		McastMembershipIntvl:    new(200 * time.Second),
		McastQuerierIntvl:       new(100 * time.Second),
		McastQueryIntvl:         new(50 * time.Second),
		McastQueryResponseIntvl: new(5 * time.Second),
		McastStartupQueryIntvl:  new(20 * time.Second),
		McastStatsEnabled:       new(true),
		McastIGMPVersion:        new(uint8(3)),
		McastMLDVersion:         new(uint8(2)),
		NFCallIPTables:          new(true),
		NFCallIP6Tables:         new(true),
		NFCallARPTables:         new(true),
		FDBMaxLearned:           new(uint32(100)),
		BoolOpts:                new(BoolOpts{}.Set(BoolNoLinkLocalLearn, true)),
	}
	l := addBridge(t, c, "br0", in)
	x, err := Get(c, l.Index)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	runChecks(t, []check{
		{"stp_state", STPKernel, deref(x.STPState)}, // outside the initial namespace the kernel runs STP itself
		{"forward_delay", 4 * time.Second, deref(x.ForwardDelay)},
		{"hello_time", time.Second, deref(x.HelloTime)},
		{"max_age", 10 * time.Second, deref(x.MaxAge)},
		{"ageing_time", 60 * time.Second, deref(x.AgeingTime)},
		{"priority", uint16(4096), deref(x.Priority)},
		{"bridge id priority", uint16(4096), x.BridgeID.Priority},
		{"group_fwd_mask", uint16(0x4000), deref(x.GroupFwdMask)},
		{"group_address", grp.String(), x.GroupAddr.String()},
		{"mcast_router", uint8(2), deref(x.McastRouter)},
		{"mcast_snooping", false, deref(x.McastSnooping)},
		{"mcast_query_use_ifaddr", true, deref(x.McastQueryUseIfaddr)},
		{"mcast_querier", true, deref(x.McastQuerier)},
		// Deprecated: the kernel keeps reporting RHT_ELASTICITY.
		{"mcast_hash_elasticity", uint32(16), deref(x.McastHashElasticity)},
		{"mcast_hash_max", uint32(8192), deref(x.McastHashMax)},
		{"mcast_last_member_count", uint32(3), deref(x.McastLastMemberCount)},
		{"mcast_startup_query_count", uint32(4), deref(x.McastStartupQueryCount)},
		{"mcast_last_member_interval", 2 * time.Second, deref(x.McastLastMemberIntvl)},
		{"mcast_membership_interval", 200 * time.Second, deref(x.McastMembershipIntvl)},
		{"mcast_querier_interval", 100 * time.Second, deref(x.McastQuerierIntvl)},
		{"mcast_query_interval", 50 * time.Second, deref(x.McastQueryIntvl)},
		{"mcast_query_response_interval", 5 * time.Second, deref(x.McastQueryResponseIntvl)},
		{"mcast_startup_query_interval", 20 * time.Second, deref(x.McastStartupQueryIntvl)},
		{"mcast_stats_enabled", true, deref(x.McastStatsEnabled)},
		{"mcast_igmp_version", uint8(3), deref(x.McastIGMPVersion)},
		{"mcast_mld_version", uint8(2), deref(x.McastMLDVersion)},
		{"nf_call_iptables", true, deref(x.NFCallIPTables)},
		{"nf_call_ip6tables", true, deref(x.NFCallIP6Tables)},
		{"nf_call_arptables", true, deref(x.NFCallARPTables)},
		{"fdb_max_learned", uint32(100), deref(x.FDBMaxLearned)},
		{"no_linklocal_learn", true, x.BoolOpts != nil && x.BoolOpts.Has(BoolNoLinkLocalLearn)},
	})

	// Change a few with Set: only those are sent.
	err = Set(c, l.Index, &Info{STPState: new(STPOff), Priority: new(uint16(8192)), AgeingTime: new(time.Duration(0)),
		McastSnooping: new(true), BoolOpts: new(BoolOpts{}.Set(BoolNoLinkLocalLearn, false)), FDBFlush: true})
	if err != nil {
		t.Fatalf("Set: %v", err)
	}
	if x, err = Get(c, l.Index); err != nil {
		t.Fatalf("Get: %v", err)
	}
	runChecks(t, []check{
		{"stp_state", STPOff, deref(x.STPState)},
		{"priority", uint16(8192), deref(x.Priority)},
		{"ageing_time", time.Duration(0), deref(x.AgeingTime)},
		{"mcast_snooping", true, deref(x.McastSnooping)},
		{"no_linklocal_learn", false, x.BoolOpts.Has(BoolNoLinkLocalLearn)},
		{"forward_delay (unchanged)", 4 * time.Second, deref(x.ForwardDelay)},
		{"mcast_hash_max (unchanged)", uint32(8192), deref(x.McastHashMax)},
	})
}

// TestPortSettings sets every port setting the sandbox kernel supports and
// reads them back.
func TestPortSettings(t *testing.T) {
	c := dial(t)
	br := addBridge(t, c, "br1", nil)
	if err := c.SetLinkUp(br.Index); err != nil {
		t.Fatal(err)
	}
	p1 := addVeth(t, c, "p1", "p1peer")
	p2 := addVeth(t, c, "p2", "p2peer")
	for _, p := range []int32{p1, p2} {
		if err := AddPort(c, br.Index, p); err != nil {
			t.Fatalf("AddPort: %v", err)
		}
		waitPortState(t, c, p, PortForwarding)
	}
	in := &PortInfo{
		// With STP off the kernel reruns its port state selection right
		// away, which turns BLOCKING into FORWARDING; LEARNING stays.
		State:              new(PortLearning),
		Priority:           new(uint16(10)),
		Cost:               new(uint32(100)),
		Hairpin:            new(true),
		Guard:              new(true),
		RootBlock:          new(true),
		FastLeave:          new(true),
		Learning:           new(true),
		UnicastFlood:       new(false),
		McastFlood:         new(false),
		BcastFlood:         new(false),
		McastToUnicast:     new(true),
		ProxyARP:           new(true),
		McastRouter:        new(uint8(2)),
		NeighSuppress:      new(true),
		GroupFwdMask:       new(uint16(0x4000)),
		Isolated:           new(true),
		Locked:             new(true),
		MAB:                new(true),
		BackupPort:         new(uint32(p2)),
		McastEHTHostsLimit: new(uint32(100)),
		McastMaxGroups:     new(uint32(50)),
	}
	if err := SetPort(c, p1, in); err != nil {
		t.Fatalf("SetPort: %v", err)
	}
	ports, err := Ports(c, br.Index)
	if err != nil {
		t.Fatalf("Ports: %v", err)
	}
	if want, got := 2, len(ports); want != got {
		t.Fatalf("ports of br1: want %d, got %d", want, got)
	}
	if want, got := p1, ports[0].Link.Index; want != got {
		t.Fatalf("first port: want index %d, got %d", want, got)
	}
	x := ports[0].Info
	runChecks(t, []check{
		{"state", PortLearning, deref(x.State)},
		{"priority", uint16(10), deref(x.Priority)},
		{"cost", uint32(100), deref(x.Cost)},
		{"port id", uint16(10<<10 | 1), x.ID},
		{"port no", uint16(1), x.No},
		{"hairpin", true, deref(x.Hairpin)},
		{"guard", true, deref(x.Guard)},
		{"root_block", true, deref(x.RootBlock)},
		{"fastleave", true, deref(x.FastLeave)},
		{"learning", true, deref(x.Learning)},
		{"flood", false, deref(x.UnicastFlood)},
		{"mcast_flood", false, deref(x.McastFlood)},
		{"bcast_flood", false, deref(x.BcastFlood)},
		{"mcast_to_unicast", true, deref(x.McastToUnicast)},
		{"proxy_arp", true, deref(x.ProxyARP)},
		{"mcast_router", uint8(2), deref(x.McastRouter)},
		{"neigh_suppress", true, deref(x.NeighSuppress)},
		{"group_fwd_mask", uint16(0x4000), deref(x.GroupFwdMask)},
		{"isolated", true, deref(x.Isolated)},
		{"locked", true, deref(x.Locked)},
		{"mab", true, deref(x.MAB)},
		{"backup_port", uint32(p2), deref(x.BackupPort)},
		{"mcast_eht_hosts_limit", uint32(100), deref(x.McastEHTHostsLimit)},
		{"mcast_max_groups", uint32(50), deref(x.McastMaxGroups)},
	})

	// Turn a few back, and detach the port.
	if err := SetPort(c, p1, &PortInfo{Hairpin: new(false), Isolated: new(false), BackupPort: new(uint32(0)), Flush: true}); err != nil {
		t.Fatalf("SetPort: %v", err)
	}
	l, err := c.LinkByIndex(p1)
	if err != nil {
		t.Fatal(err)
	}
	if x, err = PortInfoOf(l); err != nil {
		t.Fatal(err)
	}
	runChecks(t, []check{
		{"hairpin", false, deref(x.Hairpin)},
		{"isolated", false, deref(x.Isolated)},
		{"backup_port", "<not reported>", deref(x.BackupPort)},
		{"cost (unchanged)", uint32(100), deref(x.Cost)},
	})
	if err := RemovePort(c, p1); err != nil {
		t.Fatalf("RemovePort: %v", err)
	}
	if ports, err = Ports(c, br.Index); err != nil || len(ports) != 1 || ports[0].Link.Index != p2 {
		t.Errorf("after RemovePort: want only p2 (%d), got %d ports, %v", p2, len(ports), err)
	}
	if l, err = c.LinkByIndex(p1); err != nil {
		t.Fatal(err)
	}
	if _, err := PortInfoOf(l); !errors.Is(err, ErrNotBridge) {
		t.Errorf("PortInfoOf a detached link: want ErrNotBridge, got %v", err)
	}
}

// TestNoVLANFiltering checks the error on a kernel without bridge VLAN
// filtering: clear, and nothing left behind.
func TestNoVLANFiltering(t *testing.T) {
	c := dial(t)
	br := addBridge(t, c, "br2", nil)
	x, err := Get(c, br.Index)
	if err != nil {
		t.Fatal(err)
	}
	if x.HasVLANFiltering() {
		t.Skip("skipped: this kernel has bridge VLAN filtering; TestVLANSettings covers it")
	}
	if err := Set(c, br.Index, &Info{VLANFiltering: new(true)}); !errors.Is(err, ErrNoVLANFiltering) {
		t.Errorf("Set vlan_filtering: want ErrNoVLANFiltering, got %v", err)
	}
	if err := Set(c, br.Index, &Info{VLANDefaultPVID: new(uint16(10))}); !errors.Is(err, ErrNoVLANFiltering) {
		t.Errorf("Set vlan_default_pvid (which such a kernel ignores silently): want ErrNoVLANFiltering, got %v", err)
	}
	// The kernel's own answer, without linkbox's check.
	err = c.SetLink(SetRequest(br.Index, &Info{VLANFiltering: new(true)}))
	if !errors.Is(err, unix.EOPNOTSUPP) {
		t.Errorf("raw vlan_filtering: want EOPNOTSUPP from the kernel, got %v", err)
	}
	if _, err := Add(c, "br3", &Info{VLANDefaultPVID: new(uint16(10))}); !errors.Is(err, ErrNoVLANFiltering) {
		t.Errorf("Add with vlan_default_pvid: want ErrNoVLANFiltering, got %v", err)
	}
	if _, err := c.LinkByName("br3"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("after the refused Add: want no br3, got %v", err)
	}
}

// TestVLANSettings sets and reads back the VLAN settings where the kernel
// has them.
func TestVLANSettings(t *testing.T) {
	c := dial(t)
	br := addBridge(t, c, "br4", nil)
	x, err := Get(c, br.Index)
	if err != nil {
		t.Fatal(err)
	}
	if !x.HasVLANFiltering() {
		t.Skip("skipped: this kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING is not set; it reports no IFLA_BR_VLAN_PROTOCOL)")
	}
	in := &Info{VLANFiltering: new(true), VLANProtocol: unix.ETH_P_8021AD, VLANDefaultPVID: new(uint16(10)),
		VLANStatsEnabled: new(true), VLANStatsPerPort: new(true)}
	if err := Set(c, br.Index, in); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if x, err = Get(c, br.Index); err != nil {
		t.Fatal(err)
	}
	runChecks(t, []check{
		{"vlan_filtering", true, deref(x.VLANFiltering)},
		{"vlan_protocol", uint16(unix.ETH_P_8021AD), x.VLANProtocol},
		{"vlan_default_pvid", uint16(10), deref(x.VLANDefaultPVID)},
		{"vlan_stats_enabled", true, deref(x.VLANStatsEnabled)},
		{"vlan_stats_per_port", true, deref(x.VLANStatsPerPort)},
	})
}

// TestKernelDumpRoundTrip: every link the kernel reports, bridge and port
// data included, re-encodes to the same bytes.
func TestKernelDumpRoundTrip(t *testing.T) {
	c := dial(t)
	br := addBridge(t, c, "br5", &Info{STPState: new(STPOn)})
	if err := AddPort(c, br.Index, addVeth(t, c, "p5", "p5peer")); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.DumpAll(rtnl.Request{Type: unix.RTM_GETLINK, Payload: &rtnl.LinkMessage{}})
	if err != nil {
		t.Fatal(err)
	}
	var bridges, ports int
	for _, m := range msgs {
		var l rtnl.LinkMessage
		if err := l.Decode(m.Data, Kinds); err != nil {
			t.Fatalf("Decode: %v", err)
		}
		if l.Attrs.Info != nil {
			if _, ok := l.Attrs.Info.Data.(*Info); ok {
				bridges++
			}
			if _, ok := l.Attrs.Info.SlaveData.(*PortInfo); ok {
				ports++
			}
		}
		b, err := l.MarshalBinary()
		if err != nil {
			t.Fatalf("%s: Marshal: %v", l.Attrs.Name, err)
		}
		if string(b) != string(m.Data) {
			t.Errorf("%s: round trip differs:\nwant %x\ngot  %x", l.Attrs.Name, m.Data, b)
		}
	}
	if bridges != 1 || ports != 1 {
		t.Errorf("want 1 bridge and 1 port decoded, got %d and %d", bridges, ports)
	}
}

// TestSTP reads the spanning-tree view of a bridge with STP on and two
// ports, and checks it against the settings and what brctl would show.
func TestSTP(t *testing.T) {
	c := dial(t)
	br := addBridge(t, c, "br6", &Info{STPState: new(STPOn), Priority: new(uint16(0x1000)), HelloTime: new(time.Second),
		ForwardDelay: new(3 * time.Second), MaxAge: new(8 * time.Second), AgeingTime: new(100 * time.Second)})
	if err := c.SetLinkUp(br.Index); err != nil {
		t.Fatal(err)
	}
	a, b := addVeth(t, c, "s1", "s1peer"), addVeth(t, c, "s2", "s2peer")
	for _, p := range []int32{a, b} {
		if err := AddPort(c, br.Index, p); err != nil {
			t.Fatal(err)
		}
		waitPortState(t, c, p, PortListening, PortLearning)
	}
	if err := SetPort(c, b, &PortInfo{Cost: new(uint32(42)), Priority: new(uint16(5))}); err != nil {
		t.Fatal(err)
	}
	s, err := GetSTP(c, br.Index)
	if err != nil {
		t.Fatalf("GetSTP: %v", err)
	}
	runChecks(t, []check{
		{"name", "br6", s.Name},
		{"state", STPKernel, s.State},
		{"bridge id priority", uint16(0x1000), s.BridgeID.Priority},
		{"designated root (this bridge)", s.BridgeID, s.DesignatedRoot},
		{"root port", uint16(0), s.RootPort},
		{"path cost", uint32(0), s.PathCost},
		{"max age", 8 * time.Second, s.MaxAge},
		{"bridge max age", 8 * time.Second, s.BridgeMaxAge},
		{"hello time", time.Second, s.HelloTime},
		{"forward delay", 3 * time.Second, s.ForwardDelay},
		{"ageing time", 100 * time.Second, s.AgeingTime},
		{"ports", 2, len(s.Ports)},
	})
	if len(s.Ports) != 2 {
		return
	}
	p := s.Ports[1]
	runChecks(t, []check{
		{"port name", "s2", p.Name},
		{"port no", uint16(2), p.No},
		{"port id", uint16(5<<10 | 2), p.ID},
		{"port path cost", uint32(42), p.PathCost},
		{"port designated root", s.BridgeID, p.DesignatedRoot},
		{"port designated bridge", s.BridgeID, p.DesignatedBridge},
		{"port designated port", p.ID, p.DesignatedPort},
		// A freshly enabled STP port listens, then learns, then forwards.
		{"port state listening or learning", true, p.State == PortListening || p.State == PortLearning},
	})
	// The bridge sends hello BPDUs as root: its hello timer runs, never
	// longer than the hello time.
	if s.HelloTimer < 0 || s.HelloTimer > time.Second {
		t.Errorf("hello timer: want between 0 and the hello time 1s, got %v", s.HelloTimer)
	}
}

// waitPortState waits until a bridge port reaches one of states. A port
// follows its link's operational state, which the kernel updates
// asynchronously (linkwatch), so right after a link or its bridge comes up
// the port may still be disabled for a while.
func waitPortState(t *testing.T, c *rtnl.Conn, port int32, states ...PortState) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		l, err := c.LinkByIndex(port)
		if err != nil {
			t.Fatal(err)
		}
		pi, err := PortInfoOf(l)
		if err == nil && pi.State != nil && slices.Contains(states, *pi.State) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("port %d never reached state %v (last: %+v, %v)", port, states, pi, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
