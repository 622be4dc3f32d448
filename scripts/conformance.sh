#!/usr/bin/env bash
# Run the official MCP conformance suite against mcpwire.
#
#   bash scripts/conformance.sh install             # only install the suite
#   bash scripts/conformance.sh list [--server|--client] [--requirements REV]
#   bash scripts/conformance.sh server --url http://127.0.0.1:PORT/mcp [args...]
#   bash scripts/conformance.sh client --command "CMD" --scenario NAME [args...]
#   bash scripts/conformance.sh ci                  # the full CI run
#   bash scripts/conformance.sh balanced            # the server runs behind HAProxy
#   bash scripts/conformance.sh <any other conformance subcommand> [args...]
#
# The suite is the npm package @modelcontextprotocol/conformance, pinned at
# 0.2.0-alpha.12 (override with CONFORMANCE_VERSION), installed into
# .cache/conformance/ with `npm install --prefix`. It needs Node 22, which
# scripts/node22.sh installs into .cache/node22/. Every mode except `ci`
# passes its arguments straight to the suite's CLI, run under Node 22.
#
# CLI of the pinned version (`conformance <cmd> --help`):
#   server --url URL [--scenario NAME | --suite active|all|draft|pending |
#          --requirements 2025-11-25|2026-07-28] [--spec-version V] [--force]
#          [--expected-failures FILE] [-o DIR] [--timeout MS] [--verbose]
#   client --command CMD (--scenario NAME | --suite all|core|extensions|
#          backcompat|auth|metadata|draft|sep-835 | --requirements REV)
#          [--spec-version V] [--force] [--expected-failures FILE] [-o DIR]
#          [--timeout MS] [--verbose]
#   list [--server] [--client] [--authorization] [--spec-version V]
#        [--requirements REV]
# A client command is run through a shell with the mock server's URL as its
# last argument, and MCP_CONFORMANCE_SCENARIO, MCP_CONFORMANCE_PROTOCOL_VERSION
# (and for some scenarios MCP_CONFORMANCE_CONTEXT, JSON) in its environment.
# `--requirements` exits non-zero only for failures of scored scenarios.
#
# `ci` runs exactly:
#   cargo build --release -p mcpwire-conformance \
#       --bin conformance_server --bin conformance_client
#   target/release/conformance_server --port 0 &
#     (the system picks the port; the server prints its URL once it listens)
#   conformance server --url http://127.0.0.1:PORT/mcp --requirements 2025-11-25
#   conformance server --url http://127.0.0.1:PORT/mcp --requirements 2026-07-28
#   conformance server --url http://127.0.0.1:PORT/mcp --suite all
#   conformance client --command target/release/conformance_client \
#       --requirements 2025-11-25
#   conformance client --command target/release/conformance_client \
#       --requirements 2026-07-28
#     every client scenario each revision requires, the auth ones included
#     (the 2026-07-28 run adds the extension scenarios it knows, unscored)
#   conformance client --command target/release/conformance_client \
#       --scenario S [--spec-version V]
#   then the three server runs again through a load balancer: three
#   conformance_server instances sharing a private redis-server, behind
#   HAProxy balancing round-robin with no stickiness (`balanced` alone
#   runs just this part; it needs redis-server and haproxy), and once more
#   with a three-master Redis Cluster (BALANCED_REDIS=cluster)
#     for the scenarios no --requirements run covers: the 2025-03-26 auth
#     back-compat ones, the auth extension ones and the skills extension
#     ones (the list `client_scenarios` below)
# It runs them all, then exits non-zero if any check of any run is a
# FAILURE (scored or not; no expected-failures file), or if a client
# scenario recorded no successful check at all (the suite passes a client
# that never connected). Results land in .cache/conformance/results/. The server is stopped
# on exit. Non-interactive; works from any directory.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

version="${CONFORMANCE_VERSION:-0.2.0-alpha.12}"
package="@modelcontextprotocol/conformance"
prefix="$root/.cache/conformance"
pkg_dir="$prefix/node_modules/$package"
cli="$pkg_dir/dist/index.js"

log() { echo "==> [conformance] $*" >&2; }
die() {
	echo "conformance.sh: $*" >&2
	exit 1
}

node22_bin="$(bash "$root/scripts/node22.sh" </dev/null | tail -1)"
node22="$node22_bin/node"
[[ -x "$node22" ]] || die "scripts/node22.sh did not give a node binary"

installed_version() {
	[[ -f "$pkg_dir/package.json" ]] || return 0
	"$node22" -e 'process.stdout.write(require(process.argv[1]).version)' "$pkg_dir/package.json"
}

