package main

// Placeholder until ip netns lands. This file goes when it does.

func (c *ipCmd) doNetns(a *args) error { return usagef("ip netns: not yet implemented") }
