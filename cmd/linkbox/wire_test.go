package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/rtnl/wire"
)

// Helpers for the tests of the wire switches and decode, and the tests of
// the switches' plumbing: the environment forms through applet links, the
// pcap file's fresh and appending modes.

// wireBin runs the linkbox binary, or one of its applet links, as a
// separate program: argv[0] names the applet link ("ip") or "linkbox".
// With ns set it runs in that named namespace, through iproute2's ip
// netns exec. env is added to the environment.
func wireBin(t *testing.T, ns string, env []string, argv ...string) result {
	t.Helper()
	dir := linkboxBin(t)
	prog := filepath.Join(dir, argv[0])
	args := argv[1:]
	if ns != "" {
		args = append([]string{"netns", "exec", ns, prog}, args...)
		prog = "ip"
		if p, err := exec.LookPath("ip"); err == nil {
			prog = p
		}
	}
	cmd := exec.Command(prog, args...)
	cmd.Env = append(wireFreeEnviron(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %q: %v", argv, err)
	}
	return result{out.String(), errb.String(), code}
}

// mustWireBin is wireBin that fails the test unless the program exits 0.
func mustWireBin(t *testing.T, ns string, env []string, argv ...string) result {
	t.Helper()
	r := wireBin(t, ns, env, argv...)
	if r.code != 0 {
		t.Fatalf("linkbox %q (netns %q, env %q): exit %d\nstdout:\n%s\nstderr:\n%s", argv, ns, env, r.code, r.stdout, r.stderr)
	}
	return r
}

// wireFreeEnviron is the test's environment without the wire switches, so
// that a LINKBOX_TRACE set by whoever runs the tests cannot change them.
func wireFreeEnviron() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LINKBOX_") {
			env = append(env, kv)
		}
	}
	return env
}

// wireNS makes a named namespace with iproute2, where new links make no
// IPv6 link-local address (so that no address or route appears in it on
// its own, later), and removes it at the end of the test. Its first link
// after lo gets index 2, whatever ran before.
func wireNS(t *testing.T, name string) {
	t.Helper()
	kernel(t)
	mustSys(t, "ip", "netns", "add", name)
	t.Cleanup(func() { sys(t, "ip", "netns", "del", name) })
	mustSys(t, "ip", "netns", "exec", name, "sh", "-c",
		"echo 1 > /proc/sys/net/ipv6/conf/default/addr_gen_mode")
}

// wireAnnotated reads the datagrams back out of what --trace, --dry-run or
// decode printed, and fails the test if the text is not a whole dump.
func wireAnnotated(t *testing.T, what, s string) []wire.Datagram {
	t.Helper()
	ds, ok, err := parseAnnotated([]byte(s))
	if s != "" && !ok {
		t.Fatalf("%s is not an annotated dump:\n%s", what, s)
	}
	if err != nil {
		t.Fatalf("%s: %v\n%s", what, err, s)
	}
	return ds
}

// wireChanges keeps the datagrams that change something: sent, and not only
// RTM_GET* requests.
func wireChanges(ds []wire.Datagram) []wire.Datagram {
	var out []wire.Datagram
	for _, d := range ds {
		if d.Dir == rtnl.Sent && !isGetDatagram(d.Data) {
			out = append(out, d)
		}
	}
	return out
}

// wireNormalised returns a copy of a datagram with what differs between two
// runs of one command zeroed: each message's sequence number and port id,
// and the value of every IFLA_NET_NS_FD (a file descriptor number of the
// process that sent it).
func wireNormalised(b []byte) []byte {
	b = bytes.Clone(b)
	d := wire.NewAnnotator(kinds).Annotate(wire.Datagram{Dir: rtnl.Sent, Data: b})
	var walk func([]*wire.Attr)
	walk = func(as []*wire.Attr) {
		for _, a := range as {
			if a.Name == "IFLA_NET_NS_FD" && a.Length == 8 {
				binary.NativeEndian.PutUint32(b[a.Offset+4:], 0)
			}
			walk(a.Attrs)
		}
	}
	for _, m := range d.Messages {
		if m.Offset+rtnl.HeaderLen <= len(b) {
			binary.NativeEndian.PutUint32(b[m.Offset+8:], 0)
			binary.NativeEndian.PutUint32(b[m.Offset+12:], 0)
		}
		walk(m.Attrs)
	}
	return b
}

