package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/rtnl/wire"
)

// The differential check: for each state-changing command, the requests
// linkbox sends are the bytes iproute2 sends for it, sequence number and
// port id aside.
//
// Two fresh namespaces are set up alike, so that their links get the same
// indexes: iproute2 runs each command in one (under strace, through
// nsenter), linkbox in the other (in process, on a traced connection).
// The commands run in turn and keep the twins alike. From each side the
// messages that change state (RTM_NEW*, RTM_DEL*, RTM_SET*) are compared,
// in order; lookups differ freely (iproute2 resolves names with
// RTM_GETLINK or if_nametoindex, linkbox with RTM_GETLINK). bridge-utils
// changes bridges with ioctls and sysfs writes, not netlink, so each
// brctl command is compared with the iproute2 command that does the
// same. Every difference that remains is listed in the table with its
// reason, and a listed difference that no longer shows is an error too.

// diffCase is one command of the differential check.
type diffCase struct {
	cmd string // run by linkbox, and by iproute2 unless ref is set
	ref string // the iproute2 command to compare with, when cmd is not one
	// differs explains a difference that remains; fix makes the two
	// sides' messages alike where they differ for that reason.
	differs string
	fix     func(ip, lb [][]byte) ([][]byte, [][]byte)
}

// diffSetup is run by iproute2 in both namespaces, in order.
var diffSetup = []string{
	"ip link set lo up",
	"ip link add d0 type veth peer name d1",
	"ip link add dbr type bridge",
	"ip link add d2 type veth peer name d3",
}

var diffCases = []diffCase{
	{cmd: "ip link set d0 up"},
	{cmd: "ip link set dev d1 up"},
	{cmd: "ip link set dbr up"},
	{cmd: "ip link set d0 mtu 1400"},
	{cmd: "ip link set d0 txqueuelen 500"},
	{cmd: "ip link set d0 alias uplink"},
	{cmd: "ip link set d1 address 02:00:5e:00:53:01"},
	{cmd: "ip link set d0 master dbr"},
	{cmd: "ip link set d0 type bridge_slave cost 10 priority 5 learning off"},
	{cmd: "ip link set dbr type bridge stp_state 1 forward_delay 400 hello_time 200 max_age 2000"},
	{cmd: "ip link set dbr type bridge ageing_time 20000 priority 4096"},
	{cmd: "ip link set d2 name d9"},
	{cmd: "ip link set d9 group 5"},
	{cmd: "ip link add d4 type veth peer name d5"},
	{cmd: "ip link add d6 mtu 1300 type veth peer name d7 mtu 1300 address 02:00:5e:00:53:07"},
	{cmd: "ip link add dbr2 type bridge stp_state 0 ageing_time 3000 mcast_snooping 0"},
	{cmd: "ip link set d4 master dbr2"},
	{cmd: "ip link set d4 nomaster"},
	{cmd: "ip addr add 198.18.0.1/24 dev dbr"},
	{cmd: "ip addr add 198.18.1.1/24 brd + dev dbr label dbr:a"},
	{cmd: "ip addr add 198.18.2.1 peer 198.18.2.2/32 dev d1"},
	{cmd: "ip -6 addr add 2001:db8::1/64 dev dbr nodad"},
	{cmd: "ip addr add 198.18.3.1/24 dev d1 valid_lft 100 preferred_lft 50"},
	{cmd: "ip addr replace 198.18.3.1/24 dev d1"},
	{cmd: "ip route add 198.18.10.0/24 via 198.18.0.2"},
	{cmd: "ip route add 198.18.11.0/24 dev dbr metric 7 table 100"},
	{cmd: "ip route add 198.18.12.0/24 via 198.18.0.3 src 198.18.0.1 proto static"},
	{cmd: "ip -6 route add 2001:db8:1::/64 via 2001:db8::2 dev dbr"},
	{cmd: "ip route replace 198.18.10.0/24 via 198.18.0.4"},
	{cmd: "ip route del 198.18.11.0/24 dev dbr table 100"},
	{cmd: "ip neigh add 198.18.0.9 lladdr 02:00:5e:00:53:09 dev dbr nud permanent"},
	{cmd: "ip neigh replace 198.18.0.9 lladdr 02:00:5e:00:53:0a dev dbr"},
	{cmd: "ip neigh del 198.18.0.9 dev dbr"},
	{cmd: "bridge fdb add 02:00:5e:00:53:0b dev d0 master static"},
	{cmd: "bridge fdb del 02:00:5e:00:53:0b dev d0 master"},
	{cmd: "ip addr del 198.18.2.1 peer 198.18.2.2/32 dev d1"},
	{cmd: "ip link set d0 down"},
	{cmd: "ip link del d4"},
	{cmd: "ip link del dbr2"},
	{cmd: "ip link add dbr4 type bridge"},
	{cmd: "ip link del dbr4"},
	{cmd: "brctl addbr dbr3", ref: "ip link add dbr3 type bridge",
		differs: "brctl addbr asks for the new bridge back (NLM_F_ECHO), to learn its index without a lookup",
		fix: func(ip, lb [][]byte) ([][]byte, [][]byte) {
			return ip, diffEach(lb, func(m []byte) []byte { return diffClearFlags(m, unix.NLM_F_ECHO) })
		}},
	{cmd: "brctl addif dbr3 d6", ref: "ip link set d6 master dbr3"},
	{cmd: "brctl stp dbr3 on", ref: "ip link set dbr3 type bridge stp_state 1"},
	{cmd: "brctl delif dbr3 d6", ref: "ip link set d6 nomaster"},
	{cmd: "brctl delbr dbr3", ref: "ip link del dbr3"},
}

