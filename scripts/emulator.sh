#!/bin/sh
# Local AWS emulator (pinned moto server + emulator/launch.py patches) for integration tests.
#   scripts/emulator.sh install   create .venv/emulator and install emulator/requirements.txt (skipped when current)
#   scripts/emulator.sh start     start on 127.0.0.1, free port; writes .tmp/emulator.port/.pid; prints the port
#   scripts/emulator.sh stop      stop it (no-op when not running)
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV="$ROOT/.venv/emulator"
PY="$VENV/bin/python"
REQ="$ROOT/emulator/requirements.txt"
TMP="$ROOT/.tmp"
PORT_FILE="$TMP/emulator.port"
PID_FILE="$TMP/emulator.pid"
LOG_FILE="$TMP/emulator.log"
STAMP="$VENV/.requirements.installed"
MOTO_VERSION=$(sed -n 's/^moto\[server\]==\([^ ]*\).*/\1/p' "$REQ")
START_TIMEOUT=60

die() { echo "emulator: $*" >&2; exit 1; }

installed() {
  [ -x "$PY" ] && [ -f "$STAMP" ] && cmp -s "$REQ" "$STAMP" &&
    [ "$("$PY" -c 'import moto; print(moto.__version__)' 2>/dev/null)" = "$MOTO_VERSION" ]
}

install() {
  if installed; then return 0; fi
  [ -x "$PY" ] || python3 -m venv "$VENV" || die "python3 -m venv failed"
  "$PY" -m pip install --quiet --disable-pip-version-check -r "$REQ" || die "pip install failed"
  cp "$REQ" "$STAMP"
}

running_pid() {
  [ -f "$PID_FILE" ] || return 1
  pid=$(cat "$PID_FILE")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  if pid=$(running_pid); then die "already running (pid $pid, port $(cat "$PORT_FILE" 2>/dev/null))"; fi
  installed || die "not installed; run scripts/emulator.sh install"
  mkdir -p "$TMP"
  rm -f "$PORT_FILE" "$PID_FILE"
  "$PY" "$ROOT/emulator/launch.py" --port 0 --pid-file "$PID_FILE" >"$LOG_FILE" 2>&1 &
  child=$!
  waited=0
  while :; do
    port=$(sed -n 's/^READY \([0-9][0-9]*\)$/\1/p' "$LOG_FILE" | head -n 1)
    if [ -n "$port" ]; then break; fi
    if ! kill -0 "$child" 2>/dev/null; then
      cat "$LOG_FILE" >&2
      die "launch.py exited before READY"
    fi
    if [ "$waited" -ge $((START_TIMEOUT * 10)) ]; then
      kill "$child" 2>/dev/null || true
      cat "$LOG_FILE" >&2
      die "no READY within ${START_TIMEOUT}s"
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  echo "$child" >"$PID_FILE"
  echo "$port" >"$PORT_FILE"
  echo "$port"
}

stop() {
  if pid=$(running_pid); then
    kill "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$i" -ge 100 ]; then kill -9 "$pid" 2>/dev/null || true; break; fi
      sleep 0.1
      i=$((i + 1))
    done
  fi
  rm -f "$PORT_FILE" "$PID_FILE"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  *) die "usage: scripts/emulator.sh install|start|stop" ;;
esac
