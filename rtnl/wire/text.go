package wire

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The text view: one line per field, each with its offset in the datagram,
// its bytes in hex (at most eight a line; longer runs continue on the next
// lines), and what they are, indented by nesting, with values aligned in a
// column.
//
//	sent: 92 bytes, 1 message
//	                                nlmsghdr
//	0000  5c 00 00 00                 nlmsg_len            92
//	0004  10 00                       nlmsg_type           RTM_NEWLINK (16)
//	...
//	0020  0a 00 03 00               IFLA_IFNAME            nla_len 10, nla_type 3
//	0024  76 65 74 68 30 00           "veth0"
//	002a  00 00                       padding

const (
	bytesPerLine = 8
	hexWidth     = bytesPerLine*3 - 1
	indentWidth  = 2
	maxNameWidth = 44
)

// line is one line of the text view. off < 0 marks a line without bytes:
// a struct's title or a problem.
type line struct {
	off, n int
	depth  int
	label  string
	value  string
}

type printer struct {
	lines []line
}

func (p *printer) add(off, n, depth int, label, value string) {
	p.lines = append(p.lines, line{off: off, n: n, depth: depth, label: label, value: value})
}

func (p *printer) title(depth int, label string) { p.add(-1, 0, depth, label, "") }

func (p *printer) problem(depth int, s string) {
	if s != "" {
		p.add(-1, 0, depth, "!! "+s, "")
	}
}

func (p *printer) span(s *Span, depth int, label string) {
	if s == nil || s.Length == 0 {
		return
	}
	if label == "" && s.Note != "" {
		label = "(" + s.Note + ")"
	}
	p.add(s.Offset, s.Length, depth, label, "")
}

func (p *printer) padding(s Span, data []byte, depth int) {
	if s.Length <= 0 {
		return
	}
	label := "padding"
	for _, c := range data[s.Offset : s.Offset+s.Length] {
		if c != 0 {
			label = "padding (not zero)"
			break
		}
	}
	p.add(s.Offset, s.Length, depth, label, "")
}

// String returns the text view of the dump.
func (d *Dump) String() string {
	var b strings.Builder
	d.WriteText(&b)
	return b.String()
}

// WriteText writes the text view of the dump: a title line, then a line
// per field.
//
// Values are aligned within each message.
func (d *Dump) WriteText(w io.Writer) error {
	var p printer
	bw := bufio.NewWriter(w)
	bw.WriteString(d.titleLine())
	bw.WriteByte('\n')
	for i, m := range d.Messages {
		if i > 0 {
			bw.WriteByte('\n')
		}
		p.lines = p.lines[:0]
		p.message(m, d.data, 0)
		p.write(bw, d.data)
	}
	p.lines = p.lines[:0]
	p.span(d.Rest, 0, "")
	p.write(bw, d.data)
	return bw.Flush()
}

func (d *Dump) titleLine() string {
	var b strings.Builder
	if !d.time.IsZero() {
		b.WriteString(d.time.Format("15:04:05.000000 "))
	}
	fmt.Fprintf(&b, "%s: %d bytes", d.Direction, d.Length)
	switch len(d.Messages) {
	case 0:
	case 1:
		b.WriteString(", 1 message")
	default:
		fmt.Fprintf(&b, ", %d messages", len(d.Messages))
	}
	return b.String()
}

func (p *printer) message(m *Message, data []byte, depth int) {
	p.title(depth, "nlmsghdr")
	d := depth + 1
	off := m.Offset
	p.add(off, 4, d, "nlmsg_len", strconv.Itoa(m.Length))
	p.add(off+4, 2, d, "nlmsg_type", numberText(uint64(m.Type), m.TypeName, false))
	p.add(off+6, 2, d, "nlmsg_flags", numberText(uint64(m.Flags), strings.Join(m.FlagNames, "|"), true))
	p.add(off+8, 4, d, "nlmsg_seq", strconv.FormatUint(uint64(m.Seq), 10))
	p.add(off+12, 4, d, "nlmsg_pid", strconv.FormatUint(uint64(m.Pid), 10))
	p.problem(depth, m.Problem)
	if m.Header != nil {
		p.structure(m.Header, depth)
	}
	p.attrs(m.Attrs, data, depth)
	if m.Error != nil {
		p.ack(m.Error, data, depth, true)
	}
	if m.Done != nil {
		p.ack(m.Done, data, depth, false)
	}
	p.span(m.Rest, depth, "")
	p.padding(m.pad, data, depth)
}

