package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
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

// ping resolves its destination without a DNS resolver: addresses as
// getaddrinfo takes them, then names in the hosts file; anything else is
// "Name or service not known", as ping says.
func TestPingResolve(t *testing.T) {
	hosts := filepath.Join(t.TempDir(), "hosts")
	err := os.WriteFile(hosts, []byte(`# a comment line
198.18.0.1	alpha alpha.example.  # the canonical name, then an alias
2001:db8::1 alpha six
198.18.0.2 Beta
	198.18.0.3   tabbed # leading white space
not-an-address gamma
198.18.0.4
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		family int
		want   string // an address, or the error
	}{
		{"198.18.0.9", 0, "198.18.0.9"},
		{"2001:db8::9", 0, "2001:db8::9"},
		{"::ffff:198.18.0.9", 0, "198.18.0.9"},
		{"198.18.9", 0, "198.18.0.9"},
		{"198.1179657", 0, "198.18.0.9"},
		{"0xc6.022.0.9", 0, "198.18.0.9"},
		{"3323068425", 0, "198.18.0.9"},
		{"198.18.0.256", 0, "Name or service not known"},
		{"198.18.65536", 0, "Name or service not known"},
		{"198.18.0.08", 0, "Name or service not known"},
		{"198.18.0.", 0, "Name or service not known"},
		{"0x", 0, "Name or service not known"},
		{"198.18.0.9", unix.AF_INET6, "Address family for hostname not supported"},
		{"2001:db8::9", unix.AF_INET, "Address family for hostname not supported"},
		{"alpha", 0, "198.18.0.1"},
		{"ALPHA.", 0, "198.18.0.1"},
		{"alpha.example", 0, "198.18.0.1"},
		{"alpha", unix.AF_INET6, "2001:db8::1"},
		{"six", 0, "2001:db8::1"},
		{"six", unix.AF_INET, "Address family for hostname not supported"},
		{"beta", 0, "198.18.0.2"},
		{"tabbed", 0, "198.18.0.3"},
		{"gamma", 0, "Name or service not known"},
		{"comment", 0, "Name or service not known"},
		{"198.18.0.4", 0, "198.18.0.4"},
		{"delta.example", 0, "Name or service not known"},
		{"", 0, "Name or service not known"},
	} {
		got := ""
		a, err := resolveHost(c.name, c.family, hosts)
		if err != nil {
			got = err.Error()
		} else {
			got = a.String()
		}
		if got != c.want {
			t.Errorf("resolving %q (family %d): want %s, got %s", c.name, c.family, c.want, got)
		}
	}
	if _, err := resolveHost("alpha", 0, filepath.Join(t.TempDir(), "none")); err == nil || err.Error() != "Name or service not known" {
		t.Errorf("without a hosts file: want Name or service not known, got %v", err)
	}
}

// A name ping cannot resolve ends it as ping ends: exit 2, the name and
// getaddrinfo's words on stderr, nothing sent.
func TestPingUnknownName(t *testing.T) {
	r := lb(t, "ping", "-c", "1", "no-such-host.invalid")
	want := "ping: no-such-host.invalid: Name or service not known\n"
	if r.code != 2 || r.stdout != "" || r.stderr != want {
		t.Errorf("want exit 2 and stderr %q, got exit %d, stdout %q, stderr %q", want, r.code, r.stdout, r.stderr)
	}
}
