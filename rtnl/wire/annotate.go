package wire

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// A Datagram is one netlink datagram as it crossed a socket: what one
// sendmsg sent or one recvmsg received, whole.
type Datagram struct {
	Dir  rtnl.Direction // Sent to the kernel or Received from it
	Time time.Time      // when it was seen; zero if unknown
	Data []byte         // the datagram, one or more netlink messages
}

// A Dump is an annotated datagram: every byte of it placed in a message
// header, a family header field, an attribute header or payload, padding,
// or a span shown raw because it could not be decoded. WriteText prints it
// as an annotated hex dump; encoding/json marshals it with stable keys.
type Dump struct {
	Direction string     `json:"direction"`      // "sent" or "received"
	Time      string     `json:"time,omitempty"` // RFC 3339, when known
	Length    int        `json:"length"`         // bytes in the datagram
	Messages  []*Message `json:"messages"`       // the messages, in order
	// Rest holds bytes after the last message that cannot be one.
	Rest *Span `json:"rest,omitempty"`

	dir  rtnl.Direction
	time time.Time
	data []byte
}

// A Message is one netlink message: struct nlmsghdr, then its payload.
type Message struct {
	Offset    int      `json:"offset"`     // of the nlmsghdr in the datagram
	Length    int      `json:"length"`     // nlmsg_len
	Type      uint16   `json:"type"`       // nlmsg_type
	TypeName  string   `json:"type_name"`  // RTM_NEWLINK, NLMSG_ERROR; "" if unknown
	Flags     uint16   `json:"flags"`      // nlmsg_flags
	FlagNames []string `json:"flag_names"` // the flags by name, for this message type
	Seq       uint32   `json:"seq"`        // nlmsg_seq
	Pid       uint32   `json:"pid"`        // nlmsg_pid, the port id
	// Header is the family header: ifinfomsg, ifaddrmsg, rtmsg, ndmsg or
	// rtgenmsg.
	Header  *Struct `json:"header,omitempty"`
	Attrs   []*Attr `json:"attributes,omitempty"` // the top-level attributes
	Error   *Ack    `json:"error,omitempty"`      // the payload of NLMSG_ERROR
	Done    *Ack    `json:"done,omitempty"`       // the payload of NLMSG_DONE
	Rest    *Span   `json:"rest,omitempty"`       // payload bytes that could not be decoded
	Problem string  `json:"problem,omitempty"`    // what is wrong with the framing, if anything

	pad  Span // padding after nlmsg_len, up to the 4-byte boundary
	echo bool // a request echoed inside NLMSG_ERROR
}

// A Struct is a fixed C struct: a family header, the header inside a nest
// (the peer's ifinfomsg in VETH_INFO_PEER), or an attribute's payload
// (ifa_cacheinfo).
type Struct struct {
	Name    string  `json:"name"`              // the kernel's struct name, ifinfomsg
	Offset  int     `json:"offset"`            // in the datagram
	Length  int     `json:"length"`            // bytes
	Fields  []Field `json:"fields"`            // the members, in order
	Problem string  `json:"problem,omitempty"` // set when the bytes are too few
}

// A Field is one member of a Struct.
type Field struct {
	Name   string `json:"name"`   // the kernel's member name, ifi_index
	Offset int    `json:"offset"` // in the datagram
	Length int    `json:"length"` // bytes
	// Value is the number (uint64, or int64 for signed members); nil for
	// padding.
	Value any    `json:"value,omitempty"`
	Text  string `json:"text,omitempty"` // the value by name: AF_INET, IFF_UP|IFF_LOWER_UP
	Pad   bool   `json:"pad,omitempty"`  // padding the kernel ignores

	show string // the text view of the value
}

