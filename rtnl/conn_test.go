package rtnl

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// fakeSocket is a Socket whose kernel is a function: each message sent is
// handed to answer, which returns the datagrams to queue in reply.
type fakeSocket struct {
	answer   func(req Message) []datagram
	queue    []datagram
	sent     []Message
	requests int
	sends    int
}

type datagram struct {
	b    []byte
	from Addr
	err  error
}

func (f *fakeSocket) Send(b []byte) error {
	f.sends++
	return EachMessage(b, func(m Message) error {
		f.requests++
		f.sent = append(f.sent, m)
		f.queue = append(f.queue, f.answer(m)...)
		return nil
	})
}

func (f *fakeSocket) Receive() ([]byte, Addr, error) {
	if len(f.queue) == 0 {
		return nil, Addr{}, errors.New("fake: nothing queued: the Conn waits for a reply that will never come")
	}
	d := f.queue[0]
	f.queue = f.queue[1:]
	return d.b, d.from, d.err
}

func (f *fakeSocket) Close() error { return nil }

const fakePid = 0x1f89

func fakeConn(answer func(req Message) []datagram) (*Conn, *fakeSocket) {
	f := &fakeSocket{answer: answer}
	return NewConn(f, fakePid, nil), f
}

// reply builds one message answering req.
func reply(req Message, typ, flags uint16, payload []byte) []byte {
	b, _ := Message{Header: Header{Type: typ, Flags: flags, Seq: req.Header.Seq, Pid: fakePid}, Data: payload}.MarshalBinary()
	return b
}

// kernelReply takes a datagram captured from the kernel and gives it the
// sequence number of req.
func kernelReply(t *testing.T, hexDatagram string, req Message) datagram {
	t.Helper()
	b, err := hex.DecodeString(hexDatagram)
	if err != nil {
		t.Fatal(err)
	}
	if err := EachMessage(b, func(m Message) error { return nil }); err != nil {
		t.Fatalf("captured datagram does not parse: %v", err)
	}
	for off := 0; off < len(b); {
		binary.NativeEndian.PutUint32(b[off+8:], req.Header.Seq)
		off += align4(int(binary.NativeEndian.Uint32(b[off:])))
	}
	return datagram{b: b}
}

func ackPayload(errno unix.Errno, req Message) []byte {
	a := Ack{Errno: errno, Request: req.Header, Capped: true, Offset: -1, MissNest: -1}
	e := NewEncoder(nil)
	a.Encode(e)
	b, _ := e.Encode()
	return b
}

// Captured from kernel 6.18: the answer to RTM_NEWLINK for a veth named
// "abcdefghijklmnop" (16 bytes) on a socket with NETLINK_EXT_ACK and
// NETLINK_CAP_ACK: ERANGE, NLM_F_CAPPED|NLM_F_ACK_TLVS, the message
// "Attribute failed policy validation", NLMSGERR_ATTR_OFFS 32 (IFLA_IFNAME,
// right after the ifinfomsg), and the policy of the attribute.
const ackERANGE = "680000000200000302000000891f0000deffffff4800000010000506020000000000000027000100417474726962757465206661696c656420706f6c6963792076616c69646174696f6e0000080002002000000014000480080007000f000000080001000b000000"

// Captured from kernel 6.18: a strict RTM_GETLINK dump with ifi_index 1
// ends in NLMSG_DONE carrying EINVAL and an extended ack.
const doneEINVAL = "4c0000000300020203000000891f0000eaffffff3800010046696c7465722062792064657669636520696e646578206e6f7420737570706f7274656420666f72206c696e6b2064756d707300"

// Captured from kernel 6.18 without NETLINK_CAP_ACK: EEXIST for a veth
// named "lo", with the whole request echoed and no TLVs.
const ackEEXISTUncapped = "4c0000000200000004000000891f0000efffffff3800000010000506040000000000000000000000000000000000000000000000070003006c6f000010001200090001007665746800000000"

func TestExecuteErrorWithExtendedAck(t *testing.T) {
	c, _ := fakeConn(func(req Message) []datagram { return []datagram{kernelReply(t, ackERANGE, req)} })
	_, err := c.AddLink(&LinkMessage{Attrs: LinkAttrs{Name: "abcdefghijklmnop", Info: &LinkInfo{Kind: "veth"}}}, false)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want an *Error, got %T %v", err, err)
	}
	if !errors.Is(err, unix.ERANGE) {
		t.Errorf("errors.Is(err, ERANGE) is false for %v", err)
	}
	if want := "Attribute failed policy validation"; e.Message != want {
		t.Errorf("message: want %q, got %q", want, e.Message)
	}
	if e.Offset != 32 || e.Attr != "IFLA_IFNAME" {
		t.Errorf("offset/attr: want 32 IFLA_IFNAME, got %d %q", e.Offset, e.Attr)
	}
	if e.Op != "RTM_NEWLINK" {
		t.Errorf("op: want RTM_NEWLINK, got %q", e.Op)
	}
}

