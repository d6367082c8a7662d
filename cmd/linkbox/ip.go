package main

import (
	"fmt"
	"math"
	"strings"

	"golang.org/x/sys/unix"
)

// ipOpts are ip's global options.
type ipOpts struct {
	stats   int  // -s, repeatable
	details int  // -d, repeatable
	json    bool // -j
	pretty  bool // -p
	brief   bool // -br
	oneline bool // -o
	family  int  // -4, -6, -0, -f: AF_INET, AF_INET6, AF_PACKET or 0
	force   bool // -force
	batch   string
	all     bool // -a
	// rcvbuf is -rcvbuf SIZE: SO_RCVBUF of ip monitor's event socket;
	// 0 keeps the system's default.
	rcvbuf int
	// timestamp is -t: ip monitor prints the time before each event,
	// as "Timestamp: DATE N usec" on a line of its own, or with -ts
	// (tshort) as "[YYYY-MM-DDTHH:MM:SS.UUUUUU] " before it.
	timestamp, tshort bool
}

// ipCmd is one run of ip: its options and its env.
type ipCmd struct {
	*env
	opts ipOpts
}

// ipObject is an object of ip: its name, and the function that runs its
// commands (nil for those linkbox does not implement).
type ipObject struct {
	name string
	run  func(c *ipCmd, a *args) error
}

// ipObjects are the objects ip knows, in iproute2's order, which decides
// what an abbreviation means ("ip a" is address, "ip l" is link, "ip m" is
// maddress). Those linkbox does not implement say so. The table is filled
// in init: ip netns exec looks objects up in it, and a static initializer
// would refer to itself through that.
var ipObjects []ipObject

func init() { ipObjects = ipObjectTable() }

func ipObjectTable() []ipObject {
	return []ipObject{
		{"address", (*ipCmd).doAddress},
		{"addrlabel", nil},
		{"maddress", nil},
		{"route", (*ipCmd).doRoute},
		{"rule", nil},
		{"neighbor", (*ipCmd).doNeigh},
		{"neighbour", (*ipCmd).doNeigh},
		{"ntable", nil},
		{"ntbl", nil},
		{"link", (*ipCmd).doLink},
		{"l2tp", nil},
		{"fou", nil},
		{"ila", nil},
		{"macsec", nil},
		{"tunnel", nil},
		{"tuntap", nil},
		{"tap", nil},
		{"token", nil},
		{"tcpmetrics", nil},
		{"tcp_metrics", nil},
		{"monitor", (*ipCmd).doMonitor},
		{"xfrm", nil},
		{"mroute", nil},
		{"mrule", nil},
		{"netns", (*ipCmd).doNetns},
		{"netconf", nil},
		{"vrf", nil},
		{"sr", nil},
		{"nexthop", nil},
		{"mptcp", nil},
		{"ioam", nil},
		{"help", (*ipCmd).doHelp},
		{"stats", nil},
	}
}

func ipMain(e *env, argv []string) int {
	c := &ipCmd{env: e}
	rest, err := c.parseGlobal(argv)
	if err != nil {
		return e.report("ip", err)
	}
	if c.opts.batch != "" {
		return c.runBatch(c.opts.batch)
	}
	if len(rest) == 0 {
		c.doHelp(nil)
		return 255
	}
	return e.report("ip", c.dispatch(rest))
}

