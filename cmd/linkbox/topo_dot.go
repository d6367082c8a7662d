package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/linkbox/linkbox/nsfs"
)

// Colours of the dot form.
const (
	dotNSFill     = "#f5f7fa"
	dotNSLine     = "#8a96a8"
	dotBridgeFill = "#dbe7fb"
	dotLinkFill   = "#ffffff"
	dotDownFont   = "#8a8a8a"
	dotProblem    = "#c62828"
	dotCable      = "#37474f"
)

// dotQuote returns s as a Graphviz double-quoted string.
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// dotLeftLabel joins lines into a quoted label, each line flush left
// (ended by \l).
func dotLeftLabel(lines ...string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, l := range lines {
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", " ").Replace(l))
		b.WriteString(`\l`)
	}
	b.WriteByte('"')
	return b.String()
}

// dotHTMLLabel is an HTML-like label: the first line bold, the others
// plain, each centred.
func dotHTMLLabel(title string, lines ...string) string {
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	var b strings.Builder
	b.WriteString("<<b>")
	b.WriteString(esc.Replace(title))
	b.WriteString("</b>")
	for _, l := range lines {
		b.WriteString("<br/>")
		b.WriteString(esc.Replace(l))
	}
	b.WriteString(">")
	return b.String()
}

// dotAttrs writes a [k=v, ...] list; values are written as given.
func dotAttrs(kv ...string) string {
	var b strings.Builder
	b.WriteString(" [")
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(kv[i])
		b.WriteByte('=')
		b.WriteString(kv[i+1])
	}
	b.WriteString("]")
	return b.String()
}

// writeTopoDot writes the Graphviz form: each namespace a box (a
// cluster), each bridge a switch (a 3-D box) with its ports beside it, each
// veth pair a cable between its two ends, every end labelled with its name,
// state, MTU and addresses. Problems are red and listed under the drawing.
func writeTopoDot(w io.Writer, t *topology, all bool) error {
	var b strings.Builder
	b.WriteString("// linkbox topo --dot | dot -Tsvg > topology.svg\n")
	b.WriteString("graph topology {\n")
	b.WriteString("\tgraph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, nodesep=0.3, ranksep=0.7, newrank=true];\n")
	b.WriteString("\tnode [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded,filled\", fillcolor=\"" + dotLinkFill + "\"];\n")
	b.WriteString("\tedge [fontname=\"Helvetica\", fontsize=9];\n")
	for i, ns := range t.namespaces {
		fmt.Fprintf(&b, "\n\tsubgraph \"cluster_%d\" {\n", i)
		title := append([]string{"netns " + nsfs.Quote(ns.key)}, ns.heading(all)...)
		style, color := `"rounded,filled"`, `"`+dotNSLine+`"`
		if ns.stale || ns.unknown || ns.err != nil {
			style = `"rounded,filled,dashed"`
		}
		if ns.stale || ns.err != nil {
			color = `"` + dotProblem + `"`
		}
		fmt.Fprintf(&b, "\t\tgraph%s;\n", dotAttrs("label", dotLeftLabel(title...), "labeljust", "l",
			"style", style, "color", color, "fillcolor", `"`+dotNSFill+`"`))
		n := 0
		for _, l := range ns.links {
			if !l.shown() {
				continue
			}
			n++
			b.WriteString("\t\t")
			b.WriteString(dotQuote(l.id()))
			b.WriteString(l.dotNode())
			b.WriteString(";\n")
		}
		if n == 0 {
			text := "(no links but lo)"
			switch {
			case ns.stale:
				text = "(stale name)"
			case ns.err != nil:
				text = "(unreadable)"
			}
			fmt.Fprintf(&b, "\t\t%s%s;\n", dotQuote(ns.key+"/"), dotAttrs("label", dotQuote(text), "shape", "plaintext", "style", `""`))
		}
		b.WriteString("\t}\n")
	}
	if len(t.edges) > 0 {
		b.WriteByte('\n')
	}
	for _, ed := range t.edges {
		a, z := ed.a, ed.b
		var attrs string
		switch ed.kind {
		case "veth":
			color := dotCable
			style := "solid"
			if a.up() != z.up() {
				color, style = dotProblem, "dashed"
			}
			attrs = dotAttrs("penwidth", "2.5", "color", `"`+color+`"`, "style", style, "label", `"veth"`)
		default:
			// The bridge first, so that it stands left of its ports.
			a, z = z, a
			attrs = dotAttrs("style", "dashed", "color", `"`+dotNSLine+`"`)
		}
		fmt.Fprintf(&b, "\t%s -- %s%s;\n", dotQuote(a.id()), dotQuote(z.id()), attrs)
	}
	if len(t.problems) > 0 {
		lines := []string{"problems:"}
		for _, p := range t.problems {
			lines = append(lines, "! "+p.message)
		}
		fmt.Fprintf(&b, "\n\tlabel=%s;\n\tlabelloc=b;\n\tlabeljust=l;\n\tfontcolor=\"%s\";\n", dotLeftLabel(lines...), dotProblem)
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// dotNode is a link's attribute list: a switch for a bridge, a rounded box
// for other links; down links greyed, links with a problem red.
func (l *topoLink) dotNode() string {
	lines := []string{nsfs.Quote(l.displayName())}
	if l.msg == nil {
		lines = append(lines, "veth (could not be read)")
	} else {
		kind := l.kind
		if kind == "" {
			kind = "device"
		}
		lines = append(lines, kind+" "+l.state()+" mtu "+strconv.FormatUint(uint64(l.mtu), 10))
		if l.stp != "" {
			lines = append(lines, "stp "+l.stp)
		}
		if l.portState != "" {
			lines = append(lines, "port "+l.portState)
		}
		for _, p := range l.addrs {
			lines = append(lines, p.String())
		}
	}
	kv := []string{"label", dotHTMLLabel(lines[0], lines[1:]...)}
	if l.kind == "bridge" {
		kv = append(kv, "shape", "box3d", "style", "filled", "fillcolor", `"`+dotBridgeFill+`"`)
	}
	if l.msg != nil && !l.up() {
		kv = append(kv, "fontcolor", `"`+dotDownFont+`"`)
	}
	if l.problem {
		kv = append(kv, "color", `"`+dotProblem+`"`, "penwidth", "2")
	}
	return dotAttrs(kv...)
}
