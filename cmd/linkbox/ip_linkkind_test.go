package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/bridge"
	"github.com/linkbox/linkbox/rtnl"
)

// tracedRun runs linkbox in this process, as lb does, with a connection that
// records every datagram it sends.
func tracedRun(t *testing.T, argv ...string) ([][]byte, result) {
	t.Helper()
	var out, errb bytes.Buffer
	e := newEnv(strings.NewReader(""), &out, &errb, func(string) string { return "" })
	var sent [][]byte
	c, err := rtnl.Dial(&rtnl.Config{Kinds: kinds, Trace: func(d rtnl.Direction, b []byte) {
		if d == rtnl.Sent {
			sent = append(sent, bytes.Clone(b))
		}
	}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	e.conns[""] = c
	code := run(e, argv)
	e.close()
	return sent, result{out.String(), errb.String(), code}
}

// stateChanges returns the requests in sent that change kernel state: link and
// neighbour creations, changes and deletions.
func stateChanges(sent [][]byte) [][]byte {
	var out [][]byte
	for _, b := range sent {
		if len(b) < rtnl.HeaderLen {
			continue
		}
		switch binary.NativeEndian.Uint16(b[4:]) {
		case unix.RTM_NEWLINK, unix.RTM_SETLINK, unix.RTM_DELLINK, unix.RTM_NEWNEIGH, unix.RTM_DELNEIGH:
			out = append(out, b)
		}
	}
	return out
}

// normalisedLike returns a copy of request b with what differs from run to
// run made equal to want's: the sequence number and port id, the ifindex
// in the family header, and the descriptor number or process id of an
// IFLA_NET_NS_FD or IFLA_NET_NS_PID.
func normalisedLike(b, want []byte) []byte {
	b = bytes.Clone(b)
	if len(b) < 24 || len(want) < 24 {
		return b
	}
	copy(b[8:16], want[8:16])
	copy(b[20:24], want[20:24])
	for _, hdr := range [][]byte{{0x08, 0x00, unix.IFLA_NET_NS_FD, 0x00}, {0x08, 0x00, unix.IFLA_NET_NS_PID, 0x00}} {
		if i := bytes.Index(want, hdr); i > 0 && i+8 <= len(b) && bytes.Equal(b[i:i+4], want[i:i+4]) {
			copy(b[i+4:i+8], want[i+4:i+8])
		}
	}
	return b
}

// checkRequestBytes compares a request with iproute2's.
func checkRequestBytes(t *testing.T, want, got []byte) {
	t.Helper()
	got = normalisedLike(got, want)
	if !bytes.Equal(want, got) {
		i := 0
		for i < len(want) && i < len(got) && want[i] == got[i] {
			i++
		}
		t.Errorf("request differs from iproute2's at byte %d:\nwant %x\ngot  %x", i, want, got)
	}
}

// deleteAtEnd deletes links (and named namespaces) when the test ends,
// whether or not it made them.
func deleteAtEnd(t *testing.T, names ...string) {
	t.Helper()
	t.Cleanup(func() {
		for _, n := range names {
			if ns, ok := strings.CutPrefix(n, "netns:"); ok {
				sys(t, "ip", "netns", "del", ns)
				continue
			}
			if sys(t, "ip", "link", "show", "dev", n).code == 0 {
				sys(t, "ip", "link", "del", "dev", n)
			}
		}
	})
}

// The requests linkbox sends for ip link add/set with a kind are
// iproute2's, byte for byte, with attributes in command-line order.
func TestIPLinkKindRequestsMatchIproute2(t *testing.T) {
	kernel(t)
	portSetup := [][]string{
		{"ip", "link", "add", "br0", "type", "bridge"},
		{"ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1"},
		{"ip", "link", "set", "v0", "master", "br0"},
		{"ip", "link", "set", "v0", "up"},
		{"ip", "link", "set", "v1", "up"},
	}
	for _, tt := range []struct {
		name   string
		setup  [][]string
		made   []string // links and namespaces to delete afterwards
		cmd    string
		golden []byte
	}{
		{"veth plain", nil, []string{"veth0"}, "ip link add veth0 type veth peer name veth1", goldenVethPlain},
		{"veth mtu address", nil, []string{"veth0"},
			"ip link add veth0 mtu 1400 address 02:00:00:00:00:01 type veth peer name veth1 mtu 1400 address 02:00:00:00:00:02",
			goldenVethMTUAddr},
		{"veth options in written order", nil, []string{"veth0"},
			"ip link add veth0 address 02:00:00:00:00:01 mtu 1400 type veth peer address 02:00:00:00:00:02 mtu 1300 name veth1 txqueuelen 50 group 3 numtxqueues 2 numrxqueues 3",
			goldenVethOrder},
		{"veth peer in named netns", [][]string{{"ip", "netns", "add", "blue"}}, []string{"veth0", "netns:blue"},
			"ip link add veth0 up type veth peer name veth1 netns blue", goldenVethNetNS},
		// iproute2 was asked for pid 1; here the test's own pid stands
		// in, whose namespace can be entered.
		{"veth peer in netns of pid", nil, []string{"veth0"},
			fmt.Sprintf("ip link add veth0 type veth peer name veth1 netns %d", os.Getpid()), goldenVethPID},
		{"bridge every option", nil, []string{"br0"},
			"ip link add br0 type bridge priority 4096 forward_delay 400 stp_state 1 hello_time 300 max_age 1000 ageing_time 500 group_fwd_mask 8 group_address 01:80:c2:00:00:0e no_linklocal_learn 1 fdb_flush mcast_router 2 mcast_snooping 0 mcast_vlan_snooping 0 mcast_query_use_ifaddr 1 mcast_querier 1 mcast_hash_elasticity 4 mcast_hash_max 512 mcast_last_member_count 3 mcast_startup_query_count 4 mcast_last_member_interval 200 mcast_membership_interval 30000 mcast_querier_interval 26000 mcast_query_interval 13000 mcast_query_response_interval 900 mcast_startup_query_interval 3000 mcast_stats_enabled 1 mcast_igmp_version 3 mcast_mld_version 2 nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0",
			goldenBridgeAll},
		{"bridge set", portSetup, []string{"br0", "v0"},
			"ip link set br0 type bridge ageing_time 1000 stp_state 0x1", goldenBridgeSet},
		{"bridge_slave every option", portSetup, []string{"br0", "v0"},
			"ip link set v0 type bridge_slave fdb_flush state 0 priority 5 cost 10 guard on hairpin of root_block on fastleave on learning off flood off mcast_flood off bcast_flood off mcast_to_unicast on proxy_arp on proxy_arp_wifi on mcast_router 2 mcast_fast_leave off neigh_suppress on group_fwd_mask 0x4000 vlan_tunnel off isolated on locked on nobackup_port",
			goldenPortAll},
	} {
		t.Run(tt.name, func(t *testing.T) {
			deleteAtEnd(t, tt.made...)
			for _, c := range tt.setup {
				mustSys(t, c...)
			}
			sent, r := tracedRun(t, strings.Fields(tt.cmd)...)
			if r.code != 0 {
				t.Fatalf("%s: exit %d: %s%s", tt.cmd, r.code, r.stdout, r.stderr)
			}
			reqs := stateChanges(sent)
			if len(reqs) != 1 {
				t.Fatalf("want 1 request that changes state, got %d", len(reqs))
			}
			checkRequestBytes(t, tt.golden, reqs[0])
		})
	}
}

// ipDetails returns ip -d -j link show's object for a link.
func ipDetails(t *testing.T, argv0, name string, nsArgs ...string) map[string]any {
	t.Helper()
	argv := append([]string{argv0}, nsArgs...)
	argv = append(argv, "-d", "-j", "link", "show", "dev", name)
	var out string
	if argv0 == "ip" {
		out = mustSys(t, argv...)
	} else {
		out = mustLB(t, argv...)
	}
	objs := jsonOf(t, out)
	if len(objs) != 1 {
		t.Fatalf("%q: want 1 link, got %d", argv, len(objs))
	}
	return objs[0]
}

// twinIdentity are the keys that tell twin links apart rather than describe
// their settings: names, indexes, random addresses, bridge ids and the
// timers that run.
var twinIdentity = regexp.MustCompile(`^(ifindex|ifname|link|link_index|address|master|` +
	`.*bridge_id|.*root_id|.*_timer|id|no|designated_port|perm_address|backup_port)$`)

// jsonDiffs lists the differences between two decoded JSON objects, keys
// matching skip left out, with their paths.
func jsonDiffs(path string, want, got map[string]any, skip *regexp.Regexp) []string {
	var out []string
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		if skip != nil && skip.MatchString(k) {
			continue
		}
		wv, wok := want[k]
		gv, gok := got[k]
		switch {
		case !wok:
			out = append(out, fmt.Sprintf("%s%s: not in iproute2's output, got %v", path, k, gv))
		case !gok:
			out = append(out, fmt.Sprintf("%s%s: want %v, missing", path, k, wv))
		default:
			wm, wIsMap := wv.(map[string]any)
			gm, gIsMap := gv.(map[string]any)
			if wIsMap && gIsMap {
				out = append(out, jsonDiffs(path+k+".", wm, gm, skip)...)
			} else if !jsonEqual(wv, gv) {
				out = append(out, fmt.Sprintf("%s%s: want %v, got %v", path, k, wv, gv))
			}
		}
	}
	return out
}

// checkTwins compares the settings of a link linkbox made with its twin
// that iproute2 (or bridge-utils) made with the same command.
func checkTwins(t *testing.T, ours, theirs string) {
	t.Helper()
	want := ipDetails(t, "ip", theirs)
	got := ipDetails(t, "ip", ours)
	for _, d := range jsonDiffs("", want, got, twinIdentity) {
		t.Errorf("%s (linkbox) vs %s (iproute2): %s", ours, theirs, d)
	}
}

// Each command leaves the kernel as iproute2's leaves it: a twin made by
// iproute2 with the same options has the same settings.
func TestIPLinkKindKernelStateMatchesIproute2(t *testing.T) {
	kernel(t)
	deleteAtEnd(t, "ktbr", "ktbrI", "ktp0", "ktp0I", "kta", "ktaI", "ktq0", "ktq0I", "ktpeer", "netns:ktblue")
	mustSys(t, "ip", "netns", "add", "ktblue")
	run := func(args string) {
		t.Helper()
		// %s is the twin suffix: "" for linkbox, "I" for iproute2.
		mustLB(t, strings.Fields(strings.ReplaceAll(args, "%s", ""))...)
		mustSys(t, strings.Fields(strings.ReplaceAll(args, "%s", "I"))...)
	}
	run("ip link add ktbr%s type bridge forward_delay 400 hello_time 300 max_age 1200 ageing_time 1234 stp_state 1 priority 4096 group_fwd_mask 8 group_address 01:80:c2:00:00:0e no_linklocal_learn 1 mcast_router 2 mcast_snooping 0 mcast_query_use_ifaddr 1 mcast_querier 1 mcast_hash_max 1024 mcast_last_member_count 3 mcast_startup_query_count 4 mcast_last_member_interval 200 mcast_membership_interval 30000 mcast_querier_interval 26000 mcast_query_interval 13000 mcast_query_response_interval 900 mcast_startup_query_interval 3000 mcast_stats_enabled 1 mcast_igmp_version 3 mcast_mld_version 2")
	checkTwins(t, "ktbr", "ktbrI")
	run("ip link set ktbr%s type bridge stp_state 0 forward_delay 1000 ageing_time 30 fdb_flush")
	checkTwins(t, "ktbr", "ktbrI")

	run("ip link add kta%s address 02:00:00:00:00:0a mtu 1400 txqueuelen 50 type veth peer name ktp0%s mtu 1300 address 02:00:00:00:00:0b numtxqueues 2 numrxqueues 3 group 7")
	checkTwins(t, "kta", "ktaI")
	checkTwins(t, "ktp0", "ktp0I")
	if got := ipDetails(t, "ip", "ktp0")["address"]; got != "02:00:00:00:00:0b" {
		t.Errorf("peer address: want 02:00:00:00:00:0b, got %v", got)
	}

	run("ip link set ktp0%s master ktbr%s")
	// A backup port must be a port of the same bridge.
	run("ip link add ktq0%s type veth peer name ktq1%s")
	run("ip link set ktq0%s master ktbr%s")
	run("ip link set ktp0%s type bridge_slave priority 5 cost 10 guard on hairpin on root_block on fastleave on learning off flood off mcast_flood off bcast_flood off mcast_to_unicast on proxy_arp on proxy_arp_wifi on mcast_router 2 neigh_suppress on group_fwd_mask 0x4000 vlan_tunnel off isolated on locked on backup_port ktq0%s")
	checkTwins(t, "ktp0", "ktp0I")
	slave := ipDetails(t, "ip", "ktp0")["linkinfo"].(map[string]any)["info_slave_data"].(map[string]any)
	if got := slave["backup_port"]; got != "ktq0" {
		t.Errorf("ktp0 backup_port: want ktq0, got %v", got)
	}
	run("ip link set ktp0%s type bridge_slave nobackup_port mcast_fast_leave off learning on fdb_flush")
	checkTwins(t, "ktp0", "ktp0I")

	// The peer goes straight into the named namespace.
	mustLB(t, "ip", "link", "add", "ktpeer", "type", "veth", "peer", "name", "ktin", "netns", "ktblue", "mtu", "1280")
	if r := sys(t, "ip", "-n", "ktblue", "-j", "link", "show", "dev", "ktin"); r.code != 0 {
		t.Fatalf("peer ktin is not in ktblue: %s", r.stderr)
	} else if mtu := jsonOf(t, r.stdout)[0]["mtu"]; mtu != float64(1280) {
		t.Errorf("peer mtu in ktblue: want 1280, got %v", mtu)
	}
	if sys(t, "ip", "link", "show", "dev", "ktin").code == 0 {
		t.Errorf("peer ktin is also in the creating namespace")
	}
	if got := ipDetails(t, "ip", "ktpeer")["link_netnsid"]; got == nil {
		t.Errorf("ktpeer: want a peer in another namespace (link_netnsid), got none")
	}
}

// clock values the test compares: ip counts centiseconds.
func TestIPLinkBridgeTimesAreCentiseconds(t *testing.T) {
	kernel(t)
	deleteAtEnd(t, "ktcs")
	mustLB(t, "ip", "link", "add", "ktcs", "type", "bridge", "forward_delay", "400", "ageing_time", "1234")
	conn, err := rtnl.Dial(&rtnl.Config{Kinds: kinds})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	l, err := conn.LinkByName("ktcs")
	if err != nil {
		t.Fatal(err)
	}
	x, err := bridge.InfoOf(l)
	if err != nil {
		t.Fatal(err)
	}
	if want, got := bridge.FromClockT(400), *x.ForwardDelay; want != got || got.Seconds() != 4 {
		t.Errorf("forward_delay 400: want %v (4s), got %v", want, got)
	}
	if want, got := bridge.FromClockT(1234), *x.AgeingTime; want != got {
		t.Errorf("ageing_time 1234: want %v, got %v", want, got)
	}
}

// linkNames returns the names of the links in the namespace, for checking
// that a refused command left nothing behind.
func linkNamesNow(t *testing.T) string {
	t.Helper()
	var names []string
	for _, l := range jsonOf(t, mustSys(t, "ip", "-j", "link", "show")) {
		names = append(names, fmt.Sprint(l["ifname"]))
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}

// Bad input gets iproute2's message and exit status, and nothing is made.
func TestIPLinkKindErrorsMatchIproute2(t *testing.T) {
	kernel(t)
	deleteAtEnd(t, "keb", "kev0", "kev1", "kex", "keb2")
	mustSys(t, "ip", "link", "add", "keb", "type", "bridge")
	mustSys(t, "ip", "link", "add", "kev0", "type", "veth", "peer", "name", "kev1")
	mustSys(t, "ip", "link", "set", "kev0", "master", "keb")
	for _, cmd := range []string{
		"ip link add kex type veth foo",
		"ip link add kex type veth help",
		"ip link add kex type veth peer name kex1 type veth",
		"ip link add kex type veth peer name kex1 netns nosuchns",
		"ip link add kex type veth peer name kex1 master nosuchdev",
		"ip link add kex type veth peer name kex1 mtu abc",
		"ip link add kex type veth peer name kex1 link nosuchdev",
		"ip link add kex type veth peer name kex1 address zz",
		"ip link add kex type veth peer name kex1 up",
		"ip link add kex type veth peer name kev1",
		"ip link add keb2 type bridge forward_delay abc",
		"ip link add keb2 type bridge forward_delay",
		"ip link add keb2 type bridge priority 70000",
		"ip link add keb2 type bridge stp_state -1",
		"ip link add keb2 type bridge mcast_router 256",
		"ip link add keb2 type bridge no_linklocal_learn x",
		"ip link add keb2 type bridge vlan_protocol foo",
		"ip link add keb2 type bridge group_address zz",
		"ip link add keb2 type bridge foo",
		"ip link add keb2 type bridge help",
		"ip link add keb2 type bridge stp_state 1 hello_time 5",
		"ip link add keb2 type bridge mcast_igmp_version 5",
		"ip link add keb type bridge",
		"ip link set kev0 type bridge_slave hairpin maybe",
		"ip link set kev0 type bridge_slave foo",
		"ip link set kev0 type bridge_slave help",
		"ip link set kev0 type bridge_slave backup_port nosuchdev",
		"ip link set kev0 type bridge_slave state 9",
		"ip link set kev0 type bridge_slave cost x",
		"ip link set kev0 type bridge_slave priority 70000",
		"ip link set kev1 type bridge_slave cost 5",
		"ip link set keb type bridge_slave cost 5",
		"ip link set kev0 type bridge forward_delay 500",
		"ip link set lo type bridge forward_delay 5",
		"ip link set nosuchdev type bridge forward_delay 5",
	} {
		t.Run(cmd, func(t *testing.T) {
			before := linkNamesNow(t)
			want := sys(t, strings.Fields(cmd)...)
			if want.code == 0 {
				t.Fatalf("iproute2 accepted %q; the test expects a refusal", cmd)
			}
			if after := linkNamesNow(t); after != before {
				t.Fatalf("iproute2 left links behind: before %q, after %q", before, after)
			}
			got := lb(t, strings.Fields(cmd)...)
			if want.code != got.code {
				t.Errorf("exit status: want %d, got %d", want.code, got.code)
			}
			if want.stdout != got.stdout {
				t.Errorf("stdout:\nwant %q\ngot  %q", want.stdout, got.stdout)
			}
			if want.stderr != got.stderr {
				t.Errorf("stderr:\nwant %q\ngot  %q", want.stderr, got.stderr)
			}
			if after := linkNamesNow(t); after != before {
				t.Errorf("links changed: before %q, after %q", before, after)
			}
		})
	}
}

// hasVLANFiltering reports whether the kernel has bridge VLAN filtering,
// from a bridge made for the question.
func hasVLANFiltering(t *testing.T) bool {
	t.Helper()
	deleteAtEnd(t, "kvprobe")
	mustSys(t, "ip", "link", "add", "kvprobe", "type", "bridge")
	defer sys(t, "ip", "link", "del", "kvprobe")
	conn, err := rtnl.Dial(&rtnl.Config{Kinds: kinds})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	l, err := conn.LinkByName("kvprobe")
	if err != nil {
		t.Fatal(err)
	}
	x, err := bridge.InfoOf(l)
	if err != nil {
		t.Fatal(err)
	}
	return x.HasVLANFiltering()
}

// Without bridge VLAN filtering in the kernel, VLAN options are refused
// with a message that says so, and nothing is made, whether the kernel
// would refuse them (vlan_filtering) or ignore them (vlan_default_pvid).
func TestIPLinkBridgeVLANWithoutKernelSupport(t *testing.T) {
	kernel(t)
	if hasVLANFiltering(t) {
		t.Skip("skipped: this kernel has bridge VLAN filtering; the refusal cannot be seen")
	}
	deleteAtEnd(t, "kvb", "kvb2")
	mustSys(t, "ip", "link", "add", "kvb", "type", "bridge")
	for _, tt := range []struct {
		cmd   string
		alone bool // no other bridge exists: the check runs after the kernel's answer
	}{
		{"ip link add kvb2 type bridge vlan_filtering 1", false},
		{"ip link add kvb2 type bridge vlan_default_pvid 5", false},
		{"ip link add kvb2 type bridge stp_state 1 vlan_stats_enabled 1", false},
		{"ip link set kvb type bridge vlan_filtering 0", false},
		{"ip link set kvb type bridge vlan_protocol 802.1ad", false},
		{"ip link add kvb2 type bridge vlan_filtering 1", true},
		{"ip link add kvb2 type bridge vlan_default_pvid 5", true},
	} {
		t.Run(fmt.Sprintf("%s alone=%v", tt.cmd, tt.alone), func(t *testing.T) {
			if tt.alone {
				sys(t, "ip", "link", "del", "kvb")
				t.Cleanup(func() { sys(t, "ip", "link", "add", "kvb", "type", "bridge") })
			}
			before := linkNamesNow(t)
			r := lb(t, strings.Fields(tt.cmd)...)
			if r.code != 2 || r.stderr != errNoVLAN.msg+"\n" {
				t.Errorf("want exit 2 and %q, got exit %d and %q", errNoVLAN.msg, r.code, r.stderr)
			}
			if after := linkNamesNow(t); after != before {
				t.Errorf("links changed: before %q, after %q", before, after)
			}
		})
	}
}

// runningTimers normalises the running timers of ip -d output.
var runningTimers = regexp.MustCompile(`(timer) +[0-9]+\.[0-9]+`)

// ip -d link show prints the kinds' details as iproute2 does: text byte for
// byte (running runningTimers aside), JSON key by key.
func TestIPLinkDetailsMatchIproute2(t *testing.T) {
	kernel(t)
	deleteAtEnd(t, "kdbr", "kdv0", "kdv2", "kdx", "netns:kdblue")
	for _, c := range []string{
		"ip link add kdbr type bridge stp_state 1 priority 4096 group_fwd_mask 8 mcast_router 2 no_linklocal_learn 1",
		"ip link add kdv0 type veth peer name kdv1",
		"ip link add kdv2 type veth peer name kdv3",
		"ip link set kdv0 master kdbr",
		"ip link set kdv2 master kdbr",
		"ip link set kdv2 type bridge_slave hairpin on cost 7 group_fwd_mask 0x4005 backup_port kdv0 mcast_router 0",
		"ip link set kdv0 up",
		"ip link set kdv1 up",
		"ip netns add kdblue",
		"ip link add kdx type veth peer name kdy netns kdblue",
		"ip link set kdx master kdbr",
	} {
		mustSys(t, strings.Fields(c)...)
	}
	for _, args := range [][]string{
		{"-d", "link", "show", "dev", "kdbr"},
		{"-d", "link", "show", "dev", "kdv0"},
		{"-d", "link", "show", "dev", "kdv1"},
		{"-d", "link", "show", "dev", "kdv2"},
		{"-d", "link", "show", "dev", "kdx"},
		{"-d", "link", "show", "dev", "lo"},
		{"-d", "-o", "link", "show", "master", "kdbr"},
		{"-d", "link", "show"},
		// Not "type bridge_slave": iproute2 6.1 writes an empty JSON
		// object for every link that filter leaves out.
		{"-d", "-d", "link", "show", "master", "kdbr"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			want := runningTimers.ReplaceAllString(mustSys(t, append([]string{"ip"}, args...)...), "$1 X")
			got := runningTimers.ReplaceAllString(mustLB(t, append([]string{"ip"}, args...)...), "$1 X")
			if want != got {
				t.Errorf("output differs from iproute2's:\nwant:\n%s\ngot:\n%s", want, got)
			}
		})
		t.Run("-j "+strings.Join(args, " "), func(t *testing.T) {
			jargs := append([]string{"ip", "-j"}, args...)
			wantRaw, gotRaw := mustSys(t, jargs...), mustLB(t, jargs...)
			want, got := jsonOf(t, wantRaw), jsonOf(t, gotRaw)
			if len(want) != len(got) {
				t.Fatalf("want %d links, got %d", len(want), len(got))
			}
			skipTimers := regexp.MustCompile(`_timer$`)
			for i := range want {
				for _, d := range jsonDiffs(fmt.Sprintf("%v.", want[i]["ifname"]), want[i], got[i], skipTimers) {
					t.Error(d)
				}
			}
			// The keys come in iproute2's order too.
			if w, g := keysInOrder(wantRaw), keysInOrder(gotRaw); w != g {
				t.Errorf("key order:\nwant %s\ngot  %s", w, g)
			}
		})
	}
}

// keysInOrder lists the object keys of a JSON text in the order they
// appear, nested objects included: a decoded map loses the order.
func keysInOrder(s string) string {
	dec := json.NewDecoder(strings.NewReader(s))
	var keys []string
	var walk func()
	walk = func() {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return
				}
				keys = append(keys, fmt.Sprint(k))
				walk()
			}
			dec.Token()
		case json.Delim('['):
			for dec.More() {
				walk()
			}
			dec.Token()
		}
	}
	walk()
	return strings.Join(keys, " ")
}

