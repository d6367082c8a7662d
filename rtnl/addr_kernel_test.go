package rtnl

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

// findAddr returns the address of the link with the given prefix, or nil.
func findAddr(t *testing.T, c *Conn, index int32, p netip.Prefix) *AddressMessage {
	t.Helper()
	addrs, err := c.Addrs(0, index)
	if err != nil {
		t.Fatalf("listing addresses: %v", err)
	}
	for _, a := range addrs {
		if a.Index != index {
			t.Fatalf("Addrs(0, %d) returned an address of link %d", index, a.Index)
		}
		if a.Prefix() == p {
			return a
		}
	}
	return nil
}

func mustAddr(t *testing.T, c *Conn, index int32, p netip.Prefix) *AddressMessage {
	t.Helper()
	a := findAddr(t, c, index, p)
	if a == nil {
		t.Fatalf("address %v is not on link %d", p, index)
	}
	return a
}

func TestKernelAddrs(t *testing.T) {
	c := dial(t)
	l := addVeth(t, c, "ka0")
	p4 := netip.MustParsePrefix("198.18.0.1/24")
	p6 := netip.MustParsePrefix("2001:db8::1/64")

	if err := c.AddAddr(l.Index, p4, &AddrOptions{AutoBroadcast: true, Label: "ka0:1"}); err != nil {
		t.Fatalf("AddAddr %v: %v", p4, err)
	}
	a := mustAddr(t, c, l.Index, p4)
	if want := netip.MustParseAddr("198.18.0.255"); a.Attrs.Broadcast != want {
		t.Errorf("broadcast: want %v, got %v", want, a.Attrs.Broadcast)
	}
	if a.Attrs.Label != "ka0:1" || a.Family != unix.AF_INET || a.Scope != unix.RT_SCOPE_UNIVERSE {
		t.Errorf("want label ka0:1, AF_INET, scope universe, got %q, %d, %d", a.Attrs.Label, a.Family, a.Scope)
	}
	if a.AllFlags()&unix.IFA_F_PERMANENT == 0 {
		t.Errorf("flags %#x: want IFA_F_PERMANENT", a.AllFlags())
	}
	if err := c.AddAddr(l.Index, p4, nil); !errors.Is(err, unix.EEXIST) {
		t.Errorf("adding %v twice: want EEXIST, got %v", p4, err)
	}

	if err := c.AddAddr(l.Index, p6, &AddrOptions{Flags: unix.IFA_F_NODAD}); err != nil {
		t.Fatalf("AddAddr %v: %v", p6, err)
	}
	a6 := mustAddr(t, c, l.Index, p6)
	if a6.AllFlags()&unix.IFA_F_NODAD == 0 || a6.Family != unix.AF_INET6 {
		t.Errorf("want an AF_INET6 address with IFA_F_NODAD, got family %d flags %#x", a6.Family, a6.AllFlags())
	}

	// Replacing sets lifetimes: the address is no longer permanent.
	if err := c.ReplaceAddr(l.Index, p4, &AddrOptions{ValidLifetime: new(uint32(100)), PreferredLifetime: new(uint32(50))}); err != nil {
		t.Fatalf("ReplaceAddr: %v", err)
	}
	a = mustAddr(t, c, l.Index, p4)
	ci := a.Attrs.CacheInfo
	if ci == nil || ci.Valid > 100 || ci.Valid < 90 || ci.Preferred > 50 || ci.Preferred < 40 {
		t.Errorf("lifetimes: want valid 100 and preferred 50 (less a few seconds), got %+v", ci)
	}
	if a.AllFlags()&unix.IFA_F_PERMANENT != 0 {
		t.Errorf("flags %#x: want IFA_F_PERMANENT gone with a lifetime", a.AllFlags())
	}

	// Only IPv6, only this link.
	addrs, err := c.Addrs(unix.AF_INET6, l.Index)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if a.Family != unix.AF_INET6 || a.Index != l.Index {
			t.Errorf("Addrs(AF_INET6, %d) returned family %d link %d", l.Index, a.Family, a.Index)
		}
	}
	if len(addrs) != 1 {
		t.Errorf("Addrs(AF_INET6, %d): want the one address, got %d", l.Index, len(addrs))
	}

	if err := c.DeleteAddr(l.Index, p4, nil); err != nil {
		t.Fatalf("DeleteAddr: %v", err)
	}
	if findAddr(t, c, l.Index, p4) != nil {
		t.Errorf("%v still there after DeleteAddr", p4)
	}
	if err := c.DeleteAddr(l.Index, p4, nil); !errors.Is(err, unix.EADDRNOTAVAIL) {
		t.Errorf("deleting a missing address: want EADDRNOTAVAIL, got %v", err)
	}
}

