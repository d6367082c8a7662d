package rtnl

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"

	"golang.org/x/sys/unix"
)

// Link operations that need no link kind. Kind-specific creation lives in
// the kind's package (veth, bridge), built on AddLink.

// linkGetMask is the IFLA_EXT_MASK iproute2 sends when it looks a link up:
// VF info wanted, statistics skipped.
const linkGetMask = rtextFilterVF | rtextFilterSkipStats

// Links lists every link in the Conn's namespace, with statistics, as
// `ip link show` does.
func (c *Conn) Links() ([]*LinkMessage, error) {
	return c.LinksMatching(&LinkMessage{})
}

// LinksMatching lists links with a filtered dump. The kernel filters on
// filter.Attrs.Master (links enslaved to it) and on the kind in
// filter.Attrs.Info; other fields are sent as they are.
func (c *Conn) LinksMatching(filter *LinkMessage) ([]*LinkMessage, error) {
	f := *filter
	if f.Family == 0 {
		f.Family = unix.AF_PACKET // what iproute2 asks for
	}
	if f.Attrs.ExtMask == 0 {
		f.Attrs.ExtMask = rtextFilterVF
	}
	msgs, err := c.DumpAll(Request{Type: unix.RTM_GETLINK, Payload: &f})
	if msgs == nil {
		return nil, err
	}
	links := make([]*LinkMessage, 0, len(msgs))
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWLINK {
			continue
		}
		l := new(LinkMessage)
		if derr := l.Decode(m.Data, c.kinds); derr != nil {
			return nil, derr
		}
		links = append(links, l)
	}
	return links, err
}

// EachLink streams a link dump: fn sees each link as it is decoded. The
// message and everything in it is valid only during the call. If the dump
// was interrupted by concurrent changes, EachLink returns
// ErrDumpInterrupted after the last link.
func (c *Conn) EachLink(filter *LinkMessage, fn func(*LinkMessage) error) error {
	f := LinkMessage{Family: unix.AF_PACKET, Attrs: LinkAttrs{ExtMask: rtextFilterVF}}
	if filter != nil {
		f = *filter
	}
	var l LinkMessage
	return c.Dump(Request{Type: unix.RTM_GETLINK, Payload: &f}, func(m Message) error {
		if m.Header.Type != unix.RTM_NEWLINK {
			return nil
		}
		if err := l.Decode(m.Data, c.kinds); err != nil {
			return err
		}
		return fn(&l)
	})
}

// getLink sends RTM_GETLINK for one link and decodes the answer.
func (c *Conn) getLink(req *LinkMessage) (*LinkMessage, error) {
	msgs, err := c.Execute(Request{Type: unix.RTM_GETLINK, Payload: req})
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		if m.Header.Type == unix.RTM_NEWLINK {
			l := new(LinkMessage)
			if err := l.Decode(m.Data, c.kinds); err != nil {
				return nil, err
			}
			return l, nil
		}
	}
	return nil, fmt.Errorf("rtnl: RTM_GETLINK: no link in the reply: %w", ErrNotFound)
}

// LinkByName looks a link up by name, as iproute2 does before acting on
// "dev NAME". A missing link is an *Error matching unix.ENODEV.
func (c *Conn) LinkByName(name string) (*LinkMessage, error) {
	if err := CheckLinkName(name); err != nil {
		return nil, err
	}
	return c.getLink(&LinkMessage{Attrs: LinkAttrs{ExtMask: linkGetMask, Name: name}})
}

// LinkByIndex looks a link up by interface index.
func (c *Conn) LinkByIndex(index int32) (*LinkMessage, error) {
	return c.getLink(&LinkMessage{Index: index, Attrs: LinkAttrs{ExtMask: linkGetMask}})
}

// LinkIndex returns the index of the named link.
func (c *Conn) LinkIndex(name string) (int32, error) {
	if idx, ok := c.cachedIndex(name); ok {
		return idx, nil
	}
	l, err := c.LinkByName(name)
	if err != nil {
		return 0, err
	}
	c.RememberLinkIndex(name, l.Index)
	return l.Index, nil
}

