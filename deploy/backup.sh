#!/usr/bin/env bash
# Backs up the platform's database (and the files named with --with: configuration, never the master-key file) into a folder.
#
#   bash deploy/backup.sh DATABASE_URL OUT_DIR [--with FILE]...
#   bash deploy/backup.sh postgresql://conversations:conversations@127.0.0.1:54329/conversations backups/2026-12-01
#
# The dump is pg_dump's custom format (compressed, restorable table by table, with pg_restore -j): every table of the
# schema, Orleans' membership, grain state and reminders included. It is consistent (one snapshot) while the
# platform keeps running. For point-in-time recovery, run continuous WAL archiving beside it (docs/scaling.md).
# A backup holds tenants' data: keep it encrypted and access-controlled like the database itself. Keys that wrap
# the data keys (a KMS, or the local key file) belong in a separate backup: with both in one place, a stolen backup
# is readable.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,4p' "$0" >&2; exit 2; }
url=$1 out=$2; shift 2
withs=()
while [ $# -gt 0 ]; do
  case $1 in
    --with) withs+=("$2"); shift 2 ;;
    *) echo "backup: unknown argument $1" >&2; exit 2 ;;
  esac
done
# pg_dump must be at least the server's major version: the server's own (Debian's /usr/lib/postgresql/N/bin) first.
psql_bin=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1 || true)
major=15
if [ -n "$psql_bin" ] && v=$("$psql_bin" "$url" -XAtqc "SHOW server_version_num" 2>/dev/null); then major=$((v / 10000)); fi
pg_dump=/usr/lib/postgresql/$major/bin/pg_dump
[ -x "$pg_dump" ] || pg_dump=$(command -v pg_dump || true)
[ -n "$pg_dump" ] && [ -x "$pg_dump" ] || { echo "backup: pg_dump not found (install postgresql-client-$major, for the server's PostgreSQL $major)" >&2; exit 1; }
mkdir -p "$out"
chmod 700 "$out"
started=$SECONDS
"$pg_dump" --format=custom --compress=6 --no-owner --no-privileges --file="$out/database.dump" "$url"
for f in "${withs[@]}"; do
  install -m 600 "$f" "$out/$(basename "$f")"
done
( cd "$out" && sha256sum -- * > SHA256SUMS )
echo "backup: $(du -sh "$out" | cut -f1) in $out ($((SECONDS - started)) s)" >&2
