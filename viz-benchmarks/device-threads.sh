#!/usr/bin/env bash
# Where a compare.sh call's CPU goes, per thread: the same two endpoints as compare.sh's viz rows
# (listener B plays into pulse:viz_out with --input silence, caller A captures pulse:viz_mic.monitor
# and plays nothing; processing off), on the test sound server; VIZ_DEVICES=portaudio uses
# portaudio:viz_speaker and portaudio:viz_mic instead, as compare.sh does; VIZ_EXTRA adds options
# to both endpoints. Nothing is played
# into viz_mic: A's input is digital silence unless something else plays there.
#
#   .ci/sound-server.sh start /tmp/viz-lat && source /tmp/viz-lat/env.sh
#   viz-benchmarks/device-threads.sh [-v LAUNCHER] [-c CODEC] [-p PORT] [-w WARM_S] [-t SECONDS]
#
# Defaults: LAUNCHER viz-cli/target/viz, CODEC native, PORT 19600, WARM_S 15, SECONDS 20, low-latency.
# Per endpoint and thread: (utime + stime) ticks from /proc/PID/task/TID/stat over SECONDS that start
# WARM_S after the caller, as percent of one core. Quote runs at low load only.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
viz="$here/viz-cli/target/viz" codec=native port=19600 warm=15 secs=20
while getopts "v:c:p:w:t:" o; do
  case "$o" in
    v) viz=$OPTARG ;; c) codec=$OPTARG ;; p) port=$OPTARG ;; w) warm=$OPTARG ;; t) secs=$OPTARG ;;
    *) sed -n '2,13p' "$0"; exit 2 ;;
  esac
done
work=$(mktemp -d /tmp/viz-device-threads.XXXXXX)
mic=pulse:viz_mic.monitor speaker=pulse:viz_out
if [[ ${VIZ_DEVICES:-pulse} == portaudio ]]; then mic=portaudio:viz_mic speaker=portaudio:viz_speaker; fi
common=(--profile low-latency --codec "$codec" --aec off --denoise off --agc off)
# shellcheck disable=SC2206 # VIZ_EXTRA is a list of options for both endpoints, as in compare.sh
common+=(${VIZ_EXTRA:-})
"$viz" -s "$port" "${common[@]}" --identity "$work/b.key" --input silence --output "$speaker" \
  --duration "$((warm + secs + 20))" >"$work/b.log" 2>&1 &
b=$!
sleep 1
"$viz" -c "127.0.0.1:$port" "${common[@]}" --identity "$work/a.key" --no-known-peers --connect-timeout 20s \
  --input "$mic" --output null --duration "$((warm + secs + 15))" >"$work/a.log" 2>&1 &
a=$!
trap 'kill $a $b 2>/dev/null || true; rm -rf "$work"' EXIT
sleep "$warm"
jvm() { pgrep -P "$1" java || echo "$1"; } # the launcher may exec java or run it as a child
ja=$(jvm $a) jb=$(jvm $b)
snap() { for p in $ja $jb; do for t in /proc/$p/task/*; do
  echo "$p/$(tr ' ' _ <"$t/comm") $(awk '{print $14 + $15}' "$t/stat")"; done; done; }
echo "load before: $(cut -d' ' -f1 /proc/loadavg)"
snap >"$work/s1"; sleep "$secs"; snap >"$work/s2"
echo "load after: $(cut -d' ' -f1 /proc/loadavg)"
hz=$(getconf CLK_TCK)
sum() { awk '{a[$1] += $2} END {for (k in a) print k, a[k]}' "$1" | sort; }
join <(sum "$work/s1") <(sum "$work/s2") | awk -v A="$ja" -v hz="$hz" -v s="$secs" '{
  d = 100 * ($3 - $2) / hz / s; if (d > 0) { split($1, x, "/"); printf "%-12s %-16s %6.2f %%\n", (x[1] == A ? "A (caller)" : "B (listener)"), x[2], d } }' | sort
