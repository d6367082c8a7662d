package fuzz

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/nsfs/nstest"
	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/rtnl/wire"
)

// The seed corpus from the real kernel. TestWriteCorpus, run by
// `make corpus` (LINKBOX_CORPUS=write go test ./fuzz -run TestWriteCorpus),
// builds a topology in the sandbox with iproute2 (bridge with VLAN
// spanning tree, veth pairs, one peer in a named namespace, aliases,
// alternative names, IPv4 and IPv6 addresses with labels, peers and
// lifetimes, routes with gateways, tables, metrics, multipath and an IPv6
// next hop, neighbours, FDB entries, namespace ids), reads it back
// through rtnl with every datagram traced (dumps of each family, single
// gets, echoes, events, and errors with and without extended acks), runs
// iproute2 commands under strace for the requests and answers it sees,
// and writes what crossed the sockets as seed files:
//
//	testdata/fuzz/FuzzDump/k-*       each datagram the kernel sent
//	testdata/fuzz/FuzzAnnotate/k-*   each datagram, both ways
//	testdata/fuzz/Fuzz{Link,Address,Route,Neigh,NSID,Ack}/k-*   each message
//	testdata/fuzz/Fuzz{VethInfo,BridgeInfo,BridgePortInfo}/k-* each kind's data
//
// Sequence numbers and port ids are zeroed. Seeds from an earlier capture
// (k-*) are replaced; crashers the fuzzers found are kept.

// corpusCap bounds the seeds written per target, and corpusMaxSize the
// size of each, to keep the repository small and the fuzzers quick; the
// most varied (by message type and size) are kept.
const (
	corpusCap     = 40
	corpusMaxSize = 4096
)

// corpusSetup is the topology the capture reads back.
var corpusSetup = []string{
	"ip link add br0 type bridge mcast_snooping 1 stp_state 0 ageing_time 20000",
	"ip link add v0 type veth peer name v1",
	"ip link set v0 master br0",
	"ip link set v0 alias port-zero",
	"ip link property add dev v0 altname a-rather-long-alternative-name",
	"ip link set br0 up",
	"ip link set v0 up",
	"ip link set v1 up",
	"ip link add br9 type bridge stp_state 1",
	"ip link set br9 up",
	"ip netns add blue",
	"ip netns set blue 7",
	"ip link add v2 type veth peer name v3 netns blue",
	"ip link set v2 mtu 1400 up",
	"ip link set v1 master br9",
	"ip addr add 198.18.0.1/24 brd + dev br0 label br0:a",
	"ip addr add 2001:db8::1/64 dev br0 nodad",
	"ip addr add 198.18.1.1 peer 198.18.1.2/32 dev v1",
	"ip addr add 198.18.2.1/24 dev v1 valid_lft 100 preferred_lft 50",
	"ip route add 198.18.10.0/24 via 198.18.0.2 metric 7",
	"ip route add 198.18.11.0/24 dev br0 table 100",
	"ip route add 198.18.12.0/24 nexthop via 198.18.0.3 weight 1 nexthop via 198.18.0.4 weight 2",
	"ip route add 198.18.13.0/24 dev br0 mtu lock 1300 initcwnd 10",
	"ip route add 198.18.14.0/24 via inet6 2001:db8::2 dev br0",
	"ip -6 route add 2001:db8:1::/64 via 2001:db8::2 dev br0 pref high",
	"ip neigh add 198.18.0.9 lladdr 02:00:5e:00:00:09 dev br0 nud permanent",
	"ip -6 neigh add 2001:db8::9 lladdr 02:00:5e:00:00:0a dev br0",
	"bridge fdb add 02:00:5e:00:00:0b dev v0 master static",
	"bridge fdb add 02:00:5e:00:00:0c dev v0 master dynamic",
	"ip link set dev v0 type bridge_slave cost 7 priority 9 learning off",
}

// corpusStrace are iproute2 commands whose requests and answers are
// captured with strace.
var corpusStrace = []string{
	"ip link add v4 mtu 1500 address 02:00:5e:00:01:04 type veth peer name v5 mtu 1450 address 02:00:5e:00:01:05 netns blue",
	"ip link add br1 type bridge stp_state 1 forward_delay 400 hello_time 200 max_age 2000 priority 4096 ageing_time 20000 group_fwd_mask 8 mcast_querier 1 vlan_protocol 802.1ad",
	"ip link set dev v0 type bridge_slave cost 10 priority 5 learning off hairpin on guard on bcast_flood off",
	"ip link set dev br0 type bridge fdb_flush",
	"ip link add br0 type bridge",
	"ip link set dev v9 up",
	"ip link set dev v1 mtu 100000",
	"ip addr add 198.18.0.1/24 dev br0",
	"ip route add 198.18.99.0/24 via 203.0.113.1",
	"ip link show",
	"ip -d link show dev br0",
	"ip addr show",
	"ip route show table all",
	"ip -6 route show",
	"ip neigh show",
	"bridge fdb show",
	"ip netns list-id",
	"bridge -d link show",
}

