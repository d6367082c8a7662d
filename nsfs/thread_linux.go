package nsfs

// Every change of a thread's namespaces is in this file: it is the only
// one in the tree that may call setns(2) or unshare(2) (TestTreeSetns
// checks). Each change happens on a fresh goroutine locked to its thread,
// never on the main thread, and the thread goes back to the scheduler only
// when it is known to be in the namespaces it started in.

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"

	"golang.org/x/sys/unix"
)

// goLocked runs fn on a new goroutine locked to an OS thread other than
// the process's main thread. fn reports whether the thread is clean (in
// the namespaces it started in): a clean thread is unlocked and reused;
// otherwise the goroutine exits still locked and the runtime ends the
// thread with it.
//
// The main thread is never used, because the runtime cannot end it: a
// goroutine that exits locked to it leaves it wedged, in whatever
// namespace it was left in, for the life of the process (runtime/proc.go,
// mexit: "This is the main thread. Just wedge it."; golang/go#34031). When
// the fresh goroutine lands on the main thread, it keeps that thread
// occupied until a second goroutine has locked itself to another thread,
// and lets that one run fn. A binary that locks its main goroutine in init
// (cmd/linkbox does) never gets here.
func goLocked(fn func() (clean bool)) {
	go func() {
		runtime.LockOSThread()
		if unix.Gettid() != unix.Getpid() {
			if fn() {
				runtime.UnlockOSThread()
			}
			return
		}
		// On the main thread: while this goroutine holds it, the
		// sibling cannot be scheduled on it.
		locked := make(chan struct{})
		go func() {
			runtime.LockOSThread()
			close(locked)
			if fn() {
				runtime.UnlockOSThread()
			}
		}()
		<-locked
		runtime.UnlockOSThread() // the main thread never switched
	}()
}

// onThread is goLocked that waits for fn to return.
func onThread(fn func() (clean bool)) {
	done := make(chan struct{})
	goLocked(func() bool {
		defer close(done)
		return fn()
	})
	<-done
}

// openThreadNS opens the calling thread's network namespace; the caller
// must be locked to its thread.
func openThreadNS() (int, error) {
	fd, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, osError("open", "/proc/thread-self/ns/net", err)
	}
	return fd, nil
}

// Do runs fn in the network namespace ns and returns its error.
//
// fn runs on a fresh goroutine locked to an OS thread (never the main
// thread), which is switched into ns (setns CLONE_NEWNET) and back
// afterwards; the thread is unlocked, and so goes back to the scheduler,
// only if switching back succeeded. Otherwise the goroutine exits still
// locked, the runtime ends the thread with it, and Do's error says so.
// A panic in fn is carried to Do's caller after the switch back.
//
// Only fn's own goroutine is in ns: goroutines that fn starts run on
// other threads, in the process's namespace, and so does anything fn
// hands to another goroutine (a channel send, a pool, a timer callback).
// fn must not unlock its thread (runtime.UnlockOSThread). Sockets made in
// fn stay in ns after Do returns; to talk to a namespace's kernel objects,
// a netlink socket opened inside it (Dial) needs no switch at all.
func Do(ns *NS, fn func() error) error {
	if ns == nil || ns.fd < 0 {
		return &Error{Op: "do", Kind: ErrClosed}
	}
	var (
		err      error
		panicked bool
		pval     any
		returned bool
	)
	onThread(func() bool {
		home, herr := openThreadNS()
		if herr != nil {
			err = newError("do", ns.path, nil, herr)
			return true // nothing changed
		}
		defer unix.Close(home)
		if serr := unix.Setns(ns.fd, unix.CLONE_NEWNET); serr != nil {
			err = newError("do", ns.path, nil, os.NewSyscallError("setns", serr))
			return true // setns either switches or leaves the thread as it was
		}
		// Switch back even if fn panics or calls runtime.Goexit.
		restored := false
		defer func() {
			if !restored {
				unix.Setns(home, unix.CLONE_NEWNET) // best effort; the thread dies anyway
			}
		}()
		func() {
			defer func() {
				if r := recover(); r != nil {
					panicked, pval = true, r
				}
			}()
			err = fn()
			returned = true
		}()
		if rerr := unix.Setns(home, unix.CLONE_NEWNET); rerr != nil {
			restored = true // do not try again
			err = errors.Join(err, &Error{Op: "do", Name: ns.path, Err: fmt.Errorf("switching back, the thread will end: %w", os.NewSyscallError("setns", rerr))})
			return false
		}
		restored = true
		return true
	})
	runtime.KeepAlive(ns)
	if panicked {
		panic(pval)
	}
	if !returned && err == nil {
		err = &Error{Op: "do", Name: ns.path, Err: errors.New("fn did not return (runtime.Goexit)")}
	}
	return err
}

// newNetNSOnto creates a network namespace on a dedicated thread and
// bind-mounts it onto target, then lets the thread end: it is never
// handed back to the scheduler, so no other goroutine can run in the new
// namespace. step is the test hook ("unshared" runs between the two).
func newNetNSOnto(target string, step func(string) error) error {
	var err error
	onThread(func() bool {
		if e := unix.Unshare(unix.CLONE_NEWNET); e != nil {
			err = os.NewSyscallError("unshare(CLONE_NEWNET)", e)
			return false
		}
		if err = step("unshared"); err != nil {
			return false
		}
		if e := unix.Mount("/proc/thread-self/ns/net", target, "none", unix.MS_BIND, ""); e != nil {
			err = osError("mount --bind /proc/thread-self/ns/net", target, e)
		}
		return false
	})
	return err
}

// startIn starts cmd in ns with a fresh mount namespace that setup
// prepares, as `ip netns exec` does. It runs on a dedicated thread that
// joins ns, unshares its mount namespace, runs setup and forks the
// command, which inherits the thread's namespaces. The thread is never
// reused: it ends when the command has started, or, if cmd asks for a
// parent-death signal (which the kernel sends when the thread that forked
// the child ends), when the command exits.
func startIn(ns *NS, cmd *exec.Cmd, setup func() error) error {
	res := make(chan error, 1)
	goLocked(func() bool {
		if e := unix.Setns(ns.fd, unix.CLONE_NEWNET); e != nil {
			res <- os.NewSyscallError("setns", e)
			return true // unchanged
		}
		if e := unix.Unshare(unix.CLONE_NEWNS); e != nil {
			res <- os.NewSyscallError("unshare(CLONE_NEWNS)", e)
			return false
		}
		if e := setup(); e != nil {
			res <- e
			return false
		}
		if e := cmd.Start(); e != nil {
			res <- e
			return false
		}
		pid := cmd.Process.Pid
		res <- nil
		if cmd.SysProcAttr != nil && cmd.SysProcAttr.Pdeathsig != 0 {
			waitExit(pid)
		}
		return false
	})
	err := <-res
	runtime.KeepAlive(ns)
	return err
}

// waitExit blocks the thread until process pid exits, through a pidfd
// (Linux 5.3); without one it returns at once.
func waitExit(pid int) {
	pfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return
	}
	defer unix.Close(pfd)
	fds := []unix.PollFd{{Fd: int32(pfd), Events: unix.POLLIN}}
	for {
		_, err := unix.Poll(fds, -1)
		if err != unix.EINTR {
			return
		}
	}
}
