#!/bin/sh
# The official image's contract: POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB on first start.
set -eu
[ "${1:-}" = postgres ] || exec "$@"
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
mkdir -p "$PGDATA" /run/postgresql
chown postgres:postgres "$PGDATA" /run/postgresql
chmod 0700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  umask 077
  printf '%s\n' "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}" > /run/postgresql/pw
  chown postgres /run/postgresql/pw
  runuser -u postgres -- initdb -D "$PGDATA" -U "$user" --pwfile=/run/postgresql/pw --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f /run/postgresql/pw
  echo 'host all all all scram-sha-256' >> "$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    runuser -u postgres -- pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    runuser -u postgres -- psql -qAt -U "$user" -d postgres -c "CREATE DATABASE \"$db\""
    runuser -u postgres -- pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  fi
fi
shift
exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -D "$PGDATA" -c listen_addresses='*' "$@"
