package bridge

import (
	"bytes"
	"errors"
	"net"
	"testing"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// bridge fdb add 02:00:00:00:00:aa dev veth0 master static (veth0 is index
// 6), captured from iproute2 6.1, sequence number normalised to 1 and port
// id to 0.
var goldenFDBAdd = []byte{
	0x28, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x05, 0x06, // nlmsghdr: len 40, RTM_NEWNEIGH, REQUEST|ACK|EXCL|CREATE
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq 1, pid 0
	0x07, 0x00, 0x00, 0x00, // ndmsg: family AF_BRIDGE, padding
	0x06, 0x00, 0x00, 0x00, // ndm_ifindex 6
	0x42, 0x00, 0x04, 0x00, // ndm_state NUD_NOARP|NUD_REACHABLE, ndm_flags NTF_MASTER, ndm_type 0
	0x0a, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0xaa, 0x00, 0x00, // NDA_LLADDR 02:00:00:00:00:aa
}

func TestGoldenFDBAdd(t *testing.T) {
	mac, _ := net.ParseMAC("02:00:00:00:00:aa")
	got, err := rtnl.Request{Type: unix.RTM_NEWNEIGH, Flags: unix.NLM_F_ACK | unix.NLM_F_CREATE | unix.NLM_F_EXCL,
		Payload: FDBRequest(6, mac, nil)}.Encode(1)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if !bytes.Equal(goldenFDBAdd, got) {
		t.Errorf("request differs from iproute2's:\nwant %x\ngot  %x", goldenFDBAdd, got)
	}
}

// TestFDB adds static and local entries, lists them with the learned
// state, and deletes them.
func TestFDB(t *testing.T) {
	c := dial(t)
	br := addBridge(t, c, "br7", nil)
	port := addVeth(t, c, "f1", "f1peer")
	if err := AddPort(c, br.Index, port); err != nil {
		t.Fatal(err)
	}
	static, _ := net.ParseMAC("02:00:00:00:00:aa")
	local, _ := net.ParseMAC("02:00:00:00:00:bb")
	dynamic, _ := net.ParseMAC("02:00:00:00:00:cc")
	if err := AddFDB(c, port, static, nil); err != nil {
		t.Fatalf("AddFDB static: %v", err)
	}
	if err := AddFDB(c, port, local, &FDBOptions{Local: true}); err != nil {
		t.Fatalf("AddFDB local: %v", err)
	}
	// A port that cannot learn (the bridge is down: the port is
	// disabled) takes only local and static entries.
	if err := AddFDB(c, port, dynamic, &FDBOptions{Dynamic: true}); !errors.Is(err, unix.EPERM) {
		t.Errorf("dynamic entry on a disabled port: want EPERM, got %v", err)
	}
	if err := c.SetLinkUp(br.Index); err != nil {
		t.Fatal(err)
	}
	waitPortState(t, c, port, PortForwarding)
	if err := AddFDB(c, port, dynamic, &FDBOptions{Dynamic: true}); err != nil {
		t.Fatalf("AddFDB dynamic: %v", err)
	}
	if err := AddFDB(c, port, static, nil); !errors.Is(err, unix.EEXIST) {
		t.Errorf("adding an entry twice: want EEXIST, got %v", err)
	}
	if err := AddFDB(c, port, net.HardwareAddr{1, 2}, nil); err == nil {
		t.Errorf("AddFDB with a 2-byte address: want an error, got none")
	}
	entries, err := FDB(c, br.Index)
	if err != nil {
		t.Fatalf("FDB: %v", err)
	}
	find := func(mac net.HardwareAddr) *FDBEntry {
		for i := range entries {
			if bytes.Equal(entries[i].MAC, mac) && entries[i].VLAN == 0 {
				return &entries[i]
			}
		}
		return nil
	}
	for _, c := range []struct {
		name                   string
		mac                    net.HardwareAddr
		local, static, dynamic bool
	}{
		{"static", static, false, true, false},
		{"local", local, true, false, false},
		{"dynamic", dynamic, false, false, true},
	} {
		e := find(c.mac)
		if e == nil {
			t.Errorf("%s entry %v not listed", c.name, c.mac)
			continue
		}
		if e.Port != port || e.Local != c.local || e.Static != c.static || e.Dynamic() != c.dynamic {
			t.Errorf("%s entry: want port %d local %v static %v dynamic %v, got port %d local %v static %v dynamic %v",
				c.name, port, c.local, c.static, c.dynamic, e.Port, e.Local, e.Static, e.Dynamic())
		}
	}
	// The port's own address is a local entry of the bridge.
	l, err := c.LinkByIndex(port)
	if err != nil {
		t.Fatal(err)
	}
	if e := find(l.Attrs.Address); e == nil || !e.Local {
		t.Errorf("want the port's own address %v as a local entry, got %+v", l.Attrs.Address, e)
	}
	for _, e := range entries {
		if e.Message.Attrs.Master == nil || int32(*e.Message.Attrs.Master) != br.Index {
			t.Errorf("entry %v is not in br7's table", e.MAC)
		}
	}

	if err := DelFDB(c, port, static, 0); err != nil {
		t.Fatalf("DelFDB: %v", err)
	}
	if entries, err = FDB(c, br.Index); err != nil {
		t.Fatal(err)
	}
	if e := find(static); e != nil {
		t.Errorf("static entry still listed after DelFDB: %+v", e)
	}
	if err := DelFDB(c, port, static, 0); !errors.Is(err, unix.ENOENT) {
		t.Errorf("deleting a missing entry: want ENOENT, got %v", err)
	}
}

// TestMorePortSettings covers the port settings TestPortSettings leaves
// out, and the flush requests of a port and of a bridge.
func TestMorePortSettings(t *testing.T) {
	c := dial(t)
	br := addBridge(t, c, "br8", nil)
	if err := c.SetLinkUp(br.Index); err != nil {
		t.Fatal(err)
	}
	p1, p2 := addVeth(t, c, "m1", "m1peer"), addVeth(t, c, "m2", "m2peer")
	for _, p := range []int32{p1, p2} {
		if err := AddPort(c, br.Index, p); err != nil {
			t.Fatal(err)
		}
		waitPortState(t, c, p, PortForwarding)
	}
	in := &PortInfo{ProxyARPWiFi: new(true), NeighVLANSuppress: new(true), VLANTunnel: new(true),
		BackupPort: new(uint32(p2)), BackupNHID: new(uint32(7)), Learning: new(true)}
	if err := SetPort(c, p1, in); err != nil {
		t.Fatalf("SetPort: %v", err)
	}
	l, err := c.LinkByIndex(p1)
	if err != nil {
		t.Fatal(err)
	}
	x, err := PortInfoOf(l)
	if err != nil {
		t.Fatal(err)
	}
	runChecks(t, []check{
		{"proxy_arp_wifi", true, deref(x.ProxyARPWiFi)},
		{"neigh_vlan_suppress", true, deref(x.NeighVLANSuppress)},
		{"vlan_tunnel", true, deref(x.VLANTunnel)},
		{"backup_nhid", uint32(7), deref(x.BackupNHID)},
	})

	// Flush: a port's dynamic entries go with IFLA_BRPORT_FLUSH, the
	// bridge's with IFLA_BR_FDB_FLUSH; static ones stay.
	dyn1, _ := net.ParseMAC("02:00:00:00:01:cc")
	dyn2, _ := net.ParseMAC("02:00:00:00:02:cc")
	static, _ := net.ParseMAC("02:00:00:00:01:aa")
	for _, e := range []struct {
		port int32
		mac  net.HardwareAddr
		o    *FDBOptions
	}{{p1, dyn1, &FDBOptions{Dynamic: true}}, {p2, dyn2, &FDBOptions{Dynamic: true}}, {p1, static, nil}} {
		if err := AddFDB(c, e.port, e.mac, e.o); err != nil {
			t.Fatalf("AddFDB %v: %v", e.mac, err)
		}
	}
	has := func(mac net.HardwareAddr) bool {
		t.Helper()
		entries, err := FDB(c, br.Index)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if bytes.Equal(e.MAC, mac) {
				return true
			}
		}
		return false
	}
	if err := SetPort(c, p1, &PortInfo{Flush: true}); err != nil {
		t.Fatalf("port flush: %v", err)
	}
	if has(dyn1) || !has(dyn2) || !has(static) {
		t.Errorf("after flushing m1: want %v gone, %v and %v kept; got %v %v %v", dyn1, dyn2, static, has(dyn1), has(dyn2), has(static))
	}
	if err := Set(c, br.Index, &Info{FDBFlush: true}); err != nil {
		t.Fatalf("bridge flush: %v", err)
	}
	if has(dyn2) || !has(static) {
		t.Errorf("after flushing br8: want %v gone and %v kept; got %v %v", dyn2, static, has(dyn2), has(static))
	}
}
