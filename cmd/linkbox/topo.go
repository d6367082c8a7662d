package main

import "fmt"

// topoUsage is the applet's line in linkbox --help.
const topoUsage = "topo [--all] [-j [-p] | --dot]"

const topoHelp = `Usage: linkbox topo [--all] [-j [-p] | --dot]

Shows what is wired to what: the current network namespace and every named
one (ip netns), each with its links; bridges with their ports under them;
each veth's other end, found across namespaces through the namespace ids
the kernel reports (IFLA_LINK_NETNSID), so both ends of a pair are named.
Each link shows its kind, state (UP, NO-CARRIER, DOWN), MTU, bridge or port
state and addresses; link-local addresses and loopback devices are left out
of the drawing (the JSON form has every link).

It also points out what looks wrong, marked "!": a veth end that is down
while its peer is up, a bridge port whose MTU differs from its bridge's, an
address on a bridge port, a stale namespace name.

  --all      also every namespace a process is in (named "pid N (comm)")
  -j, --json nodes (links), edges (veth pairs, bridge ports), namespaces and
             problems as JSON; -p indents it
  --dot      Graphviz: linkbox topo --dot | dot -Tsvg > topology.svg
`

// topoMain is `linkbox topo`.
func topoMain(e *env, argv []string) int {
	var o topoOptions
	var jsonOut, pretty, dot bool
	for _, a := range argv {
		switch a {
		case "--all", "-a", "-all":
			o.all = true
		case "-j", "-json", "--json":
			jsonOut = true
		case "-p", "-pretty", "--pretty":
			pretty = true
		case "--dot", "-dot":
			dot = true
		case "-h", "-help", "--help", "help":
			fmt.Fprint(e.stdout, topoHelp)
			return 0
		default:
			fmt.Fprintf(e.stderr, "linkbox topo: unknown argument %q\n%s", a, topoHelp)
			return 255
		}
	}
	if jsonOut && dot {
		fmt.Fprintf(e.stderr, "linkbox topo: -j and --dot are two forms: choose one\n")
		return 255
	}
	t, err := e.walkTopology(o)
	if err != nil {
		return e.report("linkbox topo", err)
	}
	switch {
	case jsonOut:
		err = writeTopoJSON(e.stdout, t, pretty)
	case dot:
		err = writeTopoDot(e.stdout, t, o.all)
	default:
		err = writeTopoText(e.stdout, t, o.all)
	}
	if err != nil {
		return e.report("linkbox topo", err)
	}
	return 0
}
