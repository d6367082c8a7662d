package fuzz

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/rtnl"
)

var ackLimit = allocLimit{16, 2048}

// ackRequest is the request FuzzAck's Conn sends and the input answers: a
// veth pair, so that an extended-ack offset can point deep into it.
var ackRequest = func() rtnl.Request {
	for _, s := range Samples() {
		if s.Name == "ip link add v0 up mtu 9000 master br0 type veth peer name v1 netns blue" {
			return s.Request
		}
	}
	panic("fuzz: no veth sample")
}()

// FuzzAck fuzzes the parsers of the kernel's answers: one NLMSG_ERROR
// (rtnl.ParseAck: the errno, the echoed request whole or capped, the
// extended-ack TLVs) or one NLMSG_DONE (rtnl.ParseDone), and what
// Conn.Execute and Conn.Dump make of it.
func FuzzAck(f *testing.F) {
	req, err := ackRequest.Encode(0)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{
		ackMessage(0, req, unix.NLM_F_CAPPED, nil),
		ackMessage(unix.EEXIST, req, 0, nil),
		ackMessage(unix.EINVAL, req, unix.NLM_F_ACK_TLVS, tlvs(func(e *rtnl.Encoder) {
			e.String(1, "Attribute failed policy validation")
			e.Uint32(2, 80)
		})),
		ackMessage(unix.ERANGE, req, unix.NLM_F_CAPPED|unix.NLM_F_ACK_TLVS, tlvs(func(e *rtnl.Encoder) {
			e.String(1, "Missing attribute")
			e.Uint32(5, unix.IFLA_IFNAME)
			e.Uint32(6, 48)
			e.Bytes(3, []byte{1, 2, 3, 4, 5, 6, 7, 8})
			e.Bytes(4, []byte{8, 0, 1, 0, 3, 0, 0, 0})
		})),
		doneMessage(0, 0, nil),
		doneMessage(-int32(unix.EINVAL), unix.NLM_F_ACK_TLVS, tlvs(func(e *rtnl.Encoder) {
			e.String(1, "Filter by device index not supported for link dumps")
		})),
		frame(rtnl.Header{Type: unix.NLMSG_DONE, Flags: unix.NLM_F_MULTI}, nil),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		m, ok := oneMessage(in)
		if !ok {
			return
		}
		switch m.Header.Type {
		case unix.NLMSG_ERROR:
			checkAck(t, m, in)
		case unix.NLMSG_DONE:
			checkDone(t, m, in)
		}
	})
}

func tlvs(fn func(e *rtnl.Encoder)) []byte {
	e := rtnl.NewEncoder(nil)
	fn(e)
	b, _ := e.Encode()
	return b
}

// ackMessage builds an NLMSG_ERROR answering req, echoing it whole unless
// capped.
func ackMessage(errno unix.Errno, req []byte, flags uint16, tlv []byte) []byte {
	p := binary.NativeEndian.AppendUint32(nil, uint32(-int32(errno)))
	if flags&unix.NLM_F_CAPPED != 0 {
		p = append(p, req[:rtnl.HeaderLen]...)
	} else {
		p = append(p, req...)
	}
	return frame(rtnl.Header{Type: unix.NLMSG_ERROR, Flags: flags}, append(p, tlv...))
}

func doneMessage(errno int32, flags uint16, tlv []byte) []byte {
	p := binary.NativeEndian.AppendUint32(nil, uint32(errno))
	return frame(rtnl.Header{Type: unix.NLMSG_DONE, Flags: unix.NLM_F_MULTI | flags}, append(p, tlv...))
}

func checkAck(t *testing.T, m rtnl.Message, in []byte) {
	t.Helper()
	valid := validIn(in)
	var a *rtnl.Ack
	var err error
	checkAlloc(t, "FuzzAck", m.Data, ackLimit, func() { a, err = rtnl.ParseAck(m) })
	execErr, mine := execute(in, m.Header)
	if !mine {
		if !errors.Is(execErr, errNoMore) {
			t.Fatalf("FuzzAck: an ack for another request, but Conn.Execute returns %v, not the end of the input\nin %x", execErr, in)
		}
		execErr = nil
	}
	if err != nil {
		if mine && execErr == nil {
			t.Fatalf("FuzzAck: ParseAck fails (%v) but Conn.Execute succeeds\nin %x", err, in)
		}
		return
	}
	out := encodeAck(t, a)
	h := rtnl.Header{Type: unix.NLMSG_ERROR, Flags: a.Flags()}
	a2, err := rtnl.ParseAck(rtnl.Message{Header: h, Data: out})
	if err != nil {
		t.Fatalf("FuzzAck: the re-encoded ack does not parse: %v\nin  %x\nout %x", err, m.Data, out)
	}
	sameValue(t, "FuzzAck", a, a2, m.Data, out)
	if again := encodeAck(t, a2); !bytes.Equal(out, again) {
		t.Fatalf("FuzzAck: the second encoding differs from the first\nin     %x\nfirst  %x\nsecond %x", m.Data, out, again)
	}
	if in[6]&^byte(a.Flags()) == 0 && in[7]&^byte(a.Flags()>>8) == 0 {
		keepsValid(t, "FuzzAck", valid, in, frame(h, out))
	}
	if mine {
		checkExecuteResult(t, a, execErr, in)
	}
	// The path of every offset in the echoed request resolves without
	// trouble.
	if !a.Capped {
		req := frame(a.Request, a.Payload)[:rtnl.HeaderLen+len(a.Payload)]
		binary.NativeEndian.PutUint32(req, a.Request.Len)
		for off := 0; off < min(len(req)+8, 512); off += 4 {
			rtnl.AttrPath(req, off, Kinds)
		}
		if a.Offset >= 0 {
			rtnl.AttrPath(req, a.Offset, Kinds)
		}
	}
}

