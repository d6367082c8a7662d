package main

import (
	"fmt"
	"strings"
)

// matches reports whether arg abbreviates keyword the way iproute2's
// matches() accepts: a non-empty prefix of it.
func matches(arg, keyword string) bool {
	return arg != "" && strings.HasPrefix(keyword, arg)
}

// usageError is a command-line mistake. iproute2 prints these and exits
// with status 255 (-1), before anything is sent to the kernel.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// errIncomplete is iproute2's complaint about a keyword without its value.
func errIncomplete() error {
	return usagef(`Command line is not complete. Try option "help"`)
}

// errGarbage is iproute2's complaint about an unexpected word.
func errGarbage(key, word string) error {
	return usagef(`Error: either "%s" is duplicate, or "%s" is a garbage.`, key, word)
}

// errInvalidArg is iproute2's complaint about a value it cannot parse.
func errInvalidArg(value, what string) error {
	return usagef("Error: argument \"%s\" is wrong: %s\n", value, what)
}

// args walks a command line.
type args struct {
	a []string
	i int
}

func newArgs(a []string) *args { return &args{a: a} }

// more reports whether words are left.
func (p *args) more() bool { return p.i < len(p.a) }

// peek returns the next word without taking it, or "".
func (p *args) peek() string {
	if p.i < len(p.a) {
		return p.a[p.i]
	}
	return ""
}

// next takes the next word.
func (p *args) next() string {
	s := p.peek()
	p.i++
	return s
}

// rest returns the words not yet taken.
func (p *args) rest() []string {
	if p.i >= len(p.a) {
		return nil
	}
	return p.a[p.i:]
}

// value takes the word after a keyword; a missing one is iproute2's
// "Command line is not complete".
func (p *args) value() (string, error) {
	if !p.more() {
		return "", errIncomplete()
	}
	return p.next(), nil
}

// onOff takes "on" or "off".
func (p *args) onOff(what string) (bool, error) {
	s, err := p.value()
	if err != nil {
		return false, err
	}
	switch s {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, usagef("Error: argument of %q must be \"on\" or \"off\", not %q", what, s)
}
