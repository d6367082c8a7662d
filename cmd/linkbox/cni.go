package main

// linkbox-cni: a CNI plugin in the manner of the reference "bridge"
// plugin, written on the standard library and linkbox's own netlink
// packages. A runtime finds it as the binary named by a network
// configuration's "type" in CNI_PATH: the link "linkbox-cni" that
// `linkbox --install DIR` makes, or `linkbox cni`.
//
// Protocol (SPEC.md 1.1.0; 1.0.0, 0.4.0 and 0.3.x configurations too): the
// verb in CNI_COMMAND, the attachment in CNI_CONTAINERID, CNI_NETNS and
// CNI_IFNAME, the configuration on stdin; a result, or an error object
// with the spec's code, as JSON on stdout; exit status 0 or 1.
//
// What it does (see cni_bridge.go): ADD makes the bridge if it is missing,
// a veth pair whose container end is created straight in CNI_NETNS under
// CNI_IFNAME and whose host end is a port of the bridge, runs the IPAM
// plugin the configuration names and applies its addresses and routes
// inside the container through a netlink socket opened in the namespace
// (no thread switches namespace). DEL undoes it and releases the address;
// CHECK compares the kernel with prevResult; GC deletes host ends whose
// attachment is not among the valid ones; STATUS asks the IPAM plugin.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/linkbox/linkbox/rtnl"
)

// cniUsage is the applet's line in linkbox --help.
const cniUsage = "CNI plugin (bridge): CNI_COMMAND=ADD|DEL|CHECK|STATUS|GC|VERSION, configuration on stdin"

// cniCall is one invocation of the plugin: the protocol's environment
// variables, the configuration, and where to write.
type cniCall struct {
	e           *env
	out         io.Writer // the real stdout, for the result or the error object
	cmd         string    // CNI_COMMAND
	containerID string    // CNI_CONTAINERID
	netns       string    // CNI_NETNS
	ifname      string    // CNI_IFNAME
	args        string    // CNI_ARGS
	path        string    // CNI_PATH
	// netnsOverride is CNI_NETNS_OVERRIDE: a runtime that runs plugins
	// inside the container's own namespace on purpose says so with it.
	netnsOverride bool
	stdin         []byte   // the configuration, as it came (IPAM plugins get it unchanged)
	conf          *cniConf // stdin decoded
	argsMAC       string   // MAC= from CNI_ARGS
}

func cniMain(e *env, argv []string) int {
	if len(argv) > 0 {
		if a := argv[0]; a == "-h" || a == "--help" || a == "help" {
			cniHelp(e.stdout)
			return 0
		}
		fmt.Fprintf(e.stderr, "linkbox-cni: takes no arguments (got %q): a CNI runtime runs it with CNI_* variables and the configuration on stdin\n", argv)
		return 1
	}
	// stdout carries the result or the error object and nothing else:
	// whatever else would print there (the --trace dump) goes to stderr,
	// which runtimes pass on as the plugin's log.
	c := &cniCall{e: e, out: e.stdout}
	e.stdout = e.stderr
	defer func() { e.stdout = c.out }()
	if e.dryRun {
		return c.fail(&cniError{Code: cniErrInvalidEnv, Msg: "linkbox-cni has no dry run (LINKBOX_DRY_RUN, --dry-run)",
			Details: "a plugin that changes nothing cannot return a result a runtime could use"})
	}
	out, err := c.run()
	if err != nil {
		return c.fail(err)
	}
	if out != nil {
		b, merr := json.MarshalIndent(out, "", "    ")
		if merr != nil {
			return c.fail(cniErrorf(cniErrInternal, "encoding the result: %v", merr))
		}
		if _, werr := c.out.Write(append(b, '\n')); werr != nil {
			// The runtime cannot have seen the result: undo what ADD
			// did, as for any other failure after it.
			fmt.Fprintf(e.stderr, "linkbox-cni: writing the result: %v\n", werr)
			if c.cmd == "ADD" {
				if derr := c.del(); derr != nil {
					fmt.Fprintf(e.stderr, "linkbox-cni: undoing the ADD: %v\n", derr)
				}
			}
			return 1
		}
	}
	return 0
}

