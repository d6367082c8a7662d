package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Names of route protocols, scopes, tables and DS fields, as iproute2 reads
// them: built-in names, then /etc/iproute2/rt_protos, rt_scopes, rt_tables
// (and rt_protos.d/*.conf, rt_tables.d/*.conf), rt_dsfield, so that a
// table named in a system's rt_tables works with linkbox too.

// rtNameDir is where iproute2 6.1 keeps its name files (CONFDIR).
const rtNameDir = "/etc/iproute2"

// nameTable maps ids to names and back.
type nameTable struct {
	byID   map[uint32]string
	byName map[string]uint32
}

func newNameTable(builtin map[uint32]string, files ...string) *nameTable {
	t := &nameTable{byID: map[uint32]string{}, byName: map[string]uint32{}}
	for id, n := range builtin {
		t.byID[id] = n
	}
	for _, f := range files {
		for _, path := range expandConfDir(f) {
			readNameFile(path, t.byID)
		}
	}
	// A name given to two ids means the lowest, as iproute2's lookup,
	// which walks the ids upwards, finds it.
	ids := make([]uint32, 0, len(t.byID))
	for id := range t.byID {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] > ids[j] })
	for _, id := range ids {
		t.byName[t.byID[id]] = id
	}
	return t
}

// expandConfDir turns "rt_tables.d/*.conf" into the matching files.
func expandConfDir(f string) []string {
	if !strings.Contains(f, "*") {
		return []string{filepath.Join(rtNameDir, f)}
	}
	m, _ := filepath.Glob(filepath.Join(rtNameDir, f))
	sort.Strings(m)
	return m
}

// readNameFile reads "ID NAME" lines (ID decimal or 0x hex, # comments),
// as iproute2's rtnl_tab_initialize does. A missing file is no error.
func readNameFile(path string, into map[uint32]string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimLeft(sc.Text(), " \t")
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			return // iproute2 stops at a corrupt line
		}
		var id uint64
		if h, ok := strings.CutPrefix(fields[0], "0x"); ok {
			id, err = strconv.ParseUint(h, 16, 32)
		} else {
			id, err = strconv.ParseUint(fields[0], 10, 32)
		}
		if err != nil {
			return
		}
		into[uint32(id)] = fields[1]
	}
}

// rtNames are the name tables a command uses, read when first needed.
type rtNames struct {
	protos, scopes, tables, dsfield, realms *nameTable
}

func (n *rtNames) protoTable() *nameTable {
	if n.protos == nil {
		n.protos = newNameTable(map[uint32]string{
			unix.RTPROT_UNSPEC: "unspec", unix.RTPROT_REDIRECT: "redirect", unix.RTPROT_KERNEL: "kernel",
			unix.RTPROT_BOOT: "boot", unix.RTPROT_STATIC: "static", unix.RTPROT_GATED: "gated",
			unix.RTPROT_RA: "ra", unix.RTPROT_MRT: "mrt", unix.RTPROT_ZEBRA: "zebra",
			unix.RTPROT_BIRD: "bird", unix.RTPROT_BABEL: "babel", unix.RTPROT_DNROUTED: "dnrouted",
			unix.RTPROT_XORP: "xorp", unix.RTPROT_NTK: "ntk", unix.RTPROT_DHCP: "dhcp",
			unix.RTPROT_KEEPALIVED: "keepalived", unix.RTPROT_BGP: "bgp", unix.RTPROT_ISIS: "isis",
			unix.RTPROT_OSPF: "ospf", unix.RTPROT_RIP: "rip", unix.RTPROT_EIGRP: "eigrp",
		}, "rt_protos", "rt_protos.d/*.conf")
	}
	return n.protos
}

func (n *rtNames) scopeTable() *nameTable {
	if n.scopes == nil {
		n.scopes = newNameTable(map[uint32]string{
			unix.RT_SCOPE_UNIVERSE: "global", unix.RT_SCOPE_NOWHERE: "nowhere",
			unix.RT_SCOPE_HOST: "host", unix.RT_SCOPE_LINK: "link", unix.RT_SCOPE_SITE: "site",
		}, "rt_scopes")
	}
	return n.scopes
}

func (n *rtNames) tableTable() *nameTable {
	if n.tables == nil {
		n.tables = newNameTable(map[uint32]string{
			unix.RT_TABLE_DEFAULT: "default", unix.RT_TABLE_MAIN: "main", unix.RT_TABLE_LOCAL: "local",
		}, "rt_tables", "rt_tables.d/*.conf")
	}
	return n.tables
}

