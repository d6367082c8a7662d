package nsfs

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"golang.org/x/sys/unix"
)

// DefaultEtcDir is where `ip netns exec NAME` finds the files it binds over
// /etc: DefaultEtcDir/NAME/*.
const DefaultEtcDir = "/etc/netns"

// DefaultRunDir returns the directory iproute2 keeps named namespaces in:
// /run/netns, or /var/run/netns where /var/run is a directory of its own
// rather than a link to /run (iproute2's upstream default; distributions
// build it with /run/netns, and where /var/run links to /run, as on every
// current one, both are the same directory).
func DefaultRunDir() string {
	var run, varRun unix.Stat_t
	if unix.Stat("/var/run", &varRun) != nil {
		return "/run/netns"
	}
	if unix.Stat("/run", &run) == nil && run.Dev == varRun.Dev && run.Ino == varRun.Ino {
		return "/run/netns"
	}
	// Two directories: use the one that holds names, else upstream's.
	var st unix.Stat_t
	if unix.Stat("/var/run/netns", &st) != nil && unix.Stat("/run/netns", &st) == nil {
		return "/run/netns"
	}
	return "/var/run/netns"
}

// Dir is a directory of named network namespaces, as `ip netns` keeps them:
// each name is an empty file with the namespace's nsfs file bind-mounted on
// it. The zero value is iproute2's directory (DefaultRunDir). A Dir holds
// no open files; its methods may be called from any goroutine, and from
// several processes at once.
type Dir struct {
	// Path is the run directory; "" means DefaultRunDir().
	Path string
	// Etc is the directory holding per-namespace files for Start: the
	// entries of Etc/NAME are bind-mounted over /etc. "" means
	// DefaultEtcDir.
	Etc string
	// Warn, if set, receives problems that do not stop an operation: a
	// file of Etc/NAME that Start could not bind over /etc (the command
	// runs anyway, as with `ip netns exec`).
	Warn func(error)

	// hook, set by tests, runs at named steps of Add and may fail it or
	// kill the process there.
	hook func(step string) error
}

func (d *Dir) dir() string {
	if d == nil || d.Path == "" {
		return DefaultRunDir()
	}
	return d.Path
}

func (d *Dir) etc() string {
	if d == nil || d.Etc == "" {
		return DefaultEtcDir
	}
	return d.Etc
}

func (d *Dir) step(name string) error {
	if d == nil || d.hook == nil {
		return nil
	}
	return d.hook(name)
}

// fdPath names the file open on fd, for calls that take only a path
// (mount, umount2): /proc/self/fd/N follows the descriptor, not a path
// that could have changed since.
func fdPath(fd int) string { return "/proc/self/fd/" + strconv.Itoa(fd) }

// openDir opens dir for lookups, locking, and listing.
func openDir(dir string) (int, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, osError("open", dir, err)
	}
	return fd, nil
}

// lockedDir opens dir, locks it (LOCK_EX or LOCK_SH), and opens it again
// for lookups. Names must be looked up through a descriptor opened after
// the lock is held: one opened before may be on the mount that an Add's
// self-bind of the directory then covered, where the names are plain files
// and nothing is mounted on them. The caller closes both.
func lockedDir(dir string, how int) (lock, dfd int, err error) {
	lock, err = openDir(dir)
	if err != nil {
		return -1, -1, err
	}
	flock(lock, how)
	dfd, err = openDir(dir)
	if err != nil {
		unix.Close(lock)
		return -1, -1, err
	}
	return lock, dfd, nil
}

// flock takes a lock on fd, retrying on EINTR. As iproute2 does, a lock
// that cannot be taken (a file system without flock) is not an error: the
// caller goes on unlocked.
func flock(fd, how int) {
	for unix.Flock(fd, how) == unix.EINTR {
	}
}

// makeDir creates the run directory with mode 0755, whatever the umask,
// and says whether it did.
func makeDir(dir string) (made bool, err error) {
	err = unix.Mkdir(dir, 0o755)
	switch {
	case err == nil:
		return true, osError("chmod", dir, unix.Chmod(dir, 0o755))
	case err == unix.EEXIST:
		return false, nil
	}
	return false, osError("mkdir", dir, err)
}

// lockRunDir makes the run directory if needed and takes an exclusive
// lock on it. If another Add removed the directory (see unmakeDir) while
// this one waited for the lock, it starts again.
func lockRunDir(dir string) (lock int, made bool, err error) {
	for range 8 {
		made, err = makeDir(dir)
		if err != nil {
			return -1, false, err
		}
		lock, err = openDir(dir)
		if err != nil {
			return -1, false, err
		}
		flock(lock, unix.LOCK_EX)
		var st unix.Stat_t
		if unix.Fstat(lock, &st) == nil && st.Nlink == 0 {
			unix.Close(lock)
			continue
		}
		return lock, made, nil
	}
	return -1, false, osError("lock", dir, unix.ENOENT)
}

