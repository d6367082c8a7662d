package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a buffer a monitor writes to while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor polls until cond holds, failing the test after a few seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// monitorMarker makes events every monitor variant below sees: a veth
// pair (link), an address and its route on a0, a neighbour on a0. Their
// names carry n.
func monitorMarker(t *testing.T, ns string, n int) {
	t.Helper()
	mustSys(t, "ip", "-n", ns, "link", "add", fmt.Sprintf("mk%d", n), "type", "veth", "peer", "name", fmt.Sprintf("mk%dp", n))
	mustSys(t, "ip", "-n", ns, "addr", "add", fmt.Sprintf("198.18.255.%d/32", n), "dev", "a0")
	mustSys(t, "ip", "-n", ns, "neigh", "add", fmt.Sprintf("198.18.254.%d", n), "lladdr", "02:00:00:00:00:99", "dev", "a0")
}

// markerLine finds the first line that shows marker n's events.
func markerLine(out string, n int) int {
	tokens := []string{fmt.Sprintf(": mk%d", n), fmt.Sprintf("198.18.255.%d ", n), fmt.Sprintf("198.18.255.%d/", n), fmt.Sprintf("198.18.254.%d ", n)}
	lines := strings.SplitAfter(out, "\n")
	for i, l := range lines {
		for _, tok := range tokens {
			if strings.Contains(l, tok) {
				return i
			}
		}
	}
	return -1
}

// between returns the lines from the one showing marker a to the one
// before marker b.
func between(out string, a, b int) string {
	lines := strings.SplitAfter(out, "\n")
	i, j := markerLine(out, a), markerLine(out, b)
	if i < 0 || j < i {
		return ""
	}
	return strings.Join(lines[i:j], "")
}

// linkbox's ip monitor, run as a program beside iproute2's on the same
// events, prints exactly what iproute2 prints, for every object and
// option: links, addresses, routes, neighbours, namespace ids and netconf
// changes, with labels, one-line records, a family and a device filter.
// Both start listening at unknown moments, so the test makes marker
// events until both have printed one, then compares what each printed
// from a begin marker to an end marker.
func TestIPMonitorMatchesIproute2(t *testing.T) {
	bin := linkboxBin(t)
	for i, args := range [][]string{
		{"monitor"}, {"monitor", "all"}, {"monitor", "link"}, {"-o", "monitor", "link", "address"},
		{"monitor", "route"}, {"monitor", "address"}, {"monitor", "neigh", "nsid"}, {"monitor", "label", "link", "netconf"},
		{"-4", "monitor"}, {"-6", "monitor", "link", "route", "address"}, {"monitor", "dev", "a0"},
		{"-t", "monitor", "label", "link", "address"}, {"-ts", "-o", "monitor"}, {"-t", "monitor", "label", "dev", "a0"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			ns, _ := twins(t, fmt.Sprintf("m%d", i))
			var want, got lockedBuffer
			start := func(path string, out *lockedBuffer) *exec.Cmd {
				cmd := exec.Command(path, withNS(ns, args)[1:]...)
				cmd.Stdout, cmd.Stderr = out, out
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
				return cmd
			}
			ipCmd := start("ip", &want)
			lbCmd := start(filepath.Join(bin, "ip"), &got)
			for n := 1; ; n++ {
				monitorMarker(t, ns, n)
				time.Sleep(50 * time.Millisecond)
				if markerLine(want.String(), n) >= 0 && markerLine(got.String(), n) >= 0 {
					break
				}
				if n == 50 {
					t.Fatalf("monitors print no marker events:\niproute2:\n%s\nlinkbox:\n%s", want.String(), got.String())
				}
			}
			monitorMarker(t, ns, 200)
			for _, cmd := range [][]string{
				{"link", "set", "a0", "down"}, {"link", "set", "a0", "up"},
				{"addr", "add", "198.18.1.1/24", "dev", "a0", "label", "a0:1"},
				{"addr", "add", "2001:db8::1/64", "dev", "a0", "nodad"},
				{"route", "add", "198.19.0.0/16", "via", "198.18.0.2", "dev", "a0", "proto", "static", "metric", "5"},
				{"route", "add", "blackhole", "198.19.5.0/24", "table", "100"},
				{"route", "del", "198.19.0.0/16"},
				{"-6", "route", "add", "2001:db8:5::/48", "via", "2001:db8::2", "dev", "a0"},
				{"neigh", "add", "198.18.0.9", "lladdr", "02:00:00:00:00:09", "dev", "a0"},
				{"neigh", "replace", "198.18.0.9", "lladdr", "02:00:00:00:00:0a", "dev", "a0", "nud", "stale"},
				{"neigh", "del", "198.18.0.9", "dev", "a0"},
				{"link", "set", "a1", "master", "br0"},
				{"link", "set", "a1", "nomaster"},
				{"addr", "del", "198.18.1.1/24", "dev", "a0"},
				{"link", "add", "x0", "address", "02:00:00:00:00:c0", "type", "veth", "peer", "name", "x1", "address", "02:00:00:00:00:c1"},
				{"link", "set", "x0", "up"},
				{"link", "set", "x1", "master", "br0"},
			} {
				mustSys(t, withNS(ns, cmd)...)
			}
			// A monitor names a link it has not seen yet (the netconf
			// event of a new link comes before the link's) by asking
			// the kernel, which knows it only until it is deleted:
			// both monitors catch up before x0 goes.
			monitorMarker(t, ns, 202)
			waitFor(t, "a marker before the delete", func() bool {
				return markerLine(want.String(), 202) >= 0 && markerLine(got.String(), 202) >= 0
			})
			mustSys(t, withNS(ns, []string{"link", "del", "x0"})...)
			monitorMarker(t, ns, 201)
			waitFor(t, "the end marker", func() bool {
				return markerLine(want.String(), 201) >= 0 && markerLine(got.String(), 201) >= 0
			})
			time.Sleep(100 * time.Millisecond)
			ipCmd.Process.Signal(os.Interrupt)
			lbCmd.Process.Signal(os.Interrupt)
			w, g := monitorTimeless(between(want.String(), 200, 201)), monitorTimeless(between(got.String(), 200, 201))
			if w == "" {
				t.Fatalf("iproute2 printed nothing between the markers:\n%s", want.String())
			}
			if w != g {
				t.Errorf("ip %s: output differs from iproute2's:\nwant:\n%s\ngot:\n%s", strings.Join(args, " "), w, g)
			}
		})
	}
}

