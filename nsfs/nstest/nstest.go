// Package nstest runs a package's tests in a sandbox: fresh user, network
// and mount namespaces, so that tests which create links, bridges and named
// namespaces work against the real kernel without root and can never touch
// the host's network or its /run/netns.
//
// A package opts in from its TestMain:
//
//	func TestMain(m *testing.M) { nstest.Main(m) }
//
// Main re-executes the test binary, with all its flags (-test.run,
// -test.count, -test.v, -test.bench, -test.fuzz, ...), in new user, network
// and mount namespaces with the caller's uid and gid mapped to 0, as root
// too. There it makes every mount private, mounts a tmpfs on /run (so
// /run/netns is empty and private) and a sysfs for the new network
// namespace on /sys, brings lo up, and runs the tests. It does not recurse:
// processes started inside (fuzz workers, the binary under test) see that
// they are inside already.
//
// Where user namespaces are unavailable, Main runs the tests in place and
// Require makes each kernel test skip, saying why.
package nstest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// envVar tells a process where it stands: unset outside, "setup" in the
// re-executed child before it has set the sandbox up, "inside" once it has,
// or "unavailable: REASON" when no sandbox could be made.
const envVar = "LINKBOX_NSTEST"

const (
	stateSetup  = "setup"
	stateInside = "inside"
	prefixNone  = "unavailable: "
)

// Main runs the tests in the sandbox and exits with their status.
func Main(m *testing.M) {
	switch v := os.Getenv(envVar); {
	case v == "":
		code, err := reexec()
		if err == nil {
			os.Exit(code)
		}
		os.Setenv(envVar, prefixNone+err.Error())
	case v == stateSetup:
		if err := setup(); err != nil {
			fmt.Fprintf(os.Stderr, "nstest: setting up the sandbox: %v\n", err)
			os.Exit(2)
		}
		os.Setenv(envVar, stateInside)
	}
	os.Exit(m.Run())
}

// Inside reports whether this process runs in the sandbox.
func Inside() bool { return os.Getenv(envVar) == stateInside }

// Reason says why the sandbox is unavailable, or "" inside it.
func Reason() string {
	v := os.Getenv(envVar)
	switch {
	case v == stateInside:
		return ""
	case len(v) > len(prefixNone) && v[:len(prefixNone)] == prefixNone:
		return v[len(prefixNone):]
	}
	return "the test binary was not started through nstest.Main"
}

// Require skips the test unless it runs in the sandbox. Every test that
// touches the kernel's network state calls it first.
func Require(t testing.TB) {
	t.Helper()
	if !Inside() {
		t.Skipf("skipped: needs the namespace sandbox (user, network and mount namespaces): %s", Reason())
	}
}

// reexec runs this binary again, with the same arguments, in new
// namespaces, and returns its exit status. An error means the namespaces
// could not be made; test failures are a non-zero status, not an error.
func reexec() (int, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), envVar+"="+stateSetup)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:                 unix.CLONE_NEWUSER | unix.CLONE_NEWNET | unix.CLONE_NEWNS,
		UidMappings:                []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings:                []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
		GidMappingsEnableSetgroups: false,
		Pdeathsig:                  unix.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("cannot create user, network and mount namespaces: %w", err)
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return exit.ExitCode(), nil
	}
	if err != nil {
		return 1, nil
	}
	return 0, nil
}

// setup turns the fresh namespaces into the sandbox.
func setup() error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("making mounts private: %w", err)
	}
	if err := unix.Mount("tmpfs", "/run", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755"); err != nil {
		return fmt.Errorf("mounting a tmpfs on /run: %w", err)
	}
	if err := unix.Mount("sysfs", "/sys", "sysfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("mounting sysfs for the new network namespace: %w", err)
	}
	return loUp()
}

// loUp brings the loopback device up with SIOCSIFFLAGS, so this package
// needs no netlink code of its own.
func loUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("bringing lo up: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("reading lo's flags: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bringing lo up: %w", err)
	}
	return nil
}
