package main

import (
	"bytes"
	"strings"
	"testing"
)

// -p lays JSON out as iproute2's writer does; the wanted texts are what
// ip -j -p printed in the sandbox for the same values.
func TestIPJSONIndent(t *testing.T) {
	for _, c := range []struct{ name, compact, want string }{
		{"array of objects, string arrays inline",
			`[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536},{"ifindex":2,"link":"v0","ifname":"v1","flags":["BROADCAST","MULTICAST"]}]`,
			`[ {
        "ifindex": 1,
        "ifname": "lo",
        "flags": [ "LOOPBACK","UP","LOWER_UP" ],
        "mtu": 65536
    },{
        "ifindex": 2,
        "link": "v0",
        "ifname": "v1",
        "flags": [ "BROADCAST","MULTICAST" ]
    } ]`},
		{"nested objects and arrays of objects",
			`[{"ifname":"lo","stats64":{"rx":{"bytes":0,"packets":0},"tx":{"bytes":0}},"addr_info":[{"family":"inet","local":"127.0.0.1"},{"family":"inet6","local":"::1"}]}]`,
			`[ {
        "ifname": "lo",
        "stats64": {
            "rx": {
                "bytes": 0,
                "packets": 0
            },
            "tx": {
                "bytes": 0
            }
        },
        "addr_info": [ {
                "family": "inet",
                "local": "127.0.0.1"
            },{
                "family": "inet6",
                "local": "::1"
            } ]
    } ]`},
		{"empty array", `[]`, `[ ]`},
		{"empty object and array as values", `[{"a":{},"b":[],"c":[{}]}]`, `[ {
        "a": {},
        "b": [ ],
        "c": [ {} ]
    } ]`},
		{"numbers, literals and strings that look like syntax", `[{"hello_timer":0.00,"x":null,"y":true,"s":"a,b:[c]{d} \"e\\"}]`, `[ {
        "hello_timer": 0.00,
        "x": null,
        "y": true,
        "s": "a,b:[c]{d} \"e\\"
    } ]`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			ipJSONIndent(&b, []byte(c.compact), 0)
			if got := b.String(); got != c.want {
				t.Errorf("want\n%s\ngot\n%s", c.want, got)
			}
		})
	}
	// The streaming array lays its elements out the same way.
	var b bytes.Buffer
	a := newJSONArray(&b, true)
	a.add(jobj{{"ifindex", 1}, {"flags", []string{"UP"}}})
	a.add(jobj{{"ifindex", 2}})
	a.close()
	want := "[ {\n        \"ifindex\": 1,\n        \"flags\": [ \"UP\" ]\n    },{\n        \"ifindex\": 2\n    } ]\n"
	if b.String() != want {
		t.Errorf("jsonArray: want\n%s\ngot\n%s", want, b.String())
	}
	b.Reset()
	newJSONArray(&b, true).close()
	if b.String() != "[ ]\n" {
		t.Errorf("empty jsonArray: want %q, got %q", "[ ]\n", b.String())
	}
}

// ip -j -p prints the same bytes as iproute2 for the same state.
func TestIPJSONPrettyMatchesIproute2(t *testing.T) {
	kernel(t)
	ns := "wpretty"
	wireSetup(t, ns)
	mustSys(t, "ip", "-n", ns, "neigh", "add", "198.18.0.9", "lladdr", "02:00:00:00:00:09", "dev", "veth0")
	mustSys(t, "ip", "-n", ns, "-6", "addr", "add", "2001:db8::1/64", "dev", "veth0", "nodad")
	for _, args := range []string{
		"link", "-d link", "-s link", "addr", "-4 addr show dev veth0", "route", "-6 route show table all",
		"neigh", "-br addr", "netns list",
	} {
		argv := append([]string{"-j", "-p", "-n", ns}, strings.Fields(args)...)
		want := mustSys(t, append([]string{"ip"}, argv...)...)
		got := mustLB(t, append([]string{"ip"}, argv...)...)
		if got != want {
			t.Errorf("ip -j -p %s: want iproute2's\n%s\ngot\n%s", args, want, got)
		}
	}
	// A dump that fails leaves the array begun, as iproute2 leaves it.
	for _, args := range []string{"-j route show table 55", "-j -p route show table 55"} {
		argv := append([]string{"ip", "-n", ns}, strings.Fields(args)...)
		if want, got := sys(t, argv...), lb(t, argv...); got != want {
			t.Errorf("ip %s: want iproute2's %+v, got %+v", args, want, got)
		}
	}
	if want, got := mustSys(t, "bridge", "-n", ns, "-j", "-p", "link"), mustLB(t, "bridge", "-n", ns, "-j", "-p", "link"); got != want {
		t.Errorf("bridge -j -p link: want iproute2's\n%s\ngot\n%s", want, got)
	}
}
