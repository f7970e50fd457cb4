#!/bin/bash
# Benchmarks loadscope's scheduler programs against runqlat on a pipe ping-pong; prints markdown.
#
# (a) cost per run of each program (the kernel's run_time_ns / run_cnt, as `bpftool prog show`
#     prints them, with kernel.bpf_stats_enabled=1), each tool alone and both attached at once;
# (b) the ping-pong's wall time with nothing, loadscope or runqlat attached, runs alternating;
# (c) loadscope's time to attach, peak RSS and CPU over a run.
# Run as root from anywhere: `sudo make bench` or `sudo tools/bench/sched.sh`.
set -euo pipefail

cd "$(dirname "$0")/../.."

LOADSCOPE=${LOADSCOPE:-./loadscope}
PINGPONG=${PINGPONG:-build/workloads/pingpong}
RUNQLAT=${RUNQLAT:-/usr/sbin/runqlat}
ROUNDS=${ROUNDS:-200000}   # ping-pong rounds per measured run: a few seconds each
REPEATS=${REPEATS:-5}      # wall-time runs per configuration, alternating configurations
RUN_S=${RUN_S:-10}         # length of the run whose start-up and footprint are measured
# Both ping-pong processes on one CPU: every round is then two context switches and the wall time
# varies little between runs; unpinned, it depends on where the scheduler happens to place them.
PIN_CPU=${PIN_CPU-0}       # empty: unpinned
ATTACH_TIMEOUT_S=10

die()
{
	echo "sched.sh: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "loads BPF programs and needs root: run 'sudo make bench'"
[ -x "$RUNQLAT" ] || tools/install-deps.sh libbpf-tools || die "needs runqlat (libbpf-tools)"
[ -x "$LOADSCOPE" ] || die "$LOADSCOPE not found: run 'make loadscope' first"
[ -x "$PINGPONG" ] || die "$PINGPONG not found: run 'make $PINGPONG' first"

. tools/bench/lib.sh

now_us()
{
	echo "${EPOCHREALTIME/./}"
}

# Starts an observer in the background and returns once all its programs are attached.
# $1: loadscope | runqlat; $2: pid to observe (loadscope). Sets observer_pid.
start_observer()
{
	local baseline

	baseline=$("$probe" maxid)
	case $1 in
	loadscope)
		"$LOADSCOPE" -p "$2" -d 3600 -o "$tmp/loadscope.json" \
			>/dev/null 2>"$tmp/loadscope.err" &
		observer_pid=$!
		"$probe" wait ls_ "$baseline" "$ATTACH_TIMEOUT_S" ||
			die "loadscope did not attach: $(cat "$tmp/loadscope.err")"
		;;
	runqlat)
		"$RUNQLAT" -P >/dev/null 2>"$tmp/runqlat.err" &
		observer_pid=$!
		"$probe" wait "" "$baseline" "$ATTACH_TIMEOUT_S" ||
			die "runqlat did not attach: $(cat "$tmp/runqlat.err")"
		;;
	esac
	observers+=("$observer_pid")
}

# A ping-pong held at a gate, so observers can attach to it before it starts. Sets pingpong_pid.
hold_pingpong()
{
	(
		read -r _ <"$gate"
		if [ -n "$PIN_CPU" ]; then
			exec taskset -c "$PIN_CPU" "$PINGPONG" "$tmp/pingpong.json" "$ROUNDS"
		fi
		exec "$PINGPONG" "$tmp/pingpong.json" "$ROUNDS"
	) &
	pingpong_pid=$!
}

# Opens the gate and waits for the ping-pong; sets wall_us.
run_pingpong()
{
	local start

	start=$(now_us)
	echo go >"$gate"
	wait "$pingpong_pid" || die "pingpong failed"
	wall_us=$(($(now_us) - start))
}

# (a) ns per run: one ping-pong per configuration, statistics read while the programs are loaded.
# Prints "config tool name run_cnt run_time_ns" lines.
measure_costs()
{
	local config baseline tools

	for config in together loadscope runqlat; do
		baseline=$("$probe" maxid)
		hold_pingpong
		case $config in
		together) tools="runqlat loadscope" ;;
		*) tools=$config ;;
		esac
		for tool in $tools; do
			start_observer "$tool" "$pingpong_pid"
		done
		run_pingpong
		"$probe" stats "$baseline" | while read -r _ name cnt ns; do
			case $name in
			ls_*) echo "$config loadscope $name $cnt $ns" ;;
			*) echo "$config runqlat $name $cnt $ns" ;;
			esac
		done
		stop_observers
	done
}

