package bridge

import (
	"net"
	"testing"
	"time"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// benchInfo sets every bridge option a request can carry.
func benchInfo() *Info {
	grp, _ := net.ParseMAC("01:80:c2:00:00:0e")
	return &Info{
		STPState: new(STPOn), ForwardDelay: new(4 * time.Second), HelloTime: new(time.Second),
		MaxAge: new(10 * time.Second), AgeingTime: new(60 * time.Second), Priority: new(uint16(4096)),
		VLANFiltering: new(true), VLANProtocol: unix.ETH_P_8021Q, GroupFwdMask: new(uint16(0x4000)),
		GroupAddr: grp, FDBFlush: true, VLANDefaultPVID: new(uint16(1)), VLANStatsEnabled: new(true),
		VLANStatsPerPort: new(true), McastRouter: new(uint8(1)), McastSnooping: new(true),
		McastQueryUseIfaddr: new(true), McastQuerier: new(true), McastHashElasticity: new(uint32(16)),
		McastHashMax: new(uint32(4096)), McastLastMemberCount: new(uint32(2)), McastStartupQueryCount: new(uint32(2)),
		McastLastMemberIntvl: new(time.Second), McastMembershipIntvl: new(260 * time.Second),
		McastQuerierIntvl: new(255 * time.Second), McastQueryIntvl: new(125 * time.Second),
		McastQueryResponseIntvl: new(10 * time.Second), McastStartupQueryIntvl: new(31240 * time.Millisecond),
		McastStatsEnabled: new(true), McastIGMPVersion: new(uint8(3)), McastMLDVersion: new(uint8(2)),
		NFCallIPTables: new(true), NFCallIP6Tables: new(true), NFCallARPTables: new(true),
		FDBMaxLearned: new(uint32(1000)), BoolOpts: new(BoolOpts{}.Set(BoolNoLinkLocalLearn, true)),
	}
}

// BenchmarkEncodeBridge encodes the request that creates a bridge with
// every option.
func BenchmarkEncodeBridge(b *testing.B) {
	m := NewRequest("br0", benchInfo())
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		e := rtnl.NewEncoder(buf[:0])
		m.Encode(e)
		if _, err := e.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeBridge decodes the same request.
func BenchmarkDecodeBridge(b *testing.B) {
	req, err := rtnl.Request{Type: unix.RTM_NEWLINK, Payload: NewRequest("br0", benchInfo())}.Encode(1)
	if err != nil {
		b.Fatal(err)
	}
	payload := req[rtnl.HeaderLen:]
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		var l rtnl.LinkMessage
		if err := l.Decode(payload, Kinds); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeKernelBridge decodes what the kernel reports for a bridge
// (settings and state).
func BenchmarkDecodeKernelBridge(b *testing.B) {
	in := unhex(kernelBridgeData)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		var x Info
		if err := x.Decode(rtnl.NewDecoder(in)); err != nil {
			b.Fatal(err)
		}
	}
}
