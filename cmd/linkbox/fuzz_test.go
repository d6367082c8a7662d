package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkbox/linkbox/nsfs/nstest"
	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/rtnl/wire"
)

// FuzzCommand fuzzes the command line: a line of words, split at white
// space, run in this process as `linkbox --dry-run --pcap FILE WORDS...`
// in the test sandbox. The dry run sends lookups and dumps to the kernel
// and holds back every change; the pcap file receives both. Properties:
// no panic, and every datagram the command line sends or would send
// passes rtnl.Validate's strict checks (package fuzz has the message
// targets; this one reaches the builders through the parsers).
//
// Lines that could run other programs, block, or touch files are skipped:
// applets other than ip, brctl, bridge and ifconfig, any word that
// iproute2's prefix matching could read as exec, monitor or -batch, and
// any word starting with "--" (linkbox's own switches). A few links exist
// for the lines to name: fz0 and fz1 (a veth pair), fzbr (a bridge, with
// fz0 as its port).
func FuzzCommand(f *testing.F) {
	if !nstest.Inside() {
		f.Skipf("skipped: the dry run reads the kernel's links and so runs in the sandbox: %s", nstest.Reason())
	}
	for _, c := range []string{
		"ip link add fz0 type veth peer name fz1",
		"ip link add fzbr type bridge",
		"ip link set fz0 master fzbr",
	} {
		_ = exec.Command("sh", "-c", c+" 2>/dev/null").Run() // each worker runs this; the first wins
	}
	for _, s := range fuzzCommandSeeds {
		f.Add(s)
	}
	pcap := filepath.Join(f.TempDir(), "dry.pcap")
	f.Fuzz(func(t *testing.T, line string) {
		words := strings.Fields(line)
		if !fuzzCommandAllowed(words) {
			return
		}
		var out, errb bytes.Buffer
		e := newEnv(strings.NewReader(""), &out, &errb, func(string) string { return "" })
		run(e, append([]string{"linkbox", "--dry-run", "--pcap", pcap}, words...))
		e.close()
		b, err := os.ReadFile(pcap)
		if err != nil {
			return // the command failed before the switches took effect
		}
		ds, _, err := wire.ReadDatagrams(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%q: the dry run's pcap file does not read back: %v", line, err)
		}
		for _, d := range ds {
			if d.Dir != rtnl.Sent {
				continue
			}
			if err := rtnl.ValidateDatagram(d.Data, kinds); err != nil {
				t.Fatalf("%q sends a request the validator refuses: %v\n%x\nstdout:\n%s\nstderr:\n%s", line, err, d.Data, out.String(), errb.String())
			}
		}
	})
}

// fuzzCommandAllowed says whether a fuzzed command line is safe to run.
func fuzzCommandAllowed(words []string) bool {
	if len(words) == 0 {
		return false
	}
	switch words[0] {
	case "ip", "brctl", "bridge", "ifconfig":
	default:
		return false
	}
	for _, w := range words {
		if strings.HasPrefix(w, "--") || matches(w, "exec") || matches(w, "monitor") ||
			(len(w) > 1 && (matches(w, "-batch") || matches(w, "batch"))) || strings.ContainsRune(w, 0) {
			return false
		}
	}
	return true
}

