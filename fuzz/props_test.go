package fuzz

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/linkbox/linkbox/rtnl"
)

// The properties every decoding target checks, shared by the targets.

// allocLimit bounds what decoding an input of n bytes may allocate:
// perByte bytes for each input byte, plus fixed. The decoders allocate
// per attribute (an Attr and a layout slot for every 4 bytes at least),
// per string, and one value per nest they decode; never from a length
// read out of the input.
type allocLimit struct {
	perByte uint64
	fixed   uint64
}

// allocEvery makes the allocation check run on one input in N inside a
// fuzzing worker, where a ReadMemStats (a stop-the-world) costs more than
// the rest of a call: inputs are chosen by a hash of their bytes, so an
// input that fails fails again when replayed, and replaying the corpus
// (plain go test) checks every input. LINKBOX_FUZZ_ALLOC_EVERY=N sets N;
// 1 checks every input while fuzzing too.
var allocEvery = func() uint32 {
	if v, err := strconv.ParseUint(os.Getenv("LINKBOX_FUZZ_ALLOC_EVERY"), 10, 32); err == nil && v > 0 {
		return uint32(v)
	}
	if f := flag.Lookup("test.fuzzworker"); f != nil && f.Value.String() == "true" {
		return 8
	}
	return 1
}()

// allocStats records, per target, the largest allocation seen per input
// byte, for TestAllocReport.
var allocStats sync.Map // target name -> *allocStat

type allocStat struct {
	mu       sync.Mutex
	perByte  float64 // largest allocation per input byte, over inputs of 256 bytes or more
	large    int     // the size of that input
	most     uint64  // largest allocation
	mostSize int     // the size of its input
}

// checkAlloc runs fn, which decodes the input in into a value it makes
// afresh (fn may run more than once), and fails t if it allocated more
// than lim allows. The measurement is exact (ReadMemStats
// flushes the per-P caches) as long as nothing else allocates meanwhile,
// which holds inside a fuzz target's call.
func checkAlloc(t *testing.T, target string, in []byte, lim allocLimit, fn func()) {
	t.Helper()
	if allocEvery > 1 && fnv32(in)%allocEvery != 0 {
		fn()
		return
	}
	limit := lim.perByte*uint64(len(in)) + lim.fixed
	var got uint64
	// While fuzzing, the fuzzing engine's own goroutines now and then
	// allocate during a call. Decoding is pure and allocates the same
	// each time, so an input over the limit is decoded again: only one
	// over it every time fails.
	for try := 0; ; try++ {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		fn()
		runtime.ReadMemStats(&after)
		got = after.TotalAlloc - before.TotalAlloc
		if got <= limit {
			break
		}
		if try == 2 {
			t.Fatalf("%s: decoding %d bytes allocated %d bytes, more than %d·%d+%d = %d, three times\ninput %x",
				target, len(in), got, lim.perByte, len(in), lim.fixed, limit, in)
		}
	}
	v, _ := allocStats.LoadOrStore(target, new(allocStat))
	st := v.(*allocStat)
	st.mu.Lock()
	if r := float64(got) / float64(len(in)); len(in) >= 256 && r > st.perByte {
		st.perByte, st.large = r, len(in)
	}
	if got > st.most {
		st.most, st.mostSize = got, len(in)
	}
	st.mu.Unlock()
}

func fnv32(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}

// encode encodes a payload, failing t on an encoding error: whatever
// decodes must encode.
func encode(t *testing.T, what string, p interface{ Encode(*rtnl.Encoder) }) []byte {
	t.Helper()
	e := rtnl.NewEncoder(nil)
	p.Encode(e)
	b, err := e.Encode()
	if err != nil {
		t.Fatalf("%s: a decoded value does not encode: %v", what, err)
	}
	return b
}

// frame puts a payload behind a copy of header h, as a request or a
// kernel message of that type would carry it.
func frame(h rtnl.Header, payload []byte) []byte {
	b, err := rtnl.Message{Header: h, Data: payload}.MarshalBinary()
	if err != nil {
		panic(err)
	}
	return b
}

// sameValue fails t unless x and y are deeply equal, unexported fields
// and all.
func sameValue(t *testing.T, what string, x, y any, in, out []byte) {
	t.Helper()
	if !reflect.DeepEqual(x, y) {
		t.Fatalf("%s: decode(encode(decode(in))) differs from decode(in)\nin  %x\nout %x\nfirst  %s\nsecond %s",
			what, in, out, show(x), show(y))
	}
}

// show prints a value with the pointers it holds followed.
func show(v any) string {
	var b bytes.Buffer
	showValue(&b, reflect.ValueOf(v), 0)
	return b.String()
}

func showValue(b *bytes.Buffer, v reflect.Value, depth int) {
	if depth > 8 {
		b.WriteString("…")
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		if v.Kind() == reflect.Pointer {
			b.WriteString("&")
		}
		showValue(b, v.Elem(), depth+1)
	case reflect.Struct:
		b.WriteString(v.Type().Name() + "{")
		for i := range v.NumField() {
			f := v.Field(i)
			if f.IsZero() {
				continue
			}
			fmt.Fprintf(b, "%s:", v.Type().Field(i).Name)
			showValue(b, f, depth+1)
			b.WriteString(" ")
		}
		b.WriteString("}")
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			fmt.Fprintf(b, "%x", v.Bytes())
			return
		}
		b.WriteString("[")
		for i := range v.Len() {
			showValue(b, v.Index(i), depth+1)
			b.WriteString(" ")
		}
		b.WriteString("]")
	default:
		if v.CanInterface() {
			fmt.Fprintf(b, "%v", v.Interface())
		} else {
			fmt.Fprintf(b, "%v", v)
		}
	}
}

// validIn reports whether rtnl.Validate accepts msg. Validate itself must
// not panic on any input, so every target calls it.
func validIn(msg []byte) bool { return rtnl.Validate(msg, Kinds) == nil }

// keepsValid fails t if in was valid and out, its re-encoding, is not.
func keepsValid(t *testing.T, what string, valid bool, in, out []byte) {
	t.Helper()
	if !valid {
		return
	}
	if err := rtnl.Validate(out, Kinds); err != nil {
		t.Fatalf("%s: the input passes rtnl.Validate, its re-encoding does not: %v\nin  %x\nout %x", what, err, in, out)
	}
}

// header returns the nlmsghdr of msg; msg holds one at least.
func header(msg []byte) rtnl.Header {
	return rtnl.Header{
		Len:   binary.NativeEndian.Uint32(msg),
		Type:  binary.NativeEndian.Uint16(msg[4:]),
		Flags: binary.NativeEndian.Uint16(msg[6:]),
		Seq:   binary.NativeEndian.Uint32(msg[8:]),
		Pid:   binary.NativeEndian.Uint32(msg[12:]),
	}
}

// oneMessage returns the one message in b, or false if b is not exactly
// one well-framed message (trailing padding allowed).
func oneMessage(b []byte) (rtnl.Message, bool) {
	var m rtnl.Message
	if err := m.UnmarshalBinary(b); err != nil {
		return m, false
	}
	return m, true
}

// seedAll adds every sample whose message type is one of types.
func seedSamples(f *testing.F, keep func(rtnl.Request) bool) {
	for _, s := range Samples() {
		if !keep(s.Request) {
			continue
		}
		b, err := s.Bytes()
		if err != nil {
			f.Fatalf("sample %q: %v", s.Name, err)
		}
		f.Add(b)
	}
}
