package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/nsfs"
	"github.com/linkbox/linkbox/rtnl"
)

// ip netns, as iproute2 6.1's ipnetns.c: the same subcommands and
// abbreviations, output, messages and exit statuses, over nsfs. Where
// linkbox differs on purpose:
//
//   - add and attach refuse names that would not print on one line
//     (control characters, a newline, invalid UTF-8: nsfs.ValidName),
//     which iproute2 accepts; such names made by other tools are still
//     listed, escaped by nsfs.Quote, used and deleted;
//   - delete takes several names (iproute2 deletes the first and ignores
//     the rest), and -all delete goes on past a failure and exits 1;
//   - a stale name (a file that is not a namespace mount) is explained
//     where iproute2 prints "Peer netns reference is invalid" or nothing;
//   - names being added by nsfs are never seen half made;
//   - under --dry-run, add, attach and delete print what they would do
//     ("would: mount --bind ...") and do nothing; exec runs the command
//     with the wire switches in its environment, so that linkbox applets
//     in it dry-run too.

const netnsUsage = "Usage:\tip netns list\n" +
	"\tip netns add NAME\n" +
	"\tip netns attach NAME PID\n" +
	"\tip netns set NAME NETNSID\n" +
	"\tip [-all] netns delete [NAME]\n" +
	"\tip netns identify [PID]\n" +
	"\tip netns pids NAME\n" +
	"\tip [-all] netns exec [NAME] cmd ...\n" +
	"\tip netns monitor\n" +
	"\tip netns list-id [target-nsid POSITIVE-INT] [nsid POSITIVE-INT]\n" +
	"NETNSID := auto | POSITIVE-INT"

// netnsCommands are ip netns's subcommands in the order iproute2 tries
// them, which decides what an abbreviation means: "l" and "s" are list,
// "a" is add, "d" delete, "e" exec, "m" monitor.
var netnsCommands = []struct {
	name string
	run  func(c *ipCmd, argv []string) error
}{
	{"list", (*ipCmd).netnsList},
	{"show", (*ipCmd).netnsList},
	{"lst", (*ipCmd).netnsList},
	{"list-id", (*ipCmd).netnsListID},
	{"help", func(*ipCmd, []string) error { return &cliError{code: 255, msg: netnsUsage} }},
	{"add", (*ipCmd).netnsAdd},
	{"set", (*ipCmd).netnsSet},
	{"delete", (*ipCmd).netnsDelete},
	{"identify", (*ipCmd).netnsIdentify},
	{"pids", (*ipCmd).netnsPids},
	{"exec", (*ipCmd).netnsExec},
	{"monitor", (*ipCmd).netnsMonitor},
	{"attach", (*ipCmd).netnsAttach},
}

func (c *ipCmd) doNetns(a *args) error {
	if c.netns != "" {
		// ip -n NAME fails before anything else when NAME cannot be
		// entered, as iproute2's does.
		if _, err := c.conn(); err != nil {
			return err
		}
	}
	argv := a.rest()
	if len(argv) == 0 {
		return c.netnsList(nil)
	}
	// iproute2 checks the word after the subcommand as a name, whatever
	// the subcommand (so "ip netns identify ''" is an invalid name too).
	if !c.opts.all && len(argv) > 1 && invalidNetnsName(argv[1]) {
		return errInvalidNetnsName(argv[1], "")
	}
	for _, cmd := range netnsCommands {
		if matches(argv[0], cmd.name) {
			return cmd.run(c, argv[1:])
		}
	}
	return &cliError{code: 255, msg: fmt.Sprintf("Command \"%s\" is unknown, try \"ip netns help\".", argv[0])}
}

// invalidNetnsName is iproute2's invalid_name: an empty name, one longer
// than NAME_MAX, one with a '/', "." and "..".
func invalidNetnsName(name string) bool {
	return name == "" || len(name) > nsfs.MaxNameLen || strings.Contains(name, "/") || name == "." || name == ".."
}

// qname is a name in double quotes, escaped as nsfs.Quote does.
func qname(name string) string { return `"` + nsfs.Quote(name) + `"` }

