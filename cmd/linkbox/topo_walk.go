package main

import (
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/bridge"
	"github.com/linkbox/linkbox/nsfs"
	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/veth"
)

// topology is what `linkbox topo` shows: the namespaces it walked, their
// links, the cables (veth pairs) and bridge memberships between links, and
// the problems it noticed. Everything in it is sorted, so that the same
// kernel state always prints the same way.
type topology struct {
	namespaces []*topoNS
	edges      []topoEdge
	problems   []topoProblem
}

// topoNS is one network namespace.
type topoNS struct {
	// key names the namespace in the output, uniquely: its first name,
	// "(current)" for the current one when it has no name, "pid N (comm)"
	// for one found through a process, "(unknown: id N in KEY)" for the
	// namespace of a veth peer that none of these is.
	key     string
	names   []string // its names in the run directory, sorted
	id      nsfs.ID  // zero for a stale name and an unknown namespace
	current bool     // the namespace linkbox runs in
	stale   bool     // a name whose file is not a namespace mount
	unknown bool     // known only by the id another namespace gives it
	pids    []int    // the processes in it, sorted
	err     error    // why its links could not be read
	links   []*topoLink

	ns      *nsfs.NS   // open while walking
	conn    *rtnl.Conn // open while walking
	byIndex map[int32]*topoLink
	nsids   map[int32]*topoNS // what this namespace's nsids stand for; nil until asked
}

// topoLink is one link of a namespace.
type topoLink struct {
	ns        *topoNS
	name      string // IFLA_IFNAME; "" when unknown (an unreadable peer)
	index     int32
	kind      string // IFLA_INFO_KIND: "veth", "bridge", ...; "" for none
	mtu       uint32
	flags     uint32 // ifi_flags: IFF_UP, IFF_LOWER_UP, ...
	operState uint8  // IFLA_OPERSTATE
	mac       string
	addrs     []netip.Prefix // addresses other than link-local ones
	master    *topoLink      // in the same namespace
	masterIdx uint32
	ports     []*topoLink // links whose master this is, sorted by name
	stp       string      // a bridge's IFLA_BR_STP_STATE, as words
	portState string      // a bridge port's IFLA_BRPORT_STATE, as a word
	peer      *topoLink   // a veth's other end
	problem   bool        // some problem names this link

	msg *rtnl.LinkMessage
}

// topoEdge joins two links: a veth pair (a cable), or a port and its master.
type topoEdge struct {
	kind string // "veth", "port" (a bridge's), "master" (another kind's)
	a, b *topoLink
}

// topoProblem is something that looks wrong.
type topoProblem struct {
	kind    string    // "stale-name", "veth-down", "mtu-mismatch", "port-address", "unreadable"
	ns      *topoNS   // the namespace it is about
	link    *topoLink // the link it is about, if any
	message string
}

// topoOptions say what to walk.
type topoOptions struct {
	all bool // every namespace found through /proc too
}

// id returns the link's identity in the output: "NAMESPACE/IFNAME".
func (l *topoLink) id() string {
	name := l.name
	if name == "" {
		name = fmt.Sprintf("if%d", l.index)
	}
	return l.ns.key + "/" + name
}

func (l *topoLink) up() bool      { return l.flags&unix.IFF_UP != 0 }
func (l *topoLink) lowerUp() bool { return l.flags&unix.IFF_LOWER_UP != 0 }

// state is the link's state in one word: UP (up with a carrier), NO-CARRIER
// (up without one) or DOWN. It is read from the flags, which the kernel sets
// at once, rather than from the operational state, which it updates later.
func (l *topoLink) state() string {
	switch {
	case !l.up():
		return "DOWN"
	case !l.lowerUp():
		return "NO-CARRIER"
	}
	return "UP"
}

