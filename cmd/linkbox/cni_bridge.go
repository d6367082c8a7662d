package main

// The kernel side of linkbox-cni: what ADD, DEL, CHECK, GC and STATUS do
// to links, addresses and routes, through linkbox's own packages. The host
// side is worked on through the process's rtnetlink socket; the container
// side through a socket opened inside CNI_NETNS, so no thread ever
// switches namespace.
//
// Attachments are found again without state on disk: the host end of the
// veth pair is named after the attachment (cniHostVethName) and tagged
// with it in its alias (IFLA_IFALIAS, cniAlias), which GC reads.

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/bridge"
	"github.com/linkbox/linkbox/nsfs"
	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/veth"
)

// cniIfOperUp is IF_OPER_UP from include/uapi/linux/if.h (RFC 2863 "up"),
// the IFLA_OPERSTATE of a working link.
const cniIfOperUp = 6

// cniAliasPrefix starts the alias of every host end linkbox-cni makes.
const cniAliasPrefix = "linkbox-cni/"

// cniMaxAlias is the longest alias the kernel takes: IFALIASZ (256) less
// the terminating NUL.
const cniMaxAlias = 255

// cniHostVethName is the host end's name for an attachment: "veth" and the
// 128-bit FNV-1a hash of "CONTAINERID/IFNAME" folded to eight hex digits.
// Like the reference plugin's random names it fits IFNAMSIZ; unlike them it
// is the same for the same attachment, so DEL finds it without the
// namespace. (FNV rather than SHA-256: the name needs spread, not
// resistance to attack, and the crypto packages would add a megabyte to
// the binary.)
func cniHostVethName(containerID, ifname string) string {
	// Fold all 128 bits into 32: FNV's last bytes only reach the low
	// half of the digest.
	h := cniHash(containerID + "/" + ifname)
	var f [4]byte
	for i, b := range h {
		f[i%4] ^= b
	}
	return "veth" + hex.EncodeToString(f[:])
}

// cniHash is the 128-bit FNV-1a hash of s.
func cniHash(s string) []byte {
	h := fnv.New128a()
	h.Write([]byte(s))
	return h.Sum(nil)
}

// cniAttachmentKey is how an attachment is written in a host end's alias:
// "CONTAINERID/IFNAME", or "#" and its hash (cniHash) when the alias would
// not fit in the kernel's 255 bytes.
func cniAttachmentKey(network, containerID, ifname string) string {
	k := containerID + "/" + ifname
	if len(cniAliasPrefix)+len(network)+1+len(k) > cniMaxAlias {
		return "#" + hex.EncodeToString(cniHash(k))
	}
	return k
}

// cniAlias is the alias a host end carries: "linkbox-cni/NETWORK/KEY".
func cniAlias(network, containerID, ifname string) string {
	return cniAliasPrefix + network + "/" + cniAttachmentKey(network, containerID, ifname)
}

// cniUndo is the list of steps that take back what a failing ADD did,
// run in reverse.
type cniUndo struct {
	steps []cniUndoStep
}

type cniUndoStep struct {
	what string
	fn   func() error
}

func (u *cniUndo) push(what string, fn func() error) {
	u.steps = append(u.steps, cniUndoStep{what, fn})
}

// run takes every step back, last first, and reports the steps that
// failed on w.
func (u *cniUndo) run(w io.Writer) {
	for i := len(u.steps) - 1; i >= 0; i-- {
		s := u.steps[i]
		if err := s.fn(); err != nil {
			fmt.Fprintf(w, "linkbox-cni: after the failed ADD, %s: %v\n", s.what, err)
		}
	}
	u.steps = nil
}

// kernelError wraps a failed kernel operation as an error object with the
// internal code, the operation in the message and the kernel's words in
// the details.
// A transient condition (EAGAIN, EBUSY, a dump interrupted by concurrent
// changes) is code 11: try again later.
func kernelError(what string, err error) error {
	var ce *cniError
	if errors.As(err, &ce) {
		return err
	}
	code := uint(cniErrInternal)
	if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EBUSY) || errors.Is(err, rtnl.ErrDumpInterrupted) {
		code = cniErrTryAgain
	}
	return &cniError{Code: code, Msg: what, Details: err.Error()}
}

// openNetns opens CNI_NETNS. A path that does not exist is an unknown
// container (code 3); one that is no network namespace, or the plugin's
// own namespace, is an invalid CNI_NETNS (code 4).
func (c *cniCall) openNetns() (*nsfs.NS, error) {
	ns, err := nsfs.Open(c.netns)
	switch {
	case errors.Is(err, nsfs.ErrNotExist):
		return nil, &cniError{Code: cniErrUnknownContainer, Msg: fmt.Sprintf("network namespace %s does not exist", c.netns), Details: err.Error()}
	case errors.Is(err, nsfs.ErrNotNetNS):
		return nil, &cniError{Code: cniErrInvalidEnv, Msg: fmt.Sprintf("CNI_NETNS %s is not a network namespace", c.netns), Details: err.Error()}
	case err != nil:
		return nil, &cniError{Code: cniErrInvalidEnv, Msg: fmt.Sprintf("cannot open CNI_NETNS %s", c.netns), Details: err.Error()}
	}
	if err := c.notOwnNetns(ns); err != nil {
		ns.Close()
		return nil, err
	}
	return ns, nil
}

