#!/bin/bash
# Benchmarks choosing targets by cgroup (-c) beside choosing them by pid (-p); prints markdown.
#
# (a) cost per run of the hot programs (ls_sched_switch, ls_sys_enter, ls_sys_exit: the kernel's
#     run_time_ns / run_cnt from `bpftool -j prog show`, kernel.bpf_stats_enabled=1) on a pipe
#     ping-pong that is the target, and on one that is not (the price every task pays), with the
#     same processes selected by -p and by -c, runs alternating;
# (b) the programs that decide cgroup membership: ls_fork for forks by processes that are not
#     targets (with -c every fork on the machine looks at the child's cgroup), ls_cg_attach for
#     processes moved into the target cgroup and out again.
# Run as root from anywhere: `sudo make bench` or `sudo tools/bench/cgroup.sh`.
set -euo pipefail

cd "$(dirname "$0")/../.."

LOADSCOPE=${LOADSCOPE:-./loadscope}
PINGPONG=${PINGPONG:-build/workloads/pingpong}
BPFTOOL=${BPFTOOL:-bpftool}
ROUNDS=${ROUNDS:-100000} # ping-pong rounds per measured run: 2 switches, 2 reads, 2 writes each
REPEATS=${REPEATS:-5}    # runs per selector, alternating
FORKS=${FORKS:-500}      # forks by a process that is not a target, per selector
MOVES=${MOVES:-500}      # moves of a process into the target cgroup and out again
PIN_CPU=${PIN_CPU-0}     # both ping-pong processes on one CPU; empty: unpinned
ATTACH_TIMEOUT_S=10

