package nsfs

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Without enough privilege, Add and Delete fail with a permission error
// and change nothing: no file, no mount, and (when the preflight refuses)
// not even the run dir.
func TestPrivilege(t *testing.T) {
	for _, tt := range []struct {
		name    string
		wrapper []string
		// want is the error's cause: the preflight's, or the kernel's.
		want string
	}{
		{"no CAP_SYS_ADMIN", []string{"setpriv", "--inh-caps=-sys_admin", "--bounding-set=-sys_admin", "--"}, "no CAP_SYS_ADMIN in the effective capability set"},
		{"no capabilities", []string{"setpriv", "--inh-caps=-all", "--bounding-set=-all", "--"}, "no CAP_SYS_ADMIN in the effective capability set"},
		// Every capability, but in a user namespace that owns neither
		// the mounts nor the namespace: the kernel refuses the mount.
		{"capabilities in a child user namespace", []string{"unshare", "--user", "--map-root-user", "--"}, "operation not permitted"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := testDir(t)
			if _, err := exec.LookPath(tt.wrapper[0]); err != nil {
				t.Skipf("skipped: %s is not installed", tt.wrapper[0])
			}
			run := func(action, name string) (int, string) {
				cmd := wrappedHelperCmd(t, tt.wrapper, action, d.Path, name)
				var stderr strings.Builder
				cmd.Stderr = &stderr
				cmd.Run()
				return cmd.ProcessState.ExitCode(), stderr.String()
			}

			// A run dir that does not exist yet.
			code, msg := run("add", "blue")
			if code != helperPermission {
				t.Fatalf("Add in a missing dir: want exit %d (permission error), got %d: %s", helperPermission, code, msg)
			}
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error: want it to say %q, got %s", tt.want, msg)
			}
			if _, err := os.Stat(d.Path); !os.IsNotExist(err) {
				t.Errorf("run dir left behind: %v", err)
			}
			if _, err := os.Stat(filepath.Join(d.Path, "blue")); !os.IsNotExist(err) {
				t.Errorf("name file left behind: %v", err)
			}
			if ms := mountsAt(t, d.Path); len(ms) != 0 {
				t.Errorf("run dir mounted: %+v", ms)
			}

			// A run dir that exists, shared, with a name in it.
			if err := d.Add("keep"); err != nil {
				t.Fatal(err)
			}
			before := readMounts(t)
			if code, msg := run("add", "blue"); code != helperPermission {
				t.Errorf("Add in an existing dir: want exit %d, got %d: %s", helperPermission, code, msg)
			}
			if code, msg := run("delete", "keep"); code != helperPermission {
				t.Errorf("Delete of a mounted name: want exit %d, got %d: %s", helperPermission, code, msg)
			}
			after := readMounts(t)
			if !slices.EqualFunc(before, after, func(a, b mountEntry) bool { return a.ID == b.ID }) {
				t.Errorf("mounts changed:\nbefore %+v\nafter  %+v", before, after)
			}
			if ents, err := d.List(); err != nil || len(ents) != 1 || ents[0].Name != "keep" || ents[0].Stale {
				t.Errorf("List: want only keep, complete; got %+v, %v", ents, err)
			}
			checkNamed(t, d, "keep")
		})
	}
}

// An Add waiting for the lock on a run dir that the lock's holder then
// removes (a refused Add undoing the dir it made) starts again with a new
// dir rather than failing on the removed one.
func TestLockRunDirRemovedWhileWaiting(t *testing.T) {
	d := testDir(t)
	holder, made, err := lockRunDir(d.Path)
	if err != nil || !made {
		t.Fatalf("first lock: want made, got %v, %v", made, err)
	}
	type result struct {
		lock int
		made bool
		err  error
	}
	res := make(chan result)
	go func() {
		l, m, err := lockRunDir(d.Path)
		res <- result{l, m, err}
	}()
	time.Sleep(100 * time.Millisecond) // let it block in flock; either order passes
	unmakeDir(d.Path)
	unix.Close(holder)
	r := <-res
	if r.err != nil || !r.made {
		t.Fatalf("second lock: want a new dir, got made=%v, %v", r.made, r.err)
	}
	defer unix.Close(r.lock)
	var st unix.Stat_t
	if err := unix.Fstat(r.lock, &st); err != nil || st.Nlink == 0 {
		t.Errorf("second lock is on a removed dir: nlink %d, %v", st.Nlink, err)
	}
}