// walkTopology reads every namespace linkbox can see and what joins them.
func (e *env) walkTopology(o topoOptions) (*topology, error) {
	t := &topology{}
	defer t.release()
	if err := t.findNamespaces(o); err != nil {
		return nil, err
	}
	for _, ns := range t.namespaces {
		if ns.stale {
			continue
		}
		if err := e.readNamespace(ns); err != nil {
			ns.err = err
		}
	}
	t.resolvePeers()
	t.link()
	t.check()
	return t, nil
}

// release closes every handle and connection the walk opened.
func (t *topology) release() {
	for _, ns := range t.namespaces {
		if ns.conn != nil && !ns.current {
			ns.conn.Close()
		}
		if ns.ns != nil {
			ns.ns.Close()
		}
		ns.conn, ns.ns = nil, nil
	}
}

// findNamespaces lists the current namespace, every named one, and with
// o.all every other one a process is in, each once.
func (t *topology) findNamespaces(o topoOptions) error {
	cur, err := nsfs.Current()
	if err != nil {
		return err
	}
	byID := map[nsfs.ID]*topoNS{}
	here := &topoNS{current: true, id: cur.ID(), ns: cur}
	byID[here.id] = here
	t.namespaces = append(t.namespaces, here)

	dir := &nsfs.Dir{} // iproute2's run directory
	entries, err := dir.List()
	if err != nil {
		return err
	}
	var named []*topoNS
	for _, ent := range entries {
		if ent.Stale {
			named = append(named, &topoNS{names: []string{ent.Name}, stale: true})
			continue
		}
		if ns, ok := byID[ent.ID]; ok {
			ns.names = append(ns.names, ent.Name)
			continue
		}
		h, err := dir.Open(ent.Name)
		if errors.Is(err, nsfs.ErrStale) {
			named = append(named, &topoNS{names: []string{ent.Name}, stale: true})
			continue
		}
		if err != nil {
			continue // deleted since the listing
		}
		if ns, ok := byID[h.ID()]; ok { // replaced since the listing
			h.Close()
			ns.names = append(ns.names, ent.Name)
			continue
		}
		ns := &topoNS{names: []string{ent.Name}, id: h.ID(), ns: h}
		byID[ns.id] = ns
		named = append(named, ns)
	}
	t.namespaces = append(t.namespaces, named...)

	// Every process's namespace: pids for the known ones, and with
	// o.all a namespace of its own for each one not known yet.
	for _, p := range procNetNamespaces() {
		ns, ok := byID[p.id]
		if !ok {
			if !o.all {
				continue
			}
			h, err := nsfs.OpenPID(p.pid)
			if err != nil || h.ID() != p.id {
				if h != nil {
					h.Close()
				}
				continue // gone, or exec'd elsewhere, since the scan
			}
			ns = &topoNS{id: p.id, ns: h, key: fmt.Sprintf("pid %d (%s)", p.pid, procComm(p.pid))}
			byID[p.id] = ns
			t.namespaces = append(t.namespaces, ns)
		}
		ns.pids = append(ns.pids, p.pid)
	}

	for _, ns := range t.namespaces {
		slices.Sort(ns.names)
		switch {
		case len(ns.names) > 0:
			ns.key = ns.names[0]
		case ns.current:
			ns.key = "(current)"
		}
	}
	t.uniqueKeys()
	return nil
}

// uniqueKeys makes the namespaces' keys distinct: a name that happens to
// read like a label linkbox makes up gets the namespace's inode added.
func (t *topology) uniqueKeys() {
	seen := map[string]int{}
	for _, ns := range t.namespaces {
		seen[ns.key]++
	}
	for _, ns := range t.namespaces {
		if seen[ns.key] > 1 && len(ns.names) == 0 {
			ns.key += " " + ns.id.String()
		}
	}
}

type procNS struct {
	pid int
	id  nsfs.ID
}

// procNetNamespaces returns each process's network namespace, by pid.
// Processes whose namespace cannot be read (another user's) are left out.
func procNetNamespaces() []procNS {
	dents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []procNS
	for _, d := range dents {
		pid, err := strconv.Atoi(d.Name())
		if err != nil || pid <= 0 {
			continue
		}
		var st unix.Stat_t
		if unix.Stat("/proc/"+d.Name()+"/ns/net", &st) != nil {
			continue
		}
		out = append(out, procNS{pid, nsfs.ID{Dev: st.Dev, Ino: st.Ino}})
	}
	slices.SortFunc(out, func(a, b procNS) int { return cmp.Compare(a.pid, b.pid) })
	return out
}

