#!/bin/bash
# build-image.sh: the firmware image of a board: Debian's kernel + a busybox initramfs holding the
# terminal (rakwon-terminal, rakwonctl), their shared libraries (ELF DT_NEEDED closure), the
# board's kernel modules (board/<b>/hw.conf "modules", plus the lab's out-of-tree vkms/vicodec),
# rootfs/init, and the default configuration generated from the board description.
#
#   rootfs/build-image.sh [BOARD]          -> build/image/<board>/{vmlinux,initramfs.cpio}
#   rootfs/build-image.sh --smoke [BOARD]  also boot it in QEMU (TCG) and check the terminal comes up
#
# The initramfs is two concatenated newc archives (the kernel unpacks both):
#   base.cpio  busybox, /init, kernel modules, /etc (hw.conf, keymaps)
#   apps.cpio  the programs, their libraries, data files (alsa.conf, panel, fonts), terminal.conf
# Environment:
#   IMAGE_BUILD=DIR  build dir whose bin/ holds the programs (default build/lab/rk: -O2, no
#                    sanitizers, the lab's build)
#   IMAGE_NOMAKE=1   do not run make (the lab has just built the programs)
# Each archive is rebuilt only when its inputs change (stamp files).
# Boards: qemu-x86_64 (bootable, the lab's board). rpi4: apps.cpio only (arm64 programs of the
# cross build and the arm64 libraries of Debian multiarch); no arm64 kernel is packed yet.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
SMOKE=0
[ "${1:-}" = --smoke ] && { SMOKE=1; shift; }
BOARD=${1:-qemu-x86_64}
OUT=$REPO/build/image/$BOARD
die() { echo "build-image: $*" >&2; exit 1; }
HW=$REPO/board/$BOARD/hw.conf
[ -r "$HW" ] || die "no $HW"
hw() { sed -n "s/^$1 *= *//p" "$HW" | head -n1; }
PROGS="rakwon-terminal rakwonctl"
case $BOARD in
qemu-x86_64)
	IB=${IMAGE_BUILD:-build/lab/rk}
	LIBDIRS="/usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu"
	LDSO=/lib64/ld-linux-x86-64.so.2
	;;
rpi4)
	IB=${IMAGE_BUILD:-build/rpi4}
	LIBDIRS="/usr/lib/aarch64-linux-gnu /lib/aarch64-linux-gnu"
	LDSO=/lib/ld-linux-aarch64.so.1
	;;