func TestExecuteErrorUncappedNoTLVs(t *testing.T) {
	c, _ := fakeConn(func(req Message) []datagram { return []datagram{kernelReply(t, ackEEXISTUncapped, req)} })
	_, err := c.AddLink(&LinkMessage{Attrs: LinkAttrs{Name: "lo", Info: &LinkInfo{Kind: "veth"}}}, false)
	if !errors.Is(err, unix.EEXIST) {
		t.Fatalf("want EEXIST, got %v", err)
	}
	var e *Error
	errors.As(err, &e)
	if e.Message != "" || e.Offset != -1 || e.Attr != "" {
		t.Errorf("want no extended ack, got message %q offset %d attr %q", e.Message, e.Offset, e.Attr)
	}
}

func TestParseAckForms(t *testing.T) {
	req := Message{Header: Header{Len: 24, Type: unix.RTM_NEWLINK, Flags: 5, Seq: 7}, Data: []byte{1, 2, 3, 4, 5, 6, 7, 8}}
	for _, tt := range []struct {
		name string
		ack  Ack
	}{
		{"capped, no TLVs", Ack{Errno: unix.EPERM, Request: req.Header, Capped: true, Offset: -1, MissNest: -1}},
		{"capped, TLVs", Ack{Errno: unix.EINVAL, Request: req.Header, Capped: true, Message: "bad", Offset: 20, MissNest: -1}},
		{"uncapped, no TLVs", Ack{Errno: unix.EEXIST, Request: req.Header, Payload: req.Data, Offset: -1, MissNest: -1}},
		{"uncapped, TLVs", Ack{Errno: unix.ENODEV, Request: req.Header, Payload: req.Data, Message: "no such", Offset: 16, MissType: 3, MissNest: 16}},
		{"success", Ack{Request: req.Header, Capped: true, Offset: -1, MissNest: -1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEncoder(nil)
			tt.ack.Encode(e)
			payload, err := e.Encode()
			if err != nil {
				t.Fatal(err)
			}
			m := Message{Header: Header{Type: unix.NLMSG_ERROR, Flags: tt.ack.Flags()}, Data: payload}
			got, err := ParseAck(m)
			if err != nil {
				t.Fatalf("ParseAck: %v", err)
			}
			if got.Errno != tt.ack.Errno || got.Message != tt.ack.Message || got.Offset != tt.ack.Offset ||
				got.MissType != tt.ack.MissType || got.MissNest != tt.ack.MissNest || got.Capped != tt.ack.Capped ||
				string(got.Payload) != string(tt.ack.Payload) || got.Request != tt.ack.Request {
				t.Errorf("want %+v\n got %+v", tt.ack, *got)
			}
		})
	}
}

func TestParseAckRejects(t *testing.T) {
	for _, tt := range []struct {
		name  string
		flags uint16
		data  []byte
	}{
		{"too short", 0, make([]byte, 19)},
		{"positive errno", unix.NLM_F_CAPPED, append([]byte{1, 0, 0, 0}, make([]byte, 16)...)},
		{"echoed request longer than the message", 0, append([]byte{0xfe, 0xff, 0xff, 0xff, 64, 0, 0, 0}, make([]byte, 12)...)},
		{"echoed request shorter than a header", 0, append([]byte{0xfe, 0xff, 0xff, 0xff, 8, 0, 0, 0}, make([]byte, 12)...)},
		{"trailing bytes without NLM_F_ACK_TLVS", unix.NLM_F_CAPPED, append([]byte{0xfe, 0xff, 0xff, 0xff}, make([]byte, 20)...)},
		{"bad TLV length", unix.NLM_F_CAPPED | unix.NLM_F_ACK_TLVS, append([]byte{0xfe, 0xff, 0xff, 0xff}, append(make([]byte, 16), 0x40, 0, 1, 0)...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if a, err := ParseAck(Message{Header: Header{Type: unix.NLMSG_ERROR, Flags: tt.flags}, Data: tt.data}); err == nil {
				t.Fatalf("want an error, got %+v", a)
			}
		})
	}
}

