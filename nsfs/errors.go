package nsfs

import (
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Sentinel errors. Each one that has an errno matches it too, and through it
// the os sentinels: errors.Is(err, ErrExist), errors.Is(err, os.ErrExist)
// and errors.Is(err, unix.EEXIST) are all true for a name that exists.
var (
	// ErrExist reports that the name is taken (EEXIST).
	ErrExist error = &kindError{"namespace name already exists", unix.EEXIST}
	// ErrNotExist reports that there is no such name, or no such run
	// directory or process (ENOENT).
	ErrNotExist error = &kindError{"no such namespace", unix.ENOENT}
	// ErrPermission reports missing privilege (EPERM, EACCES): creating,
	// mounting, unmounting or entering a namespace needs CAP_SYS_ADMIN.
	ErrPermission error = &kindError{"permission denied", unix.EPERM}
	// ErrInvalidName reports a name that cannot be a namespace name; see
	// ValidName.
	ErrInvalidName error = &kindError{"invalid namespace name", unix.EINVAL}
	// ErrStale reports a file in the run directory that is not a
	// namespace mount: left behind by a crash, or by an add that could not
	// bind the namespace. Delete removes it.
	ErrStale error = &kindError{"stale name: the file is not a namespace mount (delete it)", 0}
	// ErrNotNetNS reports a file that is not a network namespace.
	ErrNotNetNS error = &kindError{"not a network namespace", 0}
	// ErrClosed reports use of a closed handle or watcher.
	ErrClosed error = &kindError{"use of closed namespace handle", 0}
	// ErrOverflow reports that a Watcher lost events (IN_Q_OVERFLOW): list
	// the directory again.
	ErrOverflow error = &kindError{"watch queue overflowed, events were lost: list again", 0}
)

// kindError is a sentinel that also matches its errno, if it has one.
type kindError struct {
	msg   string
	errno unix.Errno
}

// Error returns the sentinel's message.
func (e *kindError) Error() string { return "nsfs: " + e.msg }

// Is matches the errno and what the errno matches (os.ErrExist for EEXIST).
func (e *kindError) Is(target error) bool {
	if e.errno == 0 {
		return false
	}
	return target == e.errno || e.errno.Is(target)
}

// Error is the error of an nsfs operation: the operation, the name or path
// it was about, the kind of failure (one of the sentinels, or nil) and the
// cause (an errno, usually). errors.Is matches both the kind and the cause.
type Error struct {
	Op   string // "add", "delete", "open", "exec", "setns", ...
	Name string // namespace name or path
	Kind error  // ErrExist, ErrNotExist, ErrPermission, ... or nil
	Err  error  // the cause, or nil
}

// Error returns "nsfs: OP "NAME": KIND: CAUSE", leaving out what is not
// set.
func (e *Error) Error() string {
	s := "nsfs: " + e.Op
	if e.Name != "" {
		s += " " + strconv.Quote(e.Name)
	}
	if k, ok := e.Kind.(*kindError); ok {
		s += ": " + k.msg
	} else if e.Kind != nil {
		s += ": " + e.Kind.Error()
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the kind and the cause.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// newError builds an *Error, picking the kind from the cause's errno when
// kind is nil.
func newError(op, name string, kind, err error) error {
	if kind == nil {
		kind = kindOf(err)
	}
	return &Error{Op: op, Name: name, Kind: kind, Err: err}
}

// kindOf maps an errno to a sentinel.
func kindOf(err error) error {
	var errno unix.Errno
	if !errors.As(err, &errno) {
		return nil
	}
	switch errno {
	case unix.EEXIST:
		return ErrExist
	case unix.ENOENT, unix.ESRCH:
		return ErrNotExist
	case unix.EPERM, unix.EACCES:
		return ErrPermission
	}
	return nil
}

// osError turns an errno from a path operation into an *os.PathError, so
// the message says which call failed on which file.
func osError(call, path string, err error) error {
	if err == nil {
		return nil
	}
	return &os.PathError{Op: call, Path: path, Err: err}
}
