package veth_test

import (
	"fmt"
	"net"

	"github.com/linkbox/linkbox/nsfs"
	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/veth"
)

// The request of `ip link add veth0 type veth peer name veth1 netns blue`:
// the peer travels inside VETH_INFO_PEER with its own namespace.
func ExamplePair_Request() {
	p := veth.Pair{
		End:  veth.End{Name: "veth0"},
		Peer: veth.End{Name: "veth1", NetNSFD: 4, Address: net.HardwareAddr{2, 0, 0, 0, 0, 2}},
	}
	m, err := p.Request()
	if err != nil {
		panic(err)
	}
	peer := m.Attrs.Info.Data.(*veth.Info).Peer
	fmt.Println(m.Attrs.Name, m.Attrs.Info.Kind, peer.Attrs.Name, *peer.Attrs.NetNSFD, peer.Attrs.Address)
	// Output: veth0 veth veth1 4 02:00:00:00:00:02
}

// ip netns add blue; ip link add veth0 type veth peer name eth0 netns blue;
// ip link set veth0 up; ip -n blue link set eth0 up; then find the peer.
func ExampleAdd() {
	var dir nsfs.Dir // /run/netns
	if err := dir.Add("blue"); err != nil {
		panic(err)
	}
	blue, err := dir.Open("blue")
	if err != nil {
		panic(err)
	}
	defer blue.Close()
	c, err := rtnl.Dial(&rtnl.Config{Kinds: rtnl.Kinds{veth.Kind}})
	if err != nil {
		panic(err)
	}
	defer c.Close()
	l, err := veth.Add(c, veth.Pair{
		End:  veth.End{Name: "veth0", Up: true},
		Peer: veth.End{Name: "eth0", NetNSFD: blue.Fd(), Up: true},
	})
	if err != nil {
		panic(err)
	}
	p, err := veth.PeerNamed(c, l, &dir)
	if err != nil {
		panic(err)
	}
	fmt.Println(l.Attrs.Name, "peer", p.Link.Attrs.Name, "in", p.Namespace)
}