func TestDumpErrorInDone(t *testing.T) {
	c, _ := fakeConn(func(req Message) []datagram {
		// One link first, then the DONE with the error: the error wins
		// over the partial data.
		link := reply(req, unix.RTM_NEWLINK, unix.NLM_F_MULTI, make([]byte, ifinfomsgLen))
		return []datagram{{b: link}, kernelReply(t, doneEINVAL, req)}
	})
	links, err := c.LinksMatching(&LinkMessage{Index: 1})
	if !errors.Is(err, unix.EINVAL) {
		t.Fatalf("want EINVAL from NLMSG_DONE, got %v (links %d)", err, len(links))
	}
	var e *Error
	errors.As(err, &e)
	if want := "Filter by device index not supported for link dumps"; e.Message != want {
		t.Errorf("message: want %q, got %q", want, e.Message)
	}
	if links != nil {
		t.Errorf("want no links with the error, got %d", len(links))
	}
}

func TestDumpDoneWithoutPayload(t *testing.T) {
	c, _ := fakeConn(func(req Message) []datagram {
		return []datagram{{b: reply(req, unix.NLMSG_DONE, unix.NLM_F_MULTI, nil)}}
	})
	links, err := c.Links()
	if err != nil || len(links) != 0 {
		t.Fatalf("want an empty list and no error, got %d %v", len(links), err)
	}
}

func TestDumpInterrupted(t *testing.T) {
	for _, tt := range []struct {
		name        string
		cleanOnTry  int // the try that comes back without NLM_F_DUMP_INTR; 0 = never
		wantErr     error
		wantReqs    int
		wantResults int
	}{
		{"clean on the second try", 2, nil, 2, 2},
		{"always interrupted", 0, ErrDumpInterrupted, maxDumpTries, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			try := 0
			c, f := fakeConn(func(req Message) []datagram {
				try++
				flags := uint16(unix.NLM_F_MULTI)
				if try != tt.cleanOnTry {
					flags |= unix.NLM_F_DUMP_INTR
				}
				l1 := reply(req, unix.RTM_NEWLINK, flags, make([]byte, ifinfomsgLen))
				l2 := reply(req, unix.RTM_NEWLINK, flags, make([]byte, ifinfomsgLen))
				done := reply(req, unix.NLMSG_DONE, flags, make([]byte, 4))
				return []datagram{{b: append(l1, l2...)}, {b: done}}
			})
			links, err := c.Links()
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("want error %v, got %v", tt.wantErr, err)
			}
			if f.requests != tt.wantReqs {
				t.Errorf("dump requests: want %d, got %d", tt.wantReqs, f.requests)
			}
			if len(links) != tt.wantResults {
				t.Errorf("links with the result: want %d, got %d", tt.wantResults, len(links))
			}
		})
	}
}

func TestExecuteIgnoresStrangers(t *testing.T) {
	// Before the real ack: a message with another sequence number, one
	// with another port id, a datagram from a user-space sender, and a
	// multicast event caused by another process. All are skipped.
	c, _ := fakeConn(func(req Message) []datagram {
		stale := Message{Header: Header{Type: unix.NLMSG_ERROR, Seq: req.Header.Seq - 1, Pid: fakePid}, Data: ackPayload(unix.EBUSY, req)}
		other := Message{Header: Header{Type: unix.NLMSG_ERROR, Seq: req.Header.Seq, Pid: fakePid + 1}, Data: ackPayload(unix.EBUSY, req)}
		sb, _ := stale.MarshalBinary()
		ob, _ := other.MarshalBinary()
		bad := reply(req, unix.NLMSG_ERROR, 0, ackPayload(unix.EBUSY, req))
		event, _ := Message{Header: Header{Type: unix.RTM_NEWLINK, Seq: 99, Pid: 4242}, Data: make([]byte, ifinfomsgLen)}.MarshalBinary()
		return []datagram{
			{b: sb}, {b: ob},
			{b: bad, from: Addr{Pid: 4242}},
			{b: event, from: Addr{Groups: 1}},
			{b: reply(req, unix.NLMSG_ERROR, unix.NLM_F_CAPPED, ackPayload(0, req))},
		}
	})
	if err := c.SetLinkUp(3); err != nil {
		t.Fatalf("want the real (positive) ack, got %v", err)
	}
}

func TestReceiveErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		d    datagram
		want error
	}{
		{"ENOBUFS is an overrun", datagram{err: unix.ENOBUFS}, ErrOverrun},
		{"ENOBUFS keeps its errno", datagram{err: unix.ENOBUFS}, unix.ENOBUFS},
		{"truncated datagram", datagram{b: []byte{0x40, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0}}, ErrTruncated},
		{"datagram shorter than a header", datagram{b: []byte{0x10, 0, 0, 0}}, ErrTruncated},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := fakeConn(func(req Message) []datagram { return []datagram{tt.d} })
			if err := c.SetLinkUp(1); !errors.Is(err, tt.want) {
				t.Fatalf("want %v, got %v", tt.want, err)
			}
		})
	}
}