print_costs()
{
	echo "### Cost per program run ($ROUNDS-round pipe ping-pong$pinned, bpf_stats_enabled=1)"
	echo
	echo "| tool | program | runs, alone | ns/run, alone | runs, both | ns/run, both |"
	echo "|---|---|---:|---:|---:|---:|"
	awk -v rounds="$ROUNDS" '
		{
			key = $2 SUBSEP $3
			if (!(key in seen)) { seen[key] = 1; order[n++] = key }
			cfg = ($1 == "together") ? "both" : "alone"
			cnt[key, cfg] += $4; ns[key, cfg] += $5
			tcnt[$2, cfg] += $4; tns[$2, cfg] += $5
		}
		function per(c, t) { return c ? sprintf("%.0f", t / c) : "-" }
		END {
			for (i = 0; i < n; i++) {
				split(order[i], k, SUBSEP)
				key = order[i]
				printf "| %s | %s | %d | %s | %d | %s |\n", k[1], k[2],
					cnt[key, "alone"], per(cnt[key, "alone"], ns[key, "alone"]),
					cnt[key, "both"], per(cnt[key, "both"], ns[key, "both"])
			}
			split("loadscope runqlat", tools, " ")
			for (i = 1; i <= 2; i++) {
				t = tools[i]
				printf "| %s | **all, ns per round** | | %.0f | | %.0f |\n",
					t, tns[t, "alone"] / rounds, tns[t, "both"] / rounds
			}
		}' "$tmp/costs"
	echo
}

# (b) wall time, configurations alternating so drift in the machine's speed hits each alike.
measure_overhead()
{
	local config

	for _ in $(seq "$REPEATS"); do
		for config in none loadscope runqlat; do
			hold_pingpong
			[ "$config" = none ] || start_observer "$config" "$pingpong_pid"
			run_pingpong
			stop_observers
			echo "$config $wall_us"
		done
	done
}

print_overhead()
{
	echo "### Ping-pong wall time ($ROUNDS rounds$pinned, $REPEATS runs each)"
	echo
	echo "| attached | median (s) | min (s) | max (s) | vs nothing attached |"
	echo "|---|---:|---:|---:|---:|"
	local config base=""
	for config in none loadscope runqlat; do
		awk -v c="$config" '$1 == c { print $2 }' "$tmp/walls" | sort -n >"$tmp/w.$config"
	done
	base=$(awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }' "$tmp/w.none")
	for config in none loadscope runqlat; do
		awk -v c="$config" -v base="$base" '
			{ v[NR] = $1 }
			END {
				m = v[int((NR + 1) / 2)]
				label = c
				if (c == "none")
					label = "nothing"
				if (c == "runqlat")
					label = "runqlat -P"
				printf "| %s | %.3f | %.3f | %.3f | %.3f |\n", label, m / 1e6,
					v[1] / 1e6, v[NR] / 1e6, m / base
			}' "$tmp/w.$config"
	done
	echo
}

# (c) start-up and footprint, observing a ping-pong that restarts for the whole run.
measure_footprint()
{
	local loop result

	touch "$tmp/looping"
	(while [ -e "$tmp/looping" ]; do "$PINGPONG" "$tmp/loop.json" 20000; done) &
	loop=$!
	result=$("$probe" launch ls_ -- \
		"$LOADSCOPE" -p "$loop" -d "$RUN_S" -o "$tmp/footprint.json")
	rm "$tmp/looping"
	wait "$loop"
	echo "$result"
}

print_footprint()
{
	echo "### loadscope start-up and footprint (-p on a looping ping-pong, -d $RUN_S)"
	echo
	echo "| measure | value |"
	echo "|---|---:|"
	echo "$1" | tr ' ' '\n' | awk -F= -v run_s="$RUN_S" '
		{ v[$1] = $2 }
		END {
			if (v["status"] != 0)
				printf "| exit status (expected 0) | %d |\n", v["status"]
			printf "| start to all programs attached | %s ms |\n",
				v["attach_ms"] < 0 ? "never" : sprintf("%.0f", v["attach_ms"])
			printf "| peak RSS | %.1f MiB |\n", v["maxrss_kb"] / 1024
			cpu_ms = v["user_ms"] + v["sys_ms"]
			printf "| CPU, user + system, over %d s | %.0f ms (%.2f%% of a CPU) |\n",
				run_s, cpu_ms, cpu_ms / (run_s * 10)
		}'
	echo
}

pinned=${PIN_CPU:+ on CPU $PIN_CPU}

echo "## loadscope scheduler benchmark"
echo
echo "$(uname -sr), $(nproc) CPUs, $(date -u +%Y-%m-%d)"
echo

sysctl -qw kernel.bpf_stats_enabled=1
measure_costs >"$tmp/costs"
# statistics cost a clock read per program run: off for the timings below
sysctl -qw kernel.bpf_stats_enabled="$stats_before"
print_costs

measure_overhead >"$tmp/walls"
print_overhead

print_footprint "$(measure_footprint)"
