package nsfs_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"

	"github.com/linkbox/linkbox/nsfs"
)

func ExampleValidName() {
	for _, name := range []string{"blue", "a/b", "..", "nl\nx"} {
		err := nsfs.ValidName(name)
		fmt.Printf("%-8s %v\n", nsfs.Quote(name), errors.Is(err, nsfs.ErrInvalidName))
	}
	// Output:
	// blue     false
	// a/b      true
	// ..       true
	// nl\nx    true
}

func ExampleQuote() {
	// A name made by another tool may hold a newline; List returns it as
	// it is, and Quote prints it on one line.
	fmt.Println(nsfs.Quote("blue"))
	fmt.Println(nsfs.Quote("nl\nx"))
	fmt.Println(nsfs.Quote("tab\there"))
	// Output:
	// blue
	// nl\nx
	// tab\there
}

func ExampleError() {
	err := &nsfs.Error{Op: "add", Name: "blue", Kind: nsfs.ErrExist}
	fmt.Println(err)
	fmt.Println(errors.Is(err, nsfs.ErrExist), errors.Is(err, os.ErrExist))
	// Output:
	// nsfs: add "blue": namespace name already exists
	// true true
}

// The equivalent of `ip netns add blue; ip netns exec blue ip link;
// ip netns delete blue`.
func ExampleDir_Add() {
	var d nsfs.Dir // the zero Dir is iproute2's /run/netns
	if err := d.Add("blue"); err != nil {
		log.Fatal(err)
	}
	cmd := exec.Command("ip", "link")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := d.Run("blue", cmd); err != nil {
		log.Print(err) // an *exec.ExitError carries the command's status
	}
	if err := d.Delete("blue"); err != nil {
		log.Fatal(err)
	}
}

// Run a function inside a named namespace.
func ExampleDo() {
	var d nsfs.Dir
	ns, err := d.Open("blue")
	if err != nil {
		log.Fatal(err)
	}
	defer ns.Close()
	err = nsfs.Do(ns, func() error {
		// Only this goroutine is in "blue"; goroutines started here
		// are not.
		cur, err := nsfs.Current()
		if err != nil {
			return err
		}
		defer cur.Close()
		fmt.Println(cur.Equal(ns)) // true
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}

// Work on a namespace's links without switching any thread: the socket
// lives in the namespace.
func ExampleDir_Dial() {
	var d nsfs.Dir
	c, err := d.Dial("blue", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	links, err := c.Links()
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range links {
		fmt.Println(l.Index, l.Attrs.Name)
	}
}
