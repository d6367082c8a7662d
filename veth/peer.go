package veth

import (
	"errors"
	"fmt"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// ErrNotVeth reports a link that is not a veth where one was needed.
var ErrNotVeth = errors.New("veth: not a veth")

// A Namespace is a named network namespace open as a file descriptor, such
// as an entry of /run/netns. Peer uses a list of them to name the
// namespace a peer lives in.
type Namespace struct {
	Name string // its name under the run directory
	FD   int    // an open file descriptor of it
}

// PeerLink is the other end of a veth, as found by Peer.
type PeerLink struct {
	// Link is the peer as its own namespace reports it.
	Link *rtnl.LinkMessage
	// NSID is the id the asking namespace gives the peer's namespace
	// (IFLA_LINK_NETNSID); nil when the peer is in the same namespace.
	NSID *int32
	// Namespace names the peer's namespace, when it is one of the named
	// namespaces given to Peer.
	Namespace string
}

// rtextFilterVF and rtextFilterSkipStats are RTEXT_FILTER_VF and
// RTEXT_FILTER_SKIP_STATS, from include/uapi/linux/rtnetlink.h: what
// iproute2 asks for when it looks one link up.
const (
	rtextFilterVF        = 1 << 0
	rtextFilterSkipStats = 1 << 3
)

// Peer finds the other end of veth l, which c read. The kernel reports a
// veth's peer as its ifindex (IFLA_LINK) and, when the peer lives in
// another namespace, that namespace's id as seen from c's namespace
// (IFLA_LINK_NETNSID). The peer is then fetched with RTM_GETLINK and
// IFLA_TARGET_NETNSID, without entering the namespace. named, if given, is
// searched for the namespace with that id (RTM_GETNSID with NETNSA_FD), to
// name it; if the kernel refuses IFLA_TARGET_NETNSID, the peer is read
// through a socket opened in the named namespace instead.
func Peer(c *rtnl.Conn, l *rtnl.LinkMessage, named []Namespace) (*PeerLink, error) {
	if l.Attrs.Info == nil || l.Attrs.Info.Kind != kindName {
		return nil, fmt.Errorf("%w: link %q (index %d)", ErrNotVeth, l.Attrs.Name, l.Index)
	}
	idx := int32(l.Attrs.Link)
	if idx == 0 {
		return nil, fmt.Errorf("veth: link %q reports no peer (IFLA_LINK): %w", l.Attrs.Name, rtnl.ErrNotFound)
	}
	if l.Attrs.LinkNetNSID == nil {
		p, err := c.LinkByIndex(idx)
		if err != nil {
			return nil, fmt.Errorf("veth: peer of %q: %w", l.Attrs.Name, err)
		}
		return &PeerLink{Link: p}, nil
	}
	nsid := *l.Attrs.LinkNetNSID
	out := &PeerLink{NSID: &nsid}
	fd := -1
	for _, ns := range named {
		id, err := c.NSIDOfFD(ns.FD)
		if err != nil {
			return nil, fmt.Errorf("veth: id of namespace %q: %w", ns.Name, err)
		}
		if id == nsid {
			out.Namespace, fd = ns.Name, ns.FD
			break
		}
	}
	p, err := linkInNSID(c, idx, nsid)
	if err != nil && fd >= 0 {
		p, err = linkInNS(c, idx, fd)
	}
	if err != nil {
		return nil, fmt.Errorf("veth: peer of %q (index %d in namespace id %d): %w", l.Attrs.Name, idx, nsid, err)
	}
	out.Link = p
	return out, nil
}

// linkInNSID reads link idx of the namespace with id nsid, from c.
func linkInNSID(c *rtnl.Conn, idx, nsid int32) (*rtnl.LinkMessage, error) {
	req := &rtnl.LinkMessage{Index: idx, Attrs: rtnl.LinkAttrs{
		ExtMask:       rtextFilterVF | rtextFilterSkipStats,
		TargetNetNSID: &nsid,
	}}
	msgs, err := c.Execute(rtnl.Request{Type: unix.RTM_GETLINK, Payload: req})
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWLINK {
			continue
		}
		p := new(rtnl.LinkMessage)
		if err := p.Decode(m.Data, c.Kinds()); err != nil {
			return nil, err
		}
		return p, nil
	}
	return nil, rtnl.ErrNotFound
}

// linkInNS reads link idx through a socket opened in the namespace of fd.
func linkInNS(c *rtnl.Conn, idx int32, fd int) (*rtnl.LinkMessage, error) {
	nc, err := rtnl.Dial(&rtnl.Config{NetNS: fd, Kinds: c.Kinds()})
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	return nc.LinkByIndex(idx)
}
