#!/bin/sh
# deps.sh: the one list of Debian packages Rakwon needs to build, test and benchmark.
# Called by `make deps`. Idempotent; needs root (or sudo) on Debian 12.
set -eu
BUILD="build-essential clang libclang-rt-14-dev llvm pkg-config make
 libx264-dev libopus-dev libsrtp2-dev libavcodec-dev libavutil-dev libswscale-dev
 libasound2-dev libdrm-dev linux-libc-dev libmbedtls-dev libssl-dev libsqlite3-dev libpq-dev libpng-dev zlib1g-dev
 libfreetype-dev fonts-dejavu-core fonts-noto-cjk libturbojpeg0-dev"
TEST="libre-dev espeak-ng sox libspeexdsp-dev libwebrtc-audio-processing-dev python3 iproute2 procps psmisc
 gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
 gstreamer1.0-plugins-ugly gstreamer1.0-libav python3-gi python3-gst-1.0 gir1.2-gstreamer-1.0
 gir1.2-gst-plugins-base-1.0 baresip-core baresip-ffmpeg sip-tester postgresql"
LAB="qemu-system-x86 linux-image-amd64 busybox-static cpio kmod xz-utils patch binutils
 v4l-utils libdrm-tests alsa-utils evtest linux-headers-amd64"
# the Raspberry Pi 4 cross build (board/rpi4, make BOARD=rpi4, its unit tests under qemu-user in
# make check): the cross compiler and the arm64 libraries through Debian multiarch. libsrtp2-dev and
# libpq-dev cannot be installed for two architectures at once: the board build uses srtp's
# arch-independent headers from the host package and links libsrtp2-1:arm64; provd is not built.
CROSS="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static libx264-dev:arm64
 libopus-dev:arm64 libsrtp2-1:arm64 libavcodec-dev:arm64 libavutil-dev:arm64 libswscale-dev:arm64
 libasound2-dev:arm64 libdrm-dev:arm64 libpng-dev:arm64 zlib1g-dev:arm64 libfreetype-dev:arm64
 libturbojpeg0-dev:arm64 libmbedtls-dev:arm64 libssl-dev:arm64"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	$SUDO dpkg --add-architecture arm64
fi
if [ "${RAKWON_DEPS_SKIP_UPDATE:-0}" != 1 ]; then
	$SUDO apt-get update -q
fi
# the web panel test: headless Chromium and node; npm from Debian unless the
# installed node bundles it (it then conflicts with Debian's npm package)
WEB="chromium chromium-driver nodejs"
command -v npm >/dev/null 2>&1 || WEB="$WEB npm"
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q \
	--no-install-recommends $BUILD $TEST $LAB $WEB
# a separate transaction: the arm64 packages must not hold up (or be held up by) the main list
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q \
	--no-install-recommends $CROSS
