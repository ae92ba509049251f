#!/bin/bash
# lab.sh: the hardware lab: our real drivers against the kernel's virtual devices in QEMU.
#
#   tests/lab/lab.sh [TEST...]      build what is missing, boot, run the guest tests
#   tests/lab/lab.sh --shell        interactive guest shell (modules loaded; Ctrl-A x quits)
#
# What it does (everything generated lives under build/lab/, cached, rebuilt when inputs change):
#   1. vmlinux: the ELF kernel extracted from Debian's bzImage (QEMU boots it through the PVH
#      entry, which halves boot time under TCG: no real-mode setup, no xz in the guest)
#   2. out-of-tree modules Debian does not ship: vkms.ko (+ tests/lab/patches), and for the M2M
#      codec test v4l2-mem2mem.ko + vicodec.ko, from linux-source (apt-get download, cached)
#   3. our guest programs (tests/lab/src/lab_*.c) with `make labtests`, linked to librakwon.a
#   4. the board's firmware image (rootfs/build-image.sh): busybox, rootfs/init, the modules
#   5. QEMU (TCG; /dev/kvm here is not VMX/SVM) with the host's / shared read-only over 9p: host
#      binaries run in the guest through the host's own loader and libraries ("hostrun"), so
#      nothing else is copied; build/lab/out/ is shared writable for results and artifacts
#   6. tests/lab/guest/run.sh runs in the guest; each TEST prints RESULT lines; we print them
# Environment:
#   LAB_TIMEOUT=600  seconds before a hung guest is killed     LAB_MEM=512M  guest RAM
#   LAB_RKBUILD      build dir for librakwon + guest programs (default build/lab/rk, -O2)
#   LAB_SAN=1        build the guest programs with ASan+UBSan (use with LAB_RKBUILD=build/asan)
#   LAB_SLOW=1       multiplies every guest test's deadline (e.g. 6 for ASan builds)
#   LAB_IMAGE_BUILD  build dir whose bin/ goes into the image (default LAB_RKBUILD)
# Exit: 0 all PASS, 1 a FAIL, 77 the lab cannot run here (reason on the last line).
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
LAB=$REPO/tests/lab
B=$REPO/build/lab
DL=$B/dl OUT=$B/out LOGS=$B/logs
RK=${LAB_RKBUILD:-build/lab/rk}
MEM=${LAB_MEM:-512M}
TMO=${LAB_TIMEOUT:-600}
MODE=tests
TESTS=""
for a in "$@"; do
	case $a in
	--shell) MODE=shell ;;
	-*) echo "unknown option $a" >&2; exit 2 ;;
	*) TESTS="$TESTS${TESTS:+,}$a" ;;
	esac
done
log() { echo "[lab] $*" >&2; }
skip() { echo "lab: cannot run here: $*"; exit 77; }
die() { echo "[lab] FATAL: $*" >&2; exit 1; }
now() { echo "${EPOCHREALTIME/,/.}"; }
T0=$(now)
lap() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

# ------------------------------------------------------------------ 0. can the lab run here?
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 missing (make deps)"
[ "$(uname -m)" = x86_64 ] || skip "host is $(uname -m), the lab guest is x86_64 (TCG would be too slow)"
KVER=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null | sed -n 's/^linux-image-\([^ ,]*\).*/\1/p')
[ -n "$KVER" ] && [ -r "/boot/vmlinuz-$KVER" ] && [ -d "/lib/modules/$KVER" ] ||
	skip "Debian kernel of linux-image-amd64 not installed (make deps)"
[ -x /bin/busybox ] || skip "busybox-static missing (make deps)"
[ -d "/lib/modules/$KVER/build" ] || skip "linux-headers-$KVER missing (make deps), needed to build vkms"
KPKGVER=$(dpkg-query -W -f='${Version}' "linux-image-$KVER")
KSERIES=$(echo "$KVER" | cut -d. -f1,2)
MODDIR=/lib/modules/$KVER
mkdir -p "$DL" "$OUT" "$LOGS"

