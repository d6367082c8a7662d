package main

func (c *ipCmd) doRoute(a *args) error { return usagef("ip route: not yet implemented") }
