#!/usr/bin/env bash
# Real test peers, natively on loopback, for machines without a Docker engine (CI included):
#   Jaeger v2 (built from its Go module), the slim Collector (built from collector/builder-manifest.yaml),
#   moto (PyPI; CloudWatch Logs, SQS, X-Ray on one port) and redis-server (Debian).
#
#   scripts/peers.sh install         toolchain checks, then build/install what is missing (cached)
#   scripts/peers.sh start           start all four, wait until each is ready, write .peers/env
#   scripts/peers.sh stop            stop what `start` started (by recorded pid)
#   scripts/peers.sh status          one line per peer
#   scripts/peers.sh restart-jaeger  a fresh, empty Jaeger (in-memory storage) on the same ports
#
# Builds are cached OUTSIDE the clone (CI clones afresh each run), keyed by version:
#   ${ALAKAI_PEERS_CACHE:-$HOME/.cache/alakai-otel/peers}
# Pids, logs and the env file for the e2e suite live in the run dir:
#   ${ALAKAI_PEERS_RUN_DIR:-<repo>/.peers}
# Ports: see scripts/peers/versions.sh; every one can be overridden through the environment.
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=peers/versions.sh
source "$REPO_DIR/scripts/peers/versions.sh"
# shellcheck source=peers/lib.sh
source "$REPO_DIR/scripts/peers/lib.sh"

CACHE_DIR="${ALAKAI_PEERS_CACHE:-$HOME/.cache/alakai-otel/peers}"
RUN_DIR="${ALAKAI_PEERS_RUN_DIR:-$REPO_DIR/.peers}"
READY_TIMEOUT="${ALAKAI_PEERS_READY_TIMEOUT:-90}"

JAEGER_BIN="$CACHE_DIR/jaeger-$JAEGER_MODULE_VERSION/jaeger"
# The manifest's hash is part of the key: adding a component rebuilds even at the same version.
MANIFEST="$REPO_DIR/collector/builder-manifest.yaml"
# Comments are left out of the hash so documenting the manifest does not force a rebuild.
OTELCOL_DIR="$CACHE_DIR/otelcol-$OTELCOL_VERSION-$(grep -v '^[[:space:]]*#' "$MANIFEST" | sha256sum | cut -c1-12)"
OTELCOL_BIN="$OTELCOL_DIR/_build/otelcol-alakai"
MOTO_VENV="$CACHE_DIR/moto-$MOTO_VERSION-awscli-$AWSCLI_VERSION"

# ---------------------------------------------------------------------------------------------
# install

# Everything Go comes through the module proxy. The checksum database is not reachable through
# every proxy (the one on our CI answers 404 for these lookups), so it is off by default for these
# builds; Jaeger's own go.sum still pins all of its dependencies. Where sum.golang.org is reachable,
# ALAKAI_PEERS_GOSUMDB=sum.golang.org turns verification back on.
go_env() {
  env GOSUMDB="${ALAKAI_PEERS_GOSUMDB:-off}" GOTOOLCHAIN=local GOFLAGS=-mod=mod "$@"
}

install_jaeger() {
  if [[ -x "$JAEGER_BIN" ]]; then say "jaeger $JAEGER_RELEASE: cached ($JAEGER_BIN)"; return; fi
  require go "Go ≥ 1.24 (https://go.dev/dl/) to build Jaeger and the Collector"
  local t0=$SECONDS dir
  say "jaeger $JAEGER_RELEASE: downloading module $JAEGER_MODULE@$JAEGER_MODULE_VERSION"
  # `go install …/cmd/jaeger@v2.x` cannot work (module path has no /v2; replace directives):
  # download the module and build ./cmd/jaeger inside it.
  dir="$(go_env go mod download -json "$JAEGER_MODULE@$JAEGER_MODULE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$dir/cmd/jaeger" ]] || die "jaeger: $JAEGER_MODULE@$JAEGER_MODULE_VERSION has no cmd/jaeger (module dir: ${dir:-none})"
  mkdir -p "$(dirname "$JAEGER_BIN")"
  say "jaeger $JAEGER_RELEASE: building ./cmd/jaeger (cold: several minutes on 2 cores)"
  (cd "$dir" && go_env go build -trimpath -ldflags='-s -w' -o "$JAEGER_BIN.tmp" ./cmd/jaeger)
  mv "$JAEGER_BIN.tmp" "$JAEGER_BIN"
  say "jaeger $JAEGER_RELEASE: built in $((SECONDS - t0))s"
}

