#!/bin/bash
# Boots each test kernel in qemu (software emulation) with an initramfs holding the static loadscope,
# the integration suite and its workloads; runs the suite inside; reports one line per kernel.
#
# Usage: tools/kernels/test-kernels.sh [KERNEL_IMAGE...]   (default: every vmlinuz-* in KERNELS_DIR)
# Environment:
#   KERNELS_DIR    directory holding vmlinuz-* (default ../shared/kernels, from the repository root)
#   STATIC_DIR     static binaries: loadscope, integration_tests, workloads/ (default build/static)
#   OUT_DIR        logs, initramfs and the README fragment (default build/kernels)
#   GUEST_TIMEOUT  seconds a guest may take from boot to power-off (default 600; a run takes ~250)
#   JOBS           guests booted at once (default 2: each guest runs in one host thread)
#   TCG_THREAD     qemu's TCG threading: single (default: one host thread per guest) or multi
#   GUEST_MEM_MB   guest memory (default 1536)
#   GUEST_ENV      extra NAME=value words for the guest's environment, e.g. LOADSCOPE_TEST_VERBOSE=1
#   GUEST_TOOLS    host programs the tests run, copied with their libraries (default: setpriv, wrk,
#                  curl; busybox provides sh, sleep, mount, unshare and the rest)
#   CI             true: anything that would skip fails instead
# Exit status: 0 when every kernel passed (or, outside CI, when qemu cannot be installed: SKIP).
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1

# beside the repository (CI lays shared/ there); elsewhere KERNELS_DIR says where they are
KERNELS_DIR=${KERNELS_DIR:-../shared/kernels}
STATIC_DIR=${STATIC_DIR:-build/static}
OUT_DIR=${OUT_DIR:-build/kernels}
GUEST_TIMEOUT=${GUEST_TIMEOUT:-600}
JOBS=${JOBS:-2}
GUEST_MEM_MB=${GUEST_MEM_MB:-1536}
GUEST_ENV=${GUEST_ENV:-}
GUEST_TOOLS=${GUEST_TOOLS:-setpriv wrk curl}
QEMU=${QEMU:-qemu-system-x86_64}
TCG_THREAD=${TCG_THREAD:-single}
PACKAGES="qemu-system-x86 busybox-static cpio"

in_ci()
{
	[ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]
}

# One line, then exit 1.
fail()
{
	echo "FAIL: test-kernels: $*" >&2
	exit 1
}

# Outside CI, a host that cannot run qemu skips visibly; in CI it fails.
cannot_run()
{
	if in_ci; then
		fail "$*"
	fi
	echo "SKIP: test-kernels: $*"
	exit 0
}

# --- the host: qemu, busybox, cpio --------------------------------------------------------------
mkdir -p "$OUT_DIR"
# shellcheck disable=SC2086
if ! tools/install-deps.sh $PACKAGES 2>"$OUT_DIR/deps.err"; then
	cannot_run "qemu cannot be installed: $(tr '\n' ' ' <"$OUT_DIR/deps.err" | sed 's/ *$//')"
fi
command -v "$QEMU" >/dev/null || cannot_run "$QEMU not found after installing qemu-system-x86"
# busybox-static installs /bin/busybox; the guest has no libraries for a dynamic one
BUSYBOX=/bin/busybox
if [ ! -x "$BUSYBOX" ] || ldd "$BUSYBOX" >/dev/null 2>&1; then
	cannot_run "$BUSYBOX is missing or not static: install busybox-static"
fi
[ -d "$KERNELS_DIR" ] || fail "kernel directory $KERNELS_DIR not found (set KERNELS_DIR)"

