package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/linkbox/linkbox/nsfs/nstest"
)

func TestMain(m *testing.M) { nstest.Main(m) }

// result is what a command printed and its exit status.
type result struct {
	stdout, stderr string
	code           int
}

// lb runs linkbox in this process, as the applet named by argv[0].
func lb(t *testing.T, argv ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := newEnv(strings.NewReader(""), &out, &errb, func(string) string { return "" })
	code := run(e, argv)
	e.close()
	return result{out.String(), errb.String(), code}
}

// mustLB runs linkbox and fails the test unless it exits 0.
func mustLB(t *testing.T, argv ...string) string {
	t.Helper()
	r := lb(t, argv...)
	if r.code != 0 {
		t.Fatalf("linkbox %q: exit %d: %s%s", argv, r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// sys runs a program of the system (iproute2's ip, brctl, ...) in the
// sandbox.
func sys(t *testing.T, argv ...string) result {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %q: %v", argv, err)
	}
	return result{out.String(), errb.String(), code}
}

// mustSys runs a system program and fails the test unless it exits 0.
func mustSys(t *testing.T, argv ...string) string {
	t.Helper()
	r := sys(t, argv...)
	if r.code != 0 {
		t.Fatalf("%q: exit %d: %s%s", argv, r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// needTool skips the test when a system program it compares against is
// missing.
func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("skipped: %s is not installed (CI installs it)", name)
	}
}

// kernel marks a test that changes kernel state: it needs the sandbox and
// iproute2 to compare with.
func kernel(t *testing.T) {
	t.Helper()
	nstest.Require(t)
	needTool(t, "ip")
}

// jsonOf decodes ip -j output.
func jsonOf(t *testing.T, s string) []map[string]any {
	t.Helper()
	var v []map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return v
}

var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

// linkboxBin builds linkbox once per test run and returns a directory holding
// it and its applet links (ip, brctl, ...), for tests that run it as a
// separate program, the way scripts do.
func linkboxBin(t *testing.T) string {
	t.Helper()
	nstest.Require(t)
	binOnce.Do(func() {
		// /run is the sandbox's own tmpfs: the binary goes with it.
		binDir, binErr = os.MkdirTemp("/run", "linkbox-bin")
		if binErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, "linkbox"), ".").CombinedOutput()
		if err != nil {
			binErr = err
			binDir = string(out)
			return
		}
		out, err = exec.Command(filepath.Join(binDir, "linkbox"), "--install", binDir).CombinedOutput()
		if err != nil {
			binErr = err
			binDir = string(out)
		}
	})
	if binErr != nil {
		t.Fatalf("building linkbox: %v\n%s", binErr, binDir)
	}
	return binDir
}
