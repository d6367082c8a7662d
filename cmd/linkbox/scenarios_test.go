package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linkbox/linkbox/nsfs"
	"github.com/linkbox/linkbox/nsfs/nstest"
)

// The bulk scenarios of make bench, each run by four tools in a throwaway
// network namespace of its own:
//
//	S1   n veth pairs: create, both ends up, a /32 on each end, delete each
//	S1c  the create half of S1
//	S2   a bridge and m times (namespace, veth pair, one end on the bridge,
//	     the other moved into the namespace, both up, an address), then
//	     teardown: the seed's topology at scale
//	S3   list 2n+1 links, 100 times
//
// The tools: linkbox's library (testdata/benchlib, the fastest request
// shapes), linkbox -batch on the file ip gets, ip -batch, and ip one
// process per command. BenchmarkScenarios prints medians of wall, user and
// system time and of peak RSS, and the ratios to ip -batch. It also checks
// that linkbox -batch and ip -batch leave the same state.
//
//	make bench                      # or:
//	go test -run '^$' -bench Scenarios -benchtime 1x ./cmd/linkbox
//	LINKBOX_BENCH_RUNS=5 LINKBOX_BENCH_PAIRS=1000 LINKBOX_BENCH_NS=100 \
//	LINKBOX_BENCH_ONLY=S1c,S3 ...

