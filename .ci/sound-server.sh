#!/usr/bin/env bash
# A real sound server for the device tests, on a machine without a sound card.
#
#   .ci/sound-server.sh [start] [DIR]    install what is missing, start PulseAudio, write DIR/env.sh
#   .ci/sound-server.sh stop [DIR]       stop the keep-alive recorders and the server started in DIR
#   .ci/sound-server.sh status [DIR]     exit 0 when the server in DIR answers
#
# DIR defaults to /tmp/viz-audio. It holds everything: the private XDG_RUNTIME_DIR (runtime/),
# XDG_CONFIG_HOME (config/, with the ALSA entries), the server log and the pids to stop.
# HOME is left alone (Maven's ~/.m2 lives there).
#
# What it sets up (see docs/audio.md):
#   sinks    viz_out (the default output; its monitor is the default input) and viz_mic (a virtual
#            microphone: play into it with `paplay -d viz_mic`, capture from viz_mic.monitor)
#   ALSA     viz_speaker -> viz_out, viz_loopback -> viz_out.monitor, viz_mic -> viz_mic.monitor,
#            and ALSA's default -> PulseAudio (what Java Sound uses)
#
# After start, `source DIR/env.sh` gives any process (Maven, the tests, pactl) the server.
set -euo pipefail

cmd=start
case "${1:-}" in
  start|stop|status) cmd=$1; shift ;;
esac
DIR=${1:-/tmp/viz-audio}
RUNTIME="$DIR/runtime"
CONFIG="$DIR/config"
ENV_FILE="$DIR/env.sh"
PIDS="$DIR/pids"

log() { echo "sound-server: $*" >&2; }

use_env() {
  export XDG_RUNTIME_DIR="$RUNTIME" XDG_CONFIG_HOME="$CONFIG"
  unset PULSE_SERVER PULSE_SINK PULSE_SOURCE
}

install_missing() {
  local missing=()
  command -v pulseaudio >/dev/null || missing+=(pulseaudio)
  command -v pactl >/dev/null && command -v parec >/dev/null || missing+=(pulseaudio-utils)
  ls /usr/lib/*/alsa-lib/libasound_module_pcm_pulse.so >/dev/null 2>&1 || missing+=(libasound2-plugins)
  ls /usr/lib/*/libportaudio.so.2 >/dev/null 2>&1 || missing+=(libportaudio2)
  command -v sox >/dev/null || missing+=(sox)
  if ((${#missing[@]} == 0)); then
    return
  fi
  log "installing ${missing[*]}"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >"$DIR/apt.log" 2>&1; then
    log "install failed; updating the package lists and trying again"
    "${sudo[@]}" apt-get update -q >>"$DIR/apt.log" 2>&1
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$DIR/apt.log" 2>&1 \
      || { log "cannot install ${missing[*]}: see $DIR/apt.log"; exit 1; }
  fi
}

answers() {
  use_env
  pactl info >/dev/null 2>&1
}

stop() {
  use_env
  if [[ -f "$PIDS" ]]; then
    while read -r pid; do
      kill "$pid" 2>/dev/null || true
    done <"$PIDS"
    rm -f "$PIDS"
  fi
  local server_pid_file="$RUNTIME/pulse/pid"
  if [[ -f "$server_pid_file" ]]; then
    local pid
    pid=$(cat "$server_pid_file")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$server_pid_file"
  fi
  log "stopped (dir $DIR)"
}

write_asoundrc() {
  mkdir -p "$CONFIG/alsa"
  cat >"$CONFIG/alsa/asoundrc" <<'EOF'
# Written by .ci/sound-server.sh: ALSA names for the test server's sinks and sources.
pcm.!default { type pulse }
ctl.!default { type pulse }
pcm.viz_speaker { type pulse; device "viz_out" }
pcm.viz_loopback { type pulse; device "viz_out.monitor" }
pcm.viz_mic { type pulse; device "viz_mic.monitor" }
EOF
}

max_sink_latency_us() {
  pactl list sinks | awk '/^[[:space:]]*Latency:/ { v = $2 + 0; if (v > m) m = v } END { print m + 0 }'
}

source_output_of() {
  pactl list source-outputs | awk -v pid="application.process.id = \"$1\"" '
    /^Source Output #/ { idx = substr($3, 2) }
    index($0, pid) { print idx; exit }'
}

# One recorder per monitor keeps its null sink running in real time (an idle null sink starts with
# seconds of queued latency). Each recorder is started on another monitor and moved to its own:
# a move makes that source the stream's preferred one, so PulseAudio brings it back there after a
# sink is unloaded and loaded again instead of leaving it wherever the default source went.
keep_alive() {
  local source=$1 start_on=$2 pid idx=""
  parec -d "$start_on" --latency-msec=20 >/dev/null 2>&1 &
  pid=$!
  echo "$pid" >>"$PIDS"
  for _ in $(seq 50); do
    idx=$(source_output_of "$pid")
    [[ -n "$idx" ]] && break
    sleep 0.1
  done
  [[ -n "$idx" ]] || { log "keep-alive recorder for $source did not connect"; exit 1; }
  pactl move-source-output "$idx" "$source"
}

start() {
  mkdir -p "$DIR"
  install_missing
  if answers; then
    log "already running in $DIR"
  else
    mkdir -p "$RUNTIME" "$CONFIG"
    chmod 700 "$RUNTIME"
    write_asoundrc
    use_env
    rm -f "$PIDS"
    pulseaudio -n --daemonize=yes --exit-idle-time=-1 --disallow-exit \
      --log-target="file:$DIR/pulse.log" \
      -L "module-native-protocol-unix auth-anonymous=1" \
      -L "module-cli-protocol-unix" \
      -L "module-null-sink sink_name=viz_out rate=48000 channels=1" \
      -L "module-null-sink sink_name=viz_mic rate=48000 channels=1" \
      || { log "pulseaudio did not start: see $DIR/pulse.log"; exit 1; }
    for _ in $(seq 100); do
      pactl info >/dev/null 2>&1 && break
      sleep 0.1
    done
    answers || { log "pulseaudio does not answer: see $DIR/pulse.log"; exit 1; }
    pactl set-default-sink viz_out
    pactl set-default-source viz_out.monitor
    keep_alive viz_out.monitor viz_mic.monitor
    keep_alive viz_mic.monitor viz_out.monitor
  fi
  local latency_us=0
  for _ in $(seq 100); do
    latency_us=$(max_sink_latency_us)
    ((latency_us < 100000)) && break
    sleep 0.1
  done
  if ((latency_us >= 100000)); then
    log "sink latency still ${latency_us} us after 10 s; carrying on"
  fi
  cat >"$ENV_FILE" <<EOF
# Source this file to reach the test sound server started by .ci/sound-server.sh.
export XDG_RUNTIME_DIR='$RUNTIME'
export XDG_CONFIG_HOME='$CONFIG'
export VIZ_SOUND_SERVER_DIR='$DIR'
EOF
  log "running: server pid $(cat "$RUNTIME/pulse/pid"), sink latency ${latency_us} us; source $ENV_FILE"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) answers ;;
esac
