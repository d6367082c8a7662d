package main

import "math"

// Numbers as iproute2 and bridge-utils read them, through C's strtoul,
// strtol and strtod, so that what they accept (and refuse) is accepted
// (and refused) here too: leading blanks, a sign, 0x for hex and a leading
// 0 for octal; Go's strconv differs (underscores, 0o, 0b).

// isCSpace reports whether c is white space for isspace(3) in the C locale.
func isCSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

// digitVal returns the value of c as a digit, or 99.
func digitVal(c byte) uint64 {
	switch {
	case c >= '0' && c <= '9':
		return uint64(c - '0')
	case c >= 'a' && c <= 'z':
		return uint64(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return uint64(c-'A') + 10
	}
	return 99
}

// cStrtoull is strtoull(s, &end, 0): the value, how many bytes it used
// (0 when there is no number), and whether it overflowed (ERANGE, the
// value is then the maximum). A minus sign negates in unsigned arithmetic,
// as C does.
func cStrtoull(s string) (v uint64, n int, overflow bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	base := uint64(10)
	if i < len(s) && s[i] == '0' {
		if i+2 < len(s) && (s[i+1] == 'x' || s[i+1] == 'X') && digitVal(s[i+2]) < 16 {
			base = 16
			i += 2
		} else {
			base = 8
		}
	}
	start := i
	for i < len(s) && digitVal(s[i]) < base {
		d := digitVal(s[i])
		if !overflow {
			if v > (math.MaxUint64-d)/base {
				overflow = true
			} else {
				v = v*base + d
			}
		}
		i++
	}
	if i == start {
		return 0, 0, false
	}
	if overflow {
		return math.MaxUint64, i, true
	}
	if neg {
		v = -v
	}
	return v, i, false
}

// cUint parses s as iproute2's get_u8/get_u16/get_u32/get_u64 do (base
// 0): the whole string must be a number, and it must fit in bits.
func cUint(s string, bits int) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	v, n, overflow := cStrtoull(s)
	if n == 0 || n != len(s) || overflow {
		return 0, false
	}
	if bits < 64 && v > 1<<bits-1 {
		return 0, false
	}
	return v, true
}

// cScanInt is sscanf(s, "%i", &int): leading blanks, a sign, a number in
// base 0, anything after it ignored. ok is false when no number starts s.
// Values beyond a C long saturate, then are cut to an int, as glibc does.
func cScanInt(s string) (int32, bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := i < len(s) && s[i] == '-'
	v, n, overflow := cStrtoull(s[i:])
	if n == 0 {
		return 0, false
	}
	var l int64
	switch {
	case overflow && neg:
		l = math.MinInt64
	case overflow:
		l = math.MaxInt64
	case neg && int64(v) > 0, !neg && v > math.MaxInt64:
		// Out of a long's range: strtol saturates.
		if neg {
			l = math.MinInt64
		} else {
			l = math.MaxInt64
		}
	default:
		l = int64(v)
	}
	return int32(l), true
}
