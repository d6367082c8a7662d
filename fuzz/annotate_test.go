package fuzz

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/rtnl/wire"
)

// The annotator keeps a node per field and per attribute, and the text of
// each value; a few hundred bytes for each 4 bytes of input.
var annotateLimit = allocLimit{160, 16384}

// FuzzAnnotate fuzzes the annotated decoder, rtnl/wire's Annotator, which
// promises never to fail: any datagram, sent or received, is annotated
// without a panic, every byte shows exactly once and in order in the text
// view, the JSON form marshals, the allocation stays within a multiple of
// the input, and where rtnl's framing reads the datagram, the annotator
// finds the same messages.
func FuzzAnnotate(f *testing.F) {
	for _, s := range Samples() {
		b, err := s.Bytes()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	req, _ := ackRequest.Encode(0)
	f.Add(ackMessage(22, req, 0x200, tlvs(func(e *rtnl.Encoder) { e.String(1, "bad"); e.Uint32(2, 48) })))
	f.Fuzz(func(t *testing.T, in []byte) {
		a := wire.NewAnnotator(Kinds)
		for _, dir := range []rtnl.Direction{rtnl.Sent, rtnl.Received} {
			var d *wire.Dump
			checkAlloc(t, "FuzzAnnotate", in, annotateLimit, func() { d = a.Annotate(wire.Datagram{Dir: dir, Data: in}) })
			checkAnnotation(t, d, in)
		}
	})
}

func checkAnnotation(t *testing.T, d *wire.Dump, in []byte) {
	t.Helper()
	text := d.String()
	shown, err := shownBytes(text)
	if err != nil {
		t.Fatalf("FuzzAnnotate: %v\nin %x\n%s", err, in, text)
	}
	if string(shown) != string(in) {
		t.Fatalf("FuzzAnnotate: the text view shows %x, want every byte of the datagram once, %x\n%s", shown, in, text)
	}
	if _, err := json.Marshal(d); err != nil {
		t.Fatalf("FuzzAnnotate: the JSON form does not marshal: %v\nin %x", err, in)
	}
	msgs, err := rtnl.ParseMessages(in)
	if err != nil {
		return
	}
	if len(d.Messages) != len(msgs) {
		t.Fatalf("FuzzAnnotate: the annotator finds %d messages, rtnl %d\nin %x\n%s", len(d.Messages), len(msgs), in, text)
	}
	off := 0
	for i, m := range msgs {
		am := d.Messages[i]
		if am.Offset != off || am.Type != m.Header.Type || am.Length != int(m.Header.Len) || am.Flags != m.Header.Flags {
			t.Fatalf("FuzzAnnotate: message %d: the annotator has offset %d, type %d, length %d, flags %#x; rtnl offset %d, %+v\nin %x",
				i, am.Offset, am.Type, am.Length, am.Flags, off, m.Header, in)
		}
		off += (int(m.Header.Len) + 3) &^ 3
	}
}

// shownBytes reads a datagram back from the offset and hex columns of an
// annotation's text view: each line that starts with a hex offset gives
// that offset and up to eight bytes. The lines must follow each other
// without a gap or an overlap.
func shownBytes(text string) ([]byte, error) {
	const hexCols = 8*3 - 1
	var out []byte
	for n, l := range strings.Split(text, "\n") {
		if len(l) < 6 || l[0] == ' ' {
			continue
		}
		offText, rest, ok := strings.Cut(l, "  ")
		if !ok {
			continue
		}
		off, err := strconv.ParseUint(offText, 16, 64)
		if err != nil {
			continue // a title line
		}
		if int(off) != len(out) {
			return nil, fmt.Errorf("line %d starts at offset %#x, want %#x: %q", n+1, off, len(out), l)
		}
		rest = rest[:min(len(rest), hexCols)]
		for j := 0; j+1 < len(rest) && rest[j] != ' '; j += 3 {
			v, err := strconv.ParseUint(rest[j:j+2], 16, 8)
			if err != nil {
				return nil, fmt.Errorf("line %d: %v: %q", n+1, err, l)
			}
			out = append(out, byte(v))
		}
	}
	return out, nil
}
