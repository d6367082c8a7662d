package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/rtnl/wire"
)

// The wire switches: --trace, --dry-run and --pcap FILE, right after
// linkbox or right after an applet's name, or LINKBOX_TRACE=1,
// LINKBOX_DRY_RUN=1 and LINKBOX_PCAP=FILE in the environment. Every
// connection a run opens (e.dial) goes through them:
//
//   - --trace prints every datagram sent and received to stderr as an
//     annotated hex dump (rtnl/wire's text view).
//   - --pcap writes every datagram to FILE, a pcap of link type
//     LINKTYPE_NETLINK that Wireshark and tshark dissect. --pcap FILE
//     starts the file afresh; LINKBOX_PCAP=FILE appends to it when it is
//     already such a capture, so that a script calling ip and brctl many
//     times leaves one capture of everything they did.
//   - --dry-run sends no request that changes anything. The connection's
//     socket is real, and requests that only read (RTM_GET*: name
//     lookups, dumps) go to the kernel, which needs no privilege; every
//     other datagram is held back, printed to stdout as an annotated dump
//     titled "would send", and answered as the kernel answers success, so
//     the command runs to its end and prints every request it would
//     send, in order. The bytes are those the command sends for real.

// wireOptions takes the wire switches from the front of args.
func (e *env) wireOptions(args []string) []string {
	for len(args) > 0 {
		name, value, hasValue := strings.Cut(args[0], "=")
		switch name {
		case "--trace":
			e.trace = true
		case "--dry-run":
			e.dryRun = true
		case "--pcap":
			switch {
			case hasValue:
				e.pcapPath = value
			case len(args) > 1:
				e.pcapPath = args[1]
				args = args[1:]
			}
			w := e.wireTap()
			w.pcapFresh = true
			if e.pcapPath == "" {
				w.err = &cliError{code: 1, msg: "linkbox: --pcap needs a file name"}
			}
		default:
			return args
		}
		args = args[1:]
	}
	return args
}

// wireFromEnvironment applies LINKBOX_TRACE, LINKBOX_DRY_RUN and
// LINKBOX_PCAP, then sets the switches up for every connection the run
// opens: the pcap file is created (or opened for appending) here, so that
// it exists even if the command sends nothing. An error (a pcap file that
// cannot be written) ends the run before the applet starts.
func (e *env) wireFromEnvironment() error {
	if v := e.getenv("LINKBOX_TRACE"); v != "" && v != "0" {
		e.trace = true
	}
	if v := e.getenv("LINKBOX_DRY_RUN"); v != "" && v != "0" {
		e.dryRun = true
	}
	if v := e.getenv("LINKBOX_PCAP"); v != "" && e.pcapPath == "" {
		e.pcapPath = v
	}
	if !e.trace && !e.dryRun && e.pcapPath == "" && e.wire == nil {
		return nil
	}
	w := e.wireTap()
	if w.err != nil {
		return w.err
	}
	w.trace, w.dryRun = e.trace, e.dryRun
	if e.pcapPath != "" && w.pcap == nil {
		if err := w.openPcap(e.pcapPath, !w.pcapFresh); err != nil {
			w.err = err
			return err
		}
	}
	return nil
}

// wireTap returns the run's switches, made on first use. An env copied
// for a command run in process (ip -batch's "netns exec NS ip ...")
// shares them, and so the one pcap file.
func (e *env) wireTap() *wireTap {
	if e.wire == nil {
		e.wire = &wireTap{e: e, kinds: kinds}
	}
	return e.wire
}

// wireTap is what the wire switches turn into, shared by every connection
// of a run.
type wireTap struct {
	e             *env // whose streams the dumps go to
	kinds         rtnl.Kinds
	trace, dryRun bool
	err           error // a bad switch, or a pcap file that could not be opened

	mu sync.Mutex // one dump at a time on stdout and stderr

	pcap     *wire.PcapWriter
	pcapFile *os.File
	pcapName string
	// pcapFresh: the file was named by --pcap, and starts afresh;
	// LINKBOX_PCAP appends.
	pcapFresh bool

	// events annotates what record sees: subscriptions, which send no
	// requests an ack would need.
	events *wire.Annotator

	// made counts the links a dry run pretended to create, for the
	// indexes of the echoes it makes up.
	made int32
}

