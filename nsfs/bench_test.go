package nsfs

import (
	"fmt"
	"os/exec"
	"testing"

	"github.com/linkbox/linkbox/nsfs/nstest"
	"github.com/linkbox/linkbox/rtnl"
)

func benchDir(b *testing.B, names ...string) *Dir {
	b.Helper()
	d := testDir(b)
	for _, n := range names {
		if err := d.Add(n); err != nil {
			b.Fatal(err)
		}
	}
	return d
}

// Add then Delete one name: a new network namespace each time.
func BenchmarkAddDelete(b *testing.B) {
	d := benchDir(b, "warm")
	for b.Loop() {
		if err := d.Add("x"); err != nil {
			b.Fatal(err)
		}
		if err := d.Delete("x"); err != nil {
			b.Fatal(err)
		}
	}
}

// The same through iproute2, two processes per round, for comparison.
func BenchmarkIPNetnsAddDelete(b *testing.B) {
	nstest.Require(b)
	if _, err := exec.LookPath("ip"); err != nil {
		b.Skip("skipped: iproute2's ip is not installed")
	}
	for b.Loop() {
		if err := exec.Command("ip", "netns", "add", "bench-x").Run(); err != nil {
			b.Fatal(err)
		}
		if err := exec.Command("ip", "netns", "delete", "bench-x").Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// A switch into a namespace and back, on a fresh locked goroutine.
func BenchmarkDo(b *testing.B) {
	d := benchDir(b, "blue")
	ns, err := d.Open("blue")
	if err != nil {
		b.Fatal(err)
	}
	defer ns.Close()
	for b.Loop() {
		if err := Do(ns, func() error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenClose(b *testing.B) {
	d := benchDir(b, "blue")
	for b.Loop() {
		ns, err := d.Open("blue")
		if err != nil {
			b.Fatal(err)
		}
		ns.Close()
	}
}

func BenchmarkList100(b *testing.B) {
	var names []string
	for i := range 100 {
		names = append(names, fmt.Sprint("n", i))
	}
	d := benchDir(b, names...)
	for b.Loop() {
		ents, err := d.List()
		if err != nil || len(ents) != 100 {
			b.Fatal(len(ents), err)
		}
	}
}

// Start and wait for `true` in a namespace, against a plain exec.
func BenchmarkRunTrue(b *testing.B) {
	d := benchDir(b, "blue")
	b.Run("nsfs", func(b *testing.B) {
		for b.Loop() {
			if err := d.Run("blue", exec.Command("true")); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command("true").Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// A socket in a namespace, against one in the process's own.
func BenchmarkDial(b *testing.B) {
	d := benchDir(b, "blue")
	ns, err := d.Open("blue")
	if err != nil {
		b.Fatal(err)
	}
	defer ns.Close()
	b.Run("in namespace", func(b *testing.B) {
		for b.Loop() {
			c, err := Dial(ns, nil)
			if err != nil {
				b.Fatal(err)
			}
			c.Close()
		}
	})
	b.Run("own namespace", func(b *testing.B) {
		for b.Loop() {
			c, err := rtnl.Dial(nil)
			if err != nil {
				b.Fatal(err)
			}
			c.Close()
		}
	})
}
