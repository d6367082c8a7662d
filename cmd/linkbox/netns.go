package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/nsfs"
	"github.com/linkbox/linkbox/rtnl"
)

// Named network namespaces for the whole program, through nsfs: the -n
// option, "netns NAME" of ip link, the names printed for peer namespaces,
// and ip netns itself (ip_netns.go). The run directory is iproute2's
// (nsfs.DefaultRunDir), so names made by either tool are the other's.

// netnsDir is the directory of named namespaces, with warnings (a file
// of /etc/netns/NAME that exec could not bind) worded as iproute2 words
// them.
func (e *env) netnsDir() *nsfs.Dir {
	return &nsfs.Dir{Warn: func(err error) { fmt.Fprintln(e.stderr, warnText(err)) }}
}

// warnText words an nsfs warning as iproute2 does: capitalised, and the
// errno as strerror(3) prints it ("Bind A -> B failed: No such file or
// directory").
func warnText(err error) string {
	s := err.Error()
	var errno unix.Errno
	if errors.As(err, &errno) {
		if t, ok := strings.CutSuffix(s, errno.Error()); ok {
			s = t + errText(errno)
		}
	}
	if s != "" {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

// runPath is the file of a name in the run directory, as iproute2 names
// it in its messages.
func runPath(name string) string { return filepath.Join(nsfs.DefaultRunDir(), name) }

// nsfsOpen opens the named namespace name. It fails for names that are
// not namespaces (nsfs.ErrStale for a stale file) and for names that
// cannot be a file in the run directory.
func nsfsOpen(name string) (*nsfs.NS, error) {
	return (&nsfs.Dir{}).Open(name)
}

// openNetns opens the namespace of ip -n NAME, with iproute2's messages
// (exit status 255): "Cannot open network namespace" when there is no
// such name, "setting the network namespace ... failed" when the name is
// a stale file, which iproute2 cannot setns into either.
func openNetns(name string) (*nsfs.NS, error) {
	ns, err := nsfsOpen(name)
	if err != nil {
		return nil, netnsOpenError(name, err, 255)
	}
	if !hasCapSysAdmin() {
		// The socket is made in the namespace by a setns(2) that would
		// fail deep in the dial; say it as iproute2 does, first.
		ns.Close()
		return nil, &cliError{code: 255, msg: fmt.Sprintf("setting the network namespace %s failed: %s", qname(name), errText(unix.EPERM))}
	}
	return ns, nil
}

// hasCapSysAdmin reports whether this thread has CAP_SYS_ADMIN in its
// effective set, which setns(2) needs; true when capget fails, leaving
// the answer to the kernel.
func hasCapSysAdmin() bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return true
	}
	const c = unix.CAP_SYS_ADMIN
	return data[c/32].Effective&(1<<(c%32)) != 0
}

// netnsOpenError words a failure to open a named namespace as iproute2's
// netns_switch does, with exit status code.
func netnsOpenError(name string, err error, code int) error {
	switch {
	case errors.Is(err, nsfs.ErrInvalidName):
		return errInvalidNetnsName(name, "")
	case errors.Is(err, nsfs.ErrStale), errors.Is(err, nsfs.ErrNotNetNS):
		return &cliError{code: code, msg: fmt.Sprintf("setting the network namespace %s failed: %s", qname(name), errText(unix.EINVAL))}
	}
	return &cliError{code: code, msg: fmt.Sprintf("Cannot open network namespace %s: %s", qname(name), errnoText(err))}
}

// errnoText is strerror(3) of the errno under err (or of the errno of
// its nsfs kind), or err's own text.
func errnoText(err error) string {
	var errno unix.Errno
	switch {
	case errors.As(err, &errno):
		return errText(errno)
	case errors.Is(err, nsfs.ErrNotExist):
		return errText(unix.ENOENT)
	case errors.Is(err, nsfs.ErrExist):
		return errText(unix.EEXIST)
	case errors.Is(err, nsfs.ErrPermission):
		return errText(unix.EPERM)
	}
	return err.Error()
}

