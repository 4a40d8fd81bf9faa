#!/usr/bin/env bash
# Site development: VitePress with hot reload on http://localhost:5173, forwarding
# /api (HTTP and the terminal WebSockets) to a runner. Starts a runner that allows
# the dev origin unless one already answers at KDLABS_RUNNER_URL; stops it on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
DEV_PORT="${KDLABS_DEV_PORT:-5173}"
RUNNER_PORT="${KDLABS_RUNNER_PORT:-7171}"
export KDLABS_RUNNER_URL="${KDLABS_RUNNER_URL:-http://127.0.0.1:${RUNNER_PORT}}"
DEV_ORIGIN="http://localhost:${DEV_PORT}"

runner_pid=""
cleanup() { [ -n "$runner_pid" ] && kill "$runner_pid" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if curl -fsS "${KDLABS_RUNNER_URL}/api/health" >/dev/null 2>&1; then
  echo "Using the runner at ${KDLABS_RUNNER_URL}. It must allow ${DEV_ORIGIN}: start it with --allow-origin ${DEV_ORIGIN} (or KDLABS_ALLOW_ORIGIN=${DEV_ORIGIN})."
else
  bash scripts/ensure-prereqs.sh
  node runner/bin/labs.mjs build --all
  echo "Starting a runner on ${KDLABS_RUNNER_URL} that allows ${DEV_ORIGIN}"
  KDLABS_ALLOW_ORIGIN="${DEV_ORIGIN},http://127.0.0.1:${DEV_PORT}" node runner/bin/labs.mjs serve --port "${RUNNER_PORT}" &
  runner_pid=$!
  for _ in $(seq 1 60); do curl -fsS "${KDLABS_RUNNER_URL}/api/health" >/dev/null 2>&1 && break; sleep 0.5; done
fi
npx vitepress dev docs --port "${DEV_PORT}" --strictPort
