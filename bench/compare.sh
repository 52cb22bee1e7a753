#!/usr/bin/env bash
# Side-by-side comparison of a shardis storage node and redis-server with
# redis-benchmark, in one run, alternating the targets round by round so that
# the machine's noise hits both alike. Prints medians and ratios as Markdown.
#
#   bench/compare.sh [rounds]          (default 5 rounds)
#
# Environment: N (requests per test, default 500000), TESTS (default
# set,get,incr,mset), PIPELINES (default "1 16"), CLIENTS (default 50),
# MEMKEYS (keys for the RSS test, default 1000000; 0 skips it), SHARDIS_ENV
# (environment for the node, e.g. GOMAXPROCS=1).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
N=${N:-500000}
TESTS=${TESTS:-set,get,incr,mset}
PIPELINES=${PIPELINES:-1 16}
CLIENTS=${CLIENTS:-50}
MEMKEYS=${MEMKEYS:-1000000}

for tool in redis-server redis-benchmark redis-cli; do
	command -v $tool >/dev/null || { echo "bench/compare.sh: $tool is not installed" >&2; exit 2; }
done
go build -o bin/shardis ./cmd/shardis

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
waitport() { # port: wait until PING answers, at most 10 s
	for _ in $(seq 100); do
		[ "$(timeout 1 redis-cli -p "$1" ping 2>/dev/null)" = PONG ] && return 0
		sleep 0.1
	done
	echo "nothing answers on port $1" >&2; exit 1
}
start_redis() { redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$work/redis-$1.log" 2>&1 & pids+=($!); waitport "$1"; }
start_shardis() { env ${SHARDIS_ENV:-} bin/shardis backend --port "$1" --bind 127.0.0.1 --appendonly no --dir "$work" --loglevel warning >"$work/shardis-$1.log" 2>&1 & pids+=($!); waitport "$1"; }

rport=$(freeport); start_redis "$rport"; rpid=${pids[-1]}
sport=$(freeport); start_shardis "$sport"; spid=${pids[-1]}

# results: lines "target P test rps"
res="$work/results"
for r in $(seq "$rounds"); do
	for P in $PIPELINES; do
		order="redis shardis"; [ $((r % 2)) = 0 ] && order="shardis redis"
		for t in $order; do
			port=$rport; [ $t = shardis ] && port=$sport
			timeout 300 redis-benchmark -p "$port" -t "$TESTS" -c "$CLIENTS" -n "$N" -P "$P" --csv 2>/dev/null |
				awk -F'"' -v t=$t -v P=$P 'NR>1 && $2!="" {split($2,a," "); print t, P, a[1], $4}' >>"$res"
		done
	done
	echo "round $r of $rounds done" >&2
done

median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

echo
echo "redis-benchmark -c $CLIENTS -n $N, median of $rounds rounds (requests/s):"
echo
echo "| test | -P | redis-server | shardis | shardis / redis |"
echo "| --- | --- | ---: | ---: | ---: |"
for P in $PIPELINES; do
	for t in $(awk -v P=$P '$2==P {print $3}' "$res" | awk '!seen[$0]++'); do
		r=$(awk -v P=$P -v t=$t '$1=="redis" && $2==P && $3==t {print $4}' "$res" | median)
		s=$(awk -v P=$P -v t=$t '$1=="shardis" && $2==P && $3==t {print $4}' "$res" | median)
		awk -v t=$t -v P=$P -v r=$r -v s=$s 'BEGIN {printf "| %s | %s | %.0f | %.0f | %.2fx |\n", t, P, r, s, s/r}'
	done
done

if [ "$MEMKEYS" -gt 0 ]; then
	awk -v n="$MEMKEYS" 'BEGIN { v="vvvvvvvvvvvvvvvv"; for (i = 0; i < n; i++) { k = sprintf("key:%012d", i); printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$16\r\n%s\r\n", length(k), k, v } }' >"$work/load.resp"
	rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
	for t in redis shardis; do
		port=$rport; pid=$rpid; [ $t = shardis ] && { port=$sport; pid=$spid; }
		redis-cli -p "$port" flushall >/dev/null
		before=$(rss "$pid")
		redis-cli -p "$port" --pipe <"$work/load.resp" >/dev/null
		keys=$(redis-cli -p "$port" dbsize)
		eval "${t}_rss=$(rss "$pid") ${t}_keys=$keys ${t}_before=$before"
	done
	echo
	echo "RSS after $MEMKEYS SETs of 16-byte values (keys key:%012d):"
	echo
	echo "| | redis-server | shardis | shardis / redis |"
	echo "| --- | ---: | ---: | ---: |"
	awk -v r="$redis_rss" -v s="$shardis_rss" -v rk="$redis_keys" -v sk="$shardis_keys" 'BEGIN {printf "| keys | %d | %d | |\n| RSS (MiB) | %.1f | %.1f | %.2fx |\n", rk, sk, r/1024, s/1024, s/r}'
fi