// errInvalidNetnsName is iproute2's message for a name it refuses, with
// linkbox's reason when nsfs refuses more than iproute2 does.
func errInvalidNetnsName(name, why string) error {
	msg := "Invalid netns name " + qname(name)
	if why != "" {
		msg += ": " + why
	}
	return &cliError{code: 255, msg: msg}
}

// checkNewName refuses, before anything is made, a name that nsfs will
// not create (nsfs.ValidName), saying why.
func checkNewName(name string) error {
	err := nsfs.ValidName(name)
	if err == nil {
		return nil
	}
	why := ""
	var e *nsfs.Error
	if errors.As(err, &e) && e.Err != nil && !invalidNetnsName(name) {
		why = e.Err.Error() + "; linkbox refuses names that do not print as one line"
	}
	return errInvalidNetnsName(name, why)
}

// failure is a message that iproute2 prints with exit status 1.
func failure(format string, a ...any) error {
	return &cliError{code: 1, msg: fmt.Sprintf(format, a...)}
}

// netnsList is ip netns list: each name, in the order the directory
// lists them, with " (id: N)" when the current namespace (or -n's) has
// given it an id. A missing run directory prints nothing at all, not even
// an empty JSON array, as iproute2 does.
func (c *ipCmd) netnsList([]string) error {
	d := c.netnsDir()
	entries, missing, err := netnsEntries(d)
	if err != nil {
		return err
	}
	if missing {
		return nil
	}
	conn, err := c.conn()
	if err != nil {
		return err
	}
	var b strings.Builder
	arr := make([]*jobj, 0, len(entries))
	for _, e := range entries {
		id := int32(rtnl.NSIDNotAssigned)
		if e.Stale {
			fmt.Fprintln(c.stderr, "Warning: "+staleText(e.Name))
		} else if id, err = d.NSID(conn, e.Name); err != nil {
			if errors.Is(err, nsfs.ErrNotExist) {
				continue // deleted meanwhile
			}
			return err
		}
		o := &jobj{}
		o.add("name", e.Name)
		b.WriteString(nsfs.Quote(e.Name))
		if id >= 0 {
			o.add("id", id)
			fmt.Fprintf(&b, " (id: %d)", id)
		}
		b.WriteByte('\n')
		arr = append(arr, o)
	}
	if c.opts.json {
		return writeJSON(c.stdout, arr, c.opts.pretty)
	}
	_, err = io.WriteString(c.stdout, b.String())
	return err
}

// netnsListID is ip netns list-id [target-nsid N] [nsid N]: the ids the
// current namespace (or the peer target-nsid names) has given, each with
// the name of its namespace when it has one here.
func (c *ipCmd) netnsListID(argv []string) error {
	var target, nsid *int32
	for i := 0; i < len(argv); i++ {
		key := argv[i]
		var dst **int32
		switch key {
		case "target-nsid":
			dst = &target
		case "nsid":
			dst = &nsid
		default:
			return &cliError{code: 255, msg: netnsUsage}
		}
		if *dst != nil {
			return usagef(`Error: duplicate "%s": "%s" is the second value.`, key, key)
		}
		if i+1 >= len(argv) {
			return errIncomplete()
		}
		i++
		v, ok := cInt32(argv[i])
		if !ok {
			return usagef(`Error: argument "%s" is wrong: "%s" value is invalid`, argv[i], key)
		}
		if v < 0 {
			// iproute2 names the word after the value here, or
			// "(null)" when there is none.
			next := "(null)"
			if i+1 < len(argv) {
				next = argv[i+1]
			}
			return usagef(`Error: argument "%s" is wrong: "%s" value should be >= 0`, next, key)
		}
		*dst = &v
	}
	conn, err := c.conn()
	if err != nil {
		return err
	}
	req := rtnl.Request{Type: unix.RTM_GETNSID, Payload: &rtnl.NSIDMessage{Attrs: rtnl.NSIDAttrs{NSID: nsid, TargetNSID: target}}}
	var msgs []rtnl.Message
	if nsid != nil {
		msgs, err = conn.Execute(req)
	} else {
		msgs, err = conn.DumpAll(req)
	}
	if err != nil {
		return err
	}
	names := nsidNames(conn)
	var b strings.Builder
	arr := make([]*jobj, 0, len(msgs))
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWNSID {
			continue
		}
		var n rtnl.NSIDMessage
		if err := n.UnmarshalBinary(m.Data); err != nil {
			return err
		}
		if n.Attrs.NSID == nil {
			return failure("BUG: NETNSA_NSID is missing print_nsid")
		}
		arr = append(arr, nsidLine(&b, &n, names))
	}
	if c.opts.json {
		return writeJSON(c.stdout, arr, c.opts.pretty)
	}
	_, err = io.WriteString(c.stdout, b.String())
	return err
}

