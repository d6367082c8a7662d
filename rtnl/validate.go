package rtnl

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// Validate checks one netlink message, as linkbox sends it, far more
// strictly than the kernel does. The kernel accepts many malformed
// requests without a word (a corrupt trailing nla_len, an unknown
// attribute, a nest without NLA_F_NESTED in rtnetlink), so an encoder bug
// rarely shows up as EINVAL; Validate makes it show. Every message
// linkbox's encoders build passes it; the fuzz tests and the encoder tests
// run their output through it.
//
// msg is one message from its nlmsghdr on, optionally followed by the
// padding up to the next 4-byte boundary. Validate checks:
//
//   - framing: nlmsg_len at least the header, within msg, a multiple of 4,
//     and nothing after it but zero padding;
//   - the header: a message type linkbox has a schema for (RTM_*LINK,
//     *ADDR, *ROUTE, *NEIGH, *NSID), or NLMSG_ERROR or NLMSG_DONE as a dry
//     run answers; NLM_F_REQUEST on requests; only the flag bits defined
//     for a GET, NEW or DEL request;
//   - the family header: complete, its padding zero, prefix lengths within
//     the family's address size;
//   - each attribute, at every depth: nla_len at least 4 and within its
//     container, 4-byte alignment, zero padding, a type known in its space
//     (the kind's own space inside IFLA_INFO_DATA and IFLA_INFO_SLAVE_DATA,
//     resolved through kinds), no repeated type, NLA_F_NESTED where the
//     kernel requires it and never on a scalar or a string,
//     NLA_F_NET_BYTEORDER never, fixed-size payloads of their exact size,
//     addresses of the message's family, strings without an embedded NUL
//     and within the kernel's length limit, link-layer addresses of 1 to 32
//     bytes, and the fixed struct at the head of a nest (the peer's
//     ifinfomsg in VETH_INFO_PEER) complete with zero padding.
//
// Link data of a kind not in kinds cannot be checked and is reported.
// Validate never panics and allocates only for what it reports. It returns
// nil or a *ValidationError.
func Validate(msg []byte, kinds Kinds) error {
	v := validator{kinds: kinds}
	v.message(msg)
	return v.result()
}

// ValidateDatagram checks every message of a datagram, such as the
// several requests Batch sends in one sendmsg, with Validate's rules. The
// offsets it reports are from the start of the datagram.
func ValidateDatagram(b []byte, kinds Kinds) error {
	v := validator{kinds: kinds}
	if len(b) == 0 {
		v.problem(0, "", "empty datagram")
	}
	for off := 0; off < len(b); {
		if len(b)-off < HeaderLen {
			v.problem(off, "", fmt.Sprintf("%d bytes after the last message cannot hold a nlmsghdr", len(b)-off))
			break
		}
		n := int(binary.NativeEndian.Uint32(b[off:]))
		if n < HeaderLen || n > len(b)-off {
			v.problem(off, "", fmt.Sprintf("nlmsg_len %d with %d bytes left in the datagram", n, len(b)-off))
			break
		}
		end := min(off+align4(n), len(b))
		v.base = off
		v.message(b[off:end])
		off = end
	}
	return v.result()
}

// A ValidationError lists what Validate found wrong with a message.
type ValidationError struct {
	Problems []Problem // in the order met, at most 32
}

// A Problem is one thing Validate found wrong.
type Problem struct {
	Offset int    // byte offset from the start of the message (of the datagram, for ValidateDatagram)
	Path   string // the attribute, "IFLA_LINKINFO/IFLA_INFO_DATA/VETH_INFO_PEER/IFLA_MTU"; "" for the headers
	Text   string // what is wrong
}

