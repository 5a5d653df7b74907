#!/usr/bin/env bash
# Runs every test: starts the local PostgreSQL + pgvector (installing it if needed) and runs the solution's tests.
#   bash deploy/test.sh                 # everything
#   bash deploy/test.sh --filter "FullyQualifiedName~Api"   # extra arguments go to dotnet test (filters by namespace)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

bash deploy/local-db.sh start
export CONVERSATIONS_TEST_PG="$(bash deploy/local-db.sh conn)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Browser tests drive Debian's Chromium; install it when missing (needs root or sudo).
if [ ! -x /usr/bin/chromium ]; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq chromium chromium-driver >/dev/null || echo "chromium not installed: the browser tests will fail"
fi

# The web apps are built with Node.js and npm by the API's build (src/Conversations.Web), and the OpenAI-compatible
# routes are tested with the official `openai` npm client: Node.js, then the client from its lock file.
if ! command -v npm >/dev/null; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq nodejs npm >/dev/null || echo "Node.js not installed: the npm client test will fail"
fi
# The OpenAPI document is linted with Redocly's CLI, also from its lock file.
if command -v npm >/dev/null; then
  npm ci --prefix tests/openai-node --no-audit --no-fund --silent || echo "openai npm client not installed: the npm client test will install it or fail"
  npm ci --prefix tests/openapi-lint --no-audit --no-fund --silent || echo "Redocly CLI not installed: the lint test will install it or fail"
fi

# The alert rules are checked with promtool, unpacked from Debian's prometheus package (deploy/prometheus/promtool.sh).
bash deploy/prometheus/promtool.sh >/dev/null || echo "promtool not available: the alert-rule test will fail"

dotnet build Conversations.sln -c Release -nologo -v quiet
set +e
dotnet test Conversations.sln -c Release --no-build --logger "console;verbosity=normal" "$@" 2>&1 | tee .local/test-output.log
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole run, summed over the test projects.
awk '/^ +Passed: [0-9]+$/{p+=$2} /^ +Failed: [0-9]+$/{f+=$2} /^ +Skipped: [0-9]+$/{s+=$2}
     END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' .local/test-output.log
# The failed tests again, with their messages, so the end of the log names them.
if grep -q '^ *Failed [^:]' .local/test-output.log; then
  echo "Failed tests:"
  # (head ends the pipe early on a long list; that is not the run's status)
  grep -A 12 '^ *Failed [^:]' .local/test-output.log | cut -c1-300 | head -n 200 || true
fi
exit "$status"
