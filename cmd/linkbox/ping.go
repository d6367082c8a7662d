package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// pingOpts are the options of the small ping applet, a subset of iputils'.
type pingOpts struct {
	count    int           // -c: stop after this many replies (0: for ever)
	wait     time.Duration // -W: how long to wait for each reply
	deadline time.Duration // -w: stop after this long
	interval time.Duration // -i: between requests
	size     int           // -s: payload bytes
	iface    string        // -I: interface name or source address
	quiet    bool          // -q
	family   int           // -4 / -6
	dest     string
}

// defaultPingOpts are iputils' defaults: a reply awaited 10 s, one request
// a second, 56 bytes of payload.
func defaultPingOpts() pingOpts {
	return pingOpts{wait: 10 * time.Second, interval: time.Second, size: 56}
}

func pingMain(e *env, argv []string) int {
	o := defaultPingOpts()
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		if len(a) < 2 || a[0] != '-' {
			if o.dest != "" {
				fmt.Fprintf(e.stderr, "ping: extra argument %q\n", a)
				return 2
			}
			o.dest = a
			continue
		}
		flag, val := a[:2], a[2:]
		needVal := func() (string, bool) {
			if val != "" {
				return val, true
			}
			if i+1 < len(argv) {
				i++
				return argv[i], true
			}
			fmt.Fprintf(e.stderr, "ping: option requires an argument -- '%s'\n", flag[1:])
			return "", false
		}
		var err error
		switch flag {
		case "-4":
			o.family = unix.AF_INET
		case "-6":
			o.family = unix.AF_INET6
		case "-q":
			o.quiet = true
		case "-c", "-s":
			v, ok := needVal()
			if !ok {
				return 2
			}
			n, perr := strconv.Atoi(v)
			if perr != nil || n < 0 || (flag == "-s" && n > 65507) {
				err = fmt.Errorf("invalid argument: '%s'", v)
			} else if flag == "-c" {
				o.count = n
			} else {
				o.size = n
			}
		case "-W", "-w", "-i":
			v, ok := needVal()
			if !ok {
				return 2
			}
			secs, perr := strconv.ParseFloat(v, 64)
			if perr != nil || secs < 0 || math.IsInf(secs, 0) || secs > 1e6 {
				err = fmt.Errorf("invalid argument: '%s'", v)
				break
			}
			d := time.Duration(secs * float64(time.Second))
			switch flag {
			case "-W":
				o.wait = d
			case "-w":
				o.deadline = d
			case "-i":
				o.interval = d
			}
		case "-I":
			v, ok := needVal()
			if !ok {
				return 2
			}
			o.iface = v
		default:
			fmt.Fprintf(e.stderr, "ping: invalid option -- '%s'\n", flag[1:])
			return 2
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "ping: %v\n", err)
			return 2
		}
	}
	if o.dest == "" {
		fmt.Fprintf(e.stderr, "Usage: %s\n", pingUsage)
		return 2
	}
	return e.ping(o)
}

const pingUsage = "ping [-4|-6] [-c COUNT] [-i INTERVAL] [-W TIMEOUT] [-w DEADLINE] [-s SIZE] [-I IFACE|ADDR] [-q] DEST"

// pinger holds one ping session's socket and counters.
type pinger struct {
	fd       int
	v6       bool
	raw      bool // a raw socket: replies carry the IP header (IPv4)
	id       uint16
	dst      netip.Addr
	sent     int
	received int
	rtts     []time.Duration
}

