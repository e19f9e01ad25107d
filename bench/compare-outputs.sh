#!/usr/bin/env bash
# "Nothing lost" (issue #15): runs bench/compare-outputs.ts in a checkout of BASE (default main)
# and in this working tree, on the cloudwalk file (+ raw transactions) and a simulated file, then
# compares the outputs byte for byte. Usage: bench/compare-outputs.sh [BASE-REF]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/node24.sh
BASE="${1:-main}"
work="$(mktemp -d -t txmon-compare-XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/before" && git archive "$BASE" | tar -x -C "$work/before"
ln -s "$PWD/node_modules" "$work/before/node_modules"
cp bench/compare-outputs.ts "$work/before/bench/"
CSV="${TXMON_COMPARE_CSV:-$PWD/../shared/data/cloudwalk/transactions.csv}"
node bin/txmon.js simulate --days 2 --scopes 3 --seed 3 --out "$work/sim.csv" --auth-codes-out "$work/sim-auth.csv" >/dev/null
status=0
for side in before after; do
  dir="$PWD"; [ "$side" = before ] && dir="$work/before"
  (cd "$dir" && node bench/compare-outputs.ts "$CSV" "$work/out-$side/cloudwalk" --raw 12 \
             && node bench/compare-outputs.ts "$work/sim.csv" "$work/out-$side/sim" --auth-codes "$work/sim-auth.csv")
done
for f in cloudwalk/responses.jsonl cloudwalk/tables.txt cloudwalk/notifications.jsonl sim/responses.jsonl sim/tables.txt sim/notifications.jsonl; do
  if cmp -s "$work/out-before/$f" "$work/out-after/$f"; then echo "identical  $f ($(wc -c < "$work/out-after/$f") bytes, sha256 $(sha256sum "$work/out-after/$f" | cut -c1-16))"
  else echo "DIFFERENT  $f"; status=1; fi
done
exit $status
