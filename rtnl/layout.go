package rtnl

import "encoding/binary"

// A Layout remembers the order in which a decoder met a message's
// attributes, so that encoding the decoded value writes them back in the
// same order and the bytes come out the same. Known attributes are recorded
// by type; attributes kept raw (unknown types, repeats of a known type) are
// recorded as a raw slot and taken in turn from the message's Unknown list.
//
// Every message and link kind with attributes follows one pattern, with a
// Layout field beside its typed fields and its Unknown list:
//
//	decode: return x.layout.Decode(d, &x.Unknown, func(d *Decoder) bool { switch d.Type() { ... } })
//	encode: x.layout.Encode(e, x.Unknown, canonicalOrder, x.encodeField)
//
// A field counts as present when it was decoded or when it is set (non-zero,
// or non-nil for pointers); encodeField writes it in either case. The zero
// Layout is ready to use and encodes fields in canonical order.
type Layout struct {
	order []uint16
	seen  [4]uint64 // bitmap of known types met, for types below 256
}

// rawSlot marks, in a layout, the place of an attribute kept raw.
const rawSlot = 0xffff

// first reports whether t is met for the first time, and records it.
// Types of 256 and above are never typed fields; they report false.
func (l *Layout) first(t uint16) bool {
	if t >= 256 {
		return false
	}
	w, bit := t/64, uint64(1)<<(t%64)
	if l.seen[w]&bit != 0 {
		return false
	}
	l.seen[w] |= bit
	return true
}

// Preset records types as if they had been decoded in this order, so that
// Encode writes them first, in it. Builders use it to reproduce the
// attribute order of a command line. A field that is unset when encoding
// is still skipped, unless its encoder writes zero values of present
// fields: only use Preset for fields that are set.
func (l *Layout) Preset(types ...uint16) {
	for _, t := range types {
		if l.first(t) {
			l.known(t)
		}
	}
}

// known appends a known attribute type to the order.
func (l *Layout) known(t uint16) { l.order = append(l.order, t) }

// raw appends a raw attribute's slot to the order.
func (l *Layout) raw() { l.order = append(l.order, rawSlot) }

// has reports whether t was decoded.
func (l *Layout) Has(t uint16) bool {
	return t < 256 && l.seen[t/64]&(uint64(1)<<(t%64)) != 0
}

// encode writes the attributes in decoded order, then the known types set
// since (in canonical order), then raw attributes added since.
func (l *Layout) Encode(e *Encoder, unknown []Attr, canonical []uint16, put func(e *Encoder, t uint16, present bool)) {
	u := 0
	for _, t := range l.order {
		if t == rawSlot {
			if u < len(unknown) {
				e.Attr(unknown[u])
				u++
			}
			continue
		}
		put(e, t, true)
	}
	for _, t := range canonical {
		if !l.Has(t) {
			put(e, t, false)
		}
	}
	for ; u < len(unknown); u++ {
		e.Attr(unknown[u])
	}
}

// decodeAttrs runs field over each attribute; field reports whether it took
// the attribute into a typed field. Attributes it does not take, and
// repeats of a type already taken, are kept raw in *unknown.
func (l *Layout) Decode(d *Decoder, unknown *[]Attr, field func(d *Decoder) bool) error {
	// Size the order and the raw list once, from a count of the
	// attributes, instead of growing them one append at a time.
	// Room left by an earlier decode into the same value is reused.
	if n := countAttrs(d.b[d.off:]); n > 0 {
		if cap(l.order) < n {
			l.order = make([]uint16, 0, n)
		}
		if len(*unknown) == 0 && cap(*unknown) < n {
			*unknown = make([]Attr, 0, n)
		}
	}
	for d.Next() {
		t := d.Type()
		if d.RawType()&attrNetByteOrder == 0 && l.first(t) {
			if field(d) {
				l.known(t)
				continue
			}
			// Not a typed field after all: forget it was seen.
			l.seen[t/64] &^= uint64(1) << (t % 64)
		}
		*unknown = append(*unknown, d.Attr())
		l.raw()
	}
	return d.Err()
}

// countAttrs counts the attributes framed in b, stopping at the first bad
// length. It only sizes allocations, so it is never more than len(b)/4.
func countAttrs(b []byte) int {
	n := 0
	for off := 0; off+attrHeaderLen <= len(b); n++ {
		l := int(binary.NativeEndian.Uint16(b[off:]))
		if l < attrHeaderLen {
			break
		}
		off += align4(l)
	}
	return n
}
