package rtnl

import (
	"encoding/binary"
	"fmt"
)

// HeaderLen is the size of struct nlmsghdr, NLMSG_HDRLEN.
const HeaderLen = 16

// Header is struct nlmsghdr from include/uapi/linux/netlink.h.
type Header struct {
	Len   uint32 // nlmsg_len: header and payload, without trailing padding
	Type  uint16 // nlmsg_type: RTM_*, or NLMSG_ERROR / NLMSG_DONE
	Flags uint16 // nlmsg_flags: NLM_F_*
	Seq   uint32 // nlmsg_seq
	Pid   uint32 // nlmsg_pid: the sender's port id, 0 for the kernel
}

// Message is one netlink message: its header and its payload (the family
// header such as ifinfomsg, then attributes). Data excludes the padding that
// follows it in a datagram.
type Message struct {
	Header Header // the nlmsghdr
	Data   []byte // the payload after it, without trailing padding
}

// putHeader writes h at the start of b.
func putHeader(b []byte, h Header) {
	binary.NativeEndian.PutUint32(b[0:], h.Len)
	binary.NativeEndian.PutUint16(b[4:], h.Type)
	binary.NativeEndian.PutUint16(b[6:], h.Flags)
	binary.NativeEndian.PutUint32(b[8:], h.Seq)
	binary.NativeEndian.PutUint32(b[12:], h.Pid)
}

func readHeader(b []byte) Header {
	return Header{
		Len:   binary.NativeEndian.Uint32(b[0:]),
		Type:  binary.NativeEndian.Uint16(b[4:]),
		Flags: binary.NativeEndian.Uint16(b[6:]),
		Seq:   binary.NativeEndian.Uint32(b[8:]),
		Pid:   binary.NativeEndian.Uint32(b[12:]),
	}
}

// MarshalBinary returns the message as it goes on the wire: the header, with
// Len set from the payload, then the payload padded to 4 bytes.
func (m Message) MarshalBinary() ([]byte, error) {
	return m.AppendBinary(nil)
}

// AppendBinary appends the wire form of m to b.
func (m Message) AppendBinary(b []byte) ([]byte, error) {
	n := HeaderLen + len(m.Data)
	if uint64(n) > 1<<32-1 {
		return nil, fmt.Errorf("rtnl: message of %d bytes is too long", n)
	}
	start := len(b)
	b = append(b, make([]byte, align4(n))...)
	h := m.Header
	h.Len = uint32(n)
	putHeader(b[start:], h)
	copy(b[start+HeaderLen:], m.Data)
	return b, nil
}

// UnmarshalBinary decodes one message that fills b, padding allowed.
func (m *Message) UnmarshalBinary(b []byte) error {
	msgs, err := ParseMessages(b)
	if err != nil {
		return err
	}
	if len(msgs) != 1 {
		return fmt.Errorf("rtnl: want one message, buffer holds %d", len(msgs))
	}
	*m = msgs[0]
	return nil
}

// ParseMessages splits a datagram into its messages. Each Data shares memory
// with b. Every length is checked against the buffer before it is used; a
// message whose nlmsg_len is shorter than its header or runs past the end of
// the datagram is an error, and so are trailing bytes that cannot hold a
// header. The result holds at most len(b)/16 messages, so the input bounds
// the allocation.
func ParseMessages(b []byte) ([]Message, error) {
	var msgs []Message
	err := EachMessage(b, func(m Message) error {
		msgs = append(msgs, m)
		return nil
	})
	return msgs, err
}

// EachMessage calls fn for each message in the datagram b, in order, without
// allocating. It stops at the first error from fn or from framing.
func EachMessage(b []byte, fn func(Message) error) error {
	for off := 0; off < len(b); {
		rest := b[off:]
		if len(rest) < HeaderLen {
			return fmt.Errorf("%w: %d bytes after the last message", ErrTruncated, len(rest))
		}
		h := readHeader(rest)
		if h.Len < HeaderLen || uint64(h.Len) > uint64(len(rest)) {
			return fmt.Errorf("%w: nlmsg_len %d with %d bytes left", ErrTruncated, h.Len, len(rest))
		}
		if err := fn(Message{Header: h, Data: rest[HeaderLen:h.Len:h.Len]}); err != nil {
			return err
		}
		off += align4(int(h.Len))
	}
	return nil
}

// DecodeAll decodes the messages of type typ among msgs (a dump's, say)
// into new values, keeping those keep accepts (nil keeps all), in order.
// Messages of other types are skipped; the first decoding error is
// returned. The values keep references into the messages' bytes.
func DecodeAll[T any, P interface {
	*T
	UnmarshalBinary([]byte) error
}](msgs []Message, typ uint16, keep func(P) bool) ([]P, error) {
	out := make([]P, 0, len(msgs))
	for _, m := range msgs {
		if m.Header.Type != typ {
			continue
		}
		v := P(new(T))
		if err := v.UnmarshalBinary(m.Data); err != nil {
			return nil, err
		}
		if keep == nil || keep(v) {
			out = append(out, v)
		}
	}
	return out, nil
}