// Titles of the dumps a dry run prints: the requests it holds back, and
// the answers it makes up for them.
const (
	titleHeld    = "would send"
	titleMadeUp  = "would receive"
	pcapFileMode = 0o644
)

// dial opens a connection with the wire switches applied. Without
// --dry-run it is rtnl.Dial with a trace function for --trace and
// --pcap; with it, the connection runs over a dry-run socket wrapped
// around a real one (see drySocket).
func (e *env) dial(cfg *rtnl.Config) (*rtnl.Conn, error) {
	w := e.wire
	if w == nil {
		return rtnl.Dial(cfg)
	}
	if w.err != nil {
		return nil, w.err
	}
	if !w.dryRun {
		cfg.Trace = wire.Tee(cfg.Trace, w.tracer())
		return rtnl.Dial(cfg)
	}
	sock, pid, err := rtnl.DialSocket(cfg)
	if err != nil {
		return nil, err
	}
	ds := &drySocket{w: w, real: sock, pid: pid, ann: wire.NewAnnotator(w.kinds), extra: cfg.Trace}
	ds.hold = &wire.DryRun{Pid: pid}
	return rtnl.NewConn(ds, pid, &rtnl.Config{Kinds: cfg.Kinds}), nil
}

// tracer returns the trace function of one connection: an annotator of
// its own (sequence numbers are per connection, and an annotator matches
// acks to requests by them) writing to stderr, and the pcap file.
func (w *wireTap) tracer() rtnl.TraceFunc {
	var ann *wire.Annotator
	if w.trace {
		ann = wire.NewAnnotator(w.kinds)
	}
	return func(dir rtnl.Direction, b []byte) {
		if ann != nil {
			w.show(w.e.stderr, ann.Annotate(wire.Datagram{Dir: dir, Data: b}), "")
		}
		w.capture(dir, b)
	}
}

// record is the trace function for sockets that only listen (ip monitor's
// subscription): it annotates with one annotator for all of them.
func (w *wireTap) record(dir rtnl.Direction, b []byte) {
	if w.trace {
		w.mu.Lock()
		if w.events == nil {
			w.events = wire.NewAnnotator(w.kinds)
		}
		ann := w.events
		w.mu.Unlock()
		w.show(w.e.stderr, ann.Annotate(wire.Datagram{Dir: dir, Data: b}), "")
	}
	w.capture(dir, b)
}

// show writes a dump and a blank line to out, titled title instead of
// "sent" or "received" when title is set.
func (w *wireTap) show(out io.Writer, d *wire.Dump, title string) {
	if title != "" {
		d.Direction = title
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	d.WriteText(out)
	io.WriteString(out, "\n")
}

// capture writes a datagram to the pcap file, if there is one.
func (w *wireTap) capture(dir rtnl.Direction, b []byte) {
	if w.pcap != nil {
		w.pcap.Trace(dir, b)
	}
}

// close reports a pcap file that could not be written whole, and closes
// it.
func (w *wireTap) close() {
	if w.pcapFile == nil {
		return
	}
	if err := w.pcap.Err(); err != nil {
		fmt.Fprintf(w.e.stderr, "linkbox: pcap file %s: %v\n", w.pcapName, err)
	}
	if err := w.pcapFile.Close(); err != nil {
		fmt.Fprintf(w.e.stderr, "linkbox: pcap file %s: %v\n", w.pcapName, err)
	}
	w.pcapFile, w.pcap = nil, nil
}

// pcapHeaderLen is the size of a pcap file header.
const pcapHeaderLen = 24

// openPcap opens the pcap file. Fresh, it is created or truncated and
// starts with a header. Appending (the environment form), a file that
// already holds a netlink capture in this host's byte order gets the new
// frames at its end, each in one write(2) on an O_APPEND descriptor, so
// that several linkbox processes of one script can share it; an empty
// or missing file gets a header first; anything else is refused rather
// than overwritten. The file is locked while its header is checked or
// written.
func (w *wireTap) openPcap(name string, appending bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if appending {
		flags = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	f, err := os.OpenFile(name, flags|unix.O_CLOEXEC, pcapFileMode)
	if err != nil {
		return &cliError{code: 1, msg: fmt.Sprintf("linkbox: pcap file: %v", err)}
	}
	var out io.Writer = f
	if appending {
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
			f.Close()
			return &cliError{code: 1, msg: fmt.Sprintf("linkbox: pcap file %s: lock: %v", name, err)}
		}
		defer unix.Flock(int(f.Fd()), unix.LOCK_UN)
		ours, err := isNetlinkPcap(name)
		switch {
		case err != nil:
			f.Close()
			return &cliError{code: 1, msg: fmt.Sprintf("linkbox: pcap file: %v", err)}
		case ours:
			out = &skipWriter{w: f, skip: pcapHeaderLen}
		default:
			if st, err := f.Stat(); err != nil || st.Size() != 0 {
				f.Close()
				return &cliError{code: 1, msg: fmt.Sprintf("linkbox: LINKBOX_PCAP: %s is not a netlink pcap file that linkbox can append to; remove it or name another", name)}
			}
		}
	}
	pw, err := wire.NewPcapWriter(out)
	if err != nil {
		f.Close()
		return &cliError{code: 1, msg: fmt.Sprintf("linkbox: pcap file %s: %v", name, err)}
	}
	w.pcap, w.pcapFile, w.pcapName = pw, f, name
	return nil
}

// isNetlinkPcap reports whether the file starts with the header of a pcap
// file that PcapWriter would write on this host: microsecond magic in
// host byte order, link type LINKTYPE_NETLINK.
func isNetlinkPcap(name string) (bool, error) {
	f, err := os.Open(name)
	if err != nil {
		return false, err
	}
	defer f.Close()
	var h [pcapHeaderLen]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return false, nil
		}
		return false, err
	}
	o := binary.NativeEndian
	return o.Uint32(h[0:]) == 0xa1b2c3d4 && o.Uint32(h[20:]) == wire.LinkTypeNetlink, nil
}