// procComm returns a process's command name, /proc/PID/comm.
func procComm(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		return "?"
	}
	return strings.TrimSuffix(string(b), "\n")
}

// readNamespace opens a connection inside ns and reads its links and
// addresses.
func (e *env) readNamespace(ns *topoNS) error {
	var err error
	if ns.current {
		ns.conn, err = e.connIn("")
	} else {
		ns.conn, err = e.dial(&rtnl.Config{Kinds: kinds, NetNS: ns.ns.Fd()})
		runtime.KeepAlive(ns.ns)
	}
	if err != nil {
		ns.conn = nil
		return err
	}
	msgs, err := ns.conn.Links()
	if err != nil {
		return err
	}
	addrs, err := ns.conn.Addrs(0, 0)
	if err != nil {
		return err
	}
	ns.byIndex = map[int32]*topoLink{}
	for _, m := range msgs {
		l := newTopoLink(ns, m)
		ns.links = append(ns.links, l)
		ns.byIndex[l.index] = l
	}
	for _, a := range addrs {
		if a.Scope == unix.RT_SCOPE_LINK {
			continue
		}
		if l := ns.byIndex[a.Index]; l != nil {
			l.addrs = append(l.addrs, a.Prefix())
		}
	}
	slices.SortFunc(ns.links, func(a, b *topoLink) int { return strings.Compare(a.name, b.name) })
	return nil
}

// newTopoLink takes what the picture needs from a link message.
func newTopoLink(ns *topoNS, m *rtnl.LinkMessage) *topoLink {
	l := &topoLink{ns: ns, msg: m, name: m.Attrs.Name, index: m.Index, mtu: m.Attrs.MTU,
		flags: m.Flags, operState: m.Attrs.OperState}
	if len(m.Attrs.Address) > 0 {
		l.mac = m.Attrs.Address.String()
	}
	if m.Attrs.Master != nil {
		l.masterIdx = *m.Attrs.Master
	}
	if info := m.Attrs.Info; info != nil {
		l.kind = info.Kind
	}
	if l.kind == "bridge" {
		if bi, err := bridge.InfoOf(m); err == nil && bi.STPState != nil {
			l.stp = bi.STPState.String()
		}
	}
	if pi, err := bridge.PortInfoOf(m); err == nil && pi.State != nil {
		l.portState = pi.State.String()
	}
	return l
}

// resolvePeers finds the other end of every veth. A peer in the same
// namespace is found by its index (IFLA_LINK); one in another namespace
// by the id (IFLA_LINK_NETNSID) that the veth's namespace gives the
// peer's, which is matched against the id it gives each namespace walked.
// A peer whose namespace is none of them is read through that id
// (IFLA_TARGET_NETNSID) and shown in a namespace of its own, unknown.
func (t *topology) resolvePeers() {
	unknown := map[string]*topoNS{}
	for _, ns := range slices.Clone(t.namespaces) {
		for _, l := range ns.links {
			if l.kind != "veth" || l.peer != nil || l.msg == nil || l.msg.Attrs.Link == 0 {
				continue
			}
			idx := int32(l.msg.Attrs.Link)
			nsid := l.msg.Attrs.LinkNetNSID
			if nsid == nil {
				l.pair(ns.byIndex[idx])
				continue
			}
			target := t.nsOfNSID(ns, *nsid)
			if target == nil {
				key := fmt.Sprintf("(unknown: id %d in %s)", *nsid, ns.key)
				if target = unknown[key]; target == nil {
					target = &topoNS{key: key, unknown: true}
					unknown[key] = target
					t.namespaces = append(t.namespaces, target)
				}
			}
			if target.byIndex == nil {
				target.byIndex = map[int32]*topoLink{}
			}
			p := target.byIndex[idx]
			if p == nil {
				// Not read with its namespace (unknown, or unreadable
				// there): ask through the id, without entering it.
				p = &topoLink{ns: target, index: idx, kind: "veth"}
				if pl, err := veth.Peer(ns.conn, l.msg, nil); err == nil {
					p = newTopoLink(target, pl.Link)
				}
				target.byIndex[idx] = p
				target.links = append(target.links, p)
				slices.SortFunc(target.links, func(a, b *topoLink) int { return strings.Compare(a.name, b.name) })
			}
			l.pair(p)
		}
	}
}

