package rtnl

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"testing"

	"golang.org/x/sys/unix"
)

// Kernel tests: each runs in the nstest sandbox, makes its own links with
// names of its own, reads every change back from the kernel and undoes it.

// addVeth creates a veth pair with kernel-chosen peer name and returns the
// named end. rtnl knows no kinds, so it asks for kind "veth" alone.
func addVeth(t *testing.T, c *Conn, name string) *LinkMessage {
	t.Helper()
	l, err := c.AddLink(&LinkMessage{Attrs: LinkAttrs{Name: name, Info: &LinkInfo{Kind: "veth"}}}, true)
	if err != nil {
		t.Fatalf("creating veth %s: %v", name, err)
	}
	if l == nil || l.Attrs.Name != name || l.Index == 0 {
		t.Fatalf("NLM_F_ECHO: want the new link %s back, got %+v", name, l)
	}
	t.Cleanup(func() { c.DeleteLink(l.Index) })
	return l
}

func mustLink(t *testing.T, c *Conn, index int32) *LinkMessage {
	t.Helper()
	l, err := c.LinkByIndex(index)
	if err != nil {
		t.Fatalf("reading link %d back: %v", index, err)
	}
	return l
}

func TestKernelLinkSet(t *testing.T) {
	c := dial(t)
	v := addVeth(t, c, "kset0")
	idx := v.Index

	steps := []struct {
		name  string
		do    func() error
		check func(l *LinkMessage) bool
	}{
		{"mtu 1400", func() error { return c.SetLinkMTU(idx, 1400) }, func(l *LinkMessage) bool { return l.Attrs.MTU == 1400 }},
		{"name kset1", func() error { return c.SetLinkName(idx, "kset1") }, func(l *LinkMessage) bool { return l.Attrs.Name == "kset1" }},
		{"address", func() error { return c.SetLinkAddress(idx, net.HardwareAddr{2, 0, 0, 0, 0, 0x42}) },
			func(l *LinkMessage) bool { return l.Attrs.Address.String() == "02:00:00:00:00:42" }},
		{"alias", func() error { return c.SetLinkAlias(idx, "uplink to blue") },
			func(l *LinkMessage) bool { return l.Attrs.Alias != nil && *l.Attrs.Alias == "uplink to blue" }},
		{"alias removed", func() error { return c.SetLinkAlias(idx, "") }, func(l *LinkMessage) bool { return l.Attrs.Alias == nil }},
		{"txqlen 0", func() error { return c.SetLinkTxQLen(idx, 0) },
			func(l *LinkMessage) bool { return l.Attrs.TxQLen != nil && *l.Attrs.TxQLen == 0 }},
		{"group 7", func() error { return c.SetLinkGroup(idx, 7) },
			func(l *LinkMessage) bool { return l.Attrs.Group != nil && *l.Attrs.Group == 7 }},
		{"up", func() error { return c.SetLinkUp(idx) }, func(l *LinkMessage) bool { return l.Flags&unix.IFF_UP != 0 }},
		{"down", func() error { return c.SetLinkDown(idx) }, func(l *LinkMessage) bool { return l.Flags&unix.IFF_UP == 0 }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if l := mustLink(t, c, idx); !s.check(l) {
			t.Fatalf("%s: not visible in the kernel's view of the link: %+v", s.name, l.Attrs)
		}
	}
	byName, err := c.LinkByName("kset1")
	if err != nil || byName.Index != idx {
		t.Fatalf("LinkByName after rename: want index %d, got %v, %v", idx, byName, err)
	}
	if err := c.DeleteLink(idx); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := c.LinkByIndex(idx); !errors.Is(err, unix.ENODEV) {
		t.Fatalf("after delete: want ENODEV, got %v", err)
	}
}

func TestKernelLinkMaster(t *testing.T) {
	c := dial(t)
	br, err := c.AddLink(&LinkMessage{Attrs: LinkAttrs{Name: "kbr0", Info: &LinkInfo{Kind: "bridge"}}}, true)
	if err != nil {
		t.Fatalf("creating bridge: %v", err)
	}
	t.Cleanup(func() { c.DeleteLink(br.Index) })
	v := addVeth(t, c, "kport0")

	if err := c.SetLinkMaster(v.Index, br.Index); err != nil {
		t.Fatalf("master: %v", err)
	}
	l := mustLink(t, c, v.Index)
	if l.Attrs.Master == nil || int32(*l.Attrs.Master) != br.Index {
		t.Fatalf("master: want %d, got %v", br.Index, l.Attrs.Master)
	}
	if l.Attrs.Info == nil || l.Attrs.Info.SlaveKind != "bridge" {
		t.Fatalf("a bridge port reports IFLA_INFO_SLAVE_KIND bridge, got %+v", l.Attrs.Info)
	}
	ports, err := c.LinksMatching(&LinkMessage{Attrs: LinkAttrs{Master: new(uint32(br.Index))}})
	if err != nil || len(ports) != 1 || ports[0].Index != v.Index {
		t.Fatalf("dump filtered by master: want just %d, got %d links, %v", v.Index, len(ports), err)
	}
	if err := c.SetLinkNoMaster(v.Index); err != nil {
		t.Fatalf("nomaster: %v", err)
	}
	if l := mustLink(t, c, v.Index); l.Attrs.Master != nil {
		t.Fatalf("nomaster: still enslaved to %d", *l.Attrs.Master)
	}
}

// otherNetns starts a process in a new network namespace and returns it,
// and an fd of its namespace. rtnl may not switch namespaces itself; a
// child made by unshare(1) holds one for the test.
func otherNetns(t *testing.T) (*exec.Cmd, *os.File) {
	t.Helper()
	cmd := exec.Command("unshare", "--net", "sleep", "600")
	if err := cmd.Start(); err != nil {
		t.Skipf("skipped: cannot start unshare(1) for a second namespace: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	self, _ := os.Readlink("/proc/thread-self/ns/net")
	for range 1000 {
		if ns, _ := os.Readlink("/proc/" + itoa(cmd.Process.Pid) + "/ns/net"); ns != "" && ns != self {
			f, err := os.Open("/proc/" + itoa(cmd.Process.Pid) + "/ns/net")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			return cmd, f
		}
		exec.Command("true").Run()
	}
	t.Fatal("the child never entered its own namespace")
	return nil, nil
}

func itoa(n int) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

func TestKernelLinkNetns(t *testing.T) {
	c := dial(t)
	cmd, ns := otherNetns(t)
	there, err := Dial(&Config{NetNS: int(ns.Fd())})
	if err != nil {
		t.Fatalf("dialing into the other namespace: %v", err)
	}
	defer there.Close()

	a := addVeth(t, c, "kns0")
	if err := c.SetLinkNetNSFD(a.Index, int(ns.Fd())); err != nil {
		t.Fatalf("moving by fd: %v", err)
	}
	if _, err := c.LinkByName("kns0"); !errors.Is(err, unix.ENODEV) {
		t.Fatalf("after the move, kns0 is still here: %v", err)
	}
	if _, err := there.LinkByName("kns0"); err != nil {
		t.Fatalf("after the move, kns0 is not in the other namespace: %v", err)
	}

	b := addVeth(t, c, "kns1")
	if err := c.SetLinkNetNSPID(b.Index, cmd.Process.Pid); err != nil {
		t.Fatalf("moving by pid: %v", err)
	}
	moved, err := there.LinkByName("kns1")
	if err != nil {
		t.Fatalf("after the move by pid, kns1 is not in the other namespace: %v", err)
	}
	// Its peer stayed here, so the kernel names the peer's namespace
	// with an nsid.
	if moved.Attrs.LinkNetNSID == nil {
		t.Fatalf("a veth whose peer is elsewhere carries IFLA_LINK_NETNSID; got none")
	}
}

func TestKernelDumpRoundTrip(t *testing.T) {
	c := dial(t)
	addVeth(t, c, "krt0")
	br, err := c.AddLink(&LinkMessage{Attrs: LinkAttrs{Name: "krtbr0", Info: &LinkInfo{Kind: "bridge"}}}, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.DeleteLink(br.Index) })
	msgs, err := c.DumpAll(Request{Type: unix.RTM_GETLINK, Payload: &LinkMessage{Family: unix.AF_PACKET, Attrs: LinkAttrs{ExtMask: rtextFilterVF}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) < 4 {
		t.Fatalf("want lo, two veth ends and a bridge, got %d messages", len(msgs))
	}
	for _, m := range msgs {
		var l LinkMessage
		if err := l.UnmarshalBinary(m.Data); err != nil {
			t.Fatalf("decoding %x: %v", m.Data, err)
		}
		b, err := l.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m.Data, b) {
			t.Errorf("link %s: decode/encode differs from the kernel's bytes:\nwant %x\n got %x", l.Attrs.Name, m.Data, b)
		}
	}
}

func TestKernelErrors(t *testing.T) {
	c := dial(t)
	_, err := c.AddLink(&LinkMessage{Attrs: LinkAttrs{Name: "lo", Info: &LinkInfo{Kind: "veth"}}}, false)
	if !errors.Is(err, unix.EEXIST) {
		t.Errorf("creating a second lo: want EEXIST, got %v", err)
	}
	_, err = c.LinkByName("nosuch0")
	if !errors.Is(err, unix.ENODEV) {
		t.Errorf("looking up a missing link: want ENODEV, got %v", err)
	}
	// A 16-byte name is refused by the kernel's policy, which points at
	// the attribute; the error names it.
	_, err = c.AddLink(&LinkMessage{Attrs: LinkAttrs{Name: "abcdefghijklmnop", Info: &LinkInfo{Kind: "veth"}}}, false)
	var e *Error
	if !errors.As(err, &e) || e.Errno != unix.ERANGE || e.Attr != "IFLA_IFNAME" || e.Message == "" {
		t.Errorf("16-byte name: want ERANGE with an extended ack on IFLA_IFNAME, got %#v", err)
	}
	// An errno in NLMSG_DONE: a strict link dump filtered by index.
	_, err = c.LinksMatching(&LinkMessage{Index: 1})
	if !errors.Is(err, unix.EINVAL) {
		t.Errorf("strict dump filtered by ifindex: want EINVAL from NLMSG_DONE, got %v", err)
	}
}

func TestKernelDeleteLinks(t *testing.T) {
	c := dial(t)
	keep := addVeth(t, c, "kdkeep")
	if err := c.SetLinkGroup(keep.Index, 5); err != nil {
		t.Fatal(err)
	}
	var idx []int32
	for i := range 20 {
		idx = append(idx, addVeth(t, c, fmt.Sprintf("kdl%d", i)).Index)
	}
	// One of them is gone already: its error is reported, the rest go.
	if err := c.DeleteLink(idx[7]); err != nil {
		t.Fatal(err)
	}
	err := c.DeleteLinks(idx...)
	if !errors.Is(err, unix.ENODEV) {
		t.Fatalf("want an error for the missing link matching ENODEV, got %v", err)
	}
	links, err := c.Links()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, l := range links {
		names[l.Attrs.Name] = true
	}
	for i := range 20 {
		if names[fmt.Sprintf("kdl%d", i)] {
			t.Errorf("kdl%d survived", i)
		}
	}
	if !names["kdkeep"] {
		t.Fatal("a link outside the set was deleted")
	}
	if l := mustLink(t, c, keep.Index); *l.Attrs.Group != 5 {
		t.Fatalf("a link outside the set changed group: %d", *l.Attrs.Group)
	}
}
