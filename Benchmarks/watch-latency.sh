#!/usr/bin/env bash
# `nbrun watch` as an author lives it: a notebook made by `nbrun new`, served and shown in
# headless Chromium; how long from saving a prose edit, and a one-line stage edit, to the
# page showing it, timed in the page. Prints median, min and max of RUNS of each (default 7).
# Usage, from the repository root:  Benchmarks/watch-latency.sh [RUNS]
set -euo pipefail
runs="${1:-7}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NBRUN_SETUP_BROWSER=1 source "$root/Scripts/setup"
swift build --package-path "$root" -c release --product nbrun >/dev/null
swift build --package-path "$root" -c release --product watch-benchmark >/dev/null
work="$(mktemp -d "${TMPDIR:-/tmp}/nbrun-watch-latency.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export NBRUN_PLUGIN_CACHE="$work/plugins" NBRUN_USES=""
cd "$work"
"$root/.build/release/nbrun" new Waves waves >/dev/null
# The scaffold keeps its manifest in its folder; the benchmark edits waves/Waves.manifest.
"$root/.build/release/watch-benchmark" "$root/.build/release/nbrun" "$work/waves/Waves.manifest" "$runs"
