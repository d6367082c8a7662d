package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/rtnl/wire"
)

// ip link add and set refuse what iproute2 6.1 refuses, with its words
// and exit status: options given twice (name, index, mtu, txqueuelen and
// its other spellings, netns, numtxqueues, numrxqueues, group,
// link-netnsid; -1 counts as not given, as there), an unknown master
// (found while the options are read, so it is the first error whatever
// follows it), values it cannot read. Each command runs with iproute2
// and with linkbox from the same state; nothing may be left behind.
func TestLinkModifyErrorsMatchIproute2(t *testing.T) {
	kernel(t)
	ns := "wlinkerr"
	wireNS(t, ns)
	wireNS(t, "wlinkerrpeer")
	mustSys(t, "ip", "-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	for _, cmd := range []string{
		"link add x1 name a name b type veth",
		"link add x1 mtu 1400 mtu 1300 type veth",
		"link add x1 txqueuelen 5 qlen 6 type veth",
		"link add x1 txqlen 5 txqueuelen 6 type veth",
		"link set v0 mtu 1400 mtu 1300",
		"link set v0 name a name b",
		"link set v0 txqueuelen abc",
		"link set v0 mtu abc",
		"link set v0 numtxqueues abc",
		"link add x1 master nosuch type veth",
		"link set v0 master nosuch",
		"link set v0 master nosuch mtu abc",
		"link set v0 mtu abc master nosuch",
		"link add x1 netns wlinkerrpeer netns wlinkerrpeer type veth",
		"link add x1 numtxqueues 2 numtxqueues 3 type veth",
		"link add x1 numrxqueues 2 numrxqueues 3 type veth",
		"link add x1 group 1 group 2 type veth",
		"link add x1 index 55 index 66 type veth",
		"link add x1 index abc type veth",
		"link add x1 index 0 type veth",
		"link set v0 index 5",
		"link add x1 link-netnsid 1 link-netnsid 2 type veth",
		"link add x1 type veth peer name y mtu 1 mtu 2",
		"link add x1 type veth peer name a name b",
		"link add x1 type veth peer name y master nosuch",
		"link add x1 type veth peer name y netns wlinkerrpeer mtu 1400 netns wlinkerrpeer",
		"link add x1 link nosuch type veth",
		"link add x1 name x2 type veth",
	} {
		argv := append([]string{"ip", "-n", ns}, strings.Fields(cmd)...)
		before := wireKernelState(t, ns)
		want := sys(t, argv...)
		if want.code == 0 {
			t.Fatalf("ip %s: iproute2 succeeded: the case shows nothing", cmd)
		}
		if got := lb(t, argv...); got != want {
			t.Errorf("ip %s: want iproute2's %+v, got %+v", cmd, want, got)
		}
		if after := wireKernelState(t, ns); after != before {
			t.Errorf("ip %s: the state changed:\nbefore:\n%s\nafter:\n%s", cmd, before, after)
		}
	}
}