// skipWriter drops the first skip bytes written to it: the header a
// PcapWriter writes, when frames are appended to a file that has one.
type skipWriter struct {
	w    io.Writer
	skip int
}

func (s *skipWriter) Write(b []byte) (int, error) {
	if s.skip > 0 {
		n := min(s.skip, len(b))
		s.skip -= n
		if n == len(b) {
			return n, nil
		}
		m, err := s.w.Write(b[n:])
		return n + m, err
	}
	return s.w.Write(b)
}

// drySocket is the socket of a --dry-run connection. Datagrams of RTM_GET*
// requests go to the real socket, and the kernel's answers come back as
// usual: reading changes nothing and needs no privilege, and it lets a
// command resolve names to indexes. Every other datagram is held back:
// printed to stdout, written to the pcap file as if sent, and answered
// by a wire.DryRun as the kernel answers success (a capped positive ack
// for each message that asks for one).
//
// Some commands read what their changes made. A request with NLM_F_ECHO
// first gets a made-up echo: the request itself as the kernel would
// return it, so that a command that reads the echo (brctl addbr)
// continues. A link the dry run pretends to create gets an index no real
// link has (the kernel's count up from 1, these down from the largest it
// allows), and a later lookup of its name on the same connection (the
// next line of ip -batch) is answered with it instead of the kernel's
// "no such device". The made-up answers show in --trace titled "would
// receive"; they are not written to the pcap file.
type drySocket struct {
	w     *wireTap
	real  rtnl.Socket
	hold  *wire.DryRun
	pid   uint32
	ann   *wire.Annotator
	extra rtnl.TraceFunc // the caller's own trace function, if any

	mu      sync.Mutex
	answers [][]byte          // made-up answers, in the order the kernel would send them
	made    map[string][]byte // links pretended made, by name: their RTM_NEWLINK payload
}

