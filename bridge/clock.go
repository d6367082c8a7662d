package bridge

import (
	"fmt"
	"math"
	"time"
)

// The bridge's times travel as clock_t: hundredths of a second (USER_HZ is
// 100 on every architecture's ABI), whatever the kernel's HZ. The API takes
// and gives time.Duration; these helpers convert, and say what the two
// command lines mean:
//
//   - brctl counts in seconds: `brctl setfd br0 4` is 4*time.Second, and
//     `brctl setageing br0 0.5` is 500*time.Millisecond.
//   - ip counts in centiseconds, whatever its man page says:
//     `ip link set br0 type bridge forward_delay 400` is FromClockT(400),
//     also 4 seconds.

// clockTick is one clock_t unit: 1/USER_HZ seconds.
const clockTick = 10 * time.Millisecond

// FromClockT converts a clock_t count (centiseconds) to a Duration. Counts
// too large for a Duration (over 292 years) saturate.
func FromClockT(v uint64) time.Duration {
	d, ok := fromClockT(v)
	if !ok {
		return math.MaxInt64
	}
	return d
}

func fromClockT(v uint64) (time.Duration, bool) {
	if v > uint64(math.MaxInt64/int64(clockTick)) {
		return 0, false
	}
	return time.Duration(v) * clockTick, true
}

// ClockT converts d to clock_t centiseconds. d must not be negative and
// must be a whole number of centiseconds: the kernel cannot hold anything
// finer, and rounding silently would hide a units mistake.
func ClockT(d time.Duration) (uint64, error) {
	if d < 0 {
		return 0, fmt.Errorf("bridge: negative time %v", d)
	}
	if d%clockTick != 0 {
		return 0, fmt.Errorf("bridge: time %v is not a whole number of centiseconds (the kernel counts clock_t, 1/100 s)", d)
	}
	return uint64(d / clockTick), nil
}

// clockT32 converts d for a u32 attribute.
func clockT32(d time.Duration) (uint32, error) {
	v, err := ClockT(d)
	if err != nil {
		return 0, err
	}
	if v > math.MaxUint32 {
		return 0, fmt.Errorf("bridge: time %v does not fit in a 32-bit clock_t", d)
	}
	return uint32(v), nil
}
