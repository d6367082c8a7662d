package main

import (
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/bridge"
	"github.com/linkbox/linkbox/nsfs"
	"github.com/linkbox/linkbox/nsfs/nstest"
	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/veth"
)

// Kernel tests of linkbox-cni, in the sandbox: ADD, CHECK, DEL and GC on
// real namespaces, with a fake IPAM plugin (a shell script) that logs how
// it was called.

// cniNetns makes a named namespace for a test and returns its path.
func cniNetns(t *testing.T, name string) string {
	t.Helper()
	var d nsfs.Dir
	if err := d.Add(name); err != nil {
		t.Fatalf("adding namespace %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := d.Delete(name); err != nil && !errors.Is(err, nsfs.ErrNotExist) {
			t.Errorf("deleting namespace %s: %v", name, err)
		}
	})
	return "/run/netns/" + name
}

// cniConn opens an rtnetlink connection in the namespace at path, or in
// the test's own for "".
func cniConn(t *testing.T, path string) *rtnl.Conn {
	t.Helper()
	cfg := &rtnl.Config{Kinds: kinds}
	if path != "" {
		ns, err := nsfs.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer ns.Close()
		c, err := nsfs.Dial(ns, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	c, err := rtnl.Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// cniVars are the variables of an attachment verb for container id in the
// namespace at nsPath, with the IPAM plugins in path.
func cniVars(cmd, id, nsPath, path string) map[string]string {
	return map[string]string{"CNI_COMMAND": cmd, "CNI_CONTAINERID": id, "CNI_NETNS": nsPath, "CNI_IFNAME": "eth0", "CNI_PATH": path}
}

// cniAdd runs ADD and returns its result, failing the test on an error.
func cniAdd(t *testing.T, vars map[string]string, conf string) *cniResult {
	t.Helper()
	o := cniRun(t, vars, conf)
	if o.code != 0 {
		t.Fatalf("ADD: exit %d: %s%s", o.code, o.stdout, o.stderr)
	}
	r := new(cniResult)
	if err := json.Unmarshal([]byte(o.stdout), r); err != nil {
		t.Fatalf("ADD result: %v\n%s", err, o.stdout)
	}
	return r
}

// withPrevResult returns conf with prevResult set to the ADD result out.
func withPrevResult(t *testing.T, conf string, r *cniResult) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(conf), &m); err != nil {
		t.Fatal(err)
	}
	m["prevResult"] = r
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// mustCNI runs a verb that prints nothing on success.
func mustCNI(t *testing.T, vars map[string]string, conf string) {
	t.Helper()
	if o := cniRun(t, vars, conf); o.code != 0 || o.stdout != "" {
		t.Fatalf("%s: want exit 0 and no output, got %d: %s%s", vars["CNI_COMMAND"], o.code, o.stdout, o.stderr)
	}
}

// linkIn returns link name from c, or nil if there is none.
func linkIn(t *testing.T, c *rtnl.Conn, name string) *rtnl.LinkMessage {
	t.Helper()
	l, err := c.LinkByName(name)
	if errors.Is(err, unix.ENODEV) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// prefixesOf lists the addresses of a link, IPv6 link-local ones left out.
func prefixesOf(t *testing.T, c *rtnl.Conn, idx int32) []string {
	t.Helper()
	addrs, err := c.Addrs(0, idx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range addrs {
		if p := a.Prefix(); !p.Addr().IsLinkLocalUnicast() {
			out = append(out, p.String())
		}
	}
	slices.Sort(out)
	return out
}

// routesOf lists the main table's unicast routes through link idx, as
// "DST via GW", IPv6 link-local and kernel routes left out.
func routesOf(t *testing.T, c *rtnl.Conn, idx int32) []string {
	t.Helper()
	rs, err := c.Routes(0, unix.RT_TABLE_MAIN)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rs {
		if int32(r.Attrs.OIF) != idx || r.Protocol == unix.RTPROT_KERNEL || r.Type != unix.RTN_UNICAST || r.DstPrefix().Addr().IsLinkLocalUnicast() {
			continue
		}
		s := r.DstPrefix().String()
		if r.Attrs.Gateway.IsValid() {
			s += " via " + r.Attrs.Gateway.String()
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// cniLinksTagged lists the links of c whose alias is linkbox-cni's.
func cniLinksTagged(t *testing.T, c *rtnl.Conn) []string {
	t.Helper()
	links, err := c.Links()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range links {
		if l.Attrs.Alias != nil && strings.HasPrefix(*l.Attrs.Alias, cniAliasPrefix) {
			out = append(out, *l.Attrs.Alias)
		}
	}
	slices.Sort(out)
	return out
}

// udpIn opens a UDP socket bound to addr inside the namespace at nsPath
// ("" for the test's own).
func udpIn(t *testing.T, nsPath, addr string) net.PacketConn {
	t.Helper()
	var pc net.PacketConn
	listen := func() (err error) {
		pc, err = net.ListenPacket("udp", addr)
		return err
	}
	var err error
	if nsPath == "" {
		err = listen()
	} else {
		ns, oerr := nsfs.Open(nsPath)
		if oerr != nil {
			t.Fatal(oerr)
		}
		defer ns.Close()
		err = nsfs.Do(ns, listen) // the socket stays in the namespace
	}
	if err != nil {
		t.Fatalf("UDP socket on %s in %q: %v", addr, nsPath, err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc
}

// wantDatagram sends a datagram from one socket to another and checks it
// arrives.
func wantDatagram(t *testing.T, from, to net.PacketConn) {
	t.Helper()
	msg := []byte("linkbox-cni " + from.LocalAddr().String())
	if _, err := from.WriteTo(msg, to.LocalAddr()); err != nil {
		t.Fatalf("sending %s -> %s: %v", from.LocalAddr(), to.LocalAddr(), err)
	}
	to.SetReadDeadline(time.Now().Add(3 * time.Second))
	buf := make([]byte, 100)
	n, src, err := to.ReadFrom(buf)
	if err != nil {
		t.Fatalf("receiving %s -> %s: %v", from.LocalAddr(), to.LocalAddr(), err)
	}
	if string(buf[:n]) != string(msg) || src.String() != from.LocalAddr().String() {
		t.Errorf("want %q from %s, got %q from %s", msg, from.LocalAddr(), buf[:n], src)
	}
}

func TestCNIKernelAddCheckDel(t *testing.T) {
	nstest.Require(t)
	nsA, nsB := cniNetns(t, "cni-a"), cniNetns(t, "cni-b")
	dir, log := fakeIPAM(t, map[string]string{
		"ca": `{"cniVersion":"1.1.0","ips":[{"address":"198.18.1.2/24","gateway":"198.18.1.1"}],"routes":[{"dst":"198.19.0.0/16"}],"dns":{"nameservers":["198.18.9.9"]}}`,
		"cb": `{"cniVersion":"1.1.0","ips":[{"address":"198.18.1.3/24","gateway":"198.18.1.1"}],"routes":[{"dst":"198.19.0.0/16"}]}`,
	}, "")
	conf := `{"cniVersion":"1.1.0","name":"kt","type":"linkbox-cni","bridge":"cnik0","isDefaultGateway":true,` +
		`"ipam":{"type":"fake-ipam"},"dns":{"nameservers":["198.18.1.1"]}}`
	host := cniConn(t, "")

	ra := cniAdd(t, cniVars("ADD", "ca", nsA, dir), conf)
	rb := cniAdd(t, cniVars("ADD", "cb", nsB, dir), conf)

	// The result: bridge, host end, container end; the address on the
	// container end; IPAM's route with the default route added; the
	// configuration's DNS over IPAM's.
	hostA := cniHostVethName("ca", "eth0")
	if want, got := []string{"cnik0", hostA, "eth0"}, []string{ra.Interfaces[0].Name, ra.Interfaces[1].Name, ra.Interfaces[2].Name}; !reflect.DeepEqual(want, got) {
		t.Errorf("want interfaces %q, got %q", want, got)
	}
	if ra.Interfaces[2].Sandbox != nsA || ra.Interfaces[0].Sandbox != "" || ra.Interfaces[1].Sandbox != "" {
		t.Errorf("want only the container end in the sandbox %s, got %+v", nsA, ra.Interfaces)
	}
	wantIPs := []cniIPConfig{{Address: cniP("198.18.1.2/24"), Gateway: cniA("198.18.1.1"), Interface: new(2)}}
	if !reflect.DeepEqual(wantIPs, ra.IPs) {
		t.Errorf("want ips %+v, got %+v", wantIPs, ra.IPs)
	}
	wantRoutes := []cniRoute{{Dst: cniP("198.19.0.0/16")}, {Dst: cniP("0.0.0.0/0"), GW: cniA("198.18.1.1")}}
	if !reflect.DeepEqual(wantRoutes, ra.Routes) {
		t.Errorf("want routes %+v, got %+v", wantRoutes, ra.Routes)
	}
	if want := []string{"198.18.1.1"}; !reflect.DeepEqual(want, ra.DNS.Nameservers) {
		t.Errorf("want the configuration's DNS %q, got %q", want, ra.DNS.Nameservers)
	}

	// The kernel: what the result says.
	ca := cniConn(t, nsA)
	ea := linkIn(t, ca, "eth0")
	if ea == nil || ea.Attrs.Info == nil || ea.Attrs.Info.Kind != "veth" || ea.Flags&unix.IFF_UP == 0 {
		t.Fatalf("want an up veth eth0 in %s, got %+v", nsA, ea)
	}
	if ea.Attrs.Address.String() != ra.Interfaces[2].MAC {
		t.Errorf("want eth0's MAC %s as in the result, got %s", ra.Interfaces[2].MAC, ea.Attrs.Address)
	}
	if want, got := []string{"198.18.1.2/24"}, prefixesOf(t, ca, ea.Index); !reflect.DeepEqual(want, got) {
		t.Errorf("want addresses %q in the container, got %q", want, got)
	}
	if want, got := []string{"0.0.0.0/0 via 198.18.1.1", "198.19.0.0/16 via 198.18.1.1"}, routesOf(t, ca, ea.Index); !reflect.DeepEqual(want, got) {
		t.Errorf("want routes %q in the container, got %q", want, got)
	}
	br := linkIn(t, host, "cnik0")
	if br == nil || br.Flags&unix.IFF_UP == 0 {
		t.Fatalf("want bridge cnik0 up, got %+v", br)
	}
	if want, got := []string{"198.18.1.1/24"}, prefixesOf(t, host, br.Index); !reflect.DeepEqual(want, got) {
		t.Errorf("want the gateway on the bridge, got %q", got)
	}
	ha := linkIn(t, host, hostA)
	if ha == nil || ha.Attrs.Master == nil || int32(*ha.Attrs.Master) != br.Index || int32(ha.Attrs.Link) != ea.Index {
		t.Fatalf("want host end %s, a port of cnik0 peered with eth0, got %+v", hostA, ha)
	}
	if want, got := []string{"linkbox-cni/kt/ca/eth0", "linkbox-cni/kt/cb/eth0"}, cniLinksTagged(t, host); !reflect.DeepEqual(want, got) {
		t.Errorf("want tagged host ends %q, got %q", want, got)
	}
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_forward"); err != nil || strings.TrimSpace(string(b)) != "1" {
		t.Errorf("want IPv4 forwarding on with isGateway, got %q, %v", b, err)
	}
	// The IPAM plugin got the configuration unchanged.
	if b, err := os.ReadFile(filepath.Join(dir, "stdin.ADD")); err != nil || string(b) != conf {
		t.Errorf("want IPAM's stdin to be the configuration, got %q (%v)", b, err)
	}

	// Nor did it inherit a namespace or a netlink socket of the plugin's
	// (PITFALLS E.16).
	if b, err := os.ReadFile(filepath.Join(dir, "fds.ADD")); err != nil || strings.Contains(string(b), "net:[") || strings.Contains(string(b), "socket:[") {
		t.Errorf("want no namespace or socket inherited by the IPAM plugin, got %v:\n%s", err, b)
	}

	// Traffic between the two containers, and to the gateway.
	ua, ub := udpIn(t, nsA, "198.18.1.2:4000"), udpIn(t, nsB, "198.18.1.3:4000")
	ugw := udpIn(t, "", "198.18.1.1:4000")
	wantDatagram(t, ua, ub)
	wantDatagram(t, ub, ua)
	wantDatagram(t, ua, ugw)

	// CHECK passes on what ADD made, in the result's version.
	mustCNI(t, cniVars("CHECK", "ca", nsA, dir), withPrevResult(t, conf, ra))
	mustCNI(t, cniVars("CHECK", "cb", nsB, dir), withPrevResult(t, conf, rb))

	// DEL, twice; then DEL for a namespace already gone.
	mustCNI(t, cniVars("DEL", "ca", nsA, dir), conf)
	if l := linkIn(t, ca, "eth0"); l != nil {
		t.Errorf("want eth0 gone from %s after DEL, got %+v", nsA, l)
	}
	if l := linkIn(t, host, hostA); l != nil {
		t.Errorf("want %s gone after DEL, got %+v", hostA, l)
	}
	mustCNI(t, cniVars("DEL", "ca", nsA, dir), conf)
	var d nsfs.Dir
	if err := d.Delete("cni-b"); err != nil {
		t.Fatal(err)
	}
	mustCNI(t, cniVars("DEL", "cb", nsB, dir), conf)
	if got := cniLinksTagged(t, host); len(got) != 0 {
		t.Errorf("want no host end left, got %q", got)
	}
	want := []string{"ADD ca eth0", "ADD cb eth0", "CHECK ca eth0", "CHECK cb eth0", "DEL ca eth0", "DEL ca eth0", "DEL cb eth0"}
	if got := ipamLog(t, log); !reflect.DeepEqual(want, got) {
		t.Errorf("want IPAM calls %q, got %q", want, got)
	}
}

func TestCNIKernelCheckFindsDifferences(t *testing.T) {
	nstest.Require(t)
	nsC := cniNetns(t, "cni-c")
	dir, _ := fakeIPAM(t, map[string]string{"cc": `{"cniVersion":"1.0.0","ips":[{"address":"198.18.4.2/24","gateway":"198.18.4.1"}]}`}, "")
	conf := `{"cniVersion":"1.0.0","name":"chk","type":"linkbox-cni","bridge":"cnichk0","mtu":1400,"hairpinMode":true,` +
		`"runtimeConfig":{"mac":"02:42:c6:12:04:02"},"ipam":{"type":"fake-ipam"}}`
	vars := cniVars("ADD", "cc", nsC, dir)
	vars["CNI_ARGS"] = "IgnoreUnknown=1;MAC=02:42:c6:12:04:99;K8S_POD_NAME=p"
	r := cniAdd(t, vars, conf)
	if r.CNIVersion != "1.0.0" {
		t.Errorf("want a 1.0.0 result, got %q", r.CNIVersion)
	}
	host, ctr := cniConn(t, ""), cniConn(t, nsC)

	// The options: MTU on the new bridge and both ends, the container MAC
	// (runtimeConfig over CNI_ARGS), hairpin on the port.
	e := linkIn(t, ctr, "eth0")
	hl := linkIn(t, host, cniHostVethName("cc", "eth0"))
	br := linkIn(t, host, "cnichk0")
	if e.Attrs.MTU != 1400 || hl.Attrs.MTU != 1400 || br.Attrs.MTU != 1400 {
		t.Errorf("want MTU 1400 on eth0, the host end and the bridge, got %d, %d, %d", e.Attrs.MTU, hl.Attrs.MTU, br.Attrs.MTU)
	}
	if want, got := "02:42:c6:12:04:02", e.Attrs.Address.String(); want != got {
		t.Errorf("want eth0's MAC %s, got %s", want, got)
	}
	port, err := bridge.PortInfoOf(hl)
	if err != nil || port.Hairpin == nil || !*port.Hairpin {
		t.Errorf("want hairpin on the host end, got %+v, %v", port, err)
	}
	check := withPrevResult(t, conf, r)
	mustCNI(t, cniVars("CHECK", "cc", nsC, dir), check)

	// Each change is found.
	if err := ctr.SetLinkMTU(e.Index, 1300); err != nil {
		t.Fatal(err)
	}
	mustCNI(t, cniVars("CHECK", "cc", nsC, dir), check) // a 1.0.0 result has no MTU to compare
	r.CNIVersion = "1.1.0"
	r.Interfaces[2].MTU = 1400 // as a 1.1.0 result has it
	check11 := withPrevResult(t, strings.Replace(conf, `"1.0.0"`, `"1.1.0"`, 1), r)
	wantCNIError(t, cniRun(t, cniVars("CHECK", "cc", nsC, dir), check11), cniErrInternal, "MTU 1300")
	if err := ctr.SetLinkMTU(e.Index, 1400); err != nil {
		t.Fatal(err)
	}
	mustCNI(t, cniVars("CHECK", "cc", nsC, dir), check11)
	if err := bridge.SetPort(host, hl.Index, &bridge.PortInfo{Hairpin: new(false)}); err != nil {
		t.Fatal(err)
	}
	wantCNIError(t, cniRun(t, cniVars("CHECK", "cc", nsC, dir), check), cniErrInternal, "hairpin")
	if err := bridge.SetPort(host, hl.Index, &bridge.PortInfo{Hairpin: new(true)}); err != nil {
		t.Fatal(err)
	}
	if err := ctr.DeleteAddr(e.Index, cniP("198.18.4.2/24"), nil); err != nil {
		t.Fatal(err)
	}
	wantCNIError(t, cniRun(t, cniVars("CHECK", "cc", nsC, dir), check), cniErrInternal, "198.18.4.2/24")
	if err := host.SetLinkNoMaster(hl.Index); err != nil {
		t.Fatal(err)
	}
	wantCNIError(t, cniRun(t, cniVars("CHECK", "cc", nsC, dir), check), cniErrInternal, "not a port")
	wantCNIError(t, cniRun(t, cniVars("CHECK", "cc", nsC, dir), conf), cniErrInvalidConfig, "prevResult")
	wantCNIError(t, cniRun(t, cniVars("CHECK", "cc", "/run/netns/cni-gone", dir), check), cniErrUnknownContainer, "cni-gone")
	mustCNI(t, cniVars("DEL", "cc", nsC, dir), conf)
}

func TestCNIKernelDualStack(t *testing.T) {
	nstest.Require(t)
	nsD := cniNetns(t, "cni-d")
	dir, _ := fakeIPAM(t, map[string]string{"cd": `{"cniVersion":"0.4.0","ips":[` +
		`{"version":"4","address":"198.18.5.2/24"},{"version":"6","address":"2001:db8:5::2/64"}]}`}, "")
	conf := `{"cniVersion":"0.4.0","name":"ds","type":"linkbox-cni","bridge":"cnids0","isDefaultGateway":true,"ipam":{"type":"fake-ipam"}}`
	o := cniRun(t, cniVars("ADD", "cd", nsD, dir), conf)
	if o.code != 0 {
		t.Fatalf("ADD: %s%s", o.stdout, o.stderr)
	}
	// The 0.4.0 shape: the ips' version, gateways computed.
	for _, w := range []string{`"version": "4"`, `"version": "6"`, `"gateway": "198.18.5.1"`, `"gateway": "2001:db8:5::1"`, `"cniVersion": "0.4.0"`} {
		if !strings.Contains(o.stdout, w) {
			t.Errorf("want %s in the 0.4.0 result, got\n%s", w, o.stdout)
		}
	}
	host, ctr := cniConn(t, ""), cniConn(t, nsD)
	e := linkIn(t, ctr, "eth0")
	if want, got := []string{"198.18.5.2/24", "2001:db8:5::2/64"}, prefixesOf(t, ctr, e.Index); !reflect.DeepEqual(want, got) {
		t.Errorf("want addresses %q, got %q", want, got)
	}
	addrs, err := ctr.Addrs(unix.AF_INET6, e.Index)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if a.Prefix() == cniP("2001:db8:5::2/64") && a.AllFlags()&unix.IFA_F_NODAD == 0 {
			t.Errorf("want the container's IPv6 address without DAD (nodad), flags %#x", a.AllFlags())
		}
	}
	if want, got := []string{"0.0.0.0/0 via 198.18.5.1", "::/0 via 2001:db8:5::1"}, routesOf(t, ctr, e.Index); !reflect.DeepEqual(want, got) {
		t.Errorf("want default routes %q, got %q", want, got)
	}
	br := linkIn(t, host, "cnids0")
	if want, got := []string{"198.18.5.1/24", "2001:db8:5::1/64"}, prefixesOf(t, host, br.Index); !reflect.DeepEqual(want, got) {
		t.Errorf("want both gateways on the bridge, got %q", got)
	}
	var r cniResult
	if err := json.Unmarshal([]byte(o.stdout), &r); err != nil {
		t.Fatal(err)
	}
	mustCNI(t, cniVars("CHECK", "cd", nsD, dir), withPrevResult(t, conf, &r))
	mustCNI(t, cniVars("DEL", "cd", nsD, dir), conf)
}

func TestCNIKernelLayer2(t *testing.T) {
	nstest.Require(t)
	nsE := cniNetns(t, "cni-e")
	conf := `{"cniVersion":"1.1.0","name":"l2","type":"linkbox-cni","bridge":"cnil2","promiscMode":true,"portIsolation":true}`
	// With the trace on, the dump goes to stderr and stdout keeps the
	// result alone.
	vars := cniVars("ADD", "ce", nsE, "")
	vars["LINKBOX_TRACE"] = "1"
	o := cniRun(t, vars, conf)
	r := new(cniResult)
	if err := json.Unmarshal([]byte(o.stdout), r); o.code != 0 || err != nil {
		t.Fatalf("ADD with the trace on: exit %d, %v: %s", o.code, err, o.stdout)
	}
	if o.stderr == "" {
		t.Errorf("want the trace on stderr, got %q", o.stderr)
	}
	if len(r.IPs) != 0 || len(r.Interfaces) != 3 {
		t.Errorf("want three interfaces and no address, got %+v", r)
	}
	host, ctr := cniConn(t, ""), cniConn(t, nsE)
	if e := linkIn(t, ctr, "eth0"); e == nil || e.Flags&unix.IFF_UP == 0 {
		t.Errorf("want eth0 up without IPAM, got %+v", e)
	}
	if br := linkIn(t, host, "cnil2"); br.Flags&unix.IFF_PROMISC == 0 {
		t.Errorf("want the bridge promiscuous, flags %#x", br.Flags)
	}
	port, err := bridge.PortInfoOf(linkIn(t, host, cniHostVethName("ce", "eth0")))
	if err != nil || port.Isolated == nil || !*port.Isolated {
		t.Errorf("want the port isolated, got %+v, %v", port, err)
	}
	mustCNI(t, cniVars("CHECK", "ce", nsE, ""), withPrevResult(t, conf, r))
	// DEL without the namespace finds the host end by name and alias.
	mustCNI(t, map[string]string{"CNI_COMMAND": "DEL", "CNI_CONTAINERID": "ce", "CNI_IFNAME": "eth0"}, conf)
	if l := linkIn(t, ctr, "eth0"); l != nil {
		t.Errorf("want eth0 gone with its host end, got %+v", l)
	}
}

func TestCNIKernelFailures(t *testing.T) {
	nstest.Require(t)
	host := cniConn(t, "")
	ok := map[string]string{"cf": `{"cniVersion":"1.1.0","ips":[{"address":"198.18.2.2/24"}]}`}

	t.Run("missing namespace", func(t *testing.T) {
		dir, log := fakeIPAM(t, ok, "")
		conf := `{"cniVersion":"1.1.0","name":"f","type":"linkbox-cni","bridge":"cnif0","ipam":{"type":"fake-ipam"}}`
		wantCNIError(t, cniRun(t, cniVars("ADD", "cf", "/run/netns/cni-missing", dir), conf), cniErrUnknownContainer, "cni-missing")
		if got := ipamLog(t, log); got != nil {
			t.Errorf("want no IPAM call, got %q", got)
		}
	})
	t.Run("not a namespace", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "file")
		os.WriteFile(f, nil, 0o644)
		wantCNIError(t, cniRun(t, cniVars("ADD", "cf", f, ""), confNoIPAM), cniErrInvalidEnv, "CNI_NETNS")
		wantCNIError(t, cniRun(t, cniVars("ADD", "cf", "/proc/self/ns/net", ""), confNoIPAM), cniErrInvalidEnv, "own network namespace")
		// DEL refuses it too: CNI_IFNAME there is a host interface.
		l, err := veth.Add(host, veth.Pair{End: veth.End{Name: "cniown0"}, Peer: veth.End{Name: "cniown1"}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { host.DeleteLink(l.Index) })
		v := cniVars("DEL", "cf", "/proc/self/ns/net", "")
		v["CNI_IFNAME"] = "cniown0"
		wantCNIError(t, cniRun(t, v, confNoIPAM), cniErrInvalidEnv, "own network namespace")
		if linkIn(t, host, "cniown0") == nil {
			t.Errorf("DEL with the plugin's own namespace deleted a host veth")
		}
	})
	t.Run("IPAM fails", func(t *testing.T) {
		ns := cniNetns(t, "cni-f1")
		dir, log := fakeIPAM(t, nil, `{"cniVersion":"1.1.0","code":11,"msg":"no address left","details":"pool exhausted"}`)
		conf := `{"cniVersion":"1.1.0","name":"f","type":"linkbox-cni","bridge":"cnif1","ipam":{"type":"fake-ipam"}}`
		e := wantCNIError(t, cniRun(t, cniVars("ADD", "cf", ns, dir), conf), cniErrTryAgain, "fake-ipam", "no address left")
		if e.Details != "pool exhausted" {
			t.Errorf("want IPAM's details passed on, got %q", e.Details)
		}
		if l := linkIn(t, cniConn(t, ns), "eth0"); l != nil {
			t.Errorf("want no eth0 left in the container, got %+v", l)
		}
		if got := cniLinksTagged(t, host); len(got) != 0 {
			t.Errorf("want no host end left, got %q", got)
		}
		if l := linkIn(t, host, "cnif1"); l != nil {
			t.Errorf("want the bridge this ADD made deleted again, got %+v", l)
		}
		if want, got := []string{"ADD cf eth0"}, ipamLog(t, log); !reflect.DeepEqual(want, got) {
			t.Errorf("want IPAM calls %q (nothing to release), got %q", want, got)
		}
		wantCNIError(t, cniRun(t, cniVars("ADD", "cf", ns, t.TempDir()), conf), cniErrInvalidEnv, "CNI_PATH", "fake-ipam")
	})
	t.Run("failure after IPAM", func(t *testing.T) {
		ns := cniNetns(t, "cni-f2")
		dir, log := fakeIPAM(t, ok, "")
		// The bridge exists with another address, and forceAddress is not
		// set: ADD fails once IPAM has given an address.
		if _, err := bridge.Add(host, "cnif2", nil); err != nil {
			t.Fatal(err)
		}
		br := linkIn(t, host, "cnif2")
		t.Cleanup(func() { host.DeleteLink(br.Index) })
		if err := host.AddAddr(br.Index, cniP("198.18.2.100/24"), nil); err != nil {
			t.Fatal(err)
		}
		conf := `{"cniVersion":"1.1.0","name":"f","type":"linkbox-cni","bridge":"cnif2","isGateway":true,"ipam":{"type":"fake-ipam"}}`
		wantCNIError(t, cniRun(t, cniVars("ADD", "cf", ns, dir), conf), cniErrInternal, "already has an IP address")
		if want, got := []string{"ADD cf eth0", "DEL cf eth0"}, ipamLog(t, log); !reflect.DeepEqual(want, got) {
			t.Errorf("want the address released, IPAM calls %q, got %q", want, got)
		}
		if l := linkIn(t, cniConn(t, ns), "eth0"); l != nil {
			t.Errorf("want no eth0 left in the container, got %+v", l)
		}
		if got := cniLinksTagged(t, host); len(got) != 0 {
			t.Errorf("want no host end left, got %q", got)
		}
		if want, got := []string{"198.18.2.100/24"}, prefixesOf(t, host, br.Index); !reflect.DeepEqual(want, got) {
			t.Errorf("want the bridge's own address alone, got %q", got)
		}
		// With forceAddress the gateway replaces it.
		conf = strings.Replace(conf, `"isGateway":true`, `"isGateway":true,"forceAddress":true`, 1)
		cniAdd(t, cniVars("ADD", "cf", ns, dir), conf)
		if want, got := []string{"198.18.2.1/24"}, prefixesOf(t, host, br.Index); !reflect.DeepEqual(want, got) {
			t.Errorf("want the gateway alone on the bridge, got %q", got)
		}
		mustCNI(t, cniVars("DEL", "cf", ns, dir), conf)
	})
	t.Run("interface exists", func(t *testing.T) {
		ns := cniNetns(t, "cni-f3")
		dir, log := fakeIPAM(t, ok, "")
		if _, err := bridge.Add(cniConn(t, ns), "eth0", nil); err != nil {
			t.Fatal(err)
		}
		conf := `{"cniVersion":"1.1.0","name":"f","type":"linkbox-cni","bridge":"cnif3","ipam":{"type":"fake-ipam"}}`
		wantCNIError(t, cniRun(t, cniVars("ADD", "cf", ns, dir), conf), cniErrInternal, "already has an interface eth0")
		if got := ipamLog(t, log); got != nil {
			t.Errorf("want no IPAM call, got %q", got)
		}
		// DEL leaves a link that is not linkbox-cni's alone.
		o := cniRun(t, cniVars("DEL", "cf", ns, dir), conf)
		if o.code != 0 || linkIn(t, cniConn(t, ns), "eth0") == nil {
			t.Errorf("want DEL to succeed and leave the bridge eth0 alone: %d %s%s", o.code, o.stdout, o.stderr)
		}
	})
}

func TestCNIKernelGC(t *testing.T) {
	nstest.Require(t)
	nsA, nsB, nsC := cniNetns(t, "cni-ga"), cniNetns(t, "cni-gb"), cniNetns(t, "cni-gc")
	dir, log := fakeIPAM(t, map[string]string{
		"ga": `{"cniVersion":"1.1.0","ips":[{"address":"198.18.6.2/24"}]}`,
		"gb": `{"cniVersion":"1.1.0","ips":[{"address":"198.18.6.3/24"}]}`,
		"gc": `{"cniVersion":"1.1.0","ips":[{"address":"198.18.6.4/24"}]}`,
	}, "")
	conf := `{"cniVersion":"1.1.0","name":"gcnet","type":"linkbox-cni","bridge":"cnigc0","ipam":{"type":"fake-ipam"}}`
	other := strings.Replace(conf, `"gcnet"`, `"othernet"`, 1)
	cniAdd(t, cniVars("ADD", "ga", nsA, dir), conf)
	cniAdd(t, cniVars("ADD", "gb", nsB, dir), conf)
	cniAdd(t, cniVars("ADD", "gc", nsC, dir), other)

	gc := `{"cniVersion":"1.1.0","name":"gcnet","type":"linkbox-cni","bridge":"cnigc0","ipam":{"type":"fake-ipam"},` +
		`"cni.dev/valid-attachments":[{"containerID":"ga","ifname":"eth0"},{"containerID":"zz","ifname":"eth0"}]}`
	mustCNI(t, map[string]string{"CNI_COMMAND": "GC", "CNI_PATH": dir}, gc)
	host := cniConn(t, "")
	if want, got := []string{"linkbox-cni/gcnet/ga/eth0", "linkbox-cni/othernet/gc/eth0"}, cniLinksTagged(t, host); !reflect.DeepEqual(want, got) {
		t.Errorf("want the valid attachment and the other network's kept, got %q", got)
	}
	if l := linkIn(t, cniConn(t, nsB), "eth0"); l != nil {
		t.Errorf("want the stale attachment's container end gone, got %+v", l)
	}
	if got := ipamLog(t, log); !slices.ContainsFunc(got, func(s string) bool { return strings.TrimSpace(s) == "GC" }) {
		t.Errorf("want GC passed to the IPAM plugin, got %q", got)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "stdin.GC")); err != nil || string(b) != gc {
		t.Errorf("want IPAM's GC stdin to be the configuration, got %q (%v)", b, err)
	}
	mustCNI(t, cniVars("DEL", "ga", nsA, dir), conf)
	mustCNI(t, cniVars("DEL", "gc", nsC, dir), other)
}

// TestCNIKernelIPAMResultCheck checks what comes back from IPAM before it
// is applied: an address of the wrong shape is a decode error, and the
// address is released.
func TestCNIKernelIPAMResultCheck(t *testing.T) {
	nstest.Require(t)
	ns := cniNetns(t, "cni-i")
	dir, log := fakeIPAM(t, map[string]string{"ci": `{"cniVersion":"1.1.0","ips":[{"address":"198.18.7.2"}]}`}, "")
	conf := `{"cniVersion":"1.1.0","name":"i","type":"linkbox-cni","bridge":"cnii0","ipam":{"type":"fake-ipam"}}`
	wantCNIError(t, cniRun(t, cniVars("ADD", "ci", ns, dir), conf), cniErrDecode, "fake-ipam")
	if want, got := []string{"ADD ci eth0", "DEL ci eth0"}, ipamLog(t, log); !reflect.DeepEqual(want, got) {
		t.Errorf("want IPAM calls %q, got %q", want, got)
	}
	if got := cniLinksTagged(t, cniConn(t, "")); len(got) != 0 {
		t.Errorf("want no host end left, got %q", got)
	}
}
