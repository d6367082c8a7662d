package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/linkbox/linkbox/bridge"
	"github.com/linkbox/linkbox/rtnl"
)

// needBrctl skips a test that compares with bridge-utils when it is not
// installed.
func needBrctl(t *testing.T) {
	t.Helper()
	kernel(t)
	needTool(t, "brctl")
}

// sameAsTool compares what two runs printed and their exit statuses.
func sameAsTool(t *testing.T, what string, want, got result) {
	t.Helper()
	if want.code != got.code {
		t.Errorf("%s: exit status: want %d, got %d", what, want.code, got.code)
	}
	if want.stdout != got.stdout {
		t.Errorf("%s: stdout:\nwant %q\ngot  %q", what, want.stdout, got.stdout)
	}
	if want.stderr != got.stderr {
		t.Errorf("%s: stderr:\nwant %q\ngot  %q", what, want.stderr, got.stderr)
	}
}

// makeVeths makes veth pairs (NAME, NAMEp) whose first ends tests use as
// ports, and deletes them at the end.
func makeVeths(t *testing.T, names ...string) {
	t.Helper()
	deleteAtEnd(t, names...)
	for _, n := range names {
		mustSys(t, "ip", "link", "add", n, "type", "veth", "peer", "name", n+"p")
	}
}

// The seed's bridge script: a bridge without STP and a port, by brctl's
// commands. linkbox leaves what bridge-utils leaves.
func TestBrctlSeedScript(t *testing.T) {
	needBrctl(t)
	deleteAtEnd(t, "br-test", "br-twin")
	makeVeths(t, "br-tap1", "br-twtap1")
	for _, step := range []string{
		"brctl addbr BR",
		"brctl stp BR off",
		"brctl addif BR PORT",
	} {
		mustLB(t, strings.Fields(strings.NewReplacer("BR", "br-test", "PORT", "br-tap1").Replace(step))...)
		mustSys(t, strings.Fields(strings.NewReplacer("BR", "br-twin", "PORT", "br-twtap1").Replace(step))...)
	}
	conn, err := rtnl.Dial(&rtnl.Config{Kinds: kinds})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br, err := conn.LinkByName("br-test")
	if err != nil {
		t.Fatalf("br-test: %v", err)
	}
	x, err := bridge.InfoOf(br)
	if err != nil {
		t.Fatalf("br-test is not a bridge: %v", err)
	}
	if x.STPState == nil || *x.STPState != bridge.STPOff {
		t.Errorf("br-test stp_state: want off, got %v", x.STPState)
	}
	port, err := conn.LinkByName("br-tap1")
	if err != nil {
		t.Fatal(err)
	}
	if port.Attrs.Master == nil || int32(*port.Attrs.Master) != br.Index {
		t.Errorf("br-tap1 master: want br-test (%d), got %v", br.Index, port.Attrs.Master)
	}
	checkTwins(t, "br-test", "br-twin")
	checkTwins(t, "br-tap1", "br-twtap1")
	want := mustSys(t, "brctl", "show", "br-twin")
	got := mustLB(t, "brctl", "show", "br-test")
	ids := regexp.MustCompile(`br-t(win|est)\t\t[0-9a-f]{4}\.[0-9a-f]{12}|br-(tw)?tap1`)
	if ids.ReplaceAllString(want, "X") != ids.ReplaceAllString(got, "X") {
		t.Errorf("brctl show:\nwant %q\ngot  %q", want, got)
	}
}