// The requests of ip link add and set have iproute2's bytes where the
// options' order matters: IFLA_LINK just before IFLA_IFNAME, wherever
// "link DEV" was written, and only when a link is made (ip link set
// ignores "link"); values read as C ints (an MTU of -1 is sent); no name
// when a link is "renamed" to its own; and a link moved to another
// namespace with "index N" gets IFLA_NEW_IFINDEX, before its new name.
func TestLinkModifyBytesMatchIproute2(t *testing.T) {
	kernel(t)
	needTool(t, "strace")
	needTool(t, "nsenter")
	ns := "wlinkbytes"
	wireNS(t, ns)
	mustSys(t, "ip", "-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	mustSys(t, "ip", "-n", ns, "link", "add", "br0", "type", "bridge")
	mustSys(t, "ip", "-n", ns, "link", "add", "m0", "type", "veth", "peer", "name", "m1")
	mustSys(t, "ip", "-n", ns, "link", "add", "n0", "type", "veth", "peer", "name", "n1")
	wireNS(t, "wlinkbytespeer")
	for _, cmd := range []string{
		"ip link add x1 link v0 mtu 1400 type veth peer name y1",
		"ip link add link v0 name x2 txqueuelen 10 type veth",
		"ip link add x3 mtu 1400 link v0 master br0 type veth peer name y3 link v1 mtu 1300",
		"ip link add x4 mtu -1 type veth",
		"ip link set v0 link v1 mtu 1400",
		"ip link set v0 txqueuelen 0x10",
		"ip link set v0 name v0 mtu 1400",
		"ip link set name v0 mtu 1400",
		"ip link add name x5 type veth",
		// Last: they move links away.
		"ip link set m0 netns wlinkbytespeer index 9",
		"ip link set n0 netns wlinkbytespeer index 10 name z0",
	} {
		argv := strings.Fields(cmd)
		// The dry run first: it changes nothing, so iproute2 then
		// runs on the same state.
		r := lb(t, append([]string{"ip", "--dry-run", "-n", ns}, argv[1:]...)...)
		if r.code != 0 {
			t.Fatalf("%s --dry-run: exit %d: %s%s", cmd, r.code, r.stdout, r.stderr)
		}
		var got [][]byte
		for _, d := range wireChanges(wireAnnotated(t, "--dry-run's stdout", r.stdout)) {
			got = append(got, linkChangeMessages(d.Data)...)
		}
		want := linkChangeMessages(iproute2Sent(t, ns, argv)...)
		mustSys(t, "ip", "-n", ns, "link", "set", "v0", "mtu", "1500", "txqueuelen", "1000")
		for _, l := range []string{"x1", "x2", "x3", "x4", "x5"} {
			sys(t, "ip", "-n", ns, "link", "del", l)
		}
		if len(want) == 0 {
			t.Fatalf("%s: iproute2 sent no change", cmd)
		}
		if !equalMessages(want, got) {
			t.Errorf("%s: want iproute2's requests, got others:\n%s", cmd, showMessages(want, got))
		}
	}
}

// iproute2Sent runs an iproute2 command in namespace ns under strace and
// returns the datagrams it sent, whether the kernel took them or not.
func iproute2Sent(t *testing.T, ns string, argv []string) [][]byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "strace")
	r := sys(t, append([]string{"strace", "-f", "-qq", "-xx", "-s", "65536", "-e", "trace=sendmsg,sendto",
		"-e", "write=all", "-o", out, "nsenter", "--net=" + filepath.Join("/run/netns", ns)}, argv...)...)
	if r.code != 0 {
		t.Logf("%q: exit %d: %s%s (the kernel's answer; the request is compared)", argv, r.code, r.stdout, r.stderr)
	}
	text, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := wire.ParseStrace(string(text))
	if err != nil {
		t.Fatalf("%q: reading strace: %v", argv, err)
	}
	var sent [][]byte
	for _, d := range ds {
		if d.Dir == rtnl.Sent {
			sent = append(sent, d.Data)
		}
	}
	return sent
}

// linkChangeMessages cuts datagrams into messages and keeps the
// RTM_NEWLINK requests that carry something, with sequence number, port
// id and namespace descriptors zeroed (iproute2's probe, an empty
// ifinfomsg, is left out).
func linkChangeMessages(bufs ...[]byte) [][]byte {
	var out [][]byte
	for _, b := range bufs {
		for off := 0; off+rtnl.HeaderLen <= len(b); {
			n := int(binary.NativeEndian.Uint32(b[off:]))
			if n < rtnl.HeaderLen || n > len(b)-off {
				break
			}
			m := bytes.Clone(b[off : off+n])
			off += (n + 3) &^ 3
			if binary.NativeEndian.Uint16(m[4:]) != unix.RTM_NEWLINK || n == rtnl.HeaderLen+unix.SizeofIfInfomsg && !bytes.ContainsFunc(m[rtnl.HeaderLen:], func(r rune) bool { return r != 0 }) {
				continue
			}
			clear(m[8:16])
			out = append(out, wireNormalised(m))
		}
	}
	return out
}

func equalMessages(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func showMessages(want, got [][]byte) string {
	var b strings.Builder
	for _, side := range []struct {
		name string
		msgs [][]byte
	}{{"iproute2", want}, {"linkbox", got}} {
		b.WriteString(side.name + ":\n")
		for _, m := range side.msgs {
			wire.NewAnnotator(kinds).Annotate(wire.Datagram{Dir: rtnl.Sent, Data: m}).WriteText(&b)
		}
	}
	return b.String()
}

// A veth peer's namespace file is closed whatever ends the command after
// it was opened: a lower link or a namespace of the link itself that do
// not exist.
func TestLinkAddClosesPeerNamespace(t *testing.T) {
	kernel(t)
	wireNS(t, "wlinkfd")
	wireNS(t, "wlinkfdpeer")
	for _, cmd := range []string{
		"link add x1 link nosuch type veth peer name y1 netns wlinkfdpeer",
		"link add x1 netns nosuchns type veth peer name y1 netns wlinkfdpeer",
	} {
		before := openFDs(t)
		r := lb(t, append([]string{"ip", "-n", "wlinkfd"}, strings.Fields(cmd)...)...)
		if r.code == 0 {
			t.Fatalf("ip %s: want a failure, got none", cmd)
		}
		if after := openFDs(t); after != before {
			t.Errorf("ip %s: %d descriptors open before, %d after: the peer's namespace stayed open", cmd, before, after)
		}
	}
}

func openFDs(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(fds)
}
