package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/nsfs"
	"github.com/linkbox/linkbox/rtnl"
)

// ip route show, flush and get: iproute2's filters (iproute.c's
// filter_nlmsg), its dump requests, and its flush rounds.

// routeFilter is what ip route show and flush select on (iproute2's
// filter in iproute.c).
type routeFilter struct {
	tb                 uint32 // 0: every table
	cloned             bool
	tos, tosMask       uint8
	proto, protoMask   uint8
	scope, scopeMask   uint8
	typeMask           uint32
	oif, iif           int32
	oifSet, iifSet     bool
	mark               uint32
	markSet            bool
	metric             uint32
	metricSet          bool
	rvia, rprefsrc     inetPrefix
	rdst, mdst         inetPrefix
	rsrc, msrc         inetPrefix
	mdstSet, msrcSet   bool
	rdstSet, rsrcSet   bool
	realm, realmMask   uint32
	family, dumpFamily int
}

func (c *ipCmd) parseRouteFilter(a *args, conn *rtnl.Conn, names *rtNames) (*routeFilter, error) {
	f := &routeFilter{tb: unix.RT_TABLE_MAIN, family: c.opts.family, dumpFamily: c.opts.family}
	var iif, oif string
	// prefix reads "[root|match|exact] PREFIX" starting at the word v.
	prefix := func(v string, rootP, matchP *inetPrefix, rootSet, matchSet *bool) error {
		var err error
		switch {
		case matches(v, "root"):
			if v, err = a.value(); err != nil {
				return err
			}
			*rootP, err = getPrefix(v, f.dumpFamily)
			*rootSet = true
			return err
		case matches(v, "match"):
			if v, err = a.value(); err != nil {
				return err
			}
			*matchP, err = getPrefix(v, f.dumpFamily)
			*matchSet = true
			return err
		case matches(v, "exact"):
			if v, err = a.value(); err != nil {
				return err
			}
		}
		*matchP, err = getPrefix(v, f.dumpFamily)
		*rootP, *rootSet, *matchSet = *matchP, true, true
		return err
	}
	for a.more() {
		w := a.next()
		switch {
		case matches(w, "table"):
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			t, ok := names.parseTable(v)
			switch {
			case ok:
				f.tb = t
			case v == "all":
				f.tb = 0
			case v == "cache":
				f.cloned = true
			case v == "help":
				return nil, routeUsage()
			default:
				return nil, invArg("table id value is invalid\n", v)
			}
		case matches(w, "cached"), matches(w, "cloned"):
			f.cloned = true
		case w == "tos", matches(w, "dsfield"):
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			t, ok := names.parseDSField(v)
			if !ok {
				return nil, invArg("TOS value is invalid\n", v)
			}
			f.tos, f.tosMask = t, 0xff
		case matches(w, "protocol"):
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			f.protoMask = 0xff
			p, ok := names.parseProto(v)
			if !ok {
				if v != "all" {
					return nil, invArg("invalid \"protocol\"\n", v)
				}
				p, f.protoMask = 0, 0
			}
			f.proto = p
		case matches(w, "scope"):
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			f.scopeMask = 0xff
			s, ok := names.parseScope(v)
			if !ok {
				if v != "all" {
					return nil, invArg("invalid \"scope\"\n", v)
				}
				s, f.scopeMask = unix.RT_SCOPE_NOWHERE, 0
			}
			f.scope = s
		case matches(w, "type"):
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			t, ok := parseRouteType(v)
			if !ok {
				return nil, invArg("node type value is invalid\n", v)
			}
			f.typeMask = 1 << t
		case w == "dev", w == "oif":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			oif = v
		case w == "iif":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			iif = v
		case w == "mark":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			n, ok := getUnsigned(v, 0, 0xffffffff)
			if !ok {
				return nil, invArg("invalid mark value", v)
			}
			f.mark, f.markSet = uint32(n), true
		case matches(w, "metric"), matches(w, "priority"), w == "preference":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			n, ok := getUnsigned(v, 0, 0xffffffff)
			if !ok {
				return nil, invArg("\"metric\" value is invalid\n", v)
			}
			f.metric, f.metricSet = uint32(n), true
		case w == "via":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			fam := readFamily(v)
			if fam == unix.AF_UNSPEC {
				fam = f.dumpFamily
			} else if v, err = a.value(); err != nil {
				return nil, err
			}
			if f.rvia, err = getPrefix(v, fam); err != nil {
				return nil, err
			}
		case w == "src":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			if f.rprefsrc, err = getPrefix(v, f.dumpFamily); err != nil {
				return nil, err
			}
		case matches(w, "realms"):
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			rv, ok := parseRealms(v, names)
			if !ok {
				return nil, invArg("invalid realms\n", v)
			}
			f.realm, f.realmMask = rv, 0xffffffff
			if rv&0xffff == 0 && strings.HasSuffix(v, "/") {
				f.realmMask &^= 0xffff
			}
			if rv&0xffff0000 == 0 && (!strings.Contains(v, "/") || v[0] == '/') {
				f.realmMask &^= 0xffff0000
			}
		case matches(w, "vrf"):
			return nil, &cliError{code: 1, msg: "ip route: \"vrf\" is not implemented by linkbox."}
		case matches(w, "from"):
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			if err := prefix(v, &f.rsrc, &f.msrc, &f.rsrcSet, &f.msrcSet); err != nil {
				return nil, err
			}
		default:
			if matches(w, "to") {
				v, err := a.value()
				if err != nil {
					return nil, err
				}
				w = v
			}
			if err := prefix(w, &f.rdst, &f.mdst, &f.rdstSet, &f.mdstSet); err != nil {
				return nil, err
			}
		}
	}
	if f.dumpFamily == unix.AF_UNSPEC && f.tb != 0 {
		f.dumpFamily = unix.AF_INET
	}
	var err error
	if iif != "" {
		if f.iif, err = devIndex(conn, iif); err != nil {
			return nil, err
		}
		f.iifSet = true
	}
	if oif != "" {
		if f.oif, err = devIndex(conn, oif); err != nil {
			return nil, err
		}
		f.oifSet = true
	}
	return f, nil
}