func (s *drySocket) Send(b []byte) error {
	if s.extra != nil {
		s.extra(rtnl.Sent, b)
	}
	w := s.w
	if isGetDatagram(b) {
		s.mu.Lock()
		reply := s.madeLink(b)
		s.mu.Unlock()
		if reply == nil {
			if w.trace {
				w.show(w.e.stderr, s.ann.Annotate(wire.Datagram{Dir: rtnl.Sent, Data: b}), "")
			}
			w.capture(rtnl.Sent, b)
			return s.real.Send(b)
		}
		// A lookup of a link only this dry run made: answered here.
		if w.trace {
			w.show(w.e.stderr, s.ann.Annotate(wire.Datagram{Dir: rtnl.Sent, Data: b}), titleHeld)
		}
		w.capture(rtnl.Sent, b)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.answers = append(s.answers, reply)
		return s.answer(b)
	}
	d := s.ann.Annotate(wire.Datagram{Dir: rtnl.Sent, Data: b})
	w.show(w.e.stdout, d, titleHeld)
	if w.trace {
		w.show(w.e.stderr, d, titleHeld)
	}
	w.capture(rtnl.Sent, b)

	s.mu.Lock()
	defer s.mu.Unlock()
	for off := 0; off+rtnl.HeaderLen <= len(b); {
		n := int(binary.NativeEndian.Uint32(b[off:]))
		if n < rtnl.HeaderLen || n > len(b)-off {
			break
		}
		m := b[off : off+n]
		made := s.pretend(m)
		if echo := s.echo(m, made); echo != nil {
			s.answers = append(s.answers, echo)
		}
		if err := s.answer(m); err != nil {
			return err
		}
		off += (n + 3) &^ 3
	}
	return nil
}

// answer queues what the kernel answers a request that succeeds: an ack
// if it asks for one, the end of a dump if it is one.
func (s *drySocket) answer(m []byte) error {
	if err := s.hold.Send(m); err != nil {
		return err
	}
	for {
		a, _, err := s.hold.Receive()
		if err != nil {
			return nil // nothing more pending
		}
		s.answers = append(s.answers, a)
	}
}

func (s *drySocket) Receive() ([]byte, rtnl.Addr, error) {
	s.mu.Lock()
	if len(s.answers) > 0 {
		a := s.answers[0]
		s.answers = s.answers[1:]
		s.mu.Unlock()
		if s.w.trace {
			s.w.show(s.w.e.stderr, s.ann.Annotate(wire.Datagram{Dir: rtnl.Received, Data: a}), titleMadeUp)
		}
		if s.extra != nil {
			s.extra(rtnl.Received, a)
		}
		return a, rtnl.Addr{}, nil
	}
	s.mu.Unlock()
	b, from, err := s.real.Receive()
	if err != nil {
		return b, from, err
	}
	if s.w.trace {
		s.w.show(s.w.e.stderr, s.ann.Annotate(wire.Datagram{Dir: rtnl.Received, Data: b}), "")
	}
	s.w.capture(rtnl.Received, b)
	if s.extra != nil {
		s.extra(rtnl.Received, b)
	}
	return b, from, nil
}

func (s *drySocket) Close() error { return s.real.Close() }

// pretend records a link that request m creates (RTM_NEWLINK with
// NLM_F_CREATE, a name, and no index) under a made-up index, and returns
// its payload as the kernel would report the new link; nil for any other
// request.
func (s *drySocket) pretend(m []byte) []byte {
	o := binary.NativeEndian
	typ, flags := o.Uint16(m[4:]), o.Uint16(m[6:])
	const hdr = rtnl.HeaderLen + unix.SizeofIfInfomsg
	if typ != unix.RTM_NEWLINK || flags&unix.NLM_F_CREATE == 0 || len(m) < hdr || o.Uint32(m[rtnl.HeaderLen+4:]) != 0 {
		return nil
	}
	name := dryLinkName(m[hdr:])
	if name == "" {
		return nil
	}
	p := bytes.Clone(m[rtnl.HeaderLen:])
	s.w.mu.Lock()
	s.w.made++
	o.PutUint32(p[4:], uint32(math.MaxInt32-s.w.made+1))
	s.w.mu.Unlock()
	if s.made == nil {
		s.made = map[string][]byte{}
	}
	if _, ok := s.made[name]; !ok {
		s.made[name] = p
	}
	return p
}

// dryLinkName returns the IFLA_IFNAME among a link message's attributes.
func dryLinkName(attrs []byte) string {
	d := rtnl.NewDecoder(attrs)
	for d.Next() {
		if d.Type() == unix.IFLA_IFNAME {
			return d.String()
		}
	}
	return ""
}

