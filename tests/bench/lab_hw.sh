#!/bin/sh
# lab_hw: hardware figures from the QEMU lab (TCG: absolute numbers are those of an emulated CPU
# on a shared 2-core host; compare runs on the same machine only). Boots the lab once for
# selfview (capture->flip latency from the V4L2 capture timestamps and the KMS page-flip event
# timestamps, CPU of 720p30 capture+display) and tcall (CPU of two terminals in a call), then the
# firmware image (kernel start -> terminal up -> first frame), and prints the image's size.
# Prints figures; never fails on one.
cd "$(dirname "$0")/../.." || exit 1
O=build/lab/out
bash tests/lab/lab.sh selfview tcall image > build/lab-bench.log 2>&1
rc=$?
if [ $rc = 77 ]; then tail -n1 build/lab-bench.log; exit 0; fi
[ $rc = 0 ] || echo "(lab run not all PASS, rc $rc: figures below may be partial; log build/lab-bench.log)"
grep -h '^FIGURE' $O/selfview.log $O/tcall-figures.txt $O/image-figures.txt 2>/dev/null |
	sed 's/^FIGURE /  /'
grep -h '^lab: image boot\|boot-to-shell' build/lab-bench.log | sed 's/^lab: /  /'
sed -n 's/.*RAKWON-INIT start uptime=\([0-9.]*\).*/  image: kernel start -> init (initramfs unpacked) \1 s/p' build/lab/logs/console-image.log | head -n1
I=build/image/qemu-x86_64
if [ -s $I/initramfs.cpio ]; then
	raw=$(stat -c %s $I/initramfs.cpio)
	gz=$(gzip -1 -c $I/initramfs.cpio | wc -c)
	zs=$(command -v zstd >/dev/null && zstd -q -10 -T2 -c $I/initramfs.cpio | wc -c)
	echo "  image size: initramfs $((raw / 1048576)) MiB raw, $((gz / 1048576)) MiB gzip -1${zs:+, $((zs / 1048576)) MiB zstd -10}; kernel vmlinux $(($(stat -c %s $I/vmlinux) / 1048576)) MiB (bzImage $(($(stat -c %s /boot/vmlinuz-* | head -n1) / 1048576)) MiB)"
	echo "  image parts: base (busybox, modules) $(($(stat -c %s $I/base.cpio) / 1048576)) MiB, apps (terminal, $(wc -l < $I/libs.txt) libraries, fonts, data) $(($(stat -c %s $I/apps.cpio) / 1048576)) MiB"
	echo "  largest libraries: $(xargs -a $I/libs.txt readlink -f | xargs du -b | sort -rn | head -n 5 | awk '{n=split($2,p,"/"); printf "%s %.1f MiB, ", p[n], $1/1048576}')"
fi
