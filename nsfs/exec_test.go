package nsfs

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/linkbox/linkbox/rtnl"
)

// addBridge creates a bridge in the named namespace, through a socket
// opened there, so that the namespace's sysfs differs from the test's.
func addBridge(t *testing.T, d *Dir, name, link string) {
	t.Helper()
	c, err := d.Dial(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	m := &rtnl.LinkMessage{Attrs: rtnl.LinkAttrs{Name: link, Info: &rtnl.LinkInfo{Kind: "bridge"}}}
	if _, err := c.AddLink(m, false); err != nil {
		t.Skipf("skipped: cannot create a bridge (no bridge driver?): %v", err)
	}
}

func runOut(t *testing.T, d *Dir, name string, args ...string) string {
	t.Helper()
	var out, errb strings.Builder
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := d.Run(name, cmd); err != nil {
		t.Fatalf("Run %v: %v\n%s", args, err, errb.String())
	}
	return out.String()
}

// The command runs in the namespace, with a sysfs of its own and a mount
// namespace of its own; the test's are untouched.
func TestStartNamespaceAndSysfs(t *testing.T) {
	d := testDir(t)
	if err := d.Add("blue"); err != nil {
		t.Fatal(err)
	}
	addBridge(t, d, "blue", "nsfsbr0")
	ns, err := d.Open("blue")
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	ourMnt, err := os.Readlink("/proc/self/ns/mnt")
	if err != nil {
		t.Fatal(err)
	}
	sysBefore := mountsAt(t, "/sys")

	out := runOut(t, d, "blue", "sh", "-c", "readlink /proc/self/ns/net /proc/self/ns/mnt; ls /sys/class/net")
	lines := strings.Fields(out)
	if len(lines) < 3 {
		t.Fatalf("output: %q", out)
	}
	if want, got := ns.ID().String(), lines[0]; want != got {
		t.Errorf("command's network namespace: want %s, got %s", want, got)
	}
	if lines[1] == ourMnt {
		t.Errorf("command shares the test's mount namespace %s", ourMnt)
	}
	if want, got := "lo nsfsbr0", strings.Join(lines[2:], " "); want != got {
		t.Errorf("command's /sys/class/net: want %q, got %q", want, got)
	}
	// The mountinfo the command sees: /sys is a sysfs named after the
	// namespace, and / is a slave (nothing propagates back).
	mi := runOut(t, d, "blue", "cat", "/proc/self/mountinfo")
	if !strings.Contains(mi, " /sys rw") || !strings.Contains(mi, " - sysfs blue ") {
		t.Errorf("command's mountinfo: want a sysfs named blue on /sys, got\n%s", mi)
	}
	if _, err := os.Stat("/sys/class/net/nsfsbr0"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the test's /sys shows the namespace's link: %v", err)
	}
	if sysAfter := mountsAt(t, "/sys"); len(sysAfter) != len(sysBefore) || sysAfter[0].ID != sysBefore[0].ID {
		t.Errorf("the test's /sys mounts changed: before %+v, after %+v", sysBefore, sysAfter)
	}
}

// Files in Etc/NAME are bound over /etc in the command's mount namespace
// only; one that cannot be bound is reported and the command runs anyway.
func TestStartEtcBinds(t *testing.T) {
	d := testDir(t)
	var mu sync.Mutex
	var warnings []error
	d.Warn = func(err error) { mu.Lock(); warnings = append(warnings, err); mu.Unlock() }
	if err := d.Add("blue"); err != nil {
		t.Fatal(err)
	}
	etc := filepath.Join(d.Etc, "blue")
	if err := os.MkdirAll(etc, 0o755); err != nil {
		t.Fatal(err)
	}
	const hosts = "198.18.0.1 nsfs-test-host\n"
	if err := os.WriteFile(filepath.Join(etc, "hosts"), []byte(hosts), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(etc, "nsfs-no-such-file-in-etc"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile("/etc/hosts")
	if err != nil {
		t.Fatal(err)
	}
	if got := runOut(t, d, "blue", "cat", "/etc/hosts"); got != hosts {
		t.Errorf("command's /etc/hosts: want %q, got %q", hosts, got)
	}
	after, err := os.ReadFile("/etc/hosts")
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Errorf("the test's /etc/hosts changed")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(warnings) != 1 || !strings.Contains(warnings[0].Error(), "nsfs-no-such-file-in-etc") || !errors.Is(warnings[0], syscall.ENOENT) {
		t.Errorf("warnings: want one ENOENT for the file with no target in /etc, got %v", warnings)
	}
}

// argv, environment, stdio and the exit status go through.
func TestStartCommandIO(t *testing.T) {
	d := testDir(t)
	if err := d.Add("blue"); err != nil {
		t.Fatal(err)
	}
	var out, errb strings.Builder
	cmd := exec.Command("sh", "-c", `read line; echo "$line $NSFS_VAR $1"; echo oops >&2; exit 7`, "sh", "arg1")
	cmd.Env = []string{"NSFS_VAR=env", "PATH=" + os.Getenv("PATH")}
	cmd.Stdin = strings.NewReader("stdin\n")
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := d.Run("blue", cmd)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 7 {
		t.Errorf("Run: want exit status 7, got %v", err)
	}
	if want, got := "stdin env arg1\n", out.String(); want != got {
		t.Errorf("stdout: want %q, got %q", want, got)
	}
	if want, got := "oops\n", errb.String(); want != got {
		t.Errorf("stderr: want %q, got %q", want, got)
	}
	if err := d.Run("blue", exec.Command("true")); err != nil {
		t.Errorf("Run true: %v", err)
	}
	if err := d.Run("nosuch", exec.Command("true")); !errors.Is(err, ErrNotExist) {
		t.Errorf("Run in a missing name: want ErrNotExist, got %v", err)
	}
}

// A parent-death signal fires when the thread that forked the child ends;
// Start keeps that thread until the command exits, so the command is not
// killed early.
func TestStartPdeathsig(t *testing.T) {
	d := testDir(t)
	if err := d.Add("blue"); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", "sleep 0.3; exit 3")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err := d.Run("blue", cmd)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Errorf("want the command's own exit status 3, got %v", err)
	}
}
