package fuzz

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/rtnl"
)

var dumpLimit = allocLimit{16, 4096}

// FuzzDump fuzzes a received datagram of several messages, a dump stream,
// through Conn.Dump, checking what it hands on and how it ends against a
// model of the protocol, and then every message through its family's
// decoder.
func FuzzDump(f *testing.F) {
	// A link dump's three answers in one datagram, and an address and a
	// route dump ending in an error.
	var links, mixed []byte
	for _, s := range Samples() {
		b, err := s.Bytes()
		if err != nil {
			f.Fatal(err)
		}
		h := header(b)
		switch {
		case h.Type == unix.RTM_NEWLINK && len(links) < 1500:
			links = append(links, reply(b)...)
		case h.Type == unix.RTM_NEWADDR || h.Type == unix.RTM_NEWROUTE || h.Type == unix.RTM_NEWNEIGH:
			mixed = append(mixed, reply(b)...)
		}
	}
	f.Add(append(links, doneMessage(0, 0, nil)...))
	f.Add(append(mixed, doneMessage(-int32(unix.EINVAL), unix.NLM_F_ACK_TLVS, tlvs(func(e *rtnl.Encoder) { e.String(1, "nope") }))...))
	f.Add(links)
	f.Fuzz(func(t *testing.T, in []byte) { checkDump(t, in) })
}

// reply turns a request into the message a kernel dump would carry: no
// NLM_F_REQUEST, NLM_F_MULTI, sequence number and port id 0 (which the
// replay socket fills in).
func reply(req []byte) []byte {
	b := append([]byte(nil), req...)
	b[6], b[7] = unix.NLM_F_MULTI, 0
	clear(b[8:16])
	return b
}

// dumpOutcome is how a dump ends.
type dumpOutcome int

const (
	dumpOK          dumpOutcome = iota
	dumpInterrupted             // ErrDumpInterrupted
	dumpKernelError             // an *rtnl.Error with the errno
	dumpBroken                  // any other error: framing, a bad DONE or ERROR, no end
)

func (o dumpOutcome) String() string {
	return [...]string{"success", "ErrDumpInterrupted", "a kernel error", "an error"}[o]
}

func checkDump(t *testing.T, in []byte) {
	t.Helper()
	c, s := replayConn(in)
	var got []rtnl.Message
	var err error
	checkAlloc(t, "FuzzDump", in, dumpLimit, func() {
		got = got[:0]
		err = c.Dump(rtnl.Request{Type: unix.RTM_GETLINK, Payload: &rtnl.LinkMessage{}}, func(m rtnl.Message) error {
			got = append(got, m)
			return nil
		})
		// A repeat (see checkAlloc) sends a new request and needs the
		// datagram again.
		s.answered = false
	})

	// The model, as the protocol has it: messages not ours are skipped;
	// the first NLMSG_DONE or NLMSG_ERROR of ours ends the dump, with an
	// error if it carries an errno or does not parse; NLM_F_DUMP_INTR on a
	// message of ours up to there turns a success into
	// ErrDumpInterrupted; a framing error in the datagram, unless an error
	// ended the dump before it, and a datagram without an end, are errors.
	msgs, ferr := rtnl.ParseMessages(s.datagram)
	var want []rtnl.Message
	outcome, errno := dumpBroken, unix.Errno(0)
	intr, ended, stopped := false, false, false
	for _, m := range msgs {
		if ended || !s.mine(m.Header) {
			continue
		}
		intr = intr || m.Header.Flags&unix.NLM_F_DUMP_INTR != 0
		var perr error
		switch m.Header.Type {
		case unix.NLMSG_DONE:
			var d *rtnl.Done
			if d, perr = rtnl.ParseDone(m); perr == nil {
				errno = d.Errno
			}
		case unix.NLMSG_ERROR:
			var a *rtnl.Ack
			if a, perr = rtnl.ParseAck(m); perr == nil {
				errno = a.Errno
			}
		default:
			want = append(want, m)
			continue
		}
		ended = true
		switch {
		case perr != nil:
			outcome, stopped = dumpBroken, true
		case errno != 0:
			outcome, stopped = dumpKernelError, true
		case intr:
			outcome = dumpInterrupted
		default:
			outcome = dumpOK
		}
		if stopped {
			break
		}
	}
	if !stopped && (ferr != nil || !ended) {
		outcome = dumpBroken
	}

	var ke *rtnl.Error
	var gotOutcome dumpOutcome
	switch {
	case err == nil:
		gotOutcome = dumpOK
	case errors.Is(err, rtnl.ErrDumpInterrupted):
		gotOutcome = dumpInterrupted
	case errors.As(err, &ke):
		gotOutcome = dumpKernelError
	default:
		gotOutcome = dumpBroken
	}
	if gotOutcome != outcome || (outcome == dumpKernelError && ke.Errno != errno) {
		t.Fatalf("FuzzDump: want %v (errno %d), Conn.Dump returned %v\nin %x", outcome, uintptr(errno), err, in)
	}
	{
		if len(got) != len(want) {
			t.Fatalf("FuzzDump: Conn.Dump handed on %d messages, want %d\nin %x", len(got), len(want), in)
		}
		for i := range want {
			if got[i].Header != want[i].Header || string(got[i].Data) != string(want[i].Data) {
				t.Fatalf("FuzzDump: message %d handed on is %+v %x, want %+v %x\nin %x", i, got[i].Header, got[i].Data, want[i].Header, want[i].Data, in)
			}
		}
	}

	// Every message decodes as its family, with the round-trip properties
	// (the allocation bound is FuzzLink's and the others' to check).
	for _, m := range msgs {
		if fam := familyOf(m.Header.Type); fam != nil {
			checkPayload(t, fam, m.Header, m.Data, validIn(frame(m.Header, m.Data)), false)
		}
	}
}
