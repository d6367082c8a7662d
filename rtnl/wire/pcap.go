package wire

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"time"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

// pcap files of netlink traffic, as an nlmon device captures it: the
// frame header and the direction are described in the package
// documentation.

// LinkTypeNetlink is LINKTYPE_NETLINK, the link type of netlink captures.
const LinkTypeNetlink = 253

// linkTypeLinuxSLL is LINKTYPE_LINUX_SLL; a capture on "any" that saw an
// nlmon device has these frames, with the same header.
const linkTypeLinuxSLL = 113

// CookedHeaderLen is the size of the header before each frame's datagram.
const CookedHeaderLen = 16

// Packet types of the cooked header.
const (
	PacketHost     = 0 // LINUX_SLL_HOST: to us, received from the kernel
	PacketOutgoing = 4 // LINUX_SLL_OUTGOING: sent by us, to the kernel
	packetUser     = 6 // PACKET_USER: from a user socket
	packetKernel   = 7 // PACKET_KERNEL: from the kernel
)

// arphrdNetlink is ARPHRD_NETLINK from include/uapi/linux/if_arp.h.
const arphrdNetlink = 824

// snapLen is the snapshot length written in the file header. Wireshark
// refuses frames above 256 KiB in a pcap file; longer datagrams are cut
// there, and the reader reports them cut.
const snapLen = 262144

const (
	pcapMagicMicro = 0xa1b2c3d4
	pcapMagicNano  = 0xa1b23c4d
	pcapngSHB      = 0x0a0d0d0a
	pcapngBOM      = 0x1a2b3c4d
)

// sniffCapture recognises a capture file by its magic number.
func sniffCapture(b []byte) Format {
	if len(b) < 4 {
		return 0
	}
	le, be := binary.LittleEndian.Uint32(b), binary.BigEndian.Uint32(b)
	switch {
	case le == pcapMagicMicro || be == pcapMagicMicro || le == pcapMagicNano || be == pcapMagicNano:
		return FormatPcap
	case le == pcapngSHB:
		return FormatPcapNG
	}
	return 0
}

// A PcapWriter writes datagrams to a pcap file of link type
// LINKTYPE_NETLINK that Wireshark and tshark dissect as rtnetlink. Its
// methods may be called from several goroutines.
type PcapWriter struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
	err error
	now func() time.Time
}

// NewPcapWriter writes the pcap file header to w and returns a writer for
// the frames. Times have microsecond resolution; integers are in the
// host's byte order, as the datagrams are.
func NewPcapWriter(w io.Writer) (*PcapWriter, error) {
	p := &PcapWriter{w: w, now: time.Now}
	var h [24]byte
	o := binary.NativeEndian
	o.PutUint32(h[0:], pcapMagicMicro)
	o.PutUint16(h[4:], 2) // version 2.4
	o.PutUint16(h[6:], 4)
	// thiszone and sigfigs stay 0.
	o.PutUint32(h[16:], snapLen)
	o.PutUint32(h[20:], LinkTypeNetlink)
	if _, err := w.Write(h[:]); err != nil {
		return nil, fmt.Errorf("wire: writing pcap header: %w", err)
	}
	return p, nil
}

// Write writes d as one frame, time-stamped with d.Time, or now if that is
// zero.
func (p *PcapWriter) Write(d Datagram) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	t := d.Time
	if t.IsZero() {
		t = p.now()
	}
	n := min(len(d.Data), snapLen-CookedHeaderLen)
	b := p.buf[:0]
	b = binary.NativeEndian.AppendUint32(b, uint32(t.Unix()))
	b = binary.NativeEndian.AppendUint32(b, uint32(t.Nanosecond()/1000))
	b = binary.NativeEndian.AppendUint32(b, uint32(CookedHeaderLen+n))
	b = binary.NativeEndian.AppendUint32(b, uint32(min(CookedHeaderLen+len(d.Data), math.MaxUint32)))
	pkt := uint16(PacketHost)
	if d.Dir == rtnl.Sent {
		pkt = PacketOutgoing
	}
	b = binary.BigEndian.AppendUint16(b, pkt)
	b = binary.BigEndian.AppendUint16(b, arphrdNetlink)
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)              // address length and address
	b = binary.BigEndian.AppendUint16(b, unix.NETLINK_ROUTE) // protocol
	b = append(b, d.Data[:n]...)
	p.buf = b
	if _, err := p.w.Write(b); err != nil {
		p.err = fmt.Errorf("wire: writing pcap frame: %w", err)
	}
	return p.err
}

