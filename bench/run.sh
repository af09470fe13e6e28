#!/usr/bin/env bash
# Keypod performance harness (issue 6). Run as root from anywhere:  bench/run.sh
# Builds Release, starts a fake OpenRouter upstream, nginx (proxy_pass) and Keypod on loopback ports, measures
# latency, throughput, CPU per request, streaming and 2,000 open streams, checks the ledger, profiles Keypod,
# prints a table and writes docs/benchmarks.md. Raw output stays in bench/out/.
# Knobs (environment): BENCH_DURATION (wrk seconds per target, default 10), BENCH_LATENCY_N (3000),
# BENCH_WARMUP (wrk warm-up seconds, 8), BENCH_STREAM_N (150), BENCH_OPEN_STREAMS (2000), BENCH_LOAD_N (100000), BENCH_PORT_BASE (47180), BENCH_PROFILE (1; 0 skips perf),
# BENCH_KEYPOD_ENV (extra NAME=value settings for Keypod, for experiments), BENCH_REPORT (default docs/benchmarks.md).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/bench/out
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-8} # wrk seconds per target before the measured run: long enough for tiered JIT to reach its final code
LATENCY_N=${BENCH_LATENCY_N:-3000}
STREAM_N=${BENCH_STREAM_N:-150}
OPEN_STREAMS=${BENCH_OPEN_STREAMS:-2000}
LOAD_N=${BENCH_LOAD_N:-100000}
PORT_BASE=${BENCH_PORT_BASE:-47180}
PROFILE=${BENCH_PROFILE:-1}
KEYPOD_ENV=${BENCH_KEYPOD_ENV:-}
REPORT=${BENCH_REPORT:-$ROOT/docs/benchmarks.md}
CONNECTIONS=32
OPEN_STREAM_GAP_MS=1000
OPEN_STREAM_EVENTS=8
OPEN_STREAM_RAMP=200
PU=$((PORT_BASE + 1)) PN=$((PORT_BASE + 2)) PK=$((PORT_BASE + 3)) PB=$((PORT_BASE + 4))
UPSTREAM_KEY=sk-or-v1-bench-not-a-real-key
MASTER=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)
CLK_TCK=$(getconf CLK_TCK)

rm -rf "$OUT" && mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/keypod-bench.XXXXXX)
RESULTS=$OUT/results.env
: > "$RESULTS"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$TMP"
}
trap cleanup EXIT
log() { printf '\n=== %s (%s)\n' "$*" "$(date +%T)"; }
result() { echo "$1=$2" >> "$RESULTS"; }

log "prerequisites"
if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null; then
    apt-get install -y nginx-light wrk || { apt-get update && apt-get install -y nginx-light wrk; }
fi
if [ "$PROFILE" = 1 ] && ! command -v perf >/dev/null; then
    apt-get install -y linux-perf || echo "perf not available: the profile is skipped"
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" # 2,000 streams need ~4,000 descriptors in Keypod
for port in $PU $PN $PK $PB; do
    if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "port $port is taken; set BENCH_PORT_BASE" >&2; exit 1; fi
done

log "build (Release)"
dotnet build "$ROOT/Keypod.Web/Keypod.Web.csproj" -c Release -v q -nologo
dotnet build "$ROOT/bench/Keypod.Bench/Keypod.Bench.csproj" -c Release -v q -nologo
KEYPOD_DIR=$ROOT/Keypod.Web/bin/Release/net10.0
BENCH="dotnet $ROOT/bench/Keypod.Bench/bin/Release/net10.0/Keypod.Bench.dll"

wait_http() { # url
    for _ in $(seq 1 200); do curl -fs -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
    echo "timed out waiting for $1" >&2; return 1
}
cpu_ticks() { # pid... -> utime+stime summed
    local total=0
    for pid in "$@"; do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
    done
    echo $total
}
metric() { # name -> summed value of every series of that metric on Keypod's /metrics
    curl -fs -H "Authorization: Bearer $MASTER" "http://127.0.0.1:$PK/metrics" | awk -v name="$1" 'index($1, name "{") == 1 || $1 == name {sum += $NF} END {printf "%.0f", sum}'
}

log "start fake upstream, nginx, Keypod"
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 $BENCH upstream --port $PU > "$OUT/upstream.log" 2>&1 &
UP_PID=$!; PIDS+=($UP_PID)

# The floor of a .NET proxy hop, with Keypod's GC settings: what Kestrel and HttpClient cost before Keypod does anything.
DOTNET_gcServer=1 $BENCH bare-proxy --port $PB --upstream "http://127.0.0.1:$PU/api/v1/chat/completions" > "$OUT/bare-proxy.log" 2>&1 &
BARE_PID=$!; PIDS+=($BARE_PID)

