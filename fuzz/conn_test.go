package fuzz

import (
	"encoding/binary"
	"errors"

	"github.com/linkbox/linkbox/rtnl"
)

// replaySocket is an rtnl.Socket that answers the first request sent with
// one datagram, the fuzz input, and then reports that nothing more comes.
// Messages in the datagram whose nlmsg_seq or nlmsg_pid is 0 are given the
// request's sequence number and the Conn's port id, so that inputs taken
// from a capture (whose seeds have them zeroed) answer the request, while
// the fuzzer is still free to make strangers.
type replaySocket struct {
	input    []byte
	datagram []byte // input, normalised for the last request
	sent     int
	seq      uint32 // of the first request
	answered bool
}

const replayPid = 0x4c42 // "LB"

var errNoMore = errors.New("replay: no more datagrams")

func (s *replaySocket) Send(b []byte) error {
	s.sent++
	if len(b) < rtnl.HeaderLen || s.answered {
		return nil
	}
	s.seq = binary.NativeEndian.Uint32(b[8:])
	s.datagram = normalise(s.input, s.seq, replayPid)
	return nil
}

func (s *replaySocket) Receive() ([]byte, rtnl.Addr, error) {
	if s.answered || s.sent == 0 {
		return nil, rtnl.Addr{}, errNoMore
	}
	s.answered = true
	return s.datagram, rtnl.Addr{}, nil
}

func (s *replaySocket) Close() error { return nil }

// normalise returns a copy of datagram b with nlmsg_seq and nlmsg_pid set
// to seq and pid in each message where they are 0. It follows the framing
// as far as it holds.
func normalise(b []byte, seq, pid uint32) []byte {
	b = append([]byte(nil), b...)
	for off := 0; off+rtnl.HeaderLen <= len(b); {
		n := int(binary.NativeEndian.Uint32(b[off:]))
		if binary.NativeEndian.Uint32(b[off+8:]) == 0 {
			binary.NativeEndian.PutUint32(b[off+8:], seq)
		}
		if binary.NativeEndian.Uint32(b[off+12:]) == 0 {
			binary.NativeEndian.PutUint32(b[off+12:], pid)
		}
		if n < rtnl.HeaderLen || n > len(b)-off {
			break
		}
		off += (n + 3) &^ 3
	}
	return b
}

// replayConn returns a Conn whose first request is answered with
// datagram.
func replayConn(datagram []byte) (*rtnl.Conn, *replaySocket) {
	s := &replaySocket{input: datagram, datagram: datagram}
	return rtnl.NewConn(s, replayPid, &rtnl.Config{Kinds: Kinds}), s
}

// mine reports whether message header h, as normalise leaves it, answers
// the request: its sequence number and port id are the Conn's.
func (s *replaySocket) mine(h rtnl.Header) bool {
	return (h.Seq == 0 || h.Seq == s.seq) && (h.Pid == 0 || h.Pid == replayPid)
}
