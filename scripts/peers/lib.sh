# Helpers for scripts/peers.sh (sourced). Expects RUN_DIR to be set by the caller.

say() { printf 'peers: %s\n' "$*"; }

die() {
  printf 'peers: %s\n' "$*" >&2
  exit 1
}

# A peer that failed to start: name it, show the tail of its log, and leave a marker the e2e suite
# reads (it reports which peer is missing instead of a wall of connection errors).
die_peer() {
  local name=$1 reason=$2
  printf 'peers: FAILED to start %s: %s\n' "$name" "$reason" >&2
  if [[ -s "$RUN_DIR/$name.log" ]]; then
    printf 'peers: last lines of %s:\n' "$RUN_DIR/$name.log" >&2
    tail -n 40 "$RUN_DIR/$name.log" | sed 's/^/  | /' >&2
  fi
  printf '%s: %s\n' "$name" "$reason" >"$RUN_DIR/failed"
  exit 1
}

# One clear line saying what to install, and a non-zero exit.
require() {
  command -v "$1" >/dev/null 2>&1 || die "missing toolchain: '$1' not found — install $2"
}

http_ok() { curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; }

# True when nothing accepts connections on the loopback port.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The kernel's start time of a pid (field 22 of /proc/PID/stat): with the pid it identifies one
# process, so `stop` never signals an unrelated process that reused a recorded pid.
proc_start_time() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  # Fields after the command name, which is in parentheses and may contain spaces.
  stat="${stat##*) }"
  # shellcheck disable=SC2086
  set -- $stat
  # A zombie (exited, not yet reaped by the shell that launched it) is not running.
  [[ "$1" != Z ]] || return 1
  echo "${20}"
}

# launch NAME CMD…: start CMD in its own session (so a Ctrl-C in the caller's terminal or the end
# of the calling script does not reach it), output to RUN_DIR/NAME.log, pid to RUN_DIR/NAME.pid.
launch() {
  local name=$1 pid
  shift
  rm -f "$RUN_DIR/failed"
  setsid "$@" >"$RUN_DIR/$name.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid $(proc_start_time "$pid" || echo 0)" >"$RUN_DIR/$name.pid"
}

is_running() {
  local pidfile="$RUN_DIR/$1.pid" pid start
  [[ -f "$pidfile" ]] || return 1
  read -r pid start <"$pidfile" || return 1
  [[ -n "$pid" && "$(proc_start_time "$pid" 2>/dev/null)" == "$start" ]]
}

# wait_ready NAME PROBE TIMEOUT_S: poll PROBE until it succeeds; fail naming NAME when the process
# exits or the time runs out.
wait_ready() {
  local name=$1 probe=$2 timeout=$3 deadline=$((SECONDS + $3))
  while ((SECONDS < deadline)); do
    if ! is_running "$name"; then die_peer "$name" "exited during start-up"; fi
    if "$probe"; then return 0; fi
    sleep 0.5
  done
  die_peer "$name" "not ready within ${timeout}s"
}

stop_one() {
  local name=$1 pid start i
  if ! is_running "$name"; then rm -f "$RUN_DIR/$name.pid"; return 0; fi
  read -r pid start <"$RUN_DIR/$name.pid"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 40; i++)); do
    is_running "$name" || break
    sleep 0.25
  done
  if is_running "$name"; then
    say "$name: still running 10s after SIGTERM, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN_DIR/$name.pid"
  say "$name: stopped"
}
