package fuzz

import (
	"testing"

	"github.com/linkbox/linkbox/nsfs/nstest"
)

// The corpus capture and the differential tests need the kernel; they run
// in the sandbox. The fuzz targets themselves need nothing of it.
func TestMain(m *testing.M) { nstest.Main(m) }