// wireDumpsText is the annotated view of datagrams, for failure messages.
func wireDumpsText(ds []wire.Datagram) string {
	var b strings.Builder
	for _, d := range wire.NewAnnotator(kinds).AnnotateAll(ds) {
		d.WriteText(&b)
		b.WriteString("\n")
	}
	return b.String()
}

// wireKernelState is what the kernel holds in a namespace, as iproute2 shows
// it, without what changes by itself: carrier and operational state
// (which follow a link's peer, a little later), and the bridge's running
// timers.
func wireKernelState(t *testing.T, ns string) string {
	t.Helper()
	var b strings.Builder
	for _, argv := range [][]string{
		{"ip", "-n", ns, "-d", "-j", "link", "show"},
		{"ip", "-n", ns, "-j", "addr", "show"},
		{"ip", "-n", ns, "-j", "route", "show", "table", "all"},
		{"ip", "-n", ns, "-j", "neigh", "show"},
		{"bridge", "-n", ns, "-j", "fdb", "show"},
	} {
		out := mustSys(t, argv...)
		var v any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("%q: not JSON: %v\n%s", argv, err, out)
		}
		v = wireSteady(v)
		j, _ := json.MarshalIndent(v, "", " ")
		fmt.Fprintf(&b, "%s\n%s\n", strings.Join(argv, " "), j)
	}
	return b.String()
}

// wireSteady drops the fields of iproute2's JSON that the kernel changes on
// its own.
func wireSteady(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k := range x {
			if k == "operstate" || k == "linkmode" || strings.HasSuffix(k, "_timer") || k == "used" || k == "updated" || k == "ageing_timer" {
				delete(x, k)
				continue
			}
			if k == "flags" {
				if fl, ok := x[k].([]any); ok {
					var keep []any
					for _, f := range fl {
						if s, _ := f.(string); s != "LOWER_UP" && s != "NO-CARRIER" && s != "M-DOWN" {
							keep = append(keep, f)
						}
					}
					x[k] = keep
					continue
				}
			}
			x[k] = wireSteady(x[k])
		}
	case []any:
		for i := range x {
			x[i] = wireSteady(x[i])
		}
	}
	return v
}

