package veth

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// newNetNS makes a network namespace for the test without switching any
// thread: a child process is started in a new one (CLONE_NEWNET) and its
// /proc/PID/ns/net is opened. The namespace lives until the test ends.
func newNetNS(t *testing.T) *os.File {
	t.Helper()
	cmd := exec.Command("sleep", "3600")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWNET, Pdeathsig: unix.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting a process in a new network namespace: %v", err)
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		f.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	return f
}

// dialNS opens a Conn inside the namespace of f.
func dialNS(t *testing.T, f *os.File) *rtnl.Conn {
	t.Helper()
	c, err := rtnl.Dial(&rtnl.Config{NetNS: int(f.Fd()), Kinds: rtnl.Kinds{Kind}})
	if err != nil {
		t.Fatalf("Dial in namespace: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// names lists the names of the links in c's namespace.
func names(t *testing.T, c *rtnl.Conn) map[string]*rtnl.LinkMessage {
	t.Helper()
	links, err := c.Links()
	if err != nil {
		t.Fatalf("Links: %v", err)
	}
	m := map[string]*rtnl.LinkMessage{}
	for _, l := range links {
		m[l.Attrs.Name] = l
	}
	return m
}

func TestAddPeerInNamespace(t *testing.T) {
	c := dial(t)
	blue := newNetNS(t)
	bc := dialNS(t, blue)
	p := Pair{
		End:  End{Name: "veth0", MTU: 1400, Address: mac("02:00:00:00:00:01"), TxQLen: new(uint32(500)), Group: new(uint32(7)), Up: true},
		Peer: End{Name: "veth1", MTU: 1300, Address: mac("02:00:00:00:00:02"), TxQLen: new(uint32(600)), Group: new(uint32(8)), NetNSFD: int(blue.Fd()), Up: true},
	}
	l, err := Add(c, p)
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	if want, got := "veth0", l.Attrs.Name; want != got {
		t.Errorf("echoed link: want %q, got %q", want, got)
	}
	host, ns := names(t, c), names(t, bc)
	if _, ok := host["veth1"]; ok {
		t.Errorf("veth1 is on the host; want it only in the namespace")
	}
	a, b := host["veth0"], ns["veth1"]
	if a == nil || b == nil {
		t.Fatalf("want veth0 on the host and veth1 in the namespace, got host %v, namespace %v", keys(host), keys(ns))
	}
	check := func(l *rtnl.LinkMessage, e End) {
		t.Helper()
		if want, got := e.MTU, l.Attrs.MTU; want != got {
			t.Errorf("%s mtu: want %d, got %d", e.Name, want, got)
		}
		if want, got := e.Address.String(), l.Attrs.Address.String(); want != got {
			t.Errorf("%s address: want %s, got %s", e.Name, want, got)
		}
		if l.Attrs.TxQLen == nil || *l.Attrs.TxQLen != *e.TxQLen {
			t.Errorf("%s txqlen: want %d, got %v", e.Name, *e.TxQLen, l.Attrs.TxQLen)
		}
		if l.Attrs.Group == nil || *l.Attrs.Group != *e.Group {
			t.Errorf("%s group: want %d, got %v", e.Name, *e.Group, l.Attrs.Group)
		}
		if l.Flags&unix.IFF_UP == 0 {
			t.Errorf("%s is down; want up", e.Name)
		}
		if want, got := "veth", l.Attrs.Info.Kind; want != got {
			t.Errorf("%s kind: want %q, got %q", e.Name, want, got)
		}
	}
	check(a, p.End)
	check(b, p.Peer)

	// From the host: the peer is in the namespace named "blue".
	pl, err := Peer(c, a, []Namespace{{Name: "other", FD: int(newNetNS(t).Fd())}, {Name: "blue", FD: int(blue.Fd())}})
	if err != nil {
		t.Fatalf("Peer: %v", err)
	}
	if pl.NSID == nil {
		t.Fatalf("want the peer in another namespace (an nsid), got none")
	}
	if want, got := "blue", pl.Namespace; want != got {
		t.Errorf("peer namespace: want %q, got %q", want, got)
	}
	if want, got := "veth1", pl.Link.Attrs.Name; want != got {
		t.Errorf("peer: want %q, got %q", want, got)
	}
	if want, got := b.Index, pl.Link.Index; want != got {
		t.Errorf("peer index: want %d, got %d", want, got)
	}
	// Without names, the peer is read through IFLA_TARGET_NETNSID alone.
	pl, err = Peer(c, a, nil)
	if err != nil {
		t.Fatalf("Peer without named namespaces: %v", err)
	}
	if want, got := "veth1", pl.Link.Attrs.Name; want != got || pl.Namespace != "" {
		t.Errorf("peer without names: want %q and no namespace name, got %q in %q", want, got, pl.Namespace)
	}
	// From the namespace: the peer is on the host, which has no name.
	pl, err = Peer(bc, b, nil)
	if err != nil {
		t.Fatalf("Peer from the namespace: %v", err)
	}
	if want, got := "veth0", pl.Link.Attrs.Name; want != got || pl.NSID == nil || pl.Namespace != "" {
		t.Errorf("peer from the namespace: want %q with an nsid and no name, got %q, nsid %v, name %q", want, got, pl.NSID, pl.Namespace)
	}

	if err := c.DeleteLink(a.Index); err != nil {
		t.Fatalf("DeleteLink: %v", err)
	}
	if _, ok := names(t, bc)["veth1"]; ok {
		t.Errorf("veth1 outlived its peer")
	}
}

func TestPeerSameNamespace(t *testing.T) {
	c := dial(t)
	l, err := Add(c, Pair{End: End{Name: "va"}, Peer: End{Name: "vb"}})
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	t.Cleanup(func() { c.DeleteLink(l.Index) })
	pl, err := Peer(c, l, nil)
	if err != nil {
		t.Fatalf("Peer: %v", err)
	}
	if want, got := "vb", pl.Link.Attrs.Name; want != got || pl.NSID != nil {
		t.Errorf("want peer %q in the same namespace, got %q nsid %v", want, got, pl.NSID)
	}
	if _, err := Peer(c, names(t, c)["lo"], nil); !errors.Is(err, ErrNotVeth) {
		t.Errorf("Peer(lo): want ErrNotVeth, got %v", err)
	}
}

// TestPeerUpAtCreation records a kernel fact: IFF_UP in the peer's
// ifinfomsg makes the whole creation fail with ENOTCONN (veth_open finds
// no peer yet), and nothing is left behind. Add therefore brings the peer
// up with a second request.
func TestPeerUpAtCreation(t *testing.T) {
	c := dial(t)
	m, err := (&Pair{End: End{Name: "vc"}, Peer: End{Name: "vd"}}).Request()
	if err != nil {
		t.Fatal(err)
	}
	peer := m.Attrs.Info.Data.(*Info).Peer
	peer.Flags, peer.Change = unix.IFF_UP, unix.IFF_UP
	if _, err := c.AddLink(m, false); !errors.Is(err, unix.ENOTCONN) {
		t.Fatalf("IFF_UP on the peer: want ENOTCONN, got %v", err)
	}
	n := names(t, c)
	if n["vc"] != nil || n["vd"] != nil {
		t.Errorf("a failed creation left links behind: %v", keys(n))
	}
}

// TestAddFailureLeavesNothing: a pair that cannot be attached to its master
// is not created at all, on either side.
func TestAddFailureLeavesNothing(t *testing.T) {
	c := dial(t)
	blue := newNetNS(t)
	_, err := Add(c, Pair{End: End{Name: "ve"}, Peer: End{Name: "vf", NetNSFD: int(blue.Fd())}, Master: 4242})
	if err == nil {
		t.Fatalf("Add with a missing master: want an error, got none")
	}
	if n := names(t, c); n["ve"] != nil || n["vf"] != nil {
		t.Errorf("host links after a failed Add: %v", keys(n))
	}
	if n := names(t, dialNS(t, blue)); n["vf"] != nil {
		t.Errorf("namespace links after a failed Add: %v", keys(n))
	}
}

// TestPeerMasterIgnored: the kernel ignores IFLA_MASTER on the peer, so
// the API has no such field; a raw request shows the peer is not attached.
func TestPeerMasterIgnored(t *testing.T) {
	c := dial(t)
	m, err := (&Pair{End: End{Name: "vg"}, Peer: End{Name: "vh"}}).Request()
	if err != nil {
		t.Fatal(err)
	}
	m.Attrs.Info.Data.(*Info).Peer.Attrs.Master = new(uint32(4242))
	l, err := c.AddLink(m, true)
	if err != nil {
		t.Fatalf("AddLink: %v", err)
	}
	t.Cleanup(func() { c.DeleteLink(l.Index) })
	if vh := names(t, c)["vh"]; vh == nil || vh.Attrs.Master != nil {
		t.Errorf("want vh without a master, got %+v", vh)
	}
}

func keys(m map[string]*rtnl.LinkMessage) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	return s
}

// TestAddBothEndsElsewhere creates a pair with neither end in the asking
// namespace: each end is created straight in its own.
func TestAddBothEndsElsewhere(t *testing.T) {
	c := dial(t)
	blue, red := newNetNS(t), newNetNS(t)
	l, err := Add(c, Pair{
		End:  End{Name: "vx", NetNSFD: int(blue.Fd()), Up: true},
		Peer: End{Name: "vy", NetNSFD: int(red.Fd()), Up: true},
	})
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	if l == nil || l.Attrs.Name != "vx" {
		t.Fatalf("want the new end vx, got %+v", l)
	}
	if n := names(t, c); n["vx"] != nil || n["vy"] != nil {
		t.Errorf("an end landed in the asking namespace: %v", keys(n))
	}
	bx, ry := names(t, dialNS(t, blue))["vx"], names(t, dialNS(t, red))["vy"]
	if bx == nil || ry == nil {
		t.Fatalf("want vx in blue and vy in red")
	}
	if bx.Flags&unix.IFF_UP == 0 || ry.Flags&unix.IFF_UP == 0 {
		t.Errorf("want both ends up, got flags %#x and %#x", bx.Flags, ry.Flags)
	}
}
