package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/linkbox/linkbox/nsfs/nstest"
)

// Protocol tests of linkbox-cni that need no kernel: the environment, the
// configuration, version negotiation, the error object and the result
// shapes. Kernel tests are in cni_kernel_test.go.

// cniOut is what one run of the plugin printed and its exit status.
type cniOut struct {
	stdout, stderr string
	code           int
}

// cniRun runs linkbox-cni in this process, as the runtime would run the
// binary: vars are its environment, stdin its configuration.
func cniRun(t *testing.T, vars map[string]string, stdin string) cniOut {
	t.Helper()
	var out, errb bytes.Buffer
	e := newEnv(strings.NewReader(stdin), &out, &errb, func(k string) string { return vars[k] })
	code := run(e, []string{"linkbox-cni"})
	e.close()
	return cniOut{out.String(), errb.String(), code}
}

// cniErrorOf decodes the error object a failed run printed, checking its
// shape: the spec's keys and nothing else, a non-zero exit status.
func cniErrorOf(t *testing.T, o cniOut) cniError {
	t.Helper()
	if o.code == 0 {
		t.Fatalf("want a failure, got exit 0: %s", o.stdout)
	}
	var keys map[string]any
	if err := json.Unmarshal([]byte(o.stdout), &keys); err != nil {
		t.Fatalf("error object is not JSON: %v\n%s%s", err, o.stdout, o.stderr)
	}
	for k := range keys {
		if k != "cniVersion" && k != "code" && k != "msg" && k != "details" {
			t.Errorf("error object has key %q, which the spec does not define", k)
		}
	}
	var e cniError
	json.Unmarshal([]byte(o.stdout), &e)
	if e.CNIVersion == "" || e.Msg == "" {
		t.Errorf("error object lacks cniVersion or msg: %s", o.stdout)
	}
	return e
}

// wantCNIError checks that a run failed with code, its message containing
// every one of words.
func wantCNIError(t *testing.T, o cniOut, code uint, words ...string) cniError {
	t.Helper()
	e := cniErrorOf(t, o)
	if e.Code != code {
		t.Errorf("want code %d, got %d (%s)", code, e.Code, o.stdout)
	}
	for _, w := range words {
		if !strings.Contains(e.Msg+" "+e.Details, w) {
			t.Errorf("want %q in the error, got %q / %q", w, e.Msg, e.Details)
		}
	}
	return e
}

// attachVars are the variables of an attachment verb.
func attachVars(cmd string) map[string]string {
	return map[string]string{
		"CNI_COMMAND":     cmd,
		"CNI_CONTAINERID": "c0ffee",
		"CNI_NETNS":       "/run/netns/cni-none",
		"CNI_IFNAME":      "eth0",
		"CNI_PATH":        "/nonexistent",
	}
}

const confNoIPAM = `{"cniVersion":"1.1.0","name":"t","type":"linkbox-cni","bridge":"cnibr0"}`

