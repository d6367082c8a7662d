package wire

import (
	"bytes"
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/linkbox/linkbox/rtnl"
)

// The walkthrough's datagrams as strace printed them: iproute2's probe
// and its answer, the request, and the ack (seq and pid not normalised).
func straceWalkthrough(t *testing.T) []Datagram {
	t.Helper()
	b, err := os.ReadFile("testdata/walkthrough.strace")
	if err != nil {
		t.Fatal(err)
	}
	ds, format, err := ReadDatagrams(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if format != FormatStrace {
		t.Fatalf("read testdata/walkthrough.strace as %v, want strace", format)
	}
	return ds
}

func TestParseStraceDumps(t *testing.T) {
	ds := straceWalkthrough(t)
	// The recvmsg with MSG_PEEK is left out.
	wantDirs := []rtnl.Direction{rtnl.Sent, rtnl.Received, rtnl.Sent, rtnl.Received}
	wantLens := []int{32, 52, 92, 36}
	if len(ds) != len(wantDirs) {
		t.Fatalf("want %d datagrams, got %d", len(wantDirs), len(ds))
	}
	for i, d := range ds {
		if d.Dir != wantDirs[i] || len(d.Data) != wantLens[i] {
			t.Errorf("datagram %d: want %s %d bytes, got %s %d bytes", i, wantDirs[i], wantLens[i], d.Dir, len(d.Data))
		}
	}
	// Up to sequence number and port id, the request and ack are the
	// walkthrough's.
	normalise(ds[2:], 0x1a43)
	golden := goldenInputs(t)["walkthrough"]
	for i := range golden {
		if !bytes.Equal(ds[2+i].Data, golden[i].Data) {
			t.Errorf("datagram %d: want %x, got %x", 2+i, golden[i].Data, ds[2+i].Data)
		}
	}
}

func TestParseStraceStrings(t *testing.T) {
	req := "2000000012000103010000000000000000000000000000000000000000000000"
	esc := escapeX(req)
	for _, c := range []struct {
		name, in string
		want     []string
		dirs     []rtnl.Direction
	}{
		{
			name: "a call without netlink decoding",
			in:   `sendto(3, "` + esc + `", 32, 0, NULL, 0) = 32` + "\n",
			want: []string{req}, dirs: []rtnl.Direction{rtnl.Sent},
		},
		{
			name: "with pid and time stamp, and a read",
			in:   `1234 12:00:01.000001 write(3, "` + esc + `", 32) = 32` + "\n" + `[pid 1234] read(3, "` + esc + `", 32) = 32` + "\n",
			want: []string{req, req}, dirs: []rtnl.Direction{rtnl.Sent, rtnl.Received},
		},
		{
			name: "bare strings",
			in:   `"` + esc + `"` + "\n",
			want: []string{req}, dirs: []rtnl.Direction{rtnl.Sent},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			ds, err := ParseStrace(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != len(c.want) {
				t.Fatalf("want %d datagrams, got %d", len(c.want), len(ds))
			}
			for i := range ds {
				if got := hex.EncodeToString(ds[i].Data); got != c.want[i] || ds[i].Dir != c.dirs[i] {
					t.Errorf("datagram %d: want %s %s, got %s %s", i, c.dirs[i], c.want[i], ds[i].Dir, got)
				}
			}
		})
	}
}

// TestParseStraceResumed reads a trace of several threads (strace -f),
// where a call is interrupted by another and resumed.
func TestParseStraceResumed(t *testing.T) {
	in := `[pid 101] recvmsg(3,  <unfinished ...>
[pid 102] sendto(4, [{nlmsg_len=20, nlmsg_type=NLMSG_DONE, nlmsg_flags=0, nlmsg_seq=1, nlmsg_pid=0}, 0], 20, 0, NULL, 0) = 20
 | 00000  14 00 00 00 03 00 00 00  01 00 00 00 00 00 00 00  ................ |
 | 00010  00 00 00 00                                       ....             |
[pid 101] <... recvmsg resumed>{msg_name={sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, msg_namelen=12, msg_iov=[{iov_base=[{nlmsg_len=20, nlmsg_type=NLMSG_DONE, nlmsg_flags=NLM_F_MULTI, nlmsg_seq=1, nlmsg_pid=101}, 0], iov_len=32768}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, MSG_PEEK|MSG_TRUNC) = 20
 | 00000  14 00 00 00 03 00 02 00  01 00 00 00 65 00 00 00  ............e... |
 | 00010  00 00 00 00                                       ....             |
[pid 101] recvmsg(3, {msg_name={sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, msg_namelen=12, msg_iov=[{iov_base=[{nlmsg_len=20, nlmsg_type=NLMSG_DONE, nlmsg_flags=NLM_F_MULTI, nlmsg_seq=1, nlmsg_pid=101}, 0], iov_len=32768}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 20
 * 20 bytes in buffer 0
 | 00000  14 00 00 00 03 00 02 00  01 00 00 00 65 00 00 00  ............e... |
 | 00010  00 00 00 00                                       ....             |
`
	ds, err := ParseStrace(in)
	if err != nil {
		t.Fatal(err)
	}
	want := []Datagram{
		{Dir: rtnl.Sent, Data: []byte{0x14, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{Dir: rtnl.Received, Data: []byte{0x14, 0, 0, 0, 3, 0, 2, 0, 1, 0, 0, 0, 0x65, 0, 0, 0, 0, 0, 0, 0}},
	}
	if len(ds) != len(want) {
		t.Fatalf("want %d datagrams (the peek left out), got %d", len(want), len(ds))
	}
	for i := range want {
		if ds[i].Dir != want[i].Dir || !bytes.Equal(ds[i].Data, want[i].Data) {
			t.Errorf("datagram %d: want %s %x, got %s %x", i, want[i].Dir, want[i].Data, ds[i].Dir, ds[i].Data)
		}
	}
}

func TestParseStraceErrors(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"cut short", `sendto(3, "\x20\x00\x00\x00"..., 32, 0, NULL, 0) = 32`, "-s 65536"},
		{"decoded by strace", `sendto(3, [{nlmsg_len=32, nlmsg_type=RTM_NEWLINK, nlmsg_flags=NLM_F_REQUEST, nlmsg_seq=0, nlmsg_pid=0}], 32, 0, NULL, 0) = 32`, "-e write=all"},
		{"bad dump line", "sendto(3, \"\", 0, 0, NULL, 0) = 32\n | 00000  zz 00 00 00  ....  |\n", "bad byte"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseStrace(c.in)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("want an error saying %q, got %v", c.want, err)
			}
		})
	}
}

