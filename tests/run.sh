#!/bin/sh
# run.sh BUILD: runs every test of `make check` and prints one summary line.
#   unit tests       BUILD/tests/test_*          (each prints its own cases)
#   fuzz replay      BUILD/fuzz-replay/fuzz_*    over tests/fuzz/corpus/<name>/
#   integration      tests/integration/*.sh      (exit 0 pass, 77 skip, else fail)
# Environment: RAKWON_BIN (binaries), RAKWON_BUILD, RAKWON_TESTS="pattern"
# restricts to suites whose name contains pattern.
B=${1:-build}
export RAKWON_BUILD="$B" RAKWON_BIN="$(cd "$B/bin" 2>/dev/null && pwd)"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
LOG=$B/test-logs; rm -rf "$LOG"; mkdir -p "$LOG"
pass=0; fail=0; skip=0; failed=""
want() { [ -z "${RAKWON_TESTS:-}" ] && return 0; case "$1" in *"$RAKWON_TESTS"*) return 0;; esac; return 1; }
result() { # name rc seconds
	case $2 in
	0) pass=$((pass+1)); printf '  PASS  %-40s %4ss\n' "$1" "$3";;
	77) skip=$((skip+1)); printf '  SKIP  %-40s (%s)\n' "$1" "$(tail -n1 "$LOG/$1.log")";;
	*) fail=$((fail+1)); failed="$failed $1"; printf '  FAIL  %-40s %4ss (log: %s)\n' "$1" "$3" "$LOG/$1.log"
	   tail -n 30 "$LOG/$1.log" | sed 's/^/        | /';;
	esac
}
run() { # name cmd...
	n=$1; shift; want "$n" || return 0
	t0=$(date +%s); "$@" > "$LOG/$n.log" 2>&1; rc=$?; t1=$(date +%s)
	result "$n" $rc $((t1 - t0))
}
echo "== unit tests"
for t in "$B"/tests/test_*; do [ -x "$t" ] && run "$(basename "$t")" "$t"; done
echo "== fuzz corpus replay"
for t in "$B"/fuzz-replay/fuzz_*; do
	[ -x "$t" ] || continue; n=$(basename "$t")
	[ -d "tests/fuzz/corpus/$n" ] || { echo "  FAIL  $n has no corpus"; fail=$((fail+1)); continue; }
	run "$n" "$t" "tests/fuzz/corpus/$n"
done
echo "== integration tests"
for t in tests/integration/*.sh; do [ -f "$t" ] && run "$(basename "$t" .sh)" sh "$t"; done
echo
[ -n "$failed" ] && echo "failed:$failed"
echo "make check: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