mkdir -p "$TMP/nginx"
cat > "$TMP/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 2;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 16384; }
http {
    access_log off;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    upstream fake_openrouter { server 127.0.0.1:$PU; keepalive 64; }
    server {
        listen 127.0.0.1:$PN;
        location / {
            proxy_pass http://fake_openrouter;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }
    }
}
EOF
nginx -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" > "$OUT/nginx.log" 2>&1 &
NGINX_PID=$!; PIDS+=($NGINX_PID)

(
    cd "$KEYPOD_DIR"
    # Perf map for the profile; W^X off so JIT code lives in an anonymous mapping perf can resolve against that map.
    export ASPNETCORE_URLS=http://127.0.0.1:$PK ASPNETCORE_ENVIRONMENT=Production DOTNET_PerfMapEnabled=3 DOTNET_EnableWriteXorExecute=0
    export Keypod__OpenRouter__BaseUrl=http://127.0.0.1:$PU/api/v1 Keypod__OpenRouter__ApiKey=$UPSTREAM_KEY
    export Keypod__Admin__MasterKey=$MASTER ConnectionStrings__Keypod="Data Source=$TMP/keypod.db"
    # shellcheck disable=SC2086 # KEYPOD_ENV is a list of NAME=value words
    exec env $KEYPOD_ENV dotnet Keypod.Web.dll
) > "$OUT/keypod.log" 2>&1 &
KP_PID=$!; PIDS+=($KP_PID)

wait_http "http://127.0.0.1:$PK/healthz"
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$PU) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/$PN) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/$PB) 2>/dev/null && break; sleep 0.1; done
NGINX_WORKERS=$(pgrep -P $NGINX_PID | tr '\n' ' ')

result date "$(date -u '+%Y-%m-%d %H:%M')"
result command "bench/run.sh"
result commit "$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- . ':!docs' || echo '+uncommitted')"
result nproc "$(nproc)"
result cpu_model "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
result mem_total "$(free -g | awk '/Mem:/ {print $2 " GB"}')"
result loadavg_start "$(cut -d' ' -f1-3 /proc/loadavg)"
result dotnet_version "$(dotnet --version)"
result nginx_version "$(nginx -v 2>&1 | sed 's/.*: //')"
result wrk_version "wrk $(wrk -v 2>&1 | awk 'NR == 1 {print $2}')"
result keypod_env "${KEYPOD_ENV:-(none)}"
result wrk_connections $CONNECTIONS
result wrk_duration "${DURATION} s"

BODY='{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Say hello in one short sentence."}]}'
result upstream_body_bytes "$(curl -fs -X POST -H 'Content-Type: application/json' -d "$BODY" "http://127.0.0.1:$PU/api/v1/chat/completions" | wc -c)"

log "Keypod projects and keys"
declare -A PROJECT AUTH
for phase in latency wrk stream open-streams load; do
    read -r PROJECT[$phase] AUTH[$phase] < <($BENCH setup --keypod "http://127.0.0.1:$PK" --master "$MASTER" --name "$phase")
done
curl -fs -X POST -H "Authorization: Bearer ${AUTH[wrk]}" -H 'Content-Type: application/json' -d "$BODY" \
    "http://127.0.0.1:$PK/v1/chat/completions" > "$OUT/keypod-sample-response.json" || { echo "Keypod did not proxy a request" >&2; exit 1; }

DIRECT_URL=http://127.0.0.1:$PU/api/v1/chat/completions
NGINX_URL=http://127.0.0.1:$PN/api/v1/chat/completions
KEYPOD_URL=http://127.0.0.1:$PK/v1/chat/completions
BARE_URL=http://127.0.0.1:$PB/v1/chat/completions

log "throughput at concurrency $CONNECTIONS (wrk)"
KEYPOD_WRK_REQUESTS=1 # the smoke request above went to the wrk project
KEYPOD_WRK_RUNS=0
run_wrk() { # name url auth seconds -> prints "requests duration_us errors p50_us p99_us"
    local script=$TMP/$1.lua
    cat > "$script" <<EOF
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $3"
done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("BENCH %d %d %d %d %d\n", summary.requests, summary.duration,
        e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50), latency:percentile(99)))
