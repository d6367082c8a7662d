package rtnl

import (
	"net/netip"

	"golang.org/x/sys/unix"
)

// Route operations, the `ip route` commands.

// Routes lists routes as `ip route show` does: family is AF_INET, AF_INET6
// or 0 for all, table a table id or 0 for every table ("table all");
// RT_TABLE_MAIN is what `ip route show` lists. A table is asked for in
// RTA_TABLE, which a kernel with strict checking (Dial turns it on) uses as
// a filter; family and table are filtered here as well. Cached routes
// (RTM_F_CLONED) are not asked for. With ErrDumpInterrupted the routes of
// the last try are returned too.
func (c *Conn) Routes(family int, table uint32) ([]*RouteMessage, error) {
	req := &RouteMessage{Family: uint8(family)}
	if table != 0 {
		req.Attrs.Table = table
	}
	msgs, err := c.DumpAll(Request{Type: unix.RTM_GETROUTE, Payload: req})
	out, derr := DecodeAll(msgs, unix.RTM_NEWROUTE, func(r *RouteMessage) bool {
		return (family == 0 || int(r.Family) == family) && (table == 0 || r.TableID() == table)
	})
	if derr != nil {
		return nil, derr
	}
	return out, err
}

// AddRoute adds a route to dst, as `ip route add` does (RTM_NEWROUTE with
// NLM_F_CREATE|NLM_F_EXCL); see NewRouteMessage for how dst and o become
// the request. A route already there is an error matching unix.EEXIST.
func (c *Conn) AddRoute(dst netip.Prefix, o *RouteOptions) error {
	return c.modifyRoute(unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_EXCL, dst, o)
}

// ReplaceRoute adds a route or replaces the one to the same destination
// with the same TOS and metric, as `ip route replace` does
// (NLM_F_CREATE|NLM_F_REPLACE).
func (c *Conn) ReplaceRoute(dst netip.Prefix, o *RouteOptions) error {
	return c.modifyRoute(unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_REPLACE, dst, o)
}

// DeleteRoute deletes the route to dst that matches o, as `ip route del`
// does. Options left zero match any route: iproute2 sends protocol and type
// 0 and scope RT_SCOPE_NOWHERE for a delete. A missing route is an error
// matching unix.ESRCH.
func (c *Conn) DeleteRoute(dst netip.Prefix, o *RouteOptions) error {
	return c.modifyRoute(unix.RTM_DELROUTE, 0, dst, o)
}

func (c *Conn) modifyRoute(cmd, flags uint16, dst netip.Prefix, o *RouteOptions) error {
	m, err := NewRouteMessage(cmd, dst, o)
	if err != nil {
		return err
	}
	_, err = c.Execute(Request{Type: cmd, Flags: flags, Payload: m})
	return err
}

// DeleteRouteMessage deletes the route a message describes, typically one
// Routes returned, by sending it back whole as RTM_DELROUTE, as
// `ip route flush` does.
func (c *Conn) DeleteRouteMessage(m *RouteMessage) error {
	_, err := c.Execute(Request{Type: unix.RTM_DELROUTE, Payload: m})
	return err
}
