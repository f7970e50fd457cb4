#!/bin/bash
# Benchmarks `loadscope serve`, the always-on exporter; prints markdown.
#
# (a) a loop of WRITES write(2) calls by a process that is not a target, with nothing attached,
#     under `serve` (scheduler, fork/exit and cgroup programs: the default) and under
#     `serve --syscalls`; runs alternating, the ratios to nothing attached;
# (b) scrapes of /metrics with about SERIES series (sleeping processes, --by pid): curl's total
#     time per scrape over SCRAPES scrapes, median and max;
# (c) CHURN_S seconds of process churn in serve's cgroup (CHURN_RATE short-lived processes a
#     second): serve's RSS and the live and exited thread map entries, at the start and the end.
# Run as root from the repository: `sudo tools/bench/serve.sh` (`make bench` runs it too).
set -euo pipefail

cd "$(dirname "$0")/../.."

LOADSCOPE=${LOADSCOPE:-./loadscope}
BPFTOOL=${BPFTOOL:-bpftool}
WRITES=${WRITES:-2000000}   # write(2) calls per loop: a second or so each
REPEATS=${REPEATS:-5}       # loops per configuration, configurations alternating
PIN_CPU=${PIN_CPU-1}        # the loop on one CPU; empty: unpinned
SERIES=${SERIES:-500}       # the scrape's size, about
SCRAPES=${SCRAPES:-200}
CHURN_S=${CHURN_S:-300}     # 0: no churn run
CHURN_RATE=${CHURN_RATE:-20}
ATTACH_TIMEOUT_S=10

die()
{
	echo "serve.sh: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "loads BPF programs and needs root: run it with sudo"
command -v jq >/dev/null || tools/install-deps.sh jq || die "needs jq"
command -v curl >/dev/null || tools/install-deps.sh curl || die "needs curl"
[ -x "$LOADSCOPE" ] || die "$LOADSCOPE not found: run 'make loadscope' first"

sleepers=()
cgroup=""
cleanup_extra()
{
	local pid

	for pid in "${sleepers[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	[ -z "$cgroup" ] || rmdir "$cgroup" 2>/dev/null || true
}
. tools/bench/lib.sh

mount=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
[ -n "$mount" ] || die "needs a cgroup2 mount"
cgroup=$mount/loadscope-bench-serve-$$
mkdir "$cgroup"
rel=${cgroup#"$mount"}
port=$((20000 + $$ % 20000))

sleep 3600 &
sleeper=$!
sleepers+=("$sleeper")

# serve in the background, returned from once all its programs are attached and it answers.
start_serve()
{
	local baseline

	baseline=$("$probe" maxid)
	"$LOADSCOPE" serve --listen "127.0.0.1:$port" "$@" >/dev/null 2>"$tmp/serve.err" &
	observers+=("$!")
	"$probe" wait ls_ "$baseline" "$ATTACH_TIMEOUT_S" ||
		die "serve did not attach: $(cat "$tmp/serve.err")"
	for _ in $(seq 50); do
		curl -sf -o /dev/null "http://127.0.0.1:$port/metrics" && return 0
		sleep 0.1
	done
	die "serve does not answer: $(cat "$tmp/serve.err")"
}

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

run_loop()
{
	echo go >"$gate"
	wait "$loop_pid" || die "the write loop failed"
	cat "$tmp/loop.out"
}

# (a)
for _ in $(seq "$REPEATS"); do
	for config in none serve serve-syscalls; do
		hold_loop
		case $config in
		serve) start_serve -p "$sleeper" ;;
		serve-syscalls) start_serve -p "$sleeper" --syscalls ;;
		esac
		run_loop >"$tmp/line"
		stop_observers
		echo "$config $(sed -e 's/wall_ns=//' -e 's/cpu_ns=//' "$tmp/line")"
	done
done >"$tmp/runs"

