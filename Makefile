# SPDX-License-Identifier: GPL-2.0
# bulwark: `make` builds the kernel module, the BPF programs and the
# controller; `make check` runs every test (installing what it needs);
# `make demo` shows bulwark at work in a VM. See README.md.

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
DESTDIR ?=

BUILD := build
KVER ?= $(shell tests/vm/kernels --default 2>/dev/null)
# KVER may name a kernel line (6.1, 6.12): its newest installed kernel.
ifneq ($(shell echo '$(KVER)' | grep -Ex '[0-9]+\.[0-9]+'),)
override KVER := $(shell tests/vm/kernels --line $(KVER))
endif
KDIR ?= /lib/modules/$(KVER)/build

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' $(1) $(2)
MAKEFLAGS += --no-print-directory
endif

WARNINGS := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter
CFLAGS ?= -O2 -g
# The controller: the compiler (policy/, the only libyaml user), the backends
# (backend/: libbpf only in bpf.c, libnl only in genl.c), the commands
# (commands/), what they share (controller/) and bulwarkd (daemon/).
CONTROLLER_DIRS := controller controller/policy controller/backend controller/commands
CPPFLAGS += -D_GNU_SOURCE $(addprefix -I,$(CONTROLLER_DIRS)) -Ikmod -Ikmod/include -Ilsm-bpf \
	-I$(BUILD)
CONTROLLER_PKGS := libbpf libnl-genl-3.0 yaml-0.1
CONTROLLER_LIBS = $(shell $(PKG_CONFIG) --libs $(CONTROLLER_PKGS))
CONTROLLER_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(CONTROLLER_PKGS))

