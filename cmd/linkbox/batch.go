package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/veth"
)

// ip -batch FILE runs one command per line, as iproute2 does: it stops at
// the first failure unless -force is given, and names the file and line of
// each failure. The end state and the messages are iproute2's; the way
// there is cheaper where a script has a common shape:
//
//   - A run of "link del NAME" lines is one batched unregister in the
//     kernel (rtnl.Conn.DeleteLinks) instead of one RCU grace period per
//     link. Names are checked first, in order, so a missing one (or the
//     peer of a veth deleted on an earlier line) fails on its own line.
//   - "link add A type veth peer name B" followed by "link set B netns NS",
//     "link set A master BR" and "link set A up" is one request: B is born
//     in NS (never moved), A is born on BR and up. If that request fails,
//     the lines run one by one, so the error is iproute2's, on its line.
//   - "netns exec NS ip ARGS" runs the ip command in this process, with a
//     socket opened in NS, instead of starting a process.
//
// The file is read as it runs, with a bounded lookahead, so memory stays
// flat however long it is.

// batchLookahead bounds the lines read ahead of the one running.
const batchLookahead = 4096

// batchLine is one non-empty line of a batch file.
type batchLine struct {
	no   int
	argv []string
	err  error // the line could not be split into words
}

// batchReader reads a batch file with a bounded lookahead.
type batchReader struct {
	sc    *bufio.Scanner
	queue []batchLine
	no    int
	eof   bool
}

// peek returns the i-th line ahead of the current one (0 is the current
// one), reading as needed; false past the end or the lookahead.
func (r *batchReader) peek(i int) (batchLine, bool) {
	for len(r.queue) <= i && !r.eof && i < batchLookahead {
		if !r.sc.Scan() {
			r.eof = true
			break
		}
		r.no++
		argv, err := splitBatchLine(r.sc.Text())
		if err == nil && len(argv) == 0 {
			continue
		}
		r.queue = append(r.queue, batchLine{no: r.no, argv: argv, err: err})
	}
	if i < len(r.queue) {
		return r.queue[i], true
	}
	return batchLine{}, false
}

// take drops n lines from the front.
func (r *batchReader) take(n int) {
	r.queue = r.queue[n:]
	if len(r.queue) == 0 {
		r.queue = nil // let the backing array go
	}
}

// batchRun is one run of a batch file.
type batchRun struct {
	c      *ipCmd
	name   string
	r      *batchReader
	status int
	stop   bool
}

func (c *ipCmd) runBatch(name string) int {
	var in io.Reader = c.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(c.stderr, "Cannot open file %q for batch.\n", name)
			return 255
		}
		defer f.Close()
		in = f
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	// Lines name the same links again and again: resolve each name once.
	// The connections see every change the batch makes, so the cache
	// stays true unless something else changes the links meanwhile.
	c.cacheIndexes = true
	for _, conn := range c.conns {
		conn.CacheLinkIndexes(true)
	}
	b := &batchRun{c: c, name: name, r: &batchReader{sc: sc}}
	for !b.stop {
		l, ok := b.r.peek(0)
		if !ok {
			break
		}
		if l.err != nil {
			b.fail(l, l.err)
			b.r.take(1)
			continue
		}
		if b.deleteRun() || b.vethFold() {
			continue
		}
		b.fail(l, c.runLine(l.argv))
		b.r.take(1)
	}
	if err := b.r.sc.Err(); err != nil {
		fmt.Fprintf(c.stderr, "Error reading batch file %q: %v\n", name, err)
		return 1
	}
	return b.status
}

// fail reports a line's error, if any, as iproute2 does. A usage error
// (a bad or missing argument) ends the whole batch with status 255, even
// with -force and without "Command failed": iproute2 exits on the spot.
func (b *batchRun) fail(l batchLine, err error) {
	var ue *usageError
	if errors.As(err, &ue) {
		b.c.report("ip", err)
		b.status = 255
		b.stop = true
		return
	}
	if code := b.c.report("ip", err); code != 0 {
		fmt.Fprintf(b.c.stderr, "Command failed %s:%d\n", b.name, l.no)
		b.status = 1
		b.stop = !b.c.opts.force
	}
}