func TestRequestsMatchIproute2(t *testing.T) {
	kernel(t)
	needTool(t, "strace")
	needTool(t, "nsenter")
	ipNS, lbNS := "diffip", "difflb"
	for _, ns := range []string{ipNS, lbNS} {
		mustSys(t, "ip", "netns", "add", ns)
		t.Cleanup(func() { sys(t, "ip", "netns", "del", ns) })
		for _, c := range diffSetup {
			mustSys(t, append([]string{"ip", "-n", ns}, strings.Fields(c)[1:]...)...)
		}
	}
	f, err := os.Open(filepath.Join("/run/netns", lbNS))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var sent [][]byte
	conn, err := rtnl.Dial(&rtnl.Config{Kinds: kinds, NetNS: int(f.Fd()), Trace: func(d rtnl.Direction, b []byte) {
		if d == rtnl.Sent {
			sent = append(sent, bytes.Clone(b))
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	if len(diffCases) < 30 {
		t.Fatalf("the check covers %d commands, want 30 at least", len(diffCases))
	}
	for _, tc := range diffCases {
		ref := tc.ref
		if ref == "" {
			ref = tc.cmd
		}
		ipBufs, code := diffStrace(t, ipNS, ref)
		if code != 0 {
			t.Fatalf("%s: iproute2 exits %d; the twins would drift apart", ref, code)
		}
		sent = nil
		var out, errb bytes.Buffer
		e := newEnv(strings.NewReader(""), &out, &errb, func(string) string { return "" })
		e.conns[""] = conn
		code = run(e, strings.Fields(tc.cmd))
		e.conns = map[string]*rtnl.Conn{} // the connection serves every command
		if code != 0 {
			t.Fatalf("%s: linkbox exits %d: %s%s", tc.cmd, code, out.String(), errb.String())
		}
		ip, lb := diffChanges(ipBufs), diffChanges(sent)
		if len(ip) == 0 {
			t.Errorf("%s: iproute2 sent no request that changes state", ref)
			continue
		}
		same := diffEqual(ip, lb)
		if tc.fix != nil {
			ip, lb = tc.fix(ip, lb)
		}
		switch {
		case !diffEqual(ip, lb):
			t.Errorf("%s: linkbox's requests differ from iproute2's (%s):\n%s", tc.cmd, ref, diffShow(ip, lb))
		case same && tc.differs != "":
			t.Errorf("%s: listed as differing (%s), but the requests are the same: update the list", tc.cmd, tc.differs)
		}
	}
}

// diffStrace runs an iproute2 command in namespace ns under strace and
// returns the datagrams it sent and its exit status.
func diffStrace(t *testing.T, ns, cmd string) ([][]byte, int) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "strace")
	r := sys(t, append([]string{"strace", "-f", "-qq", "-xx", "-s", "65536", "-e", "trace=sendmsg,sendto",
		"-e", "write=all", "-o", out, "nsenter", "--net=" + filepath.Join("/run/netns", ns)}, strings.Fields(cmd)...)...)
	text, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := wire.ParseStrace(string(text))
	if err != nil {
		t.Fatalf("%s: reading strace: %v", cmd, err)
	}
	var bufs [][]byte
	for _, d := range ds {
		if d.Dir == rtnl.Sent {
			bufs = append(bufs, d.Data)
		}
	}
	if r.code != 0 {
		t.Logf("%s: %s%s", cmd, r.stdout, r.stderr)
	}
	return bufs, r.code
}

// diffChanges cuts datagrams into messages and keeps those that change
// state, with nlmsg_seq and nlmsg_pid zeroed. iproute2's probe for
// RTM_NEWLINK support (an empty ifinfomsg and nothing else) is left out.
func diffChanges(bufs [][]byte) [][]byte {
	var out [][]byte
	for _, b := range bufs {
		for off := 0; off+rtnl.HeaderLen <= len(b); {
			n := int(binary.NativeEndian.Uint32(b[off:]))
			if n < rtnl.HeaderLen || n > len(b)-off {
				break
			}
			m := bytes.Clone(b[off : off+n])
			off += (n + 3) &^ 3
			typ := binary.NativeEndian.Uint16(m[4:])
			if typ < unix.RTM_BASE || typ%4 == 2 {
				continue
			}
			if typ == unix.RTM_NEWLINK && n == rtnl.HeaderLen+unix.SizeofIfInfomsg && bytes.Count(m[rtnl.HeaderLen:], []byte{0}) == unix.SizeofIfInfomsg {
				continue
			}
			clear(m[8:16])
			out = append(out, m)
		}
	}
	return out
}

func diffEqual(a, b [][]byte) bool {
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

// diffShow prints both sides' messages, annotated, for a failure.
func diffShow(ip, lb [][]byte) string {
	var b strings.Builder
	for _, side := range []struct {
		name string
		msgs [][]byte
	}{{"iproute2", ip}, {"linkbox", lb}} {
		fmt.Fprintf(&b, "%s, %d messages:\n", side.name, len(side.msgs))
		a := wire.NewAnnotator(kinds)
		for _, m := range side.msgs {
			a.Annotate(wire.Datagram{Dir: rtnl.Sent, Data: m}).WriteText(&b)
		}
	}
	return b.String()
}

// diffEach applies fn to a copy of each message.
func diffEach(msgs [][]byte, fn func([]byte) []byte) [][]byte {
	out := make([][]byte, len(msgs))
	for i, m := range msgs {
		out[i] = fn(bytes.Clone(m))
	}
	return out
}

// diffClearFlags clears nlmsg_flags bits in m.
func diffClearFlags(m []byte, flags uint16) []byte {
	binary.NativeEndian.PutUint16(m[6:], binary.NativeEndian.Uint16(m[6:])&^flags)
	return m
}