func TestKernelAddrFlush(t *testing.T) {
	c := dial(t)
	l := addVeth(t, c, "kaf0")
	for _, s := range []string{"198.18.0.1/24", "198.18.0.2/24", "198.18.1.1/24"} {
		if err := c.AddAddr(l.Index, netip.MustParsePrefix(s), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.AddAddr(l.Index, netip.MustParsePrefix("198.18.2.1/32"), &AddrOptions{Peer: netip.MustParsePrefix("198.18.2.2/32")}); err != nil {
		t.Fatal(err)
	}
	if err := c.AddAddr(l.Index, netip.MustParsePrefix("2001:db8::1/64"), &AddrOptions{Flags: unix.IFA_F_NODAD}); err != nil {
		t.Fatal(err)
	}
	// Up, so that the kernel adds an IPv6 link-local address too.
	if err := c.SetLinkUp(l.Index); err != nil {
		t.Fatal(err)
	}
	// Another link's addresses stay.
	other := addVeth(t, c, "kaf1")
	keep := netip.MustParsePrefix("198.18.9.1/24")
	if err := c.AddAddr(other.Index, keep, nil); err != nil {
		t.Fatal(err)
	}

	// IPv4 only: 198.18.0.2 is a secondary that goes with its primary.
	if err := c.FlushAddrs(l.Index, unix.AF_INET); err != nil {
		t.Fatalf("FlushAddrs(AF_INET): %v", err)
	}
	if addrs, err := c.Addrs(unix.AF_INET, l.Index); err != nil || len(addrs) != 0 {
		t.Errorf("after an IPv4 flush: want no IPv4 address, got %d (%v)", len(addrs), err)
	}
	if addrs, err := c.Addrs(unix.AF_INET6, l.Index); err != nil || len(addrs) == 0 {
		t.Errorf("after an IPv4 flush: want the IPv6 addresses kept, got %d (%v)", len(addrs), err)
	}
	if err := c.FlushAddrs(l.Index, 0); err != nil {
		t.Fatalf("FlushAddrs: %v", err)
	}
	if addrs, err := c.Addrs(0, l.Index); err != nil || len(addrs) != 0 {
		t.Errorf("after a flush: want no address, got %d (%v)", len(addrs), err)
	}
	mustAddr(t, c, other.Index, keep)
}

// Every address the kernel lists decodes and encodes back to its bytes.
func TestKernelAddrRoundTrip(t *testing.T) {
	c := dial(t)
	l := addVeth(t, c, "kar0")
	for _, x := range []struct {
		p string
		o *AddrOptions
	}{
		{"198.18.0.1/24", &AddrOptions{AutoBroadcast: true, Label: "kar0:a"}},
		{"198.18.0.2/24", &AddrOptions{Metric: 7}},
		{"198.18.2.1/32", &AddrOptions{Peer: netip.MustParsePrefix("198.18.2.2/32")}},
		{"198.18.3.1/24", &AddrOptions{ValidLifetime: new(uint32(1000)), PreferredLifetime: new(uint32(0))}},
		{"2001:db8::1/64", &AddrOptions{Flags: unix.IFA_F_NODAD | unix.IFA_F_NOPREFIXROUTE}},
		{"2001:db8:1::1/64", &AddrOptions{Flags: unix.IFA_F_NODAD, ValidLifetime: new(uint32(500)), PreferredLifetime: new(uint32(100))}},
	} {
		if err := c.AddAddr(l.Index, netip.MustParsePrefix(x.p), x.o); err != nil {
			t.Fatalf("AddAddr %s: %v", x.p, err)
		}
	}
	if err := c.SetLinkUp(l.Index); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.DumpAll(Request{Type: unix.RTM_GETADDR, Payload: &AddressMessage{}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWADDR {
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
	if n < 8 {
		t.Errorf("want at least lo's two and the six added addresses, got %d", n)
	}
}
