#!/bin/sh
# pg_server.sh — a throwaway PostgreSQL server for the tests, so that `make test` exercises the
# PostgreSQL back-end against a real server with nothing set up beforehand.
#
#   tests/pg_server.sh start DIR     initdb into DIR, start on 127.0.0.1 and a free port, and write
#                                    DIR/env: the variables the tests read (sh syntax)
#   tests/pg_server.sh restart DIR   a fast shutdown (sessions are cut) and a start on the same port
#   tests/pg_server.sh stop DIR      stop it (DIR stays; remove it yourself)
#   tests/pg_server.sh createdb NAME a new empty database on the server of $LIANDAN_TEST_PG_URL
#                                    (dropped first if it exists); prints its URL
#
# The server runs as the invoking user, or as an unprivileged one (postgres, else nobody) when
# invoked as root, since PostgreSQL refuses to run as root. It listens on 127.0.0.1 only, with
# password (SCRAM) authentication for the role `liandan`, a superuser whose random password is in
# DIR/pgpass (PGPASSFILE). Durability is off (fsync=off): the data is thrown away afterwards.
#
# DIR/env sets LIANDAN_TEST_PG_URL (the server's `postgres` database), LIANDAN_TEST_PG_BASE (the
# URL without a database: append /NAME), LIANDAN_TEST_PG_DIR and PGPASSFILE.
set -eu
cmd=${1:-}
dir=${2:-}
if [ "$cmd" = createdb ]; then
    [ -n "${LIANDAN_TEST_PG_URL:-}" ] || { echo "pg_server: LIANDAN_TEST_PG_URL is unset" >&2; exit 1; }
    psql -q -v ON_ERROR_STOP=1 "$LIANDAN_TEST_PG_URL" -c "DROP DATABASE IF EXISTS \"$dir\"" \
        -c "CREATE DATABASE \"$dir\"" >/dev/null 2>&1 ||
        psql -q -v ON_ERROR_STOP=1 "$LIANDAN_TEST_PG_URL" -c "CREATE DATABASE \"$dir\"" >&2
    echo "${LIANDAN_TEST_PG_URL%/*}/$dir"
    exit 0
fi
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|restart|stop DIR" >&2; exit 2; }

case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
cd / # the server's user may not enter the caller's folder

bindir=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
    [ -x "$d/initdb" ] && { bindir=$d; break; }
done
if [ -z "$bindir" ] && command -v initdb >/dev/null 2>&1; then
    bindir=$(dirname "$(command -v initdb)")
fi
[ -n "$bindir" ] || { echo "pg_server: no PostgreSQL server found (apt-get install postgresql-15)" >&2; exit 1; }

# Runs a command as the server's user.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$owner" -- "$@"
    else
        "$@"
    fi
}

if [ "$(id -u)" -eq 0 ]; then
    owner=nobody
    id postgres >/dev/null 2>&1 && owner=postgres
else
    owner=$(id -un)
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_server() {
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$1 -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
        start >/dev/null
}

case $cmd in
start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown "$owner" "$dir"
    password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    printf '%s\n' "$password" > "$dir/password"
    [ "$(id -u)" -eq 0 ] && chown "$owner" "$dir/password"
    as_owner "$bindir/initdb" -D "$dir/data" -U liandan --pwfile="$dir/password" \
        --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    rm -f "$dir/password"
    started=0
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        if start_server "$port"; then started=1; break; fi
    done
    [ $started -eq 1 ] || { cat "$dir/server.log" >&2; exit 1; }
    printf '127.0.0.1:%s:*:liandan:%s\n' "$port" "$password" > "$dir/pgpass"
    chmod 600 "$dir/pgpass"
    cat > "$dir/env" <<EOF
LIANDAN_TEST_PG_BASE='postgresql://liandan@127.0.0.1:$port'
LIANDAN_TEST_PG_URL='postgresql://liandan@127.0.0.1:$port/postgres'
LIANDAN_TEST_PG_DIR='$dir'
PGPASSFILE='$dir/pgpass'
export LIANDAN_TEST_PG_BASE LIANDAN_TEST_PG_URL LIANDAN_TEST_PG_DIR PGPASSFILE
EOF
    echo "postgresql://liandan@127.0.0.1:$port/postgres"
    ;;
restart)
    port=$(sed -n 's/^127\.0\.0\.1:\([0-9]*\):.*/\1/p' "$dir/pgpass")
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    start_server "$port"
    ;;
stop)
    [ -f "$dir/data/postmaster.pid" ] || exit 0
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
*)
    echo "usage: $0 start|restart|stop DIR" >&2
    exit 2
    ;;
esac
