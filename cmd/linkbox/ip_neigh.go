package main

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/rtnl"
)

// ip neighbour: add, change, replace, delete, show, flush, get, with
// iproute2's words, messages and output (ipneigh.c).

// ntfExtManaged is NTF_EXT_MANAGED, a flag of NDA_FLAGS_EXT.
const ntfExtManaged = 1 << 0

// neighFlushRounds is iproute2's MAX_ROUNDS for ip neigh flush.
const neighFlushRounds = 10

func (c *ipCmd) doNeigh(a *args) error {
	if !a.more() {
		return c.neighList(a, false)
	}
	cmd := a.next()
	switch {
	case matches(cmd, "add"):
		return c.neighModify(a, unix.RTM_NEWNEIGH, unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	case matches(cmd, "change"), cmd == "chg":
		return c.neighModify(a, unix.RTM_NEWNEIGH, unix.NLM_F_REPLACE)
	case matches(cmd, "replace"):
		return c.neighModify(a, unix.RTM_NEWNEIGH, unix.NLM_F_CREATE|unix.NLM_F_REPLACE)
	case matches(cmd, "delete"):
		return c.neighModify(a, unix.RTM_DELNEIGH, 0)
	case matches(cmd, "get"):
		return c.neighGet(a)
	case matches(cmd, "show"), matches(cmd, "lst"), matches(cmd, "list"):
		return c.neighList(a, false)
	case matches(cmd, "flush"):
		return c.neighList(a, true)
	case matches(cmd, "help"):
		return neighUsage()
	}
	return usagef(`Command "%s" is unknown, try "ip neigh help".`, cmd)
}

func neighUsage() error {
	return usagef("%s", `Usage: ip neigh { add | del | change | replace }
                { ADDR [ lladdr LLADDR ] [ nud STATE ] proxy ADDR }
                [ dev DEV ] [ router ] [ use ] [ managed ] [ extern_learn ]
                [ protocol PROTO ]

	ip neigh { show | flush } [ proxy ] [ to PREFIX ] [ dev DEV ] [ nud STATE ]
				  [ nomaster ]
	ip neigh get { ADDR | proxy ADDR } dev DEV

STATE := { delay | failed | incomplete | noarp | none |
           permanent | probe | reachable | stale }`)
}

// parseNUD reads a neighbour state as nud_state_a2n does: a name, or a
// number with one bit set below 0x100.
func parseNUD(s string) (uint16, bool) {
	switch {
	case matches(s, "permanent"):
		return unix.NUD_PERMANENT, true
	case matches(s, "reachable"):
		return unix.NUD_REACHABLE, true
	case s == "noarp":
		return unix.NUD_NOARP, true
	case s == "none":
		return unix.NUD_NONE, true
	case s == "stale":
		return unix.NUD_STALE, true
	case s == "incomplete":
		return unix.NUD_INCOMPLETE, true
	case s == "delay":
		return unix.NUD_DELAY, true
	case s == "probe":
		return unix.NUD_PROBE, true
	case matches(s, "failed"):
		return unix.NUD_FAILED, true
	}
	v, ok := getUnsigned(s, 0, 0xffffffff)
	if !ok || v >= 0x100 || v&(v-1) != 0 {
		return 0, false
	}
	return uint16(v), true
}

// parseNeighLLAddr reads a link-layer address as ll_addr_a2n does: hex
// bytes separated by colons, or an IPv4 address for tunnels.
func parseNeighLLAddr(s string, max int) (net.HardwareAddr, error) {
	bad := func(part string) error {
		return &cliError{code: 1, msg: fmt.Sprintf("\"%s\" is invalid lladdr.", part)}
	}
	if strings.Contains(s, ".") {
		p, ok := parseInetAddr(s, unix.AF_INET)
		if !ok || !p.addr.IsValid() {
			return nil, bad(s)
		}
		return p.addr.AsSlice(), nil
	}
	var out net.HardwareAddr
	for i := 0; i < max; i++ {
		part, rest, more := strings.Cut(s, ":")
		v, _, ok := cStrtoul(part, 16)
		if !ok || v > 255 {
			return nil, bad(part)
		}
		out = append(out, byte(v))
		if !more {
			break
		}
		s = rest
	}
	return out, nil
}

// neighModify is ip neigh add, change, replace and delete.
func (c *ipCmd) neighModify(a *args, cmd, flags uint16) error {
	names := &rtNames{}
	m := &rtnl.NeighMessage{Family: uint8(c.opts.family), State: unix.NUD_PERMANENT}
	var (
		dev, lla     string
		lladdrOK     bool
		dst          inetPrefix
		dstOK, devOK bool
		extFlags     uint32
	)
	for a.more() {
		w := a.next()
		switch {
		case matches(w, "lladdr"):
			v, err := a.value()
			if err != nil {
				return err
			}
			if lladdrOK {
				return errDuplicate("lladdr", v)
			}
			lla, lladdrOK = v, true
		case w == "nud":
			v, err := a.value()
			if err != nil {
				return err
			}
			st, ok := parseNUD(v)
			if !ok {
				return invArg("nud state is bad", v)
			}
			m.State = st
		case matches(w, "proxy"):
			v, err := a.value()
			if err != nil {
				return err
			}
			if matches(v, "help") {
				return neighUsage()
			}
			if dstOK {
				return errDuplicate("address", v)
			}
			if dst, err = getAddr(v, c.opts.family); err != nil {
				return err
			}
			dstOK, devOK = true, true
			m.Flags |= unix.NTF_PROXY
		case w == "router":
			m.Flags |= unix.NTF_ROUTER
		case w == "use":
			m.Flags |= unix.NTF_USE
		case w == "managed":
			extFlags |= ntfExtManaged
			m.State = unix.NUD_NONE
		case matches(w, "extern_learn"):
			m.Flags |= unix.NTF_EXT_LEARNED
		case w == "dev":
			v, err := a.value()
			if err != nil {
				return err
			}
			dev, devOK = v, true
		case matches(w, "protocol"):
			v, err := a.value()
			if err != nil {
				return err
			}
			p, ok := names.parseProto(v)
			if !ok {
				return invArg("\"protocol\" value is invalid\n", v)
			}
			m.Attrs.Protocol = p
		default:
			if w == "to" || matches(w, "help") {
				v, err := a.value()
				if err != nil {
					return err
				}
				w = v
			}
			if dstOK {
				return errGarbage("to", w)
			}
			var err error
			if dst, err = getAddr(w, c.opts.family); err != nil {
				return err
			}
			dstOK = true
		}
	}
	if !devOK || !dstOK || dst.family == unix.AF_UNSPEC {
		return usagef("Device and destination are required arguments.")
	}
	m.Family = uint8(dst.family)
	m.Attrs.Dst = dst.addr
	m.Attrs.FlagsExt = extFlags
	if lla != "" && lla != "null" {
		ll, err := parseNeighLLAddr(lla, 20)
		if err != nil {
			return err
		}
		m.Attrs.LLAddr = ll
	}
	conn, err := c.conn()
	if err != nil {
		return err
	}
	if dev != "" {
		if m.Index, err = devIndex(conn, dev); err != nil {
			return err
		}
	}
	_, err = conn.Execute(rtnl.Request{Type: cmd, Flags: flags, Payload: m})
	return err
}

// neighFilter is what ip neigh show and flush select on.
type neighFilter struct {
	family     int
	index      int32
	state      uint32
	unusedOnly bool
	pfx        inetPrefix
	master     int32
	protocol   uint8
	ndmFlags   uint8
}

// match applies print_neigh's filter.
func (f *neighFilter) match(n *rtnl.NeighMessage) bool {
	if f.family != 0 && int(n.Family) != f.family {
		return false
	}
	if f.index != 0 && n.Index != f.index {
		return false
	}
	if f.state&uint32(n.State) == 0 && n.Flags&unix.NTF_PROXY == 0 && n.Flags&unix.NTF_EXT_LEARNED == 0 &&
		(n.State != 0 || f.state&0x100 == 0) {
		return false
	}
	if !matchPrefix(f.pfx, n.Attrs.Dst) {
		return false
	}
	if f.protocol != 0 && f.protocol != n.Attrs.Protocol {
		return false
	}
	if f.unusedOnly && n.Attrs.CacheInfo != nil && n.Attrs.CacheInfo.RefCnt != 0 {
		return false
	}
	return true
}

// dump sends iproute2's neighbour dump request: the family and NTF_PROXY
// in the ndmsg, the link and the master as attributes.
func (f *neighFilter) dump(conn *rtnl.Conn) ([]*rtnl.NeighMessage, error) {
	req := &rtnl.NeighMessage{Family: uint8(f.family), Flags: f.ndmFlags}
	if f.index != 0 {
		req.Attrs.IfIndex = uint32(f.index)
	}
	if f.master != 0 {
		req.Attrs.Master = new(uint32(f.master))
	}
	msgs, err := conn.DumpAll(rtnl.Request{Type: unix.RTM_GETNEIGH, Payload: req})
	if err != nil && !errors.Is(err, rtnl.ErrDumpInterrupted) {
		var ke *rtnl.Error
		if errors.As(err, &ke) {
			return nil, &cliError{code: 1, msg: kernelErrorText(ke) + "\nDump terminated"}
		}
		return nil, err
	}
	return rtnl.DecodeAll[rtnl.NeighMessage](msgs, unix.RTM_NEWNEIGH, nil)
}

// neighList is ip neigh show, and with flush, ip neigh flush.
func (c *ipCmd) neighList(a *args, flush bool) error {
	names := &rtNames{}
	f := &neighFilter{family: c.opts.family, state: 0xff &^ unix.NUD_NOARP}
	if flush {
		if !a.more() {
			return &cliError{code: 1, msg: "Flush requires arguments."}
		}
		f.state = ^uint32(unix.NUD_PERMANENT | unix.NUD_NOARP)
	}
	conn, err := c.conn()
	if err != nil {
		return err
	}
	var dev string
	stateGiven := false
	for a.more() {
		w := a.next()
		switch {
		case w == "dev":
			v, err := a.value()
			if err != nil {
				return err
			}
			if dev != "" {
				return errDuplicate("dev", v)
			}
			dev = v
		case w == "master", w == "vrf":
			v, err := a.value()
			if err != nil {
				return err
			}
			l, err := conn.LinkByName(v)
			if err != nil {
				if w == "vrf" {
					return invArg("Not a valid VRF name\n", v)
				}
				return invArg("Device does not exist\n", v)
			}
			if w == "vrf" && (l.Attrs.Info == nil || l.Attrs.Info.Kind != "vrf") {
				return invArg("Not a valid VRF name\n", v)
			}
			f.master = l.Index
		case w == "nomaster":
			f.master = -1
		case w == "unused":
			f.unusedOnly = true
		case w == "nud":
			v, err := a.value()
			if err != nil {
				return err
			}
			if !stateGiven {
				stateGiven, f.state = true, 0
			}
			st32 := uint32(0)
			if st, ok := parseNUD(v); ok {
				st32 = uint32(st)
			} else {
				if v != "all" {
					return invArg("nud state is bad", v)
				}
				st32 = ^uint32(0)
				if flush {
					st32 &^= unix.NUD_NOARP
				}
			}
			if st32 == 0 {
				st32 = 0x100
			}
			f.state |= st32
		case w == "proxy":
			f.ndmFlags = unix.NTF_PROXY
		case matches(w, "protocol"):
			v, err := a.value()
			if err != nil {
				return err
			}
			p, ok := names.parseProto(v)
			if !ok {
				if v != "all" {
					return invArg("invalid \"protocol\"\n", v)
				}
				p = 0
			}
			f.protocol = p
		default:
			if w == "to" {
				v, err := a.value()
				if err != nil {
					return err
				}
				w = v
			}
			if matches(w, "help") {
				return neighUsage()
			}
			p, err := getPrefix(w, f.family)
			if err != nil {
				return err
			}
			f.pfx = p
			if f.family == unix.AF_UNSPEC {
				f.family = p.family
			}
		}
	}
	if dev != "" {
		if f.index, err = devIndex(conn, dev); err != nil {
			return err
		}
	}
	set, err := c.routeLinkSet(conn)
	if err != nil {
		return err
	}
	if flush {
		return c.neighFlush(conn, set, f, names)
	}
	neighs, err := f.dump(conn)
	if err != nil {
		return err
	}
	v := ipNeighView{hideDev: f.index != 0}
	if c.opts.json {
		out := []*jobj{}
		for _, n := range neighs {
			if f.match(n) {
				out = append(out, c.neighJSON(set, n, v, names))
			}
		}
		return writeJSON(c.stdout, out, c.opts.pretty)
	}
	var b strings.Builder
	for _, n := range neighs {
		if f.match(n) {
			c.neighText(&b, set, n, v, names)
		}
	}
	_, err = fmt.Fprint(c.stdout, b.String())
	return err
}

// neighFlush deletes the entries the filter selects, round after round.
func (c *ipCmd) neighFlush(conn *rtnl.Conn, set *linkSet, f *neighFilter, names *rtNames) error {
	for round := 0; round < neighFlushRounds; round++ {
		neighs, err := f.dump(conn)
		if err != nil {
			return err
		}
		var reqs []rtnl.Request
		var b strings.Builder
		for _, n := range neighs {
			if !f.match(n) {
				continue
			}
			reqs = append(reqs, rtnl.Request{Type: unix.RTM_DELNEIGH, Payload: n})
			if c.opts.stats >= 2 {
				c.neighText(&b, set, n, ipNeighView{hideDev: f.index != 0}, names)
			}
		}
		fmt.Fprint(c.stdout, b.String())
		if len(reqs) == 0 {
			if c.opts.stats > 0 {
				if round == 0 {
					fmt.Fprintln(c.stdout, "Nothing to flush.")
				} else {
					fmt.Fprintf(c.stdout, "*** Flush is complete after %d round%s ***\n", round, plural(round))
				}
			}
			return nil
		}
		results, err := conn.Batch(reqs, rtnl.BatchOptions{})
		if err != nil {
			return err
		}
		for _, r := range results {
			if r.Err != nil && !errors.Is(r.Err, unix.ENOENT) {
				return &cliError{code: 1, msg: "Failed to send flush request: " + errText(r.Err)}
			}
		}
		if c.opts.stats > 0 {
			fmt.Fprintf(c.stdout, "\n*** Round %d, deleting %d entries ***\n", round+1, len(reqs))
		}
		// A dry run deleted nothing: the next dump would list the same
		// entries again, round after round.
		if c.dryRun {
			if c.opts.stats > 0 {
				fmt.Fprintln(c.stdout, "*** Flush is complete after 1 round ***")
			}
			return nil
		}
		f.state &^= unix.NUD_FAILED
	}
	fmt.Fprintf(c.stdout, "*** Flush not complete bailing out after %d rounds\n", neighFlushRounds)
	return &cliError{code: 1}
}

// neighGet is ip neigh get: the kernel's entry for one address.
func (c *ipCmd) neighGet(a *args) error {
	names := &rtNames{}
	m := &rtnl.NeighMessage{Family: uint8(c.opts.family)}
	var dev string
	var dst inetPrefix
	dstOK, devOK := false, false
	for a.more() {
		w := a.next()
		switch {
		case w == "dev":
			v, err := a.value()
			if err != nil {
				return err
			}
			dev, devOK = v, true
		case matches(w, "proxy"):
			v, err := a.value()
			if err != nil {
				return err
			}
			if matches(v, "help") {
				return neighUsage()
			}
			if dstOK {
				return errDuplicate("address", v)
			}
			if dst, err = getAddr(v, c.opts.family); err != nil {
				return err
			}
			dstOK, devOK = true, true
			m.Flags |= unix.NTF_PROXY
		default:
			if w == "to" {
				v, err := a.value()
				if err != nil {
					return err
				}
				w = v
			}
			if matches(w, "help") {
				return neighUsage()
			}
			if dstOK {
				return errGarbage("to", w)
			}
			var err error
			if dst, err = getAddr(w, c.opts.family); err != nil {
				return err
			}
			dstOK = true
		}
	}
	if !devOK || !dstOK || dst.family == unix.AF_UNSPEC {
		return &cliError{code: 1, msg: "Device and address are required arguments."}
	}
	m.Family = uint8(dst.family)
	m.Attrs.Dst = dst.addr
	conn, err := c.conn()
	if err != nil {
		return err
	}
	if dev != "" {
		if m.Index, err = devIndex(conn, dev); err != nil {
			return err
		}
	}
	replies, err := conn.Execute(rtnl.Request{Type: unix.RTM_GETNEIGH, Payload: m})
	if err != nil {
		return err
	}
	set, err := c.routeLinkSet(conn)
	if err != nil {
		return err
	}
	var b strings.Builder
	var out []*jobj
	for _, rep := range replies {
		n := new(rtnl.NeighMessage)
		if rep.Header.Type != unix.RTM_NEWNEIGH || n.UnmarshalBinary(rep.Data) != nil {
			continue
		}
		if c.opts.json {
			out = append(out, c.neighJSON(set, n, ipNeighView{}, names))
		} else {
			c.neighText(&b, set, n, ipNeighView{}, names)
		}
	}
	if c.opts.json {
		return writeJSON(c.stdout, out, c.opts.pretty)
	}
	_, err = fmt.Fprint(c.stdout, b.String())
	return err
}

// ipNeighView says how a neighbour entry is printed.
type ipNeighView struct {
	hideDev bool // the listing is of one link
	deleted bool // RTM_DELNEIGH event
	miss    bool // RTM_GETNEIGH event (an application probe)
}

// nudNames are the NUD_* states in print_neigh_state's order.
var nudNames = []struct {
	state uint16
	name  string
}{
	{unix.NUD_INCOMPLETE, "INCOMPLETE"}, {unix.NUD_REACHABLE, "REACHABLE"}, {unix.NUD_STALE, "STALE"},
	{unix.NUD_DELAY, "DELAY"}, {unix.NUD_PROBE, "PROBE"}, {unix.NUD_FAILED, "FAILED"},
	{unix.NUD_NOARP, "NOARP"}, {unix.NUD_PERMANENT, "PERMANENT"},
}

func nudWords(state uint16) []string {
	out := []string{}
	for _, n := range nudNames {
		if state&n.state != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// neighFlagWords are the flags print_neigh names, in its order.
func neighFlagWords(n *rtnl.NeighMessage) []string {
	var out []string
	if n.Flags&unix.NTF_ROUTER != 0 {
		out = append(out, "router")
	}
	if n.Flags&unix.NTF_PROXY != 0 {
		out = append(out, "proxy")
	}
	if n.Attrs.FlagsExt&ntfExtManaged != 0 {
		out = append(out, "managed")
	}
	if n.Flags&unix.NTF_EXT_LEARNED != 0 {
		out = append(out, "extern_learn")
	}
	if n.Flags&unix.NTF_OFFLOADED != 0 {
		out = append(out, "offload")
	}
	return out
}

// linkTypeOf is ll_index_to_type: the link's ARPHRD type, for formatting
// its addresses.
func (s *linkSet) linkTypeOf(idx int32) uint16 {
	if l, ok := s.byIdx[idx]; ok {
		return l.Type
	}
	return 0
}

// neighText writes an entry as print_neigh does.
func (c *ipCmd) neighText(b *strings.Builder, s *linkSet, n *rtnl.NeighMessage, v ipNeighView, names *rtNames) {
	switch {
	case v.deleted:
		b.WriteString("Deleted ")
	case v.miss:
		b.WriteString("miss ")
	}
	if c.opts.brief {
		if n.Attrs.Dst.IsValid() {
			fmt.Fprintf(b, "%-39s ", n.Attrs.Dst)
		}
		if !v.hideDev && n.Index != 0 {
			fmt.Fprintf(b, "%-16s ", s.name(n.Index))
		}
		if n.Attrs.LLAddr != nil {
			b.WriteString(llAddrString(n.Attrs.LLAddr, s.linkTypeOf(n.Index)))
		}
		b.WriteByte('\n')
		return
	}
	if n.Attrs.Dst.IsValid() {
		fmt.Fprintf(b, "%s ", n.Attrs.Dst)
	}
	if !v.hideDev && n.Index != 0 {
		fmt.Fprintf(b, "dev %s ", s.name(n.Index))
	}
	if n.Attrs.LLAddr != nil {
		fmt.Fprintf(b, "lladdr %s ", llAddrString(n.Attrs.LLAddr, s.linkTypeOf(n.Index)))
	}
	for _, w := range neighFlagWords(n) {
		fmt.Fprintf(b, "%s ", w)
	}
	if c.opts.stats > 0 {
		if ci := n.Attrs.CacheInfo; ci != nil {
			if ci.RefCnt != 0 {
				fmt.Fprintf(b, " ref %d", ci.RefCnt)
			}
			fmt.Fprintf(b, " used %d/%d/%d", ci.Used/routeUserHZ, ci.Confirmed/routeUserHZ, ci.Updated/routeUserHZ)
		}
		if n.Attrs.Probes != 0 || n.Attrs.CacheInfo != nil {
			fmt.Fprintf(b, "probes %d ", n.Attrs.Probes)
		}
	}
	for _, w := range nudWords(n.State) {
		fmt.Fprintf(b, "%s ", w)
	}
	if p := n.Attrs.Protocol; p != 0 {
		fmt.Fprintf(b, "proto %s ", names.proto(p))
	}
	b.WriteByte('\n')
}

// neighJSON is an entry as an element of ip -j neigh's list.
func (c *ipCmd) neighJSON(s *linkSet, n *rtnl.NeighMessage, v ipNeighView, names *rtNames) *jobj {
	o := &jobj{}
	switch {
	case v.deleted:
		o.add("deleted", true)
	case v.miss:
		o.add("miss", nil)
	}
	if n.Attrs.Dst.IsValid() {
		o.add("dst", n.Attrs.Dst.String())
	}
	if !v.hideDev && n.Index != 0 {
		o.add("dev", s.name(n.Index))
	}
	if n.Attrs.LLAddr != nil {
		o.add("lladdr", llAddrString(n.Attrs.LLAddr, s.linkTypeOf(n.Index)))
	}
	if c.opts.brief {
		return o
	}
	for _, w := range neighFlagWords(n) {
		o.add(w, nil)
	}
	if c.opts.stats > 0 {
		if ci := n.Attrs.CacheInfo; ci != nil {
			if ci.RefCnt != 0 {
				o.add("refcnt", ci.RefCnt)
			}
			o.add("used", ci.Used/routeUserHZ)
			o.add("confirmed", ci.Confirmed/routeUserHZ)
			o.add("updated", ci.Updated/routeUserHZ)
		}
		if n.Attrs.Probes != 0 || n.Attrs.CacheInfo != nil {
			o.add("probes", n.Attrs.Probes)
		}
	}
	if n.State != 0 {
		o.add("state", nudWords(n.State))
	}
	if p := n.Attrs.Protocol; p != 0 {
		o.add("protocol", names.proto(p))
	}
	return o
}
