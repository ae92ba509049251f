#!/bin/sh
# lab.sh: `make check` runs the hardware lab (tests/lab/lab.sh): our V4L2, KMS, ALSA, evdev and
# CEC drivers against the kernel's virtual devices in QEMU (TCG). Exit 77 with the reason when
# the lab cannot run on this machine (no QEMU, no Debian kernel, not x86_64).
# The guest programs are built in the sanitizer build when make check gives one (RAKWON_BUILD),
# so the drivers also run under ASan+UBSan inside the guest.
case "${RAKWON_BUILD:-}" in
*asan*) export LAB_RKBUILD="$RAKWON_BUILD" LAB_SAN=1 ;;
esac
exec bash tests/lab/lab.sh
