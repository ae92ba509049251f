#!/bin/sh
# run.sh BUILD: runs every benchmark script tests/bench/*.sh (except this one) with BUILD.
B=${1:-build}
rc=0
for s in tests/bench/*.sh; do
	[ "$(basename "$s")" = run.sh ] && continue
	sh "$s" "$B" || rc=1
done
exit $rc
