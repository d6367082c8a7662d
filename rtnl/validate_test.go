package rtnl

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// Every golden request of this package, the bytes iproute2 sends, and
// what the operations that send them put on the wire, pass the validator.
func TestValidateGoldens(t *testing.T) {
	check := func(t *testing.T, b []byte) {
		t.Helper()
		if err := Validate(b, nil); err != nil {
			t.Errorf("%v\n%x", err, b)
		}
	}
	for _, g := range linkGolden {
		t.Run(g.cmd, func(t *testing.T) {
			check(t, g.want)
			got, err := g.req.Encode(7)
			if err != nil {
				t.Fatal(err)
			}
			check(t, got)
		})
	}
	for _, table := range [][]requestGolden{addrGolden, routeGolden, neighGolden} {
		for _, g := range table {
			t.Run(g.cmd, func(t *testing.T) {
				check(t, g.want)
				if g.op == nil {
					return
				}
				c, f := fakeConn(ackAll)
				if err := g.op(c); err != nil {
					t.Fatalf("operation: %v", err)
				}
				for _, m := range f.sent {
					b, err := m.MarshalBinary()
					if err != nil {
						t.Fatal(err)
					}
					check(t, b)
				}
			})
		}
	}
	for i, b := range addrFlushGolden {
		if err := Validate(b, nil); err != nil {
			t.Errorf("addrFlushGolden[%d]: %v", i, err)
		}
	}
}

// testKind is a link kind for the validator tests: one u32 attribute and
// a flagged nest.
var testKind = Kind{Name: "tk", Attrs: &AttrSpace{Name: "tk", Attrs: map[uint16]AttrSpec{
	1: {Name: "TK_U32", Type: TypeU32},
	2: {Name: "TK_NEST", Type: TypeNested, Flagged: true, Nested: &AttrSpace{Name: "tk-nest", Attrs: map[uint16]AttrSpec{
		1: {Name: "TK_NEST_FLAG", Type: TypeFlag},
	}}},
}}}

var testPortKind = Kind{Name: "tk", Slave: true, Attrs: &AttrSpace{Name: "tk-port", Attrs: map[uint16]AttrSpec{
	1: {Name: "TK_PORT_U8", Type: TypeU8},
}}}

