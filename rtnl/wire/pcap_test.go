package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/linkbox/linkbox/rtnl"
	"golang.org/x/sys/unix"
)

func readAll(t *testing.T, b []byte) []Datagram {
	t.Helper()
	r, err := NewPcapReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var ds []Datagram
	for {
		d, err := r.Next()
		if errors.Is(err, io.EOF) {
			return ds
		}
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}
}

// TestPcapRoundTrip writes every golden datagram and reads them back.
func TestPcapRoundTrip(t *testing.T) {
	var in []Datagram
	t0 := time.Date(2025, 11, 28, 16, 43, 0, 123456000, time.UTC)
	for _, ds := range goldenInputs(t) {
		for _, d := range ds {
			d.Time = t0.Add(time.Duration(len(in)) * 1500 * time.Microsecond)
			in = append(in, d)
		}
	}
	var buf bytes.Buffer
	w, err := NewPcapWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range in {
		if err := w.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	out := readAll(t, buf.Bytes())
	if len(out) != len(in) {
		t.Fatalf("wrote %d frames, read %d", len(in), len(out))
	}
	for i := range in {
		if out[i].Dir != in[i].Dir || !bytes.Equal(out[i].Data, in[i].Data) || !out[i].Time.Equal(in[i].Time) {
			t.Errorf("frame %d: want %s %v %x, got %s %v %x", i, in[i].Dir, in[i].Time, in[i].Data, out[i].Dir, out[i].Time, out[i].Data)
		}
	}
}

// TestPcapFrameLayout checks the bytes of one frame: the record header,
// the 16-byte cooked header in network byte order, the datagram.
func TestPcapFrameLayout(t *testing.T) {
	var buf bytes.Buffer
	w, _ := NewPcapWriter(&buf)
	data := []byte{0x14, 0, 0, 0, 0x02, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	w.Write(Datagram{Dir: rtnl.Sent, Time: time.Unix(1700000000, 5000), Data: data})
	w.Write(Datagram{Dir: rtnl.Received, Time: time.Unix(1700000000, 5000), Data: data})
	b := buf.Bytes()
	o := binary.NativeEndian
	if o.Uint32(b[0:]) != 0xa1b2c3d4 || o.Uint16(b[4:]) != 2 || o.Uint16(b[6:]) != 4 || o.Uint32(b[20:]) != LinkTypeNetlink {
		t.Fatalf("file header %x: want magic a1b2c3d4, version 2.4, link type 253", b[:24])
	}
	rec := b[24:]
	if o.Uint32(rec[0:]) != 1700000000 || o.Uint32(rec[4:]) != 5 || o.Uint32(rec[8:]) != 36 || o.Uint32(rec[12:]) != 36 {
		t.Errorf("record header %x: want 1700000000 s, 5 us, 36 bytes captured of 36", rec[:16])
	}
	want := []byte{
		0x00, 0x04, // packet type: LINUX_SLL_OUTGOING, sent by us
		0x03, 0x38, // ARPHRD_NETLINK, 824
		0x00, 0x00, // address length
		0, 0, 0, 0, 0, 0, 0, 0, // address
		0x00, 0x00, // protocol: NETLINK_ROUTE
	}
	if !bytes.Equal(rec[16:32], want) {
		t.Errorf("cooked header: want %x, got %x", want, rec[16:32])
	}
	if !bytes.Equal(rec[32:52], data) {
		t.Errorf("payload: want %x, got %x", data, rec[32:52])
	}
	if rec2 := rec[52:]; rec2[16] != 0 || rec2[17] != PacketHost {
		t.Errorf("received frame's packet type: want %d, got %x", PacketHost, rec2[16:18])
	}
}

// nlmonCapture builds, by hand, a capture as tcpdump -i nlmon0 -w writes
// it (this kernel has no nlmon to make one): every frame marked
// PACKET_OUTGOING, since the tap transmits them all, a frame of another
// netlink protocol among them, the file in big-endian order with
// nanosecond times.
func nlmonCapture(frames []Datagram, otherProto bool) []byte {
	var b []byte
	be := binary.BigEndian
	b = be.AppendUint32(b, 0xa1b23c4d)
	b = be.AppendUint16(b, 2)
	b = be.AppendUint16(b, 4)
	b = be.AppendUint32(b, 0)
	b = be.AppendUint32(b, 0)
	b = be.AppendUint32(b, 262144)
	b = be.AppendUint32(b, LinkTypeNetlink)
	frame := func(t time.Time, proto uint16, data []byte) {
		b = be.AppendUint32(b, uint32(t.Unix()))
		b = be.AppendUint32(b, uint32(t.Nanosecond()))
		b = be.AppendUint32(b, uint32(16+len(data)))
		b = be.AppendUint32(b, uint32(16+len(data)))
		b = be.AppendUint16(b, PacketOutgoing)
		b = be.AppendUint16(b, 824)
		b = be.AppendUint16(b, 0)
		b = append(b, make([]byte, 8)...)
		b = be.AppendUint16(b, proto)
		b = append(b, data...)
	}
	for i, d := range frames {
		if otherProto && i == 1 {
			frame(d.Time, unix.NETLINK_GENERIC, []byte{0x14, 0, 0, 0, 0x10, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 1, 0, 0})
		}
		frame(d.Time, unix.NETLINK_ROUTE, d.Data)
	}
	return b
}

func TestPcapReadNlmon(t *testing.T) {
	ds := goldenInputs(t)["veth_netns"]
	for i := range ds {
		ds[i].Time = time.Unix(1700000000, int64(i)*1001)
	}
	r, err := NewPcapReader(bytes.NewReader(nlmonCapture(ds, true)))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range ds {
		got, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if got.Dir != want.Dir || !bytes.Equal(got.Data, want.Data) || !got.Time.Equal(want.Time) {
			t.Errorf("frame %d: want %s %v %x, got %s %v %x", i, want.Dir, want.Time, want.Data, got.Dir, got.Time, got.Data)
		}
	}
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("after the last frame: want io.EOF, got %v", err)
	}
	if r.Skipped != 1 {
		t.Errorf("want the NETLINK_GENERIC frame skipped, Skipped = %d", r.Skipped)
	}
}

// pcapngCapture builds a pcapng file as dumpcap writes it on nlmon0:
// section header, an interface with nanosecond time stamps, enhanced
// packet blocks.
func pcapngCapture(frames []Datagram) []byte {
	le := binary.LittleEndian
	var b []byte
	block := func(typ uint32, body []byte) {
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
		n := uint32(12 + len(body))
		b = le.AppendUint32(b, typ)
		b = le.AppendUint32(b, n)
		b = append(b, body...)
		b = le.AppendUint32(b, n)
	}
	shb := le.AppendUint32(nil, 0x1a2b3c4d)
	shb = le.AppendUint16(shb, 1)
	shb = le.AppendUint16(shb, 0)
	shb = le.AppendUint64(shb, ^uint64(0))
	block(0x0a0d0d0a, shb)
	idb := le.AppendUint16(nil, LinkTypeNetlink)
	idb = le.AppendUint16(idb, 0)
	idb = le.AppendUint32(idb, 262144)
	idb = le.AppendUint16(idb, 9) // if_tsresol
	idb = le.AppendUint16(idb, 1)
	idb = append(idb, 9, 0, 0, 0) // 10^-9
	idb = le.AppendUint32(idb, 0) // opt_endofopt
	block(1, idb)
	for _, d := range frames {
		pkt := be16(PacketOutgoing)
		pkt = append(pkt, 0x03, 0x38, 0, 0)
		pkt = append(pkt, make([]byte, 10)...)
		pkt = append(pkt, d.Data...)
		ts := uint64(d.Time.UnixNano())
		epb := le.AppendUint32(nil, 0)
		epb = le.AppendUint32(epb, uint32(ts>>32))
		epb = le.AppendUint32(epb, uint32(ts))
		epb = le.AppendUint32(epb, uint32(len(pkt)))
		epb = le.AppendUint32(epb, uint32(len(pkt)))
		epb = append(epb, pkt...)
		block(6, epb)
	}
	return b
}

func be16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

func TestPcapNGRead(t *testing.T) {
	ds := goldenInputs(t)["error_extack"]
	for i := range ds {
		ds[i].Time = time.Unix(1700000000, int64(i)*7+1)
	}
	got, format, err := ReadDatagrams(bytes.NewReader(pcapngCapture(ds)))
	if err != nil {
		t.Fatal(err)
	}
	if format != FormatPcapNG || len(got) != len(ds) {
		t.Fatalf("want %d datagrams from pcapng, got %d from %v", len(ds), len(got), format)
	}
	for i := range ds {
		if got[i].Dir != ds[i].Dir || !bytes.Equal(got[i].Data, ds[i].Data) || !got[i].Time.Equal(ds[i].Time) {
			t.Errorf("frame %d: want %s %v %x, got %s %v %x", i, ds[i].Dir, ds[i].Time, ds[i].Data, got[i].Dir, got[i].Time, got[i].Data)
		}
	}
}

func TestPcapReadErrors(t *testing.T) {
	var good bytes.Buffer
	w, _ := NewPcapWriter(&good)
	w.Write(Datagram{Dir: rtnl.Sent, Data: make([]byte, 32)})
	hdr := good.Bytes()[:24]
	ethernet := bytes.Clone(hdr)
	binary.NativeEndian.PutUint32(ethernet[20:], 1)
	huge := bytes.Clone(good.Bytes())
	binary.NativeEndian.PutUint32(huge[24+8:], 15<<20) // incl_len 15 MiB, file far shorter
	for _, c := range []struct {
		name string
		in   []byte
		want string
	}{
		{"not netlink", ethernet, "not a netlink capture"},
		{"truncated record", good.Bytes()[:len(good.Bytes())-3], "unexpected EOF"},
		{"length past the file", huge, "unexpected EOF"},
		{"not a capture", []byte("hello, world, this is text"), "not a pcap file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := NewPcapReader(bytes.NewReader(c.in))
			if err == nil {
				_, err = r.Next()
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("want an error saying %q, got %v", c.want, err)
			}
		})
	}
	// A datagram longer than the snapshot length is cut, and reading it
	// back says so.
	var big bytes.Buffer
	w, _ = NewPcapWriter(&big)
	w.Write(Datagram{Dir: rtnl.Received, Data: make([]byte, snapLen+100)})
	r, _ := NewPcapReader(&big)
	if _, err := r.Next(); err == nil || !strings.Contains(err.Error(), "snapshot length") {
		t.Errorf("reading a cut frame: want an error about the snapshot length, got %v", err)
	}
}

