// Package nsfs manages Linux network namespaces the way iproute2's
// `ip netns` does, so that the two can be mixed freely: a namespace named by
// either is listed, used and deleted by the other.
//
// # Handles
//
// An NS is an open file descriptor on a namespace's nsfs file, opened
// close-on-exec and closed by a cleanup if the caller forgets Close. Open
// takes any path (/proc/PID/ns/net, /run/netns/NAME), OpenPID a process,
// Current the calling thread's namespace (/proc/thread-self/ns/net; never
// /proc/self/ns/net, which is the main thread's). Two handles are on the same
// namespace when their IDs (device and inode) are equal.
//
// # Named namespaces
//
// A Dir is a run directory, /run/netns by default (DefaultRunDir). A name is
// an empty file there with the namespace's nsfs file bind-mounted on it. Add
// follows iproute2's steps: make the directory (0755), flock it, make it a
// shared mount (binding it onto itself first where it is not a mount point),
// create the file with O_CREAT|O_EXCL, create the namespace with
// unshare(CLONE_NEWNET) on a dedicated thread, bind it onto the file, and
// remove the file on any failure. Because the file is created exclusively,
// of several processes adding one name exactly one wins and the others get
// ErrExist. Delete unmounts lazily and unlinks, as iproute2 does, so a
// namespace in use lives on without its name.
//
// Two things go beyond iproute2. Add keeps the directory's lock until the
// name is complete, and List, Open and Watch wait for it where a name could
// be half made; so nsfs users never see another nsfs user's name being added
// as a stale one (iproute2 drops the lock before creating the file, so a name
// it is adding can still be seen half made). And names are checked before
// they are made (ValidName): iproute2 refuses empty names, "." and "..",
// names with '/' and names over 255 bytes; nsfs also refuses NUL, invalid
// UTF-8, control characters and other unprintable runes, since iproute2
// would accept "a\nb" and then list it as two lines. Names other tools made
// are still listed as they are, opened and deleted; Quote prints them on one
// line.
//
// A file in the run directory that is not a namespace mount, left by a crash
// or a failed bind, is reported Stale by List, gives ErrStale from Open, and
// is removed by Delete, after which the name can be added again.
//
// # Threads
//
// A namespace belongs to a thread, and Go moves goroutines between threads.
// nsfs changes a thread's namespace only on a fresh goroutine locked to its
// thread. Do switches that thread into a namespace, runs fn, switches back,
// and unlocks the thread only if switching back succeeded; otherwise the
// goroutine exits still locked and the runtime ends the thread. Add and Start
// use a thread that is never handed back at all: it ends when its work is
// done.
//
// None of this ever runs on the main thread. The runtime cannot end the main
// thread when a goroutine exits locked to it; it wedges it instead, in
// whatever namespace it was left in, for the life of the process. A binary
// should lock its main goroutine in init (cmd/linkbox does), but nsfs does
// not rely on it: when its fresh goroutine lands on the main thread, it keeps
// that thread occupied while a second goroutine, which therefore runs
// elsewhere, does the work. The package's tests run without locking the main
// thread and check, after a thousand mixed operations, that every thread of
// the process, the main one included, is still in its original namespace.
//
// Goroutines started inside Do's fn do not inherit the namespace: they run on
// other threads, in the process's namespace. For work on a namespace's links
// no switch is needed at all: Dial opens an rtnetlink socket inside the
// namespace (created by mdlayher/netlink on a thread of its own), and that
// socket stays there whatever thread uses it.
//
// This package is the only one in the tree that calls setns(2) or
// unshare(2), and within it one file does (a test checks the tree).
//
// # Running commands
//
// Start runs a command as `ip netns exec NAME cmd...` does: in the namespace,
// in a mount namespace of its own whose / is a slave (so nothing mounted
// there propagates back), with a fresh sysfs on /sys that shows the
// namespace's devices, and with each entry of /etc/netns/NAME bind-mounted
// over the same name in /etc. The caller passes an *exec.Cmd, so argv,
// environment and stdio are its own, and cmd.Wait returns the command's exit
// status.
//
// All of that is done in-process, on a dedicated locked thread: the thread
// joins the namespace, unshares its mount namespace (possible on one thread
// of a multi-threaded process, unlike joining one), makes the mounts, and
// forks the command, which inherits the thread's namespaces; then the thread
// ends. The alternative, re-executing the binary with a marker so that a
// fresh single-threaded process does the setup before exec, was not taken: it
// needs a hook that runs before main in every binary that uses nsfs, trusts
// /proc/self/exe to be that binary, and costs a second exec. With the locked
// thread, nothing of the process outside that thread changes, and the thread
// never runs anything else. One consequence is documented on Start: a
// parent-death signal is sent when the forking thread ends, so when the
// command asks for one, the thread waits, blocked, until the command exits.
//
// # Namespace ids
//
// A namespace gives its peers ids (NSIDs), which IFLA_LINK_NETNSID uses to
// say where a veth's peer lives. NSID, SetNSID and Dir.ListNSIDs read and set
// them through an rtnl.Conn (RTM_GETNSID, RTM_NEWNSID); NameOfNSID turns an
// id back into a name by asking each name's id, as iproute2 does.
//
// # Errors and privilege
//
// Errors are *Error values carrying the operation, the name, a kind and the
// cause. The kinds are sentinels (ErrExist, ErrNotExist, ErrPermission,
// ErrInvalidName, ErrStale, ErrNotNetNS, ...) that also match their errno and
// the os sentinels: errors.Is(err, ErrExist), errors.Is(err, os.ErrExist) and
// errors.Is(err, unix.EEXIST) all hold for a name that is taken.
//
// Making, mounting and entering namespaces needs CAP_SYS_ADMIN. Add checks
// the effective capability set first and fails with ErrPermission before
// touching anything; where the capability is there but the kernel still
// refuses (it checks against the user namespace that owns the mounts), Add
// removes the run directory if it made it, and nothing else was created.
//
// Every descriptor nsfs opens (handles, directories, inotify, and the
// sockets rtnl opens) is close-on-exec: a command started by Start or by any
// other exec holds none of them.
package nsfs