// An Attr is one netlink attribute: struct nlattr, then its payload.
type Attr struct {
	Offset int    `json:"offset"`         // of the nlattr
	Length int    `json:"length"`         // nla_len: header and payload, no padding
	Type   uint16 `json:"type"`           // nla_type without the flag bits
	Name   string `json:"name,omitempty"` // IFLA_MTU; "" if the space does not know the type
	// Nested and NetByteOrder are the NLA_F_NESTED and NLA_F_NET_BYTEORDER
	// bits of nla_type.
	Nested       bool `json:"nla_f_nested,omitempty"`        // NLA_F_NESTED is set
	NetByteOrder bool `json:"nla_f_net_byteorder,omitempty"` // NLA_F_NET_BYTEORDER is set
	// Space names the space of the nested attributes: "linkinfo", or the
	// link kind inside IFLA_INFO_DATA.
	Space string `json:"space,omitempty"`
	// Value is the decoded payload: a number (uint64 or int64), a string
	// (names, addresses), or true for a flag.
	Value any    `json:"value,omitempty"`
	Text  string `json:"text,omitempty"` // the value by name: IF_OPER_UP
	Hex   string `json:"hex,omitempty"`  // the payload, when it is shown raw
	// Header is the fixed struct at the start of a nest (the peer's
	// ifinfomsg inside VETH_INFO_PEER).
	Header  *Struct `json:"header,omitempty"`
	Struct  *Struct `json:"struct,omitempty"`     // a payload that is a struct (IFA_CACHEINFO)
	Attrs   []*Attr `json:"attributes,omitempty"` // the nested attributes
	Rest    *Span   `json:"rest,omitempty"`       // payload bytes that could not be decoded
	Problem string  `json:"problem,omitempty"`    // what is wrong with the attribute, if anything

	show     string          // the text view of the value
	pend     int             // where the payload ends
	pad      Span            // padding after the payload
	kindData bool            // IFLA_INFO_DATA or IFLA_INFO_SLAVE_DATA
	inner    *rtnl.AttrSpace // the space of nested attributes
	pathNote string          // for NLMSGERR_ATTR_OFFS: what the offset points at
}

// An Ack is the payload of NLMSG_ERROR (struct nlmsgerr and the extended
// ack TLVs) or of NLMSG_DONE (the dump's error and TLVs).
type Ack struct {
	Offset int    `json:"offset"`          // of the error field
	Error  int32  `json:"error"`           // as on the wire: 0, or a negative errno
	Errno  string `json:"errno,omitempty"` // EEXIST
	Text   string `json:"text,omitempty"`  // file exists
	// Capped is NLM_F_CAPPED: only the request's header is echoed.
	Capped bool `json:"capped,omitempty"`
	// Request is the echoed request (NLMSG_ERROR only).
	Request *Message `json:"request,omitempty"`
	TLVs    []*Attr  `json:"tlvs,omitempty"` // the extended-ack attributes
	// What the TLVs say.
	Message   string `json:"message,omitempty"`       // NLMSGERR_ATTR_MSG
	BadOffset *int   `json:"bad_offset,omitempty"`    // NLMSGERR_ATTR_OFFS
	BadAttr   string `json:"bad_attribute,omitempty"` // the attribute path at BadOffset
	Missing   string `json:"missing,omitempty"`       // NLMSGERR_ATTR_MISS_TYPE, by name

	field Field // the error field, for the text view
}

// A Span is a run of bytes shown raw: padding, or bytes that could not be
// decoded.
type Span struct {
	Offset int    `json:"offset"`         // in the datagram
	Length int    `json:"length"`         // bytes
	Hex    string `json:"hex"`            // the bytes in hex
	Note   string `json:"note,omitempty"` // why the bytes are raw
}

// An Annotator decodes datagrams. It remembers the requests it has seen
// sent, so that an ack that is capped (only the request's header echoed)
// can still have its extended-ack offset named as an attribute path. Its
// methods may be called from several goroutines.
type Annotator struct {
	// Kinds name the attributes inside IFLA_INFO_DATA and
	// IFLA_INFO_SLAVE_DATA, by the link kind beside them.
	Kinds rtnl.Kinds
	// Request, if set, is asked for the request with a sequence number
	// before the annotator's own memory of the requests it saw sent. It
	// returns the request from its nlmsghdr on, or nil.
	Request func(seq uint32) []byte

	mu    sync.Mutex
	reqs  map[uint32][]byte
	order []uint32
}

