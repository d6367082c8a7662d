package fuzz

import (
	"bytes"
	"fmt"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/linkbox/linkbox/bridge"
	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/veth"
)

// A kindTarget fuzzes one link kind's data: the attributes nested in
// IFLA_INFO_DATA (or IFLA_INFO_SLAVE_DATA for a port kind).
type kindTarget struct {
	target string
	goType string
	kind   string // IFLA_INFO_KIND of a request carrying it
	slave  bool
	limit  allocLimit
	new    func() rtnl.LinkData
}

var (
	vethTarget   = &kindTarget{"FuzzVethInfo", "*veth.Info", "veth", false, allocLimit{32, 4096}, func() rtnl.LinkData { return new(veth.Info) }}
	bridgeTarget = &kindTarget{"FuzzBridgeInfo", "*bridge.Info", "bridge", false, allocLimit{24, 4096}, func() rtnl.LinkData { return new(bridge.Info) }}
	portTarget   = &kindTarget{"FuzzBridgePortInfo", "*bridge.PortInfo", "bridge_slave", true, allocLimit{24, 4096}, func() rtnl.LinkData { return new(bridge.PortInfo) }}
	kindTargets  = []*kindTarget{vethTarget, bridgeTarget, portTarget}
)

// wrap puts kind data into the RTM_NEWLINK request that would carry it,
// for the validator.
func (k *kindTarget) wrap(data []byte) []byte {
	b, err := rtnl.Request{Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_ACK | unix.NLM_F_CREATE | unix.NLM_F_EXCL, Payload: payloadFunc(func(e *rtnl.Encoder) {
		e.Append(make([]byte, unix.SizeofIfInfomsg))
		e.Nest(unix.IFLA_LINKINFO, func(e *rtnl.Encoder) {
			e.Bytes(unix.IFLA_INFO_KIND, []byte(k.kind))
			t := uint16(unix.IFLA_INFO_DATA)
			if k.slave {
				t = unix.IFLA_INFO_SLAVE_DATA
			}
			e.Nest(t, func(e *rtnl.Encoder) { e.Append(pad4(data)) })
		})
	})}.Encode(1)
	if err != nil {
		return nil
	}
	return b
}

type payloadFunc func(e *rtnl.Encoder)

func (f payloadFunc) Encode(e *rtnl.Encoder) { f(e) }

// pad4 pads b with zeros to a multiple of 4 bytes.
func pad4(b []byte) []byte {
	if len(b)%4 == 0 {
		return b
	}
	return append(bytes.Clone(b), make([]byte, 4-len(b)%4)...)
}

// checkKind checks the properties on one kind's data.
func checkKind(t *testing.T, k *kindTarget, in []byte) {
	t.Helper()
	wrapped := k.wrap(in)
	valid := wrapped != nil && validIn(wrapped)
	var x rtnl.LinkData
	var err error
	// A fresh value each time: checkAlloc may decode more than once, and
	// LinkData.Decode adds to what the value holds.
	checkAlloc(t, k.target, in, k.limit, func() {
		x = k.new()
		err = x.Decode(rtnl.NewDecoder(in))
	})
	if err != nil {
		return
	}
	if got := fmt.Sprintf("%T", x); got != k.goType {
		t.Fatalf("%s decoded %s data as %s, want %s", k.target, k.kind, got, k.goType)
	}
	if want, _ := cutSlave(k.kind); x.Kind() != want {
		t.Fatalf("%s: the decoded data says kind %q, want %q", k.target, x.Kind(), want)
	}
	out := encode(t, k.target, x)
	y := k.new()
	if err := y.Decode(rtnl.NewDecoder(out)); err != nil {
		t.Fatalf("%s: the re-encoded data does not decode: %v\nin  %x\nout %x", k.target, err, in, out)
	}
	sameValue(t, k.target, x, y, in, out)
	if again := encode(t, k.target, y); !bytes.Equal(out, again) {
		t.Fatalf("%s: the second encoding differs from the first\nin     %x\nfirst  %x\nsecond %x", k.target, in, out, again)
	}
	keepsValid(t, k.target, valid, wrapped, k.wrap(out))
	if k == vethTarget {
		checkPeer(t, x.(*veth.Info), in)
	}
}