func TestParseHex(t *testing.T) {
	req := "20000000 12000103 01000000 00000000 00000000 00000000 00000000 00000000"
	ack := "24000000020000010100000039300000000000002000000012000103010000000000000000"
	for _, c := range []struct {
		name string
		in   string
		lens []int
		dirs []rtnl.Direction
	}{
		{"one datagram over lines", "# a dump request\n" + req[:36] + "\n" + req[36:] + "\n", []int{32}, []rtnl.Direction{rtnl.Sent}},
		{"blank line separates", req + "\n\n" + ack[:72] + "\n", []int{32, 36}, []rtnl.Direction{rtnl.Sent, rtnl.Received}},
		{"a datagram a line", req + "\n" + ack[:72] + "\n", []int{32, 36}, []rtnl.Direction{rtnl.Sent, rtnl.Received}},
		{"0x, commas, quotes", `0x20, 0x00, 0x00, 0x00, "\x12\x00" 0x01 0x03 ` + strings.Repeat("00 ", 24), []int{32}, []rtnl.Direction{rtnl.Sent}},
		{"direction comment", "# received\n" + req + "\n", []int{32}, []rtnl.Direction{rtnl.Received}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ds, format, err := ReadDatagrams(strings.NewReader(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if format != FormatHex && !strings.Contains(c.in, `\x`) {
				t.Errorf("want hex, got %v", format)
			}
			if len(ds) != len(c.lens) {
				t.Fatalf("want %d datagrams, got %d", len(c.lens), len(ds))
			}
			for i, d := range ds {
				if len(d.Data) != c.lens[i] || d.Dir != c.dirs[i] {
					t.Errorf("datagram %d: want %s %d bytes, got %s %d bytes", i, c.dirs[i], c.lens[i], d.Dir, len(d.Data))
				}
			}
		})
	}
	for _, bad := range []string{"123", "20 00 zz 00", "2000 0g00"} {
		if _, err := ParseHex(bad); err == nil {
			t.Errorf("ParseHex(%q): want an error, got none", bad)
		}
	}
}

func escapeX(h string) string {
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		b.WriteString(`\x` + h[i:i+2])
	}
	return b.String()
}

// What strace prints besides calls, when the process it watched sent
// nothing: the input is strace's, and holds no datagram (it was read as
// hex, and failed on "+++").
func TestReadDatagramsStraceNotes(t *testing.T) {
	for _, c := range []struct{ name, in string }{
		{"exited", "+++ exited with 1 +++\n"},
		{"killed by a signal", "--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=13340, si_uid=0} ---\n+++ killed by SIGUSR1 +++\n"},
		{"a child, with strace -f", "strace: Process 13350 attached\n[pid 13350] +++ exited with 0 +++\n--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=13350, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---\n+++ exited with 0 +++\n"},
		{"time stamps and pids in a file", "13349 17:40:01.123456 +++ exited with 2 +++\n"},
		{"a call cut off and resumed", "[pid 101] wait4(-1,  <unfinished ...>\n[pid 102] +++ exited with 0 +++\n[pid 101] <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 102\n+++ exited with 0 +++\n"},
		{"the mark alone", "<unfinished ...>\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ds, format, err := ReadDatagrams(strings.NewReader(c.in))
			if err != nil || format != FormatStrace || len(ds) != 0 {
				t.Errorf("want strace with no datagram and no error, got %v with %d datagrams, error %v", format, len(ds), err)
			}
		})
	}
	// A note among calls changes nothing about the calls.
	req := "2000000012000103010000000000000000000000000000000000000000000000"
	in := "--- SIGCHLD {si_signo=SIGCHLD} ---\n" + `sendto(3, "` + escapeX(req) + `", 32, 0, NULL, 0) = 32` + "\n+++ exited with 0 +++\n"
	ds, format, err := ReadDatagrams(strings.NewReader(in))
	if err != nil || format != FormatStrace || len(ds) != 1 || hex.EncodeToString(ds[0].Data) != req {
		t.Errorf("want strace with the one datagram %s, got %v, %d datagrams, error %v", req, format, len(ds), err)
	}
	// Hex is still hex.
	if _, format, err := ReadDatagrams(strings.NewReader("# --- a comment +++\n" + req + "\n")); err != nil || format != FormatHex {
		t.Errorf("want hex, got %v, error %v", format, err)
	}
}

