package nsfs

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkbox/linkbox/nsfs/nstest"
	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// ipDir returns the zero Dir, iproute2's /run/netns in the sandbox, after
// checking that `ip` is there; names left by a test are deleted.
func ipDir(t *testing.T, names ...string) *Dir {
	t.Helper()
	nstest.Require(t)
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("skipped: iproute2's ip is not installed")
	}
	d := &Dir{}
	if want, got := "/run/netns", d.dir(); want != got {
		t.Fatalf("run dir: want %s, got %s", want, got)
	}
	cleanup := func() {
		for _, n := range names {
			if err := d.Delete(n); err != nil && !errors.Is(err, ErrNotExist) {
				t.Errorf("cleanup: %v", err)
			}
		}
	}
	cleanup()
	t.Cleanup(cleanup)
	// Start from no run dir at all, so that each test sees who makes it.
	if ents, err := d.List(); err != nil || len(ents) != 0 {
		t.Fatalf("/run/netns is not empty: %+v, %v", ents, err)
	}
	for unix.Unmount(d.dir(), unix.MNT_DETACH) == nil {
	}
	if err := os.Remove(d.dir()); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return d
}

func ip(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// ipNetnsNames parses `ip -j netns list`.
func ipNetnsNames(t *testing.T) map[string]int {
	t.Helper()
	out := ip(t, "-j", "netns", "list")
	var list []struct {
		Name string `json:"name"`
		ID   *int   `json:"id"`
	}
	if strings.TrimSpace(out) != "" {
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("ip -j netns list: %v: %q", err, out)
		}
	}
	m := map[string]int{}
	for _, e := range list {
		m[e.Name] = -1
		if e.ID != nil {
			m[e.Name] = *e.ID
		}
	}
	return m
}

// A name added by nsfs is listed by ip, works with ip netns exec, and is
// deleted by ip.
func TestInteropNsfsToIP(t *testing.T) {
	const name = "nsfs-made"
	d := ipDir(t, name)
	if err := d.Add(name); err != nil {
		t.Fatal(err)
	}
	checkNamed(t, d, name)
	if _, ok := ipNetnsNames(t)[name]; !ok {
		t.Errorf("ip netns list does not show %s", name)
	}
	ns, err := d.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	if want, got := ns.ID().String(), strings.TrimSpace(ip(t, "netns", "exec", name, "readlink", "/proc/self/ns/net")); want != got {
		t.Errorf("namespace inside ip netns exec: want %s, got %s", want, got)
	}
	links := ip(t, "netns", "exec", name, "ip", "-o", "link")
	if !strings.HasPrefix(links, "1: lo:") || strings.Count(links, "\n") != 1 {
		t.Errorf("ip netns exec %s ip -o link: want only lo, got %q", name, links)
	}
	ip(t, "netns", "delete", name)
	if ents, err := d.List(); err != nil || slices.ContainsFunc(ents, func(e Entry) bool { return e.Name == name }) {
		t.Errorf("List after ip netns delete: %+v, %v", ents, err)
	}
	if ms := mountsUnder(t, d.dir()); len(ms) != 0 {
		t.Errorf("mounts left: %+v", ms)
	}
}

// A name added by ip is listed, opened, used and deleted by nsfs.
func TestInteropIPToNsfs(t *testing.T) {
	const name = "ip-made"
	d := ipDir(t, name, "nsfs-too")
	ip(t, "netns", "add", name)
	checkNamed(t, d, name)
	// nsfs uses the run dir ip made as it is.
	if err := d.Add("nsfs-too"); err != nil {
		t.Fatal(err)
	}
	checkNamed(t, d, "nsfs-too")
	checkNamed(t, d, name)
	entries, err := d.List()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(entries, func(e Entry) bool { return e.Name == name })
	if i < 0 || entries[i].Stale {
		t.Fatalf("List: want %s, not stale, got %+v", name, entries)
	}
	ns, err := d.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	if ns.ID() != entries[i].ID {
		t.Errorf("Open: want %v, got %v", entries[i].ID, ns.ID())
	}
	if want, got := ns.ID().String(), strings.TrimSpace(ip(t, "netns", "exec", name, "readlink", "/proc/self/ns/net")); want != got {
		t.Errorf("ip's namespace: want %s, got %s", want, got)
	}
	var out strings.Builder
	cmd := exec.Command("readlink", "/proc/self/ns/net")
	cmd.Stdout = &out
	if err := d.Run(name, cmd); err != nil {
		t.Fatal(err)
	}
	if want, got := ns.ID().String(), strings.TrimSpace(out.String()); want != got {
		t.Errorf("Run in an ip-made name: want %s, got %s", want, got)
	}
	if err := d.Delete(name); err != nil {
		t.Fatal(err)
	}
	if _, ok := ipNetnsNames(t)[name]; ok {
		t.Errorf("ip netns list still shows %s", name)
	}
	if ms := mountsAt(t, d.dir()+"/"+name); len(ms) != 0 {
		t.Errorf("mounts left: %+v", ms)
	}
}

