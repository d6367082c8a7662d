package main

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// routeState adds, with iproute2, routes of every kind the listings show:
// gateways, a default route with a protocol and metric, types, tables by
// number above and below 256, metrics, multipath, realms, a source
// prefix, IPv6 preferences, a gateway of the other family.
func routeState(t *testing.T, ns string) {
	t.Helper()
	for _, cmd := range [][]string{
		{"addr", "add", "2001:db8::1/64", "dev", "a0"},
		{"route", "add", "198.19.0.0/16", "via", "198.18.0.254", "dev", "a0"},
		{"route", "add", "default", "via", "198.18.0.254", "dev", "a0", "proto", "static", "metric", "100"},
		{"route", "add", "blackhole", "198.19.5.0/24"},
		{"route", "add", "unreachable", "198.19.6.0/24", "metric", "7"},
		{"route", "add", "prohibit", "198.19.7.0/24", "table", "100"},
		{"route", "add", "198.19.8.0/24", "dev", "a0", "table", "1000", "src", "198.18.0.1", "scope", "link"},
		{"route", "add", "198.19.9.0/24", "via", "198.18.0.2", "dev", "a0", "mtu", "lock", "1400", "advmss", "1300", "onlink",
			"rtt", "100ms", "rttvar", "2s", "congctl", "lock", "cubic", "features", "ecn", "initcwnd", "10", "hoplimit", "64", "quickack", "1"},
		{"route", "add", "2001:db8:5::/48", "via", "2001:db8::2", "dev", "a0", "metric", "5", "pref", "high"},
		{"route", "add", "local", "198.19.10.1", "dev", "a0"},
		{"route", "add", "throw", "198.19.11.0/24"},
		{"route", "add", "198.19.12.0/24", "via", "inet6", "2001:db8::3", "dev", "a0"},
		{"route", "add", "198.19.13.0/24", "nexthop", "via", "198.18.0.5", "dev", "a0", "weight", "3", "nexthop", "via", "198.18.0.6", "dev", "a0"},
		{"route", "add", "198.19.14.0/24", "dev", "a0", "tos", "0x10", "realms", "5/7"},
		{"-6", "route", "add", "2001:db8:6::/64", "from", "2001:db8::/64", "dev", "a0"},
		{"route", "add", "198.19.16.0/24", "dev", "a0", "table", "100", "proto", "99"},
	} {
		mustSys(t, withNS(ns, cmd)...)
	}
}

// Route listings match iproute2's, with every filter, in text and JSON.
func TestIPRouteShowMatchesIproute2(t *testing.T) {
	ns, _ := twins(t, "rs")
	routeState(t, ns)
	compareListings(t, ns, [][]string{
		{"route"}, {"r"}, {"ro", "sh"}, {"route", "list"}, {"-4", "route"}, {"-6", "route"}, {"-d", "route"}, {"-o", "route"},
		{"route", "show", "table", "all"}, {"-6", "route", "show", "table", "all"}, {"-4", "route", "show", "table", "all"},
		{"route", "show", "table", "100"}, {"route", "show", "table", "local"}, {"route", "show", "table", "main"},
		{"route", "show", "table", "1000"}, {"route", "list", "table", "100", "proto", "99"},
		{"route", "show", "dev", "a0"}, {"route", "show", "proto", "static"}, {"route", "show", "proto", "all"},
		{"route", "show", "scope", "link"}, {"route", "show", "type", "blackhole"}, {"route", "show", "table", "all", "type", "local"},
		{"route", "show", "198.19.0.0/16"}, {"route", "show", "root", "198.19.0.0/16"}, {"route", "show", "match", "198.19.9.1"},
		{"route", "show", "exact", "198.19.9.0/24"}, {"route", "show", "default"}, {"-6", "route", "show", "default"},
		{"route", "show", "via", "198.18.0.254"}, {"route", "show", "src", "198.18.0.1"}, {"route", "show", "metric", "7"},
		{"route", "show", "tos", "0x10"}, {"route", "show", "realms", "5/7"}, {"-6", "route", "show", "from", "2001:db8::/64"},
		{"route", "show", "2001:db8::/32"}, {"-6", "route", "show", "2001:db8:5::/48"}, {"route", "show", "cached"},
		{"route", "get", "198.18.0.5"}, {"route", "get", "198.19.13.1"}, {"-6", "route", "get", "2001:db8::7"},
		{"route", "get", "127.0.0.1"}, {"route", "get", "198.18.0.255"}, {"route", "get", "198.19.9.9", "from", "198.18.0.1"},
		{"route", "show", "table", "555"}, {"route", "show", "table", "foo"}, {"route", "show", "dev", "nosuch"},
		{"route", "show", "type", "foo"}, {"route", "show", "to", "1.2.3.x"}, {"route", "bogus"}, {"route", "get"},
	})
}

