# r1sim — build, test, bench, install.
#   make            build ./r1sim (installs missing Debian packages first)
#   make run        build and open the live flowchart on lua/r1.lua
#   make test       build and run every test binary
#   make asan       the same tests under AddressSanitizer + UBSan
#   make bench      engine benchmark (S, M, L at 1 and 2 threads)
#   make fuzz       libFuzzer targets (clang, ASan + UBSan), each for FUZZ_SECONDS
#                   (600); stops at the first crash, which lands in build-fuzz/.
#                   Targets: checkpoint, csv, train_state, tokenizer, pipeline
#                   (a Lua script loaded), cmdline (run's argv), optedit (the
#                   view's option editor); make fuzz-build only builds them
#   make install    PREFIX=/usr/local by default: the binary, the man pages and
#                   the shipped scripts and data (PREFIX/share/r1sim)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
# The shipped scripts and data; an installed r1sim finds them beside its
# binary (BINDIR/../share/r1sim), so BINDIR and SHAREDIR move together.
SHAREDIR ?= $(PREFIX)/share/r1sim
CC ?= cc

BUILD ?= build
WARN = -Wall -Wextra -Werror -Wshadow -Wvla -Wno-unused-parameter
OPT ?= -O3 -march=native -fno-math-errno
DEBUG ?= -g
SAN ?=
PKGS = lua5.4 ncursesw
DEPS_PKGS = libblis-dev liblua5.4-dev libcsv-dev libcmocka-dev libncurses-dev pkg-config tmux

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS += -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) $(DEBUG) $(SAN) -fopenmp -MMD -MP -Isrc $(PKG_CFLAGS)
LDLIBS += $(SAN) -fopenmp $(PKG_LIBS) -lblis -lcsv -lpthread -lm

