// Command linkbox is one static program that speaks the command lines of
// iproute2's ip and bridge, bridge-utils' brctl, and the classic ifconfig
// and ping, over rtnetlink built by hand. Invoked through a link named ip,
// brctl, bridge, ifconfig or ping it acts as that program; otherwise the
// first argument names the applet: linkbox ip link show.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
)

// The main goroutine stays on the main thread for the life of the process,
// so that no code running on it can leave the main thread, the one the
// runtime will not let die, in another namespace (PITFALLS A.2).
func init() { runtime.LockOSThread() }

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// applet is one program linkbox can act as.
type applet struct {
	run   func(e *env, args []string) int
	usage string
}

// applets are the programs linkbox can act as, by name. --install links
// each of them to the binary.
var applets = map[string]applet{
	"ip":       {ipMain, "ip [ OPTIONS ] OBJECT { COMMAND | help }"},
	"ping":     {pingMain, pingUsage},
	"ifconfig": {ifconfigMain, ifconfigUsage},
	"brctl":    {brctlMain, brctlUsage},
	"bridge":   {bridgeMain, bridgeUsage},
	"topo":     {topoMain, topoUsage},
	"decode":   {decodeMain, decodeUsage},

	// The CNI plugin; runtimes run it through the link linkbox-cni.
	"cni":         {cniMain, cniUsage},
	"linkbox-cni": {cniMain, cniUsage},
}

func main() {
	// linkbox's heap is small and short-lived: a dump's datagrams, one
	// decoded link at a time. Collecting at half the default growth keeps
	// the peak RSS of a long -batch or of listing thousands of links under
	// 10 MB, for no measurable time (make bench). GOGC still overrides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	e := newEnv(os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	code := run(e, os.Args)
	e.close()
	os.Exit(code)
}

// run dispatches argv to an applet and returns the exit status.
func run(e *env, argv []string) int {
	name := filepath.Base(argv[0])
	rest := argv[1:]
	if _, ok := applets[name]; !ok {
		// Called as linkbox: options for linkbox itself, then the applet.
		var code int
		var done bool
		rest, code, done = e.linkboxOptions(rest)
		if done {
			return code
		}
		if len(rest) == 0 {
			e.usage(e.stderr)
			return 1
		}
		name, rest = rest[0], rest[1:]
	}
	a, ok := applets[name]
	if !ok {
		fmt.Fprintf(e.stderr, "linkbox: unknown applet %q\n", name)
		e.usage(e.stderr)
		return 1
	}
	// The wire switches may also follow the applet's name, and each has
	// an environment form for scripts that call ip or brctl through the
	// links.
	rest = e.wireOptions(rest)
	if err := e.wireFromEnvironment(); err != nil {
		return e.report("linkbox", err)
	}
	return a.run(e, rest)
}

// linkboxOptions handles the options that come before an applet's name.
// done means the program has nothing more to do, with status code.
func (e *env) linkboxOptions(args []string) (rest []string, code int, done bool) {
	for len(args) > 0 {
		switch a := args[0]; a {
		case "--help", "-h", "help":
			e.usage(e.stdout)
			return nil, 0, true
		case "--version", "-V":
			fmt.Fprintf(e.stdout, "linkbox %s (%s)\n", version, runtime.Version())
			return nil, 0, true
		case "--install":
			if len(args) < 2 {
				fmt.Fprintln(e.stderr, "linkbox: --install needs a directory")
				return nil, 1, true
			}
			return nil, e.install(args[1]), true
		case "--list":
			for _, n := range appletNames() {
				fmt.Fprintln(e.stdout, n)
			}
			return nil, 0, true
		default:
			rest := e.wireOptions(args)
			if len(rest) == len(args) {
				return args, 0, false
			}
			args = rest
		}
	}
	return args, 0, false
}

func appletNames() []string {
	names := make([]string, 0, len(applets))
	for n := range applets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (e *env) usage(w io.Writer) {
	fmt.Fprintf(w, `Usage: linkbox [--trace] [--dry-run] [--pcap FILE] APPLET [ARGS...]
       linkbox --install DIR | --list | --help | --version

linkbox wires network namespaces, veth pairs and bridges together over
rtnetlink. Invoked through a link named after an applet, it acts as that
program.

Applets:
`)
	for _, n := range appletNames() {
		fmt.Fprintf(w, "  %-9s %s\n", n, applets[n].usage)
	}
	fmt.Fprint(w, `
Wire switches (also right after the applet's name, or from the environment):
  --trace        print every netlink message sent and received, annotated  (LINKBOX_TRACE=1)
  --dry-run      print the requests that would change state, send none     (LINKBOX_DRY_RUN=1)
  --pcap FILE    write every message to FILE as a LINKTYPE_NETLINK pcap    (LINKBOX_PCAP=FILE)
`)
}

// install makes a symbolic link to this binary for each applet in dir,
// as busybox --install does. Existing files are left alone.
func (e *env) install(dir string) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(e.stderr, "linkbox: --install: %v\n", err)
		return 1
	}
	if self, err = filepath.Abs(self); err != nil {
		fmt.Fprintf(e.stderr, "linkbox: --install: %v\n", err)
		return 1
	}
	code := 0
	for _, n := range appletNames() {
		p := filepath.Join(dir, n)
		if err := os.Symlink(self, p); err != nil {
			if t, _ := os.Readlink(p); os.IsExist(err) && t == self {
				continue
			}
			fmt.Fprintf(e.stderr, "linkbox: --install: %v\n", err)
			code = 1
		}
	}
	return code
}