# ------------------------------------------------------------------ 1. vmlinux (PVH boot)
KERNEL=$B/vmlinux-$KVER
if [ ! -s "$KERNEL" ]; then
	log "extracting vmlinux from /boot/vmlinuz-$KVER"
	# temp files, not pipes: with pipefail an early-exiting reader fails the pipeline
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "/boot/vmlinuz-$KVER" | head -n1 | cut -d: -f1)
	if [ -n "$off" ] && tail -c +$((off + 1)) "/boot/vmlinuz-$KVER" >"$KERNEL.xz" &&
		xz -dc --single-stream <"$KERNEL.xz" >"$KERNEL.tmp" 2>/dev/null &&
		readelf -n "$KERNEL.tmp" 2>/dev/null | grep 'note type: (0x00000012)' >/dev/null; then
		mv "$KERNEL.tmp" "$KERNEL"
	else
		log "no PVH vmlinux in the bzImage; booting the compressed kernel (slower)"
		KERNEL=/boot/vmlinuz-$KVER
	fi
	rm -f "$KERNEL.xz" "$KERNEL.tmp"
fi

# ------------------------------------------------------------------ 2. out-of-tree modules
# kmod_build NAME SRCDIR-IN-TREE CONFIG OBJ...: extract SRCDIR from linux-source, patch, build
KSRC_DEB=""
ksrc_deb() {
	[ -n "$KSRC_DEB" ] && return 0
	KSRC_DEB=$(ls "$DL"/linux-source-"$KSERIES"_"$KPKGVER"_all.deb 2>/dev/null | head -n1)
	if [ -z "$KSRC_DEB" ]; then
		log "downloading linux-source-$KSERIES=$KPKGVER (about 140 MB, cached in $DL)"
		(cd "$DL" && apt-get download "linux-source-$KSERIES=$KPKGVER") >"$LOGS/download.log" 2>&1 ||
			die "apt-get download linux-source-$KSERIES failed (see $LOGS/download.log)"
		KSRC_DEB=$(ls "$DL"/linux-source-"$KSERIES"_"$KPKGVER"_all.deb)
	fi
	if [ ! -e "$B/ksrc/.done-$KPKGVER" ]; then
		log "extracting the driver sources we build from linux-source"
		rm -rf "$B/ksrc" && mkdir -p "$B/ksrc"
		dpkg-deb --fsys-tarfile "$KSRC_DEB" | tar -xO "./usr/src/linux-source-$KSERIES.tar.xz" |
			tar -xJ -C "$B/ksrc" --strip-components=1 --wildcards \
				"linux-source-$KSERIES/drivers/gpu/drm/vkms/*" \
				"linux-source-$KSERIES/drivers/media/test-drivers/vicodec/*" \
				"linux-source-$KSERIES/drivers/media/v4l2-core/v4l2-mem2mem.c" ||
			die "cannot extract linux-source"
		touch "$B/ksrc/.done-$KPKGVER"
	fi
}
kmod_build() { # name srcsubdir make-vars...
	local name=$1 sub=$2 stamp ko
	shift 2
	ko=$B/modules/$name.ko
	stamp=$KVER-$(cat "$LAB"/patches/"$name"-*.patch 2>/dev/null | md5sum | cut -c1-8)
	[ -s "$ko" ] && [ "$(cat "$ko.stamp" 2>/dev/null)" = "$stamp" ] && return 0
	ksrc_deb
	log "building $name.ko for $KVER"
	rm -rf "$B/kbuild/$name" && mkdir -p "$B/kbuild/$name" "$B/modules"
	cp -r "$B/ksrc/$sub/." "$B/kbuild/$name/"
	for p in "$LAB"/patches/"$name"-*.patch; do
		[ -e "$p" ] || continue
		patch -s -d "$B/kbuild/$name" -p1 <"$p" || die "$(basename "$p") does not apply"
	done
	[ -e "$B/kbuild/$name/Kbuild.lab" ] && mv "$B/kbuild/$name/Kbuild.lab" "$B/kbuild/$name/Makefile"
	# symbols of modules built earlier (vicodec needs v4l2-mem2mem's)
	make -C "$MODDIR/build" M="$B/kbuild/$name" KBUILD_EXTRA_SYMBOLS="$(ls "$B"/kbuild/*/Module.symvers 2>/dev/null | grep -v "/$name/" | tr '\n' ' ')" \
		"$@" modules >"$LOGS/build-$name.log" 2>&1 || { tail "$LOGS/build-$name.log" >&2; die "$name build failed"; }
	strip --strip-debug -o "$ko" "$B/kbuild/$name/$name.ko" && echo "$stamp" >"$ko.stamp"
}
# vkms: Debian has no CONFIG_DRM_VKMS; the patch makes Virtual + Writeback clones (6.1.y check)
kmod_build vkms drivers/gpu/drm/vkms CONFIG_DRM_VKMS=m
# v4l2-mem2mem is not built in Debian's amd64 config either (CONFIG_V4L2_MEM2MEM_DEV unset)
if [ ! -s "$B/modules/v4l2-mem2mem.ko" ]; then
	ksrc_deb
	mkdir -p "$B/ksrc/m2m"
	cp "$B/ksrc/drivers/media/v4l2-core/v4l2-mem2mem.c" "$B/ksrc/m2m/"
	echo 'obj-m += v4l2-mem2mem.o' >"$B/ksrc/m2m/Kbuild.lab"