// routeMatchesPrefix is inet_addr_match over the first bits bits.
func routeMatchesPrefix(a netip.Addr, p inetPrefix, bits int) bool {
	if bits <= 0 {
		return true
	}
	if !a.IsValid() || !p.addr.IsValid() || a.BitLen() != p.addr.BitLen() {
		return false
	}
	x, err1 := a.Prefix(bits)
	y, err2 := p.addr.Prefix(bits)
	return err1 == nil && err2 == nil && x == y
}

// match applies iproute2's filter_nlmsg to a route.
func (f *routeFilter) match(r *rtnl.RouteMessage, preferred int) bool {
	table := r.TableID()
	if preferred != unix.AF_UNSPEC && int(r.Family) != preferred {
		return false
	}
	if f.cloned != (r.Flags&unix.RTM_F_CLONED != 0) {
		return false
	}
	if f.tb > 0 && f.tb != table {
		return false
	}
	if (f.proto^r.Protocol)&f.protoMask != 0 || (f.scope^r.Scope)&f.scopeMask != 0 {
		return false
	}
	if f.typeMask != 0 && f.typeMask&(1<<r.Type) == 0 {
		return false
	}
	if (f.tos^r.TOS)&f.tosMask != 0 {
		return false
	}
	fam := int(r.Family)
	zero := func() netip.Addr {
		if fam == unix.AF_INET6 {
			return netip.IPv6Unspecified()
		}
		return netip.IPv4Unspecified()
	}
	dst := r.Attrs.Dst
	if !dst.IsValid() {
		dst = zero()
	}
	src := r.Attrs.Src
	if !src.IsValid() {
		src = zero()
	}
	prefixCheck := func(addr netip.Addr, root, mtch inetPrefix, rootSet, matchSet bool, plen uint8) bool {
		if rootSet {
			if root.family != 0 && (fam != root.family || root.bits > int(plen)) {
				return false
			}
			if root.family == 0 && root.specified && root.bits > int(plen) {
				return false
			}
		}
		if matchSet {
			if mtch.family != 0 && (fam != mtch.family || mtch.bits < int(plen)) {
				return false
			}
			if mtch.family == 0 && mtch.specified && mtch.bits < int(plen) {
				return false
			}
		}
		if rootSet && (root.family != 0 || root.specified) && root.addr.IsValid() && !routeMatchesPrefix(addr, root, root.bits) {
			return false
		}
		if matchSet && (mtch.family != 0 || mtch.specified) && mtch.addr.IsValid() && !routeMatchesPrefix(addr, mtch, int(plen)) {
			return false
		}
		return true
	}
	if !prefixCheck(dst, f.rdst, f.mdst, f.rdstSet, f.mdstSet, r.DstLen) {
		return false
	}
	if !prefixCheck(src, f.rsrc, f.msrc, f.rsrcSet, f.msrcSet, r.SrcLen) {
		return false
	}
	if f.rvia.family != 0 {
		viaFam, via := fam, r.Attrs.Gateway
		if len(r.Attrs.Via) >= 2 {
			viaFam = int(binary.NativeEndian.Uint16(r.Attrs.Via))
			via, _ = netip.AddrFromSlice(r.Attrs.Via[2:])
		}
		if viaFam != f.rvia.family {
			return false
		}
		if f.rvia.bits > 0 && !routeMatchesPrefix(via, f.rvia, f.rvia.bits) {
			return false
		}
	}
	if f.rprefsrc.family != 0 {
		if fam != f.rprefsrc.family {
			return false
		}
		if f.rprefsrc.bits > 0 && !routeMatchesPrefix(r.Attrs.PrefSrc, f.rprefsrc, f.rprefsrc.bits) {
			return false
		}
	}
	if f.realmMask != 0 && (r.Attrs.Flow^f.realm)&f.realmMask != 0 {
		return false
	}
	if f.iifSet && int32(r.Attrs.IIF) != f.iif {
		return false
	}
	if f.oifSet && int32(r.Attrs.OIF) != f.oif {
		return false
	}
	if f.markSet && r.Attrs.Mark != f.mark {
		return false
	}
	if f.metricSet && r.Attrs.Priority != f.metric {
		return false
	}
	return true
}

