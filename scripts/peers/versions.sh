# Pinned peer versions and default loopback ports for scripts/peers.sh (sourced, not executed).
# Bumping a version changes the cache key, so the next `peers.sh install` rebuilds that peer.

# Jaeger v2.13.0. Its module path has no /v2, so the v2 commits are only importable through the
# v1.x tag on the same commit (CHANGELOG: "v1.76.0 / v2.13.0 (2025-12-03)"); that tree has cmd/jaeger.
JAEGER_MODULE=github.com/jaegertracing/jaeger
JAEGER_MODULE_VERSION=v1.76.0
JAEGER_RELEASE=2.13.0

# One Collector release for the builder and every component in collector/builder-manifest.yaml.
OTELCOL_VERSION=0.141.0

# moto from PyPI, in a venv of its own; the aws CLI (v1, from PyPI) beside it, so the consumer
# suite runs the real `aws logs filter-log-events` / `get-query-results` against moto.
MOTO_VERSION=5.2.5
AWSCLI_VERSION=1.45.11

# Loopback ports (override any of them through the environment).
: "${COLLECTOR_OTLP_GRPC_PORT:=4317}"
: "${COLLECTOR_OTLP_HTTP_PORT:=4318}"
: "${COLLECTOR_HEALTH_PORT:=13133}"
: "${COLLECTOR_METRICS_PORT:=8888}"
# Jaeger's OTLP ports move off 4317/4318, which the Collector owns natively.
: "${JAEGER_OTLP_GRPC_PORT:=14317}"
: "${JAEGER_OTLP_HTTP_PORT:=14318}"
: "${JAEGER_QUERY_PORT:=16686}"
: "${JAEGER_QUERY_GRPC_PORT:=16685}"
: "${JAEGER_HEALTH_PORT:=13134}"
: "${MOTO_PORT:=5000}"
: "${REDIS_PORT:=6379}"
# moto accepts any credentials; these are the conventional dummies.
: "${AWS_REGION:=us-east-1}"
