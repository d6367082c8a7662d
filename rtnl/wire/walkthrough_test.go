package wire

import (
	"bytes"
	"encoding/binary"
	"os"
	"strings"
	"testing"

	"github.com/linkbox/linkbox/nsfs/nstest"
	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

const walkthroughMarker = "<!-- walkthrough:"

// TestWalkthroughReadme checks that the walkthrough in README.md is what
// the annotator prints for testdata/walkthrough.hex.
func TestWalkthroughReadme(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, walkthroughMarker)
	if i < 0 {
		t.Fatalf("README.md has no %q marker", walkthroughMarker)
	}
	s = s[i:]
	start := strings.Index(s, "```text\n")
	if start < 0 {
		t.Fatal("README.md: no ```text block after the walkthrough marker")
	}
	s = s[start+len("```text\n"):]
	end := strings.Index(s, "```")
	if end < 0 {
		t.Fatal("README.md: the walkthrough block does not end")
	}
	got := s[:end]
	want := strings.TrimSuffix(annotateText(goldenInputs(t)["walkthrough"]), "\n")
	if got != want {
		t.Errorf("README.md's walkthrough differs from the annotator's output:\n%s", firstDiff(want, got))
	}
}

// TestWalkthroughIsLinkboxs checks, against the kernel, that the bytes of
// the walkthrough are what rtnl sends for `ip link add veth0 type veth
// peer name veth1` and what the kernel answers, up to the sequence number
// and port id.
func TestWalkthroughIsLinkboxs(t *testing.T) {
	nstest.Require(t)
	var seen []Datagram
	c, err := rtnl.Dial(&rtnl.Config{Trace: func(dir rtnl.Direction, b []byte) {
		seen = append(seen, Datagram{Dir: dir, Data: bytes.Clone(b)})
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.AddLink(vethPair("veth0", "veth1"), false); err != nil {
		t.Fatalf("creating veth0 and veth1: %v", err)
	}
	got := seen[:len(seen):len(seen)] // what crossed the socket for the command
	defer c.DeleteLink(mustIndex(t, c, "veth0"))
	normalise(got, c.PortID())
	want := goldenInputs(t)["walkthrough"]
	if len(got) != len(want) {
		t.Fatalf("%d datagrams crossed the socket, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Dir != want[i].Dir || !bytes.Equal(got[i].Data, want[i].Data) {
			t.Errorf("datagram %d: want %s %x, got %s %x", i, want[i].Dir, want[i].Data, got[i].Dir, got[i].Data)
		}
	}
}

// vethPair is the request of `ip link add NAME type veth peer name PEER`,
// with the veth data written by hand: VETH_INFO_PEER, the peer's
// ifinfomsg, its IFLA_IFNAME.
func vethPair(name, peer string) *rtnl.LinkMessage {
	e := rtnl.NewEncoder(nil)
	e.Nest(1, func(e *rtnl.Encoder) { // VETH_INFO_PEER
		e.Append(make([]byte, unix.SizeofIfInfomsg))
		e.String(unix.IFLA_IFNAME, peer)
	})
	data, _ := e.Encode()
	return &rtnl.LinkMessage{Attrs: rtnl.LinkAttrs{
		Name: name,
		Info: &rtnl.LinkInfo{Kind: "veth", Data: &rtnl.RawData{Name: "veth", Data: data}},
	}}
}

func mustIndex(t *testing.T, c *rtnl.Conn, name string) int32 {
	t.Helper()
	i, err := c.LinkIndex(name)
	if err != nil {
		t.Fatalf("looking up %s: %v", name, err)
	}
	return i
}

// normalise renumbers sequence numbers from 1 in order of appearance and
// replaces the port id pid by 1000, in every nlmsghdr and in the request
// headers NLMSG_ERROR echoes, as the golden captures are.
func normalise(ds []Datagram, pid uint32) {
	seqs := map[uint32]uint32{}
	fix := func(b []byte) {
		s := binary.NativeEndian.Uint32(b[8:])
		if _, ok := seqs[s]; !ok {
			seqs[s] = uint32(len(seqs) + 1)
		}
		binary.NativeEndian.PutUint32(b[8:], seqs[s])
		if binary.NativeEndian.Uint32(b[12:]) == pid {
			binary.NativeEndian.PutUint32(b[12:], 1000)
		}
	}
	for _, d := range ds {
		b := d.Data
		for off := 0; off+rtnl.HeaderLen <= len(b); {
			fix(b[off:])
			if binary.NativeEndian.Uint16(b[off+4:]) == unix.NLMSG_ERROR && off+20+rtnl.HeaderLen <= len(b) {
				fix(b[off+20:])
			}
			n := int(binary.NativeEndian.Uint32(b[off:]))
			if n < rtnl.HeaderLen {
				break
			}
			off += align4(n)
		}
	}
}
