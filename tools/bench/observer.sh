#!/bin/bash
# The observer effect on the servers users run: requests/s under wrk (keep-alive, 127.0.0.1) of
# the bundled C server and the real stacks, with nothing attached, with the empty-program floor
# (tools/bench/floor.bpf.c: programs that return 0 on loadscope's hooks), loadscope, loadscope
# --no-syscalls (when this loadscope has it), runqlat -P and syscount -L -p (one pid). Runs
# alternate, OBS_ROUNDS rounds (default 5) of OBS_SECONDS each (default 3); each figure is the
# median, and the table gives it as a ratio to nothing attached. Then one more loadscope run
# with kernel.bpf_stats_enabled gives its programs' runs per second and ns per run. Markdown on
# stdout. Needs root; run by `make bench`.
#   OBS_STACKS  which servers (default: demo-reuseport bun-reuseport node-cluster go)
set -euo pipefail
cd "$(dirname "$0")/../.."
die() { echo "observer.sh: $*" >&2; exit 1; }

LOADSCOPE=${LOADSCOPE:-./loadscope}
FLOOR=${FLOOR:-build/bench/floor}
FLOOR_OBJ=${FLOOR_OBJ:-build/bench/floor.bpf.o}
RUNQLAT=${RUNQLAT:-/usr/sbin/runqlat}
SYSCOUNT=${SYSCOUNT:-/usr/sbin/syscount}
BPFTOOL=${BPFTOOL:-bpftool}
rounds=${OBS_ROUNDS:-5}
seconds=${OBS_SECONDS:-3}
stacks=${OBS_STACKS:-demo-reuseport bun-reuseport node-cluster go}
ATTACH_TIMEOUT_S=60
workers=2
here=tools/demo/stacks
bun=build/stacks/bun
go_json=build/stacks/go-json

for tool in "$LOADSCOPE" "$FLOOR" "$RUNQLAT" "$SYSCOUNT" wrk jq node "$bun" "$go_json"; do
	command -v "$tool" >/dev/null || die "$tool is missing: run 'make bench' (it builds and installs them)"
done
[ "$(id -u)" -eq 0 ] || die "needs root to load BPF programs"
# syscount and runqlat read their tracepoints' formats from tracefs
[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing

. tools/bench/lib.sh
out=$tmp
. tools/demo/lib.sh
cleanup_extra() { stop_servers; }

configs="none floor loadscope runqlat syscount"
if "$LOADSCOPE" --help 2>&1 | grep -q -- '--no-syscalls'; then
	configs="none floor loadscope loadscope-light runqlat syscount"
fi

# start_config CONFIG PIDS: the observer, returned once its programs are attached
start_config() {
	local baseline prefix="" first=${2%%,*}

	baseline=$("$probe" maxid)
	case $1 in
	none) return 0 ;;
	floor) "$FLOOR" "$FLOOR_OBJ" >/dev/null 2>"$tmp/observer.err" & prefix=floor_ ;;
	loadscope)
		"$LOADSCOPE" -p "$2" -d 3600 >/dev/null 2>"$tmp/observer.err" &
		prefix=ls_
		;;
	loadscope-light)
		"$LOADSCOPE" --no-syscalls -p "$2" -d 3600 >/dev/null 2>"$tmp/observer.err" &
		prefix=ls_
		;;
	runqlat) "$RUNQLAT" -P >/dev/null 2>"$tmp/observer.err" & ;;
	syscount) "$SYSCOUNT" -L -p "$first" >/dev/null 2>"$tmp/observer.err" & ;;
	esac
	observers+=("$!")
	"$probe" wait "$prefix" "$baseline" "$ATTACH_TIMEOUT_S" ||
		die "$1 did not attach: $(cat "$tmp/observer.err")"
}

# requests_per_s PORT: wrk's Requests/sec, keep-alive, as the demo's keep-alive load
requests_per_s() {
	wrk -t2 -c200 -d"${seconds}s" "http://127.0.0.1:$1/json" | awk '/^Requests\/sec:/ { print $2 }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "| server | $(echo "$configs" | sed 's/ / | /g') |"
echo "|---|$(echo "$configs" | sed 's/[^ ]*/---:/g; s/ /|/g')|"
for stack in $stacks; do
	port=$(free_port)
	start_stack "$stack" "$port"
	for round in $(seq "$rounds"); do
		for config in $configs; do
			start_config "$config" "$pids"
			requests_per_s "$port" >>"$tmp/$stack.$config"
			stop_observers
		done
		echo "observer.sh: $stack: round $round of $rounds" >&2
	done
	base=$(median <"$tmp/$stack.none")
	row="| $stack ($(printf '%.0f' "$base") req/s)"
	for config in $configs; do
		row="$row | $(median <"$tmp/$stack.$config" | awk -v b="$base" '{ printf "%.3f", $1 / b }')"
	done
	echo "$row |"

	# loadscope's programs, counted by the kernel during one more run
	sysctl -qw kernel.bpf_stats_enabled=1
	start_config loadscope "$pids"
	ls_pid=${observers[-1]}
	observer_stats "$ls_pid" >"$tmp/$stack.stats0"
	requests_per_s "$port" >/dev/null
	observer_stats "$ls_pid" >"$tmp/$stack.stats1"
	stop_observers
	sysctl -qw kernel.bpf_stats_enabled=0
	join "$tmp/$stack.stats0" "$tmp/$stack.stats1" |
		awk -v s="$seconds" -v stack="$stack" '{ runs = $4 - $2; ns = $5 - $3;
			if (runs > 0) printf "%s %s %.0f %.0f\n", stack, $1, runs / s, ns / runs }' \
		>>"$tmp/programs"
	stop_servers
done
echo
echo "loadscope's programs during one more run of each (kernel.bpf_stats_enabled=1):"
echo
echo "| server | program | runs/s | ns/run |"
echo "|---|---|---:|---:|"
sort -k1,1 -k3,3nr "$tmp/programs" | awk '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }'
