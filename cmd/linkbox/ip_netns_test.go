package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/linkbox/linkbox/nsfs"
)

// Tests of ip netns. Each names its namespaces with a prefix of its own
// and deletes them, so that the package's other tests (which share the
// sandbox's /run/netns) see nothing of them; what -all touches runs in a
// mount namespace of its own (isolated).

// runDir is the run directory both tools use.
func runDir() string { return nsfs.DefaultRunDir() }

// netnsNames returns the names in the run directory, sorted.
func netnsNames(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir(runDir())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// nsMounts returns the nsfs mounts of /proc/self/mountinfo, one line each:
// "MOUNTPOINT ROOT" (the root names the namespace: "net:[N]").
func nsMounts(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER
		fields := strings.Fields(sc.Text())
		sep := slices.Index(fields, "-")
		if sep < 0 || sep+1 >= len(fields) || fields[sep+1] != "nsfs" {
			continue
		}
		out = append(out, unescapeMount(fields[4])+" "+fields[3])
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// mountsOn counts the nsfs mounts on name's file.
func mountsOn(t *testing.T, name string) int {
	t.Helper()
	n := 0
	for _, m := range nsMounts(t) {
		if strings.HasPrefix(m, filepath.Join(runDir(), name)+" ") {
			n++
		}
	}
	return n
}

// nsInode returns the inode of the namespace named name ("net:[N]"'s N).
func nsInode(t *testing.T, name string) string {
	t.Helper()
	st, err := os.Stat(filepath.Join(runDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatUint(st.Sys().(*syscall.Stat_t).Ino, 10)
}

// dropNetns deletes the names at the end of the test, with iproute2.
func dropNetns(t *testing.T, names ...string) {
	t.Helper()
	t.Cleanup(func() {
		for _, n := range names {
			if _, err := os.Lstat(filepath.Join(runDir(), n)); err == nil {
				sys(t, "ip", "netns", "del", n)
			}
		}
	})
}

// sameResult fails unless linkbox printed what iproute2 printed, on both
// streams, and exited with the same status.
func sameResult(t *testing.T, argv []string, want, got result) {
	t.Helper()
	if want != got {
		t.Errorf("ip %q:\nwant (iproute2): exit %d\nstdout %q\nstderr %q\ngot (linkbox): exit %d\nstdout %q\nstderr %q",
			argv, want.code, want.stdout, want.stderr, got.code, got.stdout, got.stderr)
	}
}

// both runs ip ARGS with iproute2 and with linkbox and compares.
func both(t *testing.T, argv ...string) result {
	t.Helper()
	want := sys(t, append([]string{"ip"}, argv...)...)
	got := lb(t, append([]string{"ip"}, argv...)...)
	sameResult(t, argv, want, got)
	return got
}

// Names made by linkbox are iproute2's and the other way round: listed,
// entered and deleted by the other tool, with one nsfs mount per name.
func TestIPNetnsInterop(t *testing.T) {
	kernel(t)
	dropNetns(t, "ntio-lb", "ntio-ip")

	mustLB(t, "ip", "netns", "add", "ntio-lb")
	if n := mountsOn(t, "ntio-lb"); n != 1 {
		t.Fatalf("after linkbox's add: want 1 nsfs mount on the name, got %d (%q)", n, nsMounts(t))
	}
	if out := mustSys(t, "ip", "netns", "list"); !slices.Contains(strings.Split(out, "\n"), "ntio-lb") {
		t.Errorf("iproute2's list does not show linkbox's name:\n%s", out)
	}
	ino := nsInode(t, "ntio-lb")
	if got := strings.TrimSpace(mustSys(t, "ip", "netns", "exec", "ntio-lb", "readlink", "/proc/self/ns/net")); got != "net:["+ino+"]" {
		t.Errorf("iproute2's exec in linkbox's name: want net:[%s], got %s", ino, got)
	}
	mustSys(t, "ip", "netns", "del", "ntio-lb")
	if n := mountsOn(t, "ntio-lb"); n != 0 || slices.Contains(netnsNames(t), "ntio-lb") {
		t.Errorf("after iproute2's delete of linkbox's name: %d mounts, names %q", n, netnsNames(t))
	}

	mustSys(t, "ip", "netns", "add", "ntio-ip")
	if out := mustLB(t, "ip", "netns", "list"); !slices.Contains(strings.Split(out, "\n"), "ntio-ip") {
		t.Errorf("linkbox's list does not show iproute2's name:\n%s", out)
	}
	ino = nsInode(t, "ntio-ip")
	if got := strings.TrimSpace(mustLB(t, "ip", "netns", "exec", "ntio-ip", "readlink", "/proc/self/ns/net")); got != "net:["+ino+"]" {
		t.Errorf("linkbox's exec in iproute2's name: want net:[%s], got %s", ino, got)
	}
	mustLB(t, "ip", "netns", "delete", "ntio-ip")
	if n := mountsOn(t, "ntio-ip"); n != 0 || slices.Contains(netnsNames(t), "ntio-ip") {
		t.Errorf("after linkbox's delete of iproute2's name: %d mounts, names %q", n, netnsNames(t))
	}
}

// For the same state, list, list-id, identify and pids print what
// iproute2 prints, in text and JSON.
func TestIPNetnsOutputsMatchIproute2(t *testing.T) {
	kernel(t)
	names := []string{"ntout-a", "ntout-b", "ntout-c"}
	dropNetns(t, names...)
	for _, n := range names {
		mustSys(t, "ip", "netns", "add", n)
	}
	mustSys(t, "ip", "netns", "set", "ntout-b", "7")
	mustLB(t, "ip", "netns", "set", "ntout-c", "auto")
	// Ids given inside one of them, for target-nsid and -n.
	mustSys(t, "ip", "-n", "ntout-b", "netns", "set", "ntout-a", "3")
	mustSys(t, "ip", "-n", "ntout-b", "netns", "set", "ntout-c", "4")

	// A process inside ntout-a, for identify and pids.
	sleeper := exec.Command("ip", "netns", "exec", "ntout-a", "sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sleeper.Process.Kill(); sleeper.Wait() })
	pid := strconv.Itoa(sleeper.Process.Pid)
	waitInNetns(t, pid, "ntout-a")

	for _, argv := range [][]string{
		{"netns"},
		{"netns", "list"},
		{"netns", "show"},
		{"-j", "netns"},
		{"-j", "netns", "list"},
		{"netns", "list-id"},
		{"-j", "netns", "list-id"},
		{"netns", "list-id", "nsid", "7"},
		{"-j", "netns", "list-id", "nsid", "7"},
		{"netns", "list-id", "target-nsid", "7"},
		{"-j", "netns", "list-id", "target-nsid", "7"},
		{"netns", "list-id", "target-nsid", "7", "nsid", "7"},
		{"-j", "netns", "list-id", "nsid", "7", "target-nsid", "7"},
		{"-n", "ntout-b", "netns", "list"},
		{"-n", "ntout-b", "netns", "list-id"},
		{"-j", "-n", "ntout-b", "netns", "list-id"},
		{"netns", "identify"},
		{"netns", "identify", pid},
		{"netns", "identify", strconv.Itoa(os.Getpid())},
		{"netns", "pids", "ntout-a"},
		{"netns", "pids", "ntout-b"},
		{"-n", "ntout-a", "netns", "identify"},
	} {
		t.Run(strings.Join(argv, " "), func(t *testing.T) {
			got := both(t, argv...)
			if got.code != 0 {
				t.Errorf("exit %d: %s", got.code, got.stderr)
			}
		})
	}

	// And what they say is the kernel's state.
	lines := strings.Split(mustLB(t, "ip", "netns", "list"), "\n")
	if !slices.Contains(lines, "ntout-b (id: 7)") || !slices.Contains(lines, "ntout-a") {
		t.Errorf("list: want \"ntout-b (id: 7)\" and \"ntout-a\" lines, got %q", lines)
	}
	if got := mustLB(t, "ip", "netns", "identify", pid); got != "ntout-a\n" {
		t.Errorf("identify %s: want ntout-a, got %q", pid, got)
	}
	if got := mustLB(t, "ip", "netns", "pids", "ntout-a"); got != pid+"\n" {
		t.Errorf("pids ntout-a: want %s, got %q", pid, got)
	}
}

// waitInNetns waits until process pid is in the named namespace (an exec
// has happened).
func waitInNetns(t *testing.T, pid, name string) {
	t.Helper()
	want := "net:[" + nsInode(t, name) + "]"
	for range 500 {
		if l, _ := os.Readlink("/proc/" + pid + "/ns/net"); l == want {
			if c, _ := os.ReadFile("/proc/" + pid + "/comm"); strings.TrimSpace(string(c)) == "sleep" {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("process %s never entered %s", pid, name)
}

// Bad input gets iproute2's message and exit status, and leaves no name
// and no mount behind.
func TestIPNetnsErrorsMatchIproute2(t *testing.T) {
	kernel(t)
	// A program not found is "No such file or directory" unless some
	// directory on PATH could not be searched, which execvp(3) reports
	// as EACCES: keep PATH to the system's directories so the answer
	// does not depend on the machine's.
	t.Setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	dropNetns(t, "nterr-x")
	mustSys(t, "ip", "netns", "add", "nterr-x")
	mustSys(t, "ip", "netns", "set", "nterr-x", "11")
	names, mounts := netnsNames(t), nsMounts(t)
	for _, argv := range [][]string{
		{"netns", "add"},
		{"netns", "add", "a/b"},
		{"netns", "add", ""},
		{"netns", "add", "."},
		{"netns", "add", ".."},
		{"netns", "add", strings.Repeat("n", 256)},
		{"netns", "add", "nterr-x"},
		{"netns", "a", "nterr-x"},
		{"netns", "delete"},
		{"netns", "delete", "nterr-nosuch"},
		{"netns", "del", "a/b"},
		{"netns", "exec"},
		{"netns", "exec", "nterr-x"},
		{"netns", "exec", "nterr-nosuch", "true"},
		{"netns", "exec", "", "true"},
		{"netns", "exec", "nterr-x", "nterr-no-such-program"},
		{"netns", "exec", "nterr-x", "/nonexistent/program"},
		{"netns", "exec", "nterr-x", "sh", "-c", "exit 7"},
		{"netns", "exec", "nterr-x", "sh", "-c", "echo out; echo err >&2; exit 3"},
		{"-n", "nterr-nosuch", "link"},
		{"-n", "nterr-nosuch", "netns", "list"},
		{"netns", "pids"},
		{"netns", "pids", "nterr-nosuch"},
		{"netns", "pids", "nterr-x", "extra"},
		{"netns", "identify", "x"},
		{"netns", "identify", "-1"},
		{"netns", "identify", "999999999"},
		{"netns", "identify", "1", "2"},
		{"netns", "identify", ""},
		{"netns", "set"},
		{"netns", "set", "nterr-x"},
		{"netns", "set", "nterr-nosuch", "3"},
		{"netns", "set", "nterr-x", "x"},
		{"netns", "set", "nterr-x", "-3"},
		{"netns", "set", "nterr-x", "0x"},
		{"netns", "set", "nterr-x", "99999999999"},
		{"netns", "attach"},
		{"netns", "attach", "nterr-y"},
		{"netns", "attach", "nterr-y", "0"},
		{"netns", "attach", "nterr-y", "abc"},
		{"netns", "attach", "nterr-y", "99999999"},
		{"netns", "attach", "nterr-y", "-5"},
		{"netns", "attach", "nterr-x", "99999999"},
		{"netns", "attach", "nterr-x", "1"},
		{"netns", "frobnicate"},
		{"netns", "help"},
		{"netns", "list", "a/b"},
		{"netns", "list-id", "foo"},
		{"netns", "list-id", "nsid"},
		{"netns", "list-id", "nsid", "x"},
		{"netns", "list-id", "nsid", "-1", "x"},
		{"netns", "list-id", "target-nsid", "-2"},
		{"netns", "list-id", "target-nsid", "1", "target-nsid", "2"},
		{"link", "set", "lo", "netns", "nterr-nosuch"},
	} {
		t.Run(strings.Join(argv, " "), func(t *testing.T) {
			got := both(t, argv...)
			if got.code == 0 && !strings.HasPrefix(strings.Join(argv, " "), "netns exec nterr-x sh") {
				t.Errorf("exit 0, want a failure")
			}
			if n := netnsNames(t); !slices.Equal(n, names) {
				t.Errorf("names changed: before %q, after %q", names, n)
			}
			if m := nsMounts(t); !slices.Equal(m, mounts) {
				t.Errorf("nsfs mounts changed: before %q, after %q", mounts, m)
			}
		})
	}
}

// A kernel refusal reads as iproute2's, plus the attribute the kernel
// pointed at.
func TestIPNetnsSetTwice(t *testing.T) {
	kernel(t)
	dropNetns(t, "ntset")
	mustLB(t, "ip", "netns", "add", "ntset")
	mustLB(t, "ip", "netns", "set", "ntset", "21")
	if got := mustSys(t, "ip", "netns", "list-id", "nsid", "21"); got != "nsid 21 (iproute2 netns name: ntset)\n" {
		t.Errorf("iproute2 after linkbox's set: got %q", got)
	}
	for _, argv := range [][]string{
		{"netns", "set", "ntset", "22"},
		{"netns", "set", "ntset", "auto"},
		{"netns", "list-id", "nsid", "99"},
		{"netns", "list-id", "target-nsid", "21", "nsid", "98"},
	} {
		want := sys(t, append([]string{"ip"}, argv...)...)
		got := lb(t, append([]string{"ip"}, argv...)...)
		if want.code != 2 || got.code != 2 || !strings.HasPrefix(got.stderr, strings.TrimSuffix(want.stderr, ".\n")+". (attribute NETNSA_") {
			t.Errorf("ip %q: want exit 2 and %q with the attribute, got exit %d %q (iproute2: exit %d)", argv, want.stderr, got.code, got.stderr, want.code)
		}
	}
}

// linkbox refuses to make names that would not print on one line, where
// iproute2 accepts them; names other tools made are listed escaped, and
// deleted.
func TestIPNetnsOddNames(t *testing.T) {
	kernel(t)
	before, mounts := netnsNames(t), nsMounts(t)
	for _, name := range []string{"nt\nnl", "nt\ttab", "nt\x1besc", "nt\xffutf8"} {
		r := lb(t, "ip", "netns", "add", name)
		if r.code != 255 || !strings.HasPrefix(r.stderr, "Invalid netns name \""+nsfs.Quote(name)+"\": ") {
			t.Errorf("add %q: want exit 255 and \"Invalid netns name ...: why\", got %d %q", name, r.code, r.stderr)
		}
		r = lb(t, "ip", "netns", "attach", name, "1")
		if r.code != 255 {
			t.Errorf("attach %q: want exit 255, got %d %q", name, r.code, r.stderr)
		}
	}
	if n := netnsNames(t); !slices.Equal(n, before) || !slices.Equal(nsMounts(t), mounts) {
		t.Fatalf("refused names left something: %q", n)
	}

	odd := "ntodd\nname"
	dropNetns(t, odd)
	mustSys(t, "ip", "netns", "add", odd)
	lines := strings.Split(mustLB(t, "ip", "netns", "list"), "\n")
	if !slices.Contains(lines, `ntodd\nname`) {
		t.Errorf("list: want the odd name escaped on one line, got %q", lines)
	}
	j := jsonOf(t, mustLB(t, "ip", "-j", "netns", "list"))
	found := false
	for _, o := range j {
		found = found || o["name"] == odd
	}
	if !found {
		t.Errorf("-j list: want the name as it is, got %v", j)
	}
	if out := mustLB(t, "ip", "netns", "exec", odd, "true"); out != "" {
		t.Errorf("exec in the odd name printed %q", out)
	}
	mustLB(t, "ip", "netns", "delete", odd)
	if slices.Contains(netnsNames(t), odd) || mountsOn(t, odd) != 0 {
		t.Errorf("delete of the odd name left %q", netnsNames(t))
	}
}

// A stale name (a file that is not a namespace mount) is listed as
// iproute2 lists it and explained on stderr; exec and -n fail as
// iproute2's do; add says it exists; delete removes it.
func TestIPNetnsStale(t *testing.T) {
	kernel(t)
	mustSys(t, "ip", "netns", "add", "ntstale-ok") // makes the run directory
	dropNetns(t, "ntstale", "ntstale-ok")
	if err := os.WriteFile(filepath.Join(runDir(), "ntstale"), nil, 0); err != nil {
		t.Fatal(err)
	}
	want, got := sys(t, "ip", "netns", "list"), lb(t, "ip", "netns", "list")
	if want.stdout != got.stdout || got.code != 0 {
		t.Errorf("list with a stale name: want %q, got exit %d %q", want.stdout, got.code, got.stdout)
	}
	if !strings.Contains(got.stderr, `netns "ntstale" is a stale file`) {
		t.Errorf("list with a stale name: want it explained on stderr, got %q", got.stderr)
	}
	for _, argv := range [][]string{
		{"netns", "exec", "ntstale", "true"},
		{"-n", "ntstale", "link"},
		{"netns", "add", "ntstale"},
	} {
		both(t, argv...)
	}
	r := lb(t, "ip", "netns", "set", "ntstale", "5")
	if r.code != 2 || !strings.Contains(r.stderr, "stale") {
		t.Errorf("set on a stale name: want exit 2 (iproute2's) and an explanation, got %d %q", r.code, r.stderr)
	}
	r = lb(t, "ip", "netns", "pids", "ntstale")
	if r.code != 0 || r.stdout != "" {
		t.Errorf("pids of a stale name: want nothing and exit 0 (iproute2's), got %d %q", r.code, r.stdout)
	}
	mustLB(t, "ip", "netns", "delete", "ntstale")
	mustLB(t, "ip", "netns", "add", "ntstale")
	if mountsOn(t, "ntstale") != 1 {
		t.Errorf("add after deleting the stale name: want one mount, got %q", nsMounts(t))
	}
}

// "netns NAME|PID|PATH" of ip link: a name, a process, or a path, as
// iproute2 takes them; and the moved link is seen inside.
func TestIPLinkSetNetns(t *testing.T) {
	kernel(t)
	dropNetns(t, "ntmv")
	mustLB(t, "ip", "netns", "add", "ntmv")
	t.Cleanup(func() { sys(t, "ip", "link", "del", "ntmv0") })
	mustSys(t, "ip", "link", "add", "ntmv0", "type", "veth", "peer", "name", "ntmv1")
	mustLB(t, "ip", "link", "set", "ntmv1", "netns", "ntmv")
	if out := mustSys(t, "ip", "-n", "ntmv", "-br", "link", "show", "ntmv1"); !strings.HasPrefix(out, "ntmv1@") {
		t.Errorf("after set netns NAME: iproute2 in the namespace shows %q", out)
	}
	// The peer is now named in the listings through its nsid.
	both(t, "link", "show", "ntmv0")
	both(t, "-n", "ntmv", "link", "show", "ntmv1")

	// Back by path, then in again by process id.
	sleeper := exec.Command("ip", "netns", "exec", "ntmv", "sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sleeper.Process.Kill(); sleeper.Wait() })
	pid := strconv.Itoa(sleeper.Process.Pid)
	waitInNetns(t, pid, "ntmv")
	mustLB(t, "ip", "-n", "ntmv", "link", "set", "ntmv1", "netns", "/proc/"+strconv.Itoa(os.Getpid())+"/ns/net")
	mustSys(t, "ip", "link", "show", "ntmv1")
	mustLB(t, "ip", "link", "set", "ntmv1", "netns", pid)
	mustSys(t, "ip", "-n", "ntmv", "link", "show", "ntmv1")
	both(t, "link", "set", "ntmv0", "netns", "99999999")
}

func TestCInt32(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int32
		ok   bool
	}{
		{"0", 0, true}, {"7", 7, true}, {"0x10", 16, true}, {"010", 8, true}, {" 5", 5, true},
		{"+5", 5, true}, {"-3", -3, true}, {"2147483647", 1<<31 - 1, true}, {"-2147483648", -1 << 31, true},
		{"2147483648", 0, false}, {"", 0, false}, {"x", 0, false}, {"0x", 0, false}, {"5 ", 0, false},
		{"1_0", 0, false}, {"0b1", 0, false}, {"99999999999999999999", 0, false}, {"-", 0, false},
	} {
		got, ok := cInt32(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("cInt32(%q): want %d %v, got %d %v", c.in, c.want, c.ok, got, ok)
		}
	}
}

func TestIsApplet(t *testing.T) {
	for _, n := range appletNames() {
		if !isApplet(n) {
			t.Errorf("isApplet(%q): want true, got false", n)
		}
	}
	for _, n := range []string{"sh", "iproute2", ""} {
		if isApplet(n) {
			t.Errorf("isApplet(%q): want false, got true", n)
		}
	}
}

// Under --dry-run, add, attach and delete say what they would do and do
// nothing; so does exec of a program other than ip (TestIPNetnsExecDryRun
// has the ip case).
func TestIPNetnsDryRun(t *testing.T) {
	kernel(t)
	dropNetns(t, "ntdry", "ntdry-new")
	mustSys(t, "ip", "netns", "add", "ntdry")
	names, mounts := netnsNames(t), nsMounts(t)
	for _, c := range []struct {
		argv []string
		want string
	}{
		{[]string{"netns", "add", "ntdry-new"}, "would: mount --bind <a new network namespace> " + filepath.Join(runDir(), "ntdry-new") + "\n"},
		{[]string{"netns", "attach", "ntdry-new", strconv.Itoa(os.Getpid())}, "would: mount --bind /proc/" + strconv.Itoa(os.Getpid()) + "/ns/net " + filepath.Join(runDir(), "ntdry-new") + "\n"},
		{[]string{"netns", "delete", "ntdry"}, "would: umount -l " + filepath.Join(runDir(), "ntdry") + "; rm " + filepath.Join(runDir(), "ntdry") + "\n"},
		{[]string{"netns", "exec", "ntdry", "sh", "-c", "echo $LINKBOX_DRY_RUN"}, "would: ip netns exec ntdry sh -c 'echo $LINKBOX_DRY_RUN'\n"},
	} {
		got := lb(t, append([]string{"linkbox", "--dry-run", "ip"}, c.argv...)...)
		if got.code != 0 || got.stdout != c.want {
			t.Errorf("--dry-run ip %q: want exit 0 and %q, got exit %d %q %q", c.argv, c.want, got.code, got.stdout, got.stderr)
		}
		if n, m := netnsNames(t), nsMounts(t); !slices.Equal(n, names) || !slices.Equal(m, mounts) {
			t.Errorf("--dry-run ip %q changed the names or mounts: %q", c.argv, n)
		}
	}
	want := sys(t, "ip", "netns", "add", "ntdry")
	got := lb(t, "linkbox", "--dry-run", "ip", "netns", "add", "ntdry")
	if want != got {
		t.Errorf("--dry-run add of a taken name: want iproute2's %+v, got %+v", want, got)
	}
}
