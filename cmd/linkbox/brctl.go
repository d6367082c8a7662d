package main

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/bridge"
	"github.com/linkbox/linkbox/rtnl"
)

// brctl is bridge-utils' brctl over netlink alone: no ioctl, no sysfs, so
// it works in any namespace and needs no /sys. It takes bridge-utils 1.7.1's
// command line and prints its output and its messages, with its exit
// statuses (0 or 1). Times are seconds, fractions allowed, converted to the
// kernel's clock_t (centiseconds) the way brctl converts them.
//
// What brctl does through its ioctls and sysfs files, and how it shows
// here:
//   - A bridge name is cut to 15 bytes, as the ioctls cut it (strlcpy
//     into ifr_name): `brctl addbr averyveryverylongname` makes
//     "averyveryverylo", and later commands find it by the long name.
//   - Port settings go to the port's own sysfs files, whatever bridge is
//     named; so do they here.

const brctlUsage = "brctl [commands]"

// brctlCmd is one brctl command: its minimum argument count and its help.
type brctlCmd struct {
	nargs int
	name  string
	run   func(b *brctl, args []string) int
	help  string
}

// brctlCmds are brctl's commands, in its order.
var brctlCmds = []brctlCmd{
	{1, "addbr", (*brctl).addbr, "<bridge>\t\tadd bridge"},
	{1, "delbr", (*brctl).delbr, "<bridge>\t\tdelete bridge"},
	{2, "addif", (*brctl).addif, "<bridge> <device>\tadd interface to bridge"},
	{2, "delif", (*brctl).delif, "<bridge> <device>\tdelete interface from bridge"},
	{3, "hairpin", (*brctl).hairpin, "<bridge> <port> {on|off}\tturn hairpin on/off"},
	{2, "setageing", (*brctl).setageing, "<bridge> <time>\t\tset ageing time"},
	{2, "setbridgeprio", (*brctl).setbridgeprio, "<bridge> <prio>\t\tset bridge priority"},
	{2, "setfd", (*brctl).setfd, "<bridge> <time>\t\tset bridge forward delay"},
	{2, "sethello", (*brctl).sethello, "<bridge> <time>\t\tset hello time"},
	{2, "setmaxage", (*brctl).setmaxage, "<bridge> <time>\t\tset max message age"},
	{3, "setpathcost", (*brctl).setpathcost, "<bridge> <port> <cost>\tset path cost"},
	{3, "setportprio", (*brctl).setportprio, "<bridge> <port> <prio>\tset port priority"},
	{0, "show", (*brctl).show, "[ <bridge> ]\t\tshow a list of bridges"},
	{1, "showmacs", (*brctl).showmacs, "<bridge>\t\tshow a list of mac addrs"},
	{1, "showstp", (*brctl).showstp, "<bridge>\t\tshow bridge stp info"},
	{2, "stp", (*brctl).stp, "<bridge> {on|off}\tturn stp on/off"},
}

// brctl is one run of brctl.
type brctl struct {
	*env
	conn *rtnl.Conn
}

func (b *brctl) printf(format string, a ...any) { fmt.Fprintf(b.stdout, format, a...) }
func (b *brctl) errorf(format string, a ...any) { fmt.Fprintf(b.stderr, format, a...) }

// help prints brctl's usage on standard output.
func (b *brctl) help() {
	b.printf("Usage: brctl [commands]\ncommands:\n")
	for _, c := range brctlCmds {
		b.printf("\t%-10s\t%s\n", c.name, c.help)
	}
}

