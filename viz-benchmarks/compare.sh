#!/usr/bin/env bash
# Viz side by side with the programs people compare it with (issue #14), on the test sound server.
#
#   .ci/sound-server.sh start /tmp/viz-lat && source /tmp/viz-lat/env.sh
#   mvn -B -q -o -DskipTests package
#   viz-benchmarks/compare.sh [-n CLICKS] [-t CPU_SECONDS] [SYSTEM...]
#
# SYSTEM is any of: viz-native viz-concentus viz-tunnel-native viz-tunnel-concentus gst gst-tuned
# baresip viz-idle (default: all of them; a system whose program is not installed is skipped and
# says so). Every call is one way, the same for every program: endpoint A captures the virtual
# microphone (ALSA viz_mic = the source viz_mic.monitor) and sends to endpoint B on 127.0.0.1, which
# plays into the sink viz_out (ALSA viz_speaker). A plays nothing (Viz --output null; baresip, a
# two-way program, into a null sink viz_compare_void the script loads and unloads) and B sends
# silence (Viz --input silence; baresip from viz_compare_void.monitor), so only the chirps reach viz_out.
#
# Per call:
#   - both endpoints are started, then given WARM_S (default 6) seconds to connect and settle;
#   - mouth-to-ear: `MouthToEar --external CLICKS` (viz-benchmarks) plays CLICKS chirps, 2 s apart,
#     into viz_mic with paplay, records viz_mic.monitor and viz_out.monitor, and cross-correlates;
#     the median and p90 of the chirps found;
#   - CPU per endpoint: (utime + stime) from /proc/PID/stat over the CPU_SECONDS (default 60) that
#     start when the measurement starts, as percent of one core; the measurement runs inside it;
#   - memory per endpoint: VmRSS at the end of that window and VmHWM (the peak) from /proc/PID/status.
# viz-idle: a Viz listener (B's command line) with no caller, CPU over IDLE_S (default 30) seconds
# after 8 s of start-up.
#
# Viz runs through its launcher (viz-cli/target/viz) with the JVM options the launcher sets;
# VIZ_JAVA_OPTS adds more (as for a user). VIZ_EXTRA adds CLI options to both endpoints, e.g.
# VIZ_EXTRA='--frame-ms 10'. Echo cancellation, noise suppression and gain control are off
# (--aec off --denoise off --agc off): the GStreamer and baresip set-ups do no such processing
# either, and noise suppression would treat the chirps as noise.
# The 1-minute load average is printed with every row: the machine is shared, so re-run a row
# measured above 1.5. Not part of the CI run: a by-hand harness (docs/performance.md).
# VIZ_DEVICES picks Viz's sound backend: pulse (the default, as the CLI's default devices are when a
# PulseAudio server answers: pulse:viz_mic.monitor and pulse:viz_out) or portaudio (portaudio:viz_mic
# and portaudio:viz_speaker, through ALSA's PulseAudio plugin, as baresip's devices are).
# NOISE_DB=-60 plays pink noise at that level (dB below full scale, sox and pacat) into viz_mic
# during each call: a microphone's noise floor. Without it the sending side's input is digital
# silence between the chirps, which Viz does not encode (a muted microphone costs the same).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
CLICKS=20
CPU_S=${CPU_S:-60}
WARM_S=${WARM_S:-6}
IDLE_S=${IDLE_S:-30}
while getopts "n:t:h" opt; do
  case $opt in
    n) CLICKS=$OPTARG ;;
    t) CPU_S=$OPTARG ;;
    *) sed -n '2,39p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