SRC := $(shell find src -name '*.c' | sort)
LIB_SRC := $(filter-out src/main.c,$(SRC))
OBJ := $(SRC:%.c=$(BUILD)/%.o)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(filter-out $(TEST_SRC),$(wildcard tests/*.c))
TEST_SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(BUILD)/%.o)
DEPS_STAMP := $(BUILD)/.deps-ok

.PHONY: all run test asan bench deps install uninstall clean format fuzz fuzz-build fuzz-seeds
.SECONDARY:

all: $(BUILD)/r1sim r1sim

r1sim: $(BUILD)/r1sim
	@ln -sf $(BUILD)/r1sim r1sim

# Missing Debian packages are installed here so that a fresh machine needs only
# `make run` or `make test`.
# $(call install_missing,PACKAGES) as a recipe line.
define install_missing
@missing=""; for p in $(1); do \
  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
done; \
if [ -n "$$missing" ]; then \
  echo "r1sim: installing missing Debian packages:$$missing"; \
  if [ "$$(id -u)" = 0 ]; then SUDO=""; \
  elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; \
  else echo "r1sim: need root or sudo to install:$$missing (apt-get install$$missing)" >&2; exit 1; fi; \
  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null \
    || { echo "r1sim: apt-get install$$missing failed" >&2; exit 1; }; \
fi
endef

deps: $(DEPS_STAMP)
$(DEPS_STAMP):
	@mkdir -p $(BUILD)
	$(call install_missing,$(DEPS_PKGS))
	@touch $@

$(BUILD)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/r1sim: $(OBJ)
	$(CC) $(OBJ) -o $@ $(LDLIBS)

# The binary again with tests/inject/failinject.c wrapped around the
# allocation and write calls of r1sim's own objects (-Wl,--wrap: libraries'
# internal calls are not seen), for tests/test_cli_inject.c: allocation N+1,
# or the write past N bytes, fails, and the run must fail cleanly and resume.
INJECT_WRAP = malloc calloc realloc aligned_alloc strdup strndup asprintf \
	fopen open fwrite fputs fputc putc fprintf fflush fclose ferror write pwrite fsync
$(BUILD)/r1sim-inject: $(OBJ) $(BUILD)/tests/inject/failinject.o
	$(CC) $^ -o $@ $(LDLIBS) $(INJECT_WRAP:%=-Wl,--wrap=%)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIB_OBJ) $(TEST_SUPPORT_OBJ)
	$(CC) $^ -o $@ $(LDLIBS) -lcmocka

# Every test binary runs; the target fails if any of them fails. The cmocka
# summary lines are what CI counts.
# ./r1sim follows the default build only: `make asan` leaves it alone.
test: $(TEST_BIN) $(BUILD)/r1sim $(BUILD)/r1sim-inject $(if $(filter build,$(BUILD)),r1sim)
	@fail=0; for t in $(TEST_BIN); do \
	  echo "== $$t"; R1SIM=$(CURDIR)/$(BUILD)/r1sim R1SIM_INJECT=$(CURDIR)/$(BUILD)/r1sim-inject OMP_NUM_THREADS=$${OMP_NUM_THREADS:-2} $$t || fail=1; \
	done; \
	for t in $(sort $(wildcard tests/*.sh)); do \
	  echo "== $$t"; R1SIM=$(CURDIR)/$(BUILD)/r1sim sh $$t || fail=1; \
	done; exit $$fail

# Instrumented, r1sim's own product loop runs ~10x slower than BLIS (which
# is not instrumented), too slow for the pipeline tests' timeouts: they take
# BLIS here, while the kernel tests still run the own loop under the
# sanitizers (they select it themselves).
asan:
	R1SIM_PRODUCTS=blis $(MAKE) BUILD=build-asan OPT="-O1 -march=native" SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" test

# Fuzzing. The library is built again with clang and coverage instrumentation
# in build-fuzz/ (BLIS, Lua and libcsv are not instrumented); each target in
# tests/fuzz/fuzz_NAME.c starts from the seeds in tests/fuzz/corpus/NAME/ and
# grows its own corpus in build-fuzz/corpus/NAME/, so the committed seeds stay
# small. A crash or hang (-timeout) stops the run with its input saved as
# build-fuzz/NAME-crash-*; once fixed, the case gets a test in make test.
FUZZ_PKGS = clang libclang-rt-14-dev libomp-14-dev
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 600
FUZZ_BUILD = build-fuzz
FUZZ_TARGETS = checkpoint csv train_state tokenizer pipeline cmdline optedit
FUZZ_MAX_LEN_checkpoint = 4096
FUZZ_MAX_LEN_csv = 4096
FUZZ_MAX_LEN_train_state = 1024
FUZZ_MAX_LEN_tokenizer = 1024
FUZZ_MAX_LEN_pipeline = 12288
FUZZ_MAX_LEN_cmdline = 1024
FUZZ_MAX_LEN_optedit = 2048
# Extra libFuzzer flags of a target: the command-line parser's messages go to
# stderr, one per input, which would drown libFuzzer's own lines.
FUZZ_FLAGS_cmdline = -close_fd_mask=2
# Seeds kept elsewhere in the tree, read as they are now: every shipped and
# test script is a pipeline seed.
FUZZ_SEEDS_pipeline = lua tests/lua
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
# -Wno-pass-failed: at -O1 clang does not vectorize, and says so at every
# `omp simd`, which is not a fault in the code.
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -Wno-pass-failed -g -O1 $(FUZZ_SAN) \
	-fsanitize=fuzzer-no-link -fopenmp -MMD -MP -Isrc -Itests/fuzz $(PKG_CFLAGS)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_BIN := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_STAMP := $(FUZZ_BUILD)/.deps-ok

$(FUZZ_STAMP): | $(DEPS_STAMP)
	@mkdir -p $(FUZZ_BUILD)
	$(call install_missing,$(FUZZ_PKGS))
	@touch $@

$(FUZZ_BUILD)/%.o: %.c | $(FUZZ_STAMP)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -fopenmp $^ -o $@ $(PKG_LIBS) -lblis -lcsv -lpthread -lm

fuzz-build: $(FUZZ_BIN)

# One target's run; a crash or hang fails the recipe line, and with it make.
define fuzz_one
	@echo "== fuzz_$(1) for $(FUZZ_SECONDS) s"; mkdir -p $(FUZZ_BUILD)/corpus/$(1)
	$(FUZZ_BUILD)/fuzz_$(1) -max_total_time=$(FUZZ_SECONDS) -timeout=5 -print_final_stats=1 \
	  -max_len=$(FUZZ_MAX_LEN_$(1)) $(FUZZ_FLAGS_$(1)) -artifact_prefix=$(FUZZ_BUILD)/$(1)- \
	  $(FUZZ_BUILD)/corpus/$(1) tests/fuzz/corpus/$(1) $(FUZZ_SEEDS_$(1))

endef

fuzz: $(FUZZ_BIN)
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_one,$(t)))

# The binary seeds, rewritten with the engine's own writers.
fuzz-seeds: $(BUILD)/tests/fuzz/make_seeds
	$< tests/fuzz/corpus

$(BUILD)/tests/fuzz/make_seeds: $(BUILD)/tests/fuzz/make_seeds.o $(LIB_OBJ)
	$(CC) $^ -o $@ $(LDLIBS)

bench: $(BUILD)/r1sim
	$(BUILD)/r1sim bench --config all

# The default pipeline, R1 up to Dev3, in the live flowchart (space starts it);
# without a terminal the same run is headless.
run: $(BUILD)/r1sim r1sim
	$(BUILD)/r1sim run lua/r1.lua

install: $(BUILD)/r1sim
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(BUILD)/r1sim $(DESTDIR)$(BINDIR)/r1sim
	install -m 644 man/r1sim.1 $(DESTDIR)$(MANDIR)/man1/r1sim.1
	if [ -f man/r1sim-lua.5 ]; then install -m 644 man/r1sim-lua.5 $(DESTDIR)$(MANDIR)/man5/r1sim-lua.5; fi
	install -d $(DESTDIR)$(SHAREDIR)/lua $(DESTDIR)$(SHAREDIR)/lua/ablations $(DESTDIR)$(SHAREDIR)/data
	install -m 644 lua/*.lua $(DESTDIR)$(SHAREDIR)/lua/
	install -m 644 lua/ablations/*.sweep $(DESTDIR)$(SHAREDIR)/lua/ablations/
	install -m 644 data/*.csv $(DESTDIR)$(SHAREDIR)/data/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/r1sim $(DESTDIR)$(MANDIR)/man1/r1sim.1 $(DESTDIR)$(MANDIR)/man5/r1sim-lua.5
	rm -rf $(DESTDIR)$(SHAREDIR)

format:
	clang-format -i $(SRC) $(wildcard src/*/*.h tests/*.c tests/*.h tests/inject/*.c)

clean:
	rm -rf build build-asan build-fuzz r1sim

-include $(OBJ:.o=.d) $(BUILD)/tests/inject/failinject.d $(TEST_BIN:=.d) $(TEST_SUPPORT_OBJ:.o=.d) $(FUZZ_LIB_OBJ:.o=.d)
