package nsfs

import (
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestWatch(t *testing.T) {
	d := testDir(t)
	w, err := d.Watch()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// Another watcher that is never read: closing it must not hang.
	w2, err := d.Watch()
	if err != nil {
		t.Fatal(err)
	}
	if err := w2.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}

	// Added comes once the name is complete: Add holds the lock from
	// creating the file to binding the namespace, here for a while.
	d.hook = func(step string) error {
		if step == "created" {
			time.Sleep(200 * time.Millisecond)
		}
		return nil
	}
	type next struct {
		ev    Event
		entry Entry
		err   error
	}
	got := make(chan next)
	go func() {
		ev, err := w.Next()
		var e Entry
		if err == nil {
			e, err = entryAt(mustOpenDir(t, d.Path), ev.Name, nsfsDev())
		}
		got <- next{ev, e, err}
	}()
	if err := d.Add("blue"); err != nil {
		t.Fatal(err)
	}
	d.hook = nil
	n := <-got
	if want := (Event{Added, "blue"}); n.err != nil || n.ev != want {
		t.Fatalf("Next: want %v, got %v, %v", want, n.ev, n.err)
	}
	if n.entry.Stale {
		t.Errorf("the name was stale when its Added event came")
	}
	ev := n.ev
	if want, got := "add blue", ev.String(); want != got {
		t.Errorf("String: want %q, got %q", want, got)
	}
	if err := d.Delete("blue"); err != nil {
		t.Fatal(err)
	}
	ev, err = w.Next()
	if want := (Event{Deleted, "blue"}); err != nil || ev != want {
		t.Fatalf("Next: want %v, got %v, %v", want, ev, err)
	}

	// Close unblocks a Next waiting in another goroutine.
	done := make(chan error)
	go func() {
		_, err := w.Next()
		done <- err
	}()
	time.Sleep(50 * time.Millisecond) // let it block; either order passes
	w.Close()
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Errorf("Next after Close: want ErrClosed, got %v", err)
	}
	if err := w.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close: want ErrClosed, got %v", err)
	}
}

func mustOpenDir(t *testing.T, dir string) int {
	t.Helper()
	fd, err := openDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return fd
}
