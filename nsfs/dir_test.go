package nsfs

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestAddListDelete(t *testing.T) {
	d := testDir(t)
	if err := d.Add("blue"); err != nil {
		t.Fatalf("Add: %v", err)
	}
	checkNamed(t, d, "blue")

	fi, err := os.Stat(d.Path)
	if err != nil {
		t.Fatal(err)
	}
	if want, got := os.ModeDir|0o755, fi.Mode(); want != got {
		t.Errorf("run dir mode: want %v, got %v", want, got)
	}

	ns, err := d.Open("blue")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer ns.Close()
	cur, err := Current()
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close()
	if ns.Equal(cur) {
		t.Errorf("the new namespace %v is the test's own %v", ns, cur)
	}

	entries, err := d.List()
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if want := []Entry{{Name: "blue", ID: ns.ID()}}; !slices.Equal(want, entries) {
		t.Errorf("List: want %+v, got %+v", want, entries)
	}

	err = d.Add("blue")
	if !isExist(err) || !errors.Is(err, unix.EEXIST) {
		t.Errorf("second Add: want an error matching ErrExist, os.ErrExist and EEXIST, got %v", err)
	}
	if want := fmt.Sprintf(`nsfs: add "blue": namespace name already exists: create %s/blue: file exists`, d.Path); err == nil || err.Error() != want {
		t.Errorf("second Add: want message %q, got %v", want, err)
	}
	created, err := d.AddIfNotExists("blue")
	if created || err != nil {
		t.Errorf("AddIfNotExists on an existing name: want (false, nil), got (%v, %v)", created, err)
	}
	if n := len(mountsAt(t, filepath.Join(d.Path, "blue"))); n != 1 {
		t.Errorf("mounts on blue after the second adds: want 1, got %d", n)
	}

	if err := d.Delete("blue"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if ms := mountsUnder(t, d.Path); len(ms) != 0 {
		t.Errorf("mounts left under %s: %+v", d.Path, ms)
	}
	if entries, err := d.List(); err != nil || len(entries) != 0 {
		t.Errorf("List after Delete: want nothing, got %+v, %v", entries, err)
	}
	if err := d.Delete("blue"); !errors.Is(err, ErrNotExist) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("second Delete: want ErrNotExist, got %v", err)
	}
	if _, err := d.Open("blue"); !errors.Is(err, ErrNotExist) {
		t.Errorf("Open after Delete: want ErrNotExist, got %v", err)
	}
	// The handle still holds the namespace.
	if _, err := Dial(ns, nil); err != nil {
		t.Errorf("Dial on a handle of a deleted name: %v", err)
	}

	created, err = d.AddIfNotExists("blue")
	if !created || err != nil {
		t.Errorf("AddIfNotExists on a free name: want (true, nil), got (%v, %v)", created, err)
	}
	checkNamed(t, d, "blue")
}