// Trace is an rtnl.TraceFunc: it writes each datagram a Conn sends or
// receives as a frame time-stamped now. A write error is kept; Err
// reports it.
func (p *PcapWriter) Trace(dir rtnl.Direction, b []byte) {
	p.Write(Datagram{Dir: dir, Data: b})
}

// Err returns the first error met while writing.
func (p *PcapWriter) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// A PcapReader reads datagrams from a pcap or pcapng capture of netlink:
// ours, or one made on an nlmon device (tcpdump -i nlmon0 -w, dumpcap).
type PcapReader struct {
	r     *bufio.Reader
	order binary.ByteOrder
	ng    bool
	// pcap
	nano     bool
	linkType uint32
	// pcapng: each interface's link type and time resolution
	ifaces []ngIface

	// Skipped counts frames left out: other netlink protocols than
	// NETLINK_ROUTE, or frames that are not netlink.
	Skipped int
}

type ngIface struct {
	linkType uint16
	unit     time.Duration // of a time stamp tick, 0 for a power of ten below 1ns
	div      uint64        // ticks per second when unit is 0
}

// ErrNotNetlink reports a capture whose link type is not netlink.
var ErrNotNetlink = errors.New("wire: not a netlink capture")

// NewPcapReader reads the file header.
func NewPcapReader(r io.Reader) (*PcapReader, error) {
	p := &PcapReader{r: bufio.NewReader(r)}
	var h [4]byte
	if _, err := io.ReadFull(p.r, h[:]); err != nil {
		return nil, fmt.Errorf("wire: reading capture header: %w", err)
	}
	if binary.LittleEndian.Uint32(h[:]) == pcapngSHB {
		p.ng = true
		if err := p.readSHB(); err != nil {
			return nil, err
		}
		return p, nil
	}
	var rest [20]byte
	if _, err := io.ReadFull(p.r, rest[:]); err != nil {
		return nil, fmt.Errorf("wire: reading pcap header: %w", err)
	}
	switch {
	case binary.LittleEndian.Uint32(h[:]) == pcapMagicMicro:
		p.order = binary.LittleEndian
	case binary.BigEndian.Uint32(h[:]) == pcapMagicMicro:
		p.order = binary.BigEndian
	case binary.LittleEndian.Uint32(h[:]) == pcapMagicNano:
		p.order, p.nano = binary.LittleEndian, true
	case binary.BigEndian.Uint32(h[:]) == pcapMagicNano:
		p.order, p.nano = binary.BigEndian, true
	default:
		return nil, fmt.Errorf("wire: not a pcap file (magic %x)", h)
	}
	p.linkType = p.order.Uint32(rest[16:]) & 0x0fffffff
	if p.linkType != LinkTypeNetlink && p.linkType != linkTypeLinuxSLL {
		return nil, fmt.Errorf("%w: link type %d", ErrNotNetlink, p.linkType)
	}
	return p, nil
}

// maxFrame bounds a frame, so that a corrupt length cannot make the reader
// allocate without limit.
const maxFrame = 16 << 20

// Next returns the next rtnetlink datagram, or io.EOF after the last.
func (p *PcapReader) Next() (Datagram, error) {
	for {
		var frame []byte
		var t time.Time
		var flags uint32
		var err error
		if p.ng {
			frame, t, flags, err = p.nextNG()
		} else {
			frame, t, err = p.nextPcap()
		}
		if err != nil {
			return Datagram{}, err
		}
		d, ok := p.datagram(frame, t, flags)
		if !ok {
			p.Skipped++
			continue
		}
		return d, nil
	}
}

func (p *PcapReader) nextPcap() ([]byte, time.Time, error) {
	var h [16]byte
	if _, err := io.ReadFull(p.r, h[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, time.Time{}, io.EOF
		}
		return nil, time.Time{}, fmt.Errorf("wire: reading pcap record header: %w", err)
	}
	sec, frac := p.order.Uint32(h[0:]), p.order.Uint32(h[4:])
	incl, orig := p.order.Uint32(h[8:]), p.order.Uint32(h[12:])
	if incl > maxFrame {
		return nil, time.Time{}, fmt.Errorf("wire: pcap record of %d bytes", incl)
	}
	frame, err := readN(p.r, int(incl))
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("wire: reading pcap record: %w", err)
	}
	if orig > incl {
		return nil, time.Time{}, fmt.Errorf("wire: a frame was cut to %d of its %d bytes when captured (snapshot length)", incl, orig)
	}
	ns := int64(frac) * 1000
	if p.nano {
		ns = int64(frac)
	}
	return frame, time.Unix(int64(sec), ns), nil
}

