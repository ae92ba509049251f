#!/bin/sh
# cross.sh: the Raspberry Pi 4 (arm64) cross build and its unit tests under qemu-user.
#   board/rpi4/cross.sh          make BOARD=rpi4 (lib, unit tests, rakwon-terminal, rakwonctl in
#                                build/rpi4), then every build/rpi4/tests/test_* under qemu-aarch64
#   board/rpi4/cross.sh build    the build only
# Exit 0 all pass, 1 a failure, 77 when the cross toolchain, qemu-user or the arm64 packages are
# not installed (the reason on the last line; make deps installs them: tools/deps.sh CROSS).
set -u
cd "$(dirname "$0")/../.." || exit 1
B=build/rpi4
skip() { echo "cross-rpi4: cannot run here: $*"; exit 77; }
now() { date +%s; }
command -v aarch64-linux-gnu-gcc >/dev/null || skip "aarch64-linux-gnu-gcc missing (make deps)"
QEMU=$(command -v qemu-aarch64-static || command -v qemu-aarch64) || skip "qemu-user missing (make deps)"
PKGS="x264 opus libavcodec libavutil libswscale alsa libdrm libpng zlib freetype2 libturbojpeg"
PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig pkg-config --exists $PKGS ||
	skip "arm64 -dev packages missing (dpkg --add-architecture arm64; make deps)"
[ -e /usr/lib/aarch64-linux-gnu/libsrtp2.so.1 ] && [ -e /usr/lib/aarch64-linux-gnu/libmbedtls.so ] ||
	skip "libsrtp2-1:arm64 or libmbedtls-dev:arm64 missing (make deps)"
[ -e /lib/ld-linux-aarch64.so.1 ] || skip "libc6:arm64 missing (make deps)"
mkdir -p $B
t0=$(now)
# the board build is its own make: no flags of a calling make (make check's BUILD/SAN) leak in
# (+ rakwon-udprelay, a test tool test_udprelay starts)
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s BOARD=rpi4 BUILD=$B SAN=0 CFLAGS=-O2 -j2 board-all \
	$B/bin/rakwon-udprelay \
	>$B/make.log 2>&1 || { tail -n 30 $B/make.log; echo "cross-rpi4: build FAILED (log $B/make.log)"; exit 1; }
t1=$(now)
readelf -h $B/bin/rakwon-terminal | grep -q AArch64 || { echo "cross-rpi4: $B/bin/rakwon-terminal is not arm64"; exit 1; }
echo "cross-rpi4: built in $((t1 - t0)) s: $(ls $B/tests | wc -l) unit tests, rakwon-terminal $(stat -c %s $B/bin/rakwon-terminal) bytes (aarch64)"
[ "${1:-}" = build ] && exit 0
# the terminal itself starts under qemu-user: its generated configuration prints
"$QEMU" $B/bin/rakwon-terminal --print-default-config >$B/terminal.conf 2>&1 && grep -q '^sip.aor' $B/terminal.conf ||
	{ echo "cross-rpi4: rakwon-terminal does not run under $QEMU"; tail -n 5 $B/terminal.conf; exit 1; }
# programs the tests start (test_udprelay): no binfmt_misc here, so a script runs them under
# qemu-user (a script's interpreter is a host program, which qemu-user's execve runs natively)
QB=$(pwd)/$B/qemu-bin
mkdir -p "$QB"
for p in $B/bin/rakwon-udprelay; do
	printf '#!/bin/sh\nexec %s %s "$@"\n' "$QEMU" "$(pwd)/$p" >"$QB/$(basename $p)"
	chmod +x "$QB/$(basename $p)"
done
export RAKWON_BIN="$QB"
LOG=$B/test-logs
rm -rf $LOG && mkdir -p $LOG
pass=0 fail=0 failed=""
for t in $B/tests/test_*; do
	n=$(basename "$t")
	s=$(now)
	# qemu-user runs the arm64 binary with the arm64 loader and libraries of Debian multiarch
	timeout -k 5 600 "$QEMU" "$t" >$LOG/$n.log 2>&1
	rc=$?
	e=$(now)
	if [ $rc = 0 ]; then
		pass=$((pass + 1)); printf '  PASS  %-32s %4ss\n' "$n" $((e - s))
	else
		fail=$((fail + 1)); failed="$failed $n"; printf '  FAIL  %-32s %4ss (rc %s, log %s)\n' "$n" $((e - s)) $rc $LOG/$n.log
		tail -n 15 $LOG/$n.log | sed 's/^/        | /'
	fi
done
echo "cross-rpi4: unit tests under $(basename "$QEMU"): $pass passed, $fail failed${failed:+ ($failed)}; build $((t1 - t0)) s, tests $(($(now) - t1)) s"
[ $fail = 0 ]
