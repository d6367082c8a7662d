package nsfs

import (
	"runtime"

	"github.com/linkbox/linkbox/rtnl"
)

// Dial opens an rtnetlink connection whose socket lives in ns: cfg (which
// may be nil) with NetNS set to ns. The socket is created on a thread of
// mdlayher/netlink's own that switches into ns and back; afterwards it
// stays in ns whatever thread uses it, and ns may be closed. This is how
// to work on a namespace's links without switching any thread (`ip -n`).
func Dial(ns *NS, cfg *rtnl.Config) (*rtnl.Conn, error) {
	if ns == nil || ns.fd < 0 {
		return nil, &Error{Op: "dial", Kind: ErrClosed}
	}
	var c rtnl.Config
	if cfg != nil {
		c = *cfg
	}
	c.NetNS = ns.fd
	conn, err := rtnl.Dial(&c)
	runtime.KeepAlive(ns)
	if err != nil {
		return nil, newError("dial", ns.path, nil, err)
	}
	return conn, nil
}

// Dial opens an rtnetlink connection in the namespace called name; see
// Dial.
func (d *Dir) Dial(name string, cfg *rtnl.Config) (*rtnl.Conn, error) {
	ns, err := d.Open(name)
	if err != nil {
		return nil, renameOp(err, "dial")
	}
	defer ns.Close()
	return Dial(ns, cfg)
}

// NSID returns the id that the namespace of c gives to ns (RTM_GETNSID
// with NETNSA_FD), or rtnl.NSIDNotAssigned. It is the "(id: N)" of
// `ip netns list`, and what IFLA_LINK_NETNSID says of a veth whose peer
// lives in ns.
func NSID(c *rtnl.Conn, ns *NS) (int32, error) {
	if ns == nil || ns.fd < 0 {
		return 0, &Error{Op: "nsid", Kind: ErrClosed}
	}
	id, err := c.NSIDOfFD(ns.fd)
	runtime.KeepAlive(ns)
	if err != nil {
		return 0, newError("nsid", ns.path, nil, err)
	}
	return id, nil
}

// SetNSID gives ns the id id in the namespace of c (RTM_NEWNSID), as
// `ip netns set NAME ID`; rtnl.NSIDNotAssigned lets the kernel pick. An
// id, once given, cannot be changed: the kernel answers EEXIST.
func SetNSID(c *rtnl.Conn, ns *NS, id int32) error {
	if ns == nil || ns.fd < 0 {
		return &Error{Op: "set nsid", Kind: ErrClosed}
	}
	err := c.SetNSIDOfFD(ns.fd, id)
	runtime.KeepAlive(ns)
	if err != nil {
		return newError("set nsid", ns.path, nil, err)
	}
	return nil
}

// NSID returns the id the namespace of c gives to the namespace called
// name; see NSID.
func (d *Dir) NSID(c *rtnl.Conn, name string) (int32, error) {
	ns, err := d.Open(name)
	if err != nil {
		return 0, renameOp(err, "nsid")
	}
	defer ns.Close()
	return NSID(c, ns)
}

// SetNSID gives the namespace called name the id id in the namespace of
// c, as `ip netns set NAME ID`; see SetNSID.
func (d *Dir) SetNSID(c *rtnl.Conn, name string, id int32) error {
	ns, err := d.Open(name)
	if err != nil {
		return renameOp(err, "set nsid")
	}
	defer ns.Close()
	return SetNSID(c, ns, id)
}

// NSIDEntry is one id that the namespace of a connection gives to a peer
// namespace.
type NSIDEntry struct {
	NSID int32  // NETNSA_NSID
	Name string // the name of that namespace in the Dir, "" if it has none here
}

// ListNSIDs lists the ids the namespace of c has given to peer namespaces
// (an RTM_GETNSID dump), as `ip netns list-id`, with the name of each
// peer where the Dir has one: the kernel does not say which namespace an
// id stands for, so each name's id is asked for and compared.
func (d *Dir) ListNSIDs(c *rtnl.Conn) ([]NSIDEntry, error) {
	msgs, err := c.NSIDs()
	if err != nil {
		return nil, newError("list nsids", "", nil, err)
	}
	names, err := d.namesByNSID(c)
	if err != nil {
		return nil, err
	}
	out := make([]NSIDEntry, 0, len(msgs))
	for _, m := range msgs {
		if m.Attrs.NSID == nil {
			continue
		}
		id := *m.Attrs.NSID
		out = append(out, NSIDEntry{NSID: id, Name: names[id]})
	}
	return out, nil
}

// NameOfNSID returns the name of the namespace that the namespace of c
// calls id, or an error matching ErrNotExist if no name in the Dir has
// that id. It names the namespace of a veth's peer from the peer's
// IFLA_LINK_NETNSID.
func (d *Dir) NameOfNSID(c *rtnl.Conn, id int32) (string, error) {
	names, err := d.namesByNSID(c)
	if err != nil {
		return "", err
	}
	n, ok := names[id]
	if !ok || id < 0 {
		return "", &Error{Op: "name of nsid", Name: itoa32(id), Kind: ErrNotExist}
	}
	return n, nil
}

// namesByNSID maps each id to the first name, in sorted order, that has
// it. Stale names and names that vanish meanwhile are skipped.
func (d *Dir) namesByNSID(c *rtnl.Conn) (map[int32]string, error) {
	entries, err := d.List()
	if err != nil {
		return nil, err
	}
	names := make(map[int32]string)
	for _, e := range entries {
		if e.Stale {
			continue
		}
		ns, err := d.Open(e.Name)
		if err != nil {
			continue
		}
		id, err := NSID(c, ns)
		ns.Close()
		if err != nil {
			return nil, err
		}
		if _, dup := names[id]; id >= 0 && !dup {
			names[id] = e.Name
		}
	}
	return names, nil
}
