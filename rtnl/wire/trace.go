package wire

import (
	"encoding/binary"
	"errors"
	"io"
	"sync"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// Tracer returns an rtnl.TraceFunc that writes the text view of every
// datagram to w, a blank line after each: --trace. Requests it sees sent
// are remembered, so that the acks that answer them name the attribute an
// extended ack points at.
func (a *Annotator) Tracer(w io.Writer) rtnl.TraceFunc {
	var mu sync.Mutex
	return func(dir rtnl.Direction, b []byte) {
		d := a.Annotate(Datagram{Dir: dir, Data: b})
		mu.Lock()
		defer mu.Unlock()
		d.WriteText(w)
		io.WriteString(w, "\n")
	}
}

// Tee returns an rtnl.TraceFunc that calls each non-nil fn in turn, so a
// Conn can be traced to stderr and to a pcap file at once.
func Tee(fns ...rtnl.TraceFunc) rtnl.TraceFunc {
	var live []rtnl.TraceFunc
	for _, fn := range fns {
		if fn != nil {
			live = append(live, fn)
		}
	}
	return func(dir rtnl.Direction, b []byte) {
		for _, fn := range live {
			fn(dir, b)
		}
	}
}

// A DryRun is an rtnl.Socket that changes nothing: --dry-run. A Conn made
// on it with rtnl.NewConn encodes and "sends" every request as usual (so a
// TraceFunc sees the exact bytes), but the requests are held back and
// answered as the kernel answers a request that succeeded: a positive ack
// (NLM_F_CAPPED) for each message that asks for one, and an empty dump
// (NLMSG_DONE) for each dump. A request with NLM_F_ECHO gets no echo.
//
// GET requests change nothing and need no privilege; when Forward is set
// they go to the kernel through it, so that a command can look names up
// before it builds its changes, and the replies are rewritten to carry
// Pid. The sequence numbers are the Conn's, so the held requests have
// the bytes the same command sends for real.
type DryRun struct {
	// Pid is the port id the Conn was made with.
	Pid uint32
	// Forward, if set, carries GET requests to the kernel.
	Forward rtnl.Socket
	// Held, if set, is called with each datagram held back. b is only
	// valid during the call.
	Held func(b []byte)

	mu      sync.Mutex
	pending [][]byte
}

// errNothingPending reports a receive with nothing to answer.
var errNothingPending = errors.New("wire: dry run: no answer is pending")

// Send holds b back and queues the answers, or forwards a GET request.
func (d *DryRun) Send(b []byte) error {
	if d.Forward != nil && isGet(b) {
		return d.Forward.Send(b)
	}
	if d.Held != nil {
		d.Held(b)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for off := 0; off+rtnl.HeaderLen <= len(b); {
		n := int(binary.NativeEndian.Uint32(b[off:]))
		if n < rtnl.HeaderLen || n > len(b)-off {
			break
		}
		flags := binary.NativeEndian.Uint16(b[off+6:])
		seq := binary.NativeEndian.Uint32(b[off+8:])
		switch {
		case flags&unix.NLM_F_DUMP == unix.NLM_F_DUMP && binary.NativeEndian.Uint16(b[off+4:])%4 == 2:
			d.pending = append(d.pending, d.done(seq))
		case flags&unix.NLM_F_ACK != 0:
			d.pending = append(d.pending, d.ack(b[off:off+rtnl.HeaderLen], seq))
		}
		off += align4(n)
	}
	return nil
}

// Receive returns the next queued answer, or a forwarded reply.
func (d *DryRun) Receive() ([]byte, rtnl.Addr, error) {
	d.mu.Lock()
	if len(d.pending) > 0 {
		b := d.pending[0]
		d.pending = d.pending[1:]
		d.mu.Unlock()
		return b, rtnl.Addr{}, nil
	}
	d.mu.Unlock()
	if d.Forward == nil {
		return nil, rtnl.Addr{}, errNothingPending
	}
	b, from, err := d.Forward.Receive()
	if err != nil {
		return nil, from, err
	}
	for off := 0; off+rtnl.HeaderLen <= len(b); {
		n := int(binary.NativeEndian.Uint32(b[off:]))
		binary.NativeEndian.PutUint32(b[off+12:], d.Pid)
		if n < rtnl.HeaderLen {
			break
		}
		off += align4(n)
	}
	return b, from, nil
}

// Close closes Forward, if set.
func (d *DryRun) Close() error {
	if d.Forward != nil {
		return d.Forward.Close()
	}
	return nil
}

// isGet reports whether the datagram holds only RTM_GET* requests.
func isGet(b []byte) bool {
	if len(b) < rtnl.HeaderLen {
		return false
	}
	for off := 0; off+rtnl.HeaderLen <= len(b); {
		n := int(binary.NativeEndian.Uint32(b[off:]))
		t := binary.NativeEndian.Uint16(b[off+4:])
		if t < unix.RTM_BASE || t%4 != 2 || n < rtnl.HeaderLen {
			return false
		}
		off += align4(n)
	}
	return true
}

// ack builds the positive, capped NLMSG_ERROR the kernel sends for the
// request whose nlmsghdr is req.
func (d *DryRun) ack(req []byte, seq uint32) []byte {
	b := make([]byte, rtnl.HeaderLen+4+rtnl.HeaderLen)
	o := binary.NativeEndian
	o.PutUint32(b[0:], uint32(len(b)))
	o.PutUint16(b[4:], unix.NLMSG_ERROR)
	o.PutUint16(b[6:], unix.NLM_F_CAPPED)
	o.PutUint32(b[8:], seq)
	o.PutUint32(b[12:], d.Pid)
	copy(b[20:], req)
	return b
}

// done builds the NLMSG_DONE that ends an empty dump.
func (d *DryRun) done(seq uint32) []byte {
	b := make([]byte, rtnl.HeaderLen+4)
	o := binary.NativeEndian
	o.PutUint32(b[0:], uint32(len(b)))
	o.PutUint16(b[4:], unix.NLMSG_DONE)
	o.PutUint16(b[6:], unix.NLM_F_MULTI)
	o.PutUint32(b[8:], seq)
	o.PutUint32(b[12:], d.Pid)
	return b
}

// AnnotateAll annotates datagrams in order, as decode does.
func (a *Annotator) AnnotateAll(ds []Datagram) []*Dump {
	out := make([]*Dump, len(ds))
	for i, d := range ds {
		out[i] = a.Annotate(d)
	}
	return out
}
