package rtnl

import (
	"bytes"
	"testing"
)

func TestScratchDump(t *testing.T) {
	c := dial(t)
	links, err := c.Links()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		t.Logf("%d %s mtu %d unknown %d", l.Index, l.Attrs.Name, l.Attrs.MTU, len(l.Attrs.Unknown))
	}
	msgs, err := c.DumpAll(Request{Type: 18, Payload: &LinkMessage{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		var l LinkMessage
		if err := l.Decode(m.Data, nil); err != nil {
			t.Fatal(err)
		}
		b, err := l.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, m.Data) {
			t.Errorf("round trip differs:\n%x\n%x", m.Data, b)
		}
	}
	_, err = c.LinkByName("nosuch0")
	t.Logf("err: %v", err)
}
