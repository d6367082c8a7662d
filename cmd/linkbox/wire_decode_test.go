package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// wireSeed runs the seed's commands through the linkbox binary and its
// applet links in namespace ns, every process appending to one capture
// through LINKBOX_PCAP, as a script run with LINKBOX_PCAP set does: two
// namespaces joined to a bridge through veth pairs, addresses, a look at
// the result, a command the kernel refuses, and teardown. It returns the
// capture's file name.
func wireSeed(t *testing.T, ns string) string {
	t.Helper()
	wireNS(t, ns)
	wireNS(t, ns+"1")
	wireNS(t, ns+"2")
	pcap := filepath.Join(t.TempDir(), "seed.pcap")
	if dir := os.Getenv("WIRE_KEEP_PCAP"); dir != "" {
		pcap = filepath.Join(dir, "cli-seed.pcap")
		os.Remove(pcap)
	}
	env := []string{"LINKBOX_PCAP=" + pcap}
	run := func(c string) {
		t.Helper()
		mustWireBin(t, ns, env, strings.Fields(c)...)
	}
	run("brctl addbr br-test")
	run("brctl stp br-test off")
	run("ip link set dev br-test up")
	for i := 1; i <= 2; i++ {
		peer := fmt.Sprintf("%s%d", ns, i)
		run(fmt.Sprintf("ip link add tap%d type veth peer name br-tap%d", i, i))
		run(fmt.Sprintf("brctl addif br-test br-tap%d", i))
		run(fmt.Sprintf("ip link set tap%d netns %s", i, peer))
		run(fmt.Sprintf("ip -n %s link set dev tap%d up", peer, i))
		run(fmt.Sprintf("ip link set dev br-tap%d up", i))
		run(fmt.Sprintf("ip -n %s addr add 198.18.0.%d/24 dev tap%d", peer, i, i))
	}
	run("ip link add vx0 type veth peer name vx1 netns " + ns + "1")
	run("ip route add 198.19.0.0/16 dev br-test")
	run("brctl show br-test")
	run("ip -br link")
	run("ip addr show")
	// Refused: the name is taken (an ack with an errno), and a label too
	// long for the kernel's policy (an extended ack pointing at it).
	if r := wireBin(t, ns, env, "ip", "link", "add", "br-tap2", "type", "veth", "peer", "name", "x"); r.code == 0 {
		t.Fatalf("creating br-tap2 twice: want a failure")
	}
	if r := wireBin(t, ns, env, "ip", "addr", "add", "198.18.0.9/24", "dev", "br-test", "label", "br-test:abcdefghijklmnop"); r.code == 0 {
		t.Fatalf("an address label of 24 bytes: want a failure")
	}
	run("ip link del br-tap1")
	run("brctl delif br-test br-tap2")
	return pcap
}

// TestTsharkAgreesWithDecode: a capture written by linkbox while the
// seed's commands run has no frame tshark finds malformed, and for every
// frame tshark reports the message types, flags, sequence numbers, port
// ids, interface indexes and names that linkbox decode -j reports.
func TestTsharkAgreesWithDecode(t *testing.T) {
	kernel(t)
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("skipped: tshark is not installed (.ci/run installs it)")
	}
	pcap := wireSeed(t, "wts")

	out, err := exec.Command(tshark, "-r", pcap, "-n", "-Y", "_ws.malformed || _ws.expert.severity >= 0x00800000",
		"-T", "fields", "-e", "frame.number", "-e", "_ws.expert.message").Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	if s := strings.TrimSpace(string(out)); s != "" {
		t.Errorf("tshark finds malformed frames or errors in linkbox's capture:\n%s", s)
	}

	fields := []string{"netlink.hdr_type", "netlink-route.nltype", "netlink.hdr_flags", "netlink.hdr_seq", "netlink.hdr_pid", "netlink-route.ifi_index", "netlink-route.ifla_ifname"}
	args := []string{"-r", pcap, "-n", "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"}
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	out, err = exec.Command(tshark, args...).Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	want := strings.Split(strings.TrimRight(string(out), "\n"), "\n")

	r := mustWireBin(t, "", nil, "linkbox", "decode", "-j", pcap)
	var dumps []wireJSONDump
	if err := json.Unmarshal([]byte(r.stdout), &dumps); err != nil {
		t.Fatalf("decode -j: not JSON: %v\n%s", err, r.stdout)
	}
	if len(dumps) != len(want) {
		t.Fatalf("tshark reads %d frames, decode -j %d", len(want), len(dumps))
	}
	if len(dumps) < 60 {
		t.Fatalf("the seed's commands made %d frames; expected more", len(dumps))
	}
	var errs, links, names int
	for i, d := range dumps {
		got := d.tsharkFields()
		if got != want[i] {
			t.Errorf("frame %d (%s):\ntshark:    %q\ndecode -j: %q", i+1, d.Direction, want[i], got)
		}
		f := strings.Split(got, "\t")
		if strings.Contains(f[0], "0x0002") {
			errs++
		}
		if f[5] != "" {
			links++
		}
		if f[6] != "" {
			names++
		}
	}
	// The comparison covers what it claims to.
	if errs < 20 || links < 20 || names < 20 {
		t.Errorf("want acks, link messages and names in many frames; got %d, %d, %d", errs, links, names)
	}
}

