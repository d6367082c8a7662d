package main

import (
	"io"

	"github.com/linkbox/linkbox/nsfs"
)

// topoJSON is the JSON form: four arrays (namespaces, nodes, edges,
// problems) of objects whose keys are always present, in a fixed order,
// null where they do not apply. A node's id is "NAMESPACE/IFNAME" and a
// namespace's id is its key (see topoNS.key); edges and problems refer to
// them.
func topoJSON(t *topology) *jobj {
	namespaces := []any{}
	nodes := []any{}
	for _, ns := range t.namespaces {
		var o jobj
		names := ns.names
		if names == nil {
			names = []string{}
		}
		pids := ns.pids
		if pids == nil {
			pids = []int{}
		}
		var inode, errText any
		if ns.id != (nsfs.ID{}) {
			inode = ns.id.Ino
		}
		if ns.err != nil {
			errText = ns.err.Error()
		}
		o.add("id", ns.key).add("names", names).add("current", ns.current).
			add("stale", ns.stale).add("unknown", ns.unknown).add("inode", inode).
			add("pids", pids).add("error", errText)
		namespaces = append(namespaces, &o)
		for _, l := range ns.links {
			nodes = append(nodes, l.json())
		}
	}
	edges := []any{}
	for _, ed := range t.edges {
		var o jobj
		o.add("type", ed.kind).add("a", ed.a.id()).add("b", ed.b.id())
		edges = append(edges, &o)
	}
	problems := []any{}
	for _, p := range t.problems {
		var o jobj
		var node any
		if p.link != nil {
			node = p.link.id()
		}
		o.add("type", p.kind).add("netns", p.ns.key).add("node", node).add("message", p.message)
		problems = append(problems, &o)
	}
	var o jobj
	o.add("namespaces", namespaces).add("nodes", nodes).add("edges", edges).add("problems", problems)
	return &o
}

// json is a node: one link.
func (l *topoLink) json() *jobj {
	var o jobj
	null := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	var mtu, up, lowerUp, oper, master, peer any
	if l.msg != nil {
		mtu, up, lowerUp, oper = l.mtu, l.up(), l.lowerUp(), operState(l.operState)
	}
	if l.master != nil {
		master = l.master.id()
	}
	if l.peer != nil {
		peer = l.peer.id()
	}
	addrs := make([]string, len(l.addrs))
	for i, p := range l.addrs {
		addrs[i] = p.String()
	}
	o.add("id", l.id()).add("netns", l.ns.key).add("ifname", null(l.name)).add("ifindex", l.index).
		add("kind", null(l.kind)).add("mtu", mtu).add("up", up).add("lower_up", lowerUp).
		add("operstate", oper).add("address", null(l.mac)).add("addrs", addrs).
		add("master", master).add("peer", peer).add("stp", null(l.stp)).add("port_state", null(l.portState))
	return &o
}

// writeTopoJSON writes the JSON form, indented with pretty.
func writeTopoJSON(w io.Writer, t *topology, pretty bool) error {
	return writeJSON(w, topoJSON(t), pretty)
}
