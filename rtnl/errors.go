package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// Sentinel errors. Each Error from the kernel also matches its errno with
// errors.Is, so errors.Is(err, unix.EEXIST) works.
var (
	// ErrDumpInterrupted reports a dump that the kernel flagged with
	// NLM_F_DUMP_INTR on every try: the data changed while it was read,
	// so the result may be inconsistent. It comes with the last result.
	ErrDumpInterrupted = errors.New("rtnl: dump interrupted by concurrent changes (NLM_F_DUMP_INTR)")

	// ErrOverrun reports that the kernel dropped messages because the
	// receive buffer was full (ENOBUFS). State must be read again.
	ErrOverrun = errors.New("rtnl: receive buffer overrun, events were lost: re-read state")

	// ErrNotFound reports that no link, address or route matched.
	ErrNotFound = errors.New("rtnl: not found")
)

// Error is an error reported by the kernel in an NLMSG_ERROR message, or in
// an NLMSG_DONE that ends a dump. It carries the request type, the errno,
// the extended-ack message, and the attribute the kernel pointed at.
type Error struct {
	Op      string     // the request, such as "RTM_NEWLINK"
	Errno   unix.Errno // the error number
	Message string     // NLMSGERR_ATTR_MSG, the kernel's explanation, if any
	// Offset is NLMSGERR_ATTR_OFFS: the byte offset, from the start of the
	// request's nlmsghdr, of the attribute the error is about; -1 if none.
	Offset int
	// Attr names the attribute at Offset as a path of attribute names,
	// "IFLA_LINKINFO/IFLA_INFO_DATA/VETH_INFO_PEER/IFLA_IFNAME", when the
	// request is known.
	Attr string
	// Missing names a required attribute the kernel did not find
	// (NLMSGERR_ATTR_MISS_TYPE), if it said.
	Missing string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(e.Errno.Error())
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Attr != "" {
		fmt.Fprintf(&b, " (attribute %s)", e.Attr)
	} else if e.Offset >= 0 {
		fmt.Fprintf(&b, " (at offset %d)", e.Offset)
	}
	if e.Missing != "" {
		fmt.Fprintf(&b, " (missing %s)", e.Missing)
	}
	return b.String()
}

// Unwrap returns the errno, so that errors.Is(err, unix.EEXIST) works.
func (e *Error) Unwrap() error { return e.Errno }

// Ack is a decoded NLMSG_ERROR message: the kernel's answer to a request.
// Errno 0 is a positive acknowledgement.
type Ack struct {
	Errno   unix.Errno // the error, 0 for success (the wire carries it negated)
	Request Header     // the header of the request being answered
	// Payload is the request's payload, echoed when the socket does not
	// set NETLINK_CAP_ACK and the flags lack NLM_F_CAPPED.
	Payload []byte
	Capped  bool // NLM_F_CAPPED: the request payload was left out

	// Extended ack TLVs, present when the flags have NLM_F_ACK_TLVS.
	Message  string // NLMSGERR_ATTR_MSG
	Offset   int    // NLMSGERR_ATTR_OFFS, -1 when absent
	MissType uint32 // NLMSGERR_ATTR_MISS_TYPE, 0 when absent
	MissNest int    // NLMSGERR_ATTR_MISS_NEST, -1 when absent
	Cookie   []byte // NLMSGERR_ATTR_COOKIE
	Unknown  []Attr // other TLVs (NLMSGERR_ATTR_POLICY, ...)

	tlvs   bool // whether the message carried NLM_F_ACK_TLVS
	layout Layout
}

// ParseAck decodes an NLMSG_ERROR message.
func ParseAck(m Message) (*Ack, error) {
	if m.Header.Type != unix.NLMSG_ERROR {
		return nil, fmt.Errorf("rtnl: message type %d is not NLMSG_ERROR", m.Header.Type)
	}
	b := m.Data
	if len(b) < 4+HeaderLen {
		return nil, fmt.Errorf("%w: NLMSG_ERROR needs %d bytes, have %d", ErrTruncated, 4+HeaderLen, len(b))
	}
	a := &Ack{
		Errno:    unix.Errno(-int32(binary.NativeEndian.Uint32(b))),
		Request:  readHeader(b[4:]),
		Capped:   m.Header.Flags&unix.NLM_F_CAPPED != 0,
		tlvs:     m.Header.Flags&unix.NLM_F_ACK_TLVS != 0,
		Offset:   -1,
		MissNest: -1,
	}
	if int32(binary.NativeEndian.Uint32(b)) > 0 {
		return nil, fmt.Errorf("rtnl: NLMSG_ERROR carries a positive error %d", int32(binary.NativeEndian.Uint32(b)))
	}
	rest := b[4+HeaderLen:]
	if !a.Capped {
		// The request follows in full: its nlmsg_len says how long.
		n := int(a.Request.Len) - HeaderLen
		if n < 0 || n > len(rest) {
			return nil, fmt.Errorf("%w: echoed request of %d bytes, have %d", ErrTruncated, a.Request.Len, len(rest)+HeaderLen)
		}
		a.Payload = rest[:n:n]
		rest = rest[min(align4(n), len(rest)):]
	}
	if !a.tlvs {
		if len(rest) != 0 {
			return nil, fmt.Errorf("rtnl: %d bytes after NLMSG_ERROR without NLM_F_ACK_TLVS", len(rest))
		}
		return a, nil
	}
	d := Decoder{b: rest}
	err := a.decodeTLVs(&d)
	return a, err
}

