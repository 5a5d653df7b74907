#!/usr/bin/env bash
# Runs the whole platform on this machine: local PostgreSQL + pgvector (installed and started if needed),
# then one process with the Orleans silo, the HTTP API and the web page, with the demo tenant.
#   bash deploy/run-local.sh                 # http://127.0.0.1:8080
#   PORT=9000 bash deploy/run-local.sh
# Stop with Ctrl+C; the database keeps running (bash deploy/local-db.sh stop).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

bash deploy/local-db.sh start
conn="$(bash deploy/local-db.sh conn)"

# The master key that wraps every tenant's data key (encryption at rest), made once, readable by this user only.
# Keep it (and back it up apart from the database): without it the stored data cannot be read.
key_file="${MASTER_KEY_FILE:-$repo/.local/master.key}"
if [[ ! -f "$key_file" ]]; then
  mkdir -p "$(dirname "$key_file")"
  (umask 077 && printf 'm%s-local %s\n' "$(date -u +%Y%m%d%H%M%S)" "$(head -c 32 /dev/urandom | base64 -w0)" > "$key_file")
  echo "Created the master key $key_file (mode 0600)."
fi
export Encryption__MasterKeyFile="$key_file"
# The web apps are built by the API's build with Node.js and npm (src/Conversations.Web); install them when missing.
if ! command -v npm >/dev/null; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq nodejs npm >/dev/null || echo "Node.js not installed: the web page is served as last built"
fi

export DOTNET_ENVIRONMENT=Development ASPNETCORE_ENVIRONMENT=Development
export ConnectionStrings__Postgres="$conn"
# A second copy on another web port gets its own Orleans ports too (silo 11111 and gateway 30000 moved by as much):
# two silos of separate clusters on one port would share its connections.
port="${PORT:-8080}"
offset=$(( ((port - 8080) % 18000 + 18000) % 18000 ))
export Orleans__SiloPort="${Orleans__SiloPort:-$((11111 + offset))}"
export Orleans__GatewayPort="${Orleans__GatewayPort:-$((30000 + offset))}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/Conversations.Api/Conversations.Api.csproj -c Release -v quiet -nologo
exec dotnet run --no-build -c Release --project src/Conversations.Api -- --urls "http://127.0.0.1:$port"
