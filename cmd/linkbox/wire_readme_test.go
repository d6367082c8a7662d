package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// wireReadmeMarker marks a console block of the README whose commands
// TestWireReadmeExamples runs again.
const wireReadmeMarker = "<!-- wire-example: checked by TestWireReadmeExamples -->"

// The examples of the wire switches in the README are what linkbox
// prints: each marked block's commands ("$ " lines) run in one fresh
// namespace, in order, with the applet links first on PATH, and print
// the lines that follow them (stdout and stderr together), times of day
// and port ids aside. WIRE_README names another file to check (a draft of
// the section); with -wire.update the file's blocks are rewritten with
// what the commands print.
func TestWireReadmeExamples(t *testing.T) {
	file := os.Getenv("WIRE_README")
	if file == "" {
		file = filepath.Join("..", "..", "README.md")
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), wireReadmeMarker) {
		t.Skipf("skipped: %s has no examples marked %q", file, wireReadmeMarker)
	}
	kernel(t)
	ip, err := exec.LookPath("ip")
	if err != nil {
		t.Fatal(err)
	}
	bin := linkboxBin(t)
	wireNS(t, "wreadme")
	dir := t.TempDir()

	lines := strings.SplitAfter(string(b), "\n")
	var out []string // the file, rewritten with what the commands print
	examples := 0
	for i := 0; i < len(lines); i++ {
		out = append(out, lines[i])
		if strings.TrimSpace(lines[i]) != wireReadmeMarker {
			continue
		}
		if i+1 >= len(lines) || strings.TrimSpace(lines[i+1]) != "```console" {
			t.Fatalf("%s:%d: the marker must be followed by a console block", file, i+1)
		}
		i++
		out = append(out, lines[i])
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; {
			cmd, ok := strings.CutPrefix(strings.TrimRight(lines[i], "\n"), "$ ")
			if !ok {
				t.Fatalf("%s:%d: want a command (\"$ ...\"), got %q", file, i+1, lines[i])
			}
			line := i + 1
			out = append(out, lines[i])
			var want strings.Builder
			for i++; i < len(lines) && !strings.HasPrefix(lines[i], "$ ") && strings.TrimSpace(lines[i]) != "```"; i++ {
				want.WriteString(lines[i])
			}
			examples++
			prog := strings.Fields(cmd)[0]
			if prog != "linkbox" && prog != "ip" && prog != "printf" {
				if _, err := exec.LookPath(prog); err != nil {
					t.Logf("%s:%d: %s is not installed: its output is not checked", file, line, prog)
					out = append(out, want.String())
					continue
				}
			}
			c := exec.Command(ip, "netns", "exec", "wreadme", "sh", "-c", cmd)
			c.Dir = dir
			c.Env = append(wireFreeEnviron(), "PATH="+bin+":"+os.Getenv("PATH"))
			got, _ := c.CombinedOutput() // the exit status is the output's to show
			out = append(out, string(got))
			if w, g := wireReadmeNormal(want.String()), wireReadmeNormal(string(got)); w != g {
				t.Errorf("%s:%d: $ %s\nwant:\n%s\ngot:\n%s", file, line, cmd, w, g)
			}
		}
		if i < len(lines) {
			out = append(out, lines[i])
		}
	}
	if examples < 8 {
		t.Errorf("%s: want the examples of --trace, --dry-run, --pcap and decode, found %d commands", file, examples)
	}
	if *updateWire {
		if err := os.WriteFile(file, []byte(strings.Join(out, "")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var (
	wireTimeOfDay = regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d\.\d{6} `)
	wirePortID    = regexp.MustCompile(`(?m)^([0-9a-f]{4,}  )([0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2})(\s+nlmsg_pid\s+)([1-9]\d*)$`)
)

// wireReadmeNormal hides what differs from run to run: the time of day
// in a captured datagram's title, and a port id the kernel chose.
func wireReadmeNormal(s string) string {
	s = wireTimeOfDay.ReplaceAllString(s, "HH:MM:SS.micros ")
	return wirePortID.ReplaceAllString(s, "${1}PP PP PP PP${3}PORT")
}