func brctlMain(e *env, argv []string) int {
	b := &brctl{env: e}
	// getopt_long("Vh") with GNU argument permutation: options are found
	// anywhere on the line, until "--".
	var rest []string
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		switch {
		case a == "--":
			rest = append(rest, argv[i+1:]...)
			i = len(argv)
		case strings.HasPrefix(a, "--"):
			name, _, hasValue := strings.Cut(a[2:], "=")
			var match string
			for _, o := range []string{"help", "version"} {
				if name != "" && strings.HasPrefix(o, name) {
					match = o
				}
			}
			switch {
			case match == "":
				b.errorf("brctl: unrecognized option '%s'\n", a)
			case hasValue:
				b.errorf("brctl: option '--%s' doesn't allow an argument\n", match)
			case match == "help":
				b.help()
				return 0
			default:
				b.printf("bridge-utils, linkbox %s\n", version)
				return 0
			}
			b.errorf("Unknown option '?'\n")
			b.help()
			return 1
		case len(a) > 1 && a[0] == '-':
			for _, ch := range a[1:] {
				switch ch {
				case 'h':
					b.help()
					return 0
				case 'V':
					b.printf("bridge-utils, linkbox %s\n", version)
					return 0
				}
				b.errorf("brctl: invalid option -- '%c'\n", ch)
				b.errorf("Unknown option '?'\n")
				b.help()
				return 1
			}
		default:
			rest = append(rest, a)
		}
	}
	if len(rest) == 0 {
		b.help()
		return 1
	}
	conn, err := e.conn()
	if err != nil {
		b.errorf("can't setup bridge control: %s\n", errText(err))
		return 1
	}
	b.conn = conn
	for _, c := range brctlCmds {
		if c.name != rest[0] {
			continue
		}
		if len(rest) < c.nargs+1 {
			b.printf("Incorrect number of arguments for command\n")
			b.printf("Usage: brctl %s %s\n", c.name, c.help)
			return 1
		}
		return c.run(b, rest)
	}
	b.errorf("never heard of command [%s]\n", rest[0])
	b.help()
	return 1
}

// ifrName is a name as the bridge ioctls take it: cut to IFNAMSIZ-1 bytes.
func ifrName(name string) string {
	if len(name) >= unix.IFNAMSIZ {
		return name[:unix.IFNAMSIZ-1]
	}
	return name
}

// strerror is strerror(3) of err's errno, as brctl prints it.
func strerror(err error) string {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return errText(errno)
	}
	return err.Error()
}

// link looks a link up by name as if_nametoindex does: a name that is too
// long or not a valid name names no link (ENODEV).
func (b *brctl) link(name string) (*rtnl.LinkMessage, error) {
	if rtnl.CheckLinkName(name) != nil {
		return nil, unix.ENODEV
	}
	l, err := b.conn.LinkByName(name)
	if err != nil {
		if errors.Is(err, unix.ENODEV) || errors.Is(err, rtnl.ErrNotFound) {
			return nil, unix.ENODEV
		}
		return nil, err
	}
	return l, nil
}

// isBridge reports whether l is a bridge.
func isBridge(l *rtnl.LinkMessage) bool {
	return l.Attrs.Info != nil && l.Attrs.Info.Kind == "bridge"
}

// bridgeOf finds the bridge an ioctl on name would act on: ENODEV if there
// is no such link, EOPNOTSUPP if it is not a bridge.
func (b *brctl) bridgeOf(name string) (*rtnl.LinkMessage, error) {
	l, err := b.link(ifrName(name))
	if err != nil {
		return nil, err
	}
	if !isBridge(l) {
		return nil, unix.EOPNOTSUPP
	}
	return l, nil
}

func (b *brctl) addbr(args []string) int {
	name := ifrName(args[1])
	var err error
	if rtnl.CheckLinkName(name) != nil {
		err = unix.EINVAL
	} else {
		_, err = bridge.Add(b.conn, name, nil)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, unix.EEXIST):
		b.errorf("device %s already exists; can't create bridge with the same name\n", args[1])
	default:
		b.errorf("add bridge failed: %s\n", strerror(err))
	}
	return 1
}

func (b *brctl) delbr(args []string) int {
	l, err := b.link(ifrName(args[1]))
	switch {
	case errors.Is(err, unix.ENODEV):
		err = unix.ENXIO
	case err != nil:
	case !isBridge(l):
		err = unix.EPERM
	case l.Flags&unix.IFF_UP != 0:
		err = unix.EBUSY
	default:
		err = b.conn.DeleteLink(l.Index)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, unix.ENXIO):
		b.errorf("bridge %s doesn't exist; can't delete it\n", args[1])
	case errors.Is(err, unix.EBUSY):
		b.errorf("bridge %s is still up; can't delete it\n", args[1])
	default:
		b.errorf("can't delete bridge %s: %s\n", args[1], strerror(err))
	}
	return 1
}