// notOwnNetns refuses the plugin's own namespace as the container's
// (CNI_NETNS_OVERRIDE allows it): CNI_IFNAME would be a host interface.
func (c *cniCall) notOwnNetns(ns *nsfs.NS) error {
	if !c.netnsOverride {
		cur, err := nsfs.Current()
		if err != nil {
			return kernelError("reading the plugin's own network namespace", err)
		}
		same := ns.Equal(cur)
		cur.Close()
		if same {
			return &cniError{Code: cniErrInvalidEnv, Msg: fmt.Sprintf("CNI_NETNS %s is the plugin's own network namespace", c.netns),
				Details: "set CNI_NETNS_OVERRIDE=1 if that is meant"}
		}
	}
	return nil
}

// dialIn opens an rtnetlink socket inside ns, with the wire switches
// (--trace, --pcap) of the rest of linkbox.
func (c *cniCall) dialIn(ns *nsfs.NS) (*rtnl.Conn, error) {
	conn, err := c.e.dial(&rtnl.Config{NetNS: ns.Fd(), Kinds: kinds})
	runtime.KeepAlive(ns)
	if err != nil {
		return nil, kernelError(fmt.Sprintf("opening an rtnetlink socket in %s", c.netns), err)
	}
	return conn, nil
}

// hostConn is the rtnetlink connection to the plugin's own namespace.
func (c *cniCall) hostConn() (*rtnl.Conn, error) {
	conn, err := c.e.conn()
	if err != nil {
		return nil, kernelError("opening an rtnetlink socket", err)
	}
	return conn, nil
}

// containerMAC is the container end's address, if one is asked for:
// runtimeConfig.mac, else args.cni.mac, else CNI_ARGS MAC, else mac.
func (c *cniCall) containerMAC() (net.HardwareAddr, error) {
	for _, s := range []struct{ key, val string }{
		{"runtimeConfig.mac", c.conf.RuntimeConfig.MAC},
		{"args.cni.mac", c.conf.Args.CNI.MAC},
		{"CNI_ARGS MAC", c.argsMAC},
		{"mac", c.conf.MAC},
	} {
		if s.val == "" {
			continue
		}
		m, err := parseCNIMAC(s.val)
		if err != nil {
			code := uint(cniErrInvalidConfig)
			if s.key == "CNI_ARGS MAC" {
				code = cniErrInvalidEnv
			}
			return nil, &cniError{Code: code, Msg: fmt.Sprintf("invalid %s %q", s.key, s.val), Details: err.Error()}
		}
		return m, nil
	}
	return nil, nil
}

