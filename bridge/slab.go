package bridge

import "time"

// slab holds the values that the pointer fields of a decoded Info or
// PortInfo point to, so that decoding allocates the struct once rather
// than once per setting. Each field is decoded at most once (repeats stay
// raw), so the arrays are large enough; take falls back to the heap if
// ever they were not.
type slab struct {
	bools [20]bool
	u8s   [4]uint8
	u16s  [4]uint16
	u32s  [8]uint32
	durs  [10]time.Duration

	nb, n8, n16, n32, nd uint8

	stp   STPState
	state PortState
	bo    BoolOpts
}

func take[T any](arr []T, n *uint8, v T) *T {
	if int(*n) < len(arr) {
		p := &arr[*n]
		*n++
		*p = v
		return p
	}
	p := new(T) // not &v, which would move every v to the heap
	*p = v
	return p
}

func (s *slab) bool(v bool) *bool                  { return take(s.bools[:], &s.nb, v) }
func (s *slab) u8(v uint8) *uint8                  { return take(s.u8s[:], &s.n8, v) }
func (s *slab) u16(v uint16) *uint16               { return take(s.u16s[:], &s.n16, v) }
func (s *slab) u32(v uint32) *uint32               { return take(s.u32s[:], &s.n32, v) }
func (s *slab) dur(v time.Duration) *time.Duration { return take(s.durs[:], &s.nd, v) }
