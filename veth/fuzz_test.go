package veth

import (
	"bytes"
	"testing"

	"github.com/linkbox/linkbox/rtnl"
)

// FuzzInfo decodes arbitrary veth IFLA_INFO_DATA as *Info. Decoding never
// panics; whatever decodes re-encodes, and the re-encoded bytes decode and
// encode again to themselves (the encoding is canonical: padding, and the
// ifinfomsg's pad byte, are written as zeros). The kernel's own bytes are
// already canonical, so for them the round trip is exact
// (TestGoldenDecode, and rtnl's kernel dump tests).
func FuzzInfo(f *testing.F) {
	for _, g := range goldenPairs {
		var m rtnl.LinkMessage
		if err := m.Decode(g.golden[rtnl.HeaderLen:], rtnl.Kinds{Kind}); err != nil {
			f.Fatal(err)
		}
		f.Add(encode(f, m.Attrs.Info.Data))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var x Info
		if err := x.Decode(rtnl.NewDecoder(in)); err != nil {
			return
		}
		if x.Kind() != "veth" {
			t.Fatalf("decoded kind %q, want veth", x.Kind())
		}
		out := encode(t, &x)
		var y Info
		if err := y.Decode(rtnl.NewDecoder(out)); err != nil {
			t.Fatalf("re-encoded bytes do not decode: %v\n%x", err, out)
		}
		if again := encode(t, &y); !bytes.Equal(out, again) {
			t.Fatalf("encoding is not stable:\nfirst  %x\nsecond %x", out, again)
		}
	})
}

func encode(t testing.TB, ld rtnl.LinkData) []byte {
	e := rtnl.NewEncoder(nil)
	ld.Encode(e)
	b, err := e.Encode()
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return b
}