die()
{
	echo "cgroup.sh: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "loads BPF programs and needs root: run 'sudo make bench'"
command -v jq >/dev/null || tools/install-deps.sh jq || die "needs jq"
command -v "$BPFTOOL" >/dev/null || die "needs bpftool"
[ -x "$LOADSCOPE" ] || die "$LOADSCOPE not found: run 'make loadscope' first"
[ -x "$PINGPONG" ] || die "$PINGPONG not found: run 'make $PINGPONG' first"
# the cgroup2 mount, as loadscope finds it: from /proc/self/mountinfo (findmnt reads it with libmount)
mount=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
[ -n "$mount" ] || die "no cgroup2 file system is mounted"

cg=$mount/loadscope-bench-$$
observer=""
helpers=()

# lib.sh's cleanup calls this: the helper processes, then the bench cgroups once they are empty
cleanup_extra()
{
	local pid d

	for pid in "${helpers[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	for d in "$cg/moved" "$cg/target" "$cg"; do
		[ ! -d "$d" ] || rmdir "$d" 2>/dev/null || true
	done
}

# shellcheck source=tools/bench/lib.sh
. tools/bench/lib.sh

mkdir -p "$cg/target" "$cg/moved"

# A process that only sleeps, in cgroup $1: the target when the measured events are not. Sets
# sleeper_pid.
start_sleeper()
{
	(
		echo "$BASHPID" >"$1/cgroup.procs"
		exec sleep 3600
	) &
	sleeper_pid=$!
	helpers+=("$sleeper_pid")
}

# The ping-pong in cgroup $1, held at the gate until the observer is attached. Sets pingpong_pid.
hold_pingpong()
{
	(
		echo "$BASHPID" >"$1/cgroup.procs"
		read -r _ <"$gate"
		if [ -n "$PIN_CPU" ]; then
			exec taskset -c "$PIN_CPU" "$PINGPONG" "$tmp/pingpong.json" "$ROUNDS"
		fi
		exec "$PINGPONG" "$tmp/pingpong.json" "$ROUNDS"
	) &
	pingpong_pid=$!
}

# Waits until the observer has a link for every program it loaded (its /proc/PID/fdinfo).
wait_attached()
{
	local progs links deadline=$((SECONDS + ATTACH_TIMEOUT_S))

	while [ "$SECONDS" -le "$deadline" ]; do
		kill -0 "$1" 2>/dev/null || return 1
		progs=$(grep -l '^prog_type:' /proc/"$1"/fdinfo/* 2>/dev/null | wc -l)
		links=$(grep -l '^link_type:' /proc/"$1"/fdinfo/* 2>/dev/null | wc -l)
		[ "$progs" -gt 0 ] && [ "$links" -ge "$progs" ] && return 0
		sleep 0.01
	done
	return 1
}

# loadscope selecting by $1 (pid | cgroup) the process $2 or the cgroup $3. Sets observer.
start_observer()
{
	case $1 in
	pid) "$LOADSCOPE" -p "$2" -d 3600 -o "$tmp/out.json" >/dev/null 2>"$tmp/observer.err" & ;;
	cgroup) "$LOADSCOPE" -c "$3" -d 3600 -o "$tmp/out.json" >/dev/null 2>"$tmp/observer.err" & ;;
	esac
	observer=$!
	observers+=("$observer")
	wait_attached "$observer" || die "loadscope did not attach: $(cat "$tmp/observer.err")"
}

# Differences of two observer_stats outputs, prefixed: "prefix name runs ns".
stats_delta()
{
	join "$2" "$3" | awk -v p="$1" '{ print p, $1, $4 - $2, $5 - $3 }'
}

# (a) $1: target | other (whose events the ping-pong's are). Prints "selector whose name runs ns".
measure_hot()
{
	local whose=$1 selector

	for _ in $(seq "$REPEATS"); do
		for selector in pid cgroup; do
			if [ "$whose" = target ]; then
				hold_pingpong "$cg/target"
				start_observer "$selector" "$pingpong_pid" "$cg/target"
			else
				start_sleeper "$cg/target"
				hold_pingpong "$cg"
				start_observer "$selector" "$sleeper_pid" "$cg/target"
			fi
			observer_stats "$observer" >"$tmp/before"
			echo go >"$gate"
			wait "$pingpong_pid" || die "pingpong failed"
			observer_stats "$observer" >"$tmp/after"
			stop_observers
			[ "$whose" = target ] || kill "$sleeper_pid"
			stats_delta "$selector $whose" "$tmp/before" "$tmp/after"
		done
	done
}

# (b) forks by a process outside the targets, and moves of one into the target cgroup and out.
measure_membership()
{
	local selector

	for selector in pid cgroup; do
		start_sleeper "$cg/target"
		start_observer "$selector" "$sleeper_pid" "$cg/target"
		observer_stats "$observer" >"$tmp/before"
		for _ in $(seq "$FORKS"); do /bin/true; done
		sleep 3600 &
		local mover=$!
		for _ in $(seq "$MOVES"); do
			echo "$mover" >"$cg/target/cgroup.procs"
			echo "$mover" >"$cg/moved/cgroup.procs"
		done
		kill "$mover"
		observer_stats "$observer" >"$tmp/after"
		stop_observers
		kill "$sleeper_pid"
		stats_delta "$selector membership" "$tmp/before" "$tmp/after"
	done
}

print_hot()
{
	echo "### Hot programs: ns per run, targets chosen by -p or by -c ($ROUNDS-round pipe" \
		"ping-pong$pinned, $REPEATS runs each, bpf_stats_enabled=1)"
	echo
	echo "| events of | program | -p runs | -p ns/run | -c runs | -c ns/run | -c minus -p |"
	echo "|---|---|---:|---:|---:|---:|---:|"
	awk '
		$3 == "ls_sched_switch" || $3 == "ls_sys_enter" || $3 == "ls_sys_exit" {
			key = $2 SUBSEP $3
			if (!(key in seen)) { seen[key] = 1; order[n++] = key }
			cnt[key, $1] += $4; ns[key, $1] += $5
		}
		END {
			for (i = 0; i < n; i++) {
				split(order[i], k, SUBSEP)
				key = order[i]
				p = cnt[key, "pid"] ? ns[key, "pid"] / cnt[key, "pid"] : 0
				c = cnt[key, "cgroup"] ? ns[key, "cgroup"] / cnt[key, "cgroup"] : 0
				printf "| %s | %s | %d | %.0f | %d | %.0f | %+.0f |\n",
					k[1] == "target" ? "the target" : "another process", k[2],
					cnt[key, "pid"], p, cnt[key, "cgroup"], c, c - p
			}
		}' "$tmp/hot"
	echo
}

print_membership()
{
	echo "### Membership programs: ns per run ($FORKS forks of a process that is not a target," \
		"$MOVES moves into the target cgroup and out)"
	echo
	echo "| program | -p runs | -p ns/run | -c runs | -c ns/run |"
	echo "|---|---:|---:|---:|---:|"
	awk '
		$3 == "ls_fork" || $3 == "ls_cg_attach" {
			if (!($3 in seen)) { seen[$3] = 1; order[n++] = $3 }
			cnt[$3, $1] += $4; ns[$3, $1] += $5
		}
		function per(c, t) { return c ? sprintf("%.0f", t / c) : "-" }
		END {
			for (i = 0; i < n; i++) {
				k = order[i]
				printf "| %s | %d | %s | %d | %s |\n", k, cnt[k, "pid"],
					per(cnt[k, "pid"], ns[k, "pid"]), cnt[k, "cgroup"],
					per(cnt[k, "cgroup"], ns[k, "cgroup"])
			}
		}' "$tmp/membership"
	echo
}

pinned=${PIN_CPU:+ on CPU $PIN_CPU}

echo "## loadscope cgroup selection benchmark"
echo
echo "$(uname -sr), $(nproc) CPUs, cgroup2 at $mount, $(date -u +%Y-%m-%d)"
echo

sysctl -qw kernel.bpf_stats_enabled=1
{
	measure_hot target
	measure_hot other
} >"$tmp/hot"
measure_membership >"$tmp/membership"
sysctl -qw kernel.bpf_stats_enabled="$stats_before"
print_hot
print_membership
