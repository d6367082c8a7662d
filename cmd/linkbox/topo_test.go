package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var updateTopo = flag.Bool("topo.update", false, "rewrite the golden files in testdata/topo (and the seed's picture)")

// topoSeedSetup is the seed's topology, as cmd/linkbox/demo.sh builds it:
// two namespaces, each joined to a bridge by a veth pair, addresses on the
// namespaces' ends.
const topoSeedSetup = `
ip netns add ns1
ip netns add ns2
ip link add br-test type bridge
ip link set dev br-test up
for i in 1 2; do
	ip link add tap$i type veth peer name br-tap$i
	ip link set br-tap$i master br-test
	ip link set tap$i netns ns$i
	ip -n ns$i link set dev tap$i up
	ip link set dev br-tap$i up
	ip -n ns$i addr add 198.18.0.$i/24 dev tap$i
done
`

// topoLargeSetup is a larger topology with every problem topo looks for:
// three named namespaces and the current one, a bridge in the current
// namespace and one in red joined by a veth pair (a trunk, jumbo on one
// side), blue and green joined by a pair with no bridge, an end left down,
// an address on a bridge port, a stale name, and a pair whose other end
// is in a namespace that has no name, only a process.
const topoLargeSetup = `
ip netns add red
ip netns add green
ip netns add blue
touch /run/netns/ghost
ip link add br0 type bridge
ip link set br0 up
ip -n red link add br1 type bridge
ip -n red link set br1 up
ip link add p-red mtu 9000 type veth peer name up0 netns red
ip link set p-red master br0
ip link set p-red up
ip -n red link set up0 master br1
ip -n red link set up0 up
ip link add p-green type veth peer name eth0 netns green
ip link set p-green master br0
ip link set p-green up
ip -n green link set eth0 up
ip -n green addr add 198.18.1.2/24 dev eth0
ip addr add 198.18.1.1/24 dev br0
ip -n red link add r-blue type veth peer name eth1 netns blue
ip -n red link set r-blue master br1
ip -n red link set r-blue up
ip -n red addr add 198.18.3.1/24 dev r-blue
ip -n blue addr add 198.18.3.2/24 dev eth1
ip -n blue link add x0 type veth peer name x1 netns green
ip -n blue link set x0 up
ip -n green link set x1 up
ip -n blue addr add 198.18.2.1/30 dev x0
ip -n blue addr add 2001:db8:2::1/64 dev x0
ip -n green addr add 198.18.2.2/30 dev x1
unshare --net sleep 1000 &
sleeper=$!
until [ "$(readlink /proc/$sleeper/ns/net)" != "$(readlink /proc/self/ns/net)" ]; do sleep 0.05; done
ip link add lonely type veth peer name hidden netns $sleeper
`

// topoScript runs after the setup: it waits for the links to settle,
// then runs linkbox topo in each form, and takes iproute2's view of each
// namespace to compare with.
//
// Settling: the kernel sets a link's carrier (LOWER_UP) at once, but its
// operational state later, from a work queue that may wait up to a second;
// and a bridge enables a port (and takes a carrier itself) only once the
// port's operational state is up. So the script waits until every link's
// operational state agrees with its carrier, in every namespace: then
// ports and bridges have settled too.
const topoScript = `
settled() {
	local n out line
	for n in "" $(ls /run/netns); do
		if [ -z "$n" ]; then out=$(ip -o link show); else out=$(ip -n "$n" -o link show 2>/dev/null) || continue; fi
		while read -r line; do
			case "$line" in
			*LOWER_UP*"state UP "* | *LOWER_UP*"state UNKNOWN "*) ;;
			*LOWER_UP* | *"state UP "*) return 1 ;;
			esac
		done <<<"$out"
	done
}
for i in $(seq 100); do settled && break; sleep 0.05; done
settled || { echo "the links did not settle in 5 s" >&2; exit 1; }
"$LB" topo >"$OUT/text"
"$LB" topo -j >"$OUT/json"
"$LB" topo --dot >"$OUT/dot"
"$LB" topo --all -j >"$OUT/all.json"
"$LB" topo --all >"$OUT/all.text"
ip -j -d link show >"$OUT/ip-link@"
ip -j addr show >"$OUT/ip-addr@"
for n in $(ls /run/netns); do
	ip -n "$n" -j -d link show >"$OUT/ip-link@$n" 2>/dev/null || rm -f "$OUT/ip-link@$n"
	ip -n "$n" -j addr show >"$OUT/ip-addr@$n" 2>/dev/null || rm -f "$OUT/ip-addr@$n"
done
`

