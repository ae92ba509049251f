#!/bin/sh
# lab_cross_rpi4: the Raspberry Pi 4 board's arm64 cross build (make BOARD=rpi4: library, unit
# tests, rakwon-terminal) and its unit tests under qemu-user (board/rpi4/cross.sh). Exit 77 with
# the reason when the cross toolchain or the arm64 packages are not installed.
exec sh board/rpi4/cross.sh