# --- which kernels -------------------------------------------------------------------------------
images=("$@")
if [ ${#images[@]} -eq 0 ]; then
	shopt -s nullglob
	images=("$KERNELS_DIR"/vmlinuz-*)
	shopt -u nullglob
	[ ${#images[@]} -gt 0 ] || fail "no kernel images (vmlinuz-*) in $KERNELS_DIR"
fi
for img in "${images[@]}"; do
	[ -r "$img" ] || fail "kernel image $img not found"
	[ -s "$img" ] || fail "kernel image $img is empty"
done
for f in loadscope integration_tests; do
	[ -x "$STATIC_DIR/$f" ] || fail "$STATIC_DIR/$f not found: run 'make static' first"
done

# --- the initramfs: busybox, the static binaries, util-linux's setpriv (busybox's lacks --reuid) -
root=$OUT_DIR/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc,opt/loadscope}
cp "$BUSYBOX" "$root/bin/busybox"
for applet in $("$BUSYBOX" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
# the shared libraries a program needs, at the same paths
add_libraries()
{
	local lib

	for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
# a host program with the libraries it needs; it replaces a busybox applet
add_tool()
{
	local bin

	bin=$(command -v "$1") || fail "$1 (GUEST_TOOLS) not found on this host"
	rm -f "$root/bin/$(basename "$bin")"
	cp -L "$bin" "$root/bin/$(basename "$bin")"
	add_libraries "$bin"
}
for tool in $GUEST_TOOLS; do
	add_tool "$tool"
done
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"
cp "$STATIC_DIR/loadscope" "$STATIC_DIR/integration_tests" "$root/opt/loadscope/"
# loadscope links libmount (and so libc) dynamically: Debian ships no static libmount
add_libraries "$STATIC_DIR/loadscope"
mkdir -p "$root/opt/loadscope/workloads"
find "$STATIC_DIR/workloads" -maxdepth 1 -type f -perm -u+x -exec cp {} "$root/opt/loadscope/workloads/" \;
install -m 0755 tools/kernels/init.sh "$root/init"
initramfs=$OUT_DIR/initramfs.cpio
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$initramfs" ||
	fail "cannot build the initramfs with cpio"

# --- one guest per kernel ------------------------------------------------------------------------
# version of a kernel image from its file name (vmlinuz-VERSION)
version_of()
{
	basename "$1" | sed 's/^vmlinuz-//'
}

# Boots one kernel; its logs go to $OUT_DIR/VERSION/. Returns qemu's (or timeout's) status.
boot()
{
	local img=$1 dir start status

	dir=$OUT_DIR/$(version_of "$img")

	rm -rf "$dir"
	mkdir -p "$dir"
	start=$(date +%s.%N)
	# panic=-1 and -no-reboot: a panic (an oops too) ends qemu at once instead of hanging
	timeout --kill-after=10 "$GUEST_TIMEOUT" "$QEMU" \
		-accel "tcg,thread=$TCG_THREAD" -cpu max -smp 2 -m "$GUEST_MEM_MB" \
		-kernel "$img" -initrd "$initramfs" \
		-append "console=ttyS0 loglevel=4 panic=-1 oops=panic rdinit=/init $GUEST_ENV" \
		-display none -monitor none -nic none -no-reboot \
		-serial "file:$dir/console.log" -serial "file:$dir/guest.log" \
		>"$dir/qemu.log" 2>&1 &
	# timeout runs qemu in a process group of its own: pass a stop on to it
	trap 'kill $! 2>/dev/null' INT TERM
	wait $!
	status=$?
	echo "$status" >"$dir/qemu.status"
	awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", e - s }' >"$dir/seconds"
	return "$status"
}

# an interrupted run (Ctrl-C, make killed) takes its guests with it
trap 'kill $(jobs -p) 2>/dev/null; exit 130' INT TERM
started=$(date +%s)
for img in "${images[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n
	done
	boot "$img" &
done
wait
total=$(($(date +%s) - started))

# --- results -------------------------------------------------------------------------------------
passed=0
failed=0
date=$(date -u +%Y-%m-%d)
fragment=$OUT_DIR/supported-kernels.md
{
	echo "| kernel | Debian package version | verified (integration suite in qemu, 2 vCPUs) | date |"
	echo "|---|---|---|---|"
} >"$fragment"
for img in "${images[@]}"; do
	v=$(version_of "$img")
	dir=$OUT_DIR/$v
	log=$dir/guest.log
	status=$(cat "$dir/qemu.status")
	seconds=$(cat "$dir/seconds")
	# the guest's own report, then the verdict
	if [ -s "$log" ]; then
		grep -v '^GUEST-' "$log" | tr -d '\r' | sed "s/^/[$v] /"
	fi
	exit_line=$(grep -a '^GUEST-EXIT ' "$log" 2>/dev/null | tr -d '\r' | tail -n1)
	summary=$(grep -a -o '[0-9]*%: Checks: [0-9]*, Failures: [0-9]*, Errors: [0-9]*' "$log" 2>/dev/null | tail -n1)
	# a kernel complaint (BUG, WARNING, Oops, an RCU stall, a soft lockup) fails the kernel even
	# when the suite passed: the programs, or what they read, may have caused it
	complaint=$(grep -a -m1 -E 'BUG:|WARNING:|Oops|rcu.*stall|soft lockup' "$dir/console.log" 2>/dev/null | tr -d '\r')
	if [ "$exit_line" = "GUEST-EXIT 0" ] && [ -n "$complaint" ]; then
		failed=$((failed + 1))
		echo "FAIL: kernel $v: ${summary:-suite passed}, but its console says: $complaint ($dir/console.log)"
		continue
	fi
	if [ "$exit_line" = "GUEST-EXIT 0" ]; then
		passed=$((passed + 1))
		echo "PASS: kernel $v: ${summary:-suite passed} (guest ${seconds} s)"
		checks=$(echo "$summary" | sed -n 's/.*Checks: \([0-9]*\).*/\1/p')
		pkg=$(grep -a '^GUEST-VERSION' "$log" | sed -n 's/.* Debian \([^ ]*\) (.*/\1/p')
		# the features loadscope found missing and replaced with its fallbacks
		absent=$(grep -a '^GUEST-FEATURE .*: no (' "$log" | tr -d '\r' |
			sed 's/^GUEST-FEATURE \(.*\): no (.*/\1/' | paste -sd, - | sed 's/,/, /g')
		echo "| $v | ${pkg:-?} | ${checks:-all} integration checks passed, tp_btf and raw_tp; fallbacks used for: ${absent:-none} | $date |" >>"$fragment"
		continue
	fi
	failed=$((failed + 1))
	panic=$(grep -a -m1 -E 'Kernel panic|BUG:|Oops' "$dir/console.log" 2>/dev/null | tr -d '\r')
	if [ -n "$exit_line" ]; then
		echo "FAIL: kernel $v: integration suite failed (${summary:-${exit_line#GUEST-}}); log $log"
	elif [ -n "$panic" ]; then
		echo "FAIL: kernel $v: guest panicked: ${panic}; console $dir/console.log"
	elif [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		echo "FAIL: kernel $v: guest did not finish within ${GUEST_TIMEOUT} s (hung?); console $dir/console.log"
	else
		echo "FAIL: kernel $v: guest stopped without a result (qemu status $status: $(tail -n1 "$dir/qemu.log")); console $dir/console.log"
	fi
done
echo "<!-- make test-kernels: $passed passed, $failed failed -->" >>"$fragment"
echo "test-kernels: ${#images[@]} kernel(s) in ${total} s, $JOBS at a time; README table fragment: $fragment"
echo "kernels: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
