# Shared by the benchmark scripts: the scratch directory and cleanup, the probe program, the
# start gate, and stopping observers. The script defines die() before sourcing it, and may define
# cleanup_extra() for what else it has to stop.

tmp=$(mktemp -d /tmp/loadscope-bench.XXXXXX)
stats_before=$(sysctl -n kernel.bpf_stats_enabled)
observers=()

cleanup()
{
	local pid

	for pid in "${observers[@]}"; do
		kill -INT "$pid" 2>/dev/null || true
	done
	if declare -F cleanup_extra >/dev/null; then
		cleanup_extra
	fi
	wait 2>/dev/null || true
	sysctl -qw kernel.bpf_stats_enabled="$stats_before"
	rm -rf "$tmp"
}
trap cleanup EXIT

probe=$tmp/benchprobe
gcc -O2 -std=gnu11 -Wall -Wextra tools/bench/benchprobe.c -o "$probe"
# a workload waits here until the observers are attached to it
gate=$tmp/gate
mkfifo "$gate"

stop_observers()
{
	local pid

	for pid in "${observers[@]}"; do
		kill -INT "$pid"
		wait "$pid" || die "an observer failed when stopped (pid $pid)"
	done
	observers=()
}

# run_cnt and run_time_ns per program the observer holds (found from its descriptors in
# /proc/PID/fdinfo: bpftool's own pid column needs BPF iterators, which some kernels lack):
# "name run_cnt run_time_ns" lines.
observer_stats()
{
	local ids

	ids=$(grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -u |
		jq -s -c .)
	"$BPFTOOL" -j prog show | jq -r --argjson ids "$ids" '
		.[] | select(.id as $id | $ids | index($id))
		| "\(.name) \(.run_cnt // 0) \(.run_time_ns // 0)"' | sort
}
