package wire

import (
	"encoding/binary"
	"encoding/json"
	"io"
	"testing"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// linkDump2000 builds the datagrams of a dump of 2000 links, as the
// kernel sends them: the RTM_NEWLINK messages of the captured link dump,
// copied with new indexes, packed into datagrams of up to 32 KiB, and an
// NLMSG_DONE.
func linkDump2000(tb testing.TB) []Datagram {
	var msgs [][]byte
	for _, d := range goldenInputs(tb)["link_dump"] {
		rtnl.EachMessage(d.Data, func(m rtnl.Message) error {
			if m.Header.Type == unix.RTM_NEWLINK {
				b, _ := m.MarshalBinary()
				msgs = append(msgs, b)
			}
			return nil
		})
	}
	if len(msgs) == 0 {
		tb.Fatal("no RTM_NEWLINK in testdata/link_dump.hex")
	}
	var out []Datagram
	var cur []byte
	for i := range 2000 {
		m := append([]byte(nil), msgs[i%len(msgs)]...)
		binary.NativeEndian.PutUint32(m[20:], uint32(i+1)) // ifi_index
		if len(cur)+len(m) > 32<<10 {
			out = append(out, Datagram{Dir: rtnl.Received, Data: cur})
			cur = nil
		}
		cur = append(cur, m...)
	}
	done := make([]byte, 20)
	binary.NativeEndian.PutUint32(done, 20)
	binary.NativeEndian.PutUint16(done[4:], unix.NLMSG_DONE)
	binary.NativeEndian.PutUint16(done[6:], unix.NLM_F_MULTI)
	cur = append(cur, done...)
	return append(out, Datagram{Dir: rtnl.Received, Data: cur})
}

// BenchmarkAnnotateLinkDump annotates a 2000-link dump and prints its
// text view: --trace of `ip link show` on a large host.
func BenchmarkAnnotateLinkDump(b *testing.B) {
	ds := linkDump2000(b)
	n := 0
	for _, d := range ds {
		n += len(d.Data)
	}
	a := NewAnnotator(testKinds)
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range ds {
			a.Annotate(d).WriteText(io.Discard)
		}
	}
}

// BenchmarkAnnotateLinkDumpOnly annotates without printing.
func BenchmarkAnnotateLinkDumpOnly(b *testing.B) {
	ds := linkDump2000(b)
	a := NewAnnotator(testKinds)
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range ds {
			a.Annotate(d)
		}
	}
}

// BenchmarkAnnotateLinkDumpJSON annotates and marshals: decode -j.
func BenchmarkAnnotateLinkDumpJSON(b *testing.B) {
	ds := linkDump2000(b)
	a := NewAnnotator(testKinds)
	b.ReportAllocs()
	for b.Loop() {
		enc := json.NewEncoder(io.Discard)
		for _, d := range ds {
			enc.Encode(a.Annotate(d))
		}
	}
}
