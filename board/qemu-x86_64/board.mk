# board/qemu-x86_64: the lab board (QEMU x86_64, vivid camera, vkms display,
# snd-aloop audio, uinput remote). Hardware facts live in hw.conf as data.
BOARD_CFLAGS := -DRAKWON_BOARD=\"qemu-x86_64\"
