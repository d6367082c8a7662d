package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/linkbox/linkbox/nsfs"
)

// ip netns exec NAME CMD... runs CMD in the namespace as iproute2 does (a
// mount namespace of its own, a fresh /sys, /etc/netns/NAME bound over
// /etc: nsfs.Dir.Start), and exits with CMD's status. iproute2 replaces
// itself with CMD; linkbox, a Go program, cannot exec from a process with
// threads in other states, so it starts CMD as a child, passes the
// terminal's streams straight through, relays the signals a parent is
// sent (SIGTERM, SIGHUP, SIGUSR1, SIGUSR2), and leaves SIGINT and SIGQUIT
// to the child, which gets them from the terminal itself. A child killed
// by a signal gives 128 + the signal's number, as a shell reports it.

// isApplet reports whether name is one of linkbox's applets, which ip
// netns exec runs from this very binary when no program of that name is
// on PATH (a box with linkbox but without its links). It is set once, by
// init, and only read afterwards: the applet table refers to ip, and so,
// through ip netns exec, to this code, and a direct reference would be an
// initialisation cycle.
var isApplet func(name string) bool

func init() {
	isApplet = func(name string) bool { _, ok := applets[name]; return ok }
}

// netnsExec is ip netns exec NAME CMD... and ip -all netns exec CMD...,
// which runs CMD in each named namespace after a "netns: NAME" header and
// exits 0 whatever the commands do, as iproute2 does.
func (c *ipCmd) netnsExec(argv []string) error {
	if c.opts.all {
		if len(argv) < 1 {
			return failure("No command specified")
		}
		entries, _, err := netnsEntries(c.netnsDir())
		if err != nil {
			return failure("Failed to open directory %s: %s", nsfs.DefaultRunDir(), errnoText(err))
		}
		for _, e := range entries {
			if _, err := fmt.Fprintf(c.stdout, "\nnetns: %s\n", nsfs.Quote(e.Name)); err != nil {
				return err
			}
			if _, err := c.execIn(e.Name, argv); err != nil {
				c.report("ip", err)
			}
		}
		return nil
	}
	if len(argv) < 1 {
		return failure("No netns name specified")
	}
	if len(argv) < 2 {
		return failure("No command specified")
	}
	status, err := c.execIn(argv[0], argv[1:])
	if err != nil {
		return err
	}
	if status != 0 {
		return &cliError{code: status}
	}
	return nil
}

// execIn runs argv in the namespace called name and returns its exit
// status; the error is for a command that could not be started.
func (c *ipCmd) execIn(name string, argv []string) (int, error) {
	if c.dryRun {
		// A dry run changes nothing and needs no privilege: an ip command
		// that only talks netlink runs here, through a socket in the
		// namespace, its changes held back like any others; anything
		// else is shown, not run.
		if inner := c.inProcessExec(append([]string{"netns", "exec", name}, argv...)); inner != nil {
			return inner.report("ip", inner.dispatch(inner.args)), nil
		}
		c.would("ip netns exec %s %s", shellQuote(name), shellQuote(argv...))
		return 0, nil
	}
	cmd := execCommand(argv)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.stdin, c.stdout, c.stderr
	cmd.Env = c.wireEnviron() // linkbox applets in it trace, dry-run, capture as this one
	// Caught from before the start, so that none is lost in between;
	// those that come early are relayed once the command runs.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2)
	defer signal.Stop(sigs)
	if err := c.netnsDir().Start(name, cmd); err != nil {
		return 0, execError(name, argv[0], err)
	}
	done := make(chan struct{})
	relayed := make(chan struct{})
	go func() {
		defer close(relayed)
		for {
			select {
			case s := <-sigs:
				if s != syscall.SIGINT && s != syscall.SIGQUIT {
					cmd.Process.Signal(s)
				}
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	<-relayed
	return exitStatus(err)
}

// exitStatus turns what cmd.Wait returned into an exit status.
func exitStatus(err error) (int, error) {
	if err == nil {
		return 0, nil
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return 1, err // the command ran, but copying its output failed
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return ee.ExitCode(), nil
}

// execCommand builds the command as execvp(3) would find it: on PATH,
// "." included where PATH has it. A linkbox applet's name that is not on
// PATH runs this very binary as that applet.
func execCommand(argv []string) *exec.Cmd {
	cmd := exec.Command(argv[0], argv[1:]...)
	if errors.Is(cmd.Err, exec.ErrDot) {
		cmd.Err = nil // execvp runs what PATH finds, in "." too
	}
	if cmd.Err == nil || strings.Contains(argv[0], "/") {
		return cmd
	}
	if isApplet(argv[0]) {
		if self := selfBinary(); self != "" {
			return &exec.Cmd{Path: self, Args: argv}
		}
	}
	return cmd
}

// selfBinary is the linkbox binary running, "" when it is not linkbox (a
// test binary runs the applets in process).
func selfBinary() string {
	self, err := os.Executable()
	if err != nil || strings.HasSuffix(filepath.Base(self), ".test") {
		return ""
	}
	return self
}

// execError words a command that could not start as iproute2 words it:
// the namespace's errors (exit status 255) first, then the program's
// (exit status 1).
func execError(name, prog string, err error) error {
	var ee *exec.Error
	var se *os.SyscallError
	var pe *os.PathError
	switch {
	case errors.As(err, &ee):
		why := errnoText(ee.Err)
		if errors.Is(ee.Err, exec.ErrNotFound) {
			why = errText(syscall.ENOENT)
		}
		return failure("exec of \"%s\" failed: %s", prog, why)
	case errors.As(err, &pe) && pe.Op == "fork/exec":
		return failure("exec of \"%s\" failed: %s", prog, errnoText(pe.Err))
	case errors.As(err, &se) && se.Syscall == "setns":
		return &cliError{code: 255, msg: fmt.Sprintf("setting the network namespace %s failed: %s", qname(name), errnoText(se.Err))}
	case errors.As(err, &se) && strings.HasPrefix(se.Syscall, "unshare"):
		return &cliError{code: 255, msg: "unshare failed: " + errnoText(se.Err)}
	case errors.As(err, &pe) && pe.Op == "mount --make-rslave":
		return &cliError{code: 255, msg: `"mount --make-rslave /" failed: ` + errnoText(pe.Err)}
	case errors.As(err, &pe) && pe.Op == "mount sysfs":
		return &cliError{code: 255, msg: "mount of /sys failed: " + errnoText(pe.Err)}
	}
	return netnsOpenError(name, err, 255)
}

// shellQuote writes words as a shell reads them back: words with
// characters the shell would take apart go in single quotes.
func shellQuote(words ...string) string {
	out := make([]string, len(words))
	for i, w := range words {
		if w != "" && strings.Trim(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == "" {
			out[i] = w
			continue
		}
		out[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}
