# SPDX-License-Identifier: GPL-2.0
#
# make                  build hugetrack.ko for the running kernel (or KDIR=...)
# make modules-all      build it for every installed test kernel, in build/<ver>/
# make check            install what the tests need, run every test
# make bench            install what it needs, measure what hugetrack costs (not in check)
# make demo             install what it needs, boot the test kernel with hugetrack
# make shell            the same guest, leaving you at its shell
# make style            checkpatch on the module sources

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build

MODULE_SOURCES := Kbuild VERSION compat hugetrack.h $(wildcard *.c)

.PHONY: all module modules-all check bench demo shell setup style clean

all: module

module:
	@test -d $(KDIR) || { echo "No kernel headers at $(KDIR): install linux-headers-$(KERNELRELEASE), or give KDIR=<kernel build dir>" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

modules-all:
	tests/build-modules.sh $(MODULE_SOURCES)

setup:
	tests/setup.sh

check: setup
	tests/check.sh

bench: setup
	tests/bench.sh

demo: setup
	tests/demo.sh demo

shell: setup
	tests/demo.sh shell

style:
	tests/style.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -rf build
