#!/bin/bash
# Benchmarks loadscope's syscall programs against syscount on a write(2) loop; prints markdown.
#
# (a) cost per run of the sys_enter / sys_exit programs (the kernel's run_time_ns / run_cnt from
#     `bpftool -j prog show`, with kernel.bpf_stats_enabled=1), for syscalls of a process that is
#     not a target (the price every task on the machine pays) and of one that is;
# (b) a loop of WRITES write(2) calls by a process that is not a target, with nothing attached,
#     with loadscope attached to another (sleeping) process, and with libbpf-tools'
#     `syscount -L -p` attached to that process; runs alternating, the ratios to nothing attached.
# Run as root from anywhere: `sudo make bench` or `sudo tools/bench/syscalls.sh`.
set -euo pipefail

cd "$(dirname "$0")/../.."

LOADSCOPE=${LOADSCOPE:-./loadscope}
SYSCOUNT=${SYSCOUNT:-/usr/sbin/syscount}
BPFTOOL=${BPFTOOL:-bpftool}
WRITES=${WRITES:-2000000} # write(2) calls per loop: a few seconds each
REPEATS=${REPEATS:-5}     # loops per configuration, configurations alternating
# The loop on one CPU, so its time does not depend on where the scheduler places it.
PIN_CPU=${PIN_CPU-1} # empty: unpinned
ATTACH_TIMEOUT_S=10

die()
{
	echo "syscalls.sh: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "loads BPF programs and needs root: run 'sudo make bench'"
[ -x "$SYSCOUNT" ] || tools/install-deps.sh libbpf-tools || die "needs syscount (libbpf-tools)"
command -v jq >/dev/null || tools/install-deps.sh jq || die "needs jq"
command -v "$BPFTOOL" >/dev/null || die "needs bpftool"
[ -x "$LOADSCOPE" ] || die "$LOADSCOPE not found: run 'make loadscope' first"

sleeper=""
cleanup_extra()
{
	[ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null || true
}
. tools/bench/lib.sh

# The process the observers target while the measured loop is not one: it only sleeps.
sleep 3600 &
sleeper=$!

# Starts an observer in the background and returns once all its programs are attached.
# $1: loadscope | loadscope-raw | syscount; $2: pid to observe. Sets observer_pid.
start_observer()
{
	local baseline prefix=""

	baseline=$("$probe" maxid)
	case $1 in
	loadscope)
		"$LOADSCOPE" -p "$2" -d 3600 -o "$tmp/loadscope.json" >/dev/null 2>"$tmp/observer.err" &
		prefix=ls_
		;;
	loadscope-raw)
		"$LOADSCOPE" --raw-tp -p "$2" -d 3600 -o "$tmp/loadscope.json" \
			>/dev/null 2>"$tmp/observer.err" &
		prefix=ls_
		;;
	syscount)
		"$SYSCOUNT" -L -p "$2" >/dev/null 2>"$tmp/observer.err" &
		;;
	esac
	observer_pid=$!
	observers+=("$observer_pid")
	"$probe" wait "$prefix" "$baseline" "$ATTACH_TIMEOUT_S" ||
		die "$1 did not attach: $(cat "$tmp/observer.err")"
}

# The write loop, held at the gate so an observer can target it before it starts. Sets loop_pid.
hold_loop()
{
	(
		read -r _ <"$gate"
		if [ -n "$PIN_CPU" ]; then
			exec taskset -c "$PIN_CPU" "$probe" writes "$WRITES"
		fi
		exec "$probe" writes "$WRITES"
	) >"$tmp/loop.out" &
	loop_pid=$!
}

# Opens the gate and waits for the loop; prints its "wall_ns=... cpu_ns=..." line.
run_loop()
{
	echo go >"$gate"
	wait "$loop_pid" || die "the write loop failed"
	cat "$tmp/loop.out"
}

# (a) ns per run: stats before and after one loop, so the observer's start-up is left out.
# $1: observer; $2: target | other (whose syscalls the loop makes). Prints
# "observer whose name runs ns" lines for the syscall programs.
measure_cost()
{
	local observer=$1 whose=$2

	hold_loop
	if [ "$whose" = target ]; then
		start_observer "$observer" "$loop_pid"
	else
		start_observer "$observer" "$sleeper"
	fi
	observer_stats "$observer_pid" | sort >"$tmp/stats.before"
	run_loop >/dev/null
	observer_stats "$observer_pid" | sort >"$tmp/stats.after"
	[ -s "$tmp/stats.after" ] || die "no programs found in the descriptors of $observer"
	stop_observers
	join "$tmp/stats.before" "$tmp/stats.after" | awk -v o="$observer" -v w="$whose" '
		$1 ~ /sys_(enter|exit)$/ { print o, w, $1, $4 - $2, $5 - $3 }'
}