// maxRemembered bounds how many sent requests an Annotator keeps.
const maxRemembered = 4096

// NewAnnotator returns an Annotator that knows the given link kinds.
func NewAnnotator(kinds rtnl.Kinds) *Annotator {
	return &Annotator{Kinds: kinds}
}

// Annotate decodes a datagram. It never fails: what cannot be decoded is
// shown raw, with a note saying why. The Dump keeps a reference to
// d.Data. Requests in a Sent datagram are remembered for the acks that
// answer them.
func (a *Annotator) Annotate(d Datagram) *Dump {
	w := walker{data: d.Data, kinds: a.Kinds, lookup: a.lookup}
	dump := w.datagram()
	dump.dir = d.Dir
	dump.Direction = d.Dir.String()
	dump.time = d.Time
	if !d.Time.IsZero() {
		dump.Time = d.Time.UTC().Format(time.RFC3339Nano)
	}
	if d.Dir == rtnl.Sent {
		a.remember(d.Data, dump)
	}
	return dump
}

// remember keeps a copy of each request in a sent datagram, by sequence
// number.
func (a *Annotator) remember(b []byte, d *Dump) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.reqs == nil {
		a.reqs = make(map[uint32][]byte)
	}
	for _, m := range d.Messages {
		if m.Flags&unix.NLM_F_REQUEST == 0 || m.Length < rtnl.HeaderLen || m.Offset+m.Length > len(b) {
			continue
		}
		if _, ok := a.reqs[m.Seq]; !ok {
			a.order = append(a.order, m.Seq)
		}
		a.reqs[m.Seq] = append([]byte(nil), b[m.Offset:m.Offset+m.Length]...)
		if len(a.order) > maxRemembered {
			delete(a.reqs, a.order[0])
			a.order = a.order[1:]
		}
	}
}

