package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/linkbox/linkbox/nsfs/nstest"
	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// recorder is a TraceFunc that keeps what it sees.
type recorder struct{ ds []Datagram }

func (r *recorder) trace(dir rtnl.Direction, b []byte) {
	r.ds = append(r.ds, Datagram{Dir: dir, Data: bytes.Clone(b)})
}

func (r *recorder) sent() [][]byte {
	var out [][]byte
	for _, d := range r.ds {
		if d.Dir == rtnl.Sent {
			out = append(out, d.Data)
		}
	}
	return out
}

// TestDryRunAnswers runs link operations on a DryRun: every request is
// held and acked, a dump ends empty, and the trace shows both.
func TestDryRunAnswers(t *testing.T) {
	var held [][]byte
	dry := &DryRun{Pid: 4242, Held: func(b []byte) { held = append(held, bytes.Clone(b)) }}
	var out strings.Builder
	ann := NewAnnotator(testKinds)
	var rec recorder
	c := rtnl.NewConn(dry, 4242, &rtnl.Config{Trace: Tee(ann.Tracer(&out), rec.trace, nil)})
	if _, err := c.AddLink(vethPair("veth0", "veth1"), false); err != nil {
		t.Fatalf("AddLink on a dry run: %v", err)
	}
	if err := c.SetLinkUp(7); err != nil {
		t.Fatalf("SetLinkUp on a dry run: %v", err)
	}
	links, err := c.Links()
	if err != nil || len(links) != 0 {
		t.Fatalf("Links on a dry run: want no links and no error, got %d, %v", len(links), err)
	}
	if len(held) != 3 {
		t.Fatalf("want 3 requests held, got %d", len(held))
	}
	want, err := rtnl.Request{Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_ACK | unix.NLM_F_CREATE | unix.NLM_F_EXCL, Payload: vethPair("veth0", "veth1")}.Encode(2)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(held[0], want) {
		t.Errorf("first request held: want %x, got %x", want, held[0])
	}
	if len(rec.ds) != 6 {
		t.Errorf("want 3 requests and 3 answers traced, got %d datagrams", len(rec.ds))
	}
	text := out.String()
	for _, want := range []string{"RTM_NEWLINK (16)", "VETH_INFO_PEER", "NLMSG_ERROR (2)", "0 (success)", "NLM_F_REQUEST|NLM_F_DUMP", "NLMSG_DONE (3)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the trace lacks %q:\n%s", want, text)
		}
	}
	if _, _, err := dry.Receive(); !errors.Is(err, errNothingPending) {
		t.Errorf("receiving with nothing pending: want errNothingPending, got %v", err)
	}
}

// fakeKernel answers GET requests as the kernel does, from another port.
type fakeKernel struct {
	sent    [][]byte
	replies [][]byte
}

func (f *fakeKernel) Send(b []byte) error {
	f.sent = append(f.sent, bytes.Clone(b))
	seq := binary.NativeEndian.Uint32(b[8:])
	link := make([]byte, 32)
	binary.NativeEndian.PutUint32(link[0:], 32)
	binary.NativeEndian.PutUint16(link[4:], unix.RTM_NEWLINK)
	binary.NativeEndian.PutUint32(link[8:], seq)
	binary.NativeEndian.PutUint32(link[12:], 9999) // the real socket's port
	binary.NativeEndian.PutUint32(link[20:], 7)    // ifi_index
	ack := make([]byte, 36)
	binary.NativeEndian.PutUint32(ack[0:], 36)
	binary.NativeEndian.PutUint16(ack[4:], unix.NLMSG_ERROR)
	binary.NativeEndian.PutUint16(ack[6:], unix.NLM_F_CAPPED)
	binary.NativeEndian.PutUint32(ack[8:], seq)
	binary.NativeEndian.PutUint32(ack[12:], 9999)
	copy(ack[20:], b[:16])
	f.replies = append(f.replies, append(link, ack...))
	return nil
}

func (f *fakeKernel) Receive() ([]byte, rtnl.Addr, error) {
	b := f.replies[0]
	f.replies = f.replies[1:]
	return b, rtnl.Addr{}, nil
}

func (f *fakeKernel) Close() error { return nil }

// TestDryRunForward checks that GET requests go to the kernel and their
// answers reach the Conn, rewritten to its port id, while changes are
// held.
func TestDryRunForward(t *testing.T) {
	k := &fakeKernel{}
	dry := &DryRun{Pid: 4242, Forward: k}
	c := rtnl.NewConn(dry, 4242, nil)
	idx, err := c.LinkIndex("veth0")
	if err != nil || idx != 7 {
		t.Fatalf("LinkIndex through Forward: want 7, got %d, %v", idx, err)
	}
	if err := c.SetLinkUp(idx); err != nil {
		t.Fatal(err)
	}
	if len(k.sent) != 1 || binary.NativeEndian.Uint16(k.sent[0][4:]) != unix.RTM_GETLINK {
		t.Errorf("want only the RTM_GETLINK forwarded, the kernel got %d datagrams", len(k.sent))
	}
}

// TestDryRunBytesAreReal runs a command for real and dry, and compares
// the requests: a dry run shows the bytes the command sends.
func TestDryRunBytesAreReal(t *testing.T) {
	nstest.Require(t)
	run := func(c *rtnl.Conn, index func() int32) {
		t.Helper()
		if _, err := c.AddLink(vethPair("veth8", "veth9"), false); err != nil {
			t.Fatalf("creating veth8: %v", err)
		}
		i := index()
		if err := c.SetLinkMTU(i, 1400); err != nil {
			t.Fatalf("setting veth8's MTU: %v", err)
		}
		if err := c.SetLinkUp(i); err != nil {
			t.Fatalf("setting veth8 up: %v", err)
		}
	}
	var real, dry recorder
	c, err := rtnl.Dial(&rtnl.Config{Trace: real.trace})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	look, err := rtnl.Dial(nil) // looks names up off the record
	if err != nil {
		t.Fatal(err)
	}
	defer look.Close()
	var idx int32
	run(c, func() int32 { idx = mustIndex(t, look, "veth8"); return idx })
	defer c.DeleteLink(idx)
	link, err := look.LinkByIndex(idx)
	if err != nil || link.Attrs.MTU != 1400 || link.Flags&unix.IFF_UP == 0 {
		t.Fatalf("the real run did not take effect: %v %+v", err, link)
	}
	d := rtnl.NewConn(&DryRun{Pid: c.PortID()}, c.PortID(), &rtnl.Config{Trace: dry.trace})
	run(d, func() int32 { return idx })
	want, got := real.sent(), dry.sent()
	if len(got) != len(want) {
		t.Fatalf("the dry run sent %d requests, the real one %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(want[i], got[i]) {
			t.Errorf("request %d: really sent %x, dry run shows %x", i, want[i], got[i])
		}
	}
}