install_otelcol() {
  if [[ -x "$OTELCOL_BIN" ]]; then say "otelcol $OTELCOL_VERSION: cached ($OTELCOL_BIN)"; return; fi
  require go "Go ≥ 1.24 (https://go.dev/dl/) to build Jaeger and the Collector"
  local t0=$SECONDS
  mkdir -p "$OTELCOL_DIR"
  say "otelcol $OTELCOL_VERSION: installing the Collector Builder"
  go_env GOBIN="$OTELCOL_DIR/tools" go install "go.opentelemetry.io/collector/cmd/builder@v$OTELCOL_VERSION"
  cp "$MANIFEST" "$OTELCOL_DIR/manifest.yaml"
  say "otelcol $OTELCOL_VERSION: building from collector/builder-manifest.yaml"
  # The manifest's output_path is relative: run the builder inside the cache dir.
  (cd "$OTELCOL_DIR" && go_env ./tools/builder --config manifest.yaml >"$OTELCOL_DIR/build.log" 2>&1) ||
    { tail -n 40 "$OTELCOL_DIR/build.log" >&2; die "otelcol: the Collector Builder failed (log: $OTELCOL_DIR/build.log)"; }
  [[ -x "$OTELCOL_BIN" ]] || die "otelcol: the builder finished but $OTELCOL_BIN is missing"
  say "otelcol $OTELCOL_VERSION: built in $((SECONDS - t0))s"
}

install_moto() {
  if [[ -f "$MOTO_VENV/.installed" ]]; then say "moto $MOTO_VERSION: cached ($MOTO_VENV)"; return; fi
  require python3 "Python ≥ 3.9 with venv (Debian: apt-get install -y python3 python3-venv) to run moto"
  python3 -m venv --help >/dev/null 2>&1 || die "python3 has no venv module: install it (Debian: apt-get install -y python3-venv)"
  local t0=$SECONDS
  rm -rf "$MOTO_VENV"
  python3 -m venv "$MOTO_VENV"
  say "moto $MOTO_VERSION: pip install moto[server] awscli $AWSCLI_VERSION"
  # One resolve for both: awscli pins its botocore exactly, and boto3 (moto's) follows it.
  "$MOTO_VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" "awscli==$AWSCLI_VERSION"
  touch "$MOTO_VENV/.installed"
  say "moto $MOTO_VERSION: installed in $((SECONDS - t0))s"
}

install_redis() {
  if command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then
    say "redis: present ($(redis-server --version | cut -d' ' -f3))"; return
  fi
  command -v apt-get >/dev/null ||
    die "redis-server is missing and there is no apt-get: install redis-server (≥ 6) by hand"
  [[ "$(id -u)" == 0 ]] || die "redis-server is missing: run 'sudo apt-get install -y redis-server' (apt needs root)"
  local t0=$SECONDS
  say "redis: apt-get install redis-server"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  say "redis: installed in $((SECONDS - t0))s"
}

cmd_install() {
  local t0=$SECONDS
  # Check every toolchain first, so a missing one fails in a second, not after a 5-minute build.
  require go "Go ≥ 1.24 (https://go.dev/dl/) to build Jaeger and the Collector"
  require python3 "Python ≥ 3.9 with venv (Debian: apt-get install -y python3 python3-venv) to run moto"
  require curl "curl (Debian: apt-get install -y curl) for the readiness checks"
  install_redis
  install_moto
  # The two Go builds share the module and build caches; run them one after the other so each
  # gets both cores of a small CI machine.
  install_otelcol
  install_jaeger
  say "install: done in $((SECONDS - t0))s"
}