// fuzzCommandSeeds are command lines of every kind that sends requests.
var fuzzCommandSeeds = []string{
	"ip link add v9 type veth peer name v8",
	"ip link add v9 mtu 1400 address 02:00:00:00:00:09 txqueuelen 100 type veth peer name v8 mtu 1300",
	"ip link add br9 type bridge stp_state 1 forward_delay 400 priority 100 ageing_time 3000",
	"ip link add br9 type bridge mcast_snooping 0 mcast_querier 1 group_fwd_mask 8 nf_call_iptables 1",
	"ip link set fz0 up",
	"ip link set dev fz0 down",
	"ip link set fz0 mtu 1400",
	"ip link set fz0 name fz9",
	"ip link set fz0 address 02:00:00:00:00:01",
	"ip link set fz0 alias uplink",
	"ip link set fz0 txqueuelen 500 group 3",
	"ip link set fz0 master fzbr",
	"ip link set fz0 nomaster",
	"ip link set fz0 type bridge_slave cost 10 priority 3 learning off hairpin on",
	"ip link set fzbr type bridge stp_state 0 fdb_flush",
	"ip link del fz0",
	"ip link del dev fzbr",
	"ip link show",
	"ip -d link show dev fzbr",
	"ip addr add 198.18.0.1/24 dev fz0",
	"ip addr add 198.18.0.1/24 brd + label fz0:a metric 5 dev fz0",
	"ip addr add 198.18.1.1 peer 198.18.1.2/32 dev fz0",
	"ip -6 addr add 2001:db8::1/64 dev fz0 nodad noprefixroute valid_lft 100 preferred_lft 50",
	"ip addr replace 198.18.0.1/24 dev fz0 scope link",
	"ip addr del 198.18.0.1/24 dev fz0",
	"ip addr flush dev fz0",
	"ip addr show dev fz0",
	"ip route add 198.18.2.0/24 dev fz0",
	"ip route add 198.18.2.0/24 via 198.18.0.2 metric 10 table 100 src 198.18.0.1",
	"ip route add default via 198.18.0.254",
	"ip route add 198.18.3.0/24 nexthop via 198.18.0.3 weight 1 nexthop via 198.18.0.4 weight 2",
	"ip route add 198.18.4.0/24 dev fz0 mtu lock 1300",
	"ip -6 route add 2001:db8:1::/64 via 2001:db8::2 dev fz0 pref high",
	"ip route replace 198.18.2.0/24 dev fz0 proto static",
	"ip route del 198.18.2.0/24",
	"ip route flush dev fz0",
	"ip route get 198.18.2.1",
	"ip neigh add 198.18.0.9 lladdr 02:00:00:00:00:09 dev fz0 nud permanent",
	"ip -6 neigh replace 2001:db8::9 lladdr 02:00:00:00:00:0a dev fz0",
	"ip neigh del 198.18.0.9 dev fz0",
	"ip neigh flush dev fz0",
	"ip netns list-id",
	"brctl addbr br8",
	"brctl delbr fzbr",
	"brctl addif fzbr fz1",
	"brctl delif fzbr fz0",
	"brctl stp fzbr on",
	"brctl setfd fzbr 4",
	"brctl sethello fzbr 2",
	"brctl setmaxage fzbr 20",
	"brctl setageing fzbr 300",
	"brctl setbridgeprio fzbr 4096",
	"brctl setpathcost fzbr fz0 10",
	"brctl setportprio fzbr fz0 5",
	"brctl hairpin fzbr fz0 on",
	"brctl show",
	"brctl showmacs fzbr",
	"brctl showstp fzbr",
	"bridge fdb add 02:00:00:00:00:01 dev fz0 master static",
	"bridge fdb append 02:00:00:00:00:02 dev fz0 self",
	"bridge fdb replace 02:00:00:00:00:01 dev fz0 master dynamic vlan 5 sticky",
	"bridge fdb del 02:00:00:00:00:01 dev fz0 master",
	"bridge fdb show br fzbr",
	"bridge link show",
	"ifconfig fz0 up",
	"ifconfig fz0 198.18.5.1 netmask 255.255.255.0 broadcast 198.18.5.255",
	"ifconfig fz0 mtu 1400 hw ether 02:00:00:00:00:05",
	"ifconfig fz0 add 2001:db8:5::1/64",
	"ifconfig fz0 down",
}

// The seeds are allowed and run, and a line that would run a program is
// not.
func TestFuzzCommandAllowed(t *testing.T) {
	for _, s := range fuzzCommandSeeds {
		if !fuzzCommandAllowed(strings.Fields(s)) {
			t.Errorf("seed %q is not allowed", s)
		}
	}
	for _, s := range []string{"ip netns exec blue rm -rf /", "ip -all netns e x", "ip monitor", "ip mo all", "ip -b /dev/zero",
		"ip -batch -", "linkbox --install /tmp", "ping 198.18.0.1", "ip --pcap /etc/passwd link", "cni", "topo", ""} {
		if fuzzCommandAllowed(strings.Fields(s)) {
			t.Errorf("%q is allowed", s)
		}
	}
}
