package main

import (
	"strings"

	"github.com/linkbox/linkbox/rtnl"
)

// Commands still being written; each returns a clear error until then.

func (c *ipCmd) doAddress(a *args) error { return usagef("ip address: not yet implemented") }
func (c *ipCmd) doRoute(a *args) error   { return usagef("ip route: not yet implemented") }
func (c *ipCmd) doNeigh(a *args) error   { return usagef("ip neigh: not yet implemented") }
func (c *ipCmd) doMonitor(a *args) error { return usagef("ip monitor: not yet implemented") }
func (c *ipCmd) doNetns(a *args) error   { return usagef("ip netns: not yet implemented") }

func (c *ipCmd) parseKind(a *args, r *linkRequest, isAdd bool) error {
	if r.kind == "veth" || r.kind == "bridge" {
		r.msg.Attrs.Info = &rtnl.LinkInfo{Kind: r.kind}
	}
	return nil
}
func (c *ipCmd) beforeSend(r *linkRequest) error                         { return nil }
func (c *ipCmd) afterSend(r *linkRequest) error                          { return nil }
func (c *ipCmd) linkDetailsText(b *strings.Builder, l *rtnl.LinkMessage) {}
func (c *ipCmd) linkDetailsJSON(o *jobj, l *rtnl.LinkMessage)            {}
