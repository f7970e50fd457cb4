#!/bin/bash
# The stacks users run, measured: the servers of the Node.js, Bun and Go benchmark
# (tools/demo/stacks/) under wrk, with keep-alive connections and with a new connection per
# request, each observed by loadscope; then one table of requests/s and the cost per request.
#   node-cluster   Node's cluster of DEMO_WORKERS workers (default 2); the primary hands off
#   node-single    one Node process
#   bun-reuseport  DEMO_WORKERS Bun processes sharing the port with SO_REUSEPORT
#   go             Go's net/http, one process
# DEMO_STACKS picks some of them, DEMO_SECONDS is each run's length (default 5), DEMO_OUT keeps
# the runs (STACK-SHAPE.json, with wrk's and the servers' output beside them).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${DEMO_SECONDS:-5}
workers=${DEMO_WORKERS:-2}
stacks=${DEMO_STACKS:-node-cluster node-single bun-reuseport go}
bun=${BUN:-build/stacks/bun}
go_json=${GO_JSON:-build/stacks/go-json}
keep=${DEMO_OUT:-}
out=${keep:-$(mktemp -d)}
wrk_threads=2
wrk_args=(--latency)
here=tools/demo/stacks
. tools/demo/lib.sh

cleanup() {
	stop_servers
	[ -n "$keep" ] || rm -rf "$out"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$out"
for tool in node jq "$bun" "$go_json"; do
	if ! command -v "$tool" >/dev/null; then
		echo "demo-stacks: $tool is missing: run 'make demo-stacks' (it installs and builds them)" >&2
		exit 1
	fi
done

for stack in $stacks; do
	for shape in keepalive close; do
		case $shape in
		keepalive) connections=${DEMO_CONNECTIONS:-200} shown='(keep-alive)' ;;
		close) connections=${DEMO_CLOSE_CONNECTIONS:-50} shown='-H Connection: close' ;;
		esac
		port=$(free_port)
		start_stack "$stack" "$port"
		echo "== $stack-$shape: $what (pids $pids, port $port)," \
			"wrk -t$wrk_threads -c$connections -d${seconds}s $shown --latency"
		run_load "$stack-$shape" "$shape" "$pids" "$port"
	done
done

echo "== The stacks side by side (per request: the targets' CPU time, in user space and in the"
echo "   kernel's syscalls, context switches, syscalls and wakeups over wrk's count of requests)"
printf '%-14s %-9s %7s %8s %8s %8s %6s %7s %6s  %s\n' STACK SHAPE REQ/s CPU/req USER/req \
	KERN/req SW/req SYSC/req WK/req BOTTLENECK
for stack in $stacks; do
	for shape in keepalive close; do
		jq -r --arg stack "$stack" --arg shape "$shape" '
			[$stack, $shape, .requests.count / (.duration_ns / 1e9), (.per_request.cpu_ns // 0) / 1000,
			 (.per_request.cpu_user_ns // 0) / 1000, (.per_request.cpu_kernel_ns // 0) / 1000,
			 .per_request.switches // 0, .per_request.syscalls // 0, .per_request.wakeups // 0,
			 .bottleneck.kind + " (" + .bottleneck.subject + ")"]
			| @tsv' "$out/$stack-$shape.json"
	done
done | awk -F'\t' '{ printf "%-14s %-9s %7.0f %6.1fus %6.1fus %6.1fus %6.2f %7.2f %6.2f  %s\n",
	$1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }'
echo

left=$(pgrep -af "$here/|$go_json" || true)
if [ -n "$left" ]; then
	echo "demo-stacks: servers still running after the runs:" >&2
	echo "$left" >&2
	exit 1
fi
if [ -n "$keep" ]; then
	echo "JSON reports in $out"
else
	echo "JSON reports were in $out (removed on exit; set DEMO_OUT=DIR to keep them)"
fi
