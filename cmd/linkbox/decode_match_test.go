package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The regular expressions that annotatedTitle and annotatedBytes replace
// (the binary no longer carries regexp): the hand-written matchers must
// accept the same lines and find the same parts.
var (
	reAnnotatedTitle = regexp.MustCompile(`^(?:\d\d:\d\d:\d\d\.\d+ )?(sent|received|would send|would receive): (\d+) bytes`)
	reAnnotatedBytes = regexp.MustCompile(`^([0-9a-f]{4,})  ([0-9a-f]{2}(?: [0-9a-f]{2})*)(?:  |$)`)
)

func annotatedMatchersAgree(t *testing.T, l string) {
	dir, size, ok := annotatedTitle(l)
	m := reAnnotatedTitle.FindStringSubmatch(l)
	if ok != (m != nil) || ok && (dir != m[1] || size != m[2]) {
		t.Errorf("annotatedTitle(%q): want %q, got %q %q %v", l, m, dir, size, ok)
	}
	off, hex, ok := annotatedBytes(l)
	m = reAnnotatedBytes.FindStringSubmatch(l)
	if ok != (m != nil) || ok && (off != m[1] || hex != m[2]) {
		t.Errorf("annotatedBytes(%q): want %q, got %q %q %v", l, m, off, hex, ok)
	}
}

func FuzzAnnotatedMatchers(f *testing.F) {
	// Every line of the golden dumps of --dry-run and of rtnl/wire.
	files, _ := filepath.Glob("testdata/wire/*.golden")
	more, _ := filepath.Glob("../../rtnl/wire/testdata/*.golden")
	if len(files) == 0 || len(more) == 0 {
		f.Fatalf("want golden dumps in testdata/wire and rtnl/wire/testdata, found %d and %d", len(files), len(more))
	}
	for _, name := range append(files, more...) {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for l := range strings.Lines(string(b)) {
			f.Add(strings.TrimRight(l, "\n"))
		}
	}
	for _, l := range []string{
		"12:00:01.000001 sent: 92 bytes, 1 message", "12:00:01. sent: 92 bytes", "12:00:01.5 received: 7 bytes",
		"12:00:01.5  sent: 1 bytes", "1:00:01.5 sent: 1 bytes", "would send: 0 bytes", "would receive: 12 bytesx",
		"sent: bytes", "sent:  1 bytes", "sent: 1 byte", "Sent: 1 bytes", "12:00:01.5 would: 1 bytes",
		"0000  5c 00 00 00                nlmsg_len", "0000  5c", "0000  5c ", "0000  5c  ", "000  5c", "00000  5c 00",
		"0000  5c 00 0", "0000  5c 00 000  x", "0000  5c0", "0000  5C", "0000 5c", "0000  ", "abcd  ef ab cd ef 01 23 45 67  x",
		"0000  5c  00", "0000  5c 00 ", "0010  00 00\tx",
	} {
		f.Add(l)
	}
	f.Fuzz(annotatedMatchersAgree)
}
