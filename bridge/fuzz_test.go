package bridge

import (
	"bytes"
	"testing"

	"github.com/linkbox/linkbox/rtnl"
)

// canonicalPad returns in with its attribute padding as the encoder writes
// it (zeros, and present after the last attribute): the only freedom the
// wire leaves a lossless decoder of flat attributes.
func canonicalPad(in []byte) []byte {
	e := rtnl.NewEncoder(nil)
	d := rtnl.NewDecoder(in)
	for d.Next() {
		e.Attr(d.Attr())
	}
	b, _ := e.Encode()
	return b
}

// fuzzData checks one kind's data: decoding never panics, and whatever
// decodes re-encodes to the input bytes (padding aside).
func fuzzData(t *testing.T, in []byte, ld rtnl.LinkData) {
	if err := ld.Decode(rtnl.NewDecoder(in)); err != nil {
		return
	}
	if ld.Kind() != "bridge" {
		t.Fatalf("decoded kind %q, want bridge", ld.Kind())
	}
	out, err := encodeData(ld)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if want := canonicalPad(in); !bytes.Equal(want, out) {
		t.Fatalf("round trip differs:\nin  %x\nout %x", want, out)
	}
}

// FuzzInfo fuzzes the bridge's IFLA_INFO_DATA decoder (*Info).
func FuzzInfo(f *testing.F) {
	f.Add(unhex(kernelBridgeData))
	f.Add(goldenAdd[len(goldenAdd)-24:])
	f.Fuzz(func(t *testing.T, in []byte) { fuzzData(t, in, new(Info)) })
}

// FuzzPortInfo fuzzes the bridge port's IFLA_INFO_SLAVE_DATA decoder
// (*PortInfo).
func FuzzPortInfo(f *testing.F) {
	f.Add(unhex(kernelPortData))
	f.Add(goldenSetPort[len(goldenSetPort)-16:])
	f.Fuzz(func(t *testing.T, in []byte) { fuzzData(t, in, new(PortInfo)) })
}