// CheckLinkName checks a link name the way the kernel's dev_valid_name
// does: 1 to 15 bytes, not "." or "..", no '/', ':' or white space.
func CheckLinkName(name string) error {
	if name == "" {
		return fmt.Errorf("rtnl: empty link name")
	}
	if len(name) >= unix.IFNAMSIZ {
		return fmt.Errorf("rtnl: link name %q is longer than %d bytes", name, unix.IFNAMSIZ-1)
	}
	if name == "." || name == ".." {
		return fmt.Errorf("rtnl: %q is not a valid link name", name)
	}
	for _, r := range []byte(name) {
		if r == '/' || r == ':' || r == 0 || r == ' ' || (r >= '\t' && r <= '\r') {
			return fmt.Errorf("rtnl: link name %q contains %q", name, r)
		}
	}
	return nil
}

// AddLink creates a link: RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL. Kind
// packages fill m.Attrs.Info. With echo, the kernel returns the new link
// (NLM_F_ECHO), so its index is known without a lookup; otherwise the
// result is nil.
func (c *Conn) AddLink(m *LinkMessage, echo bool) (*LinkMessage, error) {
	flags := uint16(unix.NLM_F_CREATE | unix.NLM_F_EXCL)
	if echo {
		flags |= unix.NLM_F_ECHO
	}
	msgs, err := c.Execute(Request{Type: unix.RTM_NEWLINK, Flags: flags, Payload: m})
	if err != nil {
		return nil, err
	}
	for _, r := range msgs {
		if r.Header.Type == unix.RTM_NEWLINK {
			l := new(LinkMessage)
			if err := l.Decode(r.Data, c.kinds); err != nil {
				return nil, err
			}
			return l, nil
		}
	}
	return nil, nil
}

// SetLink changes an existing link: RTM_NEWLINK without NLM_F_CREATE, as
// `ip link set` sends it. m.Index selects the link.
func (c *Conn) SetLink(m *LinkMessage) error {
	_, err := c.Execute(Request{Type: unix.RTM_NEWLINK, Payload: m})
	return err
}

// DeleteLink deletes the link with the given index.
func (c *Conn) DeleteLink(index int32) error {
	_, err := c.Execute(Request{Type: unix.RTM_DELLINK, Payload: &LinkMessage{Index: index}})
	return err
}

// DeleteLinkGroup deletes every link in group in one request. The kernel
// unregisters them as one batch, which is much faster than one at a time.
func (c *Conn) DeleteLinkGroup(group uint32) error {
	_, err := c.Execute(Request{Type: unix.RTM_DELLINK, Payload: &LinkMessage{Attrs: LinkAttrs{Group: &group}}})
	return err
}

// SetLinkUp sets IFF_UP on a link, as `ip link set dev X up`.
func (c *Conn) SetLinkUp(index int32) error {
	return c.SetLink(&LinkMessage{Index: index, Flags: unix.IFF_UP, Change: unix.IFF_UP})
}

// SetLinkDown clears IFF_UP, as `ip link set dev X down`.
func (c *Conn) SetLinkDown(index int32) error {
	return c.SetLink(&LinkMessage{Index: index, Change: unix.IFF_UP})
}

// SetLinkMTU sets the MTU.
func (c *Conn) SetLinkMTU(index int32, mtu uint32) error {
	return c.SetLink(&LinkMessage{Index: index, Attrs: LinkAttrs{MTU: mtu}})
}

// SetLinkName renames a link. The link must be down.
func (c *Conn) SetLinkName(index int32, name string) error {
	if err := CheckLinkName(name); err != nil {
		return err
	}
	return c.SetLink(&LinkMessage{Index: index, Attrs: LinkAttrs{Name: name}})
}

