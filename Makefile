# SPDX-License-Identifier: GPL-2.0
#
# make                  build hugetrack.ko for the running kernel (or KERNELRELEASE=...)
#                       and the reader, build/user/hugetrack
# make user             the reader alone (static, C11); without clang or
#                       bpftool, or with WITH_BPF=0, it has no BPF backend
# make install          install the module for that kernel (modules_install, depmod)
# make uninstall        remove what install installed
# make dkms-install     hand the sources to DKMS, which builds and installs it
#                       (DKMS_KERNELS="<ver> ...", default the running kernel)
#                       and rebuilds it for every kernel installed later
# make dkms-remove      remove it from DKMS and every kernel
# make deb              the Debian packages hugetrack-dkms (the module's sources
#                       for DKMS) and hugetrack (the reader, hugetrack-bpf),
#                       in build/deb/
# make modules-all      build it for every installed test kernel, in build/<ver>/
# make check            install what the tests need, run every test
# make bench            install what it needs, measure what hugetrack costs (not in check)
# make selftests        the kernel's own mm selftests without and with hugetrack (not in check)
# make soak             everything at once for SOAK_MINUTES per kernel (not in check)
# make demo             install what it needs, boot the test kernel with hugetrack
# make shell            the same guest, leaving you at its shell
# make style            checkpatch on the module sources
# make fixtures         capture the module's files on each test kernel for
#                       the reader's parser tests (tests/fixtures/)
# make bpf              the BPF backend, build/bpf/hugetrack-bpf (static)
# make vmlinux-h        regenerate bpf/vmlinux.h from a test kernel's BTF

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
VERSION := $(shell cat VERSION)

# INSTALL_MOD_PATH: a root other than / (packaging, tests)
INSTALL_MOD_DIR ?= extra
MODULE_DIR = $(INSTALL_MOD_PATH)/lib/modules/$(KERNELRELEASE)
DEPMOD = depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KERNELRELEASE)

# ht_event_text.[ch]: userspace's, the reader's and the BPF library's
MODULE_SOURCES := Kbuild VERSION compat $(filter-out ht_event_text.%,$(wildcard *.h *.c))

# The BPF backend's library, which the reader links too (rules below).
BPF_OUT := build/bpf
BPF_USER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Ibpf -I$(BPF_OUT) \
	-DHUGETRACK_VERSION='"$(VERSION)"'
# Its files (bpf/ht_bpf_internal.h says which does what); ht_bpf_absent.c
# stands in for them in a reader built without the BPF toolchain.
BPF_LIB_SOURCES := $(filter-out bpf/ht_bpf_absent.c,$(wildcard bpf/ht_bpf_*.c))
BPF_LIB_HEADERS := bpf/ht_bpf.h bpf/ht_bpf_internal.h bpf/ht_bpf_shared.h bpf/ht_bpf_symbols.h
BPF_LIB_OBJS := $(patsubst bpf/%.c,$(BPF_OUT)/%.o,$(BPF_LIB_SOURCES)) $(BPF_OUT)/ht_kinds.o \
	$(BPF_OUT)/ht_event_text.o
BPF_LIBS := -lbpf -lelf -lz