func TestAddManyOneRunDirMount(t *testing.T) {
	d := testDir(t)
	for i := range 5 {
		if err := d.Add(fmt.Sprint("n", i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		checkNamed(t, d, fmt.Sprint("n", i))
	}
	if ms := mountsUnder(t, d.Path); len(ms) != 5 {
		t.Errorf("mounts under the run dir: want 5, got %+v", ms)
	}
}

func TestAddInvalidName(t *testing.T) {
	d := testDir(t)
	for _, name := range []string{"", ".", "..", "a/b", "../x", "nl\nx", "x\x00", strings.Repeat("x", 256)} {
		err := d.Add(name)
		if !errors.Is(err, ErrInvalidName) {
			t.Errorf("Add(%q): want ErrInvalidName, got %v", name, err)
		}
		var e *Error
		if !errors.As(err, &e) || e.Op != "add" {
			t.Errorf("Add(%q): want an *Error with Op add, got %#v", name, err)
		}
	}
	if _, err := os.Stat(d.Path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("refused names made the run dir: %v", err)
	}
}

// A plain file in the run dir, as a crash leaves it, is reported stale,
// removed by Delete, and the name can then be added.
func TestStaleFile(t *testing.T) {
	d := testDir(t)
	if err := d.Add("other"); err != nil { // makes the dir, shared
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d.Path, "stale"), nil, 0); err != nil {
		t.Fatal(err)
	}
	entries, err := d.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[1].Name != "stale" || !entries[1].Stale || entries[0].Stale {
		t.Errorf("List: want other, then stale marked stale, got %+v", entries)
	}
	if _, err := d.Open("stale"); !errors.Is(err, ErrStale) {
		t.Errorf("Open: want ErrStale, got %v", err)
	}
	if err := d.Add("stale"); !isExist(err) {
		t.Errorf("Add: want ErrExist (as ip netns add), got %v", err)
	}
	if _, err := d.AddIfNotExists("stale"); !errors.Is(err, ErrStale) {
		t.Errorf("AddIfNotExists: want ErrStale, got %v", err)
	}
	if err := d.Start("stale", exec.Command("true")); !errors.Is(err, ErrStale) {
		t.Errorf("Start: want ErrStale, got %v", err)
	}
	if err := d.Delete("stale"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := d.Add("stale"); err != nil {
		t.Fatalf("Add after Delete: %v", err)
	}
	checkNamed(t, d, "stale")
}

// Add removes the file on every failure after creating it.
func TestAddFailureCleansUp(t *testing.T) {
	for _, step := range []string{"locked", "created", "unshared", "bound"} {
		t.Run(step, func(t *testing.T) {
			d := testDir(t)
			boom := errors.New("injected failure")
			d.hook = func(s string) error {
				if s == step {
					return boom
				}
				return nil
			}
			if err := d.Add("blue"); !errors.Is(err, boom) {
				t.Fatalf("Add: want the injected error, got %v", err)
			}
			d.hook = nil
			if ents, err := d.List(); err != nil || len(ents) != 0 {
				t.Errorf("List after a failed Add: want nothing, got %+v, %v", ents, err)
			}
			if ms := mountsUnder(t, d.Path); len(ms) != 0 {
				t.Errorf("mounts left: %+v", ms)
			}
			if err := d.Add("blue"); err != nil {
				t.Errorf("Add after a failed Add: %v", err)
			}
		})
	}
}

// A process killed in the middle of Add leaves at worst a stale file,
// which List reports and Delete removes; its lock goes with it.
func TestCrashRecovery(t *testing.T) {
	for _, tt := range []struct {
		step      string
		wantEntry bool // whether the name is left behind
		wantStale bool
	}{
		{"locked", false, false},
		{"created", true, true},
		{"unshared", true, true},
		{"bound", true, false},
	} {
		t.Run(tt.step, func(t *testing.T) {
			d := testDir(t)
			cmd := helperCmd(t, "add-kill", d.Path, "blue", tt.step)
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("helper: want death by SIGKILL, got %v", err)
			}
			entries, err := d.List() // would hang if the lock outlived its holder
			if err != nil {
				t.Fatal(err)
			}
			if !tt.wantEntry {
				if len(entries) != 0 {
					t.Fatalf("List: want nothing, got %+v", entries)
				}
			} else if len(entries) != 1 || entries[0].Stale != tt.wantStale {
				t.Fatalf("List: want blue with Stale=%v, got %+v", tt.wantStale, entries)
			}
			if tt.wantEntry {
				if err := d.Delete("blue"); err != nil {
					t.Fatalf("Delete: %v", err)
				}
			}
			if ms := mountsUnder(t, d.Path); len(ms) != 0 {
				t.Errorf("mounts left after recovery: %+v", ms)
			}
			if err := d.Add("blue"); err != nil {
				t.Fatalf("Add after recovery: %v", err)
			}
			checkNamed(t, d, "blue")
		})
	}
}

// 32 goroutines add and delete distinct names while others list; no List
// sees a half-made name, and nothing is left at the end.
func TestRaceDistinctNames(t *testing.T) {
	d := testDir(t)
	const workers, rounds = 32, 4
	var wg sync.WaitGroup
	errc := make(chan error, workers*rounds*2+64)
	stop := make(chan struct{})
	var listers sync.WaitGroup
	for range 2 {
		listers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				entries, err := d.List()
				if err != nil {
					errc <- err
					return
				}
				for _, e := range entries {
					if e.Stale {
						errc <- fmt.Errorf("List saw %q stale while it was being added", e.Name)
						return
					}
				}
			}
		})
	}
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				name := fmt.Sprintf("w%d-r%d", w, r)
				if err := d.Add(name); err != nil {
					errc <- err
					continue
				}
				if err := d.Delete(name); err != nil {
					errc <- err
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	listers.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if ents, err := d.List(); err != nil || len(ents) != 0 {
		t.Errorf("List at the end: want nothing, got %+v, %v", ents, err)
	}
	if ms := mountsUnder(t, d.Path); len(ms) != 0 {
		t.Errorf("mounts left: %+v", ms)
	}
	if n := len(mountsAt(t, d.Path)); n != 1 {
		t.Errorf("mounts on the run dir: want 1, got %d", n)
	}
}

