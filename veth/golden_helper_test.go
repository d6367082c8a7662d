package veth

import (
	"bytes"
	"testing"
)

// checkGolden compares a request with the bytes iproute2 sent for the
// same command, exactly.
func checkGolden(t *testing.T, want, got []byte) {
	t.Helper()
	if !bytes.Equal(want, got) {
		t.Fatalf("request differs from iproute2's:\nwant %x\ngot  %x", want, got)
	}
}