// checkPeer checks that the peer inside VETH_INFO_PEER is a link message
// of its own, with the link message's properties.
func checkPeer(t *testing.T, x *veth.Info, in []byte) {
	t.Helper()
	if x.Peer == nil {
		return
	}
	if got := fmt.Sprintf("%T", any(x.Peer)); got != "*rtnl.LinkMessage" {
		t.Fatalf("FuzzVethInfo: the peer decoded as %s, want *rtnl.LinkMessage", got)
	}
	p := encode(t, "FuzzVethInfo peer", x.Peer)
	var again rtnl.LinkMessage
	if err := again.Decode(p, nil); err != nil {
		t.Fatalf("FuzzVethInfo: the peer's encoding does not decode as a link message: %v\nin %x\npeer %x", err, in, p)
	}
	if q := encode(t, "FuzzVethInfo peer", &again); !bytes.Equal(p, q) {
		t.Fatalf("FuzzVethInfo: the peer's encoding is not stable\nin %x\nfirst  %x\nsecond %x", in, p, q)
	}
}

func cutSlave(kind string) (string, bool) {
	if k, ok := bytes.CutSuffix([]byte(kind), []byte("_slave")); ok {
		return string(k), true
	}
	return kind, false
}

// seedKind adds the kind data of every link sample of kind k.
func seedKind(f *testing.F, k *kindTarget) {
	for _, s := range Samples() {
		if s.Request.Type != unix.RTM_NEWLINK {
			continue
		}
		b, err := s.Bytes()
		if err != nil {
			f.Fatal(err)
		}
		if d := kindData(b[rtnl.HeaderLen:], k); d != nil {
			f.Add(d)
		}
	}
}

// kindData returns the encoded kind data of k in a link message payload,
// or nil.
func kindData(payload []byte, k *kindTarget) []byte {
	var m rtnl.LinkMessage
	if err := m.Decode(payload, Kinds); err != nil || m.Attrs.Info == nil {
		return nil
	}
	ld := m.Attrs.Info.Data
	if k.slave {
		ld = m.Attrs.Info.SlaveData
	}
	if ld == nil || fmt.Sprintf("%T", ld) != k.goType {
		return nil
	}
	e := rtnl.NewEncoder(nil)
	ld.Encode(e)
	b, err := e.Encode()
	if err != nil {
		return nil
	}
	return b
}

// FuzzVethInfo fuzzes a veth's IFLA_INFO_DATA through *veth.Info: the
// VETH_INFO_PEER nest and the whole link message of the peer in it.
func FuzzVethInfo(f *testing.F) {
	seedKind(f, vethTarget)
	f.Fuzz(func(t *testing.T, in []byte) { checkKind(t, vethTarget, in) })
}

// FuzzBridgeInfo fuzzes a bridge's IFLA_INFO_DATA through *bridge.Info.
func FuzzBridgeInfo(f *testing.F) {
	seedKind(f, bridgeTarget)
	f.Fuzz(func(t *testing.T, in []byte) { checkKind(t, bridgeTarget, in) })
}

// FuzzBridgePortInfo fuzzes a bridge port's IFLA_INFO_SLAVE_DATA through
// *bridge.PortInfo.
func FuzzBridgePortInfo(f *testing.F) {
	seedKind(f, portTarget)
	f.Fuzz(func(t *testing.T, in []byte) { checkKind(t, portTarget, in) })
}

// The kind targets decode with the kinds linkbox hands to its decoders:
// the Kinds entry for each kind makes the same Go type as the target.
func TestKindTargetsMatchKinds(t *testing.T) {
	for _, k := range kindTargets {
		name, slave := cutSlave(k.kind)
		var found bool
		for _, kk := range Kinds {
			if kk.Name != name || kk.Slave != slave {
				continue
			}
			found = true
			if got := fmt.Sprintf("%T", kk.New()); got != k.goType {
				t.Errorf("%s: Kinds makes %s for %q, the target %s", k.target, got, k.kind, k.goType)
			}
		}
		if !found {
			t.Errorf("%s: no kind %q (slave %v) in Kinds", k.target, name, slave)
		}
	}
}