install_suite() {
	if [[ "$(installed_version)" == "$version" && -f "$cli" ]]; then
		return 0
	fi
	command -v npm >/dev/null || die "npm is needed to install $package"
	mkdir -p "$prefix"
	local args=(install --prefix "$prefix" --no-fund --no-audit --no-save
		--loglevel=error "$package@$version")
	log "npm ${args[*]}"
	# npm runs under whichever node is first on PATH: try Node 22, then the
	# system node.
	if ! CI=true PATH="$node22_bin:$PATH" npm "${args[@]}" </dev/null >&2; then
		log "npm under Node 22 failed; retrying with the system node"
		CI=true npm "${args[@]}" </dev/null >&2
	fi
	[[ "$(installed_version)" == "$version" && -f "$cli" ]] ||
		die "$package@$version did not install into $prefix"
}

conformance() {
	PATH="$node22_bin:$PATH" "$node22" "$cli" "$@"
}

# Whether the newest result of client scenario $2 under $1 has a SUCCESS.
has_success() {
	local dir
	dir="$(ls -1d "$1/$2"-* 2>/dev/null | sort | tail -1)"
	[[ -n "$dir" && -f "$dir/checks.json" ]] || return 1
	"$node22" -e '
		const checks = require(process.argv[1]);
		process.exit(checks.some((c) => c.status === "SUCCESS") ? 0 : 1);' "$dir/checks.json"
}

# Whether every scenario's checks.json under $1 holds a SUCCESS check
# (names those that do not): a client that never connects yields no checks.
every_scenario_succeeds() {
	"$node22" -e '
		const fs = require("fs"), path = require("path");
		let bad = 0;
		const walk = (d) => {
			for (const e of fs.readdirSync(d, { withFileTypes: true })) {
				const p = path.join(d, e.name);
				if (e.isDirectory()) walk(p);
				else if (e.name === "checks.json") {
					const checks = JSON.parse(fs.readFileSync(p, "utf8"));
					if (!checks.some((c) => c.status === "SUCCESS")) {
						bad++;
						console.error(`  no successful check: ${path.relative(process.argv[1], path.dirname(p))}`);
					}
				}
			}
		};
		walk(process.argv[1]);
		process.exit(bad === 0 ? 0 : 1);' "$1"
}

# Prints every FAILURE check under $1 (all checks.json files below it);
# fails when there is one. The suite's own exit status only counts scored
# scenarios, and a run with expected failures would hide some: this counts
# them all.
no_failures() {
	"$node22" -e '
		const fs = require("fs"), path = require("path");
		let failures = 0, checks = 0, warnings = 0;
		const walk = (d) => {
			for (const e of fs.readdirSync(d, { withFileTypes: true })) {
				const p = path.join(d, e.name);
				if (e.isDirectory()) walk(p);
				else if (e.name === "checks.json") {
					for (const c of JSON.parse(fs.readFileSync(p, "utf8"))) {
						checks++;
						if (c.status === "WARNING") warnings++;
						if (c.status === "FAILURE") {
							failures++;
							console.error(`  FAILURE ${path.basename(path.dirname(p))}: ${c.id}: ${c.errorMessage || c.description}`);
						}
					}
				}
			}
		};
		walk(process.argv[1]);
		console.error(`  ${checks} checks, ${failures} failures, ${warnings} warnings in ${process.argv[1]}`);
		process.exit(failures === 0 && checks > 0 ? 0 : 1);' "$1"
}

server_pid=""
server_out=""
stop_server() {
	if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	server_pid=""
	if [[ -n "$server_out" ]]; then
		exec {server_out}<&-
		server_out=""
	fi
}

# The client scenarios CI runs one by one, besides the --requirements runs:
# "SPEC SCENARIO", SPEC being the --spec-version or `extension` (run
# without one).
client_scenarios=(
	"2025-03-26 auth/2025-03-26-oauth-metadata-backcompat"
	"2025-03-26 auth/2025-03-26-oauth-endpoint-fallback"
	"extension auth/client-credentials-jwt"
	"extension auth/client-credentials-basic"
	"extension auth/enterprise-managed-authorization"
	"extension auth/dpop"
	"extension auth/dpop-nonce"
	"extension auth/wif-jwt-bearer"
	"extension sep-2640-client-no-prefetch"
	"extension sep-2640-client-verify-digest"
	"extension sep-2640-client-verify-size"
	"extension sep-2640-client-verify-frontmatter"
)

