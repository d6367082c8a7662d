package main

import (
	"os"
	"path/filepath"

	"github.com/linkbox/linkbox/rtnl"
)

// nsfsOpen opens a named namespace's file.
func nsfsOpen(name string) (*os.File, error) {
	return os.Open(filepath.Join("/run/netns", name))
}

// nsidNames maps the nsids this namespace has given to named namespaces.
func nsidNames(conn *rtnl.Conn) map[int32]string {
	names := map[int32]string{}
	ents, _ := os.ReadDir("/run/netns")
	for _, ent := range ents {
		f, err := nsfsOpen(ent.Name())
		if err != nil {
			continue
		}
		if id, err := conn.NSIDOfFD(int(f.Fd())); err == nil && id >= 0 {
			names[id] = ent.Name()
		}
		f.Close()
	}
	return names
}