// pair joins two ends of a veth.
func (l *topoLink) pair(p *topoLink) {
	if p == nil {
		return
	}
	l.peer, p.peer = p, l
}

// nsOfNSID returns the walked namespace that ns calls id, asking ns, once,
// for the id it gives each of the others (RTM_GETNSID with NETNSA_FD).
func (t *topology) nsOfNSID(ns *topoNS, id int32) *topoNS {
	if ns.conn == nil {
		return nil
	}
	if ns.nsids == nil {
		ns.nsids = map[int32]*topoNS{}
		for _, o := range t.namespaces {
			if o == ns || o.ns == nil {
				continue
			}
			got, err := ns.conn.NSIDOfFD(o.ns.Fd())
			runtime.KeepAlive(o.ns)
			if err == nil && got >= 0 {
				ns.nsids[got] = o
			}
		}
	}
	return ns.nsids[id]
}

// link fills in masters and ports, and the edges.
func (t *topology) link() {
	for _, ns := range t.namespaces {
		for _, l := range ns.links {
			if l.masterIdx == 0 {
				continue
			}
			if m := ns.byIndex[int32(l.masterIdx)]; m != nil {
				l.master = m
				m.ports = append(m.ports, l)
			}
		}
	}
	seen := map[*topoLink]bool{}
	for _, ns := range t.namespaces {
		for _, l := range ns.links {
			if l.peer != nil && !seen[l] {
				seen[l], seen[l.peer] = true, true
				t.edges = append(t.edges, topoEdge{"veth", l, l.peer})
			}
			if l.master != nil {
				kind := "master"
				if l.master.kind == "bridge" {
					kind = "port"
				}
				t.edges = append(t.edges, topoEdge{kind, l, l.master})
			}
		}
	}
}

// check looks for what is probably a mistake.
func (t *topology) check() {
	add := func(kind string, ns *topoNS, l *topoLink, format string, a ...any) {
		if l != nil {
			l.problem = true
		}
		t.problems = append(t.problems, topoProblem{kind, ns, l, fmt.Sprintf(format, a...)})
	}
	for _, ns := range t.namespaces {
		if ns.stale {
			add("stale-name", ns, nil, "namespace name %s: its file is not a namespace mount (left by a crash or a failed add; `ip netns delete %s` removes it)",
				nsfs.Quote(ns.key), nsfs.Quote(ns.key))
		}
		if ns.err != nil {
			add("unreadable", ns, nil, "namespace %s: %v", ns.key, ns.err)
		}
	}
	for _, ed := range t.edges {
		switch ed.kind {
		case "veth":
			down, up := ed.a, ed.b
			if down.up() {
				down, up = up, down
			}
			// An end that could not be read has no flags: say nothing.
			if up.up() && !down.up() && down.msg != nil {
				add("veth-down", down.ns, down, "%s is down while its peer %s is up", down.id(), up.id())
			}
		case "port":
			port, br := ed.a, ed.b
			if port.mtu != br.mtu {
				add("mtu-mismatch", port.ns, port, "%s has mtu %d, its bridge %s has mtu %d", port.id(), port.mtu, br.name, br.mtu)
			}
			for _, p := range port.addrs {
				add("port-address", port.ns, port, "%s has address %s, but it is a port of bridge %s: the bridge, not its port, should hold it", port.id(), p, br.name)
			}
		}
	}
}