// The part of decode -j's output that tshark reports too.
type wireJSONDump struct {
	Direction string            `json:"direction"`
	Messages  []wireJSONMessage `json:"messages"`
}

type wireJSONMessage struct {
	Type   uint16 `json:"type"`
	Flags  uint16 `json:"flags"`
	Seq    uint32 `json:"seq"`
	Pid    uint32 `json:"pid"`
	Header *struct {
		Name   string `json:"name"`
		Fields []struct {
			Name  string `json:"name"`
			Value any    `json:"value"`
		} `json:"fields"`
	} `json:"header"`
	Attrs []struct {
		Name  string `json:"name"`
		Value any    `json:"value"`
	} `json:"attributes"`
	Error *struct {
		Request *wireJSONMessage `json:"request"`
	} `json:"error"`
}

// tsharkFields formats the fields the way tshark -T fields prints them:
// every occurrence in a frame, joined by commas, types and flags in hex.
// Wireshark's netlink dissector (epan/dissectors/packet-netlink.c) puts
// the type of an rtnetlink message in netlink-route.nltype, in decimal,
// but that of a control message (NLMSG_ERROR, NLMSG_DONE) and of the
// request header an NLMSG_ERROR echoes in netlink.hdr_type; and it shows
// the flags of a request with any of the bits 0x0f00 twice, read once as
// GET modifiers and once as NEW ones.
func (d wireJSONDump) tsharkFields() string {
	var ctl, types, flags, seqs, pids, indexes, names []string
	header := func(m wireJSONMessage, echoed bool) {
		if echoed || m.Type < unix.NLMSG_MIN_TYPE {
			ctl = append(ctl, fmt.Sprintf("0x%04x", m.Type))
		} else {
			types = append(types, strconv.Itoa(int(m.Type)))
		}
		flags = append(flags, fmt.Sprintf("0x%04x", m.Flags))
		if m.Flags&unix.NLM_F_REQUEST != 0 && m.Flags&0x0f00 != 0 {
			flags = append(flags, fmt.Sprintf("0x%04x", m.Flags))
		}
		seqs = append(seqs, strconv.FormatUint(uint64(m.Seq), 10))
		pids = append(pids, strconv.FormatUint(uint64(m.Pid), 10))
	}
	for _, m := range d.Messages {
		header(m, false)
		if m.Header != nil && m.Header.Name == "ifinfomsg" {
			for _, f := range m.Header.Fields {
				if f.Name == "ifi_index" {
					indexes = append(indexes, fmt.Sprint(f.Value))
				}
			}
		}
		for _, a := range m.Attrs {
			if a.Name == "IFLA_IFNAME" {
				names = append(names, fmt.Sprint(a.Value))
			}
		}
		if m.Error != nil && m.Error.Request != nil {
			header(*m.Error.Request, true)
		}
	}
	return strings.Join([]string{
		strings.Join(ctl, ","), strings.Join(types, ","), strings.Join(flags, ","),
		strings.Join(seqs, ","), strings.Join(pids, ","), strings.Join(indexes, ","),
		strings.Join(names, ","),
	}, "\t")
}

