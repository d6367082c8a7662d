// Command benchlib runs make bench's scenarios with linkbox's library, in
// the request shapes the kernel handles fastest, so that they can be timed
// as a process beside ip and linkbox -batch (wall and CPU time, peak RSS).
// It runs in whatever network namespace it is started in: the harness
// starts it in a throwaway one.
//
//	benchlib S1|S1c|S2|S2c|S3 N
package main

import (
	"fmt"
	"net/netip"
	"os"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/bridge"
	"github.com/linkbox/linkbox/nsfs"
	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/veth"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: benchlib S1|S1c|S2|S2c|S3 N")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	c, err := rtnl.Dial(&rtnl.Config{Kinds: rtnl.Kinds{veth.Kind, bridge.Kind, bridge.PortKind}, ReceiveBuffer: 1 << 20})
	if err != nil {
		fail(err)
	}
	switch os.Args[1] {
	case "S1":
		err = s1(c, n, true)
	case "S1c":
		err = s1(c, n, false)
	case "S2":
		err = s2(c, n, true)
	case "S2c":
		err = s2(c, n, false)
	case "S3":
		err = s3(c, n)
	default:
		err = fmt.Errorf("unknown scenario %q", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "benchlib:", err)
	os.Exit(1)
}

// benchGroup is the link group the scenarios put their links in, so that
// teardown is one batched delete.
const benchGroup = 0x4c42

// batch sends requests pipelined and fails on the first error.
func batch(c *rtnl.Conn, reqs []rtnl.Request) ([]rtnl.Result, error) {
	res, err := c.Batch(reqs, rtnl.BatchOptions{Window: 128})
	if err != nil {
		return nil, err
	}
	for i, r := range res {
		if r.Err != nil {
			return nil, fmt.Errorf("request %d: %w", i, r.Err)
		}
	}
	return res, nil
}

// addr is the i-th address of a /15 half: 198.18.x.y or 198.19.x.y.
func addr(half, i int) netip.Prefix {
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{198, byte(18 + half), byte(i / 256), byte(i % 256)}), 32)
}

// s1: n veth pairs, both ends up, a /32 on each end; then, with teardown,
// every pair deleted. Creation is one pipelined batch with NLM_F_ECHO,
// which gives both ends' indexes; the first end comes up in its creation
// request; the peers and addresses are a second batch; teardown is one
// group delete.
func s1(c *rtnl.Conn, n int, teardown bool) error {
	group := uint32(benchGroup)
	reqs := make([]rtnl.Request, n)
	for i := range reqs {
		p := veth.Pair{
			End:  veth.End{Name: fmt.Sprintf("s1a%d", i), Up: true, Group: &group},
			Peer: veth.End{Name: fmt.Sprintf("s1b%d", i), Group: &group},
		}
		m, err := p.Request()
		if err != nil {
			return err
		}
		reqs[i] = rtnl.Request{Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_CREATE | unix.NLM_F_EXCL | unix.NLM_F_ECHO, Payload: m}
	}
	res, err := batch(c, reqs)
	if err != nil {
		return err
	}
	reqs = reqs[:0]
	for i, r := range res {
		a, b, err := ends(r)
		if err != nil {
			return err
		}
		up := &rtnl.LinkMessage{Index: b, Flags: unix.IFF_UP, Change: unix.IFF_UP}
		am, err := rtnl.NewAddressMessage(unix.RTM_NEWADDR, a, addr(0, i), nil)
		if err != nil {
			return err
		}
		bm, err := rtnl.NewAddressMessage(unix.RTM_NEWADDR, b, addr(1, i), nil)
		if err != nil {
			return err
		}
		reqs = append(reqs,
			rtnl.Request{Type: unix.RTM_NEWLINK, Payload: up},
			rtnl.Request{Type: unix.RTM_NEWADDR, Flags: unix.NLM_F_CREATE | unix.NLM_F_EXCL, Payload: am},
			rtnl.Request{Type: unix.RTM_NEWADDR, Flags: unix.NLM_F_CREATE | unix.NLM_F_EXCL, Payload: bm})
	}
	if _, err := batch(c, reqs); err != nil {
		return err
	}
	if teardown {
		return c.DeleteLinkGroup(group)
	}
	return nil
}

