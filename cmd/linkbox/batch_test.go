package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runBatchIsolated runs `ip [-force] -batch FILE` in fresh network and
// mount namespaces (own /run/netns and /sys), with ip being wantIP, and
// returns what it printed (stdout and stderr, then its exit status) and
// the state it left, as iproute2 lists it.
func runBatchIsolated(t *testing.T, lines []string, force bool, path, wantIP string) (output, state string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "cmds.batch")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	opt := ""
	if force {
		opt = "-force "
	}
	script := "mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns && mount -t sysfs sysfs /sys && ip link set lo up || exit 99\n" +
		"export PATH=" + path + "\n" +
		`[ "$(command -v ip)" = "` + wantIP + `" ] || { echo "ip is $(command -v ip)"; exit 98; }` + "\n" +
		"ip " + opt + "-batch " + file + " 2>&1; echo \"exit $?\"\n" +
		"echo ===\nexport PATH=" + os.Getenv("PATH") + "\n" + seedState
	out, err := exec.Command("unshare", "--net", "--mount", "--propagation", "private", "sh", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("running the batch: %v\n%s", err, out)
	}
	output, state, _ = strings.Cut(string(out), "===\n")
	return strings.ReplaceAll(output, file, "FILE"), normaliseSeed(t, state)
}

// ip -batch takes shortcuts (a run of deletes as one, a veth pair and the
// lines that place it as one request, netns exec ip in process); each
// batch here, good and bad, must print what iproute2 prints, exit as it
// exits and leave the state it leaves.
func TestBatchShortcutsMatchIproute2(t *testing.T) {
	kernel(t)
	needTool(t, "unshare")
	bin := linkboxBin(t)
	sysIP, err := exec.LookPath("ip")
	if err != nil {
		t.Fatal(err)
	}
	pairs := func(n int) []string {
		var l []string
		for i := range n {
			l = append(l, fmt.Sprintf("link add a%d type veth peer name b%d", i, i))
		}
		return l
	}
	for _, tt := range []struct {
		name  string
		lines []string
		force bool
	}{
		{"a run of deletes", append(pairs(6), "link del a0", "link del dev a1", "link del a2", "link del b3", "link del a4"), false},
		{"a missing link in a run of deletes stops the batch",
			append(pairs(4), "link del a0", "link del nosuch", "link del a2", "link del a3"), false},
		{"with -force the run goes on past a missing link",
			append(pairs(4), "link del a0", "link del nosuch", "link del a2", "link del a3"), true},
		{"a veth's peer is gone with it",
			append(pairs(3), "link del a0", "link del b0", "link del a1"), true},
		{"a veth pair placed by the following lines",
			[]string{"link add br0 type bridge", "link set br0 up", "netns add ns1",
				"link add v1 type veth peer name p1", "link set p1 netns ns1", "link set v1 master br0", "link set v1 up",
				"netns exec ns1 ip link set p1 up", "netns exec ns1 ip addr add 198.18.0.1/24 dev p1",
				"link set v1 mtu 1400"}, false},
		{"the lines in another order",
			[]string{"link add br0 type bridge", "netns add ns1",
				"link add v1 type veth peer name p1", "link set v1 up", "link set v1 master br0", "link set p1 netns ns1",
				"link set p1 up"}, true},
		{"a bad argument ends the batch at once, as iproute2 exits on it",
			[]string{"link add v1 type veth peer name p1", "link set p1 netns nosuch", "link set v1 up"}, false},
		{"even with -force",
			[]string{"link add v1 type veth peer name p1", "link set v1 master nosuch", "link set v1 up"}, true},
		{"a taken name fails on its own line",
			[]string{"link add v1 type veth peer name p1", "link add v1 type veth peer name p2", "link set p2 up"}, true},
		{"netns exec ip in process, errors included",
			[]string{"netns add ns1", "netns exec ns1 ip link set lo up", "netns exec ns1 ip link set nosuch up",
				"netns exec ns1 ip -6 addr add 2001:db8::1/64 dev lo"}, true},
		// (Not "netns exec nosuch ...": iproute2 forks for netns exec in a
		// batch, and when the namespace cannot be opened the child reports
		// the failure as well and goes on reading the batch itself; that
		// is a bug linkbox does not copy.)
		{"names resolved once stay right after a rename",
			[]string{"link add v1 type veth peer name p1", "link set v1 up", "link set dev v1 down",
				"link set v1 name v9", "link set v9 up", "link set v1 up", "addr add 198.18.1.1/24 dev v9"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantOut, wantState := runBatchIsolated(t, tt.lines, tt.force, os.Getenv("PATH"), sysIP)
			gotOut, gotState := runBatchIsolated(t, tt.lines, tt.force, bin+":"+os.Getenv("PATH"), filepath.Join(bin, "ip"))
			if wantOut != gotOut {
				t.Errorf("output differs:\niproute2:\n%s\nlinkbox:\n%s", wantOut, gotOut)
			}
			if wantState != gotState {
				t.Errorf("state differs:\niproute2:\n%s\nlinkbox:\n%s", wantState, gotState)
			}
		})
	}
}
