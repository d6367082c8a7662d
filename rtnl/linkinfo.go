package rtnl

import (
	"strings"

	"golang.org/x/sys/unix"
)

// LinkInfo is the IFLA_LINKINFO nest: the link's kind and its kind-specific
// data, and, for a port, its master's kind and the port data.
type LinkInfo struct {
	Kind      string   // IFLA_INFO_KIND, such as "veth" or "bridge"; taken from Data when empty
	Data      LinkData // IFLA_INFO_DATA
	SlaveKind string   // IFLA_INFO_SLAVE_KIND: the master's kind, "bridge" for a bridge port
	SlaveData LinkData // IFLA_INFO_SLAVE_DATA

	// Unknown holds other IFLA_INFO_* attributes (IFLA_INFO_XSTATS).
	Unknown []Attr

	layout  Layout
	kindNUL bool // the decoded IFLA_INFO_KIND ended in NUL
}

// reset empties li for decoding into, keeping its slices' room.
func (li *LinkInfo) reset() {
	order, unknown := li.layout.order[:0], li.Unknown[:0]
	*li = LinkInfo{Unknown: unknown}
	li.layout.order = order
}

// Raw returns the payload of the first attribute of type t kept in Unknown.
func (li *LinkInfo) Raw(t uint16) ([]byte, bool) { return rawAttr(li.Unknown, t) }

// LinkData is the kind-specific payload of IFLA_INFO_DATA or
// IFLA_INFO_SLAVE_DATA. rtnl knows no kind itself: a kind's package (veth,
// bridge) implements LinkData, and callers hand its Kind to decoders.
type LinkData interface {
	// Kind returns the kind's name as IFLA_INFO_KIND or
	// IFLA_INFO_SLAVE_KIND carries it.
	Kind() string
	// Encode appends the attributes nested in the data attribute.
	Encode(e *Encoder)
	// Decode reads them back. It may keep references into the decoder's
	// input.
	Decode(d *Decoder) error
}

// Kind describes one link kind to the decoders: its name, whether its data
// travels as IFLA_INFO_SLAVE_DATA (port data, named by the master's kind),
// and how to make an empty value to decode into. Attrs, if set, names the
// kind's attributes for the annotated trace and the validator.
type Kind struct {
	Name  string          // IFLA_INFO_KIND (or the master's kind for port data)
	Slave bool            // the data travels as IFLA_INFO_SLAVE_DATA
	New   func() LinkData // makes an empty value to decode into
	Attrs *AttrSpace      // names the data's attributes, or nil
}

// Kinds is the set of link kinds a decoder knows. Data of a kind not in the
// set decodes to *RawData and encodes back unchanged.
type Kinds []Kind

// lookup returns the kind named name with the given slave flag.
func (ks Kinds) lookup(name string, slave bool) *Kind {
	for i := range ks {
		if ks[i].Name == name && ks[i].Slave == slave {
			return &ks[i]
		}
	}
	return nil
}

// Space returns the attribute space of the named kind's data, or nil.
func (ks Kinds) Space(name string, slave bool) *AttrSpace {
	if k := ks.lookup(name, slave); k != nil {
		return k.Attrs
	}
	return nil
}

// RawData is link data of a kind the decoder was not given. It keeps the
// payload's bytes and writes them back unchanged.
type RawData struct {
	Name string // the kind
	Data []byte // the payload of IFLA_INFO_DATA or IFLA_INFO_SLAVE_DATA
}

// Kind returns the kind's name.
func (r *RawData) Kind() string { return r.Name }

// Encode writes the payload back as it was.
func (r *RawData) Encode(e *Encoder) { e.raw(r.Data) }

// Decode keeps the payload.
func (r *RawData) Decode(d *Decoder) error {
	r.Data = d.b
	return nil
}

var linkInfoOrder = []uint16{
	unix.IFLA_INFO_KIND, unix.IFLA_INFO_DATA,
	unix.IFLA_INFO_SLAVE_KIND, unix.IFLA_INFO_SLAVE_DATA,
}

func (li *LinkInfo) kind() string {
	if li.Kind == "" && li.Data != nil {
		return li.Data.Kind()
	}
	return li.Kind
}

func (li *LinkInfo) encode(e *Encoder) {
	li.layout.Encode(e, li.Unknown, linkInfoOrder, func(e *Encoder, t uint16, present bool) {
		switch t {
		case unix.IFLA_INFO_KIND:
			// iproute2 sends the kind without a terminating NUL; the
			// kernel reports it with one. Write it back as it came.
			if k := li.kind(); li.kindNUL {
				e.String(t, k)
			} else if present || k != "" {
				e.Bytes(t, []byte(k))
			}
		case unix.IFLA_INFO_DATA:
			if li.Data != nil {
				e.Nest(t, li.Data.Encode)
			}
		case unix.IFLA_INFO_SLAVE_KIND:
			// Requests name the port kind with IFLA_INFO_KIND
			// ("bridge_slave"), as iproute2 does; the kernel reports
			// the master's kind here. Only write what was set.
			if present || li.SlaveKind != "" {
				e.String(t, li.SlaveKind)
			}
		case unix.IFLA_INFO_SLAVE_DATA:
			if li.SlaveData != nil {
				e.Nest(t, li.SlaveData.Encode)
			}
		}
	})
}

// decode reads the nest. The kind attributes come before their data in
// everything the kernel and iproute2 send; data met before its kind is kept
// raw.
func (li *LinkInfo) decode(d *Decoder, kinds Kinds) error {
	return li.layout.Decode(d, &li.Unknown, func(d *Decoder) bool {
		switch d.Type() {
		case unix.IFLA_INFO_KIND:
			li.Kind = d.Word()
			li.kindNUL = d.IsCanonicalString()
		case unix.IFLA_INFO_SLAVE_KIND:
			li.SlaveKind = d.Word()
		case unix.IFLA_INFO_DATA:
			if !li.layout.Has(unix.IFLA_INFO_KIND) {
				return false
			}
			li.Data = decodeLinkData(d, kinds, li.Kind, false)
		case unix.IFLA_INFO_SLAVE_DATA:
			// The kernel names the port kind in IFLA_INFO_SLAVE_KIND;
			// requests in IFLA_INFO_KIND, as "bridge_slave".
			name := li.SlaveKind
			if !li.layout.Has(unix.IFLA_INFO_SLAVE_KIND) {
				k, ok := strings.CutSuffix(li.Kind, "_slave")
				if !ok || !li.layout.Has(unix.IFLA_INFO_KIND) {
					return false
				}
				name = k
			}
			li.SlaveData = decodeLinkData(d, kinds, name, true)
		default:
			return false
		}
		return true
	})
}

func decodeLinkData(d *Decoder, kinds Kinds, name string, slave bool) LinkData {
	var ld LinkData = &RawData{Name: name}
	if k := kinds.lookup(name, slave); k != nil {
		ld = k.New()
	}
	d.Nested(ld.Decode)
	return ld
}
