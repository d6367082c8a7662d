package main

import "encoding/json"

// jsonEqual compares two decoded JSON values.
func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func jsonMarshal(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