// monitorTimeless replaces the times ip -t and -ts print by T, keeping
// their form: two monitors print the same event at different moments.
func monitorTimeless(s string) string {
	s = regexp.MustCompile(`(?m)Timestamp: (Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 123]\d \d\d:\d\d:\d\d \d{4} (0|[1-9]\d{0,5}) usec$`).
		ReplaceAllString(s, "Timestamp: T usec")
	return regexp.MustCompile(`\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\] `).ReplaceAllString(s, "[T] ")
}

// ip -t and -ts print the time of each event as iproute2's
// print_timestamp does: before the label, in local time.
func TestIPMonitorTimestamps(t *testing.T) {
	at := time.Date(2026, time.November, 8, 7, 6, 5, 4321000, time.UTC)
	for _, c := range []struct {
		short bool
		want  string
	}{
		{false, "Timestamp: Sun Nov  8 07:06:05 2026 4321 usec\n"},
		{true, "[2026-11-08T07:06:05.004321] "},
	} {
		var b strings.Builder
		writeTimestamp(&b, at, c.short)
		if b.String() != c.want {
			t.Errorf("short %v: want %q, got %q", c.short, c.want, b.String())
		}
	}

	ns, _ := twins(t, "mt")
	for _, c := range []struct {
		opts   ipOpts
		args   []string
		prefix string
	}{
		{ipOpts{timestamp: true}, []string{"address"}, "Timestamp: Sun Nov  8 07:06:05 2026 4321 usec\n3: a0    inet 198.18.7.7/32 scope global a0\n"},
		{ipOpts{timestamp: true, oneline: true}, []string{"label", "address"}, "Timestamp: Sun Nov  8 07:06:05 2026 4321 usec\n[ADDR]3: a0    inet 198.18.7.7/32 scope global a0\\       valid_lft forever preferred_lft forever\n"},
		{ipOpts{timestamp: true, tshort: true}, []string{"label", "address"}, "[2026-11-08T07:06:05.004321] [ADDR]3: a0    inet 198.18.7.7/32 scope global a0\n"},
	} {
		var out, errb lockedBuffer
		e := newEnv(strings.NewReader(""), &out, &errb, func(string) string { return "" })
		c2 := &ipCmd{env: e, opts: c.opts}
		c2.netns = ns
		stop := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- c2.monitor(newArgs(c.args), monitorOptions{stop: stop, now: func() time.Time { return at }})
		}()
		waitFor(t, "an address event", func() bool {
			sys(t, "ip", "-n", ns, "addr", "replace", "198.18.7.7/32", "dev", "a0")
			return strings.Contains(out.String(), "198.18.7.7/32")
		})
		close(stop)
		if err := <-done; err != nil {
			t.Errorf("monitor: want nil after stop, got %v", err)
		}
		e.close()
		sys(t, "ip", "-n", ns, "addr", "del", "198.18.7.7/32", "dev", "a0")
		if !strings.HasPrefix(out.String(), c.prefix) {
			t.Errorf("%+v monitor %q: want output starting\n%s\ngot\n%s", c.opts, c.args, c.prefix, out.String())
		}
	}
}