// The hand-written matchers of strace's lines accept what the regular
// expressions they replace (kept here, where the binary does not carry
// them) matched, and find the same parts.
var (
	reStraceCall   = regexp.MustCompile(`^(?:\[pid\s+\d+\]\s+|\d+\s+)?(?:[\d:.]+\s+)?(?:<\.\.\.\s+)?(sendmsg|sendto|recvmsg|recvfrom|write|read)(\(| resumed>)`)
	reStraceDump   = regexp.MustCompile(`^\s*\|\s*([0-9a-f]{5,})  `)
	reStraceString = regexp.MustCompile(`"((?:\\x[0-9a-fA-F]{2})*)"(\.\.\.)?`)
)

func straceMatchersAgree(t *testing.T, l string) {
	call, ok := straceCall(l)
	m := reStraceCall.FindStringSubmatch(l)
	if ok != (m != nil) || ok && call != m[1] {
		t.Errorf("straceCall(%q): want %q, got %q, %v", l, m, call, ok)
	}
	hexCol, ok := straceDump(l)
	mi := reStraceDump.FindStringIndex(l)
	if ok != (mi != nil) || ok && hexCol != l[mi[1]:] {
		t.Errorf("straceDump(%q): want %v, got %q, %v", l, mi, hexCol, ok)
	}
	ss := straceStrings(l)
	ms := reStraceString.FindAllStringSubmatchIndex(l, -1)
	if len(ss) != len(ms) {
		t.Fatalf("straceStrings(%q): want %d strings, got %d", l, len(ms), len(ss))
	}
	for i, m := range ms {
		s := ss[i]
		if s.start != m[0] || s.end != m[1] || s.hex != l[m[2]:m[3]] || s.cut != (m[4] >= 0) {
			t.Errorf("straceStrings(%q)[%d]: want %v, got %+v", l, i, m, s)
		}
	}
	wantLooks := false
	for line := range strings.Lines(l) {
		wantLooks = wantLooks || reStraceCall.MatchString(line) || reStraceDump.MatchString(line)
	}
	if rest := reStraceString.ReplaceAllString(l, ""); !wantLooks && rest != l && strings.Trim(rest, " \t\r\n,") == "" {
		wantLooks = true
	}
	if got := looksLikeStrace(l); got != wantLooks && !straceNoteIn(l) {
		t.Errorf("looksLikeStrace(%q): want %v, got %v", l, wantLooks, got)
	}
}

func straceNoteIn(s string) bool {
	for l := range strings.Lines(s) {
		if straceNote(l) {
			return true
		}
	}
	return false
}

func FuzzStraceMatchers(f *testing.F) {
	b, err := os.ReadFile("testdata/walkthrough.strace")
	if err != nil {
		f.Fatal(err)
	}
	for l := range strings.Lines(string(b)) {
		f.Add(l)
	}
	for _, l := range []string{
		`[pid 101] recvmsg(3,  <unfinished ...>`, `[pid  101]   <...   recvmsg resumed>{`, `[pid 101]recvmsg(`,
		`1234 12:00:01.000001 write(3, "\x20\x00", 2) = 2`, `1234  sendto(`, `12:00:01 read(`, `1234 12:00 <... read resumed>`,
		`readv(3, `, `reads(`, `<... write resumed >`, `write (`, ` sendmsg(`, "\tsendmsg(", `[pid x] sendto(`, `[pid 1]`,
		` | 00000  14 00`, `| 0000  14`, ` |  abcdef0  x`, ` | 00000 14`, ` | 0000A  14`, "\f|\t00000  ",
		`"\x20\x00"`, `"\x20\x00"...`, `""`, `"\x2"`, `"\X20"`, `"\x20\x0g"`, `"a"\x20"`, `""""`, `"\x20"... , "\x21",`,
		"\"\\x20\"\n\"\\x21\"\n", "\"\\x20\" x", "\"\\x20\"\f", `"\\x20"`, `"`, `\x20"`,
	} {
		f.Add(l)
	}
	f.Fuzz(straceMatchersAgree)
}
