#!/bin/bash
# Fuzzes the command line and the /proc and cgroup file parsers for a bounded time: replays every
# saved regression, seeds each parser with the text this machine's own files hold and with the
# formats other kernels write, runs libFuzzer, and fails on any crash, hang, leak or sanitizer
# report, saying where the input that caused it was kept. The first byte of an input picks the
# parser (tests/fuzz/fuzz_inputs.c, enum input_kind).
# Usage: tests/fuzz/run_inputs.sh FUZZER SECONDS WORKDIR
set -euo pipefail
fuzzer=$1 seconds=$2 work=$3
here=$(dirname "$0")
seeds=$work/seeds corpus=$work/corpus artifacts=$work/artifacts/ log=$work/fuzz.log
mkdir -p "$seeds" "$corpus" "$artifacts"

shopt -s nullglob
regressions=("$here"/regressions-inputs/*)
if [ ${#regressions[@]} -gt 0 ]; then
	if ! "$fuzzer" -runs=0 "${regressions[@]}" >"$work/regressions.log" 2>&1; then
		cat "$work/regressions.log" >&2
		echo "FAIL: fuzz-inputs: a saved regression input fails again (above)" >&2
		exit 1
	fi
fi
echo "fuzz-inputs: ${#regressions[@]} regression inputs replayed"

rm -f "$seeds"/*
n=0
seed() { # KIND TEXT: one seed for the parser numbered KIND
	n=$((n + 1))
	{ printf "\\$(printf %03o "$1")"; printf '%s' "$2"; } >"$seeds/$1.$n"
}
# 0: the command line, one argument per line
seed 0 $'-p\n1\n-d\n2\n-o\nout.json'
seed 0 $'-c\n/system.slice/x.service\n-i\n0.5\n--threads\n--\nwrk\n-t2'
seed 0 $'-C\n0123456789ab\n--max-threads\n64\n--csv\n-\n--html\nr.html\n-n\nnode'
seed 0 $'--requests\n1000\n--raw-tp\n-v\n--no-children\n-p\n1,2,3'
seed 0 $'--features'
# 1, 2: /proc/stat, /proc/PID/stat
seed 1 "$(cat /proc/stat)"
seed 1 "cpu  1 2 3 4"
seed 2 "$(cat /proc/self/stat)"
seed 2 "4211 (no) de (x) S 1 4211 4211 0 -1 4194560 0 0 0 0 10 20 0 0 20 0 1 0 99"
# 3-7: cpu.max, cpu.cfs_quota_us, cpu.cfs_period_us, cpu.stat (v2, v1), cpu.pressure
seed 3 "max 100000"
seed 3 "20000 100000"
seed 4 "-1"
seed 4 "50000"
seed 5 "100000"
seed 6 $'usage_usec 1000\nuser_usec 600\nsystem_usec 400\nnr_periods 20\nnr_throttled 5\nthrottled_usec 12345'
seed 6 $'nr_periods 20\nnr_throttled 5\nthrottled_time 12345000'
seed 7 $'some avg10=0.00 avg60=0.00 avg300=0.00 total=1234\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=99'
# 8, 9: /proc/PID/cgroup on v1 and v2
seed 8 "$(cat /proc/self/cgroup)"
seed 8 $'12:cpu,cpuacct:/docker/abc\n0::/system.slice'
seed 9 $'0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-abc.scope'
# 10-12: a thread's stat, syscall and schedstat
seed 10 "$(cat /proc/self/task/$$/stat 2>/dev/null || cat /proc/self/stat)"
seed 11 "202 0x7f00 0x80 0x2 0x0 0x0 0x0 0x7ffc 0x7f01"
seed 11 "-1 0x7ffc 0x7f01"
seed 11 "running"
seed 12 "$(cat /proc/self/schedstat)"

echo "fuzz-inputs: $fuzzer for $seconds s from $n seeds and $(ls "$corpus" | wc -l) kept inputs"
status=0
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
	-artifact_prefix="$artifacts" -print_final_stats=1 "$corpus" "$seeds" >"$log" 2>&1 || status=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
if [ "$status" -ne 0 ]; then
	grep -E 'ERROR|SUMMARY|runtime error|leak|abort|Test unit written' "$log" >&2 || tail -30 "$log" >&2
	echo "FAIL: fuzz-inputs: exit $status after ${execs:-?} executions; the input is in" \
		"$artifacts (full log: $log); fix it and copy it to tests/fuzz/regressions-inputs/" >&2
	exit 1
fi
echo "fuzz-inputs: ${execs:-?} executions in $seconds s, corpus $(ls "$corpus" | wc -l)" \
	"inputs: no crash, no hang, no leak"