// runLine runs one line: "netns exec NS ip ..." in this process where it
// can, anything else through the usual dispatch.
func (c *ipCmd) runLine(argv []string) error {
	if inner := c.inProcessExec(argv); inner != nil {
		return inner.dispatch(inner.args)
	}
	return c.dispatch(argv)
}

// innerIP is an ip command from a "netns exec" line, to run in process.
type innerIP struct {
	*ipCmd
	args []string
}

// inProcessExec recognises "netns exec NS ip [OPTIONS] OBJECT ..." for the
// objects whose commands only talk netlink (link, address, route, neigh),
// and returns an ip command bound to NS; nil when the line must really run
// a program.
func (c *ipCmd) inProcessExec(argv []string) *innerIP {
	if len(argv) < 5 || c.objectOf(argv[0]) != "netns" || argv[1] != "exec" || filepath.Base(argv[3]) != "ip" {
		return nil
	}
	inner := *c.env
	inner.netns = argv[2]
	ic := &ipCmd{env: &inner}
	rest, err := ic.parseGlobal(argv[4:])
	if err != nil || len(rest) == 0 || ic.opts.batch != "" || ic.netns != argv[2] {
		return nil
	}
	switch ic.objectOf(rest[0]) {
	case "link", "address", "route", "neighbor", "neighbour":
	default:
		return nil
	}
	return &innerIP{ipCmd: ic, args: rest}
}

// objectOf resolves an abbreviated object name as dispatch does.
func (c *ipCmd) objectOf(word string) string {
	for _, o := range ipObjects {
		if matches(word, o.name) {
			return o.name
		}
	}
	return ""
}

// linkCmd reports whether argv is "link CMD ..." with CMD abbreviating
// name, and returns the words after CMD.
func (c *ipCmd) linkCmd(argv []string, name string) ([]string, bool) {
	if len(argv) < 2 || c.objectOf(argv[0]) != "link" || !matches(argv[1], name) {
		return nil, false
	}
	// "set" is checked before "show" by ip link, and "delete" before
	// anything else that starts with d: only take unambiguous forms.
	if name == "delete" && matches(argv[1], "add") {
		return nil, false
	}
	return argv[2:], true
}

// devOf returns NAME from "NAME" or "dev NAME", the only words of a simple
// link delete.
func devOf(words []string) (string, bool) {
	switch {
	case len(words) == 1 && words[0] != "dev" && !matches(words[0], "group") && words[0] != "type":
		return words[0], true
	case len(words) == 2 && words[0] == "dev":
		return words[1], true
	}
	return "", false
}

