#!/usr/bin/env bash
#
# local-db.sh - local PostgreSQL 15 + pgvector for development, tests and CI.
#
# Usage:
#   deploy/local-db.sh [start]      install what is missing, init, start, create role/db/extension;
#                                   prints the connection string on stdout (progress goes to stderr),
#                                   so CONN=$(deploy/local-db.sh start) works
#   deploy/local-db.sh stop         stop the server (fast mode) if it runs
#   deploy/local-db.sh status       say whether it runs; exit 0 if running, 3 otherwise
#   deploy/local-db.sh conn         print only the connection string
#   deploy/local-db.sh psql [args]  run psql against the database (as role conversations over TCP)
#
# Fixed facts:
#   - Listens on 127.0.0.1 only, port 54329 (override: CONVERSATIONS_PG_PORT).
#   - Data directory <repo>/.local/pgdata (override: CONVERSATIONS_PG_DATA); log file is pg.log
#     next to it (<repo>/.local/pg.log). .local/ is git-ignored. On another port the server is a
#     second copy with its own data directory and log: .local/pgdata-<port>, .local/pg-<port>.log.
#   - Unix socket lives in the data directory itself (not /var/run); only when that path is too
#     long for a socket name does it fall back to /tmp/conversations-pg-<hash>.
#   - Role conversations / password conversations, SUPERUSER so tests may CREATE DATABASE and
#     CREATE EXTENSION; database conversations with extension vector.
#   - Connection string:
#       Host=127.0.0.1;Port=54329;Database=conversations;Username=conversations;Password=conversations
#   - Auth: unix socket = trust (admin only, socket dir is mode 0700), TCP = scram-sha-256
#     (what Npgsql password logins use). The bootstrap superuser is "postgres".
#   - Tuned for tests: max_connections=300, shared_buffers=256MB, maintenance_work_mem=512MB,
#     max_wal_size=2GB (fsync stays on). Settings live in <data>/conversations.conf, which is
#     rewritten on every start; a change restarts a running server.
#
# Installation (Debian 12 bookworm; needs root or sudo, only the first time):
#   - postgresql-15 from the system apt sources if /usr/lib/postgresql/15/bin/postgres is missing.
#   - pgvector is not in bookworm: the script downloads Debian's trixie *source* package using a
#     private apt configuration under .local/apt (trixie is never added to the system's sources),
#     builds it against postgresql-server-dev-15 and runs `make install`.
#
# Users:
#   - As a normal user the server runs as that user.
#   - As root (CI) PostgreSQL refuses to run as root, so the data dir is owned by the system user
#     "postgres" and server commands run via runuser. If "postgres" cannot reach <repo>/.local
#     (e.g. the repo lives under /root), the data dir falls back to
#     /var/tmp/conversations-pg-<hash of repo path>/pgdata and the script says so.
#   - A data dir created by one user cannot be managed by another normal user; remove it or use
#     the user that created it (root can manage any of them).
#
# Idempotent: `start` on a running server only re-checks role/db/extension (well under 2 s).
# Stale postmaster.pid files (kill -9, container restart with PID reuse) are cleaned up.
#
set -euo pipefail

PG_MAJOR=15
PGBIN=/usr/lib/postgresql/$PG_MAJOR/bin
PG_CONFIG=$PGBIN/pg_config

PORT=${CONVERSATIONS_PG_PORT:-54329}
DB_NAME=conversations
DB_USER=conversations
DB_PASSWORD=conversations

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOCAL_DIR=$REPO_ROOT/.local
# A server on another port is another copy: its own data directory and log, never the default one restarted there.
DATA_SUFFIX=
[[ $PORT == 54329 ]] || DATA_SUFFIX=-$PORT
PGDATA_DIR=${CONVERSATIONS_PG_DATA:-$LOCAL_DIR/pgdata$DATA_SUFFIX}
REPO_HASH=$(printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-12)

CONN_STRING="Host=127.0.0.1;Port=$PORT;Database=$DB_NAME;Username=$DB_USER;Password=$DB_PASSWORD"

log() { echo "local-db: $*" >&2; }
die() { echo "local-db: error: $*" >&2; exit 1; }

is_root() { [[ $(id -u) -eq 0 ]]; }

# Run a command with root privileges (directly when root, else via sudo).
as_root() {
    if is_root; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root privileges (no sudo) for: $*"
    fi
}

# ---------------------------------------------------------------------------------------------
# Installation
# ---------------------------------------------------------------------------------------------