// add is ADD: bridge, veth pair, IPAM, addresses and routes in the
// container, gateway on the bridge. Whatever fails, what it made is taken
// back (and the address released) before it returns.
func (c *cniCall) add() (res *cniResult, err error) {
	mac, err := c.containerMAC()
	if err != nil {
		return nil, err
	}
	if c.conf.IPAM.Type != "" {
		if _, err := c.findPlugin(c.conf.IPAM.Type); err != nil {
			return nil, err // before anything is made
		}
	}
	if len(cniAliasPrefix)+len(c.conf.Name)+1+65 > cniMaxAlias {
		return nil, cniErrorf(cniErrInvalidConfig, "network name is %d bytes long: linkbox-cni takes up to %d", len(c.conf.Name), cniMaxAlias-len(cniAliasPrefix)-66)
	}
	ns, err := c.openNetns()
	if err != nil {
		return nil, err
	}
	defer ns.Close()
	host, err := c.hostConn()
	if err != nil {
		return nil, err
	}
	ctr, err := c.dialIn(ns)
	if err != nil {
		return nil, err
	}
	defer ctr.Close()
	switch _, lerr := ctr.LinkByName(c.ifname); {
	case lerr == nil:
		return nil, cniErrorf(cniErrInternal, "container %s already has an interface %s", c.netns, c.ifname)
	case !errors.Is(lerr, unix.ENODEV):
		return nil, kernelError("looking for "+c.ifname+" in the container", lerr)
	}

	var undo cniUndo
	defer func() {
		if err != nil {
			undo.run(c.e.stderr)
		}
	}()

	br, err := c.ensureBridge(host, &undo)
	if err != nil {
		return nil, err
	}
	brMAC := append(net.HardwareAddr(nil), br.Attrs.Address...) // before any port changes it

	mtu := uint32(c.conf.MTU)
	hostName := cniHostVethName(c.containerID, c.ifname)
	hl, err := veth.Add(host, veth.Pair{
		End:    veth.End{Name: hostName, MTU: mtu, Up: true},
		Peer:   veth.End{Name: c.ifname, MTU: mtu, Address: mac, NetNSFD: ns.Fd()},
		Master: br.Index,
	})
	runtime.KeepAlive(ns)
	switch {
	case errors.Is(err, unix.EEXIST):
		return nil, &cniError{Code: cniErrInternal, Msg: fmt.Sprintf("host-side veth %s already exists", hostName),
			Details: "an earlier ADD of this attachment was not deleted: DEL it first"}
	case err != nil:
		return nil, kernelError(fmt.Sprintf("creating veth %s with peer %s in %s", hostName, c.ifname, c.netns), err)
	}
	hostIdx := hl.Index
	undo.push("deleting veth "+hostName, func() error { return ignoreErrno(host.DeleteLink(hostIdx), unix.ENODEV) })

	if err := host.SetLinkAlias(hostIdx, cniAlias(c.conf.Name, c.containerID, c.ifname)); err != nil {
		return nil, kernelError("tagging "+hostName+" with its attachment", err)
	}
	if port := c.portSettings(); port != nil {
		if err := bridge.SetPort(host, hostIdx, port); err != nil {
			return nil, kernelError("setting bridge port options on "+hostName, err)
		}
	}
	// The bridge keeps the address it had before this port came: left
	// alone, the kernel gives it the lowest address among its ports, which
	// changes as containers come and go (and zeroes it when the last one
	// leaves), and prevResult's bridge MAC goes stale. The reference plugin
	// pins it only with isGateway.
	if err := host.SetLinkAddress(br.Index, cniStableMAC(brMAC)); err != nil {
		return nil, kernelError("pinning the MAC address of bridge "+br.Attrs.Name, err)
	}
	cl, err := ctr.LinkByName(c.ifname)
	if err != nil {
		return nil, kernelError("looking up "+c.ifname+" in the container", err)
	}

	res = &cniResult{
		CNIVersion: c.conf.CNIVersion,
		Interfaces: []cniInterface{
			{Name: br.Attrs.Name},
			{Name: hostName},
			{Name: c.ifname, MAC: cl.Attrs.Address.String(), MTU: int(cl.Attrs.MTU), Sandbox: c.netns},
		},
	}

	if c.conf.IPAM.Type != "" {
		out, err := c.ipam("ADD")
		if err != nil {
			return nil, err
		}
		undo.push("releasing the address (IPAM DEL)", c.ipamRelease)
		ir, err := c.ipamResult(out)
		if err != nil {
			return nil, err
		}
		res.IPs, res.Routes, res.DNS = ir.IPs, ir.Routes, ir.DNS
		gws := c.gateways(res)
		if err := c.configureContainer(ctr, cl.Index, res); err != nil {
			return nil, err
		}
		if c.conf.IsGateway || c.conf.IsDefaultGateway {
			for _, gw := range gws {
				if err := c.ensureBridgeAddr(host, br, gw, &undo); err != nil {
					return nil, err
				}
			}
			if err := cniEnableForwarding(gws); err != nil {
				return nil, kernelError("enabling IP forwarding", err)
			}
		}
	} else if err := ctr.SetLinkUp(cl.Index); err != nil {
		return nil, kernelError("bringing "+c.ifname+" up", err)
	}

	hl, err = cniWaitOperUp(host, hostIdx)
	if err != nil {
		return nil, kernelError("waiting for "+hostName+" to come up", err)
	}
	res.Interfaces[1].MAC, res.Interfaces[1].MTU = hl.Attrs.Address.String(), int(hl.Attrs.MTU)
	if br, err = host.LinkByIndex(br.Index); err != nil {
		return nil, kernelError("reading bridge "+c.conf.bridgeName(), err)
	}
	res.Interfaces[0].MAC, res.Interfaces[0].MTU = br.Attrs.Address.String(), int(br.Attrs.MTU)
	if c.conf.DNS.set() {
		res.DNS = *c.conf.DNS
	}
	return res, nil
}

// ignoreErrno returns err unless it is errno.
func ignoreErrno(err error, errno unix.Errno) error {
	if errors.Is(err, errno) {
		return nil
	}
	return err
}

