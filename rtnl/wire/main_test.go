package wire

import (
	"testing"

	"github.com/linkbox/linkbox/nsfs/nstest"
)

// The kernel tests (tshark agreement, live acks) run in the nstest
// sandbox; the others do not need it.
func TestMain(m *testing.M) { nstest.Main(m) }