// checkExecuteResult checks that Conn.Execute reports what the ack says.
func checkExecuteResult(t *testing.T, a *rtnl.Ack, err error, in []byte) {
	t.Helper()
	if a.Errno == 0 {
		if err != nil {
			t.Fatalf("FuzzAck: a positive ack, but Conn.Execute fails: %v\nin %x", err, in)
		}
		return
	}
	var ke *rtnl.Error
	if !errors.As(err, &ke) {
		t.Fatalf("FuzzAck: an ack with errno %d, but Conn.Execute returns %v, not an *rtnl.Error\nin %x", uintptr(a.Errno), err, in)
	}
	if ke.Errno != a.Errno || !errors.Is(err, a.Errno) || ke.Message != a.Message || ke.Offset != a.Offset {
		t.Fatalf("FuzzAck: Conn.Execute's error %#v does not carry the ack's errno %d, message %q, offset %d\nin %x",
			ke, uintptr(a.Errno), a.Message, a.Offset, in)
	}
}

// execute sends ackRequest on a Conn that gets in, whose message has
// header h, as the answer. mine says whether the message answers it.
func execute(in []byte, h rtnl.Header) (err error, mine bool) {
	c, s := replayConn(in)
	_, err = c.Execute(ackRequest)
	return err, s.mine(h)
}

func encodeAck(t *testing.T, a *rtnl.Ack) []byte {
	t.Helper()
	return encode(t, "FuzzAck", a)
}

func checkDone(t *testing.T, m rtnl.Message, in []byte) {
	t.Helper()
	var d *rtnl.Done
	var err error
	checkAlloc(t, "FuzzAck", m.Data, ackLimit, func() { d, err = rtnl.ParseDone(m) })
	c, s := replayConn(in)
	dumpErr := c.Dump(rtnl.Request{Type: unix.RTM_GETLINK, Payload: &rtnl.LinkMessage{}}, func(rtnl.Message) error { return nil })
	mine := s.mine(m.Header)
	if !mine && !errors.Is(dumpErr, errNoMore) {
		t.Fatalf("FuzzAck: a done for another request, but Conn.Dump returns %v, not the end of the input\nin %x", dumpErr, in)
	}
	if err != nil {
		if mine && dumpErr == nil {
			t.Fatalf("FuzzAck: ParseDone fails (%v) but Conn.Dump succeeds\nin %x", err, in)
		}
		return
	}
	tlv := m.Header.Flags&unix.NLM_F_ACK_TLVS != 0
	out := encodeDone(t, d, len(m.Data) == 0, tlv)
	h := rtnl.Header{Type: unix.NLMSG_DONE, Flags: m.Header.Flags & unix.NLM_F_ACK_TLVS}
	d2, err := rtnl.ParseDone(rtnl.Message{Header: h, Data: out})
	if err != nil {
		t.Fatalf("FuzzAck: the re-encoded done does not parse: %v\nin  %x\nout %x", err, m.Data, out)
	}
	sameValue(t, "FuzzAck", d, d2, m.Data, out)
	if again := encodeDone(t, d2, len(out) == 0, tlv); !bytes.Equal(out, again) {
		t.Fatalf("FuzzAck: the second encoding differs from the first\nin     %x\nfirst  %x\nsecond %x", m.Data, out, again)
	}
	switch {
	case !mine:
	case d.Errno != 0:
		var ke *rtnl.Error
		if !errors.As(dumpErr, &ke) || ke.Errno != d.Errno || ke.Message != d.Ack.Message {
			t.Fatalf("FuzzAck: a done with errno %d and message %q, but Conn.Dump returns %v\nin %x", uintptr(d.Errno), d.Ack.Message, dumpErr, in)
		}
	case m.Header.Flags&unix.NLM_F_DUMP_INTR != 0:
		if !errors.Is(dumpErr, rtnl.ErrDumpInterrupted) {
			t.Fatalf("FuzzAck: a done flagged NLM_F_DUMP_INTR, but Conn.Dump returns %v\nin %x", dumpErr, in)
		}
	case dumpErr != nil:
		t.Fatalf("FuzzAck: a done without error, but Conn.Dump returns %v\nin %x", dumpErr, in)
	}
}

// encodeDone writes a Done back: nothing, when it came empty; otherwise
// the errno, then the TLVs (with NLM_F_ACK_TLVS) or the raw rest.
func encodeDone(t *testing.T, d *rtnl.Done, empty, tlv bool) []byte {
	t.Helper()
	if empty {
		if d.Errno != 0 || len(d.Ack.Unknown) != 0 {
			t.Fatalf("FuzzAck: an empty done decoded to %#v", d)
		}
		return nil
	}
	out := binary.NativeEndian.AppendUint32(nil, uint32(-int32(d.Errno)))
	if !tlv {
		for _, a := range d.Ack.Unknown {
			out = append(out, a.Data...)
		}
		return out
	}
	b := encode(t, "FuzzAck", &d.Ack)
	return append(out, b[4+rtnl.HeaderLen:]...)
}