// ip -rcvbuf SIZE sets the receive buffer of ip monitor's socket (the
// kernel doubles it, as ss shows), and bad sizes fail as iproute2's do.
func TestIPRcvbuf(t *testing.T) {
	kernel(t)
	needTool(t, "ss")
	for _, args := range [][]string{
		{"-rcvbuf", "abc", "link"}, {"-rcvbuf", "-5", "link"}, {"-rcvbuf", "99999999999", "link"}, {"-rcvbuf", "", "link"},
		{"-rcvbuf", "0x1000", "link", "show", "lo"}, {"-rcvbuf", "010", "link", "show", "lo"},
	} {
		want, got := sys(t, append([]string{"ip"}, args...)...), lb(t, append([]string{"ip"}, args...)...)
		if want != got {
			t.Errorf("ip %q: want %+v, got %+v", args, want, got)
		}
	}
	if r := lb(t, "ip", "-rcvbuf"); r.code != 255 || !strings.HasPrefix(r.stderr, "Usage: ip ") {
		t.Errorf("ip -rcvbuf: want the usage and exit 255, got %+v", r)
	}

	bin := linkboxBin(t)
	wireNS(t, "wrcvbuf")
	cmd := exec.Command(filepath.Join(bin, "ip"), "-n", "wrcvbuf", "-rcvbuf", "5000", "monitor", "link")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	waitFor(t, "a netlink socket with a receive buffer of 2*5000 bytes", func() bool {
		return strings.Contains(mustSys(t, "ip", "netns", "exec", "wrcvbuf", "ss", "-f", "netlink", "-a", "-m"), "rb10000,")
	})
}

// ip monitor stops when asked (tests), and until then prints what
// happens in the namespace -n names.
func TestIPMonitorRunsUntilStopped(t *testing.T) {
	ns, _ := twins(t, "mr")
	var out, errb lockedBuffer
	e := newEnv(strings.NewReader(""), &out, &errb, func(string) string { return "" })
	defer e.close()
	c := &ipCmd{env: e}
	c.netns = ns
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- c.monitor(newArgs([]string{"address"}), monitorOptions{stop: stop}) }()
	waitFor(t, "an address event", func() bool {
		sys(t, "ip", "-n", ns, "addr", "replace", "198.18.7.7/32", "dev", "a0")
		return strings.Contains(out.String(), "inet 198.18.7.7/32 scope global a0")
	})
	close(stop)
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("monitor: want nil after stop, got %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("monitor did not stop")
	}
	if !strings.HasPrefix(out.String(), "3: a0    inet 198.18.7.7/32 scope global a0\n       valid_lft forever preferred_lft forever\n") {
		t.Errorf("want the address event as iproute2 prints it, got %q", out.String())
	}
}

// gateWriter blocks every write until it is opened, so that the monitor
// stops reading and the kernel overruns its socket.
type gateWriter struct {
	open chan struct{}
	buf  lockedBuffer
}

func (g *gateWriter) Write(p []byte) (int, error) {
	<-g.open
	return g.buf.Write(p)
}

// When the kernel drops events because the monitor's socket is full,
// ip monitor says so as iproute2 does and goes on printing events.
func TestIPMonitorOverrunContinues(t *testing.T) {
	ns, _ := twins(t, "mo")
	gate := &gateWriter{open: make(chan struct{})}
	var errb lockedBuffer
	e := newEnv(strings.NewReader(""), gate, &errb, func(string) string { return "" })
	defer e.close()
	c := &ipCmd{env: e}
	c.netns = ns
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- c.monitor(newArgs([]string{"address"}), monitorOptions{stop: stop, rcvbuf: 1024})
	}()
	// A burst the smallest receive buffer cannot hold, while the
	// monitor is stuck writing its first event.
	var batch strings.Builder
	for i := 1; i <= 250; i++ {
		fmt.Fprintf(&batch, "addr add 198.18.%d.%d/32 dev a0\n", 100+i/200, i%200+1)
	}
	f := filepath.Join(t.TempDir(), "batch")
	if err := os.WriteFile(f, []byte(batch.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // let the monitor subscribe
	mustSys(t, "ip", "-n", ns, "-batch", f)
	close(gate.open)
	waitFor(t, "the overrun notice", func() bool {
		return strings.Contains(errb.String(), "netlink receive error No buffer space available (105)\n")
	})
	waitFor(t, "an event after the overrun", func() bool {
		sys(t, "ip", "-n", ns, "addr", "replace", "198.18.9.9/32", "dev", "a0")
		return strings.Contains(gate.buf.String(), "inet 198.18.9.9/32 scope global a0")
	})
	close(stop)
	if err := <-done; err != nil {
		t.Errorf("monitor: want nil after stop, got %v", err)
	}
}

// Bad arguments fail as iproute2's do, before listening.
func TestIPMonitorArgumentErrors(t *testing.T) {
	kernel(t)
	for _, args := range [][]string{
		{"monitor", "bogus"}, {"monitor", "dev", "nosuch"}, {"monitor", "dev"},
	} {
		want, got := sys(t, append([]string{"ip"}, args...)...), lb(t, append([]string{"ip"}, args...)...)
		if want != got {
			t.Errorf("ip %v: want %+v, got %+v", args, want, got)
		}
	}
}
