package rtnl

import (
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sys/unix"
)

// Socket is the datagram transport under a Conn: a NETLINK_ROUTE socket on
// Linux, or a fake in tests and in dry runs. Each Send is one sendmsg; each
// Receive returns one whole datagram and the address it came from.
type Socket interface {
	Send(b []byte) error
	Receive() ([]byte, Addr, error)
	Close() error
}

// Addr is a netlink socket address: the sender's port id (0 for the kernel)
// and the multicast groups a datagram was sent to (0 for unicast).
type Addr struct {
	Pid    uint32 // the sender's port id; 0 is the kernel
	Groups uint32 // the multicast groups the datagram was sent to; 0 for unicast
}

// Direction says whether a traced datagram was sent or received.
type Direction uint8

// Directions of traced datagrams.
const (
	Sent Direction = iota
	Received
)

func (d Direction) String() string {
	if d == Sent {
		return "sent"
	}
	return "received"
}

// TraceFunc sees every datagram a Conn sends or receives, whole, before
// anything else looks at it. b is only valid during the call.
type TraceFunc func(dir Direction, b []byte)

// Config configures a Conn. The zero value is usable.
type Config struct {
	// NetNS, if non-zero, is a file descriptor of the network namespace
	// to open the socket in. The socket stays bound to that namespace and
	// can be used from any goroutine; no thread of the caller switches.
	NetNS int
	// Kinds are the link kinds decoders know; others stay raw.
	Kinds Kinds
	// Trace, if set, is called for each datagram sent and received.
	Trace TraceFunc
	// ReceiveBuffer sets SO_RCVBUF when non-zero. Batches that pipeline
	// many requests need room for their acks.
	ReceiveBuffer int
}

// Conn is a NETLINK_ROUTE connection. Its methods may be called from any
// goroutine; requests are serialised. A Conn holds no global state: its
// sequence numbers are its own.
type Conn struct {
	sock  Socket
	pid   uint32
	kinds Kinds
	trace TraceFunc

	mu  sync.Mutex
	seq uint32

	idx indexCache
}

// NewConn returns a Conn over s, whose local port id is pid. Dial is the
// usual way to get a Conn; NewConn serves fakes and dry runs.
func NewConn(s Socket, pid uint32, cfg *Config) *Conn {
	c := &Conn{sock: s, pid: pid, seq: 1}
	if cfg != nil {
		c.kinds = cfg.Kinds
		c.trace = cfg.Trace
	}
	return c
}

// Close closes the socket.
func (c *Conn) Close() error { return c.sock.Close() }

// Kinds returns the link kinds the Conn decodes.
func (c *Conn) Kinds() Kinds { return c.kinds }

// PortID returns the socket's netlink port id.
func (c *Conn) PortID() uint32 { return c.pid }

// Payload is a message body that encodes itself: the family header, then
// attributes. LinkMessage, AddressMessage, RouteMessage, NeighMessage and
// NSIDMessage are Payloads; so is RawPayload.
type Payload interface {
	Encode(e *Encoder)
}

// RawPayload is a Payload of bytes written as they are.
type RawPayload []byte

// Encode appends the bytes.
func (p RawPayload) Encode(e *Encoder) { e.raw(p) }

// Request is one request: its message type, flags beyond NLM_F_REQUEST, and
// payload.
type Request struct {
	Type    uint16  // nlmsg_type: RTM_NEWLINK, ...
	Flags   uint16  // NLM_F_* beyond NLM_F_REQUEST (and NLM_F_ACK, which Execute adds)
	Payload Payload // the family header and attributes
}

// appendRequest appends the wire form of r with the given sequence number.
func (c *Conn) appendRequest(b []byte, r Request, seq uint32) ([]byte, error) {
	start := len(b)
	b = append(b, make([]byte, HeaderLen)...)
	e := Encoder{b: b}
	if r.Payload != nil {
		r.Payload.Encode(&e)
	}
	b, err := e.Encode()
	if err != nil {
		return nil, err
	}
	n := len(b) - start
	putHeader(b[start:], Header{
		Len:   uint32(n),
		Type:  r.Type,
		Flags: r.Flags | unix.NLM_F_REQUEST,
		Seq:   seq,
		Pid:   0,
	})
	return append(b, make([]byte, align4(n)-n)...), nil
}

// Encode returns the wire form of r as a Conn would send it with sequence
// number seq. Dry runs and golden tests use it.
func (r Request) Encode(seq uint32) ([]byte, error) {
	var c Conn
	return c.appendRequest(nil, r, seq)
}

func (c *Conn) nextSeq() uint32 {
	c.seq++
	if c.seq == 0 {
		c.seq = 1
	}
	return c.seq
}

func (c *Conn) send(b []byte) error {
	if c.trace != nil {
		c.trace(Sent, b)
	}
	if err := c.sock.Send(b); err != nil {
		return fmt.Errorf("rtnl: send: %w", err)
	}
	return nil
}