// iproute2 makes "nl\nx" (and lists it as two lines); nsfs lists it as one
// name, escapes it, and deletes it.
func TestInteropOddName(t *testing.T) {
	const name = "nl\nx"
	d := ipDir(t, name)
	ip(t, "netns", "add", name)
	entries, err := d.List()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(entries, func(e Entry) bool { return e.Name == name })
	if i < 0 || entries[i].Stale {
		t.Fatalf("List: want %q, got %+v", name, entries)
	}
	if want, got := `nl\nx`, Quote(entries[i].Name); want != got {
		t.Errorf("Quote: want %s, got %s", want, got)
	}
	if err := d.Delete(name); err != nil {
		t.Fatal(err)
	}
}

// Namespace ids set by either side are read by the other.
func TestInteropNSID(t *testing.T) {
	d := ipDir(t, "id-a", "id-b", "id-c")
	for _, n := range []string{"id-a", "id-b", "id-c"} {
		if err := d.Add(n); err != nil {
			t.Fatal(err)
		}
	}
	c, err := rtnl.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	if id, err := d.NSID(c, "id-a"); err != nil || id != rtnl.NSIDNotAssigned {
		t.Errorf("NSID before any is set: want %d, got %d, %v", rtnl.NSIDNotAssigned, id, err)
	}
	if err := d.SetNSID(c, "id-a", 5); err != nil {
		t.Fatal(err)
	}
	ip(t, "netns", "set", "id-b", "7")
	if err := d.SetNSID(c, "id-c", rtnl.NSIDNotAssigned); err != nil { // kernel's pick
		t.Fatal(err)
	}
	if id, err := d.NSID(c, "id-b"); err != nil || id != 7 {
		t.Errorf("NSID(id-b) set by ip: want 7, got %d, %v", id, err)
	}
	picked, err := d.NSID(c, "id-c")
	if err != nil || picked < 0 {
		t.Errorf("NSID(id-c) picked by the kernel: want >= 0, got %d, %v", picked, err)
	}
	ids := ipNetnsNames(t)
	if ids["id-a"] != 5 || ids["id-b"] != 7 || ids["id-c"] != int(picked) {
		t.Errorf("ip netns list ids: want id-a 5, id-b 7, id-c %d, got %v", picked, ids)
	}
	if out := ip(t, "netns", "list-id"); !strings.Contains(out, "nsid 5 (iproute2 netns name: id-a)") {
		t.Errorf("ip netns list-id: want nsid 5 named id-a, got %q", out)
	}
	list, err := d.ListNSIDs(c)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(list, func(a, b NSIDEntry) int { return int(a.NSID - b.NSID) })
	want := []NSIDEntry{{5, "id-a"}, {7, "id-b"}, {picked, "id-c"}}
	slices.SortFunc(want, func(a, b NSIDEntry) int { return int(a.NSID - b.NSID) })
	if !slices.Equal(want, list) {
		t.Errorf("ListNSIDs: want %v, got %v", want, list)
	}
	if n, err := d.NameOfNSID(c, 7); err != nil || n != "id-b" {
		t.Errorf("NameOfNSID(7): want id-b, got %q, %v", n, err)
	}
	if _, err := d.NameOfNSID(c, 99); !errors.Is(err, ErrNotExist) {
		t.Errorf("NameOfNSID(99): want ErrNotExist, got %v", err)
	}
	if err := d.SetNSID(c, "id-a", 6); !isExist(err) {
		t.Errorf("changing an id: want EEXIST, got %v", err)
	}
}

// ip's names show in a Watcher, and nsfs's in `ip netns monitor`.
func TestInteropWatch(t *testing.T) {
	d := ipDir(t, "ip-watched", "nsfs-watched")
	w, err := d.Watch()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ip(t, "netns", "add", "ip-watched")
	ip(t, "netns", "delete", "ip-watched")
	for _, want := range []Event{{Added, "ip-watched"}, {Deleted, "ip-watched"}} {
		if ev, err := w.Next(); err != nil || ev != want {
			t.Errorf("Next: want %v, got %v, %v", want, ev, err)
		}
	}

	if _, err := exec.LookPath("stdbuf"); err != nil {
		t.Skip("skipped the ip netns monitor half: stdbuf (coreutils) is not installed")
	}
	// ip writes through stdio: line-buffer it, or the pipe holds it all.
	mon := exec.Command("stdbuf", "-oL", "ip", "netns", "monitor")
	out, err := mon.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := mon.Start(); err != nil {
		t.Fatal(err)
	}
	defer mon.Wait()
	defer mon.Process.Kill()
	// ip netns monitor shows nothing until it watches; add and delete
	// until it has shown both (each round is one add and one delete).
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	seen := map[string]bool{}
	for round := 0; round < 50 && !(seen["add nsfs-watched"] && seen["delete nsfs-watched"]); round++ {
		if err := d.Add("nsfs-watched"); err != nil {
			t.Fatal(err)
		}
		if err := d.Delete("nsfs-watched"); err != nil {
			t.Fatal(err)
		}
	drain:
		for {
			select {
			case l := <-lines:
				seen[l] = true
			case <-time.After(100 * time.Millisecond):
				break drain
			}
		}
	}
	if !seen["add nsfs-watched"] || !seen["delete nsfs-watched"] {
		t.Errorf("ip netns monitor: want add and delete of nsfs-watched, got %v", seen)
	}
}
