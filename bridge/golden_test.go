package bridge

import (
	"bytes"
	"testing"
	"time"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// Requests captured from iproute2 6.1 (/tmp/cap/cap.sh inside the sandbox),
// sequence number normalised to 1 and port id to 0.

// ip link add br0 type bridge stp_state 1 forward_delay 400 priority 4096
var goldenAdd = []byte{
	0x54, 0x00, 0x00, 0x00, 0x10, 0x00, 0x05, 0x06, // nlmsghdr: len 84, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq 1, pid 0
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // ifinfomsg: family, type, index
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // flags, change
	0x08, 0x00, 0x03, 0x00, 'b', 'r', '0', 0x00, // IFLA_IFNAME "br0"
	0x2c, 0x00, 0x12, 0x00, // IFLA_LINKINFO
	0x0a, 0x00, 0x01, 0x00, 'b', 'r', 'i', 'd', 'g', 'e', 0x00, 0x00, // IFLA_INFO_KIND "bridge" (no NUL), padding
	0x1c, 0x00, 0x02, 0x00, // IFLA_INFO_DATA
	0x08, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, // IFLA_BR_STP_STATE 1
	0x08, 0x00, 0x01, 0x00, 0x90, 0x01, 0x00, 0x00, // IFLA_BR_FORWARD_DELAY 400 (centiseconds)
	0x06, 0x00, 0x06, 0x00, 0x00, 0x10, 0x00, 0x00, // IFLA_BR_PRIORITY 4096, padding
}

// ip link set veth0 type bridge_slave cost 10 hairpin on (veth0 is index 6)
var goldenSetPort = []byte{
	0x48, 0x00, 0x00, 0x00, 0x10, 0x00, 0x05, 0x00, // nlmsghdr: len 72, RTM_NEWLINK, REQUEST|ACK
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // seq 1, pid 0
	0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, // ifinfomsg: index 6
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x28, 0x00, 0x12, 0x00, // IFLA_LINKINFO
	0x10, 0x00, 0x01, 0x00, 'b', 'r', 'i', 'd', 'g', 'e', '_', 's', 'l', 'a', 'v', 'e', // IFLA_INFO_KIND "bridge_slave" (no NUL)
	0x14, 0x00, 0x05, 0x00, // IFLA_INFO_SLAVE_DATA
	0x08, 0x00, 0x03, 0x00, 0x0a, 0x00, 0x00, 0x00, // IFLA_BRPORT_COST 10
	0x05, 0x00, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00, // IFLA_BRPORT_MODE 1 (hairpin), padding
}

func TestGoldenAdd(t *testing.T) {
	// ip's forward_delay counts centiseconds: 400 is 4 seconds.
	m := NewRequest("br0", &Info{STPState: new(STPOn), ForwardDelay: new(FromClockT(400)), Priority: new(uint16(4096))})
	if want, got := 4*time.Second, *m.Attrs.Info.Data.(*Info).ForwardDelay; want != got {
		t.Fatalf("FromClockT(400): want %v, got %v", want, got)
	}
	got, err := rtnl.Request{Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_ACK | unix.NLM_F_CREATE | unix.NLM_F_EXCL, Payload: m}.Encode(1)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	checkGolden(t, goldenAdd, got)
}

func TestGoldenSetPort(t *testing.T) {
	m := SetPortRequest(6, &PortInfo{Cost: new(uint32(10)), Hairpin: new(true)})
	got, err := rtnl.Request{Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_ACK, Payload: m}.Encode(1)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	checkGolden(t, goldenSetPort, got)
}

// TestGoldenDecode decodes iproute2's requests back into the settings.
func TestGoldenDecode(t *testing.T) {
	var m rtnl.LinkMessage
	if err := m.Decode(goldenAdd[rtnl.HeaderLen:], Kinds); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	x, err := InfoOf(&m)
	if err != nil {
		t.Fatal(err)
	}
	if x.STPState == nil || *x.STPState != STPOn || x.ForwardDelay == nil || *x.ForwardDelay != 4*time.Second ||
		x.Priority == nil || *x.Priority != 4096 {
		t.Errorf("want stp on, forward delay 4s, priority 4096; got %v %v %v", x.STPState, x.ForwardDelay, x.Priority)
	}
	// The port data of `type bridge_slave` comes without
	// IFLA_INFO_SLAVE_KIND: the kind "bridge_slave" names it.
	if err := m.Decode(goldenSetPort[rtnl.HeaderLen:], Kinds); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if m.Attrs.Info == nil || m.Attrs.Info.Kind != "bridge_slave" {
		t.Fatalf("want IFLA_INFO_KIND bridge_slave, got %+v", m.Attrs.Info)
	}
	pi, ok := m.Attrs.Info.SlaveData.(*PortInfo)
	if !ok {
		t.Fatalf("want IFLA_INFO_SLAVE_DATA decoded as *PortInfo, got %T", m.Attrs.Info.SlaveData)
	}
	if pi.Cost == nil || *pi.Cost != 10 || pi.Hairpin == nil || !*pi.Hairpin {
		t.Errorf("want cost 10, hairpin on; got %v %v", pi.Cost, pi.Hairpin)
	}
	// And it encodes back to iproute2's bytes.
	again, err := m.MarshalBinary()
	if err != nil || !bytes.Equal(again, goldenSetPort[rtnl.HeaderLen:]) {
		t.Errorf("re-encoding differs from iproute2's:\nwant %x\ngot  %x (%v)", goldenSetPort[rtnl.HeaderLen:], again, err)
	}
}
