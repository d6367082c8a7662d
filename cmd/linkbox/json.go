package main

import (
	"bytes"
	"encoding/json"
	"io"
	"iter"
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

// writeJSONArray writes a JSON array element by element, as writeJSON
// would write the whole slice, without holding the elements.
func (c *ipCmd) writeJSONArray(w io.Writer, elems iter.Seq[any]) error {
	first := true
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	for v := range elems {
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if c.opts.pretty {
			var ind bytes.Buffer
			json.Indent(&ind, raw, "    ", "    ")
			raw = append([]byte("\n    "), ind.Bytes()...)
		}
		if !first {
			io.WriteString(w, ",")
		}
		first = false
		if _, err := w.Write(raw); err != nil {
			return err
		}
	}
	end := "]\n"
	if c.opts.pretty && !first {
		end = "\n]\n"
	}
	_, err := io.WriteString(w, end)
	return err
}
