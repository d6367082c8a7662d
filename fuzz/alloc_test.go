package fuzz

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/rtnl/wire"
)

// TestAllocationsOverCorpus replays every seed file of the byte-slice
// targets through its target's checks, the allocation bound included, and
// reports per target the largest allocation per input byte seen: how much
// headroom each bound has.
func TestAllocationsOverCorpus(t *testing.T) {
	checks := map[string]func(*testing.T, []byte){
		"FuzzAck": func(t *testing.T, in []byte) {
			if m, ok := oneMessage(in); ok && m.Header.Type == 2 {
				checkAck(t, m, in)
			} else if ok && m.Header.Type == 3 {
				checkDone(t, m, in)
			}
		},
		"FuzzDump": checkDump,
		"FuzzAnnotate": func(t *testing.T, in []byte) {
			a := wire.NewAnnotator(Kinds)
			for _, dir := range []rtnl.Direction{rtnl.Sent, rtnl.Received} {
				var d *wire.Dump
				checkAlloc(t, "FuzzAnnotate", in, annotateLimit, func() { d = a.Annotate(wire.Datagram{Dir: dir, Data: in}) })
				checkAnnotation(t, d, in)
			}
		},
	}
	limits := map[string]allocLimit{"FuzzAck": ackLimit, "FuzzDump": dumpLimit, "FuzzAnnotate": annotateLimit}
	for _, fam := range families {
		checks[fam.target] = func(t *testing.T, in []byte) { checkMessage(t, fam, in) }
		limits[fam.target] = fam.limit
	}
	for _, k := range kindTargets {
		checks[k.target] = func(t *testing.T, in []byte) { checkKind(t, k, in) }
		limits[k.target] = k.limit
	}
	var names []string
	for name := range checks {
		names = append(names, name)
	}
	sort.Strings(names)
	var report strings.Builder
	for _, name := range names {
		files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", name, "*"))
		for _, p := range files {
			in, err := readCorpusFile(p)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			checks[name](t, in)
		}
		v, ok := allocStats.Load(name)
		if !ok {
			continue
		}
		s := v.(*allocStat)
		fmt.Fprintf(&report, "\n%-20s %3d seeds  most %6d bytes (input of %5d)  per byte, inputs of 256+: %5.1f (input of %5d)  bound %d·n+%d",
			name, len(files), s.most, s.mostSize, s.perByte, s.large, limits[name].perByte, limits[name].fixed)
	}
	t.Log(report.String())
}