// datagram takes the cooked header off a frame.
func (p *PcapReader) datagram(frame []byte, t time.Time, epbFlags uint32) (Datagram, bool) {
	if len(frame) < CookedHeaderLen {
		return Datagram{}, false
	}
	pkt := binary.BigEndian.Uint16(frame[0:])
	hatype := binary.BigEndian.Uint16(frame[2:])
	proto := binary.BigEndian.Uint16(frame[14:])
	if hatype != arphrdNetlink || proto != unix.NETLINK_ROUTE {
		return Datagram{}, false
	}
	data := frame[CookedHeaderLen:]
	d := Datagram{Time: t, Data: data}
	switch pkt {
	case PacketOutgoing, packetUser:
		d.Dir = rtnl.Sent
		if pkt == PacketOutgoing && GuessDirection(data) == rtnl.Received {
			d.Dir = rtnl.Received // nlmon marks everything outgoing
		}
	default:
		d.Dir = rtnl.Received
	}
	return d, true
}

// pcapng (draft-ietf-opsawg-pcapng): a section header block, interface
// description blocks, and packet blocks.
const (
	ngBlockIDB = 1
	ngBlockSPB = 3
	ngBlockEPB = 6
)

func (p *PcapReader) readSHB() error {
	// The block type is read; then the block length and the byte-order magic.
	var h [8]byte
	if _, err := io.ReadFull(p.r, h[:]); err != nil {
		return fmt.Errorf("wire: reading pcapng section header: %w", err)
	}
	switch {
	case binary.LittleEndian.Uint32(h[4:]) == pcapngBOM:
		p.order = binary.LittleEndian
	case binary.BigEndian.Uint32(h[4:]) == pcapngBOM:
		p.order = binary.BigEndian
	default:
		return errors.New("wire: pcapng section header without its byte-order magic")
	}
	n := p.order.Uint32(h[0:])
	if n < 28 || n > maxFrame || n%4 != 0 {
		return fmt.Errorf("wire: pcapng section header of %d bytes", n)
	}
	if _, err := p.r.Discard(int(n) - 12); err != nil {
		return fmt.Errorf("wire: reading pcapng section header: %w", io.ErrUnexpectedEOF)
	}
	p.ifaces = p.ifaces[:0]
	return nil
}

func (p *PcapReader) nextNG() ([]byte, time.Time, uint32, error) {
	for {
		var h [8]byte
		if _, err := io.ReadFull(p.r, h[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, time.Time{}, 0, io.EOF
			}
			return nil, time.Time{}, 0, fmt.Errorf("wire: reading pcapng block: %w", err)
		}
		typ := p.order.Uint32(h[0:])
		if typ == pcapngSHB {
			// A new section: its own byte order.
			if err := p.readSHBAfterType(h); err != nil {
				return nil, time.Time{}, 0, err
			}
			continue
		}
		n := p.order.Uint32(h[4:])
		if n < 12 || n > maxFrame || n%4 != 0 {
			return nil, time.Time{}, 0, fmt.Errorf("wire: pcapng block of %d bytes", n)
		}
		body, err := readN(p.r, int(n)-8)
		if err != nil {
			return nil, time.Time{}, 0, fmt.Errorf("wire: reading pcapng block: %w", err)
		}
		body = body[:len(body)-4] // the trailing copy of the length
		switch typ {
		case ngBlockIDB:
			if err := p.readIDB(body); err != nil {
				return nil, time.Time{}, 0, err
			}
		case ngBlockEPB:
			if len(body) < 20 {
				return nil, time.Time{}, 0, errors.New("wire: short pcapng enhanced packet block")
			}
			id := p.order.Uint32(body[0:])
			ts := uint64(p.order.Uint32(body[4:]))<<32 | uint64(p.order.Uint32(body[8:]))
			capLen, origLen := p.order.Uint32(body[12:]), p.order.Uint32(body[16:])
			if int(id) >= len(p.ifaces) {
				return nil, time.Time{}, 0, fmt.Errorf("wire: pcapng packet on undeclared interface %d", id)
			}
			if uint64(capLen) > uint64(len(body)-20) {
				return nil, time.Time{}, 0, errors.New("wire: pcapng packet longer than its block")
			}
			if origLen > capLen {
				return nil, time.Time{}, 0, fmt.Errorf("wire: a frame was cut to %d of its %d bytes when captured (snapshot length)", capLen, origLen)
			}
			ifc := p.ifaces[id]
			if ifc.linkType != LinkTypeNetlink && ifc.linkType != linkTypeLinuxSLL {
				p.Skipped++
				continue
			}
			return body[20 : 20+capLen], ifc.time(ts), 0, nil
		case ngBlockSPB:
			if len(p.ifaces) == 0 || len(body) < 4 {
				return nil, time.Time{}, 0, errors.New("wire: pcapng simple packet block without an interface")
			}
			orig := p.order.Uint32(body[0:])
			data := body[4:]
			if uint64(orig) < uint64(len(data)) {
				data = data[:orig]
			} else if uint64(orig) > uint64(len(data)) {
				return nil, time.Time{}, 0, errors.New("wire: a frame was cut when captured (snapshot length)")
			}
			if l := p.ifaces[0].linkType; l != LinkTypeNetlink && l != linkTypeLinuxSLL {
				p.Skipped++
				continue
			}
			return data, time.Time{}, 0, nil
		}
	}
}