APT_UPDATED=0
apt_install() {
    # Only refresh the package lists when they are missing or an install fails.
    if [[ $APT_UPDATED -eq 0 ]] && ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
        as_root apt-get update
        APT_UPDATED=1
    fi
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"; then
        [[ $APT_UPDATED -eq 0 ]] || die "apt-get install $* failed"
        as_root apt-get update
        APT_UPDATED=1
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
    fi
}

build_pgvector() {
    local apt_dir=$LOCAL_DIR/apt build_dir=$LOCAL_DIR/build/pgvector
    local started=$SECONDS
    log "pgvector missing: building it from Debian trixie's source package"

    # Private apt state: one deb-src line, own lists and cache, so the system sources,
    # lists and package cache never see trixie.
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
    local uri
    uri=$(awk '/^URIs:/ && $2 ~ /\/debian\/?$/ { print $2; exit }' \
        /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    uri=${uri:-http://deb.debian.org/debian}
    echo "deb-src ${uri%/} trixie main" >"$apt_dir/sources.list"

    local -a apt_opts=(
        -o "Dir::Etc::SourceList=$apt_dir/sources.list"
        -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::State::Lists=$apt_dir/lists"
        -o "Dir::Cache=$apt_dir/cache"
    )
    # As root apt drops to the _apt user for downloads, which cannot write our private dirs.
    if is_root; then apt_opts+=(-o APT::Sandbox::User=root); fi

    apt-get "${apt_opts[@]}" update
    rm -rf "$build_dir"
    mkdir -p "$build_dir"
    (cd "$build_dir" && apt-get "${apt_opts[@]}" source --download-only pgvector)

    # Build dependencies come from the normal (bookworm) sources.
    local -a deps=()
    [[ -d /usr/include/postgresql/$PG_MAJOR/server ]] || deps+=("postgresql-server-dev-$PG_MAJOR")
    if ! command -v make >/dev/null || ! command -v gcc >/dev/null; then deps+=(build-essential); fi
    if [[ ${#deps[@]} -gt 0 ]]; then apt_install "${deps[@]}"; fi

    local -a dsc=("$build_dir"/pgvector_*.dsc) orig=("$build_dir"/pgvector_*.orig.tar.*)
    [[ -f ${dsc[0]} ]] || die "apt-get source pgvector downloaded no .dsc into $build_dir"
    if command -v dpkg-source >/dev/null; then
        # Hashes were already checked by apt against the signed trixie Release file.
        (cd "$build_dir" && dpkg-source --no-check -x "$(basename "${dsc[0]}")" src)
    else
        mkdir -p "$build_dir/src"
        tar -xf "${orig[0]}" -C "$build_dir/src" --strip-components=1
    fi

    # OPTFLAGS= drops -march=native (as Debian does) so the library also works on other CPUs,
    # e.g. a cached CI image; with_llvm=no skips JIT bitcode so clang is not required.
    local -a make_args=(PG_CONFIG="$PG_CONFIG" OPTFLAGS= with_llvm=no)
    make -C "$build_dir/src" -j"$(nproc)" "${make_args[@]}"
    as_root make -C "$build_dir/src" install "${make_args[@]}"
    log "pgvector $(sed -n "s/^default_version = '\(.*\)'/\1/p" "$build_dir/src/vector.control") installed in $((SECONDS - started)) s"
}

ensure_installed() {
    if [[ ! -x $PGBIN/postgres ]]; then
        log "PostgreSQL $PG_MAJOR missing: installing postgresql-$PG_MAJOR"
        apt_install postgresql-$PG_MAJOR
    fi
    [[ -x $PGBIN/postgres ]] || die "$PGBIN/postgres still missing after install"
    if [[ ! -f $("$PG_CONFIG" --pkglibdir)/vector.so ]]; then
        build_pgvector
    fi
}

# ---------------------------------------------------------------------------------------------
# Paths and the user the server runs as
# ---------------------------------------------------------------------------------------------

SERVER_USER=
SOCK_DIR=
LOG_FILE=

owner_of() { stat -c %U "$1"; }

# Run a command as the server's user, from / so a cwd it cannot read does not matter.
# fd 9 (the lock) is closed so a postmaster started here does not hold the lock forever.
as_server() {
    if is_root; then
        (cd / && runuser -u "$SERVER_USER" -- "$@" 9>&-)
    else
        (cd / && "$@" 9>&-)
    fi
}

# Decide data dir, log file, socket dir and server user. `create` also makes the directories.
resolve_paths() {
    local create=${1:-}
    if is_root; then
        if [[ -d $PGDATA_DIR ]]; then
            SERVER_USER=$(owner_of "$PGDATA_DIR")
        else
            SERVER_USER=postgres
        fi
        [[ $SERVER_USER != root ]] || die "$PGDATA_DIR is owned by root; PostgreSQL cannot run as root"
        id "$SERVER_USER" >/dev/null 2>&1 || die "system user $SERVER_USER does not exist"

        local parent
        parent=$(dirname "$PGDATA_DIR")
        if [[ $create == create && ! -d $parent ]]; then mkdir -p "$parent" && chmod 755 "$parent"; fi
        # The server user must be able to traverse every directory above the data dir.
        if ! runuser -u "$SERVER_USER" -- test -x "$parent" 2>/dev/null; then
            [[ -z ${CONVERSATIONS_PG_DATA:-} ]] \
                || die "user $SERVER_USER cannot reach $parent (CONVERSATIONS_PG_DATA=$CONVERSATIONS_PG_DATA)"
            PGDATA_DIR=/var/tmp/conversations-pg-$REPO_HASH/pgdata$DATA_SUFFIX
            parent=$(dirname "$PGDATA_DIR")
            [[ $create != create ]] || log "user $SERVER_USER cannot reach $LOCAL_DIR; using $PGDATA_DIR instead"
            if [[ $create == create && ! -d $parent ]]; then mkdir -p "$parent" && chmod 755 "$parent"; fi
            if [[ -d $PGDATA_DIR ]]; then SERVER_USER=$(owner_of "$PGDATA_DIR"); fi
        fi
    else
        SERVER_USER=$(id -un)
        if [[ -d $PGDATA_DIR && $(owner_of "$PGDATA_DIR") != "$SERVER_USER" ]]; then
            die "$PGDATA_DIR belongs to $(owner_of "$PGDATA_DIR"); run this as root or as that user, or remove it"
        fi
        if [[ $create == create ]]; then mkdir -p "$(dirname "$PGDATA_DIR")"; fi
    fi

    LOG_FILE=$(dirname "$PGDATA_DIR")/pg$DATA_SUFFIX.log
    SOCK_DIR=$PGDATA_DIR
    # sun_path holds 107 bytes; the socket file name ".s.PGSQL.<port>" needs about 16 of them.
    if (( ${#SOCK_DIR} > 90 )); then
        SOCK_DIR=/tmp/conversations-pg-$REPO_HASH
    fi

    if [[ $create == create ]]; then
        if [[ ! -d $PGDATA_DIR ]]; then
            mkdir -p "$PGDATA_DIR"
            chmod 700 "$PGDATA_DIR"
            if is_root; then chown "$SERVER_USER": "$PGDATA_DIR"; fi
        fi
        if [[ ! -d $SOCK_DIR ]]; then
            mkdir -p "$SOCK_DIR"
            chmod 700 "$SOCK_DIR"
            if is_root; then chown "$SERVER_USER": "$SOCK_DIR"; fi
        fi
        touch "$LOG_FILE"
        if is_root; then chown "$SERVER_USER": "$LOG_FILE"; fi
    fi
}

# ---------------------------------------------------------------------------------------------
# Server control
# ---------------------------------------------------------------------------------------------

# PID of the live postmaster of this data dir, or nothing. A pid file whose PID is dead, a
# zombie, or now another program (PID reuse after a container restart) does not count.
postmaster_pid() {
    local pidfile=$PGDATA_DIR/postmaster.pid pid
    [[ -r $pidfile ]] || return 0
    pid=$(head -n1 "$pidfile" 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] || return 0
    [[ $(cat "/proc/$pid/comm" 2>/dev/null || true) == postgres ]] || return 0
    # A killed postmaster can linger as a zombie when PID 1 is slow to reap (containers).
    [[ $(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true) != Z ]] || return 0
    echo "$pid"
}

is_running() { [[ -n $(postmaster_pid) ]]; }

wait_for_tcp() {
    local i
    for ((i = 0; i < 120; i++)); do
        if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -d postgres; then return 0; fi
        sleep 0.25
    done
    die "server does not accept connections on 127.0.0.1:$PORT; see $LOG_FILE"
}

init_cluster() {
    log "initializing $PGDATA_DIR (owner $SERVER_USER)"
    as_server "$PGBIN/initdb" -D "$PGDATA_DIR" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    # Our settings live in their own file so postgresql.conf stays stock.
    echo "include_if_exists = 'conversations.conf'" | as_server tee -a "$PGDATA_DIR/postgresql.conf" >/dev/null
}

# Write conversations.conf; returns 0 if its content changed.
write_config() {
    local conf=$PGDATA_DIR/conversations.conf content
    content="# Managed by deploy/local-db.sh; rewritten on every start.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCK_DIR'
max_connections = 300
shared_buffers = 256MB
maintenance_work_mem = 512MB
max_wal_size = 2GB
"
    if [[ -f $conf && $(cat "$conf") == "${content%$'\n'}" ]]; then return 1; fi
    printf '%s' "$content" | as_server tee "$conf" >/dev/null
    return 0
}

start_server() {
    local pidfile=$PGDATA_DIR/postmaster.pid attempt
    # Only called when postmaster_pid found no live postmaster: a leftover pid file can only
    # confuse PostgreSQL (its PID may now belong to another process).
    if [[ -f $pidfile ]]; then
        log "removing stale $pidfile"
        rm -f "$pidfile"
    fi
    # Another server (another checkout's, or a system PostgreSQL) on our port would make every attempt fail.
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
        die "port $PORT on 127.0.0.1 is taken by another server (another checkout's local-db.sh? stop it there with 'bash deploy/local-db.sh stop'), or choose another port: CONVERSATIONS_PG_PORT=54330 bash deploy/local-db.sh start"
    fi
    for attempt in 1 2 3 4 5; do
        # After a kill -9 of the postmaster its children may still hold shared memory for a
        # moment, which makes a start fail; retry briefly.
        if as_server "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$LOG_FILE" -w -t 60 start >/dev/null; then
            return 0
        fi
        log "start attempt $attempt failed; retrying (log: $LOG_FILE)"
        sleep 2
    done
    tail -n 20 "$LOG_FILE" >&2 || true
    die "could not start PostgreSQL"
}

ensure_database() {
    local -a admin=("$PGBIN/psql" -h "$SOCK_DIR" -p "$PORT" -U postgres -X -q -A -t -v ON_ERROR_STOP=1)
    as_server "${admin[@]}" -d postgres >/dev/null <<SQL
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER') THEN
        CREATE ROLE $DB_USER LOGIN SUPERUSER PASSWORD '$DB_PASSWORD';
    END IF;
END
\$\$;
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_USER'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DB_NAME')
\gexec
SQL
    as_server "${admin[@]}" -d "$DB_NAME" \
        -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS vector' >/dev/null
}

cmd_start() {
    ensure_installed >&2  # keep stdout for the connection string
    [[ -d $LOCAL_DIR ]] || mkdir -m 755 "$LOCAL_DIR"
    # Serialize concurrent starts/stops (e.g. parallel test runs) of this checkout.
    exec 9>"$LOCAL_DIR/local-db.lock"
    flock 9

    resolve_paths create
    [[ -f $PGDATA_DIR/PG_VERSION ]] || init_cluster

    local changed=0
    if write_config; then changed=1; fi
    if is_running; then
        if [[ $changed -eq 1 ]]; then
            log "configuration changed: restarting"
            as_server "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 60 stop >/dev/null
            start_server
        fi
    else
        log "starting PostgreSQL on 127.0.0.1:$PORT (data: $PGDATA_DIR, log: $LOG_FILE)"
        start_server
    fi
    wait_for_tcp
    ensure_database
    echo "$CONN_STRING"
}

cmd_stop() {
    [[ -x $PGBIN/pg_ctl ]] || { log "PostgreSQL is not installed"; return 0; }
    [[ -d $LOCAL_DIR ]] || mkdir -m 755 "$LOCAL_DIR"
    exec 9>"$LOCAL_DIR/local-db.lock"
    flock 9
    resolve_paths
    if is_running; then
        as_server "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 60 stop >/dev/null
        log "stopped"
    else
        log "not running"
    fi
}

cmd_status() {
    local pid
    # Another user's data dir cannot be inspected; ask the port instead.
    if ! is_root && [[ -d $PGDATA_DIR && $(owner_of "$PGDATA_DIR") != "$(id -un)" ]]; then
        if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
            echo "running (127.0.0.1:$PORT, data $PGDATA_DIR owned by $(owner_of "$PGDATA_DIR"))"
            return 0
        fi
        echo "not running (data $PGDATA_DIR)"
        return 3
    fi
    if [[ -x $PGBIN/pg_ctl ]]; then
        resolve_paths
        pid=$(postmaster_pid)
        if [[ -n $pid ]]; then
            echo "running (pid $pid, 127.0.0.1:$PORT, data $PGDATA_DIR)"
            return 0
        fi
    fi
    echo "not running (data $PGDATA_DIR)"
    return 3
}

cmd_psql() {
    PGPASSWORD=$DB_PASSWORD exec "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U "$DB_USER" -d "$DB_NAME" "$@"
}

case ${1:-start} in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    conn) echo "$CONN_STRING" ;;
    psql) shift; cmd_psql "$@" ;;
    -h | --help | help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
    *) die "unknown command '$1' (use start, stop, status, conn, psql)" ;;
esac
