# Shared by the demo scripts: start a server, observe it under wrk, print the report.
# Expects: $out (directory for the runs), $seconds, $connections, ./loadscope built.

# observe NAME LOAD SERVER-COMMAND...: the server (which prints "ready PID PORT"), observed by
# loadscope while wrk applies LOAD (keepalive, or close: a new connection per request)
observe() {
	local name=$1 load=$2 requests pid port spid
	shift 2
	"$@" >"$out/$name.server" 2>&1 &
	spid=$!
	for _ in $(seq 200); do
		read -r _ pid port < <(grep "^ready" "$out/$name.server") || true
		[ -n "${port:-}" ] && break
		sleep 0.1
	done
	if [ -z "${port:-}" ]; then
		echo "demo: the server did not start: $(cat "$out/$name.server")" >&2
		kill "$spid" 2>/dev/null || true
		exit 1
	fi
	local header=()
	[ "$load" = close ] && header=(-H "Connection: close")
	echo "== $name: $* (pid $pid), wrk -t1 -c$connections -d${seconds}s ${header[*]:-(keep-alive)}"
	if ! ./loadscope -p "$pid" -o "$out/$name.json" -- \
		wrk -t1 -c"$connections" -d"${seconds}s" "${header[@]}" \
		"http://127.0.0.1:$port/json" >"$out/$name.wrk" 2>"$out/$name.err"; then
		cat "$out/$name.err" >&2
		kill "$spid" 2>/dev/null || true
		exit 1
	fi
	kill "$spid"
	wait "$spid" || true
	grep -E "requests in|Requests/sec|Socket errors" "$out/$name.wrk" | sed 's/^ */wrk: /'
	requests=$(awk '/requests in/ {print $1}' "$out/$name.wrk")
	# the report again, with wrk's count of requests for the per-request figures
	./loadscope report --requests "${requests:-0}" -o "$out/$name.json" "$out/$name.json"
	echo
}
