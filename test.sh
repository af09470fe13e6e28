#!/usr/bin/env bash
# Runs every test (unit, HTTP, SDK, browser). Needs the .NET 10 SDK and, for the browser tests, Debian's chromium.
set -uo pipefail
cd "$(dirname "$0")"
log=$(mktemp)
dotnet test Keypod.sln --logger "console;verbosity=minimal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# One plain closing line, whatever the runner printed: "N passed, N failed".
summary=$(grep -E '(Passed|Failed)!? +- +Failed: +[0-9]+, +Passed: +[0-9]+' "$log" | tail -n 1)
if [ -n "$summary" ]; then
    failed=$(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$summary")
    passed=$(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$summary")
    echo "$passed passed, $failed failed"
fi
rm -f "$log"
exit "$status"
