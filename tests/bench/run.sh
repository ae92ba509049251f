#!/bin/sh
# run.sh BUILD: runs every benchmark (tests/bench/*.sh except this file) and
# prints their figures. Benchmarks measure; they never fail on a figure (a
# benchmark whose peer is missing says so and goes on).
B=${1:-build}
export RAKWON_BUILD="$B" RAKWON_BIN="$(cd "$B/bin" && pwd)"
for t in tests/bench/*.sh; do
	[ "$(basename "$t")" = run.sh ] && continue
	echo "=================== $(basename "$t" .sh)"
	sh "$t" || echo "(benchmark $(basename "$t") exited with $?)"
done
