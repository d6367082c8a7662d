package main

func (c *ipCmd) doMonitor(a *args) error { return usagef("ip monitor: not yet implemented") }