// scenario is one workload: the batch file ip gets, its setup (untimed).
type scenario struct {
	name  string
	setup []string // batch lines run before, untimed
	lines []string // the timed batch file
	lib   []string // benchlib arguments
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func scenarios(pairs, nss int) []scenario {
	var create, del []string
	for i := range pairs {
		create = append(create,
			fmt.Sprintf("link add s1a%d type veth peer name s1b%d", i, i),
			fmt.Sprintf("link set s1a%d up", i),
			fmt.Sprintf("link set s1b%d up", i),
			fmt.Sprintf("addr add 198.18.%d.%d/32 dev s1a%d", i/256, i%256, i),
			fmt.Sprintf("addr add 198.19.%d.%d/32 dev s1b%d", i/256, i%256, i))
		del = append(del, fmt.Sprintf("link del s1a%d", i))
	}
	s2c := []string{"link add br0 type bridge", "link set br0 up"}
	var s2t []string
	for i := range nss {
		s2c = append(s2c,
			fmt.Sprintf("netns add ns%d", i),
			fmt.Sprintf("link add v%d type veth peer name p%d", i, i),
			fmt.Sprintf("link set p%d netns ns%d", i, i),
			fmt.Sprintf("link set v%d master br0", i),
			fmt.Sprintf("link set v%d up", i),
			fmt.Sprintf("netns exec ns%d ip link set p%d up", i, i),
			fmt.Sprintf("netns exec ns%d ip addr add 198.18.%d.%d/16 dev p%d", i, i/250, i%250+1, i))
		s2t = append(s2t, fmt.Sprintf("link del v%d", i))
	}
	s2t = append(s2t, "link del br0")
	for i := range nss {
		s2t = append(s2t, fmt.Sprintf("netns del ns%d", i))
	}
	var show, s3setup []string
	for range 100 {
		show = append(show, "link show")
	}
	for i := range pairs {
		s3setup = append(s3setup, fmt.Sprintf("link add s3a%d type veth peer name s3b%d", i, i))
	}
	n, m := strconv.Itoa(pairs), strconv.Itoa(nss)
	return []scenario{
		{name: "S1", lines: slices.Concat(create, del), lib: []string{"S1", n}},
		{name: "S1c", lines: create, lib: []string{"S1c", n}},
		{name: "S2", lines: slices.Concat(s2c, s2t), lib: []string{"S2", m}},
		{name: "S3", setup: s3setup, lines: show, lib: []string{"S3", "100"}},
	}
}

// measure is one timed run.
type measure struct {
	wall, user, sys time.Duration
	rssKB           int64
}

// benchTools builds linkbox and benchlib into dir and returns their paths.
func benchTools(b *testing.B, dir string) (linkbox, lib string) {
	linkbox, lib = filepath.Join(dir, "linkbox"), filepath.Join(dir, "benchlib")
	for _, build := range [][]string{
		{"go", "build", "-trimpath", "-ldflags", "-s -w", "-o", linkbox, "."},
		{"go", "build", "-trimpath", "-ldflags", "-s -w", "-o", lib, "./testdata/benchlib"},
	} {
		cmd := exec.Command(build[0], build[1:]...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%q: %v\n%s", build, err, out)
		}
	}
	return linkbox, lib
}

// inFreshNetns runs argv in a new named namespace made for the run (under
// ns), through nsenter, so that the measured process is the tool itself.
// setup runs before (untimed), look after, before the namespace is
// emptied and removed; either may be nil.
func inFreshNetns(b *testing.B, ns *nsfs.Dir, setup, look func(nsPath string), argv ...string) measure {
	b.Helper()
	const name = "bench"
	if err := ns.Add(name); err != nil {
		b.Fatalf("making the run's namespace: %v", err)
	}
	path := filepath.Join(ns.Path, name)
	defer cleanNetns(b, ns, name)
	if setup != nil {
		setup(path)
	}
	// GNU time runs the tool with fork and reads its rusage: a process
	// started straight from Go would report Go's own peak RSS, which
	// vfork lends it until exec.
	tf := filepath.Join(filepath.Dir(ns.Path), "time.out")
	cmd := exec.Command("/usr/bin/time", append([]string{"-o", tf, "-f", "%e %U %S %M", "nsenter", "--net=" + path, "--"}, argv...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		b.Fatalf("%q: %v\n%s", argv, err, tail(out.String()))
	}
	if look != nil {
		look(path)
	}
	raw, err := os.ReadFile(tf)
	if err != nil {
		b.Fatal(err)
	}
	var wall, user, sys float64
	var m measure
	if _, err := fmt.Sscanf(strings.TrimSpace(string(raw)), "%f %f %f %d", &wall, &user, &sys, &m.rssKB); err != nil {
		b.Fatalf("reading time(1)'s output %q: %v", raw, err)
	}
	m.wall = time.Duration(wall * float64(time.Second))
	m.user = time.Duration(user * float64(time.Second))
	m.sys = time.Duration(sys * float64(time.Second))
	return m
}

func tail(s string) string {
	if len(s) > 2000 {
		return "..." + s[len(s)-2000:]
	}
	return s
}

// cleanNetns deletes what a run left: every link (one batched delete), the
// S2 namespaces, then the run's namespace.
func cleanNetns(b *testing.B, ns *nsfs.Dir, name string) {
	c, err := ns.Dial(name, nil)
	if err == nil {
		links, _ := c.Links()
		var idx []int32
		for _, l := range links {
			if l.Attrs.Name != "lo" {
				idx = append(idx, l.Index)
			}
		}
		c.DeleteLinks(idx...)
		c.Close()
	}
	entries, _ := (&nsfs.Dir{}).List()
	for _, e := range entries {
		if strings.HasPrefix(e.Name, "ns") {
			(&nsfs.Dir{}).Delete(e.Name)
		}
	}
	if err := ns.Delete(name); err != nil {
		b.Fatalf("removing the run's namespace: %v", err)
	}
	// The kernel finishes tearing links and namespaces down in its own
	// workers, holding the RTNL lock, after the calls return: let that
	// settle, so that it does not land in the next run's time.
	time.Sleep(settleTime)
}

// settleTime is the pause after each run's cleanup.
const settleTime = 1500 * time.Millisecond

func median[T int64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// BenchmarkScenarios runs the bulk scenarios with every tool and prints a
// table of medians. It needs the sandbox, iproute2 and nsenter.
func BenchmarkScenarios(b *testing.B) {
	if os.Getenv("LINKBOX_BENCH_SCENARIOS") == "" {
		b.Skip("skipped: the bulk scenarios take minutes; make bench sets LINKBOX_BENCH_SCENARIOS=1")
	}
	if !nstest.Inside() {
		b.Skipf("skipped: needs the namespace sandbox: %s", nstest.Reason())
	}
	for _, tool := range []string{"ip", "nsenter", "sh", "/usr/bin/time"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Skipf("skipped: %s is not installed", tool)
		}
	}
	runs := envInt("LINKBOX_BENCH_RUNS", 3)
	pairs := envInt("LINKBOX_BENCH_PAIRS", 1000)
	nss := envInt("LINKBOX_BENCH_NS", 100)
	work, err := os.MkdirTemp("/run", "bench")
	if err != nil {
		b.Fatal(err)
	}
	linkbox, lib := benchTools(b, work)
	runDir := &nsfs.Dir{Path: filepath.Join(work, "netns")}

	type row struct {
		scenario, tool string
		m              measure
	}
	only := os.Getenv("LINKBOX_BENCH_ONLY") // e.g. S1c,S3
	var rows []row
	for range b.N {
		for _, sc := range scenarios(pairs, nss) {
			if only != "" && !slices.Contains(strings.Split(only, ","), sc.name) {
				continue
			}
			file := filepath.Join(work, sc.name+".batch")
			script := filepath.Join(work, sc.name+".sh")
			os.WriteFile(file, []byte(strings.Join(sc.lines, "\n")+"\n"), 0o644)
			var sh strings.Builder
			sh.WriteString("set -e\n")
			for _, l := range sc.lines {
				sh.WriteString("ip " + l + " >/dev/null\n")
			}
			os.WriteFile(script, []byte(sh.String()), 0o644)
			setup := func(nsPath string) {
				if len(sc.setup) == 0 {
					return
				}
				f := filepath.Join(work, sc.name+".setup")
				os.WriteFile(f, []byte(strings.Join(sc.setup, "\n")+"\n"), 0o644)
				if out, err := exec.Command("nsenter", "--net="+nsPath, "--", linkbox, "ip", "-batch", f).CombinedOutput(); err != nil {
					b.Fatalf("setup of %s: %v\n%s", sc.name, err, out)
				}
			}
			tools := []struct {
				name string
				argv []string
			}{
				{"library", append([]string{lib}, sc.lib...)},
				{"linkbox -batch", []string{linkbox, "ip", "-batch", file}},
				{"ip -batch", []string{"ip", "-batch", file}},
				{"ip per command", []string{"sh", script}},
			}
			// Runs take turns across tools, so that a burst of load on
			// the machine does not land on one tool's runs only.
			ms := make([][]measure, len(tools))
			for r := range runs {
				// Each run starts with another tool, so that no tool
				// always follows the same one.
				for k := range tools {
					i := (k + r) % len(tools)
					ms[i] = append(ms[i], inFreshNetns(b, runDir, setup, nil, tools[i].argv...))
				}
			}
			for i, t := range tools {
				rows = append(rows, row{sc.name, t.name, medianOf(ms[i])})
			}
		}
	}
	// The table, with ratios to ip -batch.
	base := map[string]measure{}
	for _, r := range rows {
		if r.tool == "ip -batch" {
			base[r.scenario] = r.m
		}
	}
	var t strings.Builder
	fmt.Fprintf(&t, "\nmedians of %d runs; pairs %d, namespaces %d\n", runs, pairs, nss)
	fmt.Fprintf(&t, "%-5s %-15s %10s %9s %9s %9s %10s\n", "", "tool", "wall", "user", "sys", "peak RSS", "× ip -batch")
	for _, r := range rows {
		ratio := float64(r.m.wall) / float64(base[r.scenario].wall)
		fmt.Fprintf(&t, "%-5s %-15s %9.3fs %8.3fs %8.3fs %7.1fMB %10.3f\n", r.scenario, r.tool,
			r.m.wall.Seconds(), r.m.user.Seconds(), r.m.sys.Seconds(), float64(r.m.rssKB)/1024, ratio)
		b.ReportMetric(r.m.wall.Seconds(), r.scenario+"/"+strings.ReplaceAll(r.tool, " ", "_")+"-s")
	}
	fmt.Print(t.String())
	checkSameState(b, work, runDir, linkbox, pairs, nss)
}

func medianOf(ms []measure) measure {
	var w, u, s []time.Duration
	var r []int64
	for _, m := range ms {
		w, u, s, r = append(w, m.wall), append(u, m.user), append(s, m.sys), append(r, m.rssKB)
	}
	return measure{median(w), median(u), median(s), median(r)}
}

// checkSameState runs the create halves of S1 and S2 with ip -batch and
// with linkbox -batch and compares what they leave, in the run's namespace
// and in every named namespace.
func checkSameState(b *testing.B, work string, runDir *nsfs.Dir, linkbox string, pairs, nss int) {
	sc := scenarios(min(pairs, 50), min(nss, 10))
	s2create := sc[2].lines[:2+7*min(nss, 10)]
	for _, lines := range [][]string{sc[1].lines, s2create} {
		file := filepath.Join(work, "state.batch")
		os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
		want := snapshotAfter(b, runDir, "ip", "-batch", file)
		got := snapshotAfter(b, runDir, linkbox, "ip", "-batch", file)
		if want != got {
			b.Errorf("linkbox -batch leaves another state than ip -batch:\nip:\n%s\nlinkbox:\n%s", want, got)
		}
	}
}

// snapshotAfter runs argv in a fresh namespace and returns the state it
// left there and in the named namespaces, without what differs from run to
// run (indexes, MAC addresses, counters).
func snapshotAfter(b *testing.B, runDir *nsfs.Dir, argv ...string) string {
	var snap string
	inFreshNetns(b, runDir, nil, func(nsPath string) {
		snap = stateOf(b, nsPath)
		entries, _ := (&nsfs.Dir{}).List()
		for _, e := range entries {
			snap += "netns " + e.Name + ":\n" + stateOf(b, filepath.Join(nsfs.DefaultRunDir(), e.Name))
		}
	}, argv...)
	return snap
}

// stateOf lists the links and addresses of a namespace, normalised.
func stateOf(b *testing.B, nsPath string) string {
	var out strings.Builder
	for _, what := range [][]string{{"-j", "-d", "link"}, {"-j", "addr"}} {
		raw, err := exec.Command("nsenter", append([]string{"--net=" + nsPath, "--", "ip"}, what...)...).Output()
		if err != nil {
			b.Fatalf("ip %q: %v", what, err)
		}
		var v []map[string]any
		if err := json.Unmarshal(raw, &v); err != nil {
			b.Fatal(err)
		}
		sort.Slice(v, func(i, j int) bool { return fmt.Sprint(v[i]["ifname"]) < fmt.Sprint(v[j]["ifname"]) })
		for _, l := range v {
			// operstate follows carrier changes asynchronously (the
			// kernel's linkwatch): a fast run is looked at before it
			// settles.
			for _, k := range []string{"ifindex", "address", "link_index", "link_netnsid", "stats64", "broadcast", "operstate"} {
				delete(l, k)
			}
			if li, ok := l["linkinfo"].(map[string]any); ok {
				for _, k := range []string{"info_data", "info_slave_data"} {
					if d, ok := li[k].(map[string]any); ok {
						for dk := range d {
							if strings.Contains(dk, "timer") || strings.Contains(dk, "id") || dk == "no" || dk == "designated_port" {
								delete(d, dk)
							}
						}
					}
				}
			}
			if ai, ok := l["addr_info"].([]any); ok {
				for _, a := range ai {
					if am, ok := a.(map[string]any); ok && am["scope"] == "link" {
						am["local"] = "link-local"
					}
				}
			}
			j, _ := json.Marshal(l)
			out.Write(j)
			out.WriteByte('\n')
		}
	}
	return out.String()
}