// unmakeDir undoes a run directory that this Add made and could not make
// shared, so that a refused Add leaves nothing behind. It holds the lock.
func unmakeDir(dir string) {
	unix.Unmount(dir, unix.MNT_DETACH) // in case the self-bind was made
	unix.Rmdir(dir)
}

// makeShared makes dir a shared mount, so that a name unmounted in one
// mount namespace is unmounted in the others that see it, and the
// namespace can go. Where dir is not a mount point (EINVAL), it is first
// bound onto itself and made private, which puts it in a peer group of
// its own (iproute2 commit 82c8b9fe: otherwise a shared /run makes
// duplicate mounts), and the call is tried again.
func makeShared(dir string) error {
	bound := false
	for {
		err := unix.Mount("", dir, "none", unix.MS_SHARED|unix.MS_REC, "")
		if err == nil {
			return nil
		}
		if err != unix.EINVAL || bound {
			return osError("mount --make-rshared", dir, err)
		}
		if err := unix.Mount(dir, dir, "none", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return osError("mount --rbind", dir, err)
		}
		if err := unix.Mount("", dir, "none", unix.MS_PRIVATE|unix.MS_REC, ""); err != nil {
			return osError("mount --make-rprivate", dir, err)
		}
		bound = true
	}
}

// hasCapSysAdmin reports whether the calling thread has CAP_SYS_ADMIN in
// its effective set. If capget fails it answers true and lets the kernel
// decide. Having it is necessary, not sufficient: the kernel checks it
// against the user namespace that owns the mount and network namespaces.
func hasCapSysAdmin() bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return true
	}
	const c = unix.CAP_SYS_ADMIN
	return data[c/32].Effective&(1<<(c%32)) != 0
}

// Add creates a network namespace named name, as `ip netns add NAME`.
//
// It follows iproute2's steps, so that the two can be mixed: create the
// run directory (0755), take an exclusive flock on it, make it a shared
// mount (binding it onto itself first where it is not a mount point),
// create the file NAME with O_CREAT|O_EXCL (so when several processes add
// the same name, exactly one wins and the others get ErrExist), create
// the namespace with unshare(CLONE_NEWNET) on a dedicated thread that then
// ends, and bind-mount the namespace onto the file. On any failure the
// file is removed. Unlike iproute2, Add keeps the lock until the name is
// complete, so List, Open and Watch in other nsfs users never mistake a
// name being added for a stale one.
//
// Without CAP_SYS_ADMIN Add fails with ErrPermission before touching
// anything. The name must pass ValidName.
func (d *Dir) Add(name string) error {
	_, err := d.add("add", name, false, nil)
	return err
}

// AddIfNotExists is Add that succeeds without doing anything when name is
// already a namespace; created says whether it made it. A name whose file
// is not a namespace mount gives ErrStale.
func (d *Dir) AddIfNotExists(name string) (created bool, err error) {
	return d.add("add", name, true, nil)
}

// Attach names the namespace ns, as `ip netns attach NAME PID` does for a
// process's namespace: the same steps as Add, binding ns instead of a new
// namespace.
func (d *Dir) Attach(name string, ns *NS) error {
	if ns == nil || ns.fd < 0 {
		return &Error{Op: "attach", Name: name, Kind: ErrClosed}
	}
	_, err := d.add("attach", name, false, ns)
	return err
}

// AttachPID names the network namespace of process pid, as
// `ip netns attach NAME PID`.
func (d *Dir) AttachPID(name string, pid int) error {
	if err := ValidName(name); err != nil {
		return renameOp(err, "attach")
	}
	ns, err := OpenPID(pid)
	if err != nil {
		return err
	}
	defer ns.Close()
	return d.Attach(name, ns)
}

func renameOp(err error, op string) error {
	var e *Error
	if errors.As(err, &e) {
		c := *e
		c.Op = op
		return &c
	}
	return err
}

