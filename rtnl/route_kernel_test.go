package rtnl

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

// routeLink makes a veth that is up with 198.18.0.1/24 and 2001:db8::1/64,
// so that gateways in those prefixes are reachable through it.
func routeLink(t *testing.T, c *Conn, name string) *LinkMessage {
	t.Helper()
	l := addVeth(t, c, name)
	if err := c.SetLinkUp(l.Index); err != nil {
		t.Fatal(err)
	}
	if err := c.AddAddr(l.Index, netip.MustParsePrefix("198.18.0.1/24"), nil); err != nil {
		t.Fatal(err)
	}
	if err := c.AddAddr(l.Index, netip.MustParsePrefix("2001:db8::1/64"), &AddrOptions{Flags: unix.IFA_F_NODAD}); err != nil {
		t.Fatal(err)
	}
	return l
}

// addRoute adds a route and deletes it when the test ends, if it is still
// there: routes not bound to a test's link (blackhole, unreachable) would
// outlive it.
func addRoute(t *testing.T, c *Conn, dst netip.Prefix, o *RouteOptions) error {
	t.Helper()
	if err := c.AddRoute(dst, o); err != nil {
		return err
	}
	t.Cleanup(func() {
		if err := c.DeleteRoute(dst, o); err != nil && !errors.Is(err, unix.ESRCH) {
			t.Errorf("cleaning up the route to %v: %v", dst, err)
		}
	})
	return nil
}

// findRoute returns the route to dst in the table, or nil.
func findRoute(t *testing.T, c *Conn, table uint32, dst netip.Prefix) *RouteMessage {
	t.Helper()
	fam := unix.AF_INET
	if dst.Addr().Is6() {
		fam = unix.AF_INET6
	}
	routes, err := c.Routes(fam, table)
	if err != nil {
		t.Fatalf("listing routes: %v", err)
	}
	var found *RouteMessage
	for _, r := range routes {
		if int(r.Family) != fam || r.TableID() != table {
			t.Fatalf("Routes(%d, %d) returned a route of family %d table %d", fam, table, r.Family, r.TableID())
		}
		if r.DstPrefix() == dst && r.Type != unix.RTN_MULTICAST {
			if found != nil {
				t.Fatalf("two routes to %v in table %d", dst, table)
			}
			found = r
		}
	}
	return found
}

func mustRoute(t *testing.T, c *Conn, table uint32, dst netip.Prefix) *RouteMessage {
	t.Helper()
	r := findRoute(t, c, table, dst)
	if r == nil {
		t.Fatalf("no route to %v in table %d", dst, table)
	}
	return r
}

