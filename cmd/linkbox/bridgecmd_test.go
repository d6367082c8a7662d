package main

import (
	"regexp"
	"strings"
	"testing"
)

// bridgeState builds, with iproute2, a bridge with ports in several states,
// a port whose peer lives in a named namespace, and FDB entries of every
// kind. The peers have no IPv6 addresses, so that nothing is learned
// while a test compares two listings.
func bridgeState(t *testing.T) {
	t.Helper()
	kernel(t)
	needTool(t, "bridge")
	deleteAtEnd(t, "kfbr", "kfv0", "kfv2", "kfx", "netns:kfblue")
	for _, c := range []string{
		"ip link add kfbr type bridge",
		"ip link add kfv0 type veth peer name kfv1",
		"ip link add kfv2 type veth peer name kfv3",
		"ip link set kfv1 addrgenmode none",
		"ip link set kfv0 master kfbr",
		"ip link set kfv2 master kfbr",
		"ip link set kfv2 type bridge_slave hairpin on learning off cost 9 priority 7 backup_port kfv0 isolated on",
		"ip link set kfv0 up",
		"ip link set kfv1 up",
		"ip link set kfbr up",
		"ip netns add kfblue",
		"ip link add kfx type veth peer name kfy netns kfblue",
		"ip link set kfx master kfbr",
		"bridge fdb add 02:00:00:00:00:01 dev kfv0 master static",
		"bridge fdb add 02:00:00:00:00:02 dev kfv0 master",
		"bridge fdb add 02:00:00:00:00:03 dev kfv0",
		"bridge fdb add 02:00:00:00:00:04 dev kfv0 master dynamic",
		"bridge fdb add 02:00:00:00:00:05 dev kfv2 master static sticky",
	} {
		mustSys(t, strings.Fields(c)...)
	}
}

// bridge link and bridge fdb listings are iproute2's, byte for byte in
// text (the -s ages aside), key by key in JSON.
func TestBridgeShowMatchesIproute2(t *testing.T) {
	bridgeState(t)
	ages := regexp.MustCompile(`used [0-9]+/[0-9]+`)
	for _, args := range [][]string{
		{"link"},
		{"link", "show"},
		{"link", "lst"},
		{"-d", "link", "show"},
		{"-o", "-d", "link"},
		{"-s", "link"},
		{"link", "show", "dev", "kfv2"},
		{"link", "show", "dev", "kfv1"},
		{"fdb"},
		{"fdb", "show"},
		{"fdb", "show", "br", "kfbr"},
		{"fdb", "show", "dev", "kfv0"},
		{"fdb", "show", "brport", "kfv0"},
		{"-s", "fdb", "show", "br", "kfbr"},
		{"fdb", "show", "br", "kfbr", "state", "static"},
		{"fdb", "show", "state", "permanent"},
		{"fdb", "show", "br", "kfbr", "dynamic"},
		{"fdb", "show", "br", "kfbr", "vlan", "5"},
		{"-d", "fdb", "show", "dev", "kfv2"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			want := mustSys(t, append([]string{"bridge"}, args...)...)
			got := mustLB(t, append([]string{"bridge"}, args...)...)
			if ages.ReplaceAllString(want, "used X") != ages.ReplaceAllString(got, "used X") {
				t.Errorf("output differs from iproute2's:\nwant:\n%s\ngot:\n%s", want, got)
			}
		})
		t.Run("-j "+strings.Join(args, " "), func(t *testing.T) {
			jargs := append([]string{"bridge", "-j"}, args...)
			wantRaw, gotRaw := mustSys(t, jargs...), mustLB(t, jargs...)
			want, got := jsonOf(t, wantRaw), jsonOf(t, gotRaw)
			if len(want) != len(got) {
				t.Fatalf("want %d objects, got %d\nwant %s\ngot  %s", len(want), len(got), wantRaw, gotRaw)
			}
			skip := regexp.MustCompile(`^(used|updated)$`)
			for i := range want {
				for _, d := range jsonDiffs("", want[i], got[i], skip) {
					t.Errorf("object %d: %s", i, d)
				}
			}
			if w, g := keysInOrder(wantRaw), keysInOrder(gotRaw); w != g {
				t.Errorf("key order:\nwant %s\ngot  %s", w, g)
			}
		})
	}
}

