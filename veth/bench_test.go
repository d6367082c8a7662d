package veth

import (
	"testing"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

var benchPair = Pair{
	End:  End{Name: "veth0", MTU: 1400, Address: mac("02:00:00:00:00:01"), Up: true},
	Peer: End{Name: "veth1", MTU: 1400, Address: mac("02:00:00:00:00:02"), NetNSFD: 4},
}

// BenchmarkEncodePair builds and encodes the request that creates a pair
// with its peer in another namespace.
func BenchmarkEncodePair(b *testing.B) {
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		m, err := benchPair.Request()
		if err != nil {
			b.Fatal(err)
		}
		e := rtnl.NewEncoder(buf[:0])
		m.Encode(e)
		if _, err := e.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodePair decodes the same request, peer included.
func BenchmarkDecodePair(b *testing.B) {
	m, err := benchPair.Request()
	if err != nil {
		b.Fatal(err)
	}
	req, err := rtnl.Request{Type: unix.RTM_NEWLINK, Payload: m}.Encode(1)
	if err != nil {
		b.Fatal(err)
	}
	payload := req[rtnl.HeaderLen:]
	kinds := rtnl.Kinds{Kind}
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		var l rtnl.LinkMessage
		if err := l.Decode(payload, kinds); err != nil {
			b.Fatal(err)
		}
	}
}
