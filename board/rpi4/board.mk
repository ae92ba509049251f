# board/rpi4: Raspberry Pi 4 (arm64): UVC camera, USB audio, vc4 KMS, bcm2835 M2M H.264 codec.
# Cross build through Debian multiarch (make deps: dpkg --add-architecture arm64,
# gcc-aarch64-linux-gnu and the :arm64 -dev packages of tools/deps.sh CROSS):
#   make BOARD=rpi4 -j2     the library, the unit tests, rakwon-terminal and rakwonctl in build/rpi4
#   make cross-rpi4         the same, then the unit tests under qemu-user (board/rpi4/cross.sh)
# No sanitizers, -O2. The servers (provd: PostgreSQL/SQLite) are not built for the board.
CC := aarch64-linux-gnu-gcc
BUILD ?= build/rpi4
CFLAGS ?= -O2
BOARD_CFLAGS := -DRAKWON_BOARD=\"rpi4\" -mcpu=cortex-a72
# the arm64 .pc files; libsrtp2-dev (and libpq-dev) cannot be co-installed for two
# architectures in Debian 12: srtp's headers are arch-independent (the host's /usr/include/srtp2),
# the arm64 runtime library (libsrtp2-1:arm64) is linked by its soname
BOARD_PKG_CONFIG := PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig pkg-config
BOARD_PKGS := x264 opus libcrypto libavcodec libavutil libswscale alsa libdrm libpng zlib freetype2 libturbojpeg
BOARD_EXTRA_LIBS := -l:libsrtp2.so.1
.DEFAULT_GOAL := board-all