// parseGlobal takes ip's options, which come before the object.
func (c *ipCmd) parseGlobal(argv []string) ([]string, error) {
	o := &c.opts
	for len(argv) > 0 && strings.HasPrefix(argv[0], "-") && argv[0] != "-" {
		opt := argv[0]
		if strings.HasPrefix(opt, "--") {
			opt = opt[1:]
		}
		argv = argv[1:]
		value := func() (string, error) {
			if len(argv) == 0 {
				return "", usagef(`Option "%s" requires an argument`, opt)
			}
			v := argv[0]
			argv = argv[1:]
			return v, nil
		}
		switch {
		case matches(opt, "-loops"):
			if _, err := value(); err != nil {
				return nil, err
			}
		case matches(opt, "-family"):
			v, err := value()
			if err != nil {
				return nil, err
			}
			switch v {
			case "inet":
				o.family = unix.AF_INET
			case "inet6":
				o.family = unix.AF_INET6
			case "link":
				o.family = unix.AF_PACKET
			case "bridge":
				o.family = unix.AF_BRIDGE
			default:
				return nil, usagef(`Error: argument "%s" is wrong: invalid protocol family`, v)
			}
		case opt == "-4":
			o.family = unix.AF_INET
		case opt == "-6":
			o.family = unix.AF_INET6
		case opt == "-0":
			o.family = unix.AF_PACKET
		case opt == "-B":
			o.family = unix.AF_BRIDGE
		case opt == "-M":
			o.family = unix.AF_MPLS
		case matches(opt, "-human"), matches(opt, "-human-readable"), matches(opt, "-iec"),
			matches(opt, "-resolve"), matches(opt, "-Numeric"), matches(opt, "-echo"):
			// Accepted for compatibility; they change nothing here.
		case matches(opt, "-timestamp"):
			o.timestamp = true
		case matches(opt, "-tshort"):
			o.timestamp, o.tshort = true, true
		case matches(opt, "-stats"), matches(opt, "-statistics"):
			o.stats++
		case matches(opt, "-details"):
			o.details++
		case matches(opt, "-oneline"):
			o.oneline = true
		case matches(opt, "-Version"):
			fmt.Fprintf(c.stdout, "ip utility, linkbox %s\n", version)
			return nil, &cliError{code: 0}
		case matches(opt, "-force"):
			o.force = true
		case matches(opt, "-batch"):
			v, err := value()
			if err != nil {
				return nil, err
			}
			o.batch = v
		case matches(opt, "-brief"):
			o.brief = true
		case matches(opt, "-json"):
			o.json = true
		case matches(opt, "-pretty"):
			o.pretty = true
		case matches(opt, "-rcvbuf"):
			// iproute2 wants the size and an object after it, and
			// prints its usage otherwise.
			if len(argv) < 2 {
				c.doHelp(nil)
				return nil, &cliError{code: 255}
			}
			v := argv[0]
			argv = argv[1:]
			n, ok := getUnsigned(v, 0, math.MaxUint32)
			if !ok {
				return nil, usagef("Invalid rcvbuf size '%s'", v)
			}
			o.rcvbuf = int(n)
		case strings.HasPrefix(opt, "-c"), strings.HasPrefix(opt, "-color"):
			// Colour is not supported; output stays plain.
		case matches(opt, "-help"):
			c.doHelp(nil)
			return nil, &cliError{code: 0}
		case matches(opt, "-netns"):
			v, err := value()
			if err != nil {
				return nil, err
			}
			c.netns = v
		case matches(opt, "-all"):
			o.all = true
		default:
			return nil, usagef(`Option "%s" is unknown, try "ip -help".`, opt)
		}
	}
	return argv, nil
}

// dispatch runs one command: OBJECT COMMAND ARGS.
func (c *ipCmd) dispatch(argv []string) error {
	obj := argv[0]
	for _, o := range ipObjects {
		if !matches(obj, o.name) {
			continue
		}
		if o.run == nil {
			return &cliError{code: 1, msg: fmt.Sprintf("Object %q is not implemented by linkbox.", o.name)}
		}
		return o.run(c, newArgs(argv[1:]))
	}
	return &cliError{code: 1, msg: fmt.Sprintf("Object %q is unknown, try \"ip help\".", obj)}
}

func (c *ipCmd) doHelp(*args) error {
	fmt.Fprint(c.stderr, `Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
       ip [ -force ] -batch filename
where  OBJECT := { address | link | monitor | neighbor | netns | route }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -o[neline] |
                    -f[amily] { inet | inet6 | link | bridge } | -4 | -6 | -0 |
                    -n[etns] name | -j[son] | -p[retty] | -br[ief] | -force |
                    -b[atch] filename }
`)
	return nil
}

// splitBatchLine splits a batch line into words as iproute2's makeargs
// does: blanks separate words, double or single quotes group them, and
// # starts a comment.
func splitBatchLine(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			} else {
				cur.WriteByte(ch)
			}
		case ch == '"' || ch == '\'':
			quote = ch
			inWord = true
		case ch == '#':
			i = len(line)
		case ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(ch)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, usagef("Unterminated quoted string")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