func TestWriteCorpus(t *testing.T) {
	if os.Getenv("LINKBOX_CORPUS") != "write" {
		t.Skip("skipped: writes the seed corpus; run it with LINKBOX_CORPUS=write (make corpus)")
	}
	nstest.Require(t)
	for _, tool := range []string{"ip", "bridge", "strace"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the capture needs %s: %v", tool, err)
		}
	}
	for _, c := range corpusSetup {
		if out, err := exec.Command("sh", "-c", c).CombinedOutput(); err != nil {
			t.Logf("setup %q: %v: %s (going on without it)", c, err, out)
		}
	}
	var ds []wire.Datagram
	ds = append(ds, captureConn(t)...)
	ds = append(ds, captureEvents(t)...)
	for _, c := range corpusStrace {
		ds = append(ds, captureStrace(t, c)...)
	}
	seeds := seedsOf(t, ds)
	for target, list := range seeds {
		writeSeeds(t, target, list)
	}
}

// captureConn reads the topology back through rtnl and makes the kernel
// answer with errors, returning every datagram that crossed the socket.
func captureConn(t *testing.T) []wire.Datagram {
	var ds []wire.Datagram
	c, err := rtnl.Dial(&rtnl.Config{Kinds: Kinds, Trace: func(d rtnl.Direction, b []byte) {
		ds = append(ds, wire.Datagram{Dir: d, Data: bytes.Clone(b)})
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dump := func(typ uint16, p rtnl.Payload) {
		if _, err := c.DumpAll(rtnl.Request{Type: typ, Payload: p}); err != nil {
			t.Logf("dump %s: %v", rtnl.MessageTypeName(typ), err)
		}
	}
	dump(unix.RTM_GETLINK, &rtnl.LinkMessage{Family: unix.AF_PACKET, Attrs: rtnl.LinkAttrs{ExtMask: 1}})
	dump(unix.RTM_GETLINK, &rtnl.LinkMessage{Family: unix.AF_BRIDGE, Attrs: rtnl.LinkAttrs{ExtMask: 2}}) // RTEXT_FILTER_BRVLAN
	dump(unix.RTM_GETADDR, &rtnl.AddressMessage{})
	dump(unix.RTM_GETROUTE, &rtnl.RouteMessage{})
	dump(unix.RTM_GETNEIGH, &rtnl.NeighMessage{})
	dump(unix.RTM_GETNEIGH, &rtnl.NeighMessage{Family: unix.AF_BRIDGE})
	dump(unix.RTM_GETNSID, &rtnl.NSIDMessage{})
	// A dump the kernel refuses in its NLMSG_DONE.
	dump(unix.RTM_GETLINK, &rtnl.LinkMessage{Index: 1})
	for _, name := range []string{"br0", "br9", "v0", "v1", "v2", "lo", "nonexistent"} {
		if _, err := c.LinkByName(name); err != nil {
			t.Logf("get %s: %v", name, err)
		}
	}
	// An echo, then errors: exists, a policy failure with an offset, a
	// value out of range with a message, a missing device.
	if _, err := c.AddLink(&rtnl.LinkMessage{Attrs: rtnl.LinkAttrs{Name: "b1", Info: &rtnl.LinkInfo{Kind: "bridge"}}}, true); err != nil {
		t.Logf("add b1: %v", err)
	}
	if _, err := c.AddLink(&rtnl.LinkMessage{Attrs: rtnl.LinkAttrs{Name: "b1", Info: &rtnl.LinkInfo{Kind: "bridge"}}}, true); err == nil {
		t.Logf("adding b1 twice succeeded")
	}
	if _, err := c.AddLink(&rtnl.LinkMessage{Attrs: rtnl.LinkAttrs{Name: "x1", Info: &rtnl.LinkInfo{Kind: "nosuchkind"}}}, true); err == nil {
		t.Logf("a link of kind nosuchkind was made")
	}
	raw := rtnl.RawPayload(append(make([]byte, unix.SizeofIfInfomsg), 0x18, 0, 3, 0, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't'))
	if _, err := c.Execute(rtnl.Request{Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_CREATE | unix.NLM_F_EXCL, Payload: raw}); err == nil {
		t.Logf("a 20-byte name was accepted")
	}
	if idx, err := c.LinkIndex("v1"); err == nil {
		if err := c.SetLinkMTU(idx, 100000); err == nil {
			t.Logf("MTU 100000 accepted")
		}
	}
	if err := c.SetLinkUp(9999); err == nil {
		t.Logf("link 9999 exists")
	}
	if err := c.DeleteLink(9999); err == nil {
		t.Logf("link 9999 exists")
	}
	return ds
}

// captureEvents joins the link, address, route, neighbour and nsid groups
// and makes some changes, returning the events.
func captureEvents(t *testing.T) []wire.Datagram {
	var ds []wire.Datagram
	sub, err := rtnl.Subscribe(&rtnl.Config{Trace: func(d rtnl.Direction, b []byte) {
		ds = append(ds, wire.Datagram{Dir: d, Data: bytes.Clone(b)})
	}}, unix.RTNLGRP_LINK, unix.RTNLGRP_IPV4_IFADDR, unix.RTNLGRP_IPV6_IFADDR, unix.RTNLGRP_IPV4_ROUTE,
		unix.RTNLGRP_NEIGH, unix.RTNLGRP_NSID)
	if err != nil {
		t.Logf("subscribing: %v", err)
		return nil
	}
	defer sub.Close()
	for _, c := range []string{
		"ip link add e0 type veth peer name e1",
		"ip link set e0 up",
		"ip addr add 198.18.20.1/24 dev e0",
		"ip route add 198.18.21.0/24 via 198.18.20.2",
		"ip neigh add 198.18.20.9 lladdr 02:00:5e:00:00:19 dev e0",
		"ip link del e0",
	} {
		if out, err := exec.Command("sh", "-c", c).CombinedOutput(); err != nil {
			t.Logf("%q: %v: %s", c, err, out)
		}
	}
	if err := sub.SetDeadline(time.Now().Add(time.Second)); err != nil {
		t.Logf("deadline: %v", err)
		return ds
	}
	for range 200 {
		if _, err := sub.Next(); err != nil {
			break
		}
	}
	return ds
}

// captureStrace runs an iproute2 command under strace and returns what
// it sent and received.
func captureStrace(t *testing.T, cmd string) []wire.Datagram {
	out := filepath.Join(t.TempDir(), "strace")
	args := append([]string{"-f", "-qq", "-xx", "-s", "65536", "-e", "trace=sendmsg,recvmsg,sendto,recvfrom",
		"-e", "write=all", "-e", "read=all", "-o", out}, strings.Fields(cmd)...)
	_ = exec.Command("strace", args...).Run() // failing commands are wanted too
	text, err := os.ReadFile(out)
	if err != nil {
		t.Logf("strace %q: %v", cmd, err)
		return nil
	}
	ds, err := wire.ParseStrace(string(text))
	if err != nil {
		t.Logf("reading strace of %q: %v", cmd, err)
	}
	return ds
}

// seedsOf sorts the captured datagrams and their messages into seeds per
// target.
func seedsOf(t *testing.T, ds []wire.Datagram) map[string][][]byte {
	seeds := map[string][][]byte{}
	add := func(target string, b []byte) {
		if len(b) <= corpusMaxSize {
			seeds[target] = append(seeds[target], b)
		}
	}
	for _, d := range ds {
		b := normalise(d.Data, 0, 0)
		zeroSeqPid(b)
		msgs, err := rtnl.ParseMessages(b)
		if err != nil || len(msgs) == 0 {
			continue
		}
		add("FuzzAnnotate", b)
		if d.Dir == rtnl.Received {
			add("FuzzDump", b)
		}
		for _, m := range msgs {
			mb := frame(m.Header, m.Data)
			switch m.Header.Type {
			case unix.NLMSG_ERROR, unix.NLMSG_DONE:
				add("FuzzAck", mb)
				continue
			}
			fam := familyOf(m.Header.Type)
			if fam == nil {
				continue
			}
			add(fam.target, mb)
			if fam == linkFamily {
				for _, k := range kindTargets {
					if data := rawKindData(m.Data, k); data != nil {
						add(k.target, data)
					}
				}
			}
		}
	}
	for target, list := range seeds {
		seeds[target] = pick(list, corpusCap)
		t.Logf("%s: %d captured, %d kept", target, len(list), len(seeds[target]))
	}
	return seeds
}

// zeroSeqPid clears nlmsg_seq and nlmsg_pid in every message of b.
func zeroSeqPid(b []byte) {
	_ = rtnl.EachMessage(b, func(m rtnl.Message) error { return nil })
	for off := 0; off+rtnl.HeaderLen <= len(b); {
		n := int(header(b[off:]).Len)
		clear(b[off+8 : off+16])
		if n < rtnl.HeaderLen {
			return
		}
		off += (n + 3) &^ 3
	}
}

// rawKindData returns the bytes of kind k's data in a link message
// payload, as they came, or nil.
func rawKindData(payload []byte, k *kindTarget) []byte {
	var m rtnl.LinkMessage
	if err := m.Decode(payload, nil); err != nil || m.Attrs.Info == nil {
		return nil
	}
	ld := m.Attrs.Info.Data
	name := m.Attrs.Info.Kind
	if k.slave {
		ld, name = m.Attrs.Info.SlaveData, m.Attrs.Info.SlaveKind
		if name == "" {
			name, _ = cutSlave(m.Attrs.Info.Kind)
		}
	}
	raw, ok := ld.(*rtnl.RawData)
	want, _ := cutSlave(k.kind)
	if !ok || name != want {
		return nil
	}
	return bytes.Clone(raw.Data)
}

// pick keeps up to n distinct seeds, preferring variety: for each message
// type and size class in turn, the first not kept yet.
func pick(list [][]byte, n int) [][]byte {
	seen := map[string]bool{}
	var uniq [][]byte
	for _, b := range list {
		if !seen[string(b)] {
			seen[string(b)] = true
			uniq = append(uniq, b)
		}
	}
	class := func(b []byte) string {
		typ := "data"
		if len(b) >= rtnl.HeaderLen {
			typ = fmt.Sprint(header(b).Type)
		}
		size := 0
		for l := len(b); l > 64; l /= 2 {
			size++
		}
		return fmt.Sprintf("%s/%d", typ, size)
	}
	groups := map[string][][]byte{}
	var order []string
	for _, b := range uniq {
		c := class(b)
		if groups[c] == nil {
			order = append(order, c)
		}
		groups[c] = append(groups[c], b)
	}
	var out [][]byte
	for round := 0; len(out) < n; round++ {
		added := false
		for _, c := range order {
			if round < len(groups[c]) && len(out) < n {
				out = append(out, groups[c][round])
				added = true
			}
		}
		if !added {
			break
		}
	}
	return out
}

// writeSeeds replaces the target's k-* seeds with list.
func writeSeeds(t *testing.T, target string, list [][]byte) {
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, "k-*"))
	for _, p := range old {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	sort.Slice(list, func(i, j int) bool { return bytes.Compare(list[i], list[j]) < 0 })
	for _, b := range list {
		sum := sha256.Sum256(b)
		p := filepath.Join(dir, "k-"+hex.EncodeToString(sum[:8]))
		if err := os.WriteFile(p, corpusFile(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// corpusFile is a seed in Go's corpus file format: one []byte value.
func corpusFile(b []byte) []byte {
	return fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", b)
}

// Every kernel seed of a message target decodes, and encodes back to
// exactly the bytes the kernel sent: for what the kernel sends, the round
// trip loses nothing and changes nothing, padding included.
func TestKernelSeedsRoundTripExactly(t *testing.T) {
	n := 0
	for _, fam := range families {
		files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", fam.target, "k-*"))
		for _, p := range files {
			b, err := readCorpusFile(p)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			m, ok := oneMessage(b)
			if !ok {
				t.Errorf("%s: not one message", p)
				continue
			}
			if m.Header.Flags&unix.NLM_F_REQUEST != 0 {
				continue // a request iproute2 sent; its strings may lack a NUL
			}
			n++
			x, err := fam.decode(m.Data)
			if err != nil {
				t.Errorf("%s: %s does not decode the kernel's %s: %v", p, fam.target, rtnl.MessageTypeName(m.Header.Type), err)
				continue
			}
			if got := encode(t, p, x); !bytes.Equal(got, m.Data) {
				t.Errorf("%s: %s: decoding and encoding the kernel's bytes changes them\nwant %x\ngot  %x", p, rtnl.MessageTypeName(m.Header.Type), m.Data, got)
			}
		}
	}
	if n == 0 {
		t.Skip("skipped: no kernel seeds under testdata/fuzz (make corpus writes them)")
	}
}

// readCorpusFile reads a seed file holding one []byte.
func readCorpusFile(p string) ([]byte, error) {
	text, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	lines := strings.SplitN(string(text), "\n", 3)
	if len(lines) < 2 || lines[0] != "go test fuzz v1" {
		return nil, errors.New("not a corpus file")
	}
	var s string
	if _, err := fmt.Sscanf(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"), "%q", &s); err != nil {
		return nil, err
	}
	return []byte(s), nil
}
