# loadscope: CO-RE BPF programs + user-space loader, analysis and rendering.
# `make` builds ./loadscope; as root, `make test` runs unit and integration tests and `make demo` the demo.
# `make test-kernels` runs the integration tests in qemu on each kernel in KERNELS_DIR.

ARCH ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
BUILD := build
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
PKGS := libbpf jansson check

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -MMD -MP -I$(BUILD) -Ibpf -Iuser
BPF_CFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -MMD -MP \
	-I vmlinux/$(ARCH) -I bpf -mcpu=v3
LDLIBS := -lbpf -lelf -lz -ljansson -lcap -lm -lmount

# user/ by layer (user/README.md): the layers without BPF build as one library, libloadscope.a, that
# the unit tests, the fuzzer and the offline commands link; observe/ is the only one with libbpf.
NOBPF_LAYERS := core render io targets
USER_SRCS := $(wildcard user/*.c user/*/*.c)
USER_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_SRCS))
NOBPF_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(wildcard $(NOBPF_LAYERS:%=user/%/*.c)))
LIB := $(BUILD)/libloadscope.a
# observe/ and cmd/ (all but main.o) as archives too, so a test links only what it calls
OBSERVE_LIB := $(BUILD)/libloadscope-observe.a
CMD_LIB := $(BUILD)/libloadscope-cmd.a
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))

UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%.o,$(UNIT_SRCS))
INTEG_SRCS := $(wildcard tests/integration/*.c)
INTEG_OBJS := $(patsubst tests/integration/%.c,$(BUILD)/tests/integration/%.o,$(INTEG_SRCS))
SOAK_SRCS := $(wildcard tests/soak/*.c)
SOAK_OBJS := $(patsubst tests/soak/%.c,$(BUILD)/tests/soak/%.o,$(SOAK_SRCS)) \
	$(BUILD)/tests/integration/harness.o
WORKLOAD_SRCS := $(wildcard tests/workloads/*.c)
WORKLOADS := $(patsubst tests/workloads/%.c,$(BUILD)/workloads/%,$(WORKLOAD_SRCS)) \
	$(BUILD)/workloads/demo-server
DEPS_STAMP := $(BUILD)/.deps-ok
# The servers of the Node.js, Bun and Go benchmark (tools/demo/stacks/): Node.js and Go from
# Debian's packages, Bun from the npm registry into $(BUILD)/npm; Go builds with its caches under
# $(BUILD)/go (nothing written to $HOME) and without the module proxy (standard library only).
STACKS := $(BUILD)/stacks
GO_ENV := GOCACHE=$(CURDIR)/$(BUILD)/go/cache GOPATH=$(CURDIR)/$(BUILD)/go/path GOENV=off \
	GOPROXY=off GOTOOLCHAIN=local XDG_CONFIG_HOME=$(CURDIR)/$(BUILD)/go/config

# Static builds, so that one binary runs unchanged in the test kernels' minimal guests.
STATIC := $(BUILD)/static
STATIC_BINS := $(STATIC)/loadscope $(STATIC)/integration_tests \
	$(patsubst tests/workloads/%.c,$(STATIC)/workloads/%,$(WORKLOAD_SRCS)) \
	$(STATIC)/workloads/demo-server
# The test kernels (vmlinuz-*); empty: ../shared/kernels beside the repository (test-kernels.sh).
KERNELS_DIR ?=
# Seconds one guest may take from boot to power-off, and how many guests boot at once.
GUEST_TIMEOUT ?= 600
KERNEL_JOBS ?= 2

.PHONY: all deps test test-unit test-integration test-fuzz test-html docs-screenshot test-kernels static \
	demo demo-node demo-stacks bench soak clean format
.DELETE_ON_ERROR:
.SECONDARY: $(BPF_OBJS) $(SKELS)

all: loadscope

# Install missing Debian packages (root) or say what to run (non-root); re-checked when the script changes.
deps $(DEPS_STAMP): tools/install-deps.sh
	@tools/install-deps.sh
	@mkdir -p $(BUILD) && touch $(DEPS_STAMP)

$(BUILD)/%.bpf.o: bpf/%.bpf.c vmlinux/$(ARCH)/vmlinux.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o | $(DEPS_STAMP)
	$(BPFTOOL) gen skeleton $< > $@

# Syscall number -> name tables, from the kernel's UAPI headers.
$(BUILD)/syscall_names.h: tools/gen-syscall-names.sh | $(DEPS_STAMP)
	@mkdir -p $(@D)
	tools/gen-syscall-names.sh $@

# An object whose dependency file is missing is rebuilt, so a header change is never missed
# (named explicitly: a pattern rule would make them intermediate files, whose absence is ignored).
DEPFILES := $(USER_OBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(INTEG_OBJS:.o=.d) $(SOAK_OBJS:.o=.d) $(BUILD)/tests/fuzz/fixture_json.d
$(DEPFILES): ;

$(BUILD)/user/%.o: user/%.c $(BUILD)/user/%.d | $(SKELS) $(BUILD)/syscall_names.h $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(NOBPF_OBJS) | $(BUILD)/.layers-ok
	rm -f $@ && ar rcs $@ $^

$(OBSERVE_LIB): $(patsubst user/%.c,$(BUILD)/user/%.o,$(wildcard user/observe/*.c))
	rm -f $@ && ar rcs $@ $^

$(CMD_LIB): $(patsubst user/%.c,$(BUILD)/user/%.o,$(wildcard user/cmd/*.c))
	rm -f $@ && ar rcs $@ $^

# Which layer may include which (user/README.md); core/, render/ and io/ include no libbpf header.
$(BUILD)/.layers-ok: tools/check-layers.sh $(wildcard user/*.c user/*/*.[ch])
	@mkdir -p $(@D)
	tools/check-layers.sh user
	@touch $@

loadscope: $(BUILD)/user/main.o $(CMD_LIB) $(OBSERVE_LIB) $(LIB)
	$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%.o: tests/%.c $(BUILD)/tests/%.d | $(SKELS) $(BUILD)/syscall_names.h $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/unit_tests: $(UNIT_OBJS) $(CMD_LIB) $(OBSERVE_LIB) $(LIB)
	$(CC) $(CFLAGS) $^ $(LDLIBS) -lcsv $(shell pkg-config --libs check) -o $@

$(BUILD)/integration_tests: $(INTEG_OBJS)
	$(CC) $(CFLAGS) $^ -ljansson $(shell pkg-config --libs check) -o $@

$(BUILD)/soak_tests: $(SOAK_OBJS)
	$(CC) $(CFLAGS) $^ -ljansson $(shell pkg-config --libs check) -o $@

$(BUILD)/workloads/%: tests/workloads/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -pthread $< -ljansson -o $@

# Debian has no static libmount: it and libc stay shared, the rest is linked in; test-kernels.sh
# copies the shared libraries into the guests.
$(STATIC)/loadscope: $(BUILD)/user/main.o $(CMD_LIB) $(OBSERVE_LIB) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $^ -Wl,-Bstatic -lbpf -lelf -lz -ljansson -lcap -Wl,-Bdynamic -lm -lmount -o $@

$(STATIC)/integration_tests: $(INTEG_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static $^ -ljansson $(shell pkg-config --static --libs check) -pthread -o $@

$(STATIC)/workloads/%: tests/workloads/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static -pthread $< -ljansson -o $@

$(STATIC)/workloads/demo-server: tools/demo/server.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static $< -o $@

static: $(STATIC_BINS)

# The unit tests' fixture as a saved run (with wakers): a fuzzing seed and test-html's page.
$(BUILD)/fixture_json: $(BUILD)/tests/fuzz/fixture_json.o $(BUILD)/tests/unit/fixture.o $(LIB)
	$(CC) $(CFLAGS) $^ $(LDLIBS) $(shell pkg-config --libs check) -o $@

$(BUILD)/fixture.json: $(BUILD)/fixture_json
	$(BUILD)/fixture_json $@

# The JSON reader and the renderers under libFuzzer, with AddressSanitizer (leaks included) and
# UndefinedBehaviorSanitizer; test-fuzz runs it FUZZ_SECONDS from a corpus of valid, truncated
# and corrupted runs, after replaying tests/fuzz/regressions/.
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -g -O1 -std=gnu11 -Wall -Wextra -Werror -I$(BUILD) -Ibpf -Iuser \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# the no-BPF library again, instrumented
FUZZ_OBJS := $(patsubst $(BUILD)/user/%.o,$(BUILD)/fuzz/%.o,$(NOBPF_OBJS))
FUZZ_LIB := $(BUILD)/fuzz/libloadscope.a

$(BUILD)/fuzz/%.o: user/%.c | $(BUILD)/syscall_names.h $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(FUZZ_OBJS) | $(BUILD)/.layers-ok
	rm -f $@ && ar rcs $@ $^

$(BUILD)/fuzz/fuzz_report: tests/fuzz/fuzz_report.c $(FUZZ_LIB) | $(DEPS_STAMP)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -ljansson -lm -o $@

# The command line and the /proc and cgroup file parsers under the same sanitizers, for
# FUZZ_INPUT_SECONDS (run_inputs.sh seeds each from this machine's files and other formats).
FUZZ_INPUT_SECONDS ?= 30
$(BUILD)/fuzz/fuzz_inputs: tests/fuzz/fuzz_inputs.c $(BUILD)/fuzz/cmd/options.o $(FUZZ_LIB) \
		| $(DEPS_STAMP)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -ljansson -lmount -lm -o $@

test-fuzz: $(BUILD)/fuzz/fuzz_report $(BUILD)/fuzz/fuzz_inputs $(BUILD)/fixture.json
	tests/fuzz/run.sh $(BUILD)/fuzz/fuzz_report $(BUILD)/fixture.json $(FUZZ_SECONDS) $(BUILD)/fuzz
	tests/fuzz/run_inputs.sh $(BUILD)/fuzz/fuzz_inputs $(FUZZ_INPUT_SECONDS) $(BUILD)/fuzz-inputs

test-unit: $(BUILD)/unit_tests
	CK_FORK=yes $(BUILD)/unit_tests

test-integration: loadscope $(BUILD)/integration_tests $(WORKLOADS) $(STACKS)/.ok
	@tools/require-root.sh "make test"
	$(BUILD)/integration_tests

# The README's test command: everything, unit tests first, the fuzzer last.
test: loadscope $(BUILD)/unit_tests $(BUILD)/integration_tests $(WORKLOADS) $(STACKS)/.ok \
	$(BUILD)/fuzz/fuzz_report $(BUILD)/fuzz/fuzz_inputs $(BUILD)/fixture.json
	@tools/require-root.sh "make test"
	CK_FORK=yes $(BUILD)/unit_tests
	$(BUILD)/integration_tests
	tests/fuzz/run.sh $(BUILD)/fuzz/fuzz_report $(BUILD)/fixture.json $(FUZZ_SECONDS) $(BUILD)/fuzz
	tests/fuzz/run_inputs.sh $(BUILD)/fuzz/fuzz_inputs $(FUZZ_INPUT_SECONDS) $(BUILD)/fuzz-inputs

# The soak and fault suite: churn and thread storms for SOAK_SECONDS under -p and -c, a syscall
# flood, a full thread map, pid reuse, a cgroup removed mid-run, SIGKILL and SIGINT/SIGTERM at
# random moments, two runs at once, a pid namespace; one result line per case. .ci/run runs it
# for 120 s; the README's Reliability section has the figures of a long run.
SOAK_SECONDS ?= 3600
soak: loadscope $(BUILD)/soak_tests $(WORKLOADS)
	@tools/require-root.sh "make soak"
	SOAK_SECONDS=$(SOAK_SECONDS) $(BUILD)/soak_tests

# The HTML report in headless Chromium (Debian's, installed when missing): no console message,
# every chart in the browser's DOM and showing in a screenshot, printable. RUN=FILE renders
# another saved run instead of the unit tests' fixture; build/html/ keeps the page and pictures.
RUN ?= $(BUILD)/fixture.json
test-html: loadscope $(BUILD)/fixture.json
	@tools/install-deps.sh chromium libpng-dev
	$(CC) $(CFLAGS) tests/html/pngregions.c -lpng -o $(BUILD)/pngregions
	tests/html/run.sh ./loadscope $(RUN) $(BUILD)/html $(BUILD)/pngregions

# The README's picture: the demo's handoff run under wrk for 3 s, its HTML report's first
# 2400 pixels as headless Chromium draws them, after test-html has checked that page.
docs-screenshot: loadscope $(BUILD)/workloads/demo-server
	@tools/require-root.sh "make docs-screenshot"
	DEMO_SECONDS=3 DEMO_OUT=$(BUILD)/demo tools/demo/run.sh >$(BUILD)/demo.log
	$(MAKE) test-html RUN=$(BUILD)/demo/handoff-close.json
	timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir=$(BUILD)/html/profile --force-device-scale-factor=1 \
		--window-size=1200,2400 --screenshot=docs/html-report.png \
		file://$(CURDIR)/$(BUILD)/html/report.html 2>/dev/null

# Boots every kernel in KERNELS_DIR in qemu and runs the integration suite there (no root needed
# on the host: the suite runs as root inside the guest). Installs qemu, busybox-static and cpio.
test-kernels: $(STATIC_BINS)
	@KERNELS_DIR="$(KERNELS_DIR)" STATIC_DIR="$(STATIC)" OUT_DIR="$(BUILD)/kernels" \
		GUEST_TIMEOUT="$(GUEST_TIMEOUT)" JOBS="$(KERNEL_JOBS)" tools/kernels/test-kernels.sh


# The demo's HTTP server, also a workload of the integration tests.
$(BUILD)/workloads/demo-server: tools/demo/server.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< -o $@

demo: loadscope $(BUILD)/workloads/demo-server
	@tools/require-root.sh "make demo"
	tools/demo/run.sh

# The same with Node.js (Debian's nodejs): a cluster against a single process.
demo-node: loadscope
	@tools/require-root.sh "make demo-node"
	@tools/install-deps.sh nodejs
	tools/demo/node.sh

# The servers of the Node.js, Bun and Go benchmark (tools/demo/stacks/), built as described where
# STACKS is defined above.

$(STACKS)/go-json: tools/demo/stacks/go/main.go tools/demo/stacks/go/go.mod
	@tools/install-deps.sh golang-go
	@mkdir -p $(@D)
	cd tools/demo/stacks/go && $(GO_ENV) go build -trimpath -o $(CURDIR)/$@ .

$(STACKS)/.ok: $(STACKS)/go-json tools/demo/stacks/install-bun.sh
	@tools/install-deps.sh nodejs jq
	tools/demo/stacks/install-bun.sh $(BUILD)/npm $(STACKS)/bun
	touch $@

# Each of them under wrk (keep-alive and a connection per request), observed by loadscope, then
# a table of requests/s and the cost per request. DEMO_OUT=DIR keeps the JSON runs.
demo-stacks: loadscope $(STACKS)/.ok
	@tools/require-root.sh "make demo-stacks"
	tools/demo/stacks.sh

# The empty-program floor of tools/bench/observer.sh: programs that return 0 on loadscope's hooks.
$(BUILD)/bench/floor.bpf.o: tools/bench/floor.bpf.c vmlinux/$(ARCH)/vmlinux.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/floor: tools/bench/floor.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< -lbpf -lelf -lz -o $@

bench: loadscope $(WORKLOADS) $(STACKS)/.ok $(BUILD)/bench/floor $(BUILD)/bench/floor.bpf.o
	@tools/require-root.sh "make bench"
	@tools/install-deps.sh libbpf-tools jq
	tools/bench/sched.sh
	tools/bench/syscalls.sh
	tools/bench/cgroup.sh
	tools/bench/observer.sh

format:
	clang-format -i bpf/*.c bpf/*.h user/*.c user/*/*.[ch] tests/*/*.c

clean:
	rm -rf $(BUILD) loadscope

-include $(wildcard $(BUILD)/*.d $(BUILD)/*/*.d $(BUILD)/*/*/*.d $(BUILD)/*/*/*/*.d)