// topoRun builds a topology with setup (a bash script using iproute2) in a
// network and mount namespace of its own inside the sandbox, with a /run of
// its own (so no other test's links or names show), runs topoScript there,
// and returns the files it wrote, by name.
func topoRun(t *testing.T, setup string) map[string]string {
	t.Helper()
	kernel(t)
	needTool(t, "unshare")
	// The binary is copied out of the sandbox's /run, which the tmpfs
	// below hides.
	tmp := t.TempDir()
	bin, err := os.ReadFile(filepath.Join(linkboxBin(t), "linkbox"))
	if err != nil {
		t.Fatal(err)
	}
	lbPath := filepath.Join(tmp, "linkbox")
	if err := os.WriteFile(lbPath, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	script := "set -euo pipefail\n" +
		"mount -t tmpfs tmpfs /run\n" +
		"ip link set lo up\n" +
		"sleeper=\n" +
		"trap '[ -z \"$sleeper\" ] || kill $sleeper' EXIT\n" +
		setup + topoScript
	cmd := exec.Command("unshare", "--net", "--mount", "--propagation", "private", "bash", "-c", script)
	cmd.Env = append(os.Environ(), "LB="+lbPath, "OUT="+out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("building the topology and running linkbox topo: %v\n%s", err, stderr.String())
	}
	files := map[string]string{}
	ents, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, ent := range ents {
		b, err := os.ReadFile(filepath.Join(out, ent.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[ent.Name()] = string(b)
	}
	return files
}

// topoGolden compares got with testdata/topo/name, or rewrites the file with
// -topo.update.
func topoGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "topo", name)
	if *updateTopo {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -topo.update writes it)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file:\nwant:\n%s\ngot:\n%s", path, want, got)
	}
}

// topoDoc is the JSON form, decoded.
type topoDoc struct {
	Namespaces []struct {
		ID      string   `json:"id"`
		Names   []string `json:"names"`
		Current bool     `json:"current"`
		Stale   bool     `json:"stale"`
		Unknown bool     `json:"unknown"`
		Inode   *uint64  `json:"inode"`
		Pids    []int    `json:"pids"`
		Error   *string  `json:"error"`
	} `json:"namespaces"`
	Nodes []struct {
		ID        string   `json:"id"`
		NetNS     string   `json:"netns"`
		IfName    *string  `json:"ifname"`
		IfIndex   int32    `json:"ifindex"`
		Kind      *string  `json:"kind"`
		MTU       *uint32  `json:"mtu"`
		Up        *bool    `json:"up"`
		LowerUp   *bool    `json:"lower_up"`
		OperState *string  `json:"operstate"`
		Address   *string  `json:"address"`
		Addrs     []string `json:"addrs"`
		Master    *string  `json:"master"`
		Peer      *string  `json:"peer"`
		STP       *string  `json:"stp"`
		PortState *string  `json:"port_state"`
	} `json:"nodes"`
	Edges []struct {
		Type string `json:"type"`
		A    string `json:"a"`
		B    string `json:"b"`
	} `json:"edges"`
	Problems []struct {
		Type    string  `json:"type"`
		NetNS   string  `json:"netns"`
		Node    *string `json:"node"`
		Message string  `json:"message"`
	} `json:"problems"`
}

