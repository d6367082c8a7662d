package rtnl

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Dial opens a NETLINK_ROUTE socket, in the namespace cfg.NetNS names or in
// the calling thread's, and turns on extended acks, strict checking of dump
// requests and capped acks where the kernel has them.
func Dial(cfg *Config) (*Conn, error) {
	s, pid, err := DialSocket(cfg)
	if err != nil {
		return nil, err
	}
	return NewConn(s, pid, cfg), nil
}

// DialSocket opens a NETLINK_ROUTE socket as Dial does and returns it bare,
// with its port id, for wrapping: a dry run forwards reads to it and holds
// changes back, then hands the wrapper to NewConn.
func DialSocket(cfg *Config) (Socket, uint32, error) {
	s, pid, err := dialSocket(cfg, 0)
	if err != nil {
		return nil, 0, err
	}
	for _, o := range []netlink.ConnOption{netlink.ExtendedAcknowledge, netlink.GetStrictCheck, netlink.CapAcknowledge} {
		if err := s.c.SetOption(o, true); err != nil && !errors.Is(err, unix.ENOPROTOOPT) {
			s.Close()
			return nil, 0, fmt.Errorf("rtnl: setting socket option: %w", err)
		}
	}
	return s, pid, nil
}

// dialSocket opens the socket. mdlayher/netlink creates it (in the target
// namespace when asked, on a thread of its own), with SOCK_CLOEXEC and
// non-blocking under the runtime's poller.
func dialSocket(cfg *Config, groups uint32) (*socket, uint32, error) {
	var nc netlink.Config
	if cfg != nil {
		nc.NetNS = cfg.NetNS
	}
	nc.Groups = groups
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &nc)
	if err != nil {
		return nil, 0, fmt.Errorf("rtnl: dial: %w", err)
	}
	if cfg != nil && cfg.ReceiveBuffer > 0 {
		if err := c.SetReadBuffer(cfg.ReceiveBuffer); err != nil {
			c.Close()
			return nil, 0, fmt.Errorf("rtnl: SO_RCVBUF: %w", err)
		}
	}
	rc, err := c.SyscallConn()
	if err != nil {
		c.Close()
		return nil, 0, fmt.Errorf("rtnl: dial: %w", err)
	}
	return &socket{c: c, rc: rc, peek: make([]byte, peekSize)}, c.PID(), nil
}

// peekSize is the buffer of the first receive. The kernel sizes the
// datagrams of a dump after the largest buffer a socket has read with (up
// to 32 KiB); peeking with a small one would make it send a couple of
// links per datagram.
const peekSize = 32 << 10

// socket is the Linux Socket: raw sendmsg and recvmsg on mdlayher/netlink's
// file descriptor, so that every datagram can be traced whole and sized
// exactly.
type socket struct {
	c    *netlink.Conn
	rc   syscall.RawConn
	peek []byte
}

func (s *socket) Send(b []byte) error {
	var err error
	to := &unix.SockaddrNetlink{Family: unix.AF_NETLINK}
	cerr := s.rc.Write(func(fd uintptr) bool {
		err = unix.Sendto(int(fd), b, 0, to)
		return err != unix.EAGAIN
	})
	if cerr != nil {
		return cerr
	}
	return err
}

// recvmsg is one recvmsg(2) on the socket, waiting under the runtime's
// poller while nothing is queued.
func (s *socket) recvmsg(b []byte, flags int) (n, rflags int, from unix.Sockaddr, err error) {
	cerr := s.rc.Read(func(fd uintptr) bool {
		n, _, rflags, from, err = unix.Recvmsg(int(fd), b, nil, flags)
		return err != unix.EAGAIN
	})
	if cerr != nil {
		return 0, 0, nil, cerr
	}
	return n, rflags, from, err
}

func (s *socket) Receive() ([]byte, Addr, error) {
	b, a, err := receiveWhole(s.recvmsg, s.peek)
	s.peek = nil // the kernel remembers the largest read; one is enough
	return b, a, err
}

func (s *socket) Close() error { return s.c.Close() }

// receiveWhole peeks at the next datagram's size (MSG_PEEK|MSG_TRUNC makes
// recvmsg return the real length whatever the buffer), then reads it into
// a buffer of exactly that size, rounded up to 4 bytes, which the caller
// owns. Nothing can be cut short; MSG_TRUNC on the real read is still
// checked.
func receiveWhole(recvmsg func(b []byte, flags int) (int, int, unix.Sockaddr, error), peek []byte) ([]byte, Addr, error) {
	n, _, _, err := recvmsg(peek, unix.MSG_PEEK|unix.MSG_TRUNC)
	if err != nil {
		return nil, Addr{}, err
	}
	b := make([]byte, align4(n))
	n, flags, from, err := recvmsg(b, 0)
	if err != nil {
		return nil, Addr{}, err
	}
	if flags&unix.MSG_TRUNC != 0 || n > len(b) {
		return nil, Addr{}, fmt.Errorf("%w: datagram larger than the %d bytes peeked", ErrTruncated, len(b))
	}
	var a Addr
	if sa, ok := from.(*unix.SockaddrNetlink); ok {
		a = Addr{Pid: sa.Pid, Groups: sa.Groups}
	}
	return b[:n], a, nil
}
