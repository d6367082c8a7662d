package main

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// neighState adds, with iproute2, neighbours in every state the listings
// tell apart: permanent, reachable, stale with the router flag, IPv6,
// noarp, none, with a protocol, proxy, learned externally.
func neighState(t *testing.T, ns string) {
	t.Helper()
	for _, cmd := range [][]string{
		{"addr", "add", "2001:db8::1/64", "dev", "a0"},
		{"neigh", "add", "198.18.0.2", "lladdr", "02:00:00:00:00:02", "dev", "a0"},
		{"neigh", "add", "198.18.0.3", "lladdr", "02:00:00:00:00:03", "dev", "a0", "nud", "reachable"},
		{"neigh", "add", "198.18.0.4", "lladdr", "02:00:00:00:00:04", "dev", "a0", "nud", "stale", "router"},
		{"neigh", "add", "2001:db8::2", "lladdr", "02:00:00:00:00:05", "dev", "a0", "router"},
		{"neigh", "add", "198.18.0.5", "dev", "a0", "nud", "noarp", "lladdr", "02:00:00:00:00:09"},
		{"neigh", "add", "198.18.0.6", "lladdr", "02:00:00:00:00:06", "dev", "a0", "protocol", "static"},
		{"neigh", "add", "proxy", "198.18.0.7", "dev", "a0"},
		{"neigh", "add", "198.18.0.10", "lladdr", "02:00:00:00:00:10", "dev", "a0", "extern_learn"},
		{"neigh", "add", "198.18.0.12", "lladdr", "02:00:00:00:00:12", "dev", "a1"},
	} {
		mustSys(t, withNS(ns, cmd)...)
	}
}

// Neighbour listings match iproute2's, with every filter, in text and
// JSON.
func TestIPNeighShowMatchesIproute2(t *testing.T) {
	ns, _ := twins(t, "ns")
	neighState(t, ns)
	compareListings(t, ns, [][]string{
		{"neigh"}, {"n"}, {"neighbor"}, {"neighbour", "sh"}, {"neigh", "list"},
		{"neigh", "show", "dev", "a0"}, {"-br", "neigh"}, {"-br", "neigh", "show", "dev", "a0"},
		{"-4", "neigh"}, {"-6", "neigh"}, {"neigh", "show", "proxy"},
		{"neigh", "show", "198.18.0.0/30"}, {"-4", "neigh", "show", "to", "198.18.0.4"},
		{"neigh", "show", "nud", "stale"}, {"neigh", "show", "nud", "permanent", "nud", "reachable"},
		{"neigh", "show", "nud", "noarp"}, {"neigh", "show", "protocol", "static"}, {"neigh", "show", "unused"},
		{"neigh", "show", "nomaster"},
		{"neigh", "show", "dev", "nosuch"}, {"neigh", "show", "nud", "bogus"}, {"neigh", "show", "dev", "a0", "dev", "a1"},
		{"neigh", "show", "master", "nosuch"}, {"neigh", "bogus"},
	})
	// Entries the kernel adds itself (multicast groups) come and go, so
	// "nud all" is compared without them.
	mcast := regexp.MustCompile(`(?m)^.*lladdr (33:33|01:00:5e):.*\n`)
	want := mcast.ReplaceAllString(mustSys(t, withNS(ns, []string{"neigh", "show", "nud", "all"})...), "")
	got := mcast.ReplaceAllString(mustLB(t, withNS(ns, []string{"neigh", "show", "nud", "all"})...), "")
	if want != got {
		t.Errorf("ip neigh show nud all: want:\n%s\ngot:\n%s", want, got)
	}
	// -s adds ages, which tick: compared without them.
	ages := regexp.MustCompile(` used \d+/\d+/\d+`)
	want = ages.ReplaceAllString(mustSys(t, withNS(ns, []string{"-s", "neigh", "show", "dev", "a0"})...), " used N")
	got = ages.ReplaceAllString(mustLB(t, withNS(ns, []string{"-s", "neigh", "show", "dev", "a0"})...), " used N")
	if want != got || !strings.Contains(got, "probes 0 ") {
		t.Errorf("ip -s neigh show dev a0: want:\n%s\ngot:\n%s", want, got)
	}
	if want, got := mustSys(t, withNS(ns, []string{"neigh", "get", "198.18.0.2", "dev", "a0"})...),
		mustLB(t, withNS(ns, []string{"neigh", "get", "198.18.0.2", "dev", "a0"})...); want != got {
		t.Errorf("ip neigh get: want %q, got %q", want, got)
	}
	// iproute2 6.1 prints text for ip -j neigh get; later versions
	// (and linkbox) print the entry as JSON.
	j := mustLB(t, withNS(ns, []string{"-j", "neigh", "get", "198.18.0.4", "dev", "a0"})...)
	sameJSON(t, "ip -j neigh get", `[{"dst":"198.18.0.4","dev":"a0","lladdr":"02:00:00:00:00:04","router":null,"state":["STALE"]}]`, j)
}