# ---------------------------------------------------------------------------------------------
# start / stop

start_redis() {
  # No persistence: a test peer, started empty every time.
  launch redis "$(command -v redis-server)" --bind 127.0.0.1 --port "$REDIS_PORT" \
    --save '' --appendonly no --daemonize no
}

start_moto() {
  launch moto "$MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT"
}

start_jaeger() {
  launch jaeger env JAEGER_LISTEN_HOST=127.0.0.1 \
    JAEGER_OTLP_GRPC_PORT="$JAEGER_OTLP_GRPC_PORT" JAEGER_OTLP_HTTP_PORT="$JAEGER_OTLP_HTTP_PORT" \
    JAEGER_QUERY_PORT="$JAEGER_QUERY_PORT" JAEGER_QUERY_GRPC_PORT="$JAEGER_QUERY_GRPC_PORT" \
    JAEGER_HEALTH_PORT="$JAEGER_HEALTH_PORT" \
    "$JAEGER_BIN" --config "$REPO_DIR/collector/jaeger.yaml"
}

start_collector() {
  # The same collector/config.yaml users deploy; only the environment differs from compose.
  launch collector env COLLECTOR_LISTEN_HOST=127.0.0.1 \
    COLLECTOR_OTLP_GRPC_PORT="$COLLECTOR_OTLP_GRPC_PORT" COLLECTOR_OTLP_HTTP_PORT="$COLLECTOR_OTLP_HTTP_PORT" \
    COLLECTOR_HEALTH_PORT="$COLLECTOR_HEALTH_PORT" COLLECTOR_METRICS_PORT="$COLLECTOR_METRICS_PORT" \
    JAEGER_OTLP_ENDPOINT="http://127.0.0.1:$JAEGER_OTLP_HTTP_PORT" \
    AWS_XRAY_ENDPOINT="http://127.0.0.1:$MOTO_PORT" AWS_XRAY_LOCAL_MODE=true AWS_REGION="$AWS_REGION" \
    AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
    "$OTELCOL_BIN" --config "$REPO_DIR/collector/config.yaml"
}

ready_redis() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }
ready_moto() { http_ok "http://127.0.0.1:$MOTO_PORT/moto-api/data.json"; }
ready_jaeger() {
  http_ok "http://127.0.0.1:$JAEGER_HEALTH_PORT/status" && http_ok "http://127.0.0.1:$JAEGER_QUERY_PORT/api/services"
}
ready_collector() { http_ok "http://127.0.0.1:$COLLECTOR_HEALTH_PORT/"; }

PEERS=(redis moto jaeger collector)   # start order: the Collector exports to Jaeger and moto
PORTS_redis="REDIS_PORT"
PORTS_moto="MOTO_PORT"
PORTS_jaeger="JAEGER_OTLP_GRPC_PORT JAEGER_OTLP_HTTP_PORT JAEGER_QUERY_PORT JAEGER_QUERY_GRPC_PORT JAEGER_HEALTH_PORT"
PORTS_collector="COLLECTOR_OTLP_GRPC_PORT COLLECTOR_OTLP_HTTP_PORT COLLECTOR_HEALTH_PORT COLLECTOR_METRICS_PORT"