func (n *rtNames) dsfieldTable() *nameTable {
	if n.dsfield == nil {
		n.dsfield = newNameTable(nil, "rt_dsfield")
	}
	return n.dsfield
}

// proto names a route protocol (rtnl_rtprot_n2a).
func (n *rtNames) proto(id uint8) string {
	if s, ok := n.protoTable().byID[uint32(id)]; ok {
		return s
	}
	return strconv.Itoa(int(id))
}

// scope names a scope (rtnl_rtscope_n2a).
func (n *rtNames) scope(id uint8) string {
	if s, ok := n.scopeTable().byID[uint32(id)]; ok {
		return s
	}
	return strconv.Itoa(int(id))
}

// table names a routing table (rtnl_rttable_n2a).
func (n *rtNames) table(id uint32) string {
	if s, ok := n.tableTable().byID[id]; ok {
		return s
	}
	return strconv.FormatUint(uint64(id), 10)
}

// dsfield names a TOS value (rtnl_dsfield_n2a).
func (n *rtNames) dsfieldName(id uint8) string {
	if s, ok := n.dsfieldTable().byID[uint32(id)]; ok {
		return s
	}
	return fmt.Sprintf("0x%02x", id)
}

// parseProto reads a protocol name or number up to 255 (rtnl_rtprot_a2n).
func (n *rtNames) parseProto(s string) (uint8, bool) {
	if id, ok := n.protoTable().byName[s]; ok && id <= 255 {
		return uint8(id), true
	}
	v, ok := getUnsigned(s, 0, 255)
	return uint8(v), ok
}

// parseScope reads a scope name or number up to 255 (rtnl_rtscope_a2n).
func (n *rtNames) parseScope(s string) (uint8, bool) {
	if id, ok := n.scopeTable().byName[s]; ok && id <= 255 {
		return uint8(id), true
	}
	v, ok := getUnsigned(s, 0, 255)
	return uint8(v), ok
}

// parseTable reads a table name or number (rtnl_rttable_a2n).
func (n *rtNames) parseTable(s string) (uint32, bool) {
	if id, ok := n.tableTable().byName[s]; ok {
		return id, true
	}
	v, ok := getUnsigned(s, 0, 0xffffffff)
	return uint32(v), ok
}

// parseDSField reads a TOS name or hex number (rtnl_dsfield_a2n).
func (n *rtNames) parseDSField(s string) (uint8, bool) {
	if id, ok := n.dsfieldTable().byName[s]; ok && id <= 255 {
		return uint8(id), true
	}
	v, ok := getUnsigned(s, 16, 255)
	return uint8(v), ok
}

// routeTypeName names a route type (rtnl_rtntype_n2a).
func routeTypeName(t uint8) string {
	switch t {
	case unix.RTN_UNSPEC:
		return "none"
	case unix.RTN_UNICAST:
		return "unicast"
	case unix.RTN_LOCAL:
		return "local"
	case unix.RTN_BROADCAST:
		return "broadcast"
	case unix.RTN_ANYCAST:
		return "anycast"
	case unix.RTN_MULTICAST:
		return "multicast"
	case unix.RTN_BLACKHOLE:
		return "blackhole"
	case unix.RTN_UNREACHABLE:
		return "unreachable"
	case unix.RTN_PROHIBIT:
		return "prohibit"
	case unix.RTN_THROW:
		return "throw"
	case unix.RTN_NAT:
		return "nat"
	case unix.RTN_XRESOLVE:
		return "xresolve"
	}
	return strconv.Itoa(int(t))
}

// parseRouteType reads a route type word as rtnl_rtntype_a2n does; some
// words may be abbreviated.
func parseRouteType(s string) (uint8, bool) {
	switch {
	case s == "local":
		return unix.RTN_LOCAL, true
	case s == "nat":
		return unix.RTN_NAT, true
	case matches(s, "broadcast"), s == "brd":
		return unix.RTN_BROADCAST, true
	case matches(s, "anycast"):
		return unix.RTN_ANYCAST, true
	case matches(s, "multicast"):
		return unix.RTN_MULTICAST, true
	case matches(s, "prohibit"):
		return unix.RTN_PROHIBIT, true
	case matches(s, "unreachable"):
		return unix.RTN_UNREACHABLE, true
	case matches(s, "blackhole"):
		return unix.RTN_BLACKHOLE, true
	case matches(s, "xresolve"):
		return unix.RTN_XRESOLVE, true
	case matches(s, "unicast"):
		return unix.RTN_UNICAST, true
	case s == "throw":
		return unix.RTN_THROW, true
	}
	v, ok := getUnsigned(s, 0, 255)
	return uint8(v), ok
}
