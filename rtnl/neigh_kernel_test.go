package rtnl

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

// findNeigh returns the entry of the link for dst (IP neighbours) or for
// the MAC address lladdr (FDB entries), or nil.
func findNeigh(t *testing.T, c *Conn, family int, index int32, dst netip.Addr, lladdr string) *NeighMessage {
	t.Helper()
	ns, err := c.Neighbours(family, index)
	if err != nil {
		t.Fatalf("listing neighbours: %v", err)
	}
	for _, n := range ns {
		if int(n.Family) != family || n.Index != index {
			t.Fatalf("Neighbours(%d, %d) returned family %d link %d", family, index, n.Family, n.Index)
		}
		if (dst.IsValid() && n.Attrs.Dst == dst) || (!dst.IsValid() && n.Attrs.LLAddr.String() == lladdr) {
			return n
		}
	}
	return nil
}

func TestKernelNeighbours(t *testing.T) {
	c := dial(t)
	l := addVeth(t, c, "kn0")
	if err := c.SetLinkUp(l.Index); err != nil {
		t.Fatal(err)
	}
	d2 := netip.MustParseAddr("198.18.0.2")
	add := &NeighMessage{Family: unix.AF_INET, Index: l.Index, State: unix.NUD_PERMANENT, Attrs: NeighAttrs{Dst: d2, LLAddr: mac("02:00:00:00:00:02")}}
	if err := c.AddNeigh(add); err != nil {
		t.Fatalf("AddNeigh: %v", err)
	}
	n := findNeigh(t, c, unix.AF_INET, l.Index, d2, "")
	if n == nil || n.State != unix.NUD_PERMANENT || n.Attrs.LLAddr.String() != "02:00:00:00:00:02" {
		t.Fatalf("want %v at 02:00:00:00:00:02 PERMANENT, got %+v", d2, n)
	}
	if err := c.AddNeigh(add); !errors.Is(err, unix.EEXIST) {
		t.Errorf("adding an entry twice: want EEXIST, got %v", err)
	}
	// Permanent again: the link has no carrier (its peer is down), and
	// the kernel flushes other entries when it notices.
	if err := c.ReplaceNeigh(&NeighMessage{Family: unix.AF_INET, Index: l.Index, State: unix.NUD_PERMANENT, Attrs: NeighAttrs{Dst: d2, LLAddr: mac("02:00:00:00:00:03")}}); err != nil {
		t.Fatalf("ReplaceNeigh: %v", err)
	}
	if n := findNeigh(t, c, unix.AF_INET, l.Index, d2, ""); n == nil || n.Attrs.LLAddr.String() != "02:00:00:00:00:03" {
		t.Errorf("after ReplaceNeigh: want 02:00:00:00:00:03, got %+v", n)
	}

	// IPv6, with the family taken from the address.
	d6 := netip.MustParseAddr("2001:db8::2")
	if err := c.AddNeigh(&NeighMessage{Index: l.Index, State: unix.NUD_PERMANENT, Attrs: NeighAttrs{Dst: d6, LLAddr: mac("02:00:00:00:00:04")}}); err != nil {
		t.Fatalf("AddNeigh %v: %v", d6, err)
	}
	if n := findNeigh(t, c, unix.AF_INET6, l.Index, d6, ""); n == nil || n.Attrs.LLAddr.String() != "02:00:00:00:00:04" {
		t.Errorf("want %v at 02:00:00:00:00:04, got %+v", d6, n)
	}

	for _, m := range []*NeighMessage{
		{Family: unix.AF_INET, Index: l.Index, Attrs: NeighAttrs{Dst: d2}},
		{Family: unix.AF_INET6, Index: l.Index, Attrs: NeighAttrs{Dst: d6}},
	} {
		if err := c.DeleteNeigh(m); err != nil {
			t.Errorf("DeleteNeigh %v: %v", m.Attrs.Dst, err)
		}
		if n := findNeigh(t, c, int(m.Family), l.Index, m.Attrs.Dst, ""); n != nil {
			t.Errorf("%v still there after DeleteNeigh", m.Attrs.Dst)
		}
	}
	if err := c.DeleteNeigh(&NeighMessage{Family: unix.AF_INET, Index: l.Index, Attrs: NeighAttrs{Dst: d2}}); !errors.Is(err, unix.ENOENT) {
		t.Errorf("deleting a missing entry: want ENOENT, got %v", err)
	}
}