// The seed's script runs unchanged with linkbox installed as brctl.
func TestBrctlSeedScriptAsProgram(t *testing.T) {
	kernel(t)
	dir := linkboxBin(t)
	deleteAtEnd(t, "br-test")
	makeVeths(t, "br-tap1")
	script := filepath.Join(t.TempDir(), "bridge.sh")
	if err := os.WriteFile(script, []byte("set -e\nbrctl addbr br-test\nbrctl stp br-test off\nbrctl addif br-test br-tap1\nbrctl show br-test\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", script)
	cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("script: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "br-test\t\t") || !strings.Contains(string(out), "\tno\t\tbr-tap1\n") {
		t.Errorf("brctl show in the script: want br-test, STP no, port br-tap1; got %q", out)
	}
	if m := ipDetails(t, "ip", "br-tap1")["master"]; m != "br-test" {
		t.Errorf("br-tap1 master: want br-test, got %v", m)
	}
}

// Every setting brctl changes, changed by linkbox on one bridge and by
// bridge-utils on its twin, gives the same kernel state. brctl counts
// seconds, fractions allowed.
func TestBrctlSettingsMatchBridgeUtils(t *testing.T) {
	needBrctl(t)
	deleteAtEnd(t, "kbs", "kbsI")
	makeVeths(t, "kbp", "kbpI", "kbq", "kbqI")
	for _, s := range []string{"", "I"} {
		mustSys(t, "brctl", "addbr", "kbs"+s)
		mustSys(t, "brctl", "addif", "kbs"+s, "kbp"+s, "kbq"+s)
	}
	for _, cmd := range []string{
		"setageing kbs%s 12.345",
		"setageing kbs%s 1e1",
		"setageing kbs%s 0.001",
		"setfd kbs%s 4",
		"setfd kbs%s 0.5",
		"sethello kbs%s 3",
		"sethello kbs%s 1.5",
		"setmaxage kbs%s 10",
		"setbridgeprio kbs%s 4096",
		"setbridgeprio kbs%s 0x10",
		"setbridgeprio kbs%s 70000",
		"setpathcost kbs%s kbp%s 33",
		"setpathcost kbs%s kbq%s 0x21",
		"setportprio kbs%s kbp%s 5",
		"hairpin kbs%s kbp%s on",
		"hairpin kbs%s kbq%s yes",
		"hairpin kbs%s kbq%s 0",
		"stp kbs%s on",
		"setfd kbs%s 100",
		"stp kbs%s off",
		"stp kbs%s 1",
		"stp kbs%s no",
		"delif kbs%s kbq%s",
		"addif kbs%s kbq%s",
	} {
		t.Run(cmd, func(t *testing.T) {
			got := lb(t, append([]string{"brctl"}, strings.Fields(strings.ReplaceAll(cmd, "%s", ""))...)...)
			want := sys(t, append([]string{"brctl"}, strings.Fields(strings.ReplaceAll(cmd, "%s", "I"))...)...)
			sameAsTool(t, "brctl "+cmd, want, got)
			checkTwins(t, "kbs", "kbsI")
			checkTwins(t, "kbp", "kbpI")
			checkTwins(t, "kbq", "kbqI")
		})
	}
}

// Bad commands get bridge-utils' messages and exit statuses and change
// nothing.
func TestBrctlErrorsMatchBridgeUtils(t *testing.T) {
	needBrctl(t)
	deleteAtEnd(t, "keb0", "keb1")
	makeVeths(t, "kev0", "kev2")
	mustSys(t, "brctl", "addbr", "keb0")
	mustSys(t, "brctl", "addbr", "keb1")
	mustSys(t, "brctl", "addif", "keb0", "kev2")
	mustSys(t, "ip", "link", "set", "keb1", "up")
	for _, cmd := range []string{
		"",
		"foo",
		"-h",
		"--help",
		"--he",
		"-x",
		"--foo",
		"--help=x",
		"addbr",
		"addif keb0",
		"hairpin keb0 kev0",
		"addbr keb0",
		"addbr a/b",
		"addbr .",
		"delbr nosuch",
		"delbr keb1",
		"delbr kev0",
		"addif keb0 nosuch",
		"addif nosuch lo",
		"addif kev0p kev0",
		"addif keb0 kev2",
		"addif keb1 kev2",
		"addif keb1 keb0",
		"addif keb1 lo",
		"delif keb1 kev2",
		"delif keb0 nosuch",
		"delif nosuch kev2",
		"delif kev0p kev2",
		"setageing keb0 abc",
		"setageing keb0 -5",
		"setageing nosuch 5",
		"setageing kev0 5",
		"sethello keb0 0.5",
		"setmaxage keb0 100",
		"setfd nosuch 3",
		"setbridgeprio keb0 x",
		"setbridgeprio nosuch 1",
		"setpathcost keb0 kev0 33",
		"setpathcost keb0 nosuch 33",
		"setpathcost nosuch kev0 33",
		"setpathcost kev0p kev0 33",
		"setpathcost keb0 kev2 0",
		"setpathcost keb0 kev2 70000",
		"setpathcost keb0 kev2 x",
		"setportprio keb0 kev2 500",
		"setportprio keb0 kev2 65541",
		"setportprio keb0 kev2 x",
		"hairpin keb0 kev0 on",
		"hairpin keb0 nosuch on",
		"hairpin nosuch kev2 on",
		"hairpin keb0 kev2 maybe",
		"stp keb0 maybe",
		"stp nosuch on",
		"stp kev0 on",
		"show nosuch",
		"show kev0",
		"showstp nosuch",
		"showstp kev0",
		"showmacs nosuch",
		"showmacs kev0",
	} {
		t.Run(cmd, func(t *testing.T) {
			before := linkNamesNow(t)
			want := sys(t, append([]string{"brctl"}, strings.Fields(cmd)...)...)
			if want.code == 0 && !strings.HasPrefix(cmd, "-") && !strings.HasPrefix(cmd, "--") {
				t.Fatalf("bridge-utils accepted %q; the test expects a refusal", cmd)
			}
			got := lb(t, append([]string{"brctl"}, strings.Fields(cmd)...)...)
			sameAsTool(t, "brctl "+cmd, want, got)
			if after := linkNamesNow(t); after != before {
				t.Errorf("links changed: before %q, after %q", before, after)
			}
		})
	}
}

// A bridge name longer than 15 bytes is cut, as brctl's ioctls cut it, and
// found again by the long name.
func TestBrctlLongBridgeName(t *testing.T) {
	needBrctl(t)
	deleteAtEnd(t, "averyveryverylo", "bverylongbridge")
	makeVeths(t, "kln0", "kln1")
	for _, tt := range []struct{ tool, long, port string }{
		{"linkbox", "averyveryverylongname", "kln0"},
		{"brctl", "bverylongbridgename", "kln1"},
	} {
		for _, cmd := range [][]string{
			{"brctl", "addbr", tt.long},
			{"brctl", "setfd", tt.long, "3"},
			{"brctl", "addif", tt.long, tt.port},
		} {
			if tt.tool == "linkbox" {
				mustLB(t, cmd...)
			} else {
				mustSys(t, cmd...)
			}
		}
	}
	checkTwins(t, "averyveryverylo", "bverylongbridge")
	want := mustSys(t, "brctl", "show", "bverylongbridgename")
	got := mustLB(t, "brctl", "show", "averyveryverylongname")
	mask := regexp.MustCompile(`[ab]very[a-z]+\t\t[0-9a-f]{4}\.[0-9a-f]{12}|kln[01]`)
	if mask.ReplaceAllString(want, "X") != mask.ReplaceAllString(got, "X") {
		t.Errorf("brctl show of a long name:\nwant %q\ngot  %q", want, got)
	}
}

// show, showstp and showmacs print what bridge-utils prints for the same
// bridges, running timers aside.
func TestBrctlShowMatchesBridgeUtils(t *testing.T) {
	needBrctl(t)
	deleteAtEnd(t, "ksa", "ksb", "ksc")
	makeVeths(t, "ksp0", "ksp1", "ksp2")
	for _, c := range []string{
		"brctl addbr ksb",
		"brctl addbr ksa",
		"brctl addbr ksc",
		"brctl addif ksa ksp2 ksp0",
		"brctl addif ksb ksp1",
		"brctl stp ksb on",
		"brctl hairpin ksa ksp0 on",
		"brctl setportprio ksa ksp2 3",
		"brctl setpathcost ksa ksp0 7",
		"ip link set ksp0p addrgenmode none",
		"ip link set ksp0 up",
		"ip link set ksp0p up",
		"ip link set ksa up",
		"bridge fdb add 02:00:00:00:00:01 dev ksp0 master static",
		"bridge fdb add 02:00:00:00:00:02 dev ksp0 master",
		"bridge fdb add 02:00:00:00:00:03 dev ksp0",
	} {
		mustSys(t, strings.Fields(c)...)
	}
	timerCol := regexp.MustCompile(`(timer\t+) *[0-9]+\.[0-9]{2}`)
	ageCol := regexp.MustCompile(`(?m)\t *[0-9]+\.[0-9]{2}$`)
	for _, args := range [][]string{
		{"show"},
		{"show", "ksa", "ksb"},
		{"show", "ksc", "nosuch", "ksa"},
		{"showstp", "ksa"},
		{"showstp", "ksb"},
		{"showstp", "ksc"},
		{"showmacs", "ksa"},
		{"showmacs", "ksc"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			want := sys(t, append([]string{"brctl"}, args...)...)
			got := lb(t, append([]string{"brctl"}, args...)...)
			for _, r := range []*result{&want, &got} {
				r.stdout = timerCol.ReplaceAllString(r.stdout, "${1}X")
				r.stdout = ageCol.ReplaceAllString(r.stdout, "\tX")
			}
			sameAsTool(t, "brctl "+strings.Join(args, " "), want, got)
		})
	}
}

// The times linkbox sends are brctl's seconds in clock_t, truncated as
// brctl truncates them.
func TestBrctlSecondsToClockT(t *testing.T) {
	for _, tt := range []struct {
		in   string
		cs   uint64
		ok   bool
		fail bool
	}{
		{"4", 400, true, false},
		{"12.345", 1234, true, false},
		{"0.001", 0, true, false},
		{"1e1", 1000, true, false},
		{"  2.5xyz", 250, true, false},
		{"0x10", 1600, true, false},
		{"abc", 0, false, false},
		{"", 0, false, false},
		{"inf", 0, true, true},
		{"nan", 0, true, true},
		{"1e12", 0, true, true},
	} {
		d, ok, err := secondsToClockT(tt.in)
		if ok != tt.ok || (err != nil) != tt.fail {
			t.Errorf("%q: want ok %v, error %v; got ok %v, error %v", tt.in, tt.ok, tt.fail, ok, err)
			continue
		}
		if ok && err == nil {
			if got, _ := bridge.ClockT(d); got != tt.cs {
				t.Errorf("%q: want %d centiseconds, got %d", tt.in, tt.cs, got)
			}
		}
	}
}
