package main

import (
	"bytes"
	"encoding/json"
	"io"
)

// jobj is a JSON object that keeps its keys in the order they were added,
// so that output follows iproute2's key order.
type jobj []jkv

type jkv struct {
	k string
	v any
}

// add appends a key and returns the object, for chaining.
func (o *jobj) add(k string, v any) *jobj {
	*o = append(*o, jkv{k, v})
	return o
}

// MarshalJSON writes the object with its keys in order.
func (o jobj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, kv := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := compactJSON(kv.k)
		b.Write(k)
		b.WriteByte(':')
		v, err := compactJSON(kv.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeJSON writes v as ip -j does: compact, or with -p laid out as
// iproute2's JSON writer lays it out (see ipJSONIndent), and a newline at
// the end.
func writeJSON(w io.Writer, v any, pretty bool) error {
	raw, err := compactJSON(v)
	if err != nil {
		return err
	}
	if pretty {
		var b bytes.Buffer
		ipJSONIndent(&b, raw, 0)
		raw = b.Bytes()
	}
	_, err = w.Write(append(raw, '\n'))
	return err
}

// compactJSON marshals v without spaces, and without escaping <, > and &
// (iproute2 writes them as they are).
func compactJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// ipJSONIndent writes compact JSON src as iproute2's JSON writer
// (lib/json_writer.c) writes it with -p: each member of an object on a
// line of its own, indented four spaces a level, with ": " after its
// name; the closing brace of an object on a line of its own; and arrays
// on one line, "[ " and " ]" around elements separated by a comma alone,
// so that an array of objects reads "[ {", "},{", "} ]" and an array of
// strings [ "A","B" ]. An empty array is "[ ]", an empty object "{}".
// depth is the level src starts at: 1 for an element of a top-level
// array written on its own.
func ipJSONIndent(b *bytes.Buffer, src []byte, depth int) {
	// more: something was written at this level, and the next value
	// needs a comma before it.
	more := false
	newline := func() {
		b.WriteByte('\n')
		for range depth {
			b.WriteString("    ")
		}
	}
	for i := 0; i < len(src); {
		switch c := src[i]; c {
		case '{', '[':
			if more {
				b.WriteByte(',')
			}
			b.WriteByte(c)
			if c == '[' {
				b.WriteByte(' ')
			}
			depth++
			more = false
			i++
		case '}':
			depth--
			if more {
				newline()
			}
			b.WriteByte('}')
			more = true
			i++
		case ']':
			if more {
				b.WriteByte(' ')
			}
			depth--
			b.WriteByte(']')
			more = true
			i++
		case ',', ':', ' ', '\t', '\n', '\r':
			i++ // the layout decides where commas and blanks go
		default:
			j := jsonTokenEnd(src, i)
			if more {
				b.WriteByte(',')
			}
			if c == '"' && j < len(src) && src[j] == ':' {
				// A member's name.
				newline()
				b.Write(src[i:j])
				b.WriteString(": ")
				more = false
				i = j + 1
				continue
			}
			b.Write(src[i:j])
			more = true
			i = j
		}
	}
}

// jsonTokenEnd returns where the string, number or literal that starts
// at src[i] ends.
func jsonTokenEnd(src []byte, i int) int {
	if src[i] == '"' {
		for j := i + 1; j < len(src); j++ {
			switch src[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return len(src)
	}
	for j := i; j < len(src); j++ {
		switch src[j] {
		case ',', ':', ']', '}', ' ', '\t', '\n', '\r':
			return j
		}
	}
	return len(src)
}

// jsonArray writes a JSON array element by element, as writeJSON would
// write the whole slice, without holding the elements.
type jsonArray struct {
	w      io.Writer
	pretty bool
	n      int
	err    error
}

func newJSONArray(w io.Writer, pretty bool) *jsonArray {
	a := &jsonArray{w: w, pretty: pretty}
	start := "["
	if pretty {
		start = "[ "
	}
	_, a.err = io.WriteString(w, start)
	return a
}

// add writes one element.
func (a *jsonArray) add(v any) error {
	if a.err != nil {
		return a.err
	}
	raw, err := compactJSON(v)
	if err != nil {
		a.err = err
		return err
	}
	var b bytes.Buffer
	if a.n > 0 {
		b.WriteByte(',')
	}
	if a.pretty {
		ipJSONIndent(&b, raw, 1)
	} else {
		b.Write(raw)
	}
	a.n++
	_, a.err = a.w.Write(b.Bytes())
	return a.err
}

// close ends the array.
func (a *jsonArray) close() error {
	if a.err != nil {
		return a.err
	}
	end := "]\n"
	if a.pretty && a.n > 0 {
		end = " ]\n"
	}
	_, a.err = io.WriteString(a.w, end)
	return a.err
}
