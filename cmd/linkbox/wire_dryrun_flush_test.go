package main

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/rtnl"
)

// A flush in a dry run goes one round: the kernel deletes nothing, so
// every later dump would list the same entries again (addr flush gave up
// after 10 rounds with exit 1, route flush looped for 30 s). The one
// round holds back one delete per entry, and the kernel keeps them all.
func TestDryRunFlushOneRound(t *testing.T) {
	kernel(t)
	for _, tc := range []struct {
		name string
		cmd  string // after ip -n NS
		typ  uint16 // the request each held-back message is
		n    int    // how many entries the state has to flush
	}{
		{"addr", "addr flush dev veth0", unix.RTM_DELADDR, 1},
		{"route", "route flush dev veth0", unix.RTM_DELROUTE, 2},
		{"neigh", "neigh flush dev veth0", unix.RTM_DELNEIGH, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns := "wflush" + tc.name
			wireSetup(t, ns)
			// A second route, and two neighbours a flush takes (not
			// permanent).
			mustSys(t, "ip", "-n", ns, "route", "add", "198.19.0.0/16", "via", "198.18.0.254")
			mustSys(t, "ip", "-n", ns, "neigh", "add", "198.18.0.8", "lladdr", "02:00:00:00:00:08", "dev", "veth0", "nud", "stale")
			mustSys(t, "ip", "-n", ns, "neigh", "add", "198.18.0.9", "lladdr", "02:00:00:00:00:09", "dev", "veth0", "nud", "reachable")
			before := wireKernelState(t, ns)

			r := lb(t, append([]string{"ip", "--dry-run", "-n", ns}, strings.Fields(tc.cmd)...)...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("ip --dry-run -n %s %s: want exit 0 and nothing on stderr, got exit %d:\n%s%s", ns, tc.cmd, r.code, r.stdout, r.stderr)
			}
			held := wireChanges(wireAnnotated(t, "--dry-run's stdout", r.stdout))
			var types []string
			for _, d := range held {
				for off := 0; off+rtnl.HeaderLen <= len(d.Data); {
					n := int(binary.NativeEndian.Uint32(d.Data[off:]))
					types = append(types, fmt.Sprint(binary.NativeEndian.Uint16(d.Data[off+4:])))
					off += (n + 3) &^ 3
					if n < rtnl.HeaderLen {
						break
					}
				}
			}
			want := strings.TrimSuffix(strings.Repeat(fmt.Sprint(tc.typ)+" ", tc.n), " ")
			if got := strings.Join(types, " "); got != want {
				t.Errorf("want one round of %d requests of type %d held back, got types %q:\n%s", tc.n, tc.typ, got, r.stdout)
			}
			if after := wireKernelState(t, ns); after != before {
				t.Errorf("the dry run changed the kernel's state:\nbefore:\n%s\nafter:\n%s", before, after)
			}

			// -s says how the one round went, as it does for a real
			// flush that takes one round.
			r = lb(t, append([]string{"ip", "--dry-run", "-s", "-n", ns}, strings.Fields(tc.cmd)...)...)
			what := "entries"
			if tc.name == "addr" {
				what = "addresses"
			}
			tail := fmt.Sprintf("\n*** Round 1, deleting %d %s ***\n*** Flush is complete after 1 round ***\n", tc.n, what)
			if r.code != 0 || !strings.HasSuffix(r.stdout, tail) {
				t.Errorf("ip --dry-run -s ... %s: want exit 0 and stdout ending in\n%s\ngot exit %d:\n%s%s", tc.cmd, tail, r.code, r.stdout, r.stderr)
			}
		})
	}
}

// ip route flush cache writes a file in /proc, not a netlink request: a
// dry run says so and does not write it.
func TestDryRunRouteFlushCache(t *testing.T) {
	kernel(t)
	wireNS(t, "wcache")
	for _, tc := range []struct {
		argv []string
		want string
	}{
		{[]string{"ip", "--dry-run", "-4", "route", "flush", "cache"},
			"would: echo -1 > /proc/sys/net/ipv4/route/flush\n"},
		{[]string{"ip", "--dry-run", "-4", "-n", "wcache", "route", "flush", "cache"},
			"would: ip netns exec wcache sh -c 'echo -1 > /proc/sys/net/ipv4/route/flush'\n"},
		{[]string{"ip", "--dry-run", "-4", "-s", "route", "flush", "cache"},
			"would: echo -1 > /proc/sys/net/ipv4/route/flush\n*** IPv4 routing cache is flushed.\n"},
	} {
		r := lb(t, tc.argv...)
		if r.code != 0 || r.stdout != tc.want || r.stderr != "" {
			t.Errorf("%q: want exit 0 and stdout\n%s\ngot exit %d, stdout\n%s\nstderr\n%s", tc.argv, tc.want, r.code, r.stdout, r.stderr)
		}
	}
}