pinned=${PIN_CPU:+, pinned to CPU $PIN_CPU}
echo "### A non-target's write loop under serve ($WRITES write(2) calls$pinned, $REPEATS runs each)"
echo
echo "| attached | CPU median (s) | wall median (s) | CPU vs nothing | wall vs nothing |"
echo "|---|---:|---:|---:|---:|"
median()
{
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
base_wall=$(awk '$1 == "none" { print $2 }' "$tmp/runs" | median)
base_cpu=$(awk '$1 == "none" { print $3 }' "$tmp/runs" | median)
for config in none serve serve-syscalls; do
	wall=$(awk -v c="$config" '$1 == c { print $2 }' "$tmp/runs" | median)
	cpu=$(awk -v c="$config" '$1 == c { print $3 }' "$tmp/runs" | median)
	label=$config
	[ "$config" = serve ] && label="serve -p other"
	[ "$config" = serve-syscalls ] && label="serve -p other --syscalls"
	awk -v l="$label" -v w="$wall" -v c="$cpu" -v bw="$base_wall" -v bc="$base_cpu" 'BEGIN {
		printf "| %s | %.3f | %.3f | %.3f | %.3f |\n", l, c / 1e9, w / 1e9, c / bc, w / bw }'
done
echo

# (b) sleeping processes in the cgroup, one group each with --by pid, until about SERIES series
start_serve -c "$rel" --by pid -i 1
while :; do
	n=$(curl -sf "http://127.0.0.1:$port/metrics" | grep -vc '^#' || true)
	[ "$n" -ge "$SERIES" ] && break
	sh -c "echo \$\$ > '$cgroup/cgroup.procs' && exec sleep 3600" &
	sleepers+=("$!")
	sleep 1.2
done
for _ in $(seq "$SCRAPES"); do
	curl -sf -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/metrics"
done | sort -n >"$tmp/scrapes"
bytes=$(curl -sf "http://127.0.0.1:$port/metrics" | wc -c)
stop_observers
echo "### Scrapes of /metrics: $n series, $bytes bytes, $SCRAPES scrapes over loopback (curl)"
echo
awk '{ v[NR] = $1 } END {
	printf "| median | p99 | max |\n|---:|---:|---:|\n| %.2f ms | %.2f ms | %.2f ms |\n",
		1000 * v[int((NR + 1) / 2)], 1000 * v[int(NR * 0.99)], 1000 * v[NR] }' "$tmp/scrapes"
echo

# (c) process churn: RSS and map entries at the start and the end
[ "$CHURN_S" -gt 0 ] || exit 0
for pid in "${sleepers[@]:1}"; do
	kill "$pid" 2>/dev/null || true
done
sleepers=("$sleeper")
start_serve -c "$rel" -i 1
serve_pid=${observers[0]}
map_entries()
{
	local id

	id=$(grep -h '^map_id:' /proc/"$serve_pid"/fdinfo/* 2>/dev/null | awk '{ print $2 }' |
		sort -u | while read -r m; do
			"$BPFTOOL" -j map show id "$m" | jq -r "select(.name == \"$1\") | .id"
		done | head -1)
	"$BPFTOOL" -j map dump id "$id" | jq length
}
rss_kb()
{
	awk '/^VmRSS/ { print $2 }' /proc/"$serve_pid"/status
}
(
	end=$((SECONDS + CHURN_S))
	while [ $SECONDS -lt $end ]; do
		sh -c "echo \$\$ > '$cgroup/cgroup.procs' && exec /bin/true" &
		sleep "$(awk -v r="$CHURN_RATE" 'BEGIN { print 1 / r }')"
	done
	wait
) &
churn=$!
sleep 10
rss0=$(rss_kb)
threads0=$(map_entries threads)
exited0=$(map_entries exited)
wait "$churn"
sleep 2
rss1=$(rss_kb)
threads1=$(map_entries threads)
exited1=$(map_entries exited)
series=$(curl -sf "http://127.0.0.1:$port/metrics" | grep -vc '^#' || true)
stop_observers
echo "### $CHURN_S s of process churn in serve's cgroup ($CHURN_RATE processes a second)"
echo
echo "| | serve RSS (KiB) | threads map entries | exited map entries | series |"
echo "|---|---:|---:|---:|---:|"
echo "| after 10 s | $rss0 | $threads0 | $exited0 | |"
echo "| at the end | $rss1 | $threads1 | $exited1 | $series |"
