# r1sim — build, test, bench, install.
#   make            build ./r1sim (installs missing Debian packages first)
#   make run        build and open the live flowchart on lua/r1.lua
#   make test       build and run every test binary
#   make asan       the same tests under AddressSanitizer + UBSan
#   make bench      engine benchmark (S, M, L at 1 and 2 threads)
#   make install    PREFIX=/usr/local by default; also installs the man pages

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
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

.PHONY: all run test asan bench deps install uninstall clean format
.SECONDARY:

all: $(BUILD)/r1sim r1sim

r1sim: $(BUILD)/r1sim
	@ln -sf $(BUILD)/r1sim r1sim

# Missing Debian packages are installed here so that a fresh machine needs only
# `make run` or `make test`.
deps: $(DEPS_STAMP)
$(DEPS_STAMP):
	@mkdir -p $(BUILD)
	@missing=""; for p in $(DEPS_PKGS); do \
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
	@touch $@

$(BUILD)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/r1sim: $(OBJ)
	$(CC) $(OBJ) -o $@ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIB_OBJ) $(TEST_SUPPORT_OBJ)
	$(CC) $^ -o $@ $(LDLIBS) -lcmocka

# Every test binary runs; the target fails if any of them fails. The cmocka
# summary lines are what CI counts.
# ./r1sim follows the default build only: `make asan` leaves it alone.
test: $(TEST_BIN) $(BUILD)/r1sim $(if $(filter build,$(BUILD)),r1sim)
	@fail=0; for t in $(TEST_BIN); do \
	  echo "== $$t"; R1SIM=$(CURDIR)/$(BUILD)/r1sim OMP_NUM_THREADS=$${OMP_NUM_THREADS:-2} $$t || fail=1; \
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

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/r1sim $(DESTDIR)$(MANDIR)/man1/r1sim.1 $(DESTDIR)$(MANDIR)/man5/r1sim-lua.5

format:
	clang-format -i $(SRC) $(wildcard src/*/*.h tests/*.c tests/*.h)

clean:
	rm -rf build build-asan r1sim

-include $(OBJ:.o=.d) $(TEST_BIN:=.d) $(TEST_SUPPORT_OBJ:.o=.d)