func TestKernelRoutes(t *testing.T) {
	c := dial(t)
	l := routeLink(t, c, "kr0")
	oif := uint32(l.Index)
	main := uint32(unix.RT_TABLE_MAIN)

	dst := netip.MustParsePrefix("198.19.0.0/16")
	if err := c.AddRoute(dst, &RouteOptions{Gateway: gw4}); err != nil {
		t.Fatalf("AddRoute %v via %v: %v", dst, gw4, err)
	}
	r := mustRoute(t, c, main, dst)
	if r.Attrs.Gateway != gw4 || r.Attrs.OIF != oif || r.Protocol != unix.RTPROT_BOOT || r.Type != unix.RTN_UNICAST || r.Scope != unix.RT_SCOPE_UNIVERSE {
		t.Errorf("want unicast via %v dev %d proto boot scope universe, got %+v", gw4, oif, r)
	}
	if err := c.AddRoute(dst, &RouteOptions{Gateway: gw4}); !errors.Is(err, unix.EEXIST) {
		t.Errorf("adding %v twice: want EEXIST, got %v", dst, err)
	}
	gw := netip.MustParseAddr("198.18.0.253")
	if err := c.ReplaceRoute(dst, &RouteOptions{Gateway: gw, OIF: l.Index}); err != nil {
		t.Fatalf("ReplaceRoute: %v", err)
	}
	if r := mustRoute(t, c, main, dst); r.Attrs.Gateway != gw {
		t.Errorf("after ReplaceRoute: want via %v, got %v", gw, r.Attrs.Gateway)
	}

	// The default route, with a metric; and a route with a preferred
	// source, protocol and scope of its own.
	def := netip.MustParsePrefix("0.0.0.0/0")
	if err := c.AddRoute(netip.Prefix{}, &RouteOptions{Gateway: gw4, OIF: l.Index, Metric: 100}); err != nil {
		t.Fatalf("AddRoute default: %v", err)
	}
	if r := mustRoute(t, c, main, def); r.Attrs.Priority != 100 || r.Attrs.Gateway != gw4 || r.Attrs.Dst.IsValid() {
		t.Errorf("default route: want metric 100 via %v and no RTA_DST, got %+v", gw4, r.Attrs)
	}
	dst20 := netip.MustParsePrefix("198.20.0.0/16")
	src := netip.MustParseAddr("198.18.0.1")
	if err := c.AddRoute(dst20, &RouteOptions{OIF: l.Index, PrefSrc: src, Protocol: unix.RTPROT_STATIC, Scope: new(uint8(unix.RT_SCOPE_LINK))}); err != nil {
		t.Fatalf("AddRoute %v: %v", dst20, err)
	}
	if r := mustRoute(t, c, main, dst20); r.Attrs.PrefSrc != src || r.Protocol != unix.RTPROT_STATIC || r.Scope != unix.RT_SCOPE_LINK {
		t.Errorf("want src %v proto static scope link, got %+v", src, r)
	}
	bh := netip.MustParsePrefix("198.19.5.0/24")
	if err := addRoute(t, c, bh, &RouteOptions{Type: unix.RTN_BLACKHOLE}); err != nil {
		t.Fatalf("AddRoute blackhole: %v", err)
	}
	if r := mustRoute(t, c, main, bh); r.Type != unix.RTN_BLACKHOLE {
		t.Errorf("want a blackhole route, got type %d", r.Type)
	}

	// Tables: 100 fits rtm_table, 1000 needs RTA_TABLE.
	dst6 := netip.MustParsePrefix("2001:db8:1::/48")
	if err := c.AddRoute(dst6, &RouteOptions{OIF: l.Index, Table: 100}); err != nil {
		t.Fatalf("AddRoute %v table 100: %v", dst6, err)
	}
	if r := mustRoute(t, c, 100, dst6); r.Attrs.OIF != oif || r.Family != unix.AF_INET6 {
		t.Errorf("want an IPv6 route dev %d, got %+v", oif, r)
	}
	if findRoute(t, c, main, dst6) != nil {
		t.Errorf("the table 100 route shows up in the main table")
	}
	dst1000 := netip.MustParsePrefix("198.19.6.0/24")
	if err := c.AddRoute(dst1000, &RouteOptions{Gateway: gw4, Table: 1000}); err != nil {
		t.Fatalf("AddRoute table 1000: %v", err)
	}
	if r := mustRoute(t, c, 1000, dst1000); r.Attrs.Table != 1000 {
		t.Errorf("want RTA_TABLE 1000, got %d", r.Attrs.Table)
	}
	def6 := netip.MustParsePrefix("::/0")
	if err := c.AddRoute(def6, &RouteOptions{Gateway: gw6, OIF: l.Index}); err != nil {
		t.Fatalf("AddRoute ::/0: %v", err)
	}
	if r := mustRoute(t, c, main, def6); r.Attrs.Gateway != gw6 || r.Attrs.Priority != 1024 {
		t.Errorf("IPv6 default route: want via %v metric 1024, got %+v", gw6, r.Attrs)
	}

	// Undo everything, reading each delete back.
	for _, x := range []struct {
		dst   netip.Prefix
		o     *RouteOptions
		table uint32
	}{
		{dst, nil, main},
		{netip.Prefix{}, &RouteOptions{Gateway: gw4, OIF: l.Index, Metric: 100}, main},
		{dst20, &RouteOptions{OIF: l.Index}, main},
		{bh, nil, main},
		{dst6, &RouteOptions{OIF: l.Index, Table: 100}, 100},
		{dst1000, &RouteOptions{Table: 1000}, 1000},
		{def6, &RouteOptions{Gateway: gw6}, main},
	} {
		if err := c.DeleteRoute(x.dst, x.o); err != nil {
			t.Errorf("DeleteRoute %v: %v", x.dst, err)
			continue
		}
		p := x.dst
		if !p.IsValid() {
			p = def
		}
		if findRoute(t, c, x.table, p) != nil {
			t.Errorf("route to %v still in table %d after DeleteRoute", p, x.table)
		}
	}
	if err := c.DeleteRoute(dst, nil); !errors.Is(err, unix.ESRCH) {
		t.Errorf("deleting a missing route: want ESRCH, got %v", err)
	}
}

// A route as listed can be deleted by sending it back.
func TestKernelDeleteRouteMessage(t *testing.T) {
	c := dial(t)
	l := routeLink(t, c, "krd0")
	dst := netip.MustParsePrefix("198.19.0.0/16")
	if err := c.AddRoute(dst, &RouteOptions{Gateway: gw4, OIF: l.Index, Metric: 5}); err != nil {
		t.Fatal(err)
	}
	r := mustRoute(t, c, unix.RT_TABLE_MAIN, dst)
	if err := c.DeleteRouteMessage(r); err != nil {
		t.Fatalf("DeleteRouteMessage: %v", err)
	}
	if findRoute(t, c, unix.RT_TABLE_MAIN, dst) != nil {
		t.Error("route still there after DeleteRouteMessage")
	}
}

// Every route the kernel lists, in every table and family, decodes and
// encodes back to its bytes.
func TestKernelRouteRoundTrip(t *testing.T) {
	c := dial(t)
	l := routeLink(t, c, "krr0")
	for _, x := range []struct {
		dst string
		o   *RouteOptions
	}{
		{"198.19.0.0/16", &RouteOptions{Gateway: gw4, Metric: 10}},
		{"198.19.5.0/24", &RouteOptions{Type: unix.RTN_UNREACHABLE}},
		{"198.19.6.0/24", &RouteOptions{Gateway: gw4, Table: 1000}},
		{"2001:db8:1::/48", &RouteOptions{Gateway: gw6, OIF: l.Index, Pref: new(uint8(1))}},
		{"2001:db8:2::/48", &RouteOptions{OIF: l.Index, Table: 100}},
	} {
		if err := addRoute(t, c, netip.MustParsePrefix(x.dst), x.o); err != nil {
			t.Fatalf("AddRoute %s: %v", x.dst, err)
		}
	}
	msgs, err := c.DumpAll(Request{Type: unix.RTM_GETROUTE, Payload: &RouteMessage{}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWROUTE {
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
	if n < 10 {
		t.Errorf("want the local, connected and added routes, got %d", n)
	}
}
