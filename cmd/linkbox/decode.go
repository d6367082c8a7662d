package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/linkbox/linkbox/rtnl"
	"github.com/linkbox/linkbox/rtnl/wire"
)

const decodeUsage = "decode [-j [-p]] [FILE|-]"

// decodeMain is linkbox decode: it reads netlink datagrams from a file
// (or stdin) and prints them annotated, as --trace does, or as JSON. It
// reads pcap and pcapng captures (linkbox --pcap, or tcpdump/dumpcap on an
// nlmon device), the output of strace -xx, plain hex, and the annotated
// text linkbox itself prints (--trace, --dry-run), and tells them apart
// by themselves.
func decodeMain(e *env, argv []string) int {
	var jsonOut, pretty bool
	file := "-"
	files := 0
	for i := 0; i < len(argv); i++ {
		switch a := argv[i]; {
		case a == "-j" || a == "--json" || a == "-json":
			jsonOut = true
		case a == "-p" || a == "--pretty" || a == "-pretty":
			pretty = true
		case a == "-h" || a == "--help" || a == "help":
			decodeHelp(e.stdout)
			return 0
		case a == "--":
			for _, f := range argv[i+1:] {
				file = f
				files++
			}
			i = len(argv)
		case a != "-" && strings.HasPrefix(a, "-"):
			fmt.Fprintf(e.stderr, "decode: unknown option %q\n", a)
			decodeHelp(e.stderr)
			return 1
		default:
			file = a
			files++
		}
	}
	if files > 1 {
		fmt.Fprintln(e.stderr, "decode: one file at a time")
		decodeHelp(e.stderr)
		return 1
	}

	var r io.Reader = e.stdin
	name := "stdin"
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			fmt.Fprintf(e.stderr, "decode: %v\n", err)
			return 1
		}
		defer f.Close()
		r, name = f, file
	}
	ds, readErr := readDatagrams(r)

	dumps := wire.NewAnnotator(kinds).AnnotateAll(ds)
	out := bufio.NewWriter(e.stdout)
	if jsonOut {
		enc := json.NewEncoder(out)
		if pretty {
			enc.SetIndent("", "  ")
		}
		if dumps == nil {
			dumps = []*wire.Dump{}
		}
		if err := enc.Encode(dumps); err != nil {
			fmt.Fprintf(e.stderr, "decode: %v\n", err)
			return 1
		}
	} else {
		for i, d := range dumps {
			if i > 0 {
				out.WriteByte('\n')
			}
			d.WriteText(out)
		}
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(e.stderr, "decode: %v\n", err)
		return 1
	}
	if readErr != nil {
		fmt.Fprintf(e.stderr, "decode: %s: %v\n", name, readErr)
		return 1
	}
	return 0
}

func decodeHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: linkbox decode [-j [-p]] [FILE|-]

Reads netlink (rtnetlink) datagrams and prints each annotated byte by byte,
as --trace does: offset, bytes, and what they are. FILE (or stdin) may be
  - a pcap or pcapng capture: linkbox --pcap, or tcpdump -w / dumpcap on an
    nlmon device;
  - the output of strace -xx, best with -e write=all -e read=all:
      strace -f -xx -e trace=sendmsg,recvmsg -e write=all -e read=all ip link ...
  - plain hex, a datagram per paragraph (or a message per line);
  - what linkbox --trace and --dry-run print.
  -j   print JSON: per datagram its direction and messages, each with its
       header fields, attributes and ack by name
  -p   indent the JSON