// deleteRun runs a run of two or more "link del NAME" lines as one batched
// delete. It reports whether it ran anything.
func (b *batchRun) deleteRun() bool {
	var lines []batchLine
	var names []string
	for i := 0; ; i++ {
		l, ok := b.r.peek(i)
		if !ok || l.err != nil {
			break
		}
		words, ok := b.c.linkCmd(l.argv, "delete")
		if !ok {
			break
		}
		name, ok := devOf(words)
		if !ok || checkName(name) != nil {
			break
		}
		lines = append(lines, l)
		names = append(names, name)
	}
	if len(lines) < 2 {
		return false
	}
	conn, err := b.c.conn()
	if err != nil {
		return false // the usual path reports it, line by line
	}
	// What deleting needs to know of each link, kept small: a namespace
	// may hold thousands.
	type ref struct {
		index, peer int32 // peer: a veth's other end here, or 0
	}
	byName := map[string]ref{}
	err = conn.EachLink(nil, func(l *rtnl.LinkMessage) error {
		r := ref{index: l.Index}
		if l.Attrs.Info != nil && l.Attrs.Info.Kind == "veth" && l.Attrs.LinkNetNSID == nil {
			r.peer = int32(l.Attrs.Link)
		}
		byName[l.Attrs.Name] = r
		return nil
	})
	if err != nil {
		return false
	}
	gone := map[int32]bool{}
	var batch []int32
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if err := conn.DeleteLinks(batch...); err != nil {
			b.fail(lines[0], err)
		}
		batch = batch[:0]
	}
	for i, l := range lines {
		link, ok := byName[names[i]]
		if !ok || gone[link.index] {
			// iproute2 fails here: the link is not there (any more).
			flush()
			b.fail(l, errNoDevice(names[i]))
			b.r.take(1)
			if b.stop {
				return true
			}
			continue
		}
		gone[link.index] = true
		// Deleting a veth deletes its peer with it.
		if link.peer != 0 {
			gone[link.peer] = true
		}
		batch = append(batch, link.index)
		b.r.take(1)
	}
	flush()
	return true
}

// vethFold runs "link add A type veth peer name B" and the lines after it
// that move B into a namespace, put A on a bridge and bring A up, as one
// request. It reports whether it ran anything.
func (b *batchRun) vethFold() bool {
	l, ok := b.r.peek(0)
	if !ok {
		return false
	}
	words, ok := b.c.linkCmd(l.argv, "add")
	if !ok || len(words) != 6 || words[1] != "type" || words[2] != "veth" || words[3] != "peer" || words[4] != "name" {
		return false
	}
	a, p := words[0], words[5]
	if checkName(a) != nil || checkName(p) != nil || a == p {
		return false
	}
	var ns, master string
	up := false
	n := 1
	for ; ; n++ {
		f, ok := b.r.peek(n)
		if !ok || f.err != nil {
			break
		}
		w, ok := b.c.linkCmd(f.argv, "set")
		if !ok {
			break
		}
		if len(w) > 0 && w[0] == "dev" {
			w = w[1:]
		}
		switch {
		case len(w) == 3 && w[0] == p && w[1] == "netns" && ns == "":
			ns = w[2]
		case len(w) == 3 && w[0] == a && w[1] == "master" && master == "":
			master = w[2]
		case len(w) == 2 && w[0] == a && w[1] == "up" && !up:
			up = true
		default:
			goto done
		}
	}
done:
	if n == 1 {
		return false
	}
	conn, err := b.c.conn()
	if err != nil {
		return false
	}
	pair := veth.Pair{End: veth.End{Name: a, Up: up}, Peer: veth.End{Name: p}}
	if master != "" {
		idx, err := conn.LinkIndex(master)
		if err != nil {
			return false
		}
		pair.Master = idx
	}
	if ns != "" {
		f, err := nsfsOpen(ns)
		if err != nil {
			return false
		}
		defer f.Close()
		pair.Peer.NetNSFD = int(f.Fd())
	}
	m, err := pair.Request()
	if err != nil {
		return false
	}
	replies, err := conn.Execute(rtnl.Request{Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_CREATE | unix.NLM_F_EXCL | unix.NLM_F_ECHO, Payload: m})
	if err != nil {
		// The kernel made nothing: run the lines one by one, for
		// iproute2's error on the right line.
		return false
	}
	// The echo gives the first end's index (the connection remembers it)
	// and, in IFLA_LINK, the peer's: remember that too when the peer is
	// here, for the lines that name it next.
	for _, r := range replies {
		if r.Header.Type != unix.RTM_NEWLINK || ns != "" {
			continue
		}
		var l rtnl.LinkMessage
		if l.UnmarshalBinary(r.Data) == nil && l.Attrs.LinkNetNSID == nil {
			conn.RememberLinkIndex(p, int32(l.Attrs.Link))
		}
	}
	b.r.take(n)
	return true
}
