package rtnl

import (
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"
)

// linkDump returns n link messages as the kernel dumps them, packed into
// datagrams of up to 32 KiB: one real veth message from the sandbox's
// kernel, repeated with fresh indexes.
func linkDump(b *testing.B, n int) [][]byte {
	b.Helper()
	c, err := Dial(nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	v, err := c.AddLink(&LinkMessage{Attrs: LinkAttrs{Name: "bench0", Info: &LinkInfo{Kind: "veth"}}}, true)
	if err != nil {
		b.Fatal(err)
	}
	defer c.DeleteLink(v.Index)
	var one []byte
	err = c.Dump(Request{Type: unix.RTM_GETLINK, Payload: &LinkMessage{Family: unix.AF_PACKET, Attrs: LinkAttrs{ExtMask: rtextFilterVF}}}, func(m Message) error {
		var l LinkMessage
		if l.UnmarshalBinary(m.Data) == nil && l.Attrs.Name == "bench0" {
			one, _ = m.MarshalBinary()
		}
		return nil
	})
	if err != nil || one == nil {
		b.Fatalf("dumping the veth: %v", err)
	}
	var dgrams [][]byte
	var cur []byte
	for i := range n {
		if len(cur)+len(one) > 32<<10 {
			dgrams = append(dgrams, cur)
			cur = nil
		}
		start := len(cur)
		cur = append(cur, one...)
		binary.NativeEndian.PutUint32(cur[start+HeaderLen+4:], uint32(i+1))
	}
	return append(dgrams, cur)
}

// BenchmarkDecodeLinkDump decodes a 2000-link dump into LinkMessages, as
// Links does. Reports allocations per link.
func BenchmarkDecodeLinkDump(b *testing.B) {
	nstestRequireB(b)
	const n = 2000
	dgrams := linkDump(b, n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		links := make([]*LinkMessage, 0, n)
		for _, d := range dgrams {
			EachMessage(d, func(m Message) error {
				l := new(LinkMessage)
				if err := l.UnmarshalBinary(m.Data); err != nil {
					b.Fatal(err)
				}
				links = append(links, l)
				return nil
			})
		}
		if len(links) != n {
			b.Fatalf("want %d links, got %d", n, len(links))
		}
	}
	b.StopTimer()
	allocs := testing.AllocsPerRun(3, func() {
		for _, d := range dgrams {
			EachMessage(d, func(m Message) error {
				var l LinkMessage
				l.UnmarshalBinary(m.Data)
				return nil
			})
		}
	})
	b.ReportMetric(allocs/n, "allocs/link")
}

// BenchmarkEncodeLinkRequest encodes `ip link set dev veth0 mtu 1400 up`
// as a whole request.
func BenchmarkEncodeLinkRequest(b *testing.B) {
	r := Request{Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_ACK, Payload: &LinkMessage{
		Index: 3, Flags: unix.IFF_UP, Change: unix.IFF_UP, Attrs: LinkAttrs{MTU: 1400},
	}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Encode(1); err != nil {
			b.Fatal(err)
		}
	}
}

func nstestRequireB(b *testing.B) {
	b.Helper()
	if _, err := Dial(nil); err != nil {
		b.Skipf("skipped: no netlink socket: %v", err)
	}
	requireSandbox(b)
}

// BenchmarkBatchFraming frames 1000 requests into batch datagrams as Batch
// does before sending: `ip link set dev X up` for 1000 links.
func BenchmarkBatchFraming(b *testing.B) {
	reqs := make([]Request, 1000)
	for i := range reqs {
		reqs[i] = Request{Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_ACK, Payload: &LinkMessage{Index: int32(i + 1), Flags: unix.IFF_UP, Change: unix.IFF_UP}}
	}
	var c Conn
	buf := make([]byte, 0, 64<<10)
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		for i, r := range reqs {
			var err error
			if buf, err = c.appendRequest(buf, r, uint32(i)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(buf))/float64(len(reqs)), "bytes/request")
}
