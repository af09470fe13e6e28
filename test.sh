#!/usr/bin/env bash
# Runs every test (unit, HTTP, SDK, browser). Needs the .NET 10 SDK and, for the browser tests, Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")"
dotnet test Keypod.sln --logger "console;verbosity=minimal" "$@"
