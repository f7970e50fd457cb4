#!/bin/bash
# The demo: a latency-sensitive pipe ping-pong sharing the CPUs with busy spinners, observed by loadscope.
set -euo pipefail
cd "$(dirname "$0")/../.."
W=build/workloads
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
spinners=$(( $(nproc) + 1 ))

echo "== A pipe ping-pong alone (2 processes passing a byte 30,000 times)"
./loadscope -- "$W/pingpong" "$out/alone.json" 30000
echo
echo "== The same ping-pong beside $spinners busy threads on $(nproc) CPUs: run-queue contention"
./loadscope --threads -o "$out/contended.json" -- sh -c \
	"$W/busy $out/busy.json $spinners 3 & $W/pingpong $out/contended-oracle.json 30000; wait"
echo
echo "JSON report of the contended run: $out/contended.json (removed on exit; use -o to keep one)"
