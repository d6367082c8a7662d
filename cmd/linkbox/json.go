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
		k, _ := json.Marshal(kv.k)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(kv.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeJSON writes v as ip -j does: compact, or indented with -p, and a
// newline at the end.
func writeJSON(w io.Writer, v any, pretty bool) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if pretty {
		enc.SetIndent("", "    ")
	}
	return enc.Encode(v)
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
	_, a.err = io.WriteString(w, "[")
	return a
}

// add writes one element.
func (a *jsonArray) add(v any) error {
	if a.err != nil {
		return a.err
	}
	raw, err := json.Marshal(v)
	if err != nil {
		a.err = err
		return err
	}
	if a.n > 0 {
		io.WriteString(a.w, ",")
	}
	if a.pretty {
		var ind bytes.Buffer
		json.Indent(&ind, raw, "    ", "    ")
		raw = append([]byte("\n    "), ind.Bytes()...)
	}
	a.n++
	_, a.err = a.w.Write(raw)
	return a.err
}

// close ends the array.
func (a *jsonArray) close() error {
	if a.err != nil {
		return a.err
	}
	end := "]\n"
	if a.pretty && a.n > 0 {
		end = "\n]\n"
	}
	_, a.err = io.WriteString(a.w, end)
	return a.err
}
