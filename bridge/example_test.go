package bridge_test

import (
	"fmt"
	"time"

	"github.com/linkbox/linkbox/bridge"
	"github.com/linkbox/linkbox/rtnl"
)

// brctl counts seconds, ip counts centiseconds: both map to a Duration.
func ExampleFromClockT() {
	brctl := 4 * time.Second         // brctl setfd br0 4
	ip := bridge.FromClockT(400)     // ip link set br0 type bridge forward_delay 400
	cs, _ := bridge.ClockT(brctl)    // what goes on the wire
	fmt.Println(brctl == ip, ip, cs) // both are 400 centiseconds
	// Output: true 4s 400
}

// The IFLA_INFO_DATA of `ip link add br0 type bridge stp_state 1
// forward_delay 400 priority 4096`.
func ExampleInfo_Encode() {
	info := &bridge.Info{
		STPState:     new(bridge.STPOn),
		ForwardDelay: new(4 * time.Second),
		Priority:     new(uint16(4096)),
	}
	e := rtnl.NewEncoder(nil)
	info.Encode(e)
	b, err := e.Encode()
	if err != nil {
		panic(err)
	}
	for i := 0; i < len(b); i += 8 {
		fmt.Printf("% x\n", b[i:i+8])
	}
	// Output:
	// 08 00 05 00 01 00 00 00
	// 08 00 01 00 90 01 00 00
	// 06 00 06 00 00 10 00 00
}

// brctl addbr br0; brctl stp br0 off; brctl addif br0 eth1; brctl showstp br0.
func ExampleGetSTP() {
	c, err := rtnl.Dial(&rtnl.Config{Kinds: bridge.Kinds})
	if err != nil {
		panic(err)
	}
	defer c.Close()
	br, err := bridge.Add(c, "br0", &bridge.Info{STPState: new(bridge.STPOff)})
	if err != nil {
		panic(err)
	}
	eth1, err := c.LinkIndex("eth1")
	if err != nil {
		panic(err)
	}
	if err := bridge.AddPort(c, br.Index, eth1); err != nil {
		panic(err)
	}
	s, err := bridge.GetSTP(c, br.Index)
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Name, "bridge id", s.BridgeID, "designated root", s.DesignatedRoot)
	for _, p := range s.Ports {
		fmt.Printf("%s (%d) port id %04x state %v\n", p.Name, p.No, p.ID, p.State)
	}
}
