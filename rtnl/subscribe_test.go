package rtnl

import (
	"fmt"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestKernelSubscribeLinks(t *testing.T) {
	c := dial(t)
	sub, err := Subscribe(nil, unix.RTNLGRP_LINK)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	sub.SetDeadline(time.Now().Add(10 * time.Second))
	v := addVeth(t, c, "ksub0")
	if err := c.DeleteLink(v.Index); err != nil {
		t.Fatal(err)
	}
	var sawNew, sawDel bool
	for !sawNew || !sawDel {
		e, err := sub.Next()
		if err != nil {
			t.Fatalf("waiting for the events of ksub0 (new %v, del %v): %v", sawNew, sawDel, err)
		}
		var l LinkMessage
		if e.Overrun || l.UnmarshalBinary(e.Message.Data) != nil || l.Attrs.Name != "ksub0" {
			continue
		}
		switch e.Message.Header.Type {
		case unix.RTM_NEWLINK:
			sawNew = true
		case unix.RTM_DELLINK:
			sawDel = sawNew
		}
	}
}

// With a tiny receive buffer, a burst of events overflows it: the
// subscriber sees an overrun, not an error, and converges by reading the
// state again.
func TestKernelSubscribeOverrun(t *testing.T) {
	c := dial(t)
	sub, err := Subscribe(&Config{ReceiveBuffer: 1}, unix.RTNLGRP_LINK)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	sub.SetDeadline(time.Now().Add(10 * time.Second))
	reqs := make([]Request, 60)
	for i := range reqs {
		reqs[i] = Request{Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_CREATE | unix.NLM_F_EXCL, Payload: &LinkMessage{
			Attrs: LinkAttrs{Name: fmt.Sprintf("kov%d", i), Group: new(uint32(78)), Info: &LinkInfo{Kind: "veth"}},
		}}
	}
	if _, err := c.Batch(reqs, BatchOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.DeleteLinkGroup(78) })
	overrun := false
	for i := 0; i < 200 && !overrun; i++ {
		e, err := sub.Next()
		if err != nil {
			t.Fatalf("after %d events: want an overrun event, got error %v", i, err)
		}
		overrun = e.Overrun
	}
	if !overrun {
		t.Fatal("a 60-pair burst into a minimal receive buffer reported no overrun")
	}
	// Converge: the dump shows every link the burst made.
	links, err := c.Links()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range links {
		if l.Attrs.Group != nil && *l.Attrs.Group == 78 {
			n++
		}
	}
	if n != 120 {
		t.Fatalf("after re-reading: want 120 links in the group, got %d", n)
	}
}