// bridgeWithPort makes a bridge with the given kind data and a veth
// enslaved to it. The error is the kernel's answer to creating the bridge.
func bridgeWithPort(t *testing.T, c *Conn, br, port string, data LinkData) (*LinkMessage, *LinkMessage, error) {
	t.Helper()
	b, err := c.AddLink(&LinkMessage{Attrs: LinkAttrs{Name: br, Info: &LinkInfo{Kind: "bridge", Data: data}}}, true)
	if err != nil {
		return nil, nil, err
	}
	t.Cleanup(func() { c.DeleteLink(b.Index) })
	p := addVeth(t, c, port)
	if err := c.SetLinkMaster(p.Index, b.Index); err != nil {
		t.Fatal(err)
	}
	return b, p, nil
}

func TestKernelFDB(t *testing.T) {
	c := dial(t)
	br, port, err := bridgeWithPort(t, c, "kfbr0", "kf0", nil)
	if err != nil {
		t.Fatalf("creating a bridge: %v", err)
	}
	// bridge fdb add 02:00:00:00:00:01 dev kf0 master static
	static := &NeighMessage{Family: unix.AF_BRIDGE, Index: port.Index, State: unix.NUD_NOARP | unix.NUD_REACHABLE, Flags: unix.NTF_MASTER, Attrs: NeighAttrs{LLAddr: mac("02:00:00:00:00:01")}}
	if err := c.AddNeigh(static); err != nil {
		t.Fatalf("AddNeigh (FDB, master static): %v", err)
	}
	n := findNeigh(t, c, unix.AF_BRIDGE, port.Index, netip.Addr{}, "02:00:00:00:00:01")
	if n == nil || n.Attrs.Master == nil || *n.Attrs.Master != uint32(br.Index) || n.State&unix.NUD_NOARP == 0 {
		t.Fatalf("want a static entry of bridge %d, got %+v", br.Index, n)
	}
	if err := c.AddNeigh(static); !errors.Is(err, unix.EEXIST) {
		t.Errorf("adding an FDB entry twice: want EEXIST, got %v", err)
	}
	// bridge fdb replace 02:00:00:00:00:01 dev kf0 master (permanent)
	if err := c.ReplaceNeigh(&NeighMessage{Family: unix.AF_BRIDGE, Index: port.Index, State: unix.NUD_NOARP | unix.NUD_PERMANENT, Flags: unix.NTF_MASTER, Attrs: NeighAttrs{LLAddr: mac("02:00:00:00:00:01")}}); err != nil {
		t.Fatalf("ReplaceNeigh (FDB): %v", err)
	}
	if n := findNeigh(t, c, unix.AF_BRIDGE, port.Index, netip.Addr{}, "02:00:00:00:00:01"); n == nil || n.State&unix.NUD_PERMANENT == 0 {
		t.Errorf("after replace: want a permanent entry, got %+v", n)
	}
	// bridge fdb add 02:00:00:00:00:06 dev kf0 self permanent: the port's
	// own table.
	self := &NeighMessage{Family: unix.AF_BRIDGE, Index: port.Index, State: unix.NUD_NOARP | unix.NUD_PERMANENT, Flags: unix.NTF_SELF, Attrs: NeighAttrs{LLAddr: mac("02:00:00:00:00:06")}}
	if err := c.AddNeigh(self); err != nil {
		t.Fatalf("AddNeigh (FDB, self): %v", err)
	}
	if n := findNeigh(t, c, unix.AF_BRIDGE, port.Index, netip.Addr{}, "02:00:00:00:00:06"); n == nil || n.Flags&unix.NTF_SELF == 0 {
		t.Errorf("want a self entry, got %+v", n)
	}
	// Another port's entries are not listed for this one.
	other := addVeth(t, c, "kf1")
	if err := c.SetLinkMaster(other.Index, br.Index); err != nil {
		t.Fatal(err)
	}
	if n := findNeigh(t, c, unix.AF_BRIDGE, other.Index, netip.Addr{}, "02:00:00:00:00:01"); n != nil {
		t.Errorf("an entry of %s listed for %s", port.Attrs.Name, other.Attrs.Name)
	}

	for _, m := range []*NeighMessage{
		{Family: unix.AF_BRIDGE, Index: port.Index, Flags: unix.NTF_MASTER, Attrs: NeighAttrs{LLAddr: mac("02:00:00:00:00:01")}},
		self,
	} {
		if err := c.DeleteNeigh(m); err != nil {
			t.Errorf("DeleteNeigh %v: %v", m.Attrs.LLAddr, err)
		}
		if n := findNeigh(t, c, unix.AF_BRIDGE, port.Index, netip.Addr{}, m.Attrs.LLAddr.String()); n != nil {
			t.Errorf("%v still there after DeleteNeigh", m.Attrs.LLAddr)
		}
	}
}

