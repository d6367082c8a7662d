package fuzz

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/bridge"
	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/rtnl/wire"
	"github.com/linkbox/linkbox/veth"
)

// Every sample passes the strict validator, alone and sent together in
// one datagram as Batch sends them.
func TestSamplesValid(t *testing.T) {
	var all []byte
	for _, s := range Samples() {
		b, err := s.Bytes()
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		if err := rtnl.Validate(b, Kinds); err != nil {
			t.Errorf("%s: %v\n%x", s.Name, err, b)
		}
		all = append(all, b...)
	}
	if err := rtnl.ValidateDatagram(all, Kinds); err != nil {
		t.Errorf("all samples in one datagram: %v", err)
	}
}

// Everything the library's operations put on the wire passes the strict
// validator: each operation runs on a dry-run connection (wire.DryRun
// answers as the kernel answers success), and every datagram it sends is
// checked. The operations that need an answer with content (a lookup, an
// echo) fail after sending; what they sent is checked all the same.
func TestOperationsSendValid(t *testing.T) {
	mac := net.HardwareAddr{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01}
	p4 := netip.MustParsePrefix("198.18.0.1/24")
	p6 := netip.MustParsePrefix("2001:db8::1/64")
	stp := bridge.STPOn
	ops := []struct {
		name string
		op   func(c *rtnl.Conn) error
	}{
		{"SetLinkUp", func(c *rtnl.Conn) error { return c.SetLinkUp(3) }},
		{"SetLinkDown", func(c *rtnl.Conn) error { return c.SetLinkDown(3) }},
		{"SetLinkMTU", func(c *rtnl.Conn) error { return c.SetLinkMTU(3, 1400) }},
		{"SetLinkName", func(c *rtnl.Conn) error { return c.SetLinkName(3, "v9") }},
		{"SetLinkAddress", func(c *rtnl.Conn) error { return c.SetLinkAddress(3, mac) }},
		{"SetLinkAlias", func(c *rtnl.Conn) error { return c.SetLinkAlias(3, "uplink") }},
		{"SetLinkAlias empty", func(c *rtnl.Conn) error { return c.SetLinkAlias(3, "") }},
		{"SetLinkTxQLen", func(c *rtnl.Conn) error { return c.SetLinkTxQLen(3, 0) }},
		{"SetLinkGroup", func(c *rtnl.Conn) error { return c.SetLinkGroup(3, 9) }},
		{"SetLinkMaster", func(c *rtnl.Conn) error { return c.SetLinkMaster(3, 4) }},
		{"SetLinkNoMaster", func(c *rtnl.Conn) error { return c.SetLinkNoMaster(3) }},
		{"SetLinkNetNSFD", func(c *rtnl.Conn) error { return c.SetLinkNetNSFD(3, 5) }},
		{"SetLinkNetNSPID", func(c *rtnl.Conn) error { return c.SetLinkNetNSPID(3, 4242) }},
		{"DeleteLink", func(c *rtnl.Conn) error { return c.DeleteLink(3) }},
		{"DeleteLinkGroup", func(c *rtnl.Conn) error { return c.DeleteLinkGroup(9) }},
		{"DeleteLinks", func(c *rtnl.Conn) error { return c.DeleteLinks(3, 5, 7) }},
		{"Links", func(c *rtnl.Conn) error { _, err := c.Links(); return err }},
		{"LinkByName", func(c *rtnl.Conn) error { _, err := c.LinkByName("v0"); return err }},
		{"LinkByIndex", func(c *rtnl.Conn) error { _, err := c.LinkByIndex(3); return err }},
		{"AddLink", func(c *rtnl.Conn) error {
			_, err := c.AddLink(&rtnl.LinkMessage{Attrs: rtnl.LinkAttrs{Name: "d0", Info: &rtnl.LinkInfo{Kind: "dummy"}}}, true)
			return err
		}},
		{"veth.Add", func(c *rtnl.Conn) error {
			_, err := veth.Add(c, veth.Pair{End: veth.End{Name: "v0", MTU: 1400, Up: true, TxQLen: new(uint32(10))},
				Peer: veth.End{Name: "v1", Address: mac, NumTxQueues: 2}, Master: 4})
			return err
		}},
		{"bridge.Add", func(c *rtnl.Conn) error {
			_, err := bridge.Add(c, "br0", &bridge.Info{STPState: &stp, ForwardDelay: new(4 * time.Second), Priority: new(uint16(0)),
				McastSnooping: new(false), GroupFwdMask: new(uint16(8)), FDBMaxLearned: new(uint32(100))})
			return err
		}},
		{"bridge.Set", func(c *rtnl.Conn) error {
			return bridge.Set(c, 4, &bridge.Info{AgeingTime: new(time.Duration(0)), FDBFlush: true, McastRouter: new(uint8(2))})
		}},
		{"bridge.SetPort", func(c *rtnl.Conn) error {
			st := bridge.PortState(0)
			return bridge.SetPort(c, 3, &bridge.PortInfo{State: &st, Cost: new(uint32(100)), Isolated: new(true), BackupPort: new(uint32(0)), Flush: true})
		}},
		{"bridge.AddPort", func(c *rtnl.Conn) error { return bridge.AddPort(c, 4, 3) }},
		{"bridge.RemovePort", func(c *rtnl.Conn) error { return bridge.RemovePort(c, 3) }},
		{"bridge.Ports", func(c *rtnl.Conn) error { _, err := bridge.Ports(c, 4); return err }},
		{"bridge.AddFDB", func(c *rtnl.Conn) error { return bridge.AddFDB(c, 3, mac, &bridge.FDBOptions{VLAN: 10}) }},
		{"bridge.AddFDB local", func(c *rtnl.Conn) error { return bridge.AddFDB(c, 4, mac, &bridge.FDBOptions{Local: true}) }},
		{"bridge.DelFDB", func(c *rtnl.Conn) error { return bridge.DelFDB(c, 3, mac, 10) }},
		{"bridge.FDB", func(c *rtnl.Conn) error { _, err := bridge.FDB(c, 4); return err }},
		{"AddAddr", func(c *rtnl.Conn) error {
			return c.AddAddr(3, p4, &rtnl.AddrOptions{AutoBroadcast: true, Label: "v0:x", Metric: 3})
		}},
		{"AddAddr v6", func(c *rtnl.Conn) error {
			return c.AddAddr(3, p6, &rtnl.AddrOptions{Flags: unix.IFA_F_NODAD | unix.IFA_F_MANAGETEMPADDR, ValidLifetime: new(uint32(60)), PreferredLifetime: new(uint32(30))})
		}},
		{"ReplaceAddr", func(c *rtnl.Conn) error { return c.ReplaceAddr(3, p4, nil) }},
		{"DeleteAddr", func(c *rtnl.Conn) error { return c.DeleteAddr(3, p6, nil) }},
		{"Addrs", func(c *rtnl.Conn) error { _, err := c.Addrs(unix.AF_INET6, 3); return err }},
		{"FlushAddrs", func(c *rtnl.Conn) error { return c.FlushAddrs(3, unix.AF_INET) }},
		{"AddRoute", func(c *rtnl.Conn) error {
			return c.AddRoute(netip.MustParsePrefix("198.18.9.0/24"), &rtnl.RouteOptions{Gateway: netip.MustParseAddr("198.18.0.2"), Metric: 5, Table: 300})
		}},
		{"AddRoute via inet6", func(c *rtnl.Conn) error {
			return c.AddRoute(netip.MustParsePrefix("198.18.9.0/24"), &rtnl.RouteOptions{Gateway: netip.MustParseAddr("2001:db8::2"), OIF: 3})
		}},
		{"ReplaceRoute", func(c *rtnl.Conn) error {
			return c.ReplaceRoute(netip.MustParsePrefix("2001:db8:9::/48"), &rtnl.RouteOptions{OIF: 3, Pref: new(uint8(3))})
		}},
		{"DeleteRoute", func(c *rtnl.Conn) error {
			return c.DeleteRoute(netip.Prefix{}, &rtnl.RouteOptions{Family: unix.AF_INET})
		}},
		{"Routes", func(c *rtnl.Conn) error { _, err := c.Routes(unix.AF_INET, 0); return err }},
		{"AddNeigh", func(c *rtnl.Conn) error {
			return c.AddNeigh(&rtnl.NeighMessage{Family: unix.AF_INET, Index: 3, State: unix.NUD_PERMANENT,
				Attrs: rtnl.NeighAttrs{Dst: netip.MustParseAddr("198.18.0.9"), LLAddr: mac}})
		}},
		{"ReplaceNeigh", func(c *rtnl.Conn) error {
			return c.ReplaceNeigh(&rtnl.NeighMessage{Family: unix.AF_INET6, Index: 3, State: unix.NUD_STALE,
				Attrs: rtnl.NeighAttrs{Dst: netip.MustParseAddr("2001:db8::9"), LLAddr: mac}})
		}},
		{"DeleteNeigh", func(c *rtnl.Conn) error {
			return c.DeleteNeigh(&rtnl.NeighMessage{Family: unix.AF_INET, Index: 3, Attrs: rtnl.NeighAttrs{Dst: netip.MustParseAddr("198.18.0.9")}})
		}},
		{"Neighbours", func(c *rtnl.Conn) error { _, err := c.Neighbours(unix.AF_INET, 3); return err }},
		{"NSIDs", func(c *rtnl.Conn) error { _, err := c.NSIDs(); return err }},
		{"NSIDOfFD", func(c *rtnl.Conn) error { _, err := c.NSIDOfFD(5); return err }},
		{"NSIDOfPID", func(c *rtnl.Conn) error { _, err := c.NSIDOfPID(4242); return err }},
		{"SetNSIDOfFD", func(c *rtnl.Conn) error { return c.SetNSIDOfFD(5, rtnl.NSIDNotAssigned) }},
		{"Batch", func(c *rtnl.Conn) error {
			var reqs []rtnl.Request
			for _, s := range Samples() {
				reqs = append(reqs, s.Request)
			}
			_, err := c.Batch(reqs, rtnl.BatchOptions{Window: 8})
			return err
		}},
	}
	for _, tt := range ops {
		t.Run(tt.name, func(t *testing.T) {
			var sent [][]byte
			dry := &wire.DryRun{Pid: 77}
			c := rtnl.NewConn(dry, 77, &rtnl.Config{Kinds: Kinds, Trace: func(d rtnl.Direction, b []byte) {
				if d == rtnl.Sent {
					sent = append(sent, bytes.Clone(b))
				}
			}})
			err := tt.op(c)
			if len(sent) == 0 {
				t.Fatalf("sent nothing (the operation returned %v)", err)
			}
			for _, b := range sent {
				if verr := rtnl.ValidateDatagram(b, Kinds); verr != nil {
					t.Errorf("%v\n%x", verr, b)
				}
			}
		})
	}
}
