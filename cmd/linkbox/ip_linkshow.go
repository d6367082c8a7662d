package main

import (
	"bufio"
	"errors"
	"fmt"
	"iter"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/rtnl"
)

// linkFilter is what ip link show selects on.
type linkFilter struct {
	dev    string
	up     bool
	kind   string
	master string
	group  *uint32
}

func (c *ipCmd) parseLinkFilter(a *args) (linkFilter, error) {
	var f linkFilter
	for a.more() {
		w := a.next()
		switch {
		case w == "up":
			f.up = true
		case w == "type":
			v, err := a.value()
			if err != nil {
				return f, err
			}
			f.kind = v
		case w == "master":
			v, err := a.value()
			if err != nil {
				return f, err
			}
			f.master = v
		case matches(w, "group"):
			v, err := a.value()
			if err != nil {
				return f, err
			}
			g, err := parseGroup(v)
			if err != nil {
				return f, err
			}
			f.group = &g
		case w == "dev":
			v, err := a.value()
			if err != nil {
				return f, err
			}
			f.dev = v
		case matches(w, "help"):
			c.linkUsage()
			return f, &cliError{code: 255}
		default:
			if f.dev != "" {
				return f, errGarbage("dev", w)
			}
			f.dev = w
		}
	}
	return f, nil
}

// selectLinks dumps the links and applies the filter. The whole dump is
// kept: output names masters and peers by index.
func (c *ipCmd) selectLinks(conn *rtnl.Conn, f linkFilter) (*linkSet, []*rtnl.LinkMessage, error) {
	all, err := conn.Links()
	if err != nil && !errors.Is(err, rtnl.ErrDumpInterrupted) {
		return nil, nil, err
	}
	set := newLinkSet(all)
	set.nsName = c.nsidNamer(conn)
	if f.dev != "" {
		l, err := conn.LinkByName(f.dev)
		if errors.Is(err, unix.ENODEV) || (err != nil && rtnl.CheckLinkName(f.dev) != nil) {
			return nil, nil, &cliError{code: 1, msg: fmt.Sprintf("Device %q does not exist.", f.dev)}
		}
		if err != nil {
			return nil, nil, err
		}
		if fresh, ok := set.byIdx[l.Index]; ok {
			l = fresh
		}
		return set, []*rtnl.LinkMessage{l}, nil
	}
	var masterIdx int32
	if f.master != "" {
		if masterIdx, err = linkIndex(conn, f.master); err != nil {
			return nil, nil, err
		}
	}
	var out []*rtnl.LinkMessage
	for _, l := range all {
		if f.up && l.Flags&unix.IFF_UP == 0 {
			continue
		}
		if f.master != "" && (l.Attrs.Master == nil || int32(*l.Attrs.Master) != masterIdx) {
			continue
		}
		if f.group != nil && (l.Attrs.Group == nil || *l.Attrs.Group != *f.group) {
			continue
		}
		if f.kind != "" && !linkIsKind(l, f.kind) {
			continue
		}
		out = append(out, l)
	}
	return set, out, nil
}

// linkIsKind matches "type KIND" as iproute2 does: the link's kind, or
// KIND_slave for a port whose master has KIND.
func linkIsKind(l *rtnl.LinkMessage, kind string) bool {
	info := l.Attrs.Info
	if info == nil {
		return false
	}
	if slave, ok := strings.CutSuffix(kind, "_slave"); ok {
		return info.SlaveKind == slave
	}
	return info.Kind == kind
}

func (c *ipCmd) linkShow(a *args) error {
	f, err := c.parseLinkFilter(a)
	if err != nil {
		return err
	}
	conn, err := c.conn()
	if err != nil {
		return err
	}
	if f.dev != "" {
		set, links, err := c.selectLinks(conn, f)
		if err != nil {
			return err
		}
		return c.printLinks(set, func(yield func(*rtnl.LinkMessage) bool) {
			for _, l := range links {
				if !yield(l) {
					return
				}
			}
		})
	}
	return c.streamLinks(conn, f)
}

