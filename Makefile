# SPDX-License-Identifier: GPL-2.0
#
# make                  build hugetrack.ko for the running kernel (or KDIR=...)
#                       and the reader, build/user/hugetrack
# make user             the reader alone (static, C11)
# make modules-all      build it for every installed test kernel, in build/<ver>/
# make check            install what the tests need, run every test
# make demo             install what it needs, boot the test kernel with hugetrack
# make shell            the same guest, leaving you at its shell
# make style            checkpatch on the module sources
# make fixtures         capture the module's files on each test kernel for
#                       the reader's parser tests (tests/fixtures/)
# make bpf              the BPF backend, build/bpf/hugetrack-bpf (static)
# make vmlinux-h        regenerate bpf/vmlinux.h from a test kernel's BTF

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build

MODULE_SOURCES := Kbuild VERSION compat hugetrack.h ht_kinds.h $(wildcard *.c)

# The BPF backend's library, which the reader links too (rules below).
BPF_OUT := build/bpf
HUGETRACK_VERSION := $(shell cat VERSION)
BPF_USER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Ibpf -I$(BPF_OUT) \
	-DHUGETRACK_VERSION='"$(HUGETRACK_VERSION)"'
BPF_LIB_OBJS := $(BPF_OUT)/ht_bpf.o $(BPF_OUT)/ht_kinds.o
BPF_LIBS := -lbpf -lelf -lz

# The reader runs in the busybox guest too: static, glibc's argp, jansson,
# and the BPF backend's library (libbpf, libelf, zlib).
READER := build/user/hugetrack
READER_SOURCES := $(wildcard user/*.c)
READER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-DHT_VERSION='"$(shell cat VERSION)"' -Ibpf
READER_LIBS := -ljansson -lm $(BPF_LIBS)

.PHONY: all module user modules-all check demo shell setup style fixtures clean \
	bpf vmlinux-h

all: module user

user: $(READER)

$(READER): $(READER_SOURCES) $(wildcard user/*.h) bpf/ht_bpf.h $(BPF_LIB_OBJS) VERSION
	@mkdir -p $(@D)
	$(CC) $(READER_CFLAGS) -static -o $@ $(READER_SOURCES) $(BPF_LIB_OBJS) $(READER_LIBS)

module:
	@test -d $(KDIR) || { echo "No kernel headers at $(KDIR): install linux-headers-$(KERNELRELEASE), or give KDIR=<kernel build dir>" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

modules-all:
	tests/build-modules.sh $(MODULE_SOURCES)

setup:
	tests/setup.sh

check: setup
	tests/check.sh

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

$(BPF_OUT)/hugetrack.bpf.o: bpf/hugetrack.bpf.c bpf/hugetrack.h ht_kinds.h bpf/vmlinux.h
	@mkdir -p $(BPF_OUT)
	clang -g -O2 -Wall -Werror -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Ibpf -c $< -o $@

$(BPF_OUT)/hugetrack.skel.h: $(BPF_OUT)/hugetrack.bpf.o
	bpftool gen skeleton $< name hugetrack_bpf >$@

$(BPF_OUT)/ht_bpf.o: bpf/ht_bpf.c bpf/ht_bpf.h bpf/hugetrack.h ht_kinds.h $(BPF_OUT)/hugetrack.skel.h
	gcc $(BPF_USER_CFLAGS) -c -o $@ $<

$(BPF_OUT)/ht_kinds.o: ht_kinds.c ht_kinds.h
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
