#!/bin/sh
# lab.sh: `make check` runs the hardware lab (tests/lab/lab.sh): our V4L2, KMS, ALSA, evdev and
# CEC drivers against the kernel's virtual devices in QEMU (TCG). Exit 77 with the reason when
# the lab cannot run on this machine (no QEMU, no Debian kernel, not x86_64).
# The guest programs are built without sanitizers in build/lab/rk: ASan builds run from the
# host root hung the guest in a first try (LAB_RKBUILD=build/asan LAB_SAN=1 to retry).
exec bash tests/lab/lab.sh
