package bridge

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// What kernel 6.18 reported for a bridge with STP on (IFLA_INFO_DATA) and
// for its first port, a veth (IFLA_INFO_SLAVE_DATA), in a link dump.
const (
	kernelBridgeData = "0c00100000000000000000000c00110000000000000000000c00120000000000000000000c001300000000000000000008000100dc05000008000200c800000008000300d0070000080004003075000008000500010000000600060000800000050007000000000006000900000000000c000b00800052cfde7ec7d80c000a00800052cfde7ec7d806000c000000000008000d000000000005000e000000000005000f00000000000a0014000180c200000000000c002e00000000001f00000008003000000000000800310000000000050016000100000005001700010000000500180000000000050019000000000005002a000000000008001a001000000008001b000010000008001c000200000008001d000200000005002b000200000005002c00010000000c001e0064000000000000000c001f0090650000000000000c0020009c630000000000000c002100d4300000000000000c002200e8030000000000000c002300340c000000000000050024000000000005002500000000000500260000000000"
	kernelPortData   = "050001000000000006000200200000000800030002000000050004000000000005000500000000000500060000000000050007000000000005001c00000000000500080001000000050009000100000005001b000100000005001e000100000005000a000000000005000c00000000000c000d00800052cfde7ec7d80c000e00800052cfde7ec7d806000f00018000000600100000000000060011000180000006001200010000000500130000000000050014000000000005001d000000000006001f000000000005002000000000000500230000000000050024000000000005002100000000000500270000000000050028000000000005002b00000000000c00150000000000000000000c00160000000000000000000c0017000000000000000000050019000100000008002500000200000800260000000000080029000000000008002a0000000000"
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func encodeData(ld rtnl.LinkData) ([]byte, error) {
	e := rtnl.NewEncoder(nil)
	ld.Encode(e)
	return e.Encode()
}

func TestKernelBridgeRoundTrip(t *testing.T) {
	in := unhex(kernelBridgeData)
	var x Info
	if err := x.Decode(rtnl.NewDecoder(in)); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if len(x.Unknown) != 0 {
		t.Errorf("want every attribute in a field, got %d unknown: %v", len(x.Unknown), x.Unknown)
	}
	for _, c := range []struct {
		name      string
		want, got any
	}{
		{"forward delay", 15 * time.Second, *x.ForwardDelay},
		{"hello time", 2 * time.Second, *x.HelloTime},
		{"max age", 20 * time.Second, *x.MaxAge},
		{"ageing time", 300 * time.Second, *x.AgeingTime},
		{"stp state", STPKernel, *x.STPState},
		{"priority", uint16(0x8000), *x.Priority},
		{"bridge id", "8000.52cfde7ec7d8", x.BridgeID.String()},
		{"root id", "8000.52cfde7ec7d8", x.RootID.String()},
		{"group addr", "01:80:c2:00:00:00", x.GroupAddr.String()},
		{"bool opts", BoolOpts{Value: 0, Mask: 0x1f}, *x.BoolOpts},
		{"mcast snooping", true, *x.McastSnooping},
		{"mcast hash max", uint32(4096), *x.McastHashMax},
		{"mcast membership interval", 260 * time.Second, *x.McastMembershipIntvl},
		{"mcast startup query interval", 31240 * time.Millisecond, *x.McastStartupQueryIntvl},
		{"mcast igmp version", uint8(2), *x.McastIGMPVersion},
		{"nf_call_iptables", false, *x.NFCallIPTables},
		{"vlan support", false, x.HasVLANFiltering()},
	} {
		if c.want != c.got {
			t.Errorf("%s: want %v, got %v", c.name, c.want, c.got)
		}
	}
	out, err := encodeData(&x)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if !bytes.Equal(in, out) {
		t.Errorf("round trip differs:\nwant %x\ngot  %x", in, out)
	}
}

func TestKernelPortRoundTrip(t *testing.T) {
	in := unhex(kernelPortData)
	var p PortInfo
	if err := p.Decode(rtnl.NewDecoder(in)); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if len(p.Unknown) != 0 {
		t.Errorf("want every attribute in a field, got %d unknown: %v", len(p.Unknown), p.Unknown)
	}
	for _, c := range []struct {
		name      string
		want, got any
	}{
		{"state", PortDisabled, *p.State},
		{"priority", uint16(32), *p.Priority},
		{"cost", uint32(2), *p.Cost},
		{"hairpin", false, *p.Hairpin},
		{"learning", true, *p.Learning},
		{"unicast flood", true, *p.UnicastFlood},
		{"port id", uint16(0x8001), p.ID},
		{"port no", uint16(1), p.No},
		{"designated root", "8000.52cfde7ec7d8", p.DesignatedRoot.String()},
		{"designated port", uint16(0x8001), p.DesignatedPort},
		{"mcast router", uint8(1), *p.McastRouter},
		{"eht hosts limit", uint32(512), *p.McastEHTHostsLimit},
	} {
		if c.want != c.got {
			t.Errorf("%s: want %v, got %v", c.name, c.want, c.got)
		}
	}
	out, err := encodeData(&p)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if !bytes.Equal(in, out) {
		t.Errorf("round trip differs:\nwant %x\ngot  %x", in, out)
	}
}

func attr(typ uint16, payload ...byte) []byte {
	e := rtnl.NewEncoder(nil)
	e.Bytes(typ, payload)
	b, _ := e.Encode()
	return b
}

// TestWrongSize: a fixed-size attribute of the wrong size is an error,
// never a zero or a truncated value.
func TestWrongSize(t *testing.T) {
	for _, c := range []struct {
		name string
		data rtnl.LinkData
		in   []byte
	}{
		{"IFLA_BR_FORWARD_DELAY 2 bytes", new(Info), attr(unix.IFLA_BR_FORWARD_DELAY, 1, 2)},
		{"IFLA_BR_PRIORITY 4 bytes", new(Info), attr(unix.IFLA_BR_PRIORITY, 1, 2, 3, 4)},
		{"IFLA_BR_STP_STATE 1 byte", new(Info), attr(unix.IFLA_BR_STP_STATE, 1)},
		{"IFLA_BR_MCAST_QUERY_INTVL 4 bytes", new(Info), attr(unix.IFLA_BR_MCAST_QUERY_INTVL, 1, 2, 3, 4)},
		{"IFLA_BR_VLAN_FILTERING 0 bytes", new(Info), attr(unix.IFLA_BR_VLAN_FILTERING)},
		{"IFLA_BR_BRIDGE_ID 6 bytes", new(Info), attr(unix.IFLA_BR_BRIDGE_ID, 1, 2, 3, 4, 5, 6)},
		{"IFLA_BR_GROUP_ADDR 5 bytes", new(Info), attr(unix.IFLA_BR_GROUP_ADDR, 1, 2, 3, 4, 5)},
		{"IFLA_BR_MULTI_BOOLOPT 4 bytes", new(Info), attr(unix.IFLA_BR_MULTI_BOOLOPT, 1, 2, 3, 4)},
		{"IFLA_BR_HELLO_TIMER 4 bytes", new(Info), attr(unix.IFLA_BR_HELLO_TIMER, 1, 2, 3, 4)},
		{"IFLA_BR_FDB_FLUSH with payload", new(Info), attr(unix.IFLA_BR_FDB_FLUSH, 1)},
		{"IFLA_BRPORT_COST 2 bytes", new(PortInfo), attr(unix.IFLA_BRPORT_COST, 1, 2)},
		{"IFLA_BRPORT_STATE 4 bytes", new(PortInfo), attr(unix.IFLA_BRPORT_STATE, 1, 2, 3, 4)},
		{"IFLA_BRPORT_PRIORITY 1 byte", new(PortInfo), attr(unix.IFLA_BRPORT_PRIORITY, 1)},
		{"IFLA_BRPORT_MODE 2 bytes", new(PortInfo), attr(unix.IFLA_BRPORT_MODE, 1, 0)},
		{"IFLA_BRPORT_ROOT_ID 9 bytes", new(PortInfo), attr(unix.IFLA_BRPORT_ROOT_ID, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
		{"IFLA_BRPORT_HOLD_TIMER 2 bytes", new(PortInfo), attr(unix.IFLA_BRPORT_HOLD_TIMER, 1, 2)},
	} {
		err := c.data.Decode(rtnl.NewDecoder(c.in))
		var se *rtnl.AttrSizeError
		if !errors.As(err, &se) {
			t.Errorf("%s: want an *rtnl.AttrSizeError, got %v", c.name, err)
		}
	}
}

// TestLossless: values a typed field cannot hold exactly stay raw and are
// written back unchanged.
func TestLossless(t *testing.T) {
	in := append(attr(unix.IFLA_BR_MCAST_SNOOPING, 7), // a boolean that is neither 0 nor 1
		attr(unix.IFLA_BR_MCAST_QUERY_INTVL, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)...) // too long for a Duration
	in = append(in, attr(200, 1, 2, 3)...) // an attribute from the future
	in = append(in, attr(unix.IFLA_BR_STP_STATE, 1, 0, 0, 0)...)
	in = append(in, attr(unix.IFLA_BR_STP_STATE, 0, 0, 0, 0)...) // a repeat
	var x Info
	if err := x.Decode(rtnl.NewDecoder(in)); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if x.McastSnooping != nil || x.McastQueryIntvl != nil {
		t.Errorf("want odd values kept raw, got snooping %v, query interval %v", x.McastSnooping, x.McastQueryIntvl)
	}
	if x.STPState == nil || *x.STPState != STPOn {
		t.Errorf("want the first stp_state, got %v", x.STPState)
	}
	if want, got := 4, len(x.Unknown); want != got {
		t.Errorf("unknown attributes: want %d, got %d", want, got)
	}
	out, err := encodeData(&x)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if !bytes.Equal(in, out) {
		t.Errorf("round trip differs:\nwant %x\ngot  %x", in, out)
	}
}

func TestClockT(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want uint64
	}{
		{0, 0}, {10 * time.Millisecond, 1}, {4 * time.Second, 400}, {1500 * time.Millisecond, 150}, {300 * time.Second, 30000},
	} {
		got, err := ClockT(c.d)
		if err != nil || got != c.want {
			t.Errorf("ClockT(%v): want %d, got %d, %v", c.d, c.want, got, err)
		}
		if back := FromClockT(got); back != c.d {
			t.Errorf("FromClockT(%d): want %v, got %v", got, c.d, back)
		}
	}
	for _, d := range []time.Duration{-time.Second, time.Millisecond, 1005 * time.Millisecond} {
		if _, err := ClockT(d); err == nil {
			t.Errorf("ClockT(%v): want an error, got none", d)
		}
	}
	if want, got := time.Duration(1<<63-1), FromClockT(^uint64(0)); want != got {
		t.Errorf("FromClockT(max): want saturation at %v, got %v", want, got)
	}
}

// TestEncodeErrors: settings the kernel cannot hold are refused at encode
// time, naming the setting.
func TestEncodeErrors(t *testing.T) {
	for _, c := range []struct {
		info *Info
		want string
	}{
		{&Info{ForwardDelay: new(1234 * time.Microsecond)}, "forward_delay"},
		{&Info{AgeingTime: new(-time.Second)}, "ageing_time"},
		{&Info{HelloTime: new(time.Duration(1) << 62)}, "hello_time"},
		{&Info{McastQueryIntvl: new(time.Millisecond)}, "mcast_query_interval"},
		{&Info{GroupAddr: []byte{1, 2, 3}}, "group address"},
	} {
		_, err := encodeData(c.info)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want an error naming %s, got %v", c.want, err)
		}
	}
}

func TestBoolOpts(t *testing.T) {
	b := BoolOpts{}.Set(BoolNoLinkLocalLearn, true).Set(BoolMcastVLANSnooping, false)
	if want := (BoolOpts{Value: BoolNoLinkLocalLearn, Mask: BoolNoLinkLocalLearn | BoolMcastVLANSnooping}); b != want {
		t.Errorf("want %+v, got %+v", want, b)
	}
	if !b.Has(BoolNoLinkLocalLearn) || b.Has(BoolMcastVLANSnooping) || b.Has(BoolMSTEnable) {
		t.Errorf("Has: wrong answers for %+v", b)
	}
}

func TestStrings(t *testing.T) {
	id := BridgeID{Priority: 0x8000, Addr: [6]byte{2, 0, 0, 0, 0, 1}}
	if want, got := "8000.020000000001", id.String(); want != got {
		t.Errorf("BridgeID: want %q, got %q", want, got)
	}
	if want, got := "forwarding", PortForwarding.String(); want != got {
		t.Errorf("PortState: want %q, got %q", want, got)
	}
	if want, got := "disabled", STPOff.String(); want != got {
		t.Errorf("STPState: want %q, got %q", want, got)
	}
}
