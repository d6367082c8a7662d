package nsfs

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/linkbox/linkbox/nsfs/nstest"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) { nstest.Main(m) }

// homeNS is the network namespace the test process started in, read in
// init, before any test could have switched a thread. Inside the sandbox
// it is the sandbox's namespace.
var homeNS = func() string {
	s, _ := os.Readlink("/proc/self/ns/net")
	return s
}()

// testDir returns a Dir in a fresh directory under /run (the sandbox's
// private tmpfs), with its own etc directory; when t ends every name in it
// is deleted, the run directory's self-bind is undone, and it is removed.
func testDir(t testing.TB) *Dir {
	t.Helper()
	nstest.Require(t)
	base, err := os.MkdirTemp("/run", "nsfs-test-")
	if err != nil {
		t.Fatal(err)
	}
	d := &Dir{Path: filepath.Join(base, "netns"), Etc: filepath.Join(base, "etc")}
	t.Cleanup(func() {
		entries, err := d.List()
		if err != nil {
			t.Errorf("cleanup: List: %v", err)
		}
		for _, e := range entries {
			if err := d.Delete(e.Name); err != nil {
				t.Errorf("cleanup: Delete(%q): %v", e.Name, err)
			}
		}
		for unix.Unmount(d.Path, unix.MNT_DETACH) == nil {
		}
		if err := os.RemoveAll(base); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return d
}

// mountEntry is one line of /proc/self/mountinfo.
type mountEntry struct {
	ID, Parent int
	Root       string
	Point      string
	Optional   []string // shared:N, master:N, ...
	FSType     string
	Source     string
}

// shared returns the peer group of a shared mount, or 0.
func (m mountEntry) shared() int {
	for _, o := range m.Optional {
		if v, ok := strings.CutPrefix(o, "shared:"); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
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

func readMounts(t testing.TB) []mountEntry {
	t.Helper()
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ms []mountEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		sep := -1
		for i, f := range fields {
			if f == "-" {
				sep = i
				break
			}
		}
		if sep < 6 || len(fields) < sep+3 {
			t.Fatalf("mountinfo line %q: cannot parse", sc.Text())
		}
		var m mountEntry
		m.ID, _ = strconv.Atoi(fields[0])
		m.Parent, _ = strconv.Atoi(fields[1])
		m.Root = unescapeMount(fields[3])
		m.Point = unescapeMount(fields[4])
		m.Optional = fields[6:sep]
		m.FSType = fields[sep+1]
		m.Source = unescapeMount(fields[sep+2])
		ms = append(ms, m)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ms
}

// mountsAt returns the mounts whose mount point is path.
func mountsAt(t testing.TB, path string) []mountEntry {
	t.Helper()
	var out []mountEntry
	for _, m := range readMounts(t) {
		if m.Point == path {
			out = append(out, m)
		}
	}
	return out
}

// mountsUnder returns the mounts strictly below dir.
func mountsUnder(t testing.TB, dir string) []mountEntry {
	t.Helper()
	var out []mountEntry
	for _, m := range readMounts(t) {
		if strings.HasPrefix(m.Point, dir+"/") {
			out = append(out, m)
		}
	}
	return out
}

// checkNamed checks that name in d is exactly one nsfs mount, and that
// the run directory is a shared mount.
func checkNamed(t testing.TB, d *Dir, name string) {
	t.Helper()
	ms := mountsAt(t, filepath.Join(d.dir(), name))
	if len(ms) != 1 || ms[0].FSType != "nsfs" {
		t.Errorf("mounts on %q: want 1 nsfs mount, got %+v", name, ms)
	}
	dm := mountsAt(t, d.dir())
	if len(dm) != 1 || dm[0].shared() == 0 {
		t.Errorf("mounts on run dir %s: want 1 shared mount, got %+v", d.dir(), dm)
		return
	}
	// In a peer group of its own (iproute2 82c8b9fe), not in its parent's.
	for _, m := range readMounts(t) {
		if m.shared() == dm[0].shared() && m.ID != dm[0].ID {
			t.Errorf("run dir %s shares peer group %d with %s", d.dir(), m.shared(), m.Point)
		}
	}
}

// helperEnv marks a re-executed test binary as a helper process; its value
// says what to do.
const helperEnv = "NSFS_TEST_HELPER"

// helperCmd returns a command that re-runs this test binary as a helper
// process, in the same sandbox, doing action with args (see init).
func helperCmd(t testing.TB, action string, args ...string) *exec.Cmd {
	t.Helper()
	return wrappedHelperCmd(t, nil, action, args...)
}

// wrappedHelperCmd is helperCmd run through a wrapper command line, such
// as setpriv with its options.
func wrappedHelperCmd(t testing.TB, wrapper []string, action string, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	argv := append(append([]string{}, wrapper...), exe, "-test.run=^$")
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), helperEnv+"="+action+"\x1f"+strings.Join(args, "\x1f"))
	return cmd
}

// Exit codes of helper processes.
const (
	helperOK         = 0
	helperExist      = 10
	helperPermission = 11
	helperOther      = 12
)

// init turns the process into a helper when helperCmd started it: it runs
// the action and exits before any test (or nstest) runs.
func init() {
	v, ok := os.LookupEnv(helperEnv)
	if !ok {
		return
	}
	parts := strings.Split(v, "\x1f")
	os.Exit(runHelper(parts[0], parts[1:]))
}

func runHelper(action string, args []string) int {
	switch action {
	case "add": // add DIR NAME: wait for stdin to close, then Add.
		bufio.NewReader(os.Stdin).ReadString('\n')
		return exitFor((&Dir{Path: args[0]}).Add(args[1]))
	case "delete": // delete DIR NAME
		return exitFor((&Dir{Path: args[0]}).Delete(args[1]))
	case "add-kill": // add-kill DIR NAME STEP: Add, dying by SIGKILL at STEP.
		d := &Dir{Path: args[0], hook: func(step string) error {
			if step == args[2] {
				unix.Kill(os.Getpid(), unix.SIGKILL)
				select {}
			}
			return nil
		}}
		return exitFor(d.Add(args[1]))
	}
	fmt.Fprintf(os.Stderr, "unknown helper action %q\n", action)
	return helperOther
}

func exitFor(err error) int {
	switch {
	case err == nil:
		return helperOK
	case isExist(err):
		fmt.Fprintln(os.Stderr, err)
		return helperExist
	case isPermission(err):
		fmt.Fprintln(os.Stderr, err)
		return helperPermission
	}
	fmt.Fprintln(os.Stderr, err)
	return helperOther
}

func isExist(err error) bool { return errors.Is(err, ErrExist) && errors.Is(err, os.ErrExist) }

func isPermission(err error) bool {
	return errors.Is(err, ErrPermission) && errors.Is(err, os.ErrPermission)
}