func (e *env) ping(o pingOpts) int {
	dst, err := resolvePingDest(o.dest, o.family)
	if err != nil {
		fmt.Fprintf(e.stderr, "ping: %s: %v\n", o.dest, err)
		return 2
	}
	// A dry run sends no packet: name resolution above only reads.
	if e.would("%s", o.command(dst)) {
		return 0
	}
	p, err := openPinger(dst, o.iface)
	if err != nil {
		fmt.Fprintf(e.stderr, "ping: %v\n", err)
		return 2
	}
	defer unix.Close(p.fd)

	hdr := 28
	if p.v6 {
		hdr = 48
	}
	fmt.Fprintf(e.stdout, "PING %s (%s) %d(%d) bytes of data.\n", o.dest, dst, o.size, o.size+hdr)
	start := time.Now()
	for seq := 1; o.count == 0 || p.received < o.count; seq++ {
		if o.count != 0 && p.sent >= o.count {
			break
		}
		if o.deadline > 0 && time.Since(start) >= o.deadline {
			break
		}
		if err := p.send(uint16(seq), o.size); err != nil {
			fmt.Fprintf(e.stderr, "ping: sendmsg: %v\n", err)
			return 2
		}
		sentAt := time.Now()
		wait := o.wait
		if o.deadline > 0 {
			wait = min(wait, o.deadline-time.Since(start))
		}
		n, ttl, rtt, ok := p.await(uint16(seq), sentAt, wait)
		if ok && !o.quiet {
			fmt.Fprintf(e.stdout, "%d bytes from %s: icmp_seq=%d ttl=%d time=%s ms\n", n, dst, seq, ttl, fmtMs(rtt))
		}
		if o.count != 0 && p.sent >= o.count {
			break
		}
		if rest := o.interval - time.Since(sentAt); rest > 0 {
			time.Sleep(rest)
		}
	}
	elapsed := time.Since(start)
	loss := 0
	if p.sent > 0 {
		loss = (p.sent - p.received) * 100 / p.sent
	}
	fmt.Fprintf(e.stdout, "\n--- %s ping statistics ---\n", o.dest)
	fmt.Fprintf(e.stdout, "%d packets transmitted, %d received, %d%% packet loss, time %dms\n",
		p.sent, p.received, loss, elapsed.Milliseconds())
	if p.received > 0 {
		lo, hi, sum := p.rtts[0], p.rtts[0], time.Duration(0)
		for _, r := range p.rtts {
			lo, hi, sum = min(lo, r), max(hi, r), sum+r
		}
		avg := sum / time.Duration(len(p.rtts))
		var dev float64
		for _, r := range p.rtts {
			d := float64(r - avg)
			dev += d * d
		}
		mdev := time.Duration(math.Sqrt(dev / float64(len(p.rtts))))
		fmt.Fprintf(e.stdout, "rtt min/avg/max/mdev = %s/%s/%s/%s ms\n", fmtMs(lo), fmtMs(avg), fmtMs(hi), fmtMs(mdev))
	}
	if p.received == 0 || (o.count != 0 && p.received < o.count) {
		return 1
	}
	return 0
}

// command is the ping command line that does what o asks, to dst: what a
// dry run says it would run.
func (o pingOpts) command(dst netip.Addr) string {
	secs := func(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }
	def := defaultPingOpts()
	var b strings.Builder
	b.WriteString("ping")
	if o.count != 0 {
		fmt.Fprintf(&b, " -c %d", o.count)
	}
	if o.interval != def.interval {
		fmt.Fprintf(&b, " -i %s", secs(o.interval))
	}
	if o.wait != def.wait {
		fmt.Fprintf(&b, " -W %s", secs(o.wait))
	}
	if o.deadline != 0 {
		fmt.Fprintf(&b, " -w %s", secs(o.deadline))
	}
	if o.size != def.size {
		fmt.Fprintf(&b, " -s %d", o.size)
	}
	if o.iface != "" {
		fmt.Fprintf(&b, " -I %s", o.iface)
	}
	if o.quiet {
		b.WriteString(" -q")
	}
	fmt.Fprintf(&b, " %s", dst)
	return b.String()
}

func fmtMs(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 3, 64)
}

// hostsFile is where ping looks names up.
const hostsFile = "/etc/hosts"

// Errors of resolving ping's destination, in getaddrinfo(3)'s words
// (gai_strerror), which ping prints.
var (
	//lint:ignore ST1005 gai_strerror's words, which ping prints as they are
	errNameUnknown = errors.New("Name or service not known")
	//lint:ignore ST1005 likewise
	errFamily = errors.New("Address family for hostname not supported")
)