fi
kmod_build v4l2-mem2mem m2m
kmod_build vicodec drivers/media/test-drivers/vicodec CONFIG_VIDEO_VICODEC=m
# ------------------------------------------------------------------ 3. our guest programs
SANV=()
[ "${LAB_SAN:-0}" = 1 ] && SANV=(SAN=1 'CFLAGS=-O1 -g')
log "building guest programs (make BUILD=$RK labtests)"
make -s -C "$REPO" -j2 BUILD="$RK" "${SANV[@]}" labtests "$RK/bin/rakwon-media" \
	"$RK/bin/rakwon-terminal" "$RK/bin/rakwonctl" "$RK/bin/rakwon-sipregistrar" >"$LOGS/make.log" 2>&1 ||
	{ tail -n 30 "$LOGS/make.log" >&2; die "make labtests failed"; }

# ------------------------------------------------------------------ 4. the firmware image
# rootfs/build-image.sh: base.cpio (busybox, rootfs/init, the board's modules from hw.conf) and
# apps.cpio (rakwon-terminal, rakwonctl, their libraries, the generated terminal.conf). The test
# boot uses base.cpio alone (the guest tests run host programs over 9p); the image boot ("image"
# test) boots the whole image, whose init starts the terminal as on the box.
IMAGE_NOMAKE=1 IMAGE_BUILD=${LAB_IMAGE_BUILD:-$RK} bash "$REPO/rootfs/build-image.sh" qemu-x86_64 >"$LOGS/image.log" 2>&1 ||
	{ tail "$LOGS/image.log" >&2; die "rootfs/build-image.sh failed"; }
IMG=$REPO/build/image/qemu-x86_64
BUILD_S=$(lap "$T0")

# ------------------------------------------------------------------ 5. boot
# boot MODE INITRD MEM TIMEOUT CONSOLE-LOG: one QEMU run; RESULT lines land in $OUT/results.txt
boot() {
	local mode=$1 initrd=$2 mem=$3 tmo=$4 con=$5
	local append="console=ttyS0 quiet loglevel=4 panic=-1 drm_kms_helper.fbdev_emulation=0 lab.mode=$mode lab.repo=$REPO lab.bin=$REPO/$RK/lab lab.tests=${TESTS:-all} lab.slow=${LAB_SLOW:-1}"
	QEMU=(qemu-system-x86_64 -accel tcg -M q35 -cpu max -m "$mem" -smp 2 -nodefaults -no-user-config
		-display none -no-reboot -kernel "$KERNEL" -initrd "$initrd" -append "$append"
		-virtfs "local,path=$OUT,mount_tag=out,security_model=none,id=out"
		-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap,id=hostroot")
	[ "$mode" = shell ] && exec "${QEMU[@]}" -serial mon:stdio
	: >"$con"
	{
		# a hung guest is killed: TERM at the deadline, KILL 5 s later
		timeout -k 5 "$tmo" "${QEMU[@]}" -serial stdio </dev/null 2>&1
		echo "QEMU-EXIT rc=$?"
	} | while IFS= read -r line; do
		line=${line%$'\r'}
		printf '%s %s\n' "$(now)" "$line" >>"$con"
		case $line in
		RESULT* | LAB-* | QEMU-EXIT* | RAKWON-INIT* | tcall:*) echo "    guest: $line" >&2 ;;
		esac
	done
}
rm -rf "$OUT" && mkdir -p "$OUT"
CON=$LOGS/console.log
ICON=$LOGS/console-image.log
RUN_TESTS=1 RUN_IMAGE=0
case ",${TESTS:-all}," in
,all,) RUN_IMAGE=1 ;;
,image,) RUN_TESTS=0 RUN_IMAGE=1 ;;
*,image,*) RUN_IMAGE=1 TESTS=$(echo ",$TESTS," | sed 's/,image,/,/; s/^,//; s/,$//') ;;
esac
[ "$MODE" = shell ] && boot shell "$IMG/base.cpio" "$MEM" 0 /dev/null
T1=$(now)
if [ $RUN_TESTS = 1 ]; then
	log "booting $KVER under TCG ($MEM), tests: ${TESTS:-all}; build steps took ${BUILD_S}s"
	boot tests "$IMG/base.cpio" "$MEM" "$TMO" "$CON"