func decodeTopo(t *testing.T, s string) *topoDoc {
	t.Helper()
	var d topoDoc
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("topo -j: %v\n%s", err, s)
	}
	return &d
}

func topoStr(p *string) string {
	if p == nil {
		return "-"
	}
	return *p
}

// summary reduces the JSON form to sorted lines: one per namespace, node
// (without the ifindex and MAC address, which vary), edge and problem.
func (d *topoDoc) summary(withLo bool) (namespaces, nodes, edges, problems []string) {
	for _, ns := range d.Namespaces {
		namespaces = append(namespaces, fmt.Sprintf("%s names=%v current=%v stale=%v unknown=%v inode=%v error=%v",
			ns.ID, ns.Names, ns.Current, ns.Stale, ns.Unknown, ns.Inode != nil, ns.Error != nil))
	}
	for _, n := range d.Nodes {
		if !withLo && topoStr(n.IfName) == "lo" {
			continue
		}
		up := "-"
		if n.Up != nil {
			up = fmt.Sprint(*n.Up)
		}
		mtu := "-"
		if n.MTU != nil {
			mtu = fmt.Sprint(*n.MTU)
		}
		nodes = append(nodes, fmt.Sprintf("%s kind=%s mtu=%s up=%s addrs=%v master=%s peer=%s stp=%s port=%s",
			n.ID, topoStr(n.Kind), mtu, up, n.Addrs, topoStr(n.Master), topoStr(n.Peer), topoStr(n.STP), topoStr(n.PortState)))
	}
	for _, e := range d.Edges {
		edges = append(edges, e.Type+" "+e.A+" "+e.B)
	}
	for _, p := range d.Problems {
		problems = append(problems, p.Type+" "+p.NetNS+" "+topoStr(p.Node))
	}
	for _, s := range [][]string{namespaces, nodes, edges, problems} {
		slices.Sort(s)
	}
	return
}

// topoSameLines fails the test unless want and got hold the same lines.
func topoSameLines(t *testing.T, what string, want, got []string) {
	t.Helper()
	want = slices.Sorted(slices.Values(want))
	got = slices.Sorted(slices.Values(got))
	if slices.Equal(want, got) {
		return
	}
	var missing, extra []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			missing = append(missing, w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			extra = append(extra, g)
		}
	}
	t.Errorf("%s differ:\nmissing (want, not got):\n  %s\nextra (got, not wanted):\n  %s\nwant:\n  %s\ngot:\n  %s", what,
		strings.Join(missing, "\n  "), strings.Join(extra, "\n  "), strings.Join(want, "\n  "), strings.Join(got, "\n  "))
}

