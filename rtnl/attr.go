package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/netip"
)

// Attribute framing, from include/uapi/linux/netlink.h:
//
//	struct nlattr { __u16 nla_len; __u16 nla_type; };
//	#define NLA_ALIGNTO 4
//	#define NLA_ALIGN(len) (((len) + NLA_ALIGNTO - 1) & ~(NLA_ALIGNTO - 1))
//	#define NLA_HDRLEN ((int) NLA_ALIGN(sizeof(struct nlattr)))
//
// nla_len counts the header and the payload but not the padding after it.
const (
	attrHeaderLen = 4

	// NLA_F_NESTED and NLA_F_NET_BYTEORDER live in the two high bits of
	// nla_type; NLA_TYPE_MASK clears them.
	attrNested       = 1 << 15
	attrNetByteOrder = 1 << 14
	attrTypeMask     = ^uint16(attrNested | attrNetByteOrder)
)

// align4 rounds n up to a multiple of 4: NLA_ALIGN and NLMSG_ALIGN.
func align4(n int) int { return (n + 3) &^ 3 }

// Attr is one netlink attribute kept exactly as it arrived: its full type,
// flag bits included, and its payload without padding. Decoders keep
// attributes they do not know as Attrs, and encoders write them back
// unchanged, so decoding and re-encoding loses nothing.
type Attr struct {
	Type uint16 // nla_type, including NLA_F_NESTED and NLA_F_NET_BYTEORDER
	Data []byte // payload, nla_len - 4 bytes
}

// Errors reported while decoding attributes.
var (
	// ErrTruncated reports a length field that points past the end of its
	// buffer, or a buffer too short for the header it must hold.
	ErrTruncated = errors.New("rtnl: truncated message or attribute")
)

// An AttrSizeError reports a fixed-size attribute whose payload has the wrong
// length, such as a 2-byte IFLA_MTU. A decoder never turns such an attribute
// into a zero value.
type AttrSizeError struct {
	Type uint16 // attribute type, flags masked off
	Want int    // expected payload length
	Got  int    // payload length found
}

func (e *AttrSizeError) Error() string {
	return fmt.Sprintf("rtnl: attribute type %d has %d bytes, want %d", e.Type, e.Got, e.Want)
}

// An Encoder appends netlink attributes to a byte slice. Errors are sticky:
// after the first one, every call does nothing and Err reports it.
//
// Nest writes a nested attribute without setting NLA_F_NESTED, as iproute2
// does for rtnetlink; NestFlagged sets the flag for the families that require
// it. Both write straight into the same buffer, so encoding a request makes
// one allocation at most.
type Encoder struct {
	b   []byte
	err error
}

// NewEncoder returns an Encoder that appends to b.
func NewEncoder(b []byte) *Encoder { return &Encoder{b: b} }

// Encode returns the encoded bytes and the first error met while encoding.
func (e *Encoder) Encode() ([]byte, error) { return e.b, e.err }

// Len returns the number of bytes encoded so far.
func (e *Encoder) Len() int { return len(e.b) }

// SetErr records err if no error has been recorded yet. Link kinds use it to
// report a value they cannot encode.
func (e *Encoder) SetErr(err error) {
	if e.err == nil {
		e.err = err
	}
}

// put appends an attribute header for a payload of n bytes and returns the
// payload, which the caller fills in. Padding is zeroed.
func (e *Encoder) put(typ uint16, n int) []byte {
	if e.err != nil {
		return nil
	}
	if n > math.MaxUint16-attrHeaderLen {
		e.err = fmt.Errorf("rtnl: attribute type %d: %d bytes do not fit in nla_len", typ&attrTypeMask, n)
		return nil
	}
	start := len(e.b)
	total := align4(attrHeaderLen + n)
	e.b = append(e.b, make([]byte, total)...)
	binary.NativeEndian.PutUint16(e.b[start:], uint16(attrHeaderLen+n))
	binary.NativeEndian.PutUint16(e.b[start+2:], typ)
	return e.b[start+attrHeaderLen : start+attrHeaderLen+n]
}

// Uint8 appends a 1-byte attribute.
func (e *Encoder) Uint8(typ uint16, v uint8) {
	if p := e.put(typ, 1); p != nil {
		p[0] = v
	}
}

// Uint16 appends a 2-byte attribute in host byte order.
func (e *Encoder) Uint16(typ uint16, v uint16) {
	if p := e.put(typ, 2); p != nil {
		binary.NativeEndian.PutUint16(p, v)
	}
}

// Uint16BE appends a 2-byte attribute in network byte order, as
// IFLA_BR_VLAN_PROTOCOL is.
func (e *Encoder) Uint16BE(typ uint16, v uint16) {
	if p := e.put(typ, 2); p != nil {
		binary.BigEndian.PutUint16(p, v)
	}
}

// Uint32 appends a 4-byte attribute in host byte order.
func (e *Encoder) Uint32(typ uint16, v uint32) {
	if p := e.put(typ, 4); p != nil {
		binary.NativeEndian.PutUint32(p, v)
	}
}

