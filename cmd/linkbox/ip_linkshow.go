package main

import (
	"bufio"
	"encoding/binary"
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

// streamLinks prints a whole link dump without keeping it decoded: the
// dump's datagrams are kept as they came, a first pass notes each link's
// name and flags (all that printing another link needs from it), and the
// second decodes and prints one link at a time into the same message.
func (c *ipCmd) streamLinks(conn *rtnl.Conn, f linkFilter) error {
	msgs, err := conn.DumpAll(rtnl.Request{Type: unix.RTM_GETLINK, Payload: &rtnl.LinkMessage{
		Family: unix.AF_PACKET, Attrs: rtnl.LinkAttrs{ExtMask: 1}, // RTEXT_FILTER_VF, as ip asks
	}})
	if err != nil && !errors.Is(err, rtnl.ErrDumpInterrupted) {
		return err
	}
	light := make([]rtnl.LinkMessage, 0, len(msgs))
	set := &linkSet{byIdx: make(map[int32]*rtnl.LinkMessage, len(msgs))}
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWLINK {
			continue
		}
		idx, flags, name, ok := linkNameOf(m.Data)
		if !ok {
			continue
		}
		light = append(light, rtnl.LinkMessage{Index: idx, Flags: flags, Attrs: rtnl.LinkAttrs{Name: name}})
		set.byIdx[idx] = &light[len(light)-1]
	}
	set.nsName = c.nsidNamer(conn)
	var masterIdx int32
	if f.master != "" {
		if masterIdx, err = linkIndex(conn, f.master); err != nil {
			return err
		}
	}
	var l rtnl.LinkMessage
	var decodeErr error
	err = c.printLinks(set, func(yield func(*rtnl.LinkMessage) bool) {
		for _, m := range msgs {
			if m.Header.Type != unix.RTM_NEWLINK {
				continue
			}
			if decodeErr = l.Decode(m.Data, conn.Kinds()); decodeErr != nil {
				return
			}
			if !f.keep(&l, masterIdx) {
				continue
			}
			if !yield(&l) {
				return
			}
		}
	})
	if decodeErr != nil {
		return decodeErr
	}
	return err
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

// linkNameOf reads a link message's index, flags and IFLA_IFNAME and
// nothing else.
func linkNameOf(b []byte) (idx int32, flags uint32, name string, ok bool) {
	if len(b) < unix.SizeofIfInfomsg {
		return 0, 0, "", false
	}
	idx = int32(binary.NativeEndian.Uint32(b[4:]))
	flags = binary.NativeEndian.Uint32(b[8:])
	d := rtnl.NewDecoder(b[unix.SizeofIfInfomsg:])
	for d.Next() {
		if d.Type() == unix.IFLA_IFNAME {
			return idx, flags, d.String(), true
		}
	}
	return idx, flags, "", d.Err() == nil
}

// printLinks writes links in the form the options ask for, one at a time:
// each link may be reused by the iterator once the next is asked for.
func (c *ipCmd) printLinks(set *linkSet, links iter.Seq[*rtnl.LinkMessage]) error {
	w := bufio.NewWriterSize(c.stdout, 64<<10)
	if c.opts.json {
		if err := c.writeJSONArray(w, func(yield func(any) bool) {
			for l := range links {
				if !yield(c.linkJSON(set, l, true)) {
					return
				}
			}
		}); err != nil {
			return err
		}
		return w.Flush()
	}
	var b strings.Builder
	for l := range links {
		b.Reset()
		switch {
		case c.opts.brief:
			c.linkBrief(&b, set, l)
		default:
			c.linkText(&b, set, l, true)
			if c.opts.oneline {
				oneline(&b, 0)
			}
		}
		if _, err := w.WriteString(b.String()); err != nil {
			return err
		}
	}
	return w.Flush()
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