// TestDecodeSameFromPcapAndStrace checks that decode reads the strace
// form of some messages and our own pcap of them identically.
func TestDecodeSameFromPcapAndStrace(t *testing.T) {
	ds := straceWalkthrough(t)
	var buf bytes.Buffer
	w, _ := NewPcapWriter(&buf)
	for _, d := range ds {
		w.Write(d)
	}
	back, format, err := ReadDatagrams(&buf)
	if err != nil || format != FormatPcap {
		t.Fatalf("reading our pcap: format %v, error %v", format, err)
	}
	for i := range back {
		back[i].Time = time.Time{}
	}
	if want, got := annotateText(ds), annotateText(back); want != got {
		t.Errorf("the pcap decodes differently from the strace output:\n%s", firstDiff(want, got))
	}
	if want, got := annotateJSON(t, ds), annotateJSON(t, back); want != got {
		t.Errorf("the pcap's JSON differs from the strace output's:\n%s", firstDiff(want, got))
	}
}

func BenchmarkPcapWrite(b *testing.B) {
	w, _ := NewPcapWriter(io.Discard)
	d := Datagram{Dir: rtnl.Received, Time: time.Unix(1700000000, 0), Data: make([]byte, 1500)}
	b.ReportAllocs()
	b.SetBytes(int64(len(d.Data)))
	for b.Loop() {
		w.Write(d)
	}
}
