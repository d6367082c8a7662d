package nsfs

import (
	"fmt"
	"runtime"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// ID identifies a namespace: the device and inode of its nsfs file. Two
// handles, paths or processes are in the same network namespace exactly
// when their IDs are equal (what iproute2 compares in `ip netns identify`
// and `ip netns pids`).
type ID struct {
	Dev uint64 // st_dev of the nsfs file
	Ino uint64 // st_ino, the namespace's inode number (the N in "net:[N]")
}

// String returns the namespace as /proc shows it: "net:[4026531840]".
func (id ID) String() string { return "net:[" + strconv.FormatUint(id.Ino, 10) + "]" }

// NS is an open handle on a network namespace: a file descriptor, opened
// with O_CLOEXEC so that no command started later inherits it. The
// namespace lives at least as long as the handle. Close releases it; a
// handle that becomes unreachable without Close is closed by a cleanup.
//
// An NS may be used from several goroutines; Close must not race with its
// other methods.
type NS struct {
	fd      int
	id      ID
	path    string
	cleanup runtime.Cleanup
	once    sync.Once
}

// newNS takes ownership of fd, which must be an nsfs file of a network
// namespace, and closes it if the NS is dropped without Close.
func newNS(fd int, path string) (*NS, error) {
	if fd < 3 {
		// Keep handles off the standard descriptors (a process started
		// with them closed hands them out first), and off 0, which
		// rtnl.Config.NetNS reads as "no namespace".
		nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
		unix.Close(fd)
		if err != nil {
			return nil, osError("fcntl F_DUPFD_CLOEXEC", path, err)
		}
		fd = nfd
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, osError("fstat", path, err)
	}
	n := &NS{fd: fd, id: ID{Dev: st.Dev, Ino: st.Ino}, path: path}
	n.cleanup = runtime.AddCleanup(n, func(fd int) { unix.Close(fd) }, fd)
	return n, nil
}

// checkNetNS reports whether fd is a network namespace: a file on nsfs
// (NSFS_MAGIC) whose namespace type (NS_GET_NSTYPE, Linux 4.11) is
// CLONE_NEWNET. It returns ErrNotNetNS wrapped in the cause otherwise.
func checkNetNS(fd int) error {
	var fs unix.Statfs_t
	if err := unix.Fstatfs(fd, &fs); err != nil {
		return osError("fstatfs", "", err)
	}
	if fs.Type != unix.NSFS_MAGIC {
		return fmt.Errorf("file system type %#x, not nsfs", uint64(fs.Type))
	}
	t, err := unix.IoctlRetInt(fd, unix.NS_GET_NSTYPE)
	switch {
	case err == unix.ENOTTY || err == unix.EINVAL:
		return nil // kernels before 4.11 cannot tell; nsfs is enough
	case err != nil:
		return osError("ioctl NS_GET_NSTYPE", "", err)
	case t != unix.CLONE_NEWNET:
		return fmt.Errorf("namespace type %#x, not CLONE_NEWNET", t)
	}
	return nil
}

// Open opens the network namespace at path: a /proc/PID/ns/net file, a
// bind mount such as /run/netns/NAME, or any other nsfs file. A file that
// is not a network namespace gives an error matching ErrNotNetNS.
func Open(path string) (*NS, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NONBLOCK|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, newError("open", path, nil, osError("open", path, err))
	}
	if err := checkNetNS(fd); err != nil {
		unix.Close(fd)
		return nil, &Error{Op: "open", Name: path, Kind: ErrNotNetNS, Err: err}
	}
	return newNS(fd, path)
}

// OpenPID opens the network namespace of process pid, /proc/PID/ns/net.
func OpenPID(pid int) (*NS, error) {
	if pid <= 0 {
		return nil, &Error{Op: "open", Name: strconv.Itoa(pid), Kind: ErrNotExist, Err: fmt.Errorf("invalid pid %d", pid)}
	}
	return Open("/proc/" + strconv.Itoa(pid) + "/ns/net")
}

// Current opens the network namespace of the calling thread,
// /proc/thread-self/ns/net, never /proc/self/ns/net (the main thread's,
// which is another thread's). Outside a namespace switch every thread of
// a process that uses nsfs is in the process's namespace, so this is it;
// inside Do it is the namespace Do switched to.
func Current() (*NS, error) {
	return Open("/proc/thread-self/ns/net")
}

// Fd returns the file descriptor. It stays valid until Close; use
// runtime.KeepAlive(ns) after the last use of the fd if the handle could
// otherwise become unreachable before that.
func (n *NS) Fd() int { return n.fd }

// ID returns the namespace's device and inode.
func (n *NS) ID() ID { return n.id }

// Equal reports whether both handles are on the same namespace (same
// device and inode).
func (n *NS) Equal(o *NS) bool { return n != nil && o != nil && n.id == o.id }

// String returns the path the handle was opened by, and the namespace.
func (n *NS) String() string {
	if n.path == "" {
		return n.id.String()
	}
	return n.path + " (" + n.id.String() + ")"
}

// Cookie returns the namespace's cookie (ioctl NS_GET_ID, on recent
// kernels): a 64-bit id that, unlike the inode, is never reused while the
// system runs; what `ip netns cookie` prints.
func (n *NS) Cookie() (uint64, error) {
	c, err := unix.IoctlGetUint64(n.fd, unix.NS_GET_ID)
	runtime.KeepAlive(n)
	if err != nil {
		return 0, newError("cookie", n.path, nil, osError("ioctl NS_GET_ID", n.path, err))
	}
	return c, nil
}

// Close closes the handle. Closing twice returns ErrClosed.
func (n *NS) Close() error {
	err := ErrClosed
	n.once.Do(func() {
		n.cleanup.Stop()
		err = unix.Close(n.fd)
		n.fd = -1
	})
	return err
}