// ensureBridge returns the bridge, creating it (with mtu) if it is
// missing, and brings it up, promiscuous if asked. A bridge made here is
// deleted on undo if no port is left on it by then.
func (c *cniCall) ensureBridge(host *rtnl.Conn, undo *cniUndo) (*rtnl.LinkMessage, error) {
	name := c.conf.bridgeName()
	br, err := host.LinkByName(name)
	if errors.Is(err, unix.ENODEV) {
		m := bridge.NewRequest(name, nil)
		m.Attrs.MTU = uint32(c.conf.MTU)
		switch _, aerr := host.AddLink(m, false); {
		case aerr == nil:
			br, err = host.LinkByName(name)
			if err == nil {
				idx := br.Index
				undo.push("deleting bridge "+name, func() error {
					ports, err := bridge.Ports(host, idx)
					if err != nil || len(ports) > 0 {
						return err // another attachment uses it now
					}
					return ignoreErrno(host.DeleteLink(idx), unix.ENODEV)
				})
			}
		case errors.Is(aerr, unix.EEXIST):
			br, err = host.LinkByName(name) // made by a concurrent ADD
		default:
			return nil, kernelError("creating bridge "+name, aerr)
		}
	}
	if err != nil {
		return nil, kernelError("looking up bridge "+name, err)
	}
	if br.Attrs.Info == nil || br.Attrs.Info.Kind != "bridge" {
		return nil, cniErrorf(cniErrInvalidConfig, "%q already exists but is not a bridge", name)
	}
	if c.conf.PromiscMode && br.Flags&unix.IFF_PROMISC == 0 {
		if err := host.SetLink(&rtnl.LinkMessage{Index: br.Index, Flags: unix.IFF_PROMISC, Change: unix.IFF_PROMISC}); err != nil {
			return nil, kernelError("making bridge "+name+" promiscuous", err)
		}
	}
	if br.Flags&unix.IFF_UP == 0 {
		if err := host.SetLinkUp(br.Index); err != nil {
			return nil, kernelError("bringing bridge "+name+" up", err)
		}
	}
	return br, nil
}

// portSettings are the bridge port options the configuration asks for on
// the host end, or nil for the kernel's defaults.
func (c *cniCall) portSettings() *bridge.PortInfo {
	if !c.conf.HairpinMode && !c.conf.PortIsolation {
		return nil
	}
	p := new(bridge.PortInfo)
	if c.conf.HairpinMode {
		p.Hairpin = new(true)
	}
	if c.conf.PortIsolation {
		p.Isolated = new(true)
	}
	return p
}

// gateways completes the IPAM result as the reference plugin does: every
// address belongs to the container interface (index 2); with isGateway an
// address without a gateway gets the first address of its subnet; with
// isDefaultGateway each family gets a default route through its gateway
// unless IPAM gave one. It returns the addresses the bridge takes, the
// gateways with their subnets' prefix lengths.
func (c *cniCall) gateways(res *cniResult) []netip.Prefix {
	isGW := c.conf.IsGateway || c.conf.IsDefaultGateway
	var gws []netip.Prefix
	defaultDone := map[bool]bool{}
	for i := range res.IPs {
		ip := &res.IPs[i]
		ip.Interface = new(2)
		v4 := ip.Address.Addr().Is4()
		if !ip.Gateway.IsValid() && isGW {
			ip.Gateway = ip.Address.Masked().Addr().Next()
		}
		if c.conf.IsDefaultGateway && !defaultDone[v4] {
			for _, r := range res.Routes {
				if r.Dst.Bits() == 0 && r.Dst.Addr().Is4() == v4 && r.GW.IsValid() {
					defaultDone[v4] = true
				}
			}
			if !defaultDone[v4] {
				dst := netip.PrefixFrom(netip.IPv6Unspecified(), 0)
				if v4 {
					dst = netip.PrefixFrom(netip.IPv4Unspecified(), 0)
				}
				res.Routes = append(res.Routes, cniRoute{Dst: dst, GW: ip.Gateway})
				defaultDone[v4] = true
			}
		}
		if isGW && ip.Gateway.IsValid() {
			gws = append(gws, netip.PrefixFrom(ip.Gateway, ip.Address.Bits()))
		}
	}
	return gws
}

// familyGateways returns the first gateway of each family among res's
// addresses: the next hop of routes that name none.
func familyGateways(res *cniResult) (v4, v6 netip.Addr) {
	for _, ip := range res.IPs {
		switch {
		case !ip.Gateway.IsValid():
		case ip.Gateway.Is4() && !v4.IsValid():
			v4 = ip.Gateway
		case !ip.Gateway.Is4() && !v6.IsValid():
			v6 = ip.Gateway
		}
	}
	return v4, v6
}

// routeGateway is the next hop of route r: its own, else its family's.
func routeGateway(r cniRoute, v4, v6 netip.Addr) netip.Addr {
	switch {
	case r.GW.IsValid():
		return r.GW
	case r.Dst.Addr().Is4():
		return v4
	}
	return v6
}