func cniHelp(w io.Writer) {
	fmt.Fprintf(w, `Usage: linkbox-cni   (or: linkbox cni), run by a CNI runtime

A CNI plugin that attaches containers to a Linux bridge through veth pairs,
like the reference "bridge" plugin. Network configuration "type": "linkbox-cni".
CNI spec versions: %s.

Environment: CNI_COMMAND (ADD, DEL, CHECK, STATUS, GC, VERSION),
CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS (MAC=, IgnoreUnknown=),
CNI_PATH (where the IPAM plugin is found). Configuration on stdin.

Options: bridge, isGateway, isDefaultGateway, forceAddress, mtu, hairpinMode,
promiscMode, portIsolation, enabledad, mac (also runtimeConfig.mac,
args.cni.mac, CNI_ARGS MAC), ipam, dns. Refused: ipMasq, ipMasqBackend,
vlan, vlanTrunk, preserveDefaultVlan, macspoofchk, disableContainerInterface.

The host end of each pair is named veth + 8 hex digits of a hash of the
container id and interface name, and carries the alias
linkbox-cni/NETWORK/CONTAINERID/IFNAME. GC deletes the host ends of NETWORK
whose attachment is not in cni.dev/valid-attachments, then runs the IPAM
plugin's GC. Results and error objects go to stdout; logs to stderr.
`, strings.Join(cniVersions, ", "))
}

// fail prints err as the spec's error object on stdout and returns the
// exit status.
func (c *cniCall) fail(err error) int {
	var ce *cniError
	if !errors.As(err, &ce) {
		ce = &cniError{Code: cniErrInternal, Msg: err.Error()}
	}
	out := *ce
	out.CNIVersion = cniLatest
	if c.conf != nil && supportedVersion(c.conf.CNIVersion) {
		out.CNIVersion = c.conf.CNIVersion
	}
	b, _ := json.MarshalIndent(&out, "", "    ")
	if _, werr := c.out.Write(append(b, '\n')); werr != nil {
		fmt.Fprintf(c.e.stderr, "linkbox-cni: %v (and writing the error object failed: %v)\n", err, werr)
	}
	return 1
}

// cniEnvRequired says which verbs need which variables (SPEC.md,
// section 2). CNI_PATH is optional for the attachment verbs; linkbox-cni
// asks for it only when there is an IPAM plugin to run.
var cniEnvRequired = map[string][]string{
	"ADD":     {"CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"},
	"CHECK":   {"CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"},
	"DEL":     {"CNI_CONTAINERID", "CNI_IFNAME"},
	"GC":      {"CNI_PATH"},
	"STATUS":  nil,
	"VERSION": nil,
}

// run reads the call and carries out its verb. The result, if any, is
// what to print.
func (c *cniCall) run() (any, error) {
	if err := c.readEnv(); err != nil {
		return nil, err
	}
	if c.cmd == "VERSION" {
		return c.version()
	}
	if err := c.readConf(); err != nil {
		return nil, err
	}
	switch c.cmd {
	case "ADD":
		return c.add()
	case "DEL":
		return nil, c.del()
	case "CHECK":
		return nil, c.check()
	case "STATUS":
		return nil, c.status()
	case "GC":
		return nil, c.gc()
	}
	panic("unreachable: readEnv checked the verb")
}

// readEnv reads and checks the CNI_* variables.
func (c *cniCall) readEnv() error {
	get := c.e.getenv
	c.cmd = get("CNI_COMMAND")
	if c.cmd == "" {
		return &cniError{Code: cniErrInvalidEnv, Msg: "required env variables [CNI_COMMAND] missing",
			Details: "linkbox-cni is a CNI plugin: a runtime runs it with CNI_COMMAND and the other CNI_* variables set (linkbox cni --help)"}
	}
	required, ok := cniEnvRequired[c.cmd]
	if !ok {
		return cniErrorf(cniErrInvalidEnv, "unknown CNI_COMMAND: %q", c.cmd)
	}
	c.containerID, c.netns, c.ifname = get("CNI_CONTAINERID"), get("CNI_NETNS"), get("CNI_IFNAME")
	c.args, c.path = get("CNI_ARGS"), get("CNI_PATH")
	switch v := strings.ToLower(get("CNI_NETNS_OVERRIDE")); v {
	case "1", "true":
		c.netnsOverride = true
	}
	var missing []string
	for _, name := range required {
		if get(name) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return cniErrorf(cniErrInvalidEnv, "required env variables [%s] missing", strings.Join(missing, ","))
	}
	if c.containerID != "" && !checkCNIName(c.containerID) {
		return &cniError{Code: cniErrInvalidEnv, Msg: "invalid characters in CNI_CONTAINERID", Details: c.containerID}
	}
	if c.ifname != "" {
		if err := checkCNIIfname(c.ifname); err != nil {
			return &cniError{Code: cniErrInvalidEnv, Msg: "invalid CNI_IFNAME " + fmt.Sprintf("%q", c.ifname), Details: err.Error()}
		}
	}
	if c.cmd == "ADD" || c.cmd == "CHECK" {
		if err := c.parseArgs(); err != nil {
			return err
		}
	}
	return nil
}

