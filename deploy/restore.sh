#!/usr/bin/env bash
# Restores a backup made by deploy/backup.sh into an EMPTY database (it refuses one that already has tables).
#
#   bash deploy/restore.sh BACKUP_DIR DATABASE_URL
#   bash deploy/restore.sh backups/2026-12-01 postgresql://conversations:conversations@127.0.0.1:54329/restored
#
# Create the database first (CREATE DATABASE restored OWNER conversations). The pgvector extension must be
# installable on the target server. Files saved with --with are left in BACKUP_DIR: put them back where the hosts
# read them (for the local key file, its configured path) before starting the platform. Start the restored platform
# with the SAME Orleans service id (Orleans:ServiceId: grain state is stored under it) and a new cluster id
# (Orleans:ClusterId), or wait until the old cluster's silos are gone: the membership table was restored too.
set -euo pipefail
[ $# -eq 2 ] || { sed -n '2,4p' "$0" >&2; exit 2; }
dir=$1 url=$2
bin=/usr/lib/postgresql/15/bin
pg_restore=$(command -v pg_restore || echo "$bin/pg_restore")
psql=$(command -v psql || echo "$bin/psql")
( cd "$dir" && sha256sum --quiet -c SHA256SUMS ) || { echo "restore: $dir fails its checksums" >&2; exit 1; }
tables=$("$psql" "$url" -X -A -t -c "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog','information_schema')")
[ "$tables" -eq 0 ] || { echo "restore: the target database already has $tables tables; restore into an empty one" >&2; exit 1; }
started=$SECONDS
"$pg_restore" --no-owner --no-privileges --exit-on-error --jobs=2 --dbname="$url" "$dir/database.dump"
echo "restore: done in $((SECONDS - started)) s" >&2
