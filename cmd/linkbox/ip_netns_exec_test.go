package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// isolated runs a bash script in network and mount namespaces of its
// own whose run directory is an empty tmpfs, so that the seed's names and
// -all touch only what the script makes. In the script, ip is linkbox (its
// applet links come first on PATH), as are $LB (linkbox's ip) and $LBX
// (the linkbox binary); $IP2 is iproute2's ip.
func isolated(t *testing.T, script string) result {
	t.Helper()
	kernel(t)
	needTool(t, "unshare")
	dir := linkboxBin(t)
	ip2, err := exec.LookPath("ip")
	if err != nil {
		t.Fatal(err)
	}
	setup := "set -e; mkdir -p " + runDir() + "; mount -t tmpfs tmpfs " + runDir() + "; $IP2 link set lo up; set +e\n"
	// Bounded: a script that hangs is killed, with all it started.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "--net", "--mount", "--propagation", "private", "bash", "-c", setup+script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"), "LB="+filepath.Join(dir, "ip"), "LBX="+filepath.Join(dir, "linkbox"), "IP2="+ip2)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	before := netnsNames(t)
	err = cmd.Run()
	if after := netnsNames(t); !slices.Equal(before, after) {
		t.Errorf("the isolated script changed the sandbox's own run directory: before %q, after %q", before, after)
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatalf("script killed after 2 minutes:\n%s%s", out.String(), errb.String())
	}
	return result{out.String(), errb.String(), code}
}

// sections splits output marked with "== NAME" lines.
func sections(s string) map[string]string {
	m := map[string]string{}
	cur := ""
	for _, l := range strings.SplitAfter(s, "\n") {
		if name, ok := strings.CutPrefix(l, "== "); ok {
			cur = strings.TrimSpace(name)
			m[cur] = ""
			continue
		}
		m[cur] += l
	}
	return m
}

