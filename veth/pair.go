package veth

import (
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// End holds the settings of one end of a veth pair. Zero values are not
// sent: the kernel's defaults apply.
type End struct {
	Name        string           // IFLA_IFNAME; empty lets the kernel choose (vethN)
	MTU         uint32           // IFLA_MTU
	Address     net.HardwareAddr // IFLA_ADDRESS; nil for a random address
	TxQLen      *uint32          // IFLA_TXQLEN
	Group       *uint32          // IFLA_GROUP
	NumTxQueues uint32           // IFLA_NUM_TX_QUEUES
	NumRxQueues uint32           // IFLA_NUM_RX_QUEUES
	// NetNSFD, if non-zero, is a file descriptor of the network namespace
	// to create this end in (IFLA_NET_NS_FD), such as a named namespace's
	// file under /run/netns.
	NetNSFD int
	// NetNSPID, if non-zero, creates this end in the network namespace of
	// that process (IFLA_NET_NS_PID).
	NetNSPID int
	// Up brings the end up (IFF_UP). The kernel refuses IFF_UP on the
	// peer inside the creating request (ENOTCONN: the peer is registered
	// before the end it points back to), so Add brings the peer up with a
	// second request and deletes the pair if that fails.
	Up bool
}

// Pair describes a veth pair to create: the first end, whose message
// carries the request, and its peer, carried in VETH_INFO_PEER.
type Pair struct {
	End      // the first end
	Peer End // the other end, VETH_INFO_PEER
	// Master, if non-zero, is the ifindex of a bridge (or other master)
	// in the creating namespace to attach the first end to, in the same
	// request (IFLA_MASTER). The kernel ignores IFLA_MASTER on the peer.
	Master int32
}

func (e *End) check(which string) error {
	if e.Name != "" {
		if err := rtnl.CheckLinkName(e.Name); err != nil {
			return fmt.Errorf("veth: %s: %w", which, err)
		}
	}
	if e.NetNSFD != 0 && e.NetNSPID != 0 {
		return fmt.Errorf("veth: %s: both a namespace fd and a pid given", which)
	}
	if e.NetNSFD < 0 || e.NetNSPID < 0 {
		return fmt.Errorf("veth: %s: negative namespace fd or pid", which)
	}
	return nil
}

func (e *End) message(up bool) *rtnl.LinkMessage {
	m := &rtnl.LinkMessage{Attrs: rtnl.LinkAttrs{
		Name:        e.Name,
		MTU:         e.MTU,
		Address:     e.Address,
		TxQLen:      e.TxQLen,
		Group:       e.Group,
		NumTxQueues: e.NumTxQueues,
		NumRxQueues: e.NumRxQueues,
		NetNSPID:    uint32(e.NetNSPID),
	}}
	if e.NetNSFD != 0 {
		m.Attrs.NetNSFD = new(uint32(e.NetNSFD))
	}
	if up && e.Up {
		m.Flags, m.Change = unix.IFF_UP, unix.IFF_UP
	}
	return m
}

// Request returns the RTM_NEWLINK payload that creates the pair in one
// message, as `ip link add NAME type veth peer name PEER ...` sends it: the
// first end's ifinfomsg and attributes, then IFLA_LINKINFO with kind "veth"
// and VETH_INFO_PEER holding the peer's own ifinfomsg and attributes, its
// namespace included. Peer.Up is left out (the kernel refuses it there).
func (p *Pair) Request() (*rtnl.LinkMessage, error) {
	if err := p.End.check("first end"); err != nil {
		return nil, err
	}
	if err := p.Peer.check("peer"); err != nil {
		return nil, err
	}
	if p.Master < 0 {
		return nil, fmt.Errorf("veth: negative master index %d", p.Master)
	}
	m := p.End.message(true)
	if p.Master != 0 {
		m.Attrs.Master = new(uint32(p.Master))
	}
	m.Attrs.Info = &rtnl.LinkInfo{Kind: kindName, Data: &Info{Peer: p.Peer.message(false)}}
	return m, nil
}

// Add creates the pair with one RTM_NEWLINK: the peer is created straight
// in its namespace, so both ends never sit on the host together, and a
// failure leaves neither end behind (the kernel unregisters both). The
// first end is attached to Master and brought up in the same request.
//
// It returns the first end as the kernel reports it (NLM_F_ECHO; kernels
// before 6.1 do not echo, and the end is then looked up by name, which
// needs a name). If Peer.Up is set, Add then brings the peer up through a
// connection in the peer's namespace, found by name; if that fails it
// deletes the pair and returns the error.
func Add(c *rtnl.Conn, p Pair) (*rtnl.LinkMessage, error) {
	m, err := p.Request()
	if err != nil {
		return nil, err
	}
	if p.Peer.Up && p.Peer.Name == "" {
		return nil, errors.New("veth: bringing the peer up needs its name")
	}
	l, err := c.AddLink(m, true)
	if err != nil {
		return nil, err
	}
	if l == nil {
		if l, err = lookup(c, &p.End); err != nil {
			return nil, fmt.Errorf("veth: created, but looking %q up: %w", p.Name, err)
		}
	}
	if p.Peer.Up {
		if err := inNamespace(c, &p.Peer, func(pc *rtnl.Conn) error {
			idx, err := pc.LinkIndex(p.Peer.Name)
			if err != nil {
				return err
			}
			return pc.SetLinkUp(idx)
		}); err != nil {
			// Deleting either end deletes both; the first end may live
			// in another namespace than c's.
			derr := inNamespace(c, &p.End, func(fc *rtnl.Conn) error { return fc.DeleteLink(l.Index) })
			if derr != nil {
				return nil, fmt.Errorf("veth: bringing peer %s up: %w (and deleting the pair failed: %w)", p.Peer.Name, err, derr)
			}
			return nil, fmt.Errorf("veth: bringing peer %s up: %w", p.Peer.Name, err)
		}
	}
	return l, nil
}

// lookup finds end e, just created, by name in its namespace.
func lookup(c *rtnl.Conn, e *End) (*rtnl.LinkMessage, error) {
	if e.Name == "" {
		return nil, errors.New("the kernel did not echo the new link and it has no name to look it up by")
	}
	var l *rtnl.LinkMessage
	err := inNamespace(c, e, func(ec *rtnl.Conn) error {
		var err error
		l, err = ec.LinkByName(e.Name)
		return err
	})
	return l, err
}

// inNamespace runs fn with a connection in the namespace end e was created
// in: c itself, or a socket opened there (no thread switches namespace).
func inNamespace(c *rtnl.Conn, e *End, fn func(*rtnl.Conn) error) error {
	fd := e.NetNSFD
	if e.NetNSPID != 0 {
		f, err := os.Open(fmt.Sprintf("/proc/%d/ns/net", e.NetNSPID))
		if err != nil {
			return err
		}
		defer f.Close()
		fd = int(f.Fd())
	}
	if fd == 0 {
		return fn(c)
	}
	nc, err := rtnl.Dial(&rtnl.Config{NetNS: fd, Kinds: c.Kinds()})
	if err != nil {
		return err
	}
	defer nc.Close()
	return fn(nc)
}