func (a *Ack) decodeTLVs(d *Decoder) error {
	return a.layout.Decode(d, &a.Unknown, func(d *Decoder) bool {
		switch d.Type() {
		case nlmsgerrAttrMsg:
			a.Message = d.String()
		case nlmsgerrAttrOffs:
			a.Offset = int(d.Uint32())
		case nlmsgerrAttrMissType:
			a.MissType = d.Uint32()
		case nlmsgerrAttrMissNest:
			a.MissNest = int(d.Uint32())
		case nlmsgerrAttrCookie:
			a.Cookie = d.Bytes()
		default:
			return false
		}
		return true
	})
}

var ackTLVOrder = []uint16{nlmsgerrAttrMsg, nlmsgerrAttrOffs, nlmsgerrAttrCookie, nlmsgerrAttrMissType, nlmsgerrAttrMissNest}

// Encode appends the NLMSG_ERROR payload: errno, the request header, the
// request payload unless capped, then the TLVs. The message flags that go
// with it are Flags.
func (a *Ack) Encode(e *Encoder) {
	var h [4 + HeaderLen]byte
	binary.NativeEndian.PutUint32(h[:], uint32(-int32(a.Errno)))
	putHeader(h[4:], a.Request)
	e.Append(h[:])
	if !a.Capped {
		e.raw(a.Payload)
		e.raw(make([]byte, align4(len(a.Payload))-len(a.Payload)))
	}
	if !a.hasTLVs() {
		return
	}
	a.layout.Encode(e, a.Unknown, ackTLVOrder, func(e *Encoder, t uint16, present bool) {
		switch t {
		case nlmsgerrAttrMsg:
			if present || a.Message != "" {
				e.String(t, a.Message)
			}
		case nlmsgerrAttrOffs:
			if present || a.Offset >= 0 {
				e.Uint32(t, uint32(a.Offset))
			}
		case nlmsgerrAttrCookie:
			if present || a.Cookie != nil {
				e.Bytes(t, a.Cookie)
			}
		case nlmsgerrAttrMissType:
			if present || a.MissType != 0 {
				e.Uint32(t, a.MissType)
			}
		case nlmsgerrAttrMissNest:
			if present || a.MissNest >= 0 {
				e.Uint32(t, uint32(a.MissNest))
			}
		}
	})
}

func (a *Ack) hasTLVs() bool {
	return a.tlvs || a.Message != "" || a.Offset >= 0 || a.MissType != 0 || a.MissNest >= 0 || a.Cookie != nil || len(a.Unknown) > 0
}

// Flags returns the nlmsg_flags an NLMSG_ERROR carrying a has on the wire.
func (a *Ack) Flags() uint16 {
	var f uint16
	if a.Capped {
		f |= unix.NLM_F_CAPPED
	}
	if a.hasTLVs() {
		f |= unix.NLM_F_ACK_TLVS
	}
	return f
}

// Done is a decoded NLMSG_DONE: the end of a dump, with the dump's error
// (0 for success) and, with NLM_F_ACK_TLVS, the extended ack.
type Done struct {
	Errno unix.Errno // the dump's error, 0 for success
	Ack   Ack        // extended-ack fields; Request and Payload are unused
}

// ParseDone decodes an NLMSG_DONE message. Old kernels send no payload.
func ParseDone(m Message) (*Done, error) {
	if m.Header.Type != unix.NLMSG_DONE {
		return nil, fmt.Errorf("rtnl: message type %d is not NLMSG_DONE", m.Header.Type)
	}
	d := &Done{Ack: Ack{Offset: -1, MissNest: -1, Capped: true}}
	if len(m.Data) == 0 {
		return d, nil
	}
	if len(m.Data) < 4 {
		return nil, fmt.Errorf("%w: NLMSG_DONE with %d bytes", ErrTruncated, len(m.Data))
	}
	v := int32(binary.NativeEndian.Uint32(m.Data))
	if v > 0 {
		return nil, fmt.Errorf("rtnl: NLMSG_DONE carries a positive error %d", v)
	}
	d.Errno = unix.Errno(-v)
	d.Ack.Errno = d.Errno
	if m.Header.Flags&unix.NLM_F_ACK_TLVS != 0 {
		d.Ack.tlvs = true
		dec := Decoder{b: m.Data[4:]}
		if err := d.Ack.decodeTLVs(&dec); err != nil {
			return nil, err
		}
	} else if len(m.Data) > 4 {
		// Not an error: some families put more here. Keep it raw.
		d.Ack.Unknown = []Attr{{Data: m.Data[4:]}}
	}
	return d, nil
}

// err turns an ack into an *Error, or nil for success. request, if known,
// lets the offset be named as an attribute path.
func (a *Ack) err(op string, request []byte, kinds Kinds) error {
	if a.Errno == 0 {
		return nil
	}
	e := &Error{Op: op, Errno: a.Errno, Message: a.Message, Offset: a.Offset}
	if a.Offset >= 0 && request != nil {
		e.Attr = AttrPath(request, a.Offset, kinds)
	}
	if a.MissType != 0 {
		e.Missing = fmt.Sprintf("attribute type %d", a.MissType)
		if a.MissNest >= 0 && request != nil {
			if p := AttrPath(request, a.MissNest, kinds); p != "" {
				e.Missing += " in " + p
			}
		}
	}
	return e
}
