package nsfs

import (
	"encoding/binary"
	"errors"
	"io"
	"os"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// EventOp says what happened to a name.
type EventOp uint8

// Event operations.
const (
	Added   EventOp = iota + 1 // a name was created (IN_CREATE)
	Deleted                    // a name was removed (IN_DELETE)
)

// String returns the word `ip netns monitor` prints: "add" or "delete".
func (o EventOp) String() string {
	switch o {
	case Added:
		return "add"
	case Deleted:
		return "delete"
	}
	return "unknown"
}

// Event is a name added to or deleted from a Dir. Its String is what
// `ip netns monitor` prints: "add NAME", "delete NAME".
type Event struct {
	Op   EventOp // IN_CREATE or IN_DELETE
	Name string  // the name as it is (struct inotify_event's name)
}

// String returns "add NAME" or "delete NAME", the name quoted by Quote.
func (e Event) String() string { return e.Op.String() + " " + Quote(e.Name) }

// Watcher reports names added to and deleted from a Dir, with inotify on
// the directory, as `ip netns monitor`. Its descriptors are close-on-exec.
type Watcher struct {
	f    *os.File // the inotify instance, under the runtime's poller
	lock int      // the directory, to wait for adds to finish

	mu      sync.Mutex
	pending []Event
	after   error // reported once pending is drained: ErrOverflow, io.EOF
	eof     bool
	buf     []byte
}

// Watch starts watching the directory, creating it (0755) if needed, as
// iproute2 does. An Added event is delivered once the name is complete
// when nsfs added it (Next waits for Add's lock), and as soon as the file
// exists when another tool did.
func (d *Dir) Watch() (*Watcher, error) {
	dir := d.dir()
	if _, err := makeDir(dir); err != nil {
		return nil, newError("watch", dir, nil, err)
	}
	ifd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, newError("watch", dir, nil, os.NewSyscallError("inotify_init1", err))
	}
	if _, err := unix.InotifyAddWatch(ifd, dir, unix.IN_CREATE|unix.IN_DELETE|unix.IN_ONLYDIR); err != nil {
		unix.Close(ifd)
		return nil, newError("watch", dir, nil, osError("inotify_add_watch", dir, err))
	}
	lock, err := openDir(dir)
	if err != nil {
		unix.Close(ifd)
		return nil, newError("watch", dir, nil, err)
	}
	return &Watcher{f: os.NewFile(uintptr(ifd), "inotify:"+dir), lock: lock, buf: make([]byte, 64<<10)}, nil
}

// Next blocks until the next event. After Close it returns ErrClosed; if
// the kernel dropped events it returns ErrOverflow (list the directory
// again); if the directory went away, io.EOF.
func (w *Watcher) Next() (Event, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(w.pending) == 0 {
		if w.buf == nil {
			return Event{}, ErrClosed
		}
		if w.after != nil {
			err := w.after
			if !w.eof {
				w.after = nil
			}
			return Event{}, err
		}
		n, err := w.f.Read(w.buf)
		if errors.Is(err, os.ErrClosed) {
			return Event{}, ErrClosed
		}
		if err != nil {
			return Event{}, newError("watch", "", nil, err)
		}
		w.parse(w.buf[:n])
	}
	e := w.pending[0]
	w.pending = w.pending[1:]
	if e.Op == Added {
		// An nsfs Add holds the lock until the name is complete.
		flock(w.lock, unix.LOCK_SH)
		flock(w.lock, unix.LOCK_UN)
	}
	return e, nil
}

// parse decodes struct inotify_event records: wd, mask, cookie, len (four
// 32-bit words), then len bytes of NUL-padded name.
func (w *Watcher) parse(b []byte) {
	const hdr = unix.SizeofInotifyEvent
	for len(b) >= hdr {
		mask := binary.NativeEndian.Uint32(b[4:8])
		n := int(binary.NativeEndian.Uint32(b[12:16]))
		if n > len(b)-hdr {
			w.after = newError("watch", "", nil, io.ErrUnexpectedEOF)
			return
		}
		name := strings.TrimRight(string(b[hdr:hdr+n]), "\x00")
		b = b[hdr+n:]
		switch {
		case mask&unix.IN_Q_OVERFLOW != 0:
			w.after = &Error{Op: "watch", Kind: ErrOverflow}
		case mask&unix.IN_IGNORED != 0:
			w.after, w.eof = io.EOF, true
		case mask&unix.IN_CREATE != 0:
			w.pending = append(w.pending, Event{Op: Added, Name: name})
		case mask&unix.IN_DELETE != 0:
			w.pending = append(w.pending, Event{Op: Deleted, Name: name})
		}
	}
}

// Close stops the watcher; a Next blocked in another goroutine returns
// ErrClosed.
func (w *Watcher) Close() error {
	err := w.f.Close() // unblocks Next
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.buf == nil {
		return ErrClosed
	}
	w.buf = nil
	unix.Close(w.lock)
	return err
}
