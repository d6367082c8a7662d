package veth

import (
	"testing"

	"github.com/linkbox/linkbox/nsfs/nstest"
	"github.com/linkbox/linkbox/rtnl"
)

func TestMain(m *testing.M) { nstest.Main(m) }

// dial opens a Conn in the sandbox's namespace that knows the veth kind,
// closed when t ends.
func dial(t testing.TB) *rtnl.Conn {
	t.Helper()
	nstest.Require(t)
	c, err := rtnl.Dial(&rtnl.Config{Kinds: rtnl.Kinds{Kind}})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