// view is what a listing with this filter leaves out of each route.
func (f *routeFilter) view() routeView {
	return routeView{
		hideTable: f.tb != 0, hideDev: f.oifSet, hideIIF: f.iifSet,
		hideProto: f.protoMask == 0xff, hideScope: f.scopeMask == 0xff,
		hideMetric: f.metricSet, hideTOS: f.tosMask == 0xff,
		hideGateway: f.rvia.family != 0 && f.rvia.bits == afBits(f.rvia.family),
		hidePrefSrc: f.rprefsrc.family != 0 && f.rprefsrc.bits == afBits(f.rprefsrc.family),
		hideRealms:  f.realmMask == 0xffffffff,
		typeMask:    f.typeMask,
	}
}

// dumpRoutes sends iproute2's route dump request: the family, the
// protocol and RTM_F_CLONED in the rtmsg, the table and the output link as
// attributes, which a strictly checking kernel filters on.
func (f *routeFilter) dumpRoutes(conn *rtnl.Conn) ([]*rtnl.RouteMessage, error) {
	req := &rtnl.RouteMessage{Family: uint8(f.dumpFamily), Protocol: f.proto}
	if f.cloned {
		req.Flags |= unix.RTM_F_CLONED
	}
	req.Attrs.Table = f.tb
	if f.oifSet {
		req.Attrs.OIF = uint32(f.oif)
	}
	msgs, err := conn.DumpAll(rtnl.Request{Type: unix.RTM_GETROUTE, Payload: req})
	if err != nil && !errors.Is(err, rtnl.ErrDumpInterrupted) {
		var ke *rtnl.Error
		// A dump of a table that does not exist: iproute2 lists nothing.
		if errors.As(err, &ke) && errors.Is(err, unix.ENOENT) && f.tb == unix.RT_TABLE_MAIN {
			return nil, nil
		}
		if errors.As(err, &ke) {
			return nil, &cliError{code: 2, msg: kernelErrorText(ke) + "\nDump terminated"}
		}
		return nil, err
	}
	return rtnl.DecodeAll[rtnl.RouteMessage](msgs, unix.RTM_NEWROUTE, nil)
}

// routeLinkSet is the link dump output names links by.
func (c *ipCmd) routeLinkSet(conn *rtnl.Conn) (*linkSet, error) {
	links, err := conn.Links()
	if err != nil && !errors.Is(err, rtnl.ErrDumpInterrupted) {
		return nil, err
	}
	return newLinkSet(links), nil
}

// routeList is ip route show, and with flush, ip route flush.
func (c *ipCmd) routeList(a *args, flush bool) error {
	if flush && !a.more() {
		return &cliError{code: 1, msg: `"ip route flush" requires arguments.`}
	}
	conn, err := c.conn()
	if err != nil {
		return err
	}
	names := &rtNames{}
	f, err := c.parseRouteFilter(a, conn, names)
	if err != nil {
		return err
	}
	set, err := c.routeLinkSet(conn)
	if err != nil {
		return err
	}
	if flush {
		return c.routeFlush(conn, set, f, names)
	}
	routes, err := f.dumpRoutes(conn)
	if err != nil {
		// iproute2 has begun its JSON array when the dump fails, and
		// leaves it so.
		if c.opts.json {
			newJSONArray(c.stdout, c.opts.pretty)
		}
		return err
	}
	v := f.view()
	if c.opts.json {
		out := []*jobj{}
		for _, r := range routes {
			if f.match(r, c.opts.family) {
				out = append(out, c.routeJSON(set, r, v, names, false))
			}
		}
		return writeJSON(c.stdout, out, c.opts.pretty)
	}
	var b strings.Builder
	for _, r := range routes {
		if f.match(r, c.opts.family) {
			c.routeText(&b, set, r, v, names, false)
		}
	}
	_, err = fmt.Fprint(c.stdout, b.String())
	return err
}