// ip -d address prints the same details as ip -d link, without the
// address generation mode (addrDetailsText, for the address listing).
func TestAddrDetailsMatchIproute2(t *testing.T) {
	kernel(t)
	deleteAtEnd(t, "kabr", "kav0")
	mustSys(t, "ip", "link", "add", "kabr", "type", "bridge", "stp_state", "1")
	mustSys(t, "ip", "link", "add", "kav0", "type", "veth", "peer", "name", "kav1")
	mustSys(t, "ip", "link", "set", "kav0", "master", "kabr")
	conn, err := rtnl.Dial(&rtnl.Config{Kinds: kinds})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := &ipCmd{env: newEnv(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, func(string) string { return "" })}
	c.conns[""] = conn
	for _, dev := range []string{"kabr", "kav0", "kav1"} {
		out := mustSys(t, "ip", "-d", "address", "show", "dev", dev)
		i := strings.Index(out, " promiscuity")
		if i < 0 {
			t.Fatalf("no details in iproute2's output: %q", out)
		}
		want := out[i:]
		if j := strings.Index(want, "\n    inet"); j >= 0 {
			want = want[:j]
		}
		want = runningTimers.ReplaceAllString(strings.TrimRight(want, "\n"), "$1 X")
		l, err := conn.LinkByName(dev)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		c.addrDetailsText(&b, l)
		if got := runningTimers.ReplaceAllString(b.String(), "$1 X"); want != got {
			t.Errorf("%s: details:\nwant %q\ngot  %q", dev, want, got)
		}
		if strings.Contains(b.String(), "addrgenmode") {
			t.Errorf("%s: ip address details carry addrgenmode", dev)
		}
	}
}
