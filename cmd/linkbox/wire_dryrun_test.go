package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var updateWire = flag.Bool("wire.update", false, "rewrite the golden files in testdata/wire")

// wireSetup builds, with iproute2, the state the dry-run tests start from
// in namespace ns: two veth pairs, a bridge with one port, an address and
// two links up. In a fresh namespace the indexes are always the same:
// lo 1, veth1 2, veth0 3, veth3 4, veth2 5, br0 6.
func wireSetup(t *testing.T, ns string) {
	t.Helper()
	wireNS(t, ns)
	for _, c := range []string{
		"link add veth0 type veth peer name veth1",
		"link add veth2 type veth peer name veth3",
		"link add br0 type bridge",
		"link set veth1 master br0",
		"addr add 198.18.0.1/24 dev veth0",
		"link set veth0 up",
		"link set veth1 up",
	} {
		mustSys(t, append([]string{"ip", "-n", ns}, strings.Fields(c)...)...)
	}
	// The kernel finishes bringing the pair up a moment later (carrier,
	// then the IPv6 multicast routes): wait for it, so that nothing
	// changes by itself while a test compares states.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		routes := mustSys(t, "ip", "-n", ns, "route", "show", "table", "all")
		if strings.Contains(routes, "ff00::/8 dev veth0") && strings.Contains(routes, "ff00::/8 dev veth1") && !strings.Contains(routes, "linkdown") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the veth pair of namespace %s did not come up in 5 s:\n%s", ns, routes)
		}
	}
}

// The commands a dry run must show exactly: every ip, brctl, bridge and
// ifconfig command of the seed's kind that changes state. wpeer is a
// namespace for peers and links sent away.
var wireDryRunCommands = []string{
	"ip link add v0 type veth peer name v1",
	"ip link add v2 type veth peer name v3 netns wpeer",
	"ip link add br1 type bridge stp_state 1 forward_delay 400 hello_time 300 ageing_time 30000 priority 100",
	"ip link add v4 mtu 1400 type veth peer name v5 mtu 1400",
	"ip link set veth2 master br0",
	"ip link set veth2 up",
	"ip link set veth0 mtu 1400",
	"ip link set veth3 netns wpeer",
	"ip link set dev veth2 up master br0 mtu 1300",
	"ip link del veth2",
	"ip addr add 198.18.1.1/24 dev veth2",
	"ip -6 addr add 2001:db8::1/64 dev veth0 nodad",
	"ip addr del 198.18.0.1/24 dev veth0",
	"ip route add 198.19.0.0/16 via 198.18.0.254",
	"ip route add 198.19.1.0/24 dev veth0 metric 10",
	"ip neigh add 198.18.0.9 lladdr 02:00:00:00:00:09 dev veth0",
	"brctl addbr br1",
	"brctl delbr br0",
	"brctl addif br0 veth2",
	"brctl delif br0 veth1",
	"brctl stp br0 on",
	"brctl setfd br0 4",
	"bridge fdb add 02:00:00:00:00:01 dev veth1 master static",
	"ifconfig veth2 198.18.2.1 netmask 255.255.255.0 up",
	"ifconfig veth0 mtu 1450",
}