// routeFlushTimeout is how long iproute2 keeps flushing.
const routeFlushTimeout = 30 * time.Second

// routeFlush deletes the routes the filter selects, round after round,
// as ip route flush does.
func (c *ipCmd) routeFlush(conn *rtnl.Conn, set *linkSet, f *routeFilter, names *rtNames) error {
	if f.cloned {
		if f.dumpFamily != unix.AF_INET6 {
			if err := c.flushIPv4RouteCache(); err != nil {
				return err
			}
			if c.opts.stats > 0 {
				fmt.Fprintln(c.stdout, "*** IPv4 routing cache is flushed.")
			}
		}
		if f.dumpFamily == unix.AF_INET {
			return nil
		}
	}
	start := time.Now()
	v := f.view()
	for round := 0; ; round++ {
		routes, err := f.dumpRoutes(conn)
		if err != nil {
			return err
		}
		var reqs []rtnl.Request
		var b strings.Builder
		for _, r := range routes {
			if !f.match(r, c.opts.family) {
				continue
			}
			// The IPv6 table's catch-all unreachable route stays.
			if r.Family == unix.AF_INET6 && r.DstLen == 0 && r.Type == unix.RTN_UNREACHABLE && r.Attrs.Priority == 0xffffffff {
				continue
			}
			reqs = append(reqs, rtnl.Request{Type: unix.RTM_DELROUTE, Payload: r})
			if c.opts.stats >= 2 {
				c.routeText(&b, set, r, v, names, false)
			}
		}
		fmt.Fprint(c.stdout, b.String())
		if len(reqs) == 0 {
			if c.opts.stats > 0 {
				if round == 0 && (!f.cloned || f.dumpFamily == unix.AF_INET6) {
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
			// A route gone already (with its link, or a cached one
			// that expired) is what a flush wants.
			if r.Err != nil && !errors.Is(r.Err, unix.ESRCH) && !errors.Is(r.Err, unix.ENOENT) {
				return &cliError{code: 2, msg: "Failed to send flush request: " + errText(r.Err)}
			}
		}
		if time.Since(start) > routeFlushTimeout {
			fmt.Fprintf(c.stdout, "\n*** Flush not completed after %d seconds, %d entries remain ***\n", int(time.Since(start).Seconds()), len(reqs))
			return &cliError{code: 1}
		}
		if c.opts.stats > 0 {
			fmt.Fprintf(c.stdout, "\n*** Round %d, deleting %d entries ***\n", round+1, len(reqs))
		}
		// A dry run deleted nothing: the next dump would list the same
		// routes again, for routeFlushTimeout.
		if c.dryRun {
			if c.opts.stats > 0 {
				fmt.Fprintln(c.stdout, "*** Flush is complete after 1 round ***")
			}
			return nil
		}
	}
}

// flushIPv4RouteCache is "ip route flush cache" for IPv4: a write to the
// route flush file of the namespace (which /proc/sys/net shows to the
// thread that opens it: with -n, a thread switched into the namespace).
func (c *ipCmd) flushIPv4RouteCache() error {
	const path = "/proc/sys/net/ipv4/route/flush"
	what := "echo -1 > " + path
	if c.netns != "" {
		what = fmt.Sprintf("ip netns exec %s sh -c '%s'", nsfs.Quote(c.netns), what)
	}
	if c.would("%s", what) {
		return nil
	}
	write := func() error {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return &cliError{code: 2, msg: fmt.Sprintf("Cannot open \"%s\": %s", path, errText(err))}
		}
		defer f.Close()
		if _, err := f.WriteString("-1"); err != nil {
			return &cliError{code: 2, msg: "Cannot flush routing cache"}
		}
		return nil
	}
	if c.netns == "" {
		return write()
	}
	ns, err := nsfs.Open(filepath.Join(nsfs.DefaultRunDir(), c.netns))
	if err != nil {
		return &cliError{code: 255, msg: fmt.Sprintf("Cannot open network namespace \"%s\": %s", c.netns, errText(err))}
	}
	defer ns.Close()
	return nsfs.Do(ns, write)
}

// routeGet is ip route get: the kernel's answer to a route lookup.
func (c *ipCmd) routeGet(a *args) error {
	names := &rtNames{}
	m := &rtnl.RouteMessage{Family: uint8(c.opts.family)}
	var idev, odev string
	var mark uint32
	fibMatch, found := false, false
	var extra []rtnl.Attr
	for a.more() {
		w := a.next()
		switch {
		case w == "tos", matches(w, "dsfield"):
			v, err := a.value()
			if err != nil {
				return err
			}
			t, ok := names.parseDSField(v)
			if !ok {
				return invArg("TOS value is invalid\n", v)
			}
			m.TOS = t
		case matches(w, "from"):
			v, err := a.value()
			if err != nil {
				return err
			}
			if matches(v, "help") {
				return routeUsage()
			}
			p, err := getPrefix(v, int(m.Family))
			if err != nil {
				return err
			}
			if m.Family == 0 {
				m.Family = uint8(p.family)
			}
			m.Attrs.Src, m.SrcLen = p.addr, uint8(p.bits)
		case matches(w, "iif"):
			v, err := a.value()
			if err != nil {
				return err
			}
			idev = v
		case matches(w, "mark"):
			v, err := a.value()
			if err != nil {
				return err
			}
			n, ok := getUnsigned(v, 0, 0xffffffff)
			if !ok {
				return invArg("invalid mark value", v)
			}
			mark = uint32(n)
		case matches(w, "oif"), w == "dev":
			v, err := a.value()
			if err != nil {
				return err
			}
			odev = v
		case matches(w, "notify"):
			m.Flags |= unix.RTM_F_NOTIFY
		case matches(w, "connected"):
			return &cliError{code: 1, msg: "ip route get: \"connected\" is not implemented by linkbox."}
		case matches(w, "uid"):
			v, err := a.value()
			if err != nil {
				return err
			}
			n, ok := getUnsigned(v, 0, 0xffffffff)
			if !ok {
				return invArg("invalid UID\n", v)
			}
			extra = append(extra, rawAttrU32(unix.RTA_UID, uint32(n)))
		case matches(w, "fibmatch"):
			fibMatch = true
		default:
			if w == "to" {
				v, err := a.value()
				if err != nil {
					return err
				}
				w = v
			}
			if matches(w, "help") {
				return routeUsage()
			}
			p, err := getPrefix(w, int(m.Family))
			if err != nil {
				return err
			}
			if m.Family == 0 {
				m.Family = uint8(p.family)
			}
			m.Attrs.Dst = p.addr
			m.DstLen = uint8(p.bits)
			if host := afBits(int(m.Family)); host != 0 && p.bits != host {
				fmt.Fprintf(c.stderr, "Warning: /%d as prefix is invalid, only /%d (or none) is supported.\n", p.bits, host)
				m.DstLen = uint8(host)
			}
			found = true
		}
	}
	if !found {
		return &cliError{code: 1, msg: "need at least a destination address"}
	}
	conn, err := c.conn()
	if err != nil {
		return err
	}
	if idev != "" {
		idx, err := devIndex(conn, idev)
		if err != nil {
			return err
		}
		m.Attrs.IIF = uint32(idx)
	}
	if odev != "" {
		idx, err := devIndex(conn, odev)
		if err != nil {
			return err
		}
		m.Attrs.OIF = uint32(idx)
	}
	m.Attrs.Mark = mark
	m.Attrs.Unknown = extra
	if m.Family == 0 {
		m.Family = unix.AF_INET
	}
	if m.Family == unix.AF_INET {
		m.Flags |= unix.RTM_F_LOOKUP_TABLE
	}
	if fibMatch {
		m.Flags |= unix.RTM_F_FIB_MATCH
	}
	replies, err := conn.Execute(rtnl.Request{Type: unix.RTM_GETROUTE, Payload: m})
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
		if rep.Header.Type != unix.RTM_NEWROUTE {
			continue
		}
		r := new(rtnl.RouteMessage)
		if err := r.UnmarshalBinary(rep.Data); err != nil {
			return err
		}
		if c.opts.json {
			out = append(out, c.routeJSON(set, r, routeView{}, names, false))
		} else {
			c.routeText(&b, set, r, routeView{}, names, false)
		}
	}
	if c.opts.json {
		return writeJSON(c.stdout, out, c.opts.pretty)
	}
	_, err = fmt.Fprint(c.stdout, b.String())
	return err
}