// The requests bridge fdb and bridge link set send are iproute2's, byte
// for byte.
func TestBridgeRequestsMatchIproute2(t *testing.T) {
	kernel(t)
	deleteAtEnd(t, "br0", "v0")
	for _, c := range []string{
		"ip link add br0 type bridge",
		"ip link add v0 type veth peer name v1",
		"ip link set v1 addrgenmode none",
		"ip link set v0 master br0",
		"ip link set v0 up",
		"ip link set v1 up",
	} {
		mustSys(t, strings.Fields(c)...)
	}
	for _, tt := range []struct {
		cmd    string
		golden []byte
	}{
		{"bridge fdb add 02:00:00:00:00:01 dev v0 master static", goldenFDBAddMasterStatic},
		{"bridge fdb add 02:00:00:00:00:01 dev v0", goldenFDBAddSelf},
		{"bridge fdb del 02:00:00:00:00:01 dev v0 master", goldenFDBDel},
		{"bridge fdb replace 02:00:00:00:00:01 dev v0 master dynamic vlan 5 sticky", goldenFDBReplace},
		{"bridge link set dev v0 learning off state 0 priority 3 cost 7 hairpin on master", goldenLinkSet},
		{"bridge link set dev v0 hwmode vepa", goldenLinkSetHWMode},
	} {
		t.Run(tt.cmd, func(t *testing.T) {
			sent, _ := tracedRun(t, strings.Fields(tt.cmd)...)
			reqs := stateChanges(sent)
			if len(reqs) != 1 {
				t.Fatalf("want 1 request that changes state, got %d", len(reqs))
			}
			checkRequestBytes(t, tt.golden, reqs[0])
		})
	}
}

// bridge fdb add, append, replace and del leave the FDB as iproute2 leaves
// it on a twin port, and refuse what it refuses with its words and status.
func TestBridgeFDBModifyMatchesIproute2(t *testing.T) {
	kernel(t)
	needTool(t, "bridge")
	deleteAtEnd(t, "kmbr", "kmbrI", "kmv0", "kmv0I")
	for _, s := range []string{"", "I"} {
		for _, c := range []string{
			"ip link add kmbr%s type bridge",
			"ip link add kmv0%s type veth peer name kmv1%s",
			"ip link set kmv1%s addrgenmode none",
			"ip link set kmv0%s master kmbr%s",
			"ip link set kmv0%s up",
			"ip link set kmv1%s up",
		} {
			mustSys(t, strings.Fields(strings.ReplaceAll(c, "%s", s))...)
		}
	}
	// fdb lists the port's entries with what differs between the twins
	// (the port's own address, its bridge's name) made equal.
	fdb := func(s string) string {
		out := mustSys(t, "bridge", "fdb", "show", "dev", "kmv0"+s)
		mac, _ := ipDetails(t, "ip", "kmv0"+s)["address"].(string)
		out = strings.ReplaceAll(out, mac, "PORT")
		out = strings.ReplaceAll(out, "33:33:ff:"+mac[9:], "33:33:ff:PORT")
		return strings.ReplaceAll(out, "kmbr"+s+" ", "kmbr ")
	}
	for _, cmd := range []string{
		"fdb add 02:00:00:00:00:01 dev kmv0%s master static",
		"fdb add 02:00:00:00:00:01 dev kmv0%s master static",
		"fdb add 02:00:00:00:00:02 dev kmv0%s",
		"fdb add 02:00:00:00:00:03 dev kmv0%s master",
		"fdb add 02:00:00:00:00:04 dev kmv0%s master dynamic",
		"fdb add 02:00:00:00:00:05 dev kmv0%s master temp sticky",
		"fdb replace 02:00:00:00:00:01 dev kmv0%s master permanent",
		"fdb append 02:00:00:00:00:06 dev kmv0%s self",
		"fdb del 02:00:00:00:00:03 dev kmv0%s master",
		"fdb del 02:00:00:00:00:09 dev kmv0%s master",
		"fdb add 02:00:00:00:00:07 dev kmv0%s master vlan 5",
		"fdb add 02:00:00:00:00:07 dev kmv0%s master vlan 0",
		"fdb add zz dev kmv0%s",
		"fdb add 02:00:00:00:00:08 dev nosuch",
		"fdb add 02:00:00:00:00:08",
		"fdb add 02:00:00:00:00:08 dev lo master",
		"fdb add 02:00:00:00:00:08 02:00:00:00:00:09 dev kmv0%s",
		"fdb add 02:00:00:00:00:08 dev kmv0%s vlan 1 vlan 2",
		"fdb add 02:00:00:00:00:08 dev kmv0%s port 99999",
		"fdb add 02:00:00:00:00:08 dev kmv0%s dst bogus",
		"fdb add 02:00:00:00:00:08 dev kmv0%s via nosuch",
		"fdb add 1:2:3:4:5:6:7 dev kmv0%s master static",
		"fdb add to 0xa:b:c:d:e:fx dev kmv0%s master static",
		"fdb show br nosuch",
		"fdb show dev nosuch",
		"fdb foo",
		"fdb help",
		"link foo",
		"link help",
		"help",
		"foo",
		"-x",
		"",
	} {
		t.Run(cmd, func(t *testing.T) {
			want := sys(t, append([]string{"bridge"}, strings.Fields(strings.ReplaceAll(cmd, "%s", "I"))...)...)
			got := lb(t, append([]string{"bridge"}, strings.Fields(strings.ReplaceAll(cmd, "%s", ""))...)...)
			got.stderr = strings.ReplaceAll(got.stderr, "kmv0", "kmv0I")
			sameAsTool(t, "bridge "+cmd, want, got)
			if w, g := fdb("I"), fdb(""); w != g {
				t.Errorf("FDB of the port:\nwant %s\ngot  %s", w, g)
			}
		})
	}
}