// Each ip neigh command, run by iproute2 in one namespace and by linkbox
// in its twin, prints the same, exits the same and leaves the same
// entries; bad input fails alike and changes nothing.
func TestIPNeighCommandsMatchIproute2(t *testing.T) {
	ipNS, lbNS := twins(t, "nc")
	runTwins(t, ipNS, lbNS, []twinCase{
		{args: []string{"addr", "add", "2001:db8::1/64", "dev", "a0"}},
		{args: []string{"neigh", "add", "198.18.0.2", "lladdr", "02:00:00:00:00:02", "dev", "a0"}},
		{args: []string{"neigh", "add", "198.18.0.3", "lladdr", "02:00:00:00:00:03", "dev", "a0", "nud", "reachable"}},
		{args: []string{"neigh", "add", "198.18.0.4", "lladdr", "02:00:00:00:00:04", "dev", "a0", "nud", "stale", "router"}},
		{args: []string{"neigh", "add", "2001:db8::2", "lladdr", "02:00:00:00:00:05", "dev", "a0", "router"}},
		{args: []string{"neigh", "add", "198.18.0.5", "dev", "a0", "nud", "noarp", "lladdr", "02:00:00:00:00:09"}},
		{args: []string{"neigh", "add", "198.18.0.6", "lladdr", "02:00:00:00:00:06", "dev", "a0", "protocol", "static"}},
		{args: []string{"neigh", "add", "proxy", "198.18.0.7", "dev", "a0"}},
		{args: []string{"neigh", "add", "2001:db8::9", "lladdr", "02:00:00:00:00:02", "dev", "a0", "nud", "0x2"}},
		{args: []string{"neigh", "replace", "198.18.0.2", "lladdr", "02:00:00:00:00:12", "dev", "a0"}},
		{args: []string{"neigh", "change", "198.18.0.3", "lladdr", "02:00:00:00:00:13", "dev", "a0", "nud", "permanent"}},
		{args: []string{"neigh", "del", "198.18.0.4", "dev", "a0"}},
		{args: []string{"neigh", "add", "198.18.0.20", "lladdr", "02:00:00:00:00:20", "dev", "a0", "nud", "stale"}},
		{args: []string{"neigh", "add", "198.18.0.21", "lladdr", "02:00:00:00:00:21", "dev", "a0", "nud", "stale"}},
		{args: []string{"-s", "neigh", "flush", "dev", "a0"}},
		{args: []string{"neigh", "flush", "dev", "a0", "nud", "permanent"}},
		{args: []string{"-s", "-s", "neigh", "flush", "all"}},
		{args: []string{"neigh", "del", "proxy", "198.18.0.7", "dev", "a0"}},

		{args: []string{"neigh", "add", "198.18.0.2", "lladdr", "zz", "dev", "a0"}, fail: true},
		{args: []string{"neigh", "add", "198.18.0.2", "lladdr", "02:00:00:00:00:02"}, fail: true},
		{args: []string{"neigh", "add", "198.18.0.2", "lladdr", "02:00:00:00:00:02", "dev", "nosuch"}, fail: true},
		{args: []string{"neigh", "add", "198.18.0.2", "lladdr", "02:00:00:00:00:02", "dev", "a0", "nud", "bogus"}, fail: true},
		{args: []string{"neigh", "del", "198.18.0.99", "dev", "a0"}, fail: true},
		{args: []string{"neigh", "flush"}, fail: true},
		{args: []string{"neigh", "add", "198.18.0.2", "lladdr", "02:00:00:00:00:02", "lladdr", "02:00:00:00:00:03", "dev", "a0"}, fail: true},
		{args: []string{"neigh", "add", "198.18.0.2", "198.18.0.3", "lladdr", "02:00:00:00:00:02", "dev", "a0"}, fail: true},
		{args: []string{"neigh", "add", "300.1.1.1", "lladdr", "02:00:00:00:00:02", "dev", "a0"}, fail: true},
		{args: []string{"neigh", "add", "198.18.0.2", "lladdr", "02:00:00:00:00:02", "dev", "a0", "protocol", "xx"}, fail: true},
		{args: []string{"neigh", "add", "2001:db8::9", "lladdr", "02:00:00:00:00:02", "dev", "a0", "nud", "0x3"}, fail: true},
		{args: []string{"neigh", "get", "198.18.0.99", "dev", "a0"}, fail: true},
		{args: []string{"neigh", "get", "198.18.0.99"}, fail: true},
		{args: []string{"neigh", "add", "198.18.0.30", "lladdr", "1.2.3.4", "dev", "a0"}, fail: true},
	})
}

// The neighbour requests linkbox sends are iproute2's, byte for byte.
func TestIPNeighRequestsMatchIproute2(t *testing.T) {
	ns, _ := twins(t, "nw")
	compareRequests(t, ns, unix.RTM_NEWNEIGH, false, [][]string{
		{"neigh", "add", "198.18.0.2", "lladdr", "02:00:00:00:00:02", "dev", "a0"},
		{"neigh", "replace", "198.18.0.3", "lladdr", "02:00:00:00:00:03", "dev", "a0", "nud", "stale", "router", "protocol", "static"},
		{"neigh", "add", "proxy", "198.18.0.7", "dev", "a0"},
	})
	compareRequests(t, ns, unix.RTM_DELNEIGH, false, [][]string{
		{"neigh", "del", "198.18.0.2", "dev", "a0"},
	})
	compareRequests(t, ns, unix.RTM_GETNEIGH, false, [][]string{
		{"neigh", "show"}, {"neigh", "show", "dev", "a0"}, {"neigh", "show", "proxy"}, {"-6", "neigh", "show", "nomaster"},
	})
}
