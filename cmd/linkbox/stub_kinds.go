package main

import (
	"strings"

	"github.com/linkbox/linkbox/rtnl"
)

// Placeholders until the veth, bridge and bridge_slave options of ip link
// land. This file goes when they do.

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