func TestParseMessages(t *testing.T) {
	ok := func(n uint32, extra int) []byte {
		b := make([]byte, align4(int(n))+extra)
		binary.NativeEndian.PutUint32(b, n)
		return b
	}
	for _, tt := range []struct {
		name string
		b    []byte
		want int // messages, or -1 for an error
	}{
		{"empty", nil, 0},
		{"one header", ok(16, 0), 1},
		{"two messages", append(ok(20, 0), ok(17, 0)...), 2},
		{"last message unpadded", append(ok(20, 0), ok(17, 0)[:17]...), 2},
		{"nlmsg_len below the header", ok(8, 8), -1},
		{"nlmsg_len past the end", ok(16, 0)[:12], -1},
		{"nlmsg_len past the datagram", func() []byte { b := ok(16, 0); binary.NativeEndian.PutUint32(b, 64); return b }(), -1},
		{"trailing garbage", ok(16, 4), -1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := ParseMessages(tt.b)
			if tt.want < 0 {
				if !errors.Is(err, ErrTruncated) {
					t.Fatalf("want ErrTruncated, got %v (%d messages)", err, len(msgs))
				}
				return
			}
			if err != nil || len(msgs) != tt.want {
				t.Fatalf("want %d messages, got %d, %v", tt.want, len(msgs), err)
			}
		})
	}
}

func TestLinkDecodeErrors(t *testing.T) {
	hdr := make([]byte, ifinfomsgLen)
	for _, tt := range []struct {
		name  string
		attrs []byte
		want  string
	}{
		{"2-byte IFLA_MTU", []byte{6, 0, unix.IFLA_MTU, 0, 0xdc, 0x05, 0, 0}, "has 2 bytes, want 4"},
		{"5-byte IFLA_MASTER", []byte{9, 0, unix.IFLA_MASTER, 0, 1, 0, 0, 0, 0, 0, 0, 0}, "has 5 bytes, want 4"},
		{"0-byte IFLA_OPERSTATE", []byte{4, 0, unix.IFLA_OPERSTATE, 0}, "has 0 bytes, want 1"},
		{"nla_len past the end", []byte{12, 0, unix.IFLA_MTU, 0, 0, 0, 0, 0}, "nla_len 12"},
		{"nla_len below the header", []byte{2, 0, unix.IFLA_MTU, 0}, "nla_len 2"},
		{"three stray bytes", []byte{8, 0, unix.IFLA_MTU, 0, 1, 0, 0, 0, 1, 2, 3}, "3 bytes left"},
		{"bad nest", []byte{12, 0, unix.IFLA_LINKINFO, 0, 12, 0, 1, 0, 'v', 'e', 't', 'h'}, "nla_len 12"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var m LinkMessage
			err := m.UnmarshalBinary(append(hdr[:len(hdr):len(hdr)], tt.attrs...))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want an error containing %q, got %v", tt.want, err)
			}
		})
	}
	var m LinkMessage
	if err := m.UnmarshalBinary(hdr[:15]); !errors.Is(err, ErrTruncated) {
		t.Errorf("15-byte ifinfomsg: want ErrTruncated, got %v", err)
	}
}

func TestReceiveWhole(t *testing.T) {
	for _, size := range []int{200 << 10, 4097, 17} {
		t.Run("", func(t *testing.T) {
			dgram := make([]byte, size)
			for i := range dgram {
				dgram[i] = byte(i)
			}
			calls := 0
			recv := func(b []byte, flags int) (int, int, unix.Sockaddr, error) {
				calls++
				n := copy(b, dgram)
				rflags := 0
				if n < len(dgram) {
					rflags = unix.MSG_TRUNC
				}
				if flags&unix.MSG_TRUNC != 0 {
					return len(dgram), rflags, nil, nil
				}
				return n, rflags, &unix.SockaddrNetlink{Groups: 2}, nil
			}
			got, from, err := receiveWhole(recv, make([]byte, 4096))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != size || string(got) != string(dgram) || from.Groups != 2 || calls != 2 {
				t.Fatalf("want %d bytes intact from groups 2 in 2 calls, got %d bytes, %+v, %d calls", size, len(got), from, calls)
			}
			if cap(got)%4 != 0 {
				t.Errorf("buffer capacity %d is not 4-byte aligned", cap(got))
			}
		})
	}
}
