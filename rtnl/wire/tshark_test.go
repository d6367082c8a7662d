package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/linkbox/linkbox/nsfs/nstest"
	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// seedTraffic runs the seed's link, address and route commands through
// rtnl in the sandbox, with every datagram written to a pcap file, and
// returns the file's name.
func seedTraffic(t *testing.T) string {
	t.Helper()
	nstest.Require(t)
	file := filepath.Join(t.TempDir(), "seed.pcap")
	if dir := os.Getenv("WIRE_KEEP_PCAP"); dir != "" {
		file = filepath.Join(dir, "seed.pcap")
	}
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	pw, err := NewPcapWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	c, err := rtnl.Dial(&rtnl.Config{Trace: pw.Trace})
	if err != nil {
		t.Fatal(err)
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err = c.AddLink(vethPair("veth0", "veth1"), false)
	must("ip link add veth0 type veth peer name veth1", err)
	_, err = c.AddLink(&rtnl.LinkMessage{Attrs: rtnl.LinkAttrs{Name: "br0", Info: &rtnl.LinkInfo{Kind: "bridge"}}}, false)
	must("ip link add br0 type bridge", err)
	veth0, err := c.LinkIndex("veth0")
	must("ip link show veth0", err)
	veth1, err := c.LinkIndex("veth1")
	must("ip link show veth1", err)
	br0, err := c.LinkIndex("br0")
	must("ip link show br0", err)
	must("ip link set dev veth1 master br0", c.SetLinkMaster(veth1, br0))
	must("ip link set dev veth0 mtu 1400", c.SetLinkMTU(veth0, 1400))
	for _, i := range []int32{veth0, veth1, br0} {
		must("ip link set up", c.SetLinkUp(i))
	}
	must("ip addr add 198.18.0.1/24 dev veth0", c.AddAddr(veth0, netip.MustParsePrefix("198.18.0.1/24"), nil))
	must("ip -6 addr add 2001:db8::1/64 dev veth0", c.AddAddr(veth0, netip.MustParsePrefix("2001:db8::1/64"), nil))
	must("ip route add 198.19.0.0/16 via 198.18.0.254", c.AddRoute(netip.MustParsePrefix("198.19.0.0/16"), &rtnl.RouteOptions{Gateway: netip.MustParseAddr("198.18.0.254")}))
	_, err = c.Links()
	must("ip link show", err)
	_, err = c.Addrs(0, 0)
	must("ip addr show", err)
	_, err = c.Routes(unix.AF_INET, 0)
	must("ip route show", err)
	if _, err := c.AddLink(vethPair("veth0", "veth1"), false); err == nil {
		t.Fatal("creating veth0 a second time: want EEXIST, got no error")
	}
	must("ip link del veth0", c.DeleteLink(veth0))
	must("closing the socket", c.Close())
	must("writing the pcap file", pw.Err())
	must("closing the pcap file", f.Close())
	return file
}

// TestTsharkAgrees checks the pcap writer and the decoder against
// Wireshark's netlink dissector: tshark must find no malformed frame in a
// capture of the seed's commands, and for every frame report the message
// types, flags, sequence numbers, port ids, interface indexes and names
// that decode -j reports.
func TestTsharkAgrees(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark is not installed (.ci/run installs it)")
	}
	file := seedTraffic(t)
	out, err := exec.Command(tshark, "-r", file, "-n", "-Y", "_ws.malformed || _ws.expert.severity >= 0x00800000", "-T", "fields", "-e", "frame.number", "-e", "_ws.expert.message").Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	if s := strings.TrimSpace(string(out)); s != "" {
		t.Errorf("tshark finds malformed frames or errors in our pcap:\n%s", s)
	}
	fields := []string{"netlink.hdr_type", "netlink-route.nltype", "netlink.hdr_flags", "netlink.hdr_seq", "netlink.hdr_pid", "netlink-route.ifi_index", "netlink-route.ifla_ifname"}
	args := []string{"-r", file, "-n", "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"}
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	out, err = exec.Command(tshark, args...).Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	want := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	ds, _, err := ReadDatagrams(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != len(want) {
		t.Fatalf("tshark reads %d frames, decode %d", len(want), len(ds))
	}
	if len(ds) < 30 {
		t.Fatalf("the seed's commands made %d frames; expected dozens", len(ds))
	}
	js, err := json.Marshal(NewAnnotator(nil).AnnotateAll(ds))
	if err != nil {
		t.Fatal(err)
	}
	var dumps []jsonDump
	if err := json.Unmarshal(js, &dumps); err != nil {
		t.Fatal(err)
	}
	for i, d := range dumps {
		got := d.tsharkFields()
		if got != want[i] {
			t.Errorf("frame %d (%s):\ntshark: %q\ndecode: %q", i+1, d.Direction, want[i], got)
		}
	}
}

// The part of decode -j's output that tshark reports too.
type jsonDump struct {
	Direction string        `json:"direction"`
	Messages  []jsonMessage `json:"messages"`
}

type jsonMessage struct {
	Type   uint16 `json:"type"`
	Flags  uint16 `json:"flags"`
	Seq    uint32 `json:"seq"`
	Pid    uint32 `json:"pid"`
	Header *struct {
		Name   string `json:"name"`
		Fields []struct {
			Name  string `json:"name"`
			Value any    `json:"value"`
		} `json:"fields"`
	} `json:"header"`
	Attrs []struct {
		Name  string `json:"name"`
		Value any    `json:"value"`
	} `json:"attributes"`
	Error *struct {
		Request *jsonMessage `json:"request"`
	} `json:"error"`
}

// tsharkFields formats the fields as tshark prints them: values of all
// the headers in a frame joined by commas, types and flags in hex. Two
// habits of Wireshark's dissector (epan/dissectors/packet-netlink.c) are
// followed: the type of an rtnetlink message is the rtnetlink dissector's
// netlink-route.nltype, in decimal, while control messages (NLMSG_ERROR, NLMSG_DONE)
// and the request header an NLMSG_ERROR echoes have netlink.hdr_type; and
// the flags of a request with any of the bits 0x0f00 are shown twice, once
// read as GET modifiers and once as NEW ones.
func (d jsonDump) tsharkFields() string {
	var ctl, types, flags, seqs, pids, indexes, names []string
	header := func(m jsonMessage, echoed bool) {
		if echoed || m.Type < unix.NLMSG_MIN_TYPE {
			ctl = append(ctl, fmt.Sprintf("0x%04x", m.Type))
		} else {
			types = append(types, strconv.Itoa(int(m.Type)))
		}
		flags = append(flags, fmt.Sprintf("0x%04x", m.Flags))
		if m.Flags&unix.NLM_F_REQUEST != 0 && m.Flags&0x0f00 != 0 {
			flags = append(flags, fmt.Sprintf("0x%04x", m.Flags))
		}
		seqs = append(seqs, strconv.FormatUint(uint64(m.Seq), 10))
		pids = append(pids, strconv.FormatUint(uint64(m.Pid), 10))
	}
	for _, m := range d.Messages {
		header(m, false)
		if m.Header != nil && m.Header.Name == "ifinfomsg" {
			for _, f := range m.Header.Fields {
				if f.Name == "ifi_index" {
					indexes = append(indexes, fmt.Sprint(f.Value))
				}
			}
		}
		for _, a := range m.Attrs {
			if a.Name == "IFLA_IFNAME" {
				names = append(names, fmt.Sprint(a.Value))
			}
		}
		if m.Error != nil && m.Error.Request != nil {
			header(*m.Error.Request, true)
		}
	}
	return strings.Join([]string{
		strings.Join(ctl, ","), strings.Join(types, ","), strings.Join(flags, ","),
		strings.Join(seqs, ","), strings.Join(pids, ","), strings.Join(indexes, ","),
		strings.Join(names, ","),
	}, "\t")
}