// An FDB entry with a VLAN needs a VLAN-filtering bridge.
func TestKernelFDBVLAN(t *testing.T) {
	c := dial(t)
	// IFLA_BR_VLAN_FILTERING (7) = 1 in the bridge's IFLA_INFO_DATA.
	_, port, err := bridgeWithPort(t, c, "kfvbr0", "kfv0", &RawData{Name: "bridge", Data: attrBytes(7, 1)})
	if errors.Is(err, unix.EOPNOTSUPP) {
		t.Skipf("the kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING): %v", err)
	}
	if err != nil {
		t.Fatalf("creating a VLAN-filtering bridge: %v", err)
	}
	m := &NeighMessage{Family: unix.AF_BRIDGE, Index: port.Index, State: unix.NUD_NOARP | unix.NUD_REACHABLE, Flags: unix.NTF_MASTER, Attrs: NeighAttrs{LLAddr: mac("02:00:00:00:00:05"), VLAN: 1}}
	if err := c.AddNeigh(m); err != nil {
		t.Fatalf("AddNeigh (FDB, vlan 1): %v", err)
	}
	if n := findNeigh(t, c, unix.AF_BRIDGE, port.Index, netip.Addr{}, "02:00:00:00:00:05"); n == nil || n.Attrs.VLAN != 1 {
		t.Errorf("want an entry in VLAN 1, got %+v", n)
	}
	if err := c.DeleteNeigh(m); err != nil {
		t.Errorf("DeleteNeigh: %v", err)
	}
}

// Every neighbour and FDB entry the kernel lists decodes and encodes back
// to its bytes.
func TestKernelNeighRoundTrip(t *testing.T) {
	c := dial(t)
	_, port, err := bridgeWithPort(t, c, "knrbr0", "knr0", nil)
	if err != nil {
		t.Fatalf("creating a bridge: %v", err)
	}
	l := addVeth(t, c, "knr1")
	if err := c.SetLinkUp(l.Index); err != nil {
		t.Fatal(err)
	}
	for _, m := range []*NeighMessage{
		{Index: l.Index, State: unix.NUD_PERMANENT, Attrs: NeighAttrs{Dst: netip.MustParseAddr("198.18.0.2"), LLAddr: mac("02:00:00:00:00:02")}},
		{Index: l.Index, State: unix.NUD_REACHABLE, Attrs: NeighAttrs{Dst: netip.MustParseAddr("2001:db8::2"), LLAddr: mac("02:00:00:00:00:04")}},
		{Family: unix.AF_BRIDGE, Index: port.Index, State: unix.NUD_NOARP | unix.NUD_REACHABLE, Flags: unix.NTF_MASTER, Attrs: NeighAttrs{LLAddr: mac("02:00:00:00:00:05")}},
		{Family: unix.AF_BRIDGE, Index: port.Index, State: unix.NUD_NOARP | unix.NUD_PERMANENT, Flags: unix.NTF_SELF, Attrs: NeighAttrs{LLAddr: mac("02:00:00:00:00:06")}},
	} {
		if err := c.AddNeigh(m); err != nil {
			t.Fatalf("AddNeigh: %v", err)
		}
	}
	n := 0
	for _, family := range []uint8{unix.AF_UNSPEC, unix.AF_BRIDGE} {
		msgs, err := c.DumpAll(Request{Type: unix.RTM_GETNEIGH, Payload: &NeighMessage{Family: family}})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Header.Type != unix.RTM_NEWNEIGH {
				continue
			}
			n++
			b, err := reencode(m.Header.Type, m.Data)
			if err != nil {
				t.Fatalf("decoding %x: %v", m.Data, err)
			}
			if !bytes.Equal(m.Data, b) {
				t.Errorf("decode/encode differs from the kernel's bytes:\nwant %x\n got %x", m.Data, b)
			}
		}
	}
	if n < 4 {
		t.Errorf("want at least the four added entries, got %d", n)
	}
}
