# SPDX-License-Identifier: GPL-2.0-only
#
# The board bundle (included by the Makefile).
#
#   make board-bundle KSRC=DIR  the guest tests for the kernel built in DIR,
#                               for busybox sh on a board:
#                               build/board-bundle-RELEASE.tar.gz
#   make board-test             that bundle for the base kernel, run in a
#                               plain busybox guest under QEMU
#
# A kernel of ours (KSRC not given) is configured and built by make
# modules.  A board's kernel tree (KSRC given) is taken as it is, built
# with the port and the board's own .config: nothing here reconfigures or
# rebuilds it; its modules go to a directory of their own.

.PHONY: board-bundle board-modules board-test board-initramfs

ifeq ($(origin KSRC),file)
BOARD_MODDIR := $(MODDIR)
board-modules: modules
else
BOARD_KREL := $(shell cat $(KSRC)/include/config/kernel.release 2>/dev/null)
BOARD_MODDIR := $(BUILD)/board-modules-$(BOARD_KREL)
# klpmake cannot build the patches of the test knobs' functions for a
# kernel without them (-k: the rest are built); the runner skips their
# tests there.
board-modules:
	@test -n "$(BOARD_KREL)" -a -f $(KSRC)/vmlinux || \
		{ echo "board-bundle: $(KSRC) is not a built kernel tree" >&2; exit 1; }
	mkdir -p $(BOARD_MODDIR)
	cp selftests/modules/*.[ch] selftests/modules/Kbuild $(BOARD_MODDIR)/
	$(KMAKE) M=$(BOARD_MODDIR) modules
	$(MAKE) --no-print-directory klpmake
	$(MAKE) --no-print-directory -k klpmade-modules MODDIR=$(BOARD_MODDIR) || \
		echo "board-bundle: some klpmake-built modules failed; their tests fail or skip" >&2
endif

board-bundle: board-modules
	sh qemu/board-bundle.sh $(KSRC) $(BOARD_MODDIR) $(BUILD)

# The bundle in a guest with busybox and nothing else of the test guest,
# as a board has it (qemu/board-init).  run.sh fails on a failed test, a
# missing count line or a timeout (twice a suite on a loaded 2-core host).
board-test: $(call built,board-initramfs)
	QEMU_TIMEOUT=$${QEMU_TIMEOUT:-1200} QEMU_LOG=$(BUILD)/board-test.log \
		$(QEMU_RUN) $(KSRC) $(BUILD)/initramfs-board.cpio test

board-initramfs: board-bundle
	sh qemu/fetch-userland.sh $(BUILD)/userland busybox-static
	sh qemu/mkinitramfs-board.sh $(BUILD)/userland \
		$(BUILD)/board-bundle-$$(cat $(KSRC)/include/config/kernel.release).tar.gz \
		$(BUILD)/initramfs-board.cpio
