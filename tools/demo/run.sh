#!/bin/bash
# The demo: the cluster tax, measured. The bundled HTTP server runs as Node's cluster does (a master
# accepts every connection and hands it to a worker over a Unix socket) and as Bun's reusePort
# workers do (each accepts its own), under wrk with keep-alive connections and with a new
# connection per request; loadscope observes each run, then compares the two shapes.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${DEMO_SECONDS:-10}
connections=${DEMO_CONNECTIONS:-32}
workers=${DEMO_WORKERS:-2}
keep=${DEMO_OUT:-}
out=${keep:-$(mktemp -d)}
server=build/workloads/demo-server
[ -n "$keep" ] || trap 'rm -rf "$out"' EXIT
mkdir -p "$out"
. tools/demo/lib.sh

for load in keepalive close; do
	observe "handoff-$load" "$load" "$server" 0 handoff "$workers"
	observe "reuseport-$load" "$load" "$server" 0 reuseport "$workers"
done
for load in keepalive close; do
	echo "== Side by side, $load: A = a master handing off to $workers workers," \
		"B = $workers SO_REUSEPORT workers"
	./loadscope diff "$out/handoff-$load.json" "$out/reuseport-$load.json"
	echo
done
if [ -n "$keep" ]; then
	echo "JSON reports in $out"
else
	echo "JSON reports were in $out (removed on exit; set DEMO_OUT=DIR to keep them)"
fi