# The decision core is compiled into the module (Kbuild) and the controller.
CORE_SRCS := $(wildcard kmod/core/*.c)
CONTROLLER_SRCS := $(wildcard $(addsuffix /*.c,$(CONTROLLER_DIRS)))
CONTROLLER_HDRS := $(wildcard $(addsuffix /*.h,$(CONTROLLER_DIRS)))
CONTROLLER_OBJS := $(CONTROLLER_SRCS:controller/%.c=$(BUILD)/controller/%.o) \
	$(CORE_SRCS:kmod/core/%.c=$(BUILD)/core/%.o)
# bulwarkd: the controller's code without its command line, and the daemon's own.
DAEMON_PKGS := libsystemd libcap-ng
DAEMON_SRCS := $(wildcard controller/daemon/*.c)
DAEMON_OBJS := $(DAEMON_SRCS:controller/daemon/%.c=$(BUILD)/controller/daemon/%.o) \
	$(filter-out $(BUILD)/controller/commands/bulwark.o,$(CONTROLLER_OBJS))
BPF_SRCS := $(wildcard lsm-bpf/*.bpf.c)
BPF_SKELS := $(BPF_SRCS:lsm-bpf/%.bpf.c=$(BUILD)/%.skel.h)

# Unit tests link the controller's pure code (no libbpf, no libnl, no
# commands), built once more with sanitizers on.
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
NOT_PURE := bulwark bpf genl probe status version check compile show explain apply unload exec \
	events enforce state generation events_log event_source kmod_generation learn learn_session \
	learn_output
PURE_SRCS = $(filter-out $(foreach n,$(NOT_PURE),$(filter %/$(n).c,$(CONTROLLER_SRCS))),\
	$(CONTROLLER_SRCS)) $(CORE_SRCS)
PURE_OBJS = $(patsubst %.c,$(BUILD)/asan/%.o,$(PURE_SRCS))
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/test_*.c))

.PHONY: all kmod kmod-tested bpf controller unit test-tools bench bench-tools check check-run demo deps install \
	uninstall clean style dkms-install deb
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SECONDARY:

all: kmod bpf controller

deps:
	$(Q)scripts/install-deps

# --- kernel module: the top-level Kbuild, exactly as DKMS builds it ---------
# Debian's header packages ship no vmlinux, which module BTF is based on, so
# kbuild would skip it with a complaint: say so once, here, instead.
KBUILD_ARGS = CONFIG_DEBUG_INFO_BTF_MODULES= $(if $(filter 1,$(V)),V=1)
kmod:
	@test -d "$(KDIR)" || { echo "No kernel headers at $(KDIR): make deps, or set KVER/KDIR" >&2; exit 1; }
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR) modules $(KBUILD_ARGS)

# One build per kernel line the VM tests boot, each in its own copy of the
# sources so the builds do not overwrite each other: build/kmod/KVER/bulwark.ko
kmod-tested:
	$(Q)set -e; kvers="$$(tests/vm/kernels)"; for k in $$kvers; do \
		mkdir -p $(BUILD)/kmod/$$k; \
		cp -a Kbuild kmod $(BUILD)/kmod/$$k/; \
		$(MAKE) -C /lib/modules/$$k/build M=$(CURDIR)/$(BUILD)/kmod/$$k modules $(KBUILD_ARGS); \
	done

# --- DKMS and the Debian package (README: Installing the module with DKMS) --
# dkms-install: the module's source to /usr/src/bulwark-VERSION (VERSION from
# kmod/version.h), then dkms add, build and install for the running kernel,
# or for each kernel in KVER="K1 K2" when KVER is given. DKMS_FLAGS passes
# --dkmstree/--sourcetree/--installtree DIR on (tests/host/dkms.sh uses them).
dkms-install:
	$(Q)dkms/install $(if $(filter-out file,$(origin KVER)),$(addprefix --kernel ,$(KVER))) $(DKMS_FLAGS)

# deb: build/deb/bulwark-dkms_VERSION_all.deb (debhelper with dh-dkms)
deb:
	$(Q)packaging/deb/build $(BUILD)/deb

# --- BPF programs: CO-RE objects and libbpf skeletons -----------------------
bpf: $(BPF_SKELS)

$(BUILD)/vmlinux.h: scripts/gen-vmlinux-h
	$(call msg,GEN,$@)
	@mkdir -p $(@D)
	$(Q)scripts/gen-vmlinux-h $@ $(BUILD)

$(BUILD)/%.bpf.o: lsm-bpf/%.bpf.c $(BUILD)/vmlinux.h $(wildcard lsm-bpf/*.h)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -Wall -Werror -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -I$(BUILD) -Ilsm-bpf \
		-Ikmod/include -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# --- controller --------------------------------------------------------------
controller: $(BUILD)/bulwark $(BUILD)/bulwarkd

$(BUILD)/controller/%.o: controller/%.c $(CONTROLLER_HDRS) $(wildcard kmod/core/*.h) \
		$(wildcard kmod/include/uapi/linux/*.h) kmod/version.h $(BPF_SKELS) $(wildcard lsm-bpf/*.h)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CONTROLLER_CFLAGS) $(WARNINGS) $(CFLAGS) -c $< -o $@

$(BUILD)/controller/daemon/%.o: controller/daemon/%.c $(wildcard controller/daemon/*.h) \
		$(CONTROLLER_HDRS) $(wildcard kmod/include/uapi/linux/*.h) $(BPF_SKELS)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CONTROLLER_CFLAGS) $(shell $(PKG_CONFIG) --cflags $(DAEMON_PKGS)) \
		$(WARNINGS) $(CFLAGS) -c $< -o $@

$(BUILD)/core/%.o: kmod/core/%.c $(wildcard kmod/core/*.h) kmod/include/uapi/linux/bulwark_image.h
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(WARNINGS) $(CFLAGS) -c $< -o $@

$(BUILD)/bulwark: $(CONTROLLER_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(CONTROLLER_LIBS)

$(BUILD)/bulwarkd: $(DAEMON_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(CONTROLLER_LIBS) \
		$(shell $(PKG_CONFIG) --libs $(DAEMON_PKGS))

# --- tests -------------------------------------------------------------------
unit: $(UNIT_TESTS)

# Tools the VM suites drive the kernel with.
TEST_TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(wildcard tests/tools/*.c))
test-tools: $(TEST_TOOLS)

$(BUILD)/tests/tools/%: tests/tools/%.c kmod/include/uapi/linux/bulwark.h
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CONTROLLER_CFLAGS) $(WARNINGS) $(CFLAGS) $< -o $@ $(CONTROLLER_LIBS)

# bw-op runs under the conformance suite's policies: linked statically, so an
# exec allow-list has to name only bw-op itself, not ld.so and libc.
$(BUILD)/tests/tools/bw-op: tests/tools/bw-op.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(WARNINGS) $(CFLAGS) -static $< -o $@

# bw-fuse may be started under an exec allow-list too: linked statically, like bw-op.
$(BUILD)/tests/tools/bw-fuse: tests/tools/bw-fuse.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(WARNINGS) $(CFLAGS) -static $< -o $@

# Programs the VM benchmark (tests/bench/vm.sh) runs in the guest.
BENCH_TOOLS := $(BUILD)/tests/bench/ops $(BUILD)/tests/bench/floor-load $(BUILD)/tests/bench/bpf-load
bench-tools: $(BENCH_TOOLS)

$(BUILD)/tests/bench/ops: tests/bench/ops.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(WARNINGS) $(CFLAGS) $< -o $@

$(BUILD)/tests/bench/floor-load: tests/bench/floor-load.c $(BUILD)/floor.skel.h
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CONTROLLER_CFLAGS) $(WARNINGS) $(CFLAGS) $< -o $@ \
		$(shell $(PKG_CONFIG) --libs libbpf)

$(BUILD)/tests/bench/bpf-load: tests/bench/bpf-load.c $(BUILD)/bulwark.skel.h
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CONTROLLER_CFLAGS) $(WARNINGS) $(CFLAGS) $< -o $@ \
		$(shell $(PKG_CONFIG) --libs libbpf)

$(BUILD)/asan/%.o: %.c $(CONTROLLER_HDRS) $(wildcard kmod/core/*.h kmod/include/uapi/linux/*.h)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(WARNINGS) -O1 -g $(SANITIZE) -c $< -o $@

$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/helpers.h $(PURE_OBJS)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) -Itests/unit $(WARNINGS) -O1 -g $(SANITIZE) $< $(filter %.o,$^) -o $@ \
		-lcmocka $(shell $(PKG_CONFIG) --libs yaml-0.1) $(LDLIBS_UNIT)

# The events log is not pure (it drains the ring buffer); its test links it
# with a fake ring buffer in place of bpf.c.
$(BUILD)/tests/unit/test_events_log: $(BUILD)/asan/controller/backend/events_log.o

# bulwarkd's record of admitted files, linked with its journal (libsystemd).
$(BUILD)/tests/unit/test_admitted: CPPFLAGS += -Icontroller/daemon
$(BUILD)/tests/unit/test_admitted: $(BUILD)/asan/controller/daemon/admitted.o
$(BUILD)/tests/unit/test_admitted: LDLIBS_UNIT = -lsystemd

check: deps
	$(Q)$(MAKE) check-run

check-run: all kmod-tested unit test-tools fuzz-build deb
	$(Q)tests/run-check

bench: deps
	$(Q)$(MAKE) all kmod-tested bench-tools
	$(Q)tests/bench/run

demo: deps
	$(Q)$(MAKE) all kmod-tested test-tools
	$(Q)tests/demo

include tests/fuzz/fuzz.mk

# --- install -----------------------------------------------------------------
install: controller
	install -D -m 0755 $(BUILD)/bulwark $(DESTDIR)$(SBINDIR)/bulwark
	install -D -m 0644 controller/man/bulwark.8 $(DESTDIR)$(MANDIR)/man8/bulwark.8
	install -D -m 0644 controller/man/bulwark-policy.5 $(DESTDIR)$(MANDIR)/man5/bulwark-policy.5
	install -D -m 0755 $(BUILD)/bulwarkd $(DESTDIR)$(SBINDIR)/bulwarkd
	install -D -m 0644 controller/man/bulwarkd.8 $(DESTDIR)$(MANDIR)/man8/bulwarkd.8
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|^ExecStart=/usr/sbin/bulwarkd|ExecStart=$(SBINDIR)/bulwarkd|' \
		controller/daemon/bulwarkd.service > $(DESTDIR)$(UNITDIR)/bulwarkd.service
	install -d -m 0755 $(DESTDIR)/etc/bulwark/policies.d
	install -D -m 0644 controller/daemon/dpkg-post-invoke.cfg $(DESTDIR)/etc/dpkg/dpkg.cfg.d/bulwark

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/bulwark $(DESTDIR)$(MANDIR)/man8/bulwark.8 \
		$(DESTDIR)$(MANDIR)/man5/bulwark-policy.5 $(DESTDIR)$(SBINDIR)/bulwarkd \
		$(DESTDIR)$(MANDIR)/man8/bulwarkd.8 $(DESTDIR)$(UNITDIR)/bulwarkd.service \
		$(DESTDIR)/etc/dpkg/dpkg.cfg.d/bulwark
	-rmdir $(DESTDIR)/etc/bulwark/policies.d $(DESTDIR)/etc/bulwark

style:
	$(Q)scripts/install-deps --style
	$(Q)scripts/style

clean:
	$(Q)if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	rm -rf $(BUILD)