// Each ip route command, run by iproute2 in one namespace and by linkbox
// in its twin, prints the same, exits the same and leaves the same
// routes; bad input fails alike and changes nothing.
func TestIPRouteCommandsMatchIproute2(t *testing.T) {
	ipNS, lbNS := twins(t, "rc")
	runTwins(t, ipNS, lbNS, []twinCase{
		{args: []string{"addr", "add", "2001:db8::1/64", "dev", "a0"}},
		{args: []string{"route", "add", "198.19.0.0/16", "via", "198.18.0.254", "dev", "a0"}},
		{args: []string{"route", "add", "default", "via", "198.18.0.254", "dev", "a0", "proto", "static", "metric", "100"}},
		{args: []string{"route", "add", "blackhole", "198.19.5.0/24"}},
		{args: []string{"route", "add", "unreachable", "198.19.6.0/24", "metric", "7"}},
		{args: []string{"route", "add", "prohibit", "198.19.7.0/24", "table", "100"}},
		{args: []string{"route", "add", "198.19.8.0/24", "dev", "a0", "table", "1000", "src", "198.18.0.1", "scope", "link"}},
		{args: []string{"route", "add", "198.19.9.0/24", "via", "198.18.0.2", "dev", "a0", "mtu", "lock", "1400", "advmss", "1300", "onlink",
			"rtt", "100ms", "rttvar", "2s", "congctl", "lock", "cubic", "features", "ecn", "initcwnd", "10", "hoplimit", "64", "quickack", "1", "rto_min", "200ms"}},
		{args: []string{"route", "add", "2001:db8:5::/48", "via", "2001:db8::2", "dev", "a0", "metric", "5", "pref", "high"}},
		{args: []string{"route", "add", "local", "198.19.10.1", "dev", "a0"}},
		{args: []string{"route", "add", "throw", "198.19.11.0/24"}},
		{args: []string{"route", "add", "198.19.12.0/24", "via", "inet6", "2001:db8::3", "dev", "a0"}},
		{args: []string{"route", "add", "198.19.13.0/24", "nexthop", "via", "198.18.0.5", "dev", "a0", "weight", "3", "nexthop", "via", "198.18.0.6", "dev", "a0"}},
		{args: []string{"route", "add", "198.19.14.0/24", "dev", "a0", "tos", "0x10", "realms", "5/7"}},
		{args: []string{"-6", "route", "add", "2001:db8:6::/64", "from", "2001:db8::/64", "dev", "a0"}},
		{args: []string{"route", "add", "198.19.16.0/24", "dev", "a0", "table", "100", "proto", "99"}},
		{args: []string{"-6", "route", "add", "default", "via", "2001:db8::fe", "dev", "a0"}},
		{args: []string{"route", "replace", "198.19.0.0/16", "via", "198.18.0.253", "dev", "a0"}},
		{args: []string{"route", "change", "198.19.0.0/16", "via", "198.18.0.252", "dev", "a0"}},
		{args: []string{"route", "append", "198.19.0.0/16", "via", "198.18.0.251", "dev", "a0", "metric", "9"}},
		{args: []string{"route", "prepend", "198.19.20.0/24", "dev", "a0"}},
		{args: []string{"route", "del", "198.19.5.0/24"}},
		{args: []string{"route", "del", "198.19.6.0/24", "metric", "7"}},
		{args: []string{"route", "del", "198.19.0.0/16", "via", "198.18.0.251"}},
		{args: []string{"route", "add", "198.19.30.0/24", "dev", "a0", "table", "7"}},
		{args: []string{"route", "add", "198.19.31.0/24", "dev", "a0", "table", "7"}},
		{args: []string{"route", "flush", "table", "7"}},
		{args: []string{"route", "add", "198.19.32.0/24", "dev", "a0", "proto", "42"}},
		{args: []string{"-s", "route", "flush", "proto", "42"}},
		{args: []string{"-s", "-s", "route", "flush", "dev", "a1"}},
		{args: []string{"route", "flush", "cache"}},
		{args: []string{"-6", "route", "del", "default"}},
		{args: []string{"route", "add", "198.19.33.0/24", "dev", "a0", "expires", "100"}},
		{args: []string{"-6", "route", "add", "2001:db8:33::/64", "dev", "a0", "expires", "100"}},
		{args: []string{"route", "add", "default", "via", "198.18.0.253", "dev", "a0", "metric", "200"}},
		{args: []string{"route", "del", "default", "metric", "200"}},
		{args: []string{"route", "add", "198.19.35.0/24", "dev", "a0", "table", "main"}},
		{args: []string{"route", "add", "198.19.36.0/24", "dev", "a0", "table", "0"}},
		{args: []string{"-4", "route", "add", "default", "dev", "a0", "table", "9"}},

		{args: []string{"route", "test", "198.19.21.0/24", "dev", "a0"}, fail: true},
		{args: []string{"route", "del", "blackhole", "198.19.5.0/24"}, fail: true},
		{args: []string{"route", "add", "nat", "198.19.37.0/24", "via", "198.19.38.0"}, fail: true},
		{args: []string{"route", "add", "198.19.40.0/16", "via", "198.30.0.1"}, fail: true},
		{args: []string{"route", "add", "198.19.40.0/16", "via", "198.18.0.2", "dev", "nosuch"}, fail: true},
		{args: []string{"route", "add", "1.2.3/33", "dev", "a0"}, fail: true},
		{args: []string{"route", "add", "198.19.40.0/16", "dev", "a0", "table", "foo"}, fail: true},
		{args: []string{"route", "add", "198.19.40.0/16", "dev", "a0", "proto", "foo"}, fail: true},
		{args: []string{"route", "add", "198.19.40.0/16", "dev", "a0", "metric", "-1"}, fail: true},
		{args: []string{"route", "add", "198.19.40.0/16", "via", "2001:db8::1"}, fail: true},
		{args: []string{"route", "del", "198.19.99.0/24"}, fail: true},
		{args: []string{"route", "add", "198.18.0.0/24", "dev", "a0"}, fail: true},
		{args: []string{"route", "add", "198.19.40.0/16", "via", "198.18.0.2", "via", "198.18.0.3"}, fail: true},
		{args: []string{"route", "flush"}, fail: true},
		{args: []string{"route", "add", "198.19.40.0/16", "dev", "a0", "scope", "foo"}, fail: true},
		{args: []string{"route", "add", "198.19.40.0/16", "dev", "a0", "mtu", "x"}, fail: true},
		{args: []string{"route", "add", "198.19.40.0/16", "dev", "a0", "hoplimit", "300"}, fail: true},
		{args: []string{"route", "add", "198.19.40.0/16", "dev", "a0", "rtt", "x"}, fail: true},
		{args: []string{"route", "add", "198.19.40.0/16", "dev", "a0", "features", "foo"}, fail: true},
		{args: []string{"route", "add", "198.19.40.0/16", "dev", "a0", "quickack", "2"}, fail: true},
		{args: []string{"route", "add", "198.19.40.0/16", "dev", "a0", "pref", "x"}, fail: true},
		{args: []string{"route", "add", "198.19.40.0/16", "dev", "a0", "tos", "zz"}, fail: true},
		{args: []string{"route", "add", "198.19.40.0/16", "198.19.41.0/24", "dev", "a0"}, fail: true},
		{args: []string{"route", "add", "blackhole"}, fail: true},
		{args: []string{"route", "add", "198.19.40.0/16", "nexthop", "via", "198.18.0.2", "dev", "a0", "weight", "0"}, fail: true},
		{args: []string{"route", "add", "198.19.40.0/16", "nexthop"}, fail: true},
		{args: []string{"route", "add", "198.19.40.0/16", "nexthop", "via", "198.18.0.2", "dev", "a0", "bogus"}, fail: true},
		{args: []string{"-6", "route", "add", "198.19.40.0/16", "dev", "a0"}, fail: true},
		{args: []string{"-4", "route", "add", "2001:db8::/64", "dev", "a0"}, fail: true},
		{args: []string{"route", "get", "300.1.1.1"}, fail: true},
		{args: []string{"route", "get", "198.18.0.5", "dev", "nosuch"}, fail: true},
	})
	// Usage errors print linkbox's own usage text; the status is
	// iproute2's.
	for _, args := range [][]string{{"route", "add"}, {"route", "help"}} {
		want, got := sys(t, withNS(ipNS, args)...), lb(t, withNS(lbNS, args)...)
		if want.code != got.code || !strings.HasPrefix(got.stderr, "Usage: ip route") {
			t.Errorf("ip %v: want exit %d and a usage text, got exit %d and %q", args, want.code, got.code, got.stderr)
		}
	}
}