// buildLink encodes an RTM_NEWLINK request whose attributes fn writes.
func buildLink(t *testing.T, fn func(e *Encoder)) []byte {
	t.Helper()
	b, err := Request{Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_ACK, Payload: payloadFunc(func(e *Encoder) {
		e.Append(make([]byte, ifinfomsgLen))
		fn(e)
	})}.Encode(1)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type payloadFunc func(e *Encoder)

func (f payloadFunc) Encode(e *Encoder) { f(e) }

func TestValidateAccepts(t *testing.T) {
	kinds := Kinds{testKind, testPortKind}
	for _, tt := range []struct {
		name string
		msg  []byte
	}{
		{"kind data and a flagged nest", buildLink(t, func(e *Encoder) {
			e.String(unix.IFLA_IFNAME, "x0")
			e.Nest(unix.IFLA_LINKINFO, func(e *Encoder) {
				e.Bytes(unix.IFLA_INFO_KIND, []byte("tk")) // no NUL, as iproute2 sends it
				e.Nest(unix.IFLA_INFO_DATA, func(e *Encoder) {
					e.Uint32(1, 5)
					e.NestFlagged(2, func(e *Encoder) { e.Flag(1) })
				})
			})
		})},
		{"port data named by IFLA_INFO_KIND", buildLink(t, func(e *Encoder) {
			e.Nest(unix.IFLA_LINKINFO, func(e *Encoder) {
				e.String(unix.IFLA_INFO_KIND, "tk_slave")
				e.Nest(unix.IFLA_INFO_SLAVE_DATA, func(e *Encoder) { e.Uint8(1, 1) })
			})
		})},
		{"a 15-byte name", buildLink(t, func(e *Encoder) { e.String(unix.IFLA_IFNAME, "abcdefghijklmno") })},
		{"an empty alias", buildLink(t, func(e *Encoder) { e.Bytes(unix.IFLA_IFALIAS, nil) })},
		{"a done", []byte{
			0x14, 0, 0, 0, unix.NLMSG_DONE, 0, unix.NLM_F_MULTI, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0, 0,
		}},
		{"a capped ack", []byte{
			0x24, 0, 0, 0, unix.NLMSG_ERROR, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, // CAPPED
			0, 0, 0, 0,
			0x20, 0, 0, 0, unix.RTM_NEWLINK, 0, 5, 0, 1, 0, 0, 0, 0, 0, 0, 0,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := Validate(tt.msg, kinds); err != nil {
				t.Errorf("want valid, got %v\n%x", err, tt.msg)
			}
		})
	}
}

func TestValidateRejects(t *testing.T) {
	kinds := Kinds{testKind, testPortKind}
	mtu := buildLink(t, func(e *Encoder) { e.Uint32(unix.IFLA_MTU, 1400) })
	edit := func(b []byte, fn func(b []byte) []byte) []byte {
		return fn(append([]byte(nil), b...))
	}
	for _, tt := range []struct {
		name string
		msg  []byte
		want string // in the error
	}{
		{"too short for a header", mtu[:12], "cannot hold a nlmsghdr"},
		{"nlmsg_len past the end", edit(mtu, func(b []byte) []byte { b[0] += 4; return b }), "runs past"},
		{"nlmsg_len not aligned", edit(mtu, func(b []byte) []byte { b[0] -= 2; return b }), "not a multiple of 4"},
		{"bytes after the message", append(append([]byte(nil), mtu...), 0, 0, 0, 0), "after the message"},
		{"no NLM_F_REQUEST", edit(mtu, func(b []byte) []byte { b[6] &^= unix.NLM_F_REQUEST; return b }), "without NLM_F_REQUEST"},
		{"a reply flag on a request", edit(mtu, func(b []byte) []byte { b[6] |= unix.NLM_F_DUMP_INTR; return b }), "not defined for RTM_NEWLINK"},
		{"unknown message type", edit(mtu, func(b []byte) []byte { b[4] = 200; return b }), "has no schema"},
		{"ifinfomsg padding", edit(mtu, func(b []byte) []byte { b[17] = 1; return b }), "__ifi_pad"},
		{"short family header", edit(mtu[:24], func(b []byte) []byte { b[0] = 24; return b }), "16-byte family header"},
		{"wrong size", buildLink(t, func(e *Encoder) { e.Uint16(unix.IFLA_MTU, 1400) }), "IFLA_MTU: payload of 2 bytes, want 4"},
		{"nla_len past the end", edit(mtu, func(b []byte) []byte { b[32] = 12; return b }), "nla_len 12 with 8 bytes left"},
		{"nla_len below 4", edit(mtu, func(b []byte) []byte { b[32] = 3; return b }), "nla_len 3"},
		{"dirty padding", buildLink(t, func(e *Encoder) { e.Bytes(unix.IFLA_ADDRESS, []byte{2, 0, 0, 0, 0, 1}); e.b[len(e.b)-1] = 9 }), "attribute padding is not zero"},
		{"unknown type", buildLink(t, func(e *Encoder) { e.Uint32(999, 1) }), `type 999 is unknown in space "link"`},
		{"repeated", buildLink(t, func(e *Encoder) { e.Uint32(unix.IFLA_MTU, 1); e.Uint32(unix.IFLA_MTU, 2) }), "IFLA_MTU: attribute repeated"},
		{"net byte order", buildLink(t, func(e *Encoder) { e.Uint32(unix.IFLA_MTU|attrNetByteOrder, 1) }), "NLA_F_NET_BYTEORDER"},
		{"nested flag on a scalar", buildLink(t, func(e *Encoder) { e.Uint32(unix.IFLA_MTU|attrNested, 1) }), "not a nest"},
		{"embedded NUL", buildLink(t, func(e *Encoder) { e.Bytes(unix.IFLA_IFNAME, []byte("a\x00b\x00")) }), "NUL at byte 1"},
		{"name too long", buildLink(t, func(e *Encoder) { e.String(unix.IFLA_IFNAME, "abcdefghijklmnop") }), "at most 15"},
		{"empty MAC", buildLink(t, func(e *Encoder) { e.Bytes(unix.IFLA_ADDRESS, nil) }), "link-layer address of 0 bytes"},
		{"unknown kind", buildLink(t, func(e *Encoder) {
			e.Nest(unix.IFLA_LINKINFO, func(e *Encoder) {
				e.String(unix.IFLA_INFO_KIND, "nope")
				e.Nest(unix.IFLA_INFO_DATA, func(e *Encoder) {})
			})
		}), `link kind "nope" is not among the kinds given`},
		{"data before kind", buildLink(t, func(e *Encoder) {
			e.Nest(unix.IFLA_LINKINFO, func(e *Encoder) {
				e.Nest(unix.IFLA_INFO_DATA, func(e *Encoder) {})
				e.String(unix.IFLA_INFO_KIND, "tk")
			})
		}), "before IFLA_INFO_KIND"},
		{"flag missing on a nest that needs it", buildLink(t, func(e *Encoder) {
			e.Nest(unix.IFLA_LINKINFO, func(e *Encoder) {
				e.String(unix.IFLA_INFO_KIND, "tk")
				e.Nest(unix.IFLA_INFO_DATA, func(e *Encoder) { e.Nest(2, func(e *Encoder) {}) })
			})
		}), "IFLA_LINKINFO/IFLA_INFO_DATA/TK_NEST: NLA_F_NESTED is missing"},
		{"unknown type in kind data", buildLink(t, func(e *Encoder) {
			e.Nest(unix.IFLA_LINKINFO, func(e *Encoder) {
				e.String(unix.IFLA_INFO_KIND, "tk")
				e.Nest(unix.IFLA_INFO_DATA, func(e *Encoder) { e.Uint32(7, 1) })
			})
		}), `IFLA_LINKINFO/IFLA_INFO_DATA/type 7: attribute type 7 is unknown in space "tk"`},
		{"address of the wrong family", func() []byte {
			b, err := Request{Type: unix.RTM_NEWADDR, Payload: payloadFunc(func(e *Encoder) {
				e.Append([]byte{unix.AF_INET, 24, 0, 0, 1, 0, 0, 0})
				e.Bytes(unix.IFA_LOCAL, make([]byte, 16))
			})}.Encode(1)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}(), "address of 16 bytes in a message of family 2, want 4"},
		{"prefix too long", func() []byte {
			b, err := Request{Type: unix.RTM_NEWROUTE, Payload: payloadFunc(func(e *Encoder) {
				e.Append([]byte{unix.AF_INET, 33, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0})
			})}.Encode(1)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}(), "rtm_dst_len 33"},
		{"cacheinfo of the wrong size", func() []byte {
			b, err := Request{Type: unix.RTM_NEWNEIGH, Payload: payloadFunc(func(e *Encoder) {
				e.Append([]byte{unix.AF_INET, 0, 0, 0, 1, 0, 0, 0, 0x80, 0, 0, 0})
				e.Bytes(unix.NDA_CACHEINFO, make([]byte, 12))
			})}.Encode(1)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}(), "NDA_CACHEINFO: payload of 12 bytes, want 16"},
		{"ack with a positive error", []byte{
			0x24, 0, 0, 0, unix.NLMSG_ERROR, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
			5, 0, 0, 0,
			0x20, 0, 0, 0, unix.RTM_NEWLINK, 0, 5, 0, 1, 0, 0, 0, 0, 0, 0, 0,
		}, "error 5"},
		{"uncapped ack too short for its request", []byte{
			0x24, 0, 0, 0, unix.NLMSG_ERROR, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0, 0,
			0x20, 0, 0, 0, unix.RTM_NEWLINK, 0, 5, 0, 1, 0, 0, 0, 0, 0, 0, 0,
		}, "echoed request of nlmsg_len 32 does not fit"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.msg, kinds)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want a *ValidationError containing %q, got %v", tt.want, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("want an error containing %q, got %v", tt.want, err)
			}
		})
	}
}

