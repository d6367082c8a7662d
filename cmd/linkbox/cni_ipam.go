package main

// Delegation to the IPAM plugin (SPEC.md, section 4): the binary named by
// ipam.type, found in the directories of CNI_PATH, run with the same
// environment (CNI_COMMAND set to the verb delegated) and the same
// configuration on stdin; its stderr goes to ours, its result or error
// object comes back on its stdout.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// cniEnvNames are the protocol's variables, handed to the delegated plugin
// as this call received them.
var cniEnvNames = []string{"CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH", "CNI_NETNS_OVERRIDE"}

// findPlugin looks name up in the directories of CNI_PATH.
func (c *cniCall) findPlugin(name string) (string, error) {
	if c.path == "" {
		return "", &cniError{Code: cniErrInvalidEnv, Msg: fmt.Sprintf("CNI_PATH is not set, so the IPAM plugin %q cannot be found", name)}
	}
	for _, dir := range filepath.SplitList(c.path) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		st, err := os.Stat(p)
		if err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0 {
			return p, nil
		}
	}
	return "", &cniError{Code: cniErrInvalidEnv, Msg: fmt.Sprintf("IPAM plugin %q not found in CNI_PATH", name), Details: c.path}
}

// delegateEnv is the process environment with the CNI_* variables of this
// call, and CNI_COMMAND set to verb.
func (c *cniCall) delegateEnv(verb string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CNI_") {
			env = append(env, kv)
		}
	}
	env = append(env, "CNI_COMMAND="+verb)
	for _, name := range cniEnvNames {
		if v := c.e.getenv(name); v != "" {
			env = append(env, name+"="+v)
		}
	}
	return env
}

// ipam runs the IPAM plugin with verb and returns what it printed on
// success. A failure is the plugin's own error object, its code kept and
// its message prefixed with the plugin's name.
func (c *cniCall) ipam(verb string) ([]byte, error) {
	name := c.conf.IPAM.Type
	path, err := c.findPlugin(name)
	if err != nil {
		return nil, err
	}
	var stdout bytes.Buffer
	cmd := exec.Command(path)
	cmd.Env = c.delegateEnv(verb)
	cmd.Stdin = bytes.NewReader(c.stdin)
	cmd.Stdout = &stdout
	cmd.Stderr = c.e.stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return stdout.Bytes(), nil
	case !errors.As(err, &exit):
		return nil, cniErrorf(cniErrInternal, "running IPAM plugin %q: %v", name, err)
	}
	var pe cniError
	if jerr := json.Unmarshal(stdout.Bytes(), &pe); jerr != nil || pe.Msg == "" {
		return nil, &cniError{Code: cniErrInternal, Msg: fmt.Sprintf("IPAM plugin %q failed (%v) without an error object", name, err),
			Details: strings.TrimSpace(stdout.String())}
	}
	return nil, &cniError{Code: pe.Code, Msg: fmt.Sprintf("IPAM plugin %q: %s", name, pe.Msg), Details: pe.Details}
}

// ipamResult decodes what IPAM ADD printed: at least one address, each
// with a gateway of its own family if it has one.
func (c *cniCall) ipamResult(out []byte) (*cniResult, error) {
	r := new(cniResult)
	if err := json.Unmarshal(out, r); err != nil {
		return nil, &cniError{Code: cniErrDecode, Msg: fmt.Sprintf("decoding the result of IPAM plugin %q", c.conf.IPAM.Type), Details: err.Error()}
	}
	if len(r.IPs) == 0 {
		return nil, cniErrorf(cniErrInternal, "IPAM plugin %q returned no IP address", c.conf.IPAM.Type)
	}
	return r, nil
}

// ipamRelease runs IPAM DEL after an ADD that failed once IPAM had run.
// Its failure is reported on stderr: the ADD's own error is the one the
// runtime sees, and it will DEL again.
func (c *cniCall) ipamRelease() error {
	_, err := c.ipam("DEL")
	return err
}