// The route requests linkbox sends are iproute2's, byte for byte.
func TestIPRouteRequestsMatchIproute2(t *testing.T) {
	ns, _ := twins(t, "rw")
	mustSys(t, withNS(ns, []string{"addr", "add", "2001:db8::1/64", "dev", "a0"})...)
	compareRequests(t, ns, unix.RTM_NEWROUTE, false, [][]string{
		{"route", "add", "198.19.0.0/16", "via", "198.18.0.254", "dev", "a0"},
		{"route", "add", "default", "via", "198.18.0.254"},
		{"-4", "route", "add", "default", "via", "198.18.0.254", "metric", "100", "proto", "static"},
		{"route", "add", "blackhole", "198.19.5.0/24"},
		{"route", "add", "198.19.8.0/24", "dev", "a0", "table", "1000", "src", "198.18.0.1"},
		{"route", "add", "198.19.9.0/24", "via", "198.18.0.2", "dev", "a0", "mtu", "lock", "1400", "advmss", "1300", "onlink"},
		{"route", "add", "2001:db8:5::/48", "via", "2001:db8::2", "metric", "5", "pref", "high", "dev", "a0"},
		{"route", "add", "198.19.12.0/24", "via", "inet6", "2001:db8::3", "dev", "a0"},
		{"route", "add", "198.19.13.0/24", "nexthop", "via", "198.18.0.5", "dev", "a0", "weight", "3", "nexthop", "via", "198.18.0.6", "dev", "a0"},
		{"route", "add", "local", "198.19.10.1", "dev", "a0"},
		{"route", "replace", "198.19.14.0/24", "dev", "a0", "tos", "0x10", "scope", "host"},
	})
	compareRequests(t, ns, unix.RTM_DELROUTE, false, [][]string{
		{"route", "del", "198.19.0.0/16"},
		{"route", "del", "default", "via", "198.18.0.254", "table", "main"},
	})
	compareRequests(t, ns, unix.RTM_GETROUTE, false, [][]string{
		{"route", "show"}, {"route", "show", "table", "all"}, {"-6", "route", "show", "dev", "a0"},
	})
	compareRequests(t, ns, unix.RTM_GETROUTE, true, [][]string{
		{"route", "get", "198.19.1.1"}, {"route", "get", "198.19.1.1", "from", "198.18.0.1", "oif", "a0"},
	})
}
