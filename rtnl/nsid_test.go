package rtnl

import (
	"bytes"
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// Golden requests from iproute2 6.1: `ip netns list-id` (a dump of
// rtgenmsg) and `ip netns set blue 7` (the namespace file open as fd 6).
func TestNSIDGolden(t *testing.T) {
	for _, tt := range []struct {
		cmd  string
		req  Request
		want []byte
	}{
		{
			cmd: "ip netns list-id",
			req: Request{Type: unix.RTM_GETNSID, Flags: unix.NLM_F_DUMP, Payload: &NSIDMessage{}},
			want: []byte{
				0x14, 0x00, 0x00, 0x00, 0x5a, 0x00, 0x01, 0x03, // nlmsg_len 20, RTM_GETNSID, REQUEST|ROOT|MATCH
				0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				0x00, 0x00, 0x00, 0x00, // rtgenmsg: AF_UNSPEC, 3 bytes padding
			},
		},
		{
			cmd: "ip netns set blue 7 (blue open as fd 6)",
			req: Request{Type: unix.RTM_NEWNSID, Flags: unix.NLM_F_ACK, Payload: &NSIDMessage{Attrs: NSIDAttrs{FD: new(uint32(6)), NSID: new(int32(7))}}},
			want: []byte{
				0x24, 0x00, 0x00, 0x00, 0x58, 0x00, 0x05, 0x00, // nlmsg_len 36, RTM_NEWNSID, REQUEST|ACK
				0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				0x00, 0x00, 0x00, 0x00, // rtgenmsg
				0x08, 0x00, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, // NETNSA_FD 6
				0x08, 0x00, 0x01, 0x00, 0x07, 0x00, 0x00, 0x00, // NETNSA_NSID 7
			},
		},
	} {
		t.Run(tt.cmd, func(t *testing.T) {
			got, err := tt.req.Encode(0)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(tt.want, got) {
				t.Fatalf("request bytes differ from iproute2's:\nwant %x\n got %x", tt.want, got)
			}
		})
	}
}

func TestNSIDDecodeErrors(t *testing.T) {
	var m NSIDMessage
	if err := m.UnmarshalBinary([]byte{0, 0, 0}); !errors.Is(err, ErrTruncated) {
		t.Errorf("3-byte rtgenmsg: want ErrTruncated, got %v", err)
	}
	bad := []byte{0, 0, 0, 0, 6, 0, unix.NETNSA_NSID, 0, 1, 0, 0, 0}
	var se *AttrSizeError
	if err := m.UnmarshalBinary(bad); !errors.As(err, &se) {
		t.Errorf("2-byte NETNSA_NSID: want an *AttrSizeError, got %v", err)
	}
}

// Set an id for a peer namespace, read it back by fd and by pid, list it,
// and check every dumped message re-encodes to the kernel's bytes.
func TestKernelNSID(t *testing.T) {
	c := dial(t)
	cmd, ns := otherNetns(t)
	if id, err := c.NSIDOfFD(int(ns.Fd())); err != nil || id != NSIDNotAssigned {
		t.Fatalf("before: want no id (-1), got %d, %v", id, err)
	}
	if err := c.SetNSIDOfFD(int(ns.Fd()), 7); err != nil {
		t.Fatal(err)
	}
	if id, err := c.NSIDOfFD(int(ns.Fd())); err != nil || id != 7 {
		t.Fatalf("by fd: want 7, got %d, %v", id, err)
	}
	if id, err := c.NSIDOfPID(cmd.Process.Pid); err != nil || id != 7 {
		t.Fatalf("by pid: want 7, got %d, %v", id, err)
	}
	if err := c.SetNSIDOfFD(int(ns.Fd()), 8); !errors.Is(err, unix.EEXIST) {
		t.Fatalf("a second id for the same namespace: want EEXIST, got %v", err)
	}
	msgs, err := c.DumpAll(Request{Type: unix.RTM_GETNSID, Payload: &NSIDMessage{}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range msgs {
		var n NSIDMessage
		if err := n.UnmarshalBinary(m.Data); err != nil {
			t.Fatal(err)
		}
		found = found || (n.Attrs.NSID != nil && *n.Attrs.NSID == 7)
		b, err := n.MarshalBinary()
		if err != nil || !bytes.Equal(b, m.Data) {
			t.Errorf("decode/encode differs from the kernel's bytes:\nwant %x\n got %x (%v)", m.Data, b, err)
		}
	}
	if !found {
		t.Fatal("the dump does not list id 7")
	}
}
