# shellcheck shell=bash disable=SC2154
# Shared by the demo scripts: start servers, observe them under wrk, print the report.
# Expects: $out (directory for the runs), $seconds, $connections, ./loadscope built; optional:
# $wrk_threads (default 1) and the array $wrk_args (more wrk options, such as --latency).

servers=() # the servers started by start_server, until stop_servers

# start_server LOG SERVER-COMMAND...: the server in the background, its output in LOG; waits
# for its "ready PID PORT" line and sets ready_pid and ready_port from it
start_server() {
	local log=$1 spid
	shift
	"$@" >"$log" 2>&1 &
	spid=$!
	servers+=("$spid")
	ready_pid='' ready_port=''
	for _ in $(seq 200); do
		read -r _ ready_pid ready_port < <(grep "^ready" "$log") || true
		[ -n "${ready_port:-}" ] && return 0
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.1
	done
	echo "demo: the server did not start ($*): $(cat "$log")" >&2
	stop_servers
	exit 1
}

# stop_servers: SIGTERM to every server started, then wait until each has exited
stop_servers() {
	local pid
	for pid in "${servers[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${servers[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	servers=()
}

# free_port: a port on 127.0.0.1 that nothing listens on, below the usual ephemeral range
free_port() {
	local port
	for _ in $(seq 100); do
		port=$((20000 + RANDOM % 12000))
		if ! (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	echo "demo: no free port found" >&2
	return 1
}

# wait_port PORT: until a connection to 127.0.0.1:PORT is accepted (10 s at most)
wait_port() {
	for _ in $(seq 100); do
		(: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	echo "demo: nothing accepts connections on port $1" >&2
	return 1
}

# run_load NAME LOAD PIDS PORT: loadscope observes PIDS (comma-separated) while wrk applies LOAD
# (keepalive, or close: a new connection per request) to PORT; then wrk's figures and the
# report (with wrk's count of requests for the per-request figures), the run in $out/NAME.json
run_load() {
	local name=$1 load=$2 pids=$3 port=$4 requests header=()
	[ "$load" = close ] && header=(-H "Connection: close")
	if ! ./loadscope -p "$pids" -o "$out/$name.json" -- \
		wrk -t"${wrk_threads:-1}" -c"$connections" -d"${seconds}s" "${header[@]}" \
		"${wrk_args[@]}" "http://127.0.0.1:$port/json" >"$out/$name.wrk" 2>"$out/$name.err"; then
		cat "$out/$name.err" >&2
		stop_servers
		exit 1
	fi
	stop_servers
	grep -E "requests in|Requests/sec|Socket errors|^ +(50|99)%" "$out/$name.wrk" | sed 's/^ */wrk: /'
	requests=$(awk '/requests in/ {print $1}' "$out/$name.wrk")
	./loadscope report --requests "${requests:-0}" -o "$out/$name.json" "$out/$name.json"
	echo
}

# observe NAME LOAD SERVER-COMMAND...: the server (which prints "ready PID PORT" and picks its
# port), observed by loadscope while wrk applies LOAD
observe() {
	local name=$1 load=$2 shown='(keep-alive)'
	shift 2
	start_server "$out/$name.server" "$@"
	[ "$load" = close ] && shown="-H Connection: close"
	echo "== $name: $* (pid $ready_pid), wrk -t${wrk_threads:-1} -c$connections" \
		"-d${seconds}s $shown"
	run_load "$name" "$load" "$ready_pid" "$ready_port"
}

# start_stack STACK PORT: the stack's servers on PORT (node-cluster, node-single, bun-reuseport,
# go, and the bundled C server as demo-reuseport), their output in $out/STACK.server*; uses $here
# (tools/demo/stacks), $workers, $bun and $go_json; sets pids (comma-separated) and what
start_stack() {
	local i
	pids=''
	case $1 in
	node-cluster)
		what="node $here/node-cluster.js, $workers workers"
		start_server "$out/$1.server" node "$here/node-cluster.js" "$2" "$workers"
		pids=$ready_pid
		;;
	node-single)
		what="node $here/node-single.js"
		start_server "$out/$1.server" node "$here/node-single.js" "$2"
		pids=$ready_pid
		;;
	bun-reuseport)
		what="$workers x bun $here/bun-server.js"
		for i in $(seq "$workers"); do
			start_server "$out/$1.server.$i" "$bun" "$here/bun-server.js" "$2"
			pids=${pids:+$pids,}$ready_pid
		done
		;;
	go)
		what=$go_json
		start_server "$out/$1.server" "$go_json" "$2"
		pids=$ready_pid
		;;
	demo-reuseport)
		what="build/workloads/demo-server, $workers SO_REUSEPORT workers"
		start_server "$out/$1.server" build/workloads/demo-server "$2" reuseport "$workers"
		pids=$ready_pid
		;;
	*)
		echo "demo-stacks: no stack named $1 (node-cluster, node-single, bun-reuseport, go)" >&2
		exit 2
		;;
	esac
	wait_port "$2"
}