// 10 processes add the same name at once into a run dir that does not
// exist yet: one wins, the others get ErrExist, and there is one mount of
// the name and one of the run dir.
func TestRaceSameNameProcesses(t *testing.T) {
	d := testDir(t)
	const n = 10
	var cmds []*exec.Cmd
	var gates []*os.File
	for range n {
		cmd := helperCmd(t, "add", d.Path, "blue")
		w, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
		gates = append(gates, w.(*os.File))
	}
	time.Sleep(200 * time.Millisecond) // let them all reach the gate; not a timing assertion
	for _, g := range gates {
		g.Close()
	}
	counts := map[int]int{}
	for _, cmd := range cmds {
		cmd.Wait()
		code := cmd.ProcessState.ExitCode()
		counts[code]++
		if code != helperOK && code != helperExist {
			t.Errorf("helper exit %d: %s", code, cmd.Stderr)
		}
	}
	if counts[helperOK] != 1 || counts[helperExist] != n-1 {
		t.Errorf("want 1 success and %d ErrExist, got %d and %d", n-1, counts[helperOK], counts[helperExist])
	}
	checkNamed(t, d, "blue")
	if ms := mountsUnder(t, d.Path); len(ms) != 1 {
		t.Errorf("mounts under the run dir: want 1, got %+v", ms)
	}
}

