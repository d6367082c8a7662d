package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The seed's scripts, verbatim: a namespace with one end of a veth pair in
// it; two namespaces joined by a veth pair; two namespaces joined through
// a bridge. (The blog's own address, 172.17.42.2, is only configured inside
// the sandbox, and no traffic goes to it; the other addresses are from
// 198.18.0.0/15.)
var seedScripts = map[string]string{
	"namespace": `
ip netns add blue
ip netns list
ip link add veth0 type veth peer name veth1
ip link list
ip link set veth1 netns blue
ip netns exec blue ip link list
ip netns exec blue ifconfig veth1 172.17.42.2/16 up
`,
	"veth": `
ip netns add ns1
ip netns add ns2
ip link add tap1 type veth peer name tap2
ip link set tap1 netns ns1
ip link set tap2 netns ns2
ip netns exec ns1 ip link set dev tap1 up
ip netns exec ns2 ip link set dev tap2 up
ip netns exec ns1 ip addr add 198.18.0.1/24 dev tap1
ip netns exec ns2 ip addr add 198.18.0.2/24 dev tap2
`,
	"bridge": `
ip netns add ns1
ip netns add ns2
BRIDGE=br-test
brctl addbr $BRIDGE
brctl stp   $BRIDGE off
ip link set dev $BRIDGE up
ip link add tap1 type veth peer name br-tap1
brctl addif br-test br-tap1
ip link set tap1 netns ns1
ip netns exec ns1 ip link set dev tap1 up
ip link set dev br-tap1 up
ip link add tap2 type veth peer name br-tap2
brctl addif br-test br-tap2
ip link set tap2 netns ns2
ip netns exec ns2 ip link set dev tap2 up
ip link set dev br-tap2 up
ip netns exec ns1 ip addr add 198.18.0.1/24 dev tap1
ip netns exec ns2 ip addr add 198.18.0.2/24 dev tap2
`,
}

// seedState lists, with iproute2's own -j view, every namespace the script
// made and what is in it: links in detail, addresses, bridge ports.
const seedState = `
for ns in "" $(ip netns list | cut -d' ' -f1); do
	echo "netns $ns"
	n=${ns:+-n $ns}
	ip $n -j -d link show
	ip $n -j addr show
	bridge $n -j link show
done
`

// runSeed runs a script in a namespace sandbox of its own (new network and
// mount namespaces with their own /run/netns and /sys) with PATH set to
// path, after checking that ip is wantIP there, then prints the state it
// left.
func runSeed(t *testing.T, script, path, wantIP string) string {
	t.Helper()
	// A fresh tmpfs on /run/netns, not /run: the linkbox binary lives in
	// the sandbox's /run.
	full := "set -e\nmkdir -p /run/netns\nmount -t tmpfs tmpfs /run/netns\nmount -t sysfs sysfs /sys\nip link set lo up\n" +
		"export PATH=" + path + "\n" +
		`[ "$(command -v ip)" = "` + wantIP + `" ] || { echo "ip is $(command -v ip)" >&2; exit 9; }` + "\n" +
		script + "\nexport PATH=" + os.Getenv("PATH") + "\n" + seedState
	cmd := exec.Command("unshare", "--net", "--mount", "--propagation", "private", "sh", "-c", full)
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("script failed with PATH=%s: %v\n%s%s", path, err, out, stderr)
	}
	return string(out)
}

// normaliseSeed drops from a state what differs between two runs of the
// same script: MAC addresses, interface indexes, link-local addresses,
// timers, bridge ids derived from MACs, and the operstate the kernel
// settles asynchronously.
func normaliseSeed(t *testing.T, state string) string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(state, "\n") {
		if !strings.HasPrefix(line, "[") {
			// The script's own output (ip link list...): MACs masked.
			out = append(out, macPattern.ReplaceAllString(line, "MAC"))
			continue
		}
		var v []map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, line)
		}
		for _, o := range v {
			scrub(o)
		}
		sort.SliceStable(v, func(i, j int) bool { return jsonStr(v[i]["ifname"]) < jsonStr(v[j]["ifname"]) })
		b, _ := json.MarshalIndent(v, "", " ")
		out = append(out, string(b))
	}
	return strings.Join(out, "\n")
}

var macPattern = regexp.MustCompile(`[0-9a-f]{2}(:[0-9a-f]{2}){5}`)

func scrub(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			switch {
			case k == "ifindex" || k == "address" || k == "broadcast" || k == "link_index" ||
				k == "operstate" || k == "bridge_id" || k == "root_id" || k == "designated_root" ||
				k == "id" || k == "no" || k == "designated_port" || k == "perm_address" ||
				strings.Contains(k, "timer"):
				delete(x, k)
			case k == "local" && x["scope"] == "link":
				x[k] = "link-local"
			case k == "flags":
				// NO-CARRIER is "up but not running", and running
				// follows the operstate, which settles asynchronously;
				// M-DOWN is ip's look at the flags of the link whose
				// index IFLA_LINK holds, taken from this namespace even
				// when that index is another namespace's.
				if fl, ok := val.([]any); ok {
					x[k] = slices.DeleteFunc(fl, func(f any) bool { return f == "NO-CARRIER" || f == "M-DOWN" })
				}
			case k == "link" && x["state"] != nil:
				// bridge link names a port's peer by its index looked
				// up here, even when the peer lives in another
				// namespace: an index, not state.
				delete(x, k)
			default:
				scrub(val)
			}
		}
	case []any:
		for _, e := range x {
			scrub(e)
		}
	}
}

// The seed's commands run verbatim with ip, brctl and ifconfig linked to
// linkbox leave the state iproute2, bridge-utils and net-tools leave, as
// iproute2's own -j view shows it.
func TestSeedScriptsLeaveIproute2State(t *testing.T) {
	kernel(t)
	for _, tool := range []string{"brctl", "ifconfig", "bridge", "unshare"} {
		needTool(t, tool)
	}
	bin := linkboxBin(t)
	for _, name := range []string{"namespace", "veth", "bridge"} {
		t.Run(name, func(t *testing.T) {
			script := seedScripts[name]
			sysIP, err := exec.LookPath("ip")
			if err != nil {
				t.Fatal(err)
			}
			want := normaliseSeed(t, runSeed(t, script, os.Getenv("PATH"), sysIP))
			got := normaliseSeed(t, runSeed(t, script, bin+":"+os.Getenv("PATH"), filepath.Join(bin, "ip")))
			if want != got {
				t.Errorf("state after the script differs:\niproute2, bridge-utils, net-tools:\n%s\nlinkbox:\n%s", want, got)
			}
		})
	}
}