# The reader runs in the busybox guest too: static, glibc's argp, jansson,
# and the BPF backend's library (libbpf, libelf, zlib).  Without clang or
# bpftool (WITH_BPF=0) it links bpf/ht_bpf_absent.c instead, and
# --backend bpf says that this build has no BPF backend.
WITH_BPF ?= $(if $(shell command -v clang && command -v bpftool),1,0)
READER := build/user/hugetrack
READER_SOURCES := $(wildcard user/*.c)
READER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-DHT_VERSION='"$(VERSION)"' -Ibpf
ifeq ($(WITH_BPF),1)
READER_BPF_OBJS := $(BPF_LIB_OBJS)
READER_LIBS := -ljansson -lm $(BPF_LIBS)
else
READER_BPF_OBJS := bpf/ht_bpf_absent.c ht_kinds.c ht_event_text.c
READER_LIBS := -ljansson -lm
endif

# The kernels dkms-install builds for; DKMS builds for later ones itself.
DKMS_KERNELS ?= $(KERNELRELEASE)
# DKMS's own trees (tests/dkms.sh points them at a private directory)
DKMS_SOURCE_TREE ?= /usr/src
DKMS_FLAGS ?=
DKMS = dkms $(DKMS_FLAGS) --sourcetree $(DKMS_SOURCE_TREE)
DKMS_FILES := Makefile dkms.conf $(MODULE_SOURCES)

.PHONY: all module user install uninstall dkms-sources dkms-install dkms-remove deb modules-all \
	check bench selftests soak demo shell setup style fixtures clean bpf vmlinux-h \
	test-rules

all: module user

user: $(READER)

$(READER): $(READER_SOURCES) $(wildcard user/*.h) bpf/ht_bpf.h ht_event_text.h ht_stream.h $(READER_BPF_OBJS) VERSION
	@mkdir -p $(@D)
	$(CC) $(READER_CFLAGS) -static -o $@ $(READER_SOURCES) $(READER_BPF_OBJS) $(READER_LIBS)

module:
	@test -d $(KDIR) || { echo "No kernel headers at $(KDIR): install linux-headers-$(KERNELRELEASE), or give KDIR=<kernel build dir>" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

install: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) modules_install
	$(DEPMOD)

uninstall:
	rm -f $(MODULE_DIR)/$(INSTALL_MOD_DIR)/hugetrack.ko*
	$(DEPMOD)

# What DKMS builds from, in $(DKMS_SOURCE_TREE)/hugetrack-$(VERSION)/
# (dkms-install, and the hugetrack-dkms package).
dkms-sources:
	rm -rf $(DKMS_SOURCE_TREE)/hugetrack-$(VERSION)
	mkdir -p $(DKMS_SOURCE_TREE)/hugetrack-$(VERSION)
	cp -r $(DKMS_FILES) $(DKMS_SOURCE_TREE)/hugetrack-$(VERSION)/

dkms-install:
	@command -v dkms >/dev/null || { echo "No dkms: install it (apt-get install dkms)" >&2; exit 1; }
	@# again: this version's sources replace what DKMS has, and are rebuilt
	if [ -n "$$($(DKMS) status hugetrack/$(VERSION))" ]; then \
		$(DKMS) remove hugetrack/$(VERSION) --all; fi
	$(MAKE) --no-print-directory dkms-sources
	$(DKMS) add hugetrack/$(VERSION)
	for kernel in $(DKMS_KERNELS); do \
		$(DKMS) build hugetrack/$(VERSION) -k $$kernel && \
		$(DKMS) install hugetrack/$(VERSION) -k $$kernel || exit 1; \
	done

dkms-remove:
	$(DKMS) remove hugetrack/$(VERSION) --all
	rm -rf $(DKMS_SOURCE_TREE)/hugetrack-$(VERSION)

# The Debian packages (debian/), built by dpkg-buildpackage from a copy of
# the tree's files (git's, when it is a checkout) in build/deb/src, so
# that the .debs it writes beside it stay in build/deb/. debian/changelog
# is written there from VERSION and the maintainer in debian/control.
DEB_OUT := build/deb
DEB_DATE = $(shell git log -1 --format=%cD 2>/dev/null || date -R)
DEB_MAINTAINER = $(shell sed -n 's/^Maintainer: //p' debian/control)

deb:
	rm -rf $(DEB_OUT)
	mkdir -p $(DEB_OUT)/src
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard | \
			tar --null -T - --ignore-failed-read -cf - 2>/dev/null; \
	else \
		tar --exclude=./build -cf - .; \
	fi | tar -xf - -C $(DEB_OUT)/src
	printf '%s (%s) unstable; urgency=medium\n\n  * hugetrack %s.\n\n -- %s  %s\n' \
		hugetrack $(VERSION) $(VERSION) '$(DEB_MAINTAINER)' '$(DEB_DATE)' \
		>$(DEB_OUT)/src/debian/changelog
	cd $(DEB_OUT)/src && dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
		{ tail -n 30 ../build.log; exit 1; }
	@ls $(DEB_OUT)/*.deb

modules-all:
	tests/build-modules.sh $(MODULE_SOURCES)

setup:
	tests/setup.sh

check: setup
	tests/check.sh

# The rule book (ht_rules.h) on the host, in a second: no guest, no kernel.
test-rules:
	tests/rules.sh

bench: setup
	tests/bench.sh

selftests: setup
	tests/selftests.sh

soak: setup
	tests/soak.sh

demo: setup
	tests/demo.sh demo

shell: setup
	tests/demo.sh shell

style:
	tests/style.sh

fixtures: setup
	tests/fixtures.sh

# The BPF backend: CO-RE object, its skeleton, the library (ht_bpf.h) the
# reader links too (variables above), and a static binary that runs in the
# busybox guest as on any machine.
# The kernel whose BTF bpf/vmlinux.h is dumped from (CO-RE adapts it to others).
VMLINUX_KERNEL ?= 6.12.117+deb12-amd64

bpf: $(BPF_OUT)/hugetrack-bpf

$(BPF_OUT)/hugetrack.bpf.o: bpf/hugetrack.bpf.c bpf/ht_bpf_shared.h ht_kinds.h ht_rules.h ht_stream.h bpf/vmlinux.h
	@mkdir -p $(BPF_OUT)
	clang -g -O2 -Wall -Werror -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Ibpf -c $< -o $@

$(BPF_OUT)/hugetrack.skel.h: $(BPF_OUT)/hugetrack.bpf.o
	bpftool gen skeleton $< name hugetrack_bpf >$@

$(BPF_OUT)/ht_bpf_%.o: bpf/ht_bpf_%.c $(BPF_LIB_HEADERS) ht_kinds.h ht_rules.h ht_stream.h ht_event_text.h ht_symbols.h $(BPF_OUT)/hugetrack.skel.h
	gcc $(BPF_USER_CFLAGS) -c -o $@ $<

$(BPF_OUT)/ht_kinds.o $(BPF_OUT)/ht_event_text.o: $(BPF_OUT)/%.o: %.c %.h ht_kinds.h ht_rules.h ht_stream.h
	@mkdir -p $(BPF_OUT)
	gcc $(BPF_USER_CFLAGS) -c -o $@ $<

$(BPF_OUT)/hugetrack-bpf: bpf/hugetrack-bpf.c bpf/ht_bpf.h $(BPF_LIB_OBJS) VERSION
	gcc $(BPF_USER_CFLAGS) -static \
		-o $@ bpf/hugetrack-bpf.c $(BPF_LIB_OBJS) $(BPF_LIBS)

vmlinux-h:
	tests/vmlinux-h.sh $(VMLINUX_KERNEL) >bpf/vmlinux.h.new && mv bpf/vmlinux.h.new bpf/vmlinux.h

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -rf build
