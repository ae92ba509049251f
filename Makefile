# Rakwon top-level Makefile.
#
#   make deps      install every Debian package the project needs (tools/deps.sh)
#   make           build everything into build/ (binaries in build/bin/)
#   make check     build with ASan+UBSan into build/asan/ and run every test
#   make bench     run the benchmarks and print figures
#   make demo      run the demo meeting with simulated rooms
#   make fuzz      build libFuzzer targets (clang) into build/fuzz/
#
# Conventions (so that subsystems can be added without touching this file):
#   - every .c under app/ and drivers/ goes into build/.../librakwon.a, except
#     program directories: a directory under app/ or tools/ holding a main.c is a
#     program; its .c files link into build/bin/<name>, where <name> is the
#     directory's name prefixed with "rakwon-" unless it starts with "rakwon".
#   - tests/unit/test_*.c: one test binary each (linked with tests/test_main.c).
#   - tests/fuzz/fuzz_*.c: one fuzz target each; replayed over
#     tests/fuzz/corpus/<target>/ by `make check`.
#   - tests/integration/*.sh: run by tests/run.sh (exit 0 pass, 77 skip).

BOARD ?= qemu-x86_64
include board/$(BOARD)/board.mk

BUILD  ?= build
SAN    ?= 0
CC     ?= cc
V      ?= 0
Q      := $(if $(filter 1,$(V)),,@)

PKGS := x264 opus libsrtp2 libcrypto libavcodec libavutil libswscale alsa libdrm libpng zlib sqlite3 freetype2 \
        libturbojpeg libpq
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lmbedtls -lmbedx509 -lmbedcrypto

