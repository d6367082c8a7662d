#!/usr/bin/env bash
# make demo: the seed's topology, built and checked with linkbox alone.
# Two namespaces joined through veth pairs and a bridge, traffic crossing
# it, then teardown. It runs in a sandbox of its own (new user, network and
# mount namespaces, a private /run): the machine's network is not touched,
# and it works as root or not.
#   cmd/linkbox/demo.sh bin/linkbox
set -euo pipefail

bin=$(realpath "${1:-bin/linkbox}")
if [ "${LINKBOX_DEMO_SANDBOX:-}" != 1 ]; then
	exec unshare --user --map-root-user --net --mount --propagation private \
		env LINKBOX_DEMO_SANDBOX=1 bash "$0" "$bin"
fi
mount -t tmpfs tmpfs /run
mount -t sysfs sysfs /sys
apps=$(mktemp -d /run/linkbox.XXXXXX)
"$bin" --install "$apps"
ln -s "$bin" "$apps/linkbox"
export PATH="$apps:$PATH"

step() { printf '\n\033[1m# %s\033[0m\n' "$*"; }
run() { printf '\033[36m$ %s\033[0m\n' "$*"; "$@"; }

step "linkbox behind the names ip, brctl, ping: $(command -v ip) -> $(readlink "$(command -v ip)")"
run ip link set lo up

step "two namespaces"
run ip netns add ns1
run ip netns add ns2
run ip netns list

step "a bridge, STP off"
run brctl addbr br-test
run brctl stp br-test off
run ip link set dev br-test up

for i in 1 2; do
	step "port $i: a veth pair, one end on the bridge, the other in ns$i"
	run ip link add tap$i type veth peer name br-tap$i
	run brctl addif br-test br-tap$i
	run ip link set tap$i netns ns$i
	run ip netns exec ns$i ip link set dev tap$i up
	run ip link set dev br-tap$i up
	run ip netns exec ns$i ip addr add 198.18.0.$i/24 dev tap$i
done

step "what was built"
run linkbox topo
run brctl show br-test
run ip -br link
run ip netns exec ns1 ip -br addr
run ip netns exec ns2 ip -br addr

step "traffic from ns1 to ns2, across the bridge"
run ip netns exec ns1 ping -c 3 -i 0.2 -W 2 198.18.0.2

step "the bridge learned both MACs"
run brctl showmacs br-test

step "teardown"
run ip link del br-tap1
run ip link del br-tap2
run ip link set dev br-test down
run brctl delbr br-test
run ip netns del ns1
run ip netns del ns2
run ip -br link
run ip netns list
printf '\n\033[1mdone: nothing left behind.\033[0m\n'
