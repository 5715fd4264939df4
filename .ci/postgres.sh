# shellcheck shell=bash
# Sourced by .ci/run: installs PostgreSQL if missing, starts a throwaway cluster on 127.0.0.1 (its
# own data directory and a free port, so it never touches a system cluster), creates a role and a
# database with a password, and exports TEST_POSTGRES_URL for the database and indexer tests.
# The cluster is stopped and deleted when the calling shell exits.

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "postgres: installing PostgreSQL from Debian"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi

LEDGERLINE_PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
LEDGERLINE_PG_DIR="$(mktemp -d /tmp/ledgerline-pg.XXXXXX)"
LEDGERLINE_PG_PORT="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
LEDGERLINE_PG_PASSWORD="ledgerline-ci-$(node -e 'console.log(require("crypto").randomBytes(8).toString("hex"))')"

# initdb refuses to run as root: run the server as the `postgres` system user when we are root.
ledgerline_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$LEDGERLINE_PG_DIR"; fi

ledgerline_pg "$LEDGERLINE_PG_BIN/initdb" -D "$LEDGERLINE_PG_DIR/data" -U postgres -E UTF8 --locale=C.UTF-8 \
  --auth-local=trust --auth-host=scram-sha-256 >/dev/null
ledgerline_pg "$LEDGERLINE_PG_BIN/pg_ctl" -D "$LEDGERLINE_PG_DIR/data" -l "$LEDGERLINE_PG_DIR/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $LEDGERLINE_PG_PORT -k $LEDGERLINE_PG_DIR -c fsync=off -c max_connections=200" start >/dev/null
trap 'ledgerline_pg "$LEDGERLINE_PG_BIN/pg_ctl" -D "$LEDGERLINE_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$LEDGERLINE_PG_DIR"' EXIT

# The tests create and drop one database per suite, so the role may create databases.
ledgerline_pg "$LEDGERLINE_PG_BIN/psql" -q -h "$LEDGERLINE_PG_DIR" -p "$LEDGERLINE_PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE ledgerline LOGIN CREATEDB PASSWORD '$LEDGERLINE_PG_PASSWORD'" \
  -c "CREATE DATABASE ledgerline OWNER ledgerline" >/dev/null

export TEST_POSTGRES_URL="postgresql://ledgerline:$LEDGERLINE_PG_PASSWORD@127.0.0.1:$LEDGERLINE_PG_PORT/ledgerline"
echo "postgres: throwaway cluster on 127.0.0.1:$LEDGERLINE_PG_PORT (TEST_POSTGRES_URL is set)"
