package main

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/rtnl"
)

// ip route: add, change, replace, prepend, append, test, delete, show,
// flush, get, with iproute2's words, defaults, messages and output.

func (c *ipCmd) doRoute(a *args) error {
	if !a.more() {
		return c.routeList(a, false)
	}
	cmd := a.next()
	switch {
	case matches(cmd, "add"):
		return c.routeModify(a, unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	case matches(cmd, "change"), cmd == "chg":
		return c.routeModify(a, unix.RTM_NEWROUTE, unix.NLM_F_REPLACE)
	case matches(cmd, "replace"):
		return c.routeModify(a, unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_REPLACE)
	case matches(cmd, "prepend"):
		return c.routeModify(a, unix.RTM_NEWROUTE, unix.NLM_F_CREATE)
	case matches(cmd, "append"):
		return c.routeModify(a, unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_APPEND)
	case matches(cmd, "test"):
		return c.routeModify(a, unix.RTM_NEWROUTE, unix.NLM_F_EXCL)
	case matches(cmd, "delete"):
		return c.routeModify(a, unix.RTM_DELROUTE, 0)
	case matches(cmd, "list"), matches(cmd, "show"), matches(cmd, "lst"):
		return c.routeList(a, false)
	case matches(cmd, "get"):
		return c.routeGet(a)
	case matches(cmd, "flush"):
		return c.routeList(a, true)
	case matches(cmd, "save"), matches(cmd, "restore"), matches(cmd, "showdump"):
		return &cliError{code: 1, msg: fmt.Sprintf("ip route %s is not implemented by linkbox.", cmd)}
	case matches(cmd, "help"):
		return routeUsage()
	}
	return usagef(`Command "%s" is unknown, try "ip route help".`, cmd)
}

func routeUsage() error {
	return usagef("%s", `Usage: ip route { list | flush } SELECTOR
       ip route get ADDRESS [ from ADDRESS ] [ iif STRING ] [ oif STRING ]
                            [ tos TOS ] [ mark NUMBER ] [ uid NUMBER ]
       ip route { add | del | change | append | replace | prepend | test } ROUTE
SELECTOR := [ root PREFIX ] [ match PREFIX ] [ exact PREFIX ]
            [ table TABLE_ID ] [ proto RTPROTO ] [ type TYPE ] [ scope SCOPE ]
            [ dev STRING ] [ via ADDRESS ] [ src ADDRESS ] [ metric METRIC ]
ROUTE := NODE_SPEC [ INFO_SPEC ]
NODE_SPEC := [ TYPE ] PREFIX [ tos TOS ] [ table TABLE_ID ] [ proto RTPROTO ]
             [ scope SCOPE ] [ metric METRIC ] [ ttl-propagate { enabled | disabled } ]
INFO_SPEC := { NH | nhid ID } OPTIONS FLAGS [ nexthop NH ]...
NH := [ via [ FAMILY ] ADDRESS ] [ dev STRING ] [ weight NUMBER ] NHFLAGS
FAMILY := [ inet | inet6 ]
OPTIONS := FLAGS [ mtu NUMBER ] [ advmss NUMBER ] [ as [ to ] ADDRESS ]
           [ rtt TIME ] [ rttvar TIME ] [ reordering NUMBER ]
           [ window NUMBER ] [ cwnd NUMBER ] [ initcwnd NUMBER ]
           [ ssthresh NUMBER ] [ realms REALM ] [ src ADDRESS ]
           [ rto_min TIME ] [ hoplimit NUMBER ] [ initrwnd NUMBER ]
           [ features FEATURES ] [ quickack BOOL ] [ congctl NAME ]
           [ pref PREF ] [ expires TIME ] [ fastopen_no_cookie BOOL ]
TYPE := { unicast | local | broadcast | multicast | throw |
          unreachable | prohibit | blackhole | nat }
TABLE_ID := [ local | main | default | all | NUMBER ]
SCOPE := [ host | link | global | NUMBER ]
NHFLAGS := [ onlink | pervasive ]
RTPROTO := [ kernel | boot | static | NUMBER ]
PREF := [ low | medium | high ]
TIME := NUMBER[s|ms]
BOOL := [1|0]
FEATURES := ecn`)
}

// routeMetricArg is a metric option of ip route add ("mtu lock 1400").
type routeMetricArg struct {
	typ  uint16
	val  uint32
	str  string
	lock bool
}

// routeReq is what iproute2's iproute_modify gathers from a command line.
type routeReq struct {
	family     int
	dst        inetPrefix
	dstOK      bool
	typ        *uint8
	src        inetPrefix
	srcOK      bool
	prefSrc    netip.Addr
	gateway    netip.Addr
	gwOK       bool
	tos        uint8
	metric     uint32
	scope      *uint8
	table      *uint32
	proto      *uint8
	dev        string
	pref       *uint8
	flags      uint32
	metrics    []routeMetricArg
	expires    *uint32
	realms     *uint32
	nhid       uint32
	ttlProp    *uint8
	newDst     netip.Addr
	nexthops   []string
	hasNexthop bool
}

// getTimeRTT reads a time in milliseconds ("100ms", "1s", "0.5s"), or a
// bare number that iproute2 sends as it is ("raw").
func getTimeRTT(s string) (v uint32, raw bool, ok bool) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	num, unit := s[:i], s[i:]
	if num == "" {
		return 0, false, false
	}
	if !strings.Contains(num, ".") {
		n, ok := getUnsigned(num, 0, 0xffffffff)
		if !ok {
			return 0, false, false
		}
		switch unit {
		case "":
			return uint32(n), true, true
		case "s", "sec", "secs":
			return uint32(n * 1000), false, true
		case "ms", "msec", "msecs":
			return uint32(n), false, true
		}
		return 0, false, false
	}
	var f float64
	if _, err := fmt.Sscanf(num, "%g", &f); err != nil {
		return 0, false, false
	}
	switch unit {
	case "s", "sec", "secs":
		f *= 1000
	case "ms", "msec", "msecs", "":
	default:
		return 0, false, false
	}
	return uint32(f), unit == "", true
}