end
EOF
    wrk -t2 -c$CONNECTIONS -d"$4"s --latency -s "$script" "$2" > "$OUT/wrk-$1-$4s.txt" 2>&1
    grep '^BENCH' "$OUT/wrk-$1-$4s.txt" | cut -d' ' -f2-
}
for target in direct nginx dotnet-hop keypod; do
    case $target in
        direct) url=$DIRECT_URL auth=$UPSTREAM_KEY proxy_pids="" ;;
        nginx) url=$NGINX_URL auth=$UPSTREAM_KEY proxy_pids="$NGINX_PID $NGINX_WORKERS" ;;
        dotnet-hop) url=$BARE_URL auth=$UPSTREAM_KEY proxy_pids=$BARE_PID ;;
        keypod) url=$KEYPOD_URL auth=${AUTH[wrk]} proxy_pids=$KP_PID ;;
    esac
    read -r warm _ < <(run_wrk "$target-warmup" "$url" "$auth" "$WARMUP")
    [ "$target" = keypod ] && KEYPOD_WRK_REQUESTS=$((KEYPOD_WRK_REQUESTS + warm)) KEYPOD_WRK_RUNS=$((KEYPOD_WRK_RUNS + 1))
    up0=$(cpu_ticks $UP_PID); px0=$( [ -n "$proxy_pids" ] && cpu_ticks $proxy_pids || echo 0)
    [ "$target" = keypod ] && alloc0=$(metric dotnet_gc_heap_total_allocated_bytes_total) gc0=$(metric dotnet_gc_collections_total)
    read -r requests duration errors p50 p99 < <(run_wrk "$target" "$url" "$auth" "$DURATION")
    up1=$(cpu_ticks $UP_PID); px1=$( [ -n "$proxy_pids" ] && cpu_ticks $proxy_pids || echo 0)
    result "wrk_${target}_requests" "$requests"
    result "wrk_${target}_rps" "$(awk -v r="$requests" -v d="$duration" 'BEGIN {printf "%.1f", r / (d / 1e6)}')"
    result "wrk_${target}_errors" "$errors"
    result "wrk_${target}_p50_us" "$p50"
    result "wrk_${target}_p99_us" "$p99"
    result "wrk_${target}_upstream_cpu_us_per_req" "$(awk -v t=$((up1 - up0)) -v r="$requests" -v hz="$CLK_TCK" 'BEGIN {printf "%.2f", t * 1e6 / hz / r}')"
    [ -n "$proxy_pids" ] && result "wrk_${target}_cpu_us_per_req" "$(awk -v t=$((px1 - px0)) -v r="$requests" -v hz="$CLK_TCK" 'BEGIN {printf "%.2f", t * 1e6 / hz / r}')"
    if [ "$target" = keypod ]; then
        KEYPOD_WRK_REQUESTS=$((KEYPOD_WRK_REQUESTS + requests)) KEYPOD_WRK_RUNS=$((KEYPOD_WRK_RUNS + 1))
        sleep 1.2 # /metrics caches a scrape for a second
        alloc1=$(metric dotnet_gc_heap_total_allocated_bytes_total) gc1=$(metric dotnet_gc_collections_total)
        result wrk_keypod_alloc_bytes_per_req "$(awk -v a=$((alloc1 - alloc0)) -v r="$requests" 'BEGIN {printf "%.0f", a / r}')"
        result wrk_keypod_gc_collections $((gc1 - gc0))
    fi
    tail -n +1 "$OUT/wrk-$target-${DURATION}s.txt" | grep -E 'Requests/sec|Non-2xx|Socket errors' || true
done

if [ "$PROFILE" = 1 ] && command -v perf >/dev/null; then
    log "CPU profile of Keypod under wrk load (perf)"
    perf record -F 999 -g -p $KP_PID -o "$OUT/perf.data" -- sleep $((DURATION - 2)) > "$OUT/perf-record.log" 2>&1 &
    PERF_PID=$!
    read -r requests _ < <(run_wrk keypod-profile "$KEYPOD_URL" "${AUTH[wrk]}" "$DURATION")
    wait $PERF_PID || true
    KEYPOD_WRK_REQUESTS=$((KEYPOD_WRK_REQUESTS + requests)) KEYPOD_WRK_RUNS=$((KEYPOD_WRK_RUNS + 1))
    perf report -i "$OUT/perf.data" -g none --no-children --sort dso,symbol --stdio 2>/dev/null > "$OUT/perf-self.txt" || true
    perf report -i "$OUT/perf.data" --children --sort symbol --stdio -g none 2>/dev/null > "$OUT/perf-inclusive.txt" || true
    perf report -i "$OUT/perf.data" --no-children --sort dso --stdio 2>/dev/null > "$OUT/perf-dso.txt" || true
    perf report -i "$OUT/perf.data" --no-children --sort comm --stdio -g none 2>/dev/null > "$OUT/perf-threads.txt" || true
    top_lines() { grep -E '^ +[0-9.]+%' "$1" | sed -n "1,$2p" | sed -E 's/ +/ /g; s/\[\.\] //; s/\[k\] //; s/ +$//' | cut -c1-160; }
    {
        echo "-- by module (self)"; top_lines "$OUT/perf-dso.txt" 8
        echo; echo "-- by thread (self)"; top_lines "$OUT/perf-threads.txt" 5
        echo; echo "-- self time, top symbols (overhead, module, symbol)"; top_lines "$OUT/perf-self.txt" 30
        echo; echo "-- inclusive time of Keypod and EF Core frames (children%, self%, symbol)"
        grep -E '^ +[0-9.]+%' "$OUT/perf-inclusive.txt" | grep -E 'Keypod\.|EntityFrameworkCore\.DbContext|SaveChanges|Logging\.Console|AuthenticationHandler' \
            | sed -n '1,30p' | sed -E 's/ +/ /g; s/\[\.\] //; s/ +$//' | cut -c1-160
    } > "$OUT/profile-top.txt" || true
