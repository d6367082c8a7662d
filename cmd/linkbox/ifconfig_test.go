package main

import (
	"strings"
	"testing"
)

// addrView is the part of ip -j addr show dev X that ifconfig changes:
// flags, mtu and each IPv4 address with its prefix, broadcast and label
// (with the link's own name replaced, to compare two links).
func addrView(t *testing.T, dev string) string {
	t.Helper()
	v := jsonOf(t, mustSys(t, "ip", "-j", "-4", "addr", "show", "dev", dev))
	links := jsonOf(t, mustSys(t, "ip", "-j", "link", "show", "dev", dev))
	var b strings.Builder
	b.WriteString(strings.ReplaceAll(jsonStr(links[0]["flags"])+" mtu "+jsonStr(links[0]["mtu"])+" mac "+jsonStr(links[0]["address"]), dev, "DEV"))
	for _, ai := range v[0]["addr_info"].([]any) {
		a := ai.(map[string]any)
		b.WriteString(strings.ReplaceAll(" "+jsonStr(a["local"])+"/"+jsonStr(a["prefixlen"])+" brd "+jsonStr(a["broadcast"])+" label "+jsonStr(a["label"]), dev, "DEV"))
	}
	return b.String()
}

func jsonStr(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return strings.Trim(strings.TrimSpace(strings.ReplaceAll(jsonMarshal(v), "\"", "")), " ")
}

// The classic ifconfig forms leave the kernel as net-tools' ifconfig
// leaves it: each step is done by net-tools on one veth pair and by
// linkbox on another, and the two links must then look the same.
func TestIfconfigMatchesNetTools(t *testing.T) {
	kernel(t)
	needTool(t, "ifconfig")
	mustSys(t, "ip", "link", "add", "ifa0", "type", "veth", "peer", "name", "ifa1")
	mustSys(t, "ip", "link", "add", "ifb0", "type", "veth", "peer", "name", "ifb1")
	t.Cleanup(func() { sys(t, "ip", "link", "del", "ifa0"); sys(t, "ip", "link", "del", "ifb0") })
	// Same starting MAC on both, so that the hw ether step is seen.
	mustSys(t, "ip", "link", "set", "ifa0", "address", "02:00:00:00:00:01")
	mustSys(t, "ip", "link", "set", "ifb0", "address", "02:00:00:00:00:01")
	for _, step := range [][]string{
		{"172.17.42.2/16", "up"},
		{"198.18.0.1"},
		{"netmask", "255.255.255.128"},
		{"broadcast", "198.18.0.100"},
		{"198.18.0.9"},
		{"mtu", "1400"},
		{"hw", "ether", "02:00:00:00:00:07"},
		{"198.19.1.1", "netmask", "255.255.0.0", "broadcast", "198.19.255.254"},
		{"down"},
		{"10.9.8.7"},
	} {
		name := strings.Join(step, " ")
		mustSys(t, append([]string{"ifconfig", "ifa0"}, step...)...)
		mustLB(t, append([]string{"ifconfig", "ifb0"}, step...)...)
		if want, got := addrView(t, "ifa0"), addrView(t, "ifb0"); want != got {
			t.Fatalf("after ifconfig %s:\nnet-tools: %s\n  linkbox: %s", name, want, got)
		}
	}
	// The display of one link, counters aside, is net-tools'.
	want := mustSys(t, "ifconfig", "ifa1")
	got := mustLB(t, "ifconfig", "ifa1")
	if cut(want) != cut(got) {
		t.Errorf("ifconfig ifa1:\nwant:\n%s\ngot:\n%s", want, got)
	}
	for _, bad := range [][]string{{"nosuch0", "198.18.0.1"}, {"nosuch0"}} {
		w, g := sys(t, append([]string{"ifconfig"}, bad...)...), lb(t, append([]string{"ifconfig"}, bad...)...)
		if w.code != g.code || w.stderr != g.stderr {
			t.Errorf("ifconfig %q: want exit %d %q, got exit %d %q", bad, w.code, w.stderr, g.code, g.stderr)
		}
	}
}

// cut drops the counter lines, which change as packets come and go.
func cut(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.Contains(l, "RX ") && !strings.Contains(l, "TX ") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