// checkCNIIfname checks CNI_IFNAME with the kernel's rules for a link name.
func checkCNIIfname(name string) error { return rtnl.CheckLinkName(name) }

// parseArgs reads CNI_ARGS, "K1=V1;K2=V2". linkbox-cni knows MAC (the
// container end's address) and IgnoreUnknown; like the reference plugins it
// refuses other keys unless IgnoreUnknown is 1 or true.
func (c *cniCall) parseArgs() error {
	if c.args == "" {
		return nil
	}
	var unknown []string
	ignore := false
	for _, pair := range strings.Split(c.args, ";") {
		k, v, ok := strings.Cut(pair, "=")
		if !ok || k == "" {
			return &cniError{Code: cniErrInvalidEnv, Msg: fmt.Sprintf("invalid CNI_ARGS pair %q", pair), Details: "CNI_ARGS is KEY=VALUE;KEY=VALUE"}
		}
		switch k {
		case "MAC":
			c.argsMAC = v
		case "IgnoreUnknown":
			ignore = v == "1" || strings.EqualFold(v, "true")
		default:
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 && !ignore {
		return &cniError{Code: cniErrInvalidEnv, Msg: fmt.Sprintf("CNI_ARGS: unknown keys %s", strings.Join(unknown, ",")),
			Details: "linkbox-cni knows MAC; add IgnoreUnknown=1 to pass others"}
	}
	return nil
}

// readConf reads stdin and decodes and checks the configuration.
func (c *cniCall) readConf() error {
	b, err := io.ReadAll(c.e.stdin)
	if err != nil {
		return cniErrorf(cniErrIO, "error reading the configuration from stdin: %v", err)
	}
	c.stdin = b
	conf := new(cniConf)
	if err := json.Unmarshal(b, conf); err != nil {
		return &cniError{Code: cniErrDecode, Msg: "error decoding the network configuration", Details: err.Error()}
	}
	c.conf = conf
	switch {
	case conf.Name == "":
		return cniErrorf(cniErrInvalidConfig, "missing network name")
	case !checkCNIName(conf.Name):
		return &cniError{Code: cniErrInvalidConfig, Msg: "invalid characters in network name", Details: conf.Name}
	}
	if !supportedVersion(conf.CNIVersion) {
		v := conf.CNIVersion
		if v == "" {
			v = "(none given: 0.1.0 by the spec)"
		}
		return &cniError{Code: cniErrIncompatibleVersion, Msg: "incompatible CNI versions",
			Details: fmt.Sprintf("config is %s, plugin supports [%s]", v, strings.Join(cniVersions, " "))}
	}
	switch {
	case c.cmd == "CHECK" && !versionAtLeast(conf.CNIVersion, "0.4.0"):
		return cniErrorf(cniErrIncompatibleVersion, "config version %s does not allow CHECK (0.4.0 or later)", conf.CNIVersion)
	case (c.cmd == "GC" || c.cmd == "STATUS") && !versionAtLeast(conf.CNIVersion, "1.1.0"):
		return cniErrorf(cniErrIncompatibleVersion, "config version %s does not allow %s (1.1.0 or later)", conf.CNIVersion, c.cmd)
	}
	if err := conf.validate(); err != nil {
		return err
	}
	if c.cmd == "ADD" || c.cmd == "CHECK" {
		if err := conf.unsupported(); err != nil {
			return err
		}
	}
	return nil
}

// cniVersionResult is VERSION's answer.
type cniVersionResult struct {
	CNIVersion        string   `json:"cniVersion"`
	SupportedVersions []string `json:"supportedVersions"`
}

// version answers VERSION: the cniVersion the runtime sent, if it sent
// one, and the versions linkbox-cni speaks. A runtime sends
// {"cniVersion": ...} on stdin; a person at a terminal sends nothing, and
// stdin is then not read.
func (c *cniCall) version() (any, error) {
	out := &cniVersionResult{CNIVersion: cniLatest, SupportedVersions: cniVersions}
	if f, ok := c.e.stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return out, nil
		}
	}
	b, err := io.ReadAll(c.e.stdin)
	if err != nil {
		return nil, cniErrorf(cniErrIO, "error reading stdin: %v", err)
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return out, nil
	}
	var in struct {
		CNIVersion string `json:"cniVersion"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, &cniError{Code: cniErrDecode, Msg: "error decoding the version request", Details: err.Error()}
	}
	if in.CNIVersion != "" {
		out.CNIVersion = in.CNIVersion
	}
	return out, nil
}