// receive returns the next datagram from the kernel, skipping datagrams
// from other senders.
func (c *Conn) receive() ([]byte, error) {
	for {
		b, from, err := c.sock.Receive()
		if err != nil {
			if errors.Is(err, unix.ENOBUFS) {
				return nil, fmt.Errorf("rtnl: receive: %w: %w", ErrOverrun, err)
			}
			return nil, fmt.Errorf("rtnl: receive: %w", err)
		}
		if c.trace != nil {
			c.trace(Received, b)
		}
		// Only the kernel (port 0) answers. Multicast delivery is not
		// filtered out here: the kernel's answer to NLM_F_ECHO arrives
		// with the group of the event it copies, and events caused by
		// others carry their sequence numbers and ports, not ours.
		if from.Pid != 0 {
			continue
		}
		return b, nil
	}
}

// Execute sends one request with NLM_F_ACK and waits for the kernel's
// answer. Messages the kernel sends before the ack (the reply to a GET, or
// the new object with NLM_F_ECHO) are returned. A negative ack is an
// *Error naming the attribute the kernel pointed at.
func (c *Conn) Execute(r Request) ([]Message, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	seq := c.nextSeq()
	req, err := c.appendRequest(nil, Request{Type: r.Type, Flags: r.Flags | unix.NLM_F_ACK, Payload: r.Payload}, seq)
	if err != nil {
		return nil, err
	}
	if err := c.send(req); err != nil {
		return nil, err
	}
	var replies []Message
	for {
		b, err := c.receive()
		if err != nil {
			return nil, err
		}
		done := false
		err = EachMessage(b, func(m Message) error {
			if done || m.Header.Seq != seq || m.Header.Pid != c.pid {
				return nil // stale, or someone else's
			}
			if m.Header.Type != unix.NLMSG_ERROR {
				replies = append(replies, m)
				return nil
			}
			done = true
			ack, err := ParseAck(m)
			if err != nil {
				return err
			}
			return ack.err(MessageTypeName(r.Type), req, c.kinds)
		})
		if err != nil {
			return nil, err
		}
		if done {
			c.observe(r, replies)
			return replies, nil
		}
	}
}

// maxDumpTries bounds the retries of a dump the kernel marks interrupted.
const maxDumpTries = 4

// Dump sends a dump request (NLM_F_DUMP) and calls fn for each message of
// the reply as it arrives. An error carried in NLMSG_DONE or NLMSG_ERROR is
// returned as an *Error, never as an empty result. If the kernel flagged the
// dump with NLM_F_DUMP_INTR, Dump returns ErrDumpInterrupted after the last
// message; fn has then seen a possibly inconsistent set. DumpAll retries.
func (c *Conn) Dump(r Request, fn func(Message) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dumpLocked(r, fn)
}

func (c *Conn) dumpLocked(r Request, fn func(Message) error) error {
	seq := c.nextSeq()
	req, err := c.appendRequest(nil, Request{Type: r.Type, Flags: r.Flags | unix.NLM_F_DUMP, Payload: r.Payload}, seq)
	if err != nil {
		return err
	}
	if err := c.send(req); err != nil {
		return err
	}
	var intr bool
	var fnErr error
	for {
		b, err := c.receive()
		if err != nil {
			return err
		}
		done := false
		err = EachMessage(b, func(m Message) error {
			if done || m.Header.Seq != seq || m.Header.Pid != c.pid {
				return nil
			}
			if m.Header.Flags&unix.NLM_F_DUMP_INTR != 0 {
				intr = true
			}
			switch m.Header.Type {
			case unix.NLMSG_DONE:
				done = true
				d, err := ParseDone(m)
				if err != nil {
					return err
				}
				return d.Ack.err(MessageTypeName(r.Type), req, c.kinds)
			case unix.NLMSG_ERROR:
				done = true
				ack, err := ParseAck(m)
				if err != nil {
					return err
				}
				if err := ack.err(MessageTypeName(r.Type), req, c.kinds); err != nil {
					return err
				}
				return nil
			}
			if fnErr == nil {
				// After fn fails, keep reading so the socket is
				// left clean for the next request.
				fnErr = fn(m)
			}
			return nil
		})
		if err != nil {
			if !done {
				c.drain(seq)
			}
			return err
		}
		if done {
			if fnErr != nil {
				return fnErr
			}
			if intr {
				return ErrDumpInterrupted
			}
			return nil
		}
	}
}

// drain reads and drops the rest of a dump after a framing error, so the
// next request does not read it.
func (c *Conn) drain(seq uint32) {
	for range 1 << 16 {
		b, err := c.receive()
		if err != nil {
			return
		}
		end := false
		_ = EachMessage(b, func(m Message) error {
			if m.Header.Seq == seq && (m.Header.Type == unix.NLMSG_DONE || m.Header.Type == unix.NLMSG_ERROR) {
				end = true
			}
			return nil
		})
		if end {
			return
		}
	}
}

// DumpAll runs a dump and collects its messages. A dump interrupted by
// concurrent changes is tried again, up to a bound; if every try was
// interrupted, DumpAll returns the last try's messages with
// ErrDumpInterrupted.
func (c *Conn) DumpAll(r Request) ([]Message, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var msgs []Message
	var err error
	for range maxDumpTries {
		msgs = msgs[:0]
		err = c.dumpLocked(r, func(m Message) error {
			msgs = append(msgs, m)
			return nil
		})
		if !errors.Is(err, ErrDumpInterrupted) {
			break
		}
	}
	if err != nil && !errors.Is(err, ErrDumpInterrupted) {
		return nil, err
	}
	return msgs, err
}