func (a *Annotator) lookup(seq uint32) []byte {
	if a.Request != nil {
		if b := a.Request(seq); b != nil {
			return b
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.reqs[seq]
}

// maxDepth bounds nesting; deeper attributes are shown raw.
const maxDepth = 32

// walker decodes one datagram.
type walker struct {
	data   []byte
	kinds  rtnl.Kinds
	lookup func(seq uint32) []byte
	af     uint8 // the current message's address family
}

func (w *walker) span(off, end int, note string) *Span {
	if end <= off {
		return nil
	}
	return &Span{Offset: off, Length: end - off, Hex: hex.EncodeToString(w.data[off:end]), Note: note}
}

func (w *walker) u16(off int) uint16 { return binary.NativeEndian.Uint16(w.data[off:]) }
func (w *walker) u32(off int) uint32 { return binary.NativeEndian.Uint32(w.data[off:]) }

// datagram splits the datagram into messages.
func (w *walker) datagram() *Dump {
	d := &Dump{Length: len(w.data), Messages: []*Message{}, data: w.data}
	for off := 0; off < len(w.data); {
		left := len(w.data) - off
		if left < rtnl.HeaderLen {
			d.Rest = w.span(off, len(w.data), fmt.Sprintf("%d bytes after the last message, too few for a 16-byte nlmsghdr", left))
			break
		}
		m, next := w.message(off, len(w.data), 0)
		d.Messages = append(d.Messages, m)
		if next <= off {
			break
		}
		off = next
	}
	return d
}

// header decodes the nlmsghdr at off, which must fit.
func (w *walker) header(off int) *Message {
	m := &Message{
		Offset: off,
		Length: int(w.u32(off)),
		Type:   w.u16(off + 4),
		Flags:  w.u16(off + 6),
		Seq:    w.u32(off + 8),
		Pid:    w.u32(off + 12),
	}
	m.TypeName = typeName(m.Type)
	names, rest := flagNames(uint64(m.Flags), messageFlagBits(m.Type))
	if rest != 0 {
		names = append(names, fmt.Sprintf("0x%x", rest))
	}
	m.FlagNames = names
	if m.FlagNames == nil {
		m.FlagNames = []string{}
	}
	return m
}

// message decodes the message at off, whose nlmsghdr fits before limit.
// It returns the offset of the next message, or -1 when framing is lost.
func (w *walker) message(off, limit, depth int) (*Message, int) {
	m := w.header(off)
	start := off + rtnl.HeaderLen
	switch {
	case m.Length < rtnl.HeaderLen:
		m.Problem = fmt.Sprintf("nlmsg_len %d is shorter than the 16-byte nlmsghdr: framing is lost", m.Length)
		m.Rest = w.span(start, limit, "not decoded")
		return m, -1
	case m.Length > limit-off:
		m.Problem = fmt.Sprintf("nlmsg_len %d runs past the end of the datagram (%d bytes left): truncated", m.Length, limit-off)
		w.body(m, start, limit, depth)
		return m, -1
	}
	end := off + m.Length
	w.body(m, start, end, depth)
	next := min(off+align4(m.Length), limit)
	m.pad = Span{Offset: end, Length: next - end}
	return m, next
}

// body decodes a message's payload, data[start:end].
func (w *walker) body(m *Message, start, end, depth int) {
	switch {
	case depth >= maxDepth:
		m.Rest = w.span(start, end, "nested too deep")
	case m.Type == unix.NLMSG_ERROR:
		w.ack(m, start, end, depth)
	case m.Type == unix.NLMSG_DONE:
		w.done(m, start, end, depth)
	case m.Type < unix.NLMSG_MIN_TYPE:
		m.Rest = w.span(start, end, "payload of a control message")
	default:
		w.family(m, start, end, depth)
	}
}

// family decodes a family header and the attributes after it.
func (w *walker) family(m *Message, start, end, depth int) {
	spec, known := rtnl.Spec(m.Type)
	def := familyHeader(m.Type)
	size := 0
	switch {
	case known:
		size = spec.Header
		if def != nil && def.size != size {
			def = nil
		}
	case def != nil:
		size = def.size
	default:
		m.Rest = w.span(start, end, "payload of a message type linkbox has no schema for")
		return
	}
	if start < end {
		w.af = w.data[start]
	}
	if end-start < size {
		// A dump request may carry the one-byte struct rtgenmsg instead
		// of the family's own header; the kernel accepts both.
		if m.Type >= unix.RTM_BASE && m.Type%4 == 2 && m.Flags&unix.NLM_F_DUMP == unix.NLM_F_DUMP && end > start {
			m.Header = decodeStruct(w.data, start, end, rtgenmsg)
			m.Header.Problem = ""
			if end-start < 4 {
				m.Header.Fields = m.Header.Fields[:1]
				m.Header.Length = 1
				m.Rest = w.span(start+1, end, "")
			} else {
				m.Rest = w.span(start+4, end, "after struct rtgenmsg")
			}
			return
		}
		if def != nil && end > start {
			m.Header = decodeStruct(w.data, start, end, def)
			m.Rest = w.span(start+fieldsLen(m.Header), end, "part of a field")
		} else {
			m.Rest = w.span(start, end, "")
		}
		if m.Problem == "" {
			m.Problem = fmt.Sprintf("the family header needs %d bytes, the payload has %d", size, end-start)
		}
		return
	}
	if def != nil {
		m.Header = decodeStruct(w.data, start, start+size, def)
	} else if size > 0 {
		m.Rest = w.span(start, start+size, "family header")
	}
	var rest *Span
	m.Attrs, rest = w.attrs(start+size, end, spec.Attrs, depth)
	if rest != nil {
		m.Rest = rest
	}
}

// attrs decodes the attributes in data[start:end], which belong to space
// s (nil: unknown). It returns the bytes it could not frame.
func (w *walker) attrs(start, end int, s *rtnl.AttrSpace, depth int) ([]*Attr, *Span) {
	// Count the attributes first, to allocate them at once.
	n := 0
	for off := start; off+4 <= end; n++ {
		l := int(w.u16(off))
		if l < 4 {
			n++
			break
		}
		off += align4(l)
	}
	var list []*Attr
	if n > 0 {
		list = make([]*Attr, 0, n)
	}
	store := make([]Attr, n)
	var kind, slaveKind string
	for off := start; off < end; {
		left := end - off
		if left < 4 {
			return list, w.span(off, end, fmt.Sprintf("%d bytes, too few for a 4-byte nlattr", left))
		}
		n := int(w.u16(off))
		raw := w.u16(off + 2)
		var a *Attr
		if len(list) < len(store) {
			a = &store[len(list)]
		} else {
			a = new(Attr)
		}
		*a = Attr{Offset: off, Length: n, Type: raw & typeMask, Nested: raw&nlaFNested != 0, NetByteOrder: raw&nlaFNetByteOrder != 0}
		list = append(list, a)
		spec, known := attrSpec(s, a.Type)
		if known {
			a.Name = spec.Name
		}
		if n < 4 {
			a.pend = off + 4
			a.Problem = fmt.Sprintf("nla_len %d is shorter than the 4-byte nlattr: framing is lost", n)
			return list, w.span(off+4, end, "not decoded")
		}
		pend := off + n
		truncated := pend > end
		if truncated {
			a.Problem = fmt.Sprintf("nla_len %d runs past the end of its container (%d bytes left): truncated", n, left)
			pend = end
		}
		a.pend = pend
		w.payload(a, spec, known, off+4, pend, depth, kind, slaveKind)
		switch a.Name {
		case "IFLA_INFO_KIND":
			if v, ok := a.Value.(string); ok {
				kind = v
			}
		case "IFLA_INFO_SLAVE_KIND":
			if v, ok := a.Value.(string); ok {
				slaveKind = v
			}
		}
		if truncated {
			return list, nil
		}
		next := min(off+align4(n), end)
		a.pad = Span{Offset: pend, Length: next - pend}
		off = next
	}
	return list, nil
}

// Flag bits of nla_type, include/uapi/linux/netlink.h.
const (
	nlaFNested       = 1 << 15
	nlaFNetByteOrder = 1 << 14
	typeMask         = ^uint16(nlaFNested | nlaFNetByteOrder)
)

func align4(n int) int { return (n + 3) &^ 3 }

// payload decodes the payload data[start:end] of attribute a.
func (w *walker) payload(a *Attr, spec rtnl.AttrSpec, known bool, start, end, depth int, kind, slaveKind string) {
	p := w.data[start:end]
	if depth >= maxDepth {
		a.raw(p, "nested too deep")
		return
	}
	if !known {
		if a.Nested {
			w.nest(a, nil, 0, start, end, depth)
			return
		}
		a.raw(p, "")
		return
	}
	if n := spec.Type.Size(); n >= 0 && len(p) != n {
		a.raw(p, "")
		if a.Problem == "" {
			a.Problem = fmt.Sprintf("%s has %d bytes, its type needs %d", a.Name, len(p), n)
		}
		return
	}
	switch spec.Type {
	case rtnl.TypeU8, rtnl.TypeU16, rtnl.TypeU32, rtnl.TypeU64, rtnl.TypeU16BE:
		v := readUint(p, len(p), spec.Type == rtnl.TypeU16BE || a.NetByteOrder)
		a.Value = v
		if f := attrFormats[a.Name]; f != nil {
			a.Text = f(v)
		}
		a.show = numberText(v, a.Text, spec.Type == rtnl.TypeU16BE)
	case rtnl.TypeS32:
		v := signExtend(readUint(p, 4, a.NetByteOrder), 4)
		a.Value = v
		a.show = numberText(v, "", false)
	case rtnl.TypeString:
		a.string(p)
	case rtnl.TypeFlag:
		a.Value = true
	case rtnl.TypeIP:
		s, ok := ipText(p)
		if !ok {
			a.raw(p, "")
			a.Problem = fmt.Sprintf("%s has %d bytes, an address needs 4 or 16", a.Name, len(p))
			return
		}
		a.Value, a.show = s, s
	case rtnl.TypeMAC:
		s := net.HardwareAddr(p).String()
		a.Value, a.show = s, s
	case rtnl.TypeNested:
		w.nest(a, spec.Nested, spec.Header, start, end, depth)
	case rtnl.TypeLinkData, rtnl.TypeSlaveData:
		a.kindData = true
		name, slave := kind, false
		if spec.Type == rtnl.TypeSlaveData {
			name, slave = slaveKind, true
			if name == "" {
				// iproute2 sends `type bridge_slave` as
				// IFLA_INFO_KIND "bridge_slave".
				name = strings.TrimSuffix(kind, "_slave")
			}
		}
		space := w.kinds.Space(name, slave)
		a.Space = name
		if space == nil {
			if name == "" {
				a.Problem = "no link kind precedes the data"
			} else {
				a.Problem = fmt.Sprintf("link kind %q is not known here; its attributes are shown by number", name)
			}
		}
		w.nest(a, space, 0, start, end, depth)
		if space == nil && a.Rest != nil {
			// Not attributes after all: show the whole payload raw.
			a.Attrs, a.Rest = nil, nil
			a.raw(p, "")
		}
	default: // TypeBinary
		w.binary(a, start, end, depth)
	}
}

// binary decodes a payload rtnl keeps raw: a struct, a nest rtnl does not
// model, or bytes.
func (w *walker) binary(a *Attr, start, end, depth int) {
	p := w.data[start:end]
	if uintAttrs[a.Name] && (len(p) == 4 || len(p) == 8) {
		v := readUint(p, len(p), a.NetByteOrder)
		a.Value, a.show = v, numberText(v, "", false)
		return
	}
	if def := attrStructs[a.Name]; def != nil {
		a.Struct = decodeStruct(w.data, start, end, def)
		a.Rest = w.span(start+fieldsLen(a.Struct), end, "beyond the fields linkbox knows")
		return
	}
	if space := attrNests[a.Name]; space != nil {
		w.nest(a, space, 0, start, end, depth)
		return
	}
	if a.Name == "IFLA_PROTINFO" && (a.Nested || w.af == unix.AF_BRIDGE) {
		// Bridge port attributes, for AF_BRIDGE link messages.
		w.nest(a, w.kinds.Space("bridge", true), 0, start, end, depth)
		return
	}
	if strings.HasSuffix(a.Name, "_ROOT_ID") || strings.HasSuffix(a.Name, "_BRIDGE_ID") {
		if s, ok := bridgeID(p); ok {
			a.Value, a.show = s, s
			return
		}
	}
	a.raw(p, "")
}

// nest decodes nested attributes of space s, after a fixed header of
// hdr bytes.
func (w *walker) nest(a *Attr, s *rtnl.AttrSpace, hdr, start, end, depth int) {
	a.inner = s
	if s != nil && a.Space == "" {
		a.Space = s.Name
	}
	if hdr > 0 {
		if end-start < hdr {
			a.Header = decodeStruct(w.data, start, end, structOfSize(hdr))
			a.Rest = w.span(start+fieldsLen(a.Header), end, "part of a field")
			return
		}
		a.Header = decodeStruct(w.data, start, start+hdr, structOfSize(hdr))
		start += hdr
	}
	a.Attrs, a.Rest = w.attrs(start, end, s, depth+1)
}

// structOfSize returns the struct a nest starts with. The only one in
// rtnetlink is the peer's ifinfomsg in VETH_INFO_PEER (and the same in
// vxcan); other sizes are shown as raw bytes.
func structOfSize(n int) *structDef {
	if n == ifinfomsg.size {
		return ifinfomsg
	}
	return &structDef{name: "header", size: n, fields: []fieldDef{{name: "bytes", size: n, pad: true}}}
}

// raw shows the payload as bytes.
func (a *Attr) raw(p []byte, note string) {
	a.Hex = hex.EncodeToString(p)
	if note != "" && a.Problem == "" {
		a.Problem = note
	}
}

// string decodes a string payload. The kernel's strings end in NUL;
// iproute2 sends some (IFLA_INFO_KIND) without one.
func (a *Attr) string(p []byte) {
	s, rest, nul := p, []byte(nil), false
	for i, c := range p {
		if c == 0 {
			s, rest, nul = p[:i], p[i+1:], true
			break
		}
	}
	a.Value = string(s)
	a.show = strconv.Quote(string(s))
	switch {
	case !nul:
		a.show += " (no NUL terminator)"
	case len(rest) > 0:
		a.show += fmt.Sprintf(" (and %d bytes after the NUL)", len(rest))
	}
}

// ack decodes the payload of NLMSG_ERROR: struct nlmsgerr { int error;
// struct nlmsghdr msg; } with the request's payload unless capped, then
// the extended-ack TLVs.
func (w *walker) ack(m *Message, start, end, depth int) {
	ack := &Ack{Offset: start}
	m.Error = ack
	if end-start < 4 {
		m.Problem = fmt.Sprintf("NLMSG_ERROR needs %d bytes (error and the request's nlmsghdr), has %d", 4+rtnl.HeaderLen, end-start)
		m.Rest = w.span(start, end, "")
		return
	}
	w.errorField(ack, start)
	if ack.Error > 0 {
		m.Problem = "the error is positive; the kernel sends 0 or a negative errno"
	}
	if end-start < 4+rtnl.HeaderLen {
		m.Problem = fmt.Sprintf("NLMSG_ERROR needs %d bytes (error and the request's nlmsghdr), has %d", 4+rtnl.HeaderLen, end-start)
		m.Rest = w.span(start+4, end, "")
		return
	}
	ack.Capped = m.Flags&unix.NLM_F_CAPPED != 0
	reqOff := start + 4
	req := w.header(reqOff)
	req.echo = true
	ack.Request = req
	pos := reqOff + rtnl.HeaderLen
	var request []byte
	if !ack.Capped {
		switch {
		case req.Length < rtnl.HeaderLen:
			req.Problem = fmt.Sprintf("echoed nlmsg_len %d is shorter than the 16-byte nlmsghdr", req.Length)
		case req.Length > end-reqOff:
			req.Problem = fmt.Sprintf("echoed nlmsg_len %d runs past the end of the message (%d bytes left)", req.Length, end-reqOff)
			w.body(req, pos, end, depth+1)
			pos = end
			request = w.data[reqOff:end]
		default:
			rend := reqOff + req.Length
			w.body(req, pos, rend, depth+1)
			pos = min(reqOff+align4(req.Length), end)
			req.pad = Span{Offset: rend, Length: pos - rend}
			request = w.data[reqOff:rend]
		}
	} else if w.lookup != nil {
		request = w.lookup(m.Seq)
	}
	if m.Flags&unix.NLM_F_ACK_TLVS != 0 {
		var rest *Span
		ack.TLVs, rest = w.attrs(pos, end, ackSpace, depth)
		m.Rest = rest
	} else if pos < end {
		m.Rest = w.span(pos, end, "after the echoed request, without NLM_F_ACK_TLVS")
	}
	w.explain(ack, request, req.Type)
}

// done decodes the payload of NLMSG_DONE: the dump's error, then the
// extended-ack TLVs. Old kernels send no payload.
func (w *walker) done(m *Message, start, end, depth int) {
	if start == end {
		return
	}
	ack := &Ack{Offset: start}
	m.Done = ack
	if end-start < 4 {
		m.Problem = fmt.Sprintf("NLMSG_DONE carries a 4-byte error, has %d bytes", end-start)
		m.Rest = w.span(start, end, "")
		return
	}
	w.errorField(ack, start)
	if m.Flags&unix.NLM_F_ACK_TLVS != 0 {
		var rest *Span
		ack.TLVs, rest = w.attrs(start+4, end, ackSpace, depth)
		m.Rest = rest
	} else if start+4 < end {
		m.Rest = w.span(start+4, end, "after the error, without NLM_F_ACK_TLVS")
	}
	var request []byte
	if w.lookup != nil {
		request = w.lookup(m.Seq)
	}
	var reqType uint16
	if len(request) >= rtnl.HeaderLen {
		reqType = binary.NativeEndian.Uint16(request[4:])
	}
	w.explain(ack, request, reqType)
}

// errorField decodes the 4-byte error at off.
func (w *walker) errorField(ack *Ack, off int) {
	v := int32(w.u32(off))
	ack.Error = v
	ack.Errno, ack.Text = errnoText(-int64(v))
	show := strconv.Itoa(int(v))
	switch {
	case v == 0:
		show += " (success)"
	case ack.Errno != "":
		show += " " + ack.Errno + ": " + ack.Text
	}
	ack.field = Field{Name: "error", Offset: off, Length: 4, Value: int64(v), show: show}
}

// explain reads the extended-ack TLVs and names the attribute the kernel
// pointed at in request (nil if unknown), a message of type reqType.
func (w *walker) explain(ack *Ack, request []byte, reqType uint16) {
	missType, missNest := -1, -1
	var missAttr *Attr
	for _, t := range ack.TLVs {
		switch t.Name {
		case "NLMSGERR_ATTR_MSG":
			ack.Message, _ = t.Value.(string)
		case "NLMSGERR_ATTR_OFFS":
			v, ok := t.Value.(uint64)
			if !ok {
				continue
			}
			off := int(v)
			ack.BadOffset = &off
			t.pathNote = w.pathAt(request, off, &ack.BadAttr)
		case "NLMSGERR_ATTR_MISS_TYPE":
			if v, ok := t.Value.(uint64); ok && v < 1<<16 {
				missType, missAttr = int(v), t
			}
		case "NLMSGERR_ATTR_MISS_NEST":
			if v, ok := t.Value.(uint64); ok {
				missNest = int(v)
				var path string
				t.pathNote = w.pathAt(request, missNest, &path)
			}
		}
	}
	if missAttr == nil {
		return
	}
	ack.Missing = w.missing(request, reqType, missNest, uint16(missType))
	if ack.Missing != "" {
		missAttr.pathNote = "-> " + ack.Missing + " is missing"
	}
}

// pathAt names the attribute at offset off of request, storing the path
// in *path, and returns the note the text view shows.
func (w *walker) pathAt(request []byte, off int, path *string) string {
	if request == nil {
		return "in a request not seen"
	}
	p := rtnl.AttrPath(request, off, w.kinds)
	if p == "" {
		if off >= 0 && off < rtnl.HeaderLen {
			p = "nlmsghdr"
		} else {
			return "not at an attribute of the request"
		}
	}
	*path = p
	return "-> " + p
}

// missing names the attribute type t the kernel found missing: in the
// nest at offset nest of the request, or at the top level when nest < 0.
func (w *walker) missing(request []byte, reqType uint16, nest int, t uint16) string {
	var space *rtnl.AttrSpace
	prefix := ""
	if nest < 0 {
		if s, ok := rtnl.Spec(reqType); ok {
			space = s.Attrs
		}
	} else if request != nil {
		sub := walker{data: request, kinds: w.kinds}
		d := sub.datagram()
		if len(d.Messages) > 0 {
			if a := findAttr(d.Messages[0].Attrs, nest); a != nil {
				space = a.inner
				prefix = rtnl.AttrPath(request, nest, w.kinds) + "/"
			}
		}
	}
	if sp, ok := space.Spec(t); ok {
		return prefix + sp.Name
	}
	return fmt.Sprintf("%sattribute type %d", prefix, t)
}

// findAttr finds the attribute that starts at off.
func findAttr(list []*Attr, off int) *Attr {
	for _, a := range list {
		if a.Offset == off {
			return a
		}
		if off > a.Offset && off < a.Offset+a.Length {
			return findAttr(a.Attrs, off)
		}
	}
	return nil
}

// fieldsLen is the number of bytes the decoded fields of s cover.
func fieldsLen(s *Struct) int {
	n := 0
	for _, f := range s.Fields {
		n += f.Length
	}
	return n
}
