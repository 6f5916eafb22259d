# SPDX-License-Identifier: GPL-2.0-only
#
# Live patching without ftrace for riscv64: build, demo and test.
#
#   make demo      set up, build and show live patching in QEMU
#   make test      host unit tests and guest tests (exit status 0 = all passed)
#   make kernel    unpack the kernel, install the port, build it
#   make patches   write the port as a git-am series to build/patches/
#   make bench     benchmark the pause and the call cost (a table)
#   make klpmake   build tools/klpmake, which builds patch modules that
#                  use non-exported kernel symbols
#
# KSRC=/path/to/tree builds against another kernel tree (patched in place).
# FLAVOUR=preempt builds and tests the kernel with qemu/preempt.config on
# top (full preemption, lockdep), in its own tree, booted on AIA;
# FLAVOUR=ftrace with qemu/ftrace.config (the function tracer);
# FLAVOUR=per-task with qemu/per-task.config (the per-task model);
# FLAVOUR=per-task-preempt with both per-task.config and preempt.config;
# FLAVOUR=per-task-ftrace with ftrace.config and per-task.config (for the
# kernel's own selftests in the per-task model).

REPO      := $(CURDIR)
BUILD     := $(REPO)/build
KVER      ?= 6.12
FLAVOUR   ?= base
ifeq ($(KVER),6.12)
TARBALL   ?= /usr/src/linux-source-6.12.tar.xz
KTAG      := $(FLAVOUR)
else
# Debian's linux-source-$(KVER), fetched by qemu/fetch-kernel.sh.
TARBALL   ?= $(BUILD)/src/linux-source-$(KVER).tar.xz
KTAG      := $(KVER)-$(FLAVOUR)
endif
ifeq ($(KTAG),base)
KSRC      ?= $(BUILD)/linux-source-6.12
else
KSRC      ?= $(BUILD)/linux-$(KTAG)
endif
# qemu/kver-$(KVER).config: what differs in the kernel's Kconfig.
# qemu/kver-$(KVER)-FRAGMENT.config: what differs in a flavour's.
CONFIG    ?= $(REPO)/qemu/wo_ftrace.config $(wildcard $(REPO)/qemu/kver-$(KVER).config) \
	$(foreach f,$(filter-out base,$(or $(FRAGMENTS_$(FLAVOUR)),$(FLAVOUR))),$(REPO)/qemu/$(f).config \
		$(wildcard $(REPO)/qemu/kver-$(KVER)-$(f).config))
FRAGMENTS_per-task-preempt := preempt per-task
FRAGMENTS_per-task-ftrace := ftrace per-task
FRAGMENTS_debug := preempt debug
FRAGMENTS_debug-per-task := preempt debug per-task
QEMU_MACHINE_preempt := virt,aia=aplic-imsic
QEMU_CONSOLE_preempt := hvc0
QEMU_MACHINE_per-task-preempt := $(QEMU_MACHINE_preempt)
QEMU_CONSOLE_per-task-preempt := $(QEMU_CONSOLE_preempt)
QEMU_MACHINE_debug := $(QEMU_MACHINE_preempt)
QEMU_CONSOLE_debug := $(QEMU_CONSOLE_preempt)
QEMU_MACHINE_debug-per-task := $(QEMU_MACHINE_preempt)
QEMU_CONSOLE_debug-per-task := $(QEMU_CONSOLE_preempt)
# The debug kernel spans more than fw_jump leaves it (qemu/run.sh).
QEMU_BIOS_debug := fw_dynamic
QEMU_BIOS_debug-per-task := fw_dynamic
CROSS     := riscv64-linux-gnu-
KMAKE      = $(MAKE) -C $(KSRC) ARCH=riscv CROSS_COMPILE="ccache $(CROSS)" -j$(shell nproc)
MODDIR    := $(BUILD)/modules-$(KTAG)
INITRAMFS := $(BUILD)/initramfs-$(KTAG).cpio
HOSTBIN   := $(BUILD)/host

DEB_PACKAGES := gcc-riscv64-linux-gnu libc6-dev-riscv64-cross binutils-riscv64-linux-gnu \
	qemu-system-misc qemu-user opensbi linux-source-6.12 bc bison flex libssl-dev libelf-dev \
	cpio ccache sparse kmod rsync xz-utils make gcc perl python3 git patch debian-archive-keyring