// ends returns the indexes of a new veth's two ends from the echo of its
// creation: the link itself, and its peer in IFLA_LINK.
func ends(r rtnl.Result) (int32, int32, error) {
	for _, m := range r.Replies {
		if m.Header.Type != unix.RTM_NEWLINK {
			continue
		}
		var l rtnl.LinkMessage
		if err := l.UnmarshalBinary(m.Data); err != nil {
			return 0, 0, err
		}
		return l.Index, int32(l.Attrs.Link), nil
	}
	return 0, 0, fmt.Errorf("no echo of the new link")
}

// s2: a bridge, then n times a named namespace with a veth pair: one end on
// the bridge and up, the other born in the namespace, up, with an address;
// then, with teardown, everything deleted. Each peer is created in its
// namespace, so no link ever moves; each namespace's settings go through a
// socket opened in it.
func s2(c *rtnl.Conn, n int, teardown bool) error {
	group := uint32(benchGroup)
	br := bridge.NewRequest("br0", &bridge.Info{})
	br.Flags, br.Change = unix.IFF_UP, unix.IFF_UP
	brl, err := c.AddLink(br, true)
	if err != nil {
		return err
	}
	var dir nsfs.Dir
	fds := make([]*nsfs.NS, n)
	reqs := make([]rtnl.Request, n)
	for i := range n {
		name := fmt.Sprintf("ns%d", i)
		if err := dir.Add(name); err != nil {
			return err
		}
		if fds[i], err = dir.Open(name); err != nil {
			return err
		}
		p := veth.Pair{
			End:    veth.End{Name: fmt.Sprintf("v%d", i), Up: true, Group: &group},
			Peer:   veth.End{Name: fmt.Sprintf("p%d", i), NetNSFD: fds[i].Fd()},
			Master: brl.Index,
		}
		m, err := p.Request()
		if err != nil {
			return err
		}
		reqs[i] = rtnl.Request{Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_CREATE | unix.NLM_F_EXCL, Payload: m}
	}
	if _, err := batch(c, reqs); err != nil {
		return err
	}
	for i, ns := range fds {
		pc, err := nsfs.Dial(ns, nil)
		if err != nil {
			return err
		}
		// The peer is the namespace's only link besides lo: name it in
		// the request instead of looking its index up.
		up := &rtnl.LinkMessage{Flags: unix.IFF_UP, Change: unix.IFF_UP, Attrs: rtnl.LinkAttrs{Name: fmt.Sprintf("p%d", i)}}
		if err := pc.SetLink(up); err != nil {
			return err
		}
		idx, err := pc.LinkIndex(fmt.Sprintf("p%d", i))
		if err != nil {
			return err
		}
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 18, byte(i / 250), byte(i%250 + 1)}), 16)
		if err := pc.AddAddr(idx, p, nil); err != nil {
			return err
		}
		pc.Close()
		ns.Close()
	}
	if !teardown {
		return nil
	}
	if err := c.DeleteLinkGroup(group); err != nil {
		return err
	}
	if err := c.DeleteLink(brl.Index); err != nil {
		return err
	}
	for i := range n {
		if err := dir.Delete(fmt.Sprintf("ns%d", i)); err != nil {
			return err
		}
	}
	return nil
}

// s3: list the links n times, decoding every one.
func s3(c *rtnl.Conn, n int) error {
	for range n {
		count := 0
		err := c.EachLink(nil, func(*rtnl.LinkMessage) error {
			count++
			return nil
		})
		if err != nil {
			return err
		}
		if count == 0 {
			return fmt.Errorf("no links")
		}
	}
	return nil
}