// streamLinks prints a link dump as it arrives. Printing a link needs the
// names (and flags) of its master and of its peer, which may come later in
// the dump; a link waits until those it names have been seen, and the
// links after it wait with it, to keep the kernel's order. A veth waits for
// its peer, the next link; so at any time only a few links are held, and
// memory stays flat whatever the number of links.
func (c *ipCmd) streamLinks(conn *rtnl.Conn, f linkFilter) error {
	// Without -s the counters are not printed: ask the kernel to leave
	// them out (RTEXT_FILTER_SKIP_STATS), which makes the dump lighter to
	// build and to carry.
	mask := uint32(1) // RTEXT_FILTER_VF, as ip asks
	if c.opts.stats == 0 {
		mask |= 1 << 3
	}
	var masterIdx int32
	if f.master != "" {
		var err error
		if masterIdx, err = linkIndex(conn, f.master); err != nil {
			return err
		}
	}
	set := &linkSet{refs: map[int32]linkRef{}, nsName: c.nsidNamer(conn)}
	// Links are printed from inside the dump, while it holds the
	// connection: learn the peer namespaces' names first, which asks the
	// kernel through the same connection.
	set.nsNameOf(0)
	p := c.newLinkPrinter(set)
	var l rtnl.LinkMessage
	emit := func(m rtnl.Message) error {
		if err := l.Decode(m.Data, conn.Kinds()); err != nil {
			return err
		}
		if !f.keep(&l, masterIdx) {
			return nil
		}
		return p.print(&l)
	}
	var pending []rtnl.Message
	ready := func(m rtnl.Message) bool {
		master, link := linkRefsOf(m.Data)
		_, mok := set.refs[master]
		_, lok := set.refs[link]
		return (master == 0 || mok) && (link == 0 || lok)
	}
	err := conn.Dump(rtnl.Request{Type: unix.RTM_GETLINK, Payload: &rtnl.LinkMessage{
		Family: unix.AF_PACKET, Attrs: rtnl.LinkAttrs{ExtMask: mask},
	}}, func(m rtnl.Message) error {
		if m.Header.Type != unix.RTM_NEWLINK {
			return nil
		}
		if idx, flags, name, ok := rtnl.PeekLink(m.Data); ok {
			set.refs[idx] = linkRef{name, flags}
		}
		pending = append(pending, m)
		n := 0
		for n < len(pending) && ready(pending[n]) {
			if err := emit(pending[n]); err != nil {
				return err
			}
			n++
		}
		// Drop what was printed, and the references it held to its
		// datagrams.
		rest := copy(pending, pending[n:])
		clear(pending[rest:])
		pending = pending[:rest]
		return nil
	})
	if err != nil && !errors.Is(err, rtnl.ErrDumpInterrupted) {
		return err
	}
	interrupted := err != nil
	// Names still unknown at the end of the dump are not in it: print the
	// rest as they are.
	for _, m := range pending {
		if err := emit(m); err != nil {
			return err
		}
	}
	if err := p.finish(); err != nil {
		return err
	}
	if interrupted {
		fmt.Fprintln(c.stderr, "Dump was interrupted and may be inconsistent.")
	}
	return nil
}

// linkRefsOf reads the indexes a link message names that printing it
// resolves: IFLA_MASTER, and IFLA_LINK unless it lives in another
// namespace (IFLA_LINK_NETNSID). 0 means none.
func linkRefsOf(b []byte) (master, link int32) {
	if len(b) < unix.SizeofIfInfomsg {
		return 0, 0
	}
	d := rtnl.NewDecoder(b[unix.SizeofIfInfomsg:])
	netns := false
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_MASTER:
			if d.Len() == 4 {
				master = int32(d.Uint32())
			}
		case unix.IFLA_LINK:
			if d.Len() == 4 {
				link = int32(d.Uint32())
			}
		case unix.IFLA_LINK_NETNSID:
			netns = true
		}
	}
	if netns {
		link = 0
	}
	return master, link
}

// keep applies the filters of ip link show that need the decoded link.
func (f *linkFilter) keep(l *rtnl.LinkMessage, masterIdx int32) bool {
	switch {
	case f.up && l.Flags&unix.IFF_UP == 0:
		return false
	case f.master != "" && (l.Attrs.Master == nil || int32(*l.Attrs.Master) != masterIdx):
		return false
	case f.group != nil && (l.Attrs.Group == nil || *l.Attrs.Group != *f.group):
		return false
	case f.kind != "" && !linkIsKind(l, f.kind):
		return false
	}
	return true
}

// printLinks writes links in the form the options ask for, one at a time:
// each link may be reused by the iterator once the next is asked for.
func (c *ipCmd) printLinks(set *linkSet, links iter.Seq[*rtnl.LinkMessage]) error {
	p := c.newLinkPrinter(set)
	for l := range links {
		if err := p.print(l); err != nil {
			return err
		}
	}
	return p.finish()
}

// linkPrinter writes links one by one in the form the options ask for.
type linkPrinter struct {
	c    *ipCmd
	set  *linkSet
	w    *bufio.Writer
	b    strings.Builder
	json *jsonArray
}

func (c *ipCmd) newLinkPrinter(set *linkSet) *linkPrinter {
	p := &linkPrinter{c: c, set: set, w: bufio.NewWriterSize(c.stdout, 64<<10)}
	if c.opts.json {
		p.json = newJSONArray(p.w, c.opts.pretty)
	}
	return p
}

// print writes one link; l may be reused once print returns.
func (p *linkPrinter) print(l *rtnl.LinkMessage) error {
	c := p.c
	if p.json != nil {
		if c.opts.brief {
			return p.json.add(c.linkBriefJSON(p.set, l))
		}
		return p.json.add(c.linkJSON(p.set, l, true))
	}
	p.b.Reset()
	switch {
	case c.opts.brief:
		c.linkBrief(&p.b, p.set, l)
	default:
		c.linkText(&p.b, p.set, l, true)
		if c.opts.oneline {
			oneline(&p.b, 0)
		}
	}
	_, err := p.w.WriteString(p.b.String())
	return err
}

// finish ends the output and flushes it.
func (p *linkPrinter) finish() error {
	if p.json != nil {
		if err := p.json.close(); err != nil {
			return err
		}
	}
	return p.w.Flush()
}

// oneline turns the record written since start into one line, as ip -o
// does: each inner newline becomes a backslash.
func oneline(b *strings.Builder, start int) {
	s := b.String()
	rec := strings.TrimSuffix(s[start:], "\n")
	rec = strings.ReplaceAll(rec, "\n", "\\")
	b.Reset()
	b.WriteString(s[:start])
	b.WriteString(rec)
	b.WriteByte('\n')
}

// nsidNamer names peer namespaces by their nsid, through the named
// namespaces under the run directory: the one whose file has that id here.
func (c *ipCmd) nsidNamer(conn *rtnl.Conn) func(int32) string {
	var names map[int32]string
	return func(id int32) string {
		if names == nil {
			names = nsidNames(conn)
		}
		return names[id]
	}
}