func TestTopoSeed(t *testing.T) {
	f := topoRun(t, topoSeedSetup)
	d := decodeTopo(t, f["json"])
	namespaces, nodes, edges, problems := d.summary(false)
	topoSameLines(t, "namespaces", []string{
		"(current) names=[] current=true stale=false unknown=false inode=true error=false",
		"ns1 names=[ns1] current=false stale=false unknown=false inode=true error=false",
		"ns2 names=[ns2] current=false stale=false unknown=false inode=true error=false",
	}, namespaces)
	topoSameLines(t, "nodes", []string{
		"(current)/br-test kind=bridge mtu=1500 up=true addrs=[] master=- peer=- stp=disabled port=-",
		"(current)/br-tap1 kind=veth mtu=1500 up=true addrs=[] master=(current)/br-test peer=ns1/tap1 stp=- port=forwarding",
		"(current)/br-tap2 kind=veth mtu=1500 up=true addrs=[] master=(current)/br-test peer=ns2/tap2 stp=- port=forwarding",
		"ns1/tap1 kind=veth mtu=1500 up=true addrs=[198.18.0.1/24] master=- peer=(current)/br-tap1 stp=- port=-",
		"ns2/tap2 kind=veth mtu=1500 up=true addrs=[198.18.0.2/24] master=- peer=(current)/br-tap2 stp=- port=-",
	}, nodes)
	topoSameLines(t, "edges", []string{
		"veth (current)/br-tap1 ns1/tap1",
		"veth (current)/br-tap2 ns2/tap2",
		"port (current)/br-tap1 (current)/br-test",
		"port (current)/br-tap2 (current)/br-test",
	}, edges)
	topoSameLines(t, "problems", nil, problems)
	checkTopoAgainstIP(t, f, d)
	topoGolden(t, "seed.txt", f["text"])
	topoGolden(t, "seed.dot", f["dot"])
	if *updateTopo {
		// The README's picture of the seed, drawn by this command.
		for _, format := range []string{"svg", "png"} {
			out := topoRender(t, f["dot"], format)
			if err := os.WriteFile(filepath.Join("testdata", "topo", "seed."+format), out, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestTopoLarger(t *testing.T) {
	needTool(t, "sleep")
	f := topoRun(t, topoLargeSetup)
	d := decodeTopo(t, f["json"])
	namespaces, nodes, edges, problems := d.summary(false)
	const unknown = "(unknown: id 2 in (current))"
	topoSameLines(t, "namespaces", []string{
		"(current) names=[] current=true stale=false unknown=false inode=true error=false",
		"blue names=[blue] current=false stale=false unknown=false inode=true error=false",
		"ghost names=[ghost] current=false stale=true unknown=false inode=false error=false",
		"green names=[green] current=false stale=false unknown=false inode=true error=false",
		"red names=[red] current=false stale=false unknown=false inode=true error=false",
		unknown + " names=[] current=false stale=false unknown=true inode=false error=false",
	}, namespaces)
	topoSameLines(t, "nodes", []string{
		"(current)/br0 kind=bridge mtu=1500 up=true addrs=[198.18.1.1/24] master=- peer=- stp=disabled port=-",
		"(current)/p-red kind=veth mtu=9000 up=true addrs=[] master=(current)/br0 peer=red/up0 stp=- port=forwarding",
		"(current)/p-green kind=veth mtu=1500 up=true addrs=[] master=(current)/br0 peer=green/eth0 stp=- port=forwarding",
		"(current)/lonely kind=veth mtu=1500 up=false addrs=[] master=- peer=" + unknown + "/hidden stp=- port=-",
		"red/br1 kind=bridge mtu=1500 up=true addrs=[] master=- peer=- stp=disabled port=-",
		"red/up0 kind=veth mtu=1500 up=true addrs=[] master=red/br1 peer=(current)/p-red stp=- port=forwarding",
		"red/r-blue kind=veth mtu=1500 up=true addrs=[198.18.3.1/24] master=red/br1 peer=blue/eth1 stp=- port=disabled",
		"blue/eth1 kind=veth mtu=1500 up=false addrs=[198.18.3.2/24] master=- peer=red/r-blue stp=- port=-",
		"blue/x0 kind=veth mtu=1500 up=true addrs=[198.18.2.1/30 2001:db8:2::1/64] master=- peer=green/x1 stp=- port=-",
		"green/eth0 kind=veth mtu=1500 up=true addrs=[198.18.1.2/24] master=- peer=(current)/p-green stp=- port=-",
		"green/x1 kind=veth mtu=1500 up=true addrs=[198.18.2.2/30] master=- peer=blue/x0 stp=- port=-",
		unknown + "/hidden kind=veth mtu=1500 up=false addrs=[] master=- peer=(current)/lonely stp=- port=-",
	}, nodes)
	topoSameLines(t, "edges", []string{
		"port (current)/p-red (current)/br0",
		"port (current)/p-green (current)/br0",
		"port red/up0 red/br1",
		"port red/r-blue red/br1",
		"veth (current)/p-green green/eth0",
		"veth (current)/p-red red/up0",
		"veth (current)/lonely " + unknown + "/hidden",
		"veth blue/eth1 red/r-blue",
		"veth blue/x0 green/x1",
	}, edges)
	topoSameLines(t, "problems", []string{
		"stale-name ghost -",
		"mtu-mismatch (current) (current)/p-red",
		"veth-down blue blue/eth1",
		"port-address red red/r-blue",
	}, problems)
	checkTopoAgainstIP(t, f, d)
	topoGolden(t, "larger.txt", f["text"])
	topoGolden(t, "larger.dot", f["dot"])

	// With --all, the namespace with no name is found through its
	// process and named after it.
	all := decodeTopo(t, f["all.json"])
	var sleeper string
	for _, ns := range all.Namespaces {
		if strings.HasPrefix(ns.ID, "pid ") && strings.HasSuffix(ns.ID, " (sleep)") {
			if len(ns.Pids) != 1 || ns.ID != fmt.Sprintf("pid %d (sleep)", ns.Pids[0]) || ns.Unknown || ns.Inode == nil {
				t.Errorf("--all: namespace %q: want the sleep's pid alone, known, got pids %v unknown %v", ns.ID, ns.Pids, ns.Unknown)
			}
			sleeper = ns.ID
		}
		if ns.Unknown {
			t.Errorf("--all: namespace %q is still unknown", ns.ID)
		}
	}
	if sleeper == "" {
		t.Fatalf("--all: want a namespace named after the sleep process, got none:\n%s", f["all.text"])
	}
	_, _, edges, _ = all.summary(false)
	if want := "veth (current)/lonely " + sleeper + "/hidden"; !slices.Contains(edges, want) {
		t.Errorf("--all: want edge %q, got:\n%s", want, strings.Join(edges, "\n"))
	}
	if !strings.Contains(f["all.text"], "netns "+sleeper+"\n└── hidden  veth  DOWN  mtu 1500  <-> (current)/lonely\n") {
		t.Errorf("--all: want the sleep's namespace in the tree, got:\n%s", f["all.text"])
	}
}

// checkTopoAgainstIP compares each node of a namespace walked with what
// iproute2 says of the same link in the same namespace: kind, MTU, up,
// master and addresses (other than link-local ones).
func checkTopoAgainstIP(t *testing.T, f map[string]string, d *topoDoc) {
	t.Helper()
	type ipLink struct {
		IfName   string   `json:"ifname"`
		MTU      uint32   `json:"mtu"`
		Flags    []string `json:"flags"`
		Master   string   `json:"master"`
		LinkInfo struct {
			Kind string `json:"info_kind"`
		} `json:"linkinfo"`
		AddrInfo []struct {
			Local     string `json:"local"`
			PrefixLen int    `json:"prefixlen"`
			Scope     string `json:"scope"`
		} `json:"addr_info"`
	}
	checked := 0
	for _, ns := range d.Namespaces {
		if ns.Stale || ns.Unknown {
			continue
		}
		file := ns.ID
		if ns.Current {
			file = ""
		}
		var links, addrs []ipLink
		if err := json.Unmarshal([]byte(f["ip-link@"+file]), &links); err != nil {
			t.Fatalf("ip -j link in %s: %v", ns.ID, err)
		}
		if err := json.Unmarshal([]byte(f["ip-addr@"+file]), &addrs); err != nil {
			t.Fatalf("ip -j addr in %s: %v", ns.ID, err)
		}
		var want, got []string
		for i, l := range links {
			master := "-"
			if l.Master != "" {
				master = ns.ID + "/" + l.Master
			}
			kind := l.LinkInfo.Kind
			if kind == "" {
				kind = "-"
			}
			var as []string
			for _, a := range addrs[i].AddrInfo {
				if a.Scope != "link" {
					as = append(as, fmt.Sprintf("%s/%d", a.Local, a.PrefixLen))
				}
			}
			want = append(want, fmt.Sprintf("%s/%s kind=%s mtu=%d up=%v master=%s addrs=%v",
				ns.ID, l.IfName, kind, l.MTU, slices.Contains(l.Flags, "UP"), master, as))
		}
		for _, n := range d.Nodes {
			if n.NetNS != ns.ID {
				continue
			}
			got = append(got, fmt.Sprintf("%s kind=%s mtu=%d up=%v master=%s addrs=%v",
				n.ID, topoStr(n.Kind), *n.MTU, *n.Up, topoStr(n.Master), n.Addrs))
		}
		topoSameLines(t, "links of "+ns.ID+" (iproute2's, linkbox topo's)", want, got)
		checked++
	}
	if checked == 0 {
		t.Fatal("no namespace compared with iproute2")
	}
}

// topoRender runs Graphviz's dot over src and returns the drawing, failing the
// test on any error or warning.
func topoRender(t *testing.T, src, format string) []byte {
	t.Helper()
	needTool(t, "dot")
	cmd := exec.Command("dot", "-T"+format)
	cmd.Stdin = strings.NewReader(src)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("dot -T%s: %v\n%s\ninput:\n%s", format, err, stderr.String(), src)
	}
	if out.Len() == 0 {
		t.Fatalf("dot -T%s drew nothing", format)
	}
	return out.Bytes()
}

// Every dot golden file renders with Graphviz, without an error or a
// warning, into an SVG that names every link.
func TestTopoDotRenders(t *testing.T) {
	needTool(t, "dot")
	for _, name := range []string{"seed.dot", "larger.dot"} {
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", "topo", name))
			if err != nil {
				t.Fatal(err)
			}
			// SVG writes some characters as entities: br&#45;test.
			svg := html.UnescapeString(string(topoRender(t, string(src), "svg")))
			for _, want := range []string{"br-test", "tap1", "198.18.0.1/24"} {
				if name == "seed.dot" && !strings.Contains(svg, want) {
					t.Errorf("the SVG does not show %q", want)
				}
			}
			for _, want := range []string{"br1", "hidden", "2001:db8:2::1/64", "problems:"} {
				if name == "larger.dot" && !strings.Contains(svg, want) {
					t.Errorf("the SVG does not show %q", want)
				}
			}
		})
	}
}

// Names that need quoting in every form: a namespace name with a quote, a
// backslash and HTML's special characters, which iproute2 and nsfs both
// accept, still gives JSON that decodes to the same name and dot that
// Graphviz draws.
func TestTopoOddNames(t *testing.T) {
	f := topoRun(t, `
ip netns add 'a"b\c<&>'
ip link add 'v"0' type veth peer name 'w\1' netns 'a"b\c<&>'
ip link set 'v"0' up
`)
	d := decodeTopo(t, f["json"])
	_, _, edges, _ := d.summary(false)
	topoSameLines(t, "edges", []string{`veth (current)/v"0 a"b\c<&>/w\1`}, edges)
	topoRender(t, f["dot"], "svg")
	if want := "netns a\"b\\\\c<&>\n└── w\\\\1  veth  DOWN  mtu 1500  <-> (current)/v\"0  !\n"; !strings.Contains(f["text"], want) {
		t.Errorf("text: want the odd names quoted as %q, got:\n%s", want, f["text"])
	}
}

// Bad command lines are refused before anything is read.
func TestTopoUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"topo", "-j", "--dot"}, 255, "choose one"},
		{[]string{"topo", "--frobnicate"}, 255, `unknown argument "--frobnicate"`},
		{[]string{"topo", "--help"}, 0, "Usage: linkbox topo"},
	} {
		r := lb(t, append([]string{"linkbox"}, c.args...)...)
		if r.code != c.code || !strings.Contains(r.stdout+r.stderr, c.out) {
			t.Errorf("linkbox %v: want exit %d and %q, got exit %d:\n%s%s", c.args, c.code, c.out, r.code, r.stdout, r.stderr)
		}
	}
}
