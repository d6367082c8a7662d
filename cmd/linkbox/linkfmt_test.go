package main

import (
	"strings"
	"testing"
)

// ip link prints what iproute2 6.1 prints for the corners of a link's
// first two lines: a veth whose peer has the same index in another
// namespace is still "p0@if7"; a queue length of 0 is left out ("qlen 0"
// is not printed, nor "txqlen": 0); a link without an address keeps the
// space after "link/none". Text, one-line, brief and JSON, byte for byte.
func TestLinkShowCornersMatchIproute2(t *testing.T) {
	kernel(t)
	wireNS(t, "wfmta")
	wireNS(t, "wfmtb")
	mustSys(t, "ip", "-n", "wfmta", "link", "add", "p0", "index", "7", "type", "veth", "peer", "name", "p1", "netns", "wfmtb", "index", "7")
	mustSys(t, "ip", "-n", "wfmta", "link", "add", "q0", "type", "veth", "peer", "name", "q1")
	mustSys(t, "ip", "-n", "wfmta", "link", "set", "lo", "txqueuelen", "0")
	mustSys(t, "ip", "-n", "wfmta", "link", "set", "q0", "txqueuelen", "0")
	tun := sys(t, "ip", "-n", "wfmta", "tuntap", "add", "tun0", "mode", "tun")

	want := mustSys(t, "ip", "-n", "wfmta", "link")
	for _, s := range []string{"7: p0@if7: ", "group default \n    link/loopback"} {
		if !strings.Contains(want, s) {
			t.Fatalf("iproute2's listing lacks %q: the test shows nothing:\n%s", s, want)
		}
	}
	if tun.code == 0 && !strings.Contains(want, "    link/none \n") {
		t.Fatalf("iproute2's listing lacks \"link/none \": the test shows nothing:\n%s", want)
	} else if tun.code != 0 {
		t.Logf("no tun device (%s): a link without an address is not compared", strings.TrimSpace(tun.stderr))
	}
	for _, args := range []string{"link", "-o link", "-br link", "-j link", "-j -br link", "-d link show p0", "-j link show p0", "-s link show q0", "addr"} {
		argv := append([]string{"ip", "-n", "wfmta"}, strings.Fields(args)...)
		if want, got := mustSys(t, argv...), mustLB(t, argv...); got != want {
			t.Errorf("ip %s: want iproute2's\n%s\ngot\n%s", args, want, got)
		}
	}
}
