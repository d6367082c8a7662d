package main

func (c *ipCmd) doNeigh(a *args) error { return usagef("ip neigh: not yet implemented") }
