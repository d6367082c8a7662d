package rtnl

import (
	"fmt"
	"net/netip"
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
		if e.Overrun {
			continue
		}
		v, err := e.Decode(nil)
		if err != nil {
			t.Fatalf("decoding event %s: %v", MessageTypeName(e.Message.Header.Type), err)
		}
		l, ok := v.(*LinkMessage)
		if !ok {
			t.Fatalf("an RTNLGRP_LINK event decoded to %T", v)
		}
		if l.Attrs.Name != "ksub0" {
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

// Address, route and nsid events arrive decoded as their own types.
func TestKernelSubscribeDecodes(t *testing.T) {
	c := dial(t)
	sub, err := Subscribe(nil, unix.RTNLGRP_IPV4_IFADDR, unix.RTNLGRP_IPV4_ROUTE, unix.RTNLGRP_NSID)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	sub.SetDeadline(time.Now().Add(10 * time.Second))
	v := addVeth(t, c, "ksubd0")
	if err := c.SetLinkUp(v.Index); err != nil {
		t.Fatal(err)
	}
	if err := c.AddAddr(v.Index, netip.MustParsePrefix("198.18.77.1/24"), nil); err != nil {
		t.Fatal(err)
	}
	_, ns := otherNetns(t)
	if err := c.SetNSIDOfFD(int(ns.Fd()), 42); err != nil {
		t.Fatal(err)
	}
	var sawAddr, sawRoute, sawNSID bool
	for !sawAddr || !sawRoute || !sawNSID {
		e, err := sub.Next()
		if err != nil {
			t.Fatalf("waiting for events (addr %v, route %v, nsid %v): %v", sawAddr, sawRoute, sawNSID, err)
		}
		d, err := e.Decode(nil)
		if err != nil {
			t.Fatal(err)
		}
		switch x := d.(type) {
		case *AddressMessage:
			sawAddr = sawAddr || x.Attrs.Local == netip.MustParseAddr("198.18.77.1")
		case *RouteMessage:
			sawRoute = sawRoute || x.Attrs.PrefSrc == netip.MustParseAddr("198.18.77.1")
		case *NSIDMessage:
			sawNSID = sawNSID || (x.Attrs.NSID != nil && *x.Attrs.NSID == 42)
		}
	}
}