// nsidLine writes one id as iproute2's print_nsid does, in text to b and
// as the returned JSON object: the id, the current namespace's id for the
// same peer when the kernel gives it (with target-nsid), and the name of
// that peer here.
func nsidLine(b *strings.Builder, n *rtnl.NSIDMessage, names map[int32]string) *jobj {
	o := &jobj{}
	id := *n.Attrs.NSID
	if id < 0 {
		b.WriteString("nsid unassigned ")
	} else {
		o.add("nsid", id)
		fmt.Fprintf(b, "nsid %d ", id)
	}
	key := id
	if cur := n.Attrs.CurrentNSID; cur != nil {
		key = *cur
		if *cur < 0 {
			b.WriteString("current-nsid unassigned ")
		} else {
			o.add("current-nsid", *cur)
			fmt.Fprintf(b, "current-nsid %d ", *cur)
		}
	}
	if name, ok := names[key]; ok && key >= 0 {
		o.add("name", name)
		fmt.Fprintf(b, "(iproute2 netns name: %s)", nsfs.Quote(name))
	}
	b.WriteByte('\n')
	return o
}

// netnsAdd is ip netns add NAME.
func (c *ipCmd) netnsAdd(argv []string) error {
	if len(argv) < 1 {
		return failure("No netns name specified")
	}
	name := argv[0]
	if err := checkNewName(name); err != nil {
		return err
	}
	if c.dryRun {
		if _, err := os.Lstat(runPath(name)); err == nil {
			return failure("Cannot create namespace file \"%s\": %s", runPath(name), errText(unix.EEXIST))
		}
		c.would("mount --bind <a new network namespace> %s", runPath(name))
		return nil
	}
	if err := c.netnsDir().Add(name); err != nil {
		return failure("%s", addErrorText(name, err))
	}
	return nil
}

// netnsAttach is ip netns attach NAME PID: a name for a process's
// namespace.
func (c *ipCmd) netnsAttach(argv []string) error {
	if len(argv) < 2 {
		return failure("No netns name and PID specified")
	}
	name := argv[0]
	pid, ok := cInt32(argv[1])
	if !ok || pid == 0 {
		return failure("Invalid PID: %s", argv[1])
	}
	if err := checkNewName(name); err != nil {
		return err
	}
	proc := "/proc/" + strconv.Itoa(int(pid)) + "/ns/net"
	ns, err := nsfs.Open(proc)
	if err != nil {
		// iproute2 creates the name first, so a taken name is what it
		// reports; then the bind of the process's namespace fails.
		if _, serr := os.Lstat(runPath(name)); serr == nil {
			return failure("Cannot create namespace file \"%s\": %s", runPath(name), errText(unix.EEXIST))
		}
		return failure("Bind %s -> %s failed: %s", proc, runPath(name), errnoText(err))
	}
	defer ns.Close()
	if c.dryRun {
		if _, err := os.Lstat(runPath(name)); err == nil {
			return failure("Cannot create namespace file \"%s\": %s", runPath(name), errText(unix.EEXIST))
		}
		c.would("mount --bind %s %s", proc, runPath(name))
		return nil
	}
	if err := c.netnsDir().Attach(name, ns); err != nil {
		return failure("%s", addErrorText(name, err))
	}
	return nil
}

