#!/usr/bin/env bash
# One cell of the real-process loss table in docs/realtime.md: a listener, an impairing UDP relay
# (ImpairingUdpRelay, viz-cli's test classes) and a caller sending speech, three real processes on
# loopback at nice -10, then CellReport scoring what the listener heard against what was sent at
# one lag, with the listener's and the caller's stats.
#
#   viz-benchmarks/loss-cell.sh LABEL PROFILE LOSS DELAY_MS JITTER_MS BURST SEED [-- VIZ OPTIONS...]
#
# e.g. viz-benchmarks/loss-cell.sh ll10 low-latency 0.10 20 60 0 2   (10 % loss, 20-80 ms, seed 2)
# LOSS is a fraction; each datagram waits DELAY_MS + uniform 0..JITTER_MS (order kept); BURST > 0
# makes the loss Gilbert-Elliott with that mean burst length. SPEECH (default: the project's 10 s
# clip; docs/realtime.md used a 20 s cut of the shared 30 s clip) is what the caller sends. Needs
# `mvn -B -o -DskipTests package` first (the jar and the test classes). Work files in
# ${WORK:-/tmp/viz-loss-cells}/LABEL. Quote runs at low load only.
set -euo pipefail
[ $# -ge 7 ] || { echo "usage: $0 LABEL PROFILE LOSS DELAY_MS JITTER_MS BURST SEED [-- VIZ OPTIONS...]" >&2; exit 2; }
label=$1 profile=$2 loss=$3 delay=$4 jitter=$5 burst=$6 seed=$7
shift 7
[ "${1:-}" = "--" ] && shift
here=$(cd "$(dirname "$0")/.." && pwd)
speech=$(realpath "${SPEECH:-$here/viz-core/src/test/resources/speech/speech-10s-48k.wav}")
jar=$here/viz-cli/target/viz-cli.jar
[ -f "$jar" ] && [ -d "$here/viz-cli/target/test-classes" ] || { echo "build first: mvn -B -o -DskipTests package" >&2; exit 2; }
m2=${M2_REPO:-$HOME/.m2/repository}
junit=$(ls "$m2"/org/junit/jupiter/junit-jupiter-api/*/junit-jupiter-api-*.jar | head -1)
ot4j=$(ls "$m2"/org/opentest4j/opentest4j/*/opentest4j-*.jar | head -1)
work=${WORK:-/tmp/viz-loss-cells}/$label
rm -rf "$work" && mkdir -p "$work" && cd "$work"
port=$((20000 + RANDOM % 10000)) relay=$((port + 1))
HOME=$work/listener nice -n -10 java -jar "$jar" -s $port --profile "$profile" --input silence \
  --output wav:heard.wav --stats listener.json --duration 60 "$@" > listener.out 2>&1 &
listener_pid=$!
nice -n -10 java -cp "$here/viz-cli/target/test-classes" dev.viz.cli.ImpairingUdpRelay $relay $port \
  "$loss" "$delay" "$jitter" "$burst" "$seed" > relay.out 2>&1 &
relay_pid=$!
trap 'kill $relay_pid $listener_pid 2>/dev/null || true' EXIT
sleep 1
HOME=$work/caller nice -n -10 java -jar "$jar" -c 127.0.0.1:$relay --profile "$profile" --input "wav:$speech" \
  --output null --stats caller.json "$@" > caller.out 2>&1
wait $listener_pid || true
java -cp "$here/viz-cli/target/test-classes:$here/viz-core/target/test-classes:$junit:$ot4j" dev.viz.cli.CellReport \
  "$speech" heard.wav listener.json caller.json "$label"
