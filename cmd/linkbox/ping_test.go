package main

import (
	"strings"
	"testing"
)

// ping in a dry run sends no packet: it says what it would run and
// succeeds. The namespace answers pings to its own loopback address, so
// the real run that follows shows a ping that does send is told apart.
func TestPingDryRun(t *testing.T) {
	kernel(t)
	wireNS(t, "wping")
	mustSys(t, "ip", "-n", "wping", "link", "set", "lo", "up")
	mustSys(t, "ip", "-n", "wping", "addr", "add", "198.18.0.1/32", "dev", "lo")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-c", "2", "198.18.0.1"}, "would: ping -c 2 198.18.0.1\n"},
		{[]string{"-q", "-c1", "-i", "0.2", "-W", "1", "-w", "3", "-s", "100", "-I", "lo", "198.18.0.1"},
			"would: ping -c 1 -i 0.2 -W 1 -w 3 -s 100 -I lo -q 198.18.0.1\n"},
	} {
		r := wireBin(t, "wping", nil, append([]string{"ping", "--dry-run"}, tc.args...)...)
		if r.code != 0 || r.stdout != tc.want || r.stderr != "" {
			t.Errorf("ping --dry-run %q: want exit 0 and stdout\n%s\ngot exit %d, stdout\n%s\nstderr\n%s", tc.args, tc.want, r.code, r.stdout, r.stderr)
		}
	}

	r := wireBin(t, "wping", nil, "ping", "-c", "1", "-W", "2", "198.18.0.1")
	if r.code != 0 || !strings.Contains(r.stdout, "bytes from 198.18.0.1: icmp_seq=1") {
		t.Errorf("ping -c 1 198.18.0.1: want a reply, got exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
}