*) die "board $BOARD: no image recipe" ;;
esac
case $IB in /*) ;; *) IB=$REPO/$IB ;; esac
mkdir -p "$OUT"

# ------------------------------------------------------------------ programs
if [ "${IMAGE_NOMAKE:-0}" != 1 ]; then
	if [ "$BOARD" = rpi4 ]; then
		sh "$REPO/board/rpi4/cross.sh" build >/dev/null 2>&1 || die "board/rpi4/cross.sh build failed"
	else
		make -s -C "$REPO" -j2 BUILD="${IB#$REPO/}" $(for p in $PROGS; do echo "${IB#$REPO/}/bin/$p"; done) \
			>/dev/null 2>&1 || die "make $PROGS failed"
	fi
fi
for p in $PROGS; do [ -x "$IB/bin/$p" ] || die "$IB/bin/$p missing"; done

# needed_closure FILE...: every shared library the files need (DT_NEEDED, recursively), by path
# in LIBDIRS; works for foreign-architecture files too (readelf, not ldd)
needed_closure() {
	local todo=("$@") seen=" " f n d found
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		for n in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			case $seen in *" $n "*) continue ;; esac
			seen="$seen$n "
			found=""
			for d in $LIBDIRS; do
				[ -e "$d/$n" ] && { found=$d/$n; break; }
			done
			[ -n "$found" ] || { echo "MISSING $n" >&2; continue; }
			echo "$found"
			todo+=("$found")
		done
	done
}

# ------------------------------------------------------------------ the terminal's configuration
# the generated default (every key, documented) with the board's values put in:
# hw.conf camera/display/audio facts map to the terminal's dev.* and video.* keys;
# "terminal.KEY = VALUE" lines in hw.conf set any other terminal key
gen_terminal_conf() {
	local f=$1 k v q
	# the program's own table (every key it knows), else the committed generated file
	q=""
	[ "$BOARD" = rpi4 ] && q=$(command -v qemu-aarch64-static || command -v qemu-aarch64)
	$q "$IB/bin/rakwon-terminal" --print-default-config >"$f" 2>/dev/null && grep -q '^sip.aor' "$f" ||
		cp "$REPO/rootfs/etc/rakwon-terminal/terminal.conf" "$f"
	setk() { # key value: replace the key's line (commented-out secrets too) or append it
		local q
		q=$(printf '%s' "$2" | sed 's/[\/&|]/\\&/g')
		if grep -q "^#\?$1 *=" "$f"; then
			sed -i "s|^#\?$1 *=.*|$1 = $q|" "$f"
		else
			printf '%s = %s\n' "$1" "$2" >>"$f"
		fi
	}
	while read -r k v; do
		[ -n "$(hw "$k")" ] || continue
		# a board fact the terminal has no setting for yet is reported, not forced in
		grep -q "^#\?$v *=" "$f" || { echo "build-image: $k: rakwon-terminal has no $v setting (skipped)" >&2; continue; }
		setk "$v" "$(hw "$k")"
	done <<'EOF'
camera.driver dev.camera
camera.args dev.camera_args
camera.width video.width
camera.height video.height
camera.fps video.fps
display.driver dev.display
display.args dev.display_args
audio.capture.driver dev.microphone
audio.capture.args dev.microphone_args
audio.playback.driver dev.speaker
audio.playback.args dev.speaker_args
encoder.driver dev.encoder
encoder.args dev.encoder_args
decoder.driver dev.decoder
decoder.args dev.decoder_args
EOF
	sed -n 's/^terminal\.\([^ =]*\) *= *\(.*\)/\1 \2/p' "$HW" | while read -r k v; do setk "$k" "$v"; done
}

# ------------------------------------------------------------------ apps.cpio
IMGFILES=$(hw image.files)
apps_stamp=$(cat "$HW" "$REPO"/rootfs/etc/rakwon-terminal/terminal.conf "$0" \
	$(for p in $PROGS; do echo "$IB/bin/$p"; done) 2>/dev/null | md5sum | cut -c1-16)
if [ ! -s "$OUT/apps.cpio" ] || [ "$(cat "$OUT/apps.stamp" 2>/dev/null)" != "$apps_stamp" ]; then
	A=$OUT/apps
	rm -rf "$A" && mkdir -p "$A/usr/bin" "$A/etc/rakwon-terminal" "$A/usr/share"
	for p in $PROGS; do
		# -g builds: the image carries stripped copies
		strip --strip-unneeded -o "$A/usr/bin/$p" "$IB/bin/$p" 2>/dev/null ||
			${STRIP:-aarch64-linux-gnu-strip} --strip-unneeded -o "$A/usr/bin/$p" "$IB/bin/$p" ||
			die "strip $p"
	done
	needed_closure "$A"/usr/bin/* 2>"$OUT/missing.txt" | sort -u >"$OUT/libs.txt"
	[ -s "$OUT/missing.txt" ] && die "libraries not found: $(tr '\n' ' ' <"$OUT/missing.txt")"
	while read -r l; do install -D -m 0755 "$(readlink -f "$l")" "$A/usr${l#/usr}"; done <"$OUT/libs.txt"
	install -D -m 0755 "$(readlink -f "$LDSO")" "$A/usr/lib/$(basename "$LDSO")"
	case $BOARD in qemu-x86_64) mkdir -p "$A/usr/lib64" && ln -s ../lib/ld-linux-x86-64.so.2 "$A/usr/lib64/" ;; esac
	cp -a /usr/share/alsa "$A/usr/share/" # alsa-lib reads alsa.conf even for hw: devices
	cp -a "$REPO/rootfs/usr/share/rakwon-terminal" "$A/usr/share/"
	for f in $IMGFILES; do [ -e "$f" ] && install -D -m 0644 "$(readlink -f "$f")" "$A$f"; done
	gen_terminal_conf "$A/etc/rakwon-terminal/terminal.conf"
	install -m 0644 "$REPO/rootfs/usr/share/rakwon-terminal/keymap.default" "$A/etc/rakwon-terminal/keymap"
	(cd "$A" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$OUT/apps.cpio" ||
		die "cpio failed"
	echo "$apps_stamp" >"$OUT/apps.stamp"
fi
if [ "$BOARD" = rpi4 ]; then
	echo "build-image: $OUT/apps.cpio ($(stat -c %s "$OUT/apps.cpio") bytes, $(wc -l <"$OUT/libs.txt") libraries; arm64 userland only)"
	exit 0
fi

# ------------------------------------------------------------------ base.cpio (qemu-x86_64)
KVER=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null | sed -n 's/^linux-image-\([^ ,]*\).*/\1/p')
[ -n "$KVER" ] && [ -d "/lib/modules/$KVER" ] || die "linux-image-amd64 not installed (make deps)"
# kernel and out-of-tree modules: the lab builds and caches them (vmlinux for PVH boot, vkms.ko)
LABB=$REPO/build/lab
[ -s "$LABB/vmlinux-$KVER" ] && [ -s "$LABB/modules/vkms.ko" ] || die "run tests/lab/lab.sh once first (kernel pieces)"
cp "$LABB/vmlinux-$KVER" "$OUT/vmlinux"
MODS=$(hw modules)
EXTRA=$(hw modules.extra)
base_stamp=$(cat "$REPO/rootfs/init" "$HW" "$REPO/rootfs/etc/rakwon/keymap" "$LABB"/modules/*.ko "$0" \
	2>/dev/null | md5sum | cut -c1-16)-$KVER
if [ ! -s "$OUT/base.cpio" ] || [ "$(cat "$OUT/base.stamp" 2>/dev/null)" != "$base_stamp" ]; then
	R=$OUT/rootfs
	rm -rf "$R" && mkdir -p "$R"/{usr/bin,usr/lib,usr/lib64,usr/share,proc,sys,dev,run,tmp,etc/rakwon,var/lib/rakwon,root,mnt/host,mnt/out}
	ln -s usr/bin "$R/bin" && ln -s usr/bin "$R/sbin" && ln -s usr/lib "$R/lib" && ln -s usr/lib64 "$R/lib64"
	cp /bin/busybox "$R/usr/bin/busybox"
	for app in $(busybox --list); do [ "$app" = busybox ] || ln -sf busybox "$R/usr/bin/$app"; done
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
	install -m 0755 "$REPO/rootfs/init" "$R/init"
	install -m 0644 "$HW" "$R/etc/rakwon/hw.conf"
	install -m 0644 "$REPO/rootfs/etc/rakwon/keymap" "$R/etc/rakwon/keymap"
	echo "root:x:0:0:root:/root:/bin/sh" >"$R/etc/passwd"
	echo "root:x:0:" >"$R/etc/group"
	(cd "$R" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$OUT/base.cpio" ||
		die "cpio failed"
	echo "$base_stamp" >"$OUT/base.stamp"
fi
# uncompressed: unpacks faster under TCG than gzip
cat "$OUT/base.cpio" "$OUT/apps.cpio" >"$OUT/initramfs.cpio.tmp" && mv "$OUT/initramfs.cpio.tmp" "$OUT/initramfs.cpio"
echo "build-image: $OUT/vmlinux + initramfs.cpio ($(stat -c %s "$OUT/initramfs.cpio") bytes: base $(stat -c %s "$OUT/base.cpio"), apps $(stat -c %s "$OUT/apps.cpio"), $(wc -l <"$OUT/libs.txt") libraries)"

if [ $SMOKE = 1 ]; then
	log=$OUT/smoke.log
	timeout -k 5 180 qemu-system-x86_64 -accel tcg -M q35 -cpu max -m 1G -smp 2 -nodefaults \
		-no-user-config -display none -serial stdio -no-reboot -kernel "$OUT/vmlinux" \
		-initrd "$OUT/initramfs.cpio" -append "console=ttyS0 quiet loglevel=3 panic=-1 rakwon.smoke=1" \
		</dev/null >"$log" 2>&1
	grep -a 'RAKWON-INIT\|/dev/' "$log"
	grep -aq 'RAKWON-INIT terminal answers' "$log" || die "smoke boot failed (see $log)"
	echo "build-image: smoke boot PASS"
fi