// A problem's offset points at what is wrong, counted from the start of
// the datagram for ValidateDatagram.
func TestValidateOffsets(t *testing.T) {
	good := buildLink(t, func(e *Encoder) { e.Uint32(unix.IFLA_MTU, 1400) })
	bad := buildLink(t, func(e *Encoder) { e.Uint32(unix.IFLA_MTU, 1400); e.Uint16(unix.IFLA_GROUP, 1) })
	b := append(append([]byte(nil), good...), bad...)
	err := ValidateDatagram(b, nil)
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 1 {
		t.Fatalf("want one problem, got %v", err)
	}
	if want, got := len(good)+40, ve.Problems[0].Offset; want != got {
		t.Errorf("offset: want %d, got %d", want, got)
	}
	if want, got := "IFLA_GROUP", ve.Problems[0].Path; want != got {
		t.Errorf("path: want %q, got %q", want, got)
	}
	if err := ValidateDatagram(append(good, good...), nil); err != nil {
		t.Errorf("two good requests: %v", err)
	}
}

// The number of problems reported, and so what Validate allocates, is
// bounded whatever the input.
func TestValidateBounded(t *testing.T) {
	b := buildLink(t, func(e *Encoder) {
		for range 1000 {
			e.Uint32(999, 0)
		}
	})
	var ve *ValidationError
	if err := Validate(b, nil); !errors.As(err, &ve) || len(ve.Problems) != maxProblems {
		t.Fatalf("want %d problems, got %v", maxProblems, err)
	}
	if !strings.Contains(ve.Problems[maxProblems-1].Text, "more problems") {
		t.Errorf("the last problem does not say more were dropped: %q", ve.Problems[maxProblems-1].Text)
	}
}