// configureContainer applies the result inside the container: the
// addresses (IPv4 with their broadcast address, IPv6 without duplicate
// address detection unless enabledad), the link up, then the routes.
func (c *cniCall) configureContainer(ctr *rtnl.Conn, idx int32, res *cniResult) error {
	v6 := false
	for _, ip := range res.IPs {
		o := &rtnl.AddrOptions{}
		if ip.Address.Addr().Is4() {
			o.AutoBroadcast = true
		} else {
			v6 = true
			if !c.conf.EnableDAD {
				o.Flags = unix.IFA_F_NODAD
			}
		}
		if err := ctr.AddAddr(idx, ip.Address, o); err != nil {
			return kernelError(fmt.Sprintf("adding address %s to %s", ip.Address, c.ifname), err)
		}
	}
	if err := ctr.SetLinkUp(idx); err != nil {
		return kernelError("bringing "+c.ifname+" up", err)
	}
	if v6 && c.conf.EnableDAD {
		if err := cniSettleAddrs(ctr, idx); err != nil {
			return kernelError("waiting for duplicate address detection on "+c.ifname, err)
		}
	}
	v4gw, v6gw := familyGateways(res)
	added := map[string]bool{}
	for _, r := range res.Routes {
		gw := routeGateway(r, v4gw, v6gw)
		scope := uint8(unix.RT_SCOPE_UNIVERSE)
		if r.Scope != nil {
			scope = uint8(*r.Scope)
		}
		o := &rtnl.RouteOptions{Gateway: gw, OIF: idx, Metric: uint32(r.Priority), Scope: &scope}
		if r.Table != nil {
			o.Table = uint32(*r.Table)
		}
		key := fmt.Sprint(r.Dst, gw, o.Table, o.Metric)
		if added[key] {
			continue // listed twice (an IPAM default route and isDefaultGateway's)
		}
		m, err := rtnl.NewRouteMessage(unix.RTM_NEWROUTE, r.Dst, o)
		if err != nil {
			return &cniError{Code: cniErrInvalidConfig, Msg: fmt.Sprintf("route to %s", r.Dst), Details: err.Error()}
		}
		m.Attrs.Metrics = cniRouteMetrics(r.MTU, r.AdvMSS)
		if _, err := ctr.Execute(rtnl.Request{Type: unix.RTM_NEWROUTE, Flags: unix.NLM_F_CREATE | unix.NLM_F_EXCL, Payload: m}); err != nil {
			via := ""
			if gw.IsValid() {
				via = " via " + gw.String()
			}
			return kernelError(fmt.Sprintf("adding route to %s%s dev %s", r.Dst, via, c.ifname), err)
		}
		added[key] = true
	}
	return nil
}

// cniRouteMetrics encodes a route's mtu and advmss as the RTAX_MTU and
// RTAX_ADVMSS attributes inside RTA_METRICS (include/uapi/linux/rtnetlink.h),
// or nil when neither is set.
func cniRouteMetrics(mtu, advmss int) []byte {
	const rtaxMTU, rtaxAdvMSS = 2, 8
	var b []byte
	put := func(t uint16, v int) {
		var a [8]byte
		binary.NativeEndian.PutUint16(a[0:], 8)
		binary.NativeEndian.PutUint16(a[2:], t)
		binary.NativeEndian.PutUint32(a[4:], uint32(v))
		b = append(b, a[:]...)
	}
	if mtu > 0 {
		put(rtaxMTU, mtu)
	}
	if advmss > 0 {
		put(rtaxAdvMSS, advmss)
	}
	return b
}