.PHONY: all demo test deps kernel modules test-modules initramfs host-test guest-test guest-test-preempt guest-test-ftrace guest-test-per-task \
	guest-test-per-task-preempt patches \
	patches-test style-check mutation-check guest-test-upstream guest-test-upstream-per-task upstream-selftests-run \
	upstream-selftests-initramfs stress-initramfs \
	bench bench-run bench-wall bench-klpmake stress stress-test stress-run klpmake klpmake-test klpmade-modules clean \
	guest-test-7.3 guest-test-7.3-preempt guest-test-6.1 guest-test-upstream-7.3 guest-test-upstream-6.1 \
	klpmake-test-7.3 klpmake-test-6.1 guest-test-7.3-ftrace patches-test-7.3

all: kernel modules

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

.PRECIOUS: $(BUILD)/src/linux-source-%.tar.xz
$(BUILD)/src/linux-source-%.tar.xz:
	sh qemu/fetch-kernel.sh $* $(BUILD)/src

# A fresh tree from the tarball, for the default KSRC of each flavour.
$(BUILD)/linux-%/Makefile: | $(TARBALL)
	rm -rf $(BUILD)/unpack-$*
	mkdir -p $(BUILD)/unpack-$*
	tar -C $(BUILD)/unpack-$* -xf $(TARBALL)
	rm -rf $(BUILD)/linux-$*
	mv $(BUILD)/unpack-$*/linux-* $(BUILD)/linux-$*
	rmdir $(BUILD)/unpack-$*

# Compiler messages name the repo paths of our files (patches/port-files).
kernel: $(KSRC)/Makefile
	sh patches/apply-port.sh $(REPO) $(KSRC)
	sh qemu/configure-kernel.sh $(KSRC) $(CONFIG)
	sh patches/repo-paths.sh $(REPO) -- $(KMAKE) Image modules
	@echo "kernel: built Linux $$($(MAKE) -s -C $(KSRC) kernelversion) in $(KSRC)"

modules: test-modules klpmake
	$(MAKE) --no-print-directory klpmade-modules

# The test modules written by hand (selftests/modules/).
test-modules: kernel
	mkdir -p $(MODDIR)
	cp selftests/modules/*.[ch] selftests/modules/Kbuild $(MODDIR)/
	$(KMAKE) M=$(MODDIR) modules

# Patch modules built by klpmake (selftests/klpmake/NAME/ -> NAME.ko), with
# the klpmake options each needs; rebuilt when the kernel or they change.
KLPMAKE    := $(BUILD)/klpmake/klpmake
# One that copies kernel internals lists the kernels it was written for in
# its file "kernels" (the guest test that loads it skips elsewhere).
KLPMADE_ALL := $(patsubst selftests/klpmake/%/Kbuild,%,$(wildcard selftests/klpmake/*/Kbuild))
KLPMADE    := $(foreach m,$(KLPMADE_ALL),$(if $(wildcard selftests/klpmake/$(m)/kernels),\
	$(if $(filter $(KVER),$(shell cat selftests/klpmake/$(m)/kernels)),$(MODDIR)/$(m).ko),$(MODDIR)/$(m).ko))
KLPMAKE_klp_test_static_dup := -s wo_ftrace_testee_origin:wo_ftrace_testee_dup.c
KLPMAKE_klp_test_static_mod := -m $(MODDIR)/klp_test_target.ko
KLPMAKE_klp_test_static_got := -m $(MODDIR)/klp_test_target.ko