// addErrorText words a failed add or attach as iproute2 words the step
// that failed.
func addErrorText(name string, err error) string {
	path := runPath(name)
	dir := filepath.Dir(path)
	var se *os.SyscallError
	var pe *os.PathError
	switch {
	case errors.As(err, &se) && strings.HasPrefix(se.Syscall, "unshare"):
		return fmt.Sprintf("Failed to create a new network namespace %s: %s", qname(name), errnoText(se.Err))
	case errors.As(err, &pe):
		why := errnoText(pe.Err)
		switch {
		case pe.Op == "create":
			return fmt.Sprintf("Cannot create namespace file \"%s\": %s", path, why)
		case pe.Op == "mkdir":
			return fmt.Sprintf("mkdir %s failed: %s", dir, why)
		case pe.Op == "mount --make-rshared":
			return fmt.Sprintf("mount --make-shared %s failed: %s", dir, why)
		case pe.Op == "mount --rbind":
			return fmt.Sprintf("mount --bind %s %s failed: %s", dir, dir, why)
		case strings.HasPrefix(pe.Op, "mount --bind "):
			src := strings.TrimPrefix(pe.Op, "mount --bind ")
			src = strings.Replace(src, "/proc/thread-self/", "/proc/self/", 1)
			return fmt.Sprintf("Bind %s -> %s failed: %s", src, path, why)
		}
	case errors.Is(err, nsfs.ErrExist):
		return fmt.Sprintf("Cannot create namespace file \"%s\": %s", path, errText(unix.EEXIST))
	case errors.Is(err, nsfs.ErrStale):
		return fmt.Sprintf("Cannot create namespace file \"%s\": %s", path, errText(unix.EEXIST))
	case errors.Is(err, nsfs.ErrPermission):
		// nsfs checks CAP_SYS_ADMIN before it touches anything; without
		// it, iproute2's first step to fail is this one.
		return fmt.Sprintf("mount --make-shared %s failed: %s", dir, errText(unix.EPERM))
	}
	return fmt.Sprintf("Cannot create namespace %s: %v", qname(name), err)
}

// netnsSet is ip netns set NAME NETNSID: the id the current namespace (or
// -n's) gives NAME; "auto" lets the kernel choose.
func (c *ipCmd) netnsSet(argv []string) error {
	if len(argv) < 1 {
		return failure("No netns name specified")
	}
	if len(argv) < 2 {
		return failure("No nsid specified")
	}
	name := argv[0]
	id := int32(rtnl.NSIDNotAssigned)
	if argv[1] != "auto" {
		v, ok := cInt32(argv[1])
		if !ok {
			return usagef(`Error: argument "%s" is wrong: Invalid "netnsid" value`, argv[1])
		}
		if v < 0 {
			return usagef(`Error: argument "%s" is wrong: "netnsid" value should be >= 0`, argv[1])
		}
		id = v
	}
	ns, err := nsfsOpen(name)
	if errors.Is(err, nsfs.ErrStale) {
		// iproute2 sends the stale file; the kernel says "Peer netns
		// reference is invalid" (exit status 2).
		return &cliError{code: 2, msg: "Error: " + staleText(name) + "."}
	}
	if err != nil {
		return failure("Cannot open network namespace %s: %s", qname(name), errnoText(err))
	}
	defer ns.Close()
	conn, err := c.conn()
	if err != nil {
		return err
	}
	return nsfs.SetNSID(conn, ns, id)
}

// netnsDelete is ip netns delete NAME... and ip -all netns delete.
func (c *ipCmd) netnsDelete(argv []string) error {
	d := c.netnsDir()
	var names []string
	if c.opts.all {
		entries, _, err := netnsEntries(d)
		if err != nil {
			return failure("Failed to open directory %s: %s", nsfs.DefaultRunDir(), errnoText(err))
		}
		for _, e := range entries {
			names = append(names, e.Name)
		}
	} else {
		if len(argv) < 1 {
			return failure("No netns name specified")
		}
		for _, n := range argv {
			if invalidNetnsName(n) {
				return errInvalidNetnsName(n, "")
			}
		}
		names = argv
	}
	failed := false
	for _, n := range names {
		if c.dryRun {
			if _, err := os.Lstat(runPath(n)); err != nil {
				fmt.Fprintf(c.stderr, "Cannot remove namespace file \"%s\": %s\n", nsfs.Quote(runPath(n)), errnoText(err))
				failed = true
				continue
			}
			c.would("umount -l %s; rm %s", nsfs.Quote(runPath(n)), nsfs.Quote(runPath(n)))
			continue
		}
		if err := d.Delete(n); err != nil {
			fmt.Fprintf(c.stderr, "Cannot remove namespace file \"%s\": %s\n", nsfs.Quote(runPath(n)), errnoText(err))
			failed = true
		}
	}
	if failed {
		return &cliError{code: 1}
	}
	return nil
}