func (p *PcapReader) readSHBAfterType(h [8]byte) error {
	var bom [4]byte
	if _, err := io.ReadFull(p.r, bom[:]); err != nil {
		return fmt.Errorf("wire: reading pcapng section header: %w", io.ErrUnexpectedEOF)
	}
	switch {
	case binary.LittleEndian.Uint32(bom[:]) == pcapngBOM:
		p.order = binary.LittleEndian
	case binary.BigEndian.Uint32(bom[:]) == pcapngBOM:
		p.order = binary.BigEndian
	default:
		return errors.New("wire: pcapng section header without its byte-order magic")
	}
	n := p.order.Uint32(h[4:])
	if n < 28 || n > maxFrame || n%4 != 0 {
		return fmt.Errorf("wire: pcapng section header of %d bytes", n)
	}
	if _, err := p.r.Discard(int(n) - 12); err != nil {
		return fmt.Errorf("wire: reading pcapng section header: %w", io.ErrUnexpectedEOF)
	}
	p.ifaces = p.ifaces[:0]
	return nil
}

// readIDB reads an interface description block: link type, snapshot
// length, and the if_tsresol option.
func (p *PcapReader) readIDB(body []byte) error {
	if len(body) < 8 {
		return errors.New("wire: short pcapng interface description block")
	}
	ifc := ngIface{linkType: p.order.Uint16(body[0:]), unit: time.Microsecond}
	for opts := body[8:]; len(opts) >= 4; {
		code, n := p.order.Uint16(opts[0:]), int(p.order.Uint16(opts[2:]))
		if code == 0 || 4+n > len(opts) {
			break
		}
		if code == 9 && n >= 1 { // if_tsresol
			r := opts[4]
			if r&0x80 == 0 && r <= 9 {
				ifc.unit = time.Duration(math.Pow10(9 - int(r)))
			} else if r&0x80 == 0 {
				ifc.unit, ifc.div = 0, uint64(math.Pow10(int(min(r, 19))))
			} else if r&0x7f < 64 {
				ifc.unit, ifc.div = 0, 1<<(r&0x7f)
			}
		}
		opts = opts[min(4+align4(n), len(opts)):]
	}
	p.ifaces = append(p.ifaces, ifc)
	return nil
}

func (ifc ngIface) time(ts uint64) time.Time {
	if ifc.unit > 0 {
		sec := ts / uint64(time.Second/ifc.unit)
		rem := ts % uint64(time.Second/ifc.unit)
		return time.Unix(int64(sec), int64(rem)*int64(ifc.unit))
	}
	if ifc.div == 0 {
		return time.Time{}
	}
	sec := ts / ifc.div
	rem := ts % ifc.div
	return time.Unix(int64(sec), int64(float64(rem)/float64(ifc.div)*1e9))
}

// readN reads n bytes, growing the buffer as they arrive, so that a
// corrupt length in a short file cannot make it allocate n bytes up front.
func readN(r io.Reader, n int) ([]byte, error) {
	var buf bytes.Buffer
	m, err := io.CopyN(&buf, r, int64(n))
	if m < int64(n) {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf.Bytes(), nil
}