# Patch modules built by klpmake diff from a fix
# (selftests/klpmake-diff/NAME.patch -> klp_fix_NAME.ko), with the options
# and further diffs each needs: uname_v2 is two diffs in an atomic-replace
# patch.
# A kernel whose lines differ has its own copy of a fix in
# selftests/klpmake-diff/KVER/NAME.patch; NAME.refused there says why that
# kernel cannot take the fix (the guest test skips).
KLPFIX_DIR := selftests/klpmake-diff/$(KVER)
klpfix = $(or $(wildcard $(KLPFIX_DIR)/$(1).patch),selftests/klpmake-diff/$(1).patch)
KLPFIXES   := $(foreach f,$(patsubst selftests/klpmake-diff/%.patch,%,$(wildcard selftests/klpmake-diff/*.patch)),\
	$(if $(wildcard $(KLPFIX_DIR)/$(f).refused),,$(MODDIR)/klp_fix_$(f).ko))
KLPDIFF_uname_v2 := --replace $(call klpfix,getcpu)

klpmade-modules: $(KLPMADE) $(KLPFIXES)

.SECONDEXPANSION:
$(KLPFIXES): $(MODDIR)/klp_fix_%.ko: $$(call klpfix,$$*) \
		$$(filter %.patch,$$(KLPDIFF_$$*)) $(KSRC)/vmlinux $(KLPMAKE)
	$(KLPMAKE) diff -k $(KSRC) -c "ccache $(CROSS)" -n klp_fix_$* -o $@ \
		$< $(KLPDIFF_$*)

$(KLPMADE): $(MODDIR)/%.ko: $(wildcard selftests/klpmake/*/*) $(KSRC)/vmlinux $(KLPMAKE) \
		$(MODDIR)/klp_test_target.ko
	$(KLPMAKE) -k $(KSRC) -c "ccache $(CROSS)" $(KLPMAKE_$*) -o $@ selftests/klpmake/$*

# --- Corrupted patch modules (guest tests of bad input) ---
# A klpmake-built patch with one field spoiled by a host tool (libelf):
# klp_bad_sym_name.ko has a .klp.sym name without its ",sympos",
# klp_bad_rela_target.ko a .klp.rela section whose target section does
# not exist, klp_bad_rela_noalloc.ko one whose target is not loaded (the
# section name table): these keep the module name klp_test_static.
# klp_bad_rela_target_mod.ko is klp_test_static_mod with its
# .klp.rela.klp_test_target section's target gone.
KLPBAD := $(MODDIR)/klp_bad_sym_name.ko $(MODDIR)/klp_bad_rela_target.ko \
	$(MODDIR)/klp_bad_rela_noalloc.ko $(MODDIR)/klp_bad_rela_target_mod.ko

$(HOSTBIN)/klp_corrupt_ko: selftests/host/klp_corrupt_ko.c
	mkdir -p $(HOSTBIN)
	gcc -Wall -Wextra -Werror -O2 -o $@ $< -lelf

$(MODDIR)/klp_bad_sym_name.ko: $(MODDIR)/klp_test_static.ko $(HOSTBIN)/klp_corrupt_ko
	$(HOSTBIN)/klp_corrupt_ko sym-name $< $@

$(MODDIR)/klp_bad_rela_target.ko: $(MODDIR)/klp_test_static.ko $(HOSTBIN)/klp_corrupt_ko
	$(HOSTBIN)/klp_corrupt_ko rela-target $< $@

$(MODDIR)/klp_bad_rela_noalloc.ko: $(MODDIR)/klp_test_static.ko $(HOSTBIN)/klp_corrupt_ko
	$(HOSTBIN)/klp_corrupt_ko rela-noalloc $< $@

$(MODDIR)/klp_bad_rela_target_mod.ko: $(MODDIR)/klp_test_static_mod.ko $(HOSTBIN)/klp_corrupt_ko
	$(HOSTBIN)/klp_corrupt_ko rela-target $< $@

klpmade-modules: $(KLPBAD)
# --- end of the corrupted patch modules ---

initramfs: modules
	sh qemu/fetch-userland.sh $(BUILD)/userland busybox-static
	sh qemu/mkinitramfs.sh $(KSRC) $(MODDIR) $(BUILD)/userland $(INITRAMFS)

demo: deps
	$(MAKE) --no-print-directory initramfs
	sh qemu/run.sh $(KSRC) $(INITRAMFS) demo

HOST_TESTS := $(HOSTBIN)/klp_insn_test $(HOSTBIN)/klp_branch_test $(HOSTBIN)/klp_ool_test
# Tests that run the code they generate: riscv64 programs, under qemu-riscv64.
RISCV_TESTS := $(HOSTBIN)/klp_tramp_test
INSN_HEADERS := $(wildcard insn/*.h)

# insn/ is included as <asm/...> as in the kernel, from our copy.
$(HOSTBIN)/include/asm: $(INSN_HEADERS)
	mkdir -p $@
	ln -sf $(addprefix $(REPO)/,$(INSN_HEADERS)) $@/
	touch $@

$(HOST_TESTS): $(HOSTBIN)/%: selftests/host/%.c $(HOSTBIN)/include/asm | $(KSRC)/Makefile
	gcc -Wall -Wextra -Werror -O2 -I selftests/host/include -I $(HOSTBIN)/include \
		-I $(KSRC)/arch/riscv/include -o $@ $<

$(RISCV_TESTS): $(HOSTBIN)/%: selftests/host/%.c $(wildcard selftests/host/*.h) $(HOSTBIN)/include/asm | $(KSRC)/Makefile
	$(CROSS)gcc -static -Wall -Wextra -Werror -O2 -I selftests/host/include \
		-I $(HOSTBIN)/include -I $(KSRC)/arch/riscv/include -o $@ $<

# Each prints KTAP; the last line sums them.
host-test: $(HOST_TESTS) $(RISCV_TESTS)
	@p=0; f=0; for t in $(HOST_TESTS) $(RISCV_TESTS); do \
		case " $(RISCV_TESTS) " in *" $$t "*) run=qemu-riscv64 ;; *) run= ;; esac; \
		$$run $$t > $$t.log; rc=$$?; cat $$t.log; \
		set -- $$(sh selftests/counts.sh $$t.log); \
		p=$$((p + $$1)); f=$$((f + $$2)); \
		[ $$rc -eq 0 ] || [ $$2 -gt 0 ] || f=$$((f + 1)); \
	done; echo "$$p passed, $$f failed"; [ $$f -eq 0 ]

# A guest suite in two stages (selftests/run-suites.sh): STAGE=build
# builds all it boots and boots nothing, STAGE=run only boots; without
# STAGE a suite does both.
QEMU_RUN  := $(if $(filter build,$(STAGE)),true,sh qemu/run.sh)
built      = $(if $(filter run,$(STAGE)),,$(1))

# The time limit catches a hung guest: twice what a suite takes on a
# loaded 2-core host.
guest-test: $(call built,initramfs)
	QEMU_TIMEOUT=$${QEMU_TIMEOUT:-1200} QEMU_LOG=$(BUILD)/guest-test-$(KTAG).log \
	QEMU_MACHINE=$(or $(QEMU_MACHINE_$(FLAVOUR)),virt) \
	QEMU_CONSOLE=$(or $(QEMU_CONSOLE_$(FLAVOUR)),ttyS0) \
	QEMU_BIOS=$(or $(QEMU_BIOS_$(FLAVOUR)),fw_jump) \
		$(QEMU_RUN) $(KSRC) $(INITRAMFS) test

guest-test-preempt:
	$(MAKE) --no-print-directory guest-test FLAVOUR=preempt

guest-test-ftrace:
	$(MAKE) --no-print-directory guest-test FLAVOUR=ftrace

guest-test-per-task:
	$(MAKE) --no-print-directory guest-test FLAVOUR=per-task

guest-test-per-task-preempt:
	$(MAKE) --no-print-directory guest-test FLAVOUR=per-task-preempt

# Every suite runs; the last line sums them, the exit status is 0 only if
# all passed.  The host's suites run first, one after another; then the
# guest suites (after "--") are built one after another, each booted once
# built, three guests at a time, the longest first
# (selftests/run-suites.sh).  The base 6.12
# kernel's guest suite runs as a board runs it (board-test: the bundle in
# a plain busybox guest).  make test KVER=7.3 (or 6.1, 6.12): that
# kernel's suites alone.
TEST_HOST        := host-test klpmake-test klpmake-test-7.3 klpmake-test-6.1 style-check \
	patches-test
TEST_GUESTS_6.12 := guest-test-per-task-preempt guest-test-preempt board-test \
	guest-test-per-task guest-test-ftrace stress-test guest-test-upstream \
	guest-test-upstream-per-task
TEST_GUESTS_7.3  := guest-test-7.3-preempt guest-test-7.3 guest-test-7.3-ftrace \
	guest-test-upstream-7.3 patches-test-7.3
TEST_GUESTS_6.1  := guest-test-6.1 guest-test-upstream-6.1
ifeq ($(origin KVER),command line)
TEST_SUITES := $(if $(filter 6.12,$(KVER)),$(TEST_HOST),host-test klpmake-test) -- \
	$(TEST_GUESTS_$(KVER))
else
TEST_SUITES := $(TEST_HOST) -- guest-test-per-task-preempt guest-test-preempt \
	guest-test-7.3-preempt guest-test-7.3 guest-test-per-task board-test \
	guest-test-ftrace guest-test-6.1 guest-test-7.3-ftrace stress-test guest-test-upstream \
	guest-test-upstream-per-task guest-test-upstream-7.3 guest-test-upstream-6.1
endif

test: deps
	@bash selftests/run-suites.sh $(TEST_SUITES)

guest-test-7.3:
	$(MAKE) --no-print-directory guest-test KVER=7.3

guest-test-7.3-preempt:
	$(MAKE) --no-print-directory guest-test KVER=7.3 FLAVOUR=preempt

guest-test-7.3-ftrace:
	$(MAKE) --no-print-directory guest-test KVER=7.3 FLAVOUR=ftrace

guest-test-6.1:
	$(MAKE) --no-print-directory guest-test KVER=6.1

# The series for 7.3, built after each patch: all CPU, no guest, so it
# goes last among the guest suites, built (niced) while their guests run.
# In make test KVER=7.3 only: with it, a run of every kernel from a cold
# ccache takes more than CI's 90 minutes on 2 cores (README "Tests").
patches-test-7.3:
	$(if $(filter run,$(STAGE)),@echo "patches-test-7.3: checked in its build stage",\
		$(MAKE) --no-print-directory patches-test KVER=7.3)

style-check: kernel
	$(MAKE) --no-print-directory kernel FLAVOUR=per-task
	sh selftests/style/check.sh $(REPO) $(KSRC) $(BUILD)/linux-per-task

# The kernel's own livepatch selftests, unchanged, in a guest with a real
# Debian userland, on the kernels with the function tracer
# (functions.sh needs the kernel.ftrace_enabled sysctl): once for each
# consistency model.
UPSTREAM_PKGS := bash coreutils procps kmod util-linux grep sed mawk diffutils libc-bin
KSELFTEST = $(KSRC)/tools/testing/selftests/livepatch
# Before v6.4 the selftests' modules are the tree's (lib/livepatch),
# loaded by modprobe from /lib/modules.
KMODS     := $(BUILD)/kmods-$(KTAG)

guest-test-upstream:
	$(MAKE) --no-print-directory upstream-selftests-run FLAVOUR=ftrace

guest-test-upstream-per-task:
	$(MAKE) --no-print-directory upstream-selftests-run FLAVOUR=per-task-ftrace

guest-test-upstream-7.3:
	$(MAKE) --no-print-directory upstream-selftests-run KVER=7.3 FLAVOUR=ftrace

guest-test-upstream-6.1:
	$(MAKE) --no-print-directory upstream-selftests-run KVER=6.1 FLAVOUR=ftrace

upstream-selftests-run: $(call built,upstream-selftests-initramfs)
	QEMU_MEM=1G QEMU_LOG=$(BUILD)/guest-upstream-$(KTAG).log \
		$(QEMU_RUN) $(KSRC) $(BUILD)/initramfs-upstream-$(KTAG).cpio upstream

upstream-selftests-initramfs: modules
	$(if $(wildcard $(KSELFTEST)/test_modules),$(MAKE) -C $(KSELFTEST)/test_modules \
		KDIR=$(KSRC) ARCH=riscv CROSS_COMPILE="ccache $(CROSS)")
	$(if $(wildcard $(KSELFTEST)/test_klp-call_getpid.c),$(CROSS)gcc -static -O2 \
		-o $(KSELFTEST)/test_klp-call_getpid $(KSELFTEST)/test_klp-call_getpid.c)
	sh qemu/fetch-userland.sh $(BUILD)/userland busybox-static
	sh qemu/fetch-userland.sh $(BUILD)/userland --deps $(UPSTREAM_PKGS)
	rm -rf $(KMODS)
	$(if $(wildcard $(KSELFTEST)/test_modules),,$(KMAKE) INSTALL_MOD_PATH=$(KMODS) modules_install)
	UPSTREAM=1 UPSTREAM_KMODS=$(KMODS) sh qemu/mkinitramfs.sh $(KSRC) $(MODDIR) \
		$(BUILD)/userland $(BUILD)/initramfs-upstream-$(KTAG).cpio

# The patch-module builder (tools/klpmake, host C with libelf) and its
# host tests, which build patch modules against the base kernel.
klpmake:
	$(MAKE) -C tools/klpmake O=$(BUILD)/klpmake

klpmake-test: kernel
	$(MAKE) -C tools/klpmake O=$(BUILD)/klpmake KDIR=$(KSRC) test

# Against the other kernels: their copies of the fixes and fixtures whose
# lines differ are in KVER/ beside them (selftests/klpmake-diff/7.3/,
# tools/klpmake/tests/fixtures/6.1/), and a fix with nothing to change
# there has NAME.skip saying why.
klpmake-test-7.3 klpmake-test-6.1: klpmake-test-%:
	$(MAKE) --no-print-directory klpmake-test KVER=$*

# Figures, not tests: guest time under -icount on the base kernel, the
# call costs again on the ftrace kernel for the ftrace redirection, and
# the per-task model's calls, pause and sleepers on the per-task kernel;
# then the pause in wall-clock time on the base kernel, without -icount
# (QEMU 7.2 stalls under it with more than one hart), on 1 and on 4 harts.
# The table goes to build/bench.md.
BENCHDIR := $(BUILD)/bench-$(FLAVOUR)
# One bench guest: its log is build/bench-$(BENCH_NAME).log.
BENCH_NAME   ?= $(FLAVOUR)
BENCH_SMP    ?= 1
BENCH_ICOUNT ?= 1
BENCH_APPEND ?=

bench: deps
	$(MAKE) --no-print-directory bench-run FLAVOUR=base
	$(MAKE) --no-print-directory bench-run FLAVOUR=ftrace
	$(MAKE) --no-print-directory bench-run FLAVOUR=per-task
	$(MAKE) --no-print-directory bench-wall
	sh selftests/bench/table.sh $(BUILD)/bench-base.log $(BUILD)/bench-ftrace.log \
		$(BUILD)/bench-per-task.log $(BUILD)/bench-wall-1.log \
		$(BUILD)/bench-wall-4.log | tee $(BUILD)/bench.md
	$(MAKE) --no-print-directory bench-klpmake

# The wall-clock pause alone (build/bench-wall-1.log, bench-wall-4.log).
bench-wall:
	$(MAKE) --no-print-directory bench-run FLAVOUR=base BENCH_NAME=wall-1 \
		BENCH_SMP=1 BENCH_ICOUNT=0 BENCH_APPEND=klp_bench=wall
	$(MAKE) --no-print-directory bench-run FLAVOUR=base BENCH_NAME=wall-4 \
		BENCH_SMP=4 BENCH_ICOUNT=0 BENCH_APPEND=klp_bench=wall

# klpmake diff on each fix of the corpus, against one full build (no ccache).
KLPFIX_NAMES := $(patsubst selftests/klpmake-diff/%.patch,%,$(wildcard selftests/klpmake-diff/*.patch))
bench-klpmake: modules
	sh selftests/bench/klpmake-diff.sh $(REPO) $(KSRC) $(KLPMAKE) $(CROSS) $(TARBALL) \
		$(CONFIG) -- $(foreach f,$(KLPFIX_NAMES),"selftests/klpmake-diff/$(f).patch $(KLPDIFF_$(f))") \
		| tee $(BUILD)/bench-klpmake.md

bench-run: modules
	mkdir -p $(BENCHDIR)
	cp selftests/bench/*.[ch] selftests/bench/Kbuild $(BENCHDIR)/
	$(KMAKE) M=$(BENCHDIR) modules
	sh qemu/fetch-userland.sh $(BUILD)/userland busybox-static
	BENCH=$(BENCHDIR) sh qemu/mkinitramfs.sh $(KSRC) $(MODDIR) $(BUILD)/userland \
		$(BUILD)/initramfs-bench-$(FLAVOUR).cpio
	@# The host's cores and load, before and after: wall clock under TCG
	@# depends on them.
	host="nproc $$(nproc), load average before $$(cut -d' ' -f1-3 /proc/loadavg)"; \
	QEMU_ICOUNT=$(BENCH_ICOUNT) QEMU_SMP=$(BENCH_SMP) QEMU_MEM=1G \
		QEMU_APPEND="$(BENCH_APPEND)" QEMU_LOG=$(BUILD)/bench-$(BENCH_NAME).log \
		sh qemu/run.sh $(KSRC) $(BUILD)/initramfs-bench-$(FLAVOUR).cpio bench > /dev/null; \
	rc=$$?; \
	echo "host: $$host, after $$(cut -d' ' -f1-3 /proc/loadavg)" >> $(BUILD)/bench-$(BENCH_NAME).log; \
	exit $$rc

# The soak (selftests/stress/): STRESS_CYCLES enable/disable cycles of the
# soak's patches under load, on the debug kernel (KASAN, kmemleak,
# lockdep) in both consistency models and on the ftrace kernel with the
# tracers switching; then a transition blocked for 10 minutes.  Figures
# in build/stress-FLAVOUR.log.  make test runs the short form
# (stress-test).  STRESS_APPEND=klp_stress_quiet=1: the cycles alone,
# without the load; STRESS_APPEND=klp_stress_unpatched_s=N: the load
# alone for N s, no patch (give STRESS_CYCLES=N/30 for the time limit).
# The guest's time limit allows a minute a cycle: under
# the load a cycle of the debug kernel takes 20 s on a 2-core host.
STRESS_CYCLES ?= 10000
STRESSDIR := $(BUILD)/stress-$(FLAVOUR)

stress: deps
	$(MAKE) --no-print-directory stress-run FLAVOUR=debug
	$(MAKE) --no-print-directory stress-run FLAVOUR=debug-per-task
	$(MAKE) --no-print-directory stress-run FLAVOUR=ftrace
	QEMU_TIMEOUT=1800 QEMU_APPEND="klp_tests=test_long_blocked_transition klp_block_s=600" \
		$(MAKE) --no-print-directory guest-test FLAVOUR=preempt

# The short form, on the preempt kernel (lockdep, PREEMPT, hotplug) that
# make test builds anyway.
stress-test:
	$(MAKE) --no-print-directory stress-run FLAVOUR=preempt STRESS_CYCLES=100

stress-initramfs: test-modules
	mkdir -p $(STRESSDIR)
	cp selftests/stress/*.[ch] selftests/stress/Kbuild $(STRESSDIR)/
	$(KMAKE) M=$(STRESSDIR) modules
	sh qemu/fetch-userland.sh $(BUILD)/userland busybox-static
	STRESS=$(STRESSDIR) sh qemu/mkinitramfs.sh $(KSRC) $(MODDIR) $(BUILD)/userland \
		$(BUILD)/initramfs-stress-$(FLAVOUR).cpio

stress-run: $(call built,stress-initramfs)
	QEMU_MACHINE=$(or $(QEMU_MACHINE_$(FLAVOUR)),virt) \
	QEMU_CONSOLE=$(or $(QEMU_CONSOLE_$(FLAVOUR)),ttyS0) \
	QEMU_MEM=1G QEMU_TIMEOUT=$$(( 1200 + 60 * $(STRESS_CYCLES) )) \
	QEMU_BIOS=$(or $(QEMU_BIOS_$(FLAVOUR)),fw_jump) \
	QEMU_APPEND="klp_stress_cycles=$(STRESS_CYCLES) $(STRESS_APPEND)" QEMU_LOG=$(BUILD)/stress-$(FLAVOUR).log \
		$(QEMU_RUN) $(KSRC) $(BUILD)/initramfs-stress-$(FLAVOUR).cpio stress

# Slow: shows that each protection's guest test fails without it
# (MUTATIONS=PATTERN: only the lines that match).
mutation-check:
	sh selftests/mutation/check.sh "$(MUTATIONS)"

# The series: build/patches for 6.12, build/patches-KVER for another
# kernel.  patches-test applies it to a fresh tree and builds after each
# patch (KVER=6.12: once, after the last), checkpatch --strict on each.
patches: $(KSRC)/Makefile
	sh patches/export-series.sh $(REPO) $(KSRC) $(BUILD)/patches$(if $(filter 6.12,$(KVER)),,-$(KVER))

patches-test: patches
	sh patches/test-series.sh $(if $(filter 6.12,$(KVER)),,--each) $(REPO) $(TARBALL) \
		$(BUILD)/patches$(if $(filter 6.12,$(KVER)),,-$(KVER)) "$(CONFIG)"

clean:
	rm -rf $(BUILD)

# The board bundle (make board-bundle, make board-test).
include qemu/board.mk