print_costs()
{
	echo "### Cost per program run (a loop of $WRITES write(2) calls$pinned, bpf_stats_enabled=1)"
	echo
	echo "Runs and time counted while the loop ran, every task's syscalls included; \"other\": the"
	echo "loop is not a target (loadscope and syscount observe a sleeping process), \"target\": it is."
	echo
	echo "| tool | program | syscalls of | runs | ns/run |"
	echo "|---|---|---|---:|---:|"
	awk '
		{
			tool = $1 == "syscount" ? "syscount -L" : $1 == "loadscope-raw" ? \
				"loadscope --raw-tp" : "loadscope"
			printf "| %s | %s | %s | %d | %s |\n", tool, $3, $2 == "other" ? \
				"not a target" : "the target", $4, $4 ? sprintf("%.0f", $5 / $4) : "-"
			key = tool SUBSEP $2
			if (!(key in cnt))
				order[n++] = key
			cnt[key] += $4
			ns[key] += $5
		}
		END {
			for (i = 0; i < n; i++) {
				split(order[i], k, SUBSEP)
				printf "| %s | **enter + exit, ns per syscall** | %s | | %s |\n", k[1],
					k[2] == "other" ? "not a target" : "the target",
					cnt[order[i]] ? sprintf("%.0f", 2 * ns[order[i]] / cnt[order[i]]) : "-"
			}
		}' "$tmp/costs"
	echo
}

# (b) the loop's time, configurations alternating so drift in the machine hits each alike.
measure_overhead()
{
	local config

	for _ in $(seq "$REPEATS"); do
		for config in none loadscope syscount; do
			hold_loop
			[ "$config" = none ] || start_observer "$config" "$sleeper"
			# not in $(...): a subshell cannot wait for the loop
			run_loop >"$tmp/line"
			stop_observers
			echo "$config $(sed -e 's/wall_ns=//' -e 's/cpu_ns=//' "$tmp/line")"
		done
	done
}

print_overhead()
{
	local config field

	echo "### A non-target's write loop ($WRITES write(2) calls$pinned, $REPEATS runs each)"
	echo
	echo "CPU: the loop's own user + system time, the BPF programs' run time included; unlike"
	echo "wall time it does not count time the loop waited for a CPU."
	echo
	echo "| attached | CPU median (s) | CPU min..max (s) | wall median (s) | CPU vs nothing | wall vs nothing |"
	echo "|---|---:|---:|---:|---:|---:|"
	for config in none loadscope syscount; do
		for field in 2 3; do
			awk -v c="$config" -v f="$field" '$1 == c { print $f }' "$tmp/runs" |
				sort -n >"$tmp/v.$config.$field"
		done
	done
	median()
	{
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }' "$1"
	}
	local base_wall base_cpu
	base_wall=$(median "$tmp/v.none.2")
	base_cpu=$(median "$tmp/v.none.3")
	for config in none loadscope syscount; do
		awk -v c="$config" -v bw="$base_wall" -v bc="$base_cpu" \
			-v wall="$(median "$tmp/v.$config.2")" '
			{ v[NR] = $1 }
			END {
				m = v[int((NR + 1) / 2)]
				label = c == "none" ? "(a) nothing" : c == "loadscope" ? \
					"(b) loadscope -p other" : "(c) syscount -L -p other"
				printf "| %s | %.3f | %.3f..%.3f | %.3f | %.3f | %.3f |\n", label, m / 1e9,
					v[1] / 1e9, v[NR] / 1e9, wall / 1e9, m / bc, wall / bw
			}' "$tmp/v.$config.3"
	done
	echo
	awk -v a="$base_cpu" -v b="$(median "$tmp/v.loadscope.3")" -v c="$(median "$tmp/v.syscount.3")" \
		'BEGIN { printf "Ratios of CPU medians: b/a = %.3f, c/a = %.3f\n", b / a, c / a }'
	echo
}

pinned=${PIN_CPU:+ on CPU $PIN_CPU}

echo "## loadscope syscall benchmark"
echo
echo "$(uname -sr), $(nproc) CPUs, $(date -u +%Y-%m-%d)"
echo

sysctl -qw kernel.bpf_stats_enabled=1
for observer in loadscope loadscope-raw syscount; do
	measure_cost "$observer" other
	measure_cost "$observer" target
done >"$tmp/costs"
# statistics cost a clock read per program run: off for the timings below
sysctl -qw kernel.bpf_stats_enabled="$stats_before"
print_costs

measure_overhead >"$tmp/runs"
print_overhead
