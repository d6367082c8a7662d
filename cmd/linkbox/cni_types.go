package main

// The CNI protocol's data: the plugin configuration read from stdin, the
// result printed on stdout, and the error object, in the shapes of the CNI
// specification (SPEC.md, spec version 1.1.0, and the 1.0.0 and 0.4.0
// shapes it replaced). Written on encoding/json alone: no CNI library.

import (
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/linkbox/linkbox/rtnl"
)

// cniVersions are the spec versions linkbox-cni speaks, oldest first, as
// VERSION reports them. 0.3.x results have the 0.4.0 shape; 0.1.0 and
// 0.2.0 (the ip4/ip6 result) are not spoken.
var cniVersions = []string{"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}

// cniLatest is the newest spec version linkbox-cni speaks.
const cniLatest = "1.1.0"

// The spec's well-known error codes (SPEC.md, section 5, "Error").
const (
	cniErrIncompatibleVersion = 1  // incompatible CNI version
	cniErrUnsupportedField    = 2  // unsupported field in the network configuration
	cniErrUnknownContainer    = 3  // container unknown or does not exist
	cniErrInvalidEnv          = 4  // invalid necessary environment variables
	cniErrIO                  = 5  // I/O failure
	cniErrDecode              = 6  // failed to decode content
	cniErrInvalidConfig       = 7  // invalid network configuration
	cniErrTryAgain            = 11 // try again later
	cniErrNotAvailable        = 50 // STATUS: the plugin cannot service ADD
	cniErrLimited             = 51 // STATUS: not available, and existing containers may be cut off
	// cniErrInternal is linkbox-cni's code for everything the spec has no
	// code for (the kernel refused a change, CHECK found a difference):
	// 999, the code the reference plugins use for the same (codes from 100
	// up are the plugin's own).
	cniErrInternal = 999
)

// cniError is the spec's error object. It is printed on stdout, where
// libcni (and so every runtime built on it) reads it, and the plugin exits
// non-zero.
type cniError struct {
	CNIVersion string `json:"cniVersion,omitempty"`
	Code       uint   `json:"code"`
	Msg        string `json:"msg"`
	Details    string `json:"details,omitempty"`
}

func (e *cniError) Error() string {
	if e.Details != "" {
		return e.Msg + "; " + e.Details
	}
	return e.Msg
}

// cniErrorf returns a *cniError with the given code and message.
func cniErrorf(code uint, format string, a ...any) *cniError {
	return &cniError{Code: code, Msg: fmt.Sprintf(format, a...)}
}

// cniDNS is the dns dictionary of a configuration and of a result.
type cniDNS struct {
	Nameservers []string `json:"nameservers,omitempty"`
	Domain      string   `json:"domain,omitempty"`
	Search      []string `json:"search,omitempty"`
	Options     []string `json:"options,omitempty"`
}

func (d *cniDNS) set() bool {
	return d != nil && (d.Nameservers != nil || d.Domain != "" || d.Search != nil || d.Options != nil)
}

// cniAttachment is one entry of GC's cni.dev/valid-attachments.
type cniAttachment struct {
	ContainerID string `json:"containerID"`
	IfName      string `json:"ifname"`
}

// cniConf is a plugin configuration as a runtime hands it to linkbox-cni:
// the keys of the spec, the options of the reference bridge plugin that
// linkbox-cni implements, and those it refuses (see unsupported).
type cniConf struct {
	CNIVersion string `json:"cniVersion"`
	Name       string `json:"name"`
	Type       string `json:"type"`
	IPAM       struct {
		Type string `json:"type"`
	} `json:"ipam"`
	DNS *cniDNS `json:"dns"`

	Bridge           string `json:"bridge"`           // bridge name; "cni0" when empty
	IsGateway        bool   `json:"isGateway"`        // give the bridge the gateway address
	IsDefaultGateway bool   `json:"isDefaultGateway"` // and route the container's default through it
	ForceAddress     bool   `json:"forceAddress"`     // replace another address on the bridge
	MTU              int    `json:"mtu"`              // MTU of the bridge (when created) and of both veth ends
	HairpinMode      bool   `json:"hairpinMode"`      // IFLA_BRPORT_MODE on the host end
	PromiscMode      bool   `json:"promiscMode"`      // IFF_PROMISC on the bridge
	PortIsolation    bool   `json:"portIsolation"`    // IFLA_BRPORT_ISOLATED on the host end
	EnableDAD        bool   `json:"enabledad"`        // run IPv6 duplicate address detection on the container's addresses
	MAC              string `json:"mac"`              // the container end's MAC (lowest priority source)

	Args struct {
		CNI struct {
			MAC string `json:"mac"`
		} `json:"cni"`
	} `json:"args"`
	RuntimeConfig struct {
		MAC string `json:"mac"`
	} `json:"runtimeConfig"`

	PrevResult json.RawMessage `json:"prevResult"`

	ValidAttachments  *[]cniAttachment `json:"cni.dev/valid-attachments"`
	LegacyAttachments *[]cniAttachment `json:"cni.dev/attachments"` // the name an early 1.1.0 text used

	// Options of the reference bridge plugin that linkbox-cni refuses.
	IPMasq                    bool            `json:"ipMasq"`
	IPMasqBackend             *string         `json:"ipMasqBackend"`
	VLAN                      int             `json:"vlan"`
	VLANTrunk                 json.RawMessage `json:"vlanTrunk"`
	PreserveDefaultVLAN       bool            `json:"preserveDefaultVlan"`
	MACSpoofCheck             bool            `json:"macspoofchk"`
	DisableContainerInterface bool            `json:"disableContainerInterface"`
}

// bridgeName is the bridge the configuration names, cni0 by default.
func (c *cniConf) bridgeName() string {
	if c.Bridge == "" {
		return "cni0"
	}
	return c.Bridge
}

// unsupported returns an error with code 2 (unsupported field) naming the
// first option linkbox-cni does not implement, with its value, or nil.
// They are refused rather than ignored: a network that asks for NAT or
// VLANs and silently gets neither is broken in a way nobody sees.
func (c *cniConf) unsupported() *cniError {
	refuse := func(key string, val any, why string) *cniError {
		v, _ := json.Marshal(val)
		return &cniError{Code: cniErrUnsupportedField, Msg: fmt.Sprintf("unsupported field %q: %s", key, v), Details: why}
	}
	switch {
	case c.IPMasq:
		return refuse("ipMasq", c.IPMasq, "linkbox-cni sets up no NAT (iptables/nftables); leave ipMasq out, or chain a plugin that masquerades")
	case c.IPMasqBackend != nil:
		return refuse("ipMasqBackend", *c.IPMasqBackend, "linkbox-cni sets up no NAT")
	case c.VLAN != 0:
		return refuse("vlan", c.VLAN, "linkbox-cni does not configure bridge VLANs")
	case len(c.VLANTrunk) != 0 && string(c.VLANTrunk) != "null" && string(c.VLANTrunk) != "[]":
		return refuse("vlanTrunk", c.VLANTrunk, "linkbox-cni does not configure bridge VLANs")
	case c.PreserveDefaultVLAN:
		return refuse("preserveDefaultVlan", c.PreserveDefaultVLAN, "linkbox-cni does not configure bridge VLANs")
	case c.MACSpoofCheck:
		return refuse("macspoofchk", c.MACSpoofCheck, "linkbox-cni sets up no nftables rules")
	case c.DisableContainerInterface:
		return refuse("disableContainerInterface", c.DisableContainerInterface, "linkbox-cni always brings the container interface up")
	}
	return nil
}

// validate checks the options linkbox-cni implements; errors have code 7.
func (c *cniConf) validate() *cniError {
	if c.Type == "" {
		return cniErrorf(cniErrInvalidConfig, "missing plugin type")
	}
	if err := rtnl.CheckLinkName(c.bridgeName()); err != nil {
		return &cniError{Code: cniErrInvalidConfig, Msg: fmt.Sprintf("invalid bridge name %q", c.Bridge), Details: err.Error()}
	}
	if c.MTU < 0 || c.MTU > 65535 {
		return cniErrorf(cniErrInvalidConfig, "invalid mtu %d", c.MTU)
	}
	if c.HairpinMode && c.PromiscMode {
		return cniErrorf(cniErrInvalidConfig, "hairpinMode and promiscMode cannot both be set")
	}
	if t := c.IPAM.Type; t != "" && (strings.ContainsAny(t, `/\`) || t == "." || t == "..") {
		return cniErrorf(cniErrInvalidConfig, "invalid IPAM plugin type %q", t)
	}
	return nil
}

// checkCNIName checks a network name or container id as the spec words it:
// an alphanumeric character, then alphanumerics, '_', '.' or '-'.
func checkCNIName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum && (i == 0 || (r != '_' && r != '.' && r != '-')) {
			return false
		}
	}
	return true
}

// parseCNIMAC parses a container MAC: six bytes, unicast.
func parseCNIMAC(s string) (net.HardwareAddr, error) {
	m, err := net.ParseMAC(s)
	if err != nil {
		return nil, err
	}
	if len(m) != 6 {
		return nil, fmt.Errorf("%q is not a 6-byte Ethernet address", s)
	}
	if m[0]&1 != 0 {
		return nil, fmt.Errorf("%q is a multicast address", s)
	}
	return m, nil
}

// cniInterface is one entry of a result's interfaces list.
type cniInterface struct {
	Name       string
	MAC        string
	MTU        int
	Sandbox    string
	SocketPath string
	PCIID      string
}

// cniIPConfig is one entry of a result's ips list.
type cniIPConfig struct {
	Address   netip.Prefix // the address with its prefix length, host bits kept
	Gateway   netip.Addr
	Interface *int // index into the interfaces list
}

// cniRoute is one entry of a result's routes list.
type cniRoute struct {
	Dst      netip.Prefix
	GW       netip.Addr
	MTU      int
	AdvMSS   int
	Priority int
	Table    *int
	Scope    *int
}

// cniResult is an ADD result, and the prevResult of CHECK and DEL. It
// marshals to the shape of its CNIVersion.
type cniResult struct {
	CNIVersion string
	Interfaces []cniInterface
	IPs        []cniIPConfig
	Routes     []cniRoute
	DNS        cniDNS
}

// The wire shapes. 1.1.0 is the full one; 1.0.0 and 0.x leave out what
// 1.1.0 added (interface mtu, socketPath and pciID; route mtu, advmss,
// priority, table and scope); 0.x adds the ips' "version".
type (
	jsonInterface struct {
		Name       string `json:"name"`
		MAC        string `json:"mac,omitempty"`
		MTU        int    `json:"mtu,omitempty"`
		Sandbox    string `json:"sandbox,omitempty"`
		SocketPath string `json:"socketPath,omitempty"`
		PCIID      string `json:"pciID,omitempty"`
	}
	jsonIPConfig struct {
		Version   string `json:"version,omitempty"`
		Interface *int   `json:"interface,omitempty"`
		Address   string `json:"address"`
		Gateway   string `json:"gateway,omitempty"`
	}
	jsonRoute struct {
		Dst      string `json:"dst"`
		GW       string `json:"gw,omitempty"`
		MTU      int    `json:"mtu,omitempty"`
		AdvMSS   int    `json:"advmss,omitempty"`
		Priority int    `json:"priority,omitempty"`
		Table    *int   `json:"table,omitempty"`
		Scope    *int   `json:"scope,omitempty"`
	}
	jsonResult struct {
		CNIVersion string          `json:"cniVersion"`
		Interfaces []jsonInterface `json:"interfaces,omitempty"`
		IPs        []jsonIPConfig  `json:"ips,omitempty"`
		Routes     []jsonRoute     `json:"routes,omitempty"`
		DNS        cniDNS          `json:"dns,omitzero"`
	}
)

// MarshalJSON writes the result in the shape of r.CNIVersion.
func (r *cniResult) MarshalJSON() ([]byte, error) {
	v1 := versionAtLeast(r.CNIVersion, "1.0.0")
	v11 := versionAtLeast(r.CNIVersion, "1.1.0")
	out := jsonResult{CNIVersion: r.CNIVersion, DNS: r.DNS}
	for _, i := range r.Interfaces {
		j := jsonInterface{Name: i.Name, MAC: i.MAC, Sandbox: i.Sandbox}
		if v11 {
			j.MTU, j.SocketPath, j.PCIID = i.MTU, i.SocketPath, i.PCIID
		}
		out.Interfaces = append(out.Interfaces, j)
	}
	for _, ip := range r.IPs {
		j := jsonIPConfig{Interface: ip.Interface, Address: ip.Address.String()}
		if ip.Gateway.IsValid() {
			j.Gateway = ip.Gateway.String()
		}
		if !v1 {
			j.Version = "6"
			if ip.Address.Addr().Is4() {
				j.Version = "4"
			}
		}
		out.IPs = append(out.IPs, j)
	}
	for _, rt := range r.Routes {
		j := jsonRoute{Dst: rt.Dst.String()}
		if rt.GW.IsValid() {
			j.GW = rt.GW.String()
		}
		if v11 {
			j.MTU, j.AdvMSS, j.Priority, j.Table, j.Scope = rt.MTU, rt.AdvMSS, rt.Priority, rt.Table, rt.Scope
		}
		out.Routes = append(out.Routes, j)
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads a result of any spec version from 0.3.0 on: a full
// result (a prevResult) or the abbreviated one an IPAM plugin returns.
// Addresses are checked; the 0.x ips' "version" is checked against the
// address.
func (r *cniResult) UnmarshalJSON(b []byte) error {
	var in struct {
		jsonResult
		IP4 json.RawMessage `json:"ip4"`
		IP6 json.RawMessage `json:"ip6"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	if in.IP4 != nil || in.IP6 != nil {
		return fmt.Errorf("a result in the 0.2.0 shape (ip4/ip6), which linkbox-cni does not read")
	}
	*r = cniResult{CNIVersion: in.CNIVersion, DNS: in.DNS}
	for _, i := range in.Interfaces {
		r.Interfaces = append(r.Interfaces, cniInterface(i))
	}
	for _, j := range in.IPs {
		p, err := netip.ParsePrefix(j.Address)
		if err != nil {
			return fmt.Errorf("ips: address %q: %w", j.Address, err)
		}
		ip := cniIPConfig{Address: p, Interface: j.Interface}
		if j.Gateway != "" {
			if ip.Gateway, err = netip.ParseAddr(j.Gateway); err != nil {
				return fmt.Errorf("ips: gateway %q: %w", j.Gateway, err)
			}
			if ip.Gateway.Is4() != p.Addr().Is4() {
				return fmt.Errorf("ips: gateway %s is not of the family of %s", j.Gateway, j.Address)
			}
		}
		if j.Version != "" && j.Version != map[bool]string{true: "4", false: "6"}[p.Addr().Is4()] {
			return fmt.Errorf("ips: address %s is not IPv%s", j.Address, j.Version)
		}
		r.IPs = append(r.IPs, ip)
	}
	for _, j := range in.Routes {
		p, err := netip.ParsePrefix(j.Dst)
		if err != nil {
			return fmt.Errorf("routes: dst %q: %w", j.Dst, err)
		}
		rt := cniRoute{Dst: p.Masked(), MTU: j.MTU, AdvMSS: j.AdvMSS, Priority: j.Priority, Table: j.Table, Scope: j.Scope}
		if j.GW != "" {
			if rt.GW, err = netip.ParseAddr(j.GW); err != nil {
				return fmt.Errorf("routes: gw %q: %w", j.GW, err)
			}
		}
		r.Routes = append(r.Routes, rt)
	}
	return nil
}

// versionAtLeast compares two spec versions, MAJOR.MINOR.PATCH. A version
// that does not parse is older than every other.
func versionAtLeast(v, min string) bool {
	a, okA := parseSemver(v)
	b, _ := parseSemver(min)
	if !okA {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return true
}

// parseSemver parses MAJOR.MINOR.PATCH.
func parseSemver(v string) ([3]int, bool) {
	var out [3]int
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return out, false
	}
	for i, p := range parts {
		if p == "" || len(p) > 9 {
			return out, false
		}
		for _, c := range p {
			if c < '0' || c > '9' {
				return out, false
			}
			out[i] = out[i]*10 + int(c-'0')
		}
	}
	return out, true
}

// supportedVersion reports whether linkbox-cni speaks spec version v.
func supportedVersion(v string) bool {
	for _, s := range cniVersions {
		if s == v {
			return true
		}
	}
	return false
}