func (d *Dir) add(op, name string, ifNotExists bool, ns *NS) (created bool, err error) {
	if err := ValidName(name); err != nil {
		return false, renameOp(err, op)
	}
	fail := func(err error) (bool, error) { return false, newError(op, name, nil, err) }
	if !hasCapSysAdmin() {
		return false, &Error{Op: op, Name: name, Kind: ErrPermission, Err: errors.New("no CAP_SYS_ADMIN in the effective capability set")}
	}
	dir := d.dir()
	lock, made, err := lockRunDir(dir)
	if err != nil {
		return fail(err)
	}
	defer unix.Close(lock) // releases the lock
	if err := d.step("locked"); err != nil {
		return fail(err)
	}
	if err := makeShared(dir); err != nil {
		if made {
			unmakeDir(dir)
		}
		return fail(err)
	}
	// Open the directory again: the lock's descriptor may be on the
	// mount that the self-bind just covered, and the name must be
	// mounted on in the shared one.
	dfd, err := openDir(dir)
	if err != nil {
		return fail(err)
	}
	defer unix.Close(dfd)

	path := filepath.Join(dir, name)
	fd, err := unix.Openat(dfd, name, unix.O_RDONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err == unix.EEXIST && ifNotExists {
		e, serr := entryAt(dfd, name, nsfsDev())
		if serr != nil {
			return fail(serr)
		}
		if e.Stale {
			return false, &Error{Op: op, Name: name, Kind: ErrStale}
		}
		return false, nil
	}
	if err != nil {
		return fail(osError("create", path, err))
	}
	err = d.step("created")
	if err == nil {
		if ns == nil {
			err = newNetNSOnto(fdPath(fd), d.step)
		} else {
			err = unix.Mount(fdPath(ns.fd), fdPath(fd), "none", unix.MS_BIND, "")
			err = osError("mount --bind "+ns.path, path, err)
		}
	}
	unix.Close(fd)
	if err == nil {
		err = d.step("bound")
	}
	if err != nil {
		d.removeName(dfd, name)
		return fail(err)
	}
	return true, nil
}

// maxStacked bounds the mounts Delete takes off one name.
const maxStacked = 16

// removeName unmounts everything mounted on name and unlinks it.
func (d *Dir) removeName(dfd int, name string) error {
	p := fdPath(dfd) + "/" + name
	for range maxStacked {
		err := unix.Unmount(p, unix.MNT_DETACH|unix.UMOUNT_NOFOLLOW)
		if err == nil {
			continue
		}
		if err == unix.EINVAL {
			break // not a mount point (any more)
		}
		// EPERM: no right to unmount. A plain file can still be
		// unlinked; a mounted one cannot.
		if isNSFS(p) {
			return osError("umount", name, err)
		}
		break
	}
	d.step("unmounted")
	var err error
	for range maxStacked {
		err = unix.Unlinkat(dfd, name, 0)
		if err != unix.EBUSY {
			break
		}
		// A mount was stacked on the name again meanwhile.
		unix.Unmount(p, unix.MNT_DETACH|unix.UMOUNT_NOFOLLOW)
	}
	return osError("unlink", name, err)
}

func isNSFS(path string) bool {
	var fs unix.Statfs_t
	return unix.Statfs(path, &fs) == nil && fs.Type == unix.NSFS_MAGIC
}

// Delete removes the name, as `ip netns delete NAME`: it lazily unmounts
// the namespace (MNT_DETACH) and unlinks the file. The namespace itself
// lives on while processes or handles use it. A stale name (a file that is
// not a namespace mount) is removed too. Delete accepts any name iproute2
// could have made, including names ValidName refuses.
func (d *Dir) Delete(name string) error {
	if err := checkPathName(name); err != nil {
		return renameOp(err, "delete")
	}
	dir := d.dir()
	lock, dfd, err := lockedDir(dir, unix.LOCK_EX)
	if err != nil {
		return newError("delete", name, nil, err)
	}
	defer unix.Close(lock)
	defer unix.Close(dfd)
	var st unix.Stat_t
	if err := unix.Fstatat(dfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return newError("delete", name, nil, osError("stat", filepath.Join(dir, name), err))
	}
	if err := d.removeName(dfd, name); err != nil {
		return newError("delete", name, nil, err)
	}
	return nil
}

// Entry is one name in a Dir.
type Entry struct {
	// Name is the file name as it is, which may hold characters that
	// ValidName refuses when another tool made it; print it with Quote.
	Name string
	// ID is the namespace; zero when Stale.
	ID ID
	// Stale is set when the file is not a namespace mount: left by a
	// crash or by an add that could not bind, it makes `ip netns exec`
	// fail and `ip netns add` say "File exists". Delete removes it.
	Stale bool
}

// nsfsDev returns the device of nsfs, which every namespace file shares;
// 0 if it cannot be read.
func nsfsDev() uint64 {
	var st unix.Stat_t
	if unix.Stat("/proc/thread-self/ns/net", &st) != nil {
		return 0
	}
	return st.Dev
}

// entryAt describes the name in the directory dfd without opening it: a
// namespace mount is a regular file on nsfs's device (stat follows the
// mount, not symlinks).
func entryAt(dfd int, name string, nsdev uint64) (Entry, error) {
	var st unix.Stat_t
	if err := unix.Fstatat(dfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return Entry{Name: name}, osError("stat", name, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || nsdev == 0 || st.Dev != nsdev {
		return Entry{Name: name, Stale: true}, nil
	}
	return Entry{Name: name, ID: ID{Dev: st.Dev, Ino: st.Ino}}, nil
}

// List returns the names in the directory, sorted, with stale ones marked,
// as `ip netns list`. A missing directory has no names. List takes a
// shared lock, so names being added by nsfs elsewhere show complete.
func (d *Dir) List() ([]Entry, error) {
	dir := d.dir()
	lock, dfd, err := lockedDir(dir, unix.LOCK_SH)
	if errors.Is(err, unix.ENOENT) {
		return nil, nil
	}
	if err != nil {
		return nil, newError("list", dir, nil, err)
	}
	defer unix.Close(lock)
	defer unix.Close(dfd)
	names, err := readNames(dfd)
	if err != nil {
		return nil, newError("list", dir, nil, osError("getdents", dir, err))
	}
	slices.Sort(names)
	dev := nsfsDev()
	entries := make([]Entry, 0, len(names))
	for _, n := range names {
		e, err := entryAt(dfd, n, dev)
		if errors.Is(err, unix.ENOENT) {
			continue // deleted meanwhile by a tool that does not lock
		}
		if err != nil {
			return nil, newError("list", dir, nil, err)
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// readNames reads the directory's names, without "." and "..".
func readNames(dfd int) ([]string, error) {
	fd, err := unix.Openat(dfd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	var names []string
	buf := make([]byte, 8192)
	for {
		n, err := unix.ReadDirent(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			return names, nil
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
}

// Open opens the namespace called name. A name whose file is not a
// namespace mount gives ErrStale; a name that does not exist, ErrNotExist.
func (d *Dir) Open(name string) (*NS, error) {
	if err := checkPathName(name); err != nil {
		return nil, renameOp(err, "open")
	}
	dir := d.dir()
	path := filepath.Join(dir, name)
	ns, err := d.open(dir, name, path)
	if errors.Is(err, ErrStale) {
		// Perhaps an Add is under way: wait for it, and look again.
		if dfd, derr := openDir(dir); derr == nil {
			flock(dfd, unix.LOCK_SH)
			ns, err = d.open(dir, name, path)
			unix.Close(dfd)
		}
	}
	return ns, err
}

func (d *Dir) open(dir, name, path string) (*NS, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, newError("open", name, nil, osError("open", path, err))
	}
	if err := checkNetNS(fd); err != nil {
		kind := ErrNotNetNS
		var fs unix.Statfs_t
		if unix.Fstatfs(fd, &fs) == nil && fs.Type != unix.NSFS_MAGIC {
			kind = ErrStale
		}
		unix.Close(fd)
		return nil, &Error{Op: "open", Name: name, Kind: kind, Err: err}
	}
	return newNS(fd, path)
}

// NamesOf returns the names of the namespace ns (usually one; none when it
// has no name), as `ip netns identify` does for a process.
func (d *Dir) NamesOf(ns *NS) ([]string, error) {
	entries, err := d.List()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.Stale && e.ID == ns.ID() {
			names = append(names, e.Name)
		}
	}
	return names, nil
}

// Identify returns the names of process pid's network namespace, as
// `ip netns identify PID`.
func (d *Dir) Identify(pid int) ([]string, error) {
	ns, err := OpenPID(pid)
	if err != nil {
		return nil, renameOp(err, "identify")
	}
	defer ns.Close()
	return d.NamesOf(ns)
}

// Pids returns the processes in the namespace called name, as
// `ip netns pids NAME`.
func (d *Dir) Pids(name string) ([]int, error) {
	ns, err := d.Open(name)
	if err != nil {
		return nil, renameOp(err, "pids")
	}
	defer ns.Close()
	return PidsOf(ns)
}

// PidsOf returns the processes whose network namespace is ns, sorted: it
// compares each /proc/PID/ns/net with ns by device and inode, as iproute2
// does. Processes whose namespace cannot be read (another user's, without
// privilege) are left out, and so are threads that switched alone.
func PidsOf(ns *NS) ([]int, error) {
	proc, err := os.Open("/proc")
	if err != nil {
		return nil, newError("pids", ns.path, nil, err)
	}
	defer proc.Close()
	names, err := proc.Readdirnames(-1)
	if err != nil {
		return nil, newError("pids", ns.path, nil, err)
	}
	var pids []int
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil || pid <= 0 {
			continue
		}
		var st unix.Stat_t
		if unix.Stat("/proc/"+n+"/ns/net", &st) != nil {
			continue
		}
		if (ID{Dev: st.Dev, Ino: st.Ino}) == ns.ID() {
			pids = append(pids, pid)
		}
	}
	slices.Sort(pids)
	return pids, nil
}
