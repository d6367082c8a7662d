package nsfs

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

// After 1000 mixed operations (Do, Add, Delete, Start, Dial) from many
// goroutines, every thread is in the home namespace, the main thread
// included, and 2000 fresh goroutines all run there. The main thread is
// not locked by this test binary (no LockOSThread in init): nsfs must keep
// it clean by itself.
func TestThreadsStayHome(t *testing.T) {
	for _, procs := range []int{0, 1, 64} {
		t.Run(fmt.Sprintf("GOMAXPROCS=%d", procs), func(t *testing.T) {
			if procs > 0 {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			}
			d := testDir(t)
			const spaces = 4
			var handles []*NS
			for i := range spaces {
				name := fmt.Sprint("ns", i)
				if err := d.Add(name); err != nil {
					t.Fatal(err)
				}
				ns, err := d.Open(name)
				if err != nil {
					t.Fatal(err)
				}
				defer ns.Close()
				handles = append(handles, ns)
			}
			const ops, workers = 1000, 16
			var next atomic.Int64
			var wg sync.WaitGroup
			errc := make(chan error, ops)
			for range workers {
				wg.Go(func() {
					for {
						i := int(next.Add(1)) - 1
						if i >= ops {
							return
						}
						if err := mixedOp(d, handles, i); err != nil {
							errc <- fmt.Errorf("op %d: %w", i, err)
						}
					}
				})
			}
			wg.Wait()
			close(errc)
			for err := range errc {
				t.Error(err)
			}
			checkAllThreadsHome(t)
			probeGoroutines(t, 2000)
		})
	}
}

// mixedOp runs operation i of the mix.
func mixedOp(d *Dir, handles []*NS, i int) error {
	ns := handles[i%len(handles)]
	switch i % 5 {
	case 0, 1:
		return Do(ns, func() error {
			if got, want := threadNS(), ns.ID().String(); got != want {
				return fmt.Errorf("inside Do: want %s, got %s", want, got)
			}
			return nil
		})
	case 2:
		name := fmt.Sprint("tmp", i)
		if err := d.Add(name); err != nil {
			return err
		}
		return d.Delete(name)
	case 3:
		return d.Run(fmt.Sprint("ns", i%len(handles)), exec.Command("true"))
	default:
		c, err := Dial(ns, nil)
		if err != nil {
			return err
		}
		_, err = c.LinkByName("lo")
		c.Close()
		return err
	}
}

// probeGoroutines starts n goroutines that each lock a thread and read its
// namespace; all must be home.
func probeGoroutines(t *testing.T, n int) {
	t.Helper()
	var foreign atomic.Int64
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			if threadNS() != homeNS {
				foreign.Add(1)
			}
		})
	}
	wg.Wait()
	if f := foreign.Load(); f != 0 {
		t.Errorf("%d of %d probe goroutines ran outside the home namespace", f, n)
	}
}

// goLocked never runs its function on the main thread, though goroutines
// do land there (this binary does not lock it).
func TestGoLockedAvoidsMainThread(t *testing.T) {
	const n = 3000
	pid := os.Getpid()
	var onMain, fnOnMain atomic.Int64
	var wg sync.WaitGroup
	for range n {
		wg.Add(2)
		go func() { // a bare goroutine, to see whether the main thread is in play
			defer wg.Done()
			runtime.LockOSThread()
			if unix.Gettid() == pid {
				onMain.Add(1)
			}
			runtime.UnlockOSThread()
		}()
		goLocked(func() bool {
			defer wg.Done()
			if unix.Gettid() == pid {
				fnOnMain.Add(1)
			}
			return true
		})
	}
	wg.Wait()
	t.Logf("bare goroutines on the main thread: %d of %d", onMain.Load(), n)
	if f := fnOnMain.Load(); f != 0 {
		t.Errorf("goLocked ran fn on the main thread %d times", f)
	}
}

// fdTargets lists what the process's descriptors point at.
func fdTargets(t testing.TB) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if s, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil {
			out = append(out, s)
		}
	}
	return out
}

// The descriptor count stays flat over 1000 operations, and a command
// started afterwards, while handles, sockets and a watcher are open,
// inherits none of them.
func TestNoDescriptorLeaks(t *testing.T) {
	d := testDir(t)
	if err := d.Add("fd"); err != nil {
		t.Fatal(err)
	}
	op := func(i int) error {
		switch i % 8 {
		case 0:
			ns, err := d.Open("fd")
			if err != nil {
				return err
			}
			return ns.Close()
		case 1:
			_, err := d.List()
			return err
		case 2:
			ns, err := d.Open("fd")
			if err != nil {
				return err
			}
			defer ns.Close()
			return Do(ns, func() error { return nil })
		case 3:
			if err := d.Add("tmp"); err != nil {
				return err
			}
			return d.Delete("tmp")
		case 4:
			c, err := d.Dial("fd", nil)
			if err != nil {
				return err
			}
			return c.Close()
		case 5:
			return d.Run("fd", exec.Command("true"))
		case 6:
			w, err := d.Watch()
			if err != nil {
				return err
			}
			return w.Close()
		default:
			_, err := d.Pids("fd")
			return err
		}
	}
	for i := range 40 { // warm up: the runtime opens some descriptors lazily
		if err := op(i); err != nil {
			t.Fatal(err)
		}
	}
	before := fdTargets(t)
	for i := range 1000 {
		if err := op(i); err != nil {
			t.Fatalf("op %d: %v", i, err)
		}
	}
	after := fdTargets(t)
	if len(before) != len(after) {
		t.Errorf("descriptors: %d before 1000 operations, %d after\nbefore: %v\nafter:  %v", len(before), len(after), before, after)
	}

	// Hold one of everything open, then look from a child.
	ns, err := d.Open("fd")
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	self, err := OpenPID(os.Getpid()) // shows as net:[N], not as a path
	if err != nil {
		t.Fatal(err)
	}
	defer self.Close()
	c, err := Dial(ns, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w, err := d.Watch()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	held := strings.Join(fdTargets(t), " ")
	for _, want := range []string{"net:[", d.Path + "/fd", "socket:[", "inotify"} {
		if !strings.Contains(held, want) {
			t.Fatalf("the test holds no %s descriptor to check for: %s", want, held)
		}
	}
	script := `for f in /proc/self/fd/*; do readlink "$f"; done; exit 0`
	for _, how := range []string{"exec.Command", "Start"} {
		var out strings.Builder
		cmd := exec.Command("sh", "-c", script)
		cmd.Stdout = &out
		var err error
		if how == "Start" {
			err = d.Run("fd", cmd)
		} else {
			err = cmd.Run()
		}
		if err != nil {
			t.Fatalf("%s: %v", how, err)
		}
		for _, l := range strings.Fields(out.String()) {
			if strings.Contains(l, "net:[") || strings.HasPrefix(l, d.Path) || strings.Contains(l, "socket:[") || strings.Contains(l, "inotify") {
				t.Errorf("child started by %s holds %s", how, l)
			}
		}
	}
}
