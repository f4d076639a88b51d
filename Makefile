# liandan — build, test, demo and install.
#
#   make                 build everything into build/ (installs missing Debian packages first)
#   make test            unit tests and end-to-end tests
#   make test SAN=1      the same under AddressSanitizer and UndefinedBehaviorSanitizer (build-san/)
#   make demo            run the demo study
#   make bench           the runner benchmark (docs/benchmarks.md)
#   make install PREFIX=/usr/local

SAN ?=
ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
BUILD ?= build
SANFLAGS :=
endif

PREFIX ?= /usr/local
CC ?= cc
# pkg-config names libliandan (the C API) links, and those the data tools add (libliandan-data,
# linked by the program and the tests only, so a C API user's link line stays without them);
# scripts/deps.txt lists the Debian packages behind them.
LIB_PKGS := yaml-0.1 sqlite3 lapacke openblas libpq
DATA_PKGS := libcurl libarchive libcrypto
PKGS := $(LIB_PKGS) $(DATA_PKGS)
# Recursive (=) on purpose: expanded when a recipe runs, after `deps` installed the packages,
# so a fresh machine gets the right flags on its first `make`.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# pkg-config names only the liandan program links: the dashboard's HTTP server.
CLI_PKGS := libmicrohttpd
CLI_LIBS = $(shell pkg-config --libs $(CLI_PKGS) 2>/dev/null)

# cheap: GCC's -O2 vectorizes only loops that need no scalar tail; this takes the others the
# vectorizer can prove safe (tpe.c's kernel loop). Without -ffast-math no floating-point sum is
# reordered, so the results are the same bits either way.
OPT ?= -O2 -fvect-cost-model=cheap
CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g $(OPT) $(SANFLAGS) \
          -Iinclude -Isrc $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS = $(PKG_LIBS) -lm
LDFLAGS := $(SANFLAGS)

LIB_SRC := $(sort $(wildcard src/*.c src/util/*.c src/samplers/*.c src/pruners/*.c \
                              src/storage/*.c src/report/*.c))
DATA_SRC := $(sort $(wildcard src/data/*.c))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC := $(sort $(wildcard tests/tools/*.c examples/*/*.c bench/*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
DATA_OBJ := $(DATA_SRC:%.c=$(BUILD)/obj/%.o)
# What the program, the tests and the tools link: the data tools, then the library.
LINK_LIBS = $(BUILD)/libliandan-data.a $(BUILD)/libliandan.a
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_BIN := $(foreach f,$(TOOL_SRC),$(BUILD)/tools/$(basename $(notdir $(f))))

.PHONY: all deps test unit e2e demo bench install clean
all: deps $(BUILD)/liandan $(BUILD)/liandan.1 $(BUILD)/libliandan.a $(BUILD)/liandan.pc \
     $(TEST_BIN) $(TOOL_BIN)

# Separate programs (e.g. trainers/textcnn) bring their own rules: each build.mk adds its
# targets to EXTRA_BINS and its test binaries to EXTRA_TESTS (built into $(BUILD)/tests/).
EXTRA_BINS :=
EXTRA_TESTS :=
-include $(wildcard trainers/*/build.mk)
all: $(EXTRA_BINS) $(EXTRA_TESTS)

deps:
	@scripts/deps.sh

$(BUILD)/obj/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libliandan.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libliandan-data.a: $(DATA_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/liandan: $(CLI_OBJ) $(BUILD)/libliandan-data.a $(BUILD)/libliandan.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LINK_LIBS) $(CLI_LIBS) $(LDLIBS)

# The manual page, written by the program from its --help table.
$(BUILD)/liandan.1: $(BUILD)/liandan
	$(BUILD)/liandan help --man > $@.tmp && mv $@.tmp $@

$(BUILD)/tests/%: tests/unit/%.c tests/unit/test.h $(BUILD)/libliandan-data.a $(BUILD)/libliandan.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LINK_LIBS) $(LDFLAGS) $(LDLIBS)

define tool_rule
$(BUILD)/tools/$(basename $(notdir $(1))): $(1) $(BUILD)/libliandan-data.a $(BUILD)/libliandan.a
	@mkdir -p $(BUILD)/tools
	$(CC) $(CFLAGS) -o $$@ $(1) $(LINK_LIBS) $(LDFLAGS) $(LDLIBS)
endef
$(foreach f,$(TOOL_SRC),$(eval $(call tool_rule,$(f))))

$(BUILD)/liandan.pc: scripts/liandan.pc.in Makefile
	@mkdir -p $(BUILD)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|0.1.0|g' -e 's|@REQUIRES@|$(LIB_PKGS)|g' $< > $@

test: all
	@scripts/deps.sh --test
	@tests/run.sh $(BUILD)

unit: all
	@tests/run.sh $(BUILD) unit

e2e: all
	@tests/run.sh $(BUILD) e2e

demo: all
	@examples/demo.sh $(BUILD)

bench: all
	@bench/run.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include \
	    $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 $(BUILD)/liandan.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 755 $(BUILD)/liandan $(EXTRA_BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BUILD)/libliandan.a $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/liandan.h $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|0.1.0|g' -e 's|@REQUIRES@|$(LIB_PKGS)|g' \
	    scripts/liandan.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/liandan.pc

clean:
	rm -rf build build-san

-include $(LIB_OBJ:.o=.d) $(DATA_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
