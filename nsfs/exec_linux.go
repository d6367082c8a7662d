package nsfs

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// ExecConfig says how Start prepares a command's mount namespace.
type ExecConfig struct {
	// SysfsSource is the source name of the fresh sysfs mount, as
	// mountinfo shows it; iproute2 uses the namespace's name. "" means
	// "sysfs".
	SysfsSource string
	// EtcDir, if set, is a directory whose entries are bind-mounted over
	// the files of the same name in /etc (iproute2: /etc/netns/NAME).
	EtcDir string
	// Warn, if set, receives each entry of EtcDir that could not be
	// bound; the command starts anyway, as with `ip netns exec`.
	Warn func(error)
}

// Start starts cmd in the network namespace ns, as `ip netns exec` runs a
// command: in ns, in a mount namespace of its own in which / is a slave
// (nothing mounted there propagates back), /sys is a fresh sysfs that
// shows ns's devices (read-only if the old /sys was and could not be
// unmounted), and the entries of cfg.EtcDir are bound over /etc. The
// caller waits for cmd as usual (cmd.Wait); its exit status is the
// command's. cfg may be nil.
//
// All of it happens on a dedicated thread: it joins ns, unshares its mount
// namespace, mounts, and forks the command, which inherits the thread's
// namespaces; the thread is never handed back to the scheduler. The
// process's other threads, and its own mount namespace, are untouched, and
// there is no re-exec of the binary. cmd.Path is looked up when cmd is
// built (exec.Command); the command's mount namespace differs from the
// caller's only in /sys and /etc, so the lookup finds the same file.
//
// The command holds none of nsfs's or rtnl's descriptors: all are opened
// close-on-exec. If cmd.SysProcAttr.Pdeathsig is set, the thread stays
// (blocked, in ns) until the command exits, because the kernel sends that
// signal when the forking thread ends, not the process.
func Start(ns *NS, cmd *exec.Cmd, cfg *ExecConfig) error {
	if ns == nil || ns.fd < 0 {
		return &Error{Op: "exec", Kind: ErrClosed}
	}
	var c ExecConfig
	if cfg != nil {
		c = *cfg
	}
	if c.SysfsSource == "" {
		c.SysfsSource = "sysfs"
	}
	if err := startIn(ns, cmd, func() error { return setupExecMounts(&c) }); err != nil {
		return newError("exec", ns.path, nil, err)
	}
	return nil
}

// Start starts cmd in the namespace called name, as
// `ip netns exec NAME cmd...`: see Start. The entries of d.Etc/NAME are
// bound over /etc; problems binding them go to d.Warn.
func (d *Dir) Start(name string, cmd *exec.Cmd) error {
	ns, err := d.Open(name)
	if err != nil {
		return renameOp(err, "exec")
	}
	defer ns.Close()
	cfg := &ExecConfig{SysfsSource: name, Warn: d.Warn}
	if len(name) < MaxNameLen { // iproute2 skips /etc binds for longer names
		cfg.EtcDir = filepath.Join(d.etc(), name)
	}
	if err := Start(ns, cmd, cfg); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Name = name
		}
		return err
	}
	return nil
}

// Run is Start followed by cmd.Wait. The error is an *exec.ExitError when
// the command ran and failed; its ExitCode is the command's status.
func (d *Dir) Run(name string, cmd *exec.Cmd) error {
	if err := d.Start(name, cmd); err != nil {
		return err
	}
	return cmd.Wait()
}

// setupExecMounts runs on the command's thread, in its new mount
// namespace.
func setupExecMounts(cfg *ExecConfig) error {
	// Do not let any mount propagate back to the parent namespace.
	if err := unix.Mount("", "/", "none", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return osError("mount --make-rslave", "/", err)
	}
	// A sysfs for the new network namespace, in place of the old one.
	var flags uintptr
	if err := unix.Unmount("/sys", unix.MNT_DETACH); err != nil {
		// No sysfs there, or one that cannot be unmounted: mount
		// over it, read-only if it is (a read-only sysfs cannot be
		// shadowed by a writable one).
		var fs unix.Statfs_t
		if unix.Statfs("/sys", &fs) == nil && fs.Flags&unix.ST_RDONLY != 0 {
			flags = unix.MS_RDONLY
		}
	}
	if err := unix.Mount(cfg.SysfsSource, "/sys", "sysfs", flags, ""); err != nil {
		return osError("mount sysfs", "/sys", err)
	}
	if cfg.EtcDir != "" {
		bindEtc(cfg.EtcDir, cfg.Warn)
	}
	return nil
}

// bindEtc binds each entry of dir over the file of the same name in /etc.
func bindEtc(dir string, warn func(error)) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) && warn != nil {
			warn(err)
		}
		return
	}
	for _, e := range entries {
		src := filepath.Join(dir, e.Name())
		dst := filepath.Join("/etc", e.Name())
		if err := unix.Mount(src, dst, "none", unix.MS_BIND, ""); err != nil && warn != nil {
			warn(fmt.Errorf("bind %s -> %s failed: %w", src, dst, err))
		}
	}
}
