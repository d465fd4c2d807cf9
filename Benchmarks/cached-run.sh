#!/usr/bin/env bash
# Prints how long a fully cached `nbrun` run takes, from process start to exit.
# Usage: Benchmarks/cached-run.sh [MANIFEST] [RUNS]   (from the repository root)
# Builds the release binary, runs the notebook once to fill the cache, then times RUNS
# cached runs and prints each and the median. Goal: <= 0.3 s.
# Needs only bash, coreutils and awk besides Swift (Scripts/setup finds the toolchain).
set -euo pipefail
manifest="${1:-Notebooks/LSTM.manifest}"
runs="${2:-11}"
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/Scripts/setup"
swift build -c release --product nbrun >/dev/null
binary="$(swift build -c release --show-bin-path)/nbrun"
"$binary" "$manifest" >/dev/null
times=()
for _ in $(seq "$runs"); do
    start=$(date +%s.%N)
    "$binary" "$manifest" >/dev/null
    end=$(date +%s.%N)
    times+=("$(awk -v start="$start" -v end="$end" 'BEGIN { printf "%.6f", end - start }')")
done
printf '%s\n' "${times[@]}" | sort -n | awk -v m="$manifest" '
    { t[NR] = $1 }
    END {
        median = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
        printf "fully cached nbrun %s: median %.3f s over %d runs (min %.3f, max %.3f)\n", m, median, NR, t[1], t[NR]
    }'