func (b *brctl) addif(args []string) int {
	brname := args[1]
	for _, ifname := range args[2:] {
		err := b.addOne(brname, ifname)
		switch {
		case err == nil:
			continue
		case errors.Is(err, unix.ENODEV):
			if _, lerr := b.link(ifname); lerr != nil {
				b.errorf("interface %s does not exist!\n", ifname)
			} else {
				b.errorf("bridge %s does not exist!\n", brname)
			}
		case errors.Is(err, unix.EBUSY):
			b.errorf("device %s is already a member of a bridge; can't add it to bridge %s.\n", ifname, brname)
		case errors.Is(err, unix.ELOOP):
			b.errorf("device %s is a bridge device itself; can't add a bridge device to a bridge device.\n", ifname)
		default:
			b.errorf("can't add %s to bridge %s: %s\n", ifname, brname, strerror(err))
		}
		return 1
	}
	return 0
}

// addOne is SIOCBRADDIF: the kernel's checks in its order, then
// IFLA_MASTER. Netlink would move a port from another master, or accept a
// port already there; the ioctl refuses both (EBUSY).
func (b *brctl) addOne(brname, ifname string) error {
	port, err := b.link(ifname)
	if err != nil {
		return err
	}
	br, err := b.bridgeOf(brname)
	if err != nil {
		return err
	}
	if isBridge(port) {
		return unix.ELOOP
	}
	if port.Attrs.Master != nil && *port.Attrs.Master != 0 {
		return unix.EBUSY
	}
	return bridge.AddPort(b.conn, br.Index, port.Index)
}

func (b *brctl) delif(args []string) int {
	brname := args[1]
	for _, ifname := range args[2:] {
		err := b.delOne(brname, ifname)
		switch {
		case err == nil:
			continue
		case errors.Is(err, unix.ENODEV):
			if _, lerr := b.link(ifname); lerr != nil {
				b.errorf("interface %s does not exist!\n", ifname)
			} else {
				b.errorf("bridge %s does not exist!\n", brname)
			}
		case errors.Is(err, unix.EINVAL):
			b.errorf("device %s is not a port of %s\n", ifname, brname)
		default:
			b.errorf("can't delete %s from %s: %s\n", ifname, brname, strerror(err))
		}
		return 1
	}
	return 0
}

// delOne is SIOCBRDELIF: only a port of this bridge can leave it.
func (b *brctl) delOne(brname, ifname string) error {
	port, err := b.link(ifname)
	if err != nil {
		return err
	}
	br, err := b.bridgeOf(brname)
	if err != nil {
		return err
	}
	if port.Attrs.Master == nil || int32(*port.Attrs.Master) != br.Index {
		return unix.EINVAL
	}
	return bridge.RemovePort(b.conn, port.Index)
}

// onOffYes reads brctl's on/off words.
func onOffYes(s string) (bool, bool) {
	switch s {
	case "on", "yes", "1":
		return true, true
	case "off", "no", "0":
		return false, true
	}
	return false, false
}

func (b *brctl) hairpin(args []string) int {
	brname, ifname := args[1], args[2]
	on, ok := onOffYes(args[3])
	if !ok {
		b.errorf("expect on/off for argument\n")
		return 1
	}
	if _, err := b.link(ifname); err != nil {
		b.errorf("interface %s does not exist!\n", ifname)
		return 1
	}
	if _, err := b.link(brname); err != nil {
		b.errorf("bridge %s does not exist!\n", brname)
		return 1
	}
	if err := b.setPort(brname, ifname, &bridge.PortInfo{Hairpin: &on}); err != nil {
		b.errorf("can't set %s to hairpin on bridge %s: %s\n", ifname, brname, strerror(err))
		return 1
	}
	return 0
}

// setPort changes a port's settings as brctl's port_set does: through the
// port's own brport files, whatever bridge is named. When the link is no
// bridge port, its errno is what brctl's ioctl fallback leaves: ENODEV for
// a missing port or bridge, EOPNOTSUPP when the bridge is not one, ENOENT
// (the missing sysfs file) otherwise.
func (b *brctl) setPort(brname, ifname string, p *bridge.PortInfo) error {
	port, err := b.link(ifname)
	if err != nil {
		return unix.ENODEV
	}
	if port.Attrs.Info == nil || port.Attrs.Info.SlaveKind != "bridge" {
		if _, err := b.bridgeOf(brname); err != nil {
			return err
		}
		return unix.ENOENT
	}
	return bridge.SetPort(b.conn, port.Index, p)
}

// setBridge changes a bridge's settings as brctl's br_set does.
func (b *brctl) setBridge(brname string, x *bridge.Info) error {
	br, err := b.bridgeOf(brname)
	if err != nil {
		return err
	}
	return bridge.Set(b.conn, br.Index, x)
}

