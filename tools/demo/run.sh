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
port=${DEMO_PORT:-18080}
keep=${DEMO_OUT:-}
out=${keep:-$(mktemp -d)}
server=build/workloads/demo-server
[ -n "$keep" ] || trap 'rm -rf "$out"' EXIT
mkdir -p "$out"

# run NAME LOAD MODE...: the server in MODE, observed by loadscope while wrk applies LOAD
run() {
	local name=$1 load=$2 requests pid
	shift 2
	"$server" "$port" "$@" >"$out/$name.server" 2>&1 &
	local spid=$!
	for _ in $(seq 50); do
		pid=$(awk '/^ready/ {print $2}' "$out/$name.server")
		[ -n "$pid" ] && break
		sleep 0.1
	done
	if [ -z "$pid" ]; then
		echo "demo: the server did not start: $(cat "$out/$name.server")" >&2
		exit 1
	fi
	local header=()
	[ "$load" = close ] && header=(-H "Connection: close")
	echo "== $name: server $* (pid $pid), wrk -t1 -c$connections -d${seconds}s ${header[*]:-(keep-alive)}"
	./loadscope -p "$pid" -o "$out/$name.json" -- \
		wrk -t1 -c"$connections" -d"${seconds}s" "${header[@]}" "http://127.0.0.1:$port/json" \
		>"$out/$name.wrk" 2>"$out/$name.err" || { cat "$out/$name.err" >&2; exit 1; }
	kill "$spid"
	wait "$spid" || true
	grep -E "requests in|Requests/sec|Socket errors" "$out/$name.wrk" | sed 's/^ */wrk: /'
	requests=$(awk '/requests in/ {print $1}' "$out/$name.wrk")
	# the report again, with wrk's count of requests for the per-request figures
	./loadscope report --requests "${requests:-0}" -o "$out/$name.json" "$out/$name.json"
	echo
}

for load in keepalive close; do
	run "handoff-$load" "$load" handoff "$workers"
	run "reuseport-$load" "$load" reuseport "$workers"
done

for load in keepalive close; do
	echo "== Side by side, $load: A = master handing off to $workers workers, B = $workers reuseport workers"
	./loadscope diff "$out/handoff-$load.json" "$out/reuseport-$load.json"
	echo
done
if [ -n "$keep" ]; then
	echo "JSON reports in $out"
else
	echo "JSON reports were in $out (removed on exit; set DEMO_OUT=DIR to keep them)"
fi
