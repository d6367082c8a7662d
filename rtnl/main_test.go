package rtnl

import (
	"testing"

	"github.com/linkbox/linkbox/nsfs/nstest"
)

func TestMain(m *testing.M) { nstest.Main(m) }

// dial opens a Conn in the sandbox's namespace, closed when t ends.
func dial(t *testing.T) *Conn {
	t.Helper()
	nstest.Require(t)
	c, err := Dial(nil)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func requireSandbox(tb testing.TB) {
	tb.Helper()
	nstest.Require(tb)
}