// secondsToClockT reads a time in seconds as brctl does (sscanf "%lf",
// then a struct timeval) and converts it to clock_t centiseconds as its
// __tv_to_jiffies does: truncating, not rounding. ok is false when no
// number starts s; a time outside a u32 clock_t is ERANGE.
func secondsToClockT(s string) (time.Duration, bool, error) {
	secs, ok := cScanDouble(s)
	if !ok {
		return 0, false, nil
	}
	if math.IsNaN(secs) || math.IsInf(secs, 0) || secs < 0 || secs >= math.MaxUint32/100+1 {
		return 0, true, unix.ERANGE
	}
	sec := int64(secs)
	usec := int64(1000000 * (secs - float64(sec)))
	cs := uint64(1000000*sec+usec) / 10000
	if cs > math.MaxUint32 {
		return 0, true, unix.ERANGE
	}
	return bridge.FromClockT(cs), true, nil
}

// cScanDouble is sscanf(s, "%lf"): leading blanks, then the longest prefix
// that is a number (decimal, hex, inf, nan), the rest ignored.
func cScanDouble(s string) (float64, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	for n := len(s); n > 0; n-- {
		p := s[:n]
		low := strings.ToLower(p)
		if strings.HasSuffix(low, "x") || strings.Contains(low, "_") {
			continue
		}
		if strings.HasPrefix(strings.TrimLeft(low, "+-"), "0x") && !strings.Contains(low, "p") {
			// A C hex float needs no exponent; Go's parser does.
			if v, err := strconv.ParseFloat(p+"p0", 64); err == nil {
				return v, true
			}
			continue
		}
		if v, err := strconv.ParseFloat(p, 64); err == nil || errors.Is(err, strconv.ErrRange) {
			return v, true
		}
	}
	return 0, false
}

// setTime is setageing, setfd, sethello and setmaxage.
func (b *brctl) setTime(args []string, what, failed string, field func(*bridge.Info) **time.Duration) int {
	d, ok, err := secondsToClockT(args[2])
	if !ok {
		b.errorf("bad %s value\n", what)
		return 1
	}
	if err == nil {
		var x bridge.Info
		*field(&x) = &d
		err = b.setBridge(args[1], &x)
	}
	if err != nil {
		b.errorf("%s failed: %s\n", failed, strerror(err))
		return 1
	}
	return 0
}

func (b *brctl) setageing(args []string) int {
	return b.setTime(args, "ageing time", "set ageing time", func(x *bridge.Info) **time.Duration { return &x.AgeingTime })
}

func (b *brctl) setfd(args []string) int {
	return b.setTime(args, "forward delay", "set forward delay", func(x *bridge.Info) **time.Duration { return &x.ForwardDelay })
}

func (b *brctl) sethello(args []string) int {
	return b.setTime(args, "hello timer", "set hello timer", func(x *bridge.Info) **time.Duration { return &x.HelloTime })
}

func (b *brctl) setmaxage(args []string) int {
	return b.setTime(args, "max age", "set max age", func(x *bridge.Info) **time.Duration { return &x.MaxAge })
}

func (b *brctl) setbridgeprio(args []string) int {
	prio, ok := cScanInt(args[2])
	if !ok {
		b.errorf("bad priority\n")
		return 1
	}
	// The kernel keeps the low 16 bits of what sysfs is given.
	if err := b.setBridge(args[1], &bridge.Info{Priority: new(uint16(prio))}); err != nil {
		b.errorf("set bridge priority failed: %s\n", strerror(err))
		return 1
	}
	return 0
}

func (b *brctl) setpathcost(args []string) int {
	cost, ok := cScanInt(args[3])
	if !ok {
		b.errorf("bad path cost value\n")
		return 1
	}
	// Out of 1..65535 the kernel answers ERANGE, as it does through sysfs.
	if err := b.setPort(args[1], args[2], &bridge.PortInfo{Cost: new(uint32(cost))}); err != nil {
		b.errorf("set path cost failed: %s\n", strerror(err))
		return 1
	}
	return 0
}

func (b *brctl) setportprio(args []string) int {
	prio, ok := cScanInt(args[3])
	if !ok {
		b.errorf("bad path priority value\n")
		return 1
	}
	var err error
	if prio < 0 || prio > math.MaxUint16 {
		// sysfs takes the whole number and the kernel refuses it;
		// IFLA_BRPORT_PRIORITY would cut it to 16 bits.
		err = unix.ERANGE
	} else {
		err = b.setPort(args[1], args[2], &bridge.PortInfo{Priority: new(uint16(prio))})
	}
	if err != nil {
		b.errorf("set port priority failed: %s\n", strerror(err))
		return 1
	}
	return 0
}

