package rtnl

import (
	"encoding/binary"
	"sync"

	"golang.org/x/sys/unix"
)

// indexCache remembers link names resolved to indexes, for a Conn that has
// it switched on. ip -batch resolves the same names line after line (iproute2
// keeps such a cache too); each lookup is a round trip and a full link
// message from the kernel.
type indexCache struct {
	mu sync.Mutex
	m  map[string]int32
}

// CacheLinkIndexes switches on (or off) a cache of the name-to-index lookups
// of LinkIndex. The Conn keeps it true to what it sends itself: every link
// it deletes, renames or moves to another namespace empties the cache, and
// links it creates with NLM_F_ECHO are remembered. Changes made by others
// while the cache is on are not seen: switch it on for a run of work that
// owns the namespace, such as a batch file.
func (c *Conn) CacheLinkIndexes(on bool) {
	c.idx.mu.Lock()
	defer c.idx.mu.Unlock()
	c.idx.m = nil
	if on {
		c.idx.m = map[string]int32{}
	}
}

// RememberLinkIndex adds a name the caller knows the index of, such as a
// veth peer's from IFLA_LINK in the echo of its creation. It does nothing
// unless the cache is on.
func (c *Conn) RememberLinkIndex(name string, index int32) {
	c.idx.mu.Lock()
	defer c.idx.mu.Unlock()
	if c.idx.m != nil && name != "" && index > 0 {
		c.idx.m[name] = index
	}
}

func (c *Conn) cachedIndex(name string) (int32, bool) {
	c.idx.mu.Lock()
	defer c.idx.mu.Unlock()
	idx, ok := c.idx.m[name]
	return idx, ok
}

// observe keeps the cache true to a request that succeeded, and the
// replies it got.
func (c *Conn) observe(r Request, replies []Message) {
	c.idx.mu.Lock()
	defer c.idx.mu.Unlock()
	if c.idx.m == nil {
		return
	}
	switch r.Type {
	case unix.RTM_DELLINK:
		clear(c.idx.m)
	case unix.RTM_NEWLINK, unix.RTM_SETLINK:
		l, ok := r.Payload.(*LinkMessage)
		if !ok {
			clear(c.idx.m) // a change the cache cannot read
			return
		}
		if r.Flags&unix.NLM_F_CREATE == 0 {
			a := &l.Attrs
			if (a.Name != "" && l.Index != 0) || a.NetNSFD != nil || a.NetNSPID != 0 || a.Group != nil && l.Index == 0 {
				clear(c.idx.m) // renamed, moved away, or a group changed
			}
			return
		}
		for _, m := range replies {
			if m.Header.Type != unix.RTM_NEWLINK {
				continue
			}
			idx, _, name, ok := PeekLink(m.Data)
			if ok {
				c.idx.m[name] = idx
			}
		}
	}
}

// PeekLink reads a link message's index, flags and IFLA_IFNAME and
// nothing more: the cheap first look of a listing that streams, or of a
// cache. ok is false when the message is too short or has no name.
func PeekLink(b []byte) (index int32, flags uint32, name string, ok bool) {
	if len(b) < ifinfomsgLen {
		return 0, 0, "", false
	}
	index = int32(binary.NativeEndian.Uint32(b[4:]))
	flags = binary.NativeEndian.Uint32(b[8:])
	d := Decoder{b: b[ifinfomsgLen:]}
	for d.Next() {
		if d.Type() == unix.IFLA_IFNAME {
			return index, flags, d.String(), true
		}
	}
	return index, flags, "", false
}
