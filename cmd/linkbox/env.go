package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/bridge"
	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/veth"
)

// env is one run of an applet: its streams, its switches, and the netlink
// connections it opened. Nothing in the program is global; tests run
// applets side by side with envs of their own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	// Wire switches: --trace, --dry-run, --pcap FILE.
	trace    bool
	dryRun   bool
	pcapPath string
	wire     *wireTap // set up from the switches on first use

	conns map[string]*rtnl.Conn // by namespace name; "" is the current one
	netns string                // ip -n NAME: where conn() connects

	// cacheIndexes makes new connections remember link names resolved
	// to indexes (ip -batch; see rtnl.Conn.CacheLinkIndexes).
	cacheIndexes bool
}

// kinds are the link kinds every decoder in the program knows.
var kinds = rtnl.Kinds{veth.Kind, bridge.Kind, bridge.PortKind}

func newEnv(stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) *env {
	return &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, conns: map[string]*rtnl.Conn{}}
}

// conn returns the connection to the namespace chosen with -n, or the
// current one.
func (e *env) conn() (*rtnl.Conn, error) { return e.connIn(e.netns) }

// connIn returns a connection whose socket lives in the named namespace
// ("" for the current one). The socket is opened inside the namespace once;
// no thread of this process switches.
func (e *env) connIn(ns string) (*rtnl.Conn, error) {
	if c, ok := e.conns[ns]; ok {
		return c, nil
	}
	cfg := &rtnl.Config{Kinds: kinds}
	if ns != "" {
		f, err := openNetns(ns)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		cfg.NetNS = int(f.Fd())
	}
	c, err := e.dial(cfg)
	if err != nil {
		return nil, err
	}
	c.CacheLinkIndexes(e.cacheIndexes)
	e.conns[ns] = c
	return c, nil
}

// close closes every connection and flushes the wire switches' output.
func (e *env) close() {
	for _, c := range e.conns {
		c.Close()
	}
	e.conns = map[string]*rtnl.Conn{}
	if e.wire != nil {
		e.wire.close()
	}
}

// cliError is an error with iproute2's wording and exit status.
type cliError struct {
	code int
	msg  string
}

func (e *cliError) Error() string { return e.msg }

// errNoDevice is iproute2's message for a name that resolves to no link.
func errNoDevice(name string) error {
	return &cliError{code: 1, msg: fmt.Sprintf("Cannot find device %q", name)}
}

// errText is strerror(3)'s wording of an error's errno, capitalised as
// glibc prints it, or the error's own text.
func errText(err error) string {
	var errno unix.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return err.Error()
}

// report prints err the way iproute2 would and returns the exit status.
func (e *env) report(prog string, err error) int {
	if err == nil {
		return 0
	}
	var ue *usageError
	var ce *cliError
	var ke *rtnl.Error
	switch {
	case errors.As(err, &ue):
		fmt.Fprintln(e.stderr, ue.msg)
		return 255
	case errors.As(err, &ce):
		if ce.msg != "" { // empty: the message went out already
			fmt.Fprintln(e.stderr, ce.msg)
		}
		return ce.code
	case errors.As(err, &ke):
		fmt.Fprintln(e.stderr, kernelErrorText(ke))
		return 2
	}
	fmt.Fprintf(e.stderr, "%s: %v\n", prog, err)
	return 1
}

// kernelErrorText words a kernel error as iproute2 does: the extended-ack
// message when the kernel gave one, "RTNETLINK answers: strerror" when not.
// linkbox adds the attribute the kernel pointed at, which iproute2 omits.
func kernelErrorText(ke *rtnl.Error) string {
	var b strings.Builder
	if ke.Message != "" {
		b.WriteString("Error: ")
		b.WriteString(ke.Message)
		b.WriteString(".")
	} else {
		b.WriteString("RTNETLINK answers: ")
		b.WriteString(errText(ke.Errno))
	}
	if ke.Attr != "" {
		fmt.Fprintf(&b, " (attribute %s)", ke.Attr)
	}
	return b.String()
}
