package main

import (
	"strings"
	"testing"
)

// linkState builds, with iproute2, a namespace worth listing: a veth pair
// with one end up, a bridge with a port and an alias, and a veth whose
// peer lives in a named namespace.
func linkState(t *testing.T) {
	t.Helper()
	kernel(t)
	for _, cmd := range [][]string{
		{"ip", "link", "add", "ls0", "type", "veth", "peer", "name", "ls1"},
		{"ip", "link", "add", "lsbr0", "type", "bridge"},
		{"ip", "link", "set", "ls1", "master", "lsbr0"},
		{"ip", "link", "set", "ls0", "up"},
		{"ip", "link", "set", "lsbr0", "alias", "the seed's bridge"},
		{"ip", "netns", "add", "lsblue"},
		{"ip", "link", "add", "lsx", "type", "veth", "peer", "name", "lsy", "netns", "lsblue"},
	} {
		mustSys(t, cmd...)
	}
	t.Cleanup(func() {
		sys(t, "ip", "link", "del", "ls0")
		sys(t, "ip", "link", "del", "lsbr0")
		sys(t, "ip", "link", "del", "lsx")
		sys(t, "ip", "netns", "del", "lsblue")
	})
}

// The listings linkbox prints for the same kernel state are iproute2's,
// byte for byte, in every form.
func TestIPLinkShowMatchesIproute2(t *testing.T) {
	linkState(t)
	for _, args := range [][]string{
		{"link"},
		{"link", "show"},
		{"-br", "link"},
		{"-o", "link"},
		{"-s", "link", "show", "lo"},
		{"link", "show", "dev", "lsbr0"},
		{"link", "show", "master", "lsbr0"},
		{"link", "show", "type", "bridge"},
		{"link", "show", "type", "bridge_slave"},
		{"link", "show", "up"},
		{"l"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			want := mustSys(t, append([]string{"ip"}, args...)...)
			got := mustLB(t, append([]string{"ip"}, args...)...)
			if want != got {
				t.Errorf("output differs from iproute2's:\nwant:\n%s\ngot:\n%s", want, got)
			}
		})
	}
}

// JSON is compared value by value: same keys, same values, same order of
// links.
func TestIPLinkJSONMatchesIproute2(t *testing.T) {
	linkState(t)
	for _, args := range [][]string{
		{"-j", "link"},
		{"-j", "-s", "link", "show", "lo"},
		{"-j", "link", "show", "dev", "lsx"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			want := jsonOf(t, mustSys(t, append([]string{"ip"}, args...)...))
			got := jsonOf(t, mustLB(t, append([]string{"ip"}, args...)...))
			if len(want) != len(got) {
				t.Fatalf("want %d links, got %d", len(want), len(got))
			}
			for i := range want {
				for k, wv := range want[i] {
					if gv, ok := got[i][k]; !ok || !jsonEqual(wv, gv) {
						t.Errorf("link %v: key %q: want %v, got %v", want[i]["ifname"], k, wv, gv)
					}
				}
				for k := range got[i] {
					if _, ok := want[i][k]; !ok {
						t.Errorf("link %v: key %q is not in iproute2's output", want[i]["ifname"], k)
					}
				}
			}
		})
	}
}