// cniSettleAddrs waits, up to five seconds, until no IPv6 address of link
// idx is tentative; an address that failed detection is an error.
func cniSettleAddrs(ctr *rtnl.Conn, idx int32) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		addrs, err := ctr.Addrs(unix.AF_INET6, idx)
		if err != nil {
			return err
		}
		tentative := false
		for _, a := range addrs {
			f := a.AllFlags()
			if f&unix.IFA_F_DADFAILED != 0 {
				return fmt.Errorf("duplicate address detection failed for %s", a.Prefix())
			}
			if f&unix.IFA_F_TENTATIVE != 0 && !a.Prefix().Addr().IsLinkLocalUnicast() {
				tentative = true
			}
		}
		if !tentative {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("addresses still tentative after 5s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ensureBridgeAddr gives the bridge the gateway address gw, as the
// reference plugin does: an IPv4 bridge has one address, so another one is
// an error, or is removed with forceAddress; an IPv6 bridge may hold
// several, and only one overlapping gw is. An address added here is
// removed on undo (one removed with forceAddress is not put back).
func (c *cniCall) ensureBridgeAddr(host *rtnl.Conn, br *rtnl.LinkMessage, gw netip.Prefix, undo *cniUndo) error {
	fam := unix.AF_INET6
	if gw.Addr().Is4() {
		fam = unix.AF_INET
	}
	addrs, err := host.Addrs(fam, br.Index)
	if err != nil {
		return kernelError("listing the addresses of bridge "+br.Attrs.Name, err)
	}
	for _, a := range addrs {
		p := a.Prefix()
		if p == gw {
			return nil
		}
		if fam == unix.AF_INET || p.Contains(gw.Addr()) || gw.Contains(p.Addr()) {
			if !c.conf.ForceAddress {
				return cniErrorf(cniErrInternal, "bridge %s already has an IP address different from %s (%s); set forceAddress to replace it", br.Attrs.Name, gw, p)
			}
			if err := ignoreErrno(host.DeleteAddrMessage(a), unix.EADDRNOTAVAIL); err != nil {
				return kernelError(fmt.Sprintf("removing %s from bridge %s", p, br.Attrs.Name), err)
			}
		}
	}
	o := &rtnl.AddrOptions{AutoBroadcast: fam == unix.AF_INET}
	switch err := host.AddAddr(br.Index, gw, o); {
	case errors.Is(err, unix.EEXIST):
		return nil // a concurrent ADD gave it
	case err != nil:
		return kernelError(fmt.Sprintf("adding %s to bridge %s", gw, br.Attrs.Name), err)
	}
	idx := br.Index
	undo.push(fmt.Sprintf("removing %s from bridge %s", gw, br.Attrs.Name), func() error {
		return ignoreErrno(host.DeleteAddr(idx, gw, nil), unix.EADDRNOTAVAIL)
	})
	return nil
}

// cniStableMAC is the address the bridge keeps from now on: the one it had
// before the new port came, so that it stops following the lowest port
// address as ports come and go; a random locally administered one if the
// kernel had zeroed it.
func cniStableMAC(mac net.HardwareAddr) net.HardwareAddr {
	for _, b := range mac {
		if b != 0 {
			return mac
		}
	}
	var b [8]byte
	binary.NativeEndian.PutUint64(b[:], rand.Uint64())
	m := net.HardwareAddr(b[:6])
	m[0] = m[0]&^1 | 2 // unicast, locally administered
	return m
}

// cniEnableForwarding turns on forwarding for the families of gws, through
// /proc/sys of the plugin's (the host's) namespace: net.ipv4.ip_forward,
// net.ipv6.conf.all.forwarding. rtnetlink cannot set them.
func cniEnableForwarding(gws []netip.Prefix) error {
	done := map[string]bool{}
	for _, gw := range gws {
		p := "/proc/sys/net/ipv6/conf/all/forwarding"
		if gw.Addr().Is4() {
			p = "/proc/sys/net/ipv4/ip_forward"
		}
		if done[p] {
			continue
		}
		done[p] = true
		if b, err := os.ReadFile(p); err == nil && strings.TrimSpace(string(b)) == "1" {
			continue
		}
		if err := os.WriteFile(p, []byte("1"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// cniWaitOperUp waits, up to 2.5 seconds as the reference plugin does,
// for link idx to be operationally up, and returns it.
func cniWaitOperUp(host *rtnl.Conn, idx int32) (*rtnl.LinkMessage, error) {
	deadline := time.Now().Add(2500 * time.Millisecond)
	for {
		l, err := host.LinkByIndex(idx)
		if err != nil {
			return nil, err
		}
		if l.Attrs.OperState == cniIfOperUp {
			return l, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s is not up (operstate %d)", l.Attrs.Name, l.Attrs.OperState)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// del is DEL, best effort and idempotent: the container end goes (and
// with it the host end), a host end left without its namespace is found by
// name and alias, and the address is released. A namespace already gone,
// or an interface already deleted, is success.
func (c *cniCall) del() error {
	host, err := c.hostConn()
	if err != nil {
		return err
	}
	if c.netns != "" {
		if err := c.delContainerEnd(); err != nil {
			return err
		}
	}
	name := cniHostVethName(c.containerID, c.ifname)
	switch hl, err := host.LinkByName(name); {
	case errors.Is(err, unix.ENODEV):
	case err != nil:
		return kernelError("looking up "+name, err)
	case hl.Attrs.Alias != nil && *hl.Attrs.Alias == cniAlias(c.conf.Name, c.containerID, c.ifname):
		if err := ignoreErrno(host.DeleteLink(hl.Index), unix.ENODEV); err != nil {
			return kernelError("deleting "+name, err)
		}
	}
	if c.conf.IPAM.Type != "" {
		if _, err := c.ipam("DEL"); err != nil {
			return err
		}
	}
	return nil
}

// delContainerEnd deletes CNI_IFNAME in CNI_NETNS if it is there and is a
// veth. A link of another kind by that name is not linkbox-cni's: it is
// left alone, and said so on stderr.
func (c *cniCall) delContainerEnd() error {
	ns, err := nsfs.Open(c.netns)
	switch {
	case errors.Is(err, nsfs.ErrNotExist):
		return nil // the container is gone, and its end of the pair with it
	case err != nil:
		fmt.Fprintf(c.e.stderr, "linkbox-cni: DEL: cannot open CNI_NETNS %s (%v); going on without it\n", c.netns, err)
		return nil
	}
	defer ns.Close()
	if err := c.notOwnNetns(ns); err != nil {
		return err
	}
	ctr, err := c.dialIn(ns)
	if err != nil {
		return err
	}
	defer ctr.Close()
	l, err := ctr.LinkByName(c.ifname)
	switch {
	case errors.Is(err, unix.ENODEV):
		return nil
	case err != nil:
		return kernelError("looking up "+c.ifname+" in the container", err)
	case l.Attrs.Info == nil || l.Attrs.Info.Kind != "veth":
		fmt.Fprintf(c.e.stderr, "linkbox-cni: DEL: %s in %s is not a veth; left alone\n", c.ifname, c.netns)
		return nil
	}
	if err := ignoreErrno(ctr.DeleteLink(l.Index), unix.ENODEV); err != nil {
		return kernelError("deleting "+c.ifname+" in the container", err)
	}
	return nil
}

// check is CHECK: the IPAM plugin's CHECK, then what prevResult says ADD
// made, compared with the kernel: the bridge (kind, MAC, promiscuity), the
// container end (kind, MAC, MTU, up), the host end (a veth peered with the
// container end, a port of the bridge, MAC, hairpin), the addresses and
// the routes.
func (c *cniCall) check() error {
	if len(c.conf.PrevResult) == 0 || string(c.conf.PrevResult) == "null" {
		return cniErrorf(cniErrInvalidConfig, "required prevResult missing")
	}
	prev := new(cniResult)
	if err := json.Unmarshal(c.conf.PrevResult, prev); err != nil {
		return &cniError{Code: cniErrDecode, Msg: "error decoding prevResult", Details: err.Error()}
	}
	if c.conf.IPAM.Type != "" {
		if _, err := c.ipam("CHECK"); err != nil {
			return err
		}
	}
	ns, err := c.openNetns()
	if err != nil {
		return err
	}
	defer ns.Close()
	host, err := c.hostConn()
	if err != nil {
		return err
	}
	ctr, err := c.dialIn(ns)
	if err != nil {
		return err
	}
	defer ctr.Close()

	brName := c.conf.bridgeName()
	brIf, ctrIf := -1, -1
	for i, f := range prev.Interfaces {
		switch {
		case f.Name == brName && f.Sandbox == "":
			brIf = i
		case f.Name == c.ifname && f.Sandbox == c.netns:
			ctrIf = i
		}
	}
	if brIf < 0 {
		return cniErrorf(cniErrInternal, "prevResult lists no bridge %s", brName)
	}
	if ctrIf < 0 {
		return cniErrorf(cniErrInternal, "prevResult lists no interface %s in sandbox %s", c.ifname, c.netns)
	}
	differs := func(format string, a ...any) error { return cniErrorf(cniErrInternal, format, a...) }

	br, err := host.LinkByName(brName)
	if err != nil {
		return kernelError("bridge "+brName, err)
	}
	if br.Attrs.Info == nil || br.Attrs.Info.Kind != "bridge" {
		return differs("%s is not a bridge", brName)
	}
	if m := prev.Interfaces[brIf].MAC; m != "" && !sameMAC(m, br.Attrs.Address) {
		return differs("bridge %s has MAC %s, prevResult says %s", brName, br.Attrs.Address, m)
	}
	if got := br.Flags&unix.IFF_PROMISC != 0; got != c.conf.PromiscMode {
		return differs("bridge %s promiscuous mode is %v, the configuration says %v", brName, got, c.conf.PromiscMode)
	}

	cl, err := ctr.LinkByName(c.ifname)
	if err != nil {
		return kernelError(c.ifname+" in the container", err)
	}
	if cl.Attrs.Info == nil || cl.Attrs.Info.Kind != "veth" {
		return differs("%s in the container is not a veth", c.ifname)
	}
	if m := prev.Interfaces[ctrIf].MAC; m != "" && !sameMAC(m, cl.Attrs.Address) {
		return differs("%s has MAC %s, prevResult says %s", c.ifname, cl.Attrs.Address, m)
	}
	// The MTU as prevResult has it (1.1.0 results carry it), not as the
	// configuration does: a chained plugin (tuning) may have changed it.
	if m := prev.Interfaces[ctrIf].MTU; m != 0 && int(cl.Attrs.MTU) != m {
		return differs("%s has MTU %d, prevResult says %d", c.ifname, cl.Attrs.MTU, m)
	}
	if cl.Flags&unix.IFF_UP == 0 {
		return differs("%s in the container is down", c.ifname)
	}

	nsid, err := nsfs.NSID(host, ns)
	if err != nil {
		return kernelError("reading the id of "+c.netns, err)
	}
	found := false
	for i, f := range prev.Interfaces {
		if i == brIf || i == ctrIf || f.Sandbox != "" {
			continue
		}
		hl, err := host.LinkByName(f.Name)
		if err != nil || hl.Attrs.Info == nil || hl.Attrs.Info.Kind != "veth" {
			continue // not the host end
		}
		if int32(hl.Attrs.Link) != cl.Index || int32(cl.Attrs.Link) != hl.Index ||
			hl.Attrs.LinkNetNSID == nil || *hl.Attrs.LinkNetNSID != nsid {
			continue // a veth, but not the peer of the container end
		}
		if hl.Attrs.Master == nil || int32(*hl.Attrs.Master) != br.Index {
			return differs("host end %s is not a port of bridge %s", f.Name, brName)
		}
		if f.MAC != "" && !sameMAC(f.MAC, hl.Attrs.Address) {
			return differs("host end %s has MAC %s, prevResult says %s", f.Name, hl.Attrs.Address, f.MAC)
		}
		port, err := bridge.PortInfoOf(hl)
		if err != nil {
			return kernelError("port settings of "+f.Name, err)
		}
		if got := port.Hairpin != nil && *port.Hairpin; got != c.conf.HairpinMode {
			return differs("host end %s hairpin mode is %v, the configuration says %v", f.Name, got, c.conf.HairpinMode)
		}
		if got := port.Isolated != nil && *port.Isolated; got != c.conf.PortIsolation {
			return differs("host end %s port isolation is %v, the configuration says %v", f.Name, got, c.conf.PortIsolation)
		}
		found = true
		break
	}
	if !found {
		return differs("no host-side veth in prevResult is the peer of %s and a port of %s", c.ifname, brName)
	}

	addrs, err := ctr.Addrs(0, cl.Index)
	if err != nil {
		return kernelError("listing the addresses of "+c.ifname, err)
	}
	for _, ip := range prev.IPs {
		if ip.Interface != nil && *ip.Interface != ctrIf {
			continue
		}
		has := false
		for _, a := range addrs {
			has = has || a.Prefix() == ip.Address
		}
		if !has {
			return differs("%s has no address %s", c.ifname, ip.Address)
		}
	}
	routes, err := ctr.Routes(0, 0)
	if err != nil {
		return kernelError("listing the routes of the container", err)
	}
	v4gw, v6gw := familyGateways(prev)
	for _, r := range prev.Routes {
		gw := routeGateway(r, v4gw, v6gw)
		table := uint32(unix.RT_TABLE_MAIN)
		if r.Table != nil {
			table = uint32(*r.Table)
		}
		has := false
		for _, k := range routes {
			if k.DstPrefix() == r.Dst && k.TableID() == table && (!gw.IsValid() || k.Attrs.Gateway == gw) {
				has = true
			}
		}
		if !has {
			return differs("the container has no route to %s via %v in table %d", r.Dst, gw, table)
		}
	}
	return nil
}

// sameMAC compares a MAC written in a result with a link's.
func sameMAC(s string, hw net.HardwareAddr) bool {
	m, err := net.ParseMAC(s)
	return err == nil && m.String() == hw.String()
}

// gc is GC: every host end tagged with this network whose attachment is
// not in cni.dev/valid-attachments is deleted (its container end goes with
// it), then the IPAM plugin's GC runs. Failures do not stop it; all are
// reported together. A GC without the list (libcni sends none when it has
// none to give) keeps no attachment.
func (c *cniCall) gc() error {
	valid := map[string]bool{}
	list := c.conf.ValidAttachments
	if list == nil {
		list = c.conf.LegacyAttachments
	}
	if list != nil {
		for _, a := range *list {
			valid[cniAttachmentKey(c.conf.Name, a.ContainerID, a.IfName)] = true
		}
	}
	var errs []string
	if host, err := c.hostConn(); err != nil {
		errs = append(errs, err.Error())
	} else if links, err := host.Links(); err != nil {
		errs = append(errs, kernelError("listing links", err).Error())
	} else {
		prefix := cniAliasPrefix + c.conf.Name + "/"
		for _, l := range links {
			if l.Attrs.Alias == nil || !strings.HasPrefix(*l.Attrs.Alias, prefix) ||
				l.Attrs.Info == nil || l.Attrs.Info.Kind != "veth" || valid[strings.TrimPrefix(*l.Attrs.Alias, prefix)] {
				continue
			}
			if err := ignoreErrno(host.DeleteLink(l.Index), unix.ENODEV); err != nil {
				errs = append(errs, fmt.Sprintf("deleting stale %s (%s): %v", l.Attrs.Name, *l.Attrs.Alias, err))
			}
		}
	}
	if c.conf.IPAM.Type != "" {
		if _, err := c.ipam("GC"); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return &cniError{Code: cniErrInternal, Msg: "GC left stale resources", Details: strings.Join(errs, "; ")}
	}
	return nil
}

// status is STATUS: ready when the configuration is one ADD can serve, an
// rtnetlink socket opens, and the IPAM plugin (if any) is found and says
// it is ready; its own error object is passed on.
func (c *cniCall) status() error {
	notAvailable := func(err error) error {
		var ce *cniError
		if errors.As(err, &ce) && (ce.Code == cniErrNotAvailable || ce.Code == cniErrLimited) {
			return err
		}
		return &cniError{Code: cniErrNotAvailable, Msg: "linkbox-cni cannot serve ADD: " + errorMsg(err), Details: errorDetails(err)}
	}
	if err := c.conf.unsupported(); err != nil {
		return notAvailable(err)
	}
	host, err := c.hostConn()
	if err != nil {
		return notAvailable(err)
	}
	if _, err := host.LinkByName("lo"); err != nil {
		return notAvailable(kernelError("reading links", err))
	}
	if c.conf.IPAM.Type != "" {
		if _, err := c.findPlugin(c.conf.IPAM.Type); err != nil {
			return notAvailable(err)
		}
		if _, err := c.ipam("STATUS"); err != nil {
			return err
		}
	}
	return nil
}

func errorMsg(err error) string {
	var ce *cniError
	if errors.As(err, &ce) {
		return ce.Msg
	}
	return err.Error()
}

func errorDetails(err error) string {
	var ce *cniError
	if errors.As(err, &ce) {
		return ce.Details
	}
	return ""
}
