package veth

import (
	"github.com/linkbox/linkbox/nsfs"
	"github.com/linkbox/linkbox/rtnl"
)

// PeerNamed is Peer with the named namespaces of d (iproute2's /run/netns
// for the zero Dir): the peer's namespace is named when it has a name
// there. Names whose files are stale are skipped.
func PeerNamed(c *rtnl.Conn, l *rtnl.LinkMessage, d *nsfs.Dir) (*PeerLink, error) {
	if l.Attrs.LinkNetNSID == nil {
		return Peer(c, l, nil)
	}
	entries, err := d.List()
	if err != nil {
		return nil, err
	}
	var named []Namespace
	for _, e := range entries {
		if e.Stale {
			continue
		}
		ns, err := d.Open(e.Name)
		if err != nil {
			continue // deleted since the listing
		}
		defer ns.Close()
		named = append(named, Namespace{Name: e.Name, FD: ns.Fd()})
	}
	return Peer(c, l, named)
}
