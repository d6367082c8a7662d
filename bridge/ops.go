package bridge

import (
	"errors"
	"fmt"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// Errors.
var (
	// ErrNoVLANFiltering reports a kernel built without
	// CONFIG_BRIDGE_VLAN_FILTERING: it refuses IFLA_BR_VLAN_FILTERING with
	// EOPNOTSUPP and silently ignores the other VLAN settings, so linkbox
	// checks for it (a bridge without VLAN support reports no
	// IFLA_BR_VLAN_PROTOCOL) and refuses them all with this error.
	ErrNoVLANFiltering = errors.New("bridge: this kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING is not set)")

	// ErrNotBridge reports a link that is not a bridge, or not a bridge
	// port, where one was needed.
	ErrNotBridge = errors.New("bridge: not a bridge")
)

// NewRequest returns the RTM_NEWLINK payload that creates bridge name with
// the settings in info (nil for the kernel's defaults), as `ip link add
// NAME type bridge ...` sends it.
func NewRequest(name string, info *Info) *rtnl.LinkMessage {
	li := &rtnl.LinkInfo{Kind: kindName}
	if info != nil {
		li.Data = info
	}
	// Without settings the request carries the kind alone, no empty
	// IFLA_INFO_DATA, as `ip link add NAME type bridge` sends it.
	return &rtnl.LinkMessage{Attrs: rtnl.LinkAttrs{Name: name, Info: li}}
}

// SetRequest returns the RTM_NEWLINK payload that changes the settings of
// the bridge with index index, as `ip link set dev NAME type bridge ...`.
func SetRequest(index int32, info *Info) *rtnl.LinkMessage {
	return &rtnl.LinkMessage{Index: index, Attrs: rtnl.LinkAttrs{
		Info: &rtnl.LinkInfo{Kind: kindName, Data: info},
	}}
}

// SetPortRequest returns the RTM_NEWLINK payload that changes the settings
// of bridge port index, as `ip link set dev NAME type bridge_slave ...`
// sends it: IFLA_INFO_KIND "bridge_slave" (the kernel ignores the kind of
// an existing link when only IFLA_INFO_SLAVE_DATA comes with it) and the
// port data.
func SetPortRequest(index int32, info *PortInfo) *rtnl.LinkMessage {
	return &rtnl.LinkMessage{Index: index, Attrs: rtnl.LinkAttrs{
		Info: &rtnl.LinkInfo{Kind: iproute2SlaveKindAlias, SlaveData: info},
	}}
}

// wantsVLAN reports whether info asks for any VLAN setting.
func (x *Info) wantsVLAN() bool {
	return x != nil && (x.VLANFiltering != nil || x.VLANProtocol != 0 || x.VLANDefaultPVID != nil ||
		x.VLANStatsEnabled != nil || x.VLANStatsPerPort != nil)
}

// HasVLANFiltering reports whether the kernel that reported info supports
// bridge VLAN filtering: such a kernel always reports
// IFLA_BR_VLAN_PROTOCOL.
func (x *Info) HasVLANFiltering() bool { return x.VLANProtocol != 0 }

// vlanError turns the kernel's bare EOPNOTSUPP for a VLAN setting into
// ErrNoVLANFiltering.
func vlanError(err error, info *Info) error {
	if err != nil && info.wantsVLAN() && errors.Is(err, unix.EOPNOTSUPP) {
		return fmt.Errorf("%w: %w", ErrNoVLANFiltering, err)
	}
	return err
}

// Add creates bridge name with the settings in info (nil for defaults) and
// returns the new link as the kernel reports it. If info asks for VLAN
// settings the kernel cannot honour, the bridge is deleted again and the
// error is ErrNoVLANFiltering.
func Add(c *rtnl.Conn, name string, info *Info) (*rtnl.LinkMessage, error) {
	l, err := c.AddLink(NewRequest(name, info), true)
	if err != nil {
		return nil, vlanError(err, info)
	}
	if l == nil || l.Attrs.Info == nil {
		// Kernels before 6.1 do not echo; ask.
		if l, err = c.LinkByName(name); err != nil {
			return nil, err
		}
	}
	if info.wantsVLAN() {
		got, err := InfoOf(l)
		if err == nil && !got.HasVLANFiltering() {
			err = ErrNoVLANFiltering
		}
		if err != nil {
			if derr := c.DeleteLink(l.Index); derr != nil {
				return nil, fmt.Errorf("%w (and deleting the new bridge %s failed: %w)", err, name, derr)
			}
			return nil, err
		}
	}
	return l, nil
}

// Set changes the settings of the bridge with index index: only the
// fields set in info are sent. VLAN settings on a kernel without VLAN
// filtering are refused with ErrNoVLANFiltering before anything changes.
// An Info read from the kernel holds every setting, VLANFiltering
// included, and would send them all: fill a fresh Info with the changes.
func Set(c *rtnl.Conn, index int32, info *Info) error {
	if info.wantsVLAN() {
		cur, err := Get(c, index)
		if err != nil {
			return err
		}
		if !cur.HasVLANFiltering() {
			return ErrNoVLANFiltering
		}
	}
	return vlanError(c.SetLink(SetRequest(index, info)), info)
}

// Get returns the settings and spanning-tree state of the bridge with
// index index.
func Get(c *rtnl.Conn, index int32) (*Info, error) {
	l, err := c.LinkByIndex(index)
	if err != nil {
		return nil, err
	}
	return InfoOf(l)
}

// InfoOf returns the bridge data of link l, decoding it if the Conn that
// read l was not given Kind. It is ErrNotBridge if l is not a bridge.
func InfoOf(l *rtnl.LinkMessage) (*Info, error) {
	li := l.Attrs.Info
	if li == nil || li.Kind != kindName {
		return nil, fmt.Errorf("%w: link %q (index %d)", ErrNotBridge, l.Attrs.Name, l.Index)
	}
	switch d := li.Data.(type) {
	case *Info:
		return d, nil
	case *rtnl.RawData:
		x := new(Info)
		if err := x.Decode(rtnl.NewDecoder(d.Data)); err != nil {
			return nil, fmt.Errorf("bridge: decoding %q: %w", l.Attrs.Name, err)
		}
		return x, nil
	case nil:
		return new(Info), nil
	}
	return nil, fmt.Errorf("bridge: link %q has bridge data of type %T", l.Attrs.Name, li.Data)
}

// PortInfoOf returns the bridge port data of link l, decoding it if the
// Conn that read l was not given PortKind. It is ErrNotBridge if l is not
// the port of a bridge.
func PortInfoOf(l *rtnl.LinkMessage) (*PortInfo, error) {
	li := l.Attrs.Info
	if li == nil || li.SlaveKind != kindName {
		return nil, fmt.Errorf("%w port: link %q (index %d)", ErrNotBridge, l.Attrs.Name, l.Index)
	}
	switch d := li.SlaveData.(type) {
	case *PortInfo:
		return d, nil
	case *rtnl.RawData:
		p := new(PortInfo)
		if err := p.Decode(rtnl.NewDecoder(d.Data)); err != nil {
			return nil, fmt.Errorf("bridge: decoding port %q: %w", l.Attrs.Name, err)
		}
		return p, nil
	case nil:
		return new(PortInfo), nil
	}
	return nil, fmt.Errorf("bridge: link %q has port data of type %T", l.Attrs.Name, li.SlaveData)
}

// AddPort attaches link port to bridge br (IFLA_MASTER), as `brctl addif`
// and `ip link set dev PORT master BR`.
func AddPort(c *rtnl.Conn, br, port int32) error { return c.SetLinkMaster(port, br) }

// RemovePort detaches link port from its bridge (IFLA_MASTER 0), as
// `brctl delif` and `ip link set dev PORT nomaster`.
func RemovePort(c *rtnl.Conn, port int32) error { return c.SetLinkNoMaster(port) }

// SetPort changes the settings of bridge port index: only the fields set
// in info are sent.
func SetPort(c *rtnl.Conn, index int32, info *PortInfo) error {
	return c.SetLink(SetPortRequest(index, info))
}

// A Port is one port of a bridge: its link and its port data.
type Port struct {
	Link *rtnl.LinkMessage // the port's link, as the kernel reports it
	Info *PortInfo         // its IFLA_INFO_SLAVE_DATA
}

// Ports lists the ports of the bridge with index br, in the kernel's
// order (by ifindex), with a dump the kernel filters on IFLA_MASTER.
func Ports(c *rtnl.Conn, br int32) ([]Port, error) {
	m := uint32(br)
	links, err := c.LinksMatching(&rtnl.LinkMessage{Attrs: rtnl.LinkAttrs{Master: &m}})
	if err != nil {
		return nil, err
	}
	ports := make([]Port, 0, len(links))
	for _, l := range links {
		if l.Attrs.Master == nil || *l.Attrs.Master != m {
			continue // a kernel that ignored the filter
		}
		p, err := PortInfoOf(l)
		if err != nil {
			return nil, err
		}
		ports = append(ports, Port{Link: l, Info: p})
	}
	return ports, nil
}
