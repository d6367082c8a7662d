// Package cnitest checks linkbox-cni with the CNI project's own client:
// it builds cnitool, the host-local IPAM plugin and the reference bridge
// plugin from their modules, and linkbox, and runs cnitool add, check,
// status, del and gc against linkbox-cni and against the reference plugin
// in the nstest sandbox, comparing what the containers see.
//
// It is a module of its own so that the main module's go.mod stays
// small. Run it from here: go test ./...
package cnitest
