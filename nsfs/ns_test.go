package nsfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/linkbox/linkbox/nsfs/nstest"
	"golang.org/x/sys/unix"
)

func TestOpenHandles(t *testing.T) {
	nstest.Require(t)
	cur, err := Current()
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close()
	if want, got := homeNS, cur.ID().String(); want != got {
		t.Errorf("Current: want %s, got %s", want, got)
	}
	self, err := OpenPID(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	defer self.Close()
	byPath, err := Open("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	defer byPath.Close()
	if !cur.Equal(self) || !cur.Equal(byPath) {
		t.Errorf("want one namespace, got %v, %v, %v", cur, self, byPath)
	}
	if cur.Fd() < 3 {
		t.Errorf("handle on a standard descriptor: %d", cur.Fd())
	}
	flags, err := unix.FcntlInt(uintptr(cur.Fd()), unix.F_GETFD, 0)
	if err != nil || flags&unix.FD_CLOEXEC == 0 {
		t.Errorf("handle's descriptor is not close-on-exec: flags %#x, %v", flags, err)
	}
	if c, err := cur.Cookie(); err == nil && c == 0 {
		t.Errorf("Cookie: 0 without an error")
	} else if err != nil && !errors.Is(err, unix.ENOTTY) {
		t.Errorf("Cookie: %v", err)
	}

	for _, tt := range []struct {
		path string
		want error
	}{
		{"/proc/self/ns/mnt", ErrNotNetNS},
		{"/proc/self/status", ErrNotNetNS},
		{"/nonexistent/ns", ErrNotExist},
	} {
		ns, err := Open(tt.path)
		if !errors.Is(err, tt.want) {
			t.Errorf("Open(%s): want %v, got %v", tt.path, tt.want, err)
		}
		if ns != nil {
			ns.Close()
		}
	}
	if _, err := OpenPID(0); !errors.Is(err, ErrNotExist) {
		t.Errorf("OpenPID(0): want ErrNotExist, got %v", err)
	}

	h, err := Current()
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := h.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close: want ErrClosed, got %v", err)
	}
	if err := Do(h, func() error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Do on a closed handle: want ErrClosed, got %v", err)
	}
}

// A handle dropped without Close is closed by its cleanup.
func TestHandleCleanup(t *testing.T) {
	nstest.Require(t)
	fd := func() int {
		ns, err := Current()
		if err != nil {
			t.Fatal(err)
		}
		return ns.Fd()
	}()
	link := func() string { s, _ := os.Readlink(fdPath(fd)); return s }
	if want, got := homeNS, link(); want != got {
		t.Fatalf("fd %d: want %s, got %s", fd, want, got)
	}
	for i := 0; i < 50 && link() == homeNS; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // cleanups run on their own goroutine
	}
	if link() == homeNS {
		t.Errorf("fd %d still open on the namespace after the handle became unreachable", fd)
	}
}

// threadNS returns the network namespace of the calling thread.
func threadNS() string {
	s, err := os.Readlink("/proc/thread-self/ns/net")
	if err != nil {
		return "error: " + err.Error()
	}
	return s
}

func TestDo(t *testing.T) {
	d := testDir(t)
	if err := d.Add("blue"); err != nil {
		t.Fatal(err)
	}
	ns, err := d.Open("blue")
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()

	var inside, child string
	var tid int
	boom := errors.New("fn failed")
	err = Do(ns, func() error {
		inside = threadNS()
		tid = unix.Gettid()
		cur, err := Current()
		if err != nil {
			return err
		}
		defer cur.Close()
		if !cur.Equal(ns) {
			return fmt.Errorf("Current inside Do: want %v, got %v", ns, cur)
		}
		// A goroutine started here runs elsewhere, in the home namespace.
		done := make(chan string)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			done <- threadNS()
		}()
		child = <-done
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Do: want fn's error, got %v", err)
	}
	if want := ns.ID().String(); inside != want {
		t.Errorf("inside Do: want %s, got %s", want, inside)
	}
	if child != homeNS {
		t.Errorf("goroutine started inside Do: want the home namespace %s, got %s", homeNS, child)
	}
	if tid == os.Getpid() {
		t.Errorf("Do ran fn on the main thread")
	}
	checkAllThreadsHome(t)
}

func TestDoNestedAndPanic(t *testing.T) {
	d := testDir(t)
	for _, n := range []string{"a", "b"} {
		if err := d.Add(n); err != nil {
			t.Fatal(err)
		}
	}
	a, err := d.Open("a")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := d.Open("b")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var inA, inB, backInA string
	err = Do(a, func() error {
		inA = threadNS()
		err := Do(b, func() error { inB = threadNS(); return nil })
		backInA = threadNS()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if inA != a.ID().String() || inB != b.ID().String() || backInA != inA {
		t.Errorf("nested Do: want %v, %v, %v; got %s, %s, %s", a.ID(), b.ID(), a.ID(), inA, inB, backInA)
	}

	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("panic in fn: want it carried to the caller, got %v", r)
			}
		}()
		Do(a, func() error { panic("boom") })
		t.Errorf("Do returned after fn panicked")
	}()
	checkAllThreadsHome(t)
}

// checkAllThreadsHome checks that every thread of the process, the main
// one included, is in the home namespace. Threads that nsfs ended may
// take a moment to leave /proc, so foreign ones are looked at again for
// a while before they count.
func checkAllThreadsHome(t testing.TB) {
	t.Helper()
	var foreign map[string]string
	for try := 0; try < 100; try++ {
		foreign = map[string]string{}
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			t.Fatal(err)
		}
		for _, task := range tasks {
			ns, err := os.Readlink(filepath.Join("/proc/self/task", task.Name(), "ns/net"))
			if err != nil {
				continue // the thread ended meanwhile
			}
			if ns != homeNS {
				foreign[task.Name()] = ns
			}
		}
		if len(foreign) == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(foreign) != 0 {
		t.Errorf("threads outside the home namespace %s (tid: namespace): %v", homeNS, foreign)
	}
	main := strconv.Itoa(os.Getpid())
	if ns, err := os.Readlink("/proc/self/task/" + main + "/ns/net"); err != nil || ns != homeNS {
		t.Errorf("main thread (tid %s): want %s, got %s, %v", main, homeNS, ns, err)
	}
}
