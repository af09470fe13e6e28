#!/usr/bin/env bash
# Keypod billing benchmark (issue "Exact billing", point 7; issue 5, point 2). One command:  bench/billing.sh [--keep] [--reuse]
# Builds Release, seeds a fresh SQLite database with the app's schema (its EF migrations), BILLING_ROWS ledger rows
# (default 10,000,000) over 90 days and their daily rollups, starts Keypod over it (upstream unreachable: nothing leaves
# the machine), times the usage, statement and request-log endpoints for the busiest and a median project, and writes
# docs/benchmarks-billing.md (linked from docs/benchmarks.md). The database (a few GB) lives in bench/out/billing/
# and is deleted at the end unless --keep; --reuse measures an existing seeded database instead of seeding again.
# Knobs (environment): BILLING_ROWS, BILLING_N (timed rounds, 20), BILLING_PORT (47290), BILLING_DIR, BILLING_REPORT.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${BILLING_DIR:-$ROOT/bench/out/billing}
ROWS=${BILLING_ROWS:-10000000}
N=${BILLING_N:-20}
PORT=${BILLING_PORT:-47290}
REPORT=${BILLING_REPORT:-$ROOT/docs/benchmarks-billing.md}
KEEP=0 REUSE=0
for arg in "$@"; do
    case $arg in
        --keep) KEEP=1 ;;
        --reuse) REUSE=1 KEEP=1 ;;
        *) echo "usage: bench/billing.sh [--keep] [--reuse]" >&2; exit 2 ;;
    esac
done
DB=$DIR/ledger.db
log() { printf '\n=== %s (%s)\n' "$*" "$(date +%T)"; }
cleanup() {
    if [ "$KEEP" = 0 ]; then rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.manifest.json"; rm -rf "$DB.journal"; fi
}
trap cleanup EXIT

if (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; then echo "port $PORT is taken; set BILLING_PORT" >&2; exit 1; fi
mkdir -p "$DIR"
LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)

log "build (Release)"
dotnet build "$ROOT/Keypod.Web/Keypod.Web.csproj" -c Release -v q -nologo
dotnet build "$ROOT/bench/Keypod.Bench/Keypod.Bench.csproj" -c Release -v q -nologo
BENCH="dotnet $ROOT/bench/Keypod.Bench/bin/Release/net10.0/Keypod.Bench.dll"

if [ "$REUSE" = 1 ] && [ -f "$DB.manifest.json" ]; then
    log "reusing $DB"
else
    log "seed $ROWS ledger rows"
    df -h "$DIR" | tail -1
    $BENCH seed-ledger --db "$DB" --rows "$ROWS"
fi
du -h "$DB"

log "measure"
$BENCH billing --db "$DB" --keypod-dll "$ROOT/Keypod.Web/bin/Release/net10.0/Keypod.Web.dll" --port "$PORT" --n "$N" \
    --out "$REPORT" --notes "$ROOT/bench/billing-notes.md" \
    --date "$(date -u '+%Y-%m-%d %H:%M')" \
    --commit "$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- . ':!docs/benchmarks-billing.md' || echo '+uncommitted')" \
    --machine "$(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/ {print $2 " GB"}') RAM, $(df -h "$DIR" | awk 'NR == 2 {print $1}')" \
    --loadavg "$LOADAVG_START"
