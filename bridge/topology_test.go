package bridge_test

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/linkbox/linkbox/bridge"
	"github.com/linkbox/linkbox/nsfs"
	"github.com/linkbox/linkbox/nsfs/nstest"
	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/veth"
	"golang.org/x/sys/unix"
)

// TestSeedTopology builds the seed's topology through the library alone: a
// bridge with STP off, two named namespaces, and for each a veth pair with
// one end on the bridge and the other created straight inside the
// namespace, addresses from 198.18.0.0/15, all up. Then UDP datagrams go
// from one namespace to the other and back across the bridge, on sockets
// opened inside each namespace; the FDB then holds both MACs, learned on
// the right ports. Teardown leaves no link and no name behind.
func TestSeedTopology(t *testing.T) {
	nstest.Require(t)
	kinds := rtnl.Kinds{veth.Kind, bridge.Kind, bridge.PortKind}
	c, err := rtnl.Dial(&rtnl.Config{Kinds: kinds})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// iproute2's /run/netns: the sandbox has a private tmpfs on /run.
	dir := &nsfs.Dir{}

	// brctl addbr br0; brctl stp br0 off; ip link set br0 up
	br, err := bridge.Add(c, "br0", &bridge.Info{STPState: new(bridge.STPOff)})
	if err != nil {
		t.Fatalf("bridge.Add: %v", err)
	}
	if err := c.SetLinkUp(br.Index); err != nil {
		t.Fatal(err)
	}

	type host struct {
		name string
		ns   *nsfs.NS
		veth *rtnl.LinkMessage // the end on the bridge
		mac  net.HardwareAddr
		addr netip.Prefix
		udp  net.PacketConn
	}
	hosts := []*host{
		{name: "blue", mac: mustMAC("02:00:00:00:01:01"), addr: netip.MustParsePrefix("198.18.0.1/24")},
		{name: "red", mac: mustMAC("02:00:00:00:02:01"), addr: netip.MustParsePrefix("198.18.0.2/24")},
	}
	for i, h := range hosts {
		if err := dir.Add(h.name); err != nil {
			t.Fatalf("adding namespace %s: %v", h.name, err)
		}
		if h.ns, err = dir.Open(h.name); err != nil {
			t.Fatal(err)
		}
		defer h.ns.Close()
		// One request: the peer is born in the namespace; the bridge
		// end is attached and up.
		h.veth, err = veth.Add(c, veth.Pair{
			End:    veth.End{Name: fmt.Sprintf("veth%d", i), Up: true},
			Peer:   veth.End{Name: "eth0", Address: h.mac, NetNSFD: h.ns.Fd(), Up: true},
			Master: br.Index,
		})
		if err != nil {
			t.Fatalf("veth.Add for %s: %v", h.name, err)
		}
		nc, err := nsfs.Dial(h.ns, &rtnl.Config{Kinds: kinds})
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		eth0, err := nc.LinkByName("eth0")
		if err != nil {
			t.Fatalf("eth0 in %s: %v", h.name, err)
		}
		if eth0.Flags&unix.IFF_UP == 0 {
			t.Errorf("eth0 in %s is down", h.name)
		}
		if err := nc.AddAddr(eth0.Index, h.addr, nil); err != nil {
			t.Fatalf("address in %s: %v", h.name, err)
		}
		// The peer is found across namespaces, by name.
		p, err := veth.PeerNamed(c, h.veth, dir)
		if err != nil {
			t.Fatalf("PeerNamed: %v", err)
		}
		if p.Namespace != h.name || p.Link.Attrs.Name != "eth0" {
			t.Errorf("peer of %s: want eth0 in %s, got %s in %q", h.veth.Attrs.Name, h.name, p.Link.Attrs.Name, p.Namespace)
		}
		// A socket made inside the namespace stays bound to it.
		err = nsfs.Do(h.ns, func() error {
			h.udp, err = net.ListenPacket("udp4", netip.AddrPortFrom(h.addr.Addr(), 4000).String())
			return err
		})
		if err != nil {
			t.Fatalf("socket in %s: %v", h.name, err)
		}
		defer h.udp.Close()
	}
	ports, err := bridge.Ports(c, br.Index)
	if err != nil || len(ports) != 2 {
		t.Fatalf("ports of br0: want 2, got %d, %v", len(ports), err)
	}

	// Traffic: blue to red, and red's answer back.
	blue, red := hosts[0], hosts[1]
	send := func(from, to *host, msg string) {
		t.Helper()
		dst := net.UDPAddrFromAddrPort(netip.AddrPortFrom(to.addr.Addr(), 4000))
		if _, err := from.udp.WriteTo([]byte(msg), dst); err != nil {
			t.Fatalf("%s: send: %v", from.name, err)
		}
		buf := make([]byte, 64)
		to.udp.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, src, err := to.udp.ReadFrom(buf)
		if err != nil {
			t.Fatalf("%s: receive from %s: %v", to.name, from.name, err)
		}
		if !bytes.Equal(buf[:n], []byte(msg)) || src.(*net.UDPAddr).AddrPort().Addr() != from.addr.Addr() {
			t.Fatalf("%s: want %q from %v, got %q from %v", to.name, msg, from.addr.Addr(), buf[:n], src)
		}
	}
	send(blue, red, "hello red")
	send(red, blue, "hello blue")

	// The bridge learned each MAC on the port its host is behind.
	fdb, err := bridge.FDB(c, br.Index)
	if err != nil {
		t.Fatalf("FDB: %v", err)
	}
	for _, h := range hosts {
		var found *bridge.FDBEntry
		for i := range fdb {
			if bytes.Equal(fdb[i].MAC, h.mac) {
				found = &fdb[i]
			}
		}
		switch {
		case found == nil:
			t.Errorf("FDB: %s's MAC %v not learned; entries: %v", h.name, h.mac, fdb)
		case found.Port != h.veth.Index || !found.Dynamic():
			t.Errorf("FDB: %s's MAC %v: want learned on %s (%d), got port %d local %v static %v",
				h.name, h.mac, h.veth.Attrs.Name, h.veth.Index, found.Port, found.Local, found.Static)
		}
	}

	// Teardown: the bridge, the pairs (deleting one end deletes both),
	// the names.
	for _, h := range hosts {
		if err := c.DeleteLink(h.veth.Index); err != nil {
			t.Fatalf("deleting %s: %v", h.veth.Attrs.Name, err)
		}
		h.udp.Close()
		h.ns.Close()
		if err := dir.Delete(h.name); err != nil {
			t.Fatalf("deleting namespace %s: %v", h.name, err)
		}
	}
	if err := c.DeleteLink(br.Index); err != nil {
		t.Fatal(err)
	}
	links, err := c.Links()
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 1 || links[0].Attrs.Name != "lo" {
		var names []string
		for _, l := range links {
			names = append(names, l.Attrs.Name)
		}
		t.Errorf("links after teardown: want only lo, got %v", names)
	}
	if entries, err := dir.List(); err != nil || len(entries) != 0 {
		t.Errorf("named namespaces after teardown: want none, got %v, %v", entries, err)
	}
}

func mustMAC(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}
