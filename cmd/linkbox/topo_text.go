package main

import (
	"io"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/nsfs"
)

// shown reports whether a link is drawn in the text and dot forms:
// loopback devices, in every namespace and joined to nothing, are not.
func (l *topoLink) shown() bool { return l.flags&unix.IFF_LOOPBACK == 0 }

// tops returns the links of a namespace drawn at its top level: those
// without a master there. Ports follow their master.
func (ns *topoNS) tops() []*topoLink {
	var out []*topoLink
	for _, l := range ns.links {
		if l.master == nil && l.shown() {
			out = append(out, l)
		}
	}
	return out
}

// heading is what the text form says about a namespace, after its key.
func (ns *topoNS) heading(all bool) []string {
	var w []string
	if ns.current && len(ns.names) > 0 {
		w = append(w, "(current)")
	}
	if len(ns.names) > 1 {
		q := make([]string, len(ns.names)-1)
		for i, n := range ns.names[1:] {
			q[i] = nsfs.Quote(n)
		}
		w = append(w, "also named "+strings.Join(q, ", "))
	}
	switch {
	case ns.stale:
		w = append(w, "STALE: the name's file is not a namespace mount")
	case ns.unknown && all:
		w = append(w, "not named, and no process found in it")
	case ns.unknown:
		w = append(w, "not named (--all also looks through processes)")
	case ns.err != nil:
		w = append(w, "cannot read: "+ns.err.Error())
	}
	return w
}

// words describes a link on one line: name, kind, state, MTU, bridge or
// port state, addresses, the veth's other end.
func (l *topoLink) words() []string {
	w := []string{nsfs.Quote(l.displayName())}
	if l.msg == nil {
		return append(w, "veth", "(could not be read)")
	}
	kind := l.kind
	if kind == "" {
		kind = "device"
	}
	w = append(w, kind, l.state(), "mtu "+strconv.FormatUint(uint64(l.mtu), 10))
	if l.stp != "" {
		w = append(w, "stp "+l.stp)
	}
	if l.portState != "" {
		w = append(w, l.portState)
	}
	for _, p := range l.addrs {
		w = append(w, p.String())
	}
	if l.peer != nil {
		w = append(w, "<-> "+l.peerRef())
	}
	if l.problem {
		w = append(w, "!")
	}
	return w
}

// displayName is the link's name, or ifN when it could not be read.
func (l *topoLink) displayName() string {
	if l.name == "" {
		return "if" + strconv.Itoa(int(l.index))
	}
	return l.name
}

// peerRef names a veth's other end: by name in the same namespace,
// NAMESPACE/NAME in another.
func (l *topoLink) peerRef() string {
	if l.peer.ns == l.ns {
		return nsfs.Quote(l.peer.displayName())
	}
	return nsfs.Quote(l.peer.id())
}

// writeTopoText writes the tree: each namespace, its links, bridges with
// their ports under them; then the problems.
func writeTopoText(w io.Writer, t *topology, all bool) error {
	var b strings.Builder
	for _, ns := range t.namespaces {
		b.WriteString("netns ")
		b.WriteString(nsfs.Quote(ns.key))
		for _, h := range ns.heading(all) {
			b.WriteString("  ")
			b.WriteString(h)
		}
		b.WriteByte('\n')
		if ns.stale {
			continue
		}
		tops := ns.tops()
		if len(tops) == 0 && ns.err == nil {
			b.WriteString("└── (no links but lo)\n")
		}
		for i, l := range tops {
			writeTopoBranch(&b, l, "", i == len(tops)-1)
		}
	}
	if len(t.problems) > 0 {
		b.WriteString("\nproblems:\n")
		for _, p := range t.problems {
			b.WriteString("  ! ")
			b.WriteString(p.message)
			b.WriteByte('\n')
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeTopoBranch writes a link and, under it, its ports.
func writeTopoBranch(b *strings.Builder, l *topoLink, indent string, last bool) {
	b.WriteString(indent)
	if last {
		b.WriteString("└── ")
		indent += "    "
	} else {
		b.WriteString("├── ")
		indent += "│   "
	}
	b.WriteString(strings.Join(l.words(), "  "))
	b.WriteByte('\n')
	for i, p := range l.ports {
		writeTopoBranch(b, p, indent, i == len(l.ports)-1)
	}
}