// resolvePingDest resolves ping's destination without a DNS resolver
// (which would make the static binary much larger): an address, written
// as getaddrinfo(3) takes it (IPv6, dotted IPv4, or inet_aton(3)'s
// shorter forms such as 127.1), or a name in /etc/hosts. A name that is
// not there is not known. family (-4 or -6) keeps addresses of that
// family; the first address that is kept is pinged.
func resolvePingDest(s string, family int) (netip.Addr, error) {
	return resolveHost(s, family, hostsFile)
}

func resolveHost(name string, family int, hosts string) (netip.Addr, error) {
	fits := func(a netip.Addr) bool { return family == 0 || (family == unix.AF_INET) == a.Is4() }
	if a, ok := parseHostAddr(name); ok {
		if !fits(a) {
			return netip.Addr{}, errFamily
		}
		return a, nil
	}
	b, err := os.ReadFile(hosts)
	if err != nil {
		return netip.Addr{}, errNameUnknown
	}
	addrs := hostsLookup(string(b), name)
	if len(addrs) == 0 {
		return netip.Addr{}, errNameUnknown
	}
	for _, a := range addrs {
		if fits(a) {
			return a, nil
		}
	}
	return netip.Addr{}, errFamily
}

// parseHostAddr reads an address as getaddrinfo(3) does with a numeric
// host: IPv6, or IPv4 in the forms inet_aton(3) accepts.
func parseHostAddr(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if a, ok := parseInetAton(s); ok {
		return a, true
	}
	return netip.Addr{}, false
}

// parseInetAton reads an IPv4 address in any form inet_aton(3) accepts:
// one to four parts separated by dots, each decimal, octal (a leading 0)
// or hexadecimal (0x); the last part fills the bytes the others leave
// (127.1 is 127.0.0.1, 2130706433 too).
func parseInetAton(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var v uint64
	for i, p := range parts {
		base := 10
		switch {
		case len(p) > 2 && (p[:2] == "0x" || p[:2] == "0X"):
			p, base = p[2:], 16
		case len(p) > 1 && p[0] == '0':
			p, base = p[1:], 8
		}
		if p == "" || p[0] == '+' || p[0] == '-' {
			return netip.Addr{}, false
		}
		n, err := strconv.ParseUint(p, base, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		if i < len(parts)-1 {
			if n > 0xff {
				return netip.Addr{}, false
			}
			v = v<<8 | n
			continue
		}
		// The last part fills the rest: 32 bits after no part, 24
		// after one, 16 after two, 8 after three.
		bits := 32 - 8*uint(i)
		if n >= 1<<bits {
			return netip.Addr{}, false
		}
		v = v<<bits | n
	}
	var a [4]byte
	binary.BigEndian.PutUint32(a[:], uint32(v))
	return netip.AddrFrom4(a), true
}

// hostsLookup returns the addresses hosts(5) text gives name (its
// canonical name or an alias, in any case), in the order of the lines.
func hostsLookup(hosts, name string) []netip.Addr {
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		return nil
	}
	var out []netip.Addr
	for line := range strings.Lines(hosts) {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		a, err := netip.ParseAddr(f[0])
		if err != nil {
			continue
		}
		for _, h := range f[1:] {
			if strings.EqualFold(strings.TrimSuffix(h, "."), name) {
				out = append(out, a.Unmap())
				break
			}
		}
	}
	return out
}

// openPinger opens an ICMP socket: raw where the process may (root, or
// root in a user namespace that owns the network namespace), else an
// unprivileged ping socket.
func openPinger(dst netip.Addr, iface string) (*pinger, error) {
	p := &pinger{v6: dst.Is6(), dst: dst, id: uint16(os.Getpid())}
	family, proto := unix.AF_INET, unix.IPPROTO_ICMP
	if p.v6 {
		family, proto = unix.AF_INET6, unix.IPPROTO_ICMPV6
	}
	fd, err := unix.Socket(family, unix.SOCK_RAW|unix.SOCK_CLOEXEC, proto)
	p.raw = err == nil
	if err != nil {
		fd, err = unix.Socket(family, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, proto)
		if err != nil {
			return nil, fmt.Errorf("socket: %w", err)
		}
	}
	p.fd = fd
	if iface != "" {
		if src, perr := netip.ParseAddr(iface); perr == nil {
			err = unix.Bind(fd, sockaddr(src))
		} else {
			err = unix.BindToDevice(fd, iface)
		}
		if err != nil {
			unix.Close(fd)
			return nil, fmt.Errorf("-I %s: %w", iface, err)
		}
	}
	if p.v6 {
		// Ask for the hop limit of replies, to print it.
		unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_RECVHOPLIMIT, 1)
	} else if !p.raw {
		unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_RECVTTL, 1)
	}
	return p, nil
}