// Uint64 appends an 8-byte attribute in host byte order.
func (e *Encoder) Uint64(typ uint16, v uint64) {
	if p := e.put(typ, 8); p != nil {
		binary.NativeEndian.PutUint64(p, v)
	}
}

// Int32 appends a signed 4-byte attribute in host byte order.
func (e *Encoder) Int32(typ uint16, v int32) { e.Uint32(typ, uint32(v)) }

// String appends a NUL-terminated string attribute.
func (e *Encoder) String(typ uint16, s string) {
	if p := e.put(typ, len(s)+1); p != nil {
		copy(p, s)
	}
}

// Bytes appends an attribute whose payload is b, copied as it is.
func (e *Encoder) Bytes(typ uint16, b []byte) {
	if p := e.put(typ, len(b)); p != nil {
		copy(p, b)
	}
}

// Addr appends an IPv4 or IPv6 address: 4 or 16 bytes in network order.
func (e *Encoder) Addr(typ uint16, a netip.Addr) {
	if a.Is4() {
		b := a.As4()
		e.Bytes(typ, b[:])
		return
	}
	b := a.As16()
	e.Bytes(typ, b[:])
}

// Flag appends an attribute with no payload.
func (e *Encoder) Flag(typ uint16) { e.put(typ, 0) }

// Attr appends a raw attribute unchanged.
func (e *Encoder) Attr(a Attr) { e.Bytes(a.Type, a.Data) }

// Attrs appends raw attributes unchanged.
func (e *Encoder) Attrs(as []Attr) {
	for _, a := range as {
		e.Attr(a)
	}
}

// Nest appends a nested attribute whose payload is what fn encodes. The type
// is written as given: rtnetlink accepts nests without NLA_F_NESTED, and
// iproute2 sends them that way.
func (e *Encoder) Nest(typ uint16, fn func(*Encoder)) {
	if e.err != nil {
		return
	}
	start := len(e.b)
	e.b = append(e.b, 0, 0, 0, 0)
	fn(e)
	if e.err != nil {
		return
	}
	n := len(e.b) - start
	if n > math.MaxUint16 {
		e.err = fmt.Errorf("rtnl: nested attribute type %d: %d bytes do not fit in nla_len", typ&attrTypeMask, n)
		return
	}
	binary.NativeEndian.PutUint16(e.b[start:], uint16(n))
	binary.NativeEndian.PutUint16(e.b[start+2:], typ)
	// A raw payload of odd length leaves the stream unaligned; pad it so
	// the next attribute starts on a 4-byte boundary. nla_len excludes it.
	e.b = append(e.b, make([]byte, align4(n)-n)...)
}

// raw appends bytes that need not be aligned; the enclosing Nest pads.
func (e *Encoder) raw(b []byte) {
	if e.err == nil {
		e.b = append(e.b, b...)
	}
}

// NestFlagged is Nest with NLA_F_NESTED set in the type.
func (e *Encoder) NestFlagged(typ uint16, fn func(*Encoder)) { e.Nest(typ|attrNested, fn) }

// Append appends raw bytes, such as a fixed header inside a nest (the
// ifinfomsg inside VETH_INFO_PEER). len(b) must be a multiple of 4.
func (e *Encoder) Append(b []byte) {
	if e.err != nil {
		return
	}
	if len(b)%4 != 0 {
		e.err = fmt.Errorf("rtnl: appending %d bytes would break 4-byte alignment", len(b))
		return
	}
	e.b = append(e.b, b...)
}

// A Decoder walks the attributes in a byte slice. Call Next until it returns
// false, then check Err. Payloads returned by Bytes and Attr share memory
// with the input; the typed getters check the payload's size and record an
// *AttrSizeError instead of returning a wrong value.
type Decoder struct {
	b    []byte
	off  int // start of the next attribute
	cur  int // start of the current attribute
	typ  uint16
	data []byte
	err  error
}

// NewDecoder returns a Decoder over the attributes in b.
func NewDecoder(b []byte) *Decoder { return &Decoder{b: b} }

// Reset points d at new input, so one Decoder can be reused without
// allocating.
func (d *Decoder) Reset(b []byte) { *d = Decoder{b: b} }

// Next advances to the next attribute. It returns false at the end of the
// input or on the first error.
func (d *Decoder) Next() bool {
	if d.err != nil || d.off >= len(d.b) {
		return false
	}
	rest := d.b[d.off:]
	if len(rest) < attrHeaderLen {
		d.err = fmt.Errorf("%w: %d bytes left after the last attribute", ErrTruncated, len(rest))
		return false
	}
	n := int(binary.NativeEndian.Uint16(rest))
	if n < attrHeaderLen || n > len(rest) {
		d.err = fmt.Errorf("%w: nla_len %d with %d bytes left", ErrTruncated, n, len(rest))
		return false
	}
	d.cur = d.off
	d.typ = binary.NativeEndian.Uint16(rest[2:])
	d.data = rest[attrHeaderLen:n:n]
	d.off += align4(n)
	if d.off > len(d.b) {
		// The final attribute's padding may be cut off; that is allowed.
		d.off = len(d.b)
	}
	return true
}