// bridge link set changes a port as iproute2's does on a twin port, and
// refuses what it refuses with its words and exit status.
func TestBridgeLinkSetMatchesIproute2(t *testing.T) {
	kernel(t)
	needTool(t, "bridge")
	deleteAtEnd(t, "klbr", "klbrI", "klv0", "klv0I", "klv2", "klv2I")
	for _, s := range []string{"", "I"} {
		for _, c := range []string{
			"ip link add klbr%s type bridge",
			"ip link add klv0%s type veth peer name klv1%s",
			"ip link add klv2%s type veth peer name klv3%s",
			"ip link set klv0%s master klbr%s",
			"ip link set klv2%s master klbr%s",
		} {
			mustSys(t, strings.Fields(strings.ReplaceAll(c, "%s", s))...)
		}
	}
	for _, cmd := range []string{
		"link set dev klv0%s cost 5",
		"link set dev klv0%s guard on hairpin on fastleave on root_block on learning off learning_sync off flood off mcast_router 2 mcast_flood off bcast_flood off mcast_to_unicast on cost 7 priority 3 neigh_suppress on vlan_tunnel off isolated on locked on backup_port klv2%s",
		"link set dev klv0%s state blocking master",
		"link set dev klv0%s state 0",
		"link set dev klv0%s priority 70000 state -1 cost 0",
		"link set dev klv0%s nobackup_port",
		"link set dev klv0%s hairpin maybe",
		"link set dev klv0%s state foo",
		"link set dev klv0%s state 9",
		"link set klv0%s cost 5",
		"link set cost 5",
		"link set dev nosuch cost 5",
		"link set dev klv0%s backup_port nosuch",
		"link set dev klv0%s hwmode foo",
		"link set dev klv0%s hwmode vepa",
		"link set dev klv1%s cost 5",
		"link set dev klv0%s self cost 5",
		"link help",
	} {
		t.Run(cmd, func(t *testing.T) {
			want := sys(t, append([]string{"bridge"}, strings.Fields(strings.ReplaceAll(cmd, "%s", "I"))...)...)
			got := lb(t, append([]string{"bridge"}, strings.Fields(strings.ReplaceAll(cmd, "%s", ""))...)...)
			got.stderr = strings.NewReplacer("klv0", "klv0I", "klv1", "klv1I").Replace(got.stderr)
			sameAsTool(t, "bridge "+cmd, want, got)
			checkTwins(t, "klv0", "klv0I")
			checkTwins(t, "klv2", "klv2I")
		})
	}
}
