package main

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/linkbox/linkbox/rtnl"
)

// wireOptions takes the wire switches from the front of args.
func (e *env) wireOptions(args []string) []string {
	for len(args) > 0 {
		name, value, hasValue := strings.Cut(args[0], "=")
		switch name {
		case "--trace":
			e.trace = true
		case "--dry-run":
			e.dryRun = true
		case "--pcap":
			if hasValue {
				e.pcapPath = value
			} else if len(args) > 1 {
				e.pcapPath = args[1]
				args = args[1:]
			} else {
				return args
			}
		default:
			return args
		}
		args = args[1:]
	}
	return args
}

// wireFromEnvironment applies LINKBOX_TRACE, LINKBOX_DRY_RUN and
// LINKBOX_PCAP.
func (e *env) wireFromEnvironment() {
	if v := e.getenv("LINKBOX_TRACE"); v != "" && v != "0" {
		e.trace = true
	}
	if v := e.getenv("LINKBOX_DRY_RUN"); v != "" && v != "0" {
		e.dryRun = true
	}
	if v := e.getenv("LINKBOX_PCAP"); v != "" && e.pcapPath == "" {
		e.pcapPath = v
	}
}

// wireTap turns the switches into a trace function for every connection.
type wireTap struct {
	e *env
}

func (w *wireTap) record(dir rtnl.Direction, b []byte) {
	if w.e.trace {
		fmt.Fprintf(w.e.stderr, "%s %d bytes\n%s", dir, len(b), hex.Dump(b))
	}
}

func (w *wireTap) close() {}

// dial opens a connection with the wire switches applied.
func (e *env) dial(cfg *rtnl.Config) (*rtnl.Conn, error) {
	if e.trace || e.pcapPath != "" {
		if e.wire == nil {
			e.wire = &wireTap{e: e}
		}
		cfg.Trace = e.wire.record
	}
	return rtnl.Dial(cfg)
}
