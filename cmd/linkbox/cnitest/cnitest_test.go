package cnitest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/nsfs"
	"github.com/linkbox/linkbox/nsfs/nstest"
	"github.com/linkbox/linkbox/rtnl"
)

// fetchedVar tells the re-executed test binary, in the sandbox, that the
// modules were fetched before it started.
const fetchedVar = "LINKBOX_CNITEST_FETCHED"

// TestMain fetches the modules the tools are built from while the network
// is there, then runs the tests in the sandbox, which has none (only lo).
func TestMain(m *testing.M) {
	if !nstest.Inside() && os.Getenv(fetchedVar) == "" {
		cmd := exec.Command("go", "list", "-deps", "tool")
		cmd.Stdout = nil
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "cnitest: fetching the modules of cnitool, host-local, bridge and linkbox: %v\n%s", err, errb.String())
			os.Exit(1)
		}
		os.Setenv(fetchedVar, "1")
	}
	nstest.Main(m)
}

// tools are the binaries the tests run, all static and stripped
// (CGO_ENABLED=0, -ldflags '-s -w'): cnitool, host-local, bridge, linkbox
// in dir; linkbox's applet links (linkbox-cni among them) in links. They
// are built without -trimpath, which would make the go command compile
// the standard library and every shared package again instead of reusing
// what it compiled for this test (about 40 of the 60 seconds a cold build
// takes on two cores); -trimpath takes some 10 KB (0.2%) off each binary.
type tools struct {
	dir, links string
}

var (
	toolsOnce sync.Once
	toolsVal  tools
	toolsErr  error
)

// buildTools builds the tools once per run, into the sandbox's own /run,
// with no network (GOPROXY=off: TestMain fetched what they need), and
// gives libcni a private cache directory.
func buildTools(t *testing.T) tools {
	t.Helper()
	nstest.Require(t)
	toolsOnce.Do(func() {
		var dir string
		if dir, toolsErr = os.MkdirTemp("/run", "cnitest"); toolsErr != nil {
			return
		}
		toolsVal = tools{dir: filepath.Join(dir, "bin"), links: filepath.Join(dir, "links")}
		for _, d := range []string{toolsVal.dir, toolsVal.links} {
			if toolsErr = os.Mkdir(d, 0o755); toolsErr != nil {
				return
			}
		}
		cmd := exec.Command("go", "build", "-ldflags=-s -w", "-o", toolsVal.dir+"/", "tool")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOPROXY=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			toolsErr = fmt.Errorf("go build tool: %v\n%s", err, out)
			return
		}
		if out, err := exec.Command(filepath.Join(toolsVal.dir, "linkbox"), "--install", toolsVal.links).CombinedOutput(); err != nil {
			toolsErr = fmt.Errorf("linkbox --install: %v\n%s", err, out)
			return
		}
		// libcni caches results under /var/lib/cni: a tmpfs over /var/lib,
		// in the sandbox's own mount namespace, keeps them there.
		if err := unix.Mount("tmpfs", "/var/lib", "tmpfs", 0, "mode=0755"); err != nil {
			toolsErr = fmt.Errorf("mounting a tmpfs on /var/lib for libcni's cache: %w", err)
		}
	})
	if toolsErr != nil {
		t.Fatalf("building the tools: %v", toolsErr)
	}
	return toolsVal
}

// scenario is one run of the real client against one plugin: its network
// configuration and where it runs.
type scenario struct {
	tools   tools
	plugin  string // the configuration's type: linkbox-cni or bridge
	network string
	bridge  string
	prefix  string // of the namespaces' names
	confDir string
	ipamDir string
	cniPath string
}

// newScenario sets up a network configuration of spec version version
// whose plugin is plugin; tag names its network, bridge and namespaces.
func newScenario(t *testing.T, plugin, version, tag string) *scenario {
	tl := buildTools(t)
	s := &scenario{tools: tl, plugin: plugin, network: "net-" + tag, bridge: "br-" + tag, prefix: tag + "-",
		confDir: t.TempDir(), ipamDir: filepath.Join(t.TempDir(), "ipam"), cniPath: tl.dir}
	if plugin == "linkbox-cni" {
		s.cniPath = tl.links + string(os.PathListSeparator) + tl.dir
	}
	conf := fmt.Sprintf(`{"cniVersion":%q,"name":%q,"plugins":[{"type":%q,"bridge":%q,"isDefaultGateway":true,`+
		`"ipam":{"type":"host-local","ranges":[[{"subnet":"198.18.0.0/24"}]],"routes":[{"dst":"198.19.0.0/16"}],"dataDir":%q}}]}`,
		version, s.network, plugin, s.bridge, s.ipamDir)
	if err := os.WriteFile(filepath.Join(s.confDir, "10-test.conflist"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.removeBridge(t) })
	return s
}

