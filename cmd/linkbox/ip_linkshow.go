package main

import (
	"errors"
	"fmt"
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
	set, links, err := c.selectLinks(conn, f)
	if err != nil {
		return err
	}
	if c.opts.json {
		arr := make([]*jobj, 0, len(links))
		for _, l := range links {
			arr = append(arr, c.linkJSON(set, l, true))
		}
		return writeJSON(c.stdout, arr, c.opts.pretty)
	}
	var b strings.Builder
	for _, l := range links {
		if c.opts.brief {
			c.linkBrief(&b, set, l)
			continue
		}
		start := b.Len()
		c.linkText(&b, set, l, true)
		if c.opts.oneline {
			oneline(&b, start)
		}
	}
	_, err = fmt.Fprint(c.stdout, b.String())
	return err
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
