# board/rpi4: Raspberry Pi 4 (arm64): UVC camera, USB audio, vc4 KMS, bcm2835 M2M H.264 encoder.
# Cross build through Debian multiarch (dpkg --add-architecture arm64; gcc-aarch64-linux-gnu and
# the :arm64 -dev packages). NOT yet exercised: no cross toolchain build or qemu-user run was done.
CC := aarch64-linux-gnu-gcc
PKG_CONFIG_LIBDIR := /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig
export PKG_CONFIG_LIBDIR
BOARD_CFLAGS := -DRAKWON_BOARD=\"rpi4\" -mcpu=cortex-a72