func TestCNIVersion(t *testing.T) {
	for _, tc := range []struct{ stdin, want string }{
		{`{"cniVersion":"1.0.0"}`, "1.0.0"},
		{`{"cniVersion":"0.4.0"}`, "0.4.0"},
		{``, "1.1.0"},
	} {
		o := cniRun(t, map[string]string{"CNI_COMMAND": "VERSION"}, tc.stdin)
		if o.code != 0 {
			t.Fatalf("VERSION with %q: exit %d: %s", tc.stdin, o.code, o.stdout)
		}
		var got cniVersionResult
		if err := json.Unmarshal([]byte(o.stdout), &got); err != nil {
			t.Fatalf("VERSION output is not JSON: %v\n%s", err, o.stdout)
		}
		want := cniVersionResult{CNIVersion: tc.want, SupportedVersions: []string{"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}}
		if !reflect.DeepEqual(want, got) {
			t.Errorf("VERSION with %q: want %+v, got %+v", tc.stdin, want, got)
		}
	}
	o := cniRun(t, map[string]string{"CNI_COMMAND": "VERSION"}, `{"cniVersion":`)
	wantCNIError(t, o, cniErrDecode)
}

func TestCNIDispatch(t *testing.T) {
	// Through the link linkbox-cni, and as linkbox cni.
	for _, argv := range [][]string{{"linkbox-cni"}, {"/opt/cni/bin/linkbox-cni"}, {"linkbox", "cni"}} {
		var out bytes.Buffer
		e := newEnv(strings.NewReader(""), &out, new(bytes.Buffer), func(k string) string {
			return map[string]string{"CNI_COMMAND": "VERSION"}[k]
		})
		if code := run(e, argv); code != 0 || !strings.Contains(out.String(), `"supportedVersions"`) {
			t.Errorf("%q: want a VERSION answer, got exit %d: %s", argv, code, out.String())
		}
	}
	if out := mustLB(t, "linkbox", "--list"); !slices.Contains(strings.Fields(out), "linkbox-cni") {
		t.Errorf("want linkbox-cni among the applets --install links, got %q", out)
	}
	if out := mustLB(t, "linkbox-cni", "--help"); !strings.Contains(out, `"type": "linkbox-cni"`) {
		t.Errorf("want help text, got %q", out)
	}
}

func TestCNIEnvironment(t *testing.T) {
	o := cniRun(t, map[string]string{}, confNoIPAM)
	wantCNIError(t, o, cniErrInvalidEnv, "CNI_COMMAND")
	o = cniRun(t, map[string]string{"CNI_COMMAND": "FROB"}, confNoIPAM)
	wantCNIError(t, o, cniErrInvalidEnv, "FROB")

	// Each verb's required variables, and only those, are asked for.
	for _, tc := range []struct {
		cmd     string
		missing []string
	}{
		{"ADD", []string{"CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"}},
		{"CHECK", []string{"CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"}},
		{"DEL", []string{"CNI_CONTAINERID", "CNI_IFNAME"}},
		{"GC", []string{"CNI_PATH"}},
	} {
		o := cniRun(t, map[string]string{"CNI_COMMAND": tc.cmd}, confNoIPAM)
		e := wantCNIError(t, o, cniErrInvalidEnv)
		if want := "required env variables [" + strings.Join(tc.missing, ",") + "] missing"; e.Msg != want {
			t.Errorf("%s: want %q, got %q", tc.cmd, want, e.Msg)
		}
	}

	v := attachVars("ADD")
	v["LINKBOX_DRY_RUN"] = "1"
	wantCNIError(t, cniRun(t, v, confNoIPAM), cniErrInvalidEnv, "dry run")

	for _, tc := range []struct {
		name, val string
	}{
		{"CNI_CONTAINERID", "-starts-with-dash"},
		{"CNI_CONTAINERID", "has space"},
		{"CNI_IFNAME", "much-too-long-name"},
		{"CNI_IFNAME", "a/b"},
		{"CNI_IFNAME", ".."},
		{"CNI_ARGS", "MAC"},
		{"CNI_ARGS", "FOO=bar"},
	} {
		v := attachVars("ADD")
		v[tc.name] = tc.val
		wantCNIError(t, cniRun(t, v, confNoIPAM), cniErrInvalidEnv, tc.name[4:])
	}
}

func TestCNIConfiguration(t *testing.T) {
	for _, tc := range []struct {
		name  string
		conf  string
		code  uint
		words []string
	}{
		{"not JSON", `{"cniVersion":"1.1.0",`, cniErrDecode, nil},
		{"not an object", `[1,2]`, cniErrDecode, nil},
		{"wrong type", `{"cniVersion":"1.1.0","name":"t","type":"linkbox-cni","mtu":"big"}`, cniErrDecode, []string{"mtu"}},
		{"no name", `{"cniVersion":"1.1.0","type":"linkbox-cni"}`, cniErrInvalidConfig, []string{"name"}},
		{"bad name", `{"cniVersion":"1.1.0","name":"a b","type":"linkbox-cni"}`, cniErrInvalidConfig, []string{"a b"}},
		{"no type", `{"cniVersion":"1.1.0","name":"t"}`, cniErrInvalidConfig, []string{"type"}},
		{"bad mtu", `{"cniVersion":"1.1.0","name":"t","type":"x","mtu":-1}`, cniErrInvalidConfig, []string{"mtu"}},
		{"bad bridge", `{"cniVersion":"1.1.0","name":"t","type":"x","bridge":"a/b"}`, cniErrInvalidConfig, []string{"a/b"}},
		{"hairpin and promisc", `{"cniVersion":"1.1.0","name":"t","type":"x","hairpinMode":true,"promiscMode":true}`, cniErrInvalidConfig, []string{"hairpinMode"}},
		{"bad ipam type", `{"cniVersion":"1.1.0","name":"t","type":"x","ipam":{"type":"../x"}}`, cniErrInvalidConfig, []string{"../x"}},
		{"bad mac", `{"cniVersion":"1.1.0","name":"t","type":"x","runtimeConfig":{"mac":"01:00:5e:00:00:01"}}`, cniErrInvalidConfig, []string{"runtimeConfig.mac", "multicast"}},
		{"ipMasq", `{"cniVersion":"1.1.0","name":"t","type":"x","ipMasq":true}`, cniErrUnsupportedField, []string{`"ipMasq": true`}},
		{"vlan", `{"cniVersion":"1.1.0","name":"t","type":"x","vlan":100}`, cniErrUnsupportedField, []string{`"vlan": 100`}},
		{"vlanTrunk", `{"cniVersion":"1.1.0","name":"t","type":"x","vlanTrunk":[{"id":5}]}`, cniErrUnsupportedField, []string{`"vlanTrunk": [{"id":5}]`}},
		{"macspoofchk", `{"cniVersion":"1.1.0","name":"t","type":"x","macspoofchk":true}`, cniErrUnsupportedField, []string{"macspoofchk"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCNIError(t, cniRun(t, attachVars("ADD"), tc.conf), tc.code, tc.words...)
		})
	}
	// An unsupported option is no obstacle to DEL (ADD made nothing), here
	// of a namespace that does not exist.
	nstest.Require(t)
	o := cniRun(t, attachVars("DEL"), `{"cniVersion":"1.1.0","name":"t","type":"x","ipMasq":true}`)
	if o.code != 0 || o.stdout != "" {
		t.Errorf("DEL: want exit 0 and no output, got %d: %s%s", o.code, o.stdout, o.stderr)
	}
}

func TestCNIVersionNegotiation(t *testing.T) {
	conf := func(v string) string {
		return fmt.Sprintf(`{"cniVersion":%q,"name":"t","type":"linkbox-cni"}`, v)
	}
	for _, tc := range []struct {
		cmd, version string
	}{
		{"ADD", ""},
		{"ADD", "0.2.0"},
		{"ADD", "1.2.0"},
		{"ADD", "one"},
		{"CHECK", "0.3.1"},
		{"GC", "1.0.0"},
		{"STATUS", "0.4.0"},
	} {
		v := attachVars(tc.cmd)
		e := wantCNIError(t, cniRun(t, v, conf(tc.version)), cniErrIncompatibleVersion)
		if e.CNIVersion != "1.1.0" && supportedVersion(tc.version) && e.CNIVersion != tc.version {
			t.Errorf("%s %q: error object version %q", tc.cmd, tc.version, e.CNIVersion)
		}
	}
	// The error object speaks the configuration's version when it can.
	e := wantCNIError(t, cniRun(t, attachVars("CHECK"), `{"cniVersion":"0.4.0","name":"t","type":"x"}`), cniErrInvalidConfig, "prevResult")
	if e.CNIVersion != "0.4.0" {
		t.Errorf("want the error in version 0.4.0, got %q", e.CNIVersion)
	}
}

// sampleResult is a result with everything the shapes differ in.
func sampleResult(version string) *cniResult {
	return &cniResult{
		CNIVersion: version,
		Interfaces: []cniInterface{
			{Name: "cni0", MAC: "02:00:00:00:00:01", MTU: 1500},
			{Name: "veth0123abcd", MAC: "02:00:00:00:00:02", MTU: 1500},
			{Name: "eth0", MAC: "02:00:00:00:00:03", MTU: 1500, Sandbox: "/run/netns/a"},
		},
		IPs: []cniIPConfig{
			{Address: cniP("198.18.0.2/24"), Gateway: cniA("198.18.0.1"), Interface: new(2)},
			{Address: cniP("2001:db8::2/64"), Gateway: cniA("2001:db8::1"), Interface: new(2)},
		},
		Routes: []cniRoute{{Dst: cniP("0.0.0.0/0"), GW: cniA("198.18.0.1"), Priority: 10, Table: new(100)}},
		DNS:    cniDNS{Nameservers: []string{"198.18.0.1"}},
	}
}

func TestCNIResultShapes(t *testing.T) {
	for _, tc := range []struct{ version, want string }{
		{"1.1.0", `{"cniVersion":"1.1.0","interfaces":[{"name":"cni0","mac":"02:00:00:00:00:01","mtu":1500},{"name":"veth0123abcd","mac":"02:00:00:00:00:02","mtu":1500},{"name":"eth0","mac":"02:00:00:00:00:03","mtu":1500,"sandbox":"/run/netns/a"}],"ips":[{"interface":2,"address":"198.18.0.2/24","gateway":"198.18.0.1"},{"interface":2,"address":"2001:db8::2/64","gateway":"2001:db8::1"}],"routes":[{"dst":"0.0.0.0/0","gw":"198.18.0.1","priority":10,"table":100}],"dns":{"nameservers":["198.18.0.1"]}}`},
		{"1.0.0", `{"cniVersion":"1.0.0","interfaces":[{"name":"cni0","mac":"02:00:00:00:00:01"},{"name":"veth0123abcd","mac":"02:00:00:00:00:02"},{"name":"eth0","mac":"02:00:00:00:00:03","sandbox":"/run/netns/a"}],"ips":[{"interface":2,"address":"198.18.0.2/24","gateway":"198.18.0.1"},{"interface":2,"address":"2001:db8::2/64","gateway":"2001:db8::1"}],"routes":[{"dst":"0.0.0.0/0","gw":"198.18.0.1"}],"dns":{"nameservers":["198.18.0.1"]}}`},
		{"0.4.0", `{"cniVersion":"0.4.0","interfaces":[{"name":"cni0","mac":"02:00:00:00:00:01"},{"name":"veth0123abcd","mac":"02:00:00:00:00:02"},{"name":"eth0","mac":"02:00:00:00:00:03","sandbox":"/run/netns/a"}],"ips":[{"version":"4","interface":2,"address":"198.18.0.2/24","gateway":"198.18.0.1"},{"version":"6","interface":2,"address":"2001:db8::2/64","gateway":"2001:db8::1"}],"routes":[{"dst":"0.0.0.0/0","gw":"198.18.0.1"}],"dns":{"nameservers":["198.18.0.1"]}}`},
	} {
		b, err := json.Marshal(sampleResult(tc.version))
		if err != nil {
			t.Fatal(err)
		}
		if got := string(b); tc.want != got {
			t.Errorf("%s:\nwant %s\ngot  %s", tc.version, tc.want, got)
		}
		// And it reads back.
		r := new(cniResult)
		if err := json.Unmarshal(b, r); err != nil {
			t.Fatalf("%s: reading back: %v", tc.version, err)
		}
		if len(r.IPs) != 2 || r.IPs[1].Address != cniP("2001:db8::2/64") || *r.IPs[0].Interface != 2 {
			t.Errorf("%s: read back %+v", tc.version, r.IPs)
		}
	}
	// What an IPAM plugin returns; and what linkbox-cni does not read.
	r := new(cniResult)
	if err := json.Unmarshal([]byte(`{"cniVersion":"0.4.0","ips":[{"version":"4","address":"198.18.0.5/24","gateway":"198.18.0.1"}],"routes":[{"dst":"198.19.0.0/16"}]}`), r); err != nil {
		t.Fatal(err)
	}
	if r.IPs[0].Address != cniP("198.18.0.5/24") || r.Routes[0].Dst != cniP("198.19.0.0/16") || r.Routes[0].GW.IsValid() {
		t.Errorf("IPAM result read as %+v", r)
	}
	for _, bad := range []string{
		`{"cniVersion":"0.2.0","ip4":{"ip":"198.18.0.5/24"}}`,
		`{"ips":[{"address":"198.18.0.5"}]}`,
		`{"ips":[{"address":"198.18.0.5/24","gateway":"2001:db8::1"}]}`,
		`{"ips":[{"version":"6","address":"198.18.0.5/24"}]}`,
		`{"routes":[{"dst":"default"}]}`,
	} {
		if err := json.Unmarshal([]byte(bad), new(cniResult)); err == nil {
			t.Errorf("want an error reading %s", bad)
		}
	}
}

func TestCNIVersionCompare(t *testing.T) {
	for _, tc := range []struct {
		v, min string
		want   bool
	}{
		{"1.1.0", "1.1.0", true}, {"1.0.0", "1.1.0", false}, {"0.4.0", "0.3.1", true},
		{"0.10.0", "0.4.0", true}, {"1.0", "0.1.0", false}, {"x.y.z", "0.1.0", false},
	} {
		if got := versionAtLeast(tc.v, tc.min); got != tc.want {
			t.Errorf("versionAtLeast(%q, %q): want %v, got %v", tc.v, tc.min, tc.want, got)
		}
	}
}

func TestCNIHostNames(t *testing.T) {
	n := cniHostVethName("c0ffee", "eth0")
	if len(n) != 12 || !strings.HasPrefix(n, "veth") {
		t.Errorf("want veth and 8 hex digits, got %q", n)
	}
	if m := cniHostVethName("c0ffee", "eth0"); m != n {
		t.Errorf("want the same name for the same attachment, got %q and %q", n, m)
	}
	if m := cniHostVethName("c0ffee", "eth1"); m == n {
		t.Errorf("want different names for different attachments, got %q twice", n)
	}
	if want, got := "linkbox-cni/net/c0ffee/eth0", cniAlias("net", "c0ffee", "eth0"); want != got {
		t.Errorf("want alias %q, got %q", want, got)
	}
	long := cniAlias("net", strings.Repeat("a", 250), "eth0")
	if len(long) > cniMaxAlias || !strings.HasPrefix(long, "linkbox-cni/net/#") {
		t.Errorf("want a hashed alias within %d bytes, got %q (%d)", cniMaxAlias, long, len(long))
	}
}

// fakeIPAM writes an IPAM plugin, a shell script, into a new directory and
// returns the directory (for CNI_PATH) and the file it logs to: one line
// per call, "COMMAND CONTAINERID IFNAME", the configuration it got in
// stdin.COMMAND and the files it inherited in fds.COMMAND. For ADD it prints results[CNI_CONTAINERID]; fail, if not
// empty, is an error object it prints for ADD with exit status 1.
func fakeIPAM(t *testing.T, results map[string]string, fail string) (dir, log string) {
	t.Helper()
	dir = t.TempDir()
	log = filepath.Join(dir, "log")
	var s strings.Builder
	fmt.Fprintf(&s, "#!/bin/sh\necho \"$CNI_COMMAND $CNI_CONTAINERID $CNI_IFNAME\" >> %s\ncat > %s/stdin.$CNI_COMMAND\n", log, dir)
	fmt.Fprintf(&s, "ls -l /proc/self/fd > %s/fds.$CNI_COMMAND 2>&1\n", dir)
	s.WriteString("[ \"$CNI_COMMAND\" = ADD ] || exit 0\n")
	if fail != "" {
		fmt.Fprintf(&s, "echo '%s'\nexit 1\n", fail)
	}
	s.WriteString("case \"$CNI_CONTAINERID\" in\n")
	for id, r := range results {
		fmt.Fprintf(&s, "%s) echo '%s';;\n", id, r)
	}
	s.WriteString("*) echo '{\"code\":7,\"msg\":\"unknown container\"}'; exit 1;;\nesac\n")
	if err := os.WriteFile(filepath.Join(dir, "fake-ipam"), []byte(s.String()), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, log
}

// ipamLog returns the calls a fake IPAM plugin logged.
func ipamLog(t *testing.T, log string) []string {
	t.Helper()
	b, err := os.ReadFile(log)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func TestCNIStatusWithoutKernelState(t *testing.T) {
	nstest.Require(t) // STATUS opens an rtnetlink socket
	ok := `{"cniVersion":"1.1.0","name":"t","type":"linkbox-cni","ipam":{"type":"fake-ipam"}}`
	dir, log := fakeIPAM(t, nil, "")
	o := cniRun(t, map[string]string{"CNI_COMMAND": "STATUS", "CNI_PATH": dir}, ok)
	if o.code != 0 || o.stdout != "" {
		t.Errorf("STATUS: want exit 0 and no output, got %d: %s", o.code, o.stdout)
	}
	if want, got := []string{"STATUS"}, ipamLog(t, log); !reflect.DeepEqual(want, got) {
		t.Errorf("want the IPAM plugin asked for its STATUS, got log %q", got)
	}
	wantCNIError(t, cniRun(t, map[string]string{"CNI_COMMAND": "STATUS", "CNI_PATH": t.TempDir()}, ok), cniErrNotAvailable, "fake-ipam")
	wantCNIError(t, cniRun(t, map[string]string{"CNI_COMMAND": "STATUS"},
		`{"cniVersion":"1.1.0","name":"t","type":"linkbox-cni","ipMasq":true}`), cniErrNotAvailable, "ipMasq")
}

func cniP(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func cniA(s string) netip.Addr   { return netip.MustParseAddr(s) }
