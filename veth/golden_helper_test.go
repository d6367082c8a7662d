package veth

import (
	"bytes"
	"testing"

	"github.com/linkbox/linkbox/rtnl"
)

// checkGolden compares a request with the bytes iproute2 sent for the
// same command, exactly, and runs it through the strict validator.
func checkGolden(t *testing.T, want, got []byte) {
	t.Helper()
	if !bytes.Equal(want, got) {
		t.Fatalf("request differs from iproute2's:\nwant %x\ngot  %x", want, got)
	}
	if err := rtnl.Validate(got, rtnl.Kinds{Kind}); err != nil {
		t.Fatalf("request fails validation: %v", err)
	}
}
