package rtnl

import (
	"errors"
	"fmt"
	"net/netip"

	"golang.org/x/sys/unix"
)

// Address operations, the `ip address` commands.

// Addrs lists addresses as `ip address show` does: family is AF_INET,
// AF_INET6 or 0 for both, index a link's index or 0 for every link. The
// dump request carries both in its ifaddrmsg, which a kernel with strict
// checking (Dial turns it on) uses as a filter; the result is filtered
// here as well, for kernels that ignore them. With ErrDumpInterrupted the
// addresses of the last try are returned too.
func (c *Conn) Addrs(family int, index int32) ([]*AddressMessage, error) {
	req := &AddressMessage{Family: uint8(family), Index: index}
	msgs, err := c.DumpAll(Request{Type: unix.RTM_GETADDR, Payload: req})
	out, derr := DecodeAll(msgs, unix.RTM_NEWADDR, func(a *AddressMessage) bool {
		return (family == 0 || int(a.Family) == family) && (index == 0 || a.Index == index)
	})
	if derr != nil {
		return nil, derr
	}
	return out, err
}

// AddAddr adds the address local, with its prefix length, to the link with
// the given index, as `ip address add` does (RTM_NEWADDR with
// NLM_F_CREATE|NLM_F_EXCL). An address already there is an error matching
// unix.EEXIST.
func (c *Conn) AddAddr(index int32, local netip.Prefix, o *AddrOptions) error {
	return c.modifyAddr(unix.RTM_NEWADDR, unix.NLM_F_CREATE|unix.NLM_F_EXCL, index, local, o)
}

// ReplaceAddr adds the address or changes it if it is there, as
// `ip address replace` does (NLM_F_CREATE|NLM_F_REPLACE): lifetimes, flags
// and metric are updated in place.
func (c *Conn) ReplaceAddr(index int32, local netip.Prefix, o *AddrOptions) error {
	return c.modifyAddr(unix.RTM_NEWADDR, unix.NLM_F_CREATE|unix.NLM_F_REPLACE, index, local, o)
}

// DeleteAddr removes an address from a link, as `ip address del` does. A
// missing address is an error matching unix.EADDRNOTAVAIL. Deleting a
// primary IPv4 address deletes its secondaries too, unless the link
// promotes them (net.ipv4.conf.*.promote_secondaries).
func (c *Conn) DeleteAddr(index int32, local netip.Prefix, o *AddrOptions) error {
	return c.modifyAddr(unix.RTM_DELADDR, 0, index, local, o)
}

func (c *Conn) modifyAddr(cmd, flags uint16, index int32, local netip.Prefix, o *AddrOptions) error {
	m, err := NewAddressMessage(cmd, index, local, o)
	if err != nil {
		return err
	}
	_, err = c.Execute(Request{Type: cmd, Flags: flags, Payload: m})
	return err
}

// DeleteAddrMessage deletes an address described by a message, typically
// one Addrs returned: it is sent back whole as RTM_DELADDR, as
// `ip address flush` does.
func (c *Conn) DeleteAddrMessage(m *AddressMessage) error {
	_, err := c.Execute(Request{Type: unix.RTM_DELADDR, Payload: m})
	return err
}

// maxFlushRounds bounds the dump-and-delete rounds of a flush, as
// iproute2's MAX_ROUNDS does.
const maxFlushRounds = 10

// FlushAddrs deletes every address of the link with the given index, or
// only those of one family (AF_INET, AF_INET6; 0 for both), as
// `ip address flush dev D` does: it dumps the link's addresses and sends
// each back as RTM_DELADDR, in one pipelined batch, until a dump comes back
// empty. IPv6 link-local addresses go too. An address already gone when its
// delete arrives (a secondary removed with its primary) is not an error.
func (c *Conn) FlushAddrs(index int32, family int) error {
	if index <= 0 {
		return fmt.Errorf("rtnl: flushing addresses: no link index")
	}
	for range maxFlushRounds {
		addrs, err := c.Addrs(family, index)
		if err != nil && !errors.Is(err, ErrDumpInterrupted) {
			return err
		}
		if len(addrs) == 0 && err == nil {
			return nil
		}
		reqs := make([]Request, len(addrs))
		for i, a := range addrs {
			reqs[i] = Request{Type: unix.RTM_DELADDR, Payload: a}
		}
		results, err := c.Batch(reqs, BatchOptions{})
		if err != nil {
			return err
		}
		for _, r := range results {
			if r.Err != nil && !errors.Is(r.Err, unix.EADDRNOTAVAIL) {
				return r.Err
			}
		}
	}
	return fmt.Errorf("rtnl: flushing addresses of link %d: still there after %d rounds", index, maxFlushRounds)
}