// madeLink answers a lookup (RTM_GETLINK, not a dump) of a link this dry
// run pretended to create, by name or by its made-up index, with the
// RTM_NEWLINK the kernel would send; nil when the lookup is for the
// kernel.
func (s *drySocket) madeLink(b []byte) []byte {
	o := binary.NativeEndian
	const hdr = rtnl.HeaderLen + unix.SizeofIfInfomsg
	if len(s.made) == 0 || len(b) < hdr || int(o.Uint32(b)) != len(b) ||
		o.Uint16(b[4:]) != unix.RTM_GETLINK || o.Uint16(b[6:])&unix.NLM_F_DUMP != 0 {
		return nil
	}
	var p []byte
	if idx := o.Uint32(b[rtnl.HeaderLen+4:]); idx != 0 {
		for _, q := range s.made {
			if o.Uint32(q[4:]) == idx {
				p = q
			}
		}
	} else if name := dryLinkName(b[hdr:]); name != "" {
		p = s.made[name]
	}
	if p == nil {
		return nil
	}
	r := make([]byte, rtnl.HeaderLen, rtnl.HeaderLen+len(p))
	r = append(r, p...)
	o.PutUint32(r[0:], uint32(len(r)))
	o.PutUint16(r[4:], unix.RTM_NEWLINK)
	o.PutUint32(r[8:], o.Uint32(b[8:]))
	o.PutUint32(r[12:], s.pid)
	return r
}

// echo makes up the kernel's echo of request m when m asks for one
// (NLM_F_ECHO on an RTM_NEW* request): the request's type, sequence
// number and payload (made, for a link it pretended to create),
// addressed to this socket, without request flags.
func (s *drySocket) echo(m, made []byte) []byte {
	o := binary.NativeEndian
	typ, flags := o.Uint16(m[4:]), o.Uint16(m[6:])
	if flags&unix.NLM_F_ECHO == 0 || typ < unix.RTM_BASE || typ%4 != 0 {
		return nil
	}
	b := bytes.Clone(m)
	if made != nil {
		b = append(b[:rtnl.HeaderLen], made...)
	}
	o.PutUint16(b[6:], 0)
	o.PutUint32(b[12:], s.pid)
	return b
}

// isGetDatagram reports whether every message of a datagram is an RTM_GET*
// request: the kernel answers those without changing anything.
func isGetDatagram(b []byte) bool {
	if len(b) < rtnl.HeaderLen {
		return false
	}
	for off := 0; off+rtnl.HeaderLen <= len(b); {
		n := int(binary.NativeEndian.Uint32(b[off:]))
		t := binary.NativeEndian.Uint16(b[off+4:])
		if n < rtnl.HeaderLen || t < unix.RTM_BASE || t%4 != 2 {
			return false
		}
		off += (n + 3) &^ 3
	}
	return true
}

// would is how a command says, in a dry run, what it would do that is not
// netlink and so cannot be shown as a request: a namespace bind-mounted
// (ip netns add, attach), unmounted (delete), a program run in one (ip
// netns exec), a file written (ip route flush cache), packets sent
// (ping). It prints "would: WHAT" on stdout, among the "would send" dumps,
// and returns true: the caller then does not do it, and carries on as if
// it had succeeded. Outside a dry run it prints nothing and returns false.
//
// WHAT is best worded as the shell command a person would type for the
// same effect, so that a reader can tell exactly what was skipped:
//
//	if c.would("mount --bind /proc/%d/ns/net %s", pid, runPath(name)) {
//		return nil
//	}
func (e *env) would(format string, a ...any) bool {
	if !e.dryRun {
		return false
	}
	w := e.wireTap()
	w.mu.Lock()
	defer w.mu.Unlock()
	fmt.Fprintf(e.stdout, "would: "+format+"\n", a...)
	return true
}

// wireEnviron is the environment for a program this one runs (ip netns
// exec): this process's, with the wire switches given on the command
// line added in their environment form, so that a linkbox applet run
// inside the namespace traces, dry-runs and captures as this one does.
// The child appends its frames to the same pcap file (the file is this
// run's capture already, with its header).
func (e *env) wireEnviron() []string {
	env := os.Environ()
	if e.trace {
		env = append(env, "LINKBOX_TRACE=1")
	}
	if e.dryRun {
		env = append(env, "LINKBOX_DRY_RUN=1")
	}
	if e.pcapPath != "" {
		p := e.pcapPath
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		env = append(env, "LINKBOX_PCAP="+p)
	}
	return env
}