func sockaddr(a netip.Addr) unix.Sockaddr {
	if a.Is4() {
		return &unix.SockaddrInet4{Addr: a.As4()}
	}
	return &unix.SockaddrInet6{Addr: a.As16()}
}

// send writes one echo request.
func (p *pinger) send(seq uint16, size int) error {
	b := make([]byte, 8+size)
	b[0] = 8 // ICMP_ECHO
	if p.v6 {
		b[0] = 128 // ICMPV6_ECHO_REQUEST
	}
	binary.BigEndian.PutUint16(b[4:], p.id)
	binary.BigEndian.PutUint16(b[6:], seq)
	for i := 8; i < len(b); i++ {
		b[i] = byte(i)
	}
	if !p.v6 {
		// The kernel checksums ICMPv6 itself; ICMPv4 is ours.
		binary.BigEndian.PutUint16(b[2:], icmpChecksum(b))
	}
	p.sent++
	return unix.Sendto(p.fd, b, 0, sockaddr(p.dst))
}

// await waits for the reply to seq until the timeout, and returns its
// size, TTL and round trip.
func (p *pinger) await(seq uint16, sentAt time.Time, timeout time.Duration) (int, int, time.Duration, bool) {
	buf := make([]byte, 65536)
	oob := make([]byte, 128)
	for {
		left := timeout - time.Since(sentAt)
		if left <= 0 {
			return 0, 0, 0, false
		}
		fds := []unix.PollFd{{Fd: int32(p.fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int(left/time.Millisecond)+1)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			continue
		}
		n, oobn, _, from, err := unix.Recvmsg(p.fd, buf, oob, unix.MSG_DONTWAIT)
		if err != nil {
			continue
		}
		rtt := time.Since(sentAt)
		msg, ttl := buf[:n], 0
		if !p.v6 && p.raw {
			if len(msg) < 20 {
				continue
			}
			ihl := int(msg[0]&0x0f) * 4
			ttl = int(msg[8])
			if len(msg) < ihl {
				continue
			}
			msg = msg[ihl:]
		} else {
			ttl = ttlFromControl(oob[:oobn])
		}
		if len(msg) < 8 || !fromAddr(from, p.dst) {
			continue
		}
		wantType := byte(0) // ICMP_ECHOREPLY
		if p.v6 {
			wantType = 129
		}
		// A ping socket rewrites the id to its own port: match on seq then.
		if msg[0] != wantType || binary.BigEndian.Uint16(msg[6:]) != seq ||
			(p.raw && binary.BigEndian.Uint16(msg[4:]) != p.id) {
			continue
		}
		p.received++
		p.rtts = append(p.rtts, rtt)
		return len(msg), ttl, rtt, true
	}
}

func fromAddr(sa unix.Sockaddr, want netip.Addr) bool {
	switch s := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrFrom4(s.Addr) == want
	case *unix.SockaddrInet6:
		return netip.AddrFrom16(s.Addr) == want
	}
	return false
}

func ttlFromControl(oob []byte) int {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return 0
	}
	for _, m := range msgs {
		if (m.Header.Level == unix.IPPROTO_IP && m.Header.Type == unix.IP_TTL) ||
			(m.Header.Level == unix.IPPROTO_IPV6 && m.Header.Type == unix.IPV6_HOPLIMIT) {
			if len(m.Data) >= 4 {
				return int(binary.NativeEndian.Uint32(m.Data))
			}
		}
	}
	return 0
}

// icmpChecksum is the Internet checksum (RFC 1071) over b.
func icmpChecksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}
