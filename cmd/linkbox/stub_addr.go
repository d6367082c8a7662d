package main

// Placeholders until ip address, route, neigh and monitor land; each says
// so clearly. This file goes when they do.

func (c *ipCmd) doAddress(a *args) error { return usagef("ip address: not yet implemented") }
func (c *ipCmd) doRoute(a *args) error   { return usagef("ip route: not yet implemented") }
func (c *ipCmd) doNeigh(a *args) error   { return usagef("ip neigh: not yet implemented") }
func (c *ipCmd) doMonitor(a *args) error { return usagef("ip monitor: not yet implemented") }