// decode reads the same messages identically from every form they come
// in: linkbox's own pcap, strace -xx's trace of the same process, and the
// text --trace printed; and its text view is --trace's, time stamps aside.
func TestDecodeReadsEveryFormAlike(t *testing.T) {
	kernel(t)
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("skipped: strace is not installed (.ci/run installs it)")
	}
	wireSetup(t, "wforms")
	dir := t.TempDir()
	for i, cmd := range []string{
		"ip link add v0 type veth peer name v1",
		"ip addr add 198.18.1.1/24 dev veth2 label veth2:abcdefghijklmnop", // refused, the extended ack points at IFA_LABEL
		"ip addr add 198.18.1.1/24 dev veth2",
		"ip link show",        // a dump, many datagrams
		"brctl addif br0 v0",  // lookups, then the change
		"ip link set v0 up",   // a request after a name lookup
		"ip route show",       // a dump of another family
		"ip link del nosuch0", // refused before anything is sent
	} {
		t.Run(cmd, func(t *testing.T) {
			pcap := filepath.Join(dir, fmt.Sprintf("%d.pcap", i))
			st := filepath.Join(dir, fmt.Sprintf("%d.strace", i))
			argv := strings.Fields(cmd)
			bin := filepath.Join(linkboxBin(t), "linkbox")
			full := append([]string{"netns", "exec", "wforms", strace, "-f", "-xx", "-s", "65536", "-o", st,
				"-e", "trace=sendto,sendmsg,recvfrom,recvmsg", "-e", "write=all", "-e", "read=all",
				bin, "--trace", "--pcap", pcap}, argv...)
			r := sys(t, append([]string{"ip"}, full...)...)
			if r.code != 0 && !strings.Contains(cmd, "label") && !strings.Contains(cmd, "nosuch") {
				t.Fatalf("%s: exit %d: %s", cmd, r.code, r.stderr)
			}
			// The trace is what linkbox printed on stderr before its
			// own error message, if any.
			trace := r.stderr
			if i := strings.LastIndex(trace, "\n\n"); i >= 0 {
				trace = trace[:i+2]
			} else {
				trace = ""
			}
			if strings.Contains(cmd, "nosuch") {
				if pcapFrames := wireReadPcap(t, pcap); len(pcapFrames) == 0 {
					t.Fatalf("want the name lookup in the capture")
				}
			}

			fromPcap := mustWireBin(t, "", nil, "linkbox", "decode", "-j", pcap).stdout
			fromStrace := mustWireBin(t, "", nil, "linkbox", "decode", "-j", st).stdout
			traceFile := filepath.Join(dir, fmt.Sprintf("%d.trace", i))
			if err := os.WriteFile(traceFile, []byte(trace), 0o644); err != nil {
				t.Fatal(err)
			}
			fromTrace := mustWireBin(t, "", nil, "linkbox", "decode", "-j", traceFile).stdout
			p, s, tr := wireUntimed(t, fromPcap), wireUntimed(t, fromStrace), wireUntimed(t, fromTrace)
			if p == "[]" {
				t.Fatalf("decode -j of the capture is empty")
			}
			if p != s {
				t.Errorf("decode -j: the pcap file and strace's trace differ:\npcap:\n%s\nstrace:\n%s\n(strace's output: %s)", p, s, st)
			}
			if p != tr {
				t.Errorf("decode -j: the pcap file and --trace's text differ:\npcap:\n%s\ntrace:\n%s", p, tr)
			}

			text := mustWireBin(t, "", nil, "linkbox", "decode", pcap).stdout
			text = regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d\.\d{6} `).ReplaceAllString(text, "")
			if text+"\n" != trace {
				t.Errorf("decode's text view of the capture is not --trace's:\ndecode:\n%s\n--trace:\n%s", text, trace)
			}
		})
	}
}

// wireUntimed is decode -j's output without the datagrams' times, which
// only a capture has.
func wireUntimed(t *testing.T, js string) string {
	t.Helper()
	var v []map[string]any
	if err := json.Unmarshal([]byte(js), &v); err != nil {
		t.Fatalf("decode -j: not JSON: %v\n%s", err, js)
	}
	for _, d := range v {
		delete(d, "time")
	}
	b, _ := json.MarshalIndent(v, "", " ")
	return string(b)
}

// decode's command line: one input, options, errors.
func TestDecodeCommandLine(t *testing.T) {
	hex := "# sent\n20 00 00 00 10 00 05 00 01 00 00 00 00 00 00 00\n00 00 00 00 03 00 00 00 01 00 00 00 01 00 00 00\n"
	e := newEnv(strings.NewReader(hex), nil, nil, func(string) string { return "" })
	var out, errb strings.Builder
	e.stdout, e.stderr = &out, &errb
	if code := run(e, []string{"linkbox", "decode"}); code != 0 {
		t.Fatalf("decode of hex on stdin: exit %d: %s", code, errb.String())
	}
	if !strings.HasPrefix(out.String(), "sent: 32 bytes, 1 message\n") || !strings.Contains(out.String(), "ifi_flags    IFF_UP (0x1)") {
		t.Errorf("decode of hex on stdin: want the annotated request, got:\n%s", out.String())
	}
	// The text decode prints reads back as the same bytes.
	again := newEnv(strings.NewReader(out.String()), nil, nil, func(string) string { return "" })
	var out2 strings.Builder
	again.stdout, again.stderr = &out2, &errb
	if code := run(again, []string{"linkbox", "decode", "-"}); code != 0 || out2.String() != out.String() {
		t.Errorf("decode of decode's own output: want the same text, got exit %d:\n%s", code, out2.String())
	}
	for _, tc := range []struct {
		argv []string
		code int
		msg  string
	}{
		{[]string{"decode", "-x"}, 1, `decode: unknown option "-x"`},
		{[]string{"decode", "a", "b"}, 1, "decode: one file at a time"},
		{[]string{"decode", "/nonexistent/x.pcap"}, 1, "decode: open /nonexistent/x.pcap: no such file or directory"},
		{[]string{"decode", "-j", "/dev/null"}, 0, ""},
	} {
		r := lb(t, append([]string{"linkbox"}, tc.argv...)...)
		if r.code != tc.code || !strings.HasPrefix(r.stderr, tc.msg) || (tc.msg == "" && r.stderr != "") {
			t.Errorf("%q: want exit %d and %q, got %d %q", tc.argv, tc.code, tc.msg, r.code, r.stderr)
		}
	}
	if r := lb(t, "linkbox", "decode", "-j", "/dev/null"); r.stdout != "[]\n" {
		t.Errorf("decode -j of nothing: want [], got %q", r.stdout)
	}
}