// The seed's commands, verbatim, with linkbox as ip (also inside ip
// netns exec, where the child is linkbox's own binary found on PATH), and
// what they print is what iproute2 prints for the same state.
func TestIPNetnsSeedScript(t *testing.T) {
	r := isolated(t, `set -e
ip netns add blue
echo "== list"; ip netns list; $IP2 netns list
ip link add veth0 type veth peer name veth1
echo "== links"; ip link list
echo "== links2"; $IP2 link list
ip link set veth1 netns blue
echo "== exec"; ip netns exec blue ip link list
echo "== exec2"; $IP2 netns exec blue $IP2 link list
echo "== list2"; $IP2 netns list
echo "== list3"; ip netns list
echo "== mounts"; grep -c ' /run/netns/blue ' /proc/self/mountinfo
`)
	if r.code != 0 {
		t.Fatalf("seed script: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	s := sections(r.stdout)
	if s["list"] != "blue\nblue\n" {
		t.Errorf("ip netns list after the add, linkbox's then iproute2's: want blue twice, got %q", s["list"])
	}
	if s["list3"] != "blue (id: 0)\n" || s["list3"] != s["list2"] {
		t.Errorf("ip netns list after the move: want %q (iproute2's), got %q", s["list2"], s["list3"])
	}
	if s["links"] != s["links2"] || !strings.Contains(s["links"], "veth1@veth0") {
		t.Errorf("ip link list:\nwant (iproute2):\n%s\ngot:\n%s", s["links2"], s["links"])
	}
	if s["exec"] != s["exec2"] || !strings.Contains(s["exec"], ": veth1@if") || !strings.Contains(s["exec"], "1: lo:") {
		t.Errorf("ip netns exec blue ip link list:\nwant (iproute2):\n%s\ngot:\n%s", s["exec2"], s["exec"])
	}
	if s["mounts"] != "1\n" {
		t.Errorf("nsfs mounts on /run/netns/blue: want 1, got %q", s["mounts"])
	}
}

// ip -all netns exec prints iproute2's headers, in its order, with each
// command's output, and exits 0; ip -all netns delete leaves nothing.
func TestIPNetnsAll(t *testing.T) {
	r := isolated(t, `
$IP2 netns add all-a; $LB netns add all-b; $IP2 netns add all-c
cmd='readlink /proc/self/ns/net >/dev/null && echo "in $(ls /sys/class/net)"; exit 3'
echo "== lb"; $LB -all netns exec sh -c "$cmd"; echo "rc=$?"
echo "== ip"; $IP2 -all netns exec sh -c "$cmd"; echo "rc=$?"
echo "== lbnone"; $LB -all netns exec 2>&1; echo "rc=$?"
echo "== ipnone"; $IP2 -all netns exec 2>&1; echo "rc=$?"
echo "== del"; $LB -all netns delete; echo "rc=$?"
echo "== left"; ls -A /run/netns; grep -c ' - nsfs ' /proc/self/mountinfo
`)
	s := sections(r.stdout)
	if s["lb"] != s["ip"] || strings.Count(s["lb"], "\nnetns: all-") != 3 || !strings.HasSuffix(s["lb"], "rc=0\n") {
		t.Errorf("-all netns exec:\nwant (iproute2):\n%s\ngot:\n%s", s["ip"], s["lb"])
	}
	if s["lbnone"] != s["ipnone"] {
		t.Errorf("-all netns exec without a command: want %q, got %q", s["ipnone"], s["lbnone"])
	}
	if s["del"] != "rc=0\n" || s["left"] != "0\n" {
		t.Errorf("-all netns delete: want exit 0 and nothing left, got %q, left %q (stderr %q)", s["del"], s["left"], r.stderr)
	}
}

// exec runs the command in the namespace, with the namespace's /sys,
// passes its output through and returns its status; linkbox as the
// command works under iproute2's exec too, and with no ip on PATH linkbox
// runs its own applet.
func TestIPNetnsExec(t *testing.T) {
	kernel(t)
	dir := linkboxBin(t)
	dropNetns(t, "ntexec")
	mustLB(t, "ip", "netns", "add", "ntexec")
	t.Cleanup(func() { sys(t, "ip", "link", "del", "ntexec0") })
	// A bridge first, so that the peer's index inside differs from its
	// own end's outside (the same index is another case: ip link show's).
	mustSys(t, "ip", "-n", "ntexec", "link", "add", "ntexecbr", "type", "bridge")
	mustSys(t, "ip", "link", "add", "ntexec0", "type", "veth", "peer", "name", "ntexec1", "netns", "ntexec")

	r := lb(t, "ip", "netns", "exec", "ntexec", "sh", "-c", "readlink /proc/self/ns/net; ls /sys/class/net; echo to-stderr >&2; exit 42")
	want := "net:[" + nsInode(t, "ntexec") + "]\nlo\nntexec1\nntexecbr\n"
	if r.code != 42 || r.stdout != want || r.stderr != "to-stderr\n" {
		t.Errorf("exec: want exit 42, stdout %q, stderr %q; got exit %d, %q, %q", want, "to-stderr\n", r.code, r.stdout, r.stderr)
	}
	r = lb(t, "ip", "netns", "exec", "ntexec", "sh", "-c", "kill -TERM $$")
	if r.code != 128+15 {
		t.Errorf("exec of a command killed by SIGTERM: want exit 143, got %d", r.code)
	}

	// linkbox's ip under iproute2's exec, and iproute2's under linkbox's.
	wantLinks := mustSys(t, "ip", "-n", "ntexec", "link", "show")
	if got := mustSys(t, "ip", "netns", "exec", "ntexec", filepath.Join(dir, "ip"), "link", "show"); got != wantLinks {
		t.Errorf("iproute2's exec of linkbox's ip link show:\nwant:\n%s\ngot:\n%s", wantLinks, got)
	}
	if got := mustLB(t, "ip", "netns", "exec", "ntexec", "ip", "link", "show"); got != wantLinks {
		t.Errorf("linkbox's exec of iproute2's ip link show:\nwant:\n%s\ngot:\n%s", wantLinks, got)
	}

	// No ip on PATH: linkbox runs itself as ip.
	cmd := exec.Command(filepath.Join(dir, "linkbox"), "ip", "netns", "exec", "ntexec", "ip", "link", "show")
	cmd.Env = []string{"PATH=/nonexistent"}
	out, err := cmd.CombinedOutput()
	if err != nil || string(out) != wantLinks {
		t.Errorf("exec of ip with no ip on PATH: %v\nwant:\n%s\ngot:\n%s", err, wantLinks, out)
	}
	cmd = exec.Command(filepath.Join(dir, "linkbox"), "ip", "netns", "exec", "ntexec", "ntexec-no-such-program")
	cmd.Env = []string{"PATH=/nonexistent"}
	out, err = cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || string(out) != "exec of \"ntexec-no-such-program\" failed: No such file or directory\n" {
		t.Errorf("exec of a missing program: want exit 1 and iproute2's message, got %v %q", err, out)
	}
}

// Without CAP_SYS_ADMIN, add, exec and -n fail with iproute2's messages
// and statuses and leave nothing; delete fails and the name stays.
func TestIPNetnsWithoutCapSysAdmin(t *testing.T) {
	needTool(t, "capsh")
	r := isolated(t, `
$IP2 netns add capok
for c in "netns add capx" "netns exec capok true" "-n capok link show lo"; do
  echo "== ip $c"; capsh --drop=cap_sys_admin -- -c "$IP2 $c" 2>&1; echo "rc=$?"
  echo "== lb $c"; capsh --drop=cap_sys_admin -- -c "$LB $c" 2>&1; echo "rc=$?"
done
echo "== lb del"; capsh --drop=cap_sys_admin -- -c "$LB netns del capok" 2>&1; echo "rc=$?"
echo "== left"; ls -A /run/netns; grep -c ' /run/netns/capok ' /proc/self/mountinfo
`)
	s := sections(r.stdout)
	for _, c := range []string{"netns add capx", "netns exec capok true", "-n capok link show lo"} {
		if s["ip "+c] != s["lb "+c] || strings.HasSuffix(s["lb "+c], "rc=0\n") {
			t.Errorf("%s without CAP_SYS_ADMIN: want (iproute2) %q, got %q", c, s["ip "+c], s["lb "+c])
		}
	}
	if !strings.HasSuffix(s["lb del"], "rc=1\n") || s["left"] != "capok\n1\n" {
		t.Errorf("delete without CAP_SYS_ADMIN: want exit 1 and the name kept, got %q, left %q", s["lb del"], s["left"])
	}
}

// lineWriter collects lines and fails the write once stop says so, which
// is how a monitor is stopped in process (as a closed pipe stops it).
type lineWriter struct {
	mu    sync.Mutex
	buf   string
	lines []string
	stop  func(lines []string) bool
	quit  bool
}

var errEnough = errors.New("enough lines")

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf += string(p)
	for {
		i := strings.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.lines = append(w.lines, w.buf[:i])
		w.buf = w.buf[i+1:]
	}
	if w.quit || w.stop(w.lines) {
		return len(p), errEnough
	}
	return len(p), nil
}

func (w *lineWriter) snapshot() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.lines)
}