fi
READY=$(awk -v a="$T1" '/ LAB-READY /&&!r{r=$1} END{printf "%.1f", (r>0 ? r-a : -1)}' "$CON" 2>/dev/null)
TOTAL=$(lap "$T1")
if [ $RUN_IMAGE = 1 ]; then
	# the whole firmware image in RAM: 1G (the initramfs is unpacked next to its own copy)
	log "booting the firmware image ($(stat -c %s "$IMG/initramfs.cpio") bytes) as the box does"
	T2=$(now)
	boot image "$IMG/initramfs.cpio" "${LAB_IMAGE_MEM:-1G}" 120 "$ICON"
	ITOTAL=$(lap "$T2")
fi

# ------------------------------------------------------------------ 6. results
# the screens read back (writeback PPMs) also as PNG, for people
python3 - "$OUT"/*.ppm 2>/dev/null <<'PY'
import struct, sys, zlib
for p in sys.argv[1:]:
    try:
        d = open(p, 'rb').read()
        magic, dims, maxv, px = d.split(b'\n', 3)
        w, h = map(int, dims.split())
        if magic != b'P6' or len(px) < w * h * 3:
            continue
        raw = b''.join(b'\0' + px[y * w * 3:(y + 1) * w * 3] for y in range(h))
        ch = lambda t, b: struct.pack('>I', len(b)) + t + b + struct.pack('>I', zlib.crc32(t + b))
        open(p[:-4] + '.png', 'wb').write(b'\x89PNG\r\n\x1a\n' +
            ch(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) +
            ch(b'IDAT', zlib.compress(raw, 6)) + ch(b'IEND', b''))
    except (OSError, ValueError):
        pass
PY
echo
fail=0 n=0
if [ $RUN_TESTS = 1 ] && ! grep -q ' LAB-DONE ' "$CON"; then
	echo "FAIL lab-boot: guest did not finish (timeout ${TMO}s or crash); console: $CON"
	tail -n 20 "$CON" | sed 's/^[0-9.]* /    | /'
	fail=1
fi
if [ $RUN_IMAGE = 1 ] && ! grep -q ' LAB-DONE ' "$ICON"; then
	echo "FAIL image-boot: the image's guest did not finish; console: $ICON"
	tail -n 20 "$ICON" | sed 's/^[0-9.]* /    | /'
	fail=1
fi
while read -r _ name st rest; do
	n=$((n + 1))
	printf '%s %-22s %s\n' "$st" "$name" "$rest"
	[ "$st" = PASS ] || fail=1
done < <(grep -h '^RESULT ' "$OUT/results.txt" 2>/dev/null)
[ $n -gt 0 ] || { echo "FAIL lab: no results (see $CON)"; fail=1; }
[ $RUN_TESTS = 1 ] && echo "lab: build ${BUILD_S}s, boot-to-shell ${READY}s, guest run ${TOTAL}s (TCG, $MEM)"
if [ $RUN_IMAGE = 1 ]; then
	echo "lab: image boot ${ITOTAL}s; image $(stat -c %s "$IMG/initramfs.cpio") bytes (base $(stat -c %s "$IMG/base.cpio"), apps $(stat -c %s "$IMG/apps.cpio"))"
	cat "$OUT/image-figures.txt" 2>/dev/null | sed 's/^/lab: /'
fi
echo "lab: total $(lap "$T0")s; artifacts in $OUT, consoles in $LOGS"
if [ $fail = 0 ]; then echo "lab: ALL PASS ($n)"; else echo "lab: FAILED"; fi
exit $fail