// staleText explains a name whose file is not a namespace mount.
func staleText(name string) string {
	return fmt.Sprintf("netns %s is a stale file, not a namespace mount (left by a crash or a failed add): \"ip netns delete %s\" removes it", qname(name), nsfs.Quote(name))
}

// netnsTarget resolves the value of "netns NAME|PID" (ip link add/set,
// and a veth peer's netns) as iproute2 does: a name in the run directory,
// or a path when it has a '/', first; then a process id. The handle is
// the caller's to close. A stale name is an error of its own; otherwise
// what is neither a namespace nor a number is iproute2's "Invalid "netns"
// value".
func (c *ipCmd) netnsTarget(s string) (ns *nsfs.NS, pid int, err error) {
	if strings.Contains(s, "/") {
		ns, err = nsfs.Open(s)
	} else {
		ns, err = nsfsOpen(s)
	}
	switch {
	case err == nil:
		return ns, 0, nil
	case errors.Is(err, nsfs.ErrStale):
		// iproute2 opens the stale file and sends its descriptor; the
		// kernel says EINVAL (exit status 2).
		return nil, 0, &cliError{code: 2, msg: "Error: " + staleText(s) + "."}
	case errors.Is(err, nsfs.ErrNotNetNS):
		return nil, 0, &cliError{code: 2, msg: fmt.Sprintf("Error: %s is not a network namespace.", qname(s))}
	}
	if n, ok := cInt32(s); ok {
		// iproute2 sends any integer as IFLA_NET_NS_PID and lets the
		// kernel answer (ESRCH for a process that does not exist).
		return nil, int(n), nil
	}
	return nil, 0, errInvalidArg(s, `Invalid "netns" value`)
}

// nsidNames maps the ids that the namespace of conn has given to peer
// namespaces to the names those namespaces have in the run directory,
// for "link-netns NAME" and "(iproute2 netns name: NAME)". An id with no
// name is missing; so is every id if the ids cannot be read, and the
// caller then prints the number, as iproute2 does when it finds no name.
func nsidNames(conn *rtnl.Conn) map[int32]string {
	names := map[int32]string{}
	ids, err := (&nsfs.Dir{}).ListNSIDs(conn)
	if err != nil {
		return names
	}
	for _, id := range ids {
		if id.Name != "" {
			names[id.NSID] = id.Name
		}
	}
	return names
}

// netnsEntries lists the run directory as iproute2 walks it: in the
// order readdir returns the names (which is what ip netns list, identify
// and -all print in), each with the namespace it names or marked stale.
// missing reports that the run directory does not exist.
func netnsEntries(d *nsfs.Dir) (entries []nsfs.Entry, missing bool, err error) {
	dir := d.Path
	if dir == "" {
		dir = nsfs.DefaultRunDir()
	}
	f, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	order, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return nil, false, err
	}
	// nsfs lists under the directory's lock (no name half made) but
	// sorted; put its entries back in readdir order.
	list, err := d.List()
	if err != nil {
		return nil, false, err
	}
	byName := make(map[string]nsfs.Entry, len(list))
	for _, e := range list {
		byName[e.Name] = e
	}
	entries = make([]nsfs.Entry, 0, len(list))
	for _, n := range order {
		if e, ok := byName[n]; ok {
			entries = append(entries, e)
			delete(byName, n)
		}
	}
	for _, e := range list { // added between the two reads
		if _, ok := byName[e.Name]; ok {
			entries = append(entries, e)
		}
	}
	return entries, false, nil
}

// cInt32 parses s as iproute2's get_integer and get_s32 do (strtol, base
// 0): leading blanks, a sign, 0x for hex, a leading 0 for octal; the
// whole string must be the number, and it must fit in an int.
func cInt32(s string) (int32, bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := i < len(s) && s[i] == '-'
	v, n, overflow := cStrtoull(s)
	if n == 0 || n != len(s) || overflow {
		return 0, false
	}
	x := int64(v)
	if (neg && x > 0) || (!neg && x < 0) {
		return 0, false // beyond a long
	}
	if x < -1<<31 || x > 1<<31-1 {
		return 0, false
	}
	return int32(x), true
}