func (p Problem) String() string {
	if p.Path == "" {
		return fmt.Sprintf("offset %d: %s", p.Offset, p.Text)
	}
	return fmt.Sprintf("offset %d: %s: %s", p.Offset, p.Path, p.Text)
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("rtnl: invalid message: ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// maxProblems bounds what one Validate call reports, and so what it
// allocates.
const maxProblems = 32

// maxValidateDepth bounds nesting.
const maxValidateDepth = 32

// maxAddrLen is MAX_ADDR_LEN, the longest link-layer address.
const maxAddrLen = 32

// Name sizes from include/uapi/linux/if.h that golang.org/x/sys/unix lacks.
const (
	ifAliasSize   = 256 // IFALIASZ
	altIfNameSize = 128 // ALTIFNAMSIZ
)

// stringLimits are the longest strings the kernel's policies accept, NUL
// excluded (NLA_STRING .len), by space and type.
var stringLimits = map[*AttrSpace]map[uint16]int{
	LinkSpace: {
		unix.IFLA_IFNAME:         unix.IFNAMSIZ - 1,
		unix.IFLA_IFALIAS:        ifAliasSize - 1,
		unix.IFLA_ALT_IFNAME:     altIfNameSize - 1,
		unix.IFLA_QDISC:          unix.IFNAMSIZ - 1,
		unix.IFLA_PHYS_PORT_NAME: unix.IFNAMSIZ - 1,
	},
	AddrSpace: {unix.IFA_LABEL: unix.IFNAMSIZ - 1},
}

// fixedSizes are the payload sizes of binary attributes that carry a
// fixed struct, by space and type.
var fixedSizes = map[*AttrSpace]map[uint16]int{
	AddrSpace:  {unix.IFA_CACHEINFO: unix.SizeofIfaCacheinfo},
	NeighSpace: {unix.NDA_CACHEINFO: neighCacheInfoLen},
}

// errTLVSpace is the space of the extended-ack TLVs of NLMSG_ERROR and
// NLMSG_DONE (enum nlmsgerr_attrs).
var errTLVSpace = &AttrSpace{Name: "nlmsgerr", Attrs: map[uint16]AttrSpec{
	nlmsgerrAttrMsg:      {Name: "NLMSGERR_ATTR_MSG", Type: TypeString},
	nlmsgerrAttrOffs:     {Name: "NLMSGERR_ATTR_OFFS", Type: TypeU32},
	nlmsgerrAttrCookie:   {Name: "NLMSGERR_ATTR_COOKIE", Type: TypeBinary},
	nlmsgerrAttrPolicy:   {Name: "NLMSGERR_ATTR_POLICY", Type: TypeBinary},
	nlmsgerrAttrMissType: {Name: "NLMSGERR_ATTR_MISS_TYPE", Type: TypeU32},
	nlmsgerrAttrMissNest: {Name: "NLMSGERR_ATTR_MISS_NEST", Type: TypeU32},
}}

type validator struct {
	kinds    Kinds
	base     int // offset of the message in the datagram
	family   uint8
	problems []Problem
	dropped  int
}

func (v *validator) problem(off int, path, text string) {
	if len(v.problems) >= maxProblems {
		v.dropped++
		return
	}
	v.problems = append(v.problems, Problem{Offset: v.base + off, Path: path, Text: text})
}

func (v *validator) result() error {
	if len(v.problems) == 0 {
		return nil
	}
	if v.dropped > 0 {
		v.problems[len(v.problems)-1].Text += fmt.Sprintf(" (and %d more problems)", v.dropped)
	}
	return &ValidationError{Problems: v.problems}
}

// Flag bits a request may carry besides NLM_F_REQUEST, NLM_F_ACK and
// NLM_F_ECHO, by kind of request (include/uapi/linux/netlink.h).
const (
	reqGetFlags = unix.NLM_F_ROOT | unix.NLM_F_MATCH | unix.NLM_F_ATOMIC
	reqNewFlags = unix.NLM_F_REPLACE | unix.NLM_F_EXCL | unix.NLM_F_CREATE | unix.NLM_F_APPEND
	reqDelFlags = unix.NLM_F_NONREC | unix.NLM_F_BULK
)

// message checks one message; b is the message and its padding.
func (v *validator) message(b []byte) {
	if len(b) < HeaderLen {
		v.problem(0, "", fmt.Sprintf("%d bytes cannot hold a nlmsghdr", len(b)))
		return
	}
	h := readHeader(b)
	switch {
	case h.Len < HeaderLen:
		v.problem(0, "", fmt.Sprintf("nlmsg_len %d is shorter than the nlmsghdr", h.Len))
		return
	case uint64(h.Len) > uint64(len(b)):
		v.problem(0, "", fmt.Sprintf("nlmsg_len %d runs past the %d bytes of the message", h.Len, len(b)))
		return
	}
	end := int(h.Len)
	if end%4 != 0 {
		v.problem(0, "", fmt.Sprintf("nlmsg_len %d is not a multiple of 4", h.Len))
	}
	if len(b) > align4(end) {
		v.problem(align4(end), "", fmt.Sprintf("%d bytes after the message", len(b)-align4(end)))
	}
	v.zero(b, end, len(b), "", "padding after the message")
	b = b[:end]
	switch h.Type {
	case unix.NLMSG_ERROR:
		v.ack(b, h)
		return
	case unix.NLMSG_DONE:
		v.done(b, h)
		return
	}
	spec, ok := messageSpecs[h.Type]
	if !ok {
		v.problem(4, "", fmt.Sprintf("message type %d has no schema", h.Type))
		return
	}
	v.requestFlags(h)
	if end-HeaderLen < spec.Header {
		v.problem(HeaderLen, "", fmt.Sprintf("%s needs a %d-byte family header, the payload has %d bytes", spec.Name, spec.Header, end-HeaderLen))
		return
	}
	v.familyHeader(b, h.Type)
	v.attrs(b, HeaderLen+spec.Header, end, spec.Attrs, "", 0)
}

func (v *validator) requestFlags(h Header) {
	if h.Flags&unix.NLM_F_REQUEST == 0 {
		v.problem(6, "", "a request without NLM_F_REQUEST")
	}
	allowed := uint16(unix.NLM_F_REQUEST | unix.NLM_F_ACK | unix.NLM_F_ECHO)
	switch h.Type % 4 {
	case 0: // RTM_NEW*
		allowed |= reqNewFlags
	case 1: // RTM_DEL*
		allowed |= reqDelFlags
	case 2: // RTM_GET*
		allowed |= reqGetFlags
	}
	if extra := h.Flags &^ allowed; extra != 0 {
		v.problem(6, "", fmt.Sprintf("nlmsg_flags %#x: bits %#x are not defined for %s", h.Flags, extra, MessageTypeName(h.Type)))
	}
}

// familyHeader checks the family header's padding and prefix lengths,
// and records the address family for the attributes.
func (v *validator) familyHeader(b []byte, typ uint16) {
	p := b[HeaderLen:]
	v.family = p[0]
	switch {
	case typ >= unix.RTM_NEWLINK && typ <= unix.RTM_SETLINK:
		v.zero(b, HeaderLen+1, HeaderLen+2, "", "ifinfomsg padding (__ifi_pad)")
		v.family = 0 // IFLA_* addresses are link-layer
	case typ >= unix.RTM_NEWADDR && typ <= unix.RTM_GETADDR:
		v.prefixLen(HeaderLen+1, p[1], "ifa_prefixlen")
	case typ >= unix.RTM_NEWROUTE && typ <= unix.RTM_GETROUTE:
		v.prefixLen(HeaderLen+1, p[1], "rtm_dst_len")
		v.prefixLen(HeaderLen+2, p[2], "rtm_src_len")
	case typ >= unix.RTM_NEWNEIGH && typ <= unix.RTM_GETNEIGH:
		v.zero(b, HeaderLen+1, HeaderLen+4, "", "ndmsg padding (ndm_pad1, ndm_pad2)")
	case typ >= unix.RTM_NEWNSID && typ <= unix.RTM_GETNSID:
		v.zero(b, HeaderLen+1, HeaderLen+4, "", "rtgenmsg padding")
		v.family = 0
	}
}

func (v *validator) prefixLen(off int, n uint8, field string) {
	if max := 8 * ipLen(v.family); max > 0 && int(n) > max {
		v.problem(off, "", fmt.Sprintf("%s %d is longer than an address of family %d", field, n, v.family))
	}
}

// zero reports non-zero bytes in b[start:end].
func (v *validator) zero(b []byte, start, end int, path, what string) {
	for i := start; i < end && i < len(b); i++ {
		if b[i] != 0 {
			v.problem(i, path, fmt.Sprintf("%s is not zero", what))
			return
		}
	}
}

// attrs checks the attributes in b[start:end], which belong to space s.
// The message's family decides the size of addresses at the top level
// (depth 0) only.
func (v *validator) attrs(b []byte, start, end int, s *AttrSpace, prefix string, depth int) {
	if depth > maxValidateDepth {
		v.problem(start, prefix, "nested too deep")
		return
	}
	var seen [4]uint64 // types below 256 met so far
	var kind, slaveKind []byte
	var kindSeen bool
	for off := start; off < end; {
		if end-off < attrHeaderLen {
			v.problem(off, prefix, fmt.Sprintf("%d bytes cannot hold an attribute header", end-off))
			return
		}
		n := int(binary.NativeEndian.Uint16(b[off:]))
		raw := binary.NativeEndian.Uint16(b[off+2:])
		t := raw & attrTypeMask
		spec, known := s.Spec(t)
		name := spec.Name
		if !known {
			name = fmt.Sprintf("type %d", t)
		}
		path := prefix + name
		if n < attrHeaderLen || n > end-off {
			v.problem(off, path, fmt.Sprintf("nla_len %d with %d bytes left in the container", n, end-off))
			return
		}
		next := off + align4(n)
		if next > end {
			v.problem(off, path, fmt.Sprintf("the padding after nla_len %d runs past the container", n))
			next = end
		}
		v.zero(b, off+n, next, path, "attribute padding")
		data := b[off+attrHeaderLen : off+n]
		if !known {
			v.problem(off, path, fmt.Sprintf("attribute type %d is unknown in space %q", t, spaceName(s)))
			off = next
			continue
		}
		if t < 256 { // every space's types are
			w, bit := t/64, uint64(1)<<(t%64)
			if seen[w]&bit != 0 {
				v.problem(off, path, "attribute repeated")
			}
			seen[w] |= bit
		}
		if raw&attrNetByteOrder != 0 {
			v.problem(off+2, path, "NLA_F_NET_BYTEORDER is set: rtnetlink does not use it")
		}
		nest := spec.Type == TypeNested || spec.Type == TypeLinkData || spec.Type == TypeSlaveData
		switch {
		case nest && spec.Flagged && raw&attrNested == 0:
			v.problem(off+2, path, "NLA_F_NESTED is missing: the kernel requires it on this nest")
		case !nest && spec.Type != TypeBinary && raw&attrNested != 0:
			v.problem(off+2, path, "NLA_F_NESTED is set on an attribute that is not a nest")
		}
		switch spec.Name {
		case "IFLA_INFO_KIND":
			kind, kindSeen = cString(data), true
		case "IFLA_INFO_SLAVE_KIND":
			slaveKind = cString(data)
		}
		v.payload(b, off, n, s, t, spec, path, depth, kind, kindSeen, slaveKind)
		off = next
	}
}

// payload checks one attribute's payload, b[off+4:off+n].
func (v *validator) payload(b []byte, off, n int, s *AttrSpace, t uint16, spec AttrSpec, path string, depth int, kind []byte, kindSeen bool, slaveKind []byte) {
	data := b[off+attrHeaderLen : off+n]
	size := len(data)
	if want := spec.Type.Size(); want >= 0 && size != want {
		v.problem(off, path, fmt.Sprintf("payload of %d bytes, want %d", size, want))
		return
	}
	switch spec.Type {
	case TypeUint:
		if size != 4 && size != 8 {
			v.problem(off, path, fmt.Sprintf("payload of %d bytes, want 4 or 8", size))
		}
	case TypeIP:
		want := 0
		if depth == 0 {
			want = ipLen(v.family)
		}
		switch {
		case want != 0 && size != want:
			v.problem(off, path, fmt.Sprintf("address of %d bytes in a message of family %d, want %d", size, v.family, want))
		case want == 0 && size != 4 && size != 16:
			v.problem(off, path, fmt.Sprintf("address of %d bytes, want 4 or 16", size))
		}
	case TypeMAC:
		if size == 0 || size > maxAddrLen {
			v.problem(off, path, fmt.Sprintf("link-layer address of %d bytes, want 1 to %d", size, maxAddrLen))
		}
	case TypeString:
		if i := bytes.IndexByte(data, 0); i >= 0 && i != size-1 {
			v.problem(off, path, fmt.Sprintf("NUL at byte %d of a %d-byte string", i, size))
		}
		if limit, ok := stringLimits[s][t]; ok && len(cString(data)) > limit {
			v.problem(off, path, fmt.Sprintf("string of %d bytes, the kernel takes at most %d", len(cString(data)), limit))
		}
	case TypeBinary:
		if want, ok := fixedSizes[s][t]; ok && size != want {
			v.problem(off, path, fmt.Sprintf("payload of %d bytes, want %d", size, want))
		}
	case TypeNested:
		v.nest(b, off, n, spec.Nested, spec.Header, path, depth)
	case TypeLinkData:
		if !kindSeen {
			v.problem(off, path, "IFLA_INFO_DATA before IFLA_INFO_KIND")
			return
		}
		inner := v.space(kind, false)
		if inner == nil {
			v.problem(off, path, fmt.Sprintf("link kind %q is not among the kinds given: its data cannot be checked", kind))
			return
		}
		v.nest(b, off, n, inner, 0, path, depth)
	case TypeSlaveData:
		sk := slaveKind
		if sk == nil {
			// Requests name the port kind in IFLA_INFO_KIND: "bridge_slave".
			sk, _ = bytes.CutSuffix(kind, []byte("_slave"))
		}
		inner := v.space(sk, true)
		if inner == nil {
			v.problem(off, path, fmt.Sprintf("port kind %q is not among the kinds given: its data cannot be checked", sk))
			return
		}
		v.nest(b, off, n, inner, 0, path, depth)
	}
}

// nest checks a nest's fixed header, if it has one, and its attributes.
func (v *validator) nest(b []byte, off, n int, s *AttrSpace, header int, path string, depth int) {
	start := off + attrHeaderLen
	end := off + n
	if end-start < header {
		v.problem(off, path, fmt.Sprintf("the nest needs a %d-byte header, its payload has %d bytes", header, end-start))
		return
	}
	if header == ifinfomsgLen && s == LinkSpace {
		v.zero(b, start+1, start+2, path, "ifinfomsg padding (__ifi_pad)")
	}
	v.attrs(b, start+header, end, s, path+"/", depth+1)
}

// cString returns a string payload without its terminating NUL.
func cString(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// space returns the attribute space of the kind named name, or nil.
func (v *validator) space(name []byte, slave bool) *AttrSpace {
	for i := range v.kinds {
		if k := &v.kinds[i]; k.Slave == slave && k.Name == string(name) {
			return k.Attrs
		}
	}
	return nil
}

func spaceName(s *AttrSpace) string {
	if s == nil {
		return "none"
	}
	return s.Name
}

// ack checks an NLMSG_ERROR: struct nlmsgerr (the errno and the request's
// nlmsghdr), the request's payload unless NLM_F_CAPPED, then the
// extended-ack TLVs if NLM_F_ACK_TLVS.
func (v *validator) ack(b []byte, h Header) {
	if extra := h.Flags &^ (unix.NLM_F_CAPPED | unix.NLM_F_ACK_TLVS); extra != 0 {
		v.problem(6, "", fmt.Sprintf("nlmsg_flags %#x: bits %#x are not defined for NLMSG_ERROR", h.Flags, extra))
	}
	if len(b) < HeaderLen+4+HeaderLen {
		v.problem(HeaderLen, "", fmt.Sprintf("NLMSG_ERROR needs %d payload bytes, has %d", 4+HeaderLen, len(b)-HeaderLen))
		return
	}
	if e := int32(binary.NativeEndian.Uint32(b[HeaderLen:])); e > 0 || e < -4095 {
		v.problem(HeaderLen, "", fmt.Sprintf("error %d is not 0 or a negative errno", e))
	}
	off := HeaderLen + 4 + HeaderLen
	reqLen := int(binary.NativeEndian.Uint32(b[HeaderLen+4:]))
	if h.Flags&unix.NLM_F_CAPPED == 0 {
		if reqLen < HeaderLen || reqLen-HeaderLen > len(b)-off {
			v.problem(HeaderLen+4, "", fmt.Sprintf("echoed request of nlmsg_len %d does not fit", reqLen))
			return
		}
		off += align4(reqLen - HeaderLen)
		if off > len(b) {
			v.problem(len(b), "", "the echoed request's padding runs past the message")
			return
		}
	}
	v.tlvs(b, off, h)
}

// done checks an NLMSG_DONE: nothing (old kernels), or the dump's error
// and the extended-ack TLVs if NLM_F_ACK_TLVS.
func (v *validator) done(b []byte, h Header) {
	if extra := h.Flags &^ (unix.NLM_F_MULTI | unix.NLM_F_ACK_TLVS | unix.NLM_F_DUMP_INTR); extra != 0 {
		v.problem(6, "", fmt.Sprintf("nlmsg_flags %#x: bits %#x are not defined for NLMSG_DONE", h.Flags, extra))
	}
	if len(b) == HeaderLen {
		return
	}
	if len(b) < HeaderLen+4 {
		v.problem(HeaderLen, "", fmt.Sprintf("NLMSG_DONE with %d payload bytes", len(b)-HeaderLen))
		return
	}
	if e := int32(binary.NativeEndian.Uint32(b[HeaderLen:])); e > 0 || e < -4095 {
		v.problem(HeaderLen, "", fmt.Sprintf("error %d is not 0 or a negative errno", e))
	}
	v.tlvs(b, HeaderLen+4, h)
}

func (v *validator) tlvs(b []byte, off int, h Header) {
	if h.Flags&unix.NLM_F_ACK_TLVS == 0 {
		if off < len(b) {
			v.problem(off, "", fmt.Sprintf("%d bytes after the error without NLM_F_ACK_TLVS", len(b)-off))
		}
		return
	}
	v.family = 0
	v.attrs(b, off, len(b), errTLVSpace, "", 0)
}