// ip netns monitor prints each add and delete, by either tool, as
// iproute2 does, and stops when its output fails.
func TestIPNetnsMonitor(t *testing.T) {
	kernel(t)
	dropNetns(t, "ntmon-sync", "ntmon-a", "ntmon-b")
	w := &lineWriter{stop: func(l []string) bool { return slices.Contains(l, "delete ntmon-a") }}
	var errb bytes.Buffer
	e := newEnv(strings.NewReader(""), w, &errb, func(string) string { return "" })
	exited := make(chan int, 1)
	go func() {
		code := run(e, []string{"ip", "netns", "monitor"})
		e.close()
		exited <- code
	}()
	t.Cleanup(func() {
		// Wake a monitor left running by a failure, so it ends.
		w.mu.Lock()
		w.quit = true
		w.mu.Unlock()
		sys(t, "ip", "netns", "add", "ntmon-sync")
		sys(t, "ip", "netns", "del", "ntmon-sync")
	})

	// Wait until it watches: names come and go until it has seen one.
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Contains(w.snapshot(), "add ntmon-sync") {
		if time.Now().After(deadline) {
			t.Fatalf("the monitor printed nothing in 10s: %q, stderr %q", w.snapshot(), errb.String())
		}
		mustSys(t, "ip", "netns", "add", "ntmon-sync")
		mustSys(t, "ip", "netns", "del", "ntmon-sync")
		time.Sleep(20 * time.Millisecond)
	}
	mustSys(t, "ip", "netns", "add", "ntmon-a")
	mustLB(t, "ip", "netns", "add", "ntmon-b")
	mustSys(t, "ip", "netns", "del", "ntmon-b")
	mustLB(t, "ip", "netns", "del", "ntmon-a")

	select {
	case code := <-exited:
		if code != 1 || !strings.Contains(errb.String(), errEnough.Error()) {
			t.Errorf("monitor whose output failed: want exit 1 and the write error, got %d %q", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("the monitor did not stop in 10s; it printed %q", w.snapshot())
	}
	var got []string
	for _, l := range w.snapshot() {
		if !strings.HasSuffix(l, " ntmon-sync") {
			got = append(got, l)
		}
	}
	want := []string{"add ntmon-a", "add ntmon-b", "delete ntmon-b", "delete ntmon-a"}
	if !slices.Equal(got, want) {
		t.Errorf("monitor: want %q, got %q", want, got)
	}
}

// ip netns monitor, run as a program, keeps going until a signal stops
// it, and prints what iproute2's prints for the same events.
func TestIPNetnsMonitorProgram(t *testing.T) {
	needTool(t, "stdbuf")
	r := isolated(t, `
cd "$(mktemp -d)"
$LB netns monitor > lb.out & lb=$!
stdbuf -oL $IP2 netns monitor > ip.out & ip=$!
for i in $(seq 1 200); do
  $IP2 netns add mon-sync; $IP2 netns del mon-sync
  grep -q 'add mon-sync' lb.out && grep -q 'add mon-sync' ip.out && break
  sleep 0.05
done
$IP2 netns add mon-a; $LB netns add mon-b; $LB netns del mon-a; $IP2 netns del mon-b
for i in $(seq 1 200); do
  grep -q 'delete mon-b' lb.out && grep -q 'delete mon-b' ip.out && break
  sleep 0.05
done
kill -TERM $lb $ip; wait $lb; rc=$?; wait $ip; echo "== lbrc"; echo $rc
echo "== lb"; grep -v mon-sync lb.out
echo "== ip"; grep -v mon-sync ip.out
rm -f lb.out ip.out; cd /; rmdir "$OLDPWD"
`)
	s := sections(r.stdout)
	want := "add mon-a\nadd mon-b\ndelete mon-a\ndelete mon-b\n"
	if s["lb"] != want || s["ip"] != want {
		t.Errorf("monitor: want %q (iproute2 printed %q), got %q (stderr %q)", want, s["ip"], s["lb"], r.stderr)
	}
	if s["lbrc"] != strconv.Itoa(128+15)+"\n" {
		t.Errorf("monitor stopped by SIGTERM: want status 143, got %q", s["lbrc"])
	}
}

// exec passes standard input through, relays SIGTERM to the command
// (which leaves no orphan) and exits as the command did.
func TestIPNetnsExecSignals(t *testing.T) {
	r := isolated(t, `
$IP2 netns add sig
echo "== stdin"; echo piped | $LB netns exec sig cat
$LB netns exec sig sleep 31.5 & p=$!
for i in $(seq 1 100); do pgrep -f '^sleep 31.5' >/dev/null && break; sleep 0.05; done
kill -TERM $p; wait $p; rc=$?
echo "== term"; echo $rc
sleep 0.2; echo "== orphans"; pgrep -f '^sleep 31.5' || echo none
`)
	s := sections(r.stdout)
	if s["stdin"] != "piped\n" {
		t.Errorf("exec cat with piped input: want %q, got %q", "piped\n", s["stdin"])
	}
	if s["term"] != "143\n" || s["orphans"] != "none\n" {
		t.Errorf("SIGTERM to ip netns exec: want status 143 and no orphan, got %q and %q (stderr %q)", s["term"], s["orphans"], r.stderr)
	}
}

// Ten linkbox processes adding one name, and ten more adding ten names,
// on a run directory made by none of them yet (a fresh tmpfs on /run, none
// of the sandbox's mounts under it, and a copy of the binary outside it): one winner for the one name (the
// others are told it exists), every name made once, one nsfs mount per
// name, and the run directory mounted once.
func TestIPNetnsParallelAdds(t *testing.T) {
	r := freshRun(t, `
for i in $(seq 1 10); do ($L ip netns add race; echo "rc=$?" >> race.rc) 2>>race.err & done
for i in $(seq 1 10); do $L ip netns add par$i & done
wait
echo "== ok"; grep -c 'rc=0' race.rc
echo "== err"; sort -u race.err
echo "== names"; ls /run/netns | wc -l
echo "== mounts"; grep -c ' - nsfs ' /proc/self/mountinfo
echo "== rundir"; grep -c ' /run/netns ' /proc/self/mountinfo
`)
	s := sections(r.stdout)
	if s["ok"] != "1\n" || s["err"] != "Cannot create namespace file \"/run/netns/race\": File exists\n" {
		t.Errorf("10 adds of one name: want 1 success and iproute2's message for the rest, got %q successes, %q (exit %d, stderr %q)", s["ok"], s["err"], r.code, r.stderr)
	}
	if s["names"] != "11\n" || s["mounts"] != "11\n" || s["rundir"] != "1\n" {
		t.Errorf("want 11 names, 11 nsfs mounts and the run directory mounted once; got %q, %q, %q (stderr %q)", s["names"], s["mounts"], s["rundir"], r.stderr)
	}
}

// freshRun is isolated with a fresh tmpfs on /run (no run directory, none
// of the sandbox's mounts under it); $L is a copy of linkbox outside /run,
// and the script runs in a temporary directory.
func freshRun(t *testing.T, script string) result {
	t.Helper()
	kernel(t)
	tmp := t.TempDir()
	bin, err := os.ReadFile(filepath.Join(linkboxBin(t), "linkbox"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "linkbox"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	return isolated(t, `
L=`+tmp+`/linkbox; cd `+tmp+`
umount --recursive --lazy /run; mount -t tmpfs tmpfs /run; test ! -e /run/netns || exit 9
`+script)
}

// Without a run directory, what only reads prints what iproute2 prints
// (nothing at all for a JSON list), and monitor makes the directory.
func TestIPNetnsNoRunDir(t *testing.T) {
	cmds := []string{"netns", "-j netns", "netns list-id", "-j netns list-id", "netns identify", "-all netns delete", "-all netns exec true", "netns pids x", "netns del x"}
	script := ""
	for _, c := range cmds {
		script += "echo '== ip " + c + "'; $IP2 " + c + " 2>&1; echo rc=$?\n"
		script += "echo '== lb " + c + "'; $L ip " + c + " 2>&1; echo rc=$?\n"
	}
	script += "test ! -e /run/netns && echo '== absent'\n"
	script += "timeout -s TERM 0.5 $L ip netns monitor; echo '== monitor'; ls -ld /run/netns | cut -c1-10\n"
	r := freshRun(t, script)
	s := sections(r.stdout)
	for _, c := range cmds {
		if s["ip "+c] != s["lb "+c] {
			t.Errorf("ip %s without a run directory: want (iproute2) %q, got %q", c, s["ip "+c], s["lb "+c])
		}
	}
	if _, ok := s["absent"]; !ok {
		t.Errorf("the commands that only read made the run directory")
	}
	if s["monitor"] != "drwxr-xr-x\n" {
		t.Errorf("monitor: want it to make the run directory (0755), got %q (stderr %q)", s["monitor"], r.stderr)
	}
}

// Under a dry run, ip netns exec runs nothing: an ip command that only
// talks netlink shows its requests, held back; any other program is shown.
func TestIPNetnsExecDryRun(t *testing.T) {
	kernel(t)
	mustSys(t, "ip", "netns", "add", "dryx")
	t.Cleanup(func() { sys(t, "ip", "netns", "del", "dryx") })
	r := lb(t, "linkbox", "--dry-run", "ip", "netns", "exec", "dryx", "ip", "link", "add", "dv0", "type", "veth", "peer", "name", "dv1")
	if r.code != 0 || !strings.Contains(r.stdout, "would send:") || !strings.Contains(r.stdout, "RTM_NEWLINK") {
		t.Fatalf("want the held-back RTM_NEWLINK, got exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	marker := filepath.Join(t.TempDir(), "ran")
	r = lb(t, "linkbox", "--dry-run", "ip", "netns", "exec", "dryx", "sh", "-c", "touch "+marker)
	if want := "would: ip netns exec dryx sh -c 'touch " + marker + "'\n"; r.code != 0 || r.stdout != want {
		t.Fatalf("want %q, got exit %d %q %q", want, r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the program ran under a dry run")
	}
	if out := mustSys(t, "ip", "-n", "dryx", "-o", "link"); strings.Contains(out, "dv0") {
		t.Fatalf("the dry run created a link:\n%s", out)
	}
}
