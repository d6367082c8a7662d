#!/bin/sh
# fuzz/run.sh [FUZZTIME] [TARGET-REGEXP]: run every fuzz target of linkbox
# in turn (package fuzz, and cmd/linkbox's FuzzCommand), each for FUZZTIME
# (default 10s), and print for each its executions, executions per second
# and result; exit non-zero if any target failed. A crasher is written by
# go test under the package's testdata/fuzz/TARGET; fix it and keep it
# there as a regression case. `make fuzz FUZZTIME=30s` runs this.
#
# Minimizing a new input is bounded to 10s (-fuzzminimizetime): the
# default, 60s, can stall a worker on the large kernel seeds for most of a
# short run.
set -u
fuzztime=${1:-10s}
only=${2:-.}
go=${GO:-go}
cd "$(dirname "$0")/.." || exit 2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
total=0
summary=""
for pkg in ./fuzz ./cmd/linkbox; do
	for t in $($go test -list '^Fuzz' "$pkg" | grep '^Fuzz' | grep -E -- "$only"); do
		echo "== $pkg $t ($fuzztime)"
		if $go test "$pkg" -run '^$' -fuzz "^$t\$" -fuzztime "$fuzztime" -fuzzminimizetime 10s >"$log" 2>&1; then
			result=ok
		else
			result=FAIL
			status=1
			cat "$log"
		fi
		# The last progress line: "fuzz: elapsed: 30s, execs: 912345 (...)".
		last=$(grep 'fuzz: elapsed: .*execs: ' "$log" | tail -1)
		execs=$(echo "$last" | sed -n 's/.*execs: \([0-9]*\).*/\1/p')
		secs=$(echo "$last" | sed -n 's/.*elapsed: \([0-9hms.]*\),.*/\1/p' |
			awk '{ s=0; x=$0; if (x ~ /h/) { split(x,a,"h"); s+=a[1]*3600; x=a[2] } if (x ~ /m/) { split(x,a,"m"); s+=a[1]*60; x=a[2] } sub(/s$/,"",x); s+=x; print s }')
		execs=${execs:-0}
		rate=$(awk -v e="$execs" -v s="${secs:-0}" 'BEGIN { if (s > 0) printf "%d", e/s; else print 0 }')
		total=$((total + execs))
		summary="$summary$(printf '%-20s %-14s %12s execs %9s/s  %s' "$t" "$pkg" "$execs" "$rate" "$result")
"
	done
done
echo
echo "target               package               executions     per second  result"
printf '%s' "$summary"
echo "total: $total executions"
exit $status