// netnsIdentify is ip netns identify [PID]: the name of a process's
// namespace, or an empty line when it has none. Without a PID it is this
// process's namespace, which with ip -n NAME is NAME's (iproute2 moves
// itself there). With several names for one namespace, iproute2 prints
// the last the directory lists; so does linkbox.
func (c *ipCmd) netnsIdentify(argv []string) error {
	if len(argv) > 1 {
		return failure("extra arguments specified")
	}
	var ns *nsfs.NS
	var err error
	switch {
	case len(argv) == 0 && c.netns != "":
		ns, err = openNetns(c.netns)
		if err != nil {
			return err
		}
	case len(argv) == 0:
		ns, err = nsfs.Current()
	default:
		pid := argv[0]
		if strings.Trim(pid, "0123456789") != "" {
			return failure("Specified string '%s' is not a pid", pid)
		}
		ns, err = nsfs.Open("/proc/" + pid + "/ns/net")
	}
	if err != nil {
		return failure("Cannot open network namespace: %s", errnoText(err))
	}
	defer ns.Close()
	entries, _, err := netnsEntries(c.netnsDir())
	if err != nil {
		return failure("Failed to open directory %s:%s", nsfs.DefaultRunDir(), errnoText(err))
	}
	name := ""
	for _, e := range entries {
		if !e.Stale && e.ID == ns.ID() {
			name = e.Name
		}
	}
	_, err = fmt.Fprintln(c.stdout, nsfs.Quote(name))
	return err
}

// netnsPids is ip netns pids NAME: the processes in a named namespace.
func (c *ipCmd) netnsPids(argv []string) error {
	if len(argv) < 1 {
		return failure("No netns name specified")
	}
	if len(argv) > 1 {
		return failure("extra arguments specified")
	}
	ns, err := nsfsOpen(argv[0])
	if errors.Is(err, nsfs.ErrStale) {
		// No process is in a file that is not a namespace: iproute2
		// prints nothing, and so does linkbox, with a warning.
		fmt.Fprintln(c.stderr, "Warning: "+staleText(argv[0]))
		return nil
	}
	if err != nil {
		return failure("Cannot open network namespace: %s", errnoText(err))
	}
	defer ns.Close()
	pids, err := nsfs.PidsOf(ns)
	if err != nil {
		return failure("Open of /proc failed: %s", errnoText(err))
	}
	var b strings.Builder
	for _, p := range pids {
		fmt.Fprintf(&b, "%d\n", p)
	}
	_, err = io.WriteString(c.stdout, b.String())
	return err
}

// netnsMonitor is ip netns monitor: "add NAME" and "delete NAME" as names
// come and go, until interrupted or until standard output fails (a closed
// pipe, or a test's writer that has seen enough).
func (c *ipCmd) netnsMonitor([]string) error {
	w, err := c.netnsDir().Watch()
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) && pe.Op == "mkdir" {
			return failure("mkdir %s failed: %s", pe.Path, errnoText(err))
		}
		return failure("inotify_add_watch failed: %s", errnoText(err))
	}
	defer w.Close()
	for {
		ev, err := w.Next()
		switch {
		case errors.Is(err, nsfs.ErrOverflow):
			fmt.Fprintln(c.stderr, "Warning: events were lost (inotify queue overflow); list the namespaces again")
			continue
		case errors.Is(err, io.EOF):
			return failure("%s was removed: no more events", nsfs.DefaultRunDir())
		case err != nil:
			return failure("read failed: %s", errnoText(err))
		}
		if _, err := fmt.Fprintln(c.stdout, ev.String()); err != nil {
			return err
		}
	}
}
