#!/usr/bin/env bash
# Where a call's CPU goes, per thread: two viz processes on loopback, the caller sending a tone,
# the listener silence, both writing to the null output (no sound server needed).
#
#   viz-benchmarks/threads.sh [-v LAUNCHER] [-p PORT] [-w WARM_S] [-t SECONDS] [-- VIZ OPTIONS...]
#
# Defaults: LAUNCHER viz-cli/target/viz, PORT 18640, WARM_S 15 (the JIT and the playout settle),
# SECONDS 20, options --profile low-latency. Per endpoint and per thread: (utime + stime) ticks from
# /proc/PID/task/TID/stat over SECONDS that start WARM_S after the caller, as percent of one core
# (resolution 100 / (CLK_TCK x SECONDS) %). Prints the 1-minute load average before and after: quote
# runs at low load only. Compare two builds by running it with each build's launcher in turn.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
viz="$here/viz-cli/target/viz"
port=18640
warm=15
secs=20
while getopts "v:p:w:t:" o; do
  case "$o" in
    v) viz=$OPTARG ;;
    p) port=$OPTARG ;;
    w) warm=$OPTARG ;;
    t) secs=$OPTARG ;;
    *) echo "usage: $0 [-v LAUNCHER] [-p PORT] [-w WARM_S] [-t SECONDS] [-- VIZ OPTIONS...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
opts=("$@")
[ ${#opts[@]} -eq 0 ] && opts=(--profile low-latency)
[ -x "$viz" ] || { echo "no launcher at $viz: build with mvn -B -q -DskipTests package" >&2; exit 2; }

log=$(mktemp -d)
total=$((warm + secs + 10))
"$viz" -s "$port" "${opts[@]}" --input silence --output null --duration "$((total + 5))" >"$log/listener.log" 2>&1 &
lpid=$!
sleep 1.5
"$viz" -c "127.0.0.1:$port" "${opts[@]}" --input tone:440 --output null --duration "$total" >"$log/caller.log" 2>&1 &
cpid=$!
trap 'kill $lpid $cpid 2>/dev/null || true' EXIT

# The JVM's pid is the launcher's child (or the launcher itself after exec).
jvm() { local p=$1; pgrep -P "$p" java 2>/dev/null | head -1 || true; }
sleep "$warm"
L=$(jvm $lpid); L=${L:-$lpid}
C=$(jvm $cpid); C=${C:-$cpid}
ticks() { for t in /proc/$1/task/*; do echo "$(basename "$t") $(awk '{print $14+$15}' "$t/stat") $(tr ' ' _ <"$t/comm")"; done | sort; }
echo "load before: $(cut -d' ' -f1 /proc/loadavg)"
ticks "$L" >"$log/l0"; ticks "$C" >"$log/c0"
sleep "$secs"
ticks "$L" >"$log/l1"; ticks "$C" >"$log/c1"
echo "load after: $(cut -d' ' -f1 /proc/loadavg)"
hz=$(getconf CLK_TCK)
for side in listener:l caller:c; do
  name=${side%%:*}; f=${side##*:}
  join "$log/${f}0" "$log/${f}1" | awk -v hz="$hz" -v s="$secs" -v who="$name" '
    { d = $4 - $2; sum += d; if (d > 0) printf "%-9s %-18s %6.2f %%\n", who, $3, 100 * d / (hz * s) }
    END { printf "%-9s %-18s %6.2f %%\n", who, "(whole JVM)", 100 * sum / (hz * s) }'
done
grep -h "played" "$log/listener.log" | tail -1 | sed 's/^/listener: /'
wait $cpid 2>/dev/null || true