`)
}

// readDatagrams reads the datagrams of any input decode takes. What was
// read before an error is returned with it.
func readDatagrams(r io.Reader) ([]wire.Datagram, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if ds, ok, err := parseAnnotated(b); ok {
		return ds, err
	}
	ds, _, err := wire.ReadDatagrams(bytes.NewReader(b))
	return ds, err
}

// annotatedTitle reads the title line of a dump: "sent: 92 bytes, 1
// message", after a time of day ("12:00:01.000001 ") when the datagram's
// time is known; "would send" and "would receive" in a dry run. It
// returns the direction's word and the size in digits.
func annotatedTitle(l string) (dir, size string, ok bool) {
	if len(l) > 9 && isDigits(l[0:2]) && l[2] == ':' && isDigits(l[3:5]) && l[5] == ':' && isDigits(l[6:8]) && l[8] == '.' {
		n := 9 + countBytes(l[9:], isDecimal)
		if n > 9 && n < len(l) && l[n] == ' ' {
			l = l[n+1:]
		}
	}
	for _, d := range []string{"sent", "received", "would send", "would receive"} {
		rest, found := strings.CutPrefix(l, d+": ")
		if !found {
			continue
		}
		n := countBytes(rest, isDecimal)
		if n > 0 && strings.HasPrefix(rest[n:], " bytes") {
			return d, rest[:n], true
		}
	}
	return "", "", false
}

// annotatedBytes reads a line with bytes: the offset (four hex digits or
// more), two spaces, up to eight bytes in hex each after one space, then
// two spaces or the end of the line. It returns the offset and the bytes
// as they are written.
func annotatedBytes(l string) (off, hex string, ok bool) {
	n := countBytes(l, isLowerHexDigit)
	if n < 4 || !strings.HasPrefix(l[n:], "  ") {
		return "", "", false
	}
	off, rest := l[:n], l[n+2:]
	if countBytes(rest, isLowerHexDigit) < 2 {
		return "", "", false
	}
	end := 2
	for len(rest) >= end+3 && rest[end] == ' ' && isLowerHexDigit(rest[end+1]) && isLowerHexDigit(rest[end+2]) {
		end += 3
	}
	if tail := rest[end:]; tail != "" && !strings.HasPrefix(tail, "  ") {
		return "", "", false
	}
	return off, rest[:end], true
}

func isDecimal(c byte) bool       { return '0' <= c && c <= '9' }
func isLowerHexDigit(c byte) bool { return isDecimal(c) || 'a' <= c && c <= 'f' }
func isDigits(s string) bool      { return countBytes(s, isDecimal) == len(s) }

// countBytes counts the bytes at the start of s that in accepts.
func countBytes(s string, in func(byte) bool) int {
	n := 0
	for n < len(s) && in(s[n]) {
		n++
	}
	return n
}

// parseAnnotated reads linkbox's own annotated text back into datagrams:
// every byte of a datagram is on some line, in order, after the offset it
// has in the datagram. ok reports whether b looks like such text at all
// (its first line that is not blank, nor a dry run's "would: ...", is a
// dump's title).
func parseAnnotated(b []byte) (ds []wire.Datagram, ok bool, err error) {
	var cur *wire.Datagram
	want := 0
	finish := func(line int) error {
		if cur != nil && len(cur.Data) != want {
			return fmt.Errorf("line %d: the dump above has %d bytes, its title says %d", line, len(cur.Data), want)
		}
		return nil
	}
	n := 0
	for l := range strings.Lines(string(b)) {
		n++
		l = strings.TrimRight(l, "\r\n")
		if word, size, isTitle := annotatedTitle(l); isTitle {
			if err := finish(n); err != nil {
				return ds, true, err
			}
			dir := rtnl.Sent
			if word == "received" || word == "would receive" {
				dir = rtnl.Received
			}
			want, _ = strconv.Atoi(size)
			ds = append(ds, wire.Datagram{Dir: dir, Data: make([]byte, 0, want)})
			cur = &ds[len(ds)-1]
			ok = true
			continue
		}
		if cur == nil {
			// Before the first dump: blank lines, and what a dry run
			// says it would do besides sending requests.
			if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "would: ") {
				continue
			}
			return nil, false, nil
		}
		offText, hexText, isBytes := annotatedBytes(l)
		if !isBytes {
			continue // a struct's title, a problem, a blank line
		}
		off, err := strconv.ParseUint(offText, 16, 32)
		if err != nil || int(off) != len(cur.Data) {
			return ds, true, fmt.Errorf("line %d: offset %s where %04x was due", n, offText, len(cur.Data))
		}
		for _, h := range strings.Fields(hexText) {
			v, _ := strconv.ParseUint(h, 16, 8)
			cur.Data = append(cur.Data, byte(v))
		}
	}
	return ds, ok, finish(n + 1)
}