# --- boards with their own package list (cross builds, board/rpi4/board.mk) ----
ifneq ($(BOARD_PKG_CONFIG),)
PKG_CFLAGS := $(shell $(BOARD_PKG_CONFIG) --cflags $(BOARD_PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(BOARD_PKG_CONFIG) --libs $(BOARD_PKGS) 2>/dev/null) $(BOARD_EXTRA_LIBS) \
              -lmbedtls -lmbedx509 -lmbedcrypto
endif

WARN   := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
          -Wmissing-prototypes -Wformat=2 -Wvla
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -pthread $(WARN) $(CFLAGS) $(BOARD_CFLAGS) \
              -Iapp -Idrivers/include -Idrivers -Itests $(PKG_CFLAGS) -MMD -MP
ifeq ($(SAN),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -DRAKWON_DEBUG=1
LDSAN := -fsanitize=address,undefined
endif
LDLIBS := $(PKG_LIBS) -lm -lpthread

# --- discovery -------------------------------------------------------------
PROG_DIRS := $(patsubst %/main.c,%,$(wildcard app/*/main.c tools/*/main.c))
prog_name = $(if $(filter rakwon%,$(notdir $(1))),$(notdir $(1)),rakwon-$(notdir $(1)))
LIB_SRCS  := $(filter-out $(addsuffix /%,$(PROG_DIRS)),\
               $(shell find app drivers -name '*.c' 2>/dev/null | sort))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIBA      := $(BUILD)/librakwon.a
PROGS     := $(foreach d,$(PROG_DIRS),$(BUILD)/bin/$(call prog_name,$(d)))

TEST_SRCS := $(wildcard tests/unit/test_*.c)
TESTS     := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_REPLAY := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz-replay/%)
TEST_SUPPORT := $(filter-out tests/test_main.c,$(wildcard tests/support/*.c))

.SECONDARY:
.PHONY: all deps check bench demo fuzz clean lint check-clang tests progs labtests
all: progs
progs: $(PROGS)
tests: $(TESTS) $(FUZZ_REPLAY)

deps:
	sh tools/deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBA): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

# one rule per program directory
define PROG_RULE
$(BUILD)/bin/$(call prog_name,$(1)): $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard $(1)/*.c)) $(LIBA)
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  LD      $$@")
	$(Q)$(CC) $(LDSAN) -pthread -o $$@ $$^ $$(LDLIBS)
endef
$(foreach d,$(PROG_DIRS),$(eval $(call PROG_RULE,$(d))))

# rakwon-roomsim (tools/roomsim) alone also links the comparison engines of the
# AEC benchmark: speexdsp (C) and webrtc-audio-processing (C++, its one .cc file).
ROOMSIM_CXX_OBJS := $(patsubst %.cc,$(BUILD)/obj/%.o,$(wildcard tools/roomsim/*.cc))
$(BUILD)/obj/tools/roomsim/%.o: tools/roomsim/%.cc
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CXX     $<")
	$(Q)$(CXX) -std=c++11 -g -O2 -Wall $(LDSAN) -fno-omit-frame-pointer \
		$(shell pkg-config --cflags webrtc-audio-processing 2>/dev/null) -c $< -o $@
$(BUILD)/bin/rakwon-roomsim: $(ROOMSIM_CXX_OBJS)
$(BUILD)/bin/rakwon-roomsim: LDLIBS += $(shell pkg-config --libs speexdsp webrtc-audio-processing 2>/dev/null) -lstdc++

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/obj/tests/test_main.o $(TEST_SUPPORT:%.c=$(BUILD)/obj/%.o) $(LIBA)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDSAN) -pthread -o $@ $^ $(LDLIBS)

$(BUILD)/fuzz-replay/%: $(BUILD)/obj/tests/fuzz/%.o $(BUILD)/obj/tests/fuzz/standalone.o $(LIBA)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDSAN) -pthread -o $@ $^ $(LDLIBS)

# QEMU lab guest programs (tests/lab/lab.sh): tests/lab/src/lab_*.c, each linked with the
# other tests/lab/src/*.c helpers
LAB_MAINS := $(wildcard tests/lab/src/lab_*.c)
LAB_HELP  := $(filter-out $(LAB_MAINS),$(wildcard tests/lab/src/*.c))
labtests: $(LAB_MAINS:tests/lab/src/%.c=$(BUILD)/lab/%)
$(BUILD)/lab/%: $(BUILD)/obj/tests/lab/src/%.o $(LAB_HELP:%.c=$(BUILD)/obj/%.o) $(LIBA)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDSAN) -pthread -o $@ $^ $(LDLIBS)

# --- board builds: `make BOARD=rpi4` (its default goal) builds what runs on the board:
# the library, the unit tests, the terminal and its CLI; `make cross-rpi4` also runs the
# unit tests under qemu-user (board/rpi4/cross.sh)
.PHONY: board-all cross-rpi4
board-all: $(LIBA) $(TESTS) $(BUILD)/bin/rakwon-terminal $(BUILD)/bin/rakwonctl
cross-rpi4:
	sh board/rpi4/cross.sh

# --- test, bench, demo -----------------------------------------------------
check:
	$(MAKE) --no-print-directory check-clang
	$(MAKE) --no-print-directory progs
	$(MAKE) --no-print-directory BUILD=build/asan SAN=1 CFLAGS="-O1 -g" progs tests
	sh tests/run.sh build/asan

# the tree must also be warning-free under clang (syntax and semantics only)
check-clang:
	@echo "  CLANG   -fsyntax-only (all sources)"
	$(Q)for f in $(LIB_SRCS) $(foreach d,$(PROG_DIRS),$(wildcard $(d)/*.c)) $(TEST_SRCS) $(FUZZ_SRCS) tests/test_main.c; do \
		clang $(filter-out -MMD -MP,$(ALL_CFLAGS)) -fsyntax-only $$f || exit 1; done

bench: all
	sh tests/bench/run.sh $(BUILD)

demo: all
	sh tools/demo/demo.sh $(BUILD)

FUZZ_CC ?= clang
fuzz:
	$(MAKE) --no-print-directory BUILD=build/fuzzlib CC=$(FUZZ_CC) \
		CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" build/fuzzlib/librakwon.a
	@mkdir -p build/fuzz
	$(Q)for f in $(FUZZ_SRCS); do n=$$(basename $$f .c); \
		$(FUZZ_CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -O1 -g -fsanitize=fuzzer,address,undefined \
		-o build/fuzz/$$n $$f build/fuzzlib/librakwon.a $(LDLIBS) || exit 1; done
	@echo "fuzzers in build/fuzz/; run e.g. build/fuzz/fuzz_rtp tests/fuzz/corpus/fuzz_rtp"

lint:
	sh tools/lint/check_deps.sh

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
