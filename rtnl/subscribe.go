package rtnl

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// Subscription receives rtnetlink events: the multicast messages of the
// groups it joined (RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_NSID, ...).
// It has a socket of its own; a Conn for requests is separate.
type Subscription struct {
	sock  Socket
	trace TraceFunc
	queue []Event
}

// Event is one event: a message the kernel multicast, or an overrun.
type Event struct {
	// Message is the event: RTM_NEWLINK, RTM_DELADDR, RTM_NEWNSID, ...
	Message Message
	// Overrun reports that the kernel dropped events because the
	// receive buffer was full (ENOBUFS). Message is empty; the
	// subscriber's picture of the state is stale and must be read again
	// (dump), after which events continue.
	Overrun bool
}

// Subscribe opens a socket, in cfg.NetNS or the calling thread's
// namespace, and joins the given multicast groups.
func Subscribe(cfg *Config, groups ...uint32) (*Subscription, error) {
	s, _, err := dialSocket(cfg, 0)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if err := s.c.JoinGroup(g); err != nil {
			s.Close()
			return nil, fmt.Errorf("rtnl: joining multicast group %d: %w", g, err)
		}
	}
	sub := &Subscription{sock: s}
	if cfg != nil {
		sub.trace = cfg.Trace
	}
	return sub, nil
}

// Next returns the next event, waiting for one. ENOBUFS is not an error
// but an Event with Overrun set.
func (s *Subscription) Next() (Event, error) {
	for len(s.queue) == 0 {
		b, _, err := s.sock.Receive()
		if errors.Is(err, unix.ENOBUFS) {
			return Event{Overrun: true}, nil
		}
		if err != nil {
			return Event{}, fmt.Errorf("rtnl: receive: %w", err)
		}
		if s.trace != nil {
			s.trace(Received, b)
		}
		err = EachMessage(b, func(m Message) error {
			s.queue = append(s.queue, Event{Message: m})
			return nil
		})
		if err != nil {
			return Event{}, err
		}
	}
	e := s.queue[0]
	s.queue = s.queue[1:]
	return e, nil
}

// SetDeadline makes Next give up at t with an error matching
// os.ErrDeadlineExceeded. The zero time waits for ever.
func (s *Subscription) SetDeadline(t time.Time) error {
	if ls, ok := s.sock.(*socket); ok {
		return ls.c.SetReadDeadline(t)
	}
	return errors.ErrUnsupported
}

// Close closes the socket.
func (s *Subscription) Close() error { return s.sock.Close() }

// Decode decodes the event's message by its type: *LinkMessage for
// RTM_NEWLINK and RTM_DELLINK, *AddressMessage, *RouteMessage,
// *NeighMessage, *NSIDMessage likewise. Other types decode to their raw
// Message. kinds decode link kind data. The result keeps references into
// the event's bytes.
func (e Event) Decode(kinds Kinds) (any, error) {
	if e.Overrun {
		return nil, ErrOverrun
	}
	m := e.Message
	switch m.Header.Type {
	case unix.RTM_NEWLINK, unix.RTM_DELLINK:
		l := new(LinkMessage)
		return l, l.Decode(m.Data, kinds)
	case unix.RTM_NEWADDR, unix.RTM_DELADDR:
		a := new(AddressMessage)
		return a, a.UnmarshalBinary(m.Data)
	case unix.RTM_NEWROUTE, unix.RTM_DELROUTE:
		r := new(RouteMessage)
		return r, r.UnmarshalBinary(m.Data)
	case unix.RTM_NEWNEIGH, unix.RTM_DELNEIGH:
		n := new(NeighMessage)
		return n, n.UnmarshalBinary(m.Data)
	case unix.RTM_NEWNSID, unix.RTM_DELNSID:
		n := new(NSIDMessage)
		return n, n.UnmarshalBinary(m.Data)
	}
	return m, nil
}
