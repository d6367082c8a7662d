package rtnl

import (
	"errors"
	"fmt"
	"testing"

	"golang.org/x/sys/unix"
)

// batchFake answers link requests; a link whose index is in fail gets
// EEXIST, others a positive ack.
func batchFake(fail map[int32]bool) (*Conn, *fakeSocket) {
	return fakeConn(func(req Message) []datagram {
		var l LinkMessage
		l.UnmarshalBinary(req.Data)
		errno := unix.Errno(0)
		if fail[l.Index] {
			errno = unix.EEXIST
		}
		return []datagram{{b: reply(req, unix.NLMSG_ERROR, unix.NLM_F_CAPPED, ackPayload(errno, req))}}
	})
}

func linkReqs(n int) []Request {
	reqs := make([]Request, n)
	for i := range reqs {
		reqs[i] = Request{Type: unix.RTM_NEWLINK, Payload: &LinkMessage{Index: int32(i + 1), Flags: unix.IFF_UP, Change: unix.IFF_UP}}
	}
	return reqs
}

func TestBatchResultsInOrder(t *testing.T) {
	c, f := batchFake(map[int32]bool{5: true, 150: true})
	res, err := c.Batch(linkReqs(200), BatchOptions{Window: 64})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		failed := i+1 == 5 || i+1 == 150
		if failed != errors.Is(r.Err, unix.EEXIST) || (!failed && r.Err != nil) {
			t.Errorf("request %d: want failed=%v, got %v", i, failed, r.Err)
		}
	}
	if want := 4; f.sends != want { // 64 + 64 + 64 + 8
		t.Errorf("sendmsg calls: want %d, got %d", want, f.sends)
	}
	if f.requests != 200 {
		t.Errorf("requests sent: want 200, got %d", f.requests)
	}
}

func TestBatchStopOnError(t *testing.T) {
	c, f := batchFake(map[int32]bool{70: true})
	res, err := c.Batch(linkReqs(200), BatchOptions{Window: 64, StopOnError: true})
	if err != nil {
		t.Fatal(err)
	}
	// Request 70 is in the second window (65..128): the window was in
	// flight and ran whole; nothing after it was sent.
	if !errors.Is(res[69].Err, unix.EEXIST) {
		t.Errorf("request 70: want EEXIST, got %v", res[69].Err)
	}
	for i := 70; i < 128; i++ {
		if res[i].Err != nil {
			t.Fatalf("request %d was in flight and succeeded, got %v", i+1, res[i].Err)
		}
	}
	for i := 128; i < 200; i++ {
		if !errors.Is(res[i].Err, ErrNotSent) {
			t.Fatalf("request %d: want ErrNotSent, got %v", i+1, res[i].Err)
		}
	}
	if f.requests != 128 {
		t.Errorf("requests sent: want 128, got %d", f.requests)
	}
}

func TestBatchEncodeError(t *testing.T) {
	c, f := batchFake(nil)
	reqs := linkReqs(3)
	reqs[1].Payload = &LinkMessage{Attrs: LinkAttrs{Alias: new(string(make([]byte, 70000)))}}
	res, err := c.Batch(reqs, BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[1].Err == nil || res[2].Err != nil {
		t.Fatalf("want only request 2 to fail to encode, got %v %v %v", res[0].Err, res[1].Err, res[2].Err)
	}
	if f.requests != 2 {
		t.Errorf("requests sent: want 2, got %d", f.requests)
	}
}

func TestKernelBatch(t *testing.T) {
	c := dial(t)
	const n = 300
	reqs := make([]Request, n)
	for i := range reqs {
		reqs[i] = Request{Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_CREATE | unix.NLM_F_EXCL, Payload: &LinkMessage{
			Attrs: LinkAttrs{Name: fmt.Sprintf("kb%d", i), Group: new(uint32(77)), Info: &LinkInfo{Kind: "veth"}},
		}}
	}
	// A duplicate name in the middle fails on its own.
	reqs[150].Payload.(*LinkMessage).Attrs.Name = "kb10"
	res, err := c.Batch(reqs, BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.DeleteLinkGroup(77) })
	for i, r := range res {
		if i == 150 {
			if !errors.Is(r.Err, unix.EEXIST) {
				t.Errorf("duplicate name: want EEXIST, got %v", r.Err)
			}
			continue
		}
		if r.Err != nil {
			t.Fatalf("request %d: %v", i, r.Err)
		}
	}
	links, err := c.Links()
	if err != nil {
		t.Fatal(err)
	}
	inGroup := 0
	for _, l := range links {
		if l.Attrs.Group != nil && *l.Attrs.Group == 77 {
			inGroup++
		}
	}
	// Each veth created has a peer named by the kernel, which takes the
	// same attributes when the request gives the peer none: the group too.
	if inGroup != 2*(n-1) {
		t.Fatalf("links in group 77: want %d, got %d", 2*(n-1), inGroup)
	}
	if err := c.DeleteLinkGroup(77); err != nil {
		t.Fatalf("group delete: %v", err)
	}
	links, _ = c.Links()
	for _, l := range links {
		if l.Attrs.Group != nil && *l.Attrs.Group == 77 {
			t.Fatalf("link %s survived the group delete", l.Attrs.Name)
		}
	}
}