// SetLinkAddress sets the link-layer address.
func (c *Conn) SetLinkAddress(index int32, addr net.HardwareAddr) error {
	return c.SetLink(&LinkMessage{Index: index, Attrs: LinkAttrs{Address: addr}})
}

// SetLinkAlias sets the alias; "" removes it.
func (c *Conn) SetLinkAlias(index int32, alias string) error {
	return c.SetLink(&LinkMessage{Index: index, Attrs: LinkAttrs{Alias: &alias}})
}

// SetLinkTxQLen sets the transmit queue length.
func (c *Conn) SetLinkTxQLen(index int32, n uint32) error {
	return c.SetLink(&LinkMessage{Index: index, Attrs: LinkAttrs{TxQLen: &n}})
}

// SetLinkGroup puts the link in a group.
func (c *Conn) SetLinkGroup(index int32, group uint32) error {
	return c.SetLink(&LinkMessage{Index: index, Attrs: LinkAttrs{Group: &group}})
}

// SetLinkMaster enslaves a link to a master such as a bridge.
func (c *Conn) SetLinkMaster(index, master int32) error {
	m := uint32(master)
	return c.SetLink(&LinkMessage{Index: index, Attrs: LinkAttrs{Master: &m}})
}

// SetLinkNoMaster releases a link from its master.
func (c *Conn) SetLinkNoMaster(index int32) error {
	return c.SetLinkMaster(index, 0)
}

// SetLinkNetNSFD moves a link into the network namespace of a file
// descriptor, such as a named namespace's file under /run/netns.
func (c *Conn) SetLinkNetNSFD(index int32, fd int) error {
	f := uint32(fd)
	return c.SetLink(&LinkMessage{Index: index, Attrs: LinkAttrs{NetNSFD: &f}})
}

// SetLinkNetNSPID moves a link into the network namespace of a process.
func (c *Conn) SetLinkNetNSPID(index int32, pid int) error {
	return c.SetLink(&LinkMessage{Index: index, Attrs: LinkAttrs{NetNSPID: uint32(pid)}})
}

// DeleteLinks deletes a set of links by index, as one batch in the kernel.
//
// One RTM_DELLINK per link makes the kernel wait for an RCU grace period
// (rcu_barrier) each time, tens of milliseconds apiece; one RTM_DELLINK
// naming a link group unregisters every link of the group together.
// DeleteLinks moves the links into a group no other link is in, then
// deletes that group. No link outside the set is touched: the group is
// chosen unused at the time, from the top half of the group numbers.
//
// Deleting a veth deletes its peer. A link that cannot be moved into the
// group (it has gone, say) is reported in the returned error, matching its
// errno, and the others are still deleted.
func (c *Conn) DeleteLinks(indexes ...int32) error {
	switch len(indexes) {
	case 0:
		return nil
	case 1:
		return c.DeleteLink(indexes[0])
	}
	group, err := c.unusedGroup()
	if err != nil {
		return err
	}
	reqs := make([]Request, len(indexes))
	for i, idx := range indexes {
		reqs[i] = Request{Type: unix.RTM_NEWLINK, Payload: &LinkMessage{Index: idx, Attrs: LinkAttrs{Group: &group}}}
	}
	res, err := c.Batch(reqs, BatchOptions{})
	if err != nil {
		return err
	}
	var errs []error
	moved := 0
	for i, r := range res {
		if r.Err != nil {
			errs = append(errs, fmt.Errorf("rtnl: deleting link %d: %w", indexes[i], r.Err))
			continue
		}
		moved++
	}
	if moved > 0 {
		if err := c.DeleteLinkGroup(group); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// unusedGroup picks a link group that no link in the namespace is in.
func (c *Conn) unusedGroup() (uint32, error) {
	used := map[uint32]bool{}
	err := c.EachLink(nil, func(l *LinkMessage) error {
		if l.Attrs.Group != nil {
			used[*l.Attrs.Group] = true
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for {
		g := rand.Uint32() | 1<<31
		if !used[g] {
			return g, nil
		}
	}
}