SYSTEMS=("$@")
if ((${#SYSTEMS[@]} == 0)); then
  SYSTEMS=(viz-native viz-concentus viz-tunnel-native viz-tunnel-concentus gst gst-tuned baresip viz-idle)
fi

VIZ=${VIZ:-$root/viz-cli/target/viz}
BENCH_JAR=${BENCH_JAR:-$root/viz-benchmarks/target/benchmarks.jar}
JAVA=${JAVA:-java}
VIZ_EXTRA=${VIZ_EXTRA:-}
HZ=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/viz-compare.XXXXXX)
PIDS=()
PORT_BASE=$((20000 + RANDOM % 20000))
ROWS=()

log() { echo "compare: $*" >&2; }

cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
  done
  if [[ -n "${VOID_MODULE:-}" ]]; then pactl unload-module "$VOID_MODULE" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if ! pactl info >/dev/null 2>&1; then
  log "no sound server: start one with .ci/sound-server.sh start DIR and source DIR/env.sh"
  exit 1
fi
[[ -f "$BENCH_JAR" ]] || { log "$BENCH_JAR missing: mvn -B -q -o -DskipTests package"; exit 1; }

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
load1() { cut -d' ' -f1 /proc/loadavg; }
now_ms() { date +%s%3N; }
alive() { kill -0 "$1" 2>/dev/null; }

# start NAME COMMAND...: runs COMMAND in the background (stdin closed, output to WORK/NAME.log) and
# sets STARTED to its pid (the program's own: commands are exec'd, the launcher execs java).
start() {
  local name=$1
  shift
  "$@" </dev/null >"$WORK/$name.log" 2>&1 &
  STARTED=$!
  PIDS+=("$STARTED")
}

stop() {
  local pid
  for pid in "$@"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "$@"; do
    for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}

# measure LABEL PID_A PID_B: mouth-to-ear and CPU/memory of a call already running
measure() {
  local label=$1 a=$2 b=$3
  local noise=""
  if [[ -n "${NOISE_DB:-}" ]]; then
    # A microphone's noise floor under the chirps: pink noise at NOISE_DB (dB below full scale) into viz_mic.
    sox -q -n -r 48000 -c 1 -b 16 -e signed -t raw - synth 3600 pinknoise vol "$(awk -v d="$NOISE_DB" 'BEGIN {printf "%.6f", 10 ^ (d / 20)}')" \
      2>/dev/null | pacat --playback --device=viz_mic --format=s16le --rate=48000 --channels=1 --latency-msec=100 &
    noise=$!
    PIDS+=("$noise")
  fi
  sleep "$WARM_S"
  if ! alive "$a" || ! alive "$b"; then
    log "$label: an endpoint exited; its log:"
    tail -n 20 "${LOGS[@]}" >&2 || true # set by the caller: the endpoints' logs
    ROWS+=("| $label | did not run | | | |")
    return
  fi
  local load_start t0 a0 b0 line elapsed_ms a1 b1 rest_ms
  load_start=$(load1)
  t0=$(now_ms); a0=$(ticks "$a"); b0=$(ticks "$b")
  line=$("$JAVA" -cp "$BENCH_JAR" dev.viz.benchmarks.MouthToEar --external "$CLICKS" 2>>"$WORK/recorder.log" \
    | grep '^external' || echo "external failed")
  rest_ms=$((CPU_S * 1000 - ($(now_ms) - t0)))
  if ((rest_ms > 0)); then sleep "$(awk -v m="$rest_ms" 'BEGIN {printf "%.3f", m / 1000}')"; fi
  a1=$(ticks "$a"); b1=$(ticks "$b")
  elapsed_ms=$(($(now_ms) - t0))
  if [[ -n "$noise" ]]; then kill "$noise" 2>/dev/null || true; fi
  local cpu_a cpu_b rss_a rss_b hwm_a hwm_b m2e
  cpu_a=$(awk -v d=$((a1 - a0)) -v hz="$HZ" -v ms="$elapsed_ms" 'BEGIN {printf "%.1f", 100 * d / hz / (ms / 1000)}')
  cpu_b=$(awk -v d=$((b1 - b0)) -v hz="$HZ" -v ms="$elapsed_ms" 'BEGIN {printf "%.1f", 100 * d / hz / (ms / 1000)}')
  rss_a=$(($(status_kb "$a" VmRSS) / 1024)); hwm_a=$(($(status_kb "$a" VmHWM) / 1024))
  rss_b=$(($(status_kb "$b" VmRSS) / 1024)); hwm_b=$(($(status_kb "$b" VmHWM) / 1024))
  # external median M p90 P min N max X ms found F of C
  m2e=$(awk '$1 == "external" && $2 == "median" {printf "%s (%s) ms, %s of %s", $3, $5, $12, $14; next}
             {print "none found (" $0 ")"}' <<<"$line")
  log "$label: $line; CPU A $cpu_a % B $cpu_b % over $((elapsed_ms / 1000)) s; RSS A $rss_a ($hwm_a) MB B $rss_b ($hwm_b) MB; load $load_start -> $(load1)"
  ROWS+=("| $label | $m2e | $cpu_a / $cpu_b % | $rss_a / $rss_b MB (peak $hwm_a / $hwm_b) | $load_start–$(load1) |")
}

viz_cmd() { # viz_cmd SIDE PROFILE CODEC PORT
  local side=$1 profile=$2 codec=$3 port=$4 mic=pulse:viz_mic.monitor speaker=pulse:viz_out
  if [[ ${VIZ_DEVICES:-pulse} == portaudio ]]; then mic=portaudio:viz_mic speaker=portaudio:viz_speaker; fi
  local common=(--profile "$profile" --codec "$codec" --aec off --denoise off --agc off
    --identity "$WORK/$side.key")
  # shellcheck disable=SC2206 # VIZ_EXTRA is a list of options
  common+=($VIZ_EXTRA)
  if [[ $side == b ]]; then
    echo "$VIZ" -s "$port" "${common[@]}" --input silence --output "$speaker"
  else
    echo "$VIZ" -c "127.0.0.1:$port" "${common[@]}" --connect-timeout 20s --no-known-peers --input "$mic" --output null
  fi
}

run_viz() { # run_viz LABEL PROFILE CODEC
  local label=$1 profile=$2 codec=$3 port=$((PORT_BASE++)) a b
  if [[ ! -x "$VIZ" ]]; then log "$label: $VIZ missing, skipped"; ROWS+=("| $label | not built | | | |"); return; fi
  # shellcheck disable=SC2046
  start viz-b $(viz_cmd b "$profile" "$codec" "$port"); b=$STARTED
  sleep 1
  # shellcheck disable=SC2046
  start viz-a $(viz_cmd a "$profile" "$codec" "$port"); a=$STARTED
  LOGS=("$WORK/viz-a.log" "$WORK/viz-b.log")
  measure "$label" "$a" "$b"
  stop "$a" "$b"
  grep -h 'codec\|xrun\|underflow' "$WORK/viz-a.log" "$WORK/viz-b.log" | grep -v '^waiting\|^in call' | head -4 >&2 || true
}

run_viz_idle() {
  local port=$((PORT_BASE++)) b t0 b0 b1 ms load_start
  # shellcheck disable=SC2046
  start viz-idle $(viz_cmd b low-latency auto "$port"); b=$STARTED
  sleep 8
  alive "$b" || { log "viz-idle: the listener exited"; tail "$WORK/viz-idle.log" >&2; return; }
  load_start=$(load1); t0=$(now_ms); b0=$(ticks "$b")
  sleep "$IDLE_S"
  b1=$(ticks "$b"); ms=$(($(now_ms) - t0))
  local cpu
  cpu=$(awk -v d=$((b1 - b0)) -v hz="$HZ" -v ms="$ms" 'BEGIN {printf "%.2f", 100 * d / hz / (ms / 1000)}')
  log "viz-idle: CPU $cpu % over $((ms / 1000)) s, RSS $(($(status_kb "$b" VmRSS) / 1024)) MB; load $load_start -> $(load1)"
  ROWS+=("| Viz listener waiting for a call (no call), ${IDLE_S} s | | $cpu % | $(($(status_kb "$b" VmRSS) / 1024)) MB | $load_start–$(load1) |")
  stop "$b"
}

# GStreamer: RTP/Opus 32 kbit/s, 20 ms frames, mono, rtpjitterbuffer; pulsesrc/pulsesink buffer-time/latency-time
run_gst() { # run_gst LABEL JITTER_MS BUFFER_US LATENCY_US
  local label=$1 jb=$2 buf=$3 lat=$4 port=$((PORT_BASE++)) a b
  if ! command -v gst-launch-1.0 >/dev/null || ! gst-inspect-1.0 pulsesrc >/dev/null 2>&1 \
      || ! gst-inspect-1.0 opusenc >/dev/null 2>&1; then
    log "$label: GStreamer with pulse and opus plugins not installed (apt-get install gstreamer1.0-tools" \
      "gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-pulseaudio), skipped"
    ROWS+=("| $label | not installed | | | |")
    return
  fi
  start gst-b gst-launch-1.0 -q udpsrc address=127.0.0.1 port="$port" \
    caps="application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=96" \
    ! rtpjitterbuffer latency="$jb" ! rtpopusdepay ! opusdec ! audioconvert ! audioresample \
    ! "audio/x-raw,rate=48000,channels=1" ! pulsesink device=viz_out buffer-time="$buf" latency-time="$lat"
  b=$STARTED
  start gst-a gst-launch-1.0 -q pulsesrc device=viz_mic.monitor buffer-time="$buf" latency-time="$lat" \
    ! "audio/x-raw,rate=48000,channels=1" ! audioconvert ! opusenc bitrate=32000 frame-size=20 \
    ! rtpopuspay ! udpsink host=127.0.0.1 port="$port"
  a=$STARTED
  LOGS=("$WORK/gst-a.log" "$WORK/gst-b.log")
  measure "$label" "$a" "$b"
  stop "$a" "$b"
}

# baresip 1.0 (Debian): SIP on loopback, Opus 32 kbit/s mono, ALSA through PulseAudio's plugin
baresip_config() { # baresip_config DIR PORT SOURCE PLAYER
  mkdir -p "$1"
  cat >"$1/config" <<EOF
poll_method epoll
sip_listen 127.0.0.1:$2
audio_player alsa,$4
audio_source alsa,$3
audio_alert alsa,null
ausrc_srate 48000
auplay_srate 48000
ausrc_channels 1
auplay_channels 1
audio_level no
rtp_tos 184
jitter_buffer_delay 1-10
module_path /usr/lib/baresip/modules
module opus.so
module alsa.so
module_app account.so
module_app menu.so
opus_bitrate 32000
opus_stereo no
opus_sprop_stereo no
EOF
  echo "<sip:$5@127.0.0.1:$2>;regint=0;answermode=auto;audio_codecs=opus/48000/2;ptime=20" >"$1/accounts"
  : >"$1/contacts"
}

run_baresip() {
  local label="baresip 1.0 (Opus 20 ms, ALSA via PulseAudio plugin)" pa=$((PORT_BASE += 10)) pb=$((PORT_BASE += 10)) a b
  if ! command -v baresip >/dev/null; then
    log "baresip not installed (apt-get install baresip), skipped"
    ROWS+=("| baresip | not installed | | | |")
    return
  fi
  # A's speaker and B's microphone: a null sink of the harness's own and its monitor. ALSA's null
  # device would do for Viz's null output, but it has no clock: baresip's ALSA threads spin on it.
  if [[ -z "${VOID_MODULE:-}" ]]; then
    VOID_MODULE=$(pactl load-module module-null-sink sink_name=viz_compare_void rate=48000 channels=1)
  fi
  baresip_config "$WORK/bs-a" "$pa" viz_mic pulse:DEVICE=viz_compare_void alice
  baresip_config "$WORK/bs-b" "$pb" pulse:DEVICE=viz_compare_void.monitor viz_speaker bob
  # -n 127.0.0.1: SDP offers 127.0.0.1, so the RTP stays on loopback
  start bs-b baresip -n 127.0.0.1 -f "$WORK/bs-b"; b=$STARTED
  sleep 1
  start bs-a baresip -n 127.0.0.1 -f "$WORK/bs-a" -e "/dial sip:bob@127.0.0.1:$pb"; a=$STARTED
  LOGS=("$WORK/bs-a.log" "$WORK/bs-b.log")
  measure "$label" "$a" "$b"
  stop "$a" "$b"
  grep -ih 'established\|error\|fail' "$WORK/bs-a.log" "$WORK/bs-b.log" | head -4 >&2 || true
}

log "$(uptime)"
log "clicks $CLICKS, CPU window ${CPU_S} s, work dir $WORK"
for s in "${SYSTEMS[@]}"; do
  case $s in
    viz-native) run_viz "Viz low-latency, native libopus" low-latency native ;;
    viz-concentus) run_viz "Viz low-latency, Concentus" low-latency concentus ;;
    viz-tunnel-native) run_viz "Viz tunnel, native libopus" tunnel native ;;
    viz-tunnel-concentus) run_viz "Viz tunnel, Concentus" tunnel concentus ;;
    gst) run_gst "GStreamer RTP/Opus 20 ms, jitter buffer 20 ms, pulse 40/10 ms" 20 40000 10000 ;;
    gst-tuned) run_gst "GStreamer RTP/Opus 20 ms, jitter buffer 10 ms, pulse 10/5 ms" 10 10000 5000 ;;
    baresip) run_baresip ;;
    viz-idle) run_viz_idle ;;
    *) log "unknown system $s"; exit 2 ;;
  esac
done

echo
echo "mouth-to-ear: $CLICKS chirps; CPU: share of one core per endpoint (A sends / B plays) over ${CPU_S} s of the call"
[[ -n "$VIZ_EXTRA" || -n "${VIZ_JAVA_OPTS:-}" ]] && echo "Viz options: VIZ_EXTRA='$VIZ_EXTRA' VIZ_JAVA_OPTS='${VIZ_JAVA_OPTS:-}'"
echo
echo "| system | mouth-to-ear median (p90), chirps found | CPU per endpoint A / B | resident memory A / B (peak) | load avg |"
echo "|---|---:|---:|---:|---|"
printf '%s\n' "${ROWS[@]}"
