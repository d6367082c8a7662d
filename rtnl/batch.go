package rtnl

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// ErrNotSent marks requests of a batch that were never sent because an
// earlier one failed and the batch stops at the first error.
var ErrNotSent = errors.New("rtnl: not sent: an earlier request in the batch failed")

// Result is what the kernel answered to one request of a batch.
type Result struct {
	// Replies are the messages before the ack: the new object for a
	// request with NLM_F_ECHO, the answer to a GET.
	Replies []Message
	// Err is the request's own error: an *Error from the kernel,
	// ErrNotSent, or nil.
	Err error
}

// BatchOptions tune Batch. The zero value is usable.
type BatchOptions struct {
	// Window bounds the requests in flight, sent but not yet answered.
	// The kernel carries out everything in one sendmsg before it
	// returns and queues one ack per request on the socket; the window
	// keeps those acks within the receive buffer, so none is dropped.
	// 0 means DefaultWindow.
	Window int
	// StopOnError stops sending at the first failed request, as
	// `ip -batch` without -force does. Requests already in flight with
	// it (in the same window) have been carried out; their results are
	// reported. The rest get ErrNotSent.
	StopOnError bool
}

// DefaultWindow is the window Batch uses when none is given. 64 capped
// acks, or 64 echoed links of a few KiB each, fit the default 208 KiB
// receive buffer.
const DefaultWindow = 64

// maxBatchBytes bounds one sendmsg, below the default 208 KiB send buffer
// (netlink refuses a message larger than sk_sndbuf - 32).
const maxBatchBytes = 128 << 10

// Batch sends many requests pipelined: as many per sendmsg as the window
// and the socket buffers allow, each with NLM_F_ACK, matching the answers
// by sequence number. It returns one Result per request, in order; the
// error is for the connection itself (a failed send or receive), after
// which the results are incomplete.
func (c *Conn) Batch(reqs []Request, opt BatchOptions) ([]Result, error) {
	window := opt.Window
	if window <= 0 {
		window = DefaultWindow
	}
	c.mu.Lock()
	defer c.mu.Unlock()

	results := make([]Result, len(reqs))
	seqs := make([]uint32, len(reqs))
	bufs := make([][]byte, len(reqs)) // each request's bytes, to name error attributes
	bySeq := make(map[uint32]int, min(len(reqs), window))

	next, answered, stopped := 0, 0, false
	var buf []byte
	for answered < next || (next < len(reqs) && !stopped) {
		if next < len(reqs) && !stopped && answered == next {
			// Everything sent has been answered: send the next window.
			buf = buf[:0]
			for next < len(reqs) && next-answered < window && len(buf) < maxBatchBytes {
				r := reqs[next]
				seqs[next] = c.nextSeq()
				nb, err := c.appendRequest(buf, Request{Type: r.Type, Flags: r.Flags | unix.NLM_F_ACK, Payload: r.Payload}, seqs[next])
				if err == nil {
					buf = nb
				} else {
					results[next].Err = err
					seqs[next] = 0
					if opt.StopOnError {
						stopped = true
						next++
						break
					}
					next++
					continue
				}
				bySeq[seqs[next]] = next
				next++
			}
			// Requests are sliced out only now: appending may have moved buf.
			off := 0
			for i := answered; i < next; i++ {
				if seqs[i] == 0 {
					continue
				}
				n := align4(int(readHeader(buf[off:]).Len))
				bufs[i] = buf[off : off+n : off+n]
				off += n
			}
			if len(buf) > 0 {
				if err := c.send(buf); err != nil {
					return results, err
				}
				buf = nil // bufs keep it; the next window gets a new one
			}
			// Requests that failed to encode count as answered.
			for answered < next && seqs[answered] == 0 {
				answered++
			}
			continue
		}
		b, err := c.receive()
		if err != nil {
			return results, err
		}
		err = EachMessage(b, func(m Message) error {
			i, ok := bySeq[m.Header.Seq]
			if !ok || m.Header.Pid != c.pid {
				return nil
			}
			if m.Header.Type != unix.NLMSG_ERROR {
				results[i].Replies = append(results[i].Replies, m)
				return nil
			}
			ack, err := ParseAck(m)
			if err != nil {
				return err
			}
			results[i].Err = ack.err(MessageTypeName(reqs[i].Type), bufs[i], c.kinds)
			if results[i].Err == nil {
				c.observe(reqs[i], results[i].Replies)
			}
			delete(bySeq, m.Header.Seq)
			bufs[i] = nil
			if results[i].Err != nil && opt.StopOnError {
				stopped = true
			}
			return nil
		})
		if err != nil {
			return results, fmt.Errorf("rtnl: batch: %w", err)
		}
		// The kernel answers in order; count the answered prefix.
		for answered < next && (seqs[answered] == 0 || !inFlight(bySeq, seqs[answered])) {
			answered++
		}
	}
	for i := next; i < len(reqs); i++ {
		results[i].Err = ErrNotSent
	}
	return results, nil
}

func inFlight(bySeq map[uint32]int, seq uint32) bool {
	_, ok := bySeq[seq]
	return ok
}