func (p *printer) structure(s *Struct, depth int) {
	p.title(depth, s.Name)
	for _, f := range s.Fields {
		p.add(f.Offset, f.Length, depth+1, f.Name, f.show)
	}
	p.problem(depth+1, s.Problem)
}

func (p *printer) attrs(list []*Attr, data []byte, depth int) {
	for _, a := range list {
		p.attr(a, data, depth)
	}
}

func (p *printer) attr(a *Attr, data []byte, depth int) {
	name := a.Name
	if name == "" {
		name = "attribute " + strconv.Itoa(int(a.Type))
	}
	typ := strconv.Itoa(int(a.Type))
	if a.NetByteOrder {
		typ = "NLA_F_NET_BYTEORDER|" + typ
	}
	if a.Nested {
		typ = "NLA_F_NESTED|" + typ
	}
	value := "nla_len " + strconv.Itoa(a.Length) + ", nla_type " + typ
	switch {
	case a.kindData && a.Space != "":
		value += fmt.Sprintf(", kind %q", a.Space)
	case a.Value == true:
		value += ", flag"
	}
	p.add(a.Offset, min(4, len(data)-a.Offset), depth, name, value)
	d := depth + 1
	p.problem(d, a.Problem)
	start := a.Offset + 4
	end := a.pend
	switch {
	case a.show != "":
		p.add(start, end-start, d, a.show, "")
		if a.pathNote != "" {
			p.lines[len(p.lines)-1].label += " " + a.pathNote
		}
	case a.Struct != nil:
		p.structure(a.Struct, d)
		p.span(a.Rest, d, "")
	case a.Header != nil || a.Attrs != nil || a.inner != nil || (a.Nested && a.Hex == ""):
		if a.Header != nil {
			p.structure(a.Header, d)
		}
		p.attrs(a.Attrs, data, d)
		p.span(a.Rest, d, "")
	case a.Hex != "":
		p.add(start, len(a.Hex)/2, d, "", "")
	}
	p.padding(a.pad, data, d)
}

func (p *printer) ack(a *Ack, data []byte, depth int, isError bool) {
	if isError {
		p.title(depth, "nlmsgerr")
	}
	d := depth + 1
	if !isError {
		d = depth
	}
	p.add(a.field.Offset, a.field.Length, d, a.field.Name, a.field.show)
	if a.Request != nil {
		p.title(d, "msg: the request")
		p.message(a.Request, data, d+1)
		if a.Capped {
			p.title(d+1, "(its payload is not echoed: NLM_F_CAPPED)")
		}
	}
	p.attrs(a.TLVs, data, depth)
}

// write formats the lines with aligned columns.
func (p *printer) write(w *bufio.Writer, data []byte) {
	offWidth := 4
	for n := len(data); n > 0xffff; n >>= 4 {
		offWidth++
	}
	width := 0
	for _, l := range p.lines {
		if l.value != "" {
			width = max(width, l.depth*indentWidth+len(l.label))
		}
	}
	width = min(width, maxNameWidth)
	const digits = "0123456789abcdef"
	buf := make([]byte, 0, 256)
	for _, l := range p.lines {
		for i := 0; i < max(l.n, 1); i += bytesPerLine {
			buf = buf[:0]
			if l.off < 0 {
				buf = appendSpaces(buf, offWidth+2+hexWidth+2)
			} else {
				for shift := 4 * (offWidth - 1); shift >= 0; shift -= 4 {
					buf = append(buf, digits[(l.off+i)>>shift&15])
				}
				buf = append(buf, ' ', ' ')
				col := len(buf)
				for j, c := range data[l.off+i : l.off+min(l.n, i+bytesPerLine)] {
					if j > 0 {
						buf = append(buf, ' ')
					}
					buf = append(buf, digits[c>>4], digits[c&15])
				}
				buf = appendSpaces(buf, col+hexWidth+2-len(buf))
			}
			if i == 0 {
				start := len(buf)
				buf = appendSpaces(buf, l.depth*indentWidth)
				buf = append(buf, l.label...)
				if l.value != "" {
					buf = appendSpaces(buf, start+width-len(buf))
					buf = append(buf, ' ', ' ')
					buf = append(buf, l.value...)
				}
			}
			for len(buf) > 0 && buf[len(buf)-1] == ' ' {
				buf = buf[:len(buf)-1]
			}
			buf = append(buf, '\n')
			w.Write(buf)
			if l.off < 0 {
				break
			}
		}
	}
}

func appendSpaces(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, ' ')
	}
	return b
}
