#!/usr/bin/env bash
# Should a sweep run two variants side by side with one thread each, or one at a time with
# two threads? Prints both wall-clock times and their ratio, measured in one invocation.
# Usage: Benchmarks/sweep-parallelism.sh [TRAIN_LIMIT] [EPOCHS]   (from the repository root)
# Both ways train the same two variants (learning rates 0.001 and 0.002) of the LSTM
# notebook on a slice of MNIST, from upstream stages computed beforehand, in release.
set -euo pipefail
train_limit="${1:-6000}"
epochs="${2:-1}"
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/Scripts/setup"
swift build -c release --product nbrun >/dev/null
binary="$(swift build -c release --show-bin-path)/nbrun"
scratch="$(mktemp -d /tmp/nbrun-sweep-parallelism.XXXXXX)"
trap 'rm -rf "$scratch"' EXIT
slice=(--set "load-data.train-limit=$train_limit" --set load-data.test-limit=1000 --set "train.epochs=$epochs")
now() { date +%s.%N; }

# Upstream stages first, in every output folder, so that only the two trainings are timed.
for out in sequential parallel-a parallel-b; do
    "$binary" Notebooks/LSTM.manifest --output "$scratch/$out" "${slice[@]}" --stage build-model >/dev/null
done

start=$(now)
"$binary" Notebooks/LSTM.manifest --output "$scratch/sequential" "${slice[@]}" --threads 2 \
    --sweep train.learning-rate=0.001,0.002 >/dev/null
sequential=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')

start=$(now)
"$binary" Notebooks/LSTM.manifest --output "$scratch/parallel-a" "${slice[@]}" --threads 1 --set train.learning-rate=0.001 >/dev/null &
first=$!
"$binary" Notebooks/LSTM.manifest --output "$scratch/parallel-b" "${slice[@]}" --threads 1 --set train.learning-rate=0.002 >/dev/null &
second=$!
wait "$first" "$second"
parallel=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')

echo "two variants (train-limit $train_limit, $epochs epoch(s)), cores: $(nproc)"
echo "one at a time, 2 threads each:  $sequential s"
echo "side by side, 1 thread each:    $parallel s"
awk -v s="$sequential" -v p="$parallel" 'BEGIN { printf "side by side / one at a time: %.2f (below 1: side by side is faster)\n", p / s }'
