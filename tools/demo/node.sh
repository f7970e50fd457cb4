#!/bin/bash
# The demo with Node.js: a cluster of workers behind a master that hands each connection over
# (Node's default on Linux) against one Node process, under wrk, observed by loadscope.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v node >/dev/null; then
	echo "demo-node: Node.js is not installed (Debian: apt-get install nodejs)" >&2
	exit 1
fi
seconds=${DEMO_SECONDS:-10}
connections=${DEMO_CONNECTIONS:-32}
workers=${DEMO_WORKERS:-2}
keep=${DEMO_OUT:-}
out=${keep:-$(mktemp -d)}
[ -n "$keep" ] || trap 'rm -rf "$out"' EXIT
mkdir -p "$out"
. tools/demo/lib.sh

for load in keepalive close; do
	observe "node-cluster-$load" "$load" node tools/demo/cluster.js 0 "$workers"
	observe "node-single-$load" "$load" node tools/demo/cluster.js 0
done
for load in keepalive close; do
	echo "== Side by side, $load: A = Node cluster of $workers workers, B = one Node process"
	./loadscope diff "$out/node-cluster-$load.json" "$out/node-single-$load.json"
	echo
done
[ -n "$keep" ] && echo "JSON reports in $out"
exit 0