func (b *brctl) stp(args []string) int {
	on, ok := onOffYes(args[2])
	if !ok {
		b.errorf("expect on/off for argument\n")
		return 1
	}
	state := bridge.STPOff
	if on {
		state = bridge.STPOn
	}
	if err := b.setBridge(args[1], &bridge.Info{STPState: &state}); err != nil {
		b.errorf("set stp status failed: %s\n", strerror(err))
		return 1
	}
	return 0
}

// bridgeInfo reads a bridge as brctl's br_get_bridge_info does, with its
// complaints.
func (b *brctl) bridgeInfo(name string) (*rtnl.LinkMessage, *bridge.Info, bool) {
	l, err := b.bridgeOf(name)
	if err == nil {
		var x *bridge.Info
		if x, err = bridge.InfoOf(l); err == nil {
			return l, x, true
		}
	}
	if errors.Is(err, unix.ENODEV) {
		b.errorf("bridge %s does not exist!\n", name)
	} else {
		b.errorf("device %s is not a bridge!\n", name)
	}
	return nil, nil, false
}

// portsByName lists a bridge's ports sorted by name, as brctl reads them
// from the bridge's brif directory.
func (b *brctl) portsByName(br int32) ([]bridge.Port, error) {
	ports, err := bridge.Ports(b.conn, br)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(ports, func(i, j int) bool { return ports[i].Link.Attrs.Name < ports[j].Link.Attrs.Name })
	return ports, nil
}

func (b *brctl) show(args []string) int {
	names := args[1:]
	if len(names) == 0 {
		links, err := b.conn.Links()
		if err != nil && !errors.Is(err, rtnl.ErrDumpInterrupted) {
			b.errorf("can't get bridges: %s\n", strerror(err))
			return 1
		}
		for _, l := range links {
			if isBridge(l) {
				names = append(names, l.Attrs.Name)
			}
		}
		sort.Strings(names)
	}
	header := true
	errs := 0
	for _, name := range names {
		l, x, ok := b.bridgeInfo(name)
		if !ok {
			errs++
			continue
		}
		if header {
			b.printf("bridge name\tbridge id\t\tSTP enabled\tinterfaces\n")
			header = false
		}
		stp := "no"
		if x.STPState != nil && *x.STPState != bridge.STPOff {
			stp = "yes"
		}
		b.printf("%s\t\t%s\t%s\t\t", name, x.BridgeID, stp)
		ports, err := b.portsByName(l.Index)
		if err != nil {
			b.printf(" can't get port info: %s\n", strerror(err))
			continue
		}
		for i, p := range ports {
			if i > 0 {
				b.printf("\n\t\t\t\t\t\t\t")
			}
			b.printf("%s", p.Link.Attrs.Name)
		}
		b.printf("\n")
	}
	if errs > 0 {
		return 1
	}
	return 0
}

// timer is brctl's br_show_timer: "%4i.%.2i".
func timer(d time.Duration) string {
	cs := centis(d)
	return fmt.Sprintf("%4d.%02d", cs/100, cs%100)
}

func (b *brctl) showmacs(args []string) int {
	br, err := b.bridgeOf(args[1])
	var fdb []bridge.FDBEntry
	var ports []bridge.Port
	if err == nil {
		fdb, err = bridge.FDB(b.conn, br.Index)
	}
	if err == nil {
		ports, err = bridge.Ports(b.conn, br.Index)
	}
	if err != nil {
		b.errorf("read of forward table failed: %s\n", strerror(err))
		return 1
	}
	portNo := map[int32]uint16{}
	for _, p := range ports {
		portNo[p.Link.Index] = p.Info.No
	}
	// Entries on the bridge device itself have no port: brctl's table
	// (the kernel's brforward) leaves them out.
	var rows []bridge.FDBEntry
	for _, f := range fdb {
		if f.Port != br.Index && len(f.MAC) == 6 {
			rows = append(rows, f)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return string(rows[i].MAC) < string(rows[j].MAC) })
	b.printf("port no\tmac addr\t\tis local?\tageing timer\n")
	for _, f := range rows {
		local, age := "no", f.Age
		if f.Local {
			local, age = "yes", 0
		}
		m := f.MAC
		b.printf("%3d\t%02x:%02x:%02x:%02x:%02x:%02x\t%s\t\t%s\n", portNo[f.Port],
			m[0], m[1], m[2], m[3], m[4], m[5], local, timer(age))
	}
	return 0
}

