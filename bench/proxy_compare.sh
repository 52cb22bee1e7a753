#!/usr/bin/env bash
# Side-by-side comparison of the shardis proxy and twemproxy (nutcracker),
# each in front of the same three redis-server nodes, with redis-benchmark
# in one run, alternating the targets round by round so that the machine's
# noise hits all alike. Also the proxy in front of three shardis nodes
# against a direct connection to one shardis node. Prints medians of
# requests/s and of p99 latency, and ratios, as Markdown.
#
#   bench/proxy_compare.sh [rounds]          (default 3 rounds)
#
# Environment: N (requests per test, default 200000), TESTS (default
# set,get,mset), PIPELINES (default "1 16"), CLIENTS (default 50), KEYSPACE
# (redis-benchmark -r, default 1000000, so keys spread over every shard),
# PROXY_PROCS (shardis proxy -procs, default 1: one core, as nutcracker,
# which is single-threaded; 0 lets the proxy use every core).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
N=${N:-200000}
TESTS=${TESTS:-set,get,mset}
PIPELINES=${PIPELINES:-1 16}
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-1000000}
PROXY_PROCS=${PROXY_PROCS:-1}

for tool in redis-server redis-benchmark redis-cli nutcracker; do
	command -v $tool >/dev/null || { echo "bench/proxy_compare.sh: $tool is not installed" >&2; exit 2; }
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
start_node() { bin/shardis backend --port "$1" --bind 127.0.0.1 --appendonly no --dir "$work" --loglevel warning >"$work/shardis-$1.log" 2>&1 & pids+=($!); waitport "$1"; }
# proxy_toml port kind node1 node2 node3: a topology of three shards
proxy_toml() {
	local port=$1 kind=$2; shift 2
	printf '[[proxy]]\nlisten = "127.0.0.1:%s"\n' "$port"
	local ranges=("0-5460" "5461-10922" "10923-16383") i=0
	for n in "$@"; do
		printf '[[shard]]\nslots = ["%s"]\n[shard.primary]\naddress = "127.0.0.1:%s"\nkind = "%s"\n' "${ranges[$i]}" "$n" "$kind"
		i=$((i + 1))
	done
}
start_proxy() { # port kind nodes...
	proxy_toml "$@" >"$work/proxy-$1.toml"
	bin/shardis proxy -config "$work/proxy-$1.toml" -loglevel warn -procs "$PROXY_PROCS" >"$work/proxy-$1.log" 2>&1 & pids+=($!); waitport "$1"
}
start_twemproxy() { # port nodes...
	local port=$1; shift
	{
		printf 'bench:\n  listen: 127.0.0.1:%s\n  hash: fnv1a_64\n  distribution: ketama\n  redis: true\n  auto_eject_hosts: false\n  servers:\n' "$port"
		for n in "$@"; do printf '   - 127.0.0.1:%s:1\n' "$n"; done
	} >"$work/twem.yml"
	nutcracker -c "$work/twem.yml" -s "$(freeport)" -a 127.0.0.1 -o "$work/twem.log" & pids+=($!); waitport "$port"
}

r1=$(freeport); r2=$(freeport); r3=$(freeport)
for p in $r1 $r2 $r3; do start_redis "$p"; done
s1=$(freeport); s2=$(freeport); s3=$(freeport)
for p in $s1 $s2 $s3; do start_node "$p"; done
twem=$(freeport); start_twemproxy "$twem" $r1 $r2 $r3
pr=$(freeport); start_proxy "$pr" redis $r1 $r2 $r3
ps=$(freeport); start_proxy "$ps" shardis $s1 $s2 $s3
direct=$(freeport); start_node "$direct"

# Rounds alternate between this order and its reverse. twemproxy and the
# proxy in front of the same redis-server nodes sit side by side in the
# middle, so that each follows the other in half the rounds and a shardis
# target in the other half: neither always runs right after the other.
targets="node twemproxy proxy-redis proxy-shardis"
port_of() { case $1 in twemproxy) echo $twem ;; proxy-redis) echo $pr ;; proxy-shardis) echo $ps ;; node) echo $direct ;; esac; }

# results: lines "target P test rps p99 round"
res="$work/results"
for r in $(seq "$rounds"); do
	for P in $PIPELINES; do
		order=$targets; [ $((r % 2)) = 0 ] && order=$(echo $targets | tr ' ' '\n' | tac | tr '\n' ' ')
		for t in $order; do
			timeout 300 redis-benchmark -p "$(port_of $t)" -t "$TESTS" -c "$CLIENTS" -n "$N" -P "$P" -r "$KEYSPACE" --csv 2>/dev/null |
				awk -F'"' -v t=$t -v P=$P -v r=$r 'NR>1 && $2!="" {split($2,a," "); print t, P, a[1], $4, $14, r}' >>"$res"
		done
	done
	echo "round $r of $rounds done" >&2
done

median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
pick() { awk -v t=$1 -v P=$2 -v x=$3 -v c=$4 '$1==t && $2==P && $3==x {print $c}' "$res" | median; }
# p99ratio P test: the median over rounds of the proxy's p99 over
# twemproxy's in the same round, less sensitive than a ratio of medians to
# the machine's load drifting between rounds.
p99ratio() {
	awk -v P=$1 -v x=$2 '$2==P && $3==x && $1=="twemproxy" {tw[$6]=$5} $2==P && $3==x && $1=="proxy-redis" {pr[$6]=$5}
		END {for (r in tw) if ((r in pr) && tw[r] > 0) print pr[r]/tw[r]}' "$res" | median
}

echo
echo "redis-benchmark -c $CLIENTS -n $N -r $KEYSPACE, median of $rounds rounds; requests/s (p99 ms); shardis proxy -procs $PROXY_PROCS."
echo "Three redis-server nodes behind twemproxy and behind the shardis proxy; three shardis nodes behind the proxy; one shardis node direct."
echo
echo "| test | -P | twemproxy | proxy (redis nodes) | proxy / twemproxy | p99 proxy / twemproxy | proxy (shardis nodes) | one node direct | proxy / direct |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for P in $PIPELINES; do
	for x in $(awk -v P=$P '$2==P {print $3}' "$res" | awk '!seen[$0]++'); do
		tw=$(pick twemproxy $P $x 4); twl=$(pick twemproxy $P $x 5)
		pr=$(pick proxy-redis $P $x 4); prl=$(pick proxy-redis $P $x 5)
		ps=$(pick proxy-shardis $P $x 4); psl=$(pick proxy-shardis $P $x 5)
		nd=$(pick node $P $x 4); ndl=$(pick node $P $x 5)
		lr=$(p99ratio $P $x)
		awk -v x=$x -v P=$P -v tw=$tw -v twl=$twl -v pr=$pr -v prl=$prl -v lr=$lr -v ps=$ps -v psl=$psl -v nd=$nd -v ndl=$ndl 'BEGIN {
			printf "| %s | %s | %.0f (%.2f) | %.0f (%.2f) | %.2fx | %.2f | %.0f (%.2f) | %.0f (%.2f) | %.2fx |\n",
				x, P, tw, twl, pr, prl, pr/tw, lr, ps, psl, nd, ndl, ps/nd }'
	done
done