// The environment forms work through the applet links, for scripts:
// LINKBOX_TRACE, LINKBOX_DRY_RUN and LINKBOX_PCAP, and the switches right
// after an applet's name.
func TestWireEnvironmentThroughLinks(t *testing.T) {
	wireNS(t, "wenv")
	pcap := filepath.Join(t.TempDir(), "env.pcap")

	// LINKBOX_TRACE=1: the exchange on stderr, annotated.
	r := mustWireBin(t, "wenv", []string{"LINKBOX_TRACE=1"}, "ip", "link", "add", "e0", "type", "veth", "peer", "name", "e1")
	ds := wireAnnotated(t, "LINKBOX_TRACE's stderr", r.stderr)
	if len(ds) != 2 || ds[0].Dir != rtnl.Sent || ds[1].Dir != rtnl.Received {
		t.Fatalf("LINKBOX_TRACE=1 ip link add: want a request and its ack on stderr, got %d datagrams:\n%s", len(ds), r.stderr)
	}
	if !strings.Contains(r.stderr, `"e1"`) || !strings.Contains(r.stderr, "error            0 (success)") {
		t.Errorf("LINKBOX_TRACE=1: want the peer's name and a success ack in the trace, got:\n%s", r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("LINKBOX_TRACE=1: want nothing on stdout, got:\n%s", r.stdout)
	}

	// LINKBOX_DRY_RUN=1: the request on stdout, nothing made.
	before := wireKernelState(t, "wenv")
	r = mustWireBin(t, "wenv", []string{"LINKBOX_DRY_RUN=1"}, "ip", "link", "set", "e0", "mtu", "1400")
	if ds := wireAnnotated(t, "LINKBOX_DRY_RUN's stdout", r.stdout); len(ds) != 1 || !strings.HasPrefix(r.stdout, "would send: ") {
		t.Errorf("LINKBOX_DRY_RUN=1 ip link set: want one request titled \"would send\", got:\n%s", r.stdout)
	}
	r = mustWireBin(t, "wenv", []string{"LINKBOX_DRY_RUN=1"}, "brctl", "addbr", "ebr")
	if !strings.HasPrefix(r.stdout, "would send: ") {
		t.Errorf("LINKBOX_DRY_RUN=1 brctl addbr: want the request on stdout, got:\n%s%s", r.stdout, r.stderr)
	}
	if after := wireKernelState(t, "wenv"); after != before {
		t.Errorf("LINKBOX_DRY_RUN=1 changed the kernel's state:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// LINKBOX_DRY_RUN=0 is off.
	mustWireBin(t, "wenv", []string{"LINKBOX_DRY_RUN=0"}, "ip", "link", "set", "e0", "mtu", "1300")
	if out := mustSys(t, "ip", "-n", "wenv", "link", "show", "e0"); !strings.Contains(out, "mtu 1300") {
		t.Errorf("LINKBOX_DRY_RUN=0 is not a dry run: want mtu 1300, got:\n%s", out)
	}

	// LINKBOX_PCAP=FILE appends: two commands, one capture.
	mustWireBin(t, "wenv", []string{"LINKBOX_PCAP=" + pcap}, "ip", "link", "set", "e0", "up")
	first := wireReadPcap(t, pcap)
	mustWireBin(t, "wenv", []string{"LINKBOX_PCAP=" + pcap}, "brctl", "addbr", "ebr")
	both := wireReadPcap(t, pcap)
	if len(first) == 0 || len(both) <= len(first) {
		t.Fatalf("LINKBOX_PCAP: want the second command's frames after the first's: %d frames, then %d", len(first), len(both))
	}
	for i := range first {
		if !bytes.Equal(first[i].Data, both[i].Data) {
			t.Fatalf("LINKBOX_PCAP: frame %d changed when the second command appended", i+1)
		}
	}
	// --pcap FILE starts afresh, and wins over LINKBOX_PCAP.
	other := filepath.Join(t.TempDir(), "other.pcap")
	mustWireBin(t, "wenv", []string{"LINKBOX_PCAP=" + other}, "ip", "--pcap", pcap, "link", "set", "e0", "down")
	if got := wireReadPcap(t, pcap); len(got) >= len(both) || len(got) == 0 {
		t.Errorf("--pcap FILE: want a fresh capture of one command, got %d frames (the file had %d)", len(got), len(both))
	}
	if _, err := os.Stat(other); err == nil {
		t.Errorf("--pcap FILE: LINKBOX_PCAP's file was made too")
	}
	// A file that is not a netlink pcap is not overwritten.
	text := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(text, []byte("my notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = wireBin(t, "wenv", []string{"LINKBOX_PCAP=" + text}, "ip", "link", "set", "e0", "up")
	if b, _ := os.ReadFile(text); r.code != 1 || string(b) != "my notes\n" || !strings.Contains(r.stderr, "not a netlink pcap") {
		t.Errorf("LINKBOX_PCAP on a text file: want exit 1, the file kept and a message; got exit %d, file %q, stderr %q", r.code, b, r.stderr)
	}
	if out := mustSys(t, "ip", "-n", "wenv", "link", "show", "e0"); strings.Contains(out, ",UP") {
		t.Errorf("a pcap file that cannot be written must stop the command before it sends anything:\n%s", out)
	}

	// The switches right after the applet's name, through the link, and
	// --pcap=FILE.
	r = mustWireBin(t, "wenv", nil, "bridge", "--dry-run", "--trace", "--pcap="+pcap, "fdb", "add", "02:00:00:00:00:01", "dev", "e1", "master", "static")
	if !strings.HasPrefix(r.stdout, "would send: ") || !strings.Contains(r.stderr, "would send: ") {
		t.Errorf("bridge --dry-run --trace: want the request on stdout and in the trace, got:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	if len(wireReadPcap(t, pcap)) == 0 {
		t.Errorf("bridge --pcap=FILE: empty capture")
	}
}

// wireReadPcap reads a pcap file linkbox wrote.
func wireReadPcap(t *testing.T, name string) []wire.Datagram {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ds, format, err := wire.ReadDatagrams(f)
	if err != nil || format != wire.FormatPcap {
		t.Fatalf("%s: want a pcap file, got %v, %v", name, format, err)
	}
	return ds
}

// The switches are taken before the applet's name and after it, in any
// order, and a missing file name is an error, not an applet.
func TestWireOptions(t *testing.T) {
	for _, tc := range []struct {
		args          []string
		rest          []string
		trace, dryRun bool
		pcap          string
	}{
		{[]string{"--trace", "link"}, []string{"link"}, true, false, ""},
		{[]string{"--dry-run", "--pcap", "x.pcap", "link", "--trace"}, []string{"link", "--trace"}, false, true, "x.pcap"},
		{[]string{"--pcap=y.pcap", "--trace", "-j"}, []string{"-j"}, true, false, "y.pcap"},
		{[]string{"link", "--trace"}, []string{"link", "--trace"}, false, false, ""},
	} {
		e := newEnv(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, func(string) string { return "" })
		rest := e.wireOptions(tc.args)
		if strings.Join(rest, " ") != strings.Join(tc.rest, " ") || e.trace != tc.trace || e.dryRun != tc.dryRun || e.pcapPath != tc.pcap {
			t.Errorf("wireOptions(%q): want rest %q trace %v dry-run %v pcap %q; got %q %v %v %q",
				tc.args, tc.rest, tc.trace, tc.dryRun, tc.pcap, rest, e.trace, e.dryRun, e.pcapPath)
		}
	}
	for _, argv := range [][]string{{"ip", "--pcap"}, {"ip", "--pcap="}} {
		r := lb(t, argv...)
		if r.code != 1 || r.stderr != "linkbox: --pcap needs a file name\n" {
			t.Errorf("%q: want exit 1 and a message, got %d %q", argv, r.code, r.stderr)
		}
	}
}

// parseAnnotated reads back what the annotator printed, whatever the
// dump's size, and refuses text whose offsets skip or repeat bytes.
func TestParseAnnotated(t *testing.T) {
	var in []wire.Datagram
	for _, n := range []int{20, 92, 70000} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i * 7)
		}
		binary.NativeEndian.PutUint32(b, uint32(n))
		binary.NativeEndian.PutUint16(b[4:], 16)
		in = append(in, wire.Datagram{Dir: rtnl.Received, Data: b})
	}
	text := wireDumpsText(in)
	got, ok, err := parseAnnotated([]byte(text))
	if !ok || err != nil || len(got) != len(in) {
		t.Fatalf("want %d datagrams back, got %d (%v, %v)", len(in), len(got), ok, err)
	}
	for i := range in {
		if !bytes.Equal(got[i].Data, in[i].Data) || got[i].Dir != in[i].Dir {
			t.Errorf("datagram %d: want %d bytes %v, got %d bytes %v", i, len(in[i].Data), in[i].Dir, len(got[i].Data), got[i].Dir)
		}
	}
	lines := strings.Split(text, "\n")
	lines[2], lines[3] = lines[3], lines[2] // nlmsg_len after nlmsg_type
	if _, _, err := parseAnnotated([]byte(strings.Join(lines, "\n"))); err == nil {
		t.Errorf("lines out of order: want an error")
	}
	if _, ok, _ := parseAnnotated([]byte("5c 00 00 00\n")); ok {
		t.Errorf("plain hex taken for annotated text")
	}
}

// would prints what a dry run skips, among the dumps decode reads back,
// and nothing outside a dry run.
func TestWould(t *testing.T) {
	var out bytes.Buffer
	e := newEnv(strings.NewReader(""), &out, &bytes.Buffer{}, func(string) string { return "" })
	if e.would("mount --bind /proc/%d/ns/net %s", 1, "/run/netns/blue") || out.Len() != 0 {
		t.Fatalf("outside a dry run: want false and nothing printed, got %q", out.String())
	}
	e.dryRun = true
	if !e.would("mount --bind /proc/%d/ns/net %s", 1, "/run/netns/blue") {
		t.Fatalf("in a dry run: want true")
	}
	if want := "would: mount --bind /proc/1/ns/net /run/netns/blue\n"; out.String() != want {
		t.Errorf("want %q, got %q", want, out.String())
	}
	// A dry run's output with such a line first still decodes.
	in := []wire.Datagram{{Dir: rtnl.Sent, Data: []byte{16, 0, 0, 0, 16, 0, 5, 0, 1, 0, 0, 0, 0, 0, 0, 0}}}
	text := out.String() + strings.Replace(wireDumpsText(in), "sent:", "would send:", 1)
	ds, ok, err := parseAnnotated([]byte(text))
	if !ok || err != nil || len(ds) != 1 || !bytes.Equal(ds[0].Data, in[0].Data) {
		t.Errorf("a dry run's output with a would: line: want the request back, got %d datagrams (%v, %v)", len(ds), ok, err)
	}
	e.trace, e.pcapPath = true, "x.pcap"
	env := strings.Join(e.wireEnviron(), "\n")
	abs, _ := filepath.Abs("x.pcap")
	for _, kv := range []string{"LINKBOX_TRACE=1", "LINKBOX_DRY_RUN=1", "LINKBOX_PCAP=" + abs} {
		if !strings.Contains(env, kv+"\n") && !strings.HasSuffix(env, kv) {
			t.Errorf("wireEnviron: want %s for a program run from here", kv)
		}
	}
}