// Type returns the current attribute's type with the flag bits masked off.
func (d *Decoder) Type() uint16 { return d.typ & attrTypeMask }

// RawType returns the current attribute's type as sent, flags included.
func (d *Decoder) RawType() uint16 { return d.typ }

// Offset returns the current attribute's offset in the decoder's input.
func (d *Decoder) Offset() int { return d.cur }

// Len returns the current attribute's payload length.
func (d *Decoder) Len() int { return len(d.data) }

// Err returns the first error met.
func (d *Decoder) Err() error { return d.err }

// SetErr records err if no error has been recorded yet.
func (d *Decoder) SetErr(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *Decoder) sized(n int) []byte {
	if len(d.data) != n {
		d.SetErr(&AttrSizeError{Type: d.Type(), Want: n, Got: len(d.data)})
		return nil
	}
	return d.data
}

// Bytes returns the current payload. It shares memory with the input.
func (d *Decoder) Bytes() []byte { return d.data }

// Attr returns the current attribute as a raw Attr sharing the input's memory.
func (d *Decoder) Attr() Attr { return Attr{Type: d.typ, Data: d.data} }

// Uint8 returns a 1-byte payload.
func (d *Decoder) Uint8() uint8 {
	if p := d.sized(1); p != nil {
		return p[0]
	}
	return 0
}

// Uint16 returns a 2-byte payload in host byte order.
func (d *Decoder) Uint16() uint16 {
	if p := d.sized(2); p != nil {
		return binary.NativeEndian.Uint16(p)
	}
	return 0
}

// Uint16BE returns a 2-byte payload in network byte order.
func (d *Decoder) Uint16BE() uint16 {
	if p := d.sized(2); p != nil {
		return binary.BigEndian.Uint16(p)
	}
	return 0
}

// Uint32 returns a 4-byte payload in host byte order.
func (d *Decoder) Uint32() uint32 {
	if p := d.sized(4); p != nil {
		return binary.NativeEndian.Uint32(p)
	}
	return 0
}

// Int32 returns a signed 4-byte payload in host byte order.
func (d *Decoder) Int32() int32 { return int32(d.Uint32()) }

// Uint64 returns an 8-byte payload in host byte order.
func (d *Decoder) Uint64() uint64 {
	if p := d.sized(8); p != nil {
		return binary.NativeEndian.Uint64(p)
	}
	return 0
}

// Flag checks that the current attribute has no payload and returns true;
// a flag attribute with a payload is an error.
func (d *Decoder) Flag() bool {
	if len(d.data) != 0 {
		d.SetErr(&AttrSizeError{Type: d.Type(), Want: 0, Got: len(d.data)})
		return false
	}
	return true
}

// String returns a string payload. The kernel terminates strings with NUL;
// the terminator and anything after it are dropped. Use StringExact when the
// exact bytes matter for re-encoding.
func (d *Decoder) String() string {
	b := d.data
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// Word returns a string payload like String, without allocating for the
// words links repeat by the thousand in a dump (qdisc and kind names).
func (d *Decoder) Word() string {
	b := d.data
	if n := len(b); n > 0 && b[n-1] == 0 {
		b = b[:n-1]
	}
	switch string(b) { // compared without a copy
	case "noqueue":
		return "noqueue"
	case "noop":
		return "noop"
	case "pfifo_fast":
		return "pfifo_fast"
	case "fq_codel":
		return "fq_codel"
	case "mq":
		return "mq"
	case "veth":
		return "veth"
	case "bridge":
		return "bridge"
	}
	return d.String()
}

// IsCanonicalString reports whether the current payload is exactly a string
// followed by a single NUL, which is what Encoder.String writes back.
func (d *Decoder) IsCanonicalString() bool {
	n := len(d.data)
	if n == 0 || d.data[n-1] != 0 {
		return false
	}
	for _, c := range d.data[:n-1] {
		if c == 0 {
			return false
		}
	}
	return true
}

// Addr returns a 4- or 16-byte address payload.
func (d *Decoder) Addr() netip.Addr {
	a, ok := netip.AddrFromSlice(d.data)
	if !ok {
		d.SetErr(&AttrSizeError{Type: d.Type(), Want: 4, Got: len(d.data)})
	}
	return a
}

// Nested runs fn over the attributes nested in the current payload. An
// error from fn or from the nested decoder is recorded in d.
func (d *Decoder) Nested(fn func(*Decoder) error) {
	if d.err != nil {
		return
	}
	nd := Decoder{b: d.data}
	if err := fn(&nd); err != nil {
		d.SetErr(err)
		return
	}
	d.SetErr(nd.err)
}
