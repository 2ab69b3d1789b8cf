# netoops: top-level build. `make` builds everything; `make check` runs every test.
#
# Layout: src/core (pure protocol core: decode/, reasm/, analyse/) -> libnxcore.a; src/store (SQLite) ->
# libnxstore.a; src/netoopsd and src/netoopsctl link them. Each directory's
# *.c files are picked up by wildcard, so adding a file needs no edit here.

CC      ?= cc
BUILD   ?= build
CFLAGS  ?= -O2 -g
override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Isrc -MMD -MP
LDLIBS_STORE = -lsqlite3 -lzstd
LDLIBS_JSON  = -ljansson
LDLIBS_MNL   = -lmnl
LDLIBS_SD    = -lsystemd
LDLIBS_CORE  = -lcrypto -lisal
LDLIBS_SECCOMP = -lseccomp
LDLIBS_SYM   = -ldw -lelf -ldebuginfod

CORE_SRC  := $(wildcard src/core/*.c src/core/*/*.c)
STORE_SRC := $(wildcard src/store/*.c)
D_SRC     := $(wildcard src/netoopsd/*.c)
CTL_SRC   := $(wildcard src/netoopsctl/*.c)
SYM_SRC   := $(wildcard src/symbolize/*.c)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)

CORE_OBJ  := $(CORE_SRC:%.c=$(BUILD)/%.o)
STORE_OBJ := $(STORE_SRC:%.c=$(BUILD)/%.o)
D_OBJ     := $(D_SRC:%.c=$(BUILD)/%.o)
CTL_OBJ   := $(CTL_SRC:%.c=$(BUILD)/%.o)
SYM_OBJ   := $(SYM_SRC:%.c=$(BUILD)/%.o)
# The isolated analysis worker (src/netoopsd/analyst*.c): netoopsctl reanalyze runs it too.
ANALYST_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard src/netoopsd/analyst*.c))
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

LIBCORE   := $(BUILD)/libnxcore.a
LIBSTORE  := $(BUILD)/libnxstore.a
# Symbolization (src/symbolize, elfutils): netoopsd's symbolizer thread, netoopsctl symbolize.
LIBSYM    := $(BUILD)/libnxsym.a

.PHONY: all userspace kmod check check-unit check-san check-fuzz \
	check-integration check-packaging check-vm check-lint check-sym check-web check-summary \
	bench deps demo clean san fault san-fault fuzz-long bench-quick check-bench repo

all: userspace kmod

userspace: $(BUILD)/netoopsd $(BUILD)/netoopsctl

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(LIBCORE): $(CORE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBSTORE): $(STORE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBSYM): $(SYM_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/netoopsd: $(D_OBJ) $(LIBSYM) $(LIBSTORE) $(LIBCORE)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS_STORE) $(LDLIBS_JSON) $(LDLIBS_SD) $(LDLIBS_CORE) -lmicrohttpd $(LDLIBS_SECCOMP) $(LDLIBS_SYM) \
		-lcurl $(LDFLAGS)

$(BUILD)/netoopsctl: $(CTL_OBJ) $(ANALYST_OBJ) $(LIBSYM) $(LIBSTORE) $(LIBCORE)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS_STORE) $(LDLIBS_JSON) $(LDLIBS_MNL) $(LDLIBS_CORE) $(LDLIBS_SECCOMP) $(LDLIBS_SYM) $(LDFLAGS)

# The load generator tests and benchmarks send with (not itself under test).
$(BUILD)/tests/nxload: bench/nxload.c $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIBCORE) $(LDLIBS_CORE) $(LDFLAGS)
-include $(BUILD)/tests/nxload.d

$(BUILD)/tests/%: tests/unit/%.c $(LIBSYM) $(LIBSTORE) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LIBSYM) $(LIBSTORE) $(LIBCORE) -lcmocka \
		$(LDLIBS_STORE) $(LDLIBS_JSON) $(LDLIBS_CORE) $(LDLIBS_SYM) $(LDFLAGS)

# The symbolizer's fixed debug files (tests/unit/test_sym.c, tests/fuzz/fuzz_sym.c): one source
# built as a linked "vmlinux" and as a relocatable ".ko"; test_sym depends on both.
SYM_FIXTURE = tests/unit/data/sym/fixture.c
$(BUILD)/tests/sym/vmlinux: $(SYM_FIXTURE)
	@mkdir -p $(dir $@)
	cc -g -O2 -fno-omit-frame-pointer -o $@ $<
$(BUILD)/tests/sym/fixture.ko: $(SYM_FIXTURE)
	@mkdir -p $(dir $@)
	cc -g -O2 -fno-omit-frame-pointer -c -o $@ $<
$(BUILD)/tests/test_sym: $(BUILD)/tests/sym/vmlinux $(BUILD)/tests/sym/fixture.ko

kmod:
	$(MAKE) -C kmod

deps:
	tests/lib/install-deps.sh

# ---- tests --------------------------------------------------------------
# Each part records "suite passed failed" lines in $(BUILD)/check/results;
# check-summary adds them up into the one line CI reads.

check-unit: $(UNIT_BIN)
	tests/lib/run-unit.sh unit $(UNIT_BIN)

# The ASan+UBSan build (build/san): unit tests, netoopsd and netoopsctl; the hostile
# integration suite runs against it too.
SAN_CFLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

san:
	$(MAKE) BUILD=build/san CC=clang CFLAGS="$(SAN_CFLAGS)" \
		LDFLAGS="-fsanitize=address,undefined" build/san/tests-all

# Test builds with fault injection in the analysis worker (src/netoopsd/analyst_fault.c):
# build/fault, and build/san-fault with ASan+UBSan. Never installed or packaged.
FAULT_CFLAGS = -DNXD_FAULT_INJECTION

fault:
	$(MAKE) BUILD=build/fault CFLAGS="-O2 -g $(FAULT_CFLAGS)" userspace

san-fault:
	$(MAKE) BUILD=build/san-fault CC=clang CFLAGS="$(SAN_CFLAGS) $(FAULT_CFLAGS)" \
		LDFLAGS="-fsanitize=address,undefined" userspace

check-san: san
	tests/lib/run-unit.sh san build/san/tests/test_*

$(BUILD)/tests-all: $(UNIT_BIN) $(BUILD)/netoopsd $(BUILD)/netoopsctl
	@touch $@

check-fuzz:
	tests/fuzz/run.sh

# Minutes per target, plain and ASan+UBSan builds; grows tests/fuzz/corpus, keeps crashes in
# tests/fuzz/regress (FUZZ_SECONDS, FUZZ_RUNS, FUZZ_TARGETS, FUZZ_BUILDS: tests/fuzz/README.md).
fuzz-long:
	tests/fuzz/long.sh

check-integration: userspace
	tests/integration/run.sh

# The dashboard in Debian's chromium driven by Playwright (npm ci from web/package-lock.json);
# screenshots in build/web-shots/.
check-web: userspace
	tests/web/run.sh

check-vm: userspace
	tests/vm/run.sh

check-lint:
	tests/lib/lint.sh

# Symbolization end to end (tests/sym/run.sh): debuginfod, the 6.1 dbg package, one guest.
check-sym: userspace
	tests/sym/run.sh

# The signed apt repository (bookworm, trixie) in build/repo: docs/admin-guide.md, section 1.
repo:
	tests/packaging/repo.sh build/repo

# make repo's packages from a loopback HTTP server into fresh chroots, and under systemd in QEMU.
check-packaging: userspace
	tests/packaging/run.sh

check-summary:
	@tests/lib/summary.sh

check:
	@rm -rf $(BUILD)/check
	tests/lib/install-deps.sh
	@for part in lint unit san fuzz integration bench web packaging vm sym; do \
		$(MAKE) check-$$part || tests/lib/record.sh "check-$$part" 0 1; \
	done
	@tests/lib/summary.sh

bench: userspace
	bench/run.sh

# Every benchmark at a small scale (under a minute): they run, figures printed, not judged.
bench-quick: userspace
	bench/quick.sh

check-bench: bench-quick

demo:
	tests/lib/install-deps.sh
	$(MAKE) all
	demo/demo.sh

clean:
	rm -rf build
	-$(MAKE) -C kmod clean

-include $(CORE_OBJ:.o=.d) $(STORE_OBJ:.o=.d) $(SYM_OBJ:.o=.d) $(D_OBJ:.o=.d) $(CTL_OBJ:.o=.d) $(UNIT_BIN:=.d)
