#!/usr/bin/env bash
# A county's morning at 10× its real load: gunicorn + PostgreSQL (+ Redis), locust headless,
# then the data invariants. Results go to bench/load/out/ (CSV from locust, summary.md).
#
#   bench/load/run.sh                 # 10 minutes, LOAD_USERS users (default 650 ≈ 10× a county, docs/deploy.md)
#   LOAD_TIME=1m LOAD_USERS=60 bench/load/run.sh    # a short trial
#
# Environment: TONGBAN_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/tongban_load; the
# database is created when missing), TONGBAN_REDIS_URL (default redis://127.0.0.1:6379/7),
# LOAD_PORT (8123), LOAD_WORKERS (gunicorn workers; default deploy/gunicorn.conf.py's 2×cores+1),
# LOAD_SPAWN_RATE (users started per second, default 10), LOAD_SKIP_PREPARE=1 to reuse the database.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}
LOCUST=${LOCUST:-$ROOT/.venv/bin/locust}
export TONGBAN_DATABASE_URL=${TONGBAN_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tongban_load}
export TONGBAN_REDIS_URL=${TONGBAN_REDIS_URL:-redis://127.0.0.1:6379/7}
export TONGBAN_VAR_DIR=${TONGBAN_VAR_DIR:-$ROOT/var/load}
export TONGBAN_PROXY_COUNT=1            # as behind nginx: citizens' addresses come in X-Forwarded-For
export TONGBAN_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SETTINGS_MODULE=tongban.settings
export PYTHONPATH=$ROOT/src
PORT=${LOAD_PORT:-8123}
USERS=${LOAD_USERS:-650}
RATE=${LOAD_SPAWN_RATE:-10}
TIME=${LOAD_TIME:-10m}
OUT=$ROOT/bench/load/out
DBNAME=${TONGBAN_DATABASE_URL##*/}
mkdir -p "$OUT" "$TONGBAN_VAR_DIR"

if ! command -v "$LOCUST" >/dev/null; then
    echo "locust is not installed: $ROOT/.venv/bin/pip install -e '.[load]'" >&2
    exit 2
fi
if [ "${LOAD_SKIP_PREPARE:-0}" != 1 ]; then
    DBURL_ADMIN=${TONGBAN_DATABASE_URL%/*}/postgres
    psql "$DBURL_ADMIN" -Atc "select 1 from pg_database where datname='$DBNAME'" | grep -q 1 \
        || psql "$DBURL_ADMIN" -c "create database \"$DBNAME\""
    "$PY" bench/load/prepare.py
    "$PY" manage.py collectstatic --no-input -v 0
fi

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    echo "port $PORT is in use: stop what listens there or set LOAD_PORT" >&2
    exit 2
fi
GUNICORN_ARGS=(-c deploy/gunicorn.conf.py --bind "127.0.0.1:$PORT" --access-logfile "$OUT/access.log")
[ -n "${LOAD_WORKERS:-}" ] && GUNICORN_ARGS+=(--workers "$LOAD_WORKERS")
"$PY" -m gunicorn "${GUNICORN_ARGS[@]}" tongban.wsgi:application >"$OUT/gunicorn.log" 2>&1 &
GPID=$!
trap 'kill $GPID 2>/dev/null || true; wait $GPID 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 1
done
kill -0 "$GPID" || { echo "gunicorn did not start: $OUT/gunicorn.log" >&2; exit 2; }
: >"$OUT/access.log"

STARTED=$(date -u +%Y-%m-%dT%H:%M:%S+00:00)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
CPU_BEFORE=$("$PY" bench/load/cpu.py "$GPID" "$DBNAME")
set +e
(cd bench/load && "$LOCUST" -f locustfile.py --headless -u "$USERS" -r "$RATE" -t "$TIME" \
    --host "http://127.0.0.1:$PORT" --csv "$OUT/locust" --only-summary --stop-timeout 10) \
    >"$OUT/locust.log" 2>&1
LOCUST_RC=$?
set -e
CPU_AFTER=$("$PY" bench/load/cpu.py "$GPID" "$DBNAME")
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
FINISHED=$(date -u +%Y-%m-%dT%H:%M:%S+00:00)

set +e
"$PY" manage.py check_invariants --since "$STARTED" >"$OUT/invariants.txt" 2>&1
INV_RC=$?
"$PY" manage.py check_invariants >"$OUT/invariants_all.txt" 2>&1
set -e

"$PY" bench/load/summary.py --out "$OUT" --users "$USERS" --time "$TIME" --started "$STARTED" \
    --finished "$FINISHED" --load-before "$LOAD_BEFORE" --load-after "$LOAD_AFTER" \
    --cpu-before "$CPU_BEFORE" --cpu-after "$CPU_AFTER" --workers "${LOAD_WORKERS:-default}" \
    --invariants-rc "$INV_RC" | tee "$OUT/summary.md"
echo "locust exit $LOCUST_RC, invariants exit $INV_RC"
[ "$INV_RC" = 0 ]
