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

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build

MODULE_SOURCES := Kbuild VERSION compat hugetrack.h $(wildcard *.c)

# The reader runs in the busybox guest too: static, glibc's argp, jansson.
READER := build/user/hugetrack
READER_SOURCES := $(wildcard user/*.c)
READER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-DHT_VERSION='"$(shell cat VERSION)"'
READER_LIBS := -ljansson -lm

.PHONY: all module user modules-all check demo shell setup style fixtures clean

all: module user

user: $(READER)

$(READER): $(READER_SOURCES) $(wildcard user/*.h) VERSION
	@mkdir -p $(@D)
	$(CC) $(READER_CFLAGS) -static -o $@ $(READER_SOURCES) $(READER_LIBS)

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

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -rf build