// removeBridge deletes the scenario's bridge, which DEL leaves (both
// plugins do): the bridges of both runs would hold the same gateway
// address.
func (s *scenario) removeBridge(t *testing.T) {
	c, err := rtnl.Dial(nil)
	if err != nil {
		t.Error(err)
		return
	}
	defer c.Close()
	l, err := c.LinkByName(s.bridge)
	if errors.Is(err, unix.ENODEV) {
		return
	}
	if err == nil {
		err = c.DeleteLink(l.Index)
	}
	if err != nil {
		t.Errorf("deleting bridge %s: %v", s.bridge, err)
	}
}

// netns makes a named namespace for the scenario and returns its path.
func (s *scenario) netns(t *testing.T, name string) string {
	t.Helper()
	var d nsfs.Dir
	name = s.prefix + name
	if err := d.Add(name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Delete(name) })
	return "/run/netns/" + name
}

// cnitool runs the CNI project's cnitool.
func (s *scenario) cnitool(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(filepath.Join(s.tools.dir, "cnitool"), args...)
	cmd.Env = append(os.Environ(), "CNI_PATH="+s.cniPath, "NETCONFPATH="+s.confDir)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		err = fmt.Errorf("cnitool %s: %v: %s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String(), err
}

func (s *scenario) mustCNITool(t *testing.T, args ...string) string {
	t.Helper()
	out, err := s.cnitool(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ping runs linkbox's ping inside a namespace and fails the test unless
// the address answers.
func (s *scenario) ping(t *testing.T, nsPath, addr string) {
	t.Helper()
	var d nsfs.Dir
	cmd := exec.Command(filepath.Join(s.tools.links, "ping"), "-c", "1", "-W", "2", addr)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := d.Run(filepath.Base(nsPath), cmd); err != nil {
		t.Errorf("ping %s from %s: %v\n%s", addr, nsPath, err, out.String())
	}
}

// reservations lists host-local's address reservations for the scenario's
// network (its files named after addresses).
func (s *scenario) reservations(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(s.ipamDir, s.network))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if n := e.Name(); n != "lock" && !strings.HasPrefix(n, "last_reserved_ip") {
			out = append(out, n)
		}
	}
	return out
}

// veths lists the veths of the test's own namespace, the host.
func veths(t *testing.T) []string {
	t.Helper()
	c, err := rtnl.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	links, err := c.Links()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range links {
		if l.Attrs.Info != nil && l.Attrs.Info.Kind == "veth" {
			out = append(out, l.Attrs.Name)
		}
	}
	return out
}

// result is the part of an ADD result both plugins must agree on.
type result struct {
	CNIVersion string `json:"cniVersion"`
	Interfaces []struct {
		Name    string `json:"name"`
		MAC     string `json:"mac"`
		Sandbox string `json:"sandbox"`
	} `json:"interfaces"`
	IPs []struct {
		Address   string `json:"address"`
		Gateway   string `json:"gateway"`
		Interface *int   `json:"interface"`
	} `json:"ips"`
	Routes []struct {
		Dst string `json:"dst"`
		GW  string `json:"gw"`
	} `json:"routes"`
}

// view is what a container sees of its network: links, addresses and
// routes, without what is random by nature (MAC addresses, the IPv6
// link-local addresses made from them, interface indexes).
type view struct {
	Links  []string
	Addrs  []string
	Routes []string
}

// viewOf reads the view of the namespace at path.
func viewOf(t *testing.T, path string) view {
	t.Helper()
	ns, err := nsfs.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	c, err := nsfs.Dial(ns, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	links, err := c.Links()
	if err != nil {
		t.Fatal(err)
	}
	names := map[uint32]string{}
	var v view
	const flagMask = unix.IFF_UP | unix.IFF_LOWER_UP | unix.IFF_BROADCAST | unix.IFF_MULTICAST | unix.IFF_LOOPBACK | unix.IFF_PROMISC | unix.IFF_NOARP
	for _, l := range links {
		names[uint32(l.Index)] = l.Attrs.Name
		kind := ""
		if l.Attrs.Info != nil {
			kind = l.Attrs.Info.Kind
		}
		qlen := uint32(0)
		if l.Attrs.TxQLen != nil {
			qlen = *l.Attrs.TxQLen
		}
		v.Links = append(v.Links, fmt.Sprintf("%s kind=%s mtu=%d flags=%#x oper=%d qlen=%d peer-elsewhere=%v",
			l.Attrs.Name, kind, l.Attrs.MTU, l.Flags&flagMask, l.Attrs.OperState, qlen, l.Attrs.LinkNetNSID != nil))
	}
	addrs, err := c.Addrs(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		p := a.Prefix()
		if p.Addr().Is6() && p.Addr().IsLinkLocalUnicast() {
			continue
		}
		v.Addrs = append(v.Addrs, fmt.Sprintf("%s dev %s scope %d brd %v flags %#x", p, names[uint32(a.Index)], a.Scope, a.Attrs.Broadcast, a.AllFlags()))
	}
	routes, err := c.Routes(0, unix.RT_TABLE_MAIN)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range routes {
		v.Routes = append(v.Routes, fmt.Sprintf("%s via %v dev %s proto %d scope %d type %d src %v metric %d",
			r.DstPrefix(), r.Attrs.Gateway, names[r.Attrs.OIF], r.Protocol, r.Scope, r.Type, r.Attrs.PrefSrc, r.Attrs.Priority))
	}
	slices.Sort(v.Links)
	slices.Sort(v.Addrs)
	slices.Sort(v.Routes)
	return v
}

// run runs the scenario: cnitool add, check and status for two namespaces
// on one bridge, traffic between them and to the gateway, then del (twice)
// and gc, checking that nothing is left. It returns what the two
// namespaces saw after ADD, and the first ADD result.
func (s *scenario) run(t *testing.T) (map[string]view, result) {
	nsA, nsB := s.netns(t, "a"), s.netns(t, "b")
	var ra result
	for i, ns := range []string{nsA, nsB} {
		out := s.mustCNITool(t, "add", s.network, ns)
		var r result
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("ADD result: %v\n%s", err, out)
		}
		want := fmt.Sprintf("198.18.0.%d/24", i+2)
		if len(r.IPs) != 1 || r.IPs[0].Address != want || r.IPs[0].Gateway != "198.18.0.1" || r.IPs[0].Interface == nil || *r.IPs[0].Interface != 2 {
			t.Errorf("%s: want ips [%s gateway 198.18.0.1 on interface 2], got %+v", ns, want, r.IPs)
		}
		if len(r.Interfaces) != 3 || r.Interfaces[0].Name != s.bridge || r.Interfaces[2].Name != "eth0" || r.Interfaces[2].Sandbox != ns {
			t.Errorf("%s: want interfaces [%s, host end, eth0 in %s], got %+v", ns, s.bridge, ns, r.Interfaces)
		}
		if i == 0 {
			ra = r
		}
	}
	s.mustCNITool(t, "check", s.network, nsA)
	s.mustCNITool(t, "check", s.network, nsB)
	s.mustCNITool(t, "status", s.network, nsA)
	if want, got := []string{"198.18.0.2", "198.18.0.3"}, s.reservations(t); !slices.Equal(want, got) {
		t.Errorf("want reservations %q, got %q", want, got)
	}

	s.ping(t, nsA, "198.18.0.3")
	s.ping(t, nsB, "198.18.0.2")
	s.ping(t, nsA, "198.18.0.1")
	views := map[string]view{"a": viewOf(t, nsA), "b": viewOf(t, nsB)}

	s.mustCNITool(t, "del", s.network, nsA)
	s.mustCNITool(t, "del", s.network, nsA)
	s.mustCNITool(t, "del", s.network, nsB)
	if got := veths(t); len(got) != 0 {
		t.Errorf("want no veth left after DEL, got %q", got)
	}
	if got := s.reservations(t); len(got) != 0 {
		t.Errorf("want no address reserved after DEL, got %q", got)
	}
	if v := viewOf(t, nsA); len(v.Links) != 1 {
		t.Errorf("want only lo left in %s, got %q", nsA, v.Links)
	}
	return views, ra
}

// gc adds a namespace again, makes libcni forget it (so that cnitool gc
// cannot DEL it first) and runs cnitool gc, which names no valid
// attachment: the plugin's GC must remove the attachment by itself.
func (s *scenario) gc(t *testing.T) {
	nsC := s.netns(t, "c")
	s.mustCNITool(t, "add", s.network, nsC)
	if err := os.RemoveAll("/var/lib/cni/results"); err != nil {
		t.Fatal(err)
	}
	s.mustCNITool(t, "gc", s.network, nsC)
	if got := veths(t); len(got) != 0 {
		t.Errorf("want no veth left after GC, got %q", got)
	}
	if got := s.reservations(t); len(got) != 0 {
		t.Errorf("want no address reserved after GC, got %q", got)
	}
}

// TestCNIToolLinkboxAgainstReference runs the same scenario with
// linkbox-cni and with the reference bridge plugin, and compares what the
// containers see.
func TestCNIToolLinkboxAgainstReference(t *testing.T) {
	lb := newScenario(t, "linkbox-cni", "1.1.0", "lb")
	lbViews, lbResult := lb.run(t)
	lb.gc(t)
	lb.removeBridge(t)
	if t.Failed() {
		return
	}
	ref := newScenario(t, "bridge", "1.1.0", "ref")
	refViews, refResult := ref.run(t)
	if d := cmp.Diff(refViews, lbViews); d != "" {
		t.Errorf("the namespaces' view differs (-reference bridge +linkbox-cni):\n%s", d)
	}
	if d := cmp.Diff(refResult.IPs, lbResult.IPs); d != "" {
		t.Errorf("ADD results' ips differ (-reference +linkbox-cni):\n%s", d)
	}
	if d := cmp.Diff(refResult.Routes, lbResult.Routes); d != "" {
		t.Errorf("ADD results' routes differ (-reference +linkbox-cni):\n%s", d)
	}
	if len(refResult.Interfaces) != len(lbResult.Interfaces) {
		t.Errorf("want %d interfaces in the result as the reference lists, got %d", len(refResult.Interfaces), len(lbResult.Interfaces))
	}
	t.Logf("namespace a, the same with both plugins:\n  %s", strings.Join(slices.Concat(lbViews["a"].Links, lbViews["a"].Addrs, lbViews["a"].Routes), "\n  "))
}

// TestCNIToolOlderVersions runs cnitool add, check and del with 1.0.0
// and 0.4.0 configurations: libcni reads linkbox-cni's result as a result
// of that version and prints it back.
func TestCNIToolOlderVersions(t *testing.T) {
	for _, version := range []string{"1.0.0", "0.4.0"} {
		t.Run(version, func(t *testing.T) {
			tag := "v" + strings.ReplaceAll(version, ".", "")
			s := newScenario(t, "linkbox-cni", version, tag)
			ns := s.netns(t, "a")
			out := s.mustCNITool(t, "add", s.network, ns)
			var r map[string]any
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("ADD result: %v\n%s", err, out)
			}
			if r["cniVersion"] != version {
				t.Errorf("want a %s result, got %v", version, r["cniVersion"])
			}
			ips, _ := r["ips"].([]any)
			if len(ips) != 1 {
				t.Fatalf("want one address, got %v", r["ips"])
			}
			ip := ips[0].(map[string]any)
			if want := map[bool]any{true: "4", false: nil}[version == "0.4.0"]; ip["version"] != want {
				t.Errorf("want ips' version %v in a %s result, got %v", want, version, ip["version"])
			}
			s.mustCNITool(t, "check", s.network, ns)
			s.ping(t, ns, "198.18.0.1")
			s.mustCNITool(t, "del", s.network, ns)
			if got := veths(t); len(got) != 0 {
				t.Errorf("want no veth left after DEL, got %q", got)
			}
			if got := s.reservations(t); len(got) != 0 {
				t.Errorf("want no address reserved after DEL, got %q", got)
			}
			s.removeBridge(t)
		})
	}
}

// TestCNIToolSizes reports the static binaries' sizes: linkbox, which is
// also ip, ping, ifconfig and the rest, against the reference bridge
// plugin alone, both built with CGO_ENABLED=0 -ldflags '-s -w' (see tools).
func TestCNIToolSizes(t *testing.T) {
	tl := buildTools(t)
	size := func(name string) int64 {
		st, err := os.Stat(filepath.Join(tl.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	lb, ref := size("linkbox"), size("bridge")
	t.Logf("linkbox (every applet, linkbox-cni among them): %d bytes (%.2f MB); reference bridge plugin: %d bytes (%.2f MB); ratio %.2f",
		lb, float64(lb)/1e6, ref, float64(ref)/1e6, float64(lb)/float64(ref))
	// The point of linkbox-cni: the whole multi-call binary costs less than
	// the one reference plugin.
	if lb >= ref {
		t.Errorf("want linkbox smaller than the reference bridge plugin, got %d >= %d bytes", lb, ref)
	}
}