check_installed() {
  local missing=()
  [[ -x "$JAEGER_BIN" ]] || missing+=(jaeger)
  [[ -x "$OTELCOL_BIN" ]] || missing+=(collector)
  [[ -f "$MOTO_VENV/.installed" ]] || missing+=(moto)
  command -v redis-server >/dev/null || missing+=(redis)
  ((${#missing[@]} == 0)) || die "not installed: ${missing[*]} — run scripts/peers.sh install first"
}

start_one() {
  local name=$1 t0=$SECONDS var
  if is_running "$name"; then say "$name: already running (pid $(cut -d" " -f1 "$RUN_DIR/$name.pid"))"; return; fi
  local ports_var="PORTS_$name"
  for var in ${!ports_var}; do
    port_free "${!var}" || die_peer "$name" "port ${!var} ($var) is already in use by another program"
  done
  "start_$name"
  wait_ready "$name" "ready_$name" "$READY_TIMEOUT"
  say "$name: ready in $((SECONDS - t0))s (pid $(cut -d" " -f1 "$RUN_DIR/$name.pid"))"
}

write_env() {
  # KEY=VALUE lines (no quoting needed: no spaces) read by test/e2e/harness/peers-env.ts and
  # sourceable by bash.
  cat >"$RUN_DIR/env.tmp" <<ENV
ALAKAI_PEERS_RUN_DIR=$RUN_DIR
COLLECTOR_OTLP_HTTP_ENDPOINT=http://127.0.0.1:$COLLECTOR_OTLP_HTTP_PORT
COLLECTOR_OTLP_GRPC_ENDPOINT=http://127.0.0.1:$COLLECTOR_OTLP_GRPC_PORT
COLLECTOR_HEALTH_URL=http://127.0.0.1:$COLLECTOR_HEALTH_PORT/
JAEGER_QUERY_URL=http://127.0.0.1:$JAEGER_QUERY_PORT
JAEGER_OTLP_HTTP_ENDPOINT=http://127.0.0.1:$JAEGER_OTLP_HTTP_PORT
MOTO_ENDPOINT=http://127.0.0.1:$MOTO_PORT
AWS_CLI_BIN=$MOTO_VENV/bin/aws
REDIS_URL=redis://127.0.0.1:$REDIS_PORT
AWS_REGION=$AWS_REGION
AWS_ACCESS_KEY_ID=testing
AWS_SECRET_ACCESS_KEY=testing
OTELCOL_BIN=$OTELCOL_BIN
JAEGER_BIN=$JAEGER_BIN
ENV
  mv "$RUN_DIR/env.tmp" "$RUN_DIR/env"
}

cmd_start() {
  local t0=$SECONDS name
  require curl "curl (Debian: apt-get install -y curl) for the readiness checks"
  check_installed
  mkdir -p "$RUN_DIR"
  for name in "${PEERS[@]}"; do start_one "$name"; done
  write_env
  say "start: all peers ready in $((SECONDS - t0))s; env for tests: $RUN_DIR/env"
}

cmd_stop() {
  local i
  # Reverse order: the Collector flushes to Jaeger/moto before they go.
  for ((i = ${#PEERS[@]} - 1; i >= 0; i--)); do stop_one "${PEERS[i]}"; done
  rm -f "$RUN_DIR/env"
}

cmd_status() {
  local name state rc=0
  for name in "${PEERS[@]}"; do
    if ! is_running "$name"; then state="stopped"; rc=1
    elif "ready_$name"; then state="running, ready (pid $(cut -d" " -f1 "$RUN_DIR/$name.pid"))"
    else state="running, NOT ready (pid $(cut -d" " -f1 "$RUN_DIR/$name.pid"); log $RUN_DIR/$name.log)"; rc=1
    fi
    printf '%-10s %s\n' "$name" "$state"
  done
  return $rc
}

cmd_restart_jaeger() {
  local t0=$SECONDS
  check_installed
  mkdir -p "$RUN_DIR"
  stop_one jaeger
  start_one jaeger
  say "restart-jaeger: fresh Jaeger in $((SECONDS - t0))s"
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart-jaeger) cmd_restart_jaeger ;;
  *)
    echo "usage: scripts/peers.sh {install|start|stop|status|restart-jaeger}" >&2
    exit 2
    ;;
esac