fi
result wrk_keypod_total_requests $KEYPOD_WRK_REQUESTS
result wrk_keypod_runs $KEYPOD_WRK_RUNS

# After the wrk runs, so every process measured is in its steady state (tiered JIT done).
log "latency at concurrency 1 (direct vs nginx vs Keypod, interleaved)"
$BENCH latency --results "$RESULTS" --n "$LATENCY_N" --warmup 2000 \
    --targets "direct=$DIRECT_URL=$UPSTREAM_KEY,nginx=$NGINX_URL=$UPSTREAM_KEY,dotnet-hop=$BARE_URL=$UPSTREAM_KEY,keypod=$KEYPOD_URL=${AUTH[latency]}"

log "streaming at concurrency 1 (TTFB, gaps, one write per event)"
$BENCH stream --results "$RESULTS" --n "$STREAM_N" --warmup 20 --gap-ms 5 --events 6 \
    --targets "direct=$DIRECT_URL=$UPSTREAM_KEY,nginx=$NGINX_URL=$UPSTREAM_KEY,keypod=$KEYPOD_URL=${AUTH[stream]}" || true

log "$OPEN_STREAMS concurrent open streams through Keypod"
result streams_ramp $OPEN_STREAM_RAMP
result streams_hold_s $(((OPEN_STREAM_EVENTS + 3) * OPEN_STREAM_GAP_MS / 1000))
$BENCH open-streams --results "$RESULTS" --count "$OPEN_STREAMS" --gap-ms $OPEN_STREAM_GAP_MS --events $OPEN_STREAM_EVENTS \
    --ramp $OPEN_STREAM_RAMP --pid $KP_PID --targets "keypod=$KEYPOD_URL=${AUTH[open-streams]}" || true

log "load: $LOAD_N mixed requests at concurrency 64 through Keypod"
$BENCH load --results "$RESULTS" --requests "$LOAD_N" --concurrency 64 --targets "keypod=$KEYPOD_URL=${AUTH[load]}" || true

log "ledger check through the management API"
sleep 2
for phase in latency wrk stream open-streams load; do
    $BENCH ledger --results "$RESULTS" --keypod "http://127.0.0.1:$PK" --master "$MASTER" --project "${PROJECT[$phase]}" --label "$phase"
done

log "/metrics: cost of a scrape, and agreement with the ledger"
sleep 1.2
read -r scrape_s scrape_bytes < <(curl -fs -H "Authorization: Bearer $MASTER" -o "$OUT/metrics.txt" -w '%{time_total} %{size_download}\n' "http://127.0.0.1:$PK/metrics")
result metrics_scrape_ms "$(awk -v s="$scrape_s" 'BEGIN {printf "%.2f", s * 1000}')"
result metrics_bytes "$scrape_bytes"
result metrics_series "$(grep -vc '^#' "$OUT/metrics.txt")"
result metrics_requests_total "$(metric keypod_requests_total)"
result metrics_upstream_headers_count "$(metric keypod_upstream_headers_duration_seconds_count)"
result loadavg_end "$(cut -d' ' -f1-3 /proc/loadavg)"

log "report"
mkdir -p "$(dirname "$REPORT")"
$BENCH report --results "$RESULTS" --out "$REPORT" --profile "$OUT/profile-top.txt" \
    --analysis "$ROOT/bench/hot-path-notes.md"
echo "written: $REPORT (raw output in bench/out/)"