run_ci() {
	local manifest="crates/mcpwire-conformance/Cargo.toml"
	local server_bin="target/release/conformance_server"
	local client_bin="target/release/conformance_client"
	local bin
	for bin in conformance_server conformance_client; do
		grep -q "^name = \"$bin\"" "$manifest" ||
			die "the binary $bin does not exist (no [[bin]] named $bin in $manifest)"
	done

	log "cargo build --release -p mcpwire-conformance --bin conformance_server --bin conformance_client"
	cargo build --release -p mcpwire-conformance \
		--bin conformance_server --bin conformance_client ||
		die "building the conformance binaries failed"
	[[ -x "$server_bin" ]] || die "$server_bin was not built"
	[[ -x "$client_bin" ]] || die "$client_bin was not built"

	local results
	results="$prefix/results/$(date +%Y%m%d-%H%M%S)"
	mkdir -p "$results"

	trap stop_server EXIT
	trap 'stop_server; exit 130' INT TERM
	log "starting $server_bin --port 0"
	# The server binds, then prints its URL on stdout: reading that line is
	# the hand-off (it listens from then on), with the port the system
	# picked, so no other process can take it in between.
	exec {server_out}< <(exec "$server_bin" --port 0 2>"$results/server.log")
	server_pid=$!
	local url=""
	if ! read -r -t 30 -u "$server_out" url || [[ "$url" != http://127.0.0.1:*/mcp ]]; then
		cat "$results/server.log" >&2 || true
		die "$server_bin did not print its URL within 30 s (got: ${url:-nothing})"
	fi
	log "the server listens at $url"

	local failed=()
	local run out
	for run in "--requirements 2025-11-25" "--requirements 2026-07-28" "--suite all"; do
		out="$results/server-${run##* }"
		log "conformance server --url $url $run"
		# shellcheck disable=SC2086 # $run is two words on purpose
		conformance server --url "$url" $run -o "$out" >"$out.log" 2>&1 || true
		grep -E "^(Total|Passed):" "$out.log" >&2 || true
		if ! no_failures "$out"; then
			failed+=("server $run")
		fi
	done

	local spec
	for spec in 2025-11-25 2026-07-28; do
		out="$results/client-requirements-$spec"
		log "conformance client --command $client_bin --requirements $spec"
		conformance client --command "$client_bin" --requirements "$spec" -o "$out" \
			>"$out.log" 2>&1 || true
		grep -E "^Total:" "$out.log" >&2 || true
		if ! no_failures "$out"; then
			failed+=("client --requirements $spec")
		elif ! every_scenario_succeeds "$out"; then
			failed+=("client --requirements $spec (a scenario with no successful check)")
		fi
	done

	local entry scenario
	for entry in "${client_scenarios[@]}"; do
		read -r spec scenario <<<"$entry"
		out="$results/client-$spec/$scenario"
		local args=(--command "$client_bin" --scenario "$scenario" -o "$out")
		[[ "$spec" == extension ]] || args+=(--spec-version "$spec")
		log "conformance client ${args[*]}"
		conformance client "${args[@]}" >>"$results/client.log" 2>&1 || true
		if ! no_failures "$out"; then
			failed+=("client $scenario ($spec)")
		elif ! has_success "$out" "$scenario"; then
			# A client that never connects yields no checks, which the
			# suite counts as a pass.
			echo "conformance.sh: client $scenario ($spec) produced no successful check" >&2
			failed+=("client $scenario ($spec, no checks)")
		fi
	done

	stop_server
	log "results in $results"
	if ((${#failed[@]} > 0)); then
		echo "conformance.sh: FAILED: ${failed[*]}" >&2
		exit 1
	fi
	log "all conformance runs passed"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something accepts connections on 127.0.0.1:$1.
wait_port() {
	local i
	for i in $(seq 1 200); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

balanced_pids=()
stop_balanced() {
	local pid
	for pid in "${balanced_pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${balanced_pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	balanced_pids=()
}

run_balanced() {
	local server_bin="target/release/conformance_server"
	command -v redis-server >/dev/null || die "redis-server is needed (apt-get install redis-server)"
	command -v haproxy >/dev/null || die "haproxy is needed (apt-get install haproxy)"
	log "cargo build --release -p mcpwire-conformance --bin conformance_server"
	cargo build --release -p mcpwire-conformance --bin conformance_server ||
		die "building the conformance server failed"
	local results
	results="$prefix/results/balanced-$(date +%Y%m%d-%H%M%S)"
	mkdir -p "$results/redis"
	trap stop_balanced EXIT
	trap 'stop_balanced; exit 130' INT TERM

	# Redis: one server, or (BALANCED_REDIS=cluster) a three-master
	# cluster reached through its first node.
	local redis_port kind="${BALANCED_REDIS:-single}" nodes=() n node_port
	local count=1 cluster_args=()
	if [[ "$kind" == cluster ]]; then
		count=3
	fi
	for n in $(seq 1 "$count"); do
		node_port="$(free_port)"
		mkdir -p "$results/redis/$n"
		if [[ "$kind" == cluster ]]; then
			cluster_args=(--cluster-enabled yes --cluster-port "$(free_port)"
				--cluster-config-file "$results/redis/$n/nodes.conf" --cluster-node-timeout 2000)
		fi
		redis-server --port "$node_port" --bind 127.0.0.1 --save "" --appendonly no \
			--dir "$results/redis/$n" "${cluster_args[@]}" >"$results/redis-$n.log" 2>&1 &
		balanced_pids+=($!)
		wait_port "$node_port" || die "redis-server did not listen on $node_port"
		nodes+=("127.0.0.1:$node_port")
	done
	redis_port="${nodes[0]##*:}"
	if [[ "$kind" == cluster ]]; then
		timeout 60 redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes \
			</dev/null >"$results/cluster-create.log" 2>&1 ||
			die "redis-cli --cluster create failed: $(cat "$results/cluster-create.log")"
		for n in $(seq 1 100); do
			if [[ "$(redis-cli -p "$redis_port" cluster info)" == *cluster_state:ok* ]]; then
				break
			fi
			sleep 0.1
		done
	fi
	log "redis ($kind) on ${nodes[*]}"

	local backends=() i fd url
	for i in 1 2 3; do
		exec {fd}< <(exec "$server_bin" --port 0 --redis "redis://127.0.0.1:$redis_port" \
			2>"$results/instance-$i.log")
		balanced_pids+=($!)
		if ! read -r -t 30 -u "$fd" url || [[ "$url" != http://127.0.0.1:*/mcp ]]; then
			cat "$results/instance-$i.log" >&2 || true
			die "instance $i did not print its URL within 30 s (got: ${url:-nothing})"
		fi
		url="${url#http://}"
		backends+=("${url%/mcp}")
	done

	local lb_port
	lb_port="$(free_port)"
	{
		printf 'global\n    maxconn 2048\n\n'
		printf 'defaults\n    mode http\n    timeout connect 2s\n    timeout client 5m\n'
		printf '    timeout server 5m\n    timeout http-request 10s\n    option http-server-close\n'
		printf '    retries 3\n    option redispatch 1\n\n'
		printf 'frontend mcp\n    bind 127.0.0.1:%s\n    default_backend instances\n\n' "$lb_port"
		printf 'backend instances\n    balance roundrobin\n    default-server check inter 500ms fall 2 rise 1\n'
		for i in "${!backends[@]}"; do
			printf '    server i%s %s\n' "$i" "${backends[$i]}"
		done
	} >"$results/haproxy.cfg"
	haproxy -f "$results/haproxy.cfg" -db >"$results/haproxy.log" 2>&1 &
	balanced_pids+=($!)
	wait_port "$lb_port" || die "haproxy did not listen on $lb_port"
	local lb="http://127.0.0.1:$lb_port/mcp"
	log "three instances (${backends[*]}) behind HAProxy round-robin at $lb"

	local failed=() run out
	for run in "--requirements 2025-11-25" "--requirements 2026-07-28" "--suite all"; do
		out="$results/server-${run##* }"
		log "conformance server --url $lb $run (balanced, redis $kind)"
		# shellcheck disable=SC2086 # $run is two words on purpose
		conformance server --url "$lb" $run -o "$out" >"$out.log" 2>&1 || true
		grep -E "^(Total|Passed):" "$out.log" >&2 || true
		if ! no_failures "$out"; then
			failed+=("balanced ($kind) server $run")
		fi
	done
	stop_balanced
	log "results in $results"
	if ((${#failed[@]} > 0)); then
		echo "conformance.sh: FAILED: ${failed[*]}" >&2
		exit 1
	fi
	log "every balanced conformance run passed"
}

mode="${1:-help}"
[[ $# -gt 0 ]] && shift

case "$mode" in
help | -h | --help)
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
	;;
install)
	install_suite
	echo "$cli"
	;;
ci)
	install_suite
	run_ci
	run_balanced
	BALANCED_REDIS=cluster run_balanced
	;;
balanced)
	install_suite
	run_balanced
	;;
*)
	install_suite
	conformance "$mode" "$@"
	;;
esac
