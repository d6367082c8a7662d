package nsfs

import (
	"errors"
	"os"
	"testing"
)

func isExist(err error) bool      { return errors.Is(err, ErrExist) && errors.Is(err, os.ErrExist) }
func isPermission(err error) bool { return errors.Is(err, ErrPermission) && errors.Is(err, os.ErrPermission) }

func TestAddListDelete(t *testing.T) {
	d := testDir(t)
	if err := d.Add("blue"); err != nil {
		t.Fatalf("Add: %v", err)
	}
	checkNamed(t, d, "blue")
	entries, err := d.List()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", entries)
	if err := d.Add("blue"); !isExist(err) {
		t.Errorf("second Add: want ErrExist, got %v", err)
	}
	ns, err := d.Open("blue")
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	t.Logf("%v", ns)
	if err := d.Delete("blue"); err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", mountsUnder(t, d.Path))
}