func (b *brctl) showstp(args []string) int {
	name := args[1]
	l, x, ok := b.bridgeInfo(name)
	if !ok {
		return 1
	}
	val := func(d *time.Duration) time.Duration {
		if d == nil {
			return 0
		}
		return *d
	}
	var w strings.Builder
	fmt.Fprintf(&w, "%s\n", name)
	fmt.Fprintf(&w, " bridge id\t\t%s", x.BridgeID)
	fmt.Fprintf(&w, "\n designated root\t%s", x.RootID)
	fmt.Fprintf(&w, "\n root port\t\t%4d\t\t\t", x.RootPort)
	fmt.Fprintf(&w, "path cost\t\t%4d\n", int32(x.RootPathCost))
	fmt.Fprintf(&w, " max age\t\t%s\t\t\tbridge max age\t\t%s", timer(val(x.MaxAge)), timer(val(x.MaxAge)))
	fmt.Fprintf(&w, "\n hello time\t\t%s\t\t\tbridge hello time\t%s", timer(val(x.HelloTime)), timer(val(x.HelloTime)))
	fmt.Fprintf(&w, "\n forward delay\t\t%s\t\t\tbridge forward delay\t%s", timer(val(x.ForwardDelay)), timer(val(x.ForwardDelay)))
	fmt.Fprintf(&w, "\n ageing time\t\t%s", timer(val(x.AgeingTime)))
	fmt.Fprintf(&w, "\n hello timer\t\t%s\t\t\ttcn timer\t\t%s", timer(x.HelloTimer), timer(x.TCNTimer))
	fmt.Fprintf(&w, "\n topology change timer\t%s\t\t\tgc timer\t\t%s", timer(x.TopologyChangeTimer), timer(x.GCTimer))
	w.WriteString("\n flags\t\t\t")
	if x.TopologyChange != 0 {
		w.WriteString("TOPOLOGY_CHANGE ")
	}
	if x.TopologyChangeDetected != 0 {
		w.WriteString("TOPOLOGY_CHANGE_DETECTED ")
	}
	w.WriteString("\n\n\n")
	ports, err := b.portsByName(l.Index)
	if err != nil {
		fmt.Fprintf(&w, "can't get ports: %s\n", strerror(err))
	}
	for _, p := range ports {
		i := p.Info
		state := "<INVALID STATE>"
		if i.State != nil && int(*i.State) < len(portStateNames) {
			state = portStateNames[*i.State]
		}
		var prioCost uint32
		if i.Cost != nil {
			prioCost = *i.Cost
		}
		fmt.Fprintf(&w, "%s (%d)\n", p.Link.Attrs.Name, i.No)
		fmt.Fprintf(&w, " port id\t\t%04x", i.ID)
		fmt.Fprintf(&w, "\t\t\tstate\t\t%15s\n", state)
		fmt.Fprintf(&w, " designated root\t%s", i.DesignatedRoot)
		fmt.Fprintf(&w, "\tpath cost\t\t%4d\n", int32(prioCost))
		fmt.Fprintf(&w, " designated bridge\t%s", i.DesignatedBridge)
		fmt.Fprintf(&w, "\tmessage age timer\t%s", timer(i.MessageAgeTimer))
		fmt.Fprintf(&w, "\n designated port\t%04x", i.DesignatedPort)
		fmt.Fprintf(&w, "\t\t\tforward delay timer\t%s", timer(i.ForwardDelayTimer))
		fmt.Fprintf(&w, "\n designated cost\t%4d", i.DesignatedCost)
		fmt.Fprintf(&w, "\t\t\thold timer\t\t%s", timer(i.HoldTimer))
		w.WriteString("\n flags\t\t\t")
		if i.ConfigPending != 0 {
			w.WriteString("CONFIG_PENDING ")
		}
		if i.TopologyChangeAck != 0 {
			w.WriteString("TOPOLOGY_CHANGE_ACK ")
		}
		if i.Hairpin != nil && *i.Hairpin {
			fmt.Fprintf(&w, "\n hairpin mode\t\t%4d", 1)
		}
		w.WriteString("\n\n")
	}
	b.printf("%s", w.String())
	return 0
}
