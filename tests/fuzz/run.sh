#!/bin/bash
# Fuzzes the JSON reader and the renderers for a bounded time: replays every saved regression,
# builds a corpus from valid runs and broken variants of them, runs libFuzzer, and fails on any
# crash, leak or sanitizer report, saying where the input that caused it was kept.
# Usage: tests/fuzz/run.sh FUZZER FIXTURE.json SECONDS WORKDIR
set -euo pipefail
fuzzer=$1 fixture=$2 seconds=$3 work=$4
here=$(dirname "$0")
seeds=$work/seeds corpus=$work/corpus artifacts=$work/artifacts/ log=$work/fuzz.log
mkdir -p "$seeds" "$corpus" "$artifacts"

# 1. Every input that once crashed stays fixed.
shopt -s nullglob
regressions=("$here"/regressions/*.json)
if [ ${#regressions[@]} -gt 0 ]; then
	if ! "$fuzzer" -runs=0 "${regressions[@]}" >"$work/regressions.log" 2>&1; then
		cat "$work/regressions.log" >&2
		echo "FAIL: fuzz: a saved regression input fails again (above)" >&2
		exit 1
	fi
fi
echo "fuzz: ${#regressions[@]} regression inputs replayed"

# 2. Seeds: valid runs, then each cut short and each with bytes changed.
rm -f "$seeds"/*
cp "$fixture" "$seeds/fixture.json"
for f in "$here"/seeds/*.json; do
	cp "$f" "$seeds/"
done
for f in "$seeds"/*.json; do
	name=$(basename "$f" .json)
	size=$(stat -c %s "$f")
	for pct in 1 10 33 50 90 99; do
		head -c $((size * pct / 100)) "$f" >"$seeds/$name.cut$pct"
	done
	sed -E 's/"version": ?1/"version": 2/' "$f" >"$seeds/$name.newer"
	sed -E 's/"loadscope\/1"/"otherprof\/1"/' "$f" >"$seeds/$name.schema"
	sed -E '0,/"cpu_ns": ?[0-9]+/s//"cpu_ns": -1/' "$f" >"$seeds/$name.negative"
	sed -E '0,/"comm": ?"[^"]*"/s//"comm": 7/' "$f" >"$seeds/$name.type"
	sed -E '0,/"lower_ns": ?[0-9]+/s//"lower_ns": 3/' "$f" >"$seeds/$name.bucket"
	sed -E 's/"pid": ?([0-9]+)/"pid": 1\1/' "$f" >"$seeds/$name.pids"
	# valid, with the largest counts and times a file can hold: sums and ratios at their limits
	sed -E 's/"(count|max_ns|total_ns|cpu_ns)": ?[0-9]+/"\1": 9223372036854775807/g' "$f" \
		>"$seeds/$name.huge"
	sed -E 's/"(duration_ns|alive_ns|cpu_ns|runq_wait_ns)": ?[0-9]+/"\1": 0/g' "$f" \
		>"$seeds/$name.zero"
	for at in 3 7 11 13; do
		cp "$f" "$seeds/$name.flip$at"
		printf '\377' | dd of="$seeds/$name.flip$at" bs=1 seek=$((size * at / 17)) conv=notrunc \
			status=none
	done
done

# 3. The fuzzing itself; new inputs that reach new code are kept in the corpus for next time.
echo "fuzz: $fuzzer for $seconds s from $(ls "$seeds" | wc -l) seeds and $(ls "$corpus" | wc -l) kept inputs"
status=0
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
	-dict="$here/json.dict" -artifact_prefix="$artifacts" -print_final_stats=1 \
	"$corpus" "$seeds" >"$log" 2>&1 || status=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
if [ "$status" -ne 0 ]; then
	grep -E 'ERROR|SUMMARY|runtime error|leak|abort|Test unit written' "$log" >&2 || tail -30 "$log" >&2
	echo "FAIL: fuzz: exit $status after ${execs:-?} executions; the input is in $artifacts" \
		"(full log: $log); fix it and copy it to tests/fuzz/regressions/NAME.json" >&2
	exit 1
fi
echo "fuzz: ${execs:-?} executions in $seconds s, ${cov:-coverage unknown} (edges, features)," \
	"corpus $(ls "$corpus" | wc -l) inputs: no crash, no leak"