// A dry run sends nothing that changes the kernel, and what it prints is
// what the same command really sends: for each command, run with
// --dry-run in one namespace and for real under --trace in its twin (the
// same state, so the same indexes), the requests are equal byte for byte,
// sequence numbers and port ids aside (and the descriptor number of a
// namespace); the first namespace has not changed, the second has.
func TestDryRunSendsWhatTheCommandSends(t *testing.T) {
	kernel(t)
	needTool(t, "bridge")
	wireNS(t, "wpeer")
	for i, cmd := range wireDryRunCommands {
		t.Run(cmd, func(t *testing.T) {
			dry, real := fmt.Sprintf("wdry%d", i), fmt.Sprintf("wreal%d", i)
			wireSetup(t, dry)
			wireSetup(t, real)
			argv := strings.Fields(cmd)

			before := wireKernelState(t, dry)
			d := mustWireBin(t, dry, nil, append([]string{argv[0], "--dry-run"}, argv[1:]...)...)
			if after := wireKernelState(t, dry); after != before {
				t.Errorf("the dry run changed the kernel's state:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			if d.stderr != "" {
				t.Errorf("the dry run wrote to stderr:\n%s", d.stderr)
			}
			held := wireAnnotated(t, "--dry-run's stdout", d.stdout)

			stateBefore := wireKernelState(t, real)
			r := mustWireBin(t, real, nil, append([]string{argv[0], "--trace"}, argv[1:]...)...)
			if wireKernelState(t, real) == stateBefore {
				t.Errorf("the real command changed nothing: the comparison proves nothing")
			}
			sent := wireChanges(wireAnnotated(t, "--trace's stderr", r.stderr))

			if len(held) == 0 {
				t.Fatalf("the dry run printed no request")
			}
			if len(held) != len(sent) {
				t.Fatalf("want the %d datagrams the command sends, the dry run shows %d:\nsent:\n%s\ndry run:\n%s", len(sent), len(held), wireDumpsText(sent), d.stdout)
			}
			for k := range held {
				if !bytes.Equal(wireNormalised(sent[k].Data), wireNormalised(held[k].Data)) {
					t.Errorf("datagram %d: want the bytes the command sends, got others:\nsent:\n%s\ndry run:\n%s", k+1, wireDumpsText(sent[k:k+1]), wireDumpsText(held[k:k+1]))
				}
			}
		})
	}
}

// Golden output of --dry-run: what a reader sees for the seed's kinds of
// command. The state is wireSetup's, so the indexes are fixed; the one
// number that is not, a descriptor in IFLA_NET_NS_FD, is shown as NN.
func TestDryRunGolden(t *testing.T) {
	kernel(t)
	wireNS(t, "wpeer")
	wireSetup(t, "wgold")
	for _, tc := range []struct{ file, cmd string }{
		{"veth_peer_netns", "ip link add veth9 type veth peer name veth9p netns wpeer"},
		{"bridge_options", "ip link add br9 type bridge stp_state 1 forward_delay 400 ageing_time 30000"},
		{"port_attach", "ip link set dev veth2 master br0"},
		{"brctl_addif", "brctl addif br0 veth2"},
		{"brctl_addbr_stp", "brctl addbr br9"},
		{"addr_add", "ip addr add 198.18.1.1/24 dev veth2"},
		{"route_add", "ip route add 198.19.0.0/16 via 198.18.0.254"},
		{"ifconfig_up", "ifconfig veth2 198.18.2.1 netmask 255.255.255.0 up"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			argv := strings.Fields(tc.cmd)
			r := mustWireBin(t, "wgold", nil, append([]string{argv[0], "--dry-run"}, argv[1:]...)...)
			got := "# linkbox --dry-run " + tc.cmd + "\n" + wireHideFD(r.stdout)
			file := filepath.Join("testdata", "wire", "dryrun_"+tc.file+".golden")
			if *updateWire {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run with -wire.update to write it)", err)
			}
			if string(want) != got {
				t.Errorf("%s: output differs from the golden file:\nwant:\n%s\ngot:\n%s", tc.cmd, want, got)
			}
		})
	}
}

// wireHideFD replaces the value of each IFLA_NET_NS_FD in a text dump by
// NN: it is a descriptor number of the process that printed it.
func wireHideFD(s string) string {
	lines := strings.Split(s, "\n")
	value := regexp.MustCompile(`^([0-9a-f]{4,}  )[0-9a-f]{2}( 00 00 00\s+)\d+$`)
	for i := 0; i+1 < len(lines); i++ {
		if strings.Contains(lines[i], "IFLA_NET_NS_FD") {
			lines[i+1] = value.ReplaceAllString(lines[i+1], "${1}NN${2}NN")
		}
	}
	return strings.Join(lines, "\n")
}
