#!/bin/bash
# build-image.sh: the firmware image of a board: Debian's kernel + a busybox initramfs holding our
# programs (build/bin/rakwon-*), their shared libraries (ldd closure), the board's kernel modules
# (board/<b>/hw.conf "modules", plus vkms from the lab's out-of-tree build), rootfs/init and the
# default configuration (hw.conf, keymap).
#
#   rootfs/build-image.sh [BOARD]          -> build/image/<board>/{vmlinux,initramfs.cpio}
#   rootfs/build-image.sh --smoke [BOARD]  also boot it in QEMU (TCG) and check init comes up
# IMAGE_NOMAKE=1 packs whatever build/bin holds without running make (the lab does this).
# The initramfs is rebuilt only when its inputs change (stamp file).
# Only qemu-x86_64 is built today (rpi4 needs the arm64 cross build, not done).
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
SMOKE=0
[ "${1:-}" = --smoke ] && { SMOKE=1; shift; }
BOARD=${1:-qemu-x86_64}
OUT=$REPO/build/image/$BOARD
die() { echo "build-image: $*" >&2; exit 1; }
[ "$BOARD" = qemu-x86_64 ] || die "board $BOARD: only qemu-x86_64 images are built so far"
HW=$REPO/board/$BOARD/hw.conf
[ -r "$HW" ] || die "no $HW"
KVER=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null | sed -n 's/^linux-image-\([^ ,]*\).*/\1/p')
[ -n "$KVER" ] && [ -d "/lib/modules/$KVER" ] || die "linux-image-amd64 not installed (make deps)"
mkdir -p "$OUT"

# kernel and out-of-tree modules: the lab builds and caches them (vmlinux for PVH boot, vkms.ko)
LABB=$REPO/build/lab
if [ ! -s "$LABB/vmlinux-$KVER" ] || [ ! -s "$LABB/modules/vkms.ko" ]; then
	echo "build-image: kernel pieces missing, building them with the lab (tests/lab/lab.sh needs a run)" >&2
	die "run tests/lab/lab.sh once first"
fi
cp "$LABB/vmlinux-$KVER" "$OUT/vmlinux"

# programs: whatever the build produced (rakwon-terminal once it exists)
if [ "${IMAGE_NOMAKE:-0}" != 1 ]; then
	make -s -C "$REPO" -j2 progs >/dev/null 2>&1 || die "make progs failed"
fi
MODS=$(sed -n 's/^modules *= *//p' "$HW")
EXTRA=$(sed -n 's/^modules.extra *= *//p' "$HW")
stamp=$(cat "$REPO/rootfs/init" "$HW" "$REPO/rootfs/etc/rakwon/keymap" "$LABB"/modules/*.ko \
	"$REPO"/build/bin/rakwon-* 2>/dev/null | md5sum | cut -c1-16)-$KVER
if [ -s "$OUT/initramfs.cpio" ] && [ "$(cat "$OUT/initramfs.stamp" 2>/dev/null)" = "$stamp" ] && [ $SMOKE = 0 ]; then
	echo "build-image: $OUT/initramfs.cpio is up to date"
	exit 0
fi
R=$OUT/rootfs
rm -rf "$R" && mkdir -p "$R"/{usr/bin,usr/lib,usr/lib64,usr/share,proc,sys,dev,run,tmp,etc/rakwon,var/lib/rakwon,root,mnt/host,mnt/out}
ln -s usr/bin "$R/bin" && ln -s usr/bin "$R/sbin" && ln -s usr/lib "$R/lib" && ln -s usr/lib64 "$R/lib64"
cp /bin/busybox "$R/usr/bin/busybox"
for app in $(busybox --list); do [ "$app" = busybox ] || ln -sf busybox "$R/usr/bin/$app"; done
copy_lib() { local d=$R/usr${1#/usr}; [ -e "$d" ] || install -D -m 0755 "$(readlink -f "$1")" "$d"; }
n=0
for b in "$REPO"/build/bin/rakwon-*; do
	[ -x "$b" ] || continue
	install -m 0755 "$b" "$R/usr/bin/"
	for l in $(ldd "$b" | awk '/=>/{print $3} /^\t\/lib/{print $1}'); do copy_lib "$l"; done
	n=$((n + 1))
done
cp -a /usr/share/alsa "$R/usr/share/" # alsa-lib reads alsa.conf even for hw: devices

# kernel modules: the board's list (dependency closure from the host's modules.dep) + vkms
# (vkms and vicodec are built out of tree by the lab: their in-tree dependencies are named here)
for m in $MODS $EXTRA; do
	case $m in
	vkms) m="drm_kms_helper drm_shmem_helper" ;;
	vicodec) m="videobuf2-vmalloc videobuf2-v4l2 videodev" ;;
	esac
	for x in $m; do modprobe -S "$KVER" --show-depends "$x"; done
done | awk '$1=="insmod"{print $2}' | sort -u | while read -r ko; do install -D -m 0644 "$ko" "$R/usr$ko"; done
for ko in "$LABB"/modules/*.ko; do install -D -m 0644 "$ko" "$R/usr/lib/modules/$KVER/extra/$(basename "$ko")"; done
cp /lib/modules/"$KVER"/modules.{order,builtin,builtin.modinfo} "$R/usr/lib/modules/$KVER/" 2>/dev/null
depmod -b "$R" "$KVER" || die "depmod failed"

# init and default configuration
install -m 0755 "$REPO/rootfs/init" "$R/init"
install -m 0644 "$HW" "$R/etc/rakwon/hw.conf"
install -m 0644 "$REPO/rootfs/etc/rakwon/keymap" "$R/etc/rakwon/keymap"
echo "root:x:0:0:root:/root:/bin/sh" >"$R/etc/passwd"
echo "root:x:0:" >"$R/etc/group"
# uncompressed: unpacks faster under TCG than gzip
(cd "$R" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$OUT/initramfs.cpio" ||
	die "cpio failed"
echo "$stamp" >"$OUT/initramfs.stamp"
echo "build-image: $OUT/vmlinux + initramfs.cpio ($(stat -c %s "$OUT/initramfs.cpio") bytes, $n programs)"

if [ $SMOKE = 1 ]; then
	log=$OUT/smoke.log
	timeout -k 5 120 qemu-system-x86_64 -accel tcg -M q35 -cpu max -m 512M -smp 2 -nodefaults \
		-no-user-config -display none -serial stdio -no-reboot -kernel "$OUT/vmlinux" \
		-initrd "$OUT/initramfs.cpio" -append "console=ttyS0 quiet loglevel=3 panic=-1 rakwon.smoke=1" \
		</dev/null >"$log" 2>&1
	grep -a 'RAKWON-INIT\|/dev/' "$log"
	grep -aq 'RAKWON-INIT ready' "$log" && grep -aq '/dev/video0' "$log" && grep -aq '/dev/dri/card0' "$log" ||
		die "smoke boot failed (see $log)"
	echo "build-image: smoke boot PASS"
fi