// Deleting a name while a process runs inside removes only the name: the
// process and its namespace go on.
func TestDeleteWhileInUse(t *testing.T) {
	d := testDir(t)
	if err := d.Add("busy"); err != nil {
		t.Fatal(err)
	}
	ns, err := d.Open("busy")
	if err != nil {
		t.Fatal(err)
	}
	id := ns.ID()
	ns.Close()
	sleep := exec.Command("sleep", "60")
	if err := d.Start("busy", sleep); err != nil {
		t.Fatal(err)
	}
	defer sleep.Wait()
	defer sleep.Process.Kill()

	if err := d.Delete("busy"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := d.Open("busy"); !errors.Is(err, ErrNotExist) {
		t.Errorf("Open after Delete: want ErrNotExist, got %v", err)
	}
	if ms := mountsUnder(t, d.Path); len(ms) != 0 {
		t.Errorf("mounts left: %+v", ms)
	}
	// The run dir is shared and the command's mount namespace a slave of
	// ours: the unmount reached its copy of the name too.
	mi, err := os.ReadFile(fmt.Sprintf("/proc/%d/mountinfo", sleep.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(mi), " "+filepath.Join(d.Path, "busy")+" ") {
		t.Errorf("the command's mount namespace still has the name mounted:\n%s", mi)
	}
	if err := sleep.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("the process inside died: %v", err)
	}
	pns, err := OpenPID(sleep.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	defer pns.Close()
	if pns.ID() != id {
		t.Errorf("process's namespace: want %v, got %v", id, pns.ID())
	}
	// The namespace is alive and usable through the process.
	c, err := Dial(pns, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.LinkByName("lo"); err != nil {
		t.Errorf("lo in the namespace of the process: %v", err)
	}
}

func TestIdentifyPids(t *testing.T) {
	d := testDir(t)
	if err := d.Add("blue"); err != nil {
		t.Fatal(err)
	}
	sleep := exec.Command("sleep", "60")
	if err := d.Start("blue", sleep); err != nil {
		t.Fatal(err)
	}
	defer sleep.Wait()
	defer sleep.Process.Kill()
	pid := sleep.Process.Pid

	pids, err := d.Pids("blue")
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{pid}; !slices.Equal(want, pids) {
		t.Errorf("Pids(blue): want %v, got %v", want, pids)
	}
	names, err := d.Identify(pid)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"blue"}; !slices.Equal(want, names) {
		t.Errorf("Identify(%d): want %v, got %v", pid, want, names)
	}
	names, err = d.Identify(os.Getpid())
	if err != nil || len(names) != 0 {
		t.Errorf("Identify(self) with no name for our namespace: want none, got %v, %v", names, err)
	}

	// Name our own namespace, as `ip netns attach self $$`.
	if err := d.AttachPID("self", os.Getpid()); err != nil {
		t.Fatalf("AttachPID: %v", err)
	}
	checkNamed(t, d, "self")
	names, err = d.Identify(os.Getpid())
	if want := []string{"self"}; err != nil || !slices.Equal(want, names) {
		t.Errorf("Identify(self): want %v, got %v, %v", want, names, err)
	}
	pids, err = d.Pids("self")
	if err != nil || !slices.Contains(pids, os.Getpid()) || slices.Contains(pids, pid) {
		t.Errorf("Pids(self): want ours (%d) and not %d, got %v, %v", os.Getpid(), pid, pids, err)
	}
	if err := d.AttachPID("self", os.Getpid()); !isExist(err) {
		t.Errorf("AttachPID on a taken name: want ErrExist, got %v", err)
	}
	if _, err := d.Identify(1 << 30); !errors.Is(err, ErrNotExist) {
		t.Errorf("Identify(no such pid): want ErrNotExist, got %v", err)
	}
}

func TestAttachHandle(t *testing.T) {
	d := testDir(t)
	if err := d.Add("a"); err != nil {
		t.Fatal(err)
	}
	a, err := d.Open("a")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := d.Attach("b", a); err != nil {
		t.Fatal(err)
	}
	checkNamed(t, d, "b")
	b, err := d.Open("b")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if !a.Equal(b) {
		t.Errorf("attached name: want %v, got %v", a, b)
	}
	names, err := d.NamesOf(a)
	if want := []string{"a", "b"}; err != nil || !slices.Equal(want, names) {
		t.Errorf("NamesOf: want %v, got %v, %v", want, names, err)
	}
}

// Names another tool made that ValidName refuses are listed as they are,
// and can be opened and deleted.
func TestOddNames(t *testing.T) {
	d := testDir(t)
	if err := d.Add("x"); err != nil {
		t.Fatal(err)
	}
	x, err := d.Open("x")
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	odd := "nl\nx"
	// Make the name as iproute2 would: an empty file, then a bind.
	p := filepath.Join(d.Path, odd)
	if err := os.WriteFile(p, nil, 0); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount(fdPath(x.Fd()), p, "none", unix.MS_BIND, ""); err != nil {
		t.Fatal(err)
	}
	entries, err := d.List()
	if err != nil {
		t.Fatal(err)
	}
	if want := []Entry{{Name: odd, ID: x.ID()}, {Name: "x", ID: x.ID()}}; !slices.Equal(want, entries) {
		t.Errorf("List: want %+v, got %+v", want, entries)
	}
	o, err := d.Open(odd)
	if err != nil {
		t.Fatalf("Open(%q): %v", odd, err)
	}
	o.Close()
	if err := d.Add(odd); !errors.Is(err, ErrInvalidName) {
		t.Errorf("Add(%q): want ErrInvalidName, got %v", odd, err)
	}
	if err := d.Delete(odd); err != nil {
		t.Fatalf("Delete(%q): %v", odd, err)
	}
	if ms := mountsAt(t, p); len(ms) != 0 {
		t.Errorf("mounts left on %q: %+v", odd, ms)
	}
}

func TestDefaultRunDir(t *testing.T) {
	run, err1 := os.Stat("/run")
	varRun, err2 := os.Stat("/var/run")
	if err1 != nil || err2 != nil || !os.SameFile(run, varRun) {
		t.Skip("skipped: /var/run is not /run here; the other case needs a different root")
	}
	if want, got := "/run/netns", DefaultRunDir(); want != got {
		t.Errorf("want %s, got %s", want, got)
	}
	var d Dir
	if want, got := "/run/netns", d.dir(); want != got {
		t.Errorf("zero Dir: want %s, got %s", want, got)
	}
}

// Delete takes off every mount stacked on a name, and copes with one
// mounted again between its unmount and its unlink (unlink says EBUSY).
func TestDeleteStackedMounts(t *testing.T) {
	d := testDir(t)
	if err := d.Add("blue"); err != nil {
		t.Fatal(err)
	}
	ns, err := d.Open("blue")
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	p := filepath.Join(d.Path, "blue")
	for range 2 { // three mounts in all
		if err := unix.Mount(fdPath(ns.Fd()), p, "none", unix.MS_BIND, ""); err != nil {
			t.Fatal(err)
		}
	}
	if ms := mountsAt(t, p); len(ms) < 3 {
		t.Fatalf("mounts on blue: want at least 3, got %+v", ms)
	} else {
		t.Logf("mounts on blue: %+v", ms)
	}
	remounts := 0
	d.hook = func(step string) error {
		if step == "unmounted" && remounts < 2 {
			remounts++
			return unix.Mount(fdPath(ns.Fd()), p, "none", unix.MS_BIND, "")
		}
		return nil
	}
	if err := d.Delete("blue"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if remounts != 1 {
		t.Errorf("hook: want one remount (Delete unmounts once, then unlinks), got %d", remounts)
	}
	if ms := mountsUnder(t, d.Path); len(ms) != 0 {
		t.Errorf("mounts left: %+v", ms)
	}
	if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("file left: %v", err)
	}
}

// List and Delete that open the run dir before the first Add binds it onto
// itself, and wait for that Add's lock, still see its name mounted.
func TestLookupsAfterSelfBind(t *testing.T) {
	d := testDir(t)
	type result struct {
		entries []Entry
		err     error
	}
	listed := make(chan result, 1)
	deleted := make(chan error, 1)
	var once sync.Once
	d.hook = func(step string) error {
		if step != "locked" {
			return nil
		}
		once.Do(func() {
			// The dir exists, is not yet a mount, and is locked by Add.
			go func() { e, err := d.List(); listed <- result{e, err} }()
			go func() { deleted <- d.Delete("blue") }()
			time.Sleep(100 * time.Millisecond) // let both open the dir and wait; either order passes
		})
		return nil
	}
	if err := d.Add("blue"); err != nil {
		t.Fatal(err)
	}
	if err := <-deleted; err != nil {
		t.Errorf("Delete waiting on the first Add: %v", err)
	}
	r := <-listed
	if r.err != nil {
		t.Fatal(r.err)
	}
	for _, e := range r.entries {
		if e.Stale {
			t.Errorf("List waiting on the first Add saw %q stale", e.Name)
		}
	}
	if ms := mountsUnder(t, d.Path); len(ms) != 0 {
		t.Errorf("mounts left: %+v", ms)
	}
}

// Under a shared parent (systemd makes / and /run shared), the run dir's
// self-bind is made private before shared, so that it gets a peer group of
// its own rather than joining its parent's, and each name is mounted once.
func TestRunDirUnderSharedParent(t *testing.T) {
	d := testDir(t)
	base := filepath.Dir(d.Path)
	if err := unix.Mount(base, base, "none", unix.MS_BIND, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Unmount(base, unix.MNT_DETACH) })
	if err := unix.Mount("", base, "none", unix.MS_SHARED, ""); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b"} {
		if err := d.Add(n); err != nil {
			t.Fatal(err)
		}
		checkNamed(t, d, n)
	}
	if ms := mountsUnder(t, base); len(ms) != 3 {
		t.Errorf("mounts under %s: want the run dir and two names, got %+v", base, ms)
	}
}

// Open of a name that another goroutine is adding (the file exists, the
// namespace is not bound yet) waits for the Add instead of calling it
// stale.
func TestOpenDuringAdd(t *testing.T) {
	d := testDir(t)
	type result struct {
		ns  *NS
		err error
	}
	opened := make(chan result, 1)
	var once sync.Once
	d.hook = func(step string) error {
		if step == "unshared" {
			once.Do(func() {
				go func() { ns, err := d.Open("blue"); opened <- result{ns, err} }()
				time.Sleep(100 * time.Millisecond) // let Open find the bare file; either order passes
			})
		}
		return nil
	}
	if err := d.Add("blue"); err != nil {
		t.Fatal(err)
	}
	r := <-opened
	if r.err != nil {
		t.Fatalf("Open during Add: %v", r.err)
	}
	defer r.ns.Close()
	if e, err := entryAt(mustOpenDir(t, d.Path), "blue", nsfsDev()); err != nil || e.ID != r.ns.ID() {
		t.Errorf("Open during Add: want %+v, got %v, %v", e, r.ns, err)
	}
}
