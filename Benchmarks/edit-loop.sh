#!/usr/bin/env bash
# The edit loop of a notebook kept outside the repository, as an author lives it: how long
# from saving a file to the report being rewritten, for
#   - a one-line edit to a stage's code (nbrun compiles the notebook, reruns that stage),
#   - a prose edit (nothing compiles or reruns; the report is rewritten),
#   - a fully cached run (nothing changed);
# and the same stage with a hot loop of its own (a k-means written in the stage), compiled
# optimized as nbrun compiles it and unoptimized, to show what a debug build would cost.
# Prints median, min and max of RUNS runs each (default 7). Usage, from the repository root:
#   Benchmarks/edit-loop.sh [RUNS]
set -euo pipefail
runs="${1:-7}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/Scripts/setup"
swift build --package-path "$root" -c release --product nbrun >/dev/null
nbrun="$root/.build/release/nbrun"
work="$(mktemp -d "${TMPDIR:-/tmp}/nbrun-edit-loop.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export NBRUN_PLUGIN_CACHE="$work/plugins" NBRUN_USES=""
cd "$work"
"$nbrun" new Waves waves >/dev/null
"$nbrun" waves/Waves.manifest --output out >/dev/null 2>&1

now() { date +%s.%N; }
summary() { # label, then the times
    local label="$1"; shift
    printf '%s\n' "$@" | sort -n | awk -v label="$label" '
        { t[NR] = $1 }
        END {
            median = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
            printf "%-44s median %.3f s over %d runs (min %.3f, max %.3f)\n", label, median, NR, t[1], t[NR]
        }'
}
# The time from the write to the end of the run that rewrote the report, which must hold
# the edit (a run that silently kept the old report would not count).
timed_edit() { # file, old text, new text, text the report must then hold
    local start end
    start=$(now)
    sed -i "s|$2|$3|" "$1"
    "$nbrun" waves/Waves.manifest --output out >"$work/edit.log" 2>&1
    end=$(now)
    grep -q "$4" out/report.md || { echo "the report does not show the edit '$4':" >&2; cat "$work/edit.log" >&2; exit 1; }
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.6f", e - s }'
}

timed_run() { # environment assignments, then the run's arguments
    local start end
    start=$(now); env "$@" >/dev/null 2>&1; end=$(now)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.6f", e - s }'
}

# The supervised worker's cost: the same cached run, and a short stage rerun, with and
# without it (NBRUN_WORKER set makes the process run as its own worker), interleaved.
stage=() prose=() cached=() unsupervised=() short=() short_unsupervised=()
for i in $(seq "$runs"); do
    stage+=("$(timed_edit waves/Stages/PlotStage.swift "largest sample[^:]*:" "largest sample (edit $i):" "largest sample (edit $i):")")
    prose+=("$(timed_edit waves/Waves.manifest "The first$( [ "$i" = 1 ] || echo " (edit $((i - 1)))")" "The first (edit $i)" "The first (edit $i)")")
    cached+=("$(timed_run "$nbrun" waves/Waves.manifest --output out)")
    unsupervised+=("$(timed_run NBRUN_WORKER=none "$nbrun" waves/Waves.manifest --output out)")
    short+=("$(timed_run "$nbrun" waves/Waves.manifest --output out --stage plot --force)")
    short_unsupervised+=("$(timed_run NBRUN_WORKER=none "$nbrun" waves/Waves.manifest --output out --stage plot --force)")
done
echo "Edit loop of a scaffolded notebook in $work (load $(cut -d' ' -f1-3 /proc/loadavg)):"
summary "one-line stage edit -> report rewritten" "${stage[@]}"
summary "prose edit -> report rewritten" "${prose[@]}"
summary "fully cached run" "${cached[@]}"
summary "fully cached run, no worker process" "${unsupervised[@]}"
summary "--stage plot --force" "${short[@]}"
summary "--stage plot --force, no worker process" "${short_unsupervised[@]}"

# A stage with a hot loop of its own: Lloyd's k-means, 200,000 points in 8 dimensions, 16
# centres, 10 iterations, written in the stage with plain arrays.
cat > waves/Stages/KMeansStage.swift <<'SWIFT'
import Foundation
import NBRun

struct KMeansStage: Stage {
    static let name = "k-means"
    static let summary = "Lloyd's k-means on seeded random points, timed."

    @Parameter(help: "Seed of the points.", range: 0...1_000_000) var seed = 0

    func run(_ context: StageContext) throws {
        let points = 200_000, dimensions = 8, centres = 16
        var state = UInt64(seed) &+ 0x9E37_79B9_7F4A_7C15
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24)
        }
        let data = (0..<points * dimensions).map { _ in next() }
        var centre = Array(data[0..<centres * dimensions])
        var assignment = [Int](repeating: 0, count: points)
        let clock = ContinuousClock.now
        for _ in 0..<10 {
            for p in 0..<points {
                var best = 0, bestDistance = Float.infinity
                for c in 0..<centres {
                    var distance: Float = 0
                    for d in 0..<dimensions {
                        let difference = data[p * dimensions + d] - centre[c * dimensions + d]
                        distance += difference * difference
                    }
                    if distance < bestDistance { bestDistance = distance; best = c }
                }
                assignment[p] = best
            }
            var sums = [Float](repeating: 0, count: centres * dimensions), counts = [Int](repeating: 0, count: centres)
            for p in 0..<points {
                counts[assignment[p]] += 1
                for d in 0..<dimensions { sums[assignment[p] * dimensions + d] += data[p * dimensions + d] }
            }
            for c in 0..<centres where counts[c] > 0 {
                for d in 0..<dimensions { centre[c * dimensions + d] = sums[c * dimensions + d] / Float(counts[c]) }
            }
        }
        let seconds = (ContinuousClock.now - clock) / .seconds(1)
        context.print(String(format: "k-means: %.3f s for 10 iterations", seconds))
    }
}
SWIFT
cat >> waves/Waves.manifest <<'YAML'
  - stage: k-means
    kind: waves.k-means
YAML
kmeans() { # NBRUN_PLUGIN_OPTIMIZE value
    local times=()
    for i in $(seq "$runs"); do
        NBRUN_PLUGIN_OPTIMIZE="$1" "$nbrun" waves/Waves.manifest --output "out-$1" --set k-means.seed="$i" >"$work/k.log" 2>&1
        times+=("$(grep -o 'k-means: [0-9.]*' "$work/k.log" | awk '{ print $2 }')")
    done
    summary "k-means in a stage, plugin optimize=$1" "${times[@]}"
}
kmeans 1
kmeans 0