// parseRouteArgs reads a route command line as iproute2's iproute_modify.
func (c *ipCmd) parseRouteArgs(a *args, names *rtNames) (*routeReq, error) {
	r := &routeReq{family: c.opts.family}
	setFamily := func(f int) {
		if r.family == unix.AF_UNSPEC {
			r.family = f
		}
	}
	metric := func(w string, typ uint16, lockable bool, max uint64) error {
		v, err := a.value()
		if err != nil {
			return err
		}
		m := routeMetricArg{typ: typ}
		if lockable && v == "lock" {
			m.lock = true
			if v, err = a.value(); err != nil {
				return err
			}
		}
		n, ok := getUnsigned(v, 0, max)
		if !ok {
			what := w
			if typ == unix.RTAX_ADVMSS {
				what = "mss"
			}
			return invArg(fmt.Sprintf("%q value is invalid\n", what), v)
		}
		m.val = uint32(n)
		r.metrics = append(r.metrics, m)
		return nil
	}
	rtt := func(w string, typ uint16, mult uint32, lockAlways bool) error {
		v, err := a.value()
		if err != nil {
			return err
		}
		m := routeMetricArg{typ: typ, lock: lockAlways}
		if !lockAlways && v == "lock" {
			m.lock = true
			if v, err = a.value(); err != nil {
				return err
			}
		}
		t, raw, ok := getTimeRTT(v)
		if !ok {
			return invArg(fmt.Sprintf("%q value is invalid\n", w), v)
		}
		if !raw {
			t *= mult
		}
		m.val = t
		r.metrics = append(r.metrics, m)
		return nil
	}
	for a.more() {
		w := a.next()
		var err error
		switch {
		case w == "src":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			p, err := getAddr(v, r.family)
			if err != nil {
				return nil, err
			}
			setFamily(p.family)
			r.prefSrc = p.addr
		case w == "as":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			if v == "to" {
				if v, err = a.value(); err != nil {
					return nil, err
				}
			}
			p, err := getAddr(v, r.family)
			if err != nil {
				return nil, err
			}
			setFamily(p.family)
			r.newDst = p.addr
		case w == "via":
			if r.gwOK {
				return nil, invArg("use nexthop syntax to specify multiple via\n", w)
			}
			r.gwOK = true
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			fam := readFamily(v)
			if fam == unix.AF_UNSPEC {
				fam = r.family
			} else if v, err = a.value(); err != nil {
				return nil, err
			}
			p, err := getAddr(v, fam)
			if err != nil {
				return nil, err
			}
			setFamily(p.family)
			r.gateway = p.addr
		case w == "from":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			if r.src, err = getPrefix(v, r.family); err != nil {
				return nil, err
			}
			setFamily(r.src.family)
			r.srcOK = true
		case w == "tos", matches(w, "dsfield"):
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			t, ok := names.parseDSField(v)
			if !ok {
				return nil, invArg("\"tos\" value is invalid\n", v)
			}
			r.tos = t
		case w == "expires":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			n, ok := getUnsigned(v, 0, 0xffffffff)
			if !ok {
				return nil, invArg("\"expires\" value is invalid\n", v)
			}
			r.expires = new(uint32(n))
		case matches(w, "metric"), matches(w, "priority"), w == "preference":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			n, ok := getUnsigned(v, 0, 0xffffffff)
			if !ok {
				return nil, invArg("\"metric\" value is invalid\n", v)
			}
			r.metric = uint32(n)
		case w == "scope":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			s, ok := names.parseScope(v)
			if !ok {
				return nil, invArg("invalid \"scope\" value\n", v)
			}
			r.scope = &s
		case w == "mtu":
			err = metric(w, unix.RTAX_MTU, true, 0xffffffff)
		case w == "hoplimit":
			err = metric(w, unix.RTAX_HOPLIMIT, true, 255)
		case w == "advmss":
			err = metric(w, unix.RTAX_ADVMSS, true, 0xffffffff)
		case matches(w, "reordering"):
			err = metric("reordering", unix.RTAX_REORDERING, true, 0xffffffff)
		case w == "rtt":
			err = rtt(w, unix.RTAX_RTT, 8, false)
		case w == "rto_min":
			err = rtt(w, unix.RTAX_RTO_MIN, 1, true)
		case matches(w, "window"):
			err = metric("window", unix.RTAX_WINDOW, true, 0xffffffff)
		case matches(w, "cwnd"):
			err = metric("cwnd", unix.RTAX_CWND, true, 0xffffffff)
		case matches(w, "initcwnd"):
			err = metric("initcwnd", unix.RTAX_INITCWND, true, 0xffffffff)
		case matches(w, "initrwnd"):
			err = metric("initrwnd", unix.RTAX_INITRWND, true, 0xffffffff)
		case matches(w, "features"):
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			if v != "ecn" {
				return nil, invArg("\"features\" value not valid\n", v)
			}
			r.metrics = append(r.metrics, routeMetricArg{typ: unix.RTAX_FEATURES, val: rtaxFeatureECN})
		case matches(w, "quickack"), matches(w, "fastopen_no_cookie"):
			name, typ := "quickack", uint16(unix.RTAX_QUICKACK)
			if matches(w, "fastopen_no_cookie") {
				name, typ = "fastopen_no_cookie", unix.RTAX_FASTOPEN_NO_COOKIE
			}
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			n, ok := getUnsigned(v, 0, 0xffffffff)
			if !ok {
				return nil, invArg(fmt.Sprintf("%q value is invalid\n", name), v)
			}
			if n > 1 {
				return nil, invArg(fmt.Sprintf("%q value should be 0 or 1\n", name), v)
			}
			r.metrics = append(r.metrics, routeMetricArg{typ: typ, val: uint32(n)})
		case matches(w, "congctl"):
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			m := routeMetricArg{typ: unix.RTAX_CC_ALGO}
			if v == "lock" {
				m.lock = true
				if v, err = a.value(); err != nil {
					return nil, err
				}
			}
			m.str = v
			r.metrics = append(r.metrics, m)
		case matches(w, "rttvar"):
			err = rtt("rttvar", unix.RTAX_RTTVAR, 4, false)
		case matches(w, "ssthresh"):
			err = metric("ssthresh", unix.RTAX_SSTHRESH, true, 0xffffffff)
		case matches(w, "realms"):
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			rv, ok := parseRealms(v, names)
			if !ok {
				return nil, invArg("\"realm\" value is invalid\n", v)
			}
			r.realms = &rv
		case w == "onlink":
			r.flags |= unix.RTNH_F_ONLINK
		case w == "nexthop":
			r.hasNexthop = true
			r.nexthops = append([]string{w}, a.rest()...)
			a.i = len(a.a)
		case w == "nhid":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			n, ok := getUnsigned(v, 0, 0xffffffff)
			if !ok {
				return nil, invArg("\"id\" value is invalid\n", v)
			}
			r.nhid = uint32(n)
		case matches(w, "protocol"):
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			p, ok := names.parseProto(v)
			if !ok {
				return nil, invArg("\"protocol\" value is invalid\n", v)
			}
			r.proto = &p
		case matches(w, "table"):
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			t, ok := names.parseTable(v)
			if !ok {
				return nil, invArg("\"table\" value is invalid\n", v)
			}
			r.table = &t
		case matches(w, "vrf"), w == "encap":
			return nil, &cliError{code: 1, msg: fmt.Sprintf("ip route: %q is not implemented by linkbox.", w)}
		case w == "dev", w == "oif":
			if r.dev, err = a.value(); err != nil {
				return nil, err
			}
		case matches(w, "pref"):
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			var p uint8
			switch v {
			case "low":
				p = icmpv6RouterPrefLow
			case "medium":
				p = 0
			case "high":
				p = 1
			default:
				n, ok := getUnsigned(v, 0, 255)
				if !ok {
					return nil, invArg("\"pref\" value is invalid\n", v)
				}
				p = uint8(n)
			}
			r.pref = &p
		case w == "ttl-propagate":
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			switch {
			case matches(v, "enabled"):
				r.ttlProp = new(uint8(1))
			case matches(v, "disabled"):
				r.ttlProp = new(uint8(0))
			default:
				return nil, invArg("\"ttl-propagate\" value is invalid\n", v)
			}
		default:
			if w == "to" {
				if w, err = a.value(); err != nil {
					return nil, err
				}
			}
			if w != "" && (w[0] < '0' || w[0] > '9') {
				if t, ok := parseRouteType(w); ok {
					if w, err = a.value(); err != nil {
						return nil, err
					}
					r.typ = &t
				}
			}
			if matches(w, "help") {
				return nil, routeUsage()
			}
			if r.dstOK {
				return nil, errGarbage("to", w)
			}
			if r.dst, err = getPrefix(w, r.family); err != nil {
				return nil, err
			}
			setFamily(r.dst.family)
			r.dstOK = true
		}
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

// parseRealms reads "FROM/TO", "TO" or "FROM/" realms.
func parseRealms(s string, names *rtNames) (uint32, bool) {
	if names.realms == nil {
		names.realmsText(0)
	}
	one := func(x string) (uint32, bool) {
		if id, ok := names.realms.byName[x]; ok {
			return id, true
		}
		v, ok := getUnsigned(x, 0, 255)
		return uint32(v), ok
	}
	var v uint32
	if from, to, ok := strings.Cut(s, "/"); ok {
		f, ok := one(from)
		if !ok {
			return 0, false
		}
		v, s = f<<16, to
	}
	if s != "" {
		t, ok := one(s)
		if !ok {
			return 0, false
		}
		v |= t
	}
	return v, true
}

// routeModify is ip route add, change, replace, prepend, append, test and
// delete.
func (c *ipCmd) routeModify(a *args, cmd, flags uint16) error {
	names := &rtNames{}
	r, err := c.parseRouteArgs(a, names)
	if err != nil {
		return err
	}
	if !r.dstOK {
		return routeUsage()
	}
	conn, err := c.conn()
	if err != nil {
		return err
	}
	var oif int32
	if r.dev != "" {
		if oif, err = devIndex(conn, r.dev); err != nil {
			return err
		}
	}
	var multipath []byte
	if r.hasNexthop {
		if multipath, err = c.parseNexthops(conn, r); err != nil {
			return err
		}
	}
	if r.family == unix.AF_UNSPEC {
		r.family = unix.AF_INET
	}
	o := &rtnl.RouteOptions{
		Family: uint8(r.family), Gateway: r.gateway, OIF: oif, PrefSrc: r.prefSrc,
		Metric: r.metric, TOS: r.tos, Flags: r.flags, Pref: r.pref,
	}
	if r.srcOK {
		o.Src = r.src.prefix()
	}
	if r.table != nil {
		o.Table = *r.table
	}
	if r.proto != nil {
		o.Protocol = *r.proto
	}
	if r.typ != nil {
		o.Type = *r.typ
	}
	// The scope iproute2 gives a route it was not told the scope of.
	typ := uint8(unix.RTN_UNICAST)
	if cmd == unix.RTM_DELROUTE {
		typ = unix.RTN_UNSPEC
	}
	if r.typ != nil {
		typ = *r.typ
	}
	scope := uint8(unix.RT_SCOPE_NOWHERE)
	if cmd != unix.RTM_DELROUTE {
		scope = unix.RT_SCOPE_UNIVERSE
	}
	switch {
	case r.scope != nil:
		scope = *r.scope
	case r.family == unix.AF_INET6 || r.family == unix.AF_MPLS:
		scope = unix.RT_SCOPE_UNIVERSE
	case typ == unix.RTN_LOCAL || typ == unix.RTN_NAT:
		scope = unix.RT_SCOPE_HOST
	case typ == unix.RTN_BROADCAST || typ == unix.RTN_MULTICAST || typ == unix.RTN_ANYCAST:
		scope = unix.RT_SCOPE_LINK
	case typ == unix.RTN_UNICAST || typ == unix.RTN_UNSPEC:
		if cmd == unix.RTM_DELROUTE {
			scope = unix.RT_SCOPE_NOWHERE
		} else if !r.gwOK && !r.hasNexthop && r.nhid == 0 {
			scope = unix.RT_SCOPE_LINK
		}
	}
	o.Scope = &scope

	m, err := rtnl.NewRouteMessage(cmd, r.dst.prefix(), o)
	if err != nil {
		return err
	}
	// What the options cannot say: values that are zero on purpose.
	if r.proto != nil {
		m.Protocol = *r.proto
	}
	if r.typ != nil {
		m.Type = *r.typ
	}
	if r.table != nil && *r.table < 256 {
		m.Table = uint8(*r.table)
	}
	if r.srcOK && !r.src.addr.IsValid() {
		m.SrcLen = uint8(r.src.bits)
	}
	if !r.dst.addr.IsValid() {
		m.DstLen = uint8(r.dst.bits)
	}
	at := &m.Attrs
	if r.realms != nil {
		at.Flow = *r.realms
	}
	at.NHID = r.nhid
	if len(r.metrics) > 0 {
		at.Metrics = encodeRouteMetrics(r.metrics)
	}
	if multipath != nil {
		at.Multipath = multipath
	}
	if r.expires != nil {
		at.Unknown = append(at.Unknown, rawAttrU32(unix.RTA_EXPIRES, *r.expires))
	}
	if r.ttlProp != nil {
		at.Unknown = append(at.Unknown, rtnl.Attr{Type: unix.RTA_TTL_PROPAGATE, Data: []byte{*r.ttlProp}})
	}
	if r.newDst.IsValid() {
		at.Unknown = append(at.Unknown, rtnl.Attr{Type: unix.RTA_NEWDST, Data: r.newDst.AsSlice()})
	}
	_, err = conn.Execute(rtnl.Request{Type: cmd, Flags: flags, Payload: m})
	return err
}

func rawAttrU32(t uint16, v uint32) rtnl.Attr {
	b := make([]byte, 4)
	binary.NativeEndian.PutUint32(b, v)
	return rtnl.Attr{Type: t, Data: b}
}

// encodeRouteMetrics builds RTA_METRICS: the metrics in the order given,
// then RTAX_LOCK when any is locked.
func encodeRouteMetrics(ms []routeMetricArg) []byte {
	e := rtnl.NewEncoder(nil)
	var lock uint32
	for _, m := range ms {
		if m.typ == unix.RTAX_CC_ALGO {
			e.Bytes(m.typ, []byte(m.str))
		} else {
			e.Uint32(m.typ, m.val)
		}
		if m.lock {
			lock |= 1 << m.typ
		}
	}
	if lock != 0 {
		e.Uint32(unix.RTAX_LOCK, lock)
	}
	b, _ := e.Encode()
	return b
}

// parseNexthops reads "nexthop [via [FAMILY] ADDR] [dev D] [weight W]
// [onlink] [realms R] ..." into RTA_MULTIPATH's struct rtnexthop list.
func (c *ipCmd) parseNexthops(conn *rtnl.Conn, r *routeReq) ([]byte, error) {
	words := r.nexthops
	var out []byte
	for len(words) > 0 {
		if words[0] != "nexthop" {
			return nil, usagef("Error: \"nexthop\" or end of line is expected instead of \"%s\"", words[0])
		}
		if len(words) == 1 {
			return nil, usagef("Error: unexpected end of line after \"nexthop\"")
		}
		words = words[1:]
		var flags, hops uint8
		var ifindex int32
		attrs := rtnl.NewEncoder(nil)
	loop:
		for len(words) > 0 {
			w := words[0]
			val := func() (string, error) {
				if len(words) < 2 {
					return "", errIncomplete()
				}
				words = words[1:]
				return words[0], nil
			}
			switch {
			case w == "via":
				v, err := val()
				if err != nil {
					return nil, err
				}
				fam := readFamily(v)
				if fam == unix.AF_UNSPEC {
					fam = r.family
				} else if v, err = val(); err != nil {
					return nil, err
				}
				p, err := getAddr(v, fam)
				if err != nil {
					return nil, err
				}
				if r.family == unix.AF_UNSPEC {
					r.family = p.family
				}
				if p.family == r.family {
					attrs.Addr(unix.RTA_GATEWAY, p.addr)
				} else {
					via := make([]byte, 2, 18)
					binary.NativeEndian.PutUint16(via, uint16(p.family))
					attrs.Bytes(unix.RTA_VIA, append(via, p.addr.AsSlice()...))
				}
			case w == "dev":
				v, err := val()
				if err != nil {
					return nil, err
				}
				idx, err := devIndex(conn, v)
				if err != nil {
					return nil, usagef("%s\nError: cannot parse nexthop", err)
				}
				ifindex = idx
			case w == "weight":
				v, err := val()
				if err != nil {
					return nil, err
				}
				n, ok := getUnsigned(v, 0, 0xffffffff)
				if !ok || n == 0 || n > 256 {
					return nil, invArg("\"weight\" is invalid\n", v)
				}
				hops = uint8(n - 1)
			case w == "onlink":
				flags |= unix.RTNH_F_ONLINK
			case matches(w, "realms"):
				v, err := val()
				if err != nil {
					return nil, err
				}
				rv, ok := parseRealms(v, &rtNames{})
				if !ok {
					return nil, invArg("\"realm\" value is invalid\n", v)
				}
				attrs.Uint32(unix.RTA_FLOW, rv)
			default:
				break loop
			}
			words = words[1:]
		}
		ab, err := attrs.Encode()
		if err != nil {
			return nil, err
		}
		var h [rtnexthopLen]byte
		binary.NativeEndian.PutUint16(h[0:], uint16(rtnexthopLen+len(ab)))
		h[2], h[3] = flags, hops
		binary.NativeEndian.PutUint32(h[4:], uint32(ifindex))
		out = append(out, h[:]...)
		out = append(out, ab...)
	}
	return out, nil
}
